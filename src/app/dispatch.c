/* dispatch.c - from a request to a route handler: matches the route table, resolves who
 * acts (session cookie or API key), enforces the route's permission, CSRF and body limits,
 * validates the JSON body against the route's spec and checks that mutations audited.
 * Replica routing: a TS_ROUTE_REPLICA read runs on the read replica (db.replica_url) unless
 * the person wrote within db.replica_window (cookie TS_RW_COOKIE, set here on every
 * successful mutation), and runs again on the primary when the replica fails. Who acts is
 * always resolved on the primary (a session made a moment ago may not be on the replica). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "base/crypto.h"
#include "base/fault.h"
#include "base/log.h"
#include "iam/iam.h"

struct dstate {
	const struct ts_route *route;
	const char *params[8];
	int nparams;
	int is_static;
	bool authorized;    /* streamed routes: ctx was resolved and checked in begin() */
	struct ts_ctx ctx;
};

static struct ts_app *the_app;
static atomic_uint_fast64_t unaudited;
static atomic_uint_fast64_t n_replica, n_sticky, n_fallback;
/* CLOCK_MONOTONIC second before which the replica is not tried again after a failure */
static atomic_llong replica_down_until;
#define REPLICA_RETRY_AFTER_S 5

void ts_dispatch_replica_stats(struct ts_replica_stats *out)
{
	out->replica = atomic_load(&n_replica);
	out->sticky = atomic_load(&n_sticky);
	out->fallback = atomic_load(&n_fallback);
}

static long long mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec;
}

/* True when the person's last write (cookie) is younger than the window. A forged or
 * future value only keeps that person's reads on the primary, which is always correct. */
static bool wrote_recently(struct ts_app *app, struct ts_http_req *r)
{
	const char *v = ts_http_cookie_get(r, TS_RW_COOKIE);
	if (!v || !*v)
		return false;
	char *end = NULL;
	long long at = strtoll(v, &end, 10);
	if (*end)
		return true; /* unreadable: the safe side */
	return (long long)time(NULL) - at < (long long)app->replica_window_s;
}

/* Which store a TS_ROUTE_REPLICA read uses; counts the choice. */
static struct ts_db *read_store(struct ts_app *app, struct ts_http_req *r, const struct ts_route *rt)
{
	if (!app->replica || !(rt->flags & TS_ROUTE_REPLICA))
		return app->db;
	if (wrote_recently(app, r)) {
		atomic_fetch_add(&n_sticky, 1);
		return app->db;
	}
	if (mono_s() < atomic_load(&replica_down_until)) {
		atomic_fetch_add(&n_fallback, 1);
		return app->db;
	}
	return app->replica;
}

/* After a successful mutation: the person's reads stay on the primary for the window. */
static void mark_write(struct ts_app *app, struct ts_http_req *r, struct ts_http_resp *resp)
{
	if (!app->replica || app->replica_window_s <= 0)
		return;
	char v[160];
	snprintf(v, sizeof(v), "%s=%lld; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", TS_RW_COOKIE,
		 (long long)time(NULL), app->replica_window_s,
		 ts_config_bool(app->cfg, TS_CFG_COOKIE_SECURE) ? "; Secure" : "");
	if (ts_http_resp_header(r, resp, "Set-Cookie", v))
		ts_log(TS_LOG_WARN, "read-your-writes cookie not set", "rid", r->request_id, NULL);
}

struct ts_app *ts_dispatch_app(void) { return the_app; }

static bool is_mutation(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

static bool method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static int authorize(struct ts_app *app, struct ts_http_req *r, const struct ts_route *rt,
		     struct ts_ctx *ctx, struct ts_error *err);
static const char *limit_account(struct ts_arena *a, unsigned flags, const struct ts_ctx *ctx,
				 const json_t *body);

/* A streamed route: who acts, permission and CSRF are settled before the body is read, then
 * the route's open() sets the sink; the cap is the sink's. */
static long begin_stream(struct ts_app *app, struct ts_http_req *r, struct dstate *st,
			 struct ts_error *err)
{
	int rc = authorize(app, r, st->route, &st->ctx, err);
	if (rc)
		return rc;
	st->authorized = true;
	/* counted before a byte of the body is read */
	if ((rc = ts_ratelimit_check(app, r->arena, st->route->flags, r->client_addr,
				     limit_account(r->arena, st->route->flags, &st->ctx, NULL), err)))
		return rc;
	struct ts_http_resp scratch = {0};
	struct ts_call call = {.req = r, .resp = &scratch, .ctx = &st->ctx, .nparams = st->nparams};
	memcpy(call.params, st->params, sizeof(st->params));
	if ((rc = st->route->open(&call, err)))
		return rc;
	if (!r->sink)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, NULL);
	return (long)r->sink->cap;
}

