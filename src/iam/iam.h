/* iam.h - people and accounts, roles and permissions scoped to a unit subtree, sessions,
 * API clients, login throttling and the hash-chained audit trail. Every module acts through
 * a struct ts_ctx: who acts, from where, on which store, with which arena. */
#ifndef TS_IAM_IAM_H
#define TS_IAM_IAM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* Cookie and header names shared by iam_http.c and app/dispatch.c. The session cookie is
 * HttpOnly; the CSRF cookie is readable by the web UI, which echoes it in TS_CSRF_HEADER. */
#define TS_SESSION_COOKIE "tinhso_session"
#define TS_CSRF_COOKIE "tinhso_csrf"
#define TS_CSRF_HEADER "X-CSRF-Token"

/* X(NAME, machine name, Vietnamese name) - the roles of DESIGN.md §7 */
#define TS_ROLE_TABLE(X)                                            \
	X(CITIZEN, "citizen", "Công dân, doanh nghiệp")              \
	X(COUNTER, "counter_officer", "Cán bộ một cửa")              \
	X(SPECIALIST, "specialist", "Chuyên viên")                   \
	X(DIVISION_HEAD, "division_head", "Lãnh đạo phòng")         \
	X(LEADER, "agency_leader", "Lãnh đạo cơ quan")              \
	X(CLERK, "clerk", "Văn thư")                                 \
	X(UNIT_ADMIN, "unit_admin", "Quản trị đơn vị")               \
	X(SYS_ADMIN, "system_admin", "Quản trị hệ thống")            \
	X(INSPECTOR, "inspector", "Thanh tra, kiểm tra")

enum ts_role {
#define X(n, s, vi) TS_ROLE_##n,
	TS_ROLE_TABLE(X)
#undef X
	TS_ROLE__COUNT
};

/* X(NAME, machine name, description) - what a route or an API key may require. PUBLIC and
 * AUTHENTICATED are pseudo-permissions: anyone / any signed-in account or API client. */
#define TS_PERM_TABLE(X)                                                       \
	X(PUBLIC, "public", "Không cần đăng nhập")                              \
	X(AUTHENTICATED, "authenticated", "Mọi tài khoản đã đăng nhập")         \
	X(ORG_WRITE, "org.write", "Quản lý cây tổ chức")                        \
	X(CALENDAR_WRITE, "calendar.write", "Quản lý lịch làm việc, ngày nghỉ")  \
	X(CATALOG_WRITE, "catalog.write", "Quản lý danh mục thủ tục")           \
	X(FLOW_WRITE, "flow.write", "Ban hành quy trình giải quyết")            \
	X(ACCOUNT_READ, "account.read", "Xem tài khoản cán bộ")                 \
	X(ACCOUNT_WRITE, "account.write", "Tạo, sửa, khóa tài khoản cán bộ")    \
	X(ROLE_GRANT, "role.grant", "Phân quyền")                              \
	X(APIKEY_MANAGE, "apikey.manage", "Quản lý khóa API cho hệ thống")      \
	X(AUDIT_READ, "audit.read", "Xem nhật ký kiểm toán")                    \
	X(METRICS_READ, "metrics.read", "Đọc số liệu vận hành")                 \
	X(DOSSIER_SUBMIT, "dossier.submit", "Nộp hồ sơ")                        \
	X(DOSSIER_RECEIVE, "dossier.receive", "Tiếp nhận hồ sơ")                \
	X(DOSSIER_PROCESS, "dossier.process", "Thụ lý, xử lý hồ sơ")            \
	X(DOSSIER_APPROVE, "dossier.approve", "Phê duyệt hồ sơ")                \
	X(DOSSIER_READ, "dossier.read", "Xem hồ sơ trong phạm vi đơn vị")                 \
	X(STATS_READ, "stats.read", "Xem thống kê, báo cáo, chỉ số phục vụ trong phạm vi đơn vị") \
	X(OUTBOX_MANAGE, "outbox.manage", "Xem, gửi lại thông điệp liên thông (outbox)")        \
	X(DVCQG_INTAKE, "dvcqg.intake", "Cổng Dịch vụ công quốc gia chuyển hồ sơ về tỉnh")

enum ts_perm {
#define X(n, s, d) TS_PERM_##n,
	TS_PERM_TABLE(X)
#undef X
	TS_PERM__COUNT
};
#define TS_PERM_BIT(p) (UINT64_C(1) << (p))

