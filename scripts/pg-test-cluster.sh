#!/bin/bash
# pg-test-cluster.sh - a throwaway PostgreSQL cluster for the tests (CTest fixture "pg").
#   start DIR           initdb a fresh cluster in a mktemp dir, start it on a free
#                       127.0.0.1 port, write DIR/url and DIR/state
#   stop DIR            stop that cluster and remove its temp dir
#   createdb DIR NAME   (re)create database NAME, print its url
#   pause DIR           stop that cluster's server, keeping its data, port and url
#   resume DIR          start the paused server again on the same port
# Only ever touches the cluster recorded in DIR/state. As root, the server runs as the
# postgres user; as anyone else, as that user.
set -eu

die() { echo "pg-test-cluster: $*" >&2; exit 1; }

pg_bindir() {
	for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -n -r); do
		if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then
			echo "/usr/lib/postgresql/$v/bin"
			return 0
		fi
	done
	p=$(command -v pg_ctl 2>/dev/null) || die "no PostgreSQL server binaries found (apt-get install postgresql)"
	dirname "$p"
}

# Runs a server binary as the cluster owner.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

state_get() { # KEY FILE
	sed -n "s/^$1=//p" "$2" | head -n 1
}

# A loopback TCP port nobody listens on (the server start is retried if we lose a race). Drawn
# below the kernel's ephemeral range, so the many outgoing connections of the load tests running
# beside us cannot hold it.
free_port() {
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	i=0
	while [ $i -lt 200 ]; do
		port=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (lo - 10000) ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			if ! ss -ltnH 2>/dev/null | awk '{print $4}' | grep -q ":$port\$"; then
				echo "$port"
				return 0
			fi
		fi
		i=$((i + 1))
	done
	die "no free loopback port found"
}

is_ours() { # TMPDIR: only remove what this script created
	case "$1" in
	/tmp/tinhso-pg.*) [ -d "$1" ] ;;
	*) return 1 ;;
	esac
}

running() { # TMPDIR
	[ -f "$1/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

cmd_stop() {
	dir=$1
	[ -f "$dir/state" ] || { echo "pg-test-cluster: nothing to stop in $dir"; return 0; }
	tmp=$(state_get tmp "$dir/state")
	if is_ours "$tmp"; then
		if running "$tmp"; then
			as_owner "$BIN/pg_ctl" -D "$tmp/data" -m fast -w -t 30 stop >/dev/null ||
				echo "pg-test-cluster: pg_ctl stop failed" >&2
		fi
		rm -rf "$tmp"
	fi
	rm -f "$dir/state" "$dir/url"
	echo "pg-test-cluster: stopped ($tmp)"
}

cmd_start() {
	dir=$1
	mkdir -p "$dir"
	if [ -f "$dir/state" ]; then
		tmp=$(state_get tmp "$dir/state")
		if is_ours "$tmp" && running "$tmp" && [ -f "$dir/url" ]; then
			echo "pg-test-cluster: already running: $(cat "$dir/url")"
			return 0
		fi
		cmd_stop "$dir" >/dev/null
	fi
	tmp=$(mktemp -d /tmp/tinhso-pg.XXXXXX)
	printf 'tmp=%s\n' "$tmp" >"$dir/state"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$tmp"
	fi
	as_owner "$BIN/initdb" -D "$tmp/data" -U postgres -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=trust >"$tmp/initdb.log" 2>&1 ||
		{ cat "$tmp/initdb.log" >&2; die "initdb failed"; }
	tries=0
	while :; do
		port=$(free_port)
		# -w: waits for readiness and fails at once if the server exits (port taken)
		if as_owner "$BIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp" \
			start >/dev/null; then
			i=0
			until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; do
				i=$((i + 1))
				[ $i -lt 30 ] || break
				sleep 1
			done
			if [ $i -lt 30 ]; then
				break
			fi
			as_owner "$BIN/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
		fi
		tries=$((tries + 1))
		if [ $tries -ge 8 ]; then
			tail -n 20 "$tmp/server.log" >&2 2>/dev/null || true
			die "server did not start"
		fi
	done
	printf 'tmp=%s\nport=%s\n' "$tmp" "$port" >"$dir/state"
	echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
	echo "pg-test-cluster: started on 127.0.0.1:$port ($tmp)"
}

# The server of a started cluster stopped and started again on its port (tests of a node
# started while the database is down). The port may be taken meanwhile: resume then fails.
cmd_pause() {
	dir=$1
	[ -f "$dir/state" ] || die "no cluster in $dir (run: $0 start $dir)"
	tmp=$(state_get tmp "$dir/state")
	is_ours "$tmp" || die "not a cluster of this script: '$tmp'"
	if running "$tmp"; then
		as_owner "$BIN/pg_ctl" -D "$tmp/data" -m fast -w -t 30 stop >/dev/null || die "pg_ctl stop failed"
	fi
	echo "pg-test-cluster: paused ($tmp)"
}

cmd_resume() {
	dir=$1
	[ -f "$dir/state" ] || die "no cluster in $dir (run: $0 start $dir)"
	tmp=$(state_get tmp "$dir/state")
	port=$(state_get port "$dir/state")
	is_ours "$tmp" && [ -n "$port" ] || die "not a started cluster of this script: '$tmp'"
	running "$tmp" && { echo "pg-test-cluster: already running"; return 0; }
	as_owner "$BIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp" \
		start >/dev/null || { tail -n 20 "$tmp/server.log" >&2 2>/dev/null; die "server did not start again on port $port"; }
	echo "pg-test-cluster: resumed on 127.0.0.1:$port ($tmp)"
}

cmd_createdb() {
	dir=$1 name=$2
	case "$name" in
	'' | *[!a-z0-9_]*) die "database name must be [a-z0-9_]+: '$name'" ;;
	esac
	[ -f "$dir/url" ] || die "no cluster in $dir (run: $0 start $dir)"
	url=$(cat "$dir/url")
	psql="$BIN/psql"
	[ -x "$psql" ] || psql=psql
	tries=0
	until "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" \
		-c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
		-c "CREATE DATABASE $name TEMPLATE template0 ENCODING 'UTF8'" >/dev/null; do
		tries=$((tries + 1))
		[ $tries -lt 3 ] || die "cannot create database '$name'"
		sleep 1
	done
	echo "${url%/*}/$name"
}

[ $# -ge 2 ] || die "usage: $0 start DIR | stop DIR | pause DIR | resume DIR | createdb DIR NAME"
BIN=$(pg_bindir)
case "$1" in
start) cmd_start "$2" ;;
stop) cmd_stop "$2" ;;
pause) cmd_pause "$2" ;;
resume) cmd_resume "$2" ;;
createdb)
	[ $# -ge 3 ] || die "usage: $0 createdb DIR NAME"
	cmd_createdb "$2" "$3"
	;;
*) die "unknown command '$1'" ;;
esac
