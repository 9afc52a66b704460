#!/usr/bin/env python3
"""prep.py - small steps of bench/run.sh that talk to a running tinhso (Python stdlib only).

  prep.py env BASE_URL OUT.lua      log the demo roles in, write the Lua table the wrk scripts
                                   load (cookies, CSRF tokens, submission body, phone)
  prep.py codes DB_URL STATUS N OUT write up to N dossier codes with that status, one a line
  prep.py paths DB_URL KIND N OUT   write request paths: public (status lookups of dossiers
                                   with the bench phone), queue (work-queue pages of the
                                   specialist's unit, by status), overdue (the overdue view),
                                   qsearch (code searches in the queue), search (procedure
                                   searches, with and without diacritics), views (due soon,
                                   assigned to me, one more status, queue counts)
  prep.py scale DB_URL N            clone the store's dossiers (new codes) until it holds about N
  prep.py check DB_URL CODES N2XX CONNS  the officer-action check (no lost update, no action twice);
                                   prints a JSON line
  prep.py burst HOST PORT MAX       bursts of 1..MAX simultaneous new connections, each sending
                                   GET /healthz; after every burst one more request must be
                                   answered; prints a JSON line (exit 1 on a hang or error)
"""
import http.client
import json
import re
import os
import select
import socket
import subprocess
import sys
import time

PASSWORD = "Demo-pass-2026"
COMPETENT = "000.01.12.H99"
COMMUNE = "000.00.31.H99"
PROC = "DEMO.000003"


def req(base, method, path, body=None, headers=None):
    host, port = base.split("//")[1].rstrip("/").split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c.request(method, path, data, h)
    r = c.getresponse()
    raw = r.read()
    hdrs = dict(r.getheaders())
    hdrs["cookies"] = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
    out = (r.status, hdrs, json.loads(raw) if raw[:1] in (b"{", b"[") else raw)
    c.close()
    return out


def login(base, user):
    st, h, js = req(base, "POST", "/api/v1/auth/login", {"login": user, "password": PASSWORD})
    if st != 200:
        sys.exit(f"login {user}: {st} {js}")
    cookie = "; ".join(h["cookies"])
    return cookie, js["csrf_token"]


