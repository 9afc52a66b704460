/* main.c - the tinhso executable: THE command table (which also generates --help),
 * configuration loading (default < file < environment < flags), and signal handling. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "attach/attach.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "calendar/calendar.h"
#include "dossier/dossier.h"
#include "forms/forms.h"
#include "iam/iam.h"
#include "org/org.h"
#include "stats/stats.h"

extern char **environ;

#define MAX_POS 8
#define MAX_OWN 8

struct cli {
	const struct command *cmd;
	int npos;
	const char *pos[MAX_POS];
	const char *own[MAX_OWN]; /* values of the command's own flags, by index */
	struct ts_config cfg;
};

struct command {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(struct cli *cli);
	const char *own_flags[MAX_OWN]; /* "password" takes a value; "admin!" is a switch */
};

static int cmd_serve(struct cli *cli);
static int cmd_migrate(struct cli *cli);
static int cmd_demo(struct cli *cli);
static int cmd_user(struct cli *cli);
static int cmd_config(struct cli *cli);
static int cmd_version(struct cli *cli);
static int cmd_audit(struct cli *cli);
static int cmd_calendar(struct cli *cli);
static int cmd_stats(struct cli *cli);
static int cmd_help(struct cli *cli);

static const struct command commands[] = {
	{"serve", "", "serve the web UI and the API until SIGINT/SIGTERM (graceful)", cmd_serve, {NULL}},
	{"migrate", "", "apply the database migrations not yet applied", cmd_migrate, {NULL}},
	{"demo", "[--password P] [--dossiers N]",
	 "load the demo province, one account per role, the catalogue and N dossiers over 18 months "
	 "(default 3000; idempotent)",
	 cmd_demo, {"password", "dossiers", NULL}},
	{"user", "add USERNAME --full-name N --unit CODE [--role R] [--admin] [--password P]\n"
		 "       user passwd USERNAME [--password P]\n"
		 "       user grant USERNAME ROLE UNIT_CODE|*",
	 "manage officer and administrator accounts", cmd_user, {"full-name", "unit", "role", "password", "admin!", NULL}},
	{"config", "", "print the effective settings (secrets masked)", cmd_config, {NULL}},
	{"calendar", "due FROM AMOUNT working_hours|working_days|calendar_days [--after-cutoff-rule]",
	 "compute a due time on the working calendar (FROM as 2026-02-13T16:00:00+07:00)", cmd_calendar,
	 {"after-cutoff-rule!", NULL}},
	{"audit", "verify", "check the audit trail's hash chain; exit 1 at the first broken link", cmd_audit, {NULL}},
	{"stats", "recount [--check]",
	 "rebuild the statistics counters from the dossier events (--check: compare only, exit 1 on a difference)",
	 cmd_stats, {"check!", NULL}},
	{"version", "", "print the version", cmd_version, {NULL}},
	{"help", "", "show this help", cmd_help, {NULL}},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "tinhso %s - nền tảng Tỉnh số (digital province platform)\n\nUsage: tinhso COMMAND [ARGS] [FLAGS]\n\nCommands:\n",
		TS_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
		if (commands[i].usage[0])
			fprintf(out, "            tinhso %s %s\n", commands[i].name, commands[i].usage);
	}
	fprintf(out, "\nCommon flags:\n  --config FILE                  read settings from FILE (also TINHSO_CONFIG)\n");
	ts_config_help(out);
}

static void die_err(const struct ts_error *err)
{
	fprintf(stderr, "tinhso: %s%s%s\n", err->detail[0] ? err->detail : ts_err_title(err->code),
		err->field[0] ? " (" : "", err->field[0] ? err->field : "");
	if (err->field[0])
		fputs(")\n", stderr);
}

static int own_index(const struct command *c, const char *name, int *is_switch)
{
	for (int i = 0; i < MAX_OWN && c->own_flags[i]; i++) {
		size_t n = strlen(c->own_flags[i]);
		int sw = c->own_flags[i][n - 1] == '!';
		if (strlen(name) == n - (size_t)sw && !strncmp(c->own_flags[i], name, n - (size_t)sw)) {
			*is_switch = sw;
			return i;
		}
	}
	return -1;
}

/* Parses argv after the command name: flags are applied after the config file and the
 * environment, so they are collected first. */
