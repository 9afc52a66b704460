#!/bin/sh
# build.sh - installs the UI's npm packages exactly as locked (npm ci, only when the lock file
# changed since the last install) and builds web/dist with Vite. Used by `make run`,
# `make test` and the web_build CTest fixture.
set -eu
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "web: node and npm are missing; run scripts/install-deps.sh" >&2
	exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json .lock-installed 2>/dev/null; then
	npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json .lock-installed
fi
npm run --silent build
