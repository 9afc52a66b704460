/* iam_int.h - internal face of the iam module: helpers shared by policy.c, auth.c,
 * account.c, audit.c and the adapter iam_http.c. Not for other modules (use iam.h).
 * Read operations return jansson trees owned by ctx->arena (ts_json_own), so callers
 * pass json_incref(v) to ts_http_reply. */
#ifndef TS_IAM_IAM_INT_H
#define TS_IAM_IAM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/json.h"
#include "iam/iam.h"

/* ---- policy.c (pure) ---- */
const struct ts_iam_options *ts_iam_opt(void);
/* Every real permission bit (AUTHENTICATED included, PUBLIC excluded). */
uint64_t ts_iam_all_perms(void);
/* Holds system_admin everywhere (or is the CLI). */
bool ts_iam_is_sysadmin(const struct ts_actor *a);
const char *ts_iam_kind_name(int kind); /* "citizen" ... NULL */
int ts_iam_kind_parse(const char *s);   /* -1 when unknown */
/* Personal ID check against a given current year (for tests). */
int ts_iam_check_personal_id_at(const char *s, int this_year, const char *field,
				struct ts_error *err);
/* 10 - (Σ dᵢwᵢ mod 11) over the first nine digits; 10 means no valid code. */
int ts_iam_tax_check_digit(const char *nine);
/* Officer login names: 3..64 of a-z 0-9 . _ -, starting with a letter. */
int ts_iam_check_username(const char *s, const char *field, struct ts_error *err);
/* Lowercases and checks an e-mail address into out. */
int ts_iam_normalize_email(const char *s, char *out, size_t outsz, const char *field,
			   struct ts_error *err);

/* ---- auth.c ---- */
/* Hashes pw with argon2id (options' limits) into the arena; NULL on failure. Slow (~100 ms):
 * never call it inside a transaction. */
char *ts_iam_pw_hash(struct ts_arena *a, const char *pw, struct ts_error *err);
/* Loads the grants of account id into ctx->actor (replacing any), sets perms. Runs on c. */
int ts_iam_load_grants(struct ts_dbconn *c, struct ts_ctx *ctx, struct ts_actor *act,
		       struct ts_error *err);
/* Revokes every live session of account_id except keep_session (0 = none); *n revoked. */
int ts_iam_revoke_sessions_on(struct ts_dbconn *c, struct ts_ctx *ctx, int64_t account_id,
			      int64_t keep_session, int64_t *n, struct ts_error *err);
int ts_iam_sessions_list(struct ts_ctx *ctx, json_t **out, struct ts_error *err);
/* Own sessions only: another account's session is TS_ERR_NOT_FOUND. */
int ts_iam_session_revoke(struct ts_ctx *ctx, int64_t session_id, struct ts_error *err);
int ts_iam_password_change(struct ts_ctx *ctx, const char *old_pw, const char *new_pw,
			   struct ts_error *err);
/* The account shape of the acting actor ({id, kind, username, full_name, unit_id, roles,
 * permissions}); API clients get {api_client:{id, name, unit_id, permissions}}. */
json_t *ts_iam_actor_json(struct ts_ctx *ctx, const struct ts_actor *a);

/* ---- account.c ---- */
/* ts_iam_account_create plus a business's representative name (may be NULL) and role
 * grants (roles[i] over role_units[i], 0 = everywhere), all in one transaction. */
int ts_iam_account_create_ex(struct ts_ctx *ctx, const struct ts_account_new *in,
			     const char *rep_name, const int *roles, const int64_t *role_units,
			     int nroles, int64_t *id, struct ts_error *err);
/* Scope of perm for the actor: *all true when a grant covers everything, else units is
 * " 3 17 " (space-separated roots, for the scope CTE queries); NULL when none. */
const char *ts_iam_scope_roots(struct ts_ctx *ctx, int perm, bool *all);
int ts_iam_accounts_list(struct ts_ctx *ctx, int64_t unit, const char *q, int64_t limit,
			 int64_t offset, json_t **out, struct ts_error *err);
int ts_iam_account_get(struct ts_ctx *ctx, int64_t id, json_t **out, struct ts_error *err);

struct ts_account_patch {
	const char *full_name; /* NULL = unchanged */
	bool set_email, set_phone;
	const char *email, *phone; /* with set_*: NULL clears */
	const char *status;        /* "active" / "disabled" / NULL */
	int64_t version;
};
int ts_iam_account_update(struct ts_ctx *ctx, int64_t id, const struct ts_account_patch *p,
			  json_t **out, struct ts_error *err);
int ts_iam_account_sessions_revoke(struct ts_ctx *ctx, int64_t id, int64_t *n,
				   struct ts_error *err);
int ts_iam_grant_remove(struct ts_ctx *ctx, int64_t account_id, int64_t grant_id,
			struct ts_error *err);
/* Clears a lockout (and the failure count); *was_locked tells whether there was one. */
int ts_iam_account_unlock(struct ts_ctx *ctx, int64_t id, bool *was_locked, struct ts_error *err);
int ts_iam_api_clients_list(struct ts_ctx *ctx, json_t **out, struct ts_error *err);
/* Creates an API client; *key ("ts_<prefix>_<secret>") is in the arena and shown once. */
int ts_iam_api_client_create(struct ts_ctx *ctx, const char *name, uint64_t perms,
			     int64_t unit_id, int64_t *id, const char **key, struct ts_error *err);
int ts_iam_api_client_revoke(struct ts_ctx *ctx, int64_t id, struct ts_error *err);

/* ---- mfa.c (TOTP, RFC 6238, by liboath) ---- */
/* Checks a 6-digit code against a base32 secret at now (±1 step); *step is the accepted time
 * step. 0, or TS_ERR_VALIDATION when it does not match. */
int ts_iam_totp_check(const char *secret_b32, const char *code, int64_t now, int64_t *step,
		      struct ts_error *err);
/* Starts enrolment of the acting account: a new secret, kept pending, returned once as
 * {secret, otpauth_uri}. TS_ERR_CONFLICT when one is already confirmed. */
int ts_iam_totp_enrol(struct ts_ctx *ctx, json_t **out, struct ts_error *err);
/* Confirms the pending secret with a first code; the account's enrol-only sessions become
 * full sessions. */
int ts_iam_totp_confirm(struct ts_ctx *ctx, const char *code, struct ts_error *err);
/* Administrator: removes an account's TOTP (lost device); it enrols again. */
int ts_iam_totp_reset(struct ts_ctx *ctx, int64_t account_id, struct ts_error *err);

/* ---- audit.c ---- */
/* Rows after after_seq (ascending), filtered; scoped to the actor's AUDIT_READ scope. */
int ts_audit_list(struct ts_ctx *ctx, int64_t after_seq, int64_t limit, const char *object_type,
		  const char *object_id, json_t **out, struct ts_error *err);

/* Small helpers */
int64_t ts_iam_now(void);
/* Parses a decimal id > 0 from a path/query value; -1 when not one. */
int64_t ts_iam_parse_id(const char *s);

#endif
