#!/bin/bash
# bench/run.sh - every benchmark of issue 8 in one run, on SQLite and PostgreSQL, with the
# reference limits measured in the same run; writes the "Throughput (issue 8)" section of
# bench/RESULTS.md (other sections are kept) and leaves the raw numbers in $WORK.
#
#   bench/run.sh                 the full run (about 25 minutes)
#   RUNS=1 DUR=3 SCALE=20000 SOAK=30 BURST_MAX=64 bench/run.sh      a quick smoke run
#   THROUGHPUT=0 SOAK=0 BURST_MAX=0 APPEND=bench/last-results.jsonl bench/run.sh
#                                the queues and search at SCALE only, on SQLite and PostgreSQL
#                                (SCALE_ENGINES=sqlite: SQLite only); the other phases' numbers
#                                are taken over from APPEND
#
# Knobs (environment): RUNS (3) repetitions of the throughput set, medians reported;
# DUR (10) seconds per load step; CONNS (64) connections; OFFICERS (16) racing officer
# connections; THREADS (0, the default: a thread per connection) server http.threads; POOL (16) server db.pool_size;
# SCALE (1000000) dossiers for the queue / search step (0 skips); SOAK (600) seconds of the
# memory soak (0 skips); BURST_MAX (1024) largest connection burst (0 skips); PG (1) also
# PostgreSQL (needs its server binaries); OUT (bench/RESULTS.md); THROUGHPUT (1) runs the
# throughput set (0: only the later phases, their results added to APPEND, a results.jsonl of
# an earlier run, e.g. bench/last-results.jsonl: the lines of the phases this run repeats are
# dropped from it); SCALE_ENGINES (sqlite pgsql, or the one given) engines of the scale phase.
# Every load step is bounded in time (wrk -d) and every wait in count.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
DUR=${DUR:-10}
CONNS=${CONNS:-64}
OFFICERS=${OFFICERS:-16}
THREADS=${THREADS:-0}
POOL=${POOL:-16}
SCALE=${SCALE:-1000000}
SOAK=${SOAK:-600}
BURST_MAX=${BURST_MAX:-1024}
PG=${PG:-1}
THROUGHPUT=${THROUGHPUT:-1}
APPEND=${APPEND:-}
SCALE_ENGINES=${SCALE_ENGINES:-sqlite pgsql}
OUT=${OUT:-$ROOT/bench/RESULTS.md}
BUILD=$ROOT/build
BIN=$BUILD/tinhso
PREP="python3 $ROOT/bench/prep.py"
# not under /tmp/tinhso-*: test clean-ups on a shared machine may sweep those
WORK=$(mktemp -d /var/tmp/bench-run.XXXXXX)
RES=$WORK/results.jsonl
if [ -n "$APPEND" ]; then
	# keep the earlier run's lines of every phase this run does not repeat
	redo="x"
	[ "$SCALE" -gt 0 ] && redo="$redo\\|scale_load\\|queue_c\\|search_c\\|overdue_c\\|qsearch_c\\|views_c"
	[ "$BURST_MAX" -gt 0 ] && redo="$redo\\|bursts"
	[ "$SOAK" -gt 0 ] && redo="$redo\\|soak"
	grep -v "\"bench\": \"\\($redo\\)" "$APPEND" >"$RES" || true
fi
export BENCH_LUA=$ROOT/bench/lua
export TINHSO_PASSWORD_HASH_MEMORY_KIB=8192 TINHSO_PASSWORD_HASH_OPS=1
PIDS=()
PGDIR=""

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

cleanup() {
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	if [ -n "$PGDIR" ]; then
		"$ROOT/scripts/pg-test-cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true
		rmdir "$PGDIR" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }
ulimit -n 8192 2>/dev/null || true

log "build (release) into $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j 2 --target tinhso ref_sqlite ref_hello ref_pg >/dev/null

# record ENGINE BENCH RUN JSON: one line of results.jsonl
record() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[4]); d.update(engine=sys.argv[1], bench=sys.argv[2], run=int(sys.argv[3])); print(json.dumps(d))' \
		"$1" "$2" "$3" "$4" >>"$RES"
}

