/* demo_dossiers.c - `tinhso demo --dossiers N`: a history of N dossiers over the last 18
 * months, played through the real dossier engine (every change is a normal transition with
 * its event, outbox row, audit row and counters) by the demo officers and citizens, on a
 * simulated clock (ts_dossier_set_clock) that walks the working calendar. Scenarios follow
 * what one-stop shops see: counter intake and online submission, refusals, one or two
 * supplement requests, financial obligations, stops, withdrawals, returns to an earlier
 * step, slow dossiers that end late (some with an apology first), delivery by counter, post
 * or e-mail, and ratings. Dossiers whose story reaches "now" stay in the status they have
 * then, so the queues hold work in every status. Deterministic for a given N and day. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "dossier/dossier.h"
#include "iam/iam.h"
#include "org/org.h"

#define DAY_S 86400
#define HISTORY_DAYS 540 /* 18 months */
#define MAX_PROCS 64

/* The simulated clock read by the dossier engine while the demo plays. */
static int64_t g_sim_now;
static int64_t sim_clock(void)
{
	return g_sim_now;
}

struct proc {
	const char *code;
	int64_t competent; /* unit deciding it */
	int64_t legal_hours;
	struct ts_dossier_doc docs[16];
	int ndocs;
	json_t *form; /* required fields filled */
	bool online, post; /* a published time for these channels too */
};

struct actor {
	const char *username;
	struct ts_ctx ctx;
};

struct sim {
	struct ts_db *db;
	struct ts_arena *a;    /* for the whole load: actors, procedures */
	struct ts_arena work;  /* for one dossier's story */
	struct ts_calendar cal;
	int64_t real_now, t;
	uint64_t rng;
	struct actor counter, specialist, leader, citizen, xa_specialist, xa_leader;
	int64_t xa1, phong_hctp;
	struct proc procs[MAX_PROCS];
	int nprocs;
	int stats[TS_DS__MAX + 1];
	int created, late, apologies, supplements, returned;
	const struct plan *plan; /* of the story playing */
};

static uint32_t rnd(struct sim *s)
{
	/* xorshift64*: a reproducible demo, not cryptography */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)((s->rng * 0x2545F4914F6CDD1DULL) >> 32);
}

static bool chance(struct sim *s, int percent)
{
	return (int)(rnd(s) % 100) < percent;
}

