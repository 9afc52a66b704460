"""A tinhso cluster on one machine, loopback only, for the cluster test and the cluster bench:
a PostgreSQL primary and a streaming replica (Debian's initdb, pg_basebackup, pg_ctl),
tinhso nodes and nginx in front. Python standard library only. Everything lives in one temp
dir and every process started here is stopped by PID in Cluster.close()."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("TS_BIN", "tinhso")
SRC = os.environ.get("TS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO_PASSWORD = "Demo-pass-2026"


def pg_bindir():
    base = "/usr/lib/postgresql"
    if os.path.isdir(base):
        for v in sorted(os.listdir(base), key=lambda s: int(s) if s.isdigit() else 0, reverse=True):
            if os.access(os.path.join(base, v, "bin", "pg_ctl"), os.X_OK):
                return os.path.join(base, v, "bin")
    p = shutil.which("pg_ctl")
    return os.path.dirname(p) if p else None


def nginx_bin():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, what, step=0.1):
    """Polls pred until true (a condition, not a timing guess); AssertionError after timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Pg:
    """One PostgreSQL server (primary or standby) owned by this test."""

    def __init__(self, root, name, bindir):
        self.bin = bindir
        self.dir = os.path.join(root, name)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.name = name
        os.makedirs(self.dir)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *args, check=True, timeout=120):
        cmd = [os.path.join(self.bin, args[0]), *args[1:]]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(args[:2])} failed: {p.stdout}{p.stderr}")
        return p

    def initdb(self):
        self.run("initdb", "-D", self.data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                 "--auth-local=trust", "--auth-host=trust")

    def basebackup_from(self, primary):
        # -R: standby.signal + primary_conninfo; application_name names it in pg_stat_replication
        self.run("pg_basebackup", "-D", self.data, "-R", "-X", "stream", "-c", "fast",
                 "-d", f"host=127.0.0.1 port={primary.port} user=postgres application_name={self.name}")

    def start(self):
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.dir} "
                "-c wal_level=replica -c max_wal_senders=8 -c hot_standby=on -c max_connections=200 "
                "-c shared_buffers=64MB")
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60",
                 "-o", opts, "start")

    def stop(self, mode="fast"):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def promote(self):
        self.run("pg_ctl", "-D", self.data, "-w", "-t", "60", "promote")

    def sql(self, query, db="tinhso", check=True):
        p = subprocess.run([os.path.join(self.bin, "psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                            "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", db, "-c", query],
                           capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"psql on {self.name} failed: {p.stderr}")
        return p.stdout.strip()

    def refuse_tcp_clients(self, refuse):
        """Refuses (or allows again) TCP connections to database tinhso, the nodes' way in;
        the admin connections here come over the Unix socket."""
        hba = os.path.join(self.data, "pg_hba.conf")
        with open(hba) as f:
            lines = [x for x in f.read().splitlines() if "# cluster-test" not in x]
        if refuse:
            lines.insert(0, "host tinhso all 127.0.0.1/32 reject # cluster-test")
        with open(hba, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.sql("SELECT pg_reload_conf()", db="postgres")
        if refuse:
            self.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tinhso'",
                     db="postgres")

    def url(self, db="tinhso"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"


class Node:
    """One `tinhso serve` on a fixed loopback port (kept across restarts: nginx names it)."""

    def __init__(self, root, name, database, replica_url=None, extra_env=None, threads=4, pool=4):
        self.name = name
        self.port = free_port()
        self.database = database
        self.log = os.path.join(root, f"{name}.log")
        self.env = dict(os.environ, TINHSO_PASSWORD_HASH_MEMORY_KIB="8192", TINHSO_PASSWORD_HASH_OPS="1",
                        TINHSO_WEB_ROOT=os.path.join(SRC, "web/static"), TINHSO_LOG_LEVEL="warn",
                        TINHSO_HTTP_THREADS=str(threads), TINHSO_DB_POOL_SIZE=str(pool),
                        # the load comes from one address and a few accounts: abuse limits
                        # (tested in tests/api/test_security.py) would refuse most of it
                        TINHSO_RATELIMIT_ENABLED="false")
        if replica_url:
            self.env["TINHSO_DB_REPLICA_URL"] = replica_url
        self.env.update(extra_env or {})
        self.proc = None

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen([BIN, "serve", "--database", self.database, "--listen", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.PIPE, stderr=logf, text=True, env=self.env)
        logf.close()
        line = self.proc.stdout.readline()  # printed once it listens
        if f":{self.port}/" not in line:
            self.proc.wait(timeout=10)
            raise AssertionError(f"{self.name} did not start: {line!r}; see {self.log}")

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()


class Nginx:
    """Debian's nginx in front of the nodes, its config generated here (the sample for operators
    lives in packaging/nginx/)."""

    def __init__(self, root, nodes):
        self.dir = os.path.join(root, "nginx")
        os.makedirs(self.dir)
        self.port = free_port()
        self.access_log = os.path.join(self.dir, "access.log")
        servers = "\n".join(f"        server 127.0.0.1:{n.port} max_fails=1 fail_timeout=2s;" for n in nodes)
        d = self.dir
        user = "user root root;\n" if os.getuid() == 0 else ""
        conf = f"""{user}worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format up '$msec $request_method $uri $status $upstream_addr $upstream_status';
    access_log {d}/access.log up;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    # tinhso's own caps: http.max_body 1 MiB for JSON, 64 MiB for bulk imports and uploads
    client_max_body_size 64m;
    upstream tinhso {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            proxy_pass http://tinhso;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 1s;
            proxy_read_timeout 60s;
            # a node that is down or has no database: try the next one (a POST only when it
            # was never sent; clients retry those with their Idempotency-Key)
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
        }}
    }}
}}
"""
        self.conf = os.path.join(d, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([nginx_bin(), "-c", self.conf, "-p", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "stderr.log"), "w"))
        wait_for(lambda: _port_open(self.port) or self.proc.poll() is not None, 20, "nginx to listen")
        if self.proc.poll() is not None:
            raise AssertionError("nginx did not start: " + open(os.path.join(self.dir, "stderr.log")).read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def upstream_hits(self, since, port):
        """Answered requests (status < 500) that nginx sent to 127.0.0.1:port after `since` (epoch s)."""
        n = 0
        with open(self.access_log) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and float(parts[0]) >= since and parts[4].endswith(f":{port}") \
                        and parts[3].isdigit() and int(parts[3]) < 500:
                    n += 1
        return n


def _port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Api:
    """A keep-alive HTTP client of one person through one address; keeps cookies and CSRF."""

    def __init__(self, port, timeout=60):
        self.port = port
        self.timeout = timeout
        self.conn = None
        self.cookies = {}
        self.csrf = None

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """One attempt; raises OSError / http.client errors on a broken connection."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        h = {"Connection": "keep-alive"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            payload = r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for v in r.msg.get_all("Set-Cookie") or []:
            name, _, rest = v.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in v or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        text = payload.decode("utf-8", "replace")
        try:
            js = json.loads(text) if text and "json" in (r.getheader("Content-Type") or "") else None
        except ValueError:
            js = None
        return r.status, js, text

    def login(self, login, password=DEMO_PASSWORD):
        st, js, text = self.request("POST", "/api/v1/auth/login", {"login": login, "password": password})
        if st != 200:
            raise AssertionError(f"login {login}: {st} {text[:200]}")
        self.csrf = js["csrf_token"]


def run_cli(database, *args):
    env = dict(os.environ, TINHSO_PASSWORD_HASH_MEMORY_KIB="8192", TINHSO_PASSWORD_HASH_OPS="1",
               TINHSO_LOG_LEVEL="warn")
    p = subprocess.run([BIN, *args, "--database", database], capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"tinhso {' '.join(args)} failed ({p.returncode}): {p.stdout}{p.stderr}")
    return p.stdout


class Cluster:
    """Primary + synchronous streaming replica + n nodes + nginx."""

    def __init__(self, nodes=3, replica=True, replica_reads=True, threads=4, pool=4):
        self.bindir = pg_bindir()
        self.root = tempfile.mkdtemp(prefix="tinhso-cluster.")
        os.chmod(self.root, 0o755)
        self.primary = Pg(self.root, "primary", self.bindir)
        self.replica = Pg(self.root, "replica1", self.bindir) if replica else None
        self.nodes = []
        self.nginx = None
        self.n = nodes
        self.replica_reads = replica_reads
        self.threads, self.pool = threads, pool

    def database_url(self):
        """Both servers, the writable one wins: nodes follow a promotion by reconnecting."""
        hosts = f"127.0.0.1:{self.primary.port}" + (f",127.0.0.1:{self.replica.port}" if self.replica else "")
        return f"postgresql://postgres@{hosts}/tinhso?target_session_attrs=read-write&connect_timeout=2"

    def replica_url(self):
        return f"postgresql://postgres@127.0.0.1:{self.replica.port}/tinhso?connect_timeout=2"

    def start(self, demo_dossiers=0):
        self.primary.initdb()
        self.primary.start()
        self.primary.sql("CREATE DATABASE tinhso TEMPLATE template0 ENCODING 'UTF8'", db="postgres")
        if self.replica:
            self.replica.basebackup_from(self.primary)
            self.replica.start()
            wait_for(lambda: self.primary.sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                                              db="postgres") == "1", 60, "the replica to stream")
            # synchronous replication: a commit returns once the replica has it on disk
            self.primary.sql("ALTER SYSTEM SET synchronous_standby_names = 'replica1'", db="postgres")
            self.primary.sql("SELECT pg_reload_conf()", db="postgres")
            wait_for(lambda: self.primary.sql("SELECT sync_state FROM pg_stat_replication", db="postgres") == "sync",
                     30, "synchronous replication")
        run_cli(self.database_url(), "migrate")
        run_cli(self.database_url(), "demo", "--password", DEMO_PASSWORD, "--dossiers", str(demo_dossiers))
        replica_url = self.replica_url() if self.replica and self.replica_reads else None
        for i in range(self.n):
            node = Node(self.root, f"node{i + 1}", self.database_url(), replica_url, threads=self.threads,
                        pool=self.pool)
            node.start()
            self.nodes.append(node)
        self.nginx = Nginx(self.root, self.nodes)
        self.nginx.start()

    def close(self, keep=False):
        if self.nginx:
            self.nginx.stop()
        for n in self.nodes:
            n.kill(signal.SIGTERM)
        for pg in (self.replica, self.primary):
            if pg:
                pg.stop("immediate")
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
