/* test_catalog_import.c - the procedure catalogue against a real SQLite store (migrated, demo
 * org tree imported): the real national sample imports whole, re-import is unchanged, a
 * changed procedure gets a new version while the old one stays readable, validation names
 * the index path, a bad 50th record writes nothing, search ranks with and without
 * diacritics, the search index (FTS5 trigram table, migration 0020) finds exactly what the
 * plain scan finds and follows imports, ts_catalog_variant_for picks channel times and checks
 * units, the CSV parser and CSV import/export round trip. */
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

#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "org/org.h"

#include "db/sql_embed.h"
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
	test_store_open(f->dir, "test_catalog", &opt, &f->db);
	ts_arena_init(&f->arena, 0);
	ts_ctx_init_cli(&f->ctx, f->db, &f->arena);
	test_store_load_demo_units(&f->ctx);
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

static void import_sample(struct fixture *f, int *created, int *unchanged)
{
	struct ts_error err = {0};
	json_t *sample =
	    json_load_file(TS_SOURCE_DIR "/data/catalog/procedures_vn_sample.json", 0, NULL);
	int versioned = -1;

	assert_non_null(sample);
	if (ts_catalog_import_sample(&f->ctx, sample, NULL, created, &versioned, unchanged, &err))
		fail_msg("sample: %s (%s)", err.detail, err.field);
	assert_int_equal(versioned, 0);
	json_decref(sample);
}

static int64_t count_procedures(struct fixture *f)
{
	struct ts_catalog_filter flt = {.limit = 1};
	struct ts_catalog_hit *hits;
	struct ts_error err = {0};
	int64_t total = -1;
	int n;
	if (ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err))
		fail_msg("search: %s", err.detail);
	return total;
}

/* A small valid procedure document as text, with a placeholder for mutations. */
static json_t *one_proc(const char *code, const char *name, int days)
{
	json_t *d = json_pack(
	    "{s:[{s:s, s:s, s:s, s:[s], s:s, s:[{s:s, s:i}], s:[{s:s, s:s, s:b, "
	    "s:[{s:i, s:i, s:s}, {s:i, s:i, s:s}], s:[{s:s, s:i, s:i, s:b}]}, {s:s, s:s, "
	    "s:b, s:[]}]}]}",
	    "procedures", "code", code, "name", name, "field", "Hộ tịch", "levels", "Cấp xã",
	    "online_level", "partial", "fees", "name", "Lệ phí", "amount", 8000, "variants", "code",
	    "CHUNG", "name", "Trường hợp chung", "default", 1, "times", "channel", 1, "amount",
	    days, "unit", "working_days", "channel", 2, "amount", 4, "unit", "working_hours",
	    "documents", "name", "Tờ khai", "originals", 1, "copies", 0, "required", 1, "code",
	    "KHAN", "name", "Trường hợp khẩn", "no_due_date", 1, "times");
	assert_non_null(d);
	json_object_set_new(json_array_get(json_object_get(d, "procedures"), 0), "valid_from",
			    json_string("2025-07-01"));
	/* fee kind is required */
	json_object_set_new(
	    json_array_get(
		json_object_get(json_array_get(json_object_get(d, "procedures"), 0), "fees"), 0),
	    "kind", json_string("fee"));
	return d;
}

static void test_catalog_sample_imports_whole_then_unchanged(void **state)
{
	struct fixture *f = *state;
	int created = 0, unchanged = 0;

	import_sample(f, &created, &unchanged);
	assert_int_equal(created, 132);
	assert_int_equal(unchanged, 0);
	assert_int_equal(count_procedures(f), 132);
	import_sample(f, &created, &unchanged);
	assert_int_equal(created, 0);
	assert_int_equal(unchanged, 132);
}

static void test_catalog_sample_labels_defaults(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	json_t *p;
	int c, u;

	import_sample(f, &c, &u);
	if (ts_catalog_get(&f->ctx, "1.001193", &p, &err))
		fail_msg("get: %s", err.detail);
	assert_string_equal(json_string_value(json_object_get(p, "name")),
			    "Thủ tục đăng ký khai sinh");
	assert_non_null(
	    strstr(json_string_value(json_object_get(p, "legal_basis")), "[Mặc định demo]"));
	json_t *v = json_array_get(json_object_get(p, "variants"), 0);
	json_t *docs = json_object_get(v, "documents");
	assert_int_equal(json_array_size(docs), 8);
	assert_true(json_is_true(json_object_get(json_array_get(docs, 0), "required")));
	assert_true(json_is_false(json_object_get(json_array_get(docs, 2), "required")));
	assert_int_equal(json_array_size(json_object_get(v, "times")), 3);
}

