/* httpc.c - HTTP requests for the integrations over libcurl (easy interface, one handle per
 * request; no signals, so it is safe on the dispatcher thread). */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "outbox/httpc.h"

int ts_httpc_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1; }

struct sink {
	struct ts_sbuf b;
	size_t max;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n, room = s->max > s->b.len ? s->max - s->b.len : 0;
	if (room)
		ts_sbuf_put(&s->b, p, len < room ? len : room);
	return len;
}

int ts_httpc_request(const struct ts_httpc_req *r, struct ts_arena *a, long *status,
		     char **body, char *errbuf, size_t errsz)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL, *t;
	struct sink s = {.max = r->max_response ? r->max_response : 65536};
	char line[512], cerr[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	int rc = -1;

	*status = 0;
	*body = NULL;
	if (!h) {
		snprintf(errbuf, errsz, "cannot create an HTTP handle");
		return -1;
	}
	ts_sbuf_init(&s.b, a);
	if (!(hdr = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8")))
		goto out;
	if ((t = curl_slist_append(hdr, "Accept: application/json")))
		hdr = t;
	if (r->bearer && *r->bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", r->bearer);
		if ((t = curl_slist_append(hdr, line)))
			hdr = t;
	}
	if (r->idem_key) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", r->idem_key);
		if ((t = curl_slist_append(hdr, line)))
			hdr = t;
	}
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (r->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	if ((cc = curl_easy_perform(h)) != CURLE_OK) {
		snprintf(errbuf, errsz, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (!s.b.failed && s.b.len)
		*body = s.b.buf;
	rc = 0;
out:
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return rc;
}
