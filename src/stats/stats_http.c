/* stats_http.c - thin HTTP adapter of statistics: query parsing (unit, period, cell, ...),
 * calls into src/stats and rendering as JSON, XLSX or PDF. No rule is decided here; routes
 * and their permissions live in app/routes.c, the API in docs/api.md. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/mem.h"
#include "http/http.h"
#include "stats/stats.h"

static int nomem(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

static int reply(struct ts_call *call, json_t *v, struct ts_error *err)
{
	if (!v)
		return nomem(err);
	return ts_http_reply(call, 200, v);
}

static int parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;
	if (!s || !*s)
		return -1;
	for (int i = 0; s[i]; i++) {
		if (i >= 18 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* ?unit= (default: the root of the caller's statistics scope: 0 = everywhere for a
 * province-wide grant, else the first scoped grant's unit) and ?period= (default: the
 * Decree 09 month containing today). */
static int common_args(struct ts_call *call, int64_t *unit, struct ts_stats_period *p,
		       struct ts_error *err)
{
	const struct ts_actor *a = &call->ctx->actor;
	const char *s = ts_http_query_get(call->req, "unit");
	uint64_t bit = TS_PERM_BIT(TS_PERM_STATS_READ);

	if (s && *s) {
		if (parse_id(s, unit))
			return ts_error_set(err, TS_ERR_VALIDATION, "unit", "Đơn vị không hợp lệ");
	} else {
		*unit = -1;
		for (int i = 0; i < a->ngrants; i++) {
			if (!(a->grants[i].perms & bit))
				continue;
			if (a->grants[i].unit_id <= 0) {
				*unit = 0;
				break;
			}
			if (*unit < 0)
				*unit = a->grants[i].unit_id;
		}
		if (*unit < 0)
			*unit = a->unit_id > 0 ? a->unit_id : 0;
	}
	s = ts_http_query_get(call->req, "period");
	if (s && *s)
		return ts_stats_period_parse(s, p, err);
	ts_stats_period_containing(TS_PERIOD_MONTH, ts_stats_day_of(ts_stats_now()), p);
	return 0;
}

static json_t *period_json(const struct ts_stats_period *p)
{
	static const char *const kinds[] = {"month", "quarter", "half", "year", "custom"};
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:s}", "kind", kinds[p->kind], "year", p->year,
			 "index", p->index, "from", ts_stats_day_ymd(p->from_day), "to",
			 ts_stats_day_ymd(p->to_day), "label", p->label);
}

static json_t *row_json(const struct ts_stats_row *r)
{
	json_t *cells = json_object(), *o;

	for (int c = 0; cells && c < TS_CELL__COUNT; c++)
		json_object_set_new(cells, ts_stats_cell_name(c), json_integer(r->cell[c]));
	o = json_pack("{s:o, s:o, s:o, s:o, s:b}", "level",
		      ts_json_strornull(ts_stats_level_name(r->level)), "field_code",
		      ts_json_strornull(r->field_code), "field_name", ts_json_strornull(r->field_name),
		      "cells", cells, "consistent", ts_stats_row_consistent(r));
	return o;
}

static int send_bytes(struct ts_call *call, const char *type, const char *filename,
		      char *bytes, size_t len, struct ts_error *err)
{
	char disp[128];
	int rc;

	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	if ((rc = ts_http_resp_header(call->req, call->resp, "Content-Disposition", disp)))
		return ts_error_set(err, rc, NULL, NULL);
	call->resp->status = 200;
	call->resp->content_type = type;
	call->resp->body = bytes;
	call->resp->body_len = len;
	return 0;
}

