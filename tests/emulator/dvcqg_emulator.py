"""Emulator of the National Public Service Portal's dossier-sync API (Cổng Dịch vụ công
Quốc gia), for the tests of src/dvcqg (docs/integration.md). Python standard library only.

It records what it receives and applies each message once (by its MaGiaoDich), and can be
told, in-process or over POST /_control, to refuse, fail (503), time out or answer slowly
(N next requests or until told otherwise), to flap (fail every other request) or to go down
(the listening socket closed) for a while.

    POST /hoso            create a dossier (409 {"error_code": "DA_TON_TAI"} if it exists)
    PUT  /hoso/{MaHoSo}   update it (404 {"error_code": "KHONG_TON_TAI"} if unknown)
    GET  /_record         everything received and applied (JSON)
    POST /_control        {"mode": "ok|refuse|fail|timeout|slow|flap", "delay": s, "count": n,
                           "down_for": s}
Run alone: python3 dvcqg_emulator.py [port] [token]."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Emulator:
    def __init__(self, token="test-token", port=0):
        self.token = token
        self.lock = threading.Lock()
        self.mode, self.delay, self.count = "ok", 0.0, None
        self.flap_next_fails = True
        self.received = []      # every request: method, path, key, status, MaHoSo, TrangThaiHoSo
        self.dossiers = {}      # MaHoSo -> {"doc": last document, "history": [documents applied]}
        self.applied_keys = set()
        self.duplicates = 0
        self.in_flight = threading.Event()  # set when a slow/timeout request has arrived
        self.sleeping = 0                    # slow/timeout requests not yet answered
        self.httpd = None
        self.port = port
        self.up()

    # ---- lifecycle ----
    def up(self):
        emu = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                emu.handle(self, "GET")

            def do_POST(self):
                emu.handle(self, "POST")

            def do_PUT(self):
                emu.handle(self, "PUT")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def down(self):
        """Closes the listening socket: connections are refused until up()."""
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def down_for(self, seconds):
        self.down()
        threading.Timer(seconds, self.up).start()

    def stop(self):
        self.down()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode, delay=0.0, count=None):
        with self.lock:
            self.mode, self.delay, self.count = mode, float(delay), count
            self.in_flight.clear()

    # ---- what the tests read ----
    def statuses(self, code):
        """The status changes of a dossier's progress records (TrangThaiSau), in the order
        applied: one per transition tinhso recorded."""
        with self.lock:
            d = self.dossiers.get(code)
            return [p["TrangThaiSau"] for h in d["history"] for p in h.get("QuaTrinhXuLy") or []] if d else []

    def history(self, code):
        with self.lock:
            d = self.dossiers.get(code)
            return list(d["history"]) if d else []

    def record(self):
        with self.lock:
            return {"received": list(self.received), "duplicates": self.duplicates,
                    "dossiers": {k: v["history"] for k, v in self.dossiers.items()}}

    # ---- the exchange ----
    def _mode_for_request(self):
        with self.lock:
            mode, delay = self.mode, self.delay
            if mode == "flap":
                self.flap_next_fails = not self.flap_next_fails
                return ("fail" if not self.flap_next_fails else "ok"), 0.0
            if self.count is not None:
                self.count -= 1
                if self.count <= 0:
                    self.mode, self.delay, self.count = "ok", 0.0, None
            return mode, delay

    def handle(self, h, method):
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        path = h.path
        if path == "/_record" and method == "GET":
            return self.reply(h, 200, self.record())
        if path == "/_control" and method == "POST":
            c = json.loads(raw or b"{}")
            if c.get("down_for"):
                self.reply(h, 200, {"ok": True})
                threading.Thread(target=self.down_for, args=(float(c["down_for"]),)).start()
                return
            self.set_mode(c.get("mode", "ok"), c.get("delay", 0), c.get("count"))
            return self.reply(h, 200, {"ok": True})
        if h.headers.get("Authorization") != "Bearer " + self.token:
            return self.reply(h, 401, {"error_code": "SAI_TOKEN"})
        try:
            doc = json.loads(raw)
        except ValueError:
            return self.reply(h, 400, {"error_code": "JSON_KHONG_HOP_LE"})
        mode, delay = self._mode_for_request()
        entry = {"method": method, "path": path, "key": h.headers.get("Idempotency-Key"),
                 "MaGiaoDich": doc.get("MaGiaoDich"), "MaHoSo": doc.get("MaHoSo"),
                 "TrangThaiHoSo": doc.get("TrangThaiHoSo"), "mode": mode, "at": time.time()}
        with self.lock:
            self.received.append(entry)
        if mode in ("slow", "timeout"):
            with self.lock:
                self.sleeping += 1
            self.in_flight.set()
            try:
                time.sleep(delay)  # the emulated remote is slow; it still does the work after
                return self._answer(h, method, path, mode, doc, entry)
            finally:
                with self.lock:
                    self.sleeping -= 1
        return self._answer(h, method, path, mode, doc, entry)

    def quiet(self):
        """No slow request is still to be answered (so no late duplicate is on its way)."""
        with self.lock:
            return self.sleeping == 0

    def _answer(self, h, method, path, mode, doc, entry):
        if mode == "fail":
            return self.reply(h, 503, {"error_code": "HE_THONG_BAN"})
        if mode == "refuse":
            return self.reply(h, 400, {"error_code": "DU_LIEU_KHONG_HOP_LE"})
        if not doc.get("MaHoSo") or not isinstance(doc.get("TrangThaiHoSo"), int) \
                or not 1 <= doc["TrangThaiHoSo"] <= 10:
            return self.reply(h, 400, {"error_code": "THIEU_TRUONG"})
        code = doc["MaHoSo"]
        with self.lock:
            if doc.get("MaGiaoDich") in self.applied_keys:
                # a transaction seen before (a retry after a timeout, or the late original):
                # idempotent by its key, whatever the call
                self.duplicates += 1
                status, body = 200, {"ok": True, "duplicate": True}
            elif method == "POST" and path == "/hoso":
                if code in self.dossiers:
                    status, body = 409, {"error_code": "DA_TON_TAI"}
                else:
                    self.dossiers[code] = {"doc": None, "history": []}
                    status, body = 201, self._apply(code, doc)
            elif method == "PUT" and path == "/hoso/" + code:
                if code not in self.dossiers:
                    status, body = 404, {"error_code": "KHONG_TON_TAI"}
                else:
                    status, body = 200, self._apply(code, doc)
            else:
                status, body = 404, {"error_code": "KHONG_CO_DICH_VU"}
            entry["status"] = status
        return self.reply(h, status, body)

    def _apply(self, code, doc):
        key = doc.get("MaGiaoDich")
        if key in self.applied_keys:
            self.duplicates += 1
            return {"ok": True, "duplicate": True}
        self.applied_keys.add(key)
        d = self.dossiers[code]
        d["doc"] = doc
        d["history"].append(doc)
        return {"ok": True}

    def reply(self, h, status, body):
        data = json.dumps(body).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller gave up (timeout) or died


if __name__ == "__main__":
    emu = Emulator(token=sys.argv[2] if len(sys.argv) > 2 else "test-token",
                   port=int(sys.argv[1]) if len(sys.argv) > 1 else 8099)
    print(f"DVCQG emulator on {emu.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emu.stop()
