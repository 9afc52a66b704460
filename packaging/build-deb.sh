#!/bin/sh
# build-deb.sh - builds the Debian package with dpkg-buildpackage in a staged copy of the
# tree (packaging/debian becomes debian/, the unit from packaging/systemd joins it), so the
# working tree stays clean. Used by `make deb`.
#   packaging/build-deb.sh [STAGE_DIR] [VERSION]
# VERSION (optional) adds a changelog entry, for upgrade tests (with TS_DEB_OVERLAY below). The stage keeps its object
# folder between runs, so a second build recompiles only what changed. Prints the .deb path.
set -eu
top="$(cd "$(dirname "$0")/.." && pwd)"
stage="${1:-$top/build-deb}"
version="${2:-}"
[ -f "$top/web/dist/index.html" ] || { echo "build-deb: web/dist is not built (make web)" >&2; exit 1; }
mkdir -p "$stage/src"
stage="$(cd "$stage" && pwd)"
src="$stage/src"
# the source as it is in the working tree (also uncommitted edits), without build outputs
rsync -a --delete --exclude '/.git' --exclude '/build' --exclude '/build-*' --exclude '/var' \
	--exclude 'node_modules' --exclude '/obj-*' --exclude '/debian' "$top/" "$src/"
rsync -a --delete "$top/packaging/debian/" "$src/debian/"
cp "$top/packaging/systemd/tinhso.service" "$src/debian/tinhso.service"
# tests only: TS_DEB_OVERLAY=DIR is copied over the staged source (e.g. an extra migration)
if [ -n "${TS_DEB_OVERLAY:-}" ]; then
	cp -R "$TS_DEB_OVERLAY"/. "$src"/
fi
if [ -n "$version" ]; then
	{
		printf 'tinhso (%s) bookworm; urgency=medium\n\n  * Build %s.\n\n' "$version" "$version"
		printf ' -- tinhso developers <tinhso@localhost>  %s\n\n' "$(date -R)"
		cat "$top/packaging/debian/changelog"
	} >"$src/debian/changelog"
fi
version="$(cd "$src" && dpkg-parsechangelog -S Version)"
arch="$(dpkg-architecture -qDEB_HOST_ARCH)"
rm -f "$stage"/tinhso_*"$arch".deb "$stage"/tinhso-dbgsym_*.deb
(cd "$src" && dpkg-checkbuilddeps && dpkg-buildpackage -b -us -uc -nc -j2 >"$stage/build.log" 2>&1) || {
	tail -40 "$stage/build.log" >&2
	exit 1
}
echo "$stage/tinhso_${version}_${arch}.deb"
