/* org.h - the organisation tree: units with agency codes (QĐ 20/2020), kinds, parents,
 * effective dates and successors (DOMAIN.md §2). History is never rewritten: a unit that
 * closes gets valid_to and a successor. */
#ifndef TS_ORG_ORG_H
#define TS_ORG_ORG_H

#include <stdint.h>

#include "base/err.h"
#include "base/json.h"
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

enum ts_unit_kind {
#define X(n, s, vi) TS_UNIT_KIND_##n,
	TS_UNIT_KIND_TABLE(X)
#undef X
	TS_UNIT_KIND__COUNT
};

/* Longest agency code (QĐ 20/2020 allows up to 35 characters). */
#define TS_ORG_CODE_MAX 35

/* Agency code format: 1..35 characters of 0-9, A-Z and dots, no empty segment
 * (e.g. 000.00.12.H62). TS_ERR_VALIDATION naming field. */
int ts_org_check_agency_code(const char *code, const char *field, struct ts_error *err);
/* Kind name lookups; -1 / NULL when unknown. */
int ts_org_kind_parse(const char *name);
const char *ts_org_kind_name(int kind);
/* Vietnamese title of a kind ("Sở, ban, ngành"); NULL when unknown. */
const char *ts_org_kind_title(int kind);
/* Calendar date 'YYYY-MM-DD' (years 1900..9999). TS_ERR_VALIDATION naming field. Pure. */
int ts_org_check_date(const char *s, const char *field, struct ts_error *err);

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

/* One unit as stored. Strings live in ctx->arena (the arena of the call that read it). */
struct ts_unit {
	int64_t id;
	const char *code;
	const char *name;
	const char *short_name; /* NULL when none */
	int kind;               /* enum ts_unit_kind, -1 if the stored name is unknown */
	int64_t parent_id;      /* 0 = root */
	const char *valid_from; /* YYYY-MM-DD */
	const char *valid_to;   /* NULL = still in force; else the first day it is not */
	int64_t successor_id;   /* 0 = none */
	int64_t version;        /* optimistic concurrency: bumped by every update */
	int64_t created_at, updated_at; /* unix seconds */
	int64_t children_count; /* direct children (all dates); -1 when not computed */
	int depth;              /* subtree queries: 0 for the unit asked for */
};

/* Reads unit id and, when the pointers are non-NULL, its parent and successor (id 0 and
 * code NULL when the unit has none), with children_count filled on out. Public data: no
 * permission needed. TS_ERR_NOT_FOUND (field "id"). */
int ts_org_unit_get(struct ts_ctx *ctx, int64_t id, struct ts_unit *out, struct ts_unit *parent,
		    struct ts_unit *successor, struct ts_error *err);

/* Which fields of struct ts_unit_update to apply. */
#define TS_UNIT_SET_NAME 0x01u
#define TS_UNIT_SET_SHORT_NAME 0x02u
#define TS_UNIT_SET_KIND 0x04u
#define TS_UNIT_SET_PARENT 0x08u
#define TS_UNIT_SET_VALID_TO 0x10u
#define TS_UNIT_SET_SUCCESSOR 0x20u

struct ts_unit_update {
	int64_t version;        /* the version the caller read; stale -> TS_ERR_CONFLICT */
	unsigned set;           /* TS_UNIT_SET_* bits; at least one */
	const char *name;
	const char *short_name; /* NULL clears */
	int kind;
	int64_t parent_id;      /* 0 = make it a root; never a unit inside its own subtree */
	const char *valid_to;   /* closes the unit (>= valid_from); NULL reopens */
	int64_t successor_id;   /* 0 clears; else another unit in force on valid_to (or today) */
};
/* Updates a unit in place (renames keep the row: history lives in the audit trail; closing
 * uses valid_to + successor, never deletion) and audits "unit.update". Needs ORG_WRITE over
 * the unit, and over the new parent when moving (system admins for roots). *new_version
 * (may be NULL) gets the version after the update. TS_ERR_NOT_FOUND, TS_ERR_CONFLICT (stale
 * version: someone else changed the unit), TS_ERR_VALIDATION (field named), TS_ERR_FORBIDDEN. */
