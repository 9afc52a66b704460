/* cache.h - a bounded, thread-safe, in-process cache of values that never change once they are
 * readable (a published procedure version, a flow version's steps, a unit's agency code, the
 * working calendar at a stored revision), keyed by (kind, k1, k2). One per store (db.h,
 * ts_db_cache); the modules decide what is immutable and key it by ids that are never reused,
 * so nothing is ever flushed: a changed thing gets a new key. */
#ifndef TS_BASE_CACHE_H
#define TS_BASE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* Kinds of cached values (the first part of a key). */
enum ts_cache_kind {
	TS_CACHE_PROC_VERSION = 1, /* k1 procedure_version id (catalog.c) */
	TS_CACHE_FLOW_VERSION,     /* k1 flow_version id (flow.c) */
	TS_CACHE_UNIT_CODE,        /* k1 org_unit id (org.c) */
	TS_CACHE_CALENDAR,         /* k1 calendar revision, k2 first year * 10000 + last year */
};

/* Entries a store's cache keeps; beyond it the least recently used is dropped. */
#define TS_CACHE_DEFAULT_ENTRIES 4096

struct ts_cache;

struct ts_cache_stats {
	uint64_t hits, misses, evictions;
	size_t entries;
};

/* A cache of at most max_entries (>= 1) values; NULL when out of memory. Free with
 * ts_cache_free (NULL is a no-op); values still held by arenas stay valid until those are
 * released. */
struct ts_cache *ts_cache_new(size_t max_entries);
void ts_cache_free(struct ts_cache *c);

/* The value stored under (kind, k1, k2), kept alive until arena a is released (the hold is a
 * cleanup of a), or NULL when there is none (or no memory for the hold). The value is shared
 * between threads: read it, never change it. c NULL: always NULL. Thread-safe. */
const void *ts_cache_get(struct ts_cache *c, int kind, int64_t k1, int64_t k2,
			 struct ts_arena *a);

/* Stores value v, which lives in the heap arena va (ts_arena_new), under (kind, k1, k2).
 * va passes to the cache in every case. Returns the value now stored under the key, held
 * for arena a as ts_cache_get does: v, or the value another thread stored first (then va is
 * freed at once, v with it). NULL when out of memory (va freed, v gone). May drop the least
 * recently used entry. Thread-safe. */
const void *ts_cache_put(struct ts_cache *c, int kind, int64_t k1, int64_t k2,
			 struct ts_arena *va, const void *v, struct ts_arena *a);

/* Counters since ts_cache_new (for tests and /metrics). Thread-safe. */
void ts_cache_stats(struct ts_cache *c, struct ts_cache_stats *out);

#endif
