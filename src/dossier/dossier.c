/* dossier.c - the dossier rules (DOMAIN.md §4-6): submission and intake, every transition
 * of the flow table in one write transaction (state + event + outbox + audit + counters),
 * optimistic concurrency, idempotency keys, codes, deadlines with the working calendar,
 * and the public lookup (the work queues and their counts: queue.c). Storage only through
 * sql/common/queries/dossier.sql. */
#include "dossier/dossier.h"
#include "dossier/dossier_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar/calendar.h"
#include "org/org.h"
#include "stats/stats.h"

#define REASON_MAX 2000

/* ---- seams and small helpers --------------------------------------------------------- */

static int64_t (*g_now)(void);
static ts_dossier_variant_fn g_variant_for;
/* a macro, not a const object, so that clang accepts it as a static initializer too */
#define DEFAULT_RULES {.max_apologies = 1, .apology_notice_hours = 8, .supplements_before_late = 1}
static const struct ts_dossier_rules default_rules = DEFAULT_RULES;
static struct ts_dossier_rules g_rules = DEFAULT_RULES;

void ts_dossier_set_rules(const struct ts_dossier_rules *r)
{
	g_rules = r ? *r : default_rules;
}

void ts_dossier_get_rules(struct ts_dossier_rules *out)
{
	*out = g_rules;
}

void ts_dossier_set_clock(int64_t (*now)(void))
{
	g_now = now;
}

void ts_dossier_set_variant_lookup(ts_dossier_variant_fn fn)
{
	g_variant_for = fn;
}

static int64_t now_s(void)
{
	return g_now ? g_now() : (int64_t)time(NULL);
}

static const char *const delivery_names[] = {"counter", "post", "electronic"};

const char *ts_delivery_name(int d)
{
	return d >= 0 && d <= TS_DELIVERY_ELECTRONIC ? delivery_names[d] : NULL;
}

int ts_delivery_parse(const char *s)
{
	for (int i = 0; s && i <= TS_DELIVERY_ELECTRONIC; i++)
		if (strcmp(s, delivery_names[i]) == 0)
			return i;
	return -1;
}

static void local_tm(int64_t at, struct tm *tm)
{
	time_t t = (time_t)(at + TS_TZ_OFFSET);
	gmtime_r(&t, tm);
}

static int local_day(int64_t at)
{
	struct tm tm;
	local_tm(at, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

void ts_dossier_code_format(char *out, size_t outsz, const char *agency, int64_t at, int64_t seq)
{
	struct tm tm;
	local_tm(at, &tm);
	snprintf(out, outsz, "%s-%02d%02d%02d-%04" PRId64, agency, tm.tm_year % 100,
		 tm.tm_mon + 1, tm.tm_mday, seq);
}

const char *ts_dossier_step_result(int64_t handed_at, int64_t due)
{
	if (due <= 0)
		return NULL;
	if (handed_at > due)
		return "late";
	if (local_day(handed_at) < local_day(due))
		return "early";
	return "on_time";
}

static int nomem(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

/* ---- rows ---------------------------------------------------------------------------- */

static int64_t col_int(const struct ts_dbres *r, int row, const char *name)
{
	return ts_dbres_int(r, row, ts_dbres_col(r, name));
}

static const char *col_str(const struct ts_dbres *r, int row, const char *name)
{
	int c = ts_dbres_col(r, name);
	return c < 0 ? NULL : ts_dbres_get(r, row, c);
}

static void dossier_from_row(const struct ts_dbres *r, int i, struct ts_dossier *d)
{
	memset(d, 0, sizeof(*d));
	d->id = col_int(r, i, "id");
	d->code = col_str(r, i, "code");
	d->procedure_id = col_int(r, i, "procedure_id");
	d->procedure_version_id = col_int(r, i, "procedure_version_id");
	d->variant_id = col_int(r, i, "variant_id");
	d->procedure_code = col_str(r, i, "procedure_code");
	d->procedure_name = col_str(r, i, "procedure_name");
	d->flow_version_id = col_int(r, i, "flow_version_id");
	d->legal_hours = col_int(r, i, "legal_hours");
	d->time_amount = col_int(r, i, "time_amount");
	d->time_unit = (int)col_int(r, i, "time_unit");
	d->next_day_after_cutoff = col_int(r, i, "next_day_after_cutoff") != 0;
	d->no_due_date = col_int(r, i, "no_due_date") != 0;
	d->received_unit_id = col_int(r, i, "received_unit_id");
	d->receiving_unit_id = col_int(r, i, "receiving_unit_id");
	d->competent_unit_id = col_int(r, i, "competent_unit_id");
	d->applicant_account_id = col_int(r, i, "applicant_account_id");
	d->applicant_name = col_str(r, i, "applicant_name");
	d->applicant_phone = col_str(r, i, "applicant_phone");
	d->applicant_id_last4 = col_str(r, i, "applicant_id_last4");
	d->channel = (int)col_int(r, i, "channel");
	d->delivery = ts_delivery_parse(col_str(r, i, "delivery"));
	d->status = (int)col_int(r, i, "status");
	d->resume_status = (int)col_int(r, i, "resume_status");
	d->current_step = (int)col_int(r, i, "current_step");
	d->step_started_at = col_int(r, i, "step_started_at");
	d->step_due_at = col_int(r, i, "step_due_at");
	d->assignee_account_id = col_int(r, i, "assignee_account_id");
	d->submitted_at = col_int(r, i, "submitted_at");
	d->accepted_at = col_int(r, i, "accepted_at");
	d->due_at = col_int(r, i, "due_at");
	d->current_due_at = col_int(r, i, "current_due_at");
	d->original_due_at = col_int(r, i, "original_due_at");
	d->ended_at = col_int(r, i, "ended_at");
	d->delivered_at = col_int(r, i, "delivered_at");
	d->paused_seconds = col_int(r, i, "paused_seconds");
	d->paused_since = col_int(r, i, "paused_since");
	d->supplement_count = (int)col_int(r, i, "supplement_count");
	d->apology_count = (int)col_int(r, i, "apology_count");
	d->on_time = ts_dbres_isnull(r, i, ts_dbres_col(r, "on_time"))
			 ? -1
			 : (int)col_int(r, i, "on_time");
	d->version = col_int(r, i, "version");
	d->form_data = col_str(r, i, "form_data");
	d->rating = (int)col_int(r, i, "rating");
	d->comment = col_str(r, i, "comment");
	d->created_at = col_int(r, i, "created_at");
	d->updated_at = col_int(r, i, "updated_at");
}

/* Loads by code or alias; TS_ERR_NOT_FOUND (field "code") when absent. */
static int load_dossier(struct ts_dbconn *c, struct ts_arena *a, const char *code,
			struct ts_dossier *d, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_TEXT(code)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, a, "dossier_get", p, 1, &r, err);

	if (rc)
		return rc;
	if (r->nrows == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code",
				    "Không tìm thấy hồ sơ có mã \"%s\"", code);
	dossier_from_row(r, 0, d);
	return 0;
}

static int load_events(struct ts_dbconn *c, struct ts_arena *a, int64_t id,
		       struct ts_dossier_event **out, int *n, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(id)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, a, "dossier_events", p, 1, &r, err);
	struct ts_dossier_event *ev;

	if (rc)
		return rc;
	ev = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(*ev));
	if (!ev)
		return nomem(err);
	for (int i = 0; i < r->nrows; i++) {
		ev[i].id = ts_dbres_int(r, i, 0);
		ev[i].at = ts_dbres_int(r, i, 1);
		ev[i].actor_account_id = ts_dbres_int(r, i, 2);
		ev[i].actor_label = ts_dbres_get(r, i, 3);
		ev[i].action = ts_dbres_get(r, i, 4);
		ev[i].from_status = (int)ts_dbres_int(r, i, 5);
		ev[i].to_status = (int)ts_dbres_int(r, i, 6);
		ev[i].step = (int)ts_dbres_int(r, i, 7);
		ev[i].to_step = (int)ts_dbres_int(r, i, 8);
		ev[i].receiver_account_id = ts_dbres_int(r, i, 9);
		ev[i].step_started_at = ts_dbres_int(r, i, 10);
		ev[i].step_due_at = ts_dbres_int(r, i, 11);
		ev[i].handed_at = ts_dbres_int(r, i, 12);
		ev[i].result = ts_dbres_get(r, i, 13);
		ev[i].reason = ts_dbres_get(r, i, 14);
		ev[i].items = ts_dbres_get(r, i, 15);
	}
	*out = ev;
	*n = r->nrows;
	return 0;
}

/* ---- who may act --------------------------------------------------------------------- */

/* The command-line context acts as the system itself (iam: ts_ctx_init_cli). */
static bool is_system(const struct ts_actor *a)
{
	if (a->account_id != 0 || a->api_client_id != 0)
		return false;
	for (int i = 0; i < a->ngrants; i++)
		if (a->grants[i].role == TS_ROLE_SYS_ADMIN && a->grants[i].unit_id <= 0)
			return true;
	return false;
}

/* Does the actor hold role (-1 = any role) over unit (a grant on it or an ancestor)? */
static int holds_role(struct ts_ctx *ctx, struct ts_dbconn *c, int role, int64_t unit,
		      bool *ok, struct ts_error *err)
{
	const struct ts_actor *a = &ctx->actor;
	struct ts_dbval p[] = {TS_DB_INT(unit)};
	struct ts_dbres *r = NULL;
	bool any = false;
	int rc;

	*ok = false;
	if (is_system(a)) {
		*ok = true;
		return 0;
	}
	for (int i = 0; i < a->ngrants; i++) {
		if (role >= 0 && a->grants[i].role != role)
			continue;
		if (a->grants[i].unit_id <= 0) {
			*ok = true;
			return 0;
		}
		any = true;
	}
	if (!any || unit <= 0)
		return 0;
	if ((rc = ts_db_query(c, ctx->arena, "dossier_unit_ancestors", p, 1, &r, err)))
		return rc;
	for (int k = 0; k < r->nrows; k++)
		for (int i = 0; i < a->ngrants; i++)
			if ((role < 0 || a->grants[i].role == role) &&
			    a->grants[i].unit_id == ts_dbres_int(r, k, 0)) {
				*ok = true;
				return 0;
			}
	return 0;
}

