/* org.c - rules of the organisation tree (DOMAIN.md §2): agency codes, kinds, creating,
 * reading, moving and closing units, list and subtree queries, and the all-or-nothing
 * import used by `tinhso demo` / `tinhso import`. Storage only through db.h named queries
 * (sql/common/queries/org.sql); never sees HTTP (org_http.c is the adapter). */
#include "org/org.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/cache.h"

#define NAME_MAX_CHARS 255
#define SHORT_NAME_MAX_CHARS 50
#define Q_MAX_CHARS 100
#define LIST_DEFAULT 50

/* ---- pure rules ---------------------------------------------------------------------- */

static const struct {
	const char *name, *title;
} kinds[] = {
#define X(n, s, vi) {s, vi},
    TS_UNIT_KIND_TABLE(X)
#undef X
};

int ts_org_kind_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < TS_UNIT_KIND__COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return i;
	return -1;
}

const char *ts_org_kind_name(int kind)
{
	return kind >= 0 && kind < TS_UNIT_KIND__COUNT ? kinds[kind].name : NULL;
}

const char *ts_org_kind_title(int kind)
{
	return kind >= 0 && kind < TS_UNIT_KIND__COUNT ? kinds[kind].title : NULL;
}

int ts_org_check_agency_code(const char *code, const char *field, struct ts_error *err)
{
	size_t seg = 0, i;

	if (!field)
		field = "code";
	if (!code || !*code)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "Mã định danh đơn vị không được để trống");
	for (i = 0; code[i]; i++) {
		char ch = code[i];
		if (i >= TS_ORG_CODE_MAX)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Mã định danh đơn vị dài tối đa %d ký tự",
					    TS_ORG_CODE_MAX);
		if (ch == '.') {
			if (seg == 0)
				return ts_error_set(
				    err, TS_ERR_VALIDATION, field,
				    "Mã định danh đơn vị không được bắt đầu bằng dấu "
				    "chấm hay có hai dấu chấm liền nhau");
			seg = 0;
		} else if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) {
			seg++;
		} else {
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Mã định danh đơn vị chỉ gồm chữ số, chữ in hoa không "
					    "dấu và dấu chấm (ký tự thứ %zu không hợp lệ)",
					    i + 1);
		}
	}
	if (seg == 0)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "Mã định danh đơn vị không được kết thúc bằng dấu chấm");
	return 0;
}

int ts_org_check_date(const char *s, const char *field, struct ts_error *err)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, i, max;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		goto bad;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			goto bad;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12)
		goto bad;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	if (d < 1 || d > max)
		goto bad;
	return 0;
bad:
	return ts_error_set(err, TS_ERR_VALIDATION, field,
			    "Ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2025-07-01)");
}

/* Code points in a UTF-8 string (already valid: it came through jansson or the spec). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0u) != 0x80u)
			n++;
	return n;
}

static int check_name(const char *s, const char *field, struct ts_error *err)
{
	if (!s)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, field, "Thiếu tên đơn vị");
	if (!*s)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "Tên đơn vị không được để trống");
	if (utf8_chars(s) > NAME_MAX_CHARS)
		return ts_error_set(err, TS_ERR_VALIDATION, field, "Tên đơn vị dài tối đa %d ký tự",
				    NAME_MAX_CHARS);
	return 0;
}

static int check_short_name(const char *s, const char *field, struct ts_error *err)
{
	if (s && utf8_chars(s) > SHORT_NAME_MAX_CHARS)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "Tên viết tắt dài tối đa %d ký tự", SHORT_NAME_MAX_CHARS);
	return 0;
}

/* Today in Vietnam (UTC+7), as YYYY-MM-DD. */
static void today_vn(char out[11])
{
	time_t t = time(NULL) + 7 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Is the unit in force on date d? */
static int in_force(const struct ts_unit *u, const char *d)
{
	return strcmp(u->valid_from, d) <= 0 && (!u->valid_to || strcmp(u->valid_to, d) > 0);
}

/* ---- rows -------------------------------------------------------------------------- */

static const char *str_or_null(const struct ts_dbres *r, int row, int col)
{
	return col < 0 ? NULL : ts_dbres_get(r, row, col);
}

/* Fills out from row of a result carrying the org_unit_get columns (children_count and
 * depth when present). Strings stay in the result's arena. */
static void unit_from_row(const struct ts_dbres *r, int row, struct ts_unit *out)
{
	int cc = ts_dbres_col(r, "children_count"), dp = ts_dbres_col(r, "depth");

	memset(out, 0, sizeof(*out));
	out->id = ts_dbres_int(r, row, ts_dbres_col(r, "id"));
	out->code = str_or_null(r, row, ts_dbres_col(r, "code"));
	out->name = str_or_null(r, row, ts_dbres_col(r, "name"));
	out->short_name = str_or_null(r, row, ts_dbres_col(r, "short_name"));
	out->kind = ts_org_kind_parse(str_or_null(r, row, ts_dbres_col(r, "kind")));
	out->parent_id = ts_dbres_int(r, row, ts_dbres_col(r, "parent_id"));
	out->valid_from = str_or_null(r, row, ts_dbres_col(r, "valid_from"));
	out->valid_to = str_or_null(r, row, ts_dbres_col(r, "valid_to"));
	out->successor_id = ts_dbres_int(r, row, ts_dbres_col(r, "successor_id"));
	out->version = ts_dbres_int(r, row, ts_dbres_col(r, "version"));
	out->created_at = ts_dbres_int(r, row, ts_dbres_col(r, "created_at"));
	out->updated_at = ts_dbres_int(r, row, ts_dbres_col(r, "updated_at"));
	out->children_count = cc >= 0 ? ts_dbres_int(r, row, cc) : -1;
	out->depth = dp >= 0 ? (int)ts_dbres_int(r, row, dp) : 0;
	if (!out->valid_from)
		out->valid_from = "";
}

/* Loads unit id. TS_ERR_NOT_FOUND without touching err (the caller names the field), or
 * a DB error with err set. */
static int load_unit(struct ts_dbconn *c, struct ts_arena *a, int64_t id, struct ts_unit *out,
		     struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(id)};
	struct ts_dbres *r = NULL;
	int rc;

	if (id <= 0)
		return TS_ERR_NOT_FOUND;
	rc = ts_db_query(c, a, "org_unit_get", p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0)
		return TS_ERR_NOT_FOUND;
	unit_from_row(r, 0, out);
	return 0;
}

