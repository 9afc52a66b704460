/* rank.c - rankings of units (on-time rate, overdue now, average processing time,
 * supplement rate, satisfaction) and of officers (their control-slip hand-overs and late
 * ones), the operations-centre (IOC) figures and the public figures, all from the counters
 * and the stock segments. SQL in sql/common/queries/stats.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org/org.h"
#include "stats/stats_int.h"

static int forbid(struct ts_error *err)
{
	ts_error_clear(err);
	return ts_error_set(err, TS_ERR_FORBIDDEN, "unit",
			    "Đơn vị nằm ngoài phạm vi được xem số liệu thống kê");
}

static double rate(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : -1.0;
}

/* ---- units ---------------------------------------------------------------------------- */

struct units_job {
	struct ts_ctx *ctx;
	int64_t unit_id;
	const struct ts_stats_period *p;
	bool public_view;
	struct aggs s;
	struct ts_stats_unit_rank *items;
	int n;
};

static int unit_rank_cmp(const void *x, const void *y)
{
	const struct ts_stats_unit_rank *a = x, *b = y;
	if (a->on_time_rate != b->on_time_rate)
		return a->on_time_rate < b->on_time_rate ? 1 : -1;
	if (a->overdue_now != b->overdue_now)
		return a->overdue_now < b->overdue_now ? -1 : 1;
	return strcmp(a->code ? a->code : "", b->code ? b->code : "");
}

/* Loads the aggregates and fills one rank row per unit of the subtree (unsorted). */
static int units_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct units_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbres *r = NULL, *o = NULL;
	int rc;

	if ((rc = ts_stats_load(j->ctx, c, j->unit_id, j->p, j->public_view, false, &j->s, err)))
		return rc;
	{
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id)};
		if ((rc = ts_db_query(c, a, "stats_units", q, 1, &r, err)))
			return rc;
	}
	{
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id), TS_DB_INT(ts_stats_now())};
		if ((rc = ts_db_query(c, a, "stats_overdue_now", q, 2, &o, err)))
			return rc;
	}
	j->items = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(*j->items));
	if (!j->items)
		return ts_stats_nomem(err);
	j->n = r->nrows;
	for (int i = 0; i < r->nrows; i++) {
		struct ts_stats_unit_rank *u = &j->items[i];
		int64_t secs = 0, rating_sum = 0;
		u->unit_id = ts_dbres_int(r, i, 0);
		u->code = ts_dbres_get(r, i, 1);
		u->name = ts_dbres_get(r, i, 2);
		u->level = ts_stats_level_of_kind(ts_org_kind_parse(ts_dbres_get(r, i, 3)));
		u->parent_id = ts_dbres_int(r, i, 4);
		for (int k = 0; k < j->s.n; k++) {
			const int64_t *f = j->s.v[k].flow.v;
			if (j->s.v[k].unit_id != u->unit_id)
				continue;
			u->received += f[TS_SC_recv_online] + f[TS_SC_recv_direct] + f[TS_SC_recv_post];
			u->on_time += f[TS_SC_res_early] + f[TS_SC_res_on_time];
			u->late += f[TS_SC_res_late];
			secs += f[TS_SC_res_seconds];
			u->supplemented += f[TS_SC_res_supplemented];
			u->rated += f[TS_SC_rated];
			rating_sum += f[TS_SC_rating_sum];
		}
		u->resolved = u->on_time + u->late;
		for (int k = 0; k < o->nrows; k++)
			if (ts_dbres_int(o, k, 0) == u->unit_id)
				u->overdue_now = ts_dbres_int(o, k, 1);
		u->on_time_rate = rate(u->on_time, u->resolved);
		u->supplement_rate = rate(u->supplemented, u->resolved);
		u->avg_days = u->resolved > 0 ? (double)secs / (double)u->resolved / 86400.0 : -1.0;
		u->satisfaction = rate(rating_sum, u->rated);
	}
	return 0;
}

int ts_stats_rank_units(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
			struct ts_stats_unit_rank **items, int *n, struct ts_error *err)
{
	struct units_job j = {.ctx = ctx, .unit_id = unit_id, .p = p};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, units_tx, &j, err);

	if (rc)
		return rc;
	qsort(j.items, (size_t)j.n, sizeof(*j.items), unit_rank_cmp);
	*items = j.items;
	*n = j.n;
	return 0;
}

