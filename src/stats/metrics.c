/* metrics.c - what statistics add to /metrics (app/app_http.c): the gauges
 * tinhso_dossiers_overdue (the whole store) and tinhso_dossiers_overdue_by_unit{unit="agency
 * code"}: dossiers open now and past their deadline, as the rankings' "overdue now". Read
 * from the open stock and the index of open stretches by unit and due time (query
 * stats_overdue_units), never by scanning dossiers. */
#include <inttypes.h>
#include <string.h>

#include "base/arena.h"
#include "db/db.h"
#include "stats/stats.h"

struct overdue_job {
	struct ts_arena *a;
	int64_t now, total;
	struct ts_dbres *r;
};

static int overdue_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct overdue_job *j = vjob;
	struct ts_dbval q[] = {TS_DB_INT(j->now)};
	int rc = ts_db_query(c, j->a, "stats_overdue_units", q, 1, &j->r, err);
	if (rc)
		return rc;
	j->total = 0;
	for (int i = 0; i < j->r->nrows; i++)
		j->total += ts_dbres_int(j->r, i, 1);
	return 0;
}

static int overdue_read(struct ts_db *db, struct ts_arena *a, int64_t now,
			struct overdue_job *j, struct ts_error *err)
{
	memset(j, 0, sizeof(*j));
	j->a = a;
	j->now = now;
	return ts_db_tx(db, TS_DB_TX_READ, overdue_tx, j, err);
}

int ts_stats_overdue_total(struct ts_db *db, int64_t now, int64_t *out, struct ts_error *err)
{
	struct ts_arena a;
	struct overdue_job j;
	int rc;
	ts_arena_init(&a, 16 * 1024);
	rc = overdue_read(db, &a, now, &j, err);
	ts_arena_release(&a);
	if (!rc)
		*out = j.total;
	return rc;
}

/* an agency code as a Prometheus label value: \ " and newlines escaped */
static int put_label(struct ts_sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
		if (esc ? ts_sbuf_put(b, esc, strlen(esc)) : ts_sbuf_put(b, s, 1))
			return -1;
	}
	return 0;
}

char *ts_stats_metrics(struct ts_db *db, struct ts_arena *a)
{
	struct ts_error err = {0};
	struct overdue_job j;
	struct ts_sbuf b;
	char *line;

	if (overdue_read(db, a, ts_stats_now(), &j, &err))
		return NULL;
	ts_sbuf_init(&b, a);
	line = ts_arena_printf(a,
			       "# HELP tinhso_dossiers_overdue Dossiers open now (accepted, not yet "
			       "resolved, stopped or withdrawn) and past their deadline.\n"
			       "# TYPE tinhso_dossiers_overdue gauge\n"
			       "tinhso_dossiers_overdue %" PRId64 "\n"
			       "# HELP tinhso_dossiers_overdue_by_unit The same per competent unit "
			       "(agency code), for every unit that has had open dossiers.\n"
			       "# TYPE tinhso_dossiers_overdue_by_unit gauge\n",
			       j.total);
	if (!line || ts_sbuf_put(&b, line, strlen(line)))
		return NULL;
	for (int i = 0; i < j.r->nrows; i++) {
		char *v = ts_arena_printf(a, "\"} %" PRId64 "\n", ts_dbres_int(j.r, i, 1));
		static const char head[] = "tinhso_dossiers_overdue_by_unit{unit=\"";
		if (!v || ts_sbuf_put(&b, head, sizeof(head) - 1) ||
		    put_label(&b, ts_dbres_get(j.r, i, 0)) || ts_sbuf_put(&b, v, strlen(v)))
			return NULL;
	}
	return b.failed ? NULL : b.buf;
}
