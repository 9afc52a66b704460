/* catalog.h - the procedure catalogue (thủ tục hành chính, DOMAIN.md §3): procedures,
 * versions with effective dates, case variants, required documents, fees, processing times
 * per channel, results, legal basis, agencies and offering units; import/export (JSON, CSV)
 * and search with or without diacritics. */
#ifndef TS_CATALOG_CATALOG_H
#define TS_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/json.h"
#include "db/db.h"

enum ts_channel { TS_CHANNEL_IN_PERSON = 1, TS_CHANNEL_ONLINE = 2, TS_CHANNEL_POST = 3 };

struct ts_proc_doc {
	int64_t id;
	const char *code;          /* stable within the variant ("TK01") */
	const char *name;
	int originals, copies;
	bool required;
	const char *template_file; /* may be NULL */
};

/* What a dossier needs to know about the procedure variant it is submitted under: the
 * version in force at `at`. Strings and arrays live in the arena given to the lookup. */
struct ts_proc_variant_info {
	int64_t procedure_id, version_id, variant_id;
	const char *code;          /* national code, or DEMO.nnnnnn */
	const char *name;
	const char *field;
	const char *variant_code, *variant_name;
	int64_t time_amount;       /* for the chosen channel */
	int time_unit;             /* enum ts_cal_unit (calendar/calendar.h) */
	bool no_due_date;          /* answered on the spot, no appointment */
	bool next_day_after_cutoff;/* received after 15:00 counts from the next working day */
	int online_level;          /* 0 none, 1 partly online (một phần), 2 fully online (toàn trình) */
	struct ts_proc_doc *docs;
	int ndocs;
	json_t *form_fields;       /* JSON array of {name,label,type,required}, borrowed; may be NULL */
};

/* Looks up the variant (variant_code NULL = the procedure's default variant) of the procedure
 * with that code, in the version effective at unix time `at`, with the processing time of
 * `channel`; checks that unit_id offers the procedure (TS_ERR_VALIDATION, field "unit_id",
 * otherwise). (Added: unit_id 0 skips the unit check; a unit offers a procedure linked to it
 * or to one of its ancestors; a channel without a published time and no no_due_date ->
 * TS_ERR_VALIDATION, field "channel".) TS_ERR_NOT_FOUND (field "procedure_code" / "variant_code"). Runs on conn inside
 * the caller's transaction. */
int ts_catalog_variant_for(struct ts_dbconn *conn, struct ts_arena *a, const char *procedure_code,
			   const char *variant_code, int channel, int64_t unit_id, int64_t at,
			   struct ts_proc_variant_info *out, struct ts_error *err);

/* ---- additions: import, export, search, reading (catalog.c, import.c) ------------------- */

#include "iam/iam.h"

/* Most procedures one import may carry. */
#define TS_CATALOG_IMPORT_MAX 5000

/* Imports {"procedures":[...]} in the catalogue format (docs/catalog-format.md; other
 * top-level keys are ignored). The whole document is validated first (err->field is an
 * index path such as "procedures/12/variants/0/times/1/unit"), then applied in one write
 * transaction, all or nothing, with one audit row "catalog.import". A code not yet stored is
 * created (version 1); a stored code whose content differs gets a new immutable version
 * valid from the item's valid_from (default today), and its previous version is closed
 * (valid_to) on that day; identical content is left alone. "units" (agency codes), when
 * present, replaces the set of offering units. Needs CATALOG_WRITE everywhere (unit 0).
 * doc borrowed; counters may be NULL. TS_ERR_VALIDATION / MISSING_FIELD / UNKNOWN_FIELD /
 * TOO_LARGE / FORBIDDEN / DB errors. */
int ts_catalog_import_json(struct ts_ctx *ctx, const json_t *doc, int *created, int *versioned,
			   int *unchanged, struct ts_error *err);

/* Imports the flat CSV layout (one row per procedure x variant x document, see
 * ts_catalog_export_csv): parsed (RFC 4180), turned into the JSON form and imported as
 * ts_catalog_import_json does. Errors name the line: err->field "line/<n>/<column>" and
 * the detail starts "Dòng <n>". text (len bytes) borrowed. */
int ts_catalog_import_csv(struct ts_ctx *ctx, const char *text, size_t len, int *created,
			  int *versioned, int *unchanged, struct ts_error *err);

/* The current version of every procedure, by code, in the import format
 * ({"procedures":[...]}); *out is a new reference owned by ctx->arena. */
int ts_catalog_export_json(struct ts_ctx *ctx, json_t **out, struct ts_error *err);
/* The same as CSV text (UTF-8, CRLF, header row) in ctx->arena. */
int ts_catalog_export_csv(struct ts_ctx *ctx, char **out, size_t *len, struct ts_error *err);

/* The current version of procedure `code` in the import format plus "procedure_id",
 * "version_id", "version_no", "valid_to" and "units" as [{id, code, name}]. *out owned by
 * ctx->arena. TS_ERR_NOT_FOUND (field "code"). Public data. */
int ts_catalog_get(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err);
/* Every version of procedure `code`, newest first: {"code", "versions": [{id, version_no,
 * valid_from, valid_to, name, content_hash, created_at, current}]}. *out lives as long as
 * ctx->arena. TS_ERR_NOT_FOUND for an unknown code. */
