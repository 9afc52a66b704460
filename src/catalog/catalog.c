/* catalog.c - rules of the procedure catalogue (DOMAIN.md §3): validation of the import
 * format, the all-or-nothing versioned import, reading versions back, search over the
 * folded search_text, and ts_catalog_variant_for for the dossier engine. Storage only
 * through named queries (sql/common/queries/catalog.sql); never sees HTTP. */
#include "catalog/catalog_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/cache.h"
#include "base/crypto.h"
#include "base/text.h"
#include "calendar/calendar.h"
#include "org/org.h"

#define NAME_MAX_CHARS 2000
#define SHORT_MAX_CHARS 255
#define LONG_MAX_CHARS 8000
#define MAX_LIST 100
#define MAX_VARIANTS 50
#define MAX_DOCS 100
#define MAX_AMOUNT 100000
#define SEARCH_CAP 5000
#define SEARCH_WORDS 6

#define NOMEM(err) ts_error_set(err, TS_ERR_NOMEM, NULL, NULL)

/* ---- small helpers --------------------------------------------------------------------- */

static const char *const unit_names[] = {
    [TS_CAL_WORKING_HOURS] = "working_hours",
    [TS_CAL_WORKING_DAYS] = "working_days",
    [TS_CAL_CALENDAR_DAYS] = "calendar_days",
};

int ts_catalog_unit_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(unit_names[i], s) == 0)
			return i;
	return -1;
}

const char *ts_catalog_unit_name(int unit)
{
	return unit >= 0 && unit < 3 ? unit_names[unit] : NULL;
}

static void date_vn(int64_t at, char out[11])
{
	time_t t = (time_t)at + 7 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* National code d.dddddd or DEMO.dddddd. */
static int code_ok(const char *s)
{
	size_t i, n = strlen(s), dot;

	if (n == 8 && s[1] == '.')
		dot = 1;
	else if (n == 11 && strncmp(s, "DEMO.", 5) == 0)
		dot = 4;
	else
		return 0;
	for (i = 0; i < n; i++)
		if (i != dot && (i >= dot || dot == 1) && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static json_t *own(struct ts_arena *a, json_t *v)
{
	return ts_json_own(a, v);
}

/* ---- validation of one import item ------------------------------------------------------ */

struct vctx {
	struct ts_arena *a;
	struct ts_error *err;
	const char *base; /* "procedures/3" */
};

static const char *path(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *path(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	char *rest, *p;

	va_start(ap, fmt);
	rest = ts_arena_vprintf(v->a, fmt, ap);
	va_end(ap);
	p = rest ? ts_arena_printf(v->a, "%s/%s", v->base, rest) : NULL;
	return p ? p : v->base;
}

/* Rejects members not in allowed; where is the object's full path (NULL = the item). */
static int only_keys(struct vctx *v, const json_t *obj, const char *const *allowed,
		     const char *where)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val)
	{
		size_t k;
		(void)val;
		for (k = 0; allowed[k] && strcmp(allowed[k], key) != 0; k++)
			;
		if (!allowed[k])
			return ts_error_set(
			    v->err, TS_ERR_UNKNOWN_FIELD,
			    ts_arena_printf(v->a, "%s/%s", where ? where : v->base, key),
			    "Trường dữ liệu \"%s\" không được hỗ trợ", key);
	}
	return 0;
}

/* Optional string member: absent/null -> NULL (or a MISSING_FIELD error when required). */
static int str_member(struct vctx *v, const json_t *obj, const char *key, const char *field,
		      int required, size_t max, const char **out)
{
	const json_t *j = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (!j || json_is_null(j)) {
		if (required)
			return ts_error_set(v->err, TS_ERR_MISSING_FIELD, field,
					    "Thiếu thông tin bắt buộc \"%s\"", key);
		return 0;
	}
	if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j))
		return ts_error_set(v->err, TS_ERR_VALIDATION, field,
				    "Giá trị phải là chuỗi ký tự");
	s = json_string_value(j);
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (!n) {
		if (required)
			return ts_error_set(v->err, TS_ERR_VALIDATION, field,
					    "\"%s\" không được để trống", key);
		return 0;
	}
	if (!(*out = ts_arena_strndup(v->a, s, n)))
		return NOMEM(v->err);
	if (utf8_chars(*out) > max)
		return ts_error_set(v->err, TS_ERR_VALIDATION, field, "Dài quá %zu ký tự", max);
	return 0;
}

static int int_member(struct vctx *v, const json_t *obj, const char *key, const char *field,
		      int64_t def, int64_t min, int64_t max, int nullable, int64_t *out)
{
	const json_t *j = json_object_get(obj, key);

	*out = def;
	if (!j || (nullable && json_is_null(j)))
		return 0;
	if (!json_is_integer(j))
		return ts_error_set(v->err, TS_ERR_VALIDATION, field, "Giá trị phải là số nguyên");
	*out = (int64_t)json_integer_value(j);
	if (*out < min || *out > max)
		return ts_error_set(v->err, TS_ERR_VALIDATION, field,
				    "Giá trị phải từ %" PRId64 " đến %" PRId64, min, max);
	return 0;
}

static int bool_member(struct vctx *v, const json_t *obj, const char *key, const char *field,
		       bool def, bool *out)
{
	const json_t *j = json_object_get(obj, key);

	*out = def;
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_boolean(j))
		return ts_error_set(v->err, TS_ERR_VALIDATION, field,
				    "Giá trị phải là true hoặc false");
	*out = json_is_true(j);
	return 0;
}

/* Array of non-empty strings -> a new normalised array (owned by the arena). */
static int str_array(struct vctx *v, const json_t *obj, const char *key, json_t **out)
{
	const json_t *j = json_object_get(obj, key);
	json_t *arr;
	size_t i;

	*out = NULL;
	if (!(arr = own(v->a, json_array())))
		return NOMEM(v->err);
	*out = arr;
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_array(j) || json_array_size(j) > MAX_LIST)
		return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "%s", key),
				    "Phải là một mảng tối đa %d chuỗi", MAX_LIST);
	for (i = 0; i < json_array_size(j); i++) {
		const json_t *e = json_array_get(j, i);
		if (!json_is_string(e) || !json_string_length(e) ||
		    strlen(json_string_value(e)) != json_string_length(e) ||
		    utf8_chars(json_string_value(e)) > SHORT_MAX_CHARS)
			return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "%s/%zu", key, i),
					    "Phải là chuỗi ký tự không rỗng, tối đa %d ký tự",
					    SHORT_MAX_CHARS);
		if (json_array_append_new(arr, json_string(json_string_value(e))))
			return NOMEM(v->err);
	}
	return 0;
}

static int check_results(struct vctx *v, const json_t *obj, json_t **out)
{
	static const char *const keys[] = {"code", "name", NULL};
	const json_t *j = json_object_get(obj, "results");
	json_t *arr = own(v->a, json_array());
	size_t i;
	int rc;

	if (!(*out = arr))
		return NOMEM(v->err);
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_array(j) || json_array_size(j) > MAX_LIST)
		return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "results"),
				    "Kết quả phải là một mảng tối đa %d phần tử", MAX_LIST);
	for (i = 0; i < json_array_size(j); i++) {
		const json_t *e = json_array_get(j, i);
		const char *code, *name, *w = path(v, "results/%zu", i);
		if (!json_is_object(e))
			return ts_error_set(v->err, TS_ERR_VALIDATION, w,
					    "Mỗi kết quả phải là đối tượng {code, name}");
		if ((rc = only_keys(v, e, keys, path(v, "results/%zu", i))) ||
		    (rc = str_member(v, e, "code", path(v, "results/%zu/code", i), 0, 50, &code)) ||
		    (rc = str_member(v, e, "name", path(v, "results/%zu/name", i), 1,
				     SHORT_MAX_CHARS, &name)))
			return rc;
		if (json_array_append_new(arr, json_pack("{s:o, s:s}", "code",
							 ts_json_strornull(code), "name", name)))
			return NOMEM(v->err);
	}
	return 0;
}

