/* account.c - accounts, role grants, unit-subtree scope checks and API clients. Every
 * mutation checks object scope (ts_iam_require_unit) and audits inside its transaction.
 * Password hashing happens before the write transaction starts. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/crypto.h"
#include "base/log.h"
#include "iam/iam.h"
#include "iam/iam_int.h"

#define ALLOC_FAIL(err) ts_error_set((err), TS_ERR_NOMEM, NULL, NULL)

static const char *idstr(struct ts_arena *a, int64_t id)
{
	return ts_arena_printf(a, "%lld", (long long)id);
}

/* ---- scope ---- */

int ts_iam_require_unit(struct ts_ctx *ctx, struct ts_dbconn *c, int perm, int64_t unit_id,
			struct ts_error *err)
{
	const struct ts_actor *a = &ctx->actor;
	if (perm == TS_PERM_PUBLIC)
		return 0;
	if (!ts_iam_has(a, perm))
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	uint64_t bit = TS_PERM_BIT(perm);
	bool scoped = false;
	for (int i = 0; i < a->ngrants; i++) {
		if (!(a->grants[i].perms & bit))
			continue;
		if (a->grants[i].unit_id <= 0)
			return 0; /* everywhere */
		scoped = true;
	}
	/* AUTHENTICATED is not unit-scoped: any signed-in actor holds it everywhere. */
	if (perm == TS_PERM_AUTHENTICATED)
		return 0;
	if (!scoped || unit_id <= 0)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(unit_id)};
	int rc = ts_db_query(c, ctx->arena, "iam_unit_ancestors", p, 1, &r, err);
	if (rc)
		return rc;
	for (int k = 0; k < r->nrows; k++) {
		int64_t anc = ts_dbres_int(r, k, 0);
		for (int i = 0; i < a->ngrants; i++)
			if ((a->grants[i].perms & bit) && a->grants[i].unit_id == anc)
				return 0;
	}
	return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
}

const char *ts_iam_scope_roots(struct ts_ctx *ctx, int perm, bool *all)
{
	const struct ts_actor *a = &ctx->actor;
	uint64_t bit = TS_PERM_BIT(perm);
	char *s = NULL;
	*all = false;
	for (int i = 0; i < a->ngrants; i++) {
		if (!(a->grants[i].perms & bit))
			continue;
		if (a->grants[i].unit_id <= 0) {
			*all = true;
			return NULL;
		}
		s = ts_arena_printf(ctx->arena, "%s%lld ", s ? s : " ", (long long)a->grants[i].unit_id);
		if (!s)
			return NULL;
	}
	return s;
}

/* ---- create ---- */

struct role_req {
	int role;
	int64_t unit_id;
};

struct create_st {
	struct ts_ctx *ctx;
	const struct ts_account_new *in;
	const char *rep_name;
	const char *phone, *email, *hash;
	const struct role_req *roles;
	int nroles;
	int64_t id;
};

static int grant_on(struct ts_dbconn *c, struct ts_ctx *ctx, int64_t account_id, int role,
		    int64_t unit_id, int64_t *grant_id, struct ts_error *err);

static int create_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct create_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	const struct ts_account_new *in = st->in;
	bool staff = in->kind == TS_ACCT_OFFICER || in->kind == TS_ACCT_ADMIN;
	struct ts_dbres *r;
	int rc;

	if (staff && (rc = ts_iam_require_unit(ctx, c, TS_PERM_ACCOUNT_WRITE, in->unit_id, err)))
		return rc;

	/* Name the taken field instead of a bare unique violation. */
	struct ts_dbval pt[] = {TS_DB_TEXT(in->username), TS_DB_TEXT(st->phone),
				TS_DB_TEXT(st->email), TS_DB_TEXT(in->personal_id),
				TS_DB_TEXT(in->tax_code)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_account_taken", pt, 5, &r, err)))
		return rc;
	static const char *const fields[] = {"username", "phone", "email", "personal_id", "tax_code"};
	static const char *const what[] = {"tên đăng nhập", "số điện thoại", "địa chỉ thư điện tử",
					   "số định danh cá nhân", "mã số thuế"};
	for (int i = 0; i < r->nrows; i++)
		for (int k = 0; k < 5; k++)
			if (ts_dbres_int(r, i, k) == 1)
				return ts_error_set(err, TS_ERR_CONFLICT, fields[k],
						    "%s đã được dùng cho một tài khoản khác", what[k]);

	int64_t now = ts_iam_now();
	struct ts_dbval p[] = {
		TS_DB_TEXT(ts_iam_kind_name(in->kind)),
		TS_DB_TEXT(in->username),
		TS_DB_TEXT(in->full_name),
		TS_DB_TEXT(in->kind == TS_ACCT_BUSINESS ? st->rep_name : NULL),
		TS_DB_TEXT(st->phone),
		TS_DB_TEXT(st->email),
		TS_DB_TEXT(in->kind == TS_ACCT_CITIZEN ? in->personal_id : NULL),
		TS_DB_TEXT(in->kind == TS_ACCT_BUSINESS ? in->tax_code : NULL),
		staff ? TS_DB_INT(in->unit_id) : TS_DB_NULL,
		TS_DB_TEXT(st->hash),
		TS_DB_INT(now),
	};
	if ((rc = ts_db_query(c, ctx->arena, "iam_account_insert", p, 11, &r, err)))
		return rc;
	st->id = ts_dbres_int(r, 0, 0);

	/* Self-registration is audited as the new account itself. */
	struct ts_actor saved = ctx->actor;
	bool self = ctx->actor.account_id == 0 && ctx->actor.api_client_id == 0 &&
		    ctx->actor.ngrants == 0;
	if (self) {
		ctx->actor.account_id = st->id;
		ctx->actor.kind = in->kind;
	}
	char *summary = staff ? ts_arena_printf(ctx->arena, "kind=%s unit=%lld",
						ts_iam_kind_name(in->kind), (long long)in->unit_id)
			      : ts_arena_printf(ctx->arena, "kind=%s%s", ts_iam_kind_name(in->kind),
						self ? " self-registered" : "");
	rc = summary ? ts_audit_write(c, ctx, "account.create", "account", idstr(ctx->arena, st->id),
				      summary, err)
		     : ALLOC_FAIL(err);
	ctx->actor = saved;
	if (rc)
		return rc;
	for (int i = 0; i < st->nroles; i++) {
		int64_t gid;
		if ((rc = grant_on(c, ctx, st->id, st->roles[i].role, st->roles[i].unit_id, &gid, err))) {
			if (err && !err->field[0])
				snprintf(err->field, sizeof(err->field), "roles/%d", i);
			return rc;
		}
	}
	return 0;
}

