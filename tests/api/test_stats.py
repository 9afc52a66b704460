"""Black-box tests of statistics (report 06/VPCP/KSTT, drill-down, exports, the Decision 766
index, rankings, the IOC feed, public figures, `tinhso stats recount`) against the real
server over a demo province, on the engine named by TS_TEST_ENGINE (sqlite or pgsql)."""
import io
import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

PROC = "DEMO.000003"


class StatsApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_stats")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.server = Server(cls.db)
        cls.codes = cls.workload()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        assert rc == 0, f"server exit code {rc} after SIGTERM"

    @classmethod
    def login(cls, who):
        c = Client(cls.server)
        r = c.login(who)
        assert r.status == 200, r
        return c

    @classmethod
    def unit_id(cls, code):
        r = Client(cls.server).request("GET", "/api/v1/units?q=" + code)
        items = r.json["items"] if isinstance(r.json, dict) else r.json
        return [u for u in items if u["code"] == code][0]["id"]

    @classmethod
    def act(cls, client, code, action, body=None):
        d = client.request("GET", f"/api/v1/dossiers/{code}").json
        r = client.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", dict(body or {}, version=d["version"]))
        assert r.status == 200, (action, r)
        return r.json

    @classmethod
    def mark_population(cls, client, code):
        r = client.request("POST", f"/api/v1/dossiers/{code}/population-data")
        assert r.status == 200 and r.json["population_data"], r

    @classmethod
    def workload(cls):
        """Three dossiers today: one resolved (supplement, forward, finish, deliver, rate), one in
        progress, one refused at reception (never received)."""
        citizen, counter = cls.login("congdan1"), cls.login("motcua.xa1")
        spec, leader = cls.login("chuyenvien.tp"), cls.login("lanhdao.tp")
        proc = Client(cls.server).request("GET", f"/api/v1/procedures/{PROC}").json
        docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": PROC, "competent_unit_id": cls.unit_id("000.01.12.H99"),
                "receiving_unit_id": cls.unit_id("000.00.31.H99"), "delivery": "electronic", "documents": docs}
        codes = []
        for _ in range(3):
            r = citizen.request("POST", "/api/v1/dossiers", body)
            assert r.status == 201, r
            codes.append(r.json["code"])
        done, open_, refused = codes
        cls.act(counter, done, "accept")
        cls.act(spec, done, "request_supplement", {"items": [{"document": docs[0]["code"], "reason": "Chưa ký"}]})
        cls.act(citizen, done, "resubmit")
        cls.act(spec, done, "forward")
        cls.act(leader, done, "finish")
        cls.act(counter, done, "deliver", {"delivery": "electronic"})
        cls.act(citizen, done, "rate", {"rating": 2})
        # population data (766 5.6 / 5.7): taken before acceptance for one, after resolution for
        # another, and for one never received (not counted)
        cls.mark_population(counter, open_)
        cls.act(counter, open_, "accept")
        cls.mark_population(counter, done)
        cls.act(counter, refused, "refuse", {"reason": "Không thuộc thẩm quyền"})
        cls.mark_population(counter, refused)
        return {"done": done, "open": open_, "refused": refused}

    def test_report06_today_with_identities_and_drill_down(self):
        admin = self.login("admin")
        r = admin.request("GET", "/api/v1/stats/report06?period=2000-01-01..2002-01-01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["total"]["cells"]["received"], 0)
        r = admin.request("GET", "/api/v1/stats/report06")  # default: the Decree 09 month of today
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["columns"]), 17)
        total = r.json["total"]["cells"]
        self.assertEqual(total["received"], 2)          # accepted; the refused one never was
        self.assertEqual(total["received_online"], 2)
        self.assertEqual(total["resolved"], 1)
        self.assertEqual(total["in_progress"], 1)
        self.assertEqual(total["in_progress_within"], 1)
        self.assertTrue(r.json["total"]["consistent"])
        self.assertTrue(all(row["consistent"] for row in r.json["rows"]))
        self.assertEqual([lv["level"] for lv in r.json["levels"]], ["province"])
        self.assertTrue(all(row["field_name"] for row in r.json["rows"]))
        period = r.json["period"]
        rng = f"{period['from'] // 10000:04d}-{period['from'] // 100 % 100:02d}-{period['from'] % 100:02d}.." \
              f"{period['to'] // 10000:04d}-{period['to'] // 100 % 100:02d}-{period['to'] % 100:02d}"
        d = admin.request("GET", f"/api/v1/stats/report06/drill?period={rng}&cell=resolved")
        self.assertEqual(d.status, 200, d)
        self.assertEqual([x["code"] for x in d.json["items"]], [self.codes["done"]])
        d = admin.request("GET", f"/api/v1/stats/report06/drill?period={rng}&cell=in_progress&level=province")
        self.assertEqual([x["code"] for x in d.json["items"]], [self.codes["open"]])
        self.assertNotIn("Nguyễn Thị Bình", d.body)
        bad = admin.request("GET", "/api/v1/stats/report06/drill?cell=nonsense")
        self.assertEqual(bad.status, 422, bad)
        bad = admin.request("GET", "/api/v1/stats/report06?period=month:2026-13")
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(bad.json["field"], "period")

    def test_exports_are_xlsx_and_pdf(self):
        admin = self.login("admin")
        x = admin.request("GET", "/api/v1/stats/report06?format=xlsx")
        self.assertEqual(x.status, 200, x)
        self.assertIn("spreadsheetml", x.ctype)
        self.assertTrue(x.body.startswith("PK"))
        self.assertIn("attachment", x.headers["content-disposition"])
        p = admin.request("GET", "/api/v1/stats/report06?format=pdf")
        self.assertEqual(p.status, 200, p)
        self.assertEqual(p.ctype, "application/pdf")
        self.assertTrue(p.body.startswith("%PDF-"))
        # drawn with cairo + Pango: the Vietnamese text copies out exactly (pdftotext)
        import http.client
        import subprocess
        import tempfile
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", "/api/v1/stats/report06?format=pdf",
                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in admin.cookies.items())})
        raw = conn.getresponse().read()
        conn.close()
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(raw)
            f.flush()
            text = subprocess.run(["pdftotext", "-layout", f.name, "-"], check=True, capture_output=True).stdout.decode()
        self.assertIn("Tình hình, kết quả giải quyết thủ tục hành chính", text)
        self.assertIn("Tổng cộng", text)
        self.assertIn("Cấp tỉnh", text)

    def test_index766_with_na_reasons_and_drill(self):
        admin = self.login("admin")
        r = admin.request("GET", "/api/v1/stats/index766")
        self.assertEqual(r.status, 200, r)
        items = {i["code"]: i for i in r.json["items"]}
        self.assertEqual(len(items), 19)
        self.assertEqual(sum(i["max"] for i in items.values()), 100)
        self.assertTrue(items["4.3"]["na"])
        self.assertTrue(items["4.3"]["na_reason"])
        self.assertIsNone(items["4.3"]["score"])
        prog = items["2.1"]
        # resolved before the deadline + in progress within it, over resolved + in progress
        self.assertEqual((prog["numerator"], prog["denominator"]), (2, 2))
        self.assertEqual(prog["score"], 20.0)
        elec = items["5.1"]
        self.assertEqual((elec["numerator"], elec["denominator"]), (1, 1))
        self.assertEqual(elec["score"], 6.0)
        # dossiers received that used population data (both received), and their procedure
        pop = items["5.7"]
        self.assertFalse(pop["na"])
        self.assertEqual((pop["numerator"], pop["denominator"]), (2, 2))
        self.assertEqual(pop["score"], 2.0)
        procs = items["5.6"]
        self.assertEqual((procs["numerator"], procs["denominator"]), (1, 1))
        for cell in ("idx:5.7", "idx:5.6"):
            d = admin.request("GET", f"/api/v1/stats/report06/drill?cell={cell}")
            self.assertEqual(sorted(x["code"] for x in d.json["items"]),
                             sorted([self.codes["done"], self.codes["open"]]))
        sat = items["6.3"]  # resolved 1, disliked 1 -> 0 %
        self.assertEqual((sat["numerator"], sat["denominator"]), (0, 1))
        self.assertLessEqual(r.json["total"], r.json["max"])
        self.assertEqual(r.json["max"] + r.json["not_computed_max"], 100)
        d = admin.request("GET", "/api/v1/stats/report06/drill?cell=idx:6.3")
        self.assertEqual([x["code"] for x in d.json["items"]], [self.codes["done"]])

    def test_rankings_and_officer_late_list(self):
        admin = self.login("admin")
        r = admin.request("GET", "/api/v1/stats/rankings/units")
        self.assertEqual(r.status, 200, r)
        div = [u for u in r.json["items"] if u["code"] == "000.01.12.H99"][0]
        self.assertEqual((div["received"], div["resolved"]), (2, 1))
        self.assertEqual(div["supplement_rate"], 1.0)
        self.assertEqual(div["satisfaction"], 2.0)
        self.assertEqual(div["rank"], 1)
        o = admin.request("GET", "/api/v1/stats/rankings/officers")
        self.assertEqual(o.status, 200, o)
        self.assertIn("chuyenvien.tp", [x["username"] for x in o.json["items"]])
        spec_id = [x["account_id"] for x in o.json["items"] if x["username"] == "chuyenvien.tp"][0]
        late = admin.request("GET", f"/api/v1/stats/officers/{spec_id}/late")
        self.assertEqual(late.status, 200, late)
        self.assertEqual(late.json["items"], [])  # handed over within the step's time

    def test_ioc_feed_and_public_figures(self):
        admin = self.login("admin")
        r = admin.request("GET", "/api/v1/stats/ioc")
        self.assertEqual(r.status, 200, r)
        j = r.json
        for k in ("today", "period_totals", "overdue_now", "index766", "trend", "units", "latest_events",
                  "top_late_procedures", "top_late_units", "cursor"):
            self.assertIn(k, j)
        self.assertEqual(j["today"]["received"], 2)
        self.assertEqual(j["today"]["submitted"], 3)
        self.assertEqual(j["today"]["online_share"], 1.0)
        self.assertGreater(j["cursor"], 0)
        self.assertTrue(j["latest_events"])
        self.assertNotIn("Nguyễn Thị Bình", r.body)
        self.assertNotIn("0912000001", r.body)
        # a new transition moves the cursor and the numbers
        self.act(self.login("chuyenvien.tp"), self.codes["open"], "forward")
        after = admin.request("GET", "/api/v1/stats/ioc").json
        self.assertGreater(after["cursor"], j["cursor"])
        pub = Client(self.server).request("GET", "/api/v1/public/stats")
        self.assertEqual(pub.status, 200, pub)
        self.assertEqual(pub.json["totals"]["received"], 2)
        self.assertNotIn("Nguyễn Thị Bình", pub.body)

    def open_stream(self, client, server=None):
        """GET /api/v1/stats/ioc/events on a raw socket; returns (socket, status, bytes so far)."""
        import socket
        srv = server or self.server
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        s.sendall((f"GET /api/v1/stats/ioc/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                   f"Cookie: {cookie}\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        status = int(data.split()[1]) if data else 0
        return s, status, data

    @staticmethod
    def read_until(s, data, needle, timeout):
        s.settimeout(timeout)
        while needle not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data

    # Both server modes: a thread per connection (the default; a waiting stream blocks its own
    # thread) and a pool (a waiting stream is suspended and resumed by the feed's thread).
    THREADS = ("0", "4")

    def test_ioc_events_stream_pushes_a_change_within_2_seconds(self):
        for threads in self.THREADS:
            with self.subTest(http_threads=threads):
                self.push_within_2_seconds(threads)

    def push_within_2_seconds(self, threads):
        import json as _json
        import re as _re
        import time as _time
        # a store of its own: the class's workload figures stay as the other tests expect
        db = fresh_database("api_stats_push_" + threads)
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        srv = Server(db, {"TINHSO_HTTP_THREADS": threads})
        inspector = Client(srv)
        self.assertEqual(inspector.login("thanhtra").status, 200)
        s, status, data = self.open_stream(inspector, srv)
        try:
            self.assertEqual(status, 200, data)
            self.assertIn(b"text/event-stream", data.lower())
            data = self.read_until(s, data, b": open", 5)
            self.assertIn(b": open", data)
            self.assertNotIn(b"event: change", data)  # nothing happened yet
            before = inspector.request("GET", "/api/v1/stats/ioc").json["cursor"]
            proc = Client(srv).request("GET", f"/api/v1/procedures/{PROC}").json
            docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
            body = {"procedure_code": PROC, "competent_unit_id": self.unit_id("000.01.12.H99"),
                    "receiving_unit_id": self.unit_id("000.00.31.H99"), "delivery": "electronic", "documents": docs}
            t0 = _time.monotonic()
            citizen = Client(srv)
            self.assertEqual(citizen.login("congdan1").status, 200)
            r = citizen.request("POST", "/api/v1/dossiers", body)
            self.assertEqual(r.status, 201, r)
            data = self.read_until(s, data, b"event: change", 5)
            took = _time.monotonic() - t0
            self.assertIn(b"event: change", data)
            self.assertLess(took, 2.0)
            m = _re.search(rb"event: change\ndata: (\{[^\n]*\})\n\n", data)
            self.assertIsNotNone(m, data)
            cursor = _json.loads(m.group(1))["cursor"]
            self.assertGreater(cursor, before)
            self.assertEqual(cursor, inspector.request("GET", "/api/v1/stats/ioc").json["cursor"])
            # stats.read is required, as for the figures themselves
            self.assertEqual(Client(srv).request("GET", "/api/v1/stats/ioc/events").status, 401)
            self.assertEqual(citizen.request("GET", "/api/v1/stats/ioc/events").status, 403)
        finally:
            s.close()
            self.assertEqual(srv.stop(), 0)

    def test_ioc_events_are_bounded_beat_and_end_on_shutdown(self):
        for threads in self.THREADS:
            with self.subTest(http_threads=threads):
                self.bounded_beat_and_end(threads)

    def bounded_beat_and_end(self, threads):
        import time as _time
        db = fresh_database("api_stats_live_" + threads)
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        srv = Server(db, {"TINHSO_STATS_LIVE_STREAMS": "1", "TINHSO_STATS_LIVE_HEARTBEAT": "1",
                          "TINHSO_HTTP_THREADS": threads})
        try:
            c = Client(srv)
            self.assertEqual(c.login("thanhtra").status, 200)
            s, status, data = self.open_stream(c, srv)
            self.assertEqual(status, 200, data)
            # the second stream is over the configured bound: 503 problem, the first stays open
            r = c.request("GET", "/api/v1/stats/ioc/events", headers={"Accept": "text/event-stream"})
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.json["code"], "unavailable")
            # a client that does not ask for an event stream is told so, never left hanging
            r = c.request("GET", "/api/v1/stats/ioc/events")
            self.assertEqual(r.status, 406, r)
            self.assertEqual(r.json["code"], "not_acceptable")
            data = self.read_until(s, data, b": ping", 5)  # heartbeat of an idle stream
            self.assertIn(b": ping", data)
            t0 = _time.monotonic()
            rc = srv.stop()
            self.assertEqual(rc, 0)
            self.assertLess(_time.monotonic() - t0, 5.0)  # not held for the 15 s grace time
            s.settimeout(5)
            rest = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            s.close()
        finally:
            srv.stop()
        # turned off: the route says so instead of hanging
        srv = Server(db, {"TINHSO_STATS_LIVE_STREAMS": "0", "TINHSO_HTTP_THREADS": threads})
        try:
            c = Client(srv)
            self.assertEqual(c.login("thanhtra").status, 200)
            self.assertEqual(c.request("GET", "/api/v1/stats/ioc/events", headers={"Accept": "text/event-stream"}).status, 503)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_scope_of_stats_read(self):
        leader = self.login("lanhdao.tp")  # agency_leader of Sở Tư pháp
        own = leader.request("GET", f"/api/v1/stats/report06?unit={self.unit_id('000.00.12.H99')}")
        self.assertEqual(own.status, 200, own)
        self.assertEqual(own.json["total"]["cells"]["received"], 2)
        other = leader.request("GET", f"/api/v1/stats/report06?unit={self.unit_id('000.00.31.H99')}")
        self.assertEqual(other.status, 403, other)
        province = leader.request("GET", "/api/v1/stats/report06?unit=0")
        self.assertEqual(province.status, 403, province)
        self.assertEqual(leader.request("GET", "/api/v1/stats/report06").status, 200)  # default: own subtree
        self.assertEqual(self.login("chuyenvien.tp").request("GET", "/api/v1/stats/report06").status, 403)
        self.assertEqual(Client(self.server).request("GET", "/api/v1/stats/ioc").status, 401)
        # a kept IOC answer is never given past the permission check
        commune = self.unit_id("000.00.31.H99")
        admin = self.login("admin")
        first = admin.request("GET", f"/api/v1/stats/ioc?unit={commune}")
        self.assertEqual(first.status, 200, first)
        self.assertEqual(admin.request("GET", f"/api/v1/stats/ioc?unit={commune}").json, first.json)
        self.assertEqual(leader.request("GET", f"/api/v1/stats/ioc?unit={commune}").status, 403)

    def test_recount_agrees_with_the_live_counters(self):
        p = run_cli(self.db, "stats", "recount", "--check")
        self.assertIn("ok", p.stdout)
        self.assertIn("0 differing", p.stdout)


def rec_name_of(report, key):
    """The field name report 06 shows for the row whose field key is key."""
    return [row["field_name"] for row in report["rows"] if row["field_code"] == key][0]


def store_sql(db, stmt, query):
    """Runs stmt (committed) then returns the first column of query's first row, on either engine."""
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):], timeout=30)
        if stmt:
            con.execute(stmt)
            con.commit()
        v = con.execute(query).fetchone()[0]
        con.close()
        return int(v)
    if stmt:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db, "-c", stmt], check=True,
                       capture_output=True, text=True)
    return int(subprocess.run(["psql", "-X", "-A", "-t", "-c", query, db], check=True,
                              capture_output=True, text=True).stdout.strip())


