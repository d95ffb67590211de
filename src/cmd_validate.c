/*
 * cmd_validate.c - `tenantc validate`: JSON Schema and Kubernetes checks
 * from the command line.
 *
 *   tenantc validate --schema SCHEMA [--draft 4|2020-12] [--format-assert]
 *                    [--ref-dir URI=DIR]... [--ref-doc FILE|DIR]... FILE...
 *       every document of every FILE (JSON, or YAML streams) against SCHEMA.
 *
 *   tenantc validate [--repo DIR] [--schema-location DIR]...
 *                    [--kubernetes-version V] [--strict] [--no-references]
 *                    [FILE_OR_DIR...]
 *       every Kubernetes object in the files (folders are walked, *.yaml,
 *       *.yml, *.json, in byte order) against the schema folders in
 *       kubeconform's layout and Kubernetes' own rules, duplicates and dangling
 *       references included.
 *       Without files: the repository's inputs against its schemas/ and its
 *       rendered tree (the `output` of tenantc.yaml), duplicates per
 *       environment folder.
 *
 * Each problem is one line on stderr, "file:line:col: error: <path>:
 * message", sorted by file and position. Exit status 0 when everything is
 * valid, 1 when something is not, 2 when an input or schema cannot be used.
 */
#include "cmd.h"

#include "fsutil.h"
#include "json_load.h"
#include "k8s.h"
#include "k8s_refs.h"
#include "opt.h"
#include "schema.h"
#include "schema_check.h"
#include "schema_set.h"
#include "schema_uri.h"
#include "sort.h"
#include "yaml_load.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"--schema SCHEMA [--draft 4|2020-12] [--format-assert] [--ref-dir URI=DIR]...\n"
	"                        [--ref-doc FILE|DIR]... FILE...\n"
	"   or: tenantc validate [--repo DIR] [--schema-location DIR]... "
	"[--kubernetes-version V]\n"
	"                        [--strict] [--no-references] [FILE_OR_DIR...]";

