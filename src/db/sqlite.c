/* sqlite.c - the SQLite engine behind db.h; the only file that includes <sqlite3.h>.
 * One writer connection plus pool_size read-only reader connections (deferred BEGIN), all
 * in WAL mode. Write transactions are group-committed on the writer (see sq_write_tx and
 * db.h). Prepared statements are cached per connection by query (index in
 * ts_sql_queries); $N parameters bind by name. */
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "db/db_int.h"

/* The statements the group commit runs around every member and batch, prepared once on
 * the writer (sqlite3_exec would parse them again each time). */
enum { GC_BEGIN, GC_SAVEPOINT, GC_RELEASE, GC_ROLLBACK_TO, GC_COMMIT, GC_NSTMTS };
static const char *const gc_sql[GC_NSTMTS] = {"BEGIN IMMEDIATE", "SAVEPOINT ts_member",
					      "RELEASE ts_member", "ROLLBACK TO ts_member",
					      "COMMIT"};

struct sq_conn {
	struct ts_dbconn base; /* first: struct ts_dbconn * <-> struct sq_conn * */
	sqlite3 *h;
	sqlite3_stmt **stmts; /* ts_sql_query_count entries, prepared on first use */
	bool *in_order;       /* per entry: parameter k is $k, so binding needs no name lookup */
	sqlite3_stmt *gc[GC_NSTMTS]; /* writer only, prepared on first use */
};

/* A write transaction queued for the writer (on its caller's stack). */
struct gc_member {
	struct gc_member *next;
	ts_db_tx_fn fn;
	void *ctx;
	struct ts_error *err;
	int rc;
	bool done; /* rc is final */
	bool lead; /* this caller runs the next batches */
	pthread_cond_t cv;
};

/* The writer connection's page cache, KiB (readers keep SQLite's default). */
#define TS_SQLITE_WRITER_CACHE_KIB "32768"
/* The WAL is copied back into the database file once it holds this many pages, by a
 * thread of its own (ckpt_main), not by the writer after its commit as SQLite does by
 * default: the writer's commit groups never wait for that copy and its fsync. */
#define CKPT_PAGES 2000

/* At most this many write transactions share one commit, so that a steady stream of
 * writers cannot hold the first of them waiting unboundedly. */
#define GC_MAX_BATCH 128

struct sq_db {
	struct sq_conn writer;
	/* group commit: gmu guards the fields below */
	pthread_mutex_t gmu;
	struct gc_member *qhead, *qtail; /* waiting for a batch, oldest first */
	int qlen;
	bool leading;			 /* a caller is running batches on the writer */
	uint64_t batches, members;	 /* committed, for /metrics */
	uint64_t member_cpu_ns;		 /* the writer's CPU time in members (ts_db_group_stats) */
	struct sq_conn *readers;
	int nreaders;
	struct sq_conn **idle; /* stack of free readers */
	int nidle;
	pthread_mutex_t rlock;
	pthread_cond_t rcond;
	bool sync_init; /* mutexes initialised */
	/* background checkpoints: ckmu guards ckwant, ckstop */
	sqlite3 *ckh; /* the checkpointer's own connection */
	pthread_t ckthread;
	bool ckstarted;
	pthread_mutex_t ckmu;
	pthread_cond_t ckcv;
	bool ckwant, ckstop;
};

static int map_rc(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return TS_ERR_CONFLICT;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return TS_ERR_VALIDATION;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TS_ERR_DB_BUSY;
	case SQLITE_NOMEM:
		return TS_ERR_NOMEM;
	default:
		return TS_ERR_DB;
	}
}

/* Reports the connection's last error for `what` (a query name or a step like "begin"). */
static int fail_rc(struct sq_conn *c, int rc, const char *what, struct ts_error *err)
{
	char code[16];
	snprintf(code, sizeof(code), "%d", rc);
	return ts_db_report(c->base.db, map_rc(rc), what, code,
			    c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc), err);
}

static void conn_close(struct sq_conn *c)
{
	for (int i = 0; i < GC_NSTMTS; i++) {
		sqlite3_finalize(c->gc[i]);
		c->gc[i] = NULL;
	}
	if (c->stmts) {
		for (size_t i = 0; i < ts_sql_query_count; i++)
			sqlite3_finalize(c->stmts[i]);
		ts_free(c->stmts);
		c->stmts = NULL;
	}
	ts_free(c->in_order);
	c->in_order = NULL;
	if (c->h) {
		sqlite3_close_v2(c->h);
		c->h = NULL;
	}
}

