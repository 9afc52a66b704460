/* pdf.h - the small drawing surface the forms need, over cairo's PDF surface with Pango
 * (HarfBuzz shaping) and libqrencode (pdf.c is the only file that sees them): A4 pages,
 * UTF-8 text in an embedded TrueType font after NFC normalisation (libunistring), wrapped
 * paragraphs, lines, boxes and QR codes. Coordinates in points from the bottom left, text
 * positioned by its baseline. Used by src/forms and by src/stats (report 06 as PDF). */
#ifndef TS_FORMS_PDF_H
#define TS_FORMS_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

struct ts_pdf;

enum ts_pdf_style { TS_PDF_REGULAR, TS_PDF_BOLD, TS_PDF_ITALIC };
enum ts_pdf_align { TS_PDF_LEFT, TS_PDF_CENTER, TS_PDF_RIGHT };

/* A new document using the DejaVu fonts in font_dir; scratch text lives in a. Free with
 * ts_pdf_free (NULL is a no-op). TS_ERR_CONFIG (fonts), TS_ERR_INTERNAL, TS_ERR_NOMEM. */
int ts_pdf_new(struct ts_arena *a, const char *font_dir, struct ts_pdf **out, struct ts_error *err);
void ts_pdf_free(struct ts_pdf *p);
/* Starts an A4 page, portrait or landscape; returns its width and height. */
void ts_pdf_page(struct ts_pdf *p, bool landscape, float *w, float *h);
/* Text on one line with its baseline at y; x is the left edge, the centre or the right edge
 * by align. Returns the width drawn. */
float ts_pdf_text(struct ts_pdf *p, float x, float y, float size, enum ts_pdf_style st,
		  enum ts_pdf_align align, const char *utf8);
/* Width of text in the given size and style. */
float ts_pdf_width(struct ts_pdf *p, float size, enum ts_pdf_style st, const char *utf8);
/* Text wrapped at spaces into width w from the baseline y down, lines 1.3 x size apart;
 * returns the baseline below the last line. draw false only measures. */
float ts_pdf_para(struct ts_pdf *p, float x, float y, float w, float size, enum ts_pdf_style st,
		  enum ts_pdf_align align, const char *utf8, bool draw);
void ts_pdf_line(struct ts_pdf *p, float x1, float y1, float x2, float y2, float width);
void ts_pdf_rect(struct ts_pdf *p, float x, float y, float w, float h);
/* A QR code of text (error correction M) as a square of side size at (x, y) bottom left. */
int ts_pdf_qr(struct ts_pdf *p, float x, float y, float size, const char *text, struct ts_error *err);
/* The document's bytes, in the arena given to ts_pdf_new. */
int ts_pdf_bytes(struct ts_pdf *p, const char **out, size_t *len, struct ts_error *err);

/* Releases the process-wide font caches (fontconfig, Pango's font map, cairo's static
 * data) at exit, so leak checkers see a clean process. No PDF may be in progress. */
void ts_pdf_shutdown(void);

#endif
