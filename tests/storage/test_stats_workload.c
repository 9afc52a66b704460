/* test_stats_workload.c - statistics against a randomised workload of every dossier
 * transition, run unchanged on SQLite and PostgreSQL: test_stats_workload URL.
 * A seeded random walk drives ts_dossier_* through the C API with a fixed clock that jumps
 * minutes to days (so deadlines pass, pauses shift them, some dossiers finish late). At
 * local midnights the test snapshots every dossier's own state (its model of the stock);
 * at the end it checks, for periods ending at each snapshot and between two of them:
 * report 06 equals the model cell by cell (flows from the final dossier rows, stock from
 * the snapshot), every row keeps the identities, every cell drills down to exactly as many
 * dossiers, year / month roll-ups agree with days, a query failing anywhere in a transition
 * changes nothing, the counters equal `stats recount` (also read in one-day windows; with
 * dossiers marked as using population data before and after acceptance), and a deliberately
 * wrong counter is found by the recount and repaired by it. One of the three procedures is a
 * real catalogue procedure offered fully online, submitted online and at the counter, so the
 * 766 indicator 3.1 (recv_fo_eligible / recv_fo_online) is checked against the dossiers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/log.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "dossier/dossier.h"
#include "dvcqg/identity.h"
#include "org/org.h"
#include "stats/stats.h"

#ifndef TS_SOURCE_DIR
#define TS_SOURCE_DIR "."
#endif

#define NDOSSIERS 120
#define NSTEPS 900
#define MAXSNAP 24

static const char *g_url;
static int64_t g_clock;
static int64_t fixed_now(void)
{
	return g_clock;
}

static struct ts_proc_doc fake_docs[] = {{1, "TK01", "Tờ khai", 1, 0, true, NULL}};

/* TEST.3: a real catalogue procedure (stored as DEMO.990003) offered fully online ("dịch vụ công trực tuyến toàn
 * trình", online_level 2), so that its receptions count as eligible (recv_fo_eligible) and
 * the online ones as fully-online dossiers (recv_fo_online, 766 indicator 3.1). */
static int64_t g_fo_procedure, g_fo_version;

static int fake_variant(struct ts_dbconn *conn, struct ts_arena *a, const char *pc, const char *vc,
			int channel, int64_t unit, int64_t at, struct ts_proc_variant_info *out,
			struct ts_error *err)
{
	(void)conn; (void)a; (void)vc; (void)channel; (void)unit; (void)at;
	memset(out, 0, sizeof(*out));
	if (strcmp(pc, "TEST.1") == 0) {
		out->procedure_id = 7;
		out->time_amount = 2;
	} else if (strcmp(pc, "TEST.2") == 0) {
		out->procedure_id = 8;
		out->time_amount = 3;
	} else if (strcmp(pc, "TEST.3") == 0) {
		out->procedure_id = g_fo_procedure;
		out->time_amount = 2;
	} else {
		return ts_error_set(err, TS_ERR_NOT_FOUND, "procedure_code", "no such procedure");
	}
	out->version_id = out->procedure_id == g_fo_procedure ? g_fo_version : out->procedure_id * 10;
	out->variant_id = out->procedure_id * 100;
	out->code = pc;
	out->name = "Thủ tục thử";
	out->time_unit = TS_CAL_WORKING_DAYS;
	out->docs = fake_docs;
	out->ndocs = 1;
	return 0;
}

/* the test's own model of the stock at a snapshot moment */
struct snap {
	int64_t day; /* the last day included: the snapshot is at the start of day + 1 */
	int64_t in_within, in_over, susp_within, susp_over;
};

struct world {
	struct ts_db *db;
	struct ts_arena arena;
	struct ts_ctx cli, citizen;
	int64_t units[2], root, citizen_id;
	char codes[NDOSSIERS][TS_DOSSIER_CODE_MAX];
	int ncodes;
	int64_t first_day;
	struct snap snaps[MAXSNAP];
	int nsnaps;
	unsigned seed;
};

static struct world W;

static unsigned rnd(unsigned n)
{
	W.seed = W.seed * 1103515245u + 12345u;
	return (W.seed >> 8) % n;
}

static int64_t vn(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
	return (int64_t)timegm(&tm) - TS_TZ_OFFSET;
}

static void fresh_arena(void)
{
	ts_arena_release(&W.arena);
	ts_arena_init(&W.arena, 0);
}

static struct ts_dossier get(const char *code)
{
	struct ts_error err = {0};
	struct ts_dossier d;
	if (ts_dossier_get(&W.cli, code, &d, NULL, NULL, NULL, NULL, &err))
		fail_msg("get %s: %s", code, err.detail);
	return d;
}

static void new_dossier(void)
{
	struct ts_error err = {0};
	struct ts_dossier d;
	static const struct ts_dossier_doc docs[] = {{"TK01", NULL, 1, 0, true, false}};
	static const struct ts_dossier_doc docs2[] = {{"TK01", NULL, 1, 0, false, true}};
	static const char *const procs[] = {"TEST.1", "TEST.2", "TEST.3"};
	struct ts_dossier_new in = {.procedure_code = procs[rnd(3)],
				    .competent_unit_id = W.units[rnd(2)],
				    .delivery = (int)rnd(3),
				    .applicant_name = "Nguyễn Văn An",
				    .docs = rnd(2) ? docs : docs2,
				    .ndocs = 1};
	int rc;

	if (rnd(2)) {
		rc = ts_dossier_submit(&W.citizen, &in, NULL, &d, &err);
	} else {
		in.channel = rnd(3) ? TS_CHANNEL_IN_PERSON : TS_CHANNEL_POST;
		in.receiving_unit_id = in.competent_unit_id;
		in.applicant_account_id = W.citizen_id;
		in.accept_now = rnd(2);
		rc = ts_dossier_intake(&W.cli, &in, NULL, &d, &err);
	}
	if (rc)
		fail_msg("new dossier: %s (%s)", err.detail, err.field);
	snprintf(W.codes[W.ncodes++], TS_DOSSIER_CODE_MAX, "%s", d.code);
}

