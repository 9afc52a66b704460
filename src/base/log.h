/* log.h - one JSON line per event on stderr. Callers pass only fields that are safe to
 * log: never passwords, tokens, full personal ID numbers or request bodies. */
#ifndef TS_BASE_LOG_H
#define TS_BASE_LOG_H

enum ts_log_level { TS_LOG_DEBUG, TS_LOG_INFO, TS_LOG_WARN, TS_LOG_ERROR };

void ts_log_set_level(enum ts_log_level level);
/* Parses "debug|info|warn|error"; returns 0 or -1. */
int ts_log_level_parse(const char *s, enum ts_log_level *out);

/* Writes {"ts":..., "level":..., "msg":msg, k1:v1, ...}. The variadic part is pairs of
 * (const char *key, const char *value) ended by NULL; a value NULL is written as null.
 * Keys starting with '#' are written without the '#' as raw JSON numbers (value must be
 * a decimal string). Thread-safe (one write(2) per line). */
void ts_log(enum ts_log_level level, const char *msg, ...);

#endif
