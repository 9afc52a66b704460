/* test_outbox_health.c - the one health reading of the outbox (src/outbox/outbox.c) over a
 * real store and a running dispatcher with a test target: queue depth, dead letters and the
 * oldest waiting message in all and per target, this node's counters; and /metrics and the
 * admin API's JSON render that same reading. Waiting is a bounded poll. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "outbox/outbox.h"
#include "store_fixture.h"

struct fixture {
	char dir[64];
	struct ts_db *db;
	struct ts_arena arena;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_db_options opt = {.pool_size = 2, .busy_timeout_ms = 2000, .max_retries = 3};

	assert_non_null(f);
	test_store_open(f->dir, "test_outbox_health", &opt, &f->db);
	ts_arena_init(&f->arena, 0);
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

struct enq {
	struct ts_arena *a;
	const char *topic, *key;
	int64_t at;
};

static int enqueue_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct enq *e = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(e->topic), TS_DB_TEXT(e->key), TS_DB_TEXT("{}"),
			       TS_DB_INT(e->at)};
	return ts_db_query(c, e->a, "outbox_enqueue", p, 4, NULL, err);
}

static void enqueue(struct fixture *f, const char *topic, const char *key, int64_t at)
{
	struct enq e = {.a = &f->arena, .topic = topic, .key = key, .at = at};
	struct ts_error err = {0};
	if (ts_db_tx(f->db, TS_DB_TX_WRITE, enqueue_tx, &e, &err))
		fail_msg("enqueue: %s", err.detail);
}

/* The test target: "x.bad" is refused (dead letter at once), everything else delivered. */
static enum ts_outbox_outcome deliver(void *ud, struct ts_db *db, struct ts_arena *a,
				      const struct ts_outbox_msg *m, char *errbuf, size_t errsz)
{
	(void)ud, (void)db, (void)a;
	if (!strcmp(m->topic, "x.bad")) {
		snprintf(errbuf, errsz, "refused by the test");
		return TS_OUTBOX_REFUSED;
	}
	return TS_OUTBOX_DELIVERED;
}

static struct ts_outbox_health health(struct fixture *f)
{
	struct ts_outbox_health h;
	struct ts_error err = {0};
	if (ts_outbox_health(f->db, &f->arena, &h, &err))
		fail_msg("health: %s", err.detail);
	return h;
}

static void test_one_reading_for_metrics_and_the_admin_api(void **state)
{
	struct fixture *f = *state;
	int64_t now = (int64_t)time(NULL);

	enqueue(f, "x.ok", "k1", now);
	enqueue(f, "x.bad", "k2", now);
	enqueue(f, "x.later", "k2", now);   /* waits behind the dead letter of its key */
	enqueue(f, "y.other", "k3", now - 100); /* no target for it: waits, counted in all only */

	/* no dispatcher yet: the store's figures, no targets */
	struct ts_outbox_health h = health(f);
	assert_false(h.running);
	assert_int_equal(h.ntargets, 0);
	assert_int_equal(h.pending, 4);
	assert_int_equal(h.dead, 0);
	assert_true(h.oldest_pending_s >= 100);

	struct ts_outbox_target t = {.name = "x", .topic_prefix = "x.", .deliver = deliver};
	struct ts_outbox_options o = {.node = "unit", .max_attempts = 3, .backoff_base_ms = 10,
				      .backoff_max_s = 1, .poll_ms = 10, .batch = 10, .lease_s = 30};
	struct ts_outbox *ob = NULL;
	struct ts_error err = {0};
	if (ts_outbox_start(f->db, &o, &t, 1, &ob, &err))
		fail_msg("start: %s", err.detail);
	struct timespec step = {0, 10 * 1000 * 1000};
	for (int i = 0; i < 1000; i++) { /* a bounded poll: at most 10 s */
		h = health(f);
		if (h.t[0].delivered == 1 && h.t[0].dead_lettered == 1)
			break;
		nanosleep(&step, NULL);
	}
	assert_true(h.running);
	assert_int_equal(h.ntargets, 1);
	assert_string_equal(h.t[0].name, "x");
	assert_string_equal(h.t[0].topic_prefix, "x.");
	assert_int_equal(h.t[0].delivered, 1);
	assert_int_equal(h.t[0].dead_lettered, 1);
	assert_int_equal(h.t[0].failures, 1);
	assert_int_equal(h.t[0].attempts, 2);
	assert_int_equal(h.t[0].pending, 1); /* x.later */
	assert_int_equal(h.t[0].dead, 1);
	assert_true(h.t[0].oldest_pending_s < 100); /* its own oldest, not y.other's */
	assert_int_equal(h.pending, 2);
	assert_int_equal(h.dead, 1);
	assert_true(h.oldest_pending_s >= 100);

	/* the JSON of the admin API */
	json_t *j = ts_outbox_health_json(&h);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "pending")), 2);
	assert_true(json_is_true(json_object_get(j, "dispatcher_running")));
	json_t *x = json_array_get(json_object_get(j, "targets"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "name")), "x");
	assert_int_equal(json_integer_value(json_object_get(x, "dead_lettered")), 1);
	assert_int_equal(json_integer_value(json_object_get(x, "failures")), 1);
	assert_int_equal(json_integer_value(json_object_get(x, "pending")), 1);
	assert_true(json_is_real(json_object_get(x, "latency_seconds_avg")));
	assert_true(json_is_real(json_object_get(x, "attempt_seconds_avg")));
	json_decref(j);

	/* the same figures on /metrics */
	char *m = ts_outbox_metrics(f->db, &f->arena);
	assert_non_null(m);
	assert_non_null(strstr(m, "\ntinhso_outbox_pending 2\n"));
	assert_non_null(strstr(m, "\ntinhso_outbox_dead 1\n"));
	assert_non_null(strstr(m, "tinhso_outbox_pending{target=\"x\"} 1\n"));
	assert_non_null(strstr(m, "tinhso_outbox_dead{target=\"x\"} 1\n"));
	assert_non_null(strstr(m, "tinhso_outbox_delivered_total{target=\"x\"} 1\n"));
	assert_non_null(strstr(m, "tinhso_outbox_failures_total{target=\"x\"} 1\n"));
	assert_non_null(strstr(m, "tinhso_outbox_dead_total{target=\"x\"} 1\n"));
	assert_non_null(strstr(m, "tinhso_outbox_attempt_seconds_count{target=\"x\"} 2\n"));

	ts_outbox_stop(ob);
	/* stopped: the store's figures again, no counters */
	h = health(f);
	assert_false(h.running);
	assert_int_equal(h.ntargets, 0);
	assert_int_equal(h.pending, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_reading_for_metrics_and_the_admin_api, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
