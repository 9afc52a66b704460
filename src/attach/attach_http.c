/* attach_http.c - thin HTTP adapter of attachments: opens the streamed upload (the sink the
 * server feeds multipart parts to), renders links, serves downloads from the blob file with
 * a safe Content-Type and an RFC 6266 Content-Disposition, re-use and removal. No rule is
 * decided here; routes and their permissions live in app/routes.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach/attach.h"
#include "base/json.h"
#include "http/http.h"

static const char *const kind_values[] = {"input", "result", NULL};

static const struct ts_json_field reuse_fields[] = {
    {.name = "source_id", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 1, .max = INT64_MAX,
     .label = "Tệp (liên kết) trong hồ sơ trước", .example = "12"},
    {.name = "component", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 64,
     .label = "Thành phần hồ sơ hoặc mã kết quả", .example = "TP01"},
    {.name = "kind", .type = TS_J_STRING, .enum_values = kind_values,
     .label = "input (thành phần hồ sơ) hoặc result (kết quả)", .example = "input"},
    {.name = "digitised", .type = TS_J_BOOL, .label = "Bản số hóa"},
};
const struct ts_json_spec ts_attach_spec_reuse = TS_JSON_SPEC("AttachReuse", reuse_fields);

static int parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;
	if (!s || !*s)
		return -1;
	for (int i = 0; s[i]; i++) {
		if (i >= 18 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static json_t *link_json(const struct ts_attach_link *l)
{
	const struct ts_attach_type *t = ts_attach_type_of(l->mime);
	json_t *o = json_object();
	int bad = !o;

	if (bad)
		return NULL;
	bad |= json_object_set_new(o, "id", json_integer((json_int_t)l->id));
	bad |= json_object_set_new(o, "dossier_code", ts_json_strornull(l->dossier_code));
	bad |= json_object_set_new(o, "kind", ts_json_strornull(ts_attach_kind_name(l->kind)));
	bad |= json_object_set_new(o, "component", ts_json_strornull(l->component));
	bad |= json_object_set_new(o, "name", ts_json_strornull(l->name));
	bad |= json_object_set_new(o, "size", json_integer((json_int_t)l->size));
	bad |= json_object_set_new(o, "sha256", ts_json_strornull(l->sha256));
	bad |= json_object_set_new(o, "type", ts_json_strornull(l->mime));
	bad |= json_object_set_new(o, "type_label", ts_json_strornull(t ? t->label : NULL));
	bad |= json_object_set_new(o, "scan", ts_json_strornull(l->scan));
	bad |= json_object_set_new(o, "scan_detail", ts_json_strornull(l->scan_detail));
	bad |= json_object_set_new(o, "digitised", json_boolean(l->digitised));
	bad |= json_object_set_new(o, "reused", json_boolean(l->reused));
	bad |= json_object_set_new(o, "from_datastore", json_boolean(l->from_datastore));
	bad |= json_object_set_new(o, "source_id", l->source_id > 0 ? json_integer((json_int_t)l->source_id)
								    : json_null());
	bad |= json_object_set_new(o, "source_dossier_code", ts_json_strornull(l->source_dossier_code));
	bad |= json_object_set_new(o, "added_by", ts_json_strornull(l->added_by));
	bad |= json_object_set_new(o, "created_at", json_integer((json_int_t)l->created_at));
	bad |= json_object_set_new(o, "content_url",
				   json_sprintf("/api/v1/dossiers/%s/files/%" PRId64 "/content",
						l->dossier_code ? l->dossier_code : "", l->id));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int reply(struct ts_call *call, int status, json_t *v, struct ts_error *err)
{
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, status, v);
}

static json_t *links_json(const struct ts_attach_link *items, int n)
{
	json_t *arr = json_array();
	for (int i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, link_json(&items[i]))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* ---- upload ------------------------------------------------------------------------ */

static int sink_part(void *ud, const struct ts_http_part *p, bool start, const char *data,
		     size_t len, struct ts_error *err)
{
	return ts_attach_upload_part(ud, p->name, p->filename, start, data, len, err);
}

/* POST /api/v1/dossiers/{code}/files, when the headers are in: may this actor add files to
 * this dossier at all? Then the body streams into the upload. */
int ts_attach_http_upload_open(struct ts_call *call, struct ts_error *err)
{
	struct ts_attach_upload *u = NULL;
	struct ts_http_sink *sink;
	uint64_t cap = 0;
	int rc;

	if ((rc = ts_attach_upload_begin(call->ctx, call->params[0], &u, &cap, err)))
		return rc;
	if (!(sink = ts_arena_zalloc(call->req->arena, sizeof(*sink))))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	sink->part = sink_part;
	sink->ud = u;
	sink->cap = cap;
	call->req->sink = sink;
	return 0;
}

