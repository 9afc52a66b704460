/* fuzz_catalog_csv.c - libFuzzer harness: the catalogue's CSV import (catalog/import.c):
 * the RFC 4180 parser, then the whole import (validation, and the write when valid) into a
 * throwaway store. */
#include <stdint.h>
#include <stdlib.h>

#include "catalog/catalog.h"
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_db *db = fuzz_store();
	struct ts_arena a;
	ts_arena_init(&a, 64u << 20);
	struct ts_error err = {0};
	struct ts_csv_row *rows = NULL;
	int nrows = 0;
	if (ts_csv_parse(&a, (const char *)data, size, &rows, &nrows, &err) == 0) {
		for (int i = 0; i < nrows; i++)
			if (rows[i].nfields < 1 || rows[i].line < 1)
				abort();
	} else if (!err.code) {
		abort();
	}
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, db, &a);
	int created = 0, versioned = 0, unchanged = 0;
	ts_error_clear(&err);
	if (ts_catalog_import_csv(&ctx, (const char *)data, size, &created, &versioned, &unchanged,
				  &err) &&
	    !err.code)
		abort();
	ts_arena_release(&a);
	return 0;
}
