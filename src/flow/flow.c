/* flow.c - the dossier transition table (DOMAIN.md §4) and workflows: default flow,
 * pre-publication checks, storing and resolving flow versions (sql/common/queries/flow.sql).
 * Pure rules first; storage only through db.h named queries. dossier.c is the user. */
#include "flow/flow.h"

#include "base/cache.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- names ------------------------------------------------------------------------- */

static const struct {
	int code;
	const char *name, *title;
} statuses[] = {
#define X(n, code, s, vi) {code, s, vi},
    TS_DOSSIER_STATUS_TABLE(X)
#undef X
};

static const struct {
	const char *name, *title;
} actions[] = {
#define X(n, s, vi) {s, vi},
    TS_DOSSIER_ACTION_TABLE(X)
#undef X
};

static const struct {
	const char *name, *title;
} step_kinds[] = {
#define X(n, s, vi) {s, vi},
    TS_STEP_KIND_TABLE(X)
#undef X
};

const char *ts_dossier_status_name(int status)
{
	return status >= 1 && status <= TS_DS__MAX ? statuses[status - 1].name : NULL;
}

const char *ts_dossier_status_title(int status)
{
	return status >= 1 && status <= TS_DS__MAX ? statuses[status - 1].title : NULL;
}

int ts_dossier_status_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < TS_DS__MAX; i++) {
		char num[4];
		snprintf(num, sizeof(num), "%d", statuses[i].code);
		if (strcmp(statuses[i].name, name) == 0 || strcmp(num, name) == 0)
			return statuses[i].code;
	}
	return -1;
}

const char *ts_dossier_action_name(int action)
{
	return action >= 0 && action < TS_DA__COUNT ? actions[action].name : NULL;
}

const char *ts_dossier_action_title(int action)
{
	return action >= 0 && action < TS_DA__COUNT ? actions[action].title : NULL;
}

int ts_dossier_action_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < TS_DA__COUNT; i++)
		if (strcmp(actions[i].name, name) == 0)
			return i;
	return -1;
}

const char *ts_step_kind_name(int kind)
{
	return kind >= 0 && kind < TS_STEP__COUNT ? step_kinds[kind].name : NULL;
}

const char *ts_step_kind_title(int kind)
{
	return kind >= 0 && kind < TS_STEP__COUNT ? step_kinds[kind].title : NULL;
}

