#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time; fails on any crash, timeout, leak
# or out-of-memory, and prints the reproducer (file path and base64 of the input) into the log.
#
#   bash fuzz/ci.sh                 # all targets, CXF_FUZZ_TOTAL_SECONDS split between them
#   bash fuzz/ci.sh cxf_parse       # some targets
#
# Environment:
#   CXF_FUZZ_SECONDS        seconds per target (overrides the split below)
#   CXF_FUZZ_TOTAL_SECONDS  budget for all targets together (default 420 = 7 min), split
#                           evenly, at most 180 s per target
#   CXF_FUZZ_SANITIZER      none (default) or address. Our crates forbid `unsafe`, so
#                           AddressSanitizer only adds checks of dependencies' unsafe code,
#                           at a large cost: measured here 11,300 vs 500-750 executions/s
#                           (cxf_parse). CI uses none; run address now and then.
#   CXF_FUZZ_RSS_MB         memory limit per target process (default 2048)
#
# Toolchain: only stable rustc is on our machines. cargo-fuzz needs `-Zsanitizer=...` and
# other -Z flags, which stable rejects ("the option `Z` is only accepted on the nightly
# compiler") unless RUSTC_BOOTSTRAP=1 is set, so this script sets it for the fuzz workspace
# only. Use the same setting for manual runs or cargo rebuilds everything.
set -euo pipefail

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
cd "$ROOT"
SAN="${CXF_FUZZ_SANITIZER:-none}"
RSS="${CXF_FUZZ_RSS_MB:-2048}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/ci.sh: installing cargo-fuzz (cargo install --locked cargo-fuzz)"
    cargo install --locked cargo-fuzz
fi
# After the install: cargo-fuzz itself is built as a normal stable program.
export RUSTC_BOOTSTRAP=1
echo "fuzz/ci.sh: $(cargo fuzz --version), $(rustc --version), sanitizer=$SAN, RUSTC_BOOTSTRAP=1"

# Every fuzz_targets/NAME.rs must be registered as a [[bin]] in fuzz/Cargo.toml.
registered="$(cd "$FUZZ_DIR" && cargo fuzz list --fuzz-dir "$FUZZ_DIR" 2>/dev/null || cargo fuzz list)"
for f in "$FUZZ_DIR"/fuzz_targets/*.rs; do
    t="$(basename "$f" .rs)"
    if ! grep -qx "$t" <<<"$registered"; then
        echo "fuzz/ci.sh: FAIL: fuzz_targets/$t.rs has no [[bin]] block in fuzz/Cargo.toml" >&2
        exit 1
    fi
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets <<<"$registered"
fi
n=${#targets[@]}
if [ -n "${CXF_FUZZ_SECONDS:-}" ]; then
    secs="$CXF_FUZZ_SECONDS"
else
    total="${CXF_FUZZ_TOTAL_SECONDS:-420}"
    secs=$((total / n))
    [ "$secs" -gt 180 ] && secs=180
    [ "$secs" -lt 1 ] && secs=1
fi
echo "fuzz/ci.sh: ${n} target(s): ${targets[*]}; ${secs} s each"

bash "$FUZZ_DIR/seed.sh" "${targets[@]}"

echo "fuzz/ci.sh: building (cargo fuzz build --sanitizer $SAN)"
build_start=$(date +%s)
for t in "${targets[@]}"; do
    cargo fuzz build --fuzz-dir "$FUZZ_DIR" --sanitizer "$SAN" "$t"
done
echo "fuzz/ci.sh: built in $(( $(date +%s) - build_start )) s"

logs="$FUZZ_DIR/artifacts/logs"
mkdir -p "$logs"
failed=0
passed=0
summary=()
for t in "${targets[@]}"; do
    art="$FUZZ_DIR/artifacts/$t"
    mkdir -p "$art"
    stamp="$(mktemp)"
    log="$logs/$t.log"
    dict="$FUZZ_DIR/corpus/$t.dict"
    dict_arg=()
    [ -s "$dict" ] && dict_arg=("-dict=$dict")
    echo "fuzz/ci.sh: running $t for $secs s (log: $log)"
    set +e
    cargo fuzz run --fuzz-dir "$FUZZ_DIR" --sanitizer "$SAN" "$t" "$FUZZ_DIR/corpus/$t" -- \
        "${dict_arg[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb="$RSS" \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)"
    corpus="$(find "$FUZZ_DIR/corpus/$t" -type f | wc -l)"
    found="$(find "$art" -maxdepth 1 -type f -newer "$stamp" \
        \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) | sort)"
    rm -f "$stamp"
    if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
        failed=$((failed + 1))
        summary+=("$t: FAILED (exit $rc) after ${execs:-?} executions (${rate:-?}/s)")
        echo "================ $t FAILED (exit $rc) ================"
        grep -m1 -A12 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)" "$log" || tail -n 40 "$log"
        for a in $found; do
            echo "---- reproducer: $a ($(wc -c <"$a") bytes)"
            echo "base64:"
            head -c 65536 "$a" | base64 -w 76
            echo "---- replay: echo '<base64 above>' | base64 -d > input.bin &&" \
                "RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $SAN $t input.bin"
        done
        echo "================================================"
    else
        passed=$((passed + 1))
        summary+=("$t: ok, ${execs:-?} executions in ${secs} s (${rate:-?}/s), corpus ${corpus} inputs")
    fi
done

echo "fuzz/ci.sh: summary"
for line in "${summary[@]}"; do echo "  $line"; done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
