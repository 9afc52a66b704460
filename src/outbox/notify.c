/* notify.c - the notification target: reads the dossier and the template of the event,
 * sends e-mail (SMTP over httpc.c) and SMS / Zalo (JSON to webhooks), records each channel
 * that went out (notify_sent) so that retries skip it, and the template administration. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "iam/iam.h"
#include "outbox/httpc.h"
#include "outbox/notify.h"

static struct ts_notify_options g_opt = {.smtp_url = "", .mail_from = "", .sms_webhook = "",
					 .zalo_webhook = "", .webhook_token = "",
					 .connect_timeout_ms = 3000, .timeout_ms = 10000};

void ts_notify_configure(const struct ts_notify_options *o) { g_opt = *o; }

bool ts_notify_enabled(void)
{
	return (g_opt.smtp_url && *g_opt.smtp_url) || (g_opt.sms_webhook && *g_opt.sms_webhook) ||
	       (g_opt.zalo_webhook && *g_opt.zalo_webhook);
}

/* ---- templates --------------------------------------------------------------------------- */

static const char *const events[] = {"accept", "request_supplement", "apologize", "finish",
				      "deliver"};
static const char *const channels[] = {"email", "sms", "zalo"};
#define NEVENTS 5
#define NCHANNELS 3

/* Default wording per event: subject, and one text used for every channel. */
static const char *const def_subject[NEVENTS] = {
    "Hồ sơ {code} đã được tiếp nhận",
    "Hồ sơ {code} cần bổ sung",
    "Thư xin lỗi về hồ sơ {code}",
    "Hồ sơ {code} đã có kết quả",
    "Hồ sơ {code} đã trả kết quả",
};
static const char *const def_body[NEVENTS] = {
    "Kính gửi {name}: hồ sơ {code} ({procedure}) đã được tiếp nhận. Ngày hẹn trả kết quả: {due}.",
    "Kính gửi {name}: hồ sơ {code} ({procedure}) cần bổ sung: {reason}. Vui lòng bổ sung một lần "
    "đầy đủ theo phiếu hướng dẫn.",
    "Kính gửi {name}: cơ quan xin lỗi vì hồ sơ {code} ({procedure}) chưa giải quyết đúng hẹn. "
    "Lý do: {reason}. Ngày hẹn mới: {due}.",
    "Kính gửi {name}: hồ sơ {code} ({procedure}) đã có kết quả, mời ông/bà nhận kết quả theo "
    "hình thức đã đăng ký.",
    "Kính gửi {name}: kết quả hồ sơ {code} ({procedure}) đã được trả. Cảm ơn ông/bà đã sử dụng "
    "dịch vụ; mời đánh giá mức độ hài lòng.",
};

static int index_of(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

char *ts_notify_render(struct ts_arena *a, const char *tpl, const struct ts_notify_vars *v)
{
	struct ts_sbuf b;
	static const char *const keys[] = {"code", "name", "procedure", "due", "reason", "status"};
	const char *vals[] = {v->code, v->name, v->procedure, v->due, v->reason, v->status};

	ts_sbuf_init(&b, a);
	for (const char *p = tpl; *p;) {
		int hit = -1;
		if (*p == '{')
			for (int k = 0; k < 6; k++) {
				size_t n = strlen(keys[k]);
				if (strncmp(p + 1, keys[k], n) == 0 && p[1 + n] == '}') {
					hit = k;
					break;
				}
			}
		if (hit >= 0) {
			const char *s = vals[hit] ? vals[hit] : "";
			ts_sbuf_put(&b, s, strlen(s));
			p += strlen(keys[hit]) + 2;
		} else {
			ts_sbuf_put(&b, p, 1);
			p++;
		}
	}
	ts_sbuf_put(&b, "", 0);
	if (b.failed)
		return NULL;
	return b.buf ? b.buf : ts_arena_strdup(a, "");
}

/* ---- delivery ------------------------------------------------------------------------------ */

struct src_st {
	struct ts_arena *a;
	const char *code, *action;
	int64_t at, outbox_id;
	struct ts_dbres *d, *reason, *tpl, *sent;
};

static int src_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct src_st *st = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(st->code)};
	int rc;

	if ((rc = ts_db_query(c, st->a, "notify_source", p, 1, &st->d, err)))
		return rc;
	if (st->d->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Không có hồ sơ %s", st->code);
	struct ts_dbval pr[] = {TS_DB_INT(ts_dbres_int(st->d, 0, 8)), TS_DB_INT(st->at),
				TS_DB_TEXT(st->action)};
	struct ts_dbval ps[] = {TS_DB_INT(st->outbox_id)};
	if ((rc = ts_db_query(c, st->a, "notify_reason", pr, 3, &st->reason, err)) ||
	    (rc = ts_db_query(c, st->a, "notify_template_get", NULL, 0, &st->tpl, err)))
		return rc;
	return ts_db_query(c, st->a, "notify_sent_list", ps, 1, &st->sent, err);
}