/* One random action allowed in the dossier's status (the flow table may still refuse it). */
/* An officer takes the applicant's data from the population database: before or after the
 * dossier is accepted (or for one never accepted); the 766 counters 5.6 / 5.7 follow. */
static void mark_population(const char *code)
{
	struct ts_error err = {0};
	json_t *out = NULL;
	if (ts_identity_mark(&W.cli, code, &out, &err))
		fail_msg("population mark: %s %s", ts_err_code(err.code), err.detail);
	json_decref(out);
}

static void step_dossier(const char *code)
{
	struct ts_dossier d = get(code);
	struct ts_dossier_act a = {.version = d.version, .delivery = -1};
	struct ts_ctx *who = &W.cli;
	struct ts_error err = {0};
	json_t *items = json_pack("[{s:s, s:s}]", "document", "TK01", "reason", "Thiếu chữ ký");
	unsigned r = rnd(100);
	int rc;

	switch (d.status) {
	case TS_DS_NEW:
		a.action = r < 70 ? TS_DA_ACCEPT : r < 80 ? TS_DA_REFUSE : r < 92 ? TS_DA_REQUEST_SUPPLEMENT
										: TS_DA_WITHDRAW;
		break;
	case TS_DS_ACCEPTED:
	case TS_DS_PROCESSING:
		a.action = r < 35 ? TS_DA_FORWARD : r < 60 ? TS_DA_FINISH : r < 68 ? TS_DA_REQUEST_SUPPLEMENT
			 : r < 74 ? TS_DA_REQUEST_PAYMENT : r < 80 ? TS_DA_APOLOGIZE : r < 85 ? TS_DA_ASSIGN
			 : r < 88 ? TS_DA_RETURN_TO_STEP : r < 94 ? TS_DA_STOP : TS_DA_WITHDRAW;
		break;
	case TS_DS_SUPPLEMENT:
		a.action = r < 75 ? TS_DA_RESUBMIT : r < 88 ? TS_DA_STOP : TS_DA_WITHDRAW;
		break;
	case TS_DS_PAYMENT:
		a.action = r < 80 ? TS_DA_PAYMENT_DONE : r < 90 ? TS_DA_STOP : TS_DA_WITHDRAW;
		break;
	case TS_DS_DONE:
		a.action = TS_DA_DELIVER;
		a.delivery = (int)rnd(3);
		break;
	case TS_DS_DELIVERED:
		a.action = TS_DA_RATE;
		a.rating = 1 + (int)rnd(5);
		break;
	default:
		json_decref(items);
		return;
	}
	a.reason = "Lý do thử nghiệm";
	a.items = items;
	a.to_step = 2;
	a.assignee_account_id = 0;
	a.new_due = d.current_due_at + 2 * 86400;
	if (a.action == TS_DA_ASSIGN)
		a.assignee_account_id = W.citizen_id; /* any account: the test only needs the event */
	if (a.action == TS_DA_WITHDRAW || a.action == TS_DA_RATE ||
	    (a.action == TS_DA_RESUBMIT && rnd(2)) || (a.action == TS_DA_PAYMENT_DONE && rnd(2)))
		who = &W.citizen;
	rc = ts_dossier_perform(who, code, &a, NULL, NULL, &err);
	json_decref(items);
	/* refusals by the rules (not allowed now, apology after the due time, last step...) */
	if (rc && rc != TS_ERR_CONFLICT && rc != TS_ERR_VALIDATION)
		fail_msg("%s on %s (status %d): %s %s (%s)", ts_dossier_action_name(a.action), code,
			 d.status, ts_err_code(rc), err.detail, err.field);
}

/* The stock as the dossiers themselves say it is, now (at a local midnight). */
static void snapshot(void)
{
	struct snap *s = &W.snaps[W.nsnaps++];
	assert_true(W.nsnaps <= MAXSNAP);
	memset(s, 0, sizeof(*s));
	s->day = ts_stats_day_of(g_clock) - 1;
	for (int i = 0; i < W.ncodes; i++) {
		struct ts_dossier d = get(W.codes[i]);
		if (d.accepted_at <= 0)
			continue;
		if (d.status == TS_DS_ACCEPTED || d.status == TS_DS_PROCESSING) {
			if (d.due_at > 0 && d.due_at < g_clock)
				s->in_over++;
			else
				s->in_within++;
		} else if (d.status == TS_DS_SUPPLEMENT || d.status == TS_DS_PAYMENT) {
			if (d.due_at > 0 && d.paused_since > d.due_at)
				s->susp_over++;
			else
				s->susp_within++;
		}
	}
	fresh_arena();
}

