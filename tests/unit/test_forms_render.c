/* test_forms_render.c - every printed form rendered from a fixture dossier (no store) whose
 * names use the whole Vietnamese alphabet, some of it sent decomposed (NFD); the text that
 * pdftotext extracts must hold the expected strings exactly; the form set follows the date
 * the dossier was received (01/2018 has no stop notice); forms without data are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forms/forms.h"

/* Every vowel with every tone, both cases, and đ/Đ (NFC). */
#define NAME "Đặng Thị Ánh Ằng Ẩn Ẫu Ệ Ỉ Ọ Ồ Ở Ợ Ũ Ừ Ỹ đà ả ẵ ậ è ẽ ế ì ĩ ò ỗ ớ ỡ ù ủ ự ỳ ý ỵ"
/* "Huỳnh Ngọc Ẩn" with its marks as combining characters (NFD) */
#define NFD_ADDR "Hu\x79\xcc\x80nh Ngo\xcc\xa3" "c A\xcc\x82\xcc\x89n, ph\x75\xcc\x9bo\xcc\x9b\xcc\x80ng"

static char *extract(const char *pdf, size_t len)
{
	char path[] = "/tmp/forms-test-XXXXXX", cmd[128];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pdf, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "pdftotext -raw %s - 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char *out = calloc(1, 1 << 20);
	size_t n = fread(out, 1, (1 << 20) - 1, p);
	out[n] = '\0';
	pclose(p);
	unlink(path);
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return out;
}

static struct ts_dossier fixture(int64_t received)
{
	struct ts_dossier d = {0};
	d.code = "000.00.31.H99-250801-0007";
	d.procedure_code = "1.001193";
	d.procedure_name = "Đăng ký khai sinh";
	d.applicant_name = NAME;
	d.applicant_phone = "0912000001";
	d.submitted_at = d.accepted_at = received;
	d.due_at = d.original_due_at = received + 3 * 86400;
	d.current_due_at = received + 6 * 86400;
	d.time_amount = 3;
	d.time_unit = 1;
	d.delivery = TS_DELIVERY_POST;
	d.status = TS_DS_PROCESSING;
	return d;
}

static const struct ts_dossier_event events[] = {
    {.at = 1754010000, .action = "submit", .actor_label = "congdan1", .from_status = 0, .to_status = 1, .step = 1},
    {.at = 1754013600, .action = "accept", .actor_label = "motcua.xa1", .from_status = 1, .to_status = 2, .step = 1},
    {.at = 1754013600, .action = "forward", .actor_label = "motcua.xa1", .from_status = 2, .to_status = 4, .step = 1,
     .to_step = 2, .handed_at = 1754013600, .result = "on_time"},
    {.at = 1754020000, .action = "request_supplement", .actor_label = "chuyenvien.tp", .from_status = 4,
     .to_status = 5, .step = 2, .reason = "Thiếu chữ ký",
     .items = "[{\"document\":\"TP01\",\"reason\":\"Tờ khai chưa ký, ghi rõ họ tên\"}]"},
    {.at = 1754030000, .action = "apologize", .actor_label = "chuyenvien.tp", .from_status = 4, .to_status = 4,
     .step = 2, .reason = "Cần xác minh thêm"},
    {.at = 1754040000, .action = "refuse", .actor_label = "motcua.xa1", .reason = "Không thuộc thẩm quyền"},
    {.at = 1754050000, .action = "stop", .actor_label = "lanhdao.tp", .reason = "Người nộp đề nghị dừng"},
};
static const char *const names[] = {"Nguyễn Thị Bình", "Trần Thị Mai", "Trần Thị Mai", "Lê Văn Chuyên",
				    "Lê Văn Chuyên", "Trần Thị Mai", "Phạm Lãnh Đạo"};
static const struct ts_dossier_doc docs[] = {{.code = "TP01", .name = "Tờ khai đăng ký khai sinh", .originals = 1},
					     {.code = "TP02", .name = "Giấy chứng sinh", .copies = 1}};

static struct ts_form_input input(const struct ts_dossier *d)
{
	return (struct ts_form_input){.d = d, .events = events, .nevents = 7, .actor_names = names,
				      .docs = docs, .ndocs = 2, .agency_parent = "Ủy ban nhân dân tỉnh Sông Xanh",
				      .agency = "Xã An Bình", .competent = "Sở Tư pháp",
				      .competent_parent = "Ủy ban nhân dân tỉnh Sông Xanh", .address = NFD_ADDR,
				      .place = "Sông Xanh", .now = 1754060000};
}

static char *render(int form, const struct ts_form_input *in, int *rc)
{
	struct ts_arena a;
	struct ts_error err = {0};
	const char *pdf = NULL;
	size_t len = 0;
	char *text = NULL;
	ts_arena_init(&a, 0);
	*rc = ts_forms_render(&a, form, in, &pdf, &len, &err);
	if (*rc == 0) {
		assert_memory_equal(pdf, "%PDF-", 5);
		text = extract(pdf, len);
	}
	ts_arena_release(&a);
	return text;
}

