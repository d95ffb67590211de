/*
 * cmd_render.c - `tenantc render`: the whole pipeline in one function.
 *
 *   options -> source -> repository -> jobs -> tree (or stdout) -> summary
 *
 * Output is built aside and swapped in at the end (see output.h); with
 * --stdout nothing is written and only manifests reach standard output.
 */
#include "cmd.h"

#include "cache.h"
#include "diag.h"
#include "opt.h"
#include "outdir.h"
#include "output.h"
#include "render.h"
#include "repo.h"
#include "schema_set.h"
#include "sops.h"
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"[--repo DIR] [--rev REV | --index | --worktree] [--out DIR | --stdout [--decrypt] [--folder NAME]]\n"
	"                      [--env ENV]... [--tenant NAME]... [--jobs N] [--shard I/N] [--now TIME]\n"
	"                      [--schema-location DIR]... [--strict]";

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = tc_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* The schema folders for output validation: --schema-location, else
 * tenantc.yaml's schemaLocation (relative to the repository), else the
 * repository's schemas/ when it holds kubeconform's layout. */
int tc_render_open_schemas(tc_schema_set **out, const tc_strlist *flags, const char *repo_dir,
                           const tc_value *settings, tc_diags *d)
{
	*out = NULL;
	tc_strlist locs = {0};
	char **owned = NULL;
	size_t nowned = 0, cap = 0;
	if (flags->len) {
		for (size_t i = 0; i < flags->len; i++)
			tc_strlist_push(&locs, flags->items[i]);
	} else {
		const tc_value *sl = tc_value_getz(settings, "schemaLocation");
		const tc_value *one[1] = {sl};
		const tc_value *const *items = one;
		size_t n = sl ? 1 : 0;
		if (sl && sl->kind == TC_ARRAY) {
			items = (const tc_value *const *)sl->u.arr.items;
			n = sl->u.arr.len;
		}
		for (size_t i = 0; i < n; i++) {
			if (items[i]->kind != TC_STR)
				continue;
			TC_GROW(owned, cap, nowned + 1);
			owned[nowned] = items[i]->u.str.ptr[0] == '/'
			                        ? tc_xstrdup(items[i]->u.str.ptr)
			                        : join(repo_dir, items[i]->u.str.ptr);
			tc_strlist_push(&locs, owned[nowned++]);
		}
		if (n == 0) {
			char *dflt = join(repo_dir, "schemas");
			char *k = join(dflt, "kubernetes"), *c = join(dflt, "crd-json");
			if (is_dir(k) || is_dir(c)) {
				TC_GROW(owned, cap, nowned + 1);
				owned[nowned++] = dflt;
				tc_strlist_push(&locs, dflt);
			} else {
				free(dflt);
			}
			free(k);
			free(c);
		}
	}
	int rc = 0;
	if (locs.len) {
		const tc_value *kv = tc_value_getz(settings, "kubernetesVersion");
		tc_schema_set_opts so = {locs.items, locs.len,
		                         kv && kv->kind == TC_STR ? kv->u.str.ptr : NULL};
		rc = tc_schema_set_open(out, &so, d);
	}
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	tc_strlist_release(&locs);
	return rc;
}

/* Is path "<env>/<folder>/..."? */
static bool in_folder(const char *path, const char *folder)
{
	const char *slash = strchr(path, '/');
	size_t n = strlen(folder);
	return slash && strncmp(slash + 1, folder, n) == 0 && slash[1 + n] == '/';
}

typedef struct paths_acc {
	char **items;
	size_t len, cap;
} paths_acc;

static void add_path(void *ud, const char *path)
{
	paths_acc *a = ud;
	TC_GROW(a->items, a->cap, a->len + 1);
	a->items[a->len++] = tc_xstrdup(path);
}

/* Record what the tree now holds: each keyed tenant's files, and the rest
 * (cluster objects, index kustomizations) as "others". */
static void save_state(const tc_cache *cache, const char *dir, const tc_render_result *res)
{
	/* the other files: those no tenant's record lists (cluster, index) */
	const char **others = tc_xcalloc(res->files.len + 1, sizeof *others);
	size_t nothers = 0;
	for (size_t i = 0; i < res->files.len; i++)
		if (!res->files.items[i].keyed)
			others[nothers++] = res->files.items[i].path;
	tc_tree_state_save(cache, dir, res->records, res->nrecords, others, nothers);
	free(others);
}