/* Id of the unit with code, 0 when none (returns 0), or a DB error. */
static int id_by_code(struct ts_dbconn *c, struct ts_arena *a, const char *code, int64_t *id,
		      struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_TEXT(code)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, a, "org_unit_id_by_code", p, 1, &r, err);

	*id = 0;
	if (rc)
		return rc;
	if (r->nrows > 0)
		*id = ts_dbres_int(r, 0, 0);
	return 0;
}

/* ---- create ------------------------------------------------------------------------ */

/* Pure checks of a new unit; field names given by the caller (API or import). */
struct new_fields {
	const char *code, *name, *short_name, *kind, *parent, *valid_from;
};
static const struct new_fields api_fields = {"code", "name",	  "short_name",
					     "kind", "parent_id", "valid_from"};

static int check_new(const struct ts_unit_new *in, const struct new_fields *f, struct ts_error *err)
{
	int rc;

	if ((rc = ts_org_check_agency_code(in->code, f->code, err)))
		return rc;
	if ((rc = check_name(in->name, f->name, err)))
		return rc;
	if ((rc = check_short_name(in->short_name, f->short_name, err)))
		return rc;
	if (!ts_org_kind_name(in->kind))
		return ts_error_set(err, TS_ERR_VALIDATION, f->kind, "Loại đơn vị không hợp lệ");
	if (in->parent_id < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, f->parent,
				    "Mã số đơn vị cấp trên không hợp lệ");
	if (in->valid_from && (rc = ts_org_check_date(in->valid_from, f->valid_from, err)))
		return rc;
	return 0;
}

/* Inserts a checked unit inside the caller's transaction: parent exists and is in force
 * on valid_from, permission over the parent, code free, insert, audit. */
static int insert_unit(struct ts_dbconn *c, struct ts_ctx *ctx, const struct ts_unit_new *in,
		       const char *valid_from, const struct new_fields *f, int64_t *id,
		       struct ts_error *err)
{
	struct ts_arena *a = ctx->arena;
	struct ts_unit parent;
	struct ts_dbres *r = NULL;
	int64_t taken = 0;
	char idbuf[24];
	const char *summary;
	int rc;

