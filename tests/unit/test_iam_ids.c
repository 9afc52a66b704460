/* test_iam_ids.c - unit tests of iam's pure rules: personal ID and tax code checks
 * (DOMAIN.md §10), password policy, phone and e-mail normalisation, masking and the
 * role -> permission table (docs/permissions.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iam/iam.h"
#include "iam/iam_int.h"

static int pid(const char *s)
{
	struct ts_error e = {0};
	int rc = ts_iam_check_personal_id_at(s, 2025, "personal_id", &e);
	if (rc) {
		assert_int_equal(e.code, TS_ERR_VALIDATION);
		assert_string_equal(e.field, "personal_id");
		assert_true(e.detail[0] != '\0');
	}
	return rc;
}

static void test_personal_id_accepts_valid_numbers(void **state)
{
	(void)state;
	assert_int_equal(pid("001203004567"), 0); /* Hà Nội, female born 2003 */
	assert_int_equal(pid("079085123456"), 0); /* male born 1985 */
	assert_int_equal(pid("096199000001"), 0); /* last province code, born 1999 */
	assert_int_equal(pid("001225000000"), 0); /* born 2025: this year is fine */
	struct ts_error e = {0};
	assert_int_equal(ts_iam_check_personal_id("001085123456", "x", &e), 0);
}

static void test_personal_id_rejects_bad_numbers(void **state)
{
	(void)state;
	assert_int_not_equal(pid("000203004567"), 0); /* province 000 */
	assert_int_not_equal(pid("097203004567"), 0); /* province 097 */
	assert_int_not_equal(pid("999203004567"), 0);
	assert_int_not_equal(pid("00120300456"), 0);   /* 11 digits */
	assert_int_not_equal(pid("0012030045678"), 0); /* 13 digits */
	assert_int_not_equal(pid("123456789"), 0);     /* old 9-digit CMND */
	assert_int_not_equal(pid("00120300456a"), 0);
	assert_int_not_equal(pid("001 03004567"), 0);
	assert_int_not_equal(pid(""), 0);
	assert_int_not_equal(pid(NULL), 0);
	assert_int_not_equal(pid("001226004567"), 0); /* born 2026: in the future */
	assert_int_not_equal(pid("001499004567"), 0); /* born 2199 */
	assert_int_not_equal(pid("001999004567"), 0); /* century digit 9 -> 2300s */
}

