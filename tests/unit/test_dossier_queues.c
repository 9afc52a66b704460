/* test_dossier_queues.c - every work-queue query is one index range in queue order: on a
 * migrated SQLite store, EXPLAIN QUERY PLAN of each dossier_queue* query reads the dossier
 * table through its own index and needs no sort for ORDER BY (a page stops after LIMIT rows,
 * however many dossiers the province holds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/sql_embed.h"

#include "store_fixture.h"

static const char *sql_of(const char *name)
{
	for (size_t i = 0; i < ts_sql_query_count; i++)
		if (strcmp(ts_sql_queries[i].name, name) == 0)
			return ts_sql_queries[i].sqlite;
	fail_msg("no query %s", name);
	return NULL;
}

/* The plan's lines joined by " | ". */
static void plan_of(sqlite3 *h, const char *sql, char *out, size_t outsz)
{
	char q[8192];
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%s | ", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

static void test_each_queue_walks_its_index_in_order(void **state)
{
	(void)state;
	static const struct {
		const char *query, *index;
	} cases[] = {
	    {"dossier_queue_applicant", "dossier_q_applicant_idx"},
	    {"dossier_queue_assignee", "dossier_q_assignee_idx"},
	    {"dossier_queue_status", "dossier_q_status_idx"},
	    {"dossier_queue", "dossier_q_all_idx"},
	};
	char dir[64], path[96], plan[4096];
	struct ts_db_options opt = {.pool_size = 1, .busy_timeout_ms = 1000, .max_retries = 1};
	struct ts_db *db = NULL;
	sqlite3 *h = NULL;

	test_store_open(dir, "test_queues", &opt, &db);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan_of(h, sql_of(cases[i].query), plan, sizeof(plan));
		if (!strstr(plan, cases[i].index) || strstr(plan, "TEMP B-TREE FOR ORDER BY") ||
		    strstr(plan, "SCAN d |"))
			fail_msg("%s is not one ordered range of %s: %s", cases[i].query, cases[i].index,
				 plan);
	}
	sqlite3_close(h);
	test_store_remove(db, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_queue_walks_its_index_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
