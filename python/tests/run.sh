#!/usr/bin/env bash
# The Python package's tests: a private venv under the target directory with the pinned
# requirements (python/requirements.txt), the wheel built by maturin into the workspace's
# target directory (a dev-profile build; its compiled dependencies stay there for the next run), then
# pytest: the bindings on the real engine, and `yomiage-library` on a two-node Ray cluster on
# loopback. Called by scripts/test.sh after set-up; YOMIAGE_BIN is the CLI to compare with.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-$PWD/target}"
target="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
venv="$target/pyyomiage"
req=python/requirements.txt
scripts/venv.sh "$venv" "$req"

# The wheel (abi3): maturin runs cargo with the workspace's target directory and the dev
# profile (the test profile would give maturin the library's test harness, not the
# extension). Its dependencies are compiled once in that profile and kept in the target dir.
wheels="$target/wheels"
rm -f "$wheels"/yomiage-*.whl
started=$SECONDS
CARGO_TARGET_DIR="$target" "$venv/bin/maturin" build --quiet -m python/Cargo.toml --profile dev \
  -i "$venv/bin/python" --target-dir "$target" --out "$wheels"
echo "python wheel built in $((SECONDS - started)) s: $(ls "$wheels"/yomiage-*.whl)"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheels"/yomiage-*.whl

# Absolute: pytest runs from python/tests.
bin="${YOMIAGE_BIN:-$target/debug/yomiage}"
YOMIAGE_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
export YOMIAGE_BIN
export RAY_USAGE_STATS_ENABLED=0
# pytest from the tests folder, so the installed package (not the source tree) is imported.
cd python/tests
started=$SECONDS
timeout 1800 "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
echo "python tests took $((SECONDS - started)) s"
