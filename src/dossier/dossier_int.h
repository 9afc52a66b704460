/* dossier_int.h - what dossier.c lends the other files of the dossier module (queue.c);
 * not for other modules. */
#ifndef TS_DOSSIER_INT_H
#define TS_DOSSIER_INT_H

#include "dossier/dossier.h"

/* The module's clock (ts_dossier_set_clock), seconds. */
int64_t ts_dossier_now(void);
/* One dossier row (SELECT * FROM dossier) of r into d; strings point into r. */
void ts_dossier_from_row(const struct ts_dbres *r, int i, struct ts_dossier *d);
/* Does the actor hold role (-1 = any role) over unit (a grant on it or an ancestor)? */
int ts_dossier_holds_role(struct ts_ctx *ctx, struct ts_dbconn *c, int role, int64_t unit,
			  bool *ok, struct ts_error *err);
/* The command-line context acting as the system itself. */
bool ts_dossier_is_system(const struct ts_actor *a);

#endif
