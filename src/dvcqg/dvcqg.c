/* dvcqg.c - the national-portal connector: mapping of a dossier transition to the national
 * message, delivery over src/outbox/httpc.c (create, "already exists" -> update, progress),
 * and the intake of dossiers created on the national portal. Field names:
 * docs/integration.md. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "dvcqg/dvcqg.h"
#include "flow/flow.h"
#include "iam/iam.h"
#include "outbox/httpc.h"

static struct ts_dvcqg_options g_opt = {.url = "", .token = "", .connect_timeout_ms = 3000,
					.timeout_ms = 10000};

void ts_dvcqg_configure(const struct ts_dvcqg_options *o) { g_opt = *o; }

void ts_dvcqg_timestamp(int64_t t, char *out, size_t outsz)
{
	struct tm tm;
	time_t local = (time_t)(t + 7 * 3600);

	if (outsz)
		out[0] = '\0';
	if (t <= 0 || !gmtime_r(&local, &tm))
		return;
	if (!strftime(out, outsz, "%Y%m%d%H%M%S", &tm) && outsz)
		out[0] = '\0';
}

int ts_dvcqg_status_code(int status) { return status >= 1 && status <= 10 ? status : 0; }

/* ---- building the message ---------------------------------------------------------------- */

static json_t *ts_json(int64_t t)
{
	char buf[16];
	ts_dvcqg_timestamp(t, buf, sizeof(buf));
	return buf[0] ? json_string(buf) : json_null();
}

struct build_st {
	struct ts_arena *a;
	const char *code, *action;
	int64_t id, at;
	int from, to, after; /* after: the status the transaction left the dossier in */
	struct ts_dbres *d, *e, *files;
	int first, last;     /* the events of this transition: rows first..last of e */
};

static int build_tx(struct ts_dbconn *c, void *vst, struct ts_error *err)
{
	struct build_st *st = vst;
	struct ts_dbval p[] = {TS_DB_TEXT(st->code)};
	struct ts_dbres *next = NULL;
	int rc;

	if ((rc = ts_db_query(c, st->a, "dvcqg_dossier", p, 1, &st->d, err)))
		return rc;
	if (st->d->nrows != 1)
		return ts_error_set(err, TS_ERR_NOT_FOUND, NULL, "Không có hồ sơ %s", st->code);
	int64_t id = ts_dbres_int(st->d, 0, 0);
	struct ts_dbval pe[] = {TS_DB_INT(id), TS_DB_INT(st->at)};
	if ((rc = ts_db_query(c, st->a, "dvcqg_event", pe, 2, &st->e, err)))
		return rc;
	/* the status after this transition: where the next message starts, else the current */
	struct ts_dbval pn[] = {TS_DB_TEXT(st->code), TS_DB_INT(st->id)};
	if ((rc = ts_db_query(c, st->a, "dvcqg_next_message", pn, 2, &next, err)))
		return rc;
	st->after = (int)ts_dbres_int(st->d, 0, ts_dbres_col(st->d, "status"));
	if (next->nrows == 1) {
		json_t *pl = ts_json_own(st->a, json_loads(ts_dbres_get(next, 0, 0), 0, NULL));
		if (pl && ts_json_int(pl, "from", 0) > 0)
			st->after = (int)ts_json_int(pl, "from", 0);
	}
	/* the announced event, then the ones the same transaction chained to it */
	st->first = st->last = -1;
	for (int i = 0; i < st->e->nrows; i++) {
		const char *act = ts_dbres_get(st->e, i, 3);
		if (act && strcmp(act, st->action) == 0 && ts_dbres_int(st->e, i, 4) == st->from &&
		    ts_dbres_int(st->e, i, 5) == st->to)
			st->first = st->last = i;
	}
	while (st->first >= 0 && st->last + 1 < st->e->nrows &&
	       ts_dbres_int(st->e, st->last, 5) != st->after &&
	       ts_dbres_int(st->e, st->last + 1, 4) == ts_dbres_int(st->e, st->last, 5))
		st->last++;
	if (st->to == TS_DS_DONE || st->to == TS_DS_DELIVERED || st->after == TS_DS_DONE ||
	    st->after == TS_DS_DELIVERED) {
		struct ts_dbval pf[] = {TS_DB_INT(id)};
		if ((rc = ts_db_query(c, st->a, "dvcqg_result_files", pf, 1, &st->files, err)))
			return rc;
	}
	return 0;
}

