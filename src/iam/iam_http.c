/* iam_http.c - thin HTTP adapter of iam: request specs, reading validated bodies and query
 * parameters, calling iam and rendering JSON. The dispatcher (app/dispatch.c) has already
 * authenticated the caller, checked the route's permission and CSRF and validated the body
 * against the spec named in app/routes.c; every rule lives in auth.c / account.c / audit.c. */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "http/http.h"
#include "iam/iam.h"
#include "iam/iam_int.h"

/* ---- specs ---- */

#define PW_FLAGS (TS_J_REQUIRED | TS_J_NOTRIM | TS_J_SECRET)

static const struct ts_json_field login_fields[] = {
	{.name = "login", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 254,
	 .label = "Tên đăng nhập, số điện thoại, thư điện tử, số định danh hoặc mã số thuế",
	 .example = "canbo.motcua"},
	{.name = "password", .type = TS_J_STRING, .flags = PW_FLAGS, .min = 1, .max = 1024,
	 .label = "Mật khẩu"},
	{.name = "totp_code", .type = TS_J_STRING, .flags = TS_J_NULLABLE | TS_J_SECRET, .max = 16,
	 .label = "Mã xác thực hai lớp (6 chữ số), khi tài khoản đã bật", .example = "123456"},
};
const struct ts_json_spec ts_iam_spec_login = TS_JSON_SPEC("LoginRequest", login_fields);

static const struct ts_json_field totp_confirm_fields[] = {
	{.name = "code", .type = TS_J_STRING, .flags = TS_J_REQUIRED | TS_J_SECRET, .min = 1,
	 .max = 16, .label = "Mã 6 chữ số từ ứng dụng xác thực", .example = "123456"},
};
const struct ts_json_spec ts_iam_spec_totp_confirm =
	TS_JSON_SPEC("TotpConfirmRequest", totp_confirm_fields);

static const struct ts_json_field citizen_fields[] = {
	{.name = "full_name", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 200,
	 .label = "Họ và tên", .example = "Nguyễn Văn An"},
	{.name = "personal_id", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 32,
	 .label = "Số định danh cá nhân", .example = "001203004567"},
	{.name = "phone", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 32,
	 .label = "Số điện thoại", .example = "0912345678"},
	{.name = "email", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 254,
	 .label = "Thư điện tử", .example = "an.nguyen@example.vn"},
	{.name = "password", .type = TS_J_STRING, .flags = PW_FLAGS, .min = 1, .max = 1024,
	 .label = "Mật khẩu"},
};
const struct ts_json_spec ts_iam_spec_register_citizen =
	TS_JSON_SPEC("RegisterCitizenRequest", citizen_fields);

static const struct ts_json_field business_fields[] = {
	{.name = "tax_code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 32,
	 .label = "Mã số thuế", .example = "0100109106"},
	{.name = "name", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 300,
	 .label = "Tên doanh nghiệp"},
	{.name = "representative_name", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 200,
	 .label = "Người đại diện theo pháp luật"},
	{.name = "phone", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 32,
	 .label = "Số điện thoại"},
	{.name = "email", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 254,
	 .label = "Thư điện tử"},
	{.name = "password", .type = TS_J_STRING, .flags = PW_FLAGS, .min = 1, .max = 1024,
	 .label = "Mật khẩu"},
};
const struct ts_json_spec ts_iam_spec_register_business =
	TS_JSON_SPEC("RegisterBusinessRequest", business_fields);

static const struct ts_json_field pwchange_fields[] = {
	{.name = "old_password", .type = TS_J_STRING, .flags = PW_FLAGS, .min = 1, .max = 1024,
	 .label = "Mật khẩu hiện tại"},
	{.name = "new_password", .type = TS_J_STRING, .flags = PW_FLAGS, .min = 1, .max = 1024,
	 .label = "Mật khẩu mới"},
};
const struct ts_json_spec ts_iam_spec_password_change =
	TS_JSON_SPEC("PasswordChangeRequest", pwchange_fields);

static const char *const role_values[] = {
#define X(n, s, vi) s,
	TS_ROLE_TABLE(X)
#undef X
	NULL};
static const char *const perm_values[] = {
#define X(n, s, d) s,
	TS_PERM_TABLE(X)
#undef X
	NULL};
static const char *const staff_kinds[] = {"officer", "admin", NULL};
static const char *const status_values[] = {"active", "disabled", NULL};

