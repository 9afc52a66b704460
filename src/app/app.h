/* app.h - wiring of the running server: the route table, the dispatcher and the
 * application-level handlers (health, readiness, metrics, API description, static UI). */
#ifndef TS_APP_APP_H
#define TS_APP_APP_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/json.h"
#include "db/db.h"
#include "http/http.h"

/* Route flags */
#define TS_ROUTE_CSRF_EXEMPT 0x1u /* a mutation that needs no CSRF token (no session exists yet) */
#define TS_ROUTE_NO_AUDIT 0x2u    /* a mutation that writes nothing to audit (none yet) */
#define TS_ROUTE_BULK_BODY 0x4u   /* bulk imports: body capped by http.max_import_body */
#define TS_ROUTE_CSV_BODY 0x10u   /* the body is text/csv handed to the handler as is */
#define TS_ROUTE_REPLICA 0x20u    /* a read that may be served by the read replica (db.replica_url),
                                   * unless the person wrote within db.replica_window */
#define TS_ROUTE_STREAM 0x8u      /* multipart/form-data streamed to the sink that the route's
                                   * open() sets (after authentication, permission and CSRF
                                   * are checked, before any byte of the body is read) */

/* Abuse limits (ratelimit.c, ratelimit.* settings): at most one class per route; counted
 * per client address and per account before the handler runs (streams: before the body). */
#define TS_ROUTE_LIMIT_LOGIN 0x20u
#define TS_ROUTE_LIMIT_REGISTER 0x40u
#define TS_ROUTE_LIMIT_SUBMIT 0x80u
#define TS_ROUTE_LIMIT_UPLOAD 0x100u
#define TS_ROUTE_LIMIT_LOOKUP 0x200u
#define TS_ROUTE_LIMITS                                                                            \
	(TS_ROUTE_LIMIT_LOGIN | TS_ROUTE_LIMIT_REGISTER | TS_ROUTE_LIMIT_SUBMIT |                   \
	 TS_ROUTE_LIMIT_UPLOAD | TS_ROUTE_LIMIT_LOOKUP)

struct ts_route {
	const char *method;
	const char *pattern;                /* "/api/v1/units/{id}" */
	ts_handler_fn handler;
	int perm;                           /* enum ts_perm required by the dispatcher */
	unsigned flags;
	const struct ts_json_spec *spec;    /* request body spec, NULL = no body */
	const char *tag;                    /* OpenAPI tag */
	const char *summary;                /* one line, Vietnamese */
	ts_handler_fn open;                 /* TS_ROUTE_STREAM: runs when the headers are in;
	                                     * sets call->req->sink or refuses (call->body NULL) */
};

/* THE route table (routes.c) */
extern const struct ts_route ts_routes[];
extern const size_t ts_nroutes;

/* The running application; one per process. */
struct ts_app {
	struct ts_config *cfg;
	struct ts_db *db;
	struct ts_db *replica;  /* read-only streaming replica, NULL when not configured */
	int replica_window_s;   /* reads stay on the primary this long after a person's write */
	const char *web_root;
	uint64_t unaudited; /* successful mutations that wrote no audit row (must stay 0) */
};

/* Cookie naming the time (unix seconds) of the person's last write, set on successful
 * mutations when a replica is configured: reads of TS_ROUTE_REPLICA routes go to the primary
 * while it is younger than replica_window_s. */
#define TS_RW_COOKIE "tinhso_rw"

/* Replica routing counters since start (dispatch.c), for /metrics: reads served by the
 * replica, reads of replica routes kept on the primary by a recent write, and reads moved to
 * the primary because the replica failed. */
struct ts_replica_stats {
	uint64_t replica, sticky, fallback;
};
void ts_dispatch_replica_stats(struct ts_replica_stats *out);

/* The dispatcher as an http app (dispatch.c). app must outlive the server. */
void ts_dispatch_init(struct ts_app *app, struct ts_http_app *out);
struct ts_app *ts_dispatch_app(void);

