/*
 * cmd_schema.c - `tenantc schema import`: CustomResourceDefinitions into a
 * schema folder in kubeconform's layout.
 *
 *   tenantc schema import [--out DIR] CRD.yaml...
 *
 * Every CRD in the files (YAML streams) becomes
 * DIR/crd-json/<group>/<kind>_<version>.json per served version, and
 * DIR/crd-json/index.json is merged (see schema_crd.h). DIR defaults to
 * schemas/, the folder `tenantc validate` and render read by default.
 * Prints one line per file written to stdout.
 */
#include "cmd.h"

#include "fsutil.h"
#include "opt.h"
#include "schema_crd.h"
#include "yaml_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the loaders' own input limit */
#define IMPORT_MAX_INPUT ((size_t)16 << 20)

static tc_value *load_stream(tc_arena *a, tc_diags *d, const char *path)
{
	char *data;
	size_t len;
	if (tc_file_read_report(&data, &len, d, path, IMPORT_MAX_INPUT + 1) < 0)
		return NULL;
	tc_value *v = NULL;
	if (tc_yaml_load_stream(&v, a, d, path, data, len, NULL) < 0)
		v = NULL;
	free(data);
	return v;
}

static int import(const char *out, const tc_strlist *files)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_arena a;
	tc_arena_init(&a);
	tc_crd_import *im = tc_crd_import_new(out);
	for (size_t i = 0; i < files->len; i++) {
		tc_value *docs = load_stream(&a, &d, files->items[i]);
		if (docs)
			tc_crd_import_add(im, docs, files->items[i], &d);
	}
	long n = tc_crd_import_finish(im, &d);
	if (n >= 0)
		printf("imported %ld schema%s into %s/crd-json\n", n, n == 1 ? "" : "s", out);
	tc_diags_print(&d, stderr);
	int rc = tc_diags_exit_code(&d);
	tc_crd_import_free(im);
	tc_arena_release(&a);
	tc_diags_release(&d);
	return rc;
}

int tc_cmd_schema(int argc, char **argv)
{
	static const char usage[] = "import [--out DIR] CRD.yaml...";
	const char *out = "schemas";
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"out", 'o', TC_OPT_STRING, &out, "DIR",
	         "schema folder to write into (default: schemas)"},
		{0},
	};
	int r = tc_opt_parse("schema", usage, opts, argc, argv, &pos);
	if (r == 0 && (pos.len < 2 || strcmp(pos.items[0], "import") != 0)) {
		if (pos.len && strcmp(pos.items[0], "import") != 0)
			tc_usage_error(NULL, "'%s' is not a schema command", pos.items[0]);
		else
			tc_usage_error(NULL, "give at least one CRD file");
		fprintf(stderr, "usage: tenantc schema %s\n", usage);
		r = 2;
	}
	if (r == 0) {
		tc_strlist files = {0};
		for (size_t i = 1; i < pos.len; i++)
			tc_strlist_push(&files, pos.items[i]);
		r = import(out, &files);
		tc_strlist_release(&files);
	} else if (r == 1) {
		r = 0;
	}
	tc_strlist_release(&pos);
	return r;
}
