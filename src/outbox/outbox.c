/* outbox.c - the dispatcher thread (claim with a lease, deliver, record the outcome with
 * backoff or dead letter), its counters for /metrics and the admin operations. The claim
 * query differs per engine (sql/{sqlite,pgsql}/queries/outbox.sql); everything else is in
 * sql/common/queries/outbox.sql. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/mem.h"
#include "iam/iam.h"
#include "outbox/outbox.h"

#define MAX_TARGETS TS_OUTBOX_MAX_TARGETS
#define ARENA_CAP (8u << 20)

struct counters {
	uint64_t delivered, failures, dead;
	double latency_sum; /* seconds from the message's creation to its delivery */
	double attempt_sum; /* seconds spent in the remote call, all attempts */
	uint64_t attempts;
};

struct ts_outbox {
	struct ts_db *db;
	struct ts_outbox_options opt;
	char node[128];
	struct ts_outbox_target targets[MAX_TARGETS];
	int ntargets;
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, wake;
	struct counters c[MAX_TARGETS];
};

/* The running dispatcher, for ts_outbox_wake and the metrics (one per process). */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ts_outbox *g_ob;

static int64_t now_s(void) { return (int64_t)time(NULL); }

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t ts_outbox_backoff_ms(int attempts, int base_ms, int max_s, double r)
{
	int64_t d = base_ms > 0 ? base_ms : 1, cap = (int64_t)(max_s > 0 ? max_s : 1) * 1000;
	for (int i = 1; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999999;
	return d / 2 + (int64_t)((double)(d - d / 2) * r);
}

static double uniform01(void)
{
	unsigned char b[4];
	char hex[16];
	ts_random_hex(hex, sizeof(hex), 4);
	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		sscanf(hex + 2 * i, "%2x", &v);
		b[i] = (unsigned char)v;
	}
	uint32_t u = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (double)u / 4294967296.0;
}

/* ---- one round: claim, deliver, record ------------------------------------------------- */

struct claim_st {
	struct ts_outbox *ob;
	const struct ts_outbox_target *t;
	struct ts_arena *a;
	struct ts_dbres *rows;
};

static int claim_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct claim_st *st = vst;
	int64_t now = now_s();
	const char *pattern = ts_arena_printf(st->a, "%s%%", st->t->topic_prefix);
	if (!pattern)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	struct ts_dbval p[] = {TS_DB_INT(now), TS_DB_TEXT(st->ob->node),
			       TS_DB_INT(now + st->ob->opt.lease_s), TS_DB_INT(st->ob->opt.batch),
			       TS_DB_TEXT(pattern)};
	return ts_db_query(c, st->a, "outbox_claim", p, 5, &st->rows, err);
}

struct outcome_st {
	struct ts_arena *a;
	const char *query;
	struct ts_dbval p[3];
	int np;
};

static int outcome_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct outcome_st *st = vst;
	return ts_db_query(c, st->a, st->query, st->p, st->np, NULL, err);
}

static int by_id(const void *x, const void *y)
{
	int64_t a = ((const struct ts_outbox_msg *)x)->id, b = ((const struct ts_outbox_msg *)y)->id;
	return (a > b) - (a < b);
}

