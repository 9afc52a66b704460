"""Black-box tests of attachments and printed forms against the real tinhso server, on the
engine named by TS_TEST_ENGINE: multipart uploads (caps, types, truncation, names,
interrupted and concurrent uploads), the virus scanner (a fake clamd speaking INSTREAM on a
unix socket; the real clamd too when one is reachable), downloads, re-use, the PDF forms
(text checked with pdftotext, pages kept as PNG artefacts, the QR decoded with zbarimg) and
the XLSX register. Run by CTest as api_attach_sqlite and api_attach_pgsql."""
import glob
import hashlib
import io
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

ENGINE = os.environ.get("TS_TEST_ENGINE", "sqlite")
ARTEFACTS = os.environ.get("TS_ARTEFACT_DIR", tempfile.mkdtemp(prefix="tinhso-forms-"))
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MAX_FILE = 1 << 20
MAX_DOSSIER = 3 << 20

# The whole Vietnamese alphabet: every vowel with every tone, both cases, and đ/Đ.
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
def _syllables(vowels):
    return " ".join(unicodedata.normalize("NFC", v + t) for v in vowels for t in TONES)
NAME = "Đặng " + _syllables("aăâeêi")
ADDRESS = "Số 9 " + _syllables("oôơuưy") + " " + _syllables("AĂÂEÊIOÔƠUƯY") + " đường Đồng Khởi"


def pdf_bytes(text="tinhso", pad=0):
    """A small valid PDF (libmagic: application/pdf, ends with %%EOF)."""
    body = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            + b"% " + text.encode() + b"\n" + b"%" + b"x" * pad + b"\n"
            + b"trailer<</Root 1 0 R>>\n%%EOF\n")
    return body


def png_bytes():
    import zlib
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"\x00\xff\x00\x00" * 1
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(fields, file_name, content, ctype="application/octet-stream"):
    boundary = "----tinhso" + hashlib.sha1(os.urandom(8)).hexdigest()
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
    if content is not None:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"".encode()
                  + file_name.encode("utf-8") + f"\"\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.write(content)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