static int account_create_roles(struct ts_ctx *ctx, const struct ts_account_new *in,
				const char *rep_name, const struct role_req *roles, int nroles,
				int64_t *id, struct ts_error *err)
{
	char phone[16], email[256];
	struct create_st st = {.ctx = ctx, .in = in, .rep_name = rep_name, .roles = roles,
			       .nroles = nroles};
	bool staff = in->kind == TS_ACCT_OFFICER || in->kind == TS_ACCT_ADMIN;
	const char *login;
	int rc;

	if (!ts_iam_kind_name(in->kind))
		return ts_error_set(err, TS_ERR_VALIDATION, "kind", "loại tài khoản không hợp lệ");
	if (!in->full_name || !*in->full_name)
		return ts_error_set(err, TS_ERR_MISSING_FIELD,
				    in->kind == TS_ACCT_BUSINESS ? "name" : "full_name",
				    "vui lòng nhập họ và tên");
	if (staff) {
		if ((rc = ts_iam_check_username(in->username, "username", err)))
			return rc;
		if (in->unit_id <= 0)
			return ts_error_set(err, TS_ERR_MISSING_FIELD, "unit_id",
					    "vui lòng chọn đơn vị công tác");
		login = in->username;
	} else if (in->username && (rc = ts_iam_check_username(in->username, "username", err))) {
		return rc; /* citizens and businesses may also have a login name (demo accounts) */
	} else if (in->kind == TS_ACCT_CITIZEN) {
		if ((rc = ts_iam_check_personal_id(in->personal_id, "personal_id", err)))
			return rc;
		login = in->personal_id;
	} else {
		if ((rc = ts_iam_check_tax_code(in->tax_code, "tax_code", err)))
			return rc;
		login = in->tax_code;
	}
	if (in->phone && *in->phone) {
		if ((rc = ts_iam_normalize_phone(in->phone, phone, sizeof(phone), "phone", err)))
			return rc;
		st.phone = phone;
	}
	if (in->email && *in->email) {
		if ((rc = ts_iam_normalize_email(in->email, email, sizeof(email), "email", err)))
			return rc;
		st.email = email;
	}
	if (!staff && !st.phone && !st.email)
		return ts_error_set(err, TS_ERR_MISSING_FIELD, "phone",
				    "vui lòng nhập số điện thoại hoặc địa chỉ thư điện tử");
	if ((rc = ts_iam_check_password(in->password, login, err)))
		return rc;
	if (!(st.hash = ts_iam_pw_hash(ctx->arena, in->password, err)))
		return err && err->code ? err->code : TS_ERR_NOMEM;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, create_tx, &st, err)))
		return rc;
	if (id)
		*id = st.id;
	return 0;
}

int ts_iam_account_create(struct ts_ctx *ctx, const struct ts_account_new *in, int64_t *id,
			  struct ts_error *err)
{
	return account_create_roles(ctx, in, NULL, NULL, 0, id, err);
}