def lua_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cmd_env(base, out):
    units = {}
    for code in (COMPETENT, COMMUNE):
        st, _, js = req(base, "GET", "/api/v1/units?q=" + code)
        units[code] = [u for u in js["items"] if u["code"] == code][0]["id"]
    st, _, proc = req(base, "GET", "/api/v1/procedures/" + PROC)
    docs = [{"code": d["code"], "originals": 1} for d in proc["variants"][0]["documents"] if d["required"]]
    body = {"procedure_code": PROC, "competent_unit_id": units[COMPETENT],
            "receiving_unit_id": units[COMMUNE], "delivery": "counter", "documents": docs,
            "applicant_phone": "0912000001", "form_data": {"ho_ten": "Nguyễn Văn An", "ghi_chu": "bench"}}
    roles = {"citizen": "congdan1", "counter": "motcua.xa1", "specialist": "chuyenvien.tp",
             "leader": "lanhdao.tp"}
    lines = ["return {"]
    sessions = {}
    for role, user in roles.items():
        sessions[role] = login(base, user)
        cookie, csrf = sessions[role]
        lines.append(f"  {role} = {{cookie = {lua_str(cookie)}, csrf = {lua_str(csrf)}}},")
    lines.append(f"  submit_body = {lua_str(json.dumps(body, ensure_ascii=False))},")
    # the same submission to up to 50 receiving units (those that take it: one probe each)
    st, _, js = req(base, "GET", "/api/v1/units?limit=500")
    cookie, csrf = sessions["citizen"]
    spread = []
    for u in js["items"]:
        if len(spread) >= 50:
            break
        b = dict(body, receiving_unit_id=u["id"])
        st, _, _ = req(base, "POST", "/api/v1/dossiers", b, {"Cookie": cookie, "X-CSRF-Token": csrf})
        if st == 201:
            spread.append(lua_str(json.dumps(b, ensure_ascii=False)))
    lines.append("  submit_bodies = {" + ", ".join(spread) + "},")
    lines.append('  phone = "0912000001",')
    lines.append(f"  competent_unit_id = {units[COMPETENT]},")
    lines.append("}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def sql_rows(db, sql):
    if db.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect("file:" + db[len("sqlite:"):] + "?mode=ro", uri=True)
        rows = con.execute(sql).fetchall()
        con.close()
        return rows
    out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-c", sql, db], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def cmd_codes(db, status, n, out):
    # the demo counter officer (motcua.xa1) accepts at the commune 000.00.31.H99 only
    rows = sql_rows(db, f"SELECT code FROM dossier WHERE status = {int(status)} "
                        f"AND code LIKE '000.00.31.H99-%' ORDER BY id DESC LIMIT {int(n)}")
    with open(out, "w") as f:
        for (code,) in rows:
            f.write(code + "\n")
    print(len(rows))


SEARCH_TERMS = ["khai sinh", "khai tu", "kết hôn", "ket hon", "chứng thực", "chung thuc", "hộ tịch",
                "ho tich", "đất đai", "dat dai", "xây dựng", "giay phep", "đăng ký", "dang ky",
                "cấp bản sao", "trích lục", "demo", "thủ tục", "hộ kinh doanh", "lý lịch"]


def cmd_paths(db, kind, n, out):
    import urllib.parse
    n = int(n)
    paths = []
    if kind == "public":
        rows = sql_rows(db, "SELECT code FROM dossier WHERE applicant_phone = '0912000001' "
                            f"ORDER BY id DESC LIMIT {n}")
        paths = [f"/api/v1/public/dossiers/{c}?phone=0912000001" for (c,) in rows]
    elif kind == "queue":
        # the specialist's work queue: the default view and one status at a time
        base = ["/api/v1/dossiers?limit=50", "/api/v1/dossiers?status=4&limit=50",
                "/api/v1/dossiers?status=2&limit=50", "/api/v1/dossiers?status=5&limit=50",
                "/api/v1/dossiers?status=9&limit=50"]
        paths = base * max(1, n // len(base))
    elif kind == "overdue":
        paths = ["/api/v1/dossiers?overdue=true&limit=50"] * max(1, n)
    elif kind == "qsearch":
        # code searches typed into the queue's search box: a prefix of many codes (unit and
        # month: the view's index with the prefix as a filter) and whole codes (the code index)
        rows = sql_rows(db, f"SELECT code FROM dossier ORDER BY id DESC LIMIT {max(1, n)}")
        paths = ["/api/v1/dossiers?limit=50&q=" + urllib.parse.quote(c[:18] if i % 2 else c)
                 for i, (c,) in enumerate(rows)]
    elif kind == "views":
        # the other queue views and the counts the UI polls
        now = int(time.time())
        paths = [f"/api/v1/dossiers?limit=50&due_after={now}&due_before={now + 3 * 86400}",
                 "/api/v1/dossiers?limit=50&assignee=me", "/api/v1/dossiers?limit=50&status=2",
                 "/api/v1/dossiers?limit=50&status=4&overdue=true", "/api/v1/queues/counts?days=3"]
        paths = paths * max(1, n // len(paths))
    elif kind == "search":
        paths = ["/api/v1/procedures?limit=20&q=" + urllib.parse.quote(t) for t in SEARCH_TERMS]
    with open(out, "w") as f:
        for p in paths:
            f.write(p + "\n")
    print(len(paths))


def sql_exec(db, *sqls):
    """Runs the statements in order, each committed, on one connection."""
    if db.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(db[len("sqlite:"):], timeout=60)
        for sql in sqls:
            con.execute(sql)
            con.commit()
        con.close()
    else:
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        for sql in sqls:
            args += ["-c", sql]
        subprocess.run(args + [db], check=True)


def cmd_scale(db, n):
    """Clones the dossier rows (every status, unit and procedure the demo played) with new
    codes until about n rows; events and documents are not cloned."""
    if db.startswith("sqlite:"):
        cols = [r[1] for r in sql_rows(db, "PRAGMA table_info(dossier)")]
    else:
        cols = [r[0] for r in sql_rows(db, "SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = 'dossier' ORDER BY ordinal_position")]
    cols = [c for c in cols if c != "id"]
    have = int(sql_rows(db, "SELECT count(*) FROM dossier")[0][0])
    k = max(0, -(-int(n) // have) - 1)
    sel = ", ".join(f"d.code || '-' || CAST(s.n AS TEXT)" if c == "code" else f"d.{c}" for c in cols)
    if db.startswith("sqlite:"):
        src = f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {k}) SELECT n FROM s) s"
    else:
        src = f"generate_series(1, {k}) AS s(n)"
    t0 = time.monotonic()
    if k:
        sql_exec(db, f"INSERT INTO dossier ({', '.join(cols)}) SELECT {sel} FROM dossier d, {src} "
                     f"WHERE d.code NOT LIKE '%-%-%-%'", "ANALYZE")
    total = int(sql_rows(db, "SELECT count(*) FROM dossier")[0][0])
    print(json.dumps({"dossiers": total, "cloned_from": have, "seconds": round(time.monotonic() - t0, 1)}))


def cmd_check(db, codes_path, ok_count, conns):
    """After officer.lua over the codes (all version 1 before): every 2xx answer is one version
    step (a lost update - two writers both accepted from one version - leaves more 2xx than
    steps) and no dossier was accepted or finished twice. Requests still in flight when wrk
    stopped may have been applied without their answer being counted: at most one per
    connection."""
    codes = [l.strip() for l in open(codes_path) if l.strip()]
    lst = ", ".join("'" + c.replace("'", "''") + "'" for c in codes)
    steps = int(sql_rows(db, f"SELECT coalesce(sum(version - 1), 0) FROM dossier WHERE code IN ({lst})")[0][0])
    dup = int(sql_rows(db, "SELECT count(*) FROM (SELECT e.dossier_id, e.action FROM dossier_event e "
                           f"JOIN dossier d ON d.id = e.dossier_id WHERE d.code IN ({lst}) "
                           "AND e.action IN ('accept', 'finish') GROUP BY e.dossier_id, e.action "
                           "HAVING count(*) > 1) x")[0][0])
    done = int(sql_rows(db, f"SELECT count(*) FROM dossier WHERE code IN ({lst}) AND status = 9")[0][0])
    lost = max(0, int(ok_count) - steps)
    unanswered = steps - int(ok_count)
    ok = lost == 0 and dup == 0 and unanswered <= int(conns)
    print(json.dumps({"answers_2xx": int(ok_count), "version_steps": steps, "duplicate_actions": dup,
                      "finished": done, "dossiers": len(codes), "lost_updates": lost,
                      "applied_unanswered_at_stop": unanswered, "ok": ok}))
    return ok


def burst(host, port, k, timeout=20.0, detail=None):
    """k simultaneous new connections (all connects issued before any request is sent),
    each sending one GET /healthz; returns how many got a 200 before the deadline. When a
    dict is given as detail it gets: answered, closed (ended without a 200: refused, reset
    or closed by the server), open (still waiting at the deadline) and seconds (from the
    first connect to the last one that ended)."""
    ep = select.epoll()
    socks = {}
    t0 = time.monotonic()
    ok = closed = 0
    last = 0.0
    left = k
    try:
        for _ in range(k):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            socks[s.fileno()] = [s, b"", False]  # socket, answer so far, request sent
            ep.register(s.fileno(), select.EPOLLOUT)
        reqb = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        deadline = t0 + timeout
        while left and time.monotonic() < deadline:
            for fd, ev in ep.poll(0.1):
                ent = socks[fd]
                s = ent[0]
                if not ent[2] and ev & select.EPOLLOUT:
                    try:
                        s.send(reqb)
                        ent[2] = True
                        ep.modify(fd, select.EPOLLIN)
                        continue
                    except OSError:
                        pass  # refused or reset before the request went out: ended
                else:
                    try:
                        d = s.recv(65536)
                    except OSError:
                        d = b""
                    if d:
                        ent[1] += d
                        continue
                if ent[1].startswith(b"HTTP/1.1 200"):
                    ok += 1
                else:
                    closed += 1
                last = time.monotonic() - t0
                ep.unregister(fd)
                left -= 1
        return ok
    finally:
        for s, _, _ in socks.values():
            s.close()
        ep.close()
        if detail is not None:
            detail.update(answered=ok, closed=closed, open=left, seconds=round(last, 2))


def cmd_burst(host, port, maxn):
    port = int(port)
    counts = list(range(1, int(maxn) + 1))
    t0 = time.monotonic()
    failures = []
    for k in counts:
        det = {}
        got = burst(host, port, k, detail=det)
        st, _, _ = req(f"http://{host}:{port}", "GET", "/healthz")
        if got != k or st != 200:
            failures.append({"count": k, **det, "after": st})
            if len(failures) > 5:
                break
    print(json.dumps({"bursts": len(counts), "max": int(maxn), "failures": failures,
                      "seconds": round(time.monotonic() - t0, 1)}))
    return not failures


def cmd_writer(base, before=None):
    """The SQLite writer's group-commit counters from /metrics (as admin); with BEFORE (an
    earlier output of this command), the change since then: members and the writer's CPU time
    per member, the serial part of every write (src/db/sqlite.c, ts_db_group_stats)."""
    cookie, _ = login(base, "admin")
    st, _, body = req(base, "GET", "/metrics", headers={"Cookie": cookie})
    if st != 200:
        sys.exit(f"/metrics: {st}")
    text = body.decode() if isinstance(body, bytes) else str(body)

    def val(name):
        m = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.M)
        return float(m.group(1)) if m else 0.0
    now = {"members": int(val("tinhso_db_group_commit_members_total")),
           "batches": int(val("tinhso_db_group_commits_total")),
           "member_cpu_s": val("tinhso_db_group_commit_member_cpu_seconds_total")}
    if before:
        with open(before) as f:
            b = json.load(f)
        dm = now["members"] - b["members"]
        now = {"members": dm, "batches": now["batches"] - b["batches"],
               "member_cpu_us": round((now["member_cpu_s"] - b["member_cpu_s"]) * 1e6 / dm, 1) if dm else None}
    print(json.dumps(now))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["env"]:
        cmd_env(a[1], a[2])
    elif a[:1] == ["codes"]:
        cmd_codes(a[1], a[2], a[3], a[4])
    elif a[:1] == ["paths"]:
        cmd_paths(a[1], a[2], a[3], a[4])
    elif a[:1] == ["scale"]:
        cmd_scale(a[1], a[2])
    elif a[:1] == ["check"]:
        sys.exit(0 if cmd_check(a[1], a[2], a[3], a[4]) else 1)
    elif a[:1] == ["writer"]:
        cmd_writer(a[1], a[2] if len(a) > 2 else None)
    elif a[:1] == ["burst"]:
        sys.exit(0 if cmd_burst(a[1], a[2], a[3]) else 1)
    else:
        sys.exit(__doc__)
