/* stats.h - statistics of the administrative-procedure system (DOMAIN.md §8-9,
 * docs/statistics.md): daily counters kept inside every dossier transaction and their
 * recount from the events, Decree 09 report periods, report 06/VPCP/KSTT with drill-down,
 * XLSX and PDF export, the Decision 766 index from versioned definitions, rankings of units
 * and officers, and the operations-centre (IOC) and public figures. Never sees HTTP
 * (stats_http.c is the adapter). */
#ifndef TS_STATS_STATS_H
#define TS_STATS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "dossier/dossier.h"
#include "iam/iam.h"

/* ---- counters (counters.c) --------------------------------------------------------- */

/* The columns of stats_day: flows of the day, then the net changes of the open stock (d_*),
 * in the order the queries list them (recv_population, added by migration 0021, is last in
 * the tables themselves). X(name) */
#define TS_STATS_COLUMNS(X)                                                            \
	X(submitted) X(recv_online) X(recv_direct) X(recv_post) X(recv_digitised)         \
	X(recv_reused) X(recv_fo_eligible) X(recv_fo_online) X(res_early) X(res_on_time) \
	X(res_late) X(res_seconds) X(res_supplemented) X(stopped) X(withdrawn) X(refused)  \
	X(delivered) X(delivered_electronic) X(rated) X(rating_sum) X(rated_satisfied)    \
	X(rated_dislike) X(supplement_req) X(apologies) X(recv_population) X(d_active_in) \
	X(d_active_over) X(d_paused_in) X(d_paused_over)

enum ts_stats_col {
#define X(n) TS_SC_##n,
	TS_STATS_COLUMNS(X)
#undef X
	TS_SC__COUNT
};
const char *ts_stats_col_name(int col);

struct ts_stats_counts {
	int64_t v[TS_SC__COUNT];
};

/* Local (UTC+7) day number of unix time t: days since 1970-01-01 in Vietnam. The key of
 * stats_day. Pure. */
int64_t ts_stats_day_of(int64_t t);
/* First second (unix) of local day number day. Pure. */
int64_t ts_stats_day_start(int64_t day);
/* Local day number of the calendar date y-m-d; -1 when invalid. Pure. */
int64_t ts_stats_day_from_ymd(int y, int m, int d);
/* Calendar date of a local day number (yyyymmdd). Pure. */
int ts_stats_day_ymd(int64_t day);

/* Decree 09 report months: rm = year * 12 + month - 1 of the period running from the 15th of
 * the month before to the 14th of that month. The report month of a local day, and its first
 * and last days. Pure. */
int64_t ts_stats_rm_of_day(int64_t day);
int64_t ts_stats_rm_first_day(int64_t rm);
int64_t ts_stats_rm_last_day(int64_t rm);

/* THE hook of the dossier module: called inside the dossier's write transaction, once per
 * announced transition (action: enum ts_dossier_action; from: the status before; after:
 * the dossier as it will be saved; at: the transition time). Bumps the day's counters,
 * opens and closes the dossier's stock segments (stats_segment) and records the deadline
 * crossing of a segment that ends overdue. Reads the dossier's documents and procedure
 * version on c. Returns 0 or the DB error (the caller's transaction then rolls back). */
int ts_stats_on_change(struct ts_dbconn *c, struct ts_arena *a, int from,
		       const struct ts_dossier *after, int action, int64_t at,
		       struct ts_error *err);

/* Called inside the write transaction that changes the flags of a dossier's components
 * (attach/ copies a linked file's digitised / reused flags onto its component, possibly
 * after the dossier was accepted): moves the dossier into (or out of) the digitised /
 * reused receptions of each day it was accepted, so the counters stay equal to their
 * recount, which reads the flags as they are now. was_* / now_*: any component of d
 * flagged before / after the change. Returns 0 or the DB error. */
int ts_stats_on_documents(struct ts_dbconn *c, struct ts_arena *a, const struct ts_dossier *d,
			  bool was_digitised, bool was_reused, bool now_digitised, bool now_reused,
			  struct ts_error *err);

