/* test_read_cache.c - the in-process cache of immutable rows (base/cache.c, db.h ts_db_cache)
 * and its users: the cache alone (keys, least-recently-used eviction within its bound, values
 * held by an arena outliving their eviction, many threads at once), then against a real
 * SQLite store: a cached procedure version gives exactly what a fresh read of the store gives,
 * only read transactions fill it, a version published meanwhile (also through another handle,
 * as another node would) is used by the next lookup, the calendar's edits (through the API or
 * straight in SQL) are seen at once, a newer flow version and a more specific flow are picked,
 * unit codes come back as stored. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "base/cache.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "flow/flow.h"
#include "org/org.h"

#include "store_fixture.h"

/* ---- the cache alone ------------------------------------------------------------------- */

/* A value in its own heap arena, as the modules build them. */
static const int64_t *put_int(struct ts_cache *c, int kind, int64_t k1, int64_t k2, int64_t v,
			      struct ts_arena *a)
{
	struct ts_arena *va = ts_arena_new(0);
	int64_t *p;

	assert_non_null(va);
	p = ts_arena_alloc(va, sizeof(*p));
	assert_non_null(p);
	*p = v;
	return ts_cache_put(c, kind, k1, k2, va, p, a);
}

static void test_cache_keys_are_kind_k1_k2(void **state)
{
	(void)state;
	struct ts_cache *c = ts_cache_new(16);
	struct ts_arena a;
	struct ts_cache_stats st;
	const int64_t *v;

	ts_arena_init(&a, 0);
	assert_non_null(c);
	assert_null(ts_cache_get(c, TS_CACHE_PROC_VERSION, 1, 0, &a));
	assert_int_equal(*put_int(c, TS_CACHE_PROC_VERSION, 1, 0, 100, &a), 100);
	assert_int_equal(*put_int(c, TS_CACHE_FLOW_VERSION, 1, 0, 200, &a), 200);
	assert_int_equal(*put_int(c, TS_CACHE_CALENDAR, 1, 7, 300, &a), 300);
	assert_non_null(v = ts_cache_get(c, TS_CACHE_PROC_VERSION, 1, 0, &a));
	assert_int_equal(*v, 100);
	assert_non_null(v = ts_cache_get(c, TS_CACHE_FLOW_VERSION, 1, 0, &a));
	assert_int_equal(*v, 200);
	assert_null(ts_cache_get(c, TS_CACHE_CALENDAR, 1, 8, &a));
	assert_null(ts_cache_get(c, TS_CACHE_CALENDAR, 2, 7, &a));
	/* a second put under a taken key keeps the first value (both are the same immutable
	 * thing when the modules do it) and frees the newcomer */
	assert_int_equal(*put_int(c, TS_CACHE_PROC_VERSION, 1, 0, 999, &a), 100);
	ts_cache_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 3);
	ts_arena_release(&a);
	ts_cache_free(c);
	ts_cache_free(NULL);
}

static void test_cache_evicts_least_recently_used_and_keeps_held_values(void **state)
{
	(void)state;
	struct ts_cache *c = ts_cache_new(4);
	struct ts_arena keep, a;
	struct ts_cache_stats st;
	const int64_t *held, *v;

	ts_arena_init(&keep, 0);
	ts_arena_init(&a, 0);
	held = put_int(c, TS_CACHE_UNIT_CODE, 1, 0, 11, &keep);
	for (int64_t k = 2; k <= 4; k++)
		put_int(c, TS_CACHE_UNIT_CODE, k, 0, k * 11, &a);
	/* 1 used again: 2 is now the least recently used */
	assert_non_null(ts_cache_get(c, TS_CACHE_UNIT_CODE, 1, 0, &a));
	put_int(c, TS_CACHE_UNIT_CODE, 5, 0, 55, &a);
	assert_null(ts_cache_get(c, TS_CACHE_UNIT_CODE, 2, 0, &a));
	assert_non_null(ts_cache_get(c, TS_CACHE_UNIT_CODE, 1, 0, &a));
	/* never more than the bound, whatever goes in */
	for (int64_t k = 100; k < 200; k++)
		put_int(c, TS_CACHE_UNIT_CODE, k, 0, k, &a);
	ts_cache_stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 101);
	assert_null(ts_cache_get(c, TS_CACHE_UNIT_CODE, 1, 0, &a));
	for (int64_t k = 196; k < 200; k++) {
		assert_non_null(v = ts_cache_get(c, TS_CACHE_UNIT_CODE, k, 0, &a));
		assert_int_equal(*v, k);
	}
	/* value 1 was evicted long ago, and the cache freed, but keep still holds it (ASan
	 * would report a use after free) */
	ts_arena_release(&a);
	ts_cache_free(c);
	assert_int_equal(*held, 11);
	ts_arena_release(&keep);
}