static bool is_applicant(const struct ts_ctx *ctx, const struct ts_dossier *d)
{
	return ctx->actor.account_id > 0 && ctx->actor.account_id == d->applicant_account_id;
}

/* May the actor see d? Applicant, anyone with a role over one of its units, system. */
static int may_read(struct ts_ctx *ctx, struct ts_dbconn *c, const struct ts_dossier *d,
		    bool *ok, struct ts_error *err)
{
	int64_t units[3] = {d->received_unit_id, d->receiving_unit_id, d->competent_unit_id};
	int rc;

	*ok = is_applicant(ctx, d);
	if (*ok || ctx->actor.kind == TS_ACCT_CITIZEN || ctx->actor.kind == TS_ACCT_BUSINESS)
		return 0;
	/* an API key reads dossiers only when dossier.read is among its permissions (its one
	 * grant has no role, so any other permission would otherwise pass the unit check) */
	if (ctx->actor.api_client_id > 0 && !ts_iam_has(&ctx->actor, TS_PERM_DOSSIER_READ))
		return 0;
	for (int i = 0; i < 3 && !*ok; i++)
		if ((rc = holds_role(ctx, c, -1, units[i], ok, err)))
			return rc;
	return 0;
}

/* ---- the write transaction's shared parts ------------------------------------------ */

struct job {
	struct ts_ctx *ctx;
	struct ts_arena *a;
	int64_t now;
	const struct ts_idem *idem;
	const struct ts_dossier_new *in;      /* submit / intake */
	const char *code;                     /* perform */
	const struct ts_dossier_act *act;     /* perform */
	int kind;                             /* TS_DA_SUBMIT / INTAKE / other */
	struct ts_dossier d;                  /* working copy, the result */
	struct ts_flow flow;
	struct ts_calendar cal;
	bool cal_loaded;
	bool replayed;                        /* answered from the idempotency key */
	/* submit / intake: what submit_read_tx found before the write transaction */
	struct ts_proc_variant_info v;
	const char *agency;                   /* the receiving unit's code, for the dossier code */
	struct ts_dossier d_read;             /* d as submit_read_tx left it: each write run's start */
	int write_runs;                       /* submit_tx runs so far */
	int64_t code_no;                      /* the number in the dossier's code */
	bool code_no_before;                  /* PostgreSQL: taken by code_no_tx, before submit_tx */
};

static const char *actor_label(const struct ts_ctx *ctx)
{
	return ctx->actor.username ? ctx->actor.username : "system";
}


static int need_cal(struct job *j, struct ts_dbconn *c, struct ts_error *err)
{
	struct tm tm;
	int rc;

	if (j->cal_loaded)
		return 0;
	local_tm(j->now, &tm);
	if ((rc = ts_cal_load(c, j->a, tm.tm_year + 1900, tm.tm_year + 1902, &j->cal, err)))
		return rc;
	j->cal_loaded = true;
	return 0;
}

static const struct ts_flow_step *step_at(const struct job *j, int ord)
{
	return ord >= 1 && ord <= j->flow.nsteps ? &j->flow.steps[ord - 1] : NULL;
}

/* Enters step ord now: start time and the step's own due time from its allotted hours. */
static int enter_step(struct job *j, struct ts_dbconn *c, int ord, struct ts_error *err)
{
	const struct ts_flow_step *s = step_at(j, ord);
	int rc;

	if (!s)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Bước %d không có trong quy trình",
				    ord);
	j->d.current_step = ord;
	j->d.step_started_at = j->now;
	j->d.step_due_at = 0;
	if (s->hours > 0) {
		if ((rc = need_cal(j, c, err)))
			return rc;
		j->d.step_due_at = ts_cal_due(&j->cal, j->now, s->hours, TS_CAL_WORKING_HOURS, false);
	}
	return 0;
}

struct event {
	const char *action;
	int from, to, step, to_step;
	int64_t receiver;
	int64_t step_started_at, step_due_at, handed_at;
	const char *result, *reason, *items;
};

static int write_event(struct job *j, struct ts_dbconn *c, const struct event *e,
		       struct ts_error *err)
{
	struct ts_dbval p[] = {
	    TS_DB_INT(j->d.id),
	    TS_DB_INT(j->now),
	    j->ctx->actor.account_id > 0 ? TS_DB_INT(j->ctx->actor.account_id) : TS_DB_NULL,
	    TS_DB_TEXT(actor_label(j->ctx)),
	    TS_DB_TEXT(e->action),
	    TS_DB_INT(e->from),
	    TS_DB_INT(e->to),
	    e->step > 0 ? TS_DB_INT(e->step) : TS_DB_NULL,
	    e->to_step > 0 ? TS_DB_INT(e->to_step) : TS_DB_NULL,
	    e->receiver > 0 ? TS_DB_INT(e->receiver) : TS_DB_NULL,
	    e->step_started_at > 0 ? TS_DB_INT(e->step_started_at) : TS_DB_NULL,
	    e->step_due_at > 0 ? TS_DB_INT(e->step_due_at) : TS_DB_NULL,
	    e->handed_at > 0 ? TS_DB_INT(e->handed_at) : TS_DB_NULL,
	    TS_DB_TEXT(e->result),
	    TS_DB_TEXT(e->reason),
	    TS_DB_TEXT(e->items),
	};
	return ts_db_query(c, j->a, "dossier_event_insert", p, 16, NULL, err);
}

/* Outbox row, audit row and the daily counter for one transition. */
static int announce(struct job *j, struct ts_dbconn *c, const char *action, int from,
		    const char *metric, struct ts_error *err)
{
	json_t *payload;
	const char *text, *summary;
	char topic[64];
	int rc;

	payload = ts_json_own(j->a, json_pack("{s:s, s:s, s:i, s:i, s:I, s:I}", "code", j->d.code,
					      "action", action, "from", from, "to", j->d.status,
					      "at", (json_int_t)j->now, "version",
					      (json_int_t)(j->d.version + 1)));
	if (!payload || !(text = ts_json_dump(j->a, payload, NULL)))
		return nomem(err);
	snprintf(topic, sizeof(topic), "dossier.%s", action);
	{
		struct ts_dbval p[] = {TS_DB_TEXT(topic), TS_DB_TEXT(j->d.code), TS_DB_TEXT(text),
				       TS_DB_INT(j->now)};
		if ((rc = ts_db_query(c, j->a, "dossier_outbox_insert", p, 4, NULL, err)))
			return rc;
	}
	/* the citizen is told of these (src/outbox/notify.c), in their own order per dossier */
	if (!strcmp(action, "accept") || !strcmp(action, "request_supplement") ||
	    !strcmp(action, "apologize") || !strcmp(action, "finish") || !strcmp(action, "deliver")) {
		char key[TS_DOSSIER_CODE_MAX + 8];
		snprintf(topic, sizeof(topic), "notify.%s", action);
		snprintf(key, sizeof(key), "notify:%s", j->d.code);
		struct ts_dbval p[] = {TS_DB_TEXT(topic), TS_DB_TEXT(key), TS_DB_TEXT(text),
				       TS_DB_INT(j->now)};
		if ((rc = ts_db_query(c, j->a, "dossier_outbox_insert", p, 4, NULL, err)))
			return rc;
	}
	(void)metric; /* the counters are kept by src/stats (docs/statistics.md) */
	if ((rc = ts_stats_on_change(c, j->a, from, &j->d, ts_dossier_action_parse(action), j->now,
				     err)))
		return rc;
	summary = ts_arena_printf(j->a, "%s %s: %d -> %d", j->d.code, action, from, j->d.status);
	if (!summary)
		return nomem(err);
	snprintf(topic, sizeof(topic), "dossier.%s", action);
	return ts_audit_write(c, j->ctx, topic, "dossier", j->d.code, summary, err);
}

/* Stores the working copy; 0 rows changed means someone else won (TS_ERR_CONFLICT). */
static int save(struct job *j, struct ts_dbconn *c, int64_t expected, struct ts_error *err)
{
	const struct ts_dossier *d = &j->d;
#define OPT(v) ((v) > 0 ? TS_DB_INT(v) : TS_DB_NULL)
	struct ts_dbval p[] = {
	    TS_DB_INT(d->id),
	    TS_DB_INT(expected),
	    TS_DB_INT(d->status),
	    TS_DB_INT(d->resume_status),
	    TS_DB_INT(d->current_step),
	    OPT(d->step_started_at),
	    OPT(d->step_due_at),
	    OPT(d->assignee_account_id),
	    OPT(d->accepted_at),
	    OPT(d->due_at),
	    OPT(d->current_due_at),
	    OPT(d->original_due_at),
	    OPT(d->ended_at),
	    OPT(d->delivered_at),
	    TS_DB_INT(d->paused_seconds),
	    OPT(d->paused_since),
	    TS_DB_INT(d->supplement_count),
	    TS_DB_INT(d->apology_count),
	    d->on_time >= 0 ? TS_DB_INT(d->on_time) : TS_DB_NULL,
	    OPT(d->rating),
	    TS_DB_TEXT(d->comment),
	    TS_DB_TEXT(ts_delivery_name(d->delivery)),
	    TS_DB_INT(j->now),
	};
#undef OPT
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, j->a, "dossier_update", p, 23, &r, err);

	if (rc)
		return rc;
	if (r->changes != 1)
		return ts_error_set(err, TS_ERR_CONFLICT, "version",
				    "Hồ sơ %s vừa được người khác cập nhật, vui lòng tải lại",
				    d->code);
	j->d.version = expected + 1;
	j->d.updated_at = j->now;
	return 0;
}

/* ---- idempotency --------------------------------------------------------------------- */

static const char *idem_actor_of(struct ts_ctx *ctx)
{
	if (ctx->actor.account_id > 0)
		return ts_arena_printf(ctx->arena, "a:%" PRId64, ctx->actor.account_id);
	if (ctx->actor.api_client_id > 0)
		return ts_arena_printf(ctx->arena, "k:%" PRId64, ctx->actor.api_client_id);
	return "system";
}

