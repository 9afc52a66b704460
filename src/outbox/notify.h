/* notify.h - notifications to citizens (issue 7): on acceptance, supplement request,
 * apology, result ready and delivery the dossier transaction writes a "notify.<action>"
 * outbox message (src/dossier); this outbox target sends it by e-mail over SMTP and by SMS
 * and Zalo through configurable HTTP webhooks, from Vietnamese templates that
 * administrators may edit (defaults built in). A channel that went out is recorded per
 * message, so a retry never repeats it. Never sees HTTP (notify_http.c). */
#ifndef TS_OUTBOX_NOTIFY_H
#define TS_OUTBOX_NOTIFY_H

#include <stdbool.h>

#include "base/json.h"
#include "outbox/outbox.h"

struct ts_notify_options {
	const char *smtp_url;      /* smtp://HOST:PORT; "" = no e-mail */
	const char *mail_from;     /* sender address */
	const char *sms_webhook;   /* URL; "" = no SMS */
	const char *zalo_webhook;  /* URL; "" = no Zalo */
	const char *webhook_token; /* bearer token of the webhooks (secret), may be "" */
	long connect_timeout_ms, timeout_ms;
};
/* Copies o (strings borrowed: they must live while the dispatcher runs). */
void ts_notify_configure(const struct ts_notify_options *o);
/* true when at least one channel is configured. */
bool ts_notify_enabled(void);
/* The outbox target for "notify." messages. */
void ts_notify_target(struct ts_outbox_target *out);

/* Replaces {code} {name} {procedure} {due} {reason} {status} in tpl with vals (NULL = "")
 * ; unknown {words} stay as written. Result in a. Pure. */
struct ts_notify_vars {
	const char *code, *name, *procedure, *due, *reason, *status;
};
char *ts_notify_render(struct ts_arena *a, const char *tpl, const struct ts_notify_vars *v);

/* ---- admin (permission outbox.manage) ---- */
/* Every (event, channel) template in effect: {items:[{event, channel, subject, body,
 * customised}]}. New reference in *out. */
int ts_notify_templates(struct ts_db *db, struct ts_arena *a, json_t **out, struct ts_error *err);
struct ts_ctx;
/* Sets the template of event (accept | request_supplement | apologize | finish | deliver)
 * and channel (email | sms | zalo); audited. TS_ERR_VALIDATION for unknown names. */
int ts_notify_template_set(struct ts_ctx *ctx, const char *event, const char *channel,
			   const char *subject, const char *body, struct ts_error *err);

struct ts_call;
extern const struct ts_json_spec ts_notify_spec_template;
int ts_notify_http_templates(struct ts_call *call, struct ts_error *err);
int ts_notify_http_template_set(struct ts_call *call, struct ts_error *err);

#endif
