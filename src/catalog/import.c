/* import.c - the catalogue's file formats around catalog.c's JSON import: an RFC 4180 CSV
 * parser, the flat CSV layout (import and export), the converter of the national sample
 * (data/catalog/procedures_vn_sample.json) and the demo-volume generator. Everything ends in
 * ts_catalog_import_json, so validation and the all-or-nothing rule live in one place. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/text.h"
#include "catalog/catalog_int.h"

#define NOMEM(err) ts_error_set(err, TS_ERR_NOMEM, NULL, NULL)
#define CSV_MAX_ROWS 100000
#define CSV_MAX_FIELDS 200
#define OUT_CAP ((size_t)64 << 20)

/* ---- RFC 4180 parser ---------------------------------------------------------------------- */

struct fieldbuf {
	char *p;
	size_t len, cap;
};

static int fb_put(struct ts_arena *a, struct fieldbuf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		char *np = ts_arena_alloc(a, ncap);
		if (!np)
			return -1;
		if (b->len)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = ncap;
	}
	b->p[b->len++] = c;
	return 0;
}

int ts_csv_parse(struct ts_arena *a, const char *text, size_t len, struct ts_csv_row **rows,
		 int *nrows, struct ts_error *err)
{
	struct ts_csv_row *out = NULL;
	const char **fields = NULL;
	int nout = 0, capout = 0, nf = 0, capf = 0, line = 1, row_line = 1;
	size_t i = 0;

	*rows = NULL;
	*nrows = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		struct fieldbuf fb = {0};
		int quoted = 0, end_row = 0;

		if (nf == 0)
			row_line = line;
		if (text[i] == '"') {
			quoted = 1;
			i++;
			for (;;) {
				if (i >= len)
					return ts_error_set(
					    err, TS_ERR_VALIDATION,
					    ts_arena_printf(a, "line/%d", row_line),
					    "Dòng %d: thiếu dấu \" đóng của ô trong ngoặc kép",
					    row_line);
				if (text[i] == '"') {
					if (i + 1 < len && text[i + 1] == '"') {
						if (fb_put(a, &fb, '"'))
							return NOMEM(err);
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (text[i] == '\n')
					line++;
				if (fb_put(a, &fb, text[i++]))
					return NOMEM(err);
			}
		} else {
			while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
				if (text[i] == '"')
					return ts_error_set(err, TS_ERR_VALIDATION,
							    ts_arena_printf(a, "line/%d", line),
							    "Dòng %d: dấu \" chỉ được dùng trong ô "
							    "đặt trong ngoặc kép",
							    line);
				if (fb_put(a, &fb, text[i++]))
					return NOMEM(err);
			}
		}
		/* after a field: ',' , a line end, or the end of the text */
		if (i < len && text[i] == ',') {
			i++;
			if (i >= len)
				end_row = 2; /* trailing comma: one more empty field */
		} else if (i >= len) {
			end_row = 1;
		} else if (text[i] == '\r' || text[i] == '\n') {
			if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
				i++;
			i++;
			line++;
			end_row = 1;
		} else {
			return ts_error_set(err, TS_ERR_VALIDATION,
					    ts_arena_printf(a, "line/%d", line),
					    "Dòng %d: sau dấu \" đóng phải là dấu phẩy hoặc xuống "
					    "dòng",
					    line);
		}
		(void)quoted;
		for (int k = 0; k < (end_row == 2 ? 2 : 1); k++) {
			if (nf >= CSV_MAX_FIELDS)
				return ts_error_set(
				    err, TS_ERR_TOO_LARGE, ts_arena_printf(a, "line/%d", row_line),
				    "Dòng %d có quá %d cột", row_line, CSV_MAX_FIELDS);
			if (nf >= capf) {
				int ncap = capf ? capf * 2 : 32;
				const char **nfld = ts_arena_alloc(a, sizeof(*nfld) * (size_t)ncap);
				if (!nfld)
					return NOMEM(err);
				if (nf)
					memcpy(nfld, fields, sizeof(*nfld) * (size_t)nf);
				fields = nfld;
				capf = ncap;
			}
			if (k == 0) {
				fields[nf++] = fb.p ? (fb.p[fb.len] = '\0', fb.p) : "";
			} else {
				fields[nf++] = "";
			}
		}
		if (end_row) {
			if (nout >= CSV_MAX_ROWS)
				return ts_error_set(err, TS_ERR_TOO_LARGE, NULL,
						    "Tệp CSV có quá %d dòng", CSV_MAX_ROWS);
			if (nout >= capout) {
				int ncap = capout ? capout * 2 : 64;
				struct ts_csv_row *nr =
				    ts_arena_alloc(a, sizeof(*nr) * (size_t)ncap);
				if (!nr)
					return NOMEM(err);
				if (nout)
					memcpy(nr, out, sizeof(*nr) * (size_t)nout);
				out = nr;
				capout = ncap;
			}
			out[nout].fields = fields;
			out[nout].nfields = nf;
			out[nout].line = row_line;
			nout++;
			fields = NULL;
			nf = capf = 0;
		}
	}
	*rows = out;
	*nrows = nout;
	return 0;
}

