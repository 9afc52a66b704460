/* test_attach_upload.c - attach/'s side of the upload stream (ts_attach_upload_begin / _part
 * / _finish, the calls the server's sink makes) against a real SQLite store: a file fed in
 * small chunks arrives whole and is stored once under its hash; the per-file cap stops the
 * stream at the chunk that crosses it; a second file part, unknown and over-long fields are
 * refused; an upload abandoned mid-stream (the request's arena released without finish, as
 * when the client goes away) leaves no temporary file, no blob and no link; a file's flags
 * reach its component, and after acceptance the statistics still equal their recount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "attach/attach.h"
#include "base/crypto.h"
#include "calendar/calendar.h"
#include "dossier/dossier.h"
#include "org/org.h"
#include "stats/stats.h"

#include "store_fixture.h"

#define UNIT_CODE "000.00.12.H99"
#define MAX_FILE 65536

static struct ts_proc_doc fake_docs[] = {
    {1, "TK01", "Tờ khai", 1, 0, true, NULL},
    {2, "CCCD", "Bản sao căn cước", 0, 1, false, NULL},
};

static int fake_variant(struct ts_dbconn *conn, struct ts_arena *a, const char *pc, const char *vc,
			int channel, int64_t unit, int64_t at, struct ts_proc_variant_info *out,
			struct ts_error *err)
{
	(void)conn; (void)a; (void)vc; (void)channel; (void)unit; (void)at;
	if (strcmp(pc, "TEST.000001") != 0)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "procedure_code", "no such procedure");
	memset(out, 0, sizeof(*out));
	out->procedure_id = 7;
	out->version_id = 70;
	out->variant_id = 700;
	out->code = "TEST.000001";
	out->name = "Cấp Phiếu lý lịch tư pháp";
	out->time_amount = 5;
	out->time_unit = TS_CAL_WORKING_DAYS;
	out->docs = fake_docs;
	out->ndocs = 2;
	return 0;
}

struct who {
	struct ts_ctx ctx;
	struct ts_grant grant;
};

struct fixture {
	char dir[64], files[96];
	struct ts_db *db;
	struct ts_arena arena;
	struct ts_ctx cli;
	int64_t unit;
	struct who citizen, counter;
};

static void make_account(struct fixture *f, int kind, const char *user, const char *pid, int role,
			 struct who *w)
{
	struct ts_error err = {0};
	char email[96];
	struct ts_account_new in = {.kind = kind, .username = user, .full_name = user,
				    .personal_id = pid, .password = "Matkhau12345x",
				    .unit_id = role >= 0 ? f->unit : 0, .email = email};
	int64_t id = 0;

	snprintf(email, sizeof(email), "%s@example.vn", user);
	if (ts_iam_account_create(&f->cli, &in, &id, &err))
		fail_msg("account %s: %s (%s)", user, err.detail, err.field);
	if (role >= 0 && ts_iam_grant(&f->cli, id, role, f->unit, NULL, &err))
		fail_msg("grant %s: %s", user, err.detail);
	memset(w, 0, sizeof(*w));
	w->ctx.db = f->db;
	w->ctx.arena = &f->arena;
	w->ctx.client_addr = "test";
	w->ctx.request_id = "test";
	w->ctx.actor.account_id = id;
	w->ctx.actor.kind = kind;
	w->ctx.actor.username = user;
	w->ctx.actor.display_name = user;
	w->ctx.actor.unit_id = role >= 0 ? f->unit : 0;
	if (role >= 0) {
		w->grant = (struct ts_grant){1, role, f->unit, ts_role_perms(role)};
		w->ctx.actor.grants = &w->grant;
		w->ctx.actor.ngrants = 1;
		w->ctx.actor.perms = ts_role_perms(role);
	}
	w->ctx.actor.perms |= TS_PERM_BIT(TS_PERM_AUTHENTICATED);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_db_options opt = {.pool_size = 4, .busy_timeout_ms = 5000, .max_retries = 10};
	struct ts_iam_options io;
	struct ts_attach_options ao;
	struct ts_error err = {0};

	assert_non_null(f);
	ts_iam_defaults(&io);
	io.pwhash_opslimit = 1;
	io.pwhash_memlimit = 8192;
	ts_iam_configure(&io);
	test_store_open(f->dir, "test_attach_upload", &opt, &f->db);
	ts_arena_init(&f->arena, 0);
	ts_ctx_init_cli(&f->cli, f->db, &f->arena);
	test_store_load_demo_units(&f->cli);
	if (ts_org_unit_by_code(&f->cli, UNIT_CODE, &f->unit, &err))
		fail_msg("unit: %s", err.detail);
	make_account(f, TS_ACCT_CITIZEN, "congdan.an", "001203004567", -1, &f->citizen);
	make_account(f, TS_ACCT_OFFICER, "motcua", NULL, TS_ROLE_COUNTER, &f->counter);
	ts_dossier_set_variant_lookup(fake_variant);
	snprintf(f->files, sizeof(f->files), "%s/files", f->dir);
	ts_attach_defaults(&ao);
	ao.dir = f->files;
	ao.max_file = MAX_FILE;
	assert_int_equal(ts_attach_configure(&ao, &err), 0);
	*state = f;
	return 0;
}

static int rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[512];
	if (!d)
		return unlink(path);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
	closedir(d);
	return rmdir(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ts_dossier_set_variant_lookup(NULL);
	ts_arena_release(&f->arena);
	rm_tree(f->files);
	test_store_remove(f->db, f->dir);
	free(f);
	return 0;
}

static const char *submit(struct fixture *f)
{
	struct ts_error err = {0};
	struct ts_dossier d;
	static const struct ts_dossier_doc docs[] = {{"TK01", NULL, 1, 0, false, false},
						     {"CCCD", NULL, 0, 1, false, false}};
	struct ts_dossier_new in = {.procedure_code = "TEST.000001", .competent_unit_id = f->unit,
				    .delivery = TS_DELIVERY_COUNTER, .applicant_phone = "0912345678",
				    .applicant_id = "001203004567", .docs = docs, .ndocs = 2};
	if (ts_dossier_submit(&f->citizen.ctx, &in, NULL, &d, &err))
		fail_msg("submit: %s (%s)", err.detail, err.field);
	return d.code;
}

/* A small complete PDF of about size bytes. */
static char *pdf(const char *tag, size_t size, size_t *len)
{
	static const char head[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
				   "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ";
	static const char tail[] = "\ntrailer<</Root 1 0 R>>\n%%EOF\n";
	size_t fixed = strlen(head) + strlen(tag) + strlen(tail) + 2;
	size_t pad = size > fixed ? size - fixed : 0;
	char *p = malloc(fixed + pad + 1);
	assert_non_null(p);
	int n = snprintf(p, fixed + 1, "%s%s\n%%", head, tag);
	memset(p + n, 'x', pad);
	memcpy(p + n + pad, tail, strlen(tail) + 1);
	*len = (size_t)n + pad + strlen(tail);
	return p;
}

/* Files under dir (recursively). */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[512];
	int n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (stat(sub, &st) == 0)
			n += S_ISDIR(st.st_mode) ? count_files(sub) : 1;
	}
	closedir(d);
	return n;
}

