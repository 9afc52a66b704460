/* db.h - the one storage API over SQLite (embedded default) and PostgreSQL (scale-out).
 * Modules run named queries (sql/ *.sql, "-- name: x" blocks, $1..$N placeholders) inside
 * transactions; only db/sqlite.c and db/pgsql.c see the engines. */
#ifndef TS_DB_DB_H
#define TS_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

enum ts_db_engine { TS_DB_SQLITE, TS_DB_PGSQL };

struct ts_db;     /* a pool of connections to one store; thread-safe */
struct ts_dbconn; /* one connection, used by one thread inside ts_db_tx */

/* A bound parameter. Build with the TS_DB_* macros below. Text is borrowed for the call. */
enum ts_dbval_type { TS_DBV_NULL, TS_DBV_INT, TS_DBV_TEXT };
struct ts_dbval {
	enum ts_dbval_type type;
	int64_t i;
	const char *s;
};
#define TS_DB_NULL ((struct ts_dbval){.type = TS_DBV_NULL})
#define TS_DB_INT(x) ((struct ts_dbval){.type = TS_DBV_INT, .i = (int64_t)(x)})
/* NULL pointer binds SQL NULL. A function, not a conditional in the macro, so that passing
 * a char array does not trip -Waddress ("address will always evaluate as true"). */
static inline struct ts_dbval ts_dbval_text(const char *s)
{
	return (struct ts_dbval){.type = s ? TS_DBV_TEXT : TS_DBV_NULL, .s = s};
}
#define TS_DB_TEXT(x) ts_dbval_text(x)

/* A fully materialised result; lives in the arena given to ts_db_query. Cells are text
 * (integers rendered in decimal) or NULL. */
struct ts_dbres {
	int nrows, ncols;
	const char **cols;  /* column names, ncols */
	const char **cells; /* nrows * ncols, row-major; NULL = SQL NULL */
	int64_t changes;    /* rows changed by INSERT/UPDATE/DELETE */
	int col_next;       /* ts_dbres_col looks here first: callers read columns in order */
};

struct ts_db_options {
	int pool_size;         /* connections in the pool (>= 1); SQLite: readers, plus one writer */
	int busy_timeout_ms;   /* SQLite busy timeout; PostgreSQL lock_timeout */
	int max_retries;       /* ts_db_tx retries on TS_ERR_DB_BUSY (busy / serialization / deadlock) */
	bool bulk_load;        /* commits not waited for on disk (SQLite synchronous=OFF,
	                        * PostgreSQL synchronous_commit=off): only for re-runnable bulk
	                        * loads such as `tinhso demo`; never for serving */
	int connect_wait_s;    /* PostgreSQL: while the server does not answer (down, starting up,
	                        * in recovery) ts_db_open waits for it up to this long, asking
	                        * about once a second and logging every 5 s; 0 = fail at once */
	/* called with each "waiting" log line (systemd status), may be NULL; from the opening
	 * thread */
	void (*on_connect_wait)(int waited_s, int limit_s);
};

/* Opens a store. url is "sqlite:PATH" (file created if missing; WAL, foreign keys on,
 * synchronous=FULL) or "postgresql://..." / "postgres://...". *out owned by caller, close
 * with ts_db_close (NULL is a no-op). Returns 0, TS_ERR_CONFIG (bad url), TS_ERR_UNAVAILABLE. */
int ts_db_open(const char *url, const struct ts_db_options *opt, struct ts_db **out,
	       struct ts_error *err);
void ts_db_close(struct ts_db *db);
enum ts_db_engine ts_db_engine_of(const struct ts_db *db);

