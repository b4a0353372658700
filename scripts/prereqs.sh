# Debian packages the build or setup need, installed only when missing (cmake: opusic-sys
# builds libopus from its bundled source; make: mp3lame-sys builds LAME with its configure
# script), and those of the browser test. Sourced by
# scripts/test.sh and scripts/yomiage.
need=()
for pkg in pkg-config libasound2-dev make cmake; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
# The test command's browser test (server/tests/browser): Debian's chromium, a Japanese font
# for its screenshots, and Node.js with npm for playwright-core. scripts/test.sh sets
# prereqs_browser=1; `scripts/yomiage` needs none of it.
if [ "${prereqs_browser:-0}" = 1 ]; then
  for pkg in chromium fonts-ipafont-gothic; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing build prerequisites: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${need[@]}" >&2
fi
