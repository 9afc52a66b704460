#!/usr/bin/env python3
"""test_nginx.py - the sample nginx configuration (packaging/nginx/nginx-tinhso.conf), as it
is apart from its ports and certificate paths, run by Debian's nginx on 127.0.0.1 with a
self-signed certificate in front of two `tinhso serve` nodes: plain HTTP redirects to HTTPS,
requests are balanced over both nodes over kept-alive upstream connections, a body above
the limit is refused by nginx as problem+json, a stopped node is failed over without an
error, and with both stopped nginx answers 503 problem+json.
Env: TS_BIN (tinhso), TS_SOURCE_DIR. Exit 77 (skipped) when nginx or openssl is missing."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

BIN = os.environ["TS_BIN"]
SRC = os.environ["TS_SOURCE_DIR"]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
if not NGINX or not shutil.which("openssl") or not shutil.which("ss"):
    print("SKIP: nginx, openssl or ss is missing (apt-get install nginx openssl iproute2)")
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_for(pred, what, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def answers(port, path="/readyz"):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", path)
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False


def established_to(port):
    """Established TCP connections towards 127.0.0.1:port (nginx's upstream side)."""
    out = subprocess.run(["ss", "-Htn", "state", "established", "( dport = :%d )" % port],
                         capture_output=True, text=True, check=True).stdout
    return len([l for l in out.splitlines() if l.strip()])


class Node:
    def __init__(self, tmp, name, db):
        self.port = free_port()
        self.log = os.path.join(tmp, name + ".log")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--database", db, "--listen", "127.0.0.1:%d" % self.port,
             "--web-root", os.path.join(SRC, "web", "static"), "--attach-dir", os.path.join(tmp, "files")],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"), env=clean_env())
        wait_for(lambda: answers(self.port), name + " to be ready")

    def hits(self, route):
        n = 0
        with open(self.log) as f:
            for line in f:
                if '"msg":"request"' in line and '"route":"%s"' % route in line:
                    n += 1
        return n

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(timeout=30) == 0, "node did not stop cleanly"


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}


