/* catalog_int.h - the catalogue's in-memory model shared by catalog.c (rules, storage,
 * search) and import.c (CSV, sample converter, demo generator). Not a public API. */
#ifndef TS_CATALOG_CATALOG_INT_H
#define TS_CATALOG_CATALOG_INT_H

#include "catalog/catalog.h"

struct cat_time {
	int channel; /* enum ts_channel */
	int64_t amount;
	int unit; /* enum ts_cal_unit */
};

struct cat_variant {
	int64_t id;
	const char *code, *name;
	bool is_default, no_due_date;
	json_t *form_fields; /* array or NULL; owned by the arena */
	struct cat_time times[3];
	int ntimes;
	struct ts_proc_doc *docs;
	int ndocs;
};

/* One procedure version, normalised (from an import item or from storage). JSON members
 * are owned by the arena. */
struct cat_proc {
	int64_t procedure_id, version_id;
	int version_no;
	const char *code, *name, *field_name, *field_code, *kind;
	const char *valid_from, *valid_to;
	const char *legal_basis, *implementing_agency, *competent_agency;
	json_t *levels, *target_groups, *results, *fees;
	int online_level;
	bool next_day_after_cutoff;
	struct cat_variant *variants;
	int nvariants;
	json_t *units; /* import: array of agency code strings, NULL = leave as stored */
	const char *hash;
};

/* Unit names "working_hours" ... <-> enum ts_cal_unit; -1 / NULL when unknown. */
int ts_catalog_unit_parse(const char *s);
const char *ts_catalog_unit_name(int unit);

/* The import-format JSON of p (full: with valid_from, units; otherwise the content that is
 * hashed). New reference, NULL on allocation failure. */
json_t *ts_catalog_proc_json(const struct cat_proc *p, int full);

#endif
