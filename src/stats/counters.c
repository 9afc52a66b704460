/* counters.c - the daily counters (stats_day) and the stock history (stats_segment) kept in
 * the same transaction as every dossier change, and their recount from the stored rows.
 * Called by dossier.c (announce) through ts_stats_on_change; SQL in sql/common/queries/
 * stats.sql. The rules are written up in docs/statistics.md. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "calendar/calendar.h"
#include "stats/stats_int.h"

static const char *const col_names[] = {
#define X(n) #n,
	TS_STATS_COLUMNS(X)
#undef X
};

const char *ts_stats_col_name(int col)
{
	return col >= 0 && col < TS_SC__COUNT ? col_names[col] : NULL;
}

static int64_t (*g_now)(void);

void ts_stats_set_clock(int64_t (*now)(void))
{
	g_now = now;
}

int64_t ts_stats_now(void)
{
	return g_now ? g_now() : (int64_t)time(NULL);
}

/* ---- days ------------------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t ts_stats_day_of(int64_t t)
{
	return floor_div(t + TS_TZ_OFFSET, 86400);
}

int64_t ts_stats_day_start(int64_t day)
{
	return day * 86400 - TS_TZ_OFFSET;
}

int64_t ts_stats_day_from_ymd(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};

	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap ? 1 : 0))
		return -1;
	return floor_div((int64_t)timegm(&tm), 86400);
}

int ts_stats_day_ymd(int64_t day)
{
	time_t t = (time_t)(day * 86400 + 43200);
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int64_t ts_stats_rm_of_day(int64_t day)
{
	int ymd = ts_stats_day_ymd(day), y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	return (int64_t)y * 12 + (m - 1) + (d >= 15 ? 1 : 0);
}

int64_t ts_stats_rm_first_day(int64_t rm)
{
	int64_t prev = rm - 1; /* the 15th of the month before */
	return ts_stats_day_from_ymd((int)(prev / 12), (int)(prev % 12) + 1, 15);
}

int64_t ts_stats_rm_last_day(int64_t rm)
{
	return ts_stats_day_from_ymd((int)(rm / 12), (int)(rm % 12) + 1, 14);
}

/* ---- the hook ---------------------------------------------------------------------------- */

#define MAX_DAYS 4

struct deltas {
	int n;
	int64_t day[MAX_DAYS];
	struct ts_stats_counts v[MAX_DAYS];
};

static int64_t *at_day(struct deltas *d, int64_t day, int col)
{
	for (int i = 0; i < d->n; i++)
		if (d->day[i] == day)
			return &d->v[i].v[col];
	if (d->n == MAX_DAYS)
		return NULL; /* cannot happen: at most 3 days per change */
	d->day[d->n] = day;
	memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
	return &d->v[d->n++].v[col];
}

/* A rating of 4-5 counts as satisfied, 1-2 as a dislike (Decision 766, dossier satisfaction);
 * used by the live counting and the recount alike. */
static bool rating_satisfied(int64_t rating)
{
	return rating >= 4;
}

static bool rating_dislike(int64_t rating)
{
	return rating >= 1 && rating <= 2;
}

static void add(struct deltas *d, int64_t day, int col, int64_t by)
{
	int64_t *p = at_day(d, day, col);
	if (p)
		*p += by;
}

static int stock_col(bool paused, bool overdue)
{
	return paused ? (overdue ? TS_SC_d_paused_over : TS_SC_d_paused_in)
		      : (overdue ? TS_SC_d_active_over : TS_SC_d_active_in);
}

static bool any_of(const struct ts_stats_counts *v, int from, int to)
{
	for (int k = from; k < to; k++)
		if (v->v[k] != 0)
			return true;
	return false;
}

int ts_stats_bump(struct ts_dbconn *c, struct ts_arena *a, int64_t unit_id, int64_t procedure_id,
		  int n, const int64_t *days, const struct ts_stats_counts *counts,
		  struct ts_error *err)
{
	int order[MAX_DAYS * 8], nm = 0, rc;
	int64_t rms[MAX_DAYS * 8];
	struct ts_stats_counts months[MAX_DAYS * 8], stock = {{0}};
	struct ts_dbval p[3 + TS_SC__COUNT];