	if (in->parent_id > 0) {
		rc = load_unit(c, a, in->parent_id, &parent, err);
		if (rc == TS_ERR_NOT_FOUND)
			return ts_error_set(err, TS_ERR_VALIDATION, f->parent,
					    "Đơn vị cấp trên không tồn tại");
		if (rc)
			return rc;
		if (parent.valid_to && strcmp(parent.valid_to, valid_from) <= 0)
			return ts_error_set(err, TS_ERR_VALIDATION, f->parent,
					    "Đơn vị cấp trên \"%s\" đã thôi hoạt động từ ngày %s",
					    parent.code, parent.valid_to);
	}
	rc = ts_iam_require_unit(ctx, c, TS_PERM_ORG_WRITE, in->parent_id, err);
	if (rc)
		return rc;
	rc = id_by_code(c, a, in->code, &taken, err);
	if (rc)
		return rc;
	if (taken)
		return ts_error_set(err, TS_ERR_CONFLICT, f->code,
				    "Mã định danh \"%s\" đã được dùng cho đơn vị khác", in->code);
	{
		struct ts_dbval p[] = {
		    TS_DB_TEXT(in->code),
		    TS_DB_TEXT(in->name),
		    TS_DB_TEXT(in->short_name && *in->short_name ? in->short_name : NULL),
		    TS_DB_TEXT(ts_org_kind_name(in->kind)),
		    in->parent_id > 0 ? TS_DB_INT(in->parent_id) : TS_DB_NULL,
		    TS_DB_TEXT(valid_from),
		    TS_DB_INT(time(NULL)),
		};
		rc = ts_db_query(c, a, "org_unit_insert", p, 7, &r, err);
	}
	if (rc == TS_ERR_CONFLICT) {
		/* lost a race for the code with another node: say so in our words */
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_CONFLICT, f->code,
				    "Mã định danh \"%s\" đã được dùng cho đơn vị khác", in->code);
	}
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không nhận được mã số đơn vị mới");
	*id = ts_dbres_int(r, 0, 0);
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, *id);
	summary = ts_arena_printf(a, "%s %s", in->code, in->name);
	if (!summary)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_audit_write(c, ctx, "unit.create", "unit", idbuf, summary, err);
}

struct create_job {
	struct ts_ctx *ctx;
	const struct ts_unit_new *in;
	const char *valid_from;
	int64_t id;
};

static int create_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct create_job *job = vjob;
	job->id = 0;
	return insert_unit(c, job->ctx, job->in, job->valid_from, &api_fields, &job->id, err);
}

int ts_org_unit_create(struct ts_ctx *ctx, const struct ts_unit_new *in, int64_t *id,
		       struct ts_error *err)
{
	struct create_job job = {ctx, in, NULL, 0};
	char today[11];
	int rc;

	if ((rc = check_new(in, &api_fields, err)))
		return rc;
	today_vn(today);
	job.valid_from = in->valid_from ? in->valid_from : today;
	rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, create_tx, &job, err);
	if (rc == 0 && id)
		*id = job.id;
	return rc;
}

/* ---- reads ------------------------------------------------------------------------- */

struct by_code_job {
	struct ts_ctx *ctx;
	const char *code;
	int64_t id;
};

static int by_code_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct by_code_job *job = vjob;
	return id_by_code(c, job->ctx->arena, job->code, &job->id, err);
}

int ts_org_unit_by_code(struct ts_ctx *ctx, const char *code, int64_t *id, struct ts_error *err)
{
	struct by_code_job job = {ctx, code, 0};
	int rc;

	if ((rc = ts_org_check_agency_code(code, "code", err)))
		return rc;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, by_code_tx, &job, err)))
		return rc;
	if (!job.id)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "code",
				    "Không tìm thấy đơn vị có mã định danh \"%s\"", code);
	*id = job.id;
	return 0;
}

struct get_job {
	struct ts_ctx *ctx;
	int64_t id;
	struct ts_unit *out, *parent, *successor;
};

static int get_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct get_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	int rc = load_unit(c, a, job->id, job->out, err);

	if (rc == TS_ERR_NOT_FOUND)
		return ts_error_set(err, rc, "id", "Không tìm thấy đơn vị có mã số %" PRId64,
				    job->id);
	if (rc)
		return rc;
	if (job->parent) {
		memset(job->parent, 0, sizeof(*job->parent));
		rc = load_unit(c, a, job->out->parent_id, job->parent, err);
		if (rc && rc != TS_ERR_NOT_FOUND)
			return rc;
	}
	if (job->successor) {
		memset(job->successor, 0, sizeof(*job->successor));
		rc = load_unit(c, a, job->out->successor_id, job->successor, err);
		if (rc && rc != TS_ERR_NOT_FOUND)
			return rc;
	}
	return 0;
}

int ts_org_unit_get(struct ts_ctx *ctx, int64_t id, struct ts_unit *out, struct ts_unit *parent,
		    struct ts_unit *successor, struct ts_error *err)
{
	struct get_job job = {ctx, id, out, parent, successor};

	if (id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id",
				    "Không tìm thấy đơn vị có mã số %" PRId64, id);
	return ts_db_tx(ctx->db, TS_DB_TX_READ, get_tx, &job, err);
}