#define D(col) ts_dbres_get(st.d, 0, ts_dbres_col(st.d, col))
#define DI(col) ts_dbres_int(st.d, 0, ts_dbres_col(st.d, col))
#define E(col) ts_dbres_get(st.e, row, ts_dbres_col(st.e, col))
#define EI(col) ts_dbres_int(st.e, row, ts_dbres_col(st.e, col))

/* One progress record (quá trình xử lý): who, role, unit, what, when, the step's start and
 * its legal end. */
static json_t *progress_json(const struct build_st *sp, int row)
{
	struct build_st st = *sp;
	const char *unit_code, *unit_name, *rel, *role_name, *reason;
	int role, action = ts_dossier_action_parse(E("action"));

	rel = E("unit_rel");
	if (rel && strcmp(rel, "absolute") == 0 && E("step_unit_code")) {
		unit_code = E("step_unit_code");
		unit_name = E("step_unit_name");
	} else if (rel && strcmp(rel, "competent") == 0) {
		unit_code = D("competent_code");
		unit_name = D("competent_name");
	} else {
		unit_code = D("receiving_code");
		unit_name = D("receiving_name");
	}
	role_name = E("step_role");
	role = role_name ? ts_role_parse(role_name) : -1;
	reason = E("reason");
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:i, s:i, s:s?}",
			 "HanhDong", E("action"), "TenHanhDong",
			 action >= 0 ? ts_dossier_action_title(action) : NULL, "NguoiXuLy",
			 E("actor_name") ? E("actor_name") : E("actor_label"), "ChucDanh",
			 role >= 0 ? ts_role_title(role) : NULL, "MaDonViXuLy", unit_code,
			 "TenDonViXuLy", unit_name, "NoiDungXuLy",
			 reason ? reason : (action >= 0 ? ts_dossier_action_title(action) : NULL),
			 "ThoiDiemXuLy", ts_json(EI("at")), "NgayBatDauBuoc",
			 ts_json(EI("step_started_at")), "NgayKetThucBuocTheoQuyDinh",
			 ts_json(EI("step_due_at")), "TrangThaiTruoc",
			 ts_dvcqg_status_code((int)EI("from_status")), "TrangThaiSau",
			 ts_dvcqg_status_code((int)EI("to_status")), "KetQuaBuoc", E("result"));
}

