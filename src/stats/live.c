/* live.c - what the live operations centre watches: the newest dossier event id (the IOC
 * cursor). Read in its own short transaction by the event feed of stats_http.c, which
 * tells open IOC pages to reload when it moves (works across nodes, since every node reads
 * the shared store), and with the permission check by the IOC adapter's answer cache. */
#include "base/arena.h"
#include "db/db.h"
#include "stats/stats.h"

struct cursor_job {
	struct ts_arena a;
	int64_t id;
};

static int cursor_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct cursor_job *j = vjob;
	struct ts_dbres *r = NULL;
	int rc = ts_db_query(c, &j->a, "stats_cursor", NULL, 0, &r, err);
	if (!rc)
		j->id = ts_dbres_int(r, 0, 0);
	return rc;
}

int ts_stats_cursor(struct ts_db *db, int64_t *out, struct ts_error *err)
{
	struct cursor_job j = {.id = 0};
	ts_arena_init(&j.a, 64 * 1024);
	int rc = ts_db_tx(db, TS_DB_TX_READ, cursor_tx, &j, err);
	ts_arena_release(&j.a);
	if (!rc)
		*out = j.id;
	return rc;
}

struct peek_job {
	struct ts_ctx *ctx;
	int64_t unit_id, cursor;
};

static int peek_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct peek_job *j = vjob;
	struct ts_dbres *r = NULL;
	int rc;
	if (ts_iam_require_unit(j->ctx, c, TS_PERM_STATS_READ, j->unit_id, err)) {
		ts_error_clear(err); /* the same answer as the figures themselves give */
		return ts_error_set(err, TS_ERR_FORBIDDEN, "unit",
				    "Đơn vị nằm ngoài phạm vi được xem số liệu thống kê");
	}
	if ((rc = ts_db_query(c, j->ctx->arena, "stats_cursor", NULL, 0, &r, err)))
		return rc;
	j->cursor = ts_dbres_int(r, 0, 0);
	return 0;
}

int ts_stats_ioc_peek(struct ts_ctx *ctx, int64_t unit_id, int64_t *cursor, struct ts_error *err)
{
	struct peek_job j = {.ctx = ctx, .unit_id = unit_id};
	int rc = ts_db_tx(ctx->db, TS_DB_TX_READ, peek_tx, &j, err);
	if (!rc)
		*cursor = j.cursor;
	return rc;
}
