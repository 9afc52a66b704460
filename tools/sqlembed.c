/* sqlembed.c - build-time generator: embeds sql/{common,sqlite,pgsql}/{queries,migrations}/
 * *.sql into one C file (tables declared in src/db/sql_embed.h). It fails the build when a
 * named query or a migration exists for one dialect only, is duplicated, or when migration
 * numbers have gaps. Usage: sqlembed OUT.c SQLDIR. Plain libc + POSIX dirent, no project code.
 *
 * Fragments: a "-- fragment: NAME" block of a queries file is not a query; a line
 * "-- include: NAME" in a query (or in another fragment) is replaced by the fragment's lines,
 * each prefixed with the include line's indentation. The fragment comes from the query's own
 * dialect, else from common (a common query sees common fragments only); its leading comment
 * lines (its documentation) and trailing blank and comment lines are left out. An unknown,
 * cyclic, duplicated or never included fragment fails the build. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { D_COMMON, D_SQLITE, D_PGSQL, D_COUNT };
static const char *const dialects[D_COUNT] = {"common", "sqlite", "pgsql"};

struct item {
	char *name;  /* query or fragment name, or migration name without number */
	int number;  /* migrations only */
	int dialect; /* D_* */
	char *path;  /* for messages */
	char *text;  /* trimmed SQL (queries: raw block until the includes are expanded) */
	int line;    /* of the marker, for messages */
	int used;    /* fragments: included at least once */
	int state;   /* fragments: 0 raw, 1 being expanded, 2 expanded, 3 failed */
};

struct list {
	struct item *v;
	size_t n, cap;
};

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	fputs("sqlembed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("sqlembed: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *xjoin(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *d = xmalloc(na + nb + 2);
	memcpy(d, a, na);
	d[na] = '/';
	memcpy(d + na + 1, b, nb + 1);
	return d;
}

static struct item *list_add(struct list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		struct item *v = realloc(l->v, l->cap * sizeof(*v));
		if (!v) {
			fputs("sqlembed: out of memory\n", stderr);
			exit(2);
		}
		l->v = v;
	}
	struct item *it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fail("cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				fputs("sqlembed: out of memory\n", stderr);
				exit(2);
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fail("cannot read '%s'", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		fail("'%s' contains a NUL byte", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Sorted names of the *.sql files in dir (missing dir = none). */
static char **list_sql(const char *dir, size_t *count)
{
	*count = 0;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			fail("cannot open directory '%s': %s", dir, strerror(errno));
		return NULL;
	}
	size_t cap = 16, n = 0;
	char **v = xmalloc(cap * sizeof(*v));
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".sql"))
			continue;
		if (n == cap) {
			cap *= 2;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fputs("sqlembed: out of memory\n", stderr);
				exit(2);
			}
			v = nv;
		}
		v[n++] = xstrndup(e->d_name, strlen(e->d_name));
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v;
}

static int is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* True when the line [s, e) is blank or a "--" comment. */
static int is_comment_line(const char *s, const char *e)
{
	while (s < e && is_space((unsigned char)*s))
		s++;
	return s == e || (e - s >= 2 && s[0] == '-' && s[1] == '-');
}

/* Copy of [s, e) without surrounding white space, without trailing comment lines (they
 * introduce the next block) and without one trailing ';'. */
static char *trim_sql(const char *s, const char *e)
{
	while (s < e && is_space((unsigned char)*s))
		s++;
	for (;;) {
		while (e > s && is_space((unsigned char)e[-1]))
			e--;
		const char *ls = e;
		while (ls > s && ls[-1] != '\n')
			ls--;
		if (ls == s || e == s || !is_comment_line(ls, e))
			break;
		e = ls;
	}
	if (e > s && e[-1] == ';') {
		e--;
		while (e > s && is_space((unsigned char)e[-1]))
			e--;
	}
	return xstrndup(s, (size_t)(e - s));
}

