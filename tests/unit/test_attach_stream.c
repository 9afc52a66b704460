/* test_attach_stream.c - the upload stream hook itself: the real HTTP server (http/server.c)
 * on 127.0.0.1 with a route whose begin() sets a sink, as attach_http.c does, driven with
 * libcurl's multipart encoder and with raw sockets. Checks that a large file reaches the
 * sink in bounded chunks (never whole in memory) with the same bytes, plain fields and the
 * file as separate parts, that a sink's refusal stops the stream with its own error, that
 * the caps, a wrong content type and a body cut short are refused before the handler runs,
 * and that the sink's cleanup runs when the client goes away mid-body. Synchronisation by
 * condition variables with a deadline, never by sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/crypto.h"
#include "http/http.h"

#define FILE_SIZE (4u << 20)
#define SINK_CAP (6u << 20)
#define REFUSE_AFTER (1u << 20)

/* ---- what the sink saw (server threads write, the test reads) ------------------------- */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int parts, calls, calls_after_error, handled, released;
	size_t max_chunk, file_bytes;
	char names[8][32];
	char filename[64], field_value[64];
	char hex[65];
	bool failed;
} seen = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct upload {
	struct ts_sha256 h;
	bool in_file, refuse;
	char field[64];
	size_t field_len, got;
};

static void reset_seen(void)
{
	pthread_mutex_lock(&seen.mu);
	seen.parts = seen.calls = seen.calls_after_error = seen.handled = seen.released = 0;
	seen.max_chunk = seen.file_bytes = 0;
	memset(seen.names, 0, sizeof(seen.names));
	seen.filename[0] = seen.field_value[0] = seen.hex[0] = '\0';
	seen.failed = false;
	pthread_mutex_unlock(&seen.mu);
}

/* The arena cleanup of the upload: runs when the request completes, also when the client
 * goes away in the middle of the body (where attach/ removes its temporary file). */
static void upload_release(void *p)
{
	(void)p;
	pthread_mutex_lock(&seen.mu);
	seen.released++;
	pthread_cond_broadcast(&seen.cv);
	pthread_mutex_unlock(&seen.mu);
}

static int sink_part(void *ud, const struct ts_http_part *p, bool start, const char *data,
		     size_t len, struct ts_error *err)
{
	struct upload *u = ud;
	int rc = 0;

	pthread_mutex_lock(&seen.mu);
	if (seen.failed)
		seen.calls_after_error++;
	seen.calls++;
	if (len > seen.max_chunk)
		seen.max_chunk = len;
	if (start) {
		if (seen.parts < 8)
			snprintf(seen.names[seen.parts], sizeof(seen.names[0]), "%s", p->name);
		seen.parts++;
		u->in_file = p->filename != NULL;
		if (u->in_file) {
			snprintf(seen.filename, sizeof(seen.filename), "%s", p->filename);
			ts_sha256_init(&u->h);
		}
	}
	if (u->in_file) {
		ts_sha256_update(&u->h, data, len);
		u->got += len;
		seen.file_bytes += len;
		if (u->refuse && u->got > REFUSE_AFTER) {
			seen.failed = true;
			rc = ts_error_set(err, TS_ERR_TOO_LARGE, "file", "quá lớn theo sink");
		}
	} else if (len < sizeof(u->field) - u->field_len) {
		memcpy(u->field + u->field_len, data, len);
		u->field_len += len;
		u->field[u->field_len] = '\0';
		snprintf(seen.field_value, sizeof(seen.field_value), "%s", u->field);
	}
	pthread_mutex_unlock(&seen.mu);
	return rc;
}

static long app_begin(struct ts_http_req *r, void *ud, struct ts_error *err)
{
	(void)ud;
	struct upload *u;
	struct ts_http_sink *sink;

	if (strcmp(r->path, "/up") != 0 && strcmp(r->path, "/up-refuse") != 0)
		return 0;
	u = ts_arena_zalloc(r->arena, sizeof(*u));
	sink = ts_arena_zalloc(r->arena, sizeof(*sink));
	if (!u || !sink || ts_arena_on_release(r->arena, upload_release, u) != 0)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	u->refuse = strcmp(r->path, "/up-refuse") == 0;
	sink->part = sink_part;
	sink->ud = u;
	sink->cap = SINK_CAP;
	r->sink = sink;
	return 0;
}

