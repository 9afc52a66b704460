/* gendoc.c - man pages, the commented config file and the troubleshooting page, printed
 * from the command table (handed in by main.c), TS_CONFIG_TABLE and TS_ERR_TABLE. */
#include "app/gendoc.h"

#include <ctype.h>
#include <string.h>

#include "base/err.h"

struct doc_setting {
	const char *key;
	enum ts_cfg_type type;
	const char *def;
	long long min, max;
	unsigned flags;
	const char *help;
};

static const struct doc_setting settings[TS_CFG__COUNT] = {
#define X(n, k, t, d, mi, ma, f, h) {k, t, d, mi, ma, f, h},
	TS_CONFIG_TABLE(X)
#undef X
};

/* What an operator checks for each error code; one row per row of TS_ERR_TABLE. */
static const struct {
	int code;
	const char *note;
} error_notes[] = {
	{TS_ERR_INTERNAL, "A bug or an unexpected state. The journal holds the request's JSON line: search "
			  "`journalctl -u tinhso` for the `rid` the client got as `request_id` in the body "
			  "and in the `X-Request-Id` header; report it with that line."},
	{TS_ERR_NOMEM, "An allocation failed or a request outgrew its memory cap. Check the machine's free "
		       "memory (`free -m`), `MemoryMax=` if you set one on the unit, and `http.max_connections`."},
	{TS_ERR_BAD_REQUEST, "The client sent something malformed (a bad query parameter, path or header). "
			     "Nothing to fix on the server; the `detail` names the part."},
	{TS_ERR_BAD_JSON, "The body is not JSON. A proxy that rewrites bodies, or a client sending a form, "
			  "causes it."},
	{TS_ERR_VALIDATION, "A value breaks a rule; `detail` and `field` say which. Imports report the line."},
	{TS_ERR_UNKNOWN_FIELD, "The body holds a field the API does not know (often a client built for "
			       "another version). Compare with `/api/docs`."},
	{TS_ERR_MISSING_FIELD, "A required field is missing; `field` names it."},
	{TS_ERR_WEAK_PASSWORD, "The password policy refused the password: 10 to 128 characters, a letter "
			       "and a digit, not containing the login name."},
	{TS_ERR_TOO_LARGE, "The body is larger than `http.max_body` (JSON), `http.max_import_body` (imports) "
			   "or `attach.max_file` / `attach.max_dossier` (attachments). When nginx answers "
			   "413 itself (an HTML page, not problem+json), raise its `client_max_body_size` "
			   "(packaging/nginx/nginx-tinhso.conf) to match."},
	{TS_ERR_UNSUPPORTED_MEDIA, "Wrong `Content-Type` for the route, or an attachment whose type (libmagic) "
				   "is not accepted."},
	{TS_ERR_NOT_ACCEPTABLE, "The client's `Accept` header names no type the route can answer with; the "
				"live IOC stream (`/api/v1/stats/ioc/events`) needs `text/event-stream` or `*/*`."},
	{TS_ERR_UNAUTHENTICATED, "No valid session or API key. Sessions end after `session.idle` / "
				 "`session.ttl`; behind HTTPS check `cookie.secure = true` and that nginx "
				 "passes the `Cookie` header."},
	{TS_ERR_BAD_CREDENTIALS, "Wrong user name or password. Reset with `tinhso user passwd NAME`."},
	{TS_ERR_TOTP_REQUIRED, "The password was right and the account has TOTP: send the 6-digit code of the authenticator app as `totp_code` with the login. A lost phone: an administrator resets it (`POST /api/v1/accounts/{id}/totp-reset`) and the person enrols again. Codes are refused when the server clock is off by more than 30 s (check NTP)."},
	{TS_ERR_ACCOUNT_LOCKED, "An officer or admin account reached `login.lockout_failures` consecutive failed logins (audit action `account.locked`). An administrator with account.write over its unit unlocks it: `POST /api/v1/accounts/{id}/unlock`."},
	{TS_ERR_FORBIDDEN, "The account lacks the permission of the route (docs/permissions.md) or the "
			   "object is outside its units. Grant with `tinhso user grant`."},
	{TS_ERR_CSRF, "The `X-CSRF-Token` header is missing or stale (a reloaded tab, an expired session). "
		      "Behind a proxy, check it forwards that header."},
	{TS_ERR_NOT_FOUND, "No such route or object. A 404 on `/` means `web.root` does not point at the "
			   "built UI (`/usr/share/tinhso/web` in the package)."},
	{TS_ERR_METHOD, "The route exists with other methods; the `Allow` header lists them."},
	{TS_ERR_CONFLICT, "A duplicate (code, user name) or a concurrent change; reload and retry."},
	{TS_ERR_THROTTLED, "Too many failed logins for the account (`login.max_failures_account`) or the "
			   "address (`login.max_failures_ip`) within `login.window`. tinhso sees the peer "
			   "address only: behind nginx every client has nginx's address, so raise "
			   "`login.max_failures_ip` and let nginx limit logins per client (the `limit_req` "
			   "of packaging/nginx/nginx-tinhso.conf)."},
	{TS_ERR_DB, "The database refused a statement. Check the journal for `database` lines, the "
		    "disk (`df -h /var/lib/tinhso`) and, on PostgreSQL, its log."},
	{TS_ERR_DB_BUSY, "The database stayed locked beyond the retries (SQLite writer busy, PostgreSQL "
			 "serialization). Short bursts are normal; lasting ones mean a long transaction "
			 "or too small `db.pool_size`."},
	{TS_ERR_UNAVAILABLE, "A dependency is down: `/readyz` answers 503 when the database is unreachable. "
			     "Check PostgreSQL (`pg_isready`) or the SQLite file's permissions."},
	{TS_ERR_IO, "Reading or writing a file failed: usually `attach.dir` is full or not writable by "
		    "the `tinhso` user (the unit allows writes only under /var/lib/tinhso)."},
	{TS_ERR_CONFIG, "A setting is invalid or the store does not match the binary. `tinhso` refuses to "
			"start and names the setting (`journalctl -u tinhso -n 20`). `database schema is at "
			"migration N, this binary needs M` means run `tinhso migrate` (the package does it "
			"on upgrade); `newer than this binary` means an older package was installed on a "
			"newer store: reinstall the newer one or restore the backup taken before upgrading."},
	{TS_ERR_FILE_INFECTED, "clamd found a virus in an upload; the file was not stored."},
	{TS_ERR_SCANNER_DOWN, "clamd did not answer (`attach.clamd`, `attach.clamd_timeout`): check "
			      "`systemctl status clamav-daemon` and its `StreamMaxLength` (at least "
			      "`attach.max_file`)."},
	{TS_ERR_FILE_HELD, "The file was taken while clamd was down (`attach.scan_unavailable = hold`) and "
			   "is not scanned yet; it is scanned again on the next download."},
};