static int check_fees(struct vctx *v, const json_t *obj, json_t **out)
{
	static const char *const keys[] = {"code",     "name", "amount", "kind",
					   "currency", "note", NULL};
	const json_t *j = json_object_get(obj, "fees");
	json_t *arr = own(v->a, json_array());
	size_t i;
	int rc;

	if (!(*out = arr))
		return NOMEM(v->err);
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_array(j) || json_array_size(j) > MAX_LIST)
		return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "fees"),
				    "Phí, lệ phí phải là một mảng tối đa %d phần tử", MAX_LIST);
	for (i = 0; i < json_array_size(j); i++) {
		const json_t *e = json_array_get(j, i);
		const char *code, *name, *kind, *cur, *note;
		int64_t amount;
		json_t *f;
		if (!json_is_object(e))
			return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "fees/%zu", i),
					    "Mỗi khoản phí phải là một đối tượng");
		if ((rc = only_keys(v, e, keys, path(v, "fees/%zu", i))) ||
		    (rc = str_member(v, e, "code", path(v, "fees/%zu/code", i), 0, 50, &code)) ||
		    (rc = str_member(v, e, "name", path(v, "fees/%zu/name", i), 1, SHORT_MAX_CHARS,
				     &name)) ||
		    (rc = int_member(v, e, "amount", path(v, "fees/%zu/amount", i), -1, 0,
				     INT64_C(1000000000000), 1, &amount)) ||
		    (rc = str_member(v, e, "kind", path(v, "fees/%zu/kind", i), 1, 10, &kind)) ||
		    (rc = str_member(v, e, "currency", path(v, "fees/%zu/currency", i), 0, 3,
				     &cur)) ||
		    (rc = str_member(v, e, "note", path(v, "fees/%zu/note", i), 0, LONG_MAX_CHARS,
				     &note)))
			return rc;
		if (strcmp(kind, "fee") != 0 && strcmp(kind, "charge") != 0)
			return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "fees/%zu/kind", i),
					    "Loại phải là \"fee\" (lệ phí) hoặc \"charge\" (phí)");
		if (cur && strcmp(cur, "VND") != 0 && strcmp(cur, "USD") != 0)
			return ts_error_set(v->err, TS_ERR_VALIDATION,
					    path(v, "fees/%zu/currency", i),
					    "Đơn vị tiền phải là \"VND\" hoặc \"USD\"");
		f = json_pack("{s:o, s:s, s:o, s:s, s:s, s:o}", "code", ts_json_strornull(code),
			      "name", name, "amount",
			      amount < 0 ? json_null() : json_integer((json_int_t)amount), "kind",
			      kind, "currency", cur ? cur : "VND", "note", ts_json_strornull(note));
		if (json_array_append_new(arr, f))
			return NOMEM(v->err);
	}
	return 0;
}

static int check_variant(struct vctx *v, const json_t *e, int vi, struct cat_variant *out)
{
	static const char *const keys[] = {"code",  "name",	 "default",	"no_due_date",
					   "times", "documents", "form_fields", NULL};
	static const char *const tkeys[] = {"channel", "amount", "unit", NULL};
	static const char *const dkeys[] = {"code",	"name",		 "originals", "copies",
					    "required", "template_file", NULL};
	const json_t *times, *docs, *ff;
	int rc;

	if (!json_is_object(e))
		return ts_error_set(v->err, TS_ERR_VALIDATION, path(v, "variants/%d", vi),
				    "Mỗi trường hợp phải là một đối tượng");
	if ((rc = only_keys(v, e, keys, path(v, "variants/%d", vi))) ||
	    (rc = str_member(v, e, "code", path(v, "variants/%d/code", vi), 1, 30, &out->code)) ||
	    (rc = str_member(v, e, "name", path(v, "variants/%d/name", vi), 1, NAME_MAX_CHARS,
			     &out->name)) ||
	    (rc = bool_member(v, e, "default", path(v, "variants/%d/default", vi), false,
			      &out->is_default)) ||
	    (rc = bool_member(v, e, "no_due_date", path(v, "variants/%d/no_due_date", vi), false,
			      &out->no_due_date)))
		return rc;
	times = json_object_get(e, "times");
	if (times && !json_is_null(times)) {
		if (!json_is_array(times) || json_array_size(times) > 3)
			return ts_error_set(
			    v->err, TS_ERR_VALIDATION, path(v, "variants/%d/times", vi),
			    "Thời hạn phải là một mảng tối đa 3 phần tử (mỗi kênh một)");
		for (size_t k = 0; k < json_array_size(times); k++) {
			const json_t *t = json_array_get(times, k);
			struct cat_time *ct = &out->times[out->ntimes];
			const char *unit;
			int64_t ch, amount;
			if (!json_is_object(t))
				return ts_error_set(v->err, TS_ERR_VALIDATION,
						    path(v, "variants/%d/times/%zu", vi, k),
						    "Mỗi thời hạn phải là {channel, amount, unit}");
			if ((rc =
				 only_keys(v, t, tkeys, path(v, "variants/%d/times/%zu", vi, k))) ||
			    (rc = int_member(v, t, "channel",
					     path(v, "variants/%d/times/%zu/channel", vi, k), 0, 1,
					     3, 0, &ch)) ||
			    (rc = int_member(v, t, "amount",
					     path(v, "variants/%d/times/%zu/amount", vi, k), -1, 0,
					     MAX_AMOUNT, 0, &amount)) ||
			    (rc = str_member(v, t, "unit",
					     path(v, "variants/%d/times/%zu/unit", vi, k), 1, 20,
					     &unit)))
				return rc;
			if (!ch || amount < 0)
				return ts_error_set(v->err, TS_ERR_MISSING_FIELD,
						    path(v, "variants/%d/times/%zu/%s", vi, k,
							 ch ? "amount" : "channel"),
						    "Thiếu kênh hoặc thời hạn");
			if ((ct->unit = ts_catalog_unit_parse(unit)) < 0)
				return ts_error_set(v->err, TS_ERR_VALIDATION,
						    path(v, "variants/%d/times/%zu/unit", vi, k),
						    "Đơn vị \"%s\" không hợp lệ (working_hours, "
						    "working_days, calendar_days)",
						    unit);
			for (int q = 0; q < out->ntimes; q++)
				if (out->times[q].channel == ch)
					return ts_error_set(
					    v->err, TS_ERR_VALIDATION,
					    path(v, "variants/%d/times/%zu/channel", vi, k),
					    "Kênh %d đã có thời hạn", (int)ch);
			ct->channel = (int)ch;
			ct->amount = amount;
			out->ntimes++;
		}
		/* canonical order (by channel), as stored and exported, so hashes compare */
		for (int x = 1; x < out->ntimes; x++)
			for (int y = x; y > 0 && out->times[y - 1].channel > out->times[y].channel;
			     y--) {
				struct cat_time tmp = out->times[y];
				out->times[y] = out->times[y - 1];
				out->times[y - 1] = tmp;
			}
	}
	docs = json_object_get(e, "documents");
	if (docs && !json_is_null(docs)) {
		size_t nd = json_is_array(docs) ? json_array_size(docs) : 0;
		if (!json_is_array(docs) || nd > MAX_DOCS)
			return ts_error_set(
			    v->err, TS_ERR_VALIDATION, path(v, "variants/%d/documents", vi),
			    "Thành phần hồ sơ phải là một mảng tối đa %d phần tử", MAX_DOCS);
		if (nd && !(out->docs = ts_arena_zalloc(v->a, nd * sizeof(*out->docs))))
			return NOMEM(v->err);
		for (size_t k = 0; k < nd; k++) {
			const json_t *d = json_array_get(docs, k);
			struct ts_proc_doc *pd = &out->docs[k];
			int64_t orig, copies;
			bool req;
			if (!json_is_object(d))
				return ts_error_set(v->err, TS_ERR_VALIDATION,
						    path(v, "variants/%d/documents/%zu", vi, k),
						    "Mỗi giấy tờ phải là một đối tượng");
			if ((rc = only_keys(v, d, dkeys,
					    path(v, "variants/%d/documents/%zu", vi, k))) ||
			    (rc = str_member(v, d, "code",
					     path(v, "variants/%d/documents/%zu/code", vi, k), 0,
					     30, &pd->code)) ||
			    (rc = str_member(v, d, "name",
					     path(v, "variants/%d/documents/%zu/name", vi, k), 1,
					     NAME_MAX_CHARS, &pd->name)) ||
			    (rc = int_member(v, d, "originals",
					     path(v, "variants/%d/documents/%zu/originals", vi, k),
					     1, 0, 100, 0, &orig)) ||
			    (rc = int_member(v, d, "copies",
					     path(v, "variants/%d/documents/%zu/copies", vi, k), 0,
					     0, 100, 0, &copies)) ||
			    (rc = bool_member(v, d, "required",
					      path(v, "variants/%d/documents/%zu/required", vi, k),
					      true, &req)) ||
			    (rc = str_member(
				 v, d, "template_file",
				 path(v, "variants/%d/documents/%zu/template_file", vi, k), 0,
				 SHORT_MAX_CHARS, &pd->template_file)))
				return rc;
			if (!pd->code && !(pd->code = ts_arena_printf(v->a, "TP%02zu", k + 1)))
				return NOMEM(v->err);
			for (size_t q = 0; q < k; q++)
				if (strcmp(out->docs[q].code, pd->code) == 0)
					return ts_error_set(
					    v->err, TS_ERR_VALIDATION,
					    path(v, "variants/%d/documents/%zu/code", vi, k),
					    "Mã giấy tờ \"%s\" bị trùng", pd->code);
			pd->originals = (int)orig;
			pd->copies = (int)copies;
			pd->required = req;
		}
		out->ndocs = (int)nd;
	}
	ff = json_object_get(e, "form_fields");
	if (ff && !json_is_null(ff)) {
		if (!json_is_array(ff) || json_array_size(ff) > MAX_LIST)
			return ts_error_set(
			    v->err, TS_ERR_VALIDATION, path(v, "variants/%d/form_fields", vi),
			    "Trường biểu mẫu phải là một mảng tối đa %d đối tượng", MAX_LIST);
		for (size_t k = 0; k < json_array_size(ff); k++) {
			const json_t *o = json_array_get(ff, k);
			if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")))
				return ts_error_set(v->err, TS_ERR_VALIDATION,
						    path(v, "variants/%d/form_fields/%zu", vi, k),
						    "Mỗi trường biểu mẫu phải có \"name\"");
		}
		if (!(out->form_fields = own(v->a, json_deep_copy(ff))))
			return NOMEM(v->err);
	}
	return 0;
}