static int conn_open(struct ts_db *db, struct sq_conn *c, const char *path, bool writer,
		     struct ts_error *err)
{
	c->base.db = db;
	c->stmts = ts_calloc(ts_sql_query_count ? ts_sql_query_count : 1, sizeof(*c->stmts));
	c->in_order = ts_calloc(ts_sql_query_count ? ts_sql_query_count : 1, sizeof(*c->in_order));
	if (!c->stmts || !c->in_order)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
	int flags = SQLITE_OPEN_NOMUTEX |
		    (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
	int rc = sqlite3_open_v2(path, &c->h, flags, NULL);
	if (rc != SQLITE_OK) {
		ts_log(TS_LOG_ERROR, "db open failed", "engine", "sqlite", "path", path, "error",
		       c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc), NULL);
		atomic_fetch_add(&db->errors, 1);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "database",
				    "Không mở được tệp cơ sở dữ liệu SQLite '%s'", path);
	}
	sqlite3_extended_result_codes(c->h, 1);
	sqlite3_busy_timeout(c->h, db->opt.busy_timeout_ms);
	if (writer) {
		/* journal_mode answers with the mode in force; anything but "wal" (":memory:",
		 * a file system without shared memory) cannot give readers their own view. */
		sqlite3_stmt *st = NULL;
		rc = sqlite3_prepare_v2(c->h, "PRAGMA journal_mode=WAL", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		const unsigned char *mode = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
		bool wal = mode && strcmp((const char *)mode, "wal") == 0;
		sqlite3_finalize(st);
		if (!wal) {
			ts_log(TS_LOG_ERROR, "db open failed", "engine", "sqlite", "path", path,
			       "error",
			       rc == SQLITE_ROW ? "journal_mode WAL refused" : sqlite3_errmsg(c->h),
			       NULL);
			atomic_fetch_add(&db->errors, 1);
			return ts_error_set(
			    err, rc == SQLITE_ROW ? TS_ERR_CONFIG : TS_ERR_UNAVAILABLE, "database",
			    "Không bật được chế độ WAL cho cơ sở dữ liệu SQLite '%s'", path);
		}
	}
	char *msg = NULL;
	rc = sqlite3_exec(c->h,
			  db->opt.bulk_load ? "PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON"
					    : "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON",
			  NULL, NULL, &msg);
	/* Each member of a commit group runs in its own savepoint, whose undo copies of the
	 * pages it changes go to a sub-journal: kept in memory (temp_store), not in a temporary
	 * file written on the one writer's time. The writer's page cache holds every page a
	 * group dirties (SQLite's default, 2 MiB, spills them into the WAL mid-group). */
	if (rc == SQLITE_OK && writer)
		rc = sqlite3_exec(c->h,
				  "PRAGMA temp_store=MEMORY; "
				  "PRAGMA cache_size=-" TS_SQLITE_WRITER_CACHE_KIB,
				  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		ts_log(TS_LOG_ERROR, "db open failed", "engine", "sqlite", "path", path, "error",
		       msg ? msg : sqlite3_errstr(rc), NULL);
		sqlite3_free(msg);
		atomic_fetch_add(&db->errors, 1);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "database",
				    "Không cấu hình được cơ sở dữ liệu SQLite '%s'", path);
	}
	return 0;
}

/* ---- checkpoints ------------------------------------------------------------------ */

/* Called by SQLite on the writer after each commit (its write lock released) with the WAL's
 * size in pages: wakes the checkpointer once the WAL is long. The checkpointer copies frames
 * while new ones are appended, so it rarely reaches the WAL's end, and only then may the
 * next write start the WAL file over; once the WAL is CKPT_WRITER_FACTOR times longer, the
 * writer checkpoints itself between two groups (SQLite's own way), copying the few frames
 * the checkpointer has not, so that the WAL does not grow without end. */
#define CKPT_WRITER_FACTOR 4

static int on_wal_commit(void *arg, sqlite3 *h, const char *dbname, int pages)
{
	struct sq_db *s = arg;
	if (pages >= CKPT_PAGES * CKPT_WRITER_FACTOR) {
		sqlite3_wal_checkpoint_v2(h, dbname, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&s->ckmu);
		s->ckwant = true;
		pthread_cond_signal(&s->ckcv);
		pthread_mutex_unlock(&s->ckmu);
	}
	return SQLITE_OK;
}

/* The checkpointer: PASSIVE checkpoints (never waiting for the writer or the readers) on
 * its own connection whenever on_wal_commit asks. SQLite restarts the WAL from its start at
 * the next write once every frame is copied back. */
