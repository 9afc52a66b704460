/* index.c - the service-quality index of Decision 766/QĐ-TTg (DOMAIN.md §9): indicator
 * definitions (group, maximum, threshold, formula, commune applicability) are versioned
 * data (stats_index_version / stats_index_item, migration 0008); this file knows how to
 * compute each formula from the counters, and says N/A with the reason when the platform
 * does not record an indicator's inputs or nothing happened in the period. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "org/org.h"
#include "stats/stats_int.h"

double ts_stats_index_score(double ratio, int max_points, int threshold_bp)
{
	double s;

	if (ratio < 0)
		ratio = 0;
	if (ratio > 1)
		ratio = 1;
	if (threshold_bp > 0) {
		double t = threshold_bp / 10000.0;
		s = ratio >= t ? max_points : ratio * max_points / t;
	} else {
		s = ratio * max_points;
	}
	return round(s * 100.0) / 100.0;
}

struct index_job {
	struct ts_ctx *ctx;
	int64_t unit_id;
	const struct ts_stats_period *p;
	struct ts_stats_index *out;
	const struct aggs *pre; /* aggregates already loaded, or NULL */
};

/* numerator and denominator of a formula; false when the formula is unknown */
static bool formula(const char *f, const int64_t *cell, const struct ts_stats_counts *t,
		    int64_t *num, int64_t *den, const char **drill)
{
	const int64_t *v = t->v;
	int64_t received_new = v[TS_SC_recv_online] + v[TS_SC_recv_direct] + v[TS_SC_recv_post];

	if (strcmp(f, "progress") == 0) {
		*num = cell[TS_CELL_RESOLVED_EARLY] + cell[TS_CELL_RESOLVED_ON_TIME] +
		       cell[TS_CELL_IN_PROGRESS_WITHIN] + cell[TS_CELL_SUSPENDED_WITHIN];
		*den = cell[TS_CELL_RESOLVED] + cell[TS_CELL_IN_PROGRESS] + cell[TS_CELL_SUSPENDED];
		*drill = "idx:2.1";
	} else if (strcmp(f, "online") == 0) {
		*num = v[TS_SC_recv_fo_online];
		*den = v[TS_SC_recv_fo_eligible];
		*drill = "idx:3.1";
	} else if (strcmp(f, "electronic_result") == 0) {
		*num = v[TS_SC_delivered_electronic];
		*den = v[TS_SC_delivered];
		*drill = "idx:5.1";
	} else if (strcmp(f, "digitised") == 0) {
		*num = v[TS_SC_recv_digitised];
		*den = received_new;
		*drill = "idx:5.2";
	} else if (strcmp(f, "reused") == 0) {
		*num = v[TS_SC_recv_reused];
		*den = received_new;
		*drill = "idx:5.4";
	} else if (strcmp(f, "population") == 0) {
		/* dossiers received whose applicant data came from the population database */
		*num = v[TS_SC_recv_population];
		*den = received_new;
		*drill = "idx:5.7";
	} else if (strcmp(f, "satisfaction") == 0) {
		/* 100% - (late rate + dislike rate), over the dossiers resolved in the period;
		 * the drill-down lists the dossiers subtracted */
		int64_t bad = v[TS_SC_res_late] + v[TS_SC_rated_dislike];
		*den = cell[TS_CELL_RESOLVED];
		*num = *den > bad ? *den - bad : 0;
		*drill = "idx:6.3";
	} else {
		return false;
	}
	return true;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* 5.6: procedures with at least one dossier received in the period that used population
 * data / procedures with dossiers received in the period. Distinct procedures are not a sum
 * of counters, so this reads the aggregates per (unit, procedure) (s itself when it is keyed
 * so, otherwise loaded here) and counts each procedure once across the units. */
static int population_procedures(struct index_job *j, struct ts_dbconn *c, const struct aggs *s,
				 int64_t *num, int64_t *den, struct ts_error *err)
{
	struct ts_arena *a = j->ctx->arena;
	struct aggs loaded;
	int64_t *recv, *used;
	int nr = 0, nu = 0, rc;

	if (s->by_field) {
		if ((rc = ts_stats_load(j->ctx, c, j->unit_id, j->p, false, false, &loaded, err)))
			return rc;
		s = &loaded;
	}
	recv = ts_arena_zalloc(a, (size_t)(s->n + 1) * sizeof(*recv));
	used = ts_arena_zalloc(a, (size_t)(s->n + 1) * sizeof(*used));
	if (!recv || !used)
		return ts_stats_nomem(err);
	for (int i = 0; i < s->n; i++) {
		const int64_t *v = s->v[i].flow.v;
		if (v[TS_SC_recv_online] + v[TS_SC_recv_direct] + v[TS_SC_recv_post] > 0)
			recv[nr++] = s->v[i].procedure_id;
		if (v[TS_SC_recv_population] > 0)
			used[nu++] = s->v[i].procedure_id;
	}
	qsort(recv, (size_t)nr, sizeof(*recv), cmp_i64);
	qsort(used, (size_t)nu, sizeof(*used), cmp_i64);
	*num = *den = 0;
	for (int i = 0; i < nr; i++)
		*den += i == 0 || recv[i] != recv[i - 1];
	for (int i = 0; i < nu; i++)
		*num += i == 0 || used[i] != used[i - 1];
	return 0;
}

static int index_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct index_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_stats_index *out = j->out;
	struct ts_stats_counts t = {0};
	int64_t cell[TS_CELL__COUNT] = {0};
	struct ts_dbres *r = NULL;
	struct aggs loaded;
	const struct aggs *s = j->pre;
	char date[16];
	int ymd = ts_stats_day_ymd(j->p->to_day), rc;

	if (!s) {
		if ((rc = ts_stats_load(j->ctx, c, j->unit_id, j->p, false, true, &loaded, err)))
			return rc;
		s = &loaded;
	}
	for (int i = 0; i < s->n; i++) {
		ts_stats_cells_add(&s->v[i], cell);
		for (int k = 0; k < TS_SC__COUNT; k++)
			t.v[k] += s->v[i].flow.v[k];
	}
	if (j->unit_id > 0) {
		struct ts_dbval q[] = {TS_DB_INT(j->unit_id)};
		if ((rc = ts_db_query(c, a, "stats_unit_kind", q, 1, &r, err)))
			return rc;
		out->commune = r->nrows && ts_stats_level_of_kind(ts_org_kind_parse(ts_dbres_get(r, 0, 3))) ==
						 TS_LEVEL_COMMUNE;
	}
	snprintf(date, sizeof(date), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
	{
		struct ts_dbval q[] = {TS_DB_TEXT(date)};
		if ((rc = ts_db_query(c, a, "stats_index_items", q, 1, &r, err)))
			return rc;
	}
	if (r->nrows == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "period",
				    "Chưa có bộ chỉ số áp dụng cho kỳ báo cáo này");
	out->items = ts_arena_zalloc(a, (size_t)r->nrows * sizeof(*out->items));
	if (!out->items)
		return ts_stats_nomem(err);
	out->version_code = ts_dbres_get(r, 0, 0);
	out->version_name = ts_dbres_get(r, 0, 1);
	out->nitems = r->nrows;
	for (int i = 0; i < r->nrows; i++) {
		struct ts_stats_index_item *it = &out->items[i];
		it->code = ts_dbres_get(r, i, 2);
		it->group = ts_dbres_get(r, i, 3);
		it->name = ts_dbres_get(r, i, 4);
		it->max_points = (int)ts_dbres_int(r, i, 5);
		it->threshold_bp = (int)ts_dbres_int(r, i, 6);
		it->formula = ts_dbres_get(r, i, 7);
		it->na_reason = ts_dbres_get(r, i, 8);
		if (out->commune && ts_dbres_int(r, i, 9) == 0) {
			it->not_applicable = true;
			it->score = it->max_points;
		} else {
			bool known;
			if (it->formula && strcmp(it->formula, "population_procedures") == 0) {
				if ((rc = population_procedures(j, c, s, &it->num, &it->den, err)))
					return rc;
				it->drill = "idx:5.6";
				known = true;
			} else {
				known = it->formula && strcmp(it->formula, "na") != 0 &&
					formula(it->formula, cell, &t, &it->num, &it->den, &it->drill);
			}
			if (!known) {
				it->na = true;
				if (!it->na_reason)
					it->na_reason = "Chỉ tiêu chưa được hệ thống tính";
			} else if (it->den <= 0) {
				it->na = true;
				it->na_reason = "Không có hồ sơ phát sinh trong kỳ (mẫu số bằng 0)";
			} else {
				it->ratio = (double)it->num / (double)it->den;
				it->score = ts_stats_index_score(it->ratio, it->max_points,
								 it->threshold_bp);
			}
		}
		if (it->na) {
			out->na_max += it->max_points;
		} else {
			out->total += it->score;
			out->total_max += it->max_points;
		}
	}
	out->total = round(out->total * 100.0) / 100.0;
	return 0;
}

int ts_stats_index_from(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
			const struct aggs *s, struct ts_stats_index *out, struct ts_error *err)
{
	struct index_job j = {ctx, unit_id, p, out, s};

	memset(out, 0, sizeof(*out));
	out->period = *p;
	out->unit_id = unit_id;
	return ts_db_tx(ctx->db, TS_DB_TX_READ, index_tx, &j, err);
}

int ts_stats_index766(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		      struct ts_stats_index *out, struct ts_error *err)
{
	struct index_job j = {ctx, unit_id, p, out, NULL};

	memset(out, 0, sizeof(*out));
	out->period = *p;
	out->unit_id = unit_id;
	return ts_db_tx(ctx->db, TS_DB_TX_READ, index_tx, &j, err);
}
