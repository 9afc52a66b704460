"""Where submissions wait on PostgreSQL (bench/cluster.md): 3 nodes behind nginx, the submission
load of cluster_bench.py (wrk, 16 connections, 10 s, 20 receiving communes), and every 0.2 s a
sample of pg_stat_activity for the nodes' sessions: wait event (CPU when none) and the start of
the statement. Prints the most frequent.

  TS_BIN=build/tinhso python3 bench/cluster_waits.py"""
import collections
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "cluster"))
from cluster import Cluster, Api
cl = Cluster(nodes=3, replica=False)
try:
    cl.start()
    a = Api(cl.nginx.port); a.login("congdan1"); anon = Api(cl.nginx.port)
    def unit(code):
        f = [u["id"] for u in anon.request("GET", "/api/v1/units?q=" + code)[1]["items"] if u["code"] == code]
        return f[0] if f else None
    proc = anon.request("GET", "/api/v1/procedures/DEMO.000003")[1]
    docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
    comp = unit("000.01.12.H99")
    bodies = [json.dumps({"procedure_code": "DEMO.000003", "competent_unit_id": comp, "receiving_unit_id": u, "delivery": "counter", "documents": docs}) for u in [unit(f"000.00.{31+i}.H99") for i in range(20)] if u]
    env = dict(os.environ, TS_COOKIE="; ".join(f"{k}={v}" for k, v in a.cookies.items()), TS_CSRF=a.csrf, TS_BODIES="\x1e".join(bodies), TS_RUN="w")
    p = subprocess.Popen(["wrk", "-t2", "-c16", "-d10s", "-s", os.path.join(HERE, "cluster_submit.lua"), f"http://127.0.0.1:{cl.nginx.port}"], env=env, stdout=subprocess.PIPE, text=True)
    c = collections.Counter(); n = 0
    time.sleep(2)
    while p.poll() is None:
        out = cl.primary.sql("SELECT coalesce(wait_event_type||':'||wait_event, 'CPU') || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 50) FROM pg_stat_activity WHERE application_name='tinhso' AND state <> 'idle'")
        for l in out.splitlines(): c[l] += 1
        n += 1
        time.sleep(0.2)
    print(p.stdout.read().split("Requests/sec:")[1].split("\n")[0])
    print("samples", n)
    for k, v in c.most_common(15): print(v, k)
finally:
    cl.close()
