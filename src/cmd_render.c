/*
 * cmd_render.c - `tenantc render`: options, then the pipeline as named
 * steps.
 *
 *   options -> workspace (source, repository, keys, schemas) -> cache
 *     -> sink (new tree, in-place update, or a stream for stdout)
 *     -> render -> commit the tree or print the stream -> summary
 *
 * Output is built aside and swapped in at the end (see sink.h); with
 * --stdout nothing is written and only manifests reach standard output.
 */
#include "cmd.h"

#include "cache.h"
#include "diag.h"
#include "opt.h"
#include "render.h"
#include "sink.h"
#include "verify.h"
#include "sops.h"
#include "workspace.h"

#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>

static const char usage[] =
	"[--repo DIR] [--rev REV | --index | --worktree] [--out DIR | --stdout [--decrypt] [--folder NAME]]\n"
	"                      [--env ENV]... [--tenant NAME]... [--jobs N] [--shard I/N] [--now TIME]\n"
	"                      [--schema-location DIR]... [--strict] [--no-verify]";

typedef struct args {
	const char *repo_dir, *rev, *out_dir, *shard, *now, *folder;
	bool index, worktree, to_stdout, decrypt, strict, no_verify;
	long jobs, shard_i, shard_n;
	tc_strlist envs, tenants, pos, schema_locs;
} args;

/* Parse argv into a; -1 to go on, else the exit status. */
static int parse(args *a, int argc, char **argv)
{
	*a = (args){.repo_dir = ".", .shard_n = 1};
	const tc_option opts[] = {
		{"repo", 'C', TC_OPT_STRING, &a->repo_dir, "DIR", "the repository (default: .)"},
		{"rev", 0, TC_OPT_STRING, &a->rev, "REV", "read a git revision"},
		{"index", 0, TC_OPT_FLAG, &a->index, NULL, "read the git index (staged content)"},
		{"worktree", 0, TC_OPT_FLAG, &a->worktree, NULL, "read the work tree (default)"},
		{"out", 'o', TC_OPT_STRING, &a->out_dir, "DIR",
	         "output folder (default: tenantc.yaml 'output')"},
		{"stdout", 0, TC_OPT_FLAG, &a->to_stdout, NULL,
	         "print the manifests as one YAML stream"},
		{"decrypt", 0, TC_OPT_FLAG, &a->decrypt, NULL,
	         "with --stdout: print Secrets decrypted"},
		{"folder", 0, TC_OPT_CHOICE, &a->folder, "cluster|platform|gitops|tenants",
	         "with --stdout: only the objects of this folder of each environment (cluster, "
	         "platform, gitops or tenants), as an ArgoCD application of that folder applies them"},
		{"env", 'e', TC_OPT_LABELS, &a->envs, "ENV", "only this environment (repeatable)"},
		{"tenant", 't', TC_OPT_LABELS, &a->tenants, "NAME",
	         "only this tenant (repeatable)"},
		{"jobs", 'j', TC_OPT_JOBS, &a->jobs, "N",
	         "worker threads (default: the number of cores)"},
		{"shard", 0, TC_OPT_SHARD, &a->shard, "I/N",
	         "render the I-th of N shards of the tenants"},
		{"now", 0, TC_OPT_TIME, &a->now, "TIME",
	         "the time templates see as 'now' (default: commit time)"},
		{"schema-location", 0, TC_OPT_LIST, &a->schema_locs, "DIR",
	         "validate output against this schema folder"},
		{"strict", 0, TC_OPT_FLAG, &a->strict, NULL,
	         "an object without a schema is an error"},
		{"no-verify", 0, TC_OPT_FLAG, &a->no_verify, NULL,
	         "leave out the isolation verifier (docs/verify.md)"},
		{0},
	};
	int status = tc_opt_parse("render", usage, opts, argc, argv, &a->pos);
	if (status)
		return status == 1 ? 0 : 2;
	tc_strlist_sort_unique(&a->envs);
	tc_strlist_sort_unique(&a->tenants);
	return -1;
}

/* Options that contradict each other; 0, or 2 after a usage error. */
static int conflicts(args *a)
{
	if (a->pos.len)
		return tc_usage_error(NULL, "unexpected argument '%s'", a->pos.items[0]);
	if ((a->rev != NULL) + a->index + a->worktree > 1)
		return tc_usage_error(NULL, "choose one of --rev, --index and --worktree");
	if (a->to_stdout && a->out_dir)
		return tc_usage_error(NULL, "choose one of --out and --stdout");
	if (a->decrypt && !a->to_stdout)
		return tc_usage_error("--decrypt", "only goes with --stdout");
	if (a->folder && !a->to_stdout)
		return tc_usage_error("--folder", "only goes with --stdout");
	if (a->shard && tc_opt_shard(&a->shard_i, &a->shard_n, a->shard))
		return 2; /* TC_OPT_SHARD checked it */
	if (!a->to_stdout && !a->out_dir && (a->envs.len || a->tenants.len || a->shard_n > 1))
		return tc_usage_error(NULL,
		                      "--env, --tenant and --shard render part of the tree: give "
		                      "--out DIR or --stdout so the full tree in the repository is "
		                      "not replaced");
	return 0;
}