	if (n > MAX_DAYS * 8)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "too many days in one bump");
	/* ascending days: concurrent transactions lock rows in one order (no deadlock) */
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && days[order[k - 1]] > days[order[k]]; k--) {
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	p[1] = TS_DB_INT(unit_id);
	p[2] = TS_DB_INT(procedure_id);
	for (int i = 0; i < n; i++) {
		const struct ts_stats_counts *v = &counts[order[i]];
		int64_t rm = ts_stats_rm_of_day(days[order[i]]);
		int m;
		if (!any_of(v, 0, TS_SC__COUNT))
			continue;
		p[0] = TS_DB_INT(days[order[i]]);
		for (int k = 0; k < TS_SC__COUNT; k++)
			p[3 + k] = TS_DB_INT(v->v[k]);
		if ((rc = ts_db_query(c, a, "stats_day_bump", p, 3 + TS_SC__COUNT, NULL, err)))
			return rc;
		for (m = 0; m < nm && rms[m] != rm; m++)
			;
		if (m == nm) {
			rms[nm] = rm;
			memset(&months[nm++], 0, sizeof(months[0]));
		}
		for (int k = 0; k < TS_SC__COUNT; k++) {
			months[m].v[k] += v->v[k];
			stock.v[k] += v->v[k];
		}
	}
	/* days were ascending, so are their months */
	for (int m = 0; m < nm; m++) {
		if (!any_of(&months[m], 0, TS_SC__COUNT))
			continue;
		p[0] = TS_DB_INT(rms[m]);
		for (int k = 0; k < TS_SC__COUNT; k++)
			p[3 + k] = TS_DB_INT(months[m].v[k]);
		if ((rc = ts_db_query(c, a, "stats_month_bump", p, 3 + TS_SC__COUNT, NULL, err)))
			return rc;
	}
	/* months were ascending, so are their report years (ry = rm / 12) */
	for (int m = 0; m < nm;) {
		int64_t ry = rms[m] / 12;
		struct ts_stats_counts y = {{0}};
		for (; m < nm && rms[m] / 12 == ry; m++)
			for (int k = 0; k < TS_SC__COUNT; k++)
				y.v[k] += months[m].v[k];
		if (!any_of(&y, 0, TS_SC__COUNT))
			continue;
		p[0] = TS_DB_INT(ry);
		for (int k = 0; k < TS_SC__COUNT; k++)
			p[3 + k] = TS_DB_INT(y.v[k]);
		if ((rc = ts_db_query(c, a, "stats_year_bump", p, 3 + TS_SC__COUNT, NULL, err)))
			return rc;
	}
	if (any_of(&stock, TS_SC_d_active_in, TS_SC__COUNT)) {
		struct ts_dbval q[] = {TS_DB_INT(unit_id),
				       TS_DB_INT(procedure_id),
				       TS_DB_INT(stock.v[TS_SC_d_active_in]),
				       TS_DB_INT(stock.v[TS_SC_d_active_over]),
				       TS_DB_INT(stock.v[TS_SC_d_paused_in]),
				       TS_DB_INT(stock.v[TS_SC_d_paused_over])};
		if ((rc = ts_db_query(c, a, "stats_stock_bump", q, 6, NULL, err)))
			return rc;
	}
	return 0;
}

static int flush(struct ts_dbconn *c, struct ts_arena *a, const struct ts_dossier *d,
		 struct deltas *dl, struct ts_error *err)
{
	/* keyed by the procedure VERSION the dossier was received under: the version carries the
	 * field (lĩnh vực) report 06 files it under, which a later version may change */
	return ts_stats_bump(c, a, d->competent_unit_id, d->procedure_version_id, dl->n, dl->day,
			     dl->v, err);
}

/* Received: the channel, the documents' flags and whether the procedure is fully online. */
static int count_received(struct ts_dbconn *c, struct ts_arena *a, const struct ts_dossier *d,
			  int64_t day, struct deltas *dl, struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	int rc;

	add(dl, day,
	    d->channel == TS_CHANNEL_ONLINE ? TS_SC_recv_online
	    : d->channel == TS_CHANNEL_POST ? TS_SC_recv_post
					    : TS_SC_recv_direct,
	    1);
	{
		struct ts_dbval p[] = {TS_DB_INT(d->id), TS_DB_INT(d->procedure_version_id)};
		if ((rc = ts_db_query(c, a, "stats_dossier_flags", p, 2, &r, err)))
			return rc;
	}
	if (ts_dbres_int(r, 0, 0))
		add(dl, day, TS_SC_recv_digitised, 1);
	if (ts_dbres_int(r, 0, 1))
		add(dl, day, TS_SC_recv_reused, 1);
	if (ts_dbres_int(r, 0, 2)) {
		add(dl, day, TS_SC_recv_fo_eligible, 1);
		if (d->channel == TS_CHANNEL_ONLINE)
			add(dl, day, TS_SC_recv_fo_online, 1);
	}
	if (ts_dbres_int(r, 0, 3))
		add(dl, day, TS_SC_recv_population, 1);
	return 0;
}

static bool open_status(int s)
{
	return s == TS_DS_ACCEPTED || s == TS_DS_PROCESSING || s == TS_DS_SUPPLEMENT ||
	       s == TS_DS_PAYMENT;
}

