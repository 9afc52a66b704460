/* notify_http.c - administration of the notification templates (permission outbox.manage).
 * Thin adapter over notify.c. */
#include <stdint.h>

#include "http/http.h"
#include "iam/iam.h"
#include "outbox/notify.h"

static const struct ts_json_field template_fields[] = {
    {.name = "subject", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 300,
     .label = "Tiêu đề (thư điện tử)", .example = "Hồ sơ {code} đã được tiếp nhận"},
    {.name = "body", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 2000,
     .label = "Nội dung", .example = "Kính gửi {name}: hồ sơ {code} đã được tiếp nhận, hẹn trả {due}."},
};
const struct ts_json_spec ts_notify_spec_template = TS_JSON_SPEC("NotifyTemplate", template_fields);

int ts_notify_http_templates(struct ts_call *call, struct ts_error *err)
{
	json_t *v = NULL;
	int rc = ts_notify_templates(call->ctx->db, call->req->arena, &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}

int ts_notify_http_template_set(struct ts_call *call, struct ts_error *err)
{
	const char *event = call->nparams > 0 ? call->params[0] : NULL;
	const char *channel = call->nparams > 1 ? call->params[1] : NULL;
	int rc = ts_notify_template_set(call->ctx, event, channel, ts_json_str(call->body, "subject"),
					ts_json_str(call->body, "body"), err);
	if (rc)
		return rc;
	return ts_http_reply(call, 200, json_pack("{s:s, s:s, s:s?, s:s}", "event", event, "channel",
						  channel, "subject", ts_json_str(call->body, "subject"),
						  "body", ts_json_str(call->body, "body")));
}
