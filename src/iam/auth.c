/* auth.c - who acts: password login with throttling, cookie sessions, bearer API keys,
 * logout, own-session management and password changes. Argon2id hashing and verification
 * always run outside DB transactions so the SQLite writer is never held during them.
 * Sits on db/db.h and base/crypto.h; adapters are in iam_http.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/crypto.h"
#include "base/log.h"
#include "iam/iam.h"
#include "iam/iam_int.h"

#define TOKEN_BYTES 32
#define TOKEN_BUF 64
#define TOUCH_EVERY_S 60
#define API_PREFIX_HEX 12

int64_t ts_iam_now(void) { return (int64_t)time(NULL); }

int64_t ts_iam_parse_id(const char *s)
{
	int64_t v = 0;
	if (!s || !*s || strlen(s) > 18)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > 0 ? v : -1;
}

char *ts_iam_pw_hash(struct ts_arena *a, const char *pw, struct ts_error *err)
{
	const struct ts_iam_options *o = ts_iam_opt();
	char *out = ts_arena_alloc(a, crypto_pwhash_STRBYTES);
	if (!out) {
		ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		return NULL;
	}
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), o->pwhash_opslimit, (size_t)o->pwhash_memlimit,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		ts_log(TS_LOG_ERROR, "password hashing failed (out of memory?)", NULL);
		ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		return NULL;
	}
	return out;
}

/* A hash to verify against when the login names nobody, so that an unknown login costs as
 * much time as a wrong password. Made once, lazily. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_make(void)
{
	const struct ts_iam_options *o = ts_iam_opt();
	char pw[33];
	ts_random_hex(pw, sizeof(pw), 16);
	if (crypto_pwhash_str_alg(dummy_hash, pw, strlen(pw), o->pwhash_opslimit,
				  (size_t)o->pwhash_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy_hash[0] = '\0';
}

static bool pw_verify(const char *hash, const char *pw)
{
	return hash && crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* ---- actor loading ---- */

static int grant_id_cmp(const void *x, const void *y)
{
	const struct ts_grant *a = x, *b = y;
	return (a->id > b->id) - (a->id < b->id);
}

/* The actor's grants from rows of r whose columns col, col + 1, col + 2 hold a role_grant's id,
 * role and unit_id (rows with a NULL id hold none: a LEFT JOIN's), in id order. */
static int grants_from_rows(struct ts_ctx *ctx, struct ts_actor *act, const struct ts_dbres *r,
			    int col, struct ts_error *err)
{
	bool implicit = act->kind == TS_ACCT_CITIZEN || act->kind == TS_ACCT_BUSINESS;
	int n = r->nrows + (implicit ? 1 : 0);
	struct ts_grant *g = ts_arena_zalloc(ctx->arena, sizeof(*g) * (size_t)(n ? n : 1));
	if (!g)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	uint64_t perms = TS_PERM_BIT(TS_PERM_AUTHENTICATED);
	int k = 0, first;
	/* Citizens and businesses hold the CITIZEN role implicitly, everywhere (unit 0);
	 * it is never stored in role_grant. */
	if (implicit) {
		g[k] = (struct ts_grant){0, TS_ROLE_CITIZEN, 0, ts_role_perms(TS_ROLE_CITIZEN)};
		perms |= g[k++].perms;
	}
	first = k;
	for (int i = 0; i < r->nrows; i++) {
		if (ts_dbres_isnull(r, i, col))
			continue;
		int role = ts_role_parse(ts_dbres_get(r, i, col + 1));
		if (role < 0)
			continue; /* a role dropped from the table grants nothing */
		g[k] = (struct ts_grant){ts_dbres_int(r, i, col), role, ts_dbres_int(r, i, col + 2),
					 ts_role_perms(role)};
		perms |= g[k++].perms;
	}
	/* the queries leave the order to the index they walk (no sort in the store) */
	qsort(g + first, (size_t)(k - first), sizeof(*g), grant_id_cmp);
	act->grants = g;
	act->ngrants = k;
	act->perms = perms;
	return 0;
}

int ts_iam_load_grants(struct ts_dbconn *c, struct ts_ctx *ctx, struct ts_actor *act,
		       struct ts_error *err)
{
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(act->account_id)};
	int rc = ts_db_query(c, ctx->arena, "iam_grants_of", p, 1, &r, err);
	if (rc)
		return rc;
	return grants_from_rows(ctx, act, r, 0, err);
}

