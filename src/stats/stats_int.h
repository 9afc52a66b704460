/* stats_int.h - what the files of src/stats share and nobody else sees: summing the
 * counters of a subtree over a period into per (unit, procedure) aggregates, and the
 * cells of report 06 from them. */
#ifndef TS_STATS_STATS_INT_H
#define TS_STATS_STATS_INT_H

#include "stats/stats.h"

/* The counters of one (competent unit, procedure) for a period. */
struct agg {
	int64_t unit_id, procedure_id;
	int level;                        /* enum ts_stats_level */
	const char *field_key, *field_name; /* field_key "" = unclassified */
	const char *procedure_code, *procedure_name;
	struct ts_stats_counts flow;      /* summed over the period's days */
	struct ts_stats_counts after;     /* summed over the days after it (d_* used) */
	struct ts_stats_counts stock;     /* d_*: the sum over all days (stats_stock) */
	int64_t fix;                      /* active stretches overdue at the stock moment */
};

struct aggs {
	struct agg *v;
	int n, cap;
	int *slots;                       /* open-addressing index into v by (unit, procedure) */
	int nslots;                       /* a power of two, >= 2 * cap */
	bool by_field;                    /* keyed by (level, field) (unit_id = level) */
	int64_t as_of;                    /* the stock moment: min(end of period, now) */
	int64_t from_ts, to_ts;           /* period [from_ts, to_ts) in unix seconds */
};

/* Loads the aggregates of the subtree for period p on c (in ctx's arena), after checking
 * STATS_READ over unit_id unless public_view: per (unit, procedure), or with by_field per
 * (level, field) summed in SQL (report 06 and the index need no more; a few rows come
 * back). Stock taken at min(end of period, now). */
int ts_stats_load(struct ts_ctx *ctx, struct ts_dbconn *c, int64_t unit_id,
		  const struct ts_stats_period *p, bool public_view, bool by_field,
		  struct aggs *out, struct ts_error *err);

/* The 766 index from aggregates already loaded for (unit_id, p) (the scope was checked when
 * they were loaded). */
int ts_stats_index_from(struct ts_ctx *ctx, int64_t unit_id, const struct ts_stats_period *p,
			const struct aggs *s, struct ts_stats_index *out, struct ts_error *err);

/* Adds the report-06 cells of one aggregate to cell (TS_CELL__COUNT values). */
void ts_stats_cells_add(const struct agg *g, int64_t *cell);

/* Adds counts to the day rows of days[0..n) (each day at most once), to their report months
 * (n <= 32) and to the open stock of (unit, procedure), in a fixed order (days, months, stock; each
 * ascending) so that concurrent transactions never deadlock. Inside the caller's
 * transaction. Used by ts_stats_on_change and the benchmark's loader. */
int ts_stats_bump(struct ts_dbconn *c, struct ts_arena *a, int64_t unit_id, int64_t procedure_id,
		  int n, const int64_t *days, const struct ts_stats_counts *counts,
		  struct ts_error *err);

/* Reads a counter column of a query result row by name (0 when absent). */
int64_t ts_stats_res_int(const struct ts_dbres *r, int row, const char *col);

/* 0 / TS_ERR_NOMEM helpers */
int ts_stats_nomem(struct ts_error *err);

#endif
