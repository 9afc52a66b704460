/* fuzz_http_wire.c - libFuzzer harness over the real HTTP server (http/server.c on
 * libmicrohttpd, in process on a loopback port): the input goes over a socket as
 *   FUZZ_WIRE_REQUEST   a whole raw request (request line, query string, headers, body),
 *   FUZZ_WIRE_COOKIE    the value of a Cookie header,
 *   FUZZ_WIRE_MULTIPART a multipart/form-data body streamed to a sink,
 * and the application reads back query values, cookies, headers and parts the way the
 * dispatcher and the upload sink do. Built three times (fuzz_request, fuzz_cookies,
 * fuzz_multipart) from this file. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "http/http.h"

#ifndef FUZZ_WIRE
#define FUZZ_WIRE 0
#endif
#define FUZZ_WIRE_REQUEST 0
#define FUZZ_WIRE_COOKIE 1
#define FUZZ_WIRE_MULTIPART 2

struct sink_state {
	struct ts_http_sink sink;
	uint64_t bytes;
	int parts;
};

static int sink_part(void *ud, const struct ts_http_part *p, bool start, const char *data,
		     size_t len, struct ts_error *err)
{
	struct sink_state *s = ud;
	if (!p || !p->name || (len && !data))
		abort();
	if (start)
		s->parts++;
	s->bytes += len;
	if (s->bytes > s->sink.cap)
		abort(); /* the server enforces the cap before the sink sees the bytes */
	if (p->filename && strstr(p->filename, "refuse"))
		return ts_error_set(err, TS_ERR_VALIDATION, "file", "refused by the sink");
	return 0;
}

static long app_begin(struct ts_http_req *r, void *ud, struct ts_error *err)
{
	(void)ud;
	if (strncmp(r->path, "/up", 3) == 0) {
		struct sink_state *s = ts_arena_zalloc(r->arena, sizeof(*s));
		if (!s)
			return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		s->sink = (struct ts_http_sink){.part = sink_part, .ud = s, .cap = 1u << 16};
		r->sink = &s->sink;
		return (long)s->sink.cap;
	}
	if (strncmp(r->path, "/deny", 5) == 0)
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	return 1u << 16;
}

static int app_handle(struct ts_http_req *r, struct ts_http_resp *resp, void *ud,
		      struct ts_error *err)
{
	(void)ud;
	static const char *const names[] = {"q", "x", "tinhso_session", "a", "", "b c"};
	size_t total = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = ts_http_query_get(r, names[i]);
		total += v ? strlen(v) : 0;
		v = ts_http_cookie_get(r, names[i]);
		total += v ? strlen(v) : 0;
	}
	const char *h = ts_http_header_get(r, "Content-Type");
	total += h ? strlen(h) : 0;
	const char *vals[8];
	int n = 0;
	(void)ts_http_match("/api/v1/dossiers/{code}/files/{id}", r->path, r->arena, vals, 8, &n);
	(void)ts_http_match("/static/{rest...}", r->path, r->arena, vals, 8, &n);
	if (r->body && strlen(r->body) > r->body_len)
		abort();
	char *body = ts_arena_printf(r->arena, "{\"n\":%zu}", total);
	if (!body)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if (strstr(r->path, "/problem"))
		return ts_error_set(err, TS_ERR_VALIDATION, "x", "%s", r->path);
	ts_http_resp_json(resp, 200, body, strlen(body));
	return 0;
}

static unsigned port(void)
{
	static struct ts_http_server *srv;
	static struct ts_http_app app = {app_begin, app_handle, NULL};
	if (!srv) {
		ts_log_set_level(TS_LOG_ERROR);
		/* a short idle timeout: partial requests left by the harness go away quickly */
		struct ts_http_options o = {.host = "127.0.0.1",
					    .threads = 2,
					    .max_connections = 4096,
					    /* idle timeout: long enough that a fuzzer starved of CPU (two run at
					     * once in make test, under ASan) is not cut off as idle before its
					     * complete request is read - that read as a false "no answer" */
					    .timeout_s = 5,
					    .shutdown_grace_s = 1,
					    .arena_cap = 1u << 20,
					    .request_timeout_s = 5};
		struct ts_error err = {0};
		if (ts_http_server_start(&o, &app, &srv, &err)) {
			fprintf(stderr, "fuzz server: %s\n", err.detail);
			abort();
		}
	}
	return ts_http_server_port(srv);
}

