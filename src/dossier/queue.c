/* queue.c - the work queues (GET /api/v1/dossiers) and their counts: one query per view,
 * each walking an index in the queue order (current due, no due last, then id) that leads
 * with the view's own condition, so that a page at a million dossiers reads about a page of
 * index entries (sql/common/queries/dossier.sql, sql/{sqlite,pgsql}/queries/dossier.sql,
 * migration 0017). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dossier/dossier.h"
#include "dossier/dossier_int.h"

#define LIST_DEFAULT 50
/* A code search alone reads a page of each unit's codes from the code indexes (they carry
 * the due time). With other filters, a prefix matching at most this many codes of the scope
 * is answered from the code indexes (those rows, filtered and sorted); a wider one by walking
 * the view's index with the prefix as a filter. */
#define CODE_DIRECT_MAX 20000
#define KEY_MAX INT64_MAX /* the sort key of a dossier without a due time */

static int nomem(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

struct list_job {
	struct ts_ctx *ctx;
	struct ts_dossier_filter f;
	int64_t applicant, cur_due, cur_id, now, key_max;
	const char *q;    /* applicant name substring or code prefix (lower case, LIKE-safe) */
	const char *code; /* code prefix (lower case, printable ASCII) instead of q */
	struct ts_dossier *items;
	int n;
};

/* The view's query: the one whose leading condition is the most selective filter given. */
static const char *view_query(const struct list_job *j)
{
	bool open = j->f.overdue || j->f.due_after > 0;

	if (j->applicant)
		return "dossier_queue_applicant";
	if (j->f.assignee)
		return "dossier_queue_assignee";
	if (j->f.unit_id == 0)
		return j->f.status ? "dossier_queue_status" : open ? "dossier_queue_open" : "dossier_queue";
	return j->f.status ? "dossier_queue_units_status"
	       : open	   ? "dossier_queue_units_open"
			   : "dossier_queue_units";
}

/* A code search text that names a unit and month as codes do (<agency>-<yyMM>: the text up
 * to its first '-' and four characters more): every code starting with it has its first '-'
 * there too, so the text is the code's "month group" of migration 0022, whose indexes hold
 * each unit's group in the queue order. */
static bool code_month(const char *code)
{
	const char *dash = strchr(code, '-');

	return dash && strlen(dash + 1) == 4;
}

static int take_rows(struct list_job *j, const struct ts_dbres *r, struct ts_error *err)
{
	j->items = ts_arena_zalloc(j->ctx->arena, (size_t)(r->nrows + 1) * sizeof(*j->items));
	if (!j->items)
		return nomem(err);
	j->n = r->nrows;
	for (int i = 0; i < r->nrows; i++)
		ts_dossier_from_row(r, i, &j->items[i]);
	return 0;
}

static int list_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct list_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbres *r = NULL;
	int rc;

	if (j->applicant == 0 && j->f.unit_id > 0) {
		bool ok = false;
		if ((rc = ts_dossier_holds_role(j->ctx, c, -1, j->f.unit_id, &ok, err)))
			return rc;
		if (!ok)
			return ts_error_set(err, TS_ERR_FORBIDDEN, "unit",
					    "Đơn vị nằm ngoài phạm vi được phân quyền");
	}
	const char *q = view_query(j);
	bool only_code = j->code && !j->applicant && !j->f.assignee && !j->f.status && !j->f.step &&
			 !j->f.procedure_id && !j->f.due_before && !j->f.overdue && !j->f.due_after;
	if (only_code) {
		/* their own parameters (sql/.../dossier.sql, dossier_queue_code_top) */
		struct ts_dbval cp[] = {TS_DB_INT(j->f.unit_id), TS_DB_INT(j->cur_due),
					TS_DB_INT(j->cur_id),	 TS_DB_INT(j->f.limit + 1),
					TS_DB_TEXT(j->code),	 TS_DB_INT(j->key_max)};
		q = code_month(j->code) ? "dossier_queue_code_month" : "dossier_queue_code_top";
		if ((rc = ts_db_query(c, a, q, cp, 6, &r, err)))
			return rc;
		return take_rows(j, r, err);
	} else if (j->code && !j->applicant && !j->f.assignee) {
		struct ts_dbval cp[] = {TS_DB_TEXT(j->code), TS_DB_INT(CODE_DIRECT_MAX + 1),
					TS_DB_INT(j->f.unit_id)};
		if ((rc = ts_db_query(c, a, "dossier_code_prefix_count", cp, 3, &r, err)))
			return rc;
		if (r->nrows && ts_dbres_int(r, 0, 0) <= CODE_DIRECT_MAX)
			q = "dossier_queue_code";
	}
	struct ts_dbval p[] = {
	    TS_DB_INT(j->f.unit_id),	TS_DB_INT(j->applicant),    TS_DB_INT(j->f.status),
	    TS_DB_INT(j->f.step),	TS_DB_INT(j->f.assignee),   TS_DB_INT(j->f.procedure_id),
	    TS_DB_INT(j->f.due_before), TS_DB_INT(j->f.overdue ? 1 : 0), TS_DB_INT(j->now),
	    TS_DB_TEXT(j->q),		TS_DB_INT(j->cur_due),	    TS_DB_INT(j->cur_id),
	    TS_DB_INT(j->f.limit + 1),	TS_DB_INT(j->f.due_after),  TS_DB_TEXT(j->code),
	    TS_DB_INT(j->key_max)};
	if ((rc = ts_db_query(c, a, q, p, 16, &r, err)))
		return rc;
	return take_rows(j, r, err);
}

