/* dvcqg.h - the National Public Service Portal (Cổng Dịch vụ công Quốc gia) connector
 * (issue 7, DOMAIN.md §4-5, docs/integration.md): an outbox target that turns each dossier
 * transition into one national message (dossier snapshot with the status code 1-10, the
 * progress record of the step, supplement / apology dates, result file references;
 * timestamps yyyyMMddHHmmss in UTC+7), sent with token authentication over libcurl with
 * timeouts, idempotent (an "already exists" answer turns a create into an update); and
 * the intake the other way: a dossier created on the national portal enters tinhso with
 * the national code kept as an alias (system "dvcqg"). Never sees HTTP (dvcqg_http.c). */
#ifndef TS_DVCQG_DVCQG_H
#define TS_DVCQG_DVCQG_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "db/db.h"
#include "dossier/dossier.h"
#include "outbox/outbox.h"

#define TS_DVCQG_SYSTEM "dvcqg" /* the alias system of national codes */

struct ts_dvcqg_options {
	const char *url;          /* base URL of the national API; "" = connector off */
	const char *token;        /* bearer token (secret) */
	long connect_timeout_ms;
	long timeout_ms;
};
/* Copies o (strings borrowed: they must live while the dispatcher runs). */
void ts_dvcqg_configure(const struct ts_dvcqg_options *o);
/* The outbox target for "dossier." messages. */
void ts_dvcqg_target(struct ts_outbox_target *out);

/* yyyyMMddHHmmss of unix time t in UTC+7 into out (>= 15 bytes); "" when t <= 0 or when
 * out is too small. Pure. */
void ts_dvcqg_timestamp(int64_t t, char *out, size_t outsz);
/* The national status code of a tinhso status (the same 1-10 table, DOMAIN.md §4); 0 when
 * out of range. Pure. */
int ts_dvcqg_status_code(int status);

/* Builds the national message of outbox message id with payload (the dossier.* payload:
 * code, action, from, to, at, version) from the store. *out new reference; *is_create set
 * for submission / intake messages; *national_code the portal's code of the dossier (its
 * alias, else the tinhso code; in a). TS_ERR_NOT_FOUND when the dossier is gone. */
int ts_dvcqg_build(struct ts_db *db, struct ts_arena *a, int64_t id, const char *payload,
		   json_t **out, int *is_create, const char **national_code, struct ts_error *err);

/* Intake: creates the dossier the national portal received (body per ts_dvcqg_spec_intake)
 * through the dossier engine as the system (status 1, online channel), records the
 * national code as alias and audits the call in ctx. Idempotent per national code: a
 * repeated intake returns the same dossier (*created false). */
int ts_dvcqg_intake(struct ts_ctx *ctx, const json_t *body, struct ts_dossier *out,
		    int *created, struct ts_error *err);

/* ---- HTTP adapters (dvcqg_http.c) ---- */
struct ts_call;
extern const struct ts_json_spec ts_dvcqg_spec_intake;
int ts_dvcqg_http_intake(struct ts_call *call, struct ts_error *err);

#endif