struct sent_st {
	struct ts_arena *a;
	int64_t id;
	const char *channel;
};

static int sent_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct sent_st *st = vst;
	struct ts_dbval p[] = {TS_DB_INT(st->id), TS_DB_TEXT(st->channel), TS_DB_INT(time(NULL))};
	return ts_db_query(c, st->a, "notify_sent_put", p, 3, NULL, err);
}

static void template_of(const struct src_st *st, int ev, int ch, const char **subject,
			const char **body)
{
	*subject = def_subject[ev];
	*body = def_body[ev];
	for (int i = 0; i < st->tpl->nrows; i++)
		if (strcmp(ts_dbres_get(st->tpl, i, 0), events[ev]) == 0 &&
		    strcmp(ts_dbres_get(st->tpl, i, 1), channels[ch]) == 0) {
			*subject = ts_dbres_get(st->tpl, i, 2);
			*body = ts_dbres_get(st->tpl, i, 3);
		}
}

static bool already_sent(const struct src_st *st, const char *channel)
{
	for (int i = 0; i < st->sent->nrows; i++)
		if (strcmp(ts_dbres_get(st->sent, i, 0), channel) == 0)
			return true;
	return false;
}

/* local (UTC+7) "HH:MM dd/MM/yyyy" */
static const char *local_time(struct ts_arena *a, int64_t t)
{
	struct tm tm;
	time_t l = (time_t)(t + 7 * 3600);
	if (t <= 0 || !gmtime_r(&l, &tm))
		return "";
	return ts_arena_printf(a, "%02d:%02d %02d/%02d/%04d", tm.tm_hour, tm.tm_min, tm.tm_mday,
			       tm.tm_mon + 1, tm.tm_year + 1900);
}

static int send_webhook(struct ts_arena *a, const char *url, const char *to, const char *text,
			const char *event, const char *ref, char *why, size_t whysz)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "to", to, "text", text, "event", event, "ref", ref);
	const char *body = j ? ts_json_dump(a, j, NULL) : NULL;
	struct ts_httpc_req r = {.method = "POST", .url = url, .bearer = g_opt.webhook_token,
				 .idem_key = ref, .body = body,
				 .connect_timeout_ms = g_opt.connect_timeout_ms,
				 .timeout_ms = g_opt.timeout_ms, .max_response = 4096};
	long status = 0;
	char *answer = NULL;

	json_decref(j);
	if (!body) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	if (ts_httpc_request(&r, a, &status, &answer, why, whysz))
		return -1;
	if (status < 200 || status >= 300) {
		snprintf(why, whysz, "webhook answered HTTP %ld", status);
		return -1;
	}
	return 0;
}

