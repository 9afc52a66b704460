/* dossier_http.c - thin HTTP adapter of dossiers: request specs, Idempotency-Key, path and
 * query parsing, calls into dossier.c and JSON rendering (full view for the applicant and
 * officers, public view without personal data, control slip). No rule is decided here;
 * routes and their permissions live in app/routes.c. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/json.h"
#include "dossier/dossier.h"
#include "http/http.h"

/* ---- request specs ----------------------------------------------------------------- */

static const char *const delivery_values[] = {"counter", "post", "electronic", NULL};

static const struct ts_json_field doc_fields[] = {
    {.name = "code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 32,
     .label = "Mã thành phần hồ sơ", .example = "TK01"},
    {.name = "name", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 500,
     .label = "Tên giấy tờ"},
    {.name = "originals", .type = TS_J_INT, .min = 0, .max = 100, .label = "Số bản chính"},
    {.name = "copies", .type = TS_J_INT, .min = 0, .max = 100, .label = "Số bản sao"},
    {.name = "digitised", .type = TS_J_BOOL, .label = "Đã số hóa"},
    {.name = "reused", .type = TS_J_BOOL, .label = "Tái sử dụng dữ liệu đã có"},
};
static const struct ts_json_spec doc_spec = TS_JSON_SPEC("DossierDocument", doc_fields);

#define COMMON_SUBMIT_FIELDS                                                                    \
	{.name = "procedure_code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1,        \
	 .max = 64, .label = "Mã thủ tục", .example = "1.001234"},                              \
	    {.name = "variant_code", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 64,     \
	     .label = "Trường hợp"},                                                            \
	    {.name = "competent_unit_id", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 1,    \
	     .max = INT64_MAX, .label = "Cơ quan có thẩm quyền giải quyết", .example = "12"},   \
	    {.name = "receiving_unit_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 1,    \
	     .max = INT64_MAX, .label = "Đơn vị tiếp nhận"},                                    \
	    {.name = "delivery", .type = TS_J_STRING, .enum_values = delivery_values,            \
	     .label = "Hình thức nhận kết quả", .example = "electronic"},                        \
	    {.name = "applicant_name", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 255,  \
	     .label = "Họ tên người nộp"},                                                      \
	    {.name = "applicant_phone", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 15, \
	     .label = "Số điện thoại", .example = "0912345678"},                                \
	    {.name = "applicant_id", .type = TS_J_STRING, .flags = TS_J_NULLABLE | TS_J_SECRET,  \
	     .max = 20, .label = "Số định danh cá nhân / mã số thuế"},                          \
	    {.name = "form_data", .type = TS_J_OBJECT, .flags = TS_J_NULLABLE,                   \
	     .label = "Tờ khai"},                                                                \
	    {.name = "documents", .type = TS_J_ARRAY, .max = 100, .sub = &doc_spec,             \
	     .item_type = TS_J_OBJECT, .label = "Thành phần hồ sơ"}

static const struct ts_json_field submit_fields[] = {COMMON_SUBMIT_FIELDS};
const struct ts_json_spec ts_dossier_spec_submit = TS_JSON_SPEC("DossierSubmit", submit_fields);

static const struct ts_json_field intake_fields[] = {
    COMMON_SUBMIT_FIELDS,
    {.name = "channel", .type = TS_J_INT, .min = 1, .max = 3,
     .label = "Kênh nộp (1 trực tiếp, 2 trực tuyến, 3 bưu chính)", .example = "1"},
    {.name = "applicant_account_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 1,
     .max = INT64_MAX, .label = "Tài khoản của người nộp"},
    {.name = "accept_now", .type = TS_J_BOOL, .label = "Tiếp nhận ngay"},
};
const struct ts_json_spec ts_dossier_spec_intake = TS_JSON_SPEC("DossierIntake", intake_fields);

static const struct ts_json_field item_fields[] = {
    {.name = "document", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 64,
     .label = "Giấy tờ"},
    {.name = "field", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 64,
     .label = "Thông tin"},
    {.name = "reason", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 1000,
     .label = "Lý do"},
};
static const struct ts_json_spec item_spec = TS_JSON_SPEC("DossierRequestItem", item_fields);