/* ---- officers ----------------------------------------------------------------------------- */

struct officers_job {
	struct ts_ctx *ctx;
	int64_t unit_id, account_id;
	const struct ts_stats_period *p;
	struct ts_dbres *r;
};

static int officers_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct officers_job *j = vjob;
	int64_t from = ts_stats_day_start(j->p->from_day), to = ts_stats_day_start(j->p->to_day + 1);
	int rc;

	if (ts_iam_require_unit(j->ctx, c, TS_PERM_STATS_READ, j->unit_id, err))
		return forbid(err);
	if (j->account_id > 0) {
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id), TS_DB_INT(from), TS_DB_INT(to),
				       TS_DB_INT(j->account_id)};
		rc = ts_db_query(c, j->ctx->arena, "stats_officer_late", q, 4, &j->r, err);
	} else {
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id), TS_DB_INT(from), TS_DB_INT(to)};
		rc = ts_db_query(c, j->ctx->arena, "stats_officers", q, 3, &j->r, err);
	}
	return rc;
}

int ts_stats_rank_officers(struct ts_ctx *ctx, int64_t unit_id,
			   const struct ts_stats_period *p, struct ts_stats_officer_rank **items,
			   int *n, struct ts_error *err)
{
	struct officers_job j = {ctx, unit_id, 0, p, NULL};
	struct ts_stats_officer_rank *v;
	int rc;

	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, officers_tx, &j, err)))
		return rc;
	v = ts_arena_zalloc(ctx->arena, (size_t)(j.r->nrows + 1) * sizeof(*v));
	if (!v)
		return ts_stats_nomem(err);
	for (int i = 0; i < j.r->nrows; i++) {
		v[i].account_id = ts_dbres_int(j.r, i, 0);
		v[i].username = ts_dbres_get(j.r, i, 1);
		v[i].name = ts_dbres_get(j.r, i, 2);
		v[i].handled = ts_dbres_int(j.r, i, 3);
		v[i].early = ts_dbres_int(j.r, i, 4);
		v[i].on_time = ts_dbres_int(j.r, i, 5);
		v[i].late = ts_dbres_int(j.r, i, 6);
		v[i].on_time_rate = rate(v[i].early + v[i].on_time, v[i].handled);
	}
	*items = v;
	*n = j.r->nrows;
	return 0;
}

int ts_stats_officer_late(struct ts_ctx *ctx, int64_t unit_id,
			  const struct ts_stats_period *p, int64_t account_id,
			  struct ts_stats_late_step **items, int *n, struct ts_error *err)
{
	struct officers_job j = {ctx, unit_id, account_id, p, NULL};
	struct ts_stats_late_step *v;
	int rc;

	if (account_id <= 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "id", "Cán bộ không hợp lệ");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, officers_tx, &j, err)))
		return rc;
	v = ts_arena_zalloc(ctx->arena, (size_t)(j.r->nrows + 1) * sizeof(*v));
	if (!v)
		return ts_stats_nomem(err);
	for (int i = 0; i < j.r->nrows; i++) {
		v[i].code = ts_dbres_get(j.r, i, 0);
		v[i].procedure_name = ts_dbres_get(j.r, i, 1);
		v[i].action = ts_dbres_get(j.r, i, 2);
		v[i].step = (int)ts_dbres_int(j.r, i, 3);
		v[i].step_started_at = ts_dbres_int(j.r, i, 4);
		v[i].step_due_at = ts_dbres_int(j.r, i, 5);
		v[i].handed_at = ts_dbres_int(j.r, i, 6);
	}
	*items = v;
	*n = j.r->nrows;
	return 0;
}

/* ---- operations centre ---------------------------------------------------------------- */

static json_t *jrate(double r)
{
	return r < 0 ? json_null() : json_real((double)(long long)(r * 10000.0 + 0.5) / 10000.0);
}