/* ---- the flat CSV layout ------------------------------------------------------------------- */

/* X(column, level): level 0 procedure, 1 variant, 2 document */
#define CSV_COLUMNS(X)                                                                             \
	X(code, 0)                                                                                 \
	X(name, 0) X(field, 0) X(field_code, 0) X(kind, 0) X(levels, 0) X(target_groups, 0)        \
	    X(online_level, 0) X(next_day_after_cutoff, 0) X(legal_basis, 0)                       \
		X(implementing_agency, 0) X(competent_agency, 0) X(results, 0) X(fees, 0)          \
		    X(valid_from, 0) X(units, 0) X(variant_code, 1) X(variant_name, 1)             \
			X(variant_default, 1) X(no_due_date, 1) X(times, 1) X(form_fields, 1)      \
			    X(doc_code, 2) X(doc_name, 2) X(doc_originals, 2) X(doc_copies, 2)     \
				X(doc_required, 2) X(doc_template_file, 2)

enum csv_col {
#define X(c, l) COL_##c,
	CSV_COLUMNS(X)
#undef X
	    COL__COUNT
};

static const struct {
	const char *name;
	int level;
} csv_cols[] = {
#define X(c, l) {#c, l},
    CSV_COLUMNS(X)
#undef X
};

/* Where each JSON item came from, to turn an index path back into a line. */
struct origin {
	int p, v, d; /* -1 when not at that level */
	int line;
};

struct csv_job {
	struct ts_arena *a;
	struct origin *orig;
	int norig, caporig;
};

static int add_origin(struct csv_job *j, int p, int v, int d, int line)
{
	if (j->norig >= j->caporig) {
		int ncap = j->caporig ? j->caporig * 2 : 256;
		struct origin *n = ts_arena_alloc(j->a, sizeof(*n) * (size_t)ncap);
		if (!n)
			return -1;
		if (j->norig)
			memcpy(n, j->orig, sizeof(*n) * (size_t)j->norig);
		j->orig = n;
		j->caporig = ncap;
	}
	j->orig[j->norig++] = (struct origin){p, v, d, line};
	return 0;
}

static int line_of(const struct csv_job *j, int p, int v, int d)
{
	for (int k = 0; k < j->norig; k++)
		if (j->orig[k].p == p && j->orig[k].v == v && j->orig[k].d == d)
			return j->orig[k].line;
	return 0;
}

static int cell_error(struct ts_arena *a, struct ts_error *err, int code, int line, int col,
		      const char *what)
{
	return ts_error_set(err, code, ts_arena_printf(a, "line/%d/%s", line, csv_cols[col].name),
			    "Dòng %d, cột %s: %s", line, csv_cols[col].name, what);
}

/* "a | b | c" -> ["a","b","c"] (items trimmed, empty ones skipped). */
static json_t *split_list(const char *s)
{
	json_t *arr = json_array();

	while (arr && s && *s) {
		const char *e = strchr(s, '|');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		const char *b = s;
		while (n && (*b == ' ' || *b == '\t')) {
			b++;
			n--;
		}
		while (n && (b[n - 1] == ' ' || b[n - 1] == '\t'))
			n--;
		if (n && json_array_append_new(arr, json_stringn(b, n))) {
			json_decref(arr);
			return NULL;
		}
		s = e ? e + 1 : b + n + strlen(b + n);
	}
	return arr;
}

