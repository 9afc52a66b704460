/* test_base_core.c - the error table, the arena's cleanups and cap, the config table's
 * precedence, bounds and masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/err.h"
#include "base/mem.h"

static void test_err_table_maps_codes_to_status_and_machine_code(void **state)
{
	(void)state;
	assert_int_equal(ts_err_status(TS_ERR_CONFLICT), 409);
	assert_string_equal(ts_err_code(TS_ERR_CONFLICT), "conflict");
	assert_int_equal(ts_err_status(TS_ERR_VALIDATION), 422);
	assert_int_equal(ts_err_status(TS_ERR_UNAUTHENTICATED), 401);
	assert_string_equal(ts_err_code(12345), "internal_error");
	struct ts_error e = {0};
	assert_int_equal(ts_error_set(&e, TS_ERR_VALIDATION, "phone", "số %d", 1), TS_ERR_VALIDATION);
	ts_error_set(&e, TS_ERR_INTERNAL, "x", "later");
	assert_int_equal(e.code, TS_ERR_VALIDATION); /* the first failure is kept */
	assert_string_equal(e.field, "phone");
	assert_string_equal(e.detail, "số 1");
}

static int order[4], norder;
static void note(void *p) { order[norder++] = (int)(intptr_t)p; }

static void test_arena_runs_cleanups_in_reverse_and_honours_its_cap(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 10000);
	norder = 0;
	ts_arena_on_release(&a, note, (void *)1);
	ts_arena_on_release(&a, note, (void *)2);
	char *s = ts_arena_printf(&a, "%s-%d", "mã", 7);
	assert_string_equal(s, "mã-7");
	assert_non_null(ts_arena_alloc(&a, 5000));
	assert_null(ts_arena_alloc(&a, 6000));
	ts_arena_release(&a);
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 1);
}

static void test_arena_cleanup_runs_at_once_when_it_cannot_be_registered(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 1); /* nothing fits */
	norder = 0;
	assert_int_equal(ts_arena_on_release(&a, note, (void *)3), TS_ERR_NOMEM);
	assert_int_equal(norder, 1);
	ts_arena_release(&a);
}

static void test_config_precedence_file_env_flag(void **state)
{
	(void)state;
	struct ts_config c;
	struct ts_error err = {0};
	assert_int_equal(ts_config_init(&c), 0);
	assert_int_equal(ts_config_int(&c, TS_CFG_HTTP_THREADS), 0);
	char path[] = "/tmp/tinhso-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# comment\n\nhttp.threads = 3\nlisten = \"127.0.0.1:9000\"\n", f);
	fclose(f);
	assert_int_equal(ts_config_load_file(&c, path, &err), 0);
	assert_int_equal(ts_config_int(&c, TS_CFG_HTTP_THREADS), 3);
	assert_string_equal(ts_config_str(&c, TS_CFG_LISTEN), "127.0.0.1:9000");
	char *envp[] = {"PATH=/bin", "TINHSO_HTTP_THREADS=6", "TINHSO_CONFIG=/x", NULL};
	assert_int_equal(ts_config_load_env(&c, envp, &err), 0);
	assert_int_equal(ts_config_int(&c, TS_CFG_HTTP_THREADS), 6);
	assert_int_equal(c.source[TS_CFG_HTTP_THREADS], TS_CFG_FROM_ENV);
	assert_string_equal(ts_config_key_for_flag("http-threads"), "http.threads");
	assert_int_equal(ts_config_set(&c, "http.threads", "8", TS_CFG_FROM_FLAG, &err), 0);
	assert_int_equal(ts_config_int(&c, TS_CFG_HTTP_THREADS), 8);
	unlink(path);
	ts_config_release(&c);
}

static void test_config_refuses_unknown_and_out_of_bounds(void **state)
{
	(void)state;
	struct ts_config c;
	struct ts_error err = {0};
	ts_config_init(&c);
	assert_int_equal(ts_config_set(&c, "http.thread", "3", TS_CFG_FROM_FILE, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	assert_int_equal(ts_config_set(&c, "http.threads", "1025", TS_CFG_FROM_FILE, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	assert_int_equal(ts_config_set(&c, "http.threads", "4x", TS_CFG_FROM_FILE, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	assert_int_equal(ts_config_set(&c, "cookie.secure", "maybe", TS_CFG_FROM_FILE, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	assert_int_equal(ts_config_set(&c, "database", "mysql://x", TS_CFG_FROM_FILE, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
	char *envp[] = {"TINHSO_HTTP_THREDS=3", NULL};
	assert_int_equal(ts_config_load_env(&c, envp, &err), TS_ERR_CONFIG);
	assert_non_null(strstr(err.detail, "TINHSO_HTTP_THREDS"));
	ts_config_release(&c);
}

static void test_config_masks_database_passwords(void **state)
{
	(void)state;
	char out[256];
	ts_config_masked(TS_CFG_DATABASE, "postgresql://app:hunter2@db:5432/tinhso", out, sizeof(out));
	assert_string_equal(out, "postgresql://app:********@db:5432/tinhso");
	ts_config_masked(TS_CFG_DATABASE, "postgresql://db/tinhso?password=hunter2", out, sizeof(out));
	assert_null(strstr(out, "hunter2"));
	ts_config_masked(TS_CFG_DATABASE, "sqlite:var/tinhso.db", out, sizeof(out));
	assert_string_equal(out, "sqlite:var/tinhso.db");
}

static void test_allocation_failure_can_be_injected(void **state)
{
	(void)state;
#ifdef TS_FAULT_INJECTION
	ts_mem_fail_after(1);
	void *p = ts_malloc(8);
	void *q = ts_malloc(8);
	ts_mem_fail_after(-1);
	assert_non_null(p);
	assert_null(q);
	ts_free(p);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_table_maps_codes_to_status_and_machine_code),
		cmocka_unit_test(test_arena_runs_cleanups_in_reverse_and_honours_its_cap),
		cmocka_unit_test(test_arena_cleanup_runs_at_once_when_it_cannot_be_registered),
		cmocka_unit_test(test_config_precedence_file_env_flag),
		cmocka_unit_test(test_config_refuses_unknown_and_out_of_bounds),
		cmocka_unit_test(test_config_masks_database_passwords),
		cmocka_unit_test(test_allocation_failure_can_be_injected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
