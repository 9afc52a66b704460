/* identity.h - identity lookup through the integration platform (issue 7): a counter
 * officer looks a citizen up in the national population database by personal ID to pre-fill
 * a form, and marks the dossier as using population data (index 4.5). When the remote is
 * down the lookup answers 503 and the form is filled by hand; nothing else depends on it.
 * Never sees HTTP (identity_http.c). */
#ifndef TS_DVCQG_IDENTITY_H
#define TS_DVCQG_IDENTITY_H

#include <stdbool.h>

#include "base/json.h"
#include "iam/iam.h"

struct ts_identity_options {
	const char *url;   /* base URL of the population-data service; "" = off */
	const char *token; /* bearer token (secret) */
	long connect_timeout_ms, timeout_ms;
};
/* Copies o (strings borrowed; they must live while the server runs). */
void ts_identity_configure(const struct ts_identity_options *o);

/* Looks personal_id (12 digits, checked) up: *out a new reference {personal_id, full_name,
 * birth_date, sex, address, source: "population_db"}. Audited with the ID masked.
 * TS_ERR_VALIDATION (bad ID), TS_ERR_NOT_FOUND (not in the database), TS_ERR_UNAVAILABLE
 * (remote down, slow or not configured: fill the form by hand). */
int ts_identity_lookup(struct ts_ctx *ctx, const char *personal_id, json_t **out,
		       struct ts_error *err);

/* Marks the dossier (code or alias, visible to the actor) as using population data; audited;
 * idempotent. *out {code, population_data: true, marked_at}. */
int ts_identity_mark(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err);
/* Reads the mark: {code, population_data, marked_at}. */
int ts_identity_marked(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err);

struct ts_call;
extern const struct ts_json_spec ts_identity_spec_lookup;
int ts_identity_http_lookup(struct ts_call *call, struct ts_error *err);
int ts_identity_http_mark(struct ts_call *call, struct ts_error *err);
int ts_identity_http_marked(struct ts_call *call, struct ts_error *err);

#endif