int ts_stats_on_change(struct ts_dbconn *c, struct ts_arena *a, int from,
		       const struct ts_dossier *d, int action, int64_t at, struct ts_error *err)
{
	struct deltas dl = {0};
	int64_t today = ts_stats_day_of(at);
	struct ts_dbres *r = NULL;
	bool want_open, want_paused, have = false, same = false;
	int64_t due = d->due_at > 0 ? d->due_at : 0;
	int rc;

	(void)from;
	switch (action) {
	case TS_DA_SUBMIT:
	case TS_DA_INTAKE:
		add(&dl, today, TS_SC_submitted, 1);
		break;
	case TS_DA_ACCEPT:
		if ((rc = count_received(c, a, d, today, &dl, err)))
			return rc;
		break;
	case TS_DA_REFUSE:
		add(&dl, today, TS_SC_refused, 1);
		break;
	case TS_DA_REQUEST_SUPPLEMENT:
		add(&dl, today, TS_SC_supplement_req, 1);
		break;
	case TS_DA_APOLOGIZE:
		add(&dl, today, TS_SC_apologies, 1);
		break;
	case TS_DA_FINISH:
		if (d->on_time == 0)
			add(&dl, today, TS_SC_res_late, 1);
		else if (due > 0 && today < ts_stats_day_of(due))
			add(&dl, today, TS_SC_res_early, 1);
		else
			add(&dl, today, TS_SC_res_on_time, 1);
		add(&dl, today, TS_SC_res_seconds, at - d->accepted_at);
		if (d->supplement_count > 0)
			add(&dl, today, TS_SC_res_supplemented, 1);
		break;
	case TS_DA_STOP:
		if (d->accepted_at > 0)
			add(&dl, today, TS_SC_stopped, 1);
		break;
	case TS_DA_WITHDRAW:
		if (d->accepted_at > 0)
			add(&dl, today, TS_SC_withdrawn, 1);
		break;
	case TS_DA_DELIVER:
		add(&dl, today, TS_SC_delivered, 1);
		if (d->delivery == TS_DELIVERY_ELECTRONIC)
			add(&dl, today, TS_SC_delivered_electronic, 1);
		break;
	case TS_DA_RATE:
		add(&dl, today, TS_SC_rated, 1);
		add(&dl, today, TS_SC_rating_sum, d->rating);
		if (rating_satisfied(d->rating))
			add(&dl, today, TS_SC_rated_satisfied, 1);
		if (rating_dislike(d->rating))
			add(&dl, today, TS_SC_rated_dislike, 1);
		break;
	default:
		break;
	}

	/* the stock: the open segment, if any, against what the dossier is now */
	want_open = d->accepted_at > 0 && open_status(d->status);
	want_paused = d->status == TS_DS_SUPPLEMENT || d->status == TS_DS_PAYMENT;
	{
		struct ts_dbval p[] = {TS_DB_INT(d->id)};
		if ((rc = ts_db_query(c, a, "stats_segment_open", p, 1, &r, err)))
			return rc;
	}
	if (r->nrows > 0) {
		int64_t id = ts_dbres_int(r, 0, 0), seg_due = ts_dbres_int(r, 0, 3);
		bool paused = ts_dbres_int(r, 0, 1) != 0, ovs = ts_dbres_int(r, 0, 4) != 0;
		have = true;
		same = want_open && paused == want_paused && seg_due == due;
		if (!same) {
			struct ts_dbval p[] = {TS_DB_INT(id), TS_DB_INT(at)};
			if (!paused && !ovs && seg_due > 0 && seg_due < at) {
				/* the deadline passed during the stretch: it became overdue that day */
				add(&dl, ts_stats_day_of(seg_due), TS_SC_d_active_in, -1);
				add(&dl, ts_stats_day_of(seg_due), TS_SC_d_active_over, 1);
				add(&dl, today, TS_SC_d_active_over, -1);
			} else {
				add(&dl, today, stock_col(paused, ovs), -1);
			}
			if ((rc = ts_db_query(c, a, "stats_segment_close", p, 2, NULL, err)))
				return rc;
		}
	}
	if (want_open && (!have || !same)) {
		bool ovs = due > 0 && at > due;
		struct ts_dbval p[] = {TS_DB_INT(d->id),	 TS_DB_INT(d->competent_unit_id),
				       TS_DB_INT(d->procedure_version_id), TS_DB_INT(want_paused),
				       TS_DB_INT(at),		 TS_DB_INT(due),
				       TS_DB_INT(ovs)};
		add(&dl, today, stock_col(want_paused, ovs), 1);
		if ((rc = ts_db_query(c, a, "stats_segment_insert", p, 7, NULL, err)))
			return rc;
	}
	return flush(c, a, d, &dl, err);
}

/* ---- recount ------------------------------------------------------------------------------ */

struct recount_job {
	struct ts_ctx *ctx;
	bool apply;
	int64_t rows, differing;
};

static int run(struct ts_dbconn *c, struct ts_arena *a, const char *const *names, int n,
	       struct ts_error *err)
{
	int rc;
	for (int i = 0; i < n; i++)
		if ((rc = ts_db_query(c, a, names[i], NULL, 0, NULL, err)))
			return rc;
	return 0;
}

/* The recount sums in memory: rows keyed by (k, unit, procedure), k being a local day, a
 * report month, a report year or 0 (the stock), in an open-addressing table. No sorting. */
struct rrow {
	int64_t k, unit, proc;
	struct ts_stats_counts c;
};

struct rmap {
	struct rrow *v;
	int n, cap;
	int *slots;  /* index + 1 into v, 0 = empty */
	int nslots;  /* a power of two, >= 2 * cap */
};

static void rmap_free(struct rmap *m)
{
	ts_free(m->v);
	ts_free(m->slots);
	memset(m, 0, sizeof(*m));
}

static void rmap_clear(struct rmap *m)
{
	m->n = 0;
	if (m->slots)
		memset(m->slots, 0, (size_t)m->nslots * sizeof(*m->slots));
}

static unsigned rmap_hash(int64_t k, int64_t unit, int64_t proc)
{
	uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15u;
	h ^= (uint64_t)unit * 0xC2B2AE3D27D4EB4Fu;
	h ^= (uint64_t)proc * 0x165667B19E3779F9u;
	h ^= h >> 29;
	return (unsigned)(h ^ (h >> 32));
}

