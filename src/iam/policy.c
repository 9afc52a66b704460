/* policy.c - the pure part of iam: role and permission tables, the role -> permission
 * mapping (the source of docs/permissions.md), identifier checks (DOMAIN.md §10), password
 * policy, phone normalisation, process-wide options and the CLI context. No DB, no I/O. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/arena.h"
#include "iam/iam.h"
#include "iam/iam_int.h"

static const char *const role_names[] = {
#define X(n, s, vi) s,
	TS_ROLE_TABLE(X)
#undef X
};
static const char *const role_titles[] = {
#define X(n, s, vi) vi,
	TS_ROLE_TABLE(X)
#undef X
};
static const char *const perm_names[] = {
#define X(n, s, d) s,
	TS_PERM_TABLE(X)
#undef X
};

const char *ts_role_name(int role)
{
	return role >= 0 && role < TS_ROLE__COUNT ? role_names[role] : NULL;
}

const char *ts_role_title(int role)
{
	return role >= 0 && role < TS_ROLE__COUNT ? role_titles[role] : NULL;
}

int ts_role_parse(const char *name)
{
	for (int i = 0; name && i < TS_ROLE__COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

const char *ts_perm_name(int perm)
{
	return perm >= 0 && perm < TS_PERM__COUNT ? perm_names[perm] : NULL;
}

int ts_perm_parse(const char *name)
{
	for (int i = 0; name && i < TS_PERM__COUNT; i++)
		if (strcmp(name, perm_names[i]) == 0)
			return i;
	return -1;
}

#define B(p) TS_PERM_BIT(TS_PERM_##p)
/* Every role also gets AUTHENTICATED from the session itself. Dossier permissions for the
 * counter, specialist, division head and clerk roles come with the dossier module. Keep in
 * step with docs/permissions.md. */
uint64_t ts_role_perms(int role)
{
	switch (role) {
	case TS_ROLE_CITIZEN:
		return B(DOSSIER_SUBMIT);
	case TS_ROLE_COUNTER:
		return B(DOSSIER_RECEIVE) | B(DOSSIER_READ);
	case TS_ROLE_SPECIALIST:
		return B(DOSSIER_PROCESS) | B(DOSSIER_READ);
	case TS_ROLE_DIVISION_HEAD:
		return B(DOSSIER_PROCESS) | B(DOSSIER_READ) | B(STATS_READ);
	case TS_ROLE_CLERK:
		return B(DOSSIER_READ);
	case TS_ROLE_LEADER:
		return B(ACCOUNT_READ) | B(DOSSIER_APPROVE) | B(DOSSIER_PROCESS) | B(DOSSIER_READ) |
		       B(STATS_READ);
	case TS_ROLE_UNIT_ADMIN:
		return B(ORG_WRITE) | B(CALENDAR_WRITE) | B(CATALOG_WRITE) | B(FLOW_WRITE) |
		       B(ACCOUNT_READ) | B(ACCOUNT_WRITE) | B(ROLE_GRANT) | B(AUDIT_READ) |
		       B(DOSSIER_READ);
	case TS_ROLE_SYS_ADMIN:
		return ts_iam_all_perms();
	case TS_ROLE_INSPECTOR:
		return B(ACCOUNT_READ) | B(AUDIT_READ) | B(DOSSIER_READ) | B(STATS_READ);
	default:
		return 0;
	}
}

uint64_t ts_iam_all_perms(void)
{
	return (TS_PERM_BIT(TS_PERM__COUNT) - 1) & ~TS_PERM_BIT(TS_PERM_PUBLIC);
}
#undef B

/* ---- options ---- */

static struct ts_iam_options g_opt = {
	.session_ttl_s = 12 * 3600,
	.session_idle_s = 30 * 60,
	.max_fail_account = 5,
	.max_fail_ip = 20,
	.fail_window_s = 900,
	.pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE,
	.pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE,
};

void ts_iam_defaults(struct ts_iam_options *o)
{
	o->session_ttl_s = 12 * 3600;
	o->session_idle_s = 30 * 60;
	o->max_fail_account = 5;
	o->max_fail_ip = 20;
	o->fail_window_s = 900;
	o->pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	o->pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	o->lockout_failures = 10;
	o->totp_required_roles = 0;
}

