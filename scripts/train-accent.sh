#!/usr/bin/env bash
# Trains the learned accent corrector and cross-validates it against the rules alone.
#
#   ./scripts/train-accent.sh [--write-model] [train-accent options, e.g. --folds 10 --seed 2]
#
# k-fold cross-validation (default 5 folds, seed 1) on ../shared/data/accent/dev.jsonl: each
# sentence is predicted by a model trained on the other folds, and by the rules; both are
# scored with the set's score.py and printed side by side. --write-model also trains on every
# sentence and writes frontend/data/accent-model.tsv (the model the crate embeds). Training is
# deterministic: the same data, options and seed give the same file.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/../shared/data/accent
gold=$data/dev.jsonl
[[ -f $gold ]] || { echo "no accent dev set at $gold" >&2; exit 2; }

write_model=()
args=()
for a in "$@"; do
    if [[ $a == --write-model ]]; then
        write_model=(--model-out "$root/frontend/data/accent-model.tsv")
    else
        args+=("$a")
    fi
done

cd "$root"
# The dictionary `yomiage setup` builds (the data directory as yomiage finds it).
dict=${YOMIAGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yomiage}/dictionary/naist-jdic
[[ -f $dict/metadata.json ]] || { echo "no dictionary at $dict: run ./scripts/yomiage setup first" >&2; exit 2; }
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --quiet --release -p yomiage-train-accent --bin train-accent
out=$target/accent-cv
"$target/release/train-accent" --dict "$dict" --gold "$gold" --cv-out "$out" \
    "${write_model[@]}" "${args[@]}"

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
