#!/usr/bin/env bash
# Extra seeds of the `envelope_open` target, called by seed.sh as `envelope_open.sh OUT_DIR`:
# turns every CXP response fixture under cxf/src/envelope/testdata into the target's input
# layout (selector byte, `enc` raw bytes, base64url payload; see cxf_fuzz::check_envelope_open),
# once with the request binding (selector 0) and once without (selector 2).
set -euo pipefail
out="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
b64url_decode() { # base64url without padding -> raw bytes
    local s="${1//-/+}"
    s="${s//_//}"
    while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
    printf '%s' "$s" | base64 -d
}
n=0
for f in "$root"/cxf/src/envelope/testdata/*response*.json; do
    [ -f "$f" ] || continue
    # python3 rather than jq: python3 is on every machine of this project's kind.
    x="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("hpke",{}).get("key",{}).get("x",""))' "$f")"
    payload="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("payload",""))' "$f")"
    [ -n "$x" ] && [ -n "$payload" ] || continue
    for sel in '\x00' '\x02'; do
        tmp="$(mktemp)"
        { printf "$sel"; b64url_decode "$x"; printf '%s' "$payload"; } > "$tmp"
        mv "$tmp" "$out/$(sha1sum "$tmp" 2>/dev/null | cut -c1-40 || true)"
        n=$((n + 1))
    done
done
echo "seeds/envelope_open.sh: $n sealed-payload seeds"
