#!/usr/bin/env bash
# The browser tests (tests/browser) drive Debian's headless Chromium through Playwright
# (docs/adr/0008-browser-tests-with-playwright-and-debian-chromium.md). Installs it when
# missing, like check-monitoring.sh installs promtool (CI runs as root).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing headless Chromium (Debian: chromium)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
else
  echo "Chromium missing: apt-get install chromium (the browser tests need /usr/bin/chromium)" >&2
  exit 1
fi