static int64_t between(struct sim *s, int64_t lo, int64_t hi)
{
	return hi <= lo ? lo : lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

/* A pinned story: what it must do and the status it must stop in (so that every status is
 * present whatever the random draw). */
enum { F_ONLINE = 1, F_HOLD = 2, F_REFUSE = 4, F_WITHDRAW = 8, F_SUPPLEMENT = 16,
       F_PAYMENT = 32, F_STOP = 64 };
struct plan {
	unsigned force; /* F_* */
	int stop_at;    /* status to stay in (0 = play to the end) */
};

static bool decide(struct sim *s, int percent, const struct plan *pl, unsigned flag)
{
	if (pl->force || pl->stop_at)
		return (pl->force & flag) != 0;
	return chance(s, percent);
}

/* Moves the simulated time on by working minutes. */
static void work(struct sim *s, int64_t minutes)
{
	int64_t t = ts_cal_add_working_seconds(&s->cal, s->t, minutes * 60);
	s->t = t > 0 ? t : s->real_now + DAY_S;
}

static int act_init(struct sim *s, struct actor *w, const char *username, struct ts_error *err)
{
	w->username = username;
	ts_ctx_init_cli(&w->ctx, s->db, s->a);
	w->ctx.client_addr = "demo";
	return ts_iam_act_as(&w->ctx, username, err);
}

/* ---- procedures the demo officers can run ------------------------------------------ */

struct probe_job {
	struct sim *s;
	const char *code;
	int64_t unit;
	struct proc *out;
};

static int probe_tx(struct ts_dbconn *c, void *vjob, struct ts_error *err)
{
	struct probe_job *j = vjob;
	struct ts_proc_variant_info v;
	int rc = ts_catalog_variant_for(c, j->s->a, j->code, NULL, TS_CHANNEL_IN_PERSON, j->unit,
					j->s->real_now, &v, err);
	if (rc)
		return rc;
	if (v.no_due_date || v.time_amount <= 0 || v.ndocs > 16)
		return ts_error_set(err, TS_ERR_VALIDATION, NULL, "not for the demo");
	j->out->code = v.code;
	j->out->competent = j->unit;
	j->out->legal_hours = ts_cal_legal_hours(v.time_amount, v.time_unit);
	j->out->ndocs = 0;
	for (int i = 0; i < v.ndocs; i++)
		if (v.docs[i].required)
			j->out->docs[j->out->ndocs++] = (struct ts_dossier_doc){
			    .code = v.docs[i].code, .originals = 1, .copies = v.docs[i].copies};
	for (int ch = TS_CHANNEL_ONLINE; ch <= TS_CHANNEL_POST; ch++) {
		struct ts_proc_variant_info o;
		struct ts_error e = {0};
		bool ok = ts_catalog_variant_for(c, j->s->a, j->code, NULL, ch, j->unit,
						 j->s->real_now, &o, &e) == 0;
		if (ch == TS_CHANNEL_ONLINE)
			j->out->online = ok;
		else
			j->out->post = ok;
	}
	j->out->form = ts_json_own(j->s->a, json_object());
	size_t k;
	json_t *f;
	json_array_foreach(v.form_fields, k, f)
	{
		if (json_is_true(json_object_get(f, "required")))
			json_object_set_new(j->out->form, json_string_value(json_object_get(f, "name")),
					    json_string("Thông tin mẫu"));
	}
	return 0;
}

/* Real procedures from the national sample first (the commune's at the commune, the others at
 * the provincial Department of Justice's division), then a few generated ones. */
static int pick_procedures(struct sim *s, const json_t *sample, struct ts_error *err)
{
	size_t i;
	json_t *rec;
	char code[32];

	json_array_foreach(sample, i, rec)
	{
		if (s->nprocs >= MAX_PROCS - 8)
			break;
		const char *c = json_string_value(json_object_get(rec, "code"));
		int64_t units[2] = {s->phong_hctp, s->xa1};
		for (int u = 0; c && u < 2; u++) {
			struct probe_job j = {s, c, units[u], &s->procs[s->nprocs]};
			struct ts_error e = {0};
			if (ts_db_tx(s->db, TS_DB_TX_READ, probe_tx, &j, &e) == 0) {
				s->procs[s->nprocs].code = ts_arena_strdup(s->a, c);
				s->nprocs++;
				break;
			}
		}
	}
	for (int n = 1; n <= 40 && s->nprocs < MAX_PROCS; n++) {
		snprintf(code, sizeof(code), "DEMO.%06d", n);
		struct probe_job j = {s, code, s->phong_hctp, &s->procs[s->nprocs]};
		struct ts_error e = {0};
		if (ts_db_tx(s->db, TS_DB_TX_READ, probe_tx, &j, &e) == 0) {
			s->procs[s->nprocs].code = ts_arena_strdup(s->a, code);
			s->nprocs++;
		}
	}
	if (s->nprocs == 0)
		return ts_error_set(err, TS_ERR_INTERNAL, NULL,
				    "demo: no procedure is offered at the demo units");
	return 0;
}

/* ---- one dossier's story ------------------------------------------------------------- */

enum { STOPPED_AT_NOW = 1 };

/* Performs an action at the simulated time; STOPPED_AT_NOW when the story reached today or
 * the status its plan stops in. */
static int step(struct sim *s, struct actor *w, struct ts_dossier *d, struct ts_dossier_act a,
		struct ts_error *err)
{
	if (s->t >= s->real_now || (s->plan && d->status == s->plan->stop_at))
		return STOPPED_AT_NOW;
	g_sim_now = s->t;
	a.version = d->version;
	if (a.delivery == 0)
		a.delivery = -1;
	return ts_dossier_perform(&w->ctx, d->code, &a, NULL, d, err);
}

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
				     "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"};
static const char *const middle[] = {"Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc"};
static const char *const given[] = {"An", "Bình", "Cường", "Dung", "Giang", "Hạnh", "Khánh",
				    "Lan", "Minh", "Nam", "Oanh", "Phúc", "Quân", "Sơn", "Thảo",
				    "Uyên", "Vinh", "Xuân", "Yến"};
#define PICK(arr) arr[rnd(s) % (sizeof(arr) / sizeof(arr[0]))]

static json_t *items(const char *doc, const char *reason)
{
	return json_pack("[{s:s, s:s}]", "document", doc, "reason", reason);
}

