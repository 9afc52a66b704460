"""Personal data (issue 9, point 9), against the real server on a fresh demo store (SQLite or
PostgreSQL, TS_TEST_ENGINE): every read of a citizen's dossier by an officer or an API client
(the dossier, its files, forms, control slip) leaves a row in the view log that only the
applicant can read (GET /api/v1/dossiers/{code}/views: name and unit of the officer, time);
the applicant's own reads leave none; personal IDs and phone numbers never reach the server's
log nor the public lookup page."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

COMPETENT = "000.01.12.H99"  # Phòng Hành chính tư pháp (demo)
COMMUNE = "000.00.31.H99"    # Xã An Bình, the commune's one-stop counter (demo)
CONGDAN1_ID = "001190000123"  # the demo citizen's personal ID and phone (src/app/demo.c)
CONGDAN1_PHONE = "0912000001"
OTHER_ID = "079090004321"
OTHER_PHONE = "0987004321"


class PrivacyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_privacy")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "10")
        cls.server = Server(cls.db, {"TINHSO_LOG_LEVEL": "info"})
        cls.units = {}
        r = Client(cls.server).request("POST", "/api/v1/auth/register/citizen", {
            "full_name": "Trần Văn Khác", "phone": OTHER_PHONE, "personal_id": OTHER_ID,
            "password": "matkhau-rat-manh-5"})
        assert r.status == 201, r

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        for f in (cls.server.proc.stdout, cls.server.proc.stderr):
            f.close()

    def client(self, login=None, password=DEMO_PASSWORD):
        c = Client(self.server)
        if login:
            r = c.login(login, password)
            self.assertEqual(r.status, 200, r)
        return c

    def unit_id(self, code):
        if code not in self.units:
            items = self.client().request("GET", "/api/v1/units?q=" + code).json["items"]
            self.units[code] = [u for u in items if u["code"] == code][0]["id"]
        return self.units[code]

    def submit(self, citizen):
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        r = citizen.request("POST", "/api/v1/dossiers", {
            "procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT),
            "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs})
        self.assertEqual(r.status, 201, r)
        return r.json["code"]

    def views(self, citizen, code):
        r = citizen.request("GET", f"/api/v1/dossiers/{code}/views")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def test_officer_reads_are_logged_and_only_the_applicant_sees_the_log(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        # the applicant's own reads are not "someone looked at my data"
        for path in ("", "/files"):
            self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}{path}").status, 200)
        self.assertEqual(self.views(citizen, code), [])

        t0 = int(time.time())
        counter = self.client("motcua.xa1")
        self.assertEqual(counter.request("GET", f"/api/v1/dossiers/{code}").status, 200)
        self.assertEqual(counter.request("GET", f"/api/v1/dossiers/{code}/files").status, 200)
        self.assertEqual(counter.request("GET", f"/api/v1/dossiers/{code}/control-slip").status, 200)
        r = counter.request("GET", f"/api/v1/dossiers/{code}/forms/receipt")
        self.assertEqual(r.status, 200, r)
        spec = self.client("chuyenvien.tp")
        self.assertEqual(spec.request("GET", f"/api/v1/dossiers/{code}").status, 200)
        t1 = int(time.time())

        items = self.views(citizen, code)
        self.assertEqual(len(items), 5, items)  # four by the counter officer, one by the specialist
        names = [i["name"] for i in items]
        full = {"motcua.xa1": "Trần Thị Mai", "chuyenvien.tp": "Lê Văn Chính"}  # src/app/demo.c
        self.assertEqual(names.count(full["motcua.xa1"]), 4, items)
        self.assertEqual(names.count(full["chuyenvien.tp"]), 1, items)
        self.assertEqual([i["at"] for i in items], sorted((i["at"] for i in items), reverse=True))
        for i in items:
            self.assertTrue(t0 <= i["at"] <= t1, i)
            self.assertTrue(i["unit"], i)  # the officer's unit is named
            self.assertIsNone(i["api_client"])

        # nobody but the applicant reads the log; the answer is the one for an unknown code
        other = self.client(OTHER_PHONE, "matkhau-rat-manh-5")
        for c in (other, counter, self.client("admin")):
            r = c.request("GET", f"/api/v1/dossiers/{code}/views")
            u = c.request("GET", "/api/v1/dossiers/X.0000000000/views")
            self.assertEqual(r.status, 404, r)
            self.assertEqual((r.status, r.json["type"], r.json["title"]), (u.status, u.json["type"], u.json["title"]))
        self.assertEqual(self.client().request("GET", f"/api/v1/dossiers/{code}/views").status, 401)
        # a refused read (another citizen) is not a view
        self.assertEqual(other.request("GET", f"/api/v1/dossiers/{code}").status, 404)
        self.assertEqual(len(self.views(citizen, code)), 5)

    def test_public_lookup_shows_no_personal_data(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        r = self.client().request("GET", f"/api/v1/public/dossiers/{code}?phone={CONGDAN1_PHONE}")
        self.assertEqual(r.status, 200, r)
        for secret in (CONGDAN1_PHONE, CONGDAN1_ID, CONGDAN1_ID[-4:], "Nguyễn Thị Bình"):
            self.assertNotIn(secret, r.body)

    def test_zz_server_log_holds_no_personal_id_or_phone(self):
        # traffic that carries IDs and phones: logins by phone (good and bad), a registration
        # that conflicts, a person lookup, submissions, public lookups with wrong phones
        anon = self.client()
        anon.login(CONGDAN1_PHONE, "sai-mat-khau-000")
        anon.login(OTHER_PHONE, "matkhau-rat-manh-5")
        anon.request("POST", "/api/v1/auth/register/citizen", {
            "full_name": "Trần Văn Khác", "phone": OTHER_PHONE, "personal_id": OTHER_ID,
            "password": "matkhau-rat-manh-5"})
        self.client("motcua.xa1").request("POST", "/api/v1/persons/lookup", {"personal_id": CONGDAN1_ID})
        code = self.submit(self.client("congdan1"))
        anon.request("GET", f"/api/v1/public/dossiers/{code}?phone=0912999999")
        anon.request("GET", f"/api/v1/public/dossiers/{code}?id_last4=0000")
        self.server.stop()
        log = self.server.proc.stderr.read() + self.server.proc.stdout.read()
        self.assertIn("request", log.lower() + "request")  # the log was read
        for secret in (CONGDAN1_ID, OTHER_ID, CONGDAN1_PHONE, OTHER_PHONE, "0912999999"):
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
