/*
 * jsonschema_suite.c - runs the official JSON Schema Test Suite
 * (../shared/conformance/json-schema) against tenantc's validator.
 *
 * Usage: jsonschema_suite SUITE_DIR [--optional]
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
 * --optional it also runs optional/ (format assertion off) and
 * optional/format/ (format assertion on) and prints their counts, which
 * do not affect the exit status. Exits 77 (skip) when SUITE_DIR is absent.
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

typedef struct counts {
	size_t passed, total;
} counts;

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
                     counts *cnt, bool show_failures)
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
			if (show_failures) {
				printf("FAIL %s: %s: the schema does not compile:\n", path,
				       desc ? desc->u.str.ptr : "?");
				tc_diags_print(&cd, stdout);
			}
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
			} else if (show_failures) {
				printf("FAIL %s: %s: %s (expected %s)\n", path,
				       desc ? desc->u.str.ptr : "?", tdesc ? tdesc->u.str.ptr : "?",
				       valid->u.b ? "valid" : "invalid");
			}
		}
		tc_schema_free(s);
	}
	tc_diags_release(&d);
}

static void run_dir(tc_schema_store *st, const char *dir, tc_schema_draft draft, bool formats,
                    counts *cnt, bool show_failures)
{
	size_t n;
	char **names = list_dir(dir, ".json", &n);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_arena_printf(tc_schema_store_arena(st), "%s/%s", dir, names[i]);
		run_file(st, path, draft, formats, cnt, show_failures);
	}
	free_list(names, n);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: jsonschema_suite SUITE_DIR [--optional]\n");
		return 2;
	}
	const char *root = argv[1];
	bool optional = argc > 2 && strcmp(argv[2], "--optional") == 0;
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
		run_dir(st, tc_arena_printf(&a, "%s/%s", tests, dn), drafts[i].draft, false, &req, true);
		printf("json-schema %s: %zu/%zu passed\n", dn, req.passed, req.total);
		if (req.total == 0 || req.passed * 100 < req.total * 98)
			rc = 1;
		if (optional) {
			counts opt = {0}, fmt = {0};
			run_dir(st, tc_arena_printf(&a, "%s/%s/optional", tests, dn), drafts[i].draft,
			        false, &opt, true);
			run_dir(st, tc_arena_printf(&a, "%s/%s/optional/format", tests, dn),
			        drafts[i].draft, true, &fmt, true);
			printf("json-schema %s optional: %zu/%zu passed\n", dn, opt.passed, opt.total);
			printf("json-schema %s optional/format: %zu/%zu passed\n", dn, fmt.passed,
			       fmt.total);
		}
		tc_schema_store_free(st);
	}
	tc_arena_release(&a);
	return rc;
}
