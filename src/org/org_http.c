/* org_http.c - thin HTTP adapter of the organisation tree: request specs, path and query
 * parsing, calls into org.c and JSON rendering. No rule is decided here; routes, their
 * permissions (PUBLIC reads, ORG_WRITE writes) and body validation live in app/. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "http/http.h"
#include "org/org.h"

/* ---- request specs ----------------------------------------------------------------- */

static const char *const kind_names[] = {
#define X(n, s, vi) s,
    TS_UNIT_KIND_TABLE(X)
#undef X
	NULL};

static const struct ts_json_field unit_create_fields[] = {
    {.name = "code",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 1,
     .max = TS_ORG_CODE_MAX,
     .label = "Mã định danh đơn vị",
     .example = "000.00.12.H99"},
    {.name = "name",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .min = 1,
     .max = 255,
     .label = "Tên đơn vị",
     .example = "Sở Tư pháp"},
    {.name = "short_name",
     .type = TS_J_STRING,
     .flags = TS_J_NULLABLE,
     .min = 0,
     .max = 50,
     .label = "Tên viết tắt",
     .example = "STP"},
    {.name = "kind",
     .type = TS_J_STRING,
     .flags = TS_J_REQUIRED,
     .enum_values = kind_names,
     .label = "Loại đơn vị",
     .example = "department"},
    {.name = "parent_id",
     .type = TS_J_INT,
     .flags = TS_J_NULLABLE,
     .min = 1,
     .max = INT64_MAX,
     .label = "Đơn vị cấp trên",
     .example = "1"},
    {.name = "valid_from",
     .type = TS_J_STRING,
     .flags = TS_J_NULLABLE,
     .min = 10,
     .max = 10,
     .label = "Ngày bắt đầu hoạt động",
     .example = "2025-07-01"},
};
const struct ts_json_spec ts_org_spec_unit_create = TS_JSON_SPEC("UnitCreate", unit_create_fields);

static const struct ts_json_field unit_update_fields[] = {
    {.name = "version",
     .type = TS_J_INT,
     .flags = TS_J_REQUIRED,
     .min = 1,
     .max = INT64_MAX,
     .label = "Phiên bản đã đọc",
     .example = "1"},
    {.name = "name",
     .type = TS_J_STRING,
     .flags = 0,
     .min = 1,
     .max = 255,
     .label = "Tên đơn vị",
     .example = "Sở Tư pháp"},
    {.name = "short_name",
     .type = TS_J_STRING,
     .flags = TS_J_NULLABLE,
     .min = 0,
     .max = 50,
     .label = "Tên viết tắt",
     .example = "STP"},
    {.name = "kind",
     .type = TS_J_STRING,
     .flags = 0,
     .enum_values = kind_names,
     .label = "Loại đơn vị",
     .example = "department"},
    {.name = "parent_id",
     .type = TS_J_INT,
     .flags = TS_J_NULLABLE,
     .min = 1,
     .max = INT64_MAX,
     .label = "Đơn vị cấp trên (null: đơn vị gốc)",
     .example = "1"},
    {.name = "valid_to",
     .type = TS_J_STRING,
     .flags = TS_J_NULLABLE,
     .min = 10,
     .max = 10,
     .label = "Ngày thôi hoạt động",
     .example = "2025-07-01"},
    {.name = "successor_id",
     .type = TS_J_INT,
     .flags = TS_J_NULLABLE,
     .min = 1,
     .max = INT64_MAX,
     .label = "Đơn vị kế thừa",
     .example = "2"},
};
const struct ts_json_spec ts_org_spec_unit_update = TS_JSON_SPEC("UnitUpdate", unit_update_fields);

/* ---- parsing ----------------------------------------------------------------------- */

/* Decimal digits only, 1..max_digits of them, value >= min. */
static int parse_num(const char *s, int max_digits, int64_t min, int64_t *out)
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
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

static int path_id(struct ts_call *call, int64_t *id, struct ts_error *err)
{
	if (call->nparams < 1 || parse_num(call->params[0], 18, 1, id))
		return ts_error_set(err, TS_ERR_VALIDATION, "id",
				    "Mã số đơn vị phải là một số nguyên dương");
	return 0;
}

/* ---- rendering --------------------------------------------------------------------- */

static json_t *int_or_null(int64_t v)
{
	return v > 0 ? json_integer((json_int_t)v) : json_null();
}

/* {id, code, name, short_name, kind, kind_title, parent_id, valid_from, valid_to,
 *  successor_id, version, created_at, updated_at[, children_count][, depth]} */
