/* test_http_server.c - the real HTTP server (http/server.c) on 127.0.0.1, driven with
 * libcurl: bodies and caps, problem+json errors, headers, lookups, static files, metrics,
 * 200 simultaneous connections, the access log, and a graceful stop that lets an in-flight
 * request finish. Synchronisation is by condition variables only, never by sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "http/http.h"

/* ---- the application under test ------------------------------------------------------- */

struct slow_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool entered, released, stop_called;
};
static struct slow_gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false,
				false};
static char static_root[64];

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static long app_begin(struct ts_http_req *r, void *ud, struct ts_error *err)
{
	(void)ud;
	if (strcmp(r->path, "/nobody") == 0)
		return 0;
	if (strcmp(r->path, "/refuse") == 0)
		return ts_error_set(err, TS_ERR_THROTTLED, NULL, NULL);
	return 64;
}

static int app_handle(struct ts_http_req *r, struct ts_http_resp *resp, void *ud,
		      struct ts_error *err)
{
	(void)ud;
	struct ts_call call = {.req = r, .resp = resp};
	const char *v[8];
	int n = 0;
	if (ts_http_match("/echo", r->path, r->arena, v, 8, &n)) {
		resp->route_label = "/echo";
		const char *h = ts_http_header_get(r, "x-test");
		const char *q = ts_http_query_get(r, "q");
		const char *c = ts_http_cookie_get(r, "sid");
		return ts_http_reply(&call, 200,
				     json_pack("{s:I,s:o,s:o,s:o,s:s,s:s,s:b}", "len",
					       (json_int_t)r->body_len, "hdr", str_or_null(h), "q",
					       str_or_null(q), "cookie", str_or_null(c), "method",
					       r->method, "client", r->client_addr, "body_nul",
					       r->body ? r->body[r->body_len] == '\0' : 1));
	}
	if (ts_http_match("/p/{x}", r->path, r->arena, v, 8, &n)) {
		resp->route_label = "/p/{x}";
		return ts_http_reply(&call, 200, json_pack("{s:s}", "x", v[0]));
	}
	if (ts_http_match("/s/{path...}", r->path, r->arena, v, 8, &n) ||
	    strcmp(r->path, "/s/") == 0) {
		resp->route_label = "/s/{path...}";
		return ts_http_static(r, resp, static_root, r->path + 2, err);
	}
	if (strcmp(r->path, "/fail") == 0) {
		resp->route_label = "/fail";
		return ts_error_set(err, TS_ERR_VALIDATION, "phone", "Số điện thoại không hợp lệ");
	}
	if (strcmp(r->path, "/nostatus") == 0)
		return 0;
	if (strcmp(r->path, "/slow") == 0) {
		resp->route_label = "/slow";
		pthread_mutex_lock(&gate.mu);
		gate.entered = true;
		pthread_cond_broadcast(&gate.cv);
		while (!gate.released)
			pthread_cond_wait(&gate.cv, &gate.mu);
		pthread_mutex_unlock(&gate.mu);
		return ts_http_reply(&call, 200, json_pack("{s:b}", "slow", 1));
	}
	return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, NULL);
}

static const struct ts_http_app app = {app_begin, app_handle, NULL};

static struct ts_http_server *start_server(unsigned threads)
{
	struct ts_http_options o = {.host = "127.0.0.1",
				    .port = 0,
				    .threads = threads,
				    .max_connections = 512,
				    .timeout_s = 10,
				    .shutdown_grace_s = 20,
				    .arena_cap = 1u << 20};
	struct ts_http_server *s = NULL;
	struct ts_error err;
	ts_error_clear(&err);
	assert_int_equal(ts_http_server_start(&o, &app, &s, &err), 0);
	assert_non_null(s);
	assert_true(ts_http_server_port(s) > 0);
	return s;
}

/* ---- a small libcurl client ------------------------------------------------------------- */

struct buf {
	char *p;
	size_t n;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *ud)
{
	struct buf *b = ud;
	size_t n = sz * nm;
	char *np = ts_realloc(b->p, b->n + n + 1);
	if (!np)
		return 0;
	memcpy(np + b->n, d, n);
	b->n += n;
	np[b->n] = '\0';
	b->p = np;
	return n;
}

struct reply {
	long status;
	struct buf body, head;
	json_t *json;
	CURLcode rc;
};