int ts_step_kind_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < TS_STEP__COUNT; i++)
		if (strcmp(step_kinds[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- the transition table ---------------------------------------------------------- */

#define A TS_WHO_APPLICANT
#define C TS_WHO_COUNTER
#define S TS_WHO_STEP

/* THE table: every allowed (status, action); anything absent is refused. */
static const struct ts_transition table[] = {
    {TS_DS_NONE, TS_DA_SUBMIT, TS_DS_NEW, A},
    {TS_DS_NONE, TS_DA_INTAKE, TS_DS_NEW, C},

    {TS_DS_NEW, TS_DA_ACCEPT, TS_DS_ACCEPTED, C},
    {TS_DS_NEW, TS_DA_REFUSE, TS_DS_REFUSED, C},
    {TS_DS_NEW, TS_DA_REQUEST_SUPPLEMENT, TS_DS_SUPPLEMENT, C},
    {TS_DS_NEW, TS_DA_WITHDRAW, TS_DS_WITHDRAWN, A},

    {TS_DS_ACCEPTED, TS_DA_FORWARD, TS_DS_PROCESSING, C},
    {TS_DS_ACCEPTED, TS_DA_ASSIGN, TS_DS_SAME, C},
    {TS_DS_ACCEPTED, TS_DA_WITHDRAW, TS_DS_WITHDRAWN, A | C},
    {TS_DS_ACCEPTED, TS_DA_STOP, TS_DS_STOPPED, C},
    {TS_DS_ACCEPTED, TS_DA_APOLOGIZE, TS_DS_SAME, C},

    {TS_DS_PROCESSING, TS_DA_ASSIGN, TS_DS_SAME, S},
    {TS_DS_PROCESSING, TS_DA_FORWARD, TS_DS_SAME, S},
    {TS_DS_PROCESSING, TS_DA_RETURN_TO_STEP, TS_DS_SAME, S},
    {TS_DS_PROCESSING, TS_DA_REQUEST_SUPPLEMENT, TS_DS_SUPPLEMENT, S},
    {TS_DS_PROCESSING, TS_DA_REQUEST_PAYMENT, TS_DS_PAYMENT, S},
    {TS_DS_PROCESSING, TS_DA_STOP, TS_DS_STOPPED, S},
    {TS_DS_PROCESSING, TS_DA_WITHDRAW, TS_DS_WITHDRAWN, A},
    {TS_DS_PROCESSING, TS_DA_FINISH, TS_DS_DONE, S},
    {TS_DS_PROCESSING, TS_DA_APOLOGIZE, TS_DS_SAME, S},

    {TS_DS_SUPPLEMENT, TS_DA_RESUBMIT, TS_DS_PREVIOUS, A | C},
    {TS_DS_SUPPLEMENT, TS_DA_WITHDRAW, TS_DS_WITHDRAWN, A},
    {TS_DS_SUPPLEMENT, TS_DA_STOP, TS_DS_STOPPED, C | S},

    {TS_DS_PAYMENT, TS_DA_PAYMENT_DONE, TS_DS_PROCESSING, A | C},
    {TS_DS_PAYMENT, TS_DA_WITHDRAW, TS_DS_WITHDRAWN, A},
    {TS_DS_PAYMENT, TS_DA_STOP, TS_DS_STOPPED, S},

    {TS_DS_DONE, TS_DA_DELIVER, TS_DS_DELIVERED, C | S},

    {TS_DS_DELIVERED, TS_DA_RATE, TS_DS_SAME, A},
};

#undef A
#undef C
#undef S

int ts_flow_transition(int from, int action, const struct ts_transition **out,
		       struct ts_error *err)
{
	const char *title;

	if (from < TS_DS_NONE || from > TS_DS__MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "status",
				    "Trạng thái hồ sơ %d không hợp lệ", from);
	if (action < 0 || action >= TS_DA__COUNT)
		return ts_error_set(err, TS_ERR_VALIDATION, "action", "Thao tác không hợp lệ");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].from == from && table[i].action == action) {
			if (out)
				*out = &table[i];
			return 0;
		}
	}
	title = actions[action].title;
	if (from == TS_DS_NONE)
		return ts_error_set(err, TS_ERR_CONFLICT, "action",
				    "Không thể \"%s\" khi hồ sơ chưa được nộp", title);
	if (ts_dossier_status_final(from))
		return ts_error_set(err, TS_ERR_CONFLICT, "action",
				    "Không thể \"%s\": hồ sơ đã kết thúc ở trạng thái \"%s\"",
				    title, statuses[from - 1].title);
	return ts_error_set(err, TS_ERR_CONFLICT, "action",
			    "Không thể \"%s\" khi hồ sơ đang ở trạng thái \"%s\"", title,
			    statuses[from - 1].title);
}

bool ts_dossier_status_final(int status)
{
	return status == TS_DS_REFUSED || status == TS_DS_WITHDRAWN || status == TS_DS_STOPPED ||
	       status == TS_DS_DELIVERED;
}

bool ts_dossier_status_paused(int status)
{
	return status == TS_DS_SUPPLEMENT || status == TS_DS_PAYMENT;
}

/* ---- workflows: pure ---------------------------------------------------------------- */

int ts_flow_default(struct ts_arena *a, int64_t legal_hours, struct ts_flow *out,
		    struct ts_error *err)
{
	struct ts_flow_step *s = ts_arena_zalloc(a, 4 * sizeof(*s));
	int64_t h = legal_hours > 0 ? legal_hours : 0, recv, appr;