/* Puts the cell as a JSON value into obj[key], by column kind. Empty cells are left out. */
static int put_cell(struct ts_arena *a, json_t *obj, const char *key, int col, const char *cell,
		    int line, struct ts_error *err)
{
	json_t *v = NULL;

	if (!*cell)
		return 0;
	switch (col) {
	case COL_levels:
	case COL_target_groups:
	case COL_units:
		v = split_list(cell);
		break;
	case COL_results:
	case COL_fees:
	case COL_form_fields:
		if (!(v = json_loads(cell, JSON_DECODE_ANY, NULL)))
			return cell_error(a, err, TS_ERR_VALIDATION, line, col,
					  "ô phải chứa JSON hợp lệ (mảng)");
		break;
	case COL_next_day_after_cutoff:
	case COL_variant_default:
	case COL_no_due_date:
	case COL_doc_required:
		if (strcmp(cell, "1") == 0 || strcmp(cell, "true") == 0)
			v = json_true();
		else if (strcmp(cell, "0") == 0 || strcmp(cell, "false") == 0)
			v = json_false();
		else
			return cell_error(a, err, TS_ERR_VALIDATION, line, col, "phải là 1 hoặc 0");
		break;
	case COL_doc_originals:
	case COL_doc_copies: {
		char *end;
		long long n = strtoll(cell, &end, 10);
		if (*end || end == cell || n < 0 || n > 100)
			return cell_error(a, err, TS_ERR_VALIDATION, line, col,
					  "phải là số nguyên từ 0 đến 100");
		v = json_integer(n);
		break;
	}
	case COL_times: {
		const char *s = cell;
		v = json_array();
		while (v && *s) {
			char unit[32];
			long long ch, amount;
			int used = 0;
			if (sscanf(s, "%lld:%lld:%31[a-z_]%n", &ch, &amount, unit, &used) != 3 ||
			    (s[used] != ';' && s[used] != '\0')) {
				json_decref(v);
				return cell_error(a, err, TS_ERR_VALIDATION, line, col,
						  "phải có dạng kênh:số:đơn_vị;... ví dụ "
						  "1:5:working_days;2:3:working_days");
			}
			if (json_array_append_new(v, json_pack("{s:I, s:I, s:s}", "channel",
							       (json_int_t)ch, "amount",
							       (json_int_t)amount, "unit", unit))) {
				json_decref(v);
				return NOMEM(err);
			}
			s += used + (s[used] == ';');
		}
		break;
	}
	default:
		v = json_string(cell);
	}
	if (!v || json_object_set_new(obj, key, v))
		return NOMEM(err);
	return 0;
}

static const char *json_key(int col)
{
	switch (col) {
	case COL_variant_code:
	case COL_doc_code:
		return "code";
	case COL_variant_name:
	case COL_doc_name:
		return "name";
	case COL_variant_default:
		return "default";
	case COL_doc_originals:
		return "originals";
	case COL_doc_copies:
		return "copies";
	case COL_doc_required:
		return "required";
	case COL_doc_template_file:
		return "template_file";
	default:
		return csv_cols[col].name;
	}
}

/* Translates an import error's index path into the CSV line and column. */
static void translate_error(const struct csv_job *j, struct ts_error *err)
{
	int p = -1, v = -1, d = -1, n = 0, line, col = -1;
	const char *f = err->field, *rest = "";
	char key[64] = "", buf[512];
	size_t blen;

	if (sscanf(f, "procedures/%d%n", &p, &n) != 1)
		return;
	rest = f + n;
	if (sscanf(rest, "/variants/%d%n", &v, &n) == 1) {
		rest += n;
		if (sscanf(rest, "/documents/%d%n", &d, &n) == 1)
			rest += n;
	}
	if (*rest == '/')
		sscanf(rest + 1, "%63[a-z_]", key);
	line = d >= 0 ? line_of(j, p, v, d) : v >= 0 ? line_of(j, p, v, -1) : line_of(j, p, -1, -1);
	for (int c = 0; c < COL__COUNT; c++) {
		int level = d >= 0 ? 2 : v >= 0 ? 1 : 0;
		if (csv_cols[c].level == level && strcmp(json_key(c), key) == 0)
			col = c;
	}
	if (col < 0)
		col = d >= 0 ? COL_doc_name : v >= 0 ? COL_variant_code : COL_code;
	snprintf(err->field, sizeof(err->field), "line/%d/%s", line, csv_cols[col].name);
	snprintf(buf, sizeof(buf), "Dòng %d, cột %s: %s", line, csv_cols[col].name, err->detail);
	blen = strlen(buf);
	if (blen >= sizeof(err->detail)) { /* cut at a code point boundary */
		blen = sizeof(err->detail) - 1;
		while (blen && ((unsigned char)buf[blen] & 0xC0) == 0x80)
			blen--;
	}
	memcpy(err->detail, buf, blen);
	err->detail[blen] = '\0';
}

/* Builds {"procedures":[...]} from the rows (header first). */
static int csv_to_doc(struct csv_job *j, const struct ts_csv_row *rows, int nrows, json_t **out,
		      struct ts_error *err)
{
	struct ts_arena *a = j->a;
	int map[COL__COUNT], rc;
	json_t *procs, *doc;
	const char **first = NULL; /* per procedure: the row that defined it (for agreement) */
	int *first_line = NULL;