static void record(struct ts_outbox *ob, int ti, struct ts_arena *a,
		   const struct ts_outbox_msg *m, enum ts_outbox_outcome oc, const char *why,
		   double spent)
{
	struct outcome_st st = {.a = a};
	struct ts_error err = {0};
	int64_t now = now_s();
	char idbuf[24], attbuf[16];
	const char *what;

	snprintf(idbuf, sizeof(idbuf), "%" PRId64, m->id);
	snprintf(attbuf, sizeof(attbuf), "%d", m->attempts);
	if (oc == TS_OUTBOX_DELIVERED) {
		st.query = "outbox_delivered";
		st.p[0] = TS_DB_INT(m->id);
		st.p[1] = TS_DB_INT(now);
		st.p[2] = TS_DB_INT((now - m->created_at) * 1000);
		st.np = 3;
		what = "delivered";
	} else if (oc == TS_OUTBOX_REFUSED || m->attempts >= ob->opt.max_attempts) {
		st.query = "outbox_dead";
		st.p[0] = TS_DB_INT(m->id);
		st.p[1] = TS_DB_TEXT(why);
		st.np = 2;
		what = "dead";
	} else {
		int64_t ms = ts_outbox_backoff_ms(m->attempts, ob->opt.backoff_base_ms,
						  ob->opt.backoff_max_s, uniform01());
		st.query = "outbox_retry_later";
		st.p[0] = TS_DB_INT(m->id);
		st.p[1] = TS_DB_INT(now + (ms + 999) / 1000);
		st.p[2] = TS_DB_TEXT(why);
		st.np = 3;
		what = "retry";
	}
	if (ts_db_tx(ob->db, TS_DB_TX_WRITE, outcome_tx, &st, &err))
		/* the lease expires and the message is tried again: never lost */
		ts_log(TS_LOG_ERROR, "outbox outcome not recorded", "#id", idbuf, "error", err.detail,
		       NULL);
	pthread_mutex_lock(&ob->mu);
	struct counters *k = &ob->c[ti];
	k->attempts++;
	k->attempt_sum += spent;
	if (oc == TS_OUTBOX_DELIVERED) {
		k->delivered++;
		k->latency_sum += (double)(now - m->created_at);
	} else {
		k->failures++;
		if (what[0] == 'd')
			k->dead++;
	}
	pthread_mutex_unlock(&ob->mu);
	if (oc != TS_OUTBOX_DELIVERED)
		ts_log(what[0] == 'd' ? TS_LOG_ERROR : TS_LOG_WARN, "outbox delivery failed", "#id",
		       idbuf, "target", ob->targets[ti].name, "#attempts", attbuf, "outcome", what,
		       "error", why, NULL);
}

static bool stopping(struct ts_outbox *ob)
{
	pthread_mutex_lock(&ob->mu);
	bool s = ob->stop;
	pthread_mutex_unlock(&ob->mu);
	return s;
}

/* Claims and delivers one batch for target ti; the number of messages handled. */
static int round_for(struct ts_outbox *ob, int ti)
{
	const struct ts_outbox_target *t = &ob->targets[ti];
	struct ts_arena *a = ts_arena_new(ARENA_CAP);
	struct ts_error err = {0};
	struct claim_st st = {.ob = ob, .t = t, .a = a};
	struct ts_outbox_msg *msgs;
	int n = 0;

	if (!a)
		return 0;
	if (ts_db_tx(ob->db, TS_DB_TX_WRITE, claim_tx, &st, &err)) {
		ts_log(TS_LOG_WARN, "outbox claim failed", "target", t->name, "error", err.detail, NULL);
		goto out;
	}
	n = st.rows->nrows;
	msgs = n ? ts_arena_zalloc(a, sizeof(*msgs) * (size_t)n) : NULL;
	if (n && !msgs) {
		n = 0; /* the leases expire; the messages come back */
		goto out;
	}
	for (int i = 0; i < n; i++) {
		msgs[i].id = ts_dbres_int(st.rows, i, 0);
		msgs[i].topic = ts_dbres_get(st.rows, i, 1);
		msgs[i].key = ts_dbres_get(st.rows, i, 2);
		msgs[i].payload = ts_dbres_get(st.rows, i, 3);
		msgs[i].attempts = (int)ts_dbres_int(st.rows, i, 4);
		msgs[i].created_at = ts_dbres_int(st.rows, i, 5);
	}
	if (n > 1)
		qsort(msgs, (size_t)n, sizeof(*msgs), by_id);
	for (int i = 0; i < n; i++) {
		char why[256] = "";
		if (stopping(ob)) {
			/* not sent: give the lease back so another node (or the next start) takes it */
			struct outcome_st rs = {.a = a, .query = "outbox_retry_later", .np = 3};
			rs.p[0] = TS_DB_INT(msgs[i].id);
			rs.p[1] = TS_DB_INT(now_s());
			rs.p[2] = TS_DB_TEXT("not sent: the node stopped");
			ts_db_tx(ob->db, TS_DB_TX_WRITE, outcome_tx, &rs, &err);
			continue;
		}
		double t0 = now_mono();
		enum ts_outbox_outcome oc = t->deliver(t->ud, ob->db, a, &msgs[i], why, sizeof(why));
		if (oc != TS_OUTBOX_DELIVERED && !why[0])
			snprintf(why, sizeof(why), "delivery failed");
		record(ob, ti, a, &msgs[i], oc, why, now_mono() - t0);
	}
out:
	ts_arena_free(a);
	return n;
}