static const struct ts_json_field action_fields[] = {
    {.name = "version", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 1, .max = INT64_MAX,
     .label = "Phiên bản đã đọc", .example = "1"},
    {.name = "reason", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 2000, .label = "Lý do"},
    {.name = "items", .type = TS_J_ARRAY, .flags = TS_J_NULLABLE, .max = TS_DOSSIER_MAX_ITEMS,
     .sub = &item_spec, .item_type = TS_J_OBJECT, .label = "Các nội dung"},
    {.name = "to_step", .type = TS_J_INT, .min = 1, .max = TS_FLOW_MAX_STEPS,
     .label = "Bước trả lại"},
    {.name = "assignee_account_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 1,
     .max = INT64_MAX, .label = "Cán bộ nhận"},
    {.name = "new_due", .type = TS_J_INT, .min = 1, .max = INT64_MAX,
     .label = "Ngày hẹn mới (giây Unix)"},
    {.name = "delivery", .type = TS_J_STRING, .enum_values = delivery_values,
     .label = "Hình thức trả kết quả"},
    {.name = "hold", .type = TS_J_BOOL,
     .label = "Giữ hồ sơ tại bộ phận một cửa, chuyển sau (tiếp nhận)"},
    {.name = "rating", .type = TS_J_INT, .min = 1, .max = 5, .label = "Mức hài lòng"},
    {.name = "comment", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 2000,
     .label = "Nhận xét"},
};
const struct ts_json_spec ts_dossier_spec_action = TS_JSON_SPEC("DossierAction", action_fields);

static const struct ts_json_field person_fields[] = {
    {.name = "personal_id", .type = TS_J_STRING, .flags = TS_J_REQUIRED | TS_J_SECRET, .min = 9,
     .max = 14, .label = "Số định danh cá nhân / mã số thuế", .example = "001090012345"},
};
const struct ts_json_spec ts_dossier_spec_person_lookup =
    TS_JSON_SPEC("PersonLookup", person_fields);

/* ---- parsing ----------------------------------------------------------------------- */

