/* audit.c - the hash-chained audit trail. Each row's hash covers its fields, its chain and
 * place in it (link) and the previous row of its chain's hash; audit_head keeps each chain's
 * last link and hash so a deleted tail is detected too. Rows are appended inside the caller's
 * transaction. The head row serialises the writers of one chain: SQLite has one writer and
 * one chain; on PostgreSQL each pool connection appends to its own chain (slot + 1), since
 * the head's row lock is held until the commit is flushed and one chain would make every
 * mutation commit after the other, one fsync each (docs/security.md). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/crypto.h"
#include "base/log.h"
#include "iam/iam.h"
#include "iam/iam_int.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define VERIFY_PAGE 500

static void h_str(crypto_hash_sha256_state *h, const char *s)
{
	char len[24];
	if (!s) {
		crypto_hash_sha256_update(h, (const unsigned char *)"~,", 2);
		return;
	}
	size_t n = strlen(s);
	int k = snprintf(len, sizeof(len), "%zu:", n);
	crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(h, (const unsigned char *)s, n);
	crypto_hash_sha256_update(h, (const unsigned char *)",", 1);
}

static void h_int(crypto_hash_sha256_state *h, int64_t v, bool null)
{
	char buf[24];
	if (null) {
		h_str(h, NULL);
		return;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	h_str(h, buf);
}

void ts_audit_hash(const struct ts_audit_row *r, char *out, size_t outsz)
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&h);
	/* a layout tag, so that layouts can never collide */
	if (r->chain > 0) {
		crypto_hash_sha256_update(&h, (const unsigned char *)"tinhso-audit-v2\n", 16);
		h_int(&h, r->chain, false);
		h_int(&h, r->link, false);
	} else {
		crypto_hash_sha256_update(&h, (const unsigned char *)"tinhso-audit-v1\n", 16);
	}
	h_int(&h, r->seq, false);
	h_int(&h, r->at, false);
	h_int(&h, r->actor_id, r->actor_id == 0);
	h_str(&h, r->actor_label);
	h_str(&h, r->action);
	h_str(&h, r->object_type);
	h_str(&h, r->object_id);
	h_str(&h, r->client_addr);
	h_str(&h, r->summary);
	h_str(&h, r->prev_hash);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, outsz, d, sizeof(d));
}

/* The label stored with each row: who acted, readable without a join. */
static const char *actor_label(struct ts_ctx *ctx)
{
	const struct ts_actor *a = &ctx->actor;
	if (a->api_client_id > 0)
		return ts_arena_printf(ctx->arena, "api:%s#%lld", a->username ? a->username : "",
				       (long long)a->api_client_id);
	if (a->username)
		return a->username;
	if (a->account_id > 0)
		return ts_arena_printf(ctx->arena, "%s#%lld",
				       ts_iam_kind_name(a->kind) ? ts_iam_kind_name(a->kind) : "account",
				       (long long)a->account_id);
	return "anonymous";
}

int ts_audit_write(struct ts_dbconn *c, struct ts_ctx *ctx, const char *action,
		   const char *object_type, const char *object_id, const char *summary,
		   struct ts_error *err)
{
	struct ts_dbres *r;
	int rc = ts_db_query(c, ctx->arena, "iam_audit_head_next", NULL, 0, &r, err);
	if (rc)
		return rc;
	if (r->nrows != 1) {
		ts_log(TS_LOG_ERROR, "audit head missing", NULL);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	}
	/* chain, link, last_hash, seq */
	struct ts_audit_row row = {
		.chain = ts_dbres_int(r, 0, 0),
		.link = ts_dbres_int(r, 0, 1),
		.seq = ts_dbres_int(r, 0, 3),
		.at = ts_iam_now(),
		.actor_id = ctx->actor.account_id,
		.actor_label = actor_label(ctx),
		.action = action,
		.object_type = object_type,
		.object_id = object_id,
		.client_addr = ctx->client_addr,
		.summary = summary,
		.prev_hash = ts_dbres_get(r, 0, 2),
	};
	if (row.chain <= 0 || row.link <= 0 || row.seq <= 0) {
		ts_log(TS_LOG_ERROR, "audit head returned no chain", NULL);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	}
	if (!row.actor_label || !row.prev_hash)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	char hash[65];
	ts_audit_hash(&row, hash, sizeof(hash));
	struct ts_dbval p[] = {
		TS_DB_INT(row.seq),		TS_DB_INT(row.at),
		row.actor_id ? TS_DB_INT(row.actor_id) : TS_DB_NULL,
		TS_DB_TEXT(row.actor_label),	TS_DB_TEXT(row.action),
		TS_DB_TEXT(row.object_type),	TS_DB_TEXT(row.object_id),
		TS_DB_TEXT(row.client_addr),	TS_DB_TEXT(row.summary),
		TS_DB_TEXT(row.prev_hash),	TS_DB_TEXT(hash),
		TS_DB_INT(row.chain),		TS_DB_INT(row.link),
	};
	if ((rc = ts_db_query(c, ctx->arena, "iam_audit_insert", p, 13, NULL, err)))
		return rc;
	struct ts_dbval ph[] = {TS_DB_TEXT(hash), TS_DB_INT(row.chain)};
	if ((rc = ts_db_query(c, ctx->arena, "iam_audit_head_set", ph, 2, NULL, err)))
		return rc;
	ctx->audited++;
	return 0;
}

