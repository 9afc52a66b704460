/* test_org_codes.c - pure rules of src/org: agency codes, the kind table, dates, the
 * import's whole-document validation (which fails before touching a store), and the demo
 * province data/demo/province.json that `tinhso demo` loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "org/org.h"

#ifndef TS_SOURCE_DIR
#define TS_SOURCE_DIR "."
#endif

static int check(const char *code, struct ts_error *err)
{
	ts_error_clear(err);
	return ts_org_check_agency_code(code, "units/3/code", err);
}

static void test_agency_code_accepts_practice_and_long_forms(void **state)
{
	struct ts_error err;
	char max[TS_ORG_CODE_MAX + 1];
	(void)state;

	assert_int_equal(check("000.00.12.H62", &err), 0);
	assert_int_equal(check("000.00.00.G22", &err), 0);
	assert_int_equal(check("A", &err), 0);
	assert_int_equal(check("1.2.3", &err), 0);
	/* 35 characters, the legal maximum */
	memset(max, 'A', TS_ORG_CODE_MAX);
	max[3] = max[10] = max[20] = '.';
	max[TS_ORG_CODE_MAX] = '\0';
	assert_int_equal(check(max, &err), 0);
	assert_int_equal(err.code, 0);
}

static void test_agency_code_rejects_bad_forms_naming_the_field(void **state)
{
	static const char *const bad[] = {
	    "000.00.12.h62",			    /* lower case */
	    "000..12.H62",			    /* empty segment */
	    ".000.00.12.H62",			    /* leading dot */
	    "000.00.12.H62.",			    /* trailing dot */
	    ".",				    /* only a dot */
	    "000.00.12 H62",			    /* space */
	    "000-00-12-H62",			    /* other punctuation */
	    "000.00.12.Đ62",			    /* Vietnamese letter */
	    "AAAAAAAAAA.AAAAAAAAAA.AAAAAAAAAA.AAA", /* 36 characters */
	    "",
	    NULL,
	};
	struct ts_error err;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(bad[i], &err), TS_ERR_VALIDATION);
		assert_int_equal(err.code, TS_ERR_VALIDATION);
		assert_string_equal(err.field, "units/3/code");
		assert_true(err.detail[0] != '\0');
	}
}

static void test_kind_table_round_trips(void **state)
{
	(void)state;
	for (int k = 0; k < TS_UNIT_KIND__COUNT; k++) {
		const char *name = ts_org_kind_name(k);
		assert_non_null(name);
		assert_non_null(ts_org_kind_title(k));
		assert_int_equal(ts_org_kind_parse(name), k);
	}
	assert_int_equal(ts_org_kind_parse("department"), TS_UNIT_KIND_DEPARTMENT);
	assert_int_equal(ts_org_kind_parse("one_stop"), TS_UNIT_KIND_ONE_STOP);
	assert_int_equal(ts_org_kind_parse("Department"), -1);
	assert_int_equal(ts_org_kind_parse("district"), -1); /* gone since 1 July 2025 */
	assert_int_equal(ts_org_kind_parse(NULL), -1);
	assert_null(ts_org_kind_name(-1));
	assert_null(ts_org_kind_name(TS_UNIT_KIND__COUNT));
	assert_null(ts_org_kind_title(TS_UNIT_KIND__COUNT));
}

static void test_date_check_knows_the_calendar(void **state)
{
	static const char *const good[] = {"2025-07-01", "2024-02-29", "2000-02-29", "1999-12-31"};
	static const char *const bad[] = {
	    "2025-02-29", "1900-02-29", "2025-13-01", "2025-04-31",	  "2025-7-1",
	    "20250701",	  "2025/07/01", "",	      "2025-07-01T00:00", NULL};
	struct ts_error err;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ts_error_clear(&err);
		assert_int_equal(ts_org_check_date(good[i], "at", &err), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ts_error_clear(&err);
		assert_int_equal(ts_org_check_date(bad[i], "at", &err), TS_ERR_VALIDATION);
		assert_string_equal(err.field, "at");
	}
}

