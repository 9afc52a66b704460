/* intake.c - dossiers created on the national portal enter tinhso: through the dossier
 * engine (ts_dossier_intake, online channel, status 1) acting as the system, with the
 * national code kept as an alias so the code, the public lookup and the sync all find it,
 * and the same workflows follow. Idempotent per national code. */
#include <stdio.h>
#include <string.h>

#include "dvcqg/dvcqg.h"
#include "iam/iam.h"

struct unit_st {
	struct ts_arena *a;
	const char *code;
	int64_t id;
};

static int unit_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct unit_st *st = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(st->code)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, st->a, "dvcqg_unit_by_code", p, 1, &r, err);
	if (!rc)
		st->id = r->nrows == 1 ? ts_dbres_int(r, 0, 0) : 0;
	return rc;
}

static int unit_id(struct ts_ctx *ctx, const char *code, const char *field, int64_t *id,
		   struct ts_error *err)
{
	struct unit_st st = {.a = ctx->arena, .code = code};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, unit_tx, &st, err);
	if (rc)
		return rc;
	if (!st.id)
		return ts_error_set(err, TS_ERR_VALIDATION, field, "Không có đơn vị mã \"%s\"", code);
	*id = st.id;
	return 0;
}

struct alias_st {
	struct ts_ctx *ctx;
	const char *national, *code;
};

static int alias_find_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct alias_st *st = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(st->national)};
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, st->ctx->arena, "dvcqg_alias_find", p, 1, &r, err);
	if (!rc && r->nrows == 1)
		st->code = ts_dbres_get(r, 0, 0);
	return rc;
}

int ts_dvcqg_intake(struct ts_ctx *ctx, const json_t *body, struct ts_dossier *out,
		    int *created, struct ts_error *err)
{
	struct ts_dossier_new in = {0};
	struct ts_ctx sys;
	struct alias_st as = {.ctx = ctx};
	const json_t *docs = json_object_get(body, "documents");
	const char *delivery = ts_json_str(body, "delivery"), *recv = ts_json_str(body, "receiving_unit_code");
	struct ts_dossier_doc *d = NULL;
	int rc;

	*created = 0;
	as.national = ts_json_str(body, "national_code");
	if ((rc = ts_db_tx(ctx->db, TS_DB_TX_READ, alias_find_tx, &as, err)))
		return rc;
	/* the system acts in the engine (like the CLI); the API client is named in the label */
	ts_ctx_init_cli(&sys, ctx->db, ctx->arena);
	sys.client_addr = ctx->client_addr;
	sys.request_id = ctx->request_id;
	sys.actor.username = sys.actor.display_name =
	    ts_arena_printf(ctx->arena, "dvcqg:%s", ctx->actor.username ? ctx->actor.username : "?");
	if (as.code) { /* a repeated intake: the first answer again, nothing changes */
		ctx->replayed = 1;
		return ts_dossier_get(&sys, as.code, out, NULL, NULL, NULL, NULL, err);
	}
	in.procedure_code = ts_json_str(body, "procedure_code");
	in.variant_code = ts_json_str(body, "variant_code");
	if ((rc = unit_id(ctx, ts_json_str(body, "competent_unit_code"), "competent_unit_code",
			  &in.competent_unit_id, err)))
		return rc;
	in.receiving_unit_id = in.competent_unit_id;
	if (recv && (rc = unit_id(ctx, recv, "receiving_unit_code", &in.receiving_unit_id, err)))
		return rc;
	in.channel = TS_CHANNEL_ONLINE;
	in.delivery = delivery ? ts_delivery_parse(delivery) : TS_DELIVERY_ELECTRONIC;
	if (in.delivery < 0)
		return ts_error_set(err, TS_ERR_VALIDATION, "delivery", "Hình thức trả kết quả không hợp lệ");
	in.applicant_name = ts_json_str(body, "applicant_name");
	in.applicant_phone = ts_json_str(body, "applicant_phone");
	in.applicant_id = ts_json_str(body, "applicant_id");
	in.form_data = json_object_get(body, "form_data");
	if (json_is_array(docs) && json_array_size(docs) > 0) {
		size_t n = json_array_size(docs);
		if (!(d = ts_arena_zalloc(ctx->arena, sizeof(*d) * n)))
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		for (size_t i = 0; i < n; i++) {
			const json_t *x = json_array_get(docs, i);
			d[i].code = ts_json_str(x, "code");
			d[i].name = ts_json_str(x, "name");
			d[i].originals = (int)ts_json_int(x, "originals", 0);
			d[i].copies = (int)ts_json_int(x, "copies", 0);
			d[i].digitised = true; /* received electronically by the national portal */
		}
		in.docs = d;
		in.ndocs = (int)n;
	}
	struct ts_idem idem = {.key = ts_arena_printf(ctx->arena, "dvcqg:%s", as.national),
			       .request_hash = ts_arena_printf(ctx->arena, "dvcqg-intake:%s", as.national),
			       .route = "dvcqg.intake"};
	if (!idem.key || !idem.request_hash)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	rc = ts_dossier_intake(&sys, &in, &idem, out, err);
	if (rc) {
		ctx->audited += sys.audited;
		return rc;
	}
	*created = !sys.replayed;
	ctx->replayed |= sys.replayed;
	rc = ts_dossier_alias_add(&sys, out->code, TS_DVCQG_SYSTEM, as.national, err);
	ctx->audited += sys.audited;
	if (rc == TS_ERR_CONFLICT) { /* a retried intake: the alias is there already */
		ts_error_clear(err);
		rc = 0;
	}
	return rc;
}
