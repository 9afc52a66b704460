/* attach.c - the attachment rules: who may add a file to a dossier and when, the upload's
 * temporary file (hashed while written), the checks once it is complete (empty, type,
 * truncation, virus scan, caps), content-addressed storage in the blob folder, links with
 * their flags, re-use from the same applicant's dossiers, downloads. Access to a dossier
 * goes through dossier/ (ts_dossier_get); storage through sql/ * /queries/attach.sql. */
#include "attach/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/periodic.h"
#include "base/mem.h"
#include "dossier/dossier.h"
#include "stats/stats.h"

#define FIELD_MAX 256
#define FORM_OVERHEAD 65536 /* multipart framing and the plain fields around the file */

/* ---- settings -------------------------------------------------------------------------- */

static struct {
	char dir[PATH_MAX / 2];
	char clamd[256];
	int64_t max_file, max_dossier;
	int timeout_s;
	bool hold;
} opt = {"var/files", "", 20 << 20, 100 << 20, 60, false};

void ts_attach_defaults(struct ts_attach_options *o)
{
	*o = (struct ts_attach_options){.dir = "var/files", .max_file = 20 << 20,
					.max_dossier = 100 << 20, .clamd = "", .clamd_timeout_s = 60};
}

int ts_attach_policy_parse(const char *s)
{
	if (s && strcmp(s, "refuse") == 0)
		return 0;
	if (s && strcmp(s, "hold") == 0)
		return 1;
	return -1;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

int ts_attach_configure(const struct ts_attach_options *o, struct ts_error *err)
{
	char tmp[PATH_MAX];
	const char *c = o->clamd ? o->clamd : "";

	if (!o->dir || !*o->dir || strlen(o->dir) >= sizeof(opt.dir))
		return ts_error_set(err, TS_ERR_CONFIG, "attach.dir", "Thư mục lưu tệp không hợp lệ");
	if (*c && strncmp(c, "unix:", 5) != 0 && strncmp(c, "tcp:", 4) != 0)
		return ts_error_set(err, TS_ERR_CONFIG, "attach.clamd",
				    "attach.clamd phải có dạng unix:PATH hoặc tcp:HOST:PORT");
	if (strlen(c) >= sizeof(opt.clamd))
		return ts_error_set(err, TS_ERR_CONFIG, "attach.clamd", "attach.clamd quá dài");
	snprintf(tmp, sizeof(tmp), "%s/tmp", o->dir);
	if (mkdir_p(tmp) != 0)
		return ts_error_set(err, TS_ERR_IO, "attach.dir", "Không tạo được thư mục \"%s\"",
				    tmp);
	snprintf(opt.dir, sizeof(opt.dir), "%s", o->dir);
	snprintf(opt.clamd, sizeof(opt.clamd), "%s", c);
	opt.max_file = o->max_file > 0 ? o->max_file : 20 << 20;
	opt.max_dossier = o->max_dossier > 0 ? o->max_dossier : 100 << 20;
	opt.timeout_s = o->clamd_timeout_s > 0 ? o->clamd_timeout_s : 60;
	opt.hold = o->hold_when_down;
	return 0;
}

static const char *const kind_names[] = {"input", "result"};

const char *ts_attach_kind_name(int kind)
{
	return kind == TS_ATTACH_INPUT || kind == TS_ATTACH_RESULT ? kind_names[kind] : NULL;
}

int ts_attach_kind_parse(const char *s)
{
	for (int i = 0; s && i < 2; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

static int nomem(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---- blobs: <dir>/sha256/ab/cd/<hex> ------------------------------------------------ */

static void blob_path(char *out, size_t outsz, const char *hex)
{
	snprintf(out, outsz, "%s/sha256/%.2s/%.2s/%s", opt.dir, hex, hex + 2, hex);
}

/* Moves the finished temporary file to its content address. The same content arriving
 * twice (even at once) ends as one blob: link() refuses to replace an existing name. */
static int blob_commit(const char *tmp, const char *hex, bool *created, struct ts_error *err)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	*created = false;
	blob_path(path, sizeof(path), hex);
	snprintf(dir, sizeof(dir), "%s/sha256/%.2s/%.2s", opt.dir, hex, hex + 2);
	if (stat(path, &st) == 0)
		return 0;
	if (mkdir_p(dir) == 0 && link(tmp, path) == 0)
		*created = true;
	else if (errno != EEXIST) {
		ts_log(TS_LOG_ERROR, "cannot store a blob", "errno", strerror(errno), NULL);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không lưu được tệp");
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the new name survives a crash */
		close(dfd);
	}
	return 0;
}

static int blob_open(const char *hex, int *fd, struct ts_error *err)
{
	char path[PATH_MAX];

	blob_path(path, sizeof(path), hex);
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ts_log(TS_LOG_ERROR, "blob missing", "sha256", hex, NULL);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không đọc được tệp đã lưu");
	}
	return 0;
}

/* ---- scanning ----------------------------------------------------------------------- */

/* Scans fd when a scanner is configured: *status "clean" / "unscanned" (no scanner) /
 * "pending" (scanner down, held by policy). Infected -> TS_ERR_FILE_INFECTED; scanner
 * down and policy refuse -> TS_ERR_SCANNER_DOWN. */
static int scan(int fd, const char **status, char *detail, size_t detailsz, struct ts_error *err)
{
	enum ts_scan_result res;
	int rc;

	detail[0] = '\0';
	if (!opt.clamd[0]) {
		*status = "unscanned";
		return 0;
	}
	if ((rc = ts_clamd_scan(opt.clamd, opt.timeout_s, fd, &res, detail, detailsz, err)))
		return rc;
	switch (res) {
	case TS_SCAN_CLEAN:
		*status = "clean";
		return 0;
	case TS_SCAN_INFECTED:
		ts_log(TS_LOG_WARN, "upload refused: virus found", "signature", detail, NULL);
		return ts_error_set(err, TS_ERR_FILE_INFECTED, "file",
				    "Tệp bị trình quét virus phát hiện mã độc (%s), không được chấp nhận",
				    detail);
	case TS_SCAN_UNAVAILABLE:
		break;
	}
	ts_log(TS_LOG_WARN, "virus scanner unavailable", "reason", detail, "policy",
	       opt.hold ? "hold" : "refuse", NULL);
	if (!opt.hold)
		return ts_error_set(err, TS_ERR_SCANNER_DOWN, "file",
				    "Trình quét virus đang không hoạt động, tệp chưa được nhận; vui "
				    "lòng gửi lại sau ít phút");
	*status = "pending";
	return 0;
}

/* ---- rows --------------------------------------------------------------------------- */

static int64_t col_int(const struct ts_dbres *r, int row, const char *name)
{
	return ts_dbres_int(r, row, ts_dbres_col(r, name));
}

static const char *col_str(const struct ts_dbres *r, int row, const char *name)
{
	int c = ts_dbres_col(r, name);
	return c < 0 ? NULL : ts_dbres_get(r, row, c);
}

static void link_from_row(const struct ts_dbres *r, int i, struct ts_attach_link *l)
{
	memset(l, 0, sizeof(*l));
	l->id = col_int(r, i, "id");
	l->file_id = col_int(r, i, "file_id");
	l->dossier_code = col_str(r, i, "dossier_code");
	l->kind = ts_attach_kind_parse(col_str(r, i, "kind"));
	l->component = col_str(r, i, "component");
	l->name = col_str(r, i, "name");
	l->sha256 = col_str(r, i, "sha256");
	l->size = col_int(r, i, "size");
	l->mime = col_str(r, i, "mime");
	l->scan = col_str(r, i, "scan_status");
	l->scan_detail = col_str(r, i, "scan_detail");
	l->digitised = col_int(r, i, "digitised") != 0;
	l->reused = col_int(r, i, "reused") != 0;
	l->from_datastore = col_int(r, i, "from_datastore") != 0;
	l->source_id = col_int(r, i, "source_id");
	l->source_dossier_code = col_str(r, i, "source_dossier_code");
	l->added_by = col_str(r, i, "added_by_label");
	l->created_at = col_int(r, i, "created_at");
}

static int links_of(struct ts_dbconn *c, struct ts_arena *a, const char *query,
		    const struct ts_dbval *p, int np, struct ts_attach_link **items, int *n,
		    struct ts_error *err)
{
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, a, query, p, np, &r, err);

	if (rc)
		return rc;
	*items = ts_arena_zalloc(a, (size_t)(r->nrows + 1) * sizeof(**items));
	if (!*items)
		return nomem(err);
	for (int i = 0; i < r->nrows; i++)
		link_from_row(r, i, &(*items)[i]);
	*n = r->nrows;
	return 0;
}

/* ---- who may add ------------------------------------------------------------------- */

static bool is_citizen(const struct ts_actor *a)
{
	return a->account_id > 0 && (a->kind == TS_ACCT_CITIZEN || a->kind == TS_ACCT_BUSINESS);
}

static const char *actor_label(const struct ts_ctx *ctx)
{
	return ctx->actor.username ? ctx->actor.username : "system";
}

/* The actor can see d (ts_dossier_get said so); may they add (or remove) a file of kind
 * in d's current status? Applicants add inputs when submitting and when asked for a
 * supplement; officers who receive or process add inputs (digitising paper) until the
 * dossier is decided, and results while processing or when done. */
static int may_change(const struct ts_ctx *ctx, const struct ts_dossier *d, int kind,
		      struct ts_error *err)
{
	const struct ts_actor *a = &ctx->actor;

	if (is_citizen(a)) {
		if (kind != TS_ATTACH_INPUT)
			return ts_error_set(err, TS_ERR_FORBIDDEN, "kind",
					    "Chỉ cán bộ xử lý được đính kèm kết quả giải quyết");
		if (d->applicant_account_id != a->account_id)
			return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
		if (d->status != TS_DS_NEW && d->status != TS_DS_SUPPLEMENT)
			return ts_error_set(err, TS_ERR_CONFLICT, "status",
					    "Chỉ bổ sung tệp khi nộp hồ sơ hoặc khi được yêu cầu bổ "
					    "sung (hồ sơ đang ở trạng thái \"%s\")",
					    ts_dossier_status_title(d->status));
		return 0;
	}
	if (a->account_id > 0 || a->api_client_id > 0) {
		bool ok = kind == TS_ATTACH_INPUT ? ts_iam_has(a, TS_PERM_DOSSIER_RECEIVE) ||
							ts_iam_has(a, TS_PERM_DOSSIER_PROCESS)
						  : ts_iam_has(a, TS_PERM_DOSSIER_PROCESS) ||
							ts_iam_has(a, TS_PERM_DOSSIER_APPROVE);
		if (!ok)
			return ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
					    "Bạn chỉ có quyền xem tệp của hồ sơ này");
	}
	if (kind == TS_ATTACH_RESULT && d->status != TS_DS_PROCESSING && d->status != TS_DS_DONE)
		return ts_error_set(err, TS_ERR_CONFLICT, "status",
				    "Chỉ đính kèm kết quả khi hồ sơ đang xử lý hoặc đã xử lý xong "
				    "(hồ sơ đang ở trạng thái \"%s\")",
				    ts_dossier_status_title(d->status));
	if (kind == TS_ATTACH_INPUT && d->status != TS_DS_NEW && d->status != TS_DS_ACCEPTED &&
	    d->status != TS_DS_PROCESSING && d->status != TS_DS_SUPPLEMENT &&
	    d->status != TS_DS_PAYMENT)
		return ts_error_set(err, TS_ERR_CONFLICT, "status",
				    "Hồ sơ ở trạng thái \"%s\" không nhận thêm thành phần",
				    ts_dossier_status_title(d->status));
	return 0;
}

