/*
 * render.c - tc_render: the phases of one render.
 *
 *   check_filters -> plan (one job per environment and tenant) -> the pool
 *   (render_pool.c) -> duplicates (render_dupes.c) and dangling references
 *   (render_refs.c) -> merge in job order
 *   -> index files (kustomization.yaml, the tree's marker)
 *
 * Ownership: the repository is shared read-only. Each job owns an arena
 * (values, contexts) that is released when the job ends, a tc_diags and a
 * tc_outlist with malloc'd paths (and bytes in memory mode). The main thread
 * merges the per-job lists and diagnostics strictly in job order; the
 * result owns what it holds, except the records of kept tenants, which
 * borrow the sink's tree state.
 */
#include "render.h"

#include "render_impl.h"

#include "cel_k8s_vap.h"
#include "outdir.h"

static int cmp_chunk(const void *x, const void *y)
{
	const tc_render_chunk *a = x, *b = y;
	return strcmp(a->dir, b->dir);
}

/* The chunks of one environment (the part of dir before its first '/'). */
typedef struct chunk_run {
	const char *env;
	size_t len, count, at;
} chunk_run;

static int cmp_run(const void *x, const void *y)
{
	/* "env/" against "env/": no such prefix is another's */
	const chunk_run *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->env, b->env, n);
	if (c)
		return c;
	return (a->len > n ? (unsigned char)a->env[n] : '/') -
	       (b->len > n ? (unsigned char)b->env[n] : '/');
}

/* The run of c's environment in runs (added when new). */
static size_t run_of(chunk_run **runs, size_t *nruns, size_t *cap, const tc_render_chunk *c)
{
	const char *slash = strchr(c->dir, '/');
	size_t len = slash ? (size_t)(slash - c->dir) : strlen(c->dir);
	for (size_t r = 0; r < *nruns; r++)
		if ((*runs)[r].len == len && memcmp((*runs)[r].env, c->dir, len) == 0)
			return r;
	TC_GROW(*runs, *cap, *nruns + 1);
	(*runs)[*nruns] = (chunk_run){.env = c->dir, .len = len};
	return (*nruns)++;
}

static bool chunks_sorted(const tc_render_chunk *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1].dir, v[i].dir) > 0)
			return false;
	return true;
}

/* The chunks sorted by dir. They come in job order: those of each
 * environment in order already (the tenants' folders in tenant order),
 * the environments interleaved. So they are put together by environment,
 * the environments in order, and a run sorted only when it is not. */
static void sort_chunks(tc_render_chunk *v, size_t n)
{
	chunk_run *runs = NULL;
	size_t nruns = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = run_of(&runs, &nruns, &cap, &v[i]); /* may move runs */
		runs[r].count++;
	}
	qsort(runs, nruns, sizeof *runs, cmp_run);
	for (size_t r = 0, at = 0; r < nruns; r++) {
		runs[r].at = at;
		at += runs[r].count;
	}
	tc_render_chunk *tmp = tc_xmalloc(n * sizeof *tmp);
	for (size_t i = 0; i < n; i++) {
		size_t r = run_of(&runs, &nruns, &cap, &v[i]); /* found: adds none */
		tmp[runs[r].at++] = v[i];
	}
	for (size_t r = 0; r < nruns; r++) {
		tc_render_chunk *run = tmp + runs[r].at - runs[r].count;
		if (!chunks_sorted(run, runs[r].count))
			qsort(run, runs[r].count, sizeof *run, cmp_chunk);
	}
	memcpy(v, tmp, n * sizeof *v);
	free(tmp);
	free(runs);
}

/* The --env and --tenant filters must name what exists. */
static int check_filters(const tc_repo *r, const tc_render_opts *o, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; o->envs && i < o->envs->len; i++)
		if (!tc_repo_env(r, o->envs->items[i]))
			rc = tc_error(d, TC_NOPOS, NULL,
			              "unknown environment '%s' (see environments/)",
			              o->envs->items[i]);
	for (size_t i = 0; o->tenants && i < o->tenants->len; i++) {
		bool found = false;
		for (size_t k = 0; k < r->ntenants && !found; k++)
			found = strcmp(r->tenants[k], o->tenants->items[i]) == 0;
		if (!found)
			rc = tc_error(d, TC_NOPOS, NULL, "unknown tenant '%s' (see tenants/)",
			              o->tenants->items[i]);
	}
	return rc;
}

/* One job per selected environment (its cluster templates), then one per
 * selected tenant of this shard, then the peers, in that order: the order
 * of the output. */
