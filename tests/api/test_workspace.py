"""The officer workspace's reads (issue 5), against the real server on a fresh demo store
(SQLite or PostgreSQL, TS_TEST_ENGINE): live queue counts that agree with the queues they
count, the officers eligible for the next step (and only they are accepted as receivers),
finding a person at the counter by ID number (audited, never logged), the inputs each allowed
action takes, and a procedure's version history."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

COMPETENT = "000.01.12.H99"  # Phòng Hành chính tư pháp (demo)
COMMUNE = "000.00.31.H99"    # Xã An Bình, the commune's one-stop counter (demo)
CONGDAN1_ID = "001190000123"  # the demo citizen's personal ID number (src/app/demo.c)


class WorkspaceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_workspace")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "40")
        cls.server = Server(cls.db, {"TINHSO_LOG_LEVEL": "info"})
        cls.units = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        for f in (cls.server.proc.stdout, cls.server.proc.stderr):
            f.close()

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

    def get(self, client, code):
        r = client.request("GET", f"/api/v1/dossiers/{code}")
        self.assertEqual(r.status, 200, r)
        return r.json

    def submit(self, citizen=None):
        citizen = citizen or self.client("congdan1")
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        r = citizen.request("POST", "/api/v1/dossiers", {
            "procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT),
            "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs})
        self.assertEqual(r.status, 201, r)
        return r.json["code"]

    def count_list(self, client, query):
        """How many dossiers GET /api/v1/dossiers lists for query, over every page."""
        n, after = 0, None
        while True:
            r = client.request("GET", "/api/v1/dossiers?limit=200&" + query + (f"&after={after}" if after else ""))
            self.assertEqual(r.status, 200, r)
            n += len(r.json["items"])
            after = r.json["next"]
            if not after:
                return n

    # ---- live queue counts ----
    def test_queue_counts_agree_with_the_queues_and_move_with_the_dossiers(self):
        counter = self.client("motcua.xa1")
        before = counter.request("GET", "/api/v1/queues/counts")
        self.assertEqual(before.status, 200, before)
        c = before.json
        self.assertEqual(c["new"], self.count_list(counter, "status=new"))
        self.assertEqual(c["mine"], self.count_list(counter, "assignee=me"))
        self.assertEqual(c["overdue"], self.count_list(counter, "overdue=1"))
        self.assertEqual(c["all"], self.count_list(counter, ""))
        self.assertEqual(c["due_soon"], self.count_list(
            counter, f"due_after={c['at']}&due_before={c['due_soon_before']}"))
        self.assertEqual(c["due_soon_before"] - c["at"], 3 * 86400)
        self.assertEqual(c["unit_id"], self.unit_id(COMMUNE))
        self.assertTrue(all(s["count"] > 0 and s["step"] >= 1 for s in c["by_step"]))
        # a new online dossier shows at once in "waiting for acceptance"
        code = self.submit()
        after = counter.request("GET", "/api/v1/queues/counts").json
        self.assertEqual(after["new"], c["new"] + 1)
        self.assertEqual(after["all"], c["all"] + 1)
        # accepted for a named specialist: it leaves "new" and enters that officer's "mine"
        spec = self.client("chuyenvien.tp")
        mine = spec.request("GET", "/api/v1/queues/counts").json["mine"]
        me = spec.request("GET", "/api/v1/auth/me").json["account"]
        d = counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept",
                            {"version": 1, "assignee_account_id": me["id"]})
        self.assertEqual(d.status, 200, d)
        self.assertEqual(counter.request("GET", "/api/v1/queues/counts").json["new"], c["new"])
        self.assertEqual(spec.request("GET", "/api/v1/queues/counts").json["mine"], mine + 1)

    def test_queue_counts_are_for_officers_in_scope(self):
        self.assertEqual(self.client("congdan1").request("GET", "/api/v1/queues/counts").status, 403)
        self.assertEqual(self.client().request("GET", "/api/v1/queues/counts").status, 401)
        counter = self.client("motcua.xa1")
        r = counter.request("GET", f"/api/v1/queues/counts?unit={self.unit_id(COMPETENT)}")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(counter.request("GET", "/api/v1/queues/counts?days=0").status, 422)
        self.assertEqual(counter.request("GET", "/api/v1/queues/counts?days=7").json["due_soon_before"] -
                         counter.request("GET", "/api/v1/queues/counts?days=7").json["at"], 7 * 86400)
        # the administrator sees everywhere
        everywhere = self.client("admin").request("GET", "/api/v1/queues/counts").json
        self.assertIsNone(everywhere["unit_id"])
        self.assertGreaterEqual(everywhere["all"], counter.request("GET", "/api/v1/queues/counts").json["all"])

    # ---- who may receive the next step ----
    def test_eligible_officers_hold_the_next_steps_role_and_only_they_are_accepted(self):
        code = self.submit()
        counter = self.client("motcua.xa1")
        r = counter.request("GET", f"/api/v1/dossiers/{code}/eligible-officers")
        self.assertEqual(r.status, 200, r)
        e = r.json
        self.assertEqual((e["step"], e["role"]), (2, "specialist"))
        self.assertEqual(e["unit_id"], self.unit_id(COMPETENT))
        names = {o["username"] for o in e["officers"]}
        self.assertIn("chuyenvien.tp", names)
        self.assertNotIn("vanthu.tp", names)   # a clerk of the department: not a specialist
        self.assertNotIn("motcua.xa1", names)
        # the accept action names the step its receiver works on
        acts = {a["action"]: a for a in self.get(counter, code)["allowed_actions"]}
        assignee = [f for f in acts["accept"]["fields"] if f["name"] == "assignee_account_id"][0]
        self.assertEqual((assignee["step"], assignee["required"]), (2, False))
        chosen = [o for o in e["officers"] if o["username"] == "chuyenvien.tp"][0]["id"]
        d = counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept",
                            {"version": 1, "assignee_account_id": chosen})
        self.assertEqual(d.status, 200, d)
        # the dossier names its current step: kind, role, unit, out of how many
        spec = self.client("chuyenvien.tp")
        step = self.get(spec, code)["step"]
        self.assertEqual((step["ord"], step["kind"], step["role"], step["unit_id"]),
                         (2, "process", "specialist", self.unit_id(COMPETENT)))
        self.assertGreaterEqual(step["of"], 3)
        # step 3 (approval): the department's leader, not the specialist
        e3 = spec.request("GET", f"/api/v1/dossiers/{code}/eligible-officers").json
        self.assertEqual(e3["step"], 3)
        self.assertIn("lanhdao.tp", {o["username"] for o in e3["officers"]})
        self.assertNotIn("chuyenvien.tp", {o["username"] for o in e3["officers"]})
        # someone outside that list is refused as a receiver by the engine
        outsider = [o for o in e["officers"] if o["username"] == "chuyenvien.tp"][0]["id"]
        v = self.get(spec, code)["version"]
        r = spec.request("POST", f"/api/v1/dossiers/{code}/actions/forward",
                         {"version": v, "assignee_account_id": outsider})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["field"], "assignee_account_id")
        # an explicit step, and steps outside the flow
        self.assertEqual(spec.request("GET", f"/api/v1/dossiers/{code}/eligible-officers?step=2").json["role"], "specialist")
        self.assertEqual(spec.request("GET", f"/api/v1/dossiers/{code}/eligible-officers?step=29").status, 422)
        self.assertEqual(spec.request("GET", f"/api/v1/dossiers/{code}/eligible-officers?step=x").status, 422)
        # not readable by an officer of an unrelated unit, nor by citizens
        self.assertEqual(self.client("congdan1").request("GET", f"/api/v1/dossiers/{code}/eligible-officers").status, 403)
        self.assertEqual(spec.request("GET", "/api/v1/dossiers/NOPE-1/eligible-officers").status, 404)

    # ---- allowed actions carry their inputs ----
    def test_allowed_actions_carry_the_inputs_the_engine_requires(self):
        code = self.submit()
        counter, citizen = self.client("motcua.xa1"), self.client("congdan1")
        acts = {a["action"]: a for a in self.get(counter, code)["allowed_actions"]}
        fields = {a: {f["name"]: f["required"] for f in x["fields"]} for a, x in acts.items()}
        self.assertEqual(fields["refuse"], {"reason": True, "items": False})
        self.assertEqual(fields["request_supplement"], {"items": True, "reason": False})
        self.assertEqual(fields["accept"], {"assignee_account_id": False, "hold": False})
        # what the list calls required the engine indeed refuses without
        for action, f in (("refuse", "reason"), ("request_supplement", "items")):
            r = counter.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", {"version": 1})
            self.assertEqual(r.status, 422, (action, r))
            self.assertEqual(r.json["field"], f)
        withdraw = {a["action"]: a for a in self.get(citizen, code)["allowed_actions"]}["withdraw"]
        self.assertEqual(withdraw["fields"], [{"name": "reason", "required": False}])
        self.assertEqual(counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept",
                                         {"version": 1}).status, 200)
        leader, spec = self.client("lanhdao.tp"), self.client("chuyenvien.tp")
        v = self.get(spec, code)["version"]
        self.assertEqual(spec.request("POST", f"/api/v1/dossiers/{code}/actions/forward", {"version": v}).status, 200)
        acts = {a["action"]: a for a in self.get(leader, code)["allowed_actions"]}
        to_step = [f for f in acts["return_to_step"]["fields"] if f["name"] == "to_step"][0]
        self.assertEqual((to_step["required"], to_step["min"], to_step["max"]), (True, 2, 2))

    # ---- the person at the counter ----
    def test_counter_finds_a_person_by_id_number_audited_and_never_logged(self):
        self.submit()  # congdan1 has a dossier in the counter's scope
        counter = self.client("motcua.xa1")
        r = counter.request("POST", "/api/v1/persons/lookup", {"personal_id": CONGDAN1_ID})
        self.assertEqual(r.status, 200, r)
        p = r.json
        self.assertTrue(p["found"])
        self.assertEqual((p["full_name"], p["kind"]), ("Nguyễn Thị Bình", "citizen"))
        self.assertTrue(p["phone"])
        self.assertTrue(p["dossiers"] and all(d["code"] for d in p["dossiers"]))
        self.assertLessEqual(len(p["dossiers"]), 5)
        self.assertNotIn(CONGDAN1_ID, r.body)  # the number is not even echoed back
        r = counter.request("POST", "/api/v1/persons/lookup", {"personal_id": "001299999999"})
        self.assertEqual(r.json, {"found": False})
        self.assertEqual(counter.request("POST", "/api/v1/persons/lookup", {"personal_id": "12ab5678901"}).status, 422)
        self.assertEqual(counter.request("POST", "/api/v1/persons/lookup", {"personal_id": "123"}).status, 422)
        # only for those who take dossiers at the counter
        self.assertEqual(self.client("chuyenvien.tp").request("POST", "/api/v1/persons/lookup",
                                                             {"personal_id": CONGDAN1_ID}).status, 403)
        self.assertEqual(self.client("congdan1").request("POST", "/api/v1/persons/lookup",
                                                         {"personal_id": CONGDAN1_ID}).status, 403)
        # the audit trail has who looked and what was found, never the number
        audit = self.client("admin").request(
            "GET", f"/api/v1/audit?object_type=account&object_id={p['account_id']}&limit=200")
        self.assertEqual(audit.status, 200, audit.status)
        self.assertNotIn(CONGDAN1_ID, audit.body)
        rows = [x for x in audit.json["items"] if x["action"] == "person.lookup"]
        self.assertEqual(len(rows), 1, [x["action"] for x in audit.json["items"]])
        self.assertEqual(rows[0]["actor_label"], "motcua.xa1")

    def test_zz_no_id_number_in_the_server_log(self):
        # runs last (name): stops the server and reads everything it logged
        self.client("motcua.xa1").request("POST", "/api/v1/persons/lookup", {"personal_id": CONGDAN1_ID})
        self.server.stop()
        log = self.server.proc.stderr.read()
        self.server.proc.stdout.close()
        self.server.proc.stderr.close()
        self.assertIn("/api/v1/persons/lookup", log)  # the access lines are there
        self.assertNotIn(CONGDAN1_ID, log)
        self.__class__.server = Server(self.db)

    # ---- catalogue versions ----
    def test_procedure_version_history_lists_every_version_newest_first(self):
        admin = self.client("admin")
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        r = self.client().request("GET", "/api/v1/procedures/DEMO.000003/versions")
        self.assertEqual(r.status, 200, r)
        first = r.json["versions"]
        self.assertEqual(sum(v["current"] for v in first), 1)
        # a changed import makes a new version; the old one is kept and closed
        rec = self.client().request("GET", "/api/v1/procedures/export").json
        rec = [x for x in (rec["procedures"] if isinstance(rec, dict) else rec) if x["code"] == "DEMO.000003"][0]
        rec["name"] = p["name"] + " (sửa đổi)"
        rec["valid_from"] = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 400))
        r = admin.request("POST", "/api/v1/procedures/import", {"procedures": [rec]})
        self.assertEqual(r.status, 200, r)
        vs = self.client().request("GET", "/api/v1/procedures/DEMO.000003/versions").json["versions"]
        self.assertEqual(len(vs), len(first) + 1)
        self.assertEqual([v["version_no"] for v in vs], sorted((v["version_no"] for v in vs), reverse=True))
        self.assertEqual(vs[0]["name"], p["name"] + " (sửa đổi)")
        for v in vs:  # each id opens that version
            self.assertEqual(self.client().request("GET", f"/api/v1/procedure-versions/{v['id']}").json["name"], v["name"])
        self.assertEqual(self.client().request("GET", "/api/v1/procedures/NOPE.1/versions").status, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
