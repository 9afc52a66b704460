/* server.c - the HTTP server over libmicrohttpd (the only file that sees <microhttpd.h>):
 * per-request arena and state made on the first callback, body read into a capped buffer
 * or streamed part by part to the application's sink (multipart/form-data through
 * libmicrohttpd's post processor), the application's handler run once the body is complete,
 * file-backed responses, security headers, metrics and one access-log line per request, and
 * a graceful stop that drains in-flight requests. */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/mem.h"
#include "http/http_int.h"

struct ts_http_server {
	struct MHD_Daemon *d;
	struct ts_http_app app;
	size_t arena_cap;
	unsigned grace_s;
	unsigned port;
	int64_t request_timeout_ns; /* 0 = none */
	const char *csp;            /* static or the caller's (borrowed until stop) */
	const char *ip_header;      /* NULL or the caller's (borrowed until stop) */
	bool hsts;
	bool per_connection; /* a thread per connection (http.threads 0), none suspended */
	pthread_mutex_t mu;
	pthread_cond_t idle; /* signalled when inflight drops to 0 */
	unsigned long inflight;
};

/* Per-request state; lives in the request's own arena. */
struct ts_http_conn {
	struct ts_http_server *srv;
	struct MHD_Connection *mc;
	struct ts_http_req req;
	struct ts_http_resp resp;
	size_t cap; /* body cap from begin() */
	char *buf;  /* heap body buffer, freed by an arena cleanup */
	size_t len, bufcap;
	bool too_large; /* body went past the cap: the rest is discarded as it arrives */
	bool too_slow;  /* the body was still arriving after the request time limit */
	bool nomem;	/* the body buffer could not grow */
	bool replied;
	bool refused; /* refused before its body: the body is read and dropped, then refusal sent */
	struct ts_error refusal;
	int status; /* as sent, for the access log and metrics */
	uint64_t bytes;
	/* streamed bodies (req.sink) */
	struct MHD_PostProcessor *pp;
	uint64_t streamed;     /* body bytes received so far */
	bool stream_failed;    /* the sink refused: stream_err says why */
	bool malformed;        /* the multipart framing could not be parsed */
	struct ts_error stream_err;
	bool in_part;
	struct ts_http_part part;
	uint64_t part_bytes;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	ts_log(TS_LOG_WARN, "http server", "error", msg, NULL);
}

/* Leaves paths and query arguments percent-encoded: ts_http_match decodes each segment on
 * its own (so "%2F" can never split one), and the query lookups decode keys and values. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void free_body(void *p)
{
	struct ts_http_conn *c = p;
	ts_free(c->buf);
	c->buf = NULL;
}

static void free_pp(void *p)
{
	struct ts_http_conn *c = p;
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	c->pp = NULL;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The post processor's iterator: hands each chunk of each part to the sink, noticing where
 * a new part starts (offset 0 under another name or after bytes of the previous one). */
static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *filename, const char *content_type,
				 const char *transfer_encoding, const char *data, uint64_t off,
				 size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	struct ts_http_conn *c = cls;
	struct ts_arena *a = c->req.arena;
	if (c->stream_failed)
		return MHD_NO;
	bool start = !c->in_part || (off == 0 && (c->part_bytes > 0 || !same_str(key, c->part.name) ||
						 !same_str(filename, c->part.filename)));
	if (start) {
		c->part.name = ts_arena_strdup(a, key ? key : "");
		c->part.filename = filename ? ts_arena_strdup(a, filename) : NULL;
		c->part.content_type = content_type ? ts_arena_strdup(a, content_type) : NULL;
		c->in_part = true;
		c->part_bytes = 0;
		if (!c->part.name || (filename && !c->part.filename) ||
		    (content_type && !c->part.content_type)) {
			c->stream_failed = true;
			ts_error_set(&c->stream_err, TS_ERR_NOMEM, NULL, NULL);
			return MHD_NO;
		}
	}
	int rc = c->req.sink->part(c->req.sink->ud, &c->part, start, data ? data : "", size,
				   &c->stream_err);
	c->part_bytes += size;
	if (rc < 0) {
		c->stream_failed = true;
		if (!c->stream_err.code)
			c->stream_err.code = rc;
		return MHD_NO;
	}
	return MHD_YES;
}

