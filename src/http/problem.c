/* problem.c - response helpers: JSON bodies, extra headers and the one error shape that
 * leaves the server, application/problem+json (RFC 9457) built from base/err.h. Called on
 * server threads; every function touches only its own request, so they are thread-safe. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define JSON_TYPE "application/json; charset=utf-8"
#define PROBLEM_TYPE "application/problem+json"

/* Serialises v compactly into the arena; NULL on failure. v is not stolen. */
/* Most answers fit in this much: they are encoded once, straight into it; a longer one is
 * encoded a second time into a buffer of its size (json_dumpb reports the size it needs). */
#define DUMP_GUESS 8192

static char *dump_to_arena(struct ts_arena *a, const json_t *v, size_t *len)
{
	const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	char *buf = ts_arena_alloc(a, DUMP_GUESS);
	if (!buf)
		return NULL;
	size_t n = json_dumpb(v, buf, DUMP_GUESS - 1, flags);
	if (n == 0)
		return NULL;
	if (n > DUMP_GUESS - 1) {
		if (!(buf = ts_arena_alloc(a, n + 1)) || json_dumpb(v, buf, n, flags) != n)
			return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

void ts_http_resp_json(struct ts_http_resp *resp, int status, const char *json, size_t len)
{
	resp->status = status;
	resp->content_type = JSON_TYPE;
	resp->body = json;
	resp->body_len = len;
}

int ts_http_reply(struct ts_call *call, int status, json_t *v)
{
	int rc = TS_ERR_NOMEM;
	size_t len = 0;
	if (!v)
		goto out;
	char *s = dump_to_arena(call->req->arena, v, &len);
	if (!s)
		goto out;
	ts_http_resp_json(call->resp, status, s, len);
	rc = 0;
out:
	json_decref(v);
	return rc;
}

int ts_http_resp_header(struct ts_http_req *r, struct ts_http_resp *resp, const char *name,
			const char *value)
{
	/* a CR or LF would let a value forge headers of its own */
	if (!name || !value || !*name || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return TS_ERR_INTERNAL;
	if (resp->nheaders >= (int)(sizeof(resp->headers) / sizeof(resp->headers[0])))
		return TS_ERR_INTERNAL;
	const char *n = ts_arena_strdup(r->arena, name);
	const char *v = ts_arena_strdup(r->arena, value);
	if (!n || !v)
		return TS_ERR_NOMEM;
	resp->headers[resp->nheaders].name = n;
	resp->headers[resp->nheaders].value = v;
	resp->nheaders++;
	return 0;
}

/* Adds (name, value) unless a header of that name is already set; static strings only. */
static void header_default(struct ts_http_resp *resp, const char *name, const char *value)
{
	for (int i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return;
	if (resp->nheaders < (int)(sizeof(resp->headers) / sizeof(resp->headers[0]))) {
		resp->headers[resp->nheaders].name = name;
		resp->headers[resp->nheaders].value = value;
		resp->nheaders++;
	}
}

/* Used when even the problem document cannot be built (arena full): static, still valid. */
static const char fallback_body[] =
    "{\"type\":\"/problems/out_of_memory\",\"title\":\"Hệ thống tạm thời quá tải, vui lòng "
    "thử lại sau\",\"status\":503,\"code\":\"out_of_memory\"}";

void ts_http_problem(struct ts_http_req *r, struct ts_http_resp *resp, const struct ts_error *err)
{
	int code = err && err->code ? err->code : TS_ERR_INTERNAL;
	int status = ts_err_status(code);
	const char *mcode = ts_err_code(code);
	const char *title = ts_err_title(code);
	const char *detail = err && err->detail[0] ? err->detail : title;
	char type[96];
	snprintf(type, sizeof(type), "/problems/%s", mcode);

	json_t *o = json_object();
	size_t len = 0;
	char *s = NULL;
	if (!o)
		goto out;
	/* json_*_nocheck would skip UTF-8 validation: a detail built from user input could then
	 * produce invalid JSON, so the checked setters are used and failures fall back below */
	int bad = json_object_set_new(o, "type", json_string(type));
	bad |= json_object_set_new(o, "title", json_string(title));
	bad |= json_object_set_new(o, "status", json_integer(status));
	bad |= json_object_set_new(o, "code", json_string(mcode));
	json_t *jd = json_string(detail);
	bad |= json_object_set_new(o, "detail", jd ? jd : json_string(title));
	if (err && err->field[0]) {
		json_t *jf = json_string(err->field);
		if (jf)
			bad |= json_object_set_new(o, "field", jf);
	}
	if (r && r->path) {
		json_t *ji = json_string(r->path);
		if (ji)
			bad |= json_object_set_new(o, "instance", ji);
	}
	if (r && r->request_id)
		bad |= json_object_set_new(o, "request_id", json_string(r->request_id));
	if (bad || !r)
		goto out;
	s = dump_to_arena(r->arena, o, &len);
out:
	json_decref(o);
	resp->status = status;
	resp->content_type = PROBLEM_TYPE;
	if (s) {
		resp->body = s;
		resp->body_len = len;
	} else {
		resp->status = 503;
		resp->body = fallback_body;
		resp->body_len = sizeof(fallback_body) - 1;
	}
	/* RFC 9110: a 401 must say which scheme; Bearer makes browsers show no login dialog */
	if (resp->status == 401)
		header_default(resp, "WWW-Authenticate", "Bearer realm=\"tinhso\"");
	else if (resp->status == 429 || resp->status == 503)
		header_default(resp, "Retry-After", resp->status == 429 ? "60" : "5");
}