static const struct ts_json_field role_item_fields[] = {
	{.name = "role", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .enum_values = role_values,
	 .label = "Vai trò", .example = "counter_officer"},
	{.name = "unit_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 0, .max = INT64_MAX,
	 .label = "Đơn vị (0 hoặc null: mọi đơn vị)"},
};
static const struct ts_json_spec role_item_spec = TS_JSON_SPEC("RoleGrantItem", role_item_fields);

static const struct ts_json_field acct_create_fields[] = {
	{.name = "username", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 3, .max = 64,
	 .label = "Tên đăng nhập", .example = "nguyen.van.an"},
	{.name = "full_name", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 200,
	 .label = "Họ và tên"},
	{.name = "kind", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .enum_values = staff_kinds,
	 .label = "Loại tài khoản"},
	{.name = "unit_id", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 1, .max = INT64_MAX,
	 .label = "Đơn vị công tác"},
	{.name = "password", .type = TS_J_STRING, .flags = PW_FLAGS, .min = 1, .max = 1024,
	 .label = "Mật khẩu"},
	{.name = "email", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 254,
	 .label = "Thư điện tử"},
	{.name = "phone", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 32,
	 .label = "Số điện thoại"},
	{.name = "roles", .type = TS_J_ARRAY, .flags = TS_J_NULLABLE, .min = 0, .max = 32,
	 .sub = &role_item_spec, .item_type = TS_J_OBJECT, .label = "Vai trò được giao"},
};
const struct ts_json_spec ts_iam_spec_account_create =
	TS_JSON_SPEC("AccountCreateRequest", acct_create_fields);

static const struct ts_json_field acct_update_fields[] = {
	{.name = "full_name", .type = TS_J_STRING, .min = 1, .max = 200, .label = "Họ và tên"},
	{.name = "email", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 254,
	 .label = "Thư điện tử"},
	{.name = "phone", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 32,
	 .label = "Số điện thoại"},
	{.name = "status", .type = TS_J_STRING, .enum_values = status_values, .label = "Trạng thái"},
	{.name = "version", .type = TS_J_INT, .flags = TS_J_REQUIRED, .min = 1, .max = INT64_MAX,
	 .label = "Phiên bản dữ liệu"},
};
const struct ts_json_spec ts_iam_spec_account_update =
	TS_JSON_SPEC("AccountUpdateRequest", acct_update_fields);

static const struct ts_json_field grant_fields[] = {
	{.name = "role", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .enum_values = role_values,
	 .label = "Vai trò"},
	{.name = "unit_id", .type = TS_J_INT, .flags = TS_J_REQUIRED | TS_J_NULLABLE, .min = 0,
	 .max = INT64_MAX, .label = "Đơn vị (0 hoặc null: mọi đơn vị)"},
};
const struct ts_json_spec ts_iam_spec_grant = TS_JSON_SPEC("GrantRequest", grant_fields);

/* API keys carry real permissions only: not "public" nor "authenticated" (the first two). */
static const struct ts_json_field api_create_fields[] = {
	{.name = "name", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 200,
	 .label = "Tên hệ thống kết nối", .example = "Cổng dịch vụ công quốc gia"},
	{.name = "permissions", .type = TS_J_ARRAY, .flags = TS_J_REQUIRED, .min = 1, .max = 64,
	 .item_type = TS_J_STRING, .enum_values = perm_values + 2, .label = "Quyền của khóa"},
	{.name = "unit_id", .type = TS_J_INT, .flags = TS_J_NULLABLE, .min = 0, .max = INT64_MAX,
	 .label = "Đơn vị (bỏ trống: mọi đơn vị)"},
};
const struct ts_json_spec ts_iam_spec_api_client_create =
	TS_JSON_SPEC("ApiClientCreateRequest", api_create_fields);

/* ---- helpers ---- */

static int reply(struct ts_call *call, int status, json_t *owned_by_arena)
{
	return ts_http_reply(call, status, json_incref(owned_by_arena));
}

static int no_content(struct ts_call *call)
{
	ts_http_resp_json(call->resp, 204, NULL, 0);
	return 0;
}

static int path_id(struct ts_call *call, int i, const char *field, int64_t *id,
		   struct ts_error *err)
{
	*id = i < call->nparams ? ts_iam_parse_id(call->params[i]) : -1;
	if (*id <= 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, field, "không tìm thấy");
	return 0;
}

/* Optional non-negative integer query parameter. */
static int query_int(struct ts_call *call, const char *name, int64_t def, int64_t *out,
		     struct ts_error *err)
{
	const char *s = ts_http_query_get(call->req, name);
	*out = def;
	if (!s || !*s)
		return 0;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	*out = ts_iam_parse_id(s);
	if (*out < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, name, "tham số \"%s\" phải là số nguyên "
				    "không âm", name);
	return 0;
}

