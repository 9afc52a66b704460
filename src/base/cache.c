/* cache.c - see cache.h. A chained hash table plus a least-recently-used list under one
 * mutex (held for a few pointer moves); each entry is reference-counted: the table holds one
 * reference, every arena that got the value holds one, so dropping an entry never frees a
 * value a request is still reading. */
#include "base/cache.h"

#include <pthread.h>
#include <stdatomic.h>

#include "base/mem.h"

struct entry {
	int kind;
	int64_t k1, k2;
	const void *value;
	struct ts_arena *arena; /* owns value */
	atomic_int refs;
	struct entry *hnext;       /* bucket chain */
	struct entry *prev, *next; /* LRU list, most recently used first */
};

struct ts_cache {
	pthread_mutex_t mu;
	size_t max, n, nbuckets; /* nbuckets: a power of two */
	struct entry **buckets;
	struct entry *head, *tail;
	uint64_t hits, misses, evictions;
};

static size_t bucket_of(const struct ts_cache *c, int kind, int64_t k1, int64_t k2)
{
	/* splitmix64 finaliser over the three parts */
	uint64_t x = (uint64_t)k1 * 0x9e3779b97f4a7c15u ^ (uint64_t)k2 * 0xc2b2ae3d27d4eb4fu ^
		     (uint64_t)kind;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	x ^= x >> 31;
	return (size_t)x & (c->nbuckets - 1);
}

static void entry_unref(void *ve)
{
	struct entry *e = ve;
	if (atomic_fetch_sub(&e->refs, 1) == 1) {
		ts_arena_free(e->arena);
		ts_free(e);
	}
}

/* Hands arena a the reference taken for it under the lock: the value, or NULL when the
 * cleanup could not be registered (ts_arena_on_release then dropped the reference). */
static const void *held_by(struct entry *e, struct ts_arena *a)
{
	return ts_arena_on_release(a, entry_unref, e) ? NULL : e->value;
}

struct ts_cache *ts_cache_new(size_t max_entries)
{
	struct ts_cache *c;

	if (max_entries < 1 || max_entries > (SIZE_MAX >> 4))
		return NULL;
	if (!(c = ts_calloc(1, sizeof(*c))))
		return NULL;
	c->max = max_entries;
	for (c->nbuckets = 16; c->nbuckets < 2 * max_entries; c->nbuckets *= 2)
		;
	if (!(c->buckets = ts_calloc(c->nbuckets, sizeof(*c->buckets))) ||
	    pthread_mutex_init(&c->mu, NULL)) {
		ts_free(c->buckets);
		ts_free(c);
		return NULL;
	}
	return c;
}

void ts_cache_free(struct ts_cache *c)
{
	struct entry *e, *next;

	if (!c)
		return;
	for (e = c->head; e; e = next) {
		next = e->next;
		entry_unref(e);
	}
	pthread_mutex_destroy(&c->mu);
	ts_free(c->buckets);
	ts_free(c);
}

static struct entry *find(struct ts_cache *c, size_t b, int kind, int64_t k1, int64_t k2)
{
	for (struct entry *e = c->buckets[b]; e; e = e->hnext)
		if (e->kind == kind && e->k1 == k1 && e->k2 == k2)
			return e;
	return NULL;
}

static void lru_unlink(struct ts_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(struct ts_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

/* Takes e out of the table and the list; the caller drops the table's reference. */
static void unlink_entry(struct ts_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[bucket_of(c, e->kind, e->k1, e->k2)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(c, e);
	c->n--;
}

const void *ts_cache_get(struct ts_cache *c, int kind, int64_t k1, int64_t k2,
			 struct ts_arena *a)
{
	struct entry *e;

	if (!c)
		return NULL;
	pthread_mutex_lock(&c->mu);
	e = find(c, bucket_of(c, kind, k1, k2), kind, k1, k2);
	if (e) {
		c->hits++;
		if (c->head != e) {
			lru_unlink(c, e);
			lru_push(c, e);
		}
		atomic_fetch_add(&e->refs, 1); /* the arena's, taken under the lock */
	} else {
		c->misses++;
	}
	pthread_mutex_unlock(&c->mu);
	return e ? held_by(e, a) : NULL;
}

const void *ts_cache_put(struct ts_cache *c, int kind, int64_t k1, int64_t k2,
			 struct ts_arena *va, const void *v, struct ts_arena *a)
{
	struct entry *e, *old, *evicted = NULL;
	size_t b;

	if (!c || !(e = ts_calloc(1, sizeof(*e)))) {
		ts_arena_free(va);
		return NULL;
	}
	e->kind = kind;
	e->k1 = k1;
	e->k2 = k2;
	e->value = v;
	e->arena = va;
	atomic_init(&e->refs, 1); /* the table's */
	pthread_mutex_lock(&c->mu);
	b = bucket_of(c, kind, k1, k2);
	if ((old = find(c, b, kind, k1, k2))) {
		/* another thread stored the same immutable value first: keep one copy */
		atomic_fetch_add(&old->refs, 1);
		pthread_mutex_unlock(&c->mu);
		ts_arena_free(va);
		ts_free(e);
		return held_by(old, a);
	}
	e->hnext = c->buckets[b];
	c->buckets[b] = e;
	lru_push(c, e);
	c->n++;
	if (c->n > c->max) {
		evicted = c->tail;
		unlink_entry(c, evicted);
		c->evictions++;
	}
	atomic_fetch_add(&e->refs, 1); /* a's, before the lock is left: e may be evicted next */
	pthread_mutex_unlock(&c->mu);
	if (evicted)
		entry_unref(evicted);
	return held_by(e, a);
}

void ts_cache_stats(struct ts_cache *c, struct ts_cache_stats *out)
{
	*out = (struct ts_cache_stats){0};
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	out->hits = c->hits;
	out->misses = c->misses;
	out->evictions = c->evictions;
	out->entries = c->n;
	pthread_mutex_unlock(&c->mu);
}