static void *ckpt_main(void *arg)
{
	struct sq_db *s = arg;
	pthread_mutex_lock(&s->ckmu);
	while (!s->ckstop) {
		if (!s->ckwant) {
			pthread_cond_wait(&s->ckcv, &s->ckmu);
			continue;
		}
		s->ckwant = false;
		pthread_mutex_unlock(&s->ckmu);
		int rc = sqlite3_wal_checkpoint_v2(s->ckh, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
						   NULL);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
			ts_log(TS_LOG_WARN, "db checkpoint failed", "engine", "sqlite", "error",
			       sqlite3_errmsg(s->ckh), NULL);
		pthread_mutex_lock(&s->ckmu);
	}
	pthread_mutex_unlock(&s->ckmu);
	return NULL;
}

/* Opens the checkpointer's connection, hooks the writer's commits, starts the thread.
 * Without it (it could not start) SQLite's own checkpoints on the writer stay in force. */
static void ckpt_start(struct ts_db *db, struct sq_db *s, const char *path)
{
	if (sqlite3_open_v2(path, &s->ckh, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(s->ckh,
			 db->opt.bulk_load ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=FULL",
			 NULL, NULL, NULL) != SQLITE_OK) {
		ts_log(TS_LOG_WARN, "db checkpointer not started", "engine", "sqlite", "error",
		       s->ckh ? sqlite3_errmsg(s->ckh) : "out of memory", NULL);
		sqlite3_close_v2(s->ckh);
		s->ckh = NULL;
		return;
	}
	sqlite3_busy_timeout(s->ckh, db->opt.busy_timeout_ms);
	if (pthread_create(&s->ckthread, NULL, ckpt_main, s) != 0) {
		ts_log(TS_LOG_WARN, "db checkpointer not started", "engine", "sqlite", "error",
		       "no thread", NULL);
		sqlite3_close_v2(s->ckh);
		s->ckh = NULL;
		return;
	}
	s->ckstarted = true;
	/* replaces SQLite's own checkpoint-after-commit (wal_autocheckpoint) on the writer */
	sqlite3_wal_hook(s->writer.h, on_wal_commit, s);
}

static void ckpt_stop(struct sq_db *s)
{
	if (s->ckstarted) {
		if (s->writer.h)
			sqlite3_wal_hook(s->writer.h, NULL, NULL);
		pthread_mutex_lock(&s->ckmu);
		s->ckstop = true;
		pthread_cond_signal(&s->ckcv);
		pthread_mutex_unlock(&s->ckmu);
		pthread_join(s->ckthread, NULL);
		s->ckstarted = false;
	}
	if (s->ckh) {
		sqlite3_close_v2(s->ckh);
		s->ckh = NULL;
	}
}

static void sq_close(struct ts_db *db)
{
	struct sq_db *s = db->impl;
	if (!s)
		return;
	ckpt_stop(s);
	for (int i = 0; i < s->nreaders; i++)
		conn_close(&s->readers[i]);
	conn_close(&s->writer);
	if (s->sync_init) {
		pthread_mutex_destroy(&s->gmu);
		pthread_mutex_destroy(&s->rlock);
		pthread_cond_destroy(&s->rcond);
		pthread_mutex_destroy(&s->ckmu);
		pthread_cond_destroy(&s->ckcv);
	}
	ts_free(s->readers);
	ts_free(s->idle);
	ts_free(s);
	db->impl = NULL;
}

/* Once per process, before SQLite initialises: no global memory statistics. With them on (the
 * library's default) every allocation and free of every connection takes one process-wide
 * mutex; Debian's build has no lookaside, so a query allocates often: under the submission
 * load that mutex was about 4 % of the server's CPU. tinhso never reads those statistics. */
static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_open(struct ts_db *db, const char *path, struct ts_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int rc;

	pthread_once(&once, sq_configure);
	struct sq_db *s = ts_calloc(1, sizeof(*s));
	if (!s)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
	db->impl = s;
	int n = db->opt.pool_size;
	s->readers = ts_calloc((size_t)n, sizeof(*s->readers));
	s->idle = ts_calloc((size_t)n, sizeof(*s->idle));
	if (!s->readers || !s->idle) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không đủ bộ nhớ để mở cơ sở dữ liệu");
		goto out;
	}
	if (pthread_mutex_init(&s->gmu, NULL) != 0) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không khởi tạo được khóa");
		goto out;
	}
	if (pthread_mutex_init(&s->rlock, NULL) != 0 || pthread_cond_init(&s->rcond, NULL) != 0 ||
	    pthread_mutex_init(&s->ckmu, NULL) != 0 || pthread_cond_init(&s->ckcv, NULL) != 0) {
		/* glibc's init never fails for default attributes; no partial teardown needed */
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, "Không khởi tạo được khóa");
		goto out;
	}
	s->sync_init = true;
	/* The writer first: it creates the file and switches it to WAL for the readers. */
	rc = conn_open(db, &s->writer, path, true, err);
	if (rc)
		goto out;
	for (int i = 0; i < n; i++) {
		s->nreaders = i + 1;
		rc = conn_open(db, &s->readers[i], path, false, err);
		if (rc)
			goto out;
		s->idle[s->nidle++] = &s->readers[i];
	}
	ckpt_start(db, s, path);
