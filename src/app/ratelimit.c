/* ratelimit.c - the abuse limits of login, registration, submission, upload and public
 * lookup: fixed-window counters per client address and per account. On PostgreSQL they are
 * kept in the store (table rate_limit, migration 0013) so that every node counts against the
 * same numbers. On SQLite (one node only: the store is a local file) they are kept in this
 * process's memory: a write transaction per counted request would take a place in the single
 * writer's commit group next to every submission.
 * Public lookups on PostgreSQL are the one high-volume class: a store transaction per lookup
 * halved their rate (it updates one row per address, which concurrent lookups from one address
 * queue on). A node counts them in its memory as on SQLite and adds its counts to the store's
 * every ratelimit.sync_interval seconds (ts_ratelimit_sync_start), reading back the totals of
 * all nodes; between two syncs a node judges by the last total it read plus its own hits since.
 * The classes a guessing attack is after (login, registration) and the writes (submission,
 * upload) count in the store at once.
 * The dispatcher calls ts_ratelimit_check from the route's TS_ROUTE_LIMIT_* flag. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/periodic.h"

struct limit_class {
	unsigned flag;
	const char *name; /* bucket prefix in the table */
	enum ts_cfg_key per_ip, per_account;
	const char *what; /* Vietnamese, for the detail */
	bool synced;	  /* PostgreSQL: counted in memory, synced with the store (above) */
};

static const struct limit_class classes[] = {
    {TS_ROUTE_LIMIT_LOGIN, "login", TS_CFG_RATELIMIT_LOGIN_IP, TS_CFG_RATELIMIT_LOGIN_ACCOUNT,
     "lần đăng nhập", false},
    {TS_ROUTE_LIMIT_REGISTER, "register", TS_CFG_RATELIMIT_REGISTER_IP,
     TS_CFG_RATELIMIT_REGISTER_ACCOUNT, "lần đăng ký", false},
    {TS_ROUTE_LIMIT_SUBMIT, "submit", TS_CFG_RATELIMIT_SUBMIT_IP, TS_CFG_RATELIMIT_SUBMIT_ACCOUNT,
     "lần nộp hồ sơ", false},
    {TS_ROUTE_LIMIT_UPLOAD, "upload", TS_CFG_RATELIMIT_UPLOAD_IP, TS_CFG_RATELIMIT_UPLOAD_ACCOUNT,
     "lần tải tệp lên", false},
    {TS_ROUTE_LIMIT_LOOKUP, "lookup", TS_CFG_RATELIMIT_LOOKUP_IP, TS_CFG_RATELIMIT_LOOKUP_ACCOUNT,
     "lần tra cứu", true},
};

struct hit_job {
	struct ts_arena *a;
	int64_t window_start, prune_before;
	bool prune;
	int n;
	struct {
		char bucket[32];
		char subject[65];
		long long limit;
		int64_t hits;
	} b[2];
};

static int hit_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct hit_job *j = arg;
	int rc;
	for (int i = 0; i < j->n; i++) {
		struct ts_dbres *r;
		struct ts_dbval p[] = {TS_DB_TEXT(j->b[i].bucket), TS_DB_TEXT(j->b[i].subject),
				       TS_DB_INT(j->window_start)};
		if ((rc = ts_db_query(c, j->a, "ratelimit_hit", p, 3, &r, err)))
			return rc;
		j->b[i].hits = r->nrows ? ts_dbres_int(r, 0, 0) : 0;
	}
	if (j->prune) {
		struct ts_dbval p[] = {TS_DB_INT(j->prune_before)};
		if ((rc = ts_db_query(c, j->a, "ratelimit_prune", p, 1, NULL, err)))
			return rc;
	}
	return 0;
}

/* ---- in memory (SQLite) ------------------------------------------------------------ */

/* The counters of the current window only: a new window starts from an empty table. Keys
 * are "bucket|sha256(subject)" as in the table. At most MEM_MAX subjects per window are
 * counted; past that, new subjects go uncounted (logged once per window) rather than the
 * memory growing without bound. */
#define MEM_CHAINS 4096
#define MEM_MAX 200000

struct mem_entry {
	struct mem_entry *next;
	int64_t hits;	 /* judged by: the store's total as last read + pending */
	int64_t pending; /* synced classes: hits not yet added to the store */
	char key[32 + 65];
};

