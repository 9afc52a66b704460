/* attach.h - attachments of dossiers: uploads streamed to a temporary file while hashed,
 * stored once per content (SHA-256) in the blob folder, type detected from the content
 * (libmagic) against an allowed list, empty and truncated files refused, optional virus
 * scan through clamd, per-file and per-dossier caps, links to a required-document component
 * (input) or a result, with the digitised / reused / citizen's-data-store flags, re-use
 * from the same applicant's earlier dossiers, and downloads for those who may see the
 * dossier. Access to a dossier is decided by dossier/ (ts_dossier_get). Never sees HTTP
 * (attach_http.c is the adapter). */
#ifndef TS_ATTACH_ATTACH_H
#define TS_ATTACH_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "iam/iam.h"

/* ---- settings ---------------------------------------------------------------------- */

struct ts_attach_options {
	const char *dir;        /* blob folder (copied) */
	int64_t max_file;       /* bytes per file (default 20 MiB) */
	int64_t max_dossier;    /* bytes of all files linked to one dossier (default 100 MiB) */
	const char *clamd;      /* "" / NULL = no scan, "unix:PATH" or "tcp:HOST:PORT" (copied) */
	int clamd_timeout_s;    /* per scan (default 60) */
	bool hold_when_down;    /* scanner down: hold the file unscanned (true) or refuse (false) */
};
void ts_attach_defaults(struct ts_attach_options *o);
/* Sets the process-wide options, creating the blob folder (and its tmp/) when missing.
 * TS_ERR_CONFIG when the clamd address is malformed, TS_ERR_IO when the folder cannot be
 * made. Call once at start, before serving (not thread-safe against running requests). */
int ts_attach_configure(const struct ts_attach_options *o, struct ts_error *err);
/* Parses "refuse" / "hold" for attach.scan_unavailable; -1 when neither. */
int ts_attach_policy_parse(const char *s);

/* ---- pure helpers (names.c) --------------------------------------------------------- */

/* Cleans a file name sent by a client: keeps only the last path component ('/' and '\'),
 * drops control characters (C0, DEL, C1), invalid UTF-8 and the characters <>:"|?*, trims
 * spaces and dots at both ends, and cuts to at most 180 bytes on a code point boundary,
 * keeping the extension. Vietnamese letters are kept as sent. "" or nothing left -> "tep".
 * Result in a; NULL when the arena is full. Thread-safe. */
char *ts_attach_clean_name(struct ts_arena *a, const char *raw);
/* The Content-Disposition value for downloading a file named name (RFC 6266 / RFC 8187):
 * `attachment; filename="<ASCII fallback, diacritics folded>"; filename*=UTF-8''<pct>`.
 * Result in a; NULL when the arena is full. */
char *ts_attach_disposition(struct ts_arena *a, const char *name);

/* ---- types (magic.c) ----------------------------------------------------------------- */

/* One allowed type: MIME type as libmagic names it, usual extension, Vietnamese label. */
struct ts_attach_type {
	const char *mime, *ext, *label;
};
/* The type of the file at path from its content, if it is on the allowed list (PDF, JPEG,
 * PNG, DOC, DOCX, XLS, XLSX, ODT) and looks complete (PDF ends with %%EOF, PNG with IEND,
 * JPEG with EOI, ZIP-based formats have their central directory, OLE files whole sectors).
 * *type points to a static row. TS_ERR_UNSUPPORTED_MEDIA (err names the detected type),
 * TS_ERR_VALIDATION (field "file": truncated), TS_ERR_IO, TS_ERR_INTERNAL (no magic
 * database). Thread-safe (libmagic calls are serialised). */
int ts_attach_detect(const char *path, uint64_t size, const struct ts_attach_type **type,
		     struct ts_error *err);
/* The allowed row for a MIME type, or NULL. */
const struct ts_attach_type *ts_attach_type_of(const char *mime);

/* ---- virus scan (clamd.c) ------------------------------------------------------------ */

