/* export_xlsx.c - report 06/VPCP/KSTT as an XLSX workbook; the only file that sees
 * libxlsxwriter. The library writes to a file, so the workbook goes to a private temporary
 * file that is read back into the arena and removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "stats/stats.h"

/* The columns after STT and field: the 11 of the form, then the added ones. */
static void write_row(lxw_worksheet *ws, lxw_row_t row, const char *stt, const char *name,
		      const struct ts_stats_row *r, lxw_format *text, lxw_format *num)
{
	worksheet_write_string(ws, row, 0, stt ? stt : "", text);
	worksheet_write_string(ws, row, 1, name ? name : "", text);
	for (int c = 0; c < TS_CELL__COUNT; c++)
		worksheet_write_number(ws, row, (lxw_col_t)(2 + c), (double)r->cell[c], num);
}

static int read_back(struct ts_arena *a, const char *path, char **out, size_t *len,
		     struct ts_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (!f || fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
		if (f)
			fclose(f);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không đọc được tệp báo cáo vừa tạo");
	}
	buf = ts_arena_alloc(a, (size_t)st.st_size);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fclose(f);
		return buf ? ts_error_set(err, TS_ERR_IO, NULL, "Không đọc được tệp báo cáo vừa tạo")
			   : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	fclose(f);
	*out = buf;
	*len = (size_t)st.st_size;
	return 0;
}

int ts_stats_report_xlsx(struct ts_arena *a, const struct ts_stats_report *r, char **out,
			 size_t *len, struct ts_error *err)
{
	char path[] = "/tmp/tinhso-report-XXXXXX";
	int fd = mkstemp(path), rc;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *title, *head, *text, *num, *bold_text, *bold_num;
	lxw_row_t row = 0;
	char buf[256];
	int stt = 0;

	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, NULL, "Không tạo được tệp tạm cho báo cáo");
	close(fd);
	wb = workbook_new(path);
	if (!wb) {
		unlink(path);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không tạo được bảng tính");
	}
	ws = workbook_add_worksheet(wb, "06-VPCP-KSTT");
	title = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 13);
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_text_wrap(head);
	format_set_align(head, LXW_ALIGN_CENTER);
	format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_bg_color(head, 0xDDEBF7);
	text = workbook_add_format(wb);
	format_set_border(text, LXW_BORDER_THIN);
	format_set_text_wrap(text);
	num = workbook_add_format(wb);
	format_set_border(num, LXW_BORDER_THIN);
	format_set_num_format(num, "#,##0");
	bold_text = workbook_add_format(wb);
	format_set_border(bold_text, LXW_BORDER_THIN);
	format_set_bold(bold_text);
	bold_num = workbook_add_format(wb);
	format_set_border(bold_num, LXW_BORDER_THIN);
	format_set_bold(bold_num);
	format_set_num_format(bold_num, "#,##0");

	worksheet_write_string(ws, row++, 0,
			       "Biểu số 06/VPCP/KSTT - Tình hình, kết quả giải quyết thủ tục hành chính",
			       title);
	snprintf(buf, sizeof(buf), "Đơn vị: %s%s%s%s", r->unit_name ? r->unit_name : "",
		 r->unit_code ? " (" : "", r->unit_code ? r->unit_code : "", r->unit_code ? ")" : "");
	worksheet_write_string(ws, row++, 0, buf, NULL);
	snprintf(buf, sizeof(buf), "Kỳ báo cáo: %s", r->period.label);
	worksheet_write_string(ws, row++, 0, buf, NULL);
	row++;
	worksheet_set_row(ws, row, 75, NULL);
	worksheet_write_string(ws, row, 0, "STT", head);
	worksheet_write_string(ws, row, 1, "Lĩnh vực, cấp", head);
	for (int c = 0; c < TS_CELL__COUNT; c++)
		worksheet_write_string(ws, row, (lxw_col_t)(2 + c), ts_stats_cell_title(c), head);
	row++;
	worksheet_set_column(ws, 0, 0, 6, NULL);
	worksheet_set_column(ws, 1, 1, 42, NULL);
	worksheet_set_column(ws, 2, (lxw_col_t)(1 + TS_CELL__COUNT), 12, NULL);
	worksheet_freeze_panes(ws, row, 2);

	for (int l = 0; l < TS_LEVEL__COUNT; l++) {
		if (!r->level_present[l])
			continue;
		write_row(ws, row++, l == TS_LEVEL_PROVINCE ? "I" : "II", ts_stats_level_title(l),
			  &r->level_total[l], bold_text, bold_num);
		for (int k = 0; k < r->nrows; k++) {
			char n[16];
			if (r->rows[k].level != l)
				continue;
			snprintf(n, sizeof(n), "%d", ++stt);
			write_row(ws, row++, n, r->rows[k].field_name, &r->rows[k], text, num);
		}
	}
	write_row(ws, row++, "", "Tổng cộng", &r->total, bold_text, bold_num);
	row++;
	worksheet_write_string(ws, row++, 0,
			       "(1) = (2) + (3) + (4); (5) = (6) + (7) + (8); (9) = (10) + (11); "
			       "(1) = (5) + (9) + tạm dừng + dừng xử lý + rút hồ sơ",
			       NULL);
	rc = workbook_close(wb);
	if (rc != LXW_NO_ERROR) {
		unlink(path);
		return ts_error_set(err, TS_ERR_IO, NULL, "Không ghi được bảng tính: %s",
				    lxw_strerror((lxw_error)rc));
	}
	rc = read_back(a, path, out, len, err);
	unlink(path);
	return rc;
}