/* Independent computation of the check digit from the formula in DOMAIN.md §10. */
static int check_digit(const char *nine)
{
	const int w[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
	int s = 0;
	for (int i = 0; i < 9; i++)
		s += (nine[i] - '0') * w[i];
	return 10 - (s % 11);
}

static int tax(const char *s)
{
	struct ts_error e = {0};
	int rc = ts_iam_check_tax_code(s, "tax_code", &e);
	if (rc) {
		assert_int_equal(e.code, TS_ERR_VALIDATION);
		assert_string_equal(e.field, "tax_code");
	}
	return rc;
}

static void test_tax_code_check_digit(void **state)
{
	(void)state;
	assert_int_equal(check_digit("010010910"), 6);
	assert_int_equal(tax("0100109106"), 0);
	assert_int_equal(tax("0100109106-001"), 0);
	assert_int_equal(tax("0100109107"), TS_ERR_VALIDATION);     /* wrong check digit */
	assert_int_equal(tax("0100109116"), TS_ERR_VALIDATION);     /* mutated digit */
	assert_int_equal(tax("0100109106-000"), TS_ERR_VALIDATION); /* no branch 000 */
	assert_int_equal(tax("0100109106001"), TS_ERR_VALIDATION);  /* 13 without the dash */
	assert_int_equal(tax("010010910"), TS_ERR_VALIDATION);
	assert_int_equal(tax("01001091066"), TS_ERR_VALIDATION);
	assert_int_equal(tax("01001O9106"), TS_ERR_VALIDATION);
	assert_int_equal(tax(NULL), TS_ERR_VALIDATION);

	/* every nine-digit stem from a sweep: valid exactly with its computed digit */
	char code[11];
	int tens = 0, checked = 0;
	for (long stem = 100000000; stem < 100000000 + 2000; stem += 7) {
		snprintf(code, sizeof(code), "%09ld", stem);
		int c = check_digit(code);
		assert_int_equal(ts_iam_tax_check_digit(code), c);
		for (int d = 0; d <= 9; d++) {
			code[9] = (char)('0' + d);
			code[10] = '\0';
			assert_int_equal(tax(code) == 0, c != 10 && d == c);
		}
		if (c == 10)
			tens++;
		checked++;
	}
	assert_true(tens > 0); /* the c = 10 case was exercised: no tenth digit accepted */
	assert_true(checked > 200);
	assert_int_equal(check_digit("000000000"), 10);
	assert_int_equal(tax("0000000000"), TS_ERR_VALIDATION);
}

static int pw(const char *p, const char *login)
{
	struct ts_error e = {0};
	int rc = ts_iam_check_password(p, login, &e);
	if (rc) {
		assert_int_equal(e.code, TS_ERR_WEAK_PASSWORD);
		assert_true(e.detail[0] != '\0');
	}
	return rc;
}

static void test_password_policy(void **state)
{
	(void)state;
	assert_int_equal(pw("abcdefghi1", NULL), 0);
	assert_int_equal(pw("Mật khẩu 2025", "an"), 0);
	assert_int_equal(pw("abcdefgh1", NULL), TS_ERR_WEAK_PASSWORD);   /* 9 chars */
	assert_int_equal(pw("abcdefghij", NULL), TS_ERR_WEAK_PASSWORD);  /* no digit */
	assert_int_equal(pw("1234567890", NULL), TS_ERR_WEAK_PASSWORD);  /* no letter */
	assert_int_equal(pw("", NULL), TS_ERR_WEAK_PASSWORD);
	assert_int_equal(pw(NULL, NULL), TS_ERR_WEAK_PASSWORD);
	assert_int_equal(pw("xx-NguyenAn-2025", "nguyenan"), TS_ERR_WEAK_PASSWORD);
	/* 10 code points but more bytes: counted in characters */
	assert_int_equal(pw("đđđđđđđđđ1", NULL), 0);
	assert_int_equal(pw("đđđđđđđđ1", NULL), TS_ERR_WEAK_PASSWORD);
	char long_pw[140];
	memset(long_pw, 'a', 128);
	long_pw[0] = '1';
	long_pw[128] = '\0';
	assert_int_equal(pw(long_pw, NULL), 0);
	long_pw[128] = 'b';
	long_pw[129] = '\0';
	assert_int_equal(pw(long_pw, NULL), TS_ERR_WEAK_PASSWORD);
}

static const char *phone(const char *in, char *out)
{
	struct ts_error e = {0};
	if (ts_iam_normalize_phone(in, out, 16, "phone", &e)) {
		assert_int_equal(e.code, TS_ERR_VALIDATION);
		assert_string_equal(e.field, "phone");
		return NULL;
	}
	return out;
}

static void test_phone_normalisation(void **state)
{
	(void)state;
	char o[16];
	assert_string_equal(phone("0912345678", o), "0912345678");
	assert_string_equal(phone("+84912345678", o), "0912345678");
	assert_string_equal(phone("84912345678", o), "0912345678");
	assert_string_equal(phone("091 234 5678", o), "0912345678");
	assert_string_equal(phone("+84 91-234.5678", o), "0912345678");
	assert_string_equal(phone("0387654321", o), "0387654321");
	assert_null(phone("091234567", o));     /* 9 digits */
	assert_null(phone("09123456789", o));   /* 11 digits */
	assert_null(phone("+840912345678", o)); /* +84 then a 0 */
	assert_null(phone("0212345678", o));    /* landline prefix */
	assert_null(phone("+0912345678", o));
	assert_null(phone("09123x5678", o));
	assert_null(phone("", o));
	assert_null(phone(NULL, o));
}

static void test_email_and_username(void **state)
{
	(void)state;
	char o[256];
	struct ts_error e = {0};
	assert_int_equal(ts_iam_normalize_email("An.Nguyen@Example.VN", o, sizeof(o), "email", &e), 0);
	assert_string_equal(o, "an.nguyen@example.vn");
	assert_int_not_equal(ts_iam_normalize_email("an@@x.vn", o, sizeof(o), "email", NULL), 0);
	assert_int_not_equal(ts_iam_normalize_email("an x@x.vn", o, sizeof(o), "email", NULL), 0);
	assert_int_not_equal(ts_iam_normalize_email("an@vn", o, sizeof(o), "email", NULL), 0);
	assert_int_equal(ts_iam_check_username("nguyen.van_an-2", "u", NULL), 0);
	assert_int_not_equal(ts_iam_check_username("Nguyen", "u", NULL), 0);
	assert_int_not_equal(ts_iam_check_username("1abc", "u", NULL), 0);
	assert_int_not_equal(ts_iam_check_username("ab", "u", NULL), 0);
}

static void test_mask_keeps_at_most_three(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	assert_string_equal(ts_iam_mask(&a, "001203004567"), "*********567");
	assert_string_equal(ts_iam_mask(&a, "abcde"), "*****");
	assert_null(ts_iam_mask(&a, NULL));
	ts_arena_release(&a);
}

#define P(x) TS_PERM_BIT(TS_PERM_##x)
static void test_role_permissions_match_the_documented_list(void **state)
{
	(void)state;
	assert_int_equal(ts_role_perms(TS_ROLE_CITIZEN), P(DOSSIER_SUBMIT));
	assert_int_equal(ts_role_perms(TS_ROLE_COUNTER), P(DOSSIER_RECEIVE) | P(DOSSIER_READ));
	assert_int_equal(ts_role_perms(TS_ROLE_SPECIALIST), P(DOSSIER_PROCESS) | P(DOSSIER_READ));
	assert_int_equal(ts_role_perms(TS_ROLE_DIVISION_HEAD),
			 P(DOSSIER_PROCESS) | P(DOSSIER_READ) | P(STATS_READ));
	assert_int_equal(ts_role_perms(TS_ROLE_CLERK), P(DOSSIER_READ));
	assert_int_equal(ts_role_perms(TS_ROLE_LEADER),
			 P(ACCOUNT_READ) | P(DOSSIER_APPROVE) | P(DOSSIER_PROCESS) | P(DOSSIER_READ) |
			     P(STATS_READ));
	assert_int_equal(ts_role_perms(TS_ROLE_UNIT_ADMIN),
			 P(ORG_WRITE) | P(CALENDAR_WRITE) | P(CATALOG_WRITE) | P(FLOW_WRITE) |
			     P(ACCOUNT_READ) | P(ACCOUNT_WRITE) | P(ROLE_GRANT) | P(AUDIT_READ) |
			     P(DOSSIER_READ));
	assert_int_equal(ts_role_perms(TS_ROLE_INSPECTOR),
			 P(ACCOUNT_READ) | P(AUDIT_READ) | P(DOSSIER_READ) | P(STATS_READ));
	uint64_t sys = ts_role_perms(TS_ROLE_SYS_ADMIN);
	for (int p = TS_PERM_AUTHENTICATED; p < TS_PERM__COUNT; p++)
		assert_true(sys & TS_PERM_BIT(p));
	assert_int_equal(ts_role_perms(-1), 0);
	assert_int_equal(ts_role_perms(TS_ROLE__COUNT), 0);
}

static void test_name_tables_round_trip(void **state)
{
	(void)state;
	for (int r = 0; r < TS_ROLE__COUNT; r++) {
		assert_non_null(ts_role_title(r));
		assert_int_equal(ts_role_parse(ts_role_name(r)), r);
	}
	for (int p = 0; p < TS_PERM__COUNT; p++)
		assert_int_equal(ts_perm_parse(ts_perm_name(p)), p);
	assert_int_equal(ts_role_parse("root"), -1);
	assert_int_equal(ts_perm_parse("dossier.everything"), -1);
	assert_null(ts_role_name(TS_ROLE__COUNT));
	assert_string_equal(ts_role_name(TS_ROLE_UNIT_ADMIN), "unit_admin");
	assert_string_equal(ts_perm_name(TS_PERM_APIKEY_MANAGE), "apikey.manage");
}

static void test_cli_context_holds_everything(void **state)
{
	(void)state;
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, NULL, NULL);
	for (int p = 0; p < TS_PERM__COUNT; p++)
		assert_true(ts_iam_has(&ctx.actor, p));
	assert_true(ts_iam_is_sysadmin(&ctx.actor));
	assert_string_equal(ctx.client_addr, "cli");
	struct ts_actor anon = {0};
	assert_true(ts_iam_has(&anon, TS_PERM_PUBLIC));
	assert_false(ts_iam_has(&anon, TS_PERM_AUTHENTICATED));
	assert_false(ts_iam_has(&anon, TS_PERM_AUDIT_READ));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_personal_id_accepts_valid_numbers),
		cmocka_unit_test(test_personal_id_rejects_bad_numbers),
		cmocka_unit_test(test_tax_code_check_digit),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_phone_normalisation),
		cmocka_unit_test(test_email_and_username),
		cmocka_unit_test(test_mask_keeps_at_most_three),
		cmocka_unit_test(test_role_permissions_match_the_documented_list),
		cmocka_unit_test(test_name_tables_round_trip),
		cmocka_unit_test(test_cli_context_holds_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
