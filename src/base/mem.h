/* mem.h - the only allocation entry points. Test builds (TS_FAULT_INJECTION) can make the
 * Nth allocation fail, to prove error paths (see tests). */
#ifndef TS_BASE_MEM_H
#define TS_BASE_MEM_H

#include <stddef.h>

void *ts_malloc(size_t n);
void *ts_calloc(size_t n, size_t size);
void *ts_realloc(void *p, size_t n);
void ts_free(void *p);
/* Heap copy of s (NULL -> NULL); free with ts_free. */
char *ts_strdup(const char *s);

/* Fault injection: after `n` more successful allocations, fail every following one
 * (n < 0 disables). Only effective when built with TS_FAULT_INJECTION; thread-safe. */
void ts_mem_fail_after(long n);

#endif
