/* flow_http.c - thin HTTP adapter of workflows: the publish request spec, turning its steps
 * into a struct ts_flow, and rendering. Checks and storage are in flow.c; routes and their
 * permissions (DOSSIER_READ to list, FLOW_WRITE to publish) in app/routes.c. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "flow/flow.h"
#include "http/http.h"

static const char *const kind_values[] = {
#define X(n, s, vi) s,
    TS_STEP_KIND_TABLE(X)
#undef X
    NULL};
static const char *const role_values[] = {
#define X(n, s, vi) s,
    TS_ROLE_TABLE(X)
#undef X
    NULL};
static const char *const unit_values[] = {"receiving", "competent", "absolute", NULL};

static const struct ts_json_field step_fields[] = {
    {.name = "kind", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .enum_values = kind_values,
     .label = "Loại bước", .example = "process"},
    {.name = "role", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .enum_values = role_values,
     .label = "Vai trò thực hiện", .example = "specialist"},
    {.name = "unit", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .enum_values = unit_values,
     .label = "Đơn vị thực hiện (nơi tiếp nhận, cơ quan có thẩm quyền hoặc đơn vị cố định)",
     .example = "competent"},
    {.name = "unit_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 1, .max = INT64_MAX,
     .label = "Đơn vị cố định"},
    {.name = "hours", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 0, .max = 100000,
     .label = "Thời gian được giao (giờ làm việc)", .example = "16"},
};
static const struct ts_json_spec step_spec = TS_JSON_SPEC("FlowStep", step_fields);

static const struct ts_json_field publish_fields[] = {
    {.name = "variant_code", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 64,
     .label = "Trường hợp (bỏ trống: mọi trường hợp)"},
    {.name = "unit_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 1, .max = INT64_MAX,
     .label = "Cơ quan áp dụng (bỏ trống: mọi cơ quan)"},
    {.name = "steps", .type = TS_J_ARRAY, .flags = TS_J_REQUIRED, .min = 1,
     .max = TS_FLOW_MAX_STEPS, .sub = &step_spec, .item_type = TS_J_OBJECT,
     .label = "Các bước"},
};
const struct ts_json_spec ts_flow_spec_publish = TS_JSON_SPEC("FlowPublish", publish_fields);

/* GET /api/v1/procedures/{code}/flows */
int ts_flow_http_list(struct ts_call *call, struct ts_error *err)
{
	json_t *arr;
	int rc;

	if (call->nparams < 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Thiếu mã thủ tục");
	if ((rc = ts_flow_list(call->ctx, call->params[0], &arr, err)))
		return rc;
	return ts_http_reply(call, 200, json_pack("{s:s, s:O}", "procedure_code", call->params[0],
						  "flows", arr));
}

/* POST /api/v1/procedures/{code}/flows {variant_code?, unit_id?, steps:[...]} -> 201 */
int ts_flow_http_publish(struct ts_call *call, struct ts_error *err)
{
	const json_t *steps = json_object_get(call->body, "steps"), *it;
	struct ts_flow_step st[TS_FLOW_MAX_STEPS];
	struct ts_flow f = {.version_id = 0, .nsteps = 0, .steps = st};
	struct ts_flow_published pub;
	size_t i;
	int rc;

	if (call->nparams < 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Thiếu mã thủ tục");
	json_array_foreach(steps, i, it)
	{
		const char *unit = ts_json_str(it, "unit");
		st[i] = (struct ts_flow_step){
		    .ord = (int)i + 1,
		    .kind = ts_step_kind_parse(ts_json_str(it, "kind")),
		    .role = ts_role_parse(ts_json_str(it, "role")),
		    .unit_rel = strcmp(unit, "receiving") == 0   ? TS_STEP_UNIT_RECEIVING
				: strcmp(unit, "competent") == 0 ? TS_STEP_UNIT_COMPETENT
								 : TS_STEP_UNIT_ABSOLUTE,
		    .unit_id = ts_json_int(it, "unit_id", 0),
		    .hours = ts_json_int(it, "hours", 0)};
		f.nsteps++;
	}
	if ((rc = ts_flow_publish(call->ctx, call->params[0], ts_json_str(call->body, "variant_code"),
				  ts_json_int(call->body, "unit_id", 0), &f, &pub, err)))
		return rc;
	return ts_http_reply(
	    call, 201,
	    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "procedure_code", call->params[0],
		      "variant_id", (json_int_t)pub.variant_id, "unit_id",
		      (json_int_t)ts_json_int(call->body, "unit_id", 0), "version_id",
		      (json_int_t)pub.version_id, "version", (json_int_t)pub.version, "legal_hours",
		      (json_int_t)pub.legal_hours, "steps", ts_flow_steps_json(&f)));
}