static void test_catalog_search_ranks_with_and_without_diacritics(void **state)
{
	struct fixture *f = *state;
	struct ts_catalog_filter flt = {.q = "dang ky khai sinh"};
	struct ts_catalog_hit *hits;
	struct ts_error err = {0};
	int64_t total;
	int n, c, u;

	import_sample(f, &c, &u);
	if (ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err))
		fail_msg("search: %s", err.detail);
	assert_true(n >= 2);
	assert_string_equal(hits[0].code, "1.001193");
	assert_int_equal(hits[0].rank, 1);
	for (int i = 1; i < n; i++)
		assert_true(hits[i - 1].rank < hits[i].rank ||
			    (hits[i - 1].rank == hits[i].rank &&
			     strcmp(hits[i - 1].code, hits[i].code) < 0));
	flt.q = "ĐĂNG KÝ KHAI SINH";
	assert_int_equal(ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err), 0);
	assert_string_equal(hits[0].code, "1.001193");
	flt.q = "1.000689";
	assert_int_equal(ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err), 0);
	assert_true(n >= 1);
	assert_string_equal(hits[0].code, "1.000689");
	assert_int_equal(hits[0].rank, 0);
	flt.q = "sinh khai ky dang"; /* all words, other order */
	assert_int_equal(ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err), 0);
	assert_true(n >= 2 && hits[0].rank == 5);
	flt.q = "zzzz khong co";
	assert_int_equal(ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err), 0);
	assert_int_equal(n, 0);
	flt.q = NULL;
	flt.limit = 500;
	assert_int_equal(ts_catalog_search(&f->ctx, &flt, &hits, &n, &total, &err),
			 TS_ERR_VALIDATION);
}

/* ---- the search index -------------------------------------------------------------------- */

struct cand_job {
	struct ts_arena *a;
	const char *query;
	struct ts_dbval p[10];
	int np;
	struct ts_dbres *r;
};

static int cand_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct cand_job *j = vjob;
	return ts_db_query(c, j->a, j->query, j->p, j->np, &j->r, err);
}

/* The candidates' ids for the words of key (folded, space-separated) as "id,id,..." in id
 * order, from the index (fts) or the plain scan. */