/* Validates procedures[i] into p (pure apart from the arena). */
static int check_item(struct ts_arena *a, const json_t *obj, int i, struct cat_proc *p,
		      struct ts_error *err)
{
	static const char *const keys[] = {"code",
					   "name",
					   "field",
					   "field_code",
					   "kind",
					   "levels",
					   "online_level",
					   "target_groups",
					   "next_day_after_cutoff",
					   "legal_basis",
					   "implementing_agency",
					   "competent_agency",
					   "results",
					   "fees",
					   "valid_from",
					   "units",
					   "variants",
					   NULL};
	struct vctx v = {.a = a, .err = err};
	const char *online;
	const json_t *vars, *units;
	int rc, ndefault = 0;

	if (!(v.base = ts_arena_printf(a, "procedures/%d", i)))
		return NOMEM(err);
	if (!json_is_object(obj))
		return ts_error_set(err, TS_ERR_VALIDATION, v.base,
				    "Mỗi thủ tục phải là một đối tượng JSON");
	if ((rc = only_keys(&v, obj, keys, NULL)) ||
	    (rc = str_member(&v, obj, "code", path(&v, "code"), 1, 20, &p->code)) ||
	    (rc = str_member(&v, obj, "name", path(&v, "name"), 1, NAME_MAX_CHARS, &p->name)) ||
	    (rc = str_member(&v, obj, "field", path(&v, "field"), 1, SHORT_MAX_CHARS,
			     &p->field_name)) ||
	    (rc = str_member(&v, obj, "field_code", path(&v, "field_code"), 0, 50,
			     &p->field_code)) ||
	    (rc = str_member(&v, obj, "kind", path(&v, "kind"), 0, SHORT_MAX_CHARS, &p->kind)) ||
	    (rc = str_array(&v, obj, "levels", &p->levels)) ||
	    (rc = str_array(&v, obj, "target_groups", &p->target_groups)) ||
	    (rc = str_member(&v, obj, "online_level", path(&v, "online_level"), 0, 10, &online)) ||
	    (rc = bool_member(&v, obj, "next_day_after_cutoff", path(&v, "next_day_after_cutoff"),
			      true, &p->next_day_after_cutoff)) ||
	    (rc = str_member(&v, obj, "legal_basis", path(&v, "legal_basis"), 0, LONG_MAX_CHARS,
			     &p->legal_basis)) ||
	    (rc = str_member(&v, obj, "implementing_agency", path(&v, "implementing_agency"), 0,
			     SHORT_MAX_CHARS, &p->implementing_agency)) ||
	    (rc = str_member(&v, obj, "competent_agency", path(&v, "competent_agency"), 0,
			     SHORT_MAX_CHARS, &p->competent_agency)) ||
	    (rc = check_results(&v, obj, &p->results)) || (rc = check_fees(&v, obj, &p->fees)) ||
	    (rc = str_member(&v, obj, "valid_from", path(&v, "valid_from"), 0, 10, &p->valid_from)))
		return rc;
	if (!code_ok(p->code))
		return ts_error_set(err, TS_ERR_VALIDATION, path(&v, "code"),
				    "Mã thủ tục \"%s\" phải có dạng d.dddddd hoặc DEMO.dddddd",
				    p->code);
	if (!online || strcmp(online, "none") == 0)
		p->online_level = 0;
	else if (strcmp(online, "partial") == 0)
		p->online_level = 1;
	else if (strcmp(online, "full") == 0)
		p->online_level = 2;
	else
		return ts_error_set(err, TS_ERR_VALIDATION, path(&v, "online_level"),
				    "Mức trực tuyến phải là \"full\", \"partial\" hoặc null");
	if (p->valid_from && (rc = ts_org_check_date(p->valid_from, path(&v, "valid_from"), err)))
		return rc;
	units = json_object_get(obj, "units");
	if (units && !json_is_null(units)) {
		if ((rc = str_array(&v, obj, "units", &p->units)))
			return rc;
		for (size_t k = 0; k < json_array_size(p->units); k++)
			if ((rc = ts_org_check_agency_code(
				 json_string_value(json_array_get(p->units, k)),
				 path(&v, "units/%zu", k), err)))
				return rc;
	}
	vars = json_object_get(obj, "variants");
	if (!vars || json_is_null(vars))
		return ts_error_set(err, TS_ERR_MISSING_FIELD, path(&v, "variants"),
				    "Thủ tục cần ít nhất một trường hợp (variants)");
	if (!json_is_array(vars) || !json_array_size(vars) || json_array_size(vars) > MAX_VARIANTS)
		return ts_error_set(err, TS_ERR_VALIDATION, path(&v, "variants"),
				    "Trường hợp phải là một mảng từ 1 đến %d phần tử",
				    MAX_VARIANTS);
	p->nvariants = (int)json_array_size(vars);
	if (!(p->variants = ts_arena_zalloc(a, sizeof(*p->variants) * (size_t)p->nvariants)))
		return NOMEM(err);
	for (int k = 0; k < p->nvariants; k++) {
		if ((rc = check_variant(&v, json_array_get(vars, (size_t)k), k, &p->variants[k])))
			return rc;
		for (int q = 0; q < k; q++)
			if (strcmp(p->variants[q].code, p->variants[k].code) == 0)
				return ts_error_set(
				    err, TS_ERR_VALIDATION, path(&v, "variants/%d/code", k),
				    "Mã trường hợp \"%s\" bị trùng", p->variants[k].code);
		ndefault += p->variants[k].is_default;
	}
	if (ndefault > 1)
		return ts_error_set(err, TS_ERR_VALIDATION, path(&v, "variants"),
				    "Chỉ một trường hợp được là mặc định");
	if (!ndefault)
		p->variants[0].is_default = true;
	return 0;
}

/* ---- canonical JSON and hashing ---------------------------------------------------------- */

static const char *online_name(int level)
{
	return level == 2 ? "full" : level == 1 ? "partial" : NULL;
}

static json_t *variant_json(const struct cat_variant *cv)
{
	json_t *times = json_array(), *docs = json_array(), *o;

	if (!times || !docs)
		goto fail;
	for (int k = 0; k < cv->ntimes; k++)
		if (json_array_append_new(
			times, json_pack("{s:i, s:I, s:s}", "channel", cv->times[k].channel,
					 "amount", (json_int_t)cv->times[k].amount, "unit",
					 ts_catalog_unit_name(cv->times[k].unit))))
			goto fail;
	for (int k = 0; k < cv->ndocs; k++) {
		const struct ts_proc_doc *d = &cv->docs[k];
		if (json_array_append_new(docs, json_pack("{s:s, s:s, s:i, s:i, s:b, s:o}", "code",
							  d->code, "name", d->name, "originals",
							  d->originals, "copies", d->copies,
							  "required", d->required, "template_file",
							  ts_json_strornull(d->template_file))))
			goto fail;
	}
	o = json_pack("{s:s, s:s, s:b, s:b, s:o, s:o, s:O}", "code", cv->code, "name", cv->name,
		      "default", cv->is_default, "no_due_date", cv->no_due_date, "times", times,
		      "documents", docs, "form_fields",
		      cv->form_fields ? cv->form_fields : json_null());
	return o;
fail:
	json_decref(times);
	json_decref(docs);
	return NULL;
}

