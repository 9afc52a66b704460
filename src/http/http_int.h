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

/* stream.c, for server.c only. ts_http_stream_response makes the libmicrohttpd response
 * of a stream (mc is the struct MHD_Connection, owner the server); from then on the
 * response owns the stream; blocking: the connection has a thread of its own, on which the
 * stream waits (it cannot be suspended). Returns a struct MHD_Response, NULL on failure (the
 * stream is then released with the request). ts_http_stream_stopping ends every stream of owner's
 * connections and wakes them so that they finish; streams of owner made while it is
 * stopping end at once (on = true when the server begins to stop, false once it has). */
struct MHD_Response;
struct MHD_Connection;
struct ts_http_stream;
struct MHD_Response *ts_http_stream_response(struct ts_http_stream *s, struct MHD_Connection *mc,
					     const void *owner, bool blocking);
void ts_http_stream_stopping(const void *owner, bool on);

#endif
