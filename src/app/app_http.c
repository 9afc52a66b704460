/* app_http.c - application-level routes: liveness, readiness, metrics, API description. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "base/cache.h"
#include "iam/iam.h"
#include "outbox/outbox.h"
#include "stats/stats.h"

int ts_app_http_healthz(struct ts_call *call, struct ts_error *err)
{
	(void)err;
	return ts_http_reply(call, 200, json_pack("{s:s, s:s}", "status", "ok", "version", TS_VERSION));
}

int ts_app_http_readyz(struct ts_call *call, struct ts_error *err)
{
	struct ts_error perr = {0};
	if (ts_db_ping(call->ctx->db, &perr))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, NULL, "Không kết nối được cơ sở dữ liệu");
	return ts_http_reply(call, 200, json_pack("{s:s, s:s}", "status", "ready", "database",
						  ts_db_engine_of(call->ctx->db) == TS_DB_SQLITE ? "sqlite" : "postgresql"));
}

int ts_app_http_metrics(struct ts_call *call, struct ts_error *err)
{
	struct ts_app *app = ts_dispatch_app();
	struct ts_replica_stats rs;
	ts_dispatch_replica_stats(&rs);
	struct ts_db_group_stats gc;
	struct ts_cache_stats cs;
	ts_db_group_stats(app->db, &gc);
	ts_db_cache_stats(app->db, &cs);
	char *extra = ts_arena_printf(call->req->arena,
				      "# HELP tinhso_db_errors_total Database errors since start.\n"
				      "# TYPE tinhso_db_errors_total counter\n"
				      "tinhso_db_errors_total %" PRIu64 "\n"
				      "# HELP tinhso_unaudited_mutations_total Successful mutations that wrote no audit row (must be 0).\n"
				      "# TYPE tinhso_unaudited_mutations_total counter\n"
				      "tinhso_unaudited_mutations_total %" PRIu64 "\n"
				      "# HELP tinhso_replica_reads_total Reads of replica routes: served by the replica, kept on the primary after the person's write (sticky), or moved to the primary because the replica failed (fallback).\n"
				      "# TYPE tinhso_replica_reads_total counter\n"
				      "tinhso_replica_reads_total{served=\"replica\"} %" PRIu64 "\n"
				      "tinhso_replica_reads_total{served=\"sticky\"} %" PRIu64 "\n"
				      "tinhso_replica_reads_total{served=\"fallback\"} %" PRIu64 "\n"
				      "# HELP tinhso_db_group_commits_total SQLite commits of grouped write transactions since start.\n"
				      "# TYPE tinhso_db_group_commits_total counter\n"
				      "tinhso_db_group_commits_total %" PRIu64 "\n"
				      "# HELP tinhso_db_group_commit_members_total Write transactions committed in those groups.\n"
				      "# TYPE tinhso_db_group_commit_members_total counter\n"
				      "tinhso_db_group_commit_members_total %" PRIu64 "\n"
				      "# HELP tinhso_db_group_commit_member_cpu_seconds_total CPU time the SQLite writer spent running those transactions (not their commits): the serial part of every write.\n"
				      "# TYPE tinhso_db_group_commit_member_cpu_seconds_total counter\n"
				      "tinhso_db_group_commit_member_cpu_seconds_total %.6f\n"
				      "# HELP tinhso_read_cache_lookups_total Lookups in the read cache of unchanging rows (procedure versions, flow steps, unit codes, the calendar) since start.\n"
				      "# TYPE tinhso_read_cache_lookups_total counter\n"
				      "tinhso_read_cache_lookups_total{result=\"hit\"} %" PRIu64 "\n"
				      "tinhso_read_cache_lookups_total{result=\"miss\"} %" PRIu64 "\n"
				      "# HELP tinhso_read_cache_evictions_total Entries the read cache dropped to stay within its size since start.\n"
				      "# TYPE tinhso_read_cache_evictions_total counter\n"
				      "tinhso_read_cache_evictions_total %" PRIu64 "\n"
				      "# HELP tinhso_read_cache_entries Entries in the read cache now.\n"
				      "# TYPE tinhso_read_cache_entries gauge\n"
				      "tinhso_read_cache_entries %zu\n",
				      ts_db_error_count(app->db), app->unaudited, rs.replica, rs.sticky, rs.fallback, gc.batches, gc.members, gc.member_cpu_ns / 1e9,
				      cs.hits, cs.misses, cs.evictions, cs.entries);
	/* integration health (queue depth, oldest message, deliveries per target) */
	char *integ = extra ? ts_outbox_metrics(app->db, call->req->arena) : NULL;
	if (integ)
		extra = ts_arena_printf(call->req->arena, "%s%s", extra, integ);
	/* statistics: dossiers overdue now (src/stats/metrics.c) */
	char *stats = extra ? ts_stats_metrics(app->db, call->req->arena) : NULL;
	if (stats)
		extra = ts_arena_printf(call->req->arena, "%s%s", extra, stats);
	char *text = extra ? ts_http_metrics_render(call->req->arena, extra) : NULL;
	if (!text)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	call->resp->status = 200;
	call->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	call->resp->body = text;
	call->resp->body_len = strlen(text);
	return 0;
}

int ts_app_http_openapi(struct ts_call *call, struct ts_error *err)
{
	json_t *doc = ts_openapi_build();
	if (!doc)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	return ts_http_reply(call, 200, doc);
}

int ts_app_http_docs(struct ts_call *call, struct ts_error *err)
{
	size_t len = 0;
	char *html = ts_openapi_html(call->req->arena, &len);
	if (!html)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	call->resp->status = 200;
	call->resp->content_type = "text/html; charset=utf-8";
	call->resp->body = html;
	call->resp->body_len = len;
	return 0;
}
