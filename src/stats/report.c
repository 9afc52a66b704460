/* report.c - report 06/VPCP/KSTT (Circular 01/2020/TT-VPCP, DOMAIN.md §8) from the daily
 * counters: flows summed over the period, the open stock before it and at its end, rows by
 * field grouped by level, subtotals, the identities, and the drill-down from any cell to
 * the dossiers behind it. SQL in sql/common/queries/stats.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org/org.h"
#include "stats/stats_int.h"

static const char *const cell_names[] = {
#define X(n, s, vi) s,
	TS_STATS_CELL_TABLE(X)
#undef X
};
static const char *const cell_titles[] = {
#define X(n, s, vi) vi,
	TS_STATS_CELL_TABLE(X)
#undef X
};

const char *ts_stats_cell_name(int cell)
{
	return cell >= 0 && cell < TS_CELL__COUNT ? cell_names[cell] : NULL;
}

const char *ts_stats_cell_title(int cell)
{
	return cell >= 0 && cell < TS_CELL__COUNT ? cell_titles[cell] : NULL;
}

int ts_stats_cell_parse(const char *name)
{
	for (int i = 0; name && i < TS_CELL__COUNT; i++)
		if (strcmp(name, cell_names[i]) == 0)
			return i;
	return -1;
}

const char *ts_stats_level_name(int level)
{
	return level == TS_LEVEL_COMMUNE ? "commune" : level == TS_LEVEL_PROVINCE ? "province" : NULL;
}

const char *ts_stats_level_title(int level)
{
	return level == TS_LEVEL_COMMUNE ? "Cấp xã" : level == TS_LEVEL_PROVINCE ? "Cấp tỉnh" : NULL;
}

/* The kinds listed here are repeated in stats_drill's level filter (stats.sql). */
int ts_stats_level_of_kind(int kind)
{
	switch (kind) {
	case TS_UNIT_KIND_COMMUNE:
	case TS_UNIT_KIND_WARD:
	case TS_UNIT_KIND_SPECIAL_ZONE:
	case TS_UNIT_KIND_COMMUNE_DIVISION:
		return TS_LEVEL_COMMUNE;
	default:
		return TS_LEVEL_PROVINCE;
	}
}