/* Fills the account part of act from a row (id, kind, username, full_name, unit_id). */
static void actor_from_row(struct ts_actor *act, const struct ts_dbres *r, int row, int col)
{
	act->account_id = ts_dbres_int(r, row, col);
	act->kind = ts_iam_kind_parse(ts_dbres_get(r, row, col + 1));
	act->username = ts_dbres_get(r, row, col + 2);
	act->display_name = ts_dbres_get(r, row, col + 3);
	act->unit_id = ts_dbres_int(r, row, col + 4);
}

struct act_as_job {
	struct ts_ctx *ctx;
	const char *username;
	struct ts_actor act;
};

static int act_as_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct act_as_job *j = vjob;
	struct ts_dbval p[] = {TS_DB_TEXT(j->username)};
	struct ts_dbres *r;
	int rc = ts_db_query(c, j->ctx->arena, "iam_actor_by_username", p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "username",
				    "Không có tài khoản đang hoạt động \"%s\"", j->username);
	actor_from_row(&j->act, r, 0, 0);
	return ts_iam_load_grants(c, j->ctx, &j->act, err);
}

int ts_iam_act_as(struct ts_ctx *ctx, const char *username, struct ts_error *err)
{
	struct act_as_job j = {.ctx = ctx, .username = username};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, act_as_tx, &j, err);
	if (rc == 0)
		ctx->actor = j.act;
	return rc;
}

json_t *ts_iam_actor_json(struct ts_ctx *ctx, const struct ts_actor *a)
{
	json_t *perms = json_array();
	for (int p = 0; perms && p < TS_PERM__COUNT; p++)
		if (p != TS_PERM_PUBLIC && (a->perms & TS_PERM_BIT(p)))
			json_array_append_new(perms, json_string(ts_perm_name(p)));
	if (a->api_client_id > 0) {
		json_t *v = json_pack("{s:{s:I, s:s?, s:I?, s:o}}", "api_client", "id",
				      (json_int_t)a->api_client_id, "name", a->username, "unit_id",
				      a->unit_id ? json_integer(a->unit_id) : json_null(), "permissions",
				      perms);
		return ts_json_own(ctx->arena, v);
	}
	json_t *roles = json_array();
	for (int i = 0; roles && i < a->ngrants; i++) {
		const struct ts_grant *g = &a->grants[i];
		json_array_append_new(roles, json_pack("{s:I, s:s?, s:o}", "id", (json_int_t)g->id,
						       "role", ts_role_name(g->role), "unit_id",
						       g->unit_id ? json_integer(g->unit_id) : json_null()));
	}
	json_t *v = json_pack("{s:I, s:s?, s:s?, s:s?, s:o, s:o, s:o}", "id", (json_int_t)a->account_id,
			      "kind", ts_iam_kind_name(a->kind), "username", a->username, "full_name",
			      a->display_name, "unit_id", a->unit_id ? json_integer(a->unit_id) : json_null(),
			      "roles", roles ? roles : json_null(), "permissions", perms ? perms : json_null());
	if (v && a->totp_enrol_only)
		json_object_set_new(v, "totp_enrolment_required", json_true());
	return ts_json_own(ctx->arena, v);
}

/* ---- login ---- */

struct cand {
	int64_t id;
	int kind;
	const char *status, *hash, *username;
	const char *row_username, *full_name;
	int64_t unit_id;
	const char *totp_secret; /* confirmed second factor, NULL when none */
	bool locked;             /* locked after login.lockout_failures */
};

struct login_st {
	struct ts_ctx *ctx;
	const char *login, *email, *phone, *totp_code;
	int64_t totp_step; /* > 0: the accepted TOTP time step, used up on success */
	struct cand cand[3];
	int ncand;
	bool throttled;
	/* phase 2 */
	int matched; /* index into cand, -1 = none */
	const char *reason;
	char token[TOKEN_BUF], csrf[TOKEN_BUF], token_hash[65];
	struct ts_login_result *out;
	struct ts_actor actor;
};

static int fail_count(struct ts_dbconn *c, struct ts_arena *a, const char *key, int64_t since,
		      int64_t *n, struct ts_error *err)
{
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(key), TS_DB_INT(since)};
	int rc = ts_db_query(c, a, "iam_fail_get", p, 2, &r, err);
	if (rc)
		return rc;
	*n = r->nrows ? ts_dbres_int(r, 0, 0) : 0;
	return 0;
}

