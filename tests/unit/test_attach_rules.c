/* test_attach_rules.c - the pure parts of attachments: file-name cleaning, the RFC 6266
 * Content-Disposition, type detection with truncation checks (libmagic on real files), and
 * the clamd INSTREAM client against a fake clamd on a unix socket (clean, EICAR, scanner
 * down, clamd's own error), so the "scanner down" path is tested without the daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach/attach.h"

static const char eicar[] =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/* ---- names ------------------------------------------------------------------------------ */

static void test_names_keep_vietnamese_and_drop_paths_and_controls(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	assert_string_equal(ts_attach_clean_name(&a, "../../etc/passwd"), "passwd");
	assert_string_equal(ts_attach_clean_name(&a, "C:\\Users\\An\\Giấy khai sinh.pdf"),
			    "Giấy khai sinh.pdf");
	assert_string_equal(ts_attach_clean_name(&a, "a\x01\x1b[31mb\x7f.pdf"), "a[31mb.pdf");
	assert_string_equal(ts_attach_clean_name(&a, "x\xc2\x85y.pdf"), "xy.pdf"); /* C1 NEL */
	assert_string_equal(ts_attach_clean_name(&a, "bad\xff\xfeutf8.pdf"), "badutf8.pdf");
	assert_string_equal(ts_attach_clean_name(&a, "\xe2\x80\xae" "fdp.exe"), "fdp.exe");
	assert_string_equal(ts_attach_clean_name(&a, "  ..hidden. "), "hidden");
	assert_string_equal(ts_attach_clean_name(&a, ".."), "tep");
	assert_string_equal(ts_attach_clean_name(&a, ""), "tep");
	assert_string_equal(ts_attach_clean_name(&a, NULL), "tep");
	assert_string_equal(ts_attach_clean_name(&a, "a<b>c:d\"e|f?g*h.pdf"), "abcdefgh.pdf");
	/* long names are cut on a code point boundary and keep their extension */
	char long_name[600] = "";
	for (int i = 0; i < 100; i++)
		strcat(long_name, "Đơn");
	strcat(long_name, ".docx");
	const char *c = ts_attach_clean_name(&a, long_name);
	assert_true(strlen(c) <= 180);
	assert_non_null(strstr(c, ".docx"));
	assert_int_equal(strncmp(c, "ĐơnĐơn", strlen("ĐơnĐơn")), 0);
	for (const unsigned char *p = (const unsigned char *)c; *p; p++)
		assert_false(*p < 0x20);
	ts_arena_release(&a);
}

static void test_disposition_has_ascii_fallback_and_rfc8187_name(void **state)
{
	(void)state;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	const char *d = ts_attach_disposition(&a, "Đơn đề nghị \"gấp\" 100%.pdf");
	assert_string_equal(d, "attachment; filename=\"Don de nghi _gap_ 100_.pdf\"; "
			       "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B%20"
			       "%22g%E1%BA%A5p%22%20100%25.pdf");
	d = ts_attach_disposition(&a, "ẢNH CĂN CƯỚC.jpg");
	assert_non_null(strstr(d, "filename=\"ANH CAN CUOC.jpg\""));
	ts_arena_release(&a);
}

static void test_kinds_parse(void **state)
{
	(void)state;
	assert_int_equal(ts_attach_kind_parse("input"), TS_ATTACH_INPUT);
	assert_int_equal(ts_attach_kind_parse("result"), TS_ATTACH_RESULT);
	assert_int_equal(ts_attach_kind_parse("other"), -1);
	assert_int_equal(ts_attach_policy_parse("hold"), 1);
	assert_int_equal(ts_attach_policy_parse("refuse"), 0);
	assert_int_equal(ts_attach_policy_parse("accept"), -1);
}

/* ---- types ------------------------------------------------------------------------------ */

static char dir[64];

static const char *write_file(const char *name, const void *data, size_t n)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

static int detect(const char *name, const void *data, size_t n, const char **mime)
{
	const struct ts_attach_type *t = NULL;
	struct ts_error err = {0};
	int rc = ts_attach_detect(write_file(name, data, n), n, &t, &err);
	*mime = rc == 0 ? t->mime : NULL;
	return rc;
}