static void *run(void *arg)
{
	struct ts_outbox *ob = arg;

	while (!stopping(ob)) {
		int n = 0;
		for (int i = 0; i < ob->ntargets && !stopping(ob); i++)
			n += round_for(ob, i);
		if (n > 0)
			continue;
		struct timeval tv;
		struct timespec until;
		gettimeofday(&tv, NULL);
		int64_t ns = (int64_t)tv.tv_usec * 1000 + (int64_t)ob->opt.poll_ms * 1000000;
		until.tv_sec = tv.tv_sec + (time_t)(ns / 1000000000);
		until.tv_nsec = (long)(ns % 1000000000);
		pthread_mutex_lock(&ob->mu);
		while (!ob->stop && !ob->wake)
			if (pthread_cond_timedwait(&ob->cv, &ob->mu, &until))
				break;
		ob->wake = false;
		pthread_mutex_unlock(&ob->mu);
	}
	return NULL;
}

struct release_st {
	struct ts_arena *a;
	const char *node;
};

static int release_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct release_st *st = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(st->node)};
	return ts_db_query(c, st->a, "outbox_release_node", p, 1, NULL, err);
}

int ts_outbox_start(struct ts_db *db, const struct ts_outbox_options *opt,
		    const struct ts_outbox_target *targets, int n, struct ts_outbox **out,
		    struct ts_error *err)
{
	struct ts_outbox *ob;
	struct ts_arena a;
	int rc;

	*out = NULL;
	if (n < 0 || n > MAX_TARGETS)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "too many outbox targets");
	if (!(ob = ts_calloc(1, sizeof(*ob))))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	ob->db = db;
	ob->opt = *opt;
	snprintf(ob->node, sizeof(ob->node), "%s", opt->node ? opt->node : "node");
	ob->opt.node = ob->node;
	if (ob->opt.batch < 1)
		ob->opt.batch = 1;
	if (ob->opt.poll_ms < 10)
		ob->opt.poll_ms = 10;
	memcpy(ob->targets, targets, sizeof(*targets) * (size_t)n);
	ob->ntargets = n;
	pthread_mutex_init(&ob->mu, NULL);
	pthread_cond_init(&ob->cv, NULL);

	ts_arena_init(&a, 1u << 16);
	struct release_st rs = {.a = &a, .node = ob->node};
	rc = ts_db_tx(db, TS_DB_TX_WRITE, release_tx, &rs, err);
	ts_arena_release(&a);
	if (rc)
		goto fail;
	if (pthread_create(&ob->thread, NULL, run, ob)) {
		rc = ts_error_set(err, TS_ERR_INTERNAL, NULL, "cannot start the outbox thread");
		goto fail;
	}
	ob->running = true;
	pthread_mutex_lock(&g_mu);
	g_ob = ob;
	pthread_mutex_unlock(&g_mu);
	*out = ob;
	return 0;
fail:
	pthread_cond_destroy(&ob->cv);
	pthread_mutex_destroy(&ob->mu);
	ts_free(ob);
	return rc;
}

void ts_outbox_stop(struct ts_outbox *ob)
{
	if (!ob)
		return;
	pthread_mutex_lock(&g_mu);
	if (g_ob == ob)
		g_ob = NULL;
	pthread_mutex_unlock(&g_mu);
	pthread_mutex_lock(&ob->mu);
	ob->stop = true;
	pthread_cond_broadcast(&ob->cv);
	pthread_mutex_unlock(&ob->mu);
	if (ob->running)
		pthread_join(ob->thread, NULL);
	pthread_cond_destroy(&ob->cv);
	pthread_mutex_destroy(&ob->mu);
	ts_free(ob);
}

void ts_outbox_wake(void)
{
	pthread_mutex_lock(&g_mu);
	if (g_ob) {
		pthread_mutex_lock(&g_ob->mu);
		g_ob->wake = true;
		pthread_cond_broadcast(&g_ob->cv);
		pthread_mutex_unlock(&g_ob->mu);
	}
	pthread_mutex_unlock(&g_mu);
}

/* ---- health: one reading for /metrics and the admin API ------------------------------ */

struct health_st {
	struct ts_arena *a;
	int64_t now;
	int n;                  /* patterns: [0] every message, then one per target */
	const char *pattern[1 + MAX_TARGETS];
	struct ts_dbres *r[1 + MAX_TARGETS];
};

static int health_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct health_st *st = vst;
	int rc;
	for (int i = 0; i < st->n; i++) {
		struct ts_dbval p[] = {TS_DB_INT(st->now), TS_DB_TEXT(st->pattern[i])};
		if ((rc = ts_db_query(c, st->a, "outbox_health", p, 2, &st->r[i], err)))
			return rc;
		if (st->r[i]->nrows != 1)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "outbox_health: no row");
	}
	return 0;
}

