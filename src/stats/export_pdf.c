/* export_pdf.c - report 06/VPCP/KSTT as a PDF (A4 landscape, a TrueType font with
 * Vietnamese glyphs embedded, UTF-8 text); the only file of src/stats that sees libharu.
 * The document is built in libharu's memory stream and copied into the arena. */
#include <stdio.h>
#include <string.h>

#include <hpdf.h>

#include "stats/stats.h"

static const char *g_font = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf";

void ts_stats_set_pdf_font(const char *path)
{
	if (path && *path)
		g_font = path;
}

const char *ts_stats_pdf_font(void)
{
	return g_font;
}

struct pdf_state {
	HPDF_STATUS error;
	HPDF_STATUS detail;
};

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct pdf_state *st = user_data;
	if (!st->error) {
		st->error = error_no;
		st->detail = detail_no;
	}
}

#define NCOLS (2 + TS_CELL__COUNT)
#define ROW_H 14.0f

static const float widths[NCOLS] = {22, 150, 36, 36, 36, 36, 36, 36, 36, 36, 36, 36, 36,
				    36, 36, 36, 36, 36, 36};

static void text_at(HPDF_Page page, float x, float y, const char *s)
{
	HPDF_Page_BeginText(page);
	HPDF_Page_TextOut(page, x, y, s);
	HPDF_Page_EndText(page);
}

/* Writes s clipped to width w (by dropping characters at the end). */
static void cell_text(HPDF_Page page, float x, float y, float w, const char *s, bool right)
{
	char buf[160];
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	while (n > 0 && HPDF_Page_TextWidth(page, buf) > w - 4) {
		do /* cut at a UTF-8 character boundary */
			n--;
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
		buf[n] = '\0';
	}
	text_at(page, right ? x + w - 2 - HPDF_Page_TextWidth(page, buf) : x + 2, y + 4, buf);
}

static void draw_row(HPDF_Page page, HPDF_Font font, float y, const char *stt, const char *name,
		     const struct ts_stats_row *r, bool bold)
{
	float x = 20;
	char num[32];

	HPDF_Page_SetFontAndSize(page, font, bold ? 7.5f : 7);
	for (int c = 0; c < NCOLS; c++) {
		HPDF_Page_Rectangle(page, x, y, widths[c], ROW_H);
		HPDF_Page_Stroke(page);
		if (c == 0)
			cell_text(page, x, y, widths[c], stt, false);
		else if (c == 1)
			cell_text(page, x, y, widths[c], name ? name : "", false);
		else {
			snprintf(num, sizeof(num), "%lld", (long long)r->cell[c - 2]);
			cell_text(page, x, y, widths[c], num, true);
		}
		x += widths[c];
	}
}

static HPDF_Page new_page(HPDF_Doc pdf, HPDF_Font font, const struct ts_stats_report *r,
			  float *y)
{
	HPDF_Page page = HPDF_AddPage(pdf);
	float x = 20;
	char buf[256];

	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	HPDF_Page_SetLineWidth(page, 0.4f);
	*y = HPDF_Page_GetHeight(page) - 36;
	HPDF_Page_SetFontAndSize(page, font, 12);
	text_at(page, 20, *y,
		"Biểu số 06/VPCP/KSTT - Tình hình, kết quả giải quyết thủ tục hành chính");
	*y -= 16;
	HPDF_Page_SetFontAndSize(page, font, 9);
	snprintf(buf, sizeof(buf), "Đơn vị: %s%s%s%s    Kỳ báo cáo: %s",
		 r->unit_name ? r->unit_name : "", r->unit_code ? " (" : "",
		 r->unit_code ? r->unit_code : "", r->unit_code ? ")" : "", r->period.label);
	text_at(page, 20, *y, buf);
	*y -= 22;
	HPDF_Page_SetFontAndSize(page, font, 7);
	for (int c = 0; c < NCOLS; c++) {
		char h[16];
		HPDF_Page_Rectangle(page, x, *y, widths[c], ROW_H);
		HPDF_Page_Stroke(page);
		if (c == 0)
			snprintf(h, sizeof(h), "STT");
		else if (c == 1)
			snprintf(h, sizeof(h), "Lĩnh vực");
		else if (c - 2 < 11)
			snprintf(h, sizeof(h), "(%d)", c - 1);
		else
			snprintf(h, sizeof(h), "(%c)", 'a' + (c - 2 - 11));
		cell_text(page, x, *y, widths[c], h, c >= 2);
		x += widths[c];
	}
	*y -= ROW_H;
	return page;
}

