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
 * otherwise). TS_ERR_NOT_FOUND (field "procedure_code" / "variant_code"). Runs on conn inside
 * the caller's transaction. */
int ts_catalog_variant_for(struct ts_dbconn *conn, struct ts_arena *a, const char *procedure_code,
			   const char *variant_code, int channel, int64_t unit_id, int64_t at,
			   struct ts_proc_variant_info *out, struct ts_error *err);

#endif