	if (!s)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	recv = h / 10 > 4 ? 4 : h / 10;
	appr = h / 5;
	s[0] = (struct ts_flow_step){1, TS_STEP_RECEIVE, TS_ROLE_COUNTER, TS_STEP_UNIT_RECEIVING,
				     0, recv};
	s[1] = (struct ts_flow_step){2, TS_STEP_PROCESS, TS_ROLE_SPECIALIST,
				     TS_STEP_UNIT_COMPETENT, 0, h - recv - appr};
	s[2] = (struct ts_flow_step){3, TS_STEP_APPROVE, TS_ROLE_LEADER, TS_STEP_UNIT_COMPETENT,
				     0, appr};
	s[3] = (struct ts_flow_step){4, TS_STEP_RETURN, TS_ROLE_COUNTER, TS_STEP_UNIT_RECEIVING,
				     0, 0};
	out->version_id = 0;
	out->nsteps = 4;
	out->steps = s;
	return 0;
}

int ts_flow_check(const struct ts_flow *f, int64_t legal_hours, struct ts_error *err)
{
	int64_t sum = 0;
	char field[64];

	if (!f || f->nsteps < 2 || f->nsteps > TS_FLOW_MAX_STEPS)
		return ts_error_set(err, TS_ERR_VALIDATION, "steps",
				    "Quy trình cần từ 2 đến %d bước", TS_FLOW_MAX_STEPS);
	for (int i = 0; i < f->nsteps; i++) {
		const struct ts_flow_step *s = &f->steps[i];
		snprintf(field, sizeof(field), "steps/%d", i);
		if (s->ord != i + 1)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Bước thứ %d phải có số thứ tự %d", i + 1, i + 1);
		if (!ts_step_kind_name(s->kind))
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Loại bước thứ %d không hợp lệ", i + 1);
		if (i == 0 && s->kind != TS_STEP_RECEIVE)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Bước đầu tiên phải là bước tiếp nhận");
		if (i > 0 && s->kind == TS_STEP_RECEIVE)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Chỉ bước đầu tiên là bước tiếp nhận");
		if (s->kind == TS_STEP_RETURN && i != f->nsteps - 1)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Bước trả kết quả phải là bước cuối cùng");
		if (!ts_role_name(s->role))
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Vai trò của bước thứ %d không hợp lệ", i + 1);
		if (s->unit_rel < TS_STEP_UNIT_ABSOLUTE || s->unit_rel > TS_STEP_UNIT_COMPETENT ||
		    (s->unit_rel == TS_STEP_UNIT_ABSOLUTE && s->unit_id <= 0))
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Đơn vị thực hiện bước thứ %d không hợp lệ", i + 1);
		if (s->hours < 0 || s->hours > 100000)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Thời gian của bước thứ %d không hợp lệ", i + 1);
		sum += s->hours;
	}
	if (f->nsteps < 2 || (f->steps[1].kind == TS_STEP_RETURN))
		return ts_error_set(err, TS_ERR_VALIDATION, "steps",
				    "Quy trình cần ít nhất một bước xử lý sau bước tiếp nhận");
	if (legal_hours >= 0 && sum > legal_hours)
		return ts_error_set(err, TS_ERR_VALIDATION, "steps",
				    "Tổng thời gian các bước (%" PRId64
				    " giờ làm việc) vượt thời hạn giải quyết (%" PRId64 " giờ)",
				    sum, legal_hours);
	return 0;
}

int64_t ts_flow_step_unit(const struct ts_flow_step *s, int64_t receiving_unit_id,
			  int64_t competent_unit_id)
{
	switch (s->unit_rel) {
	case TS_STEP_UNIT_RECEIVING:
		return receiving_unit_id;
	case TS_STEP_UNIT_COMPETENT:
		return competent_unit_id;
	default:
		return s->unit_id;
	}
}

/* ---- workflows: storage ------------------------------------------------------------- */

static const char *const unit_rel_names[] = {"absolute", "receiving", "competent"};

static int unit_rel_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && strcmp(s, unit_rel_names[i]) == 0)
			return i;
	return -1;
}

struct publish_job {
	struct ts_ctx *ctx;
	const char *procedure_code, *variant_code;
	int64_t unit_id;
	const struct ts_flow *f;
	int64_t procedure_id, variant_id, legal_hours, version_id, version;
};

/* The legal time the flow must fit in: the shortest published time of the variant over the
 * channels it has (working days and calendar days counted as 8 working hours a day); -1 when
 * the procedure is answered on the spot. Fills procedure_id and variant_id (0 = all). */
