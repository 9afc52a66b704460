/* test_outbox_rules.c - unit tests of the integration rules that need no store: the
 * outbox's exponential backoff with jitter (src/outbox) and the national-portal mapping of
 * statuses and timestamps, yyyyMMddHHmmss in UTC+7 (src/dvcqg, DOMAIN.md §4, §6), and the
 * notification templates' placeholders (src/outbox/notify.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dvcqg/dvcqg.h"
#include "base/arena.h"
#include "outbox/notify.h"
#include "outbox/outbox.h"

static void test_backoff_doubles_from_the_base_up_to_the_cap(void **state)
{
	(void)state;
	/* r = 0.999999: the top of the jitter window, i.e. the full delay */
	assert_true(ts_outbox_backoff_ms(1, 1000, 3600, 0.999999) >= 999);
	assert_true(ts_outbox_backoff_ms(1, 1000, 3600, 0.999999) <= 1000);
	assert_true(ts_outbox_backoff_ms(2, 1000, 3600, 0.999999) >= 1999);
	assert_true(ts_outbox_backoff_ms(5, 1000, 3600, 0.999999) >= 15999);
	assert_true(ts_outbox_backoff_ms(5, 1000, 3600, 0.999999) <= 16000);
	/* capped: 2^40 seconds would overflow without the cap */
	assert_true(ts_outbox_backoff_ms(60, 1000, 60, 0.999999) <= 60000);
	assert_true(ts_outbox_backoff_ms(60, 1000, 60, 0.999999) >= 59999);
}

static void test_backoff_jitter_stays_in_the_upper_half(void **state)
{
	(void)state;
	/* equal jitter: a uniform draw in [d/2, d] so that nodes retrying together spread */
	assert_int_equal(ts_outbox_backoff_ms(3, 1000, 3600, 0.0), 2000);
	assert_int_equal(ts_outbox_backoff_ms(3, 1000, 3600, 0.5), 3000);
	assert_true(ts_outbox_backoff_ms(3, 1000, 3600, 0.999999) <= 4000);
	/* out-of-range draws are clamped */
	assert_int_equal(ts_outbox_backoff_ms(3, 1000, 3600, -1.0), 2000);
	assert_true(ts_outbox_backoff_ms(3, 1000, 3600, 7.0) <= 4000);
}

static void test_national_timestamp_is_utc_plus_7(void **state)
{
	char buf[32];
	(void)state;
	/* 2026-02-16 17:30:05 UTC is 2026-02-17 00:30:05 in Vietnam (mùng 1 Tết 2026) */
	ts_dvcqg_timestamp(1771263005, buf, sizeof(buf));
	assert_string_equal(buf, "20260217003005");
	/* the epoch itself */
	ts_dvcqg_timestamp(1, buf, sizeof(buf));
	assert_string_equal(buf, "19700101070001");
	/* no time yet: empty, sent as null */
	ts_dvcqg_timestamp(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_national_status_codes_are_the_1_to_10_table(void **state)
{
	(void)state;
	for (int s = 1; s <= 10; s++)
		assert_int_equal(ts_dvcqg_status_code(s), s);
	assert_int_equal(ts_dvcqg_status_code(0), 0);
	assert_int_equal(ts_dvcqg_status_code(11), 0);
	assert_int_equal(ts_dvcqg_status_code(-3), 0);
}

static void test_notification_template_fills_known_placeholders_only(void **state)
{
	struct ts_arena a;
	struct ts_notify_vars v = {.code = "000.00.31.H99-261122-0001", .name = "Đỗ Thị Hằng",
				   .due = "16:30 27/11/2026", .reason = NULL};
	(void)state;
	ts_arena_init(&a, 1 << 16);
	assert_string_equal(ts_notify_render(&a, "Kính gửi {name}: hồ sơ {code}, hẹn {due}.", &v),
			    "Kính gửi Đỗ Thị Hằng: hồ sơ 000.00.31.H99-261122-0001, hẹn 16:30 27/11/2026.");
	/* a missing value is empty; unknown or unclosed braces stay as written */
	assert_string_equal(ts_notify_render(&a, "[{reason}] {khac} {code", &v), "[] {khac} {code");
	assert_string_equal(ts_notify_render(&a, "", &v), "");
	ts_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_doubles_from_the_base_up_to_the_cap),
	    cmocka_unit_test(test_backoff_jitter_stays_in_the_upper_half),
	    cmocka_unit_test(test_national_timestamp_is_utc_plus_7),
	    cmocka_unit_test(test_national_status_codes_are_the_1_to_10_table),
	    cmocka_unit_test(test_notification_template_fills_known_placeholders_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
