/*
 * opt.c - the option parser behind every subcommand (see opt.h).
 *
 * Values are checked here, by the option's type, so that every command
 * refuses the same bad value with the same message; and every usage error
 * of every command is printed by tc_usage_error, in one form.
 */
#include "opt.h"

#include "arena.h"
#include "jsone_builtins.h"
#include "k8s.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int tc_usage_error(const char *arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: error: ", arg ? arg : "tenantc");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

/* s[0..n) as a decimal number of at most max: digits only (no sign, no
 * space, no "0x"), so that "+4", " 4" and "4k" are not 4. */
static bool count(long *out, const char *s, size_t n, long max)
{
	if (n == 0)
		return false;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		int digit = s[i] - '0';
		if (v > (max - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}

int tc_opt_shard(long *index, long *count_out, const char *s)
{
	const char *slash = strchr(s, '/');
	long i, n;
	if (!slash || !count(&i, s, (size_t)(slash - s), LONG_MAX) ||
	    !count(&n, slash + 1, strlen(slash + 1), LONG_MAX) || i < 1 || i > n)
		return -1;
	*index = i - 1; /* 1-based on the command line */
	*count_out = n;
	return 0;
}

/* Is v one of the '|'-separated words of choices? */
static bool is_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t k = bar ? (size_t)(bar - p) : strlen(p);
		if (k == n && memcmp(p, v, n) == 0)
			return true;
		p += k + (bar != NULL);
	}
	return false;
}

/* "a|b|c" as "a, b or c", cut to fit out. */
static void choice_words(char *out, size_t cap, const char *choices)
{
	size_t len = 0;
	const char *last = strrchr(choices, '|');
	for (const char *p = choices; *p && len + 1 < cap; p++) {
		const char *add = *p != '|' ? NULL : p == last ? " or " : ", ";
		int w = add ? snprintf(out + len, cap - len, "%s", add)
		            : snprintf(out + len, cap - len, "%c", *p);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	out[len < cap ? len : cap - 1] = 0;
}

void tc_opt_help(FILE *f, const char *cmd, const char *usage, const tc_option *opts)
{
	fprintf(f, "usage: tenantc %s %s\n", cmd, usage ? usage : "[options]");
	if (!opts || !opts->name)
		return;
	fputc('\n', f);
	for (const tc_option *o = opts; o->name; o++) {
		char left[64];
		int n;
		if (o->short_name)
			n = snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name);
		else
			n = snprintf(left, sizeof left, "    --%s", o->name);
		if (o->argname && n > 0 && (size_t)n < sizeof left)
			snprintf(left + n, sizeof left - (size_t)n, " %s", o->argname);
		fprintf(f, "  %-28s %s\n", left, o->help ? o->help : "");
	}
}

