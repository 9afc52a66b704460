/* lunar.c - the Vietnamese lunar calendar (UTC+7) from low-precision astronomy, and the
 * yearly suggestion of public holidays (Labour Code 2019 art. 112) built on it, with the
 * announced decisions shipped as data. Pure: no storage, no clock.
 *
 * Astronomy. Days are Julian day numbers (JDN, noon-based integers). The n-th mean new moon
 * after the one of 1900-01-01 is corrected by the main periodic terms of the Sun's and the
 * Moon's anomalies and the Moon's argument of latitude (the classic series of Meeus,
 * "Astronomical Formulae for Calculators", epoch 1900, with a Delta-T correction); the Sun's
 * apparent longitude uses the equation of centre (Meeus ch. 25, low precision). Both are good
 * to a few minutes over 1900-2100, which is what deciding "which local day" needs.
 *
 * Rules of the calendar: a month begins on the local (UTC+7) day of a new moon; month 11 is
 * the month containing the winter solstice (Sun at 270°); the span from one month 11 to the
 * next holds 12 or 13 months; with 13, the first month after month 11 in which the Sun
 * enters no new 30° sector (no major solar term) is the leap month and repeats the number of
 * the month before it. Because the day boundary is UTC+7, some new moons fall on a different
 * day than in China's UTC+8 calendar (Tết 1985 and 2007 differ, see the tests). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"

#define TZ_HOURS 7.0
#define SYNODIC 29.530588853
/* JDN (with fraction) of the mean new moon numbered 0: 1900-01-01 */
#define NM0 2415021.076998695
/* JDN of 1970-01-01 */
#define JDN_EPOCH 2440588

static const double deg = 3.14159265358979323846 / 180.0;

static int64_t jdn_of(int y, int m, int d)
{
	return ts_cal_days_from_civil(y, m, d) + JDN_EPOCH;
}

/* Local day (JDN) of new moon number k. */
static int64_t new_moon_day(int k)
{
	double t = k / 1236.85, t2 = t * t, t3 = t2 * t;
	double jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
	double m = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * deg;
	double mp = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * deg;
	double f = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * deg;
	double corr, delta_t;

	jd += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * deg);
	corr = (0.1734 - 0.000393 * t) * sin(m) + 0.0021 * sin(2 * m) - 0.4068 * sin(mp) +
	       0.0161 * sin(2 * mp) - 0.0004 * sin(3 * mp) + 0.0104 * sin(2 * f) -
	       0.0051 * sin(m + mp) - 0.0074 * sin(m - mp) + 0.0004 * sin(2 * f + m) -
	       0.0004 * sin(2 * f - m) - 0.0006 * sin(2 * f + mp) + 0.0010 * sin(2 * f - mp) +
	       0.0005 * sin(m + 2 * mp);
	/* Delta-T (dynamical minus universal time), in days */
	if (t < -11)
		delta_t =
		    0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3;
	else
		delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2;
	/* jd counts from noon: +0.5 moves to midnight-based days, then to UTC+7 */
	return (int64_t)floor(jd + corr - delta_t + 0.5 + TZ_HOURS / 24.0);
}

/* The Sun's apparent longitude at the local midnight that begins day jdn, as a 30° sector
 * 0..11 (sector 9 begins at the winter solstice). */
static int sun_sector(int64_t jdn)
{
	double t = ((double)jdn - 0.5 - TZ_HOURS / 24.0 - 2451545.0) / 36525.0, t2 = t * t;
	double m = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t2 * t) * deg;
	double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
	double c = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(m) +
		   (0.019993 - 0.000101 * t) * sin(2 * m) + 0.000290 * sin(3 * m);
	double l = fmod(l0 + c, 360.0);

	if (l < 0)
		l += 360.0;
	return (int)(l / 30.0);
}

/* Number k of the new moon that begins month 11 of the lunar year ending in Gregorian year
 * y, i.e. the month containing y's December solstice. */
static int month11_k(int y)
{
	int k = (int)floor((double)(jdn_of(y, 12, 31) - 2415021) / SYNODIC);

	/* if the Sun already passed 270° when this moon began, the solstice is in the month
	 * before */
	if (sun_sector(new_moon_day(k)) >= 9)
		k--;
	return k;
}

/* One "suì": the months from month 11 of year y-1 up to (excluding) month 11 of year y. */
struct sui {
	int64_t start[14]; /* JDN of each month's first day; start[nmonths] = next month 11 */
	int nmonths;	   /* 12 or 13 */
	int leap;	   /* index of the leap month (1..12), 0 when none */
};

static void sui_of(int y, struct sui *s)
{
	int k0 = month11_k(y - 1), k1 = month11_k(y);

	memset(s, 0, sizeof(*s));
	s->nmonths = k1 - k0;
	for (int i = 0; i <= s->nmonths; i++)
		s->start[i] = new_moon_day(k0 + i);
	if (s->nmonths == 13) {
		for (int i = 1; i < 13; i++) {
			if (sun_sector(s->start[i]) == sun_sector(s->start[i + 1])) {
				s->leap = i;
				break;
			}
		}
	}
}