static bool is_multipart(const char *ct)
{
	static const char mp[] = "multipart/form-data";
	return ct && strncasecmp(ct, mp, sizeof(mp) - 1) == 0 &&
	       (ct[sizeof(mp) - 1] == ';' || ct[sizeof(mp) - 1] == ' ' || ct[sizeof(mp) - 1] == '\0');
}

/* ---- lookups ---------------------------------------------------------------------------- */

const char *ts_http_header_get(struct ts_http_req *r, const char *name)
{
	if (!r || !r->conn || !name)
		return NULL;
	/* libmicrohttpd compares header names case-insensitively */
	const char *v = MHD_lookup_connection_value(r->conn->mc, MHD_HEADER_KIND, name);
	return v ? ts_arena_strdup(r->arena, v) : NULL;
}

struct find_arg {
	struct ts_arena *a;
	const char *name;
	bool decode;
	const char *found;
};

static enum MHD_Result find_value(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	struct find_arg *f = cls;
	if (!key)
		return MHD_YES;
	if (f->decode) {
		const char *k = ts_http_pct_decode(f->a, key, strlen(key), true, NULL);
		if (!k || strcmp(k, f->name) != 0)
			return MHD_YES;
		f->found = value ? ts_http_pct_decode(f->a, value, strlen(value), true, NULL) : "";
		/* a malformed escape in the value reads as absent rather than as garbage */
		return MHD_NO;
	}
	if (strcmp(key, f->name) != 0)
		return MHD_YES;
	f->found = ts_arena_strdup(f->a, value ? value : "");
	return MHD_NO;
}

const char *ts_http_query_get(struct ts_http_req *r, const char *name)
{
	if (!r || !r->conn || !name)
		return NULL;
	struct find_arg f = {r->arena, name, true, NULL};
	MHD_get_connection_values(r->conn->mc, MHD_GET_ARGUMENT_KIND, find_value, &f);
	return f.found;
}

const char *ts_http_cookie_get(struct ts_http_req *r, const char *name)
{
	if (!r || !r->conn || !name)
		return NULL;
	/* cookie names are case-sensitive, so compare exactly instead of MHD's lookup */
	struct find_arg f = {r->arena, name, false, NULL};
	MHD_get_connection_values(r->conn->mc, MHD_COOKIE_KIND, find_value, &f);
	return f.found;
}

/* ---- responses -------------------------------------------------------------------------- */