static int parse_args(struct cli *cli, int argc, char **argv, struct ts_error *err)
{
	const char *config_file = getenv("TINHSO_CONFIG");
	const char *keys[64], *vals[64];
	int nset = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			if (cli->npos >= MAX_POS)
				return ts_error_set(err, TS_ERR_CONFIG, NULL, "too many arguments");
			cli->pos[cli->npos++] = a;
			continue;
		}
		char name[64];
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (n >= sizeof(name))
			return ts_error_set(err, TS_ERR_CONFIG, NULL, "unknown flag '%s'", a);
		memcpy(name, a + 2, n);
		name[n] = '\0';
		int sw = 0, own = own_index(cli->cmd, name, &sw);
		const char *val = eq ? eq + 1 : NULL;
		if (own >= 0 && sw) {
			cli->own[own] = "true";
			continue;
		}
		if (!val) {
			if (i + 1 >= argc)
				return ts_error_set(err, TS_ERR_CONFIG, NULL, "flag '--%s' needs a value", name);
			val = argv[++i];
		}
		if (own >= 0) {
			cli->own[own] = val;
		} else if (!strcmp(name, "config")) {
			config_file = val;
		} else {
			const char *key = ts_config_key_for_flag(name);
			if (!key)
				return ts_error_set(err, TS_ERR_CONFIG, NULL, "unknown flag '--%s' for '%s' (see 'tinhso --help')",
						    name, cli->cmd->name);
			if (nset >= 64)
				return ts_error_set(err, TS_ERR_CONFIG, NULL, "too many flags");
			keys[nset] = key;
			vals[nset++] = val;
		}
	}
	int rc;
	if (config_file && (rc = ts_config_load_file(&cli->cfg, config_file, err)))
		return rc;
	if ((rc = ts_config_load_env(&cli->cfg, environ, err)))
		return rc;
	for (int i = 0; i < nset; i++)
		if ((rc = ts_config_set(&cli->cfg, keys[i], vals[i], TS_CFG_FROM_FLAG, err)))
			return rc;
	enum ts_log_level lvl;
	if (ts_log_level_parse(ts_config_str(&cli->cfg, TS_CFG_LOG_LEVEL), &lvl) == 0)
		ts_log_set_level(lvl);
	return 0;
}

static int open_db_for(struct cli *cli, bool bulk, struct ts_db **db, struct ts_error *err)
{
	struct ts_db_options o = {.pool_size = (int)ts_config_int(&cli->cfg, TS_CFG_DB_POOL_SIZE),
				  .busy_timeout_ms = 5000, .max_retries = 8, .bulk_load = bulk};
	return ts_db_open(ts_config_str(&cli->cfg, TS_CFG_DATABASE), &o, db, err);
}

/* Hands the config table's values to the modules that read them. */
static int open_db(struct cli *cli, struct ts_db **db, struct ts_error *err)
{
	return open_db_for(cli, false, db, err);
}

static void configure_modules(const struct ts_config *c)
{
	struct ts_iam_options o;
	ts_iam_defaults(&o);
	o.session_ttl_s = (int)ts_config_int(c, TS_CFG_SESSION_TTL);
	o.session_idle_s = (int)ts_config_int(c, TS_CFG_SESSION_IDLE);
	o.max_fail_account = (int)ts_config_int(c, TS_CFG_LOGIN_MAX_FAILURES_ACCOUNT);
	o.max_fail_ip = (int)ts_config_int(c, TS_CFG_LOGIN_MAX_FAILURES_IP);
	o.fail_window_s = (int)ts_config_int(c, TS_CFG_LOGIN_WINDOW);
	o.pwhash_memlimit = (unsigned long long)ts_config_int(c, TS_CFG_PWHASH_MEMORY) * 1024ULL;
	o.pwhash_opslimit = (unsigned long long)ts_config_int(c, TS_CFG_PWHASH_OPS);
	o.cookie_secure = ts_config_bool(c, TS_CFG_COOKIE_SECURE) || ts_config_bool(c, TS_CFG_HTTP_TLS);
	ts_iam_configure(&o);

	struct ts_dossier_rules r = {
	    .max_apologies = (int)ts_config_int(c, TS_CFG_DOSSIER_MAX_APOLOGIES),
	    .apology_notice_hours = (int)ts_config_int(c, TS_CFG_DOSSIER_APOLOGY_NOTICE_HOURS),
	    .supplements_before_late = (int)ts_config_int(c, TS_CFG_DOSSIER_SUPPLEMENTS_BEFORE_LATE)};
	ts_dossier_set_rules(&r);
}

