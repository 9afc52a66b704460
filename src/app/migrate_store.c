/* migrate_store.c - `tinhso migrate-store`: copies every table of a SQLite store into a
 * freshly migrated PostgreSQL database in one transaction, then proves the copy by comparing
 * every table (row count and an order-independent digest of the rows) and the audit chain.
 * Tables and columns are learnt from the catalogues (named queries store_*), so tables added
 * by later migrations are copied without a change here; statements that name a table are
 * built from those catalogue names (ts_db_query_text), which must be plain identifiers.
 * The source must not be written meanwhile (stop the node first): it is read in one read
 * transaction, a consistent snapshot. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/crypto.h"
#include "base/log.h"
#include "iam/iam.h"

#define PAGE_ROWS 1000
#define MAX_PARAMS_PER_INSERT 4000

struct table {
	const char *name;
	int ncols;
	const char **cols;
	int npk;
	const char **pk;          /* in the source */
	int nparents;
	const char **parents;     /* tables it references (target catalogue), not itself */
	int nself;
	const char **self_cols;   /* columns referencing the table itself: set in a second pass */
	int nident;
	const char **ident;       /* target identity columns */
	bool placed;
};

struct ms {
	struct ts_arena *a;       /* catalogue, lives for the whole command */
	struct ts_db *src, *dst;
	struct ts_dbconn *sc;     /* the source's read transaction */
	struct table *t;
	int nt;
	FILE *out;
	int64_t copied;
};

static bool plain_ident(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int bad_ident(const char *what, const char *s, struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_CONFIG, NULL, "%s '%s' is not a plain name [a-z0-9_]: not copied", what,
			    s ? s : "");
}

/* Rows of a one-column catalogue query as a NULL-free string list in the arena. */
static int list_of(struct ts_dbconn *c, struct ts_arena *a, const char *query, const char *table, const char ***out,
		   int *n, struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	struct ts_dbval p[] = {TS_DB_TEXT(table)};
	int rc = ts_db_query(c, a, query, p, table ? 1 : 0, &r, err);
	if (rc)
		return rc;
	*out = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(char *));
	if (!*out)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < r->nrows; i++)
		(*out)[i] = ts_dbres_get(r, i, 0) ? ts_dbres_get(r, i, 0) : "";
	*n = r->nrows;
	return 0;
}

static struct table *find(struct ms *m, const char *name)
{
	for (int i = 0; i < m->nt; i++)
		if (!strcmp(m->t[i].name, name))
			return &m->t[i];
	return NULL;
}

static bool same_names(const char **a, int na, const char **b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++) {
		bool found = false;
		for (int k = 0; k < nb && !found; k++)
			found = !strcmp(a[i], b[k]);
		if (!found)
			return false;
	}
	return true;
}

/* ---- catalogue ------------------------------------------------------------------------ */

static int load_source(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct ms *m = ctx;
	const char **names;
	int n, rc;
	if ((rc = list_of(c, m->a, "store_tables", NULL, &names, &n, err)))
		return rc;
	m->t = ts_arena_zalloc(m->a, (size_t)(n + 1) * sizeof(*m->t));
	if (!m->t)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	m->nt = 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(names[i], "schema_migration"))
			continue; /* written by `tinhso migrate` on the target */
		if (!plain_ident(names[i]))
			return bad_ident("table", names[i], err);
		struct table *t = &m->t[m->nt++];
		t->name = names[i];
		if ((rc = list_of(c, m->a, "store_columns", t->name, &t->cols, &t->ncols, err)) ||
		    (rc = list_of(c, m->a, "store_pk_columns", t->name, &t->pk, &t->npk, err)))
			return rc;
		for (int k = 0; k < t->ncols; k++)
			if (!plain_ident(t->cols[k]))
				return bad_ident("column", t->cols[k], err);
	}
	return 0;
}

