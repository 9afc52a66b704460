/* db.c - the engine-neutral half of db.h: opening a store by url, ts_db_tx with bounded
 * retry and backoff on TS_ERR_DB_BUSY, named-query lookup, result building and helpers,
 * error reporting and counters. Engines (sqlite.c, pgsql.c) plug in through db_int.h. */
#include "db/db_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cache.h"
#include "base/fault.h"
#include "base/log.h"
#include "base/mem.h"

#define DEFAULT_POOL_SIZE 4
#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define DEFAULT_MAX_RETRIES 8
#define MAX_POOL_SIZE 256
#define BACKOFF_MIN_US 1000
#define BACKOFF_MAX_US 50000

/* The store whose transaction this thread is running, to refuse nesting (which would
 * deadlock on the SQLite writer or silently use a second connection on PostgreSQL). */
static _Thread_local const struct ts_db *tl_active_db;

static atomic_long fault_countdown = -1;

void ts_db_fail_queries_after(long n)
{
	atomic_store(&fault_countdown, n);
}

bool ts_db_fault_hit(void)
{
#ifdef TS_FAULT_INJECTION
	long v = atomic_load(&fault_countdown);
	while (v >= 0) {
		if (v == 0)
			return true;
		if (atomic_compare_exchange_weak(&fault_countdown, &v, v - 1))
			return false;
	}
#endif
	return false;
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int ts_db_open(const char *url, const struct ts_db_options *opt, struct ts_db **out,
	       struct ts_error *err)
{
	struct ts_db *db = NULL;
	int rc;
	if (out)
		*out = NULL;
	if (!url || !out)
		return ts_error_set(err, TS_ERR_CONFIG, "database", "Thiếu địa chỉ cơ sở dữ liệu");
	struct ts_db_options o = {DEFAULT_POOL_SIZE, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_MAX_RETRIES, false, 0, NULL};
	if (opt)
		o = *opt;
	if (o.pool_size < 1 || o.pool_size > MAX_POOL_SIZE || o.busy_timeout_ms < 0 ||
	    o.max_retries < 0 || o.connect_wait_s < 0)
		return ts_error_set(err, TS_ERR_CONFIG, "database",
				    "Tham số kết nối cơ sở dữ liệu không hợp lệ (số kết nối 1..%d, "
				    "thời gian chờ và số lần thử lại không âm)",
				    MAX_POOL_SIZE);

	const struct db_ops *ops;
	const char *target;
	enum ts_db_engine engine;
	if (has_prefix(url, "sqlite:")) {
		engine = TS_DB_SQLITE;
		ops = &ts_db_sqlite_ops;
		target = url + strlen("sqlite:");
		if (has_prefix(target, "//"))
			target += 2;
		if (!*target)
			return ts_error_set(
			    err, TS_ERR_CONFIG, "database",
			    "Thiếu đường dẫn tệp cơ sở dữ liệu SQLite (sqlite:ĐƯỜNG_DẪN)");
	} else if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		engine = TS_DB_PGSQL;
		ops = &ts_db_pgsql_ops;
		target = url;
	} else {
		return ts_error_set(
		    err, TS_ERR_CONFIG, "database",
		    "Địa chỉ cơ sở dữ liệu phải bắt đầu bằng sqlite: hoặc postgresql://");
	}

	db = ts_calloc(1, sizeof(*db));
	if (!db)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
	db->engine = engine;
	db->ops = ops;
	db->opt = o;
	atomic_init(&db->errors, 0);
	atomic_init(&db->retries, 0);
	if (!(db->cache = ts_cache_new(TS_CACHE_DEFAULT_ENTRIES))) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
		goto out;
	}
	rc = ops->open(db, target, err);
	if (rc)
		goto out;
	*out = db;
	db = NULL;
out:
	if (db)
		ts_cache_free(db->cache);
	ts_free(db);
	return rc;
}

void ts_db_close(struct ts_db *db)
{
	if (!db)
		return;
	db->ops->close(db);
	ts_cache_free(db->cache);
	ts_free(db);
}

enum ts_db_engine ts_db_engine_of(const struct ts_db *db)
{
	return db->engine;
}

struct ts_cache *ts_db_cache(struct ts_dbconn *c, bool *fill)
{
	if (fill)
		*fill = c && c->committed_only;
	return c ? c->db->cache : NULL;
}

uint64_t ts_db_error_count(const struct ts_db *db)
{
	return db ? atomic_load(&db->errors) : 0;
}

uint64_t ts_db_retry_count(const struct ts_db *db)
{
	return db ? atomic_load(&db->retries) : 0;
}

