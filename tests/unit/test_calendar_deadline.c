/* test_calendar_deadline.c - pure deadline arithmetic of the working calendar (DOMAIN.md §6):
 * snapping into office hours, working hours and days across lunch, nights, weekends and
 * holidays (Tết 2025-2027, Giỗ Tổ 2026), the 15:00 cut-off rule, calendar days, swapped days,
 * working seconds, civil dates and ISO 8601. Every expected value is worked out by hand from
 * the rules in the comment next to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calendar/calendar.h"

/* Local time on a date: T(20260202, 7, 0) is Monday 2 Feb 2026 07:00 (+07:00). */
static int64_t T(int32_t date, int h, int m)
{
	return ts_cal_local_time(date, h * 60 + m);
}

#define H TS_CAL_WORKING_HOURS
#define D TS_CAL_WORKING_DAYS
#define C TS_CAL_CALENDAR_DAYS

/* 2026 as decided: Tết Mon 16 - Fri 20 Feb, Giỗ Tổ Sun 26 Apr + Mon 27 Apr compensatory,
 * 30 Apr (Thu), 1 May (Fri); plus, for the tests only, Fri 2 Jan swapped off and Sat 10 Jan
 * worked in exchange. */
static struct ts_cal_day days2026[] = {
    {20260101, TS_DAY_HOLIDAY, "Tết Dương lịch"},
    {20260102, TS_DAY_SWAPPED_OFF, "Nghỉ hoán đổi"},
    {20260110, TS_DAY_SWAPPED_WORKING, "Làm bù"},
    {20260216, TS_DAY_HOLIDAY, "Tết"},
    {20260217, TS_DAY_HOLIDAY, "Tết"},
    {20260218, TS_DAY_HOLIDAY, "Tết"},
    {20260219, TS_DAY_HOLIDAY, "Tết"},
    {20260220, TS_DAY_HOLIDAY, "Tết"},
    {20260426, TS_DAY_HOLIDAY, "Giỗ Tổ Hùng Vương"},
    {20260427, TS_DAY_COMPENSATORY, "Nghỉ bù Giỗ Tổ"},
    {20260430, TS_DAY_HOLIDAY, "30/4"},
    {20260501, TS_DAY_HOLIDAY, "1/5"},
};

/* 2025: Tết break Sat 25 Jan - Sun 2 Feb (weekdays Mon 27 - Fri 31 off). */
static struct ts_cal_day days2025[] = {
    {20250127, TS_DAY_HOLIDAY, NULL}, {20250128, TS_DAY_HOLIDAY, NULL},
    {20250129, TS_DAY_HOLIDAY, NULL}, {20250130, TS_DAY_HOLIDAY, NULL},
    {20250131, TS_DAY_HOLIDAY, NULL},
};

/* 2027 as computed: Tết Fri 5 - Tue 9 Feb; Sat 6 and Sun 7 give Wed 10 and Thu 11 off. */
static struct ts_cal_day days2027[] = {
    {20270205, TS_DAY_HOLIDAY, NULL},	   {20270206, TS_DAY_HOLIDAY, NULL},
    {20270207, TS_DAY_HOLIDAY, NULL},	   {20270208, TS_DAY_HOLIDAY, NULL},
    {20270209, TS_DAY_HOLIDAY, NULL},	   {20270210, TS_DAY_COMPENSATORY, NULL},
    {20270211, TS_DAY_COMPENSATORY, NULL},
};

static struct ts_calendar cal(struct ts_cal_day *days, size_t n)
{
	struct ts_calendar c;
	ts_cal_default(&c);
	c.days = days;
	c.ndays = n;
	return c;
}

#define CAL2026 cal(days2026, sizeof(days2026) / sizeof(days2026[0]))

static void test_calendar_default_office_hours_are_8_hours_mon_to_fri(void **state)
{
	struct ts_calendar c;
	(void)state;
	ts_cal_default(&c);
	assert_int_equal(c.am_start, 7 * 60);
	assert_int_equal(c.am_end, 11 * 60 + 30);
	assert_int_equal(c.pm_start, 13 * 60 + 30);
	assert_int_equal(c.pm_end, 17 * 60);
	assert_int_equal(c.weekdays, 0x1f);
	assert_int_equal(c.cutoff_minute, 15 * 60);
	/* 4.5 h + 3.5 h */
	assert_int_equal((c.am_end - c.am_start) + (c.pm_end - c.pm_start), 8 * 60);
}