/* ... and once the whole body is in: check, scan, store, link; answer size, type, hash. */
int ts_attach_http_upload(struct ts_call *call, struct ts_error *err)
{
	struct ts_attach_link l;
	char loc[192];
	int rc;

	if (!call->req->sink)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	if ((rc = ts_attach_upload_finish(call->req->sink->ud, &l, err)))
		return rc;
	snprintf(loc, sizeof(loc), "/api/v1/dossiers/%s/files/%" PRId64 "/content", l.dossier_code, l.id);
	if ((rc = ts_http_resp_header(call->req, call->resp, "Location", loc)))
		return ts_error_set(err, rc, NULL, NULL);
	return reply(call, 201, link_json(&l), err);
}

/* ---- reads ------------------------------------------------------------------------- */

/* GET /api/v1/dossiers/{code}/files: the links, and the declared components with the flags
 * their files set */
int ts_attach_http_list(struct ts_call *call, struct ts_error *err)
{
	struct ts_attach_link *items = NULL;
	struct ts_attach_component *comps = NULL;
	int n = 0, ncomps = 0, rc;
	json_int_t total = 0;
	json_t *carr;

	if ((rc = ts_attach_list(call->ctx, call->params[0], &items, &n, err)) ||
	    (rc = ts_attach_components(call->ctx, call->params[0], &comps, &ncomps, err)))
		return rc;
	for (int i = 0; i < n; i++)
		total += items[i].size;
	if (!(carr = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < ncomps; i++)
		if (json_array_append_new(
			carr, json_pack("{s:s, s:s, s:i, s:i, s:b, s:b, s:b}", "code", comps[i].code,
					"name", comps[i].name ? comps[i].name : "", "originals",
					comps[i].originals, "copies", comps[i].copies, "digitised",
					comps[i].digitised, "reused", comps[i].reused,
					"from_datastore", comps[i].from_datastore))) {
			json_decref(carr);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	return reply(call, 200,
		     json_pack("{s:o, s:I, s:o}", "items", links_json(items, n), "total_size", total,
			       "components", carr),
		     err);
}

/* GET /api/v1/dossiers/{code}/files/reusable */
int ts_attach_http_reusable(struct ts_call *call, struct ts_error *err)
{
	struct ts_attach_link *items = NULL;
	int n = 0, rc;

	if ((rc = ts_attach_reusable(call->ctx, call->params[0], &items, &n, err)))
		return rc;
	return reply(call, 200, json_pack("{s:o}", "items", links_json(items, n)), err);
}

/* GET /api/v1/dossiers/{code}/files/{id}/content: the bytes, as a download, never inline */
int ts_attach_http_download(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	struct ts_attach_link l;
	struct stat st;
	int64_t id;
	int fd = -1, rc;
	const char *disp;

	if (parse_id(call->params[1], &id))
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy tệp");
	if ((rc = ts_attach_open(call->ctx, call->params[0], id, &l, &fd, err)))
		return rc;
	if (fstat(fd, &st) != 0 || (int64_t)st.st_size != l.size) {
		close(fd);
		return ts_error_set(err, TS_ERR_IO, NULL, "Tệp đã lưu không khớp dung lượng ghi nhận");
	}
	call->resp->status = 200;
	call->resp->has_fd = true;
	call->resp->fd = fd;
	call->resp->fd_size = (uint64_t)l.size;
	/* the type detected on upload, which the allowed list keeps away from HTML and script */
	call->resp->content_type = l.mime;
	disp = ts_attach_disposition(r->arena, l.name);
	if (!disp || ts_http_resp_header(r, call->resp, "Content-Disposition", disp) ||
	    ts_http_resp_header(r, call->resp, "Content-Security-Policy", "default-src 'none'; sandbox") ||
	    ts_http_resp_header(r, call->resp, "Cache-Control", "private, no-store") ||
	    ts_http_resp_header(r, call->resp, "X-Content-SHA256", l.sha256))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL); /* the server closes fd */
	return 0;
}

/* ---- changes ----------------------------------------------------------------------- */

/* DELETE /api/v1/dossiers/{code}/files/{id} */
int ts_attach_http_remove(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	int rc;

	if (parse_id(call->params[1], &id))
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy tệp");
	if ((rc = ts_attach_remove(call->ctx, call->params[0], id, err)))
		return rc;
	ts_http_resp_json(call->resp, 204, NULL, 0);
	return 0;
}

/* POST /api/v1/dossiers/{code}/files/reuse */
int ts_attach_http_reuse(struct ts_call *call, struct ts_error *err)
{
	const json_t *b = call->body;
	struct ts_attach_link l;
	const char *kind;
	int rc;

	if (!b)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	kind = ts_json_str(b, "kind");
	rc = ts_attach_reuse(call->ctx, call->params[0], ts_json_int(b, "source_id", 0),
			     kind ? ts_attach_kind_parse(kind) : TS_ATTACH_INPUT,
			     ts_json_str(b, "component"), ts_json_bool(b, "digitised", false), &l, err);
	if (rc)
		return rc;
	return reply(call, 201, link_json(&l), err);
}
