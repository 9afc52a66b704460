/* fuzz_router.c - libFuzzer harness: the route table's patterns (app/routes.c) matched
 * against any path, as the dispatcher does, plus odd patterns made from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_arena a;
	ts_arena_init(&a, 1u << 20);
	char *path = ts_arena_strndup(&a, (const char *)data, size);
	if (!path)
		goto out;
	for (size_t i = 0; i < ts_nroutes; i++) {
		const char *vals[8];
		int n = -1;
		if (ts_http_match(ts_routes[i].pattern, path, &a, vals, 8, &n)) {
			if (n < 0 || n > 8)
				abort();
			for (int k = 0; k < n; k++)
				if (!vals[k] || strlen(vals[k]) > size)
					abort();
		}
	}
	/* the input as a pattern too (split at the first NUL-free '|': pattern|path) */
	char *bar = strchr(path, '|');
	if (bar) {
		*bar = '\0';
		const char *vals[2];
		int n = 0;
		(void)ts_http_match(path, bar + 1, &a, vals, 2, &n);
		if (n < 0 || n > 2)
			abort();
	}
out:
	ts_arena_release(&a);
	return 0;
}