/* A stored answer for the key: *code gets the dossier code it produced (NULL: none yet). */
static int idem_lookup(struct job *j, struct ts_dbconn *c, const char **code,
		       struct ts_error *err)
{
	const struct ts_idem *k = j->idem;
	struct ts_dbres *r = NULL;
	int rc;

	*code = NULL;
	if (!k || !k->key)
		return 0;
	{
		struct ts_dbval p[] = {TS_DB_TEXT(idem_actor_of(j->ctx)), TS_DB_TEXT(k->key)};
		if ((rc = ts_db_query(c, j->a, "idem_get", p, 2, &r, err)))
			return rc;
	}
	if (r->nrows == 0)
		return 0;
	if (strcmp(ts_dbres_get(r, 0, 0) ? ts_dbres_get(r, 0, 0) : "", k->route ? k->route : "") ||
	    strcmp(ts_dbres_get(r, 0, 1) ? ts_dbres_get(r, 0, 1) : "",
		   k->request_hash ? k->request_hash : ""))
		return ts_error_set(err, TS_ERR_VALIDATION, "Idempotency-Key",
				    "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác");
	*code = ts_dbres_get(r, 0, 3);
	return 0;
}

static int idem_store(struct job *j, struct ts_dbconn *c, int status, struct ts_error *err)
{
	const struct ts_idem *k = j->idem;
	int rc;

	if (!k || !k->key)
		return 0;
	struct ts_dbval p[] = {TS_DB_TEXT(idem_actor_of(j->ctx)),
			       TS_DB_TEXT(k->key),
			       TS_DB_TEXT(k->route ? k->route : ""),
			       TS_DB_TEXT(k->request_hash ? k->request_hash : ""),
			       TS_DB_INT(status),
			       TS_DB_TEXT(j->d.code),
			       TS_DB_INT(j->now)};
	rc = ts_db_query(c, j->a, "idem_put", p, 7, NULL, err);
	if (rc == TS_ERR_CONFLICT) {
		/* a concurrent first attempt committed meanwhile: re-run, it will replay */
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_DB_BUSY, NULL, NULL);
	}
	return rc;
}

/* ---- transitions --------------------------------------------------------------------- */

/* Supervisors of a step (division head, agency leader over the step's unit) may reassign a
 * dossier that a named officer holds. */
static int supervises(struct job *j, struct ts_dbconn *c, int64_t unit, bool *ok,
		      struct ts_error *err)
{
	int rc;

	if ((rc = holds_role(j->ctx, c, TS_ROLE_DIVISION_HEAD, unit, ok, err)) || *ok)
		return rc;
	return holds_role(j->ctx, c, TS_ROLE_LEADER, unit, ok, err);
}

static int forbid(struct job *j, const char *why, struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_FORBIDDEN, "action", "Bạn không có quyền \"%s\" đối với hồ sơ %s%s",
			    ts_dossier_action_title(j->act ? j->act->action : j->kind), j->d.code,
			    why);
}

/* Who may act: the applicant (own dossier), a counter officer over the receiving unit, or
 * the current step's role over the step's unit — and, once the step is assigned to a named
 * officer, only that officer (a supervisor of the step may still reassign). */
static int check_who(struct job *j, struct ts_dbconn *c, unsigned who, struct ts_error *err)
{
	const struct ts_flow_step *s = step_at(j, j->d.current_step);
	int action = j->act ? j->act->action : j->kind;
	int64_t me = j->ctx->actor.account_id, holder = j->d.assignee_account_id;
	bool ok = false;
	int rc;

	if ((who & TS_WHO_APPLICANT) && is_applicant(j->ctx, &j->d))
		return 0;
	if (who & TS_WHO_COUNTER) {
		if ((rc = holds_role(j->ctx, c, TS_ROLE_COUNTER, j->d.receiving_unit_id, &ok, err)))
			return rc;
		if (ok)
			return 0;
	}
	if ((who & TS_WHO_STEP) && s) {
		int64_t unit = ts_flow_step_unit(s, j->d.receiving_unit_id, j->d.competent_unit_id);
		if ((rc = holds_role(j->ctx, c, s->role, unit, &ok, err)))
			return rc;
		if (ok && (holder <= 0 || holder == me || is_system(&j->ctx->actor)))
			return 0;
		if (action == TS_DA_ASSIGN) {
			if ((rc = supervises(j, c, unit, &ok, err)))
				return rc;
			if (ok)
				return 0;
		}
		if (ok)
			return forbid(j, ": hồ sơ đang được giao cho cán bộ khác xử lý", err);
	}
	return forbid(j, " ở bước hiện tại", err);
}

/* A named receiver must hold the role of the step it receives, over that step's unit. */
static int check_receiver(struct job *j, struct ts_dbconn *c, int ord, int64_t receiver,
			  struct ts_error *err)
{
	const struct ts_flow_step *s = step_at(j, ord);
	struct ts_dbres *r = NULL;
	int rc;

	if (receiver <= 0 || !s)
		return 0;
	{
		struct ts_dbval p[] = {
		    TS_DB_INT(receiver), TS_DB_TEXT(ts_role_name(s->role)),
		    TS_DB_INT(ts_flow_step_unit(s, j->d.receiving_unit_id, j->d.competent_unit_id))};
		if ((rc = ts_db_query(c, j->a, "dossier_account_holds_role", p, 3, &r, err)))
			return rc;
	}
	if (r->nrows == 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "assignee_account_id",
				    "Cán bộ được chọn không có vai trò \"%s\" tại đơn vị của bước %d",
				    ts_role_title(s->role), ord);
	return 0;
}

static bool blank(const char *s)
{
	return !s || !*s;
}

static int need_reason(const struct ts_dossier_act *act, struct ts_error *err)
{
	if (blank(act->reason))
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "reason", "Cần ghi rõ lý do");
	if (strlen(act->reason) > REASON_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "reason", "Lý do dài tối đa %d ký tự",
				    REASON_MAX);
	return 0;
}

/* Items of a consolidated request: 1..max objects, each with a reason and a document or
 * field it is about. Serialised into *text. */
static int check_items(struct job *j, const json_t *items, bool required, const char **text,
		       struct ts_error *err)
{
	size_t i;
	const json_t *it;
	char field[32];

	*text = NULL;
	if (!items || json_is_null(items)) {
		if (required)
			return ts_error_set(err, TS_ERR_MISSING_FIELD, "items",
					    "Cần liệt kê đầy đủ các nội dung phải bổ sung trong "
					    "một lần yêu cầu");
		return 0;
	}
	if (!json_is_array(items) || json_array_size(items) == 0 ||
	    json_array_size(items) > TS_DOSSIER_MAX_ITEMS)
		return ts_error_set(err, TS_ERR_VALIDATION, "items",
				    "Danh sách nội dung cần từ 1 đến %d mục", TS_DOSSIER_MAX_ITEMS);
	json_array_foreach(items, i, it)
	{
		snprintf(field, sizeof(field), "items/%zu", i);
		if (!json_is_object(it) || blank(ts_json_str(it, "reason")) ||
		    (blank(ts_json_str(it, "document")) && blank(ts_json_str(it, "field"))))
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Mỗi mục cần nêu giấy tờ hoặc thông tin và lý do");
	}
	if (!(*text = ts_json_dump(j->a, items, NULL)))
		return nomem(err);
	return 0;
}

/* Clock resumes after a pause: the paused working time moves every due time forward. */
static int resume_clock(struct job *j, struct ts_dbconn *c, struct ts_error *err)
{
	int64_t paused;
	int rc;

	if (j->d.paused_since <= 0)
		return 0;
	if ((rc = need_cal(j, c, err)))
		return rc;
	paused = ts_cal_working_seconds(&j->cal, j->d.paused_since, j->now);
	j->d.paused_seconds += paused;
	j->d.paused_since = 0;
	if (paused > 0) { /* to the second: the citizen's wait is excluded exactly */
		int64_t *dues[] = {&j->d.due_at, &j->d.current_due_at, &j->d.step_due_at};
		for (size_t i = 0; i < sizeof(dues) / sizeof(dues[0]); i++)
			if (*dues[i] > 0)
				*dues[i] = ts_cal_add_working_seconds(&j->cal, *dues[i], paused);
	}
	return 0;
}

/* Hands over from the current step to step `to` (forward, return, the acceptance hand-over,
 * finish to the return step): one control-slip event. */
static int hand_over(struct job *j, struct ts_dbconn *c, const char *action, int from,
		     int to_step, int64_t receiver, const char *reason, struct ts_error *err)
{
	struct event e = {.action = action,
			  .from = from,
			  .to = j->d.status,
			  .step = j->d.current_step,
			  .to_step = to_step,
			  .receiver = receiver,
			  .step_started_at = j->d.step_started_at,
			  .step_due_at = j->d.step_due_at,
			  .handed_at = j->now,
			  .result = ts_dossier_step_result(j->now, j->d.step_due_at),
			  .reason = reason};
	int rc;

	if ((rc = check_receiver(j, c, to_step, receiver, err)) ||
	    (rc = write_event(j, c, &e, err)))
		return rc;
	j->d.assignee_account_id = receiver;
	return enter_step(j, c, to_step, err);
}

/* Accepts (1 -> 2) and hands over to the first processing step (2 -> 4). */
static int do_accept(struct job *j, struct ts_dbconn *c, int64_t receiver, bool hold,
		     struct ts_error *err)
{
	struct event e = {.action = "accept", .from = TS_DS_NEW, .to = TS_DS_ACCEPTED,
			  .step = j->d.current_step};
	int rc;

	if ((rc = need_cal(j, c, err)))
		return rc;
	j->d.status = TS_DS_ACCEPTED;
	j->d.accepted_at = j->now;
	if (!j->d.no_due_date) {
		j->d.due_at = ts_cal_due(&j->cal, j->now, j->d.time_amount, j->d.time_unit,
					 j->d.next_day_after_cutoff);
		j->d.current_due_at = j->d.due_at;
	}
	if ((rc = write_event(j, c, &e, err)))
		return rc;
	if ((rc = announce(j, c, "accept", TS_DS_NEW, "accepted", err)))
		return rc;
	if (hold) /* a paper dossier waits at the counter to be transferred (forward) */
		return 0;
	j->d.status = TS_DS_PROCESSING;
	return hand_over(j, c, "forward", TS_DS_ACCEPTED, j->d.current_step + 1, receiver, NULL,
			 err);
}

