/* test_calendar_lunar.c - the Vietnamese lunar calendar (UTC+7) and the yearly holiday
 * suggestion: known Tết and Giỗ Tổ dates, years where Vietnam (UTC+7) and China (UTC+8)
 * differ, known leap months, round trips for every day of 1900-2100, and the suggested
 * special days of 2025-2027 worked out by hand from Labour Code art. 112. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calendar/calendar.h"

static int32_t solar_of(int ld, int lm, int ly, int leap)
{
	int d, m, y;
	if (ts_lunar_to_solar(ld, lm, ly, leap, &d, &m, &y))
		return 0;
	return (int32_t)(y * 10000 + m * 100 + d);
}

static void lunar_of(int32_t date, int *ld, int *lm, int *ly, int *leap)
{
	ts_solar_to_lunar(date % 100, date / 100 % 100, date / 10000, ld, lm, ly, leap);
}

static void test_lunar_known_tet_dates(void **state)
{
	(void)state;
	assert_int_equal(ts_lunar_tet(2025), 20250129);
	assert_int_equal(ts_lunar_tet(2026), 20260217);
	assert_int_equal(ts_lunar_tet(2027), 20270206);
	assert_int_equal(ts_lunar_tet(2020), 20200125);
	assert_int_equal(ts_lunar_tet(2021), 20210212);
	assert_int_equal(ts_lunar_tet(2022), 20220201);
	assert_int_equal(ts_lunar_tet(2023), 20230122);
	assert_int_equal(ts_lunar_tet(2024), 20240210);
}

static void test_lunar_known_gio_to_dates(void **state)
{
	(void)state;
	assert_int_equal(solar_of(10, 3, 2025, 0), 20250407);
	assert_int_equal(solar_of(10, 3, 2026, 0), 20260426);
	assert_int_equal(solar_of(10, 3, 2027, 0), 20270416);
}

static void test_lunar_vietnam_utc7_differs_from_china_utc8(void **state)
{
	int ld, lm, ly, leap;
	(void)state;
	/* Tết Ất Sửu: Vietnam 21 Jan 1985, China 20 Feb 1985 (there: month 2 in Vietnam) */
	assert_int_equal(ts_lunar_tet(1985), 19850121);
	lunar_of(19850220, &ld, &lm, &ly, &leap);
	assert_int_equal(ld, 1);
	assert_int_equal(lm, 2);
	assert_int_equal(ly, 1985);
	/* Tết Đinh Hợi: Vietnam 17 Feb 2007, China 18 Feb 2007 (mùng 2 in Vietnam) */
	assert_int_equal(ts_lunar_tet(2007), 20070217);
	lunar_of(20070218, &ld, &lm, &ly, &leap);
	assert_int_equal(ld, 2);
	assert_int_equal(lm, 1);
	assert_int_equal(ly, 2007);
	/* Tết Mậu Thân 1968 on the UTC+7 calendar: 29 Jan (the UTC+8 one gave 30 Jan) */
	assert_int_equal(ts_lunar_tet(1968), 19680129);
}

static void test_lunar_known_leap_months(void **state)
{
	int ld, lm, ly, leap;
	(void)state;
	/* 2020: leap 4th month from 23 May; 2023: leap 2nd from 22 Mar; 2025: leap 6th from
	 * 25 Jul */
	assert_int_equal(solar_of(1, 4, 2020, 1), 20200523);
	assert_int_equal(solar_of(1, 2, 2023, 1), 20230322);
	assert_int_equal(solar_of(1, 6, 2025, 1), 20250725);
	lunar_of(20250725, &ld, &lm, &ly, &leap);
	assert_int_equal(ld, 1);
	assert_int_equal(lm, 6);
	assert_int_equal(ly, 2025);
	assert_int_equal(leap, 1);
	/* no leap month 5 in 2026, and no 31st day */
	assert_int_equal(solar_of(1, 5, 2026, 1), 0);
	assert_int_equal(solar_of(31, 1, 2026, 0), 0);
	assert_int_equal(solar_of(1, 13, 2026, 0), 0);
	assert_int_equal(solar_of(1, 1, 1899, 0), 0);
}

/* Every day of 1900-2100 converts to a lunar date and back; consecutive days advance the
 * lunar day by one or start a new month of 29 or 30 days; each lunar year runs months
 * 1..12 in order with at most one leap month repeating its predecessor. */