/* roff text: backslashes doubled, a leading '.' or '\'' made literal, '-' as \- */
static void roff(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else if (*s == '\n') {
			fputc('\n', out);
			if (s[1] == '.' || s[1] == '\'')
				fputs("\\&", out);
		} else
			fputc(*s, out);
	}
}

static void flag_of(const char *key, char *flag, size_t sz)
{
	size_t n = 0;
	for (; *key && n + 1 < sz; key++)
		flag[n++] = *key == '.' || *key == '_' ? '-' : *key;
	flag[n] = '\0';
}

static void env_of(const char *key, char *env, size_t sz)
{
	size_t n = (size_t)snprintf(env, sz, "TINHSO_");
	for (; *key && n + 1 < sz; key++)
		env[n++] = *key == '.' ? '_' : (char)toupper((unsigned char)*key);
	env[n] = '\0';
}

static void type_text(const struct doc_setting *s, char *buf, size_t sz)
{
	if (s->type == TS_CFG_INT)
		snprintf(buf, sz, "integer %lld..%lld", s->min, s->max);
	else if (s->type == TS_CFG_BOOL)
		snprintf(buf, sz, "true or false");
	else
		snprintf(buf, sz, "text");
}

/* .TP entries for every setting; as_flag selects the --flag form (tinhso(1)). */
static void man_settings(FILE *out, int as_flag)
{
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		const struct doc_setting *s = &settings[i];
		char flag[64], env[80], type[64];
		flag_of(s->key, flag, sizeof(flag));
		env_of(s->key, env, sizeof(env));
		type_text(s, type, sizeof(type));
		fputs(".TP\n", out);
		if (as_flag) {
			fputs("\\fB\\-\\-", out);
			roff(out, flag);
			fputs("\\fR \\fIVALUE\\fR\n", out);
		} else {
			fputs("\\fB", out);
			roff(out, s->key);
			fputs("\\fR = \\fIVALUE\\fR\n", out);
		}
		roff(out, s->help);
		fputs(" (", out);
		roff(out, type);
		fputs("; default: ", out);
		roff(out, s->def[0] ? s->def : "empty");
		fputs(").\n", out);
		fputs(as_flag ? "Setting \\fB" : "Environment: \\fB", out);
		roff(out, as_flag ? s->key : env);
		fputs(as_flag ? "\\fR, environment \\fB" : "\\fR, flag \\fB\\-\\-", out);
		roff(out, as_flag ? env : flag);
		fputs("\\fR.\n", out);
	}
}

