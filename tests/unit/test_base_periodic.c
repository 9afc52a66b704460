/* test_base_periodic.c - the maintenance thread of base/periodic.c (the held files' re-scan,
 * the idempotency-key purge): it runs its job once per interval, not before the first
 * interval, stops at once even in the middle of a wait, runs nothing after the stop, and a
 * second start while running changes nothing. Waits are on a condition with a deadline. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "base/periodic.h"

struct counter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int runs;
	void *arg_seen;
};

static struct counter ctr = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL};

static void count_run(void *arg)
{
	pthread_mutex_lock(&ctr.mu);
	ctr.runs++;
	ctr.arg_seen = arg;
	pthread_cond_broadcast(&ctr.cv);
	pthread_mutex_unlock(&ctr.mu);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits until the job ran at least n times or deadline_s passed; returns the count. */
static int wait_runs(int n, double deadline_s)
{
	struct timespec until;
	int runs;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)deadline_s;
	pthread_mutex_lock(&ctr.mu);
	while (ctr.runs < n && pthread_cond_timedwait(&ctr.cv, &ctr.mu, &until) == 0)
		;
	runs = ctr.runs;
	pthread_mutex_unlock(&ctr.mu);
	return runs;
}

static void test_runs_every_interval_with_its_argument(void **state)
{
	(void)state;
	struct ts_periodic p = TS_PERIODIC_INIT;
	int token = 7;
	double t0 = now_s();

	ctr.runs = 0;
	assert_int_equal(ts_periodic_start(&p, 1, count_run, &token), 0);
	assert_true(p.running);
	/* a second start while running is a no-op */
	assert_int_equal(ts_periodic_start(&p, 1000, count_run, NULL), 0);
	assert_int_equal(wait_runs(2, 10), 2);
	/* two runs take at least two intervals: nothing runs before the first one */
	assert_true(now_s() - t0 >= 1.9);
	assert_ptr_equal(ctr.arg_seen, &token);
	ts_periodic_stop(&p);
	assert_false(p.running);
}

static void test_stop_does_not_wait_out_the_interval_and_runs_nothing_after(void **state)
{
	(void)state;
	struct ts_periodic p = TS_PERIODIC_INIT;
	double t0;
	int after;

	ctr.runs = 0;
	assert_int_equal(ts_periodic_start(&p, 3600, count_run, NULL), 0);
	t0 = now_s();
	ts_periodic_stop(&p);
	assert_true(now_s() - t0 < 5); /* an hour's interval, stopped at once */
	/* the thread is joined: nothing can run any more */
	pthread_mutex_lock(&ctr.mu);
	after = ctr.runs;
	pthread_mutex_unlock(&ctr.mu);
	assert_int_equal(after, 0);
	/* stopping what is not running is harmless; it can start again */
	ts_periodic_stop(&p);
	assert_int_equal(ts_periodic_start(&p, 1, count_run, NULL), 0);
	assert_int_equal(wait_runs(1, 10), 1);
	ts_periodic_stop(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runs_every_interval_with_its_argument),
	    cmocka_unit_test(test_stop_does_not_wait_out_the_interval_and_runs_nothing_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
