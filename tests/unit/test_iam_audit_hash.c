/* test_iam_audit_hash.c - the audit row hash is a pure function of an unambiguous
 * serialisation: any field change, a NULL versus "", or moving bytes between adjacent
 * fields changes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iam/iam.h"

static struct ts_audit_row base(void)
{
	return (struct ts_audit_row){
		.seq = 7, .at = 1750000000, .actor_id = 3, .actor_label = "admin",
		.action = "account.create", .object_type = "account", .object_id = "42",
		.client_addr = "127.0.0.1", .summary = "kind=officer unit=5",
		.prev_hash = "0000000000000000000000000000000000000000000000000000000000000000"};
}

static void hash(const struct ts_audit_row *r, char out[65]) { ts_audit_hash(r, out, 65); }

static void test_audit_hash_is_stable_hex(void **state)
{
	(void)state;
	struct ts_audit_row r = base();
	char a[65], b[65];
	hash(&r, a);
	hash(&r, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
}

static void test_audit_hash_changes_with_every_field(void **state)
{
	(void)state;
	char h0[65], h[65];
	struct ts_audit_row r0 = base(), r;
	hash(&r0, h0);
#define CHANGED(stmt)                                                                          \
	do {                                                                                   \
		r = r0;                                                                        \
		stmt;                                                                          \
		hash(&r, h);                                                                   \
		assert_string_not_equal(h, h0);                                                \
	} while (0)
	CHANGED(r.seq = 8);
	CHANGED(r.at = 1750000001);
	CHANGED(r.actor_id = 4);
	CHANGED(r.actor_id = 0);
	CHANGED(r.actor_label = "admin2");
	CHANGED(r.action = "account.update");
	CHANGED(r.object_type = "role_grant");
	CHANGED(r.object_id = "43");
	CHANGED(r.object_id = NULL);
	CHANGED(r.client_addr = "10.0.0.1");
	CHANGED(r.summary = "kind=officer unit=6");
	CHANGED(r.summary = NULL);
	CHANGED(r.prev_hash = "1000000000000000000000000000000000000000000000000000000000000000");
#undef CHANGED
}

static void test_audit_hash_is_unambiguous(void **state)
{
	(void)state;
	char a[65], b[65];
	struct ts_audit_row r1 = base(), r2 = base();
	/* bytes moved across a field boundary */
	r1.object_type = "acc";
	r1.object_id = "ount42";
	r2.object_type = "account";
	r2.object_id = "42";
	hash(&r1, a);
	hash(&r2, b);
	assert_string_not_equal(a, b);
	/* NULL is not the empty string */
	r1 = base();
	r2 = base();
	r1.summary = NULL;
	r2.summary = "";
	hash(&r1, a);
	hash(&r2, b);
	assert_string_not_equal(a, b);
	/* a separator inside a value cannot fake a field */
	r1 = base();
	r2 = base();
	r1.actor_label = "a,5:admin";
	r2.actor_label = "a";
	hash(&r1, a);
	hash(&r2, b);
	assert_string_not_equal(a, b);
}

/* Rows of the chains (chain > 0) cover their chain and link too, and never hash like a row
 * of the first layout (chain 0) with the same fields. */
static void test_audit_hash_covers_chain_and_link(void **state)
{
	(void)state;
	char v1[65], h0[65], h[65];
	struct ts_audit_row r0 = base(), r;
	hash(&r0, v1);
	r0.chain = 2;
	r0.link = 7;
	hash(&r0, h0);
	assert_string_not_equal(h0, v1);
	r = r0;
	r.chain = 3;
	hash(&r, h);
	assert_string_not_equal(h, h0);
	r = r0;
	r.link = 8;
	hash(&r, h);
	assert_string_not_equal(h, h0);
	r = r0;
	r.seq = 8;
	hash(&r, h);
	assert_string_not_equal(h, h0);
	/* chain 1 at link 7 with seq 7 still differs from the same row in the first layout */
	r = base();
	r.chain = 1;
	r.link = 7;
	hash(&r, h);
	assert_string_not_equal(h, v1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_hash_is_stable_hex),
		cmocka_unit_test(test_audit_hash_changes_with_every_field),
		cmocka_unit_test(test_audit_hash_is_unambiguous),
		cmocka_unit_test(test_audit_hash_covers_chain_and_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
