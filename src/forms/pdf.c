/* pdf.c - the drawing surface of the forms: cairo's PDF surface with text laid out and
 * shaped by Pango (HarfBuzz), fonts found through fontconfig in forms.font_dir, QR codes
 * from libqrencode, NFC normalisation from libunistring. The only file that sees <cairo.h>,
 * <pango/...>, <fontconfig/...> and <qrencode.h>. cairo embeds subset TrueType fonts with a
 * ToUnicode map (composite glyphs included), so every diacritic prints and copies out. The
 * interface speaks PDF coordinates (origin bottom left, baselines); cairo's origin is the
 * top left, so y is flipped here. */
#include "forms/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistd.h>

#include "base/mem.h"

#define FAMILY "DejaVu Sans"

struct ts_pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	struct ts_arena *a;
	float h;         /* current page height, for flipping y */
	int pages;
	char *buf;       /* the PDF bytes as cairo writes them (heap) */
	size_t len, cap;
	bool failed;
};

static pthread_mutex_t fonts_mu = PTHREAD_MUTEX_INITIALIZER;
static char fonts_added[256];

/* Adds font_dir to fontconfig's application fonts once (process-wide). */
static int add_fonts(const char *font_dir, struct ts_error *err)
{
	static const char *const files[3] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
					     "DejaVuSans-Oblique.ttf"};
	char path[512];
	int rc = 0;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", font_dir ? font_dir : ".", files[i]);
		if (access(path, R_OK) != 0)
			return ts_error_set(err, TS_ERR_CONFIG, "forms.font_dir",
					    "Không tìm thấy phông chữ \"%s\" (gói fonts-dejavu-core)", path);
	}
	pthread_mutex_lock(&fonts_mu);
	if (strcmp(fonts_added, font_dir) != 0) {
		if (FcConfigAppFontAddDir(NULL, (const FcChar8 *)font_dir))
			snprintf(fonts_added, sizeof(fonts_added), "%s", font_dir);
		else
			rc = ts_error_set(err, TS_ERR_CONFIG, "forms.font_dir",
					  "fontconfig không nạp được thư mục phông \"%s\"", font_dir);
	}
	pthread_mutex_unlock(&fonts_mu);
	return rc;
}

static cairo_status_t on_write(void *ud, const unsigned char *data, unsigned int n)
{
	struct ts_pdf *p = ud;
	if (p->len + n > p->cap) {
		size_t want = p->cap ? p->cap * 2 : 65536;
		while (want < p->len + n)
			want *= 2;
		char *nb = ts_realloc(p->buf, want);
		if (!nb) {
			p->failed = true;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		p->buf = nb;
		p->cap = want;
	}
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	return CAIRO_STATUS_SUCCESS;
}

int ts_pdf_new(struct ts_arena *a, const char *font_dir, struct ts_pdf **out, struct ts_error *err)
{
	struct ts_pdf *p;
	int rc;

	*out = NULL;
	if ((rc = add_fonts(font_dir, err)))
		return rc;
	if (!(p = ts_calloc(1, sizeof(*p))))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	p->a = a;
	p->surface = cairo_pdf_surface_create_for_stream(on_write, p, 595.28, 841.89);
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
		ts_pdf_free(p);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF");
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "tinhso");
	p->layout = pango_cairo_create_layout(p->cr);
	if (!p->layout) {
		ts_pdf_free(p);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF");
	}
	*out = p;
	return 0;
}

void ts_pdf_free(struct ts_pdf *p)
{
	if (!p)
		return;
	if (p->layout)
		g_object_unref(p->layout);
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface)
		cairo_surface_destroy(p->surface);
	ts_free(p->buf);
	ts_free(p);
}

void ts_pdf_page(struct ts_pdf *p, bool landscape, float *w, float *h)
{
	float pw = landscape ? 841.89f : 595.28f, ph = landscape ? 595.28f : 841.89f;
	if (p->pages++)
		cairo_show_page(p->cr);
	cairo_pdf_surface_set_size(p->surface, pw, ph);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	p->h = ph;
	if (w)
		*w = pw;
	if (h)
		*h = ph;
}

/* NFC: decomposed input ("e" + U+0302 + U+0301) becomes the precomposed letters, so the
 * same text always prints and copies out the same way. Invalid UTF-8 reads as "?". */
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

