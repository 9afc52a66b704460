/* backup.c - `tinhso backup DEST` and `tinhso restore SRC` (docs/backup.md).
 *
 * A backup is a folder: the store (SQLite: `tinhso.db`, a consistent copy taken with SQLite's
 * online backup API while the service keeps serving; PostgreSQL: `tinhso.pgdump`, written by
 * pg_dump in its custom format, one consistent snapshot) and then the attachments folder
 * (`files/`, copied after the store: every blob a row refers to was written before the row,
 * so the copy never lacks one). Restore goes the other way, into an EMPTY store only (a new
 * SQLite file, or a PostgreSQL database without tables) and the attachments folder. The
 * external programs (pg_dump, pg_restore, cp) run without a shell, with their argument lists. */
#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "app/app.h"
#include "base/err.h"
#include "db/db.h"

extern char **environ;

#define STORE_SQLITE "tinhso.db"
#define STORE_PGSQL "tinhso.pgdump"
#define FILES_DIR "files"

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static const char *sqlite_path(const char *url)
{
	const char *p = url + strlen("sqlite:");
	return has_prefix(p, "//") ? p + 2 : p;
}

static bool is_pgsql(const char *url)
{
	return has_prefix(url, "postgresql://") || has_prefix(url, "postgres://");
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* A folder that does not exist (created, 0700) or is empty. */
static int empty_dir(const char *path, struct ts_error *err)
{
	DIR *d;
	struct dirent *e;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST || !(d = opendir(path)))
		return ts_error_set(err, TS_ERR_IO, "dest", "Không tạo được thư mục sao lưu %s: %s", path,
				    strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			closedir(d);
			return ts_error_set(err, TS_ERR_CONFLICT, "dest",
					    "Thư mục sao lưu %s không trống", path);
		}
	closedir(d);
	return 0;
}