class OwnStoreStatsTest(unittest.TestCase):
    """Statistics tests that change what the shared workload above relies on, on their own store:
    /metrics' tinhso_dossiers_overdue (src/stats/metrics.c) and a procedure moved to another field.
    The server has no test clock, so for the gauge "time passes" by moving an open dossier's
    deadline (dossier and its open stock stretch) into the past in the store, as the storage
    test does with its clock (test_stats_workload.c)."""

    OPEN_OVERDUE = ("SELECT COUNT(*) FROM dossier WHERE accepted_at IS NOT NULL AND due_at > 0 AND "
                    "((status IN (2, 4) AND due_at < {now}) OR (status IN (5, 6) AND paused_since > due_at))")

    @classmethod
    def setUpClass(cls):
        cls.db = fresh_database("api_stats_overdue")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.server = Server(cls.db)

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        assert rc == 0, f"server exit code {rc} after SIGTERM"

    def unit(self, code):
        r = Client(self.server).request("GET", "/api/v1/units?q=" + code)
        items = r.json["items"] if isinstance(r.json, dict) else r.json
        return [u for u in items if u["code"] == code][0]["id"]

    def gauge(self):
        admin = Client(self.server)
        self.assertEqual(admin.login("admin").status, 200)
        m = admin.request("GET", "/metrics")
        self.assertEqual(m.status, 200, m)
        self.assertIn("# TYPE tinhso_dossiers_overdue gauge\n", m.body)
        found = re.findall(r"^tinhso_dossiers_overdue (\d+)$", m.body, re.M)
        self.assertEqual(len(found), 1, m.body)
        ranks = admin.request("GET", "/api/v1/stats/rankings/units?unit=0")
        self.assertEqual(ranks.status, 200, ranks)
        by_unit = re.findall(r'^tinhso_dossiers_overdue_by_unit\{unit="000\.01\.12\.H99"\} (\d+)$', m.body, re.M)
        self.assertEqual(len(by_unit), 1, m.body)
        self.assertEqual(by_unit[0], found[0])  # the only competent unit of these dossiers
        return int(found[0]), sum(u["overdue_now"] for u in ranks.json["items"])

    def new_dossier(self, accept=True):
        citizen, counter = Client(self.server), Client(self.server)
        self.assertEqual(citizen.login("congdan1").status, 200)
        self.assertEqual(counter.login("motcua.xa1").status, 200)
        proc = Client(self.server).request("GET", f"/api/v1/procedures/{PROC}").json
        docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": PROC, "competent_unit_id": self.unit("000.01.12.H99"),
                "receiving_unit_id": self.unit("000.00.31.H99"), "delivery": "electronic", "documents": docs}
        r = citizen.request("POST", "/api/v1/dossiers", body)
        self.assertEqual(r.status, 201, r)
        if accept:
            d = counter.request("GET", f"/api/v1/dossiers/{r.json['code']}").json
            a = counter.request("POST", f"/api/v1/dossiers/{r.json['code']}/actions/accept", {"version": d["version"]})
            self.assertEqual(a.status, 200, a)
        return r.json["code"]

    @staticmethod
    def by_field(report):
        out = {}
        for row in report["rows"]:
            cells = out.setdefault(row["field_code"], dict.fromkeys(row["cells"], 0))
            for k, v in row["cells"].items():
                cells[k] += v
        return out

    def test_report06_files_dossiers_under_the_field_they_were_received_in(self):
        """DOMAIN.md §8: a new catalogue version moves the procedure to another field; the dossiers
        received before stay under the old field (report, drill-down, XLSX), the new ones go under
        the new field, and the recount still equals the counters."""
        admin = Client(self.server)
        self.assertEqual(admin.login("admin").status, 200)
        self.new_dossier()
        rec = Client(self.server).request("GET", "/api/v1/procedures/export").json
        rec = [x for x in (rec["procedures"] if isinstance(rec, dict) else rec) if x["code"] == PROC][0]
        old_key = rec.get("field_code") or rec["field"]
        before = self.by_field(admin.request("GET", "/api/v1/stats/report06").json)
        self.assertGreaterEqual(before[old_key]["received"], 1)
        self.assertNotIn("TV.CHUYEN", before)
        rec["field"], rec["field_code"] = "Lĩnh vực thử chuyển", "TV.CHUYEN"
        rec["valid_from"] = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))  # today, UTC+7
        r = admin.request("POST", "/api/v1/procedures/import", {"procedures": [rec]})
        self.assertEqual(r.status, 200, r)
        self.new_dossier()
        self.new_dossier()
        rep = admin.request("GET", "/api/v1/stats/report06")
        self.assertEqual(rep.status, 200, rep)
        after = self.by_field(rep.json)
        self.assertEqual(after[old_key], before[old_key])  # nothing moved out of the old field
        self.assertEqual(after["TV.CHUYEN"]["received"], 2)
        self.assertEqual(after["TV.CHUYEN"]["in_progress"], 2)
        self.assertIn("Lĩnh vực thử chuyển", [row["field_name"] for row in rep.json["rows"]])
        self.assertTrue(all(row["consistent"] for row in rep.json["rows"]))
        for key, n in ((old_key, before[old_key]["received"]), ("TV.CHUYEN", 2)):
            d = admin.request("GET", "/api/v1/stats/report06/drill?cell=received&field=" + urllib.parse.quote(key))
            self.assertEqual(d.status, 200, d)
            self.assertEqual(len(d.json["items"]), n, (key, d.json))
        # the XLSX export carries both rows
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", "/api/v1/stats/report06?format=xlsx",
                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in admin.cookies.items())})
        raw = conn.getresponse().read()
        conn.close()
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            text = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml"))
        self.assertIn("Lĩnh vực thử chuyển", text)
        self.assertIn(rec_name_of(rep.json, old_key), text)
        p = run_cli(self.db, "stats", "recount", "--check")
        self.assertIn("0 differing", p.stdout)

    def test_gauge_counts_open_dossiers_past_their_deadline(self):
        citizen, counter = Client(self.server), Client(self.server)
        self.assertEqual(citizen.login("congdan1").status, 200)
        self.assertEqual(counter.login("motcua.xa1").status, 200)
        proc = Client(self.server).request("GET", f"/api/v1/procedures/{PROC}").json
        docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": PROC, "competent_unit_id": self.unit("000.01.12.H99"),
                "receiving_unit_id": self.unit("000.00.31.H99"),
                "delivery": "electronic", "documents": docs}
        codes = []
        for _ in range(3):
            r = citizen.request("POST", "/api/v1/dossiers", body)
            self.assertEqual(r.status, 201, r)
            codes.append(r.json["code"])
        for code in codes[:2]:  # the third is never accepted: not in the stock
            d = counter.request("GET", f"/api/v1/dossiers/{code}").json
            r = counter.request("POST", f"/api/v1/dossiers/{code}/actions/accept", {"version": d["version"]})
            self.assertEqual(r.status, 200, r)
        now = int(time.time())
        self.assertEqual(self.gauge(), (0, 0))
        self.assertEqual(store_sql(self.db, None, self.OPEN_OVERDUE.format(now=now)), 0)
        # the deadlines of two dossiers pass (one never accepted: it has none and stays out)
        past = now - 3600
        for code in (codes[0], codes[2]):
            ident = f"(SELECT id FROM dossier WHERE code = '{code}')"
            store_sql(self.db, f"UPDATE stats_segment SET due_at = {past} WHERE dossier_id = {ident} AND end_at IS NULL",
                      "SELECT 0")
            store_sql(self.db, f"UPDATE dossier SET due_at = {past}, current_due_at = {past} "
                               f"WHERE code = '{code}' AND accepted_at IS NOT NULL", "SELECT 0")
        want = store_sql(self.db, None, self.OPEN_OVERDUE.format(now=int(time.time())))
        self.assertEqual(want, 1)
        self.assertEqual(self.gauge(), (1, 1))


if __name__ == "__main__":
    unittest.main(verbosity=2)
