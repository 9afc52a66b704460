/* test_http_metrics.c - the Prometheus registry (http/metrics.c): counters per (route,
 * method, status), cumulative histogram buckets, label escaping, concurrent observers and
 * the cap on distinct series. Reads the numbers back from the rendered text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

/* The value on the line that starts with exactly `series` followed by a space; -1 if none. */
static double value_of(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, series, n) == 0 && l[n] == ' ')
			return strtod(l + n + 1, NULL);
	}
	return -1;
}

static char *render(struct ts_arena *a)
{
	char *t = ts_http_metrics_render(a, NULL);
	assert_non_null(t);
	return t;
}

static void test_metrics_counts_by_route_method_status(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	ts_http_metrics_observe("/api/v1/a", "GET", 200, 0.002);
	ts_http_metrics_observe("/api/v1/a", "GET", 200, 0.003);
	ts_http_metrics_observe("/api/v1/a", "GET", 404, 0.001);
	ts_http_metrics_observe("/api/v1/a", "POST", 201, 0.2);
	char *t = render(&a);
	assert_non_null(strstr(t, "# TYPE tinhso_http_requests_total counter\n"));
	assert_non_null(strstr(t, "# HELP tinhso_http_requests_total "));
	assert_non_null(strstr(t, "# TYPE tinhso_http_request_duration_seconds histogram\n"));
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/api/v1/a\",method=\"GET\","
				"status=\"200\"}") == 2);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/api/v1/a\",method=\"GET\","
				"status=\"404\"}") == 1);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/api/v1/a\",method=\"POST\","
				"status=\"201\"}") == 1);
	ts_arena_release(&a);
}

static void test_metrics_histogram_buckets_are_cumulative(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	const double obs[] = {0.0005, 0.001, 0.004, 0.02, 0.3, 3, 11};
	for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
		ts_http_metrics_observe("/h", "GET", 200, obs[i]);
	char *t = render(&a);
	const char *p =
	    "tinhso_http_request_duration_seconds_bucket{route=\"/h\",method=\"GET\",le=";
	char k[256];
	const struct {
		const char *le;
		double want;
	} rows[] = {{"0.001", 2}, {"0.0025", 2}, {"0.005", 3}, {"0.01", 3}, {"0.025", 4},
		    {"0.05", 4},  {"0.1", 4},	 {"0.25", 4},  {"0.5", 5},  {"1", 5},
		    {"2.5", 5},	  {"5", 6},	 {"10", 6},    {"+Inf", 7}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(k, sizeof(k), "%s\"%s\"}", p, rows[i].le);
		assert_true(value_of(t, k) == rows[i].want);
	}
	double sum =
	    value_of(t, "tinhso_http_request_duration_seconds_sum{route=\"/h\",method=\"GET\"}");
	assert_true(sum > 14.3254 && sum < 14.3256);
	assert_true(value_of(t, "tinhso_http_request_duration_seconds_count{route=\"/h\","
				"method=\"GET\"}") == 7);
	ts_arena_release(&a);
}

static void test_metrics_escapes_labels_and_folds_methods(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	ts_http_metrics_observe("/q\"x\\y\nz", "GET", 200, 0.01);
	ts_http_metrics_observe("/m", "BREW", 418, 0.01);
	ts_http_metrics_observe(NULL, "GET", 404, 0.01);
	char *t = render(&a);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/q\\\"x\\\\y\\nz\","
				"method=\"GET\",status=\"200\"}") == 1);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/m\",method=\"OTHER\","
				"status=\"418\"}") == 1);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"unmatched\",method=\"GET\","
				"status=\"404\"}") == 1);
	ts_arena_release(&a);
}

static void test_metrics_appends_extra_lines(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	char *t = ts_http_metrics_render(&a, "# TYPE tinhso_up gauge\ntinhso_up 1");
	assert_non_null(t);
	size_t n = strlen(t);
	assert_true(n > 0 && t[n - 1] == '\n');
	assert_true(value_of(t, "tinhso_up") == 1);
	ts_arena_release(&a);
}

static void *observer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		ts_http_metrics_observe("/conc", "PUT", 200, 0.001);
	return NULL;
}

static void test_metrics_concurrent_observers_lose_nothing(void **state)
{
	(void)state;
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, observer, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	struct ts_arena a;
	ts_arena_init(&a, 0);
	char *t = render(&a);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/conc\",method=\"PUT\","
				"status=\"200\"}") == 4000);
	assert_true(value_of(t, "tinhso_http_request_duration_seconds_count{route=\"/conc\","
				"method=\"PUT\"}") == 4000);
	ts_arena_release(&a);
}

/* Runs last: fills the registry. */
static void test_metrics_series_are_capped_into_other(void **state)
{
	(void)state;
	char route[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(route, sizeof(route), "/r/%d", i);
		ts_http_metrics_observe(route, "GET", 200, 0.001);
	}
	struct ts_arena a;
	ts_arena_init(&a, 0);
	char *t = render(&a);
	double other = value_of(t, "tinhso_http_requests_total{route=\"other\",method=\"GET\","
				   "status=\"200\"}");
	assert_true(other > 1000);
	/* the earliest routes kept their own series; the latest did not */
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/r/0\",method=\"GET\","
				"status=\"200\"}") == 1);
	assert_true(value_of(t, "tinhso_http_requests_total{route=\"/r/4999\",method=\"GET\","
				"status=\"200\"}") < 0);
	size_t lines = 0;
	for (const char *p = t; *p; p++)
		lines += *p == '\n';
	assert_true(lines < 4096 + 4096 * 17);
	ts_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics_counts_by_route_method_status),
	    cmocka_unit_test(test_metrics_histogram_buckets_are_cumulative),
	    cmocka_unit_test(test_metrics_escapes_labels_and_folds_methods),
	    cmocka_unit_test(test_metrics_appends_extra_lines),
	    cmocka_unit_test(test_metrics_concurrent_observers_lose_nothing),
	    cmocka_unit_test(test_metrics_series_are_capped_into_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