/* Called inside the write transaction that first marks dossier d as using population data
 * (dvcqg/identity.c, table dossier_population_use), possibly after it was accepted: counts
 * it among the receptions that used population data (recv_population, 766 indicators 5.6 /
 * 5.7) on each day it was accepted, as the recount does. Returns 0 or the DB error. */
int ts_stats_on_population(struct ts_dbconn *c, struct ts_arena *a, const struct ts_dossier *d,
			   struct ts_error *err);

/* Rebuilds the counters from dossier, dossier_event and stats_segment rows into the
 * *_recount tables (days, then report months, report years and the open stock) and compares
 * them with stats_day, stats_month, stats_year and stats_stock: *rows is the number of
 * recounted day rows, *differing the number of keys whose non-zero rows differ (either side
 * missing counts) over the four tables. With apply, the four are replaced by the recount in the
 * same transaction (+ audit "stats.recount"). Needs a CLI context or system rights. */
int ts_stats_recount(struct ts_ctx *ctx, bool apply, int64_t *rows, int64_t *differing,
		     struct ts_error *err);

/* ---- periods (period.c) -------------------------------------------------------------- */

enum ts_stats_period_kind {
	TS_PERIOD_MONTH,
	TS_PERIOD_QUARTER,
	TS_PERIOD_HALF,
	TS_PERIOD_YEAR,
	TS_PERIOD_CUSTOM
};

/* A report period: Decree 09/2019 (type, year, index) with computed cut-off days, or a
 * custom range. Days are local day numbers, both ends inclusive. */
struct ts_stats_period {
	int kind;
	int year, index;    /* month 1-12, quarter 1-4, half 1-2, year: 1 */
	int64_t from_day, to_day;
	char label[160];    /* "Tháng 3/2026 (15/02/2026 - 14/03/2026)" */
};

/* The Decree 09 period: month m = 15th of the previous month to the 14th of m; quarter =
 * 15th of the month before it to the 14th of its last month; half 1 = 15 Dec to 14 Jun,
 * half 2 = 15 Jun to 14 Dec; year = 15 Dec of the previous year to 14 Dec. Pure.
 * TS_ERR_VALIDATION (field "period") for a bad index or year outside 2000..2199. */
int ts_stats_period_make(int kind, int year, int index, struct ts_stats_period *out,
			 struct ts_error *err);
/* Parses "month:2026-03", "quarter:2026-1", "half:2026-2", "year:2026" or a custom range
 * "2026-01-01..2026-03-31" (at most 3 years). Pure. TS_ERR_VALIDATION (field "period"). */
int ts_stats_period_parse(const char *s, struct ts_stats_period *out, struct ts_error *err);
/* The Decree 09 period of kind containing local day `day`. Pure. */
void ts_stats_period_containing(int kind, int64_t day, struct ts_stats_period *out);

/* ---- report 06/VPCP/KSTT (report.c) ------------------------------------------------ */

/* X(NAME, machine name, Vietnamese column title) - the report's cells, in output order:
 * the 11 numeric columns of the form (1..11), then the columns real systems add. */
#define TS_STATS_CELL_TABLE(X)                                                               \
	X(RECEIVED, "received", "Tổng số hồ sơ tiếp nhận (1)=(2)+(3)+(4)")                  \
	X(RECEIVED_ONLINE, "received_online", "Trong kỳ: trực tuyến (2)")                    \
	X(RECEIVED_DIRECT, "received_direct", "Trong kỳ: trực tiếp, dịch vụ bưu chính (3)") \
	X(CARRIED_OVER, "carried_over", "Từ kỳ trước chuyển qua (4)")                        \
	X(RESOLVED, "resolved", "Đã giải quyết: tổng số (5)=(6)+(7)+(8)")                    \
	X(RESOLVED_EARLY, "resolved_early", "Trước hạn (6)")                                 \
	X(RESOLVED_ON_TIME, "resolved_on_time", "Đúng hạn (7)")                              \
	X(RESOLVED_LATE, "resolved_late", "Quá hạn (8)")                                     \
	X(IN_PROGRESS, "in_progress", "Đang giải quyết: tổng số (9)=(10)+(11)")              \
	X(IN_PROGRESS_WITHIN, "in_progress_within", "Trong hạn (10)")                        \
	X(IN_PROGRESS_OVERDUE, "in_progress_overdue", "Quá hạn (11)")                        \
	X(RECEIVED_POST, "received_post", "Trong đó qua dịch vụ bưu chính")                  \
	X(SUSPENDED, "suspended", "Tạm dừng (chờ bổ sung, nghĩa vụ tài chính)")              \
	X(SUSPENDED_WITHIN, "suspended_within", "Tạm dừng: trong hạn")                       \
	X(SUSPENDED_OVERDUE, "suspended_overdue", "Tạm dừng: quá hạn")                       \
	X(STOPPED, "stopped", "Dừng xử lý")                                                  \
	X(WITHDRAWN, "withdrawn", "Công dân rút hồ sơ")

