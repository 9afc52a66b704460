"""Sinks for the notification tests (src/outbox/notify.c), Python standard library only: a
minimal SMTP server that keeps every message it accepts, and an HTTP webhook sink (SMS,
Zalo) that keeps every JSON body. Both can be told to fail (SMTP 451, HTTP 503) for the next
N messages, to prove that failed channels are retried and sent channels are not repeated."""
import email
import email.policy
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmtpSink:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []   # email.message.EmailMessage, with .envelope_to
        self.fail_next = 0
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def say(self, line):
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.say("220 sink ESMTP")
                rcpt, mail_from = [], None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").strip()
                    up = cmd.upper()
                    if up.startswith("EHLO"):
                        self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif up.startswith("HELO") or up.startswith("NOOP") or up.startswith("RSET"):
                        self.say("250 OK")
                    elif up.startswith("MAIL FROM:"):
                        mail_from, rcpt = cmd[10:].strip(), []
                        self.say("250 OK")
                    elif up.startswith("RCPT TO:"):
                        rcpt.append(cmd[8:].strip().strip("<>"))
                        self.say("250 OK")
                    elif up == "DATA":
                        self.say("354 go on")
                        data = b""
                        while True:
                            chunk = self.rfile.readline()
                            if not chunk or chunk == b".\r\n":
                                break
                            data += chunk[1:] if chunk.startswith(b"..") else chunk
                        with sink.lock:
                            if sink.fail_next > 0:
                                sink.fail_next -= 1
                                self.say("451 try again later")
                                continue
                            msg = email.message_from_bytes(data, policy=email.policy.default)
                            msg.envelope_to = rcpt
                            msg.envelope_from = mail_from
                            sink.messages.append(msg)
                        self.say("250 queued")
                    elif up == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookSink:
    def __init__(self, token=None):
        self.lock = threading.Lock()
        self.bodies = {}     # path -> [json bodies]
        self.fail_next = 0
        self.token = token
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    if sink.token and self.headers.get("Authorization") != "Bearer " + sink.token:
                        status = 401
                    elif sink.fail_next > 0:
                        sink.fail_next -= 1
                        status = 503
                    else:
                        body = json.loads(raw)
                        body["idempotency_key"] = self.headers.get("Idempotency-Key")
                        sink.bodies.setdefault(self.path, []).append(body)
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path):
        with self.lock:
            return list(self.bodies.get(path, []))

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
