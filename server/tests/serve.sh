# Sourced by the scripts that drive a real `yomiage serve` (clients/run.sh, browser/run.sh).
# start_server: starts it on a free loopback port with its own empty user dictionary and no
# installs behind the test's back (YOMIAGE_BIN: a binary already built, else `cargo build`),
# waits until it listens and sets url, pid, tmp and log; an EXIT trap stops it whatever
# happens. stop_server_gracefully: SIGTERM, and its exit status must be 0.

start_server() {
  local bin="${YOMIAGE_BIN:-}"
  if [ -z "$bin" ]; then
    cargo build --quiet --bin yomiage
    bin="${CARGO_TARGET_DIR:-target}/debug/yomiage"
  fi
  tmp="$(mktemp -d)"
  log="$tmp/serve.log"
  YOMIAGE_AUTO_SETUP=0 YOMIAGE_USER_DICT="$tmp/user_dict.json" \
    "$bin" serve --port 0 2>"$log" &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

  url=""
  for _ in $(seq 1 600); do
    url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)"
    [ -n "$url" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "yomiage serve exited before listening" >&2
      exit 1
    fi
    sleep 0.1
  done
  cat "$log" >&2
  echo "yomiage serve did not start within 60 s" >&2
  exit 1
}

stop_server_gracefully() {
  kill -TERM "$pid"
  wait "$pid" # graceful shutdown exits 0
  trap 'rm -rf "$tmp"' EXIT
}