static int tmp_files(struct fixture *f)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/tmp", f->files);
	return count_files(p);
}

static int blobs(struct fixture *f)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/sha256", f->files);
	return count_files(p);
}

/* One "request": the actor's context on an arena of its own, released at the end. */
struct req {
	struct ts_arena arena;
	struct ts_ctx ctx;
	struct ts_attach_upload *u;
	uint64_t cap;
};

static int req_begin(struct req *r, const struct who *w, const char *code, struct ts_error *err)
{
	ts_arena_init(&r->arena, 0);
	r->ctx = w->ctx;
	r->ctx.arena = &r->arena;
	return ts_attach_upload_begin(&r->ctx, code, &r->u, &r->cap, err);
}

static int field(struct req *r, const char *name, const char *value, struct ts_error *err)
{
	return ts_attach_upload_part(r->u, name, NULL, true, value, strlen(value), err);
}

/* Feeds data as the file part in chunks of step bytes; the first failing call's code. */
static int feed(struct req *r, const char *name, const char *data, size_t len, size_t step,
		size_t *fed, struct ts_error *err)
{
	*fed = 0;
	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;
		int rc = ts_attach_upload_part(r->u, "file", name, off == 0, data + off, n, err);
		if (rc)
			return rc;
		*fed += n;
	}
	return 0;
}

