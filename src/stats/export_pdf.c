/* export_pdf.c - report 06/VPCP/KSTT as a PDF (A4 landscape) drawn on the PDF surface of
 * src/forms (forms/pdf.h: cairo + Pango with HarfBuzz shaping, DejaVu fonts embedded), so
 * every Vietnamese letter prints and copies out correctly. The bytes end in the arena. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "forms/pdf.h"
#include "stats/stats.h"

static char g_fonts[256] = "/usr/share/fonts/truetype/dejavu";

void ts_stats_set_pdf_font(const char *dir)
{
	if (dir && *dir && strlen(dir) < sizeof(g_fonts))
		snprintf(g_fonts, sizeof(g_fonts), "%s", dir);
}

const char *ts_stats_pdf_font(void)
{
	return g_fonts;
}

#define NCOLS (2 + TS_CELL__COUNT)
#define ROW_H 14.0f
#define LEFT 20.0f
#define BOTTOM 36.0f

static const float widths[NCOLS] = {22, 150, 36, 36, 36, 36, 36, 36, 36, 36, 36, 36, 36,
				    36, 36, 36, 36, 36, 36};

/* Text in a cell whose bottom is at y, cut (at a UTF-8 boundary, with "…") to its width. */
static void cell_text(struct ts_pdf *p, float x, float y, float w, float size,
		      enum ts_pdf_style st, const char *s, bool right)
{
	char buf[192];
	size_t n = strlen(s);

	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ts_pdf_width(p, size, st, buf) > w - 4) {
		while (n > 0 && ts_pdf_width(p, size, st, buf) > w - 4 - ts_pdf_width(p, size, st, "…")) {
			do /* cut at a UTF-8 character boundary */
				n--;
			while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
			buf[n] = '\0';
		}
		memcpy(buf + n, "…", sizeof("…"));
	}
	ts_pdf_text(p, right ? x + w - 2 : x + 2, y + 4, size, st, right ? TS_PDF_RIGHT : TS_PDF_LEFT,
		    buf);
}

static void draw_row(struct ts_pdf *p, float y, const char *stt, const char *name,
		     const struct ts_stats_row *r, bool bold)
{
	enum ts_pdf_style st = bold ? TS_PDF_BOLD : TS_PDF_REGULAR;
	float x = LEFT;
	char num[32];

	for (int c = 0; c < NCOLS; c++) {
		ts_pdf_rect(p, x, y, widths[c], ROW_H);
		if (c == 0)
			cell_text(p, x, y, widths[c], 7, st, stt, false);
		else if (c == 1)
			cell_text(p, x, y, widths[c], 7, st, name ? name : "", false);
		else {
			snprintf(num, sizeof(num), "%lld", (long long)r->cell[c - 2]);
			cell_text(p, x, y, widths[c], 7, st, num, true);
		}
		x += widths[c];
	}
}

/* A new page with the title, the unit and period, and the column heads; *y is the bottom of
 * the first row below them. */
static void new_page(struct ts_pdf *p, const struct ts_stats_report *r, float *y)
{
	float w, h, x = LEFT;
	char buf[320];

	ts_pdf_page(p, true, &w, &h);
	*y = h - 36;
	ts_pdf_text(p, LEFT, *y, 12, TS_PDF_BOLD, TS_PDF_LEFT,
		    "Biểu số 06/VPCP/KSTT - Tình hình, kết quả giải quyết thủ tục hành chính");
	*y -= 16;
	snprintf(buf, sizeof(buf), "Đơn vị: %s%s%s%s    Kỳ báo cáo: %s",
		 r->unit_name ? r->unit_name : "", r->unit_code ? " (" : "",
		 r->unit_code ? r->unit_code : "", r->unit_code ? ")" : "", r->period.label);
	ts_pdf_text(p, LEFT, *y, 9, TS_PDF_REGULAR, TS_PDF_LEFT, buf);
	*y -= 22;
	for (int c = 0; c < NCOLS; c++) {
		char hd[16];
		ts_pdf_rect(p, x, *y, widths[c], ROW_H);
		if (c == 0)
			snprintf(hd, sizeof(hd), "STT");
		else if (c == 1)
			snprintf(hd, sizeof(hd), "Lĩnh vực");
		else if (c - 2 < 11)
			snprintf(hd, sizeof(hd), "(%d)", c - 1);
		else
			snprintf(hd, sizeof(hd), "(%c)", 'a' + (c - 2 - 11));
		cell_text(p, x, *y, widths[c], 7, TS_PDF_BOLD, hd, c >= 2);
		x += widths[c];
	}
	*y -= ROW_H;
}

int ts_stats_report_pdf(struct ts_arena *a, const struct ts_stats_report *r,
			const char *font_dir, char **out, size_t *len, struct ts_error *err)
{
	struct ts_pdf *p = NULL;
	const char *bytes = NULL;
	float y;
	int stt = 0, rc;

	if ((rc = ts_pdf_new(a, font_dir, &p, err))) {
		if (rc == TS_ERR_CONFIG && err)
			snprintf(err->field, sizeof(err->field), "forms.font_dir");
		return rc;
	}
	new_page(p, r, &y);
	for (int l = 0; l < TS_LEVEL__COUNT; l++) {
		if (!r->level_present[l])
			continue;
		if (y < BOTTOM + ROW_H)
			new_page(p, r, &y);
		draw_row(p, y, l == TS_LEVEL_PROVINCE ? "I" : "II", ts_stats_level_title(l),
			 &r->level_total[l], true);
		y -= ROW_H;
		for (int k = 0; k < r->nrows; k++) {
			char n[16];
			if (r->rows[k].level != l)
				continue;
			if (y < BOTTOM + ROW_H)
				new_page(p, r, &y);
			snprintf(n, sizeof(n), "%d", ++stt);
			draw_row(p, y, n, r->rows[k].field_name, &r->rows[k], false);
			y -= ROW_H;
		}
	}
	if (y < BOTTOM + ROW_H)
		new_page(p, r, &y);
	draw_row(p, y, "", "Tổng cộng", &r->total, true);
	y -= 14;
	/* the legend of the column numbers, three to a line */
	for (int c = 0; c < TS_CELL__COUNT; c++) {
		char line[200];
		if (y < 20)
			new_page(p, r, &y);
		if (c < 11)
			snprintf(line, sizeof(line), "%s", ts_stats_cell_title(c));
		else
			snprintf(line, sizeof(line), "(%c) %s", 'a' + (c - 11), ts_stats_cell_title(c));
		ts_pdf_text(p, LEFT + (float)(c % 3) * 270, y, 6.5f, TS_PDF_REGULAR, TS_PDF_LEFT, line);
		if (c % 3 == 2)
			y -= 9;
	}
	rc = ts_pdf_bytes(p, &bytes, len, err);
	ts_pdf_free(p);
	if (rc)
		return rc;
	*out = (char *)(uintptr_t)bytes;
	return 0;
}
