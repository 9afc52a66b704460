/* calendar_store.c - the stored working calendar: loading office hours and special days
 * into a struct ts_calendar, listing a year, and the audited admin mutations (set a day,
 * delete a day, fill a year from the suggestion, set office hours). Named queries in
 * sql/common/queries/calendar.sql; no calendar permission exists yet, so every mutation
 * needs CALENDAR_WRITE over unit 0 (province-wide administrators). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cache.h"
#include "calendar/calendar.h"
#include "iam/iam.h"

#define NAME_MAX_CHARS 200

/* ---- reading ----------------------------------------------------------------------- */

static int parse_int(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Applies the calendar_setting rows to out; TS_ERR_CONFIG when a stored value is bad. */
static int load_settings(struct ts_dbconn *conn, struct ts_arena *a, struct ts_calendar *out,
			 struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	struct ts_error verr = {0};
	int rc = ts_db_query(conn, a, "cal_setting_list", NULL, 0, &r, err);

	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		const char *key = ts_dbres_get(r, i, 0);
		long v;
		int *slot = NULL;

		if (!key)
			continue;
		if (parse_int(ts_dbres_get(r, i, 1), &v) || v < 0 || v > 1440)
			return ts_error_set(err, TS_ERR_CONFIG, NULL,
					    "giá trị lịch làm việc \"%s\" lưu trong cơ sở dữ liệu "
					    "không hợp lệ",
					    key);
		if (strcmp(key, "am_start") == 0)
			slot = &out->am_start;
		else if (strcmp(key, "am_end") == 0)
			slot = &out->am_end;
		else if (strcmp(key, "pm_start") == 0)
			slot = &out->pm_start;
		else if (strcmp(key, "pm_end") == 0)
			slot = &out->pm_end;
		else if (strcmp(key, "cutoff_minute") == 0)
			slot = &out->cutoff_minute;
		else if (strcmp(key, "weekdays") == 0)
			out->weekdays = (unsigned)v;
		if (slot)
			*slot = (int)v;
	}
	if (ts_cal_check_hours(out, &verr))
		return ts_error_set(err, TS_ERR_CONFIG, NULL,
				    "giờ làm việc lưu trong cơ sở dữ liệu không hợp lệ (%s)",
				    verr.field);
	return 0;
}

/* Rows of [first, last] (yyyymmdd) as day rows in arena a. */
static int load_rows(struct ts_dbconn *conn, struct ts_arena *a, int32_t first, int32_t last,
		     struct ts_cal_day_row **rows, size_t *n, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(first), TS_DB_INT(last)};
	struct ts_dbres *r = NULL;
	struct ts_cal_day_row *v;
	size_t k = 0;
	int rc = ts_db_query(conn, a, "cal_day_range", p, 2, &r, err);

	*rows = NULL;
	*n = 0;
	if (rc)
		return rc;
	v = ts_arena_zalloc(a, (size_t)r->nrows * sizeof(*v) + 1);
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < r->nrows; i++) {
		int kind = ts_cal_kind_parse(ts_dbres_get(r, i, 1));
		if (kind < 0)
			continue; /* the CHECK constraint keeps these out */
		v[k].day.date = (int32_t)ts_dbres_int(r, i, 0);
		v[k].day.kind = kind;
		v[k].day.name = ts_dbres_get(r, i, 2);
		v[k].source = ts_dbres_get(r, i, 3);
		v[k].updated_at = ts_dbres_int(r, i, 4);
		k++;
	}
	*rows = v;
	*n = k;
	return 0;
}

static int load_calendar(struct ts_dbconn *conn, struct ts_arena *a, int from_year, int to_year,
			 struct ts_calendar *out, struct ts_error *err)
{
	struct ts_cal_day_row *rows = NULL;
	size_t n = 0;
	int rc;

