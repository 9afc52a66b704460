/* forms.c - the printed forms of a dossier (DOMAIN.md §7): the versioned form sets, the
 * national layout (agency header, national motto, title, numbered fields, signature
 * blocks) and one renderer per form, drawing from a struct ts_form_input through pdf.c.
 * ts_forms_dossier_pdf gathers that input from the store for a dossier the actor may see. */
#include "forms/forms.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar/calendar.h"
#include "forms/pdf.h"
#include "org/org.h"

#define MARGIN 50.0f

/* ---- tables ---------------------------------------------------------------------------- */

static const char *const form_names[] = {
#define X(n, s, t) s,
    TS_FORM_TABLE(X)
#undef X
};
static const char *const form_titles[] = {
#define X(n, s, t) t,
    TS_FORM_TABLE(X)
#undef X
};

const char *ts_form_name(int form)
{
	return form >= 0 && form < TS_FORM__COUNT ? form_names[form] : NULL;
}

const char *ts_form_title(int form)
{
	return form >= 0 && form < TS_FORM__COUNT ? form_titles[form] : NULL;
}

int ts_form_parse(const char *name)
{
	for (int i = 0; name && i < TS_FORM__COUNT; i++)
		if (strcmp(name, form_names[i]) == 0)
			return i;
	return -1;
}

/* The form sets, oldest first; data, so a correction is one row. Order: receipt,
 * supplement, refusal, apology, stop, control slip.
 * - 01/2018/TT-VPCP (guiding Decree 61/2018): 01 receipt, 02 supplement, 03 refusal,
 *   04 apology and new appointment, 05 control slip, 06 register; no stop notice.
 * - 03/2025/TT-VPCP (guiding Decree 118/2025, signed and in force 15 Sep 2025, Appendix I):
 *   01 receipt, 02 supplement, 03 refusal, 04 apology letter asking for more time
 *   ("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"), 05 stop notice, 06 control
 *   slip, 07 register. Dossiers received from 1 July 2025 (Decree 118) to 14 Sep 2025 keep
 *   the 2018 numbering: no newer set was published then. The day in force is "check". */
static const struct ts_form_set sets[] = {
    {"01/2018/TT-VPCP", 20180701, {"01", "02", "03", "04", NULL, "05"}, "06", {NULL}},
    {"03/2025/TT-VPCP",
     20250915,
     {"01", "02", "03", "04", "05", "06"},
     "07",
     {NULL, NULL, NULL, "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", NULL, NULL}},
};

const char *ts_form_set_title(const struct ts_form_set *set, int form)
{
	if (set && form >= 0 && form < TS_FORM__COUNT && set->title[form])
		return set->title[form];
	return ts_form_title(form);
}

const struct ts_form_set *ts_form_set_for(int day)
{
	const struct ts_form_set *s = &sets[0];
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (sets[i].from_day <= day)
			s = &sets[i];
	return s;
}

/* ---- settings -------------------------------------------------------------------------- */

static char lookup_url[512] = "http://127.0.0.1:8080/tra-cuu?ma={code}";
static char font_dir[256] = "/usr/share/fonts/truetype/dejavu";

int ts_forms_configure(const char *url, const char *fonts, struct ts_error *err)
{
	char path[320];
	if (!url || !*url || strlen(url) >= sizeof(lookup_url))
		return ts_error_set(err, TS_ERR_CONFIG, "forms.lookup_url",
				    "forms.lookup_url không hợp lệ");
	if (!fonts || !*fonts || strlen(fonts) >= sizeof(font_dir))
		return ts_error_set(err, TS_ERR_CONFIG, "forms.font_dir", "forms.font_dir không hợp lệ");
	snprintf(path, sizeof(path), "%s/DejaVuSans.ttf", fonts);
	if (access(path, R_OK) != 0)
		return ts_error_set(err, TS_ERR_CONFIG, "forms.font_dir",
				    "Không tìm thấy phông chữ \"%s\" (gói fonts-dejavu-core)", path);
	snprintf(lookup_url, sizeof(lookup_url), "%s", url);
	snprintf(font_dir, sizeof(font_dir), "%s", fonts);
	return 0;
}

void ts_forms_shutdown(void)
{
	ts_pdf_shutdown();
}

char *ts_forms_lookup_url(struct ts_arena *a, const char *code)
{
	const char *at = strstr(lookup_url, "{code}");
	if (!at)
		return ts_arena_printf(a, "%s%s", lookup_url, code);
	return ts_arena_printf(a, "%.*s%s%s", (int)(at - lookup_url), lookup_url, code, at + 6);
}

/* ---- text helpers ---------------------------------------------------------------------- */

static void local_tm(int64_t at, struct tm *tm)
{
	time_t t = (time_t)(at + TS_TZ_OFFSET);
	gmtime_r(&t, tm);
}