/* Runs the import on doc with no store: only documents that fail validation may be given. */
static int import_invalid(const char *doc_text, struct ts_error *err)
{
	struct ts_arena a;
	struct ts_ctx ctx;
	json_error_t jerr;
	json_t *doc = json_loads(doc_text, 0, &jerr);
	int created = -1, existing = -1, rc;

	assert_non_null(doc);
	ts_arena_init(&a, 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = &a; /* ctx.db stays NULL: validation must fail before any transaction */
	ts_error_clear(err);
	rc = ts_org_import(&ctx, doc, &created, &existing, err);
	assert_int_equal(created, 0);
	assert_int_equal(existing, 0);
	json_decref(doc);
	ts_arena_release(&a);
	return rc;
}

#define U(code, kind, parent)                                                                      \
	"{\"code\":\"" code "\",\"name\":\"Đơn vị " code "\",\"kind\":\"" kind "\"" parent "}"

static void test_import_validates_the_whole_document_first(void **state)
{
	struct ts_error err;
	(void)state;

	assert_int_equal(import_invalid("[]", &err), TS_ERR_VALIDATION);
	assert_int_equal(import_invalid("{\"note\":\"x\"}", &err), TS_ERR_MISSING_FIELD);
	assert_string_equal(err.field, "units");

	/* duplicate code: the second one is named */
	assert_int_equal(import_invalid("{\"units\":[" U("000.00.00.H99", "province_pc", "") "," U(
					    "000.00.00.H99", "department", "") "]}",
					&err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/1/code");

	/* a parent listed after its child */
	assert_int_equal(
	    import_invalid("{\"units\":[" U(
			       "000.00.12.H99", "department",
			       ",\"parent_code\":\"000.00.00.H99\"") "," U("000.00.00.H99",
									   "province_pc", "") "]}",
			   &err),
	    TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/0/parent_code");

	/* bad code deep in the list, index named */
	assert_int_equal(import_invalid("{\"units\":[" U("000.00.00.H99", "province_pc", "") "," U(
					    "000.00.12.H99", "department",
					    "") "," U("000..13.H99", "department", "") "]}",
					&err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/2/code");

	assert_int_equal(
	    import_invalid("{\"units\":[" U("000.00.00.H99", "district", "") "]}", &err),
	    TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/0/kind");

	assert_int_equal(
	    import_invalid("{\"units\":[{\"code\":\"A\",\"name\":\"A\",\"kind\":\"other\","
			   "\"colour\":\"red\"}]}",
			   &err),
	    TS_ERR_UNKNOWN_FIELD);
	assert_string_equal(err.field, "units/0/colour");

	assert_int_equal(import_invalid("{\"units\":[{\"code\":\"A\",\"kind\":\"other\"}]}", &err),
			 TS_ERR_MISSING_FIELD);
	assert_string_equal(err.field, "units/0/name");

	assert_int_equal(
	    import_invalid("{\"units\":[{\"code\":\"A\",\"name\":\"A\",\"kind\":\"other\","
			   "\"valid_from\":\"2025-02-30\"}]}",
			   &err),
	    TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/0/valid_from");

	assert_int_equal(
	    import_invalid("{\"units\":[{\"code\":7,\"name\":\"A\",\"kind\":\"other\"}]}", &err),
	    TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/0/code");
}

static void test_demo_province_is_valid(void **state)
{
	const char *path = TS_SOURCE_DIR "/data/demo/province.json";
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	const json_t *units, *note;
	size_t n, departments = 0, communes = 0, roots = 0;
	struct ts_error err;
	(void)state;

	if (!doc)
		fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
	note = json_object_get(doc, "note");
	assert_true(json_is_string(note));
	assert_non_null(strstr(json_string_value(note), "DỮ LIỆU MẪU"));
	units = json_object_get(doc, "units");
	assert_true(json_is_array(units));
	n = json_array_size(units);
	assert_true(n > 0 && n <= TS_ORG_IMPORT_MAX);
	for (size_t i = 0; i < n; i++) {
		const json_t *u = json_array_get(units, i);
		const char *code = json_string_value(json_object_get(u, "code"));
		const char *parent = json_string_value(json_object_get(u, "parent_code"));
		const char *name = json_string_value(json_object_get(u, "name"));
		int kind = ts_org_kind_parse(json_string_value(json_object_get(u, "kind")));
		int parent_seen = parent == NULL;

		ts_error_clear(&err);
		if (!code || ts_org_check_agency_code(code, "code", &err))
			fail_msg("unit %zu: bad code %s", i, code ? code : "(none)");
		if (!name || !*name)
			fail_msg("unit %zu (%s): no name", i, code);
		if (kind < 0)
			fail_msg("unit %zu (%s): unknown kind", i, code);
		for (size_t j = 0; j < i; j++) {
			const char *other =
			    json_string_value(json_object_get(json_array_get(units, j), "code"));
			if (strcmp(other, code) == 0)
				fail_msg("unit %zu: code %s repeats unit %zu", i, code, j);
			if (parent && strcmp(other, parent) == 0)
				parent_seen = 1;
		}
		if (!parent_seen)
			fail_msg("unit %zu (%s): parent %s not listed before it", i, code, parent);
		roots += parent == NULL;
		departments += kind == TS_UNIT_KIND_DEPARTMENT;
		communes += kind == TS_UNIT_KIND_COMMUNE || kind == TS_UNIT_KIND_WARD ||
			    kind == TS_UNIT_KIND_SPECIAL_ZONE;
	}
	assert_int_equal(roots, 1);
	assert_true(departments >= 15);
	assert_true(communes >= 90);
	json_decref(doc);
}

/* The codes src/app/demo.c grants the demo accounts on (data/demo/README.md). */
static void test_demo_province_has_the_demo_account_units(void **state)
{
	static const char *const wanted[][2] = {
	    {"000.00.00.H99", "province_pc"}, {"000.00.12.H99", "department"},
	    {"000.01.12.H99", "division"},    {"000.00.25.H99", "department"},
	    {"000.00.31.H99", "commune"},
	};
	json_t *doc = json_load_file(TS_SOURCE_DIR "/data/demo/province.json", 0, NULL);
	const json_t *units = json_object_get(doc, "units");
	(void)state;

	assert_non_null(units);
	for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++) {
		size_t i, n = json_array_size(units);
		for (i = 0; i < n; i++) {
			const json_t *u = json_array_get(units, i);
			if (strcmp(json_string_value(json_object_get(u, "code")), wanted[w][0]) ==
			    0) {
				assert_string_equal(json_string_value(json_object_get(u, "kind")),
						    wanted[w][1]);
				break;
			}
		}
		if (i == n)
			fail_msg("demo unit %s missing", wanted[w][0]);
	}
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agency_code_accepts_practice_and_long_forms),
	    cmocka_unit_test(test_agency_code_rejects_bad_forms_naming_the_field),
	    cmocka_unit_test(test_kind_table_round_trips),
	    cmocka_unit_test(test_date_check_knows_the_calendar),
	    cmocka_unit_test(test_import_validates_the_whole_document_first),
	    cmocka_unit_test(test_demo_province_is_valid),
	    cmocka_unit_test(test_demo_province_has_the_demo_account_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