static json_t *unit_json(const struct ts_unit *u, int with_depth)
{
	json_t *o = json_object();
	int bad = !o;

	if (bad)
		return NULL;
	bad |= json_object_set_new(o, "id", json_integer((json_int_t)u->id));
	bad |= json_object_set_new(o, "code", ts_json_strornull(u->code));
	bad |= json_object_set_new(o, "name", ts_json_strornull(u->name));
	bad |= json_object_set_new(o, "short_name", ts_json_strornull(u->short_name));
	bad |= json_object_set_new(o, "kind", ts_json_strornull(ts_org_kind_name(u->kind)));
	bad |= json_object_set_new(o, "kind_title", ts_json_strornull(ts_org_kind_title(u->kind)));
	bad |= json_object_set_new(o, "parent_id", int_or_null(u->parent_id));
	bad |= json_object_set_new(o, "valid_from", ts_json_strornull(u->valid_from));
	bad |= json_object_set_new(o, "valid_to", ts_json_strornull(u->valid_to));
	bad |= json_object_set_new(o, "successor_id", int_or_null(u->successor_id));
	bad |= json_object_set_new(o, "version", json_integer((json_int_t)u->version));
	bad |= json_object_set_new(o, "created_at", json_integer((json_int_t)u->created_at));
	bad |= json_object_set_new(o, "updated_at", json_integer((json_int_t)u->updated_at));
	if (u->children_count >= 0)
		bad |= json_object_set_new(o, "children_count",
					   json_integer((json_int_t)u->children_count));
	if (with_depth)
		bad |= json_object_set_new(o, "depth", json_integer(u->depth));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A short reference to a related unit, or null when there is none. */
static json_t *unit_summary_json(const struct ts_unit *u)
{
	json_t *o;

	if (!u->id || !u->code)
		return json_null();
	o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)u->id, "code", u->code,
		      "name", u->name ? u->name : "", "short_name",
		      ts_json_strornull(u->short_name), "kind",
		      ts_json_strornull(ts_org_kind_name(u->kind)), "valid_to",
		      ts_json_strornull(u->valid_to));
	return o;
}