/* the loaders' own input limit */
#define VALIDATE_MAX_INPUT ((size_t)16 << 20)

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* The documents of a file as an array: one for JSON, a stream for YAML. */
static tc_value *load_docs(tc_arena *a, tc_diags *d, const char *path)
{
	char *data;
	size_t len;
	if (tc_file_read_report(&data, &len, d, path, VALIDATE_MAX_INPUT + 1) < 0)
		return NULL;
	tc_value *v = NULL;
	int r;
	if (ends_with(path, ".json")) {
		r = tc_json_load(&v, a, d, path, data, len);
		if (r == 0)
			v = tc_value_array(a, &v, 1, v->pos);
	} else {
		r = tc_yaml_load_stream(&v, a, d, path, data, len, NULL);
	}
	free(data);
	return r < 0 ? NULL : v;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Append the manifest files under dir (recursively, byte order). */
static void walk(tc_arena *a, const char *dir, tc_strlist *out, tc_diags *d, int depth)
{
	if (depth > 32) {
		tc_error(d, (tc_pos){dir, 0, 0}, NULL, "folders nest too deep");
		return;
	}
	DIR *dh = opendir(dir);
	if (!dh) {
		tc_error(d, (tc_pos){dir, 0, 0}, NULL, "cannot read folder: %s", strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		TC_GROW(names, cap, n + 1);
		names[n++] = tc_arena_strdup(a, e->d_name);
	}
	closedir(dh);
	if (n)
		qsort(names, n, sizeof *names, tc_cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *p = tc_arena_printf(a, "%s/%s", dir, names[i]);
		if (is_dir(p))
			walk(a, p, out, d, depth + 1);
		else if (ends_with(p, ".yaml") || ends_with(p, ".yml") || ends_with(p, ".json"))
			tc_strlist_push(out, p);
	}
	free(names);
}

/* Diagnostics added since `from` that have no path are about the whole
 * document: give them the root path ".". */
static void root_paths(tc_diags *d, size_t from)
{
	for (size_t i = from; i < d->len; i++)
		if (!d->items[i].path)
			d->items[i].path = tc_xstrdup(".");
}

static int cmp_warning(const void *a, const void *b, void *ctx)
{
	const tc_diags *d = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(d->items[x].msg, d->items[y].msg);
	return c ? c : (x > y) - (x < y);
}

/* For each diagnostic: how many later warnings repeat its message, or
 * SIZE_MAX when it repeats an earlier one (malloc'd, one per item). */
static size_t *count_repeats(const tc_diags *d)
{
	size_t *extra = tc_xcalloc(d->len + 1, sizeof *extra);
	size_t *idx = tc_xmalloc((d->len + 1) * sizeof *idx);
	size_t n = 0;
	for (size_t i = 0; i < d->len; i++)
		if (d->items[i].sev == TC_SEV_WARNING)
			idx[n++] = i;
	qsort_r(idx, n, sizeof *idx, cmp_warning, (void *)d);
	for (size_t i = 0; i < n;) {
		size_t k = i + 1;
		while (k < n && strcmp(d->items[idx[k]].msg, d->items[idx[i]].msg) == 0)
			extra[idx[k++]] = SIZE_MAX;
		extra[idx[i]] = k - i - 1;
		i = k;
	}
	free(idx);
	return extra;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_diag(const tc_diag *a, const tc_diag *b)
{
	return a->sev == b->sev && a->line == b->line && a->col == b->col &&
	       same_str(a->file, b->file) && same_str(a->path, b->path) &&
	       strcmp(a->msg, b->msg) == 0;
}

/* "file:line:col: error: <path>: message", sorted */
static void print_diags(tc_diags *d)
{
	static const char *const sev[] = {"error", "warning", "note"};
	tc_diags_sort(d);
	size_t *extra = count_repeats(d);
	tc_buf line;
	tc_buf_init(&line, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < d->len; i++) {
		const tc_diag *g = &d->items[i];
		/* the same warning for many objects ("no schema for ...") is
		 * printed once, at its first position, with a count */
		size_t more = extra[i];
		if (more == SIZE_MAX)
			continue;
		/* the same diagnostic twice (a CRD rule's note, met by every
		 * object of its kind) is printed once */
		if (i && same_diag(&d->items[i - 1], g))
			continue;
		tc_buf_reset(&line);
		if (g->file)
			tc_buf_addf(&line, "%s:%u:%u: ", g->file, (unsigned)(g->line ? g->line : 1),
			            (unsigned)(g->col ? g->col : 1));
		else
			tc_buf_adds(&line, "tenantc: ");
		tc_buf_addf(&line, "%s: ", sev[g->sev]);
		if (g->path)
			tc_buf_addf(&line, "%s: ", g->path);
		tc_buf_adds(&line, g->msg);
		if (more)
			tc_buf_addf(&line, " (and %zu more object%s)", more, more == 1 ? "" : "s");
		tc_buf_addc(&line, '\n');
		fwrite(line.ptr, 1, line.len, stderr);
	}
	free(extra);
	tc_buf_release(&line);
}

static int split_map(const char *arg, char **prefix, const char **dir)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return -1;
	*prefix = tc_xmemdup0(arg, (size_t)(eq - arg));
	*dir = eq + 1;
	return 0;
}

static void add_ref_doc(tc_schema_store *st, tc_diags *d, const char *path, tc_arena *a)
{
	if (is_dir(path)) {
		tc_strlist files = {0};
		walk(a, path, &files, d, 0);
		for (size_t i = 0; i < files.len; i++)
			add_ref_doc(st, d, files.items[i], a);
		tc_strlist_release(&files);
		return;
	}
	tc_value *v = tc_schema_store_load_file(st, d, path);
	if (!v)
		return;
	tc_schema_store_add(st, tc_uri_from_path(a, path), v);
}

static int validate_with_schema(const char *schema_path, const tc_strlist *files, const char *draft,
                                bool format_assert, const tc_strlist *refdirs,
                                const tc_strlist *refdocs)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_arena a;
	tc_arena_init(&a);
	tc_schema_store *st = tc_schema_store_new();
	tc_schema_store_allow_files(st, true);
	tc_schema_opts o = {0};
	tc_schema *s = NULL;
	if (draft) {
		if (strcmp(draft, "4") == 0 || strcmp(draft, "draft-04") == 0)
			o.draft = TC_DRAFT_4;
		else if (strcmp(draft, "2020-12") == 0)
			o.draft = TC_DRAFT_2020;
		else
			tc_error(&d, TC_NOPOS, NULL, "unknown draft '%s' (4 or 2020-12)", draft);
	}
	o.format_assert = format_assert;
	for (size_t i = 0; i < refdirs->len; i++) {
		char *prefix;
		const char *dir;
		if (split_map(refdirs->items[i], &prefix, &dir) < 0) {
			tc_error(&d, TC_NOPOS, NULL, "--ref-dir wants URI=DIR, not '%s'",
			         refdirs->items[i]);
			continue;
		}
		tc_schema_store_map(st, prefix, dir);
		free(prefix);
	}
	for (size_t i = 0; i < refdocs->len; i++)
		add_ref_doc(st, &d, refdocs->items[i], &a);
	tc_value *doc =
		tc_diags_has_errors(&d) ? NULL : tc_schema_store_load_file(st, &d, schema_path);
	if (doc) {
		o.base_uri = tc_uri_from_path(&a, schema_path);
		if (tc_schema_compile(&s, st, doc, &o, &d) < 0)
			s = NULL;
	}
	if (s) {
		for (size_t i = 0; i < files->len; i++) {
			tc_value *docs = load_docs(&a, &d, files->items[i]);
			if (!docs)
				continue;
			for (size_t k = 0; k < docs->u.arr.len; k++) {
				size_t from = d.len;
				tc_schema_check(s, docs->u.arr.items[k], &d, NULL, TC_DIAG_FINDING);
				root_paths(&d, from);
			}
		}
	}
	print_diags(&d);
	int rc = tc_diags_exit_code(&d);
	tc_schema_free(s);
	tc_schema_store_free(st);
	tc_arena_release(&a);
	tc_diags_release(&d);
	return rc;
}

/* ---- repository mode ---- */

static const tc_value *repo_settings(tc_arena *a, tc_diags *d, const char *repo)
{
	char *path = tc_arena_printf(a, "%stenantc.yaml", repo);
	struct stat sb;
	if (stat(path, &sb) != 0)
		return NULL;
	char *data;
	size_t len;
	if (tc_file_read_report(&data, &len, d, path, VALIDATE_MAX_INPUT + 1) < 0)
		return NULL;
	tc_value *v = NULL;
	if (tc_yaml_load(&v, a, d, path, data, len, NULL) < 0)
		v = NULL;
	free(data);
	return v;
}

static const char *setting(const tc_value *settings, const char *key)
{
	const tc_value *v = settings ? tc_value_getz(settings, key) : NULL;
	return v && v->kind == TC_STR ? v->u.str.ptr : NULL;
}

/* Check one input file against schemas/<name>.json of the repository. */
static void check_input(tc_arena *a, tc_diags *d, tc_schema_store *st, const char *repo,
                        const char *schema_name, const char *file)
{
	struct stat sb;
	if (stat(file, &sb) != 0)
		return;
	char *sp = tc_arena_printf(a, "%sschemas/%s.json", repo, schema_name);
	if (stat(sp, &sb) != 0) {
		tc_warning(d, (tc_pos){file, 0, 0}, NULL, "not validated: '%s' is missing", sp);
		return;
	}
	tc_value *doc = tc_schema_store_load_file(st, d, sp);
	tc_schema_opts o = {.base_uri = tc_uri_from_path(a, sp)};
	tc_schema *s = NULL;
	if (!doc || tc_schema_compile(&s, st, doc, &o, d) < 0)
		return;
	tc_value *docs = load_docs(a, d, file);
	if (docs && docs->u.arr.len == 1) {
		size_t from = d->len;
		tc_schema_check(s, docs->u.arr.items[0], d, NULL, TC_DIAG_INPUT);
		root_paths(d, from);
	} else if (docs)
		tc_error(d, (tc_pos){file, 1, 1}, NULL, "expected exactly one YAML document");
	tc_schema_free(s);
}

static void check_inputs(tc_arena *a, tc_diags *d, const char *repo)
{
	tc_schema_store *st = tc_schema_store_new();
	tc_schema_store_allow_files(st, true);
	check_input(a, d, st, repo, "tenantc", tc_arena_printf(a, "%stenantc.yaml", repo));
	tc_strlist files = {0};
	char *envdir = tc_arena_printf(a, "%senvironments", repo);
	if (is_dir(envdir))
		walk(a, envdir, &files, d, 31);
	for (size_t i = 0; i < files.len; i++)
		check_input(a, d, st, repo, "environment", files.items[i]);
	tc_strlist_release(&files);
	char *tdir = tc_arena_printf(a, "%stenants", repo);
	DIR *dh = is_dir(tdir) ? opendir(tdir) : NULL;
	tc_strlist names = {0};
	struct dirent *e;
	while (dh && (e = readdir(dh)))
		if (e->d_name[0] != '.')
			tc_strlist_push(&names, tc_arena_strdup(a, e->d_name));
	if (dh)
		closedir(dh);
	tc_strlist_sort_unique(&names);
	for (size_t i = 0; i < names.len; i++)
		check_input(a, d, st, repo, "tenant",
		            tc_arena_printf(a, "%s/%s/tenant.yaml", tdir, names.items[i]));
	tc_strlist_release(&names);
	tc_schema_store_free(st);
}

static bool is_kustomization(const tc_value *obj)
{
	const tc_value *api = tc_value_getz(obj, "apiVersion");
	return api && api->kind == TC_STR && api->u.str.len > 24 &&
	       memcmp(api->u.str.ptr, "kustomize.config.k8s.io/", 24) == 0;
}

/* The items of a `kind: List` (apiVersion v1), which kubectl and kustomize
 * expand into its objects; NULL for any other object. */
static const tc_value *list_items(const tc_value *obj)
{
	const tc_value *kind = tc_value_getz(obj, "kind"), *api = tc_value_getz(obj, "apiVersion");
	const tc_value *items = tc_value_getz(obj, "items");
	if (!tc_value_streq(kind, "List") || !tc_value_streq(api, "v1") || !items ||
	    items->kind != TC_ARRAY)
		return NULL;
	return items;
}

/* The kubeconfig Secrets that the repository's environment files say
 * their clusters have (cluster.kubeConfigSecret): of environment env, or
 * of every environment (env NULL). A file that does not load is the input
 * check's to report. */
static void env_secrets(tc_arena *a, tc_k8s_refs *refs, const char *repo, const char *env)
{
	char *dir = tc_arena_printf(a, "%senvironments", repo);
	if (!is_dir(dir))
		return;
	tc_strlist files = {0};
	tc_diags quiet;
	tc_diags_init(&quiet);
	if (env)
		tc_strlist_push(&files, tc_arena_printf(a, "%s/%s.yaml", dir, env));
	else
		walk(a, dir, &files, &quiet, 31);
	for (size_t i = 0; i < files.len; i++) {
		tc_value *docs = load_docs(a, &quiet, files.items[i]);
		for (size_t k = 0; docs && k < docs->u.arr.len; k++) {
			const tc_value *kc =
				tc_value_dig(docs->u.arr.items[k], "cluster.kubeConfigSecret");
			if (kc && kc->kind == TC_STR && kc->u.str.len)
				tc_k8s_refs_add_ident(refs, "v1", 2, "Secret", 6, "*", 1,
				                      kc->u.str.ptr, kc->u.str.len);
		}
	}
	tc_diags_release(&quiet);
	tc_strlist_release(&files);
}

/* What validating the objects of a repository needs at every step. */
typedef struct vctx {
	tc_arena *a;
	tc_diags *d;
	tc_schema_set *set;
	const tc_value *settings; /* tenantc.yaml's, or NULL */
	const char *repo;         /* "" or "DIR/" */
	bool strict, refs;
} vctx;

/* One object of a file: checked, counted for duplicates and references; a
 * List item by item, as kubectl and kustomize apply it */
static void check_doc(const vctx *v, const tc_value *obj, tc_k8s_dupes *dupes, tc_k8s_refs *refs)
{
	size_t from = v->d->len;
	const tc_value *items = list_items(obj);
	if (!items) {
		tc_schema_set_check_object(v->set, obj, v->strict, v->d, NULL);
		root_paths(v->d, from);
		tc_k8s_dupes_add(dupes, obj, false);
		if (refs)
			tc_k8s_refs_add(refs, obj, NULL);
		return;
	}
	tc_path ip = TC_PATH_KEY(NULL, "items", 5);
	for (size_t j = 0; j < items->u.arr.len; j++) {
		tc_path p = TC_PATH_INDEX(&ip, j);
		tc_schema_set_check_object(v->set, items->u.arr.items[j], v->strict, v->d, &p);
		tc_k8s_dupes_add(dupes, items->u.arr.items[j], false);
		if (refs)
			tc_k8s_refs_add(refs, items->u.arr.items[j], &p);
	}
}

/* The files of one cluster: each object, duplicates, and references that
 * resolve to none of the objects and to no entry of `provided` (for env;
 * NULL: every entry, the files given on the command line). */
static void check_files(const vctx *v, const tc_strlist *files, const char *env)
{
	tc_k8s_dupes dupes;
	tc_k8s_dupes_init(&dupes);
	tc_k8s_refs *refs = v->refs ? tc_k8s_refs_new() : NULL;
	for (size_t i = 0; i < files->len; i++) {
		tc_value *docs = load_docs(v->a, v->d, files->items[i]);
		for (size_t k = 0; docs && k < docs->u.arr.len; k++) {
			const tc_value *obj = docs->u.arr.items[k];
			if (obj->kind != TC_NULL && !is_kustomization(obj))
				check_doc(v, obj, &dupes, refs);
		}
	}
	tc_k8s_dupes_report(&dupes, v->d, TC_DIAG_FINDING);
	tc_k8s_dupes_release(&dupes);
	if (refs) {
		tc_k8s_refs_provide(refs,
		                    v->settings ? tc_value_getz(v->settings, "provided") : NULL,
		                    env);
		env_secrets(v->a, refs, v->repo, env);
		tc_k8s_refs_report(refs, v->d, TC_DIAG_FINDING);
		tc_k8s_refs_free(refs);
	}
}

/* The schema folders: those given, else schemaLocation of tenantc.yaml, else
 * schemas/ when there is one (without it the objects are still checked by
 * Kubernetes' own rules) */
static void schema_locations(tc_strlist *locs, tc_arena *a, const char *repo,
                             const tc_value *settings, const tc_strlist *locations)
{
	for (size_t i = 0; i < locations->len; i++)
		tc_strlist_push(locs, locations->items[i]);
	if (locs->len)
		return;
	const tc_value *sl = settings ? tc_value_getz(settings, "schemaLocation") : NULL;
	if (sl && sl->kind == TC_STR)
		tc_strlist_push(locs, tc_arena_printf(a, "%s%s", repo, sl->u.str.ptr));
	for (size_t i = 0; sl && sl->kind == TC_ARRAY && i < sl->u.arr.len; i++)
		if (sl->u.arr.items[i]->kind == TC_STR)
			tc_strlist_push(locs, tc_arena_printf(a, "%s%s", repo,
			                                      sl->u.arr.items[i]->u.str.ptr));
	char *def = tc_arena_printf(a, "%sschemas", repo);
	if (!locs->len && is_dir(def))
		tc_strlist_push(locs, def);
}

/* the files and folders named on the command line, as one cluster */
static void validate_args(const vctx *v, const tc_strlist *args)
{
	tc_strlist files = {0};
	for (size_t i = 0; i < args->len; i++) {
		if (is_dir(args->items[i]))
			walk(v->a, args->items[i], &files, v->d, 0);
		else
			tc_strlist_push(&files, args->items[i]);
	}
	check_files(v, &files, NULL);
	tc_strlist_release(&files);
}

/* the folders of the output folder, sorted by bytes */
static void env_folders(tc_strlist *envs, tc_arena *a, const char *outdir)
{
	DIR *dh = is_dir(outdir) ? opendir(outdir) : NULL;
	struct dirent *e;
	while (dh && (e = readdir(dh)))
		if (e->d_name[0] != '.')
			tc_strlist_push(envs, tc_arena_strdup(a, e->d_name));
	if (dh)
		closedir(dh);
	tc_strlist_sort_unique(envs);
}

/* the repository's inputs, then its rendered tree: one environment is one
 * cluster, so duplicates are per folder */
static void validate_rendered(const vctx *v)
{
	check_inputs(v->a, v->d, v->repo);
	const char *out = setting(v->settings, "output");
	char *outdir = tc_arena_printf(v->a, "%s%s", v->repo, out ? out : "rendered");
	tc_strlist envs = {0};
	env_folders(&envs, v->a, outdir);
	for (size_t i = 0; i < envs.len; i++) {
		char *p = tc_arena_printf(v->a, "%s/%s", outdir, envs.items[i]);
		tc_strlist files = {0};
		if (is_dir(p))
			walk(v->a, p, &files, v->d, 0);
		check_files(v, &files, envs.items[i]);
		tc_strlist_release(&files);
	}
	tc_strlist_release(&envs);
}

static int validate_objects(const char *repo, const tc_strlist *locations, const char *k8sver,
                            bool strict, bool refs, const tc_strlist *args)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_arena a;
	tc_arena_init(&a);
	/* paths below the repository: "rendered/..." rather than "./rendered/..." */
	repo = strcmp(repo, ".") == 0 ? "" : tc_arena_printf(&a, "%s/", repo);
	const tc_value *settings = repo_settings(&a, &d, repo);
	tc_strlist locs = {0};
	schema_locations(&locs, &a, repo, settings, locations);
	tc_pos kpos = TC_NOPOS;
	const tc_value *kv = settings ? tc_value_getz(settings, "kubernetesVersion") : NULL;
	if (!k8sver && kv && kv->kind == TC_STR) {
		k8sver = kv->u.str.ptr;
		kpos = kv->pos;
	}
	tc_schema_set *set = NULL;
	tc_schema_set_opts so = {locs.items, locs.len, k8sver, kpos, false};
	if (!tc_diags_has_errors(&d) && tc_schema_set_open(&set, &so, &d) == 0) {
		vctx v = {&a, &d, set, settings, repo, strict, refs};
		if (args->len)
			validate_args(&v, args);
		else
			validate_rendered(&v);
	}
	print_diags(&d);
	int rc = tc_diags_exit_code(&d);
	tc_schema_set_free(set);
	tc_strlist_release(&locs);
	tc_arena_release(&a);
	tc_diags_release(&d);
	return rc;
}

