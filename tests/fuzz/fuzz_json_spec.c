/* fuzz_json_spec.c - libFuzzer harness: every JSON request spec of the route table
 * (app/routes.c) against any body, as the dispatcher validates them. The first byte picks
 * the spec. */
#include <stdint.h>
#include <stdlib.h>

#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ts_json_spec *specs[128];
	static size_t nspecs;
	if (!nspecs)
		for (size_t i = 0; i < ts_nroutes && nspecs < 128; i++)
			if (ts_routes[i].spec)
				specs[nspecs++] = ts_routes[i].spec;
	if (size < 1 || !nspecs)
		return 0;
	const struct ts_json_spec *spec = specs[data[0] % nspecs];
	struct ts_arena a;
	ts_arena_init(&a, 8u << 20);
	json_t *out = NULL;
	struct ts_error err = {0};
	int rc = ts_json_parse(&a, (const char *)data + 1, size - 1, spec, &out, &err);
	if (rc == 0 && !out)
		abort();
	if (rc != 0 && (err.code == 0 || rc >= 0))
		abort(); /* a refusal always says why */
	ts_arena_release(&a);
	return 0;
}