int ts_iam_account_create_ex(struct ts_ctx *ctx, const struct ts_account_new *in,
			     const char *rep_name, const int *roles, const int64_t *role_units,
			     int nroles, int64_t *id, struct ts_error *err)
{
	struct role_req *rr = NULL;
	if (nroles > 0) {
		rr = ts_arena_alloc(ctx->arena, sizeof(*rr) * (size_t)nroles);
		if (!rr)
			return ALLOC_FAIL(err);
		for (int i = 0; i < nroles; i++)
			rr[i] = (struct role_req){roles[i], role_units[i]};
	}
	return account_create_roles(ctx, in, rep_name, rr, nroles, id, err);
}

/* ---- grants ---- */

static int account_brief(struct ts_dbconn *c, struct ts_ctx *ctx, int64_t id, int *kind,
			 int64_t *unit, struct ts_error *err)
{
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(id)};
	int rc = ts_db_query(c, ctx->arena, "iam_account_brief", p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy tài khoản");
	*kind = ts_iam_kind_parse(ts_dbres_get(r, 0, 1));
	*unit = ts_dbres_isnull(r, 0, 2) ? 0 : ts_dbres_int(r, 0, 2);
	return 0;
}

static int grant_on(struct ts_dbconn *c, struct ts_ctx *ctx, int64_t account_id, int role,
		    int64_t unit_id, int64_t *grant_id, struct ts_error *err)
{
	int kind, rc;
	int64_t home;
	if (!ts_role_name(role) || role == TS_ROLE_CITIZEN)
		return ts_error_set(err, TS_ERR_VALIDATION, "role", "vai trò không hợp lệ");
	if (role == TS_ROLE_SYS_ADMIN && !ts_iam_is_sysadmin(&ctx->actor))
		return ts_error_set(err, TS_ERR_FORBIDDEN, "role",
				    "chỉ quản trị hệ thống mới cấp được vai trò quản trị hệ thống");
	if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_ROLE_GRANT, unit_id, err)))
		return rc;
	if ((rc = account_brief(c, ctx, account_id, &kind, &home, err)))
		return rc;
	if (kind != TS_ACCT_OFFICER && kind != TS_ACCT_ADMIN)
		return ts_error_set(err, TS_ERR_VALIDATION, "role",
				    "chỉ cấp vai trò cho tài khoản cán bộ, quản trị");
	/* The grantee must work inside the granter's scope as well. */
	if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_ROLE_GRANT, home, err)))
		return rc;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(account_id), TS_DB_TEXT(ts_role_name(role)),
			       unit_id > 0 ? TS_DB_INT(unit_id) : TS_DB_NULL,
			       ctx->actor.account_id > 0 ? TS_DB_INT(ctx->actor.account_id) : TS_DB_NULL,
			       TS_DB_INT(ts_iam_now())};
	rc = ts_db_query(c, ctx->arena, "iam_grant_insert", p, 5, &r, err);
	if (rc == TS_ERR_CONFLICT && err) {
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_CONFLICT, "role",
				    "tài khoản đã có vai trò này tại đơn vị này");
	}
	if (rc)
		return rc;
	*grant_id = ts_dbres_int(r, 0, 0);
	char *summary = ts_arena_printf(ctx->arena, "account=%lld role=%s unit=%lld",
					(long long)account_id, ts_role_name(role), (long long)unit_id);
	if (!summary)
		return ALLOC_FAIL(err);
	return ts_audit_write(c, ctx, "grant.add", "role_grant", idstr(ctx->arena, *grant_id),
			      summary, err);
}

struct grant_st {
	struct ts_ctx *ctx;
	int64_t account_id, unit_id, grant_id;
	int role;
};

static int grant_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct grant_st *st = arg;
	return grant_on(c, st->ctx, st->account_id, st->role, st->unit_id, &st->grant_id, err);
}

int ts_iam_grant(struct ts_ctx *ctx, int64_t account_id, int role, int64_t unit_id,
		 int64_t *grant_id, struct ts_error *err)
{
	struct grant_st st = {ctx, account_id, unit_id, 0, role};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, grant_tx, &st, err);
	if (!rc && grant_id)
		*grant_id = st.grant_id;
	return rc;
}

static int grant_remove_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct grant_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(st->grant_id), TS_DB_INT(st->account_id)};
	int rc = ts_db_query(c, ctx->arena, "iam_grant_get", p, 2, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "grant_id", "không tìm thấy vai trò đã cấp");
	const char *role = ts_dbres_get(r, 0, 1);
	int64_t unit = ts_dbres_isnull(r, 0, 2) ? 0 : ts_dbres_int(r, 0, 2);
	if (ts_role_parse(role) == TS_ROLE_SYS_ADMIN && !ts_iam_is_sysadmin(&ctx->actor))
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL,
				    "chỉ quản trị hệ thống mới thu hồi được vai trò quản trị hệ thống");
	if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_ROLE_GRANT, unit, err)))
		return rc;
	struct ts_dbval pd[] = {TS_DB_INT(st->grant_id)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_grant_delete", pd, 1, NULL, err)))
		return rc;
	char *summary = ts_arena_printf(ctx->arena, "account=%lld role=%s unit=%lld",
					(long long)st->account_id, role ? role : "", (long long)unit);
	if (!summary)
		return ALLOC_FAIL(err);
	return ts_audit_write(c, ctx, "grant.remove", "role_grant", idstr(ctx->arena, st->grant_id),
			      summary, err);
}