static void test_chunks_arrive_whole_and_are_stored_once(void **state)
{
	struct fixture *f = *state;
	const char *code = submit(f);
	struct ts_error err = {0};
	struct ts_attach_link l;
	size_t len = 0, fed = 0;
	char *data = pdf("chunks", 50000, &len), hex[65];

	ts_sha256_hex(data, len, hex, sizeof(hex));
	for (int round = 0; round < 2; round++) {
		struct req r;
		assert_int_equal(req_begin(&r, &f->citizen, code, &err), 0);
		assert_true(r.cap >= MAX_FILE);
		assert_int_equal(field(&r, "component", "TK01", &err), 0);
		/* odd chunk sizes: the hash and the file must not depend on where chunks split */
		assert_int_equal(feed(&r, "Tờ khai.pdf", data, len, round ? 4093 : 977, &fed, &err), 0);
		assert_int_equal(field(&r, "digitised", "false", &err), 0);
		assert_int_equal(tmp_files(f), 1);
		assert_int_equal(ts_attach_upload_finish(r.u, &l, &err), 0);
		assert_string_equal(l.sha256, hex);
		assert_int_equal(l.size, (int64_t)len);
		assert_string_equal(l.mime, "application/pdf");
		assert_string_equal(l.name, "Tờ khai.pdf");
		assert_string_equal(l.scan, "unscanned");
		ts_arena_release(&r.arena);
		assert_int_equal(tmp_files(f), 0);
	}
	assert_int_equal(blobs(f), 1); /* the same content twice: one blob */
	free(data);
}

static void test_the_cap_stops_the_stream_at_the_chunk_that_crosses_it(void **state)
{
	struct fixture *f = *state;
	const char *code = submit(f);
	struct ts_error err = {0};
	struct req r;
	size_t len = 0, fed = 0;
	char *data = pdf("too big", MAX_FILE + 5000, &len);
	int before = blobs(f);

	assert_int_equal(req_begin(&r, &f->citizen, code, &err), 0);
	assert_int_equal(field(&r, "component", "TK01", &err), 0);
	assert_int_equal(feed(&r, "big.pdf", data, len, 1000, &fed, &err), TS_ERR_TOO_LARGE);
	assert_string_equal(err.field, "file");
	assert_true(fed <= MAX_FILE && fed > MAX_FILE - 1000);
	ts_arena_release(&r.arena);
	assert_int_equal(tmp_files(f), 0);
	assert_int_equal(blobs(f), before);
	free(data);
}