int ts_iam_roles_parse(const char *list, uint64_t *mask, struct ts_error *err)
{
	char name[64];
	*mask = 0;
	for (const char *s = list; s && *s;) {
		s += strspn(s, " ,");
		size_t n = strcspn(s, " ,");
		if (!n)
			break;
		int role = -1;
		if (n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			role = ts_role_parse(name);
		}
		if (role < 0)
			return ts_error_set(err, TS_ERR_CONFIG, "iam.totp_required_roles",
					    "vai trò không tồn tại: \"%.*s\"", (int)(n < 60 ? n : 60), s);
		*mask |= UINT64_C(1) << role;
		s += n;
	}
	return 0;
}

void ts_iam_configure(const struct ts_iam_options *o) { g_opt = *o; }

const struct ts_iam_options *ts_iam_opt(void) { return &g_opt; }

/* ---- actors ---- */

bool ts_iam_has(const struct ts_actor *a, int perm)
{
	if (perm == TS_PERM_PUBLIC)
		return true;
	if (perm < 0 || perm >= TS_PERM__COUNT)
		return false;
	return (a->perms & TS_PERM_BIT(perm)) != 0;
}

static struct ts_grant cli_grant = {0, TS_ROLE_SYS_ADMIN, 0, 0};

void ts_ctx_init_cli(struct ts_ctx *ctx, struct ts_db *db, struct ts_arena *a)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->db = db;
	ctx->arena = a;
	ctx->client_addr = "cli";
	ctx->request_id = "cli";
	cli_grant.perms = ts_iam_all_perms();
	ctx->actor.kind = TS_ACCT_ADMIN;
	ctx->actor.username = "cli";
	ctx->actor.display_name = "cli";
	ctx->actor.grants = &cli_grant;
	ctx->actor.ngrants = 1;
	ctx->actor.perms = ts_iam_all_perms();
}

bool ts_iam_is_sysadmin(const struct ts_actor *a)
{
	for (int i = 0; i < a->ngrants; i++)
		if (a->grants[i].role == TS_ROLE_SYS_ADMIN && a->grants[i].unit_id == 0)
			return true;
	return false;
}

const char *ts_iam_kind_name(int kind)
{
	switch (kind) {
	case TS_ACCT_CITIZEN:
		return "citizen";
	case TS_ACCT_BUSINESS:
		return "business";
	case TS_ACCT_OFFICER:
		return "officer";
	case TS_ACCT_ADMIN:
		return "admin";
	default:
		return NULL;
	}
}

int ts_iam_kind_parse(const char *s)
{
	for (int k = TS_ACCT_CITIZEN; k <= TS_ACCT_ADMIN; k++)
		if (s && strcmp(s, ts_iam_kind_name(k)) == 0)
			return k;
	return -1;
}

/* ---- identifiers ---- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Current year in Vietnam (UTC+7). */
static int current_year_vn(void)
{
	time_t t = time(NULL) + 7 * 3600;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return 9999;
	return tm.tm_year + 1900;
}

int ts_iam_check_personal_id_at(const char *s, int this_year, const char *field,
				struct ts_error *err)
{
	if (!s || strlen(s) != 12 || !all_digits(s, 12))
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "số định danh cá nhân phải gồm đúng 12 chữ số");
	int province = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (province < 1 || province > 96)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "mã tỉnh nơi đăng ký khai sinh (3 chữ số đầu) phải từ 001 đến 096");
	int g = s[3] - '0';
	int year = 1900 + (g / 2) * 100 + (s[4] - '0') * 10 + (s[5] - '0');
	if (year > this_year)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "năm sinh trong số định danh cá nhân không hợp lệ");
	return 0;
}

int ts_iam_check_personal_id(const char *s, const char *field, struct ts_error *err)
{
	return ts_iam_check_personal_id_at(s, current_year_vn(), field, err);
}

int ts_iam_tax_check_digit(const char *nine)
{
	static const int w[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (nine[i] - '0') * w[i];
	return 10 - sum % 11;
}

int ts_iam_check_tax_code(const char *s, const char *field, struct ts_error *err)
{
	size_t n = s ? strlen(s) : 0;
	bool ok_shape = (n == 10 && all_digits(s, 10)) ||
			(n == 14 && all_digits(s, 10) && s[10] == '-' && all_digits(s + 11, 3));
	if (!ok_shape)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số dạng NNNNNNNNNN-NNN");
	if (n == 14 && memcmp(s + 11, "000", 3) == 0)
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "mã đơn vị phụ thuộc (3 chữ số cuối) không được là 000");
	int c = ts_iam_tax_check_digit(s);
	if (c == 10 || c != s[9] - '0')
		return ts_error_set(err, TS_ERR_VALIDATION, field,
				    "mã số thuế không đúng (sai chữ số kiểm tra)");
	return 0;
}