static int app_handle(struct ts_http_req *r, struct ts_http_resp *resp, void *ud,
		      struct ts_error *err)
{
	(void)ud;
	struct ts_call call = {.req = r, .resp = resp};
	struct upload *u = r->sink ? r->sink->ud : NULL;

	if (!u)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, NULL);
	pthread_mutex_lock(&seen.mu);
	seen.handled++;
	if (u->got)
		ts_sha256_final(&u->h, seen.hex, sizeof(seen.hex));
	pthread_mutex_unlock(&seen.mu);
	return ts_http_reply(&call, 201, json_pack("{s:I}", "size", (json_int_t)u->got));
}

static const struct ts_http_app app = {app_begin, app_handle, NULL};

static struct ts_http_server *start_server_t(unsigned timeout_s)
{
	struct ts_http_options o = {.host = "127.0.0.1", .port = 0, .threads = 2,
				    .max_connections = 64, .timeout_s = timeout_s, .shutdown_grace_s = 10,
				    .arena_cap = 1u << 20};
	struct ts_http_server *s = NULL;
	struct ts_error err = {0};
	assert_int_equal(ts_http_server_start(&o, &app, &s, &err), 0);
	return s;
}

static struct ts_http_server *start_server(void)
{
	return start_server_t(10);
}

/* Waits (up to 20 s) until the sink's cleanup ran n times. */
static void wait_released(int n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	pthread_mutex_lock(&seen.mu);
	while (seen.released < n &&
	       pthread_cond_timedwait(&seen.cv, &seen.mu, &until) != ETIMEDOUT)
		;
	int got = seen.released;
	pthread_mutex_unlock(&seen.mu);
	assert_int_equal(got, n);
}

/* ---- clients --------------------------------------------------------------------------- */

static size_t sink_body(char *d, size_t sz, size_t nm, void *ud)
{
	char *b = ud;
	size_t n = sz * nm, have = strlen(b);
	if (have + n < 4096) {
		memcpy(b + have, d, n);
		b[have + n] = '\0';
	}
	return n;
}

static char file_path[64];
static char file_hex[65];

/* A FILE_SIZE file of varied bytes, and its SHA-256. */
static void make_file(void)
{
	struct ts_sha256 h;
	unsigned char block[4096];
	uint32_t x = 2463534242u;
	snprintf(file_path, sizeof(file_path), "/tmp/stream-test-XXXXXX");
	int fd = mkstemp(file_path);
	assert_true(fd >= 0);
	ts_sha256_init(&h);
	for (size_t off = 0; off < FILE_SIZE; off += sizeof(block)) {
		for (size_t i = 0; i < sizeof(block); i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			block[i] = (unsigned char)x;
		}
		ts_sha256_update(&h, (const char *)block, sizeof(block));
		assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	}
	close(fd);
	ts_sha256_final(&h, file_hex, sizeof(file_hex));
}

/* POST path with the fields component=TP01 and file=<the test file> (libcurl's encoder). */
static long post_multipart(struct ts_http_server *s, const char *path, char *body)
{
	char url[128];
	long status = 0;
	CURL *c = curl_easy_init();
	curl_mime *m = curl_mime_init(c);
	curl_mimepart *p = curl_mime_addpart(m);
	curl_mime_name(p, "component");
	curl_mime_data(p, "TP01", CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "file");
	curl_mime_filedata(p, file_path);
	curl_mime_filename(p, "Tờ khai.pdf");
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", ts_http_server_port(s), path);
	body[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, m);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_mime_free(m);
	curl_easy_cleanup(c);
	return status;
}

/* Sends head + body[0..send) on a raw connection; reads the answer's status line when
 * read_answer, else closes at once (a client going away mid-body). */