static json_t *totals_json(const int64_t *cell, const struct ts_stats_counts *t)
{
	int64_t received_new = cell[TS_CELL_RECEIVED_ONLINE] + cell[TS_CELL_RECEIVED_DIRECT];
	return json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I}",
			 "received", (json_int_t)received_new, "received_online",
			 (json_int_t)cell[TS_CELL_RECEIVED_ONLINE], "carried_over",
			 (json_int_t)cell[TS_CELL_CARRIED_OVER], "online_share",
			 jrate(rate(cell[TS_CELL_RECEIVED_ONLINE], received_new)), "resolved",
			 (json_int_t)cell[TS_CELL_RESOLVED], "resolved_on_time",
			 (json_int_t)(cell[TS_CELL_RESOLVED_EARLY] + cell[TS_CELL_RESOLVED_ON_TIME]),
			 "resolved_late", (json_int_t)cell[TS_CELL_RESOLVED_LATE], "on_time_rate",
			 jrate(rate(cell[TS_CELL_RESOLVED_EARLY] + cell[TS_CELL_RESOLVED_ON_TIME],
				    cell[TS_CELL_RESOLVED])),
			 "in_progress", (json_int_t)(cell[TS_CELL_IN_PROGRESS] + cell[TS_CELL_SUSPENDED]),
			 "overdue",
			 (json_int_t)(cell[TS_CELL_IN_PROGRESS_OVERDUE] + cell[TS_CELL_SUSPENDED_OVERDUE]),
			 "submitted", (json_int_t)t->v[TS_SC_submitted], "rated",
			 (json_int_t)t->v[TS_SC_rated], "rated_satisfied",
			 (json_int_t)t->v[TS_SC_rated_satisfied]);
}

static void sum_all(const struct aggs *s, int64_t *cell, struct ts_stats_counts *t)
{
	for (int i = 0; i < s->n; i++) {
		ts_stats_cells_add(&s->v[i], cell);
		for (int k = 0; k < TS_SC__COUNT; k++)
			t->v[k] += s->v[i].flow.v[k];
	}
}

struct late_key {
	const char *code, *name;
	int64_t id, late, resolved;
};

static int late_cmp(const void *x, const void *y)
{
	const struct late_key *a = x, *b = y;
	if (a->late != b->late)
		return a->late < b->late ? 1 : -1;
	return a->id < b->id ? -1 : a->id > b->id;
}

struct ioc_job {
	struct ts_ctx *ctx;
	int64_t unit_id, now;
	struct ts_dbres *trend, *events, *cursor;
};

static int ioc_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct ioc_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	int64_t today = ts_stats_day_of(j->now);
	int rc;

	if (ts_iam_require_unit(j->ctx, c, TS_PERM_STATS_READ, j->unit_id, err))
		return forbid(err);
	{
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id), TS_DB_INT(today - 29), TS_DB_INT(today)};
		if ((rc = ts_db_query(c, a, "stats_trend", q, 3, &j->trend, err)))
			return rc;
	}
	{
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id), TS_DB_INT(20)};
		if ((rc = ts_db_query(c, a, "stats_latest_events", q, 2, &j->events, err)))
			return rc;
	}
	return ts_db_query(c, a, "stats_cursor", NULL, 0, &j->cursor, err);
}

#define TOP 10

