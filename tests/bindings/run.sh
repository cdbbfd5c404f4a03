#!/usr/bin/env bash
# The bindings, checked from outside Rust: builds the cxf-ffi cdylib, generates the Python,
# Swift and Kotlin sources with UniFFI's generator (library mode), runs the pytest suite
# through the Python module, checks the committed C header against cbindgen's output, and
# compiles and runs the C example against the cdylib. Run by .ci/run; needs python3 with
# pytest, gcc, and cbindgen (installed here with `cargo install` when missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="$ROOT/target/bindings"
rm -rf "$OUT" && mkdir -p "$OUT"

echo "bindings: building the cdylib and uniffi-bindgen"
cargo build -q -p cxf-ffi --features bindgen --bin uniffi-bindgen
cargo build -q -p cxf-ffi
LIB="$ROOT/target/debug/libcxf_ffi.so"

for lang in python swift kotlin; do
    ./target/debug/uniffi-bindgen generate --no-format --library "$LIB" --language "$lang" \
        --out-dir "$OUT/$lang" >/dev/null
done
grep -q "def convert(" "$OUT/python/cxf_ffi.py"
grep -q "func convert(" "$OUT/swift/cxf_ffi.swift"
grep -rq "fun \`convert\`(" "$OUT/kotlin"
echo "bindings: Python, Swift and Kotlin generated ($(wc -l <"$OUT/python/cxf_ffi.py") / $(wc -l <"$OUT/swift/cxf_ffi.swift") / $(cat "$OUT"/kotlin/uniffi/*/*.kt | wc -l) lines)"

echo "bindings: pytest through the Python module"
cp "$LIB" "$OUT/python/"
CXF_FFI_MODULE_DIR="$OUT/python" python3 -m pytest -q -p no:cacheprovider "$ROOT/tests/bindings"

echo "bindings: C header (cbindgen) and the C example"
command -v cbindgen >/dev/null || cargo install -q --locked cbindgen
cbindgen --quiet --config cxf-ffi/cbindgen.toml --crate cxf-ffi --output "$OUT/cxf.h" cxf-ffi
if ! diff -u cxf-ffi/include/cxf.h "$OUT/cxf.h"; then
    echo "bindings: cxf-ffi/include/cxf.h is out of date; regenerate it with:" >&2
    echo "  cbindgen --config cxf-ffi/cbindgen.toml --crate cxf-ffi --output cxf-ffi/include/cxf.h cxf-ffi" >&2
    exit 1
fi
gcc -std=c11 -Wall -Wextra -Werror -I cxf-ffi/include cxf-ffi/examples/c/convert.c \
    -L target/debug -lcxf_ffi -Wl,-rpath,"$ROOT/target/debug" -o "$OUT/convert-example"
"$OUT/convert-example" fixtures/formats/chrome-csv/note-crlf-android.csv > "$OUT/example.out"
grep -q '"from":"chrome-csv"' "$OUT/example.out"
echo "bindings: all passed"