/* Copies the rows of r into an arena array. */
static int units_from_res(struct ts_arena *a, const struct ts_dbres *r, struct ts_unit **items,
			  int *n, struct ts_error *err)
{
	*n = 0;
	*items = ts_arena_zalloc(a, sizeof(**items) * (size_t)(r->nrows > 0 ? r->nrows : 1));
	if (!*items)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < r->nrows; i++)
		unit_from_row(r, i, &(*items)[i]);
	*n = r->nrows;
	return 0;
}

struct list_job {
	struct ts_ctx *ctx;
	const struct ts_unit_filter *f;
	const char *pattern;
	int limit;
	struct ts_unit *items;
	int n;
	int64_t total;
	int want_total;
};

static int list_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct list_job *job = vjob;
	const struct ts_unit_filter *f = job->f;
	static const char *const modes[] = {"any", "roots", "id"};
	struct ts_dbres *r = NULL;
	int rc;
	struct ts_dbval p[] = {
	    TS_DB_TEXT(modes[f->parent_mode]),
	    f->parent_mode == TS_UNIT_PARENT_ID ? TS_DB_INT(f->parent_id) : TS_DB_NULL,
	    TS_DB_TEXT(f->kind >= 0 ? ts_org_kind_name(f->kind) : NULL),
	    TS_DB_TEXT(job->pattern),
	    TS_DB_TEXT(f->at),
	    TS_DB_INT(job->limit),
	    TS_DB_INT(f->offset),
	};

	rc = ts_db_query(c, job->ctx->arena, "org_unit_list", p, 7, &r, err);
	if (rc)
		return rc;
	if ((rc = units_from_res(job->ctx->arena, r, &job->items, &job->n, err)))
		return rc;
	job->total = job->n;
	if (job->want_total && (job->n == job->limit || (job->n == 0 && f->offset > 0))) {
		rc = ts_db_query(c, job->ctx->arena, "org_unit_count", p, 5, &r, err);
		if (rc)
			return rc;
		job->total = ts_dbres_int(r, 0, 0);
	} else {
		job->total = (int64_t)f->offset + job->n;
	}
	return 0;
}

/* LIKE pattern "%q%" with q lower-cased (ASCII) and '%', '_', '\' escaped by '\'. */
static char *like_pattern(struct ts_arena *a, const char *q)
{
	size_t n = strlen(q), j = 0;
	char *p = ts_arena_alloc(a, 2 * n + 3);

	if (!p)
		return NULL;
	p[j++] = '%';
	for (size_t i = 0; i < n; i++) {
		char ch = q[i];
		if (ch == '%' || ch == '_' || ch == '\\')
			p[j++] = '\\';
		p[j++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

int ts_org_unit_list(struct ts_ctx *ctx, const struct ts_unit_filter *f, struct ts_unit **items,
		     int *n, int64_t *total, struct ts_error *err)
{
	struct list_job job = {.ctx = ctx, .f = f, .want_total = total != NULL};
	int rc;

	*items = NULL;
	*n = 0;
	if (f->parent_mode < TS_UNIT_PARENT_ANY || f->parent_mode > TS_UNIT_PARENT_ID ||
	    (f->parent_mode == TS_UNIT_PARENT_ID && f->parent_id <= 0))
		return ts_error_set(err, TS_ERR_VALIDATION, "parent",
				    "Đơn vị cấp trên phải là mã số đơn vị hoặc \"root\"");
	if (f->kind != -1 && !ts_org_kind_name(f->kind))
		return ts_error_set(err, TS_ERR_VALIDATION, "kind", "Loại đơn vị không hợp lệ");
	if (f->limit < 0 || f->limit > TS_ORG_LIST_MAX)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit",
				    "Số dòng mỗi trang phải từ 1 đến %d", TS_ORG_LIST_MAX);
	if (f->offset < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "offset",
				    "Vị trí bắt đầu không được âm");
	if (f->at && (rc = ts_org_check_date(f->at, "at", err)))
		return rc;
	job.limit = f->limit ? f->limit : LIST_DEFAULT;
	if (f->q && *f->q) {
		if (utf8_chars(f->q) > Q_MAX_CHARS)
			return ts_error_set(err, TS_ERR_VALIDATION, "q",
					    "Từ khóa tìm kiếm dài tối đa %d ký tự", Q_MAX_CHARS);
		if (!(job.pattern = like_pattern(ctx->arena, f->q)))
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &job, err)))
		return rc;
	*items = job.items;
	*n = job.n;
	if (total)
		*total = job.total;
	return 0;
}

struct subtree_job {
	struct ts_ctx *ctx;
	int64_t id;
	const char *at;
	struct ts_unit *items;
	int n;
};

