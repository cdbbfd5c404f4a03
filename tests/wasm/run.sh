#!/usr/bin/env bash
# The WASM package checked from outside Rust: builds it (tests/wasm/build.sh), runs the Node
# tests through the generated package (`node --test`), then the page in headless Chromium
# (tests/wasm/browser.test.mjs) when CXF_WASM_BROWSER=1 or a chromium binary is present.
# Run by .ci/run; needs Node 20+ and npm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v node >/dev/null || { echo "wasm: node (20 or newer) is required" >&2; exit 2; }

bash tests/wasm/build.sh

echo "wasm: Node tests through the generated package"
node --test tests/wasm/cxf.test.mjs
