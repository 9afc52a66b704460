/* forms_http.c - thin HTTP adapter of the printed forms and registers: the PDF of a form
 * of a dossier, the register of a unit as XLSX. No rule is decided here; routes and their
 * permissions live in app/routes.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attach/attach.h"
#include "calendar/calendar.h"
#include "forms/forms.h"
#include "http/http.h"

/* GET /api/v1/dossiers/{code}/forms/{form}: receipt, supplement, refusal, apology, stop,
 * control-slip */
int ts_forms_http_pdf(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	const char *pdf = NULL, *name = NULL, *disp;
	size_t len = 0;
	int form = ts_form_parse(call->params[1]), rc;

	if (form < 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "form", "Không có biểu mẫu \"%s\"",
				    call->params[1]);
	if ((rc = ts_forms_dossier_pdf(call->ctx, call->params[0], form, &pdf, &len, &name, err)))
		return rc;
	disp = ts_attach_disposition(r->arena, name);
	/* a PDF may open in the browser for printing; it is never HTML */
	if (!disp || ts_http_resp_header(r, call->resp, "Content-Disposition", disp + strlen("attachment")) ||
	    ts_http_resp_header(r, call->resp, "Content-Security-Policy", "default-src 'none'; sandbox"))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	call->resp->status = 200;
	call->resp->content_type = "application/pdf";
	call->resp->body = pdf;
	call->resp->body_len = len;
	return 0;
}

/* "2025-07-01" -> unix seconds at 00:00 UTC+7; -1 when malformed. */
static int64_t parse_day(const char *s)
{
	int y, m, d;
	char tail;
	if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
	return (int64_t)timegm(&tm) - TS_TZ_OFFSET;
}

/* GET /api/v1/units/{id}/register?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive) */
int ts_forms_http_register(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	int64_t unit = 0, from, to;
	uint64_t size = 0;
	int fd = -1, rc;
	const char *disp;

	for (const char *p = call->params[0]; *p; p++) {
		if (*p < '0' || *p > '9' || unit > INT64_MAX / 10 - 10)
			return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "Không tìm thấy đơn vị");
		unit = unit * 10 + (*p - '0');
	}
	from = parse_day(ts_http_query_get(r, "from"));
	to = parse_day(ts_http_query_get(r, "to"));
	if (from < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "from", "Cần ngày bắt đầu dạng YYYY-MM-DD");
	if (to < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "to", "Cần ngày kết thúc dạng YYYY-MM-DD");
	if ((rc = ts_forms_register_xlsx(call->ctx, unit, from, to + 86400, &fd, &size, err)))
		return rc;
	call->resp->status = 200;
	call->resp->has_fd = true;
	call->resp->fd = fd;
	call->resp->fd_size = size;
	call->resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	disp = ts_attach_disposition(r->arena, ts_arena_printf(r->arena, "so-theo-doi-ho-so-%s-%s.xlsx",
								 ts_http_query_get(r, "from"),
								 ts_http_query_get(r, "to")));
	if (!disp || ts_http_resp_header(r, call->resp, "Content-Disposition", disp))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return 0;
}

/* GET /api/v1/dossiers/export.xlsx?<the filters of GET /api/v1/dossiers>: the queue as shown */
int ts_forms_http_queue(struct ts_call *call, struct ts_error *err)
{
	struct ts_http_req *r = call->req;
	struct ts_dossier_filter f;
	uint64_t size = 0;
	int fd = -1, rc;
	char name[64];
	const char *disp;
	time_t now = time(NULL);
	struct tm tm;

	if ((rc = ts_dossier_http_filter(call, &f, err)) ||
	    (rc = ts_forms_queue_xlsx(call->ctx, &f, (int64_t)now, &fd, &size, err)))
		return rc;
	call->resp->status = 200;
	call->resp->has_fd = true;
	call->resp->fd = fd;
	call->resp->fd_size = size;
	call->resp->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	now += TS_TZ_OFFSET;
	gmtime_r(&now, &tm);
	snprintf(name, sizeof(name), "danh-sach-ho-so-%04d%02d%02d-%02d%02d.xlsx", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	disp = ts_attach_disposition(r->arena, name);
	if (!disp || ts_http_resp_header(r, call->resp, "Content-Disposition", disp) ||
	    ts_http_resp_header(r, call->resp, "Cache-Control", "private, no-store"))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL); /* the server closes fd */
	return 0;
}
