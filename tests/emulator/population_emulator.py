"""Emulator of the population-data service behind the integration platform (src/dvcqg/
identity.c), Python standard library only: POST /tra-cuu {"SoDinhDanh"} answers the person
(HoVaTen, NgaySinh, GioiTinh, NoiThuongTru) or 404; checks the bearer token; records the
lookups; can go down (socket closed) and come back."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PopulationEmulator:
    def __init__(self, people, token="pop-token"):
        self.people, self.token, self.port = dict(people), token, 0
        self.lookups = []
        self.lock = threading.Lock()
        self.httpd = None
        self.up()

    def up(self):
        emu = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != "Bearer " + emu.token:
                    status, body = 401, {"error_code": "SAI_TOKEN"}
                elif self.path != "/tra-cuu":
                    status, body = 404, {"error_code": "KHONG_CO_DICH_VU"}
                else:
                    pid = json.loads(raw).get("SoDinhDanh")
                    with emu.lock:
                        emu.lookups.append(pid)
                    person = emu.people.get(pid)
                    status, body = (200, person) if person else (404, {"error_code": "KHONG_TIM_THAY"})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def down(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"