/* True when [s, e) holds something besides white space and "--" comment lines. */
static int has_statement(const char *s, const char *e)
{
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *le = nl ? nl : e;
		const char *p = s;
		while (p < le && is_space((unsigned char)*p))
			p++;
		if (p < le && !(le - p >= 2 && p[0] == '-' && p[1] == '-'))
			return 1;
		s = nl ? nl + 1 : e;
	}
	return 0;
}

/* If the line [s, e) is a "-- KEYWORD x" marker (keyword "name:", "fragment:" or
 * "include:"), returns 1 and the name in *name (heap); returns -1 for a marker with an
 * invalid name, 0 for any other line. */
static int parse_marker_kw(const char *s, const char *e, const char *kw, char **name)
{
	size_t kn = strlen(kw);
	const char *p = s;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (e - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	p += 2;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(e - p) < kn || memcmp(p, kw, kn) != 0)
		return 0;
	p += kn;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	const char *ns = p;
	while (p < e && is_name_char((unsigned char)*p))
		p++;
	const char *ne = p;
	while (p < e && is_space((unsigned char)*p))
		p++;
	if (ne == ns || p != e)
		return -1;
	*name = xstrndup(ns, (size_t)(ne - ns));
	return 1;
}

static int parse_marker(const char *s, const char *e, char **name)
{
	return parse_marker_kw(s, e, "name:", name);
}

/* True when [s, e) has a "-- include:" line (which has_statement counts as a comment). */
static int has_include(const char *s, const char *e)
{
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *le = nl ? nl : e;
		char *name = NULL;
		int m = parse_marker_kw(s, le, "include:", &name);
		free(name);
		if (m != 0)
			return 1;
		s = nl ? nl + 1 : e;
	}
	return 0;
}

static void parse_queries(const char *path, int dialect, struct list *out, struct list *frags)
{
	char *buf = read_file(path);
	if (!buf)
		return;
	const char *end = buf + strlen(buf);
	const char *s = buf;
	char *cur = NULL;	 /* name of the open block */
	int cur_frag = 0;	 /* the open block is a fragment */
	const char *body = NULL; /* start of its text */
	int line = 0, marker_line = 0;
	while (s <= end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		line++;
		char *name = NULL;
		int frag = 0;
		int m = parse_marker(s, le, &name);
		if (m == 0) {
			m = parse_marker_kw(s, le, "fragment:", &name);
			frag = m != 0;
		}
		if (m == 0 && !cur) {
			char *inc = NULL;
			int mi = parse_marker_kw(s, le, "include:", &inc);
			if (mi != 0)
				fail("'-- include:' outside a query or fragment at %s:%d", path, line);
			free(inc);
		}
		if (m < 0) {
			fail("invalid %s marker at %s:%d (want '-- %s lower_case_name')",
			     frag ? "fragment" : "query name", path, line, frag ? "fragment:" : "name:");
		} else if (m > 0 || le == end) {
			const char *stop = m > 0 ? s : end;
			if (cur) {
				if (!has_statement(body, stop) && !has_include(body, stop)) {
					fail("%s '%s' is empty (%s:%d)", cur_frag ? "fragment" : "query", cur,
					     path, marker_line);
					free(cur);
				} else {
					struct item *it = list_add(cur_frag ? frags : out);
					it->name = cur;
					it->dialect = dialect;
					it->path = xstrndup(path, strlen(path));
					it->text = xstrndup(body, (size_t)(stop - body));
					it->line = marker_line;
				}
			} else if (has_statement(buf, stop)) {
				fail("SQL outside a '-- name:' block in %s (before line %d)", path,
				     line);
			}
			cur = name;
			cur_frag = frag;
			body = nl ? nl + 1 : end;
			marker_line = line;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	if (cur) {
		fail("%s '%s' is empty (%s:%d)", cur_frag ? "fragment" : "query", cur, path, marker_line);
		free(cur);
	}
	free(buf);
}

/* "NNNN_name.sql" -> number and name; 0 when the file name does not fit. */
static int parse_migration_name(const char *file, int *number, char **name)
{
	const char *p = file;
	long v = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > 1000000)
			return 0;
		p++;
	}
	if (p == file || *p != '_' || v <= 0)
		return 0;
	const char *ns = ++p;
	while (is_name_char((unsigned char)*p))
		p++;
	if (p == ns || strcmp(p, ".sql") != 0)
		return 0;
	*number = (int)v;
	*name = xstrndup(ns, (size_t)(p - ns));
	return 1;
}

