/*
 * cmd_check.c - `tenantc check`: is the output folder what render makes of
 * the inputs beside it?
 *
 *   options -> source (default: the index) -> repository -> render in memory
 *     -> drift against <output>/ of the same source
 *
 * Render itself fails on plaintext Secrets among its inputs and outputs;
 * check adds the same guard for the committed files render did not write
 * the same way (stale or changed ones), which is where a hand-made Secret
 * would be.
 *
 * Inputs and output folder are read from one source, so a pre-commit hook
 * checks exactly what is being committed (the index), CI a revision, and an
 * editor the work tree. Nothing is written but entries of render's cache
 * (outside the work tree): with input from git, a tenant whose key render's
 * cache holds is not rendered again, as in render (cache.h).
 *
 * Exit status: 0 in sync; 1 when anything about the checked content is
 * wrong: drift, inputs that do not load or render, invalid output objects,
 * a plaintext Secret (what render calls bad input is a finding here: finding
 * it is what check is for); 2 when check cannot run at all (usage, --index
 * outside git, an unknown revision); 3 internal.
 */
#include "cmd.h"

#include "cache.h"
#include "diag.h"
#include "drift.h"
#include "opt.h"
#include "outdir.h"
#include "output.h"
#include "render.h"
#include "repo.h"
#include "sink.h"
#include "sops.h"
#include "source.h"
#include "workspace.h"
#include "tree_read.h"
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"[--repo DIR] [--rev REV | --index | --worktree] [--jobs N] [--now TIME]\n"
	"                     [--schema-location DIR]... [--strict] [--no-verify] [--explain]\n"
	"                     [--format text|json]";

/* The verifier (verify.h) over what the render made: its findings after
 * the drift's, --explain's table or --format json on standard output. */
static int report_verify(tc_verify *ver, bool explain, const char *format)
{
	tc_diags vd;
	tc_diags_init(&vd);
	size_t n = tc_verify_run(ver, &vd);
	tc_diags_sort(&vd);
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	if (format && strcmp(format, "json") == 0)
		tc_verify_json(ver, &vd, &out);
	else if (explain)
		tc_verify_explain(ver, &out);
	fwrite(tc_buf_str(&out), 1, out.len, stdout);
	tc_buf_release(&out);
	tc_diags_print(&vd, stderr);
	tc_diags_release(&vd);
	if (n)
		fprintf(stderr,
		        "tenantc check: the verifier found %zu violation%s of tenant isolation "
		        "(docs/verify.md)\n",
		        n, n == 1 ? "" : "s");
	return n ? 1 : 0;
}

/* Everything wrong with the checked content is a finding of check. */
static void as_findings(tc_diags *d)
{
	for (size_t i = 0; i < d->len; i++)
		if (d->items[i].cls == TC_DIAG_INPUT)
			d->items[i].cls = TC_DIAG_FINDING;
}

/* Plaintext Secrets in committed files that render did not write: render
 * checks its own inputs and outputs, this covers what was added by hand. */
static void inspect(void *ctx, const char *path, const char *data, size_t len, tc_diags *d)
{
	(void)ctx;
	if (tc_sops_scan_plain(d, path, data, len) != 0)
		return; /* reported to d */
}

/* Temporary trees that dead renders left beside the output folder: the
 * next render removes them, and until then `git add -A` would take them. */
static void report_leftovers(const char *repo_dir, const char *output, tc_diags *d)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_addf(&b, "%s/%s", repo_dir, output);
	char **names;
	size_t n;
	tc_outdir_leftovers(tc_buf_str(&b), &names, &n);
	for (size_t i = 0; i < n; i++) {
		tc_warning(d, TC_NOPOS, NULL,
		           "'%s' beside '%s' is the temporary tree of a render "
		           "that did not finish: the next 'tenantc render' removes it; do not "
		           "commit it",
		           names[i], output);
		free(names[i]);
	}
	free(names);
	tc_buf_release(&b);
}

/* What the command line asks for. */
typedef struct check_args {
	const char *repo_dir, *rev, *now, *format;
	bool index, worktree, strict, no_verify, explain;
	long jobs;
	tc_strlist schema_locs;
} check_args;

/* What one check holds; check_release frees it all, whatever step it
 * reached. */
typedef struct check_run {
	tc_workspace ws;
	bool loaded; /* the inputs loaded: there is a repository to render */
	tc_tree_prev prev;
	tc_sink sink;
	tc_cache *cache;
	tc_verify *ver;
	tc_render_result res;
} check_run;

static void check_release(check_run *r)
{
	tc_verify_free(r->ver);
	tc_render_result_release(&r->res);
	tc_sink_release(&r->sink);
	tc_cache_free(r->cache);
	tc_workspace_release(&r->ws);
}

