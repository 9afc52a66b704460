/* metrics.c - process-wide HTTP metrics in Prometheus text format 0.0.4: a request counter
 * per (route, method, status) and a latency histogram per (route, method). One mutex guards
 * the registry; the number of series is capped and the overflow folds into route="other",
 * so hostile paths or methods cannot grow memory without bound. */
#include "http/http.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"

#define MAX_SERIES 4096 /* per table; the last RESERVE slots only take route="other" */
#define RESERVE 1024
#define SLOTS 8192 /* open-addressing table size, a power of two > MAX_SERIES */

static const double bucket_le[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				   0.25,  0.5,	  1,	 2.5,  5,     10};
static const char *const bucket_txt[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
					 "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct series {
	char *route;		    /* heap, lives for the process */
	const char *method;	    /* static (normalised) */
	int status;		    /* 0 for histograms */
	uint64_t count;		    /* requests (counter) or observations (histogram) */
	uint64_t buckets[NBUCKETS]; /* histograms: non-cumulative counts per bucket */
	double sum;
};

struct table {
	struct series *items[MAX_SERIES]; /* insertion order, for a stable rendering */
	int n;
	int16_t slot[SLOTS]; /* index + 1 into items, 0 = empty */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct table counters, histograms;

/* Methods are client-chosen tokens; anything unusual is one label value. */
static const char *norm_method(const char *m)
{
	static const char *const known[] = {"GET",    "HEAD",	 "POST", "PUT",
					    "DELETE", "OPTIONS", "PATCH"};
	for (size_t i = 0; m && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(m, known[i]) == 0)
			return known[i];
	return "OTHER";
}

static uint32_t hash_key(const char *route, const char *method, int status)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)route; *p; p++)
		h = (h ^ *p) * 16777619u;
	for (const unsigned char *p = (const unsigned char *)method; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ (uint32_t)status) * 16777619u;
	return h;
}

/* Finds or creates the series; NULL when the table is full or memory ran out. */
static struct series *lookup(struct table *t, const char *route, const char *method, int status,
			     int limit)
{
	uint32_t i = hash_key(route, method, status) & (SLOTS - 1);
	for (;; i = (i + 1) & (SLOTS - 1)) {
		int s = t->slot[i];
		if (s == 0)
			break;
		struct series *x = t->items[s - 1];
		if (x->status == status && x->method == method && strcmp(x->route, route) == 0)
			return x;
	}
	if (t->n >= limit)
		return NULL;
	struct series *x = ts_calloc(1, sizeof(*x));
	char *r = ts_strdup(route);
	if (!x || !r) {
		ts_free(x);
		ts_free(r);
		return NULL;
	}
	x->route = r;
	x->method = method;
	x->status = status;
	t->items[t->n++] = x;
	t->slot[i] = (int16_t)t->n;
	return x;
}

static struct series *get(struct table *t, const char *route, const char *method, int status)
{
	struct series *x = lookup(t, route, method, status, MAX_SERIES - RESERVE);
	if (!x)
		x = lookup(t, "other", method, status, MAX_SERIES);
	return x;
}

void ts_http_metrics_observe(const char *route, const char *method, int status, double seconds)
{
	const char *m = norm_method(method);
	if (!route || !*route)
		route = "unmatched";
	if (status < 100 || status > 599)
		status = 0;
	if (!(seconds >= 0)) /* also catches NaN */
		seconds = 0;
	pthread_mutex_lock(&mu);
	struct series *c = get(&counters, route, m, status);
	if (c)
		c->count++;
	struct series *h = get(&histograms, route, m, 0);
	if (h) {
		h->count++;
		h->sum += seconds;
		for (size_t b = 0; b < NBUCKETS; b++)
			if (seconds <= bucket_le[b]) {
				h->buckets[b]++;
				break;
			}
	}
	pthread_mutex_unlock(&mu);
}

/* A growable heap buffer for rendering; failure is sticky and reported at the end. */
struct out {
	char *buf;
	size_t len, cap;
	int failed;
};

__attribute__((format(printf, 2, 3))) static void outf(struct out *o, const char *fmt, ...)
{
	if (o->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? o->cap - o->len : 0,
				  fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if (o->buf && o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		}
		size_t want = o->cap ? o->cap * 2 : 16384;
		while (want <= o->len + (size_t)n)
			want *= 2;
		char *nb = ts_realloc(o->buf, want);
		if (!nb) {
			o->failed = 1;
			return;
		}
		o->buf = nb;
		o->cap = want;
	}
}

/* Label values escaped as the exposition format asks: backslash, quote, newline. */
static void out_label(struct out *o, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\\')
			outf(o, "\\\\");
		else if (*p == '"')
			outf(o, "\\\"");
		else if (*p == '\n')
			outf(o, "\\n");
		else
			outf(o, "%c", *p);
	}
}

static void out_labels(struct out *o, const struct series *x)
{
	outf(o, "route=\"");
	out_label(o, x->route);
	outf(o, "\",method=\"%s\"", x->method);
}

char *ts_http_metrics_render(struct ts_arena *a, const char *extra)
{
	struct out o = {0};
	char *res = NULL;
	pthread_mutex_lock(&mu);
	outf(&o, "# HELP tinhso_http_requests_total HTTP requests answered, by route, method "
		 "and status.\n# TYPE tinhso_http_requests_total counter\n");
	for (int i = 0; i < counters.n; i++) {
		const struct series *x = counters.items[i];
		outf(&o, "tinhso_http_requests_total{");
		out_labels(&o, x);
		outf(&o, ",status=\"%d\"} %llu\n", x->status, (unsigned long long)x->count);
	}
	outf(&o, "# HELP tinhso_http_request_duration_seconds Time from request arrival to the "
		 "response being sent.\n# TYPE tinhso_http_request_duration_seconds histogram\n");
	for (int i = 0; i < histograms.n; i++) {
		const struct series *x = histograms.items[i];
		uint64_t cum = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += x->buckets[b];
			outf(&o, "tinhso_http_request_duration_seconds_bucket{");
			out_labels(&o, x);
			outf(&o, ",le=\"%s\"} %llu\n", bucket_txt[b], (unsigned long long)cum);
		}
		outf(&o, "tinhso_http_request_duration_seconds_bucket{");
		out_labels(&o, x);
		outf(&o, ",le=\"+Inf\"} %llu\n", (unsigned long long)x->count);
		outf(&o, "tinhso_http_request_duration_seconds_sum{");
		out_labels(&o, x);
		outf(&o, "} %.9g\n", x->sum);
		outf(&o, "tinhso_http_request_duration_seconds_count{");
		out_labels(&o, x);
		outf(&o, "} %llu\n", (unsigned long long)x->count);
	}
	pthread_mutex_unlock(&mu);
	if (extra && *extra)
		outf(&o, "%s%s", extra, extra[strlen(extra) - 1] == '\n' ? "" : "\n");
	if (!o.failed)
		res = ts_arena_strndup(a, o.buf, o.len);
	ts_free(o.buf);
	return res;
}