static void scan(const char *sqldir, struct list *queries, struct list *frags,
		 struct list *migrations)
{
	for (int d = 0; d < D_COUNT; d++) {
		char *ddir = xjoin(sqldir, dialects[d]);
		size_t n;
		char **files = list_sql(ddir, &n);
		for (size_t i = 0; i < n; i++) {
			fail("'%s/%s' is neither under queries/ nor migrations/", ddir, files[i]);
			free(files[i]);
		}
		free(files);

		char *qdir = xjoin(ddir, "queries");
		files = list_sql(qdir, &n);
		for (size_t i = 0; i < n; i++) {
			char *path = xjoin(qdir, files[i]);
			parse_queries(path, d, queries, frags);
			free(path);
			free(files[i]);
		}
		free(files);
		free(qdir);

		char *mdir = xjoin(ddir, "migrations");
		files = list_sql(mdir, &n);
		for (size_t i = 0; i < n; i++) {
			char *path = xjoin(mdir, files[i]);
			int number;
			char *name;
			if (!parse_migration_name(files[i], &number, &name)) {
				fail("migration file '%s' is not named NNNN_lower_case_name.sql",
				     path);
				free(path);
			} else {
				char *text = read_file(path);
				if (text && !has_statement(text, text + strlen(text)))
					fail("migration '%s' is empty", path);
				struct item *it = list_add(migrations);
				it->name = name;
				it->number = number;
				it->dialect = d;
				it->path = path;
				it->text =
				    text ? trim_sql(text, text + strlen(text)) : xstrndup("", 0);
				free(text);
			}
			free(files[i]);
		}
		free(files);
		free(mdir);
		free(ddir);
	}
}

/* ---- fragments ------------------------------------------------------------------------ */

struct sbuf {
	char *p;
	size_t n, cap;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			fputs("sqlembed: out of memory\n", stderr);
			exit(2);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* The fragment named name seen from dialect: its own, else common's. */
static struct item *find_fragment(struct list *frags, const char *name, int dialect)
{
	struct item *common = NULL;
	for (size_t i = 0; i < frags->n; i++) {
		struct item *f = &frags->v[i];
		if (strcmp(f->name, name) != 0)
			continue;
		if (f->dialect == dialect)
			return f;
		if (f->dialect == D_COMMON)
			common = f;
	}
	return common;
}

/* [s, e) without leading blank and comment lines (the fragment's documentation) and without
 * trailing white space, blank and comment lines. */
static char *frag_trim(const char *s, const char *e)
{
	for (;;) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *le = nl ? nl : e;
		if (s == e || !is_comment_line(s, le))
			break;
		s = nl ? nl + 1 : e;
	}
	for (;;) {
		while (e > s && is_space((unsigned char)e[-1]))
			e--;
		const char *ls = e;
		while (ls > s && ls[-1] != '\n')
			ls--;
		if (e == s || !is_comment_line(ls, e))
			break;
		e = ls;
	}
	return xstrndup(s, (size_t)(e - s));
}

#define MAX_FRAGMENT_DEPTH 16

static int expand_fragment(struct item *f, struct list *frags, const char **chain, int depth);

/* it's text with every include line replaced by the (expanded) fragment's lines, each
 * prefixed with the include line's indentation. Fragments named in it are expanded first
 * (chain/depth: the fragments being expanded, for the cycle message). Returns NULL after
 * reporting an unknown or cyclic fragment. */
