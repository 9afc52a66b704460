"""Black-box API tests against the real tinhso server on 127.0.0.1, on the engine named by
TS_TEST_ENGINE (sqlite or pgsql). Run by CTest as api_sqlite and api_pgsql."""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tinhso_client import (BIN, DEMO_PASSWORD, ROLE_ACCOUNTS, SRC, Client, Server,  # noqa: E402
                           fresh_database, run_cli)

ENGINE = os.environ.get("TS_TEST_ENGINE", "sqlite")


def load_permission_spec():
    """docs/permissions.md: the written spec of who may call which route."""
    rows, roles = [], None
    with open(os.path.join(SRC, "docs/permissions.md"), encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[:2] == ["method", "path"]:
                roles = cells[3:]
            elif roles and len(cells) == 3 + len(roles) and cells[0] in ("GET", "POST", "PATCH", "PUT", "DELETE"):
                rows.append((cells[0], cells[1].strip("`"), dict(zip(roles, (c == "yes" for c in cells[3:])))))
    return rows


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_test")
        run_cli(cls.db, "migrate")
        # a short history (the pinned stories put one dossier in every status from 100 on)
        out = run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "150").stdout
        assert "admin" in out and "congdan1" in out, out
        cls.server = Server(cls.db)

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        assert rc == 0, f"server exit code {rc} after SIGTERM"

    def client(self, login=None):
        c = Client(self.server)
        if login:
            r = c.login(login)
            self.assertEqual(r.status, 200, r)
        return c

    def assertProblem(self, r, status, code, field=None):
        """A problem+json answer with this status and machine code (None: any code)."""
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.ctype.startswith("application/problem+json"), r.ctype)
        if code is not None:
            self.assertEqual(r.json["code"], code, r)
        self.assertEqual(r.json["status"], status)
        self.assertTrue(r.json["title"])
        self.assertTrue(r.json.get("request_id"))
        if field is not None:
            self.assertEqual(r.json.get("field"), field, r)

    # ---- transport, health, errors ----
    def test_health_and_readiness(self):
        c = self.client()
        r = c.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertRegex(r.headers["x-request-id"], r"^[0-9a-f]{16}$")
        r = c.request("GET", "/readyz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["database"], "sqlite" if ENGINE == "sqlite" else "postgresql")

    def test_unknown_route_and_method(self):
        c = self.client()
        self.assertProblem(c.request("GET", "/api/v1/nothing-here"), 404, "not_found")
        self.assertProblem(c.request("PUT", "/healthz"), 405, "method_not_allowed")

    def test_home_page_says_the_server_runs(self):
        r = self.client().request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.ctype)
        self.assertIn("/api/docs", r.body)

    def test_static_refuses_path_escapes(self):
        r = self.client().request("GET", "/../../etc/passwd")
        self.assertIn(r.status, (400, 404))
        self.assertNotIn("root:", r.body)

    # ---- request validation ----
    def test_json_body_validation(self):
        c = self.client()
        self.assertProblem(c.request("POST", "/api/v1/auth/login", raw=b"{not json", headers={"Content-Type": "application/json"}),
                           400, "invalid_json")
        self.assertProblem(c.request("POST", "/api/v1/auth/login", {"login": "a", "password": "b", "extra": 1}),
                           422, "unknown_field", "extra")
        self.assertProblem(c.request("POST", "/api/v1/auth/login", {"login": 5, "password": "b"}),
                           422, "validation_failed", "login")
        self.assertProblem(c.request("POST", "/api/v1/auth/login", {"password": "b"}), 422, "missing_field", "login")
        self.assertProblem(c.request("POST", "/api/v1/auth/login", raw=b'{"login":"a","password":"b"}',
                                     headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
        self.assertProblem(c.request("POST", "/api/v1/auth/login", raw=b'{"login":"a","login":"b","password":"c"}',
                                     headers={"Content-Type": "application/json"}), 400, "invalid_json")
        self.assertProblem(c.request("POST", "/api/v1/auth/login", raw=b'{"login":"\xff\xfe","password":"c"}',
                                     headers={"Content-Type": "application/json"}), 400, "invalid_json")
        deep = b'{"login":' + b"[" * 40 + b"]" * 40 + b',"password":"x"}'
        r = c.request("POST", "/api/v1/auth/login", raw=deep, headers={"Content-Type": "application/json"})
        self.assertIn(r.status, (413, 422), r)
        # a body over http.max_body is refused from its Content-Length, before it is read
        status, body = c.raw_exchange("POST", "/api/v1/auth/login", {"Content-Type": "application/json",
                                                                     "Content-Length": str(8 << 20)}, b"{")
        self.assertEqual(status, 413, body)
        self.assertEqual(json.loads(body)["code"], "payload_too_large")

    # ---- authentication ----
    def test_login_session_csrf_logout(self):
        c = self.client()
        self.assertProblem(c.login("admin", "wrong-password-1"), 401, "invalid_credentials")
        self.assertProblem(c.login("no.such.user", "wrong-password-1"), 401, "invalid_credentials")
        r = c.login("admin")
        self.assertEqual(r.status, 200, r)
        self.assertIn("tinhso_session", c.cookies)
        self.assertIn("system_admin", [g["role"] for g in r.json["account"]["roles"]])
        me = c.request("GET", "/api/v1/auth/me")
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json["account"]["username"] if "account" in me.json else me.json["username"], "admin")
        # a browser mutation without the CSRF token is refused, and changes nothing
        r = c.request("POST", "/api/v1/units", {"code": "000.99.01.H99", "name": "X", "kind": "division"}, csrf=False)
        self.assertProblem(r, 403, "csrf_failed")
        r = c.request("POST", "/api/v1/auth/logout")
        self.assertEqual(r.status, 204, r)
        self.assertProblem(c.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")

    def test_session_cookie_flags(self):
        c = Client(self.server)
        conn_r = c.request("POST", "/api/v1/auth/login", {"login": "thanhtra", "password": DEMO_PASSWORD})
        self.assertEqual(conn_r.status, 200)
        # http.client folds repeated headers; check the raw flags on the session cookie
        session = [v for v in conn_r.set_cookies if v.startswith("tinhso_session=")]
        self.assertEqual(len(session), 1, conn_r.set_cookies)
        self.assertIn("HttpOnly", session[0])
        self.assertIn("SameSite=Strict", session[0])
        self.assertIn("Path=/", session[0])
        csrf = [v for v in conn_r.set_cookies if v.startswith("tinhso_csrf=")]
        self.assertEqual(len(csrf), 1)
        self.assertNotIn("HttpOnly", csrf[0])  # the web UI reads it to echo it in X-CSRF-Token

    def test_citizen_registration_and_identifier_checks(self):
        c = self.client()
        base = {"full_name": "Trần Văn An", "phone": "0987000111", "password": "matkhau-rat-manh-9"}
        r = c.request("POST", "/api/v1/auth/register/citizen", dict(base, personal_id="12345"))
        self.assertProblem(r, 422, "validation_failed", "personal_id")
        r = c.request("POST", "/api/v1/auth/register/citizen", dict(base, personal_id="099190000001"))
        self.assertProblem(r, 422, "validation_failed", "personal_id")  # province 099 does not exist
        r = c.request("POST", "/api/v1/auth/register/citizen", dict(base, personal_id="079090000777", password="short1"))
        self.assertProblem(r, 422, "weak_password", "password")
        r = c.request("POST", "/api/v1/auth/register/citizen", dict(base, personal_id="079090000777"))
        self.assertEqual(r.status, 201, r)
        r = c.request("POST", "/api/v1/auth/register/citizen", dict(base, personal_id="079090000777"))
        self.assertProblem(r, 409, "conflict")
        self.assertEqual(c.login("0987000111", "matkhau-rat-manh-9").status, 200)
        # the audit summary never holds the full personal ID
        a = self.client("admin").request("GET", "/api/v1/audit?limit=200")
        self.assertEqual(a.status, 200)
        self.assertNotIn("079090000777", a.body)

    def test_business_registration_checks_tax_code(self):
        c = self.client()
        base = {"name": "Công ty TNHH Thử Nghiệm", "email": "kt@example.vn", "password": "matkhau-rat-manh-8"}
        self.assertProblem(c.request("POST", "/api/v1/auth/register/business", dict(base, tax_code="0100109107")),
                           422, "validation_failed", "tax_code")
        r = c.request("POST", "/api/v1/auth/register/business", dict(base, tax_code="0100109106-001"))
        self.assertEqual(r.status, 201, r)

    def test_failed_logins_are_throttled_per_account(self):
        c = self.client()
        r = c.request("POST", "/api/v1/auth/register/citizen",
                      {"full_name": "Lê Thị Thử", "email": "thu@example.vn", "personal_id": "001190000555",
                       "password": "matkhau-rat-manh-7"})
        self.assertEqual(r.status, 201, r)
        statuses = [c.login("thu@example.vn", "sai-mat-khau-123").status for _ in range(6)]
        self.assertEqual(statuses[:5], [401] * 5)
        self.assertEqual(statuses[5], 429)
        # even the right password is refused while throttled
        self.assertProblem(c.login("thu@example.vn", "matkhau-rat-manh-7"), 429, "too_many_requests")

    def test_sessions_can_be_listed_and_revoked(self):
        a, b = self.client("vanthu.tp"), self.client("vanthu.tp")
        listed = a.request("GET", "/api/v1/auth/sessions")
        self.assertEqual(listed.status, 200, listed)
        items = listed.json["items"] if isinstance(listed.json, dict) else listed.json
        self.assertGreaterEqual(len(items), 2)
        mine = b.request("GET", "/api/v1/auth/me").json
        others = [x for x in items if not x.get("current")]
        self.assertTrue(others, items)
        for x in others:
            self.assertIn(a.request("DELETE", f"/api/v1/auth/sessions/{x['id']}").status, (200, 204))
        self.assertProblem(b.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")
        self.assertEqual(a.request("GET", "/api/v1/auth/me").status, 200)
        self.assertTrue(mine)
        # someone else's session is not found, whatever its id
        c = self.client("lanhdao.tp")
        mine_c = c.request("GET", "/api/v1/auth/sessions").json
        cid = (mine_c["items"] if isinstance(mine_c, dict) else mine_c)[0]["id"]
        self.assertEqual(a.request("DELETE", f"/api/v1/auth/sessions/{cid}").status, 404)
        self.assertEqual(c.request("GET", "/api/v1/auth/me").status, 200)

    def test_password_change_ends_other_sessions(self):
        c = self.client()
        r = c.request("POST", "/api/v1/auth/register/citizen",
                      {"full_name": "Phan Văn Đổi", "phone": "0987000222", "personal_id": "001095000321",
                       "password": "matkhau-cu-2026"})
        self.assertEqual(r.status, 201, r)
        a, b = Client(self.server), Client(self.server)
        self.assertEqual(a.login("0987000222", "matkhau-cu-2026").status, 200)
        self.assertEqual(b.login("0987000222", "matkhau-cu-2026").status, 200)
        self.assertProblem(a.request("POST", "/api/v1/auth/password", {"old_password": "sai-mat-khau-1",
                                                                       "new_password": "matkhau-moi-2027"}),
                           422, None)
        r = a.request("POST", "/api/v1/auth/password", {"old_password": "matkhau-cu-2026", "new_password": "matkhau-moi-2027"})
        self.assertIn(r.status, (200, 204), r)
        self.assertProblem(b.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")
        self.assertProblem(Client(self.server).login("0987000222", "matkhau-cu-2026"), 401, "invalid_credentials")
        self.assertEqual(Client(self.server).login("0987000222", "matkhau-moi-2027").status, 200)

    def test_disabled_account_cannot_sign_in_and_loses_its_sessions(self):
        ua = self.client("quantri.tinh")
        units = ua.request("GET", "/api/v1/units?q=000.00.12.H99").json["items"]
        stp = [u for u in units if u["code"] == "000.00.12.H99"][0]
        r = ua.request("POST", "/api/v1/accounts", {"username": "chuyenvien.tp2", "full_name": "Mai Văn Tạm", "kind": "officer",
                                                    "unit_id": stp["id"], "password": "matkhau-can-bo-2"})
        self.assertEqual(r.status, 201, r)
        aid = r.json["id"]
        officer = self.client()
        self.assertEqual(officer.login("chuyenvien.tp2", "matkhau-can-bo-2").status, 200)
        acct = ua.request("GET", f"/api/v1/accounts/{aid}").json
        r = ua.request("PATCH", f"/api/v1/accounts/{aid}", {"version": acct["version"], "status": "disabled"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(ua.request("POST", f"/api/v1/accounts/{aid}/revoke-sessions").status in (200, 204), True)
        self.assertProblem(officer.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")
        self.assertIn(self.client().login("chuyenvien.tp2", "matkhau-can-bo-2").status, (401, 403))
        # a stale version is refused and changes nothing
        self.assertProblem(ua.request("PATCH", f"/api/v1/accounts/{aid}", {"version": acct["version"], "full_name": "X"}),
                           409, "conflict")

    # ---- permissions: every route x every role against docs/permissions.md ----
    def test_every_route_for_every_role_matches_the_written_spec(self):
        spec = load_permission_spec()
        oapi = self.client().request("GET", "/api/openapi.json").json
        served = {(m.upper(), p) for p, item in oapi["paths"].items() for m in item}
        written = {(m, p) for m, p, _ in spec}
        self.assertEqual(served, written, "route table and docs/permissions.md disagree")
        clients = {"anonymous": self.client()}
        for role, login in ROLE_ACCOUNTS.items():
            clients[role] = self.client(login)
        mismatches = []
        # logout last: it ends the session the rest of the walk uses
        for method, path, allowed in sorted(spec, key=lambda s: s[1] == "/api/v1/auth/logout"):
            url = re.sub(r"\{[a-z_]+\}", "999999", path)
            for role, c in clients.items():
                takes_body = "requestBody" in oapi["paths"][path][method.lower()]
                body = {} if takes_body else None
                if path in ("/api/v1/auth/login",):
                    body = {"login": "nobody-" + role, "password": "x"}
                r = c.request(method, url, body)
                denied = r.status in (401, 403) and r.json and r.json.get("code") in ("unauthenticated", "forbidden")
                if allowed[role] and denied:
                    mismatches.append(f"{role} {method} {path}: denied ({r.status}) but spec says yes")
                if not allowed[role]:
                    want = 401 if role == "anonymous" else 403
                    if r.status != want:
                        mismatches.append(f"{role} {method} {path}: got {r.status}, spec says no ({want})")
        self.assertEqual(mismatches, [])

    def test_api_key_is_scoped_to_its_permissions(self):
        admin = self.client("admin")
        r = admin.request("POST", "/api/v1/api-clients", {"name": "Giám sát", "permissions": ["audit.read"]})
        self.assertEqual(r.status, 201, r)
        key = r.json["key"]
        sys_client = Client(self.server, bearer=key)
        self.assertEqual(sys_client.request("GET", "/api/v1/audit/verify").status, 200)
        self.assertProblem(sys_client.request("GET", "/api/v1/accounts"), 403, "forbidden")
        self.assertProblem(Client(self.server, bearer=key + "x").request("GET", "/api/v1/audit/verify"),
                           401, "unauthenticated")
        listed = admin.request("GET", "/api/v1/api-clients")
        self.assertNotIn(key, listed.body)  # shown once, stored hashed
        kid = r.json["id"]
        self.assertIn(admin.request("DELETE", f"/api/v1/api-clients/{kid}").status, (200, 204))
        self.assertProblem(sys_client.request("GET", "/api/v1/audit/verify"), 401, "unauthenticated")

    # ---- organisation tree ----
    def test_units_tree_admin_and_scope(self):
        anon = self.client()
        roots = anon.request("GET", "/api/v1/units?parent=root")
        self.assertEqual(roots.status, 200, roots)
        items = roots.json["items"] if isinstance(roots.json, dict) else roots.json
        province = [u for u in items if u["code"] == "000.00.00.H99"][0]
        sub = anon.request("GET", f"/api/v1/units/{province['id']}/subtree")
        self.assertEqual(sub.status, 200)
        subitems = sub.json["items"] if isinstance(sub.json, dict) else sub.json
        self.assertGreaterEqual(len(subitems), 100)
        ua = self.client("quantri.tinh")
        self.assertProblem(ua.request("POST", "/api/v1/units", {"code": "000.00.0x.H99", "name": "Sai mã", "kind": "department",
                                                                "parent_id": province["id"]}), 422, "validation_failed", "code")
        new = {"code": "000.77.77.H99", "name": "Sở Thử nghiệm", "kind": "department", "parent_id": province["id"]}
        r = ua.request("POST", "/api/v1/units", new)
        self.assertEqual(r.status, 201, r)
        uid = r.json["id"]
        self.assertProblem(ua.request("POST", "/api/v1/units", new), 409, "conflict")
        r = ua.request("PATCH", f"/api/v1/units/{uid}", {"version": 1, "name": "Sở Thử nghiệm mới"})
        self.assertEqual(r.status, 200, r)
        self.assertProblem(ua.request("PATCH", f"/api/v1/units/{uid}", {"version": 1, "name": "Cũ"}), 409, "conflict")
        self.assertEqual(anon.request("GET", f"/api/v1/units/{uid}").json["name"], "Sở Thử nghiệm mới")
        # a counter officer holds no org.write
        self.assertProblem(self.client("motcua.xa1").request("POST", "/api/v1/units", dict(new, code="000.77.78.H99")),
                           403, "forbidden")

    def test_officer_accounts_are_created_by_admins_in_scope(self):
        ua = self.client("quantri.tinh")
        units = ua.request("GET", "/api/v1/units?q=" + "000.00.31.H99").json
        items = units["items"] if isinstance(units, dict) else units
        xa1 = [u for u in items if u["code"] == "000.00.31.H99"][0]
        r = ua.request("POST", "/api/v1/accounts", {"username": "motcua.xa1b", "full_name": "Ngô Văn Bảy", "kind": "officer",
                                                    "unit_id": xa1["id"], "password": "matkhau-can-bo-1",
                                                    "roles": [{"role": "counter_officer", "unit_id": xa1["id"]}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.client().login("motcua.xa1b", "matkhau-can-bo-1").status, 200)
        # a unit admin cannot make a system admin
        r = ua.request("POST", f"/api/v1/accounts/{r.json['id']}/grants", {"role": "system_admin", "unit_id": xa1["id"]})
        self.assertIn(r.status, (403, 422), r)

    # ---- audit ----
    def test_audit_chain_verifies_over_the_api(self):
        c = self.client("thanhtra")
        r = c.request("GET", "/api/v1/audit/verify")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["ok"], r)
        self.assertGreater(r.json["rows_checked"], 10)

    # ---- working calendar ----
    def test_calendar_due_skips_tet_2026_and_honours_the_cutoff(self):
        c = self.client()
        q = "/api/v1/calendar/due?from=2026-02-13T16:00:00%2B07:00&amount=1&unit=working_days"
        r = c.request("GET", q)
        self.assertEqual(r.status, 200, r)
        # Friday 16:00: 1 hour that day, the Tết break (16-20 Feb) and the weekend skipped, 7 hours on Monday 23
        self.assertEqual(r.json["due"], "2026-02-23T16:00:00+07:00")
        r = c.request("GET", q + "&after_cutoff_rule=true")
        self.assertEqual(r.json["due"], "2026-02-23T17:00:00+07:00")
        self.assertProblem(c.request("GET", "/api/v1/calendar/due?from=2026-02-13T16:00:00%2B07:00&amount=1&unit=weeks"),
                           422, None, "unit")
        self.assertProblem(c.request("GET", "/api/v1/calendar/due?from=yesterday&amount=1&unit=working_days"),
                           422, None, "from")

    def test_calendar_admin_edits_change_deadlines(self):
        admin, anon = self.client("admin"), self.client()
        q = "/api/v1/calendar/due?from=2027-03-01T07:00:00%2B07:00&amount=1&unit=working_days"
        self.assertEqual(anon.request("GET", q).json["due"], "2027-03-01T17:00:00+07:00")
        r = admin.request("PUT", "/api/v1/calendar/days/2027-03-01", {"kind": "holiday", "name": "Ngày nghỉ thử"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(anon.request("GET", q).json["due"], "2027-03-02T17:00:00+07:00")
        self.assertEqual(admin.request("DELETE", "/api/v1/calendar/days/2027-03-01").status, 204)
        self.assertEqual(anon.request("GET", q).json["due"], "2027-03-01T17:00:00+07:00")
        self.assertProblem(self.client("motcua.xa1").request("PUT", "/api/v1/calendar/days/2027-03-01",
                                                             {"kind": "holiday", "name": "X"}), 403, "forbidden")

    def test_calendar_command_answers_the_same_due_time(self):
        p = run_cli(self.db, "calendar", "due", "2026-02-13T16:00:00+07:00", "1", "working_days")
        self.assertEqual(p.stdout.strip(), "2026-02-23T16:00:00+07:00")

    # ---- procedure catalogue and dossiers ----
    def test_procedure_search_ignores_diacritics(self):
        r = self.client().request("GET", "/api/v1/procedures?q=dang%20ky%20khai%20sinh&limit=5")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"][0]["code"], "1.001193")
        self.assertIn("khai sinh", r.json["items"][0]["name"])
        r = self.client().request("GET", "/api/v1/procedures?q=1.001193")
        self.assertEqual(r.json["items"][0]["code"], "1.001193")

    def test_procedure_fields_list_browsable_fields(self):
        r = self.client().request("GET", "/api/v1/procedure-fields")
        self.assertEqual(r.status, 200, r)
        fields = {f["name"]: f["count"] for f in r.json["items"]}
        self.assertGreaterEqual(fields.get("Hộ tịch", 0), 1)
        # every listed field finds exactly its count of procedures
        total = self.client().request("GET", "/api/v1/procedures?field=" + urllib.parse.quote("Hộ tịch") + "&limit=1").json["total"]
        self.assertEqual(total, fields["Hộ tịch"])

    def unit_id(self, code):
        items = self.client().request("GET", "/api/v1/units?q=" + code).json["items"]
        return [u for u in items if u["code"] == code][0]["id"]

    def act(self, client, code, action, body=None, expect=200):
        d = client.request("GET", f"/api/v1/dossiers/{code}")
        self.assertEqual(d.status, 200, d)
        payload = dict(body or {}, version=d.json["version"])
        r = client.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", payload)
        self.assertEqual(r.status, expect, (action, r))
        return r

    def submit(self, citizen, key=None):
        proc = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id("000.01.12.H99"),
                "receiving_unit_id": self.unit_id("000.00.31.H99"), "delivery": "counter", "documents": docs}
        return citizen.request("POST", "/api/v1/dossiers", body, headers={"Idempotency-Key": key} if key else None)

    def age_idempotency_key(self, key, hours):
        stmt = f"UPDATE idempotency_key SET created_at = created_at - {hours * 3600} WHERE key = '{key}'"
        if self.db.startswith("sqlite:"):
            import sqlite3
            con = sqlite3.connect(self.db[len("sqlite:"):], timeout=30)
            with con:
                self.assertEqual(con.execute(stmt).rowcount, 1)
            con.close()
        else:
            out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.db, "-c", stmt],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)

    def test_idempotency_keys_purged_after_the_retention(self):
        citizen = self.client("congdan1")
        old, young = self.submit(citizen, key="purge-old"), self.submit(citizen, key="purge-young")
        self.assertEqual((old.status, young.status), (201, 201), (old, young))
        self.age_idempotency_key("purge-old", 25)  # past the default 24 h retention
        self.age_idempotency_key("purge-young", 23)
        out = run_cli(self.db, "maintenance", "purge", "--batch", "1").stdout
        n = int(re.search(r"idempotency keys purged: (\d+) \(older than 24 hours\)", out).group(1))
        self.assertGreaterEqual(n, 1, out)
        # within the retention a retry still gets the first answer; after it, it is a new request
        again = self.submit(citizen, key="purge-young")
        self.assertIn(again.status, (200, 201), again)
        self.assertEqual(again.json["code"], young.json["code"])
        later = self.submit(citizen, key="purge-old")
        self.assertEqual(later.status, 201, later)
        self.assertNotEqual(later.json["code"], old.json["code"])
        # audited, the count only
        a = self.client("admin").request("GET", "/api/v1/audit?limit=200&object_type=idempotency_key")
        self.assertEqual(a.status, 200, a)
        self.assertIn("idempotency.purge", a.body)
        self.assertNotIn("purge-old", a.body)
        self.assertEqual(run_cli(self.db, "maintenance", "purge", "--batch", "0", check=False).returncode, 2)

    def test_dossier_lifecycle_over_http(self):
        citizen = self.client("congdan1")
        r = self.submit(citizen, key="lifecycle-1")
        self.assertEqual(r.status, 201, r)
        code = r.json["code"]
        self.assertRegex(code, r"^000\.00\.31\.H99-\d{6}-\d{4}$")
        self.assertEqual(r.json["status"], 1)
        # a retried submission with the same Idempotency-Key returns the same dossier
        again = self.submit(citizen, key="lifecycle-1")
        self.assertIn(again.status, (200, 201), again)
        self.assertEqual(again.json["code"], code)
        # public lookup needs the second factor (the phone defaults to the account's) and shows no personal data
        anon = self.client()
        self.assertIn(anon.request("GET", f"/api/v1/public/dossiers/{code}?phone=0900000000").status, (403, 404))
        pub = anon.request("GET", f"/api/v1/public/dossiers/{code}?phone=0912000001")
        self.assertEqual(pub.status, 200, pub)
        self.assertNotIn("0912000001", pub.body)
        self.assertNotIn("Nguyễn Thị Bình", pub.body)
        self.assertNotIn("001190000123", pub.body)
        # acceptance at the commune's one-stop counter starts the clock
        counter = self.client("motcua.xa1")
        r = self.act(counter, code, "accept")
        self.assertTrue(r.json.get("due_at"), r)
        # a stale version is refused with the current state
        stale = counter.request("POST", f"/api/v1/dossiers/{code}/actions/forward", {"version": 1})
        self.assertEqual(stale.status, 409, stale)
        # an officer of another unit cannot act
        self.assertIn(self.client("vanthu.tp").request("POST", f"/api/v1/dossiers/{code}/actions/finish",
                                                       {"version": r.json["version"]}).status, (403, 404, 409))
        # one consolidated supplement request, the citizen resubmits
        spec = self.client("chuyenvien.tp")
        self.act(spec, code, "request_supplement", {"reason": "Thiếu giấy tờ", "items": [
            {"document": "TP01", "reason": "Tờ khai chưa ký"}, {"document": "TP02", "reason": "Ảnh mờ"}]})
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}").json["status"], 5)
        self.act(citizen, code, "resubmit")
        # hand-over along the steps to the result
        dossier = citizen.request("GET", f"/api/v1/dossiers/{code}").json
        self.assertEqual(dossier["status"], 4)
        self.act(spec, code, "forward")
        leader = self.client("lanhdao.tp")
        # the last step cannot be forwarded: it finishes
        self.act(leader, code, "forward", expect=409)
        self.act(leader, code, "finish")
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}").json["status"], 9)
        self.act(counter, code, "deliver", {"delivery": "counter"})
        self.act(citizen, code, "rate", {"rating": 5, "comment": "Nhanh, đúng hẹn"})
        final = citizen.request("GET", f"/api/v1/dossiers/{code}").json
        self.assertEqual(final["status"], 10)
        slip = counter.request("GET", f"/api/v1/dossiers/{code}/control-slip")
        self.assertEqual(slip.status, 200, slip)
        # actions not in the transition table are refused with a reason
        bad = counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept", {"version": final["version"]})
        self.assertEqual(bad.status, 409, bad)
        self.assertTrue(bad.json["detail"])

    def test_dossier_codes_never_repeat_under_concurrency(self):
        citizen = self.client("congdan1")
        codes, lock = [], threading.Lock()

        def run():
            for _ in range(25):
                r = self.submit(citizen)
                with lock:
                    codes.append(r.json.get("code") if r.status == 201 else r.status)
        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(len(codes), 200)
        self.assertTrue(all(isinstance(c, str) for c in codes), [c for c in codes if not isinstance(c, str)][:5])
        self.assertEqual(len(set(codes)), 200)

    # ---- operations ----
    def test_new_procedure_version_counts_from_the_next_submission(self):
        # the server caches published versions by id (docs/operations.md); which version is in
        # force is asked of the store every time, so an import counts at once
        code, unit = "DEMO.000005", self.unit_id("000.00.31.H99")
        anon, admin, citizen = self.client(), self.client("admin"), self.client("congdan1")

        def body(proc):
            v = [x for x in proc["variants"] if x.get("default")][0]
            return {"procedure_code": code, "competent_unit_id": unit, "receiving_unit_id": unit,
                    "delivery": "counter",
                    "documents": [{"code": d["code"], "originals": 1} for d in v["documents"] if d["required"]],
                    "form_data": {f["name"]: "x" for f in v.get("form_fields") or []}}

        old = anon.request("GET", f"/api/v1/procedures/{code}").json
        for _ in range(2):  # the second one from the cache
            r = citizen.request("POST", "/api/v1/dossiers", body(old))
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.json["procedure_name"], old["name"])
        new = {k: v for k, v in old.items() if k not in ("procedure_id", "version_id", "version_no", "valid_to")}
        new["units"] = [u["code"] for u in old["units"]]
        new["variants"] = [{k: v for k, v in x.items() if k != "id"} for x in old["variants"]]
        new["name"] = old["name"] + " (sửa đổi)"
        new["valid_from"] = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))
        default = [x for x in new["variants"] if x.get("default")][0]
        default["documents"] = default["documents"] + [
            {"code": "TPMOI", "name": "Giấy tờ bổ sung theo quy định mới", "originals": 1, "copies": 0, "required": True}]
        r = admin.request("POST", "/api/v1/procedures/import", {"procedures": [new]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["versioned"], 1, r)
        # the old set of documents no longer suffices, at once
        r = citizen.request("POST", "/api/v1/dossiers", body(old))
        self.assertProblem(r, 422, None, "documents")
        self.assertIn("Giấy tờ bổ sung theo quy định mới", r.json["detail"])
        cur = anon.request("GET", f"/api/v1/procedures/{code}").json
        self.assertNotEqual(cur["version_id"], old["version_id"])
        r = citizen.request("POST", "/api/v1/dossiers", body(cur))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["procedure_name"], new["name"])

    def test_metrics_count_requests_by_route(self):
        c = self.client("admin")
        c.request("GET", "/api/v1/units/999999")
        r = c.request("GET", "/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertIn('tinhso_http_requests_total{route="/api/v1/units/{id}",method="GET",status="404"}', r.body)
        self.assertIn("tinhso_http_request_duration_seconds_bucket", r.body)
        m = re.search(r"^tinhso_unaudited_mutations_total (\d+)$", r.body, re.M)
        self.assertIsNotNone(m)
        self.assertEqual(m.group(1), "0")

    def test_metrics_show_the_read_cache(self):
        admin = self.client("admin")

        def cache():
            body = admin.request("GET", "/metrics").body
            return {k: int(re.search(rf"^tinhso_read_cache_{k} (\d+)$", body, re.M).group(1))
                    for k in ('lookups_total{result="hit"}', 'lookups_total{result="miss"}',
                              "evictions_total", "entries")}
        before = cache()
        # a submission reads its procedure version, flow, units and calendar through the cache:
        # the first may miss (and fill), the ones after it hit
        citizen = self.client("congdan1")
        for _ in range(3):
            r = self.submit(citizen)
            self.assertEqual(r.status, 201, r)
        after = cache()
        hits, misses = 'lookups_total{result="hit"}', 'lookups_total{result="miss"}'
        self.assertGreaterEqual(after[hits] - before[hits], 2, (before, after))
        self.assertGreaterEqual(after[hits] + after[misses], before[hits] + before[misses] + 3)
        self.assertGreaterEqual(after["entries"], 1)
        self.assertLessEqual(after["entries"], 4096)

    def test_openapi_describes_request_specs(self):
        r = self.client().request("GET", "/api/openapi.json")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["openapi"], "3.1.0")
        login = r.json["components"]["schemas"]["LoginRequest"] if "LoginRequest" in r.json["components"]["schemas"] else None
        self.assertIsNotNone(login, list(r.json["components"]["schemas"]))
        self.assertFalse(login["additionalProperties"])
        self.assertEqual(sorted(login["required"]), ["login", "password"])
        self.assertEqual(self.client().request("GET", "/api/docs").status, 200)

    def test_burst_of_simultaneous_connections(self):
        results = []
        lock = threading.Lock()

        def hit():
            s = Client(self.server).request("GET", "/healthz").status
            with lock:
                results.append(s)
        threads = [threading.Thread(target=hit) for _ in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(results.count(200), 300, sorted(set(results)))


class AuditTamperTest(unittest.TestCase):
    """`tinhso audit verify` finds changed and deleted rows (direct edits in the store)."""

    def sql(self, db, stmt):
        if db.startswith("sqlite:"):
            subprocess.run(["sqlite3", db[len("sqlite:"):], stmt], check=True)
        else:
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", db, "-c", stmt], check=True)

    def fresh(self, name):
        db = fresh_database(name)
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        ok = run_cli(db, "audit", "verify")
        self.assertIn("ok", ok.stdout)
        return db

    def test_changed_row_is_found(self):
        db = self.fresh("audit_change")
        self.sql(db, "UPDATE audit SET summary = 'sửa trộm' WHERE seq = 5")
        p = run_cli(db, "audit", "verify", check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("seq 5", p.stdout)

    def test_deleted_middle_row_is_found(self):
        db = self.fresh("audit_delete")
        self.sql(db, "DELETE FROM audit WHERE seq = 7")
        p = run_cli(db, "audit", "verify", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout, r"seq (7|8)\b")

    def test_deleted_tail_is_found(self):
        db = self.fresh("audit_tail")
        self.sql(db, "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)")
        p = run_cli(db, "audit", "verify", check=False)
        self.assertEqual(p.returncode, 1)


def demo_store(name):
    """A fresh migrated store with the demo province and 20 dossiers."""
    db = fresh_database(name)
    run_cli(db, "migrate")
    run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "20")
    return db


def demo_submission(server):
    """A valid submission of DEMO.000003 at the demo commune's counter, read from server."""
    anon = Client(server)
    unit = lambda code: [u["id"] for u in anon.request("GET", "/api/v1/units?q=" + code).json["items"]
                         if u["code"] == code][0]
    proc = anon.request("GET", "/api/v1/procedures/DEMO.000003").json
    docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
    return {"procedure_code": "DEMO.000003", "competent_unit_id": unit("000.01.12.H99"),
            "receiving_unit_id": unit("000.00.31.H99"), "delivery": "counter", "documents": docs}


class ConcurrentWritersTest(unittest.TestCase):
    """Submissions from many connections at once: codes never repeat, the counters equal their
    recount, and every audit chain (PostgreSQL: one per pool connection) is checked by
    `tinhso audit verify`, which finds a changed, added or deleted row in any of them."""

    @classmethod
    def setUpClass(cls):
        cls.db = demo_store("concurrent_writers")
        server = Server(cls.db, {"TINHSO_DB_POOL_SIZE": "6", "TINHSO_HTTP_THREADS": "8"})
        try:
            citizen = Client(server)
            assert citizen.login("congdan1").status == 200
            body = demo_submission(server)
            cls.codes, lock = [], threading.Lock()

            def run():
                for _ in range(20):
                    r = citizen.request("POST", "/api/v1/dossiers", body)
                    with lock:
                        cls.codes.append(r.json.get("code") if r.status == 201 else r.status)
            threads = [threading.Thread(target=run) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        finally:
            assert server.stop() == 0

    def sql(self, stmt):
        if self.db.startswith("sqlite:"):
            p = subprocess.run(["sqlite3", self.db[len("sqlite:"):], stmt], capture_output=True, text=True, check=True)
        else:
            p = subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", self.db, "-c", stmt],
                               capture_output=True, text=True, check=True)
        return p.stdout.strip()

    def verify(self):
        return run_cli(self.db, "audit", "verify", check=False)

    def test_1_codes_distinct_counters_exact_chains_whole(self):
        self.assertEqual(len(self.codes), 160)
        self.assertTrue(all(isinstance(c, str) for c in self.codes), [c for c in self.codes if not isinstance(c, str)][:5])
        self.assertEqual(len(set(self.codes)), 160)
        p = run_cli(self.db, "stats", "recount", "--check", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(" 0 differing", p.stdout)
        p = self.verify()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        chains = int(self.sql("SELECT COUNT(DISTINCT chain) FROM audit"))
        if ENGINE == "sqlite":
            self.assertEqual(chains, 1)
            self.assertEqual(self.sql("SELECT COUNT(*) FROM stats_day WHERE slot <> 0"), "0")
        else:  # the server's connections wrote their own chains and counter rows
            self.assertGreater(chains, 1)
            self.assertGreater(int(self.sql("SELECT COUNT(DISTINCT slot) FROM stats_day")), 1)

    def test_2_tampering_in_any_chain_is_found(self):
        # the last chain with at least 3 rows (on SQLite: the one chain)
        chain = int(self.sql("SELECT MAX(chain) FROM (SELECT chain FROM audit GROUP BY chain HAVING COUNT(*) >= 3) c"))
        last = int(self.sql(f"SELECT MAX(link) FROM audit WHERE chain = {chain}"))
        mid_seq = self.sql(f"SELECT seq FROM audit WHERE chain = {chain} AND link = {last - 1}")
        # a changed row (its summary kept aside and put back)
        self.sql(f"CREATE TABLE audit_saved AS SELECT summary FROM audit WHERE seq = {mid_seq}")
        self.sql(f"UPDATE audit SET summary = 'sửa trộm' WHERE seq = {mid_seq}")
        p = self.verify()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn(f"seq {mid_seq} ", p.stdout)
        self.sql(f"UPDATE audit SET summary = (SELECT summary FROM audit_saved) WHERE seq = {mid_seq}")
        self.sql("DROP TABLE audit_saved")
        self.assertEqual(self.verify().returncode, 0)
        # a row added after the chain's tail (the head not moved), and a row outside every chain
        cols = "seq, at, actor_id, actor_label, action, object_type, object_id, client_addr, summary, prev_hash, hash"
        for chain_no, link in ((chain, last + 1), (999, 1)):
            self.sql(f"INSERT INTO audit ({cols}, chain, link) SELECT seq + 1000000, at, actor_id, actor_label, action, "
                     f"object_type, object_id, client_addr, summary, hash, hash, {chain_no}, {link} "
                     f"FROM audit WHERE chain = {chain} AND link = {last}")
            p = self.verify()
            self.assertEqual(p.returncode, 1, (chain_no, p.stdout))
            self.sql(f"DELETE FROM audit WHERE chain = {chain_no} AND link = {link}")
            self.assertEqual(self.verify().returncode, 0)
        # a deleted tail
        self.sql(f"DELETE FROM audit WHERE chain = {chain} AND link = {last}")
        p = self.verify()
        self.assertEqual(p.returncode, 1, p.stdout)


class RecountWhileWritingTest(unittest.TestCase):
    """`tinhso stats recount` while a server takes submissions: `--check` compares the events and
    the counters of one moment, so it finds no difference however the commits fall; a recount
    that replaces the counters loses none of the changes committed around it."""

    def test_recount_beside_submissions(self):
        db = demo_store("recount_writing")
        server = Server(db, {"TINHSO_DB_POOL_SIZE": "6", "TINHSO_HTTP_THREADS": "8"})
        checks, statuses, lock = [], [], threading.Lock()
        try:
            citizen = Client(server)
            self.assertEqual(citizen.login("congdan1").status, 200)
            body = demo_submission(server)

            def submit():
                for _ in range(60):
                    r = citizen.request("POST", "/api/v1/dossiers", body)
                    with lock:
                        statuses.append(r.status)
            threads = [threading.Thread(target=submit) for _ in range(4)]
            for t in threads:
                t.start()
            # recounts while the submissions commit (bounded: 8 checks and 2 replacements)
            for i in range(10):
                args = ("stats", "recount") if i in (3, 7) else ("stats", "recount", "--check")
                p = run_cli(db, *args, check=False)
                checks.append((args[-1], p.returncode, p.stdout + p.stderr,
                               any(t.is_alive() for t in threads)))
            for t in threads:
                t.join(120)
        finally:
            self.assertEqual(server.stop(), 0)
        self.assertEqual(statuses, [201] * 240)
        # the recounts really ran beside the writers (else this test proves nothing)
        self.assertTrue(any(alive for *_, alive in checks[:5]), checks)
        for what, rc, out, _ in checks:
            self.assertEqual(rc, 0, out)
            if what == "--check":
                self.assertRegex(out, r" 0 differing", out)
        p = run_cli(db, "stats", "recount", "--check", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(" 0 differing", p.stdout)


class CommandLineTest(unittest.TestCase):
    def test_help_lists_every_command(self):
        out = subprocess.run([BIN, "--help"], capture_output=True, text=True, check=True).stdout
        for cmd in ("serve", "migrate", "demo", "user", "config", "version", "audit", "calendar"):
            self.assertRegex(out, rf"\n  {cmd} ")
        self.assertIn("--database", out)
        self.assertIn("TINHSO_HTTP_THREADS", out)

    def test_config_precedence_and_masking(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("# test\nhttp.threads = 3\nlog.level = debug\ndatabase = postgresql://u:s3cret@127.0.0.1:1/x\n")
        env = dict(os.environ, TINHSO_HTTP_THREADS="5")
        out = subprocess.run([BIN, "config", "--config", f.name, "--log-level", "warn"], capture_output=True, text=True,
                             env=env, check=True).stdout
        self.assertRegex(out, r"http\.threads\s+= 5\s+# environment")
        self.assertRegex(out, r"log\.level\s+= warn\s+# flag")
        self.assertNotIn("s3cret", out)
        self.assertIn("postgresql://u:********@127.0.0.1:1/x", out)

    def test_unknown_settings_refuse_to_start(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("http.thread = 3\n")
        p = subprocess.run([BIN, "config", "--config", f.name], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown setting 'http.thread'", p.stderr)
        p = subprocess.run([BIN, "config"], capture_output=True, text=True, env=dict(os.environ, TINHSO_NOPE="1"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("TINHSO_NOPE", p.stderr)
        p = subprocess.run([BIN, "serve", "--no-such-flag", "1"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)

    def test_user_command_creates_an_officer_who_can_log_in(self):
        db = fresh_database("cli_user")
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        out = run_cli(db, "user", "add", "chuyenvien.xa1", "--full-name", "Đỗ Thị Hạnh", "--unit", "000.00.31.H99",
                      "--role", "specialist", "--password", "matkhau-moi-2026").stdout
        self.assertIn("created chuyenvien.xa1", out)
        srv = Server(db)
        try:
            c = Client(srv)
            r = c.login("chuyenvien.xa1", "matkhau-moi-2026")
            self.assertEqual(r.status, 200, r)
            self.assertIn("specialist", [g["role"] for g in r.json["account"]["roles"]])
        finally:
            self.assertEqual(srv.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
