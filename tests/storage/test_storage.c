/* test_storage.c - storage tests run unchanged on both engines: test_storage URL, where URL
 * is "sqlite:PATH" (the file is recreated) or a PostgreSQL url of a fresh database. They
 * drive the public db.h API against the real engines: migrations, parameters, errors,
 * rollback, busy retries, concurrency. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h> /* only for the PostgreSQL connection-kill test */

#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "db/db.h"

static const char *g_url;
static struct ts_db *g_db;
static int g_applied = -1;

/* ---- helpers ----------------------------------------------------------------------- */

typedef int (*query_check_fn)(struct ts_dbres *r, void *ctx);

struct q1 {
	const char *name;
	const struct ts_dbval *params;
	int nparams;
	struct ts_dbres *res; /* copied out: only counts and first cells are used */
	struct ts_arena *arena;
};

static int q1_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct q1 *q = ctx;
	return ts_db_query(c, q->arena, q->name, q->params, q->nparams, &q->res, err);
}

/* Runs one named query in its own transaction; the result lives in arena a. */
static int run1(struct ts_db *db, int flags, struct ts_arena *a, const char *name,
		const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		struct ts_error *err)
{
	struct q1 q = {name, params, nparams, NULL, a};
	int rc = ts_db_tx(db, flags, q1_fn, &q, err);
	if (out)
		*out = rc ? NULL : q.res;
	return rc;
}

/* Current value of sequence name, or -1 when it has no row. */
static int64_t seq_value(struct ts_db *db, const char *name)
{
	struct ts_arena a;
	struct ts_dbres *r;
	struct ts_error err = {0};
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_TEXT(name)};
	int rc = run1(db, TS_DB_TX_READ, &a, "seq_get", p, 1, &r, &err);
	assert_int_equal(rc, 0);
	int64_t v = r->nrows ? ts_dbres_int(r, 0, 0) : -1;
	ts_arena_release(&a);
	return v;
}

static int64_t seq_next(struct ts_dbconn *c, const char *name, struct ts_error *err, int *rc)
{
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_TEXT(name)};
	*rc = ts_db_query(c, &a, "seq_next", p, 1, &r, err);
	int64_t v = *rc ? -1 : ts_dbres_int(r, 0, 0);
	ts_arena_release(&a);
	return v;
}

static bool is_sqlite(void)
{
	return strncmp(g_url, "sqlite:", 7) == 0;
}

static struct ts_db *open_db(int pool, int busy_ms, int retries)
{
	struct ts_db_options o = {.pool_size = pool, .busy_timeout_ms = busy_ms, .max_retries = retries};
	struct ts_db *db = NULL;
	struct ts_error err = {0};
	int rc = ts_db_open(g_url, &o, &db, &err);
	if (rc)
		fprintf(stderr, "open failed: %s %s\n", ts_err_code(rc), err.detail);
	assert_int_equal(rc, 0);
	return db;
}

/* ---- migrations ---------------------------------------------------------------------- */

static void test_migrations_apply_once_and_are_recorded(void **state)
{
	(void)state;
	int current = -1, latest = -1, applied = -1;
	struct ts_error err = {0};
	assert_int_equal(ts_db_schema_version(g_db, &current, &latest, &err), 0);
	assert_true(latest >= 1);
	assert_int_equal(g_applied, latest); /* fresh store: all of them, in setup */
	assert_int_equal(current, latest);
	assert_int_equal(ts_db_migrate(g_db, &applied, &err), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(ts_db_schema_version(g_db, &current, NULL, &err), 0);
	assert_int_equal(current, latest);

	/* each one is recorded under its number */
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	for (int n = 1; n <= latest; n++) {
		struct ts_dbval p[] = {TS_DB_INT(n)};
		assert_int_equal(
		    run1(g_db, TS_DB_TX_READ, &a, "db_migration_applied", p, 1, &r, &err), 0);
		assert_int_equal(r->nrows, 1);
		assert_int_equal(ts_dbres_int(r, 0, 0), n);
	}
	struct ts_dbval p[] = {TS_DB_INT(latest + 1)};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "db_migration_applied", p, 1, &r, &err), 0);
	assert_int_equal(r->nrows, 0);
	ts_arena_release(&a);

	/* a second handle on the same store sees the same version */
	struct ts_db *db2 = open_db(1, 5000, 0);
	assert_int_equal(ts_db_migrate(db2, &applied, &err), 0);
	assert_int_equal(applied, 0);
	ts_db_close(db2);
}

