/* dossier.h - dossiers (hồ sơ, DOMAIN.md §4-6): online submission and counter intake,
 * every transition of the flow table (flow/flow.h) as ONE write transaction (state change
 * + dossier_event + outbox row + audit + daily counters) with optimistic concurrency and
 * Idempotency-Key support, codes <agency>-<yyMMdd>-<NNNN>, work queues, the public status
 * lookup and the control slip. Never sees HTTP (dossier_http.c is the adapter). */
#ifndef TS_DOSSIER_DOSSIER_H
#define TS_DOSSIER_DOSSIER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/json.h"
#include "catalog/catalog.h"
#include "flow/flow.h"
#include "iam/iam.h"

/* Result delivery (separate from the channel). */
enum ts_delivery { TS_DELIVERY_COUNTER, TS_DELIVERY_POST, TS_DELIVERY_ELECTRONIC };
const char *ts_delivery_name(int d);
int ts_delivery_parse(const char *s); /* -1 if unknown */

/* The rules DOMAIN.md marks "check": configurable (config table keys dossier.*), defaults
 * to the described practice. Set once at start-up, before requests run. */
struct ts_dossier_rules {
	int max_apologies;          /* apology letters per dossier (1) */
	int apology_notice_hours;   /* an apology is sent at least this many working hours
	                             * before the appointment (8 = one working day) */
	int supplements_before_late; /* more supplement requests than this count as late (1) */
};
void ts_dossier_set_rules(const struct ts_dossier_rules *r); /* NULL = defaults */
void ts_dossier_get_rules(struct ts_dossier_rules *out);
/* Items of one consolidated supplement request / refusal. */
#define TS_DOSSIER_MAX_ITEMS 50
#define TS_DOSSIER_CODE_MAX 64

/* One dossier as stored. Strings live in the arena of the call that read it. */
struct ts_dossier {
	int64_t id;
	const char *code;
	int64_t procedure_id, procedure_version_id, variant_id, flow_version_id;
	const char *procedure_code, *procedure_name;
	int64_t legal_hours, time_amount;
	int time_unit;
	bool next_day_after_cutoff, no_due_date;
	int64_t received_unit_id, receiving_unit_id, competent_unit_id;
	int64_t applicant_account_id; /* 0 = none (counter intake for a person without account) */
	const char *applicant_name, *applicant_phone, *applicant_id_last4;
	int channel;  /* enum ts_channel */
	int delivery; /* enum ts_delivery */
	int status;   /* enum ts_dossier_status */
	int resume_status; /* status to return to after a pause (5/6), else 0 */
	int current_step;  /* ord in the flow */
	int64_t step_started_at, step_due_at;
	int64_t assignee_account_id;
	int64_t submitted_at, accepted_at, due_at, current_due_at, original_due_at, ended_at,
		delivered_at, paused_seconds, paused_since; /* unix seconds, 0 = not yet */
	int supplement_count, apology_count;
	int on_time; /* -1 unknown (not ended), 0 late, 1 on time */
	int64_t version;
	const char *form_data; /* JSON object text */
	int rating;            /* 0 = none */
	const char *comment;
	int64_t created_at, updated_at;
	uint32_t allowed_actions; /* ts_dossier_get: bit (1 << enum ts_dossier_action) for each
	                           * action the reader may perform now (the UI shows only these) */
	bool step_known;          /* ts_dossier_get: the current step of the dossier's flow... */
	int step_kind, step_role; /* ...its enum ts_step_kind and enum ts_role */
	int64_t step_unit_id;     /* ...and the unit it is done at */
	int nsteps;               /* ...and how many steps the flow has */
};

/* One row of the dossier's history (the control slip). */
struct ts_dossier_event {
	int64_t id, at;
	int64_t actor_account_id;
	const char *actor_label;
	const char *action;
	int from_status, to_status, step, to_step;
	int64_t receiver_account_id;
	int64_t step_started_at, step_due_at, handed_at;
	const char *result; /* "early" | "on_time" | "late" | NULL */
	const char *reason;
	const char *items;  /* JSON array text or NULL */
};

/* One submitted component. */
struct ts_dossier_doc {
	const char *code, *name;
	int originals, copies;
	bool digitised, reused;
};

/* Idempotency of a mutating call: key from the Idempotency-Key header (NULL = none) and a
 * hash of the request (method, path, body) so that a key reused for another request is
 * refused. A retried call returns the dossier as the first call left it. */
