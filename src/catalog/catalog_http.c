/* catalog_http.c - thin HTTP adapter of the procedure catalogue: query parsing, the import
 * request spec, JSON and CSV rendering. No rule is decided here; routes and permissions
 * (PUBLIC reads, CATALOG_WRITE import) live in app/routes.c. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "catalog/catalog.h"
#include "http/http.h"

static const struct ts_json_field import_fields[] = {
    {.name = "procedures",
     .type = TS_J_ARRAY,
     .flags = TS_J_REQUIRED,
     .min = 0,
     .max = TS_CATALOG_IMPORT_MAX,
     .item_type = TS_J_OBJECT,
     .label = "Danh sách thủ tục",
     .example = NULL},
};
const struct ts_json_spec ts_catalog_spec_import = TS_JSON_SPEC("CatalogImport", import_fields);

/* Decimal digits only, 1..max_digits of them. */
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

static int reply(struct ts_call *call, int status, json_t *v, struct ts_error *err)
{
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, status, v);
}

static const char *online_name(int level)
{
	return level == 2 ? "full" : level == 1 ? "partial" : NULL;
}

/* GET /api/v1/procedures?q=&field=&unit=&limit=&offset= */
int ts_catalog_http_search(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	struct ts_catalog_filter f = {0};
	const char *unit = ts_http_query_get(r, "unit"), *limit = ts_http_query_get(r, "limit");
	const char *offset = ts_http_query_get(r, "offset");
	struct ts_catalog_hit *hits = NULL;
	int64_t total = 0, v;
	int n = 0, rc;
	json_t *items;

	f.q = ts_http_query_get(r, "q");
	f.field = ts_http_query_get(r, "field");
	if (unit && *unit) {
		if (parse_num(unit, 18, &f.unit_id) || f.unit_id < 1)
			return ts_error_set(err, TS_ERR_VALIDATION, "unit",
					    "Đơn vị phải là mã số đơn vị (số nguyên dương)");
	}
	if (limit && *limit) {
		if (parse_num(limit, 4, &v) || v < 1 || v > TS_CATALOG_SEARCH_MAX)
			return ts_error_set(err, TS_ERR_VALIDATION, "limit",
					    "Số dòng mỗi trang phải từ 1 đến %d",
					    TS_CATALOG_SEARCH_MAX);
		f.limit = (int)v;
	}
	if (offset && *offset) {
		if (parse_num(offset, 9, &v))
			return ts_error_set(err, TS_ERR_VALIDATION, "offset",
					    "Vị trí bắt đầu phải là số nguyên không âm");
		f.offset = (int)v;
	}
	if ((rc = ts_catalog_search(call->ctx, &f, &hits, &n, &total, err)))
		return rc;
	if (!(items = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < n; i++) {
		const struct ts_catalog_hit *h = &hits[i];
		if (json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:i}", "id",
				  (json_int_t)h->id, "code", h->code, "name", h->name, "field",
				  ts_json_strornull(h->field_name), "field_code",
				  ts_json_strornull(h->field_code), "online_level",
				  ts_json_strornull(online_name(h->online_level)), "version_id",
				  (json_int_t)h->version_id, "rank", h->rank))) {
			json_decref(items);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	}
	return reply(call, 200,
		     json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total,
			       "limit", f.limit ? f.limit : 20, "offset", f.offset),
		     err);
}

