#!/usr/bin/env bash
# Trains the learned reading stage and accent corrector and cross-validates them against the
# rules alone.
#
#   ./scripts/train-accent.sh [--write-model] [--folds K] [--seed N] [train-accent options]
#
# k-fold cross-validation (default 5 folds, seed 1) on ../shared/data/accent/dev.jsonl: each
# sentence is read by a reading model trained on the other folds (scripts/train-readings.py),
# and its accent predicted by an accent model trained on the other folds, and by the rules;
# both are scored with the set's score.py and printed side by side. --write-model also trains
# both on every sentence and writes frontend/data/reading-model.tsv and
# frontend/data/accent-model.tsv (the models the crate embeds; the accent model learns from
# the readings of the new reading model). Training is deterministic: the same data, options
# and seed give the same files. PROFILE=dev uses the dev build of the tool (default: release).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data=${ACCENT_DATA:-$root/../shared/data/accent}
gold=$data/dev.jsonl
[[ -f $gold ]] || { echo "no accent dev set at $gold" >&2; exit 2; }

write_model=()
write_readings=()
args=()
folds=5
seed=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --write-model)
            write_model=(--model-out "$root/frontend/data/accent-model.tsv")
            write_readings=(--model-out "$root/frontend/data/reading-model.tsv") ;;
        --folds) folds=$2; shift ;;
        --seed) seed=$2; shift ;;
        *) args+=("$1") ;;
    esac
    shift
done

cd "$root"
# The dictionary `yomiage setup` builds (the data directory as yomiage finds it).
dict=${YOMIAGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yomiage}/dictionary/naist-jdic
[[ -f $dict/metadata.json ]] || { echo "no dictionary at $dict: run ./scripts/yomiage setup first" >&2; exit 2; }
target=${CARGO_TARGET_DIR:-$root/target}
tool=$(scripts/train-accent-tool.sh)
out=$target/accent-cv
mkdir -p "$out"
lexicon=$(scripts/naist-jdic-csv.sh)

# Readings: the words with the reading stage off, a reading model per fold (and the shipped one).
"$tool" --dict "$dict" --gold "$gold" --reading-model none --words-out "$out/words-off.jsonl"
python3 scripts/train-readings.py "$gold" "$out/words-off.jsonl" "$lexicon" \
    --folds "$folds" --seed "$seed" --cv-dir "$out/reading-cv" "${write_readings[@]}"
# Accents on the cross-validated readings; the shipped accent model on the shipped readings.
"$tool" --dict "$dict" --gold "$gold" --cv-out "$out" --folds "$folds" --seed "$seed" \
    --reading-cv "$out/reading-cv" --reading-model "$root/frontend/data/reading-model.tsv" \
    "${write_model[@]}" "${args[@]+"${args[@]}"}"

python3 "$data/score.py" "$gold" "$out/rules.jsonl" --json "$out/rules.json" >/dev/null
python3 "$data/score.py" "$gold" "$out/learned.jsonl" --json "$out/learned.json" >/dev/null
python3 - "$out/rules.json" "$out/learned.json" <<'PY'
import json, sys
rules, learned = (json.load(open(p)).get("all") for p in sys.argv[1:3])
print(f"{'metric (cross-validated, %)':40s} {'rules':>8s} {'learned':>8s}")
for k in rules:
    a, b = rules[k], learned.get(k)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if 0 <= a <= 1 and 0 <= b <= 1:
            print(f"{k:40s} {100 * a:8.2f} {100 * b:8.2f}")
PY
