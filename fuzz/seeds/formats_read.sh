#!/usr/bin/env bash
# Extra seeds of the `formats_read` target, called by seed.sh as `formats_read.sh OUT_DIR`: each
# export under fixtures/formats/FORMAT/ (not the `*.expect.json` results) prefixed with the
# selector byte of FORMAT, so the seed is read by the right reader (see
# cxf_fuzz::check_formats_read: the byte indexes the readable formats of `Format::ALL`).
set -euo pipefail
out="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Format::ALL, in order, by `Format::name()` (every format can be read today); the test
# `fuzz_seed_selectors_follow_format_all` (cxf/tests/formats.rs) keeps it in sync.
formats=(cxf bitwarden-json bitwarden-csv 1password-1pux 1password-csv chrome-csv apple-csv
    firefox-csv dashlane-csv lastpass-csv keepass-xml kdbx protonpass-json keepassxc-csv
    keepass-csv protonpass-csv nordpass-csv roboform-csv keeper-csv keeper-json
    1password-1pif enpass-json dashlane-json enpass-csv generic-csv)
n=0
for i in "${!formats[@]}"; do
    dir="$root/fixtures/formats/${formats[$i]}"
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' f; do
        tmp="$(mktemp)"
        { printf "\\x$(printf '%02x' "$i")"; cat "$f"; } > "$tmp"
        mv "$tmp" "$out/$(sha1sum "$tmp" | cut -c1-40)"
        n=$((n + 1))
    done < <(find "$dir" -type f ! -name '*.expect.json' -print0)
done
echo "seeds/formats_read.sh: $n seeds with their format's selector byte"