json_t *ts_catalog_proc_json(const struct cat_proc *p, int full)
{
	json_t *vars = json_array(), *o;

	if (!vars)
		return NULL;
	for (int k = 0; k < p->nvariants; k++)
		if (json_array_append_new(vars, variant_json(&p->variants[k]))) {
			json_decref(vars);
			return NULL;
		}
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:O, s:o, s:O, s:b, s:o, s:o, s:o, s:O, s:O, s:o}",
		      "code", p->code, "name", p->name, "field", p->field_name, "field_code",
		      ts_json_strornull(p->field_code), "kind", ts_json_strornull(p->kind),
		      "levels", p->levels, "online_level",
		      ts_json_strornull(online_name(p->online_level)), "target_groups",
		      p->target_groups, "next_day_after_cutoff", p->next_day_after_cutoff,
		      "legal_basis", ts_json_strornull(p->legal_basis), "implementing_agency",
		      ts_json_strornull(p->implementing_agency), "competent_agency",
		      ts_json_strornull(p->competent_agency), "results", p->results, "fees",
		      p->fees, "variants", vars);
	if (o && full &&
	    (json_object_set_new(o, "valid_from", ts_json_strornull(p->valid_from)) ||
	     (p->units && json_object_set(o, "units", p->units)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int proc_hash(struct ts_arena *a, struct cat_proc *p, struct ts_error *err)
{
	json_t *o = own(a, ts_catalog_proc_json(p, 0));
	char *text, *hex;
	size_t len;

	if (!o || !(hex = ts_arena_alloc(a, 65)))
		return NOMEM(err);
	json_object_del(o, "code");
	if (!(text = ts_json_dump(a, o, &len)))
		return NOMEM(err);
	ts_sha256_hex(text, len, hex, 65);
	p->hash = hex;
	return 0;
}

/* ---- import ------------------------------------------------------------------------------- */

struct import_job {
	struct ts_ctx *ctx;
	struct cat_proc *items;
	int n;
	const char *today;
	int created, versioned, unchanged;
};

static char *json_text(struct ts_arena *a, const json_t *v)
{
	return v ? ts_json_dump(a, v, NULL) : NULL;
}

static int insert_version(struct ts_dbconn *c, struct ts_arena *a, int64_t pid, int vno,
			  const char *valid_from, const struct cat_proc *p, int64_t now,
			  int64_t *vid, struct ts_error *err)
{
	struct ts_dbres *r;
	char *levels = json_text(a, p->levels), *tg = json_text(a, p->target_groups),
	     *results = json_text(a, p->results), *fees = json_text(a, p->fees);
	int rc;

	if (!levels || !tg || !results || !fees)
		return NOMEM(err);
	struct ts_dbval vp[] = {TS_DB_INT(pid),
				TS_DB_INT(vno),
				TS_DB_TEXT(valid_from),
				TS_DB_TEXT(p->name),
				TS_DB_TEXT(p->field_code),
				TS_DB_TEXT(p->field_name),
				TS_DB_TEXT(levels),
				TS_DB_TEXT(p->kind),
				TS_DB_TEXT(tg),
				TS_DB_INT(p->online_level),
				TS_DB_INT(p->next_day_after_cutoff),
				TS_DB_TEXT(p->legal_basis),
				TS_DB_TEXT(p->implementing_agency),
				TS_DB_TEXT(p->competent_agency),
				TS_DB_TEXT(results),
				TS_DB_TEXT(fees),
				TS_DB_TEXT(p->hash),
				TS_DB_INT(now)};
	if ((rc = ts_db_query(c, a, "catalog_version_insert", vp, 18, &r, err)))
		return rc;
	*vid = ts_dbres_int(r, 0, 0);
	for (int k = 0; k < p->nvariants; k++) {
		const struct cat_variant *cv = &p->variants[k];
		char *ff = cv->form_fields ? json_text(a, cv->form_fields) : NULL;
		int64_t varid;
		if (cv->form_fields && !ff)
			return NOMEM(err);
		struct ts_dbval pv[] = {TS_DB_INT(*vid),
					TS_DB_TEXT(cv->code),
					TS_DB_TEXT(cv->name),
					TS_DB_INT(cv->is_default),
					TS_DB_INT(cv->no_due_date),
					TS_DB_TEXT(ff),
					TS_DB_INT(k)};
		if ((rc = ts_db_query(c, a, "catalog_variant_insert", pv, 7, &r, err)))
			return rc;
		varid = ts_dbres_int(r, 0, 0);
		for (int t = 0; t < cv->ntimes; t++) {
			struct ts_dbval pt[] = {
			    TS_DB_INT(varid), TS_DB_INT(cv->times[t].channel),
			    TS_DB_INT(cv->times[t].amount),
			    TS_DB_TEXT(ts_catalog_unit_name(cv->times[t].unit))};
			if ((rc = ts_db_query(c, a, "catalog_time_insert", pt, 4, NULL, err)))
				return rc;
		}
		for (int d = 0; d < cv->ndocs; d++) {
			const struct ts_proc_doc *pd = &cv->docs[d];
			struct ts_dbval pdv[] = {TS_DB_INT(varid),
						 TS_DB_TEXT(pd->code),
						 TS_DB_TEXT(pd->name),
						 TS_DB_INT(pd->originals),
						 TS_DB_INT(pd->copies),
						 TS_DB_INT(pd->required),
						 TS_DB_TEXT(pd->template_file),
						 TS_DB_INT(d)};
			if ((rc = ts_db_query(c, a, "catalog_doc_insert", pdv, 8, NULL, err)))
				return rc;
		}
	}
	return 0;
}

static int set_units(struct ts_dbconn *c, struct ts_arena *a, int64_t pid, int i,
		     const json_t *units, struct ts_error *err)
{
	struct ts_dbval p1[] = {TS_DB_INT(pid)};
	int rc;

	if ((rc = ts_db_query(c, a, "catalog_units_clear", p1, 1, NULL, err)))
		return rc;
	for (size_t k = 0; k < json_array_size(units); k++) {
		const char *code = json_string_value(json_array_get(units, k));
		struct ts_dbval pc[] = {TS_DB_TEXT(code)};
		struct ts_dbres *r;
		int dup = 0;
		for (size_t q = 0; q < k; q++)
			dup |= strcmp(code, json_string_value(json_array_get(units, q))) == 0;
		if (dup)
			continue;
		if ((rc = ts_db_query(c, a, "catalog_unit_id_by_code", pc, 1, &r, err)))
			return rc;
		if (!r->nrows)
			return ts_error_set(err, TS_ERR_VALIDATION,
					    ts_arena_printf(a, "procedures/%d/units/%zu", i, k),
					    "Không có đơn vị mã \"%s\" trong hệ thống", code);
		struct ts_dbval pl[] = {TS_DB_INT(pid), TS_DB_INT(ts_dbres_int(r, 0, 0))};
		if ((rc = ts_db_query(c, a, "catalog_unit_link", pl, 2, NULL, err)))
			return rc;
	}
	return 0;
}

static int import_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct import_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	int64_t now = (int64_t)time(NULL);
	char *summary;
	int rc;

	job->created = job->versioned = job->unchanged = 0;
	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_CATALOG_WRITE, 0, err)))
		return rc;
	for (int i = 0; i < job->n; i++) {
		struct cat_proc *p = &job->items[i];
		const char *vf = p->valid_from ? p->valid_from : job->today;
		char *key = ts_text_search_key(a, ts_arena_printf(a, "%s %s", p->code, p->name));
		struct ts_dbval pc[] = {TS_DB_TEXT(p->code)};
		struct ts_dbres *r;
		int64_t pid = 0, vid = 0;
		int vno = 1;

		if (!key)
			return NOMEM(err);
		if ((rc = ts_db_query(c, a, "catalog_proc_by_code", pc, 1, &r, err)))
			return rc;
		if (!r->nrows) {
			struct ts_dbval pi[] = {TS_DB_TEXT(p->code),
						TS_DB_TEXT(p->name),
						TS_DB_TEXT(p->field_code),
						TS_DB_TEXT(p->field_name),
						TS_DB_INT(p->online_level),
						TS_DB_TEXT(key),
						TS_DB_INT(now)};
			if ((rc = ts_db_query(c, a, "catalog_proc_insert", pi, 7, &r, err)))
				return rc;
			pid = ts_dbres_int(r, 0, 0);
			job->created++;
		} else {
			const char *cur_from = ts_dbres_get(r, 0, 3),
				   *cur_hash = ts_dbres_get(r, 0, 4);
			int64_t cur = ts_dbres_int(r, 0, 1);
			pid = ts_dbres_int(r, 0, 0);
			if (cur_hash && strcmp(cur_hash, p->hash) == 0) {
				job->unchanged++;
				goto units;
			}
			if (cur_from && strcmp(vf, cur_from) < 0)
				return ts_error_set(
				    err, TS_ERR_VALIDATION,
				    ts_arena_printf(a, "procedures/%d/valid_from", i),
				    "Phiên bản mới của thủ tục %s phải có hiệu lực từ ngày %s trở "
				    "về "
				    "sau (ngày hiệu lực của phiên bản hiện hành)",
				    p->code, cur_from);
			vno = (int)ts_dbres_int(r, 0, 2) + 1;
			if (cur) {
				struct ts_dbval pcl[] = {TS_DB_INT(cur), TS_DB_TEXT(vf)};
				if ((rc = ts_db_query(c, a, "catalog_version_close", pcl, 2, NULL,
						      err)))
					return rc;
			}
			job->versioned++;
		}
		if ((rc = insert_version(c, a, pid, vno, vf, p, now, &vid, err)))
			return rc;
		struct ts_dbval ps[] = {TS_DB_INT(pid),
					TS_DB_INT(vid),
					TS_DB_TEXT(p->name),
					TS_DB_TEXT(p->field_code),
					TS_DB_TEXT(p->field_name),
					TS_DB_INT(p->online_level),
					TS_DB_TEXT(key),
					TS_DB_INT(now)};
		if ((rc = ts_db_query(c, a, "catalog_proc_set_current", ps, 8, NULL, err)))
			return rc;
	units:
		if (p->units && (rc = set_units(c, a, pid, i, p->units, err)))
			return rc;
	}
	summary = ts_arena_printf(a,
				  "nhập danh mục thủ tục: %d thủ tục, %d mới, %d phiên bản mới, "
				  "%d không đổi",
				  job->n, job->created, job->versioned, job->unchanged);
	if (!summary)
		return NOMEM(err);
	return ts_audit_write(c, job->ctx, "catalog.import", "procedure", "import", summary, err);
}