static void plan_jobs(pool *p, const tc_repo *r, const tc_render_opts *o)
{
	p->jobs = tc_xcalloc(r->nenvs + r->ntenants + r->npeers + 1, sizeof *p->jobs);
	bool only_tenants = o->tenants && o->tenants->len;
	/* the tenants not selected are peers: what a selected tenant shares
	 * with them is no object of its folder (render_dupes.c) */
	bool peers = only_tenants && o->shard_count <= 1;
	for (size_t i = 0; i < r->nenvs; i++)
		if (env_selected(o, r->envs[i].name) && !only_tenants)
			p->jobs[p->njobs++].env = &r->envs[i];
	for (size_t k = 0; k < r->ntenants; k++) {
		if (only_tenants && !tc_strlist_has(o->tenants, r->tenants[k]))
			continue;
		if (o->shard_count > 1 && (long)(k % (size_t)o->shard_count) != o->shard_index)
			continue;
		p->jobs[p->njobs++].tenant = r->tenants[k];
	}
	for (size_t k = 0; peers && k < r->npeers; k++) {
		p->jobs[p->njobs].peer = true;
		p->jobs[p->njobs++].tenant = r->peers[k];
	}
	for (size_t k = 0; k < p->njobs; k++) {
		tc_diags_init(&p->jobs[k].diags);
		tc_outlist_init(&p->jobs[k].files);
		/* a bucket of the tree state stays loaded until its last job is done */
		if (state_of(o) && p->jobs[k].tenant)
			tc_tree_state_expect(state_of(o), p->jobs[k].tenant);
	}
}

/* The admission policies' set when the repository has policies or a
 * template makes one, else NULL. */
static tc_vap_set *plan_policies(const tc_repo *r)
{
	bool policies = r->npolicies > 0;
	for (size_t i = 0; i < r->ntemplates && !policies; i++)
		policies = tc_repo_template_mentions(&r->templates[i], "ValidatingAdmissionPolicy");
	if (!policies)
		return NULL;
	tc_vap_set *vap = tc_vap_set_new(r->nenvs);
	for (size_t i = 0; i < r->npolicies; i++)
		tc_vap_add_static(vap, r->policies[i]);
	return vap;
}

/* The jobs, the pool's state, the duplicate and reference checks. */
static void plan(pool *p, const tc_repo *r, const tc_render_opts *o)
{
	*p = (pool){.repo = r, .opts = o};
	plan_jobs(p, r, o);
	atomic_init(&p->next, 0);
	atomic_init(&p->done, 0);
	pthread_mutex_init(&p->dupes_lock, NULL);
	/* files go out as each folder is done unless something needs them
	 * whole: the cache, plaintext, a tree state, a per-file listing */
	p->stream = (tree_of(o) || spool_of(o)) && !o->cache && !o->decrypt && !state_of(o) &&
	            !per_file(o);
	tc_render_dupes_init(p);
	tc_render_ids_plan(p);
	if (o->tenants && o->tenants->len && o->shard_count <= 1 && r->shared_from_tree)
		tc_render_shared_from_tree(p);
	p->vap = plan_policies(r);
	tc_render_refs_init(p);
}

static void free_keyed(keyed *kj)
{
	for (size_t i = 0; i < kj->nidents; i++)
		free(kj->idents[i]);
	free(kj->idents);
	free(kj);
}

/* What a keyed tenant made, for the tree state: the reference its job
 * left (render_cache.c tc_render_finish_keyed). */
static void record(tc_render_result *res, size_t *cap, job *j)
{
	keyed *kj = j->k;
	if (!kj)
		return;
	j->k = NULL;
	if (kj->bad)
		res->records_bad = true;
	if (kj->has_ref && !tc_diags_has_errors(&j->diags)) {
		TC_GROW(res->records, *cap, res->nrecords + 1);
		res->records[res->nrecords++] = kj->ref;
	} else {
		free((char *)kj->ref.text);
	}
	free_keyed(kj);
}

/* Counts, records and diagnostics of every job, in job order; then the
 * duplicates of each environment. */
static void merge(tc_render_result *res, pool *p, tc_diags *d)
{
	const tc_repo *r = p->repo;
	size_t records_cap = 0;
	for (size_t k = 0; k < p->njobs; k++) {
		job *j = &p->jobs[k];
		if (j->peer) {
			tc_diags_release(&j->diags);
			continue;
		}
		res->nobjects += j->nobjects;
		res->ntenants += j->rendered_tenant;
		res->cached += j->from_cache;
		res->untouched += j->untouched;
		record(res, &records_cap, j);
		tc_diags_merge(d, &j->diags);
	}
	tc_render_dupes_report(p, d);
	tc_render_refs_report(p, d);
	pthread_mutex_destroy(&p->dupes_lock);
	if (!tc_diags_has_errors(d))
		for (size_t i = 0; i < r->nenvs; i++)
			res->nenvs += env_selected(p->opts, r->envs[i].name);
}

