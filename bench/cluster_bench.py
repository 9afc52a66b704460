"""Cluster bench (not run by CTest): throughput of dossier submission and of the public status
lookup through nginx with 1 SQLite node, and with 1, 2 and 3 nodes on one PostgreSQL
(optionally plus a streaming replica serving the lookups). Bounded: DURATION seconds per
measurement. Needs wrk, nginx and the PostgreSQL server binaries (Debian packages).

  TS_BIN=build/tinhso [TS_BENCH_REPLICA=1] python3 bench/cluster_bench.py [DURATION] [CONNECTIONS]

Submissions run twice: all to one competent unit (one hot statistics-counter row, the worst
case) and spread over 20 communes that are each their own competent unit (as a real load).
Prints one markdown table row per configuration (see bench/cluster.md)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "cluster"))
from cluster import Api, Cluster, Nginx, Node, run_cli, DEMO_PASSWORD  # noqa: E402

DURATION = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CONNS = int(sys.argv[2]) if len(sys.argv) > 2 else 16
PHONE = "0912000001"
UNITS = int(os.environ.get("TS_BENCH_UNITS", "20"))  # receiving communes the submissions spread over


def wrk(port, script, env):
    p = subprocess.run(["wrk", "-t2", f"-c{CONNS}", f"-d{DURATION}s", "--latency", "-s", os.path.join(HERE, script),
                        f"http://127.0.0.1:{port}"], capture_output=True, text=True, env=dict(os.environ, **env),
                       timeout=DURATION + 60)
    out = p.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)

    def pct(q):
        m = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    return rps, pct(50), pct(99), int(bad.group(1)) if bad else 0, errs.group(1) if errs else ""


def measure(label, port, codes_of):
    api = Api(port)
    api.login("congdan1")
    anon = Api(port)

    def unit(code):
        found = [u["id"] for u in anon.request("GET", "/api/v1/units?q=" + code)[1]["items"] if u["code"] == code]
        return found[0] if found else None
    units = {c: unit(c) for c in ["000.01.12.H99"] + [f"000.00.{31 + i}.H99" for i in range(UNITS)]}
    proc = anon.request("GET", "/api/v1/procedures/DEMO.000003")[1]
    docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
    # the communes that receive this procedure: each has its own code sequence per day
    communes = [f"000.00.{31 + i}.H99" for i in range(UNITS)]
    # hot: one competent unit (one counter row per day for the procedure) for every submission;
    # spread: each commune is also the competent unit (its own counter row), as real loads are
    hot = [json.dumps({"procedure_code": "DEMO.000003", "competent_unit_id": units["000.01.12.H99"],
                       "receiving_unit_id": units[c], "delivery": "counter", "documents": docs})
           for c in communes if units.get(c)]
    spread = [json.dumps({"procedure_code": "DEMO.000003", "competent_unit_id": units[c],
                          "receiving_unit_id": units[c], "delivery": "counter", "documents": docs})
              for c in communes if units.get(c)]
    env = {"TS_COOKIE": "; ".join(f"{k}={v}" for k, v in api.cookies.items()), "TS_CSRF": api.csrf}
    s = wrk(port, "cluster_submit.lua", dict(env, TS_BODIES="\x1e".join(hot), TS_RUN=f"h{time.time()}"))
    sp = wrk(port, "cluster_submit.lua", dict(env, TS_BODIES="\x1e".join(spread), TS_RUN=f"s{time.time()}"))
    codes = codes_of()
    time.sleep(1)  # let the replica (if any) replay the last submissions before the lookups
    lk = wrk(port, "cluster_lookup.lua", {"TS_CODES": ",".join(codes), "TS_PHONE": PHONE})
    row = (f"| {label} | {s[0]:.0f} | {s[1]:.1f} / {s[2]:.1f} | {sp[0]:.0f} | {sp[1]:.1f} / {sp[2]:.1f} "
           f"| {lk[0]:.0f} | {lk[1]:.1f} / {lk[2]:.1f} |"
           + (f" non-2xx: {s[3]} + {sp[3]} + {lk[3]}" if s[3] or sp[3] or lk[3] else "")
           + (f" {s[4]} {sp[4]} {lk[4]}" if s[4] or sp[4] or lk[4] else ""))
    print(row, flush=True)


def sqlite_run():
    root = tempfile.mkdtemp(prefix="tinhso-clbench.")
    db = "sqlite:" + os.path.join(root, "t.db")
    run_cli(db, "migrate")
    run_cli(db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
    node = Node(root, "node1", db)
    node.start()
    ng = Nginx(root, [node])
    ng.start()
    try:
        def codes():
            out = subprocess.run(["sqlite3", db[len("sqlite:"):], "SELECT code FROM dossier ORDER BY id DESC LIMIT 500"],
                                 capture_output=True, text=True).stdout
            return out.split()
        measure("1 node, SQLite", ng.port, codes)
    finally:
        ng.stop()
        node.kill(15)
        shutil.rmtree(root, ignore_errors=True)


def pg_run(n, replica, threads=4):
    cl = Cluster(nodes=n, replica=replica, replica_reads=replica, threads=threads, pool=threads)
    try:
        cl.start()
        label = f"{n} node{'s' if n > 1 else ''}, PostgreSQL" + (" + sync replica (lookups on it)" if replica else "")
        if threads != 4:
            label += f", {threads} threads and connections"
        measure(label, cl.nginx.port,
                lambda: cl.primary.sql("SELECT code FROM dossier ORDER BY id DESC LIMIT 500").split())
    finally:
        cl.close()


if __name__ == "__main__":
    only_wide = os.environ.get("TS_BENCH_WIDE") == "only"
    print("| configuration | submissions/s, one competent unit | p50 / p99 ms | submissions/s, 20 units | "
          "p50 / p99 ms | lookups/s | p50 / p99 ms |\n|---|---|---|---|---|---|---|", flush=True)
    if not only_wide:
        sqlite_run()
        for n in (1, 2, 3):
            pg_run(n, False)
    if os.environ.get("TS_BENCH_REPLICA") and not only_wide:
        pg_run(3, True)
    if os.environ.get("TS_BENCH_WIDE"):
        pg_run(1, False, threads=12)  # as many transactions in flight as 3 nodes
