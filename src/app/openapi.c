/* openapi.c - the OpenAPI 3.1 document and a readable HTML page, both generated from the
 * route table and the request specs (never written by hand beside them). */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "iam/iam.h"

static json_t *schema_of_field(const struct ts_json_field *f, enum ts_jtype type);

static json_t *schema_of_spec(const struct ts_json_spec *spec)
{
	json_t *props = json_object(), *req = json_array();
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct ts_json_field *f = &spec->fields[i];
		json_object_set_new(props, f->name, schema_of_field(f, f->type));
		if (f->flags & TS_J_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_t *s = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props, "additionalProperties", 0);
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	return s;
}

static json_t *schema_of_field(const struct ts_json_field *f, enum ts_jtype type)
{
	json_t *s = json_object();
	static const char *const names[] = {"string", "integer", "boolean", "object", "array"};
	if (f->flags & TS_J_NULLABLE)
		json_object_set_new(s, "type", json_pack("[s, s]", names[type], "null"));
	else
		json_object_set_new(s, "type", json_string(names[type]));
	if (f->label)
		json_object_set_new(s, "description", json_string(f->label));
	if (f->example)
		json_object_set_new(s, "examples", json_pack("[s]", f->example));
	if (f->flags & TS_J_SECRET)
		json_object_set_new(s, "writeOnly", json_true());
	switch (type) {
	case TS_J_STRING:
		if (f->min)
			json_object_set_new(s, "minLength", json_integer(f->min));
		json_object_set_new(s, "maxLength", json_integer(f->max ? f->max : 4096));
		if (f->enum_values) {
			json_t *e = json_array();
			for (const char *const *v = f->enum_values; *v; v++)
				json_array_append_new(e, json_string(*v));
			json_object_set_new(s, "enum", e);
		}
		break;
	case TS_J_INT:
		if (f->min || f->max) {
			json_object_set_new(s, "minimum", json_integer(f->min));
			json_object_set_new(s, "maximum", json_integer(f->max));
		}
		break;
	case TS_J_OBJECT:
		if (f->sub) {
			json_decref(s);
			return schema_of_spec(f->sub);
		}
		break;
	case TS_J_ARRAY: {
		struct ts_json_field item = *f;
		item.min = item.max = 0;
		item.label = NULL;
		item.flags = 0;
		json_object_set_new(s, "items", f->sub && f->item_type == TS_J_OBJECT ? schema_of_spec(f->sub)
										 : schema_of_field(&item, f->item_type));
		if (f->min)
			json_object_set_new(s, "minItems", json_integer(f->min));
		json_object_set_new(s, "maxItems", json_integer(f->max ? f->max : 1000));
		break;
	}
	case TS_J_BOOL:
		break;
	}
	return s;
}

static char *oapi_path(const char *pattern, json_t *params)
{
	/* "{name...}" -> "{name}"; collect parameters */
	static __thread char out[512];
	size_t o = 0;
	for (const char *p = pattern; *p && o < sizeof(out) - 1; p++) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			if (!end)
				break;
			size_t n = (size_t)(end - p - 1);
			if (n >= 3 && !strncmp(end - 3, "...", 3))
				n -= 3;
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path",
								"required", 1, "schema", "type", "string"));
			o += (size_t)snprintf(out + o, sizeof(out) - o, "{%s}", name);
			p = end;
		} else {
			out[o++] = *p;
		}
	}
	out[o < sizeof(out) ? o : sizeof(out) - 1] = '\0';
	return out;
}