enum ts_scan_result { TS_SCAN_CLEAN, TS_SCAN_INFECTED, TS_SCAN_UNAVAILABLE };
/* Streams the open file fd (from offset 0) to clamd at addr ("unix:PATH" / "tcp:HOST:PORT")
 * with the INSTREAM command and reads the verdict. *result CLEAN / INFECTED (virus name in
 * detail) / UNAVAILABLE (cannot connect, timeout, clamd error such as its size limit;
 * reason in detail). detail (may be NULL) gets up to detailsz bytes. Returns 0 (the verdict
 * is in *result) or TS_ERR_CONFIG for a malformed addr. Thread-safe; blocks up to
 * timeout_s per socket operation. */
int ts_clamd_scan(const char *addr, int timeout_s, int fd, enum ts_scan_result *result,
		  char *detail, size_t detailsz, struct ts_error *err);

/* ---- files and links (attach.c) ------------------------------------------------------ */

enum ts_attach_kind { TS_ATTACH_INPUT, TS_ATTACH_RESULT };
const char *ts_attach_kind_name(int kind);
int ts_attach_kind_parse(const char *s); /* -1 when unknown */

/* One file linked to a dossier. Strings live in the arena of the call. */
struct ts_attach_link {
	int64_t id;            /* dossier_file id */
	int64_t file_id;
	const char *dossier_code;
	int kind;              /* enum ts_attach_kind */
	const char *component; /* required-document code (input) or result code */
	const char *name;      /* cleaned file name */
	const char *sha256;    /* 64 hex */
	int64_t size;
	const char *mime;
	const char *scan;      /* "clean" | "unscanned" | "pending" | "infected" */
	const char *scan_detail; /* the scanner's word: the signature found, or NULL */
	bool digitised, reused, from_datastore;
	int64_t source_id;     /* the link it was re-used from, 0 = uploaded */
	const char *source_dossier_code;
	const char *added_by;  /* account label */
	int64_t created_at;
};

/* A streamed upload to one dossier (one file part named "file" plus the plain fields
 * component, kind, digitised, from_datastore). Lives in ctx->arena; its temporary file is
 * removed when the arena is released unless the upload was stored. */
struct ts_attach_upload;

/* Checks that the actor may see the dossier (else TS_ERR_NOT_FOUND) and may add files to
 * it in its current status (TS_ERR_FORBIDDEN / TS_ERR_CONFLICT), before any byte is read.
 * *cap gets the largest body worth reading (the per-file cap plus form overhead). */
int ts_attach_upload_begin(struct ts_ctx *ctx, const char *dossier_code,
			   struct ts_attach_upload **out, uint64_t *cap, struct ts_error *err);
/* Feeds one chunk of a multipart part (start = first chunk of a part). The file part is
 * written to a temporary file and hashed as it arrives; going past the per-file cap or the
 * dossier's remaining room fails with TS_ERR_TOO_LARGE. Plain fields are capped at 256
 * bytes. A second file part fails with TS_ERR_VALIDATION. */
int ts_attach_upload_part(struct ts_attach_upload *u, const char *field, const char *filename,
			  bool start, const char *data, size_t len, struct ts_error *err);
/* Completes the upload: fields checked (component must be one of the dossier's declared
 * documents for inputs), file non-empty, type allowed and complete, virus scan (infected ->
 * TS_ERR_FILE_INFECTED; scanner down -> TS_ERR_SCANNER_DOWN, or held when so configured),
 * stored once per content, linked and audited in one transaction with the dossier's total
 * re-checked. out filled. */
int ts_attach_upload_finish(struct ts_attach_upload *u, struct ts_attach_link *out,
			    struct ts_error *err);

/* Re-uses the file of link source_id (a link of another dossier of the same applicant
 * account, which the actor may also see) as component of kind in dossier_code, flagged
 * reused. Same rules and caps as an upload. */
int ts_attach_reuse(struct ts_ctx *ctx, const char *dossier_code, int64_t source_id, int kind,
		    const char *component, bool digitised, struct ts_attach_link *out,
		    struct ts_error *err);

/* Links of a dossier the actor may see (removed ones left out), oldest first. */
int ts_attach_list(struct ts_ctx *ctx, const char *dossier_code, struct ts_attach_link **items,
		   int *n, struct ts_error *err);

