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

# YOMIAGE_BIN: a yomiage binary already built (scripts/test.sh passes the test build's).
bin="${YOMIAGE_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --quiet --bin yomiage
  bin="$target/debug/yomiage"
fi
tmp="$(mktemp -d)"
log="$tmp/serve.log"
# Its own empty user dictionary, and no installs behind the test command's back.
YOMIAGE_AUTO_SETUP=0 YOMIAGE_USER_DICT="$tmp/user_dict.json" \
  "$bin" serve --port 0 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)"
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$log" >&2
    echo "yomiage serve exited before listening" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  cat "$log" >&2
  echo "yomiage serve did not start within 60 s" >&2
  exit 1
fi

echo "python clients against yomiage serve at $url"
"$venv/bin/python" server/tests/clients/check_clients.py "$url"
kill -TERM "$pid"
wait "$pid" # graceful shutdown exits 0
trap 'rm -rf "$tmp"' EXIT
