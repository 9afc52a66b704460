"""The cluster test (make test-cluster; CTest cluster_failover): a PostgreSQL primary with a
synchronous streaming replica, three tinhso nodes, nginx in front, and a steady bounded load
of submissions and officer acceptances (each with an Idempotency-Key, retried on failure).
  (r) read replica: with replay paused, an anonymous lookup of a fresh dossier is stale (read
      from the replica) while the person who wrote it reads it from the primary; when the
      replica refuses the nodes, reads fall back to the primary;
  (a) SIGKILL one node: no acknowledged write lost, no duplicate dossier code, every retry
      with an Idempotency-Key gets the first answer;
  (b) restart it: nginx sends it requests again;
  (c) stop the primary, promote the replica (the runbook of docs/scale-out.md): nodes
      reconnect and write again within FAILOVER_BOUND_S; every write acknowledged before the
      stop is on the new primary.
Exit 77 (skipped) without PostgreSQL server binaries or nginx."""
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from cluster import Api, Cluster, nginx_bin, pg_bindir, run_cli, wait_for  # noqa: E402

FAILOVER_BOUND_S = 30
REQUEST_DEADLINE_S = 90
WORKERS = 4
PHONE = "0912000001"  # congdan1's phone in the demo province


class Load:
    """Workers submit a dossier, then accept it at the counter; each request has its own
    Idempotency-Key and is retried with it (new connection, any node) until answered."""

    def __init__(self, port, body):
        self.port = port
        self.body = body
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sub = {}       # key -> (code, ack time, first answer json)
        self.acc = {}       # key -> (code, version sent, version answered, ack time)
        self.unanswered = []  # keys given up after REQUEST_DEADLINE_S
        self.failed = []    # unexpected answers
        self.retries = 0
        self.ok_times = []  # time of every acknowledged write
        self.threads = []

    def call(self, api, method, path, body, key):
        end = time.monotonic() + REQUEST_DEADLINE_S
        while time.monotonic() < end:
            try:
                st, js, text = api.request(method, path, body, {"Idempotency-Key": key})
            except OSError:
                st, js, text = 0, None, ""
            except Exception:  # http.client.RemoteDisconnected and friends
                st, js, text = 0, None, ""
            if st in (200, 201):
                return st, js
            if st not in (0, 500, 502, 503, 504):
                return st, text
            with self.lock:
                self.retries += 1
            time.sleep(0.2)  # pacing between retries, not synchronisation
        return None, None

    def worker(self, i):
        cit, off = Api(self.port), Api(self.port)
        cit.login("congdan1")
        off.login("motcua.xa1")
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"cl-{i}-{n}"
            st, js = self.call(cit, "POST", "/api/v1/dossiers", self.body, key)
            if st is None:
                with self.lock:
                    self.unanswered.append(key)
                continue
            if st not in (200, 201):
                with self.lock:
                    self.failed.append((key, st, js))
                continue
            now = time.time()
            with self.lock:
                self.sub[key] = (js["code"], now, js)
                self.ok_times.append(now)
            akey = key + "-accept"
            st, js2 = self.call(off, "POST", f"/api/v1/dossiers/{js['code']}/actions/accept",
                                {"version": js["version"]}, akey)
            if st is None:
                with self.lock:
                    self.unanswered.append(akey)
                continue
            if st != 200:
                with self.lock:
                    self.failed.append((akey, st, js2))
                continue
            now = time.time()
            with self.lock:
                self.acc[akey] = (js2["code"], js["version"], js2["version"], now)
                self.ok_times.append(now)

    def start(self):
        for i in range(WORKERS):
            t = threading.Thread(target=self.worker, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(REQUEST_DEADLINE_S * 2 + 30)

    def writes_after(self, t):
        with self.lock:
            return sum(1 for x in self.ok_times if x > t)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)
    print("ok  ", msg, flush=True)