static int login_lookup_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct login_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	const struct ts_iam_options *o = ts_iam_opt();
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->login), TS_DB_TEXT(st->email), TS_DB_TEXT(st->phone)};
	int rc = ts_db_query(c, ctx->arena, "iam_login_lookup", p, 3, &r, err);
	if (rc)
		return rc;
	st->ncand = 0;
	st->throttled = false;
	for (int i = 0; i < r->nrows && i < 3; i++) {
		struct cand *k = &st->cand[st->ncand++];
		k->id = ts_dbres_int(r, i, 0);
		k->kind = ts_iam_kind_parse(ts_dbres_get(r, i, 1));
		k->row_username = ts_dbres_get(r, i, 2);
		k->full_name = ts_dbres_get(r, i, 3);
		k->unit_id = ts_dbres_int(r, i, 4);
		k->status = ts_dbres_get(r, i, 5);
		k->hash = ts_dbres_get(r, i, 6);
		k->totp_secret = ts_dbres_get(r, i, 7);
		k->locked = !ts_dbres_isnull(r, i, 8);
	}
	int64_t since = ts_iam_now() - o->fail_window_s, n = 0;
	char *key = ts_arena_printf(ctx->arena, "ip:%s", ctx->client_addr ? ctx->client_addr : "-");
	if (!key)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if ((rc = fail_count(c, ctx->arena, key, since, &n, err)))
		return rc;
	if (n >= o->max_fail_ip)
		st->throttled = true;
	for (int i = 0; i < st->ncand; i++) {
		key = ts_arena_printf(ctx->arena, "acct:%lld", (long long)st->cand[i].id);
		if (!key)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		if ((rc = fail_count(c, ctx->arena, key, since, &n, err)))
			return rc;
		if (n >= o->max_fail_account)
			st->throttled = true;
	}
	return 0;
}

static int fail_add(struct ts_dbconn *c, struct ts_arena *a, const char *key, struct ts_error *err)
{
	int64_t now = ts_iam_now();
	struct ts_dbval p[] = {TS_DB_TEXT(key), TS_DB_INT(now),
			       TS_DB_INT(now - ts_iam_opt()->fail_window_s)};
	return ts_db_query(c, a, "iam_fail_add", p, 3, NULL, err);
}

static bool is_staff(int kind) { return kind == TS_ACCT_OFFICER || kind == TS_ACCT_ADMIN; }

/* One more consecutive failure of a staff account (citizens are not locked: anyone who knows
 * a citizen's phone number could lock them out); locks and audits at lockout_failures. A
 * failure that is the lock itself (reason "locked") is not counted again. */
static int lockout_count(struct ts_dbconn *c, struct ts_ctx *ctx, const struct cand *k,
			 const char *idbuf, const char *reason, struct ts_error *err)
{
	const struct ts_iam_options *o = ts_iam_opt();
	if (!is_staff(k->kind) || (reason && strcmp(reason, "locked") == 0))
		return 0;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(k->id), TS_DB_INT(o->lockout_failures),
			       TS_DB_INT(ts_iam_now())};
	int rc = ts_db_query(c, ctx->arena, "iam_login_failed_account", p, 3, &r, err);
	if (rc)
		return rc;
	if (k->locked || r->nrows != 1 || ts_dbres_isnull(r, 0, 1))
		return 0;
	char *summary = ts_arena_printf(ctx->arena, "consecutive_failures=%lld",
					(long long)ts_dbres_int(r, 0, 0));
	if (!summary)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	ts_log(TS_LOG_WARN, "account locked after failed logins", "account_id", idbuf, NULL);
	return ts_audit_write(c, ctx, "account.locked", "account", idbuf, summary, err);
}

/* The session of a person whose role requires TOTP but who has none yet: nothing but
 * "authenticated" (own account, sessions, TOTP enrolment, logout) until enrolment. */
static void enrol_only_strip(struct ts_actor *a)
{
	a->grants = NULL;
	a->ngrants = 0;
	a->perms = TS_PERM_BIT(TS_PERM_AUTHENTICATED);
	a->totp_enrol_only = true;
}

static bool totp_role_required(const struct ts_actor *a)
{
	uint64_t mask = ts_iam_opt()->totp_required_roles;
	for (int i = 0; mask && i < a->ngrants; i++)
		if (a->grants[i].role >= 0 && (mask & (UINT64_C(1) << a->grants[i].role)))
			return true;
	return false;
}

