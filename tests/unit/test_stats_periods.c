/* test_stats_periods.c - the pure parts of statistics: local day numbers (UTC+7), Decree 09
 * report periods with their cut-off days, period parsing, the Decision 766 score rule,
 * report-06 row identities, and the XLSX / PDF exports of a report built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "calendar/calendar.h"
#include "forms/forms.h"
#include "org/org.h"
#include "stats/stats.h"

static int ymd(int64_t day)
{
	return ts_stats_day_ymd(day);
}

static void test_local_days_follow_vietnam_midnight(void **state)
{
	(void)state;
	/* 2026-02-16 23:59:59 +07 and 2026-02-17 00:00:00 +07 (mùng 1 Tết) */
	struct tm a = {.tm_year = 126, .tm_mon = 1, .tm_mday = 16, .tm_hour = 16, .tm_min = 59, .tm_sec = 59};
	int64_t t = (int64_t)timegm(&a);
	assert_int_equal(ymd(ts_stats_day_of(t)), 20260216);
	assert_int_equal(ymd(ts_stats_day_of(t + 1)), 20260217);
	assert_int_equal(ts_stats_day_start(ts_stats_day_of(t + 1)), t + 1);
	assert_int_equal(ts_stats_day_from_ymd(2026, 2, 17), ts_stats_day_of(t + 1));
	assert_int_equal(ts_stats_day_from_ymd(2026, 2, 29), -1);
	assert_int_equal(ymd(ts_stats_day_from_ymd(2024, 2, 29)), 20240229);
}

static void test_decree09_periods_cut_off_on_the_14th(void **state)
{
	struct ts_stats_period p;
	struct ts_error err = {0};
	(void)state;
	assert_int_equal(ts_stats_period_make(TS_PERIOD_MONTH, 2026, 1, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20251215);
	assert_int_equal(ymd(p.to_day), 20260114);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_MONTH, 2026, 3, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20260215);
	assert_int_equal(ymd(p.to_day), 20260314);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_QUARTER, 2026, 1, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20251215);
	assert_int_equal(ymd(p.to_day), 20260314);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_QUARTER, 2026, 4, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20260915);
	assert_int_equal(ymd(p.to_day), 20261214);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_HALF, 2026, 1, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20251215);
	assert_int_equal(ymd(p.to_day), 20260614);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_HALF, 2026, 2, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20260615);
	assert_int_equal(ymd(p.to_day), 20261214);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_YEAR, 2026, 1, &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20251215);
	assert_int_equal(ymd(p.to_day), 20261214);
	assert_non_null(strstr(p.label, "15/12/2025 - 14/12/2026"));
	assert_int_equal(ts_stats_period_make(TS_PERIOD_QUARTER, 2026, 5, &p, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "period");
}

static void test_consecutive_months_tile_the_year(void **state)
{
	struct ts_stats_period y, m, prev;
	(void)state;
	assert_int_equal(ts_stats_period_make(TS_PERIOD_YEAR, 2025, 1, &y, NULL), 0);
	for (int i = 1; i <= 12; i++) {
		assert_int_equal(ts_stats_period_make(TS_PERIOD_MONTH, 2025, i, &m, NULL), 0);
		if (i == 1)
			assert_int_equal(m.from_day, y.from_day);
		else
			assert_int_equal(m.from_day, prev.to_day + 1);
		prev = m;
	}
	assert_int_equal(prev.to_day, y.to_day);
}

static void test_the_period_containing_a_day(void **state)
{
	struct ts_stats_period p;
	(void)state;
	ts_stats_period_containing(TS_PERIOD_MONTH, ts_stats_day_from_ymd(2026, 3, 14), &p);
	assert_int_equal(p.index, 3);
	ts_stats_period_containing(TS_PERIOD_MONTH, ts_stats_day_from_ymd(2026, 3, 15), &p);
	assert_int_equal(p.index, 4);
	ts_stats_period_containing(TS_PERIOD_YEAR, ts_stats_day_from_ymd(2025, 12, 20), &p);
	assert_int_equal(p.year, 2026);
	ts_stats_period_containing(TS_PERIOD_QUARTER, ts_stats_day_from_ymd(2026, 6, 14), &p);
	assert_int_equal(p.index, 2);
	ts_stats_period_containing(TS_PERIOD_HALF, ts_stats_day_from_ymd(2026, 6, 15), &p);
	assert_int_equal(p.index, 2);
}

