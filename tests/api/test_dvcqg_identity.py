"""Identity lookup through the integration platform (issue 7) against the real server and the
population-data emulator (tests/emulator), on SQLite or PostgreSQL: a counter officer looks a
citizen up by personal ID to pre-fill the form and marks the dossier as using population data
(index 4.5); when the remote is down the lookup says so (503) and the counter intake still
works by hand; lookups are audited with the ID masked and the ID never reaches the logs."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "emulator"))
from population_emulator import PopulationEmulator  # noqa: E402
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

COMPETENT = "000.01.12.H99"
PID = "001085012345"


class IdentityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_identity")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.pop = PopulationEmulator({PID: {"HoVaTen": "Đỗ Thị Hằng", "NgaySinh": "1985-03-02",
                                            "GioiTinh": "Nữ", "NoiThuongTru": "Thôn 2, xã Demo"}})
        cls.server = Server(cls.db, {"TINHSO_IDENTITY_URL": cls.pop.url, "TINHSO_IDENTITY_TOKEN": "pop-token",
                                     "TINHSO_IDENTITY_TIMEOUT_MS": "2000", "TINHSO_LOG_LEVEL": "info"})

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.pop.down()
        logs = cls.server.proc.stderr.read()
        assert code == 0, code
        assert PID not in logs, "a personal ID reached the logs"

    def client(self, login=None):
        c = Client(self.server)
        if login:
            self.assertEqual(c.login(login).status, 200)
        return c

    def intake(self, counter, name):
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        units = self.client().request("GET", "/api/v1/units?q=" + COMPETENT).json["items"]
        r = counter.request("POST", "/api/v1/dossiers/intake", {
            "procedure_code": "DEMO.000003", "competent_unit_id": [u for u in units if u["code"] == COMPETENT][0]["id"],
            "channel": 1, "applicant_name": name, "applicant_phone": "0987000222", "documents": docs})
        self.assertEqual(r.status, 201, r)
        return r.json["code"]

    def test_lookup_prefills_and_marks_the_dossier(self):
        counter = self.client("motcua.xa1")
        r = counter.request("POST", "/api/v1/identity/lookup", {"personal_id": PID})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["full_name"], r.json["birth_date"], r.json["source"]),
                         ("Đỗ Thị Hằng", "1985-03-02", "population_db"))
        self.assertIn(PID, self.pop.lookups)
        self.assertEqual(counter.request("POST", "/api/v1/identity/lookup", {"personal_id": "001085099999"}).status, 404)
        self.assertEqual(counter.request("POST", "/api/v1/identity/lookup", {"personal_id": "12345678901a"}).status, 422)
        self.assertEqual(self.client("congdan1").request("POST", "/api/v1/identity/lookup", {"personal_id": PID}).status, 403)
        code = self.intake(counter, r.json["full_name"])
        self.assertFalse(counter.request("GET", f"/api/v1/dossiers/{code}/population-data").json["population_data"])
        m = counter.request("POST", f"/api/v1/dossiers/{code}/population-data")
        self.assertEqual(m.status, 200, m)
        self.assertTrue(m.json["population_data"])
        again = counter.request("POST", f"/api/v1/dossiers/{code}/population-data")
        self.assertEqual(again.json["marked_at"], m.json["marked_at"])
        self.assertTrue(self.client("chuyenvien.tp").request("GET", f"/api/v1/dossiers/{code}/population-data")
                        .json["population_data"])
        # audited, with the ID masked
        audit = self.client("admin").request("GET", "/api/v1/audit?object_type=citizen&limit=50").json
        rows = audit["items"] if isinstance(audit, dict) else audit
        self.assertTrue(rows)
        self.assertNotIn(PID, str(rows))

    def test_remote_down_means_fill_by_hand(self):
        self.pop.down()
        try:
            counter = self.client("motcua.xa1")
            r = counter.request("POST", "/api/v1/identity/lookup", {"personal_id": PID})
            self.assertEqual(r.status, 503, r)
            self.assertIn("nhập", r.json["detail"])
            code = self.intake(counter, "Đỗ Thị Hằng")  # by hand
            self.assertFalse(counter.request("GET", f"/api/v1/dossiers/{code}/population-data").json["population_data"])
        finally:
            self.pop.up()


if __name__ == "__main__":
    unittest.main(verbosity=2)