/* Lays t out in the style; width w > 0 wraps at word boundaries. */
static void lay(struct ts_pdf *p, float size, enum ts_pdf_style st, const char *t, float w)
{
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, FAMILY);
	pango_font_description_set_absolute_size(fd, (double)size * PANGO_SCALE);
	pango_font_description_set_weight(fd, st == TS_PDF_BOLD ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_style(fd, st == TS_PDF_ITALIC ? PANGO_STYLE_OBLIQUE : PANGO_STYLE_NORMAL);
	pango_layout_set_font_description(p->layout, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(p->layout, w > 0 ? (int)(w * PANGO_SCALE) : -1);
	pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(p->layout, t, -1);
}

static float line_width(PangoLayoutLine *line)
{
	PangoRectangle logical;
	pango_layout_line_get_extents(line, NULL, &logical);
	return (float)logical.width / PANGO_SCALE;
}

/* Draws line i of the laid-out text with its baseline at PDF y, aligned within [x, x+w]
 * (w = 0: x is the anchor itself). */
static void draw_line(struct ts_pdf *p, PangoLayoutLine *line, float x, float w, float y,
		      enum ts_pdf_align align)
{
	float lw = line_width(line);
	float lx = align == TS_PDF_CENTER ? x + w / 2 - lw / 2 : align == TS_PDF_RIGHT ? x + w - lw : x;
	cairo_move_to(p->cr, lx, p->h - y);
	pango_cairo_show_layout_line(p->cr, line);
}

float ts_pdf_width(struct ts_pdf *p, float size, enum ts_pdf_style st, const char *utf8)
{
	PangoRectangle logical;
	lay(p, size, st, nfc(p, utf8), 0);
	pango_layout_get_extents(p->layout, NULL, &logical);
	return (float)logical.width / PANGO_SCALE;
}

float ts_pdf_text(struct ts_pdf *p, float x, float y, float size, enum ts_pdf_style st,
		  enum ts_pdf_align align, const char *utf8)
{
	const char *t = nfc(p, utf8);
	PangoLayoutLine *line;

	if (!*t)
		return 0;
	lay(p, size, st, t, 0);
	line = pango_layout_get_line_readonly(p->layout, 0);
	if (!line)
		return 0;
	draw_line(p, line, x, 0, y, align);
	return line_width(line);
}

float ts_pdf_para(struct ts_pdf *p, float x, float y, float w, float size, enum ts_pdf_style st,
		  enum ts_pdf_align align, const char *utf8, bool draw)
{
	const char *t = nfc(p, utf8);
	float lh = size * 1.3f;
	int n;

	if (!*t)
		return y - lh;
	lay(p, size, st, t, w);
	n = pango_layout_get_line_count(p->layout);
	for (int i = 0; i < n; i++) {
		PangoLayoutLine *line = pango_layout_get_line_readonly(p->layout, i);
		if (draw && line)
			draw_line(p, line, x, w, y, align);
		y -= lh;
	}
	return y;
}

void ts_pdf_line(struct ts_pdf *p, float x1, float y1, float x2, float y2, float width)
{
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, x1, p->h - y1);
	cairo_line_to(p->cr, x2, p->h - y2);
	cairo_stroke(p->cr);
}

void ts_pdf_rect(struct ts_pdf *p, float x, float y, float w, float h)
{
	cairo_set_line_width(p->cr, 0.6);
	cairo_rectangle(p->cr, x, p->h - y - h, w, h);
	cairo_stroke(p->cr);
}

int ts_pdf_qr(struct ts_pdf *p, float x, float y, float size, const char *text, struct ts_error *err)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double m, top = p->h - y - size;

	if (!q)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được mã QR");
	/* a quiet zone of 4 modules around the symbol, as readers expect */
	m = size / (double)(q->width + 8);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				cairo_rectangle(p->cr, x + (c + 4) * m, top + (r + 4) * m, m, m);
	cairo_fill(p->cr);
	QRcode_free(q);
	return 0;
}

void ts_pdf_shutdown(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
	fonts_added[0] = '\0';
}

int ts_pdf_bytes(struct ts_pdf *p, const char **out, size_t *len, struct ts_error *err)
{
	char *buf;

	cairo_surface_finish(p->surface); /* emits the last page */
	if (p->failed || cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không tạo được tệp PDF");
	if (!(buf = ts_arena_alloc(p->a, p->len + 1)))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	memcpy(buf, p->buf, p->len);
	buf[p->len] = '\0';
	*out = buf;
	*len = p->len;
	return 0;
}
