/* store_fixture.h - a throwaway migrated SQLite store for the unit tests that need one, and
 * the demo province loaded into it. Included by test_*.c files (static helpers, cmocka). */
#ifndef TS_TEST_STORE_FIXTURE_H
#define TS_TEST_STORE_FIXTURE_H

#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

#include "db/db.h"
#include "iam/iam.h"
#include "org/org.h"

#ifndef TS_SOURCE_DIR
#define TS_SOURCE_DIR "."
#endif

/* Creates /tmp/<name>.XXXXXX (into dir, >= 64 bytes), opens and migrates t.db in it. */
static inline void test_store_open(char *dir, const char *name, const struct ts_db_options *opt, struct ts_db **db)
{
	struct ts_error err = {0};
	char url[128];
	snprintf(dir, 64, "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
	if (ts_db_open(url, opt, db, &err) || ts_db_migrate(*db, NULL, &err))
		fail_msg("store: %s (%s)", err.detail, err.field);
}

/* Loads data/demo/province.json through the real import; returns the number created. */
static inline int test_store_load_demo_units(struct ts_ctx *ctx)
{
	struct ts_error err = {0};
	int created = 0, existing = 0;
	json_t *doc = json_load_file(TS_SOURCE_DIR "/data/demo/province.json", 0, NULL);
	assert_non_null(doc);
	if (ts_org_import(ctx, doc, &created, &existing, &err))
		fail_msg("org import: %s (%s)", err.detail, err.field);
	json_decref(doc);
	return created;
}

/* Closes db and removes the store's files and folder. */
static inline void test_store_remove(struct ts_db *db, const char *dir)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	char path[128];
	ts_db_close(db);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/t.db%s", dir, sfx[i]);
		unlink(path);
	}
	rmdir(dir);
}

#endif