	ts_cal_default(out);
	if ((rc = load_settings(conn, a, out, err)))
		return rc;
	rc = load_rows(conn, a, (int32_t)from_year * 10000 + 101, (int32_t)to_year * 10000 + 1231,
		       &rows, &n, err);
	if (rc)
		return rc;
	out->days = ts_arena_zalloc(a, n * sizeof(*out->days) + 1);
	if (!out->days)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		out->days[i] = rows[i].day; /* ORDER BY date over a primary key: sorted, unique */
	out->ndays = n;
	return 0;
}

/* The calendar can change, so its cache key holds the revision the store keeps (migration
 * 0023: raised by triggers in the same transaction as any change of calendar_day or
 * calendar_setting), read in the caller's transaction before the rest: a cached calendar
 * is used only while no change has been committed since it was read. */
int ts_cal_load(struct ts_dbconn *conn, struct ts_arena *a, int from_year, int to_year,
		struct ts_calendar *out, struct ts_error *err)
{
	bool fill = false;
	struct ts_cache *cache = ts_db_cache(conn, &fill);
	const struct ts_calendar *hit;
	struct ts_calendar *cal;
	struct ts_dbres *r = NULL;
	struct ts_arena *va;
	int64_t rev, span = (int64_t)from_year * 10000 + to_year;
	int rc;

	if ((rc = ts_db_query(conn, a, "cal_stamp", NULL, 0, &r, err)))
		return rc;
	if (r->nrows != 1)
		return load_calendar(conn, a, from_year, to_year, out, err);
	rev = ts_dbres_int(r, 0, 0);
	if ((hit = ts_cache_get(cache, TS_CACHE_CALENDAR, rev, span, a))) {
		*out = *hit; /* the days are shared, read-only */
		return 0;
	}
	if (!fill)
		return load_calendar(conn, a, from_year, to_year, out, err);
	if (!(va = ts_arena_new(0)) || !(cal = ts_arena_zalloc(va, sizeof(*cal)))) {
		ts_arena_free(va);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	if ((rc = load_calendar(conn, va, from_year, to_year, cal, err))) {
		ts_arena_free(va);
		return rc;
	}
	if (!(hit = ts_cache_put(cache, TS_CACHE_CALENDAR, rev, span, va, cal, a)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	*out = *hit;
	return 0;
}

struct get_job {
	struct ts_arena *a;
	int from, to;
	struct ts_calendar *out;
};

static int get_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct get_job *job = vjob;
	return ts_cal_load(c, job->a, job->from, job->to, job->out, err);
}

int ts_cal_get(struct ts_db *db, struct ts_arena *a, int from_year, int to_year,
	       struct ts_calendar *out, struct ts_error *err)
{
	struct get_job job = {a, from_year, to_year, out};
	return ts_db_tx(db, TS_DB_TX_READ, get_tx, &job, err);
}

static int check_year(int year, struct ts_error *err)
{
	if (year < TS_CAL_MIN_YEAR || year > TS_CAL_MAX_YEAR)
		return ts_error_set(err, TS_ERR_VALIDATION, "year", "Năm phải từ %d đến %d",
				    TS_CAL_MIN_YEAR, TS_CAL_MAX_YEAR);
	return 0;
}

struct list_job {
	struct ts_ctx *ctx;
	int year;
	struct ts_cal_day_row *rows;
	size_t n;
};

static int list_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct list_job *job = vjob;
	return load_rows(c, job->ctx->arena, (int32_t)job->year * 10000 + 101,
			 (int32_t)job->year * 10000 + 1231, &job->rows, &job->n, err);
}

int ts_cal_days_list(struct ts_ctx *ctx, int year, struct ts_cal_day_row **rows, size_t *n,
		     struct ts_error *err)
{
	struct list_job job = {ctx, year, NULL, 0};
	int rc;

	if ((rc = check_year(year, err)))
		return rc;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &job, err)))
		return rc;
	*rows = job.rows;
	*n = job.n;
	return 0;
}

/* ---- mutations --------------------------------------------------------------------- */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0u) != 0x80u)
			n++;
	return n;
}

/* "2026-04-27" for audit object ids and messages. */
static void date_text(int32_t d, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", (int)(d / 10000 % 10000), (int)(d / 100 % 100),
		 (int)(d % 100));
}

