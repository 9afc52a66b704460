"""Every path of the dossier lifecycle over HTTP (issue 3), against the real server on a fresh
demo store (SQLite or PostgreSQL, TS_TEST_ENGINE): refusal, withdrawal, stop, financial
obligation, apology, return to an earlier step, named assignees, allowed actions, the late
rule for a second supplement request, work queues, counter intake, holding at the counter,
workflow publishing with running dossiers kept on their version, CSV catalogue import
applied all or nothing, the demo history in every status, and 8 x 500 concurrent
submissions without a repeated code."""
import csv
import io
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

COMPETENT = "000.01.12.H99"  # the Department of Justice's division (demo)
COMMUNE = "000.00.31.H99"    # the commune's one-stop counter (demo)


class DossierPathsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_paths")
        run_cli(cls.db, "migrate")
        first = run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "120").stdout
        assert "dossiers: " in first and "played" in first, first
        again = run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "120").stdout
        assert "dossiers: already there" in again, again
        cls.server = Server(cls.db)
        cls.units = {}
        cls.accounts = {}

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0

    # ---- helpers ----
    def client(self, login=None):
        c = Client(self.server)
        if login:
            r = c.login(login)
            self.assertEqual(r.status, 200, r)
        return c

    def unit_id(self, code):
        if code not in self.units:
            items = self.client().request("GET", "/api/v1/units?q=" + code).json["items"]
            self.units[code] = [u for u in items if u["code"] == code][0]["id"]
        return self.units[code]

    def account_id(self, username):
        if username not in self.accounts:
            r = self.client("admin").request("GET", "/api/v1/accounts?q=" + username + "&limit=50")
            self.assertEqual(r.status, 200, r)
            self.accounts[username] = [a for a in r.json["items"] if a.get("username") == username][0]["id"]
        return self.accounts[username]

    def get(self, client, code):
        r = client.request("GET", f"/api/v1/dossiers/{code}")
        self.assertEqual(r.status, 200, r)
        return r.json

    def act(self, client, code, action, body=None, expect=200):
        payload = dict(body or {}, version=self.get(client, code)["version"])
        r = client.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", payload)
        self.assertEqual(r.status, expect, (action, r))
        return r.json

    def submit(self, citizen=None, proc="DEMO.000003", key=None):
        citizen = citizen or self.client("congdan1")
        p = self.client().request("GET", f"/api/v1/procedures/{proc}").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": proc, "competent_unit_id": self.unit_id(COMPETENT),
                "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs}
        r = citizen.request("POST", "/api/v1/dossiers", body,
                            headers={"Idempotency-Key": key} if key else None)
        self.assertEqual(r.status, 201, r)
        return r.json["code"]

    def accepted(self, **extra):
        code = self.submit()
        self.act(self.client("motcua.xa1"), code, "accept", extra)
        return code

    def allowed(self, client, code):
        return {a["action"] for a in self.get(client, code)["allowed_actions"]}

    # ---- reception ----
    def test_refusal_lists_structured_reasons_and_ends_the_dossier(self):
        code, counter = self.submit(), self.client("motcua.xa1")
        r = counter.request("POST", f"/api/v1/dossiers/{code}/actions/refuse", {"version": 1})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["field"], "reason")
        d = self.act(counter, code, "refuse", {"reason": "Không thuộc thẩm quyền", "items": [
            {"document": "TP01", "reason": "Sai mẫu tờ khai"}, {"field": "purpose", "reason": "Không ghi mục đích"}]})
        self.assertEqual(d["status"], 3)
        self.assertTrue(d["ended_at"])
        ev = [e for e in self.get(counter, code)["events"] if e["action"] == "refuse"][0]
        self.assertEqual([i["reason"] for i in ev["items"]], ["Sai mẫu tờ khai", "Không ghi mục đích"])
        self.assertEqual(self.allowed(counter, code), set())
        self.act(counter, code, "accept", expect=409)

    def test_citizen_withdraws_and_agency_stops_with_a_reason(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        self.assertIn("withdraw", self.allowed(citizen, code))
        self.assertEqual(self.act(citizen, code, "withdraw", {"reason": "Nộp nhầm"})["status"], 7)
        code = self.accepted()
        spec = self.client("chuyenvien.tp")
        r = spec.request("POST", f"/api/v1/dossiers/{code}/actions/stop", {"version": self.get(spec, code)["version"]})
        self.assertEqual(r.status, 422, r)
        d = self.act(spec, code, "stop", {"reason": "Người nộp đề nghị dừng"})
        self.assertEqual(d["status"], 8)
        # a citizen cannot withdraw what the agency stopped
        self.act(citizen, code, "withdraw", {"reason": "x"}, expect=409)

    def test_counter_intake_accepts_at_once_or_holds_paper_at_the_counter(self):
        counter = self.client("motcua.xa1")
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        r = counter.request("POST", "/api/v1/dossiers/intake", {
            "procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT), "channel": 1,
            "applicant_name": "Lê Văn Tám", "applicant_phone": "0987000111", "documents": docs,
            "accept_now": True})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["status"], 4)
        self.assertEqual(r.json["receiving_unit_id"], self.unit_id(COMMUNE))
        self.assertEqual(r.json["competent_unit_id"], self.unit_id(COMPETENT))  # phi địa giới
        # an online dossier accepted and held at the counter stays at status 2 until forwarded
        code = self.accepted(hold=True)
        d = self.get(counter, code)
        self.assertEqual((d["status"], d["current_step"]), (2, 1))
        self.assertTrue(d["due_at"])  # the clock started at acceptance
        self.assertIn("forward", self.allowed(counter, code))
        self.assertEqual(self.act(counter, code, "forward")["status"], 4)

    # ---- processing ----
    def test_named_assignee_and_allowed_actions(self):
        code = self.submit()
        counter = self.client("motcua.xa1")
        self.assertTrue({"accept", "refuse", "request_supplement"} <= self.allowed(counter, code))
        self.assertNotIn("accept", self.allowed(self.client("congdan1"), code))
        r = counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept",
                            {"version": 1, "assignee_account_id": self.account_id("vanthu.tp")})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["field"], "assignee_account_id")
        d = self.act(counter, code, "accept", {"assignee_account_id": self.account_id("chuyenvien.tp")})
        self.assertEqual(d["assignee_account_id"], self.account_id("chuyenvien.tp"))
        spec = self.client("chuyenvien.tp")
        self.assertTrue({"forward", "request_supplement", "request_payment", "stop"} <= self.allowed(spec, code))
        self.assertNotIn("finish", self.allowed(spec, code))  # approval comes after this step
        self.act(spec, code, "finish", expect=409)
        # the division head supervises the step: may reassign, not process
        head = self.client("truongphong.tp")
        self.assertEqual(self.allowed(head, code), {"assign"})

    def test_payment_pauses_the_clock_and_resumes(self):
        code = self.accepted()
        spec, citizen = self.client("chuyenvien.tp"), self.client("congdan1")
        before = self.get(spec, code)
        self.assertEqual(self.act(spec, code, "request_payment")["status"], 6)
        self.assertEqual(self.allowed(citizen, code), {"payment_done", "withdraw"})
        d = self.act(citizen, code, "payment_done")
        self.assertEqual(d["status"], 4)
        full = self.get(spec, code)
        self.assertGreaterEqual(full["paused_seconds"], 0)
        self.assertGreaterEqual(full["due_at"], before["due_at"])
        self.assertLessEqual(full["due_at"] - before["due_at"], full["paused_seconds"] + 16 * 3600)

    def test_apology_once_keeps_old_and_new_dates(self):
        code = self.accepted()
        spec = self.client("chuyenvien.tp")
        due = self.get(spec, code)["current_due_at"]
        r = spec.request("POST", f"/api/v1/dossiers/{code}/actions/apologize",
                         {"version": self.get(spec, code)["version"], "reason": "x", "new_due": due - 60})
        self.assertEqual(r.status, 422, r)
        d = self.act(spec, code, "apologize", {"reason": "Cần xác minh thêm", "new_due": due + 7 * 86400})
        self.assertEqual((d["original_due_at"], d["current_due_at"], d["apology_count"]), (due, due + 7 * 86400, 1))
        self.assertNotIn("apologize", self.allowed(spec, code))
        self.act(spec, code, "apologize", {"reason": "Lần hai", "new_due": due + 14 * 86400}, expect=409)

    def test_return_to_an_earlier_step_is_on_the_control_slip(self):
        code = self.accepted()
        spec, leader = self.client("chuyenvien.tp"), self.client("lanhdao.tp")
        self.act(spec, code, "forward")
        self.act(leader, code, "return_to_step", {"to_step": 3, "reason": "x"}, expect=422)
        d = self.act(leader, code, "return_to_step", {"to_step": 2, "reason": "Thiếu căn cứ pháp lý"})
        self.assertEqual(d["current_step"], 2)
        self.act(spec, code, "forward")
        self.assertEqual(self.act(leader, code, "finish")["status"], 9)
        slip = spec.request("GET", f"/api/v1/dossiers/{code}/control-slip")
        self.assertEqual(slip.status, 200, slip)
        self.assertIn("Thiếu căn cứ pháp lý", slip.body)
        events = self.get(spec, code)["events"]
        ret = [e for e in events if e["action"] == "return_to_step"][0]
        self.assertEqual((ret["step"], ret["to_step"]), (3, 2))
        self.assertIn(ret["result"], ("early", "on_time", "late"))

    def test_second_supplement_request_counts_late(self):
        code = self.accepted()
        spec, citizen = self.client("chuyenvien.tp"), self.client("congdan1")
        for n in (1, 2):
            self.act(spec, code, "request_supplement", {"items": [{"document": "TP01", "reason": f"Lần {n}"}]})
            self.act(citizen, code, "resubmit")
        self.act(spec, code, "forward")
        d = self.act(self.client("lanhdao.tp"), code, "finish")
        self.assertEqual(d["supplement_count"], 2)
        self.assertIs(d["on_time"], False)

    # ---- queues ----
    def test_work_queue_filters_and_keyset_pages(self):
        spec = self.client("chuyenvien.tp")
        seen, after = [], None
        for _ in range(4):
            r = spec.request("GET", "/api/v1/dossiers?status=4&limit=3" + (f"&after={after}" if after else ""))
            self.assertEqual(r.status, 200, r)
            self.assertTrue(all(i["status"] == 4 for i in r.json["items"]))
            seen += r.json["items"]
            after = r.json["next"]
            if not after:
                break
        codes = [i["code"] for i in seen]
        self.assertEqual(len(codes), len(set(codes)))
        dues = [i["current_due_at"] or 2**62 for i in seen]
        self.assertEqual(dues, sorted(dues))
        now = time.time()
        r = self.client("admin").request("GET", "/api/v1/dossiers?overdue=true&limit=50")
        self.assertTrue(r.json["items"], "the demo history leaves overdue work")
        self.assertTrue(all(i["current_due_at"] < now and i["status"] in (1, 2, 4, 5, 6) for i in r.json["items"]))
        one = seen[0]["code"]
        r = spec.request("GET", "/api/v1/dossiers?q=" + one)
        self.assertEqual([i["code"] for i in r.json["items"]], [one])
        self.assertEqual(spec.request("GET", "/api/v1/dossiers?limit=0").status, 422)
        self.assertEqual(spec.request("GET", "/api/v1/dossiers?after=garbage").status, 422)

    def test_demo_history_has_every_status(self):
        admin = self.client("admin")
        for status in range(1, 11):
            r = admin.request("GET", f"/api/v1/dossiers?status={status}&limit=1")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.json["items"], f"no demo dossier in status {status}")

    # ---- workflows ----
    def test_flow_publish_checks_and_running_dossiers_keep_their_version(self):
        admin = self.client("admin")
        proc, old = self.offered_elsewhere()
        steps = [{"kind": "receive", "role": "counter_officer", "unit": "receiving", "hours": 1},
                 {"kind": "process", "role": "specialist", "unit": "competent", "hours": 2},
                 {"kind": "review", "role": "division_head", "unit": "competent", "hours": 1},
                 {"kind": "approve", "role": "agency_leader", "unit": "competent", "hours": 1},
                 {"kind": "return", "role": "counter_officer", "unit": "receiving", "hours": 0}]
        path = f"/api/v1/procedures/{proc}/flows"
        too_long = [dict(s) for s in steps]
        too_long[1]["hours"] = 100000
        r = admin.request("POST", path, {"unit_id": self.unit_id(COMPETENT), "steps": too_long})
        self.assertEqual(r.status, 422, r)
        self.assertTrue(r.json["field"].startswith("steps"), r.json)
        r = admin.request("POST", path, {"steps": [steps[1], steps[0]]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.client("chuyenvien.tp").request("POST", path, {"steps": steps}).status, 403)
        r = admin.request("POST", path, {"unit_id": self.unit_id(COMPETENT), "steps": steps})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["version"], 1)
        listed = self.client("chuyenvien.tp").request("GET", path).json["flows"]
        self.assertEqual([len(f["steps"]) for f in listed], [5])
        # the new flow: the division head reviews after the specialist
        new = self.accepted_for(proc)
        self.act(self.client("chuyenvien.tp"), new, "forward")
        self.assertEqual(self.get(admin, new)["current_step"], 3)
        self.act(self.client("truongphong.tp"), new, "forward")
        self.assertEqual(self.act(self.client("lanhdao.tp"), new, "finish")["status"], 9)
        # the dossier accepted before keeps the default flow: approval follows processing
        self.act(self.client("chuyenvien.tp"), old, "forward")
        self.assertEqual(self.act(self.client("lanhdao.tp"), old, "finish")["status"], 9)

    def offered_elsewhere(self):
        """A generated procedure no other test uses, offered at the competent unit online."""
        for n in range(30, 200):
            proc = f"DEMO.{n:06d}"
            p = self.client().request("GET", f"/api/v1/procedures/{proc}").json
            docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
            body = {"procedure_code": proc, "competent_unit_id": self.unit_id(COMPETENT),
                    "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs}
            r = self.client("congdan1").request("POST", "/api/v1/dossiers", body)
            if r.status == 201:
                self.act(self.client("motcua.xa1"), r.json["code"], "accept")
                return proc, r.json["code"]
        self.fail("no generated procedure offered at " + COMPETENT)

    def accepted_for(self, proc):
        code = self.submit(proc=proc)
        self.act(self.client("motcua.xa1"), code, "accept")
        return code

    # ---- catalogue CSV import ----
    def test_csv_import_is_all_or_nothing_and_names_the_line(self):
        admin = self.client("admin")
        exported = self.client().request("GET", "/api/v1/procedures/export?format=csv").body
        rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
        head = list(rows[0].keys())
        src = [r for r in rows if r["code"] == "DEMO.000020"]
        self.assertTrue(src)

        def as_csv(recs):
            out = io.StringIO()
            w = csv.DictWriter(out, fieldnames=head, lineterminator="\r\n")
            w.writeheader()
            w.writerows(recs)
            return out.getvalue().encode()

        good = [dict(r, code="DEMO.900001") for r in src]
        bad = [dict(r, code="DEMO.900002", times="1:abc:working_days") for r in src]
        hdr = {"Content-Type": "text/csv; charset=utf-8"}
        r = admin.request("POST", "/api/v1/procedures/import.csv", raw=as_csv(good + bad), headers=hdr)
        self.assertEqual(r.status, 422, r)
        self.assertTrue(r.json["field"].startswith(f"line/{len(good) + 2}/"), r.json)
        self.assertEqual(self.client().request("GET", "/api/v1/procedures/DEMO.900001").status, 404)
        r = admin.request("POST", "/api/v1/procedures/import.csv", raw=as_csv(good), headers=hdr)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["created"], 1)
        self.assertEqual(self.client().request("GET", "/api/v1/procedures/DEMO.900001").status, 200)
        r = admin.request("POST", "/api/v1/procedures/import.csv", raw=as_csv(good),
                          headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 415, r)
        self.assertEqual(self.client("chuyenvien.tp").request(
            "POST", "/api/v1/procedures/import.csv", raw=as_csv(good), headers=hdr).status, 403)

    # ---- codes ----
    def test_codes_never_repeat_8_clients_x_500(self):
        """8 concurrent clients submit 500 dossiers each; every code is new and well formed."""
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT),
                "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs}
        codes, failures, lock = [], [], threading.Lock()

        def run():
            c = self.client("congdan1")
            for _ in range(500):
                r = c.request("POST", "/api/v1/dossiers", body)
                with lock:
                    (codes.append(r.json["code"]) if r.status == 201 else failures.append(r))
        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        self.assertEqual(failures[:3], [])
        self.assertEqual(len(codes), 4000)
        self.assertEqual(len(set(codes)), 4000)
        self.assertTrue(all(c.startswith(COMMUNE + "-") for c in codes))


if __name__ == "__main__":
    unittest.main(verbosity=2)
