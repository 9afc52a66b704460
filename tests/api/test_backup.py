"""Backup and restore (issue 9, point 10), on the engine named by TS_TEST_ENGINE: `tinhso
backup DEST` while the server takes submissions and uploads, `tinhso restore SRC` into an
empty store; the restored store verifies (audit chain, counters), holds every dossier
acknowledged before the backup began, and every blob its rows name, each blob's SHA-256
equal to its name; a backup of the stopped store restores to equal contents: every table
row for row and every blob hash. Restoring into a store that is not empty is refused."""
import glob
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinhso_client import BIN, DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402
from test_attach import multipart  # noqa: E402

ENGINE = os.environ.get("TS_TEST_ENGINE", "sqlite")
COMPETENT = "000.01.12.H99"
COMMUNE = "000.00.31.H99"


def pdf(n):
    return b"%PDF-1.4\n%" + hashlib.sha256(str(n).encode()).hexdigest().encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def cli(db, files, *args, check=True):
    env = dict(os.environ, TINHSO_ATTACH_DIR=files)
    p = subprocess.run([BIN, *args, "--database", db], capture_output=True, text=True, env=env, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"tinhso {' '.join(args)} failed ({p.returncode}): {p.stdout} {p.stderr}")
    return p


def table_digests(db):
    """{table: (rows, sha256 of the sorted rows)} for every table of the store."""
    out = {}
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
        for t in names:
            rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{t}"'))
            out[t] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        con.close()
        return out
    psql = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c"]
    names = subprocess.run(psql + ["SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                   "'public' AND table_type = 'BASE TABLE'"],
                           check=True, capture_output=True, text=True).stdout.split()
    for t in names:
        line = subprocess.run(psql + [f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY "
                                      f"t::text), '')) FROM \"{t}\" t"],
                              check=True, capture_output=True, text=True).stdout.strip()
        n, h = line.split("|")
        out[t] = (int(n), h)
    return out


def blob_hashes(files):
    """{name: sha256 of the content} of every blob under files/sha256/."""
    out = {}
    for p in glob.glob(os.path.join(files, "sha256", "*", "*", "*")):
        with open(p, "rb") as f:
            out[os.path.basename(p)] = hashlib.sha256(f.read()).hexdigest()
    return out


@unittest.skipIf(ENGINE == "pgsql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")
                                           and shutil.which("psql")), "pg_dump/pg_restore not installed")
class BackupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tinhso-backup-")
        self.files = os.path.join(self.tmp, "files")
        self.db = fresh_database("api_backup")
        run_cli(self.db, "migrate")
        run_cli(self.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "30")
        self.server = Server(self.db, {"TINHSO_ATTACH_DIR": self.files})
        self.units = {}

    def tearDown(self):
        self.server.stop()
        for f in (self.server.proc.stdout, self.server.proc.stderr):
            f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def unit_id(self, code):
        if code not in self.units:
            items = Client(self.server).request("GET", "/api/v1/units?q=" + code).json["items"]
            self.units[code] = [u for u in items if u["code"] == code][0]["id"]
        return self.units[code]

    def submit_with_file(self, citizen, n):
        p = Client(self.server).request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        r = citizen.request("POST", "/api/v1/dossiers", {
            "procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT),
            "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs})
        self.assertEqual(r.status, 201, r)
        code = r.json["code"]
        body, ct = multipart({"component": "TP01"}, f"to-khai-{n}.pdf", pdf(n), "application/pdf")
        u = citizen.request("POST", f"/api/v1/dossiers/{code}/files", raw=body, headers={"Content-Type": ct})
        self.assertEqual(u.status, 201, u)
        return code

    def citizen(self):
        c = Client(self.server)
        self.assertEqual(c.login("congdan1").status, 200)
        return c

    def restored_store(self, name):
        if ENGINE == "sqlite":
            return "sqlite:" + os.path.join(self.tmp, name + ".db")
        return fresh_database(name)

    def check_restored(self, db, files):
        self.assertIn("audit chain ok", cli(db, files, "audit", "verify").stdout)
        cli(db, files, "stats", "recount", "--check")
        blobs = blob_hashes(files)
        for name, h in blobs.items():
            self.assertEqual(name, h)  # no blob is truncated or altered
        return blobs

    def test_backup_while_serving_then_restore_and_compare(self):
        citizen = self.citizen()
        acked = [self.submit_with_file(citizen, i) for i in range(5)]

        # writers keep going while the backup runs
        stop, errors, during = threading.Event(), [], []

        def load(k):
            c = self.citizen()
            i = 0
            while not stop.is_set() and i < 200:
                try:
                    during.append(self.submit_with_file(c, 1000 * k + i))
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                    return
                i += 1
        threads = [threading.Thread(target=load, args=(k,)) for k in (1, 2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(during) < 3 and not errors and time.monotonic() < deadline:
            threading.Event().wait(0.01)  # the load is under way before the backup starts
        self.assertGreaterEqual(len(during), 3, errors)
        before = list(acked) + list(during)
        bk1 = os.path.join(self.tmp, "bk1")
        out = cli(self.db, self.files, "backup", bk1).stdout
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertIn("backup written", out)

        db1, files1 = self.restored_store("api_backup_r1"), os.path.join(self.tmp, "files-r1")
        cli(db1, files1, "restore", bk1)
        blobs1 = self.check_restored(db1, files1)
        srv1 = Server(db1, {"TINHSO_ATTACH_DIR": files1})
        try:
            c = Client(srv1)
            self.assertEqual(c.login("congdan1").status, 200)
            for code in before:  # acknowledged before the backup began: all there, with their file
                r = c.request("GET", f"/api/v1/dossiers/{code}/files")
                self.assertEqual(r.status, 200, (code, r))
                items = r.json["items"] if isinstance(r.json, dict) else r.json
                self.assertTrue(items, code)
                for f in items:
                    self.assertIn(f["sha256"], blobs1)
                    d = c.request("GET", f"/api/v1/dossiers/{code}/files/{f['id']}/content")
                    self.assertEqual(d.status, 200, d)
        finally:
            srv1.stop()
            for f in (srv1.proc.stdout, srv1.proc.stderr):
                f.close()

        # a backup of the store at rest restores to the same contents, table for table
        self.server.stop()
        bk2 = os.path.join(self.tmp, "bk2")
        cli(self.db, self.files, "backup", bk2)
        db2, files2 = self.restored_store("api_backup_r2"), os.path.join(self.tmp, "files-r2")
        cli(db2, files2, "restore", bk2)
        self.check_restored(db2, files2)
        want, got = table_digests(self.db), table_digests(db2)
        self.assertGreater(len(want), 20)
        self.assertEqual(sorted(want), sorted(got))
        for t in want:
            self.assertEqual(want[t], got[t], t)
        self.assertEqual(blob_hashes(self.files), blob_hashes(files2))
        self.assertGreaterEqual(len(blob_hashes(files2)), 5 + len(during))

        # never over a store that holds data; never into a folder that is not empty
        p = cli(db2, files2, "restore", bk2, check=False)
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("trống", p.stderr)
        p = cli(self.db, self.files, "backup", bk2, check=False)
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(table_digests(db2), got)  # the refused restore changed nothing


if __name__ == "__main__":
    unittest.main(verbosity=2)
