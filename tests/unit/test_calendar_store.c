/* test_calendar_store.c - the stored calendar on a real, migrated SQLite store: the seeded
 * 2025-2027 rows equal the suggestion, deadlines through the CLI hook, setting and deleting
 * days (with reload), filling a year while keeping admins' edits, office hours, permissions
 * and audit rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "calendar/calendar.h"
#include "iam/iam.h"

#include "store_fixture.h"

struct fixture {
	char dir[64];
	struct ts_db *db;
	struct ts_arena arena;
	struct ts_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_db_options opt = {.pool_size = 2, .busy_timeout_ms = 2000, .max_retries = 3};

	assert_non_null(f);
	test_store_open(f->dir, "test_calendar_store", &opt, &f->db);
	ts_arena_init(&f->arena, 0);
	ts_ctx_init_cli(&f->ctx, f->db, &f->arena);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_arena_release(&f->arena);
	test_store_remove(f->db, f->dir);
	free(f);
	return 0;
}

static struct ts_calendar load(struct fixture *f, int from, int to)
{
	struct ts_calendar c;
	struct ts_error err = {0};
	if (ts_cal_get(f->db, &f->arena, from, to, &c, &err))
		fail_msg("load: %s", err.detail);
	return c;
}

static void test_calendar_store_seed_equals_suggestion_2025_to_2027(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	size_t total = 0;

	for (int y = 2025; y <= 2027; y++) {
		struct ts_cal_day_row *rows = NULL;
		struct ts_cal_day *want = NULL;
		size_t n = 0, nw = 0;

		assert_int_equal(ts_cal_days_list(&f->ctx, y, &rows, &n, &err), 0);
		assert_int_equal(ts_cal_suggest_year(y, &f->arena, &want, &nw), 0);
		assert_int_equal(n, nw);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(rows[i].day.date, want[i].date);
			assert_int_equal(rows[i].day.kind, want[i].kind);
			assert_string_equal(rows[i].day.name, want[i].name);
			assert_string_equal(rows[i].source,
					    ts_cal_is_announced(want[i].date, want[i].kind)
						? "announced"
						: "computed");
		}
		total += n;
	}
	/* 11 + 13 + 15 rows, as counted in test_calendar_lunar */
	assert_int_equal(total, 39);
}

static void test_calendar_store_loads_default_hours_and_days(void **state)
{
	struct fixture *f = *state;
	struct ts_calendar c = load(f, 2026, 2026);

	assert_int_equal(c.am_start, 420);
	assert_int_equal(c.am_end, 690);
	assert_int_equal(c.pm_start, 810);
	assert_int_equal(c.pm_end, 1020);
	assert_int_equal(c.weekdays, 0x1f);
	assert_int_equal(c.cutoff_minute, 900);
	assert_int_equal(c.ndays, 13);
	assert_false(ts_cal_is_working_day(&c, 20260427));
	assert_true(ts_cal_is_working_day(&c, 20260428));
}