enum ts_account_kind { TS_ACCT_CITIZEN, TS_ACCT_BUSINESS, TS_ACCT_OFFICER, TS_ACCT_ADMIN };

/* One grant: a set of permissions over the subtree rooted at unit_id (0 = everywhere). */
struct ts_grant {
	int64_t id;      /* role_grant id, 0 for API-key scopes */
	int role;        /* enum ts_role, -1 for API-key scopes */
	int64_t unit_id;
	uint64_t perms;  /* TS_PERM_BIT mask */
};

struct ts_actor {
	int64_t account_id;       /* 0 = anonymous (and not an API client) */
	int64_t api_client_id;    /* > 0 when authenticated by a bearer API key */
	int kind;                 /* enum ts_account_kind, for accounts */
	const char *username;     /* or API client name */
	const char *display_name;
	int64_t unit_id;          /* officer's home unit, 0 for citizens */
	struct ts_grant *grants;  /* in the request arena */
	int ngrants;
	uint64_t perms;           /* union of all grants' perms (+ AUTHENTICATED when signed in) */
	int64_t session_id;       /* > 0 for cookie sessions */
	const char *csrf_token;   /* the session's CSRF token (cookie sessions only) */
	bool totp_enrol_only;     /* a role requires TOTP and none is enrolled yet: the session
				   * carries AUTHENTICATED only, until ts_iam_totp_confirm */
};

/* The acting context of one request or one CLI command. Owned by the caller. */
struct ts_ctx {
	struct ts_db *db;
	struct ts_arena *arena;
	struct ts_actor actor;
	const char *client_addr; /* "cli" for commands */
	const char *request_id;
	int audited;             /* audit rows written so far (dispatch checks mutations wrote one) */
	int replayed;            /* the answer was replayed for an Idempotency-Key: nothing changed */
};

/* Policy and limits, from the config table (app wires them). Defaults in ts_iam_defaults. */
struct ts_iam_options {
	int session_ttl_s;        /* absolute session lifetime (default 12 h) */
	int session_idle_s;       /* idle timeout (default 30 min) */
	int max_fail_account;     /* failed logins per account per window before lockout (5) */
	int max_fail_ip;          /* failed logins per client address per window (20) */
	int fail_window_s;        /* throttle window and lockout time (900) */
	unsigned long long pwhash_opslimit; /* argon2id ops (crypto_pwhash_OPSLIMIT_INTERACTIVE) */
	unsigned long long pwhash_memlimit; /* argon2id memory (crypto_pwhash_MEMLIMIT_INTERACTIVE) */
	bool cookie_secure;       /* mark cookies Secure (behind HTTPS) */
	int lockout_failures;     /* consecutive failures that lock a staff account (0 = never) */
	uint64_t totp_required_roles; /* 1 << enum ts_role: roles that must use TOTP */
};
void ts_iam_defaults(struct ts_iam_options *o);
/* Sets the process-wide options; call once at start, before serving. */
void ts_iam_configure(const struct ts_iam_options *o);
/* Parses a space- or comma-separated list of role names into a 1 << role mask;
 * TS_ERR_CONFIG naming the first unknown role. */
int ts_iam_roles_parse(const char *list, uint64_t *mask, struct ts_error *err);

/* Name tables; NULL / -1 for unknown. */
const char *ts_role_name(int role);
const char *ts_role_title(int role);
int ts_role_parse(const char *name);
const char *ts_perm_name(int perm);
int ts_perm_parse(const char *name);
/* Permissions a role carries (TS_PERM_BIT mask). The spec of who may do what is
 * docs/permissions.md; tests/api checks the two agree route by route. */
uint64_t ts_role_perms(int role);

/* ---- identifiers and policy (pure, DOMAIN.md §10) ---- */
/* 12-digit personal ID (CCCD): province 001-096, century/sex digit, birth year. */
int ts_iam_check_personal_id(const char *s, const char *field, struct ts_error *err);
/* Tax code: 10 digits with check digit, or 13 as NNNNNNNNNN-NNN. */
int ts_iam_check_tax_code(const char *s, const char *field, struct ts_error *err);
/* Password policy: 10..128 characters, at least one letter and one digit, not containing
 * the login name. TS_ERR_WEAK_PASSWORD with a Vietnamese detail. */
int ts_iam_check_password(const char *pw, const char *login, struct ts_error *err);
/* Vietnamese mobile number (0xxxxxxxxx or +84xxxxxxxxx, 10 digits) -> normalised 0xxxxxxxxx
 * in out (>= 11 bytes). */