static int apply(struct job *j, struct ts_dbconn *c, const struct ts_dossier_act *act,
		 struct ts_error *err)
{
	const struct ts_transition *t;
	const char *items = NULL, *metric = NULL, *name = ts_dossier_action_name(act->action);
	int from = j->d.status, rc;
	struct event e = {.action = name, .from = from, .step = j->d.current_step};

	if ((rc = ts_flow_transition(from, act->action, &t, err)))
		return rc;
	if ((rc = check_who(j, c, t->who, err)))
		return rc;
	switch (act->action) {
	case TS_DA_ACCEPT:
		return do_accept(j, c, act->assignee_account_id, act->hold, err);
	case TS_DA_REFUSE:
		if ((rc = need_reason(act, err)) || (rc = check_items(j, act->items, false, &items, err)))
			return rc;
		j->d.status = TS_DS_REFUSED;
		j->d.ended_at = j->now;
		j->d.on_time = 1;
		metric = "refused";
		break;
	case TS_DA_REQUEST_SUPPLEMENT:
		if ((rc = check_items(j, act->items, true, &items, err)))
			return rc;
		j->d.status = TS_DS_SUPPLEMENT;
		j->d.resume_status = from;
		j->d.paused_since = j->now;
		j->d.supplement_count++;
		metric = "supplement_requested";
		break;
	case TS_DA_REQUEST_PAYMENT:
		j->d.status = TS_DS_PAYMENT;
		j->d.resume_status = from;
		j->d.paused_since = j->now;
		metric = "payment_requested";
		break;
	case TS_DA_RESUBMIT:
	case TS_DA_PAYMENT_DONE:
		if ((rc = resume_clock(j, c, err)))
			return rc;
		j->d.status = j->d.resume_status ? j->d.resume_status : TS_DS_PROCESSING;
		j->d.resume_status = 0;
		break;
	case TS_DA_ASSIGN:
		if (act->assignee_account_id <= 0)
			return ts_error_set(err, TS_ERR_MISSING_FIELD, "assignee_account_id",
					    "Cần chọn cán bộ được phân công");
		if ((rc = check_receiver(j, c, j->d.current_step, act->assignee_account_id, err)))
			return rc;
		j->d.assignee_account_id = act->assignee_account_id;
		e.receiver = act->assignee_account_id;
		break;
	case TS_DA_FORWARD: {
		const struct ts_flow_step *next = step_at(j, j->d.current_step + 1);
		if (!next || next->kind == TS_STEP_RETURN)
			return ts_error_set(err, TS_ERR_CONFLICT, "action",
					    "Đây là bước xử lý cuối cùng, hãy chọn \"Hoàn thành xử lý\"");
		j->d.status = TS_DS_PROCESSING;
		if ((rc = hand_over(j, c, name, from, j->d.current_step + 1, act->assignee_account_id,
				    NULL, err)))
			return rc;
		return announce(j, c, name, from, NULL, err);
	}
	case TS_DA_RETURN_TO_STEP:
		if ((rc = need_reason(act, err)))
			return rc;
		if (act->to_step < 2 || act->to_step >= j->d.current_step)
			return ts_error_set(err, TS_ERR_VALIDATION, "to_step",
					    "Chỉ trả lại một bước xử lý trước bước hiện tại (2..%d)",
					    j->d.current_step - 1);
		if ((rc = hand_over(j, c, name, from, act->to_step, act->assignee_account_id,
				    act->reason, err)))
			return rc;
		return announce(j, c, name, from, NULL, err);
	case TS_DA_STOP:
		if ((rc = need_reason(act, err)))
			return rc;
		j->d.status = TS_DS_STOPPED;
		j->d.ended_at = j->now;
		j->d.paused_since = 0;
		j->d.on_time = j->d.due_at <= 0 || j->now <= j->d.due_at;
		metric = "stopped";
		break;
	case TS_DA_WITHDRAW:
		j->d.status = TS_DS_WITHDRAWN;
		j->d.ended_at = j->now;
		j->d.paused_since = 0;
		j->d.on_time = 1;
		metric = "withdrawn";
		break;
	case TS_DA_FINISH: {
		const struct ts_flow_step *last = step_at(j, j->d.current_step + 1);
		if (last && last->kind != TS_STEP_RETURN)
			return ts_error_set(err, TS_ERR_CONFLICT, "action",
					    "Hồ sơ còn bước \"%s\" phía sau, hãy chuyển bước tiếp theo",
					    ts_step_kind_title(last->kind));
		j->d.status = TS_DS_DONE;
		j->d.ended_at = j->now;
		/* DOMAIN.md §4: on time iff end <= due; a second supplement request counts late */
		j->d.on_time = (j->d.due_at <= 0 || j->now <= j->d.due_at) &&
			       j->d.supplement_count <= g_rules.supplements_before_late;
		metric = j->d.on_time ? "finished_on_time" : "finished_late";
		if (last && last->kind == TS_STEP_RETURN) {
			if ((rc = hand_over(j, c, name, from, last->ord, 0, act->reason, err)))
				return rc;
			return announce(j, c, name, from, metric, err);
		}
		e.handed_at = j->now;
		e.step_started_at = j->d.step_started_at;
		e.step_due_at = j->d.step_due_at;
		e.result = ts_dossier_step_result(j->now, j->d.step_due_at);
		break;
	}
	case TS_DA_DELIVER:
		if (act->delivery >= 0)
			j->d.delivery = act->delivery;
		j->d.status = TS_DS_DELIVERED;
		j->d.delivered_at = j->now;
		metric = "delivered";
		break;
	case TS_DA_APOLOGIZE:
		if ((rc = need_reason(act, err)))
			return rc;
		if (j->d.apology_count >= g_rules.max_apologies)
			return ts_error_set(err, TS_ERR_CONFLICT, "action",
					    "Hồ sơ đã được gửi thư xin lỗi, hẹn lại %d lần",
					    g_rules.max_apologies);
		if (j->d.current_due_at <= 0)
			return ts_error_set(err, TS_ERR_CONFLICT, "action",
					    "Hồ sơ không có hạn giải quyết để hẹn lại");
		if ((rc = need_cal(j, c, err)))
			return rc;
		if (j->now >= j->d.current_due_at ||
		    ts_cal_working_seconds(&j->cal, j->now, j->d.current_due_at) <
			(int64_t)g_rules.apology_notice_hours * 3600)
			return ts_error_set(err, TS_ERR_CONFLICT, "action",
					    "Thư xin lỗi phải gửi trước hạn trả kết quả ít nhất %d "
					    "giờ làm việc",
					    g_rules.apology_notice_hours);
		if (act->new_due <= j->d.current_due_at)
			return ts_error_set(err, TS_ERR_VALIDATION, "new_due",
					    "Ngày hẹn mới phải sau ngày hẹn hiện tại");
		if (!j->d.original_due_at)
			j->d.original_due_at = j->d.current_due_at;
		j->d.current_due_at = act->new_due;
		j->d.apology_count++;
		metric = "apologized";
		break;
	case TS_DA_RATE:
		if (act->rating < 1 || act->rating > 5)
			return ts_error_set(err, TS_ERR_VALIDATION, "rating",
					    "Mức đánh giá từ 1 đến 5");
		if (j->d.rating > 0)
			return ts_error_set(err, TS_ERR_CONFLICT, "rating", "Hồ sơ đã được đánh giá");
		if (act->comment && strlen(act->comment) > REASON_MAX)
			return ts_error_set(err, TS_ERR_VALIDATION, "comment",
					    "Nhận xét dài tối đa %d ký tự", REASON_MAX);
		j->d.rating = act->rating;
		j->d.comment = act->comment;
		metric = "rated";
		break;
	default:
		return ts_error_set(err, TS_ERR_VALIDATION, "action", "Thao tác không hợp lệ");
	}
	e.to = j->d.status;
	e.reason = act->reason;
	e.items = items;
	if ((rc = write_event(j, c, &e, err)))
		return rc;
	return announce(j, c, name, from, metric, err);
}

/* ---- perform ------------------------------------------------------------------------- */

static int perform_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct job *j = vjob;
	const char *replay = NULL;
	int64_t expected;
	int rc;

	j->cal_loaded = false;
	j->replayed = false;
	if ((rc = idem_lookup(j, c, &replay, err)))
		return rc;
	if (replay) {
		j->replayed = true;
		j->ctx->replayed = 1;
		return load_dossier(c, j->a, replay, &j->d, err);
	}
	if ((rc = load_dossier(c, j->a, j->code, &j->d, err)))
		return rc;
	{
		bool ok;
		if ((rc = may_read(j->ctx, c, &j->d, &ok, err)))
			return rc;
		if (!ok) {
			memset(&j->d, 0, sizeof(j->d));
			return ts_error_set(err, TS_ERR_NOT_FOUND, "code",
					    "Không tìm thấy hồ sơ có mã \"%s\"", j->code);
		}
	}
	if (j->act->version != j->d.version)
		return ts_error_set(err, TS_ERR_CONFLICT, "version",
				    "Hồ sơ %s đã thay đổi (phiên bản hiện tại %" PRId64
				    "), vui lòng tải lại",
				    j->d.code, j->d.version);
	expected = j->d.version;
	if ((rc = ts_flow_load(c, j->a, j->d.flow_version_id, j->d.legal_hours, &j->flow, err)))
		return rc;
	if ((rc = apply(j, c, j->act, err)))
		return rc;
	if ((rc = save(j, c, expected, err)))
		return rc;
	return idem_store(j, c, 200, err);
}

