#!/usr/bin/env bash
# The e2e tests drive Debian's chromium (Playwright's browser downloads are not available
# here). Installs it when missing and we can; otherwise says how.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing Debian chromium for the browser tests…"
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
	exit 0
fi
echo "The browser tests need Chromium at $chromium: run 'sudo apt-get install chromium'," >&2
echo "or set CHROMIUM_PATH to a Chromium/Chrome binary." >&2
exit 1