static void test_calendar_civil_dates_and_weekdays(void **state)
{
	(void)state;
	assert_int_equal(ts_cal_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(ts_cal_days_from_civil(2000, 3, 1) - ts_cal_days_from_civil(2000, 2, 28),
			 2); /* 2000 is a leap year */
	assert_int_equal(ts_cal_days_from_civil(2100, 3, 1) - ts_cal_days_from_civil(2100, 2, 28),
			 1);			       /* 2100 is not */
	assert_int_equal(ts_cal_weekday(19700101), 3); /* Thursday */
	assert_int_equal(ts_cal_weekday(20260426), 6); /* Giỗ Tổ 2026: Sunday */
	assert_int_equal(ts_cal_weekday(20260427), 0); /* Monday */
	assert_int_equal(ts_cal_weekday(20260214), 5); /* Saturday */
	assert_int_equal(ts_cal_days_date(ts_cal_date_days(20261231) + 1), 20270101);
	assert_true(ts_cal_date_valid(20240229));
	assert_false(ts_cal_date_valid(19000229));
	assert_false(ts_cal_date_valid(20250229));
	assert_false(ts_cal_date_valid(20251301));
	assert_false(ts_cal_date_valid(18991231));
	/* 2000-01-01T00:00:00Z is 946684800, i.e. 07:00 in Vietnam */
	assert_int_equal(T(20000101, 7, 0), 946684800);
	assert_int_equal(ts_cal_local_date(946684800 - 7 * 3600 - 1), 19991231);
	assert_int_equal(ts_cal_local_date(946684800 - 7 * 3600), 20000101);
}

static void test_calendar_working_day_kinds(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_true(ts_cal_is_working_day(&c, 20260105));  /* Monday */
	assert_false(ts_cal_is_working_day(&c, 20260103)); /* Saturday */
	assert_false(ts_cal_is_working_day(&c, 20260101)); /* holiday */
	assert_false(ts_cal_is_working_day(&c, 20260102)); /* swapped off (a Friday) */
	assert_true(ts_cal_is_working_day(&c, 20260110));  /* swapped working Saturday */
	assert_false(ts_cal_is_working_day(&c, 20260427)); /* compensatory Monday */
	assert_false(ts_cal_is_working_day(&c, 20260426)); /* Sunday holiday */
	assert_non_null(ts_cal_find(&c, 20260216));
	assert_null(ts_cal_find(&c, 20260215));
}

static void test_calendar_snaps_before_opening_to_opening(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_snap(&c, T(20260202, 6, 0)), T(20260202, 7, 0));
	assert_int_equal(ts_cal_snap(&c, T(20260202, 0, 0)), T(20260202, 7, 0));
	assert_int_equal(ts_cal_snap(&c, T(20260202, 7, 0)), T(20260202, 7, 0));
	assert_int_equal(ts_cal_snap(&c, T(20260202, 9, 15)), T(20260202, 9, 15));
}

static void test_calendar_snaps_lunch_to_afternoon_opening(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_snap(&c, T(20260202, 12, 0)), T(20260202, 13, 30));
	/* 11:30 exactly is already lunch; one second before is still morning */
	assert_int_equal(ts_cal_snap(&c, T(20260202, 11, 30)), T(20260202, 13, 30));
	assert_int_equal(ts_cal_snap(&c, T(20260202, 11, 30) - 1), T(20260202, 11, 30) - 1);
	assert_int_equal(ts_cal_snap(&c, T(20260202, 13, 30)), T(20260202, 13, 30));
}

static void test_calendar_snaps_after_closing_to_next_working_morning(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_snap(&c, T(20260202, 17, 0)), T(20260203, 7, 0));
	assert_int_equal(ts_cal_snap(&c, T(20260202, 23, 59)), T(20260203, 7, 0));
	/* Friday evening before the Tết break: next opening is Monday 23 Feb */
	assert_int_equal(ts_cal_snap(&c, T(20260213, 17, 30)), T(20260223, 7, 0));
}

