/* bench_stats.c - speed of the statistics (issue: report 06 for a province-year from the
 * counters <= 50 ms, the 766 index <= 200 ms, stats recount over the dossiers <= 60 s on
 * SQLite). Usage:
 *   bench_stats counters URL [DOSSIERS]  - loads a province-year of counters standing for
 *                                         DOSSIERS accepted dossiers (default 10,000,000) over
 *                                         the demo province's 117 deciding units, then times
 *                                         report 06 (year, quarter, month), the 766 index and
 *                                         the IOC object (DOSSIERS 0: time an already
 *                                         loaded store again)
 *   bench_stats recount URL [DOSSIERS [FROM]]
 *                                       - writes DOSSIERS finished dossiers with their five
 *                                         events and stock stretches (default 1,000,000), then
 *                                         times `stats recount` and `stats recount --check`
 *                                         (DOSSIERS 0: time an already written store again;
 *                                         FROM: the store already holds that many, written by
 *                                         an interrupted run, so start after them)
 * URL is a store that gets migrated (use a fresh one). Results go to bench/RESULTS.md by hand,
 * with the machine and the command. Counters are written through ts_stats_bump, the same
 * function every dossier transaction uses. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/log.h"
#include "org/org.h"
#include "stats/stats_int.h"

#ifndef TS_SOURCE_DIR
#define TS_SOURCE_DIR "."
#endif

#define PROCS_COMMUNE 60
#define PROCS_DEPARTMENT 100
#define RUNS 7

static unsigned g_seed = 42;
static unsigned rnd(unsigned n)
{
	g_seed = g_seed * 1103515245u + 12345u;
	return (g_seed >> 8) % n;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const struct ts_error *err)
{
	fprintf(stderr, "bench_stats: %s: %s %s\n", what, ts_err_code(err->code), err->detail);
	exit(1);
}

struct pairs {
	int64_t unit[8192], proc[8192];
	int n;
};

static void load_units(struct ts_ctx *cli, struct pairs *pr, int64_t *root)
{
	struct ts_error err = {0};
	int created = 0, existing = 0;
	json_t *doc = json_load_file(TS_SOURCE_DIR "/data/demo/province.json", 0, NULL);
	size_t i;
	json_t *u;

	if (!doc || ts_org_import(cli, doc, &created, &existing, &err))
		die("units", &err);
	json_array_foreach(json_object_get(doc, "units"), i, u)
	{
		const char *kind = json_string_value(json_object_get(u, "kind"));
		int64_t id = 0;
		int procs;
		if (ts_org_unit_by_code(cli, json_string_value(json_object_get(u, "code")), &id, &err))
			die("unit", &err);
		if (strcmp(kind, "province_pc") == 0)
			*root = id;
		procs = strcmp(kind, "department") == 0 ? PROCS_DEPARTMENT
			: (strcmp(kind, "commune") == 0 || strcmp(kind, "ward") == 0 ||
			   strcmp(kind, "special_zone") == 0)
			    ? PROCS_COMMUNE
			    : 0;
		for (int p = 0; p < procs && pr->n < 8192; p++) {
			pr->unit[pr->n] = id;
			pr->proc[pr->n++] = 1000 + (procs == PROCS_COMMUNE ? p : 500 + p);
		}
	}
	json_decref(doc);
}

struct day_job {
	struct ts_arena *a;
	const struct pairs *pr;
	int64_t day;
	double per_row; /* mean accepted dossiers per (day, unit, procedure) */
	int64_t written;
};

