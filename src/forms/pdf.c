/* pdf.c - the drawing surface of the forms over libharu (the only file that sees <hpdf.h>),
 * libqrencode (<qrencode.h>) and libunistring's NFC normalisation (<uninorm.h>). Fonts are
 * embedded TrueType (subset, Identity-H with a ToUnicode map), so text extracts exactly. */
#include "forms/pdf.h"

#include <hpdf.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"

struct ts_pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font font[3];
	struct ts_arena *a;
	HPDF_STATUS first_error;
};

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *ud)
{
	struct ts_pdf *p = ud;
	char c[16], d[16];
	if (!p->first_error)
		p->first_error = code ? code : 1;
	snprintf(c, sizeof(c), "%04X", (unsigned)code);
	snprintf(d, sizeof(d), "%u", (unsigned)detail);
	ts_log(TS_LOG_ERROR, "pdf library error", "code", c, "detail", d, NULL);
}

int ts_pdf_new(struct ts_arena *a, const char *font_dir, struct ts_pdf **out, struct ts_error *err)
{
	static const char *const files[3] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
					     "DejaVuSans-Oblique.ttf"};
	struct ts_pdf *p = ts_calloc(1, sizeof(*p));
	char path[512];

	*out = NULL;
	if (!p)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	p->a = a;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", font_dir ? font_dir : ".", files[i]);
		if (access(path, R_OK) != 0) {
			ts_free(p);
			return ts_error_set(err, TS_ERR_CONFIG, "forms.font_dir",
					    "Không tìm thấy phông chữ \"%s\" (gói fonts-dejavu-core)", path);
		}
	}
	if (!(p->doc = HPDF_New(on_error, p)))
		goto fail;
	HPDF_UseUTFEncodings(p->doc);
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_PRODUCER, "tinhso");
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", font_dir, files[i]);
		const char *name = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE);
		if (!name || !(p->font[i] = HPDF_GetFont(p->doc, name, "UTF-8")))
			goto fail;
	}
	if (p->first_error)
		goto fail;
	*out = p;
	return 0;
fail:
	ts_pdf_free(p);
	return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF");
}

void ts_pdf_free(struct ts_pdf *p)
{
	if (!p)
		return;
	if (p->doc)
		HPDF_Free(p->doc);
	ts_free(p);
}

void ts_pdf_page(struct ts_pdf *p, bool landscape, float *w, float *h)
{
	p->page = HPDF_AddPage(p->doc);
	HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4,
			  landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
	if (w)
		*w = HPDF_Page_GetWidth(p->page);
	if (h)
		*h = HPDF_Page_GetHeight(p->page);
}

/* NFC: decomposed input ("e" + U+0302 + U+0301) becomes the precomposed letters the font
 * has glyphs for, so no diacritic floats loose. Invalid UTF-8 reads as "?". */
static const char *nfc(struct ts_pdf *p, const char *s)
{
	size_t n = 0;
	uint8_t *r;
	char *out;

	if (!s)
		return "";
	r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s), NULL, &n);
	if (!r)
		return "?";
	out = ts_arena_strndup(p->a, (const char *)r, n);
	free(r); /* allocated by libunistring */
	return out ? out : "";
}

static void set_font(struct ts_pdf *p, float size, enum ts_pdf_style st)
{
	HPDF_Page_SetFontAndSize(p->page, p->font[st], size);
}

float ts_pdf_width(struct ts_pdf *p, float size, enum ts_pdf_style st, const char *utf8)
{
	set_font(p, size, st);
	return HPDF_Page_TextWidth(p->page, nfc(p, utf8));
}

static float text_nfc(struct ts_pdf *p, float x, float y, float size, enum ts_pdf_style st,
		      enum ts_pdf_align align, const char *t)
{
	float w;

	set_font(p, size, st);
	w = HPDF_Page_TextWidth(p->page, t);
	if (align == TS_PDF_CENTER)
		x -= w / 2;
	else if (align == TS_PDF_RIGHT)
		x -= w;
	HPDF_Page_BeginText(p->page);
	HPDF_Page_TextOut(p->page, x, y, t);
	HPDF_Page_EndText(p->page);
	return w;
}

