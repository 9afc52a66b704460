/* config.c - parsing and printing driven by TS_CONFIG_TABLE (config.h). */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

struct cfg_row {
	const char *key;
	enum ts_cfg_type type;
	const char *def;
	long long min, max;
	unsigned flags;
	const char *help;
};

static const struct cfg_row rows[TS_CFG__COUNT] = {
#define X(n, k, t, d, mi, ma, f, h) {k, t, d, mi, ma, f, h},
	TS_CONFIG_TABLE(X)
#undef X
};

static const char *const source_names[] = {"default", "file", "environment", "flag"};

static int find_key(const char *key)
{
	for (int i = 0; i < TS_CFG__COUNT; i++)
		if (strcmp(rows[i].key, key) == 0)
			return i;
	return -1;
}

int ts_config_init(struct ts_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		struct ts_error err = {0};
		if (ts_config_set(c, rows[i].key, rows[i].def, TS_CFG_FROM_DEFAULT, &err))
			return err.code;
	}
	return 0;
}

void ts_config_release(struct ts_config *c)
{
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		ts_free(c->str[i]);
		c->str[i] = NULL;
	}
}

int ts_config_set(struct ts_config *c, const char *key, const char *value, enum ts_cfg_source src,
		  struct ts_error *err)
{
	int i = find_key(key);
	if (i < 0)
		return ts_error_set(err, TS_ERR_CONFIG, key, "unknown setting '%s' (see 'tinhso --help')", key);
	const struct cfg_row *r = &rows[i];
	long long num = 0;
	if (r->type == TS_CFG_INT) {
		char *end;
		errno = 0;
		num = strtoll(value, &end, 10);
		if (errno || end == value || *end)
			return ts_error_set(err, TS_ERR_CONFIG, key, "setting '%s' must be an integer, got '%s'", key,
					    value);
		if (num < r->min || num > r->max)
			return ts_error_set(err, TS_ERR_CONFIG, key, "setting '%s' must be between %lld and %lld", key,
					    r->min, r->max);
	} else if (r->type == TS_CFG_BOOL) {
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1") || !strcmp(value, "on"))
			num = 1;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0") || !strcmp(value, "off"))
			num = 0;
		else
			return ts_error_set(err, TS_ERR_CONFIG, key, "setting '%s' must be true or false, got '%s'",
					    key, value);
	} else if (i == TS_CFG_LOG_LEVEL) {
		if (strcmp(value, "debug") && strcmp(value, "info") && strcmp(value, "warn") && strcmp(value, "error"))
			return ts_error_set(err, TS_ERR_CONFIG, key, "setting 'log.level' must be debug, info, warn or error");
	} else if (i == TS_CFG_DATABASE) {
		if (strncmp(value, "sqlite:", 7) && strncmp(value, "postgresql://", 13) && strncmp(value, "postgres://", 11))
			return ts_error_set(err, TS_ERR_CONFIG, key,
					    "setting 'database' must start with sqlite: or postgresql://");
	}
	char *copy = ts_strdup(value);
	if (!copy)
		return ts_error_set(err, TS_ERR_NOMEM, key, NULL);
	ts_free(c->str[i]);
	c->str[i] = copy;
	c->num[i] = num;
	c->source[i] = src;
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int ts_config_load_file(struct ts_config *c, const char *path, struct ts_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return ts_error_set(err, TS_ERR_CONFIG, NULL, "cannot open config file '%s': %s", path, strerror(errno));
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = ts_error_set(err, TS_ERR_CONFIG, NULL, "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		struct ts_error e = {0};
		if ((rc = ts_config_set(c, key, val, TS_CFG_FROM_FILE, &e))) {
			ts_error_set(err, rc, e.field, "%s:%d: %s", path, lineno, e.detail);
			break;
		}
	}
	fclose(f);
	return rc;
}

int ts_config_load_env(struct ts_config *c, char *const *envp, struct ts_error *err)
{
	for (; envp && *envp; envp++) {
		const char *e = *envp;
		if (strncmp(e, "TINHSO_", 7))
			continue;
		const char *eq = strchr(e, '=');
		if (!eq)
			continue;
		char name[128];
		size_t n = (size_t)(eq - e);
		if (n >= sizeof(name))
			return ts_error_set(err, TS_ERR_CONFIG, NULL, "environment variable name too long");
		memcpy(name, e, n);
		name[n] = '\0';
		if (!strcmp(name, "TINHSO_CONFIG"))
			continue;
		int found = -1;
		for (int i = 0; i < TS_CFG__COUNT && found < 0; i++) {
			char want[128] = "TINHSO_";
			size_t w = 7;
			for (const char *k = rows[i].key; *k && w < sizeof(want) - 1; k++)
				want[w++] = *k == '.' ? '_' : (char)toupper((unsigned char)*k);
			want[w] = '\0';
			if (!strcmp(want, name))
				found = i;
		}
		if (found < 0)
			return ts_error_set(err, TS_ERR_CONFIG, name, "unknown environment setting '%s'", name);
		struct ts_error sub = {0};
		int rc = ts_config_set(c, rows[found].key, eq + 1, TS_CFG_FROM_ENV, &sub);
		if (rc)
			return ts_error_set(err, rc, sub.field, "%s: %s", name, sub.detail);
	}
	return 0;
}

const char *ts_config_key_for_flag(const char *flag)
{
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		const char *k = rows[i].key, *f = flag;
		while (*k && *f && (*k == *f || (*k == '.' && *f == '-') || (*k == '_' && *f == '-'))) {
			k++;
			f++;
		}
		if (!*k && !*f)
			return rows[i].key;
	}
	return NULL;
}