int ts_stats_nomem(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

int64_t ts_stats_res_int(const struct ts_dbres *r, int row, const char *col)
{
	return ts_dbres_int(r, row, ts_dbres_col(r, col));
}

/* ---- loading ------------------------------------------------------------------------ */

static unsigned agg_hash(int64_t unit, int64_t proc)
{
	uint64_t h = (uint64_t)unit * 0x9E3779B97F4A7C15ull ^ ((uint64_t)proc + 0x632BE59BD9B4E019ull);
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	return (unsigned)(h ^ (h >> 32));
}

static unsigned str_hash(const char *k)
{
	unsigned h = 2166136261u;
	for (; k && *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

static bool same_key(const struct agg *g, bool by_field, int64_t unit, int64_t proc,
		     const char *field)
{
	return g->unit_id == unit && g->procedure_id == proc &&
	       (!by_field || strcmp(g->field_key, field) == 0);
}

static unsigned key_hash(bool by_field, int64_t unit, int64_t proc, const char *field)
{
	return agg_hash(unit, proc) ^ (by_field ? str_hash(field) : 0);
}

static struct agg *agg_find(struct aggs *s, struct ts_arena *a, const struct ts_dbres *r,
			    int i, struct ts_error *err)
{
	const char *field = ts_dbres_get(r, i, ts_dbres_col(r, "field_key"));
	int64_t unit, proc;
	unsigned mask, h;
	struct agg *g;
	int c;

	if (!field)
		field = "";
	if (s->by_field) {
		unit = ts_stats_res_int(r, i, "level");
		proc = 0;
	} else {
		unit = ts_stats_res_int(r, i, "unit_id");
		proc = ts_stats_res_int(r, i, "procedure_id");
	}
	if (s->nslots) {
		mask = (unsigned)s->nslots - 1;
		for (h = key_hash(s->by_field, unit, proc, field) & mask; s->slots[h] >= 0;
		     h = (h + 1) & mask)
			if (same_key(&s->v[s->slots[h]], s->by_field, unit, proc, field))
				return &s->v[s->slots[h]];
	}
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 256;
		struct agg *v = ts_arena_alloc(a, (size_t)cap * sizeof(*v));
		int *slots = ts_arena_alloc(a, (size_t)cap * 4 * sizeof(*slots));
		if (!v || !slots) {
			ts_stats_nomem(err);
			return NULL;
		}
		if (s->n)
			memcpy(v, s->v, (size_t)s->n * sizeof(*v));
		s->v = v;
		s->cap = cap;
		s->nslots = cap * 4;
		s->slots = slots;
		for (int k = 0; k < s->nslots; k++)
			slots[k] = -1;
		mask = (unsigned)s->nslots - 1;
		for (int k = 0; k < s->n; k++) {
			for (h = key_hash(s->by_field, v[k].unit_id, v[k].procedure_id, v[k].field_key) & mask;
			     slots[h] >= 0; h = (h + 1) & mask)
				;
			slots[h] = k;
		}
	}
	mask = (unsigned)s->nslots - 1;
	for (h = key_hash(s->by_field, unit, proc, field) & mask; s->slots[h] >= 0; h = (h + 1) & mask)
		;
	s->slots[h] = s->n;
	g = &s->v[s->n++];
	memset(g, 0, sizeof(*g));
	g->unit_id = unit;
	g->procedure_id = proc;
	g->level = s->by_field ? (int)unit
			       : ts_stats_level_of_kind(
				     ts_org_kind_parse(ts_dbres_get(r, i, ts_dbres_col(r, "unit_kind"))));
	if (!(g->field_key = ts_arena_strdup(a, field))) {
		ts_stats_nomem(err);
		return NULL;
	}
	g->field_name = ts_dbres_get(r, i, ts_dbres_col(r, "field_name"));
	c = ts_dbres_col(r, "procedure_code");
	g->procedure_code = c >= 0 ? ts_dbres_get(r, i, c) : NULL;
	c = ts_dbres_col(r, "procedure_name");
	g->procedure_name = c >= 0 ? ts_dbres_get(r, i, c) : NULL;
	return g;
}

enum target { T_FLOW, T_AFTER, T_STOCK };

static int load_rows(struct ts_dbconn *c, struct ts_arena *a, const char *query,
		     const struct ts_dbval *p, int np, enum target target, struct aggs *s,
		     struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	int cols[TS_SC__COUNT];
	int rc;

	if ((rc = ts_db_query(c, a, query, p, np, &r, err)))
		return rc;
	for (int k = 0; k < TS_SC__COUNT; k++)
		cols[k] = ts_dbres_col(r, ts_stats_col_name(k));
	for (int i = 0; i < r->nrows; i++) {
		struct agg *g = agg_find(s, a, r, i, err);
		struct ts_stats_counts *t;
		if (!g)
			return TS_ERR_NOMEM;
		t = target == T_FLOW ? &g->flow : target == T_AFTER ? &g->after : &g->stock;
		if (!g->procedure_code && ts_dbres_col(r, "procedure_code") >= 0) {
			g->procedure_code = ts_dbres_get(r, i, ts_dbres_col(r, "procedure_code"));
			g->procedure_name = ts_dbres_get(r, i, ts_dbres_col(r, "procedure_name"));
		}
		for (int k = 0; k < TS_SC__COUNT; k++)
			if (cols[k] >= 0)
				t->v[k] += ts_dbres_int(r, i, cols[k]);
	}
	return 0;
}

static const char *const q_days[2] = {"stats_flow_range", "stats_field_days"};
static const char *const q_months[2] = {"stats_flow_months", "stats_field_months"};
static const char *const q_years[2] = {"stats_flow_years", "stats_field_years"};

static int load_q(struct ts_dbconn *c, struct ts_arena *a, const char *query, int64_t unit_id,
		  int64_t from, int64_t to, enum target target, struct aggs *s, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(unit_id), TS_DB_INT(from), TS_DB_INT(to)};
	return from > to ? 0 : load_rows(c, a, query, p, 3, target, s, err);
}

/* Days [from, to]: whole report months from stats_month, the ragged ends from stats_day. */
static int load_months(struct ts_dbconn *c, struct ts_arena *a, int64_t unit_id, int64_t from,
		       int64_t to, enum target target, struct aggs *s, struct ts_error *err)
{
	int64_t rm_a, rm_b;
	int rc;

	if (from > to)
		return 0;
	rm_a = ts_stats_rm_of_day(from);
	if (ts_stats_rm_first_day(rm_a) != from)
		rm_a++;
	rm_b = ts_stats_rm_of_day(to);
	if (ts_stats_rm_last_day(rm_b) != to)
		rm_b--;
	if (rm_a > rm_b)
		return load_q(c, a, q_days[s->by_field], unit_id, from, to, target, s, err);
	if ((rc = load_q(c, a, q_months[s->by_field], unit_id, rm_a, rm_b, target, s, err)) ||
	    (rc = load_q(c, a, q_days[s->by_field], unit_id, from, ts_stats_rm_first_day(rm_a) - 1,
			 target, s, err)))
		return rc;
	return load_q(c, a, q_days[s->by_field], unit_id, ts_stats_rm_last_day(rm_b) + 1, to, target,
		      s, err);
}

/* Days [from, to]: whole report years from stats_year, the rest by months and days. */
static int load_span(struct ts_dbconn *c, struct ts_arena *a, int64_t unit_id, int64_t from,
		     int64_t to, enum target target, struct aggs *s, struct ts_error *err)
{
	int64_t ry_a, ry_b;
	int rc;

	if (from > to)
		return 0;
	ry_a = ts_stats_rm_of_day(from) / 12;
	if (ts_stats_rm_first_day(ry_a * 12) != from)
		ry_a++;
	ry_b = ts_stats_rm_of_day(to) / 12;
	if (ts_stats_rm_last_day(ry_b * 12 + 11) != to)
		ry_b--;
	if (ry_a > ry_b)
		return load_months(c, a, unit_id, from, to, target, s, err);
	if ((rc = load_q(c, a, q_years[s->by_field], unit_id, ry_a, ry_b, target, s, err)) ||
	    (rc = load_months(c, a, unit_id, from, ts_stats_rm_first_day(ry_a * 12) - 1, target, s,
			      err)))
		return rc;
	return load_months(c, a, unit_id, ts_stats_rm_last_day(ry_b * 12 + 11) + 1, to, target, s,
			   err);
}

int ts_stats_load(struct ts_ctx *ctx, struct ts_dbconn *c, int64_t unit_id,
		  const struct ts_stats_period *p, bool public_view, bool by_field,
		  struct aggs *out, struct ts_error *err)
{
	struct ts_arena *a = ctx->arena;
	struct ts_dbres *r = NULL;
	int64_t now = ts_stats_now();
	int rc;

	memset(out, 0, sizeof(*out));
	out->by_field = by_field;
	if (!public_view && (rc = ts_iam_require_unit(ctx, c, TS_PERM_STATS_READ, unit_id, err))) {
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_FORBIDDEN, "unit",
				    "Đơn vị nằm ngoài phạm vi được xem số liệu thống kê");
	}
	if (unit_id > 0) {
		struct ts_dbval q[] = {TS_DB_INT(unit_id)};
		if ((rc = ts_db_query(c, a, "stats_unit_kind", q, 1, &r, err)))
			return rc;
		if (r->nrows == 0)
			return ts_error_set(err, TS_ERR_NOT_FOUND, "unit", "Không tìm thấy đơn vị");
	}
	out->from_ts = ts_stats_day_start(p->from_day);
	out->to_ts = ts_stats_day_start(p->to_day + 1);
	/* the stock of a period not over yet is taken now (events of this second included) */
	out->as_of = out->to_ts < now + 1 ? out->to_ts : now + 1;
	/* the open stock before and at the end of the period: the stock now minus the changes
	 * after (recent periods read few rows); counters never lie in the future beyond the
	 * day after today (deadline crossings are recorded on past days) */
	{
		struct ts_dbval q[] = {TS_DB_INT(unit_id)};
		if ((rc = load_rows(c, a, by_field ? "stats_field_stock" : "stats_stock_now", q, 1,
				    T_STOCK, out, err)))
			return rc;
	}
	if ((rc = load_span(c, a, unit_id, p->from_day, p->to_day, T_FLOW, out, err)) ||
	    (rc = load_span(c, a, unit_id, p->to_day + 1, ts_stats_day_of(now) + 1, T_AFTER, out,
			    err)))
		return rc;
	{
		struct ts_dbval q[] = {TS_DB_INT(unit_id), TS_DB_INT(out->as_of)};
		if ((rc = ts_db_query(c, a, by_field ? "stats_field_fix" : "stats_stock_fix", q, 2, &r,
				      err)))
			return rc;
		for (int i = 0; i < r->nrows; i++) {
			struct agg *g = agg_find(out, a, r, i, err);
			if (!g)
				return TS_ERR_NOMEM;
			g->fix += ts_stats_res_int(r, i, "n");
		}
	}
	return 0;
}

