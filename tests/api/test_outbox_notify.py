"""Notifications to citizens (issue 7) against the real server, a local SMTP sink and a
webhook sink (tests/emulator/sinks.py), on SQLite or PostgreSQL: acceptance, supplement
request, apology, result ready and delivery reach the citizen by e-mail, SMS and Zalo, from
Vietnamese templates an administrator can edit; they go through the outbox, so a failing
channel is retried while a channel that went out is not repeated. Waits poll with a bounded
deadline."""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "emulator"))
from sinks import SmtpSink, WebhookSink  # noqa: E402
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

COMPETENT = "000.01.12.H99"
COMMUNE = "000.00.31.H99"


def wait_for(pred, what, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)  # polling interval of a bounded wait, not a synchronisation
    raise AssertionError("timed out waiting for " + what)


class NotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_notify")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.smtp, cls.hooks = SmtpSink(), WebhookSink(token="hook-token")
        cls.server = Server(cls.db, {
            "TINHSO_NOTIFY_SMTP_URL": cls.smtp.url, "TINHSO_NOTIFY_MAIL_FROM": "motcua@tinh.example",
            "TINHSO_NOTIFY_SMS_WEBHOOK": cls.hooks.url("/sms"),
            "TINHSO_NOTIFY_ZALO_WEBHOOK": cls.hooks.url("/zalo"),
            "TINHSO_NOTIFY_WEBHOOK_TOKEN": "hook-token",
            "TINHSO_OUTBOX_POLL_MS": "100", "TINHSO_OUTBOX_BACKOFF_BASE_MS": "100",
            "TINHSO_OUTBOX_BACKOFF_MAX": "1"})
        cls.units = {}
        # a citizen with an e-mail address
        c = Client(cls.server)
        r = c.request("POST", "/api/v1/auth/register/citizen", {
            "full_name": "Phạm Thị Thu", "phone": "0987111222", "email": "thu@example.vn",
            "personal_id": "001190000999", "password": "matkhau-rat-manh-9"})
        assert r.status == 201, r

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.smtp.stop()
        cls.hooks.stop()
        assert code == 0, code

    def client(self, login=None, password=DEMO_PASSWORD):
        c = Client(self.server)
        if login:
            self.assertEqual(c.login(login, password).status, 200)
        return c

    def unit_id(self, code):
        if code not in self.units:
            items = self.client().request("GET", "/api/v1/units?q=" + code).json["items"]
            self.units[code] = [u for u in items if u["code"] == code][0]["id"]
        return self.units[code]

    def act(self, client, code, action, body=None):
        v = self.client("admin").request("GET", f"/api/v1/dossiers/{code}").json["version"]
        r = client.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", dict(body or {}, version=v))
        self.assertEqual(r.status, 200, (action, r))

    def submit(self, citizen):
        p = self.client().request("GET", "/api/v1/procedures/DEMO.000003").json
        docs = [{"code": d["code"], "originals": 1} for d in p["variants"][0]["documents"] if d["required"]]
        r = citizen.request("POST", "/api/v1/dossiers", {
            "procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id(COMPETENT),
            "receiving_unit_id": self.unit_id(COMMUNE), "delivery": "counter", "documents": docs})
        self.assertEqual(r.status, 201, r)
        return r.json["code"]

    def mails(self, code):
        return [m for m in self.smtp.messages if code in str(m["Subject"])]

    def texts(self, path, code):
        return [b for b in self.hooks.received(path) if code in b["text"]]

    def test_every_event_reaches_the_citizen_on_every_channel_once(self):
        citizen = self.client("0987111222", "matkhau-rat-manh-9")
        code = self.submit(citizen)
        counter, spec, leader = self.client("motcua.xa1"), self.client("chuyenvien.tp"), self.client("lanhdao.tp")
        self.act(counter, code, "accept")
        due = self.client("admin").request("GET", f"/api/v1/dossiers/{code}").json["current_due_at"]
        self.act(spec, code, "apologize", {"reason": "Cần xác minh thêm", "new_due": due + 7 * 86400})
        # the e-mail server refuses once, the SMS webhook fails once: both are retried, and
        # the channels that went out are not sent again
        with self.smtp.lock:
            self.smtp.fail_next = 1
        with self.hooks.lock:
            self.hooks.fail_next = 1
        self.act(spec, code, "request_supplement", {"reason": "Thiếu giấy tờ", "items": [
            {"document": "TP01", "reason": "Tờ khai chưa ký"}]})
        self.act(citizen, code, "resubmit")
        self.act(spec, code, "forward")
        self.act(leader, code, "finish")
        self.act(counter, code, "deliver", {"delivery": "counter"})
        events = ["accept", "apologize", "request_supplement", "finish", "deliver"]
        wait_for(lambda: len(self.mails(code)) >= 5 and len(self.texts("/sms", code)) >= 5
                 and len(self.texts("/zalo", code)) >= 5, "5 notifications per channel")
        mails = self.mails(code)
        self.assertEqual(len(mails), 5)
        self.assertEqual([m.envelope_to for m in mails], [["thu@example.vn"]] * 5)
        self.assertEqual(str(mails[0]["Subject"]), f"Hồ sơ {code} đã được tiếp nhận")
        self.assertIn("Phạm Thị Thu", mails[0].get_content())
        self.assertRegex(mails[0].get_content(), r"Ngày hẹn trả kết quả: \d\d:\d\d \d\d/\d\d/\d{4}")
        self.assertIn("Lý do: Cần xác minh thêm", mails[1].get_content())
        self.assertIn("Thiếu giấy tờ", mails[2].get_content())
        for path in ("/sms", "/zalo"):
            sent = self.texts(path, code)
            self.assertEqual([b["event"] for b in sent], events)  # in order, once each
            self.assertEqual({b["to"] for b in sent}, {"0987111222"})
            self.assertEqual(len({b["idempotency_key"] for b in sent}), 5)

    def test_templates_are_editable_by_administrators(self):
        admin = self.client("admin")
        r = admin.request("GET", "/api/v1/notify/templates")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 15)
        r = admin.request("PUT", "/api/v1/notify/templates/accept/sms",
                          {"body": "UBND xã: hồ sơ {code} đã nhận, hẹn {due}. {unknown} giữ nguyên"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(admin.request("PUT", "/api/v1/notify/templates/nope/sms", {"body": "x"}).status, 404)
        self.assertEqual(self.client("motcua.xa1").request("PUT", "/api/v1/notify/templates/accept/sms",
                                                           {"body": "x"}).status, 403)
        citizen = self.client("0987111222", "matkhau-rat-manh-9")
        code = self.submit(citizen)
        self.act(self.client("motcua.xa1"), code, "accept")
        sms = wait_for(lambda: self.texts("/sms", code), "the SMS")
        self.assertTrue(sms[0]["text"].startswith(f"UBND xã: hồ sơ {code} đã nhận, hẹn "), sms[0])
        self.assertIn("{unknown} giữ nguyên", sms[0]["text"])
        # the e-mail still uses the built-in wording
        self.assertTrue(wait_for(lambda: self.mails(code), "the e-mail"))
        custom = [t for t in admin.request("GET", "/api/v1/notify/templates").json["items"] if t["customised"]]
        self.assertEqual([(t["event"], t["channel"]) for t in custom], [("accept", "sms")])


if __name__ == "__main__":
    unittest.main(verbosity=2)
