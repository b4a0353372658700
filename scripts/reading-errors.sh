#!/usr/bin/env bash
# Measures yomiage's readings on the accent dev set and classifies every misread word by kind.
#
#   ./scripts/reading-errors.sh [--examples N] [--kind KIND]
#
# Three columns of evidence, all on ../shared/data/accent/dev.jsonl:
#   1. the reading stage off (OpenJTalk's readings with our rules and number fixes),
#   2. the learned reading stage cross-validated: every sentence read by a model trained
#      without its fold (scripts/train-readings.py --cv-dir; tools/train-accent's 5 folds, seed 1),
#   3. the shipped model (trained on every sentence: not a fair score, for reference).
# For each it prints score.py's reading metrics (e), and for 1 and 2 the table of
# scripts/reading-errors.py (how the kinds are decided is written at its top: heuristics).
# naist-jdic's source (the lexicon, to tell homographs from unknown words) is decompiled from
# the pyopenjtalk-plus wheel `yomiage setup` downloaded (scripts/naist-jdic-csv.sh). When the
# UniDic lexicon is set up (`yomiage setup --lexicon`), each table is followed by what UniDic
# offers for those words, and scripts/unidic-override.py prints what replacing our readings by
# UniDic's would fix and break.
# PROFILE=dev uses the dev build of the tool (default: release).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data=${ACCENT_DATA:-$root/../shared/data/accent}
gold=$data/dev.jsonl
[[ -f $gold ]] || { echo "no accent dev set at $gold" >&2; exit 2; }
home=${YOMIAGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yomiage}
dict=$home/dictionary/naist-jdic
[[ -f $dict/metadata.json ]] || { echo "no dictionary at $dict: run ./scripts/yomiage setup first" >&2; exit 2; }

cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
tool=$(scripts/train-accent-tool.sh)
out=$target/reading-errors
mkdir -p "$out"
lexicon=$(scripts/naist-jdic-csv.sh)

"$tool" --dict "$dict" --gold "$gold" --reading-model none --words-out "$out/words-off.jsonl"
python3 scripts/train-readings.py "$gold" "$out/words-off.jsonl" "$lexicon" --cv-dir "$out/cv"
"$tool" --dict "$dict" --gold "$gold" --reading-cv "$out/cv" --words-out "$out/words-cv.jsonl"
"$tool" --dict "$dict" --gold "$gold" --words-out "$out/words-shipped.jsonl"

for run in off cv shipped; do
    python3 - "$out/words-$run.jsonl" >"$out/pred-$run.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    s = json.loads(line)
    moras = [m for w in s["words"] for m in w["moras"]]
    print(json.dumps({"id": s["id"], "phrases": [{"moras": moras, "accent": 0}]}, ensure_ascii=False))
PY
    echo "== readings: $run"
    python3 "$data/score.py" "$gold" "$out/pred-$run.jsonl" | grep -E "metric|\(e\)|mora error"
done
unidic=$home/lexicon/unidic/unidic.tsv
uni=()
[[ -f $unidic ]] && uni=(--unidic "$unidic")
for run in off cv; do
    echo
    echo "== misread words by kind: $run"
    python3 scripts/reading-errors.py "$gold" "$out/words-$run.jsonl" "$lexicon" "${uni[@]}" "$@"
done
if [[ -f $unidic ]]; then
    echo
    echo "== UniDic's top reading in place of ours: cv"
    python3 scripts/unidic-override.py "$gold" "$out/words-cv.jsonl" "$unidic"
fi