/* GET /api/v1/stats/report06?unit=&period=&format=json|xlsx|pdf */
int ts_stats_http_report06(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	struct ts_stats_report r;
	const char *fmt = ts_http_query_get(call->req, "format");
	int64_t unit;
	json_t *rows, *levels, *cols;
	int rc;

	if (fmt && *fmt && strcmp(fmt, "json") && strcmp(fmt, "xlsx") && strcmp(fmt, "pdf"))
		return ts_error_set(err, TS_ERR_VALIDATION, "format", "Định dạng là json, xlsx hoặc pdf");
	if ((rc = common_args(call, &unit, &p, err)) ||
	    (rc = ts_stats_report06(call->ctx, unit, &p, &r, err)))
		return rc;
	if (fmt && strcmp(fmt, "xlsx") == 0) {
		char *b;
		size_t n;
		if ((rc = ts_stats_report_xlsx(call->req->arena, &r, &b, &n, err)))
			return rc;
		return send_bytes(call,
				  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				  "bieu-06-VPCP-KSTT.xlsx", b, n, err);
	}
	if (fmt && strcmp(fmt, "pdf") == 0) {
		char *b;
		size_t n;
		if ((rc = ts_stats_report_pdf(call->req->arena, &r, ts_stats_pdf_font(), &b, &n, err)))
			return rc;
		return send_bytes(call, "application/pdf", "bieu-06-VPCP-KSTT.pdf", b, n, err);
	}
	rows = json_array();
	levels = json_array();
	cols = json_array();
	for (int c = 0; cols && c < TS_CELL__COUNT; c++)
		json_array_append_new(cols, json_pack("{s:s, s:s}", "name", ts_stats_cell_name(c),
						      "title", ts_stats_cell_title(c)));
	for (int k = 0; rows && k < r.nrows; k++)
		json_array_append_new(rows, row_json(&r.rows[k]));
	for (int l = 0; levels && l < TS_LEVEL__COUNT; l++)
		if (r.level_present[l])
			json_array_append_new(levels, row_json(&r.level_total[l]));
	return reply(call,
		     json_pack("{s:o, s:{s:I, s:o, s:o}, s:o, s:o, s:o, s:o, s:I}", "period",
			       period_json(&p), "unit", "id", (json_int_t)unit, "code",
			       ts_json_strornull(r.unit_code), "name", ts_json_strornull(r.unit_name),
			       "columns", cols, "rows", rows, "levels", levels, "total",
			       row_json(&r.total), "as_of", (json_int_t)r.as_of),
		     err);
}

/* GET /api/v1/stats/report06/drill?unit=&period=&cell=&field=&level=&after=&limit= */
int ts_stats_http_drill(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *q = call->req;
	struct ts_stats_period p;
	struct ts_stats_dossier *items = NULL;
	const char *s, *field = ts_http_query_get(q, "field");
	int64_t unit, after = 0, next = 0, v;
	int level = -1, limit = 0, n = 0, rc;
	json_t *arr;

	if ((rc = common_args(call, &unit, &p, err)))
		return rc;
	if ((s = ts_http_query_get(q, "level")) && *s) {
		if (strcmp(s, "province") == 0)
			level = TS_LEVEL_PROVINCE;
		else if (strcmp(s, "commune") == 0)
			level = TS_LEVEL_COMMUNE;
		else
			return ts_error_set(err, TS_ERR_VALIDATION, "level", "Cấp là province hoặc commune");
	}
	if ((s = ts_http_query_get(q, "after")) && *s && parse_id(s, &after))
		return ts_error_set(err, TS_ERR_VALIDATION, "after", "Con trỏ trang không hợp lệ");
	if ((s = ts_http_query_get(q, "limit")) && *s) {
		if (parse_id(s, &v) || v < 1 || v > TS_STATS_DRILL_MAX)
			return ts_error_set(err, TS_ERR_VALIDATION, "limit",
					    "Số dòng mỗi trang từ 1 đến %d", TS_STATS_DRILL_MAX);
		limit = (int)v;
	}
	if ((rc = ts_stats_drill(call->ctx, unit, &p, ts_http_query_get(q, "cell"), field, level,
				 after, limit, &items, &n, &next, err)))
		return rc;
	if (!(arr = json_array()))
		return nomem(err);
	for (int i = 0; i < n; i++) {
		const struct ts_stats_dossier *d = &items[i];
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:o, s:o, s:I, s:o, s:i, s:s, s:i, s:o, s:o, s:o}",
				   "code", d->code, "procedure_code", ts_json_strornull(d->procedure_code),
				   "procedure_name", ts_json_strornull(d->procedure_name), "field_name",
				   ts_json_strornull(d->field_name), "unit_id", (json_int_t)d->unit_id,
				   "unit_name", ts_json_strornull(d->unit_name), "status", d->status,
				   "status_name", ts_dossier_status_name(d->status), "channel", d->channel,
				   "accepted_at", d->accepted_at ? json_integer(d->accepted_at) : json_null(),
				   "due_at", d->due_at ? json_integer(d->due_at) : json_null(),
				   "ended_at", d->ended_at ? json_integer(d->ended_at) : json_null()));
	}
	return reply(call,
		     json_pack("{s:o, s:o, s:o}", "items", arr, "next",
			       next ? json_sprintf("%" PRId64, next) : json_null(), "period",
			       period_json(&p)),
		     err);
}