static int local_day(int64_t at)
{
	struct tm tm;
	local_tm(at, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* "14 giờ 05 phút, ngày 03/11/2025" or "..." when unknown */
static const char *when(struct ts_arena *a, int64_t at)
{
	struct tm tm;
	if (at <= 0)
		return "....................";
	local_tm(at, &tm);
	return ts_arena_printf(a, "%02d giờ %02d phút, ngày %02d/%02d/%04d", tm.tm_hour, tm.tm_min,
			       tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

static const char *or_dots(const char *s)
{
	return s && *s ? s : "...................................";
}

/* Upper case of a Vietnamese unit name for the header: ASCII and the precomposed Latin
 * letters whose capital is the code point before (Latin Extended-A/B pairs, Vietnamese
 * block U+1EA0..U+1EF9) or 0x20 below (Latin-1). Enough for names; not a general
 * case mapper. */
static char *upper_vi(struct ts_arena *a, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *o = ts_arena_alloc(a, n * 2 + 1), *w = o;
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	if (!o)
		return NULL;
	while (*p) {
		unsigned cp, len;
		if (*p < 0x80)
			cp = *p, len = 1;
		else if ((*p & 0xe0) == 0xc0 && p[1])
			cp = ((unsigned)(*p & 0x1f) << 6) | (p[1] & 0x3f), len = 2;
		else if ((*p & 0xf0) == 0xe0 && p[1] && p[2])
			cp = ((unsigned)(*p & 0x0f) << 12) | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3f),
			len = 3;
		else {
			*w++ = (char)*p++;
			continue;
		}
		if (cp >= 'a' && cp <= 'z')
			cp -= 32;
		else if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7)
			cp -= 0x20;
		else if (((cp >= 0x100 && cp <= 0x17f) || (cp >= 0x1ea0 && cp <= 0x1ef9)) && cp % 2 == 1)
			cp -= 1;
		else if (cp == 0x1a1 || cp == 0x1b0)
			cp = cp == 0x1a1 ? 0x1a0 : 0x1af;
		if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xc0 | (cp >> 6));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*w++ = (char)(0xe0 | (cp >> 12));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		}
		p += len;
	}
	*w = '\0';
	return o;
}

static const char *duration(struct ts_arena *a, const struct ts_dossier *d)
{
	if (d->no_due_date)
		return "không quy định thời hạn";
	switch (d->time_unit) {
	case TS_CAL_WORKING_HOURS:
		return ts_arena_printf(a, "%" PRId64 " giờ làm việc", d->time_amount);
	case TS_CAL_CALENDAR_DAYS:
		return ts_arena_printf(a, "%" PRId64 " ngày", d->time_amount);
	default:
		return ts_arena_printf(a, "%" PRId64 " ngày làm việc", d->time_amount);
	}
}

static const char *delivery_text(int delivery)
{
	switch (delivery) {
	case TS_DELIVERY_POST:
		return "Qua dịch vụ bưu chính công ích";
	case TS_DELIVERY_ELECTRONIC:
		return "Trực tuyến (bản điện tử trên Cổng dịch vụ công)";
	default:
		return "Bộ phận Một cửa nơi tiếp nhận hồ sơ";
	}
}

/* The last event of the dossier with this action (NULL when none). */
static const struct ts_dossier_event *last_event(const struct ts_form_input *in, const char *action,
						 int *index)
{
	for (int i = in->nevents - 1; i >= 0; i--)
		if (in->events[i].action && strcmp(in->events[i].action, action) == 0) {
			if (index)
				*index = i;
			return &in->events[i];
		}
	return NULL;
}

/* ---- the common layout --------------------------------------------------------------- */

struct doc {
	struct ts_pdf *p;
	struct ts_arena *a;
	float x, w, y; /* column left edge, width, current baseline */
	float size;    /* body text size */
};

/* Agency header on the left, national motto on the right, form number above, the place
 * and date under the motto; then the title. */