int ts_iam_grant_remove(struct ts_ctx *ctx, int64_t account_id, int64_t grant_id,
			struct ts_error *err)
{
	struct grant_st st = {ctx, account_id, 0, grant_id, 0};
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, grant_remove_tx, &st, err);
}

/* ---- lookups ---- */

struct one_st {
	struct ts_ctx *ctx;
	const char *s;
	int64_t id, n;
	json_t *out;
	const struct ts_account_patch *patch;
};

static int by_username_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct one_st *st = arg;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->s)};
	int rc = ts_db_query(c, st->ctx->arena, "iam_account_by_username", p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "username", "không tìm thấy tài khoản");
	st->id = ts_dbres_int(r, 0, 0);
	return 0;
}

int ts_iam_account_by_username(struct ts_ctx *ctx, const char *username, int64_t *id,
			       struct ts_error *err)
{
	struct one_st st = {.ctx = ctx, .s = username};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, by_username_tx, &st, err);
	if (!rc)
		*id = st.id;
	return rc;
}

struct alist_st {
	struct ts_ctx *ctx;
	const char *roots, *q;
	bool all;
	int64_t unit, limit, offset;
	json_t *out;
};

static int accounts_list_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct alist_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int rc;
	if (st->unit > 0) {
		if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_ACCOUNT_READ, st->unit, err)))
			return rc;
		st->roots = ts_arena_printf(ctx->arena, " %lld ", (long long)st->unit);
		st->all = false;
		if (!st->roots)
			return ALLOC_FAIL(err);
	}
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->roots), TS_DB_INT(st->all ? 1 : 0), TS_DB_TEXT(st->q),
			       TS_DB_INT(st->limit), TS_DB_INT(st->offset)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_accounts_list", p, 5, &r, err)))
		return rc;
	json_t *items = ts_json_own(ctx->arena, json_array());
	if (!items)
		return ALLOC_FAIL(err);
	/* id, kind, username, full_name, unit_id, status, email, phone, version */
	for (int i = 0; i < r->nrows; i++)
		json_array_append_new(
			items, json_pack("{s:I, s:s?, s:s?, s:s?, s:I, s:s?, s:s?, s:s?, s:I}", "id",
					 (json_int_t)ts_dbres_int(r, i, 0), "kind", ts_dbres_get(r, i, 1),
					 "username", ts_dbres_get(r, i, 2), "full_name",
					 ts_dbres_get(r, i, 3), "unit_id",
					 (json_int_t)ts_dbres_int(r, i, 4), "status",
					 ts_dbres_get(r, i, 5), "email", ts_dbres_get(r, i, 6), "phone",
					 ts_dbres_get(r, i, 7), "version",
					 (json_int_t)ts_dbres_int(r, i, 8)));
	st->out = ts_json_own(ctx->arena, json_pack("{s:O, s:I, s:I}", "items", items, "limit",
						     (json_int_t)st->limit, "offset",
						     (json_int_t)st->offset));
	return st->out ? 0 : ALLOC_FAIL(err);
}

int ts_iam_accounts_list(struct ts_ctx *ctx, int64_t unit, const char *q, int64_t limit,
			 int64_t offset, json_t **out, struct ts_error *err)
{
	struct alist_st st = {.ctx = ctx, .unit = unit,
			      .limit = limit <= 0 ? 50 : limit > 200 ? 200 : limit,
			      .offset = offset < 0 ? 0 : offset};
	st.roots = ts_iam_scope_roots(ctx, TS_PERM_ACCOUNT_READ, &st.all);
	if (!st.all && !st.roots)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	if (q && *q) {
		/* lowercase ASCII, LIKE wildcards in the input taken literally by dropping them */
		size_t n = strlen(q);
		char *pat = ts_arena_alloc(ctx->arena, n + 3);
		if (!pat)
			return ALLOC_FAIL(err);
		size_t k = 0;
		pat[k++] = '%';
		for (size_t i = 0; i < n; i++)
			if (q[i] != '%' && q[i] != '_' && q[i] != '\\')
				pat[k++] = (q[i] >= 'A' && q[i] <= 'Z') ? (char)(q[i] + 32) : q[i];
		pat[k++] = '%';
		pat[k] = '\0';
		st.q = pat;
	}
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, accounts_list_tx, &st, err);
	if (!rc)
		*out = st.out;
	return rc;
}