static void run_workload(void)
{
	int steps = 0;
	int64_t next_midnight;

	g_clock = vn(2025, 8, 4, 8, 0); /* a Monday */
	W.first_day = ts_stats_day_of(g_clock);
	next_midnight = ts_stats_day_start(W.first_day + 3);
	while (steps < NSTEPS) {
		if (W.ncodes < NDOSSIERS && (W.ncodes < 5 || rnd(100) < 25))
			new_dossier();
		else
			step_dossier(W.codes[rnd((unsigned)W.ncodes)]);
		if (rnd(10) == 0)
			mark_population(W.codes[rnd((unsigned)W.ncodes)]);
		steps++;
		g_clock += 300 + (int64_t)rnd(3 * 3600);
		if (rnd(40) == 0)
			g_clock += (int64_t)rnd(4) * 86400;
		if (g_clock >= next_midnight && W.nsnaps < MAXSNAP - 1) {
			g_clock = next_midnight; /* exactly at the cut-off */
			snapshot();
			next_midnight += (int64_t)(2 + rnd(4)) * 86400;
			/* never jump over a Decree 09 cut-off (the start of a 15th) */
			{
				int64_t d = ts_stats_day_of(g_clock), cut = ts_stats_rm_last_day(ts_stats_rm_of_day(d)) + 1;
				if (ts_stats_day_start(cut) < next_midnight && cut > d)
					next_midnight = ts_stats_day_start(cut);
			}
		}
		if (steps % 50 == 0)
			fresh_arena();
	}
	g_clock = ts_stats_day_start(ts_stats_day_of(g_clock) + 1);
	snapshot();
}

/* The report's flows expected from the final dossier rows for days [from, to]. */
static void expected_flows(int64_t from, int64_t to, int64_t *cell)
{
	for (int i = 0; i < W.ncodes; i++) {
		struct ts_dossier d = get(W.codes[i]);
		int64_t acc = d.accepted_at > 0 ? ts_stats_day_of(d.accepted_at) : -1;
		int64_t end = d.ended_at > 0 ? ts_stats_day_of(d.ended_at) : -1;
		if (acc >= from && acc <= to) {
			if (d.channel == TS_CHANNEL_ONLINE)
				cell[TS_CELL_RECEIVED_ONLINE]++;
			else
				cell[TS_CELL_RECEIVED_DIRECT]++;
			if (d.channel == TS_CHANNEL_POST)
				cell[TS_CELL_RECEIVED_POST]++;
		}
		if (acc < 0 || end < from || end > to)
			continue;
		if (d.status == TS_DS_DONE || d.status == TS_DS_DELIVERED) {
			cell[TS_CELL_RESOLVED]++;
			if (d.on_time == 0)
				cell[TS_CELL_RESOLVED_LATE]++;
			else if (d.due_at > 0 && end < ts_stats_day_of(d.due_at))
				cell[TS_CELL_RESOLVED_EARLY]++;
			else
				cell[TS_CELL_RESOLVED_ON_TIME]++;
		} else if (d.status == TS_DS_STOPPED) {
			cell[TS_CELL_STOPPED]++;
		} else if (d.status == TS_DS_WITHDRAWN) {
			cell[TS_CELL_WITHDRAWN]++;
		}
	}
	fresh_arena();
}

static int64_t drill_count(const struct ts_stats_period *p, const char *cell)
{
	struct ts_error err = {0};
	int64_t after = 0, next = 0, total = 0;
	do {
		struct ts_stats_dossier *items = NULL;
		int n = 0;
		if (ts_stats_drill(&W.cli, W.root, p, cell, NULL, -1, after, 7, &items, &n, &next, &err))
			fail_msg("drill %s: %s", cell, err.detail);
		total += n;
		after = next;
	} while (next);
	return total;
}

static void check_period(int64_t from, int64_t to, const struct snap *start, const struct snap *end)
{
	struct ts_error err = {0};
	struct ts_stats_period p = {.kind = TS_PERIOD_CUSTOM, .from_day = from, .to_day = to};
	struct ts_stats_report r;
	int64_t want[TS_CELL__COUNT] = {0};

	snprintf(p.label, sizeof(p.label), "test");
	expected_flows(from, to, want);
	want[TS_CELL_CARRIED_OVER] = start ? start->in_within + start->in_over + start->susp_within +
						 start->susp_over
					   : 0;
	want[TS_CELL_IN_PROGRESS_WITHIN] = end->in_within;
	want[TS_CELL_IN_PROGRESS_OVERDUE] = end->in_over;
	want[TS_CELL_IN_PROGRESS] = end->in_within + end->in_over;
	want[TS_CELL_SUSPENDED_WITHIN] = end->susp_within;
	want[TS_CELL_SUSPENDED_OVERDUE] = end->susp_over;
	want[TS_CELL_SUSPENDED] = end->susp_within + end->susp_over;
	want[TS_CELL_RECEIVED] = want[TS_CELL_RECEIVED_ONLINE] + want[TS_CELL_RECEIVED_DIRECT] +
				 want[TS_CELL_CARRIED_OVER];
	if (ts_stats_report06(&W.cli, W.root, &p, &r, &err))
		fail_msg("report: %s", err.detail);
	if (getenv("TS_STATS_VERBOSE")) {
		printf("days %lld..%lld:", (long long)from, (long long)to);
		for (int c = 0; c < TS_CELL__COUNT; c++)
			printf(" %s=%lld", ts_stats_cell_name(c), (long long)r.total.cell[c]);
		printf("\n");
	}
	for (int c = 0; c < TS_CELL__COUNT; c++)
		if (r.total.cell[c] != want[c])
			fail_msg("days %lld..%lld cell %s: report %lld, dossiers say %lld", (long long)from,
				 (long long)to, ts_stats_cell_name(c), (long long)r.total.cell[c],
				 (long long)want[c]);
	assert_true(ts_stats_row_consistent(&r.total));
	for (int k = 0; k < r.nrows; k++)
		assert_true(ts_stats_row_consistent(&r.rows[k]));
	for (int l = 0; l < TS_LEVEL__COUNT; l++)
		if (r.level_present[l])
			assert_true(ts_stats_row_consistent(&r.level_total[l]));
	for (int c = 0; c < TS_CELL__COUNT; c++) {
		int64_t n = drill_count(&p, ts_stats_cell_name(c));
		if (n != r.total.cell[c])
			fail_msg("days %lld..%lld drill %s: %lld dossiers behind %lld", (long long)from,
				 (long long)to, ts_stats_cell_name(c), (long long)n,
				 (long long)r.total.cell[c]);
	}
	fresh_arena();
}