/* GET /api/v1/stats/index766?unit=&period= */
int ts_stats_http_index(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	struct ts_stats_index x;
	int64_t unit;
	json_t *arr;
	int rc;

	if ((rc = common_args(call, &unit, &p, err)) ||
	    (rc = ts_stats_index766(call->ctx, unit, &p, &x, err)))
		return rc;
	if (!(arr = json_array()))
		return nomem(err);
	for (int i = 0; i < x.nitems; i++) {
		const struct ts_stats_index_item *it = &x.items[i];
		bool shown = !it->na && !it->not_applicable;
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s, s:i, s:o, s:s, s:b, s:o, s:b, s:o, s:o, s:o, s:o, s:o}",
			      "code", it->code, "group", it->group, "name", it->name, "max",
			      it->max_points, "threshold",
			      it->threshold_bp ? json_real(it->threshold_bp / 10000.0) : json_null(),
			      "formula", it->formula, "na", it->na, "na_reason",
			      ts_json_strornull(it->na ? it->na_reason : NULL), "not_applicable",
			      it->not_applicable, "numerator",
			      shown ? json_integer(it->num) : json_null(), "denominator",
			      shown ? json_integer(it->den) : json_null(), "ratio",
			      shown ? json_real(it->ratio) : json_null(), "score",
			      it->na ? json_null() : json_real(it->score), "drill",
			      ts_json_strornull(shown ? it->drill : NULL)));
	}
	return reply(call,
		     json_pack("{s:o, s:I, s:s, s:s, s:b, s:o, s:f, s:i, s:i}", "period",
			       period_json(&p), "unit_id", (json_int_t)unit, "version",
			       x.version_code, "version_name", x.version_name, "commune", x.commune,
			       "items", arr, "total", x.total, "max", x.total_max,
			       "not_computed_max", x.na_max),
		     err);
}

static json_t *rate_json(double r)
{
	return r < 0 ? json_null() : json_real(r);
}

/* GET /api/v1/stats/rankings/units?unit=&period= */
int ts_stats_http_rank_units(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	struct ts_stats_unit_rank *v = NULL;
	int64_t unit;
	int n = 0, rc;
	json_t *arr;

	if ((rc = common_args(call, &unit, &p, err)) ||
	    (rc = ts_stats_rank_units(call->ctx, unit, &p, &v, &n, err)))
		return rc;
	if (!(arr = json_array()))
		return nomem(err);
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:i, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, "
				   "s:o, s:o, s:I}",
				   "rank", i + 1, "unit_id", (json_int_t)v[i].unit_id, "code", v[i].code,
				   "name", v[i].name, "level", ts_stats_level_name(v[i].level),
				   "received", (json_int_t)v[i].received, "resolved",
				   (json_int_t)v[i].resolved, "on_time", (json_int_t)v[i].on_time,
				   "late", (json_int_t)v[i].late, "overdue_now",
				   (json_int_t)v[i].overdue_now, "on_time_rate",
				   rate_json(v[i].on_time_rate), "avg_days", rate_json(v[i].avg_days),
				   "supplement_rate", rate_json(v[i].supplement_rate), "satisfaction",
				   rate_json(v[i].satisfaction), "rated", (json_int_t)v[i].rated));
	return reply(call, json_pack("{s:o, s:o}", "period", period_json(&p), "items", arr), err);
}