int ts_dossier_perform(struct ts_ctx *ctx, const char *code, const struct ts_dossier_act *act,
		       const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err)
{
	struct job j = {.ctx = ctx, .a = ctx->arena, .idem = idem, .code = code, .act = act,
			.kind = act ? act->action : -1};
	int rc;

	if (!code || !*code || strlen(code) >= TS_DOSSIER_CODE_MAX)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Mã hồ sơ không hợp lệ");
	if (!act || act->action == TS_DA_SUBMIT || act->action == TS_DA_INTAKE ||
	    !ts_dossier_action_name(act->action))
		return ts_error_set(err, TS_ERR_VALIDATION, "action", "Thao tác không hợp lệ");
	j.now = now_s();
	rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, perform_tx, &j, err);
	if (out && (rc == 0 || (rc == TS_ERR_CONFLICT && j.d.id > 0)))
		*out = j.d;
	return rc;
}

/* ---- submit and intake ------------------------------------------------------------- */

static const char *last4(struct ts_arena *a, const char *id)
{
	size_t n;
	if (blank(id))
		return NULL;
	n = strlen(id);
	return ts_arena_strdup(a, n > 4 ? id + n - 4 : id);
}

/* Required documents present, and required form fields filled; one message listing all. */
static int check_submission(struct job *j, const struct ts_proc_variant_info *v,
			    struct ts_error *err)
{
	const struct ts_dossier_new *in = j->in;
	char missing[1024] = "";
	size_t used = 0, i;
	const char *first = NULL;
	const json_t *f;

	for (int k = 0; k < v->ndocs; k++) {
		bool have = false;
		if (!v->docs[k].required)
			continue;
		for (int m = 0; m < in->ndocs && !have; m++)
			have = in->docs[m].code && v->docs[k].code &&
			       strcmp(in->docs[m].code, v->docs[k].code) == 0 &&
			       (in->docs[m].originals + in->docs[m].copies > 0 ||
				in->docs[m].digitised || in->docs[m].reused);
		if (!have && used < sizeof(missing))
			used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
						 used ? "; " : "", v->docs[k].name);
	}
	if (used)
		return ts_error_set(err, TS_ERR_VALIDATION, "documents",
				    "Thiếu giấy tờ bắt buộc: %s", missing);
	json_array_foreach(v->form_fields, i, f)
	{
		const char *name = ts_json_str(f, "name");
		const json_t *val;
		if (!name || !json_is_true(json_object_get(f, "required")))
			continue;
		val = in->form_data ? json_object_get(in->form_data, name) : NULL;
		if (val && !json_is_null(val) && !(json_is_string(val) && !*json_string_value(val)))
			continue;
		if (!first)
			first = name;
		if (used < sizeof(missing)) {
			const char *label = ts_json_str(f, "label");
			used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
						 used ? "; " : "", label ? label : name);
		}
	}
	if (first)
		return ts_error_set(err, TS_ERR_MISSING_FIELD,
				    ts_arena_printf(j->a, "form_data/%s", first),
				    "Chưa điền thông tin bắt buộc: %s", missing);
	return 0;
}

static int unit_code(struct job *j, struct ts_dbconn *c, int64_t id, const char *field,
		     const char **code, struct ts_error *err)
{
	int rc = ts_org_unit_code(c, j->a, id, code, err);

	if (rc == TS_ERR_NOT_FOUND) {
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_VALIDATION, field, "Đơn vị không tồn tại");
	}
	return rc;
}

/* The reading half of a submission, in a read transaction before the write one (on SQLite a
 * reader connection, in parallel with other requests; the single writer only writes): the
 * idempotency key's stored answer, the rights of an intake, the units, the procedure variant,
 * the flow, the applicant's phone, the calendar. What it reads may change before the write
 * commits as it may between two requests; the write's constraints (foreign keys, the
 * idempotency key's uniqueness) still hold. */
static int submit_read_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct job *j = vjob;
	const struct ts_dossier_new *in = j->in;
	struct ts_dossier *d = &j->d;
	struct ts_proc_variant_info *v = &j->v;
	ts_dossier_variant_fn lookup = g_variant_for ? g_variant_for : ts_catalog_variant_for;
	const char *replay = NULL, *form = "{}";
	int rc;

	j->cal_loaded = false;
	j->replayed = false;
	j->agency = NULL;
	if ((rc = idem_lookup(j, c, &replay, err)))
		return rc;
	if (replay) {
		j->replayed = true;
		j->ctx->replayed = 1;
		return load_dossier(c, j->a, replay, d, err);
	}
	memset(d, 0, sizeof(*d));
	memset(v, 0, sizeof(*v));
	d->on_time = -1;
	d->channel = in->channel;
	d->delivery = in->delivery;
	d->competent_unit_id = in->competent_unit_id;
	d->receiving_unit_id = in->receiving_unit_id > 0 ? in->receiving_unit_id : in->competent_unit_id;
	d->received_unit_id = d->receiving_unit_id;
	if (j->kind == TS_DA_INTAKE) {
		bool ok = false;
		if (in->receiving_unit_id <= 0 && j->ctx->actor.unit_id > 0)
			d->receiving_unit_id = d->received_unit_id = j->ctx->actor.unit_id;
		if ((rc = holds_role(j->ctx, c, TS_ROLE_COUNTER, d->receiving_unit_id, &ok, err)))
			return rc;
		if (!ok)
			return ts_error_set(err, TS_ERR_FORBIDDEN, "receiving_unit_id",
					    "Chỉ cán bộ một cửa của đơn vị tiếp nhận được nhận hồ sơ");
		d->applicant_account_id = in->applicant_account_id;
	} else {
		if (j->ctx->actor.account_id <= 0 || (j->ctx->actor.kind != TS_ACCT_CITIZEN &&
						      j->ctx->actor.kind != TS_ACCT_BUSINESS))
			return ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
					    "Chỉ công dân, doanh nghiệp nộp hồ sơ trực tuyến");
		d->applicant_account_id = j->ctx->actor.account_id;
	}
	if ((rc = unit_code(j, c, d->competent_unit_id, "competent_unit_id", &j->agency, err)) ||
	    (rc = unit_code(j, c, d->receiving_unit_id, "receiving_unit_id", &j->agency, err)))
		return rc;
	if ((rc = lookup(c, j->a, in->procedure_code, in->variant_code, d->channel,
			 d->competent_unit_id, j->now, v, err)))
		return rc;
	if ((rc = check_submission(j, v, err)))
		return rc;
	d->procedure_id = v->procedure_id;
	d->procedure_version_id = v->version_id;
	d->variant_id = v->variant_id;
	d->procedure_code = v->code;
	d->procedure_name = v->name;
	d->time_amount = v->time_amount;
	d->time_unit = v->time_unit;
	d->no_due_date = v->no_due_date;
	d->next_day_after_cutoff = v->next_day_after_cutoff;
	d->legal_hours = ts_cal_legal_hours(v->time_amount, v->time_unit);
	if ((rc = ts_flow_resolve(c, j->a, d->procedure_id, d->variant_id, d->competent_unit_id,
				  d->legal_hours, &j->flow, err)))
		return rc;
	d->flow_version_id = j->flow.version_id;
	d->applicant_name = in->applicant_name;
	if (blank(d->applicant_name))
		d->applicant_name = j->ctx->actor.display_name;
	if (blank(d->applicant_name))
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "applicant_name",
				    "Thiếu họ tên người nộp hồ sơ");
	d->applicant_phone = in->applicant_phone;
	if (blank(d->applicant_phone) && d->applicant_account_id > 0) {
		/* an online applicant's contact phone defaults to the one on their account */
		struct ts_dbval p[] = {TS_DB_INT(d->applicant_account_id)};
		struct ts_dbres *pr = NULL;
		if ((rc = ts_db_query(c, j->a, "dossier_applicant_phone", p, 1, &pr, err)))
			return rc;
		d->applicant_phone = ts_dbres_get(pr, 0, 0);
	}
	d->applicant_id_last4 = last4(j->a, in->applicant_id);
	if (in->form_data && !(form = ts_json_dump(j->a, in->form_data, NULL)))
		return nomem(err);
	d->form_data = form;
	/* the first step's due time (enter_step) and an intake's acceptance need the calendar */
	if (((step_at(j, 1) && step_at(j, 1)->hours > 0) ||
	     (j->kind == TS_DA_INTAKE && in->accept_now)) &&
	    (rc = need_cal(j, c, err)))
		return rc;
	j->d_read = *d;
	return 0;
}

/* The next number of the code sequence of the dossier's receiving unit and local day. */
static int code_no_take(struct job *j, struct ts_dbconn *c, struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	struct tm tm;
	char day[40];
	int rc;

	local_tm(j->now, &tm);
	snprintf(day, sizeof(day), "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
	const char *seqname =
		ts_arena_printf(j->a, "dossier:%" PRId64 ":%s", j->d_read.receiving_unit_id, day);
	if (!seqname)
		return nomem(err);
	struct ts_dbval p[] = {TS_DB_TEXT(seqname)};
	if ((rc = ts_db_query(c, j->a, "seq_next", p, 1, &r, err)))
		return rc;
	if (r->nrows != 1 || ts_dbres_int(r, 0, 0) <= 0)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không cấp được số hồ sơ");
	j->code_no = ts_dbres_int(r, 0, 0);
	return 0;
}

/* PostgreSQL: the code's number in a short transaction of its own, before the write
 * transaction. Inside it, the counter's row (one per receiving unit and day) would stay locked
 * until the submission's commit is flushed, so the submissions to one unit would commit one
 * after the other, one fsync each. Here the row is locked for one statement and a commit that
 * does not wait for the flush (TS_DB_TX_LAZY).
 * Never issued twice, also after a crash: the number is only used by the dossier's write
 * transaction, which starts after this commit and commits durably (synchronous_commit on),
 * and PostgreSQL writes commit records in order and flushes the WAL up to a commit before
 * acknowledging it, so a dossier that survives a crash (or reaches a synchronous replica)
 * implies that this earlier commit survives too. A number lost in a crash is one no durable
 * dossier holds, so issuing it again is harmless. A failed or abandoned submission burns
 * its number (gaps are allowed, DOMAIN.md §5); a re-run of submit_tx (busy) keeps it, as
 * the run before was rolled back. Other nodes take numbers from the same row, so codes
 * stay unique across servers; dossier.code's UNIQUE constraint guards it as well. */
static int code_no_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct job *j = vjob;
	int rc = code_no_take(j, c, err);
	j->code_no_before = rc == 0;
	return rc;
}