static int login_finish_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct login_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	const struct ts_iam_options *o = ts_iam_opt();
	int64_t now = ts_iam_now();
	int rc;
	char *key;

	if (st->matched < 0 || st->reason) {
		/* Failure: count it per address and per account, then audit. */
		key = ts_arena_printf(ctx->arena, "ip:%s", ctx->client_addr ? ctx->client_addr : "-");
		if (!key)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		if ((rc = fail_add(c, ctx->arena, key, err)))
			return rc;
		const struct cand *k = st->matched >= 0 ? &st->cand[st->matched]
				       : st->ncand ? &st->cand[0] : NULL;
		char idbuf[24] = "";
		if (k) {
			key = ts_arena_printf(ctx->arena, "acct:%lld", (long long)k->id);
			if (!key)
				return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
			if ((rc = fail_add(c, ctx->arena, key, err)))
				return rc;
			snprintf(idbuf, sizeof(idbuf), "%lld", (long long)k->id);
			if ((rc = lockout_count(c, ctx, k, idbuf, st->reason, err)))
				return rc;
		}
		char *summary = ts_arena_printf(ctx->arena, "reason=%s login=%s",
						st->reason ? st->reason : "bad_password",
						ts_iam_mask(ctx->arena, st->login));
		if (!summary)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		return ts_audit_write(c, ctx, "auth.login_failed", "account", k ? idbuf : NULL,
				      summary, err);
	}

	const struct cand *k = &st->cand[st->matched];
	key = ts_arena_printf(ctx->arena, "acct:%lld", (long long)k->id);
	if (!key)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	struct ts_dbval pk[] = {TS_DB_TEXT(key)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_fail_clear", pk, 1, NULL, err)))
		return rc;
	struct ts_dbval pa[] = {TS_DB_INT(k->id)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_login_ok_account", pa, 1, NULL, err)))
		return rc;
	if (st->totp_step > 0) {
		/* a code is good once: a replay within its window is refused */
		struct ts_dbres *u;
		struct ts_dbval ps[] = {TS_DB_INT(k->id), TS_DB_INT(st->totp_step)};
		if ((rc = ts_db_query(c, ctx->arena, "iam_totp_use_step", ps, 2, &u, err)))
			return rc;
		if (u->changes != 1)
			return ts_error_set(err, TS_ERR_BAD_CREDENTIALS, NULL,
					    "mã xác thực đã được dùng, vui lòng chờ mã mới");
	}

	memset(&st->actor, 0, sizeof(st->actor));
	st->actor.account_id = k->id;
	st->actor.kind = k->kind;
	st->actor.username = k->row_username;
	st->actor.display_name = k->full_name;
	st->actor.unit_id = k->unit_id;
	st->actor.csrf_token = ts_arena_strdup(ctx->arena, st->csrf);
	if ((rc = ts_iam_load_grants(c, ctx, &st->actor, err)))
		return rc;
	bool enrol_only = !k->totp_secret && totp_role_required(&st->actor);

	int64_t expires = now + o->session_ttl_s;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->token_hash), TS_DB_INT(k->id), TS_DB_TEXT(st->csrf),
			       TS_DB_INT(now), TS_DB_INT(expires), TS_DB_TEXT(ctx->client_addr),
			       TS_DB_INT(enrol_only ? 1 : 0)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_session_insert", p, 7, &r, err)))
		return rc;
	st->actor.session_id = ts_dbres_int(r, 0, 0);

	/* Audit as the account that just signed in. */
	struct ts_actor saved = ctx->actor;
	ctx->actor = st->actor;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)k->id);
	rc = ts_audit_write(c, ctx, "auth.login", "account", idbuf,
			    st->totp_step > 0 ? "method=password+totp"
			    : enrol_only    ? "method=password totp_enrolment_required"
					    : "method=password",
			    err);
	ctx->actor = saved;
	if (enrol_only)
		enrol_only_strip(&st->actor);
	if (rc)
		return rc;

	st->out->expires_at = now + o->session_idle_s < expires ? now + o->session_idle_s : expires;
	return 0;
}

int ts_iam_login(struct ts_ctx *ctx, const char *login, const char *password,
		 struct ts_login_result *out, struct ts_error *err)
{
	return ts_iam_login_totp(ctx, login, password, NULL, out, err);
}