int ts_dvcqg_build(struct ts_db *db, struct ts_arena *a, int64_t id, const char *payload,
		   json_t **out, int *is_create, const char **national_code, struct ts_error *err)
{
	struct build_st st = {.a = a};
	json_t *pl, *doc = NULL;
	char key[40];
	int rc, action;

	*out = NULL;
	*is_create = 0;
	if (!(pl = ts_json_own(a, json_loads(payload ? payload : "", 0, NULL))) ||
	    !(st.code = ts_json_str(pl, "code")) || !(st.action = ts_json_str(pl, "action")))
		return ts_error_set(err, TS_ERR_VALIDATION, "payload", "Thông điệp không hợp lệ");
	st.id = id;
	st.at = ts_json_int(pl, "at", 0);
	st.from = (int)ts_json_int(pl, "from", 0);
	st.to = (int)ts_json_int(pl, "to", 0);
	action = ts_dossier_action_parse(st.action);
	if ((rc = ts_db_tx(db, TS_DB_TX_READ, build_tx, &st, err)))
		return rc;
	json_t *progress = json_array();
	for (int i = st.first; progress && i >= 0 && i <= st.last; i++)
		if (json_array_append_new(progress, progress_json(&st, i))) {
			json_decref(progress);
			progress = NULL;
		}
	if (!progress)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	*is_create = action == TS_DA_SUBMIT || action == TS_DA_INTAKE;
	*national_code = D("national_code") ? D("national_code") : st.code;
	snprintf(key, sizeof(key), "tinhso-%" PRId64, id);
	doc = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s?, s:i, s:s?, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o, s:i, s:o}",
	    "MaGiaoDich", key, "MaHoSo", *national_code, "MaHoSoTinh", st.code, "MaTTHC",
	    D("procedure_code"), "TenTTHC", D("procedure_name"), "MaCoQuanTiepNhan",
	    D("receiving_code"), "TenCoQuanTiepNhan", D("receiving_name"), "MaCoQuanThamQuyen",
	    D("competent_code"), "TenCoQuanThamQuyen", D("competent_name"), "KenhThucHien",
	    (int)DI("channel"), "HinhThucTraKetQua", D("delivery"), "ChuHoSo", D("applicant_name"),
	    "TrangThaiHoSo", ts_dvcqg_status_code(st.after), "TenTrangThai",
	    ts_dossier_status_title(st.after), "NgayNopHoSo", ts_json(DI("submitted_at")),
	    "NgayTiepNhan", ts_json(DI("accepted_at")), "NgayHenTra", ts_json(DI("due_at")),
	    "NgayHenTraHienTai", ts_json(DI("current_due_at")), "NgayKetThucXuLy",
	    ts_json(DI("ended_at")), "NgayTraKetQua", ts_json(DI("delivered_at")), "ThoiDiemCapNhat",
	    ts_json(st.at), "SoLanBoSung", (int)DI("supplement_count"), "QuaTrinhXuLy",
	    progress);
	if (!doc)
		return ts_error_set(err, TS_ERR_NOMEM, NULL, NULL);
	ts_json_own(a, doc);
	if (action == TS_DA_REQUEST_SUPPLEMENT || action == TS_DA_RESUBMIT) {
		int row = st.first;
		json_t *items = row >= 0 && E("items") ? json_loads(E("items"), 0, NULL) : NULL;
		json_object_set_new(
		    doc, "YeuCauBoSung",
		    json_pack("{s:s?, s:o, s:o, s:o}", "LyDo", row >= 0 ? E("reason") : NULL,
			      "DanhSach", items ? items : json_array(), "NgayHenTraCu",
			      ts_json(DI("due_at")), "NgayHenTraMoi", ts_json(DI("current_due_at"))));
	} else if (action == TS_DA_APOLOGIZE) {
		int row = st.first;
		json_object_set_new(
		    doc, "XinLoi",
		    json_pack("{s:s?, s:o, s:o}", "LyDo", row >= 0 ? E("reason") : NULL,
			      "NgayHenTraCu",
			      ts_json(DI("original_due_at") ? DI("original_due_at") : DI("due_at")),
			      "NgayHenTraMoi", ts_json(DI("current_due_at"))));
	} else if (action == TS_DA_REFUSE || action == TS_DA_STOP || action == TS_DA_WITHDRAW) {
		int row = st.first;
		json_object_set_new(doc, "LyDo", ts_json_strornull(row >= 0 ? E("reason") : NULL));
	}
	if (st.files) {
		json_t *files = json_array();
		for (int i = 0; files && i < st.files->nrows; i++)
			json_array_append_new(
			    files, json_pack("{s:s, s:s, s:s, s:I, s:s}", "MaKetQua",
					     ts_dbres_get(st.files, i, 1), "TenGiayTo",
					     ts_dbres_get(st.files, i, 2), "DuongDanTep",
					     ts_arena_printf(a, "sha256:%s", ts_dbres_get(st.files, i, 3)),
					     "KichThuoc", (json_int_t)ts_dbres_int(st.files, i, 4),
					     "LoaiTep", ts_dbres_get(st.files, i, 5)));
		json_object_set_new(doc, "KetQua",
				    json_pack("{s:o, s:o}", "DanhSachGiayToKetQua",
					      files ? files : json_array(), "NgayCoKetQua",
					      ts_json(DI("ended_at"))));
	}
	*out = json_incref(doc);
	return 0;
}

#undef D
#undef DI
#undef E
#undef EI

/* ---- delivery ------------------------------------------------------------------------------ */