/* The writing half: on SQLite one member of a group commit on the writer. */
static int submit_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct job *j = vjob;
	const struct ts_dossier_new *in = j->in;
	struct ts_dossier *d = &j->d;
	const struct ts_proc_variant_info *v = &j->v;
	struct ts_dbres *r = NULL;
	char code[TS_DOSSIER_CODE_MAX];
	int rc;

	if (j->write_runs++ > 0) {
		/* a re-run (busy, or the key stored meanwhile by a concurrent first attempt, see
		 * idem_store): the key is looked up again, now inside the write transaction */
		const char *replay = NULL;
		if ((rc = idem_lookup(j, c, &replay, err)))
			return rc;
		if (replay) {
			j->replayed = true;
			j->ctx->replayed = 1;
			return load_dossier(c, j->a, replay, d, err);
		}
	}
	*d = j->d_read; /* a re-run starts again from what was read */
	/* the code: per receiving unit, per local day, never re-issued; on PostgreSQL its number
	 * was taken before this transaction (code_no_tx), on SQLite it is taken here */
	if (!j->code_no_before && (rc = code_no_take(j, c, err)))
		return rc;
	ts_dossier_code_format(code, sizeof(code), j->agency, j->now, j->code_no);
	if (!(d->code = ts_arena_strdup(j->a, code)))
		return nomem(err);
	d->status = TS_DS_NEW;
	if ((rc = enter_step(j, c, 1, err)))
		return rc;
	d->submitted_at = j->now;
	{
		struct ts_dbval p[] = {
		    TS_DB_TEXT(d->code), TS_DB_INT(d->procedure_id), TS_DB_INT(d->procedure_version_id),
		    TS_DB_INT(d->variant_id), TS_DB_TEXT(d->procedure_code ? d->procedure_code : ""),
		    TS_DB_TEXT(d->procedure_name ? d->procedure_name : ""),
		    TS_DB_INT(d->flow_version_id), TS_DB_INT(d->legal_hours),
		    TS_DB_INT(d->time_amount), TS_DB_INT(d->time_unit),
		    TS_DB_INT(d->next_day_after_cutoff), TS_DB_INT(d->no_due_date),
		    TS_DB_INT(d->received_unit_id), TS_DB_INT(d->receiving_unit_id),
		    TS_DB_INT(d->competent_unit_id),
		    d->applicant_account_id > 0 ? TS_DB_INT(d->applicant_account_id) : TS_DB_NULL,
		    TS_DB_TEXT(d->applicant_name), TS_DB_TEXT(d->applicant_phone),
		    TS_DB_TEXT(d->applicant_id_last4), TS_DB_INT(d->channel),
		    TS_DB_TEXT(ts_delivery_name(d->delivery)), TS_DB_INT(d->status),
		    TS_DB_INT(d->current_step), TS_DB_INT(d->step_started_at),
		    d->step_due_at > 0 ? TS_DB_INT(d->step_due_at) : TS_DB_NULL, TS_DB_INT(j->now),
		    TS_DB_TEXT(d->form_data)};
		if ((rc = ts_db_query(c, j->a, "dossier_insert", p, 27, &r, err)))
			return rc;
		if (r->nrows != 1)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không lưu được hồ sơ");
		d->id = ts_dbres_int(r, 0, 0);
		d->version = 1;
		d->created_at = d->updated_at = j->now;
	}
	for (int k = 0; k < in->ndocs; k++) {
		const struct ts_dossier_doc *x = &in->docs[k];
		const char *nm = x->name;
		for (int m = 0; !nm && m < v->ndocs; m++)
			if (v->docs[m].code && x->code && strcmp(v->docs[m].code, x->code) == 0)
				nm = v->docs[m].name;
		struct ts_dbval p[] = {TS_DB_INT(d->id),	  TS_DB_TEXT(x->code),
				       TS_DB_TEXT(nm ? nm : x->code), TS_DB_INT(x->originals),
				       TS_DB_INT(x->copies),	  TS_DB_INT(x->digitised),
				       TS_DB_INT(x->reused)};
		if (blank(x->code))
			return ts_error_set(err, TS_ERR_VALIDATION, "documents",
					    "Giấy tờ thứ %d thiếu mã", k + 1);
		if ((rc = ts_db_query(c, j->a, "dossier_doc_insert", p, 7, NULL, err))) {
			if (rc == TS_ERR_CONFLICT) {
				ts_error_clear(err);
				return ts_error_set(err, TS_ERR_VALIDATION, "documents",
						    "Giấy tờ \"%s\" được khai hai lần", x->code);
			}
			return rc;
		}
	}
	{
		const char *nm = ts_dossier_action_name(j->kind);
		struct event e = {.action = nm, .from = TS_DS_NONE, .to = TS_DS_NEW, .step = 1};
		if ((rc = write_event(j, c, &e, err)) ||
		    (rc = announce(j, c, nm, TS_DS_NONE, "submitted", err)))
			return rc;
	}
	if (j->kind == TS_DA_INTAKE && in->accept_now) {
		int64_t expected = d->version;
		if ((rc = do_accept(j, c, 0, false, err)) || (rc = save(j, c, expected, err)))
			return rc;
	}
	return idem_store(j, c, 201, err);
}

static int submit_common(struct ts_ctx *ctx, int kind, const struct ts_dossier_new *in,
			 const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err)
{
	struct ts_dossier_new copy = *in;
	struct job j = {.ctx = ctx, .a = ctx->arena, .idem = idem, .in = &copy, .kind = kind};
	int rc;

	if (blank(in->procedure_code))
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "procedure_code", "Thiếu mã thủ tục");
	if (in->competent_unit_id <= 0)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "competent_unit_id",
				    "Thiếu cơ quan có thẩm quyền giải quyết");
	if (kind == TS_DA_SUBMIT && copy.channel == 0)
		copy.channel = TS_CHANNEL_ONLINE;
	if (kind == TS_DA_INTAKE && copy.channel == 0)
		copy.channel = TS_CHANNEL_IN_PERSON;
	if (copy.channel < TS_CHANNEL_IN_PERSON || copy.channel > TS_CHANNEL_POST)
		return ts_error_set(err, TS_ERR_VALIDATION, "channel", "Kênh nộp không hợp lệ");
	if (!ts_delivery_name(copy.delivery))
		return ts_error_set(err, TS_ERR_VALIDATION, "delivery",
				    "Hình thức trả kết quả không hợp lệ");
	if (in->form_data && !json_is_object(in->form_data))
		return ts_error_set(err, TS_ERR_VALIDATION, "form_data", "Tờ khai phải là đối tượng JSON");
	if (in->ndocs < 0 || in->ndocs > 100)
		return ts_error_set(err, TS_ERR_VALIDATION, "documents", "Tối đa 100 thành phần hồ sơ");
	j.now = now_s();
	rc = ts_db_tx(ctx->db, TS_DB_TX_READ, submit_read_tx, &j, err);
	if (rc == 0 && !j.replayed && ts_db_engine_of(ctx->db) == TS_DB_PGSQL)
		rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE | TS_DB_TX_LAZY, code_no_tx, &j, err);
	if (rc == 0 && !j.replayed)
		rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, submit_tx, &j, err);
	if (rc == 0 && out)
		*out = j.d;
	return rc;
}

int ts_dossier_submit(struct ts_ctx *ctx, const struct ts_dossier_new *in,
		      const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err)
{
	return submit_common(ctx, TS_DA_SUBMIT, in, idem, out, err);
}

int ts_dossier_intake(struct ts_ctx *ctx, const struct ts_dossier_new *in,
		      const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err)
{
	return submit_common(ctx, TS_DA_INTAKE, in, idem, out, err);
}

/* ---- reads --------------------------------------------------------------------------- */

/* Would the action pass the transition table, the who-may-act rules and the action's
 * preconditions that need no input (a next step to forward to, an apology left, ...)? */
static bool plausible(struct job *j, int action)
{
	const struct ts_flow_step *next = step_at(j, j->d.current_step + 1);

	switch (action) {
	case TS_DA_FORWARD:
		return j->d.status == TS_DS_ACCEPTED || (next && next->kind != TS_STEP_RETURN);
	case TS_DA_FINISH:
		return !next || next->kind == TS_STEP_RETURN;
	case TS_DA_RETURN_TO_STEP:
		return j->d.current_step > 2;
	case TS_DA_APOLOGIZE:
		return j->d.apology_count < g_rules.max_apologies && j->d.current_due_at > j->now;
	case TS_DA_RATE:
		return j->d.rating == 0;
	default:
		return true;
	}
}

/* Fills d->allowed_actions for the reading actor: what the engine would let them try now. */
static int allowed_actions(struct ts_ctx *ctx, struct ts_dbconn *c, struct ts_dossier *d,
			   const struct ts_flow *flow, struct ts_error *err)
{
	struct job j = {.ctx = ctx, .a = ctx->arena, .now = now_s(), .d = *d, .flow = *flow};
	const struct ts_transition *t;
	struct ts_error e = {0};
	int rc;

	d->allowed_actions = 0;
	if (ts_dossier_status_final(d->status) && d->status != TS_DS_DELIVERED)
		return 0;
	for (int a = 0; a < TS_DA__COUNT; a++) {
		if (a == TS_DA_SUBMIT || a == TS_DA_INTAKE ||
		    ts_flow_transition(d->status, a, &t, &e) != 0) {
			ts_error_clear(&e);
			continue;
		}
		j.kind = a;
		rc = check_who(&j, c, t->who, &e);
		if (rc == 0 && plausible(&j, a))
			d->allowed_actions |= 1u << a;
		else if (rc != TS_ERR_FORBIDDEN && rc != 0)
			return *err = e, rc;
		ts_error_clear(&e);
	}
	return 0;
}

struct read_job {
	struct ts_ctx *ctx;
	const char *code, *phone, *id_last4;
	struct ts_dossier *out;
	struct ts_dossier_event **events;
	int *nevents;
	struct ts_dossier_doc **docs;
	int *ndocs;
	const char **unit_names;
	bool public_view;
};

static int record_view(struct ts_ctx *ctx, const struct ts_dossier *d, struct ts_error *err);

