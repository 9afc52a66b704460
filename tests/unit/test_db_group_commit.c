/* test_db_group_commit.c - SQLite group commit (db/sqlite.c): concurrent write
 * transactions queued behind a running one share one commit; in that shared batch a member
 * failing by its own rule, by a constraint violation or by "busy" (re-run) never fails nor
 * loses its neighbours; acknowledged writes are in the store after reopening it, and after
 * the writing process is killed at an arbitrary point. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

#include "store_fixture.h"

static const struct ts_db_options opt = {.pool_size = 2, .busy_timeout_ms = 5000, .max_retries = 4};

/* What a member of the batch does after taking its own sequence value. */
enum kind { K_OK, K_RULE_FAIL, K_CONSTRAINT, K_BUSY_ONCE, K_HOLDER };

struct member {
	struct ts_db *db;
	int idx;
	enum kind kind;
	int queued_wanted; /* K_HOLDER: waits until this many writers queue behind it */
	sem_t *entered;    /* K_HOLDER: posted once inside its transaction */
	int calls;
	int rc;
	struct ts_error err;
};

static void seq_name(char *buf, size_t n, int idx)
{
	snprintf(buf, n, "gc:%d", idx);
}

/* Polls the queue gauge until want writers wait (bounded: 10 s), so that the batch
 * really is shared. */
static bool wait_queue(struct ts_db *db, int want)
{
	struct timespec t0, now, nap = {0, 200000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (ts_db_write_queue(db) >= want)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10)
			return false;
		nanosleep(&nap, NULL);
	}
}

static int member_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct member *m = ctx;
	struct ts_arena a;
	char name[32];
	int rc;
	m->calls++;
	ts_arena_init(&a, 0);
	seq_name(name, sizeof(name), m->idx);
	struct ts_dbval p[] = {TS_DB_TEXT(name)};
	if ((rc = ts_db_query(c, &a, "seq_next", p, 1, NULL, err)))
		goto out;
	switch (m->kind) {
	case K_HOLDER:
		sem_post(m->entered);
		if (!wait_queue(m->db, m->queued_wanted))
			rc = ts_error_set(err, TS_ERR_INTERNAL, NULL, "queue never filled");
		break;
	case K_RULE_FAIL:
		rc = ts_error_set(err, TS_ERR_VALIDATION, NULL, "refused by a rule");
		break;
	case K_CONSTRAINT: {
		/* migration 1 is recorded: a unique violation inside this member */
		struct ts_dbval q[] = {TS_DB_INT(1), TS_DB_TEXT("dup"), TS_DB_INT(0)};
		rc = ts_db_query(c, &a, "db_migration_record", q, 3, NULL, err);
		break;
	}
	case K_BUSY_ONCE:
		if (m->calls == 1)
			rc = ts_error_set(err, TS_ERR_DB_BUSY, NULL, "busy once");
		break;
	case K_OK:
		break;
	}
out:
	ts_arena_release(&a);
	return rc;
}

static void *member_thread(void *arg)
{
	struct member *m = arg;
	m->rc = ts_db_tx(m->db, TS_DB_TX_WRITE, member_fn, m, &m->err);
	return NULL;
}

/* Value of sequence gc:idx in the store (0: absent). */
struct seq_read {
	int idx;
	int64_t value;
};

static int seq_read_fn(struct ts_dbconn *c, void *ctx, struct ts_error *err)
{
	struct seq_read *s = ctx;
	struct ts_arena a;
	struct ts_dbres *r = NULL;
	char name[32];
	ts_arena_init(&a, 0);
	seq_name(name, sizeof(name), s->idx);
	struct ts_dbval p[] = {TS_DB_TEXT(name)};
	int rc = ts_db_query(c, &a, "seq_get", p, 1, &r, err);
	s->value = rc == 0 && r->nrows == 1 ? ts_dbres_int(r, 0, 0) : 0;
	ts_arena_release(&a);
	return rc;
}

static int64_t seq_value(struct ts_db *db, int idx)
{
	struct seq_read s = {idx, 0};
	struct ts_error err = {0};
	assert_int_equal(ts_db_tx(db, TS_DB_TX_READ, seq_read_fn, &s, &err), 0);
	return s.value;
}

static struct ts_db *reopen(struct ts_db *db, const char *dir)
{
	char url[128];
	struct ts_error err = {0};
	struct ts_db *out = NULL;
	ts_db_close(db);
	snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
	if (ts_db_open(url, &opt, &out, &err))
		fail_msg("reopen: %s", err.detail);
	return out;
}