static const tc_option *find_long(const tc_option *opts, const char *name, size_t n)
{
	for (const tc_option *o = opts; o && o->name; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

static const tc_option *find_short(const tc_option *opts, char c)
{
	for (const tc_option *o = opts; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int set(const tc_option *o, const char *val)
{
	char arg[64];
	snprintf(arg, sizeof arg, "--%s", o->name);
	if (o->type != TC_OPT_FLAG && !*val)
		return tc_usage_error(arg, "needs a value, not an empty string");
	switch (o->type) {
	case TC_OPT_FLAG:
		*(bool *)o->dest = true;
		return 0;
	case TC_OPT_STRING:
		*(const char **)o->dest = val;
		return 0;
	case TC_OPT_LIST:
		tc_strlist_push(o->dest, val);
		return 0;
	case TC_OPT_INT: {
		char *end;
		errno = 0;
		long v = strtol(val, &end, 10);
		if (errno || end == val || *end)
			return tc_usage_error(arg, "'%s' is not a whole number", val);
		*(long *)o->dest = v;
		return 0;
	}
	case TC_OPT_JOBS: {
		long v;
		if (!count(&v, val, strlen(val), TC_OPT_JOBS_MAX) || v < 1)
			return tc_usage_error(arg,
			                      "'%s' is not a number of threads between 1 and %d",
			                      val, TC_OPT_JOBS_MAX);
		*(long *)o->dest = v;
		return 0;
	}
	case TC_OPT_TIME: {
		/* the parser fromNow uses: a time it cannot read would fail
		 * every template that reads it, far from the command line */
		int64_t ms;
		if (!tc_jsone_parse_time(&ms, val, strlen(val)))
			return tc_usage_error(arg,
			                      "'%s' is not an RFC 3339 time like "
			                      "2026-01-02T03:04:05Z",
			                      val);
		*(const char **)o->dest = val;
		return 0;
	}
	case TC_OPT_SHARD: {
		long i, n;
		if (tc_opt_shard(&i, &n, val))
			return tc_usage_error(arg, "'%s' is not I/N with 1 <= I <= N", val);
		*(const char **)o->dest = val;
		return 0;
	}
	case TC_OPT_LABEL:
	case TC_OPT_LABELS:
		if (!tc_k8s_is_dns_label(val, strlen(val)))
			return tc_usage_error(arg,
			                      "'%s' is not a DNS-1123 label (at most 63 lower-case "
			                      "letters, digits and '-', starting and ending with a "
			                      "letter or digit)",
			                      val);
		if (o->type == TC_OPT_LABEL)
			*(const char **)o->dest = val;
		else
			tc_strlist_push(o->dest, val);
		return 0;
	case TC_OPT_CHOICE:
		if (!is_choice(o->argname, val)) {
			char words[256];
			choice_words(words, sizeof words, o->argname);
			return tc_usage_error(arg, "'%s' is not %s", val, words);
		}
		*(const char **)o->dest = val;
		return 0;
	}
	return 2;
}

static int unknown_option(const char *cmd, const char *usage)
{
	fprintf(stderr, "usage: tenantc %s %s\n", cmd, usage ? usage : "[options]");
	return 2;
}

/* The option that argument a names ("--name", "--name=value" or "-x") into
 * *out, with the value after '=' in *val; 0, or the status of a usage error. */
static int find_option(const tc_option **out, const char **val, const char *cmd, const char *usage,
                       const tc_option *opts, const char *a)
{
	if (a[1] != '-') {
		*out = find_short(opts, a[1]);
		if (*out && !a[2])
			return 0;
		tc_usage_error(NULL, "unknown option '%s'", a);
		return unknown_option(cmd, usage);
	}
	const char *name = a + 2;
	const char *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	*out = find_long(opts, name, n);
	if (!*out) {
		tc_usage_error(NULL, "unknown option '--%.*s'", (int)n, name);
		return unknown_option(cmd, usage);
	}
	if (!eq)
		return 0;
	if ((*out)->type == TC_OPT_FLAG)
		return tc_usage_error(NULL, "'--%s' takes no value", (*out)->name);
	*val = eq + 1;
	return 0;
}

/* The option argument argv[*i]: its value from '=' or the next argument (*i
 * moves past it), then set. 0, 1 for --help, or a usage error's status. */
static int take_option(const char *cmd, const char *usage, const tc_option *opts, int argc,
                       char **argv, int *i)
{
	const char *a = argv[*i];
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		tc_opt_help(stdout, cmd, usage, opts);
		return 1;
	}
	const tc_option *o;
	const char *val = NULL;
	int r = find_option(&o, &val, cmd, usage, opts, a);
	if (r)
		return r;
	if (o->type != TC_OPT_FLAG && !val) {
		if (*i + 1 >= argc)
			return tc_usage_error(NULL, "'%s' needs a value", a);
		val = argv[++*i];
	}
	return set(o, val);
}

int tc_opt_parse(const char *cmd, const char *usage, const tc_option *opts, int argc, char **argv,
                 tc_strlist *positional)
{
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (!*a)
				return tc_usage_error(NULL, "argument %d is an empty string", i);
			tc_strlist_push(positional, a);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		int r = take_option(cmd, usage, opts, argc, argv, &i);
		if (r)
			return r;
	}
	return 0;
}

int tc_opt_parse_one(const char *cmd, const char *usage, const tc_option *opts, int argc,
                     char **argv, tc_strlist *positional, const char *what)
{
	int r = tc_opt_parse(cmd, usage, opts, argc, argv, positional);
	if (r == 0 && positional->len != 1) {
		tc_usage_error(NULL, "expected exactly one %s", what);
		tc_opt_help(stderr, cmd, usage, opts);
		r = 2;
	}
	return r;
}