static void test_calendar_snaps_weekend_and_holidays_forward(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_snap(&c, T(20260207, 10, 0)), T(20260209, 7, 0)); /* Sat -> Mon */
	assert_int_equal(ts_cal_snap(&c, T(20260208, 10, 0)), T(20260209, 7, 0)); /* Sun -> Mon */
	assert_int_equal(ts_cal_snap(&c, T(20260217, 9, 0)), T(20260223, 7, 0)); /* mùng 1 Tết */
	/* Giỗ Tổ Sunday and its compensatory Monday: Tuesday 28 Apr */
	assert_int_equal(ts_cal_snap(&c, T(20260426, 9, 0)), T(20260428, 7, 0));
	assert_int_equal(ts_cal_snap(&c, T(20260427, 9, 0)), T(20260428, 7, 0));
	/* 1 Jan holiday, 2 Jan swapped off, weekend: Monday 5 Jan */
	assert_int_equal(ts_cal_snap(&c, T(20251231, 18, 0)), T(20260105, 7, 0));
}

static void test_calendar_hours_within_a_session(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_due(&c, T(20260202, 8, 0), 2, H, false), T(20260202, 10, 0));
	assert_int_equal(ts_cal_due(&c, T(20260202, 14, 0), 3, H, false), T(20260202, 17, 0));
}

static void test_calendar_hours_across_lunch(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* 10:00-11:30 is 1.5 h, the other 0.5 h from 13:30 */
	assert_int_equal(ts_cal_due(&c, T(20260202, 10, 0), 2, H, false), T(20260202, 14, 0));
	/* using the morning up exactly ends at 11:30, not at 13:30 */
	assert_int_equal(ts_cal_due(&c, T(20260202, 9, 30), 2, H, false), T(20260202, 11, 30));
	/* started during lunch: counted from 13:30 */
	assert_int_equal(ts_cal_due(&c, T(20260202, 12, 15), 1, H, false), T(20260202, 14, 30));
}

static void test_calendar_hours_across_nights_and_weekends(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* Mon 16:00: 1 h on Monday, 1 h on Tuesday from 07:00 */
	assert_int_equal(ts_cal_due(&c, T(20260202, 16, 0), 2, H, false), T(20260203, 8, 0));
	/* Fri 16:00: 1 h on Friday, 2 h on Monday */
	assert_int_equal(ts_cal_due(&c, T(20260206, 16, 0), 3, H, false), T(20260209, 9, 0));
	/* received on Saturday: counted from Monday 07:00 */
	assert_int_equal(ts_cal_due(&c, T(20260207, 10, 0), 5, H, false), T(20260209, 14, 0));
	/* 8 h from an opening is that day's closing */
	assert_int_equal(ts_cal_due(&c, T(20260209, 7, 0), 8, H, false), T(20260209, 17, 0));
	/* 9 h from an opening: a whole day, then 1 h the next morning */
	assert_int_equal(ts_cal_due(&c, T(20260209, 7, 0), 9, H, false), T(20260210, 8, 0));
}

static void test_calendar_half_day_is_four_working_hours(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_due(&c, T(20260209, 7, 0), 4, H, false), T(20260209, 11, 0));
	/* 10:00-11:30 (1.5 h) + 13:30-16:00 (2.5 h) */
	assert_int_equal(ts_cal_due(&c, T(20260209, 10, 0), 4, H, false), T(20260209, 16, 0));
	/* afternoon start: 15:00-17:00 (2 h) + 07:00-09:00 next day */
	assert_int_equal(ts_cal_due(&c, T(20260209, 15, 0), 4, H, false), T(20260210, 9, 0));
}

static void test_calendar_zero_amount_is_the_snapped_start(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_due(&c, T(20260207, 10, 0), 0, H, false), T(20260209, 7, 0));
	assert_int_equal(ts_cal_due(&c, T(20260202, 12, 0), 0, D, false), T(20260202, 13, 30));
	assert_int_equal(ts_cal_due(&c, T(20260202, 9, 0), 0, C, false), T(20260202, 9, 0));
	assert_int_equal(ts_cal_due(&c, T(20260202, 9, 0), -1, H, false), -1);
	assert_int_equal(ts_cal_due(&c, T(20260202, 9, 0), 1, 99, false), -1);
}