/* The account a limited request counts against: who acts, or for login and registration
 * (nobody signed in yet) the name or ID asked for. NULL when there is none. */
static const char *limit_account(struct ts_arena *a, unsigned flags, const struct ts_ctx *ctx,
				 const json_t *body)
{
	if (flags & (TS_ROUTE_LIMIT_LOGIN | TS_ROUTE_LIMIT_REGISTER)) {
		const char *keys[] = {"login", "personal_id", "tax_code"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = json_string_value(json_object_get(body, keys[i]));
			if (v && *v) {
				char *low = ts_arena_strdup(a, v);
				for (char *p = low; p && *p; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p - 'A' + 'a');
				return low;
			}
		}
		return NULL;
	}
	if (ctx->actor.account_id)
		return ts_arena_printf(a, "a:%lld", (long long)ctx->actor.account_id);
	if (ctx->actor.api_client_id)
		return ts_arena_printf(a, "k:%lld", (long long)ctx->actor.api_client_id);
	return NULL;
}

static long begin(struct ts_http_req *r, void *ud, struct ts_error *err)
{
	struct ts_app *app = ud;
	struct dstate *st = ts_arena_zalloc(r->arena, sizeof(*st));
	if (!st)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	r->app = st;
	bool path_matched = false;
	for (size_t i = 0; i < ts_nroutes; i++) {
		const struct ts_route *rt = &ts_routes[i];
		const char *vals[8];
		int n = 0;
		if (!ts_http_match(rt->pattern, r->path, r->arena, vals, 8, &n))
			continue;
		path_matched = true;
		if (!method_matches(rt->method, r->method))
			continue;
		st->route = rt;
		st->nparams = n;
		memcpy(st->params, vals, sizeof(vals[0]) * (size_t)n);
		if ((rt->flags & TS_ROUTE_STREAM) && rt->open)
			return begin_stream(app, r, st, err);
		if (!rt->spec && !(rt->flags & TS_ROUTE_CSV_BODY))
			return 0;
		return (long)ts_config_int(app->cfg, (rt->flags & TS_ROUTE_BULK_BODY) ? TS_CFG_HTTP_MAX_IMPORT_BODY
											: TS_CFG_HTTP_MAX_BODY);
	}
	if (path_matched)
		return ts_error_set(err, TS_ERR_METHOD, NULL, "Đường dẫn này không hỗ trợ phương thức %s", r->method);
	if (strncmp(r->path, "/api/", 5) != 0 && method_matches("GET", r->method)) {
		st->is_static = 1;
		return 0;
	}
	return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Không có đường dẫn %s", r->path);
}

static const char *bearer_of(struct ts_http_req *r)
{
	const char *h = ts_http_header_get(r, "Authorization");
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	return NULL;
}

