#!/usr/bin/env python3
"""report.py - turns bench/run.sh's results.jsonl into the "Throughput (issue 8)" section of
bench/RESULTS.md: medians over the runs, ratios to the reference limits of the same run
(median of the per-run ratios), the targets of issue 8 and whether they are met. The section
sits between two HTML comments and replaces the previous one; other sections are kept.

  report.py RESULTS.jsonl RESULTS.md [--runs N --dur S ... --command CMD]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

BEGIN = "<!-- issue8:begin -->"
END = "<!-- issue8:end -->"


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def LOADAVG():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def machine(load=None):
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
    mem = sh("free -g | awk '/^Mem:/ {print $2}'")
    return (f"{os.cpu_count()} vCPU ({cpu}), {mem} GiB RAM, Linux {platform.release()}, "
            f"SQLite {sh('sqlite3 --version').split(' ')[0]}, "
            f"libmicrohttpd {sh('pkg-config --modversion libmicrohttpd')}, "
            f"{sh('ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1') and 'PostgreSQL ' + sh('ls /usr/lib/postgresql | sort -n | tail -n 1')}, "
            f"{sh('wrk -v 2>&1 | head -n 1').split(' [')[0]}; load average at the end: "
            f"{load or LOADAVG()}")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=0, unit=""):
    if x is None:
        return "–"
    if nd == 0:
        return f"{x:,.0f}{unit}"
    return f"{x:,.{nd}f}{unit}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("res")
    ap.add_argument("out")
    for k in ("runs", "dur", "conns", "officers", "threads", "pool", "scale", "soak", "burst-max"):
        ap.add_argument("--" + k, type=int, default=0)
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--load", default=None,
                    help="the load average to state, when the report is made again after the run")
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(a.res) if l.strip()]

    def get(engine, bench):
        return [r for r in rows if r["engine"] == engine and r["bench"] == bench]

    def by_run(engine, bench):
        return {r["run"]: r for r in get(engine, bench)}

    def m(engine, bench, key):
        return med([r.get(key) for r in get(engine, bench)])

    def ratio(num_engine, num_bench, num_key, den_engine, den_bench, den_key, den_fn=None):
        num, den = by_run(num_engine, num_bench), by_run(den_engine, den_bench)
        out = []
        for run, r in num.items():
            d = den.get(run)
            if d and d.get(den_key):
                out.append(r[num_key] / d[den_key])
        return med(out)

    def hello(run_rows):
        return None

    # the hello-world limit of a run: the better of -c128 (the setup) and -c CONNS
    hello_best = {}
    for b in ("hello128", "hello64"):
        for run, r in by_run("http", b).items():
            hello_best[run] = max(hello_best.get(run, 0), r["rate"])

    def status_ratio(engine):
        out = []
        for run, r in by_run(engine, "status").items():
            if hello_best.get(run):
                out.append(r["rate"] / hello_best[run])
        return med(out)

    def ok(v, target, higher=True):
        if v is None:
            return "not measured"
        return "**met**" if (v >= target if higher else v <= target) else "**not met**"

    engines = ["sqlite"] + (["pgsql"] if get("pgsql", "submit") else [])
    L = []
    L.append(BEGIN)
    L.append(f"## Throughput (issue 8) — {datetime.date.today().isoformat()}, main")
    L.append("")
    L.append(f"**Machine**: {machine(a.load)}. The machine is shared with other jobs (builds, tests), "
             "so absolute numbers drift from minute to minute; every ratio below compares "
             "numbers taken in the same run, and every figure is the **median of "
             f"{a.runs} runs** (min–max in brackets where useful).")
    L.append("")
    L.append(f"**Command**: `{a.command}` (RUNS={a.runs}, DUR={a.dur} s per step, CONNS={a.conns}, "
             f"OFFICERS={a.officers}, server `http.threads`={a.threads}"
             f"{' (a thread per connection)' if str(a.threads) == '0' else ''}, `db.pool_size`={a.pool}, "
             f"SCALE={a.scale}, SOAK={a.soak} s, BURST_MAX={a.burst_max}). Release build "
             "(RelWithDebInfo, -O2); load from `wrk` (Debian) with the Lua scripts of `bench/lua/`, "
             "on the same 2 cores as the server. Raw numbers: `bench/last-results.jsonl`.")
    L.append("")
    L.append("### Reference limits, measured in the same run")
    L.append("| program | what | median | min–max |")
    L.append("|---|---|---|---|")

    def rng(engine, bench, key):
        xs = [r.get(key) for r in get(engine, bench) if r.get(key) is not None]
        return f"{min(xs):,.0f}–{max(xs):,.0f}" if xs else "–"

    L.append(f"| `ref_sqlite single` | SQLite WAL, synchronous=FULL: dossier + event row, one pair per transaction | "
             f"{fmt(m('sqlite', 'ref_single', 'pairs_per_s'))} pairs/s | {rng('sqlite', 'ref_single', 'pairs_per_s')} |")
    L.append(f"| `ref_sqlite batch` | the same, 100 pairs per transaction | "
             f"{fmt(m('sqlite', 'ref_batch', 'pairs_per_s'))} pairs/s ({fmt(2 * (m('sqlite', 'ref_batch', 'pairs_per_s') or 0))} rows/s) | {rng('sqlite', 'ref_batch', 'pairs_per_s')} |")
    L.append(f"| `ref_hello` | hello-world libmicrohttpd (epoll, thread pool of 2), `wrk -t2 -c128` | "
             f"{fmt(m('http', 'hello128', 'rate'))} GET/s, p99 {fmt(m('http', 'hello128', 'p99_ms'), 1)} ms | {rng('http', 'hello128', 'rate')} |")
    L.append(f"| `ref_hello` | the same, `wrk -t2 -c{a.conns}` | "
             f"{fmt(m('http', 'hello64', 'rate'))} GET/s, p99 {fmt(m('http', 'hello64', 'p99_ms'), 1)} ms | {rng('http', 'hello64', 'rate')} |")
    if get("pgsql", "ref_pg"):
        L.append(f"| `ref_pg` | PostgreSQL, synchronous_commit=on: dossier + event row per transaction, 16 clients | "
                 f"{fmt(m('pgsql', 'ref_pg', 'pairs_per_s'))} pairs/s | {rng('pgsql', 'ref_pg', 'pairs_per_s')} |")
    L.append("")
    L.append("### tinhso against the targets")
    hdr = "| measure | " + " | ".join("SQLite" if e == "sqlite" else "PostgreSQL" for e in engines) + " | target | SQLite |"
    L.append(hdr)
    L.append("|---|" + "---|" * len(engines) + "---|---|")

    def row(label, vals, target, verdict):
        vals = list(vals) + ["–"] * (len(engines) - len(vals))
        L.append(f"| {label} | " + " | ".join(vals) + f" | {target} | {verdict} |")

    sub_batch = ratio("sqlite", "submit", "rate", "sqlite", "ref_batch", "pairs_per_s")
    sub_single = ratio("sqlite", "submit", "rate", "sqlite", "ref_single", "pairs_per_s")
    pg_ref = ratio("pgsql", "submit", "rate", "pgsql", "ref_pg", "pairs_per_s") if "pgsql" in engines else None
    row("online submission to one commune counter, dossiers/s (201)", [fmt(m(e, "submit", "rate")) for e in engines], "", "")
    row("  ÷ raw batched pairs/s, same run", [fmt(sub_batch, 2)] + ([f"÷ ref_pg: {fmt(pg_ref, 2)}"] if "pgsql" in engines else []),
        "≥ 0.40", ok(sub_batch, 0.40))
    row("  ÷ raw one-per-transaction pairs/s, same run", [fmt(sub_single, 1)] + (["–"] if "pgsql" in engines else []),
        "≥ 3", ok(sub_single, 3))
    wcpu = m("sqlite", "writer", "member_cpu_us")
    if wcpu:
        # the single SQLite writer runs every submission's writes one after the other: its CPU
        # per submission bounds the rate whatever else gets faster; what each target would need
        need = [f"≤ {fmt(1e6 / (k * m('sqlite', b, 'pairs_per_s')), 0)} µs for {t}"
                for k, b, t in ((0.40, "ref_batch", "0.40 × batched"), (3, "ref_single", "3 × single"))
                if m("sqlite", b, "pairs_per_s")]
        row("  the SQLite writer's CPU per submission (serial: the most it allows), µs",
            [f"{fmt(wcpu, 1)} (≤ {fmt(1e6 / wcpu)}/s)"], "; ".join(need), "")
    row(f"  p50 / p99 at {a.conns} connections, ms",
        [f"{fmt(m(e, 'submit', 'p50_ms'), 1)} / {fmt(m(e, 'submit', 'p99_ms'), 1)}" for e in engines], "p99 ≤ 20",
        ok(m("sqlite", "submit", "p99_ms"), 20, higher=False))
    row("  non-2xx answers / client timeouts (2 s, all runs)",
        [f'{sum(r["s4xx"] + r["s409"] + r["s5xx"] for r in get(e, "submit"))} / {sum(r["socket_errors"] for r in get(e, "submit"))}' for e in engines], "0", "")
    if any(get(e, "submit_spread") for e in engines):
        row("submission spread over 50 receiving units, dossiers/s",
            [fmt(m(e, "submit_spread", "rate")) for e in engines], "", "")
        row("  p50 / p99, ms; client timeouts",
            [f"{fmt(m(e, 'submit_spread', 'p50_ms'), 1)} / {fmt(m(e, 'submit_spread', 'p99_ms'), 1)}; "
             f"{sum(r['socket_errors'] for r in get(e, 'submit_spread'))}" for e in engines], "", "")
    st = status_ratio("sqlite")
    row("public status lookup, GET/s", [fmt(m(e, "status", "rate")) for e in engines], "", "")
    row("  ÷ hello-world GET/s, same run", [fmt(status_ratio(e), 2) for e in engines], "≥ 0.50", ok(st, 0.50))
    row(f"  p50 / p99 at {a.conns} connections, ms",
        [f"{fmt(m(e, 'status', 'p50_ms'), 1)} / {fmt(m(e, 'status', 'p99_ms'), 1)}" for e in engines], "p99 ≤ 10",
        ok(m("sqlite", "status", "p99_ms"), 10, higher=False))
    row(f"officer actions (accept → forward → finish, {a.officers} connections racing in pairs), successful actions/s",
        [fmt(med([r["s2xx"] / r["seconds"] for r in get(e, "officer")])) for e in engines], "reported", "")
    row("  p50 / p99, ms", [f"{fmt(m(e, 'officer', 'p50_ms'), 1)} / {fmt(m(e, 'officer', 'p99_ms'), 1)}" for e in engines], "reported", "")
    row("  5xx (all runs)", [str(sum(r["s5xx"] for r in get(e, "officer"))) for e in engines], "0",
        ok(-sum(r["s5xx"] for r in get("sqlite", "officer")), 0))
    lost = {e: [r for r in get(e, "officer_check")] for e in engines}
    row("  lost updates / actions done twice (all runs)",
        [f"{sum(r.get('lost_updates', 0) for r in lost[e])} / {sum(r.get('duplicate_actions', 0) for r in lost[e])}"
         + ("" if all(r.get("ok") for r in lost[e]) else " (check failed)") for e in engines], "0",
        ok(-sum(abs(r.get("lost_updates", 0)) + r.get("duplicate_actions", 0) for r in lost["sqlite"]), 0))
    if a.scale:
        sc = {e: (get(e, "scale_load") or [{}])[0] for e in engines}
        row("store size for queues and search, dossiers", [fmt(sc[e].get("dossiers")) for e in engines], f"{a.scale:,}", "")
        for c in (8, a.conns):
            def first(e, b):
                r = by_run(e, b).get(1)
                return f" (run 1: {r['p50_ms']:.1f} / {r['p99_ms']:.1f})" if r else ""
            row(f"work-queue page (50 rows; default view and by status), p50 / p99 at {c} connections, ms",
                [f"{fmt(m(e, f'queue_c{c}', 'p50_ms'), 1)} / {fmt(m(e, f'queue_c{c}', 'p99_ms'), 1)}{first(e, f'queue_c{c}')}" for e in engines],
                "p99 ≤ 50", ok(m("sqlite", f"queue_c{c}", "p99_ms"), 50, higher=False))
            row(f"  pages/s at {c} connections", [fmt(m(e, f"queue_c{c}", "rate")) for e in engines], "", "")
            row(f"procedure search, p50 / p99 at {c} connections, ms",
                [f"{fmt(m(e, f'search_c{c}', 'p50_ms'), 1)} / {fmt(m(e, f'search_c{c}', 'p99_ms'), 1)}{first(e, f'search_c{c}')}" for e in engines],
                "p99 ≤ 20", ok(m("sqlite", f"search_c{c}", "p99_ms"), 20, higher=False))
            row(f"  searches/s at {c} connections", [fmt(m(e, f"search_c{c}", "rate")) for e in engines], "", "")
        def slow(e, b):
            rs = get(e, b)
            if rs and all(r["requests"] == 0 for r in rs):
                return f"none completed within {a.dur} s"
            return f"{fmt(m(e, b, 'p50_ms'), 1)} / {fmt(m(e, b, 'p99_ms'), 1)}"
        row("overdue view (50 rows), p50 / p99 at 8 connections, ms",
            [slow(e, "overdue_c8") for e in engines],
            "p99 ≤ 50 (a queue page)", "**not met**" if slow("sqlite", "overdue_c8").startswith("none") else ok(m("sqlite", "overdue_c8", "p99_ms"), 50, higher=False))
        row("code search in the queue (50 rows), p50 / p99 at 8 connections, ms",
            [slow(e, "qsearch_c8") for e in engines],
            "p99 ≤ 50 (a queue page)", "**not met**" if slow("sqlite", "qsearch_c8").startswith("none") else ok(m("sqlite", "qsearch_c8", "p99_ms"), 50, higher=False))
        if any(get(e, "views_c8") for e in engines):
            row("other views (due soon, assigned to me, overdue by status) and queue counts, p50 / p99 at 8 connections, ms",
                [slow(e, "views_c8") for e in engines],
                "p99 ≤ 50 (a queue page)", ok(m("sqlite", "views_c8", "p99_ms"), 50, higher=False))
    def mib(v):
        return fmt(v / 1024, 1) if v else "–"
    row("RSS idle (fresh server, demo store), MiB", [mib(m(e, "rss_idle", "rss_kib")) for e in engines], "reported", "")
    row(f"RSS half-way through the submission load ({a.conns} connections), MiB",
        [mib(m(e, "rss_load", "rss_kib")) for e in engines], "reported", "")
    soak = (get("sqlite", "soak") or [None])[0]
    if soak:
        s = soak["rss_kib"]
        half = s[len(s) // 2:]
        # flat = no growth: the second half's highest sample over its first (a fall, memory
        # given back, is not growth; the range says how far it fell)
        growth = (max(half) - half[0]) / 1024 if half else None
        spread = (max(half) - min(half)) / 1024 if half else None
        row(f"RSS over a {soak['seconds']} s soak (submissions + queue pages), MiB",
            [f"idle {soak['rss_idle_kib'] / 1024:.1f}; every {soak['step_s']} s: " + ", ".join(f"{x / 1024:.1f}" for x in s)],
            "flat", f"second half grows by {growth:.1f} MiB (range {spread:.1f})")
    bursts = (get("sqlite", "bursts") or [None])[0]
    if bursts:
        row(f"connection bursts 1..{bursts.get('max')} (every count)",
            [f"{bursts.get('bursts')} bursts in {bursts.get('seconds')} s, failures: {json.dumps(bursts.get('failures'))}"],
            "keeps serving", "**met**" if not bursts.get("failures") else "**not met**")
    L.append("")
    L.append("### Per run")
    L.append("| run | ref single | ref batch | hello c128 | hello c%d | SQLite submit (p99) | status (p99) | officers 2xx/s (p99) |%s" % (
        a.conns, " ref_pg | PG submit (p99) | PG status (p99) | PG officers (p99) |" if "pgsql" in engines else ""))
    L.append("|---|---|---|---|---|---|---|---|" + ("---|---|---|---|" if "pgsql" in engines else ""))
    for run in range(1, a.runs + 1):
        def g(e, b, k):
            return by_run(e, b).get(run, {}).get(k)

        def rp(e, b):
            r = by_run(e, b).get(run)
            return f"{r['rate']:,.0f} ({r['p99_ms']:.1f})" if r else "–"

        def off(e):
            r = by_run(e, "officer").get(run)
            return f"{r['s2xx'] / r['seconds']:,.0f} ({r['p99_ms']:.1f})" if r else "–"
        line = (f"| {run} | {fmt(g('sqlite', 'ref_single', 'pairs_per_s'))} | {fmt(g('sqlite', 'ref_batch', 'pairs_per_s'))} | "
                f"{fmt(g('http', 'hello128', 'rate'))} | {fmt(g('http', 'hello64', 'rate'))} | {rp('sqlite', 'submit')} | "
                f"{rp('sqlite', 'status')} | {off('sqlite')} |")
        if "pgsql" in engines:
            line += f" {fmt(g('pgsql', 'ref_pg', 'pairs_per_s'))} | {rp('pgsql', 'submit')} | {rp('pgsql', 'status')} | {off('pgsql')} |"
        L.append(line)
    L.append("")
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES-issue8.md")
    if os.path.exists(notes):
        L.append(open(notes).read().rstrip())
        L.append("")
    L.append(END)
    section = "\n".join(L) + "\n"

    text = open(a.out).read() if os.path.exists(a.out) else "# Benchmark results\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1].lstrip("\n")
        text = pre + section + ("\n" + post if post else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