int ts_iam_normalize_phone(const char *s, char *out, size_t outsz, const char *field,
			   struct ts_error *err);

/* ---- authentication ---- */
struct ts_login_result {
	const char *session_token; /* cookie value, shown once; in ctx->arena */
	const char *csrf_token;
	int64_t expires_at;        /* unix seconds */
};
/* Checks login (username, phone, email, personal ID or tax code) and password, with
 * throttling per account and per ctx->client_addr (TS_ERR_THROTTLED), creates a session,
 * audits success and failure. TS_ERR_BAD_CREDENTIALS never tells which part was wrong. */
int ts_iam_login(struct ts_ctx *ctx, const char *login, const char *password,
		 struct ts_login_result *out, struct ts_error *err);
/* ts_iam_login with a TOTP code (NULL when none was given). An account with a confirmed
 * TOTP secret needs a valid, not yet used code: none -> TS_ERR_TOTP_REQUIRED (the password
 * was right; not counted as a failure), a wrong one -> TS_ERR_BAD_CREDENTIALS (counted).
 * Officer and admin accounts locked after login.lockout_failures consecutive failures ->
 * TS_ERR_ACCOUNT_LOCKED, told only to whoever gives the right password. */
int ts_iam_login_totp(struct ts_ctx *ctx, const char *login, const char *password,
		      const char *totp_code, struct ts_login_result *out, struct ts_error *err);
/* Revokes the current session (ctx->actor.session_id). */
int ts_iam_logout(struct ts_ctx *ctx, struct ts_error *err);
/* Resolves who acts from a session cookie value or an "Authorization: Bearer" key (either
 * may be NULL), filling ctx->actor. No credentials -> anonymous, 0. Bad, expired or
 * revoked credentials -> TS_ERR_UNAUTHENTICATED. Touches the session's last-seen time. */
int ts_iam_authenticate(struct ts_ctx *ctx, const char *session_token, const char *bearer,
			struct ts_error *err);
/* Fills ctx->actor with the active account `username` and its grants, as if it had signed
 * in (no session, no CSRF token): for commands and the demo loader acting as a person.
 * TS_ERR_NOT_FOUND when no such active account. */
int ts_iam_act_as(struct ts_ctx *ctx, const char *username, struct ts_error *err);
/* Does the actor hold perm on at least one unit? (PUBLIC always; AUTHENTICATED when signed in) */
bool ts_iam_has(const struct ts_actor *a, int perm);
/* Object scope: does the actor hold perm over unit_id (a grant on it or an ancestor)? 
 * 0 or TS_ERR_FORBIDDEN. Runs on c inside the caller's transaction. */
int ts_iam_require_unit(struct ts_ctx *ctx, struct ts_dbconn *c, int perm, int64_t unit_id,
			struct ts_error *err);

/* ---- accounts (used by the CLI and the demo loader as well as the API) ---- */
struct ts_account_new {
	int kind;                 /* enum ts_account_kind */
	const char *username;     /* officers/admins: required; citizens, businesses: optional */
	const char *full_name;
	const char *phone, *email;
	const char *personal_id;  /* citizens: required */
	const char *tax_code;     /* businesses: required */
	const char *password;
	int64_t unit_id;          /* officers/admins: home unit */
};
/* Creates an account (+ audit). Citizens and businesses may self-register (anonymous ctx);
 * officers and admins need ACCOUNT_WRITE over unit_id. TS_ERR_CONFLICT when the username,
 * phone, email, personal ID or tax code is taken. */
int ts_iam_account_create(struct ts_ctx *ctx, const struct ts_account_new *in, int64_t *id,
			  struct ts_error *err);
/* Grants role over unit_id (+ audit); needs ROLE_GRANT over unit_id (or a CLI ctx). */
int ts_iam_grant(struct ts_ctx *ctx, int64_t account_id, int role, int64_t unit_id, int64_t *grant_id,
		 struct ts_error *err);
/* Sets a password without the old one (admin reset, demo loader); revokes sessions. */
int ts_iam_set_password(struct ts_ctx *ctx, int64_t account_id, const char *password,
			struct ts_error *err);
/* Looks an account up by username; TS_ERR_NOT_FOUND. */
int ts_iam_account_by_username(struct ts_ctx *ctx, const char *username, int64_t *id,
			       struct ts_error *err);

/* A context for command-line work: acts as the system itself (all permissions, everywhere),
 * audited with actor label "cli". */
