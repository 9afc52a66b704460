/* ratelimit.c - the abuse limits of login, registration, submission, upload and public
 * lookup: fixed-window counters per client address and per account. On PostgreSQL they are
 * kept in the store (table rate_limit, migration 0013) so that every node counts against the
 * same numbers. On SQLite (one node only: the store is a local file) they are kept in this
 * process's memory: a write transaction per counted request would take a place in the single
 * writer's commit group next to every submission.
 * The dispatcher calls ts_ratelimit_check from the route's TS_ROUTE_LIMIT_* flag. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "base/crypto.h"
#include "base/log.h"

struct limit_class {
	unsigned flag;
	const char *name; /* bucket prefix in the table */
	enum ts_cfg_key per_ip, per_account;
	const char *what; /* Vietnamese, for the detail */
};

static const struct limit_class classes[] = {
    {TS_ROUTE_LIMIT_LOGIN, "login", TS_CFG_RATELIMIT_LOGIN_IP, TS_CFG_RATELIMIT_LOGIN_ACCOUNT,
     "lần đăng nhập"},
    {TS_ROUTE_LIMIT_REGISTER, "register", TS_CFG_RATELIMIT_REGISTER_IP,
     TS_CFG_RATELIMIT_REGISTER_ACCOUNT, "lần đăng ký"},
    {TS_ROUTE_LIMIT_SUBMIT, "submit", TS_CFG_RATELIMIT_SUBMIT_IP, TS_CFG_RATELIMIT_SUBMIT_ACCOUNT,
     "lần nộp hồ sơ"},
    {TS_ROUTE_LIMIT_UPLOAD, "upload", TS_CFG_RATELIMIT_UPLOAD_IP, TS_CFG_RATELIMIT_UPLOAD_ACCOUNT,
     "lần tải tệp lên"},
    {TS_ROUTE_LIMIT_LOOKUP, "lookup", TS_CFG_RATELIMIT_LOOKUP_IP, TS_CFG_RATELIMIT_LOOKUP_ACCOUNT,
     "lần tra cứu"},
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
	int64_t hits;
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
		/* the subject is a SHA-256 in hex: its first digits spread evenly */
		size_t h = 0;
		for (int k = 0; k < 6 && j->b[i].subject[k]; k++) {
			char c = j->b[i].subject[k];
			h = h * 16 + (size_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		h %= MEM_CHAINS;
		struct mem_entry *e = mem.chain[h];
		while (e && strcmp(e->key, key))
			e = e->next;
		if (!e && mem.n < MEM_MAX && (e = calloc(1, sizeof(*e)))) {
			memcpy(e->key, key, sizeof(key));
			e->next = mem.chain[h];
			mem.chain[h] = e;
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
	}
	pthread_mutex_unlock(&mem.mu);
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
	if (ts_db_engine_of(app->db) == TS_DB_SQLITE) {
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
