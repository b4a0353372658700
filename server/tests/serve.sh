# Sourced by the scripts that drive a real `yomiage serve` (clients/run.sh, browser/run.sh).
# start_server: starts it on a free loopback port with its own empty user dictionary and no
# installs behind the test's back (YOMIAGE_BIN: a binary already built, else `cargo build`),
# waits until it listens and /health says it is ready, and sets url, pid, tmp and log; an EXIT trap stops it whatever
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
    [ -n "$url" ] && { wait_ready; return 0; }
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

# Ready means ready: tests start once /health says every voice is warm (the first start on a
# machine calibrates each voice's streaming once, about 15 s each).
wait_ready() {
  python3 - "$url" <<'PY' || { cat "$log" >&2; exit 1; }
import json, sys, time, urllib.error, urllib.request
start = time.monotonic()
while time.monotonic() - start < 600:
    try:
        with urllib.request.urlopen(sys.argv[1] + "/health", timeout=5) as r:
            print(f"yomiage serve ready after {time.monotonic() - start:.1f} s: {json.load(r)}")
            sys.exit(0)
    except urllib.error.HTTPError as e:
        assert e.code == 503, f"/health answered {e.code}"
    time.sleep(0.5)
sys.exit("yomiage serve did not become ready within 600 s")
PY
}

stop_server_gracefully() {
  kill -TERM "$pid"
  wait "$pid" # graceful shutdown exits 0
  trap 'rm -rf "$tmp"' EXIT
}
