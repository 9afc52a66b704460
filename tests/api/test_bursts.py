"""Connection bursts (issue 8): the server keeps serving after bursts of simultaneous new
connections - every count from 1 to 128 (each connection of the burst answered), then the
counts around the powers of two up to 1,024 (libmicrohttpd 0.9.75 is known to hang at
particular counts in some configurations): after each, a new connection is answered.
bench/run.sh sweeps every count up to 1,024 (http.threads 64). Needs no store content.

Known gap (bench/RESULTS.md): with http.threads 4 or 8, about one sweep in eight leaves part
of a burst of 500-1,000 connections unanswered for more than 10-20 s while the server keeps
answering new connections; so for counts above 128 the unanswered ones are printed, and only
the server's answering new connections afterwards is asserted."""
import os
import resource
import sys
import unittest

from tinhso_client import Server, fresh_database, run_cli

sys.path.insert(0, os.path.join(os.environ.get("TS_SOURCE_DIR", "."), "bench"))
from prep import burst  # noqa: E402  (the same burst as bench/run.sh)

COUNTS = list(range(1, 129)) + [255, 256, 257, 511, 512, 513, 767, 1000, 1023, 1024]


class BurstTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        cls.db = fresh_database("api_bursts")
        run_cli(cls.db, "migrate")
        # the server inherits the raised limit; the default configuration (http.threads 32)
        # except the per-address connection cap: every burst comes from 127.0.0.1 here, standing
        # for many clients (the cap itself is tested in test_security.py)
        cls.server = Server(cls.db, extra_env={"TINHSO_HTTP_MAX_CONNECTIONS_PER_IP": "0"})

    @classmethod
    def tearDownClass(cls):
        # connections left unanswered by a burst (the known gap) may hold the graceful stop
        # until http.shutdown_grace; the exit status is not what this test is about
        cls.server.stop()

    def test_bursts_are_answered_and_the_server_keeps_serving(self):
        for k in COUNTS:
            got = burst("127.0.0.1", self.server.port, k, timeout=20.0)
            if k <= 128:
                self.assertEqual(got, k, f"burst of {k}: {got} answered")
            elif got != k:
                print(f"burst of {k}: {k - got} connections unanswered after 20 s (known gap)",
                      file=sys.stderr)
            # a new connection is answered afterwards
            self.assertEqual(burst("127.0.0.1", self.server.port, 1, timeout=10.0), 1, f"after a burst of {k}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
