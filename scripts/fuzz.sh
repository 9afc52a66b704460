#!/bin/sh
# fuzz.sh - builds the libFuzzer harnesses (tests/fuzz) with clang into build-fuzz/ and runs
# each one for FUZZ_SECONDS (default 8; `make fuzz FUZZ_SECONDS=600` for a long run) over a
# scratch copy of its committed seed corpus, so the run never rewrites the committed seeds.
# Any crash, leak, sanitizer report, timeout (10 s per input) or out-of-memory fails it; the
# reproducer is kept in build-fuzz/artifacts/. Usage: scripts/fuzz.sh [harness...]
set -eu
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-8}
JOBS=${JOBS:-2}
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (apt-get install clang)" >&2; exit 1; }
CC=$CC cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTS_FUZZ=ON -DTS_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target fuzz_all >/dev/null
harnesses=${*:-"router query json_spec calendar catalog_csv catalog_json form_data request cookies multipart"}
mkdir -p "$BUILD/artifacts"
failed=""
for h in $harnesses; do
	work="$BUILD/corpus-work/$h"
	rm -rf "$work"
	mkdir -p "$work"
	seeds=tests/fuzz/corpus/$h
	[ -d "$seeds" ] && cp -r "$seeds/." "$work/"
	dict=""
	[ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
	printf 'fuzz %-14s %ss ... ' "$h" "$SECONDS_EACH"
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	   "$BUILD/tests/fuzz/fuzz_$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
	   -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$h-" $dict "$work" \
	   >"$BUILD/fuzz_$h.log" 2>&1; then
		grep -E '^stat::number_of_executed_units' "$BUILD/fuzz_$h.log" | sed 's/.*: */runs /' | tr '\n' ' '
		echo ok
	else
		echo "FAILED (see $BUILD/fuzz_$h.log)"
		tail -40 "$BUILD/fuzz_$h.log" >&2
		failed="$failed $h"
	fi
done
[ -z "$failed" ] || { echo "fuzz: failed:$failed" >&2; exit 1; }