enum ts_stats_cell {
#define X(n, s, vi) TS_CELL_##n,
	TS_STATS_CELL_TABLE(X)
#undef X
	TS_CELL__COUNT
};
const char *ts_stats_cell_name(int cell);
const char *ts_stats_cell_title(int cell);
int ts_stats_cell_parse(const char *name); /* -1 if unknown */

/* Administrative level of a unit for the report's grouping. */
enum ts_stats_level { TS_LEVEL_PROVINCE, TS_LEVEL_COMMUNE, TS_LEVEL__COUNT };
const char *ts_stats_level_name(int level);  /* "province" | "commune" */
const char *ts_stats_level_title(int level); /* "Cấp tỉnh" | "Cấp xã" */
int ts_stats_level_of_kind(int unit_kind);  /* enum ts_unit_kind -> level */

struct ts_stats_row {
	int level;                 /* enum ts_stats_level; -1 on level subtotals' total */
	const char *field_code;    /* NULL: "unclassified" */
	const char *field_name;
	int64_t cell[TS_CELL__COUNT];
};

/* The report. Rows sorted by level, then field name; per level a subtotal; the total. */
struct ts_stats_report {
	struct ts_stats_period period;
	int64_t unit_id;           /* the subtree root (0 = all roots) */
	const char *unit_code, *unit_name;
	struct ts_stats_row *rows;
	int nrows;
	struct ts_stats_row level_total[TS_LEVEL__COUNT];
	bool level_present[TS_LEVEL__COUNT];
	struct ts_stats_row total;
	int64_t as_of;             /* when it was computed */
};

/* Computes report 06 for the unit subtree (competent units in it) and period, from the
 * counters (flows summed over the period, the open stock at the start and end of it).
 * Needs STATS_READ over unit_id (0 = every root: a province-wide grant). Arrays in
 * ctx->arena. TS_ERR_FORBIDDEN, TS_ERR_NOT_FOUND (unit). */
int ts_stats_report06(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		      struct ts_stats_report *out, struct ts_error *err);

/* The identities of one row (DOMAIN.md §8): (1) = (2)+(3)+(4), (5) = (6)+(7)+(8),
 * (9) = (10)+(11), suspended = within + overdue, and (1) = (5)+(9)+suspended+stopped+
 * withdrawn. Pure; true when all hold. */
bool ts_stats_row_consistent(const struct ts_stats_row *r);

/* One dossier behind a cell (no personal data). */
struct ts_stats_dossier {
	const char *code, *procedure_code, *procedure_name, *field_name, *unit_name;
	int64_t unit_id;
	int status, channel;
	int64_t accepted_at, due_at, ended_at;
};
#define TS_STATS_DRILL_MAX 500
/* The dossiers behind a cell of report 06 (cell name as in TS_STATS_CELL_TABLE) or behind
 * a numerator of the 766 index ("idx:2.1", "idx:3.1", "idx:5.1", "idx:5.2", "idx:5.4",
 * "idx:6.3"), for the subtree and period, optionally one field (field_code, "" = the
 * unclassified row, NULL = any) and level (-1 any). Ordered by dossier id; keyset cursor
 * `after` (last id of the previous page, 0 first page), *next 0 at the end. */
int ts_stats_drill(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		   const char *cell, const char *field_code, int level, int64_t after, int limit,
		   struct ts_stats_dossier **items, int *n, int64_t *next, struct ts_error *err);