static int load_target(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct ms *m = ctx;
	const char **names;
	int n, rc;
	if ((rc = list_of(c, m->a, "store_tables", NULL, &names, &n, err)))
		return rc;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], "schema_migration") && !find(m, names[i]))
			return ts_error_set(err, TS_ERR_CONFIG, NULL,
					    "table '%s' of the target is not in the source: schemas differ", names[i]);
	for (int i = 0; i < m->nt; i++) {
		struct table *t = &m->t[i];
		const char **cols;
		int ncols;
		if ((rc = list_of(c, m->a, "store_columns", t->name, &cols, &ncols, err)))
			return rc;
		if (!same_names(t->cols, t->ncols, cols, ncols))
			return ts_error_set(err, TS_ERR_CONFIG, NULL,
					    "table '%s' has other columns in the target: schemas differ", t->name);
		if ((rc = list_of(c, m->a, "store_identity_columns", t->name, &t->ident, &t->nident, err)))
			return rc;
		struct ts_dbres *r = NULL;
		struct ts_dbval p[] = {TS_DB_TEXT(t->name)};
		if ((rc = ts_db_query(c, m->a, "store_fk_refs", p, 1, &r, err)))
			return rc;
		t->nparents = t->nself = 0;
		t->parents = ts_arena_zalloc(m->a, (size_t)(r->nrows + 1) * sizeof(char *));
		t->self_cols = ts_arena_zalloc(m->a, (size_t)(r->nrows + 1) * sizeof(char *));
		if (!t->parents || !t->self_cols)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		for (int k = 0; k < r->nrows; k++) {
			const char *parent = ts_dbres_get(r, k, 0), *col = ts_dbres_get(r, k, 1);
			if (parent && !strcmp(parent, t->name))
				t->self_cols[t->nself++] = col;
			else if (parent)
				t->parents[t->nparents++] = parent;
		}
		if (t->nself && t->npk != 1)
			return ts_error_set(err, TS_ERR_CONFIG, NULL,
					    "table '%s' references itself but has no one-column key", t->name);
	}
	return 0;
}

/* Orders m->t so that every table comes after the tables it references. */
static int order_tables(struct ms *m, struct ts_error *err)
{
	struct table *sorted = ts_arena_zalloc(m->a, (size_t)(m->nt + 1) * sizeof(*sorted));
	if (!sorted)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	int n = 0;
	while (n < m->nt) {
		bool progress = false;
		for (int i = 0; i < m->nt; i++) {
			struct table *t = &m->t[i];
			bool ready = !t->placed;
			for (int k = 0; ready && k < t->nparents; k++) {
				struct table *p = find(m, t->parents[k]);
				ready = !p || p->placed;
			}
			if (ready) {
				t->placed = true;
				sorted[n++] = *t;
				progress = true;
			}
		}
		if (!progress)
			return ts_error_set(err, TS_ERR_CONFIG, NULL, "foreign keys form a cycle between tables");
	}
	m->t = sorted;
	return 0;
}

/* ---- copy ----------------------------------------------------------------------------- */

static int64_t count_rows(struct ts_dbconn *c, struct ts_arena *a, const char *table, struct ts_error *err, int *rc)
{
	struct ts_dbres *r = NULL;
	char *sql = ts_arena_printf(a, "SELECT count(*) FROM \"%s\"", table);
	*rc = sql ? ts_db_query_text(c, a, "store_count", sql, NULL, 0, &r, err) : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return *rc ? -1 : ts_dbres_int(r, 0, 0);
}

/* "c1", "c2", ... */
static int put_cols(struct ts_sbuf *b, const struct table *t, const char *prefix)
{
	for (int i = 0; i < t->ncols; i++) {
		ts_sbuf_put(b, i ? ", " : "", i ? 2 : 0);
		ts_sbuf_put(b, prefix, strlen(prefix));
		ts_sbuf_put(b, "\"", 1);
		ts_sbuf_put(b, t->cols[i], strlen(t->cols[i]));
		ts_sbuf_put(b, "\"", 1);
	}
	return b->failed;
}

/* One page of source rows after rowid `after`: column 0 is the rowid, then t->cols. */
static int source_page(struct ms *m, struct ts_arena *a, const struct table *t, int64_t after, struct ts_dbres **r,
		       struct ts_error *err)
{
	struct ts_sbuf b;
	ts_sbuf_init(&b, a);
	ts_sbuf_put(&b, "SELECT rowid, ", 14);
	put_cols(&b, t, "");
	char *tail = ts_arena_printf(a, " FROM \"%s\" WHERE rowid > $1 ORDER BY rowid LIMIT %d", t->name, PAGE_ROWS);
	if (!tail || ts_sbuf_put(&b, tail, strlen(tail)) || b.failed)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	struct ts_dbval p[] = {TS_DB_INT(after)};
	return ts_db_query_text(m->sc, a, "store_source_page", b.buf, p, 1, r, err);
}