/* Is component one of the dossier's declared documents (inputs)? Results take any code. */
static int check_component(struct ts_arena *a, const struct ts_dossier_doc *docs, int ndocs,
			   int kind, const char *component, struct ts_error *err)
{
	struct ts_sbuf list;

	if (!component || !*component || strlen(component) > 64)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "component",
				    "Cần chọn thành phần hồ sơ (mã giấy tờ) hoặc mã kết quả của tệp");
	for (const char *p = component; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return ts_error_set(err, TS_ERR_VALIDATION, "component",
					    "Mã thành phần không hợp lệ");
	if (kind != TS_ATTACH_INPUT)
		return 0;
	ts_sbuf_init(&list, a);
	for (int i = 0; i < ndocs; i++) {
		if (docs[i].code && strcmp(docs[i].code, component) == 0)
			return 0;
		if (docs[i].code) {
			if (list.len)
				ts_sbuf_put(&list, ", ", 2);
			ts_sbuf_put(&list, docs[i].code, strlen(docs[i].code));
		}
	}
	return ts_error_set(err, TS_ERR_VALIDATION, "component",
			    "Thành phần \"%s\" không có trong hồ sơ (các thành phần: %s)", component,
			    list.buf ? list.buf : "không có");
}

/* ---- the write transaction of a new link --------------------------------------------- */