struct worker {
	struct ts_cache *c;
	unsigned seed;
	int wrong;
	long lookups;
};

static void *worker_main(void *vp)
{
	struct worker *w = vp;

	for (int i = 0; i < 4000; i++) {
		struct ts_arena a;
		int kind = 1 + (int)(rand_r(&w->seed) % 2);
		int64_t k = rand_r(&w->seed) % 48, want = k * 1000 + kind;
		const int64_t *v;

		ts_arena_init(&a, 0);
		if (!(v = ts_cache_get(w->c, kind, k, 0, &a)))
			v = put_int(w->c, kind, k, 0, want, &a);
		w->wrong += !v || *v != want;
		w->lookups++;
		ts_arena_release(&a);
	}
	return NULL;
}

static void test_cache_threads_share_values(void **state)
{
	(void)state;
	enum { N = 8 };
	struct ts_cache *c = ts_cache_new(16); /* far fewer than the keys: constant eviction */
	struct worker w[N];
	pthread_t t[N];
	struct ts_cache_stats st;
	long lookups = 0;

	for (int i = 0; i < N; i++) {
		w[i] = (struct worker){.c = c, .seed = 17u * (unsigned)i + 1};
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].wrong, 0);
		lookups += w[i].lookups;
	}
	ts_cache_stats(c, &st);
	assert_int_equal((long)(st.hits + st.misses), lookups);
	assert_true(st.evictions > 0);
	assert_true(st.entries <= 16);
	ts_cache_free(c);
}

/* ---- against a store ------------------------------------------------------------------- */

struct fixture {
	char dir[64];
	char url[128];
	struct ts_db *db, *db2; /* db2: the same store through another handle ("another node") */
	struct ts_arena arena;
	struct ts_ctx ctx, ctx2;
};

#define PROC_CODE "1.999101"

static json_t *proc_doc(const char *valid_from, int days, const char *doc_name)
{
	char text[2048];
	json_t *d;

	snprintf(text, sizeof(text),
		 "{\"procedures\": [{\"code\": \"" PROC_CODE "\", \"name\": \"Thủ tục bộ nhớ đệm\","
		 " \"field\": \"Hộ tịch\", \"levels\": [\"Cấp xã\"], \"online_level\": \"full\","
		 " \"valid_from\": \"%s\", \"units\": [\"000.00.31.H99\"],"
		 " \"fees\": [{\"name\": \"Lệ phí\", \"amount\": 8000, \"kind\": \"fee\"}],"
		 " \"variants\": [{\"code\": \"CHUNG\", \"name\": \"Trường hợp chung\","
		 " \"default\": true, \"times\": [{\"channel\": 1, \"amount\": %d, \"unit\":"
		 " \"working_days\"}, {\"channel\": 2, \"amount\": %d, \"unit\": \"working_days\"}],"
		 " \"documents\": [{\"code\": \"TK\", \"name\": \"%s\", \"originals\": 1,"
		 " \"copies\": 0, \"required\": true}, {\"code\": \"CC\", \"name\": \"Bản sao\","
		 " \"originals\": 0, \"copies\": 2, \"required\": false}],"
		 " \"form_fields\": [{\"name\": \"ho_ten\", \"label\": \"Họ và tên\", \"type\":"
		 " \"text\", \"required\": true}, {\"name\": \"ghi_chu\", \"label\": \"Ghi chú\","
		 " \"type\": \"text\", \"required\": false}]}]}]}",
		 valid_from, days, days, doc_name);
	d = json_loads(text, 0, NULL);
	assert_non_null(d);
	return d;
}

