/* json.c - request-body validation against declarative specs, and jansson helpers. */
#include "base/json.h"

#include <stdio.h>
#include <string.h>

/* Counts UTF-8 code points (input already validated by jansson). */
static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int depth_of(const json_t *v, int depth)
{
	if (depth > TS_JSON_MAX_DEPTH)
		return depth;
	int max = depth;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach((json_t *)v, k, c)
		{
			int d = depth_of(c, depth + 1);
			if (d > max)
				max = d;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c)
		{
			int d = depth_of(c, depth + 1);
			if (d > max)
				max = d;
		}
	}
	return max;
}

static const char *label_of(const struct ts_json_field *f) { return f->label ? f->label : f->name; }

static int check_value(const json_t *v, const struct ts_json_field *f, enum ts_jtype type,
		       const char *path, struct ts_error *err);

static int check_string(const json_t *v, const struct ts_json_field *f, const char *path,
			struct ts_error *err)
{
	if (!json_is_string(v))
		return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải là chuỗi ký tự", label_of(f));
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return ts_error_set(err, TS_ERR_VALIDATION, path, "%s chứa ký tự không hợp lệ", label_of(f));
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') || *p == 0x7f)
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s chứa ký tự điều khiển không hợp lệ",
					    label_of(f));
	size_t n = utf8_len(s);
	int64_t max = f->max ? f->max : 4096;
	if (f->min && (int64_t)n < f->min)
		return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải có ít nhất %lld ký tự", label_of(f),
				    (long long)f->min);
	if ((int64_t)n > max)
		return ts_error_set(err, TS_ERR_VALIDATION, path, "%s dài quá %lld ký tự", label_of(f),
				    (long long)max);
	if (f->enum_values) {
		for (const char *const *e = f->enum_values; *e; e++)
			if (strcmp(*e, s) == 0)
				return 0;
		return ts_error_set(err, TS_ERR_VALIDATION, path, "%s có giá trị không được chấp nhận",
				    label_of(f));
	}
	return 0;
}

static int check_value(const json_t *v, const struct ts_json_field *f, enum ts_jtype type,
		       const char *path, struct ts_error *err)
{
	switch (type) {
	case TS_J_STRING:
		return check_string(v, f, path, err);
	case TS_J_INT: {
		if (!json_is_integer(v))
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải là số nguyên", label_of(f));
		json_int_t i = json_integer_value(v);
		if ((f->min || f->max) && (i < f->min || i > f->max))
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải nằm trong khoảng %lld đến %lld",
					    label_of(f), (long long)f->min, (long long)f->max);
		return 0;
	}
	case TS_J_BOOL:
		if (!json_is_boolean(v))
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải là true hoặc false", label_of(f));
		return 0;
	case TS_J_OBJECT: {
		if (!json_is_object(v))
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải là một đối tượng", label_of(f));
		if (!f->sub)
			return 0;
		struct ts_error sub;
		ts_error_clear(&sub);
		int rc = ts_json_validate(v, f->sub, &sub);
		if (rc) {
			char p[2 * sizeof(sub.field) + 2];
			snprintf(p, sizeof(p), "%s/%s", path, sub.field);
			return ts_error_set(err, rc, p, "%s", sub.detail);
		}
		return 0;
	}
	case TS_J_ARRAY: {
		if (!json_is_array(v))
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải là một danh sách", label_of(f));
		size_t n = json_array_size(v);
		int64_t max = f->max ? f->max : 1000;
		if ((f->min && (int64_t)n < f->min) || (int64_t)n > max)
			return ts_error_set(err, TS_ERR_VALIDATION, path, "%s phải có từ %lld đến %lld phần tử",
					    label_of(f), (long long)f->min, (long long)max);
		struct ts_json_field item = *f;
		item.min = item.max = 0;
		if (f->item_type == TS_J_STRING) /* bounds apply to the list, not to its strings */
			item.enum_values = f->enum_values;
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c)
		{
			char p[96];
			snprintf(p, sizeof(p), "%s/%zu", path, i);
			int rc = check_value(c, &item, f->item_type, p, err);
			if (rc)
				return rc;
		}
		return 0;
	}
	}
	return ts_error_set(err, TS_ERR_INTERNAL, path, NULL);
}