static void test_reports_match_the_dossiers_for_every_snapshot(void **state)
{
	int decree = 0;
	(void)state;
	assert_true(W.nsnaps >= 4);
	/* Decree 09 months that end on a snapshot: read from the report-month counters */
	for (int i = 0; i < W.nsnaps; i++) {
		struct ts_stats_period p;
		const struct snap *start = NULL;
		if (ts_stats_day_ymd(W.snaps[i].day) % 100 != 14)
			continue;
		ts_stats_period_containing(TS_PERIOD_MONTH, W.snaps[i].day, &p);
		for (int k = 0; k < i; k++)
			if (W.snaps[k].day == p.from_day - 1)
				start = &W.snaps[k];
		if (!start && p.from_day > W.first_day)
			continue;
		check_period(p.from_day, p.to_day, start, &W.snaps[i]);
		decree++;
	}
	assert_true(decree >= 1);
	for (int i = 0; i < W.nsnaps; i++) {
		check_period(W.first_day, W.snaps[i].day, NULL, &W.snaps[i]);
		if (i > 0)
			check_period(W.snaps[i - 1].day + 1, W.snaps[i].day, &W.snaps[i - 1], &W.snaps[i]);
	}
}

/* The report year (read from stats_year) and the same days as a custom range (read from
 * months and days) agree cell by cell; so do the Decree quarter and its months. */
static void test_year_and_month_rollups_agree_with_days(void **state)
{
	struct ts_error err = {0};
	struct ts_stats_period year, range = {.kind = TS_PERIOD_CUSTOM}, q;
	struct ts_stats_report a, b;
	int64_t sum[TS_CELL__COUNT] = {0};
	(void)state;

	assert_int_equal(ts_stats_period_make(TS_PERIOD_YEAR, 2025, 1, &year, &err), 0);
	assert_true(year.from_day < W.first_day && W.snaps[W.nsnaps - 1].day <= year.to_day);
	range.from_day = W.first_day;
	range.to_day = year.to_day;
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &year, &a, &err), 0);
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &range, &b, &err), 0);
	assert_true(a.total.cell[TS_CELL_RECEIVED] > 50);
	assert_memory_equal(a.total.cell, b.total.cell, sizeof(a.total.cell));
	assert_int_equal(a.nrows, b.nrows);
	/* quarter 3/2025 = three report months: flows add up */
	assert_int_equal(ts_stats_period_make(TS_PERIOD_QUARTER, 2025, 3, &q, &err), 0);
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &q, &a, &err), 0);
	for (int m = 7; m <= 9; m++) {
		struct ts_stats_period mp;
		assert_int_equal(ts_stats_period_make(TS_PERIOD_MONTH, 2025, m, &mp, &err), 0);
		assert_int_equal(ts_stats_report06(&W.cli, W.root, &mp, &b, &err), 0);
		for (int c = 0; c < TS_CELL__COUNT; c++)
			sum[c] += b.total.cell[c];
		if (m == 7)
			assert_int_equal(b.total.cell[TS_CELL_CARRIED_OVER], a.total.cell[TS_CELL_CARRIED_OVER]);
		if (m == 9)
			assert_int_equal(b.total.cell[TS_CELL_IN_PROGRESS], a.total.cell[TS_CELL_IN_PROGRESS]);
	}
	for (int c = TS_CELL_RECEIVED_ONLINE; c <= TS_CELL_RESOLVED_LATE; c++)
		if (c != TS_CELL_CARRIED_OVER)
			assert_int_equal(sum[c], a.total.cell[c]);
	fresh_arena();
}

/* A query failing anywhere in a transition (the dossier's own, or the counters': a
 * supplement request closes the active stretch and opens a paused one) rolls the whole
 * transition back: dossier, events, stock stretches and counters stay as they were. */
static void test_a_failure_anywhere_leaves_dossier_and_counters_untouched(void **state)
{
#ifdef TS_FAULT_INJECTION
	struct ts_error err = {0};
	const char *code = NULL;
	long k;
	int rc = -1;
	(void)state;

	for (int i = 0; i < W.ncodes && !code; i++)
		if (get(W.codes[i]).status == TS_DS_PROCESSING)
			code = W.codes[i];
	assert_non_null(code);
	for (k = 0; k < 400; k++) {
		struct ts_dossier before = get(code), after;
		json_t *items = json_pack("[{s:s, s:s}]", "document", "TK01", "reason", "Chưa ký");
		struct ts_dossier_act a = {.action = TS_DA_REQUEST_SUPPLEMENT, .version = before.version,
					   .delivery = -1, .items = items};
		ts_error_clear(&err);
		ts_db_fail_queries_after(k);
		rc = ts_dossier_perform(&W.cli, code, &a, NULL, NULL, &err);
		ts_db_fail_queries_after(-1);
		json_decref(items);
		if (rc == 0)
			break;
		if (rc != TS_ERR_DB)
			fail_msg("query %ld failed: %s %s", k, ts_err_code(rc), err.detail);
		after = get(code);
		assert_int_equal(after.version, before.version);
		assert_int_equal(after.status, before.status);
	}
	assert_int_equal(rc, 0);
	assert_true(k > 8); /* the counters' queries were among those failed */
	assert_int_equal(get(code).status, TS_DS_SUPPLEMENT);
	{
		int64_t rows = 0, diff = -1;
		assert_int_equal(ts_stats_recount(&W.cli, false, &rows, &diff, &err), 0);
		assert_int_equal(diff, 0);
	}
	fresh_arena();
#else
	(void)state;
	skip();
#endif
}

