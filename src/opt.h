/*
 * opt.h - table-driven option parsing for the subcommands.
 *
 * Each command declares a const table of tc_option; the same table parses
 * argv and prints the help text, so the two never disagree. Options are
 * "--name value", "--name=value" or "-x value"; "--" ends options.
 *
 * The option's type says what a value must be, and the parser checks it:
 * a command never sees an empty value, a thread count of 0 or a time that
 * templates cannot read. Every usage error is one line on stderr,
 *   --jobs: error: '0' is not a number of threads between 1 and 1024
 * naming the option, or "tenantc: error: ..." when no one option is at
 * fault (tc_usage_error), the form diagnostics without a file take too.
 */
#ifndef TC_OPT_H
#define TC_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strlist.h"

/* Every type but TC_OPT_FLAG takes a value, and no value may be empty:
 * no option of ours means anything by "" (--repo '' is not '.'). */
typedef enum tc_opt_type {
	TC_OPT_FLAG,   /* bool *dest = true */
	TC_OPT_STRING, /* const char **dest = value (last one wins) */
	TC_OPT_LIST,   /* tc_strlist *dest, appended */
	TC_OPT_INT,    /* long *dest, checked strtol */
	TC_OPT_JOBS,   /* long *dest: worker threads, 1..TC_OPT_JOBS_MAX */
	TC_OPT_TIME,   /* const char **dest: an RFC 3339 time as templates read it */
	TC_OPT_SHARD,  /* const char **dest: "I/N" as tc_opt_shard() reads it */
	TC_OPT_LABEL,  /* const char **dest: a DNS-1123 label */
	TC_OPT_LABELS, /* tc_strlist *dest of DNS-1123 labels, appended */
	TC_OPT_CHOICE, /* const char **dest: one of the '|'-separated words of argname */
} tc_opt_type;

/* More threads than this is a typing mistake, not a machine: each worker
 * holds a job arena, and no host we render on has a thousand cores. */
#define TC_OPT_JOBS_MAX 1024

typedef struct tc_option {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 for none */
	tc_opt_type type;
	void *dest;
	const char *argname; /* "DIR", shown in help; NULL for flags */
	const char *help;
} tc_option;

/* Parse argv[1..argc) (argv[0] is the command name). Positional arguments
 * are collected in *positional (pointers into argv); an empty one is a
 * usage error. Returns 0 on success, 1 when --help was given (help printed
 * to stdout), 2 on a usage error (printed by tc_usage_error). */
int tc_opt_parse(const char *cmd, const char *usage, const tc_option *opts, int argc, char **argv,
                 tc_strlist *positional);
void tc_opt_help(FILE *f, const char *cmd, const char *usage, const tc_option *opts);

/* tc_opt_parse for a command that takes exactly one positional argument,
 * named what in the usage error ("TEMPLATE"): the same returns, and 2 with
 * the error and the help on stderr when there is none or more than one. */
int tc_opt_parse_one(const char *cmd, const char *usage, const tc_option *opts, int argc,
                     char **argv, tc_strlist *positional, const char *what);

/* Print a usage error, "ARG: error: MESSAGE" for the argument at fault
 * ("--jobs") or "tenantc: error: MESSAGE" when arg is NULL, as one line on
 * stderr. Returns 2, the exit status of a usage error. */
int tc_usage_error(const char *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Split a --shard value "I/N" (decimal digits only, 1 <= I <= N, no sign,
 * no spaces, nothing after N) into *index = I - 1 and *count = N.
 * Returns 0, or -1 when s is not one. */
int tc_opt_shard(long *index, long *count, const char *s) __attribute__((warn_unused_result));

#endif
