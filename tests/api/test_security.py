"""Black-box tests of the server's defences, on the engine named by TS_TEST_ENGINE: security
headers on every response, slow clients (slowloris) and the request time limit, the abuse
limits (per address and per account, shared by two nodes over one store), Secure cookies and
HSTS behind TLS, retries with an Idempotency-Key whose first answer is dropped on the way
(a small TCP proxy in the test), and the fault sweep (test builds: the Nth allocation or
query of a request fails; each failure is a clean 5xx problem+json and leaves nothing
half-written). Run by CTest as api_security_sqlite and api_security_pgsql."""
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

ENGINE = os.environ.get("TS_TEST_ENGINE", "sqlite")
PROC = "DEMO.000003"
RECEIVING = "000.00.31.H99"
COMPETENT = "000.01.12.H99"


def pdf_bytes(text="tinhso"):
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            + b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def multipart(fields, file_name, content, ctype="application/pdf"):
    boundary = "----tinhso" + hashlib.sha1(os.urandom(8)).hexdigest()
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
    out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
              f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


class Base(unittest.TestCase):
    server = None

    def client(self, login=None, source=None, server=None):
        c = Client(server or self.server, source=source)
        if login:
            r = c.login(login)
            self.assertEqual(r.status, 200, r)
        return c

    def assertProblem(self, r, status, code=None):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.ctype.startswith("application/problem+json"), r.ctype)
        self.assertEqual(r.json["status"], status, r)
        if code:
            self.assertEqual(r.json["code"], code, r)

    def unit_id(self, code):
        items = self.client().request("GET", "/api/v1/units?q=" + code).json["items"]
        return [u for u in items if u["code"] == code][0]["id"]

    def submit_body(self):
        if not hasattr(type(self), "_submit_body"):
            proc = self.client().request("GET", "/api/v1/procedures/" + PROC).json
            docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
            type(self)._submit_body = {"procedure_code": PROC, "competent_unit_id": self.unit_id(COMPETENT),
                                       "receiving_unit_id": self.unit_id(RECEIVING), "delivery": "counter",
                                       "documents": docs}
        return dict(type(self)._submit_body)

    def submit(self, citizen, key=None, headers=None):
        h = dict(headers or {})
        if key:
            h["Idempotency-Key"] = key
        return citizen.request("POST", "/api/v1/dossiers", self.submit_body(), headers=h)

    def my_codes(self, c):
        codes, after = [], None
        while True:
            r = c.request("GET", "/api/v1/dossiers?limit=200" + (f"&after={after}" if after else ""))
            self.assertEqual(r.status, 200, r)
            codes += [d["code"] for d in r.json["items"]]
            after = r.json.get("next")
            if not after:
                return codes

    def upload(self, c, code, content, headers=None):
        body, ct = multipart({"component": "TP01"}, "to-khai.pdf", content)
        h = {"Content-Type": ct}
        h.update(headers or {})
        return c.request("POST", f"/api/v1/dossiers/{code}/files", raw=body, headers=h)


