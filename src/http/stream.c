/* stream.c - Server-Sent Events: feeds that broadcast small messages to bounded sets of
 * text/event-stream responses (libmicrohttpd content-reader responses). A waiting stream
 * suspends its connection, so it holds no thread of a server's pool; the feed's thread resumes
 * it when a message, a heartbeat or the end is due. A server that gives every connection its
 * own thread cannot suspend (libmicrohttpd); there the stream waits on its thread for the same
 * moments instead (a "blocking" stream). The second file that sees <microhttpd.h>:
 * server.c hands it the connection of a response that carries a stream. */
#include "http/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/mem.h"
#include "http/http_int.h"

#define PREAMBLE "retry: 2000\n: open\n\n"
#define PING ": ping\n\n"
#define WAKE_BATCH 64

struct ts_http_stream {
	struct ts_http_feed *f;
	struct MHD_Connection *mc; /* set when the response is made */
	const void *owner;         /* the server, for ts_http_stream_stopping */
	struct ts_http_stream *prev, *next;
	struct holder *holder; /* the request's pointer to it until the response owns it */
	char *out;             /* bytes to send: out[off..len) */
	size_t off, len, cap;
	uint64_t seq;          /* the newest message queued to this stream */
	int64_t last_ns;       /* last write */
	int64_t end_ns;        /* end of its lifetime, 0 = none */
	bool suspended;        /* its connection is suspended, waiting for the feed's thread */
	bool blocking;         /* waits in reader on its connection's own thread instead */
	bool closing;          /* end as soon as the queued bytes are out */
};

/* Arena-side handle: the request's cleanup frees the stream only while it is still here,
 * i.e. when no libmicrohttpd response took it over. */
struct holder {
	struct ts_http_stream *s;
};

struct ts_http_feed {
	struct ts_http_feed_options o;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thr;
	bool quit, dirty, poll_failing;
	struct ts_http_stream *head;
	unsigned n;
	uint64_t seq; /* number of the newest message; 0 = none yet */
	char *msg;    /* "event: E\ndata: D\n\n" of message seq */
	size_t msg_len;
	struct ts_http_feed *next_feed; /* the registry */
};

/* Every live feed, so that a stopping server can find its streams, and the servers that
 * are stopping now. Lock order: reg_mu before a feed's mu; neither is held while calling
 * libmicrohttpd, except a feed's mu around MHD_suspend_connection (so that the feed's
 * thread can never resume a connection before it is suspended). */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ts_http_feed *feeds;
static const void *stopping[16];

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool owner_stopping(const void *owner)
{
	bool yes = false;
	pthread_mutex_lock(&reg_mu);
	for (size_t i = 0; i < sizeof(stopping) / sizeof(stopping[0]) && !yes; i++)
		yes = owner && stopping[i] == owner;
	pthread_mutex_unlock(&reg_mu);
	return yes;
}

