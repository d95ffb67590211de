/*
 * opt.c - the option parser behind every subcommand (see opt.h).
 */
#include "opt.h"

#include "arena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tc_strlist_push(tc_strlist *l, const char *s)
{
	TC_GROW(l->items, l->cap, l->len + 1);
	l->items[l->len++] = s;
}

void tc_strlist_release(tc_strlist *l)
{
	free(l->items);
	l->items = NULL;
	l->len = l->cap = 0;
}

static int cmpstrp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void tc_strlist_sort_unique(tc_strlist *l)
{
	if (l->len < 2)
		return;
	qsort(l->items, l->len, sizeof *l->items, cmpstrp);
	size_t out = 1;
	for (size_t i = 1; i < l->len; i++)
		if (strcmp(l->items[i], l->items[out - 1]) != 0)
			l->items[out++] = l->items[i];
	l->len = out;
}

bool tc_strlist_has(const tc_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->len; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
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

static int set(const char *cmd, const tc_option *o, const char *val)
{
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
		if (errno || end == val || *end) {
			fprintf(stderr, "tenantc %s: '--%s' needs a whole number, not '%s'\n", cmd,
			        o->name, val);
			return 2;
		}
		*(long *)o->dest = v;
		return 0;
	}
	}
	return 2;
}

int tc_opt_parse(const char *cmd, const char *usage, const tc_option *opts, int argc, char **argv,
                 tc_strlist *positional)
{
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			tc_strlist_push(positional, a);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			tc_opt_help(stdout, cmd, usage, opts);
			return 1;
		}
		const tc_option *o;
		const char *val = NULL;
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(opts, name, n);
			if (!o) {
				fprintf(stderr, "tenantc %s: unknown option '--%.*s'\n", cmd, (int)n, name);
				fprintf(stderr, "usage: tenantc %s %s\n", cmd, usage ? usage : "[options]");
				return 2;
			}
			if (eq) {
				if (o->type == TC_OPT_FLAG) {
					fprintf(stderr, "tenantc %s: '--%s' takes no value\n", cmd,
					        o->name);
					return 2;
				}
				val = eq + 1;
			}
		} else {
			o = find_short(opts, a[1]);
			if (!o || a[2]) {
				fprintf(stderr, "tenantc %s: unknown option '%s'\n", cmd, a);
				fprintf(stderr, "usage: tenantc %s %s\n", cmd, usage ? usage : "[options]");
				return 2;
			}
		}
		if (o->type != TC_OPT_FLAG && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tenantc %s: '--%s' needs a value\n", cmd, o->name);
				return 2;
			}
			val = argv[++i];
		}
		int r = set(cmd, o, val);
		if (r)
			return r;
	}
	return 0;
}