int ts_outbox_health(struct ts_db *db, struct ts_arena *a, struct ts_outbox_health *h,
		     struct ts_error *err)
{
	struct health_st st = {.a = a, .now = now_s(), .n = 1, .pattern = {"%"}};
	int rc;

	memset(h, 0, sizeof(*h));
	h->at = st.now;
	/* the targets and their counters under the lock; the store is read after it */
	pthread_mutex_lock(&g_mu);
	if (g_ob) {
		h->running = true;
		h->ntargets = g_ob->ntargets;
		for (int i = 0; i < g_ob->ntargets; i++) {
			struct ts_outbox_target_health *t = &h->t[i];
			t->name = ts_arena_strdup(a, g_ob->targets[i].name);
			t->topic_prefix = ts_arena_strdup(a, g_ob->targets[i].topic_prefix);
			st.pattern[st.n++] = ts_arena_printf(a, "%s%%", g_ob->targets[i].topic_prefix);
			pthread_mutex_lock(&g_ob->mu);
			struct counters c = g_ob->c[i];
			pthread_mutex_unlock(&g_ob->mu);
			t->delivered = c.delivered;
			t->failures = c.failures;
			t->dead_lettered = c.dead;
			t->attempts = c.attempts;
			t->latency_sum = c.latency_sum;
			t->attempt_sum = c.attempt_sum;
		}
	}
	pthread_mutex_unlock(&g_mu);
	for (int i = 0; i < st.n; i++)
		if (!st.pattern[i] || (i > 0 && (!h->t[i - 1].name || !h->t[i - 1].topic_prefix)))
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if ((rc = ts_db_tx(db, TS_DB_TX_READ, health_tx, &st, err)))
		return rc;
	h->pending = ts_dbres_int(st.r[0], 0, 0);
	h->dead = ts_dbres_int(st.r[0], 0, 1);
	h->oldest_pending_s = ts_dbres_int(st.r[0], 0, 2);
	for (int i = 0; i < h->ntargets; i++) {
		h->t[i].pending = ts_dbres_int(st.r[i + 1], 0, 0);
		h->t[i].dead = ts_dbres_int(st.r[i + 1], 0, 1);
		h->t[i].oldest_pending_s = ts_dbres_int(st.r[i + 1], 0, 2);
	}
	return 0;
}

static json_t *avg_or_null(double sum, uint64_t n)
{
	return n ? json_real(sum / (double)n) : json_null();
}

json_t *ts_outbox_health_json(const struct ts_outbox_health *h)
{
	json_t *targets = json_array();
	if (!targets)
		return NULL;
	for (int i = 0; i < h->ntargets; i++) {
		const struct ts_outbox_target_health *t = &h->t[i];
		if (json_array_append_new(
			targets,
			json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "name",
				  t->name, "topic_prefix", t->topic_prefix,
				  "pending", (json_int_t)t->pending, "dead", (json_int_t)t->dead,
				  "oldest_pending_seconds", (json_int_t)t->oldest_pending_s,
				  "delivered", (json_int_t)t->delivered, "failures",
				  (json_int_t)t->failures, "dead_lettered", (json_int_t)t->dead_lettered,
				  "attempts", (json_int_t)t->attempts, "latency_seconds_avg",
				  avg_or_null(t->latency_sum, t->delivered), "attempt_seconds_avg",
				  avg_or_null(t->attempt_sum, t->attempts)))) {
			json_decref(targets);
			return NULL;
		}
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:b, s:o}", "at", (json_int_t)h->at, "pending",
			 (json_int_t)h->pending, "dead", (json_int_t)h->dead,
			 "oldest_pending_seconds", (json_int_t)h->oldest_pending_s,
			 "dispatcher_running", h->running, "targets", targets);
}

