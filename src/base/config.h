/* config.h - THE config table: every setting once, with type, default, bounds and help.
 * The table drives parsing of the file (`key = value`), the environment (TINHSO_KEY with
 * dots as underscores), command-line flags (--key, dots as dashes), validation, --help
 * and `tinhso config`. Precedence: default < file < environment < flags. Unknown keys
 * refuse to start. */
#ifndef TS_BASE_CONFIG_H
#define TS_BASE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

enum ts_cfg_type { TS_CFG_STR, TS_CFG_INT, TS_CFG_BOOL };
#define TS_CFG_SECRET 0x1u     /* printed masked */
#define TS_CFG_SECRET_URL 0x2u /* a URL whose password is masked */

/* X(NAME, key, type, default, min, max, flags, help) */
#define TS_CONFIG_TABLE(X)                                                                          \
	X(DATABASE, "database", TS_CFG_STR, "sqlite:var/tinhso.db", 0, 0, TS_CFG_SECRET_URL,          \
	  "store: sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DB")                           \
	X(LISTEN, "listen", TS_CFG_STR, "127.0.0.1:8080", 0, 0, 0, "address the server listens on, HOST:PORT") \
	X(WEB_ROOT, "web.root", TS_CFG_STR, "web/dist", 0, 0, 0, "folder of the built web UI")        \
	X(LOG_LEVEL, "log.level", TS_CFG_STR, "info", 0, 0, 0, "debug, info, warn or error")       \
	X(HTTP_THREADS, "http.threads", TS_CFG_INT, "0", 0, 1024, 0, "HTTP threads: 0 = one per connection, N = a pool of N (poll)") \
	X(HTTP_MAX_CONNECTIONS, "http.max_connections", TS_CFG_INT, "4096", 16, 1000000, 0,           \
	  "simultaneous connections before new ones are refused")                                   \
	X(HTTP_TIMEOUT, "http.timeout", TS_CFG_INT, "30", 1, 3600, 0, "idle connection timeout, seconds") \
	X(HTTP_SHUTDOWN_GRACE, "http.shutdown_grace", TS_CFG_INT, "15", 0, 600, 0,                   \
	  "seconds in-flight requests may finish after SIGTERM")                                    \
	X(HTTP_MAX_CONNECTIONS_PER_IP, "http.max_connections_per_ip", TS_CFG_INT, "512", 0, 1000000, 0, \
	  "simultaneous connections from one client address (0 = no limit; slow clients hold no more)") \
	X(HTTP_REQUEST_TIMEOUT, "http.request_timeout", TS_CFG_INT, "300", 0, 86400, 0,               \
	  "a request body still arriving after this many seconds is cut off (0 = no limit)")  \
	X(HTTP_CSP, "http.csp", TS_CFG_STR, "", 0, 0, 0,                                              \
	  "Content-Security-Policy of every response (empty = the built-in policy, docs/security.md)") \
	X(HTTP_TLS, "http.tls", TS_CFG_BOOL, "false", 0, 0, 0,                                        \
	  "served over HTTPS (TLS proxy in front): cookies Secure and Strict-Transport-Security")   \
	X(HTTP_CLIENT_IP_HEADER, "http.client_ip_header", TS_CFG_STR, "", 0, 0, 0,                   \
	  "header with the client address set by the proxy in front, e.g. X-Real-IP (empty = peer)") \
	X(HTTP_MAX_BODY, "http.max_body", TS_CFG_INT, "1048576", 1024, 67108864, 0,                  \
	  "largest JSON request body, bytes")                                                       \
	X(HTTP_MAX_IMPORT_BODY, "http.max_import_body", TS_CFG_INT, "67108864", 1024, 1073741824, 0,   \
	  "largest body of a bulk import (procedure catalogue), bytes")                             \
	X(DB_POOL_SIZE, "db.pool_size", TS_CFG_INT, "4", 1, 256, 0, "database connections per node") \
	X(DB_CONNECT_WAIT, "db.connect_wait", TS_CFG_INT, "60", 0, 3600, 0,                            \
	  "seconds a command waits at start for a PostgreSQL server that does not answer yet (0 = fail at once)") \
	X(DB_REPLICA_URL, "db.replica_url", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET_URL,                   \
	  "read-only PostgreSQL streaming replica for read-mostly routes (empty = all reads on the primary)") \
	X(DB_REPLICA_WINDOW, "db.replica_window", TS_CFG_INT, "30", 0, 3600, 0,                        \
	  "seconds after a person's write during which their reads stay on the primary")            \
	X(SESSION_TTL, "session.ttl", TS_CFG_INT, "43200", 60, 2592000, 0,                           \
	  "absolute lifetime of a browser session, seconds")                                        \
	X(SESSION_IDLE, "session.idle", TS_CFG_INT, "1800", 60, 2592000, 0,                          \
	  "a session unused this long expires, seconds")                                            \
	X(LOGIN_MAX_FAILURES_ACCOUNT, "login.max_failures_account", TS_CFG_INT, "5", 1, 1000, 0,      \
	  "failed logins per account within login.window before it is throttled")                   \
	X(LOGIN_MAX_FAILURES_IP, "login.max_failures_ip", TS_CFG_INT, "30", 1, 100000, 0,             \
	  "failed logins per client address within login.window before it is throttled")           \
	X(LOGIN_WINDOW, "login.window", TS_CFG_INT, "900", 10, 86400, 0,                              \
	  "throttling window and lockout time, seconds")                                            \
	X(LOGIN_LOCKOUT_FAILURES, "login.lockout_failures", TS_CFG_INT, "10", 0, 1000, 0,             \
	  "consecutive failed logins that lock an officer or admin account until an administrator unlocks it (0 = never)") \
	X(IAM_TOTP_REQUIRED_ROLES, "iam.totp_required_roles", TS_CFG_STR, "", 0, 0, 0,                 \
	  "roles that must sign in with a TOTP code, space- or comma-separated (e.g. system_admin,unit_admin)") \
	X(PWHASH_MEMORY, "password.hash_memory_kib", TS_CFG_INT, "65536", 8, 4194304, 0,               \
	  "argon2id memory per password hash, KiB")                                                 \
	X(PWHASH_OPS, "password.hash_ops", TS_CFG_INT, "2", 1, 64, 0, "argon2id passes per password hash") \
	X(COOKIE_SECURE, "cookie.secure", TS_CFG_BOOL, "false", 0, 0, 0,                               \
	  "mark session cookies Secure (set true behind HTTPS)")                                    \
	X(RATELIMIT_ENABLED, "ratelimit.enabled", TS_CFG_BOOL, "true", 0, 0, 0,                       \
	  "per-address and per-account request limits (ratelimit.*); counters shared by all nodes") \
	X(RATELIMIT_WINDOW, "ratelimit.window", TS_CFG_INT, "60", 1, 86400, 0,                        \
	  "length of one rate-limit window, seconds")                                               \
	X(RATELIMIT_LOGIN_IP, "ratelimit.login_ip", TS_CFG_INT, "60", 0, 1000000, 0,                  \
	  "login attempts per client address per window (0 = no limit)")                           \
	X(RATELIMIT_LOGIN_ACCOUNT, "ratelimit.login_account", TS_CFG_INT, "20", 0, 1000000, 0,        \
	  "login attempts per login name per window (0 = no limit)")                                \
	X(RATELIMIT_REGISTER_IP, "ratelimit.register_ip", TS_CFG_INT, "10", 0, 1000000, 0,            \
	  "registrations per client address per window (0 = no limit)")                             \
	X(RATELIMIT_REGISTER_ACCOUNT, "ratelimit.register_account", TS_CFG_INT, "5", 0, 1000000, 0,   \
	  "registration attempts per personal ID or tax code per window (0 = no limit)")           \
	X(RATELIMIT_SUBMIT_IP, "ratelimit.submit_ip", TS_CFG_INT, "120", 0, 1000000, 0,               \
	  "dossier submissions per client address per window (0 = no limit)")                       \
	X(RATELIMIT_SUBMIT_ACCOUNT, "ratelimit.submit_account", TS_CFG_INT, "30", 0, 1000000, 0,      \
	  "dossier submissions per account per window (0 = no limit)")                              \
	X(RATELIMIT_UPLOAD_IP, "ratelimit.upload_ip", TS_CFG_INT, "300", 0, 1000000, 0,               \
	  "file uploads per client address per window (0 = no limit)")                              \
	X(RATELIMIT_UPLOAD_ACCOUNT, "ratelimit.upload_account", TS_CFG_INT, "120", 0, 1000000, 0,     \
	  "file uploads per account per window (0 = no limit)")                                     \
	X(RATELIMIT_LOOKUP_IP, "ratelimit.lookup_ip", TS_CFG_INT, "120", 0, 1000000, 0,               \
	  "public dossier lookups per client address per window (0 = no limit)")                    \
	X(RATELIMIT_LOOKUP_ACCOUNT, "ratelimit.lookup_account", TS_CFG_INT, "120", 0, 1000000, 0,     \
	  "public dossier lookups per signed-in account per window (0 = no limit)")                 \
	X(RATELIMIT_SYNC_INTERVAL, "ratelimit.sync_interval", TS_CFG_INT, "1", 0, 60, 0,             \
	  "PostgreSQL: seconds between a node's syncs of its public-lookup counts with the shared counters (0 = each lookup counted in the store at once)") \
	X(DOSSIER_MAX_APOLOGIES, "dossier.max_apologies", TS_CFG_INT, "1", 0, 10, 0,                   \
	  "apology letters with a new appointment allowed per dossier")                              \
	X(DOSSIER_APOLOGY_NOTICE_HOURS, "dossier.apology_notice_hours", TS_CFG_INT, "8", 0, 400, 0,    \
	  "an apology is sent at least this many working hours before the appointment")             \
	X(DOSSIER_SUPPLEMENTS_BEFORE_LATE, "dossier.supplements_before_late", TS_CFG_INT, "1", 0, 100, 0, \
	  "a dossier with more supplement requests than this counts as late") \
	X(ATTACH_DIR, "attach.dir", TS_CFG_STR, "var/files", 0, 0, 0,                                  \
	  "folder of attachment blobs (content-addressed by SHA-256; shared by all nodes)")        \
	X(ATTACH_MAX_FILE, "attach.max_file", TS_CFG_INT, "20971520", 1024, 1073741824, 0,             \
	  "largest attached file, bytes")                                                          \
	X(ATTACH_MAX_DOSSIER, "attach.max_dossier", TS_CFG_INT, "104857600", 1024, 10737418240LL, 0,   \
	  "largest total of the files attached to one dossier, bytes")                             \
	X(ATTACH_CLAMD, "attach.clamd", TS_CFG_STR, "", 0, 0, 0,                                       \
	  "virus scanner: unix:/run/clamav/clamd.ctl or tcp:HOST:PORT (empty = no scan)")          \
	X(ATTACH_CLAMD_TIMEOUT, "attach.clamd_timeout", TS_CFG_INT, "60", 1, 3600, 0,                  \
	  "seconds a virus scan may take")                                                         \
	X(ATTACH_SCAN_UNAVAILABLE, "attach.scan_unavailable", TS_CFG_STR, "refuse", 0, 0, 0,           \
	  "when the scanner is down: refuse the upload, or hold the file unscanned (not downloadable)") \
	X(ATTACH_RESCAN_INTERVAL, "attach.rescan_interval", TS_CFG_INT, "300", 0, 86400, 0,            \
	  "seconds between two re-scans of files held while the scanner was down (0 = only on download and 'tinhso attach rescan')") \
	X(IDEMPOTENCY_RETENTION_HOURS, "idempotency.retention_hours", TS_CFG_INT, "24", 1, 8760, 0,   \
	  "hours an Idempotency-Key's answer is kept: a retry within them gets the first answer") \
	X(IDEMPOTENCY_PURGE_INTERVAL, "idempotency.purge_interval", TS_CFG_INT, "3600", 0, 86400, 0,   \
	  "seconds between two purges (in serve) of Idempotency-Key answers older than the retention (0 = only 'tinhso maintenance purge')") \
	X(FORMS_LOOKUP_URL, "forms.lookup_url", TS_CFG_STR, "http://127.0.0.1:8080/tra-cuu?ma={code}", 0, 0, 0, \
	  "public status page of a dossier, printed as a QR code on receipts ({code} = dossier code)") \
	X(FORMS_FONT_DIR, "forms.font_dir", TS_CFG_STR, "/usr/share/fonts/truetype/dejavu", 0, 0, 0,  \
	  "folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf (Debian fonts-dejavu-core)") \
	X(STATS_LIVE_STREAMS, "stats.live_streams", TS_CFG_INT, "64", 0, 10000, 0,                     \
	  "open live IOC event streams at most (Server-Sent Events; each holds a connection, 0 = off)") \
	X(STATS_LIVE_POLL_MS, "stats.live_poll_ms", TS_CFG_INT, "500", 50, 1000, 0,                  \
	  "how often the live IOC feed reads the newest dossier event while a page listens, ms")   \
	X(STATS_LIVE_HEARTBEAT, "stats.live_heartbeat", TS_CFG_INT, "15", 1, 300, 0,                 \
	  "seconds between keep-alive comments on an idle live IOC stream")                       \
	X(STATS_LIVE_MAX_AGE, "stats.live_max_age", TS_CFG_INT, "1800", 0, 86400, 0,                 \
	  "seconds before a live IOC stream is closed for the browser to reconnect (0 = never)") \
	X(OUTBOX_NODE, "outbox.node", TS_CFG_STR, "", 0, 0, 0,                                          \
	  "this node's name in outbox leases, unique per running node (empty = hostname/listen)")  \
	X(OUTBOX_MAX_ATTEMPTS, "outbox.max_attempts", TS_CFG_INT, "12", 1, 1000, 0,                    \
	  "failed deliveries of a message before it is dead-lettered")                             \
	X(OUTBOX_BACKOFF_BASE_MS, "outbox.backoff_base_ms", TS_CFG_INT, "2000", 1, 3600000, 0,         \
	  "first retry after about this long (doubling each attempt, with jitter), milliseconds")  \
	X(OUTBOX_BACKOFF_MAX, "outbox.backoff_max", TS_CFG_INT, "3600", 1, 86400, 0,                   \
	  "longest wait between two attempts, seconds")                                            \
	X(OUTBOX_POLL_MS, "outbox.poll_ms", TS_CFG_INT, "1000", 10, 600000, 0,                         \
	  "the dispatcher looks for due messages at least this often, milliseconds")                \
	X(OUTBOX_BATCH, "outbox.batch", TS_CFG_INT, "8", 1, 1000, 0,                                    \
	  "messages claimed at once (each dossier's next message only)")                            \
	X(OUTBOX_LEASE, "outbox.lease", TS_CFG_INT, "300", 5, 86400, 0,                                 \
	  "a claim expires after this many seconds (longer than batch x dvcqg.timeout_ms)")         \
	X(NOTIFY_SMTP_URL, "notify.smtp_url", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET_URL,                   \
	  "mail server for notifications: smtp://HOST:PORT or smtps://USER:PASSWORD@HOST (empty = no e-mail)") \
	X(NOTIFY_MAIL_FROM, "notify.mail_from", TS_CFG_STR, "khong-tra-loi@localhost", 0, 0, 0,         \
	  "sender address of notification e-mails")                                                \
	X(NOTIFY_SMS_WEBHOOK, "notify.sms_webhook", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET_URL,             \
	  "URL that sends an SMS: POST {to, text, event, ref} (empty = no SMS)")                    \
	X(NOTIFY_ZALO_WEBHOOK, "notify.zalo_webhook", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET_URL,           \
	  "URL that sends a Zalo message: POST {to, text, event, ref} (empty = no Zalo)")           \
	X(NOTIFY_WEBHOOK_TOKEN, "notify.webhook_token", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET,             \
	  "bearer token sent to the SMS and Zalo webhooks")                                         \
	X(IDENTITY_URL, "identity.url", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET_URL,                         \
	  "population-data service of the integration platform (empty = forms are filled by hand)") \
	X(IDENTITY_TOKEN, "identity.token", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET,                         \
	  "bearer token for the population-data service")                                          \
	X(IDENTITY_TIMEOUT_MS, "identity.timeout_ms", TS_CFG_INT, "5000", 10, 600000, 0,                  \
	  "whole-call timeout of a population-data lookup, milliseconds")                           \
	X(DVCQG_URL, "dvcqg.url", TS_CFG_STR, "", 0, 0, 0,                                              \
	  "base URL of the National Public Service Portal API (empty = sync off, messages wait)")   \
	X(DVCQG_TOKEN, "dvcqg.token", TS_CFG_STR, "", 0, 0, TS_CFG_SECRET,                              \
	  "bearer token for the national portal")                                                  \
	X(DVCQG_CONNECT_TIMEOUT_MS, "dvcqg.connect_timeout_ms", TS_CFG_INT, "3000", 10, 600000, 0,       \
	  "connect timeout of a national-portal call, milliseconds")                                \
	X(DVCQG_TIMEOUT_MS, "dvcqg.timeout_ms", TS_CFG_INT, "15000", 10, 600000, 0,                     \
	  "whole-call timeout of a national-portal call, milliseconds")