static void test_calendar_store_cli_due_across_tet_2026(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	char out[TS_CAL_ISO_LEN];

	/* Fri 13 Feb 16:00 + 1 working day: 1 h Friday, then Mon 23 Feb 4.5 h + 2.5 h */
	assert_int_equal(ts_cal_cli_due(f->db, "2026-02-13T16:00:00+07:00", "1", "working_days",
					false, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "2026-02-23T16:00:00+07:00");
	/* with the 15:00 rule counting starts Mon 23 Feb 07:00 */
	assert_int_equal(ts_cal_cli_due(f->db, "2026-02-13T16:00:00+07:00", "1", "working_days",
					true, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "2026-02-23T17:00:00+07:00");
	assert_int_equal(ts_cal_cli_due(f->db, "2026-04-23T10:00:00+07:00", "4", "calendar_days",
					false, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "2026-04-28T17:00:00+07:00");
	assert_int_equal(
	    ts_cal_cli_due(f->db, "2026-02-13T16:00", "1", "weeks", false, out, sizeof(out), &err),
	    TS_ERR_VALIDATION);
	assert_string_equal(err.field, "unit");
	ts_error_clear(&err);
	assert_int_equal(ts_cal_cli_due(f->db, "2026-02-13T16:00", "1.5", "working_hours", false,
					out, sizeof(out), &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "amount");
	ts_error_clear(&err);
	assert_int_equal(ts_cal_cli_due(f->db, "13/02/2026", "1", "working_hours", false, out,
					sizeof(out), &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "from");
}

static void test_calendar_store_set_and_delete_a_day_then_reload(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_calendar c;
	int audited = f->ctx.audited;

	/* Mon 2 Mar 2026 swapped off, Sat 7 Mar worked in exchange */
	assert_int_equal(
	    ts_cal_day_set(&f->ctx, 20260302, TS_DAY_SWAPPED_OFF, "Nghỉ hoán đổi", &err), 0);
	assert_int_equal(ts_cal_day_set(&f->ctx, 20260307, TS_DAY_SWAPPED_WORKING, "Làm bù", &err),
			 0);
	c = load(f, 2026, 2026);
	assert_int_equal(c.ndays, 15);
	assert_false(ts_cal_is_working_day(&c, 20260302));
	assert_true(ts_cal_is_working_day(&c, 20260307));
	assert_string_equal(ts_cal_find(&c, 20260307)->name, "Làm bù");
	/* a Monday cannot be a swapped working day, a Sunday cannot be swapped off */
	assert_int_equal(ts_cal_day_set(&f->ctx, 20260309, TS_DAY_SWAPPED_WORKING, NULL, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "kind");
	ts_error_clear(&err);
	assert_int_equal(ts_cal_day_set(&f->ctx, 20260308, TS_DAY_SWAPPED_OFF, NULL, &err),
			 TS_ERR_VALIDATION);
	ts_error_clear(&err);
	assert_int_equal(ts_cal_day_set(&f->ctx, 20260230, TS_DAY_HOLIDAY, NULL, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "date");
	ts_error_clear(&err);

	assert_int_equal(ts_cal_day_delete(&f->ctx, 20260302, &err), 0);
	c = load(f, 2026, 2026);
	assert_true(ts_cal_is_working_day(&c, 20260302));
	assert_int_equal(ts_cal_day_delete(&f->ctx, 20260302, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.field, "date");
	assert_int_equal(f->ctx.audited, audited + 3);
}

static void test_calendar_store_fill_year_keeps_admin_edits(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_cal_day_row *rows = NULL;
	size_t n = 0;
	int written = -1;

	assert_int_equal(ts_cal_day_set(&f->ctx, 20270101, TS_DAY_HOLIDAY, "Năm mới (sửa)", &err),
			 0);
	assert_int_equal(ts_cal_day_delete(&f->ctx, 20270210, &err), 0);
	assert_int_equal(ts_cal_fill_year(&f->ctx, 2027, &written, &err), 0);
	assert_int_equal(written, 14); /* 15 suggested, 1 Jan kept as the admin set it */
	assert_int_equal(ts_cal_days_list(&f->ctx, 2027, &rows, &n, &err), 0);
	assert_int_equal(n, 15);
	assert_int_equal(rows[0].day.date, 20270101);
	assert_string_equal(rows[0].source, "admin");
	assert_string_equal(rows[0].day.name, "Năm mới (sửa)");
	assert_int_equal(rows[6].day.date, 20270210);
	assert_string_equal(rows[6].source, "computed");
	/* a year never seeded */
	assert_int_equal(ts_cal_fill_year(&f->ctx, 2030, &written, &err), 0);
	assert_true(written >= 11);
	assert_int_equal(ts_cal_fill_year(&f->ctx, 1800, &written, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "year");
}

static void test_calendar_store_office_hours_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_calendar h, c;
	char out[TS_CAL_ISO_LEN];

	ts_cal_default(&h);
	h.pm_end = 16 * 60 + 30;
	assert_int_equal(ts_cal_hours_set(&f->ctx, &h, &err), 0);
	c = load(f, 2026, 2026);
	assert_int_equal(c.pm_end, 990);
	/* Mon 2 Feb 16:00 + 1 h: 0.5 h Monday, 0.5 h Tuesday */
	assert_int_equal(ts_cal_cli_due(f->db, "2026-02-02T16:00:00+07:00", "1", "working_hours",
					false, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "2026-02-03T07:30:00+07:00");
	h.pm_start = 10 * 60;
	assert_int_equal(ts_cal_hours_set(&f->ctx, &h, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "am_end");
}

static void test_calendar_store_mutations_need_province_wide_org_write(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_ctx anon;
	struct ts_calendar h;

	memset(&anon, 0, sizeof(anon));
	anon.db = f->db;
	anon.arena = &f->arena;
	anon.client_addr = "127.0.0.1";
	assert_int_equal(ts_cal_day_set(&anon, 20260302, TS_DAY_SWAPPED_OFF, NULL, &err),
			 TS_ERR_FORBIDDEN);
	ts_error_clear(&err);
	assert_int_equal(ts_cal_day_delete(&anon, 20260101, &err), TS_ERR_FORBIDDEN);
	ts_error_clear(&err);
	assert_int_equal(ts_cal_fill_year(&anon, 2028, NULL, &err), TS_ERR_FORBIDDEN);
	ts_error_clear(&err);
	ts_cal_default(&h);
	assert_int_equal(ts_cal_hours_set(&anon, &h, &err), TS_ERR_FORBIDDEN);
	assert_int_equal(anon.audited, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_calendar_store_seed_equals_suggestion_2025_to_2027,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_calendar_store_loads_default_hours_and_days, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_calendar_store_cli_due_across_tet_2026, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_calendar_store_set_and_delete_a_day_then_reload,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_calendar_store_fill_year_keeps_admin_edits, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_calendar_store_office_hours_round_trip, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_calendar_store_mutations_need_province_wide_org_write, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
