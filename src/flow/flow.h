/* flow.h - dossier statuses (DOMAIN.md §4, national codes 1-10), the actions that move a
 * dossier between them (one const transition table: status x action -> allowed, resulting
 * status, who may act), and workflows: ordered steps per procedure variant and unit,
 * versioned, validated before publishing, with a built-in default so every procedure runs.
 * The table is pure C; only the flow_* storage functions touch the store. */
#ifndef TS_FLOW_FLOW_H
#define TS_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "db/db.h"
#include "iam/iam.h"

/* X(NAME, national code, machine name, Vietnamese name) */
#define TS_DOSSIER_STATUS_TABLE(X)                                                   \
	X(NEW, 1, "new", "Mới đăng ký")                                               \
	X(ACCEPTED, 2, "accepted", "Được tiếp nhận")                                  \
	X(REFUSED, 3, "refused", "Không được tiếp nhận")                              \
	X(PROCESSING, 4, "processing", "Đang xử lý")                                  \
	X(SUPPLEMENT, 5, "supplement", "Yêu cầu bổ sung")                             \
	X(PAYMENT, 6, "payment", "Yêu cầu thực hiện nghĩa vụ tài chính")              \
	X(WITHDRAWN, 7, "withdrawn", "Công dân rút hồ sơ")                            \
	X(STOPPED, 8, "stopped", "Dừng xử lý")                                        \
	X(DONE, 9, "done", "Đã xử lý xong")                                           \
	X(DELIVERED, 10, "delivered", "Đã trả kết quả")

enum ts_dossier_status {
	TS_DS_NONE = 0, /* not created yet: the "from" of submit and intake */
#define X(n, code, s, vi) TS_DS_##n = code,
	TS_DOSSIER_STATUS_TABLE(X)
#undef X
	TS_DS__MAX = 10
};

/* Who may perform an action (bit mask). COUNTER = a counter_officer over the dossier's
 * receiving unit; STEP = an officer holding the current step's role over the step's unit. */
#define TS_WHO_APPLICANT 0x1u
#define TS_WHO_COUNTER 0x2u
#define TS_WHO_STEP 0x4u

/* X(NAME, machine name, Vietnamese label) */
#define TS_DOSSIER_ACTION_TABLE(X)                                                   \
	X(SUBMIT, "submit", "Nộp hồ sơ")                                              \
	X(INTAKE, "intake", "Nhận hồ sơ tại quầy")                                    \
	X(ACCEPT, "accept", "Tiếp nhận hồ sơ")                                        \
	X(REFUSE, "refuse", "Từ chối tiếp nhận")                                      \
	X(REQUEST_SUPPLEMENT, "request_supplement", "Yêu cầu bổ sung hồ sơ")          \
	X(RESUBMIT, "resubmit", "Nộp bổ sung hồ sơ")                                  \
	X(ASSIGN, "assign", "Phân công cán bộ xử lý")                                 \
	X(FORWARD, "forward", "Chuyển bước tiếp theo")                                \
	X(RETURN_TO_STEP, "return_to_step", "Trả lại bước trước")                      \
	X(REQUEST_PAYMENT, "request_payment", "Yêu cầu thực hiện nghĩa vụ tài chính") \
	X(PAYMENT_DONE, "payment_done", "Đã thực hiện nghĩa vụ tài chính")            \
	X(STOP, "stop", "Dừng xử lý")                                                 \
	X(WITHDRAW, "withdraw", "Rút hồ sơ")                                          \
	X(FINISH, "finish", "Hoàn thành xử lý")                                       \
	X(DELIVER, "deliver", "Trả kết quả")                                          \
	X(APOLOGIZE, "apologize", "Xin lỗi, hẹn lại ngày trả kết quả")                \
	X(RATE, "rate", "Đánh giá mức độ hài lòng")

enum ts_dossier_action {
#define X(n, s, vi) TS_DA_##n,
	TS_DOSSIER_ACTION_TABLE(X)
#undef X
	TS_DA__COUNT
};

/* "to" of a transition that returns to the status the dossier had before a pause
 * (resubmit after a supplement request made at reception goes back to 1, during
 * processing back to 4). */
#define TS_DS_PREVIOUS (-1)
/* "to" of a transition that keeps the status (assign, forward within processing, ...). */
#define TS_DS_SAME (-2)

struct ts_transition {
	int from;      /* enum ts_dossier_status */
	int action;    /* enum ts_dossier_action */
	int to;        /* enum ts_dossier_status, TS_DS_PREVIOUS or TS_DS_SAME */
	unsigned who;  /* TS_WHO_* */
};

/* Name tables (static strings; NULL / -1 when unknown). */
const char *ts_dossier_status_name(int status);
const char *ts_dossier_status_title(int status);
int ts_dossier_status_parse(const char *name); /* machine name or "1".."10" */
const char *ts_dossier_action_name(int action);
const char *ts_dossier_action_title(int action);
int ts_dossier_action_parse(const char *name);

/* Looks up (from, action) in the table. On success *out points at the static row.
 * Otherwise TS_ERR_CONFLICT with a Vietnamese reason in err ("Không thể ... khi hồ sơ
 * đang ở trạng thái ..."), field "action"; unknown status or action: TS_ERR_VALIDATION.
 * Pure, thread-safe. */
int ts_flow_transition(int from, int action, const struct ts_transition **out,
		       struct ts_error *err);
/* Is the status final (3, 7, 8, 10)? Paused (5, 6)? */
bool ts_dossier_status_final(int status);
bool ts_dossier_status_paused(int status);