static void test_lunar_round_trips_every_day_1900_to_2100(void **state)
{
	int64_t first = ts_cal_days_from_civil(1900, 2, 1),
		last = ts_cal_days_from_civil(2100, 12, 31);
	int pd = 0, pm = 0, py = 0, pleap = 0, mlen = -1000; /* the first month is partial */
	(void)state;
	for (int64_t x = first; x <= last; x++) {
		int32_t date = ts_cal_days_date(x);
		int ld, lm, ly, leap;

		lunar_of(date, &ld, &lm, &ly, &leap);
		if (solar_of(ld, lm, ly, leap) != date)
			fail_msg("%d -> %d/%d/%d%s does not come back", date, ld, lm, ly,
				 leap ? " leap" : "");
		if (x > first) {
			if (ld == pd + 1) {
				assert_int_equal(lm, pm);
				assert_int_equal(leap, pleap);
			} else {
				assert_int_equal(ld, 1);
				if (mlen > 0 && mlen != 29 && mlen != 30)
					fail_msg("month ending before %d has %d days", date, mlen);
				if (leap) {
					assert_int_equal(lm,
							 pm); /* leap repeats the month before */
				} else if (pm == 12) {
					assert_int_equal(lm, 1);
					assert_int_equal(ly, py + 1);
				} else {
					assert_int_equal(lm, pm + 1);
					assert_int_equal(ly, py);
				}
				mlen = 0;
			}
		}
		mlen++;
		pd = ld;
		pm = lm;
		py = ly;
		pleap = leap;
	}
}

static void test_lunar_tet_falls_between_21_jan_and_20_feb(void **state)
{
	(void)state;
	for (int y = 1901; y <= 2100; y++) {
		int32_t t = ts_lunar_tet(y);
		assert_true(t >= y * 10000 + 121 && t <= y * 10000 + 220);
	}
}

struct want {
	int32_t date;
	int kind;
	const char *name;
	bool announced;
};

static void check_suggestion(int year, const struct want *w, size_t nw)
{
	struct ts_arena a;
	struct ts_cal_day *days = NULL;
	size_t n = 0;

	ts_arena_init(&a, 0);
	assert_int_equal(ts_cal_suggest_year(year, &a, &days, &n), 0);
	for (size_t i = 0; i < n && i < nw; i++) {
		if (days[i].date != w[i].date || days[i].kind != w[i].kind)
			fail_msg("year %d item %zu: got %d %s, want %d %s", year, i, days[i].date,
				 ts_cal_kind_name(days[i].kind), w[i].date,
				 ts_cal_kind_name(w[i].kind));
		assert_string_equal(days[i].name, w[i].name);
		assert_int_equal(ts_cal_is_announced(days[i].date, days[i].kind), w[i].announced);
	}
	assert_int_equal(n, nw);
	ts_arena_release(&a);
}

#define HOL TS_DAY_HOLIDAY
#define COMP TS_DAY_COMPENSATORY

static void test_suggestion_2025_uses_the_announced_tet_break(void **state)
{
	/* Tết break Sat 25 Jan - Sun 2 Feb: weekdays 27-31 Jan; no other holiday on a weekend
	 * (1 Jan Wed, Giỗ Tổ Mon 7 Apr, 30 Apr Wed, 1 May Thu, 1-2 Sep Mon-Tue); no 24 Nov yet */
	static const struct want w[] = {
	    {20250101, HOL, "Tết Dương lịch", false},
	    {20250127, HOL, "Tết Nguyên đán", true},
	    {20250128, HOL, "Tết Nguyên đán", true},
	    {20250129, HOL, "Tết Nguyên đán", true},
	    {20250130, HOL, "Tết Nguyên đán", true},
	    {20250131, HOL, "Tết Nguyên đán", true},
	    {20250407, HOL, "Giỗ Tổ Hùng Vương", false},
	    {20250430, HOL, "Ngày Chiến thắng 30/4", false},
	    {20250501, HOL, "Ngày Quốc tế Lao động", false},
	    {20250901, HOL, "Quốc khánh 2/9", false},
	    {20250902, HOL, "Quốc khánh 2/9", false},
	};
	(void)state;
	check_suggestion(2025, w, sizeof(w) / sizeof(w[0]));
}