struct set_job {
	struct ts_ctx *ctx;
	int32_t date;
	int kind;
	const char *name;
};

static int set_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct set_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct ts_calendar cal;
	char dt[16];
	const char *summary;
	int rc;

	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_CALENDAR_WRITE, 0, err)))
		return rc;
	ts_cal_default(&cal);
	if ((rc = load_settings(c, a, &cal, err)))
		return rc;
	date_text(job->date, dt);
	if (job->kind == TS_DAY_SWAPPED_WORKING &&
	    ((cal.weekdays >> ts_cal_weekday(job->date)) & 1u))
		return ts_error_set(err, TS_ERR_VALIDATION, "kind",
				    "Ngày %s vốn là ngày làm việc, không thể đặt làm ngày làm bù",
				    dt);
	if (job->kind == TS_DAY_SWAPPED_OFF && !((cal.weekdays >> ts_cal_weekday(job->date)) & 1u))
		return ts_error_set(err, TS_ERR_VALIDATION, "kind",
				    "Ngày %s vốn là ngày nghỉ hằng tuần, không cần hoán đổi", dt);
	{
		struct ts_dbval p[] = {
		    TS_DB_INT(job->date), TS_DB_TEXT(ts_cal_kind_name(job->kind)),
		    TS_DB_TEXT(job->name), TS_DB_TEXT("admin"), TS_DB_INT(time(NULL))};
		if ((rc = ts_db_query(c, a, "cal_day_put", p, 5, NULL, err)))
			return rc;
	}
	summary = ts_arena_printf(a, "%s %s %s", dt, ts_cal_kind_name(job->kind),
				  job->name ? job->name : "");
	if (!summary)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_audit_write(c, job->ctx, "calendar.day_set", "calendar_day", dt, summary, err);
}

int ts_cal_day_set(struct ts_ctx *ctx, int32_t date, int kind, const char *name,
		   struct ts_error *err)
{
	struct set_job job = {ctx, date, kind, name && *name ? name : NULL};

	if (!ts_cal_date_valid(date))
		return ts_error_set(err, TS_ERR_VALIDATION, "date", "Ngày không hợp lệ");
	if (!ts_cal_kind_name(kind))
		return ts_error_set(err, TS_ERR_VALIDATION, "kind",
				    "Loại ngày phải là holiday, compensatory, swapped_off hoặc "
				    "swapped_working");
	if (job.name && utf8_chars(job.name) > NAME_MAX_CHARS)
		return ts_error_set(err, TS_ERR_VALIDATION, "name", "Tên ngày dài tối đa %d ký tự",
				    NAME_MAX_CHARS);
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, set_tx, &job, err);
}

struct del_job {
	struct ts_ctx *ctx;
	int32_t date;
};

static int del_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct del_job *job = vjob;
	struct ts_dbval p[] = {TS_DB_INT(job->date)};
	struct ts_dbres *r = NULL;
	char dt[16];
	int rc;

	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_CALENDAR_WRITE, 0, err)))
		return rc;
	date_text(job->date, dt);
	if ((rc = ts_db_query(c, job->ctx->arena, "cal_day_delete", p, 1, &r, err)))
		return rc;
	if (r->changes == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "date",
				    "Ngày %s không có trong lịch ngày nghỉ, ngày làm bù", dt);
	return ts_audit_write(c, job->ctx, "calendar.day_delete", "calendar_day", dt, dt, err);
}

int ts_cal_day_delete(struct ts_ctx *ctx, int32_t date, struct ts_error *err)
{
	struct del_job job = {ctx, date};

	if (!ts_cal_date_valid(date))
		return ts_error_set(err, TS_ERR_VALIDATION, "date", "Ngày không hợp lệ");
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, del_tx, &job, err);
}

struct fill_job {
	struct ts_ctx *ctx;
	int year;
	const struct ts_cal_day *days;
	size_t n;
	int written;
};