/* Exports (export_xlsx.c, export_pdf.c): the report as an XLSX workbook / a PDF (landscape
 * A4, drawn with cairo + Pango through forms/pdf.h, the DejaVu fonts of font_dir embedded).
 * Bytes in arena a. TS_ERR_IO / TS_ERR_INTERNAL; TS_ERR_CONFIG when the fonts are missing. */
int ts_stats_report_xlsx(struct ts_arena *a, const struct ts_stats_report *r, char **out,
			 size_t *len, struct ts_error *err);
int ts_stats_report_pdf(struct ts_arena *a, const struct ts_stats_report *r,
			const char *font_dir, char **out, size_t *len, struct ts_error *err);

/* ---- Decision 766 index (index.c) -------------------------------------------------- */

struct ts_stats_index_item {
	const char *code, *group, *name;
	int max_points, threshold_bp;
	const char *formula;       /* "progress", "online", ..., "na" */
	bool na;                   /* not computed: na_reason says why */
	const char *na_reason;
	bool not_applicable;       /* a commune-level unit: full points, not computed */
	int64_t num, den;
	double ratio;              /* num / den (0..1); meaningful when !na && den > 0 */
	double score;              /* rounded to 2 decimals */
	const char *drill;         /* cell name for ts_stats_drill, NULL when none */
};
struct ts_stats_index {
	struct ts_stats_period period;
	int64_t unit_id;
	const char *version_code, *version_name;
	bool commune;              /* scored as a commune-level unit */
	struct ts_stats_index_item *items;
	int nitems;
	double total;              /* points over the computed (and not-applicable) rows */
	int total_max;             /* the maximum of those rows */
	int na_max;                /* points of rows shown N/A (not counted) */
};
/* The index for the unit subtree and period with the definitions in force on the
 * period's last day. A zero denominator gives N/A ("Không có hồ sơ phát sinh"). Needs
 * STATS_READ over unit_id. */
int ts_stats_index766(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		      struct ts_stats_index *out, struct ts_error *err);
/* The score rule (pure): threshold_bp > 0: max when ratio >= T else ratio * max / T;
 * otherwise ratio * max; rounded to 2 decimals. */
double ts_stats_index_score(double ratio, int max_points, int threshold_bp);

/* ---- rankings and the operations centre (rank.c) ----------------------------------- */

struct ts_stats_unit_rank {
	int64_t unit_id;
	const char *code, *name;
	int64_t parent_id;
	int level;
	int64_t received, resolved, on_time, late, overdue_now, supplemented, rated;
	double on_time_rate;       /* (early + on time) / resolved, -1 when none resolved */
	double avg_days;           /* mean calendar days accepted -> resolved, -1 when none */
	double supplement_rate;    /* resolved with a supplement request / resolved, -1 */
	double satisfaction;       /* mean rating 1..5, -1 when none rated */
};
/* Every unit of the subtree with its figures for the period (overdue_now: open now and
 * past the deadline), sorted by on-time rate (units without resolved dossiers last), then
 * overdue now ascending. Needs STATS_READ over unit_id. */
int ts_stats_rank_units(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
			struct ts_stats_unit_rank **items, int *n, struct ts_error *err);

struct ts_stats_officer_rank {
	int64_t account_id;
	const char *username, *name;
	int64_t handled, early, on_time, late; /* control-slip hand-overs in the period */
	double on_time_rate;       /* (early + on time) / handled, -1 when none */
};
/* Officers by their hand-overs (control slip) in the period on dossiers of the subtree,
 * most late first. */
int ts_stats_rank_officers(struct ts_ctx *ctx, int64_t unit_id,
			   const struct ts_stats_period *p, struct ts_stats_officer_rank **items,
			   int *n, struct ts_error *err);

struct ts_stats_late_step {
	const char *code, *procedure_name, *action;
	int step;
	int64_t step_started_at, step_due_at, handed_at;
};
/* One officer's late hand-overs in the period on dossiers of the subtree ("cá nhân hóa
 * trách nhiệm"), newest first, at most TS_STATS_DRILL_MAX. */
int ts_stats_officer_late(struct ts_ctx *ctx, int64_t unit_id,
			  const struct ts_stats_period *p, int64_t account_id,
			  struct ts_stats_late_step **items, int *n, struct ts_error *err);

