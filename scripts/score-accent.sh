#!/usr/bin/env bash
# Scores the frontend's accent prediction on the JSUT accent dev set.
#
#   ./scripts/score-accent.sh [GOLD.jsonl] [score.py options, e.g. --errors 20]
#
# GOLD defaults to ../shared/data/accent/dev.jsonl (relative to the repository root); score.py is
# taken from the same folder. Runs `yomiage accent --format jsonl` (only `id` and `text` are read),
# keeps the predictions in target/accent-score/predictions.jsonl, and prints every metric.
# PROFILE=release builds and runs the release binary (default: the dev profile).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gold=$root/../shared/data/accent/dev.jsonl
if [[ $# -gt 0 && $1 != -* ]]; then
    gold=$1
    shift
fi
[[ -f $gold ]] || { echo "no gold file at $gold" >&2; exit 2; }
gold=$(cd "$(dirname "$gold")" && pwd)/$(basename "$gold")
scorer=$(dirname "$gold")/score.py
[[ -f $scorer ]] || { echo "no score.py beside $gold" >&2; exit 2; }

profile=${PROFILE:-dev}
cd "$root"
cargo build --quiet --profile "$profile" --bin yomiage
dir=debug
[[ $profile == dev ]] || dir=$profile
bin=${CARGO_TARGET_DIR:-$root/target}/$dir/yomiage

out=$root/target/accent-score
mkdir -p "$out"
pred=$out/predictions.jsonl

start=$(date +%s.%N)
# Exit status 1 only means some lines were skipped (reported above); they score as empty.
"$bin" accent --format jsonl "$gold" >"$pred" || [[ $? -eq 1 ]]
end=$(date +%s.%N)
lines=$(grep -c . "$gold")
awk -v s="$start" -v e="$end" -v n="$lines" \
    'BEGIN { printf "wall time %.2f s for %d sentences (%.0f sentences/s, start-up included)\n", e - s, n, n / (e - s) }' >&2

python3 "$scorer" "$gold" "$pred" "$@"
