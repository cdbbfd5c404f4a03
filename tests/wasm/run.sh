#!/usr/bin/env bash
# The WASM package checked from outside Rust: builds it (tests/wasm/build.sh), runs the Node
# tests through the generated package (`node --test`), then the converter page in headless
# Chromium (browser.test.mjs: puppeteer-core from npm against the system's Debian `chromium`,
# installed here when missing), comparing the page's output bytes with the CLI's.
# Run by .ci/run; needs Node 20+ and npm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v node >/dev/null || { echo "wasm: node (20 or newer) is required" >&2; exit 2; }

bash tests/wasm/build.sh
# The native CLI, to compare outputs with (built by `cargo test --workspace` in CI already).
cargo build -q -p cxf-cli
export CXF_CLI="$ROOT/target/debug/cxf"

echo "wasm: Node tests through the generated package"
node --test tests/wasm/cxf.test.mjs

echo "wasm: the page in headless Chromium"
export CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$CHROMIUM" ]; then
  echo "wasm: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
  CHROMIUM="$(command -v chromium)"
fi
(cd tests/wasm && npm ci --no-audit --no-fund --silent)
node --test tests/wasm/browser.test.mjs
echo "wasm: screenshot and timing in target/wasm-browser/"
