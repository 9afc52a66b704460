/* demo.c - `tinhso demo`: the demo province (data/demo/province.json, embedded in the
 * binary) and one account per role, printed with their password; the catalogue; a history of
 * dossiers (demo_dossiers.c). Idempotent. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "base/crypto.h"
#include "catalog/catalog.h"
#include "iam/iam.h"
#include "org/org.h"

extern const unsigned char ts_demo_province_json[];
extern const size_t ts_demo_province_json_len;
extern const unsigned char ts_demo_procedures_json[];
extern const size_t ts_demo_procedures_json_len;

/* Bến Tre publishes 1,781 procedures: the 132 real ones plus generated DEMO.nnnnnn for volume. */
#define DEMO_PROCEDURES_TOTAL 1781

struct demo_account {
	const char *username, *full_name;
	int kind, role;
	const char *unit_code;  /* home unit (officers) */
	const char *grant_code; /* the role's subtree; NULL = everywhere */
	const char *personal_id, *tax_code, *phone;
};

/* Unit codes: see data/demo/README.md. */
#define PROVINCE "000.00.00.H99"
#define SO_TU_PHAP "000.00.12.H99"
#define PHONG_HCTP "000.01.12.H99"
#define THANH_TRA "000.00.25.H99"
#define XA1 "000.00.31.H99"

static const struct demo_account accounts[] = {
	{"admin", "Quản trị hệ thống", TS_ACCT_ADMIN, TS_ROLE_SYS_ADMIN, PROVINCE, NULL, NULL, NULL, NULL},
	{"quantri.tinh", "Nguyễn Văn Quản", TS_ACCT_ADMIN, TS_ROLE_UNIT_ADMIN, PROVINCE, PROVINCE, NULL, NULL, NULL},
	{"motcua.xa1", "Trần Thị Mai", TS_ACCT_OFFICER, TS_ROLE_COUNTER, XA1, XA1, NULL, NULL, NULL},
	{"chuyenvien.tp", "Lê Văn Chính", TS_ACCT_OFFICER, TS_ROLE_SPECIALIST, PHONG_HCTP, PHONG_HCTP, NULL, NULL, NULL},
	{"truongphong.tp", "Phạm Thị Hoa", TS_ACCT_OFFICER, TS_ROLE_DIVISION_HEAD, PHONG_HCTP, PHONG_HCTP, NULL, NULL, NULL},
	{"lanhdao.tp", "Hoàng Văn Đức", TS_ACCT_OFFICER, TS_ROLE_LEADER, SO_TU_PHAP, SO_TU_PHAP, NULL, NULL, NULL},
	{"vanthu.tp", "Vũ Thị Lan", TS_ACCT_OFFICER, TS_ROLE_CLERK, SO_TU_PHAP, SO_TU_PHAP, NULL, NULL, NULL},
	{"thanhtra", "Đặng Văn Minh", TS_ACCT_OFFICER, TS_ROLE_INSPECTOR, THANH_TRA, PROVINCE, NULL, NULL, NULL},
	{"tuphap.xa1", "Ngô Văn Tâm", TS_ACCT_OFFICER, TS_ROLE_SPECIALIST, XA1, XA1, NULL, NULL, NULL},
	{"chutich.xa1", "Bùi Thị Hạnh", TS_ACCT_OFFICER, TS_ROLE_LEADER, XA1, XA1, NULL, NULL, NULL},
	{"congdan1", "Nguyễn Thị Bình", TS_ACCT_CITIZEN, TS_ROLE_CITIZEN, NULL, NULL, "001190000123", NULL, "0912000001"},
	{"doanhnghiep1", "Công ty TNHH Dữ liệu Mẫu", TS_ACCT_BUSINESS, TS_ROLE_CITIZEN, NULL, NULL, NULL, "0100109106",
	 "0912000002"},
};

