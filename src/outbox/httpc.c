/* httpc.c - HTTP requests for the integrations over libcurl (easy interface, one handle per
 * request; no signals, so it is safe on the dispatcher thread). */
#include <curl/curl.h>
#include <sodium.h>
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

struct source {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct source *s = ud;
	size_t len = size * n < s->left ? size * n : s->left;
	memcpy(buf, s->p, len);
	s->p += len;
	s->left -= len;
	return len;
}

int ts_httpc_mail_send(const struct ts_httpc_mail *m, struct ts_arena *a, char *errbuf,
		       size_t errsz)
{
	CURL *h = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	size_t slen = strlen(m->subject), b64len = sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = ts_arena_alloc(a, b64len), *msg, *to, *from;
	CURLcode cc;
	int rc = -1;

	if (!h || !b64) {
		snprintf(errbuf, errsz, "cannot prepare the e-mail");
		goto out;
	}
	sodium_bin2base64(b64, b64len, (const unsigned char *)m->subject, slen,
			  sodium_base64_VARIANT_ORIGINAL);
	/* bodies are text: lines end in CRLF on the wire */
	struct ts_sbuf body;
	ts_sbuf_init(&body, a);
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			ts_sbuf_put(&body, "\r", 1);
		ts_sbuf_put(&body, p, 1);
	}
	ts_sbuf_put(&body, "", 0);
	msg = ts_arena_printf(a,
			      "From: <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?%s?=\r\n"
			      "Message-ID: <%s@tinhso>\r\nMIME-Version: 1.0\r\n"
			      "Content-Type: text/plain; charset=UTF-8\r\n"
			      "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
			      m->from, m->to, b64, m->msg_id, body.buf ? body.buf : "");
	to = ts_arena_printf(a, "<%s>", m->to);
	from = ts_arena_printf(a, "<%s>", m->from);
	if (!msg || !to || !from || body.failed || !(rcpt = curl_slist_append(NULL, to))) {
		snprintf(errbuf, errsz, "cannot prepare the e-mail");
		goto out;
	}
	struct source src = {msg, strlen(msg)};
	curl_easy_setopt(h, CURLOPT_URL, m->smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &src);
	curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)src.left);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, m->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, m->timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	if ((cc = curl_easy_perform(h)) != CURLE_OK) {
		snprintf(errbuf, errsz, "smtp: %s", cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return rc;
}