static void test_calendar_working_days_keep_the_time_of_day(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	assert_int_equal(ts_cal_due(&c, T(20260209, 8, 0), 1, D, false), T(20260210, 8, 0));
	/* from the opening, one day ends at that day's closing */
	assert_int_equal(ts_cal_due(&c, T(20260209, 7, 0), 1, D, false), T(20260209, 17, 0));
	/* Fri 6 Feb 14:00 + 2 days: Mon 9 (1), Tue 10 (2) at 14:00 */
	assert_int_equal(ts_cal_due(&c, T(20260206, 14, 0), 2, D, false), T(20260210, 14, 0));
	/* 5 days from Monday 09:00: next Monday 09:00 */
	assert_int_equal(ts_cal_due(&c, T(20260202, 9, 0), 5, D, false), T(20260209, 9, 0));
}

static void test_calendar_skips_tet_2026_break(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* Fri 13 Feb 10:00 + 1 day: the break runs Sat 14 - Sun 22: Mon 23 Feb 10:00 */
	assert_int_equal(ts_cal_due(&c, T(20260213, 10, 0), 1, D, false), T(20260223, 10, 0));
	/* Thu 12 Feb 14:00 + 3 days: Thu 3 h, Fri 8 h, Mon 23 8 h, Tue 24 4.5 h + 0.5 h */
	assert_int_equal(ts_cal_due(&c, T(20260212, 14, 0), 3, D, false), T(20260224, 14, 0));
	/* in hours: Fri 13 Feb 16:00 + 2 h: 1 h Friday, 1 h Monday 23 */
	assert_int_equal(ts_cal_due(&c, T(20260213, 16, 0), 2, H, false), T(20260223, 8, 0));
}

static void test_calendar_skips_tet_2025_break(void **state)
{
	struct ts_calendar c = cal(days2025, sizeof(days2025) / sizeof(days2025[0]));
	(void)state;
	/* Fri 24 Jan 2025 15:00 + 1 day: next working day is Mon 3 Feb */
	assert_int_equal(ts_cal_due(&c, T(20250124, 15, 0), 1, D, false), T(20250203, 15, 0));
	assert_int_equal(ts_cal_snap(&c, T(20250127, 8, 0)), T(20250203, 7, 0));
}

static void test_calendar_skips_tet_2027_with_compensatory_days(void **state)
{
	struct ts_calendar c = cal(days2027, sizeof(days2027) / sizeof(days2027[0]));
	(void)state;
	/* Thu 4 Feb 2027 10:00 + 1 day: Fri 5 - Thu 11 off: Fri 12 Feb 10:00 */
	assert_int_equal(ts_cal_due(&c, T(20270204, 10, 0), 1, D, false), T(20270212, 10, 0));
	assert_false(ts_cal_is_working_day(&c, 20270210));
	assert_false(ts_cal_is_working_day(&c, 20270211));
	assert_true(ts_cal_is_working_day(&c, 20270212));
}

static void test_calendar_gio_to_2026_sunday_compensated_monday(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* Fri 24 Apr 09:00 + 2 days: Mon 27 is compensatory: Tue 28 (1), Wed 29 (2) */
	assert_int_equal(ts_cal_due(&c, T(20260424, 9, 0), 2, D, false), T(20260429, 9, 0));
	/* Wed 29 Apr 09:00 + 2 days: 30 Apr, 1 May, weekend: Mon 4 (1), Tue 5 May (2) */
	assert_int_equal(ts_cal_due(&c, T(20260429, 9, 0), 2, D, false), T(20260505, 9, 0));
}

static void test_calendar_cutoff_rule_moves_late_receipts_to_next_day(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* Tue 3 Feb 15:30 + 8 h with the rule: counted from Wed 07:00 -> Wed 17:00 */
	assert_int_equal(ts_cal_due(&c, T(20260203, 15, 30), 8, H, true), T(20260204, 17, 0));
	/* without it: 1.5 h Tuesday, 4.5 h + 2 h Wednesday -> 15:30 */
	assert_int_equal(ts_cal_due(&c, T(20260203, 15, 30), 8, H, false), T(20260204, 15, 30));
	/* 15:00:00 exactly is not after 15:00: 2 h Tuesday + 6 h Wednesday -> 15:00 */
	assert_int_equal(ts_cal_due(&c, T(20260203, 15, 0), 8, H, true), T(20260204, 15, 0));
	assert_int_equal(ts_cal_due(&c, T(20260203, 15, 0) + 1, 8, H, true), T(20260204, 17, 0));
	/* before the Tết break the next working day is Mon 23 Feb */
	assert_int_equal(ts_cal_due(&c, T(20260213, 15, 30), 1, H, true), T(20260223, 8, 0));
	assert_int_equal(ts_cal_due(&c, T(20260213, 15, 30), 1, H, false), T(20260213, 16, 30));
	/* on a Saturday the rule has nothing to do: snapping gives Monday 07:00 anyway */
	assert_int_equal(ts_cal_due(&c, T(20260207, 16, 0), 1, H, true), T(20260209, 8, 0));
	/* zero amount with the rule: the next working day's opening */
	assert_int_equal(ts_cal_due(&c, T(20260203, 16, 0), 0, H, true), T(20260204, 7, 0));
}

