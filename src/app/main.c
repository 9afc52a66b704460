/* main.c - the tinhso executable: THE command table (which also generates --help),
 * configuration loading (default < file < environment < flags), and signal handling. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "app/app.h"
#include "app/gendoc.h"
#include "attach/attach.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "dossier/dossier.h"
#include "dossier/idem.h"
#include "dvcqg/dvcqg.h"
#include "dvcqg/identity.h"
#include "outbox/httpc.h"
#include "outbox/notify.h"
#include "outbox/outbox.h"
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
static int cmd_migrate_store(struct cli *cli);
static int cmd_demo(struct cli *cli);
static int cmd_user(struct cli *cli);
static int cmd_config(struct cli *cli);
static int cmd_version(struct cli *cli);
static int cmd_audit(struct cli *cli);
static int cmd_calendar(struct cli *cli);
static int cmd_stats(struct cli *cli);
static int cmd_attach(struct cli *cli);
static int cmd_maintenance(struct cli *cli);
static int cmd_doc(struct cli *cli);
static int cmd_import(struct cli *cli);
static int cmd_help(struct cli *cli);
static int cmd_backup(struct cli *cli);
static int cmd_restore(struct cli *cli);

static const struct command commands[] = {
	{"serve", "", "serve the web UI and the API until SIGINT/SIGTERM (graceful)", cmd_serve, {NULL}},
	{"migrate", "", "apply the database migrations not yet applied", cmd_migrate, {NULL}},
	{"migrate-store", "--from sqlite:PATH --to postgresql://... [--check]",
	 "copy every table of a SQLite store into a new PostgreSQL database (stop the node first), then "
	 "compare every table and the audit chain (--check: compare only; exit 1 on a difference)",
	 cmd_migrate_store, {"from", "to", "check!", NULL}},
	{"backup", "DEST",
	 "write a backup into the new or empty folder DEST while the service keeps serving: the store "
	 "(SQLite online backup, or pg_dump) and then the attachments folder (docs/backup.md)",
	 cmd_backup, {NULL}},
	{"restore", "SRC",
	 "restore the backup folder SRC into an EMPTY store (--database) and the attachments folder; "
	 "then run `tinhso migrate` and `tinhso audit verify`",
	 cmd_restore, {NULL}},
	{"demo", "[--password P] [--dossiers N]",
	 "load the demo province, one account per role, the catalogue and N dossiers over 18 months "
	 "(default 3000; idempotent)",
	 cmd_demo, {"password", "dossiers", NULL}},
	{"user", "add USERNAME --full-name N --unit CODE [--role R] [--admin] [--password P]\n"
		 "       user passwd USERNAME [--password P]\n"
		 "       user grant USERNAME ROLE UNIT_CODE|*",
	 "manage officer and administrator accounts", cmd_user, {"full-name", "unit", "role", "password", "admin!", NULL}},
	{"import", "units FILE.json | procedures FILE.json|FILE.csv",
	 "import the province's units (data/demo/province.json layout) or a procedure catalogue "
	 "(docs/catalog.md); all or nothing, importing twice changes nothing",
	 cmd_import, {NULL}},
	{"config", "", "print the effective settings (secrets masked)", cmd_config, {NULL}},
	{"calendar", "due FROM AMOUNT working_hours|working_days|calendar_days [--after-cutoff-rule]",
	 "compute a due time on the working calendar (FROM as 2026-02-13T16:00:00+07:00)", cmd_calendar,
	 {"after-cutoff-rule!", NULL}},
	{"audit", "verify", "check the audit trail's hash chain; exit 1 at the first broken link", cmd_audit, {NULL}},
	{"stats", "recount [--check]",
	 "rebuild the statistics counters from the dossier events (--check: compare only, exit 1 on a difference)",
	 cmd_stats, {"check!", NULL}},
	{"attach", "rescan [--max N]",
	 "scan again the files held while the virus scanner was down (clean: released; infected: quarantined, the dossier's officers notified); exit 1 when the scanner is still down or a file could not be scanned",
	 cmd_attach, {"max", NULL}},
	{"maintenance", "purge [--batch N]",
	 "forget the Idempotency-Key answers older than idempotency.retention_hours, N keys per audited "
	 "transaction (default 1000; serve also does it every idempotency.purge_interval seconds)",
	 cmd_maintenance, {"batch", NULL}},
	{"doc", "man1|man5|conf|errors",
	 "print tinhso(1), tinhso.conf(5), a commented config file (flags given are written as set) or the "
	 "troubleshooting page, generated from these tables",
	 cmd_doc, {NULL}},
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

/* While the primary does not answer at start: systemd's status line, and its start timeout
 * pushed past the rest of the wait (no-ops without NOTIFY_SOCKET). */
