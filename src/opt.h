/*
 * opt.h - table-driven option parsing for the subcommands.
 *
 * Each command declares a const table of tc_option; the same table parses
 * argv and prints the help text, so the two never disagree. Options are
 * "--name value", "--name=value" or "-x value"; "--" ends options.
 */
#ifndef TC_OPT_H
#define TC_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum tc_opt_type {
	TC_OPT_FLAG,   /* bool *dest = true */
	TC_OPT_STRING, /* const char **dest = value (last one wins) */
	TC_OPT_LIST,   /* tc_strlist *dest, appended */
	TC_OPT_INT,    /* long *dest, checked strtol */
} tc_opt_type;

typedef struct tc_strlist {
	const char **items; /* point into argv; the array is malloc'd */
	size_t len, cap;
} tc_strlist;

void tc_strlist_push(tc_strlist *l, const char *s);
void tc_strlist_release(tc_strlist *l);
/* Sort by bytes and drop repeats, so argument order never reaches output. */
void tc_strlist_sort_unique(tc_strlist *l);
bool tc_strlist_has(const tc_strlist *l, const char *s);

typedef struct tc_option {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 for none */
	tc_opt_type type;
	void *dest;
	const char *argname; /* "DIR", shown in help; NULL for flags */
	const char *help;
} tc_option;

/* Parse argv[1..argc) (argv[0] is the command name). Positional arguments
 * are collected in *positional (pointers into argv). Returns 0 on success,
 * 1 when --help was given (help printed to stdout), 2 on a usage error
 * (message printed to stderr as "tenantc CMD: ..."). */
int tc_opt_parse(const char *cmd, const char *usage, const tc_option *opts, int argc, char **argv,
                 tc_strlist *positional);
void tc_opt_help(FILE *f, const char *cmd, const char *usage, const tc_option *opts);

#endif
