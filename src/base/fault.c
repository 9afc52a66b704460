/* fault.c - per-thread fault injection of test builds (see fault.h): a countdown of the
 * allocations or queries the armed thread makes, checked by the allocation wrappers and
 * by ts_db_query's entry. Thread-local, so a test can fail one request's Nth step while
 * other requests run untouched. */
#include "base/fault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#ifdef TS_FAULT_INJECTION
static _Thread_local bool t_armed;
static _Thread_local struct ts_fault t_fault;
static _Thread_local long t_seen, t_fired;
#endif

int ts_fault_parse(const char *spec, struct ts_fault *out)
{
	static const struct {
		const char *name;
		enum ts_fault_kind kind;
	} kinds[] = {{"alloc:", TS_FAULT_ALLOC}, {"query:", TS_FAULT_QUERY}};
	if (!spec || !out)
		return TS_ERR_VALIDATION;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t k = strlen(kinds[i].name);
		if (strncmp(spec, kinds[i].name, k) != 0)
			continue;
		const char *p = spec + k;
		if (*p < '0' || *p > '9')
			return TS_ERR_VALIDATION;
		char *end = NULL;
		errno = 0;
		long n = strtol(p, &end, 10);
		if (errno || n < 0 || n > 1000000)
			return TS_ERR_VALIDATION;
		bool sticky = false;
		if (*end == '+') {
			sticky = true;
			end++;
		}
		if (*end)
			return TS_ERR_VALIDATION;
		*out = (struct ts_fault){.kind = kinds[i].kind, .n = n, .sticky = sticky};
		return 0;
	}
	return TS_ERR_VALIDATION;
}

void ts_fault_arm(const struct ts_fault *f)
{
#ifdef TS_FAULT_INJECTION
	t_fault = *f;
	t_seen = t_fired = 0;
	t_armed = true;
#else
	(void)f;
#endif
}

long ts_fault_disarm(void)
{
#ifdef TS_FAULT_INJECTION
	t_armed = false;
	return t_fired;
#else
	return 0;
#endif
}

bool ts_fault_hit(enum ts_fault_kind kind)
{
#ifdef TS_FAULT_INJECTION
	if (!t_armed || kind != t_fault.kind)
		return false;
	long i = t_seen++;
	if (i == t_fault.n || (t_fault.sticky && i > t_fault.n)) {
		t_fired++;
		return true;
	}
#else
	(void)kind;
#endif
	return false;
}

bool ts_fault_available(void)
{
#ifdef TS_FAULT_INJECTION
	return true;
#else
	return false;
#endif
}