static int read_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct read_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	bool ok = false;
	int rc;

	if ((rc = load_dossier(c, a, j->code, j->out, err)))
		return rc;
	if (j->public_view) {
		const struct ts_dossier *d = j->out;
		ok = (!blank(j->phone) && d->applicant_phone && strcmp(j->phone, d->applicant_phone) == 0) ||
		     (!blank(j->id_last4) && d->applicant_id_last4 &&
		      strcmp(j->id_last4, d->applicant_id_last4) == 0);
	} else if ((rc = may_read(j->ctx, c, j->out, &ok, err))) {
		return rc;
	}
	if (!ok) {
		memset(j->out, 0, sizeof(*j->out));
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code",
				    "Không tìm thấy hồ sơ có mã \"%s\"", j->code);
	}
	if (!j->public_view) {
		struct ts_dossier *d = j->out;
		struct ts_flow flow;
		if ((rc = ts_flow_load(c, a, d->flow_version_id, d->legal_hours, &flow, err)))
			return rc;
		d->nsteps = flow.nsteps;
		if (d->current_step >= 1 && d->current_step <= flow.nsteps) {
			const struct ts_flow_step *s = &flow.steps[d->current_step - 1];
			d->step_known = true;
			d->step_kind = s->kind;
			d->step_role = s->role;
			d->step_unit_id = ts_flow_step_unit(s, d->receiving_unit_id, d->competent_unit_id);
		}
		if ((rc = allowed_actions(j->ctx, c, d, &flow, err)))
			return rc;
	}
	if (j->events && (rc = load_events(c, a, j->out->id, j->events, j->nevents, err)))
		return rc;
	if (j->docs) {
		struct ts_dbval p[] = {TS_DB_INT(j->out->id)};
		struct ts_dbres *r = NULL;
		if ((rc = ts_db_query(c, a, "dossier_docs", p, 1, &r, err)))
			return rc;
		*j->docs = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(**j->docs));
		if (!*j->docs)
			return nomem(err);
		for (int i = 0; i < r->nrows; i++) {
			struct ts_dossier_doc *x = &(*j->docs)[i];
			x->code = ts_dbres_get(r, i, 0);
			x->name = ts_dbres_get(r, i, 1);
			x->originals = (int)ts_dbres_int(r, i, 2);
			x->copies = (int)ts_dbres_int(r, i, 3);
			x->digitised = ts_dbres_int(r, i, 4) != 0;
			x->reused = ts_dbres_int(r, i, 5) != 0;
		}
		*j->ndocs = r->nrows;
	}
	if (j->unit_names) {
		int64_t ids[3] = {j->out->received_unit_id, j->out->receiving_unit_id,
				  j->out->competent_unit_id};
		struct ts_dbval p[] = {TS_DB_INT(ids[0]), TS_DB_INT(ids[1]), TS_DB_INT(ids[2])};
		struct ts_dbres *r = NULL;
		if ((rc = ts_db_query(c, a, "dossier_unit_names", p, 3, &r, err)))
			return rc;
		for (int i = 0; i < 3; i++) {
			j->unit_names[i] = NULL;
			for (int k = 0; k < r->nrows; k++)
				if (ts_dbres_int(r, k, 0) == ids[i])
					j->unit_names[i] = ts_dbres_get(r, k, 1);
		}
	}
	return 0;
}

int ts_dossier_get(struct ts_ctx *ctx, const char *code, struct ts_dossier *out,
		   struct ts_dossier_event **events, int *nevents, struct ts_dossier_doc **docs,
		   int *ndocs, struct ts_error *err)
{
	struct read_job j = {.ctx = ctx, .code = code, .out = out, .events = events,
			     .nevents = nevents, .docs = docs, .ndocs = ndocs};

	int rc;

	if (!code || !*code || strlen(code) >= TS_DOSSIER_CODE_MAX)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Mã hồ sơ không hợp lệ");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, read_tx, &j, err)))
		return rc;
	return record_view(ctx, out, err);
}

/* ---- the view log (who looked at a citizen's dossier) -------------------------------- */

struct view_job {
	struct ts_ctx *ctx;
	int64_t dossier_id, now;
	struct ts_dossier_view *items;
	int n;
};

static int view_insert_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct view_job *j = vjob;
	const struct ts_actor *a = &j->ctx->actor;
	struct ts_dbval p[] = {TS_DB_INT(j->dossier_id), TS_DB_INT(j->now),
			       a->account_id > 0 ? TS_DB_INT(a->account_id) : TS_DB_NULL,
			       a->api_client_id > 0 ? TS_DB_INT(a->api_client_id) : TS_DB_NULL};
	return ts_db_query(c, j->ctx->arena, "dossier_view_insert", p, 4, NULL, err);
}

/* One insert in its own short write transaction after the read: every read by an officer or
 * an API client (not the applicant, not the system's own work) leaves a row. A read whose
 * row cannot be written fails: the applicant's log has no gaps. */
static int record_view(struct ts_ctx *ctx, const struct ts_dossier *d, struct ts_error *err)
{
	/* one row per request and dossier: a route that reads the dossier twice (a file list
	 * checks it, then reads it) is one view */
	static _Thread_local char last_rid[64];
	static _Thread_local int64_t last_id;
	struct view_job j = {.ctx = ctx, .dossier_id = d->id, .now = now_s()};
	int rc;

	if (d->id <= 0 || is_applicant(ctx, d) ||
	    (ctx->actor.account_id <= 0 && ctx->actor.api_client_id <= 0))
		return 0;
	if (ctx->request_id && *ctx->request_id && last_id == d->id &&
	    strcmp(last_rid, ctx->request_id) == 0)
		return 0;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, view_insert_tx, &j, err)))
		return rc;
	last_id = d->id;
	snprintf(last_rid, sizeof(last_rid), "%s", ctx->request_id ? ctx->request_id : "");
	return 0;
}

static int view_list_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct view_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbval p[] = {TS_DB_INT(j->dossier_id)};
	struct ts_dbres *r = NULL;
	int rc;

	if ((rc = ts_db_query(c, a, "dossier_view_list", p, 1, &r, err)))
		return rc;
	j->items = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(*j->items));
	if (!j->items)
		return nomem(err);
	for (int i = 0; i < r->nrows; i++) {
		struct ts_dossier_view *v = &j->items[i];
		v->at = ts_dbres_int(r, i, 0);
		v->name = ts_dbres_get(r, i, 1);
		v->unit = ts_dbres_get(r, i, 2);
		v->client = ts_dbres_get(r, i, 3);
	}
	j->n = r->nrows;
	return 0;
}

int ts_dossier_views(struct ts_ctx *ctx, const char *code, struct ts_dossier_view **out,
		     int *n, struct ts_error *err)
{
	struct ts_dossier d;
	struct read_job rj = {.ctx = ctx, .code = code, .out = &d};
	struct view_job j = {.ctx = ctx};
	int rc;

	*out = NULL;
	*n = 0;
	if (!code || !*code || strlen(code) >= TS_DOSSIER_CODE_MAX)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Mã hồ sơ không hợp lệ");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, read_tx, &rj, err)))
		return rc;
	/* The applicant only; for anyone else the dossier does not exist (same answer as an
	 * unknown code, so the route reveals nothing). */
	if (!is_applicant(ctx, &d))
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code",
				    "Không tìm thấy hồ sơ có mã \"%s\"", code);
	j.dossier_id = d.id;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, view_list_tx, &j, err)))
		return rc;
	*out = j.items;
	*n = j.n;
	return 0;
}

int ts_dossier_public(struct ts_ctx *ctx, const char *code, const char *phone,
		      const char *id_last4, struct ts_dossier *out, const char *unit_names[3],
		      struct ts_dossier_event **events, int *nevents, struct ts_error *err)
{
	struct read_job j = {.ctx = ctx, .code = code, .phone = phone, .id_last4 = id_last4,
			     .out = out, .events = events, .nevents = nevents,
			     .unit_names = unit_names, .public_view = true};
	int rc;

	if (!code || !*code || strlen(code) >= TS_DOSSIER_CODE_MAX)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Mã hồ sơ không hợp lệ");
	if (blank(phone) && blank(id_last4))
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "phone",
				    "Cần số điện thoại hoặc 4 số cuối giấy tờ tùy thân của người nộp");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, read_tx, &j, err)))
		return rc;
	out->applicant_name = out->applicant_phone = out->applicant_id_last4 = NULL;
	out->applicant_account_id = out->assignee_account_id = 0;
	out->form_data = out->comment = NULL;
	for (int i = 0; events && i < *nevents; i++) {
		struct ts_dossier_event *e = &(*events)[i];
		e->actor_account_id = e->receiver_account_id = 0;
		e->actor_label = e->reason = e->items = NULL;
	}
	return 0;
}

/* ---- for queue.c (dossier_int.h) -------------------------------------------------- */

int64_t ts_dossier_now(void)
{
	return now_s();
}

void ts_dossier_from_row(const struct ts_dbres *r, int i, struct ts_dossier *d)
{
	dossier_from_row(r, i, d);
}

int ts_dossier_holds_role(struct ts_ctx *ctx, struct ts_dbconn *c, int role, int64_t unit,
			  bool *ok, struct ts_error *err)
{
	return holds_role(ctx, c, role, unit, ok, err);
}

bool ts_dossier_is_system(const struct ts_actor *a)
{
	return is_system(a);
}

/* ---- aliases ------------------------------------------------------------------------- */

struct alias_job {
	struct ts_ctx *ctx;
	const char *code, *system, *alias;
};

static int alias_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct alias_job *j = vjob;
	struct ts_dossier d;
	bool ok = false;
	int rc;

	if ((rc = load_dossier(c, j->ctx->arena, j->code, &d, err)))
		return rc;
	if ((rc = holds_role(j->ctx, c, -1, d.competent_unit_id, &ok, err)))
		return rc;
	if (!ok)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	struct ts_dbval p[] = {TS_DB_TEXT(j->alias), TS_DB_TEXT(j->system), TS_DB_INT(d.id),
			       TS_DB_INT(now_s())};
	if ((rc = ts_db_query(c, j->ctx->arena, "dossier_alias_insert", p, 4, NULL, err)))
		return rc;
	return ts_audit_write(c, j->ctx, "dossier.alias", "dossier", d.code,
			      ts_arena_printf(j->ctx->arena, "%s: %s", j->system, j->alias), err);
}

