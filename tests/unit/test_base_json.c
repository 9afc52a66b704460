/* test_base_json.c - declarative request specs: unknown fields, types, bounds, UTF-8,
 * depth, trimming, and the field named in each error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/json.h"

static const char *const kinds[] = {"officer", "admin", NULL};
static const struct ts_json_field role_fields[] = {
	{.name = "role", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 40},
	{.name = "unit_id", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 1, .max = INT32_MAX},
};
static const struct ts_json_spec role_spec = TS_JSON_SPEC("Role", role_fields);
static const struct ts_json_field fields[] = {
	{.name = "name", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 2, .max = 10, .label = "Họ tên"},
	{.name = "password", .type = TS_J_STRING, .flags = TS_J_NOTRIM},
	{.name = "kind", .type = TS_J_STRING, .enum_values = kinds},
	{.name = "age", .type = TS_J_INT, .min = 0, .max = 150},
	{.name = "active", .type = TS_J_BOOL, .flags = TS_J_NULLABLE},
	{.name = "roles", .type = TS_J_ARRAY, .item_type = TS_J_OBJECT, .sub = &role_spec, .max = 3},
	{.name = "tags", .type = TS_J_ARRAY, .item_type = TS_J_STRING},
};
static const struct ts_json_spec spec = TS_JSON_SPEC("Person", fields);

static int parse(const char *body, json_t **out, struct ts_error *err)
{
	static struct ts_arena a;
	ts_arena_release(&a);
	ts_arena_init(&a, 0);
	ts_error_clear(err);
	return ts_json_parse(&a, body, strlen(body), &spec, out, err);
}

static void test_json_accepts_a_valid_body_and_trims(void **state)
{
	(void)state;
	json_t *v;
	struct ts_error err;
	assert_int_equal(parse("{\"name\":\"  Lê Bình \",\"password\":\" p \",\"kind\":\"admin\",\"age\":40,"
			       "\"active\":null,\"roles\":[{\"role\":\"x\",\"unit_id\":3}],\"tags\":[\"a\"]}",
			       &v, &err),
			 0);
	assert_string_equal(ts_json_str(v, "name"), "Lê Bình");
	assert_string_equal(ts_json_str(v, "password"), " p ");
	assert_int_equal(ts_json_int(v, "age", -1), 40);
	assert_false(ts_json_has(v, "active"));
}

static void test_json_rejects_unknown_fields(void **state)
{
	(void)state;
	json_t *v;
	struct ts_error err;
	assert_int_equal(parse("{\"name\":\"ab\",\"nam\":1}", &v, &err), TS_ERR_UNKNOWN_FIELD);
	assert_string_equal(err.field, "nam");
}

static void test_json_names_the_field_of_each_error(void **state)
{
	(void)state;
	json_t *v;
	struct ts_error err;
	assert_int_equal(parse("{}", &v, &err), TS_ERR_MISSING_FIELD);
	assert_string_equal(err.field, "name");
	assert_int_equal(parse("{\"name\":7}", &v, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "name");
	assert_int_equal(parse("{\"name\":\"a\"}", &v, &err), TS_ERR_VALIDATION); /* too short */
	assert_int_equal(parse("{\"name\":\"   a   \"}", &v, &err), TS_ERR_VALIDATION); /* short once trimmed */
	assert_int_equal(parse("{\"name\":\"ĐặngĐặngĐặn\"}", &v, &err), TS_ERR_VALIDATION); /* 11 code points */
	assert_int_equal(parse("{\"name\":\"ĐặngĐặngĐ\"}", &v, &err), 0);                  /* 9 code points */
	assert_int_equal(parse("{\"name\":\"ab\",\"kind\":\"boss\"}", &v, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "kind");
	assert_int_equal(parse("{\"name\":\"ab\",\"age\":151}", &v, &err), TS_ERR_VALIDATION);
	assert_int_equal(parse("{\"name\":\"ab\",\"age\":1.5}", &v, &err), TS_ERR_VALIDATION);
	assert_int_equal(parse("{\"name\":\"ab\",\"roles\":[{\"role\":\"x\",\"unit_id\":0}]}", &v, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "roles/0/unit_id");
	assert_int_equal(parse("{\"name\":\"ab\",\"roles\":[{\"role\":\"x\",\"unit_id\":1,\"z\":1}]}", &v, &err),
			 TS_ERR_UNKNOWN_FIELD);
	assert_int_equal(parse("{\"name\":\"ab\",\"tags\":[\"a\",1]}", &v, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "tags/1");
	assert_int_equal(parse("{\"name\":\"ab\",\"active\":\"yes\"}", &v, &err), TS_ERR_VALIDATION);
}

static void test_json_rejects_bad_documents(void **state)
{
	(void)state;
	json_t *v;
	struct ts_error err;
	assert_int_equal(parse("[1]", &v, &err), TS_ERR_BAD_JSON);
	assert_int_equal(parse("{\"name\":\"ab\"", &v, &err), TS_ERR_BAD_JSON);
	assert_int_equal(parse("{\"name\":\"ab\",\"name\":\"cd\"}", &v, &err), TS_ERR_BAD_JSON);
	assert_int_equal(parse("{\"name\":\"a\xff\"}", &v, &err), TS_ERR_BAD_JSON);
	assert_int_equal(parse("{\"name\":\"a\\u0000b\"}", &v, &err), TS_ERR_BAD_JSON);
	assert_int_equal(parse("{\"name\":\"a\\u0007b\"}", &v, &err), TS_ERR_VALIDATION);
	char deep[256] = "{\"name\":\"ab\",\"tags\":";
	for (int i = 0; i < 30; i++)
		deep[strlen(deep)] = (char)0x5b;
	for (int i = 0; i < 30; i++)
		deep[strlen(deep)] = (char)0x5d;
	deep[strlen(deep)] = (char)0x7d;
	assert_int_equal(parse(deep, &v, &err), TS_ERR_TOO_LARGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_accepts_a_valid_body_and_trims),
		cmocka_unit_test(test_json_rejects_unknown_fields),
		cmocka_unit_test(test_json_names_the_field_of_each_error),
		cmocka_unit_test(test_json_rejects_bad_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