char *ts_outbox_metrics(struct ts_db *db, struct ts_arena *a)
{
	struct ts_outbox_health h;
	struct ts_error err = {0};
	struct ts_sbuf b;
	char *line;

	if (ts_outbox_health(db, a, &h, &err))
		return NULL;
	ts_sbuf_init(&b, a);
	line = ts_arena_printf(
	    a,
	    "# HELP tinhso_outbox_pending Outbox messages not yet delivered (queue depth), in all and per target.\n"
	    "# TYPE tinhso_outbox_pending gauge\ntinhso_outbox_pending %" PRId64 "\n"
	    "# HELP tinhso_outbox_dead Outbox messages in the dead-letter state.\n"
	    "# TYPE tinhso_outbox_dead gauge\ntinhso_outbox_dead %" PRId64 "\n"
	    "# HELP tinhso_outbox_oldest_pending_seconds Age of the oldest undelivered message.\n"
	    "# TYPE tinhso_outbox_oldest_pending_seconds gauge\n"
	    "tinhso_outbox_oldest_pending_seconds %" PRId64 "\n",
	    h.pending, h.dead, h.oldest_pending_s);
	if (!line || ts_sbuf_put(&b, line, strlen(line)))
		return NULL;
	for (int i = 0; i < h.ntargets; i++) {
		const char *name = h.t[i].name;
		line = ts_arena_printf(a,
				       "tinhso_outbox_pending{target=\"%s\"} %" PRId64 "\n"
				       "tinhso_outbox_dead{target=\"%s\"} %" PRId64 "\n"
				       "tinhso_outbox_oldest_pending_seconds{target=\"%s\"} %" PRId64 "\n",
				       name, h.t[i].pending, name, h.t[i].dead, name,
				       h.t[i].oldest_pending_s);
		if (!line || ts_sbuf_put(&b, line, strlen(line)))
			return NULL;
	}
	static const char *const names[] = {"delivered_total", "failures_total", "dead_total",
					    "delivery_latency_seconds_sum",
					    "delivery_latency_seconds_count",
					    "attempt_seconds_sum", "attempt_seconds_count"};
	static const char *const help[] = {
	    "# HELP tinhso_outbox_delivered_total Messages delivered by this node, per target.\n"
	    "# TYPE tinhso_outbox_delivered_total counter\n",
	    "# HELP tinhso_outbox_failures_total Failed delivery attempts by this node, per target.\n"
	    "# TYPE tinhso_outbox_failures_total counter\n",
	    "# HELP tinhso_outbox_dead_total Messages dead-lettered by this node, per target.\n"
	    "# TYPE tinhso_outbox_dead_total counter\n",
	    "# HELP tinhso_outbox_delivery_latency_seconds From the transition to the delivery.\n"
	    "# TYPE tinhso_outbox_delivery_latency_seconds summary\n",
	    NULL,
	    "# HELP tinhso_outbox_attempt_seconds Time spent in remote calls, per target.\n"
	    "# TYPE tinhso_outbox_attempt_seconds summary\n",
	    NULL};
	for (int k = 0; k < 7; k++) {
		if (help[k] && ts_sbuf_put(&b, help[k], strlen(help[k])))
			return NULL;
		for (int i = 0; i < h.ntargets; i++) {
			const struct ts_outbox_target_health *t = &h.t[i];
			double v = k == 0   ? (double)t->delivered
				   : k == 1 ? (double)t->failures
				   : k == 2 ? (double)t->dead_lettered
				   : k == 3 ? t->latency_sum
				   : k == 4 ? (double)t->delivered
				   : k == 5 ? t->attempt_sum
					    : (double)t->attempts;
			line = ts_arena_printf(a, "tinhso_outbox_%s{target=\"%s\"} %.6g\n", names[k],
					       t->name, v);
			if (!line || ts_sbuf_put(&b, line, strlen(line)))
				return NULL;
		}
	}
	return b.failed ? NULL : b.buf;
}

/* ---- admin ----------------------------------------------------------------------------- */

static json_t *row_json(const struct ts_dbres *r, int i)
{
	json_t *payload = json_loads(ts_dbres_get(r, i, 3) ? ts_dbres_get(r, i, 3) : "null", 0, NULL);
#define OPTI(col) (ts_dbres_isnull(r, i, col) ? json_null() : json_integer(ts_dbres_int(r, i, col)))
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
			 "id", (json_int_t)ts_dbres_int(r, i, 0), "topic", ts_dbres_get(r, i, 1),
			 "key", ts_dbres_get(r, i, 2), "payload", payload ? payload : json_null(),
			 "status", ts_dbres_get(r, i, 4), "attempts",
			 (json_int_t)ts_dbres_int(r, i, 5), "next_attempt_at",
			 (json_int_t)ts_dbres_int(r, i, 6), "done_at", OPTI(7), "last_error",
			 ts_json_strornull(ts_dbres_get(r, i, 8)), "claimed_by",
			 ts_json_strornull(ts_dbres_get(r, i, 9)), "claimed_until", OPTI(10),
			 "delivered_ms", OPTI(11), "replay_of", OPTI(12), "created_at",
			 (json_int_t)ts_dbres_int(r, i, 13));