static char *candidates(struct fixture *f, const char *key, int fts)
{
	struct cand_job j = {.a = &f->arena, .query = fts ? "catalog_search_fts" : "catalog_search"};
	struct ts_error err = {0};
	char match[512] = "", *out;
	size_t n = 0, cap = 65536;
	int k = 0;

	for (int i = 0; i < 10; i++)
		j.p[i] = TS_DB_NULL;
	for (const char *s = key; *s && k < 6;) {
		size_t len = strcspn(s, " ");
		j.p[k++] = TS_DB_TEXT(ts_arena_printf(&f->arena, "%%%.*s%%", (int)len, s));
		if (len >= 3)
			snprintf(match + strlen(match), sizeof(match) - strlen(match), "%s\"%.*s\"",
				 *match ? " AND " : "", (int)len, s);
		s += len + (s[len] == ' ');
	}
	if (fts) {
		assert_true(*match);
		j.p[8] = TS_DB_TEXT(match);
		j.p[9] = TS_DB_INT(5000);
		j.np = 10;
	} else {
		j.p[8] = TS_DB_INT(5000);
		j.np = 9;
	}
	if (ts_db_tx(f->db, TS_DB_TX_READ, cand_tx, &j, &err))
		fail_msg("%s: %s", j.query, err.detail);
	out = ts_arena_alloc(&f->arena, cap);
	assert_non_null(out);
	out[0] = '\0';
	for (int i = 0; i < j.r->nrows; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s,", ts_dbres_get(j.r, i, 0));
	assert_true(n < cap);
	return out;
}

static void import_one(struct fixture *f, const char *code, const char *name, const char *from)
{
	struct ts_error err = {0};
	int c, v, u;
	json_t *d = one_proc(code, name, 5);
	json_object_set_new(json_array_get(json_object_get(d, "procedures"), 0), "valid_from",
			    json_string(from));
	if (ts_catalog_import_json(&f->ctx, d, &c, &v, &u, &err))
		fail_msg("import %s: %s", code, err.detail);
	json_decref(d);
}

static void test_catalog_search_index_finds_what_the_scan_finds(void **state)
{
	struct fixture *f = *state;
	char path[96], plan[4096] = "";
	sqlite3 *h;
	sqlite3_stmt *st;
	int c, u, checked = 0;

	import_sample(f, &c, &u);
	import_one(f, "1.999001", "Thủ tục cấp phép khinh khí cầu", "2025-07-01");
	/* a new version renames it: the index forgets the old words, learns the new ones */
	import_one(f, "1.999001", "Thủ tục đăng ký tàu lượn siêu tốc", "2025-08-01");
	assert_string_equal(candidates(f, "khinh khi", 1), "");
	assert_string_equal(candidates(f, "tau luon sieu", 1), candidates(f, "tau luon sieu", 0));
	assert_string_not_equal(candidates(f, "tau luon sieu", 1), "");

	/* every word of every procedure, and every 3-character piece of the words, finds the same
	 * rows through the index as through the scan; so do pairs of words */
	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT search_text FROM procedure ORDER BY id", -1, &st,
					    NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0), *prev = NULL;
		for (const char *w = text; *w;) {
			size_t len = strcspn(w, " ");
			if (len >= 3 && checked % 7 == 0) {
				char *key = ts_arena_strndup(&f->arena, w, len);
				char *piece = ts_arena_strndup(&f->arena, w + len - 3, 3);
				assert_string_equal(candidates(f, key, 1), candidates(f, key, 0));
				assert_string_equal(candidates(f, piece, 1), candidates(f, piece, 0));
				if (prev) {
					char *two = ts_arena_printf(&f->arena, "%s %.*s ky", prev, (int)len, w);
					assert_string_equal(candidates(f, two, 1), candidates(f, two, 0));
				}
				prev = key;
			}
			checked += len >= 3;
			w += len + (w[len] == ' ');
		}
	}
	sqlite3_finalize(st);
	assert_true(checked > 1000);

	/* the candidates come from the index, each row found by its id (with the field and unit
	 * filters and without them) */
	int plans = 0;
	for (size_t i = 0; i < ts_sql_query_count; i++)
		if (strcmp(ts_sql_queries[i].name, "catalog_search_fts") == 0 ||
		    strcmp(ts_sql_queries[i].name, "catalog_search_fts_all") == 0) {
			char *q = ts_arena_printf(&f->arena, "EXPLAIN QUERY PLAN %s", ts_sql_queries[i].sqlite);
			size_t n = 0;
			assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
			while (sqlite3_step(st) == SQLITE_ROW && n < sizeof(plan))
				n += (size_t)snprintf(plan + n, sizeof(plan) - n, "%s | ",
						      (const char *)sqlite3_column_text(st, 3));
			sqlite3_finalize(st);
			if (!strstr(plan, "SCAN f VIRTUAL TABLE INDEX") ||
			    !strstr(plan, "SEARCH p USING INTEGER PRIMARY KEY") || strstr(plan, "SCAN p") ||
			    strstr(plan, "TEMP B-TREE"))
				fail_msg("%s does not read the index: %s", ts_sql_queries[i].name, plan);
			plans++;
		}
	sqlite3_close(h);
	assert_int_equal(plans, 2);
}