static int raw_post(struct ts_http_server *s, const char *ctype, const char *body,
		    size_t declared, size_t send_n, bool read_answer)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ts_http_server_port(s))};
	char head[512], answer[256] = "";
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int n = snprintf(head, sizeof(head),
			 "POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 ctype, declared);
	assert_int_equal(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
	for (size_t off = 0; off < send_n;) {
		ssize_t w = send(fd, body + off, send_n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may answer (and close) before the body is in */
		off += (size_t)w;
	}
	if (read_answer) {
		size_t got = 0;
		ssize_t r;
		while (got < sizeof(answer) - 1 &&
		       (r = recv(fd, answer + got, sizeof(answer) - 1 - got, 0)) > 0)
			got += (size_t)r;
		answer[got] = '\0';
		assert_int_equal(sscanf(answer, "HTTP/1.1 %d", &status), 1);
	}
	close(fd);
	return status;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_a_large_file_streams_in_bounded_chunks(void **state)
{
	(void)state;
	struct ts_http_server *s = start_server();
	char body[4096];

	reset_seen();
	assert_int_equal(post_multipart(s, "/up", body), 201);
	assert_non_null(strstr(body, "4194304"));
	pthread_mutex_lock(&seen.mu);
	/* two parts, in order, each announced once */
	assert_int_equal(seen.parts, 2);
	assert_string_equal(seen.names[0], "component");
	assert_string_equal(seen.names[1], "file");
	assert_string_equal(seen.field_value, "TP01");
	assert_string_equal(seen.filename, "Tờ khai.pdf");
	/* every byte, the same bytes, never more than the post processor's 64 KiB at once */
	assert_int_equal(seen.file_bytes, FILE_SIZE);
	assert_string_equal(seen.hex, file_hex);
	assert_true(seen.max_chunk <= 64 * 1024);
	assert_true(seen.calls >= (int)(FILE_SIZE / (64 * 1024)));
	assert_int_equal(seen.handled, 1);
	pthread_mutex_unlock(&seen.mu);
	ts_http_server_stop(s);
	wait_released(1);
}

static void test_a_sink_refusal_stops_the_stream_with_its_error(void **state)
{
	(void)state;
	struct ts_http_server *s = start_server();
	char body[4096];

	reset_seen();
	assert_int_equal(post_multipart(s, "/up-refuse", body), 413);
	assert_non_null(strstr(body, "quá lớn theo sink"));
	pthread_mutex_lock(&seen.mu);
	assert_true(seen.failed);
	assert_int_equal(seen.calls_after_error, 0);
	assert_true(seen.file_bytes < FILE_SIZE);
	assert_int_equal(seen.handled, 0);
	pthread_mutex_unlock(&seen.mu);
	ts_http_server_stop(s);
	wait_released(1);
}

static void test_caps_types_and_cut_bodies_never_reach_the_handler(void **state)
{
	(void)state;
	struct ts_http_server *s = start_server();
	static const char ct[] = "multipart/form-data; boundary=XyZ";
	static const char whole[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
				    "filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
				    "%PDF-1.4 some bytes\r\n--XyZ--\r\n";
	size_t n = sizeof(whole) - 1;

	reset_seen();
	/* over the sink's cap by Content-Length: refused before a byte reaches the sink */
	assert_int_equal(raw_post(s, ct, whole, SINK_CAP + 1, 0, true), 413);
	/* not multipart */
	assert_int_equal(raw_post(s, "application/json", "{}", 2, 2, true), 415);
	/* without its closing boundary: 400, not a half-stored part */
	assert_int_equal(raw_post(s, ct, whole, n - 9, n - 9, true), 400);
	/* and whole, it goes through */
	assert_int_equal(raw_post(s, ct, whole, n, n, true), 201);
	pthread_mutex_lock(&seen.mu);
	assert_int_equal(seen.handled, 1);
	assert_int_equal(seen.parts, 2); /* the cut body's part and the whole one's */
	pthread_mutex_unlock(&seen.mu);
	ts_http_server_stop(s);
}

static void test_a_client_gone_mid_body_releases_the_upload(void **state)
{
	(void)state;
	struct ts_http_server *s = start_server();
	static const char ct[] = "multipart/form-data; boundary=XyZ";
	size_t n = 200000;
	char *body = calloc(1, n);
	const char *head = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n";

	assert_non_null(body);
	ts_http_server_stop(s);
	s = start_server_t(2); /* the server notices a vanished client by its idle timeout */
	memcpy(body, head, strlen(head));
	memset(body + strlen(head), 'x', n - strlen(head));
	reset_seen();
	raw_post(s, ct, body, n * 2, n, false);
	wait_released(1);
	pthread_mutex_lock(&seen.mu);
	assert_int_equal(seen.handled, 0);
	assert_true(seen.file_bytes > 0);
	pthread_mutex_unlock(&seen.mu);
	free(body);
	ts_http_server_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_large_file_streams_in_bounded_chunks),
	    cmocka_unit_test(test_a_sink_refusal_stops_the_stream_with_its_error),
	    cmocka_unit_test(test_caps_types_and_cut_bodies_never_reach_the_handler),
	    cmocka_unit_test(test_a_client_gone_mid_body_releases_the_upload),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	make_file();
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(file_path);
	curl_global_cleanup();
	return failed;
}