static int parse_num(const char *s, int max_digits, int64_t *out)
{
	int64_t v = 0;
	int i;

	if (!s || !*s)
		return -1;
	for (i = 0; s[i]; i++) {
		if (i >= max_digits || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Idempotency-Key (1..128 printable ASCII) and a hash of the request it is bound to. */
static int read_idem(struct ts_call *call, struct ts_idem *k, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	const char *key = ts_http_header_get(r, "Idempotency-Key");
	char *buf, hash[65];

	memset(k, 0, sizeof(*k));
	if (!key)
		return 0;
	if (!*key || strlen(key) > 128)
		return ts_error_set(err, TS_ERR_VALIDATION, "Idempotency-Key",
				    "Idempotency-Key dài từ 1 đến 128 ký tự");
	for (const char *p = key; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return ts_error_set(err, TS_ERR_VALIDATION, "Idempotency-Key",
					    "Idempotency-Key chỉ gồm ký tự ASCII in được");
	buf = ts_arena_printf(r->arena, "%s %s\n%s", r->method, r->path, r->body ? r->body : "");
	if (!buf)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	ts_sha256_hex(buf, strlen(buf), hash, sizeof(hash));
	k->key = key;
	k->request_hash = ts_arena_strdup(r->arena, hash);
	k->route = ts_arena_printf(r->arena, "%s %s", r->method, r->path);
	if (!k->request_hash || !k->route)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return 0;
}

static int read_new(struct ts_call *call, struct ts_dossier_new *in, struct ts_error *err)
{
	const json_t *b = call->body, *docs, *x;
	struct ts_dossier_doc *d;
	const char *del;
	size_t i;

	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	memset(in, 0, sizeof(*in));
	in->procedure_code = ts_json_str(b, "procedure_code");
	in->variant_code = ts_json_str(b, "variant_code");
	in->competent_unit_id = ts_json_int(b, "competent_unit_id", 0);
	in->receiving_unit_id = ts_json_int(b, "receiving_unit_id", 0);
	del = ts_json_str(b, "delivery");
	in->delivery = del ? ts_delivery_parse(del) : TS_DELIVERY_ELECTRONIC;
	in->applicant_name = ts_json_str(b, "applicant_name");
	in->applicant_phone = ts_json_str(b, "applicant_phone");
	in->applicant_id = ts_json_str(b, "applicant_id");
	in->form_data = json_object_get(b, "form_data");
	if (in->form_data && json_is_null(in->form_data))
		in->form_data = NULL;
	in->channel = (int)ts_json_int(b, "channel", 0);
	in->applicant_account_id = ts_json_int(b, "applicant_account_id", 0);
	in->accept_now = ts_json_bool(b, "accept_now", false);
	docs = json_object_get(b, "documents");
	if (docs && json_array_size(docs)) {
		d = ts_arena_zalloc(call->req->arena, json_array_size(docs) * sizeof(*d));
		if (!d)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		json_array_foreach(docs, i, x)
		{
			d[i].code = ts_json_str(x, "code");
			d[i].name = ts_json_str(x, "name");
			d[i].originals = (int)ts_json_int(x, "originals", 0);
			d[i].copies = (int)ts_json_int(x, "copies", 0);
			d[i].digitised = ts_json_bool(x, "digitised", false);
			d[i].reused = ts_json_bool(x, "reused", false);
		}
		in->docs = d;
		in->ndocs = (int)json_array_size(docs);
	}
	return 0;
}

/* ---- rendering --------------------------------------------------------------------- */

static json_t *ts_or_null(int64_t v)
{
	return v > 0 ? json_integer((json_int_t)v) : json_null();
}

/* The inputs action a takes on d (ts_dossier_action_inputs): [{name, required, step?,
 * min?, max?}]; step names whose officers may receive (GET .../eligible-officers?step=). */
static json_t *inputs_json(const struct ts_dossier *d, int a)
{
	json_t *arr = json_array();

	for (const struct ts_dossier_input *in = ts_dossier_action_inputs(a); arr && in->name; in++) {
		json_t *o = json_pack("{s:s, s:b}", "name", in->name, "required", in->required);
		int step = in->step == TS_DI_STEP_CURRENT ? d->current_step
			   : in->step == TS_DI_STEP_NEXT  ? d->current_step + 1
							  : 0;
		if (o && step > 0)
			json_object_set_new(o, "step", json_integer(step));
		if (o && strcmp(in->name, "to_step") == 0) {
			/* return_to_step: a processing step before the current one */
			json_object_set_new(o, "min", json_integer(2));
			json_object_set_new(o, "max", json_integer(d->current_step - 1));
		}
		if (o && strcmp(in->name, "rating") == 0) {
			json_object_set_new(o, "min", json_integer(1));
			json_object_set_new(o, "max", json_integer(5));
		}
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *dossier_json(const struct ts_dossier *d, bool personal)
{
	json_t *o = json_object();
	int bad = !o;

	if (bad)
		return NULL;
	bad |= json_object_set_new(o, "code", ts_json_strornull(d->code));
	bad |= json_object_set_new(o, "status", json_integer(d->status));
	bad |= json_object_set_new(o, "status_name", ts_json_strornull(ts_dossier_status_name(d->status)));
	bad |= json_object_set_new(o, "status_title", ts_json_strornull(ts_dossier_status_title(d->status)));
	bad |= json_object_set_new(o, "procedure_code", ts_json_strornull(d->procedure_code));
	bad |= json_object_set_new(o, "procedure_name", ts_json_strornull(d->procedure_name));
	bad |= json_object_set_new(o, "received_unit_id", ts_or_null(d->received_unit_id));
	bad |= json_object_set_new(o, "receiving_unit_id", ts_or_null(d->receiving_unit_id));
	bad |= json_object_set_new(o, "competent_unit_id", ts_or_null(d->competent_unit_id));
	bad |= json_object_set_new(o, "channel", json_integer(d->channel));
	bad |= json_object_set_new(o, "delivery", ts_json_strornull(ts_delivery_name(d->delivery)));
	bad |= json_object_set_new(o, "current_step", json_integer(d->current_step));
	bad |= json_object_set_new(o, "step_due_at", ts_or_null(d->step_due_at));
	bad |= json_object_set_new(o, "submitted_at", ts_or_null(d->submitted_at));
	bad |= json_object_set_new(o, "accepted_at", ts_or_null(d->accepted_at));
	bad |= json_object_set_new(o, "due_at", ts_or_null(d->due_at));
	bad |= json_object_set_new(o, "current_due_at", ts_or_null(d->current_due_at));
	bad |= json_object_set_new(o, "original_due_at", ts_or_null(d->original_due_at));
	bad |= json_object_set_new(o, "ended_at", ts_or_null(d->ended_at));
	bad |= json_object_set_new(o, "delivered_at", ts_or_null(d->delivered_at));
	bad |= json_object_set_new(o, "on_time", d->on_time < 0 ? json_null() : json_boolean(d->on_time));
	bad |= json_object_set_new(o, "supplement_count", json_integer(d->supplement_count));
	bad |= json_object_set_new(o, "apology_count", json_integer(d->apology_count));
	bad |= json_object_set_new(o, "version", json_integer((json_int_t)d->version));
	if (personal) {
		json_t *form = d->form_data ? json_loads(d->form_data, 0, NULL) : NULL;
		bad |= json_object_set_new(o, "applicant_account_id", ts_or_null(d->applicant_account_id));
		bad |= json_object_set_new(o, "applicant_name", ts_json_strornull(d->applicant_name));
		bad |= json_object_set_new(o, "applicant_phone", ts_json_strornull(d->applicant_phone));
		bad |= json_object_set_new(o, "applicant_id_last4", ts_json_strornull(d->applicant_id_last4));
		bad |= json_object_set_new(o, "assignee_account_id", ts_or_null(d->assignee_account_id));
		json_t *allowed = json_array();
		for (int a = 0; allowed && a < TS_DA__COUNT; a++)
			if (d->allowed_actions & (1u << a))
				bad |= json_array_append_new(
				    allowed, json_pack("{s:s, s:s, s:o}", "action", ts_dossier_action_name(a),
						       "title", ts_dossier_action_title(a), "fields",
						       inputs_json(d, a)));
		bad |= json_object_set_new(o, "allowed_actions", allowed ? allowed : json_null());
		if (d->step_known)
			bad |= json_object_set_new(
			    o, "step",
			    json_pack("{s:i, s:i, s:s, s:s, s:s, s:s, s:o}", "ord", d->current_step, "of",
				      d->nsteps, "kind", ts_step_kind_name(d->step_kind), "kind_title",
				      ts_step_kind_title(d->step_kind), "role", ts_role_name(d->step_role),
				      "role_title", ts_role_title(d->step_role), "unit_id",
				      ts_or_null(d->step_unit_id)));
		bad |= json_object_set_new(o, "flow_version_id", ts_or_null(d->flow_version_id));
		bad |= json_object_set_new(o, "paused_seconds", json_integer((json_int_t)d->paused_seconds));
		bad |= json_object_set_new(o, "form_data", form ? form : json_object());
		bad |= json_object_set_new(o, "rating", d->rating ? json_integer(d->rating) : json_null());
		bad |= json_object_set_new(o, "comment", ts_json_strornull(d->comment));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *events_json(const struct ts_dossier_event *ev, int n, bool personal)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < n; i++) {
		const struct ts_dossier_event *e = &ev[i];
		json_t *o = json_pack("{s:I, s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "at",
				      (json_int_t)e->at, "action", e->action ? e->action : "",
				      "from_status", e->from_status, "to_status", e->to_status,
				      "step", e->step ? json_integer(e->step) : json_null(),
				      "to_step", e->to_step ? json_integer(e->to_step) : json_null(),
				      "step_due_at", ts_or_null(e->step_due_at),
				      "handed_at", ts_or_null(e->handed_at),
				      "result", ts_json_strornull(e->result));
		if (o && personal) {
			json_t *items = e->items ? json_loads(e->items, 0, NULL) : NULL;
			json_object_set_new(o, "actor", ts_json_strornull(e->actor_label));
			json_object_set_new(o, "actor_account_id", ts_or_null(e->actor_account_id));
			json_object_set_new(o, "receiver_account_id", ts_or_null(e->receiver_account_id));
			json_object_set_new(o, "step_started_at", ts_or_null(e->step_started_at));
			json_object_set_new(o, "reason", ts_json_strornull(e->reason));
			json_object_set_new(o, "items", items ? items : json_null());
		}
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int reply(struct ts_call *call, int status, json_t *v, struct ts_error *err)
{
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, status, v);
}

/* 409 for a stale version: the problem fields plus the current state. */
static int reply_conflict(struct ts_call *call, const struct ts_dossier *cur, struct ts_error *err)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o}", "type", "/problems/conflict",
			      "title", ts_err_title(TS_ERR_CONFLICT), "status", 409, "code",
			      ts_err_code(TS_ERR_CONFLICT), "detail", err->detail,
			      "field", ts_json_strornull(err->field[0] ? err->field : NULL),
			      "current", dossier_json(cur, true));
	call->resp->content_type = "application/problem+json";
	ts_error_clear(err);
	return reply(call, 409, o, err);
}

/* ---- handlers ---------------------------------------------------------------------- */

static int submit_or_intake(struct ts_call *call, bool intake, struct ts_error *err)
{
	struct ts_dossier_new in;
	struct ts_idem k;
	struct ts_dossier d;
	char loc[128];
	int rc;

	if ((rc = read_new(call, &in, err)) || (rc = read_idem(call, &k, err)))
		return rc;
	if (in.delivery < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "delivery", "Hình thức nhận kết quả không hợp lệ");
	rc = intake ? ts_dossier_intake(call->ctx, &in, &k, &d, err)
		    : ts_dossier_submit(call->ctx, &in, &k, &d, err);
	if (rc)
		return rc;
	snprintf(loc, sizeof(loc), "/api/v1/dossiers/%s", d.code);
	if ((rc = ts_http_resp_header(call->req, call->resp, "Location", loc)))
		return ts_error_set(err, rc, NULL, NULL);
	return reply(call, 201, dossier_json(&d, true), err);
}

/* POST /api/v1/dossiers (citizen / business, online) */
int ts_dossier_http_submit(struct ts_call *call, struct ts_error *err)
{
	return submit_or_intake(call, false, err);
}

/* POST /api/v1/dossiers/intake (counter officer) */
int ts_dossier_http_intake(struct ts_call *call, struct ts_error *err)
{
	return submit_or_intake(call, true, err);
}

/* GET /api/v1/dossiers/{code} -> dossier + events + documents */
int ts_dossier_http_get(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier d;
	struct ts_dossier_event *ev = NULL;
	struct ts_dossier_doc *docs = NULL;
	int nev = 0, ndocs = 0, rc;
	json_t *o, *darr;

	if ((rc = ts_dossier_get(call->ctx, call->params[0], &d, &ev, &nev, &docs, &ndocs, err)))
		return rc;
	if (!(o = dossier_json(&d, true)) || !(darr = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < ndocs; i++)
		json_array_append_new(darr, json_pack("{s:s, s:s, s:i, s:i, s:b, s:b}", "code",
						      docs[i].code ? docs[i].code : "", "name",
						      docs[i].name ? docs[i].name : "", "originals",
						      docs[i].originals, "copies", docs[i].copies,
						      "digitised", docs[i].digitised, "reused",
						      docs[i].reused));
	json_object_set_new(o, "documents", darr);
	json_object_set_new(o, "events", events_json(ev, nev, true));
	return reply(call, 200, o, err);
}

/* POST /api/v1/dossiers/{code}/actions/{action} */
int ts_dossier_http_action(struct ts_call *call, struct ts_error *err)
{
	const json_t *b = call->body;
	struct ts_dossier_act a = {.delivery = -1};
	struct ts_dossier d = {0};
	struct ts_idem k;
	const char *del;
	int rc;

	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	a.action = ts_dossier_action_parse(call->params[1]);
	if (a.action < 0 || a.action == TS_DA_SUBMIT || a.action == TS_DA_INTAKE)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "action", "Thao tác \"%s\" không tồn tại",
				    call->params[1]);
	if ((rc = read_idem(call, &k, err)))
		return rc;
	a.version = ts_json_int(b, "version", 0);
	a.reason = ts_json_str(b, "reason");
	a.items = json_object_get(b, "items");
	a.to_step = (int)ts_json_int(b, "to_step", 0);
	a.hold = ts_json_bool(b, "hold", false);
	a.assignee_account_id = ts_json_int(b, "assignee_account_id", 0);
	a.new_due = ts_json_int(b, "new_due", 0);
	if ((del = ts_json_str(b, "delivery")))
		a.delivery = ts_delivery_parse(del);
	a.rating = (int)ts_json_int(b, "rating", 0);
	a.comment = ts_json_str(b, "comment");
	rc = ts_dossier_perform(call->ctx, call->params[0], &a, &k, &d, err);
	if (rc == TS_ERR_CONFLICT && d.id > 0)
		return reply_conflict(call, &d, err);
	if (rc)
		return rc;
	return reply(call, 200, dossier_json(&d, true), err);
}

/* GET /api/v1/dossiers?status=&step=&assignee=me|<id>&unit=&procedure=&due_before=&due_after=&overdue=1&q=&after=&limit= */
int ts_dossier_http_filter(struct ts_call *call, struct ts_dossier_filter *out,
			   struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	struct ts_dossier_filter f = {0};
	const char *s;
	int64_t v;

	if ((s = ts_http_query_get(r, "status")) && *s && (f.status = ts_dossier_status_parse(s)) < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "status", "Trạng thái không hợp lệ");
	if ((s = ts_http_query_get(r, "step")) && *s) {
		if (parse_num(s, 2, &v) || v < 1)
			return ts_error_set(err, TS_ERR_VALIDATION, "step", "Bước không hợp lệ");
		f.step = (int)v;
	}
	if ((s = ts_http_query_get(r, "assignee")) && *s) {
		if (strcmp(s, "me") == 0)
			f.assignee = call->ctx->actor.account_id > 0 ? call->ctx->actor.account_id : -1;
		else if (parse_num(s, 18, &f.assignee))
			return ts_error_set(err, TS_ERR_VALIDATION, "assignee", "Cán bộ không hợp lệ");
	}
	if ((s = ts_http_query_get(r, "unit")) && *s && parse_num(s, 18, &f.unit_id))
		return ts_error_set(err, TS_ERR_VALIDATION, "unit", "Đơn vị không hợp lệ");
	if ((s = ts_http_query_get(r, "procedure")) && *s && parse_num(s, 18, &f.procedure_id))
		return ts_error_set(err, TS_ERR_VALIDATION, "procedure", "Thủ tục không hợp lệ");
	if ((s = ts_http_query_get(r, "due_before")) && *s && parse_num(s, 18, &f.due_before))
		return ts_error_set(err, TS_ERR_VALIDATION, "due_before", "Thời hạn không hợp lệ");
	if ((s = ts_http_query_get(r, "due_after")) && *s && parse_num(s, 18, &f.due_after))
		return ts_error_set(err, TS_ERR_VALIDATION, "due_after", "Thời hạn không hợp lệ");
	if ((s = ts_http_query_get(r, "overdue")))
		f.overdue = strcmp(s, "1") == 0 || strcmp(s, "true") == 0;
	if ((s = ts_http_query_get(r, "limit")) && *s) {
		if (parse_num(s, 4, &v) || v < 1 || v > TS_DOSSIER_LIST_MAX)
			return ts_error_set(err, TS_ERR_VALIDATION, "limit",
					    "Số dòng mỗi trang từ 1 đến %d", TS_DOSSIER_LIST_MAX);
		f.limit = (int)v;
	}
	f.q = ts_http_query_get(r, "q");
	f.after = ts_http_query_get(r, "after");
	*out = f;
	return 0;
}

/* GET /api/v1/dossiers: one page of a work queue */
int ts_dossier_http_list(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier_filter f;
	struct ts_dossier *items = NULL;
	const char *next = NULL;
	int n = 0, rc;
	json_t *arr;

	if ((rc = ts_dossier_http_filter(call, &f, err)))
		return rc;
	if ((rc = ts_dossier_list(call->ctx, &f, &items, &n, &next, err)))
		return rc;
	if (!(arr = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < n; i++)
		if (json_array_append_new(arr, dossier_json(&items[i], false))) {
			json_decref(arr);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	return reply(call, 200, json_pack("{s:o, s:o}", "items", arr, "next", ts_json_strornull(next)),
		     err);
}

/* GET /api/v1/public/dossiers/{code}?phone=|id_last4= (no sign-in, no personal data) */
int ts_dossier_http_public(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier d;
	struct ts_dossier_event *ev = NULL;
	const char *units[3] = {0};
	int nev = 0, rc;
	json_t *o;

	rc = ts_dossier_public(call->ctx, call->params[0], ts_http_query_get(call->req, "phone"),
			       ts_http_query_get(call->req, "id_last4"), &d, units, &ev, &nev, err);
	if (rc)
		return rc;
	if (!(o = dossier_json(&d, false)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	json_object_set_new(o, "receiving_unit", ts_json_strornull(units[1]));
	json_object_set_new(o, "competent_unit", ts_json_strornull(units[2]));
	json_object_set_new(o, "timeline", events_json(ev, nev, false));
	return reply(call, 200, o, err);
}

/* GET /api/v1/dossiers/{code}/control-slip: every hand-over with giver, receiver, times,
 * step due and result (phiếu kiểm soát quá trình giải quyết hồ sơ). */
int ts_dossier_http_control_slip(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier d;
	struct ts_dossier_event *ev = NULL;
	int nev = 0, rc;
	json_t *rows;

	if ((rc = ts_dossier_get(call->ctx, call->params[0], &d, &ev, &nev, NULL, NULL, err)))
		return rc;
	if (!(rows = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < nev; i++) {
		const struct ts_dossier_event *e = &ev[i];
		if (!e->handed_at && strcmp(e->action, "submit") && strcmp(e->action, "intake") &&
		    strcmp(e->action, "accept"))
			continue;
		json_array_append_new(
		    rows, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}", "action",
				    e->action, "giver", e->actor_label ? e->actor_label : "",
				    "giver_account_id", ts_or_null(e->actor_account_id),
				    "receiver_account_id", ts_or_null(e->receiver_account_id),
				    "step", e->step ? json_integer(e->step) : json_null(), "to_step",
				    e->to_step ? json_integer(e->to_step) : json_null(),
				    "step_started_at", ts_or_null(e->step_started_at), "handed_at",
				    (json_int_t)(e->handed_at ? e->handed_at : e->at), "step_due_at",
				    ts_or_null(e->step_due_at), "result", ts_json_strornull(e->result),
				    "note", ts_json_strornull(e->reason)));
	}
	return reply(call, 200,
		     json_pack("{s:s, s:o, s:o, s:o}", "code", d.code, "due_at", ts_or_null(d.due_at),
			       "current_due_at", ts_or_null(d.current_due_at), "rows", rows),
		     err);
}

/* GET /api/v1/queues/counts?unit=&days= -> how many dossiers each queue lists now */
int ts_dossier_http_queue_counts(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	struct ts_dossier_counts c;
	int64_t unit = 0, days = 3, now = (int64_t)time(NULL), soon;
	const char *s;
	json_t *steps;
	int rc;

	if ((s = ts_http_query_get(r, "unit")) && *s && parse_num(s, 18, &unit))
		return ts_error_set(err, TS_ERR_VALIDATION, "unit", "Đơn vị không hợp lệ");
	if ((s = ts_http_query_get(r, "days")) && *s && (parse_num(s, 2, &days) || days < 1 || days > 30))
		return ts_error_set(err, TS_ERR_VALIDATION, "days", "Số ngày sắp đến hạn từ 1 đến 30");
	soon = now + days * 86400;
	if ((rc = ts_dossier_queue_counts(call->ctx, unit, soon, &c, err)))
		return rc;
	if (!(steps = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < c.nsteps; i++)
		json_array_append_new(steps, json_pack("{s:i, s:I}", "step", c.steps[i].step, "count",
						       (json_int_t)c.steps[i].count));
	return reply(call, 200,
		     json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:I}", "new",
			       (json_int_t)c.awaiting, "mine", (json_int_t)c.mine, "due_soon",
			       (json_int_t)c.due_soon, "overdue", (json_int_t)c.overdue, "all",
			       (json_int_t)c.all, "by_step", steps, "at", (json_int_t)now,
			       "due_soon_before", (json_int_t)soon, "unit_id", ts_or_null(c.unit_id),
			       "cap", (json_int_t)TS_DOSSIER_COUNT_CAP),
		     err);
}

/* GET /api/v1/dossiers/{code}/eligible-officers?step= (default: the next step) */
int ts_dossier_http_eligible(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier_eligible e;
	const char *s = ts_http_query_get(call->req, "step");
	int64_t step = 0;
	json_t *arr;
	int rc;

	if (s && *s && (parse_num(s, 2, &step) || step < 1))
		return ts_error_set(err, TS_ERR_VALIDATION, "step", "Bước không hợp lệ");
	if ((rc = ts_dossier_eligible_officers(call->ctx, call->params[0], (int)step, &e, err)))
		return rc;
	if (!(arr = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < e.n; i++) {
		const struct ts_dossier_officer *o = &e.officers[i];
		if (json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:o}", "id",
							  (json_int_t)o->account_id, "full_name",
							  ts_json_strornull(o->full_name), "username",
							  ts_json_strornull(o->username), "unit_id",
							  ts_or_null(o->unit_id), "unit_name",
							  ts_json_strornull(o->unit_name)))) {
			json_decref(arr);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	}
	return reply(call, 200,
		     json_pack("{s:o, s:o, s:o, s:o, s:o}", "step",
			       e.step ? json_integer(e.step) : json_null(), "role",
			       ts_json_strornull(e.role >= 0 ? ts_role_name(e.role) : NULL),
			       "role_title", ts_json_strornull(e.role >= 0 ? ts_role_title(e.role) : NULL),
			       "unit_id", ts_or_null(e.unit_id), "officers", arr),
		     err);
}

/* POST /api/v1/persons/lookup {personal_id} -> the account holding it and its latest
 * dossiers in the officer's scope (a POST so that the number never sits in a URL or log) */
int ts_dossier_http_person_lookup(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier_person p;
	json_t *arr;
	int rc;

	if (!call->body)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	if ((rc = ts_dossier_person_lookup(call->ctx, ts_json_str(call->body, "personal_id"), &p, err)))
		return rc;
	if (!p.found)
		return reply(call, 200, json_pack("{s:b}", "found", 0), err);
	if (!(arr = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < p.ndossiers; i++)
		json_array_append_new(
		    arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:i, s:s, s:o}", "code",
				   ts_json_strornull(p.dossiers[i].code), "procedure_code",
				   ts_json_strornull(p.dossiers[i].procedure_code), "procedure_name",
				   ts_json_strornull(p.dossiers[i].procedure_name), "applicant_name",
				   ts_json_strornull(p.dossiers[i].applicant_name), "applicant_phone",
				   ts_json_strornull(p.dossiers[i].applicant_phone), "status",
				   p.dossiers[i].status, "status_name",
				   ts_dossier_status_name(p.dossiers[i].status), "submitted_at",
				   ts_or_null(p.dossiers[i].submitted_at)));
	return reply(call, 200,
		     json_pack("{s:b, s:I, s:o, s:o, s:o, s:o, s:o}", "found", 1, "account_id",
			       (json_int_t)p.account_id, "kind", ts_json_strornull(p.kind),
			       "full_name", ts_json_strornull(p.full_name), "phone",
			       ts_json_strornull(p.phone), "email", ts_json_strornull(p.email),
			       "dossiers", arr),
		     err);
}

/* GET /api/v1/dossiers/{code}/views: who looked at the applicant's own dossier and when
 * (officers: name and unit; API clients: name). Applicant only; 404 for anyone else. */
int ts_dossier_http_views(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier_view *v = NULL;
	int n = 0, rc;
	json_t *items;

	if ((rc = ts_dossier_views(call->ctx, call->params[0], &v, &n, err)))
		return rc;
	if (!(items = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < n; i++)
		json_array_append_new(items, json_pack("{s:I, s:o, s:o, s:o}", "at", (json_int_t)v[i].at,
						       "name", ts_json_strornull(v[i].name), "unit",
						       ts_json_strornull(v[i].unit), "api_client",
						       ts_json_strornull(v[i].client)));
	return reply(call, 200, json_pack("{s:s, s:o}", "code", call->params[0], "items", items), err);
}