/* On success ctx->actor becomes the new session's actor (the login reply renders it). */
int ts_iam_login_totp(struct ts_ctx *ctx, const char *login, const char *password,
		      const char *totp_code, struct ts_login_result *out, struct ts_error *err)
{
	struct login_st st;
	char email[256], phone[16];
	int rc;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	st.ctx = ctx;
	st.out = out;
	st.matched = -1;
	if (!login || !*login || !password || !*password)
		return ts_error_set(err, TS_ERR_BAD_CREDENTIALS, NULL, NULL);
	st.login = login;
	if (strchr(login, '@') && ts_iam_normalize_email(login, email, sizeof(email), NULL, NULL) == 0)
		st.email = email;
	if (ts_iam_normalize_phone(login, phone, sizeof(phone), NULL, NULL) == 0)
		st.phone = phone;

	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, login_lookup_tx, &st, err)))
		return rc;
	if (st.throttled) {
		ts_log(TS_LOG_WARN, "login throttled", "request_id", ctx->request_id, NULL);
		return ts_error_set(err, TS_ERR_THROTTLED, NULL,
				    "đăng nhập sai quá nhiều lần, vui lòng thử lại sau %d phút",
				    (ts_iam_opt()->fail_window_s + 59) / 60);
	}

	/* Verification outside any transaction. */
	if (st.ncand == 0) {
		pthread_once(&dummy_once, dummy_make);
		(void)pw_verify(dummy_hash[0] ? dummy_hash : NULL, password);
		st.reason = "unknown_login";
	}
	for (int i = 0; i < st.ncand && st.matched < 0; i++)
		if (pw_verify(st.cand[i].hash, password))
			st.matched = i;
	if (st.matched >= 0 && strcmp(st.cand[st.matched].status, "active") != 0)
		st.reason = "disabled";
	else if (st.matched >= 0 && st.cand[st.matched].locked)
		st.reason = "locked";
	else if (st.matched >= 0 && st.cand[st.matched].totp_secret) {
		/* The password was right: ask for the second factor, counting nothing. */
		if (!totp_code || !*totp_code)
			return ts_error_set(err, TS_ERR_TOTP_REQUIRED, "totp_code",
					    "tài khoản bật xác thực hai lớp: nhập mã 6 chữ số từ "
					    "ứng dụng xác thực");
		if (ts_iam_totp_check(st.cand[st.matched].totp_secret, totp_code, ts_iam_now(),
				      &st.totp_step, NULL) != 0)
			st.reason = "bad_totp";
	}

	if (st.matched >= 0 && !st.reason) {
		ts_random_token(st.token, sizeof(st.token), TOKEN_BYTES);
		ts_random_token(st.csrf, sizeof(st.csrf), TOKEN_BYTES);
		ts_sha256_hex(st.token, strlen(st.token), st.token_hash, sizeof(st.token_hash));
	}
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, login_finish_tx, &st, err)))
		goto out;

	if (st.reason && strcmp(st.reason, "locked") == 0) {
		rc = ts_error_set(err, TS_ERR_ACCOUNT_LOCKED, NULL,
				  "tài khoản bị tạm khóa do đăng nhập sai nhiều lần, vui lòng liên "
				  "hệ quản trị viên để mở khóa");
		goto out;
	}
	if (st.reason && strcmp(st.reason, "disabled") == 0) {
		rc = ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
				  "tài khoản đã bị khóa, vui lòng liên hệ quản trị viên");
		goto out;
	}
	if (st.matched < 0 || st.reason) {
		rc = ts_error_set(err, TS_ERR_BAD_CREDENTIALS, NULL, NULL);
		goto out;
	}
	out->session_token = ts_arena_strdup(ctx->arena, st.token);
	out->csrf_token = ts_arena_strdup(ctx->arena, st.csrf);
	if (!out->session_token || !out->csrf_token) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		goto out;
	}
	ctx->actor = st.actor;
	rc = 0;
out:
	sodium_memzero(st.token, sizeof(st.token));
	return rc;
}

/* ---- logout and sessions ---- */

struct sess_st {
	struct ts_ctx *ctx;
	int64_t account_id, session_id, keep;
	int64_t n;
	const char *action;
};