int ts_catalog_import_json(struct ts_ctx *ctx, const json_t *doc, int *created, int *versioned,
			   int *unchanged, struct ts_error *err)
{
	struct import_job job = {.ctx = ctx};
	const json_t *procs;
	char today[11];
	size_t n;
	int rc;

	if (created)
		*created = 0;
	if (versioned)
		*versioned = 0;
	if (unchanged)
		*unchanged = 0;
	if (!json_is_object(doc))
		return ts_error_set(err, TS_ERR_VALIDATION, NULL,
				    "Tệp danh mục thủ tục phải là một đối tượng JSON");
	if (!(procs = json_object_get(doc, "procedures")))
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "procedures",
				    "Thiếu danh sách thủ tục");
	if (!json_is_array(procs))
		return ts_error_set(err, TS_ERR_VALIDATION, "procedures",
				    "Danh sách thủ tục phải là một mảng");
	n = json_array_size(procs);
	if (n > TS_CATALOG_IMPORT_MAX)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "procedures",
				    "Mỗi lần chỉ nhập tối đa %d thủ tục", TS_CATALOG_IMPORT_MAX);
	job.n = (int)n;
	if (!(job.items = ts_arena_zalloc(ctx->arena, sizeof(*job.items) * (n ? n : 1))))
		return NOMEM(err);
	for (int i = 0; i < job.n; i++) {
		if ((rc = check_item(ctx->arena, json_array_get(procs, (size_t)i), i, &job.items[i],
				     err)) ||
		    (rc = proc_hash(ctx->arena, &job.items[i], err)))
			return rc;
		for (int j = 0; j < i; j++)
			if (strcmp(job.items[j].code, job.items[i].code) == 0)
				return ts_error_set(
				    err, TS_ERR_VALIDATION,
				    ts_arena_printf(ctx->arena, "procedures/%d/code", i),
				    "Mã thủ tục \"%s\" bị trùng với thủ tục thứ %d",
				    job.items[i].code, j);
	}
	date_vn((int64_t)time(NULL), today);
	job.today = today;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, import_tx, &job, err)))
		return rc;
	if (created)
		*created = job.created;
	if (versioned)
		*versioned = job.versioned;
	if (unchanged)
		*unchanged = job.unchanged;
	return 0;
}

/* ---- reading a version back ---------------------------------------------------------------- */

static json_t *parse_col(struct ts_arena *a, const char *text)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	return own(a, v ? v : json_array());
}

/* Loads version vid with its variants, times and documents into p (arena a). */
static int load_version(struct ts_dbconn *c, struct ts_arena *a, int64_t vid, struct cat_proc *p,
			struct ts_error *err)
{
	struct ts_dbval pv[] = {TS_DB_INT(vid)};
	struct ts_dbres *r, *rv, *rt, *rd;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = ts_db_query(c, a, "catalog_version_get", pv, 1, &r, err)))
		return rc;
	if (!r->nrows)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "version_id",
				    "Không tìm thấy phiên bản thủ tục");
	p->version_id = ts_dbres_int(r, 0, 0);
	p->procedure_id = ts_dbres_int(r, 0, 1);
	p->code = ts_dbres_get(r, 0, 2);
	p->version_no = (int)ts_dbres_int(r, 0, 3);
	p->valid_from = ts_dbres_get(r, 0, 4);
	p->valid_to = ts_dbres_get(r, 0, 5);
	p->name = ts_dbres_get(r, 0, 6);
	p->field_code = ts_dbres_get(r, 0, 7);
	p->field_name = ts_dbres_get(r, 0, 8);
	p->levels = parse_col(a, ts_dbres_get(r, 0, 9));
	p->kind = ts_dbres_get(r, 0, 10);
	p->target_groups = parse_col(a, ts_dbres_get(r, 0, 11));
	p->online_level = (int)ts_dbres_int(r, 0, 12);
	p->next_day_after_cutoff = ts_dbres_int(r, 0, 13) != 0;
	p->legal_basis = ts_dbres_get(r, 0, 14);
	p->implementing_agency = ts_dbres_get(r, 0, 15);
	p->competent_agency = ts_dbres_get(r, 0, 16);
	p->results = parse_col(a, ts_dbres_get(r, 0, 17));
	p->fees = parse_col(a, ts_dbres_get(r, 0, 18));
	p->hash = ts_dbres_get(r, 0, 19);
	if (!p->levels || !p->target_groups || !p->results || !p->fees)
		return NOMEM(err);
	if ((rc = ts_db_query(c, a, "catalog_variants_of", pv, 1, &rv, err)) ||
	    (rc = ts_db_query(c, a, "catalog_times_of", pv, 1, &rt, err)) ||
	    (rc = ts_db_query(c, a, "catalog_docs_of", pv, 1, &rd, err)))
		return rc;
	p->nvariants = rv->nrows;
	if (rv->nrows &&
	    !(p->variants = ts_arena_zalloc(a, sizeof(*p->variants) * (size_t)rv->nrows)))
		return NOMEM(err);
	for (int k = 0; k < rv->nrows; k++) {
		struct cat_variant *cv = &p->variants[k];
		const char *ff = ts_dbres_get(rv, k, 5);
		int nd = 0;
		cv->id = ts_dbres_int(rv, k, 0);
		cv->code = ts_dbres_get(rv, k, 1);
		cv->name = ts_dbres_get(rv, k, 2);
		cv->is_default = ts_dbres_int(rv, k, 3) != 0;
		cv->no_due_date = ts_dbres_int(rv, k, 4) != 0;
		if (ff && !(cv->form_fields = own(a, json_loads(ff, 0, NULL))))
			return NOMEM(err);
		for (int t = 0; t < rt->nrows; t++) {
			if (ts_dbres_int(rt, t, 0) != cv->id || cv->ntimes >= 3)
				continue;
			cv->times[cv->ntimes].channel = (int)ts_dbres_int(rt, t, 1);
			cv->times[cv->ntimes].amount = ts_dbres_int(rt, t, 2);
			cv->times[cv->ntimes].unit = ts_catalog_unit_parse(ts_dbres_get(rt, t, 3));
			cv->ntimes++;
		}
		for (int d = 0; d < rd->nrows; d++)
			nd += ts_dbres_int(rd, d, 0) == cv->id;
		if (nd && !(cv->docs = ts_arena_zalloc(a, sizeof(*cv->docs) * (size_t)nd)))
			return NOMEM(err);
		for (int d = 0; d < rd->nrows; d++) {
			struct ts_proc_doc *pd;
			if (ts_dbres_int(rd, d, 0) != cv->id)
				continue;
			pd = &cv->docs[cv->ndocs++];
			pd->id = ts_dbres_int(rd, d, 1);
			pd->code = ts_dbres_get(rd, d, 2);
			pd->name = ts_dbres_get(rd, d, 3);
			pd->originals = (int)ts_dbres_int(rd, d, 4);
			pd->copies = (int)ts_dbres_int(rd, d, 5);
			pd->required = ts_dbres_int(rd, d, 6) != 0;
			pd->template_file = ts_dbres_get(rd, d, 7);
		}
	}
	return 0;
}

