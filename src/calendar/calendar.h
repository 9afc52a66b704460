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

/* Due time for amount units counted from start (DOMAIN.md §6): start snaps into office hours
 * (after closing -> next opening; lunch -> afternoon opening); when next_day_after_cutoff and
 * start is after the cut-off on a working day, counting starts at the next working day's
 * opening; working days = 8 working hours; calendar days do not skip days off but a due date
 * landing on a day off moves to the next working day's end of business. Returns unix seconds. */
int64_t ts_cal_due(const struct ts_calendar *c, int64_t start, int64_t amount, int unit,
		   bool next_day_after_cutoff);

/* Working seconds between a and b (0 if b <= a): for paused time and per-step on-time judgement. */
int64_t ts_cal_working_seconds(const struct ts_calendar *c, int64_t a, int64_t b);

/* Lunar calendar (Vietnamese, UTC+7): solar date of lunar (day, month, year, leap). 0 or
 * TS_ERR_VALIDATION. And the reverse. */
int ts_lunar_to_solar(int lday, int lmonth, int lyear, int leap, int *d, int *m, int *y);
void ts_solar_to_lunar(int d, int m, int y, int *lday, int *lmonth, int *lyear, int *leap);

/* Loads office hours and the special days of [from_year, to_year] from the store into out
 * (arrays in arena a). Runs inside the caller's transaction. */
int ts_cal_load(struct ts_dbconn *conn, struct ts_arena *a, int from_year, int to_year,
		struct ts_calendar *out, struct ts_error *err);

#endif