const char *ts_config_str(const struct ts_config *c, enum ts_cfg_key k) { return c->str[k]; }
long long ts_config_int(const struct ts_config *c, enum ts_cfg_key k) { return c->num[k]; }
bool ts_config_bool(const struct ts_config *c, enum ts_cfg_key k) { return c->num[k] != 0; }

void ts_config_masked(enum ts_cfg_key k, const char *value, char *out, size_t outsz)
{
	if (rows[k].flags & TS_CFG_SECRET) {
		snprintf(out, outsz, "%s", *value ? "********" : "");
		return;
	}
	const char *scheme = strstr(value, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	if ((rows[k].flags & TS_CFG_SECRET_URL) && at) {
		const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
		if (colon) {
			snprintf(out, outsz, "%.*s:********%s", (int)(colon - value), value, at);
			return;
		}
	}
	if ((rows[k].flags & TS_CFG_SECRET_URL) && strstr(value, "password=")) {
		snprintf(out, outsz, "%.*spassword=********", (int)(strstr(value, "password=") - value), value);
		return;
	}
	snprintf(out, outsz, "%s", value);
}

void ts_config_print(const struct ts_config *c, FILE *out)
{
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		char buf[1024];
		ts_config_masked((enum ts_cfg_key)i, c->str[i], buf, sizeof(buf));
		fprintf(out, "%-28s = %-40s # %s\n", rows[i].key, buf, source_names[c->source[i]]);
	}
}

void ts_config_help(FILE *out)
{
	fprintf(out, "Settings (file 'key = value' < environment TINHSO_KEY < flag --key):\n");
	for (int i = 0; i < TS_CFG__COUNT; i++) {
		char flag[64], env[64];
		size_t n = 0, e = 0;
		for (const char *k = rows[i].key; *k && n < sizeof(flag) - 1; k++)
			flag[n++] = *k == '.' || *k == '_' ? '-' : *k;
		flag[n] = '\0';
		for (const char *k = rows[i].key; *k && e < sizeof(env) - 1; k++)
			env[e++] = *k == '.' ? '_' : (char)toupper((unsigned char)*k);
		env[e] = '\0';
		fprintf(out, "  --%-28s TINHSO_%-28s %s (default: %s)\n", flag, env, rows[i].help, rows[i].def);
	}
}