/* Runs fn(conn, ctx) inside one transaction: commits when fn returns 0, rolls back
 * otherwise. When fn or the commit fails with TS_ERR_DB_BUSY the whole transaction is
 * retried (bounded, with backoff), so fn must be safe to re-run. flags: TS_DB_TX_WRITE for
 * transactions that write. Returns fn's code or a DB error; err filled by the first
 * failure. Thread-safe. Returns 0 only once the commit is durable (SQLite synchronous=FULL,
 * PostgreSQL synchronous_commit=on) unless the store was opened with bulk_load.
 *
 * SQLite group commit: write transactions run one at a time on the single writer
 * connection, each fn in its own SAVEPOINT of one outer transaction (BEGIN IMMEDIATE)
 * shared with the writers that queued meanwhile; the last of them commits for all (one
 * fsync) and wakes the others. A failing fn is rolled back to its savepoint and never
 * fails its neighbours; when SQLite itself drops the outer transaction (I/O error, full
 * disk) the neighbours not yet committed are re-run. A member sees the uncommitted writes
 * of the members before it in its batch (as it would see them committed one by one);
 * readers see the batch once committed. PostgreSQL: each transaction commits on its own
 * connection; the server groups concurrent commits into shared WAL flushes. */
/*
 * Slots (PostgreSQL): every pooled connection sets the session setting tinhso.slot to its
 * place in the pool, 0 .. pool_size - 1, at every (re)connect; queries read it with
 * current_setting('tinhso.slot'). A row that every transaction of a kind would update (a
 * counter, a chain head) is kept as one row per slot instead, so that concurrent
 * transactions on other connections never wait for its row lock, which PostgreSQL holds
 * until the commit is flushed (one fsync after the other). Two nodes on one database use the
 * same slot numbers: their transactions may then wait for each other, never go wrong. SQLite
 * has one writer and no slots (its queries use slot 0 or none).
 */
#define TS_DB_TX_READ 0
#define TS_DB_TX_WRITE 1
/* With TS_DB_TX_WRITE: a write whose last moments may be lost in a crash (abuse-limit
 * counts): PostgreSQL commits it without waiting for the WAL flush (synchronous_commit off
 * for this transaction alone; it is still atomic and in order). SQLite ignores it. */
#define TS_DB_TX_LAZY 2
typedef int (*ts_db_tx_fn)(struct ts_dbconn *c, void *ctx, struct ts_error *err);
int ts_db_tx(struct ts_db *db, int flags, ts_db_tx_fn fn, void *ctx, struct ts_error *err);

/* Runs the named query with params ($1..$n) on c. *out (may be NULL when rows are not
 * wanted) lives in arena a. Errors: TS_ERR_CONFLICT (unique violation),
 * TS_ERR_VALIDATION (foreign key / check violation), TS_ERR_DB_BUSY (retryable),
 * TS_ERR_DB (other; logged with the query name, never the parameters),
 * TS_ERR_INTERNAL (unknown query name). */
int ts_db_query(struct ts_dbconn *c, struct ts_arena *a, const char *name,
		const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		struct ts_error *err);

/* Streams the rows of a named query whose columns are all integers to fn, one row at a
 * time, without materialising them (for scans over millions of rows, such as the statistics
 * recount): vals[0..ncols) holds the row, SQL NULL as 0 (use COALESCE where 0 is ambiguous);
 * at most TS_DB_INT_COLS columns. fn returns 0 to go on; anything else stops the scan and
 * is returned. SQLite reads the values straight from the statement; PostgreSQL
 * materialises the result and parses it. Same errors as ts_db_query, plus
 * TS_ERR_INTERNAL for too many columns. */
#define TS_DB_INT_COLS 32
typedef int (*ts_db_row_fn)(void *ctx, const int64_t *vals, int ncols);
int ts_db_query_ints(struct ts_dbconn *c, const char *name, const struct ts_dbval *params,
		     int nparams, ts_db_row_fn fn, void *ctx, struct ts_error *err);

/* Runs one statement given as text (label names it in logs). Only for tools that work on
 * tables learnt from the catalogue (tinhso migrate-store), since table and column names
 * cannot be parameters; everything else uses named queries. Not cached; same errors as
 * ts_db_query. */
