/* identity_http.c - identity lookup and the "population data used" mark of a dossier.
 * Thin adapter over identity.c. */
#include <stdint.h>

#include "dvcqg/identity.h"
#include "http/http.h"

static const struct ts_json_field lookup_fields[] = {
    {.name = "personal_id", .type = TS_J_STRING, .flags = TS_J_REQUIRED | TS_J_SECRET, .min = 12,
     .max = 12, .label = "Số định danh cá nhân", .example = "001190000123"},
};
const struct ts_json_spec ts_identity_spec_lookup = TS_JSON_SPEC("IdentityLookup", lookup_fields);

int ts_identity_http_lookup(struct ts_call *call, struct ts_error *err)
{
	json_t *v = NULL;
	int rc = ts_identity_lookup(call->ctx, ts_json_str(call->body, "personal_id"), &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}

int ts_identity_http_mark(struct ts_call *call, struct ts_error *err)
{
	json_t *v = NULL;
	int rc = ts_identity_mark(call->ctx, call->nparams ? call->params[0] : "", &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}

int ts_identity_http_marked(struct ts_call *call, struct ts_error *err)
{
	json_t *v = NULL;
	int rc = ts_identity_marked(call->ctx, call->nparams ? call->params[0] : "", &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}