/* GET /api/v1/stats/rankings/officers?unit=&period= */
int ts_stats_http_rank_officers(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	struct ts_stats_officer_rank *v = NULL;
	int64_t unit;
	int n = 0, rc;
	json_t *arr;

	if ((rc = common_args(call, &unit, &p, err)) ||
	    (rc = ts_stats_rank_officers(call->ctx, unit, &p, &v, &n, err)))
		return rc;
	if (!(arr = json_array()))
		return nomem(err);
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:i, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:o}", "rank", i + 1,
				   "account_id", (json_int_t)v[i].account_id, "username",
				   ts_json_strornull(v[i].username), "name", ts_json_strornull(v[i].name),
				   "handled", (json_int_t)v[i].handled, "early", (json_int_t)v[i].early,
				   "on_time", (json_int_t)v[i].on_time, "late", (json_int_t)v[i].late,
				   "on_time_rate", rate_json(v[i].on_time_rate)));
	return reply(call, json_pack("{s:o, s:o}", "period", period_json(&p), "items", arr), err);
}

/* GET /api/v1/stats/officers/{id}/late?unit=&period= */
int ts_stats_http_officer_late(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	struct ts_stats_late_step *v = NULL;
	int64_t unit, id;
	int n = 0, rc;
	json_t *arr;

	if (call->nparams < 1 || parse_id(call->params[0], &id) || id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy cán bộ");
	if ((rc = common_args(call, &unit, &p, err)) ||
	    (rc = ts_stats_officer_late(call->ctx, unit, &p, id, &v, &n, err)))
		return rc;
	if (!(arr = json_array()))
		return nomem(err);
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:o, s:i, s:I, s:I, s:I}", "code", v[i].code,
				   "procedure_name", ts_json_strornull(v[i].procedure_name), "action",
				   ts_json_strornull(v[i].action), "step", v[i].step, "step_started_at",
				   (json_int_t)v[i].step_started_at, "step_due_at",
				   (json_int_t)v[i].step_due_at, "handed_at", (json_int_t)v[i].handed_at));
	return reply(call,
		     json_pack("{s:I, s:o, s:o}", "account_id", (json_int_t)id, "period",
			       period_json(&p), "items", arr),
		     err);
}

/* The IOC answer cache. Every open IOC screen reloads the same figures on every change, so
 * answers are kept per (store, unit, period) while the cursor has not moved and for at most
 * IOC_FRESH_S seconds (overdue-now moves with the clock too). The permission is checked on
 * every request (ts_stats_ioc_peek) before a kept answer is given. */
#define IOC_FRESH_S 5
#define IOC_SLOTS 16
static struct ioc_slot {
	const void *db;
	int64_t unit, from, to, cursor, at;
	char *json; /* ts_malloc'd */
	size_t len;
} ioc_slots[IOC_SLOTS];
static pthread_mutex_t ioc_mu = PTHREAD_MUTEX_INITIALIZER;

static struct ioc_slot *ioc_find(const void *db, int64_t unit, const struct ts_stats_period *p)
{
	for (int i = 0; i < IOC_SLOTS; i++)
		if (ioc_slots[i].json && ioc_slots[i].db == db && ioc_slots[i].unit == unit &&
		    ioc_slots[i].from == p->from_day && ioc_slots[i].to == p->to_day)
			return &ioc_slots[i];
	return NULL;
}

