/*
 * cmd_diff.c - `tenantc diff BASE [HEAD]`: render two revisions in memory
 * and report which objects they add, remove and change, field by field.
 *
 *   options -> for each side: source -> repository -> render in memory
 *           -> tree_read.c: identical files counted, the others parsed
 *           -> diff.c deltas -> diff_print.c (text | markdown | json)
 *
 * BASE is a revision; HEAD a revision too, or the work tree when absent.
 * Secret values are never printed: diff.c keeps no value below a Secret's
 * data, so every printer shows such a change by its path only. Colours
 * (text only) when standard output is a terminal and NO_COLOR is unset or
 * empty, or with --color always. Exit status: 0, or with --exit-code 1
 * when something differs (as git diff --exit-code); 2 bad input (either
 * side not rendering included), 3 internal.
 */
#include "cmd.h"

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "diff.h"
#include "diff_print.h"
#include "opt.h"
#include "render.h"
#include "repo.h"
#include "sops.h"
#include "source.h"
#include "tree_read.h"
#include "workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"BASE [HEAD] [--repo DIR] [--format text|markdown|json] [--color auto|always|never]\n"
	"                    [--exit-code] [--env ENV]... [--tenant NAME]... [--jobs N]";

typedef struct side {
	const char *label;                      /* "base" or "head", for messages */
	const char *rev;                        /* NULL: the work tree */
	tc_outlist files;                       /* what render made, with bytes */
	bool has_env_filter, has_tenant_filter; /* some asked-for name exists here */
	bool norepo;                            /* the side is no tenantc repository */
} side;

/* The names of want that r knows, into out (pointers into want). */
static void known(tc_strlist *out, const tc_strlist *want, const tc_repo *r, bool envs, bool *any)
{
	for (size_t i = 0; i < want->len; i++) {
		bool found = false;
		if (envs) {
			found = tc_repo_env(r, want->items[i]) != NULL;
		} else {
			for (size_t k = 0; k < r->ntenants && !found; k++)
				found = strcmp(r->tenants[k], want->items[i]) == 0;
		}
		if (found) {
			tc_strlist_push(out, want->items[i]);
			*any = true;
		}
	}
}

/* Render one side in memory into s->files. Secrets are encrypted with the
 * rendering identity when keys hold it, else carried over from the side's
 * own output folder (what that revision committed). Diagnostics go to d;
 * returns 0 or -1. */
static int load_side(side *s, tc_diags *d, const char *repo_dir, long jobs, const tc_strlist *envs,
                     const tc_strlist *tenants, const tc_sops_keys *keys)
{
	tc_workspace ws;
	tc_render_result res = {0};
	tc_strlist e = {0}, t = {0};
	int rc = -1;
	tc_workspace_opts wo = {
		.repo_dir = repo_dir,
		.kind = s->rev ? TC_SOURCE_REV : TC_SOURCE_WORKTREE,
		.rev = s->rev,
		.keys = keys,
	};
	if (tc_workspace_open(&ws, &wo, d)) {
		s->norepo = ws.failed == TC_WS_NOREPO;
		goto out;
	}
	known(&e, envs, &ws.repo, true, &s->has_env_filter);
	known(&t, tenants, &ws.repo, false, &s->has_tenant_filter);
	/* a filter naming nothing that exists on this side: nothing to render */
	if ((envs->len && !e.len) || (tenants->len && !t.len)) {
		rc = 0;
		goto out;
	}
	tc_tree_prev prev = {ws.src, &ws.repo.src_lock, ws.repo.output};
	tc_render_opts ro = {
		.envs = &e,
		.tenants = &t,
		.jobs = jobs,
		.sink = NULL, /* in memory, no index files */
		.shard_index = 0,
		.shard_count = 1,
		.keys = ws.keys,
		.seed = ws.seed,
		.prev_read = tc_tree_read_prev,
		.prev_ctx = &prev,
	};
	if (tc_render(&ws.repo, &ro, &res, d))
		goto out;
	s->files = res.files; /* taken over */
	tc_outlist_init(&res.files);
	rc = 0;
out:
	tc_render_result_release(&res);
	tc_workspace_release(&ws);
	tc_strlist_release(&e);
	tc_strlist_release(&t);
	return rc;
}

static bool want_color(const char *when, bool *ok)
{
	*ok = true;
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	if (strcmp(when, "auto") != 0) {
		*ok = false;
		return false;
	}
	const char *no = getenv("NO_COLOR");
	return isatty(STDOUT_FILENO) && !(no && *no);
}

/* The arguments and the print options: one or two revisions, a format, a
 * colour choice, a repository folder; -1 after a usage message. */