# wrk_step ENGINE BENCH RUN URL WRK_ARGS...: runs wrk, records its RESULT line
wrk_step() {
	local engine=$1 bench=$2 run=$3 url=$4
	shift 4
	local out
	out=$(wrk "$@" "$url" 2>&1) || { echo "$out" >&2; return 1; }
	local line
	line=$(grep '^RESULT ' <<<"$out" | head -n 1 | cut -c8-)
	[ -n "$line" ] || { echo "$out" >&2; return 1; }
	record "$engine" "$bench" "$run" "$line"
	log "$engine $bench run $run: $line"
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# start_server DB NAME: starts tinhso, sets SERVER_PID and BASE
start_server() {
	local db=$1 name=$2
	# the abuse limits stay on (their counting is part of the measured path) but far above
	# what one load generator's address sends in a window
	TINHSO_RATELIMIT_SUBMIT_IP=1000000 TINHSO_RATELIMIT_SUBMIT_ACCOUNT=1000000 \
		TINHSO_RATELIMIT_LOOKUP_IP=1000000 TINHSO_RATELIMIT_LOOKUP_ACCOUNT=1000000 \
		TINHSO_RATELIMIT_LOGIN_IP=1000000 TINHSO_RATELIMIT_LOGIN_ACCOUNT=1000000 \
		TINHSO_HTTP_THREADS=$THREADS TINHSO_DB_POOL_SIZE=$POOL TINHSO_LOG_LEVEL=warn \
		TINHSO_WEB_ROOT="$ROOT/web/static" TINHSO_ATTACH_DIR="$WORK/files-$name" \
		"$BIN" serve --database "$db" --listen 127.0.0.1:0 >"$WORK/$name.out" 2>"$WORK/$name.err" &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	local i=0
	until grep -q 'http://127.0.0.1:' "$WORK/$name.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || { cat "$WORK/$name.err" >&2; echo "bench: server did not start" >&2; exit 1; }
		kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; exit 1; }
		sleep 0.1
	done
	BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$name.out" | head -n 1)
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
}

# new_store ENGINE NAME DOSSIERS: prints the url of a fresh migrated demo store
new_store() {
	local engine=$1 name=$2 n=$3 db
	if [ "$engine" = sqlite ]; then
		db="sqlite:$WORK/$name.db"
	else
		db=$("$ROOT/scripts/pg-test-cluster.sh" createdb "$PGDIR" "$name" | tail -n 1)
	fi
	"$BIN" migrate --database "$db" >/dev/null 2>&1
	"$BIN" demo --database "$db" --password Demo-pass-2026 --dossiers "$n" >/dev/null 2>&1
	echo "$db"
}

# app_steps ENGINE RUN DB: submission, status lookup, officer actions on one server
app_steps() {
	local engine=$1 run=$2 db=$3 name="$1-r$2"
	start_server "$db" "$name"
	local pid=$SERVER_PID
	record "$engine" rss_idle "$run" "{\"rss_kib\": $(rss_kib "$pid")}"
	log "$engine rss idle: $(tail -n 1 "$RES")"
	export BENCH_ENV=$WORK/$name.lua
	$PREP env "$BASE" "$BENCH_ENV"
	# durable online submission; RSS sampled half-way
	(sleep $((DUR / 2)); rss_kib "$pid" >"$WORK/$name.rss") &
	local sampler=$!
	[ "$engine" = sqlite ] && $PREP writer "$BASE" >"$WORK/$name.writer"
	wrk_step "$engine" submit "$run" "$BASE" -t2 -c"$CONNS" -d"${DUR}s" -s "$BENCH_LUA/submit.lua"
	wait "$sampler"
	if [ "$engine" = sqlite ]; then
		# the writer's serial CPU per submission (the bound of the single SQLite writer)
		record "$engine" writer "$run" "$($PREP writer "$BASE" "$WORK/$name.writer")"
		log "$engine writer: $(tail -n 1 "$RES")"
	fi
	# the same spread over up to 50 receiving units (each unit's code sequence is a row)
	BENCH_SPREAD=1 wrk_step "$engine" submit_spread "$run" "$BASE" -t2 -c"$CONNS" -d"${DUR}s" -s "$BENCH_LUA/submit.lua"
	record "$engine" rss_load "$run" "{\"rss_kib\": $(cat "$WORK/$name.rss")}"
	log "$engine rss under load: $(tail -n 1 "$RES")"
	# public status lookup over the dossiers just submitted
	$PREP paths "$db" public 20000 "$WORK/$name.public" >/dev/null
	BENCH_PATHS=$WORK/$name.public wrk_step "$engine" status "$run" "$BASE" -t2 -c"$CONNS" -d"${DUR}s" -s "$BENCH_LUA/get.lua"
	# officer actions: pairs of connections race on the same dossiers
	$PREP codes "$db" 1 40000 "$WORK/$name.codes" >/dev/null # the counter officer's unit only
	BENCH_CODES=$WORK/$name.codes BENCH_CONNS=$OFFICERS wrk_step "$engine" officer "$run" "$BASE" \
		-t"$OFFICERS" -c"$OFFICERS" -d"${DUR}s" -s "$BENCH_LUA/officer.lua"
	local ok
	ok=$(tail -n 1 "$RES" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["s2xx"])')
	local check
	check=$($PREP check "$db" "$WORK/$name.codes" "$ok" "$OFFICERS") || true
	record "$engine" officer_check "$run" "$check"
	log "$engine officer check: $check"
	stop_server
}

