/* pgsql.c - the PostgreSQL engine behind db.h; the only file that includes <libpq-fe.h>.
 * A pool of pool_size connections (mutex + condvar); queries via PQexecParams in text
 * format. A connection found broken (server restarted) is reset before reuse, and a BEGIN
 * that finds it broken resets and retries once, so a restarted server is survived; a server
 * that does not answer yet when the pool opens is waited for (connect_wait_s, bounded). */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/mem.h"
#include "db/db_int.h"

#define OID_INT8 20
#define INT_TEXT_MAX 24

struct pg_conn {
	struct ts_dbconn base; /* first: struct ts_dbconn * <-> struct pg_conn * */
	PGconn *h;
};

struct pg_db {
	struct pg_conn *conns;
	int nconns;
	struct pg_conn **idle;
	int nidle;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool sync_init;
};

/* libpq prints notices ("relation already exists, skipping") on stderr, which would break
 * the one-JSON-line-per-event log; they carry nothing we act on. */
static void on_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int map_sqlstate(const char *st)
{
	if (!st)
		return TS_ERR_DB;
	if (strcmp(st, "23505") == 0)
		return TS_ERR_CONFLICT;
	if (strcmp(st, "23503") == 0 || strcmp(st, "23514") == 0 || strcmp(st, "23502") == 0)
		return TS_ERR_VALIDATION;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0)
		return TS_ERR_DB_BUSY;
	return TS_ERR_DB;
}

/* Reports a failed command. Without a result or SQLSTATE and with the connection gone,
 * the failure is TS_ERR_UNAVAILABLE: the outcome of a lost COMMIT is unknown, so it must
 * not be retried blindly. Messages of data exceptions (class 22) quote the offending value,
 * so they are not logged. */
static int fail_res(struct pg_conn *c, PGresult *r, const char *what, struct ts_error *err)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(c->h);
	if (st && strncmp(st, "22", 2) == 0)
		msg = "(data exception; message withheld, it may quote a parameter)";
	int code = map_sqlstate(st);
	if (!st && PQstatus(c->h) == CONNECTION_BAD)
		code = TS_ERR_UNAVAILABLE;
	return ts_db_report(c->base.db, code, what, st, msg, err);
}

static bool res_ok(PGresult *r)
{
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static int exec_simple(struct pg_conn *c, const char *sql, const char *what, struct ts_error *err)
{
	PGresult *r = PQexec(c->h, sql);
	int rc = res_ok(r) ? 0 : fail_res(c, r, what, err);
	PQclear(r);
	return rc;
}

/* Session settings, after every (re)connect. */
static int conn_setup(struct pg_conn *c, struct ts_error *err)
{
	char sql[256];
	/* synchronous_commit=on whatever the server's default: an acknowledged commit is on
	 * the server's disk. Concurrent commits share the server's WAL flushes (its own group
	 * commit; commit_delay / commit_siblings tune it), so no batching is done here.
	 * jit=off: the work-queue queries (a LATERAL over a unit subtree of unknown size) are
	 * estimated above jit_above_cost, and compiling them took 0.15-2.5 s at a million
	 * dossiers, where running them takes milliseconds (bench/NOTES-issue8.md). */
	PQsetNoticeProcessor(c->h, on_notice, NULL);
	/* tinhso.slot: the connection's place in the pool (0 .. pool_size - 1), read by the
	 * queries that spread a hot row over one row per connection (db.h, "slots") */
	struct pg_db *p = c->base.db->impl;
	snprintf(sql, sizeof(sql),
		 "SET TIME ZONE 'UTC'; SET application_name = 'tinhso'; SET jit = off; "
		 "SET tinhso.slot = %d; SET lock_timeout = %d%s",
		 p && p->conns ? (int)(c - p->conns) : 0, c->base.db->opt.busy_timeout_ms,
		 c->base.db->opt.bulk_load ? "; SET synchronous_commit = off"
					  : "; SET synchronous_commit = on");
	return exec_simple(c, sql, "connect", err);
}

static int conn_open(struct ts_db *db, struct pg_conn *c, const char *url, struct ts_error *err)
{
	static const char *const keys[] = {"dbname", NULL};
	const char *vals[] = {url, NULL};
	c->base.db = db;
	c->h = PQconnectdbParams(keys, vals, 1);
	if (!c->h)
		return ts_error_set(err, TS_ERR_NOMEM, NULL,
				    "Không đủ bộ nhớ để kết nối cơ sở dữ liệu");
	if (PQstatus(c->h) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password */
		ts_log(TS_LOG_ERROR, "db open failed", "engine", "pgsql", "error",
		       PQerrorMessage(c->h), NULL);
		atomic_fetch_add(&db->errors, 1);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "database",
				    "Không kết nối được tới máy chủ PostgreSQL");
	}
	return conn_setup(c, err);
}