/* Refuses to work on a store whose schema is behind the binary. */
static int require_schema(struct ts_db *db, struct ts_error *err)
{
	int cur = 0, latest = 0, rc = ts_db_schema_version(db, &cur, &latest, err);
	if (rc)
		return rc;
	if (cur < latest)
		return ts_error_set(err, TS_ERR_CONFIG, NULL,
				    "database schema is at migration %d, this binary needs %d: run 'tinhso migrate' first",
				    cur, latest);
	if (cur > latest)
		return ts_error_set(err, TS_ERR_CONFIG, NULL,
				    "database schema is at migration %d, newer than this binary (%d): upgrade tinhso", cur,
				    latest);
	return 0;
}

/* Attachments (blob folder, caps, scanner) and printed forms (QR link, fonts). */
static int configure_attach_forms(const struct ts_config *c, struct ts_error *err)
{
	struct ts_attach_options o;
	int policy = ts_attach_policy_parse(ts_config_str(c, TS_CFG_ATTACH_SCAN_UNAVAILABLE));
	if (policy < 0)
		return ts_error_set(err, TS_ERR_CONFIG, "attach.scan_unavailable",
				    "setting 'attach.scan_unavailable' must be refuse or hold");
	ts_attach_defaults(&o);
	o.dir = ts_config_str(c, TS_CFG_ATTACH_DIR);
	o.max_file = ts_config_int(c, TS_CFG_ATTACH_MAX_FILE);
	o.max_dossier = ts_config_int(c, TS_CFG_ATTACH_MAX_DOSSIER);
	o.clamd = ts_config_str(c, TS_CFG_ATTACH_CLAMD);
	o.clamd_timeout_s = (int)ts_config_int(c, TS_CFG_ATTACH_CLAMD_TIMEOUT);
	o.hold_when_down = policy == 1;
	int rc = ts_attach_configure(&o, err);
	if (rc)
		return rc;
	return ts_forms_configure(ts_config_str(c, TS_CFG_FORMS_LOOKUP_URL), ts_config_str(c, TS_CFG_FORMS_FONT_DIR),
				  err);
}

static int split_listen(const char *listen, char *host, size_t hostsz, unsigned *port, struct ts_error *err)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	long p = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || colon == listen || (size_t)(colon - listen) >= hostsz || *end || p < 0 || p > 65535)
		return ts_error_set(err, TS_ERR_CONFIG, "listen", "setting 'listen' must be HOST:PORT, got '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	*port = (unsigned)p;
	return 0;
}

static int cmd_serve(struct cli *cli)
{
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	struct ts_http_server *srv = NULL;
	char host[256];
	unsigned port = 0;
	int rc;
	if ((rc = split_listen(ts_config_str(&cli->cfg, TS_CFG_LISTEN), host, sizeof(host), &port, &err)))
		goto out;
	if ((rc = open_db(cli, &db, &err)) || (rc = require_schema(db, &err)))
		goto out;
	configure_modules(&cli->cfg);
	if ((rc = configure_attach_forms(&cli->cfg, &err)))
		goto out;
	ts_stats_set_pdf_font(ts_config_str(&cli->cfg, TS_CFG_STATS_PDF_FONT));
	struct ts_app app = {.cfg = &cli->cfg, .db = db, .web_root = ts_config_str(&cli->cfg, TS_CFG_WEB_ROOT)};
	struct ts_http_app happ;
	ts_dispatch_init(&app, &happ);
	struct ts_http_options ho = {
		.host = host,
		.port = port,
		.threads = (unsigned)ts_config_int(&cli->cfg, TS_CFG_HTTP_THREADS),
		.max_connections = (unsigned)ts_config_int(&cli->cfg, TS_CFG_HTTP_MAX_CONNECTIONS),
		.timeout_s = (unsigned)ts_config_int(&cli->cfg, TS_CFG_HTTP_TIMEOUT),
		.shutdown_grace_s = (unsigned)ts_config_int(&cli->cfg, TS_CFG_HTTP_SHUTDOWN_GRACE),
		.arena_cap = (size_t)ts_config_int(&cli->cfg, TS_CFG_HTTP_MAX_IMPORT_BODY) * 8 + (16u << 20),
		.max_connections_per_ip = (unsigned)ts_config_int(&cli->cfg, TS_CFG_HTTP_MAX_CONNECTIONS_PER_IP),
		.request_timeout_s = (unsigned)ts_config_int(&cli->cfg, TS_CFG_HTTP_REQUEST_TIMEOUT),
		.csp = ts_config_str(&cli->cfg, TS_CFG_HTTP_CSP),
		.hsts = ts_config_bool(&cli->cfg, TS_CFG_HTTP_TLS),
		.client_ip_header = ts_config_str(&cli->cfg, TS_CFG_HTTP_CLIENT_IP_HEADER),
	};
	/* Signals are taken by sigwait in this thread only; server threads inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = ts_http_server_start(&ho, &happ, &srv, &err)))
		goto out;
	char portbuf[16];
	snprintf(portbuf, sizeof(portbuf), "%u", ts_http_server_port(srv));
	ts_log(TS_LOG_INFO, "serving", "host", host, "#port", portbuf, "database",
	       ts_db_engine_of(db) == TS_DB_SQLITE ? "sqlite" : "postgresql", NULL);
	printf("tinhso %s is serving on http://%s:%u/  (API: http://%s:%u/api/docs) - Ctrl-C to stop\n", TS_VERSION,
	       host, ts_http_server_port(srv), host, ts_http_server_port(srv));
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	ts_log(TS_LOG_INFO, "stopping", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
	ts_http_server_stop(srv);
	srv = NULL;
	ts_forms_shutdown();
	ts_log(TS_LOG_INFO, "stopped", NULL);
out:
	ts_http_server_stop(srv);
	ts_db_close(db);
	if (rc)
		die_err(&err);
	return rc ? 1 : 0;
}

static int cmd_migrate(struct cli *cli)
{
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	int applied = 0, cur = 0, latest = 0;
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = ts_db_migrate(db, &applied, &err);
	if (!rc)
		rc = ts_db_schema_version(db, &cur, &latest, &err);
	if (!rc)
		printf("migrations: %d applied, schema at %d of %d\n", applied, cur, latest);
	ts_db_close(db);
	if (rc)
		die_err(&err);
	return rc ? 1 : 0;
}

static int cmd_demo(struct cli *cli)
{
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	char *end = NULL;
	long dossiers = cli->own[1] ? strtol(cli->own[1], &end, 10) : 3000;
	if (cli->own[1] && (*end || dossiers < 0 || dossiers > 1000000)) {
		fprintf(stderr, "tinhso: --dossiers takes a number from 0 to 1000000\n");
		return 2;
	}
	/* a re-runnable bulk load: commits need not wait for the disk */
	int rc = open_db_for(cli, true, &db, &err);
	if (!rc)
		rc = require_schema(db, &err);
	if (!rc) {
		configure_modules(&cli->cfg);
		rc = ts_demo_load(db, cli->own[0], (int)dossiers, stdout, &err);
	}
	ts_db_close(db);
	if (rc)
		die_err(&err);
	return rc ? 1 : 0;
}

