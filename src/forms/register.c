/* register.c - the spreadsheets of forms/: the dossier register (sổ theo dõi hồ sơ,
 * DOMAIN.md §7) of a unit for a period, and a work queue exported as shown, as XLSX through
 * libxlsxwriter (the only file that sees <xlsxwriter.h>), which writes to a file: a
 * temporary one, unlinked once reopened, so the caller streams it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "calendar/calendar.h"
#include "forms/forms.h"

#define REGISTER_MAX_ROWS 50000
#define QUEUE_MAX_ROWS 10000

struct reg_job {
	struct ts_ctx *ctx;
	int64_t unit, from, to;
	struct ts_dbres *r;
};

static int reg_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct reg_job *j = vjob;
	int rc;

	if ((rc = ts_iam_require_unit(j->ctx, c, TS_PERM_DOSSIER_READ, j->unit, err)))
		return rc;
	struct ts_dbval p[] = {TS_DB_INT(j->unit), TS_DB_INT(j->from), TS_DB_INT(j->to),
			       TS_DB_INT(REGISTER_MAX_ROWS + 1)};
	return ts_db_query(c, j->ctx->arena, "forms_register", p, 4, &j->r, err);
}

/* "dd/mm/yyyy hh:mm" in UTC+7; "" for 0. */
static const char *fmt_unix(char *buf, size_t n, int64_t at)
{
	struct tm tm;
	time_t t;
	if (at <= 0)
		return "";
	t = (time_t)(at + TS_TZ_OFFSET);
	gmtime_r(&t, &tm);
	snprintf(buf, n, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min);
	return buf;
}

static const char *fmt_time(char *buf, size_t n, const char *cell)
{
	if (!cell || !*cell)
		return "";
	return fmt_unix(buf, n, strtoll(cell, NULL, 10));
}

/* Local (UTC+7) yyyymmdd of unix time at. */
static int local_ymd(int64_t at)
{
	struct tm tm;
	time_t t = (time_t)(at + TS_TZ_OFFSET);
	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* A workbook written to a temporary file (constant memory: rows go to disk as written). */
struct book {
	char path[64];
	lxw_workbook *wb;
};

static int book_open(struct book *b, struct ts_error *err)
{
	lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	int tfd;

	snprintf(b->path, sizeof(b->path), "/tmp/tinhso-xlsx-XXXXXX");
	if ((tfd = mkstemp(b->path)) < 0)
		return ts_error_set(err, TS_ERR_IO, NULL, "Không tạo được tệp tạm");
	close(tfd);
	if (!(b->wb = workbook_new_opt(b->path, &o))) {
		unlink(b->path);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp XLSX");
	}
	return 0;
}

/* Closes the workbook and hands over its file, already unlinked: *fd, *size. */
static int book_finish(struct book *b, int *fd, uint64_t *size, struct ts_error *err)
{
	struct stat st;
	int tfd;

	if (workbook_close(b->wb) != LXW_NO_ERROR) {
		unlink(b->path);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp XLSX");
	}
	tfd = open(b->path, O_RDONLY | O_CLOEXEC);
	unlink(b->path);
	if (tfd < 0 || fstat(tfd, &st) != 0) {
		if (tfd >= 0)
			close(tfd);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không đọc được tệp XLSX");
	}
	*fd = tfd;
	*size = (uint64_t)st.st_size;
	return 0;
}

int ts_forms_register_xlsx(struct ts_ctx *ctx, int64_t unit_id, int64_t from, int64_t to,
			   int *fd, uint64_t *size, struct ts_error *err)
{
	static const char *const head[] = {
	    "STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Tên người nộp", "Địa chỉ",
	    "Cơ quan chủ trì giải quyết", "Ngày nhận hồ sơ", "Ngày hẹn trả kết quả",
	    "Ngày chuyển hồ sơ (tiếp nhận)", "Ngày có kết quả", "Ngày trả kết quả", "Ghi chú"};
	static const double widths[] = {6, 28, 48, 26, 30, 32, 17, 17, 17, 17, 17, 24};
	struct reg_job j = {.ctx = ctx, .unit = unit_id, .from = from, .to = to};
	const struct ts_form_set *set = ts_form_set_for(local_ymd(to - 1));
	struct book b;
	int rc;

	*fd = -1;
	if (unit_id <= 0 || from >= to)
		return ts_error_set(err, TS_ERR_VALIDATION, "from", "Kỳ không hợp lệ (từ ngày phải trước đến ngày)");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, reg_tx, &j, err)))
		return rc;
	if (j.r->nrows > REGISTER_MAX_ROWS)
		return ts_error_set(err, TS_ERR_TOO_LARGE, NULL,
				    "Sổ có hơn %d hồ sơ, hãy chọn kỳ ngắn hơn", REGISTER_MAX_ROWS);
	if ((rc = book_open(&b, err)))
		return rc;
	lxw_workbook *wb = b.wb;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "So theo doi ho so");
	lxw_format *bold = workbook_add_format(wb);
	lxw_format *title = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_text_wrap(bold);
	format_set_border(bold, LXW_BORDER_THIN);
	format_set_align(bold, LXW_ALIGN_CENTER);
	format_set_bold(title);
	format_set_font_size(title, 14);
	worksheet_write_string(ws, 0, 0, "SỔ THEO DÕI HỒ SƠ", title);
	if (set->register_number) {
		char num[96];
		snprintf(num, sizeof(num), "Mẫu số %s - Thông tư %s", set->register_number, set->circular);
		worksheet_write_string(ws, 1, 0, num, NULL);
	}
	for (lxw_col_t c = 0; c < 12; c++) {
		worksheet_set_column(ws, c, c, widths[c], NULL);
		worksheet_write_string(ws, 2, c, head[c], bold);
	}
	for (int i = 0; i < j.r->nrows; i++) {
		char t[6][64];
		lxw_row_t row = (lxw_row_t)(i + 3);
		const char *form = ts_dbres_get(j.r, i, 4), *addr = NULL;
		json_t *f = form ? json_loads(form, 0, NULL) : NULL;
		int status = (int)ts_dbres_int(j.r, i, 12);
		addr = json_string_value(json_object_get(f, "address"));
		worksheet_write_number(ws, row, 0, i + 1, NULL);
		worksheet_write_string(ws, row, 1, ts_dbres_get(j.r, i, 0), NULL);
		worksheet_write_string(ws, row, 2, ts_dbres_get(j.r, i, 2), NULL);
		worksheet_write_string(ws, row, 3, ts_dbres_get(j.r, i, 3), NULL);
		worksheet_write_string(ws, row, 4, addr ? addr : "", NULL);
		worksheet_write_string(ws, row, 5, ts_dbres_get(j.r, i, 5), NULL);
		worksheet_write_string(ws, row, 6, fmt_time(t[0], 64, ts_dbres_get(j.r, i, 6)), NULL);
		worksheet_write_string(ws, row, 7,
				       fmt_time(t[1], 64, ts_dbres_get(j.r, i, ts_dbres_isnull(j.r, i, 9) ? 8 : 9)),
				       NULL);
		worksheet_write_string(ws, row, 8, fmt_time(t[2], 64, ts_dbres_get(j.r, i, 7)), NULL);
		worksheet_write_string(ws, row, 9, fmt_time(t[3], 64, ts_dbres_get(j.r, i, 10)), NULL);
		worksheet_write_string(ws, row, 10, fmt_time(t[4], 64, ts_dbres_get(j.r, i, 11)), NULL);
		worksheet_write_string(ws, row, 11, ts_dossier_status_title(status), NULL);
		json_decref(f);
	}
	return book_finish(&b, fd, size, err);
}

