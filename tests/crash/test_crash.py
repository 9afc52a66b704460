"""Crash safety: tinhso is killed with SIGKILL at random moments while citizens submit
dossiers, the counter accepts them and files are uploaded, all at once; after each restart
every change that was acknowledged (2xx) is there, nothing is half-written, no dossier code
is used twice, the counters equal a recount (`tinhso stats recount --check`) and the audit
chain verifies (`tinhso audit verify`). Engine from TS_TEST_ENGINE; rounds from
TS_CRASH_ROUNDS (at least 20). Run by CTest as crash_sqlite and crash_pgsql."""
import hashlib
import io
import os
import random
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

ENGINE = os.environ.get("TS_TEST_ENGINE", "sqlite")
ROUNDS = max(20, int(os.environ.get("TS_CRASH_ROUNDS", "24")))
SEED = int(os.environ.get("TS_CRASH_SEED", str(int(time.time()))))
PROC = "DEMO.000003"


def pdf_bytes(text):
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            + b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def multipart(content, name="to-khai.pdf"):
    boundary = "----tinhso" + os.urandom(8).hex()
    out = io.BytesIO()
    out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"component\"\r\n\r\nTP01\r\n".encode())
    out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
              "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


class Ledger:
    """What the server acknowledged (2xx), across all rounds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.submitted = {}   # code -> submitted_at (a code reused later would differ)
        self.accepted = set()  # codes
        self.uploads = {}     # (code, file id) -> sha256
        self.open = []        # submitted codes not yet accepted (for the counter)


class CrashTest(unittest.TestCase):
    def test_sigkill_at_random_moments_loses_no_acknowledged_change(self):
        rnd = random.Random(SEED)
        print(f"crash test: engine {ENGINE}, {ROUNDS} rounds, seed {SEED}", flush=True)
        db = fresh_database("crash_test")
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        files = tempfile.mkdtemp(prefix="tinhso-crash-files-")
        env = {"TINHSO_ATTACH_DIR": files}
        ledger = Ledger()
        sessions = {}
        body = None
        kills = 0
        for rnd_no in range(ROUNDS):
            srv = Server(db, env)
            try:
                if not sessions:
                    for who in ("congdan1", "motcua.xa1"):
                        c = Client(srv)
                        self.assertEqual(c.login(who).status, 200)
                        sessions[who] = (dict(c.cookies), c.csrf)
                clients = {}
                for who, (cookies, csrf) in sessions.items():
                    c = Client(srv)
                    c.cookies, c.csrf = dict(cookies), csrf  # sessions live in the store: they survive
                    clients[who] = c
                if body is None:
                    body = self.submit_body(clients["congdan1"])
                # after a restart, first: everything acknowledged before is there, whole
                self.verify(clients, ledger, rnd_no)
                # then load from several threads, and a kill at a random moment
                stop = threading.Event()
                threads = [threading.Thread(target=self.submitter, args=(srv, sessions["congdan1"], body, ledger, stop, i))
                           for i in range(2)]
                threads.append(threading.Thread(target=self.acceptor, args=(srv, sessions["motcua.xa1"], ledger, stop)))
                threads.append(threading.Thread(target=self.uploader, args=(srv, sessions["congdan1"], ledger, stop, rnd)))
                for t in threads:
                    t.start()
                time.sleep(rnd.uniform(0.2, 1.5))  # the random moment of the kill (not a synchronisation)
                srv.proc.send_signal(signal.SIGKILL)
                srv.proc.wait(30)
                kills += 1
                stop.set()
                for t in threads:
                    t.join(60)
                    self.assertFalse(t.is_alive())
            finally:
                if srv.proc.poll() is None:
                    srv.proc.kill()
                    srv.proc.wait()
                srv.proc.stdout.close()
                srv.proc.stderr.close()
            # the store as the kill left it: counters and audit chain hold
            out = run_cli(db, "stats", "recount", "--check").stdout
            self.assertIn("stats counters ok", out, (rnd_no, out))
            out = run_cli(db, "audit", "verify").stdout
            self.assertIn("audit chain ok", out, (rnd_no, out))
        # a last restart checks the last round's acknowledgements, and stops cleanly
        srv = Server(db, env)
        try:
            clients = {}
            for who, (cookies, csrf) in sessions.items():
                c = Client(srv)
                c.cookies, c.csrf = dict(cookies), csrf
                clients[who] = c
            self.verify(clients, ledger, ROUNDS)
        finally:
            self.assertEqual(srv.stop(), 0)
        self.assertGreaterEqual(kills, 20)
        print(f"crash test: {kills} kills; acknowledged {len(ledger.submitted)} submissions, "
              f"{len(ledger.accepted)} acceptances, {len(ledger.uploads)} uploads", flush=True)
        self.assertGreater(len(ledger.submitted), ROUNDS)  # the load really ran
        self.assertGreater(len(ledger.accepted), 0)
        self.assertGreater(len(ledger.uploads), 0)

    # ---- load ----
    def submit_body(self, c):
        proc = c.request("GET", "/api/v1/procedures/" + PROC).json
        docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]

        def unit(code):
            return [u for u in c.request("GET", "/api/v1/units?q=" + code).json["items"] if u["code"] == code][0]["id"]
        return {"procedure_code": PROC, "competent_unit_id": unit("000.01.12.H99"),
                "receiving_unit_id": unit("000.00.31.H99"), "delivery": "counter", "documents": docs}

    @staticmethod
    def client(srv, session):
        c = Client(srv)
        c.cookies, c.csrf = dict(session[0]), session[1]
        return c

    def submitter(self, srv, session, body, ledger, stop, n):
        c = self.client(srv, session)
        i = 0
        while not stop.is_set():
            i += 1
            try:
                r = c.request("POST", "/api/v1/dossiers", body,
                              headers={"Idempotency-Key": f"crash-{os.getpid()}-{n}-{time.monotonic_ns()}-{i}"})
            except OSError:
                return  # the server is gone: this request's outcome is unknown
            if r.status == 201:
                with ledger.lock:
                    self.assertNotIn(r.json["code"], ledger.submitted)  # never a code twice
                    ledger.submitted[r.json["code"]] = r.json["submitted_at"]
                    ledger.open.append((r.json["code"], r.json["version"]))
            elif r.status < 500:
                raise AssertionError(f"submission refused: {r}")

    def acceptor(self, srv, session, ledger, stop):
        c = self.client(srv, session)
        while not stop.is_set():
            with ledger.lock:
                item = ledger.open.pop(0) if ledger.open else None
            if not item:
                try:
                    c.request("GET", "/healthz")
                except OSError:
                    return
                continue
            code, version = item
            try:
                r = c.request("POST", f"/api/v1/dossiers/{code}/actions/accept", {"version": version},
                              headers={"Idempotency-Key": f"accept-{code}"})
            except OSError:
                return
            if r.status == 200:
                with ledger.lock:
                    ledger.accepted.add(code)
            elif r.status == 409:
                pass  # accepted in an earlier round whose answer was lost to a kill
            elif r.status < 500:
                raise AssertionError(f"accept refused: {r}")

    def uploader(self, srv, session, ledger, stop, rnd):
        c = self.client(srv, session)
        k = 0
        while not stop.is_set():
            with ledger.lock:
                codes = list(ledger.submitted)
            if not codes:
                try:
                    c.request("GET", "/healthz")
                except OSError:
                    return
                continue
            code = codes[-1 - (k % min(len(codes), 5))]
            k += 1
            content = pdf_bytes(f"{code} {k} {os.urandom(6).hex()}")
            raw, ct = multipart(content)
            try:
                r = c.request("POST", f"/api/v1/dossiers/{code}/files", raw=raw, headers={"Content-Type": ct})
            except OSError:
                return
            if r.status == 201:
                with ledger.lock:
                    ledger.uploads[(code, r.json["id"])] = hashlib.sha256(content).hexdigest()
            elif r.status == 413:
                pass  # the dossier's space is used up
            elif r.status < 500:
                raise AssertionError(f"upload refused: {r}")

    # ---- checks ----
    def verify(self, clients, ledger, rnd_no):
        citizen, counter = clients["congdan1"], clients["motcua.xa1"]
        with ledger.lock:
            submitted = dict(ledger.submitted)
            accepted = set(ledger.accepted)
            uploads = dict(ledger.uploads)
        # every dossier the citizen has is whole, and codes are unique
        seen, after = [], None
        while True:
            r = citizen.request("GET", "/api/v1/dossiers?limit=200" + (f"&after={after}" if after else ""))
            self.assertEqual(r.status, 200, (rnd_no, r))
            seen += [(d["code"], d["submitted_at"]) for d in r.json["items"]]
            after = r.json.get("next")
            if not after:
                break
        codes = [c for c, _ in seen]
        self.assertEqual(len(codes), len(set(codes)), (rnd_no, "a dossier code is used twice"))
        by_code = dict(seen)
        for code, did in submitted.items():
            self.assertEqual(by_code.get(code), did, (rnd_no, "acknowledged submission lost or changed", code))
        for code in by_code:
            d = citizen.request("GET", f"/api/v1/dossiers/{code}")
            self.assertEqual(d.status, 200, (rnd_no, code, d))
            self.assertTrue(d.json["events"], (rnd_no, code, "a dossier without its submission event"))
            acc = [e for e in d.json["events"] if e.get("action") == "accept"]
            self.assertLessEqual(len(acc), 1, (rnd_no, code))
            if code in accepted:
                self.assertEqual(len(acc), 1, (rnd_no, code, "acknowledged acceptance lost"))
            if acc:
                self.assertNotEqual(d.json["status"], 1, (rnd_no, code, "accept event without the status"))
                self.assertTrue(d.json.get("due_at"), (rnd_no, code, "accepted without a due time"))
            else:
                self.assertEqual(d.json["status"], 1, (rnd_no, code, "status changed without its event"))
        # every listed file is whole (its bytes match its hash) and every acknowledged one is listed
        listed = {}
        for code in {c for c, _ in uploads} | set(list(by_code)[-8:]):
            r = citizen.request("GET", f"/api/v1/dossiers/{code}/files")
            self.assertEqual(r.status, 200, (rnd_no, r))
            for f in r.json["items"]:
                listed[(code, f["id"])] = f["sha256"]
        for key, sha in uploads.items():
            self.assertEqual(listed.get(key), sha, (rnd_no, "acknowledged upload lost", key))
        for (code, fid), sha in listed.items():
            r = citizen.request("GET", f"/api/v1/dossiers/{code}/files/{fid}/content")
            self.assertEqual(r.status, 200, (rnd_no, code, fid, r))
            # the test's files are ASCII, so the decoded body is the bytes
            self.assertEqual(hashlib.sha256(r.body.encode()).hexdigest(), sha, (rnd_no, code, fid))
        # the counter's view agrees on the accepted ones
        for code in list(accepted)[-5:]:
            self.assertEqual(counter.request("GET", f"/api/v1/dossiers/{code}").status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