static void reply_free(struct reply *r)
{
	ts_free(r->body.p);
	ts_free(r->head.p);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* The value of response header name (first occurrence) copied into out; false if absent. */
static bool resp_header(const struct reply *r, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	for (const char *l = r->head.p; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			const char *v = l + n + 1;
			while (*v == ' ')
				v++;
			size_t k = strcspn(v, "\r\n");
			if (k >= outsz)
				k = outsz - 1;
			memcpy(out, v, k);
			out[k] = '\0';
			return true;
		}
	}
	return false;
}

static CURL *easy_for(struct ts_http_server *s, const char *path, struct reply *r)
{
	char url[512];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", ts_http_server_port(s), path);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->head);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return c;
}

static void finish(CURL *c, struct reply *r)
{
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body.p)
		r->json = json_loadb(r->body.p, r->body.n, 0, NULL);
}

/* GET (body NULL) or POST; extra is one request header line or NULL. */
static void request(struct ts_http_server *s, const char *path, const char *body, const char *extra,
		    struct reply *r)
{
	memset(r, 0, sizeof(*r));
	CURL *c = easy_for(s, path, r);
	struct curl_slist *hl = NULL;
	if (extra) {
		hl = curl_slist_append(hl, extra);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	r->rc = curl_easy_perform(c);
	assert_int_equal(r->rc, CURLE_OK);
	finish(c, r);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* ---- tests against a shared server ------------------------------------------------------ */

static int setup(void **state)
{
	*state = start_server(4);
	return 0;
}

static int teardown(void **state)
{
	ts_http_server_stop(*state);
	return 0;
}

static void test_server_echoes_body_header_query_cookie(void **state)
{
	struct reply r;
	request(*state, "/echo?a=1&q=H%C3%A0+N%E1%BB%99i%2B", "{\"x\":1}", "X-Test: xin chào", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.json);
	assert_int_equal(json_integer_value(json_object_get(r.json, "len")), 7);
	assert_true(json_is_true(json_object_get(r.json, "body_nul")));
	assert_string_equal(jstr(r.json, "hdr"), "xin chào");
	assert_string_equal(jstr(r.json, "q"), "Hà Nội+");
	assert_string_equal(jstr(r.json, "method"), "POST");
	assert_string_equal(jstr(r.json, "client"), "127.0.0.1");
	assert_true(json_is_null(json_object_get(r.json, "cookie")));
	char ct[128];
	assert_true(resp_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "application/json; charset=utf-8");
	reply_free(&r);

	request(*state, "/echo", NULL, "Cookie: other=1; sid=abc123", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "len")), 0);
	assert_string_equal(jstr(r.json, "cookie"), "abc123");
	assert_true(json_is_null(json_object_get(r.json, "q")));
	assert_string_equal(jstr(r.json, "method"), "GET");
	reply_free(&r);
}

