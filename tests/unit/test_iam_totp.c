/* test_iam_totp.c - unit tests of the TOTP check (src/iam/mfa.c, RFC 6238 through liboath)
 * against the RFC's own test vectors (Appendix B, SHA-1, cut to 6 digits), its ±1 step
 * window and its refusal of malformed codes; and of the role list of
 * iam.totp_required_roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iam/iam.h"
#include "iam/iam_int.h"

/* base32 of the RFC's ASCII secret "12345678901234567890" */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static int check(const char *code, int64_t now, int64_t *step)
{
	struct ts_error e = {0};
	int rc = ts_iam_totp_check(RFC_SECRET, code, now, step, &e);
	if (rc) {
		assert_int_equal(rc, TS_ERR_VALIDATION);
		assert_int_equal(e.code, TS_ERR_VALIDATION);
		assert_string_equal(e.field, "totp_code");
	}
	return rc;
}

static void test_totp_rfc6238_vectors(void **state)
{
	(void)state;
	static const struct {
		int64_t t;
		const char *code; /* last 6 of the RFC's 8 digits */
	} v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
		 {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t step = -1;
		assert_int_equal(check(v[i].code, v[i].t, &step), 0);
		assert_int_equal(step, v[i].t / 30);
	}
}

static void test_totp_window_is_one_step(void **state)
{
	(void)state;
	int64_t step = -1;
	/* the code of step 1 (t = 59) is still good one step later and one step earlier ... */
	assert_int_equal(check("287082", 59 + 30, &step), 0);
	assert_int_equal(step, 1);
	assert_int_equal(check("287082", 59 - 30, &step), 0);
	assert_int_equal(step, 1);
	/* ... but not two steps away */
	assert_int_not_equal(check("287082", 59 + 60, &step), 0);
	assert_int_not_equal(check("081804", 1111111109 + 90, &step), 0);
}

static void test_totp_refuses_wrong_and_malformed_codes(void **state)
{
	(void)state;
	int64_t step;
	assert_int_not_equal(check("287083", 59, &step), 0);
	assert_int_not_equal(check("28708", 59, &step), 0);
	assert_int_not_equal(check("2870820", 59, &step), 0);
	assert_int_not_equal(check("28708a", 59, &step), 0);
	assert_int_not_equal(check(" 287082", 59, &step), 0);
	assert_int_not_equal(check("", 59, &step), 0);
	assert_int_not_equal(check(NULL, 59, &step), 0);
	struct ts_error e = {0};
	assert_int_not_equal(ts_iam_totp_check(NULL, "287082", 59, &step, &e), 0);
}

static void test_totp_required_roles_parse(void **state)
{
	(void)state;
	uint64_t m = 99;
	struct ts_error e = {0};
	assert_int_equal(ts_iam_roles_parse("", &m, &e), 0);
	assert_int_equal(m, 0);
	assert_int_equal(ts_iam_roles_parse(" system_admin, unit_admin ,inspector", &m, &e), 0);
	assert_int_equal(m, (UINT64_C(1) << TS_ROLE_SYS_ADMIN) | (UINT64_C(1) << TS_ROLE_UNIT_ADMIN) |
				    (UINT64_C(1) << TS_ROLE_INSPECTOR));
	assert_int_equal(ts_iam_roles_parse("system_admin,nobody", &m, &e), TS_ERR_CONFIG);
	assert_string_equal(e.field, "iam.totp_required_roles");
	assert_non_null(strstr(e.detail, "nobody"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totp_rfc6238_vectors),
		cmocka_unit_test(test_totp_window_is_one_step),
		cmocka_unit_test(test_totp_refuses_wrong_and_malformed_codes),
		cmocka_unit_test(test_totp_required_roles_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