void ts_ctx_init_cli(struct ts_ctx *ctx, struct ts_db *db, struct ts_arena *a);

/* ---- audit (hash-chained) ---- */
/* Appends one audit row in the caller's transaction: actor from ctx, action ("unit.create"),
 * object type and id, ctx->client_addr, summary (never personal ID numbers or secrets).
 * Increments ctx->audited. */
int ts_audit_write(struct ts_dbconn *c, struct ts_ctx *ctx, const char *action,
		   const char *object_type, const char *object_id, const char *summary,
		   struct ts_error *err);
/* Walks the chain. *ok false when broken, with *first_bad the sequence number of the first
 * row that does not verify (a changed row, a missing row, or a missing tail). */
int ts_audit_verify(struct ts_db *db, bool *ok, int64_t *first_bad, int64_t *rows_checked,
		    struct ts_error *err);

/* The fields one audit row is hashed over (added for tests and tools). actor_id 0 and NULL
 * strings are encoded as SQL NULL, distinct from 0 / "". */
struct ts_audit_row {
	int64_t seq, at, actor_id;
	const char *actor_label, *action, *object_type, *object_id, *client_addr, *summary;
	const char *prev_hash; /* 64 hex chars; 64 zeros before the first row of its chain */
	int64_t chain, link;   /* its chain and place in it; chain 0: the first layout (rows
	                        * written before chains existed, whose link is their seq) */
};
/* SHA-256 (64 hex + NUL into out, outsz >= 65) over an unambiguous serialisation of r:
 * a layout tag, then (chain > 0 only: chain and link, then) each field as "<len>:<bytes>,"
 * or "~," for NULL, in the order of the struct. Pure. */
void ts_audit_hash(const struct ts_audit_row *r, char *out, size_t outsz);
/* Masks an identifier for summaries and logs: every character but the last 3 becomes '*'
 * (at most 3 shown, none when shorter than 6). Result in a. */
char *ts_iam_mask(struct ts_arena *a, const char *s);

/* ---- HTTP adapters (iam_http.c): route handlers named in app/routes.c ---- */
struct ts_call;
extern const struct ts_json_spec ts_iam_spec_login, ts_iam_spec_register_citizen,
	ts_iam_spec_register_business, ts_iam_spec_password_change, ts_iam_spec_account_create,
	ts_iam_spec_account_update, ts_iam_spec_grant, ts_iam_spec_api_client_create;
int ts_iam_http_login(struct ts_call *call, struct ts_error *err);
int ts_iam_http_logout(struct ts_call *call, struct ts_error *err);
int ts_iam_http_me(struct ts_call *call, struct ts_error *err);
int ts_iam_http_register_citizen(struct ts_call *call, struct ts_error *err);
int ts_iam_http_register_business(struct ts_call *call, struct ts_error *err);
int ts_iam_http_sessions_list(struct ts_call *call, struct ts_error *err);
int ts_iam_http_session_revoke(struct ts_call *call, struct ts_error *err);
int ts_iam_http_password_change(struct ts_call *call, struct ts_error *err);
int ts_iam_http_accounts_list(struct ts_call *call, struct ts_error *err);
int ts_iam_http_account_create(struct ts_call *call, struct ts_error *err);
int ts_iam_http_account_get(struct ts_call *call, struct ts_error *err);
int ts_iam_http_account_update(struct ts_call *call, struct ts_error *err);
int ts_iam_http_account_sessions_revoke(struct ts_call *call, struct ts_error *err);
int ts_iam_http_grant_add(struct ts_call *call, struct ts_error *err);
int ts_iam_http_grant_remove(struct ts_call *call, struct ts_error *err);
int ts_iam_http_api_clients_list(struct ts_call *call, struct ts_error *err);
int ts_iam_http_api_client_create(struct ts_call *call, struct ts_error *err);
int ts_iam_http_api_client_revoke(struct ts_call *call, struct ts_error *err);
int ts_iam_http_audit_list(struct ts_call *call, struct ts_error *err);
int ts_iam_http_audit_verify(struct ts_call *call, struct ts_error *err);
extern const struct ts_json_spec ts_iam_spec_totp_confirm;
int ts_iam_http_totp_enrol(struct ts_call *call, struct ts_error *err);
int ts_iam_http_totp_confirm(struct ts_call *call, struct ts_error *err);
int ts_iam_http_account_unlock(struct ts_call *call, struct ts_error *err);
int ts_iam_http_account_totp_reset(struct ts_call *call, struct ts_error *err);

#endif