/* Runs argv[0] (found on PATH) with argv, no shell; 0 when it exits with 0. */
static int run(char *const argv[], struct ts_error *err)
{
	pid_t pid;
	int st = 0, rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);

	if (rc)
		return ts_error_set(err, TS_ERR_IO, NULL, "Không chạy được %s: %s", argv[0], strerror(rc));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ts_error_set(err, TS_ERR_IO, NULL, "%s: %s", argv[0], strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ts_error_set(err, TS_ERR_IO, NULL, "%s thất bại (mã thoát %d)", argv[0],
				    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

/* Copies the contents of folder from into folder to (created if missing); nothing when from
 * does not exist (no file was ever uploaded). */
static int copy_tree(const char *from, const char *to, struct ts_error *err)
{
	char src[4096];
	int rc;

	if ((rc = run((char *const[]){"mkdir", "-p", "--", (char *)to, NULL}, err)))
		return rc;
	if (!exists(from))
		return 0;
	snprintf(src, sizeof(src), "%s/.", from);
	return run((char *const[]){"cp", "-a", "--", src, (char *)to, NULL}, err);
}

/* SQLite's online backup of the whole database from path `from` into a new file `to`: one
 * consistent snapshot; writers of the live store are not stopped (WAL). */
static int sqlite_copy(const char *from, const char *to, bool to_must_be_new, struct ts_error *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	int rc = SQLITE_OK, tries = 0;

	if (to_must_be_new && exists(to))
		return ts_error_set(err, TS_ERR_CONFLICT, "database",
				    "Tệp %s đã tồn tại: chỉ khôi phục vào kho dữ liệu trống", to);
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		ts_error_set(err, TS_ERR_DB, NULL, "Không mở được %s: %s", src ? to : from,
			     sqlite3_errmsg(src && dst ? dst : src));
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	sqlite3_busy_timeout(dst, 5000);
	if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
		ts_error_set(err, TS_ERR_DB, NULL, "Sao lưu SQLite: %s", sqlite3_errmsg(dst));
		goto out;
	}
	/* all pages in one step: one read transaction, one snapshot; a busy or locked source
	 * (a checkpoint holding it) is retried a bounded number of times */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (++tries > 100)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		ts_error_set(err, TS_ERR_DB, NULL, "Sao lưu SQLite thất bại: %s", sqlite3_errstr(rc));
out:
	sqlite3_close(src);
	if (sqlite3_close(dst) != SQLITE_OK && !err->code)
		ts_error_set(err, TS_ERR_DB, NULL, "Không đóng được %s", to);
	return err->code;
}

int ts_backup(const char *db_url, const char *attach_dir, const char *dest, FILE *out,
	      struct ts_error *err)
{
	char store[4096], files[4096];
	int rc;

	if ((rc = empty_dir(dest, err)))
		return rc;
	snprintf(files, sizeof(files), "%s/%s", dest, FILES_DIR);
	if (has_prefix(db_url, "sqlite:")) {
		snprintf(store, sizeof(store), "%s/%s", dest, STORE_SQLITE);
		rc = sqlite_copy(sqlite_path(db_url), store, true, err);
	} else if (is_pgsql(db_url)) {
		snprintf(store, sizeof(store), "%s/%s", dest, STORE_PGSQL);
		rc = run((char *const[]){"pg_dump", "--format=custom", "--no-owner", "--file", store,
					 "--dbname", (char *)db_url, NULL},
			 err);
	} else {
		return ts_error_set(err, TS_ERR_CONFIG, "database", "Kho dữ liệu không được hỗ trợ");
	}
	if (!rc)
		rc = copy_tree(attach_dir, files, err);
	if (!rc && out)
		fprintf(out, "backup written to %s (%s, %s/)\n", dest, store, files);
	return rc;
}

/* A PostgreSQL database without tables of its own. */
static int pg_tables_tx(struct ts_dbconn *c, void *vn, struct ts_error *err)
{
	struct ts_arena *a = ts_arena_new(4096);
	struct ts_dbres *r = NULL;
	int rc;

	if (!a)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	rc = ts_db_query_text(c, a, "restore_empty",
			      "SELECT count(*) FROM information_schema.tables "
			      "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
			      NULL, 0, &r, err);
	if (!rc)
		*(int64_t *)vn = ts_dbres_int(r, 0, 0);
	ts_arena_free(a);
	return rc;
}

int ts_restore(const char *src, const char *db_url, const char *attach_dir, FILE *out,
	       struct ts_error *err)
{
	char store[4096], files[4096];
	int rc;

	snprintf(files, sizeof(files), "%s/%s", src, FILES_DIR);
	if (has_prefix(db_url, "sqlite:")) {
		snprintf(store, sizeof(store), "%s/%s", src, STORE_SQLITE);
		if (!exists(store))
			return ts_error_set(err, TS_ERR_NOT_FOUND, "src",
					    "%s không có bản sao lưu SQLite (%s)", src, STORE_SQLITE);
		rc = sqlite_copy(store, sqlite_path(db_url), true, err);
	} else if (is_pgsql(db_url)) {
		struct ts_db_options o = {.pool_size = 1, .busy_timeout_ms = 5000, .max_retries = 2};
		struct ts_db *db = NULL;
		int64_t tables = -1;
		snprintf(store, sizeof(store), "%s/%s", src, STORE_PGSQL);
		if (!exists(store))
			return ts_error_set(err, TS_ERR_NOT_FOUND, "src",
					    "%s không có bản sao lưu PostgreSQL (%s)", src, STORE_PGSQL);
		rc = ts_db_open(db_url, &o, &db, err);
		if (!rc)
			rc = ts_db_tx(db, TS_DB_TX_READ, pg_tables_tx, &tables, err);
		ts_db_close(db);
		if (rc)
			return rc;
		if (tables != 0)
			return ts_error_set(err, TS_ERR_CONFLICT, "database",
					    "Cơ sở dữ liệu đích đã có %lld bảng: chỉ khôi phục vào "
					    "kho dữ liệu trống",
					    (long long)tables);
		rc = run((char *const[]){"pg_restore", "--no-owner", "--exit-on-error",
					 "--single-transaction", "--dbname", (char *)db_url, store, NULL},
			 err);
	} else {
		return ts_error_set(err, TS_ERR_CONFIG, "database", "Kho dữ liệu không được hỗ trợ");
	}
	if (!rc)
		rc = copy_tree(files, attach_dir, err);
	if (!rc && out)
		fprintf(out, "restored %s into the store and %s\n", src, attach_dir);
	return rc;
}