int ts_stats_ioc(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		 int64_t now, json_t **out, struct ts_error *err)
{
	struct units_job uj = {.ctx = ctx, .unit_id = unit_id, .p = p};
	struct ioc_job ij = {.ctx = ctx, .unit_id = unit_id, .now = now};
	struct ts_stats_index idx;
	int64_t pcell[TS_CELL__COUNT] = {0}, overdue_now = 0, today = ts_stats_day_of(now);
	int64_t t_recv = 0, t_online = 0, t_res = 0, t_late = 0, t_sub = 0;
	struct ts_stats_counts pt = {0};
	struct late_key *procs;
	int nprocs = 0, rc;
	json_t *o, *arr;

	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, units_tx, &uj, err)) ||
	    (rc = ts_db_tx(ctx->db, TS_DB_TX_READ, ioc_tx, &ij, err)) ||
	    (rc = ts_stats_index_from(ctx, unit_id, p, &uj.s, &idx, err)))
		return rc;
	sum_all(&uj.s, pcell, &pt);
	/* today: the trend's last day */
	for (int i = 0; i < ij.trend->nrows; i++)
		if (ts_dbres_int(ij.trend, i, 0) == today) {
			t_recv = ts_dbres_int(ij.trend, i, 1);
			t_online = ts_dbres_int(ij.trend, i, 2);
			t_res = ts_dbres_int(ij.trend, i, 3);
			t_late = ts_dbres_int(ij.trend, i, 4);
			t_sub = ts_dbres_int(ij.trend, i, 5);
		}
	for (int i = 0; i < uj.n; i++)
		overdue_now += uj.items[i].overdue_now;
	o = ts_json_own(ctx->arena, json_object());
	if (!o)
		return ts_stats_nomem(err);
	json_object_set_new(o, "as_of", json_integer(now));
	json_object_set_new(o, "cursor", json_integer(ts_dbres_int(ij.cursor, 0, 0)));
	json_object_set_new(o, "unit_id", json_integer(unit_id));
	json_object_set_new(o, "period", json_pack("{s:s, s:i, s:i}", "label", p->label, "from",
						   ts_stats_day_ymd(p->from_day), "to",
						   ts_stats_day_ymd(p->to_day)));
	json_object_set_new(o, "today",
			    json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:o}", "submitted", (json_int_t)t_sub,
				      "received", (json_int_t)t_recv, "received_online",
				      (json_int_t)t_online, "online_share", jrate(rate(t_online, t_recv)),
				      "resolved", (json_int_t)t_res, "resolved_late", (json_int_t)t_late,
				      "on_time_rate", jrate(rate(t_res - t_late, t_res))));
	json_object_set_new(o, "period_totals", totals_json(pcell, &pt));
	json_object_set_new(o, "overdue_now", json_integer(overdue_now));
	json_object_set_new(o, "index766", json_pack("{s:f, s:i, s:i, s:s}", "total", idx.total,
						     "max", idx.total_max, "not_computed_max",
						     idx.na_max, "version", idx.version_code));
	arr = json_array();
	for (int i = 0; arr && i < ij.trend->nrows; i++)
		json_array_append_new(
		    arr, json_pack("{s:i, s:I, s:I, s:I, s:I, s:I}", "date",
				   ts_stats_day_ymd(ts_dbres_int(ij.trend, i, 0)), "received",
				   (json_int_t)ts_dbres_int(ij.trend, i, 1), "received_online",
				   (json_int_t)ts_dbres_int(ij.trend, i, 2), "resolved",
				   (json_int_t)ts_dbres_int(ij.trend, i, 3), "late",
				   (json_int_t)ts_dbres_int(ij.trend, i, 4), "submitted",
				   (json_int_t)ts_dbres_int(ij.trend, i, 5)));
	json_object_set_new(o, "trend", arr);
	/* the unit tree with each unit's on-time rate (the UI colours it) */
	arr = json_array();
	for (int i = 0; arr && i < uj.n; i++) {
		const struct ts_stats_unit_rank *u = &uj.items[i];
		json_array_append_new(
		    arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:I}", "id",
				   (json_int_t)u->unit_id, "parent_id", (json_int_t)u->parent_id,
				   "code", u->code, "name", u->name, "level",
				   ts_stats_level_name(u->level), "received", (json_int_t)u->received,
				   "resolved", (json_int_t)u->resolved, "late", (json_int_t)u->late,
				   "on_time_rate", jrate(u->on_time_rate), "overdue_now",
				   (json_int_t)u->overdue_now));
	}
	json_object_set_new(o, "units", arr);
	/* top late units */
	qsort(uj.items, (size_t)uj.n, sizeof(*uj.items), unit_rank_cmp);
	arr = json_array();
	{
		struct late_key *v = ts_arena_zalloc(ctx->arena, (size_t)(uj.n + 1) * sizeof(*v));
		if (!v)
			return ts_stats_nomem(err);
		for (int i = 0; i < uj.n; i++)
			v[i] = (struct late_key){uj.items[i].code, uj.items[i].name, uj.items[i].unit_id,
						 uj.items[i].late, uj.items[i].resolved};
		qsort(v, (size_t)uj.n, sizeof(*v), late_cmp);
		for (int i = 0; arr && i < uj.n && i < TOP && v[i].late > 0; i++)
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I, s:I}", "id",
							     (json_int_t)v[i].id, "code", v[i].code,
							     "name", v[i].name, "late",
							     (json_int_t)v[i].late, "resolved",
							     (json_int_t)v[i].resolved));
	}
	json_object_set_new(o, "top_late_units", arr);
	/* top late procedures */
	procs = ts_arena_zalloc(ctx->arena, (size_t)(uj.s.n + 1) * sizeof(*procs));
	if (!procs)
		return ts_stats_nomem(err);
	for (int i = 0; i < uj.s.n; i++) {
		const struct agg *g = &uj.s.v[i];
		struct late_key *k = NULL;
		for (int m = 0; m < nprocs && !k; m++)
			if (procs[m].id == g->procedure_id)
				k = &procs[m];
		if (!k) {
			k = &procs[nprocs++];
			k->id = g->procedure_id;
			k->code = g->procedure_code;
			k->name = g->procedure_name;
		}
		k->late += g->flow.v[TS_SC_res_late];
		k->resolved += g->flow.v[TS_SC_res_early] + g->flow.v[TS_SC_res_on_time] +
			       g->flow.v[TS_SC_res_late];
	}
	qsort(procs, (size_t)nprocs, sizeof(*procs), late_cmp);
	arr = json_array();
	for (int i = 0; arr && i < nprocs && i < TOP && procs[i].late > 0; i++)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:I, s:I}", "procedure_id",
						     (json_int_t)procs[i].id, "code",
						     ts_json_strornull(procs[i].code), "name",
						     ts_json_strornull(procs[i].name), "late",
						     (json_int_t)procs[i].late, "resolved",
						     (json_int_t)procs[i].resolved));
	json_object_set_new(o, "top_late_procedures", arr);
	arr = json_array();
	for (int i = 0; arr && i < ij.events->nrows; i++) {
		const struct ts_dbres *e = ij.events;
		json_array_append_new(
		    arr, json_pack("{s:I, s:I, s:o, s:i, s:i, s:o, s:o, s:o, s:o}", "id",
				   (json_int_t)ts_dbres_int(e, i, 0), "at",
				   (json_int_t)ts_dbres_int(e, i, 1), "action",
				   ts_json_strornull(ts_dbres_get(e, i, 2)), "from",
				   (int)ts_dbres_int(e, i, 3), "to", (int)ts_dbres_int(e, i, 4), "code",
				   ts_json_strornull(ts_dbres_get(e, i, 5)), "procedure_name",
				   ts_json_strornull(ts_dbres_get(e, i, 6)), "unit_name",
				   ts_json_strornull(ts_dbres_get(e, i, 7)), "result",
				   ts_json_strornull(ts_dbres_get(e, i, 8))));
	}
	json_object_set_new(o, "latest_events", arr);
	*out = json_incref(o);
	return 0;
}

