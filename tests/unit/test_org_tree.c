/* test_org_tree.c - the organisation tree against a real SQLite store (migrated): demo
 * import twice, create, update with optimistic concurrency, no cycles, closing with a
 * successor, effective-date filters, subtree order and depth, list filters and scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "org/org.h"

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
	test_store_open(f->dir, "test_org_tree", &opt, &f->db);
	ts_arena_init(&f->arena, 0);
	ts_ctx_init_cli(&f->ctx, f->db, &f->arena);
	assert_true(test_store_load_demo_units(&f->ctx) >= 200);
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

static int64_t id_of(struct fixture *f, const char *code)
{
	struct ts_error err = {0};
	int64_t id = 0;
	if (ts_org_unit_by_code(&f->ctx, code, &id, &err))
		fail_msg("%s: %s", code, err.detail);
	return id;
}

static void test_import_twice_creates_nothing_new(void **state)
{
	struct fixture *f = *state;
	json_t *doc = json_load_file(TS_SOURCE_DIR "/data/demo/province.json", 0, NULL);
	struct ts_error err = {0};
	int created = -1, existing = -1;

	assert_int_equal(ts_org_import(&f->ctx, doc, &created, &existing, &err), 0);
	assert_int_equal(created, 0);
	assert_int_equal(existing, (int)json_array_size(json_object_get(doc, "units")));
	json_decref(doc);
}

static void test_import_is_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	int64_t id = 0;
	/* the second unit names a parent that exists nowhere: the first must not stay */
	json_t *doc = json_loads(
	    "{\"units\":[{\"code\":\"000.09.12.H99\",\"name\":\"Phòng mới\",\"kind\":\"division\","
	    "\"parent_code\":\"000.00.12.H99\"},{\"code\":\"000.08.12.H99\",\"name\":\"Phòng lạc\","
	    "\"kind\":\"division\",\"parent_code\":\"000.00.09.H99\"}]}",
	    0, NULL);

	assert_int_equal(ts_org_import(&f->ctx, doc, NULL, NULL, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "units/1/parent_code");
	ts_error_clear(&err);
	assert_int_equal(ts_org_unit_by_code(&f->ctx, "000.09.12.H99", &id, &err),
			 TS_ERR_NOT_FOUND);
	json_decref(doc);
}

