/* idem.c - forgetting old Idempotency-Key answers (idem.h): batched deletes on the
 * created_at index (query idem_purge_batch, sql/common/queries/base.sql), each batch its own
 * audited write transaction so the SQLite writer is never held for long; and the background
 * job of `serve` (base/periodic.h, as the attachment re-scan). */
#include "dossier/idem.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/periodic.h"
#include "dossier/dossier_int.h"
#include "iam/iam.h"

struct purge_job {
	struct ts_ctx *ctx;
	int64_t before;
	int batch;
	int64_t deleted; /* by this transaction */
};

static int purge_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct purge_job *j = arg;
	struct ts_dbval p[] = {TS_DB_INT(j->before), TS_DB_INT(j->batch)};
	struct ts_dbres *r = NULL;
	int rc;

	j->deleted = 0;
	if ((rc = ts_db_query(c, j->ctx->arena, "idem_purge_batch", p, 2, &r, err)))
		return rc;
	j->deleted = r->changes;
	if (j->deleted == 0)
		return 0;
	return ts_audit_write(c, j->ctx, "idempotency.purge", "idempotency_key", NULL,
			      ts_arena_printf(j->ctx->arena, "%" PRId64 " khóa cũ hơn %" PRId64, j->deleted,
					      j->before),
			      err);
}

int ts_dossier_idem_purge(struct ts_db *db, int retention_h, int batch, int64_t *purged,
			  struct ts_error *err)
{
	struct ts_arena a;
	struct ts_ctx sys;
	int64_t total = 0;
	int rc = 0;

	if (purged)
		*purged = 0;
	if (retention_h < 1 || batch < 1)
		return ts_error_set(err, TS_ERR_CONFIG, "idempotency.retention_hours",
				    "Thời gian giữ khóa Idempotency-Key và cỡ lô phải lớn hơn 0");
	ts_arena_init(&a, 0);
	ts_ctx_init_cli(&sys, db, &a);
	struct purge_job j = {.ctx = &sys, .before = ts_dossier_now() - (int64_t)retention_h * 3600,
			      .batch = batch};
	/* a batch smaller than asked for was the last one; keys created meanwhile are newer */
	do {
		if ((rc = ts_db_tx(db, TS_DB_TX_WRITE, purge_tx, &j, err)))
			break;
		total += j.deleted;
		ts_arena_release(&a); /* one batch's rows at a time */
		ts_arena_init(&a, 0);
	} while (j.deleted >= batch);
	ts_arena_release(&a);
	if (purged)
		*purged = total;
	return rc;
}

#define PURGE_BATCH 1000

static struct ts_periodic purger = TS_PERIODIC_INIT;
static struct {
	struct ts_db *db;
	int retention_h;
} purge_opt;

static void purge_once(void *unused)
{
	struct ts_error err = {0};
	int64_t n = 0;
	char buf[24];
	int rc = ts_dossier_idem_purge(purge_opt.db, purge_opt.retention_h, PURGE_BATCH, &n, &err);

	(void)unused;
	snprintf(buf, sizeof(buf), "%" PRId64, n);
	if (rc)
		ts_log(TS_LOG_ERROR, "idempotency key purge failed", "#purged", buf, "error",
		       err.detail[0] ? err.detail : ts_err_title(rc), NULL);
	else if (n > 0)
		ts_log(TS_LOG_INFO, "idempotency keys purged", "#purged", buf, NULL);
}

int ts_dossier_idem_purger_start(struct ts_db *db, int retention_h, int interval_s,
				 struct ts_error *err)
{
	if (interval_s <= 0 || purger.running)
		return 0;
	purge_opt.db = db;
	purge_opt.retention_h = retention_h;
	if (ts_periodic_start(&purger, interval_s, purge_once, NULL))
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "cannot start the idempotency key purge");
	return 0;
}

void ts_dossier_idem_purger_stop(void)
{
	ts_periodic_stop(&purger);
}