json_t *ts_openapi_build(void)
{
	json_t *paths = json_object(), *schemas = json_object();
	json_t *problem = json_pack(
		"{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s}}}", "type",
		"object", "properties", "type", "type", "string", "title", "type", "string", "status", "type", "integer",
		"code", "type", "string", "description", "stable machine code (base/err.h)", "detail", "type", "string",
		"field", "type", "string", "description", "offending field, when there is one", "instance", "type",
		"string", "request_id", "type", "string");
	json_object_set_new(schemas, "Problem", problem);
	for (size_t i = 0; i < ts_nroutes; i++) {
		const struct ts_route *rt = &ts_routes[i];
		json_t *params = json_array();
		const char *path = oapi_path(rt->pattern, params);
		json_t *item = json_object_get(paths, path);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, path, item);
		}
		char method[16];
		size_t k = 0;
		for (; rt->method[k] && k < sizeof(method) - 1; k++)
			method[k] = (char)(rt->method[k] | 0x20);
		method[k] = '\0';
		json_t *op = json_pack("{s:s, s:[s], s:s, s:s}", "summary", rt->summary, "tags", rt->tag, "operationId",
				       rt->pattern, "x-permission", ts_perm_name(rt->perm));
		json_object_set_new(op, "operationId", json_sprintf("%s %s", rt->method, rt->pattern));
		if (json_array_size(params))
			json_object_set_new(op, "parameters", params);
		else
			json_decref(params);
		if (rt->spec) {
			json_object_set_new(schemas, rt->spec->name, schema_of_spec(rt->spec));
			char ref[160];
			snprintf(ref, sizeof(ref), "#/components/schemas/%s", rt->spec->name);
			json_object_set_new(op, "requestBody",
					    json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content", "application/json",
						      "schema", "$ref", ref));
		} else if (rt->flags & TS_ROUTE_CSV_BODY) {
			json_object_set_new(op, "requestBody",
					    json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content", "text/csv",
						      "schema", "type", "string"));
		}
		if (rt->flags & TS_ROUTE_STREAM)
			json_object_set_new(op, "requestBody",
					    json_pack("{s:b, s:{s:{s:{s:s, s:{s:{s:s, s:s}}}}}}", "required", 1,
						      "content", "multipart/form-data", "schema", "type", "object",
						      "properties", "file", "type", "string", "format", "binary"));
		if (rt->perm == TS_PERM_PUBLIC)
			json_object_set_new(op, "security", json_array());
		json_object_set_new(
			op, "responses",
			json_pack("{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}", "2XX", "description", "Thành công", "default",
				  "description", "Lỗi (application/problem+json)", "content", "application/problem+json",
				  "schema", "$ref", "#/components/schemas/Problem"));
		json_object_set_new(item, method, op);
	}
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:o, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
			 "openapi", "3.1.0", "info", "title", "tinhso API", "version", TS_VERSION, "description",
			 "API của nền tảng Tỉnh số. Lỗi trả về dạng application/problem+json với mã `code` ổn định. "
			 "Trình duyệt dùng cookie phiên và phải gửi tiêu đề X-CSRF-Token cho mọi thao tác thay đổi dữ liệu; "
			 "hệ thống kết nối dùng khóa API (Authorization: Bearer).",
			 "paths", paths, "components", "schemas", schemas, "securitySchemes", "session", "type", "apiKey",
			 "in", "cookie", "name", TS_SESSION_COOKIE, "apiKey", "type", "http", "scheme", "bearer",
			 "security", "session", "apiKey");
}

/* Minimal HTML building into a growing arena string. */
struct html {
	struct ts_sbuf b;
};

static void put(struct html *h, const char *s, size_t n) { ts_sbuf_put(&h->b, s, n); }

static void puts_raw(struct html *h, const char *s) { put(h, s, strlen(s)); }

static void puts_esc(struct html *h, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': puts_raw(h, "&lt;"); break;
		case '>': puts_raw(h, "&gt;"); break;
		case '&': puts_raw(h, "&amp;"); break;
		case '"': puts_raw(h, "&quot;"); break;
		default: put(h, s, 1);
		}
	}
}

char *ts_openapi_html(struct ts_arena *a, size_t *len)
{
	static const char *const types[] = {"chuỗi", "số nguyên", "true/false", "đối tượng", "danh sách"};
	struct html h;
	ts_sbuf_init(&h.b, a);
	puts_raw(&h, "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		     "<title>tinhso API</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;"
		     "padding:0 1rem;line-height:1.5;color:#111}code{background:#eee;padding:0 .2rem}"
		     "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left;"
		     "vertical-align:top}h2{margin-top:2rem}.m{font-weight:bold}</style></head><body>"
		     "<h1>tinhso API</h1><p>Mô tả máy đọc được: <a href=\"/api/openapi.json\">/api/openapi.json</a> "
		     "(OpenAPI 3.1). Lỗi trả về dạng <code>application/problem+json</code>. Trình duyệt gửi tiêu đề "
		     "<code>X-CSRF-Token</code> cho mọi thao tác thay đổi dữ liệu; hệ thống kết nối dùng "
		     "<code>Authorization: Bearer</code>.</p>"
		     "<table><thead><tr><th>Phương thức</th><th>Đường dẫn</th><th>Quyền</th><th>Mô tả</th><th>Dữ liệu gửi lên</th>"
		     "</tr></thead><tbody>");
	for (size_t i = 0; i < ts_nroutes; i++) {
		const struct ts_route *rt = &ts_routes[i];
		puts_raw(&h, "<tr><td class=\"m\">");
		puts_esc(&h, rt->method);
		puts_raw(&h, "</td><td><code>");
		puts_esc(&h, rt->pattern);
		puts_raw(&h, "</code></td><td>");
		puts_esc(&h, ts_perm_name(rt->perm));
		puts_raw(&h, "</td><td>");
		puts_esc(&h, rt->summary);
		puts_raw(&h, "</td><td>");
		if (rt->spec) {
			puts_raw(&h, "<ul>");
			for (size_t k = 0; k < rt->spec->nfields; k++) {
				const struct ts_json_field *f = &rt->spec->fields[k];
				puts_raw(&h, "<li><code>");
				puts_esc(&h, f->name);
				puts_raw(&h, "</code> (");
				puts_esc(&h, types[f->type]);
				puts_raw(&h, (f->flags & TS_J_REQUIRED) ? ", bắt buộc" : "");
				puts_raw(&h, ")");
				if (f->label) {
					puts_raw(&h, ": ");
					puts_esc(&h, f->label);
				}
				puts_raw(&h, "</li>");
			}
			puts_raw(&h, "</ul>");
		}
		puts_raw(&h, "</td></tr>");
	}
	puts_raw(&h, "</tbody></table></body></html>\n");
	if (h.b.failed)
		return NULL;
	*len = h.b.len;
	return h.b.buf;
}
