/* fuzz_form_data.c - libFuzzer harness: online submission (dossier/dossier.c) with any JSON
 * as the form data, over the demo province in a throwaway store: the form-data checks
 * against the procedure's form fields, and the write of the dossier when they pass. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "catalog/catalog.h"
#include "dossier/dossier.h"
#include "fuzz_store.h"

static struct ts_db *db;
#define PROC_FORM "DEMO.999001"
static int64_t competent, receiving;
static struct ts_dossier_doc docs[16];
static int ndocs;

/* the stored copy carries ids the import format does not have */
static void strip_ids(json_t *v)
{
	if (json_is_object(v)) {
		json_object_del(v, "id");
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) strip_ids(x);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) strip_ids(x);
	}
}

static void setup(void)
{
	struct ts_iam_options io;
	ts_iam_defaults(&io);
	io.pwhash_memlimit = 8192 * 1024ULL;
	io.pwhash_opslimit = 1;
	ts_iam_configure(&io);
	db = fuzz_store();
	struct ts_error err = {0};
	FILE *null = fopen("/dev/null", "w");
	if (ts_demo_load(db, "Demo-pass-2026", 0, null, &err)) {
		fprintf(stderr, "fuzz demo: %s\n", err.detail);
		abort();
	}
	fclose(null);
	struct ts_arena a;
	ts_arena_init(&a, 0);
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, db, &a);
	if (ts_org_unit_by_code(&ctx, "000.01.12.H99", &competent, &err) ||
	    ts_org_unit_by_code(&ctx, "000.00.31.H99", &receiving, &err))
		abort();
	/* the procedure's required documents, so that the checks reach the form data */
	json_t *proc = NULL;
	if (ts_catalog_get(&ctx, "DEMO.000003", &proc, &err))
		abort();
	/* a copy of it with required form fields, so that the checks have something to check */
	json_t *copy = json_deep_copy(proc);
	const char *extra[] = {"procedure_id", "version_id", "version_no", "valid_to",
			       "valid_from"};
	for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
		json_object_del(copy, extra[k]);
	json_t *codes = json_array(), *u;
	size_t ui;
	json_array_foreach(json_object_get(proc, "units"), ui, u)
	    json_array_append(codes, json_object_get(u, "code"));
	strip_ids(copy);
	json_object_set_new(copy, "units", codes);
	json_object_set_new(copy, "code", json_string(PROC_FORM));
	json_object_set_new(json_array_get(json_object_get(copy, "variants"), 0), "form_fields",
			    json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:b}]", "name",
				      "ho_ten", "label", "Họ và tên", "required", 1, "name",
				      "ngay_sinh", "label", "Ngày sinh", "required", 1, "name",
				      "ghi_chu", "required", 0));
	json_t *doc = json_pack("{s:[o]}", "procedures", copy);
	int created = 0, versioned = 0, unchanged = 0;
	if (ts_catalog_import_json(&ctx, doc, &created, &versioned, &unchanged, &err)) {
		fprintf(stderr, "fuzz procedure: %s (%s)\n", err.detail, err.field);
		abort();
	}
	json_decref(doc);
	json_t *d;
	size_t i;
	json_array_foreach(
	    json_object_get(json_array_get(json_object_get(proc, "variants"), 0), "documents"), i,
	    d)
	{
		if (ndocs < 16 && json_is_true(json_object_get(d, "required")))
			docs[ndocs++] = (struct ts_dossier_doc){
			    .code = strdup(json_string_value(json_object_get(d, "code"))),
			    .originals = 1};
	}
	ts_arena_release(&a);
}

/* the demo load takes seconds: before the per-input timeout starts counting */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *form = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!form)
		return 0;
	struct ts_arena a;
	ts_arena_init(&a, 16u << 20);
	struct ts_ctx ctx;
	ts_ctx_init_cli(&ctx, db, &a);
	struct ts_error err = {0};
	if (ts_iam_act_as(&ctx, "congdan1", &err))
		abort();
	/* the first byte picks the procedure: the demo one (no form fields) or the copy */
	struct ts_dossier_new in = {.procedure_code =
					size && data[0] & 1 ? PROC_FORM : "DEMO.000003",
				    .competent_unit_id = competent,
				    .receiving_unit_id = receiving,
				    .delivery = TS_DELIVERY_COUNTER,
				    .form_data = form,
				    .docs = docs,
				    .ndocs = ndocs};
	struct ts_dossier out;
	int rc = ts_dossier_submit(&ctx, &in, NULL, &out, &err);
	if (rc == 0 && !out.code)
		abort();
	if (rc != 0 && !err.code)
		abort(); /* a refusal always says why */
	json_decref(form);
	ts_arena_release(&a);
	return 0;
}