static void header(struct doc *c, const struct ts_form_set *set, int form, const char *parent,
		   const char *agency, const char *number_line, int64_t now, const char *place)
{
	struct ts_pdf *p = c->p;
	float half = c->w * 0.42f, lx = c->x + half / 2, rx = c->x + half + (c->w - half) / 2;
	float s = c->size, y = c->y;
	struct tm tm;

	ts_pdf_text(p, c->x + c->w, y + s * 1.6f, s * 0.8f, TS_PDF_ITALIC, TS_PDF_RIGHT,
		    ts_arena_printf(c->a, "Mẫu số %s - Thông tư %s", set->number[form], set->circular));
	if (parent && *parent)
		ts_pdf_text(p, lx, y, s, TS_PDF_REGULAR, TS_PDF_CENTER, upper_vi(c->a, parent));
	ts_pdf_text(p, rx, y, s, TS_PDF_BOLD, TS_PDF_CENTER, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
	y -= s * 1.35f;
	{
		float yy = ts_pdf_para(p, c->x, y, half, s, TS_PDF_BOLD, TS_PDF_CENTER,
				       upper_vi(c->a, agency ? agency : ""), true);
		float mw = ts_pdf_text(p, rx, y, s * 1.05f, TS_PDF_BOLD, TS_PDF_CENTER,
				       "Độc lập - Tự do - Hạnh phúc");
		ts_pdf_line(p, rx - mw / 2, y - 3, rx + mw / 2, y - 3, 0.6f);
		ts_pdf_line(p, lx - 30, yy + s * 0.9f, lx + 30, yy + s * 0.9f, 0.6f);
		y = yy < y - s * 1.35f ? yy : y - s * 1.35f;
	}
	y -= s * 0.5f;
	if (number_line)
		ts_pdf_text(p, lx, y, s, TS_PDF_REGULAR, TS_PDF_CENTER, number_line);
	local_tm(now, &tm);
	ts_pdf_text(p, rx, y, s, TS_PDF_ITALIC, TS_PDF_CENTER,
		    ts_arena_printf(c->a, "%s, ngày %02d tháng %02d năm %04d",
				    place && *place ? place : "........", tm.tm_mday, tm.tm_mon + 1,
				    tm.tm_year + 1900));
	y -= s * 2.6f;
	y = ts_pdf_para(p, c->x, y, c->w, s * 1.25f, TS_PDF_BOLD, TS_PDF_CENTER, ts_form_set_title(set, form),
			true);
	c->y = y - s * 0.6f;
}

/* A paragraph of the body; label (bold, may be NULL) then text. */
static void field(struct doc *c, const char *label, const char *text)
{
	const char *t = label ? ts_arena_printf(c->a, "%s %s", label, text ? text : "") : text;
	c->y = ts_pdf_para(c->p, c->x, c->y, c->w, c->size, TS_PDF_REGULAR, TS_PDF_LEFT, t, true);
	c->y -= c->size * 0.25f;
}

/* A table: ncols columns of relative widths; header row bold; rows of cells. */
static void table(struct doc *c, int ncols, const float *rel, const char *const *head,
		  const char *const *cells, int nrows, float size)
{
	float xs[12], ws[12], total = 0;
	float pad = 3;

	c->y += c->size * 0.9f; /* the table's top sits where the line's capitals would */
	for (int i = 0; i < ncols; i++)
		total += rel[i];
	for (int i = 0; i < ncols; i++) {
		ws[i] = c->w * rel[i] / total;
		xs[i] = i ? xs[i - 1] + ws[i - 1] : c->x;
	}
	for (int r = -1; r < nrows; r++) {
		float h = 0;
		for (int i = 0; i < ncols; i++) {
			const char *t = r < 0 ? head[i] : cells[r * ncols + i];
			float yy = ts_pdf_para(c->p, xs[i] + pad, c->y - size - pad, ws[i] - 2 * pad, size,
					       r < 0 ? TS_PDF_BOLD : TS_PDF_REGULAR, TS_PDF_LEFT,
					       t ? t : "", false);
			float hh = c->y - yy + pad - size * 0.3f;
			if (hh > h)
				h = hh;
		}
		for (int i = 0; i < ncols; i++) {
			const char *t = r < 0 ? head[i] : cells[r * ncols + i];
			ts_pdf_para(c->p, xs[i] + pad, c->y - size - pad, ws[i] - 2 * pad, size,
				    r < 0 ? TS_PDF_BOLD : TS_PDF_REGULAR,
				    r < 0 ? TS_PDF_CENTER : TS_PDF_LEFT, t ? t : "", true);
			ts_pdf_rect(c->p, xs[i], c->y - h, ws[i], h);
		}
		c->y -= h;
	}
	c->y -= c->size * 1.4f;
}

/* Signature blocks side by side: a title (bold) and "(Ký và ghi rõ họ tên)", then the
 * name under the space left for the signature. */
static void signatures(struct doc *c, int n, const char *const *titles, const char *const *names)
{
	float cw = c->w / (float)n, low = c->y - c->size * 8;
	for (int i = 0; i < n; i++) {
		float cx = c->x + cw * (float)i + cw / 2;
		float y = ts_pdf_para(c->p, c->x + cw * (float)i, c->y, cw, c->size, TS_PDF_BOLD,
				      TS_PDF_CENTER, titles[i], true);
		ts_pdf_text(c->p, cx, y, c->size * 0.9f, TS_PDF_ITALIC, TS_PDF_CENTER,
			    "(Ký và ghi rõ họ tên)");
		(void)cx;
		if (names && names[i] && *names[i]) {
			float yy = ts_pdf_para(c->p, c->x + cw * (float)i + 4, y - c->size * 5.5f, cw - 8,
					       c->size, TS_PDF_BOLD, TS_PDF_CENTER, names[i], true);
			if (yy < low)
				low = yy;
		}
	}
	c->y = low - c->size;
}

/* One signature block in the right half of the page (the signer of a notice or letter). */
static void sign_right(const struct doc *c, const char *const *title, const char *name)
{
	struct doc s = *c;
	const char *names[1] = {name};
	s.x = c->x + c->w / 2;
	s.w = c->w / 2;
	signatures(&s, 1, title, name ? names : NULL);
}

static const char *result_text(const char *r)
{
	if (!r)
		return "";
	if (strcmp(r, "early") == 0)
		return "Trước hạn";
	if (strcmp(r, "on_time") == 0)
		return "Đúng hạn";
	if (strcmp(r, "late") == 0)
		return "Quá hạn";
	return r;
}

/* The items of a consolidated request (JSON array text) as table cells, 3 per row. */
static int item_cells(struct ts_arena *a, const char *items_json, const char ***cells)
{
	json_t *arr = items_json ? json_loads(items_json, 0, NULL) : NULL;
	size_t i, n = json_is_array(arr) ? json_array_size(arr) : 0;
	const json_t *it;
	const char **c = ts_arena_zalloc(a, (n + 1) * 3 * sizeof(*c));

	if (!c) {
		json_decref(arr);
		return 0;
	}
	json_array_foreach(arr, i, it)
	{
		const char *doc = json_string_value(json_object_get(it, "document"));
		const char *fld = json_string_value(json_object_get(it, "field"));
		const char *why = json_string_value(json_object_get(it, "reason"));
		c[i * 3] = ts_arena_printf(a, "%zu", i + 1);
		c[i * 3 + 1] = ts_arena_strdup(a, doc ? doc : fld ? fld : "");
		c[i * 3 + 2] = ts_arena_strdup(a, why ? why : "");
	}
	json_decref(arr);
	*cells = c;
	return (int)n;
}

/* Display name of a document code from the dossier's components. */
static const char *doc_name(const struct ts_form_input *in, const char *code)
{
	for (int i = 0; code && i < in->ndocs; i++)
		if (in->docs[i].code && strcmp(in->docs[i].code, code) == 0 && in->docs[i].name)
			return in->docs[i].name;
	return code;
}

/* ---- the forms ----------------------------------------------------------------------- */

static void receipt_copy(struct doc *c, const struct ts_form_set *set, const struct ts_form_input *in,
			 const char *copy_label, const char *url, struct ts_error *err)
{
	const struct ts_dossier *d = in->d;
	static const float rel[] = {0.6f, 5.0f, 1.3f, 1.3f};
	static const char *const head[] = {"TT", "Tên giấy tờ", "Bản chính", "Bản sao"};
	static const char *const sig_titles[] = {"NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"};
	const struct ts_dossier_event *acc = last_event(in, "accept", NULL);
	const struct ts_dossier_event *intake = last_event(in, "intake", NULL);
	int k = -1;
	const char *names[2] = {d->applicant_name, NULL};
	/* the officer who received it: the acceptance's (or the counter intake's) actor */
	if (acc || intake) {
		last_event(in, acc ? "accept" : "intake", &k);
		names[1] = in->actor_names && in->actor_names[k] ? in->actor_names[k]
								 : (acc ? acc : intake)->actor_label;
	}
	const char **cells = ts_arena_zalloc(c->a, (size_t)(in->ndocs + 1) * 4 * sizeof(*cells));
	int64_t received = d->accepted_at > 0 ? d->accepted_at : d->submitted_at;
	float qr = 74;

	header(c, set, TS_FORM_RECEIPT, in->agency_parent, in->agency,
	       ts_arena_printf(c->a, "Mã hồ sơ: %s", d->code), in->now, in->place);
	ts_pdf_text(c->p, c->x + c->w / 2, c->y, c->size * 0.9f, TS_PDF_ITALIC, TS_PDF_CENTER,
		    copy_label);
	c->y -= c->size * 1.6f;
	field(c, NULL,
	      ts_arena_printf(c->a, "Bộ phận tiếp nhận và trả kết quả %s tiếp nhận hồ sơ của:",
			      or_dots(in->agency)));
	field(c, "Ông/bà:", or_dots(d->applicant_name));
	field(c, "Địa chỉ:", or_dots(in->address));
	field(c, "Số điện thoại:",
	      ts_arena_printf(c->a, "%s    Email: %s", or_dots(d->applicant_phone),
			      in->email && *in->email ? in->email : "..............."));
	field(c, "Nội dung yêu cầu giải quyết:",
	      ts_arena_printf(c->a, "%s (mã thủ tục %s)", or_dots(d->procedure_name),
			      d->procedure_code ? d->procedure_code : ""));
	field(c, "1. Thành phần hồ sơ nộp gồm:", "");
	for (int i = 0; cells && i < in->ndocs; i++) {
		const struct ts_dossier_doc *x = &in->docs[i];
		cells[i * 4] = ts_arena_printf(c->a, "%d", i + 1);
		cells[i * 4 + 1] = ts_arena_printf(c->a, "%s%s", x->name ? x->name : x->code,
						   x->digitised ? " (bản điện tử)" : "");
		cells[i * 4 + 2] = ts_arena_printf(c->a, "%d", x->originals);
		cells[i * 4 + 3] = ts_arena_printf(c->a, "%d", x->copies);
	}
	if (cells)
		table(c, 4, rel, head, cells, in->ndocs, c->size * 0.9f);
	field(c, "2. Số lượng hồ sơ:", "01 (bộ)");
	field(c, "3. Thời gian giải quyết hồ sơ theo quy định là:", duration(c->a, d));
	field(c, "4. Thời gian nhận hồ sơ:", when(c->a, received));
	field(c, "5. Thời gian trả kết quả giải quyết hồ sơ:",
	      when(c->a, d->current_due_at > 0 ? d->current_due_at : d->due_at));
	field(c, "6. Đăng ký nhận kết quả tại:", delivery_text(d->delivery));
	field(c, NULL,
	      ts_arena_printf(c->a, "Vào Sổ theo dõi hồ sơ, Quyển số: %d, Số thứ tự: %s",
			      local_day(received) / 10000,
			      strrchr(d->code, '-') ? strrchr(d->code, '-') + 1 : d->code));
	c->y -= c->size * 0.5f;
	signatures(c, 2, sig_titles, names);
	/* the QR code to the public status page, under the signatures, away from any text */
	ts_pdf_qr(c->p, c->x + c->w / 2 - qr / 2, c->y - qr, qr, url, err);
	ts_pdf_text(c->p, c->x + c->w / 2, c->y - qr - c->size, c->size * 0.85f, TS_PDF_ITALIC,
		    TS_PDF_CENTER, "Quét mã để tra cứu tình trạng hồ sơ");
}

static int receipt(struct ts_pdf *p, struct ts_arena *a, const struct ts_form_set *set,
		   const struct ts_form_input *in, struct ts_error *err)
{
	float w, h;
	const char *url = ts_forms_lookup_url(a, in->d->code);
	static const char *const copies[] = {"(Liên 1: Lưu tại Bộ phận Một cửa)",
					     "(Liên 2: Giao người nộp hồ sơ)"};

	if (!url)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	/* two copies side by side on one landscape A4 page, a cutting line between them */
	ts_pdf_page(p, true, &w, &h);
	for (int i = 0; i < 2; i++) {
		struct doc c = {.p = p, .a = a, .x = 28 + (w / 2) * (float)i, .w = w / 2 - 56,
				.y = h - 44, .size = 8.2f};
		receipt_copy(&c, set, in, copies[i], url, err);
	}
	for (float y = 20; y < h - 20; y += 8)
		ts_pdf_line(p, w / 2, y, w / 2, y + 4, 0.4f);
	return err->code;
}

static struct doc portrait(struct ts_pdf *p, struct ts_arena *a)
{
	float w, h;
	ts_pdf_page(p, false, &w, &h);
	return (struct doc){.p = p, .a = a, .x = MARGIN + 14, .w = w - 2 * MARGIN - 14, .y = h - 56,
			    .size = 11};
}

static int supplement(struct ts_pdf *p, struct ts_arena *a, const struct ts_form_set *set,
		      const struct ts_form_input *in, struct ts_error *err)
{
	int k = -1;
	const struct ts_dossier_event *e = last_event(in, "request_supplement", &k);
	static const float rel[] = {0.6f, 3.0f, 5.0f};
	static const char *const head[] = {"TT", "Giấy tờ / thông tin", "Nội dung cần bổ sung, hoàn thiện"};
	static const char *const sig[] = {"NGƯỜI HƯỚNG DẪN"};
	const char **cells = NULL;
	const char *officer;
	struct doc c;
	int n;

	if (!e)
		return ts_error_set(err, TS_ERR_CONFLICT, "form",
				    "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nào");
	officer = in->actor_names && in->actor_names[k] ? in->actor_names[k] : e->actor_label;
	c = portrait(p, a);
	header(&c, set, TS_FORM_SUPPLEMENT, in->agency_parent, in->agency,
	       ts_arena_printf(a, "Mã hồ sơ: %s", in->d->code), e->at, in->place);
	field(&c, "Hồ sơ của:", or_dots(in->d->applicant_name));
	field(&c, "Nội dung yêu cầu giải quyết:", or_dots(in->d->procedure_name));
	field(&c, "Ngày nhận hồ sơ:", when(a, in->d->accepted_at > 0 ? in->d->accepted_at : in->d->submitted_at));
	field(&c, NULL, "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau (một lần, đầy đủ):");
	n = item_cells(a, e->items, &cells);
	for (int i = 0; i < n; i++)
		cells[i * 3 + 1] = doc_name(in, cells[i * 3 + 1]);
	if (n > 0)
		table(&c, 3, rel, head, cells, n, c.size * 0.95f);
	if (e->reason && *e->reason)
		field(&c, "Lý do:", e->reason);
	field(&c, NULL,
	      ts_arena_printf(a, "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ "
				 "với %s để được hướng dẫn.",
			      or_dots(officer)));
	c.y -= c.size;
	sign_right(&c, sig, officer);
	return 0;
}

static int refusal(struct ts_pdf *p, struct ts_arena *a, const struct ts_form_set *set,
		   const struct ts_form_input *in, struct ts_error *err)
{
	const struct ts_dossier_event *e = last_event(in, "refuse", NULL);
	static const float rel[] = {0.6f, 3.0f, 5.0f};
	static const char *const head[] = {"TT", "Giấy tờ / thông tin", "Lý do"};
	static const char *const sig[] = {"NGƯỜI TIẾP NHẬN HỒ SƠ"};
	const char **cells = NULL;
	struct doc c;
	int n;

	if (!e)
		return ts_error_set(err, TS_ERR_CONFLICT, "form", "Hồ sơ không bị từ chối tiếp nhận");
	c = portrait(p, a);
	header(&c, set, TS_FORM_REFUSAL, in->agency_parent, in->agency,
	       ts_arena_printf(a, "Mã hồ sơ: %s", in->d->code), e->at, in->place);
	field(&c, NULL,
	      ts_arena_printf(a, "Bộ phận tiếp nhận và trả kết quả %s tiếp nhận hồ sơ của:",
			      or_dots(in->agency)));
	field(&c, "Ông/bà:", or_dots(in->d->applicant_name));
	field(&c, "Địa chỉ:", or_dots(in->address));
	field(&c, "Nội dung yêu cầu giải quyết:", or_dots(in->d->procedure_name));
	field(&c, NULL,
	      "Sau khi xem xét, đối chiếu hồ sơ với quy định, cơ quan từ chối tiếp nhận, giải quyết "
	      "hồ sơ này với lý do sau:");
	field(&c, "Lý do:", or_dots(e->reason));
	n = item_cells(a, e->items, &cells);
	for (int i = 0; i < n; i++)
		cells[i * 3 + 1] = doc_name(in, cells[i * 3 + 1]);
	if (n > 0)
		table(&c, 3, rel, head, cells, n, c.size * 0.95f);
	field(&c, NULL, "Xin thông báo để ông/bà được biết và thực hiện.");
	c.y -= c.size;
	sign_right(&c, sig, e->actor_label);
	return 0;
}

static int apology(struct ts_pdf *p, struct ts_arena *a, const struct ts_form_set *set,
		   const struct ts_form_input *in, struct ts_error *err)
{
	const struct ts_dossier_event *e = last_event(in, "apologize", NULL);
	const struct ts_dossier *d = in->d;
	static const char *const sig[] = {"THỦ TRƯỞNG CƠ QUAN"};
	struct doc c;

	if (!e)
		return ts_error_set(err, TS_ERR_CONFLICT, "form", "Hồ sơ chưa có thư xin lỗi, hẹn lại");
	c = portrait(p, a);
	header(&c, set, TS_FORM_APOLOGY, in->competent_parent, in->competent,
	       ts_arena_printf(a, "Mã hồ sơ: %s", d->code), e->at, in->place);
	field(&c, NULL,
	      ts_arena_printf(a, "%s xin lỗi ông/bà %s vì hồ sơ đề nghị giải quyết thủ tục %s chưa "
				 "được giải quyết đúng hạn.",
			      or_dots(in->competent), or_dots(d->applicant_name), or_dots(d->procedure_name)));
	field(&c, "Mã hồ sơ:", d->code);
	field(&c, "Ngày tiếp nhận hồ sơ:", when(a, d->accepted_at > 0 ? d->accepted_at : d->submitted_at));
	field(&c, "Ngày hẹn trả kết quả:", when(a, d->original_due_at > 0 ? d->original_due_at : d->due_at));
	field(&c, "Lý do chậm trễ:", or_dots(e->reason));
	field(&c, NULL, "Sự chậm trễ này đã gây phiền hà cho ông/bà; cơ quan thành thật xin lỗi và "
			"xin hẹn lại thời gian trả kết quả:");
	field(&c, "Ngày hẹn trả kết quả mới:", when(a, d->current_due_at));
	field(&c, NULL, "Cơ quan xin tiếp thu ý kiến và cam kết trả kết quả đúng thời gian đã hẹn lại.");
	c.y -= c.size;
	sign_right(&c, sig, NULL);
	return 0;
}

static int stop_notice(struct ts_pdf *p, struct ts_arena *a, const struct ts_form_set *set,
		       const struct ts_form_input *in, struct ts_error *err)
{
	const struct ts_dossier_event *e = last_event(in, "stop", NULL);
	const struct ts_dossier *d = in->d;
	static const char *const sig[] = {"THỦ TRƯỞNG CƠ QUAN"};
	struct doc c;

	if (!e)
		return ts_error_set(err, TS_ERR_CONFLICT, "form", "Hồ sơ không bị dừng giải quyết");
	c = portrait(p, a);
	header(&c, set, TS_FORM_STOP, in->competent_parent, in->competent,
	       ts_arena_printf(a, "Mã hồ sơ: %s", d->code), e->at, in->place);
	field(&c, "Kính gửi:", or_dots(d->applicant_name));
	field(&c, "Địa chỉ:", or_dots(in->address));
	field(&c, NULL,
	      ts_arena_printf(a, "%s thông báo dừng giải quyết hồ sơ đề nghị giải quyết thủ tục %s, "
				 "mã hồ sơ %s, tiếp nhận %s.",
			      or_dots(in->competent), or_dots(d->procedure_name), d->code,
			      when(a, d->accepted_at > 0 ? d->accepted_at : d->submitted_at)));
	field(&c, "Lý do dừng giải quyết:", or_dots(e->reason));
	field(&c, "Thời điểm dừng giải quyết:", when(a, e->at));
	field(&c, NULL, "Xin thông báo để ông/bà được biết.");
	c.y -= c.size;
	sign_right(&c, sig, NULL);
	return 0;
}

static int control_slip(struct ts_pdf *p, struct ts_arena *a, const struct ts_form_set *set,
			const struct ts_form_input *in, struct ts_error *err)
{
	const struct ts_dossier *d = in->d;
	static const float rel[] = {1.6f, 2.2f, 2.2f, 2.2f, 1.4f, 2.2f};
	static const char *const head[] = {"Bước / thao tác", "Thời gian giao, nhận hồ sơ",
					   "Người giao", "Người nhận", "Kết quả giải quyết",
					   "Ghi chú"};
	const char **cells = ts_arena_zalloc(a, (size_t)(in->nevents + 1) * 6 * sizeof(*cells));
	struct doc c;
	int n = 0;

	(void)err;
	if (!cells)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	c = portrait(p, a);
	c.size = 10;
	header(&c, set, TS_FORM_CONTROL_SLIP, in->agency_parent, in->agency,
	       ts_arena_printf(a, "Mã hồ sơ: %s", d->code), in->now, in->place);
	field(&c, "(Kèm theo hồ sơ của:", ts_arena_printf(a, "%s)", or_dots(d->applicant_name)));
	field(&c, "Thủ tục:", or_dots(d->procedure_name));
	field(&c, "Ngày tiếp nhận:", when(a, d->accepted_at > 0 ? d->accepted_at : d->submitted_at));
	field(&c, "Ngày hẹn trả kết quả:", when(a, d->current_due_at > 0 ? d->current_due_at : d->due_at));
	for (int i = 0; i < in->nevents; i++) {
		const struct ts_dossier_event *e = &in->events[i];
		const char *giver = in->actor_names && in->actor_names[i] ? in->actor_names[i] : e->actor_label;
		const char *recv = in->receiver_names && in->receiver_names[i] ? in->receiver_names[i] : NULL;
		if (!e->handed_at && strcmp(e->action, "submit") && strcmp(e->action, "intake") &&
		    strcmp(e->action, "accept"))
			continue;
		const char *act = ts_dossier_action_title(ts_dossier_action_parse(e->action));
		cells[n * 6] = e->step > 0 ? ts_arena_printf(a, "Bước %d: %s", e->step, act ? act : e->action)
					   : (act ? act : e->action);
		cells[n * 6 + 1] = when(a, e->handed_at > 0 ? e->handed_at : e->at);
		cells[n * 6 + 2] = giver ? giver : "";
		cells[n * 6 + 3] = recv ? recv : (e->to_step > 0 ? ts_arena_printf(a, "Bước %d", e->to_step) : "");
		cells[n * 6 + 4] = result_text(e->result);
		cells[n * 6 + 5] = e->reason ? e->reason : "";
		n++;
	}
	table(&c, 6, rel, head, cells, n, 8.5f);
	return 0;
}

int ts_forms_render(struct ts_arena *a, int form, const struct ts_form_input *in,
		    const char **pdf, size_t *len, struct ts_error *err)
{
	const struct ts_dossier *d = in->d;
	int64_t received = d->accepted_at > 0 ? d->accepted_at : d->submitted_at;
	const struct ts_form_set *set = ts_form_set_for(local_day(received > 0 ? received : in->now));
	struct ts_pdf *p = NULL;
	int rc;

	if (form < 0 || form >= TS_FORM__COUNT || !set->number[form])
		return ts_error_set(err, TS_ERR_NOT_FOUND, "form",
				    "Bộ biểu mẫu theo Thông tư %s không có mẫu \"%s\"", set->circular,
				    ts_form_name(form) ? ts_form_name(form) : "?");
	if ((rc = ts_pdf_new(a, font_dir, &p, err)))
		return rc;
	switch (form) {
	case TS_FORM_RECEIPT:
		rc = receipt(p, a, set, in, err);
		break;
	case TS_FORM_SUPPLEMENT:
		rc = supplement(p, a, set, in, err);
		break;
	case TS_FORM_REFUSAL:
		rc = refusal(p, a, set, in, err);
		break;
	case TS_FORM_APOLOGY:
		rc = apology(p, a, set, in, err);
		break;
	case TS_FORM_STOP:
		rc = stop_notice(p, a, set, in, err);
		break;
	default:
		rc = control_slip(p, a, set, in, err);
		break;
	}
	if (rc == 0)
		rc = ts_pdf_bytes(p, pdf, len, err);
	ts_pdf_free(p);
	return rc;
}

/* ---- from the store ------------------------------------------------------------------ */

struct names_job {
	struct ts_arena *a;
	const int64_t *ids;
	int n;
	const char **out;
};

static int names_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct names_job *j = vjob;
	for (int i = 0; i < j->n; i++) {
		struct ts_dbval p[] = {TS_DB_INT(j->ids[i])};
		struct ts_dbres *r = NULL;
		int rc;
		if (j->ids[i] <= 0)
			continue;
		if ((rc = ts_db_query(c, j->a, "forms_account_name", p, 1, &r, err)))
			return rc;
		j->out[i] = r->nrows ? ts_dbres_get(r, 0, 0) : NULL;
	}
	return 0;
}