int ts_db_query_text(struct ts_dbconn *c, struct ts_arena *a, const char *label, const char *sql,
		     const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		     struct ts_error *err);

/* The store's in-process cache of values that never change once readable (base/cache.h),
 * shared by every connection and thread of this store (one per ts_db_open, so two stores
 * never mix). *fill (may be NULL) says whether values read on c may be stored in it: only
 * inside a read transaction, which sees committed rows only (a write transaction sees its
 * own rows and, on SQLite, those of its commit group, which a rollback may take back and a
 * later insert may reuse the ids of). Looking up is always right. */
struct ts_cache;
struct ts_cache *ts_db_cache(struct ts_dbconn *c, bool *fill);

/* Cell helpers; row/col out of range -> NULL / 0 / false. */
const char *ts_dbres_get(const struct ts_dbres *r, int row, int col);
int64_t ts_dbres_int(const struct ts_dbres *r, int row, int col);
bool ts_dbres_isnull(const struct ts_dbres *r, int row, int col);
int ts_dbres_col(const struct ts_dbres *r, const char *name); /* -1 if absent */

/* Applies numbered migrations not yet recorded in the store (table schema_migration),
 * each in its own transaction; logs each one applied. *applied (may be NULL) gets the count.
 * Thread-safe only against itself on one node. */
int ts_db_migrate(struct ts_db *db, int *applied, struct ts_error *err);
/* Highest migration number recorded in the store, and the highest built in. */
int ts_db_schema_version(struct ts_db *db, int *current, int *latest, struct ts_error *err);

/* Cheap reachability check for /readyz: runs a trivial query. */
int ts_db_ping(struct ts_db *db, struct ts_error *err);

/* Count of database errors (not busy retries that later succeeded) since start; for /metrics. */
uint64_t ts_db_error_count(const struct ts_db *db);
/* Count of transactions re-run by ts_db_tx after TS_ERR_DB_BUSY since start; for /metrics. */
uint64_t ts_db_retry_count(const struct ts_db *db);

/* Group commit counters since start (SQLite; all 0 on PostgreSQL), for /metrics: batches
 * committed and the write transactions (members) they held, members / batches being the mean
 * batch size; the CPU time the writer spent running members, in their savepoints, without
 * the commits: the serial part of every write, which bounds the writes per second at
 * members / member_cpu_ns * 1e9; and the write transactions waiting for their turn now. */
struct ts_db_group_stats {
	uint64_t batches, members, member_cpu_ns;
	int waiting;
};
void ts_db_group_stats(struct ts_db *db, struct ts_db_group_stats *out);
/* Write transactions waiting for their turn on the SQLite writer right now (0 on
 * PostgreSQL). For /metrics and tests. */
int ts_db_write_queue(struct ts_db *db);
/* The store's read cache counters since it opened (base/cache.h), for /metrics. */
struct ts_cache_stats;
void ts_db_cache_stats(struct ts_db *db, struct ts_cache_stats *out);

/* For one scan over most of the store (the statistics recount): starts reading the store's
 * file into the operating system's page cache in file order, in the background, so that the
 * scan's reads in index order find their pages there instead of waiting for one random read
 * each from a cold disk. SQLite only, and only when the file fits in half the memory
 * available; NULL when nothing was started (PostgreSQL keeps its own buffers).
 * ts_db_prefetch_end stops it (finish: let it read to the end first) and frees it; NULL is a
 * no-op. */
struct ts_db_prefetch;
struct ts_db_prefetch *ts_db_prefetch_start(struct ts_db *db);
void ts_db_prefetch_end(struct ts_db *db, struct ts_db_prefetch *p, bool finish);

/* Fault injection (only effective in TS_FAULT_INJECTION builds): after n more queries,
 * every ts_db_query fails with TS_ERR_DB (n < 0 disables). Process-wide; thread-safe. */
void ts_db_fail_queries_after(long n);

#endif