static int logout_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct sess_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(st->session_id), TS_DB_INT(st->account_id),
			       TS_DB_INT(ts_iam_now())};
	int rc = ts_db_query(c, ctx->arena, "iam_session_revoke", p, 3, &r, err);
	if (rc)
		return rc;
	if (r->changes == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy phiên đăng nhập");
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)st->session_id);
	return ts_audit_write(c, ctx, st->action, "session", idbuf, NULL, err);
}

int ts_iam_logout(struct ts_ctx *ctx, struct ts_error *err)
{
	if (ctx->actor.session_id <= 0)
		return ts_error_set(err, TS_ERR_BAD_REQUEST, NULL,
				    "chỉ phiên đăng nhập bằng trình duyệt mới đăng xuất được");
	struct sess_st st = {ctx, ctx->actor.account_id, ctx->actor.session_id, 0, 0, "auth.logout"};
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, logout_tx, &st, err);
}

int ts_iam_session_revoke(struct ts_ctx *ctx, int64_t session_id, struct ts_error *err)
{
	if (ctx->actor.account_id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy phiên đăng nhập");
	struct sess_st st = {ctx, ctx->actor.account_id, session_id, 0, 0, "session.revoke"};
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, logout_tx, &st, err);
}

int ts_iam_revoke_sessions_on(struct ts_dbconn *c, struct ts_ctx *ctx, int64_t account_id,
			      int64_t keep_session, int64_t *n, struct ts_error *err)
{
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(account_id), TS_DB_INT(ts_iam_now()), TS_DB_INT(keep_session)};
	int rc = ts_db_query(c, ctx->arena, "iam_sessions_revoke_account", p, 3, &r, err);
	if (rc)
		return rc;
	if (n)
		*n = r->changes;
	return 0;
}

struct list_st {
	struct ts_ctx *ctx;
	json_t *out;
};

static int sessions_list_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct list_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	const struct ts_iam_options *o = ts_iam_opt();
	int64_t now = ts_iam_now();
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(ctx->actor.account_id), TS_DB_INT(now),
			       TS_DB_INT(now - o->session_idle_s)};
	int rc = ts_db_query(c, ctx->arena, "iam_sessions_of", p, 3, &r, err);
	if (rc)
		return rc;
	json_t *items = ts_json_own(ctx->arena, json_array());
	if (!items)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	for (int i = 0; i < r->nrows; i++) {
		int64_t id = ts_dbres_int(r, i, 0);
		int64_t last = ts_dbres_int(r, i, 2), exp = ts_dbres_int(r, i, 3);
		int64_t idle_exp = last + o->session_idle_s;
		json_array_append_new(
			items, json_pack("{s:I, s:I, s:I, s:I, s:s?, s:b}", "id", (json_int_t)id,
					 "created_at", (json_int_t)ts_dbres_int(r, i, 1), "last_seen_at",
					 (json_int_t)last, "expires_at",
					 (json_int_t)(idle_exp < exp ? idle_exp : exp), "client_addr",
					 ts_dbres_get(r, i, 4), "current", id == ctx->actor.session_id));
	}
	st->out = items;
	return 0;
}

int ts_iam_sessions_list(struct ts_ctx *ctx, json_t **out, struct ts_error *err)
{
	struct list_st st = {ctx, NULL};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, sessions_list_tx, &st, err);
	if (rc)
		return rc;
	*out = ts_json_own(ctx->arena, json_pack("{s:O}", "items", st.out));
	return *out ? 0 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

/* ---- authentication of a request ---- */

struct authn_st {
	struct ts_ctx *ctx;
	const char *hash, *prefix, *key;
	struct ts_actor act;
	int64_t last_seen;
	bool bad;
};

static int session_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct authn_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	const struct ts_iam_options *o = ts_iam_opt();
	int64_t now = ts_iam_now();
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->hash)};
	int rc = ts_db_query(c, ctx->arena, "iam_session_lookup", p, 1, &r, err);
	if (rc)
		return rc;
	memset(&st->act, 0, sizeof(st->act));
	st->bad = true;
	/* columns: s.id, s.csrf_token, s.last_seen_at, s.expires_at, a.id, a.kind,
	 * a.username, a.full_name, a.unit_id, a.status, s.totp_enrol_only, then one grant per
	 * row (g.id, g.role, g.unit_id; NULL without any): the session, its account and its
	 * grants read in one statement, every request, so a revoked session or grant counts at
	 * once on every node */
	if (r->nrows < 1)
		return 0;
	st->last_seen = ts_dbres_int(r, 0, 2);
	if (now >= ts_dbres_int(r, 0, 3) || now >= st->last_seen + o->session_idle_s)
		return 0;
	if (strcmp(ts_dbres_get(r, 0, 9), "active") != 0)
		return 0;
	st->act.session_id = ts_dbres_int(r, 0, 0);
	st->act.csrf_token = ts_dbres_get(r, 0, 1);
	actor_from_row(&st->act, r, 0, 4);
	if ((rc = grants_from_rows(ctx, &st->act, r, 11, err)))
		return rc;
	if (ts_dbres_int(r, 0, 10) != 0)
		enrol_only_strip(&st->act);
	st->bad = false;
	return 0;
}