static bool has_header(const struct ts_http_resp *resp, const char *name)
{
	for (int i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return true;
	return false;
}

/* Queues c->resp. Returns the MHD verdict (MHD_NO closes the connection). */
static enum MHD_Result send_resp(struct ts_http_conn *c)
{
	struct ts_http_resp *resp = &c->resp;
	if (resp->status < 100 || resp->status > 599) {
		ts_log(TS_LOG_ERROR, "handler returned no status", "rid", c->req.request_id,
		       "route", resp->route_label, NULL);
		struct ts_error e = {.code = TS_ERR_INTERNAL};
		const char *label = resp->route_label;
		memset(resp, 0, sizeof(*resp));
		resp->route_label = label;
		ts_http_problem(&c->req, resp, &e);
	}
	if (!resp->body)
		resp->body_len = 0;
	struct MHD_Response *mr;
	uint64_t len = resp->body_len;
	if (resp->has_fd) {
		/* libmicrohttpd owns the descriptor from here and closes it with the response */
		resp->has_fd = false;
		len = resp->fd_size;
		mr = MHD_create_response_from_fd64(resp->fd_size, resp->fd);
		if (!mr)
			close(resp->fd);
	} else if (resp->stream) {
		mr = ts_http_stream_response(resp->stream, c->mc, c->srv, /* Server-Sent Events */
					     c->srv->per_connection);
	} else {
		/* the body lives in the request arena (or is static), which is freed only in the
		 * completion notification, after the response has been sent */
		mr = MHD_create_response_from_buffer(resp->body_len,
						     (void *)(uintptr_t)(resp->body ? resp->body : ""),
						     MHD_RESPMEM_PERSISTENT);
	}
	if (!mr)
		return MHD_NO;
	bool ok = true;
	for (int i = 0; i < resp->nheaders; i++)
		ok &= MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value) ==
		      MHD_YES;
	const char *ctype =
	    resp->content_type ? resp->content_type : "application/json; charset=utf-8";
	if (!has_header(resp, "Content-Type"))
		ok &= MHD_add_response_header(mr, "Content-Type", ctype) == MHD_YES;
	if (!has_header(resp, "Cache-Control"))
		ok &= MHD_add_response_header(mr, "Cache-Control", "no-store") == MHD_YES;
	ok &= MHD_add_response_header(mr, "X-Request-Id", c->req.request_id) == MHD_YES;
	ok &= MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff") == MHD_YES;
	ok &= MHD_add_response_header(mr, "Referrer-Policy", "same-origin") == MHD_YES;
	ok &= MHD_add_response_header(mr, "X-Frame-Options", "DENY") == MHD_YES;
	/* a handler may set a stricter policy (downloads: sandbox); frame-ancestors is in both */
	if (!has_header(resp, "Content-Security-Policy"))
		ok &= MHD_add_response_header(mr, "Content-Security-Policy", c->srv->csp) == MHD_YES;
	if (c->srv->hsts)
		ok &= MHD_add_response_header(mr, "Strict-Transport-Security",
					      "max-age=31536000; includeSubDomains") == MHD_YES;
	if (!ok)
		ts_log(TS_LOG_WARN, "response header rejected", "rid", c->req.request_id, NULL);
	enum MHD_Result qr = MHD_queue_response(c->mc, (unsigned)resp->status, mr);
	MHD_destroy_response(mr);
	if (qr == MHD_YES) {
		c->replied = true;
		c->status = resp->status;
		c->bytes = len;
	}
	return qr;
}

static enum MHD_Result send_problem(struct ts_http_conn *c, const struct ts_error *err)
{
	const char *label = c->resp.route_label;
	if (c->resp.has_fd)
		close(c->resp.fd);
	memset(&c->resp, 0, sizeof(c->resp));
	c->resp.route_label = label;
	ts_http_problem(&c->req, &c->resp, err);
	return send_resp(c);
}

/* A declared body up to this size is read and dropped before a refusal is sent. */
#define REFUSE_DRAIN_MAX (32ull << 20)

/* Refuses a request before its body is read (sign-in, permission, abuse limit, type). A body on
 * its way, up to REFUSE_DRAIN_MAX bytes, is read and dropped first: answering mid-body makes
 * libmicrohttpd close the connection, which a proxy streaming the body (nginx with
 * proxy_request_buffering off, the upload route) reports as 502 instead of this answer - a
 * citizen whose session ran out would read "unavailable" rather than "please sign in again".
 * The request time limit still cuts off a slow body. */
static enum MHD_Result refuse(struct ts_http_conn *c, struct MHD_Connection *mc,
			      const struct ts_error *err)
{
	const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
	char *end = NULL;
	unsigned long long n = 0;
	if (cl) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno || end == cl || *end)
			n = 0;
	}
	if (n == 0 || n > REFUSE_DRAIN_MAX)
		return send_problem(c, err);
	c->refused = true;
	c->refusal = *err;
	return MHD_YES;
}