static int fill_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct fill_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct ts_dbval range[] = {TS_DB_INT(job->year * 10000 + 101),
				   TS_DB_INT(job->year * 10000 + 1231)};
	char idbuf[8];
	const char *summary;
	int64_t now = time(NULL);
	int rc;

	job->written = 0;
	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_CALENDAR_WRITE, 0, err)))
		return rc;
	if ((rc = ts_db_query(c, a, "cal_day_delete_suggested", range, 2, NULL, err)))
		return rc;
	for (size_t i = 0; i < job->n; i++) {
		const struct ts_cal_day *d = &job->days[i];
		struct ts_dbval p[] = {
		    TS_DB_INT(d->date), TS_DB_TEXT(ts_cal_kind_name(d->kind)), TS_DB_TEXT(d->name),
		    TS_DB_TEXT(ts_cal_is_announced(d->date, d->kind) ? "announced" : "computed"),
		    TS_DB_INT(now)};
		struct ts_dbres *r = NULL;

		/* a suggested day outside the year (never today) would escape the delete above */
		if (d->date / 10000 != job->year)
			continue;
		if ((rc = ts_db_query(c, a, "cal_day_put_if_absent", p, 5, &r, err)))
			return rc;
		job->written += r->changes > 0;
	}
	snprintf(idbuf, sizeof(idbuf), "%d", job->year);
	summary = ts_arena_printf(a, "năm %d: %d ngày theo gợi ý", job->year, job->written);
	if (!summary)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_audit_write(c, job->ctx, "calendar.year_fill", "calendar_year", idbuf, summary,
			      err);
}

int ts_cal_fill_year(struct ts_ctx *ctx, int year, int *written, struct ts_error *err)
{
	struct fill_job job = {ctx, year, NULL, 0, 0};
	struct ts_cal_day *days = NULL;
	int rc;

	if ((rc = check_year(year, err)))
		return rc;
	rc = ts_cal_suggest_year(year, ctx->arena, &days, &job.n);
	if (rc)
		return ts_error_set(err, rc, "year", "Không lập được gợi ý ngày nghỉ cho năm %d",
				    year);
	job.days = days;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, fill_tx, &job, err)))
		return rc;
	if (written)
		*written = job.written;
	return 0;
}

struct hours_job {
	struct ts_ctx *ctx;
	const struct ts_calendar *h;
};

static int hours_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct hours_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	const struct ts_calendar *h = job->h;
	const struct {
		const char *key;
		long v;
	} kv[] = {{"am_start", h->am_start},	   {"am_end", h->am_end},
		  {"pm_start", h->pm_start},	   {"pm_end", h->pm_end},
		  {"weekdays", (long)h->weekdays}, {"cutoff_minute", h->cutoff_minute}};
	const char *summary;
	int rc;

	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_CALENDAR_WRITE, 0, err)))
		return rc;
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		char val[24];
		struct ts_dbval p[2];

		snprintf(val, sizeof(val), "%ld", kv[i].v);
		p[0] = TS_DB_TEXT(kv[i].key);
		p[1] = TS_DB_TEXT(val);
		if ((rc = ts_db_query(c, a, "cal_setting_put", p, 2, NULL, err)))
			return rc;
	}
	summary = ts_arena_printf(
	    a, "%02d:%02d-%02d:%02d, %02d:%02d-%02d:%02d, ngày 0x%02x, chốt %02d:%02d",
	    h->am_start / 60, h->am_start % 60, h->am_end / 60, h->am_end % 60, h->pm_start / 60,
	    h->pm_start % 60, h->pm_end / 60, h->pm_end % 60, h->weekdays, h->cutoff_minute / 60,
	    h->cutoff_minute % 60);
	if (!summary)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_audit_write(c, job->ctx, "calendar.hours_set", "calendar_setting", "office_hours",
			      summary, err);
}

int ts_cal_hours_set(struct ts_ctx *ctx, const struct ts_calendar *h, struct ts_error *err)
{
	struct hours_job job = {ctx, h};
	int rc;

	if ((rc = ts_cal_check_hours(h, err)))
		return rc;
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, hours_tx, &job, err);
}
