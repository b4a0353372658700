#!/usr/bin/env bash
# Prints the path of naist-jdic's source lexicon (naist-jdic.csv), extracted once into the
# target directory from the OpenJTalk source archive `yomiage setup` downloaded. The reading
# tools read it to tell homographs from unknown words and to find the accent of a reading.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
home=${YOMIAGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yomiage}
archive=$(ls "$home"/downloads/open-jtalk_*.orig.tar.gz 2>/dev/null | head -n1 || true)
[[ -n $archive ]] || { echo "no OpenJTalk source archive in $home/downloads: run ./scripts/yomiage setup" >&2; exit 2; }
out=${CARGO_TARGET_DIR:-$root/target}/naist-jdic
lexicon=$out/naist-jdic.csv
if [[ ! -s $lexicon || $archive -nt $lexicon ]]; then
    mkdir -p "$out"
    tar -xzf "$archive" -O --wildcards '*/mecab-naist-jdic/naist-jdic.csv' >"$lexicon.tmp"
    mv "$lexicon.tmp" "$lexicon"
fi
echo "$lexicon"
