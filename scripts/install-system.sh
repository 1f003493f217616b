#!/usr/bin/env bash
# Install the Debian packages the planner needs: Qt's runtime libraries, a CJK font,
# and (with --test) Chromium for the map tests. Only missing packages are installed.
set -euo pipefail

packages=(
  # Qt widgets (offscreen and on a desktop)
  libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
  # QtWebEngine (the map view)
  libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 libnss3 libxkbfile1
  # Qt on a real X display
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
  # Chinese glyphs in the GUI, maps and reports
  fonts-noto-cjk
  # headless browser: map tests and PDF reports
  chromium
)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present" >&2
  exit 0
fi
echo "system packages to install: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