static int story(struct sim *s, const struct plan *pl, struct ts_error *err)
{
	struct proc *p = &s->procs[rnd(s) % (unsigned)s->nprocs];
	bool pinned = pl->force || pl->stop_at;
	while (pinned && (p->legal_hours > 80 || !p->online))
		p = &s->procs[rnd(s) % (unsigned)s->nprocs];
	bool at_commune = p->competent == s->xa1;
	struct actor *spec = at_commune ? &s->xa_specialist : &s->specialist;
	struct actor *lead = at_commune ? &s->xa_leader : &s->leader;
	bool online = p->online && decide(s, 45, pl, F_ONLINE), slow = !pinned && chance(s, 12);
	struct ts_dossier d;
	char name[96], phone[16];
	const char *doc0 = p->ndocs > 0 ? p->docs[0].code : "TP";
	json_t *it;
	int rc;

	snprintf(name, sizeof(name), "%s %s %s", PICK(family), PICK(middle), PICK(given));
	snprintf(phone, sizeof(phone), "09%08u", rnd(s) % 100000000u);
	/* a working moment in the last 18 months */
	/* most in the past; one in ten in the last three weeks, so today's queues are full */
	s->t = ts_cal_snap(&s->cal, s->real_now - (pinned	       ? 40 * (int64_t)DAY_S
						   : chance(s, 10) ? between(s, 3600, 21 * (int64_t)DAY_S)
								   : between(s, DAY_S, HISTORY_DAYS * (int64_t)DAY_S)));
	work(s, between(s, 0, 7 * 60));
	if (s->t >= s->real_now)
		return 0;
	g_sim_now = s->t;
	struct ts_dossier_new in = {.procedure_code = p->code,
				    .competent_unit_id = p->competent,
				    .receiving_unit_id = s->xa1,
				    .delivery = (int)(rnd(s) % 3),
				    .applicant_name = online ? NULL : name,
				    .applicant_phone = online ? NULL : phone,
				    .form_data = p->form,
				    .docs = p->docs,
				    .ndocs = p->ndocs};
	if (online) {
		in.channel = TS_CHANNEL_ONLINE;
		rc = ts_dossier_submit(&s->citizen.ctx, &in, NULL, &d, err);
	} else {
		in.channel = p->post && chance(s, 5) ? TS_CHANNEL_POST : TS_CHANNEL_IN_PERSON;
		in.accept_now = true;
		rc = ts_dossier_intake(&s->counter.ctx, &in, NULL, &d, err);
	}
	if (rc)
		return rc;
	s->created++;
	if (online) {
		work(s, between(s, 30, 8 * 60));
		if (decide(s, 6, pl, F_REFUSE)) {
			it = ts_json_own(&s->work, items(doc0, "Giấy tờ không đúng mẫu quy định"));
			return step(s, &s->counter, &d,
				    (struct ts_dossier_act){.action = TS_DA_REFUSE,
							    .reason = "Hồ sơ không thuộc thẩm quyền hoặc không hợp lệ",
							    .items = it},
				    err);
		}
		if (decide(s, 3, pl, F_WITHDRAW))
			return step(s, &s->citizen, &d,
				    (struct ts_dossier_act){.action = TS_DA_WITHDRAW,
							    .reason = "Nộp nhầm thủ tục"},
				    err);
		if (!pinned && chance(s, 8)) {
			it = ts_json_own(&s->work, items(doc0, "Bản chụp mờ, không đọc được"));
			if ((rc = step(s, &s->counter, &d,
				       (struct ts_dossier_act){.action = TS_DA_REQUEST_SUPPLEMENT, .items = it},
				       err)))
				return rc;
			work(s, between(s, 4 * 60, 24 * 60));
			if ((rc = step(s, &s->citizen, &d, (struct ts_dossier_act){.action = TS_DA_RESUBMIT},
				       err)))
				return rc;
			work(s, between(s, 30, 4 * 60));
		}
		if ((rc = step(s, &s->counter, &d,
			       (struct ts_dossier_act){.action = TS_DA_ACCEPT, .hold = decide(s, 30, pl, F_HOLD)},
			       err)))
			return rc;
	}
	struct actor *applicant = online ? &s->citizen : &s->counter;
	if (d.status == TS_DS_ACCEPTED) { /* held at the counter, carried over later */
		work(s, between(s, 30, 8 * 60));
		if ((rc = step(s, &s->counter, &d, (struct ts_dossier_act){.action = TS_DA_FORWARD},
			       err)))
			return rc;
	}
	/* the specialist's work, with the pauses the citizen causes */
	int64_t budget = p->legal_hours * 60; /* minutes */
	int64_t spend = slow ? budget * between(s, 110, 160) / 100 : budget * between(s, 30, 85) / 100;
	work(s, spend / 3);
	if (decide(s, 12, pl, F_SUPPLEMENT)) {
		int times = !pinned && chance(s, 15) ? 2 : 1;
		for (int k = 0; k < times; k++) {
			it = ts_json_own(&s->work, items(doc0, k ? "Vẫn thiếu xác nhận của địa phương"
							     : "Cần bổ sung bản sao có chứng thực"));
			if ((rc = step(s, spec, &d,
				       (struct ts_dossier_act){.action = TS_DA_REQUEST_SUPPLEMENT,
							       .items = it},
				       err)))
				return rc;
			s->supplements++;
			work(s, between(s, 8 * 60, 40 * 60));
			if ((rc = step(s, applicant, &d, (struct ts_dossier_act){.action = TS_DA_RESUBMIT},
				       err)))
				return rc;
		}
	}
	if (decide(s, 2, pl, F_STOP))
		return step(s, spec, &d,
			    (struct ts_dossier_act){.action = TS_DA_STOP,
						    .reason = "Người nộp không bổ sung theo yêu cầu"},
			    err);
	if (online && !pinned && chance(s, 2))
		return step(s, &s->citizen, &d,
			    (struct ts_dossier_act){.action = TS_DA_WITHDRAW, .reason = "Không còn nhu cầu"},
			    err);
	if (decide(s, 6, pl, F_PAYMENT)) {
		if ((rc = step(s, spec, &d, (struct ts_dossier_act){.action = TS_DA_REQUEST_PAYMENT},
			       err)))
			return rc;
		work(s, between(s, 60, 40 * 60)); /* paying takes people a few days */
		if ((rc = step(s, applicant, &d, (struct ts_dossier_act){.action = TS_DA_PAYMENT_DONE},
			       err)))
			return rc;
	}
	work(s, spend / 3);
	/* running late: most slow dossiers get an apology with a new appointment in time */
	if (slow && chance(s, 60) && d.current_due_at > 0) {
		struct ts_dossier_act a = {.action = TS_DA_APOLOGIZE,
					   .reason = "Cần xác minh thêm thông tin với cơ quan liên quan",
					   .new_due = ts_cal_add_working_seconds(&s->cal, d.current_due_at,
										 24 * 3600)};
		int64_t left = ts_cal_working_seconds(&s->cal, s->t, d.current_due_at);
		if (left >= 8 * 3600) {
			if ((rc = step(s, spec, &d, a, err)))
				return rc;
			s->apologies++;
		}
	}
	if ((rc = step(s, spec, &d, (struct ts_dossier_act){.action = TS_DA_FORWARD}, err)))
		return rc;
	work(s, spend / 3);
	if (!pinned && chance(s, 5)) {
		if ((rc = step(s, lead, &d,
			       (struct ts_dossier_act){.action = TS_DA_RETURN_TO_STEP, .to_step = 2,
						       .reason = "Đề nghị kiểm tra lại căn cứ pháp lý"},
			       err)))
			return rc;
		s->returned++;
		work(s, between(s, 60, 8 * 60));
		if ((rc = step(s, spec, &d, (struct ts_dossier_act){.action = TS_DA_FORWARD}, err)))
			return rc;
		work(s, between(s, 30, 4 * 60));
	}
	if ((rc = step(s, lead, &d, (struct ts_dossier_act){.action = TS_DA_FINISH}, err)))
		return rc;
	if (d.on_time == 0)
		s->late++;
	work(s, between(s, 30, 24 * 60));
	if ((rc = step(s, &s->counter, &d, (struct ts_dossier_act){.action = TS_DA_DELIVER}, err)))
		return rc;
	if (online && chance(s, 45)) {
		work(s, between(s, 10, 8 * 60));
		return step(s, &s->citizen, &d,
			    (struct ts_dossier_act){.action = TS_DA_RATE,
						    .rating = (int)between(s, slow ? 1 : 3, 5),
						    .comment = slow ? "Giải quyết chậm" : "Cán bộ hướng dẫn tận tình"},
			    err);
	}
	return 0;
}