int ts_stats_public(struct ts_ctx *ctx, const struct ts_stats_period *p, json_t **out,
		    struct ts_error *err)
{
	struct units_job uj = {.ctx = ctx, .unit_id = 0, .p = p, .public_view = true};
	int64_t cell[TS_CELL__COUNT] = {0}, lcell[TS_LEVEL__COUNT][TS_CELL__COUNT] = {{0}};
	struct ts_stats_counts t = {0}, lt[TS_LEVEL__COUNT] = {{{0}}};
	json_t *o, *levels;
	int rc;

	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, units_tx, &uj, err)))
		return rc;
	sum_all(&uj.s, cell, &t);
	for (int i = 0; i < uj.s.n; i++) {
		const struct agg *g = &uj.s.v[i];
		ts_stats_cells_add(g, lcell[g->level]);
		for (int k = 0; k < TS_SC__COUNT; k++)
			lt[g->level].v[k] += g->flow.v[k];
	}
	levels = json_object();
	for (int l = 0; levels && l < TS_LEVEL__COUNT; l++)
		json_object_set_new(levels, ts_stats_level_name(l), totals_json(lcell[l], &lt[l]));
	o = json_pack("{s:{s:s, s:i, s:i}, s:o, s:o, s:I}", "period", "label", p->label, "from",
		      ts_stats_day_ymd(p->from_day), "to", ts_stats_day_ymd(p->to_day), "totals",
		      totals_json(cell, &t), "levels", levels, "as_of", (json_int_t)uj.s.as_of);
	if (!o)
		return ts_stats_nomem(err);
	*out = o;
	return 0;
}