static int rmap_grow(struct rmap *m)
{
	int cap = m->cap ? m->cap * 2 : 1024, nslots = cap * 2;
	struct rrow *v = ts_realloc(m->v, (size_t)cap * sizeof(*v));
	int *slots;
	if (!v)
		return TS_ERR_NOMEM;
	m->v = v;
	slots = ts_calloc((size_t)nslots, sizeof(*slots));
	if (!slots)
		return TS_ERR_NOMEM;
	ts_free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
	m->cap = cap;
	for (int i = 0; i < m->n; i++) {
		unsigned s = rmap_hash(v[i].k, v[i].unit, v[i].proc) & (unsigned)(nslots - 1);
		while (slots[s])
			s = (s + 1) & (unsigned)(nslots - 1);
		slots[s] = i + 1;
	}
	return 0;
}

/* The counters of key (k, unit, proc), zeroed when new; NULL when out of memory. */
static int64_t *rmap_at(struct rmap *m, int64_t k, int64_t unit, int64_t proc)
{
	unsigned s;
	if (m->n == m->cap && rmap_grow(m))
		return NULL;
	s = rmap_hash(k, unit, proc) & (unsigned)(m->nslots - 1);
	for (;; s = (s + 1) & (unsigned)(m->nslots - 1)) {
		int i = m->slots[s] - 1;
		if (i < 0)
			break;
		if (m->v[i].k == k && m->v[i].unit == unit && m->v[i].proc == proc)
			return m->v[i].c.v;
	}
	m->slots[s] = m->n + 1;
	m->v[m->n] = (struct rrow){.k = k, .unit = unit, .proc = proc};
	return m->v[m->n++].c.v;
}

/* A counted event of the current window, and what the recount needs of a dossier. */
struct revent {
	int64_t at, dossier;
	int kind;
};

struct rdossier {
	int64_t unit, proc, due, accepted_at, rating, version;
	int channel, docs; /* docs: 1 a digitised component, 2 a reused one */
	bool present, on_time, accepted, supplemented, electronic, population;
};

struct recount_sums {
	struct rmap day;   /* the current window's day rows */
	struct rmap month; /* report months, the whole recount */
	struct rmap year;  /* report years */
	struct rmap stock; /* k = 0: the open stock of each (unit, procedure) */
	int64_t last_day, last_rm; /* the report month of the last day flushed */
	int64_t *fo;               /* the fully online procedure versions, ascending */
	int nfo, capfo;
	struct revent *ev;         /* the window's counted events */
	int nev, capev;
	struct rdossier *dz;       /* dossiers dlo .. dlo + ndz - 1 of the window */
	int64_t dlo, ndz, capdz;
};

static int on_fully_online(void *vs, const int64_t *v, int ncols)
{
	struct recount_sums *r = vs;
	if (ncols != 1)
		return TS_ERR_INTERNAL;
	if (r->nfo == r->capfo) {
		int cap = r->capfo ? r->capfo * 2 : 256;
		int64_t *fo = ts_realloc(r->fo, (size_t)cap * sizeof(*fo));
		if (!fo)
			return TS_ERR_NOMEM;
		r->fo = fo;
		r->capfo = cap;
	}
	r->fo[r->nfo++] = v[0];
	return 0;
}

static void sums_free(struct recount_sums *r)
{
	rmap_free(&r->day);
	rmap_free(&r->month);
	rmap_free(&r->year);
	rmap_free(&r->stock);
	ts_free(r->fo);
	ts_free(r->ev);
	ts_free(r->dz);
	r->fo = NULL;
	r->ev = NULL;
	r->dz = NULL;
}


/* One row of stats_recount_events and one of stats_recount_dossiers (see stats.sql for the
 * columns). */
enum { EV_AT, EV_KIND, EV_DOSSIER, EV__COUNT };
enum { DO_ID, DO_UNIT, DO_PROC, DO_CHANNEL, DO_ON_TIME, DO_DUE, DO_ACCEPTED, DO_ACCEPTED_AT,
       DO_SUPPLEMENTS, DO_ELECTRONIC, DO_RATING, DO_VERSION, DO_DOCS, DO_POPULATION,
       DO__COUNT };