/* ---- parameters and results ---------------------------------------------------------- */

static const char *const VI_ROUTE = "POST /hồ-sơ/nộp-trực-tuyến";
static const char *const VI_RESPONSE =
    "{\"thông_báo\":\"Hồ sơ đã được tiếp nhận — Sở Tư pháp tỉnh Điện Biên\","
    "\"ký_tự\":\"'\\\" \\\\ ; -- $1 ?? \\u0001 😀\"}";

struct idem_ctx {
	const char *actor, *key, *route, *hash, *response;
	bool null_status;
	int64_t status, created;
	int64_t changes;
};

static int idem_put_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct idem_ctx *x = ctx;
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_TEXT(x->actor),
			       TS_DB_TEXT(x->key),
			       TS_DB_TEXT(x->route),
			       TS_DB_TEXT(x->hash),
			       x->null_status ? TS_DB_NULL : TS_DB_INT(x->status),
			       TS_DB_TEXT(x->response),
			       TS_DB_INT(x->created)};
	int rc = ts_db_query(c, &a, "idem_put", p, 7, &r, err);
	if (rc == 0)
		x->changes = r->changes;
	ts_arena_release(&a);
	return rc;
}

static void test_params_round_trip_null_int_and_vietnamese_text(void **state)
{
	(void)state;
	struct ts_error err = {0};
	struct idem_ctx x = {"công-dân:001", "khóa-1", VI_ROUTE, "sha256:ab", NULL, true, 0,
			     4102444800LL,   0};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_WRITE, idem_put_fn, &x, &err), 0);
	assert_int_equal(x.changes, 1);

	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval key[] = {TS_DB_TEXT("công-dân:001"), TS_DB_TEXT("khóa-1")};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", key, 2, &r, &err), 0);
	assert_int_equal(r->nrows, 1);
	assert_int_equal(r->ncols, 5);
	assert_int_equal(r->changes, 0);
	int route = ts_dbres_col(r, "route"), status = ts_dbres_col(r, "status");
	int response = ts_dbres_col(r, "response"), created = ts_dbres_col(r, "created_at");
	assert_int_equal(route, 0);
	assert_int_equal(ts_dbres_col(r, "request_hash"), 1);
	assert_int_equal(status, 2);
	assert_int_equal(response, 3);
	assert_int_equal(created, 4);
	assert_int_equal(ts_dbres_col(r, "nope"), -1);
	assert_string_equal(ts_dbres_get(r, 0, route), VI_ROUTE);
	assert_true(ts_dbres_isnull(r, 0, status));
	assert_null(ts_dbres_get(r, 0, status));
	assert_int_equal(ts_dbres_int(r, 0, status), 0);
	assert_true(ts_dbres_isnull(r, 0, response));
	assert_string_equal(ts_dbres_get(r, 0, created), "4102444800");
	assert_int_equal(ts_dbres_int(r, 0, created), 4102444800LL);
	assert_false(ts_dbres_isnull(r, 0, route));
	/* out of range */
	assert_null(ts_dbres_get(r, 1, 0));
	assert_null(ts_dbres_get(r, 0, 5));
	assert_null(ts_dbres_get(r, -1, 0));
	assert_false(ts_dbres_isnull(r, 1, 0));
	assert_int_equal(ts_dbres_int(r, 0, -1), 0);

	/* fill in the answer; the UPDATE only matches while status is NULL */
	for (int round = 0; round < 2; round++) {
		struct ts_dbval p[] = {TS_DB_TEXT("công-dân:001"), TS_DB_TEXT("khóa-1"),
				       TS_DB_INT(201), TS_DB_TEXT(VI_RESPONSE)};
		assert_int_equal(run1(g_db, TS_DB_TX_WRITE, &a, "idem_complete", p, 4, &r, &err),
				 0);
		assert_int_equal(r->changes, round == 0 ? 1 : 0);
		assert_int_equal(r->nrows, 0);
	}
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", key, 2, &r, &err), 0);
	assert_string_equal(ts_dbres_get(r, 0, status), "201");
	assert_int_equal(ts_dbres_int(r, 0, status), 201);
	assert_string_equal(ts_dbres_get(r, 0, response), VI_RESPONSE);

	/* 64-bit extremes */
	int64_t ext[] = {INT64_MAX, INT64_MIN, -1, 0};
	for (int i = 0; i < 4; i++) {
		char k[32];
		snprintf(k, sizeof(k), "extreme-%d", i);
		struct idem_ctx y = {"công-dân:001", k, "r", "h", "", false, -7, ext[i], 0};
		assert_int_equal(ts_db_tx(g_db, TS_DB_TX_WRITE, idem_put_fn, &y, &err), 0);
		struct ts_dbval kk[] = {TS_DB_TEXT("công-dân:001"), TS_DB_TEXT(k)};
		assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", kk, 2, &r, &err), 0);
		assert_int_equal(ts_dbres_int(r, 0, created), ext[i]);
		assert_int_equal(ts_dbres_int(r, 0, status), -7);
		/* empty text is not NULL */
		assert_false(ts_dbres_isnull(r, 0, response));
		assert_string_equal(ts_dbres_get(r, 0, response), "");
	}
	ts_arena_release(&a);
	assert_int_equal(err.code, 0);
}