static const char *body_str(struct ts_call *call, const char *key)
{
	return call->body ? ts_json_str(call->body, key) : NULL;
}

static int need_body(struct ts_call *call, struct ts_error *err)
{
	if (!call->body)
		return ts_error_set(err, TS_ERR_BAD_JSON, NULL, "thiếu nội dung yêu cầu");
	return 0;
}

/* Sets the session and CSRF cookies; value NULL expires them. Tokens are base64url, so
 * they never need quoting. */
static int set_cookies(struct ts_call *call, const char *session, const char *csrf, long max_age)
{
	struct ts_arena *a = call->req->arena;
	const char *secure = ts_iam_opt()->cookie_secure ? "; Secure" : "";
	char *sc = session ? ts_arena_printf(a, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
					     TS_SESSION_COOKIE, session, max_age, secure)
			   : ts_arena_printf(a, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
					     TS_SESSION_COOKIE, secure);
	char *cc = csrf ? ts_arena_printf(a, "%s=%s; Path=/; SameSite=Strict%s", TS_CSRF_COOKIE, csrf, secure)
			: ts_arena_printf(a, "%s=; Path=/; SameSite=Strict; Max-Age=0%s", TS_CSRF_COOKIE, secure);
	if (!sc || !cc)
		return TS_ERR_NOMEM;
	int rc = ts_http_resp_header(call->req, call->resp, "Set-Cookie", sc);
	return rc ? rc : ts_http_resp_header(call->req, call->resp, "Set-Cookie", cc);
}

/* ---- auth ---- */

int ts_iam_http_login(struct ts_call *call, struct ts_error *err)
{
	struct ts_login_result res;
	int rc;
	if ((rc = need_body(call, err)))
		return rc;
	rc = ts_iam_login_totp(call->ctx, body_str(call, "login"), body_str(call, "password"),
			       body_str(call, "totp_code"), &res, err);
	if (rc)
		return rc;
	if ((rc = set_cookies(call, res.session_token, res.csrf_token,
			      (long)ts_iam_opt()->session_ttl_s)))
		return ts_error_set(err, rc, NULL, NULL);
	json_t *acct = ts_iam_actor_json(call->ctx, &call->ctx->actor);
	if (!acct)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, 200,
			     json_pack("{s:O, s:s, s:I}", "account", acct, "csrf_token",
				       res.csrf_token, "expires_at", (json_int_t)res.expires_at));
}

int ts_iam_http_logout(struct ts_call *call, struct ts_error *err)
{
	int rc = ts_iam_logout(call->ctx, err);
	if (rc)
		return rc;
	if ((rc = set_cookies(call, NULL, NULL, 0)))
		return ts_error_set(err, rc, NULL, NULL);
	return no_content(call);
}

int ts_iam_http_me(struct ts_call *call, struct ts_error *err)
{
	const struct ts_actor *a = &call->ctx->actor;
	json_t *v = ts_iam_actor_json(call->ctx, a);
	if (!v)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if (a->api_client_id > 0)
		return reply(call, 200, v);
	return ts_http_reply(call, 200,
			     json_pack("{s:O, s:s?}", "account", v, "csrf_token", a->csrf_token));
}

