/* test_http_match.c - route pattern matching (http/match.c): literals, {name} parameters
 * with percent-decoding, {name...} rest parameters, and the paths that must not match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "http/http.h"

struct fx {
	struct ts_arena a;
	const char *v[8];
	int n;
};

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	ts_arena_init(&f.a, 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ts_arena_release(&f->a);
	return 0;
}

static bool m(struct fx *f, const char *pattern, const char *path)
{
	f->n = -1;
	return ts_http_match(pattern, path, &f->a, f->v, 8, &f->n);
}

static void test_match_literal_paths(void **state)
{
	struct fx *f = *state;
	assert_true(m(f, "/", "/"));
	assert_int_equal(f->n, 0);
	assert_true(m(f, "/api/v1/health", "/api/v1/health"));
	assert_int_equal(f->n, 0);
	assert_false(m(f, "/api/v1/health", "/api/v1/healthz"));
	assert_false(m(f, "/api/v1/health", "/api/v1"));
	assert_false(m(f, "/api/v1", "/api/v1/health"));
	assert_false(m(f, "/api/v1/health", "/API/v1/health"));
	assert_int_equal(f->n, 0);
}

static void test_match_trailing_slash_differs(void **state)
{
	struct fx *f = *state;
	assert_false(m(f, "/api/v1/units", "/api/v1/units/"));
	assert_false(m(f, "/api/v1/units/", "/api/v1/units"));
	assert_false(m(f, "/api/v1/units/{id}", "/api/v1/units/"));
	assert_false(m(f, "/a/b", "/a//b"));
	assert_false(m(f, "/", ""));
	assert_false(m(f, "/", "/x"));
}

static void test_match_params_in_order(void **state)
{
	struct fx *f = *state;
	assert_true(m(f, "/api/v1/units/{id}/children", "/api/v1/units/42/children"));
	assert_int_equal(f->n, 1);
	assert_string_equal(f->v[0], "42");
	assert_true(m(f, "/a/{x}/b/{y}", "/a/1/b/two"));
	assert_int_equal(f->n, 2);
	assert_string_equal(f->v[0], "1");
	assert_string_equal(f->v[1], "two");
	assert_false(m(f, "/api/v1/units/{id}/children", "/api/v1/units/42/parents"));
	assert_false(m(f, "/api/v1/units/{id}", "/api/v1/units/42/children"));
	assert_int_equal(f->n, 0);
}

static void test_match_param_is_percent_decoded(void **state)
{
	struct fx *f = *state;
	assert_true(m(f, "/d/{code}", "/d/H%C3%A0%20N%e1%BB%99i"));
	assert_string_equal(f->v[0], "Hà Nội");
	assert_true(m(f, "/d/{code}", "/d/a+b"));
	assert_string_equal(f->v[0], "a+b");	     /* '+' is literal in paths */
	assert_false(m(f, "/d/{code}", "/d/a%2Fb")); /* decoded '/' */
	assert_false(m(f, "/d/{code}", "/d/a%2fb"));
	assert_false(m(f, "/d/{code}", "/d/a%00b")); /* decoded NUL */
	assert_false(m(f, "/d/{code}", "/d/a%zzb")); /* malformed escape */
	assert_false(m(f, "/d/{code}", "/d/abc%4"));
	assert_false(m(f, "/d/{code}", "/d/%"));
}

static void test_match_rest_param_takes_remainder(void **state)
{
	struct fx *f = *state;
	assert_true(m(f, "/files/{path...}", "/files/a/b/c.txt"));
	assert_int_equal(f->n, 1);
	assert_string_equal(f->v[0], "a/b/c.txt");
	assert_true(m(f, "/u/{id}/f/{rest...}", "/u/7/f/x%20y/z"));
	assert_int_equal(f->n, 2);
	assert_string_equal(f->v[0], "7");
	assert_string_equal(f->v[1], "x y/z");
	assert_true(m(f, "/files/{path...}", "/files/dir/"));
	assert_string_equal(f->v[0], "dir/");
	assert_false(m(f, "/files/{path...}", "/files/"));
	assert_false(m(f, "/files/{path...}", "/files"));
	assert_false(m(f, "/files/{path...}", "/files/a%00"));
	/* a rest parameter anywhere but last is not a rest parameter */
	assert_false(m(f, "/files/{path...}/x", "/files/a/b/x"));
}

static void test_match_respects_max_params(void **state)
{
	struct fx *f = *state;
	const char *v[2];
	int n = -1;
	assert_true(ts_http_match("/{a}/{b}", "/1/2", &f->a, v, 2, &n));
	assert_int_equal(n, 2);
	assert_false(ts_http_match("/{a}/{b}/{c}", "/1/2/3", &f->a, v, 2, &n));
	assert_int_equal(n, 0);
	assert_true(m(f, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", "/1/2/3/4/5/6/7/8"));
	assert_int_equal(f->n, 8);
	assert_string_equal(f->v[7], "8");
	assert_false(m(f, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", "/1/2/3/4/5/6/7/8/9"));
}

static void test_match_rejects_malformed_input(void **state)
{
	struct fx *f = *state;
	assert_false(m(f, "", "/"));
	assert_false(m(f, "api", "api"));
	assert_false(ts_http_match(NULL, "/", &f->a, f->v, 8, &f->n));
	assert_false(ts_http_match("/", NULL, &f->a, f->v, 8, &f->n));
	/* braces inside a segment are literal text */
	assert_true(m(f, "/a{b}", "/a{b}"));
	assert_false(m(f, "/a{b}", "/ax"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_match_literal_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_trailing_slash_differs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_params_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_param_is_percent_decoded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_rest_param_takes_remainder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_respects_max_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_rejects_malformed_input, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