int ts_org_unit_update(struct ts_ctx *ctx, int64_t id, const struct ts_unit_update *in,
		       int64_t *new_version, struct ts_error *err);

enum ts_unit_parent_filter { TS_UNIT_PARENT_ANY, TS_UNIT_PARENT_ROOTS, TS_UNIT_PARENT_ID };
#define TS_ORG_LIST_MAX 500
struct ts_unit_filter {
	int parent_mode;   /* enum ts_unit_parent_filter */
	int64_t parent_id; /* with TS_UNIT_PARENT_ID */
	int kind;          /* -1 = any */
	const char *q;     /* substring of name, short name or code (ASCII case-folded); NULL = any */
	const char *at;    /* YYYY-MM-DD: only units in force that day; NULL = any date */
	int limit;         /* 1..TS_ORG_LIST_MAX; 0 = 50 */
	int offset;        /* >= 0 */
};
/* Lists units ordered by code, with children_count. *items (array of *n) lives in
 * ctx->arena; *total (may be NULL) counts all matches ignoring paging. Public data.
 * TS_ERR_VALIDATION for bad filters (field "limit", "offset", "at", "kind", "q"). */
int ts_org_unit_list(struct ts_ctx *ctx, const struct ts_unit_filter *f, struct ts_unit **items,
		     int *n, int64_t *total, struct ts_error *err);
/* The subtree rooted at id as a flat list in depth-first order (children by code), each
 * with depth; with at, only units in force that day (a unit not in force hides its
 * subtree). *items lives in ctx->arena. TS_ERR_NOT_FOUND (field "id"), TS_ERR_VALIDATION. */
int ts_org_unit_subtree(struct ts_ctx *ctx, int64_t id, const char *at, struct ts_unit **items,
			int *n, struct ts_error *err);

/* Imports {"units":[{code, name, short_name?, kind, parent_code?, valid_from?}, ...]}
 * (other top-level keys such as "note" are ignored; parents before children, or already
 * stored). The whole document is validated first (err->field like "units/12/code"), then
 * applied in one write transaction, all or nothing. Units whose code is already stored are
 * left as they are and counted in *existing, so importing twice is harmless. Each created
 * unit needs ORG_WRITE over its parent and is audited "unit.create". doc is borrowed.
 * created / existing may be NULL. */
#define TS_ORG_IMPORT_MAX 5000
int ts_org_import(struct ts_ctx *ctx, const json_t *doc, int *created, int *existing,
		  struct ts_error *err);

/* Inside the caller's transaction: the agency code of unit id (*code lives as long as a).
 * A unit's code is set when it is created and never changed, and units are never deleted
 * (org.sql), so known codes come from the store's cache (db.h, ts_db_cache). TS_ERR_NOT_FOUND
 * when there is no such unit; DB errors. */
struct ts_dbconn;
int ts_org_unit_code(struct ts_dbconn *c, struct ts_arena *a, int64_t id, const char **code,
		     struct ts_error *err);

struct ts_call;
extern const struct ts_json_spec ts_org_spec_unit_create, ts_org_spec_unit_update;
int ts_org_http_units_list(struct ts_call *call, struct ts_error *err);    /* ?parent=&q=&at=&kind= */
int ts_org_http_unit_get(struct ts_call *call, struct ts_error *err);
int ts_org_http_unit_subtree(struct ts_call *call, struct ts_error *err);  /* ?at= */
int ts_org_http_unit_create(struct ts_call *call, struct ts_error *err);
int ts_org_http_unit_update(struct ts_call *call, struct ts_error *err);   /* name, kind, parent, valid_to, successor; version */

#endif
