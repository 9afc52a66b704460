#!/bin/sh
# valgrind-api.sh - runs the API suite (tests/api/test_api.py, SQLite) with the server
# (`tinhso serve`) under valgrind memcheck; the setup commands (migrate, demo ...) run
# natively, being minutes under valgrind. A memory error or a definite leak makes the server
# exit 99, which the suite reports (its exit code is checked at the end), and every report
# is read again below. Usage: scripts/valgrind-api.sh BUILD_DIR [test names...]; logs in BUILD_DIR/valgrind/.
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:?usage: valgrind-api.sh BUILD_DIR [tests...]}
shift
LOGS="$PWD/$BUILD/valgrind"
rm -rf "$LOGS"
mkdir -p "$LOGS"
WRAP="$PWD/$BUILD/tinhso-valgrind"
cat >"$WRAP" <<WRAPPER
#!/bin/sh
[ "\$1" = serve ] || exec "$PWD/$BUILD/tinhso" "\$@"
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \\
	--errors-for-leak-kinds=definite --num-callers=30 --log-file="$LOGS/%p.log" \\
	"$PWD/$BUILD/tinhso" "\$@"
WRAPPER
chmod +x "$WRAP"
status=0
TS_BIN="$WRAP" TS_SOURCE_DIR="$PWD" TS_TEST_ENGINE=sqlite TS_CLIENT_TIMEOUT=600 \
	python3 tests/api/test_api.py "$@" || status=$?
# every process's report: errors or definite leaks fail the run even if a test missed them
bad=$(grep -l -E "ERROR SUMMARY: [1-9]|definitely lost: [1-9]" "$LOGS"/*.log 2>/dev/null || true)
if [ -n "$bad" ]; then
	echo "valgrind: reports in:" $bad >&2
	for f in $bad; do grep -A30 -m1 -E "Invalid|uninitialised|definitely lost" "$f" >&2 || true; done
	status=1
fi
n=$(ls "$LOGS" | wc -l)
[ "$status" -eq 0 ] && echo "valgrind: $n server runs under memcheck, no memory errors, no definite leaks"
exit "$status"