static int load_units(struct ts_dbconn *c, struct ts_arena *a, struct cat_proc *p, json_t **detail,
		      struct ts_error *err)
{
	struct ts_dbval pp[] = {TS_DB_INT(p->procedure_id)};
	struct ts_dbres *r;
	int rc;

	if ((rc = ts_db_query(c, a, "catalog_units_of", pp, 1, &r, err)))
		return rc;
	if (!(p->units = own(a, json_array())))
		return NOMEM(err);
	if (detail && !(*detail = own(a, json_array())))
		return NOMEM(err);
	for (int k = 0; k < r->nrows; k++) {
		if (json_array_append_new(p->units, json_string(ts_dbres_get(r, k, 1))))
			return NOMEM(err);
		if (detail &&
		    json_array_append_new(*detail, json_pack("{s:I, s:s, s:s}", "id",
							     (json_int_t)ts_dbres_int(r, k, 0),
							     "code", ts_dbres_get(r, k, 1), "name",
							     ts_dbres_get(r, k, 2))))
			return NOMEM(err);
	}
	return 0;
}

static json_t *version_json(struct ts_arena *a, const struct cat_proc *p)
{
	json_t *o = own(a, ts_catalog_proc_json(p, 1));

	if (!o ||
	    json_object_set_new(o, "procedure_id", json_integer((json_int_t)p->procedure_id)) ||
	    json_object_set_new(o, "version_id", json_integer((json_int_t)p->version_id)) ||
	    json_object_set_new(o, "version_no", json_integer(p->version_no)) ||
	    json_object_set_new(o, "valid_to", ts_json_strornull(p->valid_to)))
		return NULL;
	for (int k = 0; k < p->nvariants; k++) {
		json_t *vo = json_array_get(json_object_get(o, "variants"), (size_t)k);
		if (json_object_set_new(vo, "id", json_integer((json_int_t)p->variants[k].id)))
			return NULL;
	}
	return o;
}

struct get_job {
	struct ts_ctx *ctx;
	const char *code;
	int64_t version_id;
	json_t *out;
	int with_units;
};

static int get_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct get_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct cat_proc p;
	json_t *units = NULL;
	int rc;

	if (job->code) {
		struct ts_dbval pc[] = {TS_DB_TEXT(job->code)};
		struct ts_dbres *r;
		if ((rc = ts_db_query(c, a, "catalog_current_version", pc, 1, &r, err)))
			return rc;
		if (!r->nrows || ts_dbres_isnull(r, 0, 0))
			return ts_error_set(err, TS_ERR_NOT_FOUND, "code",
					    "Không tìm thấy thủ tục mã \"%s\"", job->code);
		job->version_id = ts_dbres_int(r, 0, 0);
	}
	if ((rc = load_version(c, a, job->version_id, &p, err)))
		return rc;
	if (job->with_units && (rc = load_units(c, a, &p, &units, err)))
		return rc;
	if (!(job->out = version_json(a, &p)))
		return NOMEM(err);
	if (units && json_object_set(job->out, "units", units))
		return NOMEM(err);
	return 0;
}

int ts_catalog_get(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err)
{
	struct get_job job = {.ctx = ctx, .code = code, .with_units = 1};
	int rc;

	if (!code || !*code)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Thiếu mã thủ tục");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, get_tx, &job, err)))
		return rc;
	*out = job.out;
	return 0;
}

int ts_catalog_version_get(struct ts_ctx *ctx, int64_t version_id, json_t **out,
			   struct ts_error *err)
{
	struct get_job job = {.ctx = ctx, .version_id = version_id};
	int rc;

	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, get_tx, &job, err)))
		return rc;
	*out = job.out;
	return 0;
}

struct versions_job {
	struct ts_ctx *ctx;
	const char *code;
	json_t *out;
};

static int versions_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct versions_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct ts_dbval p[] = {TS_DB_TEXT(job->code)};
	struct ts_dbres *r;
	json_t *arr;
	int rc;

	if ((rc = ts_db_query(c, a, "catalog_versions_of", p, 1, &r, err)))
		return rc;
	if (!r->nrows)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Không tìm thấy thủ tục mã \"%s\"",
				    job->code);
	if (!(job->out = own(a, json_object())) || !(arr = json_array()) ||
	    json_object_set_new(job->out, "versions", arr) ||
	    json_object_set_new(job->out, "code", json_string(job->code)))
		return NOMEM(err);
	for (int i = 0; i < r->nrows; i++) {
		json_t *o = json_pack("{s:I, s:i, s:s, s:o, s:s, s:s, s:I, s:b}", "id",
				      (json_int_t)ts_dbres_int(r, i, 0), "version_no",
				      (int)ts_dbres_int(r, i, 1), "valid_from", ts_dbres_get(r, i, 2),
				      "valid_to", ts_json_strornull(ts_dbres_get(r, i, 3)), "name",
				      ts_dbres_get(r, i, 4), "content_hash", ts_dbres_get(r, i, 5),
				      "created_at", (json_int_t)ts_dbres_int(r, i, 6), "current",
				      ts_dbres_int(r, i, 7) != 0);
		if (!o || json_array_append_new(arr, o))
			return NOMEM(err);
	}
	return 0;
}

int ts_catalog_versions(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err)
{
	struct versions_job job = {.ctx = ctx, .code = code};
	int rc;

	if (!code || !*code)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code", "Thiếu mã thủ tục");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, versions_tx, &job, err)))
		return rc;
	*out = job.out;
	return 0;
}

/* ---- export -------------------------------------------------------------------------------- */

struct export_job {
	struct ts_ctx *ctx;
	json_t *arr;
};

static int export_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct export_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	struct ts_dbres *r;
	int rc;

	if (!(job->arr = own(a, json_array())))
		return NOMEM(err);
	if ((rc = ts_db_query(c, a, "catalog_codes", NULL, 0, &r, err)))
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		struct cat_proc p;
		if ((rc = load_version(c, a, ts_dbres_int(r, i, 2), &p, err)) ||
		    (rc = load_units(c, a, &p, NULL, err)))
			return rc;
		if (json_array_append_new(job->arr, ts_catalog_proc_json(&p, 1)))
			return NOMEM(err);
	}
	return 0;
}

int ts_catalog_export_json(struct ts_ctx *ctx, json_t **out, struct ts_error *err)
{
	struct export_job job = {.ctx = ctx};
	int rc;

	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, export_tx, &job, err)))
		return rc;
	if (!(*out = own(ctx->arena, json_pack("{s:O}", "procedures", job.arr))))
		return NOMEM(err);
	return 0;
}

/* ---- search -------------------------------------------------------------------------------- */

/* The candidates (id, code, search_text) come from the index (catalog_search_fts: SQLite's
 * FTS5 trigram table, PostgreSQL's trigram index, migration 0020) when a word has 3 or more
 * characters, else from the plain scan (catalog_search); both test every word with LIKE on
 * the row, so they give the same rows. They are ranked here and only the page's rows are
 * read in full (catalog_search_rows). */

