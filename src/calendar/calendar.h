/* calendar.h - the working calendar (office hours, holidays, compensatory days off, swapped
 * working days), the Vietnamese lunar calendar (UTC+7) and deadline arithmetic in working
 * hours (DOMAIN.md §6). The arithmetic is pure C over a loaded struct ts_calendar; only
 * ts_cal_load / the admin functions touch the store. Times are unix seconds; all local
 * reasoning is in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
#ifndef TS_CALENDAR_CALENDAR_H
#define TS_CALENDAR_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "db/db.h"

#define TS_TZ_OFFSET (7 * 3600)

enum ts_cal_unit { TS_CAL_WORKING_HOURS, TS_CAL_WORKING_DAYS, TS_CAL_CALENDAR_DAYS };

enum ts_cal_day_kind {
	TS_DAY_HOLIDAY,         /* public holiday (Labour Code art. 112), Tết */
	TS_DAY_COMPENSATORY,    /* day off compensating a holiday on a weekend */
	TS_DAY_SWAPPED_OFF,     /* working day swapped into a day off (civil servants' bridges) */
	TS_DAY_SWAPPED_WORKING, /* weekend day that is worked (làm bù) */
};

struct ts_cal_day {
	int32_t date;     /* yyyymmdd, local */
	int kind;         /* enum ts_cal_day_kind */
	const char *name; /* "Tết Nguyên đán", may be NULL */
};

struct ts_calendar {
	/* office hours as minutes after local midnight: morning and afternoon sessions */
	int am_start, am_end, pm_start, pm_end; /* default 420, 690, 810, 1020 */
	unsigned weekdays;   /* bit 0 = Monday ... bit 6 = Sunday; default Mon-Fri (0x1f) */
	int cutoff_minute;   /* the "received after 15:00" rule: 900 */
	struct ts_cal_day *days; /* sorted by date, unique */
	size_t ndays;
};

/* Default office hours, no special days (pure). */
void ts_cal_default(struct ts_calendar *c);

/* Parses an "unit" name: working_hours | working_days | calendar_days; -1 if unknown. */
int ts_cal_unit_parse(const char *s);
const char *ts_cal_unit_name(int unit);

/* Is this local date a working day (weekday mask + special days)? */
bool ts_cal_is_working_day(const struct ts_calendar *c, int32_t yyyymmdd);

/* A legal time in working hours (DOMAIN.md §6): a working or calendar day counts 8 hours. */
int64_t ts_cal_legal_hours(int64_t amount, int unit);

/* Due time for amount units counted from start (DOMAIN.md §6): start snaps into office hours
 * (after closing -> next opening; lunch -> afternoon opening); when next_day_after_cutoff and
 * start is after the cut-off on a working day, counting starts at the next working day's
 * opening; working days = 8 working hours; calendar days do not skip days off but a due date
 * landing on a day off moves to the next working day's end of business. Returns unix seconds. */
int64_t ts_cal_due(const struct ts_calendar *c, int64_t start, int64_t amount, int unit,
		   bool next_day_after_cutoff);

/* t moved forward by secs seconds of office time (snapped into office hours first); -1 when
 * secs is negative or absurd. Used to shift due times by a pause measured to the second. */
int64_t ts_cal_add_working_seconds(const struct ts_calendar *c, int64_t t, int64_t secs);
/* Working seconds between a and b (0 if b <= a): for paused time and per-step on-time judgement. */
int64_t ts_cal_working_seconds(const struct ts_calendar *c, int64_t a, int64_t b);

/* Lunar calendar (Vietnamese, UTC+7): solar date of lunar (day, month, year, leap). 0 or
 * TS_ERR_VALIDATION. And the reverse. */
int ts_lunar_to_solar(int lday, int lmonth, int lyear, int leap, int *d, int *m, int *y);
void ts_solar_to_lunar(int d, int m, int y, int *lday, int *lmonth, int *lyear, int *leap);

/* Loads office hours and the special days of [from_year, to_year] from the store into out
 * (arrays live as long as arena a; they may be shared with other threads through the store's
 * cache, keyed by the calendar's stored revision: read them, never change them). Runs inside
 * the caller's transaction. */
