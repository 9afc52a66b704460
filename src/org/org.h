/* org.h - the organisation tree: units with agency codes (QĐ 20/2020), kinds, parents,
 * effective dates and successors (DOMAIN.md §2). History is never rewritten: a unit that
 * closes gets valid_to and a successor. */
#ifndef TS_ORG_ORG_H
#define TS_ORG_ORG_H

#include <stdint.h>

#include "base/err.h"
#include "iam/iam.h"

/* X(NAME, machine name, Vietnamese name) */
#define TS_UNIT_KIND_TABLE(X)                                          \
	X(PROVINCE_PC, "province_pc", "Ủy ban nhân dân tỉnh")          \
	X(PROVINCE_OFFICE, "province_office", "Văn phòng UBND tỉnh")   \
	X(DEPARTMENT, "department", "Sở, ban, ngành")                  \
	X(DIVISION, "division", "Phòng, đơn vị thuộc sở")              \
	X(COMMUNE, "commune", "Xã")                                    \
	X(WARD, "ward", "Phường")                                      \
	X(SPECIAL_ZONE, "special_zone", "Đặc khu")                     \
	X(COMMUNE_DIVISION, "commune_division", "Phòng thuộc xã, phường") \
	X(ONE_STOP, "one_stop", "Bộ phận một cửa, trung tâm phục vụ hành chính công") \
	X(OTHER, "other", "Đơn vị khác")

/* Agency code format: 1..35 characters of 0-9, A-Z and dots, no empty segment
 * (e.g. 000.00.12.H62). TS_ERR_VALIDATION naming field. */
int ts_org_check_agency_code(const char *code, const char *field, struct ts_error *err);
/* Kind name lookups; -1 / NULL when unknown. */
int ts_org_kind_parse(const char *name);
const char *ts_org_kind_name(int kind);

struct ts_unit_new {
	const char *code;       /* agency code, unique */
	const char *name;
	const char *short_name; /* may be NULL */
	int kind;
	int64_t parent_id;      /* 0 = root */
	const char *valid_from; /* YYYY-MM-DD, NULL = today */
};
/* Creates a unit (+ audit). Needs ORG_WRITE over parent (system admins for roots).
 * TS_ERR_CONFLICT for a taken code, TS_ERR_VALIDATION for a bad parent or code. */
int ts_org_unit_create(struct ts_ctx *ctx, const struct ts_unit_new *in, int64_t *id,
		       struct ts_error *err);
/* Looks a unit up by agency code. TS_ERR_NOT_FOUND. */
int ts_org_unit_by_code(struct ts_ctx *ctx, const char *code, int64_t *id, struct ts_error *err);

struct ts_call;
extern const struct ts_json_spec ts_org_spec_unit_create, ts_org_spec_unit_update;
int ts_org_http_units_list(struct ts_call *call, struct ts_error *err);    /* ?parent=&q=&at=&kind= */
int ts_org_http_unit_get(struct ts_call *call, struct ts_error *err);
int ts_org_http_unit_subtree(struct ts_call *call, struct ts_error *err);  /* ?at= */
int ts_org_http_unit_create(struct ts_call *call, struct ts_error *err);
int ts_org_http_unit_update(struct ts_call *call, struct ts_error *err);   /* name, kind, parent, valid_to, successor; version */

#endif
