/* fault.h - fault injection for test builds (TS_FAULT_INJECTION): make the Nth allocation
 * (base/mem.c wrappers) or the Nth query (db/db.c, at the entry of ts_db_query) of the
 * calling thread fail, to prove the error paths (tests/api/test_security.py sweeps N over
 * the API scenarios through the X-Tinhso-Fault request header, dispatch.c). Without
 * TS_FAULT_INJECTION nothing is ever armed and ts_fault_hit is always false. */
#ifndef TS_BASE_FAULT_H
#define TS_BASE_FAULT_H

#include <stdbool.h>

enum ts_fault_kind { TS_FAULT_ALLOC, TS_FAULT_QUERY };

struct ts_fault {
	enum ts_fault_kind kind;
	long n;	     /* 0-based: the nth next event of kind fails */
	bool sticky; /* and every one after it too */
};

/* Parses "alloc:N", "query:N" (only the Nth fails) or "alloc:N+" / "query:N+" (the Nth and
 * every later one), N in 0..1000000. Returns 0 or TS_ERR_VALIDATION. Pure; thread-safe. */
int ts_fault_parse(const char *spec, struct ts_fault *out);
/* Arms f for the calling thread only (others are untouched); replaces an earlier arming.
 * No-op unless built with TS_FAULT_INJECTION. */
void ts_fault_arm(const struct ts_fault *f);
/* Disarms the calling thread; returns how many events failed since ts_fault_arm. */
long ts_fault_disarm(void);
/* Counts one event of kind on the calling thread; true when it must fail. */
bool ts_fault_hit(enum ts_fault_kind kind);
/* Whether this build can inject faults at all. */
bool ts_fault_available(void);

#endif