static int subtree_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct subtree_job *job = vjob;
	struct ts_unit root;
	struct ts_dbres *r = NULL;
	struct ts_dbval p[] = {TS_DB_INT(job->id), TS_DB_TEXT(job->at)};
	int rc = load_unit(c, job->ctx->arena, job->id, &root, err);

	if (rc == TS_ERR_NOT_FOUND)
		return ts_error_set(err, rc, "id", "Không tìm thấy đơn vị có mã số %" PRId64,
				    job->id);
	if (rc)
		return rc;
	if ((rc = ts_db_query(c, job->ctx->arena, "org_unit_subtree", p, 2, &r, err)))
		return rc;
	return units_from_res(job->ctx->arena, r, &job->items, &job->n, err);
}

int ts_org_unit_subtree(struct ts_ctx *ctx, int64_t id, const char *at, struct ts_unit **items,
			int *n, struct ts_error *err)
{
	struct subtree_job job = {ctx, id, at, NULL, 0};
	int rc;

	*items = NULL;
	*n = 0;
	if (id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id",
				    "Không tìm thấy đơn vị có mã số %" PRId64, id);
	if (at && (rc = ts_org_check_date(at, "at", err)))
		return rc;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, subtree_tx, &job, err)))
		return rc;
	*items = job.items;
	*n = job.n;
	return 0;
}

/* ---- update ------------------------------------------------------------------------ */

struct update_job {
	struct ts_ctx *ctx;
	int64_t id;
	const struct ts_unit_update *in;
	int64_t new_version;
};

/* Is candidate inside the subtree rooted at root (root included)? */
static int in_subtree(struct ts_dbconn *c, struct ts_arena *a, int64_t root, int64_t candidate,
		      int *inside, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(root), TS_DB_INT(candidate)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, a, "org_unit_in_subtree", p, 2, &r, err);

	if (rc)
		return rc;
	*inside = ts_dbres_int(r, 0, 0) > 0;
	return 0;
}

/* Appends ", what" to the audit summary. */
static int note(struct ts_arena *a, const char **summary, const char *what)
{
	if (!what)
		return TS_ERR_NOMEM;
	*summary = ts_arena_printf(a, "%s%s%s", *summary, **summary ? ", " : "", what);
	return *summary ? 0 : TS_ERR_NOMEM;
}