static bool content_type_is(struct ts_http_req *r, const char *type)
{
	const char *ct = ts_http_header_get(r, "Content-Type");
	if (!ct)
		return false;
	size_t n = strlen(type);
	return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int handle(struct ts_http_req *r, struct ts_http_resp *resp, void *ud, struct ts_error *err)
{
	struct ts_app *app = ud;
	struct dstate *st = r->app;
	if (st->is_static) {
		resp->route_label = "static";
		return ts_http_static(r, resp, app->web_root, r->path, err);
	}
	const struct ts_route *rt = st->route;
	resp->route_label = rt->pattern;

	struct ts_ctx *cp = &st->ctx;
	if (!st->authorized) {
		int rc = authorize(app, r, rt, cp, err);
		if (rc)
			return rc;
	}
	bool mutation = is_mutation(r->method);
	/* one context for the whole request: a streamed route's upload, opened in begin(),
	 * audits through the same one that is checked below */
	struct ts_call call = {.req = r, .resp = resp, .ctx = cp, .nparams = st->nparams};
	memcpy(call.params, st->params, sizeof(st->params));
	if (rt->spec) {
		if (!content_type_is(r, "application/json"))
			return ts_error_set(err, TS_ERR_UNSUPPORTED_MEDIA, NULL, "Dữ liệu phải gửi dạng application/json");
		int rc = ts_json_parse(r->arena, r->body, r->body_len, rt->spec, &call.body, err);
		if (rc)
			return rc;
	} else if ((rt->flags & TS_ROUTE_CSV_BODY) && !content_type_is(r, "text/csv")) {
		return ts_error_set(err, TS_ERR_UNSUPPORTED_MEDIA, NULL, "Dữ liệu phải gửi dạng text/csv (UTF-8)");
	}
	cp->db = mutation ? app->db : read_store(app, r, rt);
	if (!st->authorized && (rt->flags & TS_ROUTE_LIMITS)) {
		int rc = ts_ratelimit_check(app, r->arena, rt->flags, r->client_addr,
					    limit_account(r->arena, rt->flags, cp, call.body), err);
		if (rc)
			return rc;
	}
#ifdef TS_FAULT_INJECTION
	/* test builds: X-Tinhso-Fault makes the handler's Nth allocation or query fail */
	const char *fspec = ts_http_header_get(r, "X-Tinhso-Fault");
	struct ts_fault fault;
	if (fspec && ts_fault_parse(fspec, &fault))
		return ts_error_set(err, TS_ERR_BAD_REQUEST, "X-Tinhso-Fault", "X-Tinhso-Fault: alloc:N, query:N (+)");
	if (fspec)
		ts_fault_arm(&fault);
	int rc = rt->handler(&call, err);
	if (fspec) {
		char fired[24];
		snprintf(fired, sizeof(fired), "%ld", ts_fault_disarm());
		if (!rc)
			ts_http_resp_header(r, resp, "X-Tinhso-Fault-Fired", fired);
	}
#else
	int rc = rt->handler(&call, err);
#endif
	if (rc && cp->db != app->db && (rc == TS_ERR_UNAVAILABLE || rc == TS_ERR_DB)) {
		/* the replica failed: a read is safe to run again, on the primary */
		atomic_store(&replica_down_until, mono_s() + REPLICA_RETRY_AFTER_S);
		atomic_fetch_add(&n_fallback, 1);
		ts_log(TS_LOG_WARN, "replica read failed, served by the primary", "rid", r->request_id, "route",
		       rt->pattern, NULL);
		const char *label = resp->route_label;
		if (resp->has_fd)
			close(resp->fd);
		*resp = (struct ts_http_resp){.route_label = label};
		ts_error_clear(err);
		cp->db = app->db;
		rc = rt->handler(&call, err);
	} else if (rc == 0 && cp->db != app->db) {
		atomic_fetch_add(&n_replica, 1);
	}
	if (rc)
		return rc;
	if (mutation && resp->status < 300)
		mark_write(app, r, resp);
	if (mutation && resp->status < 300 && cp->audited == 0 && !cp->replayed && !(rt->flags & TS_ROUTE_NO_AUDIT)) {
		atomic_fetch_add(&unaudited, 1);
		app->unaudited = atomic_load(&unaudited);
		ts_log(TS_LOG_ERROR, "mutation not audited", "rid", r->request_id, "route", rt->pattern, NULL);
	}
	return 0;
}

/* Resolves who acts (session cookie or API key) into *ctx and checks the route's
 * permission and, for browser mutations, the CSRF token. */
static int authorize(struct ts_app *app, struct ts_http_req *r, const struct ts_route *rt,
		     struct ts_ctx *cp, struct ts_error *err)
{
	*cp = (struct ts_ctx){.db = app->db, .arena = r->arena, .client_addr = r->client_addr, .request_id = r->request_id};
	struct ts_ctx ctx = *cp;
	const char *cookie = ts_http_cookie_get(r, TS_SESSION_COOKIE);
	const char *bearer = bearer_of(r);
	if (cookie || bearer) {
		struct ts_error aerr = {0};
		int rc = ts_iam_authenticate(&ctx, cookie, bearer, &aerr);
		if (rc == TS_ERR_UNAUTHENTICATED && rt->perm == TS_PERM_PUBLIC) {
			memset(&ctx.actor, 0, sizeof(ctx.actor)); /* a stale cookie does not block public pages */
		} else if (rc) {
			*err = aerr;
			return rc;
		}
	}
	if (!ts_iam_has(&ctx.actor, rt->perm)) {
		if (!ctx.actor.account_id && !ctx.actor.api_client_id)
			return ts_error_set(err, TS_ERR_UNAUTHENTICATED, NULL, "Vui lòng đăng nhập để thực hiện thao tác này");
		return ts_error_set(err, TS_ERR_FORBIDDEN, NULL, NULL);
	}
	bool mutation = is_mutation(r->method);
	if (mutation && ctx.actor.session_id > 0 && !(rt->flags & TS_ROUTE_CSRF_EXEMPT)) {
		const char *tok = ts_http_header_get(r, TS_CSRF_HEADER);
		if (!tok || !ctx.actor.csrf_token || !ts_str_eq_ct(tok, ctx.actor.csrf_token))
			return ts_error_set(err, TS_ERR_CSRF, TS_CSRF_HEADER, "Thiếu hoặc sai mã chống giả mạo yêu cầu (%s)",
					    TS_CSRF_HEADER);
	}
	*cp = ctx;
	return 0;
}

void ts_dispatch_init(struct ts_app *app, struct ts_http_app *out)
{
	the_app = app;
	out->begin = begin;
	out->handle = handle;
	out->ud = app;
}