struct add_job {
	struct ts_ctx *ctx;
	const struct ts_dossier *d;
	const char *sha256, *mime, *scan_status, *scan_detail;
	int64_t size;
	int kind;
	const char *component, *name;
	bool digitised, reused, from_datastore;
	int64_t source_id;
	int64_t link_id;
	struct ts_attach_link out;
};

static int dossier_flags(struct ts_dbconn *c, struct ts_arena *a, int64_t dossier_id, bool *dig,
			 bool *reu, struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(dossier_id)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, a, "attach_document_flags", p, 1, &r, err);
	if (rc == 0) {
		*dig = ts_dbres_int(r, 0, 0) != 0;
		*reu = ts_dbres_int(r, 0, 1) != 0;
	}
	return rc;
}

/* Copies the new input's flags onto its component (dossier_document), where the
 * statistics count digitised and re-used components; an already accepted dossier moves in
 * the counters of its reception day at once (stats/). */
static int flag_component(struct ts_dbconn *c, struct ts_arena *a, const struct add_job *j,
			  struct ts_error *err)
{
	bool was_dig = false, was_reu = false, now_dig = false, now_reu = false;
	int rc;

	if ((rc = dossier_flags(c, a, j->d->id, &was_dig, &was_reu, err)))
		return rc;
	{
		struct ts_dbval p[] = {TS_DB_INT(j->d->id), TS_DB_TEXT(j->component),
				       TS_DB_INT(j->digitised), TS_DB_INT(j->reused),
				       TS_DB_INT(j->from_datastore)};
		if ((rc = ts_db_query(c, a, "attach_document_flag", p, 5, NULL, err)))
			return rc;
	}
	if ((rc = dossier_flags(c, a, j->d->id, &now_dig, &now_reu, err)))
		return rc;
	return ts_stats_on_documents(c, a, j->d, was_dig, was_reu, now_dig, now_reu, err);
}

static int add_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct add_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbres *r = NULL;
	int64_t now = now_s(), file_id, total;
	const char *status;
	int rc;

	{
		struct ts_dbval p[] = {TS_DB_INT(j->d->id)};
		if ((rc = ts_db_query(c, a, "attach_lock_dossier", p, 1, NULL, err)) ||
		    (rc = ts_db_query(c, a, "attach_dossier_total", p, 1, &r, err)))
			return rc;
		total = ts_dbres_int(r, 0, 0);
	}
	if (total + j->size > opt.max_dossier)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "file",
				    "Tổng dung lượng tệp của hồ sơ vượt quá %" PRId64
				    " MB cho phép (đã có %" PRId64 " byte, tệp này %" PRId64 " byte)",
				    opt.max_dossier >> 20, total, j->size);
	{
		bool scanned = strcmp(j->scan_status, "clean") == 0;
		struct ts_dbval p[] = {TS_DB_TEXT(j->sha256), TS_DB_INT(j->size), TS_DB_TEXT(j->mime),
				       TS_DB_TEXT(j->scan_status),
				       TS_DB_TEXT(j->scan_detail && *j->scan_detail ? j->scan_detail : NULL),
				       scanned ? TS_DB_INT(now) : TS_DB_NULL, TS_DB_INT(now)};
		if ((rc = ts_db_query(c, a, "attach_file_insert", p, 7, NULL, err)))
			return rc;
	}
	{
		struct ts_dbval p[] = {TS_DB_TEXT(j->sha256)};
		if ((rc = ts_db_query(c, a, "attach_file_get", p, 1, &r, err)))
			return rc;
		if (r->nrows != 1)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không lưu được tệp");
		file_id = ts_dbres_int(r, 0, 0);
		status = ts_dbres_get(r, 0, 4);
	}
	if (status && strcmp(status, "infected") == 0)
		return ts_error_set(err, TS_ERR_FILE_INFECTED, "file",
				    "Tệp này đã bị phát hiện có mã độc, không được chấp nhận");
	if (status && strcmp(status, "clean") != 0 && strcmp(j->scan_status, "clean") == 0) {
		/* the same content was held or unscanned before; it has a verdict now */
		struct ts_dbval p[] = {TS_DB_INT(file_id), TS_DB_TEXT("clean"), TS_DB_NULL,
				       TS_DB_INT(now)};
		if ((rc = ts_db_query(c, a, "attach_file_scanned", p, 4, NULL, err)))
			return rc;
	}
	{
		const struct ts_actor *ac = &j->ctx->actor;
		struct ts_dbval p[] = {TS_DB_INT(j->d->id),
				       TS_DB_INT(file_id),
				       TS_DB_TEXT(ts_attach_kind_name(j->kind)),
				       TS_DB_TEXT(j->component),
				       TS_DB_TEXT(j->name),
				       TS_DB_INT(j->digitised),
				       TS_DB_INT(j->reused),
				       TS_DB_INT(j->from_datastore),
				       j->source_id > 0 ? TS_DB_INT(j->source_id) : TS_DB_NULL,
				       ac->account_id > 0 ? TS_DB_INT(ac->account_id) : TS_DB_NULL,
				       TS_DB_TEXT(actor_label(j->ctx)),
				       TS_DB_INT(now)};
		if ((rc = ts_db_query(c, a, "attach_link_insert", p, 12, &r, err)))
			return rc;
	}
	j->link_id = ts_dbres_int(r, 0, 0);
	if (j->kind == TS_ATTACH_INPUT && (j->digitised || j->reused || j->from_datastore) &&
	    (rc = flag_component(c, a, j, err)))
		return rc;
	{
		int64_t link_id = j->link_id;
		struct ts_dbval p[] = {TS_DB_INT(link_id), TS_DB_INT(j->d->id)};
		struct ts_attach_link *items = NULL;
		int n = 0;
		const char *summary;
		if ((rc = links_of(c, a, "attach_link_get", p, 2, &items, &n, err)))
			return rc;
		if (n != 1)
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không lưu được tệp");
		j->out = items[0];
		summary = ts_arena_printf(a, "%s %s %s: %.12s %" PRId64 " byte%s", j->d->code,
					  ts_attach_kind_name(j->kind), j->component, j->sha256,
					  j->size, j->reused ? " (tái sử dụng)" : "");
		if (!summary)
			return nomem(err);
		return ts_audit_write(c, j->ctx, j->reused ? "dossier.file_reuse" : "dossier.file_add",
				      "dossier", j->d->code, summary, err);
	}
}

