/* test_dossier_lifecycle.c - dossiers against a real SQLite store (migrated, demo units):
 * the full lifecycle 1 -> 2 -> 4 -> 5 -> 4 -> 9 -> 10 with events, due dates and the pause,
 * refusal, stale versions, role and ownership checks, required documents, the public lookup
 * without personal data, idempotent retries and unique codes under 8 threads x 100
 * submissions. The procedure comes from a fake catalogue lookup (ts_dossier_set_variant_lookup)
 * and time from a fixed clock, so due dates are exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "calendar/calendar.h"
#include "dossier/dossier.h"
#include "dossier/idem.h"
#include "org/org.h"

#include "store_fixture.h"


#define UNIT_CODE "000.00.12.H99"

static int64_t g_clock;
static int64_t fixed_now(void)
{
	return g_clock;
}

/* Local (UTC+7) wall time -> unix seconds. */
static int64_t vn(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
	return (int64_t)timegm(&tm) - TS_TZ_OFFSET;
}

static struct ts_proc_doc fake_docs[] = {
    {1, "TK01", "Tờ khai yêu cầu cấp phiếu", 1, 0, true, NULL},
    {2, "CCCD", "Bản sao căn cước", 0, 1, false, NULL},
};

static int fake_variant(struct ts_dbconn *conn, struct ts_arena *a, const char *pc, const char *vc,
			int channel, int64_t unit, int64_t at, struct ts_proc_variant_info *out,
			struct ts_error *err)
{
	(void)conn; (void)vc; (void)channel; (void)unit; (void)at;
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
	out->form_fields = ts_json_own(
	    a, json_loads("[{\"name\":\"purpose\",\"label\":\"Mục đích sử dụng\",\"required\":true},"
			  "{\"name\":\"note\",\"label\":\"Ghi chú\",\"required\":false}]",
			  0, NULL));
	return 0;
}

struct who {
	struct ts_ctx ctx;
	struct ts_grant grant;
};

struct fixture {
	char dir[64];
	struct ts_db *db;
	struct ts_arena arena;
	struct ts_ctx cli;
	int64_t unit, other_unit;
	struct who citizen, stranger, counter, specialist, specialist2, head, leader;
};