out:
	if (rc)
		sq_close(db);
	return rc;
}

/* Readers only: write transactions go through sq_write_tx. */
static int sq_acquire(struct ts_db *db, int flags, struct ts_dbconn **out, struct ts_error *err)
{
	struct sq_db *s = db->impl;
	if (flags & TS_DB_TX_WRITE)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "Lỗi hệ thống: giao dịch ghi phải qua nhóm ghi");
	pthread_mutex_lock(&s->rlock);
	while (s->nidle == 0)
		pthread_cond_wait(&s->rcond, &s->rlock);
	*out = &s->idle[--s->nidle]->base;
	pthread_mutex_unlock(&s->rlock);
	return 0;
}

static void sq_release(struct ts_db *db, struct ts_dbconn *c)
{
	struct sq_db *s = db->impl;
	pthread_mutex_lock(&s->rlock);
	s->idle[s->nidle++] = (struct sq_conn *)c;
	pthread_cond_signal(&s->rcond);
	pthread_mutex_unlock(&s->rlock);
}

static int exec_simple(struct sq_conn *c, const char *sql, const char *what, struct ts_error *err)
{
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail_rc(c, sqlite3_extended_errcode(c->h), what, err);
	return 0;
}

/* Runs one of the group commit's statements (prepared once, kept). */
static int gc_exec(struct sq_conn *c, int which, const char *what, struct ts_error *err)
{
	int rc = SQLITE_OK;
	if (!c->gc[which])
		rc = sqlite3_prepare_v3(c->h, gc_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
					&c->gc[which], NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(c->gc[which]);
		sqlite3_reset(c->gc[which]);
		if (rc == SQLITE_DONE)
			return 0;
	}
	return fail_rc(c, sqlite3_extended_errcode(c->h), what, err);
}

static int sq_begin(struct ts_dbconn *base, int flags, struct ts_error *err)
{
	struct sq_conn *c = (struct sq_conn *)base;
	if (flags & TS_DB_TX_WRITE)
		return exec_simple(c, "BEGIN IMMEDIATE", "begin", err);
	return exec_simple(c, "BEGIN", "begin", err);
}

static int sq_commit(struct ts_dbconn *base, struct ts_error *err)
{
	struct sq_conn *c = (struct sq_conn *)base;
	int rc = exec_simple(c, "COMMIT", "commit", err);
	if (rc == 0)
		base->in_tx = false;
	return rc;
}

static void sq_rollback(struct ts_dbconn *base)
{
	struct sq_conn *c = (struct sq_conn *)base;
	/* Some errors (I/O, full disk) already rolled back; a failing ROLLBACK then only says
	 * that no transaction is active. */
	if (!sqlite3_get_autocommit(c->h))
		sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
	base->in_tx = false;
}

/* ---- group commit ------------------------------------------------------------------ */

/* Write transactions are queued; one caller at a time leads: it takes the queue, opens one
 * transaction on the writer, runs every queued fn in its own savepoint (releasing it on
 * success, rolling back to it on failure), takes the writers that queued meanwhile into the
 * same batch, commits once (one fsync for all) and only then wakes the members with their
 * codes. The next queued caller then leads. fns run on the leader's thread, back to back:
 * no thread switch per member; the callers wait (they hold nothing), and fn must not rely
 * on thread-local state (db.c's nesting check is set on the leader too). */

/* Takes up to max members from the queue (gmu held). */
static struct gc_member *queue_take(struct sq_db *s, int max, int *n)
{
	struct gc_member *first = s->qhead, *last = NULL;
	int k = 0;
	for (struct gc_member *m = first; m && k < max; m = m->next) {
		last = m;
		k++;
	}
	if (!last)
		return NULL;
	s->qhead = last->next;
	if (!s->qhead)
		s->qtail = NULL;
	last->next = NULL;
	s->qlen -= k;
	*n = k;
	return first;
}