static int word_at(const char *hay, const char *pos, size_t n)
{
	return (pos == hay || pos[-1] == ' ') && (pos[n] == '\0' || pos[n] == ' ');
}

/* Does hay contain needle as whole words? */
static int contains_words(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		if (word_at(hay, p, n))
			return 1;
	return 0;
}

/* Does s start with the n bytes of q followed by a space or its end? */
static int starts_words(const char *s, const char *q, size_t n)
{
	return strncmp(s, q, n) == 0 && (s[n] == ' ' || s[n] == '\0');
}

static int rank_of(const char *code_key, const char *name_key, const char *q)
{
	const char *bare = name_key;
	size_t n = strlen(q);

	if (strcmp(code_key, q) == 0)
		return 0;
	if (strncmp(bare, "thu tuc ", 8) == 0)
		bare += 8;
	if (strcmp(bare, q) == 0 || strcmp(name_key, q) == 0)
		return 1;
	if (strncmp(code_key, q, n) == 0 || starts_words(bare, q, n) || starts_words(name_key, q, n))
		return 2;
	if (contains_words(name_key, q))
		return 3;
	if (strstr(name_key, q))
		return 4;
	return 5;
}

struct cand {
	int64_t id;
	const char *code;
	int rank;
};

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->code, b->code);
}

/* The search key of a procedure code: codes are d.dddddd or DEMO.dddddd (code_ok), whose key
 * is the code in lower case; anything else goes through ts_text_search_key. */
static const char *code_key_of(struct ts_arena *a, const char *code, char *buf, size_t bufsz)
{
	size_t i;
	for (i = 0; code[i] && i + 1 < bufsz; i++) {
		char ch = code[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.'))
			break;
		buf[i] = ch;
	}
	if (code[i] || i == 0 || code[0] == '.' || code[i - 1] == '.')
		return ts_text_search_key(a, code);
	buf[i] = '\0';
	return buf;
}

/* LIKE pattern %word% with \ escapes (words hold a-z 0-9 . and UTF-8 only, but be safe). */
static char *like_word(struct ts_arena *a, const char *w, size_t n)
{
	char *p = ts_arena_alloc(a, 2 * n + 3);
	size_t o = 0;
	if (!p)
		return NULL;
	p[o++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '%' || w[i] == '_' || w[i] == '\\')
			p[o++] = '\\';
		p[o++] = w[i];
	}
	p[o++] = '%';
	p[o] = '\0';
	return p;
}

/* Characters (code points) of the n bytes at s. */
static size_t utf8_chars_n(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

struct search_job {
	struct ts_ctx *ctx;
	const struct ts_catalog_filter *f;
	struct ts_dbval params[10];
	const char *q;
	struct cand *cands;
	int ncand;
	struct ts_catalog_hit *page;
	int npage;
};

static int search_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct search_job *job = vjob;
	const struct ts_catalog_filter *f = job->f;
	struct ts_arena *a = job->ctx->arena;
	struct ts_dbres *r;
	struct ts_sbuf ids;
	int rc, cnt, first, n;

	if (job->params[8].type == TS_DBV_TEXT && job->params[6].type == TS_DBV_NULL &&
	    job->params[7].type == TS_DBV_NULL)
		rc = ts_db_query(c, a, "catalog_search_fts_all", (struct ts_dbval[]){
			job->params[0], job->params[1], job->params[2], job->params[3],
			job->params[4], job->params[5], job->params[8], job->params[9]}, 8, &r, err);
	else if (job->params[8].type == TS_DBV_TEXT)
		rc = ts_db_query(c, a, "catalog_search_fts", job->params, 10, &r, err);
	else
		rc = ts_db_query(c, a, "catalog_search", (struct ts_dbval[]){
			job->params[0], job->params[1], job->params[2], job->params[3],
			job->params[4], job->params[5], job->params[6], job->params[7],
			job->params[9]}, 9, &r, err);
	if (rc)
		return rc;
	cnt = r->nrows;
	if (!(job->cands = ts_arena_alloc(a, sizeof(*job->cands) * (size_t)(cnt ? cnt : 1))))
		return NOMEM(err);
	for (int i = 0; i < cnt; i++) {
		struct cand *h = &job->cands[i];
		const char *st = ts_dbres_get(r, i, 2);
		char buf[32];
		h->id = ts_dbres_int(r, i, 0);
		h->code = ts_dbres_get(r, i, 1);
		h->rank = 0;
		if (job->q && *job->q) {
			const char *code_key = code_key_of(a, h->code, buf, sizeof(buf));
			if (!code_key)
				return NOMEM(err);
			size_t cl = strlen(code_key);
			const char *name_key = st && strncmp(st, code_key, cl) == 0
						   ? st + cl + (st[cl] == ' ')
						   : (st ? st : "");
			h->rank = rank_of(code_key, name_key, job->q);
		}
	}
	qsort(job->cands, (size_t)cnt, sizeof(*job->cands), cand_cmp);
	job->ncand = cnt;
	first = f->offset;
	n = first < cnt ? (cnt - first < f->limit ? cnt - first : f->limit) : 0;
	if (!n)
		return 0;
	/* the page's rows, put back in the ranked order */
	ts_sbuf_init(&ids, a);
	ts_sbuf_put(&ids, "[", 1);
	for (int i = 0; i < n; i++) {
		char num[24];
		int len = snprintf(num, sizeof(num), "%s%" PRId64, i ? "," : "", job->cands[first + i].id);
		ts_sbuf_put(&ids, num, (size_t)len);
	}
	if (ts_sbuf_put(&ids, "]", 1) || ids.failed)
		return NOMEM(err);
	struct ts_dbval pr[] = {TS_DB_TEXT(ids.buf)};
	if ((rc = ts_db_query(c, a, "catalog_search_rows", pr, 1, &r, err)))
		return rc;
	if (!(job->page = ts_arena_zalloc(a, sizeof(*job->page) * (size_t)n)))
		return NOMEM(err);
	for (int i = 0; i < n; i++)
		job->page[i].id = job->cands[first + i].id; /* found below; 0 if gone meanwhile */
	for (int k = 0; k < r->nrows; k++) {
		int64_t id = ts_dbres_int(r, k, 0);
		for (int i = 0; i < n; i++) {
			struct ts_catalog_hit *h = &job->page[i];
			if (h->id != id || h->code)
				continue;
			h->code = ts_dbres_get(r, k, 1);
			h->name = ts_dbres_get(r, k, 2);
			h->field_code = ts_dbres_get(r, k, 3);
			h->field_name = ts_dbres_get(r, k, 4);
			h->online_level = (int)ts_dbres_int(r, k, 5);
			h->version_id = ts_dbres_int(r, k, 6);
			h->rank = job->cands[first + i].rank;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		if (!job->page[i].code)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL,
					    "Không đọc được thủ tục %" PRId64 " của trang kết quả",
					    job->page[i].id);
	job->npage = n;
	return 0;
}

int ts_catalog_search(struct ts_ctx *ctx, const struct ts_catalog_filter *f,
		      struct ts_catalog_hit **hits, int *n, int64_t *total, struct ts_error *err)
{
	struct ts_arena *a = ctx->arena;
	struct ts_catalog_filter flt = *f;
	struct search_job job = {.ctx = ctx, .f = &flt};
	struct ts_sbuf match;
	int nw = 0, rc;

	*hits = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if (!flt.limit)
		flt.limit = 20;
	if (flt.limit < 1 || flt.limit > TS_CATALOG_SEARCH_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit",
				    "Số dòng mỗi trang phải từ 1 đến %d", TS_CATALOG_SEARCH_MAX);
	if (flt.offset < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "offset",
				    "Vị trí bắt đầu phải là số nguyên không âm");
	if (flt.q && utf8_chars(flt.q) > 200)
		return ts_error_set(err, TS_ERR_VALIDATION, "q", "Từ khóa dài quá 200 ký tự");
	for (int k = 0; k < 10; k++)
		job.params[k] = TS_DB_NULL;
	if (flt.q && !(job.q = ts_text_search_key(a, flt.q)))
		return NOMEM(err);
	/* the words: a LIKE pattern each; those of 3+ characters also as FTS5 phrases for the
	 * index (words hold no '"': ts_text_search_key keeps only a-z, 0-9, '.' and non-ASCII) */
	ts_sbuf_init(&match, a);
	for (const char *s = job.q; s && *s && nw < SEARCH_WORDS;) {
		const char *e = strchr(s, ' ');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char *pat = like_word(a, s, len);
		if (!pat)
			return NOMEM(err);
		job.params[nw++] = TS_DB_TEXT(pat);
		if (utf8_chars_n(s, len) >= 3) {
			if (match.len)
				ts_sbuf_put(&match, " AND ", 5);
			ts_sbuf_put(&match, "\"", 1);
			ts_sbuf_put(&match, s, len);
			ts_sbuf_put(&match, "\"", 1);
		}
		s += len;
		while (*s == ' ')
			s++;
	}
	if (match.failed)
		return NOMEM(err);
	if (flt.field && *flt.field)
		job.params[6] = TS_DB_TEXT(flt.field);
	if (flt.unit_id > 0)
		job.params[7] = TS_DB_INT(flt.unit_id);
	if (match.len)
		job.params[8] = TS_DB_TEXT(match.buf);
	job.params[9] = TS_DB_INT(SEARCH_CAP);
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, search_tx, &job, err)))
		return rc;
	if (total)
		*total = job.ncand;
	*hits = job.page;
	*n = job.npage;
	return 0;
}