	for (int c = 0; c < COL__COUNT; c++)
		map[c] = -1;
	if (nrows < 1)
		return ts_error_set(err, TS_ERR_VALIDATION, "line/1", "Tệp CSV trống");
	for (int k = 0; k < rows[0].nfields; k++) {
		int c;
		for (c = 0; c < COL__COUNT && strcmp(csv_cols[c].name, rows[0].fields[k]); c++)
			;
		if (c == COL__COUNT)
			return ts_error_set(err, TS_ERR_UNKNOWN_FIELD,
					    ts_arena_printf(a, "line/1/%s", rows[0].fields[k]),
					    "Dòng 1: cột \"%s\" không được hỗ trợ",
					    rows[0].fields[k]);
		map[c] = k;
	}
	for (int c = 0; c < COL__COUNT; c++)
		if (map[c] < 0 && (c == COL_code || c == COL_variant_code))
			return ts_error_set(err, TS_ERR_MISSING_FIELD,
					    ts_arena_printf(a, "line/1/%s", csv_cols[c].name),
					    "Dòng 1: thiếu cột \"%s\"", csv_cols[c].name);
	if (!(procs = ts_json_own(a, json_array())) ||
	    !(first = ts_arena_zalloc(a, sizeof(*first) * (size_t)nrows)) ||
	    !(first_line = ts_arena_zalloc(a, sizeof(*first_line) * (size_t)nrows)))
		return NOMEM(err);
	for (int r = 1; r < nrows; r++) {
		const struct ts_csv_row *row = &rows[r];
		const char *cell[COL__COUNT];
		json_t *proc = NULL, *vars, *var = NULL, *docs;
		int pi = -1, vi = -1;

		if (row->nfields == 1 && !*row->fields[0])
			continue; /* blank line */
		if (row->nfields != rows[0].nfields)
			return ts_error_set(err, TS_ERR_VALIDATION,
					    ts_arena_printf(a, "line/%d", row->line),
					    "Dòng %d có %d cột, dòng tiêu đề có %d", row->line,
					    row->nfields, rows[0].nfields);
		for (int c = 0; c < COL__COUNT; c++)
			cell[c] = map[c] >= 0 ? row->fields[map[c]] : "";
		if (!*cell[COL_code])
			return cell_error(a, err, TS_ERR_MISSING_FIELD, row->line, COL_code,
					  "thiếu mã thủ tục");
		for (size_t k = 0; k < json_array_size(procs); k++)
			if (strcmp(json_string_value(
				       json_object_get(json_array_get(procs, k), "code")),
				   cell[COL_code]) == 0)
				pi = (int)k;
		if (pi < 0) {
			pi = (int)json_array_size(procs);
			if (!(proc = json_object()) || json_array_append_new(procs, proc) ||
			    !(vars = json_array()) || json_object_set_new(proc, "variants", vars))
				return NOMEM(err);
			for (int c = 0; c < COL__COUNT; c++)
				if (csv_cols[c].level == 0 &&
				    (rc = put_cell(a, proc, json_key(c), c, cell[c], row->line,
						   err)))
					return rc;
			first[pi] = (const char *)row;
			first_line[pi] = row->line;
			if (add_origin(j, pi, -1, -1, row->line))
				return NOMEM(err);
		} else {
			const struct ts_csv_row *f0 = (const struct ts_csv_row *)first[pi];
			proc = json_array_get(procs, (size_t)pi);
			vars = json_object_get(proc, "variants");
			for (int c = 0; c < COL__COUNT; c++)
				if (csv_cols[c].level == 0 && map[c] >= 0 &&
				    strcmp(f0->fields[map[c]], cell[c]) != 0)
					return cell_error(
					    a, err, TS_ERR_VALIDATION, row->line, c,
					    ts_arena_printf(a, "khác với dòng %d của cùng thủ tục",
							    first_line[pi]));
		}
		for (size_t k = 0; k < json_array_size(vars); k++) {
			const char *vc =
			    json_string_value(json_object_get(json_array_get(vars, k), "code"));
			if (vc && strcmp(vc, cell[COL_variant_code]) == 0)
				vi = (int)k;
		}
		if (vi < 0) {
			vi = (int)json_array_size(vars);
			if (!(var = json_object()) || json_array_append_new(vars, var) ||
			    !(docs = json_array()) || json_object_set_new(var, "documents", docs))
				return NOMEM(err);
			for (int c = 0; c < COL__COUNT; c++)
				if (csv_cols[c].level == 1 &&
				    (rc =
					 put_cell(a, var, json_key(c), c, cell[c], row->line, err)))
					return rc;
			if (add_origin(j, pi, vi, -1, row->line))
				return NOMEM(err);
		} else {
			var = json_array_get(vars, (size_t)vi);
			docs = json_object_get(var, "documents");
			/* variant columns must agree with the variant's first row */
			for (int c = 0; c < COL__COUNT; c++) {
				json_t *tmp;
				const char *a1, *a2;
				if (csv_cols[c].level != 1 || map[c] < 0)
					continue;
				if (!(tmp = ts_json_own(a, json_object())))
					return NOMEM(err);
				if ((rc = put_cell(a, tmp, "x", c, cell[c], row->line, err)))
					return rc;
				a1 = ts_json_dump(a,
						  json_object_get(var, json_key(c))
						      ? json_object_get(var, json_key(c))
						      : json_null(),
						  NULL);
				a2 = ts_json_dump(a,
						  json_object_get(tmp, "x")
						      ? json_object_get(tmp, "x")
						      : json_null(),
						  NULL);
				if (!a1 || !a2)
					return NOMEM(err);
				if (strcmp(a1, a2) != 0)
					return cell_error(a, err, TS_ERR_VALIDATION, row->line, c,
							  "khác với dòng đầu của cùng trường hợp");
			}
		}
		if (*cell[COL_doc_name] || *cell[COL_doc_code]) {
			json_t *d = json_object();
			int di = (int)json_array_size(docs);
			if (!d || json_array_append_new(docs, d))
				return NOMEM(err);
			for (int c = 0; c < COL__COUNT; c++)
				if (csv_cols[c].level == 2 &&
				    (rc = put_cell(a, d, json_key(c), c, cell[c], row->line, err)))
					return rc;
			if (add_origin(j, pi, vi, di, row->line))
				return NOMEM(err);
		}
	}
	if (!(doc = ts_json_own(a, json_pack("{s:O}", "procedures", procs))))
		return NOMEM(err);
	*out = doc;
	return 0;
}