# ---- headers, slow clients, time limits, abuse limits -------------------------------------
class DefencesTest(Base):
    PER_IP_CONNECTIONS = 16

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("security_test")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.env = {"TINHSO_RATELIMIT_ENABLED": "true", "TINHSO_RATELIMIT_WINDOW": "86400",
                   "TINHSO_RATELIMIT_LOGIN_IP": "8", "TINHSO_RATELIMIT_LOGIN_ACCOUNT": "4",
                   "TINHSO_RATELIMIT_REGISTER_IP": "3", "TINHSO_RATELIMIT_REGISTER_ACCOUNT": "2",
                   "TINHSO_RATELIMIT_SUBMIT_IP": "1000", "TINHSO_RATELIMIT_SUBMIT_ACCOUNT": "3",
                   "TINHSO_RATELIMIT_UPLOAD_IP": "1000", "TINHSO_RATELIMIT_UPLOAD_ACCOUNT": "2",
                   "TINHSO_RATELIMIT_LOOKUP_IP": "5", "TINHSO_RATELIMIT_LOOKUP_ACCOUNT": "1000",
                   "TINHSO_HTTP_MAX_CONNECTIONS_PER_IP": str(cls.PER_IP_CONNECTIONS),
                   "TINHSO_HTTP_REQUEST_TIMEOUT": "2", "TINHSO_HTTP_CLIENT_IP_HEADER": "X-Real-IP",
                   "TINHSO_ATTACH_DIR": os.path.join(os.path.dirname(cls.db.replace("sqlite:", "")) if ENGINE == "sqlite"
                                                     else "/tmp", f"files-sec-{os.getpid()}")}
        cls.server = Server(cls.db, cls.env)
        cls.second = None

    @classmethod
    def tearDownClass(cls):
        if cls.second:
            assert cls.second.stop() == 0
        rc = cls.server.stop()
        assert rc == 0, f"server exit code {rc} after SIGTERM"

    def assertSecurityHeaders(self, r):
        csp = r.headers.get("content-security-policy", "")
        self.assertIn("frame-ancestors 'none'", csp, r.headers)
        self.assertEqual(r.headers.get("x-content-type-options"), "nosniff")
        self.assertEqual(r.headers.get("referrer-policy"), "same-origin")
        self.assertEqual(r.headers.get("x-frame-options"), "DENY")

    def test_every_kind_of_response_carries_the_security_headers(self):
        c = self.client()
        for method, path in [("GET", "/healthz"), ("GET", "/"), ("GET", "/api/docs"), ("GET", "/no-such-page"),
                             ("GET", "/api/v1/nothing"), ("DELETE", "/healthz"), ("GET", "/api/v1/auth/me")]:
            r = c.request(method, path)
            self.assertSecurityHeaders(r)
            self.assertIn("default-src 'self'", r.headers["content-security-policy"], path)
        # an early refusal (body over the cap, answered before it is read) too
        status, _ = c.raw_exchange("POST", "/api/v1/auth/login", {"Content-Type": "application/json",
                                                                   "Content-Length": str(1 << 30)}, b"")
        self.assertEqual(status, 413)
        r = c.request("POST", "/api/v1/auth/login", raw=b"{", headers={"Content-Type": "application/json",
                                                                       "X-Real-IP": "198.51.100.200"})
        self.assertProblem(r, 400)
        self.assertSecurityHeaders(r)
        # without TLS: no HSTS, session cookies without Secure
        self.assertNotIn("strict-transport-security", r.headers)
        u = self.client()
        r = u.login("motcua.xa1")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("Secure", ";".join(r.set_cookies))

    def test_slow_clients_cannot_take_every_connection(self):
        # one address opens many connections and trickles its headers, never finishing them
        slow = []
        try:
            for _ in range(self.PER_IP_CONNECTIONS * 3):
                s = socket.socket()
                s.bind(("127.0.0.2", 0))
                s.settimeout(5)
                try:
                    s.connect(("127.0.0.1", self.server.port))
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                except OSError:
                    s.close()
                    continue
                slow.append(s)
            for s in slow:
                try:
                    s.sendall(b"X-a: b\r\n")
                except OSError:
                    pass
            # the connections past the per-address limit were closed by the server at once
            closed = 0
            for s in slow:
                try:
                    s.settimeout(3)
                    if s.recv(1) == b"":
                        closed += 1
                except socket.timeout:
                    pass
                except OSError:
                    closed += 1
            self.assertGreaterEqual(closed, len(slow) - self.PER_IP_CONNECTIONS, (closed, len(slow)))
            # everybody else is served at once
            t0 = time.monotonic()
            for i in range(5):
                r = self.client(source=f"127.0.0.{3 + i}").request("GET", "/healthz")
                self.assertEqual(r.status, 200)
            self.assertLess(time.monotonic() - t0, 5)
        finally:
            for s in slow:
                s.close()

    def test_a_body_trickling_past_the_time_limit_is_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        try:
            body = json.dumps({"login": "ai-do", "password": "x" * 40}).encode()
            s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + f"Content-Length: {len(body)}\r\nX-Real-IP: 198.51.100.201\r\n\r\n".encode())
            t0 = time.monotonic()
            closed_at = None
            for i in range(len(body)):  # one byte every 0.2 s: 12 s for the whole body
                try:
                    s.sendall(body[i:i + 1])
                    s.settimeout(0.2)
                    if s.recv(65536) == b"":
                        closed_at = time.monotonic() - t0
                        break
                except socket.timeout:
                    pass
                except OSError:
                    closed_at = time.monotonic() - t0
                    break
            # the limit is 2 s; the server notices at the next byte after it
            self.assertIsNotNone(closed_at, "the server let the slow body run to its end")
            self.assertLess(closed_at, 5)
            self.assertLess(i, len(body) - 1)
        finally:
            s.close()
        self.assertEqual(self.client().request("GET", "/healthz").status, 200)

    def test_login_is_limited_per_account_and_per_address(self):
        # per account: the fifth attempt on one login name is refused, whatever the address
        for i in range(4):
            r = self.client().request("POST", "/api/v1/auth/login", {"login": "khongco.ai", "password": "sai-mat-khau"},
                                      headers={"X-Real-IP": f"198.51.100.{10 + i}"})
            self.assertEqual(r.status, 401, r)
        r = self.client().request("POST", "/api/v1/auth/login", {"login": "KhongCo.Ai", "password": "sai-mat-khau"},
                                  headers={"X-Real-IP": "198.51.100.20"})
        self.assertProblem(r, 429, "too_many_requests")
        self.assertTrue(r.headers.get("retry-after"))
        # per address: eight attempts from one address on different names, then refused
        for i in range(8):
            r = self.client().request("POST", "/api/v1/auth/login", {"login": f"ten{i}", "password": "sai"},
                                      headers={"X-Real-IP": "203.0.113.7"})
            self.assertEqual(r.status, 401, r)
        r = self.client().request("POST", "/api/v1/auth/login", {"login": "motcua.xa1", "password": DEMO_PASSWORD},
                                  headers={"X-Real-IP": "203.0.113.7"})
        self.assertProblem(r, 429, "too_many_requests")
        # the same account from another address still signs in
        r = self.client().request("POST", "/api/v1/auth/login", {"login": "motcua.xa1", "password": DEMO_PASSWORD},
                                  headers={"X-Real-IP": "203.0.113.8"})
        self.assertEqual(r.status, 200, r)

    def test_registration_is_limited_per_address_and_per_id(self):
        c = self.client()

        def reg(pid, ip=None):
            body = {"full_name": "Trần Văn Bé", "phone": "09870" + pid[-5:], "password": "matkhau-rat-manh-9",
                    "personal_id": pid}
            return c.request("POST", "/api/v1/auth/register/citizen", body, headers={"X-Real-IP": ip} if ip else None)
        ip = "203.0.113.30"
        self.assertEqual(reg("079090001001", ip).status, 201)
        self.assertEqual(reg("079090001001", "203.0.113.31").status, 409)
        self.assertProblem(reg("079090001001", "203.0.113.32"), 429, "too_many_requests")  # third try on one ID
        self.assertEqual(reg("079090001002", ip).status, 201)
        self.assertEqual(reg("079090001003", ip).status, 201)
        self.assertProblem(reg("079090001004", ip), 429, "too_many_requests")  # fourth from one address
        # the refused one was not created
        self.assertEqual(reg("079090001004", "203.0.113.33").status, 201)

    def test_submission_and_upload_are_limited_per_account_across_nodes(self):
        citizen = self.client("congdan1")
        codes = []
        for _ in range(2):
            r = self.submit(citizen)
            self.assertEqual(r.status, 201, r)
            codes.append(r.json["code"])
        # on PostgreSQL a second node over the same store counts against the same numbers; a
        # SQLite store has one node, which counts in its memory (src/app/ratelimit.c)
        if ENGINE == "pgsql":
            if not type(self).second:
                type(self).second = Server(self.db, self.env)
            other = Client(type(self).second, source="127.0.0.9")
        else:
            other = Client(self.server, source="127.0.0.9")
        other.cookies, other.csrf = dict(citizen.cookies), citizen.csrf
        r = self.submit(other)
        self.assertEqual(r.status, 201, r)
        r = self.submit(citizen)
        self.assertProblem(r, 429, "too_many_requests")
        self.assertEqual(len(self.my_codes(citizen)), 3)
        # uploads: two, then refused before the body is read
        for i in range(2):
            r = self.upload(other if i else citizen, codes[0], pdf_bytes(f"tep {i}"))
            self.assertEqual(r.status, 201, r)
        r = self.upload(citizen, codes[0], pdf_bytes("tep 3"))
        self.assertProblem(r, 429, "too_many_requests")
        self.assertEqual(len(citizen.request("GET", f"/api/v1/dossiers/{codes[0]}/files").json["items"]), 2)

    def test_public_lookup_is_limited_per_address(self):
        anon = self.client()
        for i in range(5):
            r = anon.request("GET", "/api/v1/public/dossiers/000.00.31.H99-260101-9999?phone=0900000000",
                             headers={"X-Real-IP": "192.0.2.50"})
            self.assertIn(r.status, (403, 404), r)
        r = anon.request("GET", "/api/v1/public/dossiers/000.00.31.H99-260101-9999?phone=0900000000",
                         headers={"X-Real-IP": "192.0.2.50"})
        self.assertProblem(r, 429, "too_many_requests")
        # a made-up header value is no address: the peer address counts instead
        r = anon.request("GET", "/api/v1/public/dossiers/000.00.31.H99-260101-9999?phone=0900000000",
                         headers={"X-Real-IP": "not-an-address"})
        self.assertIn(r.status, (403, 404), r)
        # the store holds no address in clear (the counters keep a hash)
        if ENGINE == "sqlite":
            path = self.db[len("sqlite:"):]
            data = b"".join(open(p, "rb").read() for p in (path, path + "-wal") if os.path.exists(p))
            self.assertNotIn(b"192.0.2.50", data)

    def test_public_lookup_counts_reach_the_other_nodes(self):
        """PostgreSQL: a node counts public lookups in its memory and adds them to the shared
        counters every ratelimit.sync_interval (1 s), judging by the total it last read back."""
        if ENGINE != "pgsql":
            self.skipTest("a SQLite store has one node")
        if not type(self).second:
            type(self).second = Server(self.db, self.env)
        ip = "192.0.2.61"
        subject = hashlib.sha256(f"lookup_ip|{ip}".encode()).hexdigest()
        path = "/api/v1/public/dossiers/000.00.31.H99-260101-9998?phone=0900000000"

        def stored():
            out = subprocess.run(["psql", "-X", "-A", "-t", "-c",
                                  "SELECT coalesce(sum(hits), 0) FROM rate_limit WHERE bucket = "
                                  f"'lookup_ip' AND subject = '{subject}'", self.db],
                                 check=True, capture_output=True, text=True).stdout
            return int(out.strip())

        def wait_stored(n):
            end = time.monotonic() + 15
            while stored() != n:
                self.assertLess(time.monotonic(), end, f"the shared counter never reached {n}")
                time.sleep(0.05)

        other = Client(type(self).second)
        for _ in range(5):
            r = other.request("GET", path, headers={"X-Real-IP": ip})
            self.assertIn(r.status, (403, 404), r)
        # node 2 refuses the sixth itself, whatever it has synced
        self.assertProblem(other.request("GET", path, headers={"X-Real-IP": ip}), 429,
                           "too_many_requests")
        wait_stored(6)
        # node 1 had not seen the address: its first lookup passes and is counted; its sync
        # adds it and reads back the total of both nodes, after which node 1 refuses too
        first = Client(self.server)
        r = first.request("GET", path, headers={"X-Real-IP": ip})
        self.assertIn(r.status, (403, 404), r)
        wait_stored(7)
        self.assertProblem(first.request("GET", path, headers={"X-Real-IP": ip}), 429,
                           "too_many_requests")
        # another address on node 1 is not affected
        r = first.request("GET", path, headers={"X-Real-IP": "192.0.2.62"})
        self.assertIn(r.status, (403, 404), r)


