/* err.c - lookups into the error table of err.h. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_row {
	int status;
	const char *code;
	const char *title;
};

static const struct err_row rows[] = {
#define X(name, status, code, title) {status, code, title},
	TS_ERR_TABLE(X)
#undef X
};

static const struct err_row *row_of(int code)
{
	int i = code - TS_ERR__FIRST_ - 1;
	if (i < 0 || i >= (int)(sizeof(rows) / sizeof(rows[0])))
		return &rows[0];
	return &rows[i];
}

int ts_err_status(int code) { return row_of(code)->status; }
const char *ts_err_code(int code) { return row_of(code)->code; }
const char *ts_err_title(int code) { return row_of(code)->title; }

void ts_error_clear(struct ts_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int ts_error_set(struct ts_error *err, int code, const char *field, const char *fmt, ...)
{
	if (!err || err->code)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	err->detail[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
		va_end(ap);
	}
	return code;
}
