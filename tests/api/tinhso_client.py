"""Black-box harness: starts the real tinhso binary on 127.0.0.1 (free port) over a fresh
store (SQLite file or a database in the throwaway PostgreSQL cluster) and talks HTTP to it."""
import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import time

BIN = os.environ.get("TS_BIN", "tinhso")
# seconds a request (and a server stop) may take; scripts/valgrind-api.sh raises it (memcheck
# runs the server some 30 times slower)
TIMEOUT = float(os.environ.get("TS_CLIENT_TIMEOUT", "30"))
SRC = os.environ.get("TS_SOURCE_DIR", ".")
DEMO_PASSWORD = "Demo-pass-2026"
ROLE_ACCOUNTS = {
    "citizen": "congdan1",
    "counter_officer": "motcua.xa1",
    "specialist": "chuyenvien.tp",
    "division_head": "truongphong.tp",
    "agency_leader": "lanhdao.tp",
    "clerk": "vanthu.tp",
    "unit_admin": "quantri.tinh",
    "system_admin": "admin",
    "inspector": "thanhtra",
}


def fresh_database(name):
    """A store URL nobody else uses: SQLite in a temp dir, or a new PostgreSQL database."""
    engine = os.environ.get("TS_TEST_ENGINE", "sqlite")
    if engine == "sqlite":
        d = tempfile.mkdtemp(prefix="tinhso-api-")
        return "sqlite:" + os.path.join(d, "tinhso.db")
    pgdir = os.environ["TS_PG_DIR"]
    out = subprocess.run([os.path.join(SRC, "scripts/pg-test-cluster.sh"), "createdb", pgdir, name],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return out[-1]


def run_cli(db, *args, check=True):
    env = dict(os.environ, TINHSO_PASSWORD_HASH_MEMORY_KIB="8192", TINHSO_PASSWORD_HASH_OPS="1")
    p = subprocess.run([BIN, *args, "--database", db], capture_output=True, text=True, env=env, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"tinhso {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


class Server:
    def __init__(self, db, extra_env=None):
        self.db = db
        env = dict(os.environ, TINHSO_PASSWORD_HASH_MEMORY_KIB="8192", TINHSO_PASSWORD_HASH_OPS="1",
                   TINHSO_WEB_ROOT=os.path.join(SRC, "web/static"), TINHSO_LOG_LEVEL="warn",
                   # the suites fire hundreds of submissions from one account in seconds; the
                   # abuse limits have their own test (test_security.py) that turns them on
                   TINHSO_RATELIMIT_ENABLED="false")
        env.update(extra_env or {})
        self.proc = subprocess.Popen([BIN, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()  # the server prints its address once it listens
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            raise AssertionError(f"server did not start: {line!r} {err}")
        self.port = int(m.group(1))

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Response:
    def __init__(self, status, headers, body, set_cookies=()):
        self.set_cookies = list(set_cookies)
        self.status = status
        self.headers = headers
        self.body = body
        self.ctype = headers.get("content-type", "")
        try:
            self.json = json.loads(body) if body and "json" in self.ctype else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """One browser-like client: keeps its cookies and CSRF token."""

    def __init__(self, server, bearer=None, source=None):
        self.server = server
        self.source = source  # a loopback address to send from (127.0.0.N), to be another client
        self.cookies = {}
        self.csrf = None
        self.bearer = bearer

    def request(self, method, path, body=None, headers=None, raw=None, csrf=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=TIMEOUT,
                                          source_address=(self.source, 0) if self.source else None)
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        set_cookies = r.msg.get_all("Set-Cookie") or []
        for v in set_cookies:
            if "=" in v:
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v or value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        conn.close()
        return Response(r.status, hdrs, payload.decode("utf-8", "replace"), set_cookies)

    def raw_exchange(self, method, path, headers, body):
        """Sends headers and a (possibly partial) body over a raw socket; returns (status, body)."""
        import socket
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                hdr, _, rest = data.partition(b"\r\n\r\n")
                m = re.search(rb"content-length: *(\d+)", hdr, re.I)
                if m and len(rest) >= int(m.group(1)):
                    break
        s.close()
        hdr, _, rest = data.partition(b"\r\n\r\n")
        return int(hdr.split()[1]), rest.decode("utf-8", "replace")

    def login(self, login, password=DEMO_PASSWORD):
        r = self.request("POST", "/api/v1/auth/login", {"login": login, "password": password})
        if r.status == 200:
            self.csrf = r.json["csrf_token"]
        return r
