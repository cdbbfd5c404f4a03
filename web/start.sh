#!/usr/bin/env bash
# One command: builds the WebAssembly package into web/pkg and serves the page on
# http://127.0.0.1:8080/ (PORT to change it). Needs Rust (rustup), Node 20+.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tests/wasm/build.sh"
exec node "$ROOT/web/serve.mjs" --port "${PORT:-8080}"
