/* migrate.c - applies the numbered migrations embedded from sql/ (see sql_embed.h) and
 * records them in schema_migration. Each migration runs in its own write transaction
 * under db_migration_lock (a PostgreSQL advisory lock), so two nodes migrating the same
 * database at once apply each migration exactly once. */
#include <stdio.h>
#include <time.h>

#include "base/log.h"
#include "db/db_int.h"

static const char *script_of(const struct ts_db *db, const struct ts_sql_migration *m)
{
	return db->engine == TS_DB_SQLITE ? m->sqlite : m->pgsql;
}

static int create_table_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	(void)ctx;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	int rc = ts_db_query(c, &a, "db_migration_lock", NULL, 0, NULL, err);
	if (rc == 0)
		rc = ts_db_query(c, &a, "db_migration_table", NULL, 0, NULL, err);
	ts_arena_release(&a);
	return rc;
}

struct apply_ctx {
	const struct ts_sql_migration *m;
	bool applied;
};

static int apply_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct apply_ctx *x = ctx;
	struct ts_arena a;
	struct ts_dbres *r;
	char label[96];
	ts_arena_init(&a, 0);
	x->applied = false;
	struct ts_dbval num = TS_DB_INT(x->m->number);
	int rc = ts_db_query(c, &a, "db_migration_lock", NULL, 0, NULL, err);
	if (rc)
		goto out;
	/* Another node may have applied it while we waited for the lock. */
	rc = ts_db_query(c, &a, "db_migration_applied", &num, 1, &r, err);
	if (rc || r->nrows > 0)
		goto out;
	snprintf(label, sizeof(label), "migration %04d_%s", x->m->number, x->m->name);
	rc = c->db->ops->exec_script(c, label, script_of(c->db, x->m), err);
	if (rc)
		goto out;
	struct ts_dbval rec[] = {num, TS_DB_TEXT(x->m->name), TS_DB_INT(time(NULL))};
	rc = ts_db_query(c, &a, "db_migration_record", rec, 3, NULL, err);
	if (rc == 0)
		x->applied = true;
out:
	ts_arena_release(&a);
	return rc;
}

struct version_ctx {
	int current;
};

static int version_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct version_ctx *x = ctx;
	struct ts_arena a;
	struct ts_dbres *r;
	ts_arena_init(&a, 0);
	x->current = 0;
	int rc = ts_db_query(c, &a, "db_migration_table_exists", NULL, 0, &r, err);
	if (rc || ts_dbres_int(r, 0, 0) == 0)
		goto out;
	rc = ts_db_query(c, &a, "db_schema_version", NULL, 0, &r, err);
	if (rc == 0)
		x->current = (int)ts_dbres_int(r, 0, 0);
out:
	ts_arena_release(&a);
	return rc;
}

int ts_db_schema_version(struct ts_db *db, int *current, int *latest, struct ts_error *err)
{
	struct version_ctx x = {0};
	int rc = ts_db_tx(db, TS_DB_TX_READ, version_fn, &x, err);
	if (current)
		*current = rc ? 0 : x.current;
	if (latest)
		*latest = (int)ts_sql_migration_count;
	return rc;
}

int ts_db_migrate(struct ts_db *db, int *applied, struct ts_error *err)
{
	int count = 0, current = 0;
	int rc = ts_db_tx(db, TS_DB_TX_WRITE, create_table_fn, NULL, err);
	if (rc)
		goto out;
	rc = ts_db_schema_version(db, &current, NULL, err);
	if (rc)
		goto out;
	if (current > (int)ts_sql_migration_count) {
		char have[16], know[16];
		snprintf(have, sizeof(have), "%d", current);
		snprintf(know, sizeof(know), "%zu", ts_sql_migration_count);
		ts_log(TS_LOG_ERROR, "database schema is newer than this binary", "#schema", have,
		       "#latest", know, NULL);
		rc = ts_error_set(
		    err, TS_ERR_CONFIG, "database",
		    "Cơ sở dữ liệu ở phiên bản %d, mới hơn phần mềm (%zu); hãy cập nhật "
		    "phần mềm",
		    current, ts_sql_migration_count);
		goto out;
	}
	for (size_t i = 0; i < ts_sql_migration_count; i++) {
		const struct ts_sql_migration *m = &ts_sql_migrations[i];
		if (m->number <= current)
			continue;
		struct apply_ctx x = {m, false};
		rc = ts_db_tx(db, TS_DB_TX_WRITE, apply_fn, &x, err);
		if (rc) {
			char num[16];
			snprintf(num, sizeof(num), "%d", m->number);
			ts_log(TS_LOG_ERROR, "migration failed", "#number", num, "name", m->name,
			       NULL);
			goto out;
		}
		if (x.applied) {
			char num[16];
			snprintf(num, sizeof(num), "%d", m->number);
			ts_log(TS_LOG_INFO, "migration applied", "#number", num, "name", m->name,
			       NULL);
			count++;
		}
	}
out:
	if (applied)
		*applied = count;
	return rc;
}
