/*
 * jsonschema_suite.c - runs the official JSON Schema Test Suite
 * (../shared/conformance/json-schema) against tenantc's validator.
 *
 * Usage: jsonschema_suite SUITE_DIR [--optional LIST]
 *
 * For draft2020-12 and draft4 it runs every file directly in tests/<draft>/
 * (the required tests), compiling each case's schema once and checking
 * every instance with tc_schema_valid. References to http://localhost:1234/
 * are mapped to remotes/ and the meta-schemas in metaschemas/ are
 * registered under their ids, as the suite's README describes. draft4
 * cases are compiled with draft-04 rules (they carry no "$schema").
 *
 * Prints "json-schema <draft>: N/M passed" per draft and the failing
 * cases, and exits 1 when fewer than 98% of a draft's tests pass. With
 * --optional LIST it also runs optional/ (format assertion off) and
 * optional/format/ (format assertion on), prints their counts, and
 * compares their failures with LIST, the accepted ones (one
 * "<file>: <case>: <test>" per line, paths below tests/): any difference,
 * a new failure or a fixed one, makes it exit 1, so the list stays true.
 * Exits 77 (skip) when SUITE_DIR is absent.
 */
#include "json_load.h"
#include "schema.h"
#include "schema_check.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* a list of strings (the items are not owned) */
typedef struct slist {
	const char **items;
	size_t len, cap;
} slist;

static void slist_push(slist *l, const char *s)
{
	TC_GROW(l->items, l->cap, l->len + 1);
	l->items[l->len++] = s;
}

static int cmpp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void slist_sort(slist *l)
{
	if (l->len > 1)
		qsort(l->items, l->len, sizeof *l->items, cmpp);
}

static bool slist_has(const slist *l, const char *s)
{
	return l->len && bsearch(&s, l->items, l->len, sizeof *l->items, cmpp);
}

static void slist_release(slist *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

typedef struct counts {
	size_t passed, total;
	slist *fails; /* NULL: print failures; else collect them (malloc'd) */
	size_t skip;       /* bytes of the path prefix to drop in collected names */
} counts;

static void failed(counts *cnt, const char *path, const char *cdesc, const char *tdesc,
                   bool valid)
{
	if (!cnt->fails) {
		printf("FAIL %s: %s: %s (expected %s)\n", path, cdesc, tdesc,
		       valid ? "valid" : "invalid");
		return;
	}
	size_t n = strlen(path) + strlen(cdesc) + strlen(tdesc) + 8;
	char *s = tc_xmalloc(n);
	snprintf(s, n, "%s: %s: %s", path + cnt->skip, cdesc, tdesc);
	slist_push(cnt->fails, s);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in dir ending in suffix (or all with suffix ""), sorted */
static char **list_dir(const char *dir, const char *suffix, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)
			continue;
		TC_GROW(names, cap, *n + 1);
		names[(*n)++] = tc_xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmpstr);
	return names;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void register_meta(tc_schema_store *st, tc_diags *d, const char *dir)
{
	size_t n;
	char **names = list_dir(dir, ".json", &n);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_arena_printf(tc_schema_store_arena(st), "%s/%s", dir, names[i]);
		tc_value *v = tc_schema_store_load_file(st, d, path);
		const tc_value *id = v ? tc_value_getz(v, "$id") : NULL;
		if (!id)
			id = v ? tc_value_getz(v, "id") : NULL;
		if (id && id->kind == TC_STR)
			tc_schema_store_add(st, id->u.str.ptr, v);
	}
	free_list(names, n);
}

static void run_file(tc_schema_store *st, const char *path, tc_schema_draft draft, bool formats,
                     counts *cnt)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *doc = tc_schema_store_load_file(st, &d, path);
	if (!doc || doc->kind != TC_ARRAY) {
		tc_diags_print(&d, stdout);
		printf("FAIL %s: cannot load the test file\n", path);
		cnt->total++;
		tc_diags_release(&d);
		return;
	}
	for (size_t i = 0; i < doc->u.arr.len; i++) {
		const tc_value *c = doc->u.arr.items[i];
		const tc_value *schema = tc_value_getz(c, "schema");
		const tc_value *tests = tc_value_getz(c, "tests");
		const tc_value *desc = tc_value_getz(c, "description");
		if (!schema || !tests || tests->kind != TC_ARRAY)
			continue;
		tc_schema_opts o = {.draft = draft, .format_assert = formats};
		tc_schema *s = NULL;
		tc_diags cd;
		tc_diags_init(&cd);
		if (tc_schema_compile(&s, st, schema, &o, &cd) < 0) {
			cnt->total += tests->u.arr.len;
			for (size_t k = 0; k < tests->u.arr.len; k++) {
				const tc_value *td = tc_value_getz(tests->u.arr.items[k], "description");
				const tc_value *tv = tc_value_getz(tests->u.arr.items[k], "valid");
				failed(cnt, path, desc ? desc->u.str.ptr : "?",
				       td ? td->u.str.ptr : "?", tv && tv->kind == TC_BOOL && tv->u.b);
			}
			if (!cnt->fails)
				tc_diags_print(&cd, stdout);
			tc_diags_release(&cd);
			continue;
		}
		tc_diags_release(&cd);
		for (size_t k = 0; k < tests->u.arr.len; k++) {
			const tc_value *t = tests->u.arr.items[k];
			const tc_value *data = tc_value_getz(t, "data");
			const tc_value *valid = tc_value_getz(t, "valid");
			const tc_value *tdesc = tc_value_getz(t, "description");
			if (!data || !valid || valid->kind != TC_BOOL)
				continue;
			cnt->total++;
			bool got = tc_schema_valid(s, data);
			if (got == valid->u.b) {
				cnt->passed++;
			} else {
				failed(cnt, path, desc ? desc->u.str.ptr : "?",
				       tdesc ? tdesc->u.str.ptr : "?", valid->u.b);
			}
		}
		tc_schema_free(s);
	}
	tc_diags_release(&d);
}