static bool json_report(const check_args *a)
{
	return a->format && strcmp(a->format, "json") == 0;
}

/* Arguments that make check impossible: usage errors, printed at once. */
static int check_usage(const check_args *a, const tc_strlist *pos)
{
	if (pos->len) {
		tc_usage_error(NULL, "unexpected argument '%s'", pos->items[0]);
		return -1;
	}
	if ((a->rev != NULL) + a->index + a->worktree > 1) {
		tc_usage_error(NULL, "choose one of --rev, --index and --worktree");
		return -1;
	}
	struct stat st;
	if (stat(a->repo_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		tc_usage_error("--repo", "no repository folder '%s'", a->repo_dir);
		return -1;
	}
	return 0;
}

/* The workspace: inputs that do not load are a finding (r->loaded false,
 * 0 returned); a source that cannot be read, identities and schema folders
 * that fail mean check cannot run (-1). */
static int open_inputs(check_run *r, const check_args *a, tc_diags *d)
{
	tc_source_kind kind = a->rev        ? TC_SOURCE_REV
	                      : a->worktree ? TC_SOURCE_WORKTREE
	                                    : TC_SOURCE_INDEX;
	tc_workspace_opts wo = {
		.repo_dir = a->repo_dir,
		.kind = kind,
		.rev = a->rev,
		.now = a->now,
		.schemas = true,
		.schema_locs = &a->schema_locs,
	};
	int rc = tc_workspace_open(&r->ws, &wo, d);
	r->loaded = rc == 0;
	if (rc && r->ws.failed != TC_WS_REPO) {
		if (r->ws.failed == TC_WS_SOURCE && kind == TC_SOURCE_INDEX && !a->index)
			tc_note(d, TC_NOPOS, NULL,
			        "the default is to check the git index; give --worktree to check a "
			        "folder outside git");
		return -1;
	}
	/* Secrets are carried over from the output folder of the same source */
	r->prev = (tc_tree_prev){r->ws.src, &r->ws.repo.src_lock,
	                         r->loaded ? r->ws.repo.output : NULL};
	/* the rendered bytes wait in a temporary file, not in memory (check
	 * makes no plaintext: Secrets are encrypted or carried over); without
	 * one they stay in memory */
	tc_sink_open_check(&r->sink);
	return 0;
}

/* render's cache, under the keys render uses for the same options */
static int open_cache(check_run *r, const check_args *a, tc_diags *d)
{
	if (!r->loaded)
		return 0;
	const tc_repo *repo = &r->ws.repo;
	tc_strlist none = {0};
	tc_cache_opts co = {
		.now = tc_repo_uses_now(repo) ? repo->now : NULL,
		.trust = repo->filecheck.digest[0] ? repo->filecheck.digest : NULL,
		.check_time = tc_filecheck_uses_time(&repo->filecheck) ? repo->now : NULL,
		.strict = a->strict,
		.seed = r->ws.seed ? tc_sops_seed_recipient(r->ws.seed) : NULL,
		.envs = &none,
		.schemas = &a->schema_locs,
	};
	return tc_cache_open(&r->cache, r->ws.src, &co, d);
}

/* The isolation verifier, when the repository enables it, as the
 * render's observer. */
static void open_verifier(check_run *r, const check_args *a, tc_render_opts *ro)
{
	if (!r->loaded || a->no_verify)
		return;
	r->ver = tc_verify_new(r->ws.repo.settings);
	if (!tc_verify_enabled(r->ver)) {
		tc_verify_free(r->ver);
		r->ver = NULL;
		return;
	}
	ro->observe = tc_verify_observe;
	ro->observe_ctx = r->ver;
}

/* Every environment and tenant into the check sink: 0 when the render
 * ran, -1 when the inputs did not load or the render failed. */
static int render_inputs(check_run *r, const check_args *a, tc_diags *d)
{
	tc_strlist none = {0};
	tc_render_opts ro = {
		.envs = &none,
		.tenants = &none,
		.jobs = a->jobs,
		.sink = &r->sink,
		.shard_index = 0,
		.shard_count = 1,
		.keys = r->ws.keys,
		.seed = r->ws.seed,
		.prev_read = tc_tree_read_prev,
		.prev_ctx = &r->prev,
		.schemas = r->ws.schemas,
		.strict = a->strict,
		.cache = r->cache,
	};
	open_verifier(r, a, &ro);
	return r->loaded ? tc_render(&r->ws.repo, &ro, &r->res, d) : -1;
}

/* The inputs have errors: they are the findings, nothing is compared. */
static int report_bad_inputs(check_run *r, tc_diags *d)
{
	tc_diags_print(d, stderr);
	fprintf(stderr, "tenantc check: the inputs (%s) have errors; nothing was compared\n",
	        tc_source_kind_name(r->ws.src));
	int status = tc_diags_exit_code(d);
	tc_diags_release(d);
	tc_diags_init(d);
	return status;
}

/* The render against the committed output folder: drift findings, then
 * one summary line. */
static int compare_output(check_run *r, const check_args *a, tc_diags *d)
{
	const char *output = r->ws.repo.output, *where = tc_source_kind_name(r->ws.src);
	report_leftovers(a->repo_dir, output, d);
	tc_drift drift;
	int rc = tc_drift_compare(&drift, r->ws.src, output, &r->res.files, &r->sink.spool, inspect,
	                          NULL, d);
	as_findings(d);
	int status = tc_diags_exit_code(d);
	tc_diags_print(d, stderr);
	tc_diags_release(d);
	tc_diags_init(d);
	size_t total = drift.missing + drift.stale + drift.changed + drift.same;
	if (tc_drift_any(&drift)) {
		fprintf(stderr,
		        "tenantc check: '%s' (%s) is out of date: %zu missing, %zu stale, %zu "
		        "changed of %zu files; run 'tenantc render' and commit the result\n",
		        output, where, drift.missing, drift.stale, drift.changed, total);
		return status ? status : 1;
	}
	if (rc == 0 && status == 0 && !json_report(a)) {
		/* with --format json, standard output is the verifier's document */
		const tc_render_result *res = &r->res;
		printf("tenantc check: '%s' (%s) is up to date: %zu files, %zu environment%s, %zu "
		       "tenant%s\n",
		       output, where, total, res->nenvs, res->nenvs == 1 ? "" : "s", res->ntenants,
		       res->ntenants == 1 ? "" : "s");
	}
	return status;
}

/* The whole check after option parsing: its exit status. */
static int check(check_run *r, const check_args *a, const tc_strlist *pos, tc_diags *d)
{
	if (check_usage(a, pos) || open_inputs(r, a, d) || open_cache(r, a, d))
		return 2;
	int rendered = render_inputs(r, a, d);
	as_findings(d);
	if (rendered != 0 || tc_diags_has_errors(d))
		return report_bad_inputs(r, d);
	int status = compare_output(r, a, d);
	if (r->ver && report_verify(r->ver, a->explain, a->format) && status == 0)
		status = 1;
	return status;
}

int tc_cmd_check(int argc, char **argv)
{
	check_args a = {.repo_dir = "."};
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"repo", 'C', TC_OPT_STRING, &a.repo_dir, "DIR", "the repository (default: .)"},
		{"rev", 0, TC_OPT_STRING, &a.rev, "REV", "check a git revision"},
		{"index", 0, TC_OPT_FLAG, &a.index, NULL,
	         "check the git index, what is staged (default)"},
		{"worktree", 0, TC_OPT_FLAG, &a.worktree, NULL, "check the work tree"},
		{"jobs", 'j', TC_OPT_JOBS, &a.jobs, "N",
	         "worker threads (default: the number of cores)"},
		{"now", 0, TC_OPT_TIME, &a.now, "TIME",
	         "the time templates see as 'now' (default: commit time)"},
		{"schema-location", 0, TC_OPT_LIST, &a.schema_locs, "DIR",
	         "validate output against this schema folder"},
		{"strict", 0, TC_OPT_FLAG, &a.strict, NULL,
	         "an object without a schema is an error"},
		{"no-verify", 0, TC_OPT_FLAG, &a.no_verify, NULL,
	         "leave out the isolation verifier for this run"},
		{"explain", 0, TC_OPT_FLAG, &a.explain, NULL,
	         "print the allowed flows and rights the verifier found"},
		{"format", 0, TC_OPT_CHOICE, &a.format, "text|json",
	         "the verifier's report on standard output (default: text)"},
		{0},
	};
	int status = tc_opt_parse("check", usage, opts, argc, argv, &pos);
	tc_diags d;
	tc_diags_init(&d);
	check_run r = {0};
	tc_sink_open_memory(&r.sink);
	if (status)
		status = status == 1 ? 0 : 2;
	else
		status = check(&r, &a, &pos, &d);
	check_release(&r);
	if (d.len) {
		/* usage and source errors: printed here, classes as they are */
		tc_diags_print(&d, stderr);
		int code = tc_diags_exit_code(&d);
		if (code > status)
			status = code;
	}
	tc_diags_release(&d);
	tc_strlist_release(&pos);
	tc_strlist_release(&a.schema_locs);
	return status;
}