void ts_db_group_stats(struct ts_db *db, struct ts_db_group_stats *out)
{
	*out = (struct ts_db_group_stats){0};
	if (db && db->ops->group_stats)
		db->ops->group_stats(db, out);
}

struct ts_db_prefetch *ts_db_prefetch_start(struct ts_db *db)
{
	return db && db->ops->prefetch_start ? db->ops->prefetch_start(db) : NULL;
}

void ts_db_prefetch_end(struct ts_db *db, struct ts_db_prefetch *p, bool finish)
{
	if (p)
		db->ops->prefetch_end(p, finish);
}

void ts_db_cache_stats(struct ts_db *db, struct ts_cache_stats *out)
{
	ts_cache_stats(db ? db->cache : NULL, out);
}

int ts_db_write_queue(struct ts_db *db)
{
	struct ts_db_group_stats g;
	ts_db_group_stats(db, &g);
	return g.waiting;
}

int ts_db_report(struct ts_db *db, int code, const char *query, const char *engine_code,
		 const char *engine_msg, struct ts_error *err)
{
	enum ts_log_level level;
	const char *detail;
	switch (code) {
	case TS_ERR_CONFLICT:
		level = TS_LOG_INFO;
		detail = "Dữ liệu đã tồn tại (trùng khóa)";
		break;
	case TS_ERR_VALIDATION:
		level = TS_LOG_INFO;
		detail = "Dữ liệu vi phạm ràng buộc toàn vẹn của cơ sở dữ liệu";
		break;
	case TS_ERR_DB_BUSY:
		level = TS_LOG_DEBUG;
		detail = "Cơ sở dữ liệu đang bận, vui lòng thử lại";
		break;
	case TS_ERR_NOMEM:
		level = TS_LOG_ERROR;
		detail = "Không đủ bộ nhớ để thực hiện truy vấn";
		break;
	case TS_ERR_UNAVAILABLE:
		level = TS_LOG_ERROR;
		detail = "Mất kết nối tới cơ sở dữ liệu, vui lòng thử lại sau";
		break;
	case TS_ERR_INTERNAL:
		level = TS_LOG_ERROR;
		detail = "Lỗi hệ thống khi truy vấn cơ sở dữ liệu";
		break;
	default:
		level = TS_LOG_ERROR;
		detail = "Lỗi cơ sở dữ liệu khi thực hiện thao tác";
		break;
	}
	if (code == TS_ERR_DB || code == TS_ERR_UNAVAILABLE || code == TS_ERR_INTERNAL ||
	    code == TS_ERR_NOMEM)
		atomic_fetch_add(&db->errors, 1);
	ts_log(level, "db query failed", "engine", db->ops->name, "query", query ? query : "",
	       "code", ts_err_code(code), "engine_code", engine_code, "error", engine_msg, NULL);
	return ts_error_set(err, code, NULL, "%s", detail);
}

static int cmp_query_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ts_sql_query *)elem)->name);
}

/* The checks every named query passes before its engine runs it: arguments, the name in the
 * embedded table, the parameter count, an open transaction, and test-build fault injection. */
static int named_query(struct ts_dbconn *c, const char *name, const struct ts_dbval *params,
		       int nparams, const struct ts_sql_query **out, struct ts_error *err)
{
	if (!c || !name || nparams < 0 || (nparams > 0 && !params))
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống khi truy vấn cơ sở dữ liệu");
	const struct ts_sql_query *q = bsearch(name, ts_sql_queries, ts_sql_query_count,
					       sizeof(ts_sql_queries[0]), cmp_query_name);
	if (!q)
		return ts_db_report(c->db, TS_ERR_INTERNAL, name, NULL, "unknown query name", err);
	if (nparams != q->nparams) {
		char msg[80];
		snprintf(msg, sizeof(msg), "query takes %d parameters, %d given", q->nparams,
			 nparams);
		return ts_db_report(c->db, TS_ERR_INTERNAL, name, NULL, msg, err);
	}
	if (!c->in_tx)
		return ts_db_report(c->db, TS_ERR_INTERNAL, name, NULL,
				    "query outside a transaction", err);
	if (ts_db_fault_hit() || ts_fault_hit(TS_FAULT_QUERY))
		return ts_db_report(c->db, TS_ERR_DB, name, NULL, "injected fault", err);
	*out = q;
	return 0;
}

int ts_db_query(struct ts_dbconn *c, struct ts_arena *a, const char *name,
		const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		struct ts_error *err)
{
	const struct ts_sql_query *q = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (out && !a)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống khi truy vấn cơ sở dữ liệu");
	if ((rc = named_query(c, name, params, nparams, &q, err)))
		return rc;
	return c->db->ops->query(c, a, q, params, nparams, out, err);
}