/* Account detail (no personal ID / tax code echo beyond a mask) + its stored grants. */
static int account_json(struct ts_dbconn *c, struct ts_ctx *ctx, int64_t id, json_t **out,
			int64_t *unit, int64_t *version, const char **status, struct ts_error *err)
{
	struct ts_dbres *r, *g;
	struct ts_dbval p[] = {TS_DB_INT(id)};
	int rc = ts_db_query(c, ctx->arena, "iam_account_get", p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy tài khoản");
	if ((rc = ts_db_query(c, ctx->arena, "iam_grants_of", p, 1, &g, err)))
		return rc;
	json_t *roles = json_array();
	for (int i = 0; roles && i < g->nrows; i++)
		json_array_append_new(roles, json_pack("{s:I, s:s?, s:o}", "id",
						       (json_int_t)ts_dbres_int(g, i, 0), "role",
						       ts_dbres_get(g, i, 1), "unit_id",
						       ts_dbres_isnull(g, i, 2)
							       ? json_null()
							       : json_integer(ts_dbres_int(g, i, 2))));
	/* id, kind, username, full_name, representative_name, phone, email, unit_id, status,
	 * created_at, updated_at, version, personal_id, tax_code, totp_secret, locked_at
	 * (the secret only as "is there one": never rendered) */
	*unit = ts_dbres_isnull(r, 0, 7) ? 0 : ts_dbres_int(r, 0, 7);
	*version = ts_dbres_int(r, 0, 11);
	*status = ts_dbres_get(r, 0, 8);
	json_t *v = json_pack(
		"{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:s?, s:I, s:I, s:I, s:s?, s:s?, s:o}",
		"id", (json_int_t)id, "kind", ts_dbres_get(r, 0, 1), "username", ts_dbres_get(r, 0, 2),
		"full_name", ts_dbres_get(r, 0, 3), "representative_name", ts_dbres_get(r, 0, 4),
		"phone", ts_dbres_get(r, 0, 5), "email", ts_dbres_get(r, 0, 6), "unit_id",
		*unit ? json_integer(*unit) : json_null(), "status", *status, "created_at",
		(json_int_t)ts_dbres_int(r, 0, 9), "updated_at", (json_int_t)ts_dbres_int(r, 0, 10),
		"version", (json_int_t)*version, "personal_id",
		ts_iam_mask(ctx->arena, ts_dbres_get(r, 0, 12)), "tax_code", ts_dbres_get(r, 0, 13),
		"roles", roles ? roles : json_null());
	if (v) {
		json_object_set_new(v, "totp_enabled", json_boolean(!ts_dbres_isnull(r, 0, 14)));
		json_object_set_new(v, "locked", json_boolean(!ts_dbres_isnull(r, 0, 15)));
		json_object_set_new(v, "locked_at", ts_dbres_isnull(r, 0, 15)
							   ? json_null()
							   : json_integer(ts_dbres_int(r, 0, 15)));
	}
	*out = ts_json_own(ctx->arena, v);
	return *out ? 0 : ALLOC_FAIL(err);
}

/* Staff accounts: perm over their home unit; citizens and businesses: perm everywhere. */
static int require_account_scope(struct ts_dbconn *c, struct ts_ctx *ctx, int perm, int64_t unit,
				 struct ts_error *err)
{
	return ts_iam_require_unit(ctx, c, perm, unit, err);
}

static int account_get_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct one_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int64_t unit, version;
	const char *status;
	int rc = account_json(c, ctx, st->id, &st->out, &unit, &version, &status, err);
	if (rc)
		return rc;
	if (ctx->actor.account_id == st->id)
		return 0;
	struct ts_error e2 = {0};
	if (require_account_scope(c, ctx, TS_PERM_ACCOUNT_READ, unit, &e2)) {
		if (e2.code != TS_ERR_FORBIDDEN)
			return ts_error_set(err, e2.code, e2.field, "%s", e2.detail);
		/* out of scope looks like absent: no enumeration across units */
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy tài khoản");
	}
	return 0;
}

int ts_iam_account_get(struct ts_ctx *ctx, int64_t id, json_t **out, struct ts_error *err)
{
	struct one_st st = {.ctx = ctx, .id = id};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, account_get_tx, &st, err);
	if (!rc)
		*out = st.out;
	return rc;
}