static void test_changes_count_rows_written_not_rows_read(void **state)
{
	(void)state;
	struct ts_error err = {0};
	for (int i = 0; i < 5; i++) {
		char k[32];
		snprintf(k, sizeof(k), "purge-%d", i);
		struct idem_ctx x = {"purge-actor", k, "r", "h", NULL, true, 0, -1000 + i, 0};
		assert_int_equal(ts_db_tx(g_db, TS_DB_TX_WRITE, idem_put_fn, &x, &err), 0);
	}
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_INT(-997)};
	assert_int_equal(run1(g_db, TS_DB_TX_WRITE, &a, "idem_purge", p, 1, &r, &err), 0);
	assert_int_equal(r->changes, 4); /* -1000, -999, -998 and INT64_MIN from the test before */
	assert_int_equal(run1(g_db, TS_DB_TX_WRITE, &a, "idem_purge", p, 1, &r, &err), 0);
	assert_int_equal(r->changes, 0);
	struct ts_dbval k[] = {TS_DB_TEXT("purge-actor"), TS_DB_TEXT("purge-4")};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", k, 2, &r, &err), 0);
	assert_int_equal(r->nrows, 1);
	assert_int_equal(r->changes, 0); /* a SELECT changes nothing */
	struct ts_dbval k3[] = {TS_DB_TEXT("purge-actor"), TS_DB_TEXT("purge-2")};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", k3, 2, &r, &err), 0);
	assert_int_equal(r->nrows, 0);
	ts_arena_release(&a);
}

/* The bounded purge (src/dossier/idem.c): at most $2 keys older than $1 per statement,
 * oldest first, on both engines. Runs after the test above left no key older than -997. */
static void test_idem_purge_batch_is_bounded_and_oldest_first(void **state)
{
	(void)state;
	struct ts_error err = {0};
	for (int i = 0; i < 5; i++) {
		char k[32];
		snprintf(k, sizeof(k), "batch-%d", i);
		struct idem_ctx x = {"batch-actor", k, "r", "h", NULL, true, 0, -2000 + i, 0};
		assert_int_equal(ts_db_tx(g_db, TS_DB_TX_WRITE, idem_put_fn, &x, &err), 0);
	}
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_INT(-1997), TS_DB_INT(2)};
	static const int64_t want[] = {2, 1, 0};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run1(g_db, TS_DB_TX_WRITE, &a, "idem_purge_batch", p, 2, &r, &err), 0);
		assert_int_equal(r->changes, want[i]);
	}
	for (int i = 0; i < 5; i++) {
		char k[32];
		snprintf(k, sizeof(k), "batch-%d", i);
		struct ts_dbval kk[] = {TS_DB_TEXT("batch-actor"), TS_DB_TEXT(k)};
		assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", kk, 2, &r, &err), 0);
		assert_int_equal(r->nrows, i >= 3); /* -1997 and -1996 are not older than -1997 */
	}
	ts_arena_release(&a);
}

struct many_ctx {
	int n;
};

static int many_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct many_ctx *x = ctx;
	for (int i = 0; i < x->n; i++) {
		char name[32];
		int rc;
		snprintf(name, sizeof(name), "many/%05d", i);
		if (seq_next(c, name, err, &rc) != 1)
			return rc ? rc : ts_error_set(err, TS_ERR_INTERNAL, NULL, "seq_next != 1");
	}
	return 0;
}