static void on_connect_wait(int waited_s, int limit_s)
{
	sd_notifyf(0, "STATUS=waiting for the database (%d of %d s)\nEXTEND_TIMEOUT_USEC=%llu", waited_s,
		   limit_s, (unsigned long long)(limit_s - waited_s + 30) * 1000000ULL);
}

/* wait_s: seconds to wait for a PostgreSQL server that does not answer yet (the primary,
 * db.connect_wait); 0 for the others (a replica is left out instead). */
static int open_db_url_for(struct cli *cli, const char *url, bool bulk, int wait_s, struct ts_db **db,
			   struct ts_error *err)
{
	struct ts_db_options o = {.pool_size = (int)ts_config_int(&cli->cfg, TS_CFG_DB_POOL_SIZE),
				  .busy_timeout_ms = 5000, .max_retries = 8, .bulk_load = bulk,
				  .connect_wait_s = wait_s, .on_connect_wait = on_connect_wait};
	return ts_db_open(url, &o, db, err);
}

static int open_db_url(struct cli *cli, const char *url, struct ts_db **db, struct ts_error *err)
{
	return open_db_url_for(cli, url, false, 0, db, err);
}

static int open_db_for(struct cli *cli, bool bulk, struct ts_db **db, struct ts_error *err)
{
	return open_db_url_for(cli, ts_config_str(&cli->cfg, TS_CFG_DATABASE), bulk,
			       (int)ts_config_int(&cli->cfg, TS_CFG_DB_CONNECT_WAIT), db, err);
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
	o.lockout_failures = (int)ts_config_int(c, TS_CFG_LOGIN_LOCKOUT_FAILURES);
	/* an unknown role refuses to serve (cmd_serve checks first); elsewhere none is required */
	if (ts_iam_roles_parse(ts_config_str(c, TS_CFG_IAM_TOTP_REQUIRED_ROLES),
			       &o.totp_required_roles, NULL))
		o.totp_required_roles = 0;
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

/* The read replica (db.replica_url), PostgreSQL only. A replica that cannot be reached at
 * start is logged and left out (the primary serves every read), so a node still starts. */
static int open_replica(struct cli *cli, struct ts_db *db, struct ts_db **replica, struct ts_error *err)
{
	const char *url = ts_config_str(&cli->cfg, TS_CFG_DB_REPLICA_URL);
	*replica = NULL;
	if (!url || !*url)
		return 0;
	if (strncmp(url, "postgresql://", 13) && strncmp(url, "postgres://", 11))
		return ts_error_set(err, TS_ERR_CONFIG, "db.replica_url",
				    "setting 'db.replica_url' must be a postgresql:// address");
	if (ts_db_engine_of(db) != TS_DB_PGSQL)
		return ts_error_set(err, TS_ERR_CONFIG, "db.replica_url",
				    "setting 'db.replica_url' needs a PostgreSQL primary ('database')");
	struct ts_error e = {0};
	int rc = open_db_url(cli, url, replica, &e);
	if (rc) {
		ts_log(TS_LOG_WARN, "read replica unreachable, every read goes to the primary", "code",
		       ts_err_code(rc), NULL);
		*replica = NULL;
	}
	return 0;
}

/* The integrations (issue 7): identity lookup settings, and the outbox dispatcher with the
 * national-portal connector and the notifications, each when configured; no dispatcher when
 * neither is (messages then wait in the outbox). */
static int start_outbox(const struct ts_config *c, struct ts_db *db, const char *listen,
			struct ts_outbox **out, struct ts_error *err)
{
	static char node[256];
	char host[128] = "node";
	struct ts_outbox_target t[2];
	int n = 0;

	*out = NULL;
	if (ts_httpc_global_init())
		return ts_error_set(err, TS_ERR_INTERNAL, NULL, "cannot initialise libcurl");
	struct ts_identity_options io = {
		.url = ts_config_str(c, TS_CFG_IDENTITY_URL),
		.token = ts_config_str(c, TS_CFG_IDENTITY_TOKEN),
		.connect_timeout_ms = (long)ts_config_int(c, TS_CFG_DVCQG_CONNECT_TIMEOUT_MS),
		.timeout_ms = (long)ts_config_int(c, TS_CFG_IDENTITY_TIMEOUT_MS)};
	ts_identity_configure(&io);
	struct ts_notify_options no = {
		.smtp_url = ts_config_str(c, TS_CFG_NOTIFY_SMTP_URL),
		.mail_from = ts_config_str(c, TS_CFG_NOTIFY_MAIL_FROM),
		.sms_webhook = ts_config_str(c, TS_CFG_NOTIFY_SMS_WEBHOOK),
		.zalo_webhook = ts_config_str(c, TS_CFG_NOTIFY_ZALO_WEBHOOK),
		.webhook_token = ts_config_str(c, TS_CFG_NOTIFY_WEBHOOK_TOKEN),
		.connect_timeout_ms = (long)ts_config_int(c, TS_CFG_DVCQG_CONNECT_TIMEOUT_MS),
		.timeout_ms = (long)ts_config_int(c, TS_CFG_DVCQG_TIMEOUT_MS)};
	ts_notify_configure(&no);
	if (!*ts_config_str(c, TS_CFG_DVCQG_URL) && !ts_notify_enabled())
		return 0;
	struct ts_dvcqg_options d = {
		.url = ts_config_str(c, TS_CFG_DVCQG_URL),
		.token = ts_config_str(c, TS_CFG_DVCQG_TOKEN),
		.connect_timeout_ms = (long)ts_config_int(c, TS_CFG_DVCQG_CONNECT_TIMEOUT_MS),
		.timeout_ms = (long)ts_config_int(c, TS_CFG_DVCQG_TIMEOUT_MS)};
	ts_dvcqg_configure(&d);
	if (*d.url)
		ts_dvcqg_target(&t[n++]);
	if (ts_notify_enabled())
		ts_notify_target(&t[n++]);
	gethostname(host, sizeof(host) - 1);
	snprintf(node, sizeof(node), "%s/%s", host, listen);
	struct ts_outbox_options o = {
		.node = *ts_config_str(c, TS_CFG_OUTBOX_NODE) ? ts_config_str(c, TS_CFG_OUTBOX_NODE) : node,
		.max_attempts = (int)ts_config_int(c, TS_CFG_OUTBOX_MAX_ATTEMPTS),
		.backoff_base_ms = (int)ts_config_int(c, TS_CFG_OUTBOX_BACKOFF_BASE_MS),
		.backoff_max_s = (int)ts_config_int(c, TS_CFG_OUTBOX_BACKOFF_MAX),
		.poll_ms = (int)ts_config_int(c, TS_CFG_OUTBOX_POLL_MS),
		.batch = (int)ts_config_int(c, TS_CFG_OUTBOX_BATCH),
		.lease_s = (int)ts_config_int(c, TS_CFG_OUTBOX_LEASE)};
	return ts_outbox_start(db, &o, t, n, out, err);
}

static int cmd_serve(struct cli *cli)
{
	struct ts_outbox *outbox = NULL;
	struct ts_error err = {0};
	struct ts_db *db = NULL, *replica = NULL;
	struct ts_http_server *srv = NULL;
	char host[256];
	unsigned port = 0;
	int rc;
	if ((rc = split_listen(ts_config_str(&cli->cfg, TS_CFG_LISTEN), host, sizeof(host), &port, &err)))
		goto out;
	uint64_t totp_roles;
	if ((rc = ts_iam_roles_parse(ts_config_str(&cli->cfg, TS_CFG_IAM_TOTP_REQUIRED_ROLES),
				     &totp_roles, &err)))
		goto out;
	if ((rc = open_db(cli, &db, &err)) || (rc = require_schema(db, &err)))
		goto out;
	configure_modules(&cli->cfg);
	if ((rc = configure_attach_forms(&cli->cfg, &err)))
		goto out;
	ts_stats_set_pdf_font(ts_config_str(&cli->cfg, TS_CFG_FORMS_FONT_DIR));
	if ((rc = open_replica(cli, db, &replica, &err)))
		goto out;
	struct ts_app app = {.cfg = &cli->cfg, .db = db, .replica = replica,
			     .replica_window_s = (int)ts_config_int(&cli->cfg, TS_CFG_DB_REPLICA_WINDOW),
			     .web_root = ts_config_str(&cli->cfg, TS_CFG_WEB_ROOT)};
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
	if ((rc = start_outbox(&cli->cfg, db, ts_config_str(&cli->cfg, TS_CFG_LISTEN), &outbox, &err)))
		goto out;
	if (ts_config_int(&cli->cfg, TS_CFG_STATS_LIVE_STREAMS) > 0 &&
	    (rc = ts_stats_http_live_start(
		 db, (unsigned)ts_config_int(&cli->cfg, TS_CFG_STATS_LIVE_STREAMS),
		 (unsigned)ts_config_int(&cli->cfg, TS_CFG_STATS_LIVE_HEARTBEAT),
		 (unsigned)ts_config_int(&cli->cfg, TS_CFG_STATS_LIVE_POLL_MS),
		 (unsigned)ts_config_int(&cli->cfg, TS_CFG_STATS_LIVE_MAX_AGE), &err)))
		goto out;
	/* PostgreSQL: public-lookup counts synced with the other nodes' (app/ratelimit.c) */
	if ((rc = ts_ratelimit_sync_start(&app, &err)))
		goto out;
	if ((rc = ts_http_server_start(&ho, &happ, &srv, &err)))
		goto out;
	char portbuf[16];
	snprintf(portbuf, sizeof(portbuf), "%u", ts_http_server_port(srv));
	ts_log(TS_LOG_INFO, "serving", "host", host, "#port", portbuf, "database",
	       ts_db_engine_of(db) == TS_DB_SQLITE ? "sqlite" : "postgresql", NULL);
	/* files held while clamd was down: scanned again in the background (claimed once across
	 * nodes, attach/) */
	if ((rc = ts_attach_rescanner_start(db, (int)ts_config_int(&cli->cfg, TS_CFG_ATTACH_RESCAN_INTERVAL),
					    &err)))
		goto out;
	/* Idempotency-Key answers older than the retention: forgotten in the background */
	if ((rc = ts_dossier_idem_purger_start(db, (int)ts_config_int(&cli->cfg, TS_CFG_IDEMPOTENCY_RETENTION_HOURS),
					       (int)ts_config_int(&cli->cfg, TS_CFG_IDEMPOTENCY_PURGE_INTERVAL), &err)))
		goto out;
	printf("tinhso %s is serving on http://%s:%u/  (API: http://%s:%u/api/docs) - Ctrl-C to stop\n", TS_VERSION,
	       host, ts_http_server_port(srv), host, ts_http_server_port(srv));
	fflush(stdout);
	/* systemd Type=notify: ready once the socket listens (a no-op without NOTIFY_SOCKET) */
	sd_notify(0, "READY=1");
	int sig = 0;
	sigwait(&set, &sig);
	sd_notify(0, "STOPPING=1");
	ts_log(TS_LOG_INFO, "stopping", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
	ts_attach_rescanner_stop();
	ts_dossier_idem_purger_stop();
	ts_http_server_stop(srv);
	srv = NULL;
	ts_ratelimit_sync_stop(); /* after the server: no lookup counts past it */
	ts_outbox_stop(outbox);
	outbox = NULL;
	ts_forms_shutdown();
	ts_log(TS_LOG_INFO, "stopped", NULL);
out:
	ts_attach_rescanner_stop();
	ts_dossier_idem_purger_stop();
	ts_http_server_stop(srv);
	ts_ratelimit_sync_stop();
	ts_db_close(replica);
	ts_stats_http_live_stop(); /* after the server: its streams are gone */
	ts_outbox_stop(outbox);
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

static int cmd_migrate_store(struct cli *cli)
{
	const char *from = cli->own[0], *to = cli->own[1];
	bool check = cli->own[2] != NULL;
	if (!from || !to || strncmp(from, "sqlite:", 7) ||
	    (strncmp(to, "postgresql://", 13) && strncmp(to, "postgres://", 11))) {
		fprintf(stderr, "usage: tinhso migrate-store %s\n", cli->cmd->usage);
		return 2;
	}
	struct ts_error err = {0};
	struct ts_db *src = NULL, *dst = NULL;
	int applied = 0;
	int64_t rows = 0, differing = 0;
	int rc = open_db_url(cli, from, &src, &err);
	if (!rc)
		rc = require_schema(src, &err);
	if (!rc)
		rc = open_db_url(cli, to, &dst, &err);
	if (!rc && !check)
		rc = ts_db_migrate(dst, &applied, &err);
	if (!rc)
		rc = require_schema(dst, &err);
	if (!rc && !check) {
		rc = ts_store_copy(src, dst, stdout, &rows, &err);
		if (!rc)
			printf("copied %lld rows\n", (long long)rows);
	}
	if (!rc)
		rc = ts_store_compare(src, dst, stdout, &differing, &err);
	ts_db_close(dst);
	ts_db_close(src);
	if (rc) {
		die_err(&err);
		return 1;
	}
	printf("migrate-store %s: %lld tables differ\n", differing ? "FAILED" : "verified", (long long)differing);
	return differing ? 1 : 0;
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

/* Reads path whole into the arena, at most cap bytes. */
static int read_file(struct ts_arena *a, const char *path, long long cap, char **text, size_t *len,
		     struct ts_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ts_error_set(err, TS_ERR_IO, NULL, "cannot open '%s': %s", path, strerror(errno));
	char *buf = ts_arena_alloc(a, (size_t)cap + 1);
	size_t n = buf ? fread(buf, 1, (size_t)cap + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!buf)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	if (bad)
		return ts_error_set(err, TS_ERR_IO, NULL, "cannot read '%s'", path);
	if (n > (size_t)cap)
		return ts_error_set(err, TS_ERR_TOO_LARGE, NULL, "'%s' is larger than http.max_import_body (%lld bytes)",
				    path, cap);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

static int import_run(struct cli *cli, struct ts_ctx *ctx, struct ts_error *err)
{
	const char *what = cli->pos[0], *path = cli->pos[1];
	char *text = NULL;
	size_t len = 0, plen = strlen(path);
	int rc = read_file(ctx->arena, path, ts_config_int(&cli->cfg, TS_CFG_HTTP_MAX_IMPORT_BODY), &text, &len, err);
	if (rc)
		return rc;
	int a = 0, b = 0, c = 0;
	if (!strcmp(what, "procedures") && plen > 4 && !strcmp(path + plen - 4, ".csv")) {
		if ((rc = ts_catalog_import_csv(ctx, text, len, &a, &b, &c, err)))
			return rc;
		printf("procedures: %d created, %d new versions, %d unchanged\n", a, b, c);
		return 0;
	}
	json_error_t jerr;
	json_t *doc = ts_json_own(ctx->arena, json_loadb(text, len, 0, &jerr));
	if (!doc)
		return ts_error_set(err, TS_ERR_BAD_JSON, NULL, "%s:%d: %s", path, jerr.line, jerr.text);
	if (!strcmp(what, "units")) {
		if ((rc = ts_org_import(ctx, doc, &a, &b, err)))
			return rc;
		printf("units: %d created, %d already there\n", a, b);
		return 0;
	}
	if ((rc = ts_catalog_import_json(ctx, doc, &a, &b, &c, err)))
		return rc;
	printf("procedures: %d created, %d new versions, %d unchanged\n", a, b, c);
	return 0;
}

static int cmd_import(struct cli *cli)
{
	if (cli->npos != 2 || (strcmp(cli->pos[0], "units") && strcmp(cli->pos[0], "procedures"))) {
		fprintf(stderr, "usage: tinhso import %s\n", cli->cmd->usage);
		return 2;
	}
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
		rc = import_run(cli, &ctx, &err);
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

static int cmd_attach(struct cli *cli)
{
	if (cli->npos != 1 || strcmp(cli->pos[0], "rescan")) {
		fprintf(stderr, "usage: tinhso attach %s\n", cli->cmd->usage);
		return 2;
	}
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	struct ts_attach_rescan res;
	char *end = NULL;
	long max = cli->own[0] ? strtol(cli->own[0], &end, 10) : 100;
	if (cli->own[0] && (*end || max < 1 || max > 1000000)) {
		fprintf(stderr, "tinhso: --max must be a number from 1 to 1000000\n");
		return 2;
	}
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = require_schema(db, &err);
	if (!rc)
		rc = configure_attach_forms(&cli->cfg, &err);
	if (!rc)
		rc = ts_attach_rescan_pending(db, (int)max, &res, &err);
	ts_db_close(db);
	if (rc) {
		die_err(&err);
		return 1;
	}
	printf("held files re-scanned: %d clean, %d infected; %lld still held%s\n", res.clean, res.infected,
	       (long long)res.still_held, res.scanner_down ? " (the scanner is still down)" : "");
	if (res.failed)
		fprintf(stderr, "tinhso: %d held file(s) could not be scanned (see the log)\n", res.failed);
	return res.scanner_down || res.failed ? 1 : 0;
}

static int cmd_maintenance(struct cli *cli)
{
	if (cli->npos != 1 || strcmp(cli->pos[0], "purge")) {
		fprintf(stderr, "usage: tinhso maintenance %s\n", cli->cmd->usage);
		return 2;
	}
	struct ts_error err = {0};
	struct ts_db *db = NULL;
	int64_t purged = 0;
	char *end = NULL;
	long batch = cli->own[0] ? strtol(cli->own[0], &end, 10) : 1000;
	if (cli->own[0] && (*end || batch < 1 || batch > 100000)) {
		fprintf(stderr, "tinhso: --batch must be a number from 1 to 100000\n");
		return 2;
	}
	int rc = open_db(cli, &db, &err);
	if (!rc)
		rc = require_schema(db, &err);
	if (!rc)
		rc = ts_dossier_idem_purge(db, (int)ts_config_int(&cli->cfg, TS_CFG_IDEMPOTENCY_RETENTION_HOURS),
					   (int)batch, &purged, &err);
	ts_db_close(db);
	if (!rc || purged > 0) /* a failed batch after others: what was forgotten stays forgotten */
		printf("idempotency keys purged: %lld (older than %lld hours)\n", (long long)purged,
		       (long long)ts_config_int(&cli->cfg, TS_CFG_IDEMPOTENCY_RETENTION_HOURS));
	if (rc) {
		die_err(&err);
		return 1;
	}
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

static int cmd_doc(struct cli *cli)
{
	const char *what = cli->npos == 1 ? cli->pos[0] : "";
	if (!strcmp(what, "man1")) {
		struct ts_doc_command rows[NCOMMANDS];
		for (size_t i = 0; i < NCOMMANDS; i++)
			rows[i] = (struct ts_doc_command){commands[i].name, commands[i].usage, commands[i].help};
		ts_doc_man1(stdout, rows, NCOMMANDS, TS_VERSION);
	} else if (!strcmp(what, "man5")) {
		ts_doc_man5(stdout, TS_VERSION);
	} else if (!strcmp(what, "conf")) {
		ts_doc_conf(stdout, &cli->cfg);
	} else if (!strcmp(what, "errors")) {
		if (ts_doc_errors(stdout))
			return 1;
	} else {
		fprintf(stderr, "usage: tinhso doc %s\n", cli->cmd->usage);
		return 2;
	}
	return fflush(stdout) ? 1 : 0;
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

static int cmd_backup(struct cli *cli)
{
	struct ts_error err = {0};
	if (cli->npos != 1) {
		fprintf(stderr, "usage: tinhso backup %s\n", cli->cmd->usage);
		return 2;
	}
	if (ts_backup(ts_config_str(&cli->cfg, TS_CFG_DATABASE), ts_config_str(&cli->cfg, TS_CFG_ATTACH_DIR),
		      cli->pos[0], stdout, &err)) {
		die_err(&err);
		return 1;
	}
	return 0;
}

static int cmd_restore(struct cli *cli)
{
	struct ts_error err = {0};
	if (cli->npos != 1) {
		fprintf(stderr, "usage: tinhso restore %s\n", cli->cmd->usage);
		return 2;
	}
	if (ts_restore(cli->pos[0], ts_config_str(&cli->cfg, TS_CFG_DATABASE),
		       ts_config_str(&cli->cfg, TS_CFG_ATTACH_DIR), stdout, &err)) {
		die_err(&err);
		return 1;
	}
	return 0;
}