void ts_stats_cells_add(const struct agg *g, int64_t *cell)
{
	const int64_t *f = g->flow.v, *af = g->after.v, *st = g->stock.v;
	int64_t online = f[TS_SC_recv_online], direct = f[TS_SC_recv_direct] + f[TS_SC_recv_post];
	int64_t end[4], carried = 0;

	for (int k = 0; k < 4; k++) {
		int col = TS_SC_d_active_in + k;
		end[k] = st[col] - af[col];         /* stock at the end of the period */
		carried += end[k] - f[col];         /* ... minus the period's changes */
	}
	int64_t a_in = end[0] - g->fix, a_over = end[1] + g->fix, p_in = end[2], p_over = end[3];

	cell[TS_CELL_RECEIVED] += online + direct + carried;
	cell[TS_CELL_RECEIVED_ONLINE] += online;
	cell[TS_CELL_RECEIVED_DIRECT] += direct;
	cell[TS_CELL_RECEIVED_POST] += f[TS_SC_recv_post];
	cell[TS_CELL_CARRIED_OVER] += carried;
	cell[TS_CELL_RESOLVED] += f[TS_SC_res_early] + f[TS_SC_res_on_time] + f[TS_SC_res_late];
	cell[TS_CELL_RESOLVED_EARLY] += f[TS_SC_res_early];
	cell[TS_CELL_RESOLVED_ON_TIME] += f[TS_SC_res_on_time];
	cell[TS_CELL_RESOLVED_LATE] += f[TS_SC_res_late];
	cell[TS_CELL_IN_PROGRESS] += a_in + a_over;
	cell[TS_CELL_IN_PROGRESS_WITHIN] += a_in;
	cell[TS_CELL_IN_PROGRESS_OVERDUE] += a_over;
	cell[TS_CELL_SUSPENDED] += p_in + p_over;
	cell[TS_CELL_SUSPENDED_WITHIN] += p_in;
	cell[TS_CELL_SUSPENDED_OVERDUE] += p_over;
	cell[TS_CELL_STOPPED] += f[TS_SC_stopped];
	cell[TS_CELL_WITHDRAWN] += f[TS_SC_withdrawn];
}