/* Queues bytes after those not yet sent. Feed lock held. */
static int queue(struct ts_http_stream *s, const char *p, size_t n)
{
	if (s->off == s->len)
		s->off = s->len = 0;
	if (s->len + n > s->cap) {
		size_t want = s->cap ? s->cap : 256;
		while (want < s->len + n)
			want *= 2;
		char *nb = ts_realloc(s->out, want);
		if (!nb)
			return TS_ERR_NOMEM;
		s->out = nb;
		s->cap = want;
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
	return 0;
}

/* Does the stream have something to say (or to end)? Feed lock held. */
static bool due(const struct ts_http_feed *f, const struct ts_http_stream *s, int64_t now)
{
	return s->closing || f->quit || s->seq < f->seq || (s->end_ns && now >= s->end_ns) ||
	       now - s->last_ns >= (int64_t)f->o.heartbeat_s * 1000000000;
}

/* Unlinks and frees. Feed lock held. */
static void drop(struct ts_http_stream *s)
{
	struct ts_http_feed *f = s->f;
	if (s->prev)
		s->prev->next = s->next;
	else
		f->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	f->n--;
	pthread_cond_broadcast(&f->cv); /* ts_http_feed_free may wait for the last one */
	ts_free(s->out);
	ts_free(s);
}

/* Waits on the feed until the stream's next heartbeat or end, or a broadcast (a message, the
 * feed's or the server's end). Feed lock held. */
static void wait_due(struct ts_http_feed *f, const struct ts_http_stream *s)
{
	int64_t until = s->last_ns + (int64_t)f->o.heartbeat_s * 1000000000;
	if (s->end_ns && s->end_ns < until)
		until = s->end_ns;
	struct timespec ts = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
	pthread_cond_timedwait(&f->cv, &f->mu, &ts);
}

/* libmicrohttpd asks for the next bytes: what is queued, else the newest message, a
 * heartbeat or the end; with nothing to say the connection is suspended until the feed's
 * thread resumes it, or a blocking stream waits here until one of them is due. */
static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct ts_http_stream *s = cls;
	struct ts_http_feed *f = s->f;
	int64_t now = now_ns();
	ssize_t rc;
	pthread_mutex_lock(&f->mu);
	while (s->blocking && s->off == s->len && !due(f, s, now)) {
		wait_due(f, s);
		now = now_ns();
	}
	if (s->off == s->len) {
		if (f->quit || (s->end_ns && now >= s->end_ns))
			s->closing = true;
		if (!s->closing && s->seq < f->seq) {
			if (queue(s, f->msg, f->msg_len) != 0)
				s->closing = true; /* cannot say it: end, the client reconnects */
			s->seq = f->seq;
		} else if (!s->closing &&
			   now - s->last_ns >= (int64_t)f->o.heartbeat_s * 1000000000) {
			if (queue(s, PING, sizeof(PING) - 1) != 0)
				s->closing = true;
		}
	}
	if (s->off < s->len) {
		size_t n = s->len - s->off < max ? s->len - s->off : max;
		memcpy(buf, s->out + s->off, n);
		s->off += n;
		s->last_ns = now;
		rc = (ssize_t)n;
	} else if (s->closing) {
		rc = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		s->suspended = true;
		MHD_suspend_connection(s->mc);
		rc = 0;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

/* The response is gone (sent, failed or the client left): the stream goes with it. */
static void reader_free(void *cls)
{
	struct ts_http_stream *s = cls;
	struct ts_http_feed *f = s->f;
	pthread_mutex_lock(&f->mu);
	drop(s);
	pthread_mutex_unlock(&f->mu);
}

/* The request ends without a response having taken the stream (an error after open). */
static void holder_release(void *p)
{
	struct holder *h = p;
	if (!h->s)
		return;
	struct ts_http_feed *f = h->s->f;
	pthread_mutex_lock(&f->mu);
	drop(h->s);
	pthread_mutex_unlock(&f->mu);
	h->s = NULL;
}

struct MHD_Response *ts_http_stream_response(struct ts_http_stream *s, struct MHD_Connection *mc,
					     const void *owner, bool blocking)
{
	struct ts_http_feed *f = s->f;
	struct MHD_Response *mr;
	pthread_mutex_lock(&f->mu);
	s->mc = mc;
	s->owner = owner;
	s->blocking = blocking;
	pthread_mutex_unlock(&f->mu);
	/* a stream made while its server stops ends after its preamble */
	if (owner_stopping(owner)) {
		pthread_mutex_lock(&f->mu);
		s->closing = true;
		pthread_mutex_unlock(&f->mu);
	}
	mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, reader_free);
	if (mr && s->holder) {
		s->holder->s = NULL; /* the response owns the stream now */
		s->holder = NULL;
	}
	return mr;
}

/* Resumes the suspended streams that are due (all of owner's when owner is set, marking
 * them closing). Takes and releases f->mu; returns true when a batch was full (call again). */
static bool wake(struct ts_http_feed *f, const void *owner)
{
	struct MHD_Connection *mcs[WAKE_BATCH];
	int n = 0;
	bool more = false;
	int64_t now = now_ns();
	pthread_mutex_lock(&f->mu);
	if (owner)
		pthread_cond_broadcast(&f->cv); /* the blocking streams, marked closing below */
	for (struct ts_http_stream *s = f->head; s; s = s->next) {
		if (owner && s->owner == owner)
			s->closing = true;
		if (!s->suspended || !due(f, s, now))
			continue;
		if (n == WAKE_BATCH) {
			more = true;
			break;
		}
		s->suspended = false;
		mcs[n++] = s->mc;
	}
	pthread_mutex_unlock(&f->mu);
	/* still suspended until resumed here, so libmicrohttpd cannot free them meanwhile */
	for (int i = 0; i < n; i++)
		MHD_resume_connection(mcs[i]);
	return more;
}

void ts_http_stream_stopping(const void *owner, bool on)
{
	pthread_mutex_lock(&reg_mu);
	for (size_t i = 0; i < sizeof(stopping) / sizeof(stopping[0]); i++) {
		if (on && !stopping[i]) {
			stopping[i] = owner;
			break;
		}
		if (!on && stopping[i] == owner)
			stopping[i] = NULL;
	}
	if (on)
		for (struct ts_http_feed *f = feeds; f; f = f->next_feed)
			while (wake(f, owner))
				;
	pthread_mutex_unlock(&reg_mu);
}

static void *feed_main(void *arg)
{
	struct ts_http_feed *f = arg;
	pthread_mutex_lock(&f->mu);
	while (!f->quit) {
		bool listening = f->n > 0;
		pthread_mutex_unlock(&f->mu);
		if (listening && f->o.poll) {
			char *data = NULL;
			int rc = f->o.poll(f->o.ud, &data);
			if (rc > 0 && data)
				ts_http_feed_publish(f, data);
			ts_free(data);
			pthread_mutex_lock(&f->mu);
			if (rc < 0 && !f->poll_failing)
				ts_log(TS_LOG_WARN, "event feed: poll failed", "event", f->o.event, NULL);
			f->poll_failing = rc < 0;
			pthread_mutex_unlock(&f->mu);
		}
		while (wake(f, NULL))
			;
		pthread_mutex_lock(&f->mu);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)f->o.poll_ms * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (!f->quit && !f->dirty)
			if (pthread_cond_timedwait(&f->cv, &f->mu, &until) == ETIMEDOUT)
				break;
		f->dirty = false;
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

int ts_http_feed_new(const struct ts_http_feed_options *o, struct ts_http_feed **out,
		     struct ts_error *err)
{
	*out = NULL;
	struct ts_http_feed *f = ts_calloc(1, sizeof(*f));
	if (!f)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	f->o = *o;
	if (!f->o.event)
		f->o.event = "message";
	if (f->o.heartbeat_s < 1)
		f->o.heartbeat_s = 1;
	if (f->o.poll_ms < 50)
		f->o.poll_ms = 50;
	if (f->o.poll_ms > 1000)
		f->o.poll_ms = 1000;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int ok = pthread_mutex_init(&f->mu, NULL) == 0;
	if (ok && pthread_cond_init(&f->cv, &ca) != 0) {
		pthread_mutex_destroy(&f->mu);
		ok = 0;
	}
	pthread_condattr_destroy(&ca);
	if (!ok) {
		ts_free(f);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "không khởi tạo được khóa");
	}
	if (pthread_create(&f->thr, NULL, feed_main, f) != 0) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->mu);
		ts_free(f);
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "không tạo được luồng sự kiện");
	}
	pthread_mutex_lock(&reg_mu);
	f->next_feed = feeds;
	feeds = f;
	pthread_mutex_unlock(&reg_mu);
	*out = f;
	return 0;
}

