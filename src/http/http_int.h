/* http_int.h - helpers shared by the files of src/http only (not part of the public face):
 * percent-decoding for paths, path parameters and query strings. */
#ifndef TS_HTTP_HTTP_INT_H
#define TS_HTTP_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

/* Percent-decodes s[0..len) into a new NUL-terminated arena string. plus_space turns '+'
 * into ' ' (query strings). Returns NULL on a malformed escape ("%4", "%zz"), on a decoded
 * NUL byte, or when the arena is full; *out_len (may be NULL) gets the decoded length. */
char *ts_http_pct_decode(struct ts_arena *a, const char *s, size_t len, bool plus_space,
			 size_t *out_len);

#endif