static void test_catalog_validation_names_index_path(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	json_t *d = one_proc("1.999001", "Thủ tục thử", 5);
	json_t *t = json_array_get(
	    json_object_get(
		json_array_get(json_object_get(json_array_get(json_object_get(d, "procedures"), 0),
					       "variants"),
			       0),
		"times"),
	    1);

	json_object_set_new(t, "unit", json_string("weeks"));
	assert_int_equal(ts_catalog_import_json(&f->ctx, d, NULL, NULL, NULL, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "procedures/0/variants/0/times/1/unit");
	json_decref(d);

	d = one_proc("12345", "Thủ tục thử", 5);
	ts_error_clear(&err);
	assert_int_equal(ts_catalog_import_json(&f->ctx, d, NULL, NULL, NULL, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "procedures/0/code");
	json_decref(d);

	d = one_proc("1.999001", "Thủ tục thử", 5);
	json_object_set_new(json_array_get(json_object_get(d, "procedures"), 0), "colour",
			    json_string("x"));
	ts_error_clear(&err);
	assert_int_equal(ts_catalog_import_json(&f->ctx, d, NULL, NULL, NULL, &err),
			 TS_ERR_UNKNOWN_FIELD);
	assert_string_equal(err.field, "procedures/0/colour");
	json_decref(d);
	assert_int_equal(count_procedures(f), 0);
}

static void test_catalog_bad_50th_record_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	json_t *doc = json_pack("{s:[]}", "procedures");
	json_t *arr = json_object_get(doc, "procedures");
	char code[16];

	for (int i = 0; i < 60; i++) {
		snprintf(code, sizeof(code), "2.%06d", i);
		json_t *one = one_proc(code, "Thủ tục số lượng", 3);
		json_array_append(arr, json_array_get(json_object_get(one, "procedures"), 0));
		json_decref(one);
	}
	/* valid shape, but an offering unit that does not exist: fails inside the transaction */
	json_object_set_new(json_array_get(arr, 49), "units", json_pack("[s]", "999.99.99.H99"));
	assert_int_equal(ts_catalog_import_json(&f->ctx, doc, NULL, NULL, NULL, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "procedures/49/units/0");
	assert_int_equal(count_procedures(f), 0);
	/* a validation failure at 49 likewise */
	json_object_del(json_array_get(arr, 49), "units");
	json_object_set_new(json_array_get(arr, 49), "name", json_string(""));
	ts_error_clear(&err);
	assert_int_equal(ts_catalog_import_json(&f->ctx, doc, NULL, NULL, NULL, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "procedures/49/name");
	assert_int_equal(count_procedures(f), 0);
	json_decref(doc);
}

struct vf_job {
	const char *code, *variant;
	int channel;
	int64_t unit_id, at;
	struct ts_proc_variant_info info;
	struct ts_arena *a;
};

static int vf_tx(struct ts_dbconn *c, void *p, struct ts_error *err)
{
	struct vf_job *j = p;
	return ts_catalog_variant_for(c, j->a, j->code, j->variant, j->channel, j->unit_id, j->at,
				      &j->info, err);
}

static int variant_for(struct fixture *f, struct vf_job *j, struct ts_error *err)
{
	j->a = &f->arena;
	if (!j->at)
		j->at = (int64_t)time(NULL);
	ts_error_clear(err);
	return ts_db_tx(f->db, TS_DB_TX_READ, vf_tx, j, err);
}

static void test_catalog_new_version_keeps_old_readable(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	int c = 0, v = 0, u = 0;
	json_t *d = one_proc("1.999002", "Thủ tục phiên bản", 5), *old;
	struct vf_job j = {.code = "1.999002", .channel = TS_CHANNEL_IN_PERSON};
	int64_t old_vid;

	assert_int_equal(ts_catalog_import_json(&f->ctx, d, &c, &v, &u, &err), 0);
	assert_int_equal(c, 1);
	assert_int_equal(variant_for(f, &j, &err), 0);
	old_vid = j.info.version_id;
	assert_int_equal(j.info.time_amount, 5);
	json_decref(d);

	d = one_proc("1.999002", "Thủ tục phiên bản", 7);
	json_object_set_new(json_array_get(json_object_get(d, "procedures"), 0), "valid_from",
			    json_string("2026-01-01"));
	assert_int_equal(ts_catalog_import_json(&f->ctx, d, &c, &v, &u, &err), 0);
	assert_int_equal(c, 0);
	assert_int_equal(v, 1);
	assert_int_equal(u, 0);
	json_decref(d);

	/* the old version by id, closed on the new version's first day */
	assert_int_equal(ts_catalog_version_get(&f->ctx, old_vid, &old, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(old, "version_no")), 1);
	assert_string_equal(json_string_value(json_object_get(old, "valid_to")), "2026-01-01");
	/* a date in 2025 still resolves to version 1 with its own time */
	j.at = 1751328000 + 86400 * 30; /* 2025-07-31 */
	assert_int_equal(variant_for(f, &j, &err), 0);
	assert_int_equal(j.info.version_id, old_vid);
	assert_int_equal(j.info.time_amount, 5);
	j.at = 1767225600 + 86400; /* 2026-01-02 */
	assert_int_equal(variant_for(f, &j, &err), 0);
	assert_true(j.info.version_id != old_vid);
	assert_int_equal(j.info.time_amount, 7);
	/* an earlier valid_from than the current version is refused */
	d = one_proc("1.999002", "Thủ tục phiên bản", 9);
	json_object_set_new(json_array_get(json_object_get(d, "procedures"), 0), "valid_from",
			    json_string("2025-12-01"));
	ts_error_clear(&err);
	assert_int_equal(ts_catalog_import_json(&f->ctx, d, &c, &v, &u, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "procedures/0/valid_from");
	json_decref(d);
}

static void test_catalog_variant_for_channels_units_variants(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	json_t *d = one_proc("1.999003", "Thủ tục kênh", 5);
	struct vf_job j = {.code = "1.999003", .channel = TS_CHANNEL_ONLINE};
	int64_t dept = 0, div = 0, other = 0;
	int c, u;

	json_object_set_new(json_array_get(json_object_get(d, "procedures"), 0), "units",
			    json_pack("[s]", "000.00.11.H99"));
	assert_int_equal(ts_catalog_import_json(&f->ctx, d, NULL, NULL, NULL, &err), 0);
	json_decref(d);
	assert_int_equal(ts_org_unit_by_code(&f->ctx, "000.00.11.H99", &dept, &err), 0);
	assert_int_equal(ts_org_unit_by_code(&f->ctx, "000.01.11.H99", &div, &err), 0);
	assert_int_equal(ts_org_unit_by_code(&f->ctx, "000.00.01.H99", &other, &err), 0);

	assert_int_equal(variant_for(f, &j, &err), 0);
	assert_int_equal(j.info.time_amount, 4);
	assert_int_equal(j.info.time_unit, TS_CAL_WORKING_HOURS);
	assert_string_equal(j.info.variant_code, "CHUNG");
	assert_int_equal(j.info.ndocs, 1);
	assert_string_equal(j.info.docs[0].code, "TP01");
	assert_int_equal(j.info.online_level, 1);
	assert_true(j.info.next_day_after_cutoff);
	j.channel = TS_CHANNEL_IN_PERSON;
	j.unit_id = div; /* a division of the offering department */
	assert_int_equal(variant_for(f, &j, &err), 0);
	assert_int_equal(j.info.time_amount, 5);
	assert_int_equal(j.info.time_unit, TS_CAL_WORKING_DAYS);
	j.unit_id = other;
	assert_int_equal(variant_for(f, &j, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "unit_id");
	j.unit_id = dept;
	j.channel = TS_CHANNEL_POST; /* no time published for post */
	assert_int_equal(variant_for(f, &j, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "channel");
	j.variant = "KHAN"; /* no due date: any channel */
	assert_int_equal(variant_for(f, &j, &err), 0);
	assert_true(j.info.no_due_date);
	j.variant = "KHONG_CO";
	assert_int_equal(variant_for(f, &j, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.field, "variant_code");
	j.variant = NULL;
	j.code = "9.999999";
	assert_int_equal(variant_for(f, &j, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.field, "procedure_code");

	/* sample: birth registration, 1 (unit not published -> working days) in person */
	import_sample(f, &c, &u);
	j = (struct vf_job){.code = "1.001193", .channel = TS_CHANNEL_IN_PERSON};
	assert_int_equal(variant_for(f, &j, &err), 0);
	assert_int_equal(j.info.time_amount, 1);
	assert_int_equal(j.info.time_unit, TS_CAL_WORKING_DAYS);
	assert_int_equal(j.info.ndocs, 8);
}

static void test_catalog_csv_parser_edge_cases(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_csv_row *rows;
	int n;
	const char *t = "\xEF\xBB\xBF"
			"a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n,,\nlast,\"\",z";

	assert_int_equal(ts_csv_parse(&f->arena, t, strlen(t), &rows, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].fields[0], "a");
	assert_int_equal(rows[1].nfields, 3);
	assert_string_equal(rows[1].fields[0], "x, y");
	assert_string_equal(rows[1].fields[1], "he said \"hi\"");
	assert_string_equal(rows[1].fields[2], "two\nlines");
	assert_int_equal(rows[1].line, 2);
	assert_int_equal(rows[2].line, 4);
	assert_int_equal(rows[2].nfields, 3);
	assert_string_equal(rows[2].fields[2], "");
	assert_int_equal(rows[3].nfields, 3);
	assert_string_equal(rows[3].fields[1], "");
	t = "a,b\n\"open,c\n";
	assert_int_equal(ts_csv_parse(&f->arena, t, strlen(t), &rows, &n, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "line/2");
	ts_error_clear(&err);
	t = "a,b\nx\"y,c\n";
	assert_int_equal(ts_csv_parse(&f->arena, t, strlen(t), &rows, &n, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "line/2");
	ts_error_clear(&err);
	t = "\"a\"b\n";
	assert_int_equal(ts_csv_parse(&f->arena, t, strlen(t), &rows, &n, &err), TS_ERR_VALIDATION);
	t = "";
	assert_int_equal(ts_csv_parse(&f->arena, t, 0, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void test_catalog_csv_round_trip_and_line_errors(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	char *csv, *bad;
	size_t len;
	int c, v, u;

	import_sample(f, &c, &u);
	assert_int_equal(ts_catalog_export_csv(&f->ctx, &csv, &len, &err), 0);
	assert_true(len > 1000);
	assert_int_equal(ts_catalog_import_csv(&f->ctx, csv, len, &c, &v, &u, &err), 0);
	assert_int_equal(c, 0);
	assert_int_equal(v, 0);
	assert_int_equal(u, 132);
	/* and the JSON export imports unchanged too */
	json_t *exp;
	assert_int_equal(ts_catalog_export_json(&f->ctx, &exp, &err), 0);
	assert_int_equal(ts_catalog_import_json(&f->ctx, exp, &c, &v, &u, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(u, 132);
	/* a bad time unit on line 4 */
	bad = (char *)"code,name,field,variant_code,variant_name,times,doc_name,doc_required\r\n"
		      "3.000001,\"Thủ tục, CSV\",Hộ tịch,A,Chung,1:5:working_days,Tờ khai,1\r\n"
		      "3.000001,\"Thủ tục, CSV\",Hộ tịch,A,Chung,1:5:working_days,\"Giấy "
		      "\"\"khác\"\"\",0\r\n"
		      "3.000002,Thủ tục hai,Hộ tịch,A,Chung,1:5:fortnights,Tờ khai,1\r\n";
	ts_error_clear(&err);
	assert_int_equal(ts_catalog_import_csv(&f->ctx, bad, strlen(bad), &c, &v, &u, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "line/4/times");
	assert_non_null(strstr(err.detail, "Dòng 4"));
	/* the first two rows alone import as one procedure with two documents */
	size_t good_len = (size_t)(strstr(bad, "3.000002") - bad);
	assert_int_equal(ts_catalog_import_csv(&f->ctx, bad, good_len, &c, &v, &u, &err), 0);
	assert_int_equal(c, 1);
	json_t *p;
	assert_int_equal(ts_catalog_get(&f->ctx, "3.000001", &p, &err), 0);
	json_t *docs =
	    json_object_get(json_array_get(json_object_get(p, "variants"), 0), "documents");
	assert_int_equal(json_array_size(docs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(docs, 1), "name")),
			    "Giấy \"khác\"");
	/* disagreeing procedure columns on the same code */
	bad = (char *)"code,name,field,variant_code,variant_name,doc_name\n"
		      "3.000003,Một,Hộ tịch,A,Chung,X\n"
		      "3.000003,Hai,Hộ tịch,A,Chung,Y\n";
	ts_error_clear(&err);
	assert_int_equal(ts_catalog_import_csv(&f->ctx, bad, strlen(bad), &c, &v, &u, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "line/3/name");
}

static void test_catalog_generate_demo_volume(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	int created = 0, c, u;
	json_t *exp;

	import_sample(f, &c, &u);
	assert_int_equal(ts_catalog_generate_demo(&f->ctx, 300, NULL, &created, &err), 0);
	assert_int_equal(created, 300);
	assert_int_equal(count_procedures(f), 432);
	assert_int_equal(ts_catalog_generate_demo(&f->ctx, 300, NULL, &created, &err), 0);
	assert_int_equal(created, 0);
	assert_int_equal(ts_catalog_export_json(&f->ctx, &exp, &err), 0);
	assert_int_equal(json_array_size(json_object_get(exp, "procedures")), 432);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(exp, "procedures"), 431), "code")),
			    "DEMO.000300");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_catalog_sample_imports_whole_then_unchanged, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_sample_labels_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_search_ranks_with_and_without_diacritics,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_search_index_finds_what_the_scan_finds,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_validation_names_index_path, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_bad_50th_record_writes_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_new_version_keeps_old_readable, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_variant_for_channels_units_variants, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_csv_parser_edge_cases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_csv_round_trip_and_line_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_generate_demo_volume, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