static int load_account(struct ts_ctx *ctx, const struct demo_account *d, const char *password, struct ts_error *err)
{
	int64_t id = 0, unit_id = 0, grant_unit = 0;
	int rc;
	if (d->unit_code && (rc = ts_org_unit_by_code(ctx, d->unit_code, &unit_id, err)))
		return rc;
	if (d->grant_code && (rc = ts_org_unit_by_code(ctx, d->grant_code, &grant_unit, err)))
		return rc;
	struct ts_error lookup = {0};
	rc = ts_iam_account_by_username(ctx, d->username, &id, &lookup);
	if (rc == TS_ERR_NOT_FOUND) {
		struct ts_account_new in = {.kind = d->kind, .username = d->username, .full_name = d->full_name,
					    .phone = d->phone, .personal_id = d->personal_id, .tax_code = d->tax_code,
					    .password = password, .unit_id = d->kind == TS_ACCT_CITIZEN || d->kind == TS_ACCT_BUSINESS ? 0 : unit_id};
		if ((rc = ts_iam_account_create(ctx, &in, &id, err)))
			return rc;
		if (d->role != TS_ROLE_CITIZEN && (rc = ts_iam_grant(ctx, id, d->role, grant_unit, NULL, err)))
			return rc;
		return 0;
	}
	if (rc) {
		*err = lookup;
		return rc;
	}
	return ts_iam_set_password(ctx, id, password, err);
}

void ts_app_random_password(char *out, size_t outsz)
{
	char tok[16], digits[4];
	ts_random_token(tok, sizeof(tok), 6);
	ts_random_hex(digits, sizeof(digits), 1);
	/* a letter and digits guaranteed, whatever the random part holds (password policy) */
	snprintf(out, outsz, "ts%s%u", tok, 10u + (unsigned)((digits[0] * 16 + digits[1]) % 90));
}

/* Spaces needed after s to fill width columns (counting code points, not bytes). */
static int pad_to(const char *s, int width)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n < width ? width - n : 0;
}

int ts_demo_load(struct ts_db *db, const char *password, int dossiers, FILE *out, struct ts_error *err)
{
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, db, &a);
	char generated[32];
	if (!password) {
		ts_app_random_password(generated, sizeof(generated));
		password = generated;
	}
	int rc = ts_iam_check_password(password, "", err);
	if (rc)
		goto out;
	json_error_t jerr;
	json_t *doc = ts_json_own(&a, json_loadb((const char *)ts_demo_province_json, ts_demo_province_json_len, 0, &jerr));
	if (!doc) {
		rc = ts_error_set(err, TS_ERR_INTERNAL, NULL, "demo data unreadable: %s", jerr.text);
		goto out;
	}
	int created = 0, existing = 0;
	if ((rc = ts_org_import(&ctx, doc, &created, &existing, err)))
		goto out;
	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++)
		if ((rc = load_account(&ctx, &accounts[i], password, err)))
			goto out;
	/* the real catalogue sample through the same import path as any province's catalogue */
	json_t *sample = ts_json_own(&a, json_loadb((const char *)ts_demo_procedures_json, ts_demo_procedures_json_len, 0, &jerr));
	if (!sample) {
		rc = ts_error_set(err, TS_ERR_INTERNAL, NULL, "demo catalogue unreadable: %s", jerr.text);
		goto out;
	}
	int pcreated = 0, pversioned = 0, punchanged = 0, ngenerated = 0, linked = 0;
	/* in force since 1 January two years back, so that the dossier history finds them */
	char since[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	snprintf(since, sizeof(since), "%04d-01-01", tm.tm_year + 1900 - 2);
	if ((rc = ts_catalog_import_sample(&ctx, sample, since, &pcreated, &pversioned, &punchanged, err)))
		goto out;
	int real = pcreated + pversioned + punchanged;
	if ((rc = ts_catalog_generate_demo(&ctx, DEMO_PROCEDURES_TOTAL - real, since, &ngenerated, err)) ||
	    (rc = ts_catalog_link_demo_units(&ctx, &linked, err)))
		goto out;
	fprintf(out, "demo province: %d units created, %d already there\n", created, existing);
	fprintf(out, "procedures: %d real from the national catalogue sample (%d new), %d generated DEMO.nnnnnn, "
		     "%d offering links\n", real, pcreated, ngenerated, linked);
	if ((rc = ts_demo_dossiers(db, sample, dossiers, out, err)))
		goto out;
	fprintf(out, "demo accounts (password for all: %s)\n", password);
	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++)
		fprintf(out, "  %-15s %s%*s %s\n", accounts[i].username, ts_role_title(accounts[i].role),
			pad_to(ts_role_title(accounts[i].role), 24), "",
			accounts[i].grant_code ? accounts[i].grant_code : (accounts[i].role == TS_ROLE_CITIZEN ? "" : "toàn tỉnh"));
	fflush(out);
out:
	ts_arena_release(&a);
	return rc;
}