static int legal_time(struct publish_job *job, struct ts_dbconn *c, struct ts_error *err)
{
	struct ts_proc_variant_info v;
	int64_t best = -1;
	bool found = false;
	int rc = 0;

	for (int ch = TS_CHANNEL_IN_PERSON; ch <= TS_CHANNEL_POST; ch++) {
		struct ts_error e = {0};
		if ((rc = ts_catalog_variant_for(c, job->ctx->arena, job->procedure_code,
						 job->variant_code, ch, 0, time(NULL), &v, &e))) {
			if (rc == TS_ERR_VALIDATION && strcmp(e.field, "channel") == 0)
				continue; /* not offered on this channel */
			*err = e;
			return rc;
		}
		found = true;
		job->procedure_id = v.procedure_id;
		job->variant_id = job->variant_code ? v.variant_id : 0;
		if (v.no_due_date)
			continue;
		int64_t h = ts_cal_legal_hours(v.time_amount, v.time_unit);
		if (best < 0 || h < best)
			best = h;
	}
	if (!found)
		return ts_error_set(err, TS_ERR_VALIDATION, "procedure_code",
				    "Thủ tục %s chưa công bố thời hạn giải quyết cho kênh nào",
				    job->procedure_code);
	job->legal_hours = best;
	return 0;
}

static int publish_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct publish_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct ts_dbres *r = NULL;
	int64_t now = time(NULL), flow_id;
	char idbuf[24];
	int rc;

	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_FLOW_WRITE, job->unit_id, err)))
		return rc;
	if ((rc = legal_time(job, c, err)) || (rc = ts_flow_check(job->f, job->legal_hours, err)))
		return rc;
	for (int i = 0; i < job->f->nsteps; i++) {
		const struct ts_flow_step *s = &job->f->steps[i];
		if (s->unit_rel != TS_STEP_UNIT_ABSOLUTE)
			continue;
		struct ts_dbval p[] = {TS_DB_INT(s->unit_id)};
		if ((rc = ts_db_query(c, a, "flow_unit_exists", p, 1, &r, err)))
			return rc;
		if (r->nrows == 0) {
			char field[32];
			snprintf(field, sizeof(field), "steps/%d/unit_id", i);
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Đơn vị %" PRId64 " của bước thứ %d không tồn tại",
					    s->unit_id, i + 1);
		}
	}
	if (job->unit_id > 0) {
		struct ts_dbval p[] = {TS_DB_INT(job->unit_id)};
		if ((rc = ts_db_query(c, a, "flow_unit_exists", p, 1, &r, err)))
			return rc;
		if (r->nrows == 0)
			return ts_error_set(err, TS_ERR_VALIDATION, "unit_id",
					    "Đơn vị %" PRId64 " không tồn tại", job->unit_id);
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(job->procedure_id), TS_DB_INT(job->variant_id),
				       TS_DB_INT(job->unit_id), TS_DB_INT(now)};
		if ((rc = ts_db_query(c, a, "flow_upsert", p, 4, NULL, err)))
			return rc;
		if ((rc = ts_db_query(c, a, "flow_find", p, 3, &r, err)))
			return rc;
		if (r->nrows != 1)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được quy trình");
		flow_id = ts_dbres_int(r, 0, 0);
	}
	{
		struct ts_dbval p[] = {TS_DB_INT(flow_id), TS_DB_INT(now)};
		if ((rc = ts_db_query(c, a, "flow_version_insert", p, 2, &r, err)))
			return rc;
		if (r->nrows != 1)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được phiên bản");
		job->version_id = ts_dbres_int(r, 0, 0);
		job->version = ts_dbres_int(r, 0, 1);
	}
	for (int i = 0; i < job->f->nsteps; i++) {
		const struct ts_flow_step *s = &job->f->steps[i];
		struct ts_dbval p[] = {TS_DB_INT(job->version_id),
				       TS_DB_INT(s->ord),
				       TS_DB_TEXT(ts_step_kind_name(s->kind)),
				       TS_DB_TEXT(ts_role_name(s->role)),
				       TS_DB_TEXT(unit_rel_names[s->unit_rel]),
				       s->unit_rel == TS_STEP_UNIT_ABSOLUTE ? TS_DB_INT(s->unit_id)
									     : TS_DB_NULL,
				       TS_DB_INT(s->hours)};
		if ((rc = ts_db_query(c, a, "flow_step_insert", p, 7, NULL, err)))
			return rc;
	}
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, job->version_id);
	return ts_audit_write(c, job->ctx, "flow.publish", "flow_version", idbuf,
			      ts_arena_printf(a, "procedure %s variant %" PRId64 " unit %" PRId64
						 " version %" PRId64,
					      job->procedure_code, job->variant_id, job->unit_id,
					      job->version),
			      err);
}

