/* period.c - report periods (Decree 09/2019/NĐ-CP, DOMAIN.md §8): month, quarter, half-year
 * and year with their cut-off days (15th of the month before to the 14th), and custom
 * ranges. Pure C: no storage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

#define MAX_CUSTOM_DAYS (3 * 366)

static int bad(struct ts_error *err, const char *detail)
{
	return ts_error_set(err, TS_ERR_VALIDATION, "period", "%s", detail);
}

/* From the 15th of (year, month - 1) to the 14th of (year, last_month). */
static void span(struct ts_stats_period *p, int year, int first_month, int last_month)
{
	int fy = year, fm = first_month - 1;
	if (fm == 0) {
		fm = 12;
		fy--;
	}
	p->from_day = ts_stats_day_from_ymd(fy, fm, 15);
	p->to_day = ts_stats_day_from_ymd(year, last_month, 14);
}

static void label(struct ts_stats_period *p)
{
	static const char *const names[] = {"Tháng", "Quý", "6 tháng", "Năm"};
	int a = ts_stats_day_ymd(p->from_day), b = ts_stats_day_ymd(p->to_day);
	char range[96];

	snprintf(range, sizeof(range), "%02d/%02d/%04d - %02d/%02d/%04d", a % 100, a / 100 % 100,
		 a / 10000, b % 100, b / 100 % 100, b / 10000);
	if (p->kind == TS_PERIOD_CUSTOM)
		snprintf(p->label, sizeof(p->label), "Từ %s", range);
	else if (p->kind == TS_PERIOD_YEAR)
		snprintf(p->label, sizeof(p->label), "Năm %d (%s)", p->year, range);
	else if (p->kind == TS_PERIOD_HALF)
		snprintf(p->label, sizeof(p->label), "%s %s năm %d (%s)", names[p->kind],
			 p->index == 1 ? "đầu" : "cuối", p->year, range);
	else
		snprintf(p->label, sizeof(p->label), "%s %d/%d (%s)", names[p->kind], p->index,
			 p->year, range);
}

int ts_stats_period_make(int kind, int year, int index, struct ts_stats_period *out,
			 struct ts_error *err)
{
	memset(out, 0, sizeof(*out));
	if (year < 2000 || year > 2199)
		return bad(err, "Năm báo cáo từ 2000 đến 2199");
	out->kind = kind;
	out->year = year;
	out->index = index;
	switch (kind) {
	case TS_PERIOD_MONTH:
		if (index < 1 || index > 12)
			return bad(err, "Tháng từ 1 đến 12");
		span(out, year, index, index);
		break;
	case TS_PERIOD_QUARTER:
		if (index < 1 || index > 4)
			return bad(err, "Quý từ 1 đến 4");
		span(out, year, 3 * index - 2, 3 * index);
		break;
	case TS_PERIOD_HALF:
		if (index < 1 || index > 2)
			return bad(err, "Kỳ 6 tháng là 1 hoặc 2");
		span(out, year, index == 1 ? 1 : 7, index == 1 ? 6 : 12);
		break;
	case TS_PERIOD_YEAR:
		out->index = 1;
		span(out, year, 1, 12);
		break;
	default:
		return bad(err, "Loại kỳ báo cáo không hợp lệ");
	}
	label(out);
	return 0;
}

/* "YYYY-MM-DD" -> day number, -1 when malformed. */
static int64_t parse_date(const char *s, size_t n)
{
	int y, m, d;
	char buf[16];

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && (buf[i] < '0' || buf[i] > '9'))
			return -1;
	y = (int)strtol(buf, NULL, 10);
	m = (int)strtol(buf + 5, NULL, 10);
	d = (int)strtol(buf + 8, NULL, 10);
	return ts_stats_day_from_ymd(y, m, d);
}

/* Whole decimal number of 1..max_digits digits, -1 otherwise. */
static int parse_uint(const char *s, size_t n, size_t max_digits)
{
	int v = 0;
	if (n == 0 || n > max_digits)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int ts_stats_period_parse(const char *s, struct ts_stats_period *out, struct ts_error *err)
{
	static const struct {
		const char *prefix;
		int kind;
	} kinds[] = {{"month:", TS_PERIOD_MONTH},
		     {"quarter:", TS_PERIOD_QUARTER},
		     {"half:", TS_PERIOD_HALF},
		     {"year:", TS_PERIOD_YEAR}};
	const char *dots;

	if (!s || !*s)
		return bad(err, "Thiếu kỳ báo cáo");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t pl = strlen(kinds[k].prefix);
		const char *rest, *dash;
		int year, index = 1;
		if (strncmp(s, kinds[k].prefix, pl) != 0)
			continue;
		rest = s + pl;
		dash = strchr(rest, '-');
		year = parse_uint(rest, dash ? (size_t)(dash - rest) : strlen(rest), 4);
		if (kinds[k].kind != TS_PERIOD_YEAR) {
			if (!dash)
				return bad(err, "Kỳ báo cáo dạng month:2026-03, quarter:2026-1, "
						"half:2026-1 hoặc year:2026");
			index = parse_uint(dash + 1, strlen(dash + 1), 2);
		} else if (dash) {
			year = -1;
		}
		if (year < 0 || index < 0)
			return bad(err, "Kỳ báo cáo không hợp lệ");
		return ts_stats_period_make(kinds[k].kind, year, index, out, err);
	}
	dots = strstr(s, "..");
	if (!dots)
		return bad(err, "Kỳ báo cáo dạng month:2026-03, quarter:2026-1, half:2026-1, "
				"year:2026 hoặc 2026-01-01..2026-03-31");
	memset(out, 0, sizeof(*out));
	out->kind = TS_PERIOD_CUSTOM;
	out->from_day = parse_date(s, (size_t)(dots - s));
	out->to_day = parse_date(dots + 2, strlen(dots + 2));
	if (out->from_day < 0 || out->to_day < 0)
		return bad(err, "Ngày không hợp lệ (dạng YYYY-MM-DD)");
	if (out->to_day < out->from_day)
		return bad(err, "Ngày kết thúc trước ngày bắt đầu");
	if (out->to_day - out->from_day >= MAX_CUSTOM_DAYS)
		return bad(err, "Khoảng thời gian tối đa 3 năm");
	out->year = ts_stats_day_ymd(out->to_day) / 10000;
	label(out);
	return 0;
}

void ts_stats_period_containing(int kind, int64_t day, struct ts_stats_period *out)
{
	int ymd = ts_stats_day_ymd(day), y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	int index;

	/* from the 15th on, a day belongs to the next month's period */
	if (d >= 15 && ++m == 13) {
		m = 1;
		y++;
	}
	switch (kind) {
	case TS_PERIOD_QUARTER:
		index = (m + 2) / 3;
		break;
	case TS_PERIOD_HALF:
		index = m <= 6 ? 1 : 2;
		break;
	case TS_PERIOD_YEAR:
		index = 1;
		break;
	default:
		kind = TS_PERIOD_MONTH;
		index = m;
		break;
	}
	if (ts_stats_period_make(kind, y, index, out, NULL) != 0) {
		memset(out, 0, sizeof(*out));
		out->kind = TS_PERIOD_CUSTOM;
		out->from_day = out->to_day = day;
		label(out);
	}
}