static char *expand_text(const struct item *it, const char *kind, struct list *frags,
			 const char **chain, int depth)
{
	struct sbuf b = {0};
	int ok = 1;
	const char *s = it->text, *e = it->text + strlen(it->text);
	int line = it->line;
	sbuf_add(&b, "", 0);
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *le = nl ? nl : e;
		char *name = NULL;
		int m = parse_marker_kw(s, le, "include:", &name);
		line++;
		if (m < 0) {
			fail("invalid include marker in %s '%s' at %s:%d (want '-- include: "
			     "lower_case_name')",
			     kind, it->name, it->path, line);
			ok = 0;
		} else if (m > 0) {
			struct item *f = find_fragment(frags, name, it->dialect);
			if (!f) {
				fail("%s '%s' includes unknown fragment '%s' (%s:%d; a %s block sees "
				     "fragments of %s%s)",
				     kind, it->name, name, it->path, line, dialects[it->dialect],
				     dialects[it->dialect], it->dialect == D_COMMON ? "" : " and common");
				ok = 0;
			} else if (!expand_fragment(f, frags, chain, depth)) {
				ok = 0;
			} else {
				const char *ie = s;
				while (ie < le && (*ie == ' ' || *ie == '\t'))
					ie++;
				const char *fs = f->text, *fe = f->text + strlen(f->text);
				while (fs < fe) {
					const char *fnl = memchr(fs, '\n', (size_t)(fe - fs));
					const char *fle = fnl ? fnl : fe;
					if (fle > fs)
						sbuf_add(&b, s, (size_t)(ie - s));
					sbuf_add(&b, fs, (size_t)(fle - fs));
					if (fnl || nl)
						sbuf_add(&b, "\n", 1);
					fs = fnl ? fnl + 1 : fe;
				}
				f->used = 1;
			}
		} else {
			sbuf_add(&b, s, (size_t)(le - s) + (nl ? 1 : 0));
		}
		free(name);
		s = nl ? nl + 1 : e;
	}
	if (!ok) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Expands f's includes once (depth-first; a fragment met again while being expanded is a
 * cycle). Returns 1 when f->text is usable. */
static int expand_fragment(struct item *f, struct list *frags, const char **chain, int depth)
{
	if (f->state == 2)
		return 1;
	if (f->state == 3)
		return 0;
	if (f->state == 1 || depth >= MAX_FRAGMENT_DEPTH) {
		char path[1024];
		size_t n = 0;
		path[0] = '\0';
		for (int i = 0; i < depth && n < sizeof(path) - 64; i++)
			n += (size_t)snprintf(path + n, sizeof(path) - n, "%s -> ", chain[i]);
		snprintf(path + n, sizeof(path) - n, "%s", f->name);
		fail("fragment '%s' includes itself (%s; %s:%d)%s", f->name, path, f->path, f->line,
		     f->state == 1 ? "" : " or nests too deep");
		return 0;
	}
	f->state = 1;
	chain[depth] = f->name;
	char *x = expand_text(f, "fragment", frags, chain, depth + 1);
	if (!x) {
		f->state = 3;
		return 0;
	}
	char *t = frag_trim(x, x + strlen(x));
	free(x);
	if (!has_statement(t, t + strlen(t))) {
		fail("fragment '%s' is empty (%s:%d)", f->name, f->path, f->line);
		free(t);
		f->state = 3;
		return 0;
	}
	free(f->text);
	f->text = t;
	f->state = 2;
	return 1;
}

/* Checks the fragments (duplicates, cycles, unknown names) and expands every query's
 * includes, then trims it as before. */