static void member_fail(struct gc_member *m, int rc, const char *detail)
{
	m->rc = ts_error_set(m->err, rc, NULL, "%s", detail);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Runs one member in its savepoint. Returns false when SQLite dropped the whole
 * transaction (I/O error, full disk, ...). */
static bool member_run(struct sq_conn *w, struct gc_member *m)
{
	int rc = gc_exec(w, GC_SAVEPOINT, "savepoint", m->err);
	if (rc == 0) {
		w->base.in_tx = true;
		rc = m->fn(&w->base, m->ctx, m->err);
		w->base.in_tx = false;
		if (rc == 0)
			rc = gc_exec(w, GC_RELEASE, "savepoint", m->err);
		if (rc && !sqlite3_get_autocommit(w->h)) {
			/* undo this member only; the savepoint stays open, so release it too */
			struct ts_error ignored = {0};
			if (gc_exec(w, GC_ROLLBACK_TO, "savepoint", &ignored) == 0)
				gc_exec(w, GC_RELEASE, "savepoint", &ignored);
			ts_error_clear(&ignored);
		}
	}
	m->rc = rc;
	return !sqlite3_get_autocommit(w->h);
}

/* One batch: the members in list (n of them) and those queueing while it runs. Sets every
 * member's rc; returns the list of all members of the batch (to be woken). */
static struct gc_member *batch_run(struct sq_db *s, struct gc_member *list, int n)
{
	static const char busy[] = "Cơ sở dữ liệu đang bận, vui lòng thử lại";
	struct sq_conn *w = &s->writer;
	struct ts_error be = {0};
	int brc = gc_exec(w, GC_BEGIN, "begin", &be);
	if (brc) {
		for (struct gc_member *m = list; m; m = m->next) {
			m->rc = brc;
			if (m->err)
				*m->err = be;
		}
		return list;
	}
	struct gc_member *m = list;
	bool lost = false;
	int ok = 0;
	uint64_t cpu0 = thread_cpu_ns(); /* the leader runs the whole batch on its thread */
	while (m) {
		if (!lost) {
			if (!member_run(w, m)) {
				lost = true;
				if (m->rc == 0)
					member_fail(m, TS_ERR_DB_BUSY, busy);
				/* the members before this one lost their uncommitted writes through
				 * no fault of theirs: "busy" makes ts_db_tx re-run them */
				for (struct gc_member *p = list; p != m; p = p->next)
					if (p->rc == 0)
						member_fail(p, TS_ERR_DB_BUSY, busy);
				ts_log(TS_LOG_WARN, "db group commit batch lost, members re-run",
				       "engine", "sqlite", NULL);
				ok = 0;
			} else if (m->rc == 0) {
				ok++;
			}
		} else {
			member_fail(m, TS_ERR_DB_BUSY, busy);
		}
		if (!m->next && !lost && n < GC_MAX_BATCH) {
			/* writers that queued meanwhile join this batch */
			int more = 0;
			pthread_mutex_lock(&s->gmu);
			struct gc_member *x = queue_take(s, GC_MAX_BATCH - n, &more);
			pthread_mutex_unlock(&s->gmu);
			m->next = x;
			n += more;
		}
		m = m->next;
	}
	uint64_t cpu = thread_cpu_ns() - cpu0;
	pthread_mutex_lock(&s->gmu);
	s->member_cpu_ns += cpu;
	pthread_mutex_unlock(&s->gmu);
	if (lost)
		return list; /* SQLite already rolled back; nothing to commit */
	struct ts_error ce = {0};
	int crc = gc_exec(w, GC_COMMIT, "commit", &ce);
	if (crc && !sqlite3_get_autocommit(w->h))
		sqlite3_exec(w->h, "ROLLBACK", NULL, NULL, NULL);
	for (m = list; m; m = m->next)
		if (m->rc == 0 && crc) {
			m->rc = crc;
			if (m->err)
				*m->err = ce;
		}
	if (crc == 0) {
		pthread_mutex_lock(&s->gmu);
		s->batches++;
		s->members += (uint64_t)ok;
		pthread_mutex_unlock(&s->gmu);
	}
	return list;
}

/* One attempt of a write transaction (db_ops.write_tx). */
static int sq_write_tx(struct ts_db *db, ts_db_tx_fn fn, void *ctx, struct ts_error *err)
{
	struct sq_db *s = db->impl;
	struct gc_member me = {.fn = fn, .ctx = ctx, .err = err};
	pthread_cond_init(&me.cv, NULL);

	pthread_mutex_lock(&s->gmu);
	if (s->qtail)
		s->qtail->next = &me;
	else
		s->qhead = &me;
	s->qtail = &me;
	s->qlen++;
	if (!s->leading) {
		s->leading = true;
		me.lead = true;
	}
	while (!me.done && !me.lead)
		pthread_cond_wait(&me.cv, &s->gmu);
	if (me.done) {
		pthread_mutex_unlock(&s->gmu);
		pthread_cond_destroy(&me.cv);
		return me.rc;
	}
	/* leading: run batches until this caller's own one is done */
	while (!me.done) {
		int n = 0;
		struct gc_member *list = queue_take(s, GC_MAX_BATCH, &n);
		pthread_mutex_unlock(&s->gmu);
		list = batch_run(s, list, n);
		pthread_mutex_lock(&s->gmu);
		for (struct gc_member *m = list, *next; m; m = next) {
			next = m->next; /* m may return (and its stack go) once done is seen */
			m->done = true;
			if (m != &me)
				pthread_cond_signal(&m->cv);
		}
	}
	/* hand the lead to the oldest waiting caller, if any */
	if (s->qhead) {
		s->qhead->lead = true;
		pthread_cond_signal(&s->qhead->cv);
	} else {
		s->leading = false;
	}
	pthread_mutex_unlock(&s->gmu);
	pthread_cond_destroy(&me.cv);
	return me.rc;
}

static void sq_group_stats(struct ts_db *db, struct ts_db_group_stats *out)
{
	struct sq_db *s = db->impl;
	pthread_mutex_lock(&s->gmu);
	out->batches = s->batches;
	out->members = s->members;
	out->member_cpu_ns = s->member_cpu_ns;
	out->waiting = s->qlen;
	pthread_mutex_unlock(&s->gmu);
}

static bool all_space(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* A query given as text (ts_db_query_text) is not in ts_sql_queries: never cached. */
static bool is_adhoc(const struct ts_sql_query *q)
{
	uintptr_t p = (uintptr_t)q, lo = (uintptr_t)ts_sql_queries;
	return p < lo || p >= lo + ts_sql_query_count * sizeof(ts_sql_queries[0]);
}

/* True when SQLite numbered the parameters of st as the SQL numbers them ($k is the k-th):
 * SQLite numbers named parameters by first appearance, so a query that uses $2 before $1
 * needs the name lookup. */
static bool params_in_order(sqlite3_stmt *st)
{
	int n = sqlite3_bind_parameter_count(st);
	for (int k = 1; k <= n; k++) {
		const char *name = sqlite3_bind_parameter_name(st, k);
		if (!name || name[0] != '$' || strtol(name + 1, NULL, 10) != k)
			return false;
	}
	return true;
}

static int prepare(struct sq_conn *c, const struct ts_sql_query *q, sqlite3_stmt **out,
		   bool *in_order, struct ts_error *err)
{
	bool adhoc = is_adhoc(q);
	size_t idx = adhoc ? 0 : (size_t)(q - ts_sql_queries);
	if (!adhoc && c->stmts[idx]) {
		*out = c->stmts[idx];
		*in_order = c->in_order[idx];
		return 0;
	}
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(c->h, q->sqlite, -1, adhoc ? 0 : SQLITE_PREPARE_PERSISTENT, &st, &tail);
	if (rc != SQLITE_OK)
		return fail_rc(c, rc, q->name, err);
	if (!st || !all_space(tail)) {
		sqlite3_finalize(st);
		return ts_db_report(c->base.db, TS_ERR_INTERNAL, q->name, NULL,
				    st ? "query holds more than one statement" : "query is empty",
				    err);
	}
	*in_order = params_in_order(st);
	if (!adhoc) {
		c->stmts[idx] = st;
		c->in_order[idx] = *in_order;
	}
	*out = st;
	return 0;
}

static int bind_params(struct sq_conn *c, sqlite3_stmt *st, bool in_order,
		       const struct ts_sql_query *q, const struct ts_dbval *params, int nparams,
		       struct ts_error *err)
{
	/* Every $1..$n must be used, and nothing else: the same rule PostgreSQL applies. */
	if (sqlite3_bind_parameter_count(st) != nparams) {
		char msg[96];
		snprintf(msg, sizeof(msg), "query takes %d parameters, %d given",
			 sqlite3_bind_parameter_count(st), nparams);
		return ts_db_report(c->base.db, TS_ERR_INTERNAL, q->name, NULL, msg, err);
	}
	for (int i = 0; i < nparams; i++) {
		char pname[16];
		int idx = i + 1;
		if (!in_order) {
			snprintf(pname, sizeof(pname), "$%d", i + 1);
			idx = sqlite3_bind_parameter_index(st, pname);
		}
		if (idx == 0) {
			char msg[64];
			snprintf(msg, sizeof(msg), "query does not use parameter %s", pname);
			return ts_db_report(c->base.db, TS_ERR_INTERNAL, q->name, NULL, msg, err);
		}
		int rc;
		switch (params[i].type) {
		case TS_DBV_INT:
			rc = sqlite3_bind_int64(st, idx, (sqlite3_int64)params[i].i);
			break;
		case TS_DBV_TEXT:
			rc = params[i].s
				 ? sqlite3_bind_text(st, idx, params[i].s, -1, SQLITE_STATIC)
				 : sqlite3_bind_null(st, idx);
			break;
		default:
			rc = sqlite3_bind_null(st, idx);
			break;
		}
		if (rc != SQLITE_OK)
			return fail_rc(c, rc, q->name, err);
	}
	return 0;
}

/* Appends the current row's cells. Integers and reals are rendered as decimal text. */
static int take_row(sqlite3_stmt *st, struct db_resbuf *b, int ncols)
{
	for (int i = 0; i < ncols; i++) {
		char num[40];
		int rc;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			rc = db_resbuf_cell(b, NULL, 0);
			break;
		case SQLITE_INTEGER: {
			int n = snprintf(num, sizeof(num), "%lld",
					 (long long)sqlite3_column_int64(st, i));
			rc = db_resbuf_cell(b, num, (size_t)n);
			break;
		}
		case SQLITE_FLOAT: {
			int n = snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(st, i));
			rc = db_resbuf_cell(b, num, (size_t)n);
			break;
		}
		default: {
			const unsigned char *t = sqlite3_column_text(st, i);
			if (!t)
				return TS_ERR_NOMEM; /* not NULL-typed, so conversion failed */
			rc =
			    db_resbuf_cell(b, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
			break;
		}
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* A statement after its run: an ad-hoc one is finalised, a cached one reset for its next use. */
static int done_stmt(const struct ts_sql_query *q, sqlite3_stmt *st, int rc)
{
	if (is_adhoc(q)) {
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* q prepared (or taken from the connection's cache) with params bound, ready to step. */
static int prepare_bound(struct sq_conn *c, const struct ts_sql_query *q,
			 const struct ts_dbval *params, int nparams, sqlite3_stmt **out,
			 struct ts_error *err)
{
	bool in_order = false;
	int rc = prepare(c, q, out, &in_order, err);
	if (rc == 0 && (rc = bind_params(c, *out, in_order, q, params, nparams, err)))
		done_stmt(q, *out, rc);
	return rc;
}

static int sq_query(struct ts_dbconn *base, struct ts_arena *a, const struct ts_sql_query *q,
		    const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		    struct ts_error *err)
{
	struct sq_conn *c = (struct sq_conn *)base;
	sqlite3_stmt *st = NULL;
	struct db_resbuf b = {0};
	bool collect = out != NULL;
	int rc = prepare_bound(c, q, params, nparams, &st, err);
	if (rc)
		return rc;
	int ncols = sqlite3_column_count(st);
	if (collect) {
		rc = db_resbuf_init(&b, a, ncols);
		for (int i = 0; rc == 0 && i < ncols; i++)
			rc = db_resbuf_colname(&b, i, sqlite3_column_name(st, i));
		if (rc) {
			rc = ts_db_report(c->base.db, rc, q->name, NULL, "out of memory", err);
			goto out;
		}
	}
	sqlite3_int64 before = sqlite3_total_changes64(c->h);
	for (;;) {
		int src = sqlite3_step(st);
		if (src == SQLITE_DONE)
			break;
		if (src != SQLITE_ROW) {
			rc = fail_rc(c, src, q->name, err);
			goto out;
		}
		if (collect && (rc = take_row(st, &b, ncols)) != 0) {
			rc = ts_db_report(c->base.db, rc, q->name, NULL, "out of memory", err);
			goto out;
		}
	}
	/* sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE; only trust it
	 * when this statement changed something. */
	int64_t changes = sqlite3_total_changes64(c->h) != before ? sqlite3_changes64(c->h) : 0;
	if (collect) {
		rc = db_resbuf_finish(&b, changes, out);
		if (rc)
			rc = ts_db_report(c->base.db, rc, q->name, NULL, "out of memory", err);
	}
out:
	if (collect)
		db_resbuf_discard(&b);
	return done_stmt(q, st, rc);
}

static int sq_query_ints(struct ts_dbconn *base, const struct ts_sql_query *q,
			 const struct ts_dbval *params, int nparams, ts_db_row_fn fn, void *ctx,
			 struct ts_error *err)
{
	struct sq_conn *c = (struct sq_conn *)base;
	sqlite3_stmt *st = NULL;
	int64_t vals[TS_DB_INT_COLS];
	int ncols, rc = prepare_bound(c, q, params, nparams, &st, err);
	if (rc)
		return rc;
	ncols = sqlite3_column_count(st);
	if (ncols > TS_DB_INT_COLS) {
		rc = ts_db_report(c->base.db, TS_ERR_INTERNAL, q->name, NULL, "too many columns",
				  err);
		goto out;
	}
	for (;;) {
		int src = sqlite3_step(st);
		if (src == SQLITE_DONE)
			break;
		if (src != SQLITE_ROW) {
			rc = fail_rc(c, src, q->name, err);
			goto out;
		}
		for (int i = 0; i < ncols; i++)
			vals[i] = (int64_t)sqlite3_column_int64(st, i); /* NULL reads as 0 */
		if ((rc = fn(ctx, vals, ncols)))
			goto out;
	}
out:
	return done_stmt(q, st, rc);
}

static int sq_exec_script(struct ts_dbconn *base, const char *label, const char *sql,
			  struct ts_error *err)
{
	struct sq_conn *c = (struct sq_conn *)base;
	char *msg = NULL;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		char code[16];
		snprintf(code, sizeof(code), "%d", sqlite3_extended_errcode(c->h));
		rc = ts_db_report(c->base.db, map_rc(sqlite3_extended_errcode(c->h)), label, code,
				  msg ? msg : sqlite3_errstr(rc), err);
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/* ---- prefetch ------------------------------------------------------------------------------ */

/* A scan of most of the store in index order (the statistics recount) reads pages that lie
 * scattered through the file, since every table and index grows at once; from a cold disk
 * each is one random read (10 M dossiers: about 50 s of waiting for 3.3 GB). Asked for in file
 * order, the same pages come at the disk's sequential speed (11 GB in about 13 s here), so a
 * thread reads the file from its start while the scan runs, and the kernel keeps what it read
 * in its page cache (posix_fadvise WILLNEED is no substitute: Linux read only 2.8 GB of that
 * 11 GB file for it). Only when the file fits in half of the memory available, so that it
 * pushes nothing useful out. */
#define PREFETCH_CHUNK (1 << 20)

struct sq_prefetch {
	pthread_t thread;
	int fd;
	off_t size;
	atomic_bool stop;
};

static void *prefetch_main(void *vp)
{
	struct sq_prefetch *p = vp;
	char *buf = ts_malloc(PREFETCH_CHUNK);
	if (!buf)
		return NULL;
	for (off_t off = 0; off < p->size && !atomic_load(&p->stop);) {
		ssize_t n = pread(p->fd, buf, PREFETCH_CHUNK, off);
		if (n <= 0)
			break; /* an error or the end: the scan reads on, only slower */
		off += n;
	}
	ts_free(buf);
	return NULL;
}

/* MemAvailable from /proc/meminfo, bytes; where that file is hidden (the systemd unit's
 * ProcSubset=pid), the free memory and buffers sysinfo(2) reports, which leaves out the page
 * cache and so errs on the small side. */
static long long mem_available(void)
{
	char line[128];
	long long kib = 0;
	struct sysinfo si;
	FILE *f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
				break;
		fclose(f);
	}
	if (kib > 0)
		return kib * 1024;
	if (sysinfo(&si) != 0)
		return 0;
	return ((long long)si.freeram + (long long)si.bufferram) * (long long)si.mem_unit;
}

static void *sq_prefetch_start(struct ts_db *db)
{
	struct sq_db *s = db->impl;
	const char *path = sqlite3_db_filename(s->writer.h, "main");
	struct stat st;
	struct sq_prefetch *p;
	int fd;

	if (!path || !*path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > mem_available() / 2 ||
	    !(p = ts_calloc(1, sizeof(*p)))) {
		close(fd);
		return NULL;
	}
	p->fd = fd;
	p->size = st.st_size;
	atomic_init(&p->stop, false);
	if (pthread_create(&p->thread, NULL, prefetch_main, p) != 0) {
		close(fd);
		ts_free(p);
		return NULL;
	}
	return p;
}

static void sq_prefetch_end(void *vp, bool finish)
{
	struct sq_prefetch *p = vp;
	if (!finish)
		atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	close(p->fd);
	ts_free(p);
}

const struct db_ops ts_db_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .acquire = sq_acquire,
    .release = sq_release,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .query = sq_query,
    .query_ints = sq_query_ints,
    .exec_script = sq_exec_script,
    .write_tx = sq_write_tx,
    .group_stats = sq_group_stats,
    .prefetch_start = sq_prefetch_start,
    .prefetch_end = sq_prefetch_end,
};