enum ts_cfg_key {
#define X(n, k, t, d, mi, ma, f, h) TS_CFG_##n,
	TS_CONFIG_TABLE(X)
#undef X
	TS_CFG__COUNT
};

enum ts_cfg_source { TS_CFG_FROM_DEFAULT, TS_CFG_FROM_FILE, TS_CFG_FROM_ENV, TS_CFG_FROM_FLAG };

struct ts_config {
	char *str[TS_CFG__COUNT];    /* every value as text (heap, owned) */
	long long num[TS_CFG__COUNT]; /* parsed ints and bools */
	enum ts_cfg_source source[TS_CFG__COUNT];
};

/* Fills defaults. Release with ts_config_release. */
int ts_config_init(struct ts_config *c);
void ts_config_release(struct ts_config *c);

/* Sets key (table name) to value, checking type and bounds. TS_ERR_CONFIG with a message
 * naming the key when unknown or invalid. */
int ts_config_set(struct ts_config *c, const char *key, const char *value, enum ts_cfg_source src,
		  struct ts_error *err);
/* Reads `key = value` lines ('#' comments, blank lines). Errors name the file and line. */
int ts_config_load_file(struct ts_config *c, const char *path, struct ts_error *err);
/* Applies TINHSO_* variables of envp (NULL-terminated); TINHSO_CONFIG is the config file
 * path and is skipped here. Unknown TINHSO_* variables are refused. */
int ts_config_load_env(struct ts_config *c, char *const *envp, struct ts_error *err);
/* Finds the table key for a flag name without dashes ("http-threads" -> "http.threads");
 * NULL when unknown. */
const char *ts_config_key_for_flag(const char *flag);

const char *ts_config_str(const struct ts_config *c, enum ts_cfg_key k);
long long ts_config_int(const struct ts_config *c, enum ts_cfg_key k);
bool ts_config_bool(const struct ts_config *c, enum ts_cfg_key k);

/* Prints the effective settings, secrets masked, with where each value came from. */
void ts_config_print(const struct ts_config *c, FILE *out);
/* Prints the table as help text (flags and environment names). */
void ts_config_help(FILE *out);
/* Writes the masked form of value for key k into out. */
void ts_config_masked(enum ts_cfg_key k, const char *value, char *out, size_t outsz);

#endif