#undef OPTI
}

struct list_st {
	struct ts_arena *a;
	struct ts_dbval p[5];
	const char *query;
	int np;
	struct ts_dbres *r;
};

static int list_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct list_st *st = vst;
	return ts_db_query(c, st->a, st->query, st->p, st->np, &st->r, err);
}

int ts_outbox_list(struct ts_db *db, struct ts_arena *a, const char *status, const char *key,
		   const char *topic, int64_t after, int limit, json_t **out, struct ts_error *err)
{
	struct list_st st = {.a = a, .query = "outbox_list", .np = 5};
	const char *prefix = NULL;
	json_t *items, *v;
	int rc;

	*out = NULL;
	if (status && strcmp(status, "pending") && strcmp(status, "delivered") && strcmp(status, "dead"))
		return ts_error_set(err, TS_ERR_VALIDATION, "status",
				    "Trạng thái phải là pending, delivered hoặc dead");
	if (limit < 1 || limit > 200)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit", "Tối đa 200 dòng mỗi trang");
	if (topic && !(prefix = ts_arena_printf(a, "%s%%", topic)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	st.p[0] = TS_DB_TEXT(status);
	st.p[1] = TS_DB_TEXT(key);
	st.p[2] = TS_DB_INT(after);
	st.p[3] = TS_DB_INT(limit);
	st.p[4] = TS_DB_TEXT(prefix);
	if ((rc = ts_db_tx(db, TS_DB_TX_READ, list_tx, &st, err)))
		return rc;
	if (!(items = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < st.r->nrows; i++)
		if (json_array_append_new(items, row_json(st.r, i))) {
			json_decref(items);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	v = json_pack("{s:o, s:o}", "items", items, "next_after",
		      st.r->nrows == limit ? json_integer(ts_dbres_int(st.r, st.r->nrows - 1, 0))
					   : json_null());
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	*out = v;
	return 0;
}

int ts_outbox_get(struct ts_db *db, struct ts_arena *a, int64_t id, json_t **out,
		  struct ts_error *err)
{
	struct list_st st = {.a = a, .query = "outbox_get", .np = 1};
	int rc;

	*out = NULL;
	st.p[0] = TS_DB_INT(id);
	if ((rc = ts_db_tx(db, TS_DB_TX_READ, list_tx, &st, err)))
		return rc;
	if (st.r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Không có thông điệp %" PRId64, id);
	if (!(*out = row_json(st.r, 0)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return 0;
}

struct admin_st {
	struct ts_ctx *ctx;
	int64_t id, new_id;
	bool replay;
};

static int admin_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct admin_st *st = vst;
	struct ts_arena *a = st->ctx->arena;
	struct ts_dbval p[] = {TS_DB_INT(st->id), TS_DB_INT(now_s())};
	struct ts_dbres *r = NULL;
	const char *ids;
	int rc;

	if ((rc = ts_db_query(c, a, "outbox_get", p, 1, &r, err)))
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Không có thông điệp %" PRId64, st->id);
	if ((rc = ts_db_query(c, a, st->replay ? "outbox_replay" : "outbox_retry", p, 2, &r, err)))
		return rc;
	if (st->replay ? r->nrows != 1 : r->changes != 1)
		return ts_error_set(err, TS_ERR_CONFLICT, "status",
				    st->replay ? "Chỉ gửi lại được thông điệp đã chuyển thành công"
					       : "Chỉ thử lại được thông điệp đã dừng gửi (dead)");
	if (st->replay)
		st->new_id = ts_dbres_int(r, 0, 0);
	if (!(ids = ts_arena_printf(a, "%" PRId64, st->id)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_audit_write(c, st->ctx, st->replay ? "outbox.replay" : "outbox.retry", "outbox",
			      ids, st->replay ? "replayed as a new message" : "dead letter retried",
			      err);
}

int ts_outbox_retry(struct ts_ctx *ctx, int64_t id, struct ts_error *err)
{
	struct admin_st st = {.ctx = ctx, .id = id};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, admin_tx, &st, err);
	if (!rc)
		ts_outbox_wake();
	return rc;
}

int ts_outbox_replay(struct ts_ctx *ctx, int64_t id, int64_t *new_id, struct ts_error *err)
{
	struct admin_st st = {.ctx = ctx, .id = id, .replay = true};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, admin_tx, &st, err);
	if (!rc) {
		*new_id = st.new_id;
		ts_outbox_wake();
	}
	return rc;
}