static void expand_all(struct list *queries, struct list *frags)
{
	const char *chain[MAX_FRAGMENT_DEPTH + 1];
	for (size_t i = 0; i < frags->n; i++)
		for (size_t j = i + 1; j < frags->n; j++) {
			struct item *a = &frags->v[i], *b = &frags->v[j];
			if (strcmp(a->name, b->name) != 0)
				continue;
			if (a->dialect == b->dialect)
				fail("fragment '%s' is defined twice for %s (%s:%d and %s:%d)", a->name,
				     dialects[a->dialect], a->path, a->line, b->path, b->line);
			else if (a->dialect == D_COMMON || b->dialect == D_COMMON)
				fail("fragment '%s' exists in common and in %s (%s:%d and %s:%d)",
				     a->name, dialects[a->dialect == D_COMMON ? b->dialect : a->dialect],
				     a->path, a->line, b->path, b->line);
		}
	for (size_t i = 0; i < frags->n; i++)
		expand_fragment(&frags->v[i], frags, chain, 0);
	for (size_t i = 0; i < queries->n; i++) {
		struct item *q = &queries->v[i];
		char *x = expand_text(q, "query", frags, chain, 0);
		char *t = x ? trim_sql(x, x + strlen(x)) : trim_sql(q->text, q->text + strlen(q->text));
		free(x);
		free(q->text);
		q->text = t;
	}
	for (size_t i = 0; i < frags->n; i++)
		if (frags->v[i].state == 2 && !frags->v[i].used)
			fail("fragment '%s' is never included (%s:%d)", frags->v[i].name,
			     frags->v[i].path, frags->v[i].line);
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
		free(l->v[i].text);
	}
	free(l->v);
}

static int cmp_query(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->dialect - y->dialect;
}

static int cmp_migration(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->dialect - y->dialect;
}

/* Groups of equal keys, checked for the dialect rules. by[d] gets the item of dialect d. */
static int check_group(const char *kind, const char *key, struct item *g, size_t n,
		       struct item *by[D_COUNT])
{
	int ok = 1;
	memset(by, 0, sizeof(*by) * D_COUNT);
	for (size_t i = 0; i < n; i++) {
		struct item *it = &g[i];
		if (by[it->dialect]) {
			fail("%s '%s' is defined twice for %s (%s and %s)", kind, key,
			     dialects[it->dialect], by[it->dialect]->path, it->path);
			ok = 0;
			continue;
		}
		by[it->dialect] = it;
	}
	if (!ok)
		return 0;
	if (by[D_COMMON] && (by[D_SQLITE] || by[D_PGSQL])) {
		struct item *o = by[D_SQLITE] ? by[D_SQLITE] : by[D_PGSQL];
		fail("%s '%s' exists in common and in %s (%s and %s)", kind, key,
		     dialects[o->dialect], by[D_COMMON]->path, o->path);
		return 0;
	}
	if (!by[D_COMMON] && (!by[D_SQLITE] || !by[D_PGSQL])) {
		struct item *o = by[D_SQLITE] ? by[D_SQLITE] : by[D_PGSQL];
		fail("%s '%s' exists for %s only (%s)", kind, key, dialects[o->dialect], o->path);
		return 0;
	}
	return 1;
}

/* Highest $N placeholder in sql, outside quotes and comments; -1 when one is malformed. */
static int count_params(const char *sql)
{
	int max = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			while (p[1] && p[1] != q)
				p++;
			if (p[1])
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/'))
				p++;
			if (!*p)
				break;
			p++;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			long v = 0;
			while (p[1] >= '0' && p[1] <= '9') {
				v = v * 10 + (p[1] - '0');
				if (v > 1000)
					return -1;
				p++;
			}
			if (v == 0)
				return -1;
			if (v > max)
				max = (int)v;
		}
	}
	return max;
}