static bool fully_online(const struct recount_sums *r, int64_t version)
{
	int lo = 0, hi = r->nfo;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (r->fo[mid] < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nfo && r->fo[lo] == version;
}

/* The events of a window are kept (they are few columns), then the dossiers they belong to
 * are read once each: most in one range scan of the dossier table, the older rest one by one. */
static int on_event(void *vs, const int64_t *e, int ncols)
{
	struct recount_sums *r = vs;

	if (ncols != EV__COUNT)
		return TS_ERR_INTERNAL;
	if (e[EV_KIND] <= 0 || e[EV_KIND] > 10)
		return 0;
	if (r->nev == r->capev) {
		int cap = r->capev ? r->capev * 2 : 4096;
		struct revent *ev = ts_realloc(r->ev, (size_t)cap * sizeof(*ev));
		if (!ev)
			return TS_ERR_NOMEM;
		r->ev = ev;
		r->capev = cap;
	}
	r->ev[r->nev++] = (struct revent){.at = e[EV_AT], .dossier = e[EV_DOSSIER],
					   .kind = (int)e[EV_KIND]};
	return 0;
}

static void dossier_from(struct rdossier *d, const int64_t *v)
{
	*d = (struct rdossier){.present = true,
			       .unit = v[DO_UNIT],
			       .proc = v[DO_VERSION], /* the counters' key (see flush) */
			       .channel = (int)v[DO_CHANNEL],
			       .on_time = v[DO_ON_TIME] != 0,
			       .due = v[DO_DUE],
			       .accepted = v[DO_ACCEPTED] != 0,
			       .accepted_at = v[DO_ACCEPTED_AT],
			       .supplemented = v[DO_SUPPLEMENTS] > 0,
			       .electronic = v[DO_ELECTRONIC] != 0,
			       .rating = v[DO_RATING],
			       .version = v[DO_VERSION],
			       .docs = (int)(v[DO_DOCS] & 3),
			       .population = v[DO_POPULATION] != 0};
}

static int on_dossier(void *vs, const int64_t *v, int ncols)
{
	struct recount_sums *r = vs;
	if (ncols != DO__COUNT)
		return TS_ERR_INTERNAL;
	if (v[DO_ID] >= r->dlo && v[DO_ID] - r->dlo < r->ndz)
		dossier_from(&r->dz[v[DO_ID] - r->dlo], v);
	return 0;
}

/* rows of stats_recount_docs and stats_recount_population */
static int on_docs(void *vs, const int64_t *v, int ncols)
{
	struct recount_sums *r = vs;
	if (ncols != 2)
		return TS_ERR_INTERNAL;
	if (v[0] >= r->dlo && v[0] - r->dlo < r->ndz)
		r->dz[v[0] - r->dlo].docs = (int)(v[1] & 3);
	return 0;
}

static int on_population(void *vs, const int64_t *v, int ncols)
{
	struct recount_sums *r = vs;
	if (ncols != 1)
		return TS_ERR_INTERNAL;
	if (v[0] >= r->dlo && v[0] - r->dlo < r->ndz)
		r->dz[v[0] - r->dlo].population = true;
	return 0;
}

static int on_one_dossier(void *vd, const int64_t *v, int ncols)
{
	if (ncols != DO__COUNT)
		return TS_ERR_INTERNAL;
	dossier_from(vd, v);
	return 0;
}

/* The kinds stats_recount_events gives the counted events (its CASE; 0 = not counted). */
enum {
	RK_SUBMIT = 1, /* submit or intake */
	RK_ACCEPT = 2,
	RK_FINISH = 3,
	RK_STOP = 4,
	RK_WITHDRAW = 5,
	RK_REFUSE = 6,
	RK_DELIVER = 7,
	RK_RATE = 8,
	RK_SUPPLEMENT = 9,
	RK_APOLOGIZE = 10,
};

/* Counts one event of dossier d: the same counting as ts_stats_on_change, from the
 * dossier's final state. */
static int count_event(struct recount_sums *r, const struct revent *e, const struct rdossier *d)
{
	int64_t day = ts_stats_day_of(e->at), *v;

	if (!(v = rmap_at(&r->day, day, d->unit, d->proc)))
		return TS_ERR_NOMEM;
	switch (e->kind) {
	case RK_SUBMIT:
		v[TS_SC_submitted]++;
		break;
	case RK_ACCEPT:
		v[d->channel == TS_CHANNEL_ONLINE ? TS_SC_recv_online
		  : d->channel == TS_CHANNEL_POST ? TS_SC_recv_post
						  : TS_SC_recv_direct]++;
		v[TS_SC_recv_digitised] += (d->docs & 1) != 0;
		v[TS_SC_recv_reused] += (d->docs & 2) != 0;
		v[TS_SC_recv_population] += d->population;
		if (fully_online(r, d->version)) {
			v[TS_SC_recv_fo_eligible]++;
			v[TS_SC_recv_fo_online] += d->channel == TS_CHANNEL_ONLINE;
		}
		break;
	case RK_FINISH:
		if (!d->on_time)
			v[TS_SC_res_late]++;
		else if (d->due > 0 && day < ts_stats_day_of(d->due))
			v[TS_SC_res_early]++;
		else
			v[TS_SC_res_on_time]++;
		if (d->accepted)
			v[TS_SC_res_seconds] += e->at - d->accepted_at;
		v[TS_SC_res_supplemented] += d->supplemented;
		break;
	case RK_STOP:
		v[TS_SC_stopped] += d->accepted;
		break;
	case RK_WITHDRAW:
		v[TS_SC_withdrawn] += d->accepted;
		break;
	case RK_REFUSE:
		v[TS_SC_refused]++;
		break;
	case RK_DELIVER:
		v[TS_SC_delivered]++;
		v[TS_SC_delivered_electronic] += d->electronic;
		break;
	case RK_RATE:
		v[TS_SC_rated]++;
		v[TS_SC_rating_sum] += d->rating;
		v[TS_SC_rated_satisfied] += rating_satisfied(d->rating);
		v[TS_SC_rated_dislike] += rating_dislike(d->rating);
		break;
	case RK_SUPPLEMENT:
		v[TS_SC_supplement_req]++;
		break;
	case RK_APOLOGIZE:
	default:
		v[TS_SC_apologies]++;
		break;
	}
	return 0;
}

/* One row of stats_recount_stretches: +1 on its start day in its (paused, overdue) column,
 * -1 on its end day; an active stretch whose deadline passed before its end moves from
 * "in time" to "overdue" on the deadline's day (as ts_stats_on_change counts it). */
enum { ST_START, ST_END, ST_DUE, ST_PAUSED, ST_OVS, ST_UNIT, ST_PROC, ST__COUNT };

static int on_stretch(void *vs, const int64_t *s, int ncols)
{
	struct recount_sums *r = vs;
	bool paused, ovs, cross;
	int64_t *v;

	if (ncols != ST__COUNT)
		return TS_ERR_INTERNAL;
	if ((s[ST_PAUSED] != 0 && s[ST_PAUSED] != 1) || (s[ST_OVS] != 0 && s[ST_OVS] != 1))
		return 0; /* never written (the SQL recount ignored them too) */
	paused = s[ST_PAUSED] == 1;
	ovs = s[ST_OVS] == 1;
	if (!(v = rmap_at(&r->day, ts_stats_day_of(s[ST_START]), s[ST_UNIT], s[ST_PROC])))
		return TS_ERR_NOMEM;
	v[stock_col(paused, ovs)]++;
	if (s[ST_END] == 0)
		return 0;
	cross = !paused && !ovs && s[ST_DUE] > 0 && s[ST_DUE] < s[ST_END];
	if (!(v = rmap_at(&r->day, ts_stats_day_of(s[ST_END]), s[ST_UNIT], s[ST_PROC])))
		return TS_ERR_NOMEM;
	v[stock_col(paused, ovs || cross)]--;
	if (cross) {
		if (!(v = rmap_at(&r->day, ts_stats_day_of(s[ST_DUE]), s[ST_UNIT], s[ST_PROC])))
			return TS_ERR_NOMEM;
		v[TS_SC_d_active_in]--;
		v[TS_SC_d_active_over]++;
	}
	return 0;
}

static int put_row(struct ts_dbconn *c, struct ts_arena *a, const char *query, int64_t k,
		   int64_t unit, int64_t proc, const int64_t *v, struct ts_error *err)
{
	struct ts_dbval p[3 + TS_SC__COUNT];
	p[0] = TS_DB_INT(k);
	p[1] = TS_DB_INT(unit);
	p[2] = TS_DB_INT(proc);
	for (int i = 0; i < TS_SC__COUNT; i++)
		p[3 + i] = TS_DB_INT(v[i]);
	return ts_db_query(c, a, query, p, 3 + TS_SC__COUNT, NULL, err);
}

static int add_into(struct rmap *m, int64_t k, int64_t unit, int64_t proc, const int64_t *v,
		    int from, struct ts_error *err)
{
	int64_t *t = rmap_at(m, k, unit, proc);
	if (!t)
		return ts_stats_nomem(err);
	for (int i = from; i < TS_SC__COUNT; i++)
		t[i] += v[i];
	return 0;
}

/* Writes the window's day rows (adding to rows of the same key written by earlier windows:
 * stretch ends and crossings may fall on their days) and sums them into the report months,
 * years and the stock. */
static int flush_days(struct ts_dbconn *c, struct ts_arena *a, struct recount_sums *r,
		      struct ts_error *err)
{
	int rc;
	for (int i = 0; i < r->day.n; i++) {
		const struct rrow *d = &r->day.v[i];
		if (!any_of(&d->c, 0, TS_SC__COUNT))
			continue;
		if (d->k != r->last_day) {
			r->last_day = d->k;
			r->last_rm = ts_stats_rm_of_day(d->k);
		}
		if ((rc = put_row(c, a, "stats_day_recount_add", d->k, d->unit, d->proc, d->c.v,
				  err)) ||
		    (rc = add_into(&r->month, r->last_rm, d->unit, d->proc, d->c.v, 0, err)) ||
		    (rc = add_into(&r->year, r->last_rm / 12, d->unit, d->proc, d->c.v, 0, err)) ||
		    (rc = add_into(&r->stock, 0, d->unit, d->proc, d->c.v, TS_SC_d_active_in, err)))
			return rc;
	}
	rmap_clear(&r->day);
	return 0;
}

static int put_all(struct ts_dbconn *c, struct ts_arena *a, struct recount_sums *r,
		   struct ts_error *err)
{
	int rc;
	for (int i = 0; i < r->month.n; i++) {
		const struct rrow *m = &r->month.v[i];
		if ((rc = put_row(c, a, "stats_month_recount_put", m->k, m->unit, m->proc, m->c.v,
				  err)))
			return rc;
	}
	for (int i = 0; i < r->year.n; i++) {
		const struct rrow *y = &r->year.v[i];
		if ((rc = put_row(c, a, "stats_year_recount_put", y->k, y->unit, y->proc, y->c.v,
				  err)))
			return rc;
	}
	for (int i = 0; i < r->stock.n; i++) {
		const struct rrow *s = &r->stock.v[i];
		struct ts_dbval p[] = {TS_DB_INT(s->unit), TS_DB_INT(s->proc),
				       TS_DB_INT(s->c.v[TS_SC_d_active_in]),
				       TS_DB_INT(s->c.v[TS_SC_d_active_over]),
				       TS_DB_INT(s->c.v[TS_SC_d_paused_in]),
				       TS_DB_INT(s->c.v[TS_SC_d_paused_over])};
		if ((rc = ts_db_query(c, a, "stats_stock_recount_put", p, 6, NULL, err)))
			return rc;
	}
	return 0;
}

/* A row callback's own failure (the scan itself reports its errors in err). */
static int scan(struct ts_dbconn *c, const char *name, const struct ts_dbval *p, int np,
		ts_db_row_fn fn, void *r, struct ts_error *err)
{
	int rc = ts_db_query_ints(c, name, p, np, fn, r, err);
	if (rc == TS_ERR_NOMEM && err->code == 0)
		return ts_stats_nomem(err);
	if (rc && err->code == 0)
		return ts_error_set(err, rc, NULL, "Lỗi hệ thống khi đếm lại số liệu");
	return rc;
}

/* The sources are read in windows of whole local days [from, to) in index order (see
 * stats.sql), so each window's rows are summed in a table of its own days (the memory stays
 * bounded however many dossiers the store holds). A window holds about this many events: */
#define RECOUNT_WINDOW_EVENTS 200000

static int64_t g_window_events = RECOUNT_WINDOW_EVENTS;

void ts_stats_set_recount_window(int64_t events)
{
	g_window_events = events > 0 ? events : RECOUNT_WINDOW_EVENTS;
}

/* Counts the window's events (read by stats_recount_events into r->ev): the dossiers of the
 * newest ids (up to a span of twice the events, where nearly all of a window's dossiers are)
 * in one range scan, the older ones one by one. A dossier missing (never: events reference
 * it) counts nothing, as the join of the SQL recount did not. */
static int count_window(struct ts_dbconn *c, struct recount_sums *r, struct ts_error *err)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, span;
	int rc;

	if (r->nev == 0)
		return 0;
	for (int i = 0; i < r->nev; i++) {
		lo = r->ev[i].dossier < lo ? r->ev[i].dossier : lo;
		hi = r->ev[i].dossier > hi ? r->ev[i].dossier : hi;
	}
	span = 2 * (int64_t)r->nev + g_window_events / 8; /* one-day test windows: no slack */
	if (hi - lo + 1 > span)
		lo = hi - span + 1;
	r->dlo = lo;
	r->ndz = hi - lo + 1;
	if (r->ndz > r->capdz) {
		struct rdossier *dz = ts_realloc(r->dz, (size_t)r->ndz * sizeof(*dz));
		if (!dz)
			return ts_stats_nomem(err);
		r->dz = dz;
		r->capdz = r->ndz;
	}
	memset(r->dz, 0, (size_t)r->ndz * sizeof(*r->dz));
	{
		struct ts_dbval p[] = {TS_DB_INT(lo), TS_DB_INT(hi)};
		if ((rc = scan(c, "stats_recount_dossiers", p, 2, on_dossier, r, err)) ||
		    (rc = scan(c, "stats_recount_docs", p, 2, on_docs, r, err)) ||
		    (rc = scan(c, "stats_recount_population", p, 2, on_population, r, err)))
			return rc;
	}
	for (int i = 0; i < r->nev; i++) {
		const struct revent *e = &r->ev[i];
		struct rdossier one = {0};
		const struct rdossier *d = &one;
		if (e->dossier >= lo) {
			d = &r->dz[e->dossier - lo];
		} else {
			struct ts_dbval p[] = {TS_DB_INT(e->dossier)};
			if ((rc = scan(c, "stats_recount_dossier", p, 1, on_one_dossier, &one, err)))
				return rc;
		}
		if (d->present && count_event(r, e, d))
			return ts_stats_nomem(err);
	}
	r->nev = 0;
	return 0;
}