static int day_tx(struct ts_dbconn *c, void *v, struct ts_error *err)
{
	struct day_job *j = v;
	j->written = 0;
	for (int i = 0; i < j->pr->n; i++) {
		struct ts_stats_counts k = {{0}};
		/* a mean of per_row: the whole part plus one with the fractional probability */
		int64_t n = (int64_t)j->per_row +
			    (rnd(1000) < (unsigned)((j->per_row - (int64_t)j->per_row) * 1000) ? 1 : 0) +
			    (int64_t)rnd(3) - 1,
			res;
		if (n < 0)
			n = 0;
		int rc;
		if (n == 0)
			continue;
		res = n > 1 ? n - (int64_t)rnd(2) : n;
		k.v[TS_SC_submitted] = n;
		k.v[TS_SC_recv_online] = n / 2;
		k.v[TS_SC_recv_direct] = n - n / 2;
		k.v[TS_SC_recv_post] = rnd(4) == 0;
		k.v[TS_SC_recv_digitised] = n / 2;
		k.v[TS_SC_res_early] = res / 3;
		k.v[TS_SC_res_late] = rnd(8) == 0 ? 1 : 0;
		k.v[TS_SC_res_on_time] = res - res / 3 - k.v[TS_SC_res_late];
		k.v[TS_SC_res_seconds] = res * 3 * 86400;
		k.v[TS_SC_delivered] = res;
		k.v[TS_SC_delivered_electronic] = res / 2;
		k.v[TS_SC_rated] = res / 3;
		k.v[TS_SC_rating_sum] = 4 * (res / 3);
		k.v[TS_SC_d_active_in] = n + k.v[TS_SC_recv_post] - res;
		if ((rc = ts_stats_bump(c, j->a, j->pr->unit[i], j->pr->proc[i], 1, &j->day, &k, err)))
			return rc;
		j->written += n + k.v[TS_SC_recv_post];
	}
	ts_arena_release(j->a);
	ts_arena_init(j->a, 0);
	return 0;
}

struct seg_job {
	struct ts_arena *a;
	const struct pairs *pr;
	int64_t from, n, now;
};