int tc_cmd_validate(int argc, char **argv)
{
	const char *schema = NULL, *draft = NULL, *repo = ".", *k8sver = NULL;
	bool strict = false, format_assert = false, no_refs = false;
	tc_strlist refdirs = {0}, refdocs = {0}, locations = {0}, pos = {0};
	const tc_option opts[] = {
		{"schema", 0, TC_OPT_STRING, &schema, "SCHEMA",
	         "validate the files against this JSON Schema (JSON or YAML)"},
		{"draft", 0, TC_OPT_STRING, &draft, "4|2020-12",
	         "draft for a schema without $schema (default: guessed from its keywords)"},
		{"format-assert", 0, TC_OPT_FLAG, &format_assert, NULL,
	         "make 'format' an assertion (date-time, email, hostname, ipv4, ipv6, uri, uuid...)"},
		{"ref-dir", 0, TC_OPT_LIST, &refdirs, "URI=DIR",
	         "load references under URI from DIR (e.g. http://localhost:1234/=remotes)"},
		{"ref-doc", 0, TC_OPT_LIST, &refdocs, "FILE|DIR",
	         "make schema documents known by their $id (e.g. meta-schemas)"},
		{"repo", 0, TC_OPT_STRING, &repo, "DIR", "the repository (default: .)"},
		{"schema-location", 0, TC_OPT_LIST, &locations, "DIR",
	         "schema folder in kubeconform's layout (default: schemaLocation in tenantc.yaml, "
	         "else schemas/)"},
		{"kubernetes-version", 0, TC_OPT_STRING, &k8sver, "V",
	         "Kubernetes schemas to use, e.g. 1.34.0 (default: the newest present)"},
		{"strict", 0, TC_OPT_FLAG, &strict, NULL, "an object without a schema is an error"},
		{"no-references", 0, TC_OPT_FLAG, &no_refs, NULL,
	         "judge each object alone, as the API server does: no references between them"},
		{0},
	};
	int r = tc_opt_parse("validate", usage, opts, argc, argv, &pos);
	if (r == 0 && schema && !pos.len) {
		tc_usage_error("--schema", "needs at least one FILE to validate");
		r = 2;
	}
	if (r == 0) {
		if (schema)
			r = validate_with_schema(schema, &pos, draft, format_assert, &refdirs,
			                         &refdocs);
		else
			r = validate_objects(repo, &locations, k8sver, strict, !no_refs, &pos);
	} else if (r == 1) {
		r = 0;
	}
	tc_strlist_release(&refdirs);
	tc_strlist_release(&refdocs);
	tc_strlist_release(&locations);
	tc_strlist_release(&pos);
	return r;
}