struct ts_idem {
	const char *key;
	const char *request_hash;
	const char *route;
};

struct ts_dossier_new {
	const char *procedure_code;
	const char *variant_code;     /* NULL = default variant */
	int64_t competent_unit_id;    /* the deciding agency (must offer the procedure) */
	int64_t receiving_unit_id;    /* 0 = competent unit (online); intake: the officer's unit */
	int channel;                  /* enum ts_channel; submit: online (2) by default */
	int delivery;                 /* enum ts_delivery */
	const char *applicant_name;   /* submit: defaults to the account's name */
	const char *applicant_phone;
	const char *applicant_id;     /* personal ID / tax code: only its last 4 are stored */
	int64_t applicant_account_id; /* intake: the person's account if any */
	const json_t *form_data;      /* object or NULL; borrowed */
	const struct ts_dossier_doc *docs;
	int ndocs;
	bool accept_now;              /* intake: accept at once */
};

/* Submits online (actor: a citizen or business account; status 1) or takes a dossier at
 * the counter (ts_dossier_intake; actor: a counter_officer over receiving_unit_id, which
 * defaults to the officer's home unit; accept_now accepts in the same transaction).
 * Checks the procedure variant (catalog), the required documents and the required form
 * fields (err->field "documents" / "form_data/<name>"), allocates the code, writes the
 * dossier, documents, event, outbox, audit and counters in one transaction. out filled
 * (strings in ctx->arena). TS_ERR_VALIDATION / MISSING_FIELD / NOT_FOUND / FORBIDDEN. */
int ts_dossier_submit(struct ts_ctx *ctx, const struct ts_dossier_new *in,
		      const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err);
int ts_dossier_intake(struct ts_ctx *ctx, const struct ts_dossier_new *in,
		      const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err);

/* A transition request on an existing dossier. */
struct ts_dossier_act {
	int action;            /* enum ts_dossier_action (not submit/intake) */
	int64_t version;       /* the version the caller read; stale -> TS_ERR_CONFLICT */
	const char *reason;    /* refuse, return_to_step, stop, withdraw, apologize: required */
	const json_t *items;   /* refuse / request_supplement: array of {document?, field?,
	                        * reason}; request_supplement requires >= 1; borrowed */
	int to_step;           /* return_to_step: target ord */
	int64_t assignee_account_id; /* assign / forward: the receiver (0 = the step's pool) */
	bool hold;             /* accept: stay at status 2 at the counter (paper dossiers
	                        * transferred later by "forward"); default: hand over at once */
	int64_t new_due;       /* apologize: the new appointment (unix seconds) */
	int delivery;          /* deliver: how (-1 = as chosen at submission) */
	int rating;            /* rate: 1..5 */
	const char *comment;   /* rate */
};

/* Performs act on the dossier with code, checking the transition table, who may act
 * (applicant: own dossier only; counter: counter_officer over the receiving unit; step:
 * the current step's role over the step's unit), the version, and the action's own rules
 * (deadline clock, pause, apology once and before the due time, ...). On success out has
 * the new state. TS_ERR_CONFLICT when the version is stale (out then holds the CURRENT
 * state, for a 409 reply with it) or the transition is not allowed (Vietnamese reason);
 * TS_ERR_NOT_FOUND (also for dossiers the actor may not see); TS_ERR_FORBIDDEN;
 * TS_ERR_VALIDATION. */
int ts_dossier_perform(struct ts_ctx *ctx, const char *code, const struct ts_dossier_act *act,
		       const struct ts_idem *idem, struct ts_dossier *out, struct ts_error *err);

/* Reads a dossier by its code or an alias, with its events (may be NULL) and documents (may
 * be NULL), if the actor may see it: the applicant, an officer with any role over one of its
 * three units, or system rights. TS_ERR_NOT_FOUND otherwise. Arrays in ctx->arena. */
int ts_dossier_get(struct ts_ctx *ctx, const char *code, struct ts_dossier *out,
		   struct ts_dossier_event **events, int *nevents, struct ts_dossier_doc **docs,
		   int *ndocs, struct ts_error *err);

/* Who looked at a dossier: every ts_dossier_get by an officer or an API client (not the
 * applicant) writes one row. ts_dossier_views lists them, newest first (at most 500), for
 * the applicant only (TS_ERR_NOT_FOUND for anyone else). name/unit: the officer's full name
 * and home unit; client: the API client's name. Array in ctx->arena. */