def main():
    if not pg_bindir() or not nginx_bin():
        print("skipped: PostgreSQL server binaries or nginx missing (apt-get install postgresql nginx)")
        return 77
    t0 = time.monotonic()
    cl = Cluster(nodes=3)
    ok = False
    try:
        cl.start()
        print(f"cluster up in {time.monotonic() - t0:.1f}s: primary :{cl.primary.port}, replica :{cl.replica.port}, "
              f"nodes {[n.port for n in cl.nodes]}, nginx :{cl.nginx.port}", flush=True)
        anon = Api(cl.nginx.port)

        def unit(code):
            st, js, _ = anon.request("GET", "/api/v1/units?q=" + code)
            return [u for u in js["items"] if u["code"] == code][0]["id"]

        st, proc, _ = anon.request("GET", "/api/v1/procedures/DEMO.000003")
        docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
        body = {"procedure_code": "DEMO.000003", "competent_unit_id": unit("000.01.12.H99"),
                "receiving_unit_id": unit("000.00.31.H99"), "delivery": "counter", "documents": docs}

        # (r) read replica with bounded staleness: pause replay, write, read
        writer = Api(cl.nginx.port)
        writer.login("congdan1")
        cl.replica.sql("SELECT pg_wal_replay_pause()")
        wait_for(lambda: cl.replica.sql("SELECT pg_get_wal_replay_pause_state()") == "paused", 20, "replay paused")
        st, js, text = writer.request("POST", "/api/v1/dossiers", body, {"Idempotency-Key": "replica-probe"})
        check(st == 201, f"a dossier submitted while the replica's replay is paused ({st})")
        code = js["code"]
        check("tinhso_rw" in writer.cookies, "the write set the read-your-writes cookie")
        lookup = f"/api/v1/public/dossiers/{urllib.parse.quote(code)}?phone={PHONE}"
        st_anon = anon.request("GET", lookup)[0]
        st_mine = writer.request("GET", lookup)[0]
        check(st_anon == 404, f"an anonymous lookup is served by the (stale) replica: {st_anon}")
        check(st_mine == 200, f"the writer's own lookup within db.replica_window is served by the primary: {st_mine}")
        # the replica fails (refuses the nodes, still stale): reads move to the primary
        cl.replica.refuse_tcp_clients(True)
        answers = [anon.request("GET", lookup)[0] for _ in range(9)]
        check(answers == [200] * 9, f"with the replica refusing the nodes, reads fall back to the primary: {answers}")
        cl.replica.refuse_tcp_clients(False)
        cl.replica.sql("SELECT pg_wal_replay_resume()")
        wait_for(lambda: anon.request("GET", lookup)[0] == 200, 20, "the replica to catch up")
        check(True, "after replay resumes the replica serves the dossier too")

        load = Load(cl.nginx.port, body)
        load.start()
        wait_for(lambda: load.writes_after(0) >= 20, 60, "the load to get going")

        # (a) SIGKILL one node under load
        victim = cl.nodes[1]
        victim.kill()
        t_kill = time.time()
        wait_for(lambda: load.writes_after(t_kill) >= 20, 60, "writes to go on without node2")
        check(True, f"node2 SIGKILLed; {load.writes_after(t_kill)} writes acknowledged since by the others")

        # (b) restart it: it rejoins (nginx sends it requests again)
        victim.start()
        t_back = time.time()
        wait_for(lambda: cl.nginx.upstream_hits(t_back, victim.port) >= 5, 60, "nginx to use node2 again")
        check(True, "node2 restarted and serves requests through nginx again")

        # (c) failover: stop the primary, promote the replica (docs/scale-out.md)
        wait_for(lambda: load.writes_after(t_back) >= 20, 60, "more load")
        with load.lock:
            acked_subs = dict(load.sub)
            acked_accs = dict(load.acc)
        t_stop = time.time()
        cl.primary.stop("fast")
        with load.lock:  # writes acknowledged up to the moment the primary was down
            acked_subs = dict(load.sub)
            acked_accs = dict(load.acc)
        cl.replica.promote()
        t_promoted = time.time()
        wait_for(lambda: load.writes_after(t_promoted) >= 1, FAILOVER_BOUND_S, "the first write on the new primary")
        first = min(x for x in load.ok_times if x > t_promoted)
        check(first - t_stop <= FAILOVER_BOUND_S,
              f"writes served again {first - t_stop:.1f}s after the primary stopped "
              f"({first - t_promoted:.1f}s after promotion; bound {FAILOVER_BOUND_S}s)")
        wait_for(lambda: load.writes_after(first) >= 20, 60, "steady writes on the new primary")
        load.finish()
        print(f"load: {len(load.sub)} submissions, {len(load.acc)} acceptances acknowledged, "
              f"{load.retries} retries, {len(load.unanswered)} unanswered, {len(load.failed)} failed", flush=True)

        new = cl.replica
        check(not load.failed, f"no unexpected answers: {load.failed[:3]}")
        check(not load.unanswered, f"every request was answered within {REQUEST_DEADLINE_S}s: {load.unanswered[:5]}")
        # every write acknowledged before the primary stopped is on the new primary
        codes = set(new.sql("SELECT code FROM dossier").split())
        lost = [k for k, v in acked_subs.items() if v[0] not in codes]
        check(not lost, f"all {len(acked_subs)} submissions acknowledged before the stop are on the new primary")
        keys = set(new.sql("SELECT key FROM idempotency_key WHERE key LIKE 'cl-%'").split())
        lost = [k for k in acked_accs if k not in keys]
        check(not lost, f"all {len(acked_accs)} acceptances acknowledged before the stop are on the new primary")
        not_accepted = new.sql("SELECT count(*) FROM dossier d JOIN idempotency_key k ON k.response = d.code "
                               "WHERE k.key LIKE 'cl-%-accept' AND d.status = 1")
        check(not_accepted == "0", "every acknowledged acceptance changed its dossier")
        lost = [k for k, v in load.sub.items() if v[0] not in codes]
        check(not lost, f"all {len(load.sub)} acknowledged submissions are stored")
        dups = new.sql("SELECT count(*) FROM (SELECT code FROM dossier GROUP BY code HAVING count(*) > 1) x")
        check(dups == "0", "no dossier code was issued twice")
        sub_keys = new.sql("SELECT count(*) FROM idempotency_key WHERE key LIKE 'cl-%' AND key NOT LIKE '%-accept'")
        created = new.sql("SELECT count(*) FROM dossier WHERE code <> '%s'" % code)
        check(int(sub_keys) == int(created) == len(load.sub),
              f"one dossier per submission key, retries made none more ({created} dossiers, {sub_keys} keys)")

        # retries with the Idempotency-Key get the first answer, on any node
        cit, off = Api(cl.nginx.port), Api(cl.nginx.port)
        cit.login("congdan1")
        off.login("motcua.xa1")
        for key, (c, _, js) in list(load.sub.items())[:15]:
            st, again, _ = cit.request("POST", "/api/v1/dossiers", body, {"Idempotency-Key": key})
            if st not in (200, 201) or again["code"] != c or again.get("id") != js.get("id"):
                raise AssertionError(f"replay of {key}: {st} {again}")
        for key, (c, sent, version, _) in list(load.acc.items())[:15]:
            st, again, _ = off.request("POST", f"/api/v1/dossiers/{c}/actions/accept", {"version": sent},
                                       {"Idempotency-Key": key})
            if st != 200 or again["code"] != c or again["version"] != version:
                raise AssertionError(f"replay of {key}: {st} {again}")
        after = new.sql("SELECT count(*) FROM dossier WHERE code <> '%s'" % code)
        check(after == created, "retried requests got their first answer and created nothing")

        out = run_cli(cl.replica.url(), "audit", "verify")
        check("ok" in out, "audit chain of the new primary verifies: " + out.strip())
        ok = True
        print(f"cluster test passed in {time.monotonic() - t0:.0f}s", flush=True)
        return 0
    finally:
        if not ok:
            print(f"artefacts kept in {cl.root}", flush=True)
            for n in cl.nodes:
                if os.path.exists(n.log):
                    print(f"--- {n.name} log tail ---\n" + "".join(open(n.log).readlines()[-15:]), flush=True)
        cl.close(keep=not ok)


if __name__ == "__main__":
    sys.exit(main())
