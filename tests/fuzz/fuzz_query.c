/* fuzz_query.c - libFuzzer harness: percent-decoding of query strings and path segments
 * (http/match.c), split at '&' and '=' as a query string is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_arena a;
	ts_arena_init(&a, 1u << 20);
	const char *s = (const char *)data;
	for (int plus = 0; plus < 2; plus++) {
		size_t n = 0;
		char *d = ts_http_pct_decode(&a, s, size, plus, &n);
		if (d && (n > size || strlen(d) != n))
			abort(); /* decoding never grows, never yields a NUL */
	}
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '&')
			continue;
		const char *eq = memchr(s + start, '=', i - start);
		size_t klen = eq ? (size_t)(eq - (s + start)) : i - start;
		(void)ts_http_pct_decode(&a, s + start, klen, true, NULL);
		if (eq)
			(void)ts_http_pct_decode(&a, eq + 1, (size_t)(s + i - eq - 1), true, NULL);
		start = i + 1;
	}
	ts_arena_release(&a);
	return 0;
}
