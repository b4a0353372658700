#!/usr/bin/env bash
# Where the reading rules fire on text they were not written from: ~8,000 sentences of Debian's
# Japanese manual pages and reference (the packages manpages-ja and debian-reference-ja,
# downloaded with `apt-get download`, unpacked, never installed), read by `yomiage accent
# --format jsonl --explain`; prints each rule's firings with their contexts. Run it before
# adding a reading rule: a rule that misfires here will misfire on held-out text too.
#
#   ./scripts/rule-firings.sh [--examples N] [--all]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/rule-firings
mkdir -p "$out"
if [[ ! -s $out/sentences.jsonl ]]; then
    (cd "$out" && rm -f ./*.deb && apt-get download manpages-ja debian-reference-ja >/dev/null)
    rm -rf "$out/unpacked"
    for deb in "$out"/*.deb; do dpkg-deb -x "$deb" "$out/unpacked"; done
    python3 "$root/scripts/rule-firings.py" sentences "$out/unpacked" "$out/sentences.jsonl"
fi
"$root/scripts/yomiage" accent --format jsonl --explain "$out/sentences.jsonl" > "$out/explain.jsonl"
python3 "$root/scripts/rule-firings.py" report "$out/explain.jsonl" "$@"
