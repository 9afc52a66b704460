/* names.c - file names of attachments: cleaning what a client sends (no paths, no control
 * characters, Vietnamese kept) and the RFC 6266 Content-Disposition of a download. Pure. */
#include <string.h>

#include "attach/attach.h"
#include "base/text.h"

#define NAME_MAX_BYTES 180

/* Length of the valid UTF-8 sequence at s (1..4) and its code point, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t left, unsigned *cp)
{
	unsigned c = s[0];
	size_t n;
	unsigned v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static bool dropped(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0xfeff || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || strchr("<>:\"|?*", (int)cp) != NULL;
}

char *ts_attach_clean_name(struct ts_arena *a, const char *raw)
{
	const unsigned char *s = (const unsigned char *)(raw ? raw : "");
	const unsigned char *base = s;
	size_t len, o = 0;
	char *out, *ext;

	/* the last path component, whichever separator the client's system uses */
	for (const unsigned char *p = s; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	len = strlen((const char *)base);
	out = ts_arena_alloc(a, len + 8);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_next(base + i, len - i, &cp);
		if (n == 0) {
			i++; /* invalid byte: dropped */
			continue;
		}
		if (!dropped(cp)) {
			memcpy(out + o, base + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	/* trim spaces and dots at both ends ("..", ".htaccess" and "a.pdf. " lose them) */
	size_t b = 0;
	while (out[b] == ' ' || out[b] == '.')
		b++;
	while (o > b && (out[o - 1] == ' ' || out[o - 1] == '.'))
		o--;
	memmove(out, out + b, o - b);
	o -= b;
	out[o] = '\0';
	if (o > NAME_MAX_BYTES) {
		/* keep the extension (up to 10 bytes), cut the stem on a code point boundary */
		ext = strrchr(out, '.');
		size_t elen = ext && (size_t)(out + o - ext) <= 10 ? (size_t)(out + o - ext) : 0;
		size_t cut = NAME_MAX_BYTES - elen;
		while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
			cut--;
		memmove(out + cut, out + o - elen, elen);
		o = cut + elen;
		out[o] = '\0';
	}
	if (o == 0)
		return ts_arena_strdup(a, "tep");
	return out;
}

/* Upper-case Latin letters of the blocks Vietnamese uses (Latin-1, Extended-A, Ơ Ư,
 * Latin Extended Additional), so the ASCII fallback keeps the case: "Đơn" -> "Don". */
static bool is_upper(unsigned cp)
{
	return (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) || (cp >= 0x100 && cp <= 0x17f && cp % 2 == 0) ||
	       cp == 0x1a0 || cp == 0x1af || (cp >= 0x1e00 && cp <= 0x1eff && cp % 2 == 0);
}

char *ts_attach_disposition(struct ts_arena *a, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)(name ? name : "tep");
	size_t len = strlen((const char *)s);
	struct ts_sbuf b;
	char fold[16];

	ts_sbuf_init(&b, a);
	ts_sbuf_put(&b, "attachment; filename=\"", 22);
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (n == 0) {
			i++;
			continue;
		}
		if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\' && cp != '%') {
			ts_sbuf_put(&b, (const char *)s + i, 1);
		} else if (cp >= 0x80) {
			/* the ASCII fallback: one letter without its diacritics, or '_' */
			char one[8];
			memcpy(one, s + i, n);
			one[n] = '\0';
			size_t fl = ts_text_fold(one, fold, sizeof(fold));
			bool ok = fl == 1 && fold[0] >= 0x20 && fold[0] < 0x7f && fold[0] != '"' &&
				  fold[0] != '\\';
			if (ok && is_upper(cp) && fold[0] >= 'a' && fold[0] <= 'z')
				fold[0] = (char)(fold[0] - 'a' + 'A');
			ts_sbuf_put(&b, ok ? fold : "_", 1);
		} else {
			ts_sbuf_put(&b, "_", 1);
		}
		i += n;
	}
	ts_sbuf_put(&b, "\"; filename*=UTF-8''", 20);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		/* RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~" */
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c && strchr("!#$&+-.^_`|~", c))) {
			ts_sbuf_put(&b, (const char *)&c, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			ts_sbuf_put(&b, e, 3);
		}
	}
	return b.failed ? NULL : b.buf;
}