/* libFuzzer's -timeout arms a SIGALRM every second, and a socket call on a socket with a
 * timeout is never restarted after a signal (signal(7)): it fails with EINTR whatever
 * SA_RESTART says. So no call here blocks with a socket timeout: every wait is a poll() against
 * a monotonic deadline, taken again after an interruption. */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for EVENTS on FD until DEADLINE (monotonic ms); true when they came. */
static bool wait_for(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

static int dial(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port())};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0;; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			abort();
		/* thousands of connections a second: a close that left TIME_WAIT behind would use
		 * up the loopback's ephemeral ports within seconds, so close with a reset */
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		int e = 0;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			e = errno;
			if (e == EINPROGRESS) {
				socklen_t len = sizeof(e);
				e = wait_for(fd, POLLOUT, now_ms() + 10000) &&
					    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0
					? e
					: ETIMEDOUT;
			}
		}
		if (e == 0)
			return fd;
		close(fd);
		/* ports still held by other programs' recent connections: wait for one, bounded */
		if (e != EADDRNOTAVAIL || i >= 500) {
			fprintf(stderr, "fuzz: cannot connect to the server: %s\n", strerror(e));
			abort();
		}
		struct timespec pause = {.tv_nsec = 10000000};
		while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
			;
	}
}

/* Sends all of BUF (the server may read slowly); gives up at the deadline. */
static void send_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_for(fd, POLLOUT, deadline))
				return;
		} else {
			return; /* the server closed early: its answer (if any) is still read */
		}
	}
}

/* Reads until the server closes, or a quiet spell of 20 ms once an answer has started (a
 * kept-alive connection waits for a next request that never comes). Returns whether bytes
 * came within FIRST_WAIT_MS. */
static bool drain(int fd, int64_t first_wait_ms)
{
	int64_t deadline = now_ms() + first_wait_ms;
	char buf[4096];
	bool answered = false;
	while (wait_for(fd, POLLIN, deadline)) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			break;
		answered = true;
		deadline = now_ms() + 20;
	}
	return answered;
}

/* The server still answers a plain request within 10 s (no deadlock, no exhaustion). */
static void check_alive(void)
{
	static const char ping[] = "GET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int fd = dial();
	send_all(fd, ping, sizeof(ping) - 1, now_ms() + 10000);
	if (!drain(fd, 10000)) {
		fprintf(stderr, "fuzz: the server stopped answering\n");
		abort();
	}
	close(fd);
}

static void exchange(const char *head, size_t hlen, const uint8_t *data, size_t size,
		     const char *tail, size_t tlen, bool must_answer)
{
	static unsigned long runs;
	/* a complete request (cookie and multipart modes) must be answered; a raw input may be
	 * an unfinished request the server rightly waits on, so it gets a short look only */
	int fd = dial();
	int64_t deadline = now_ms() + 10000;
	send_all(fd, head, hlen, deadline);
	send_all(fd, data, size, deadline);
	send_all(fd, tail, tlen, deadline);
	shutdown(fd, SHUT_WR);
	bool answered = drain(fd, must_answer ? 10000 : 50);
	close(fd);
	if (must_answer && !answered) {
		fprintf(stderr, "fuzz: the server did not answer a complete request\n");
		abort();
	}
	if (++runs % 256 == 0)
		check_alive();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char head[512];
	int n = 0;
	switch (FUZZ_WIRE) {
	case FUZZ_WIRE_COOKIE:
		n = snprintf(head, sizeof(head),
			     "GET /c?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: ");
		exchange(head, (size_t)n, data, size, "\r\n\r\n", 4, !memchr(data, '\n', size));
		break;
	case FUZZ_WIRE_MULTIPART:
		n = snprintf(head, sizeof(head),
			     "POST /up HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
			     "multipart/form-data; "
			     "boundary=XyZ\r\nContent-Length: %zu\r\n\r\n",
			     size);
		exchange(head, (size_t)n, data, size, "", 0, true);
		break;
	default:
		exchange("", 0, data, size, "", 0, false);
		break;
	}
	return 0;
}
