"""A node started while its PostgreSQL primary is down (db.connect_wait, docs/operations.md):
it waits, logging "waiting for the database" every few seconds, and serves once the server is
back; with a short db.connect_wait it gives up (exit 1, "giving up"); with 0 it fails at once.
Uses its own throwaway cluster of scripts/pg-test-cluster.sh (paused and resumed), never the
shared one. Every wait is a poll with a deadline."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

BIN = os.environ.get("TS_BIN", "tinhso")
SRC = os.environ.get("TS_SOURCE_DIR", ".")
SCRIPT = os.path.join(SRC, "scripts", "pg-test-cluster.sh")


def cluster(*args):
    p = subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"pg-test-cluster {' '.join(args)}: {p.stdout}{p.stderr}")
    return p.stdout.strip().splitlines()[-1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)  # between two looks; the deadline bounds the wait
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def healthz(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class ConnectWaitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("pg_ctl") and not os.path.isdir("/usr/lib/postgresql"):
            raise unittest.SkipTest("no PostgreSQL server binaries")
        cls.work = tempfile.mkdtemp(prefix="tinhso-connwait.")
        cls.pgdir = os.path.join(cls.work, "pg")
        cluster("start", cls.pgdir)
        cls.url = cluster("createdb", cls.pgdir, "tinhso_wait")
        p = subprocess.run([BIN, "migrate", "--database", cls.url], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        cluster("pause", cls.pgdir)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([SCRIPT, "stop", cls.pgdir], capture_output=True, timeout=120)
        shutil.rmtree(cls.work, ignore_errors=True)

    def start_node(self, wait_s, log_name):
        port = free_port()
        log = open(os.path.join(self.work, log_name), "w+")
        env = dict(os.environ, TINHSO_WEB_ROOT=os.path.join(SRC, "web/static"), TINHSO_LOG_LEVEL="info",
                   TINHSO_DB_CONNECT_WAIT=str(wait_s))
        proc = subprocess.Popen([BIN, "serve", "--database", self.url, "--listen", f"127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=log, env=env)
        self.addCleanup(self.end, proc, log)
        return proc, port, log

    @staticmethod
    def end(proc, log):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()

    @staticmethod
    def text(log):
        log.flush()
        with open(log.name) as f:
            return f.read()

    def test_1_waits_then_serves_when_the_database_comes_back(self):
        proc, port, log = self.start_node(120, "wait.log")
        poll(lambda: self.text(log).count("waiting for the database") >= 2, 30, "two 'waiting' log lines")
        self.assertIsNone(proc.poll(), "the node exited instead of waiting:\n" + self.text(log))
        self.assertFalse(healthz(port), "the node serves without its database")
        out = self.text(log)
        self.assertIn('"state":"not answering"', out)
        self.assertNotIn("tinhso_wait", out.replace('"database"', ""), "the URL is logged")
        cluster("resume", self.pgdir)
        t = time.monotonic()
        poll(lambda: healthz(port) or proc.poll() is not None, 60, "the node to serve after the database is back")
        self.assertIsNone(proc.poll(), "the node exited:\n" + self.text(log))
        print(f"ok: serving {time.monotonic() - t:.1f} s after the database came back")
        self.end(proc, log)
        self.assertEqual(proc.returncode, 0)
        cluster("pause", self.pgdir)

    def test_2_gives_up_after_db_connect_wait(self):
        proc, _, log = self.start_node(3, "giveup.log")
        t = time.monotonic()
        poll(lambda: proc.poll() is not None, 30, "the node to give up")
        took = time.monotonic() - t
        self.assertEqual(proc.returncode, 1)
        self.assertGreaterEqual(took, 2.5)
        out = self.text(log)
        self.assertIn("waiting for the database", out)
        self.assertIn("giving up", out)

    def test_3_zero_fails_at_once(self):
        proc, _, log = self.start_node(0, "once.log")
        poll(lambda: proc.poll() is not None, 15, "the node to fail")
        self.assertEqual(proc.returncode, 1)
        self.assertNotIn("waiting for the database", self.text(log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