static void test_counters_equal_the_recount(void **state)
{
	struct ts_error err = {0};
	int64_t rows = 0, diff = -1;
	(void)state;
	assert_int_equal(ts_stats_recount(&W.cli, false, &rows, &diff, &err), 0);
	assert_true(rows > 10);
	assert_int_equal(diff, 0);
	fresh_arena();
}

/* The recount reads its sources in windows of days; with one-day windows (many window
 * edges inside the workload) it still counts every event and stretch exactly once. */
static void test_recount_in_one_day_windows(void **state)
{
	struct ts_error err = {0};
	int64_t rows = 0, diff = -1, rows1 = 0;
	(void)state;
	assert_int_equal(ts_stats_recount(&W.cli, false, &rows, &diff, &err), 0);
	assert_int_equal(diff, 0);
	ts_stats_set_recount_window(1);
	assert_int_equal(ts_stats_recount(&W.cli, false, &rows1, &diff, &err), 0);
	ts_stats_set_recount_window(0);
	assert_int_equal(diff, 0);
	assert_int_equal(rows1, rows);
	fresh_arena();
}

struct drift {
	struct ts_arena *a;
	struct ts_dossier d;
};

static int drift_tx(struct ts_dbconn *c, void *v, struct ts_error *err)
{
	struct drift *x = v;
	/* a late resolution counted for a dossier that never had one: what a bug would leave */
	return ts_stats_on_change(c, x->a, TS_DS_PROCESSING, &x->d, TS_DA_FINISH,
				  x->d.submitted_at, err);
}

static void test_recount_finds_and_repairs_a_wrong_counter(void **state)
{
	struct ts_error err = {0};
	struct drift x = {.a = &W.arena};
	struct ts_stats_period p = {.kind = TS_PERIOD_CUSTOM, .from_day = W.first_day,
				    .to_day = W.snaps[W.nsnaps - 1].day};
	struct ts_stats_report before, drifted, after;
	int64_t rows = 0, diff = 0;
	(void)state;

	x.d = get(W.codes[0]);
	x.d.id = -1; /* no such dossier: no stock segment is touched */
	x.d.status = TS_DS_DONE;
	x.d.on_time = 0;
	x.d.accepted_at = x.d.submitted_at;
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &p, &before, &err), 0);
	assert_int_equal(ts_db_tx(W.db, TS_DB_TX_WRITE, drift_tx, &x, &err), 0);
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &p, &drifted, &err), 0);
	assert_int_equal(drifted.total.cell[TS_CELL_RESOLVED_LATE],
			 before.total.cell[TS_CELL_RESOLVED_LATE] + 1);
	/* the day's row, its report month's and its report year's */
	assert_int_equal(ts_stats_recount(&W.cli, false, &rows, &diff, &err), 0);
	assert_int_equal(diff, 3);
	assert_int_equal(ts_stats_recount(&W.cli, true, &rows, &diff, &err), 0);
	assert_int_equal(diff, 3);
	assert_int_equal(ts_stats_recount(&W.cli, false, &rows, &diff, &err), 0);
	assert_int_equal(diff, 0);
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &p, &after, &err), 0);
	assert_memory_equal(before.total.cell, after.total.cell, sizeof(before.total.cell));
	fresh_arena();
}

static void test_index_and_rankings_are_consistent_with_the_report(void **state)
{
	struct ts_error err = {0};
	struct ts_stats_period p = {.kind = TS_PERIOD_CUSTOM, .from_day = W.first_day,
				    .to_day = W.snaps[W.nsnaps - 1].day};
	struct ts_stats_report r;
	struct ts_stats_index x;
	struct ts_stats_unit_rank *u = NULL;
	int n = 0;
	int64_t resolved = 0, late = 0;
	(void)state;

	assert_int_equal(ts_stats_report06(&W.cli, W.root, &p, &r, &err), 0);
	/* rows by field grouped by level: the department's and the commune's */
	assert_true(r.level_present[TS_LEVEL_PROVINCE] && r.level_present[TS_LEVEL_COMMUNE]);
	assert_int_equal(ts_stats_index766(&W.cli, W.root, &p, &x, &err), 0);
	for (int i = 0; i < x.nitems; i++) {
		const struct ts_stats_index_item *it = &x.items[i];
		if (strcmp(it->code, "2.1") == 0) {
			assert_false(it->na);
			assert_int_equal(it->den, r.total.cell[TS_CELL_RESOLVED] +
						      r.total.cell[TS_CELL_IN_PROGRESS] +
						      r.total.cell[TS_CELL_SUSPENDED]);
			assert_int_equal(drill_count(&p, "idx:2.1"), it->num);
		}
		if (strcmp(it->code, "5.2") == 0) {
			assert_false(it->na);
			assert_int_equal(drill_count(&p, "idx:5.2"), it->num);
		}
		if (strcmp(it->code, "4.3") == 0) {
			assert_true(it->na); /* online payment is not recorded: never a made-up number */
			assert_non_null(it->na_reason);
		}
		if (strcmp(it->code, "3.1") == 0) {
			/* receptions of the fully-online TEST.3 / the online ones among them */
			int64_t den = 0, num = 0;
			for (int k = 0; k < W.ncodes; k++) {
				struct ts_dossier d = get(W.codes[k]);
				int64_t acc = d.accepted_at > 0 ? ts_stats_day_of(d.accepted_at) : -1;
				if (d.procedure_id != g_fo_procedure || acc < p.from_day || acc > p.to_day)
					continue;
				den++;
				num += d.channel == TS_CHANNEL_ONLINE;
			}
			assert_true(num > 5 && den > num); /* both kinds present in the workload */
			assert_false(it->na);
			assert_int_equal(it->den, den);
			assert_int_equal(it->num, num);
			assert_int_equal(drill_count(&p, "idx:3.1"), num);
		}
	}
	assert_true(x.total >= 0 && x.total <= x.total_max);
	assert_int_equal(ts_stats_rank_units(&W.cli, W.root, &p, &u, &n, &err), 0);
	for (int i = 0; i < n; i++) {
		resolved += u[i].resolved;
		late += u[i].late;
		if (i > 0 && u[i - 1].on_time_rate >= 0 && u[i].on_time_rate >= 0)
			assert_true(u[i - 1].on_time_rate >= u[i].on_time_rate);
	}
	assert_int_equal(resolved, r.total.cell[TS_CELL_RESOLVED]);
	assert_int_equal(late, r.total.cell[TS_CELL_RESOLVED_LATE]);
	fresh_arena();
}