int ts_dossier_alias_add(struct ts_ctx *ctx, const char *code, const char *system,
			 const char *alias, struct ts_error *err)
{
	struct alias_job j = {ctx, code, system, alias};

	if (blank(system) || blank(alias) || strlen(alias) >= TS_DOSSIER_CODE_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "alias", "Mã liên thông không hợp lệ");
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, alias_tx, &j, err);
}

/* ---- what each action takes ---------------------------------------------------------- */

/* The inputs apply() reads for each action; required = apply() refuses the action without
 * it. Kept next to apply() on purpose: change both together. */
#define IN_END {NULL, false, TS_DI_STEP_NONE}
static const struct ts_dossier_input in_none[] = {IN_END};
static const struct ts_dossier_input in_accept[] = {
    {"assignee_account_id", false, TS_DI_STEP_NEXT}, {"hold", false, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_refuse[] = {
    {"reason", true, TS_DI_STEP_NONE}, {"items", false, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_supplement[] = {
    {"items", true, TS_DI_STEP_NONE}, {"reason", false, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_assign[] = {
    {"assignee_account_id", true, TS_DI_STEP_CURRENT}, IN_END};
static const struct ts_dossier_input in_forward[] = {
    {"assignee_account_id", false, TS_DI_STEP_NEXT}, IN_END};
static const struct ts_dossier_input in_return[] = {
    {"to_step", true, TS_DI_STEP_NONE}, {"reason", true, TS_DI_STEP_NONE},
    {"assignee_account_id", false, TS_DI_STEP_CHOSEN}, IN_END};
static const struct ts_dossier_input in_reason_opt[] = {{"reason", false, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_reason_req[] = {{"reason", true, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_deliver[] = {{"delivery", false, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_apologize[] = {
    {"new_due", true, TS_DI_STEP_NONE}, {"reason", true, TS_DI_STEP_NONE}, IN_END};
static const struct ts_dossier_input in_rate[] = {
    {"rating", true, TS_DI_STEP_NONE}, {"comment", false, TS_DI_STEP_NONE}, IN_END};

const struct ts_dossier_input *ts_dossier_action_inputs(int action)
{
	switch (action) {
	case TS_DA_ACCEPT: return in_accept;
	case TS_DA_REFUSE: return in_refuse;
	case TS_DA_REQUEST_SUPPLEMENT: return in_supplement;
	case TS_DA_ASSIGN: return in_assign;
	case TS_DA_FORWARD: return in_forward;
	case TS_DA_RETURN_TO_STEP: return in_return;
	case TS_DA_REQUEST_PAYMENT: return in_reason_opt;
	case TS_DA_STOP: return in_reason_req;
	case TS_DA_WITHDRAW: return in_reason_opt;
	case TS_DA_FINISH: return in_reason_opt;
	case TS_DA_DELIVER: return in_deliver;
	case TS_DA_APOLOGIZE: return in_apologize;
	case TS_DA_RATE: return in_rate;
	default: return in_none;
	}
}

/* ---- eligible receivers ---------------------------------------------------------------- */

struct eligible_job {
	struct ts_ctx *ctx;
	const char *code;
	int ord;
	struct ts_dossier_eligible *out;
};

static int eligible_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct eligible_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dossier d;
	struct ts_flow flow;
	const struct ts_flow_step *s;
	struct ts_dbres *r = NULL;
	bool ok = false;
	int ord, rc;

	if ((rc = load_dossier(c, a, j->code, &d, err)))
		return rc;
	if (j->ctx->actor.kind != TS_ACCT_CITIZEN && j->ctx->actor.kind != TS_ACCT_BUSINESS &&
	    (rc = may_read(j->ctx, c, &d, &ok, err)))
		return rc;
	if (!ok)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Không tìm thấy hồ sơ có mã \"%s\"",
				    j->code);
	if ((rc = ts_flow_load(c, a, d.flow_version_id, d.legal_hours, &flow, err)))
		return rc;
	ord = j->ord ? j->ord : d.current_step + 1;
	if (j->ord && (ord < 1 || ord > flow.nsteps))
		return ts_error_set(err, TS_ERR_VALIDATION, "step", "Quy trình của hồ sơ có %d bước",
				    flow.nsteps);
	j->out->role = -1;
	if (ord > flow.nsteps)
		return 0; /* no step after the last one: nobody to hand over to */
	s = &flow.steps[ord - 1];
	j->out->step = ord;
	j->out->role = s->role;
	j->out->unit_id = ts_flow_step_unit(s, d.receiving_unit_id, d.competent_unit_id);
	{
		struct ts_dbval p[] = {TS_DB_TEXT(ts_role_name(s->role)), TS_DB_INT(j->out->unit_id),
				       TS_DB_INT(TS_DOSSIER_OFFICERS_MAX)};
		if ((rc = ts_db_query(c, a, "dossier_eligible_officers", p, 3, &r, err)))
			return rc;
	}
	j->out->officers = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(*j->out->officers));
	if (!j->out->officers)
		return nomem(err);
	for (int i = 0; i < r->nrows; i++) {
		struct ts_dossier_officer *o = &j->out->officers[i];
		o->account_id = ts_dbres_int(r, i, 0);
		o->full_name = ts_dbres_get(r, i, 1);
		o->username = ts_dbres_get(r, i, 2);
		o->unit_id = ts_dbres_int(r, i, 3);
		o->unit_name = ts_dbres_get(r, i, 4);
	}
	j->out->n = r->nrows;
	return 0;
}

int ts_dossier_eligible_officers(struct ts_ctx *ctx, const char *code, int ord,
				 struct ts_dossier_eligible *out, struct ts_error *err)
{
	struct eligible_job j = {.ctx = ctx, .code = code, .ord = ord, .out = out};

	memset(out, 0, sizeof(*out));
	out->role = -1;
	if (!code || !*code || strlen(code) >= TS_DOSSIER_CODE_MAX)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Mã hồ sơ không hợp lệ");
	if (ord < 0 || ord > TS_FLOW_MAX_STEPS)
		return ts_error_set(err, TS_ERR_VALIDATION, "step", "Bước không hợp lệ");
	return ts_db_tx(ctx->db, TS_DB_TX_READ, eligible_tx, &j, err);
}

/* ---- counter intake: the person by ID number ------------------------------------------ */

struct person_job {
	struct ts_ctx *ctx;
	const char *number;
	struct ts_dossier_person *out;
};

static int person_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct person_job *j = vjob;
	struct ts_dossier_person *o = j->out;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbres *r = NULL;
	char id[32];
	int rc;

	memset(o, 0, sizeof(*o));
	{
		struct ts_dbval p[] = {TS_DB_TEXT(j->number)};
		if ((rc = ts_db_query(c, a, "dossier_person_by_number", p, 1, &r, err)))
			return rc;
	}
	if (r->nrows) {
		o->found = true;
		o->account_id = ts_dbres_int(r, 0, 0);
		o->kind = ts_dbres_get(r, 0, 1);
		o->full_name = ts_dbres_get(r, 0, 2);
		o->phone = ts_dbres_get(r, 0, 3);
		o->email = ts_dbres_get(r, 0, 4);
		struct ts_dbval p[] = {TS_DB_INT(o->account_id)};
		if ((rc = ts_db_query(c, a, "dossier_person_dossiers", p, 1, &r, err)))
			return rc;
		for (int i = 0; i < r->nrows && o->ndossiers < TS_DOSSIER_PERSON_DOSSIERS; i++) {
			struct ts_dossier d = {.received_unit_id = ts_dbres_int(r, i, 7),
					       .receiving_unit_id = ts_dbres_int(r, i, 8),
					       .competent_unit_id = ts_dbres_int(r, i, 9)};
			bool ok = false;
			/* only dossiers the officer could open anyway */
			if ((rc = may_read(j->ctx, c, &d, &ok, err)))
				return rc;
			if (!ok)
				continue;
			o->dossiers[o->ndossiers].code = ts_dbres_get(r, i, 0);
			o->dossiers[o->ndossiers].procedure_code = ts_dbres_get(r, i, 1);
			o->dossiers[o->ndossiers].procedure_name = ts_dbres_get(r, i, 2);
			o->dossiers[o->ndossiers].applicant_name = ts_dbres_get(r, i, 3);
			o->dossiers[o->ndossiers].applicant_phone = ts_dbres_get(r, i, 4);
			o->dossiers[o->ndossiers].status = (int)ts_dbres_int(r, i, 5);
			o->dossiers[o->ndossiers].submitted_at = ts_dbres_int(r, i, 6);
			o->ndossiers++;
		}
	}
	snprintf(id, sizeof(id), "%" PRId64, o->account_id);
	/* the number looked up is personal data: the trail keeps who looked and what was found */
	return ts_audit_write(c, j->ctx, "person.lookup", "account", o->found ? id : NULL,
			      o->found ? "tìm thấy tài khoản" : "không tìm thấy", err);
}

int ts_dossier_person_lookup(struct ts_ctx *ctx, const char *id_number,
			     struct ts_dossier_person *out, struct ts_error *err)
{
	struct person_job j = {.ctx = ctx, .number = id_number, .out = out};
	size_t n = id_number ? strlen(id_number) : 0;

	memset(out, 0, sizeof(*out));
	if (ctx->actor.kind == TS_ACCT_CITIZEN || ctx->actor.kind == TS_ACCT_BUSINESS)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	if (n < 9 || n > 14)
		return ts_error_set(err, TS_ERR_VALIDATION, "personal_id",
				    "Số định danh cá nhân có 12 chữ số (CMND cũ 9 chữ số), mã số thuế "
				    "10 hoặc 13 chữ số");
	for (size_t i = 0; i < n; i++)
		if ((id_number[i] < '0' || id_number[i] > '9') && id_number[i] != '-')
			return ts_error_set(err, TS_ERR_VALIDATION, "personal_id",
					    "Số định danh chỉ gồm chữ số");
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, person_tx, &j, err);
}