/* Reconnects a broken connection; 0 when it is usable again. */
static int conn_reset(struct pg_conn *c, struct ts_error *err)
{
	ts_log(TS_LOG_WARN, "db connection lost, reconnecting", "engine", "pgsql", NULL);
	PQreset(c->h);
	if (PQstatus(c->h) != CONNECTION_OK) {
		atomic_fetch_add(&c->base.db->errors, 1);
		ts_log(TS_LOG_ERROR, "db reconnect failed", "engine", "pgsql", "error",
		       PQerrorMessage(c->h), NULL);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL,
				    "Mất kết nối tới cơ sở dữ liệu, vui lòng thử lại sau");
	}
	return conn_setup(c, err);
}

static void pg_close(struct ts_db *db)
{
	struct pg_db *p = db->impl;
	if (!p)
		return;
	for (int i = 0; i < p->nconns; i++)
		if (p->conns[i].h)
			PQfinish(p->conns[i].h);
	if (p->sync_init) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
	}
	ts_free(p->conns);
	ts_free(p->idle);
	ts_free(p);
	db->impl = NULL;
}

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define WAIT_LOG_EVERY_S 5

/* Waits (bounded by connect_wait_s) while the server does not answer or refuses connections
 * (starting up, shutting down, in recovery), asking about once a second (PQping, which
 * neither authenticates nor opens a session). Returns when it answers, when the parameters
 * are bad (the connection attempt reports it) or when the time is up (likewise). */