static void test_results_with_many_rows(void **state)
{
	(void)state;
	struct ts_error err = {0};
	struct many_ctx x = {2500};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_WRITE, many_fn, &x, &err), 0);
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_TEXT("many/"), TS_DB_TEXT("many0")};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "seq_list", p, 2, &r, &err), 0);
	assert_int_equal(r->nrows, 2500);
	assert_int_equal(r->ncols, 2);
	assert_int_equal(ts_dbres_col(r, "name"), 0);
	assert_int_equal(ts_dbres_col(r, "value"), 1);
	for (int i = 0; i < 2500; i++) {
		char name[32];
		snprintf(name, sizeof(name), "many/%05d", i);
		assert_string_equal(ts_dbres_get(r, i, 0), name);
		assert_string_equal(ts_dbres_get(r, i, 1), "1");
	}
	assert_null(ts_dbres_get(r, 2500, 0));
	ts_arena_release(&a);
}

/* ts_db_query_ints: integer rows streamed to a callback (SQLite straight from the statement,
 * PostgreSQL parsed from the materialised result). */
struct ints_seen {
	int rows, ncols, stop_with;
	int64_t first;
};

static int ints_row(void *v, const int64_t *vals, int ncols)
{
	struct ints_seen *s = v;
	if (s->rows++ == 0)
		s->first = vals[0];
	s->ncols = ncols;
	return s->stop_with;
}

struct ints_ctx {
	const char *name;
	struct ts_dbval p[1];
	int np;
	struct ints_seen seen;
};

static int ints_fn(struct ts_dbconn *c, void *v, struct ts_error *err)
{
	struct ints_ctx *x = v;
	return ts_db_query_ints(c, x->name, x->p, x->np, ints_row, &x->seen, err);
}

static void test_integer_rows_are_streamed(void **state)
{
	(void)state;
	struct ts_error err = {0};
	struct ints_ctx ping = {.name = "db_ping"};
	struct ints_ctx one = {.name = "db_migration_applied", .p = {TS_DB_INT(3)}, .np = 1};
	struct ints_ctx none = {.name = "db_migration_applied", .p = {TS_DB_INT(999999)}, .np = 1};
	struct ints_ctx stop = {.name = "db_ping", .seen = {.stop_with = 42}};
	struct ints_ctx unknown = {.name = "no_such_query"};
	struct ints_ctx missing = {.name = "db_migration_applied"};

	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, ints_fn, &ping, &err), 0);
	assert_int_equal(ping.seen.rows, 1);
	assert_int_equal(ping.seen.ncols, 1);
	assert_int_equal(ping.seen.first, 1);
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, ints_fn, &one, &err), 0);
	assert_int_equal(one.seen.rows, 1);
	assert_int_equal(one.seen.first, 3);
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, ints_fn, &none, &err), 0);
	assert_int_equal(none.seen.rows, 0);
	/* the callback's code stops the scan and comes back as it is */
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, ints_fn, &stop, &err), 42);
	assert_int_equal(stop.seen.rows, 1);
	err = (struct ts_error){0};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, ints_fn, &unknown, &err), TS_ERR_INTERNAL);
	err = (struct ts_error){0};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, ints_fn, &missing, &err), TS_ERR_INTERNAL);
	assert_int_equal(unknown.seen.rows + missing.seen.rows, 0);
}

/* ---- errors and rollback ------------------------------------------------------------- */

static int conflict_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	int *seen = ctx;
	int rc;
	seq_next(c, "conflict-marker", err, &rc);
	if (rc)
		return rc;
	struct idem_ctx x = {"công-dân:001", "khóa-1", "khác", "khác", NULL, true, 0, 1, 0};
	rc = idem_put_fn(c, &x, err);
	*seen = rc;
	return rc;
}