static void test_report_months_are_the_decree_months(void **state)
{
	struct ts_stats_period p;
	(void)state;
	for (int m = 1; m <= 12; m++) {
		int64_t rm;
		assert_int_equal(ts_stats_period_make(TS_PERIOD_MONTH, 2026, m, &p, NULL), 0);
		rm = ts_stats_rm_of_day(p.from_day);
		assert_int_equal(rm, 2026 * 12 + m - 1);
		assert_int_equal(ts_stats_rm_of_day(p.to_day), rm);
		assert_int_equal(ts_stats_rm_first_day(rm), p.from_day);
		assert_int_equal(ts_stats_rm_last_day(rm), p.to_day);
		assert_int_equal(ts_stats_rm_of_day(p.to_day + 1), rm + 1);
	}
}

static void test_period_parsing(void **state)
{
	struct ts_stats_period p;
	struct ts_error err = {0};
	(void)state;
	assert_int_equal(ts_stats_period_parse("month:2026-03", &p, &err), 0);
	assert_int_equal(p.kind, TS_PERIOD_MONTH);
	assert_int_equal(ymd(p.to_day), 20260314);
	assert_int_equal(ts_stats_period_parse("quarter:2026-2", &p, &err), 0);
	assert_int_equal(ymd(p.from_day), 20260315);
	assert_int_equal(ts_stats_period_parse("half:2026-1", &p, &err), 0);
	assert_int_equal(ts_stats_period_parse("year:2026", &p, &err), 0);
	assert_int_equal(ts_stats_period_parse("2026-01-01..2026-01-31", &p, &err), 0);
	assert_int_equal(p.kind, TS_PERIOD_CUSTOM);
	assert_int_equal(p.to_day - p.from_day, 30);
	static const char *const bad[] = {"", "month:2026", "month:2026-13", "year:2026-1", "week:1",
					  "2026-02-30..2026-03-01", "2026-03-01..2026-02-01",
					  "2020-01-01..2026-01-01", "quarter:20x6-1", "month:2026-003"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ts_error_clear(&err);
		assert_int_equal(ts_stats_period_parse(bad[i], &p, &err), TS_ERR_VALIDATION);
		assert_string_equal(err.field, "period");
	}
}

static void test_index_score_rule(void **state)
{
	(void)state;
	/* threshold 50 %: full at or above, proportional below */
	assert_true(ts_stats_index_score(0.5, 12, 5000) == 12.0);
	assert_true(ts_stats_index_score(0.9, 12, 5000) == 12.0);
	assert_true(ts_stats_index_score(0.25, 12, 5000) == 6.0);
	/* linear, rounded to 2 decimals */
	assert_true(ts_stats_index_score(2.0 / 3.0, 20, 0) == 13.33);
	assert_true(ts_stats_index_score(1.0, 20, 0) == 20.0);
	assert_true(ts_stats_index_score(0.0, 6, 9000) == 0.0);
	assert_true(ts_stats_index_score(0.45, 6, 9000) == 3.0);
}

static struct ts_stats_row row_of(int64_t online, int64_t direct, int64_t carried, int64_t e,
				  int64_t o, int64_t l, int64_t in, int64_t over, int64_t s_in,
				  int64_t s_over, int64_t stopped, int64_t withdrawn)
{
	struct ts_stats_row r = {0};
	int64_t *c = r.cell;
	c[TS_CELL_RECEIVED_ONLINE] = online;
	c[TS_CELL_RECEIVED_DIRECT] = direct;
	c[TS_CELL_CARRIED_OVER] = carried;
	c[TS_CELL_RECEIVED] = online + direct + carried;
	c[TS_CELL_RESOLVED_EARLY] = e;
	c[TS_CELL_RESOLVED_ON_TIME] = o;
	c[TS_CELL_RESOLVED_LATE] = l;
	c[TS_CELL_RESOLVED] = e + o + l;
	c[TS_CELL_IN_PROGRESS_WITHIN] = in;
	c[TS_CELL_IN_PROGRESS_OVERDUE] = over;
	c[TS_CELL_IN_PROGRESS] = in + over;
	c[TS_CELL_SUSPENDED_WITHIN] = s_in;
	c[TS_CELL_SUSPENDED_OVERDUE] = s_over;
	c[TS_CELL_SUSPENDED] = s_in + s_over;
	c[TS_CELL_STOPPED] = stopped;
	c[TS_CELL_WITHDRAWN] = withdrawn;
	return r;
}