static void run_dir(tc_schema_store *st, const char *dir, tc_schema_draft draft, bool formats,
                    counts *cnt)
{
	size_t n;
	char **names = list_dir(dir, ".json", &n);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_arena_printf(tc_schema_store_arena(st), "%s/%s", dir, names[i]);
		run_file(st, path, draft, formats, cnt);
	}
	free_list(names, n);
}

/* Compare the optional failures with the accepted list; print the
 * differences. */
static int compare(const char *listfile, slist *fails)
{
	slist want = {0};
	char *text = NULL;
	FILE *f = fopen(listfile, "rb");
	if (!f) {
		printf("FAIL cannot read %s\n", listfile);
		return -1;
	}
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_add(&b, chunk, n);
	fclose(f);
	text = tc_buf_detach(&b, NULL);
	for (char *line = text, *next; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (*line && *line != '#')
			slist_push(&want, line);
	}
	slist_sort(&want);
	slist_sort(fails);
	int r = 0;
	for (size_t i = 0; i < fails->len; i++)
		if (!slist_has(&want, fails->items[i])) {
			printf("NEW FAILURE %s\n", fails->items[i]);
			r = -1;
		}
	for (size_t i = 0; i < want.len; i++)
		if (!slist_has(fails, want.items[i])) {
			printf("NOW PASSES (remove it from the list) %s\n", want.items[i]);
			r = -1;
		}
	printf("json-schema optional: %zu accepted failures, list %s\n", fails->len,
	       r ? "differs" : "matches");
	slist_release(&want);
	free(text);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: jsonschema_suite SUITE_DIR [--optional LIST]\n");
		return 2;
	}
	const char *root = argv[1];
	const char *accepted = argc > 3 && strcmp(argv[2], "--optional") == 0 ? argv[3] : NULL;
	slist fails = {0};
	tc_arena a;
	tc_arena_init(&a);
	const char *tests = tc_arena_printf(&a, "%s/tests", root);
	if (!is_dir(tests)) {
		printf("SKIP: %s not found\n", tests);
		tc_arena_release(&a);
		return 77;
	}
	static const struct {
		const char *name;
		tc_schema_draft draft;
	} drafts[] = {{"draft2020-12", TC_DRAFT_2020}, {"draft4", TC_DRAFT_4}};
	int rc = 0;
	for (size_t i = 0; i < 2; i++) {
		const char *dn = drafts[i].name;
		tc_schema_store *st = tc_schema_store_new();
		tc_diags d;
		tc_diags_init(&d);
		tc_schema_store_map(st, "http://localhost:1234/", tc_arena_printf(&a, "%s/remotes", root));
		register_meta(st, &d, tc_arena_printf(&a, "%s/metaschemas/%s", root, dn));
		register_meta(st, &d, tc_arena_printf(&a, "%s/metaschemas/%s/meta", root, dn));
		tc_diags_print(&d, stdout);
		tc_diags_release(&d);

		counts req = {0};
		run_dir(st, tc_arena_printf(&a, "%s/%s", tests, dn), drafts[i].draft, false, &req);
		printf("json-schema %s: %zu/%zu passed\n", dn, req.passed, req.total);
		if (req.total == 0 || req.passed * 100 < req.total * 98)
			rc = 1;
		if (accepted) {
			counts opt = {0, 0, &fails, strlen(tests) + 1};
			counts fmt = opt;
			run_dir(st, tc_arena_printf(&a, "%s/%s/optional", tests, dn), drafts[i].draft,
			        false, &opt);
			run_dir(st, tc_arena_printf(&a, "%s/%s/optional/format", tests, dn),
			        drafts[i].draft, true, &fmt);
			printf("json-schema %s optional: %zu/%zu passed\n", dn, opt.passed, opt.total);
			printf("json-schema %s optional/format: %zu/%zu passed\n", dn, fmt.passed,
			       fmt.total);
		}
		tc_schema_store_free(st);
	}
	if (accepted && compare(accepted, &fails) != 0)
		rc = 1;
	for (size_t i = 0; i < fails.len; i++)
		free((char *)fails.items[i]);
	slist_release(&fails);
	tc_arena_release(&a);
	return rc;
}