static int update_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct update_job *job = vjob;
	const struct ts_unit_update *in = job->in;
	struct ts_arena *a = job->ctx->arena;
	struct ts_unit u, other;
	struct ts_dbres *r = NULL;
	const char *summary = "";
	char idbuf[24], today[11];
	int rc, inside = 0;

	rc = load_unit(c, a, job->id, &u, err);
	if (rc == TS_ERR_NOT_FOUND)
		return ts_error_set(err, rc, "id", "Không tìm thấy đơn vị có mã số %" PRId64,
				    job->id);
	if (rc)
		return rc;
	if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_ORG_WRITE, u.id, err)))
		return rc;
	if (u.version != in->version)
		return ts_error_set(
		    err, TS_ERR_CONFLICT, "version",
		    "Đơn vị đã được người khác thay đổi (phiên bản hiện tại là %" PRId64
		    "); vui lòng tải lại rồi thử lại",
		    u.version);

	if (in->set & TS_UNIT_SET_NAME) {
		if ((rc = check_name(in->name, "name", err)))
			return rc;
		if (strcmp(in->name, u.name) != 0 && (rc = note(a, &summary, "name")))
			goto nomem;
		u.name = in->name;
	}
	if (in->set & TS_UNIT_SET_SHORT_NAME) {
		if ((rc = check_short_name(in->short_name, "short_name", err)))
			return rc;
		u.short_name = in->short_name && *in->short_name ? in->short_name : NULL;
		if ((rc = note(a, &summary, "short_name")))
			goto nomem;
	}
	if (in->set & TS_UNIT_SET_KIND) {
		if (!ts_org_kind_name(in->kind))
			return ts_error_set(err, TS_ERR_VALIDATION, "kind",
					    "Loại đơn vị không hợp lệ");
		u.kind = in->kind;
		if ((rc = note(a, &summary,
			       ts_arena_printf(a, "kind=%s", ts_org_kind_name(in->kind)))))
			goto nomem;
	}
	if ((in->set & TS_UNIT_SET_PARENT) && in->parent_id != u.parent_id) {
		if (in->parent_id < 0)
			return ts_error_set(err, TS_ERR_VALIDATION, "parent_id",
					    "Mã số đơn vị cấp trên không hợp lệ");
		if (in->parent_id > 0) {
			rc = load_unit(c, a, in->parent_id, &other, err);
			if (rc == TS_ERR_NOT_FOUND)
				return ts_error_set(err, TS_ERR_VALIDATION, "parent_id",
						    "Đơn vị cấp trên không tồn tại");
			if (rc)
				return rc;
			if ((rc = in_subtree(c, a, u.id, in->parent_id, &inside, err)))
				return rc;
			if (inside)
				return ts_error_set(err, TS_ERR_VALIDATION, "parent_id",
						    "Không thể chuyển đơn vị vào bên dưới chính nó "
						    "hoặc một đơn vị trực thuộc nó");
		}
		if ((rc = ts_iam_require_unit(job->ctx, c, TS_PERM_ORG_WRITE, in->parent_id, err)))
			return rc;
		u.parent_id = in->parent_id;
		if ((rc = note(a, &summary, ts_arena_printf(a, "parent=%" PRId64, in->parent_id))))
			goto nomem;
	}
	if (in->set & TS_UNIT_SET_VALID_TO) {
		if (in->valid_to) {
			if ((rc = ts_org_check_date(in->valid_to, "valid_to", err)))
				return rc;
			if (strcmp(in->valid_to, u.valid_from) < 0)
				return ts_error_set(err, TS_ERR_VALIDATION, "valid_to",
						    "Ngày thôi hoạt động không được trước ngày bắt "
						    "đầu hoạt động (%s)",
						    u.valid_from);
		}
		u.valid_to = in->valid_to;
		if ((rc = note(
			 a, &summary,
			 ts_arena_printf(a, "valid_to=%s", in->valid_to ? in->valid_to : "null"))))
			goto nomem;
	}
	if (in->set & TS_UNIT_SET_SUCCESSOR) {
		if (in->successor_id < 0)
			return ts_error_set(err, TS_ERR_VALIDATION, "successor_id",
					    "Mã số đơn vị kế thừa không hợp lệ");
		u.successor_id = in->successor_id;
		if ((rc = note(a, &summary,
			       ts_arena_printf(a, "successor=%" PRId64, in->successor_id))))
			goto nomem;
	}
	if ((in->set & (TS_UNIT_SET_SUCCESSOR | TS_UNIT_SET_VALID_TO)) && u.successor_id > 0) {
		/* the successor must be another unit, in force on the day this one closes */
		const char *day = u.valid_to;
		if (u.successor_id == u.id)
			return ts_error_set(err, TS_ERR_VALIDATION, "successor_id",
					    "Đơn vị không thể kế thừa chính nó");
		rc = load_unit(c, a, u.successor_id, &other, err);
		if (rc == TS_ERR_NOT_FOUND)
			return ts_error_set(err, TS_ERR_VALIDATION, "successor_id",
					    "Đơn vị kế thừa không tồn tại");
		if (rc)
			return rc;
		if (!day) {
			today_vn(today);
			day = today;
		}
		if (!in_force(&other, day))
			return ts_error_set(err, TS_ERR_VALIDATION, "successor_id",
					    "Đơn vị kế thừa \"%s\" không có hiệu lực vào ngày %s",
					    other.code, day);
	}
	if (!*summary)
		summary = "no change";

	{
		struct ts_dbval p[] = {
		    TS_DB_INT(u.id),
		    TS_DB_INT(in->version),
		    TS_DB_TEXT(u.name),
		    TS_DB_TEXT(u.short_name),
		    TS_DB_TEXT(ts_org_kind_name(u.kind) ? ts_org_kind_name(u.kind) : "other"),
		    u.parent_id > 0 ? TS_DB_INT(u.parent_id) : TS_DB_NULL,
		    TS_DB_TEXT(u.valid_to),
		    u.successor_id > 0 ? TS_DB_INT(u.successor_id) : TS_DB_NULL,
		    TS_DB_INT(time(NULL)),
		};
		rc = ts_db_query(c, a, "org_unit_update", p, 9, &r, err);
	}
	if (rc)
		return rc;
	if (r->changes != 1)
		return ts_error_set(
		    err, TS_ERR_CONFLICT, "version",
		    "Đơn vị đã được người khác thay đổi; vui lòng tải lại rồi thử lại");
	job->new_version = in->version + 1;
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, u.id);
	summary = ts_arena_printf(a, "%s: %s", u.code, summary);
	if (!summary)
		goto nomem;
	return ts_audit_write(c, job->ctx, "unit.update", "unit", idbuf, summary, err);
nomem:
	return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

int ts_org_unit_update(struct ts_ctx *ctx, int64_t id, const struct ts_unit_update *in,
		       int64_t *new_version, struct ts_error *err)
{
	struct update_job job = {ctx, id, in, 0};
	int rc;

	if (id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id",
				    "Không tìm thấy đơn vị có mã số %" PRId64, id);
	if (!(in->set & (TS_UNIT_SET_NAME | TS_UNIT_SET_SHORT_NAME | TS_UNIT_SET_KIND |
			 TS_UNIT_SET_PARENT | TS_UNIT_SET_VALID_TO | TS_UNIT_SET_SUCCESSOR)))
		return ts_error_set(err, TS_ERR_VALIDATION, NULL,
				    "Không có thông tin nào cần cập nhật");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, update_tx, &job, err)))
		return rc;
	if (new_version)
		*new_version = job.new_version;
	return 0;
}