static void test_wrong_parts_are_refused(void **state)
{
	struct fixture *f = *state;
	const char *code = submit(f);
	struct ts_error err = {0};
	struct req r;
	char long_value[300];
	size_t len = 0, fed = 0;
	char *data = pdf("parts", 2000, &len);

	assert_int_equal(req_begin(&r, &f->citizen, code, &err), 0);
	assert_int_equal(feed(&r, "a.pdf", data, len, 500, &fed, &err), 0);
	assert_int_equal(feed(&r, "b.pdf", data, len, 500, &fed, &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	assert_int_equal(field(&r, "other", "1", &err), TS_ERR_UNKNOWN_FIELD);
	ts_error_clear(&err);
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	assert_int_equal(field(&r, "component", long_value, &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	ts_arena_release(&r.arena);

	/* a component the dossier does not declare; no file at all */
	struct ts_attach_link l;
	assert_int_equal(req_begin(&r, &f->citizen, code, &err), 0);
	assert_int_equal(field(&r, "component", "NOPE", &err), 0);
	assert_int_equal(feed(&r, "a.pdf", data, len, 500, &fed, &err), 0);
	assert_int_equal(ts_attach_upload_finish(r.u, &l, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "component");
	ts_error_clear(&err);
	ts_arena_release(&r.arena);
	assert_int_equal(req_begin(&r, &f->citizen, code, &err), 0);
	assert_int_equal(field(&r, "component", "TK01", &err), 0);
	assert_int_equal(ts_attach_upload_finish(r.u, &l, &err), TS_ERR_MISSING_FIELD);
	assert_string_equal(err.field, "file");
	ts_arena_release(&r.arena);
	assert_int_equal(tmp_files(f), 0);
	free(data);
}

static void test_an_abandoned_upload_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	const char *code = submit(f);
	struct ts_error err = {0};
	struct ts_attach_link *items = NULL;
	struct req r;
	size_t len = 0, fed = 0;
	char *data = pdf("abandoned", 30000, &len);
	int before = blobs(f), n = -1;

	assert_int_equal(req_begin(&r, &f->citizen, code, &err), 0);
	assert_int_equal(field(&r, "component", "TK01", &err), 0);
	assert_int_equal(feed(&r, "half.pdf", data, len / 2, 1000, &fed, &err), 0);
	assert_int_equal(tmp_files(f), 1);
	ts_arena_release(&r.arena); /* the client went away: no finish */
	assert_int_equal(tmp_files(f), 0);
	assert_int_equal(blobs(f), before);
	assert_int_equal(ts_attach_list(&f->citizen.ctx, code, &items, &n, &err), 0);
	assert_int_equal(n, 0);
	free(data);
}

static void test_flags_reach_the_component_and_the_counters_stay_exact(void **state)
{
	struct fixture *f = *state;
	const char *code = submit(f);
	struct ts_error err = {0};
	struct ts_attach_component *comps = NULL;
	struct ts_attach_link l;
	struct ts_dossier d;
	struct req r;
	size_t len = 0, fed = 0;
	char *data = pdf("digitised after acceptance", 3000, &len);
	int n = 0;
	int64_t rows = 0, differing = -1;

	assert_int_equal(ts_dossier_get(&f->counter.ctx, code, &d, NULL, NULL, NULL, NULL, &err), 0);
	{
		struct ts_dossier_act a = {.action = TS_DA_ACCEPT, .version = d.version, .delivery = -1};
		if (ts_dossier_perform(&f->counter.ctx, code, &a, NULL, &d, &err))
			fail_msg("accept: %s", err.detail);
	}
	if (req_begin(&r, &f->counter, code, &err))
		fail_msg("begin: %s (%s)", err.detail, err.field);
	assert_int_equal(field(&r, "component", "CCCD", &err), 0);
	assert_int_equal(field(&r, "digitised", "true", &err), 0);
	assert_int_equal(field(&r, "from_datastore", "1", &err), 0);
	assert_int_equal(feed(&r, "cccd.pdf", data, len, 700, &fed, &err), 0);
	assert_int_equal(ts_attach_upload_finish(r.u, &l, &err), 0);
	assert_true(l.digitised && l.from_datastore && !l.reused);
	ts_arena_release(&r.arena);
	assert_int_equal(ts_attach_components(&f->counter.ctx, code, &comps, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(comps[0].code, "TK01");
	assert_false(comps[0].digitised || comps[0].reused || comps[0].from_datastore);
	assert_string_equal(comps[1].code, "CCCD");
	assert_true(comps[1].digitised && comps[1].from_datastore);
	assert_false(comps[1].reused);
	/* counted when accepted (not digitised then), moved when the file came: still exact */
	assert_int_equal(ts_stats_recount(&f->cli, false, &rows, &differing, &err), 0);
	assert_int_equal(differing, 0);
	assert_true(rows > 0);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chunks_arrive_whole_and_are_stored_once),
	    cmocka_unit_test(test_the_cap_stops_the_stream_at_the_chunk_that_crosses_it),
	    cmocka_unit_test(test_wrong_parts_are_refused),
	    cmocka_unit_test(test_an_abandoned_upload_leaves_nothing),
	    cmocka_unit_test(test_flags_reach_the_component_and_the_counters_stay_exact),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
