/* outbox.h - the outbox dispatcher (DESIGN.md §6, issue 7): a background thread claims due
 * messages that dossier transactions wrote to the `outbox` table, hands each to the target
 * whose topic prefix it carries (src/dvcqg for "dossier."), and records the outcome:
 * delivered, retried later with exponential backoff and jitter, or dead-lettered. Claims
 * are leases (UPDATE ... RETURNING; FOR UPDATE SKIP LOCKED on PostgreSQL), so several nodes
 * never deliver the same message at once, and a message is never claimed while an earlier
 * one of the same key (the dossier code) is undelivered. Never sees HTTP (outbox_http.c). */
#ifndef TS_OUTBOX_OUTBOX_H
#define TS_OUTBOX_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "db/db.h"

/* One claimed message; strings live in the arena given to the target. */
struct ts_outbox_msg {
	int64_t id;
	const char *topic, *key, *payload;
	int attempts; /* including this one */
	int64_t created_at;
};

/* What a delivery came to. */
enum ts_outbox_outcome {
	TS_OUTBOX_DELIVERED, /* the remote took it (also "already had it") */
	TS_OUTBOX_RETRY,     /* transient: network, timeout, 5xx, 429 - try again later */
	TS_OUTBOX_REFUSED    /* the remote refused the content: dead letter at once */
};

/* Delivers m; writes a short reason (no personal data) into errbuf on failure. Runs on the
 * dispatcher thread; may read the store with db. */
typedef enum ts_outbox_outcome (*ts_outbox_deliver_fn)(void *ud, struct ts_db *db,
							struct ts_arena *a,
							const struct ts_outbox_msg *m,
							char *errbuf, size_t errsz);

struct ts_outbox_target {
	const char *name;         /* "dvcqg"; the label of its metrics */
	const char *topic_prefix; /* messages whose topic starts with it ("dossier.") */
	ts_outbox_deliver_fn deliver;
	void *ud;
};

struct ts_outbox_options {
	const char *node;       /* this node's name in leases (unique per running node) */
	int max_attempts;       /* dead letter after this many failed attempts */
	int backoff_base_ms;    /* first retry after about this long, doubling each attempt */
	int backoff_max_s;      /* ... up to this */
	int poll_ms;            /* look for due messages at least this often */
	int batch;              /* messages claimed at once per target */
	int lease_s;            /* a claim expires after this (a node died mid-delivery) */
};

/* Backoff before attempt `attempts + 1`: base * 2^(attempts-1) capped at max, with "equal
 * jitter" (a uniform draw in [d/2, d]) from r in [0, 1). Milliseconds. Pure. */
int64_t ts_outbox_backoff_ms(int attempts, int base_ms, int max_s, double r);

/* Starts the dispatcher thread over db (borrowed; must outlive it) for the n targets
 * (copied; their ud borrowed). Releases the leases this node held before a restart.
 * *out owned by the caller, stop with ts_outbox_stop. TS_ERR_NOMEM / TS_ERR_INTERNAL. */
struct ts_outbox;
int ts_outbox_start(struct ts_db *db, const struct ts_outbox_options *opt,
		    const struct ts_outbox_target *targets, int n, struct ts_outbox **out,
		    struct ts_error *err);
/* Asks the thread to stop, waits for the delivery in progress to finish (bounded by the
 * target's own timeouts) and frees it. NULL is a no-op. */
void ts_outbox_stop(struct ts_outbox *ob);
/* Wakes the dispatcher now (new messages). Thread-safe; no-op when none runs. */
void ts_outbox_wake(void);

/* Health of the integrations: the queue gauges read from the store (all messages and per
 * target of the running dispatcher) and that dispatcher's counters since it started. One
 * reading feeds both /metrics (ts_outbox_metrics) and the admin API (ts_outbox_health_json). */
#define TS_OUTBOX_MAX_TARGETS 8
struct ts_outbox_target_health {
	const char *name, *topic_prefix;      /* in the arena */
	int64_t pending, dead, oldest_pending_s; /* from the store (topic prefix of the target) */
	uint64_t delivered, failures, dead_lettered, attempts; /* this node's counters */
	double latency_sum;                   /* seconds from creation to delivery, summed */
	double attempt_sum;                   /* seconds spent in remote calls, summed */
};
struct ts_outbox_health {
	int64_t at;                           /* unix seconds of the reading */
	int64_t pending, dead, oldest_pending_s; /* every message, whatever its target */
	bool running;                         /* a dispatcher runs on this node */
	int ntargets;
	struct ts_outbox_target_health t[TS_OUTBOX_MAX_TARGETS];
};
/* Reads the health into *h (strings in a). TS_ERR_NOMEM or the store's error. */
int ts_outbox_health(struct ts_db *db, struct ts_arena *a, struct ts_outbox_health *h,
		     struct ts_error *err);
/* The reading as JSON (new reference; NULL on memory failure), latency as averages. */
json_t *ts_outbox_health_json(const struct ts_outbox_health *h);
/* The reading as Prometheus text in a (the tinhso_outbox_* families); NULL on failure. */
char *ts_outbox_metrics(struct ts_db *db, struct ts_arena *a);

/* ---- admin (permission outbox.manage) ---- */
/* Lists messages (newest filters: status "pending" | "delivered" | "dead" or NULL, key or
 * NULL, topic prefix or NULL) after id `after`, up to limit (1..200). *out: new reference
 * {items:[...], next_after}. */
int ts_outbox_list(struct ts_db *db, struct ts_arena *a, const char *status, const char *key,
		   const char *topic, int64_t after, int limit, json_t **out, struct ts_error *err);
/* One message as JSON (new reference). TS_ERR_NOT_FOUND. */
int ts_outbox_get(struct ts_db *db, struct ts_arena *a, int64_t id, json_t **out,
		  struct ts_error *err);
struct ts_ctx;
/* Puts a dead message back in the queue with its attempts reset (audited). TS_ERR_CONFLICT
 * when it is not dead, TS_ERR_NOT_FOUND. */
int ts_outbox_retry(struct ts_ctx *ctx, int64_t id, struct ts_error *err);
/* Sends a delivered message again as a new message queued after everything of its key
 * (audited); *new_id its id. TS_ERR_CONFLICT when it is not delivered, TS_ERR_NOT_FOUND. */
int ts_outbox_replay(struct ts_ctx *ctx, int64_t id, int64_t *new_id, struct ts_error *err);

/* ---- HTTP adapters (outbox_http.c) ---- */
struct ts_call;
int ts_outbox_http_list(struct ts_call *call, struct ts_error *err);
int ts_outbox_http_get(struct ts_call *call, struct ts_error *err);
int ts_outbox_http_retry(struct ts_call *call, struct ts_error *err);
int ts_outbox_http_replay(struct ts_call *call, struct ts_error *err);
int ts_outbox_http_health(struct ts_call *call, struct ts_error *err);

#endif