/* ---- the dossier engine's lookup ------------------------------------------------------------ */

/* Version vid as submissions use it, from the store's cache when it is there. A version's
 * content (its row but valid_to, its variants, times and documents, its procedure's code) is
 * written once in the import that creates it and never changed or deleted after (catalog.sql:
 * the only UPDATE of procedure_version sets valid_to when a successor is published), and ids
 * are never reused, so it is cached by id with valid_to left out (NULL). Only what a read
 * transaction read is stored (ts_db_cache). *out lives as long as arena a. */
static int version_for_submission(struct ts_dbconn *c, struct ts_arena *a, int64_t vid,
				  const struct cat_proc **out, struct ts_error *err)
{
	bool fill = false;
	struct ts_cache *cache = ts_db_cache(c, &fill);
	struct ts_arena *va;
	struct cat_proc *p;
	int rc;

	if ((*out = ts_cache_get(cache, TS_CACHE_PROC_VERSION, vid, 0, a)))
		return 0;
	va = fill ? ts_arena_new(0) : a;
	if (!va || !(p = ts_arena_zalloc(va, sizeof(*p)))) {
		if (va != a)
			ts_arena_free(va);
		return NOMEM(err);
	}
	if ((rc = load_version(c, va, vid, p, err))) {
		if (va != a)
			ts_arena_free(va);
		return rc;
	}
	p->valid_to = NULL;
	*out = p;
	if (va != a && !(*out = ts_cache_put(cache, TS_CACHE_PROC_VERSION, vid, 0, va, p, a)))
		return NOMEM(err);
	return 0;
}

int ts_catalog_variant_for(struct ts_dbconn *conn, struct ts_arena *a, const char *procedure_code,
			   const char *variant_code, int channel, int64_t unit_id, int64_t at,
			   struct ts_proc_variant_info *out, struct ts_error *err)
{
	const struct cat_proc *pp;
	const struct cat_variant *cv = NULL;
	struct ts_dbres *r;
	char day[11];
	int rc, k;

	memset(out, 0, sizeof(*out));
	if (!procedure_code || !*procedure_code)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "procedure_code", "Thiếu mã thủ tục");
	if (channel < TS_CHANNEL_IN_PERSON || channel > TS_CHANNEL_POST)
		return ts_error_set(err, TS_ERR_VALIDATION, "channel",
				    "Kênh nộp hồ sơ phải là 1 (trực tiếp), 2 (trực tuyến) hoặc 3 "
				    "(bưu chính)");
	date_vn(at, day);
	struct ts_dbval pa[] = {TS_DB_TEXT(procedure_code), TS_DB_TEXT(day)};
	if ((rc = ts_db_query(conn, a, "catalog_version_at", pa, 2, &r, err)))
		return rc;
	if (!r->nrows)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "procedure_code",
				    "Không có thủ tục mã \"%s\" có hiệu lực ngày %s",
				    procedure_code, day);
	if ((rc = version_for_submission(conn, a, ts_dbres_int(r, 0, 0), &pp, err)))
		return rc;
	const struct cat_proc p = *pp; /* a shallow copy: what it points to is shared, read-only */
	for (k = 0; k < p.nvariants; k++) {
		const struct cat_variant *x = &p.variants[k];
		if (variant_code ? strcmp(x->code, variant_code) == 0 : x->is_default) {
			cv = x;
			break;
		}
	}
	if (!cv)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "variant_code",
				    "Thủ tục %s không có trường hợp \"%s\"", procedure_code,
				    variant_code ? variant_code : "mặc định");
	if (unit_id > 0) {
		struct ts_dbval pu[] = {TS_DB_INT(p.procedure_id), TS_DB_INT(unit_id)};
		if ((rc = ts_db_query(conn, a, "catalog_unit_offers", pu, 2, &r, err)))
			return rc;
		if (ts_dbres_int(r, 0, 0) <= 0)
			return ts_error_set(err, TS_ERR_VALIDATION, "unit_id",
					    "Đơn vị không tiếp nhận thủ tục %s", procedure_code);
	}
	out->time_unit = TS_CAL_WORKING_DAYS;
	for (k = 0; k < cv->ntimes && cv->times[k].channel != channel; k++)
		;
	if (k < cv->ntimes) {
		out->time_amount = cv->times[k].amount;
		out->time_unit = cv->times[k].unit;
	} else if (!cv->no_due_date) {
		return ts_error_set(err, TS_ERR_VALIDATION, "channel",
				    "Thủ tục %s không có thời hạn giải quyết công bố cho kênh nộp "
				    "này",
				    procedure_code);
	}
	out->procedure_id = p.procedure_id;
	out->version_id = p.version_id;
	out->variant_id = cv->id;
	out->code = p.code;
	out->name = p.name;
	out->field = p.field_name;
	out->variant_code = cv->code;
	out->variant_name = cv->name;
	out->no_due_date = cv->no_due_date;
	out->next_day_after_cutoff = p.next_day_after_cutoff;
	out->online_level = p.online_level;
	out->docs = cv->docs;
	out->ndocs = cv->ndocs;
	out->form_fields = cv->form_fields;
	return 0;
}

struct link_demo_st {
	struct ts_ctx *ctx;
	int64_t linked;
};

static int link_demo_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct link_demo_st *st = arg;
	struct ts_dbres *r1 = NULL, *r2 = NULL;
	int rc = ts_iam_require_unit(st->ctx, c, TS_PERM_CATALOG_WRITE, 0, err);
	if (!rc)
		rc = ts_db_query(c, st->ctx->arena, "catalog_demo_link_communes", NULL, 0, &r1, err);
	if (!rc)
		rc = ts_db_query(c, st->ctx->arena, "catalog_demo_link_rest", NULL, 0, &r2, err);
	if (rc)
		return rc;
	st->linked = r1->changes + r2->changes;
	char summary[128];
	snprintf(summary, sizeof(summary), "demo offering units: %lld commune links, %lld province links",
		 (long long)r1->changes, (long long)r2->changes);
	return ts_audit_write(c, st->ctx, "catalog.link_demo_units", "catalog", "demo", summary, err);
}

int ts_catalog_link_demo_units(struct ts_ctx *ctx, int *linked, struct ts_error *err)
{
	struct link_demo_st st = {.ctx = ctx};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, link_demo_tx, &st, err);
	if (!rc && linked)
		*linked = (int)st.linked;
	return rc;
}

/* ---- fields ------------------------------------------------------------------------ */

struct fields_job {
	struct ts_ctx *ctx;
	struct ts_dbres *res;
};

static int fields_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct fields_job *job = vjob;
	return ts_db_query(c, job->ctx->arena, "catalog_fields", NULL, 0, &job->res, err);
}

int ts_catalog_fields(struct ts_ctx *ctx, struct ts_catalog_field **out, int *n,
		      struct ts_error *err)
{
	struct fields_job job = {.ctx = ctx};
	struct ts_catalog_field *f;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, fields_tx, &job, err)))
		return rc;
	if (!(f = ts_arena_zalloc(ctx->arena, sizeof(*f) * (size_t)(job.res->nrows ? job.res->nrows : 1))))
		return NOMEM(err);
	for (int i = 0; i < job.res->nrows; i++) {
		f[i].name = ts_dbres_get(job.res, i, 0);
		f[i].code = ts_dbres_get(job.res, i, 1);
		f[i].count = ts_dbres_int(job.res, i, 2);
	}
	*out = f;
	*n = job.res->nrows;
	return 0;
}