void ts_doc_man1(FILE *out, const struct ts_doc_command *cmds, size_t n, const char *version)
{
	fprintf(out, ".\\\" tinhso(1), generated by 'tinhso doc man1' from the command and config tables\n");
	fprintf(out, ".TH TINHSO 1 \"\" \"tinhso %s\" \"tinhso manual\"\n", version);
	fputs(".SH NAME\ntinhso \\- digital province platform (n\\[u1EC1]n t\\[u1EA3]ng T\\[u1EC9]nh s\\[u1ED1]): "
	      "administrative procedures, one-stop shop, statistics\n",
	      out);
	fputs(".SH SYNOPSIS\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs(".B tinhso ", out);
		roff(out, cmds[i].name);
		fputs("\n", out);
		if (cmds[i].usage[0]) {
			/* the usage may continue on lines "       tinhso CMD ...": one synopsis line each */
			const char *u = cmds[i].usage;
			while (*u) {
				const char *nl = strchr(u, '\n');
				size_t len = nl ? (size_t)(nl - u) : strlen(u);
				char line[512];
				snprintf(line, sizeof(line), "%.*s", (int)len, u);
				const char *t = line;
				while (*t == ' ')
					t++;
				if (u != cmds[i].usage) { /* a continuation line: "user passwd ..." */
					fputs(".RI [ FLAGS ]\n.br\n.B tinhso\n", out);
					if (!strncmp(t, "tinhso ", 7))
						t += 7;
				}
				roff(out, t);
				fputs("\n", out);
				u = nl ? nl + 1 : u + len;
			}
		}
		fputs(".RI [ FLAGS ]\n.br\n", out);
	}
	fputs(".SH DESCRIPTION\n"
	      "One executable serves the web UI and the HTTP API of a province's administrative-procedure "
	      "system on an embedded SQLite store or on PostgreSQL, and carries the maintenance commands "
	      "below. Settings come from the built-in defaults, then the file named by \\fB\\-\\-config\\fR "
	      "(or \\fBTINHSO_CONFIG\\fR; see \\fBtinhso.conf\\fR(5)), then \\fBTINHSO_*\\fR environment "
	      "variables, then flags.\n",
	      out);
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs(".TP\n.B ", out);
		roff(out, cmds[i].name);
		fputs("\n", out);
		roff(out, cmds[i].help);
		fputs("\n", out);
	}
	fputs(".SH OPTIONS\n.TP\n\\fB\\-\\-config\\fR \\fIFILE\\fR\nRead settings from FILE "
	      "(also the environment variable \\fBTINHSO_CONFIG\\fR).\n.TP\n\\fB\\-\\-help\\fR\n"
	      "Print the commands and settings.\n",
	      out);
	man_settings(out, 1);
	fputs(".SH FILES\n.TP\n.I /etc/tinhso/tinhso.conf\nSettings of the packaged service.\n"
	      ".TP\n.I /var/lib/tinhso\nThe SQLite store, attachments and upgrade backups of the package.\n"
	      ".TP\n.I /usr/share/tinhso/web\nThe built web UI.\n",
	      out);
	fputs(".SH EXIT STATUS\n0 on success, 1 when the command failed (the reason on stderr), 2 on a usage or "
	      "configuration error.\n",
	      out);
	fputs(".SH SIGNALS\n\\fBSIGTERM\\fR or \\fBSIGINT\\fR stop \\fBserve\\fR gracefully: no new connections, "
	      "requests in flight finish within \\fBhttp.shutdown_grace\\fR seconds. Under systemd the "
	      "service reports READY=1 once it listens and STOPPING=1 when it stops (Type=notify).\n",
	      out);
	fputs(".SH SEE ALSO\n\\fBtinhso.conf\\fR(5), \\fBsystemctl\\fR(1), \\fBjournalctl\\fR(1); "
	      "/usr/share/doc/tinhso/\n",
	      out);
}

void ts_doc_man5(FILE *out, const char *version)
{
	fprintf(out, ".\\\" tinhso.conf(5), generated by 'tinhso doc man5' from the config table\n");
	fprintf(out, ".TH TINHSO.CONF 5 \"\" \"tinhso %s\" \"tinhso manual\"\n", version);
	fputs(".SH NAME\ntinhso.conf \\- settings of the tinhso server\n", out);
	fputs(".SH SYNOPSIS\n/etc/tinhso/tinhso.conf\n", out);
	fputs(".SH DESCRIPTION\nOne setting per line, \\fIkey\\fR = \\fIvalue\\fR; blank lines and lines "
	      "starting with # are ignored; a value may be enclosed in double quotes. An unknown key, a "
	      "value of the wrong type or out of bounds refuses to start, naming the file and line.\n.PP\n"
	      "Precedence, lowest first: the built-in default, this file, the environment variable "
	      "\\fBTINHSO_\\fR\\fIKEY\\fR (key upper-cased, dots as underscores), the command-line flag "
	      "\\fB\\-\\-\\fR\\fIkey\\fR (dots and underscores as dashes). \\fBtinhso config\\fR prints the "
	      "effective values, secrets masked, and where each came from.\n.PP\n"
	      "The file shipped by the Debian package lists every setting with its default, commented "
	      "out, and sets the package's paths.\n",
	      out);
	fputs(".SH SETTINGS\n", out);
	man_settings(out, 0);
	fputs(".SH EXAMPLE\n.nf\ndatabase = postgresql://tinhso:secret@127.0.0.1:5432/tinhso\n"
	      "listen = 127.0.0.1:8080\ncookie.secure = true\n.fi\n",
	      out);
	fputs(".SH SEE ALSO\n\\fBtinhso\\fR(1)\n", out);
}