/* Counts one request of the route's limit class (flags & TS_ROUTE_LIMITS; none = 0 at
 * once) for the client address and, when given, the account key (a login name, personal
 * ID, or "a:<id>"; borrowed) — on PostgreSQL in the store, in its own write transaction (all
 * nodes share the counts), on SQLite (one node) in memory — and refuses with
 * TS_ERR_THROTTLED when either count is past its ratelimit.* setting for the current
 * window. Nothing is counted when ratelimit.enabled is false. Subjects are stored hashed.
 * Returns 0, TS_ERR_THROTTLED or a DB error (err filled). Thread-safe (ratelimit.c). */
int ts_ratelimit_check(struct ts_app *app, struct ts_arena *a, unsigned flags,
		       const char *client_addr, const char *account, struct ts_error *err);

/* PostgreSQL: starts the thread that adds this node's public-lookup counts to the shared ones
 * every ratelimit.sync_interval seconds (ratelimit.c); nothing on SQLite or with interval 0.
 * Stop syncs a last time. */
int ts_ratelimit_sync_start(struct ts_app *app, struct ts_error *err);
void ts_ratelimit_sync_stop(void);

/* The OpenAPI 3.1 document generated from ts_routes (openapi.c); new reference. */
json_t *ts_openapi_build(void);
/* The readable HTML page of the API (openapi.c); in the arena. */
char *ts_openapi_html(struct ts_arena *a, size_t *len);

/* Application-level route handlers (app_http.c). */
int ts_app_http_healthz(struct ts_call *call, struct ts_error *err);
int ts_app_http_readyz(struct ts_call *call, struct ts_error *err);
int ts_app_http_metrics(struct ts_call *call, struct ts_error *err);
int ts_app_http_openapi(struct ts_call *call, struct ts_error *err);
int ts_app_http_docs(struct ts_call *call, struct ts_error *err);

/* A random password that meets the policy (letters and digits, 12+ characters). */
void ts_app_random_password(char *out, size_t outsz);

/* Loads the demo province and one account per role (demo.c). password NULL = a random
 * one per run, printed. Idempotent: existing units and accounts are kept, passwords reset. */
int ts_demo_load(struct ts_db *db, const char *password, int dossiers, FILE *out,
		 struct ts_error *err);
/* Plays `count` dossiers over the last 18 months through the dossier engine as the demo
 * accounts (demo_dossiers.c); nothing when dossiers exist already. sample: the national
 * catalogue sample (procedures to use first). */
int ts_demo_dossiers(struct ts_db *db, const json_t *sample, int count, FILE *out,
		     struct ts_error *err);

/* `tinhso migrate-store` (migrate_store.c). ts_store_copy copies every table of src (SQLite,
 * not written meanwhile) into dst (PostgreSQL, migrated, empty) in one transaction and
 * makes dst's identity generators follow; *rows gets the rows copied. ts_store_compare
 * compares every table of both (row count and digest, one line each on out) and verifies
 * dst's audit chain; *differing counts tables that differ (+1 for a broken chain). */
int ts_store_copy(struct ts_db *src, struct ts_db *dst, FILE *out, int64_t *rows, struct ts_error *err);
int ts_store_compare(struct ts_db *src, struct ts_db *dst, FILE *out, int64_t *differing, struct ts_error *err);

/* `tinhso backup DEST` / `tinhso restore SRC` (backup.c, docs/backup.md). ts_backup writes
 * the store (SQLite online backup -> DEST/tinhso.db; PostgreSQL pg_dump -Fc ->
 * DEST/tinhso.pgdump) and then the attachments folder (DEST/files/) into DEST, a new or empty
 * folder, while the service keeps serving. ts_restore copies such a folder into an EMPTY
 * store (a SQLite file that does not exist yet, a PostgreSQL database without tables) and
 * the attachments folder. One line on out when done. */
int ts_backup(const char *db_url, const char *attach_dir, const char *dest, FILE *out,
	      struct ts_error *err);
int ts_restore(const char *src, const char *db_url, const char *attach_dir, FILE *out,
	       struct ts_error *err);

#endif