int ts_db_query_ints(struct ts_dbconn *c, const char *name, const struct ts_dbval *params,
		     int nparams, ts_db_row_fn fn, void *ctx, struct ts_error *err)
{
	const struct ts_sql_query *q = NULL;
	int rc;

	if (!fn)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống khi truy vấn cơ sở dữ liệu");
	if ((rc = named_query(c, name, params, nparams, &q, err)))
		return rc;
	if (c->db->ops->query_ints)
		return c->db->ops->query_ints(c, q, params, nparams, fn, ctx, err);

	/* no streaming in this engine: materialise, then parse each row */
	struct ts_arena a;
	struct ts_dbres *r = NULL;
	int64_t vals[TS_DB_INT_COLS];
	ts_arena_init(&a, 0);
	rc = c->db->ops->query(c, &a, q, params, nparams, &r, err);
	if (rc == 0 && r->ncols > TS_DB_INT_COLS)
		rc = ts_db_report(c->db, TS_ERR_INTERNAL, name, NULL, "too many columns", err);
	for (int i = 0; rc == 0 && i < r->nrows; i++) {
		for (int k = 0; k < r->ncols; k++)
			vals[k] = ts_dbres_int(r, i, k);
		rc = fn(ctx, vals, r->ncols);
	}
	ts_arena_release(&a);
	return rc;
}

int ts_db_query_text(struct ts_dbconn *c, struct ts_arena *a, const char *label, const char *sql,
		     const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		     struct ts_error *err)
{
	if (out)
		*out = NULL;
	if (!c || !label || !sql || nparams < 0 || (nparams > 0 && !params) || (out && !a) || !c->in_tx)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống khi truy vấn cơ sở dữ liệu");
	const struct ts_sql_query q = {.name = label, .sqlite = sql, .pgsql = sql, .nparams = nparams};
	return c->db->ops->query(c, a, &q, params, nparams, out, err);
}

/* Sleeps before retry number attempt (0-based): exponential from 1 ms, capped at 50 ms,
 * with the lower half randomised so that colliding writers spread out. */
static void backoff(int attempt)
{
	static _Thread_local unsigned int seed;
	if (!seed) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		seed = (unsigned int)now.tv_nsec ^ (unsigned int)(uintptr_t)&seed ^ 0x9e3779b9u;
		if (!seed)
			seed = 1;
	}
	long max = BACKOFF_MIN_US;
	for (int i = 0; i < attempt && max < BACKOFF_MAX_US; i++)
		max *= 2;
	if (max > BACKOFF_MAX_US)
		max = BACKOFF_MAX_US;
	/* xorshift32 */
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	long us = max / 2 + (long)(seed % (unsigned int)(max / 2 + 1));
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int ts_db_tx(struct ts_db *db, int flags, ts_db_tx_fn fn, void *ctx, struct ts_error *err)
{
	if (!db || !fn)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống: thiếu tham số giao dịch");
	if (tl_active_db == db) {
		ts_log(TS_LOG_ERROR, "db nested transaction refused", "engine", db->ops->name,
		       NULL);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống: giao dịch lồng nhau không được hỗ trợ");
	}
	const struct ts_db *prev = tl_active_db;
	const struct db_ops *ops = db->ops;
	int rc;
	for (int attempt = 0;; attempt++) {
		struct ts_error e;
		ts_error_clear(&e);
		struct ts_dbconn *c = NULL;
		if ((flags & TS_DB_TX_WRITE) && ops->write_tx) {
			tl_active_db = db;
			rc = ops->write_tx(db, fn, ctx, &e);
			tl_active_db = prev;
		} else if ((rc = ops->acquire(db, flags, &c, &e)) == 0) {
			c->committed_only = !(flags & TS_DB_TX_WRITE);
			rc = ops->begin(c, flags, &e);
			if (rc == 0) {
				c->in_tx = true;
				tl_active_db = db;
				rc = fn(c, ctx, &e);
				tl_active_db = prev;
				if (rc == 0)
					rc = ops->commit(c, &e);
				if (c->in_tx)
					ops->rollback(c);
			}
			ops->release(db, c);
		}
		if (rc == 0)
			return 0;
		if (e.code == 0)
			ts_error_set(&e, rc, NULL, "%s", ts_err_title(rc));
		if (rc == TS_ERR_DB_BUSY && attempt < db->opt.max_retries) {
			atomic_fetch_add(&db->retries, 1);
			backoff(attempt);
			continue;
		}
		if (rc == TS_ERR_DB_BUSY) {
			atomic_fetch_add(&db->errors, 1);
			ts_log(TS_LOG_WARN, "db transaction still busy after retries", "engine",
			       ops->name, NULL);
		}
		if (err && !err->code)
			*err = e;
		return rc;
	}
}