static void test_shared_batch_isolates_failures(void **state)
{
	(void)state;
	enum { N = 12 };
	static const enum kind kinds[N] = {K_HOLDER,	 K_OK, K_RULE_FAIL, K_OK,  K_CONSTRAINT, K_OK,
					   K_BUSY_ONCE, K_OK, K_RULE_FAIL, K_OK, K_OK,	 K_CONSTRAINT};
	char dir[64];
	struct ts_db *db = NULL;
	struct member m[N];
	pthread_t th[N];
	struct ts_db_group_stats g0, g1;
	sem_t entered;

	assert_int_equal(sem_init(&entered, 0, 0), 0);
	test_store_open(dir, "test_db_group_commit", &opt, &db);
	ts_db_group_stats(db, &g0);
	memset(m, 0, sizeof(m));
	for (int i = 0; i < N; i++) {
		m[i] = (struct member){.db = db, .idx = i, .kind = kinds[i], .queued_wanted = N - 1,
				      .entered = &entered};
	}
	/* the holder first; the others queue behind its open savepoint */
	assert_int_equal(pthread_create(&th[0], NULL, member_thread, &m[0]), 0);
	while (sem_wait(&entered) != 0 && errno == EINTR)
		;
	for (int i = 1; i < N; i++)
		assert_int_equal(pthread_create(&th[i], NULL, member_thread, &m[i]), 0);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);

	int ok = 0;
	for (int i = 0; i < N; i++) {
		switch (kinds[i]) {
		case K_HOLDER:
		case K_OK:
			assert_int_equal(m[i].rc, 0);
			ok++;
			break;
		case K_RULE_FAIL:
			assert_int_equal(m[i].rc, TS_ERR_VALIDATION);
			break;
		case K_CONSTRAINT:
			assert_int_equal(m[i].rc, TS_ERR_CONFLICT);
			break;
		case K_BUSY_ONCE:
			assert_int_equal(m[i].rc, 0);
			assert_int_equal(m[i].calls, 2);
			break;
		}
	}
	/* the holder and the 11 queued writers: one commit held every successful member but
	 * the busy one (re-run after a backoff, so possibly in a batch of its own) */
	ts_db_group_stats(db, &g1);
	assert_true(g1.batches - g0.batches <= 2);
	assert_int_equal(g1.members - g0.members, ok + 1);
	assert_true(g1.members - g0.members > g1.batches - g0.batches); /* shared commits */
	assert_true(g1.member_cpu_ns > g0.member_cpu_ns); /* the writer's time in them counted */

	/* reopened: exactly the successful members' writes, the busy one's only once */
	db = reopen(db, dir);
	for (int i = 0; i < N; i++) {
		int64_t want = kinds[i] == K_HOLDER || kinds[i] == K_OK || kinds[i] == K_BUSY_ONCE;
		if (seq_value(db, i) != want)
			fail_msg("member %d (kind %d): value %lld, want %lld", i, kinds[i],
				 (long long)seq_value(db, i), (long long)want);
	}
	test_store_remove(db, dir);
	sem_destroy(&entered);
}

/* One writer thread of the child process: 200 increments of its own sequence, each
 * acknowledgement written to the pipe at once. */
struct writer {
	struct ts_db *db;
	int idx;
	int fd;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	struct member m = {.db = w->db, .idx = w->idx, .kind = K_OK};
	for (int k = 0; k < 200; k++) {
		struct ts_error err = {0};
		if (ts_db_tx(w->db, TS_DB_TX_WRITE, member_fn, &m, &err) != 0)
			_exit(3);
		unsigned char msg[2] = {(unsigned char)w->idx, 1};
		if (write(w->fd, msg, 2) != 2)
			_exit(4);
	}
	return NULL;
}

static void test_acknowledged_survives_kill(void **state)
{
	(void)state;
	enum { W = 8, KILL_AFTER = 600 };
	char dir[64];
	struct ts_db *db = NULL;
	int fds[2];

	test_store_open(dir, "test_db_group_commit", &opt, &db);
	ts_db_close(db);
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		char url[128];
		struct ts_error err = {0};
		struct ts_db *cdb = NULL;
		snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
		if (ts_db_open(url, &opt, &cdb, &err))
			_exit(2);
		pthread_t th[W];
		struct writer w[W];
		for (int i = 0; i < W; i++) {
			w[i] = (struct writer){cdb, i, fds[1]};
			pthread_create(&th[i], NULL, writer_thread, &w[i]);
		}
		for (int i = 0; i < W; i++)
			pthread_join(th[i], NULL);
		_exit(0);
	}
	close(fds[1]);
	int64_t acked[W] = {0};
	int total = 0;
	unsigned char msg[2];
	while (total < KILL_AFTER && read(fds[0], msg, 2) == 2) {
		assert_true(msg[0] < W);
		acked[msg[0]]++;
		total++;
	}
	kill(pid, SIGKILL); /* mid-stream: batches open, commits under way */
	/* acknowledgements already in the pipe were sent before the kill: count them too */
	while (read(fds[0], msg, 2) == 2)
		acked[msg[0]]++;
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	assert_int_equal(total, KILL_AFTER);

	char url[128];
	struct ts_error err = {0};
	snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
	assert_int_equal(ts_db_open(url, &opt, &db, &err), 0);
	for (int i = 0; i < W; i++) {
		int64_t v = seq_value(db, i);
		/* every acknowledged increment is there; at most one more per writer (committed,
		 * killed before its acknowledgement was written) */
		if (v < acked[i] || v > acked[i] + 1)
			fail_msg("writer %d: %lld stored, %lld acknowledged", i, (long long)v,
				 (long long)acked[i]);
	}
	test_store_remove(db, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_batch_isolates_failures),
	    cmocka_unit_test(test_acknowledged_survives_kill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