static void test_every_form_prints_vietnamese_exactly(void **state)
{
	(void)state;
	struct ts_error err = {0};
	struct ts_dossier d = fixture(1760000000); /* 9 Oct 2025: Circular 03/2025 */
	struct ts_form_input in = input(&d);
	/* the numbers of Appendix I of Circular 03/2025/TT-VPCP */
	static const char *const number[TS_FORM__COUNT] = {"01", "02", "03", "04", "05", "06"};
	static const char *const want[TS_FORM__COUNT][3] = {
	    {"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Tờ khai đăng ký khai sinh", "Qua dịch vụ bưu chính công ích"},
	    {"PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Tờ khai chưa ký, ghi rõ họ tên", "Lê Văn Chuyên"},
	    {"PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Không thuộc thẩm quyền", "SỞ TƯ PHÁP"},
	    {"VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "Cần xác minh thêm", "SỞ TƯ PHÁP"},
	    {"THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Người nộp đề nghị dừng", "SỞ TƯ PHÁP"},
	    {"PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Trần Thị Mai", "Đúng hạn"},
	};
	assert_int_equal(ts_forms_configure("https://dvc.example.vn/tra-cuu?ma={code}",
					    "/usr/share/fonts/truetype/dejavu", &err), 0);
	for (int f = 0; f < TS_FORM__COUNT; f++) {
		int rc;
		char *t = render(f, &in, &rc);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
		assert_non_null(strstr(t, "Độc lập - Tự do - Hạnh phúc"));
		char line[64];
		snprintf(line, sizeof(line), "Mẫu số %s - Thông tư 03/2025/TT-VPCP", number[f]);
		assert_non_null(strstr(t, line));
		assert_non_null(strstr(t, d.code));
		if (f != TS_FORM_REFUSAL)
			assert_non_null(strstr(t, want[f][2]));
		assert_non_null(strstr(t, want[f][0]));
		assert_non_null(strstr(t, want[f][1]));
		if (f != TS_FORM_CONTROL_SLIP)
			assert_non_null(strstr(t, NAME));
		if (f == TS_FORM_RECEIPT || f == TS_FORM_STOP || f == TS_FORM_REFUSAL)
			/* decomposed input comes out precomposed: no diacritic lost */
			assert_non_null(strstr(t, "Huỳnh Ngọc Ẩn, phường"));
		free(t);
	}
	struct ts_arena a;
	ts_arena_init(&a, 0);
	assert_string_equal(ts_forms_lookup_url(&a, "X-1"), "https://dvc.example.vn/tra-cuu?ma=X-1");
	ts_arena_release(&a);
}

static void test_form_set_follows_the_date_received(void **state)
{
	(void)state;
	struct ts_dossier d = fixture(1704067200); /* 1 Jan 2024: Circular 01/2018 */
	struct ts_form_input in = input(&d);
	int rc;
	assert_string_equal(ts_form_set_for(20240101)->circular, "01/2018/TT-VPCP");
	/* Decree 118 from 1 July 2025, but its circular's forms only from 15 Sep 2025 */
	assert_string_equal(ts_form_set_for(20250914)->circular, "01/2018/TT-VPCP");
	assert_string_equal(ts_form_set_for(20250915)->circular, "03/2025/TT-VPCP");
	assert_string_equal(ts_form_set_for(20180701)->register_number, "06");
	assert_string_equal(ts_form_set_for(20250915)->register_number, "07");
	assert_null(render(TS_FORM_STOP, &in, &rc));
	assert_int_equal(rc, TS_ERR_NOT_FOUND);
	char *t = render(TS_FORM_RECEIPT, &in, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(t, "Mẫu số 01 - Thông tư 01/2018/TT-VPCP"));
	free(t);
	/* 2018: apology 04 under its old title, control slip 05 */
	t = render(TS_FORM_APOLOGY, &in, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(t, "Mẫu số 04 - Thông tư 01/2018/TT-VPCP"));
	assert_non_null(strstr(t, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"));
	free(t);
	t = render(TS_FORM_CONTROL_SLIP, &in, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(t, "Mẫu số 05 - Thông tư 01/2018/TT-VPCP"));
	free(t);
}

static void test_forms_without_their_event_are_refused(void **state)
{
	(void)state;
	struct ts_dossier d = fixture(1760000000);
	struct ts_form_input in = input(&d);
	int rc;
	in.nevents = 3; /* submitted, accepted, forwarded: nothing else happened */
	assert_null(render(TS_FORM_SUPPLEMENT, &in, &rc));
	assert_int_equal(rc, TS_ERR_CONFLICT);
	assert_null(render(TS_FORM_APOLOGY, &in, &rc));
	assert_int_equal(rc, TS_ERR_CONFLICT);
	assert_int_equal(ts_form_parse("control-slip"), TS_FORM_CONTROL_SLIP);
	assert_int_equal(ts_form_parse("nope"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_form_prints_vietnamese_exactly),
	    cmocka_unit_test(test_form_set_follows_the_date_received),
	    cmocka_unit_test(test_forms_without_their_event_are_refused),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	ts_forms_shutdown();
	return failed;
}