static void test_unique_violation_is_conflict_and_writes_nothing(void **state)
{
	(void)state;
	struct ts_error err = {0};
	uint64_t errors = ts_db_error_count(g_db);
	int seen = 0;
	/* the log line must name the query, never a parameter value */
	char path[] = "/tmp/ts_storage_log_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	ts_log_set_level(TS_LOG_DEBUG);
	int rc = ts_db_tx(g_db, TS_DB_TX_WRITE, conflict_fn, &seen, &err);
	ts_log_set_level(TS_LOG_WARN);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char log[4096] = {0};
	ssize_t n = pread(fd, log, sizeof(log) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	assert_non_null(strstr(log, "idem_put"));
	assert_null(strstr(log, "khóa-1"));
	assert_null(strstr(log, "công-dân"));

	assert_int_equal(seen, TS_ERR_CONFLICT);
	assert_int_equal(rc, TS_ERR_CONFLICT);
	assert_int_equal(err.code, TS_ERR_CONFLICT);
	assert_true(err.detail[0] != '\0');
	assert_int_equal(seq_value(g_db, "conflict-marker"), -1);
	assert_int_equal(ts_db_error_count(g_db), errors); /* a conflict is not a DB failure */

	/* the first answer is untouched */
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval key[] = {TS_DB_TEXT("công-dân:001"), TS_DB_TEXT("khóa-1")};
	struct ts_error e2 = {0};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", key, 2, &r, &e2), 0);
	assert_string_equal(ts_dbres_get(r, 0, 0), VI_ROUTE);
	ts_arena_release(&a);
}

static int fail_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	(void)ctx;
	int rc;
	for (int i = 0; i < 3; i++)
		if (seq_next(c, "rollback-seq", err, &rc) != i + 1)
			return rc ? rc : ts_error_set(err, TS_ERR_INTERNAL, NULL, "bad value");
	struct idem_ctx x = {"rollback-actor", "k", "r", "h", NULL, true, 0, 1, 0};
	if ((rc = idem_put_fn(c, &x, err)) != 0)
		return rc;
	return ts_error_set(err, TS_ERR_VALIDATION, "ten", "Tên không hợp lệ");
}

static void test_failing_fn_rolls_back_everything(void **state)
{
	(void)state;
	struct ts_error err = {0};
	int rc = ts_db_tx(g_db, TS_DB_TX_WRITE, fail_fn, NULL, &err);
	assert_int_equal(rc, TS_ERR_VALIDATION);
	assert_int_equal(err.code, TS_ERR_VALIDATION);
	assert_string_equal(err.field, "ten");
	assert_string_equal(err.detail, "Tên không hợp lệ");
	assert_int_equal(seq_value(g_db, "rollback-seq"), -1);
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	struct ts_dbval key[] = {TS_DB_TEXT("rollback-actor"), TS_DB_TEXT("k")};
	assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", key, 2, &r, &err), 0);
	assert_int_equal(r->nrows, 0);
	ts_arena_release(&a);
	/* and the connection is usable again */
	struct ts_error e2 = {0};
	assert_int_equal(ts_db_ping(g_db, &e2), 0);
}

static int nop_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	(void)c;
	(void)ctx;
	(void)err;
	return 0;
}

static int unknown_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	int *rcs = ctx;
	struct ts_arena a;
	struct ts_dbres *r = (struct ts_dbres *)&a; /* must be reset to NULL */
	ts_arena_init(&a, 0);
	rcs[0] = ts_db_query(c, &a, "no_such_query", NULL, 0, &r, err);
	rcs[1] = r == NULL;
	struct ts_error e2 = {0};
	rcs[2] = ts_db_query(c, &a, "seq_get", NULL, 0, NULL, &e2); /* takes $1 */
	struct ts_dbval two[] = {TS_DB_TEXT("a"), TS_DB_TEXT("b")};
	struct ts_error e3 = {0};
	rcs[3] = ts_db_query(c, &a, "seq_get", two, 2, NULL, &e3);
	struct ts_error e4 = {0};
	rcs[4] = ts_db_tx(g_db, TS_DB_TX_READ, nop_fn, NULL, &e4); /* nested */
	ts_arena_release(&a);
	return 0;
}

static void test_unknown_query_and_misuse_are_internal(void **state)
{
	(void)state;
	struct ts_error err = {0};
	int rcs[5] = {0};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, unknown_fn, rcs, &err), 0);
	assert_int_equal(rcs[0], TS_ERR_INTERNAL);
	assert_true(rcs[1]);
	assert_int_equal(rcs[2], TS_ERR_INTERNAL);
	assert_int_equal(rcs[3], TS_ERR_INTERNAL);
	assert_int_equal(rcs[4], TS_ERR_INTERNAL);
}

static int write_in_read_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	(void)ctx;
	int rc;
	seq_next(c, "read-only", err, &rc);
	return rc;
}

static void test_read_transaction_cannot_write(void **state)
{
	(void)state;
	struct ts_error err = {0};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_READ, write_in_read_fn, NULL, &err), TS_ERR_DB);
	assert_int_equal(err.code, TS_ERR_DB);
	assert_int_equal(seq_value(g_db, "read-only"), -1);
}

