# Debian packages the build or setup need, installed only when missing (cmake: opusic-sys
# builds libopus from its bundled source; make: mp3lame-sys
# builds LAME with its configure script). Sourced by
# scripts/test.sh and scripts/yomiage.
need=()
for pkg in pkg-config libasound2-dev debian-archive-keyring make cmake; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing build prerequisites: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${need[@]}" >&2
fi