struct verify_st {
	bool ok;
	int64_t first_bad, checked, chains;
};

/* One chain: its rows in link order from 1 to the head's last link, each linked to the one
 * before by prev_hash and hashed as stored (the first v1_links in the first layout, where
 * link = seq); the head names the last row and its hash. first_bad: the seq of the first row
 * found wrong, or of the row after a missing one, or (a missing tail) the last seq seen + 1. */
static int verify_chain(struct ts_dbconn *c, struct ts_arena *a, struct verify_st *st,
			int64_t chain, int64_t head_link, const char *head_hash, int64_t v1_links,
			struct ts_error *err)
{
	struct ts_dbres *r;
	char expect_prev[65] = ZERO_HASH, h[65];
	int64_t expect_link = 1, last_seq = 0;
	int rc;

	for (;;) {
		/* One small arena per page keeps memory flat on long chains. */
		ts_arena_release(a);
		ts_arena_init(a, 0);
		struct ts_dbval p[] = {TS_DB_INT(chain), TS_DB_INT(expect_link - 1),
				       TS_DB_INT(VERIFY_PAGE)};
		if ((rc = ts_db_query(c, a, "iam_audit_chain_page", p, 3, &r, err)))
			return rc;
		for (int i = 0; i < r->nrows; i++) {
			/* seq, at, actor_id, actor_label, action, object_type, object_id,
			 * client_addr, summary, prev_hash, hash, link */
			struct ts_audit_row row = {
				.seq = ts_dbres_int(r, i, 0),
				.at = ts_dbres_int(r, i, 1),
				.actor_id = ts_dbres_isnull(r, i, 2) ? 0 : ts_dbres_int(r, i, 2),
				.actor_label = ts_dbres_get(r, i, 3),
				.action = ts_dbres_get(r, i, 4),
				.object_type = ts_dbres_get(r, i, 5),
				.object_id = ts_dbres_get(r, i, 6),
				.client_addr = ts_dbres_get(r, i, 7),
				.summary = ts_dbres_get(r, i, 8),
				.prev_hash = ts_dbres_get(r, i, 9),
				.link = ts_dbres_int(r, i, 11),
			};
			const char *stored = ts_dbres_get(r, i, 10);
			if (row.link != expect_link) { /* a missing row */
				st->first_bad = row.seq;
				return 0;
			}
			if (!row.prev_hash || strcmp(row.prev_hash, expect_prev) != 0 ||
			    (!ts_dbres_isnull(r, i, 2) && row.actor_id == 0) /* not ours */) {
				st->first_bad = row.seq;
				return 0;
			}
			if (row.link <= v1_links) {
				if (chain != 1 || row.seq != row.link) { /* the first layout: chain 1 */
					st->first_bad = row.seq;
					return 0;
				}
			} else {
				row.chain = chain;
			}
			ts_audit_hash(&row, h, sizeof(h));
			if (!stored || strcmp(stored, h) != 0) {
				st->first_bad = row.seq;
				return 0;
			}
			st->checked++;
			snprintf(expect_prev, sizeof(expect_prev), "%s", h);
			last_seq = row.seq;
			expect_link++;
		}
		if (r->nrows < VERIFY_PAGE)
			break;
	}
	/* The tail: the head must name the last row we saw. */
	if (expect_link - 1 != head_link || strcmp(head_hash, expect_prev) != 0) {
		st->first_bad = last_seq + 1;
		return 0;
	}
	return 1;
}

