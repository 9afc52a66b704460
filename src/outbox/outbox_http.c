/* outbox_http.c - the admin API of the outbox (permission outbox.manage): health, list and read
 * messages, retry a dead letter, replay a delivered message. Thin adapter over outbox.c. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "iam/iam.h"
#include "outbox/outbox.h"

/* A decimal id >= 0, or -1. */
static int64_t parse_id(const char *s)
{
	char *end;
	long long v;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end || v < 0 ? -1 : (int64_t)v;
}

static int path_id(struct ts_call *call, int64_t *id, struct ts_error *err)
{
	*id = call->nparams > 0 ? parse_id(call->params[0]) : -1;
	if (*id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy thông điệp");
	return 0;
}

static int query_int(struct ts_call *call, const char *name, int64_t def, int64_t *out,
		     struct ts_error *err)
{
	const char *s = ts_http_query_get(call->req, name);
	*out = def;
	if (!s || !*s)
		return 0;
	*out = parse_id(s);
	if (*out < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, name,
				    "Tham số \"%s\" phải là số nguyên không âm", name);
	return 0;
}

int ts_outbox_http_list(struct ts_call *call, struct ts_error *err)
{
	int64_t after, limit;
	json_t *v = NULL;
	int rc;

	if ((rc = query_int(call, "after", 0, &after, err)) ||
	    (rc = query_int(call, "limit", 50, &limit, err)))
		return rc;
	if (limit > 200)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit", "Tối đa 200 dòng mỗi trang");
	rc = ts_outbox_list(call->ctx->db, call->req->arena, ts_http_query_get(call->req, "status"),
			    ts_http_query_get(call->req, "key"), ts_http_query_get(call->req, "topic"),
			    after, (int)limit, &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}

int ts_outbox_http_get(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	json_t *v = NULL;
	int rc = path_id(call, &id, err);
	if (!rc)
		rc = ts_outbox_get(call->ctx->db, call->req->arena, id, &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}

int ts_outbox_http_retry(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	json_t *v = NULL;
	int rc = path_id(call, &id, err);
	if (!rc)
		rc = ts_outbox_retry(call->ctx, id, err);
	if (!rc)
		rc = ts_outbox_get(call->ctx->db, call->req->arena, id, &v, err);
	return rc ? rc : ts_http_reply(call, 200, v);
}

int ts_outbox_http_replay(struct ts_call *call, struct ts_error *err)
{
	int64_t id, new_id = 0;
	json_t *v = NULL;
	int rc = path_id(call, &id, err);
	if (!rc)
		rc = ts_outbox_replay(call->ctx, id, &new_id, err);
	if (!rc)
		rc = ts_outbox_get(call->ctx->db, call->req->arena, new_id, &v, err);
	return rc ? rc : ts_http_reply(call, 201, v);
}

/* The health of the integrations for the admin page: the same reading as /metrics. */
int ts_outbox_http_health(struct ts_call *call, struct ts_error *err)
{
	struct ts_outbox_health h;
	json_t *v;
	int rc = ts_outbox_health(call->ctx->db, call->req->arena, &h, err);
	if (rc)
		return rc;
	if (!(v = ts_outbox_health_json(&h)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, 200, v);
}
