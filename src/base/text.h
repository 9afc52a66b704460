/* text.h - Vietnamese text folding for search: lower case, diacritics stripped (precomposed
 * and combining forms), đ/Đ -> d, so "Thủ tục ĐĂNG KÝ" and "thu tuc dang ky" compare equal.
 * Pure functions over UTF-8; used by the catalogue (search_text column and queries). */
#ifndef TS_BASE_TEXT_H
#define TS_BASE_TEXT_H

#include <stddef.h>

#include "base/arena.h"

/* Folds UTF-8 `in` into `out` (outsz bytes, always NUL-terminated when outsz > 0): ASCII
 * upper case -> lower case; Latin letters with diacritics (U+00C0..U+024F, U+1E00..U+1EFF,
 * all Vietnamese vowels with every tone) -> their ASCII base letter; đ/Đ -> d; combining
 * marks U+0300..U+036F dropped; other code points copied; invalid UTF-8 bytes dropped.
 * The result is never longer than the input, so outsz = strlen(in) + 1 always suffices.
 * Returns the length of the full result (like snprintf: >= outsz means truncated, and a
 * truncated result never ends inside a code point). Thread-safe; in may be NULL ("" ). */
size_t ts_text_fold(const char *in, char *out, size_t outsz);

/* Folds like ts_text_fold, then turns every ASCII character other than a-z, 0-9 and '.'
 * into a space, collapses runs of spaces and trims, giving words separated by one space:
 * "Thủ tục  đăng-ký (khai sinh)" -> "thu tuc dang ky khai sinh". The key stored in
 * search_text and compared with queries. Result in a; NULL on allocation failure. */
char *ts_text_search_key(struct ts_arena *a, const char *in);

#endif
