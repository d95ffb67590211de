/*
 * yamlcheck.c - a small driver for the io module, used by the error suite
 * and the round-trip tests.
 *
 *   yamlcheck [--stream] [--emit | --emit-json] FILE
 *
 * Loads FILE with tc_doc_load (JSON for *.json, else YAML; --stream: every
 * YAML document into an array, emitted as a stream), prints the
 * diagnostics to stderr and exits with tc_diags_exit_code. With --emit the
 * value is written to stdout as canonical YAML, with --emit-json as pretty
 * canonical JSON. FILE is reported exactly as given.
 */
#include "json_emit.h"
#include "json_load.h"
#include "yaml_emit.h"
#include "yaml_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr, "usage: yamlcheck [--stream] [--emit | --emit-json] FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	bool stream = false, emit = false, emit_json = false;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stream") == 0)
			stream = true;
		else if (strcmp(argv[i], "--emit") == 0)
			emit = true;
		else if (strcmp(argv[i], "--emit-json") == 0)
			emit_json = true;
		else if (argv[i][0] == '-' || file)
			return usage();
		else
			file = argv[i];
	}
	if (!file)
		return usage();

	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "%s: error: cannot open: %s\n", file, strerror(errno));
		return 2;
	}
	tc_buf data;
	tc_buf_init(&data, TC_BUF_UNLIMITED);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_add(&data, chunk, n);
	int rd = ferror(f);
	fclose(f);
	if (rd) {
		fprintf(stderr, "%s: error: cannot read\n", file);
		tc_buf_release(&data);
		return 2;
	}

	tc_arena a;
	tc_diags d;
	tc_arena_init(&a);
	tc_diags_init(&d);
	tc_value *v = NULL;
	int rc = stream ? tc_yaml_load_stream(&v, &a, &d, file, tc_buf_str(&data), data.len, NULL)
	                : tc_doc_load(&v, &a, &d, file, tc_buf_str(&data), data.len);
	if (rc == 0 && (emit || emit_json)) {
		tc_buf out;
		tc_buf_init(&out, TC_BUF_UNLIMITED);
		if (emit_json)
			tc_json_emit(&out, v, true);
		else if (stream)
			tc_yaml_emit_stream(&out, (const tc_value *const *)v->u.arr.items, v->u.arr.len);
		else
			tc_yaml_emit(&out, v);
		fwrite(out.ptr ? out.ptr : "", 1, out.len, stdout);
		tc_buf_release(&out);
	}
	tc_diags_print(&d, stderr);
	int code = tc_diags_exit_code(&d);
	if (rc < 0 && code == 0)
		code = 3; /* a failure without a diagnostic is a bug */
	tc_diags_release(&d);
	tc_arena_release(&a);
	tc_buf_release(&data);
	return code;
}
