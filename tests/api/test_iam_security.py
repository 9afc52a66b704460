"""Black-box tests of officer accounts' protections (issue 9, point 7), on the engine named by
TS_TEST_ENGINE: the optional TOTP second factor (enrolment shown once as an otpauth:// URI and
confirmed by a first code, login asking for the code, codes good once, an administrator's
reset), TOTP made mandatory for a role (iam.totp_required_roles), lockout of staff accounts
after login.lockout_failures consecutive failures with unlock by an administrator (audited),
and a person listing and revoking their own sessions. Run by CTest as api_iam_security_sqlite
and api_iam_security_pgsql.

The codes are computed here from the secret the server showed (RFC 6238 by the standard
library's hmac), independently of the server's liboath."""
import base64
import hashlib
import hmac
import os
import struct
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

ENGINE = os.environ.get("TS_TEST_ENGINE", "sqlite")
LOCKOUT = 3


def totp(secret_b32, step=None):
    """RFC 6238 code (SHA-1, 6 digits, 30 s) of time step `step` (default: now)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int(time.time()) // 30 if step is None else step
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{code:06d}"


class IamSecurity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("iam_security")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.server = Server(cls.db, {
            "TINHSO_LOGIN_LOCKOUT_FAILURES": str(LOCKOUT),
            # the time-window throttle is another defence (tested in test_api.py): out of the way
            "TINHSO_LOGIN_MAX_FAILURES_ACCOUNT": "1000", "TINHSO_LOGIN_MAX_FAILURES_IP": "100000",
            "TINHSO_IAM_TOTP_REQUIRED_ROLES": "inspector"})

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0

    def client(self, login=None, password=DEMO_PASSWORD, code=None):
        c = Client(self.server)
        if login:
            body = {"login": login, "password": password}
            if code:
                body["totp_code"] = code
            r = c.request("POST", "/api/v1/auth/login", body)
            self.assertEqual(r.status, 200, r)
            c.csrf = r.json["csrf_token"]
            c.account = r.json["account"]
        return c

    def login(self, login, password=DEMO_PASSWORD, code=None):
        body = {"login": login, "password": password}
        if code is not None:
            body["totp_code"] = code
        return Client(self.server).request("POST", "/api/v1/auth/login", body)

    def assertProblem(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.ctype.startswith("application/problem+json"), r.ctype)
        self.assertEqual(r.json["code"], code, r)

    def account_id(self, admin, username):
        r = admin.request("GET", "/api/v1/accounts?q=" + urllib.parse.quote(username) + "&limit=200")
        self.assertEqual(r.status, 200, r)
        ids = [a["id"] for a in r.json["items"] if a.get("username") == username]
        self.assertEqual(len(ids), 1, r)
        return ids[0]

    def audit_actions(self, admin, account_id):
        r = admin.request("GET", f"/api/v1/audit?object_type=account&object_id={account_id}&limit=200")
        self.assertEqual(r.status, 200, r)
        return [e["action"] for e in r.json["items"]]

    def enrol(self, c, label):
        r = c.request("POST", "/api/v1/auth/totp/enrol")
        self.assertEqual(r.status, 201, r)
        secret = r.json["secret"]
        self.assertEqual(len(base64.b32decode(secret)), 20)
        uri = urllib.parse.urlparse(r.json["otpauth_uri"])
        self.assertEqual((uri.scheme, uri.netloc), ("otpauth", "totp"))
        self.assertEqual(urllib.parse.unquote(uri.path), "/tinhso:" + label)
        q = urllib.parse.parse_qs(uri.query)
        self.assertEqual(q["secret"], [secret])
        self.assertEqual(q["issuer"], ["tinhso"])
        self.assertEqual((q["digits"], q["period"], q["algorithm"]), (["6"], ["30"], ["SHA1"]))
        return secret

    # ---- TOTP: optional second factor ----
    def test_totp_enrolment_login_replay_and_reset(self):
        user = "chuyenvien.tp"
        admin = self.client("admin")
        aid = self.account_id(admin, user)
        c = self.client(user)
        secret = self.enrol(c, user)
        # pending until confirmed: login still needs no code
        self.assertEqual(self.login(user).status, 200)
        self.assertFalse(admin.request("GET", f"/api/v1/accounts/{aid}").json["totp_enabled"])
        step = int(time.time()) // 30
        wrong = f"{(int(totp(secret, step)) + 1) % 1000000:06d}"
        self.assertProblem(c.request("POST", "/api/v1/auth/totp/confirm", {"code": wrong}), 422,
                           "validation_failed")
        self.assertProblem(c.request("POST", "/api/v1/auth/totp/confirm", {"code": "12ab56"}), 422,
                           "validation_failed")
        r = c.request("POST", "/api/v1/auth/totp/confirm", {"code": totp(secret, step)})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"totp_enabled": True})
        acct = admin.request("GET", f"/api/v1/accounts/{aid}")
        self.assertTrue(acct.json["totp_enabled"])
        self.assertNotIn(secret, acct.body)
        # a second enrolment over a confirmed one is refused (an administrator resets)
        self.assertProblem(c.request("POST", "/api/v1/auth/totp/enrol"), 409, "conflict")

        # login now asks for the code; the right password alone opens nothing
        r = self.login(user)
        self.assertProblem(r, 401, "totp_required")
        self.assertFalse(any(k.startswith("tinhso_session=") and "Max-Age=0" not in k for k in r.set_cookies))
        self.assertProblem(self.login(user, code=wrong), 401, "invalid_credentials")
        self.assertProblem(self.login(user, password="Sai-mat-khau-123", code=totp(secret, step + 1)), 401,
                           "invalid_credentials")
        # the confirming code is used up: a replay of it is refused
        self.assertProblem(self.login(user, code=totp(secret, step)), 401, "invalid_credentials")
        ok = self.login(user, code=totp(secret, step + 1))
        self.assertEqual(ok.status, 200, ok)
        self.assertNotIn("totp_enrolment_required", ok.json["account"])
        # ... and so is this one
        self.assertProblem(self.login(user, code=totp(secret, step + 1)), 401, "invalid_credentials")

        # lost device: a non-administrator cannot reset; the administrator can, which ends
        # the account's sessions, and login needs no code again
        other = self.client("truongphong.tp")
        self.assertProblem(other.request("POST", f"/api/v1/accounts/{aid}/totp-reset"), 403, "forbidden")
        self.assertEqual(admin.request("POST", f"/api/v1/accounts/{aid}/totp-reset").status, 204)
        self.assertProblem(c.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")
        self.assertFalse(admin.request("GET", f"/api/v1/accounts/{aid}").json["totp_enabled"])
        self.assertEqual(self.login(user).status, 200)
        actions = self.audit_actions(admin, aid)
        for a in ("totp.enrol", "totp.enable", "totp.reset", "auth.login"):
            self.assertIn(a, actions)

    # ---- TOTP mandatory for a role ----
    def test_role_that_requires_totp_gets_an_enrol_only_session(self):
        user = "thanhtra"  # inspector: account.read, audit.read ... everywhere
        c = self.client(user)
        self.assertTrue(c.account["totp_enrolment_required"])
        self.assertEqual(c.account["permissions"], ["authenticated"])
        self.assertProblem(c.request("GET", "/api/v1/accounts"), 403, "forbidden")
        me = c.request("GET", "/api/v1/auth/me")
        self.assertEqual(me.status, 200, me)
        self.assertTrue(me.json["account"]["totp_enrolment_required"])
        secret = self.enrol(c, user)
        step = int(time.time()) // 30
        self.assertEqual(c.request("POST", "/api/v1/auth/totp/confirm", {"code": totp(secret, step)}).status, 200)
        # the same session now carries the role's permissions
        self.assertEqual(c.request("GET", "/api/v1/accounts").status, 200)
        me = c.request("GET", "/api/v1/auth/me")
        self.assertNotIn("totp_enrolment_required", me.json["account"])
        self.assertIn("account.read", me.json["account"]["permissions"])
        self.assertProblem(self.login(user), 401, "totp_required")
        full = self.login(user, code=totp(secret, step + 1))
        self.assertEqual(full.status, 200, full)
        self.assertIn("account.read", full.json["account"]["permissions"])
        # a role that does not require it: a normal session
        self.assertNotIn("totp_enrolment_required", self.client("lanhdao.tp").account)

    # ---- lockout ----
    def test_lockout_after_consecutive_failures_and_admin_unlock(self):
        user = "vanthu.tp"
        admin = self.client("admin")
        aid = self.account_id(admin, user)
        # a success in between starts the count again
        for _ in range(LOCKOUT - 1):
            self.assertProblem(self.login(user, "Sai-mat-khau-123"), 401, "invalid_credentials")
        self.assertEqual(self.login(user).status, 200)
        for _ in range(LOCKOUT - 1):
            self.assertProblem(self.login(user, "Sai-mat-khau-123"), 401, "invalid_credentials")
        self.assertFalse(admin.request("GET", f"/api/v1/accounts/{aid}").json["locked"])
        self.assertProblem(self.login(user, "Sai-mat-khau-123"), 401, "invalid_credentials")
        acct = admin.request("GET", f"/api/v1/accounts/{aid}").json
        self.assertTrue(acct["locked"])
        self.assertIsInstance(acct["locked_at"], int)
        # locked: the right password is refused (and told so); a wrong one learns nothing
        self.assertProblem(self.login(user), 403, "account_locked")
        self.assertProblem(self.login(user, "Sai-mat-khau-123"), 401, "invalid_credentials")
        # only whoever holds account.write over the account's unit unlocks
        spec = self.client("truongphong.tp")  # division head: no account.write
        self.assertProblem(spec.request("POST", f"/api/v1/accounts/{aid}/unlock"), 403, "forbidden")
        self.assertProblem(self.login(user), 403, "account_locked")
        r = admin.request("POST", f"/api/v1/accounts/{aid}/unlock")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"was_locked": True})
        self.assertFalse(admin.request("GET", f"/api/v1/accounts/{aid}").json["locked"])
        self.assertEqual(self.login(user).status, 200)
        r = admin.request("POST", f"/api/v1/accounts/{aid}/unlock")
        self.assertEqual(r.json, {"was_locked": False})
        actions = self.audit_actions(admin, aid)
        self.assertEqual(actions.count("account.locked"), 1, actions)
        self.assertEqual(actions.count("account.unlock"), 2, actions)
        self.assertProblem(admin.request("POST", "/api/v1/accounts/999999/unlock"), 404, "not_found")
        v = admin.request("GET", "/api/v1/audit/verify")
        self.assertEqual(v.status, 200, v)
        self.assertTrue(v.json["ok"], v)

    def test_citizens_are_not_locked_out(self):
        # anyone who knows a citizen's phone number could otherwise lock them out
        for _ in range(LOCKOUT + 2):
            self.assertProblem(self.login("congdan1", "Sai-mat-khau-123"), 401, "invalid_credentials")
        self.assertEqual(self.login("congdan1").status, 200)

    # ---- own sessions ----
    def test_a_person_lists_and_revokes_their_own_sessions(self):
        a = self.client("motcua.xa1")
        b = self.client("motcua.xa1")
        stranger = self.client("lanhdao.tp")
        r = a.request("GET", "/api/v1/auth/sessions")
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertGreaterEqual(len(items), 2)
        current = [s for s in items if s["current"]]
        self.assertEqual(len(current), 1)
        others = [s["id"] for s in items if not s["current"]]
        b_id = [s for s in b.request("GET", "/api/v1/auth/sessions").json["items"] if s["current"]][0]["id"]
        self.assertIn(b_id, others)
        self.assertEqual(b.request("GET", "/api/v1/auth/me").status, 200)
        # another person's session is not found (and not revoked)
        self.assertProblem(stranger.request("DELETE", f"/api/v1/auth/sessions/{b_id}"), 404, "not_found")
        self.assertEqual(b.request("GET", "/api/v1/auth/me").status, 200)
        self.assertEqual(a.request("DELETE", f"/api/v1/auth/sessions/{b_id}").status, 204)
        self.assertProblem(b.request("GET", "/api/v1/auth/me"), 401, "unauthenticated")
        ids = [s["id"] for s in a.request("GET", "/api/v1/auth/sessions").json["items"]]
        self.assertNotIn(b_id, ids)
        self.assertProblem(a.request("DELETE", f"/api/v1/auth/sessions/{b_id}"), 404, "not_found")
        self.assertEqual(a.request("GET", "/api/v1/auth/me").status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