static void test_server_adds_request_id_and_security_headers(void **state)
{
	struct reply r;
	char v[128], id1[64];
	request(*state, "/echo", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(resp_header(&r, "X-Request-Id", id1, sizeof(id1)));
	assert_int_equal(strlen(id1), 16);
	assert_int_equal(strspn(id1, "0123456789abcdef"), 16);
	assert_true(resp_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-store");
	assert_true(resp_header(&r, "X-Content-Type-Options", v, sizeof(v)));
	assert_string_equal(v, "nosniff");
	assert_true(resp_header(&r, "Referrer-Policy", v, sizeof(v)));
	assert_string_equal(v, "same-origin");
	assert_true(resp_header(&r, "X-Frame-Options", v, sizeof(v)));
	assert_string_equal(v, "DENY");
	char csp[512];
	assert_true(resp_header(&r, "Content-Security-Policy", csp, sizeof(csp)));
	assert_string_equal(csp, TS_HTTP_DEFAULT_CSP);
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_false(resp_header(&r, "Strict-Transport-Security", v, sizeof(v))); /* no TLS here */
	reply_free(&r);
	request(*state, "/echo", NULL, NULL, &r);
	assert_true(resp_header(&r, "X-Request-Id", v, sizeof(v)));
	assert_string_not_equal(v, id1);
	reply_free(&r);
}

static void assert_problem(const struct reply *r, long status, const char *code)
{
	char ct[128], rid[64];
	assert_int_equal(r->status, status);
	assert_true(resp_header(r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "application/problem+json");
	assert_non_null(r->json);
	assert_string_equal(jstr(r->json, "code"), code);
	assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
	assert_non_null(jstr(r->json, "title"));
	assert_non_null(jstr(r->json, "detail"));
	assert_true(resp_header(r, "X-Request-Id", rid, sizeof(rid)));
	assert_string_equal(jstr(r->json, "request_id"), rid);
}

static void test_server_rejects_body_over_cap_with_413(void **state)
{
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	struct reply r;
	request(*state, "/echo", big, NULL, &r);
	assert_problem(&r, 413, "payload_too_large");
	assert_string_equal(jstr(r.json, "type"), "/problems/payload_too_large");
	assert_string_equal(jstr(r.json, "instance"), "/echo");
	assert_null(json_object_get(r.json, "field"));
	reply_free(&r);
	/* a body big enough for curl to send "Expect: 100-continue" first */
	char *huge = ts_malloc(5001);
	assert_non_null(huge);
	memset(huge, 'h', 5000);
	huge[5000] = '\0';
	request(*state, "/echo", huge, NULL, &r);
	ts_free(huge);
	assert_problem(&r, 413, "payload_too_large");
	reply_free(&r);
	/* the server is still fine afterwards */
	request(*state, "/echo", "ok", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

struct feed {
	size_t left;
};

static size_t feed_read(char *d, size_t sz, size_t nm, void *ud)
{
	struct feed *f = ud;
	size_t n = sz * nm < 10 ? sz * nm : 10; /* many small chunks */
	if (n > f->left)
		n = f->left;
	memset(d, 'b', n);
	f->left -= n;
	return n;
}

static void test_server_rejects_chunked_body_over_cap(void **state)
{
	struct reply r;
	memset(&r, 0, sizeof(r));
	CURL *c = easy_for(*state, "/echo", &r);
	struct feed f = {5000};
	struct curl_slist *hl = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, feed_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &f);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	finish(c, &r);
	assert_problem(&r, 413, "payload_too_large");
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	reply_free(&r);

	/* a chunked body within the cap is read whole */
	memset(&r, 0, sizeof(r));
	c = easy_for(*state, "/echo", &r);
	f.left = 64;
	hl = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, feed_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &f);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	finish(c, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "len")), 64);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	reply_free(&r);
}

static void test_server_accepts_body_at_cap(void **state)
{
	char b[65];
	memset(b, 'c', 64);
	b[64] = '\0';
	struct reply r;
	request(*state, "/echo", b, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "len")), 64);
	reply_free(&r);
}

static void test_server_begin_zero_cap_refuses_body(void **state)
{
	struct reply r;
	request(*state, "/nobody", "x", NULL, &r);
	assert_problem(&r, 413, "payload_too_large");
	reply_free(&r);
	request(*state, "/nobody", NULL, NULL, &r); /* no body: handled (404 from the app) */
	assert_problem(&r, 404, "not_found");
	reply_free(&r);
}

static void test_server_begin_error_becomes_problem(void **state)
{
	struct reply r;
	char v[32];
	request(*state, "/refuse", NULL, NULL, &r);
	assert_problem(&r, 429, "too_many_requests");
	assert_true(resp_header(&r, "Retry-After", v, sizeof(v)));
	assert_string_equal(v, "60");
	reply_free(&r);
}

static void test_server_handler_error_becomes_problem(void **state)
{
	struct reply r;
	request(*state, "/fail?secret=1", NULL, NULL, &r);
	assert_problem(&r, 422, "validation_failed");
	assert_string_equal(jstr(r.json, "field"), "phone");
	assert_string_equal(jstr(r.json, "detail"), "Số điện thoại không hợp lệ");
	assert_string_equal(jstr(r.json, "title"), "Dữ liệu không hợp lệ");
	assert_string_equal(jstr(r.json, "instance"), "/fail");
	reply_free(&r);
	request(*state, "/nostatus", NULL, NULL, &r);
	assert_problem(&r, 500, "internal_error");
	reply_free(&r);
}

