#!/bin/sh
# install-deps.sh - installs the Debian 12 packages tinhso needs to build, run and test,
# only those missing (idempotent). Needs root (or sudo) when something is missing. (wrk: the
# load generator of bench/run.sh.)
set -eu
PKGS="build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
libsodium-dev liboath-dev libcurl4-openssl-dev libcmocka-dev postgresql sqlite3 python3 curl ca-certificates
libmagic-dev libcairo2-dev libpango1.0-dev libqrencode-dev libxlsxwriter-dev libunistring-dev fonts-dejavu-core
poppler-utils zbar-tools chromium wrk clang valgrind
libsystemd-dev debhelper dpkg-dev rsync nginx openssl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# the web UI is built with node and npm (Debian's nodejs + npm; another node install that
# already provides both commands is used as it is, since its npm conflicts with Debian's)
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