/* The operations-centre figures as one JSON object (new reference in *out): today, the
 * period, on-time rate, overdue now, online share, 766 total, a 30-day trend, the unit
 * tree coloured by on-time rate, the latest events, top late procedures and units, and
 * "cursor" (the newest event id) for cheap polling. Needs STATS_READ over unit_id. */
int ts_stats_ioc(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
		 int64_t now, json_t **out, struct ts_error *err);
/* The figures a province publishes (no sign-in): totals of the period for every root. */
int ts_stats_public(struct ts_ctx *ctx, const struct ts_stats_period *p, json_t **out,
		    struct ts_error *err);

/* The newest dossier event id anywhere in the store (the IOC "cursor"); 0 when none.
 * No permission check: a number that only says that something happened. Thread-safe. */
int ts_stats_cursor(struct ts_db *db, int64_t *out, struct ts_error *err);
/* Checks STATS_READ over unit_id (TS_ERR_FORBIDDEN as ts_stats_ioc answers it) and reads the
 * cursor, in one short read transaction: what an answer cache of ts_stats_ioc needs. */
int ts_stats_ioc_peek(struct ts_ctx *ctx, int64_t unit_id, int64_t *cursor, struct ts_error *err);

/* ---- /metrics (metrics.c) ---------------------------------------------------------- */

/* Dossiers open now and past their deadline in the whole store at unix time `now` (what
 * the rankings call "overdue now", summed over every unit): the open stock counted overdue
 * when its stretch began + the open active stretches whose deadline passed before now, read
 * in one short read transaction from stats_stock and an index of open stretches by due time
 * (never a scan of the dossiers). No permission check (an operations figure). Thread-safe. */
int ts_stats_overdue_total(struct ts_db *db, int64_t now, int64_t *out, struct ts_error *err);
/* The statistics lines of /metrics at ts_stats_now(): the gauges tinhso_dossiers_overdue
 * (everywhere) and tinhso_dossiers_overdue_by_unit{unit="agency code"} (every unit that has
 * had open dossiers), Prometheus text in arena a; NULL when the store cannot be read or
 * memory runs out. */
char *ts_stats_metrics(struct ts_db *db, struct ts_arena *a);

/* The folder of the DejaVu fonts of PDF reports (config forms.font_dir, the same fonts as the
 * printed forms); copied. Call once at start. */
void ts_stats_set_pdf_font(const char *dir);
const char *ts_stats_pdf_font(void);

/* Test seam: the clock for "now" and "today" (NULL = time()). */
void ts_stats_set_clock(int64_t (*now)(void));
/* Test seam: about how many events one window of `stats recount` reads (it reads its sources
 * in windows of whole days in time order; <= 0 = the default, 200,000). Tests set it low to
 * get one-day windows over a small store. */
void ts_stats_set_recount_window(int64_t events);
int64_t ts_stats_now(void);

/* ---- HTTP adapters (stats_http.c) ---- */
struct ts_call;
int ts_stats_http_report06(struct ts_call *call, struct ts_error *err);
int ts_stats_http_drill(struct ts_call *call, struct ts_error *err);
int ts_stats_http_index(struct ts_call *call, struct ts_error *err);
int ts_stats_http_rank_units(struct ts_call *call, struct ts_error *err);
int ts_stats_http_rank_officers(struct ts_call *call, struct ts_error *err);
int ts_stats_http_officer_late(struct ts_call *call, struct ts_error *err);
int ts_stats_http_ioc(struct ts_call *call, struct ts_error *err);
int ts_stats_http_public(struct ts_call *call, struct ts_error *err);
/* GET /api/v1/stats/ioc/events: a Server-Sent Events stream that says "change" (data:
 * {"cursor":N}) within one poll tick of a new dossier event; 503 when the feed is full or
 * not started. */
int ts_stats_http_ioc_events(struct ts_call *call, struct ts_error *err);
/* Starts the IOC event feed over db (one per process; call before serving, and
 * ts_stats_http_live_stop after the server stopped). Returns 0 or a ts_err. */
int ts_stats_http_live_start(struct ts_db *db, unsigned max_streams, unsigned heartbeat_s,
			     unsigned poll_ms, unsigned max_s, struct ts_error *err);
void ts_stats_http_live_stop(void);

#endif