/* The dossiers open at moment t and past their deadline, as the dossier rows say: active
 * with the deadline before t, or paused after the deadline had passed (a pause freezes it). */
static int64_t model_overdue(int64_t t)
{
	int64_t n = 0;
	for (int i = 0; i < W.ncodes; i++) {
		struct ts_dossier d = get(W.codes[i]);
		if (d.accepted_at <= 0 || d.due_at <= 0)
			continue;
		if ((d.status == TS_DS_ACCEPTED || d.status == TS_DS_PROCESSING) && d.due_at < t)
			n++;
		else if ((d.status == TS_DS_SUPPLEMENT || d.status == TS_DS_PAYMENT) &&
			 d.paused_since > d.due_at)
			n++;
	}
	fresh_arena();
	return n;
}

/* /metrics' tinhso_dossiers_overdue (stats/metrics.c) equals the dossiers at the end of the
 * workload and again after the test clock moved on 60 days (open dossiers cross their
 * deadline without any event: the gauge must see them from the index of open stretches). */
static void test_overdue_gauge_follows_the_clock(void **state)
{
	struct ts_error err = {0};
	int64_t saved = g_clock, at_end = model_overdue(g_clock), later, n = -1;
	char want[96];
	const char *text;
	(void)state;

	assert_int_equal(ts_stats_overdue_total(W.db, g_clock, &n, &err), 0);
	assert_int_equal(n, at_end);
	g_clock += 60 * 86400;
	later = model_overdue(g_clock);
	assert_true(later > at_end); /* some crossed their deadline in the meantime */
	assert_int_equal(ts_stats_overdue_total(W.db, g_clock, &n, &err), 0);
	assert_int_equal(n, later);
	text = ts_stats_metrics(W.db, &W.arena); /* at ts_stats_now(): the moved test clock */
	assert_non_null(text);
	snprintf(want, sizeof(want), "\ntinhso_dossiers_overdue %lld\n", (long long)later);
	if (!strstr(text, want))
		fail_msg("metrics: want \"%s\" in\n%s", want + 1, text);
	assert_non_null(strstr(text, "# TYPE tinhso_dossiers_overdue gauge\n"));
	{ /* per unit: the two competent units of the workload, adding up to the total */
		int64_t sum = 0;
		int units = 0;
		for (const char *q = strstr(text, "\ntinhso_dossiers_overdue_by_unit{unit=\""); q;
		     q = strstr(q + 1, "\ntinhso_dossiers_overdue_by_unit{unit=\"")) {
			const char *v = strstr(q, "\"} ");
			assert_non_null(v);
			sum += strtoll(v + 3, NULL, 10);
			units++;
		}
		assert_int_equal(units, 2);
		assert_int_equal(sum, later);
	}
	g_clock = saved;
	fresh_arena();
}

/* (Re)imports the fully-online procedure DEMO.990003 (TEST.3 of the workload) with the field
 * (lĩnh vực) given, in force from valid_from; its current version becomes what TEST.3's
 * new dossiers are received under. */
static void import_fo_procedure(const char *field, const char *field_code, const char *valid_from)
{
	struct ts_error err = {0};
	json_t *cat = json_pack(
	    "{s:[{s:s, s:s, s:s, s:s, s:[s], s:s, s:s, s:[{s:s, s:s, s:b, s:[{s:i, s:i, s:s}, "
	    "{s:i, s:i, s:s}], s:[{s:s, s:i, s:i, s:b}]}]}]}",
	    "procedures", "code", "DEMO.990003", "name", "Thủ tục toàn trình thử", "field", field,
	    "field_code", field_code, "levels", "Cấp tỉnh", "online_level", "full", "valid_from",
	    valid_from, "variants", "code", "CHUNG", "name", "Trường hợp chung", "default", 1, "times",
	    "channel", 1, "amount", 2, "unit", "working_days", "channel", 2, "amount", 2, "unit",
	    "working_days", "documents", "name", "Tờ khai", "originals", 1, "copies", 0, "required", 1);
	json_t *got = NULL;
	int c1 = 0, c2 = 0, c3 = 0;
	assert_non_null(cat);
	if (ts_catalog_import_json(&W.cli, cat, &c1, &c2, &c3, &err))
		fail_msg("catalogue: %s (%s)", err.detail, err.field);
	json_decref(cat);
	if (ts_catalog_get(&W.cli, "DEMO.990003", &got, &err))
		fail_msg("catalogue: %s", err.detail);
	g_fo_procedure = json_integer_value(json_object_get(got, "procedure_id"));
	g_fo_version = json_integer_value(json_object_get(got, "version_id"));
	assert_true(g_fo_procedure > 0 && g_fo_version > 0);
}

