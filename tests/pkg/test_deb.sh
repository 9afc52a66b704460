#!/bin/sh
# test_deb.sh - the Debian package on this machine, for real (needs root):
#   1. build version A (the tree as it is) with packaging/build-deb.sh, `apt-get install` it:
#      user, state folder, conffile, man pages, unit (systemd-analyze verify), first store;
#      start the service (systemd when it is PID 1, otherwise the packaged binary as the
#      tinhso user with the packaged config), /readyz, stop;
#   2. load data, keep A serving, upgrade to B (A + one new migration): backup first,
#      migration applied, data and audit chain intact, the new binary serves;
#   3. upgrade to C (B + a failing migration) while B serves: the upgrade fails, the store
#      stays at B's schema, B keeps serving, reinstalling B recovers;
#   4. with the test PostgreSQL cluster (TS_PG_DIR): A then B on a PostgreSQL store, the
#      backup taken with pg_dump before the migration;
#   5. `apt-get purge`: nothing of the package is left.
# Env: TS_SOURCE_DIR (the tree), TS_WORK (scratch folder; default a temporary one).
# Skipped (77) without root, with CI=true, or when a tinhso package is installed already.
set -eu

src="${TS_SOURCE_DIR:?TS_SOURCE_DIR is not set}"
work="${TS_WORK:-$(mktemp -d)}"
mkdir -p "$work"
CONF=/etc/tinhso/tinhso.conf
STATE=/var/lib/tinhso
step() { printf '\n== %s\n' "$*"; }
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "SKIP: the package test needs root"; exit 77; }
# 3 to 6 minutes on 2 shared cores (three package builds, two demo loads): not in CI runs
[ "${CI:-}" != true ] || { echo "SKIP: CI=true (run it with CI unset)"; exit 77; }
if dpkg-query -W -f='${Status}' tinhso 2>/dev/null | grep -q installed; then
	echo "SKIP: a tinhso package is already installed on this machine; not touching it"
	exit 77
fi
if [ -d /run/systemd/system ]; then SYSTEMD=1; else SYSTEMD=0; fi

server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	# leave the machine as we found it
	if dpkg-query -W -f='${Status}' tinhso 2>/dev/null | grep -q "install\|config"; then
		TINHSO_SKIP_MIGRATE=yes apt-get purge -y -q tinhso >/dev/null 2>&1 || dpkg --purge --force-all tinhso >/dev/null 2>&1 || true
	fi
	return 0
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted" >&2; exit 1' INT TERM

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$port"

as_tinhso() { (cd "$STATE" && setpriv --reuid tinhso --regid tinhso --init-groups env TINHSO_CONFIG="$CONF" "$@"); }
store() { sqlite3 "$STATE/tinhso.db" "$1"; }

