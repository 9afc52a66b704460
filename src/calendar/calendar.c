/* calendar.c - pure working-calendar arithmetic (DOMAIN.md §6): civil dates, local time in
 * UTC+7, snapping into office hours, deadlines in working hours / working days / calendar
 * days with the 15:00 cut-off rule, working seconds between two instants, and ISO 8601.
 * No storage and no HTTP here: calendar_store.c loads a struct ts_calendar, *_http.c adapts.
 *
 * Boundary semantics (the tests pin each one):
 * - sessions are half-open [opening, closing): 11:30 exactly is lunch (-> 13:30), 17:00
 *   exactly is closed (-> next working day 07:00); 07:00 and 13:30 are working instants;
 * - counting consumes working time from the snapped start; a due time that uses a session
 *   up exactly is that session's closing (4.5 h from 07:00 -> 11:30, 8 h -> 17:00 the same
 *   day), never the next opening;
 * - amount 0 (any unit) -> the snapped start (after the cut-off rule, if asked for);
 * - working days are TS_CAL_HOURS_PER_DAY (8) working hours each, so half a day is 4 hours;
 * - the cut-off rule applies to a start strictly after 15:00:00 on a working day: counting
 *   starts at the next working day's opening (15:00:00 itself still counts that day);
 * - calendar days count from the day after the day of receipt (Civil Code 2015 art. 147;
 *   with the cut-off rule, from the day after the next working day) without skipping days
 *   off; the due time is the closing (17:00) of that date, or of the next working day when
 *   that date is a day off. */
#include "calendar/calendar.h"

#include <stdio.h>
#include <string.h>

#define DAY_S 86400
/* How far snapping looks for a working day before giving up on a broken calendar. */
#define SEARCH_DAYS (20 * 366)
/* Amounts beyond this are refused by ts_cal_due (returns -1) instead of looping for ages. */
#define AMOUNT_LIMIT 1000000

/* ---- dates ------------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar, by 400-year eras (an era has
 * 146097 days; counting years from March puts the leap day last). */
int64_t ts_cal_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void ts_cal_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

int64_t ts_cal_date_days(int32_t yyyymmdd)
{
	return ts_cal_days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

int32_t ts_cal_days_date(int64_t days)
{
	int y, m, d;
	ts_cal_civil_from_days(days, &y, &m, &d);
	return (int32_t)(y * 10000 + m * 100 + d);
}

static int month_days(int y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

bool ts_cal_date_valid(int32_t yyyymmdd)
{
	int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
	return y >= TS_CAL_MIN_YEAR && y <= TS_CAL_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
	       d <= month_days(y, m);
}

/* 1970-01-01 was a Thursday (3 when Monday is 0). */
static int weekday_of_days(int64_t days)
{
	return (int)(days + 3 - floor_div(days + 3, 7) * 7);
}

int ts_cal_weekday(int32_t yyyymmdd)
{
	return weekday_of_days(ts_cal_date_days(yyyymmdd));
}

static int64_t local_days(int64_t t)
{
	return floor_div(t + TS_TZ_OFFSET, DAY_S);
}

int32_t ts_cal_local_date(int64_t t)
{
	return ts_cal_days_date(local_days(t));
}

static int64_t at_days(int64_t days, int64_t second_of_day)
{
	return days * DAY_S + second_of_day - TS_TZ_OFFSET;
}

int64_t ts_cal_local_time(int32_t yyyymmdd, int minute_of_day)
{
	return at_days(ts_cal_date_days(yyyymmdd), (int64_t)minute_of_day * 60);
}

/* ---- the calendar ------------------------------------------------------------------ */

void ts_cal_default(struct ts_calendar *c)
{
	memset(c, 0, sizeof(*c));
	c->am_start = 7 * 60;
	c->am_end = 11 * 60 + 30;
	c->pm_start = 13 * 60 + 30;
	c->pm_end = 17 * 60;
	c->weekdays = 0x1f;
	c->cutoff_minute = 15 * 60;
}

static const char *const unit_names[] = {"working_hours", "working_days", "calendar_days"};

int ts_cal_unit_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(s, unit_names[i]) == 0)
			return i;
	return -1;
}

const char *ts_cal_unit_name(int unit)
{
	return unit >= 0 && unit < 3 ? unit_names[unit] : NULL;
}

static const char *const kind_names[] = {"holiday", "compensatory", "swapped_off",
					 "swapped_working"};

int ts_cal_kind_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

const char *ts_cal_kind_name(int kind)
{
	return kind >= 0 && kind < 4 ? kind_names[kind] : NULL;
}

const struct ts_cal_day *ts_cal_find(const struct ts_calendar *c, int32_t yyyymmdd)
{
	size_t lo = 0, hi = c->ndays;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->days[mid].date < yyyymmdd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->ndays && c->days[lo].date == yyyymmdd ? &c->days[lo] : NULL;
}

