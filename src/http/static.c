/* static.c - serves the built web UI (web/ output) from a directory: safe path mapping
 * (no "..", hidden files, backslashes or symlinks leading outside the root), index.html for
 * directories, content type by extension, cache headers. Thread-safe; no shared state. */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http_int.h"

#define STATIC_MAX (8u << 20)

static const struct {
	const char *ext, *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"ico", "image/x-icon"},
    {"json", "application/json; charset=utf-8"},
    {"webmanifest", "application/manifest+json"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
};

static const char *type_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(slash ? slash : file, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Every segment must be a plain name: not empty in the middle, not starting with '.'
 * (covers "." and ".." and hidden files), no backslash. */
static bool path_safe(const char *p)
{
	if (p[0] != '/' || strchr(p, '\\'))
		return false;
	for (const char *s = p + 1; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (s[0] == '.')
			return false;
		if (n == 0 && e)
			return false; /* "//" */
		if (!e)
			break;
		s = e + 1;
	}
	return true;
}

/* True when real (a realpath) is root or lies below it. */
static bool inside(const char *root, const char *real)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return true;
	return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int not_found(struct ts_error *err, const char *path)
{
	(void)path; /* the path may hold anything; it is not echoed into the message */
	return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Không tìm thấy tệp được yêu cầu");
}

int ts_http_static(struct ts_http_req *r, struct ts_http_resp *resp, const char *root,
		   const char *path, struct ts_error *err)
{
	int rc = 0, fd = -1;
	char rroot[PATH_MAX], real[PATH_MAX];
	const char *p = ts_http_pct_decode(r->arena, path, strlen(path), false, NULL);
	if (!p || !path_safe(p) || !realpath(root, rroot)) {
		rc = not_found(err, path);
		goto out;
	}
	bool dir_req = p[strlen(p) - 1] == '/';
	const char *full =
	    ts_arena_printf(r->arena, "%s%s%s", rroot, p, dir_req ? "index.html" : "");
	if (!full) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		goto out;
	}
	struct stat st;
	if (!realpath(full, real) || !inside(rroot, real) || stat(real, &st) != 0) {
		rc = not_found(err, path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		full = ts_arena_printf(r->arena, "%s/index.html", real);
		if (!full) {
			rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
			goto out;
		}
		if (!realpath(full, real) || !inside(rroot, real)) {
			rc = not_found(err, path);
			goto out;
		}
	}
	/* O_NOFOLLOW: the file checked above must not become a symlink before it is opened */
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
		rc = not_found(err, path);
		goto out;
	}
	size_t size = (size_t)st.st_size, got = 0;
	char *buf = ts_arena_alloc(r->arena, size + 1);
	if (!buf) {
		rc = ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
		goto out;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = ts_error_set(err, TS_ERR_IO, NULL, "Không đọc được tệp tĩnh");
			goto out;
		}
		got += (size_t)n;
	}
	buf[size] = '\0';
	const char *type = type_of(real);
	const char *base = strrchr(real, '/');
	bool html = strncmp(type, "text/html", 9) == 0;
	resp->status = 200;
	resp->content_type = type;
	resp->body = buf;
	resp->body_len = size;
	/* pages must be revalidated so a new release is seen; assets may be cached a while */
	rc = ts_http_resp_header(r, resp, "Cache-Control",
				 html || (base && strcmp(base, "/index.html") == 0)
				     ? "no-cache"
				     : "public, max-age=3600");
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