static void release(args *a)
{
	tc_strlist_release(&a->envs);
	tc_strlist_release(&a->tenants);
	tc_strlist_release(&a->schema_locs);
	tc_strlist_release(&a->pos);
}

static int open_workspace(tc_workspace *ws, const args *a, tc_diags *d)
{
	tc_workspace_opts wo = {
		.repo_dir = a->repo_dir,
		.kind = a->rev     ? TC_SOURCE_REV
	                : a->index ? TC_SOURCE_INDEX
	                           : TC_SOURCE_WORKTREE,
		.rev = a->rev,
		.now = a->now,
		.tenants = &a->tenants,
		.schemas = true,
		.schema_locs = &a->schema_locs,
	};
	return tc_workspace_open(ws, &wo, d);
}

/* The cache, keyed by everything besides the inputs that changes what a
 * tenant renders to; none for --decrypt (plaintext is never cached). */
static int open_cache(tc_cache **out, const args *a, const tc_workspace *ws, tc_diags *d)
{
	*out = NULL;
	tc_cache_opts co = {
		.now = tc_repo_uses_now(&ws->repo) ? ws->repo.now : NULL,
		.trust = ws->repo.filecheck.digest[0] ? ws->repo.filecheck.digest : NULL,
		.check_time = tc_filecheck_uses_time(&ws->repo.filecheck) ? ws->repo.now : NULL,
		.strict = a->strict,
		.seed = ws->seed ? tc_sops_seed_recipient(ws->seed) : NULL,
		.envs = &a->envs,
		.schemas = &a->schema_locs,
	};
	return a->decrypt ? 0 : tc_cache_open(out, ws->src, &co, d);
}

static bool whole_tree(const args *a)
{
	return !a->to_stdout && a->envs.len == 0 && a->tenants.len == 0 && a->shard_n == 1;
}

static int open_sink(tc_sink *s, const args *a, const tc_workspace *ws, const tc_cache *cache,
                     tc_diags *d)
{
	if (a->to_stdout) {
		tc_sink_open_stream(s, a->decrypt);
		return 0;
	}
	const char *dir = a->out_dir ? a->out_dir : ws->output;
	return tc_sink_open_folder(s, dir, ws->repo_dir, cache, whole_tree(a), d);
}

static tc_render_opts render_opts(const args *a, const tc_workspace *ws, tc_sink *sink,
                                  const tc_cache *cache)
{
	return (tc_render_opts){
		.envs = &a->envs,
		.tenants = &a->tenants,
		.jobs = a->jobs,
		.sink = sink,
		.shard_index = a->shard_i,
		.shard_count = a->shard_n,
		.keys = ws->keys,
		.seed = ws->seed,
		.decrypt = a->decrypt,
		.prev_root = sink->dir ? sink->dir : ws->output,
		/* rendering elsewhere (a shard, --out DIR): unchanged Secrets can
	         * still be carried over from the repository's own tree */
		.prev_fallback = a->out_dir ? ws->output : NULL,
		.schemas = ws->schemas,
		.strict = a->strict,
		.cache = cache,
		/* progress only for a person watching: never in pipes or CI logs */
		.progress = !a->to_stdout && isatty(STDERR_FILENO) && !getenv("CI"),
	};
}

/* The isolation verifier runs on a render of every environment and tenant
 * into a folder (docs/verify.md, "In render"): a part of the tree, or a
 * stream (the ArgoCD plugin renders one tenant), cannot be judged alone. */
static bool verifies(const args *a)
{
	return !a->no_verify && !a->to_stdout && a->envs.len == 0 && a->tenants.len == 0 &&
	       a->shard_n == 1;
}

/* The verifier's findings are errors of render: printed, exit 1, and the
 * tree is not replaced. */
static int run_verify(tc_verify *ver)
{
	tc_diags vd;
	tc_diags_init(&vd);
	size_t n = tc_verify_run(ver, &vd);
	tc_diags_sort(&vd);
	tc_diags_print(&vd, stderr);
	tc_diags_release(&vd);
	if (n)
		fprintf(stderr,
		        "tenantc render: the verifier found %zu violation%s of tenant isolation "
		        "(docs/verify.md); nothing was written\n",
		        n, n == 1 ? "" : "s");
	return n ? 1 : 0;
}

