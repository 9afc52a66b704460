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

/* Sends one plain-text UTF-8 e-mail over SMTP (smtp://HOST:PORT or smtps://...) with curl:
 * envelope and headers From / To, the subject MIME-encoded, Message-ID from msg_id.
 * 0, or -1 with curl's reason (or the server's answer) in errbuf. Thread-safe. */
struct ts_httpc_mail {
	const char *smtp_url, *from, *to, *subject, *body, *msg_id;
	long connect_timeout_ms, timeout_ms;
};
int ts_httpc_mail_send(const struct ts_httpc_mail *m, struct ts_arena *a, char *errbuf,
		       size_t errsz);

#endif