/* ---- busy and retries ---------------------------------------------------------------- */

struct busy_ctx {
	int calls, fail_first;
	const char *seq;
};

static int busy_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct busy_ctx *x = ctx;
	int rc;
	x->calls++;
	char key[32];
	snprintf(key, sizeof(key), "%s-%d", x->seq, x->calls);
	struct idem_ctx y = {"retry-actor", key, "r", "h", NULL, true, 0, 1, 0};
	if ((rc = idem_put_fn(c, &y, err)) != 0)
		return rc;
	if (seq_next(c, x->seq, err, &rc) != 1)
		return rc ? rc
			  : ts_error_set(err, TS_ERR_INTERNAL, NULL, "rolled back attempt kept");
	if (x->calls <= x->fail_first)
		return ts_error_set(err, TS_ERR_DB_BUSY, NULL, "bận (lần %d)", x->calls);
	return 0;
}

static void test_busy_from_fn_is_retried_until_success(void **state)
{
	(void)state;
	struct ts_error err = {0};
	uint64_t retries = ts_db_retry_count(g_db), errors = ts_db_error_count(g_db);
	struct busy_ctx x = {0, 3, "retry-seq"};
	assert_int_equal(ts_db_tx(g_db, TS_DB_TX_WRITE, busy_fn, &x, &err), 0);
	assert_int_equal(err.code, 0); /* the retried failures leave no trace */
	assert_int_equal(x.calls, 4);
	assert_int_equal(ts_db_retry_count(g_db) - retries, 3);
	assert_int_equal(ts_db_error_count(g_db), errors);
	assert_int_equal(seq_value(g_db, "retry-seq"), 1);
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	for (int i = 1; i <= 4; i++) {
		char key[32];
		snprintf(key, sizeof(key), "retry-seq-%d", i);
		struct ts_dbval k[] = {TS_DB_TEXT("retry-actor"), TS_DB_TEXT(key)};
		assert_int_equal(run1(g_db, TS_DB_TX_READ, &a, "idem_get", k, 2, &r, &err), 0);
		assert_int_equal(r->nrows, i == 4 ? 1 : 0);
	}
	ts_arena_release(&a);
}

static void test_busy_retries_are_bounded(void **state)
{
	(void)state;
	struct ts_db *db = open_db(1, 100, 2);
	struct ts_error err = {0};
	uint64_t errors = ts_db_error_count(db);
	struct busy_ctx x = {0, 1000, "bounded-seq"};
	assert_int_equal(ts_db_tx(db, TS_DB_TX_WRITE, busy_fn, &x, &err), TS_ERR_DB_BUSY);
	assert_int_equal(x.calls, 3); /* first try + max_retries */
	assert_int_equal(err.code, TS_ERR_DB_BUSY);
	assert_string_equal(err.detail, "bận (lần 3)");
	assert_int_equal(ts_db_retry_count(db), 2);
	assert_int_equal(ts_db_error_count(db), errors + 1);
	ts_db_close(db);
	assert_int_equal(seq_value(g_db, "bounded-seq"), -1);
}

/* Holds the write lock (SQLite) / the row lock (PostgreSQL) on "lock-row" until told. */
struct holder {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool holding, release;
	int rc;
	int64_t value;
};

static int hold_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct holder *h = ctx;
	int rc;
	h->value = seq_next(c, "lock-row", err, &rc);
	if (rc)
		return rc;
	pthread_mutex_lock(&h->mu);
	h->holding = true;
	pthread_cond_broadcast(&h->cv);
	while (!h->release)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	return 0;
}

static void *holder_main(void *arg)
{
	struct holder *h = arg;
	struct ts_error err = {0};
	h->rc = ts_db_tx(g_db, TS_DB_TX_WRITE, hold_fn, h, &err);
	return NULL;
}

struct waiter {
	struct ts_db *db;
	int rc, calls;
	int64_t value;
};

static int wait_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct waiter *w = ctx;
	int rc;
	w->calls++;
	w->value = seq_next(c, "lock-row", err, &rc);
	return rc;
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct ts_error err = {0};
	w->rc = ts_db_tx(w->db, TS_DB_TX_WRITE, wait_fn, w, &err);
	return NULL;
}

