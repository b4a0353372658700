#!/usr/bin/env bash
# A private Python venv with pinned requirements: `scripts/venv.sh DIR REQUIREMENTS` makes DIR
# (python3 -m venv) and installs REQUIREMENTS from PyPI into it; it is made again only when
# the requirements file changes (a copy is kept in DIR). Used by the test command's Python
# checks (server/tests/clients, python/tests).
set -euo pipefail
venv="$1"
req="$2"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
fi