int ts_flow_publish(struct ts_ctx *ctx, const char *procedure_code, const char *variant_code,
		    int64_t unit_id, const struct ts_flow *f, struct ts_flow_published *out,
		    struct ts_error *err)
{
	struct publish_job job = {.ctx = ctx, .procedure_code = procedure_code,
				  .variant_code = variant_code, .unit_id = unit_id < 0 ? 0 : unit_id,
				  .f = f};
	int rc;

	if (!procedure_code || !*procedure_code)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "procedure_code", "Thiếu mã thủ tục");
	rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, publish_tx, &job, err);
	if (rc == 0 && out)
		*out = (struct ts_flow_published){job.version_id, job.version, job.procedure_id,
						  job.variant_id, job.legal_hours};
	return rc;
}

/* ---- listing ------------------------------------------------------------------------- */

json_t *ts_flow_steps_json(const struct ts_flow *f)
{
	json_t *arr = json_array();
	for (int i = 0; arr && i < f->nsteps; i++) {
		const struct ts_flow_step *s = &f->steps[i];
		json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I}", "ord", s->ord, "kind",
				      ts_step_kind_name(s->kind), "kind_title",
				      ts_step_kind_title(s->kind), "role", ts_role_name(s->role),
				      "role_title", ts_role_title(s->role), "unit",
				      unit_rel_names[s->unit_rel], "hours", (json_int_t)s->hours);
		if (o && s->unit_rel == TS_STEP_UNIT_ABSOLUTE)
			json_object_set_new(o, "unit_id", json_integer(s->unit_id));
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

struct list_job {
	struct ts_ctx *ctx;
	const char *code;
	json_t *out;
};

static int list_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct list_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct ts_dbres *r = NULL, *v = NULL;
	struct ts_flow f;
	json_t *arr;
	int rc;

	{
		struct ts_dbval p[] = {TS_DB_TEXT(job->code)};
		if ((rc = ts_db_query(c, a, "flow_procedure_id", p, 1, &r, err)))
			return rc;
	}
	if (r->nrows == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Không tìm thấy thủ tục \"%s\"",
				    job->code);
	{
		struct ts_dbval p[] = {TS_DB_INT(ts_dbres_int(r, 0, 0))};
		if ((rc = ts_db_query(c, a, "flow_versions_of", p, 1, &v, err)))
			return rc;
	}
	if (!(arr = ts_json_own(a, json_array())))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < v->nrows; i++) {
		json_t *steps;
		if ((rc = ts_flow_load(c, a, ts_dbres_int(v, i, 2), -1, &f, err)))
			return rc;
		if (!(steps = ts_flow_steps_json(&f)) ||
		    json_array_append_new(
			arr, json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "variant_id",
				       (json_int_t)ts_dbres_int(v, i, 0), "unit_id",
				       (json_int_t)ts_dbres_int(v, i, 1), "version_id",
				       (json_int_t)ts_dbres_int(v, i, 2), "version",
				       (json_int_t)ts_dbres_int(v, i, 3), "published_at",
				       (json_int_t)ts_dbres_int(v, i, 4), "steps", steps)))
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	job->out = arr;
	return 0;
}

int ts_flow_list(struct ts_ctx *ctx, const char *procedure_code, json_t **out,
		 struct ts_error *err)
{
	struct list_job job = {ctx, procedure_code, NULL};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &job, err);
	if (rc == 0)
		*out = job.out;
	return rc;
}