static void wait_for_server(struct ts_db *db, const char *url)
{
	static const char *const keys[] = {"dbname", NULL};
	const char *vals[] = {url, NULL};
	int limit = db->opt.connect_wait_s;
	double start = mono_s(), next_log = start;
	char w[16], l[16];

	if (limit <= 0)
		return;
	for (;;) {
		PGPing st = PQpingParams(keys, vals, 1);
		if (st == PQPING_OK || st == PQPING_NO_ATTEMPT)
			return;
		double now = mono_s(), left = start + limit - now;
		int waited = (int)(now - start);
		snprintf(w, sizeof(w), "%d", waited);
		snprintf(l, sizeof(l), "%d", limit);
		if (left <= 0) {
			ts_log(TS_LOG_ERROR, "database still not answering, giving up", "engine", "pgsql",
			       "#waited_s", w, "#limit_s", l, NULL);
			return;
		}
		if (now >= next_log) {
			/* the URL is not logged: it may hold a password */
			ts_log(TS_LOG_WARN, "waiting for the database", "engine", "pgsql", "state",
			       st == PQPING_REJECT ? "refusing connections" : "not answering", "#waited_s", w,
			       "#limit_s", l, NULL);
			if (db->opt.on_connect_wait)
				db->opt.on_connect_wait(waited, limit);
			next_log += WAIT_LOG_EVERY_S;
		}
		/* a pause between two attempts at a server that is not there, not a synchronisation */
		double pause = left < 1.0 ? left : 1.0;
		struct timespec ts = {(time_t)pause, (long)((pause - (double)(time_t)pause) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

static int pg_open(struct ts_db *db, const char *url, struct ts_error *err)
{
	int rc;
	struct pg_db *p = ts_calloc(1, sizeof(*p));
	if (!p)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
	db->impl = p;
	int n = db->opt.pool_size;
	p->conns = ts_calloc((size_t)n, sizeof(*p->conns));
	p->idle = ts_calloc((size_t)n, sizeof(*p->idle));
	if (!p->conns || !p->idle) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
		goto out;
	}
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không khởi tạo được khóa");
		goto out;
	}
	if (pthread_cond_init(&p->cond, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không khởi tạo được khóa");
		goto out;
	}
	p->sync_init = true;
	wait_for_server(db, url);
	for (int i = 0; i < n; i++) {
		p->nconns = i + 1;
		rc = conn_open(db, &p->conns[i], url, err);
		if (rc)
			goto out;
		p->idle[p->nidle++] = &p->conns[i];
	}
	rc = 0;
out:
	if (rc)
		pg_close(db);
	return rc;
}

static void pg_release(struct ts_db *db, struct ts_dbconn *c)
{
	struct pg_db *p = db->impl;
	pthread_mutex_lock(&p->lock);
	p->idle[p->nidle++] = (struct pg_conn *)c;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static int pg_acquire(struct ts_db *db, int flags, struct ts_dbconn **out, struct ts_error *err)
{
	(void)flags;
	struct pg_db *p = db->impl;
	pthread_mutex_lock(&p->lock);
	while (p->nidle == 0)
		pthread_cond_wait(&p->cond, &p->lock);
	struct pg_conn *c = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->lock);
	if (PQstatus(c->h) == CONNECTION_BAD) {
		int rc = conn_reset(c, err);
		if (rc) {
			pg_release(db, &c->base);
			return rc;
		}
	}
	*out = &c->base;
	return 0;
}

static int pg_begin(struct ts_dbconn *base, int flags, struct ts_error *err)
{
	struct pg_conn *c = (struct pg_conn *)base;
	const char *sql = !(flags & TS_DB_TX_WRITE) ? "BEGIN READ ONLY"
			  : (flags & TS_DB_TX_LAZY) ? "BEGIN; SET LOCAL synchronous_commit TO off"
						    : "BEGIN";
	PGresult *r = PQexec(c->h, sql);
	if (!res_ok(r) && PQstatus(c->h) == CONNECTION_BAD) {
		/* Nothing was done in this transaction yet: reconnecting is safe. */
		PQclear(r);
		r = NULL;
		int rc = conn_reset(c, err);
		if (rc)
			return rc;
		r = PQexec(c->h, sql);
	}
	int rc = res_ok(r) ? 0 : fail_res(c, r, "begin", err);
	PQclear(r);
	return rc;
}

static int pg_commit(struct ts_dbconn *base, struct ts_error *err)
{
	struct pg_conn *c = (struct pg_conn *)base;
	PGresult *r = PQexec(c->h, "COMMIT");
	int rc;
	if (!res_ok(r)) {
		rc = fail_res(c, r, "commit", err);
	} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		/* COMMIT of a transaction aborted by an earlier (swallowed) error rolls back */
		rc = ts_db_report(c->base.db, TS_ERR_DB, "commit", NULL,
				  "transaction was aborted by an earlier error and rolled back",
				  err);
		base->in_tx = false;
	} else {
		rc = 0;
		base->in_tx = false;
	}
	PQclear(r);
	return rc;
}

static void pg_rollback(struct ts_dbconn *base)
{
	struct pg_conn *c = (struct pg_conn *)base;
	if (PQstatus(c->h) == CONNECTION_OK)
		PQclear(PQexec(c->h, "ROLLBACK"));
	base->in_tx = false;
}

/* Rows changed: only INSERT / UPDATE / DELETE / MERGE count (PQcmdTuples also counts
 * the rows a SELECT returned). */
static int64_t changes_of(PGresult *r)
{
	const char *status = PQcmdStatus(r);
	if (strncmp(status, "INSERT ", 7) != 0 && strncmp(status, "UPDATE ", 7) != 0 &&
	    strncmp(status, "DELETE ", 7) != 0 && strncmp(status, "MERGE ", 6) != 0)
		return 0;
	const char *t = PQcmdTuples(r);
	return t && *t ? (int64_t)strtoll(t, NULL, 10) : 0;
}

static int take_result(PGresult *r, struct ts_arena *a, struct ts_dbres **out)
{
	struct db_resbuf b;
	int ncols = PQnfields(r), nrows = PQntuples(r);
	int rc = db_resbuf_init(&b, a, ncols);
	for (int i = 0; rc == 0 && i < ncols; i++)
		rc = db_resbuf_colname(&b, i, PQfname(r, i));
	for (int row = 0; rc == 0 && row < nrows; row++)
		for (int col = 0; rc == 0 && col < ncols; col++)
			rc = PQgetisnull(r, row, col)
				 ? db_resbuf_cell(&b, NULL, 0)
				 : db_resbuf_cell(&b, PQgetvalue(r, row, col),
						  (size_t)PQgetlength(r, row, col));
	if (rc == 0)
		return db_resbuf_finish(&b, changes_of(r), out);
	db_resbuf_discard(&b);
	return rc;
}

static int pg_query(struct ts_dbconn *base, struct ts_arena *a, const struct ts_sql_query *q,
		    const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		    struct ts_error *err)
{
	struct pg_conn *c = (struct pg_conn *)base;
	int rc = 0;
	PGresult *r = NULL;
	Oid *types = NULL;
	const char **values = NULL;
	char(*ints)[INT_TEXT_MAX] = NULL;
	if (nparams > 0) {
		types = ts_calloc((size_t)nparams, sizeof(*types));
		values = ts_calloc((size_t)nparams, sizeof(*values));
		ints = ts_calloc((size_t)nparams, sizeof(*ints));
		if (!types || !values || !ints) {
			rc = ts_db_report(c->base.db, TS_ERR_NOMEM, q->name, NULL, "out of memory",
					  err);
			goto out;
		}
	}
	for (int i = 0; i < nparams; i++) {
		switch (params[i].type) {
		case TS_DBV_INT:
			types[i] = OID_INT8;
			snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)params[i].i);
			values[i] = ints[i];
			break;
		case TS_DBV_TEXT:
			types[i] = 0; /* let the server infer it from the context */
			values[i] = params[i].s;
			break;
		default:
			types[i] = 0;
			values[i] = NULL;
			break;
		}
	}
	r = PQexecParams(c->h, q->pgsql, nparams, types, values, NULL, NULL, 0);
	if (!res_ok(r)) {
		rc = fail_res(c, r, q->name, err);
		goto out;
	}
	if (out) {
		rc = take_result(r, a, out);
		if (rc)
			rc = ts_db_report(c->base.db, rc, q->name, NULL, "out of memory", err);
	}
out:
	PQclear(r);
	ts_free(types);
	ts_free(values);
	ts_free(ints);
	return rc;
}

static int pg_exec_script(struct ts_dbconn *base, const char *label, const char *sql,
			  struct ts_error *err)
{
	return exec_simple((struct pg_conn *)base, sql, label, err);
}

const struct db_ops ts_db_pgsql_ops = {
    .name = "pgsql",
    .open = pg_open,
    .close = pg_close,
    .acquire = pg_acquire,
    .release = pg_release,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .query = pg_query,
    .exec_script = pg_exec_script,
};
