/* db_int.h - private to src/db/: the per-engine vtable behind db.h, the shared parts of
 * struct ts_db and struct ts_dbconn, and helpers the engines share (result building, error
 * reporting). db.c holds the engine-neutral logic; sqlite.c and pgsql.c fill the vtable. */
#ifndef TS_DB_DB_INT_H
#define TS_DB_DB_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "db/db.h"
#include "db/sql_embed.h"

/* Base of every engine connection; engines embed it as their first member. */
struct ts_dbconn {
	struct ts_db *db;
	bool in_tx; /* between a successful begin and commit / rollback */
	bool committed_only; /* in a read transaction: sees committed rows only (ts_db_cache) */
};

/* Operations of one engine. Every function returning int returns 0 or a negative
 * enum ts_err and fills err. */
struct db_ops {
	const char *name; /* "sqlite" / "pgsql", for logs */
	/* target: the url without its scheme ("sqlite:" path) or the whole PostgreSQL url.
	 * Sets db->impl. On failure everything opened so far is released. */
	int (*open)(struct ts_db *db, const char *target, struct ts_error *err);
	void (*close)(struct ts_db *db);
	/* Borrows a connection for one transaction (waits for a free one). */
	int (*acquire)(struct ts_db *db, int flags, struct ts_dbconn **out, struct ts_error *err);
	void (*release)(struct ts_db *db, struct ts_dbconn *c);
	int (*begin)(struct ts_dbconn *c, int flags, struct ts_error *err);
	int (*commit)(struct ts_dbconn *c, struct ts_error *err);
	void (*rollback)(struct ts_dbconn *c);
	/* Runs one named query (q is an element of ts_sql_queries). */
	int (*query)(struct ts_dbconn *c, struct ts_arena *a, const struct ts_sql_query *q,
		     const struct ts_dbval *params, int nparams, struct ts_dbres **out,
		     struct ts_error *err);
	/* Optional: streams an all-integer result row by row (ts_db_query_ints); without it
	 * db.c runs query and parses the materialised cells. */
	int (*query_ints)(struct ts_dbconn *c, const struct ts_sql_query *q,
			  const struct ts_dbval *params, int nparams, ts_db_row_fn fn, void *ctx,
			  struct ts_error *err);
	/* Runs a multi-statement script (migrations) inside the open transaction. */
	int (*exec_script)(struct ts_dbconn *c, const char *label, const char *sql,
			   struct ts_error *err);
	/* Optional: one attempt of a write transaction, replacing acquire / begin / commit /
	 * release for TS_DB_TX_WRITE (SQLite's group commit: fn runs in a savepoint of a
	 * transaction shared with concurrent writers, committed once for all). Returns fn's
	 * code, or the commit's; TS_ERR_DB_BUSY makes ts_db_tx re-run fn. */
	int (*write_tx)(struct ts_db *db, ts_db_tx_fn fn, void *ctx, struct ts_error *err);
	/* Optional: group commit counters (batches committed, members in them). */
	void (*group_stats)(struct ts_db *db, struct ts_db_group_stats *out);
	/* Optional: ts_db_prefetch_start / ts_db_prefetch_end (db.h). */
	void *(*prefetch_start)(struct ts_db *db);
	void (*prefetch_end)(void *p, bool finish);
};

extern const struct db_ops ts_db_sqlite_ops;
extern const struct db_ops ts_db_pgsql_ops;

struct ts_db {
	enum ts_db_engine engine;
	const struct db_ops *ops;
	struct ts_db_options opt;
	void *impl; /* engine state */
	atomic_uint_least64_t errors;
	atomic_uint_least64_t retries;
	struct ts_cache *cache; /* immutable rows, shared by the store's connections */
};

/* Records a failed query: logs name + engine message (never parameters), counts TS_ERR_DB /
 * TS_ERR_UNAVAILABLE failures and fills err with a Vietnamese detail. Returns code. */
int ts_db_report(struct ts_db *db, int code, const char *query, const char *engine_code,
		 const char *engine_msg, struct ts_error *err);

/* Growing result being materialised into an arena. */
struct db_resbuf {
	struct ts_arena *a;
	struct ts_dbres *res;
	const char **cells; /* heap (ts_realloc), copied into the arena at the end */
	size_t ncells, cap;
};

/* Starts a result with ncols columns; names are copied into the arena later by
 * db_resbuf_colname. Returns 0 or TS_ERR_NOMEM. */
int db_resbuf_init(struct db_resbuf *b, struct ts_arena *a, int ncols);
int db_resbuf_colname(struct db_resbuf *b, int col, const char *name);
/* Appends one cell (s == NULL: SQL NULL), copied into the arena. */
int db_resbuf_cell(struct db_resbuf *b, const char *s, size_t len);
/* Finishes: rows = cells / ncols; *out (if out) gets the result. Frees the heap part. */
int db_resbuf_finish(struct db_resbuf *b, int64_t changes, struct ts_dbres **out);
void db_resbuf_discard(struct db_resbuf *b);

/* Fault injection (TS_FAULT_INJECTION builds): true when this query must fail. */
bool ts_db_fault_hit(void);

#endif