void ts_http_feed_free(struct ts_http_feed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&reg_mu);
	for (struct ts_http_feed **p = &feeds; *p; p = &(*p)->next_feed)
		if (*p == f) {
			*p = f->next_feed;
			break;
		}
	pthread_mutex_unlock(&reg_mu);
	pthread_mutex_lock(&f->mu);
	f->quit = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thr, NULL);
	/* streams still open belong to a server that is still running: end and wake them,
	 * then wait until their responses are gone */
	while (wake(f, NULL))
		;
	pthread_mutex_lock(&f->mu);
	while (f->n > 0)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	ts_free(f->msg);
	ts_free(f);
}

int ts_http_feed_publish(struct ts_http_feed *f, const char *data)
{
	if (strchr(data, '\n') || strchr(data, '\r'))
		return TS_ERR_VALIDATION;
	size_t n = strlen("event: \ndata: \n\n") + strlen(f->o.event) + strlen(data) + 1;
	char *m = ts_malloc(n);
	if (!m)
		return TS_ERR_NOMEM;
	int len = snprintf(m, n, "event: %s\ndata: %s\n\n", f->o.event, data);
	pthread_mutex_lock(&f->mu);
	ts_free(f->msg);
	f->msg = m;
	f->msg_len = (size_t)len;
	f->seq++;
	f->dirty = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

int ts_http_feed_open(struct ts_http_feed *f, struct ts_http_req *r, struct ts_http_resp *resp,
		      struct ts_error *err)
{
	/* only an event-stream client gets a stream that never ends (a plain GET would hang) */
	const char *accept = ts_http_header_get(r, "Accept");
	if (!accept || (!strstr(accept, "text/event-stream") && !strstr(accept, "*/*")))
		return ts_error_set(err, TS_ERR_NOT_ACCEPTABLE, NULL,
				    "Đây là luồng sự kiện: cần tiêu đề Accept: text/event-stream");
	struct holder *h = ts_arena_zalloc(r->arena, sizeof(*h));
	struct ts_http_stream *s = h ? ts_calloc(1, sizeof(*s)) : NULL;
	int rc;
	if (!s)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	s->f = f;
	s->holder = h;
	s->last_ns = now_ns();
	if (f->o.max_s)
		s->end_ns = s->last_ns + (int64_t)f->o.max_s * 1000000000;
	if (queue(s, PREAMBLE, sizeof(PREAMBLE) - 1) != 0) {
		ts_free(s);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	pthread_mutex_lock(&f->mu);
	if (f->quit || f->n >= f->o.max_streams) {
		unsigned max = f->o.max_streams;
		pthread_mutex_unlock(&f->mu);
		ts_free(s->out);
		ts_free(s);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL,
				    "Đã đủ %u kết nối theo dõi trực tiếp, vui lòng thử lại sau", max);
	}
	s->seq = f->seq; /* the client reads the state itself once connected */
	s->next = f->head;
	if (f->head)
		f->head->prev = s;
	f->head = s;
	f->n++;
	pthread_mutex_unlock(&f->mu);
	h->s = s;
	if (ts_arena_on_release(r->arena, holder_release, h) != 0) {
		holder_release(h);
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	}
	if ((rc = ts_http_resp_header(r, resp, "X-Accel-Buffering", "no")) != 0)
		return ts_error_set(err, rc, NULL, NULL);
	resp->status = 200;
	resp->content_type = "text/event-stream; charset=utf-8";
	resp->stream = s;
	return 0;
}

unsigned ts_http_feed_streams(struct ts_http_feed *f)
{
	pthread_mutex_lock(&f->mu);
	unsigned n = f->n;
	pthread_mutex_unlock(&f->mu);
	return n;
}
