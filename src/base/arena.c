/* arena.c - block allocator with a cleanup stack; see arena.h. */
#include "base/arena.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

#define BLOCK_MIN 4096

struct ts_arena_block {
	struct ts_arena_block *next;
	size_t size, off;
	_Alignas(max_align_t) unsigned char data[];
};

struct ts_arena_cleanup {
	struct ts_arena_cleanup *next;
	void (*fn)(void *);
	void *data;
};

void ts_arena_init(struct ts_arena *a, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->cap = cap;
}

void ts_arena_release(struct ts_arena *a)
{
	while (a->cleanups) {
		struct ts_arena_cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->data);
	}
	while (a->blocks) {
		struct ts_arena_block *b = a->blocks;
		a->blocks = b->next;
		ts_free(b);
	}
	a->used = 0;
}

struct ts_arena *ts_arena_new(size_t cap)
{
	struct ts_arena *a = ts_malloc(sizeof(*a));
	if (a)
		ts_arena_init(a, cap);
	return a;
}

void ts_arena_free(struct ts_arena *a)
{
	if (!a)
		return;
	ts_arena_release(a);
	ts_free(a);
}

void *ts_arena_alloc(struct ts_arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	if (a->cap && a->used + n > a->cap)
		return NULL;
	struct ts_arena_block *b = a->blocks;
	if (!b || b->size - b->off < n) {
		size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
		if (b && b->size * 2 > size && b->size < (1u << 20))
			size = b->size * 2;
		b = ts_malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->off = 0;
		b->next = a->blocks;
		a->blocks = b;
	}
	void *p = b->data + b->off;
	b->off += n;
	a->used += n;
	return p;
}

void *ts_arena_zalloc(struct ts_arena *a, size_t n)
{
	void *p = ts_arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

char *ts_arena_strndup(struct ts_arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *d = ts_arena_alloc(a, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *ts_arena_strdup(struct ts_arena *a, const char *s)
{
	return s ? ts_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ts_arena_vprintf(struct ts_arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	char *d = ts_arena_alloc(a, (size_t)n + 1);
	if (d)
		vsnprintf(d, (size_t)n + 1, fmt, ap);
	return d;
}

char *ts_arena_printf(struct ts_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *d = ts_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return d;
}

int ts_arena_on_release(struct ts_arena *a, void (*fn)(void *), void *data)
{
	struct ts_arena_cleanup *c = ts_arena_alloc(a, sizeof(*c));
	if (!c) {
		fn(data);
		return TS_ERR_NOMEM;
	}
	c->fn = fn;
	c->data = data;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

void ts_sbuf_init(struct ts_sbuf *b, struct ts_arena *a)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
}

int ts_sbuf_put(struct ts_sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return TS_ERR_NOMEM;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *nb = ts_arena_alloc(b->a, cap); /* the old block stays in the arena until release */
		if (!nb) {
			b->failed = 1;
			return TS_ERR_NOMEM;
		}
		if (b->len)
			memcpy(nb, b->buf, b->len);
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}
