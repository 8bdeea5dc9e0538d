#!/usr/bin/env bash
# The e2e tests drive Debian's chromium (Playwright's browser downloads are not available
# here). When it is missing and we run as root on a Debian-like system, installs exactly the
# chromium package and what it depends on, after saying which packages that is; it never
# upgrades anything else. Otherwise says how to install it.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
manual() {
	echo "The browser tests need Chromium at $chromium: run 'sudo apt-get install --no-install-recommends chromium'," >&2
	echo "or set CHROMIUM_PATH to a Chromium/Chrome binary." >&2
	exit 1
}
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then manual; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
	echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
	exit 1
fi

echo "The browser tests need Chromium, which is not installed. Reading the Debian package lists (apt-get update)…"
apt-get update -qq
# A dry run first: which packages `apt-get install chromium` would add, and which installed ones
# it would have to upgrade because chromium needs newer versions of them.
plan="$(apt-get install -s --no-install-recommends chromium)" || { echo "$plan" >&2; manual; }
new="$(awk '$1 == "Inst" && $3 !~ /^\[/ { print $2 }' <<<"$plan" | tr '\n' ' ')"
upgraded="$(awk '$1 == "Inst" && $3 ~ /^\[/ { print $2 }' <<<"$plan" | tr '\n' ' ')"
echo "Installing chromium with apt-get (no recommended packages, nothing else upgraded):"
echo "  new packages: ${new:-none}"
[ -n "$upgraded" ] && echo "  upgraded because chromium needs newer versions: $upgraded"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
[ -x "$chromium" ] || { echo "apt-get installed chromium, but $chromium is still missing." >&2; exit 1; }