/* The jobs' files and chunks into the result, which takes them over. */
static void collect(tc_render_result *res, pool *p)
{
	size_t chunks_cap = 0;
	for (size_t k = 0; k < p->njobs; k++)
		chunks_cap += p->jobs[k].nchunks;
	res->chunks = chunks_cap ? tc_xmalloc(chunks_cap * sizeof *res->chunks) : NULL;
	for (size_t k = 0; k < p->njobs; k++) {
		job *j = &p->jobs[k];
		for (size_t f = 0; f < j->files.len; f++) {
			TC_GROW(res->files.items, res->files.cap, res->files.len + 1);
			res->files.items[res->files.len++] = j->files.items[f];
		}
		free(j->files.items);
		for (size_t c = 0; c < j->nchunks; c++) {
			res->chunks[res->nchunks++] = j->chunks[c];
			res->nfiles += j->chunks[c].nfiles;
		}
		free(j->chunks);
	}
	free(p->jobs);
	res->nfiles += res->files.len;
	if (res->nchunks > 1)
		sort_chunks(res->chunks, res->nchunks);
}

/* The index files list folders: what stands for every folder of the tree.
 * One path a chunk ("DIR/_") stands for its files (a streamed folder, a
 * tenant kept as it is in the tree, a keyed tenant of a new tree), beside
 * the files the result lists. Returns res->files itself when there are no
 * chunks, else *folders (its own copies: tc_outlist_release it). */
static const tc_outlist *folders_of(const tc_render_result *res, tc_outlist *folders)
{
	if (!res->nchunks)
		return &res->files;
	for (size_t i = 0; i < res->files.len; i++)
		tc_outlist_add(folders, tc_xstrdup(res->files.items[i].path), NULL, 0, true);
	for (size_t c = 0; c < res->nchunks; c++) {
		size_t n = strlen(res->chunks[c].dir);
		char *path = tc_xmalloc(n + 2);
		memcpy(path, res->chunks[c].dir, n);
		memcpy(path + n, "_", 2);
		tc_outlist_add(folders, path, NULL, 0, true);
	}
	return folders;
}

/* Each environment's index kustomizations and the tree's marker, written
 * into the sink's tree or kept with the result's files. */
static void index_files_of(tc_render_result *res, const tc_repo *r, const tc_render_opts *o,
                           tc_diags *d)
{
	tc_outlist folders;
	tc_outlist_init(&folders);
	const tc_outlist *listed = folders_of(res, &folders);
	tc_outlist idx;
	tc_outlist_init(&idx);
	for (size_t i = 0; i < r->nenvs; i++)
		if (env_selected(o, r->envs[i].name))
			tc_output_env_index(&idx, r->envs[i].name, listed);
	/* the mark that lets a later render replace this tree (outdir.h) */
	tc_outlist_add(&idx, tc_xstrdup(TC_OUTDIR_MARKER), tc_xstrdup(tc_outdir_marker_text),
	               strlen(tc_outdir_marker_text), false);
	tc_outlist_release(&folders);
	res->nfiles += idx.len;
	for (size_t i = 0; i < idx.len; i++) {
		tc_outfile *f = &idx.items[i];
		if (tree_of(o) && tc_tree_write(tree_of(o), f->path, f->data, f->len, d) == 0) {
			free(f->data);
			f->data = NULL;
		}
		tc_outlist_add(&res->files, f->path, f->data, f->len, false);
	}
	free(idx.items);
}

int tc_render(const tc_repo *r, const tc_render_opts *o, tc_render_result *res, tc_diags *d)
{
	memset(res, 0, sizeof *res);
	tc_outlist_init(&res->files);
	if (check_filters(r, o, d))
		return -1;
	pool p;
	plan(&p, r, o);
	tc_render_run_pool(&p);
	tc_render_ids_from_state(&p, res);
	tc_render_identify_dupes(&p);
	tc_render_ids_collect(&p, res);
	tc_render_share_rewrite(&p);
	free(p.ids);
	/* a tenant rewritten without what it shares renders again next time
	 * (its key in the state is no key), but its hashes would be gone from
	 * the index: keep none, the next render hashes every identity */
	res->has_ids = res->has_ids && !p.nshared;
	merge(res, &p, d);
	tc_render_shared_release(&p);
	if (p.vap) {
		/* the admission policies, over every environment's objects */
		tc_vap_run(p.vap, d);
		tc_vap_set_free(p.vap);
	}
	collect(res, &p);
	if (index_files(o) && !tc_diags_has_errors(d))
		index_files_of(res, r, o, d);
	tc_outlist_sort(&res->files);
	return tc_diags_has_errors(d) ? -1 : 0;
}

void tc_render_result_release(tc_render_result *res)
{
	tc_outlist_release(&res->files);
	for (size_t i = 0; i < res->nchunks; i++)
		free(res->chunks[i].dir);
	free(res->chunks);
	res->chunks = NULL;
	res->nchunks = 0;
	for (size_t i = 0; i < res->nrecords; i++)
		free((char *)res->records[i].text);
	free(res->records);
	res->records = NULL;
	res->nrecords = 0;
	free(res->ids);
	free(res->id_names);
	free(res->ids_dirty);
	res->ids = NULL;
	res->id_names = NULL;
	res->ids_dirty = NULL;
	res->nids = 0;
	res->has_ids = false;
}
