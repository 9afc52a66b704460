/* sql_embed.h - private to db/: the SQL embedded at build time by tools/sqlembed.c from sql/
 * (named queries per dialect and numbered migrations). The generated gen/sql_embed.c defines
 * the tables below; nothing outside src/db/ includes this header. */
#ifndef TS_DB_SQL_EMBED_H
#define TS_DB_SQL_EMBED_H

#include <stddef.h>

/* One named query ("-- name: x" block). A query from sql/common/ has the same text in both
 * members; sql/sqlite/ and sql/pgsql/ provide one each. */
struct ts_sql_query {
	const char *name;
	const char *sqlite;
	const char *pgsql;
	int nparams; /* highest $N used (same in both dialects) */
};

/* One numbered migration (NNNN_name.sql); numbers run 1..count without gaps, in order. */
struct ts_sql_migration {
	int number;
	const char *name;
	const char *sqlite;
	const char *pgsql;
};

/* Sorted by name with strcmp, so lookups can bsearch. */
extern const struct ts_sql_query ts_sql_queries[];
extern const size_t ts_sql_query_count;
/* Sorted by number; ts_sql_migrations[i].number == i + 1. */
extern const struct ts_sql_migration ts_sql_migrations[];
extern const size_t ts_sql_migration_count;

#endif