/* ---- uploads ------------------------------------------------------------------------ */

struct field {
	char v[FIELD_MAX + 1];
	size_t len;
	bool seen;
};

struct ts_attach_upload {
	struct ts_ctx *ctx;
	struct ts_dossier d;
	struct ts_dossier_doc *docs;
	int ndocs;
	int64_t existing; /* bytes already linked to the dossier */
	struct field component, kind, digitised, from_datastore;
	const char *filename; /* raw, as sent */
	bool have_file, in_file;
	struct field *cur;    /* plain field being read, NULL when in the file or ignored */
	char tmp[PATH_MAX];
	int fd;
	struct ts_sha256 h;
	uint64_t size;
};

static void upload_release(void *p)
{
	struct ts_attach_upload *u = p;
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if (u->tmp[0])
		unlink(u->tmp); /* the blob (if stored) is a second name of the same file */
	u->tmp[0] = '\0';
}

/* The bytes already linked to the dossier, so the stream stops as soon as it would not fit
 * (the write transaction checks again under the dossier's lock). */
static int total_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct ts_attach_upload *u = vjob;
	struct ts_dbval p[] = {TS_DB_INT(u->d.id)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, u->ctx->arena, "attach_dossier_total", p, 1, &r, err);
	if (rc == 0)
		u->existing = ts_dbres_int(r, 0, 0);
	return rc;
}

int ts_attach_upload_begin(struct ts_ctx *ctx, const char *dossier_code,
			   struct ts_attach_upload **out, uint64_t *cap, struct ts_error *err)
{
	struct ts_attach_upload *u = ts_arena_zalloc(ctx->arena, sizeof(*u));
	int rc;

	if (!u)
		return nomem(err);
	u->fd = -1;
	u->ctx = ctx;
	if ((rc = ts_dossier_get(ctx, dossier_code, &u->d, NULL, NULL, &u->docs, &u->ndocs, err)))
		return rc;
	/* refuse early what could never be accepted, whatever kind the form names */
	if ((rc = may_change(ctx, &u->d, TS_ATTACH_INPUT, err)) != 0) {
		struct ts_error e2 = {0};
		if (may_change(ctx, &u->d, TS_ATTACH_RESULT, &e2) != 0)
			return rc;
		ts_error_clear(err);
	}
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, total_tx, u, err)))
		return rc;
	if (u->existing >= opt.max_dossier)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "file",
				    "Hồ sơ đã dùng hết %" PRId64 " MB dung lượng tệp cho phép",
				    opt.max_dossier >> 20);
	if (ts_arena_on_release(ctx->arena, upload_release, u) != 0)
		return nomem(err);
	*cap = (uint64_t)opt.max_file + FORM_OVERHEAD;
	*out = u;
	return 0;
}

static int too_large_file(struct ts_error *err)
{
	return ts_error_set(err, TS_ERR_TOO_LARGE, "file",
			    "Tệp vượt quá dung lượng cho phép %" PRId64 " MB (%" PRId64 " byte)",
			    opt.max_file >> 20, opt.max_file);
}

int ts_attach_upload_part(struct ts_attach_upload *u, const char *field, const char *filename,
			  bool start, const char *data, size_t len, struct ts_error *err)
{
	if (start) {
		u->in_file = false;
		u->cur = NULL;
		if (filename || strcmp(field, "file") == 0) {
			if (u->have_file)
				return ts_error_set(err, TS_ERR_VALIDATION, "file",
						    "Mỗi lần chỉ gửi một tệp");
			u->have_file = u->in_file = true;
			u->filename = ts_arena_strdup(u->ctx->arena, filename ? filename : "");
			snprintf(u->tmp, sizeof(u->tmp), "%s/tmp/up-XXXXXX", opt.dir);
			u->fd = mkstemp(u->tmp);
			if (u->fd >= 0)
				fcntl(u->fd, F_SETFD, FD_CLOEXEC);
			if (u->fd < 0 || !u->filename) {
				u->tmp[0] = '\0';
				ts_log(TS_LOG_ERROR, "cannot create an upload file", "errno",
				       strerror(errno), NULL);
				return ts_error_set(err, TS_ERR_IO, NULL, "Không lưu được tệp tạm");
			}
			ts_sha256_init(&u->h);
		} else if (strcmp(field, "component") == 0) {
			u->cur = &u->component;
		} else if (strcmp(field, "kind") == 0) {
			u->cur = &u->kind;
		} else if (strcmp(field, "digitised") == 0) {
			u->cur = &u->digitised;
		} else if (strcmp(field, "from_datastore") == 0) {
			u->cur = &u->from_datastore;
		} else {
			return ts_error_set(err, TS_ERR_UNKNOWN_FIELD, field,
					    "Trường \"%s\" không được hỗ trợ", field);
		}
		if (u->cur) {
			if (u->cur->seen)
				return ts_error_set(err, TS_ERR_VALIDATION, field,
						    "Trường \"%s\" gửi hai lần", field);
			u->cur->seen = true;
		}
	}
	if (u->in_file) {
		if (len > (uint64_t)opt.max_file - u->size)
			return too_large_file(err);
		if ((int64_t)(u->size + len) + u->existing > opt.max_dossier)
			return ts_error_set(err, TS_ERR_TOO_LARGE, "file",
					    "Tổng dung lượng tệp của hồ sơ vượt quá %" PRId64 " MB",
					    opt.max_dossier >> 20);
		for (size_t off = 0; off < len;) {
			ssize_t w = write(u->fd, data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ts_log(TS_LOG_ERROR, "cannot write an upload file", "errno",
				       strerror(errno), NULL);
				return ts_error_set(err, TS_ERR_IO, NULL, "Không lưu được tệp tạm");
			}
			off += (size_t)w;
		}
		ts_sha256_update(&u->h, data, len);
		u->size += len;
		return 0;
	}
	if (u->cur) {
		if (len > FIELD_MAX - u->cur->len)
			return ts_error_set(err, TS_ERR_VALIDATION, field,
					    "Trường \"%s\" dài quá %d byte", field, FIELD_MAX);
		memcpy(u->cur->v + u->cur->len, data, len);
		u->cur->len += len;
		u->cur->v[u->cur->len] = '\0';
	}
	return 0;
}

