#!/usr/bin/env bash
# The whole test suite, from a fresh clone: build prerequisites, assets, then every test.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
# A one-off build gains nothing from incremental caches, which roughly double the target dir.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Debian packages the build or setup need (only installed when missing).
source scripts/prereqs.sh

# Assets: fetched, verified and built by the project itself (idempotent). The build first,
# with cargo's progress: on a fresh clone it takes minutes.
echo "building yomiage (debug, for set-up and the tests)…" >&2
cargo build --bin yomiage
cargo run --quiet -- setup

# The HTTP server driven by real client libraries from PyPI (OpenAI SDK, voicevox-client).
./server/tests/clients/run.sh

cargo test --workspace --all-targets 2>&1