/* ---- HTTP adapter (flow_http.c) ---- */
struct ts_call;
extern const struct ts_json_spec ts_flow_spec_publish;
int ts_flow_http_list(struct ts_call *call, struct ts_error *err);
int ts_flow_http_publish(struct ts_call *call, struct ts_error *err);

/* ---- workflows --------------------------------------------------------------------- */

/* X(NAME, machine name, Vietnamese name) */
#define TS_STEP_KIND_TABLE(X)                          \
	X(RECEIVE, "receive", "Tiếp nhận")            \
	X(PROCESS, "process", "Thụ lý, xử lý")        \
	X(REVIEW, "review", "Thẩm định, xem xét")     \
	X(APPROVE, "approve", "Phê duyệt")            \
	X(SIGN, "sign", "Ký, đóng dấu")                \
	X(RETURN, "return", "Trả kết quả")            \
	X(CONSULT, "consult", "Lấy ý kiến")

enum ts_step_kind {
#define X(n, s, vi) TS_STEP_##n,
	TS_STEP_KIND_TABLE(X)
#undef X
	TS_STEP__COUNT
};
const char *ts_step_kind_name(int kind);
const char *ts_step_kind_title(int kind);
int ts_step_kind_parse(const char *name);

/* Where a step happens: a fixed unit, or relative to the dossier. */
enum ts_step_unit { TS_STEP_UNIT_ABSOLUTE, TS_STEP_UNIT_RECEIVING, TS_STEP_UNIT_COMPETENT };

#define TS_FLOW_MAX_STEPS 30

struct ts_flow_step {
	int ord;          /* 1..n */
	int kind;         /* enum ts_step_kind */
	int role;         /* enum ts_role */
	int unit_rel;     /* enum ts_step_unit */
	int64_t unit_id;  /* with TS_STEP_UNIT_ABSOLUTE */
	int64_t hours;    /* allotted working hours (>= 0) */
};

/* A flow version's steps; lives in an arena (or static for the default flow). */
struct ts_flow {
	int64_t version_id; /* 0 = the built-in default flow */
	int nsteps;
	struct ts_flow_step *steps;
};

/* The default flow for a procedure whose legal time is legal_hours working hours:
 * receive at the receiving unit (counter_officer) -> process at the competent unit
 * (specialist) -> approve (agency_leader) -> return at the receiving unit
 * (counter_officer); hours split receive 1/10 (max 4), approve 1/5, process the rest,
 * return 0. Steps in a (4 of them). 0 or TS_ERR_NOMEM. */
int ts_flow_default(struct ts_arena *a, int64_t legal_hours, struct ts_flow *out,
		    struct ts_error *err);

/* Pure checks before publishing: 1..TS_FLOW_MAX_STEPS steps, ords 1..n in order, first
 * step "receive" and at most one "return" step which is last, known kinds and roles,
 * absolute units given, hours >= 0, sum of hours <= legal_hours (when legal_hours >= 0).
 * err->field like "steps/2/hours". */
int ts_flow_check(const struct ts_flow *f, int64_t legal_hours, struct ts_error *err);

/* The unit a step happens at for a dossier (receiving / competent / absolute). */
int64_t ts_flow_step_unit(const struct ts_flow_step *s, int64_t receiving_unit_id,
			  int64_t competent_unit_id);

/* What a publication stored. */
struct ts_flow_published {
	int64_t version_id, version, procedure_id, variant_id;
	int64_t legal_hours; /* the legal time the flow was checked against (-1: none) */
};

/* Publishes a new flow version for the procedure with that code, its variant variant_code
 * (NULL = all variants) at unit_id (0 = every unit), in one transaction: FLOW_WRITE over
 * unit_id (a province-wide grant when 0), the legal time looked up in the catalogue (the
 * shortest channel time of the variant in force), ts_flow_check against it, absolute units
 * must exist; earlier versions stay for the dossiers running on them; audit "flow.publish".
 * TS_ERR_FORBIDDEN, TS_ERR_NOT_FOUND (procedure/variant), TS_ERR_VALIDATION (field named). */
int ts_flow_publish(struct ts_ctx *ctx, const char *procedure_code, const char *variant_code,
		    int64_t unit_id, const struct ts_flow *f, struct ts_flow_published *out,
		    struct ts_error *err);

/* Every published version of the procedure's flows with their steps (JSON array in
 * ctx->arena, most specific and newest first). TS_ERR_NOT_FOUND for an unknown code. */
int ts_flow_list(struct ts_ctx *ctx, const char *procedure_code, json_t **out,
		 struct ts_error *err);
/* Steps as a JSON array (new reference; NULL on allocation failure). */
json_t *ts_flow_steps_json(const struct ts_flow *f);

/* Inside the caller's transaction: the latest published flow for the procedure variant at
 * the competent unit (exact variant+unit, then variant at any unit, then any variant at
 * the unit, then any variant anywhere), else the default flow for legal_hours. Steps in a. */
int ts_flow_resolve(struct ts_dbconn *c, struct ts_arena *a, int64_t procedure_id,
		    int64_t variant_id, int64_t unit_id, int64_t legal_hours, struct ts_flow *out,
		    struct ts_error *err);
/* Inside the caller's transaction: the steps of version_id (0 = default for legal_hours).
 * The steps of a stored version may be shared with other threads (the store's cache): read
 * them, never change them; they live as long as a. */
int ts_flow_load(struct ts_dbconn *c, struct ts_arena *a, int64_t version_id,
		 int64_t legal_hours, struct ts_flow *out, struct ts_error *err);

#endif
