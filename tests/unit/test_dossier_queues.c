/* test_dossier_queues.c - every work-queue query reads index ranges in queue order: on a
 * migrated SQLite store, EXPLAIN QUERY PLAN of each dossier_queue* query reads the dossier
 * table through its own indexes, never scans it, and sorts at most the merged first pages of
 * the units (a page stops after LIMIT rows, however many dossiers the province holds); the
 * counts read unit-led or partial indexes. */
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

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_each_queue_walks_its_index_in_order(void **state)
{
	(void)state;
	/* sorts: how many "TEMP B-TREE FOR ORDER BY" the plan may hold (the merge of the units'
	 * first pages; the code search's candidates) */
	static const struct {
		const char *query, *index, *index2;
		int sorts;
	} cases[] = {
	    {"dossier_queue_applicant", "dossier_q_applicant_idx", NULL, 0},
	    {"dossier_queue_assignee", "dossier_q_assignee_idx", NULL, 0},
	    {"dossier_queue_status", "dossier_q_status_idx", NULL, 0},
	    {"dossier_queue_open", "dossier_open_idx", NULL, 0},
	    {"dossier_queue", "dossier_q_all_idx", NULL, 0},
	    {"dossier_queue_units", "dossier_qc_idx", "dossier_qr_idx", 1},
	    {"dossier_queue_units_status", "dossier_qc_status_idx", "dossier_qr_status_idx", 1},
	    {"dossier_queue_units_open", "dossier_qc_open_idx", "dossier_qr_open_idx", 1},
	    {"dossier_queue_code_top", "COVERING INDEX dossier_qc_code_idx",
	     "COVERING INDEX dossier_qr_code_idx", 4},
	    {"dossier_queue_code_month", "dossier_qc_month_idx", "dossier_qr_month_idx", 2},
	    {"dossier_queue_code", "dossier_qc_code_idx", "dossier_code_ci_idx", 1},
	    {"dossier_code_prefix_count", "COVERING INDEX dossier_qc_code_idx", "dossier_code_ci_idx", 0},
	    {"dossier_count_status", "dossier_qc_status_idx", "dossier_qr_status_idx", 0},
	    {"dossier_count_assignee", "dossier_q_assignee_idx", NULL, 0},
	    {"dossier_count_due", "dossier_qc_open_idx", "dossier_open_idx", 0},
	    /* any unit-led index counts a unit's dossiers */
	    {"dossier_count_all", "INDEX dossier_qc", "(receiving_unit_id=?)", 0},
	    {"dossier_count_by_step", "dossier_qc_open_idx", "dossier_qr_open_idx", 0},
	};
	char dir[64], path[96], plan[8192];
	struct ts_db_options opt = {.pool_size = 1, .busy_timeout_ms = 1000, .max_retries = 1};
	struct ts_db *db = NULL;
	sqlite3 *h = NULL;

	test_store_open(dir, "test_queues", &opt, &db);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan_of(h, sql_of(cases[i].query), plan, sizeof(plan));
		if (!strstr(plan, cases[i].index) || (cases[i].index2 && !strstr(plan, cases[i].index2)) ||
		    count_of(plan, "TEMP B-TREE FOR ORDER BY") > cases[i].sorts ||
		    strstr(plan, "SCAN d |") || strstr(plan, "SCAN x |") || strstr(plan, "SCAN c |") ||
		    strstr(plan, "stats_dossier_ended_idx"))
			fail_msg("%s does not read %s in order: %s", cases[i].query, cases[i].index, plan);
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