static json_t *units_array(const struct ts_unit *items, int n, int with_depth)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (json_array_append_new(arr, unit_json(&items[i], with_depth))) {
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

/* Reads unit id with parent and successor and replies with its full representation. */
static int reply_unit(struct ts_call *call, int status, int64_t id, struct ts_error *err)
{
	struct ts_unit u = {0}, parent = {0}, successor = {0};
	json_t *o;
	int rc = ts_org_unit_get(call->ctx, id, &u, &parent, &successor, err);

	if (rc)
		return rc;
	if (!(o = unit_json(&u, 0)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if (json_object_set_new(o, "parent", unit_summary_json(&parent)) ||
	    json_object_set_new(o, "successor", unit_summary_json(&successor))) {
		json_decref(o);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	return reply(call, status, o, err);
}

/* ---- handlers ---------------------------------------------------------------------- */

/* GET /api/v1/units?parent=<id>|root&kind=&q=&at=&limit=&offset= */
int ts_org_http_units_list(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	struct ts_unit_filter f = {.parent_mode = TS_UNIT_PARENT_ANY, .kind = -1};
	const char *parent = ts_http_query_get(r, "parent");
	const char *kind = ts_http_query_get(r, "kind");
	const char *limit = ts_http_query_get(r, "limit");
	const char *offset = ts_http_query_get(r, "offset");
	struct ts_unit *items = NULL;
	int64_t total = 0, v;
	int n = 0, rc;
	json_t *o;

	if (parent && *parent) {
		if (strcmp(parent, "root") == 0) {
			f.parent_mode = TS_UNIT_PARENT_ROOTS;
		} else if (parse_num(parent, 18, 1, &f.parent_id) == 0) {
			f.parent_mode = TS_UNIT_PARENT_ID;
		} else {
			return ts_error_set(err, TS_ERR_VALIDATION, "parent",
					    "Đơn vị cấp trên phải là mã số đơn vị hoặc \"root\"");
		}
	}
	if (kind && *kind && (f.kind = ts_org_kind_parse(kind)) < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "kind",
				    "Loại đơn vị \"%s\" không hợp lệ", kind);
	if (limit && *limit) {
		if (parse_num(limit, 4, 1, &v) || v > TS_ORG_LIST_MAX)
			return ts_error_set(err, TS_ERR_VALIDATION, "limit",
					    "Số dòng mỗi trang phải từ 1 đến %d", TS_ORG_LIST_MAX);
		f.limit = (int)v;
	}
	if (offset && *offset) {
		if (parse_num(offset, 9, 0, &v))
			return ts_error_set(err, TS_ERR_VALIDATION, "offset",
					    "Vị trí bắt đầu phải là số nguyên không âm");
		f.offset = (int)v;
	}
	f.q = ts_http_query_get(r, "q");
	f.at = ts_http_query_get(r, "at");
	if (f.at && !*f.at)
		f.at = NULL;
	if ((rc = ts_org_unit_list(call->ctx, &f, &items, &n, &total, err)))
		return rc;
	o = json_pack("{s:o, s:I, s:i, s:i}", "items", units_array(items, n, 0), "total",
		      (json_int_t)total, "limit", f.limit ? f.limit : 50, "offset", f.offset);
	return reply(call, 200, o, err);
}

/* GET /api/v1/units/{id} */
int ts_org_http_unit_get(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	int rc;

	if ((rc = path_id(call, &id, err)))
		return rc;
	return reply_unit(call, 200, id, err);
}

/* GET /api/v1/units/{id}/subtree?at= */
int ts_org_http_unit_subtree(struct ts_call *call, struct ts_error *err)
{
	const char *at = ts_http_query_get(call->req, "at");
	struct ts_unit *items = NULL;
	int64_t id;
	int n = 0, rc;
	json_t *o;

	if ((rc = path_id(call, &id, err)))
		return rc;
	if (at && !*at)
		at = NULL;
	if ((rc = ts_org_unit_subtree(call->ctx, id, at, &items, &n, err)))
		return rc;
	o = json_pack("{s:I, s:o, s:o}", "root_id", (json_int_t)id, "at", ts_json_strornull(at),
		      "items", units_array(items, n, 1));
	return reply(call, 200, o, err);
}

/* POST /api/v1/units -> 201 with the unit and a Location header */
int ts_org_http_unit_create(struct ts_call *call, struct ts_error *err)
{
	const json_t *b = call->body;
	struct ts_unit_new in = {0};
	const char *kind;
	char loc[64];
	int64_t id = 0;
	int rc;

	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	kind = ts_json_str(b, "kind");
	in.code = ts_json_str(b, "code");
	in.name = ts_json_str(b, "name");
	in.short_name = ts_json_str(b, "short_name");
	in.kind = ts_org_kind_parse(kind);
	in.parent_id = ts_json_int(b, "parent_id", 0);
	in.valid_from = ts_json_str(b, "valid_from");
	if (in.kind < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "kind", "Loại đơn vị không hợp lệ");
	if ((rc = ts_org_unit_create(call->ctx, &in, &id, err)))
		return rc;
	snprintf(loc, sizeof(loc), "/api/v1/units/%lld", (long long)id);
	if ((rc = ts_http_resp_header(call->req, call->resp, "Location", loc)))
		return ts_error_set(err, rc, NULL, NULL);
	return reply_unit(call, 201, id, err);
}

/* PATCH /api/v1/units/{id}: version required; absent fields stay, null clears
 * (parent_id null: becomes a root; valid_to null: reopens; successor_id null: none). */
int ts_org_http_unit_update(struct ts_call *call, struct ts_error *err)
{
	const json_t *b = call->body;
	struct ts_unit_update in = {0};
	int64_t id;
	int rc;

	if ((rc = path_id(call, &id, err)))
		return rc;
	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	in.version = ts_json_int(b, "version", 0);
	if (json_object_get(b, "name")) {
		in.set |= TS_UNIT_SET_NAME;
		in.name = ts_json_str(b, "name");
	}
	if (json_object_get(b, "short_name")) {
		in.set |= TS_UNIT_SET_SHORT_NAME;
		in.short_name = ts_json_str(b, "short_name");
	}
	if (json_object_get(b, "kind")) {
		in.set |= TS_UNIT_SET_KIND;
		if ((in.kind = ts_org_kind_parse(ts_json_str(b, "kind"))) < 0)
			return ts_error_set(err, TS_ERR_VALIDATION, "kind",
					    "Loại đơn vị không hợp lệ");
	}
	if (json_object_get(b, "parent_id")) {
		in.set |= TS_UNIT_SET_PARENT;
		in.parent_id = ts_json_int(b, "parent_id", 0);
	}
	if (json_object_get(b, "valid_to")) {
		in.set |= TS_UNIT_SET_VALID_TO;
		in.valid_to = ts_json_str(b, "valid_to");
	}
	if (json_object_get(b, "successor_id")) {
		in.set |= TS_UNIT_SET_SUCCESSOR;
		in.successor_id = ts_json_int(b, "successor_id", 0);
	}
	if ((rc = ts_org_unit_update(call->ctx, id, &in, NULL, err)))
		return rc;
	return reply_unit(call, 200, id, err);
}
