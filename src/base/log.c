/* log.c - JSON log lines to stderr; see log.h. */
#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int min_level = TS_LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void ts_log_set_level(enum ts_log_level level) { atomic_store(&min_level, (int)level); }

int ts_log_level_parse(const char *s, enum ts_log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum ts_log_level)i;
			return 0;
		}
	return -1;
}

struct line {
	char buf[2048];
	size_t n;
};

static void put(struct line *l, const char *s, size_t len)
{
	if (l->n + len >= sizeof(l->buf) - 2)
		len = sizeof(l->buf) - 2 - l->n;
	memcpy(l->buf + l->n, s, len);
	l->n += len;
}

static void put_str(struct line *l, const char *s)
{
	put(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(l, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(l, esc, 6);
		} else {
			put(l, (const char *)p, 1);
		}
	}
	put(l, "\"", 1);
}

void ts_log(enum ts_log_level level, const char *msg, ...)
{
	if ((int)level < atomic_load(&min_level))
		return;
	struct line l = {.n = 0};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[96];
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	put(&l, "{\"ts\":", 6);
	put_str(&l, when);
	put(&l, ",\"level\":", 9);
	put_str(&l, names[level]);
	put(&l, ",\"msg\":", 7);
	put_str(&l, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		const char *v = va_arg(ap, const char *);
		int raw = k[0] == '#';
		put(&l, ",", 1);
		put_str(&l, raw ? k + 1 : k);
		put(&l, ":", 1);
		if (!v)
			put(&l, "null", 4);
		else if (raw)
			put(&l, v, strlen(v));
		else
			put_str(&l, v);
	}
	va_end(ap);
	put(&l, "}\n", 2);
	ssize_t w = write(STDERR_FILENO, l.buf, l.n);
	(void)w;
}