static int recount_windows(struct ts_dbconn *c, struct ts_arena *a, struct recount_sums *sums,
			   struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	int64_t lo = 0, hi = 0, events, d0, d1, width;
	bool any = false;
	int rc;

	if ((rc = ts_db_query(c, a, "stats_recount_bounds", NULL, 0, &r, err)))
		return rc;
	for (int k = 0; k < 2; k++) {
		if (ts_dbres_isnull(r, 0, 2 * k))
			continue;
		int64_t l = ts_dbres_int(r, 0, 2 * k), h = ts_dbres_int(r, 0, 2 * k + 1);
		lo = any && lo < l ? lo : l;
		hi = any && hi > h ? hi : h;
		any = true;
	}
	if (!any)
		return 0;
	if ((rc = scan(c, "stats_recount_fully_online", NULL, 0, on_fully_online, sums, err)))
		return rc;
	events = ts_dbres_int(r, 0, 4); /* the highest event id: about how many there are */
	d0 = ts_stats_day_of(lo);
	d1 = ts_stats_day_of(hi);
	width = (d1 - d0 + 1) * g_window_events / (events > 0 ? events : 1);
	width = width < 1 ? 1 : width > 366 ? 366 : width;
	sums->last_day = INT64_MIN;
	for (int64_t day = d0; day <= d1; day += width) {
		struct ts_dbval p[] = {TS_DB_INT(ts_stats_day_start(day)),
				       TS_DB_INT(ts_stats_day_start(day + width))};
		if ((rc = scan(c, "stats_recount_events", p, 2, on_event, sums, err)) ||
		    (rc = count_window(c, sums, err)) ||
		    (rc = scan(c, "stats_recount_stretches", p, 2, on_stretch, sums, err)) ||
		    (rc = flush_days(c, a, sums, err)))
			return rc;
	}
	return put_all(c, a, sums, err);
}