static bool working_days_no(const struct ts_calendar *c, int64_t days)
{
	const struct ts_cal_day *sd = c->ndays ? ts_cal_find(c, ts_cal_days_date(days)) : NULL;

	if (sd)
		return sd->kind == TS_DAY_SWAPPED_WORKING;
	return (c->weekdays >> weekday_of_days(days)) & 1u;
}

bool ts_cal_is_working_day(const struct ts_calendar *c, int32_t yyyymmdd)
{
	return working_days_no(c, ts_cal_date_days(yyyymmdd));
}

int ts_cal_check_hours(const struct ts_calendar *c, struct ts_error *err)
{
	if (c->am_start < 0 || c->am_start >= c->am_end)
		return ts_error_set(err, TS_ERR_VALIDATION, "am_start",
				    "Giờ bắt đầu buổi sáng phải trước giờ kết thúc buổi sáng");
	if (c->am_end > c->pm_start)
		return ts_error_set(err, TS_ERR_VALIDATION, "am_end",
				    "Buổi sáng phải kết thúc trước khi buổi chiều bắt đầu");
	if (c->pm_start >= c->pm_end)
		return ts_error_set(err, TS_ERR_VALIDATION, "pm_start",
				    "Giờ bắt đầu buổi chiều phải trước giờ kết thúc buổi chiều");
	if (c->pm_end > 24 * 60)
		return ts_error_set(err, TS_ERR_VALIDATION, "pm_end",
				    "Giờ kết thúc buổi chiều không được quá 24:00");
	if (c->weekdays == 0 || c->weekdays > 0x7fu)
		return ts_error_set(err, TS_ERR_VALIDATION, "weekdays",
				    "Cần ít nhất một ngày làm việc trong tuần");
	if (c->cutoff_minute < 0 || c->cutoff_minute > 24 * 60)
		return ts_error_set(err, TS_ERR_VALIDATION, "cutoff",
				    "Giờ chốt nhận hồ sơ phải trong khoảng 00:00 đến 24:00");
	return 0;
}

/* ---- deadline arithmetic ----------------------------------------------------------- */

int64_t ts_cal_snap(const struct ts_calendar *c, int64_t t)
{
	int64_t days = local_days(t), sod = t + TS_TZ_OFFSET - days * DAY_S;
	int64_t am_s = c->am_start * 60LL, am_e = c->am_end * 60LL;
	int64_t pm_s = c->pm_start * 60LL, pm_e = c->pm_end * 60LL;

	for (int i = 0; i < SEARCH_DAYS; i++, days++, sod = 0) {
		if (!working_days_no(c, days))
			continue;
		if (sod < am_s)
			return at_days(days, am_s);
		if (sod < am_e)
			return at_days(days, sod);
		if (sod < pm_s)
			return at_days(days, pm_s);
		if (sod < pm_e)
			return at_days(days, sod);
	}
	return -1;
}

/* Adds secs of working time to t (snapped first); -1 when the calendar runs out. */
static int64_t add_working(const struct ts_calendar *c, int64_t t, int64_t secs)
{
	int64_t am_e = c->am_end * 60LL, pm_e = c->pm_end * 60LL;
	int64_t daylen = (c->am_end - c->am_start + c->pm_end - c->pm_start) * 60LL;

	t = ts_cal_snap(c, t);
	while (t >= 0) {
		int64_t days = local_days(t), sod = t + TS_TZ_OFFSET - days * DAY_S;
		int64_t end = sod < am_e ? am_e : pm_e;

		/* a whole office day still to go from its opening: step over it at once */
		if (sod == c->am_start * 60LL && secs > daylen) {
			secs -= daylen;
			t = ts_cal_snap(c, at_days(days, pm_e));
			continue;
		}
		if (secs <= end - sod)
			return t + secs;
		secs -= end - sod;
		t = ts_cal_snap(c, at_days(days, end));
	}
	return -1;
}

/* Opening of the first working day after t's local date; -1 if none. */
int64_t ts_cal_legal_hours(int64_t amount, int unit)
{
	return unit == TS_CAL_WORKING_HOURS ? amount : amount * TS_CAL_HOURS_PER_DAY;
}

int64_t ts_cal_add_working_seconds(const struct ts_calendar *c, int64_t t, int64_t secs)
{
	if (secs < 0 || secs > AMOUNT_LIMIT * 3600LL)
		return -1;
	return add_working(c, t, secs);
}

static int64_t next_day_opening(const struct ts_calendar *c, int64_t t)
{
	return ts_cal_snap(c, at_days(local_days(t) + 1, 0));
}