static void test_lock_held_by_another_connection_is_retried(void **state)
{
	(void)state;
	struct ts_error err = {0};
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_TEXT("lock-row")};
	assert_int_equal(run1(g_db, TS_DB_TX_WRITE, &a, "seq_next", p, 1, NULL, &err), 0);
	ts_arena_release(&a);

	/* a second store handle with a short lock wait and plenty of retries */
	struct waiter w = {open_db(1, 20, 1000), -1, 0, 0};
	struct holder h = {.rc = -1};
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	pthread_t ht, wt;
	assert_int_equal(pthread_create(&ht, NULL, holder_main, &h), 0);
	pthread_mutex_lock(&h.mu);
	while (!h.holding)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);

	assert_int_equal(pthread_create(&wt, NULL, waiter_main, &w), 0);
	/* wait (bounded) until the waiter has been turned away at least once */
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ts_db_retry_count(w.db) < 1) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 20)
			break;
		sched_yield();
	}
	uint64_t seen = ts_db_retry_count(w.db);
	pthread_mutex_lock(&h.mu);
	h.release = true;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	pthread_join(ht, NULL);
	pthread_join(wt, NULL);
	assert_true(seen >= 1);
	assert_int_equal(h.rc, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(h.value, 2);
	assert_int_equal(w.value, 3);
	assert_int_equal(seq_value(g_db, "lock-row"), 3);
	ts_db_close(w.db);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
}

/* ---- concurrency --------------------------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 200

struct inc_ctx {
	int64_t values[PER_THREAD];
	int rc;
};

static int inc_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	int64_t *out = ctx;
	int rc;
	*out = seq_next(c, "concurrent", err, &rc);
	return rc;
}

static void *inc_main(void *arg)
{
	struct inc_ctx *x = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		struct ts_error err = {0};
		x->rc = ts_db_tx(g_db, TS_DB_TX_WRITE, inc_fn, &x->values[i], &err);
		if (x->rc)
			break;
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_concurrent_seq_next_never_repeats(void **state)
{
	(void)state;
	static struct inc_ctx ctx[THREADS];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, inc_main, &ctx[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	static int64_t all[THREADS * PER_THREAD];
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(ctx[i].rc, 0);
		memcpy(all + i * PER_THREAD, ctx[i].values, sizeof(ctx[i].values));
	}
	qsort(all, THREADS * PER_THREAD, sizeof(all[0]), cmp_i64);
	for (int i = 0; i < THREADS * PER_THREAD; i++)
		assert_int_equal(all[i], i + 1);
	assert_int_equal(seq_value(g_db, "concurrent"), THREADS * PER_THREAD);
}

/* ---- store level --------------------------------------------------------------------- */