static int session_touch_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct authn_st *st = arg;
	struct ts_dbval p[] = {TS_DB_INT(st->act.session_id), TS_DB_INT(ts_iam_now())};
	return ts_db_query(c, st->ctx->arena, "iam_session_touch", p, 2, NULL, err);
}

static uint64_t perms_parse(const char *s)
{
	uint64_t m = 0;
	char name[64];
	while (s && *s) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (n && n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			int p = ts_perm_parse(name);
			if (p > TS_PERM_AUTHENTICATED)
				m |= TS_PERM_BIT(p);
		}
		s += n;
	}
	return m;
}

static int apikey_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct authn_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->prefix)};
	int rc = ts_db_query(c, ctx->arena, "iam_apikey_lookup", p, 1, &r, err);
	if (rc)
		return rc;
	memset(&st->act, 0, sizeof(st->act));
	st->bad = true;
	/* columns: id, name, key_hash, perms, unit_id */
	for (int i = 0; i < r->nrows; i++) {
		if (!ts_str_eq_ct(ts_dbres_get(r, i, 2), st->hash))
			continue;
		struct ts_grant *g = ts_arena_zalloc(ctx->arena, sizeof(*g));
		if (!g)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		g->role = -1;
		g->unit_id = ts_dbres_int(r, i, 4);
		g->perms = perms_parse(ts_dbres_get(r, i, 3));
		st->act.api_client_id = ts_dbres_int(r, i, 0);
		st->act.username = ts_dbres_get(r, i, 1);
		st->act.display_name = st->act.username;
		st->act.unit_id = g->unit_id;
		st->act.kind = -1;
		st->act.grants = g;
		st->act.ngrants = 1;
		st->act.perms = g->perms | TS_PERM_BIT(TS_PERM_AUTHENTICATED);
		st->bad = false;
		break;
	}
	return 0;
}

int ts_iam_authenticate(struct ts_ctx *ctx, const char *session_token, const char *bearer,
			struct ts_error *err)
{
	struct authn_st st;
	char hash[65];
	int rc;

	memset(&ctx->actor, 0, sizeof(ctx->actor));
	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	if (bearer && *bearer) {
		/* ts_<12 hex prefix>_<secret>; only the SHA-256 of the whole key is stored */
		char prefix[API_PREFIX_HEX + 1];
		size_t n = strlen(bearer);
		if (n < 3 + API_PREFIX_HEX + 2 || n > 200 || memcmp(bearer, "ts_", 3) != 0 ||
		    bearer[3 + API_PREFIX_HEX] != '_')
			goto unauth;
		memcpy(prefix, bearer + 3, API_PREFIX_HEX);
		prefix[API_PREFIX_HEX] = '\0';
		ts_sha256_hex(bearer, n, hash, sizeof(hash));
		st.prefix = prefix;
		st.hash = hash;
		if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, apikey_tx, &st, err)))
			return rc;
		if (st.bad)
			goto unauth;
		ctx->actor = st.act;
		return 0;
	}
	if (!session_token || !*session_token)
		return 0; /* anonymous */
	if (strlen(session_token) > 200)
		goto unauth;
	ts_sha256_hex(session_token, strlen(session_token), hash, sizeof(hash));
	st.hash = hash;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, session_tx, &st, err)))
		return rc;
	if (st.bad)
		goto unauth;
	/* At most one write per session per minute: idle expiry is coarse by that much. */
	if (ts_iam_now() - st.last_seen >= TOUCH_EVERY_S) {
		struct ts_error e2 = {0};
		if (ts_db_tx(ctx->db, TS_DB_TX_WRITE, session_touch_tx, &st, &e2))
			ts_log(TS_LOG_WARN, "session touch failed", "request_id", ctx->request_id,
			       "code", ts_err_code(e2.code), NULL);
	}
	ctx->actor = st.act;
	return 0;