static void test_suggestion_2026_has_tet_gio_to_compensation_and_culture_day(void **state)
{
	/* Tết Mon 16 - Fri 20 Feb; Giỗ Tổ Sun 26 Apr -> Mon 27 Apr (both announced);
	 * 30 Apr Thu, 1 May Fri, 1-2 Sep Tue-Wed, 24 Nov Tue (new from 2026) */
	static const struct want w[] = {
	    {20260101, HOL, "Tết Dương lịch", false},
	    {20260216, HOL, "Tết Nguyên đán", true},
	    {20260217, HOL, "Tết Nguyên đán", true},
	    {20260218, HOL, "Tết Nguyên đán", true},
	    {20260219, HOL, "Tết Nguyên đán", true},
	    {20260220, HOL, "Tết Nguyên đán", true},
	    {20260426, HOL, "Giỗ Tổ Hùng Vương", true},
	    {20260427, COMP, "Nghỉ bù Giỗ Tổ Hùng Vương", true},
	    {20260430, HOL, "Ngày Chiến thắng 30/4", false},
	    {20260501, HOL, "Ngày Quốc tế Lao động", false},
	    {20260901, HOL, "Quốc khánh 2/9", false},
	    {20260902, HOL, "Quốc khánh 2/9", false},
	    {20261124, HOL, "Ngày Văn hóa Việt Nam", false},
	};
	(void)state;
	check_suggestion(2026, w, sizeof(w) / sizeof(w[0]));
}

static void test_suggestion_2027_compensates_weekend_holidays(void **state)
{
	/* Tết: mùng 1 Sat 6 Feb, so Fri 5 (last day of the old year) - Tue 9 Feb; Sat 6 and
	 * Sun 7 give Wed 10 and Thu 11. Giỗ Tổ Fri 16 Apr. 30 Apr Fri; 1 May Sat -> Mon 3 May.
	 * 1-2 Sep Wed-Thu, 24 Nov Wed. */
	static const struct want w[] = {
	    {20270101, HOL, "Tết Dương lịch", false},
	    {20270205, HOL, "Tết Nguyên đán", false},
	    {20270206, HOL, "Tết Nguyên đán", false},
	    {20270207, HOL, "Tết Nguyên đán", false},
	    {20270208, HOL, "Tết Nguyên đán", false},
	    {20270209, HOL, "Tết Nguyên đán", false},
	    {20270210, COMP, "Nghỉ bù Tết Nguyên đán", false},
	    {20270211, COMP, "Nghỉ bù Tết Nguyên đán", false},
	    {20270416, HOL, "Giỗ Tổ Hùng Vương", false},
	    {20270430, HOL, "Ngày Chiến thắng 30/4", false},
	    {20270501, HOL, "Ngày Quốc tế Lao động", false},
	    {20270503, COMP, "Nghỉ bù Ngày Quốc tế Lao động", false},
	    {20270901, HOL, "Quốc khánh 2/9", false},
	    {20270902, HOL, "Quốc khánh 2/9", false},
	    {20271124, HOL, "Ngày Văn hóa Việt Nam", false},
	};
	(void)state;
	check_suggestion(2027, w, sizeof(w) / sizeof(w[0]));
}

static void test_suggestion_new_year_on_saturday_gives_monday(void **state)
{
	struct ts_arena a;
	struct ts_cal_day *days = NULL;
	size_t n = 0;
	(void)state;
	/* 1 Jan 2028 is a Saturday: compensatory Monday 3 Jan */
	ts_arena_init(&a, 0);
	assert_int_equal(ts_cal_suggest_year(2028, &a, &days, &n), 0);
	assert_true(n >= 2);
	assert_int_equal(days[0].date, 20280101);
	assert_int_equal(days[1].date, 20280103);
	assert_int_equal(days[1].kind, TS_DAY_COMPENSATORY);
	assert_int_equal(ts_cal_suggest_year(1800, &a, &days, &n), TS_ERR_VALIDATION);
	ts_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lunar_known_tet_dates),
	    cmocka_unit_test(test_lunar_known_gio_to_dates),
	    cmocka_unit_test(test_lunar_vietnam_utc7_differs_from_china_utc8),
	    cmocka_unit_test(test_lunar_known_leap_months),
	    cmocka_unit_test(test_lunar_round_trips_every_day_1900_to_2100),
	    cmocka_unit_test(test_lunar_tet_falls_between_21_jan_and_20_feb),
	    cmocka_unit_test(test_suggestion_2025_uses_the_announced_tet_break),
	    cmocka_unit_test(test_suggestion_2026_has_tet_gio_to_compensation_and_culture_day),
	    cmocka_unit_test(test_suggestion_2027_compensates_weekend_holidays),
	    cmocka_unit_test(test_suggestion_new_year_on_saturday_gives_monday),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