float ts_pdf_text(struct ts_pdf *p, float x, float y, float size, enum ts_pdf_style st,
		  enum ts_pdf_align align, const char *utf8)
{
	const char *t = nfc(p, utf8);
	return *t ? text_nfc(p, x, y, size, st, align, t) : 0;
}

float ts_pdf_para(struct ts_pdf *p, float x, float y, float w, float size, enum ts_pdf_style st,
		  enum ts_pdf_align align, const char *utf8, bool draw)
{
	const char *t = nfc(p, utf8);
	size_t n = strlen(t), start = 0;
	char *line = ts_arena_alloc(p->a, n + 1);
	float lh = size * 1.3f;

	if (!line)
		return y - lh;
	set_font(p, size, st);
	while (start < n) {
		/* the longest run of whole words from start that fits in w */
		size_t end = start, best = 0;
		while (end <= n) {
			size_t next = end;
			while (next < n && t[next] != ' ' && t[next] != '\n')
				next++;
			memcpy(line, t + start, next - start);
			line[next - start] = '\0';
			if (best && HPDF_Page_TextWidth(p->page, line) > w)
				break;
			best = next - start;
			if (next >= n || t[next] == '\n')
				break;
			end = next + 1;
		}
		if (best == 0) { /* a single word wider than the box: cut it */
			best = n - start;
		}
		memcpy(line, t + start, best);
		line[best] = '\0';
		if (draw) {
			float lx = align == TS_PDF_CENTER ? x + w / 2 : align == TS_PDF_RIGHT ? x + w : x;
			text_nfc(p, lx, y, size, st, align, line);
		}
		y -= lh;
		start += best;
		while (start < n && (t[start] == ' ' || t[start] == '\n'))
			start++;
	}
	return y;
}

void ts_pdf_line(struct ts_pdf *p, float x1, float y1, float x2, float y2, float width)
{
	HPDF_Page_SetLineWidth(p->page, width);
	HPDF_Page_MoveTo(p->page, x1, y1);
	HPDF_Page_LineTo(p->page, x2, y2);
	HPDF_Page_Stroke(p->page);
}

void ts_pdf_rect(struct ts_pdf *p, float x, float y, float w, float h)
{
	HPDF_Page_SetLineWidth(p->page, 0.6f);
	HPDF_Page_Rectangle(p->page, x, y, w, h);
	HPDF_Page_Stroke(p->page);
}

int ts_pdf_qr(struct ts_pdf *p, float x, float y, float size, const char *text, struct ts_error *err)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	float m;

	if (!q)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được mã QR");
	/* a quiet zone of 4 modules around the symbol, as readers expect */
	m = size / (float)(q->width + 8);
	HPDF_Page_SetRGBFill(p->page, 0, 0, 0);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				HPDF_Page_Rectangle(p->page, x + (float)(c + 4) * m,
						    y + size - (float)(r + 5) * m, m, m);
	HPDF_Page_Fill(p->page);
	QRcode_free(q);
	return 0;
}

int ts_pdf_bytes(struct ts_pdf *p, const char **out, size_t *len, struct ts_error *err)
{
	HPDF_UINT32 size;
	char *buf;

	if (p->first_error || HPDF_SaveToStream(p->doc) != HPDF_OK)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF");
	size = HPDF_GetStreamSize(p->doc);
	if (!(buf = ts_arena_alloc(p->a, (size_t)size + 1)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	HPDF_ResetStream(p->doc);
	for (HPDF_UINT32 got = 0; got < size;) {
		HPDF_UINT32 n = size - got;
		HPDF_STATUS st = HPDF_ReadFromStream(p->doc, (HPDF_BYTE *)buf + got, &n);
		got += n;
		if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || (n == 0 && got < size))
			return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF");
	}
	*out = buf;
	*len = size;
	return 0;
}
