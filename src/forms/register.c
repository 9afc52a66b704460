/* register.c - the dossier register (sổ theo dõi hồ sơ, DOMAIN.md §7) of a unit for a
 * period as XLSX, through libxlsxwriter (the only file that sees <xlsxwriter.h>), which
 * writes to a file: a temporary one, unlinked once reopened, so the caller streams it. */
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

static const char *fmt_time(char *buf, size_t n, const char *cell)
{
	struct tm tm;
	time_t t;
	if (!cell || !*cell)
		return "";
	t = (time_t)(strtoll(cell, NULL, 10) + TS_TZ_OFFSET);
	gmtime_r(&t, &tm);
	snprintf(buf, n, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min);
	return buf;
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
	char path[] = "/tmp/tinhso-register-XXXXXX";
	lxw_workbook *wb = NULL;
	struct stat st;
	int tfd, rc;

	*fd = -1;
	if (unit_id <= 0 || from >= to)
		return ts_error_set(err, TS_ERR_VALIDATION, "from", "Kỳ không hợp lệ (từ ngày phải trước đến ngày)");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, reg_tx, &j, err)))
		return rc;
	if (j.r->nrows > REGISTER_MAX_ROWS)
		return ts_error_set(err, TS_ERR_TOO_LARGE, NULL,
				    "Sổ có hơn %d hồ sơ, hãy chọn kỳ ngắn hơn", REGISTER_MAX_ROWS);
	if ((tfd = mkstemp(path)) < 0)
		return ts_error_set(err, TS_ERR_IO, NULL, "Không tạo được tệp tạm");
	close(tfd);
	lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	wb = workbook_new_opt(path, &o);
	if (!wb) {
		unlink(path);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp XLSX");
	}
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
	if (workbook_close(wb) != LXW_NO_ERROR) {
		unlink(path);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp XLSX");
	}
	tfd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	if (tfd < 0 || fstat(tfd, &st) != 0) {
		if (tfd >= 0)
			close(tfd);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không đọc được tệp XLSX");
	}
	*fd = tfd;
	*size = (uint64_t)st.st_size;
	return 0;
}