/* An officer's queues default to the home unit's subtree (everywhere with a province-wide
 * grant or system rights); *unit is left alone when the caller named one. */
static int default_scope(const struct ts_actor *ac, int64_t *unit, struct ts_error *err)
{
	bool everywhere = false;

	if (*unit != 0 || ts_dossier_is_system(ac))
		return 0;
	for (int i = 0; i < ac->ngrants; i++)
		everywhere |= ac->grants[i].unit_id <= 0;
	if (!everywhere)
		*unit = ac->unit_id > 0 ? ac->unit_id : (ac->ngrants ? ac->grants[0].unit_id : -1);
	if (*unit < 0)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	return 0;
}

/* A search text is a code prefix when it holds a digit (names hold none) and only the
 * printable ASCII codes are made of; anything else searches names and codes with LIKE. */
static bool is_code_prefix(const char *q)
{
	bool digit = false;

	for (const char *p = q; *p; p++) {
		if (*p < '!' || *p > '~')
			return false;
		digit |= *p >= '0' && *p <= '9';
	}
	return digit;
}

int ts_dossier_list(struct ts_ctx *ctx, const struct ts_dossier_filter *f,
		    struct ts_dossier **items, int *n, const char **next, struct ts_error *err)
{
	struct list_job j = {.ctx = ctx, .f = *f, .cur_due = -1, .now = ts_dossier_now(),
			     .key_max = KEY_MAX};
	const struct ts_actor *ac = &ctx->actor;
	int rc;

	*next = NULL;
	if (j.f.limit == 0)
		j.f.limit = LIST_DEFAULT;
	if (j.f.limit < 1 || j.f.limit > TS_DOSSIER_LIST_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit", "Số dòng mỗi trang từ 1 đến %d",
				    TS_DOSSIER_LIST_MAX);
	if (f->after && *f->after &&
	    sscanf(f->after, "%" SCNd64 ".%" SCNd64, &j.cur_due, &j.cur_id) != 2)
		return ts_error_set(err, TS_ERR_VALIDATION, "after", "Con trỏ trang không hợp lệ");
	if (ac->kind == TS_ACCT_CITIZEN || ac->kind == TS_ACCT_BUSINESS) {
		if (ac->account_id <= 0)
			return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
		j.applicant = ac->account_id;
	} else if ((rc = default_scope(ac, &j.f.unit_id, err))) {
		return rc;
	}
	/* the key range of the page: after the cursor, from due_after, before due_before / now */
	if (j.f.due_after > 0 && j.f.due_after > j.cur_due) {
		j.cur_due = j.f.due_after;
		j.cur_id = -1;
	}
	if (j.f.overdue && j.now - 1 < j.key_max)
		j.key_max = j.now - 1;
	if (j.f.due_before > 0 && j.f.due_before - 1 < j.key_max)
		j.key_max = j.f.due_before - 1;
	if (f->q && *f->q) {
		char *q = ts_arena_strdup(ctx->arena, f->q);
		if (!q)
			return nomem(err);
		for (char *p = q; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (is_code_prefix(q)) {
			j.code = q;
		} else {
			for (char *p = q; *p; p++)
				if (*p == '%' || *p == '_')
					*p = ' ';
			j.q = q;
		}
	}
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &j, err)))
		return rc;
	if (j.n > j.f.limit) {
		const struct ts_dossier *last = &j.items[j.f.limit - 1];
		j.n = j.f.limit;
		*next = ts_arena_printf(ctx->arena, "%" PRId64 ".%" PRId64,
					last->current_due_at > 0 ? last->current_due_at : KEY_MAX,
					last->id);
	}
	*items = j.items;
	*n = j.n;
	return 0;
}

