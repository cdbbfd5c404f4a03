#!/usr/bin/env bash
# Builds the seed corpora and dictionaries of the fuzz targets from the repository's fixtures.
#
#   fuzz/seed.sh [TARGET...]      (default: every target in fuzz/fuzz_targets/)
#
# For each target, the line `//! seeds: DIR [DIR...]` of fuzz_targets/TARGET.rs names fixture
# directories (relative to the repository root). Every file under them is copied into
# fuzz/corpus/TARGET/ (named by content hash, as libFuzzer does), plus a `*.marked` variant
# of each JSON fixture whose secret members start with the secret marker that the oracles look
# for. A dictionary fuzz/corpus/TARGET.dict is written from the JSON member names and string
# values found in those fixtures, plus the target's committed tokens in fuzz/dict/TARGET.dict.
# fuzz/corpus/ is git-ignored; the minimised corpus of the long runs is committed in
# fuzz/corpus-min/TARGET/ and copied in; whatever the fuzzer found earlier is kept.
set -euo pipefail

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
MARKER="Zq7SECRETzq7" # keep in sync with cxf_fuzz::SECRET_MARKER (fuzz/src/lib.rs)
# Members whose string value is a secret (EditableField.value, keys, seeds, passwords).
SECRET_MEMBERS='value|key|privateKey|secret|password|credWithUV|credWithoutUV|credBlob|data'

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$FUZZ_DIR"/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

hash_of() { sha1sum "$1" | cut -c1-40; }

for target in "${targets[@]}"; do
    src="$FUZZ_DIR/fuzz_targets/$target.rs"
    [ -f "$src" ] || { echo "seed.sh: no target $target ($src)" >&2; exit 2; }
    dirs=$(sed -n 's|^//! seeds: *||p' "$src" | head -n1)
    [ -n "$dirs" ] || { echo "seed.sh: $src has no '//! seeds:' line" >&2; exit 2; }
    out="$FUZZ_DIR/corpus/$target"
    mkdir -p "$out"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    n=0
    for d in $dirs; do
        [ -d "$ROOT/$d" ] || { echo "seed.sh: $target: no directory $d" >&2; exit 2; }
        while IFS= read -r -d '' f; do
            cp "$f" "$out/$(hash_of "$f")"
            n=$((n + 1))
            case "$f" in
            *.json)
                sed -E "s/(\"($SECRET_MEMBERS)\" *: *\")/\1$MARKER/g" "$f" > "$tmp/marked"
                if ! cmp -s "$f" "$tmp/marked"; then
                    cp "$tmp/marked" "$out/$(hash_of "$tmp/marked")"
                    n=$((n + 1))
                fi
                ;;
            esac
        done < <(find "$ROOT/$d" -type f -print0 | sort -z)
    done
    # A target whose input is not a plain fixture (a selector byte first, binary fields) has a
    # script fuzz/seeds/TARGET.sh that writes seeds in its layout into the corpus directory.
    if [ -f "$FUZZ_DIR/seeds/$target.sh" ]; then
        bash "$FUZZ_DIR/seeds/$target.sh" "$out"
    fi
    # Dictionary (libFuzzer syntax: one quoted token a line, \\ \" \xNN escapes): JSON tokens,
    # the marker, and the member names and enumeration-like values (lowercase words with '-')
    # of the seeds, each with its quotes, so mutations produce well-formed CXF vocabulary.
    {
        printf '"%s"\n' "$MARKER"
        cat <<'DICT'
"{"
"}"
"["
"]"
":"
","
"\""
"\\"
"\\\""
"\\u"
"\\ud83d\\ude00"
"\\u0000"
"true"
"false"
"null"
"-0"
"1e999"
"18446744073709551616"
"0.5"
"\xef\xbb\xbf"
DICT
        for d in $dirs; do
            find "$ROOT/$d" -type f -name '*.json' -exec grep -ohE '"[A-Za-z0-9_]{1,40}" *:|"[a-z][a-z0-9-]{0,30}"' {} + || true
        done | sed -E 's/ *:$//; s/"/\\"/g; s/.*/"&"/' | sort -u
        # The target's own committed tokens (CSV, XML, CXP, binary): fuzz/dict/TARGET.dict.
        if [ -f "$FUZZ_DIR/dict/$target.dict" ]; then
            grep -v '^#' "$FUZZ_DIR/dict/$target.dict" | grep -v '^$' || true
        fi
    } > "$out.dict"
    # The committed minimised corpus of earlier long runs (fuzz/corpus-min/TARGET/).
    if [ -d "$FUZZ_DIR/corpus-min/$target" ]; then
        find "$FUZZ_DIR/corpus-min/$target" -type f -exec cp {} "$out/" \;
    fi
    echo "seed.sh: $target: $n seed files from $dirs -> fuzz/corpus/$target ($(ls "$out" | wc -l) in corpus), dictionary $(wc -l < "$out.dict") entries"
    rm -rf "$tmp"
    trap - EXIT
done
