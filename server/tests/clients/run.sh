#!/usr/bin/env bash
# Drives `yomiage serve` with real client libraries from PyPI (the OpenAI SDK and
# voicevox-client, pinned in requirements.txt, in a private venv under the target directory)
# and checks that real audio comes back; then stops the server with SIGTERM and expects a
# clean exit. Called by scripts/test.sh after set-up.
set -euo pipefail
cd "$(dirname "$0")/../../.."

target="${CARGO_TARGET_DIR:-target}"
venv="$target/pyclients"
req=server/tests/clients/requirements.txt
scripts/venv.sh "$venv" "$req"

source server/tests/serve.sh
start_server

echo "python clients against yomiage serve at $url"
"$venv/bin/python" server/tests/clients/check_clients.py "$url"
stop_server_gracefully
