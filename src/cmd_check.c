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

int tc_cmd_check(int argc, char **argv)
{
	const char *repo_dir = ".", *rev = NULL, *now = NULL;
	bool index = false, worktree = false, strict = false, no_verify = false, explain = false;
	const char *format = NULL;
	long jobs = 0;
	tc_strlist pos = {0}, schema_locs = {0};
	const tc_option opts[] = {
		{"repo", 'C', TC_OPT_STRING, &repo_dir, "DIR", "the repository (default: .)"},
		{"rev", 0, TC_OPT_STRING, &rev, "REV", "check a git revision"},
		{"index", 0, TC_OPT_FLAG, &index, NULL,
	         "check the git index, what is staged (default)"},
		{"worktree", 0, TC_OPT_FLAG, &worktree, NULL, "check the work tree"},
		{"jobs", 'j', TC_OPT_JOBS, &jobs, "N",
	         "worker threads (default: the number of cores)"},
		{"now", 0, TC_OPT_TIME, &now, "TIME",
	         "the time templates see as 'now' (default: commit time)"},
		{"schema-location", 0, TC_OPT_LIST, &schema_locs, "DIR",
	         "validate output against this schema folder"},
		{"strict", 0, TC_OPT_FLAG, &strict, NULL, "an object without a schema is an error"},
		{"no-verify", 0, TC_OPT_FLAG, &no_verify, NULL,
	         "leave out the isolation verifier for this run"},
		{"explain", 0, TC_OPT_FLAG, &explain, NULL,
	         "print the allowed flows and rights the verifier found"},
		{"format", 0, TC_OPT_CHOICE, &format, "text|json",
	         "the verifier's report on standard output (default: text)"},
		{0},
	};
	int status = tc_opt_parse("check", usage, opts, argc, argv, &pos);
	tc_diags d;
	tc_diags_init(&d);
	tc_workspace ws = {0};
	tc_sink sink;
	tc_sink_open_memory(&sink);
	tc_render_result res = {0};
	tc_strlist none = {0};
	tc_verify *ver = NULL;
	tc_cache *cache = NULL;
	if (status) {
		status = status == 1 ? 0 : 2;
		goto out;
	}
	status = 2;
	if (pos.len) {
		tc_usage_error(NULL, "unexpected argument '%s'", pos.items[0]);
		goto out;
	}
	if ((rev != NULL) + index + worktree > 1) {
		tc_usage_error(NULL, "choose one of --rev, --index and --worktree");
		goto out;
	}
	struct stat st;
	if (stat(repo_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		tc_usage_error("--repo", "no repository folder '%s'", repo_dir);
		goto out;
	}
	tc_source_kind kind = rev ? TC_SOURCE_REV : worktree ? TC_SOURCE_WORKTREE : TC_SOURCE_INDEX;
	tc_workspace_opts wo = {
		.repo_dir = repo_dir,
		.kind = kind,
		.rev = rev,
		.now = now,
		.schemas = true,
		.schema_locs = &schema_locs,
	};
	/* inputs that do not load are a finding; a source that cannot be read,
	 * identities and schema folders that fail mean check cannot run */
	int loaded = tc_workspace_open(&ws, &wo, &d);
	if (loaded && ws.failed != TC_WS_REPO) {
		if (ws.failed == TC_WS_SOURCE && kind == TC_SOURCE_INDEX && !index)
			tc_note(&d, TC_NOPOS, NULL,
			        "the default is to check the git index; give --worktree to check a "
			        "folder outside git");
		goto out;
	}
	const char *where = tc_source_kind_name(ws.src);
	/* Secrets are carried over from the output folder of the same source */
	tc_tree_prev prev = {ws.src, &ws.repo.src_lock, loaded == 0 ? ws.repo.output : NULL};
	/* the rendered bytes wait in a temporary file, not in memory (check
	 * makes no plaintext: Secrets are encrypted or carried over); without
	 * one they stay in memory */
	tc_sink_open_check(&sink);
	/* render's cache, under the keys render uses for the same options */
	if (loaded == 0) {
		tc_cache_opts co = {
			.now = tc_repo_uses_now(&ws.repo) ? ws.repo.now : NULL,
			.trust = ws.repo.filecheck.digest[0] ? ws.repo.filecheck.digest : NULL,
			.check_time =
				tc_filecheck_uses_time(&ws.repo.filecheck) ? ws.repo.now : NULL,
			.strict = strict,
			.seed = ws.seed ? tc_sops_seed_recipient(ws.seed) : NULL,
			.envs = &none,
			.schemas = &schema_locs,
		};
		if (tc_cache_open(&cache, ws.src, &co, &d))
			goto out;
	}
	tc_render_opts ro = {
		.envs = &none,
		.tenants = &none,
		.jobs = jobs,
		.sink = &sink,
		.shard_index = 0,
		.shard_count = 1,
		.keys = ws.keys,
		.seed = ws.seed,
		.prev_read = tc_tree_read_prev,
		.prev_ctx = &prev,
		.schemas = ws.schemas,
		.strict = strict,
		.cache = cache,
	};
	if (loaded == 0 && !no_verify) {
		ver = tc_verify_new(ws.repo.settings);
		if (!tc_verify_enabled(ver)) {
			tc_verify_free(ver);
			ver = NULL;
		} else {
			ro.observe = tc_verify_observe;
			ro.observe_ctx = ver;
		}
	}
	int rendered = loaded == 0 ? tc_render(&ws.repo, &ro, &res, &d) : -1;
	as_findings(&d);
	if (rendered != 0 || tc_diags_has_errors(&d)) {
		tc_diags_print(&d, stderr);
		fprintf(stderr,
		        "tenantc check: the inputs (%s) have errors; nothing was compared\n",
		        where);
		status = tc_diags_exit_code(&d);
		tc_diags_release(&d);
		tc_diags_init(&d);
		goto out;
	}
	report_leftovers(repo_dir, ws.repo.output, &d);
	tc_drift drift;
	int rc = tc_drift_compare(&drift, ws.src, ws.repo.output, &res.files, &sink.spool, inspect,
	                          NULL, &d);
	as_findings(&d);
	status = tc_diags_exit_code(&d);
	tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	tc_diags_init(&d);
	size_t total = drift.missing + drift.stale + drift.changed + drift.same;
	if (tc_drift_any(&drift)) {
		fprintf(stderr,
		        "tenantc check: '%s' (%s) is out of date: %zu missing, %zu stale, %zu "
		        "changed of %zu files; run 'tenantc render' and commit the result\n",
		        ws.repo.output, where, drift.missing, drift.stale, drift.changed, total);
		if (status == 0)
			status = 1;
	} else if (rc == 0 && status == 0 && !(format && strcmp(format, "json") == 0)) {
		/* with --format json, standard output is the verifier's document */
		printf("tenantc check: '%s' (%s) is up to date: %zu files, %zu environment%s, %zu "
		       "tenant%s\n",
		       ws.repo.output, where, total, res.nenvs, res.nenvs == 1 ? "" : "s",
		       res.ntenants, res.ntenants == 1 ? "" : "s");
	}
	if (ver && report_verify(ver, explain, format) && status == 0)
		status = 1;
out:
	tc_verify_free(ver);
	tc_render_result_release(&res);
	tc_sink_release(&sink);
	tc_cache_free(cache);
	tc_workspace_release(&ws);
	if (d.len) {
		/* usage and source errors: printed here, classes as they are */
		tc_diags_print(&d, stderr);
		int code = tc_diags_exit_code(&d);
		if (code > status)
			status = code;
	}
	tc_diags_release(&d);
	tc_strlist_release(&pos);
	tc_strlist_release(&schema_locs);
	return status;
}