static int64_t make_account(struct fixture *f, int kind, const char *user, const char *pid,
			    int64_t unit, int role, struct who *w)
{
	struct ts_error err = {0};
	struct ts_account_new in = {.kind = kind, .username = user, .full_name = user,
				    .personal_id = pid, .password = "Matkhau12345x", .unit_id = unit};
	char email[96];
	int64_t id = 0;

	snprintf(email, sizeof(email), "%s@example.vn", user);
	in.email = email;
	if (ts_iam_account_create(&f->cli, &in, &id, &err))
		fail_msg("account %s: %s (%s)", user, err.detail, err.field);
	if (role >= 0 && ts_iam_grant(&f->cli, id, role, unit, NULL, &err))
		fail_msg("grant %s: %s", user, err.detail);
	memset(w, 0, sizeof(*w));
	w->ctx.db = f->db;
	w->ctx.arena = &f->arena;
	w->ctx.client_addr = "test";
	w->ctx.request_id = "test";
	w->ctx.actor.account_id = id;
	w->ctx.actor.kind = kind;
	w->ctx.actor.username = user;
	w->ctx.actor.display_name = kind == TS_ACCT_CITIZEN ? "Nguyễn Văn An" : user;
	w->ctx.actor.unit_id = unit;
	if (role >= 0) {
		w->grant = (struct ts_grant){1, role, unit, 0};
		w->ctx.actor.grants = &w->grant;
		w->ctx.actor.ngrants = 1;
	}
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_db_options opt = {.pool_size = 4, .busy_timeout_ms = 5000, .max_retries = 10};
	struct ts_iam_options io;
	struct ts_error err = {0};

	assert_non_null(f);
	ts_iam_defaults(&io);
	io.pwhash_opslimit = 1;
	io.pwhash_memlimit = 8192;
	ts_iam_configure(&io);
	test_store_open(f->dir, "test_dossier", &opt, &f->db);
	ts_arena_init(&f->arena, 0);
	ts_ctx_init_cli(&f->cli, f->db, &f->arena);
	test_store_load_demo_units(&f->cli);
	if (ts_org_unit_by_code(&f->cli, UNIT_CODE, &f->unit, &err) ||
	    ts_org_unit_by_code(&f->cli, "000.00.11.H99", &f->other_unit, &err))
		fail_msg("units: %s", err.detail);
	make_account(f, TS_ACCT_CITIZEN, "congdan.an", "001203004567", 0, -1, &f->citizen);
	make_account(f, TS_ACCT_CITIZEN, "congdan.binh", "079085123456", 0, -1, &f->stranger);
	make_account(f, TS_ACCT_OFFICER, "motcua", NULL, f->unit, TS_ROLE_COUNTER, &f->counter);
	make_account(f, TS_ACCT_OFFICER, "chuyenvien", NULL, f->unit, TS_ROLE_SPECIALIST,
		     &f->specialist);
	make_account(f, TS_ACCT_OFFICER, "giamdoc", NULL, f->unit, TS_ROLE_LEADER, &f->leader);
	make_account(f, TS_ACCT_OFFICER, "chuyenvien2", NULL, f->unit, TS_ROLE_SPECIALIST,
		     &f->specialist2);
	make_account(f, TS_ACCT_OFFICER, "truongphong", NULL, f->unit, TS_ROLE_DIVISION_HEAD,
		     &f->head);
	ts_dossier_set_variant_lookup(fake_variant);
	ts_dossier_set_clock(fixed_now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_dossier_set_variant_lookup(NULL);
	ts_dossier_set_clock(NULL);
	ts_arena_release(&f->arena);
	test_store_remove(f->db, f->dir);
	free(f);
	return 0;
}

static const struct ts_dossier_doc good_docs[] = {{"TK01", NULL, 1, 0, false, false}};

static struct ts_dossier submit_ok(struct fixture *f, const struct ts_idem *idem)
{
	struct ts_error err = {0};
	struct ts_dossier d;
	json_t *form = json_pack("{s:s}", "purpose", "Xin việc");
	struct ts_dossier_new in = {.procedure_code = "TEST.000001",
				    .competent_unit_id = f->unit,
				    .delivery = TS_DELIVERY_ELECTRONIC,
				    .applicant_phone = "0912345678",
				    .applicant_id = "001203004567",
				    .form_data = form,
				    .docs = good_docs,
				    .ndocs = 1};
	if (ts_dossier_submit(&f->citizen.ctx, &in, idem, &d, &err))
		fail_msg("submit: %s (%s)", err.detail, err.field);
	json_decref(form);
	return d;
}

static struct ts_dossier act(struct who *w, const char *code, int64_t version,
			     struct ts_dossier_act a)
{
	struct ts_error err = {0};
	struct ts_dossier d;
	a.version = version;
	if (a.delivery == 0)
		a.delivery = -1;
	if (ts_dossier_perform(&w->ctx, code, &a, NULL, &d, &err))
		fail_msg("%s: %s (%s)", ts_dossier_action_name(a.action), err.detail, err.field);
	return d;
}

static void test_full_lifecycle_with_events_and_due_dates(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_dossier d, old;
	struct ts_dossier_event *ev = NULL;
	struct ts_dossier_doc *docs = NULL;
	int nev = 0, ndocs = 0;
	json_t *items = json_loads("[{\"document\":\"TK01\",\"reason\":\"Thiếu chữ ký\"},"
				   "{\"field\":\"purpose\",\"reason\":\"Ghi rõ nơi nộp\"}]",
				   0, NULL);

	g_clock = vn(2025, 8, 4, 9, 0); /* Monday */
	d = submit_ok(f, NULL);
	assert_string_equal(d.code, UNIT_CODE "-250804-0001");
	assert_int_equal(d.status, TS_DS_NEW);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.current_step, 1);
	assert_int_equal(d.due_at, 0);
	assert_string_equal(d.applicant_id_last4, "4567");

	/* a specialist may not accept, a counter officer may */
	{
		struct ts_dossier_act a = {.action = TS_DA_ACCEPT, .version = 1, .delivery = -1};
		assert_int_equal(ts_dossier_perform(&f->specialist.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_FORBIDDEN);
		ts_error_clear(&err);
	}
	g_clock = vn(2025, 8, 4, 9, 30);
	d = act(&f->counter, d.code, 1, (struct ts_dossier_act){.action = TS_DA_ACCEPT});
	assert_int_equal(d.status, TS_DS_PROCESSING);
	assert_int_equal(d.current_step, 2);
	assert_int_equal(d.accepted_at, vn(2025, 8, 4, 9, 30));
	assert_int_equal(d.due_at, vn(2025, 8, 11, 9, 30)); /* 5 working days */
	assert_int_equal(d.current_due_at, d.due_at);
	assert_int_equal(d.version, 2);

	/* stale version: 409 with the current state */
	{
		struct ts_dossier_act a = {.action = TS_DA_REQUEST_SUPPLEMENT, .version = 1,
					   .items = items};
		assert_int_equal(ts_dossier_perform(&f->specialist.ctx, d.code, &a, NULL, &old, &err),
				 TS_ERR_CONFLICT);
		assert_string_equal(err.field, "version");
		assert_int_equal(old.version, 2);
		assert_int_equal(old.status, TS_DS_PROCESSING);
		ts_error_clear(&err);
	}
	/* a supplement request without items is refused: one consolidated list is required */
	{
		struct ts_dossier_act a = {.action = TS_DA_REQUEST_SUPPLEMENT, .version = 2};
		assert_int_equal(ts_dossier_perform(&f->specialist.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_MISSING_FIELD);
		ts_error_clear(&err);
	}
	g_clock = vn(2025, 8, 5, 9, 30);
	d = act(&f->specialist, d.code, 2,
		(struct ts_dossier_act){.action = TS_DA_REQUEST_SUPPLEMENT, .items = items});
	assert_int_equal(d.status, TS_DS_SUPPLEMENT);
	assert_int_equal(d.supplement_count, 1);
	assert_int_equal(d.paused_since, vn(2025, 8, 5, 9, 30));

	/* only the applicant (or the counter) resubmits; another citizen does not even see it */
	{
		struct ts_dossier_act a = {.action = TS_DA_RESUBMIT, .version = 3};
		assert_int_equal(ts_dossier_perform(&f->stranger.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_NOT_FOUND);
		ts_error_clear(&err);
	}
	g_clock = vn(2025, 8, 6, 9, 30); /* one working day later */
	d = act(&f->citizen, d.code, 3, (struct ts_dossier_act){.action = TS_DA_RESUBMIT});
	assert_int_equal(d.status, TS_DS_PROCESSING);
	assert_int_equal(d.current_step, 2);
	assert_int_equal(d.paused_seconds, 8 * 3600);
	assert_int_equal(d.paused_since, 0);
	assert_int_equal(d.due_at, vn(2025, 8, 12, 9, 30));

	g_clock = vn(2025, 8, 6, 10, 0);
	d = act(&f->specialist, d.code, 4, (struct ts_dossier_act){.action = TS_DA_FORWARD});
	assert_int_equal(d.current_step, 3);
	/* the specialist no longer holds the dossier */
	{
		struct ts_dossier_act a = {.action = TS_DA_FINISH, .version = 5};
		assert_int_equal(ts_dossier_perform(&f->specialist.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_FORBIDDEN);
		ts_error_clear(&err);
	}
	g_clock = vn(2025, 8, 7, 10, 0);
	d = act(&f->leader, d.code, 5, (struct ts_dossier_act){.action = TS_DA_FINISH});
	assert_int_equal(d.status, TS_DS_DONE);
	assert_int_equal(d.current_step, 4);
	assert_int_equal(d.ended_at, vn(2025, 8, 7, 10, 0));
	assert_int_equal(d.on_time, 1);

	g_clock = vn(2025, 8, 7, 14, 0);
	d = act(&f->counter, d.code, 6, (struct ts_dossier_act){.action = TS_DA_DELIVER});
	assert_int_equal(d.status, TS_DS_DELIVERED);
	assert_int_equal(d.delivered_at, vn(2025, 8, 7, 14, 0));
	d = act(&f->citizen, d.code, 7,
		(struct ts_dossier_act){.action = TS_DA_RATE, .rating = 5, .comment = "Nhanh"});
	assert_int_equal(d.rating, 5);
	assert_int_equal(d.version, 8);

	assert_int_equal(ts_dossier_get(&f->counter.ctx, d.code, &d, &ev, &nev, &docs, &ndocs, &err),
			 0);
	{
		static const char *const want[] = {"submit",  "accept", "forward",
						   "request_supplement", "resubmit", "forward",
						   "finish",  "deliver", "rate"};
		assert_int_equal(nev, 9);
		for (int i = 0; i < nev; i++)
			assert_string_equal(ev[i].action, want[i]);
	}
	assert_int_equal(ev[1].from_status, 1);
	assert_int_equal(ev[1].to_status, 2);
	assert_int_equal(ev[2].from_status, 2);
	assert_int_equal(ev[2].to_status, 4);
	assert_int_equal(ev[2].to_step, 2);
	assert_non_null(ev[3].items);
	assert_non_null(strstr(ev[3].items, "Thiếu chữ ký"));
	/* control slip: the specialist handed over with a step due and a result */
	assert_int_equal(ev[5].step, 2);
	assert_int_equal(ev[5].to_step, 3);
	assert_true(ev[5].step_due_at > 0);
	assert_non_null(ev[5].result);
	assert_string_equal(ev[6].actor_label, "giamdoc");
	assert_int_equal(ndocs, 1);
	assert_string_equal(docs[0].code, "TK01");
	assert_string_equal(docs[0].name, "Tờ khai yêu cầu cấp phiếu");
	/* a finished dossier takes no more actions */
	{
		struct ts_dossier_act a = {.action = TS_DA_RATE, .version = 8, .rating = 4};
		assert_int_equal(ts_dossier_perform(&f->citizen.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_CONFLICT);
		ts_error_clear(&err);
	}
	json_decref(items);
}

static void test_refusal_and_required_documents(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_dossier d;
	struct ts_dossier_new in = {.procedure_code = "TEST.000001", .competent_unit_id = f->unit,
				    .delivery = TS_DELIVERY_COUNTER};

	g_clock = vn(2025, 8, 14, 8, 0);
	assert_int_equal(ts_dossier_submit(&f->citizen.ctx, &in, NULL, &d, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "documents");
	assert_non_null(strstr(err.detail, "Tờ khai yêu cầu cấp phiếu"));
	ts_error_clear(&err);
	in.docs = good_docs;
	in.ndocs = 1;
	assert_int_equal(ts_dossier_submit(&f->citizen.ctx, &in, NULL, &d, &err),
			 TS_ERR_MISSING_FIELD);
	assert_string_equal(err.field, "form_data/purpose");
	ts_error_clear(&err);
	/* officers do not submit online */
	in.procedure_code = "TEST.000001";
	assert_int_equal(ts_dossier_submit(&f->counter.ctx, &in, NULL, &d, &err), TS_ERR_FORBIDDEN);
	ts_error_clear(&err);

	d = submit_ok(f, NULL);
	{
		struct ts_dossier_act a = {.action = TS_DA_REFUSE, .version = 1};
		assert_int_equal(ts_dossier_perform(&f->counter.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_MISSING_FIELD);
		assert_string_equal(err.field, "reason");
		ts_error_clear(&err);
	}
	d = act(&f->counter, d.code, 1,
		(struct ts_dossier_act){.action = TS_DA_REFUSE,
				       .reason = "Thủ tục không thuộc thẩm quyền"});
	assert_int_equal(d.status, TS_DS_REFUSED);
	assert_true(d.ended_at > 0);
	{
		struct ts_dossier_act a = {.action = TS_DA_ACCEPT, .version = 2};
		assert_int_equal(ts_dossier_perform(&f->counter.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_CONFLICT);
		assert_non_null(strstr(err.detail, "Không được tiếp nhận"));
	}
}

static void test_counter_intake_accepts_at_once_and_apology_once(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_dossier d;
	json_t *form = json_pack("{s:s}", "purpose", "Du học");
	struct ts_dossier_new in = {.procedure_code = "TEST.000001", .competent_unit_id = f->unit,
				    .delivery = TS_DELIVERY_POST, .applicant_name = "Trần Thị Bình",
				    .applicant_phone = "0987654321", .form_data = form,
				    .docs = good_docs, .ndocs = 1, .accept_now = true};

	g_clock = vn(2025, 8, 15, 15, 30); /* Friday */
	assert_int_equal(ts_dossier_intake(&f->citizen.ctx, &in, NULL, &d, &err), TS_ERR_FORBIDDEN);
	ts_error_clear(&err);
	if (ts_dossier_intake(&f->counter.ctx, &in, NULL, &d, &err))
		fail_msg("intake: %s", err.detail);
	assert_int_equal(d.status, TS_DS_PROCESSING);
	assert_int_equal(d.channel, TS_CHANNEL_IN_PERSON);
	assert_int_equal(d.receiving_unit_id, f->unit);
	assert_int_equal(d.due_at, vn(2025, 8, 22, 15, 30));
	assert_int_equal(d.version, 2);
	/* apology: a new date after the current one, before the deadline, once */
	{
		struct ts_dossier_act a = {.action = TS_DA_APOLOGIZE, .version = 2, .reason = "Cần xác minh",
					   .new_due = d.due_at - 3600};
		assert_int_equal(ts_dossier_perform(&f->specialist.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_VALIDATION);
		ts_error_clear(&err);
	}
	d = act(&f->specialist, d.code, 2,
		(struct ts_dossier_act){.action = TS_DA_APOLOGIZE, .reason = "Cần xác minh",
					.new_due = vn(2025, 8, 29, 16, 0)});
	assert_int_equal(d.apology_count, 1);
	assert_int_equal(d.original_due_at, vn(2025, 8, 22, 15, 30));
	assert_int_equal(d.current_due_at, vn(2025, 8, 29, 16, 0));
	{
		struct ts_dossier_act a = {.action = TS_DA_APOLOGIZE, .version = 3, .reason = "Lần hai",
					   .new_due = vn(2025, 9, 5, 16, 0)};
		assert_int_equal(ts_dossier_perform(&f->specialist.ctx, d.code, &a, NULL, NULL, &err),
				 TS_ERR_CONFLICT);
	}
	json_decref(form);
}

static void test_public_lookup_hides_personal_data(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_dossier d, p;
	struct ts_dossier_event *ev = NULL;
	const char *units[3] = {0};
	struct ts_ctx anon = {.db = f->db, .arena = &f->arena, .client_addr = "x", .request_id = "x"};
	int nev = 0;

	g_clock = vn(2025, 8, 18, 8, 0);
	d = submit_ok(f, NULL);
	d = act(&f->counter, d.code, 1, (struct ts_dossier_act){.action = TS_DA_ACCEPT});
	assert_int_equal(ts_dossier_public(&anon, d.code, "0900000000", NULL, &p, units, &ev, &nev,
					   &err),
			 TS_ERR_NOT_FOUND);
	ts_error_clear(&err);
	assert_int_equal(ts_dossier_public(&anon, d.code, NULL, NULL, &p, units, &ev, &nev, &err),
			 TS_ERR_MISSING_FIELD);
	ts_error_clear(&err);
	assert_int_equal(ts_dossier_public(&anon, d.code, NULL, "4567", &p, units, &ev, &nev, &err), 0);
	ts_error_clear(&err);
	assert_int_equal(ts_dossier_public(&anon, d.code, "0912345678", NULL, &p, units, &ev, &nev,
					   &err),
			 0);
	assert_int_equal(p.status, TS_DS_PROCESSING);
	assert_int_equal(p.due_at, d.due_at);
	assert_null(p.applicant_name);
	assert_null(p.applicant_phone);
	assert_null(p.applicant_id_last4);
	assert_null(p.form_data);
	assert_int_equal(p.applicant_account_id, 0);
	assert_string_equal(units[2], "Sở Tư pháp");
	assert_int_equal(nev, 3);
	for (int i = 0; i < nev; i++) {
		assert_null(ev[i].actor_label);
		assert_int_equal(ev[i].actor_account_id, 0);
	}
	/* officers of another unit do not see it */
	{
		struct who w;
		make_account(f, TS_ACCT_OFFICER, "khac", NULL, f->other_unit, TS_ROLE_SPECIALIST, &w);
		assert_int_equal(ts_dossier_get(&w.ctx, d.code, &p, NULL, NULL, NULL, NULL, &err),
				 TS_ERR_NOT_FOUND);
	}
}

static void test_idempotent_retry_returns_the_same_dossier(void **state)
{
	struct fixture *f = *state;
	struct ts_idem k = {"key-1", "hash-a", "POST /api/v1/dossiers"};
	struct ts_idem other = {"key-1", "hash-b", "POST /api/v1/dossiers"};
	struct ts_dossier a, b, c;
	struct ts_error err = {0};
	json_t *form = json_pack("{s:s}", "purpose", "x");
	struct ts_dossier_new in = {.procedure_code = "TEST.000001", .competent_unit_id = f->unit,
				    .form_data = form, .docs = good_docs, .ndocs = 1};

	g_clock = vn(2025, 9, 3, 8, 0);
	a = submit_ok(f, &k);
	b = submit_ok(f, &k);
	assert_string_equal(a.code, b.code);
	assert_int_equal(a.id, b.id);
	assert_int_equal(ts_dossier_submit(&f->citizen.ctx, &in, &other, &c, &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	c = submit_ok(f, NULL);
	assert_string_equal(a.code, UNIT_CODE "-250903-0001");
	assert_string_equal(c.code, UNIT_CODE "-250903-0002");
	/* a retried action does not act twice */
	{
		struct ts_idem ka = {"act-1", "h", "POST accept"};
		struct ts_dossier_act x = {.action = TS_DA_ACCEPT, .version = 1, .delivery = -1};
		assert_int_equal(ts_dossier_perform(&f->counter.ctx, c.code, &x, &ka, &a, &err), 0);
		assert_int_equal(ts_dossier_perform(&f->counter.ctx, c.code, &x, &ka, &b, &err), 0);
		assert_int_equal(a.version, 2);
		assert_int_equal(b.version, 2);
	}
	json_decref(form);
}

struct peek {
	struct fixture *f;
	const char *name;
	const struct ts_dbval *p;
	int np;
	struct ts_dbres *r;
};

static int peek_tx(struct ts_dbconn *c, void *arg, struct ts_error *err)
{
	struct peek *k = arg;
	return ts_db_query(c, &k->f->arena, k->name, k->p, k->np, &k->r, err);
}

static struct ts_dbres *peek(struct fixture *f, const char *name, const struct ts_dbval *p, int np)
{
	struct ts_error err = {0};
	struct peek k = {f, name, p, np, NULL};
	if (ts_db_tx(f->db, TS_DB_TX_READ, peek_tx, &k, &err))
		fail_msg("%s: %s", name, err.detail);
	return k.r;
}

/* Rows of idempotency_key for the citizen's key (0 or 1). */
static int64_t idem_rows(struct fixture *f, const char *key)
{
	char actor[32];
	snprintf(actor, sizeof(actor), "a:%lld", (long long)f->citizen.ctx.actor.account_id);
	struct ts_dbval p[] = {TS_DB_TEXT(actor), TS_DB_TEXT(key)};
	return peek(f, "idem_get", p, 2)->nrows;
}

/* Audit rows "idempotency.purge" so far; *last_summary the newest one's summary. */
static int audit_purges(struct fixture *f, const char **last_summary)
{
	struct ts_dbval p[] = {TS_DB_INT(0), TS_DB_INT(1000000)};
	struct ts_dbres *r = peek(f, "iam_audit_page", p, 2);
	int n = 0;

	for (int i = 0; i < r->nrows; i++)
		if (!strcmp(ts_dbres_get(r, i, 4), "idempotency.purge")) {
			n++;
			if (last_summary)
				*last_summary = ts_dbres_get(r, i, 8);
		}
	return n;
}

static void test_idempotency_keys_purged_after_the_retention(void **state)
{
	struct fixture *f = *state;
	struct ts_idem old1 = {"purge-old-1", "h", "POST /api/v1/dossiers"};
	struct ts_idem old2 = {"purge-old-2", "h", "POST /api/v1/dossiers"};
	struct ts_idem young = {"purge-new-1", "h", "POST /api/v1/dossiers"};
	struct ts_error err = {0};
	struct ts_dossier a, b, c, again;
	const char *summary = NULL;
	int64_t n = -1, t0 = vn(2027, 3, 2, 8, 0);
	int audits;

	/* what earlier tests left (all before t0 - 1 h) goes first */
	g_clock = t0;
	assert_int_equal(ts_dossier_idem_purge(f->db, 1, 1000, &n, &err), 0);
	audits = audit_purges(f, NULL);
	a = submit_ok(f, &old1);
	b = submit_ok(f, &old2);
	g_clock = t0 + 23 * 3600;
	c = submit_ok(f, &young);
	assert_int_equal(idem_rows(f, "purge-old-1"), 1);

	/* 25 h after the first two: they are past a 24 h retention, the third is not. Batches
	 * of one key: two audited transactions of one key each, then an empty one. */
	g_clock = t0 + 25 * 3600;
	assert_int_equal(ts_dossier_idem_purge(f->db, 24, 1, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(idem_rows(f, "purge-old-1"), 0);
	assert_int_equal(idem_rows(f, "purge-old-2"), 0);
	assert_int_equal(idem_rows(f, "purge-new-1"), 1);
	assert_int_equal(audit_purges(f, &summary), audits + 2);
	assert_non_null(summary);
	assert_int_equal(strncmp(summary, "1 ", 2), 0);

	/* nothing left to forget: no audit row */
	assert_int_equal(ts_dossier_idem_purge(f->db, 24, 1000, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(audit_purges(f, NULL), audits + 2);

	/* a retry within the retention still replays; a forgotten key makes a new dossier */
	again = submit_ok(f, &young);
	assert_string_equal(again.code, c.code);
	assert_int_equal(again.id, c.id);
	again = submit_ok(f, &old1);
	assert_true(again.id != a.id && again.id != b.id && again.id != c.id);

	assert_int_equal(ts_dossier_idem_purge(f->db, 0, 1000, &n, &err), TS_ERR_CONFIG);
	ts_error_clear(&err);
}

struct worker {
	struct fixture *f;
	int64_t unit;
	char codes[100][TS_DOSSIER_CODE_MAX];
	int failed;
};

static void *work(void *vw)
{
	struct worker *w = vw;
	struct ts_arena a;
	struct ts_ctx ctx = w->f->citizen.ctx;
	json_t *form = json_pack("{s:s}", "purpose", "x");
	struct ts_dossier_new in = {.procedure_code = "TEST.000001", .competent_unit_id = w->unit,
				    .form_data = form, .docs = good_docs, .ndocs = 1};

	for (int i = 0; i < 100; i++) {
		struct ts_error err = {0};
		struct ts_dossier d;
		ts_arena_init(&a, 0);
		ctx.arena = &a;
		if (ts_dossier_submit(&ctx, &in, NULL, &d, &err)) {
			fprintf(stderr, "submit: %s\n", err.detail);
			w->failed++;
		} else {
			snprintf(w->codes[i], sizeof(w->codes[i]), "%s", d.code);
		}
		ts_arena_release(&a);
	}
	json_decref(form);
	return NULL;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(x, y);
}

static void test_codes_unique_under_8_threads(void **state)
{
	struct fixture *f = *state;
	struct worker *w = calloc(8, sizeof(*w));
	pthread_t th[8];
	char(*all)[TS_DOSSIER_CODE_MAX] = calloc(800, TS_DOSSIER_CODE_MAX);
	int64_t unit;
	struct ts_error err = {0};

	assert_int_equal(ts_org_unit_by_code(&f->cli, "000.00.13.H99", &unit, &err), 0);
	g_clock = vn(2025, 9, 10, 8, 0);
	for (int i = 0; i < 8; i++) {
		w[i].f = f;
		w[i].unit = unit;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failed, 0);
		memcpy(all[i * 100], w[i].codes, sizeof(w[i].codes));
	}
	qsort(all, 800, TS_DOSSIER_CODE_MAX, cmp_str);
	assert_string_equal(all[0], "000.00.13.H99-250910-0001");
	assert_string_equal(all[799], "000.00.13.H99-250910-0800");
	for (int i = 1; i < 800; i++)
		assert_true(strcmp(all[i - 1], all[i]) < 0);
	free(all);
	free(w);
}

static void test_queue_sorted_by_due_with_cursor(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_dossier *items = NULL;
	struct ts_dossier_filter flt = {.status = TS_DS_PROCESSING, .limit = 2};
	const char *next = NULL;
	int n = 0, total = 0;
	int64_t last_due = 0;

	do {
		assert_int_equal(ts_dossier_list(&f->specialist.ctx, &flt, &items, &n, &next, &err), 0);
		for (int i = 0; i < n; i++) {
			assert_int_equal(items[i].status, TS_DS_PROCESSING);
			assert_true(items[i].current_due_at >= last_due);
			last_due = items[i].current_due_at;
		}
		total += n;
		flt.after = next;
	} while (next);
	assert_true(total >= 2);
	/* citizens see their own only */
	flt = (struct ts_dossier_filter){0};
	assert_int_equal(ts_dossier_list(&f->stranger.ctx, &flt, &items, &n, &next, &err), 0);
	assert_int_equal(n, 0);
	flt.after = "garbage";
	assert_int_equal(ts_dossier_list(&f->citizen.ctx, &flt, &items, &n, &next, &err),
			 TS_ERR_VALIDATION);
}

static int perform_rc(struct who *w, const char *code, int64_t version, struct ts_dossier_act a,
		      const char *field)
{
	struct ts_error err = {0};
	int rc;
	a.version = version;
	if (a.delivery == 0)
		a.delivery = -1;
	rc = ts_dossier_perform(&w->ctx, code, &a, NULL, NULL, &err);
	if (rc && field)
		assert_string_equal(err.field, field);
	return rc;
}

/* A named assignee holds the step; the receiver must hold the step's role; a pause is
 * excluded to the second; an apology needs one working day's notice (DOMAIN.md §4). */
static void test_assignee_pause_and_apology_notice(void **state)
{
	struct fixture *f = *state;
	struct ts_dossier d;
	int64_t sp1 = f->specialist.ctx.actor.account_id, sp2 = f->specialist2.ctx.actor.account_id;
	int64_t due;

	g_clock = vn(2025, 9, 8, 8, 0); /* Monday */
	d = submit_ok(f, NULL);
	/* the receiver of step 2 must be a specialist of the unit, not the citizen */
	assert_int_equal(perform_rc(&f->counter, d.code, 1,
				    (struct ts_dossier_act){.action = TS_DA_ACCEPT,
							    .assignee_account_id =
								f->citizen.ctx.actor.account_id},
				    "assignee_account_id"),
			 TS_ERR_VALIDATION);
	d = act(&f->counter, d.code, 1,
		(struct ts_dossier_act){.action = TS_DA_ACCEPT, .assignee_account_id = sp1});
	assert_int_equal(d.assignee_account_id, sp1);
	/* another specialist may not act on a dossier held by a named colleague */
	assert_int_equal(perform_rc(&f->specialist2, d.code, 2,
				    (struct ts_dossier_act){.action = TS_DA_FORWARD}, "action"),
			 TS_ERR_FORBIDDEN);
	assert_int_equal(perform_rc(&f->specialist2, d.code, 2,
				    (struct ts_dossier_act){.action = TS_DA_ASSIGN,
							    .assignee_account_id = sp2},
				    "action"),
			 TS_ERR_FORBIDDEN);
	/* the division head reassigns it */
	d = act(&f->head, d.code, 2,
		(struct ts_dossier_act){.action = TS_DA_ASSIGN, .assignee_account_id = sp2});
	assert_int_equal(d.assignee_account_id, sp2);
	assert_int_equal(perform_rc(&f->specialist, d.code, 3,
				    (struct ts_dossier_act){.action = TS_DA_REQUEST_PAYMENT}, "action"),
			 TS_ERR_FORBIDDEN);

	/* a 20-minute payment wait moves every due time by exactly 20 working minutes */
	due = d.due_at;
	g_clock = vn(2025, 9, 8, 9, 0);
	d = act(&f->specialist2, d.code, 3, (struct ts_dossier_act){.action = TS_DA_REQUEST_PAYMENT});
	assert_int_equal(d.status, TS_DS_PAYMENT);
	g_clock = vn(2025, 9, 8, 9, 20);
	d = act(&f->citizen, d.code, 4, (struct ts_dossier_act){.action = TS_DA_PAYMENT_DONE});
	assert_int_equal(d.status, TS_DS_PROCESSING);
	assert_int_equal(d.paused_seconds, 20 * 60);
	assert_int_equal(d.due_at, due + 20 * 60);
	assert_int_equal(d.current_due_at, due + 20 * 60);

	/* apology: refused with less than one working day (8 h) before the appointment */
	assert_int_equal(d.current_due_at, vn(2025, 9, 15, 8, 20)); /* 5 working days + 20 min */
	g_clock = vn(2025, 9, 12, 13, 0); /* Friday lunch: 3 h 30 + 1 h 20 of office time left */
	assert_int_equal(perform_rc(&f->specialist2, d.code, 5,
				    (struct ts_dossier_act){.action = TS_DA_APOLOGIZE,
							    .reason = "Cần xác minh thêm",
							    .new_due = d.current_due_at + 86400 * 7},
				    "action"),
			 TS_ERR_CONFLICT);
	/* the rule is configurable: with 4 hours' notice it is accepted */
	{
		struct ts_dossier_rules r;
		ts_dossier_get_rules(&r);
		r.apology_notice_hours = 4;
		ts_dossier_set_rules(&r);
		d = act(&f->specialist2, d.code, 5,
			(struct ts_dossier_act){.action = TS_DA_APOLOGIZE, .reason = "Cần xác minh thêm",
						.new_due = d.current_due_at + 86400 * 7});
		ts_dossier_set_rules(NULL);
	}
	assert_int_equal(d.apology_count, 1);
	assert_int_equal(d.original_due_at, due + 20 * 60);
}

/* Codes other systems give a dossier are kept as aliases: it is found by them, and an alias
 * names one dossier only. */
static void test_aliases_find_the_dossier(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = {0};
	struct ts_dossier a, b, got;

	g_clock = vn(2025, 10, 6, 9, 0);
	a = submit_ok(f, NULL);
	b = submit_ok(f, NULL);
	if (ts_dossier_alias_add(&f->cli, a.code, "dvcqg", "G22.99-251006-0001", &err))
		fail_msg("alias: %s", err.detail);
	assert_int_equal(ts_dossier_get(&f->citizen.ctx, "G22.99-251006-0001", &got, NULL, NULL, NULL,
					NULL, &err),
			 0);
	assert_string_equal(got.code, a.code);
	assert_int_not_equal(ts_dossier_alias_add(&f->cli, b.code, "dvcqg", "G22.99-251006-0001", &err), 0);
	ts_error_clear(&err);
	assert_int_equal(ts_dossier_alias_add(&f->cli, a.code, "dvcqg", "", &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	/* another citizen does not find it by the alias either */
	assert_int_equal(ts_dossier_get(&f->stranger.ctx, "G22.99-251006-0001", &got, NULL, NULL, NULL,
					NULL, &err),
			 TS_ERR_NOT_FOUND);
}

static void test_code_format_and_step_result(void **state)
{
	(void)state;
	char buf[TS_DOSSIER_CODE_MAX];
	ts_dossier_code_format(buf, sizeof(buf), "000.00.12.H62", vn(2020, 11, 5, 23, 59), 4);
	assert_string_equal(buf, "000.00.12.H62-201105-0004");
	/* 00:30 local on 6 Nov is still 5 Nov in UTC: the local date counts */
	ts_dossier_code_format(buf, sizeof(buf), "X", vn(2020, 11, 6, 0, 30), 12345);
	assert_string_equal(buf, "X-201106-12345");
	assert_string_equal(ts_dossier_step_result(vn(2025, 8, 4, 9, 0), vn(2025, 8, 5, 9, 0)), "early");
	assert_string_equal(ts_dossier_step_result(vn(2025, 8, 5, 8, 0), vn(2025, 8, 5, 9, 0)), "on_time");
	assert_string_equal(ts_dossier_step_result(vn(2025, 8, 5, 9, 1), vn(2025, 8, 5, 9, 0)), "late");
	assert_null(ts_dossier_step_result(1, 0));
}

/* The inputs each action lists (GET /dossiers/{code} allowed_actions[].fields, the only
 * copy the UI has) are members of the request spec, and an action listed with a required
 * input is refused, naming that input, when it comes without it. */
static bool in_spec(const char *name)
{
	for (size_t i = 0; i < ts_dossier_spec_action.nfields; i++)
		if (strcmp(ts_dossier_spec_action.fields[i].name, name) == 0)
			return true;
	return false;
}

static void check_required_inputs(struct who *w, const char *code)
{
	struct ts_error err = {0};
	struct ts_dossier d;

	if (ts_dossier_get(&w->ctx, code, &d, NULL, NULL, NULL, NULL, &err))
		fail_msg("get: %s", err.detail);
	for (int a = 0; a < TS_DA__COUNT; a++) {
		const struct ts_dossier_input *in = ts_dossier_action_inputs(a);
		const char *required = NULL;
		for (; in->name; in++)
			if (in->required && !required)
				required = in->name;
		if (!(d.allowed_actions & (1u << a)) || !required)
			continue;
		struct ts_dossier_act act = {.action = a, .version = d.version, .delivery = -1};
		ts_error_clear(&err);
		assert_int_not_equal(ts_dossier_perform(&w->ctx, code, &act, NULL, NULL, &err), 0);
		/* the first required input the engine checks is one the list calls required */
		bool listed = false;
		for (in = ts_dossier_action_inputs(a); in->name; in++)
			listed |= in->required && strcmp(in->name, err.field) == 0;
		if (!listed)
			fail_msg("%s refused on \"%s\", not a required input of its list",
				 ts_dossier_action_name(a), err.field);
	}
}

static void test_action_inputs_match_the_engine(void **state)
{
	struct fixture *f = *state;
	struct ts_dossier d;

	for (int a = 0; a < TS_DA__COUNT; a++)
		for (const struct ts_dossier_input *in = ts_dossier_action_inputs(a); in->name; in++)
			if (!in_spec(in->name))
				fail_msg("%s lists \"%s\", not in DossierAction", ts_dossier_action_name(a),
					 in->name);
	g_clock = vn(2025, 9, 8, 8, 0); /* Monday */
	d = submit_ok(f, NULL);
	check_required_inputs(&f->counter, d.code); /* refuse, request_supplement */
	d = act(&f->counter, d.code, 1, (struct ts_dossier_act){.action = TS_DA_ACCEPT});
	check_required_inputs(&f->specialist, d.code); /* stop, apologize, request_supplement */
	check_required_inputs(&f->head, d.code);       /* assign */
	d = act(&f->specialist, d.code, d.version, (struct ts_dossier_act){.action = TS_DA_FORWARD});
	check_required_inputs(&f->leader, d.code); /* return_to_step, stop, apologize */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_format_and_step_result),
	    cmocka_unit_test(test_full_lifecycle_with_events_and_due_dates),
	    cmocka_unit_test(test_refusal_and_required_documents),
	    cmocka_unit_test(test_counter_intake_accepts_at_once_and_apology_once),
	    cmocka_unit_test(test_assignee_pause_and_apology_notice),
	    cmocka_unit_test(test_aliases_find_the_dossier),
	    cmocka_unit_test(test_public_lookup_hides_personal_data),
	    cmocka_unit_test(test_idempotent_retry_returns_the_same_dossier),
	    cmocka_unit_test(test_idempotency_keys_purged_after_the_retention),
	    cmocka_unit_test(test_codes_unique_under_8_threads),
	    cmocka_unit_test(test_queue_sorted_by_due_with_cursor),
	    cmocka_unit_test(test_action_inputs_match_the_engine),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