struct ts_dossier_view {
	int64_t at;
	const char *name, *unit, *client;
};
int ts_dossier_views(struct ts_ctx *ctx, const char *code, struct ts_dossier_view **out,
		     int *n, struct ts_error *err);

/* The public view (no sign-in): requires the applicant's phone or the last 4 characters of
 * the ID; a mismatch reads as TS_ERR_NOT_FOUND, so codes cannot be probed. out->applicant_*,
 * form_data, comment and assignee are cleared; events keep only action, statuses, step,
 * times and results (no actors, reasons or items). Unit names in *unit_names (3: received,
 * receiving, competent). */
int ts_dossier_public(struct ts_ctx *ctx, const char *code, const char *phone,
		      const char *id_last4, struct ts_dossier *out, const char *unit_names[3],
		      struct ts_dossier_event **events, int *nevents, struct ts_error *err);

/* Work queues, sorted by current due time (no due last) then id; keyset pagination. */
#define TS_DOSSIER_LIST_MAX 200
struct ts_dossier_filter {
	int status;             /* 0 = any */
	int step;               /* 0 = any */
	int64_t assignee;       /* 0 = any */
	int64_t unit_id;        /* dossiers whose receiving or competent unit lies in this
	                         * subtree; officers limited to their scope (0 = home unit) */
	int64_t procedure_id;   /* 0 = any */
	int64_t due_before;     /* 0 = any */
	bool overdue;           /* current_due_at < now and not ended */
	int64_t due_after;      /* open (not ended) and current_due_at >= this; 0 = any */
	const char *q;          /* code prefix or applicant name substring; NULL = any */
	const char *after;      /* cursor from a previous page, NULL = first page */
	int limit;              /* 1..TS_DOSSIER_LIST_MAX, 0 = 50 */
};
/* Citizens and businesses see only their own dossiers. *next is the cursor of the next
 * page (NULL at the end). TS_ERR_VALIDATION (bad cursor), TS_ERR_FORBIDDEN (unit out of
 * scope). */
int ts_dossier_list(struct ts_ctx *ctx, const struct ts_dossier_filter *f,
		    struct ts_dossier **items, int *n, const char **next, struct ts_error *err);

/* The inputs each action takes (members of the DossierAction body besides "version"), so
 * that clients need no copy of the rules: which are required, and for a receiver which step
 * the receiver must hold the role of. The UI renders exactly these. */
enum ts_dossier_input_step {
	TS_DI_STEP_NONE,    /* not a receiver */
	TS_DI_STEP_CURRENT, /* the receiver works on the current step (assign) */
	TS_DI_STEP_NEXT,    /* the receiver works on the next step (accept, forward) */
	TS_DI_STEP_CHOSEN,  /* the receiver works on the step chosen in to_step */
};
struct ts_dossier_input {
	const char *name; /* NULL ends a list */
	bool required;
	int step;         /* enum ts_dossier_input_step */
};
/* The inputs of action (enum ts_dossier_action): a static list ended by a NULL name; an
 * empty list for actions without inputs or unknown ones. Thread-safe. */
const struct ts_dossier_input *ts_dossier_action_inputs(int action);

/* Work queue counts for the reading officer (same scope as ts_dossier_list: unit_id's
 * subtree, 0 = the officer's home unit), each the number of dossiers the matching queue
 * of GET /api/v1/dossiers lists, capped at TS_DOSSIER_COUNT_CAP (a count equal to the cap
 * means "at least"). steps: open (not ended) dossiers per current step. */
#define TS_DOSSIER_COUNT_CAP 10000
struct ts_dossier_counts {
	int64_t awaiting;  /* status new: online dossiers waiting for acceptance */
	int64_t mine;      /* assigned to the reader */
	int64_t due_soon;  /* open, current due before soon_before (not yet overdue) */
	int64_t overdue;   /* open, current due passed */
	int64_t all;       /* everything in scope */
	int64_t unit_id;   /* the scope used (0 = everywhere) */
	int nsteps;
	struct { int step; int64_t count; } steps[TS_FLOW_MAX_STEPS];
};
/* TS_ERR_FORBIDDEN (citizens, a unit out of scope), TS_ERR_VALIDATION. */
int ts_dossier_queue_counts(struct ts_ctx *ctx, int64_t unit_id, int64_t soon_before,
			    struct ts_dossier_counts *out, struct ts_error *err);