static int account_update_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct one_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	const struct ts_account_patch *p = st->patch;
	struct ts_dbres *r;
	int rc;

	struct ts_dbval pg[] = {TS_DB_INT(st->id)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_account_get", pg, 1, &r, err)))
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy tài khoản");
	int64_t unit = ts_dbres_isnull(r, 0, 7) ? 0 : ts_dbres_int(r, 0, 7);
	int64_t version = ts_dbres_int(r, 0, 11);
	if ((rc = require_account_scope(c, ctx, TS_PERM_ACCOUNT_WRITE, unit, err)))
		return rc;
	if (version != p->version)
		return ts_error_set(err, TS_ERR_CONFLICT, "version",
				    "tài khoản vừa được người khác cập nhật (phiên bản hiện tại %lld, "
				    "trạng thái %s, họ tên \"%.80s\"); vui lòng tải lại rồi sửa",
				    (long long)version, ts_dbres_get(r, 0, 8), ts_dbres_get(r, 0, 3));
	const char *full_name = p->full_name ? p->full_name : ts_dbres_get(r, 0, 3);
	const char *phone = p->set_phone ? p->phone : ts_dbres_get(r, 0, 5);
	const char *email = p->set_email ? p->email : ts_dbres_get(r, 0, 6);
	const char *old_status = ts_dbres_get(r, 0, 8);
	const char *status = p->status ? p->status : old_status;
	bool disabling = strcmp(status, "disabled") == 0 && strcmp(old_status, "disabled") != 0;
	if (disabling && ctx->actor.account_id == st->id)
		return ts_error_set(err, TS_ERR_VALIDATION, "status",
				    "không thể tự khóa tài khoản của chính mình");
	const char *kind = ts_dbres_get(r, 0, 1);
	if ((strcmp(kind, "citizen") == 0 || strcmp(kind, "business") == 0) && !phone && !email)
		return ts_error_set(err, TS_ERR_VALIDATION, "phone",
				    "tài khoản cần số điện thoại hoặc địa chỉ thư điện tử");

	struct ts_dbval pu[] = {TS_DB_INT(st->id),   TS_DB_INT(p->version), TS_DB_TEXT(full_name),
				TS_DB_TEXT(email),   TS_DB_TEXT(phone),     TS_DB_TEXT(status),
				TS_DB_INT(ts_iam_now())};
	rc = ts_db_query(c, ctx->arena, "iam_account_update", pu, 7, &r, err);
	if (rc == TS_ERR_CONFLICT && err) {
		ts_error_clear(err);
		return ts_error_set(err, TS_ERR_CONFLICT, p->set_email ? "email" : "phone",
				    "số điện thoại hoặc địa chỉ thư điện tử đã được dùng cho tài khoản khác");
	}
	if (rc)
		return rc;
	if (r->changes == 0)
		return ts_error_set(err, TS_ERR_CONFLICT, "version",
				    "tài khoản vừa được người khác cập nhật; vui lòng tải lại");
	if (disabling && (rc = ts_iam_revoke_sessions_on(c, ctx, st->id, 0, NULL, err)))
		return rc;
	char *summary = ts_arena_printf(ctx->arena, "fields=%s%s%s%s", p->full_name ? "full_name " : "",
					p->set_email ? "email " : "", p->set_phone ? "phone " : "",
					p->status ? status : "");
	if (!summary)
		return ALLOC_FAIL(err);
	if ((rc = ts_audit_write(c, ctx, "account.update", "account", idstr(ctx->arena, st->id),
				 summary, err)))
		return rc;
	const char *s2;
	return account_json(c, ctx, st->id, &st->out, &unit, &version, &s2, err);
}

int ts_iam_account_update(struct ts_ctx *ctx, int64_t id, const struct ts_account_patch *p,
			  json_t **out, struct ts_error *err)
{
	char phone[16], email[256];
	struct ts_account_patch q = *p;
	int rc;
	if (q.full_name && !*q.full_name)
		return ts_error_set(err, TS_ERR_VALIDATION, "full_name", "họ và tên không được để trống");
	if (q.set_phone && q.phone && *q.phone) {
		if ((rc = ts_iam_normalize_phone(q.phone, phone, sizeof(phone), "phone", err)))
			return rc;
		q.phone = phone;
	} else if (q.set_phone) {
		q.phone = NULL;
	}
	if (q.set_email && q.email && *q.email) {
		if ((rc = ts_iam_normalize_email(q.email, email, sizeof(email), "email", err)))
			return rc;
		q.email = email;
	} else if (q.set_email) {
		q.email = NULL;
	}
	if (q.status && strcmp(q.status, "active") != 0 && strcmp(q.status, "disabled") != 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "status", "trạng thái không hợp lệ");
	struct one_st st = {.ctx = ctx, .id = id, .patch = &q};
	rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, account_update_tx, &st, err);
	if (!rc)
		*out = st.out;
	return rc;
}

static int acct_revoke_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct one_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int kind, rc;
	int64_t unit;
	if ((rc = account_brief(c, ctx, st->id, &kind, &unit, err)))
		return rc;
	if ((rc = require_account_scope(c, ctx, TS_PERM_ACCOUNT_WRITE, unit, err)))
		return rc;
	if ((rc = ts_iam_revoke_sessions_on(c, ctx, st->id, 0, &st->n, err)))
		return rc;
	char *summary = ts_arena_printf(ctx->arena, "revoked=%lld", (long long)st->n);
	if (!summary)
		return ALLOC_FAIL(err);
	return ts_audit_write(c, ctx, "session.revoke_all", "account", idstr(ctx->arena, st->id),
			      summary, err);
}

int ts_iam_account_sessions_revoke(struct ts_ctx *ctx, int64_t id, int64_t *n,
				   struct ts_error *err)
{
	struct one_st st = {.ctx = ctx, .id = id};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, acct_revoke_tx, &st, err);
	if (!rc && n)
		*n = st.n;
	return rc;
}

/* Unlock after login.lockout_failures: clears the lock, the consecutive-failure count and
 * the throttle window of the account. ACCOUNT_WRITE over the account's unit. */