int tc_cmd_render(int argc, char **argv)
{
	const char *repo_dir = ".", *rev = NULL, *out_dir = NULL, *shard = NULL, *now = NULL;
	const char *folder = NULL;
	bool index = false, worktree = false, to_stdout = false, decrypt = false, strict = false;
	long jobs = 0;
	tc_strlist envs = {0}, tenants = {0}, pos = {0}, schema_locs = {0};
	const tc_option opts[] = {
		{"repo", 'C', TC_OPT_STRING, &repo_dir, "DIR", "the repository (default: .)"},
		{"rev", 0, TC_OPT_STRING, &rev, "REV", "read a git revision"},
		{"index", 0, TC_OPT_FLAG, &index, NULL, "read the git index (staged content)"},
		{"worktree", 0, TC_OPT_FLAG, &worktree, NULL, "read the work tree (default)"},
		{"out", 'o', TC_OPT_STRING, &out_dir, "DIR", "output folder (default: tenantc.yaml 'output')"},
		{"stdout", 0, TC_OPT_FLAG, &to_stdout, NULL, "print the manifests as one YAML stream"},
		{"decrypt", 0, TC_OPT_FLAG, &decrypt, NULL, "with --stdout: print Secrets decrypted"},
		{"folder", 0, TC_OPT_CHOICE, &folder, "cluster|platform|gitops|tenants",
		 "with --stdout: only the objects of this folder of each environment (cluster, "
		 "platform, gitops or tenants), as an ArgoCD application of that folder applies them"},
		{"env", 'e', TC_OPT_LABELS, &envs, "ENV", "only this environment (repeatable)"},
		{"tenant", 't', TC_OPT_LABELS, &tenants, "NAME", "only this tenant (repeatable)"},
		{"jobs", 'j', TC_OPT_JOBS, &jobs, "N", "worker threads (default: the number of cores)"},
		{"shard", 0, TC_OPT_SHARD, &shard, "I/N", "render the I-th of N shards of the tenants"},
		{"now", 0, TC_OPT_TIME, &now, "TIME", "the time templates see as 'now' (default: commit time)"},
		{"schema-location", 0, TC_OPT_LIST, &schema_locs, "DIR", "validate output against this schema folder"},
		{"strict", 0, TC_OPT_FLAG, &strict, NULL, "an object without a schema is an error"},
		{0},
	};
	int status = tc_opt_parse("render", usage, opts, argc, argv, &pos);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *src = NULL;
	tc_repo repo;
	bool repo_loaded = false;
	tc_tree tree = {0};
	tc_spool spool = {.fd = -1};
	tc_render_result res = {0};
	char *final_dir = NULL, *repo_out = NULL;
	tc_sops_keys *keys = NULL;
	tc_sops_seed *seed = NULL;
	tc_schema_set *schemas = NULL;
	tc_cache *cache = NULL;
	tc_tree_state *state = NULL;
	tc_outdir claim = {.lockfd = -1};
	tc_buf cache_opts;
	tc_buf_init(&cache_opts, TC_BUF_UNLIMITED);
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
	if (to_stdout && out_dir) {
		tc_usage_error(NULL, "choose one of --out and --stdout");
		goto out;
	}
	if (decrypt && !to_stdout) {
		tc_usage_error("--decrypt", "only goes with --stdout");
		goto out;
	}
	if (folder && !to_stdout) {
		tc_usage_error("--folder", "only goes with --stdout");
		goto out;
	}
	long shard_i = 0, shard_n = 1;
	if (shard && tc_opt_shard(&shard_i, &shard_n, shard))
		goto out; /* TC_OPT_SHARD checked it */
	if (!to_stdout && !out_dir && (envs.len || tenants.len || shard_n > 1)) {
		tc_usage_error(NULL, "--env, --tenant and --shard render part of the tree: give "
		                     "--out DIR or --stdout so the full tree in the repository is "
		                     "not replaced");
		goto out;
	}
	tc_strlist_sort_unique(&envs);
	tc_strlist_sort_unique(&tenants);

	tc_source_kind kind = rev ? TC_SOURCE_REV : index ? TC_SOURCE_INDEX : TC_SOURCE_WORKTREE;
	if (tc_source_open(&src, &d, repo_dir, kind, rev))
		goto out;
	repo_loaded = true;
	if (tc_repo_load_some(&repo, src, now, tenants.items, tenants.len, &d))
		goto out;

	if (strcmp(repo_dir, ".") == 0) {
		repo_out = tc_xstrdup(repo.output);
	} else {
		size_t n = strlen(repo_dir) + strlen(repo.output) + 2;
		repo_out = tc_xmalloc(n);
		snprintf(repo_out, n, "%s/%s", repo_dir, repo.output);
	}
	final_dir = tc_xstrdup(out_dir ? out_dir : repo_out);
	/* before anything is written: is the folder tenantc's to replace? */
	if (!to_stdout && tc_outdir_claim(&claim, final_dir, repo_dir, &d))
		goto out;
	if (tc_sops_keys_from_env(&keys, &d))
		goto out;
	seed = tc_render_seed(keys, &repo);
	if (tc_render_open_schemas(&schemas, &schema_locs, repo_dir, repo.settings, &d))
		goto out;
	/* everything besides the inputs that changes what a tenant renders to */
	tc_buf_addf(&cache_opts, "now=%s\nstrict=%d\nseed=%s\n",
	            tc_repo_uses_now(&repo) ? repo.now : "-", strict,
	            seed ? tc_sops_seed_recipient(seed) : "-");
	for (size_t i = 0; i < envs.len; i++)
		tc_buf_addf(&cache_opts, "env=%s\n", envs.items[i]);
	for (size_t i = 0; i < schema_locs.len; i++)
		tc_buf_addf(&cache_opts, "schemas=%s\n", schema_locs.items[i]);
	if (!decrypt && tc_cache_open(&cache, src, tc_buf_str(&cache_opts), &d))
		goto out;
	tc_render_opts ro = {
		.envs = &envs,
		.tenants = &tenants,
		.jobs = jobs,
		.tree = NULL,
		.kustomizations = !to_stdout,
		.shard_index = shard_i,
		.shard_count = shard_n,
		.keys = keys,
		.seed = seed,
		.decrypt = decrypt,
		.prev_root = final_dir,
		/* rendering elsewhere (a shard, --out DIR): unchanged Secrets can
		 * still be carried over from the repository's own tree */
		.prev_fallback = out_dir ? repo_out : NULL,
		.schemas = schemas,
		.strict = strict,
		.cache = cache,
		/* progress only for a person watching: never in pipes or CI logs */
		.progress = !to_stdout && isatty(STDERR_FILENO) && !getenv("CI"),
	};
	/* With a cache, a tree rendered before is updated in place: only the
	 * files of changed tenants are written, the others stay untouched. */
	bool whole = !to_stdout && envs.len == 0 && tenants.len == 0 && shard_n == 1;
	if (whole && cache)
		state = tc_tree_state_load(cache, final_dir);
	ro.state = state;
	if (!to_stdout && !state) {
		if (tc_tree_begin(&tree, final_dir, &d))
			goto out;
		ro.tree = &tree;
	}
	/* --stdout prints nothing until everything succeeded; the bytes wait
	 * in a temporary file rather than in memory (plaintext never does).
	 * Where no temporary file can be made (a read-only container without
	 * a writable TMPDIR) they wait in memory: the same output. */
	if (to_stdout && !decrypt) {
		tc_diags quiet;
		tc_diags_init(&quiet);
		if (tc_spool_open(&spool, &quiet) == 0)
			ro.spool = &spool;
		tc_diags_release(&quiet);
	}
	if (tc_render(&repo, &ro, &res, &d))
		goto out;
	if (to_stdout) {
		/* a streamed render: each folder's manifests, "---" separated */
		for (size_t i = 0; i < res.nchunks; i++) {
			const tc_render_chunk *c = &res.chunks[i];
			if (folder && !in_folder(c->dir, folder))
				continue;
			if (tc_spool_copy(&spool, c->off, c->len, stdout) != 0) {
				tc_error(&d, TC_NOPOS, NULL, "cannot read the temporary file: %s",
				         strerror(errno));
				goto out;
			}
		}
		for (size_t i = 0; i < res.files.len; i++) {
			const tc_outfile *f = &res.files.items[i];
			if (!f->manifest || (folder && !in_folder(f->path, folder)))
				continue;
			fputs("---\n", stdout);
			if (f->data)
				fwrite(f->data, 1, f->len, stdout);
			else if (f->spooled && tc_spool_copy(&spool, f->off, f->len, stdout) != 0) {
				tc_error(&d, TC_NOPOS, NULL, "cannot read the temporary file: %s",
				         strerror(errno));
				goto out;
			}
		}
	} else {
		size_t written = res.files.len;
		if (state) {
			paths_acc acc = {0};
			tc_tree_state_paths(state, add_path, &acc);
			int urc = tc_tree_update(final_dir, &res.files, acc.items, acc.len, &written, &d);
			for (size_t i = 0; i < acc.len; i++)
				free(acc.items[i]);
			free(acc.items);
			if (urc)
				goto out;
		} else if (tc_tree_commit(&tree, &d)) {
			goto out;
		}
		if (whole && cache)
			save_state(cache, final_dir, &res);
		printf("rendered %zu environment%s, %zu tenant%s, %zu object%s, %zu files into %s",
		       res.nenvs, res.nenvs == 1 ? "" : "s", res.ntenants,
		       res.ntenants == 1 ? "" : "s", res.nobjects, res.nobjects == 1 ? "" : "s",
		       res.nfiles, final_dir);
		if (state)
			printf(" (%zu tenant%s unchanged, %zu file%s written)", res.untouched,
			       res.untouched == 1 ? "" : "s", written, written == 1 ? "" : "s");
		else if (res.cached)
			printf(" (%zu tenant%s unchanged, from the cache)", res.cached,
			       res.cached == 1 ? "" : "s");
		putchar('\n');
	}
	status = 0;
out:
	if (tree.final)
		tc_tree_abort(&tree);
	tc_spool_close(&spool);
	tc_render_result_release(&res);
	tc_schema_set_free(schemas);
	tc_tree_state_free(state);
	tc_cache_free(cache);
	tc_buf_release(&cache_opts);
	tc_sops_seed_free(seed);
	tc_sops_keys_free(keys);
	if (repo_loaded)
		tc_repo_release(&repo);
	tc_source_free(src);
	tc_outdir_release(&claim);
	if (d.len) {
		tc_diags_print(&d, stderr);
		int code = tc_diags_exit_code(&d);
		if (code)
			status = code;
	}
	tc_diags_release(&d);
	free(final_dir);
	free(repo_out);
	tc_strlist_release(&envs);
	tc_strlist_release(&tenants);
	tc_strlist_release(&schema_locs);
	tc_strlist_release(&pos);
	return status;
}