static void test_row_identities(void **state)
{
	struct ts_stats_row r = row_of(5, 4, 3, 2, 3, 1, 2, 1, 1, 0, 1, 1);
	(void)state;
	assert_true(ts_stats_row_consistent(&r));
	r.cell[TS_CELL_RESOLVED_LATE]++;
	assert_false(ts_stats_row_consistent(&r));
	r = row_of(5, 4, 3, 2, 3, 1, 2, 1, 1, 0, 1, 1);
	r.cell[TS_CELL_RECEIVED_POST] = 5; /* more by post than direct + post */
	assert_false(ts_stats_row_consistent(&r));
	r = row_of(1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0); /* received 1 but 2 in progress */
	assert_false(ts_stats_row_consistent(&r));
}

static void test_levels_from_unit_kinds(void **state)
{
	(void)state;
	assert_int_equal(ts_stats_level_of_kind(TS_UNIT_KIND_COMMUNE), TS_LEVEL_COMMUNE);
	assert_int_equal(ts_stats_level_of_kind(TS_UNIT_KIND_WARD), TS_LEVEL_COMMUNE);
	assert_int_equal(ts_stats_level_of_kind(TS_UNIT_KIND_SPECIAL_ZONE), TS_LEVEL_COMMUNE);
	assert_int_equal(ts_stats_level_of_kind(TS_UNIT_KIND_DEPARTMENT), TS_LEVEL_PROVINCE);
	assert_int_equal(ts_stats_level_of_kind(TS_UNIT_KIND_ONE_STOP), TS_LEVEL_PROVINCE);
	assert_int_equal(ts_stats_cell_parse("in_progress_overdue"), TS_CELL_IN_PROGRESS_OVERDUE);
	assert_int_equal(ts_stats_cell_parse("nope"), -1);
}

static void test_exports_render_a_report(void **state)
{
	struct ts_arena a;
	struct ts_error err = {0};
	struct ts_stats_report r = {0};
	struct ts_stats_row rows[40];
	char *bytes = NULL;
	size_t len = 0;
	(void)state;

	ts_arena_init(&a, 0);
	assert_int_equal(ts_stats_period_make(TS_PERIOD_QUARTER, 2026, 1, &r.period, &err), 0);
	r.unit_name = "Ủy ban nhân dân tỉnh Sông Xanh";
	r.unit_code = "000.00.00.H99";
	for (int i = 0; i < 40; i++) { /* more rows than one page holds */
		rows[i] = row_of(i, 2 * i, 3, i, i, 1, 2, 1, 1, 0, 0, 1);
		rows[i].level = i < 25 ? TS_LEVEL_PROVINCE : TS_LEVEL_COMMUNE;
		rows[i].field_code = "F";
		rows[i].field_name = i % 2 ? "Hộ tịch" : "Chứng thực, đăng ký giao dịch bảo đảm và quốc tịch";
		r.level_present[rows[i].level] = true;
		for (int c = 0; c < TS_CELL__COUNT; c++) {
			r.level_total[rows[i].level].cell[c] += rows[i].cell[c];
			r.total.cell[c] += rows[i].cell[c];
		}
	}
	r.rows = rows;
	r.nrows = 40;
	assert_int_equal(ts_stats_report_xlsx(&a, &r, &bytes, &len, &err), 0);
	assert_true(len > 1000);
	assert_memory_equal(bytes, "PK\x03\x04", 4);
	assert_int_equal(ts_stats_report_pdf(&a, &r, ts_stats_pdf_font(), &bytes, &len, &err), 0);
	assert_true(len > 1000);
	assert_memory_equal(bytes, "%PDF-", 5);
	if (getenv("TS_STATS_PDF_OUT")) {
		FILE *f = fopen(getenv("TS_STATS_PDF_OUT"), "wb");
		assert_non_null(f);
		fwrite(bytes, 1, len, f);
		fclose(f);
	}
	/* a missing font is a configuration error, not a crash */
	ts_error_clear(&err);
	assert_int_equal(ts_stats_report_pdf(&a, &r, "/nonexistent/fonts", &bytes, &len, &err),
			 TS_ERR_CONFIG);
	ts_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_local_days_follow_vietnam_midnight),
	    cmocka_unit_test(test_decree09_periods_cut_off_on_the_14th),
	    cmocka_unit_test(test_consecutive_months_tile_the_year),
	    cmocka_unit_test(test_the_period_containing_a_day),
	    cmocka_unit_test(test_report_months_are_the_decree_months),
	    cmocka_unit_test(test_period_parsing),
	    cmocka_unit_test(test_index_score_rule),
	    cmocka_unit_test(test_row_identities),
	    cmocka_unit_test(test_levels_from_unit_kinds),
	    cmocka_unit_test(test_exports_render_a_report),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	ts_forms_shutdown(); /* the font caches of the PDF renderer */
	return failed;
}