static int parse_flag(const struct field *f, const char *name, bool *out, struct ts_error *err)
{
	*out = false;
	if (!f->seen || f->len == 0 || strcmp(f->v, "false") == 0 || strcmp(f->v, "0") == 0)
		return 0;
	if (strcmp(f->v, "true") == 0 || strcmp(f->v, "1") == 0) {
		*out = true;
		return 0;
	}
	return ts_error_set(err, TS_ERR_VALIDATION, name, "\"%s\" phải là true hoặc false", name);
}

int ts_attach_upload_finish(struct ts_attach_upload *u, struct ts_attach_link *out,
			    struct ts_error *err)
{
	struct add_job j = {.ctx = u->ctx, .d = &u->d};
	const struct ts_attach_type *type = NULL;
	char hex[65], detail[256];
	bool created = false;
	int kind, rc;

	kind = u->kind.seen && u->kind.len ? ts_attach_kind_parse(u->kind.v) : TS_ATTACH_INPUT;
	if (kind < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "kind",
				    "\"kind\" là input (thành phần hồ sơ) hoặc result (kết quả)");
	if ((rc = parse_flag(&u->digitised, "digitised", &j.digitised, err)) ||
	    (rc = parse_flag(&u->from_datastore, "from_datastore", &j.from_datastore, err)))
		return rc;
	if ((rc = may_change(u->ctx, &u->d, kind, err)) ||
	    (rc = check_component(u->ctx->arena, u->docs, u->ndocs, kind,
				  u->component.seen ? u->component.v : NULL, err)))
		return rc;
	if (!u->have_file)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "file",
				    "Không nhận được tệp nào (trường \"file\")");
	if (u->size == 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "file",
				    "Tệp rỗng (0 byte): không nhận tệp không có nội dung");
	if (fsync(u->fd) != 0)
		return ts_error_set(err, TS_ERR_IO, NULL, "Không lưu được tệp tạm");
	ts_sha256_final(&u->h, hex, sizeof(hex));
	if ((rc = ts_attach_detect(u->tmp, u->size, &type, err)))
		return rc;
	if ((rc = scan(u->fd, &j.scan_status, detail, sizeof(detail), err)))
		return rc;
	if ((rc = blob_commit(u->tmp, hex, &created, err)))
		return rc;
	j.sha256 = hex;
	j.mime = type->mime;
	j.scan_detail = detail;
	j.size = (int64_t)u->size;
	j.kind = kind;
	j.component = u->component.v;
	j.name = ts_attach_clean_name(u->ctx->arena, u->filename);
	if (!j.name)
		return nomem(err);
	{
		/* the name says what the content is: add the right extension when it differs */
		const char *dot = strrchr(j.name, '.');
		bool same = dot && strcasecmp(dot + 1, type->ext) == 0;
		if (!same && strcmp(type->ext, "jpg") == 0 && dot)
			same = strcasecmp(dot + 1, "jpeg") == 0;
		if (!same && !(j.name = ts_arena_printf(u->ctx->arena, "%s.%s", j.name, type->ext)))
			return nomem(err);
	}
	if ((rc = ts_db_tx(u->ctx->db, TS_DB_TX_WRITE, add_tx, &j, err))) {
		if (rc == TS_ERR_FILE_INFECTED && created) {
			/* known infected (quarantined earlier): keep it out of the blob folder */
			char path[PATH_MAX];
			blob_path(path, sizeof(path), hex);
			unlink(path);
		}
		return rc;
	}
	*out = j.out;
	return 0;
}

/* ---- re-use -------------------------------------------------------------------------- */

struct src_job {
	struct ts_ctx *ctx;
	int64_t id;
	struct ts_attach_link link;
	int64_t applicant;
	bool found;
};

static int src_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct src_job *j = vjob;
	struct ts_dbval p[] = {TS_DB_INT(j->id), TS_DB_INT(0)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, j->ctx->arena, "attach_link_get", p, 2, &r, err);

	if (rc)
		return rc;
	if (r->nrows == 1) {
		link_from_row(r, 0, &j->link);
		j->applicant = col_int(r, 0, "applicant_account_id");
		j->found = true;
	}
	return 0;
}

int ts_attach_reuse(struct ts_ctx *ctx, const char *dossier_code, int64_t source_id, int kind,
		    const char *component, bool digitised, struct ts_attach_link *out,
		    struct ts_error *err)
{
	struct ts_dossier d, sd;
	struct ts_dossier_doc *docs = NULL;
	struct src_job s = {.ctx = ctx, .id = source_id};
	int ndocs = 0, rc;