static enum MHD_Result send_too_large(struct ts_http_conn *c)
{
	struct ts_error e;
	ts_error_clear(&e);
	ts_error_set(&e, TS_ERR_TOO_LARGE, NULL, "Dữ liệu gửi lên vượt quá %zu byte cho phép",
		     c->cap);
	if (c->req.sink && c->stream_err.code == TS_ERR_TOO_LARGE)
		e = c->stream_err; /* the sink's own cap said it more precisely */
	return send_problem(c, &e);
}

/* ---- the request lifecycle -------------------------------------------------------------- */

static const char *peer_text(struct ts_arena *a, struct MHD_Connection *mc, const char *ip_header)
{
	if (ip_header) {
		/* the proxy in front says who the client is; only an address is believed */
		const char *v = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, ip_header);
		unsigned char tmp[sizeof(struct in6_addr)];
		if (v && (inet_pton(AF_INET, v, tmp) == 1 || inet_pton(AF_INET6, v, tmp) == 1))
			return ts_arena_strdup(a, v);
	}
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
				  sizeof(buf));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
				  sizeof(buf));
	}
	return ts_arena_strdup(a, buf);
}

/* First callback: the headers are in. Makes the request, asks the application for the body
 * cap, and answers at once when begin() refuses or Content-Length is already too big. */
static enum MHD_Result on_first(struct ts_http_server *s, struct MHD_Connection *mc,
				const char *url, const char *method, void **con_cls)
{
	struct ts_arena *a = ts_arena_new(s->arena_cap);
	struct ts_http_conn *c = a ? ts_arena_zalloc(a, sizeof(*c)) : NULL;
	char *rid = c ? ts_arena_alloc(a, 17) : NULL;
	if (!rid) {
		ts_arena_free(a);
		ts_log(TS_LOG_ERROR, "out of memory for a new request", NULL);
		return MHD_NO;
	}
	ts_random_hex(rid, 17, 8);
	c->srv = s;
	c->mc = mc;
	c->req.arena = a;
	c->req.request_id = rid;
	c->req.start_ns = now_ns();
	c->req.method = ts_arena_strdup(a, method);
	c->req.path = ts_arena_strdup(a, url);
	c->req.client_addr = peer_text(a, mc, s->ip_header);
	c->req.conn = c;
	if (!c->req.method || !c->req.path || !c->req.client_addr ||
	    ts_arena_on_release(a, free_body, c) != 0) {
		ts_arena_free(a);
		ts_log(TS_LOG_ERROR, "out of memory for a new request", NULL);
		return MHD_NO;
	}
	*con_cls = c;
	pthread_mutex_lock(&s->mu);
	s->inflight++;
	pthread_mutex_unlock(&s->mu);

	struct ts_error err;
	ts_error_clear(&err);
	long cap = s->app.begin ? s->app.begin(&c->req, s->app.ud, &err) : 0;
	if (cap < 0) {
		if (!err.code)
			err.code = (int)cap;
		return refuse(c, mc, &err);
	}
	c->cap = (size_t)cap;
	if (c->req.sink) {
		c->cap = (size_t)c->req.sink->cap;
		const char *ct = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Type");
		if (!is_multipart(ct)) {
			ts_error_set(&err, TS_ERR_UNSUPPORTED_MEDIA, NULL,
				     "Tệp phải gửi dạng multipart/form-data");
			return refuse(c, mc, &err);
		}
		if (ts_arena_on_release(a, free_pp, c) != 0) {
			struct ts_error e = {.code = TS_ERR_NOMEM};
			return send_problem(c, &e);
		}
		c->pp = MHD_create_post_processor(mc, 64 * 1024, post_iter, c);
		if (!c->pp) {
			ts_error_set(&err, TS_ERR_BAD_REQUEST, NULL,
				     "Phần đầu multipart/form-data không hợp lệ (thiếu boundary)");
			return send_problem(c, &err);
		}
	}
	const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
	if (cl) {
		char *end = NULL;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && *end == '\0' && n > c->cap) {
			c->too_large = true;
			/* answering before the body is read makes libmicrohttpd skip it and close
			 * the connection afterwards, so nothing of it is buffered */
			return send_too_large(c);
		}
		if (errno == 0 && end != cl && *end == '\0' && n > 0 && !c->req.sink) {
			/* a declared length is a promise, not data: reserve at most 1 MiB up
			 * front and grow as bytes really arrive */
			size_t want = n < (1u << 20) ? (size_t)n + 1 : (1u << 20);
			c->buf = ts_malloc(want);
			if (!c->buf) {
				struct ts_error e = {.code = TS_ERR_NOMEM};
				return send_problem(c, &e);
			}
			c->bufcap = want;
		}
	}
	return MHD_YES;
}

