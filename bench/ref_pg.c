/* ref_pg.c - the raw PostgreSQL limit the server is compared with (issue 8): CLIENTS
 * threads, each on its own connection with synchronous_commit=on, inserting a dossier row
 * and an event row per transaction for a fixed time. Prints one line:
 *   ref_pg clients=C pairs=P seconds=S pairs_per_s=R
 * Usage: ref_pg CONNINFO SECONDS CLIENTS */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *conninfo;
static double secs;
static atomic_long total;
static atomic_int failed;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool ok(PGconn *c, PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	bool good = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (!good)
		fprintf(stderr, "ref_pg: %s", PQerrorMessage(c));
	return good;
}

static void *client(void *arg)
{
	long id = (long)(intptr_t)arg, n = 0;
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "ref_pg: %s", PQerrorMessage(c));
		atomic_store(&failed, 1);
		PQfinish(c);
		return NULL;
	}
	PGresult *r = PQexec(c, "SET synchronous_commit = on");
	PQclear(r);
	r = PQprepare(c, "d",
		      "INSERT INTO ref_dossier (code, procedure_id, unit_id, applicant_name, status, "
		      "submitted_at, form_data) VALUES ($1, $2, $3, 'Nguyễn Văn An', 1, $4, "
		      "'{\"ho_ten\":\"Nguyễn Văn An\",\"dia_chi\":\"Xã Một\"}') RETURNING id",
		      4, NULL);
	PQclear(r);
	r = PQprepare(c, "e",
		      "INSERT INTO ref_event (dossier_id, action, at, actor) VALUES ($1, 'submit', $2, "
		      "1)",
		      2, NULL);
	PQclear(r);
	double t0 = now_s();
	char code[64], proc[16], unit[16], at[24], did[24];
	while (now_s() - t0 < secs) {
		snprintf(code, sizeof(code), "REF-%ld-%ld-%ld", (long)t0, id, n);
		snprintf(proc, sizeof(proc), "%ld", n % 100 + 1);
		snprintf(unit, sizeof(unit), "%ld", n % 117 + 1);
		snprintf(at, sizeof(at), "%ld", (long)time(NULL));
		const char *pd[] = {code, proc, unit, at};
		r = PQexec(c, "BEGIN");
		PQclear(r);
		r = PQexecPrepared(c, "d", 4, pd, NULL, NULL, 0);
		if (!ok(c, r)) {
			PQclear(r);
			atomic_store(&failed, 1);
			break;
		}
		snprintf(did, sizeof(did), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		const char *pe[] = {did, at};
		r = PQexecPrepared(c, "e", 2, pe, NULL, NULL, 0);
		bool good = ok(c, r);
		PQclear(r);
		r = PQexec(c, "COMMIT");
		good = good && ok(c, r);
		PQclear(r);
		if (!good) {
			atomic_store(&failed, 1);
			break;
		}
		n++;
	}
	atomic_fetch_add(&total, n);
	PQfinish(c);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return fprintf(stderr, "usage: ref_pg CONNINFO SECONDS CLIENTS\n"), 2;
	conninfo = argv[1];
	secs = atof(argv[2]);
	int n = atoi(argv[3]);
	if (secs <= 0 || secs > 600 || n < 1 || n > 256)
		return fprintf(stderr, "ref_pg: bad arguments\n"), 2;
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		return fprintf(stderr, "ref_pg: %s", PQerrorMessage(c)), 1;
	PGresult *r = PQexec(
	    c, "DROP TABLE IF EXISTS ref_event; DROP TABLE IF EXISTS ref_dossier;"
	       "CREATE TABLE ref_dossier (id BIGSERIAL PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
	       "procedure_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, applicant_name TEXT NOT "
	       "NULL, status INT NOT NULL, submitted_at BIGINT NOT NULL, form_data TEXT);"
	       "CREATE INDEX ON ref_dossier (unit_id, status, submitted_at);"
	       "CREATE TABLE ref_event (id BIGSERIAL PRIMARY KEY, dossier_id BIGINT NOT NULL "
	       "REFERENCES ref_dossier(id), action TEXT NOT NULL, at BIGINT NOT NULL, actor BIGINT);"
	       "CREATE INDEX ON ref_event (dossier_id, id);");
	if (!ok(c, r))
		return 1;
	PQclear(r);
	pthread_t th[256];
	double t0 = now_s();
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, client, (void *)(intptr_t)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	double t = now_s() - t0;
	long p = atomic_load(&total);
	printf("ref_pg clients=%d pairs=%ld seconds=%.2f pairs_per_s=%.0f\n", n, p, t, (double)p / t);
	r = PQexec(c, "DROP TABLE ref_event; DROP TABLE ref_dossier");
	PQclear(r);
	PQfinish(c);
	return atomic_load(&failed) ? 1 : 0;
}