static int acct_unlock_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct one_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int kind, rc;
	int64_t unit;
	if ((rc = account_brief(c, ctx, st->id, &kind, &unit, err)))
		return rc;
	if ((rc = require_account_scope(c, ctx, TS_PERM_ACCOUNT_WRITE, unit, err)))
		return rc;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(st->id)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_account_lock_state", p, 1, &r, err)))
		return rc;
	st->n = r->nrows && !ts_dbres_isnull(r, 0, 0) ? 1 : 0; /* 1 when it was locked */
	if ((rc = ts_db_query(c, ctx->arena, "iam_account_unlock", p, 1, NULL, err)))
		return rc;
	char *key = ts_arena_printf(ctx->arena, "acct:%lld", (long long)st->id);
	if (!key)
		return ALLOC_FAIL(err);
	struct ts_dbval pk[] = {TS_DB_TEXT(key)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_fail_clear", pk, 1, NULL, err)))
		return rc;
	return ts_audit_write(c, ctx, "account.unlock", "account", idstr(ctx->arena, st->id),
			      st->n ? "was_locked=1" : "was_locked=0", err);
}

/* Lost device: removes the account's TOTP (it enrols again at next sign-in when its role
 * requires one) and revokes its sessions. ACCOUNT_WRITE over the account's unit. */
static int totp_reset_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct one_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int kind, rc;
	int64_t unit;
	if ((rc = account_brief(c, ctx, st->id, &kind, &unit, err)))
		return rc;
	if ((rc = require_account_scope(c, ctx, TS_PERM_ACCOUNT_WRITE, unit, err)))
		return rc;
	struct ts_dbval p[] = {TS_DB_INT(st->id)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_totp_clear", p, 1, NULL, err)))
		return rc;
	if ((rc = ts_iam_revoke_sessions_on(c, ctx, st->id, 0, &st->n, err)))
		return rc;
	return ts_audit_write(c, ctx, "totp.reset", "account", idstr(ctx->arena, st->id),
			      "sessions revoked", err);
}

int ts_iam_totp_reset(struct ts_ctx *ctx, int64_t account_id, struct ts_error *err)
{
	struct one_st st = {.ctx = ctx, .id = account_id};
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, totp_reset_tx, &st, err);
}

int ts_iam_account_unlock(struct ts_ctx *ctx, int64_t id, bool *was_locked, struct ts_error *err)
{
	struct one_st st = {.ctx = ctx, .id = id};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, acct_unlock_tx, &st, err);
	if (!rc && was_locked)
		*was_locked = st.n != 0;
	return rc;
}

/* ---- API clients ---- */

static char *perms_text(struct ts_arena *a, uint64_t perms)
{
	char *s = ts_arena_strdup(a, "");
	for (int p = TS_PERM_AUTHENTICATED + 1; s && p < TS_PERM__COUNT; p++)
		if (perms & TS_PERM_BIT(p))
			s = ts_arena_printf(a, "%s%s%s", s, *s ? " " : "", ts_perm_name(p));
	return s;
}

static json_t *perms_json(const char *text)
{
	json_t *arr = json_array();
	char name[64];
	for (const char *s = text; arr && s && *s;) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (n && n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			json_array_append_new(arr, json_string(name));
		}
		s += n;
	}
	return arr;
}

struct api_st {
	struct ts_ctx *ctx;
	const char *name, *prefix, *hash, *perms;
	uint64_t mask;
	int64_t unit, id;
	const char *roots;
	bool all;
	json_t *out;
};

static int api_create_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct api_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	int rc;
	if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_APIKEY_MANAGE, st->unit, err)))
		return rc;
	/* A key never carries more than its creator holds over the same unit. */
	for (int p = TS_PERM_AUTHENTICATED + 1; p < TS_PERM__COUNT; p++)
		if ((st->mask & TS_PERM_BIT(p)) && ts_iam_require_unit(ctx, c, p, st->unit, NULL))
			return ts_error_set(err, TS_ERR_FORBIDDEN, "permissions",
					    "bạn không có quyền \"%s\" để giao cho khóa API",
					    ts_perm_name(p));
	struct ts_dbres *r;
	struct ts_dbval pi[] = {TS_DB_TEXT(st->name), TS_DB_TEXT(st->prefix), TS_DB_TEXT(st->hash),
				TS_DB_TEXT(st->perms), st->unit > 0 ? TS_DB_INT(st->unit) : TS_DB_NULL,
				ctx->actor.account_id > 0 ? TS_DB_INT(ctx->actor.account_id) : TS_DB_NULL,
				TS_DB_INT(ts_iam_now())};
	if ((rc = ts_db_query(c, ctx->arena, "iam_api_client_insert", pi, 7, &r, err)))
		return rc;
	st->id = ts_dbres_int(r, 0, 0);
	char *summary = ts_arena_printf(ctx->arena, "name=%.80s prefix=%s perms=%s unit=%lld",
					st->name, st->prefix, st->perms, (long long)st->unit);
	if (!summary)
		return ALLOC_FAIL(err);
	return ts_audit_write(c, ctx, "apikey.create", "api_client", idstr(ctx->arena, st->id),
			      summary, err);
}

