/* httpc.h - the one HTTP client of the integrations (libcurl sits behind httpc.c only):
 * one request with connect and total timeouts, a capped response body in an arena. */
#ifndef TS_OUTBOX_HTTPC_H
#define TS_OUTBOX_HTTPC_H

#include <stddef.h>

#include "base/arena.h"

/* Once per process, before any thread calls ts_httpc_request. 0 or -1. */
int ts_httpc_global_init(void);

struct ts_httpc_req {
	const char *method;       /* "GET", "POST", "PUT" */
	const char *url;
	const char *bearer;       /* Authorization: Bearer ..., NULL = none */
	const char *idem_key;     /* Idempotency-Key header, NULL = none */
	const char *body;         /* JSON text, NULL = none */
	long connect_timeout_ms;
	long timeout_ms;          /* the whole exchange */
	size_t max_response;      /* bytes kept of the answer (more are dropped) */
};

/* Performs r. *status gets the HTTP status (0 when no answer came: refused, timed out,
 * reset) and *body the answer (in a, NUL-terminated, may be NULL). On a transport failure
 * errbuf gets curl's reason. 0 when an answer came, -1 otherwise. Thread-safe. */
int ts_httpc_request(const struct ts_httpc_req *r, struct ts_arena *a, long *status,
		     char **body, char *errbuf, size_t errsz);

#endif