static int ping_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	(void)ctx;
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	int rc = ts_db_query(c, &a, "db_ping", NULL, 0, &r, err);
	if (rc == 0 && (r->nrows != 1 || ts_dbres_int(r, 0, 0) != 1))
		rc = ts_db_report(c->db, TS_ERR_DB, "db_ping", NULL, "unexpected answer", err);
	ts_arena_release(&a);
	return rc;
}

int ts_db_ping(struct ts_db *db, struct ts_error *err)
{
	return ts_db_tx(db, TS_DB_TX_READ, ping_fn, NULL, err);
}

/* ---- results ---------------------------------------------------------------------- */

int db_resbuf_init(struct db_resbuf *b, struct ts_arena *a, int ncols)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
	b->res = ts_arena_zalloc(a, sizeof(*b->res));
	if (!b->res)
		return TS_ERR_NOMEM;
	b->res->ncols = ncols;
	if (ncols > 0) {
		b->res->cols = ts_arena_zalloc(a, (size_t)ncols * sizeof(char *));
		if (!b->res->cols)
			return TS_ERR_NOMEM;
	}
	return 0;
}

int db_resbuf_colname(struct db_resbuf *b, int col, const char *name)
{
	char *s = ts_arena_strdup(b->a, name ? name : "");
	if (!s)
		return TS_ERR_NOMEM;
	b->res->cols[col] = s;
	return 0;
}

int db_resbuf_cell(struct db_resbuf *b, const char *s, size_t len)
{
	if (b->ncells == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		const char **v = ts_realloc(b->cells, cap * sizeof(*v));
		if (!v)
			return TS_ERR_NOMEM;
		b->cells = v;
		b->cap = cap;
	}
	const char *copy = NULL;
	if (s) {
		copy = ts_arena_strndup(b->a, s, len);
		if (!copy)
			return TS_ERR_NOMEM;
	}
	b->cells[b->ncells++] = copy;
	return 0;
}

int db_resbuf_finish(struct db_resbuf *b, int64_t changes, struct ts_dbres **out)
{
	int rc = 0;
	struct ts_dbres *r = b->res;
	r->changes = changes;
	r->nrows = r->ncols > 0 ? (int)(b->ncells / (size_t)r->ncols) : 0;
	if (b->ncells > 0) {
		const char **cells = ts_arena_alloc(b->a, b->ncells * sizeof(*cells));
		if (!cells) {
			rc = TS_ERR_NOMEM;
			goto out;
		}
		memcpy(cells, b->cells, b->ncells * sizeof(*cells));
		r->cells = cells;
	}
	if (out)
		*out = r;
out:
	db_resbuf_discard(b);
	return rc;
}

void db_resbuf_discard(struct db_resbuf *b)
{
	ts_free(b->cells);
	b->cells = NULL;
	b->ncells = b->cap = 0;
}

const char *ts_dbres_get(const struct ts_dbres *r, int row, int col)
{
	if (!r || row < 0 || col < 0 || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

int64_t ts_dbres_int(const struct ts_dbres *r, int row, int col)
{
	const char *s = ts_dbres_get(r, row, col);
	if (!s)
		return 0;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return 0;
	return (int64_t)v;
}

bool ts_dbres_isnull(const struct ts_dbres *r, int row, int col)
{
	if (!r || row < 0 || col < 0 || row >= r->nrows || col >= r->ncols)
		return false;
	return ts_dbres_get(r, row, col) == NULL;
}

int ts_dbres_col(const struct ts_dbres *r, const char *name)
{
	if (!r || !name || r->ncols <= 0)
		return -1;
	/* Readers ask for the columns mostly in the order the query lists them, so the search
	 * starts after the last column found: one comparison per lookup instead of ncols / 2
	 * (the result is the caller's, in its arena, and never shared between threads). */
	struct ts_dbres *w = (struct ts_dbres *)r;
	int start = r->col_next >= 0 && r->col_next < r->ncols ? r->col_next : 0;
	for (int k = 0; k < r->ncols; k++) {
		int i = (start + k) % r->ncols;
		if (r->cols[i] && strcmp(r->cols[i], name) == 0) {
			w->col_next = i + 1;
			return i;
		}
	}
	return -1;
}
