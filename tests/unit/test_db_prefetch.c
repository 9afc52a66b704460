/* test_db_prefetch.c - ts_db_prefetch (db/sqlite.c): a store's file pushed out of the page
 * cache is back in it, whole, once the prefetch has read to its end; stopped early, it ends
 * at once and frees what it holds. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

#include "store_fixture.h"

static const struct ts_db_options opt = {.pool_size = 1, .busy_timeout_ms = 5000, .max_retries = 2};

static int pad_tx(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	(void)ctx;
	return ts_db_query_text(c, NULL, "pad", "CREATE TABLE pad(b BLOB)", NULL, 0, NULL, err) ||
	       ts_db_query_text(c, NULL, "pad",
				"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
				"WHERE i < 512) INSERT INTO pad SELECT randomblob(65536) FROM n",
				NULL, 0, NULL, err);
}

/* Pages of the file in the page cache, and all of them. */
static void resident(const char *path, size_t *in, size_t *all)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	long pg = sysconf(_SC_PAGESIZE);
	size_t n = ((size_t)st.st_size + (size_t)pg - 1) / (size_t)pg;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	unsigned char *vec = malloc(n);
	assert_true(m != MAP_FAILED && vec);
	assert_int_equal(mincore(m, (size_t)st.st_size, vec), 0);
	*in = 0;
	for (size_t i = 0; i < n; i++)
		*in += vec[i] & 1;
	*all = n;
	free(vec);
	munmap(m, (size_t)st.st_size);
	close(fd);
}

/* Writes the file to disk and asks the kernel to drop it from its cache. */
static void evict(const char *path)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
}

static void test_prefetch_reads_the_whole_file_into_the_cache(void **state)
{
	(void)state;
	char dir[64], path[96], url[128];
	struct ts_db *db = NULL;
	struct ts_error err = {0};
	size_t in = 0, all = 0;

	test_store_open(dir, "tinhso-prefetch", &opt, &db);
	assert_int_equal(ts_db_tx(db, TS_DB_TX_WRITE, pad_tx, NULL, &err), 0);
	ts_db_close(db); /* the last close copies the WAL into the file */
	snprintf(path, sizeof(path), "%s/t.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);

	evict(path);
	resident(path, &in, &all);
	assert_true(all >= 8192); /* 32 MiB and more */
	if (in > all / 10) {
		/* a file system whose pages cannot be dropped (tmpfs): nothing to observe here */
		print_message("cannot evict %s (%zu of %zu pages stay): skipped\n", path, in, all);
		test_store_remove(NULL, dir);
		skip();
	}
	assert_int_equal(ts_db_open(url, &opt, &db, &err), 0);
	evict(path); /* opening read the first pages */
	struct ts_db_prefetch *p = ts_db_prefetch_start(db);
	assert_non_null(p);
	ts_db_prefetch_end(db, p, true);
	resident(path, &in, &all);
	assert_int_equal(in, all);

	/* stopped at once: it ends without reading on, and nothing leaks (ASan) */
	evict(path);
	p = ts_db_prefetch_start(db);
	assert_non_null(p);
	ts_db_prefetch_end(db, p, false);
	ts_db_prefetch_end(db, NULL, false); /* a no-op */
	test_store_remove(db, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefetch_reads_the_whole_file_into_the_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