static int body_append(struct ts_http_conn *c, const char *data, size_t n)
{
	if (c->len + n + 1 > c->bufcap) {
		size_t want = c->bufcap ? c->bufcap : 4096;
		while (want < c->len + n + 1)
			want *= 2;
		if (want > c->cap + 1)
			want = c->cap + 1;
		char *nb = ts_realloc(c->buf, want);
		if (!nb)
			return TS_ERR_NOMEM;
		c->buf = nb;
		c->bufcap = want;
	}
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct ts_http_server *s = cls;
	struct ts_http_conn *c = *con_cls;
	if (!c)
		return on_first(s, mc, url, method, con_cls);
	if (c->replied) {
		/* answered early; swallow whatever body still arrives */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (c->too_large || c->too_slow)
			return MHD_YES;
		if (s->request_timeout_ns && now_ns() - c->req.start_ns > s->request_timeout_ns) {
			/* a body trickling in (slowloris) would hold a connection and a request arena
			 * for ever: close it (libmicrohttpd 0.9.75 cannot queue a reply mid-body) */
			c->too_slow = true;
			ts_log(TS_LOG_WARN, "request time limit reached, closing", "rid",
			       c->req.request_id, NULL);
			return MHD_NO;
		}
		if (c->refused)
			return MHD_YES; /* dropped; the refusal is sent at the end */
		if (c->req.sink) {
			if (n > c->cap - c->streamed) {
				c->too_large = true; /* the rest is read and dropped */
				return MHD_YES;
			}
			c->streamed += n;
			if (!c->stream_failed && !c->malformed &&
			    MHD_post_process(c->pp, upload, n) != MHD_YES && !c->stream_failed)
				c->malformed = true;
			return MHD_YES;
		}
		if (n > c->cap - c->len) {
			/* past the cap: drop what was read and discard the rest as it arrives */
			c->too_large = true;
			free_body(c);
			c->len = c->bufcap = 0;
			return MHD_YES;
		}
		if (body_append(c, upload, n) != 0) {
			c->nomem = true; /* stop buffering; answer 503 at the end */
			c->too_large = true;
			free_body(c);
			c->len = c->bufcap = 0;
		}
		return MHD_YES;
	}
	/* the last call: the whole body is in */
	if (c->refused)
		return send_problem(c, &c->refusal);
	if (c->nomem) {
		struct ts_error e = {.code = TS_ERR_NOMEM};
		return send_problem(c, &e);
	}
	if (c->too_large)
		return send_too_large(c);
	if (c->req.sink) {
		/* a post processor left in the middle of a part means the body was cut short */
		bool complete = MHD_destroy_post_processor(c->pp) == MHD_YES;
		c->pp = NULL;
		if (c->stream_failed)
			return send_problem(c, &c->stream_err);
		if (c->malformed || !complete) {
			struct ts_error e;
			ts_error_clear(&e);
			ts_error_set(&e, TS_ERR_BAD_REQUEST, NULL,
				     "Dữ liệu multipart/form-data bị cắt ngang hoặc sai cấu trúc");
			return send_problem(c, &e);
		}
	}
	if (c->buf) {
		c->buf[c->len] = '\0';
		c->req.body = c->buf;
		c->req.body_len = c->len;
	}
	struct ts_error err;
	ts_error_clear(&err);
	int rc = s->app.handle(&c->req, &c->resp, s->app.ud, &err);
	if (rc < 0) {
		if (!err.code)
			err.code = rc;
		return send_problem(c, &err);
	}
	return send_resp(c);
}

