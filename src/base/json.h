/* json.h - jansson helpers and declarative request specs. A spec lists the fields a
 * request body may have; validation rejects unknown fields, wrong types, invalid UTF-8,
 * too deep or too large documents, and names the offending field. The same specs generate
 * the OpenAPI description (app/openapi.c). */
#ifndef TS_BASE_JSON_H
#define TS_BASE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

enum ts_jtype {
	TS_J_STRING,  /* min/max: length in characters (UTF-8 code points) */
	TS_J_INT,     /* min/max: value bounds */
	TS_J_BOOL,
	TS_J_OBJECT,  /* validated against sub */
	TS_J_ARRAY,   /* min/max: item count; items of type item_type (objects against sub) */
};

#define TS_J_REQUIRED 0x1u /* must be present */
#define TS_J_NULLABLE 0x2u /* null accepted */
#define TS_J_NOTRIM   0x4u /* strings: keep surrounding spaces (passwords) */
#define TS_J_SECRET   0x8u /* never echoed, marked writeOnly in OpenAPI */

struct ts_json_spec;

struct ts_json_field {
	const char *name;
	enum ts_jtype type;
	unsigned flags;
	int64_t min, max;              /* 0,0 = no bounds (strings still capped at 4096 chars) */
	const struct ts_json_spec *sub; /* objects, and arrays of objects */
	enum ts_jtype item_type;        /* arrays */
	const char *const *enum_values; /* strings: allowed values, NULL-terminated; NULL = any */
	const char *label;              /* Vietnamese label used in messages ("Số điện thoại") */
	const char *example;            /* for OpenAPI, may be NULL */
};

struct ts_json_spec {
	const char *name; /* schema name in OpenAPI, e.g. "LoginRequest" */
	const struct ts_json_field *fields;
	size_t nfields;
};

#define TS_JSON_SPEC(sname, arr) {sname, arr, sizeof(arr) / sizeof((arr)[0])}

/* Limits applied to every request body. */
#define TS_JSON_MAX_DEPTH 16

/* Parses body (len bytes, need not be NUL-terminated) and validates it against spec.
 * On success *out is a new reference that the arena releases (json_decref registered).
 * Errors: TS_ERR_BAD_JSON (syntax, invalid UTF-8, duplicate keys, not an object),
 * TS_ERR_UNKNOWN_FIELD, TS_ERR_MISSING_FIELD, TS_ERR_VALIDATION, TS_ERR_TOO_LARGE (depth);
 * err->field names the field, err->detail says what is wrong in Vietnamese. */
int ts_json_parse(struct ts_arena *a, const char *body, size_t len, const struct ts_json_spec *spec,
		  json_t **out, struct ts_error *err);

/* Validates an already-parsed value against spec (used by ts_json_parse). */
int ts_json_validate(const json_t *obj, const struct ts_json_spec *spec, struct ts_error *err);

/* Accessors for validated objects: absent or null -> def / NULL. Strings are trimmed
 * already unless the field was TS_J_NOTRIM. */
const char *ts_json_str(const json_t *obj, const char *key);
int64_t ts_json_int(const json_t *obj, const char *key, int64_t def);
bool ts_json_bool(const json_t *obj, const char *key, bool def);
bool ts_json_has(const json_t *obj, const char *key);

/* Serialises v compactly into the arena (v is not stolen). NULL on failure. */
char *ts_json_dump(struct ts_arena *a, const json_t *v, size_t *len);

/* Registers json_decref(v) on the arena and returns v (NULL stays NULL). */
json_t *ts_json_own(struct ts_arena *a, json_t *v);

/* Builds a JSON string value that is NULL-safe: NULL -> json null. */
json_t *ts_json_strornull(const char *s);

#endif