/* Officers who may receive dossier `code` at step ord (0 = the step after the current one):
 * active accounts holding the step's role over the step's unit (as check_receiver demands),
 * by name. The reader must be allowed to read the dossier as an officer. *step_out is the
 * step used (0 and no officers when there is no such step). Strings in ctx->arena.
 * TS_ERR_NOT_FOUND, TS_ERR_VALIDATION (ord out of the flow). */
#define TS_DOSSIER_OFFICERS_MAX 200
struct ts_dossier_officer {
	int64_t account_id, unit_id;
	const char *full_name, *username, *unit_name;
};
struct ts_dossier_eligible {
	int step, role;     /* role: enum ts_role, -1 without a step */
	int64_t unit_id;    /* the step's unit */
	struct ts_dossier_officer *officers;
	int n;
};
int ts_dossier_eligible_officers(struct ts_ctx *ctx, const char *code, int ord,
				 struct ts_dossier_eligible *out, struct ts_error *err);

/* Counter intake: finds a person by personal ID number (CCCD/CMND) or tax code among the
 * citizen and business accounts, with their latest dossiers inside the officer's scope (at
 * most TS_DOSSIER_PERSON_DOSSIERS). Written to the audit trail (action "person.lookup",
 * never the number itself). found = false when no account holds the number (only the last
 * 4 characters of an ID are kept with a dossier, so people without an account cannot be
 * found by it). Strings in ctx->arena. TS_ERR_VALIDATION for a malformed number. */
#define TS_DOSSIER_PERSON_DOSSIERS 5
struct ts_dossier_person {
	bool found;
	int64_t account_id;
	const char *kind, *full_name, *phone, *email;
	struct { const char *code, *procedure_code, *procedure_name, *applicant_name,
		 *applicant_phone; int status; int64_t submitted_at; }
		dossiers[TS_DOSSIER_PERSON_DOSSIERS];
	int ndossiers;
};
int ts_dossier_person_lookup(struct ts_ctx *ctx, const char *id_number,
			     struct ts_dossier_person *out, struct ts_error *err);

/* Records an external system's code for a dossier (unique per system). */
int ts_dossier_alias_add(struct ts_ctx *ctx, const char *code, const char *system,
			 const char *alias, struct ts_error *err);

/* Pure helpers (exposed for tests). The code for agency code, local (UTC+7) date of `at`
 * and sequence number seq: "<agency>-<yyMMdd>-<NNNN>" (4 digits, more when seq > 9999).
 * out >= TS_DOSSIER_CODE_MAX bytes. */
void ts_dossier_code_format(char *out, size_t outsz, const char *agency, int64_t at, int64_t seq);
/* Per-step on-time judgement at handover time: "late" after due, "early" on a local day
 * before the due day, else "on_time". NULL when due is 0. */
const char *ts_dossier_step_result(int64_t handed_at, int64_t due);

/* Test seams: the clock (NULL = time()) and the procedure lookup (NULL =
 * ts_catalog_variant_for). Process-wide; set before use, not while requests run. */
void ts_dossier_set_clock(int64_t (*now)(void));
typedef int (*ts_dossier_variant_fn)(struct ts_dbconn *conn, struct ts_arena *a,
				     const char *procedure_code, const char *variant_code,
				     int channel, int64_t unit_id, int64_t at,
				     struct ts_proc_variant_info *out, struct ts_error *err);
void ts_dossier_set_variant_lookup(ts_dossier_variant_fn fn);

/* ---- HTTP adapters (dossier_http.c) ---- */
struct ts_call;
extern const struct ts_json_spec ts_dossier_spec_submit, ts_dossier_spec_intake,
	ts_dossier_spec_action, ts_dossier_spec_person_lookup;
int ts_dossier_http_submit(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_intake(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_get(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_action(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_list(struct ts_call *call, struct ts_error *err);
/* The work-queue filter of GET /api/v1/dossiers from call's query string (status, step,
 * assignee, unit, procedure, due_before, overdue, q, after, limit), so that an export of a
 * queue (forms/) selects exactly what the list shows. TS_ERR_VALIDATION with the field. */
int ts_dossier_http_filter(struct ts_call *call, struct ts_dossier_filter *f,
			   struct ts_error *err);
int ts_dossier_http_public(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_control_slip(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_views(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_queue_counts(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_eligible(struct ts_call *call, struct ts_error *err);
int ts_dossier_http_person_lookup(struct ts_call *call, struct ts_error *err);

#endif