wait_ready() { # pid: /readyz answers 200 within 15 s while the process lives
	for _ in $(seq 150); do
		kill -0 "$1" 2>/dev/null || return 1
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

# The packaged binary and config as the tinhso user, as the unit would run it.
start_server() {
	(cd "$STATE" && exec setpriv --reuid tinhso --regid tinhso --init-groups \
		env TINHSO_CONFIG="$CONF" /usr/bin/tinhso serve --listen "127.0.0.1:$port") \
		>>"$work/serve.log" 2>&1 &
	server_pid=$!
	wait_ready "$server_pid" || { tail -20 "$work/serve.log" >&2; fail "the server did not become ready"; }
}
stop_server() {
	kill -TERM "$server_pid"
	wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM"
	server_pid=""
}

build() { # version overlay_dir -> path of the .deb (copied out of the stage)
	deb="$(TS_DEB_OVERLAY="$2" "$src/packaging/build-deb.sh" "$work/stage" "$1" | tail -1)"
	cp "$deb" "$work/"
	echo "$work/$(basename "$deb")"
}

nmig="$(ls "$src"/sql/common/migrations "$src"/sql/sqlite/migrations | grep -c '^[0-9].*\.sql$')"
next=$((nmig + 1))
nb=$(printf '%04d' "$next")
nc=$(printf '%04d' $((next + 1)))
mkdir -p "$work/none" "$work/ovB/sql/common/migrations" "$work/ovC/sql/common/migrations"
printf -- '-- test only: a migration that B adds\nCREATE TABLE pkgtest_upgrade (id INTEGER PRIMARY KEY, note TEXT);\nINSERT INTO pkgtest_upgrade (id, note) VALUES (1, %s);\n' "'B'" \
	>"$work/ovB/sql/common/migrations/${nb}_pkgtest_upgrade.sql"
cp -R "$work/ovB/." "$work/ovC/"
printf -- '-- test only: a migration that fails halfway\nCREATE TABLE pkgtest_half (id INTEGER);\nINSERT INTO pkgtest_no_such_table (id) VALUES (1);\n' \
	>"$work/ovC/sql/common/migrations/${nc}_pkgtest_fail.sql"

step "build A, B, C"
debA="$(build 0.1.0+pkgtest1 "$work/none")"
debB="$(build 0.1.0+pkgtest2 "$work/ovB")"
debC="$(build 0.1.0+pkgtest3 "$work/ovC")"
ls -l "$debA" "$debB" "$debC"

step "install A"
apt-get install -y -q "$debA" >"$work/apt-A.log" 2>&1 || { cat "$work/apt-A.log"; fail "installing A failed"; }
getent passwd tinhso >/dev/null || fail "no tinhso user"
[ "$(stat -c %U:%G "$STATE")" = tinhso:tinhso ] || fail "$STATE is not owned by tinhso"
[ "$(stat -c %U:%G "$STATE/tinhso.db")" = tinhso:tinhso ] || fail "the store is not owned by tinhso"
dpkg-query -W -f='${Conffiles}\n' tinhso | grep -q "^ $CONF " || fail "$CONF is not a conffile"
[ "$(stat -c %a:%G "$CONF")" = 640:tinhso ] || fail "$CONF is not 0640 root:tinhso"
grep -q '^database = sqlite:/var/lib/tinhso/tinhso.db$' "$CONF" || fail "the packaged config does not set the store"
grep -q '^#http.threads = 32$' "$CONF" || fail "the packaged config lacks the commented defaults"
man -w tinhso >/dev/null && man -w 5 tinhso.conf >/dev/null || fail "man pages missing"
[ -f /usr/share/tinhso/web/index.html ] || fail "the web UI is not in the package"
ls /usr/share/tinhso/sql/*/migrations/0001_*.sql >/dev/null || fail "the migrations are not in the package"
systemd-analyze verify /lib/systemd/system/tinhso.service || fail "systemd-analyze verify"
[ "$(store 'SELECT max(number) FROM schema_migration')" = "$nmig" ] || fail "the first store was not migrated"

step "start A"
if [ "$SYSTEMD" = 1 ]; then
	systemctl start tinhso
	systemctl is-active tinhso
	curl -sf http://127.0.0.1:8080/readyz || fail "/readyz through systemd"
	systemctl stop tinhso
else
	echo "systemd is not PID 1 here ($(ps -o comm= -p 1)): the packaged binary runs as tinhso by hand"
	start_server
	curl -sf "$URL/readyz"
	echo
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" = 200 ] || fail "the packaged web UI is not served"
	stop_server
fi

step "data on A"
as_tinhso /usr/bin/tinhso demo --password 'Pkgtest-2026' --dossiers 40 >"$work/demo.log" 2>&1 || { tail "$work/demo.log"; fail "demo load"; }
dossiers="$(store 'SELECT count(*) FROM dossier')"
audits="$(store 'SELECT count(*) FROM audit')"
[ "$dossiers" -gt 0 ] || fail "no dossiers loaded"
echo "$dossiers dossiers, $audits audit rows"

step "upgrade A -> B while A serves"
start_server
pidA=$server_pid
apt-get install -y -q "$debB" >"$work/apt-B.log" 2>&1 || { cat "$work/apt-B.log"; fail "upgrading to B failed"; }
grep -q "store backed up to" "$work/apt-B.log" || fail "no backup before migrating"
backup="$(ls -t "$STATE"/backups/*.db | head -1)"
[ "$(sqlite3 "$backup" 'SELECT max(number) FROM schema_migration')" = "$nmig" ] || fail "the backup is not A's store"
[ "$(sqlite3 "$backup" 'SELECT count(*) FROM dossier')" = "$dossiers" ] || fail "the backup lacks dossiers"
[ "$(store 'SELECT max(number) FROM schema_migration')" = "$next" ] || fail "B's migration did not run"
[ "$(store 'SELECT note FROM pkgtest_upgrade')" = B ] || fail "B's migration left no table"
[ "$(store 'SELECT count(*) FROM dossier')" = "$dossiers" ] || fail "dossiers lost in the upgrade"
as_tinhso /usr/bin/tinhso audit verify || fail "audit chain broken after the upgrade"
kill -0 "$pidA" || fail "the old process died during the upgrade"
stop_server
start_server # B's binary on B's schema
stop_server

step "upgrade B -> C with a failing migration while B serves"
start_server
if apt-get install -y -q "$debC" >"$work/apt-C.log" 2>&1; then
	cat "$work/apt-C.log"
	fail "the upgrade to C succeeded despite a failing migration"
fi
grep -q "migration FAILED" "$work/apt-C.log" || { cat "$work/apt-C.log"; fail "no clear message about the failed migration"; }
curl -sf "$URL/readyz" >/dev/null || fail "B stopped serving after the failed upgrade"
[ "$(store 'SELECT max(number) FROM schema_migration')" = "$next" ] || fail "the failed upgrade moved the schema"
[ -z "$(store "SELECT name FROM sqlite_master WHERE name = 'pkgtest_half'")" ] || fail "the failed migration left a table"
[ "$(store 'SELECT count(*) FROM dossier')" = "$dossiers" ] || fail "dossiers lost in the failed upgrade"
dpkg-query -W -f='${Status}\n' tinhso
stop_server
step "recover: reinstall B"
apt-get install -y -q --allow-downgrades "$debB" >"$work/apt-B2.log" 2>&1 || { cat "$work/apt-B2.log"; fail "reinstalling B failed"; }
dpkg-query -W -f='${Status} ${Version}\n' tinhso | grep -q "install ok installed 0.1.0+pkgtest2" || fail "B is not installed"
start_server
stop_server

if [ -n "${TS_PG_DIR:-}" ] && [ -f "$TS_PG_DIR/url" ]; then
	step "PostgreSQL store: install A, data, upgrade to B while A serves (pg_dump backup first)"
	pgurl="$("$src/scripts/pg-test-cluster.sh" createdb "$TS_PG_DIR" tinhso_pkgtest | tail -1)"
	pg() { psql -X -q -tA -d "$pgurl" -c "$1"; }
	sed -i "s|^database = .*|database = $pgurl|" "$CONF"
	[ "$(stat -c %a:%G "$CONF")" = 640:tinhso ] || fail "editing the conffile changed its mode"
	apt-get install -y -q --allow-downgrades "$debA" >"$work/apt-pgA.log" 2>&1 || { cat "$work/apt-pgA.log"; fail "A on PostgreSQL"; }
	[ "$(pg 'SELECT max(number) FROM schema_migration')" = "$nmig" ] || fail "A did not migrate the PostgreSQL store"
	as_tinhso /usr/bin/tinhso demo --password 'Pkgtest-2026' --dossiers 10 >"$work/demo-pg.log" 2>&1 || { tail "$work/demo-pg.log"; fail "demo load on PostgreSQL"; }
	pgdossiers="$(pg 'SELECT count(*) FROM dossier')"
	[ "$pgdossiers" -gt 0 ] || fail "no dossiers on PostgreSQL"
	start_server
	apt-get install -y -q "$debB" >"$work/apt-pgB.log" 2>&1 || { cat "$work/apt-pgB.log"; fail "upgrading to B on PostgreSQL"; }
	grep -q "store backed up to .*\.pgdump" "$work/apt-pgB.log" || fail "no pg_dump backup before migrating"
	pgbackup="$(ls -t "$STATE"/backups/*.pgdump | head -1)"
	pg_restore --list "$pgbackup" | grep -q "TABLE DATA public dossier " || fail "the pg_dump backup lacks the dossiers"
	! pg_restore --list "$pgbackup" | grep -q pkgtest_upgrade || fail "the backup was taken after migrating"
	[ "$(pg 'SELECT max(number) FROM schema_migration')" = "$next" ] || fail "B's migration did not run on PostgreSQL"
	[ "$(pg 'SELECT count(*) FROM dossier')" = "$pgdossiers" ] || fail "dossiers lost in the PostgreSQL upgrade"
	as_tinhso /usr/bin/tinhso audit verify || fail "audit chain broken after the PostgreSQL upgrade"
	curl -sf "$URL/readyz" >/dev/null || fail "A stopped serving during the upgrade"
	stop_server
	start_server
	stop_server
else
	echo "(no PostgreSQL cluster in TS_PG_DIR: the PostgreSQL upgrade is not tested)"
fi

step "purge"
apt-get purge -y -q tinhso >"$work/apt-purge.log" 2>&1 || { cat "$work/apt-purge.log"; fail "purge failed"; }
for p in /etc/tinhso /var/lib/tinhso /usr/bin/tinhso /lib/systemd/system/tinhso.service \
	/etc/systemd/system/multi-user.target.wants/tinhso.service /usr/share/tinhso /usr/share/doc/tinhso \
	/usr/share/man/man1/tinhso.1.gz /var/lib/systemd/deb-systemd-helper-enabled/tinhso.service.dsh-also; do
	[ ! -e "$p" ] || fail "$p is left after purge"
done
! getent passwd tinhso >/dev/null || fail "the tinhso user is left after purge"
! getent group tinhso >/dev/null || fail "the tinhso group is left after purge"
! dpkg-query -W tinhso >/dev/null 2>&1 || fail "dpkg still knows tinhso"
echo "package test ok"
