#!/usr/bin/env bash
# The editor and talk view in a real browser: Debian's chromium driven by playwright-core
# (pinned in package-lock.json, installed with `npm ci`; it downloads no browser) against a
# real `yomiage serve` on a free loopback port. Screenshots are kept in
# $CARGO_TARGET_DIR/browser/. Fails (non-zero) on any failed check; the server is stopped
# whatever happens, and the whole run is bounded in time. Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../../.."

target="${CARGO_TARGET_DIR:-target}"
here=server/tests/browser
artifacts="$target/browser"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "browser test: $chromium is missing (scripts/prereqs.sh installs it)" >&2; exit 1; }
command -v npm >/dev/null || { echo "browser test: npm is missing (scripts/prereqs.sh installs it)" >&2; exit 1; }
"$chromium" --version 2>/dev/null | grep -v '^\s*$' >&2 || true

# playwright-core, exactly as locked (reinstalled only when the lock file changed).
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.yomiage-lock" 2>/dev/null; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$here/node_modules/.yomiage-lock"
fi

# A real server with its own empty user dictionary (the test adds a word).
source server/tests/serve.sh
start_server

echo "browser test (chromium + playwright-core) against yomiage serve at $url"
rm -rf "$artifacts"
status=0
CHROMIUM="$chromium" timeout --kill-after=10 "${BROWSER_TEST_TIMEOUT:-420}" \
  node "$here/browser.test.mjs" "$url" "$artifacts" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- yomiage serve log ---" >&2
  tail -n 40 "$log" >&2
  [ "$status" -eq 124 ] && echo "browser test: timed out" >&2
  echo "browser test FAILED (exit $status); screenshots in $artifacts" >&2
  exit "$status"
fi
stop_server_gracefully
