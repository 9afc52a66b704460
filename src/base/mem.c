/* mem.c - allocation wrappers with optional fault injection. */
#include "base/mem.h"

#include "base/fault.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_countdown = -1;

static int should_fail(void)
{
#ifdef TS_FAULT_INJECTION
	if (ts_fault_hit(TS_FAULT_ALLOC))
		return 1;
	long v = atomic_load(&fail_countdown);
	while (v >= 0) {
		if (v == 0)
			return 1;
		if (atomic_compare_exchange_weak(&fail_countdown, &v, v - 1))
			return 0;
	}
#endif
	return 0;
}

void ts_mem_fail_after(long n) { atomic_store(&fail_countdown, n); }

void *ts_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *ts_calloc(size_t n, size_t size) { return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1); }
void *ts_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void ts_free(void *p) { free(p); }

char *ts_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = ts_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}