static int seg_tx(struct ts_dbconn *c, void *v, struct ts_error *err)
{
	struct seg_job *j = v;
	/* open stretches begun in the last 10 days, due 3 to 15 days after: about one in ten is
	 * past its deadline at the report's moment; the stock counters get them too */
	for (int64_t i = 0; i < j->n; i++) {
		int k = (int)rnd((unsigned)j->pr->n);
		int64_t start = j->now - (int64_t)rnd(10 * 86400),
			due = start + 3 * 86400 + (int64_t)rnd(12 * 86400), day = ts_stats_day_of(start);
		bool paused = rnd(10) == 0;
		struct ts_dbval p[] = {TS_DB_INT(j->from + i), TS_DB_INT(j->pr->unit[k]),
				       TS_DB_INT(j->pr->proc[k]), TS_DB_INT(paused),
				       TS_DB_INT(start), TS_DB_INT(due), TS_DB_INT(0)};
		struct ts_stats_counts one = {{0}};
		int rc;
		one.v[paused ? TS_SC_d_paused_in : TS_SC_d_active_in] = 1;
		one.v[TS_SC_recv_direct] = 1; /* the acceptance that opened it */
		if ((rc = ts_db_query(c, j->a, "stats_segment_insert", p, 7, NULL, err)) ||
		    (rc = ts_stats_bump(c, j->a, j->pr->unit[k], j->pr->proc[k], 1, &day, &one, err)))
			return rc;
	}
	ts_arena_release(j->a);
	ts_arena_init(j->a, 0);
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static void report_time(const char *what, double *t)
{
	qsort(t, RUNS, sizeof(*t), cmp_double);
	printf("%-44s median %8.1f ms   min %8.1f   max %8.1f\n", what, t[RUNS / 2], t[0], t[RUNS - 1]);
}

static int64_t g_fixed_now;
static int64_t fixed_now(void)
{
	return g_fixed_now;
}

static void bench_counters(struct ts_db *db, struct ts_ctx *cli, int64_t dossiers)
{
	struct ts_error err = {0};
	struct pairs *pr = calloc(1, sizeof(*pr));
	struct ts_arena wa;
	struct ts_stats_period year, quarter, month;
	int64_t root = 0, total = 0, d0, d1;
	double t[RUNS], t0;

	load_units(cli, pr, &root); /* idempotent: a second run finds the units */
	ts_stats_period_make(TS_PERIOD_YEAR, 2026, 1, &year, NULL);
	ts_stats_period_make(TS_PERIOD_QUARTER, 2026, 4, &quarter, NULL);
	ts_stats_period_make(TS_PERIOD_MONTH, 2026, 12, &month, NULL);
	d0 = year.from_day;
	d1 = year.to_day;
	g_fixed_now = ts_stats_day_start(d1) + 12 * 3600;
	ts_stats_set_clock(fixed_now);
	ts_arena_init(&wa, 0);
	t0 = now_ms();
	for (int64_t day = d0; dossiers > 0 && day <= d1; day++) {
		struct day_job j = {&wa, pr, day, (double)dossiers / (double)(d1 - d0 + 1) / pr->n, 0};
		if (ts_db_tx(db, TS_DB_TX_WRITE, day_tx, &j, &err))
			die("load", &err);
		total += j.written;
	}
	{
		struct seg_job j = {&wa, pr, 1, 150000, g_fixed_now};
		if (dossiers > 0 && ts_db_tx(db, TS_DB_TX_WRITE, seg_tx, &j, &err))
			die("segments", &err);
	}
	printf("loaded %" PRId64 " accepted dossiers as counters over %d (unit, procedure) pairs, "
	       "%" PRId64 " days, 150000 open stretches, in %.1f s\n",
	       total, pr->n, d1 - d0 + 1, (now_ms() - t0) / 1000.0);
	ts_arena_release(&wa);

	const struct {
		const char *name;
		const struct ts_stats_period *p;
	} reps[] = {{"report 06, province, year 2026", &year},
		    {"report 06, province, quarter 4/2026", &quarter},
		    {"report 06, province, month 12/2026", &month}};
	for (size_t r = 0; r < sizeof(reps) / sizeof(reps[0]); r++) {
		for (int i = 0; i < RUNS; i++) {
			struct ts_arena a;
			struct ts_ctx ctx;
			struct ts_stats_report rep;
			ts_arena_init(&a, 0);
			ts_ctx_init_cli(&ctx, db, &a);
			t0 = now_ms();
			if (ts_stats_report06(&ctx, root, reps[r].p, &rep, &err))
				die("report", &err);
			t[i] = now_ms() - t0;
			if (i == 0 && r == 0)
				printf("  (year: received %" PRId64 ", resolved %" PRId64 ", rows %d, consistent %d)\n",
				       rep.total.cell[TS_CELL_RECEIVED], rep.total.cell[TS_CELL_RESOLVED],
				       rep.nrows, ts_stats_row_consistent(&rep.total));
			ts_arena_release(&a);
		}
		report_time(reps[r].name, t);
	}
	for (int i = 0; i < RUNS; i++) {
		struct ts_arena a;
		struct ts_ctx ctx;
		struct ts_stats_index x;
		ts_arena_init(&a, 0);
		ts_ctx_init_cli(&ctx, db, &a);
		t0 = now_ms();
		if (ts_stats_index766(&ctx, root, &year, &x, &err))
			die("index", &err);
		t[i] = now_ms() - t0;
		ts_arena_release(&a);
	}
	report_time("766 index, province, year 2026", t);
	for (int i = 0; i < RUNS; i++) {
		struct ts_arena a;
		struct ts_ctx ctx;
		json_t *o = NULL;
		ts_arena_init(&a, 0);
		ts_ctx_init_cli(&ctx, db, &a);
		t0 = now_ms();
		if (ts_stats_ioc(&ctx, root, &month, g_fixed_now, &o, &err))
			die("ioc", &err);
		t[i] = now_ms() - t0;
		json_decref(o);
		ts_arena_release(&a);
	}
	report_time("IOC object, province, month 12/2026", t);
	free(pr);
}

/* ---- recount ------------------------------------------------------------------------------ */

struct dossier_job {
	struct ts_arena *a;
	int64_t first, n, unit, t0;
};

static int dossiers_tx(struct ts_dbconn *c, void *v, struct ts_error *err)
{
	static const char *const actions[] = {"submit", "accept", "forward", "finish", "deliver"};
	static const int from[] = {0, 1, 2, 4, 9}, to[] = {1, 2, 4, 9, 10};
	struct dossier_job *j = v;
	int rc;

	for (int64_t i = 0; i < j->n; i++) {
		int64_t at = j->t0 + (j->first + i) * 30, id;
		char code[48];
		struct ts_dbres *r = NULL;
		snprintf(code, sizeof(code), "BENCH-%" PRId64, j->first + i);
		{
			struct ts_dbval p[] = {
			    TS_DB_TEXT(code), TS_DB_INT(1000 + (j->first + i) % 60), TS_DB_INT(1),
			    TS_DB_INT(1), TS_DB_TEXT("B.1"), TS_DB_TEXT("Thủ tục"), TS_DB_INT(0),
			    TS_DB_INT(40), TS_DB_INT(5), TS_DB_INT(1), TS_DB_INT(0), TS_DB_INT(0),
			    TS_DB_INT(j->unit), TS_DB_INT(j->unit), TS_DB_INT(j->unit), TS_DB_NULL,
			    TS_DB_TEXT("Nguyễn Văn A"), TS_DB_NULL, TS_DB_NULL,
			    TS_DB_INT(1 + (j->first + i) % 3), TS_DB_TEXT("counter"), TS_DB_INT(1),
			    TS_DB_INT(1), TS_DB_INT(at), TS_DB_NULL, TS_DB_INT(at), TS_DB_TEXT("{}")};
			if ((rc = ts_db_query(c, j->a, "dossier_insert", p, 27, &r, err)))
				return rc;
		}
		id = ts_dbres_int(r, 0, 0);
		{
			struct ts_dbval p[] = {
			    TS_DB_INT(id), TS_DB_INT(1), TS_DB_INT(10), TS_DB_INT(0), TS_DB_INT(4), TS_DB_NULL,
			    TS_DB_NULL, TS_DB_NULL, TS_DB_INT(at + 60), TS_DB_INT(at + 5 * 86400),
			    TS_DB_INT(at + 5 * 86400), TS_DB_NULL, TS_DB_INT(at + 86400),
			    TS_DB_INT(at + 86400 + 60), TS_DB_INT(0), TS_DB_NULL, TS_DB_INT(0), TS_DB_INT(0),
			    TS_DB_INT(1), TS_DB_NULL, TS_DB_NULL, TS_DB_TEXT("counter"),
			    TS_DB_INT(at + 86400 + 60)};
			/* final state: delivered (the update checks version 1 -> 2) */
			if ((rc = ts_db_query(c, j->a, "dossier_update", p, 23, NULL, err)))
				return rc;
		}
		for (int e = 0; e < 5; e++) {
			int64_t eat = e == 0 ? at : e == 1 ? at + 60 : e == 2 ? at + 120 : e == 3 ? at + 86400 : at + 86460;
			struct ts_dbval p[] = {TS_DB_INT(id), TS_DB_INT(eat), TS_DB_NULL, TS_DB_TEXT("bench"),
					       TS_DB_TEXT(actions[e]), TS_DB_INT(from[e]), TS_DB_INT(to[e]),
					       TS_DB_NULL, TS_DB_NULL, TS_DB_NULL, TS_DB_NULL, TS_DB_NULL,
					       TS_DB_NULL, TS_DB_NULL, TS_DB_NULL, TS_DB_NULL};
			if ((rc = ts_db_query(c, j->a, "dossier_event_insert", p, 16, NULL, err)))
				return rc;
		}
		{
			struct ts_dbval p[] = {TS_DB_INT(id),	       TS_DB_INT(j->unit),
					       TS_DB_INT(1000 + (j->first + i) % 60), TS_DB_INT(0),
					       TS_DB_INT(at + 60),      TS_DB_INT(at + 5 * 86400),
					       TS_DB_INT(0)};
			if ((rc = ts_db_query(c, j->a, "stats_segment_insert", p, 7, NULL, err)))
				return rc;
		}
	}
	ts_arena_release(j->a);
	ts_arena_init(j->a, 0);
	return 0;
}

/* The generator writes through a bulk-load handle (commits not waited for on disk: it is a
 * re-runnable load), then closes it; the recount is timed on an ordinary handle. */
enum { GEN_TX = 500 }; /* dossiers per transaction of the generator */

/* Writes dossiers from..dossiers-1 (from > 0 continues a store an interrupted run left: its
 * transactions are whole, so it holds exactly `from` of them). */
static void generate(const char *url, int64_t from, int64_t dossiers)
{
	struct ts_db_options opt = {.pool_size = 1, .busy_timeout_ms = 5000, .max_retries = 3,
				    .bulk_load = true};
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	struct ts_arena a, wa;
	struct ts_ctx cli;
	int64_t unit = 0;
	double t0;

	if (ts_db_open(url, &opt, &db, &err))
		die("store", &err);
	ts_arena_init(&a, 0);
	ts_ctx_init_cli(&cli, db, &a);
	{
		struct pairs *pr = calloc(1, sizeof(*pr));
		int64_t root = 0;
		load_units(&cli, pr, &root);
		unit = pr->unit[0];
		free(pr);
	}
	ts_arena_init(&wa, 0);
	t0 = now_ms();
	/* Small transactions: each runs in the writer's savepoint, and SQLite walks the
	 * savepoint's in-memory journal from its start at every statement's end, so the cost of a
	 * transaction grows with the square of its size (20,000 dossiers per transaction wrote
	 * about 50 a second per core at 3 M). */
	for (int64_t first = from; first < dossiers; first += GEN_TX) {
		struct dossier_job j = {&wa, first, dossiers - first < GEN_TX ? dossiers - first : GEN_TX,
					unit, 1767225600};
		if (ts_db_tx(db, TS_DB_TX_WRITE, dossiers_tx, &j, &err))
			die("dossiers", &err);
	}
	printf("wrote %" PRId64 " dossiers with 5 events and 1 stretch each in %.1f s\n",
	       dossiers - from, (now_ms() - t0) / 1000.0);
	fflush(stdout);
	ts_arena_release(&wa);
	ts_arena_release(&a);
	ts_db_close(db);
}

static void bench_recount(struct ts_db *db, int64_t dossiers)
{
	struct ts_error err = {0};
	int64_t rows = 0, diff = 0;
	double t0;

	for (int i = 0; i < 2; i++) {
		struct ts_arena a;
		struct ts_ctx ctx;
		ts_arena_init(&a, 0);
		ts_ctx_init_cli(&ctx, db, &a);
		t0 = now_ms();
		if (ts_stats_recount(&ctx, i == 0, &rows, &diff, &err))
			die("recount", &err);
		printf("stats recount%s over %" PRId64 " dossiers: %.1f s (%" PRId64 " day rows, %" PRId64
		       " differing)\n",
		       i == 0 ? "" : " --check", dossiers, (now_ms() - t0) / 1000.0, rows, diff);
		fflush(stdout);
		ts_arena_release(&a);
	}
}

int main(int argc, char **argv)
{
	struct ts_db_options opt = {.pool_size = 2, .busy_timeout_ms = 5000, .max_retries = 3};
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	struct ts_arena a;
	struct ts_ctx cli;
	int64_t n;

	if (argc < 3 || (strcmp(argv[1], "counters") && strcmp(argv[1], "recount"))) {
		fprintf(stderr, "usage: %s counters|recount URL [DOSSIERS [FROM]]\n", argv[0]);
		return 2;
	}
	n = argc > 3 ? strtoll(argv[3], NULL, 10) : strcmp(argv[1], "counters") == 0 ? 10000000 : 1000000;
	ts_log_set_level(TS_LOG_WARN);
	if (strcmp(argv[1], "recount") == 0 && n > 0) {
		struct ts_db *g = NULL;
		if (ts_db_open(argv[2], &opt, &g, &err) || ts_db_migrate(g, NULL, &err))
			die("store", &err);
		ts_db_close(g);
		generate(argv[2], argc > 4 ? strtoll(argv[4], NULL, 10) : 0, n);
	}
	if (ts_db_open(argv[2], &opt, &db, &err) || ts_db_migrate(db, NULL, &err))
		die("store", &err);
	ts_arena_init(&a, 0);
	ts_ctx_init_cli(&cli, db, &a);
	if (strcmp(argv[1], "counters") == 0)
		bench_counters(db, &cli, n);
	else
		bench_recount(db, n);
	ts_arena_release(&a);
	ts_db_close(db);
	return 0;
}