static int check_args(tc_diff_print_opts *po, const tc_strlist *pos, const char *format,
                      const char *color, const char *repo_dir)
{
	if (pos->len < 1 || pos->len > 2) {
		tc_usage_error(NULL, "%s",
		               pos->len ? "too many arguments"
		                        : "give the revision to compare with");
		fprintf(stderr, "usage: tenantc diff %s\n", usage);
		return -1;
	}
	if (tc_diff_format_parse(&po->format, format)) {
		tc_usage_error("--format", "'%s' is not text, markdown or json", format);
		return -1;
	}
	bool color_ok;
	po->color = want_color(color, &color_ok) && po->format == TC_DIFF_FORMAT_TEXT;
	if (!color_ok) {
		tc_usage_error("--color", "'%s' is not auto, always or never", color);
		return -1;
	}
	struct stat st;
	if (stat(repo_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		tc_usage_error("--repo", "no repository folder '%s'", repo_dir);
		return -1;
	}
	return 0;
}

/* Render both sides; the first that does not render is named on stderr
 * (unless it is no repository: its one error says it all). */
static int render_sides(side sides[2], tc_diags *d, const char *repo_dir, long jobs,
                        const tc_strlist *envs, const tc_strlist *tenants, const tc_sops_keys *keys)
{
	for (int k = 0; k < 2; k++) {
		tc_diags sd;
		tc_diags_init(&sd);
		bool failed = load_side(&sides[k], &sd, repo_dir, jobs, envs, tenants, keys) ||
		              tc_diags_has_errors(&sd);
		if (failed && !sides[k].norepo)
			fprintf(stderr, "tenantc diff: %s '%s' does not render:\n", sides[k].label,
			        sides[k].rev ? sides[k].rev : "work tree");
		tc_diags_merge(d, &sd);
		tc_diags_release(&sd);
		if (failed)
			return -1;
	}
	return 0;
}

/* -1 with a usage message when no side has the environment or tenant asked for */
static int check_filters(const side sides[2], const tc_strlist *envs, const tc_strlist *tenants)
{
	bool env = envs->len && !sides[0].has_env_filter && !sides[1].has_env_filter;
	bool tenant = tenants->len && !sides[0].has_tenant_filter && !sides[1].has_tenant_filter;
	if (!env && !tenant)
		return 0;
	tc_usage_error(env ? "--env" : "--tenant", "no side has the %s asked for",
	               env ? "environment" : "tenant");
	return -1;
}

static void print_diff(const tc_diff *df, const tc_diff_print_opts *po)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_diff_print(&b, df, po);
	if (tc_buf_failed(&b))
		TC_BUG("diff output buffer failed");
	fwrite(b.ptr ? b.ptr : "", 1, b.len, stdout);
	tc_buf_release(&b);
}

/* The exit status once the diagnostics are printed: theirs when it is worse
 * than a finding; a side with invalid objects (findings) cannot be compared. */
static int finish_diags(tc_diags *d, int status)
{
	if (!d->len)
		return status;
	tc_diags_print(d, stderr);
	int code = tc_diags_exit_code(d);
	if (code && code != 1)
		return code;
	return code == 1 ? 2 : status;
}

int tc_cmd_diff(int argc, char **argv)
{
	const char *repo_dir = ".", *format = "text", *color = "auto";
	bool exit_code = false;
	long jobs = 0;
	tc_strlist envs = {0}, tenants = {0}, pos = {0};
	const tc_option opts[] = {
		{"repo", 'C', TC_OPT_STRING, &repo_dir, "DIR", "the repository (default: .)"},
		{"format", 'f', TC_OPT_CHOICE, &format, "text|markdown|json",
	         "output format (default: text)"},
		{"color", 0, TC_OPT_CHOICE, &color, "auto|always|never",
	         "colour text output: auto (a terminal without NO_COLOR), always, never"},
		{"exit-code", 0, TC_OPT_FLAG, &exit_code, NULL, "exit 1 when something differs"},
		{"env", 'e', TC_OPT_LABELS, &envs, "ENV", "only this environment (repeatable)"},
		{"tenant", 't', TC_OPT_LABELS, &tenants, "NAME", "only this tenant (repeatable)"},
		{"jobs", 'j', TC_OPT_JOBS, &jobs, "N",
	         "worker threads (default: the number of cores)"},
		{0},
	};
	int status = tc_opt_parse("diff", usage, opts, argc, argv, &pos);
	tc_diags d;
	tc_diags_init(&d);
	tc_arena a;
	tc_arena_init(&a);
	side sides[2] = {{.label = "base"}, {.label = "head"}};
	tc_sops_keys *keys = NULL;
	tc_diff df;
	bool have_diff = false;
	tc_diff_print_opts po = {0};
	if (status) {
		status = status == 1 ? 0 : 2;
		goto out;
	}
	status = 2;
	if (check_args(&po, &pos, format, color, repo_dir))
		goto out;
	tc_strlist_sort_unique(&envs);
	tc_strlist_sort_unique(&tenants);
	sides[0].rev = pos.items[0];
	sides[1].rev = pos.len == 2 ? pos.items[1] : NULL;
	po.base_label = sides[0].rev;
	po.head_label = sides[1].rev ? sides[1].rev : "work tree";
	if (tc_sops_keys_from_env(&keys, &d) ||
	    render_sides(sides, &d, repo_dir, jobs, &envs, &tenants, keys) ||
	    check_filters(sides, &envs, &tenants))
		goto out;
	/* identical files are counted, only the others parsed and compared */
	if (tc_tree_diff(&df, &a, &sides[0].files, &sides[1].files, &d) != 0) {
		tc_diff_release(&df);
		goto out;
	}
	have_diff = true;
	print_diff(&df, &po);
	status = exit_code && !tc_diff_empty(&df) ? 1 : 0;
out:
	if (have_diff)
		tc_diff_release(&df);
	for (int k = 0; k < 2; k++)
		tc_outlist_release(&sides[k].files);
	tc_arena_release(&a);
	tc_sops_keys_free(keys);
	status = finish_diags(&d, status);
	tc_diags_release(&d);
	tc_strlist_release(&envs);
	tc_strlist_release(&tenants);
	tc_strlist_release(&pos);
	return status;
}