int ts_iam_api_client_create(struct ts_ctx *ctx, const char *name, uint64_t perms,
			     int64_t unit_id, int64_t *id, const char **key, struct ts_error *err)
{
	char prefix[13], secret[64], hash[65];
	if (!name || !*name || strlen(name) > 200)
		return ts_error_set(err, TS_ERR_VALIDATION, "name", "vui lòng nhập tên hệ thống");
	perms &= ts_iam_all_perms() & ~TS_PERM_BIT(TS_PERM_AUTHENTICATED);
	if (!perms)
		return ts_error_set(err, TS_ERR_VALIDATION, "permissions",
				    "khóa API cần ít nhất một quyền");
	ts_random_hex(prefix, sizeof(prefix), 6);
	ts_random_token(secret, sizeof(secret), 32);
	char *k = ts_arena_printf(ctx->arena, "ts_%s_%s", prefix, secret);
	sodium_memzero(secret, sizeof(secret));
	if (!k)
		return ALLOC_FAIL(err);
	ts_sha256_hex(k, strlen(k), hash, sizeof(hash));
	struct api_st st = {.ctx = ctx, .name = name, .prefix = prefix, .hash = hash,
			    .perms = perms_text(ctx->arena, perms), .mask = perms, .unit = unit_id};
	if (!st.perms)
		return ALLOC_FAIL(err);
	int rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, api_create_tx, &st, err);
	if (rc)
		return rc;
	*id = st.id;
	*key = k;
	return 0;
}

static int api_list_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct api_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->roots), TS_DB_INT(st->all ? 1 : 0)};
	int rc = ts_db_query(c, ctx->arena, "iam_api_clients_list", p, 2, &r, err);
	if (rc)
		return rc;
	json_t *items = ts_json_own(ctx->arena, json_array());
	if (!items)
		return ALLOC_FAIL(err);
	/* id, name, key_prefix, perms, unit_id, created_by, created_at, revoked_at */
	for (int i = 0; i < r->nrows; i++)
		json_array_append_new(
			items,
			json_pack("{s:I, s:s?, s:s?, s:o, s:o, s:o, s:I, s:o}", "id",
				  (json_int_t)ts_dbres_int(r, i, 0), "name", ts_dbres_get(r, i, 1),
				  "key_prefix", ts_dbres_get(r, i, 2), "permissions",
				  perms_json(ts_dbres_get(r, i, 3)), "unit_id",
				  ts_dbres_isnull(r, i, 4) ? json_null() : json_integer(ts_dbres_int(r, i, 4)),
				  "created_by",
				  ts_dbres_isnull(r, i, 5) ? json_null() : json_integer(ts_dbres_int(r, i, 5)),
				  "created_at", (json_int_t)ts_dbres_int(r, i, 6), "revoked_at",
				  ts_dbres_isnull(r, i, 7) ? json_null()
							   : json_integer(ts_dbres_int(r, i, 7))));
	st->out = ts_json_own(ctx->arena, json_pack("{s:O}", "items", items));
	return st->out ? 0 : ALLOC_FAIL(err);
}

int ts_iam_api_clients_list(struct ts_ctx *ctx, json_t **out, struct ts_error *err)
{
	struct api_st st = {.ctx = ctx};
	st.roots = ts_iam_scope_roots(ctx, TS_PERM_APIKEY_MANAGE, &st.all);
	if (!st.all && !st.roots)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, api_list_tx, &st, err);
	if (!rc)
		*out = st.out;
	return rc;
}

static int api_revoke_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct api_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_INT(st->id)};
	int rc = ts_db_query(c, ctx->arena, "iam_api_client_get", p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "id", "không tìm thấy khóa API");
	int64_t unit = ts_dbres_isnull(r, 0, 1) ? 0 : ts_dbres_int(r, 0, 1);
	if ((rc = ts_iam_require_unit(ctx, c, TS_PERM_APIKEY_MANAGE, unit, err)))
		return rc;
	/* Revoking twice is harmless (and still audited, as every mutation is). */
	bool again = !ts_dbres_isnull(r, 0, 2);
	struct ts_dbval pr[] = {TS_DB_INT(st->id), TS_DB_INT(ts_iam_now())};
	if (!again && (rc = ts_db_query(c, ctx->arena, "iam_api_client_revoke", pr, 2, NULL, err)))
		return rc;
	return ts_audit_write(c, ctx, "apikey.revoke", "api_client", idstr(ctx->arena, st->id),
			      again ? "already revoked" : NULL, err);
}

int ts_iam_api_client_revoke(struct ts_ctx *ctx, int64_t id, struct ts_error *err)
{
	struct api_st st = {.ctx = ctx, .id = id};
	return ts_db_tx(ctx->db, TS_DB_TX_WRITE, api_revoke_tx, &st, err);
}