/* GET /api/v1/stats/ioc?unit=&period= */
int ts_stats_http_ioc(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	int64_t unit, cursor = 0, now = ts_stats_now();
	json_t *o = NULL;
	char *text = NULL;
	int rc;

	if ((rc = common_args(call, &unit, &p, err)) ||
	    (rc = ts_stats_ioc_peek(call->ctx, unit, &cursor, err)))
		return rc;
	pthread_mutex_lock(&ioc_mu);
	struct ioc_slot *s = ioc_find(call->ctx->db, unit, &p);
	if (s && s->cursor == cursor && now >= s->at && now - s->at < IOC_FRESH_S)
		text = ts_arena_strndup(call->req->arena, s->json, s->len);
	pthread_mutex_unlock(&ioc_mu);
	if (text) {
		ts_http_resp_json(call->resp, 200, text, strlen(text));
		return 0;
	}
	if ((rc = ts_stats_ioc(call->ctx, unit, &p, now, &o, err)))
		return rc;
	/* kept under the cursor read before computing: an event that lands meanwhile makes the
	 * next request compute again */
	char *dump = json_dumps(o, JSON_COMPACT);
	if (dump) {
		pthread_mutex_lock(&ioc_mu);
		struct ioc_slot *slot = ioc_find(call->ctx->db, unit, &p);
		if (!slot) {
			slot = &ioc_slots[0];
			for (int i = 1; i < IOC_SLOTS; i++)
				if (!ioc_slots[i].json || ioc_slots[i].at < slot->at)
					slot = &ioc_slots[i];
		}
		char *copy = ts_strdup(dump);
		if (copy) {
			ts_free(slot->json);
			*slot = (struct ioc_slot){call->ctx->db, unit, p.from_day, p.to_day, cursor,
						  now, copy, strlen(copy)};
		}
		pthread_mutex_unlock(&ioc_mu);
		free(dump);
	}
	return reply(call, o, err);
}

/* GET /api/v1/public/stats?period= (no sign-in) */
int ts_stats_http_public(struct ts_call *call, struct ts_error *err)
{
	struct ts_stats_period p;
	const char *s = ts_http_query_get(call->req, "period");
	json_t *o = NULL;
	int rc;

	if (s && *s) {
		if ((rc = ts_stats_period_parse(s, &p, err)))
			return rc;
	} else {
		ts_stats_period_containing(TS_PERIOD_YEAR, ts_stats_day_of(ts_stats_now()), &p);
	}
	if ((rc = ts_stats_public(call->ctx, &p, &o, err)))
		return rc;
	return reply(call, o, err);
}

/* ---- live IOC: Server-Sent Events ------------------------------------------------------ */

/* One feed per process: its thread reads the cursor every poll tick while an IOC page is
 * open and says "change" when it moved. Polling the store (rather than a signal from the
 * committing thread) also sees what other nodes commit. */
static struct ts_http_feed *ioc_feed;
static struct ts_db *ioc_db;
static int64_t ioc_cursor = -1; /* only the feed's thread touches it once started */

static int ioc_poll(void *ud, char **data)
{
	(void)ud;
	struct ts_error err;
	int64_t cur = 0;
	ts_error_clear(&err);
	if (ts_stats_cursor(ioc_db, &cur, &err))
		return err.code ? err.code : TS_ERR_DB;
	if (cur == ioc_cursor)
		return 0;
	ioc_cursor = cur;
	char buf[48];
	snprintf(buf, sizeof(buf), "{\"cursor\":%" PRId64 "}", cur);
	*data = ts_strdup(buf);
	return *data ? 1 : TS_ERR_NOMEM;
}

int ts_stats_http_live_start(struct ts_db *db, unsigned max_streams, unsigned heartbeat_s,
			     unsigned poll_ms, unsigned max_s, struct ts_error *err)
{
	struct ts_error ignored;
	ts_error_clear(&ignored);
	ioc_db = db;
	if (ts_stats_cursor(db, &ioc_cursor, &ignored))
		ioc_cursor = -1; /* the first tick that reads it says "change" */
	struct ts_http_feed_options o = {.event = "change",
					 .max_streams = max_streams,
					 .heartbeat_s = heartbeat_s,
					 .poll_ms = poll_ms,
					 .max_s = max_s,
					 .poll = ioc_poll};
	return ts_http_feed_new(&o, &ioc_feed, err);
}

void ts_stats_http_live_stop(void)
{
	ts_http_feed_free(ioc_feed);
	ioc_feed = NULL;
}

/* GET /api/v1/stats/ioc/events */
int ts_stats_http_ioc_events(struct ts_call *call, struct ts_error *err)
{
	if (!ioc_feed)
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL,
				    "Chưa bật cập nhật trực tiếp cho trung tâm điều hành");
	return ts_http_feed_open(ioc_feed, call->req, call->resp, err);
}