static void test_calendar_days_land_on_weekends_and_holidays(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* Mon 2 Feb + 3 calendar days: Thu 5 Feb, end of business */
	assert_int_equal(ts_cal_due(&c, T(20260202, 10, 0), 3, C, false), T(20260205, 17, 0));
	/* Wed 4 Feb + 3: Sat 7 -> Mon 9 Feb 17:00 */
	assert_int_equal(ts_cal_due(&c, T(20260204, 10, 0), 3, C, false), T(20260209, 17, 0));
	/* Tue 10 Feb + 6: Mon 16 (Tết) -> Mon 23 Feb 17:00 */
	assert_int_equal(ts_cal_due(&c, T(20260210, 10, 0), 6, C, false), T(20260223, 17, 0));
	/* days off are not skipped while counting: Fri 13 Feb + 12 = Wed 25 Feb */
	assert_int_equal(ts_cal_due(&c, T(20260213, 10, 0), 12, C, false), T(20260225, 17, 0));
	/* Thu 23 Apr + 4: Mon 27 (compensatory) -> Tue 28 Apr 17:00 */
	assert_int_equal(ts_cal_due(&c, T(20260423, 10, 0), 4, C, false), T(20260428, 17, 0));
	/* received on Saturday 7 Feb, 2 days: Mon 9 Feb 17:00 */
	assert_int_equal(ts_cal_due(&c, T(20260207, 10, 0), 2, C, false), T(20260209, 17, 0));
	/* cut-off: Fri 6 Feb 16:00 + 1 with the rule counts from Mon 9 -> Tue 10 17:00;
	 * without it Sat 7 -> Mon 9 17:00 */
	assert_int_equal(ts_cal_due(&c, T(20260206, 16, 0), 1, C, true), T(20260210, 17, 0));
	assert_int_equal(ts_cal_due(&c, T(20260206, 16, 0), 1, C, false), T(20260209, 17, 0));
}

static void test_calendar_swapped_working_saturday_and_swapped_off_friday(void **state)
{
	struct ts_calendar c = CAL2026;
	(void)state;
	/* Fri 9 Jan 16:00 + 2 h: 1 h Friday, 1 h on the worked Saturday 10 Jan */
	assert_int_equal(ts_cal_due(&c, T(20260109, 16, 0), 2, H, false), T(20260110, 8, 0));
	assert_int_equal(ts_cal_snap(&c, T(20260110, 9, 0)), T(20260110, 9, 0));
	/* Wed 31 Dec 2025 16:00 + 2 h: 1 h Wednesday; Thu 1 Jan holiday, Fri 2 swapped off,
	 * weekend: Mon 5 Jan 08:00 */
	assert_int_equal(ts_cal_due(&c, T(20251231, 16, 0), 2, H, false), T(20260105, 8, 0));
}

static void test_calendar_working_seconds_for_pauses(void **state)
{
	struct ts_calendar c = CAL2026;
	int64_t starts[] = {T(20260202, 6, 0), T(20260206, 16, 0), T(20260212, 11, 45),
			    T(20260424, 15, 10), T(20260109, 10, 0)};
	(void)state;
	/* 10:00-11:30 + 13:30-14:00 */
	assert_int_equal(ts_cal_working_seconds(&c, T(20260202, 10, 0), T(20260202, 14, 0)), 7200);
	/* Friday 16:00-17:00 + Monday 07:00-08:00 */
	assert_int_equal(ts_cal_working_seconds(&c, T(20260206, 16, 0), T(20260209, 8, 0)), 7200);
	/* across the whole Tết break only Friday 13 counts */
	assert_int_equal(ts_cal_working_seconds(&c, T(20260213, 7, 0), T(20260223, 7, 0)),
			 8 * 3600);
	/* a plain week: 5 x 8 h */
	assert_int_equal(ts_cal_working_seconds(&c, T(20260202, 0, 0), T(20260209, 0, 0)),
			 5 * 8 * 3600);
	assert_int_equal(ts_cal_working_seconds(&c, T(20260202, 12, 0), T(20260202, 13, 0)), 0);
	assert_int_equal(ts_cal_working_seconds(&c, T(20260202, 14, 0), T(20260202, 10, 0)), 0);
	/* adding h hours then measuring gives h hours back */
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		for (int h = 1; h <= 30; h++)
			assert_int_equal(ts_cal_working_seconds(
					     &c, starts[i], ts_cal_due(&c, starts[i], h, H, false)),
					 h * 3600);
}