static int created_id(struct ts_call *call, int64_t id)
{
	return ts_http_reply(call, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

int ts_iam_http_register_citizen(struct ts_call *call, struct ts_error *err)
{
	int rc;
	int64_t id;
	if ((rc = need_body(call, err)))
		return rc;
	struct ts_account_new in = {
		.kind = TS_ACCT_CITIZEN,
		.full_name = body_str(call, "full_name"),
		.personal_id = body_str(call, "personal_id"),
		.phone = body_str(call, "phone"),
		.email = body_str(call, "email"),
		.password = body_str(call, "password"),
	};
	if ((rc = ts_iam_account_create(call->ctx, &in, &id, err)))
		return rc;
	return created_id(call, id);
}

int ts_iam_http_register_business(struct ts_call *call, struct ts_error *err)
{
	int rc;
	int64_t id;
	if ((rc = need_body(call, err)))
		return rc;
	struct ts_account_new in = {
		.kind = TS_ACCT_BUSINESS,
		.full_name = body_str(call, "name"),
		.tax_code = body_str(call, "tax_code"),
		.phone = body_str(call, "phone"),
		.email = body_str(call, "email"),
		.password = body_str(call, "password"),
	};
	rc = ts_iam_account_create_ex(call->ctx, &in, body_str(call, "representative_name"), NULL,
				      NULL, 0, &id, err);
	if (rc)
		return rc;
	return created_id(call, id);
}

int ts_iam_http_sessions_list(struct ts_call *call, struct ts_error *err)
{
	json_t *v;
	int rc = ts_iam_sessions_list(call->ctx, &v, err);
	return rc ? rc : reply(call, 200, v);
}

int ts_iam_http_session_revoke(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = ts_iam_session_revoke(call->ctx, id, err);
	return rc ? rc : no_content(call);
}

int ts_iam_http_password_change(struct ts_call *call, struct ts_error *err)
{
	int rc = need_body(call, err);
	if (!rc)
		rc = ts_iam_password_change(call->ctx, body_str(call, "old_password"),
					    body_str(call, "new_password"), err);
	return rc ? rc : no_content(call);
}

/* ---- accounts ---- */

int ts_iam_http_accounts_list(struct ts_call *call, struct ts_error *err)
{
	int64_t unit, limit, offset;
	json_t *v;
	int rc;
	if ((rc = query_int(call, "unit", 0, &unit, err)) ||
	    (rc = query_int(call, "limit", 50, &limit, err)) ||
	    (rc = query_int(call, "offset", 0, &offset, err)))
		return rc;
	rc = ts_iam_accounts_list(call->ctx, unit, ts_http_query_get(call->req, "q"), limit, offset,
				  &v, err);
	return rc ? rc : reply(call, 200, v);
}

int ts_iam_http_account_create(struct ts_call *call, struct ts_error *err)
{
	int rc;
	int64_t id;
	if ((rc = need_body(call, err)))
		return rc;
	json_t *roles = json_object_get(call->body, "roles");
	size_t n = json_is_array(roles) ? json_array_size(roles) : 0;
	int *rv = NULL;
	int64_t *ru = NULL;
	if (n) {
		rv = ts_arena_alloc(call->ctx->arena, n * sizeof(*rv));
		ru = ts_arena_alloc(call->ctx->arena, n * sizeof(*ru));
		if (!rv || !ru)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(roles, i);
		rv[i] = ts_role_parse(ts_json_str(it, "role"));
		ru[i] = ts_json_int(it, "unit_id", 0);
	}
	struct ts_account_new in = {
		.kind = ts_iam_kind_parse(body_str(call, "kind")),
		.username = body_str(call, "username"),
		.full_name = body_str(call, "full_name"),
		.phone = body_str(call, "phone"),
		.email = body_str(call, "email"),
		.password = body_str(call, "password"),
		.unit_id = ts_json_int(call->body, "unit_id", 0),
	};
	if (in.kind != TS_ACCT_OFFICER && in.kind != TS_ACCT_ADMIN)
		return ts_error_set(err, TS_ERR_VALIDATION, "kind",
				    "loại tài khoản phải là officer hoặc admin");
	if ((rc = ts_iam_account_create_ex(call->ctx, &in, NULL, rv, ru, (int)n, &id, err)))
		return rc;
	return created_id(call, id);
}

int ts_iam_http_account_get(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	json_t *v;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = ts_iam_account_get(call->ctx, id, &v, err);
	return rc ? rc : reply(call, 200, v);
}

int ts_iam_http_account_update(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	json_t *v;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = need_body(call, err);
	if (rc)
		return rc;
	struct ts_account_patch p = {
		.full_name = body_str(call, "full_name"),
		.set_email = json_object_get(call->body, "email") != NULL,
		.set_phone = json_object_get(call->body, "phone") != NULL,
		.email = body_str(call, "email"),
		.phone = body_str(call, "phone"),
		.status = body_str(call, "status"),
		.version = ts_json_int(call->body, "version", 0),
	};
	rc = ts_iam_account_update(call->ctx, id, &p, &v, err);
	return rc ? rc : reply(call, 200, v);
}

int ts_iam_http_account_sessions_revoke(struct ts_call *call, struct ts_error *err)
{
	int64_t id, n = 0;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = ts_iam_account_sessions_revoke(call->ctx, id, &n, err);
	return rc ? rc : ts_http_reply(call, 200, json_pack("{s:I}", "revoked", (json_int_t)n));
}

int ts_iam_http_grant_add(struct ts_call *call, struct ts_error *err)
{
	int64_t id, gid;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = need_body(call, err);
	if (rc)
		return rc;
	int role = ts_role_parse(body_str(call, "role"));
	int64_t unit = ts_json_int(call->body, "unit_id", 0);
	if ((rc = ts_iam_grant(call->ctx, id, role, unit, &gid, err)))
		return rc;
	return ts_http_reply(call, 201,
			     json_pack("{s:I, s:s?, s:o}", "id", (json_int_t)gid, "role",
				       ts_role_name(role), "unit_id",
				       unit > 0 ? json_integer(unit) : json_null()));
}

int ts_iam_http_grant_remove(struct ts_call *call, struct ts_error *err)
{
	int64_t id, gid;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = path_id(call, 1, "grant_id", &gid, err);
	if (!rc)
		rc = ts_iam_grant_remove(call->ctx, id, gid, err);
	return rc ? rc : no_content(call);
}

/* ---- API clients ---- */

int ts_iam_http_api_clients_list(struct ts_call *call, struct ts_error *err)
{
	json_t *v;
	int rc = ts_iam_api_clients_list(call->ctx, &v, err);
	return rc ? rc : reply(call, 200, v);
}

int ts_iam_http_api_client_create(struct ts_call *call, struct ts_error *err)
{
	int rc;
	int64_t id;
	const char *key;
	if ((rc = need_body(call, err)))
		return rc;
	uint64_t perms = 0;
	json_t *arr = json_object_get(call->body, "permissions");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		int p = ts_perm_parse(json_string_value(json_array_get(arr, i)));
		if (p <= TS_PERM_AUTHENTICATED)
			return ts_error_set(err, TS_ERR_VALIDATION, "permissions",
					    "quyền không hợp lệ cho khóa API");
		perms |= TS_PERM_BIT(p);
	}
	int64_t unit = ts_json_int(call->body, "unit_id", 0);
	rc = ts_iam_api_client_create(call->ctx, body_str(call, "name"), perms, unit, &id, &key, err);
	if (rc)
		return rc;
	return ts_http_reply(call, 201,
			     json_pack("{s:I, s:s, s:s, s:O, s:o}", "id", (json_int_t)id, "name",
				       body_str(call, "name"), "key", key, "permissions", arr,
				       "unit_id", unit > 0 ? json_integer(unit) : json_null()));
}

int ts_iam_http_api_client_revoke(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = ts_iam_api_client_revoke(call->ctx, id, err);
	return rc ? rc : no_content(call);
}

/* ---- audit ---- */

int ts_iam_http_audit_list(struct ts_call *call, struct ts_error *err)
{
	int64_t after, limit;
	json_t *v;
	int rc;
	if ((rc = query_int(call, "after_seq", 0, &after, err)) ||
	    (rc = query_int(call, "limit", 50, &limit, err)))
		return rc;
	if (limit > 200)
		return ts_error_set(err, TS_ERR_VALIDATION, "limit", "tối đa 200 dòng mỗi trang");
	rc = ts_audit_list(call->ctx, after, limit, ts_http_query_get(call->req, "object_type"),
			   ts_http_query_get(call->req, "object_id"), &v, err);
	return rc ? rc : reply(call, 200, v);
}

int ts_iam_http_audit_verify(struct ts_call *call, struct ts_error *err)
{
	bool ok;
	int64_t bad, n;
	int rc = ts_audit_verify(call->ctx->db, &ok, &bad, &n, err);
	if (rc)
		return rc;
	return ts_http_reply(call, 200,
			     json_pack("{s:b, s:o, s:I}", "ok", ok, "first_bad_seq",
				       ok ? json_null() : json_integer(bad), "rows_checked",
				       (json_int_t)n));
}

/* ---- second factor and lockout ---- */

int ts_iam_http_totp_enrol(struct ts_call *call, struct ts_error *err)
{
	json_t *out;
	int rc = ts_iam_totp_enrol(call->ctx, &out, err);
	return rc ? rc : reply(call, 201, out);
}

int ts_iam_http_totp_confirm(struct ts_call *call, struct ts_error *err)
{
	int rc = need_body(call, err);
	if (!rc)
		rc = ts_iam_totp_confirm(call->ctx, body_str(call, "code"), err);
	return rc ? rc : ts_http_reply(call, 200, json_pack("{s:b}", "totp_enabled", 1));
}

int ts_iam_http_account_unlock(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	bool was = false;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = ts_iam_account_unlock(call->ctx, id, &was, err);
	return rc ? rc : ts_http_reply(call, 200, json_pack("{s:b}", "was_locked", was));
}

int ts_iam_http_account_totp_reset(struct ts_call *call, struct ts_error *err)
{
	int64_t id;
	int rc = path_id(call, 0, "id", &id, err);
	if (!rc)
		rc = ts_iam_totp_reset(call->ctx, id, err);
	return rc ? rc : no_content(call);
}