/* INSERT of rows [from, to) of page r (cells from column 1) into t; self-referencing columns
 * are inserted NULL and set by fix_self_refs. */
static int insert_rows(struct ts_dbconn *c, struct ts_arena *a, const struct table *t, const struct ts_dbres *r,
		       int from, int to, struct ts_error *err)
{
	int nrows = to - from, np = 0;
	struct ts_dbval *p = ts_arena_zalloc(a, (size_t)(nrows * t->ncols + 1) * sizeof(*p));
	struct ts_sbuf b;
	ts_sbuf_init(&b, a);
	char *head = ts_arena_printf(a, "INSERT INTO \"%s\" (", t->name);
	if (!p || !head)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	ts_sbuf_put(&b, head, strlen(head));
	put_cols(&b, t, "");
	ts_sbuf_put(&b, ") OVERRIDING SYSTEM VALUE VALUES ", 33);
	for (int row = from; row < to; row++) {
		ts_sbuf_put(&b, row > from ? ", (" : "(", row > from ? 3 : 1);
		for (int col = 0; col < t->ncols; col++) {
			bool self = false;
			for (int k = 0; k < t->nself; k++)
				self |= !strcmp(t->self_cols[k], t->cols[col]);
			p[np] = self ? TS_DB_NULL : TS_DB_TEXT(ts_dbres_get(r, row, col + 1));
			char ph[24];
			int n = snprintf(ph, sizeof(ph), "%s$%d", col ? ", " : "", ++np);
			ts_sbuf_put(&b, ph, (size_t)n);
		}
		ts_sbuf_put(&b, ")", 1);
	}
	if (b.failed)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_db_query_text(c, a, "store_insert", b.buf, p, np, NULL, err);
}

/* Sets the self-referencing columns (parent, successor ...) once every row of t exists. */
static int fix_self_refs(struct ms *m, struct ts_dbconn *c, const struct table *t, struct ts_error *err)
{
	for (int k = 0; k < t->nself; k++) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		struct ts_dbres *r = NULL;
		char *sel = ts_arena_printf(&a, "SELECT \"%s\", \"%s\" FROM \"%s\" WHERE \"%s\" IS NOT NULL", t->pk[0],
					    t->self_cols[k], t->name, t->self_cols[k]);
		char *upd = ts_arena_printf(&a, "UPDATE \"%s\" SET \"%s\" = $1 WHERE \"%s\" = $2", t->name,
					    t->self_cols[k], t->pk[0]);
		int rc = sel && upd ? ts_db_query_text(m->sc, &a, "store_self_refs", sel, NULL, 0, &r, err)
				    : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		for (int i = 0; rc == 0 && r && i < r->nrows; i++) {
			struct ts_dbval p[] = {TS_DB_TEXT(ts_dbres_get(r, i, 1)), TS_DB_TEXT(ts_dbres_get(r, i, 0))};
			rc = ts_db_query_text(c, &a, "store_self_ref_set", upd, p, 2, NULL, err);
		}
		ts_arena_release(&a);
		if (rc)
			return rc;
	}
	return 0;
}

static int copy_table(struct ms *m, struct ts_dbconn *c, const struct table *t, int64_t *rows, struct ts_error *err)
{
	int per_insert = MAX_PARAMS_PER_INSERT / (t->ncols ? t->ncols : 1);
	if (per_insert < 1)
		per_insert = 1;
	int64_t after = 0;
	*rows = 0;
	for (;;) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		struct ts_dbres *r = NULL;
		int rc = source_page(m, &a, t, after, &r, err);
		for (int from = 0; rc == 0 && from < r->nrows; from += per_insert) {
			int to = from + per_insert < r->nrows ? from + per_insert : r->nrows;
			rc = insert_rows(c, &a, t, r, from, to, err);
		}
		int n = rc ? 0 : r->nrows;
		if (n > 0)
			after = ts_dbres_int(r, n - 1, 0);
		ts_arena_release(&a);
		if (rc)
			return rc;
		*rows += n;
		if (n < PAGE_ROWS)
			break;
	}
	return fix_self_refs(m, c, t, err);
}