unauth:
	return ts_error_set(err, TS_ERR_UNAUTHENTICATED, NULL,
			    "phiên đăng nhập không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại");
}

/* ---- passwords ---- */

struct pw_st {
	struct ts_ctx *ctx;
	int64_t account_id;
	const char *hash, *username, *personal_id, *tax_code, *unit;
	int kind;
	const char *new_hash;
	bool is_change;
	bool found;
};

static int pw_read_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct pw_st *st = arg;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(st->account_id)};
	int rc = ts_db_query(c, st->ctx->arena, "iam_account_pw", p, 1, &r, err);
	if (rc)
		return rc;
	st->found = r->nrows == 1;
	if (!st->found)
		return 0;
	st->hash = ts_dbres_get(r, 0, 0);
	st->username = ts_dbres_get(r, 0, 1);
	st->personal_id = ts_dbres_get(r, 0, 2);
	st->tax_code = ts_dbres_get(r, 0, 3);
	st->unit = ts_dbres_get(r, 0, 4);
	st->kind = ts_iam_kind_parse(ts_dbres_get(r, 0, 5));
	return 0;
}

static int pw_write_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct pw_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int rc;
	if (!st->is_change) {
		/* Admin reset: ACCOUNT_WRITE over the account's unit (citizens: everywhere). */
		int64_t unit = st->unit ? ts_iam_parse_id(st->unit) : 0;
		if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_ACCOUNT_WRITE, unit > 0 ? unit : 0, err)))
			return rc;
	}
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(st->account_id), TS_DB_TEXT(st->new_hash),
			       TS_DB_INT(ts_iam_now())};
	if ((rc = ts_db_query(c, ctx->arena, "iam_account_set_pw", p, 3, &r, err)))
		return rc;
	if (r->changes == 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy tài khoản");
	if ((rc = ts_iam_revoke_sessions_on(c, ctx, st->account_id,
					    st->is_change ? ctx->actor.session_id : 0, NULL, err)))
		return rc;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)st->account_id);
	return ts_audit_write(c, ctx, st->is_change ? "password.change" : "password.reset", "account",
			      idbuf, st->is_change ? "other sessions revoked" : "sessions revoked",
			      err);
}

/* The login name the password must not contain. */
static const char *pw_login_of(const struct pw_st *st)
{
	return st->username ? st->username : st->personal_id ? st->personal_id : st->tax_code;
}

int ts_iam_set_password(struct ts_ctx *ctx, int64_t account_id, const char *password,
			struct ts_error *err)
{
	struct pw_st st = {.ctx = ctx, .account_id = account_id};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, pw_read_tx, &st, err);
	if (rc)
		return rc;
	if (!st.found)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy tài khoản");
	if ((rc = ts_iam_check_password(password, pw_login_of(&st), err)))
		return rc;
	if (!(st.new_hash = ts_iam_pw_hash(ctx->arena, password, err)))
		return err && err->code ? err->code : TS_ERR_NOMEM;
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, pw_write_tx, &st, err);
}

int ts_iam_password_change(struct ts_ctx *ctx, const char *old_pw, const char *new_pw,
			   struct ts_error *err)
{
	if (ctx->actor.account_id <= 0)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	struct pw_st st = {.ctx = ctx, .account_id = ctx->actor.account_id, .is_change = true};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, pw_read_tx, &st, err);
	if (rc)
		return rc;
	if (!st.found)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "không tìm thấy tài khoản");
	if (!old_pw || !pw_verify(st.hash, old_pw))
		return ts_error_set(err, TS_ERR_VALIDATION, "old_password",
				    "mật khẩu hiện tại không đúng");
	if (strcmp(old_pw, new_pw ? new_pw : "") == 0)
		return ts_error_set(err, TS_ERR_WEAK_PASSWORD, "new_password",
				    "mật khẩu mới phải khác mật khẩu hiện tại");
	if ((rc = ts_iam_check_password(new_pw, pw_login_of(&st), err))) {
		if (err)
			snprintf(err->field, sizeof(err->field), "new_password");
		return rc;
	}
	if (!(st.new_hash = ts_iam_pw_hash(ctx->arena, new_pw, err)))
		return err && err->code ? err->code : TS_ERR_NOMEM;
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, pw_write_tx, &st, err);
}