# ---- the throughput set, RUNS times ------------------------------------------------------
if [ "$PG" = 1 ] && { [ "$THROUGHPUT" = 1 ] || { [ "$SCALE" -gt 0 ] && [[ " $SCALE_ENGINES " == *" pgsql "* ]]; }; }; then
	PGDIR=$(mktemp -d /tmp/tinhso-bench-pg.XXXXXX)
	"$ROOT/scripts/pg-test-cluster.sh" start "$PGDIR" >/dev/null
	PGURL=$(cat "$PGDIR/url")
fi

for run in $(seq 1 "$RUNS"); do
	[ "$THROUGHPUT" = 1 ] || break
	log "run $run of $RUNS"
	# raw SQLite pair: one per transaction, then batches of 100
	rm -f "$WORK/ref.db"*
	line=$("$BUILD/bench/ref_sqlite" "$WORK/ref.db" single "$DUR")
	record sqlite ref_single "$run" "$(python3 -c 'import json,sys; print(json.dumps({k: float(v) for k, v in (x.split("=") for x in sys.argv[1].split()[2:])}))' "$line")"
	rm -f "$WORK/ref.db"*
	line=$("$BUILD/bench/ref_sqlite" "$WORK/ref.db" batch "$DUR" 100)
	record sqlite ref_batch "$run" "$(python3 -c 'import json,sys; print(json.dumps({k: float(v) for k, v in (x.split("=") for x in sys.argv[1].split()[2:])}))' "$line")"
	rm -f "$WORK/ref.db"*
	log "raw sqlite: $(tail -n 2 "$RES" | tr '\n' ' ')"
	# hello-world libmicrohttpd server (epoll, thread pool of 2)
	# the file goes first: the background job truncates it only when it gets to run, and a
	# look before that would read the previous run's port
	rm -f "$WORK/hello.out"
	"$BUILD/bench/ref_hello" 0 2 >"$WORK/hello.out" &
	HPID=$!
	PIDS+=("$HPID")
	i=0
	hport=""
	until hport=$(sed -n 's/^listening \([0-9][0-9]*\)$/\1/p' "$WORK/hello.out" 2>/dev/null) && [ -n "$hport" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { log "ref_hello did not start"; exit 1; }; sleep 0.05
	done
	HURL="http://127.0.0.1:$hport/"
	wrk_step http hello128 "$run" "$HURL" -t2 -c128 -d"${DUR}s" -s "$BENCH_LUA/hello.lua"
	wrk_step http hello64 "$run" "$HURL" -t2 -c"$CONNS" -d"${DUR}s" -s "$BENCH_LUA/hello.lua"
	kill "$HPID"; wait "$HPID" 2>/dev/null || true
	# tinhso on SQLite
	db=$(new_store sqlite "s$run" 200)
	app_steps sqlite "$run" "$db"
	rm -f "$WORK/s$run.db"*
	if [ "$PG" = 1 ]; then
		line=$("$BUILD/bench/ref_pg" "$PGURL" "$DUR" 16)
		record pgsql ref_pg "$run" "$(python3 -c 'import json,sys; print(json.dumps({k: float(v) for k, v in (x.split("=") for x in sys.argv[1].split()[1:])}))' "$line")"
		log "raw pgsql: $line"
		db=$(new_store pgsql "bench_p$run" 200)
		app_steps pgsql "$run" "$db"
	fi
done

# ---- connection bursts 1..BURST_MAX ---------------------------------------------------------
if [ "$BURST_MAX" -gt 0 ]; then
	db=$(new_store sqlite burst 10)
	# one address opens every connection here: the per-address cap (http.max_connections_per_ip,
	# 512 by default: connections past it are closed at once) is off, as in api_bursts
	export TINHSO_HTTP_MAX_CONNECTIONS_PER_IP=0
	start_server "$db" burst
	unset TINHSO_HTTP_MAX_CONNECTIONS_PER_IP
	port=${BASE##*:}
	out=$($PREP burst 127.0.0.1 "$port" "$BURST_MAX") || true
	record sqlite bursts 1 "$out"
	log "bursts: $out"
	stop_server
fi

# ---- memory soak: submissions and lookups for SOAK seconds, RSS every SOAK/20 s -----------
if [ "$SOAK" -gt 0 ]; then
	db=$(new_store sqlite soak 200)
	start_server "$db" soak
	export BENCH_ENV=$WORK/soak.lua
	$PREP env "$BASE" "$BENCH_ENV"
	$PREP paths "$db" queue 100 "$WORK/soak.paths" >/dev/null
	idle=$(rss_kib "$SERVER_PID")
	wrk -t1 -c16 -d"${SOAK}s" -s "$BENCH_LUA/submit.lua" "$BASE" >"$WORK/soak.submit" 2>&1 &
	W1=$!
	BENCH_PATHS=$WORK/soak.paths BENCH_ROLE=specialist wrk -t1 -c16 -d"${SOAK}s" -s "$BENCH_LUA/get.lua" "$BASE" >"$WORK/soak.get" 2>&1 &
	W2=$!
	PIDS+=("$W1" "$W2")
	step=$((SOAK / 20)); [ "$step" -ge 1 ] || step=1
	samples=""
	for i in $(seq 1 20); do
		sleep "$step"
		samples="$samples${samples:+,}$(rss_kib "$SERVER_PID")"
	done
	wait "$W1" "$W2" || true
	sub=$(grep '^RESULT ' "$WORK/soak.submit" | cut -c8-)
	get=$(grep '^RESULT ' "$WORK/soak.get" | cut -c8-)
	record sqlite soak 1 "{\"seconds\": $SOAK, \"step_s\": $step, \"rss_idle_kib\": $idle, \"rss_kib\": [$samples], \"submit\": ${sub:-null}, \"queue\": ${get:-null}}"
	log "soak: idle $idle KiB, samples $samples"
	stop_server
fi

# ---- queues and search at SCALE dossiers ---------------------------------------------------
scale_steps() {
	local engine=$1 db=$2 name="$1-scale"
	$PREP scale "$db" "$SCALE" >"$WORK/$name.scale"
	record "$engine" scale_load 1 "$(cat "$WORK/$name.scale")"
	log "$engine scale: $(cat "$WORK/$name.scale")"
	start_server "$db" "$name"
	export BENCH_ENV=$WORK/$name.lua
	$PREP env "$BASE" "$BENCH_ENV"
	for k in queue overdue qsearch search views; do
		$PREP paths "$db" "$k" 100 "$WORK/$name.$k" >/dev/null
	done
	# work-queue pages and procedure search at 8 (officers at their desks) and CONNS
	# connections; then the overdue view, code searches and the other views (due soon,
	# assigned to me, overdue by status, queue counts) at 8
	for run in $(seq 1 "$RUNS"); do
		for c in 8 "$CONNS"; do
			for k in queue search; do
				BENCH_PATHS=$WORK/$name.$k BENCH_ROLE=specialist wrk_step "$engine" "${k}_c$c" "$run" "$BASE" \
					-t2 -c"$c" -d"${DUR}s" --timeout 10s -s "$BENCH_LUA/get.lua"
			done
		done
	done
	for run in $(seq 1 "$RUNS"); do
		for k in overdue qsearch views; do
			BENCH_PATHS=$WORK/$name.$k BENCH_ROLE=specialist wrk_step "$engine" "${k}_c8" "$run" "$BASE" \
				-t2 -c8 -d"${DUR}s" --timeout 30s -s "$BENCH_LUA/get.lua"
		done
	done
	stop_server
}
if [ "$SCALE" -gt 0 ]; then
	for engine in $SCALE_ENGINES; do
		if [ "$engine" = sqlite ]; then
			db=$(new_store sqlite scale 1000)
			scale_steps sqlite "$db"
			rm -f "$WORK/scale.db"*
		elif [ -n "$PGDIR" ]; then
			db=$(new_store pgsql bench_scale 1000)
			scale_steps pgsql "$db"
		fi
	done
fi

# ---- the report -------------------------------------------------------------------------------
python3 "$ROOT/bench/report.py" "$RES" "$OUT" \
	--runs "$RUNS" --dur "$DUR" --conns "$CONNS" --officers "$OFFICERS" --threads "$THREADS" \
	--pool "$POOL" --scale "$SCALE" --soak "$SOAK" --burst-max "$BURST_MAX" \
	--command "${BENCH_COMMAND:-bench/run.sh}"
if [ "$OUT" = "$ROOT/bench/RESULTS.md" ]; then
	# the raw numbers behind RESULTS.md, for bench/report.py; a run written elsewhere (OUT=...)
	# leaves them alone
	cp "$RES" "$ROOT/bench/last-results.jsonl"
	log "wrote $OUT (raw: $WORK, bench/last-results.jsonl)"
else
	log "wrote $OUT (raw: $RES)"
fi