static void summary(const tc_render_result *res, const tc_sink *s)
{
	printf("rendered %zu environment%s, %zu tenant%s, %zu object%s, %zu files into %s",
	       res->nenvs, res->nenvs == 1 ? "" : "s", res->ntenants, res->ntenants == 1 ? "" : "s",
	       res->nobjects, res->nobjects == 1 ? "" : "s", res->nfiles, s->dir);
	if (s->kind == TC_SINK_UPDATE)
		printf(" (%zu tenant%s unchanged, %zu file%s written)", res->untouched,
		       res->untouched == 1 ? "" : "s", s->written, s->written == 1 ? "" : "s");
	else if (res->cached)
		printf(" (%zu tenant%s unchanged, from the cache)", res->cached,
		       res->cached == 1 ? "" : "s");
	putchar('\n');
}

/* The verifier, when it runs, watches the render through ro's observer. */
static void attach_verifier(tc_render_opts *ro, const args *a, const tc_workspace *ws,
                            tc_verify **ver)
{
	if (!verifies(a))
		return;
	*ver = tc_verify_new(ws->repo.settings);
	if (tc_verify_enabled(*ver)) {
		ro->observe = tc_verify_observe;
		ro->observe_ctx = *ver;
	}
}

/* One render into the sink: 0 done, 1 the verifier's findings, 2 an error,
 * 3 the tree state turned out damaged and nothing was changed (render
 * again as a new tree). */
static int render_once(const args *a, tc_workspace *ws, tc_cache *cache, tc_sink *sink,
                       tc_render_result *res, tc_verify **ver, tc_diags *d)
{
	tc_render_opts ro = render_opts(a, ws, sink, cache);
	attach_verifier(&ro, a, ws, ver);
	if (tc_render(&ws->repo, &ro, res, d))
		return 2;
	if (ro.observe && !tc_diags_has_errors(d)) {
		/* the render's warnings first, then the findings */
		tc_diags_sort(d);
		tc_diags_print(d, stderr);
		tc_diags_release(d);
		tc_diags_init(d);
		if (run_verify(*ver))
			return 1;
	}
	int rc = a->to_stdout ? tc_sink_print(sink, res, a->folder, stdout, d)
	                      : tc_sink_commit(sink, res, d);
	return rc == 1 ? 3 : rc ? 2 : 0;
}

/* Forget the first attempt (its diagnostics too: the next render says the
 * same) and open a sink for a new tree. */
static int start_over(const args *a, const tc_workspace *ws, const tc_cache *cache, tc_sink *sink,
                      tc_render_result *res, tc_verify **ver, tc_diags *d)
{
	tc_verify_free(*ver);
	*ver = NULL;
	tc_render_result_release(res);
	tc_diags_release(d);
	tc_diags_init(d);
	tc_sink_release(sink);
	return open_sink(sink, a, ws, cache, d);
}

int tc_cmd_render(int argc, char **argv)
{
	args a;
	int status = parse(&a, argc, argv);
	if (status < 0 && (status = conflicts(&a)) == 0)
		status = -1;
	if (status >= 0) {
		release(&a);
		return status;
	}
	status = 2;
	tc_diags d;
	tc_diags_init(&d);
	tc_workspace ws;
	tc_cache *cache = NULL;
	tc_sink sink;
	tc_sink_open_memory(&sink);
	tc_render_result res = {0};
	tc_verify *ver = NULL;
	if (open_workspace(&ws, &a, &d) ||
	    tc_workspace_check_selection(&ws, &a.envs, &a.tenants, &d) ||
	    open_cache(&cache, &a, &ws, &d) || open_sink(&sink, &a, &ws, cache, &d))
		goto out;
	int rc = render_once(&a, &ws, cache, &sink, &res, &ver, &d);
	/* at most twice: an update whose tree state turns out damaged is done
	 * again as a new tree */
	if (rc == 3 && start_over(&a, &ws, cache, &sink, &res, &ver, &d) == 0)
		rc = render_once(&a, &ws, cache, &sink, &res, &ver, &d);
	if (rc == 0 && !a.to_stdout)
		summary(&res, &sink);
	status = rc == 0 ? 0 : rc == 1 ? 1 : 2;
out:
	tc_verify_free(ver);
	tc_render_result_release(&res);
	tc_sink_release(&sink);
	tc_cache_free(cache);
	tc_workspace_release(&ws);
	status = tc_diags_finish(&d, stderr, status);
	release(&a);
	return status;
}