/* ---- queue counts -------------------------------------------------------------------- */

struct counts_job {
	struct ts_ctx *ctx;
	int64_t now, soon_before;
	bool scope_checked;
	struct ts_dossier_counts *out;
};

static int count_one(struct ts_dbconn *c, struct ts_arena *a, const char *q,
		     const struct ts_dbval *p, int np, int64_t *out, struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	int rc;

	if ((rc = ts_db_query(c, a, q, p, np, &r, err)))
		return rc;
	*out = r->nrows ? ts_dbres_int(r, 0, 0) : 0;
	return 0;
}

static int counts_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct counts_job *j = vjob;
	struct ts_dossier_counts *o = j->out;
	struct ts_arena *a = j->ctx->arena;
	int64_t unit = o->unit_id, me = j->ctx->actor.account_id, cap = TS_DOSSIER_COUNT_CAP;
	struct ts_dbres *r = NULL;
	int rc;

	if (j->scope_checked && unit > 0) {
		bool ok = false;
		if ((rc = ts_dossier_holds_role(j->ctx, c, -1, unit, &ok, err)))
			return rc;
		if (!ok)
			return ts_error_set(err, TS_ERR_FORBIDDEN, "unit",
					    "Đơn vị nằm ngoài phạm vi được phân quyền");
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(unit), TS_DB_INT(TS_DS_NEW), TS_DB_INT(cap)};
		if ((rc = count_one(c, a, "dossier_count_status", p, 3, &o->awaiting, err)))
			return rc;
	}
	if (me > 0) {
		struct ts_dbval p[] = {TS_DB_INT(unit), TS_DB_INT(me), TS_DB_INT(cap)};
		if ((rc = count_one(c, a, "dossier_count_assignee", p, 3, &o->mine, err)))
			return rc;
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(unit), TS_DB_INT(j->now), TS_DB_INT(j->soon_before),
				       TS_DB_INT(cap)};
		if ((rc = count_one(c, a, "dossier_count_due", p, 4, &o->due_soon, err)))
			return rc;
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(unit), TS_DB_INT(1), TS_DB_INT(j->now), TS_DB_INT(cap)};
		if ((rc = count_one(c, a, "dossier_count_due", p, 4, &o->overdue, err)))
			return rc;
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(unit), TS_DB_INT(cap)};
		if ((rc = count_one(c, a, "dossier_count_all", p, 2, &o->all, err)))
			return rc;
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(unit)};
		if ((rc = ts_db_query(c, a, "dossier_count_by_step", p, 1, &r, err)))
			return rc;
		o->nsteps = 0;
		for (int i = 0; i < r->nrows && o->nsteps < TS_FLOW_MAX_STEPS; i++) {
			o->steps[o->nsteps].step = (int)ts_dbres_int(r, i, 0);
			o->steps[o->nsteps].count = ts_dbres_int(r, i, 1);
			o->nsteps++;
		}
	}
	return 0;
}

int ts_dossier_queue_counts(struct ts_ctx *ctx, int64_t unit_id, int64_t soon_before,
			    struct ts_dossier_counts *out, struct ts_error *err)
{
	struct counts_job j = {
	    .ctx = ctx, .now = ts_dossier_now(), .soon_before = soon_before, .out = out};
	const struct ts_actor *ac = &ctx->actor;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ac->kind == TS_ACCT_CITIZEN || ac->kind == TS_ACCT_BUSINESS)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	if (unit_id < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "unit", "Đơn vị không hợp lệ");
	if (soon_before < j.now)
		soon_before = j.soon_before = j.now;
	j.scope_checked = unit_id > 0;
	if ((rc = default_scope(ac, &unit_id, err)))
		return rc;
	out->unit_id = unit_id;
	return ts_db_tx(ctx->db, TS_DB_TX_READ, counts_tx, &j, err);
}
