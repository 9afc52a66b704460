/* fuzz_store.h - for the harnesses that need a store: one throwaway migrated SQLite store
 * with the demo province's units, opened on the first input and kept for the whole run
 * (commits not waited for on disk), and a CLI acting context over it. */
#ifndef TS_FUZZ_STORE_H
#define TS_FUZZ_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db/db.h"
#include "iam/iam.h"
#include "org/org.h"

#ifndef TS_SOURCE_DIR
#define TS_SOURCE_DIR "."
#endif

static char fuzz_store_dir[] = "/tmp/tinhso-fuzz.XXXXXX";

/* at exit (libFuzzer ends with exit()): the store's files and folder go */
static void fuzz_store_remove(void)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	char path[128];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/fuzz.db%s", fuzz_store_dir, sfx[i]);
		unlink(path);
	}
	rmdir(fuzz_store_dir);
}

static struct ts_db *fuzz_store(void)
{
	static struct ts_db *db;
	if (db)
		return db;
	char *dir = fuzz_store_dir, url[128];
	struct ts_error err = {0};
	struct ts_db_options opt = {
	    .pool_size = 1, .busy_timeout_ms = 5000, .max_retries = 4, .bulk_load = true};
	if (!mkdtemp(dir))
		abort();
	atexit(fuzz_store_remove);
	snprintf(url, sizeof(url), "sqlite:%s/fuzz.db", dir);
	if (ts_db_open(url, &opt, &db, &err) || ts_db_migrate(db, NULL, &err)) {
		fprintf(stderr, "fuzz store: %s\n", err.detail);
		abort();
	}
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, db, &a);
	json_t *doc = json_load_file(TS_SOURCE_DIR "/data/demo/province.json", 0, NULL);
	int created = 0, existing = 0;
	if (!doc || ts_org_import(&ctx, doc, &created, &existing, &err)) {
		fprintf(stderr, "fuzz store units: %s\n", err.detail);
		abort();
	}
	json_decref(doc);
	ts_arena_release(&a);
	return db;
}

#endif
