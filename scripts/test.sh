#!/usr/bin/env bash
# The whole test suite, from a fresh clone: build prerequisites, assets, then every test.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build or setup need (only installed when missing).
need=()
for pkg in pkg-config debian-archive-keyring; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing build prerequisites: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q "${need[@]}"
fi

# Assets: fetched, verified and built by the project itself (idempotent).
cargo run --quiet -- setup

# The HTTP server driven by real client libraries from PyPI (OpenAI SDK, voicevox-client).
./server/tests/clients/run.sh

cargo test --workspace --all-targets 2>&1