	if ((rc = ts_dossier_get(ctx, dossier_code, &d, NULL, NULL, &docs, &ndocs, err)))
		return rc;
	if (kind < 0)
		kind = TS_ATTACH_INPUT;
	if ((rc = may_change(ctx, &d, kind, err)) ||
	    (rc = check_component(ctx->arena, docs, ndocs, kind, component, err)))
		return rc;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, src_tx, &s, err)))
		return rc;
	/* only the same applicant's files, from a dossier this actor may see as well */
	if (!s.found || s.applicant <= 0 || s.applicant != d.applicant_account_id ||
	    ts_dossier_get(ctx, s.link.dossier_code, &sd, NULL, NULL, NULL, NULL, err) != 0) {
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_NOT_FOUND, "source_id",
				    "Không tìm thấy tệp để tái sử dụng trong các hồ sơ trước của "
				    "người nộp");
	}
	if (sd.id == d.id)
		return ts_error_set(err, TS_ERR_VALIDATION, "source_id",
				    "Tệp đã thuộc hồ sơ này");
	if (!s.link.scan || (strcmp(s.link.scan, "clean") && strcmp(s.link.scan, "unscanned")))
		return ts_error_set(err, TS_ERR_FILE_HELD, "source_id",
				    "Tệp nguồn chưa qua kiểm tra virus");
	struct add_job j = {.ctx = ctx,
			    .d = &d,
			    .sha256 = s.link.sha256,
			    .mime = s.link.mime,
			    .scan_status = s.link.scan,
			    .size = s.link.size,
			    .kind = kind,
			    .component = component,
			    .name = s.link.name,
			    .digitised = digitised || s.link.digitised,
			    .reused = true,
			    .source_id = s.link.id};
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, add_tx, &j, err)))
		return rc;
	*out = j.out;
	return 0;
}

/* ---- reads --------------------------------------------------------------------------- */

struct list_job {
	struct ts_ctx *ctx;
	const char *query;
	struct ts_dbval p[2];
	int np;
	struct ts_attach_link *items;
	int n;
};

static int list_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct list_job *j = vjob;
	return links_of(c, j->ctx->arena, j->query, j->p, j->np, &j->items, &j->n, err);
}

int ts_attach_list(struct ts_ctx *ctx, const char *dossier_code, struct ts_attach_link **items,
		   int *n, struct ts_error *err)
{
	struct ts_dossier d;
	struct list_job j = {.ctx = ctx, .query = "attach_links", .np = 1};
	int rc;

	if ((rc = ts_dossier_get(ctx, dossier_code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	j.p[0] = TS_DB_INT(d.id);
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &j, err)))
		return rc;
	*items = j.items;
	*n = j.n;
	return 0;
}

struct comp_job {
	struct ts_ctx *ctx;
	int64_t dossier_id;
	struct ts_dbres *r;
};

static int comp_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct comp_job *j = vjob;
	struct ts_dbval p[] = {TS_DB_INT(j->dossier_id)};
	return ts_db_query(c, j->ctx->arena, "attach_documents", p, 1, &j->r, err);
}

int ts_attach_components(struct ts_ctx *ctx, const char *dossier_code,
			 struct ts_attach_component **items, int *n, struct ts_error *err)
{
	struct ts_dossier d;
	struct comp_job j = {.ctx = ctx};
	int rc;

	*n = 0;
	if ((rc = ts_dossier_get(ctx, dossier_code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	j.dossier_id = d.id;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, comp_tx, &j, err)))
		return rc;
	*items = ts_arena_zalloc(ctx->arena, (size_t)(j.r->nrows + 1) * sizeof(**items));
	if (!*items)
		return nomem(err);
	for (int i = 0; i < j.r->nrows; i++) {
		struct ts_attach_component *x = &(*items)[i];
		x->code = col_str(j.r, i, "doc_code");
		x->name = col_str(j.r, i, "name");
		x->originals = (int)col_int(j.r, i, "originals");
		x->copies = (int)col_int(j.r, i, "copies");
		x->digitised = col_int(j.r, i, "digitised") != 0;
		x->reused = col_int(j.r, i, "reused") != 0;
		x->from_datastore = col_int(j.r, i, "from_datastore") != 0;
	}
	*n = j.r->nrows;
	return 0;
}

int ts_attach_reusable(struct ts_ctx *ctx, const char *dossier_code,
		       struct ts_attach_link **items, int *n, struct ts_error *err)
{
	struct ts_dossier d, sd;
	struct list_job j = {.ctx = ctx, .query = "attach_reusable", .np = 2};
	int rc, k = 0;

	*n = 0;
	if ((rc = ts_dossier_get(ctx, dossier_code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	*items = ts_arena_zalloc(ctx->arena, sizeof(**items));
	if (!*items)
		return nomem(err);
	if (d.applicant_account_id <= 0)
		return 0; /* a person without an account: nothing of theirs is linked to them */
	j.p[0] = TS_DB_INT(d.applicant_account_id);
	j.p[1] = TS_DB_INT(d.id);
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &j, err)))
		return rc;
	/* keep only what this actor may also see (officers: their units' dossiers) */
	const char *last = NULL;
	bool last_ok = false;
	for (int i = 0; i < j.n; i++) {
		const char *code = j.items[i].dossier_code;
		if (!last || strcmp(last, code) != 0) {
			struct ts_error e = {0};
			last_ok = ts_dossier_get(ctx, code, &sd, NULL, NULL, NULL, NULL, &e) == 0;
			last = code;
		}
		if (last_ok)
			j.items[k++] = j.items[i];
	}
	*items = j.items;
	*n = k;
	return 0;
}

struct remove_job {
	struct ts_ctx *ctx;
	const struct ts_dossier *d;
	int64_t id;
};