static void test_calendar_iso_parse_accepts_offsets(void **state)
{
	struct ts_error err = {0};
	int64_t t = 0, want = T(20260213, 16, 0);
	(void)state;
	assert_int_equal(ts_cal_iso_parse("2026-02-13T16:00:00+07:00", &t, "from", &err), 0);
	assert_int_equal(t, want);
	assert_int_equal(ts_cal_iso_parse("2026-02-13T09:00:00Z", &t, "from", &err), 0);
	assert_int_equal(t, want);
	/* '+' decoded to a space by a query string */
	assert_int_equal(ts_cal_iso_parse("2026-02-13T16:00:00 07:00", &t, "from", &err), 0);
	assert_int_equal(t, want);
	assert_int_equal(ts_cal_iso_parse("2026-02-13T04:00:00-05:00", &t, "from", &err), 0);
	assert_int_equal(t, want);
	assert_int_equal(ts_cal_iso_parse("2026-02-13T16:00+0700", &t, "from", &err), 0);
	assert_int_equal(t, want);
	assert_int_equal(ts_cal_iso_parse("2026-02-13T16:00:00.250+07:00", &t, "from", &err), 0);
	assert_int_equal(t, want);
	/* no offset: local time */
	assert_int_equal(ts_cal_iso_parse("2026-02-13T16:00", &t, "from", &err), 0);
	assert_int_equal(t, want);
	assert_int_equal(ts_cal_iso_parse("2000-01-01T00:00:00Z", &t, "from", &err), 0);
	assert_int_equal(t, 946684800);
	assert_int_equal(err.code, 0);
}

static void test_calendar_iso_parse_rejects_and_names_the_field(void **state)
{
	static const char *const bad[] = {"2026-02-30T10:00:00+07:00",
					  "2026-02-13 16:00:00+07:00",
					  "2026-02-13T24:00:00Z",
					  "2026-02-13T16:60:00Z",
					  "2026-02-13",
					  "garbage",
					  "2026-02-13T16:00:00+07:00x",
					  "2026-02-13T16:00:00+15:00",
					  "",
					  "2026-02-13T16:00:00.+07:00"};
	int64_t t = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ts_error err = {0};
		assert_int_equal(ts_cal_iso_parse(bad[i], &t, "from", &err), TS_ERR_VALIDATION);
		assert_string_equal(err.field, "from");
	}
}