static int recount_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	static const char *const clear[] = {"stats_day_recount_clear", "stats_month_recount_clear",
					    "stats_year_recount_clear", "stats_stock_recount_clear"};
	static const char *const diffs[] = {"stats_day_recount_diff", "stats_month_recount_diff",
					    "stats_year_recount_diff", "stats_stock_recount_diff"};
	static const char *const apply[] = {"stats_day_clear",	       "stats_month_clear",
					    "stats_year_clear",	       "stats_stock_clear",
					    "stats_day_from_recount",   "stats_month_from_recount",
					    "stats_year_from_recount",  "stats_stock_from_recount"};
	struct recount_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct recount_sums sums = {0};
	struct ts_dbres *r = NULL;
	int rc;

	/* one snapshot, and no second recount beside it (PostgreSQL; see stats.sql) */
	if ((rc = ts_db_query(c, a, "stats_recount_snapshot", NULL, 0, NULL, err)) ||
	    (rc = ts_db_query(c, a, "stats_recount_lock", NULL, 0, NULL, err)) ||
	    (j->apply && (rc = ts_db_query(c, a, "stats_recount_lock_counters", NULL, 0, NULL, err))))
		return rc;
	/* this connection's page cache for the pages read (SQLite; put back below) */
	if ((rc = ts_db_query(c, a, "stats_recount_tune", NULL, 0, NULL, err)))
		return rc;
	rc = run(c, a, clear, 4, err);
	if (rc == 0)
		rc = recount_windows(c, a, &sums, err);
	sums_free(&sums);
	if (rc || (rc = ts_db_query(c, a, "stats_recount_rows", NULL, 0, &r, err)))
		goto out;
	j->rows = ts_dbres_int(r, 0, 0);
	j->differing = 0;
	for (int i = 0; i < 4; i++) {
		if ((rc = ts_db_query(c, a, diffs[i], NULL, 0, &r, err)))
			goto out;
		j->differing += ts_dbres_int(r, 0, 0);
	}
	if (j->apply) {
		char summary[96];
		if ((rc = run(c, a, apply, 8, err)))
			goto out;
		snprintf(summary, sizeof(summary), "%lld rows, %lld differed",
			 (long long)j->rows, (long long)j->differing);
		if ((rc = ts_audit_write(c, j->ctx, "stats.recount", "stats_day", "all", summary,
					 err)))
			goto out;
	}
	rc = run(c, a, clear, 4, err);
