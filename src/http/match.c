/* match.c - route pattern matching for the dispatcher: literal segments, "{name}" for one
 * percent-decoded segment and "{name...}" for the rest of the path. Also the shared
 * percent-decoder (http_int.h). Pure functions, thread-safe. */
#include "http/http.h"

#include <string.h>

#include "http/http_int.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *ts_http_pct_decode(struct ts_arena *a, const char *s, size_t len, bool plus_space,
			 size_t *out_len)
{
	char *d = ts_arena_alloc(a, len + 1);
	if (!d)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3)
				return NULL;
			int hi = hexval((unsigned char)s[i + 1]),
			    lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (c == '\0')
			return NULL;
		d[n++] = (char)c;
	}
	d[n] = '\0';
	if (out_len)
		*out_len = n;
	return d;
}

/* The segment [s, *end) starting at s (after a '/'), ending at the next '/' or NUL. */
static const char *seg_end(const char *s)
{
	const char *e = strchr(s, '/');
	return e ? e : s + strlen(s);
}

/* "{name}" -> 1, "{name...}" -> 2, anything else (a literal) -> 0. */
static int param_kind(const char *s, size_t n)
{
	if (n < 3 || s[0] != '{' || s[n - 1] != '}')
		return 0;
	if (n >= 6 && memcmp(s + n - 4, "...}", 4) == 0)
		return 2;
	return 1;
}

bool ts_http_match(const char *pattern, const char *path, struct ts_arena *a, const char **vals,
		   int max, int *nvals)
{
	int n = 0;
	bool ok = false;
	if (!pattern || !path || pattern[0] != '/' || path[0] != '/')
		goto out;
	const char *p = pattern + 1, *q = path + 1;
	for (;;) {
		const char *pe = seg_end(p), *qe = seg_end(q);
		size_t pn = (size_t)(pe - p), qn = (size_t)(qe - q);
		int kind = param_kind(p, pn);
		if (kind == 2) {
			/* the rest of the path, which must be non-empty; only as the last segment
			 */
			size_t rest = strlen(q);
			if (*pe != '\0' || rest == 0 || n >= max || !a)
				goto out;
			vals[n] = ts_http_pct_decode(a, q, rest, false, NULL);
			if (!vals[n])
				goto out;
			n++;
			ok = true;
			goto out;
		} else if (kind == 1) {
			if (qn == 0 || n >= max || !a)
				goto out;
			const char *v = ts_http_pct_decode(a, q, qn, false, NULL);
			if (!v || strchr(v, '/'))
				goto out;
			vals[n++] = v;
		} else if (pn != qn || memcmp(p, q, pn) != 0) {
			goto out;
		}
		if (*pe == '\0' || *qe == '\0') {
			ok = *pe == '\0' && *qe == '\0';
			goto out;
		}
		p = pe + 1;
		q = qe + 1;
	}
out:
	if (nvals)
		*nvals = ok ? n : 0;
	return ok;
}
