/* arena.h - region allocator owning everything request-scoped (nginx pools, PostgreSQL
 * memory contexts). Non-memory resources register a cleanup that runs, in reverse order,
 * when the arena is released, so error paths free nothing by hand. Not thread-safe: one
 * arena belongs to one request or one job at a time. */
#ifndef TS_BASE_ARENA_H
#define TS_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct ts_arena_block;
struct ts_arena_cleanup;

struct ts_arena {
	struct ts_arena_block *blocks;
	struct ts_arena_cleanup *cleanups;
	size_t used;  /* bytes handed out, for caps */
	size_t cap;   /* 0 = unlimited; allocations beyond it fail */
};

void ts_arena_init(struct ts_arena *a, size_t cap);
/* Runs cleanups (last registered first) and frees every block. The arena may be reused
 * after ts_arena_init. */
void ts_arena_release(struct ts_arena *a);

/* Heap-allocated arena; ts_arena_free(NULL) is a no-op. */
struct ts_arena *ts_arena_new(size_t cap);
void ts_arena_free(struct ts_arena *a);

/* Memory lives as long as the arena; NULL on failure or when the cap is reached. */
void *ts_arena_alloc(struct ts_arena *a, size_t n);
void *ts_arena_zalloc(struct ts_arena *a, size_t n);
char *ts_arena_strdup(struct ts_arena *a, const char *s);
char *ts_arena_strndup(struct ts_arena *a, const char *s, size_t n);
char *ts_arena_printf(struct ts_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *ts_arena_vprintf(struct ts_arena *a, const char *fmt, va_list ap);

/* Registers fn(data) to run at release. Returns 0 or TS_ERR_NOMEM (then fn(data) has
 * already been called, so the resource is never leaked). */
int ts_arena_on_release(struct ts_arena *a, void (*fn)(void *), void *data);

/* A growable string in an arena (capped by the arena's cap). Once an append fails,
 * `failed` stays set and later appends do nothing; buf is always NUL-terminated when
 * non-NULL. */
struct ts_sbuf {
	struct ts_arena *a;
	char *buf;
	size_t len, cap;
	int failed;
};
void ts_sbuf_init(struct ts_sbuf *b, struct ts_arena *a);
/* Appends n bytes of s; 0 or TS_ERR_NOMEM. */
int ts_sbuf_put(struct ts_sbuf *b, const char *s, size_t n);

#endif