static void test_create_rejects_taken_code_and_missing_parent(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	int64_t id = 0, stp = id_of(f, "000.00.12.H99");
	struct ts_unit_new in = {.code = "000.05.12.H99",
				 .name = "Phòng Công chứng",
				 .kind = TS_UNIT_KIND_DIVISION,
				 .parent_id = stp,
				 .valid_from = "2025-08-01"};
	struct ts_unit u;

	assert_int_equal(ts_org_unit_create(&f->ctx, &in, &id, &err), 0);
	assert_true(id > 0);
	assert_int_equal(ts_org_unit_get(&f->ctx, id, &u, NULL, NULL, &err), 0);
	assert_string_equal(u.code, "000.05.12.H99");
	assert_int_equal(u.parent_id, stp);
	assert_int_equal(u.kind, TS_UNIT_KIND_DIVISION);
	assert_int_equal(u.version, 1);
	assert_null(u.short_name);
	assert_null(u.valid_to);
	assert_int_equal(u.children_count, 0);

	assert_int_equal(ts_org_unit_create(&f->ctx, &in, &id, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.field, "code");
	ts_error_clear(&err);
	in.code = "000.06.12.H99";
	in.parent_id = 999999;
	assert_int_equal(ts_org_unit_create(&f->ctx, &in, &id, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "parent_id");
	ts_error_clear(&err);
	in.code = "000.06.12.h99";
	assert_int_equal(ts_org_unit_create(&f->ctx, &in, &id, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "code");
}

static void test_update_uses_version_and_refuses_cycles(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	int64_t stp = id_of(f, "000.00.12.H99"), hctp = id_of(f, "000.01.12.H99"), v = 0;
	struct ts_unit_update up = {
	    .version = 1, .set = TS_UNIT_SET_NAME, .name = "Phòng Hành chính và Bổ trợ tư pháp"};
	struct ts_unit u;

	assert_int_equal(ts_org_unit_update(&f->ctx, hctp, &up, &v, &err), 0);
	assert_int_equal(v, 2);
	/* someone still holding version 1 loses, with a conflict, not a silent overwrite */
	up.name = "Tên cũ";
	assert_int_equal(ts_org_unit_update(&f->ctx, hctp, &up, &v, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.field, "version");
	ts_error_clear(&err);
	assert_int_equal(ts_org_unit_get(&f->ctx, hctp, &u, NULL, NULL, &err), 0);
	assert_string_equal(u.name, "Phòng Hành chính và Bổ trợ tư pháp");

	/* a department may not move under its own division, nor under itself */
	up = (struct ts_unit_update){.version = 1, .set = TS_UNIT_SET_PARENT, .parent_id = hctp};
	assert_int_equal(ts_org_unit_update(&f->ctx, stp, &up, NULL, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "parent_id");
	ts_error_clear(&err);
	up.parent_id = stp;
	assert_int_equal(ts_org_unit_update(&f->ctx, stp, &up, NULL, &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	/* but a division may move to another department */
	up = (struct ts_unit_update){
	    .version = 2, .set = TS_UNIT_SET_PARENT, .parent_id = id_of(f, "000.00.11.H99")};
	assert_int_equal(ts_org_unit_update(&f->ctx, hctp, &up, &v, &err), 0);
	assert_int_equal(v, 3);
	assert_int_equal(ts_org_unit_update(&f->ctx, 999999, &up, NULL, &err), TS_ERR_NOT_FOUND);
}

static void test_closing_with_successor_and_effective_dates(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	int64_t xa1 = id_of(f, "000.00.31.H99"), xa2 = id_of(f, "000.00.32.H99"), pc;
	struct ts_unit_update up = {.version = 1,
				    .set = TS_UNIT_SET_VALID_TO | TS_UNIT_SET_SUCCESSOR,
				    .valid_to = "2025-06-30",
				    .successor_id = xa2};
	struct ts_unit_filter lf = {.parent_mode = TS_UNIT_PARENT_ID, .kind = -1};
	struct ts_unit u, parent, succ, *items = NULL;
	int n = 0;
	int64_t total = 0;

	/* before valid_from */
	assert_int_equal(ts_org_unit_update(&f->ctx, xa1, &up, NULL, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "valid_to");
	ts_error_clear(&err);
	up.successor_id = xa1; /* itself */
	up.valid_to = "2026-01-01";
	assert_int_equal(ts_org_unit_update(&f->ctx, xa1, &up, NULL, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "successor_id");
	ts_error_clear(&err);
	up.successor_id = xa2;
	assert_int_equal(ts_org_unit_update(&f->ctx, xa1, &up, NULL, &err), 0);

	assert_int_equal(ts_org_unit_get(&f->ctx, xa1, &u, &parent, &succ, &err), 0);
	assert_string_equal(u.valid_to, "2026-01-01");
	assert_int_equal(u.successor_id, xa2);
	assert_string_equal(succ.code, "000.00.32.H99");
	assert_string_equal(parent.code, "000.00.00.H99");
	assert_int_equal(u.children_count, 1);

	pc = parent.id;
	lf.parent_id = pc;
	lf.kind = TS_UNIT_KIND_COMMUNE;
	lf.at = "2025-12-31";
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(total, 79);
	lf.at = "2026-01-01"; /* the closed commune is gone that day, history is kept */
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(total, 78);
	lf.at = NULL;
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(total, 79);
	assert_int_equal(ts_org_unit_subtree(&f->ctx, xa1, "2026-02-01", &items, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void test_subtree_is_depth_first_with_depth(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_unit *items = NULL;
	int n = 0;

	assert_int_equal(
	    ts_org_unit_subtree(&f->ctx, id_of(f, "000.00.12.H99"), NULL, &items, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_string_equal(items[0].code, "000.00.12.H99");
	assert_int_equal(items[0].depth, 0);
	assert_string_equal(items[1].code, "000.01.12.H99");
	assert_int_equal(items[1].depth, 1);
	assert_string_equal(items[4].code, "000.04.12.H99");

	assert_int_equal(
	    ts_org_unit_subtree(&f->ctx, id_of(f, "000.00.00.H99"), "2025-07-01", &items, &n, &err),
	    0);
	assert_int_equal(n, 280);
	for (int i = 1; i < n; i++) /* depth-first: depth grows by at most one */
		assert_true(items[i].depth >= 1 && items[i].depth <= items[i - 1].depth + 1);
	/* before the reform the demo province does not exist */
	assert_int_equal(
	    ts_org_unit_subtree(&f->ctx, id_of(f, "000.00.00.H99"), "2025-06-30", &items, &n, &err),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(ts_org_unit_subtree(&f->ctx, 999999, NULL, &items, &n, &err),
			 TS_ERR_NOT_FOUND);
}

static void test_list_filters_and_pages(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_unit_filter lf = {.parent_mode = TS_UNIT_PARENT_ROOTS, .kind = -1};
	struct ts_unit *items = NULL;
	int n = 0;
	int64_t total = 0;

	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].code, "000.00.00.H99");
	assert_int_equal(items[0].children_count,
			 119); /* office, centre, 17 departments, 100 communes */

	lf = (struct ts_unit_filter){.kind = TS_UNIT_KIND_DEPARTMENT, .q = "STP"};
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].name, "Sở Tư pháp");
	lf.q = "h99"; /* codes match case-insensitively */
	lf.limit = 5;
	lf.offset = 15;
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(total, 17);
	lf.q = "100%"; /* wildcards are literal */
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err), 0);
	assert_int_equal(n, 0);
	lf.q = NULL;
	lf.limit = TS_ORG_LIST_MAX + 1;
	assert_int_equal(ts_org_unit_list(&f->ctx, &lf, &items, &n, &total, &err),
			 TS_ERR_VALIDATION);
	assert_string_equal(err.field, "limit");
}

static void test_scoped_writer_stays_in_its_subtree(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_grant g = {.role = TS_ROLE_UNIT_ADMIN,
			     .unit_id = id_of(f, "000.00.13.H99"),
			     .perms = TS_PERM_BIT(TS_PERM_ORG_WRITE)};
	struct ts_ctx ctx = f->ctx;
	struct ts_unit_new in = {.code = "000.07.13.H99",
				 .name = "Phòng Giá",
				 .kind = TS_UNIT_KIND_DIVISION,
				 .parent_id = g.unit_id};
	int64_t id = 0;

	ctx.actor.grants = &g;
	ctx.actor.ngrants = 1;
	ctx.actor.perms = TS_PERM_BIT(TS_PERM_ORG_WRITE) | TS_PERM_BIT(TS_PERM_AUTHENTICATED);
	assert_int_equal(ts_org_unit_create(&ctx, &in, &id, &err), 0);
	in.code = "000.07.14.H99";
	in.parent_id = id_of(f, "000.00.14.H99");
	assert_int_equal(ts_org_unit_create(&ctx, &in, &id, &err), TS_ERR_FORBIDDEN);
	ts_error_clear(&err);
	in.parent_id = 0; /* roots need a grant everywhere */
	assert_int_equal(ts_org_unit_create(&ctx, &in, &id, &err), TS_ERR_FORBIDDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_import_twice_creates_nothing_new, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_is_all_or_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_rejects_taken_code_and_missing_parent,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_uses_version_and_refuses_cycles, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_closing_with_successor_and_effective_dates, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_subtree_is_depth_first_with_depth, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_list_filters_and_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scoped_writer_stays_in_its_subtree, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