static int remove_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct remove_job *j = vjob;
	struct ts_arena *a = j->ctx->arena;
	struct ts_dbval p[] = {TS_DB_INT(j->id), TS_DB_INT(j->d->id)};
	struct ts_attach_link *items = NULL;
	struct ts_dbres *r = NULL;
	int n = 0, rc;

	if ((rc = links_of(c, a, "attach_link_get", p, 2, &items, &n, err)))
		return rc;
	if (n != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy tệp trong hồ sơ");
	if ((rc = may_change(j->ctx, j->d, items[0].kind, err)))
		return rc;
	{
		struct ts_dbval q[] = {TS_DB_INT(j->id), TS_DB_INT(j->d->id), TS_DB_INT(now_s())};
		if ((rc = ts_db_query(c, a, "attach_link_remove", q, 3, &r, err)))
			return rc;
	}
	return ts_audit_write(c, j->ctx, "dossier.file_remove", "dossier", j->d->code,
			      ts_arena_printf(a, "%s %s %s: %.12s", j->d->code,
					      ts_attach_kind_name(items[0].kind), items[0].component,
					      items[0].sha256),
			      err);
}

int ts_attach_remove(struct ts_ctx *ctx, const char *dossier_code, int64_t link_id,
		     struct ts_error *err)
{
	struct ts_dossier d;
	struct remove_job j = {.ctx = ctx, .d = &d, .id = link_id};
	int rc;

	if ((rc = ts_dossier_get(ctx, dossier_code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, remove_tx, &j, err);
}

/* ---- downloads and held files ---------------------------------------------------------- */

/* <dir>/quarantine/<hex>: where an infected blob is moved, out of reach of every link. */
static void quarantine(const char *hex)
{
	char from[PATH_MAX], to[PATH_MAX], dir[PATH_MAX / 2 + 16];

	blob_path(from, sizeof(from), hex);
	snprintf(dir, sizeof(dir), "%s/quarantine", opt.dir);
	snprintf(to, sizeof(to), "%s/%.64s", dir, hex);
	if (mkdir_p(dir) != 0 || (rename(from, to) != 0 && errno != ENOENT))
		ts_log(TS_LOG_ERROR, "cannot quarantine an infected file", "sha256", hex, "errno",
		       strerror(errno), NULL);
}

struct verdict_job {
	struct ts_db *db;
	int64_t id;
	const char *hex, *status, *detail;
	struct ts_arena *a;
	bool given; /* this call gave the verdict (not another node before it) */
};

/* Records the verdict; an infected file is announced on every dossier it is linked to: an
 * audit row on the dossier and an outbox notice (topic dossier.file_infected) naming the
 * dossier's assignee, in the same transaction. */
static int verdict_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct verdict_job *j = vjob;
	struct ts_dbval p[] = {TS_DB_INT(j->id), TS_DB_TEXT(j->status),
			       TS_DB_TEXT(j->detail && *j->detail ? j->detail : NULL),
			       TS_DB_INT(now_s())};
	struct ts_dbres *r = NULL;
	struct ts_ctx sys;
	int rc;

	if ((rc = ts_db_query(c, j->a, "attach_file_scanned", p, 4, &r, err)))
		return rc;
	j->given = r->nrows > 0;
	if (!j->given || strcmp(j->status, "infected") != 0)
		return 0;
	{
		struct ts_dbval q[] = {TS_DB_INT(j->id)};
		if ((rc = ts_db_query(c, j->a, "attach_file_links_live", q, 1, &r, err)))
			return rc;
	}
	ts_ctx_init_cli(&sys, j->db, j->a);
	for (int i = 0; i < r->nrows; i++) {
		const char *code = col_str(r, i, "dossier_code");
		int64_t assignee = col_int(r, i, "assignee_account_id");
		char *payload = NULL, *summary;
		json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "dossier_code", code,
				      "file_id", (json_int_t)col_int(r, i, "id"), "name",
				      col_str(r, i, "name"), "component", col_str(r, i, "component"),
				      "sha256", j->hex, "signature", j->detail ? j->detail : "",
				      "assignee_account_id",
				      assignee > 0 ? json_integer((json_int_t)assignee) : json_null());
		if (o) {
			payload = json_dumps(o, JSON_COMPACT);
			json_decref(o);
		}
		if (!payload)
			return nomem(err);
		{
			struct ts_dbval q[] = {TS_DB_TEXT("dossier.file_infected"), TS_DB_TEXT(code),
					       TS_DB_TEXT(payload), TS_DB_INT(now_s())};
			rc = ts_db_query(c, j->a, "attach_outbox_insert", q, 4, NULL, err);
		}
		free(payload);
		if (rc)
			return rc;
		summary = ts_arena_printf(j->a, "%s %s %s: %.12s có mã độc (%s), đã cách ly", code,
					  col_str(r, i, "kind"), col_str(r, i, "component"), j->hex,
					  j->detail ? j->detail : "");
		if (!summary)
			return nomem(err);
		if ((rc = ts_audit_write(c, &sys, "dossier.file_infected", "dossier", code, summary,
					 err)))
			return rc;
	}
	return 0;
}

/* Scans a held blob again; *status becomes "clean" / "infected" when clamd answers (an
 * infected blob is then quarantined), stays as it was when clamd is still down. */
static int rescan(struct ts_db *db, struct ts_arena *a, int64_t file_id, const char *hex,
		  const char **status, struct ts_error *err)
{
	enum ts_scan_result res;
	char detail[256];
	int fd, rc;

	if (!opt.clamd[0])
		return 0;
	if ((rc = blob_open(hex, &fd, err)))
		return rc;
	rc = ts_clamd_scan(opt.clamd, opt.timeout_s, fd, &res, detail, sizeof(detail), err);
	close(fd);
	if (rc || res == TS_SCAN_UNAVAILABLE)
		return rc;
	struct verdict_job j = {.db = db, .id = file_id, .hex = hex,
				.status = res == TS_SCAN_CLEAN ? "clean" : "infected",
				.detail = ts_arena_strdup(a, detail), .a = a};
	if (!j.detail)
		return nomem(err);
	if ((rc = ts_db_tx(db, TS_DB_TX_WRITE, verdict_tx, &j, err)))
		return rc;
	if (res == TS_SCAN_INFECTED) {
		ts_log(TS_LOG_WARN, "held file found infected", "signature", detail, NULL);
		quarantine(hex);
	}
	*status = j.status;
	return 0;
}

