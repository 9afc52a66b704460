/* test_text_fold.c - Vietnamese search folding (base/text.h): every vowel with every tone in
 * lower and upper case, đ/Đ, combining marks, truncation and the search key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/text.h"

static void expect_fold(const char *in, const char *want)
{
	char out[1024];
	size_t n = ts_text_fold(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_text_fold_all_vowels_all_tones(void **state)
{
	(void)state;
	expect_fold("aàáảãạăằắẳẵặâầấẩẫậ", "aaaaaaaaaaaaaaaaaa");
	expect_fold("eèéẻẽẹêềếểễệ", "eeeeeeeeeeee");
	expect_fold("iìíỉĩị", "iiiiii");
	expect_fold("oòóỏõọôồốổỗộơờớởỡợ", "oooooooooooooooooo");
	expect_fold("uùúủũụưừứửữự", "uuuuuuuuuuuu");
	expect_fold("yỳýỷỹỵ", "yyyyyy");
	expect_fold("AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", "aaaaaaaaaaaaaaaaaa");
	expect_fold("EÈÉẺẼẸÊỀẾỂỄỆ", "eeeeeeeeeeee");
	expect_fold("IÌÍỈĨỊ", "iiiiii");
	expect_fold("OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", "oooooooooooooooooo");
	expect_fold("UÙÚỦŨỤƯỪỨỬỮỰ", "uuuuuuuuuuuu");
	expect_fold("YỲÝỶỸỴ", "yyyyyy");
}

static void test_text_fold_d_stroke_and_upper_case(void **state)
{
	(void)state;
	expect_fold("đĐ", "dd");
	expect_fold("Thủ tục ĐĂNG KÝ khai sinh", "thu tuc dang ky khai sinh");
	expect_fold("Ủy ban nhân dân cấp xã", "uy ban nhan dan cap xa");
}

static void test_text_fold_combining_marks(void **state)
{
	(void)state;
	/* decomposed: a + U+0301, u + U+031B (horn) + U+0300, e + U+0302 + U+0323 */
	expect_fold("a\xcc\x81", "a");
	expect_fold("u\xcc\x9b\xcc\x80", "u");
	expect_fold("E\xcc\x82\xcc\xa3", "e");
	expect_fold("Tha\xcc\x89 tu\xcc\xa3"
		    "c",
		    "tha tuc");
}

static void test_text_fold_keeps_other_text_and_drops_invalid(void **state)
{
	(void)state;
	expect_fold("1.001193", "1.001193");
	expect_fold("日本", "日本");
	expect_fold("a\xff"
		    "b\xc3",
		    "ab");
	expect_fold(NULL, "");
}

static void test_text_fold_truncates_at_code_points(void **state)
{
	char out[4];
	(void)state;
	assert_int_equal(ts_text_fold("ĐĂNG", out, sizeof(out)), 4);
	assert_string_equal(out, "dan");
	assert_int_equal(ts_text_fold("日本", out, sizeof(out)), 6);
	assert_string_equal(out, "日");
}

static void test_text_search_key_words(void **state)
{
	struct ts_arena a;
	(void)state;
	ts_arena_init(&a, 0);
	assert_string_equal(ts_text_search_key(&a, "  Thủ tục  đăng-ký (khai sinh), "),
			    "thu tuc dang ky khai sinh");
	assert_string_equal(ts_text_search_key(&a, "1.001193 Đăng ký"), "1.001193 dang ky");
	assert_string_equal(ts_text_search_key(&a, ""), "");
	ts_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_fold_all_vowels_all_tones),
	    cmocka_unit_test(test_text_fold_d_stroke_and_upper_case),
	    cmocka_unit_test(test_text_fold_combining_marks),
	    cmocka_unit_test(test_text_fold_keeps_other_text_and_drops_invalid),
	    cmocka_unit_test(test_text_fold_truncates_at_code_points),
	    cmocka_unit_test(test_text_search_key_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
