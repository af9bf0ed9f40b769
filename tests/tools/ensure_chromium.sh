#!/usr/bin/env bash
# The real-browser tests (tests/browser.py) drive Debian's Chromium through Playwright; nothing downloads a browser.
# Installs the `chromium` package when it is missing and we are root (CI, the project's machines); otherwise says how.
set -euo pipefail

chromium="${REDALERT_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<MSG
note: no Chromium at $chromium, so the browser tests will be skipped.
      Install it with: sudo apt-get install chromium   (Debian/Ubuntu)
      or point REDALERT_CHROMIUM at a Chromium or Chrome binary.
MSG