int ts_catalog_import_csv(struct ts_ctx *ctx, const char *text, size_t len, int *created,
			  int *versioned, int *unchanged, struct ts_error *err)
{
	struct csv_job j = {.a = ctx->arena};
	struct ts_csv_row *rows;
	json_t *doc = NULL;
	int nrows, rc;

	if ((rc = ts_csv_parse(ctx->arena, text, len, &rows, &nrows, err)) ||
	    (rc = csv_to_doc(&j, rows, nrows, &doc, err)))
		return rc;
	rc = ts_catalog_import_json(ctx, doc, created, versioned, unchanged, err);
	if (rc && err && err->code == rc)
		translate_error(&j, err);
	return rc;
}

/* ---- CSV export ---------------------------------------------------------------------------- */

struct outbuf {
	struct ts_arena *a;
	char *p;
	size_t len, cap;
	int failed;
};

static void ob_put(struct outbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *np;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (ncap > OUT_CAP || !(np = ts_arena_alloc(b->a, ncap))) {
			b->failed = 1;
			return;
		}
		if (b->len)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void ob_cell(struct outbuf *b, const char *s, int last)
{
	size_t n = s ? strlen(s) : 0;
	int quote = n && (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[n - 1] == ' ');

	if (quote) {
		ob_put(b, "\"", 1);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				ob_put(b, "\"\"", 2);
			else
				ob_put(b, p, 1);
		}
		ob_put(b, "\"", 1);
	} else if (n) {
		ob_put(b, s, n);
	}
	ob_put(b, last ? "\r\n" : ",", last ? 2 : 1);
}