static int user_run(struct cli *cli, struct ts_ctx *ctx, struct ts_error *err)
{
	const char *sub = cli->npos > 0 ? cli->pos[0] : "";
	const char *full_name = cli->own[0], *unit = cli->own[1], *role = cli->own[2], *password = cli->own[3];
	char generated[32];
	if (!password) {
		ts_app_random_password(generated, sizeof(generated));
		password = generated;
	}
	int64_t id = 0, unit_id = 0;
	int rc;
	if (!strcmp(sub, "add") && cli->npos == 2) {
		if (!full_name || !unit)
			return ts_error_set(err, TS_ERR_CONFIG, NULL, "user add needs --full-name and --unit");
		if ((rc = ts_org_unit_by_code(ctx, unit, &unit_id, err)))
			return rc;
		struct ts_account_new in = {.kind = cli->own[4] ? TS_ACCT_ADMIN : TS_ACCT_OFFICER,
					    .username = cli->pos[1], .full_name = full_name, .password = password,
					    .unit_id = unit_id};
		if ((rc = ts_iam_account_create(ctx, &in, &id, err)))
			return rc;
		if (role) {
			int r = ts_role_parse(role);
			if (r < 0)
				return ts_error_set(err, TS_ERR_CONFIG, NULL, "unknown role '%s'", role);
			if ((rc = ts_iam_grant(ctx, id, r, unit_id, NULL, err)))
				return rc;
		}
		printf("created %s (id %lld)%s%s\n", cli->pos[1], (long long)id, cli->own[3] ? "" : ", password: ",
		       cli->own[3] ? "" : password);
		return 0;
	}
	if (!strcmp(sub, "passwd") && cli->npos == 2) {
		if ((rc = ts_iam_account_by_username(ctx, cli->pos[1], &id, err)) ||
		    (rc = ts_iam_set_password(ctx, id, password, err)))
			return rc;
		printf("password of %s changed%s%s\n", cli->pos[1], cli->own[3] ? "" : ": ", cli->own[3] ? "" : password);
		return 0;
	}
	if (!strcmp(sub, "grant") && cli->npos == 4) {
		int r = ts_role_parse(cli->pos[2]);
		if (r < 0)
			return ts_error_set(err, TS_ERR_CONFIG, NULL, "unknown role '%s'", cli->pos[2]);
		if (strcmp(cli->pos[3], "*") && (rc = ts_org_unit_by_code(ctx, cli->pos[3], &unit_id, err)))
			return rc;
		if ((rc = ts_iam_account_by_username(ctx, cli->pos[1], &id, err)) ||
		    (rc = ts_iam_grant(ctx, id, r, unit_id, NULL, err)))
			return rc;
		printf("granted %s on %s to %s\n", cli->pos[2], cli->pos[3], cli->pos[1]);
		return 0;
	}
	return ts_error_set(err, TS_ERR_CONFIG, NULL, "usage: tinhso user %s", cli->cmd->usage);
}