out:
	{
		struct ts_error ignored = {0};
		int urc = ts_db_query(c, a, "stats_recount_untune", NULL, 0, NULL,
				      rc ? &ignored : err);
		return rc ? rc : urc;
	}
}

int ts_stats_recount(struct ts_ctx *ctx, bool apply, int64_t *rows, int64_t *differing,
		     struct ts_error *err)
{
	struct recount_job j = {.ctx = ctx, .apply = apply};
	int rc;

	bool sys = false;

	for (int i = 0; i < ctx->actor.ngrants; i++)
		sys |= ctx->actor.grants[i].role == TS_ROLE_SYS_ADMIN && ctx->actor.grants[i].unit_id <= 0;
	if (!sys)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
				    "Chỉ quản trị hệ thống được đếm lại số liệu");
	struct ts_db_prefetch *pf = ts_db_prefetch_start(ctx->db);
	rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, recount_tx, &j, err);
	ts_db_prefetch_end(ctx->db, pf, false);
	if (rc == 0) {
		if (rows)
			*rows = j.rows;
		if (differing)
			*differing = j.differing;
	}
	return rc;
}

int ts_stats_on_documents(struct ts_dbconn *c, struct ts_arena *a, const struct ts_dossier *d,
			  bool was_digitised, bool was_reused, bool now_digitised, bool now_reused,
			  struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(d->id)};
	struct ts_dbres *r = NULL;
	int rc;

	if (was_digitised == now_digitised && was_reused == now_reused)
		return 0;
	if ((rc = ts_db_query(c, a, "stats_accept_times", p, 1, &r, err)))
		return rc;
	/* one reception counted per accept event, on its day: move the dossier there */
	for (int i = 0; i < r->nrows; i++) {
		struct deltas dl = {0};
		int64_t day = ts_stats_day_of(ts_dbres_int(r, i, 0));
		add(&dl, day, TS_SC_recv_digitised, (int64_t)now_digitised - (int64_t)was_digitised);
		add(&dl, day, TS_SC_recv_reused, (int64_t)now_reused - (int64_t)was_reused);
		if ((rc = flush(c, a, d, &dl, err)))
			return rc;
	}
	return 0;
}

int ts_stats_on_population(struct ts_dbconn *c, struct ts_arena *a, const struct ts_dossier *d,
			   struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(d->id)};
	struct ts_dbres *r = NULL;
	int rc;

	if ((rc = ts_db_query(c, a, "stats_accept_times", p, 1, &r, err)))
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		struct deltas dl = {0};
		add(&dl, ts_stats_day_of(ts_dbres_int(r, i, 0)), TS_SC_recv_population, 1);
		if ((rc = flush(c, a, d, &dl, err)))
			return rc;
	}
	return 0;
}
