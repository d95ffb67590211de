/*
 * cmd_eval.c - `tenantc eval`: render one JSON-e template and print it.
 *
 *   tenantc eval TEMPLATE [--context FILE] [--format json|yaml] [--now TIME]
 *                [--files DIR] [--pure]
 *
 * Template and context are YAML or JSON (by file name, as everywhere). The
 * result goes to stdout as pretty JSON (default) or canonical YAML; an
 * error goes to stderr as "file:line:col: error: Kind at template...:
 * message" with the position of the template node that failed, and the
 * exit status is 2. This is the command users debug their templates with,
 * so it offers the same helpers as rendering (b64encode, sha256, toJson,
 * ... and file() when --files is given); --pure turns them off to get the
 * bare language of the specification.
 *
 * "now" is never the clock: --now, else SOURCE_DATE_EPOCH, else the commit
 * time of HEAD when the current directory is in a git repository, else
 * 1970-01-01T00:00:00.000Z.
 */
#include "cmd.h"

#include "fsutil.h"
#include "json_emit.h"
#include "json_load.h"
#include "jsone.h"
#include "jsone_builtins.h"
#include "opt.h"
#include "source.h"
#include "yaml_emit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "TEMPLATE [--context FILE] [--format json|yaml] [--now TIME] "
			    "[--files DIR] [--pure]";

/* 16 MiB, the loaders' own input limit */
#define MAX_INPUT ((size_t)16 << 20)

/* file(name): the content of DIR/name, a text file. */
static int host_file(tc_value **out, void *ud, tc_arena *a, tc_diags *d, tc_pos pos,
                     tc_value *const *args, size_t nargs)
{
	const char *dir = ud;
	if (nargs != 1 || args[0]->kind != TC_STR || !tc_source_path_ok(args[0]->u.str.ptr) ||
	    strlen(args[0]->u.str.ptr) != args[0]->u.str.len)
		return tc_error(d, pos, NULL,
		                "BuiltinError: invalid arguments to builtin: file: expected one "
		                "relative path without '..'");
	char *path = tc_arena_printf(a, "%s/%s", dir, args[0]->u.str.ptr);
	char *data;
	size_t len;
	if (tc_file_read_report(&data, &len, d, path, MAX_INPUT + 1))
		return -1;
	*out = tc_value_str(a, data, len, pos);
	free(data);
	return 0;
}

static const char *default_now(tc_arena *a)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	int64_t secs = 0;
	if (sde && *sde) {
		char *end;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (!*end && errno == 0)
			secs = v;
	} else {
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s = NULL;
		if (tc_source_open(&s, &d, ".", TC_SOURCE_WORKTREE, NULL) == 0) {
			secs = tc_source_commit_time(s);
			tc_source_free(s);
		}
		tc_diags_release(&d);
	}
	char buf[32];
	if (!tc_jsone_format_time(buf, secs * 1000))
		return "1970-01-01T00:00:00.000Z";
	return tc_arena_strdup(a, buf);
}

typedef struct eval_opts {
	const char *ctx_path, *format, *now, *files;
	bool pure;
	int64_t now_ms; /* --now, parsed */
} eval_opts;

/* Render the template at path with its context; 0, or 2 with the
 * diagnostics in d. */
static int eval_template(tc_value **out, tc_arena *a, tc_diags *d, const char *path,
                         const eval_opts *o)
{
	tc_value *tmpl = NULL, *ctx = NULL;
	if (tc_doc_load_file(&tmpl, a, d, path) ||
	    (o->ctx_path && tc_doc_load_file(&ctx, a, d, o->ctx_path)))
		return 2;
	char nowbuf[32];
	const char *now = o->now;
	if (now && tc_jsone_format_time(nowbuf, o->now_ms))
		now = nowbuf;
	else if (!now && !tc_value_getz(ctx, "now")) /* a context now wins anyway */
		now = default_now(a);
	bool host_files = o->files && !o->pure;
	tc_jsone_host host = {"file", host_file, (void *)o->files};
	tc_jsone_opts jo = {
		.now = now,
		.extras = !o->pure,
		.hostfns = host_files ? &host : NULL,
		.nhostfns = host_files ? 1 : 0,
	};
	return tc_jsone_render(out, a, d, tmpl, ctx, &jo) == 0 ? 0 : 2;
}

/* The result on stdout: pretty JSON, or canonical YAML. */
static void print_result(const tc_value *out, const char *format)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	if (strcmp(format, "yaml") == 0)
		tc_yaml_emit(&b, out);
	else
		tc_json_emit(&b, out, true);
	fwrite(tc_buf_str(&b), 1, b.len, stdout);
	tc_buf_release(&b);
}

int tc_cmd_eval(int argc, char **argv)
{
	eval_opts o = {.format = "json"};
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"context", 'c', TC_OPT_STRING, &o.ctx_path, "FILE",
	         "the context (YAML or JSON object)"},
		{"format", 'f', TC_OPT_CHOICE, &o.format, "json|yaml",
	         "output format (default: json)"},
		{"now", 0, TC_OPT_TIME, &o.now, "TIME",
	         "the time templates see as 'now' (default: SOURCE_DATE_EPOCH or HEAD's commit time)"},
		{"files", 0, TC_OPT_STRING, &o.files, "DIR", "let file(NAME) read DIR/NAME"},
		{"pure", 0, TC_OPT_FLAG, &o.pure, NULL, "only the language's own built-ins"},
		{0},
	};
	int r = tc_opt_parse_one("eval", usage, opts, argc, argv, &pos, "TEMPLATE");
	if (r == 0 && o.now && !tc_jsone_parse_time(&o.now_ms, o.now, strlen(o.now)))
		r = 2; /* TC_OPT_TIME checked it */
	if (r) {
		tc_strlist_release(&pos);
		return r == 1 ? 0 : r;
	}
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *out = NULL;
	int rc = eval_template(&out, &a, &d, pos.items[0], &o);
	if (tc_diags_has_errors(&d))
		rc = tc_diags_exit_code(&d);
	if (rc == 0 && out)
		print_result(out, o.format);
	tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	tc_arena_release(&a);
	tc_strlist_release(&pos);
	return rc;
}
