/* calendar_http.c - thin HTTP adapter of the working calendar: the due-time calculator
 * (public), the list of a year's special days (public), admin edits of days, the yearly fill
 * and office hours; plus ts_cal_cli_due for `tinhso calendar due`. Parsing and rendering
 * only: the rules live in calendar.c, lunar.c and calendar_store.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "calendar/calendar.h"
#include "http/http.h"
#include "iam/iam.h"

/* ---- request specs ----------------------------------------------------------------- */

static const char *const kind_values[] = {"holiday", "compensatory", "swapped_off",
					  "swapped_working", NULL};

static const struct ts_json_field day_set_fields[] = {
    {.name = "kind",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .enum_values = kind_values,
     .label = "Loại ngày",
     .example = "compensatory"},
    {.name = "name",
     .type = TS_J_STRING,
     .flags = TS_J_NULLABLE,
     .min = 0,
     .max = 200,
     .label = "Tên ngày",
     .example = "Nghỉ bù Giỗ Tổ Hùng Vương"},
};
const struct ts_json_spec ts_cal_spec_day_set = TS_JSON_SPEC("CalendarDaySet", day_set_fields);

static const struct ts_json_field hours_set_fields[] = {
    {.name = "am_start",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 5,
     .max = 5,
     .label = "Giờ bắt đầu buổi sáng",
     .example = "07:00"},
    {.name = "am_end",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 5,
     .max = 5,
     .label = "Giờ kết thúc buổi sáng",
     .example = "11:30"},
    {.name = "pm_start",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 5,
     .max = 5,
     .label = "Giờ bắt đầu buổi chiều",
     .example = "13:30"},
    {.name = "pm_end",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 5,
     .max = 5,
     .label = "Giờ kết thúc buổi chiều",
     .example = "17:00"},
    {.name = "weekdays",
     .type = TS_J_ARRAY,
     .flags = TS_J_REQUIRED,
     .min = 1,
     .max = 7,
     .item_type = TS_J_INT,
     .label = "Ngày làm việc trong tuần (1 = thứ Hai ... 7 = Chủ nhật)"},
    {.name = "cutoff",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 5,
     .max = 5,
     .label = "Giờ chốt nhận hồ sơ trong ngày",
     .example = "15:00"},
};
const struct ts_json_spec ts_cal_spec_hours_set =
    TS_JSON_SPEC("CalendarHoursSet", hours_set_fields);

/* ---- the due-time calculation (HTTP and CLI) --------------------------------------- */

int ts_cal_due_request(struct ts_db *db, const char *from_iso, const char *amount, const char *unit,
		       bool cutoff, int64_t *from_t, int64_t *due_t, struct ts_error *err)
{
	struct ts_arena a;
	struct ts_calendar cal;
	int64_t v = 0, span_days;
	int u, year, rc;

	ts_arena_init(&a, 0);
	if (!from_iso || !*from_iso) {
		rc = ts_error_set(err, TS_ERR_MISSING_FIELD, "from",
				  "Thiếu thời điểm bắt đầu tính (from)");
		goto out;
	}
	if ((rc = ts_cal_iso_parse(from_iso, from_t, "from", err)))
		goto out;
	if (!unit || !*unit || (u = ts_cal_unit_parse(unit)) < 0) {
		rc = ts_error_set(err, TS_ERR_VALIDATION, "unit",
				  "Đơn vị phải là working_hours, working_days hoặc calendar_days");
		goto out;
	}
	for (size_t i = 0; amount && amount[i] && i < 7; i++) {
		if (amount[i] < '0' || amount[i] > '9') {
			v = -1;
			break;
		}
		v = v * 10 + (amount[i] - '0');
	}
	if (!amount || !*amount || v < 0 || strlen(amount) > 6 ||
	    v > (u == TS_CAL_WORKING_HOURS ? TS_CAL_MAX_HOURS : TS_CAL_MAX_DAYS)) {
		rc = ts_error_set(err, TS_ERR_VALIDATION, "amount",
				  "Thời hạn phải là số nguyên từ 0 đến %d",
				  u == TS_CAL_WORKING_HOURS ? TS_CAL_MAX_HOURS : TS_CAL_MAX_DAYS);
		goto out;
	}
	/* load enough years: a year holds at least ~200 working days even with long breaks */
	span_days = u == TS_CAL_WORKING_HOURS ? v / TS_CAL_HOURS_PER_DAY : v;
	year = ts_cal_local_date(*from_t) / 10000;
	rc = ts_cal_get(db, &a, year, year + (int)(span_days / 200) + 2, &cal, err);
	if (rc)
		goto out;
	*due_t = ts_cal_due(&cal, *from_t, v, u, cutoff);
	if (*due_t < 0)
		rc = ts_error_set(err, TS_ERR_VALIDATION, "amount",
				  "Không tính được hạn xử lý với lịch làm việc hiện tại");
out:
	ts_arena_release(&a);
	return rc;
}