class BehindTlsTest(Base):
    def test_secure_cookies_and_hsts_behind_tls(self):
        db = fresh_database("security_tls")
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        srv = Server(db, {"TINHSO_HTTP_TLS": "true"})
        try:
            c = Client(srv)
            r = c.login("motcua.xa1")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.set_cookies)
            for v in r.set_cookies:
                self.assertIn("Secure", v)
            self.assertTrue(any("HttpOnly" in v for v in r.set_cookies))
            self.assertIn("max-age=", r.headers.get("strict-transport-security", ""))
        finally:
            self.assertEqual(srv.stop(), 0)


# ---- retries with responses lost on the way ----------------------------------------------
class DroppingProxy:
    """TCP proxy on 127.0.0.1: passes each request to the server, reads the whole answer, and
    for the first `drop` connections closes the client's side instead of passing it on (the
    client sees its connection reset after the server did the work)."""

    def __init__(self, port, drop):
        self.port, self.drop = port, drop
        self.dropped = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.listen_port = self.sock.getsockname()[1]
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while True:
            try:
                cs, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(cs,), daemon=True).start()

    def serve(self, cs):
        up = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        try:
            req = self.read_message(cs)
            up.sendall(req)
            answer = self.read_message(up)
            if self.dropped < self.drop:
                self.dropped += 1
                cs.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            else:
                cs.sendall(answer)
        finally:
            up.close()
            cs.close()

    @staticmethod
    def read_message(s):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        m = re.search(rb"content-length: *(\d+)", head, re.I)
        need = int(m.group(1)) if m else 0
        while len(rest) < need:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest

    def close(self):
        self.sock.close()


class RetryTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("security_retry")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.server = Server(cls.db)

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0

    def test_a_retry_after_a_lost_answer_creates_no_duplicate(self):
        citizen = self.client("congdan1")
        before = set(self.my_codes(citizen))
        proxy = DroppingProxy(self.server.port, drop=2)
        try:
            via = Client(type("P", (), {"port": proxy.listen_port})())
            via.cookies, via.csrf = dict(citizen.cookies), citizen.csrf
            answers = []
            for attempt in range(4):  # the client times out / loses the answer and retries
                try:
                    r = self.submit(via, key="retry-after-drop-1")
                    answers.append(r)
                    break
                except (ConnectionError, OSError, Exception) as e:  # http.client raises several kinds
                    answers.append(e)
            self.assertEqual(proxy.dropped, 2)
            final = answers[-1]
            self.assertIn(final.status, (200, 201), final)
            after = set(self.my_codes(citizen))
            self.assertEqual(after - before, {final.json["code"]})  # exactly one dossier
            # and a transition retried the same way happens once
            counter = self.client("motcua.xa1")
            code = final.json["code"]
            version = counter.request("GET", f"/api/v1/dossiers/{code}").json["version"]
            proxy2 = DroppingProxy(self.server.port, drop=1)
            try:
                via2 = Client(type("P", (), {"port": proxy2.listen_port})())
                via2.cookies, via2.csrf = dict(counter.cookies), counter.csrf
                try:
                    via2.request("POST", f"/api/v1/dossiers/{code}/actions/accept", {"version": version},
                                 headers={"Idempotency-Key": "accept-after-drop"})
                    self.fail("the first answer should have been dropped")
                except (ConnectionError, OSError, Exception) as e:
                    self.assertNotIsInstance(e, AssertionError)
                r = via2.request("POST", f"/api/v1/dossiers/{code}/actions/accept", {"version": version},
                                 headers={"Idempotency-Key": "accept-after-drop"})
                self.assertEqual(r.status, 200, r)
            finally:
                proxy2.close()
            events = counter.request("GET", f"/api/v1/dossiers/{code}").json
            accepts = [e for e in events["events"] if e.get("action") == "accept"]
            self.assertEqual(len(accepts), 1, events)
        finally:
            proxy.close()