static const char *cell_of(struct ts_arena *a, int col, const json_t *v)
{
	if (!v || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "1" : "0";
	if (json_is_integer(v))
		return ts_arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (col == COL_levels || col == COL_target_groups || col == COL_units) {
		struct outbuf b = {.a = a};
		for (size_t k = 0; k < json_array_size(v); k++) {
			const char *s = json_string_value(json_array_get(v, k));
			if (k)
				ob_put(&b, " | ", 3);
			ob_put(&b, s, strlen(s));
		}
		return b.failed ? NULL : b.p ? b.p : "";
	}
	if (col == COL_times) {
		struct outbuf b = {.a = a};
		for (size_t k = 0; k < json_array_size(v); k++) {
			const json_t *t = json_array_get(v, k);
			char *s = ts_arena_printf(
			    a, "%s%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT ":%s",
			    k ? ";" : "", json_integer_value(json_object_get(t, "channel")),
			    json_integer_value(json_object_get(t, "amount")),
			    json_string_value(json_object_get(t, "unit")));
			if (!s)
				return NULL;
			ob_put(&b, s, strlen(s));
		}
		return b.failed ? NULL : b.p ? b.p : "";
	}
	if (json_is_array(v) && !json_array_size(v) && col != COL_form_fields)
		return "";
	return ts_json_dump(a, v, NULL);
}

int ts_catalog_export_csv(struct ts_ctx *ctx, char **out, size_t *len, struct ts_error *err)
{
	struct ts_arena *a = ctx->arena;
	struct outbuf b = {.a = a};
	json_t *doc, *procs;
	int rc;

	if ((rc = ts_catalog_export_json(ctx, &doc, err)))
		return rc;
	procs = json_object_get(doc, "procedures");
	for (int c = 0; c < COL__COUNT; c++)
		ob_cell(&b, csv_cols[c].name, c == COL__COUNT - 1);
	for (size_t i = 0; i < json_array_size(procs); i++) {
		const json_t *p = json_array_get(procs, i), *vars = json_object_get(p, "variants");
		for (size_t k = 0; k < json_array_size(vars); k++) {
			const json_t *v = json_array_get(vars, k),
				     *docs = json_object_get(v, "documents");
			size_t nd = json_array_size(docs);
			for (size_t d = 0; d < (nd ? nd : 1); d++) {
				const json_t *dj = nd ? json_array_get(docs, d) : NULL;
				for (int c = 0; c < COL__COUNT; c++) {
					const json_t *src = csv_cols[c].level == 0   ? p
							    : csv_cols[c].level == 1 ? v
										     : dj;
					const char *s = cell_of(
					    a, c, src ? json_object_get(src, json_key(c)) : NULL);
					if (!s)
						return NOMEM(err);
					ob_cell(&b, s, c == COL__COUNT - 1);
				}
			}
		}
	}
	if (b.failed)
		return ts_error_set(err, TS_ERR_TOO_LARGE, NULL, "Tệp xuất quá lớn");
	*out = b.p;
	*len = b.len;
	return 0;
}

/* ---- the national sample -------------------------------------------------------------------- */

static int channel_of(const char *s)
{
	if (!s)
		return 0;
	if (strcmp(s, "Trực tiếp") == 0)
		return TS_CHANNEL_IN_PERSON;
	if (strcmp(s, "Trực tuyến") == 0)
		return TS_CHANNEL_ONLINE;
	if (strcmp(s, "Dịch vụ bưu chính") == 0)
		return TS_CHANNEL_POST;
	return 0;
}

/* Published unit -> our unit name; *labelled set when we chose a default. */
static const char *unit_of(const char *s, int *defaulted)
{
	if (s && strcmp(s, "ngày làm việc") == 0)
		return "working_days";
	if (s && strcmp(s, "ngày") == 0)
		return "calendar_days";
	if (s && strcmp(s, "giờ") == 0)
		return "working_hours";
	*defaulted = 1;
	return "working_days";
}

static int add_time(json_t *times, int ch, json_int_t amount, const char *unit)
{
	for (size_t k = 0; k < json_array_size(times); k++)
		if (json_integer_value(json_object_get(json_array_get(times, k), "channel")) == ch)
			return 1; /* first value per channel wins */
	return json_array_append_new(times, json_pack("{s:i, s:I, s:s}", "channel", ch, "amount",
						      amount, "unit", unit))
		   ? -1
		   : 0;
}

/* One sample record -> one import item (new reference), NULL on allocation failure. */
static json_t *convert_record(struct ts_arena *a, const json_t *r, const char *valid_from)
{
	const json_t *pt = json_object_get(r, "processing_time"),
		     *fees = json_object_get(r, "fees");
	const json_t *docs = json_object_get(r, "documents"), *val = json_object_get(pt, "value");
	const char *online = json_string_value(json_object_get(r, "online_level"));
	const char *decision = json_string_value(json_object_get(r, "decision_no"));
	const char *notes = json_string_value(json_object_get(r, "notes"));
	const char *url = json_string_value(json_object_get(r, "source_url"));
	const char *fee_note = json_string_value(json_object_get(r, "fee_note"));
	json_t *times = json_array(), *outdocs = json_array(), *outfees = json_array(),
	       *item = NULL;
	struct outbuf lb = {.a = a};
	int defaulted = 0, multi = 0;
	const char *s;

	if (!times || !outdocs || !outfees)
		goto fail;
	if (json_is_integer(val)) {
		const json_t *bych = json_object_get(pt, "by_channel");
		const char *unit =
		    unit_of(json_string_value(json_object_get(pt, "unit")), &defaulted);
		if (json_array_size(bych)) {
			for (size_t k = 0; k < json_array_size(bych); k++) {
				const json_t *b = json_array_get(bych, k);
				int ch =
				    channel_of(json_string_value(json_object_get(b, "channel")));
				int d2 = 0, rc;
				if (!ch || !json_is_integer(json_object_get(b, "value")))
					continue;
				rc = add_time(
				    times, ch, json_integer_value(json_object_get(b, "value")),
				    unit_of(json_string_value(json_object_get(b, "unit")), &d2));
				if (rc < 0)
					goto fail;
				multi |= rc;
				defaulted |= d2;
			}
		} else {
			const json_t *chs = json_object_get(pt, "channels");
			if (!json_array_size(chs))
				chs = json_object_get(r, "submission_channels");
			for (size_t k = 0; k < json_array_size(chs); k++) {
				int ch = channel_of(json_string_value(json_array_get(chs, k)));
				if (ch && add_time(times, ch, json_integer_value(val), unit) < 0)
					goto fail;
			}
		}
	}
	for (size_t k = 0; k < json_array_size(docs); k++) {
		const char *name = json_string_value(json_array_get(docs, k));
		if (!name || !*name)
			continue;
		if (json_array_append_new(
			outdocs, json_pack("{s:s, s:i, s:i, s:b}", "name", name, "originals", 1,
					   "copies", 0, "required", strstr(name, "(nếu") == NULL)))
			goto fail;
	}
	for (size_t k = 0; k < json_array_size(fees); k++) {
		const json_t *f = json_array_get(fees, k), *amt = json_object_get(f, "amount");
		const char *fname = json_string_value(json_object_get(f, "name"));
		const char *folded = ts_text_search_key(a, fname ? fname : "");
		const char *unit = json_string_value(json_object_get(f, "unit"));
		if (!fname || !folded)
			continue;
		if (json_array_append_new(
			outfees,
			json_pack(
			    "{s:s, s:o, s:s, s:s, s:o}", "name", fname, "amount",
			    json_is_integer(amt) ? json_integer(json_integer_value(amt))
						 : json_null(),
			    "kind", strncmp(folded, "le phi", 6) == 0 ? "fee" : "charge",
			    "currency", unit && strcmp(unit, "USD") == 0 ? "USD" : "VND", "note",
			    ts_json_strornull(json_string_value(json_object_get(f, "note"))))))
			goto fail;
	}
	/* legal_basis carries the publication decision and every labelled default */
	if (decision && (s = ts_arena_printf(a, "Quyết định công bố: %s.", decision)))
		ob_put(&lb, s, strlen(s));
	if (!json_is_integer(val)) {
		s = " [Chưa công bố] Cổng Dịch vụ công quốc gia không công bố thời hạn giải quyết; "
		    "hệ thống chưa có thời hạn cho thủ tục này.";
		ob_put(&lb, s, strlen(s));
	} else if (defaulted) {
		s = " [Mặc định demo] Cổng Dịch vụ công quốc gia chỉ ghi con số, không ghi đơn vị "
		    "thời hạn; tạm tính theo ngày làm việc.";
		ob_put(&lb, s, strlen(s));
	}
	if (multi) {
		s = " Cổng công bố nhiều mức thời hạn theo trường hợp; trường hợp chung dùng mức "
		    "đầu tiên của mỗi kênh.";
		ob_put(&lb, s, strlen(s));
	}
	if (!json_is_array(fees)) {
		s = ts_arena_printf(a, " [Chưa công bố] Phí, lệ phí: %s",
				    fee_note ? fee_note : "chưa công bố.");
		if (s)
			ob_put(&lb, s, strlen(s));
	}
	if (notes && (s = ts_arena_printf(a, " Ghi chú nguồn: %s", notes)))
		ob_put(&lb, s, strlen(s));
	if (url && (s = ts_arena_printf(a, " Nguồn: %s", url)))
		ob_put(&lb, s, strlen(s));
	if (lb.failed)
		goto fail;
	item = json_pack(
	    "{s:O, s:O, s:O, s:O, s:o, s:O, s:o, s:o, s:s, s:o, s:o, s:[{s:s, s:s, "
	    "s:b, s:o, s:o}]}",
	    "code", json_object_get(r, "code"), "name", json_object_get(r, "name"), "field",
	    json_object_get(r, "field") ? json_object_get(r, "field") : json_null(), "levels",
	    json_object_get(r, "levels") ? json_object_get(r, "levels") : json_null(),
	    "online_level",
	    ts_json_strornull(online && strcmp(online, "một phần") == 0	    ? "partial"
			      : online && strcmp(online, "toàn trình") == 0 ? "full"
									    : NULL),
	    "implementing_agency",
	    json_object_get(r, "implementing_agency") ? json_object_get(r, "implementing_agency")
						      : json_null(),
	    "legal_basis", ts_json_strornull(lb.p), "fees", outfees, "valid_from", valid_from,
	    "results", json_array(), "field_code",
	    ts_json_strornull(json_string_value(json_object_get(r, "field_code"))), "variants",
	    "code", "MAC_DINH", "name", "Trường hợp chung", "default", 1, "times", times,
	    "documents", outdocs);
	return item;
fail:
	json_decref(times);
	json_decref(outdocs);
	json_decref(outfees);
	return NULL;
}

int ts_catalog_import_sample(struct ts_ctx *ctx, const json_t *sample, const char *valid_from,
			     int *created, int *versioned, int *unchanged, struct ts_error *err)
{
	struct ts_arena *a = ctx->arena;
	json_t *procs, *doc;

	if (!json_is_array(sample))
		return ts_error_set(err, TS_ERR_VALIDATION, NULL,
				    "Tệp mẫu phải là một mảng JSON các thủ tục");
	if (!valid_from)
		valid_from = "2025-07-01";
	if (!(procs = ts_json_own(a, json_array())))
		return NOMEM(err);
	for (size_t i = 0; i < json_array_size(sample); i++) {
		const json_t *r = json_array_get(sample, i);
		json_t *item;
		if (!json_is_object(r) || !json_is_string(json_object_get(r, "code")) ||
		    !json_is_string(json_object_get(r, "name")))
			return ts_error_set(err, TS_ERR_VALIDATION,
					    ts_arena_printf(a, "sample/%zu", i),
					    "Bản ghi mẫu thiếu mã hoặc tên thủ tục");
		if (!(item = convert_record(a, r, valid_from)) ||
		    json_array_append_new(procs, item))
			return NOMEM(err);
	}
	if (!(doc = ts_json_own(a, json_pack("{s:O}", "procedures", procs))))
		return NOMEM(err);
	return ts_catalog_import_json(ctx, doc, created, versioned, unchanged, err);
}

/* ---- demo volume ------------------------------------------------------------------------------
 */

int ts_catalog_generate_demo(struct ts_ctx *ctx, int count, const char *valid_from, int *created,
			     struct ts_error *err)
{
	static const char *const fields[] = {"Hộ tịch",
					     "Chứng thực",
					     "Đất đai",
					     "Xây dựng",
					     "Đăng ký kinh doanh",
					     "Lao động",
					     "Giáo dục và đào tạo",
					     "Y tế",
					     "Giao thông vận tải",
					     "Văn hóa"};
	struct ts_arena *a = ctx->arena;
	json_t *procs, *doc;

	if (created)
		*created = 0;
	if (count < 0 || count > TS_CATALOG_IMPORT_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "count",
				    "Số thủ tục demo phải từ 0 đến %d", TS_CATALOG_IMPORT_MAX);
	if (!valid_from)
		valid_from = "2025-07-01";
	if (!(procs = ts_json_own(a, json_array())))
		return NOMEM(err);
	for (int i = 1; i <= count; i++) {
		const char *field = fields[i % 10];
		int days = 1 + i % 20, commune = i % 3 != 0;
		char code[16], name[160];
		json_t *item;
		snprintf(code, sizeof(code), "DEMO.%06d", i);
		snprintf(name, sizeof(name), "[DEMO] Thủ tục mẫu số %d thuộc lĩnh vực %s", i,
			 field);
		item = json_pack(
		    "{s:s, s:s, s:s, s:[s], s:s, s:s, s:s, s:[], s:[], s:[{s:s, s:s, s:b, "
		    "s:[{s:i,s:i,s:s},{s:i,s:i,s:s},{s:i,s:i,s:s}], s:[{s:s,s:i,s:i,s:b},"
		    "{s:s,s:i,s:i,s:b},{s:s,s:i,s:i,s:b}]}]}",
		    "code", code, "name", name, "field", field, "levels",
		    commune ? "Cấp xã" : "Cấp tỉnh", "implementing_agency",
		    commune ? "Ủy ban nhân dân cấp xã" : "Sở chuyên ngành (demo)", "legal_basis",
		    "[DEMO] Thủ tục sinh tự động để thử tải, không phải thủ tục hành chính thật.",
		    "valid_from", valid_from, "fees", "results", "variants", "code", "MAC_DINH",
		    "name", "Trường hợp chung", "default", 1, "times", "channel", 1, "amount", days,
		    "unit", "working_days", "channel", 2, "amount", days, "unit", "working_days",
		    "channel", 3, "amount", days + 2, "unit", "working_days", "documents", "name",
		    "Tờ khai (mẫu demo)", "originals", 1, "copies", 0, "required", 1, "name",
		    "Giấy tờ tùy thân có ảnh (demo) – xuất trình", "originals", 1, "copies", 0,
		    "required", 1, "name", "Văn bản ủy quyền (nếu ủy quyền) (demo)", "originals", 1,
		    "copies", 0, "required", 0);
		if (!item || json_array_append_new(procs, item))
			return NOMEM(err);
	}
	if (!(doc = ts_json_own(a, json_pack("{s:O}", "procedures", procs))))
		return NOMEM(err);
	return ts_catalog_import_json(ctx, doc, created, NULL, NULL, err);
}