/* ---- import ------------------------------------------------------------------------ */

struct import_item {
	struct ts_unit_new u;
	const char *parent_code;
	int parent_index; /* earlier item holding the parent, -1 = stored already or root */
	struct new_fields f;
};

struct import_job {
	struct ts_ctx *ctx;
	struct import_item *items;
	int n;
	const char *today;
	int64_t *ids;
	int created, existing;
};

static const char *item_field(struct ts_arena *a, int i, const char *name)
{
	return ts_arena_printf(a, "units/%d/%s", i, name);
}

/* Optional string member: absent or null -> NULL (0); not a string -> error. */
static int member_str(const json_t *obj, const char *key, const char *field, const char **out,
		      struct ts_error *err)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "Giá trị phải là một chuỗi ký tự");
	*out = json_string_value(v);
	return 0;
}

/* Checks one unit of the document (pure). */
static int import_check_item(struct ts_arena *a, const json_t *obj, int i,
			     struct import_item *items, struct ts_error *err)
{
	static const char *const allowed[] = {"code",	     "kind",	   "name",
					      "parent_code", "short_name", "valid_from"};
	struct import_item *it = &items[i];
	const char *key, *kind = NULL;
	const json_t *v;
	int rc;

	if (!json_is_object(obj))
		return ts_error_set(err, TS_ERR_VALIDATION, ts_arena_printf(a, "units/%d", i),
				    "Mỗi đơn vị phải là một đối tượng JSON");
	json_object_foreach((json_t *)obj, key, v)
	{
		size_t k, nallowed = sizeof(allowed) / sizeof(allowed[0]);
		for (k = 0; k < nallowed && strcmp(allowed[k], key) != 0; k++)
			;
		if (k == nallowed)
			return ts_error_set(err, TS_ERR_UNKNOWN_FIELD, item_field(a, i, key),
					    "Trường dữ liệu không được hỗ trợ");
	}
	it->f.code = item_field(a, i, "code");
	it->f.name = item_field(a, i, "name");
	it->f.short_name = item_field(a, i, "short_name");
	it->f.kind = item_field(a, i, "kind");
	it->f.parent = item_field(a, i, "parent_code");
	it->f.valid_from = item_field(a, i, "valid_from");
	if (!it->f.code || !it->f.name || !it->f.short_name || !it->f.kind || !it->f.parent ||
	    !it->f.valid_from)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if ((rc = member_str(obj, "code", it->f.code, &it->u.code, err)) ||
	    (rc = member_str(obj, "name", it->f.name, &it->u.name, err)) ||
	    (rc = member_str(obj, "short_name", it->f.short_name, &it->u.short_name, err)) ||
	    (rc = member_str(obj, "kind", it->f.kind, &kind, err)) ||
	    (rc = member_str(obj, "parent_code", it->f.parent, &it->parent_code, err)) ||
	    (rc = member_str(obj, "valid_from", it->f.valid_from, &it->u.valid_from, err)))
		return rc;
	if (!it->u.code)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, it->f.code,
				    "Thiếu mã định danh đơn vị");
	if (!kind)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, it->f.kind, "Thiếu loại đơn vị");
	it->u.kind = ts_org_kind_parse(kind);
	if (it->u.kind < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, it->f.kind,
				    "Loại đơn vị \"%s\" không hợp lệ", kind);
	if ((rc = check_new(&it->u, &it->f, err)))
		return rc;
	it->parent_index = -1;
	for (int j = 0; j < i; j++)
		if (strcmp(items[j].u.code, it->u.code) == 0)
			return ts_error_set(err, TS_ERR_VALIDATION, it->f.code,
					    "Mã định danh \"%s\" bị trùng với đơn vị thứ %d",
					    it->u.code, j);
	if (it->parent_code) {
		if ((rc = ts_org_check_agency_code(it->parent_code, it->f.parent, err)))
			return rc;
		if (strcmp(it->parent_code, it->u.code) == 0)
			return ts_error_set(err, TS_ERR_VALIDATION, it->f.parent,
					    "Đơn vị không thể là cấp trên của chính nó");
		for (int j = 0; j < i; j++)
			if (strcmp(items[j].u.code, it->parent_code) == 0)
				it->parent_index = j;
	}
	return 0;
}