int ts_forms_queue_xlsx(struct ts_ctx *ctx, const struct ts_dossier_filter *filter,
			int64_t now, int *fd, uint64_t *size, struct ts_error *err)
{
	/* the columns of the work queue page (web/src/work), numbered, with the overdue mark */
	static const char *const head[] = {"STT",	  "Mã hồ sơ",	     "Thủ tục hành chính",
					   "Trạng thái", "Bước",	     "Hạn bước",
					   "Hạn trả kết quả", "Quá hạn"};
	static const double widths[] = {6, 28, 52, 22, 7, 17, 17, 9};
	struct ts_dossier_filter f = *filter;
	struct book b;
	lxw_row_t row = 3;
	int total = 0, rc;

	*fd = -1;
	f.after = NULL; /* the whole queue, from its first row, in the list's order */
	f.limit = TS_DOSSIER_LIST_MAX;
	if ((rc = book_open(&b, err)))
		return rc;
	lxw_worksheet *ws = workbook_add_worksheet(b.wb, "Hang doi ho so");
	lxw_format *bold = workbook_add_format(b.wb);
	lxw_format *title = workbook_add_format(b.wb);
	format_set_bold(bold);
	format_set_text_wrap(bold);
	format_set_border(bold, LXW_BORDER_THIN);
	format_set_align(bold, LXW_ALIGN_CENTER);
	format_set_bold(title);
	format_set_font_size(title, 14);
	worksheet_write_string(ws, 0, 0, "DANH SÁCH HỒ SƠ", title);
	{
		char t[64], line[96];
		snprintf(line, sizeof(line), "Xuất lúc %s", fmt_unix(t, sizeof(t), now));
		worksheet_write_string(ws, 1, 0, line, NULL);
	}
	for (lxw_col_t c = 0; c < 8; c++) {
		worksheet_set_column(ws, c, c, widths[c], NULL);
		worksheet_write_string(ws, 2, c, head[c], bold);
	}
	for (;;) {
		struct ts_dossier *items = NULL;
		const char *next = NULL;
		int n = 0;
		/* each page in its own read; the keyset cursor keeps the order across pages */
		if ((rc = ts_dossier_list(ctx, &f, &items, &n, &next, err)))
			goto fail;
		if (total + n > QUEUE_MAX_ROWS) {
			rc = ts_error_set(err, TS_ERR_TOO_LARGE, NULL,
					  "Hàng đợi có hơn %d hồ sơ, hãy lọc hẹp hơn để xuất",
					  QUEUE_MAX_ROWS);
			goto fail;
		}
		for (int i = 0; i < n; i++, row++) {
			const struct ts_dossier *d = &items[i];
			char t[3][64];
			bool late = d->current_due_at > 0 && d->ended_at <= 0 && d->current_due_at < now;
			worksheet_write_number(ws, row, 0, ++total, NULL);
			worksheet_write_string(ws, row, 1, d->code ? d->code : "", NULL);
			worksheet_write_string(ws, row, 2, d->procedure_name ? d->procedure_name : "", NULL);
			worksheet_write_string(ws, row, 3, ts_dossier_status_title(d->status), NULL);
			if (d->current_step > 0)
				worksheet_write_number(ws, row, 4, d->current_step, NULL);
			worksheet_write_string(ws, row, 5, fmt_unix(t[0], 64, d->step_due_at), NULL);
			worksheet_write_string(ws, row, 6, fmt_unix(t[1], 64, d->current_due_at), NULL);
			worksheet_write_string(ws, row, 7, late ? "Quá hạn" : "", NULL);
		}
		if (!next || n == 0)
			break;
		f.after = next;
	}
	return book_finish(&b, fd, size, err);
fail:
	workbook_close(b.wb);
	unlink(b.path);
	return rc;
}