static int cmd_user(struct cli *cli)
{
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	struct ts_arena a;
	ts_arena_init(&a, 0);
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = require_schema(db, &err);
	if (!rc) {
		configure_modules(&cli->cfg);
		struct ts_ctx ctx;
		ts_ctx_init_cli(&ctx, db, &a);
		rc = user_run(cli, &ctx, &err);
	}
	ts_arena_release(&a);
	ts_db_close(db);
	if (rc)
		die_err(&err);
	return rc ? 1 : 0;
}

static int cmd_config(struct cli *cli)
{
	ts_config_print(&cli->cfg, stdout);
	return 0;
}

static int cmd_version(struct cli *cli)
{
	(void)cli;
	printf("tinhso %s\n", TS_VERSION);
	return 0;
}

static int cmd_audit(struct cli *cli)
{
	if (cli->npos != 1 || strcmp(cli->pos[0], "verify")) {
		fprintf(stderr, "usage: tinhso audit verify\n");
		return 2;
	}
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	bool ok = false;
	int64_t bad = 0, rows = 0;
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = ts_audit_verify(db, &ok, &bad, &rows, &err);
	ts_db_close(db);
	if (rc) {
		die_err(&err);
		return 1;
	}
	if (!ok) {
		printf("audit chain BROKEN at seq %lld (%lld rows checked)\n", (long long)bad, (long long)rows);
		return 1;
	}
	printf("audit chain ok: %lld rows verified\n", (long long)rows);
	return 0;
}

static int cmd_stats(struct cli *cli)
{
	if (cli->npos != 1 || strcmp(cli->pos[0], "recount")) {
		fprintf(stderr, "usage: tinhso stats %s\n", cli->cmd->usage);
		return 2;
	}
	bool check = cli->own[0] != NULL;
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	struct ts_arena arena;
	struct ts_ctx ctx;
	int64_t rows = 0, differing = 0;
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = require_schema(db, &err);
	ts_arena_init(&arena, 0);
	if (!rc) {
		ts_ctx_init_cli(&ctx, db, &arena);
		rc = ts_stats_recount(&ctx, !check, &rows, &differing, &err);
	}
	ts_arena_release(&arena);
	ts_db_close(db);
	if (rc) {
		die_err(&err);
		return 1;
	}
	if (check) {
		printf("stats counters %s: %lld recounted rows, %lld differing\n", differing ? "DIFFER" : "ok",
		       (long long)rows, (long long)differing);
		return differing ? 1 : 0;
	}
	printf("stats counters rebuilt: %lld rows (%lld differed before)\n", (long long)rows, (long long)differing);
	return 0;
}

static int cmd_calendar(struct cli *cli)
{
	if (cli->npos != 4 || strcmp(cli->pos[0], "due")) {
		fprintf(stderr, "usage: tinhso calendar %s\n", cli->cmd->usage);
		return 2;
	}
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	char out[TS_CAL_ISO_LEN];
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = require_schema(db, &err);
	if (!rc)
		rc = ts_cal_cli_due(db, cli->pos[1], cli->pos[2], cli->pos[3], cli->own[0] != NULL, out, sizeof(out), &err);
	ts_db_close(db);
	if (rc) {
		die_err(&err);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

static int cmd_help(struct cli *cli)
{
	(void)cli;
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, argv[1]))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "tinhso: unknown command '%s' (see 'tinhso --help')\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
	if (ts_crypto_init()) {
		fprintf(stderr, "tinhso: cannot initialise libsodium\n");
		return 1;
	}
	struct cli cli = {.cmd = cmd};
	struct ts_error err = {0};
	int rc = ts_config_init(&cli.cfg);
	if (!rc)
		rc = parse_args(&cli, argc - 2, argv + 2, &err);
	if (rc) {
		die_err(&err);
		ts_config_release(&cli.cfg);
		return 2;
	}
	rc = cmd->run(&cli);
	ts_config_release(&cli.cfg);
	return rc;
}