static int unit_lines(struct ts_ctx *ctx, int64_t id, const char **parent, const char **name)
{
	struct ts_unit u, up;
	struct ts_error e = {0};
	memset(&up, 0, sizeof(up));
	if (id <= 0 || ts_org_unit_get(ctx, id, &u, &up, NULL, &e) != 0)
		return 0;
	*name = u.name;
	*parent = up.id > 0 ? up.name : NULL;
	return 0;
}

int ts_forms_dossier_pdf(struct ts_ctx *ctx, const char *code, int form, const char **pdf,
			 size_t *len, const char **filename, struct ts_error *err)
{
	struct ts_dossier d;
	struct ts_dossier_event *ev = NULL;
	struct ts_dossier_doc *docs = NULL;
	struct ts_form_input in = {0};
	int nev = 0, ndocs = 0, rc;
	int64_t *ids;
	const char **names;

	if (form < 0 || form >= TS_FORM__COUNT)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "form", "Không có biểu mẫu này");
	if ((rc = ts_dossier_get(ctx, code, &d, &ev, &nev, &docs, &ndocs, err)))
		return rc;
	/* display names of the people on the control slip and the officer who prints */
	ids = ts_arena_zalloc(ctx->arena, (size_t)(2 * nev + 1) * sizeof(*ids));
	names = ts_arena_zalloc(ctx->arena, (size_t)(2 * nev + 1) * sizeof(*names));
	if (!ids || !names)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < nev; i++) {
		ids[i] = ev[i].actor_account_id;
		ids[nev + i] = ev[i].receiver_account_id;
	}
	ids[2 * nev] = ctx->actor.account_id;
	{
		struct names_job j = {ctx->arena, ids, 2 * nev + 1, names};
		if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, names_tx, &j, err)))
			return rc;
	}
	in.d = &d;
	in.events = ev;
	in.nevents = nev;
	in.actor_names = names;
	in.receiver_names = names + nev;
	in.docs = docs;
	in.ndocs = ndocs;
	in.officer = names[2 * nev] ? names[2 * nev] : ctx->actor.display_name;
	in.now = (int64_t)time(NULL);
	unit_lines(ctx, d.receiving_unit_id, &in.agency_parent, &in.agency);
	unit_lines(ctx, d.competent_unit_id, &in.competent_parent, &in.competent);
	if (d.form_data) {
		json_t *f = json_loads(d.form_data, 0, NULL);
		const char *addr = json_string_value(json_object_get(f, "address"));
		const char *email = json_string_value(json_object_get(f, "email"));
		in.address = addr ? ts_arena_strdup(ctx->arena, addr) : NULL;
		in.email = email ? ts_arena_strdup(ctx->arena, email) : NULL;
		json_decref(f);
	}
	if ((rc = ts_forms_render(ctx->arena, form, &in, pdf, len, err)))
		return rc;
	*filename = ts_arena_printf(ctx->arena, "%s-%s.pdf", ts_form_name(form), d.code);
	return 0;
}
