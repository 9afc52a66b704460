"""tinhso migrate-store on the demo province: SQLite -> a new PostgreSQL database. The copy is
verified table by table and by the audit chain; the copied store serves (identity columns
continue after the copied ids); a second copy into a used database is refused; a changed
row in the target is found by --check."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from tinhso_client import BIN, DEMO_PASSWORD, SRC, Client, Server, fresh_database, run_cli  # noqa: E402


def tinhso(*args):
    env = dict(os.environ, TINHSO_LOG_LEVEL="warn")
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=600)


def psql(url, sql):
    p = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return p.stdout.strip()


class MigrateStoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["TS_TEST_ENGINE"] = "sqlite"
        cls.src = fresh_database("unused")
        run_cli(cls.src, "migrate")
        run_cli(cls.src, "demo", "--password", DEMO_PASSWORD, "--dossiers", "150")
        os.environ["TS_TEST_ENGINE"] = "pgsql"
        cls.dst = fresh_database("migrate_store")

    def test_copy_verify_serve_refuse_detect(self):
        p = tinhso("migrate-store", "--from", self.src, "--to", self.dst)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("migrate-store verified: 0 tables differ", p.stdout)
        self.assertIn("audit chain of the target ok", p.stdout)
        for table in ("dossier", "dossier_event", "audit", "account", "org_unit", "sequence_counter"):
            self.assertRegex(p.stdout, rf"compare {table} +(\d+) / +\1 rows  same")
        self.assertNotIn("DIFFERENT", p.stdout)
        n_src = int(subprocess.run(["sqlite3", self.src[len("sqlite:"):], "SELECT count(*) FROM dossier"],
                                   capture_output=True, text=True).stdout)
        self.assertGreater(n_src, 100)
        self.assertEqual(int(psql(self.dst, "SELECT count(*) FROM dossier")), n_src)

        # the copy serves: a new dossier gets the next id and a fresh code
        srv = Server(self.dst)
        try:
            c = Client(srv)
            self.assertEqual(c.login("congdan1").status, 200)
            anon = Client(srv)
            units = {u["code"]: u["id"] for u in anon.request("GET", "/api/v1/units?limit=500").json["items"]}
            proc = anon.request("GET", "/api/v1/procedures/DEMO.000003").json
            docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
            r = c.request("POST", "/api/v1/dossiers", {
                "procedure_code": "DEMO.000003", "competent_unit_id": units["000.01.12.H99"],
                "receiving_unit_id": units["000.00.31.H99"], "delivery": "counter", "documents": docs})
            self.assertEqual(r.status, 201, r)
        finally:
            srv.stop()
        self.assertEqual(int(psql(self.dst, "SELECT count(*) FROM dossier")), n_src + 1)
        self.assertIn("ok", run_cli(self.dst, "audit", "verify").stdout)

        # a used database is never overwritten
        p = tinhso("migrate-store", "--from", self.src, "--to", self.dst)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("not empty", p.stderr)

        # --check finds a difference (here: the dossier added above, and a changed row)
        psql(self.dst, "UPDATE org_unit SET name = name || ' (sửa)' WHERE id = (SELECT min(id) FROM org_unit)")
        p = tinhso("migrate-store", "--from", self.src, "--to", self.dst, "--check")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stdout, r"compare org_unit .* DIFFERENT")
        self.assertRegex(p.stdout, r"compare dossier .* DIFFERENT")
        self.assertRegex(p.stdout, r"compare procedure .* same")

    def test_bad_arguments(self):
        p = tinhso("migrate-store", "--from", self.dst, "--to", self.src)
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
