/* live.c - what the live operations centre watches: the newest dossier event id (the IOC
 * cursor). Read in its own short transaction by the event feed of stats_http.c, which
 * tells open IOC pages to reload when it moves; works across nodes, since every node
 * reads the shared store. */
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