static int load_steps(struct ts_dbconn *c, struct ts_arena *a, int64_t version_id,
		      struct ts_flow *out, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(version_id)};
	struct ts_dbres *r = NULL;
	int rc;

	if ((rc = ts_db_query(c, a, "flow_steps", p, 1, &r, err)))
		return rc;
	if (r->nrows == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "flow_version_id",
				    "Không tìm thấy phiên bản quy trình %" PRId64, version_id);
	out->steps = ts_arena_zalloc(a, (size_t)r->nrows * sizeof(*out->steps));
	if (!out->steps)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	out->version_id = version_id;
	out->nsteps = r->nrows;
	for (int i = 0; i < r->nrows; i++) {
		struct ts_flow_step *s = &out->steps[i];
		s->ord = (int)ts_dbres_int(r, i, 0);
		s->kind = ts_step_kind_parse(ts_dbres_get(r, i, 1));
		s->role = ts_role_parse(ts_dbres_get(r, i, 2));
		s->unit_rel = unit_rel_parse(ts_dbres_get(r, i, 3));
		s->unit_id = ts_dbres_int(r, i, 4);
		s->hours = ts_dbres_int(r, i, 5);
		if (s->kind < 0 || s->role < 0 || s->unit_rel < 0)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL,
					    "Quy trình %" PRId64 " lưu bước không hợp lệ",
					    version_id);
	}
	return 0;
}

/* A published flow version's steps are inserted with it and never changed or deleted
 * (flow.sql has no UPDATE or DELETE of flow_step), and ids are never reused: they are cached
 * by version id, filled only from read transactions (ts_db_cache). */
int ts_flow_load(struct ts_dbconn *c, struct ts_arena *a, int64_t version_id,
		 int64_t legal_hours, struct ts_flow *out, struct ts_error *err)
{
	bool fill = false;
	struct ts_cache *cache;
	const struct ts_flow *hit;
	struct ts_flow *f;
	struct ts_arena *va;
	int rc;

	if (version_id <= 0)
		return ts_flow_default(a, legal_hours, out, err);
	cache = ts_db_cache(c, &fill);
	if ((hit = ts_cache_get(cache, TS_CACHE_FLOW_VERSION, version_id, 0, a))) {
		*out = *hit; /* the steps are shared, read-only */
		return 0;
	}
	if (!fill)
		return load_steps(c, a, version_id, out, err);
	if (!(va = ts_arena_new(0)) || !(f = ts_arena_zalloc(va, sizeof(*f)))) {
		ts_arena_free(va);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	if ((rc = load_steps(c, va, version_id, f, err))) {
		ts_arena_free(va);
		return rc;
	}
	if (!(hit = ts_cache_put(cache, TS_CACHE_FLOW_VERSION, version_id, 0, va, f, a)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	*out = *hit;
	return 0;
}

int ts_flow_resolve(struct ts_dbconn *c, struct ts_arena *a, int64_t procedure_id,
		    int64_t variant_id, int64_t unit_id, int64_t legal_hours, struct ts_flow *out,
		    struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(procedure_id), TS_DB_INT(variant_id), TS_DB_INT(unit_id)};
	struct ts_dbres *r = NULL;
	int rc;

	int64_t best = 0;
	int best_rank = 4;

	if ((rc = ts_db_query(c, a, "flow_resolve", p, 3, &r, err)))
		return rc;
	/* exact variant and unit, then the variant at any unit, then any variant at the unit,
	 * then any variant anywhere; a flow without a version yet does not count */
	for (int i = 0; i < r->nrows; i++) {
		int rank = (ts_dbres_int(r, i, 0) == 0 ? 2 : 0) + (ts_dbres_int(r, i, 1) == 0 ? 1 : 0);
		if (!ts_dbres_isnull(r, i, 2) && rank < best_rank) {
			best_rank = rank;
			best = ts_dbres_int(r, i, 2);
		}
	}
	if (best <= 0)
		return ts_flow_default(a, legal_hours, out, err);
	return ts_flow_load(c, a, best, legal_hours, out, err);
}
