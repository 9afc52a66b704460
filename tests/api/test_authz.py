"""Authorization (issue 9, point 8), against the real server on a fresh demo store (SQLite or
PostgreSQL, TS_TEST_ENGINE): a citizen cannot read or act on another's dossier by guessing
codes or ids (the dossier, files, file contents, forms, control slip, views, actions,
population data, uploads, exports, public lookup); an officer cannot read or act outside
their units, nor act at a step that is not theirs; an API key cannot exceed its permissions
or its unit; and every refusal of someone else's object is the answer for an object that does
not exist (same status, same problem code and title, same body shape)."""
import io
import os
import http.client
import re
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402
from test_attach import multipart  # noqa: E402

COMPETENT = "000.01.12.H99"   # Phòng Hành chính tư pháp (demo)
COMMUNE = "000.00.31.H99"     # Xã An Bình (demo)
ELSEWHERE = "000.02.13.H99"   # Phòng Đăng ký kinh doanh, Sở Tài chính: no part of the dossiers below
MISSING = "000.00.31.H99-260101-9999"  # a well-formed code nobody was given
OTHER_PHONE, OTHER_PW = "0987005555", "matkhau-rat-manh-6"


def pdf(tag):
    return b"%PDF-1.4\n%" + tag.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class AuthzTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_authz")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "10")
        for user, role in (("ngoai.motcua", "counter_officer"), ("ngoai.chuyenvien", "specialist")):
            run_cli(cls.db, "user", "add", user, "--full-name", "Cán bộ đơn vị khác", "--unit", ELSEWHERE,
                    "--role", role, "--password", DEMO_PASSWORD)
        cls.files = os.path.join(tempfile.mkdtemp(prefix="tinhso-authz-"), "files")
        cls.server = Server(cls.db, {"TINHSO_ATTACH_DIR": cls.files})
        cls.units = {}
        r = Client(cls.server).request("POST", "/api/v1/auth/register/citizen", {
            "full_name": "Phan Văn Người Khác", "phone": OTHER_PHONE, "personal_id": "079090005555",
            "password": OTHER_PW})
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

    def submit(self, citizen, tag):
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        r = citizen.request("POST", "/api/v1/dossiers", {
            "procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT),
            "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs})
        self.assertEqual(r.status, 201, r)
        code = r.json["code"]
        r = self.upload(citizen, code, tag)
        self.assertEqual(r.status, 201, r)
        return code, r.json["id"], r.json

    def upload(self, c, code, tag):
        body, ct = multipart({"component": "TP01"}, "to-khai.pdf", pdf(tag), "application/pdf")
        return c.request("POST", f"/api/v1/dossiers/{code}/files", raw=body, headers={"Content-Type": ct})

    def shape(self, r, code, fid=None):
        """What a caller learns from an answer, with the probed code / id written generically."""
        body = r.body.replace(code, "CODE")
        if fid is not None:
            body = re.sub(rf"\b{fid}\b", "ID", body)
        j = r.json or {}
        keys = sorted(j) if isinstance(j, dict) else None
        j = {k: (v.replace(code, "CODE") if isinstance(v, str) else v) for k, v in j.items()
             if k not in ("instance", "request_id")} if isinstance(j, dict) else j
        return r.status, r.ctype.split(";")[0], keys, j if r.json is not None else re.sub(r"\s+", " ", body)

    def assertLikeMissing(self, c, method, path_of, code, fid=None, missing_fid=987654321, **kw):
        """c's answer for someone else's code (and file id) is the answer for a missing one."""
        theirs = c.request(method, path_of(code, fid), **kw)
        missing = c.request(method, path_of(MISSING, missing_fid), **kw)
        self.assertGreaterEqual(theirs.status, 400, (method, path_of(code, fid), theirs))
        a, b = self.shape(theirs, code, fid), self.shape(missing, MISSING, missing_fid)
        self.assertEqual(a, b, (method, path_of(code, fid)))
        return theirs

    def state(self, code):
        r = self.client("admin").request("GET", f"/api/v1/dossiers/{code}")
        self.assertEqual(r.status, 200, r)
        return r.json["status"], r.json["version"], len(r.json["events"])

    # ---- citizens ----
    def test_a_citizen_cannot_reach_another_citizens_dossier(self):
        owner = self.client("congdan1")
        code, fid, _ = self.submit(owner, "owner-1")
        before = self.state(code)
        other = self.client(OTHER_PHONE, OTHER_PW)
        own_code, own_fid, _ = self.submit(other, "other-1")

        reads = [lambda c, f: f"/api/v1/dossiers/{c}",
                 lambda c, f: f"/api/v1/dossiers/{c}/files",
                 lambda c, f: f"/api/v1/dossiers/{c}/files/reusable",
                 lambda c, f: f"/api/v1/dossiers/{c}/files/{f}/content",
                 lambda c, f: f"/api/v1/dossiers/{c}/forms/receipt",
                 lambda c, f: f"/api/v1/dossiers/{c}/control-slip",
                 lambda c, f: f"/api/v1/dossiers/{c}/views",
                 lambda c, f: f"/api/v1/dossiers/{c}/eligible-officers",
                 lambda c, f: f"/api/v1/dossiers/{c}/population-data"]
        for p in reads:
            self.assertLikeMissing(other, "GET", p, code, fid)
        for action, body in (("withdraw", {"version": before[1], "reason": "thử"}),
                             ("supplement", {"version": before[1]}),
                             ("rate", {"version": before[1], "rating": 1})):
            self.assertLikeMissing(other, "POST", lambda c, f, a=action: f"/api/v1/dossiers/{c}/actions/{a}",
                                   code, body=body)
        self.assertLikeMissing(other, "DELETE", lambda c, f: f"/api/v1/dossiers/{c}/files/{f}", code, fid)
        self.assertLikeMissing(other, "POST", lambda c, f: f"/api/v1/dossiers/{c}/population-data", code)
        body, ct = multipart({"component": "TP01"}, "x.pdf", pdf("intruder"), "application/pdf")
        self.assertLikeMissing(other, "POST", lambda c, f: f"/api/v1/dossiers/{c}/files", code,
                               raw=body, headers={"Content-Type": ct})
        self.assertLikeMissing(other, "POST", lambda c, f: f"/api/v1/dossiers/{c}/files/reuse", code,
                               body={"file_id": fid, "component": "TP01"})

        # guessing a file id through one's own dossier: the other's file is a missing file
        self.assertLikeMissing(other, "GET", lambda c, f: f"/api/v1/dossiers/{own_code}/files/{f}/content",
                               own_code, fid)
        self.assertLikeMissing(other, "DELETE", lambda c, f: f"/api/v1/dossiers/{own_code}/files/{f}",
                               own_code, fid)
        r = other.request("POST", f"/api/v1/dossiers/{own_code}/files/reuse",
                          {"file_id": fid, "component": "TP01"})
        self.assertGreaterEqual(r.status, 400, r)

        # lists and exports hold only one's own dossiers
        r = other.request("GET", "/api/v1/dossiers?limit=200")
        self.assertEqual(r.status, 200, r)
        self.assertEqual({d["code"] for d in r.json["items"]}, {own_code})
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", "/api/v1/dossiers/export.xlsx",
                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in other.cookies.items())})
        x = conn.getresponse()
        raw = x.read()
        conn.close()
        self.assertEqual(x.status, 200)
        z = zipfile.ZipFile(io.BytesIO(raw))
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        self.assertIn(own_code, text)  # the export was read: one's own dossier is in it
        self.assertNotIn(code, text)
        # the public lookup needs the applicant's phone or ID: a wrong one is a missing dossier
        self.assertLikeMissing(self.client(), "GET", lambda c, f: f"/api/v1/public/dossiers/{c}?phone={OTHER_PHONE}", code)
        # and nothing changed, nothing was attached
        self.assertEqual(self.state(code), before)
        files = owner.request("GET", f"/api/v1/dossiers/{code}/files")
        items = files.json["items"] if isinstance(files.json, dict) else files.json
        self.assertEqual([f["id"] for f in items], [fid])

    # ---- officers ----
    def test_an_officer_cannot_reach_a_dossier_outside_their_units(self):
        code, fid, _ = self.submit(self.client("congdan1"), "owner-2")
        before = self.state(code)
        for user in ("ngoai.motcua", "ngoai.chuyenvien"):
            c = self.client(user)
            for p in (lambda c_, f: f"/api/v1/dossiers/{c_}", lambda c_, f: f"/api/v1/dossiers/{c_}/files",
                      lambda c_, f: f"/api/v1/dossiers/{c_}/files/{f}/content",
                      lambda c_, f: f"/api/v1/dossiers/{c_}/forms/receipt",
                      lambda c_, f: f"/api/v1/dossiers/{c_}/control-slip",
                      lambda c_, f: f"/api/v1/dossiers/{c_}/eligible-officers",
                      lambda c_, f: f"/api/v1/dossiers/{c_}/population-data"):
                self.assertLikeMissing(c, "GET", p, code, fid)
            for action in ("accept", "request-supplement", "refuse"):
                self.assertLikeMissing(c, "POST", lambda c_, f, a=action: f"/api/v1/dossiers/{c_}/actions/{a}",
                                       code, body={"version": before[1], "reason": "thử"})
            self.assertLikeMissing(c, "POST", lambda c_, f: f"/api/v1/dossiers/{c_}/population-data", code)
            r = c.request("GET", "/api/v1/dossiers?limit=200&unit=" + str(self.unit_id(COMMUNE)))
            self.assertIn(r.status, (403, 404), r)
            r = c.request("GET", f"/api/v1/units/{self.unit_id(COMMUNE)}/register?from=2026-01-01&to=2026-12-31")
            self.assertIn(r.status, (403, 404), r)
        self.assertEqual(self.state(code), before)

    def test_an_officer_cannot_act_at_a_step_that_is_not_theirs(self):
        code, _, _ = self.submit(self.client("congdan1"), "owner-3")
        before = self.state(code)
        # the dossier waits at the commune's counter: the competent unit's specialist and head
        # may read it (their unit is on it) but not receive it
        for user in ("chuyenvien.tp", "truongphong.tp", "tuphap.xa1"):
            c = self.client(user)
            r = c.request("GET", f"/api/v1/dossiers/{code}")
            if r.status == 200:
                self.assertNotIn("accept", r.json.get("allowed_actions", []) or [], user)
            for action in ("accept", "approve", "forward"):
                r = c.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", {"version": before[1]})
                self.assertIn(r.status, (403, 404, 409, 422), (user, action, r))
        self.assertEqual(self.state(code), before)

    # ---- API keys ----
    def test_an_api_key_cannot_exceed_its_permissions_or_unit(self):
        code, fid, _ = self.submit(self.client("congdan1"), "owner-4")
        before = self.state(code)
        admin = self.client("admin")

        def key(perms, unit=None):
            body = {"name": "Khóa thử " + ",".join(perms), "permissions": perms}
            if unit:
                body["unit_id"] = self.unit_id(unit)
            r = admin.request("POST", "/api/v1/api-clients", body)
            self.assertEqual(r.status, 201, r)
            return Client(self.server, bearer=r.json["key"])

        audit_only = key(["audit.read"])
        self.assertEqual(audit_only.request("GET", "/api/v1/audit/verify").status, 200)
        for p in (f"/api/v1/dossiers/{code}", f"/api/v1/dossiers/{code}/files",
                  f"/api/v1/dossiers/{code}/files/{fid}/content", f"/api/v1/dossiers/{code}/control-slip"):
            r = audit_only.request("GET", p)
            self.assertIn(r.status, (403, 404), (p, r))
        r = audit_only.request("POST", f"/api/v1/dossiers/{code}/actions/accept", {"version": before[1]})
        self.assertIn(r.status, (403, 404), r)

        reader = key(["dossier.read"])
        self.assertEqual(reader.request("GET", f"/api/v1/dossiers/{code}").status, 200)
        for action in ("accept", "withdraw", "refuse"):
            r = reader.request("POST", f"/api/v1/dossiers/{code}/actions/{action}",
                               {"version": before[1], "reason": "thử"})
            self.assertIn(r.status, (403, 404, 409), (action, r))
        self.assertGreaterEqual(self.upload(reader, code, "by-key").status, 400)
        self.assertIn(reader.request("POST", f"/api/v1/dossiers/{code}/population-data").status, (403, 404))
        self.assertEqual(reader.request("GET", "/api/v1/accounts").status, 403)

        elsewhere = key(["dossier.read", "dossier.receive"], ELSEWHERE)
        self.assertLikeMissing(elsewhere, "GET", lambda c, f: f"/api/v1/dossiers/{c}", code)
        self.assertLikeMissing(elsewhere, "GET", lambda c, f: f"/api/v1/dossiers/{c}/files/{f}/content", code, fid)
        self.assertLikeMissing(elsewhere, "POST", lambda c, f: f"/api/v1/dossiers/{c}/actions/accept", code,
                               body={"version": before[1]})
        self.assertEqual(self.state(code), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