/* Length in code points; -1 for invalid UTF-8 (never expected after JSON validation). */
static long utf8_len(const char *s, bool *letter, bool *digit)
{
	long n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned char ch = *p;
		int extra = ch < 0x80 ? 0 : (ch & 0xE0) == 0xC0 ? 1 : (ch & 0xF0) == 0xE0 ? 2 : (ch & 0xF8) == 0xF0 ? 3 : -1;
		if (extra < 0)
			return -1;
		if (extra == 0) {
			if (isalpha(ch))
				*letter = true;
			else if (isdigit(ch))
				*digit = true;
		} else {
			/* Non-ASCII letters (ă, ơ, đ ...) count as letters. */
			*letter = true;
		}
		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return -1;
		n++;
	}
	return n;
}

/* ASCII case-insensitive substring search. */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), h = strlen(hay);
	for (size_t i = 0; n && i + n <= h; i++) {
		size_t j = 0;
		while (j < n && tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == n)
			return true;
	}
	return false;
}

int ts_iam_check_password(const char *pw, const char *login, struct ts_error *err)
{
	bool letter = false, digit = false;
	long n = pw ? utf8_len(pw, &letter, &digit) : 0;
	if (n < 10)
		return ts_error_set(err, TS_ERR_WEAK_PASSWORD, "password",
				    "mật khẩu phải có ít nhất 10 ký tự");
	if (n > 128)
		return ts_error_set(err, TS_ERR_WEAK_PASSWORD, "password",
				    "mật khẩu không được dài quá 128 ký tự");
	if (!letter || !digit)
		return ts_error_set(err, TS_ERR_WEAK_PASSWORD, "password",
				    "mật khẩu phải có cả chữ cái và chữ số");
	if (login && strlen(login) >= 3 && contains_ci(pw, login))
		return ts_error_set(err, TS_ERR_WEAK_PASSWORD, "password",
				    "mật khẩu không được chứa tên đăng nhập");
	return 0;
}

int ts_iam_normalize_phone(const char *s, char *out, size_t outsz, const char *field,
			   struct ts_error *err)
{
	char d[24];
	size_t nd = 0;
	bool plus = false;
	if (!s)
		goto bad;
	for (const char *p = s; *p; p++) {
		if (*p == '+' && p == s) {
			plus = true;
		} else if (*p >= '0' && *p <= '9') {
			if (nd + 1 >= sizeof(d))
				goto bad;
			d[nd++] = *p;
		} else if (*p == ' ' || *p == '.' || *p == '-') {
			continue;
		} else {
			goto bad;
		}
	}
	d[nd] = '\0';
	const char *rest; /* the 9 digits after the leading 0 / 84 */
	if (!plus && nd == 10 && d[0] == '0')
		rest = d + 1;
	else if (nd == 11 && d[0] == '8' && d[1] == '4')
		rest = d + 2;
	else
		goto bad;
	if (!strchr("35789", rest[0]))
		goto bad;
	if (outsz < 11)
		return ts_error_set(err, TS_ERR_INTERNAL, field, NULL);
	out[0] = '0';
	memcpy(out + 1, rest, 9);
	out[10] = '\0';
	return 0;
bad:
	return ts_error_set(err, TS_ERR_VALIDATION, field,
			    "số điện thoại di động không hợp lệ (dạng 0xxxxxxxxx hoặc +84xxxxxxxxx)");
}

int ts_iam_check_username(const char *s, const char *field, struct ts_error *err)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 3 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z'))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '_' || s[i] == '-'))
			goto bad;
	return 0;
bad:
	return ts_error_set(err, TS_ERR_VALIDATION, field,
			    "tên đăng nhập gồm 3-64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch "
			    "ngang và bắt đầu bằng chữ cái thường");
}

int ts_iam_normalize_email(const char *s, char *out, size_t outsz, const char *field,
			   struct ts_error *err)
{
	size_t n = s ? strlen(s) : 0;
	const char *at = s ? strchr(s, '@') : NULL;
	if (n < 3 || n > 254 || n >= outsz || !at || at == s || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || at[1] == '.' || s[n - 1] == '.')
		goto bad;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';')
			goto bad;
		out[i] = (char)tolower(ch);
	}
	out[n] = '\0';
	return 0;
bad:
	return ts_error_set(err, TS_ERR_VALIDATION, field, "địa chỉ thư điện tử không hợp lệ");
}

char *ts_iam_mask(struct ts_arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *m = ts_arena_strndup(a, s, n);
	if (!m)
		return NULL;
	size_t keep = n >= 6 ? 3 : 0;
	for (size_t i = 0; i + keep < n; i++)
		m[i] = '*';
	return m;
}
