/* identity.c - lookup in the population database through the integration platform
 * (POST {identity.url}/tra-cuu {"SoDinhDanh"} -> {HoVaTen, NgaySinh, GioiTinh, NoiThuongTru};
 * docs/integration.md) over src/outbox/httpc.c, and the dossier's "population data used"
 * mark. The personal ID is never logged; the audit keeps it masked. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dossier/dossier.h"
#include "dvcqg/identity.h"
#include "outbox/httpc.h"
#include "stats/stats.h"

static struct ts_identity_options g_opt = {.url = "", .token = "", .connect_timeout_ms = 2000,
					   .timeout_ms = 5000};

void ts_identity_configure(const struct ts_identity_options *o) { g_opt = *o; }

struct audit_st {
	struct ts_ctx *ctx;
	const char *action, *type, *id, *summary;
	int64_t dossier_id;
	const struct ts_dossier *dossier; /* the dossier marked, or NULL */
};

static int audit_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct audit_st *st = vst;
	int rc;
	if (st->dossier_id > 0) {
		const char *who = st->ctx->actor.username ? st->ctx->actor.username : "?";
		struct ts_dbval p[] = {TS_DB_INT(st->dossier_id), TS_DB_INT(time(NULL)), TS_DB_TEXT(who)};
		struct ts_dbres *r = NULL;
		if ((rc = ts_db_query(c, st->ctx->arena, "identity_mark", p, 3, &r, err)))
			return rc;
		/* first mark of a dossier already received: the 766 counters (5.6 / 5.7) */
		if (r->changes > 0 && st->dossier &&
		    (rc = ts_stats_on_population(c, st->ctx->arena, st->dossier, err)))
			return rc;
	}
	return ts_audit_write(c, st->ctx, st->action, st->type, st->id, st->summary, err);
}

int ts_identity_lookup(struct ts_ctx *ctx, const char *personal_id, json_t **out,
		       struct ts_error *err)
{
	struct ts_arena *a = ctx->arena;
	char why[256] = "";
	char *answer = NULL;
	long status = 0;
	int rc;

	*out = NULL;
	if ((rc = ts_iam_check_personal_id(personal_id, "personal_id", err)))
		return rc;
	/* every lookup of personal data is audited, found or not, with the ID masked */
	struct audit_st au = {.ctx = ctx, .action = "identity.lookup", .type = "citizen",
			      .id = ts_iam_mask(a, personal_id), .summary = "population database lookup"};
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, audit_tx, &au, err)))
		return rc;
	if (!g_opt.url || !*g_opt.url)
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL,
				    "Chưa kết nối Cơ sở dữ liệu quốc gia về dân cư, vui lòng nhập thông tin");
	json_t *q = json_pack("{s:s}", "SoDinhDanh", personal_id);
	const char *body = q ? ts_json_dump(a, q, NULL) : NULL;
	json_decref(q);
	const char *url = ts_arena_printf(a, "%s/tra-cuu", g_opt.url);
	if (!body || !url)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	struct ts_httpc_req r = {.method = "POST", .url = url, .bearer = g_opt.token, .body = body,
				 .connect_timeout_ms = g_opt.connect_timeout_ms,
				 .timeout_ms = g_opt.timeout_ms, .max_response = 16384};
	if (ts_httpc_request(&r, a, &status, &answer, why, sizeof(why)) || status >= 500 ||
	    status == 401 || status == 403 || status == 429)
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL,
				    "Không tra cứu được Cơ sở dữ liệu quốc gia về dân cư lúc này, vui "
				    "lòng nhập thông tin");
	if (status == 404)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "personal_id",
				    "Không tìm thấy số định danh trong Cơ sở dữ liệu về dân cư");
	json_t *p = answer ? ts_json_own(a, json_loads(answer, 0, NULL)) : NULL;
	if (status != 200 || !json_is_object(p) || !ts_json_str(p, "HoVaTen"))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL,
				    "Cơ sở dữ liệu về dân cư trả lời không hợp lệ, vui lòng nhập thông tin");
	*out = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s}", "personal_id", personal_id,
			 "full_name", ts_json_str(p, "HoVaTen"), "birth_date", ts_json_str(p, "NgaySinh"),
			 "sex", ts_json_str(p, "GioiTinh"), "address", ts_json_str(p, "NoiThuongTru"),
			 "source", "population_db");
	return *out ? 0 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

struct mark_st {
	struct ts_ctx *ctx;
	int64_t id;
	struct ts_dbres *r;
};

static int marked_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct mark_st *st = vst;
	struct ts_dbval p[] = {TS_DB_INT(st->id)};
	return ts_db_query(c, st->ctx->arena, "identity_marked", p, 1, &st->r, err);
}

int ts_identity_marked(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err)
{
	struct ts_dossier d;
	struct mark_st st = {.ctx = ctx};
	int rc;

	*out = NULL;
	if ((rc = ts_dossier_get(ctx, code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	st.id = d.id;
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, marked_tx, &st, err)))
		return rc;
	*out = json_pack("{s:s, s:b, s:o}", "code", d.code, "population_data", st.r->nrows == 1,
			 "marked_at",
			 st.r->nrows == 1 ? json_integer(ts_dbres_int(st.r, 0, 0)) : json_null());
	return *out ? 0 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

int ts_identity_mark(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err)
{
	struct ts_dossier d;
	int rc;

	*out = NULL;
	if ((rc = ts_dossier_get(ctx, code, &d, NULL, NULL, NULL, NULL, err)))
		return rc;
	struct audit_st au = {.ctx = ctx, .action = "dossier.population_data", .type = "dossier",
			      .id = d.code, .summary = "applicant data taken from the population database",
			      .dossier_id = d.id, .dossier = &d};
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_WRITE, audit_tx, &au, err)))
		return rc;
	return ts_identity_marked(ctx, d.code, out, err);
}