static void test_ping_engine_and_bad_urls(void **state)
{
	(void)state;
	struct ts_error err = {0};
	assert_int_equal(ts_db_ping(g_db, &err), 0);
	assert_int_equal(ts_db_engine_of(g_db), is_sqlite() ? TS_DB_SQLITE : TS_DB_PGSQL);

	struct ts_db *db = (struct ts_db *)&err;
	assert_int_equal(ts_db_open("mysql://x", NULL, &db, &err), TS_ERR_CONFIG);
	assert_null(db);
	assert_int_equal(err.code, TS_ERR_CONFIG);
	ts_error_clear(&err);
	assert_int_equal(ts_db_open("sqlite:", NULL, &db, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	struct ts_db_options bad = {.pool_size = 0, .busy_timeout_ms = 10, .max_retries = 1};
	assert_int_equal(ts_db_open(g_url, &bad, &db, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	assert_int_equal(ts_db_open("sqlite:/nonexistent-dir-tinhso/x.db", NULL, &db, &err),
			 TS_ERR_UNAVAILABLE);
	assert_null(db);
	ts_error_clear(&err);
	assert_int_equal(
	    ts_db_open("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", NULL, &db, &err),
	    TS_ERR_UNAVAILABLE);
	assert_null(db);
	ts_db_close(NULL);

	/* defaults when opt is NULL */
	ts_error_clear(&err);
	assert_int_equal(ts_db_open(g_url, NULL, &db, &err), 0);
	assert_int_equal(ts_db_ping(db, &err), 0);
	ts_db_close(db);
}

static void test_fault_injection_fails_queries(void **state)
{
	(void)state;
#ifdef TS_FAULT_INJECTION
	struct ts_error err = {0};
	uint64_t errors = ts_db_error_count(g_db);
	ts_db_fail_queries_after(0);
	int rc = ts_db_ping(g_db, &err);
	ts_db_fail_queries_after(-1);
	assert_int_equal(rc, TS_ERR_DB);
	assert_int_equal(err.code, TS_ERR_DB);
	assert_int_equal(ts_db_error_count(g_db), errors + 1);
	ts_error_clear(&err);
	assert_int_equal(ts_db_ping(g_db, &err), 0);
#else
	skip();
#endif
}

/* PostgreSQL only: every pooled connection is killed by the server; the pool must
 * reconnect transparently (as after a server restart). */
static void test_pg_killed_connections_are_reset(void **state)
{
	(void)state;
	if (is_sqlite()) {
		skip();
		return;
	}
	struct ts_error err = {0};
	/* make sure the pool's connections are all established and used */
	for (int i = 0; i < 8; i++)
		assert_int_equal(ts_db_ping(g_db, &err), 0);
	PGconn *k = PQconnectdb(g_url);
	assert_int_equal(PQstatus(k), CONNECTION_OK);
	PGresult *r = PQexec(k, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
				"WHERE datname = current_database() AND pid <> pg_backend_pid() "
				"AND application_name = 'tinhso'");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	long killed = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(k);
	assert_true(killed >= 1);
	for (int i = 0; i < 8; i++) {
		ts_error_clear(&err);
		int rc = ts_db_ping(g_db, &err);
		if (rc)
			fprintf(stderr, "ping %d: %s %s\n", i, ts_err_code(rc), err.detail);
		assert_int_equal(rc, 0);
	}
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ts_dbval p[] = {TS_DB_TEXT("after-reset")};
	assert_int_equal(run1(g_db, TS_DB_TX_WRITE, &a, "seq_next", p, 1, NULL, &err), 0);
	ts_arena_release(&a);
	assert_int_equal(seq_value(g_db, "after-reset"), 1);
}

/* ---- main ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	struct ts_error err = {0};
	struct ts_db_options o = {.pool_size = 4, .busy_timeout_ms = 5000, .max_retries = 8};
	int rc = ts_db_open(g_url, &o, &g_db, &err);
	if (rc) {
		fprintf(stderr, "cannot open %s: %s %s\n", g_url, ts_err_code(rc), err.detail);
		return -1;
	}
	rc = ts_db_migrate(g_db, &g_applied, &err);
	if (rc) {
		fprintf(stderr, "migrate failed: %s %s\n", ts_err_code(rc), err.detail);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ts_db_close(g_db);
	g_db = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s sqlite:PATH | postgresql://...\n", argv[0]);
		return 2;
	}
	g_url = argv[1];
	ts_log_set_level(TS_LOG_WARN);
	if (is_sqlite()) {
		/* a fresh file every run */
		const char *path = g_url + 7;
		char buf[4096];
		unlink(path);
		snprintf(buf, sizeof(buf), "%s-wal", path);
		unlink(buf);
		snprintf(buf, sizeof(buf), "%s-shm", path);
		unlink(buf);
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrations_apply_once_and_are_recorded),
	    cmocka_unit_test(test_params_round_trip_null_int_and_vietnamese_text),
	    cmocka_unit_test(test_changes_count_rows_written_not_rows_read),
	    cmocka_unit_test(test_idem_purge_batch_is_bounded_and_oldest_first),
	    cmocka_unit_test(test_results_with_many_rows),
	    cmocka_unit_test(test_integer_rows_are_streamed),
	    cmocka_unit_test(test_unique_violation_is_conflict_and_writes_nothing),
	    cmocka_unit_test(test_failing_fn_rolls_back_everything),
	    cmocka_unit_test(test_unknown_query_and_misuse_are_internal),
	    cmocka_unit_test(test_read_transaction_cannot_write),
	    cmocka_unit_test(test_busy_from_fn_is_retried_until_success),
	    cmocka_unit_test(test_busy_retries_are_bounded),
	    cmocka_unit_test(test_lock_held_by_another_connection_is_retried),
	    cmocka_unit_test(test_concurrent_seq_next_never_repeats),
	    cmocka_unit_test(test_ping_engine_and_bad_urls),
	    cmocka_unit_test(test_fault_injection_fails_queries),
	    cmocka_unit_test(test_pg_killed_connections_are_reset),
	};
	return cmocka_run_group_tests_name(is_sqlite() ? "storage_sqlite" : "storage_pgsql", tests,
					   group_setup, group_teardown);
}