static void import_doc(struct ts_ctx *ctx, json_t *d)
{
	struct ts_error err = {0};
	if (ts_catalog_import_json(ctx, d, NULL, NULL, NULL, &err))
		fail_msg("import: %s (%s)", err.detail, err.field);
	json_decref(d);
}

static void today(char out[11])
{
	time_t t = time(NULL) + 7 * 3600; /* the catalogue's dates are Vietnamese days */
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_db_options opt = {.pool_size = 2, .busy_timeout_ms = 5000, .max_retries = 10};
	struct ts_error err = {0};

	assert_non_null(f);
	test_store_open(f->dir, "test_read_cache", &opt, &f->db);
	snprintf(f->url, sizeof(f->url), "sqlite:%s/t.db", f->dir);
	if (ts_db_open(f->url, &opt, &f->db2, &err))
		fail_msg("second handle: %s", err.detail);
	ts_arena_init(&f->arena, 0);
	ts_ctx_init_cli(&f->ctx, f->db, &f->arena);
	ts_ctx_init_cli(&f->ctx2, f->db2, &f->arena);
	test_store_load_demo_units(&f->ctx);
	import_doc(&f->ctx, proc_doc("2025-07-01", 5, "Tờ khai"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_arena_release(&f->arena);
	ts_db_close(f->db2);
	test_store_remove(f->db, f->dir);
	free(f);
	return 0;
}

struct vf_job {
	struct ts_arena *a;
	int64_t unit_id, at;
	struct ts_proc_variant_info info;
	struct ts_cache_stats st; /* the store's cache after the lookup */
};

static int vf_tx(struct ts_dbconn *c, void *p, struct ts_error *err)
{
	struct vf_job *j = p;
	int rc = ts_catalog_variant_for(c, j->a, PROC_CODE, NULL, TS_CHANNEL_ONLINE, j->unit_id,
					j->at, &j->info, err);
	ts_cache_stats(ts_db_cache(c, NULL), &j->st);
	return rc;
}

static void variant_for(struct fixture *f, struct ts_db *db, int flags, struct vf_job *j)
{
	struct ts_error err = {0};
	j->a = &f->arena;
	if (!j->at)
		j->at = (int64_t)time(NULL);
	if (ts_db_tx(db, flags, vf_tx, j, &err))
		fail_msg("variant_for: %s (%s)", err.detail, err.field);
}

static void assert_same_variant(const struct ts_proc_variant_info *x,
				const struct ts_proc_variant_info *y)
{
	assert_int_equal(x->procedure_id, y->procedure_id);
	assert_int_equal(x->version_id, y->version_id);
	assert_int_equal(x->variant_id, y->variant_id);
	assert_string_equal(x->code, y->code);
	assert_string_equal(x->name, y->name);
	assert_string_equal(x->field, y->field);
	assert_string_equal(x->variant_code, y->variant_code);
	assert_string_equal(x->variant_name, y->variant_name);
	assert_int_equal(x->time_amount, y->time_amount);
	assert_int_equal(x->time_unit, y->time_unit);
	assert_int_equal(x->no_due_date, y->no_due_date);
	assert_int_equal(x->next_day_after_cutoff, y->next_day_after_cutoff);
	assert_int_equal(x->online_level, y->online_level);
	assert_int_equal(x->ndocs, y->ndocs);
	for (int k = 0; k < x->ndocs; k++) {
		assert_int_equal(x->docs[k].id, y->docs[k].id);
		assert_string_equal(x->docs[k].code, y->docs[k].code);
		assert_string_equal(x->docs[k].name, y->docs[k].name);
		assert_int_equal(x->docs[k].originals, y->docs[k].originals);
		assert_int_equal(x->docs[k].copies, y->docs[k].copies);
		assert_int_equal(x->docs[k].required, y->docs[k].required);
	}
	assert_true(json_equal(x->form_fields, y->form_fields));
}

static void test_read_cache_version_equals_a_fresh_read(void **state)
{
	struct fixture *f = *state;
	struct vf_job first = {0}, again = {0}, fresh = {0};

	variant_for(f, f->db, TS_DB_TX_READ, &first);  /* read, then stored */
	variant_for(f, f->db, TS_DB_TX_READ, &again);  /* from the cache */
	assert_int_equal(again.st.hits, first.st.hits + 1);
	assert_true(again.info.docs == first.info.docs); /* the very same, shared */
	variant_for(f, f->db2, TS_DB_TX_WRITE, &fresh); /* db2's cache is empty; no fill */
	assert_int_equal(fresh.st.entries, 0);
	assert_same_variant(&again.info, &fresh.info);
	assert_same_variant(&first.info, &fresh.info);
	assert_int_equal(fresh.info.time_amount, 5);
	assert_int_equal(fresh.info.ndocs, 2);
	assert_string_equal(fresh.info.docs[0].name, "Tờ khai");
	assert_int_equal(json_array_size(fresh.info.form_fields), 2);
	/* a unit that does not offer it is still refused with the version cached */
	{
		struct ts_error err = {0};
		struct vf_job j = {.a = &f->arena, .unit_id = 0, .at = (int64_t)time(NULL)};
		int64_t other = 0;
		assert_int_equal(ts_org_unit_by_code(&f->ctx, "000.00.11.H99", &other, &err), 0);
		j.unit_id = other;
		assert_int_equal(ts_db_tx(f->db, TS_DB_TX_READ, vf_tx, &j, &err), TS_ERR_VALIDATION);
		assert_string_equal(err.field, "unit_id");
	}
}

static void test_read_cache_write_transactions_do_not_fill(void **state)
{
	struct fixture *f = *state;
	struct vf_job w = {0}, r = {0};

	variant_for(f, f->db, TS_DB_TX_WRITE, &w);
	assert_int_equal(w.st.entries, 0);
	variant_for(f, f->db, TS_DB_TX_READ, &r);
	assert_int_equal(r.st.entries, 1);
	assert_int_equal(r.st.misses, w.st.misses + 1);
	assert_same_variant(&w.info, &r.info);
}

static void test_read_cache_new_version_used_by_next_lookup(void **state)
{
	struct fixture *f = *state;
	struct vf_job v1 = {0}, v1again = {0}, v2 = {0}, v3 = {0};
	char day[11];

	variant_for(f, f->db, TS_DB_TX_READ, &v1);
	variant_for(f, f->db, TS_DB_TX_READ, &v1again);
	assert_int_equal(v1again.st.hits, v1.st.hits + 1);
	/* published through the other handle: this one's cache never hears of it */
	today(day);
	import_doc(&f->ctx2, proc_doc(day, 9, "Tờ khai mới"));
	variant_for(f, f->db, TS_DB_TX_READ, &v2);
	assert_true(v2.info.version_id != v1.info.version_id);
	assert_int_equal(v2.info.time_amount, 9);
	assert_string_equal(v2.info.docs[0].name, "Tờ khai mới");
	/* and again through this handle, the same day: the newest version wins */
	import_doc(&f->ctx, proc_doc(day, 11, "Tờ khai mới nhất"));
	variant_for(f, f->db, TS_DB_TX_READ, &v3);
	assert_true(v3.info.version_id != v2.info.version_id);
	assert_int_equal(v3.info.time_amount, 11);
	assert_string_equal(v3.info.docs[0].name, "Tờ khai mới nhất");
	/* the old version, asked for a day it was in force, is still itself */
	v1again = (struct vf_job){.at = 1751328000 + 86400 * 30}; /* 2025-07-31 */
	variant_for(f, f->db, TS_DB_TX_READ, &v1again);
	assert_same_variant(&v1.info, &v1again.info);
}

/* ---- the calendar --------------------------------------------------------------------------- */

static void cal(struct fixture *f, struct ts_db *db, struct ts_calendar *out)
{
	struct ts_error err = {0};
	if (ts_cal_get(db, &f->arena, 2026, 2026, out, &err))
		fail_msg("calendar: %s", err.detail);
}

static const struct ts_cal_day *day_of(const struct ts_calendar *c, int32_t date)
{
	for (size_t i = 0; i < c->ndays; i++)
		if (c->days[i].date == date)
			return &c->days[i];
	return NULL;
}

static void sql_exec(struct fixture *f, const char *sql)
{
	char path[128];
	sqlite3 *h;
	char *msg = NULL;

	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
	sqlite3_close(h);
}

static void test_read_cache_calendar_edits_seen_at_once(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_calendar c1, c2, c3;
	const int32_t monday = 20261123;

	cal(f, f->db, &c1);
	assert_null(day_of(&c1, monday));
	assert_true(ts_cal_is_working_day(&c1, monday));
	cal(f, f->db, &c2); /* unchanged: the same days, shared from the cache */
	assert_true(c2.days == c1.days);
	/* an administrator on the other node makes it a holiday */
	assert_int_equal(ts_cal_day_set(&f->ctx2, monday, TS_DAY_HOLIDAY, "Nghỉ bù", &err), 0);
	cal(f, f->db, &c3);
	assert_non_null(day_of(&c3, monday));
	assert_false(ts_cal_is_working_day(&c3, monday));
	/* straight SQL, from outside the program: a change, then a delete, then office hours */
	sql_exec(f, "UPDATE calendar_day SET kind = 'swapped_off' WHERE date = 20261123");
	cal(f, f->db, &c3);
	assert_int_equal(day_of(&c3, monday)->kind, TS_DAY_SWAPPED_OFF);
	sql_exec(f, "DELETE FROM calendar_day WHERE date = 20261123");
	cal(f, f->db, &c3);
	assert_null(day_of(&c3, monday));
	assert_true(ts_cal_is_working_day(&c3, monday));
	sql_exec(f, "UPDATE calendar_setting SET value = '480' WHERE key = 'am_start'");
	cal(f, f->db, &c3);
	assert_int_equal(c3.am_start, 480);
	/* and what is cached equals a fresh read through the other handle */
	cal(f, f->db2, &c2);
	assert_int_equal(c2.ndays, c3.ndays);
	for (size_t i = 0; i < c3.ndays; i++) {
		assert_int_equal(c2.days[i].date, c3.days[i].date);
		assert_int_equal(c2.days[i].kind, c3.days[i].kind);
		assert_string_equal(c2.days[i].name ? c2.days[i].name : "",
				    c3.days[i].name ? c3.days[i].name : "");
	}
	assert_int_equal(c2.am_start, c3.am_start);
}

/* ---- flows and units --------------------------------------------------------------------- */

struct fl_job {
	struct ts_arena *a;
	int64_t proc, variant, unit;
	struct ts_flow flow;
};

static int fl_tx(struct ts_dbconn *c, void *p, struct ts_error *err)
{
	struct fl_job *j = p;
	return ts_flow_resolve(c, j->a, j->proc, j->variant, j->unit, 40, &j->flow, err);
}

static struct ts_flow resolve(struct fixture *f, int64_t proc, int64_t variant, int64_t unit)
{
	struct fl_job j = {.a = &f->arena, .proc = proc, .variant = variant, .unit = unit};
	struct ts_error err = {0};
	if (ts_db_tx(f->db, TS_DB_TX_READ, fl_tx, &j, &err))
		fail_msg("flow: %s", err.detail);
	return j.flow;
}

static void test_read_cache_flow_newest_and_most_specific(void **state)
{
	struct fixture *f = *state;
	struct ts_flow fl;

	/* no flow: the default one */
	fl = resolve(f, 900, 5, 31);
	assert_int_equal(fl.version_id, 0);
	assert_int_equal(fl.nsteps, 4);
	/* another node publishes a flow for every variant and unit (straight SQL) */
	sql_exec(f, "INSERT INTO flow (id, procedure_id, variant_id, unit_id, created_at) "
		    "VALUES (1, 900, 0, 0, 0);"
		    "INSERT INTO flow_version (id, flow_id, version, published_at) VALUES (11, 1, 1, 0);"
		    "INSERT INTO flow_step VALUES (11, 1, 'receive', 'counter_officer', 'receiving', NULL, 4),"
		    " (11, 2, 'process', 'specialist', 'competent', NULL, 30);");
	fl = resolve(f, 900, 5, 31);
	assert_int_equal(fl.version_id, 11);
	assert_int_equal(fl.nsteps, 2);
	assert_int_equal(fl.steps[1].hours, 30);
	/* its second version is used by the next submission */
	sql_exec(f, "INSERT INTO flow_version (id, flow_id, version, published_at) VALUES (12, 1, 2, 0);"
		    "INSERT INTO flow_step VALUES (12, 1, 'receive', 'counter_officer', 'receiving', NULL, 2),"
		    " (12, 2, 'process', 'specialist', 'competent', NULL, 20),"
		    " (12, 3, 'approve', 'agency_leader', 'competent', NULL, 8);");
	fl = resolve(f, 900, 5, 31);
	assert_int_equal(fl.version_id, 12);
	assert_int_equal(fl.nsteps, 3);
	assert_int_equal(fl.steps[1].hours, 20);
	/* a flow for the variant at any unit beats the general one; one for the unit and any
	 * variant ranks after it; one without a version yet does not count */
	sql_exec(f, "INSERT INTO flow (id, procedure_id, variant_id, unit_id, created_at) VALUES"
		    " (2, 900, 0, 31, 0), (3, 900, 5, 0, 0), (4, 900, 5, 31, 0);"
		    "INSERT INTO flow_version (id, flow_id, version, published_at) VALUES"
		    " (21, 2, 1, 0), (31, 3, 1, 0);"
		    "INSERT INTO flow_step VALUES (21, 1, 'receive', 'counter_officer', 'receiving', NULL, 1),"
		    " (31, 1, 'receive', 'counter_officer', 'receiving', NULL, 3);");
	assert_int_equal(resolve(f, 900, 5, 31).version_id, 31);
	assert_int_equal(resolve(f, 900, 6, 31).version_id, 21);
	assert_int_equal(resolve(f, 900, 6, 32).version_id, 12);
	/* the steps read back from the cache equal what was stored */
	fl = resolve(f, 900, 5, 31);
	assert_int_equal(fl.nsteps, 1);
	assert_int_equal(fl.steps[0].hours, 3);
	assert_int_equal(fl.steps[0].kind, TS_STEP_RECEIVE);
}

struct uc_job {
	struct ts_arena *a;
	int64_t id;
	const char *code;
	int rc;
};

static int uc_tx(struct ts_dbconn *c, void *p, struct ts_error *err)
{
	struct uc_job *j = p;
	j->rc = ts_org_unit_code(c, j->a, j->id, &j->code, err);
	return 0;
}

static void test_read_cache_unit_codes(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct uc_job j = {.a = &f->arena};
	int64_t id = 0;

	assert_int_equal(ts_org_unit_by_code(&f->ctx, "000.00.31.H99", &id, &err), 0);
	for (int round = 0; round < 2; round++) { /* read, then cached */
		j.id = id;
		assert_int_equal(ts_db_tx(f->db, TS_DB_TX_READ, uc_tx, &j, &err), 0);
		assert_int_equal(j.rc, 0);
		assert_string_equal(j.code, "000.00.31.H99");
	}
	j.id = 987654;
	assert_int_equal(ts_db_tx(f->db, TS_DB_TX_READ, uc_tx, &j, &err), 0);
	assert_int_equal(j.rc, TS_ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cache_keys_are_kind_k1_k2),
	    cmocka_unit_test(test_cache_evicts_least_recently_used_and_keeps_held_values),
	    cmocka_unit_test(test_cache_threads_share_values),
	    cmocka_unit_test_setup_teardown(test_read_cache_version_equals_a_fresh_read, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_cache_write_transactions_do_not_fill, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_cache_new_version_used_by_next_lookup, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_cache_calendar_edits_seen_at_once, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_cache_flow_newest_and_most_specific, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_cache_unit_codes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