/* Identity generators continue after the copied ids. */
static int follow_identities(struct ts_dbconn *c, const struct table *t, struct ts_error *err)
{
	for (int k = 0; k < t->nident; k++) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		char *sql = ts_arena_printf(&a,
					    "SELECT setval(pg_get_serial_sequence($1, $2), "
					    "(SELECT coalesce(max(\"%s\"), 0) + 1 FROM \"%s\"), false)",
					    t->ident[k], t->name);
		struct ts_dbval p[] = {TS_DB_TEXT(t->name), TS_DB_TEXT(t->ident[k])};
		int rc = sql ? ts_db_query_text(c, &a, "store_identity_follow", sql, p, 2, NULL, err)
			     : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		ts_arena_release(&a);
		if (rc)
			return rc;
	}
	return 0;
}

static int copy_tx(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct ms *m = ctx;
	int rc = 0;
	m->copied = 0;
	/* the target must be new: every use writes audit rows and accounts; rows that the
	 * migrations seed (audit head, holidays ...) are replaced by the source's */
	for (int i = 0; i < m->nt; i++) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		int64_t n = count_rows(c, &a, m->t[i].name, err, &rc);
		ts_arena_release(&a);
		if (rc)
			return rc;
		if (n > 0 && (!strcmp(m->t[i].name, "audit") || !strcmp(m->t[i].name, "account") ||
			      !strcmp(m->t[i].name, "dossier")))
			return ts_error_set(err, TS_ERR_CONFLICT, NULL,
					    "the target is not empty (table '%s' holds %" PRId64
					    " rows): migrate-store copies into a new database only",
					    m->t[i].name, n);
	}
	for (int i = m->nt - 1; i >= 0; i--) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		char *sql = ts_arena_printf(&a, "DELETE FROM \"%s\"", m->t[i].name);
		rc = sql ? ts_db_query_text(c, &a, "store_clear", sql, NULL, 0, NULL, err)
			 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		ts_arena_release(&a);
		if (rc)
			return rc;
	}
	for (int i = 0; i < m->nt; i++) {
		int64_t rows = 0;
		if ((rc = copy_table(m, c, &m->t[i], &rows, err)) || (rc = follow_identities(c, &m->t[i], err)))
			return rc;
		m->copied += rows;
		fprintf(m->out, "copied %-28s %10" PRId64 " rows\n", m->t[i].name, rows);
	}
	return 0;
}

static int copy_in_snapshot(struct ts_dbconn *sc, void *ctx, struct ts_error *err)
{
	struct ms *m = ctx;
	m->sc = sc;
	int rc = ts_db_tx(m->dst, TS_DB_TX_WRITE, copy_tx, m, err);
	m->sc = NULL;
	return rc;
}

/* ---- compare -------------------------------------------------------------------------- */

/* An order-independent digest of a table: the row count and the lane-wise sum of the
 * SHA-256 of every row (cells length-prefixed, NULL marked). */
struct digest {
	int64_t rows;
	uint64_t lane[4];
};

static void digest_row(struct digest *d, const struct ts_dbres *r, int row, int first_col)
{
	struct ts_sha256 h;
	char hex[65];
	ts_sha256_init(&h);
	for (int col = first_col; col < r->ncols; col++) {
		const char *v = ts_dbres_get(r, row, col);
		char len[24];
		int n = v ? snprintf(len, sizeof(len), "%zu:", strlen(v)) : snprintf(len, sizeof(len), "N;");
		ts_sha256_update(&h, len, (size_t)n);
		if (v)
			ts_sha256_update(&h, v, strlen(v));
	}
	ts_sha256_final(&h, hex, sizeof(hex));
	for (int i = 0; i < 4; i++) {
		char part[17];
		memcpy(part, hex + 16 * i, 16);
		part[16] = '\0';
		d->lane[i] += strtoull(part, NULL, 16);
	}
	d->rows++;
}

struct cmp {
	struct ms *m;
	const struct table *t;
	struct digest d;
};

/* The source table, paged by rowid (column 0 skipped). */
static int digest_source(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct cmp *x = ctx;
	x->m->sc = c;
	memset(&x->d, 0, sizeof(x->d));
	int64_t after = 0;
	for (;;) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		struct ts_dbres *r = NULL;
		int rc = source_page(x->m, &a, x->t, after, &r, err);
		int n = rc ? 0 : r->nrows;
		for (int i = 0; i < n; i++)
			digest_row(&x->d, r, i, 1);
		if (n > 0)
			after = ts_dbres_int(r, n - 1, 0);
		ts_arena_release(&a);
		if (rc)
			return rc;
		if (n < PAGE_ROWS)
			return 0;
	}
}

