#!/usr/bin/env bash
# A long fuzz run of one target, to a number of executions, then the corpus minimised into the
# committed fuzz/corpus-min/TARGET/ (inputs of at most 4 KiB, so the repository stays small).
#
#   bash fuzz/long.sh TARGET EXECUTIONS [MAX_SECONDS] [JOBS]
#
# Uses the binaries `ci.sh` builds (run it, or `cargo fuzz build --sanitizer none`, first) and
# the corpus and dictionary `seed.sh` writes. Appends one line to fuzz/long-runs.log:
# date, target, executions done, seconds, executions/s, corpus size, result. Any crash,
# timeout or out-of-memory stops the run with a non-zero exit and the reproducer in
# fuzz/artifacts/TARGET/. With JOBS > 1, libFuzzer's -fork=JOBS runs that many processes.
set -euo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t="$1"; runs="$2"; max="${3:-86400}"; jobs="${4:-1}"
bin="$FUZZ_DIR/target/x86_64-unknown-linux-gnu/release/$t"
[ -x "$bin" ] || { echo "long.sh: $bin not built (run fuzz/ci.sh or cargo fuzz build)" >&2; exit 2; }
corpus="$FUZZ_DIR/corpus/$t"; art="$FUZZ_DIR/artifacts/$t"; dict="$FUZZ_DIR/corpus/$t.dict"
mkdir -p "$corpus" "$art" "$FUZZ_DIR/artifacts/logs"
log="$FUZZ_DIR/artifacts/logs/$t.long.log"
dict_arg=(); [ -s "$dict" ] && dict_arg=("-dict=$dict")
start=$(date +%s)
set +e
if [ "$jobs" -gt 1 ]; then
    "$bin" "$corpus" "${dict_arg[@]}" -fork="$jobs" -runs="$runs" -max_total_time="$max" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1
else
    "$bin" "$corpus" "${dict_arg[@]}" -runs="$runs" -max_total_time="$max" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1
fi
rc=$?
set -e
secs=$(( $(date +%s) - start ))
execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
[ -n "$execs" ] || execs="$(grep -oE '^#[0-9]+' "$log" | tail -n1 | tr -d '#')"
rate=$(( ${execs:-0} / (secs > 0 ? secs : 1) ))
# Minimise into the committed corpus: only inputs that add coverage; larger ones than 4 KiB are
# dropped (the fixtures they come from are seeds anyway).
min="$FUZZ_DIR/corpus-min/$t"
rm -rf "$min.new"; mkdir -p "$min.new"
"$bin" -merge=1 "$min.new" "$corpus" >"$log.merge" 2>&1 || true
find "$min.new" -type f -size +4k -delete
rm -rf "$min"; mv "$min.new" "$min"
size="$(find "$min" -type f | wc -l) inputs, $(( $(du -sb "$min" | cut -f1) / 1024 )) KiB"
result=$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")
line="$(date -u +%Y-%m-%d) $t executions=${execs:-?} seconds=$secs rate=${rate}/s corpus-min=[$size] $result"
echo "$line" | tee -a "$FUZZ_DIR/long-runs.log"
[ "$rc" -eq 0 ]