bool ts_stats_row_consistent(const struct ts_stats_row *r)
{
	const int64_t *c = r->cell;
	for (int i = 0; i < TS_CELL__COUNT; i++)
		if (c[i] < 0)
			return false;
	return c[TS_CELL_RECEIVED] ==
		   c[TS_CELL_RECEIVED_ONLINE] + c[TS_CELL_RECEIVED_DIRECT] + c[TS_CELL_CARRIED_OVER] &&
	       c[TS_CELL_RESOLVED] ==
		   c[TS_CELL_RESOLVED_EARLY] + c[TS_CELL_RESOLVED_ON_TIME] + c[TS_CELL_RESOLVED_LATE] &&
	       c[TS_CELL_IN_PROGRESS] == c[TS_CELL_IN_PROGRESS_WITHIN] + c[TS_CELL_IN_PROGRESS_OVERDUE] &&
	       c[TS_CELL_SUSPENDED] == c[TS_CELL_SUSPENDED_WITHIN] + c[TS_CELL_SUSPENDED_OVERDUE] &&
	       c[TS_CELL_RECEIVED_POST] <= c[TS_CELL_RECEIVED_DIRECT] &&
	       c[TS_CELL_RECEIVED] == c[TS_CELL_RESOLVED] + c[TS_CELL_IN_PROGRESS] +
					  c[TS_CELL_SUSPENDED] + c[TS_CELL_STOPPED] +
					  c[TS_CELL_WITHDRAWN];
}