class FakeClamd:
    """clamd's INSTREAM protocol on a unix socket: FOUND for the EICAR string, else OK."""

    def __init__(self, path, delay=0.0):
        self.path = path
        self.delay = delay  # seconds each verdict takes, so that concurrent passes overlap
        self.scans = 0
        self.scanned = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(16)
        self.stopped = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(conn,), daemon=True).start()

    def one(self, conn):
        with conn:
            f = conn.makefile("rb")
            cmd = b""
            while not cmd.endswith(b"\0"):
                c = f.read(1)
                if not c:
                    return
                cmd += c
            if cmd != b"zINSTREAM\0":
                conn.sendall(b"UNKNOWN COMMAND\0")
                return
            data = b""
            while True:
                n = struct.unpack(">I", f.read(4))[0]
                if n == 0:
                    break
                data += f.read(n)
            if self.delay:
                time.sleep(self.delay)
            self.scans += 1
            self.scanned.append(hashlib.sha256(data).hexdigest())
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0")

    def stop(self):
        self.stopped = True
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class AttachTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tinhso-attach-")
        cls.files = os.path.join(cls.tmp, "files")
        cls.clamd = FakeClamd(os.path.join(cls.tmp, "clamd.sock"))
        cls.db = fresh_database("attach_test")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.server = Server(cls.db, {"TINHSO_ATTACH_DIR": cls.files, "TINHSO_ATTACH_MAX_FILE": str(MAX_FILE),
                                     "TINHSO_ATTACH_MAX_DOSSIER": str(MAX_DOSSIER),
                                     "TINHSO_ATTACH_CLAMD": "unix:" + cls.clamd.path,
                                     "TINHSO_FORMS_LOOKUP_URL": "https://dichvucong.example.vn/tra-cuu?ma={code}"})
        os.makedirs(ARTEFACTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        cls.clamd.stop()
        assert rc == 0, f"server exit code {rc} after SIGTERM"

    # ---- helpers ----
    def client(self, login=None, password=DEMO_PASSWORD, server=None):
        c = Client(server or self.server)
        if login:
            r = c.login(login, password)
            self.assertEqual(r.status, 200, r)
        return c

    def unit_id(self, code):
        items = self.client().request("GET", "/api/v1/units?q=" + code).json["items"]
        return [u for u in items if u["code"] == code][0]["id"]

    def submit(self, citizen, name=None, address=None):
        body = {"procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id("000.01.12.H99"),
                "receiving_unit_id": self.unit_id("000.00.31.H99"), "delivery": "counter",
                "documents": [{"code": "TP01", "originals": 1}, {"code": "TP02", "copies": 1},
                              {"code": "TP03", "digitised": True}]}
        if name:
            body["applicant_name"] = name
        if address:
            body["form_data"] = {"address": address, "email": "dang.thu@example.vn"}
        r = citizen.request("POST", "/api/v1/dossiers", body)
        self.assertEqual(r.status, 201, r)
        return r.json["code"]

    def upload(self, c, code, content, name="Tờ khai.pdf", fields=None, ctype="application/pdf"):
        body, ct = multipart(fields if fields is not None else {"component": "TP01"}, name, content, ctype)
        return c.request("POST", f"/api/v1/dossiers/{code}/files", raw=body, headers={"Content-Type": ct})

    def assertProblem(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.ctype.startswith("application/problem+json"), r.ctype)
        self.assertEqual(r.json["code"], code, r)
        if field is not None:
            self.assertEqual(r.json.get("field"), field, r)

    def blobs(self):
        return sorted(glob.glob(os.path.join(self.files, "sha256", "*", "*", "*")))

    def tmp_files(self):
        return os.listdir(os.path.join(self.files, "tmp"))

    def act(self, c, code, action, body=None, expect=200):
        d = c.request("GET", f"/api/v1/dossiers/{code}")
        self.assertEqual(d.status, 200, d)
        r = c.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", dict(body or {}, version=d.json["version"]))
        self.assertEqual(r.status, expect, (action, r))
        return r

    # ---- uploads ----
    def test_upload_answers_size_type_hash_and_downloads_the_same_bytes(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        data = pdf_bytes("download")
        r = self.upload(citizen, code, data, name="Đơn đề nghị cấp giấy phép.pdf")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["size"], len(data))
        self.assertEqual(r.json["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(r.json["type"], "application/pdf")
        self.assertEqual(r.json["scan"], "clean")
        self.assertEqual(r.json["name"], "Đơn đề nghị cấp giấy phép.pdf")
        d = citizen.request("GET", r.json["content_url"])
        self.assertEqual(d.status, 200)
        self.assertEqual(d.ctype, "application/pdf")
        raw = self.raw_get(citizen, r.json["content_url"])
        self.assertEqual(raw, data)
        disp = d.headers["content-disposition"]
        self.assertTrue(disp.startswith("attachment;"), disp)
        self.assertIn('filename="Don de nghi cap giay phep.pdf"', disp)
        self.assertIn("filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B%20c%E1%BA%A5p", disp)
        self.assertEqual(d.headers["x-content-type-options"], "nosniff")
        listed = citizen.request("GET", f"/api/v1/dossiers/{code}/files").json
        self.assertEqual([x["sha256"] for x in listed["items"]], [hashlib.sha256(data).hexdigest()])

    def raw_get(self, c, path):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        return body

    def test_same_content_is_stored_once(self):
        citizen = self.client("congdan1")
        a, b = self.submit(citizen), self.submit(citizen)
        data = pdf_bytes("stored once " + a)
        before = len(self.blobs())
        for code in (a, b, a):
            self.assertEqual(self.upload(citizen, code, data, fields={"component": "TP02"}).status, 201)
        self.assertEqual(len(self.blobs()), before + 1)
        self.assertTrue(any(p.endswith(hashlib.sha256(data).hexdigest()) for p in self.blobs()))

    def test_concurrent_uploads_of_the_same_content(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        data = pdf_bytes("concurrent", pad=2000)
        before = len(self.blobs())
        results = []
        lock = threading.Lock()

        def run():
            r = self.upload(citizen, code, data, fields={"component": "TP01"})
            with lock:
                results.append((r.status, r.json.get("sha256") if r.json else None))
        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual([s for s, _ in results], [201] * 8, results)
        self.assertEqual({h for _, h in results}, {hashlib.sha256(data).hexdigest()})
        self.assertEqual(len(self.blobs()), before + 1)
        self.assertEqual(len(citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"]), 8)

    def test_a_large_upload_streams_in_chunks(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        data = pdf_bytes("large", pad=MAX_FILE - 400)
        self.assertLess(len(data), MAX_FILE)
        r = self.upload(citizen, code, data, fields={"component": "TP03", "digitised": "true"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["sha256"], hashlib.sha256(data).hexdigest())
        self.assertTrue(r.json["digitised"])

    def test_over_size_files_are_refused_and_nothing_is_kept(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        before = self.blobs()
        r = self.upload(citizen, code, pdf_bytes("big", pad=MAX_FILE + 10))
        self.assertProblem(r, 413, "payload_too_large")
        self.assertIn("MB", r.json["detail"])
        self.assertEqual(self.blobs(), before)
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"], [])

    def test_the_dossier_total_is_capped(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        for i in range(3):
            r = self.upload(citizen, code, pdf_bytes(f"part {i} {code}", pad=MAX_FILE - 1000),
                            fields={"component": "TP01"})
            if i < 2:
                self.assertEqual(r.status, 201, r)
        self.assertProblem(self.upload(citizen, code, pdf_bytes("one more", pad=MAX_FILE - 1000)), 413,
                           "payload_too_large")

    def test_types_come_from_the_content_not_the_name(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        # an executable-looking file behind a .pdf name
        self.assertProblem(self.upload(citizen, code, b"\x7fELF\x02\x01\x01" + b"\0" * 200, name="giay-to.pdf"),
                           415, "unsupported_media_type")
        # plain text behind a .pdf name
        self.assertProblem(self.upload(citizen, code, b"just some text, not a PDF\n" * 20, name="to-khai.pdf"),
                           415, "unsupported_media_type")
        # HTML disguised as an image
        html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
        self.assertProblem(self.upload(citizen, code, html, name="anh-the.jpg", ctype="image/jpeg"),
                           415, "unsupported_media_type")
        # a real PNG named .pdf is accepted as the PNG it is, its name saying so
        r = self.upload(citizen, code, png_bytes(), name="ảnh.pdf", ctype="application/pdf")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["type"], "image/png")
        self.assertTrue(r.json["name"].endswith(".png"), r.json["name"])

    def test_empty_and_truncated_files_are_refused(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        self.assertProblem(self.upload(citizen, code, b""), 422, "validation_failed", "file")
        cut = pdf_bytes("cut", pad=5000)[:3000]
        self.assertProblem(self.upload(citizen, code, cut), 422, "validation_failed", "file")
        self.assertProblem(self.upload(citizen, code, png_bytes()[:-12], name="a.png", ctype="image/png"), 422,
                           "validation_failed", "file")
        self.assertProblem(self.upload(citizen, code, None), 422, "missing_field", "file")
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"], [])

    def test_names_lose_paths_and_control_characters_and_keep_vietnamese(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        cases = {"../../etc/pass\x01wd.pdf": "passwd.pdf",
                 "C:\\Users\\An\\Giấy khai sinh\x7f.pdf": "Giấy khai sinh.pdf",
                 "..": "tep.pdf",
                 "hồ sơ <quan trọng>?*|.pdf": "hồ sơ quan trọng.pdf",
                 "\u202eevil\u202d.pdf": "evil.pdf"}
        for i, (sent, kept) in enumerate(cases.items()):
            r = self.upload(citizen, code, pdf_bytes(f"name {i}"), name=sent)
            self.assertEqual(r.status, 201, (sent, r))
            self.assertEqual(r.json["name"], kept)

    def test_wrong_form_fields_are_refused(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        self.assertProblem(self.upload(citizen, code, pdf_bytes("x"), fields={"component": "NOPE"}), 422,
                           "validation_failed", "component")
        self.assertProblem(self.upload(citizen, code, pdf_bytes("x"), fields={}), 422, "missing_field", "component")
        self.assertProblem(self.upload(citizen, code, pdf_bytes("x"), fields={"component": "TP01", "other": "1"}),
                           422, "unknown_field")
        r = citizen.request("POST", f"/api/v1/dossiers/{code}/files", {"component": "TP01"})
        self.assertProblem(r, 415, "unsupported_media_type")
        # a citizen does not attach results
        self.assertProblem(self.upload(citizen, code, pdf_bytes("x"), fields={"component": "KQ01", "kind": "result"}),
                           403, "forbidden")

    def test_an_interrupted_upload_leaves_nothing(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        body, ct = multipart({"component": "TP01"}, "cut.pdf", pdf_bytes("interrupted", pad=200000))
        before = self.blobs()
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        head = (f"POST /api/v1/dossiers/{code}/files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: {'; '.join(f'{k}={v}' for k, v in citizen.cookies.items())}\r\n"
                f"X-CSRF-Token: {citizen.csrf}\r\nContent-Type: {ct}\r\nContent-Length: {len(body)}\r\n\r\n")
        s.sendall(head.encode() + body[:len(body) // 2])
        s.close()
        # the server notices the closed connection and releases the request (and its temp file)
        deadline = time.monotonic() + 20
        while self.tmp_files() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.tmp_files(), [])
        self.assertEqual(self.blobs(), before)
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"], [])
        # a multipart body without its closing boundary is refused, not half-stored
        cut = body[:len(body) - 40]
        status, answer = citizen.raw_exchange("POST", f"/api/v1/dossiers/{code}/files",
                                              {"Content-Type": ct, "Content-Length": str(len(cut)),
                                               "Cookie": "; ".join(f"{k}={v}" for k, v in citizen.cookies.items()),
                                               "X-CSRF-Token": citizen.csrf}, cut)
        self.assertIn(status, (400, 422), answer)
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"], [])

    # ---- scanning ----
    def test_eicar_is_refused_by_the_scanner(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        before = self.blobs()
        data = pdf_bytes("virus").replace(b"% virus", b"% " + EICAR)
        r = self.upload(citizen, code, data)
        self.assertProblem(r, 422, "file_infected")
        self.assertEqual(self.blobs(), before)

    def test_scanner_down_refuses_or_holds_as_configured(self):
        db = fresh_database("attach_scanner")
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        sock = os.path.join(self.tmp, "down.sock")
        files = os.path.join(self.tmp, "files-down")
        for policy in ("refuse", "hold"):
            srv = Server(db, {"TINHSO_ATTACH_DIR": files, "TINHSO_ATTACH_CLAMD": "unix:" + sock,
                              "TINHSO_ATTACH_SCAN_UNAVAILABLE": policy})
            try:
                citizen = self.client("congdan1", server=srv)
                self.server, saved = srv, self.server
                try:
                    code = self.submit(citizen)
                    r = self.upload(citizen, code, pdf_bytes("while the scanner is down " + policy))
                    if policy == "refuse":
                        self.assertProblem(r, 503, "scanner_unavailable")
                        continue
                    self.assertEqual(r.status, 201, r)
                    self.assertEqual(r.json["scan"], "pending")
                    self.assertProblem(citizen.request("GET", r.json["content_url"]), 409, "file_held")
                    # the scanner comes back: the held file is scanned before it is served
                    clamd = FakeClamd(sock)
                    try:
                        d = citizen.request("GET", r.json["content_url"])
                        self.assertEqual(d.status, 200, d)
                        self.assertEqual(clamd.scans, 1)
                        listed = citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"]
                        self.assertEqual(listed[0]["scan"], "clean")
                    finally:
                        clamd.stop()
                finally:
                    self.server = saved
            finally:
                self.assertEqual(srv.stop(), 0)

    def held_server(self, name, extra=None):
        """A store of its own and a server holding uploads while its clamd socket is down."""
        db = fresh_database("attach_" + name)
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        sock = os.path.join(self.tmp, name + ".sock")
        env = {"TINHSO_ATTACH_DIR": os.path.join(self.tmp, "files-" + name), "TINHSO_ATTACH_CLAMD": "unix:" + sock,
               "TINHSO_ATTACH_SCAN_UNAVAILABLE": "hold", "TINHSO_ATTACH_RESCAN_INTERVAL": "0"}
        env.update(extra or {})
        return db, sock, env, Server(db, env)

    def rescan_cli(self, db, env, *args):
        e = dict(os.environ, **env)
        return subprocess.Popen([os.environ.get("TS_BIN", "tinhso"), "attach", "rescan", *args, "--database", db],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)

    def test_held_files_are_rescanned_by_the_command(self):
        db, sock, env, srv = self.held_server("rescan_cli")
        saved, self.server = self.server, srv
        try:
            citizen, counter, admin = self.client("congdan1"), self.client("motcua.xa1"), self.client("admin")
            code = self.submit(citizen)
            clean = self.upload(citizen, code, pdf_bytes("held clean"))
            bad = self.upload(citizen, code, pdf_bytes("held virus").replace(b"% held virus", b"% " + EICAR),
                              fields={"component": "TP02"})
            self.assertEqual((clean.status, bad.status), (201, 201), (clean, bad))
            self.assertEqual((clean.json["scan"], bad.json["scan"]), ("pending", "pending"))
            # the scanner is still down: nothing changes, the command says so and exits 1
            p = self.rescan_cli(db, env)
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 1, (out, err))
            self.assertIn("0 clean, 0 infected; 2 still held (the scanner is still down)", out)
            clamd = FakeClamd(sock)
            try:
                p = self.rescan_cli(db, env)
                out, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, (out, err))
                self.assertIn("1 clean, 1 infected; 0 still held", out)
                self.assertEqual(clamd.scans, 2)
            finally:
                clamd.stop()
            # clean: released; infected: quarantined, and the dossier's officers see it
            items = {x["id"]: x for x in counter.request("GET", f"/api/v1/dossiers/{code}/files").json["items"]}
            self.assertEqual(items[clean.json["id"]]["scan"], "clean")
            self.assertEqual(items[bad.json["id"]]["scan"], "infected")
            self.assertEqual(items[bad.json["id"]]["scan_detail"], "Eicar-Test-Signature")
            self.assertEqual(self.raw_get(citizen, clean.json["content_url"]), pdf_bytes("held clean"))
            self.assertProblem(counter.request("GET", bad.json["content_url"]), 422, "file_infected")
            files = env["TINHSO_ATTACH_DIR"]
            self.assertTrue(os.path.exists(os.path.join(files, "quarantine", bad.json["sha256"])))
            self.assertEqual(glob.glob(os.path.join(files, "sha256", "*", "*", bad.json["sha256"])), [])
            audit = admin.request("GET", f"/api/v1/audit?object_type=dossier&object_id={code}").json["items"]
            infected = [a for a in audit if a["action"] == "dossier.file_infected"]
            self.assertEqual(len(infected), 1, audit)
            self.assertIn(bad.json["sha256"][:12], infected[0]["summary"])
            # the same content sent again while clamd is down is known infected: refused, and it
            # does not come back into the blob folder
            again = self.upload(citizen, code, pdf_bytes("held virus").replace(b"% held virus", b"% " + EICAR),
                                fields={"component": "TP03"})
            self.assertProblem(again, 422, "file_infected")
            self.assertEqual(glob.glob(os.path.join(files, "sha256", "*", "*", bad.json["sha256"])), [])
            # nothing held any more: a new pass has nothing to do
            p = self.rescan_cli(db, env)
            out, _ = p.communicate(timeout=120)
            self.assertEqual((p.returncode, out.strip()), (0, "held files re-scanned: 0 clean, 0 infected; 0 still held"))
        finally:
            self.server = saved
            self.assertEqual(srv.stop(), 0)

    def test_concurrent_rescans_scan_each_held_file_once(self):
        db, sock, env, srv = self.held_server("rescan_once")
        saved, self.server = self.server, srv
        try:
            citizen = self.client("congdan1")
            code = self.submit(citizen)
            sent = [pdf_bytes(f"held {i}") for i in range(6)]
            for data in sent:
                r = self.upload(citizen, code, data, fields={"component": "TP01"})
                self.assertEqual((r.status, r.json["scan"]), (201, "pending"), r)
            clamd = FakeClamd(sock, delay=0.3)
            try:
                # three nodes' passes at once: the claims split the files between them
                procs = [self.rescan_cli(db, env) for _ in range(3)]
                outs = [p.communicate(timeout=120) for p in procs]
            finally:
                clamd.stop()
            self.assertEqual([p.returncode for p in procs], [0, 0, 0], outs)
            cleaned = sum(int(re.search(r"(\d+) clean", o).group(1)) for o, _ in outs)
            self.assertEqual(cleaned, 6, outs)
            self.assertEqual(sorted(clamd.scanned), sorted(hashlib.sha256(d).hexdigest() for d in sent))
            items = citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"]
            self.assertEqual({x["scan"] for x in items}, {"clean"})
        finally:
            self.server = saved
            self.assertEqual(srv.stop(), 0)

    def test_serve_rescans_held_files_in_the_background(self):
        db, sock, env, srv = self.held_server("rescan_serve", {"TINHSO_ATTACH_RESCAN_INTERVAL": "1"})
        saved, self.server = self.server, srv
        try:
            citizen = self.client("congdan1")
            code = self.submit(citizen)
            r = self.upload(citizen, code, pdf_bytes("held until the scanner is back"))
            self.assertEqual((r.status, r.json["scan"]), (201, "pending"), r)
            clamd = FakeClamd(sock)
            try:
                # no download asks for it: the server's own pass gives the verdict
                deadline = time.monotonic() + 30
                scan = "pending"
                while scan == "pending" and time.monotonic() < deadline:
                    time.sleep(0.2)
                    scan = citizen.request("GET", f"/api/v1/dossiers/{code}/files").json["items"][0]["scan"]
                self.assertEqual(scan, "clean")
                self.assertEqual(clamd.scans, 1)
            finally:
                clamd.stop()
        finally:
            self.server = saved
            self.assertEqual(srv.stop(), 0)

    # ---- flags for the statistics ----
    def test_file_flags_reach_the_component_and_the_statistics(self):
        citizen, counter, admin = self.client("congdan1"), self.client("motcua.xa1"), self.client("admin")
        body = {"procedure_code": "DEMO.000003", "competent_unit_id": self.unit_id("000.01.12.H99"),
                "receiving_unit_id": self.unit_id("000.00.31.H99"), "delivery": "counter",
                "documents": [{"code": "TP01", "originals": 1}, {"code": "TP02", "copies": 1},
                              {"code": "TP03", "copies": 1}]}
        r = citizen.request("POST", "/api/v1/dossiers", body)
        self.assertEqual(r.status, 201, r)
        code = r.json["code"]
        # taken from the citizen's data store, before acceptance
        r = self.upload(citizen, code, pdf_bytes("from the data store " + code),
                        fields={"component": "TP01", "from_datastore": "true"})
        self.assertEqual(r.status, 201, r)
        self.act(counter, code, "accept")

        def index(code_):
            items = {i["code"]: i for i in admin.request("GET", "/api/v1/stats/index766").json["items"]}
            return items[code_]["numerator"], items[code_]["denominator"]
        before = index("5.2")
        # the counter digitises the paper copy after acceptance
        r = self.upload(counter, code, pdf_bytes("digitised " + code), fields={"component": "TP02", "digitised": "true"})
        self.assertEqual(r.status, 201, r)
        comps = {c["code"]: c for c in counter.request("GET", f"/api/v1/dossiers/{code}/files").json["components"]}
        self.assertEqual([(k, c["digitised"], c["reused"], c["from_datastore"]) for k, c in sorted(comps.items())],
                         [("TP01", False, False, True), ("TP02", True, False, False), ("TP03", False, False, False)])
        after = index("5.2")
        self.assertEqual((after[0] - before[0], after[1] - before[1]), (1, 0))
        # a second digitised file does not count the dossier twice
        self.assertEqual(self.upload(counter, code, pdf_bytes("digitised again " + code),
                                     fields={"component": "TP03", "digitised": "true"}).status, 201)
        self.assertEqual(index("5.2"), after)
        # the live counters still equal a recount from the dossiers
        p = run_cli(self.server.db, "stats", "recount", "--check", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_real_clamd_refuses_eicar_when_installed(self):
        path = next((p for p in ("/run/clamav/clamd.ctl", "/var/run/clamav/clamd.ctl") if os.path.exists(p)), None)
        if not shutil.which("clamd") or not path:
            self.skipTest("clamav-daemon not installed or its socket is not there")
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.sendall(b"zPING\0")
            if not s.recv(16).startswith(b"PONG"):
                self.skipTest("clamd does not answer")
            s.close()
        except OSError:
            self.skipTest("clamd socket not reachable")
        db = fresh_database("attach_clamd")
        run_cli(db, "migrate")
        run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        srv = Server(db, {"TINHSO_ATTACH_DIR": os.path.join(self.tmp, "files-real"), "TINHSO_ATTACH_CLAMD": "unix:" + path})
        try:
            saved, self.server = self.server, srv
            citizen = self.client("congdan1")
            code = self.submit(citizen)
            self.assertProblem(self.upload(citizen, code, pdf_bytes("x").replace(b"% x", b"% " + EICAR)), 422,
                               "file_infected")
            self.assertEqual(self.upload(citizen, code, pdf_bytes("clean")).status, 201)
        finally:
            self.server = saved
            self.assertEqual(srv.stop(), 0)

    # ---- access, results, re-use ----
    def test_only_those_who_may_see_the_dossier_download(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen)
        r = self.upload(citizen, code, pdf_bytes("private"))
        self.assertEqual(r.status, 201)
        url = r.json["content_url"]
        other = self.client()
        reg = other.request("POST", "/api/v1/auth/register/citizen",
                            {"full_name": "Lý Văn Khác", "phone": "0987111222", "personal_id": "001090000999",
                             "password": "matkhau-rat-manh-5"})
        self.assertEqual(reg.status, 201, reg)
        self.assertEqual(other.login("0987111222", "matkhau-rat-manh-5").status, 200)
        self.assertProblem(other.request("GET", url), 404, "not_found")
        self.assertProblem(other.request("GET", f"/api/v1/dossiers/{code}/files"), 404, "not_found")
        self.assertProblem(self.upload(other, code, pdf_bytes("intruder")), 404, "not_found")
        self.assertProblem(self.client().request("GET", url), 401, "unauthenticated")
        # the counter officer of the receiving commune sees it
        self.assertEqual(self.client("motcua.xa1").request("GET", url).status, 200)
        # a file id of another dossier is not found through this one
        other_code = self.submit(citizen)
        self.assertProblem(citizen.request("GET", url.replace(code, other_code)), 404, "not_found")

    def test_officers_attach_results_and_citizens_reuse_earlier_files(self):
        citizen = self.client("congdan1")
        first = self.submit(citizen)
        up = self.upload(citizen, first, pdf_bytes("giấy khai sinh bản sao"), name="Giấy khai sinh.pdf",
                         fields={"component": "TP02"})
        self.assertEqual(up.status, 201, up)
        counter, spec = self.client("motcua.xa1"), self.client("chuyenvien.tp")
        self.act(counter, first, "accept")
        res = self.upload(spec, first, pdf_bytes("kết quả"), name="Giấy phép.pdf",
                          fields={"component": "KQ01", "kind": "result", "digitised": "true"})
        self.assertEqual(res.status, 201, res)
        self.assertEqual(res.json["kind"], "result")
        # a new dossier of the same citizen offers both files for re-use, the result first
        second = self.submit(citizen)
        cand = citizen.request("GET", f"/api/v1/dossiers/{second}/files/reusable")
        self.assertEqual(cand.status, 200, cand)
        ids = [x["id"] for x in cand.json["items"]]
        self.assertIn(up.json["id"], ids)
        self.assertEqual(cand.json["items"][0]["kind"], "result")
        before = len(self.blobs())
        r = citizen.request("POST", f"/api/v1/dossiers/{second}/files/reuse",
                            {"source_id": up.json["id"], "component": "TP02"})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["reused"])
        self.assertEqual(r.json["source_dossier_code"], first)
        self.assertEqual(r.json["sha256"], up.json["sha256"])
        self.assertEqual(len(self.blobs()), before)  # nothing uploaded again
        self.assertEqual(self.raw_get(citizen, r.json["content_url"]), pdf_bytes("giấy khai sinh bản sao"))
        # someone else's file cannot be re-used
        other = self.client()
        other.request("POST", "/api/v1/auth/register/citizen",
                      {"full_name": "Tạ Thị Lạ", "phone": "0987333444", "personal_id": "001190000888",
                       "password": "matkhau-rat-manh-6"})
        self.assertEqual(other.login("0987333444", "matkhau-rat-manh-6").status, 200)
        theirs = self.submit(other)
        self.assertProblem(other.request("POST", f"/api/v1/dossiers/{theirs}/files/reuse",
                                         {"source_id": up.json["id"], "component": "TP02"}), 404, "not_found")
        # removal: the link goes, the audit trail says so
        self.assertEqual(citizen.request("DELETE", f"/api/v1/dossiers/{second}/files/{r.json['id']}").status, 204)
        self.assertEqual(citizen.request("GET", f"/api/v1/dossiers/{second}/files").json["items"], [])
        audit = self.client("admin").request("GET", f"/api/v1/audit?object_type=dossier&object_id={second}").body
        audit += self.client("admin").request("GET", f"/api/v1/audit?object_type=dossier&object_id={first}").body
        for action in ("dossier.file_add", "dossier.file_reuse", "dossier.file_remove"):
            self.assertIn(action, audit)

    def test_every_mutation_was_audited(self):
        m = re.search(r"^tinhso_unaudited_mutations_total (\d+)$",
                      self.client("admin").request("GET", "/metrics").body, re.M)
        self.assertEqual(m.group(1), "0")

    # ---- forms ----
    def pdf_text(self, data, name):
        path = os.path.join(ARTEFACTS, f"{ENGINE}-{name}.pdf")
        with open(path, "wb") as f:
            f.write(data)
        subprocess.run(["pdftoppm", "-r", "110", "-png", path, path[:-4]], check=True, capture_output=True)
        text = subprocess.run(["pdftotext", "-raw", path, "-"], check=True, capture_output=True).stdout.decode()
        return " ".join(text.split()), path

    def form(self, c, code, name):
        r = c.request("GET", f"/api/v1/dossiers/{code}/forms/{name}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.ctype, "application/pdf")
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", f"/api/v1/dossiers/{code}/forms/{name}",
                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())})
        data = conn.getresponse().read()
        conn.close()
        self.assertTrue(data.startswith(b"%PDF-"))
        return self.pdf_text(data, name)

    def test_every_form_prints_the_whole_vietnamese_alphabet(self):
        citizen = self.client("congdan1")
        # the name arrives decomposed (NFD), as some systems send it; the form prints NFC
        code = self.submit(citizen, name=unicodedata.normalize("NFD", NAME), address=ADDRESS)
        counter, spec = self.client("motcua.xa1"), self.client("chuyenvien.tp")
        self.act(counter, code, "accept")
        common = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", NAME, code]
        text, path = self.form(citizen, code, "receipt")
        for s in common + ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", ADDRESS, "NGƯỜI TIẾP NHẬN HỒ SƠ",
                           "Liên 1", "Liên 2", "Tờ khai (mẫu demo)", "Mẫu số 01"]:
            self.assertIn(s, text)
        self.assertEqual(text.count(NAME), 4)  # two copies, each with the name twice
        qr = subprocess.run(["zbarimg", "-q", "--raw", path[:-4] + "-1.png"], capture_output=True, text=True)
        urls = set(qr.stdout.split())
        self.assertEqual(urls, {"https://dichvucong.example.vn/tra-cuu?ma=" + code}, qr.stderr)
        self.assertProblem(citizen.request("GET", f"/api/v1/dossiers/{code}/forms/supplement"), 409, "conflict")
        self.act(spec, code, "request_supplement", {"reason": "Hồ sơ thiếu chữ ký", "items": [
            {"document": "TP01", "reason": "Tờ khai chưa ký, ghi rõ họ tên"},
            {"field": "dia_chi", "reason": "Địa chỉ thường trú chưa đúng với căn cước"}]})
        text, _ = self.form(citizen, code, "supplement")
        for s in common + ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Tờ khai chưa ký, ghi rõ họ tên",
                           "Địa chỉ thường trú chưa đúng với căn cước", "NGƯỜI HƯỚNG DẪN"]:
            self.assertIn(s, text)
        self.act(citizen, code, "resubmit")
        due = citizen.request("GET", f"/api/v1/dossiers/{code}").json["current_due_at"]
        self.act(spec, code, "apologize", {"reason": "Cần xác minh thêm với cơ quan đăng ký đất đai",
                                          "new_due": due + 3 * 86400})
        text, _ = self.form(citizen, code, "apology")
        # Circular 03/2025/TT-VPCP, form 04 (renamed); 05 is the stop notice, 06 the control slip
        for s in common + ["VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "Mẫu số 04",
                           "Cần xác minh thêm với cơ quan đăng ký đất đai", "THỦ TRƯỞNG CƠ QUAN"]:
            self.assertIn(s, text)
        self.act(spec, code, "forward")
        text, _ = self.form(counter, code, "control-slip")
        for s in common + ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Người giao", "Người nhận",
                           "Tiếp nhận hồ sơ", "Mẫu số 06"]:
            self.assertIn(s, text)
        self.act(self.client("lanhdao.tp"), code, "stop", {"reason": "Người nộp đề nghị dừng để điều chỉnh"})
        text, _ = self.form(citizen, code, "stop")
        for s in common + ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Người nộp đề nghị dừng để điều chỉnh",
                           "Mẫu số 05"]:
            self.assertIn(s, text)
        # refusal, on another dossier
        other = self.submit(citizen, name=NAME, address=ADDRESS)
        self.act(counter, other, "refuse", {"reason": "Thủ tục không thuộc thẩm quyền của xã",
                                            "items": [{"document": "TP02", "reason": "Bản sao không chứng thực"}]})
        text, _ = self.form(citizen, other, "refusal")
        for s in ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", NAME, ADDRESS,
                  "Thủ tục không thuộc thẩm quyền của xã", "Bản sao không chứng thực"]:
            self.assertIn(s, text)
        self.assertProblem(citizen.request("GET", f"/api/v1/dossiers/{other}/forms/nothing"), 404, "not_found")
        # forms are for those who may see the dossier
        self.assertProblem(self.client().request("GET", f"/api/v1/dossiers/{code}/forms/receipt"), 401,
                           "unauthenticated")

    def test_register_of_a_unit_as_xlsx(self):
        citizen = self.client("congdan1")
        code = self.submit(citizen, name=NAME, address=ADDRESS)
        counter = self.client("motcua.xa1")
        unit = self.unit_id("000.00.31.H99")
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", f"/api/v1/units/{unit}/register?from={today}&to={today}",
                     headers={"Cookie": "; ".join(f"{k}={v}" for k, v in counter.cookies.items())})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        self.assertEqual(r.status, 200, data[:300])
        self.assertIn("spreadsheetml", r.getheader("Content-Type"))
        with open(os.path.join(ARTEFACTS, f"{ENGINE}-register.xlsx"), "wb") as f:
            f.write(data)
        z = zipfile.ZipFile(io.BytesIO(data))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
        self.assertIn(code, sheet + strings)
        self.assertIn(NAME, sheet + strings)
        self.assertIn("SỔ THEO DÕI HỒ SƠ", sheet + strings)
        self.assertIn("Mẫu số 07 - Thông tư 03/2025/TT-VPCP", sheet + strings)
        # outside the officer's units: forbidden; citizens hold no dossier.read
        province = self.unit_id("000.00.00.H99")
        self.assertProblem(counter.request("GET", f"/api/v1/units/{province}/register?from={today}&to={today}"),
                           403, "forbidden")
        self.assertProblem(citizen.request("GET", f"/api/v1/units/{unit}/register?from={today}&to={today}"),
                           403, "forbidden")

    def xlsx_get(self, c, path):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r, data

    @staticmethod
    def sheet_text(data):
        z = zipfile.ZipFile(io.BytesIO(data))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
        return sheet + strings

    def test_a_work_queue_exports_as_shown(self):
        citizen, counter = self.client("congdan1"), self.client("motcua.xa1")
        mine = [self.submit(citizen, name=NAME) for _ in range(3)]
        self.act(counter, mine[2], "accept", {"hold": True})
        code_re = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H99-\d{6}-\d{4}")

        def listed(query):
            out, after = [], None
            while True:
                r = counter.request("GET", "/api/v1/dossiers?" + query + (f"&after={after}" if after else ""))
                self.assertEqual(r.status, 200, r)
                out += [d["code"] for d in r.json["items"]]
                after = r.json["next"]
                if not after:
                    return out

        for query in ("status=1", "status=1&limit=2", "status=2", "q=" + mine[1]):
            r, data = self.xlsx_get(counter, "/api/v1/dossiers/export.xlsx?" + query)
            self.assertEqual(r.status, 200, data[:300])
            self.assertIn("spreadsheetml", r.getheader("Content-Type"))
            self.assertTrue(r.getheader("Content-Disposition").startswith("attachment;"))
            text = self.sheet_text(data)
            # the same rows in the same order as the list, every page of it (limit and
            # cursor are the list's paging, not a filter)
            want = listed(query.replace("&limit=2", ""))
            self.assertEqual(code_re.findall(text), want, query)
            self.assertIn("DANH SÁCH HỒ SƠ", text)
        self.assertIn(mine[2], listed("status=2"))
        self.assertEqual(listed("q=" + mine[1]), [mine[1]])
        with open(os.path.join(ARTEFACTS, f"{ENGINE}-queue.xlsx"), "wb") as f:
            f.write(data)
        # a citizen's export holds only their own dossiers, like their list
        r, data = self.xlsx_get(citizen, "/api/v1/dossiers/export.xlsx")
        self.assertEqual(r.status, 200)
        own = {d["code"] for d in citizen.request("GET", "/api/v1/dossiers?limit=200").json["items"]}
        self.assertTrue(set(mine) <= set(code_re.findall(self.sheet_text(data))) <= own | set(mine))
        # the list's validation, the list's errors
        self.assertProblem(counter.request("GET", "/api/v1/dossiers/export.xlsx?status=nope"), 422,
                           "validation_failed", "status")
        self.assertProblem(self.client().request("GET", "/api/v1/dossiers/export.xlsx"), 401, "unauthenticated")
        # a dossier code is still a dossier: the export route does not shadow it
        self.assertEqual(counter.request("GET", f"/api/v1/dossiers/{mine[0]}").status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