/* One declared component of a dossier with its flags, which the files linked to it set
 * (dossier_document: the statistics count digitised / reused components from there). */
struct ts_attach_component {
	const char *code, *name;
	int originals, copies;
	bool digitised, reused, from_datastore;
};
/* The components of a dossier the actor may see, in declaration order (ctx->arena). */
int ts_attach_components(struct ts_ctx *ctx, const char *dossier_code,
			 struct ts_attach_component **items, int *n, struct ts_error *err);

/* Files the applicant of dossier_code has in their other dossiers (results first, newest
 * first, at most 100) that the actor may also see: candidates for ts_attach_reuse. */
int ts_attach_reusable(struct ts_ctx *ctx, const char *dossier_code,
		       struct ts_attach_link **items, int *n, struct ts_error *err);

/* Removes a link (the file stays stored for other links); same rules as adding. */
int ts_attach_remove(struct ts_ctx *ctx, const char *dossier_code, int64_t link_id,
		     struct ts_error *err);

/* Opens the content of link link_id of dossier_code for reading: *fd (caller closes) and
 * *link filled. A file held for scanning is scanned again first; still unscanned ->
 * TS_ERR_FILE_HELD; infected -> TS_ERR_FILE_INFECTED. TS_ERR_NOT_FOUND when the actor may
 * not see the dossier or the link is not one of its files. */
int ts_attach_open(struct ts_ctx *ctx, const char *dossier_code, int64_t link_id,
		   struct ts_attach_link *link, int *fd, struct ts_error *err);

/* What one re-scan pass did. */
struct ts_attach_rescan {
	int clean, infected; /* verdicts given by this pass */
	int failed;          /* files that could not be scanned (unreadable blob ...; logged):
	                      * they keep their lease and are tried again when it ends */
	bool scanner_down;   /* clamd still unreachable: the pass stopped early */
	int64_t still_held;  /* files held after the pass (all nodes) */
};
/* Scans again, one at a time, up to max (<= 0: 100) files held while the scanner was down.
 * Each file is claimed first with a lease in the store (attach_file_claim: FOR UPDATE SKIP
 * LOCKED on PostgreSQL), so nodes running the pass at once never scan the same file and a
 * node that dies mid-scan leaves the file to the next pass once the lease ends. Clean ->
 * released (downloadable); infected -> the blob moved to <dir>/quarantine, and on every
 * dossier linked to it an audit row and an outbox notice "dossier.file_infected" (with the
 * assignee) in the verdict's transaction; the file list shows scan "infected" with the
 * signature. clamd still down -> the file is given back and the pass stops (out->scanner_down).
 * A file that cannot be scanned for another reason is logged and counted in out->failed.
 * TS_ERR_CONFIG when no scanner is configured; DB errors. Thread-safe. */
int ts_attach_rescan_pending(struct ts_db *db, int max, struct ts_attach_rescan *out,
			     struct ts_error *err);
/* Starts the background pass of `serve`: ts_attach_rescan_pending every interval_s seconds
 * on its own thread (nothing when no scanner is configured or interval_s <= 0). Stop it with
 * ts_attach_rescanner_stop (wakes it at once and joins it) before closing db. */
int ts_attach_rescanner_start(struct ts_db *db, int interval_s, struct ts_error *err);
void ts_attach_rescanner_stop(void);

/* ---- HTTP adapters (attach_http.c) ---- */
struct ts_call;
extern const struct ts_json_spec ts_attach_spec_reuse;
int ts_attach_http_upload_open(struct ts_call *call, struct ts_error *err);
int ts_attach_http_upload(struct ts_call *call, struct ts_error *err);
int ts_attach_http_list(struct ts_call *call, struct ts_error *err);
int ts_attach_http_download(struct ts_call *call, struct ts_error *err);
int ts_attach_http_remove(struct ts_call *call, struct ts_error *err);
int ts_attach_http_reuse(struct ts_call *call, struct ts_error *err);
int ts_attach_http_reusable(struct ts_call *call, struct ts_error *err);

#endif