int64_t ts_cal_due(const struct ts_calendar *c, int64_t start, int64_t amount, int unit,
		   bool next_day_after_cutoff)
{
	int64_t t = start, days;
	int i;

	if (amount < 0 || amount > AMOUNT_LIMIT)
		return -1;
	if (next_day_after_cutoff && working_days_no(c, local_days(start))) {
		int64_t sod = start + TS_TZ_OFFSET - local_days(start) * DAY_S;
		if (sod > c->cutoff_minute * 60LL && (t = next_day_opening(c, start)) < 0)
			return -1;
	}
	switch (unit) {
	case TS_CAL_WORKING_HOURS:
		return add_working(c, t, amount * 3600);
	case TS_CAL_WORKING_DAYS:
		return add_working(c, t, amount * TS_CAL_HOURS_PER_DAY * 3600);
	case TS_CAL_CALENDAR_DAYS:
		if (amount == 0)
			return ts_cal_snap(c, t);
		days = local_days(t) + amount;
		for (i = 0; i < SEARCH_DAYS && !working_days_no(c, days); i++)
			days++;
		return i < SEARCH_DAYS ? at_days(days, c->pm_end * 60LL) : -1;
	default:
		return -1;
	}
}

static int64_t overlap(int64_t a, int64_t b, int64_t s, int64_t e)
{
	int64_t lo = a > s ? a : s, hi = b < e ? b : e;
	return hi > lo ? hi - lo : 0;
}

int64_t ts_cal_working_seconds(const struct ts_calendar *c, int64_t a, int64_t b)
{
	int64_t total = 0, last;

	if (b <= a)
		return 0;
	last = local_days(b);
	for (int64_t d = local_days(a); d <= last; d++) {
		if (!working_days_no(c, d))
			continue;
		total +=
		    overlap(a, b, at_days(d, c->am_start * 60LL), at_days(d, c->am_end * 60LL));
		total +=
		    overlap(a, b, at_days(d, c->pm_start * 60LL), at_days(d, c->pm_end * 60LL));
	}
	return total;
}

/* ---- ISO 8601 ---------------------------------------------------------------------- */

/* n decimal digits at s into *v; false when any is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

int ts_cal_date_parse(const char *s, int32_t *out, const char *field, struct ts_error *err)
{
	int y, m, d;
	size_t len = s ? strlen(s) : 0;
	bool ok = false;

	if (len == 10 && s[4] == '-' && s[7] == '-')
		ok = digits(s, 4, &y) && digits(s + 5, 2, &m) && digits(s + 8, 2, &d);
	else if (len == 8)
		ok = digits(s, 4, &y) && digits(s + 4, 2, &m) && digits(s + 6, 2, &d);
	if (ok && ts_cal_date_valid((int32_t)(y * 10000 + m * 100 + d))) {
		*out = (int32_t)(y * 10000 + m * 100 + d);
		return 0;
	}
	return ts_error_set(err, TS_ERR_VALIDATION, field,
			    "Ngày không hợp lệ, cần dạng YYYY-MM-DD từ năm %d đến %d (ví dụ "
			    "2026-04-27)",
			    TS_CAL_MIN_YEAR, TS_CAL_MAX_YEAR);
}

int ts_cal_iso_parse(const char *s, int64_t *out, const char *field, struct ts_error *err)
{
	int y, mo, d, hh, mi, ss = 0, oh = 7, om = 0, sign = 1;
	const char *p;

	if (!s || strlen(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':')
		goto bad;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mi))
		goto bad;
	p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &ss))
			goto bad;
		p += 3;
		if (*p == '.' || *p == ',') {
			if (p[1] < '0' || p[1] > '9')
				goto bad;
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		oh = 0;
		p++;
	} else if (*p == '+' || *p == ' ' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh))
			goto bad;
		p += 3;
		if (*p == ':')
			p++;
		if (*p) {
			if (!digits(p, 2, &om))
				goto bad;
			p += 2;
		}
	}
	if (*p || hh > 23 || mi > 59 || ss > 59 || oh > 14 || om > 59 ||
	    !ts_cal_date_valid((int32_t)(y * 10000 + mo * 100 + d)))
		goto bad;
	*out = ts_cal_days_from_civil(y, mo, d) * DAY_S + hh * 3600LL + mi * 60LL + ss -
	       sign * (oh * 3600LL + om * 60LL);
	return 0;
bad:
	return ts_error_set(err, TS_ERR_VALIDATION, field,
			    "Thời điểm không hợp lệ, cần dạng ISO 8601 có múi giờ, ví dụ "
			    "2026-02-13T16:00:00+07:00");
}

char *ts_cal_iso_format(int64_t t, char *out, size_t outsz)
{
	int64_t days = local_days(t), sod = t + TS_TZ_OFFSET - days * DAY_S;
	int y, m, d;

	ts_cal_civil_from_days(days, &y, &m, &d);
	snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", y, m, d, (int)(sod / 3600),
		 (int)(sod / 60 % 60), (int)(sod % 60));
	return out;
}
