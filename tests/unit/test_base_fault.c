/* test_base_fault.c - the fault injection of test builds (base/fault.c): spec parsing, the
 * Nth event of a kind failing once or from then on, per thread only, through the real
 * allocation wrappers. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/mem.h"

static void test_fault_spec_parses_kind_count_and_stickiness(void **state)
{
	(void)state;
	struct ts_fault f;
	assert_int_equal(ts_fault_parse("alloc:0", &f), 0);
	assert_int_equal(f.kind, TS_FAULT_ALLOC);
	assert_int_equal(f.n, 0);
	assert_false(f.sticky);
	assert_int_equal(ts_fault_parse("query:17+", &f), 0);
	assert_int_equal(f.kind, TS_FAULT_QUERY);
	assert_int_equal(f.n, 17);
	assert_true(f.sticky);
	const char *bad[] = {"",
			     "alloc",
			     "alloc:",
			     "alloc:-1",
			     "alloc:x",
			     "alloc:1x",
			     "alloc:1++",
			     "disk:1",
			     "query:99999999999999999999",
			     "alloc:1000001",
			     " alloc:1",
			     NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(ts_fault_parse(bad[i], &f), TS_ERR_VALIDATION);
	assert_int_equal(ts_fault_parse(NULL, &f), TS_ERR_VALIDATION);
}

static void test_fault_fails_the_nth_allocation_once(void **state)
{
	(void)state;
	if (!ts_fault_available()) {
		skip();
		return;
	}
	struct ts_fault f = {TS_FAULT_ALLOC, 2, false};
	ts_fault_arm(&f);
	void *p[5];
	for (int i = 0; i < 5; i++)
		p[i] = ts_malloc(16);
	assert_false(ts_fault_hit(TS_FAULT_QUERY)); /* the other kind is not counted */
	assert_int_equal(ts_fault_disarm(), 1);
	assert_non_null(p[0]);
	assert_non_null(p[1]);
	assert_null(p[2]);
	assert_non_null(p[3]);
	assert_non_null(p[4]);
	for (int i = 0; i < 5; i++)
		ts_free(p[i]);
	/* disarmed: nothing fails */
	void *q = ts_malloc(16);
	assert_non_null(q);
	ts_free(q);
}

static void test_fault_sticky_fails_from_the_nth_on(void **state)
{
	(void)state;
	if (!ts_fault_available()) {
		skip();
		return;
	}
	struct ts_fault f = {TS_FAULT_QUERY, 1, true};
	ts_fault_arm(&f);
	assert_false(ts_fault_hit(TS_FAULT_QUERY));
	assert_true(ts_fault_hit(TS_FAULT_QUERY));
	assert_true(ts_fault_hit(TS_FAULT_QUERY));
	assert_true(ts_fault_hit(TS_FAULT_QUERY));
	assert_int_equal(ts_fault_disarm(), 3);
	assert_false(ts_fault_hit(TS_FAULT_QUERY));
}

static void *other_thread(void *arg)
{
	int *failed = arg;
	for (int i = 0; i < 10; i++) {
		void *p = ts_malloc(8);
		if (!p)
			(*failed)++;
		ts_free(p);
	}
	return NULL;
}

static void test_fault_touches_only_the_armed_thread(void **state)
{
	(void)state;
	if (!ts_fault_available()) {
		skip();
		return;
	}
	struct ts_fault f = {TS_FAULT_ALLOC, 0, true};
	ts_fault_arm(&f);
	int failed = 0;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, other_thread, &failed), 0);
	pthread_join(t, NULL);
	void *mine = ts_malloc(8);
	assert_int_equal(ts_fault_disarm(), 1);
	assert_null(mine);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fault_spec_parses_kind_count_and_stickiness),
	    cmocka_unit_test(test_fault_fails_the_nth_allocation_once),
	    cmocka_unit_test(test_fault_sticky_fails_from_the_nth_on),
	    cmocka_unit_test(test_fault_touches_only_the_armed_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