/* ---- report 06 ------------------------------------------------------------------------ */

struct report_job {
	struct ts_ctx *ctx;
	int64_t unit_id;
	const struct ts_stats_period *p;
	struct ts_stats_report *out;
};

static int row_cmp(const void *x, const void *y)
{
	const struct ts_stats_row *a = x, *b = y;
	const char *na = a->field_name ? a->field_name : "\xff", *nb = b->field_name ? b->field_name : "\xff";
	int c;

	if (a->level != b->level)
		return a->level - b->level;
	if ((c = strcmp(na, nb)))
		return c;
	return strcmp(a->field_code ? a->field_code : "", b->field_code ? b->field_code : "");
}

static int report_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct report_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_stats_report *out = j->out;
	struct aggs s;
	int rc;

	if ((rc = ts_stats_load(j->ctx, c, j->unit_id, j->p, false, true, &s, err)))
		return rc;
	out->as_of = s.as_of;
	out->rows = ts_arena_zalloc(a, (size_t)(s.n + 1) * sizeof(*out->rows));
	if (!out->rows)
		return ts_stats_nomem(err);
	for (int i = 0; i < s.n; i++) {
		const struct agg *g = &s.v[i];
		struct ts_stats_row *row = NULL;
		for (int k = 0; k < out->nrows && !row; k++)
			if (out->rows[k].level == g->level && strcmp(out->rows[k].field_code, g->field_key) == 0)
				row = &out->rows[k];
		if (!row) {
			row = &out->rows[out->nrows++];
			row->level = g->level;
			row->field_code = g->field_key;
			row->field_name = g->field_name ? g->field_name : "Chưa phân loại lĩnh vực";
		}
		ts_stats_cells_add(g, row->cell);
	}
	/* rows with nothing in any cell are left out */
	for (int k = 0; k < out->nrows;) {
		bool any = false;
		for (int m = 0; m < TS_CELL__COUNT; m++)
			any |= out->rows[k].cell[m] != 0;
		if (any) {
			k++;
			continue;
		}
		out->rows[k] = out->rows[--out->nrows];
	}
	qsort(out->rows, (size_t)out->nrows, sizeof(*out->rows), row_cmp);
	out->total.level = -1;
	out->total.field_name = "Tổng cộng";
	for (int l = 0; l < TS_LEVEL__COUNT; l++) {
		out->level_total[l].level = l;
		out->level_total[l].field_name = ts_stats_level_title(l);
	}
	for (int k = 0; k < out->nrows; k++) {
		const struct ts_stats_row *row = &out->rows[k];
		out->level_present[row->level] = true;
		for (int m = 0; m < TS_CELL__COUNT; m++) {
			out->level_total[row->level].cell[m] += row->cell[m];
			out->total.cell[m] += row->cell[m];
		}
	}
	if (j->unit_id > 0) {
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id)};
		struct ts_dbres *r = NULL;
		if ((rc = ts_db_query(c, a, "stats_unit_kind", q, 1, &r, err)))
			return rc;
		out->unit_code = ts_dbres_get(r, 0, 1);
		out->unit_name = ts_dbres_get(r, 0, 2);
	} else {
		out->unit_name = "Toàn tỉnh";
	}
	return 0;
}

int ts_stats_report06(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		      struct ts_stats_report *out, struct ts_error *err)
{
	struct report_job j = {ctx, unit_id, p, out};

	memset(out, 0, sizeof(*out));
	out->period = *p;
	out->unit_id = unit_id;
	return ts_db_tx(ctx->db, TS_DB_TX_READ, report_tx, &j, err);
}