/* NULL for a normal completion, else a word for the access log. */
static const char *end_reason(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return NULL;
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_abort";
	default:
		return "error";
	}
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)mc;
	struct ts_http_server *s = cls;
	struct ts_http_conn *c = *con_cls;
	if (!c)
		return;
	*con_cls = NULL;
	double secs = (double)(now_ns() - c->req.start_ns) / 1e9;
	const char *label = c->resp.route_label ? c->resp.route_label : "unmatched";
	/* 499 (client closed request, as nginx logs it) when nothing was sent */
	int status = c->replied ? c->status : 499;
	if (c->replied)
		ts_http_metrics_observe(label, c->req.method, status, secs);
	char st[16], ms[32], bytes[32];
	snprintf(st, sizeof(st), "%d", status);
	snprintf(ms, sizeof(ms), "%.3f", secs * 1000.0);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)c->bytes);
	const char *why = end_reason(toe);
	/* "end" is only added for abnormal endings: a NULL key ends the list early */
	ts_log(why ? TS_LOG_WARN : TS_LOG_INFO, "request", "rid", c->req.request_id, "method",
	       c->req.method, "route", label, "#status", st, "#ms", ms, "#bytes", bytes, "client",
	       c->req.client_addr, why ? "end" : NULL, why, NULL);
	ts_arena_free(c->req.arena);
	pthread_mutex_lock(&s->mu);
	if (--s->inflight == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

/* ---- start and stop --------------------------------------------------------------------- */

int ts_http_server_start(const struct ts_http_options *opt, const struct ts_http_app *app,
			 struct ts_http_server **out, struct ts_error *err)
{
	int rc = 0;
	struct addrinfo *ai = NULL;
	bool sync_made = false;
	struct ts_http_server *s = NULL;
	*out = NULL;
	if (!app || !app->handle) {
		rc = ts_error_set(err, TS_ERR_CONFIG, NULL, "thiếu hàm xử lý yêu cầu HTTP");
		goto out;
	}
	if (ts_crypto_init() != 0) {
		rc = ts_error_set(err, TS_ERR_INTERNAL, NULL, "không khởi tạo được libsodium");
		goto out;
	}
	const char *host = opt->host && *opt->host ? opt->host : "127.0.0.1";
	char port[8];
	snprintf(port, sizeof(port), "%u", opt->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	if (opt->port > 65535 || getaddrinfo(host, port, &hints, &ai) != 0 || !ai) {
		rc = ts_error_set(err, TS_ERR_UNAVAILABLE, "listen",
				  "địa chỉ lắng nghe \"%s:%u\" không hợp lệ", host, opt->port);
		goto out;
	}
	s = ts_calloc(1, sizeof(*s));
	if (!s) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		goto out;
	}
	s->app = *app;
	s->arena_cap = opt->arena_cap;
	s->grace_s = opt->shutdown_grace_s;
	s->request_timeout_ns = (int64_t)opt->request_timeout_s * 1000000000;
	s->csp = opt->csp && *opt->csp ? opt->csp : TS_HTTP_DEFAULT_CSP;
	s->hsts = opt->hsts;
	s->ip_header = opt->client_ip_header && *opt->client_ip_header ? opt->client_ip_header : NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&s->mu, NULL) != 0 || pthread_cond_init(&s->idle, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		rc = ts_error_set(err, TS_ERR_INTERNAL, NULL, "không khởi tạo được khóa");
		goto out;
	}
	pthread_condattr_destroy(&ca);
	sync_made = true;

	/* poll(), not epoll: libmicrohttpd 0.9.75's epoll loop takes at most 128 events per
	 * epoll_wait and, when a call returns exactly 128, calls epoll_wait again with the full
	 * timeout before handling any of them. When nothing more happens on that worker (a burst
	 * is over, or the worker is at its share of http.max_connections and no longer watches
	 * the listening socket), it sleeps until the earliest connection timeout (http.timeout)
	 * and then closes those connections as idle: a burst of a few hundred connects lost up to
	 * 128 of them unanswered (bench/NOTES-issue8.md, "Bursts"). poll() is level-triggered,
	 * and each wait hands every ready connection to the same pass. */
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME; /* waiting event streams (stream.c) */
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* http.threads 0: a thread per connection. A request that waits (for the group commit, for
	 * the database pool) then holds up only its own connection; in a pool of N threads each
	 * thread serves several connections, and the other requests on a waiting thread wait
	 * with it (bench/NOTES-issue8.md, "Threads"). */
	unsigned threads = opt->threads;
	s->per_connection = threads == 0;
	if (threads == 0)
		flags |= MHD_USE_THREAD_PER_CONNECTION;
	/* the pool size goes in an array so that it can be left out for one thread (MHD warns
	 * about sizes 0 and 1); the logger goes first so option parsing reports through it */
	struct MHD_OptionItem pool[] = {
	    {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
	    {MHD_OPTION_END, 0, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	/* one address holds at most max_connections_per_ip connections, so slow clients from
	 * one place cannot take every slot (further ones are refused at accept) */
	int npool = threads > 1 ? 1 : 0;
	if (opt->max_connections_per_ip)
		pool[npool] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
						      (intptr_t)opt->max_connections_per_ip, NULL};
	s->d = MHD_start_daemon(
	    flags, (uint16_t)opt->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_log, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    (unsigned)1024, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)(opt->timeout_s ? opt->timeout_s : 30), MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(opt->max_connections ? opt->max_connections : 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape,
	    NULL, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
	if (!s->d) {
		rc = ts_error_set(err, TS_ERR_UNAVAILABLE, "listen",
				  "không lắng nghe được trên \"%s:%u\"", host, opt->port);
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : opt->port;
	char ptxt[16];
	snprintf(ptxt, sizeof(ptxt), "%u", s->port);
	ts_log(TS_LOG_INFO, "http listening", "host", host, "#port", ptxt, NULL);
	*out = s;
	s = NULL;
out:
	if (ai)
		freeaddrinfo(ai);
	if (s) {
		if (sync_made) {
			pthread_cond_destroy(&s->idle);
			pthread_mutex_destroy(&s->mu);
		}
		ts_free(s);
	}
	return rc;
}

unsigned ts_http_server_port(const struct ts_http_server *s)
{
	return s ? s->port : 0;
}

void ts_http_server_stop(struct ts_http_server *s)
{
	if (!s)
		return;
	MHD_socket lfd = MHD_quiesce_daemon(s->d);
	ts_http_stream_stopping(s, true); /* open event streams end now */
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += s->grace_s;
	pthread_mutex_lock(&s->mu);
	while (s->inflight > 0) {
		if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT)
			break;
	}
	unsigned long left = s->inflight;
	pthread_mutex_unlock(&s->mu);
	if (left) {
		char n[32];
		snprintf(n, sizeof(n), "%lu", left);
		ts_log(TS_LOG_WARN, "http stop: grace time over, closing requests", "#inflight", n,
		       NULL);
	}
	MHD_stop_daemon(s->d);
	ts_http_stream_stopping(s, false);
	/* quiesce hands the listening socket to the caller; close it only after the threads
	 * that might still poll it are gone */
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	ts_free(s);
}
