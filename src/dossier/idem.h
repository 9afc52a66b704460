/* idem.h - the upkeep of the Idempotency-Key answers (table idempotency_key, written by
 * dossier.c): keys older than the retention (idempotency.retention_hours) are forgotten in
 * bounded, audited batches, by `tinhso maintenance purge` and in the background of `serve`. */
#ifndef TS_DOSSIER_IDEM_H
#define TS_DOSSIER_IDEM_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Forgets the keys created more than retention_h hours before now (ts_dossier_now), in
 * write transactions of at most batch keys each (oldest first); each transaction that
 * deleted keys writes one audit row "idempotency.purge" with the count only (never a key
 * or an actor). *purged (may be NULL) gets the number forgotten, also when a later batch
 * fails. Returns 0 or a DB error. Thread-safe (several nodes may purge at once). */
int ts_dossier_idem_purge(struct ts_db *db, int retention_h, int batch, int64_t *purged,
			  struct ts_error *err);

/* The background purge of `serve`: ts_dossier_idem_purge every interval_s seconds (a timed
 * wait, no polling), the first one interval_s after the start; interval_s <= 0: none.
 * db borrowed until ts_dossier_idem_purger_stop, which wakes and joins the thread (a no-op
 * when not started). Start and stop from one thread. */
int ts_dossier_idem_purger_start(struct ts_db *db, int retention_h, int interval_s,
				 struct ts_error *err);
void ts_dossier_idem_purger_stop(void);

#endif