/* Month number (1..12), lunar year and leap flag of month index i of the suì ending in y. */
static void sui_month(const struct sui *s, int y, int i, int *month, int *lyear, int *leap)
{
	int n = s->leap && i >= s->leap ? i - 1 : i;

	*leap = s->leap && i == s->leap;
	*month = (n + 10) % 12 + 1;
	*lyear = n < 2 ? y - 1 : y;
}

void ts_solar_to_lunar(int d, int m, int y, int *lday, int *lmonth, int *lyear, int *leap)
{
	int64_t jdn = jdn_of(y, m, d);
	struct sui s;
	int sy = y, i;

	/* on or after this year's month 11 the day belongs to the next suì */
	if (jdn >= new_moon_day(month11_k(y)))
		sy = y + 1;
	sui_of(sy, &s);
	for (i = s.nmonths - 1; i > 0 && s.start[i] > jdn; i--)
		;
	*lday = (int)(jdn - s.start[i] + 1);
	sui_month(&s, sy, i, lmonth, lyear, leap);
}

int ts_lunar_to_solar(int lday, int lmonth, int lyear, int leap, int *d, int *m, int *y)
{
	struct sui s;
	int sy, i, mo, ly, lp;
	int64_t jdn;

	if (lyear < TS_CAL_MIN_YEAR || lyear > TS_CAL_MAX_YEAR || lmonth < 1 || lmonth > 12 ||
	    lday < 1 || lday > 30)
		return TS_ERR_VALIDATION;
	/* months 11 and 12 of lunar year L open the suì that ends in L+1 */
	sy = lmonth >= 11 ? lyear + 1 : lyear;
	sui_of(sy, &s);
	for (i = 0; i < s.nmonths; i++) {
		sui_month(&s, sy, i, &mo, &ly, &lp);
		if (mo == lmonth && ly == lyear && lp == (leap != 0))
			break;
	}
	if (i == s.nmonths || lday > s.start[i + 1] - s.start[i])
		return TS_ERR_VALIDATION; /* no such leap month, or a 29-day month's 30th */
	jdn = s.start[i] + lday - 1;
	ts_cal_civil_from_days(jdn - JDN_EPOCH, y, m, d);
	return 0;
}

int32_t ts_lunar_tet(int y)
{
	int d, m, yy;
	if (ts_lunar_to_solar(1, 1, y, 0, &d, &m, &yy))
		return 0;
	return (int32_t)(yy * 10000 + m * 100 + d);
}

/* ---- the yearly suggestion --------------------------------------------------------- */

/* Holiday groups: an announced decision for a group replaces the computed days of that
 * group (its holidays and their compensatory days) in that year. */
enum group { G_NEWYEAR, G_TET, G_HUNG, G_APR30, G_MAY1, G_NATIONAL, G_CULTURE, G__COUNT };

static const char *const group_names[G__COUNT] = {
    "Tết Dương lịch",	     "Tết Nguyên đán", "Giỗ Tổ Hùng Vương",	"Ngày Chiến thắng 30/4",
    "Ngày Quốc tế Lao động", "Quốc khánh 2/9", "Ngày Văn hóa Việt Nam",
};
static const char *const comp_names[G__COUNT] = {
    "Nghỉ bù Tết Dương lịch",	     "Nghỉ bù Tết Nguyên đán",	      "Nghỉ bù Giỗ Tổ Hùng Vương",
    "Nghỉ bù Ngày Chiến thắng 30/4", "Nghỉ bù Ngày Quốc tế Lao động", "Nghỉ bù Quốc khánh 2/9",
    "Nghỉ bù Ngày Văn hóa Việt Nam",
};

/* Announced decisions shipped with the program (DOMAIN.md §6). Only the working days that
 * the decision takes off (or puts on) are listed; the weekends inside a break are days off
 * anyway. An administrator records later decisions through the API. */
static const struct announced {
	int32_t date;
	int kind;
	int group;
} announced[] = {
    /* Tết Ất Tỵ: civil servants off Sat 25 Jan - Sun 2 Feb 2025 */
    {20250127, TS_DAY_HOLIDAY, G_TET},
    {20250128, TS_DAY_HOLIDAY, G_TET},
    {20250129, TS_DAY_HOLIDAY, G_TET},
    {20250130, TS_DAY_HOLIDAY, G_TET},
    {20250131, TS_DAY_HOLIDAY, G_TET},
    /* Tết Bính Ngọ: off Sat 14 Feb - Sun 22 Feb 2026, working days Mon 16 - Fri 20 */
    {20260216, TS_DAY_HOLIDAY, G_TET},
    {20260217, TS_DAY_HOLIDAY, G_TET},
    {20260218, TS_DAY_HOLIDAY, G_TET},
    {20260219, TS_DAY_HOLIDAY, G_TET},
    {20260220, TS_DAY_HOLIDAY, G_TET},
    /* Giỗ Tổ 2026 falls on Sunday 26 Apr, compensated on Monday 27 Apr */
    {20260426, TS_DAY_HOLIDAY, G_HUNG},
    {20260427, TS_DAY_COMPENSATORY, G_HUNG},
};