/* 2xx ok; 409 on create = "already exists"; 408, 429 and 5xx are transient; 401/403 too (a
 * token being rotated); any other answer refuses the content. */
static enum ts_outbox_outcome classify(long status)
{
	if (status >= 200 && status < 300)
		return TS_OUTBOX_DELIVERED;
	if (status == 0 || status == 408 || status == 429 || status >= 500 || status == 401 ||
	    status == 403)
		return TS_OUTBOX_RETRY;
	return TS_OUTBOX_REFUSED;
}

static enum ts_outbox_outcome call(struct ts_arena *a, const char *method, const char *url,
				   const char *idem, const char *body, long *status, char *why,
				   size_t whysz)
{
	struct ts_httpc_req r = {.method = method, .url = url, .bearer = g_opt.token,
				 .idem_key = idem, .body = body,
				 .connect_timeout_ms = g_opt.connect_timeout_ms,
				 .timeout_ms = g_opt.timeout_ms, .max_response = 16384};
	char *answer = NULL;

	if (ts_httpc_request(&r, a, status, &answer, why, whysz))
		return TS_OUTBOX_RETRY;
	enum ts_outbox_outcome oc = classify(*status);
	if (oc != TS_OUTBOX_DELIVERED) {
		/* the portal's own error code only, never the echoed content */
		json_t *j = answer ? json_loads(answer, 0, NULL) : NULL;
		const char *code = j ? ts_json_str(j, "error_code") : NULL;
		snprintf(why, whysz, "HTTP %ld %s %s%s%s", *status, method, url, code ? ": " : "",
			 code ? code : "");
		json_decref(j);
	}
	return oc;
}

static enum ts_outbox_outcome deliver(void *ud, struct ts_db *db, struct ts_arena *a,
				      const struct ts_outbox_msg *m, char *why, size_t whysz)
{
	struct ts_error err = {0};
	json_t *doc = NULL;
	const char *national = NULL, *body, *url_create, *url_one;
	char idem[40];
	int create = 0;
	long status = 0;
	enum ts_outbox_outcome oc;

	(void)ud;
	if (!g_opt.url || !*g_opt.url) {
		snprintf(why, whysz, "dvcqg.url is not set");
		return TS_OUTBOX_RETRY;
	}
	int rc = ts_dvcqg_build(db, a, m->id, m->payload, &doc, &create, &national, &err);
	if (rc) {
		snprintf(why, whysz, "message not built: %s", err.detail);
		return rc == TS_ERR_NOT_FOUND || rc == TS_ERR_VALIDATION ? TS_OUTBOX_REFUSED
									: TS_OUTBOX_RETRY;
	}
	body = ts_json_dump(a, doc, NULL);
	json_decref(doc);
	snprintf(idem, sizeof(idem), "tinhso-%" PRId64, m->id);
	url_create = ts_arena_printf(a, "%s/hoso", g_opt.url);
	char *esc = ts_arena_strdup(a, national);
	for (char *p = esc; p && *p; p++) /* national and tinhso codes: [0-9A-Za-z.-] */
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
	url_one = ts_arena_printf(a, "%s/hoso/%s", g_opt.url, esc ? esc : "");
	if (!body || !url_create || !url_one) {
		snprintf(why, whysz, "out of memory");
		return TS_OUTBOX_RETRY;
	}
	if (create) {
		oc = call(a, "POST", url_create, idem, body, &status, why, whysz);
		if (status != 409)
			return oc;
		/* "already exists" (created on the national portal, or an earlier try that
		 * arrived): the same content as an update */
		why[0] = '\0';
		return call(a, "PUT", url_one, idem, body, &status, why, whysz);
	}
	oc = call(a, "PUT", url_one, idem, body, &status, why, whysz);
	if (status == 404) {
		/* the portal does not know the dossier (synced before the connector ran): create */
		why[0] = '\0';
		oc = call(a, "POST", url_create, idem, body, &status, why, whysz);
	}
	return oc;
}

void ts_dvcqg_target(struct ts_outbox_target *out)
{
	out->name = "dvcqg";
	out->topic_prefix = "dossier.";
	out->deliver = deliver;
	out->ud = NULL;
}
