"""Procedure search (GET /api/v1/procedures) against a straightforward reference (issue 8): the
demo catalogue (about 1,800 procedures) searched with random queries drawn from it - words and
pieces of words of its folded text, words of the names with their diacritics and in capitals,
codes and code prefixes, words of 1-2 characters (no index), several words in any order, words
nobody has - alone and with a field or unit filter; every page of each answer (order, rank,
total, the rows) is compared with a plain Python filter and ranking over the whole table. The
candidates come from an index (SQLite: the FTS5 trigram table procedure_fts; PostgreSQL: the
pg_trgm index; migration 0020), so a row the index misses or finds wrongly shows up as a
missing or extra row. Imports that create, rename or fail are searched again: the index follows
the catalogue in the import's transaction. SQLite or PostgreSQL (TS_TEST_ENGINE); the seed is
printed (TS_SEARCH_SEED repeats a run)."""
import os
import random
import sqlite3
import subprocess
import sys
import time
import unicodedata
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinhso_client import DEMO_PASSWORD, Client, Server, fresh_database, run_cli  # noqa: E402

LIMIT_MAX = 200
WORDS_MAX = 6  # src/catalog/catalog.c SEARCH_WORDS


def sql(db, query):
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):], timeout=30)
        rows = con.execute(query).fetchall()
        con.close()
        return rows
    out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-c", query, db], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(None if v == "" else v for v in line.split("\t")) for line in out.splitlines() if line]


def fold(s):
    """base/text.h's search key for Vietnamese and ASCII text: lower case, diacritics and đ
    folded, every ASCII character other than a-z 0-9 . a space, spaces collapsed."""
    out = []
    for ch in unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D")):
        if 0x300 <= ord(ch) <= 0x36F:
            continue
        if ch.isascii():
            ch = ch.lower()
            if not (ch.isalnum() or ch == "."):
                ch = " "
        out.append(ch)
    return " ".join(w for w in "".join(out).split(" ") if w)


def rank_of(code_key, name_key, q):
    bare = name_key[8:] if name_key.startswith("thu tuc ") else name_key

    def starts_words(s):
        return s.startswith(q) and (len(s) == len(q) or s[len(q)] == " ")

    if code_key == q:
        return 0
    if bare == q or name_key == q:
        return 1
    if code_key.startswith(q) or starts_words(bare) or starts_words(name_key):
        return 2
    if (" " + q + " ") in (" " + name_key + " "):
        return 3
    if q in name_key:
        return 4
    return 5


class ProcedureSearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.seed = int(os.environ.get("TS_SEARCH_SEED", str(int(time.time()))))
        print(f"procedure search reference test: TS_SEARCH_SEED={cls.seed}", file=sys.stderr)
        cls.rnd = random.Random(cls.seed)
        cls.db = fresh_database("api_search")
        run_cli(cls.db, "migrate")
        run_cli(cls.db, "demo", "--password", DEMO_PASSWORD, "--dossiers", "0")
        cls.server = Server(cls.db)
        cls.anon = Client(cls.server)
        cls.admin = Client(cls.server)
        r = cls.admin.login("admin")
        assert r.status == 200, r
        cls.load()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        for f in (cls.server.proc.stdout, cls.server.proc.stderr):
            f.close()

    @classmethod
    def load(cls):
        """The catalogue as the reference sees it, read straight from the store."""
        cls.procs = []
        for r in sql(cls.db, "SELECT id, code, name, field_code, field_name, online_level, "
                             "current_version_id, search_text FROM procedure"):
            pid, code, name, fcode, fname, online, ver, st = r
            cls.procs.append(dict(id=int(pid), code=code, name=name, field_code=fcode, field_name=fname,
                                  online_level=int(online), version_id=None if ver is None else int(ver),
                                  st=st))
        cls.parent = {int(i): (None if p is None else int(p))
                      for i, p in sql(cls.db, "SELECT id, parent_id FROM org_unit")}
        cls.offers = {}
        for pid, uid in sql(cls.db, "SELECT procedure_id, unit_id FROM procedure_unit"):
            cls.offers.setdefault(int(pid), set()).add(int(uid))

    # ---- the reference -----------------------------------------------------------------------
    def ancestors(self, unit):
        out = []
        while unit is not None and unit in self.parent and len(out) < 65:
            out.append(unit)
            unit = self.parent[unit]
        return set(out)

    def reference(self, q=None, field=None, unit=None):
        qk = fold(q) if q else ""
        words = qk.split()[:WORDS_MAX] if qk else []
        anc = self.ancestors(unit) if unit else None
        hits = []
        for p in self.procs:
            if p["version_id"] is None or not all(w in p["st"] for w in words):
                continue
            if field and field not in (p["field_name"], p["field_code"]):
                continue
            if anc is not None and not (self.offers.get(p["id"], set()) & anc):
                continue
            rank = 0
            if qk:
                ck = p["code"].lower()
                st = p["st"]
                nk = st[len(ck) + (1 if st[len(ck):len(ck) + 1] == " " else 0):] if st.startswith(ck) else st
                rank = rank_of(ck, nk, qk)
            hits.append((rank, p["code"].encode(), p))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [(r, p) for r, _, p in hits]

    def search_all(self, q=None, field=None, unit=None, limit=LIMIT_MAX):
        """Every page of the answer, walked with offset."""
        items, offset, total = [], 0, None
        while True:
            args = {"limit": str(limit), "offset": str(offset)}
            if q is not None:
                args["q"] = q
            if field:
                args["field"] = field
            if unit:
                args["unit"] = str(unit)
            r = self.anon.request("GET", "/api/v1/procedures?" + urllib.parse.urlencode(args))
            self.assertEqual(r.status, 200, r)
            if total is None:
                total = r.json["total"]
            self.assertEqual(r.json["total"], total, "the total changed between pages")
            items += r.json["items"]
            offset += limit
            if offset >= total or not r.json["items"]:
                return items, total

    def check(self, q=None, field=None, unit=None, limit=LIMIT_MAX):
        want = self.reference(q, field, unit)
        got, total = self.search_all(q, field, unit, limit)
        what = f"q={q!r} field={field!r} unit={unit!r} (TS_SEARCH_SEED={self.seed})"
        self.assertEqual(total, len(want), what)
        self.assertEqual([(i["code"], i["rank"]) for i in got], [(p["code"], r) for r, p in want], what)
        for i, (_, p) in zip(got, want):
            self.assertEqual((i["id"], i["name"], i["field"], i["field_code"], i["version_id"]),
                             (p["id"], p["name"], p["field_name"], p["field_code"], p["version_id"]), what)
        return want

    # ---- queries drawn from the catalogue ----------------------------------------------------
    def queries(self, n):
        rnd = self.rnd
        out = []
        for _ in range(n):
            p = rnd.choice(self.procs)
            words = p["st"].split()
            kind = rnd.randrange(10)
            if kind == 0:  # a whole word
                q = rnd.choice(words)
            elif kind == 1:  # a piece of a word, 1..6 characters (short ones: no index)
                w = rnd.choice(words)
                a = rnd.randrange(len(w))
                q = w[a:a + rnd.randint(1, 6)]
            elif kind == 2:  # a run of the folded text, across words
                st = p["st"]
                a = rnd.randrange(len(st))
                q = st[a:a + rnd.randint(2, 25)]
            elif kind == 3:  # words of the name with diacritics, some in capitals
                ws = p["name"].split()
                a = rnd.randrange(len(ws))
                q = " ".join(ws[a:a + rnd.randint(1, 4)])
                if rnd.random() < 0.5:
                    q = q.upper()
            elif kind == 4:  # several words in any order
                q = " ".join(rnd.sample(words, min(len(words), rnd.randint(2, 4))))
            elif kind == 5:  # a code or a code prefix, in any case
                c = p["code"]
                q = c[:rnd.randint(1, len(c))]
                q = q.lower() if rnd.random() < 0.5 else q
            elif kind == 6:  # more words than the search reads
                q = " ".join(rnd.choice(words) for _ in range(WORDS_MAX + 2))
            elif kind == 7:  # a word nobody has with one somebody has
                q = rnd.choice(words) + " zqxj"
            elif kind == 8:  # punctuation and spacing around the words
                q = "  " + " - ".join(rnd.sample(words, min(len(words), 2))) + "! "
            else:  # one or two short words
                q = " ".join(rnd.choice(words)[:rnd.randint(1, 2)] for _ in range(rnd.randint(1, 2)))
            out.append(q)
        return out

    def test_random_queries_match_the_plain_scan(self):
        hits = 0
        for q in self.queries(160):
            hits += len(self.check(q, limit=self.rnd.choice((7, 50, LIMIT_MAX))))
        self.assertGreater(hits, 1000)  # the queries found something

    def test_broad_words_and_no_words(self):
        for q in ("demo", "thủ tục", "thu tuc", "Đăng ký", "dang ky", "a", "c", "n", "1", ".", None, "", "   "):
            self.check(q)

    def test_field_and_unit_filters(self):
        fields = sorted({p["field_name"] for p in self.procs})
        units = sorted({u for s in self.offers.values() for u in s})
        for q in self.queries(25) + [None, "demo", "ho tich"]:
            self.check(q, field=self.rnd.choice(fields))
            self.check(q, unit=self.rnd.choice(units))

    def test_diacritics_do_not_matter(self):
        a = self.check("Đăng ký khai sinh")
        b = self.check("dang ky khai sinh")
        self.assertEqual([p["code"] for _, p in a], [p["code"] for _, p in b])
        self.assertEqual(a[0][1]["code"], "1.001193")

    def test_the_index_follows_imports(self):
        rec = self.anon.request("GET", "/api/v1/procedures/export").json
        rec = rec["procedures"] if isinstance(rec, dict) else rec
        renamed = [x for x in rec if x["code"] == "DEMO.000007"][0]
        old_words = fold(renamed["name"])
        renamed["name"] = "Thủ tục cấp phép khinh khí cầu Quỳnh Xuyên"
        renamed["valid_from"] = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 400))
        new = dict(rec[0], code="DEMO.999901", name="Thủ tục đăng ký nuôi chim yến Đồng Xoài")
        r = self.admin.request("POST", "/api/v1/procedures/import", {"procedures": [renamed, new]})
        self.assertEqual(r.status, 200, r)
        # a failed import (its second record is invalid) writes nothing, the index neither
        bad = dict(rec[1], code="DEMO.999902", name="Thủ tục thử nghiệm Zyqwa Kepler")
        r = self.admin.request("POST", "/api/v1/procedures/import",
                               {"procedures": [bad, dict(rec[2], code="SAI-MA")]})
        self.assertEqual(r.status, 422, r)
        self.__class__.load()
        self.assertEqual([p["code"] for _, p in self.check("khinh khi cau quynh")], ["DEMO.000007"])
        self.assertEqual([p["code"] for _, p in self.check("Chim Yến đồng xoài")], ["DEMO.999901"])
        self.assertEqual(self.check("zyqwa kepler"), [])
        self.assertNotIn("DEMO.000007", [p["code"] for _, p in self.check(old_words)])
        for q in self.queries(20):
            self.check(q)


if __name__ == "__main__":
    unittest.main(verbosity=2)
