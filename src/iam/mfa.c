/* mfa.c - the optional second factor of accounts: TOTP (RFC 6238, 30 s steps, 6 digits,
 * HMAC-SHA1 as every authenticator app expects), computed by liboath. Enrolment shows a new
 * secret once as an otpauth:// URI and keeps it pending until a first code confirms it; a
 * confirmed secret makes login ask for a code (auth.c). Codes are accepted once each
 * (account.totp_last_step). The secret is never logged nor rendered after enrolment. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oath.h>
#include <sodium.h>

#include "base/log.h"
#include "iam/iam.h"
#include "iam/iam_int.h"

#define TOTP_SECRET_BYTES 20 /* 160 bits, RFC 4226 §4 recommendation */
#define TOTP_STEP_S 30
#define TOTP_WINDOW 1 /* one step either side: clock drift of the phone */
#define TOTP_ISSUER "tinhso"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_init_rc = OATH_OK;
static void oath_start(void) { oath_init_rc = oath_init(); }

int ts_iam_totp_check(const char *secret_b32, const char *code, int64_t now, int64_t *step,
		      struct ts_error *err)
{
	pthread_once(&oath_once, oath_start);
	if (oath_init_rc != OATH_OK)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	bool digits = code && strlen(code) == 6;
	for (int i = 0; digits && i < 6; i++)
		digits = code[i] >= '0' && code[i] <= '9';
	if (!secret_b32 || !digits)
		return ts_error_set(err, TS_ERR_VALIDATION, "totp_code",
				    "mã xác thực gồm 6 chữ số từ ứng dụng xác thực");
	char *key = NULL;
	size_t keylen = 0;
	if (oath_base32_decode(secret_b32, strlen(secret_b32), &key, &keylen) != OATH_OK || !key) {
		ts_log(TS_LOG_ERROR, "stored TOTP secret does not decode", NULL);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	}
	int pos = 0;
	uint64_t counter = 0;
	int rc = oath_totp_validate3(key, keylen, (time_t)now, TOTP_STEP_S, 0, TOTP_WINDOW, &pos,
				     &counter, code);
	sodium_memzero(key, keylen);
	free(key);
	if (rc < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "totp_code", "mã xác thực không đúng");
	if (step)
		*step = (int64_t)counter;
	return 0;
}

struct totp_st {
	struct ts_ctx *ctx;
	const char *secret, *code;
	const char *label;
	json_t *out;
};

static int state_of(struct ts_dbconn *c, struct ts_ctx *ctx, struct ts_dbres **r,
		    struct ts_error *err)
{
	struct ts_dbval p[] = {TS_DB_INT(ctx->actor.account_id)};
	int rc = ts_db_query(c, ctx->arena, "iam_totp_state", p, 1, r, err);
	if (rc)
		return rc;
	if ((*r)->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "không tìm thấy tài khoản");
	return 0;
}

static int enrol_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct totp_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	int rc = state_of(c, ctx, &r, err);
	if (rc)
		return rc;
	if (!ts_dbres_isnull(r, 0, 0))
		return ts_error_set(err, TS_ERR_CONFLICT, NULL,
				    "tài khoản đã bật xác thực hai lớp; nhờ quản trị viên đặt lại "
				    "nếu mất thiết bị");
	const char *user = ts_dbres_get(r, 0, 2);
	st->label = user ? ts_arena_strdup(ctx->arena, user)
			 : ts_arena_printf(ctx->arena, "tai-khoan-%lld",
					   (long long)ctx->actor.account_id);
	if (!st->label)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	struct ts_dbval p[] = {TS_DB_INT(ctx->actor.account_id), TS_DB_TEXT(st->secret)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_totp_set_pending", p, 2, NULL, err)))
		return rc;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)ctx->actor.account_id);
	return ts_audit_write(c, ctx, "totp.enrol", "account", idbuf, "pending", err);
}

int ts_iam_totp_enrol(struct ts_ctx *ctx, json_t **out, struct ts_error *err)
{
	if (ctx->actor.account_id <= 0 || ctx->actor.session_id <= 0)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
				    "chỉ người đăng nhập bằng mật khẩu mới đăng ký xác thực hai lớp");
	pthread_once(&oath_once, oath_start);
	if (oath_init_rc != OATH_OK)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	unsigned char raw[TOTP_SECRET_BYTES];
	randombytes_buf(raw, sizeof(raw));
	char *b32 = NULL;
	size_t b32len = 0;
	int orc = oath_base32_encode((const char *)raw, sizeof(raw), &b32, &b32len);
	sodium_memzero(raw, sizeof(raw));
	if (orc != OATH_OK || !b32)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	struct totp_st st = {.ctx = ctx, .secret = ts_arena_strdup(ctx->arena, b32)};
	sodium_memzero(b32, b32len);
	free(b32);
	if (!st.secret)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, enrol_tx, &st, err);
	if (rc)
		return rc;
	/* label and issuer: [a-z0-9._-] and fixed text, nothing to percent-encode */
	char *uri = ts_arena_printf(ctx->arena,
				    "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6"
				    "&period=%d",
				    TOTP_ISSUER, st.label, st.secret, TOTP_ISSUER, TOTP_STEP_S);
	if (!uri)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	*out = ts_json_own(ctx->arena, json_pack("{s:s, s:s, s:i, s:i}", "secret", st.secret,
						 "otpauth_uri", uri, "digits", 6, "period",
						 TOTP_STEP_S));
	return *out ? 0 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

static int confirm_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct totp_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	int rc = state_of(c, ctx, &r, err);
	if (rc)
		return rc;
	if (!ts_dbres_isnull(r, 0, 0))
		return ts_error_set(err, TS_ERR_CONFLICT, NULL, "tài khoản đã bật xác thực hai lớp");
	const char *pending = ts_dbres_get(r, 0, 1);
	if (!pending)
		return ts_error_set(err, TS_ERR_CONFLICT, NULL,
				    "chưa đăng ký xác thực hai lớp: hãy tạo mã bí mật trước");
	int64_t step = 0;
	if ((rc = ts_iam_totp_check(pending, st->code, ts_iam_now(), &step, err)))
		return rc;
	struct ts_dbres *u;
	struct ts_dbval p[] = {TS_DB_INT(ctx->actor.account_id), TS_DB_TEXT(pending),
			       TS_DB_INT(step)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_totp_enable", p, 3, &u, err)))
		return rc;
	if (u->changes != 1)
		return ts_error_set(err, TS_ERR_CONFLICT, NULL, NULL);
	struct ts_dbval pa[] = {TS_DB_INT(ctx->actor.account_id)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_sessions_enrolled", pa, 1, NULL, err)))
		return rc;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)ctx->actor.account_id);
	return ts_audit_write(c, ctx, "totp.enable", "account", idbuf, NULL, err);
}

int ts_iam_totp_confirm(struct ts_ctx *ctx, const char *code, struct ts_error *err)
{
	if (ctx->actor.account_id <= 0 || ctx->actor.session_id <= 0)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
				    "chỉ người đăng nhập bằng mật khẩu mới đăng ký xác thực hai lớp");
	struct totp_st st = {.ctx = ctx, .code = code};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, confirm_tx, &st, err);
	if (rc == 0)
		ctx->actor.totp_enrol_only = false;
	return rc;
}