/* The cells of report r for one field (all levels summed). */
static void field_cells(const struct ts_stats_report *r, const char *field_code, int64_t *cell,
			int *rows)
{
	memset(cell, 0, sizeof(int64_t) * TS_CELL__COUNT);
	*rows = 0;
	for (int k = 0; k < r->nrows; k++) {
		if (strcmp(r->rows[k].field_code ? r->rows[k].field_code : "", field_code) != 0)
			continue;
		(*rows)++;
		for (int c = 0; c < TS_CELL__COUNT; c++)
			cell[c] += r->rows[k].cell[c];
	}
}

static int64_t drill_field(const struct ts_stats_period *p, const char *cell, const char *field)
{
	struct ts_error err = {0};
	int64_t after = 0, next = 0, total = 0;
	do {
		struct ts_stats_dossier *items = NULL;
		int n = 0;
		if (ts_stats_drill(&W.cli, W.root, p, cell, field, -1, after, 50, &items, &n, &next, &err))
			fail_msg("drill %s: %s", cell, err.detail);
		total += n;
		after = next;
	} while (next);
	return total;
}

/* DOMAIN.md §8: a dossier is reported under the field its procedure had when it was received.
 * TEST.3 moves from "Hộ tịch" (HT) to "Chứng thực" (CT) by a new catalogue version: the
 * earlier period's report is unchanged (its dossiers stay under HT), the dossiers received
 * afterwards go under CT, the earlier ones still open are carried over (and resolved) under
 * HT, drill-down by field agrees, and the counters still equal the recount. */
static void test_a_procedure_moved_to_another_field_keeps_its_past(void **state)
{
	struct ts_error err = {0};
	int64_t day = ts_stats_day_of(g_clock), want_open = 0, finished = 0, rows = 0, diff = -1;
	struct ts_stats_period old = {.kind = TS_PERIOD_CUSTOM, .from_day = W.first_day,
				      .to_day = W.snaps[W.nsnaps - 1].day},
			       now = {.kind = TS_PERIOD_CUSTOM, .from_day = day, .to_day = day};
	struct ts_stats_report before, after, cur;
	int64_t ht[TS_CELL__COUNT], ct[TS_CELL__COUNT];
	int nht = 0, nct = 0, ymd = ts_stats_day_ymd(day);
	char from[16];
	static const struct ts_dossier_doc docs[] = {{"TK01", NULL, 1, 0, true, false}};
	(void)state;

	assert_true(day > old.to_day);
	snprintf(old.label, sizeof(old.label), "old");
	snprintf(now.label, sizeof(now.label), "now");
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &old, &before, &err), 0);
	field_cells(&before, "HT", ht, &nht);
	assert_true(nht >= 1 && ht[TS_CELL_RECEIVED] > 5);
	field_cells(&before, "CT", ct, &nct);
	assert_int_equal(nct, 0);
	/* the TEST.3 dossiers received before and still open now: carried over under HT */
	for (int i = 0; i < W.ncodes; i++) {
		struct ts_dossier d = get(W.codes[i]);
		if (d.procedure_id == g_fo_procedure && d.accepted_at > 0 &&
		    (d.status == TS_DS_ACCEPTED || d.status == TS_DS_PROCESSING ||
		     d.status == TS_DS_SUPPLEMENT || d.status == TS_DS_PAYMENT))
			want_open++;
	}
	assert_true(want_open > 0);

	snprintf(from, sizeof(from), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
	import_fo_procedure("Chứng thực", "CT", from);
	g_clock += 9 * 3600; /* 09:00 of that day */
	for (int i = 0; i < 4; i++) {
		struct ts_dossier d;
		struct ts_dossier_new in = {.procedure_code = "TEST.3", .competent_unit_id = W.units[i % 2],
					    .receiving_unit_id = W.units[i % 2], .delivery = 0,
					    .applicant_name = "Nguyễn Văn An", .docs = docs, .ndocs = 1,
					    .channel = TS_CHANNEL_IN_PERSON,
					    .applicant_account_id = W.citizen_id, .accept_now = true};
		if (ts_dossier_intake(&W.cli, &in, NULL, &d, &err))
			fail_msg("intake: %s (%s)", err.detail, err.field);
		assert_int_equal(d.procedure_version_id, g_fo_version);
		g_clock += 600;
	}
	/* one of the earlier HT dossiers is resolved after the move: still under HT */
	for (int i = 0; i < W.ncodes && !finished; i++) {
		struct ts_dossier d = get(W.codes[i]);
		struct ts_dossier_act a = {.action = TS_DA_FINISH, .version = d.version, .delivery = -1};
		if (d.procedure_id != g_fo_procedure || d.status != TS_DS_PROCESSING)
			continue;
		if (ts_dossier_perform(&W.cli, W.codes[i], &a, NULL, NULL, &err) == 0)
			finished = 1;
		ts_error_clear(&err);
	}
	g_clock += 600;

	/* the earlier period: exactly as before the move */
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &old, &after, &err), 0);
	assert_int_equal(after.nrows, before.nrows);
	for (int k = 0; k < before.nrows; k++) {
		assert_string_equal(after.rows[k].field_code, before.rows[k].field_code);
		assert_memory_equal(after.rows[k].cell, before.rows[k].cell, sizeof(before.rows[k].cell));
	}
	assert_int_equal(drill_field(&old, "received", "HT"), ht[TS_CELL_RECEIVED]);
	assert_int_equal(drill_field(&old, "received", "CT"), 0);
	/* the day after: new receptions under CT, the earlier ones carried over under HT */
	assert_int_equal(ts_stats_report06(&W.cli, W.root, &now, &cur, &err), 0);
	field_cells(&cur, "CT", ct, &nct);
	field_cells(&cur, "HT", ht, &nht);
	assert_true(nct >= 1 && nht >= 1);
	assert_int_equal(ct[TS_CELL_RECEIVED_DIRECT], 4);
	assert_int_equal(ct[TS_CELL_CARRIED_OVER], 0);
	assert_int_equal(ht[TS_CELL_RECEIVED_DIRECT] + ht[TS_CELL_RECEIVED_ONLINE], 0);
	assert_int_equal(ht[TS_CELL_CARRIED_OVER], want_open);
	assert_int_equal(ht[TS_CELL_RESOLVED], finished);
	assert_int_equal(ct[TS_CELL_RESOLVED], 0);
	assert_int_equal(drill_field(&now, "received_direct", "CT"), 4);
	assert_int_equal(drill_field(&now, "carried_over", "HT"), want_open);
	assert_int_equal(drill_field(&now, "resolved", "HT"), finished);
	for (int k = 0; k < cur.nrows; k++)
		assert_true(ts_stats_row_consistent(&cur.rows[k]));
	assert_int_equal(ts_stats_recount(&W.cli, false, &rows, &diff, &err), 0);
	assert_int_equal(diff, 0);
	fresh_arena();
}