/* Writes s as concatenated C string literals, one per source line (long lines split). */
static void emit_literal(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!*p) {
		fputs("\t\"\"", f);
		return;
	}
	int col = 0, open = 0;
	unsigned char prev = 0;
	for (; *p; p++) {
		if (!open) {
			fputs("\t\"", f);
			open = 1;
			col = 0;
			prev = 0;
		}
		unsigned char c = *p;
		if (c == '\n') {
			fputs("\\n\"\n", f);
			open = 0;
			continue;
		}
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			col += 2;
		} else if (c == '\t') {
			fputs("\\t", f);
			col += 2;
		} else if (c == '?' && prev == '?') {
			fputs("\\?", f); /* no trigraphs in strict C17 mode */
			col += 2;
		} else if (c < 0x20 || c >= 0x7f) {
			fprintf(f, "\\%03o", c);
			col += 4;
		} else {
			fputc(c, f);
			col++;
		}
		prev = c;
		if (col >= 96 && p[1] && p[1] != '\n') {
			fputs("\"\n", f);
			open = 0;
		}
	}
	if (open)
		fputs("\"\n", f);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: sqlembed OUT.c SQLDIR\n", stderr);
		return 2;
	}
	const char *out = argv[1], *sqldir = argv[2];
	struct stat st;
	if (stat(sqldir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "sqlembed: '%s' is not a directory\n", sqldir);
		return 1;
	}
	struct list queries = {0}, frags = {0}, migrations = {0};
	scan(sqldir, &queries, &frags, &migrations);
	expand_all(&queries, &frags);
	if (queries.n)
		qsort(queries.v, queries.n, sizeof(struct item), cmp_query);
	if (migrations.n)
		qsort(migrations.v, migrations.n, sizeof(struct item), cmp_migration);

	/* Validate: per key, the dialect rules; migrations also 1..N and same names. */
	struct item *qby = NULL;
	size_t nq = 0;
	{
		struct item(*rows)[D_COUNT] = xmalloc((queries.n + 1) * sizeof(*rows));
		for (size_t i = 0; i < queries.n;) {
			size_t j = i;
			while (j < queries.n && strcmp(queries.v[j].name, queries.v[i].name) == 0)
				j++;
			struct item *by[D_COUNT];
			if (check_group("query", queries.v[i].name, &queries.v[i], j - i, by)) {
				for (int d = 0; d < D_COUNT; d++)
					rows[nq][d] = by[d] ? *by[d] : (struct item){0};
				nq++;
			}
			i = j;
		}
		qby = &rows[0][0];
	}
	struct item *mby = xmalloc((migrations.n + 1) * D_COUNT * sizeof(struct item));
	size_t nm = 0;
	for (size_t i = 0; i < migrations.n;) {
		size_t j = i;
		while (j < migrations.n && migrations.v[j].number == migrations.v[i].number)
			j++;
		char key[32];
		snprintf(key, sizeof(key), "%04d", migrations.v[i].number);
		struct item *by[D_COUNT];
		if (check_group("migration", key, &migrations.v[i], j - i, by)) {
			if (by[D_SQLITE] && by[D_PGSQL] &&
			    strcmp(by[D_SQLITE]->name, by[D_PGSQL]->name))
				fail("migration %s is named '%s' for sqlite but '%s' for pgsql "
				     "(%s, %s)",
				     key, by[D_SQLITE]->name, by[D_PGSQL]->name, by[D_SQLITE]->path,
				     by[D_PGSQL]->path);
			if (migrations.v[i].number != (int)nm + 1)
				fail("migration numbers must run 1..N without gaps: found %s after "
				     "%04d",
				     key, (int)nm);
			for (int d = 0; d < D_COUNT; d++)
				mby[nm * D_COUNT + (size_t)d] = by[d] ? *by[d] : (struct item){0};
			nm++;
		} else if (migrations.v[i].number != (int)nm + 1) {
			fail("migration numbers must run 1..N without gaps: found %s after %04d",
			     key, (int)nm);
		} else {
			nm++; /* already reported; keep numbering to avoid a cascade of messages */
		}
		i = j;
	}
	int rc = 1;
	char *tmp = NULL;
	for (size_t i = 0; i < nq; i++) {
		struct item *r = &qby[i * D_COUNT];
		for (int d = 0; d < D_COUNT; d++) {
			if (!r[d].name)
				continue;
			r[d].number = count_params(r[d].text);
			if (r[d].number < 0)
				fail("query '%s' has a malformed $N placeholder (%s)", r[d].name,
				     r[d].path);
		}
		if (!r[D_COMMON].name && r[D_SQLITE].number != r[D_PGSQL].number)
			fail("query '%s' takes %d parameters for sqlite but %d for pgsql (%s, %s)",
			     r[D_SQLITE].name, r[D_SQLITE].number, r[D_PGSQL].number,
			     r[D_SQLITE].path, r[D_PGSQL].path);
	}
	if (failures) {
		fprintf(stderr, "sqlembed: %d error(s); nothing written\n", failures);
		goto out;
	}

	size_t olen = strlen(out);
	tmp = xmalloc(olen + 5);
	memcpy(tmp, out, olen);
	memcpy(tmp + olen, ".tmp", 5);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "sqlembed: cannot write '%s': %s\n", tmp, strerror(errno));
		goto out;
	}
	fputs("/* Generated by tools/sqlembed.c from sql/ - do not edit. */\n"
	      "#include \"db/sql_embed.h\"\n\n",
	      f);
	for (size_t i = 0; i < nq; i++) {
		struct item *r = &qby[i * D_COUNT];
		for (int d = 0; d < D_COUNT; d++) {
			if (!r[d].name)
				continue;
			fprintf(f, "/* %s */\nstatic const char q%zu_%s[] =\n", r[d].path, i,
				dialects[d]);
			emit_literal(f, r[d].text);
			fputs("\t;\n\n", f);
		}
	}
	for (size_t i = 0; i < nm; i++) {
		struct item *r = &mby[i * D_COUNT];
		for (int d = 0; d < D_COUNT; d++) {
			if (!r[d].name)
				continue;
			fprintf(f, "/* %s */\nstatic const char m%zu_%s[] =\n", r[d].path, i,
				dialects[d]);
			emit_literal(f, r[d].text);
			fputs("\t;\n\n", f);
		}
	}
	fputs("const struct ts_sql_query ts_sql_queries[] = {\n", f);
	for (size_t i = 0; i < nq; i++) {
		struct item *r = &qby[i * D_COUNT];
		const char *name = r[D_COMMON].name ? r[D_COMMON].name : r[D_SQLITE].name;
		if (r[D_COMMON].name)
			fprintf(f, "\t{\"%s\", q%zu_common, q%zu_common, %d},\n", name, i, i,
				r[D_COMMON].number);
		else
			fprintf(f, "\t{\"%s\", q%zu_sqlite, q%zu_pgsql, %d},\n", name, i, i,
				r[D_SQLITE].number);
	}
	if (nq == 0)
		fputs("\t{0, 0, 0, 0}, /* placeholder: C has no empty arrays */\n", f);
	fprintf(f, "};\nconst size_t ts_sql_query_count = %zu;\n\n", nq);
	fputs("const struct ts_sql_migration ts_sql_migrations[] = {\n", f);
	for (size_t i = 0; i < nm; i++) {
		struct item *r = &mby[i * D_COUNT];
		const char *name = r[D_COMMON].name ? r[D_COMMON].name : r[D_SQLITE].name;
		if (r[D_COMMON].name)
			fprintf(f, "\t{%zu, \"%s\", m%zu_common, m%zu_common},\n", i + 1, name, i,
				i);
		else
			fprintf(f, "\t{%zu, \"%s\", m%zu_sqlite, m%zu_pgsql},\n", i + 1, name, i,
				i);
	}
	if (nm == 0)
		fputs("\t{0, 0, 0, 0}, /* placeholder: C has no empty arrays */\n", f);
	fprintf(f, "};\nconst size_t ts_sql_migration_count = %zu;\n", nm);
	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0) {
		fprintf(stderr, "sqlembed: cannot write '%s'\n", tmp);
		remove(tmp);
		goto out;
	}
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "sqlembed: cannot rename '%s' to '%s': %s\n", tmp, out,
			strerror(errno));
		remove(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(qby);
	free(mby);
	list_free(&queries);
	list_free(&frags);
	list_free(&migrations);
	return rc;
}
