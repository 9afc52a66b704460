/* gendoc.h - documents generated from THE tables (commands, settings, errors), so the man
 * pages, the packaged config file and the troubleshooting page say what --help says:
 * `tinhso doc man1|man5|conf|errors` (main.c) prints them; the Debian package builds its
 * files with it. */
#ifndef TS_APP_GENDOC_H
#define TS_APP_GENDOC_H

#include <stddef.h>
#include <stdio.h>

#include "base/config.h"

/* One row of the command table as the documents need it (borrowed strings). */
struct ts_doc_command {
	const char *name;
	const char *usage; /* may hold "\n       tinhso ..." continuation lines */
	const char *help;
};

/* tinhso(1) in man(7) source: synopsis, every command, every setting as a flag. */
void ts_doc_man1(FILE *out, const struct ts_doc_command *cmds, size_t n, const char *version);
/* tinhso.conf(5) in man(7) source: the file syntax, precedence and every setting. */
void ts_doc_man5(FILE *out, const char *version);
/* A config file listing every setting with its help, bounds and default, commented out;
 * settings that cfg holds from a flag, file or the environment are written uncommented
 * with that value (the package sets its paths this way). Reading the output back with
 * ts_config_load_file gives cfg's values. */
void ts_doc_conf(FILE *out, const struct ts_config *cfg);
/* docs/troubleshooting.md: every error code of the error table with its HTTP status,
 * title and what an operator checks. Returns -1 (and writes nothing) when an error code
 * has no operator note, so a new code cannot be added without one. */
int ts_doc_errors(FILE *out);

#endif