static struct {
	pthread_mutex_t mu;
	const struct ts_db *db; /* the store counted for; another one starts afresh */
	int64_t window_start;
	size_t n;
	bool full_logged;
	struct mem_entry *chain[MEM_CHAINS];
} mem = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void mem_clear(void)
{
	for (size_t i = 0; i < MEM_CHAINS; i++) {
		for (struct mem_entry *e = mem.chain[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
		mem.chain[i] = NULL;
	}
	mem.n = 0;
	mem.full_logged = false;
}

/* The chain of the key "bucket|subject": the subject is a SHA-256 in hex, whose first digits
 * spread evenly. mem.mu held. */
static struct mem_entry **mem_chain(const char *key)
{
	const char *subject = strchr(key, '|');
	size_t h = 0;
	for (int k = 0; subject && k < 6 && subject[1 + k]; k++) {
		char c = subject[1 + k];
		h = h * 16 + (size_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return &mem.chain[h % MEM_CHAINS];
}

/* The entry of key, or NULL. mem.mu held. */
static struct mem_entry *mem_find(const char *key)
{
	struct mem_entry *e = *mem_chain(key);
	while (e && strcmp(e->key, key))
		e = e->next;
	return e;
}

/* Counts one hit of every bucket of j in memory; sets their hits. */
static void mem_hit(const struct ts_db *db, struct hit_job *j)
{
	pthread_mutex_lock(&mem.mu);
	if (mem.db != db || mem.window_start != j->window_start) {
		mem_clear();
		mem.db = db;
		mem.window_start = j->window_start;
	}
	for (int i = 0; i < j->n; i++) {
		char key[sizeof(((struct mem_entry *)0)->key)];
		snprintf(key, sizeof(key), "%s|%s", j->b[i].bucket, j->b[i].subject);
		struct mem_entry *e = mem_find(key);
		if (!e && mem.n < MEM_MAX && (e = calloc(1, sizeof(*e)))) {
			struct mem_entry **chain = mem_chain(key);
			memcpy(e->key, key, sizeof(key));
			e->next = *chain;
			*chain = e;
			mem.n++;
		}
		if (!e) {
			if (!mem.full_logged)
				ts_log(TS_LOG_WARN, "rate limit table full, new subjects not counted",
				       "bucket", j->b[i].bucket, NULL);
			mem.full_logged = true;
			j->b[i].hits = 0;
			continue;
		}
		j->b[i].hits = ++e->hits;
		e->pending++;
	}
	pthread_mutex_unlock(&mem.mu);
}

/* ---- in memory, synced with the store (PostgreSQL, public lookups) ---------------------- */

/* At most this many subjects are added to the store per sync; the rest wait for the next. */
#define SYNC_MAX 5000

struct sync_item {
	char bucket[32], subject[65];
	int64_t add, total;
};

static struct {
	struct ts_periodic p;
	struct ts_db *db;
	int64_t window; /* ratelimit.window */
	int64_t pruned_before;
	_Atomic bool on;
	struct sync_item *items;
} sync_st = {.p = TS_PERIODIC_INIT};

struct sync_job {
	struct ts_arena *a;
	struct sync_item *items;
	int n;
	int64_t window_start, prune_before;
};

static int sync_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct sync_job *j = arg;
	int rc;
	for (int i = 0; i < j->n; i++) {
		struct ts_dbres *r;
		struct ts_dbval p[] = {TS_DB_TEXT(j->items[i].bucket), TS_DB_TEXT(j->items[i].subject),
				       TS_DB_INT(j->window_start), TS_DB_INT(j->items[i].add)};
		if ((rc = ts_db_query(c, j->a, "ratelimit_add", p, 4, &r, err)))
			return rc;
		j->items[i].total = r->nrows ? ts_dbres_int(r, 0, 0) : 0;
	}
	if (j->prune_before) {
		struct ts_dbval p[] = {TS_DB_INT(j->prune_before)};
		if ((rc = ts_db_query(c, j->a, "ratelimit_prune", p, 1, NULL, err)))
			return rc;
	}
	return 0;
}

/* One sync: the pending hits of the current window are added to the store's counters in one
 * transaction, and the totals it answers (every node's hits) become what this node judges by.
 * Hits counted meanwhile stay pending. A failed sync keeps every hit pending for the next. */
static void sync_once(void *arg)
{
	(void)arg;
	struct sync_job j = {.items = sync_st.items};
	struct ts_error err = {0};
	char key[sizeof(((struct mem_entry *)0)->key)];

	pthread_mutex_lock(&mem.mu);
	if (mem.db == sync_st.db && mem.window_start) {
		j.window_start = mem.window_start;
		for (size_t h = 0; h < MEM_CHAINS && j.n < SYNC_MAX; h++)
			for (struct mem_entry *e = mem.chain[h]; e && j.n < SYNC_MAX; e = e->next) {
				const char *bar = strchr(e->key, '|');
				if (e->pending <= 0 || !bar || bar - e->key >= 32)
					continue;
				struct sync_item *it = &j.items[j.n++];
				memcpy(it->bucket, e->key, (size_t)(bar - e->key));
				it->bucket[bar - e->key] = '\0';
				snprintf(it->subject, sizeof(it->subject), "%s", bar + 1);
				it->add = e->pending;
			}
	}
	pthread_mutex_unlock(&mem.mu);
	if (!j.window_start)
		return;
	/* the windows before the last one are of no use to anyone: dropped once per window */
	if (sync_st.pruned_before < j.window_start - sync_st.window) {
		j.prune_before = j.window_start - sync_st.window;
	}
	if (!j.n && !j.prune_before)
		return;
	if (!(j.a = ts_arena_new(0)))
		return;
	/* a count lost in a crash only lets a few more lookups through: no WAL flush waited for */
	int rc = ts_db_tx(sync_st.db, TS_DB_TX_WRITE | TS_DB_TX_LAZY, sync_tx, &j, &err);
	ts_arena_free(j.a);
	if (rc) {
		ts_log(TS_LOG_WARN, "rate limit sync failed", "error", ts_err_code(rc), NULL);
		return;
	}
	if (j.prune_before)
		sync_st.pruned_before = j.prune_before;
	pthread_mutex_lock(&mem.mu);
	if (mem.db == sync_st.db && mem.window_start == j.window_start)
		for (int i = 0; i < j.n; i++) {
			snprintf(key, sizeof(key), "%s|%s", j.items[i].bucket, j.items[i].subject);
			struct mem_entry *e = mem_find(key);
			if (!e)
				continue;
			e->pending -= j.items[i].add;
			e->hits = j.items[i].total + e->pending;
		}
	pthread_mutex_unlock(&mem.mu);
}

int ts_ratelimit_sync_start(struct ts_app *app, struct ts_error *err)
{
	int interval = (int)ts_config_int(app->cfg, TS_CFG_RATELIMIT_SYNC_INTERVAL);
	if (ts_db_engine_of(app->db) != TS_DB_PGSQL || interval <= 0 || sync_st.on ||
	    !ts_config_bool(app->cfg, TS_CFG_RATELIMIT_ENABLED))
		return 0;
	if (!sync_st.items && !(sync_st.items = calloc(SYNC_MAX, sizeof(*sync_st.items))))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	sync_st.db = app->db;
	sync_st.window = ts_config_int(app->cfg, TS_CFG_RATELIMIT_WINDOW);
	sync_st.pruned_before = 0;
	if (ts_periodic_start(&sync_st.p, interval, sync_once, NULL))
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "cannot start the rate-limit sync");
	sync_st.on = true;
	return 0;
}

void ts_ratelimit_sync_stop(void)
{
	if (!sync_st.on)
		return;
	sync_st.on = false;
	ts_periodic_stop(&sync_st.p);
	sync_once(NULL); /* the last counts of this node, so that the other nodes still see them */
	free(sync_st.items);
	sync_st.items = NULL;
}

static void add_bucket(struct hit_job *j, const char *cls, const char *kind, const char *value,
		       long long limit)
{
	if (limit <= 0 || !value || !*value)
		return;
	snprintf(j->b[j->n].bucket, sizeof(j->b[j->n].bucket), "%s_%s", cls, kind);
	/* the subject is stored hashed: the table holds no address, name or ID in clear */
	char salted[512];
	int len = snprintf(salted, sizeof(salted), "%s|%s", j->b[j->n].bucket, value);
	if (len < 0 || (size_t)len >= sizeof(salted))
		len = (int)sizeof(salted) - 1;
	ts_sha256_hex(salted, (size_t)len, j->b[j->n].subject, sizeof(j->b[j->n].subject));
	j->b[j->n].limit = limit;
	j->n++;
}

int ts_ratelimit_check(struct ts_app *app, struct ts_arena *a, unsigned flags,
		       const char *client_addr, const char *account, struct ts_error *err)
{
	if (!(flags & TS_ROUTE_LIMITS) || !ts_config_bool(app->cfg, TS_CFG_RATELIMIT_ENABLED))
		return 0;
	const struct limit_class *lc = NULL;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (flags & classes[i].flag)
			lc = &classes[i];
	if (!lc)
		return 0;
	long long window = ts_config_int(app->cfg, TS_CFG_RATELIMIT_WINDOW);
	int64_t now = (int64_t)time(NULL);
	struct hit_job j = {.a = a, .window_start = now - now % window};
	add_bucket(&j, lc->name, "ip", client_addr, ts_config_int(app->cfg, lc->per_ip));
	add_bucket(&j, lc->name, "account", account, ts_config_int(app->cfg, lc->per_account));
	if (!j.n)
		return 0;
	if (ts_db_engine_of(app->db) == TS_DB_SQLITE ||
	    (lc->synced && sync_st.on && sync_st.db == app->db)) {
		mem_hit(app->db, &j);
		goto judge;
	}
	/* old windows are dropped now and then by whoever counts: no job to schedule */
	char hx[3];
	ts_random_hex(hx, sizeof(hx), 1);
	j.prune = hx[0] == '0' && hx[1] < '4'; /* 1 in 64 */
	j.prune_before = j.window_start - window;
	/* a count lost in a crash only lets a few more requests through: not worth a WAL flush
	 * per limited request */
	int rc = ts_db_tx(app->db, TS_DB_TX_WRITE | TS_DB_TX_LAZY, hit_tx, &j, err);
	if (rc)
		return rc;
judge:
	for (int i = 0; i < j.n; i++) {
		if (j.b[i].hits > j.b[i].limit) {
			ts_log(TS_LOG_WARN, "rate limited", "limit", j.b[i].bucket, NULL);
			return ts_error_set(err, TS_ERR_THROTTLED, NULL,
					    "Quá %lld %s trong %lld giây, vui lòng thử lại sau",
					    j.b[i].limit, lc->what, window);
		}
	}
	return 0;
}