int ts_cal_load(struct ts_dbconn *conn, struct ts_arena *a, int from_year, int to_year,
		struct ts_calendar *out, struct ts_error *err);

/* ---- additions (calendar.c): dates, local time, ISO 8601 ---------------------------- */

/* A working day counts as this many working hours (DOMAIN.md §6), whatever the office hours. */
#define TS_CAL_HOURS_PER_DAY 8
/* Bounds of amounts accepted by the adapters (ts_cal_due itself takes any amount >= 0). */
#define TS_CAL_MAX_HOURS 24000
#define TS_CAL_MAX_DAYS 3000
/* Years the lunar calendar and the stored table accept. */
#define TS_CAL_MIN_YEAR 1900
#define TS_CAL_MAX_YEAR 2199

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (pure, any int year). */
int64_t ts_cal_days_from_civil(int y, int m, int d);
void ts_cal_civil_from_days(int64_t days, int *y, int *m, int *d);
/* yyyymmdd <-> days since the epoch; ts_cal_date_valid checks a yyyymmdd really exists
 * within [TS_CAL_MIN_YEAR, TS_CAL_MAX_YEAR]. */
int64_t ts_cal_date_days(int32_t yyyymmdd);
int32_t ts_cal_days_date(int64_t days);
bool ts_cal_date_valid(int32_t yyyymmdd);
/* Day of the week of a date: 0 = Monday ... 6 = Sunday. */
int ts_cal_weekday(int32_t yyyymmdd);
/* Local (UTC+7) date of unix time t, and unix time of a local date at minute-of-day. */
int32_t ts_cal_local_date(int64_t t);
int64_t ts_cal_local_time(int32_t yyyymmdd, int minute_of_day);

/* The special day recorded for a date, or NULL (binary search over c->days). */
const struct ts_cal_day *ts_cal_find(const struct ts_calendar *c, int32_t yyyymmdd);
/* The first working instant at or after t: inside a session it is t itself; before the
 * morning opening -> opening; from the morning closing (11:30 itself included) to the
 * afternoon opening -> afternoon opening; from the afternoon closing (17:00 itself included)
 * or on a day off -> the next working day's opening. -1 when no working day lies within
 * 20 years (a calendar with no working weekday: refused by the store anyway). */
int64_t ts_cal_snap(const struct ts_calendar *c, int64_t t);
/* Checks office hours and weekday mask: 0 <= am_start < am_end <= pm_start < pm_end <= 1440,
 * weekdays in 1..0x7f, cutoff in [0, 1440]. 0 or TS_ERR_VALIDATION (field named). */
int ts_cal_check_hours(const struct ts_calendar *c, struct ts_error *err);

/* Parses ISO 8601 local time with offset: "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by
 * "Z", "+hh:mm", "-hh:mm", "+hhmm", "+hh", or nothing (then Asia/Ho_Chi_Minh, +07:00).
 * A space in place of '+' is accepted as '+', because a '+' in a query string decodes to a
 * space. Fractions are truncated. 0 or TS_ERR_VALIDATION (field named "field"). */
int ts_cal_iso_parse(const char *s, int64_t *out, const char *field, struct ts_error *err);
/* Formats t as "YYYY-MM-DDTHH:MM:SS+07:00" (26 bytes with NUL); returns out. */
#define TS_CAL_ISO_LEN 26
char *ts_cal_iso_format(int64_t t, char *out, size_t outsz);
/* Parses "YYYY-MM-DD" or "YYYYMMDD" into yyyymmdd (valid date within the year bounds). */
int ts_cal_date_parse(const char *s, int32_t *out, const char *field, struct ts_error *err);
/* Day kind names: "holiday", "compensatory", "swapped_off", "swapped_working"; -1 unknown. */
int ts_cal_kind_parse(const char *s);
const char *ts_cal_kind_name(int kind);

/* ---- additions (lunar.c): the yearly suggestion ------------------------------------- */

