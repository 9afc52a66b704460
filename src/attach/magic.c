/* magic.c - what a file really is: libmagic (the only file that sees <magic.h>) names the
 * type from the content, the allowed list decides, and a look at the file's end catches
 * uploads that were cut short (a type's own end marker missing). */
#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach/attach.h"
#include "base/log.h"
#include "base/mem.h"

enum ending { END_PDF, END_PNG, END_JPEG, END_ZIP, END_OLE };

struct allowed {
	struct ts_attach_type t;
	enum ending end;
};

static const struct allowed allowed[] = {
    {{"application/pdf", "pdf", "PDF"}, END_PDF},
    {{"image/jpeg", "jpg", "Ảnh JPEG"}, END_JPEG},
    {{"image/png", "png", "Ảnh PNG"}, END_PNG},
    {{"application/msword", "doc", "Văn bản Word (DOC)"}, END_OLE},
    {{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
      "Văn bản Word (DOCX)"},
     END_ZIP},
    {{"application/vnd.ms-excel", "xls", "Bảng tính Excel (XLS)"}, END_OLE},
    {{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
      "Bảng tính Excel (XLSX)"},
     END_ZIP},
    {{"application/vnd.oasis.opendocument.text", "odt", "Văn bản OpenDocument (ODT)"}, END_ZIP},
};
#define NALLOWED (sizeof(allowed) / sizeof(allowed[0]))

static pthread_mutex_t magic_mu = PTHREAD_MUTEX_INITIALIZER;
static magic_t cookie;

const struct ts_attach_type *ts_attach_type_of(const char *mime)
{
	for (size_t i = 0; mime && i < NALLOWED; i++)
		if (strcmp(allowed[i].t.mime, mime) == 0)
			return &allowed[i].t;
	return NULL;
}

static bool has(const unsigned char *buf, size_t n, const void *needle, size_t k)
{
	for (size_t i = 0; n >= k && i <= n - k; i++)
		if (memcmp(buf + i, needle, k) == 0)
			return true;
	return false;
}

/* Does the end of the file carry the end marker of its type? tail = the last n bytes. */
static bool complete(enum ending e, const unsigned char *tail, size_t n, uint64_t size)
{
	static const unsigned char iend[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
	switch (e) {
	case END_PDF: {
		/* "%%EOF" within the last 1 KiB (some writers add a few bytes after it) */
		size_t k = n < 1024 ? n : 1024;
		return has(tail + n - k, k, "%%EOF", 5);
	}
	case END_PNG:
		return n >= sizeof(iend) && memcmp(tail + n - sizeof(iend), iend, sizeof(iend)) == 0;
	case END_JPEG: {
		/* EOI (FF D9), allowing padding bytes after it within the last 1 KiB */
		size_t k = n < 1024 ? n : 1024;
		static const unsigned char eoi[] = {0xff, 0xd9};
		return has(tail + n - k, k, eoi, 2);
	}
	case END_ZIP:
		/* the end-of-central-directory record sits within the last 64 KiB + 22 bytes */
		return has(tail, n, "PK\x05\x06", 4);
	case END_OLE:
		/* compound files are a header plus whole 512-byte (or 4096-byte) sectors */
		return size >= 1536 && size % 512 == 0;
	}
	return false;
}

int ts_attach_detect(const char *path, uint64_t size, const struct ts_attach_type **type,
		     struct ts_error *err)
{
	const struct allowed *hit = NULL;
	char mime[128] = "";
	unsigned char *tail = NULL;
	size_t want = 65536 + 22, n = 0;
	int fd = -1, rc = 0;

	pthread_mutex_lock(&magic_mu);
	if (!cookie) {
		cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
		if (cookie && magic_load(cookie, NULL) != 0) {
			ts_log(TS_LOG_ERROR, "libmagic cannot load its database", "error",
			       magic_error(cookie), NULL);
			magic_close(cookie);
			cookie = NULL;
		}
	}
	const char *m = cookie ? magic_file(cookie, path) : NULL;
	if (m)
		snprintf(mime, sizeof(mime), "%s", m);
	pthread_mutex_unlock(&magic_mu);
	if (!cookie)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "Không nạp được cơ sở dữ liệu libmagic");
	if (!*mime)
		return ts_error_set(err, TS_ERR_IO, "file", "Không đọc được tệp vừa nhận");
	for (size_t i = 0; i < NALLOWED && !hit; i++)
		if (strcmp(allowed[i].t.mime, mime) == 0)
			hit = &allowed[i];
	if (!hit)
		return ts_error_set(err, TS_ERR_UNSUPPORTED_MEDIA, "file",
				    "Loại tệp \"%s\" không được chấp nhận; chỉ nhận PDF, JPEG, PNG, "
				    "DOC/DOCX, XLS/XLSX, ODT",
				    mime);
	if (size < want)
		want = (size_t)size;
	tail = want ? ts_malloc(want) : NULL;
	if (want && !tail)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = ts_error_set(err, TS_ERR_IO, "file", "Không đọc được tệp vừa nhận");
		goto out;
	}
	while (n < want) {
		ssize_t r = pread(fd, tail + n, want - n, (off_t)(size - want + n));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = ts_error_set(err, TS_ERR_IO, "file", "Không đọc được tệp vừa nhận");
			goto out;
		}
		n += (size_t)r;
	}
	if (!complete(hit->end, tail, n, size)) {
		rc = ts_error_set(err, TS_ERR_VALIDATION, "file",
				  "Tệp %s không trọn vẹn (bị cắt ngang khi tải lên hoặc khi lưu), "
				  "vui lòng gửi lại",
				  hit->t.label);
		goto out;
	}
	*type = &hit->t;
out:
	if (fd >= 0)
		close(fd);
	ts_free(tail);
	return rc;
}
