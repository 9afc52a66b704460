#!/bin/bash
# bench/pg_waits.sh - what PostgreSQL submissions wait on: the durable online submission load
# of bench/run.sh (wrk, submit.lua, one receiving unit, then BENCH_SPREAD=1) against a server
# on a throw-away cluster, while pg_stat_activity of the server's sessions is sampled every
# 0.2 s (wait_event_type:wait_event, "CPU" when none, and the statement's start) and
# pg_locks is counted (granted / waiting, by lock type and relation). Prints wrk's RESULT
# lines, the load average and the most frequent samples. Every step is bounded (wrk -d).
#
#   bench/pg_waits.sh                 DUR (10) s per step, CONNS (64), POOL (16), THREADS (0)
#   ENGINES="pgsql sqlite" bench/pg_waits.sh    the same steps on SQLite too (no samples)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-10}
CONNS=${CONNS:-64}
POOL=${POOL:-16}
THREADS=${THREADS:-0}
ENGINES=${ENGINES:-pgsql}
BIN=${BIN:-$ROOT/build/tinhso}
WORK=$(mktemp -d /var/tmp/pg-waits.XXXXXX)
PGDIR=""
SERVER_PID=""
export BENCH_LUA=$ROOT/bench/lua
export TINHSO_PASSWORD_HASH_MEMORY_KIB=8192 TINHSO_PASSWORD_HASH_OPS=1

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	if [ -n "$PGDIR" ]; then
		"$ROOT/scripts/pg-test-cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true
		rmdir "$PGDIR" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 8192 2>/dev/null || true

psql_of() { # URL SQL
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- psql -XAtq "$1" -c "$2"; else psql -XAtq "$1" -c "$2"; fi
}

# sample URL STOPFILE OUT: pg_stat_activity and pg_locks every 0.2 s until STOPFILE exists
sample() {
	local url=$1 stop=$2 out=$3 n=0
	while [ ! -e "$stop" ] && [ $n -lt $((DUR * 10)) ]; do
		psql_of "$url" "SELECT 'wait ' || coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' | ' || left(regexp_replace(query, '\s+', ' ', 'g'), 60) FROM pg_stat_activity WHERE application_name = 'tinhso' AND state NOT IN ('idle') UNION ALL SELECT 'lock ' || CASE WHEN l.granted THEN 'granted ' ELSE 'WAITING ' END || l.locktype || ' ' || l.mode || ' ' || coalesce(c.relname, '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid LEFT JOIN pg_class c ON c.oid = l.relation WHERE a.application_name = 'tinhso' AND (NOT l.granted OR l.locktype = 'transactionid')" >>"$out" 2>/dev/null || true
		echo "--" >>"$out"
		n=$((n + 1))
		sleep 0.2 # a sampling period, not a synchronisation
	done
}

step() { # ENGINE NAME URL BASE [env...]
	local engine=$1 name=$2 url=$3 base=$4
	shift 4
	local stop=$WORK/$name.stop out=$WORK/$name.samples sp=""
	if [ "$engine" = pgsql ]; then
		sample "$url" "$stop" "$out" &
		sp=$!
	fi
	echo "== $engine $name $(uptime | sed 's/.*load/load/')"
	env "$@" wrk -t2 -c"$CONNS" -d"${DUR}s" -s "$BENCH_LUA/submit.lua" "$base" 2>&1 | grep '^RESULT'
	touch "$stop"
	if [ -n "$sp" ]; then
		wait "$sp"
		echo "samples: $(grep -c '^--' "$out")"
		grep -v '^--' "$out" | sort | uniq -c | sort -rn | head -n 14
	fi
}

for engine in $ENGINES; do
	if [ "$engine" = pgsql ]; then
		PGDIR=$(mktemp -d /var/tmp/pg-waits-pg.XXXXXX)
		"$ROOT/scripts/pg-test-cluster.sh" start "$PGDIR" >/dev/null
		db=$("$ROOT/scripts/pg-test-cluster.sh" createdb "$PGDIR" waits | tail -n 1)
	else
		db="sqlite:$WORK/waits.db"
	fi
	"$BIN" migrate --database "$db" >/dev/null 2>&1
	"$BIN" demo --database "$db" --password Demo-pass-2026 --dossiers 200 >/dev/null 2>&1
	TINHSO_RATELIMIT_SUBMIT_IP=1000000 TINHSO_RATELIMIT_SUBMIT_ACCOUNT=1000000 \
		TINHSO_RATELIMIT_LOGIN_IP=1000000 TINHSO_RATELIMIT_LOGIN_ACCOUNT=1000000 \
		TINHSO_HTTP_THREADS=$THREADS TINHSO_DB_POOL_SIZE=$POOL TINHSO_LOG_LEVEL=warn \
		TINHSO_WEB_ROOT="$ROOT/web/static" TINHSO_ATTACH_DIR="$WORK/files-$engine" \
		"$BIN" serve --database "$db" --listen 127.0.0.1:0 >"$WORK/$engine.out" 2>"$WORK/$engine.err" &
	SERVER_PID=$!
	i=0
	until grep -q 'http://127.0.0.1:' "$WORK/$engine.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || { cat "$WORK/$engine.err" >&2; exit 1; }
		kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$engine.err" >&2; exit 1; }
		sleep 0.1 # waiting for the server's first line, bounded
	done
	base=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$engine.out" | head -n 1)
	export BENCH_ENV=$WORK/$engine.lua
	python3 "$ROOT/bench/prep.py" env "$base" "$BENCH_ENV"
	step "$engine" submit "$db" "$base" BENCH_SPREAD=0
	step "$engine" submit_spread "$db" "$base" BENCH_SPREAD=1
	# the checks once the server has stopped: requests wrk gave up on (socket_errors) may
	# still be committing, and the recount's comparison must not race them
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=""
	echo "== stats recount --check: $("$BIN" stats recount --check --database "$db" 2>&1 | tail -n 1)"
	echo "== audit verify: $("$BIN" audit verify --database "$db" 2>&1 | tail -n 1)"
	if [ -n "$PGDIR" ]; then
		"$ROOT/scripts/pg-test-cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true
		rmdir "$PGDIR" 2>/dev/null || true
		PGDIR=""
	fi
done
rm -rf "$WORK"
