"""tools/sqlembed: "-- include: NAME" splices a "-- fragment: NAME" block. A tree using
fragments must embed byte for byte what the same tree written out by hand embeds (nesting,
indentation, dialect before common); an unknown, cyclic, duplicated or never included fragment
fails the build; the project's own sql/ embeds with every include expanded.
Usage (CTest sqlembed_fragments): TS_SQLEMBED=path TS_SOURCE_DIR=src python3 test_sqlembed.py"""
import os
import subprocess
import tempfile
import unittest

SQLEMBED = os.environ.get("TS_SQLEMBED", "sqlembed")
SRC = os.environ.get("TS_SOURCE_DIR", ".")

MIGRATION = "CREATE TABLE t (a BIGINT, b BIGINT, c TEXT);\n"


def write_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, "sql", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    for d in ("sqlite", "pgsql"):
        path = os.path.join(root, "sql", d, "migrations", "0001_t.sql")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(MIGRATION)


def embed(files):
    """Runs sqlembed on a tree (relative paths, so that two trees compare) -> (rc, out.c, stderr)."""
    with tempfile.TemporaryDirectory(prefix="sqlembed.") as root:
        write_tree(root, files)
        p = subprocess.run([SQLEMBED, "out.c", "sql"], cwd=root, capture_output=True, text=True, timeout=60)
        out = None
        if p.returncode == 0:
            with open(os.path.join(root, "out.c")) as f:
                out = f.read()
        return p.returncode, out, p.stderr


WITH = {
    "common/queries/frag.sql": (
        "-- frag.sql: fragments\n\n"
        "-- fragment: f_inner\n"
        "-- documentation, left out\n"
        "AND t.b = $2\n"
        "AND (t.c IS NULL\n"
        "     OR t.c = $3)\n"
        "\n"
        "-- fragment: f_outer\n"
        "AND t.a > $1\n"
        "  -- include: f_inner\n"
        "\n"
        "-- comment of the next block, left out\n"),
    "common/queries/q.sql": (
        "-- name: q_top\n"
        "SELECT a FROM t\n"
        "WHERE 1 = 1\n"
        "  -- include: f_outer\n"
        "ORDER BY a\n"
        "\n"
        "-- name: q_end\n"
        "SELECT a FROM t WHERE 1 = 1\n"
        "    -- include: f_inner\n"),
    "sqlite/queries/d.sql": (
        "-- fragment: f_dialect\n"
        "AND t.a = 1\n"
        "\n"
        "-- name: q_d\n"
        "SELECT * FROM t WHERE 1 = 1\n"
        "\t-- include: f_dialect\n"
        "\t-- include: f_inner\n"),
    "pgsql/queries/d.sql": (
        "-- fragment: f_dialect\n"
        "AND t.a = 2\n"
        "\n"
        "-- name: q_d\n"
        "SELECT * FROM t WHERE 1 = 1\n"
        "\t-- include: f_dialect\n"
        "\t-- include: f_inner\n"),
}

BY_HAND = {
    "common/queries/q.sql": (
        "-- name: q_top\n"
        "SELECT a FROM t\n"
        "WHERE 1 = 1\n"
        "  AND t.a > $1\n"
        "    AND t.b = $2\n"
        "    AND (t.c IS NULL\n"
        "         OR t.c = $3)\n"
        "ORDER BY a\n"
        "\n"
        "-- name: q_end\n"
        "SELECT a FROM t WHERE 1 = 1\n"
        "    AND t.b = $2\n"
        "    AND (t.c IS NULL\n"
        "         OR t.c = $3)\n"),
    "sqlite/queries/d.sql": (
        "-- name: q_d\n"
        "SELECT * FROM t WHERE 1 = 1\n"
        "\tAND t.a = 1\n"
        "\tAND t.b = $2\n"
        "\tAND (t.c IS NULL\n"
        "\t     OR t.c = $3)\n"),
    "pgsql/queries/d.sql": (
        "-- name: q_d\n"
        "SELECT * FROM t WHERE 1 = 1\n"
        "\tAND t.a = 2\n"
        "\tAND t.b = $2\n"
        "\tAND (t.c IS NULL\n"
        "\t     OR t.c = $3)\n"),
}


class SqlembedFragments(unittest.TestCase):
    def test_expansion_equals_the_tree_written_by_hand(self):
        rc, a, err = embed(WITH)
        self.assertEqual(rc, 0, err)
        rc, b, err = embed(BY_HAND)
        self.assertEqual(rc, 0, err)
        # the path comments name the files: the fragments' file is the only one not in both
        self.assertEqual(a, b)
        self.assertNotIn("include:", a)
        self.assertIn('{"q_top", q', a)
        self.assertIn("3},", a)  # $3 counted from the spliced text

    def fails(self, files, message):
        rc, _, err = embed(files)
        self.assertNotEqual(rc, 0, "sqlembed accepted it")
        self.assertIn(message, err)
        self.assertIn("nothing written", err)

    def test_unknown_fragment_fails(self):
        self.fails({"common/queries/q.sql": "-- name: q\nSELECT 1\n-- include: nowhere\n"},
                   "query 'q' includes unknown fragment 'nowhere'")

    def test_cycle_fails(self):
        self.fails({"common/queries/q.sql": (
            "-- fragment: a\nAND 1 = 1\n-- include: b\n\n"
            "-- fragment: b\nAND 2 = 2\n-- include: a\n\n"
            "-- name: q\nSELECT 1 WHERE 1 = 1\n-- include: a\n")}, "includes itself (a -> b -> a")
        self.fails({"common/queries/q.sql": (
            "-- fragment: a\nAND 1 = 1\n-- include: a\n\n"
            "-- name: q\nSELECT 1 WHERE 1 = 1\n-- include: a\n")}, "fragment 'a' includes itself")

    def test_common_query_does_not_see_a_dialect_fragment(self):
        self.fails({"sqlite/queries/f.sql": "-- fragment: s\nAND 1 = 1\n",
                    "pgsql/queries/f.sql": "-- fragment: s\nAND 1 = 1\n",
                    "common/queries/q.sql": "-- name: q\nSELECT 1 WHERE 1 = 1\n-- include: s\n"},
                   "query 'q' includes unknown fragment 's'")

    def test_duplicate_unused_and_empty_fragments_fail(self):
        q = "-- name: q\nSELECT 1 WHERE 1 = 1\n-- include: f\n"
        self.fails({"common/queries/q.sql": q, "common/queries/f.sql": "-- fragment: f\nAND 1 = 1\n",
                    "common/queries/g.sql": "-- fragment: f\nAND 2 = 2\n"}, "fragment 'f' is defined twice")
        self.fails({"common/queries/q.sql": q, "common/queries/f.sql": "-- fragment: f\nAND 1 = 1\n",
                    "sqlite/queries/f.sql": "-- fragment: f\nAND 2 = 2\n"}, "fragment 'f' exists in common and in sqlite")
        self.fails({"common/queries/q.sql": "-- name: q\nSELECT 1\n\n-- fragment: f\nAND 1 = 1\n"},
                   "fragment 'f' is never included")
        self.fails({"common/queries/q.sql": q + "\n-- fragment: f\n-- only a comment\n"}, "fragment 'f' is empty")

    def test_project_sql_embeds_with_every_include_expanded(self):
        with tempfile.TemporaryDirectory(prefix="sqlembed.") as d:
            out = os.path.join(d, "out.c")
            p = subprocess.run([SQLEMBED, out, os.path.join(SRC, "sql")], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out) as f:
                text = f.read()
        self.assertNotIn("-- include:", text)
        self.assertNotIn("-- fragment:", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
