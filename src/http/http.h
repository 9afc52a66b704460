/* http.h - transport only: the server (server.c is the only file that sees libmicrohttpd),
 * requests and responses, problem+json, path matching, static files, metrics. Knows no
 * routes, accounts or domain: the application gives one handler (app/dispatch.c). */
#ifndef TS_HTTP_HTTP_H
#define TS_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"

struct ts_http_conn; /* opaque: the libmicrohttpd connection */

struct ts_http_header {
	const char *name, *value;
};

/* One part of a multipart/form-data body, as its headers describe it. Strings live as long
 * as the request. */
struct ts_http_part {
	const char *name;         /* the form field name ("" when absent) */
	const char *filename;     /* as sent, unchecked (NULL for plain fields) */
	const char *content_type; /* as sent, untrusted (NULL when absent) */
};

/* A streamed body: begin() sets r->sink (in the request arena) to receive a
 * multipart/form-data body part by part as it arrives, instead of buffering it in r->body.
 * The server parses the multipart framing (libmicrohttpd's post processor) and calls
 * part() with consecutive chunks of each part, in order; start is true on a part's first
 * chunk (len may be 0). part() returns 0, or a negative ts_err with err filled: the rest of
 * the body is then read and dropped without further calls, and the request is answered
 * with that problem (handle() is not called). A body that is not multipart/form-data is
 * refused with 415; a multipart body cut short (no closing boundary) with 400. The sink's
 * resources (temporary files ...) must be released by arena cleanups, which also run when
 * the client goes away mid-body. Called on one server thread at a time per request. */
struct ts_http_sink {
	int (*part)(void *ud, const struct ts_http_part *p, bool start, const char *data, size_t len,
		    struct ts_error *err);
	void *ud;
	uint64_t cap; /* the largest body accepted, bytes (checked against Content-Length
	               * first and against the bytes that really arrive) */
};

struct ts_http_req {
	struct ts_arena *arena;     /* request-scoped; released when the response is sent */
	const char *method;         /* "GET", ... */
	const char *path;           /* path as sent, still percent-encoded, without the query
	                             * string; ts_http_match decodes each segment on its own so
	                             * that "%2F" never splits one */
	const char *request_id;     /* 16 hex chars, also sent back as X-Request-Id */
	const char *client_addr;    /* textual peer address */
	char *body;                 /* NUL-terminated copy of the body (NULL if none) */
	size_t body_len;
	int64_t start_ns;           /* CLOCK_MONOTONIC at arrival */
	struct ts_http_conn *conn;  /* for header/query/cookie lookups */
	void *app;                  /* the application's per-request state (dispatch) */
	const struct ts_http_sink *sink; /* set by begin() for a streamed body, else NULL */
};

struct ts_http_resp {
	int status;
	const char *content_type;   /* default "application/json; charset=utf-8" */
	const char *body;           /* lives in the request arena (or static) */
	size_t body_len;
	struct ts_http_header headers[16];
	int nheaders;
	const char *route_label;    /* for metrics and the access log: the route pattern */
	/* A body read from an open file instead of `body`: when has_fd, fd (ownership passes to
	 * the server, which closes it once sent or when the response cannot be made) supplies
	 * fd_size bytes from offset 0. */
	bool has_fd;
	int fd;
	uint64_t fd_size;
	/* A Server-Sent Events stream instead of `body` (set by ts_http_feed_open): the server
	 * sends it as text/event-stream until the feed ends it or the client goes away. */
	struct ts_http_stream *stream;
};

/* What a route handler receives (app/dispatch.c fills it). ctx is the acting context
 * defined in iam/iam.h (who acts, the store, the arena); http treats it as opaque. */
struct ts_ctx;
struct ts_call {
	struct ts_http_req *req;
	struct ts_http_resp *resp;
	struct ts_ctx *ctx;
	const char *params[8]; /* path parameters in pattern order */
	int nparams;
	json_t *body;          /* request JSON validated against the route's spec, or NULL */
};
typedef int (*ts_handler_fn)(struct ts_call *call, struct ts_error *err);

/* Serialises v (reference stolen) as the JSON response with status. 0 or TS_ERR_NOMEM. */
int ts_http_reply(struct ts_call *call, int status, json_t *v);

/* Lookups; returned strings live as long as the request. NULL when absent. Header names
 * are case-insensitive; query names and values are percent-decoded ('+' is a space; a
 * malformed escape reads as absent); cookie names are exact. Call from handler threads. */