static void test_types_come_from_content_and_truncation_is_caught(void **state)
{
	(void)state;
	static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
	static const unsigned char png[] = {0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n', 0,   0,
					    0,    13,   'I',  'H',  'D',  'R',  0,    0,    0,   1,
					    0,    0,    0,    1,    8,    2,    0,    0,    0,   0x90,
					    0x77, 0x53, 0xde, 0,    0,    0,    0,    'I',  'E', 'N',
					    'D',  0xae, 0x42, 0x60, 0x82};
	static const char html[] = "<!DOCTYPE html><html><body><script>x()</script></body></html>\n";
	const char *mime;
	mkdtemp(strcpy(dir, "/tmp/attach-types.XXXXXX")) ? (void)0 : fail();
	assert_int_equal(detect("a.pdf", pdf, sizeof(pdf) - 1, &mime), 0);
	assert_string_equal(mime, "application/pdf");
	assert_int_equal(detect("cut.pdf", pdf, sizeof(pdf) - 8, &mime), TS_ERR_VALIDATION);
	assert_int_equal(detect("a.png", png, sizeof(png), &mime), 0);
	assert_string_equal(mime, "image/png");
	assert_int_equal(detect("cut.png", png, sizeof(png) - 4, &mime), TS_ERR_VALIDATION);
	assert_int_equal(detect("photo.jpg", html, sizeof(html) - 1, &mime), TS_ERR_UNSUPPORTED_MEDIA);
	assert_int_equal(detect("x.pdf", "#!/bin/sh\nrm -rf /\n", 19, &mime), TS_ERR_UNSUPPORTED_MEDIA);
	assert_non_null(ts_attach_type_of("application/vnd.oasis.opendocument.text"));
	assert_null(ts_attach_type_of("text/html"));
}

/* ---- clamd ------------------------------------------------------------------------------ */

struct fake {
	char path[108];
	int lfd;
	int mode; /* 0 = verdict from the content, 1 = answer with clamd's size-limit error */
	pthread_t th;
};

static void *fake_clamd(void *p)
{
	struct fake *f = p;
	for (;;) {
		int c = accept(f->lfd, NULL, NULL);
		if (c < 0)
			return NULL;
		char cmd[16] = "";
		size_t got = 0;
		while (got < sizeof(cmd) - 1 && read(c, cmd + got, 1) == 1 && cmd[got] != '\0')
			got++;
		char *data = NULL;
		size_t n = 0;
		bool ok = strcmp(cmd, "zINSTREAM") == 0;
		for (; ok;) {
			uint32_t len;
			size_t r = 0;
			while (r < 4) {
				ssize_t k = read(c, (char *)&len + r, 4 - r);
				if (k <= 0) {
					ok = false;
					break;
				}
				r += (size_t)k;
			}
			if (!ok || (len = ntohl(len)) == 0)
				break;
			data = realloc(data, n + len + 1);
			for (size_t k = 0; k < len;) {
				ssize_t m = read(c, data + n + k, len - k);
				if (m <= 0) {
					ok = false;
					break;
				}
				k += (size_t)m;
			}
			n += len;
		}
		const char *ans = f->mode == 1 ? "INSTREAM size limit exceeded. ERROR"
			: (data && (data[n] = '\0', strstr(data, "EICAR-STANDARD"))) ? "stream: Eicar-Test-Signature FOUND"
									  : "stream: OK";
		if (write(c, ans, strlen(ans) + 1) < 0)
			ok = false;
		free(data);
		close(c);
	}
}

static void fake_start(struct fake *f, int mode)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(f->path, sizeof(f->path), "%s/clamd.sock", dir);
	unlink(f->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->mode = mode;
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->th, NULL, fake_clamd, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	close(f->lfd);
	pthread_join(f->th, NULL);
	unlink(f->path);
}

static enum ts_scan_result scan_text(const char *addr, const char *text, char *detail)
{
	enum ts_scan_result res = TS_SCAN_CLEAN;
	struct ts_error err = {0};
	int fd = open(write_file("scan.bin", text, strlen(text)), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ts_clamd_scan(addr, 5, fd, &res, detail, 128, &err), 0);
	close(fd);
	return res;
}

static void test_clamd_instream_verdicts_and_scanner_down(void **state)
{
	(void)state;
	struct fake f;
	char addr[128], detail[128];
	struct ts_error err = {0};
	enum ts_scan_result res;

	fake_start(&f, 0);
	snprintf(addr, sizeof(addr), "unix:%s", f.path);
	assert_int_equal(scan_text(addr, "an ordinary file", detail), TS_SCAN_CLEAN);
	assert_int_equal(scan_text(addr, eicar, detail), TS_SCAN_INFECTED);
	assert_string_equal(detail, "Eicar-Test-Signature");
	fake_stop(&f);
	/* the scanner is down: no verdict, never "clean" */
	assert_int_equal(scan_text(addr, "an ordinary file", detail), TS_SCAN_UNAVAILABLE);
	assert_int_equal(scan_text("tcp:127.0.0.1:1", "x", detail), TS_SCAN_UNAVAILABLE);
	/* clamd answering with an error (its stream size limit) is no verdict either */
	fake_start(&f, 1);
	assert_int_equal(scan_text(addr, "big", detail), TS_SCAN_UNAVAILABLE);
	assert_non_null(strstr(detail, "size limit"));
	fake_stop(&f);
	assert_int_equal(ts_clamd_scan("clamd.example", 5, 0, &res, NULL, 0, &err), TS_ERR_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_keep_vietnamese_and_drop_paths_and_controls),
	    cmocka_unit_test(test_disposition_has_ascii_fallback_and_rfc8187_name),
	    cmocka_unit_test(test_kinds_parse),
	    cmocka_unit_test(test_types_come_from_content_and_truncation_is_caught),
	    cmocka_unit_test(test_clamd_instream_verdicts_and_scanner_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