int ts_cal_cli_due(struct ts_db *db, const char *from_iso, const char *amount, const char *unit,
		   bool cutoff, char *out, size_t outsz, struct ts_error *err)
{
	int64_t from_t = 0, due_t = 0;
	int rc = ts_cal_due_request(db, from_iso, amount, unit, cutoff, &from_t, &due_t, err);

	if (rc)
		return rc;
	if (outsz < TS_CAL_ISO_LEN)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "output buffer too small");
	ts_cal_iso_format(due_t, out, outsz);
	return 0;
}

/* ---- helpers ----------------------------------------------------------------------- */

static int reply(struct ts_call *call, int status, json_t *v, struct ts_error *err)
{
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, status, v);
}

static int parse_year(const char *s, int *year, struct ts_error *err)
{
	int v = 0;

	if (!s || strlen(s) != 4)
		goto bad;
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (v < TS_CAL_MIN_YEAR || v > TS_CAL_MAX_YEAR)
		goto bad;
	*year = v;
	return 0;
bad:
	return ts_error_set(err, TS_ERR_VALIDATION, "year", "Năm phải là số từ %d đến %d",
			    TS_CAL_MIN_YEAR, TS_CAL_MAX_YEAR);
}

static json_t *date_json(int32_t d)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (int)(d / 10000 % 10000), (int)(d / 100 % 100),
		 (int)(d % 100));
	return json_string(buf);
}

static json_t *row_json(const struct ts_cal_day_row *r)
{
	return json_pack("{s:o, s:s, s:o, s:o, s:I}", "date", date_json(r->day.date), "kind",
			 ts_cal_kind_name(r->day.kind), "name", ts_json_strornull(r->day.name),
			 "source", ts_json_strornull(r->source), "updated_at",
			 (json_int_t)r->updated_at);
}

/* {"year":Y, "items":[...]} of the stored days of year. */
static int reply_year(struct ts_call *call, int status, int year, json_t *extra_written,
		      struct ts_error *err)
{
	struct ts_cal_day_row *rows = NULL;
	size_t n = 0;
	json_t *arr, *o;
	int rc = ts_cal_days_list(call->ctx, year, &rows, &n, err);

	if (rc) {
		json_decref(extra_written);
		return rc;
	}
	if (!(arr = json_array())) {
		json_decref(extra_written);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(arr, row_json(&rows[i]))) {
			json_decref(arr);
			json_decref(extra_written);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	}
	o = json_pack("{s:i, s:o}", "year", year, "items", arr);
	if (o && extra_written && json_object_set_new(o, "written", extra_written)) {
		json_decref(o);
		o = NULL;
	} else if (!o) {
		json_decref(extra_written);
	}
	return reply(call, status, o, err);
}

static int path_date(struct ts_call *call, int32_t *date, struct ts_error *err)
{
	return ts_cal_date_parse(call->nparams > 0 ? call->params[0] : NULL, date, "date", err);
}

/* "HH:MM" -> minutes; -1 when malformed (24:00 allowed for a closing time). */
static int parse_hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

static json_t *hhmm_json(int minutes)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%02d:%02d", minutes / 60 % 100, minutes % 60);
	return json_string(buf);
}

/* ---- handlers ---------------------------------------------------------------------- */

/* GET /api/v1/calendar/due?from=&amount=&unit=[&after_cutoff_rule=true] */
int ts_cal_http_due(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	const char *from = ts_http_query_get(r, "from"), *amount = ts_http_query_get(r, "amount");
	const char *unit = ts_http_query_get(r, "unit");
	const char *rule = ts_http_query_get(r, "after_cutoff_rule");
	char fbuf[TS_CAL_ISO_LEN], dbuf[TS_CAL_ISO_LEN];
	int64_t from_t = 0, due_t = 0;
	bool cutoff = false;
	int rc;

	if (rule && *rule) {
		if (strcmp(rule, "true") == 0 || strcmp(rule, "1") == 0)
			cutoff = true;
		else if (strcmp(rule, "false") != 0 && strcmp(rule, "0") != 0)
			return ts_error_set(err, TS_ERR_VALIDATION, "after_cutoff_rule",
					    "after_cutoff_rule phải là true hoặc false");
	}
	rc = ts_cal_due_request(call->ctx->db, from, amount, unit, cutoff, &from_t, &due_t, err);
	if (rc)
		return rc;
	return reply(call, 200,
		     json_pack("{s:s, s:I, s:s, s:s, s:b, s:s, s:I}", "from",
			       ts_cal_iso_format(from_t, fbuf, sizeof(fbuf)), "from_unix",
			       (json_int_t)from_t, "amount", amount, "unit", unit,
			       "after_cutoff_rule", cutoff, "due",
			       ts_cal_iso_format(due_t, dbuf, sizeof(dbuf)), "due_unix",
			       (json_int_t)due_t),
		     err);
}