/* ---- the loader ---------------------------------------------------------------------- */

struct count_job {
	struct ts_ctx *ctx;
	int n;
};

int ts_demo_dossiers(struct ts_db *db, const json_t *sample, int count, FILE *out,
		     struct ts_error *err)
{
	struct ts_arena a, calarena;
	struct sim s = {.db = db, .a = &a, .real_now = (int64_t)time(NULL)};
	struct ts_dossier_filter probe = {.limit = 1};
	struct ts_dossier *items_ = NULL;
	const char *next = NULL;
	int n = 0, rc;
	struct tm tm;
	time_t now = (time_t)s.real_now;

	ts_arena_init(&a, 0);
	ts_arena_init(&calarena, 0);
	/* already played (demo is idempotent): the system sees every dossier */
	{
		struct ts_ctx sys;
		ts_ctx_init_cli(&sys, db, &a);
		if ((rc = ts_dossier_list(&sys, &probe, &items_, &n, &next, err)))
			goto out;
		if (n > 0 || count <= 0) {
			fprintf(out, "dossiers: %s\n", n > 0 ? "already there" : "none requested");
			goto out;
		}
	}
	gmtime_r(&now, &tm);
	s.rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)count;
	if ((rc = ts_cal_get(db, &calarena, tm.tm_year + 1900 - 2, tm.tm_year + 1900 + 1, &s.cal, err)))
		goto out;
	{
		struct ts_ctx sys;
		ts_ctx_init_cli(&sys, db, &a);
		if ((rc = ts_org_unit_by_code(&sys, "000.00.31.H99", &s.xa1, err)) ||
		    (rc = ts_org_unit_by_code(&sys, "000.01.12.H99", &s.phong_hctp, err)))
			goto out;
	}
	if ((rc = act_init(&s, &s.counter, "motcua.xa1", err)) ||
	    (rc = act_init(&s, &s.specialist, "chuyenvien.tp", err)) ||
	    (rc = act_init(&s, &s.leader, "lanhdao.tp", err)) ||
	    (rc = act_init(&s, &s.citizen, "congdan1", err)) ||
	    (rc = act_init(&s, &s.xa_specialist, "tuphap.xa1", err)) ||
	    (rc = act_init(&s, &s.xa_leader, "chutich.xa1", err)))
		goto out;
	if ((rc = pick_procedures(&s, sample, err)))
		goto out;
	static const struct plan random_plan = {0, 0};
	static const struct plan pinned[] = {
	    {F_ONLINE, TS_DS_NEW},
	    {F_ONLINE | F_HOLD, TS_DS_ACCEPTED},
	    {F_ONLINE | F_REFUSE, 0},
	    {0, TS_DS_PROCESSING},
	    {F_SUPPLEMENT, TS_DS_SUPPLEMENT},
	    {F_PAYMENT, TS_DS_PAYMENT},
	    {F_ONLINE | F_WITHDRAW, 0},
	    {F_STOP, 0},
	    {0, TS_DS_DONE},
	    {F_ONLINE, 0},
	};
	int npinned = count >= 100 ? (int)(sizeof(pinned) / sizeof(pinned[0])) : 0;
	ts_dossier_set_clock(sim_clock);
	for (int i = 0; i < count; i++) {
		s.plan = i >= count - npinned ? &pinned[i - (count - npinned)] : &random_plan;
		struct actor *all[] = {&s.counter, &s.specialist, &s.leader,
				       &s.citizen, &s.xa_specialist, &s.xa_leader};
		ts_arena_init(&s.work, 0);
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
			all[k]->ctx.arena = &s.work;
		rc = story(&s, s.plan, err);
		ts_arena_release(&s.work);
		if (rc == STOPPED_AT_NOW)
			rc = 0;
		if (rc)
			break;
	}
	ts_dossier_set_clock(NULL);
	if (rc)
		goto out;
	fprintf(out,
		"dossiers: %d played over the last 18 months on %d procedures (%d supplement "
		"requests during processing, %d apologies, %d returned to an earlier step, %d "
		"finished late)\n",
		s.created, s.nprocs, s.supplements, s.apologies, s.returned, s.late);
out:
	ts_arena_release(&a);
	ts_arena_release(&calarena);
	return rc;
}
