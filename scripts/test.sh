#!/usr/bin/env bash
# The whole test suite, from a fresh clone: build prerequisites, assets, then every test.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
# A one-off build gains nothing from incremental caches, which roughly double the target dir.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
target="${CARGO_TARGET_DIR:-target}"

# Debian packages the build or setup need, and the browser test's (only installed when
# missing).
prereqs_browser=1
source scripts/prereqs.sh

# One build, the test build, for everything below: every test binary (the integration tests
# are one binary per crate, see yomiage-testkit), the benchmarks and examples (compiled and
# linked so they cannot rot; in test mode they only print how to run them), and the `yomiage`
# binary the tests run. Set-up and the client check use that same binary: a separate `cargo
# run`/`cargo build` would compile the workspace a second time (other profile, other features).
cargo test --workspace --all-targets --no-run
yomiage="$target/debug/yomiage"

# Assets: fetched, verified and built by the project itself (idempotent).
"$yomiage" setup

# The HTTP server driven by real client libraries from PyPI (OpenAI SDK, voicevox-client).
YOMIAGE_BIN="$yomiage" ./server/tests/clients/run.sh

# The accent editor and the talk view in Debian's chromium (playwright-core from npm).
YOMIAGE_BIN="$yomiage" ./server/tests/browser/run.sh

# The Python package (PyO3 wheel built by maturin into the same target directory) with
# pytest, and `yomiage-library` on a two-node Ray cluster on loopback.
YOMIAGE_BIN="$yomiage" ./python/tests/run.sh

cargo test --workspace --all-targets 2>&1

# The training scripts' own tests (plain Python, no packages).
python3 -m unittest discover -s scripts/tests

# The server soak, two minutes: `yomiage serve` under 32 mixed clients (benches/soak/; fails on
# a 5xx other than 503, an unanswered request, a panic, or open files/threads growing; prints
# memory). Its test build is already built above; `cargo bench --bench soak` is the 10-minute run.
soak=$(cargo test -p yomiage --bench soak --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "soak" and m.get("executable"):
        print(m["executable"])')
SOAK_SECONDS="${SOAK_SECONDS:-120}" SOAK_CLIENTS="${SOAK_CLIENTS:-32}" "$soak"