# ---- fault sweep --------------------------------------------------------------------------
class FaultSweepTest(Base):
    MAX_N = 600

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("security_faults")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.files = os.path.join("/tmp", f"tinhso-fault-files-{os.getpid()}")
        cls.server = Server(cls.db, {"TINHSO_ATTACH_DIR": cls.files})
        probe = Client(cls.server).request("GET", "/healthz", headers={"X-Tinhso-Fault": "query:0"})
        cls.available = "x-tinhso-fault-fired" in probe.headers

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        # ASan's leak check runs at exit: a leak on any error path makes this non-zero
        assert rc == 0, f"server exit code {rc} after SIGTERM (leak or crash)"

    def sweep(self, kind, attempt, check):
        """Runs attempt(n, headers) with the Nth allocation/query of the request failing, N = 0,
        1, ... until it succeeds with no fault fired. Every failure must be a clean 5xx
        problem+json, and check(n, spec) must find the state whole: unchanged, or (a failure
        after the commit, like a lost answer) changed completely. Returns the failures."""
        failures = 0
        for n in range(self.MAX_N):
            spec = f"{kind}:{n}"
            r = attempt(n, {"X-Tinhso-Fault": spec})
            if 200 <= r.status < 300:
                if r.headers.get("x-tinhso-fault-fired") == "0":
                    return failures
                check(n, spec)  # the failure was absorbed: still whole
                continue
            failures += 1
            self.assertIn(r.status, (500, 503), (spec, r))
            self.assertTrue(r.ctype.startswith("application/problem+json"), (spec, r))
            self.assertTrue(r.json and r.json.get("title") and r.json.get("request_id"), (spec, r))
            check(n, spec)
        self.fail(f"{kind}: still failing after {self.MAX_N} steps")

    def setUp(self):
        if not self.available:
            self.skipTest("not a fault-injection build (TS_FAULT_INJECTION)")

    def test_each_failing_step_of_a_submission_is_clean(self):
        citizen = self.client("congdan1")
        for kind in ("query", "alloc"):
            known = set(self.my_codes(citizen))

            def check(n, spec):
                now = set(self.my_codes(citizen))
                new = now - known
                self.assertLessEqual(len(new), 1, spec)
                for code in new:  # written whole: readable, submitted, with its event
                    d = citizen.request("GET", f"/api/v1/dossiers/{code}")
                    self.assertEqual(d.status, 200, (spec, d))
                    self.assertEqual(d.json["status"], 1, spec)
                    self.assertTrue(d.json["events"], spec)
                known.update(new)
            fails = self.sweep(kind, lambda n, h: self.submit(citizen, headers=h), check)
            self.assertGreater(fails, 3, kind)

    def test_each_failing_step_of_a_transition_is_clean(self):
        citizen = self.client("congdan1")
        counter = self.client("motcua.xa1")
        for kind in ("query", "alloc"):
            cur = {}

            def attempt(n, h):
                code = self.submit(citizen).json["code"]  # a fresh dossier for every step
                cur["code"] = code
                cur["before"] = counter.request("GET", f"/api/v1/dossiers/{code}").json
                return counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept",
                                       {"version": cur["before"]["version"]}, headers=h)

            def check(n, spec):
                before = cur["before"]
                now = counter.request("GET", f"/api/v1/dossiers/{cur['code']}").json
                accepts = [e for e in now["events"] if e.get("action") == "accept"]
                if now["version"] == before["version"]:
                    self.assertEqual((now["status"], accepts), (before["status"], []), spec)
                else:  # committed before the failure: all of it
                    self.assertEqual(len(accepts), 1, spec)
                    self.assertNotEqual(now["status"], before["status"], spec)
                    self.assertTrue(now.get("due_at"), spec)
            self.assertGreater(self.sweep(kind, attempt, check), 0, kind)

    def test_each_failing_step_of_an_upload_is_clean(self):
        citizen = self.client("congdan1")
        for kind in ("query", "alloc"):
            cur = {}

            def attempt(n, h):
                cur["code"] = code = self.submit(citizen).json["code"]
                return self.upload(citizen, code, pdf_bytes(f"sweep {kind} {n}"), headers=h)

            def check(n, spec):
                items = citizen.request("GET", f"/api/v1/dossiers/{cur['code']}/files").json["items"]
                self.assertLessEqual(len(items), 1, spec)
                for f in items:  # linked whole: its bytes are there
                    d = citizen.request("GET", f"/api/v1/dossiers/{cur['code']}/files/{f['id']}/content")
                    self.assertEqual(d.status, 200, (spec, d))
                    self.assertIn(f"sweep {kind} {n}", d.body)
            self.assertGreater(self.sweep(kind, attempt, check), 0, kind)
        # no temporary file is left behind by the failed uploads (removed when each request
        # ends, just after its answer: wait for that, bounded)
        tmp = os.path.join(self.files, "tmp")
        deadline = time.monotonic() + 10
        while os.path.isdir(tmp) and os.listdir(tmp) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(os.listdir(tmp) if os.path.isdir(tmp) else [], [])

    def test_each_failing_step_of_login_and_registration_is_clean(self):
        for kind in ("query", "alloc"):
            c = self.client()
            pid = "079090002001" if kind == "query" else "079090002002"
            body = {"full_name": "Lê Thị Cúc", "personal_id": pid, "email": f"cuc{pid}@example.vn",
                    "password": "matkhau-rat-manh-9"}
            state = {"made": False}

            def registered(n, spec):
                r = Client(self.server).request("POST", "/api/v1/auth/login",
                                                {"login": pid, "password": body["password"]})
                self.assertIn(r.status, (200, 401), (spec, r))
                if r.status == 200:
                    state["made"] = True  # committed before the failure: the next try conflicts

            def attempt(n, h):
                r = c.request("POST", "/api/v1/auth/register/citizen", body, headers=h)
                if state["made"] and r.status == 409:
                    r.status, r.headers = 201, {"x-tinhso-fault-fired": "0"}
                return r
            self.sweep(kind, attempt, registered)
            self.sweep(kind, lambda n, h: Client(self.server).request(
                "POST", "/api/v1/auth/login", {"login": pid, "password": body["password"]}, headers=h),
                lambda n, spec: None)

    def test_zz_after_the_sweep_counters_and_audit_chain_hold(self):
        out = run_cli(self.db, "stats", "recount", "--check").stdout
        self.assertIn("ok", out)
        out = run_cli(self.db, "audit", "verify").stdout
        self.assertIn("audit chain ok", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