int ts_attach_open(struct ts_ctx *ctx, const char *dossier_code, int64_t link_id,
		   struct ts_attach_link *link, int *fd, struct ts_error *err)
{
	struct ts_dossier d;
	struct list_job j = {.ctx = ctx, .query = "attach_link_get", .np = 2};
	int rc;

	*fd = -1;
	if ((rc = ts_dossier_get(ctx, dossier_code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	j.p[0] = TS_DB_INT(link_id);
	j.p[1] = TS_DB_INT(d.id);
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, list_tx, &j, err)))
		return rc;
	if (j.n != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy tệp trong hồ sơ");
	*link = j.items[0];
	if (strcmp(link->scan, "pending") == 0 &&
	    (rc = rescan(ctx->db, ctx->arena, link->file_id, link->sha256, &link->scan, err)))
		return rc;
	if (strcmp(link->scan, "pending") == 0)
		return ts_error_set(err, TS_ERR_FILE_HELD, NULL,
				    "Tệp đang chờ trình quét virus kiểm tra, vui lòng thử lại sau");
	if (strcmp(link->scan, "infected") == 0)
		return ts_error_set(err, TS_ERR_FILE_INFECTED, NULL,
				    "Tệp bị phát hiện có mã độc khi kiểm tra lại, không tải xuống được");
	return blob_open(link->sha256, fd, err);
}

/* ---- the periodic re-scan ---------------------------------------------------------------- */

struct claim_job {
	struct ts_arena *a;
	int64_t id;
	const char *hex;
};

static int claim_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct claim_job *j = vjob;
	int64_t now = now_s();
	/* the lease outlives one scan (clamd may take timeout_s per socket operation) */
	struct ts_dbval p[] = {TS_DB_INT(now), TS_DB_INT(now + 3 * (int64_t)opt.timeout_s + 60)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, j->a, "attach_file_claim", p, 2, &r, err);

	j->id = 0;
	if (rc == 0 && r->nrows == 1) {
		j->id = ts_dbres_int(r, 0, 0);
		j->hex = ts_arena_strdup(j->a, ts_dbres_get(r, 0, 1));
		if (!j->hex)
			return nomem(err);
	}
	return rc;
}

static int release_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct claim_job *j = vjob;
	struct ts_dbval p[] = {TS_DB_INT(j->id)};
	return ts_db_query(c, j->a, "attach_file_release", p, 1, NULL, err);
}

static int count_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct claim_job *j = vjob;
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, j->a, "attach_files_pending_count", NULL, 0, &r, err);
	if (rc == 0)
		j->id = ts_dbres_int(r, 0, 0);
	return rc;
}

int ts_attach_rescan_pending(struct ts_db *db, int max, struct ts_attach_rescan *out,
			     struct ts_error *err)
{
	struct ts_arena a;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!opt.clamd[0])
		return ts_error_set(err, TS_ERR_CONFIG, "attach.clamd",
				    "Chưa cấu hình trình quét virus (attach.clamd)");
	ts_arena_init(&a, 0);
	for (int i = 0; i < (max > 0 ? max : 100) && !out->scanner_down; i++) {
		struct claim_job cj = {.a = &a};
		const char *status = "pending";
		if ((rc = ts_db_tx(db, TS_DB_TX_WRITE, claim_tx, &cj, err)))
			goto out;
		if (!cj.id)
			break; /* nothing held, or all of it claimed by other nodes */
		if ((rc = rescan(db, &a, cj.id, cj.hex, &status, err))) {
			/* this file only (its blob unreadable ...): it keeps its lease, so the next
			 * passes skip it for a while, and this pass goes on with the others */
			ts_log(TS_LOG_ERROR, "cannot re-scan a held file", "sha256", cj.hex, "error",
			       err->detail, NULL);
			ts_error_clear(err);
			rc = 0;
			out->failed++;
			continue;
		}
		if (strcmp(status, "clean") == 0) {
			out->clean++;
		} else if (strcmp(status, "infected") == 0) {
			out->infected++;
		} else {
			/* clamd still down: give the file back and stop this pass */
			out->scanner_down = true;
			if ((rc = ts_db_tx(db, TS_DB_TX_WRITE, release_tx, &cj, err)))
				goto out;
		}
	}
	{
		struct claim_job cj = {.a = &a};
		if ((rc = ts_db_tx(db, TS_DB_TX_READ, count_tx, &cj, err)))
			goto out;
		out->still_held = cj.id;
	}
out:
	ts_arena_release(&a);
	return rc;
}

static struct ts_periodic rescanner = TS_PERIODIC_INIT;

static void rescan_once(void *db)
{
	struct ts_attach_rescan res;
	struct ts_error err = {0};
	char n[4][24];

	if (ts_attach_rescan_pending(db, 100, &res, &err) != 0) {
		ts_log(TS_LOG_ERROR, "file re-scan failed", "error", err.detail, NULL);
	} else if (res.clean || res.infected || res.failed) {
		snprintf(n[0], sizeof(n[0]), "%d", res.clean);
		snprintf(n[1], sizeof(n[1]), "%d", res.infected);
		snprintf(n[2], sizeof(n[2]), "%lld", (long long)res.still_held);
		snprintf(n[3], sizeof(n[3]), "%d", res.failed);
		ts_log(TS_LOG_INFO, "held files re-scanned", "#clean", n[0], "#infected", n[1],
		       "#still_held", n[2], "#failed", n[3], NULL);
	}
}

int ts_attach_rescanner_start(struct ts_db *db, int interval_s, struct ts_error *err)
{
	if (!opt.clamd[0] || interval_s <= 0)
		return 0;
	if (ts_periodic_start(&rescanner, interval_s, rescan_once, db))
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "cannot start the file re-scan");
	return 0;
}

void ts_attach_rescanner_stop(void)
{
	ts_periodic_stop(&rescanner);
}