static int group_setup(void **state)
{
	struct ts_db_options opt = {.pool_size = 4, .busy_timeout_ms = 5000, .max_retries = 10};
	struct ts_iam_options io;
	struct ts_error err = {0};
	struct ts_account_new in = {.kind = TS_ACCT_CITIZEN, .username = "congdan.an",
				    .full_name = "Nguyễn Văn An", .personal_id = "001203004567",
				    .password = "Matkhau12345x", .email = "an@example.vn"};
	int created = 0, existing = 0;
	json_t *doc;
	const char *seed = getenv("TS_STATS_SEED");
	(void)state;

	W.seed = seed ? (unsigned)strtoul(seed, NULL, 10) : 20260215u;
	ts_iam_defaults(&io);
	io.pwhash_opslimit = 1;
	io.pwhash_memlimit = 8192;
	ts_iam_configure(&io);
	if (ts_db_open(g_url, &opt, &W.db, &err) || ts_db_migrate(W.db, NULL, &err))
		fail_msg("store: %s", err.detail);
	ts_arena_init(&W.arena, 0);
	ts_ctx_init_cli(&W.cli, W.db, &W.arena);
	doc = json_load_file(TS_SOURCE_DIR "/data/demo/province.json", 0, NULL);
	assert_non_null(doc);
	if (ts_org_import(&W.cli, doc, &created, &existing, &err))
		fail_msg("units: %s", err.detail);
	json_decref(doc);
	if (ts_org_unit_by_code(&W.cli, "000.00.12.H99", &W.units[0], &err) ||
	    ts_org_unit_by_code(&W.cli, "000.00.31.H99", &W.units[1], &err) ||
	    ts_org_unit_by_code(&W.cli, "000.00.00.H99", &W.root, &err))
		fail_msg("units: %s", err.detail);
	if (ts_iam_account_create(&W.cli, &in, &W.citizen_id, &err))
		fail_msg("citizen: %s", err.detail);
	import_fo_procedure("Hộ tịch", "HT", "2025-07-01");
	memset(&W.citizen, 0, sizeof(W.citizen));
	W.citizen.db = W.db;
	W.citizen.arena = &W.arena;
	W.citizen.client_addr = "test";
	W.citizen.request_id = "test";
	W.citizen.actor.account_id = W.citizen_id;
	W.citizen.actor.kind = TS_ACCT_CITIZEN;
	W.citizen.actor.username = "congdan.an";
	W.citizen.actor.display_name = "Nguyễn Văn An";
	ts_dossier_set_variant_lookup(fake_variant);
	ts_dossier_set_clock(fixed_now);
	ts_stats_set_clock(fixed_now);
	run_workload();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ts_dossier_set_variant_lookup(NULL);
	ts_dossier_set_clock(NULL);
	ts_stats_set_clock(NULL);
	ts_arena_release(&W.arena);
	ts_db_close(W.db);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reports_match_the_dossiers_for_every_snapshot),
	    cmocka_unit_test(test_year_and_month_rollups_agree_with_days),
	    cmocka_unit_test(test_a_failure_anywhere_leaves_dossier_and_counters_untouched),
	    cmocka_unit_test(test_counters_equal_the_recount),
	    cmocka_unit_test(test_recount_in_one_day_windows),
	    cmocka_unit_test(test_index_and_rankings_are_consistent_with_the_report),
	    cmocka_unit_test(test_overdue_gauge_follows_the_clock),
	    cmocka_unit_test(test_recount_finds_and_repairs_a_wrong_counter),
	    cmocka_unit_test(test_a_procedure_moved_to_another_field_keeps_its_past),
	};
	if (argc != 2) {
		fprintf(stderr, "usage: %s sqlite:PATH | postgresql://...\n", argv[0]);
		return 2;
	}
	g_url = argv[1];
	ts_log_set_level(TS_LOG_WARN);
	if (strncmp(g_url, "sqlite:", 7) == 0) {
		char buf[4096];
		unlink(g_url + 7);
		snprintf(buf, sizeof(buf), "%s-wal", g_url + 7);
		unlink(buf);
		snprintf(buf, sizeof(buf), "%s-shm", g_url + 7);
		unlink(buf);
	}
	return cmocka_run_group_tests_name(strncmp(g_url, "sqlite:", 7) == 0 ? "stats_workload_sqlite"
									    : "stats_workload_pgsql",
					   tests, group_setup, group_teardown);
}