static void test_calendar_iso_format_is_local_with_offset(void **state)
{
	char buf[TS_CAL_ISO_LEN];
	int32_t d = 0;
	struct ts_error err = {0};
	(void)state;
	assert_string_equal(ts_cal_iso_format(T(20260213, 16, 0), buf, sizeof(buf)),
			    "2026-02-13T16:00:00+07:00");
	assert_string_equal(ts_cal_iso_format(0, buf, sizeof(buf)), "1970-01-01T07:00:00+07:00");
	assert_string_equal(ts_cal_iso_format(946684800 - 7 * 3600 - 1, buf, sizeof(buf)),
			    "1999-12-31T23:59:59+07:00");
	assert_int_equal(ts_cal_date_parse("2026-04-27", &d, "date", &err), 0);
	assert_int_equal(d, 20260427);
	assert_int_equal(ts_cal_date_parse("20260427", &d, "date", &err), 0);
	assert_int_equal(ts_cal_date_parse("2026-4-27", &d, "date", &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "date");
}

static void test_calendar_unit_and_kind_names(void **state)
{
	(void)state;
	assert_int_equal(ts_cal_unit_parse("working_hours"), TS_CAL_WORKING_HOURS);
	assert_int_equal(ts_cal_unit_parse("working_days"), TS_CAL_WORKING_DAYS);
	assert_int_equal(ts_cal_unit_parse("calendar_days"), TS_CAL_CALENDAR_DAYS);
	assert_int_equal(ts_cal_unit_parse("days"), -1);
	assert_int_equal(ts_cal_unit_parse(NULL), -1);
	assert_string_equal(ts_cal_unit_name(TS_CAL_CALENDAR_DAYS), "calendar_days");
	assert_int_equal(ts_cal_kind_parse("swapped_working"), TS_DAY_SWAPPED_WORKING);
	assert_string_equal(ts_cal_kind_name(TS_DAY_COMPENSATORY), "compensatory");
	assert_null(ts_cal_kind_name(9));
}

static void test_calendar_check_hours_names_the_bad_field(void **state)
{
	struct ts_calendar c;
	struct ts_error err = {0};
	(void)state;
	ts_cal_default(&c);
	assert_int_equal(ts_cal_check_hours(&c, &err), 0);
	c.am_end = 14 * 60; /* morning ends after the afternoon starts */
	assert_int_equal(ts_cal_check_hours(&c, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "am_end");
	ts_error_clear(&err);
	ts_cal_default(&c);
	c.weekdays = 0;
	assert_int_equal(ts_cal_check_hours(&c, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "weekdays");
}

static void test_calendar_other_office_hours_and_six_day_week(void **state)
{
	struct ts_calendar c;
	(void)state;
	ts_cal_default(&c);
	c.am_start = 7 * 60 + 30; /* 07:30-11:30, 13:00-17:00 */
	c.pm_start = 13 * 60;
	c.weekdays = 0x3f; /* Monday to Saturday */
	/* Fri 6 Feb 16:00 + 2 h: 1 h Friday, Saturday 07:30-08:30 */
	assert_int_equal(ts_cal_due(&c, T(20260206, 16, 0), 2, H, false), T(20260207, 8, 30));
	assert_int_equal(ts_cal_snap(&c, T(20260207, 12, 0)), T(20260207, 13, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calendar_default_office_hours_are_8_hours_mon_to_fri),
	    cmocka_unit_test(test_calendar_civil_dates_and_weekdays),
	    cmocka_unit_test(test_calendar_working_day_kinds),
	    cmocka_unit_test(test_calendar_snaps_before_opening_to_opening),
	    cmocka_unit_test(test_calendar_snaps_lunch_to_afternoon_opening),
	    cmocka_unit_test(test_calendar_snaps_after_closing_to_next_working_morning),
	    cmocka_unit_test(test_calendar_snaps_weekend_and_holidays_forward),
	    cmocka_unit_test(test_calendar_hours_within_a_session),
	    cmocka_unit_test(test_calendar_hours_across_lunch),
	    cmocka_unit_test(test_calendar_hours_across_nights_and_weekends),
	    cmocka_unit_test(test_calendar_half_day_is_four_working_hours),
	    cmocka_unit_test(test_calendar_zero_amount_is_the_snapped_start),
	    cmocka_unit_test(test_calendar_working_days_keep_the_time_of_day),
	    cmocka_unit_test(test_calendar_skips_tet_2026_break),
	    cmocka_unit_test(test_calendar_skips_tet_2025_break),
	    cmocka_unit_test(test_calendar_skips_tet_2027_with_compensatory_days),
	    cmocka_unit_test(test_calendar_gio_to_2026_sunday_compensated_monday),
	    cmocka_unit_test(test_calendar_cutoff_rule_moves_late_receipts_to_next_day),
	    cmocka_unit_test(test_calendar_days_land_on_weekends_and_holidays),
	    cmocka_unit_test(test_calendar_swapped_working_saturday_and_swapped_off_friday),
	    cmocka_unit_test(test_calendar_working_seconds_for_pauses),
	    cmocka_unit_test(test_calendar_iso_parse_accepts_offsets),
	    cmocka_unit_test(test_calendar_iso_parse_rejects_and_names_the_field),
	    cmocka_unit_test(test_calendar_iso_format_is_local_with_offset),
	    cmocka_unit_test(test_calendar_unit_and_kind_names),
	    cmocka_unit_test(test_calendar_check_hours_names_the_bad_field),
	    cmocka_unit_test(test_calendar_other_office_hours_and_six_day_week),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
