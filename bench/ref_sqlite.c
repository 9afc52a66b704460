/* ref_sqlite.c - the raw SQLite limit the server is compared with (issue 8): a dossier row
 * and an event row inserted in WAL mode with synchronous=FULL, one pair per transaction or
 * in batches, on one connection, for a fixed time. Prints one line:
 *   ref_sqlite mode=single|batch batch=N pairs=P seconds=S pairs_per_s=R
 * Usage: ref_sqlite PATH single|batch SECONDS [BATCH] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void must(int rc, sqlite3 *db, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "ref_sqlite: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: ref_sqlite PATH single|batch SECONDS [BATCH]\n");
		return 2;
	}
	const char *path = argv[1];
	int batch = strcmp(argv[2], "batch") == 0 ? (argc > 4 ? atoi(argv[4]) : 100) : 1;
	double secs = atof(argv[3]);
	if (batch < 1 || secs <= 0 || secs > 600) {
		fprintf(stderr, "ref_sqlite: bad arguments\n");
		return 2;
	}
	sqlite3 *db;
	must(sqlite3_open(path, &db), db, "open");
	must(sqlite3_exec(db,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			  "CREATE TABLE IF NOT EXISTS dossier (id INTEGER PRIMARY KEY, code TEXT NOT "
			  "NULL UNIQUE, procedure_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, "
			  "applicant_name TEXT NOT NULL, status INTEGER NOT NULL, submitted_at INTEGER "
			  "NOT NULL, form_data TEXT);"
			  "CREATE INDEX IF NOT EXISTS dossier_unit_status ON dossier (unit_id, status, "
			  "submitted_at);"
			  "CREATE TABLE IF NOT EXISTS dossier_event (id INTEGER PRIMARY KEY, dossier_id "
			  "INTEGER NOT NULL REFERENCES dossier(id), action TEXT NOT NULL, at INTEGER NOT "
			  "NULL, actor INTEGER, note TEXT);"
			  "CREATE INDEX IF NOT EXISTS dossier_event_dossier ON dossier_event "
			  "(dossier_id, id);",
			  NULL, NULL, NULL),
	     db, "schema");
	sqlite3_stmt *d, *e, *begin, *commit;
	must(sqlite3_prepare_v2(db,
				"INSERT INTO dossier (code, procedure_id, unit_id, applicant_name, "
				"status, submitted_at, form_data) VALUES (?1, ?2, ?3, 'Nguyễn Văn An', "
				"1, ?4, '{\"ho_ten\":\"Nguyễn Văn An\",\"dia_chi\":\"Xã Một\"}')",
				-1, &d, NULL),
	     db, "prepare");
	must(sqlite3_prepare_v2(db,
				"INSERT INTO dossier_event (dossier_id, action, at, actor, note) "
				"VALUES (?1, 'submit', ?2, 1, NULL)",
				-1, &e, NULL),
	     db, "prepare");
	must(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL), db, "prepare");
	must(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), db, "prepare");
	long n = 0;
	static long serial;
	char code[64];
	double t0 = now_s(), t;
	do {
		must(sqlite3_step(begin), db, "begin");
		sqlite3_reset(begin);
		for (int k = 0; k < batch; k++) {
			snprintf(code, sizeof(code), "REF-%ld-%ld", (long)t0, ++serial);
			sqlite3_bind_text(d, 1, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(d, 2, (int)(serial % 100) + 1);
			sqlite3_bind_int(d, 3, (int)(serial % 117) + 1);
			sqlite3_bind_int64(d, 4, (sqlite3_int64)time(NULL));
			must(sqlite3_step(d), db, "insert dossier");
			sqlite3_reset(d);
			sqlite3_bind_int64(e, 1, sqlite3_last_insert_rowid(db));
			sqlite3_bind_int64(e, 2, (sqlite3_int64)time(NULL));
			must(sqlite3_step(e), db, "insert event");
			sqlite3_reset(e);
		}
		must(sqlite3_step(commit), db, "commit");
		sqlite3_reset(commit);
		n += batch;
		t = now_s() - t0;
	} while (t < secs);
	printf("ref_sqlite mode=%s batch=%d pairs=%ld seconds=%.2f pairs_per_s=%.0f\n",
	       batch > 1 ? "batch" : "single", batch, n, t, (double)n / t);
	sqlite3_finalize(d);
	sqlite3_finalize(e);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	return 0;
}