/* The target table, paged by its key (or by every column when it has none). */
static int digest_target(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct cmp *x = ctx;
	memset(&x->d, 0, sizeof(x->d));
	for (int64_t offset = 0;; offset += PAGE_ROWS) {
		struct ts_arena a;
		ts_arena_init(&a, 0);
		struct ts_sbuf b;
		ts_sbuf_init(&b, &a);
		ts_sbuf_put(&b, "SELECT ", 7);
		put_cols(&b, x->t, "");
		char *from = ts_arena_printf(&a, " FROM \"%s\" ORDER BY ", x->t->name);
		if (from)
			ts_sbuf_put(&b, from, strlen(from));
		if (x->t->npk)
			for (int k = 0; k < x->t->npk; k++) {
				char *s = ts_arena_printf(&a, "%s\"%s\"", k ? ", " : "", x->t->pk[k]);
				if (s)
					ts_sbuf_put(&b, s, strlen(s));
			}
		else
			put_cols(&b, x->t, "");
		char *tail = ts_arena_printf(&a, " LIMIT %d OFFSET $1", PAGE_ROWS);
		int rc;
		struct ts_dbres *r = NULL;
		if (!from || !tail || ts_sbuf_put(&b, tail, strlen(tail)) || b.failed) {
			rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		} else {
			struct ts_dbval p[] = {TS_DB_INT(offset)};
			rc = ts_db_query_text(c, &a, "store_target_page", b.buf, p, 1, &r, err);
		}
		int n = rc ? 0 : r->nrows;
		for (int i = 0; i < n; i++)
			digest_row(&x->d, r, i, 0);
		ts_arena_release(&a);
		if (rc)
			return rc;
		if (n < PAGE_ROWS)
			return 0;
	}
}

int ts_store_compare(struct ts_db *src, struct ts_db *dst, FILE *out, int64_t *differing, struct ts_error *err)
{
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ms m = {.a = &a, .src = src, .dst = dst, .out = out};
	int rc = ts_db_tx(src, TS_DB_TX_READ, load_source, &m, err);
	if (!rc)
		rc = ts_db_tx(dst, TS_DB_TX_READ, load_target, &m, err);
	*differing = 0;
	for (int i = 0; rc == 0 && i < m.nt; i++) {
		struct cmp s = {.m = &m, .t = &m.t[i]}, d = {.m = &m, .t = &m.t[i]};
		if ((rc = ts_db_tx(src, TS_DB_TX_READ, digest_source, &s, err)) ||
		    (rc = ts_db_tx(dst, TS_DB_TX_READ, digest_target, &d, err)))
			break;
		bool same = s.d.rows == d.d.rows && !memcmp(s.d.lane, d.d.lane, sizeof(s.d.lane));
		if (!same)
			(*differing)++;
		fprintf(out, "compare %-28s %10" PRId64 " / %10" PRId64 " rows  %s\n", m.t[i].name, s.d.rows, d.d.rows,
			same ? "same" : "DIFFERENT");
	}
	bool ok = false;
	int64_t bad = 0, rows = 0;
	if (!rc)
		rc = ts_audit_verify(dst, &ok, &bad, &rows, err);
	if (!rc) {
		if (ok) {
			fprintf(out, "audit chain of the target ok: %" PRId64 " rows verified\n", rows);
		} else {
			fprintf(out, "audit chain of the target BROKEN at seq %" PRId64 "\n", bad);
			(*differing)++;
		}
	}
	ts_arena_release(&a);
	return rc;
}

int ts_store_copy(struct ts_db *src, struct ts_db *dst, FILE *out, int64_t *rows, struct ts_error *err)
{
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ms m = {.a = &a, .src = src, .dst = dst, .out = out};
	int rc = ts_db_tx(src, TS_DB_TX_READ, load_source, &m, err);
	if (!rc)
		rc = ts_db_tx(dst, TS_DB_TX_READ, load_target, &m, err);
	if (!rc)
		rc = order_tables(&m, err);
	if (!rc)
		rc = ts_db_tx(src, TS_DB_TX_READ, copy_in_snapshot, &m, err);
	*rows = m.copied;
	if (!rc)
		ts_log(TS_LOG_INFO, "store copied", "tables", m.nt > 0 ? "all" : "none", NULL);
	ts_arena_release(&a);
	return rc;
}