int ts_catalog_versions(struct ts_ctx *ctx, const char *code, json_t **out, struct ts_error *err);
/* Any version by id (also closed ones), same shape without "units". TS_ERR_NOT_FOUND. */
int ts_catalog_version_get(struct ts_ctx *ctx, int64_t version_id, json_t **out,
			   struct ts_error *err);

#define TS_CATALOG_SEARCH_MAX 200
struct ts_catalog_filter {
	const char *q;     /* code or words of the name, with or without diacritics; NULL = all */
	const char *field; /* field name or field code (exact); NULL = any */
	int64_t unit_id;   /* offered by this unit (or an ancestor of it); 0 = any */
	int limit;         /* 1..TS_CATALOG_SEARCH_MAX; 0 = 20 */
	int offset;        /* >= 0 */
};
struct ts_catalog_hit {
	int64_t id, version_id;
	const char *code, *name, *field_code, *field_name;
	int online_level;
	int rank; /* 0 exact code, 1 name is the phrase, 2 code or name starts with it,
	           * 3 name contains the phrase as words, 4 as text, 5 all words present */
};
/* Searches current procedures: ranked by rank, then code. *hits (in ctx->arena) holds one
 * page; *total counts all matches (capped at 5000 candidates). TS_ERR_VALIDATION for bad
 * limits (field "limit" / "offset" / "q"). */
int ts_catalog_search(struct ts_ctx *ctx, const struct ts_catalog_filter *f,
		      struct ts_catalog_hit **hits, int *n, int64_t *total, struct ts_error *err);

/* One field (lĩnh vực) of the current catalogue and how many procedures it has. */
struct ts_catalog_field {
	const char *name, *code; /* code may be NULL */
	int64_t count;
};
/* The fields of procedures with a current version, by name (for browsing by field; the
 * search takes a field's name or code). Arrays and strings in ctx->arena. Public data. */
int ts_catalog_fields(struct ts_ctx *ctx, struct ts_catalog_field **out, int *n,
		      struct ts_error *err);

/* Imports the national sample (data/catalog/procedures_vn_sample.json, a JSON array; see
 * data/catalog/README.md) by converting each record to the import format: one default
 * variant "MAC_DINH" with the published documents ("(nếu ...)" ones not required, 1
 * original 0 copies as labelled defaults), per-channel times (an unpublished unit ->
 * working_days with a note in legal_basis; an unpublished time -> no time at all),
 * fees null -> []. valid_from NULL -> "2025-07-01" (the demo's start). sample borrowed. */
int ts_catalog_import_sample(struct ts_ctx *ctx, const json_t *sample, const char *valid_from,
			     int *created, int *versioned, int *unchanged, struct ts_error *err);
/* Adds generated demo procedures DEMO.000001 .. DEMO.<count> (names start "[DEMO]"),
 * idempotent (existing ones are unchanged). count 0..TS_CATALOG_IMPORT_MAX. */
int ts_catalog_generate_demo(struct ts_ctx *ctx, int count, const char *valid_from, int *created,
			     struct ts_error *err);

/* One CSV record (RFC 4180): fields in the arena, line = the line it starts on (1-based). */
struct ts_csv_row {
	const char **fields;
	int nfields;
	int line;
};
/* Parses RFC 4180 CSV: comma separated, "quoted" fields with "" for a quote and embedded
 * commas / CR / LF, CRLF or LF line ends, a UTF-8 BOM skipped, no trailing empty record.
 * TS_ERR_VALIDATION naming "line/<n>" for a stray quote or an unterminated quoted field;
 * TS_ERR_TOO_LARGE beyond 100000 rows or 200 fields. Results in a. */
int ts_csv_parse(struct ts_arena *a, const char *text, size_t len, struct ts_csv_row **rows,
		 int *nrows, struct ts_error *err);

/* HTTP adapters (catalog_http.c): route handlers for app/routes.c. */
struct ts_call;
/* Demo only: gives every procedure that no unit offers yet a labelled default offering -
 * commune-level ("Cấp xã") procedures to every commune, ward and special zone, the rest to the
 * root People's Committee (province-wide). One write transaction, audited. *linked (may be
 * NULL) gets the number of links made. */
int ts_catalog_link_demo_units(struct ts_ctx *ctx, int *linked, struct ts_error *err);

extern const struct ts_json_spec ts_catalog_spec_import;
int ts_catalog_http_search(struct ts_call *call, struct ts_error *err);      /* ?q=&field=&unit=&limit=&offset= */
int ts_catalog_http_fields(struct ts_call *call, struct ts_error *err);      /* fields with counts */
int ts_catalog_http_get(struct ts_call *call, struct ts_error *err);         /* {code} */
int ts_catalog_http_version_get(struct ts_call *call, struct ts_error *err); /* {id} */
int ts_catalog_http_versions(struct ts_call *call, struct ts_error *err);    /* {code} */
int ts_catalog_http_export(struct ts_call *call, struct ts_error *err);      /* ?format=json|csv */
int ts_catalog_http_import(struct ts_call *call, struct ts_error *err);      /* body CatalogImport */
int ts_catalog_http_import_csv(struct ts_call *call, struct ts_error *err);  /* body text/csv */

#endif