void ts_doc_conf(FILE *out, const struct ts_config *cfg)
{
	fputs("# tinhso.conf - settings of the tinhso server; see tinhso.conf(5).\n"
	      "# Generated from the config table ('tinhso doc conf'): every setting with its default,\n"
	      "# commented out. Lines 'key = value'; precedence: this file < environment TINHSO_KEY\n"
	      "# < command-line flags. 'tinhso config --config FILE' prints the effective values.\n",
	      out);
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		const struct doc_setting *s = &settings[i];
		char type[64];
		type_text(s, type, sizeof(type));
		const char *val = ts_config_str(cfg, (enum ts_cfg_key)i);
		bool set = cfg->source[i] != TS_CFG_FROM_DEFAULT;
		fprintf(out, "\n# %s (%s; default: %s)\n", s->help, type, s->def[0] ? s->def : "empty");
		const char *shown = set ? val : s->def;
		bool quote = !shown[0] || isspace((unsigned char)shown[0]) ||
			     isspace((unsigned char)shown[strlen(shown) - 1]) || shown[0] == '"';
		fprintf(out, "%s%s = %s%s%s\n", set ? "" : "#", s->key, quote ? "\"" : "", shown, quote ? "\"" : "");
	}
}

static const char *note_of(int code)
{
	for (size_t i = 0; i < sizeof(error_notes) / sizeof(error_notes[0]); i++)
		if (error_notes[i].code == code)
			return error_notes[i].note;
	return NULL;
}

int ts_doc_errors(FILE *out)
{
	static const int codes[] = {
#define X(name, status, code, title) TS_ERR_##name,
		TS_ERR_TABLE(X)
#undef X
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!note_of(codes[i])) {
			fprintf(stderr, "tinhso: error code '%s' has no operator note in src/app/gendoc.c\n",
				ts_err_code(codes[i]));
			return -1;
		}
	fputs("# Troubleshooting\n\n"
	      "<!-- generated by `tinhso doc errors` from the error table (src/base/err.h) and the notes in\n"
	      "     src/app/gendoc.c; edit those, then run: build/tinhso doc errors > docs/troubleshooting.md -->\n\n"
	      "Every failure leaves tinhso as one `application/problem+json` body: `code` (stable, machine\n"
	      "readable), `title` (Vietnamese, for people), `detail` (this failure), `field` (when one field is\n"
	      "at fault) and the request id, which is also in the `X-Request-Id` header and in the journal line\n"
	      "of the request (field `rid`: `journalctl -u tinhso | grep REQUEST_ID`). Command-line commands print the same\n"
	      "detail on stderr and exit with status 1 (failure) or 2 (usage or configuration).\n\n"
	      "First checks: `systemctl status tinhso`, `journalctl -u tinhso -n 50`, `curl -s\n"
	      "http://127.0.0.1:8080/readyz`, `tinhso config --config /etc/tinhso/tinhso.conf`.\n\n"
	      "| code | HTTP | title | what to check |\n|---|---|---|---|\n",
	      out);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		fprintf(out, "| `%s` | %d | %s | %s |\n", ts_err_code(codes[i]), ts_err_status(codes[i]),
			ts_err_title(codes[i]), note_of(codes[i]));
	fputs("\n## The service does not start\n"
	      "- `config_invalid` lines in the journal name the setting and the file line at fault.\n"
	      "- `database schema is at migration N, this binary needs M`: run `sudo -u tinhso tinhso migrate\n"
	      "  --config /etc/tinhso/tinhso.conf` (see [upgrading.md](upgrading.md)).\n"
	      "- `cannot bind`/`address in use`: another process holds `listen` (`ss -ltnp`).\n"
	      "- Permission denied under /var/lib/tinhso: the files must belong to `tinhso:tinhso`; the unit\n"
	      "  may write nowhere else (`ProtectSystem=strict`).\n",
	      out);
	return 0;
}