static int verify_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct verify_st *st = arg;
	struct ts_arena *a = ts_arena_new(0), *pa = ts_arena_new(0);
	struct ts_dbres *heads, *r;
	int rc;

	st->ok = true;
	st->first_bad = 0;
	st->checked = 0;
	st->chains = 0;
	if (!a || !pa) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		goto out;
	}
	if ((rc = ts_db_query(c, a, "iam_audit_heads", NULL, 0, &heads, err)))
		goto out;
	/* chain 1 always exists (its head is created by the migrations) */
	if (heads->nrows < 1 || ts_dbres_int(heads, 0, 0) != 1) {
		st->ok = false;
		st->first_bad = 1;
		goto out;
	}
	for (int i = 0; i < heads->nrows; i++) {
		const char *hh = ts_dbres_get(heads, i, 2);
		rc = verify_chain(c, pa, st, ts_dbres_int(heads, i, 0), ts_dbres_int(heads, i, 1),
				  hh ? hh : "", ts_dbres_int(heads, i, 3), err);
		if (rc < 0)
			goto out;
		st->chains++;
		if (rc == 0) {
			st->ok = false;
			rc = 0;
			goto out;
		}
	}
	/* rows of no chain: added beside the chains */
	if ((rc = ts_db_query(c, a, "iam_audit_unchained", NULL, 0, &r, err)))
		goto out;
	if (ts_dbres_int(r, 0, 0) != 0) {
		st->ok = false;
		st->first_bad = ts_dbres_int(r, 0, 0);
	}
	rc = 0;
out:
	ts_arena_free(pa);
	ts_arena_free(a);
	return rc;
}

int ts_audit_verify(struct ts_db *db, bool *ok, int64_t *first_bad, int64_t *rows_checked,
		    struct ts_error *err)
{
	struct verify_st st = {0};
	int rc = ts_db_tx(db, TS_DB_TX_READ, verify_tx, &st, err);
	if (rc)
		return rc;
	*ok = st.ok;
	*first_bad = st.ok ? 0 : st.first_bad;
	if (rows_checked)
		*rows_checked = st.checked;
	if (!st.ok) {
		char seq[24];
		snprintf(seq, sizeof(seq), "%lld", (long long)st.first_bad);
		ts_log(TS_LOG_WARN, "audit chain broken", "#first_bad_seq", seq, NULL);
	}
	return 0;
}

struct alist_st {
	struct ts_ctx *ctx;
	const char *roots;
	bool all;
	int64_t after, limit;
	const char *otype, *oid;
	json_t *out;
};

static int audit_list_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct alist_st *st = arg;
	struct ts_ctx *ctx = st->ctx;
	struct ts_dbres *r;
	struct ts_dbval p[] = {TS_DB_TEXT(st->roots), TS_DB_INT(st->all ? 1 : 0),
			       TS_DB_INT(st->after), TS_DB_TEXT(st->otype),
			       TS_DB_TEXT(st->oid), TS_DB_INT(st->limit)};
	int rc = ts_db_query(c, ctx->arena, "iam_audit_list", p, 6, &r, err);
	if (rc)
		return rc;
	json_t *items = ts_json_own(ctx->arena, json_array());
	if (!items)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	int64_t last = st->after;
	for (int i = 0; i < r->nrows; i++) {
		last = ts_dbres_int(r, i, 0);
		json_array_append_new(
			items,
			json_pack("{s:I, s:I, s:o, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "seq",
				  (json_int_t)last, "at", (json_int_t)ts_dbres_int(r, i, 1), "actor_id",
				  ts_dbres_isnull(r, i, 2) ? json_null()
							   : json_integer(ts_dbres_int(r, i, 2)),
				  "actor_label", ts_dbres_get(r, i, 3), "action", ts_dbres_get(r, i, 4),
				  "object_type", ts_dbres_get(r, i, 5), "object_id",
				  ts_dbres_get(r, i, 6), "client_addr", ts_dbres_get(r, i, 7),
				  "summary", ts_dbres_get(r, i, 8), "hash", ts_dbres_get(r, i, 9)));
	}
	st->out = ts_json_own(ctx->arena, json_pack("{s:O, s:I}", "items", items, "next_after_seq",
						     (json_int_t)last));
	return st->out ? 0 : ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
}

/* Scope: an AUDIT_READ grant everywhere sees every row; a grant over a unit sees the rows of
 * actors whose home unit is in that unit's subtree (rows of anonymous actors, API clients
 * and the CLI are visible only to everywhere-scoped readers). */
int ts_audit_list(struct ts_ctx *ctx, int64_t after_seq, int64_t limit, const char *object_type,
		  const char *object_id, json_t **out, struct ts_error *err)
{
	struct alist_st st = {.ctx = ctx, .after = after_seq < 0 ? 0 : after_seq,
			      .limit = limit <= 0 ? 50 : limit > 200 ? 200 : limit,
			      .otype = object_type, .oid = object_id};
	st.roots = ts_iam_scope_roots(ctx, TS_PERM_AUDIT_READ, &st.all);
	if (!st.all && !st.roots)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, audit_list_tx, &st, err);
	if (rc)
		return rc;
	*out = st.out;
	return 0;
}