const char *ts_http_header_get(struct ts_http_req *r, const char *name);
const char *ts_http_query_get(struct ts_http_req *r, const char *name);
const char *ts_http_cookie_get(struct ts_http_req *r, const char *name);

/* Adds a response header (copied into the request arena). Returns 0 or TS_ERR_NOMEM / TS_ERR_INTERNAL when full. */
int ts_http_resp_header(struct ts_http_req *r, struct ts_http_resp *resp, const char *name,
			const char *value);
/* Sets a JSON body (text already serialised, in the arena or static). */
void ts_http_resp_json(struct ts_http_resp *resp, int status, const char *json, size_t len);
/* Fills resp with application/problem+json for err:
 * {"type":"about:blank" or "/problems/<code>","title":<Vietnamese title>,"status":N,
 *  "code":<machine code>,"detail":<err->detail or title>,"field":<field if any>,
 *  "instance":<path>,"request_id":<id>} */
void ts_http_problem(struct ts_http_req *r, struct ts_http_resp *resp, const struct ts_error *err);

/* The application's hooks. begin() runs when the headers have arrived, before any body is
 * read: it may set r->app and returns the body cap in bytes for this request (0 = no body
 * accepted), or a negative ts_err to answer at once with a problem (err filled). When it
 * sets r->sink the body is streamed to it (see struct ts_http_sink) and r->body stays NULL.
 * handle() runs once the whole body is in r->body; it fills resp and returns 0 (a negative
 * code makes the server answer with ts_http_problem(err)). Both run on server threads,
 * concurrently. */
struct ts_http_app {
	long (*begin)(struct ts_http_req *r, void *ud, struct ts_error *err);
	int (*handle)(struct ts_http_req *r, struct ts_http_resp *resp, void *ud, struct ts_error *err);
	void *ud;
};

struct ts_http_options {
	const char *host;          /* "127.0.0.1" */
	unsigned port;             /* 8080; 0 = pick a free port (see ts_http_server_port) */
	unsigned threads;          /* 0: a thread per connection; N: a pool of N (poll) */
	unsigned max_connections;  /* concurrent connections before new ones are refused */
	unsigned timeout_s;        /* idle connection timeout */
	unsigned shutdown_grace_s; /* how long in-flight requests may run after stop begins */
	size_t arena_cap;          /* per-request arena cap in bytes */
	unsigned max_connections_per_ip; /* concurrent connections from one address (0 = no
	                            * limit): a slow client (slowloris) holds at most this many */
	unsigned request_timeout_s; /* a request whose body is still arriving after this many
	                            * seconds is closed (0 = no limit) */
	const char *csp;           /* Content-Security-Policy sent unless the handler set one
	                            * (NULL = TS_HTTP_DEFAULT_CSP) */
	bool hsts;                 /* behind TLS: send Strict-Transport-Security */
	const char *client_ip_header; /* e.g. "X-Real-IP" set by the proxy in front: the client
	                            * address is taken from it when it holds an IP (NULL or "" =
	                            * the peer address; never set it without such a proxy) */
};

/* The default Content-Security-Policy: everything from this origin only, no plugins, no
 * framing by others (frame-ancestors), blob: for the PDF preview of attachments. */
#define TS_HTTP_DEFAULT_CSP                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                 \
	"img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'self'; "  \
	"form-action 'self'; frame-ancestors 'none'"


struct ts_http_server;

/* Starts listening and serving on background threads. opt and app are copied (app->ud is
 * borrowed until stop). Returns 0, TS_ERR_UNAVAILABLE (cannot bind or bad address; err
 * names it), TS_ERR_CONFIG (no handle hook), TS_ERR_NOMEM or TS_ERR_INTERNAL. */
int ts_http_server_start(const struct ts_http_options *opt, const struct ts_http_app *app,
			 struct ts_http_server **out, struct ts_error *err);
unsigned ts_http_server_port(const struct ts_http_server *s);
/* Graceful stop: stops accepting, lets in-flight requests finish (up to the grace time),
 * then closes everything and frees s. A handler still running after the grace time is
 * waited for (its connection is closed). NULL is a no-op. Call from one thread, once. */
void ts_http_server_stop(struct ts_http_server *s);