def main():
    tmp = tempfile.mkdtemp(prefix="tinhso-nginx-")
    nodes, nginx = [], None
    try:
        db = "sqlite:" + os.path.join(tmp, "tinhso.db")
        subprocess.run([BIN, "migrate", "--database", db], check=True, env=clean_env(), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        nodes = [Node(tmp, "node1", db), Node(tmp, "node2", db)]

        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", key, "-out", cert, "-subj", "/CN=dvc.example.gov.vn",
                        "-addext", "subjectAltName=DNS:dvc.example.gov.vn,IP:127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        # the sample, with only its ports and certificate paths changed
        https_port, http_port = free_port(), free_port()
        site = open(os.path.join(SRC, "packaging", "nginx", "nginx-tinhso.conf")).read()
        repl = [("127.0.0.1:8081", "127.0.0.1:%d" % nodes[0].port),
                ("127.0.0.1:8082", "127.0.0.1:%d" % nodes[1].port),
                ("\tlisten [::]:80;\n", ""), ("\tlisten [::]:443 ssl http2;\n", ""),
                ("listen 80;", "listen 127.0.0.1:%d;" % http_port),
                ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https_port),
                ("/etc/ssl/certs/tinhso.pem", cert), ("/etc/ssl/private/tinhso.key", key)]
        for old, new in repl:
            assert site.count(old) == 1, "the sample no longer has " + old.strip()
            site = site.replace(old, new)
        open(os.path.join(tmp, "site.conf"), "w").write(site)
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.mkdir(os.path.join(tmp, d))
        user = "user root root;\n" if os.getuid() == 0 else ""
        conf = os.path.join(tmp, "nginx.conf")
        open(conf, "w").write(
            "daemon off;\n%sworker_processes 2;\npid %s/nginx.pid;\nerror_log %s/error.log info;\n"
            "events { worker_connections 256; }\n"
            "http {\n access_log %s/access.log;\n client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
            " fastcgi_temp_path %s/fastcgi;\n uwsgi_temp_path %s/uwsgi;\n scgi_temp_path %s/scgi;\n"
            " include %s/site.conf;\n}\n" % ((user,) + (tmp,) * 9))
        t = subprocess.run([NGINX, "-t", "-p", tmp, "-c", conf], capture_output=True, text=True)
        assert t.returncode == 0, "nginx -t refuses the sample:\n" + t.stderr
        nginx = subprocess.Popen([NGINX, "-p", tmp, "-c", conf], stderr=open(os.path.join(tmp, "nginx.out"), "w"))

        ctx = ssl.create_default_context(cafile=cert)

        def https(method, path, body=None, headers=None):
            c = http.client.HTTPSConnection("127.0.0.1", https_port, context=ctx, timeout=10)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, r.getheader("Content-Type") or "", data

        def https_up():
            try:
                return https("GET", "/healthz")[0] == 200
            except OSError:
                return False
        wait_for(https_up, "nginx to answer over TLS")

        # plain HTTP is redirected to HTTPS
        c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
        c.request("GET", "/tra-cuu", headers={"Host": "dvc.example.gov.vn"})
        r = c.getresponse()
        assert r.status == 301 and r.getheader("Location") == "https://dvc.example.gov.vn/tra-cuu", \
            (r.status, r.getheader("Location"))
        c.close()
        print("ok: http redirects to https")

        # balanced over both nodes
        before = [n.hits("/healthz") for n in nodes]
        for _ in range(40):
            st, _, _ = https("GET", "/healthz")
            assert st == 200
        # a node logs a request once its answer is out, so the last line may come a moment
        # after the client has read the answer
        def counted():
            return sum(n.hits("/healthz") for n in nodes) - sum(before) >= 40
        wait_for(counted, "the nodes to log the 40 requests")
        got = [n.hits("/healthz") - b for n, b in zip(nodes, before)]
        assert sum(got) == 40 and min(got) >= 10, "not balanced: %r" % got
        print("ok: 40 requests balanced over the nodes:", got)

        # keep-alive to the nodes: idle upstream connections stay open after the requests
        assert established_to(nodes[0].port) + established_to(nodes[1].port) >= 1, \
            "nginx keeps no connection to the nodes"
        print("ok: upstream connections kept alive:", established_to(nodes[0].port), established_to(nodes[1].port))

        # TLS: HSTS header, and the tinhso answer comes through
        st, ctype, body = https("GET", "/readyz")
        assert st == 200 and json.loads(body)["status"] == "ready"

        # a JSON body above http.max_body (1 MiB) is refused by nginx, as problem+json
        st, ctype, body = https("POST", "/api/v1/auth/login", body=b"x" * (2 << 20),
                                headers={"Content-Type": "application/json"})
        assert st == 413 and ctype.startswith("application/problem+json"), (st, ctype)
        assert json.loads(body)["code"] == "payload_too_large"
        # ...while an upload route takes more than 1 MiB on to tinhso (which answers itself)
        st, ctype, body = https("POST", "/api/v1/dossiers/X/files", body=b"x" * (2 << 20),
                                headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert st != 413 and ctype.startswith("application/problem+json"), (st, ctype)
        assert "request_id" in json.loads(body), "the answer did not come from tinhso"
        print("ok: body limits (413 problem+json from nginx above 1 MiB; uploads pass to tinhso: %d)" % st)

        # fail-over: node 1 stops, every request still succeeds, on node 2
        nodes[0].stop()
        before2 = nodes[1].hits("/healthz")
        for _ in range(20):
            st, _, _ = https("GET", "/healthz")
            assert st == 200, "a request failed after node 1 stopped: %d" % st
        # (the same lag between the answer and the node's log line as above)
        wait_for(lambda: nodes[1].hits("/healthz") - before2 >= 20, "node 2 to log the 20 requests")
        assert nodes[1].hits("/healthz") - before2 == 20, nodes[1].hits("/healthz") - before2
        print("ok: node 1 stopped, 20/20 requests answered by node 2")

        # both down: nginx answers 503 problem+json, not an HTML 502
        nodes[1].stop()
        st, ctype, body = https("GET", "/healthz")
        assert st == 503 and ctype.startswith("application/problem+json"), (st, ctype)
        assert json.loads(body)["code"] == "unavailable"
        print("ok: both nodes down -> 503 problem+json")
        print("nginx test ok")
    finally:
        if nginx and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                nginx.kill()
        for n in nodes:
            if n.proc.poll() is None:
                n.proc.kill()
                n.proc.wait()
        if os.environ.get("TS_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