int ts_stats_report_pdf(struct ts_arena *a, const struct ts_stats_report *r,
			const char *font_path, char **out, size_t *len, struct ts_error *err)
{
	struct pdf_state st = {0};
	HPDF_Doc pdf = HPDF_New(on_error, &st);
	HPDF_Font font = NULL;
	HPDF_Page page;
	const char *fname;
	float y;
	int stt = 0;
	HPDF_UINT32 size;
	char *buf;

	if (!pdf)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(pdf);
	fname = HPDF_LoadTTFontFromFile(pdf, font_path, HPDF_TRUE);
	if (fname)
		font = HPDF_GetFont(pdf, fname, "UTF-8");
	if (!font || st.error) {
		HPDF_Free(pdf);
		return ts_error_set(err, TS_ERR_CONFIG, "stats.pdf_font",
				    "Không nạp được phông chữ \"%s\" cho báo cáo PDF", font_path);
	}
	page = new_page(pdf, font, r, &y);
	for (int l = 0; l < TS_LEVEL__COUNT; l++) {
		if (!r->level_present[l])
			continue;
		if (y < 60)
			page = new_page(pdf, font, r, &y);
		draw_row(page, font, y, l == TS_LEVEL_PROVINCE ? "I" : "II", ts_stats_level_title(l),
			 &r->level_total[l], true);
		y -= ROW_H;
		for (int k = 0; k < r->nrows; k++) {
			char n[16];
			if (r->rows[k].level != l)
				continue;
			if (y < 60)
				page = new_page(pdf, font, r, &y);
			snprintf(n, sizeof(n), "%d", ++stt);
			draw_row(page, font, y, n, r->rows[k].field_name, &r->rows[k], false);
			y -= ROW_H;
		}
	}
	if (y < 60)
		page = new_page(pdf, font, r, &y);
	draw_row(page, font, y, "", "Tổng cộng", &r->total, true);
	y -= ROW_H + 6;
	/* the legend of the column numbers */
	HPDF_Page_SetFontAndSize(page, font, 6.5f);
	for (int c = 0; c < TS_CELL__COUNT; c++) {
		char line[160];
		if (y < 20) {
			page = new_page(pdf, font, r, &y);
			HPDF_Page_SetFontAndSize(page, font, 6.5f);
		}
		if (c < 11)
			snprintf(line, sizeof(line), "%s", ts_stats_cell_title(c));
		else
			snprintf(line, sizeof(line), "(%c) %s", 'a' + (c - 11), ts_stats_cell_title(c));
		text_at(page, 20 + (float)(c % 3) * 270, y, line);
		if (c % 3 == 2)
			y -= 9;
	}
	if (st.error || HPDF_SaveToStream(pdf) != HPDF_OK) {
		HPDF_Free(pdf);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF (mã %04X)",
				    (unsigned)st.error);
	}
	size = HPDF_GetStreamSize(pdf);
	buf = size ? ts_arena_alloc(a, size) : NULL;
	if (!buf) {
		HPDF_Free(pdf);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	HPDF_ResetStream(pdf);
	if (HPDF_ReadFromStream(pdf, (HPDF_BYTE *)buf, &size) != HPDF_OK && size == 0) {
		HPDF_Free(pdf);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không đọc được tệp PDF");
	}
	HPDF_Free(pdf);
	*out = buf;
	*len = size;
	return 0;
}