/* GET /api/v1/procedure-fields -> {items:[{name, code, count}]} */
int ts_catalog_http_fields(struct ts_call *call, struct ts_error *err)
{
	struct ts_catalog_field *f = NULL;
	int n = 0, rc;
	json_t *items;

	if ((rc = ts_catalog_fields(call->ctx, &f, &n, err)))
		return rc;
	if (!(items = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < n; i++)
		if (json_array_append_new(items, json_pack("{s:s, s:o, s:I}", "name", f[i].name, "code",
							    ts_json_strornull(f[i].code), "count",
							    (json_int_t)f[i].count))) {
			json_decref(items);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
	return reply(call, 200, json_pack("{s:o}", "items", items), err);
}

/* GET /api/v1/procedures/export?format=json|csv */
int ts_catalog_http_export(struct ts_call *call, struct ts_error *err)
{
	const char *format = ts_http_query_get(call->req, "format");
	int rc;

	if (!format || !*format || strcmp(format, "json") == 0) {
		json_t *doc;
		if ((rc = ts_catalog_export_json(call->ctx, &doc, err)))
			return rc;
		return reply(call, 200, json_incref(doc), err);
	}
	if (strcmp(format, "csv") == 0) {
		char *text;
		size_t len;
		if ((rc = ts_catalog_export_csv(call->ctx, &text, &len, err)))
			return rc;
		if ((rc = ts_http_resp_header(call->req, call->resp, "Content-Disposition",
					      "attachment; filename=\"thu-tuc.csv\"")))
			return ts_error_set(err, rc, NULL, NULL);
		call->resp->status = 200;
		call->resp->content_type = "text/csv; charset=utf-8";
		call->resp->body = text;
		call->resp->body_len = len;
		return 0;
	}
	return ts_error_set(err, TS_ERR_VALIDATION, "format",
			    "Định dạng phải là \"json\" hoặc \"csv\"");
}

/* GET /api/v1/procedures/{code} (the current version with variants, documents, units) */
int ts_catalog_http_get(struct ts_call *call, struct ts_error *err)
{
	json_t *o;
	int rc;

	if (call->nparams < 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Thiếu mã thủ tục");
	if (strcmp(call->params[0], "export") ==
	    0) /* in case the route table matches {code} first */
		return ts_catalog_http_export(call, err);
	if ((rc = ts_catalog_get(call->ctx, call->params[0], &o, err)))
		return rc;
	return reply(call, 200, json_incref(o), err);
}

/* GET /api/v1/procedures/{code}/versions (the version history, newest first) */
int ts_catalog_http_versions(struct ts_call *call, struct ts_error *err)
{
	json_t *o;
	int rc;

	if (call->nparams < 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Thiếu mã thủ tục");
	if ((rc = ts_catalog_versions(call->ctx, call->params[0], &o, err)))
		return rc;
	return reply(call, 200, json_incref(o), err);
}

/* GET /api/v1/procedure-versions/{id} (any version, also closed ones) */
int ts_catalog_http_version_get(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	json_t *o;
	int rc;

	if (call->nparams < 1 || parse_num(call->params[0], 18, &id) || id < 1)
		return ts_error_set(err, TS_ERR_VALIDATION, "id",
				    "Mã số phiên bản phải là một số nguyên dương");
	if ((rc = ts_catalog_version_get(call->ctx, id, &o, err)))
		return rc;
	return reply(call, 200, json_incref(o), err);
}

/* POST /api/v1/procedures/import {"procedures":[...]} -> 200 {created, versioned, unchanged} */
int ts_catalog_http_import(struct ts_call *call, struct ts_error *err)
{
	int created = 0, versioned = 0, unchanged = 0, rc;

	if (!call->body)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung yêu cầu");
	if ((rc = ts_catalog_import_json(call->ctx, call->body, &created, &versioned, &unchanged,
					 err)))
		return rc;
	return reply(call, 200,
		     json_pack("{s:i, s:i, s:i}", "created", created, "versioned", versioned,
			       "unchanged", unchanged),
		     err);
}

/* POST /api/v1/procedures/import.csv (text/csv, the export's columns) -> as the JSON import */
int ts_catalog_http_import_csv(struct ts_call *call, struct ts_error *err)
{
	int created = 0, versioned = 0, unchanged = 0, rc;

	if (!call->req->body || call->req->body_len == 0)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL, "Thiếu nội dung tệp CSV");
	if ((rc = ts_catalog_import_csv(call->ctx, call->req->body, call->req->body_len, &created,
					&versioned, &unchanged, err)))
		return rc;
	return reply(call, 200,
		     json_pack("{s:i, s:i, s:i}", "created", created, "versioned", versioned,
			       "unchanged", unchanged),
		     err);
}