/* Solar date (yyyymmdd) of mùng 1 Tết of lunar year y, and of Giỗ Tổ (10/3) of year y. */
int32_t ts_lunar_tet(int y);
/* Suggested special days of year (TS_CAL_MIN_YEAR..TS_CAL_MAX_YEAR), sorted by date, in
 * arena a: Labour Code 2019 art. 112 holidays computed from the lunar calendar, with
 * compensatory days for holidays on weekly days off, and where the year has announced
 * decisions (shipped table, 2025-2026) those replace the computed group (see lunar.c for
 * the choices: Tết = last day of the lunar year + mùng 1-4; 2 Sep + 1 Sep; 24 Nov from
 * 2026). Weekly days off are Saturday and Sunday. 0, TS_ERR_VALIDATION (year), TS_ERR_NOMEM. */
int ts_cal_suggest_year(int year, struct ts_arena *a, struct ts_cal_day **days, size_t *n);
/* Is (date, kind) part of an announced decision shipped with the program (else computed)? */
bool ts_cal_is_announced(int32_t yyyymmdd, int kind);

/* ---- additions (calendar_store.c): reading and editing the stored calendar ---------- */

struct ts_ctx;

/* A stored special day with its provenance. */
struct ts_cal_day_row {
	struct ts_cal_day day;
	const char *source; /* "announced" | "computed" | "admin" */
	int64_t updated_at;
};

/* ts_cal_load in its own read transaction on db. */
int ts_cal_get(struct ts_db *db, struct ts_arena *a, int from_year, int to_year,
	       struct ts_calendar *out, struct ts_error *err);
/* The stored special days of year, sorted, in ctx->arena. */
int ts_cal_days_list(struct ts_ctx *ctx, int year, struct ts_cal_day_row **rows, size_t *n,
		     struct ts_error *err);
/* Mutations: each one write transaction with its audit row; needs CALENDAR_WRITE over unit 0
 * (province-wide administrators; there is no calendar permission yet).
 * Set (insert or replace) one day, source "admin"; a swapped working day must fall on a
 * weekly day off, the others on any day. name may be NULL (<= 200 characters). */
int ts_cal_day_set(struct ts_ctx *ctx, int32_t date, int kind, const char *name,
		   struct ts_error *err);
/* Deletes one day; TS_ERR_NOT_FOUND (field "date") when none is stored. */
int ts_cal_day_delete(struct ts_ctx *ctx, int32_t date, struct ts_error *err);
/* Replaces the year's "announced"/"computed" rows by ts_cal_suggest_year(year); days an
 * administrator set ("admin") are kept and win over the suggestion. *written (may be NULL)
 * gets the number of suggested rows stored. */
int ts_cal_fill_year(struct ts_ctx *ctx, int year, int *written, struct ts_error *err);
/* Stores office hours, weekday mask and cut-off from h (days ignored), after
 * ts_cal_check_hours. */
int ts_cal_hours_set(struct ts_ctx *ctx, const struct ts_calendar *h, struct ts_error *err);

/* ---- additions (calendar_http.c): adapters and the CLI hook ------------------------- */

/* Parses from (ISO 8601), amount (decimal), unit and computes the due time against the stored
 * calendar: *from_t and *due_t unix seconds. Fields named "from", "amount", "unit". */
int ts_cal_due_request(struct ts_db *db, const char *from_iso, const char *amount, const char *unit,
		       bool cutoff, int64_t *from_t, int64_t *due_t, struct ts_error *err);
/* `tinhso calendar due FROM AMOUNT UNIT [--after-cutoff-rule]`: writes the ISO due time
 * (+07:00) into out (>= TS_CAL_ISO_LEN bytes). 0 or an error with err filled. */
int ts_cal_cli_due(struct ts_db *db, const char *from_iso, const char *amount, const char *unit,
		   bool cutoff, char *out, size_t outsz, struct ts_error *err);

struct ts_call;
extern const struct ts_json_spec ts_cal_spec_day_set, ts_cal_spec_hours_set;
int ts_cal_http_due(struct ts_call *call, struct ts_error *err);
int ts_cal_http_days_list(struct ts_call *call, struct ts_error *err);
int ts_cal_http_day_set(struct ts_call *call, struct ts_error *err);
int ts_cal_http_day_delete(struct ts_call *call, struct ts_error *err);
int ts_cal_http_year_fill(struct ts_call *call, struct ts_error *err);
int ts_cal_http_hours_get(struct ts_call *call, struct ts_error *err);
int ts_cal_http_hours_set(struct ts_call *call, struct ts_error *err);

#endif