int ts_json_validate(const json_t *obj, const struct ts_json_spec *spec, struct ts_error *err)
{
	if (!json_is_object(obj))
		return ts_error_set(err, TS_ERR_BAD_JSON, NULL, "Dữ liệu phải là một đối tượng JSON");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		size_t i;
		for (i = 0; i < spec->nfields; i++)
			if (strcmp(spec->fields[i].name, key) == 0)
				break;
		if (i == spec->nfields)
			return ts_error_set(err, TS_ERR_UNKNOWN_FIELD, key, "Trường \"%.60s\" không được hỗ trợ", key);
	}
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct ts_json_field *f = &spec->fields[i];
		json_t *val = json_object_get(obj, f->name);
		if (!val || json_is_null(val)) {
			if (f->flags & TS_J_REQUIRED)
				return ts_error_set(err, TS_ERR_MISSING_FIELD, f->name, "Thiếu %s", label_of(f));
			if (val && !(f->flags & TS_J_NULLABLE))
				return ts_error_set(err, TS_ERR_VALIDATION, f->name, "%s không được để trống",
						    label_of(f));
			continue;
		}
		int rc = check_value(val, f, f->type, f->name, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Trims ASCII and common Unicode-free whitespace around string fields (not NOTRIM ones). */
static int trim_strings(json_t *obj, const struct ts_json_spec *spec)
{
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct ts_json_field *f = &spec->fields[i];
		json_t *v = json_object_get(obj, f->name);
		if (!v)
			continue;
		if (f->type == TS_J_OBJECT && f->sub && json_is_object(v)) {
			if (trim_strings(v, f->sub))
				return -1;
			continue;
		}
		if (f->type == TS_J_ARRAY && f->sub && json_is_array(v)) {
			size_t k;
			json_t *c;
			json_array_foreach(v, k, c) if (json_is_object(c) && trim_strings(c, f->sub)) return -1;
			continue;
		}
		if (f->type != TS_J_STRING || (f->flags & TS_J_NOTRIM) || !json_is_string(v))
			continue;
		const char *s = json_string_value(v);
		size_t n = json_string_length(v), b = 0;
		while (b < n && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r'))
			b++;
		while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		if (b == 0 && n == json_string_length(v))
			continue;
		if (json_string_setn_nocheck(v, s + b, n - b))
			return -1;
	}
	return 0;
}

int ts_json_parse(struct ts_arena *a, const char *body, size_t len, const struct ts_json_spec *spec,
		  json_t **out, struct ts_error *err)
{
	*out = NULL;
	json_error_t jerr;
	json_t *v = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v)
		return ts_error_set(err, TS_ERR_BAD_JSON, NULL,
				    "Dữ liệu JSON không hợp lệ ở dòng %d, cột %d", jerr.line, jerr.column);
	if (!ts_json_own(a, v))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if (depth_of(v, 1) > TS_JSON_MAX_DEPTH)
		return ts_error_set(err, TS_ERR_TOO_LARGE, NULL, "Dữ liệu JSON lồng nhau quá %d tầng",
				    TS_JSON_MAX_DEPTH);
	int rc = ts_json_validate(v, spec, err);
	if (rc)
		return rc;
	if (trim_strings(v, spec))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	/* required strings may have become empty by trimming */
	rc = ts_json_validate(v, spec, err);
	if (rc)
		return rc;
	*out = v;
	return 0;
}

const char *ts_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t ts_json_int(const json_t *obj, const char *key, int64_t def)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

bool ts_json_bool(const json_t *obj, const char *key, bool def)
{
	json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

bool ts_json_has(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v && !json_is_null(v);
}

static int dump_cb(const char *s, size_t n, void *data)
{
	return ts_sbuf_put(data, s, n) ? -1 : 0;
}

char *ts_json_dump(struct ts_arena *a, const json_t *v, size_t *len)
{
	struct ts_sbuf b;
	ts_sbuf_init(&b, a);
	if (json_dump_callback(v, dump_cb, &b, JSON_COMPACT | JSON_ENCODE_ANY) != 0 || b.failed)
		return NULL;
	if (!b.buf && ts_sbuf_put(&b, "", 0))
		return NULL;
	if (len)
		*len = b.len;
	return b.buf;
}

static void decref(void *p) { json_decref(p); }

json_t *ts_json_own(struct ts_arena *a, json_t *v)
{
	if (!v)
		return NULL;
	if (ts_arena_on_release(a, decref, v))
		return NULL;
	return v;
}

json_t *ts_json_strornull(const char *s) { return s ? json_string(s) : json_null(); }
