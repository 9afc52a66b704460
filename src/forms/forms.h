/* forms.h - the printed forms of a dossier (DOMAIN.md §7) as PDF: receipt and appointment
 * (two copies on one page, with a QR code to the public status page), supplement request,
 * refusal, apology and new appointment, stop notice, control slip; and the dossier register
 * of a unit as XLSX. Each form follows the national layout (agency header, national motto,
 * title, numbered fields, signature blocks); the form set is versioned by circular and
 * chosen by the date the dossier was received. Text is NFC-normalised and drawn with an
 * embedded Unicode font (DejaVu), so every Vietnamese diacritic survives and copies out.
 * Never sees HTTP (forms_http.c is the adapter). */
#ifndef TS_FORMS_FORMS_H
#define TS_FORMS_FORMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "dossier/dossier.h"
#include "iam/iam.h"

/* X(NAME, machine name used in URLs, Vietnamese title as printed) */
#define TS_FORM_TABLE(X)                                                                   \
	X(RECEIPT, "receipt", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")                     \
	X(SUPPLEMENT, "supplement", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")              \
	X(REFUSAL, "refusal", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")                   \
	X(APOLOGY, "apology", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")                 \
	X(STOP, "stop", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ")                                  \
	X(CONTROL_SLIP, "control-slip", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")

enum ts_form {
#define X(n, s, t) TS_FORM_##n,
	TS_FORM_TABLE(X)
#undef X
	TS_FORM__COUNT
};
const char *ts_form_name(int form);
const char *ts_form_title(int form);
int ts_form_parse(const char *name); /* -1 when unknown */

/* One form set: the circular, the day it took effect (local date yyyymmdd), each form's
 * number in it (NULL: the set has no such form), the number of its dossier register (the
 * XLSX, not a TS_FORM), and the titles where the set renames a form (NULL: the title of
 * TS_FORM_TABLE). */
struct ts_form_set {
	const char *circular;
	int from_day;
	const char *number[TS_FORM__COUNT];
	const char *register_number;
	const char *title[TS_FORM__COUNT];
};
/* The title printed for form in set (the set's own name for it, else ts_form_title). */
const char *ts_form_set_title(const struct ts_form_set *set, int form);
/* The set in force on local day yyyymmdd (the newest set whose from_day <= day). */
const struct ts_form_set *ts_form_set_for(int day);

/* Process-wide settings: the public status page URL ("{code}" replaced by the dossier
 * code) printed as a QR code, and the folder holding DejaVuSans.ttf and
 * DejaVuSans-Bold.ttf. TS_ERR_CONFIG when the fonts are missing. Call once at start. */
int ts_forms_configure(const char *lookup_url, const char *font_dir, struct ts_error *err);
/* Releases the font caches the renderer keeps for the whole process; call once at exit,
 * after the server has stopped. */
void ts_forms_shutdown(void);
/* The status-page URL for code, in a. */
char *ts_forms_lookup_url(struct ts_arena *a, const char *code);

/* Everything a form prints (the renderer's whole input, so fixtures need no store). */
struct ts_form_input {
	const struct ts_dossier *d;
	const struct ts_dossier_event *events;
	int nevents;
	const char *const *actor_names;    /* per event: the giver's display name (or NULL) */
	const char *const *receiver_names; /* per event: the receiver's display name (or NULL) */
	const struct ts_dossier_doc *docs;
	int ndocs;
	const char *agency_parent;  /* header line 1: the receiving unit's parent (may be NULL) */
	const char *agency;         /* header line 2: the receiving unit */
	const char *competent_parent, *competent; /* apology and stop notice: the deciding agency */
	const char *address, *email; /* the applicant's, from the form data (may be NULL) */
	const char *officer;        /* who prints it (display name) */
	const char *place;          /* place name before the date ("Bến Tre"), may be NULL */
	int64_t now;                /* the date printed, unix seconds */
};

/* Renders form for in as PDF bytes in a (*pdf, *len). TS_ERR_NOT_FOUND when the form set
 * in force for the dossier has no such form; TS_ERR_CONFLICT when the dossier has no data
 * for it yet (no supplement request, refusal, apology or stop); TS_ERR_CONFIG (fonts);
 * TS_ERR_INTERNAL (PDF library). Thread-safe. */
int ts_forms_render(struct ts_arena *a, int form, const struct ts_form_input *in,
		    const char **pdf, size_t *len, struct ts_error *err);

/* Gathers the input for the dossier with code (the actor must be able to see it:
 * ts_dossier_get, else TS_ERR_NOT_FOUND) and renders form. *filename gets a download name. */
int ts_forms_dossier_pdf(struct ts_ctx *ctx, const char *code, int form, const char **pdf,
			 size_t *len, const char **filename, struct ts_error *err);

/* The dossier register (sổ theo dõi hồ sơ) of the unit subtree rooted at unit_id for
 * dossiers submitted in [from, to) (unix seconds), as an XLSX file: *fd (an unlinked
 * temporary file, the caller closes it) of *size bytes. Needs dossier.read over unit_id
 * (TS_ERR_FORBIDDEN); at most 50,000 rows (TS_ERR_TOO_LARGE). */
int ts_forms_register_xlsx(struct ts_ctx *ctx, int64_t unit_id, int64_t from, int64_t to,
			   int *fd, uint64_t *size, struct ts_error *err);

/* A work queue exported as shown (sổ/danh sách hồ sơ): every dossier filter selects (its
 * cursor and page size ignored: the whole queue from its first row), in the list's order
 * (ts_dossier_list, so the same visibility rules), one row each with the queue page's
 * columns (code, procedure, status, step, step due, due, overdue at now). *fd (an unlinked
 * temporary file, the caller closes it) of *size bytes. At most 10,000 rows
 * (TS_ERR_TOO_LARGE); the errors of ts_dossier_list. */
int ts_forms_queue_xlsx(struct ts_ctx *ctx, const struct ts_dossier_filter *filter,
			int64_t now, int *fd, uint64_t *size, struct ts_error *err);

/* ---- HTTP adapters (forms_http.c) ---- */
struct ts_call;
int ts_forms_http_pdf(struct ts_call *call, struct ts_error *err);
int ts_forms_http_register(struct ts_call *call, struct ts_error *err);
int ts_forms_http_queue(struct ts_call *call, struct ts_error *err);

#endif