/* Matches a route pattern like "/api/v1/units/{id}/children" against a path. On a match
 * returns true and stores up to max parameter values (decoded segments, in the arena) in
 * vals, in pattern order, with *nvals set. A "{name...}" last segment matches the rest. */
bool ts_http_match(const char *pattern, const char *path, struct ts_arena *a, const char **vals,
		   int max, int *nvals);

/* Serves a file below root for path ("/" -> index.html); refuses ".." and hidden files.
 * path is percent-encoded as in r->path (or a decoded "{rest...}" parameter without '%').
 * Sets a content type from the extension (never text/html for unknown types).
 * Returns 0 or TS_ERR_NOT_FOUND (also for refused paths and files over 8 MiB); rarely
 * TS_ERR_NOMEM (arena full) or TS_ERR_IO (read failed). */
int ts_http_static(struct ts_http_req *r, struct ts_http_resp *resp, const char *root,
		   const char *path, struct ts_error *err);

/* ---- Server-Sent Events (stream.c) ------------------------------------------------------
 * A feed broadcasts small messages to a bounded number of open text/event-stream
 * responses. The feed's own thread runs poll() every poll_ms while at least one stream is
 * open (so a cursor in the store is watched without a busy client), and publishes what it
 * returns; anyone may also publish. A stream that is waiting holds no server thread (the
 * connection is suspended) and is woken within a tick of a message, for a heartbeat
 * comment, at the end of its lifetime, and when the server stops. Messages are coalesced:
 * a slow stream gets the newest one, never a backlog. */
struct ts_http_feed;
struct ts_http_stream;

struct ts_http_feed_options {
	const char *event;    /* the SSE event name of published messages ("change") */
	unsigned max_streams; /* open streams at most; more are refused with 503 */
	unsigned heartbeat_s; /* a ": ping" comment after this long without a write (>= 1) */
	unsigned poll_ms;     /* tick of the feed's thread, 50..1000 */
	unsigned max_s;       /* a stream ends after this long; EventSource reconnects (and
	                       * authenticates again); 0 = no limit */
	/* Runs on the feed's thread while streams are open: 1 with *data (ts_malloc'd JSON
	 * text, ownership passes) to publish it, 0 when nothing changed, negative on failure
	 * (logged once per failure streak; retried at the next tick). May be NULL. */
	int (*poll)(void *ud, char **data);
	void *ud;
};

/* Makes a feed and starts its thread. o is copied (o->event must be static, o->ud is
 * borrowed until ts_http_feed_free). Returns 0, TS_ERR_NOMEM or TS_ERR_INTERNAL. */
int ts_http_feed_new(const struct ts_http_feed_options *o, struct ts_http_feed **out,
		     struct ts_error *err);
/* Ends every stream of f and frees it once they are gone from the server's threads;
 * stops the thread. Call after the server has stopped (or before it starts). NULL is a
 * no-op. */
void ts_http_feed_free(struct ts_http_feed *f);
/* Publishes data (copied; one line of JSON, no newline) to every open stream of f.
 * Thread-safe. Returns 0 or TS_ERR_NOMEM / TS_ERR_VALIDATION (a newline in data). */
int ts_http_feed_publish(struct ts_http_feed *f, const char *data);
/* Makes resp an event stream of f (status 200, text/event-stream, no caching). The stream
 * starts with a "retry" hint and an ": open" comment, so the client knows it is
 * connected before any message. Returns 0, TS_ERR_NOT_ACCEPTABLE when the request's Accept
 * header names neither text/event-stream nor * / * (a plain GET would never end),
 * TS_ERR_UNAVAILABLE when max_streams are open or the server is stopping, TS_ERR_NOMEM.
 * Call from a route handler. */
int ts_http_feed_open(struct ts_http_feed *f, struct ts_http_req *r, struct ts_http_resp *resp,
		      struct ts_error *err);
/* How many streams of f are open now (for metrics and tests). Thread-safe. */
unsigned ts_http_feed_streams(struct ts_http_feed *f);

/* Metrics: the server records every response (route label, method, status, latency).
 * Thread-safe; unknown methods count as "OTHER" and series beyond a fixed cap fold into
 * route="other". */
void ts_http_metrics_observe(const char *route, const char *method, int status, double seconds);
/* Prometheus text exposition of all metrics so far, plus extra lines (may be NULL);
 * result in the arena. */
char *ts_http_metrics_render(struct ts_arena *a, const char *extra);

#endif