/* ---- drill-down ------------------------------------------------------------------------- */

static const char *const index_cells[] = {"idx:2.1", "idx:3.1", "idx:5.1", "idx:5.2", "idx:5.4",
					   "idx:5.6", "idx:5.7", "idx:6.3"};

struct drill_job {
	struct ts_ctx *ctx;
	int64_t unit_id;
	const struct ts_stats_period *p;
	const char *cell, *field;
	int level;
	int64_t after;
	int limit;
	struct ts_stats_dossier *items;
	int n;
};

static int drill_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct drill_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbres *r = NULL;
	int64_t now = ts_stats_now(), from = ts_stats_day_start(j->p->from_day),
		to = ts_stats_day_start(j->p->to_day + 1);
	int rc;

	if ((rc = ts_iam_require_unit(j->ctx, c, TS_PERM_STATS_READ, j->unit_id, err))) {
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_FORBIDDEN, "unit",
				    "Đơn vị nằm ngoài phạm vi được xem số liệu thống kê");
	}
	{
		/* the stock is taken when the report takes it: min(end of period, now) */
		struct ts_dbval p[] = {TS_DB_INT(j->unit_id), TS_DB_INT(from),
				       TS_DB_INT(to),	      TS_DB_TEXT(j->cell),
				       TS_DB_TEXT(j->field),  TS_DB_INT(j->level),
				       TS_DB_INT(j->after),   TS_DB_INT(j->limit + 1),
				       TS_DB_INT(to < now + 1 ? to : now + 1)};
		if ((rc = ts_db_query(c, a, "stats_drill", p, 9, &r, err)))
			return rc;
	}
	j->items = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(*j->items));
	if (!j->items)
		return ts_stats_nomem(err);
	for (int i = 0; i < r->nrows; i++) {
		struct ts_stats_dossier *d = &j->items[i];
		d->code = ts_dbres_get(r, i, 1);
		d->procedure_code = ts_dbres_get(r, i, 2);
		d->procedure_name = ts_dbres_get(r, i, 3);
		d->field_name = ts_dbres_get(r, i, 4);
		d->unit_name = ts_dbres_get(r, i, 5);
		d->unit_id = ts_dbres_int(r, i, 6);
		d->status = (int)ts_dbres_int(r, i, 7);
		d->channel = (int)ts_dbres_int(r, i, 8);
		d->accepted_at = ts_dbres_int(r, i, 9);
		d->due_at = ts_dbres_int(r, i, 10);
		d->ended_at = ts_dbres_int(r, i, 11);
	}
	j->n = r->nrows;
	if (j->n > j->limit) {
		j->n = j->limit;
		j->after = ts_dbres_int(r, j->limit - 1, 0);
	} else {
		j->after = 0;
	}
	return 0;
}

int ts_stats_drill(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		   const char *cell, const char *field_code, int level, int64_t after, int limit,
		   struct ts_stats_dossier **items, int *n, int64_t *next, struct ts_error *err)
{
	struct drill_job j = {ctx, unit_id, p, cell, field_code, level, after, limit, NULL, 0};
	bool known = ts_stats_cell_parse(cell) >= 0;
	int rc;

	for (size_t i = 0; cell && !known && i < sizeof(index_cells) / sizeof(index_cells[0]); i++)
		known = strcmp(cell, index_cells[i]) == 0;
	if (!known)
		return ts_error_set(err, TS_ERR_VALIDATION, "cell", "Ô số liệu không hợp lệ");
	if (limit == 0)
		j.limit = 50;
	if (j.limit < 1 || j.limit > TS_STATS_DRILL_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit", "Số dòng mỗi trang từ 1 đến %d",
				    TS_STATS_DRILL_MAX);
	if (level < -1 || level >= TS_LEVEL__COUNT)
		return ts_error_set(err, TS_ERR_VALIDATION, "level", "Cấp không hợp lệ");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, drill_tx, &j, err)))
		return rc;
	*items = j.items;
	*n = j.n;
	*next = j.after;
	return 0;
}