static int import_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct import_job *job = vjob;
	struct ts_arena *a = job->ctx->arena;
	int rc;

	job->created = job->existing = 0;
	for (int i = 0; i < job->n; i++) {
		struct import_item *it = &job->items[i];
		struct ts_unit_new u = it->u;

		if ((rc = id_by_code(c, a, u.code, &job->ids[i], err)))
			return rc;
		if (job->ids[i]) {
			job->existing++;
			continue;
		}
		if (it->parent_index >= 0) {
			u.parent_id = job->ids[it->parent_index];
		} else if (it->parent_code) {
			if ((rc = id_by_code(c, a, it->parent_code, &u.parent_id, err)))
				return rc;
			if (!u.parent_id)
				return ts_error_set(err, TS_ERR_VALIDATION, it->f.parent,
						    "Đơn vị cấp trên \"%s\" không có trong tệp (ở "
						    "trước đơn vị này) cũng như trong hệ thống",
						    it->parent_code);
		}
		rc = insert_unit(c, job->ctx, &u, u.valid_from ? u.valid_from : job->today, &it->f,
				 &job->ids[i], err);
		if (rc)
			return rc;
		job->created++;
	}
	return 0;
}

int ts_org_import(struct ts_ctx *ctx, const json_t *doc, int *created, int *existing,
		  struct ts_error *err)
{
	struct import_job job = {.ctx = ctx};
	const json_t *units;
	char today[11];
	size_t n;
	int rc;

	if (created)
		*created = 0;
	if (existing)
		*existing = 0;
	if (!json_is_object(doc))
		return ts_error_set(err, TS_ERR_VALIDATION, NULL,
				    "Tệp danh sách đơn vị phải là một đối tượng JSON");
	units = json_object_get(doc, "units");
	if (!units)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "units", "Thiếu danh sách đơn vị");
	if (!json_is_array(units))
		return ts_error_set(err, TS_ERR_VALIDATION, "units",
				    "Danh sách đơn vị phải là một mảng");
	n = json_array_size(units);
	if (n > TS_ORG_IMPORT_MAX)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "units",
				    "Mỗi lần chỉ nhập tối đa %d đơn vị", TS_ORG_IMPORT_MAX);
	job.n = (int)n;
	job.items = ts_arena_zalloc(ctx->arena, sizeof(*job.items) * (n ? n : 1));
	job.ids = ts_arena_zalloc(ctx->arena, sizeof(*job.ids) * (n ? n : 1));
	if (!job.items || !job.ids)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < job.n; i++)
		if ((rc = import_check_item(ctx->arena, json_array_get(units, (size_t)i), i,
					    job.items, err)))
			return rc;
	/* parents before children: a parent_code naming a later unit is an ordering mistake */
	for (int i = 0; i < job.n; i++) {
		const struct import_item *it = &job.items[i];
		if (!it->parent_code || it->parent_index >= 0)
			continue;
		for (int j = i + 1; j < job.n; j++)
			if (strcmp(job.items[j].u.code, it->parent_code) == 0)
				return ts_error_set(
				    err, TS_ERR_VALIDATION, it->f.parent,
				    "Đơn vị cấp trên \"%s\" phải đứng trước đơn vị này "
				    "trong danh sách (đang ở vị trí %d)",
				    it->parent_code, j);
	}
	today_vn(today);
	job.today = today;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, import_tx, &job, err)))
		return rc;
	if (created)
		*created = job.created;
	if (existing)
		*existing = job.existing;
	return 0;
}

/* ---- lookups for other modules ----------------------------------------------------------- */

int ts_org_unit_code(struct ts_dbconn *c, struct ts_arena *a, int64_t id, const char **code,
		     struct ts_error *err)
{
	bool fill = false;
	struct ts_cache *cache = ts_db_cache(c, &fill);
	struct ts_dbval p[] = {TS_DB_INT(id)};
	struct ts_dbres *r = NULL;
	struct ts_arena *va;
	char *copy;
	int rc;

	if ((*code = ts_cache_get(cache, TS_CACHE_UNIT_CODE, id, 0, a)))
		return 0;
	if (id <= 0 || (rc = ts_db_query(c, a, "org_unit_code", p, 1, &r, err)) == 0) {
		if (id <= 0 || r->nrows == 0 || !ts_dbres_get(r, 0, 0))
			return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Đơn vị không tồn tại");
		*code = ts_dbres_get(r, 0, 0);
		if (!fill)
			return 0;
		if (!(va = ts_arena_new(0)) || !(copy = ts_arena_strdup(va, *code))) {
			ts_arena_free(va);
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		}
		if (!(*code = ts_cache_put(cache, TS_CACHE_UNIT_CODE, id, 0, va, copy, a)))
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	return rc;
}
