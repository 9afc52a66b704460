/* fuzz_calendar.c - libFuzzer harness: the calendar functions (calendar/calendar.c,
 * lunar.c) with arbitrary numbers and strings: lunar <-> solar round trips, civil day
 * arithmetic, due times and working seconds, ISO and date parsing, holiday suggestions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"

static int64_t take(const uint8_t **p, size_t *n, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++) {
		v = v << 8 | (*n ? **p : 0);
		if (*n) {
			(*p)++;
			(*n)--;
		}
	}
	return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	struct ts_arena a;
	ts_arena_init(&a, 4u << 20);

	/* solar -> lunar -> solar is the identity on 1900..2199 */
	int y = 1900 + (int)(take(&p, &n, 2) % 300), m = 1 + (int)(take(&p, &n, 1) % 12),
	    d = 1 + (int)(take(&p, &n, 1) % 28);
	int ld, lm, ly, leap, d2, m2, y2;
	ts_solar_to_lunar(d, m, y, &ld, &lm, &ly, &leap);
	if (ts_lunar_to_solar(ld, lm, ly, leap, &d2, &m2, &y2) == 0 &&
	    (d2 != d || m2 != m || y2 != y))
		abort();
	/* any lunar date in: no crash */
	(void)ts_lunar_to_solar((int)take(&p, &n, 1), (int)take(&p, &n, 1), (int)take(&p, &n, 2),
				(int)take(&p, &n, 1) & 1, &d2, &m2, &y2);
	(void)ts_lunar_tet((int)(take(&p, &n, 2) % 400) + 1800);

	int64_t days = take(&p, &n, 4) - 0x7fffffff;
	ts_cal_civil_from_days(days % 3000000, &y, &m, &d);
	if (ts_cal_days_from_civil(y, m, d) != days % 3000000)
		abort();
	int32_t date = (int32_t)take(&p, &n, 4);
	if (ts_cal_date_valid(date))
		(void)ts_cal_weekday(date);

	struct ts_calendar c;
	ts_cal_default(&c);
	/* a few special days from the input (sorted, unique as the store gives them) */
	struct ts_cal_day *list = NULL;
	size_t nsug = 0;
	if (ts_cal_suggest_year(2000 + (int)(take(&p, &n, 1) % 60), &a, &list, &nsug) == 0) {
		c.days = list;
		c.ndays = nsug;
	}
	int64_t start = 1577836800 + take(&p, &n, 4) % 1000000000; /* 2020 .. 2051 */
	int64_t amount = take(&p, &n, 2) % 5000;
	int unit = (int)(take(&p, &n, 1) % 3);
	int64_t due = ts_cal_due(&c, start, amount, unit, take(&p, &n, 1) & 1);
	if (amount > 0 && due >= 0 && due < start)
		abort();
	int64_t t2 = ts_cal_add_working_seconds(&c, start, take(&p, &n, 4) % 100000000);
	if (t2 >= 0 && t2 < ts_cal_snap(&c, start))
		abort();
	if (ts_cal_working_seconds(&c, start, due) < 0)
		abort();

	/* strings: what is left of the input */
	char *s = ts_arena_strndup(&a, (const char *)p, n);
	if (s) {
		struct ts_error err = {0};
		int64_t t;
		int32_t dd;
		char buf[64];
		if (ts_cal_iso_parse(s, &t, "at", &err) == 0)
			(void)ts_cal_iso_format(t, buf, sizeof(buf));
		(void)ts_cal_date_parse(s, &dd, "date", &err);
		(void)ts_cal_unit_parse(s);
		(void)ts_cal_kind_parse(s);
	}
	ts_arena_release(&a);
	return 0;
}