/* GET /api/v1/calendar/days?year=2026 (default: this year in Vietnam) */
int ts_cal_http_days_list(struct ts_call *call, struct ts_error *err)
{
	const char *ys = ts_http_query_get(call->req, "year");
	int year = ts_cal_local_date(time(NULL)) / 10000, rc;

	if (ys && *ys && (rc = parse_year(ys, &year, err)))
		return rc;
	return reply_year(call, 200, year, NULL, err);
}

/* PUT /api/v1/calendar/days/{date} {kind, name} -> the stored row */
int ts_cal_http_day_set(struct ts_call *call, struct ts_error *err)
{
	const json_t *b = call->body;
	struct ts_cal_day_row row = {0};
	int32_t date;
	int kind, rc;

	if ((rc = path_date(call, &date, err)))
		return rc;
	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	if ((kind = ts_cal_kind_parse(ts_json_str(b, "kind"))) < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "kind", "Loại ngày không hợp lệ");
	if ((rc = ts_cal_day_set(call->ctx, date, kind, ts_json_str(b, "name"), err)))
		return rc;
	row.day.date = date;
	row.day.kind = kind;
	row.day.name = ts_json_str(b, "name");
	if (row.day.name && !*row.day.name)
		row.day.name = NULL;
	row.source = "admin";
	row.updated_at = time(NULL);
	return reply(call, 200, row_json(&row), err);
}

/* DELETE /api/v1/calendar/days/{date} -> 204 */
int ts_cal_http_day_delete(struct ts_call *call, struct ts_error *err)
{
	int32_t date;
	int rc;

	if ((rc = path_date(call, &date, err)))
		return rc;
	if ((rc = ts_cal_day_delete(call->ctx, date, err)))
		return rc;
	ts_http_resp_json(call->resp, 204, NULL, 0);
	return 0;
}

/* POST /api/v1/calendar/years/{year}/fill -> {"year", "written", "items"} */
int ts_cal_http_year_fill(struct ts_call *call, struct ts_error *err)
{
	int year, written = 0, rc;

	if ((rc = parse_year(call->nparams > 0 ? call->params[0] : NULL, &year, err)))
		return rc;
	if ((rc = ts_cal_fill_year(call->ctx, year, &written, err)))
		return rc;
	return reply_year(call, 200, year, json_integer(written), err);
}

static json_t *hours_json(const struct ts_calendar *c)
{
	json_t *days = json_array(), *o;

	if (!days)
		return NULL;
	for (int i = 0; i < 7; i++)
		if (((c->weekdays >> i) & 1u) && json_array_append_new(days, json_integer(i + 1))) {
			json_decref(days);
			return NULL;
		}
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "am_start", hhmm_json(c->am_start),
		      "am_end", hhmm_json(c->am_end), "pm_start", hhmm_json(c->pm_start), "pm_end",
		      hhmm_json(c->pm_end), "weekdays", days, "cutoff", hhmm_json(c->cutoff_minute),
		      "hours_per_day", TS_CAL_HOURS_PER_DAY);
	return o;
}

/* GET /api/v1/calendar/settings */
int ts_cal_http_hours_get(struct ts_call *call, struct ts_error *err)
{
	struct ts_calendar c;
	int year = ts_cal_local_date(time(NULL)) / 10000;
	int rc = ts_cal_get(call->ctx->db, call->ctx->arena, year, year, &c, err);

	if (rc)
		return rc;
	return reply(call, 200, hours_json(&c), err);
}

/* PUT /api/v1/calendar/settings {am_start, am_end, pm_start, pm_end, weekdays, cutoff} */
int ts_cal_http_hours_set(struct ts_call *call, struct ts_error *err)
{
	static const char *const fields[] = {"am_start", "am_end", "pm_start", "pm_end", "cutoff"};
	const json_t *b = call->body, *wd, *item;
	struct ts_calendar c;
	int *slots[5];
	size_t i;
	int rc;

	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	ts_cal_default(&c);
	slots[0] = &c.am_start;
	slots[1] = &c.am_end;
	slots[2] = &c.pm_start;
	slots[3] = &c.pm_end;
	slots[4] = &c.cutoff_minute;
	for (i = 0; i < 5; i++)
		if ((*slots[i] = parse_hhmm(ts_json_str(b, fields[i]))) < 0)
			return ts_error_set(err, TS_ERR_VALIDATION, fields[i],
					    "Giờ phải có dạng HH:MM, ví dụ 07:30");
	c.weekdays = 0;
	wd = json_object_get(b, "weekdays");
	json_array_foreach(wd, i, item)
	{
		json_int_t v = json_integer_value(item);
		if (v < 1 || v > 7)
			return ts_error_set(
			    err, TS_ERR_VALIDATION, "weekdays",
			    "Ngày trong tuần là số từ 1 (thứ Hai) đến 7 (Chủ nhật)");
		c.weekdays |= 1u << (v - 1);
	}
	if ((rc = ts_cal_hours_set(call->ctx, &c, err)))
		return rc;
	return reply(call, 200, hours_json(&c), err);
}