static enum ts_outbox_outcome deliver(void *ud, struct ts_db *db, struct ts_arena *a,
				      const struct ts_outbox_msg *m, char *why, size_t whysz)
{
	struct src_st st = {.a = a, .outbox_id = m->id};
	struct ts_error err = {0};
	json_t *pl;
	int ev, failed = 0;

	(void)ud;
	if (!(pl = ts_json_own(a, json_loads(m->payload ? m->payload : "", 0, NULL))) ||
	    !(st.code = ts_json_str(pl, "code")) || !(st.action = ts_json_str(pl, "action")) ||
	    (ev = index_of(events, NEVENTS, st.action)) < 0) {
		snprintf(why, whysz, "not a notification message");
		return TS_OUTBOX_REFUSED;
	}
	st.at = ts_json_int(pl, "at", 0);
	if (ts_db_tx(db, TS_DB_TX_READ, src_tx, &st, &err)) {
		snprintf(why, whysz, "%s", err.detail);
		return err.code == TS_ERR_NOT_FOUND ? TS_OUTBOX_REFUSED : TS_OUTBOX_RETRY;
	}
	int64_t due = ts_dbres_int(st.d, 0, 6) ? ts_dbres_int(st.d, 0, 6) : ts_dbres_int(st.d, 0, 7);
	struct ts_notify_vars v = {.code = st.code, .name = ts_dbres_get(st.d, 0, 1),
				   .procedure = ts_dbres_get(st.d, 0, 4), .due = local_time(a, due),
				   .reason = st.reason->nrows ? ts_dbres_get(st.reason, 0, 0) : NULL,
				   .status = NULL};
	const char *phone = ts_dbres_get(st.d, 0, 2), *email = ts_dbres_get(st.d, 0, 3);
	for (int ch = 0; ch < NCHANNELS; ch++) {
		const char *url = ch == 0 ? g_opt.smtp_url : ch == 1 ? g_opt.sms_webhook : g_opt.zalo_webhook;
		const char *to = ch == 0 ? email : phone;
		const char *subject, *body, *subj, *text, *ref;
		char e[256] = "";
		int rc;

		if (!url || !*url || !to || !*to || already_sent(&st, channels[ch]))
			continue;
		template_of(&st, ev, ch, &subject, &body);
		subj = ts_notify_render(a, subject, &v);
		text = ts_notify_render(a, body, &v);
		ref = ts_arena_printf(a, "tinhso-%" PRId64 "-%s", m->id, channels[ch]);
		if (!subj || !text || !ref) {
			snprintf(why, whysz, "out of memory");
			return TS_OUTBOX_RETRY;
		}
		if (ch == 0) {
			struct ts_httpc_mail mail = {.smtp_url = url, .from = g_opt.mail_from, .to = to,
						     .subject = subj, .body = text, .msg_id = ref,
						     .connect_timeout_ms = g_opt.connect_timeout_ms,
						     .timeout_ms = g_opt.timeout_ms};
			rc = ts_httpc_mail_send(&mail, a, e, sizeof(e));
		} else {
			rc = send_webhook(a, url, to, text, events[ev], ref, e, sizeof(e));
		}
		if (rc) {
			failed = 1;
			snprintf(why, whysz, "%s: %s", channels[ch], e);
			continue;
		}
		struct sent_st ss = {.a = a, .id = m->id, .channel = channels[ch]};
		if (ts_db_tx(db, TS_DB_TX_WRITE, sent_tx, &ss, &err)) {
			failed = 1; /* sent but not recorded: a retry may repeat this one channel */
			snprintf(why, whysz, "%s sent, not recorded: %s", channels[ch], err.detail);
		}
	}
	return failed ? TS_OUTBOX_RETRY : TS_OUTBOX_DELIVERED;
}

void ts_notify_target(struct ts_outbox_target *out)
{
	out->name = "notify";
	out->topic_prefix = "notify.";
	out->deliver = deliver;
	out->ud = NULL;
}

/* ---- administration ------------------------------------------------------------------------ */

struct tpl_st {
	struct ts_arena *a;
	struct ts_dbres *r;
	struct ts_ctx *ctx;
	const char *event, *channel, *subject, *body;
};

static int tpl_list_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct tpl_st *st = vst;
	return ts_db_query(c, st->a, "notify_template_get", NULL, 0, &st->r, err);
}

int ts_notify_templates(struct ts_db *db, struct ts_arena *a, json_t **out, struct ts_error *err)
{
	struct tpl_st st = {.a = a};
	struct src_st view;
	json_t *items;
	int rc;

	*out = NULL;
	if ((rc = ts_db_tx(db, TS_DB_TX_READ, tpl_list_tx, &st, err)))
		return rc;
	if (!(items = json_array()))
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	view.tpl = st.r;
	for (int ev = 0; ev < NEVENTS; ev++)
		for (int ch = 0; ch < NCHANNELS; ch++) {
			const char *subject, *body;
			template_of(&view, ev, ch, &subject, &body);
			json_array_append_new(items,
					      json_pack("{s:s, s:s, s:s, s:s, s:b}", "event", events[ev],
							"channel", channels[ch], "subject", subject,
							"body", body, "customised", body != def_body[ev]));
		}
	*out = json_pack("{s:o}", "items", items);
	return *out ? 0 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

static int tpl_set_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct tpl_st *st = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(st->event), TS_DB_TEXT(st->channel),
			       TS_DB_TEXT(st->subject ? st->subject : ""), TS_DB_TEXT(st->body),
			       TS_DB_INT(time(NULL))};
	int rc = ts_db_query(c, st->a, "notify_template_put", p, 5, NULL, err);
	if (rc)
		return rc;
	const char *id = ts_arena_printf(st->a, "%s/%s", st->event, st->channel);
	return ts_audit_write(c, st->ctx, "notify.template", "notify_template", id,
			      "template changed", err);
}

int ts_notify_template_set(struct ts_ctx *ctx, const char *event, const char *channel,
			   const char *subject, const char *body, struct ts_error *err)
{
	struct tpl_st st = {.a = ctx->arena, .ctx = ctx, .event = event, .channel = channel,
			    .subject = subject, .body = body};
	if (index_of(events, NEVENTS, event) < 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "event",
				    "Sự kiện phải là accept, request_supplement, apologize, finish hoặc deliver");
	if (index_of(channels, NCHANNELS, channel) < 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "channel", "Kênh phải là email, sms hoặc zalo");
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, tpl_set_tx, &st, err);
}