static void test_server_path_params_decoded_and_slash_rejected(void **state)
{
	struct reply r;
	request(*state, "/p/a%20b", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "x"), "a b");
	reply_free(&r);
	request(*state, "/p/a%2Fb", NULL, NULL, &r);
	assert_problem(&r, 404, "not_found");
	assert_string_equal(jstr(r.json, "instance"), "/p/a%2Fb");
	reply_free(&r);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_server_serves_static_files_safely(void **state)
{
	char p[256], v[128];
	snprintf(static_root, sizeof(static_root), "/tmp/ts_static_XXXXXX");
	assert_non_null(mkdtemp(static_root));
	write_file(static_root, "index.html", "<h1>tinhso</h1>");
	write_file(static_root, "app.js", "console.log(1)");
	write_file(static_root, "data.bin", "xx");
	write_file(static_root, ".env", "SECRET=1");
	snprintf(p, sizeof(p), "%s/sub", static_root);
	assert_int_equal(mkdir(p, 0755), 0);
	write_file(p, "index.html", "<p>sub</p>");
	snprintf(p, sizeof(p), "%s/escape.txt", static_root);
	assert_int_equal(symlink("/etc/hostname", p), 0);

	struct reply r;
	request(*state, "/s/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.p, "<h1>tinhso</h1>");
	assert_true(resp_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/html; charset=utf-8");
	assert_true(resp_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-cache");
	reply_free(&r);
	request(*state, "/s/app.js", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(resp_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/javascript; charset=utf-8");
	assert_true(resp_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "public, max-age=3600");
	reply_free(&r);
	request(*state, "/s/data.bin", NULL, NULL, &r);
	assert_true(resp_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/octet-stream");
	reply_free(&r);
	request(*state, "/s/sub", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.p, "<p>sub</p>");
	reply_free(&r);
	const char *refused[] = {"/s/.env",
				 "/s/%2eenv",
				 "/s/sub/%2e%2e/.env",
				 "/s/escape.txt",
				 "/s/..%2f..%2fetc%2fpasswd",
				 "/s/a%5cb",
				 "/s/missing.js",
				 "/s/sub/..%2F..%2Fetc%2Fhostname"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		request(*state, refused[i], NULL, NULL, &r);
		assert_problem(&r, 404, "not_found");
		reply_free(&r);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", static_root);
	assert_int_equal(system(p), 0);
}

static void test_server_records_metrics(void **state)
{
	struct reply r;
	request(*state, "/p/metrics-probe", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	/* stopping a fresh server waits for its requests, so the observation is recorded */
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ts_http_server *s2 = start_server(1);
	request(s2, "/p/x", NULL, NULL, &r);
	reply_free(&r);
	ts_http_server_stop(s2);
	char *t = ts_http_metrics_render(&a, NULL);
	assert_non_null(t);
	assert_non_null(strstr(t, "tinhso_http_requests_total{route=\"/p/{x}\",method=\"GET\","
				  "status=\"200\"}"));
	assert_null(strstr(t, "metrics-probe"));
	ts_arena_release(&a);
}

static void test_server_answers_200_concurrent_connections(void **state)
{
	enum { N = 200 };
	CURLM *m = curl_multi_init();
	assert_non_null(m);
	static struct reply r[N];
	CURL *e[N];
	for (int i = 0; i < N; i++) {
		char path[64];
		memset(&r[i], 0, sizeof(r[i]));
		snprintf(path, sizeof(path), "/echo?q=%d", i);
		e[i] = easy_for(*state, path, &r[i]);
		curl_easy_setopt(e[i], CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, &r[i]);
		assert_int_equal(curl_multi_add_handle(m, e[i]), CURLM_OK);
	}
	int running = 1, done = 0;
	while (running) {
		assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			assert_int_equal(curl_multi_poll(m, NULL, 0, 1000, NULL), CURLM_OK);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			assert_int_equal(msg->data.result, CURLE_OK);
			struct reply *rp = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&rp);
			finish(msg->easy_handle, rp);
			done++;
		}
	}
	assert_int_equal(done, N);
	for (int i = 0; i < N; i++) {
		char want[16];
		snprintf(want, sizeof(want), "%d", i);
		assert_int_equal(r[i].status, 200);
		assert_string_equal(jstr(r[i].json, "q"), want);
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
		reply_free(&r[i]);
	}
	curl_multi_cleanup(m);
}

/* ---- tests with their own server -------------------------------------------------------- */

static void test_server_bind_conflict_is_unavailable(void **state)
{
	struct ts_http_options o = {.host = "127.0.0.1",
				    .port = ts_http_server_port(*state),
				    .threads = 1,
				    .arena_cap = 1u << 16};
	struct ts_http_server *s = NULL;
	struct ts_error err;
	ts_error_clear(&err);
	assert_int_equal(ts_http_server_start(&o, &app, &s, &err), TS_ERR_UNAVAILABLE);
	assert_null(s);
	assert_non_null(strstr(err.detail, "127.0.0.1"));
	ts_error_clear(&err);
	o.host = "not an address";
	assert_int_equal(ts_http_server_start(&o, &app, &s, &err), TS_ERR_UNAVAILABLE);
	ts_http_server_stop(NULL);
}

struct slow_call {
	struct ts_http_server *s;
	struct reply r;
};

static void *slow_client(void *arg)
{
	struct slow_call *sc = arg;
	memset(&sc->r, 0, sizeof(sc->r));
	CURL *c = easy_for(sc->s, "/slow", &sc->r);
	sc->r.rc = curl_easy_perform(c);
	finish(c, &sc->r);
	curl_easy_cleanup(c);
	return NULL;
}

/* Releases the slow handler once the main thread has begun stopping the server. */
static void *releaser(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate.mu);
	while (!gate.stop_called)
		pthread_cond_wait(&gate.cv, &gate.mu);
	gate.released = true;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
	return NULL;
}

static void test_server_stop_drains_inflight_request(void **state)
{
	(void)state;
	struct slow_call sc = {.s = start_server(2)};
	unsigned port = ts_http_server_port(sc.s);
	pthread_t client, rel;
	assert_int_equal(pthread_create(&client, NULL, slow_client, &sc), 0);
	pthread_mutex_lock(&gate.mu);
	while (!gate.entered)
		pthread_cond_wait(&gate.cv, &gate.mu);
	pthread_mutex_unlock(&gate.mu);
	assert_int_equal(pthread_create(&rel, NULL, releaser, NULL), 0);

	pthread_mutex_lock(&gate.mu);
	gate.stop_called = true;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
	ts_http_server_stop(sc.s); /* returns only after the slow request has been answered */

	pthread_join(client, NULL);
	pthread_join(rel, NULL);
	assert_int_equal(sc.r.rc, CURLE_OK);
	assert_int_equal(sc.r.status, 200);
	assert_true(json_is_true(json_object_get(sc.r.json, "slow")));
	reply_free(&sc.r);

	/* nothing listens any more */
	struct reply r;
	memset(&r, 0, sizeof(r));
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/echo", port);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
	assert_int_not_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	reply_free(&r);
}

static void test_server_access_log_has_route_not_query(void **state)
{
	(void)state;
	char path[] = "/tmp/ts_accesslog_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	ts_log_set_level(TS_LOG_INFO);
	struct ts_http_server *s = start_server(1);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	struct reply r;
	request(s, "/p/012345678901?cccd=079123456789", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	char rid[64];
	assert_true(resp_header(&r, "X-Request-Id", rid, sizeof(rid)));
	reply_free(&r);
	ts_http_server_stop(s); /* the access line is written before the request completes */
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);

	char text[8192];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	assert_true(n > 0);
	text[n] = '\0';
	close(fd);
	unlink(path);
	const char *line = strstr(text, "\"msg\":\"request\"");
	assert_non_null(line);
	const char *end = strchr(line, '\n');
	assert_non_null(end);
	const char *start = line;
	while (start > text && start[-1] != '\n')
		start--;
	json_t *j = json_loadb(start, (size_t)(end - start), 0, NULL);
	assert_non_null(j);
	assert_string_equal(jstr(j, "rid"), rid);
	assert_string_equal(jstr(j, "method"), "GET");
	assert_string_equal(jstr(j, "route"), "/p/{x}");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
	assert_true(json_is_number(json_object_get(j, "ms")));
	assert_true(json_integer_value(json_object_get(j, "bytes")) > 0);
	json_decref(j);
	assert_null(strstr(text, "079123456789"));
	assert_null(strstr(text, "012345678901"));
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ts_log_set_level(TS_LOG_WARN); /* keep the 200-connection test quiet */
	const struct CMUnitTest shared[] = {
	    cmocka_unit_test(test_server_echoes_body_header_query_cookie),
	    cmocka_unit_test(test_server_adds_request_id_and_security_headers),
	    cmocka_unit_test(test_server_rejects_body_over_cap_with_413),
	    cmocka_unit_test(test_server_rejects_chunked_body_over_cap),
	    cmocka_unit_test(test_server_accepts_body_at_cap),
	    cmocka_unit_test(test_server_begin_zero_cap_refuses_body),
	    cmocka_unit_test(test_server_begin_error_becomes_problem),
	    cmocka_unit_test(test_server_handler_error_becomes_problem),
	    cmocka_unit_test(test_server_path_params_decoded_and_slash_rejected),
	    cmocka_unit_test(test_server_serves_static_files_safely),
	    cmocka_unit_test(test_server_records_metrics),
	    cmocka_unit_test(test_server_answers_200_concurrent_connections),
	    cmocka_unit_test(test_server_bind_conflict_is_unavailable),
	};
	const struct CMUnitTest own[] = {
	    cmocka_unit_test(test_server_stop_drains_inflight_request),
	    cmocka_unit_test(test_server_access_log_has_route_not_query),
	};
	int failed = cmocka_run_group_tests_name("shared server", shared, setup, teardown);
	failed += cmocka_run_group_tests_name("own server", own, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
