/* fuzz_catalog_json.c - libFuzzer harness: the catalogue's JSON import (catalog/catalog.c):
 * any JSON document validated, and written into a throwaway store when valid. */
#include <stdint.h>
#include <stdlib.h>

#include "catalog/catalog.h"
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_db *db = fuzz_store();
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	struct ts_arena a;
	ts_arena_init(&a, 64u << 20);
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, db, &a);
	struct ts_error err = {0};
	int created = 0, versioned = 0, unchanged = 0;
	if (ts_catalog_import_json(&ctx, doc, &created, &versioned, &unchanged, &err) && !err.code)
		abort();
	json_decref(doc);
	ts_arena_release(&a);
	return 0;
}