bool ts_cal_is_announced(int32_t yyyymmdd, int kind)
{
	for (size_t i = 0; i < sizeof(announced) / sizeof(announced[0]); i++)
		if (announced[i].date == yyyymmdd && announced[i].kind == kind)
			return true;
	return false;
}

struct sugg {
	int64_t days; /* days since the epoch */
	int kind, group;
};

static bool group_announced(int year, int group)
{
	for (size_t i = 0; i < sizeof(announced) / sizeof(announced[0]); i++)
		if (announced[i].date / 10000 == year && announced[i].group == group)
			return true;
	return false;
}

static bool taken(const struct sugg *v, size_t n, int64_t days)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].days == days)
			return true;
	return false;
}

static int cmp_sugg(const void *a, const void *b)
{
	const struct sugg *x = a, *y = b;
	return x->days < y->days ? -1 : x->days > y->days;
}

/* Weekly days off for the suggestion: Saturday and Sunday (the civil service week). */
static bool weekend(int64_t days)
{
	return ts_cal_weekday(ts_cal_days_date(days)) >= 5;
}

/* Choices (an administrator edits the result; the Prime Minister decides yearly):
 * - Tết: 5 days = the last day of the old lunar year + mùng 1 to mùng 4 (the split used for
 *   2026's decision); art. 112 leaves the split open.
 * - Quốc khánh: 2 Sep + 1 Sep as the adjacent day (the adjacent day is chosen yearly).
 * - Ngày Văn hóa Việt Nam (24 Nov) from 2026 (in force 1 July 2026).
 * - A holiday on Saturday or Sunday gives a compensatory day on the next weekday that is
 *   neither a holiday nor already a compensatory day, taken in date order, so a Tết block
 *   with two weekend days is followed by two compensatory days. */
int ts_cal_suggest_year(int year, struct ts_arena *a, struct ts_cal_day **days, size_t *n)
{
	struct sugg v[40];
	size_t nv = 0, nh, i;
	struct ts_cal_day *out;
	int32_t tet, hung;
	int d, m, y;

	*days = NULL;
	*n = 0;
	if (year < TS_CAL_MIN_YEAR || year > TS_CAL_MAX_YEAR)
		return TS_ERR_VALIDATION;
	tet = ts_lunar_tet(year);
	if (!tet || ts_lunar_to_solar(10, 3, year, 0, &d, &m, &y))
		return TS_ERR_VALIDATION;
	hung = (int32_t)(y * 10000 + m * 100 + d);

#define ADD(dd, g) (v[nv++] = (struct sugg){(dd), TS_DAY_HOLIDAY, (g)})
	ADD(ts_cal_days_from_civil(year, 1, 1), G_NEWYEAR);
	for (int k = -1; k < 4; k++)
		ADD(ts_cal_date_days(tet) + k, G_TET);
	ADD(ts_cal_date_days(hung), G_HUNG);
	ADD(ts_cal_days_from_civil(year, 4, 30), G_APR30);
	ADD(ts_cal_days_from_civil(year, 5, 1), G_MAY1);
	ADD(ts_cal_days_from_civil(year, 9, 1), G_NATIONAL);
	ADD(ts_cal_days_from_civil(year, 9, 2), G_NATIONAL);
	if (year >= 2026)
		ADD(ts_cal_days_from_civil(year, 11, 24), G_CULTURE);
#undef ADD
	qsort(v, nv, sizeof(v[0]), cmp_sugg);
	nh = nv;
	for (i = 0; i < nh; i++) {
		int64_t c = v[i].days + 1;
		if (!weekend(v[i].days))
			continue;
		while (weekend(c) || taken(v, nv, c))
			c++;
		v[nv++] = (struct sugg){c, TS_DAY_COMPENSATORY, v[i].group};
	}
	/* announced groups replace the computed ones */
	for (i = 0; i < nv;) {
		if (group_announced(year, v[i].group))
			v[i] = v[--nv];
		else
			i++;
	}
	for (i = 0; i < sizeof(announced) / sizeof(announced[0]); i++)
		if (announced[i].date / 10000 == year)
			v[nv++] = (struct sugg){ts_cal_date_days(announced[i].date),
						announced[i].kind, announced[i].group};
	qsort(v, nv, sizeof(v[0]), cmp_sugg);

	out = ts_arena_zalloc(a, nv * sizeof(*out));
	if (!out)
		return TS_ERR_NOMEM;
	for (i = 0; i < nv; i++) {
		out[i].date = ts_cal_days_date(v[i].days);
		out[i].kind = v[i].kind;
		out[i].name = v[i].kind == TS_DAY_COMPENSATORY ? comp_names[v[i].group]
							       : group_names[v[i].group];
	}
	*days = out;
	*n = nv;
	return 0;
}
