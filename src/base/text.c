/* text.c - Vietnamese search folding (text.h): a UTF-8 decoder plus two tables generated
 * from Unicode canonical decompositions (base letter of every Latin letter with diacritics
 * in U+00C0..U+024F and U+1E00..U+1EFF; '_' = no ASCII base). Pure, no locale. */
#include "base/text.h"

#include <stdint.h>
#include <string.h>

/* U+00C0..U+024F */
static const char fold_00c0[] = "aaaaaa_ceeeeiiiidnooooo__uuuuy__aaaaaa_ceeeeiiii_nooooo__uuuuy_y"
				"aaaaaaccccccccddddeeeeeeeeeegggggggghh__iiiiiiiii___jjkk_llllll_"
				"___nnnnnn___oooooo__rrrrrrsssssssstttt__uuuuuuuuuuuuwwyyyzzzzzz_"
				"________________________________oo_____________uu_______________"
				"_____________aaiioouuuuuuuuuu_aaaa____ggkkoooo__j___gg__nnaa____"
				"aaaaeeeeiiiioooorrrruuuusstt__hh______aaeeooooooooyy____________"
				"________________";

/* U+1E00..U+1EFF (Latin Extended Additional: the Vietnamese tone-marked vowels) */
static const char fold_1e00[] = "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm"
				"mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"
				"wwwwwwwwwwxxxxyyzzzzzzhtwy______aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
				"eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy______";

/* Decodes one code point at s (n bytes left). Returns its length, with *cp set; 0 for an
 * invalid or truncated sequence (overlong forms, surrogates and > U+10FFFF are invalid). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		c = s[0] & 0x1F;
		len = 2;
	} else if ((s[0] & 0xF0) == 0xE0) {
		c = s[0] & 0x0F;
		len = 3;
	} else if ((s[0] & 0xF8) == 0xF0) {
		c = s[0] & 0x07;
		len = 4;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* The ASCII letter cp folds to, 0 when it has none. */
static char fold_letter(uint32_t cp)
{
	char ch = 0;

	if (cp >= 0xC0 && cp <= 0x24F)
		ch = fold_00c0[cp - 0xC0];
	else if (cp >= 0x1E00 && cp <= 0x1EFF)
		ch = fold_1e00[cp - 0x1E00];
	return ch == '_' ? 0 : ch;
}

size_t ts_text_fold(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), i = 0, o = 0, w = 0;
	int full = 0; /* once one code point did not fit, nothing more is written */

	while (i < n) {
		uint32_t cp = 0;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const unsigned char *emit = s + i;
		size_t elen = len;
		char ch = 0;

		if (!len) { /* invalid byte: dropped */
			i++;
			continue;
		}
		i += len;
		if (cp >= 0x300 && cp <= 0x36F) /* combining mark */
			continue;
		if (cp < 0x80) {
			ch = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
			emit = (const unsigned char *)&ch;
			elen = 1;
		} else if ((ch = fold_letter(cp)) != 0) {
			emit = (const unsigned char *)&ch;
			elen = 1;
		}
		if (!full && w + elen < outsz) {
			memcpy(out + w, emit, elen);
			w += elen;
		} else {
			full = 1;
		}
		o += elen;
	}
	if (outsz)
		out[w] = '\0';
	return o;
}

char *ts_text_search_key(struct ts_arena *a, const char *in)
{
	size_t n = strlen(in ? in : ""), o = 0;
	char *buf = ts_arena_alloc(a, n + 1);
	int space = 1; /* suppress leading spaces */

	if (!buf)
		return NULL;
	ts_text_fold(in, buf, n + 1);
	for (size_t i = 0; buf[i]; i++) {
		unsigned char c = (unsigned char)buf[i];
		int keep =
		    c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
		if (keep) {
			buf[o++] = (char)c;
			space = 0;
		} else if (!space) {
			buf[o++] = ' ';
			space = 1;
		}
	}
	if (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
	return buf;
}
