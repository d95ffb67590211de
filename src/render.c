/*
 * render.c - jobs, the worker pool and the per-job pipeline
 * (template -> objects -> checks -> YAML bytes -> file).
 *
 * Ownership: the repository is shared read-only. Each job owns an arena
 * (values, contexts) that is released when the job ends, a tc_diags and a
 * tc_outlist with malloc'd paths (and bytes in memory mode). The main thread
 * merges the per-job lists and diagnostics strictly in job order.
 */
#include "render.h"

#include "arena.h"
#include "jsone.h"
#include "yaml_emit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The most objects one template may produce for one tenant: a list beyond
 * this is almost certainly a runaway $map. */
#define OBJECTS_PER_TEMPLATE_MAX 10000

typedef struct job {
	const tc_env *env;  /* cluster job: the environment */
	const char *tenant; /* tenant job: the tenant's folder name */
	tc_diags diags;
	tc_outlist files;
	size_t nobjects;
	bool rendered_tenant; /* the tenant produced output in some environment */
} job;

typedef struct pool {
	const tc_repo *repo;
	const tc_render_opts *opts;
	job *jobs;
	size_t njobs;
	atomic_size_t next;
} pool;

static bool env_selected(const tc_render_opts *o, const char *name)
{
	return !o->envs || o->envs->len == 0 || tc_strlist_has(o->envs, name);
}

/* file(path): the content of a file under the tenant's files/ folder */
static int host_file(tc_value **out, void *ud, tc_arena *a, tc_diags *d, tc_pos pos,
                     tc_value *const *args, size_t nargs)
{
	const tc_tenant *t = ud;
	if (nargs != 1 || args[0]->kind != TC_STR)
		return tc_error(d, pos, NULL, "file() takes one string argument, a path below "
		                              "tenants/<tenant>/files/");
	const tc_value *p = args[0];
	for (size_t i = 0; t && i < t->nfiles; i++) {
		if (tc_value_streq(p, t->files[i].path)) {
			*out = tc_value_str_ref(a, t->files[i].data, t->files[i].len, pos);
			return 0;
		}
	}
	return tc_error(d, pos, NULL, "file('%.*s'): no such file in tenants/%s/files",
	                (int)p->u.str.len, p->u.str.ptr, t ? t->name : "?");
}

static tc_value *context(const tc_repo *r, tc_arena *a, const tc_env *env, const tc_tenant *t)
{
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "env", env->doc);
	tc_objb_addz(&b, "repo", r->settings);
	tc_objb_addz(&b, "commit", r->commit);
	if (t)
		tc_objb_addz(&b, "tenant", t->doc);
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

static const char *str_at(const tc_value *o, const char *path)
{
	const tc_value *v = tc_value_dig(o, path);
	return v && v->kind == TC_STR ? v->u.str.ptr : NULL;
}

/* An output object needs apiVersion, kind and metadata.name as strings. */
static int check_object(tc_diags *d, const tc_template *tpl, const tc_value *o)
{
	if (o->kind != TC_OBJECT)
		return tc_error(d, o->pos, NULL, "template '%s' must produce objects, not %s",
		                tpl->path, tc_kind_name(o->kind));
	static const char *const need[] = {"apiVersion", "kind", "metadata.name"};
	for (size_t i = 0; i < 3; i++) {
		const char *s = str_at(o, need[i]);
		if (!s || !s[0])
			return tc_error(d, o->pos, NULL,
			                "an object made by '%s' has no '%s' string", tpl->path,
			                need[i]);
	}
	return 0;
}

/* Evaluate one template; append its objects to objs. */
static int expand(const tc_repo *r, tc_arena *a, tc_diags *d, const tc_template *tpl,
                  const tc_value *ctx, const tc_tenant *t, tc_arrb *objs)
{
	tc_jsone_host host[] = {{"file", host_file, (void *)t}};
	tc_jsone_opts jo = {0};
	jo.now = r->now;
	jo.hostfns = host;
	jo.nhostfns = 1;
	jo.extras = true;
	tc_value *out;
	if (tc_jsone_render_compiled(&out, a, d, tpl->compiled, ctx, &jo))
		return -1;
	if (!out || out->kind == TC_NULL)
		return 0;
	if (out->kind == TC_ARRAY) {
		if (out->u.arr.len > OBJECTS_PER_TEMPLATE_MAX)
			return tc_error(d, out->pos, NULL, "template '%s' made %zu objects, more than %d",
			                tpl->path, out->u.arr.len, OBJECTS_PER_TEMPLATE_MAX);
		int rc = 0;
		for (size_t i = 0; i < out->u.arr.len; i++) {
			tc_value *o = out->u.arr.items[i];
			if (o->kind == TC_NULL)
				continue;
			if (check_object(d, tpl, o))
				rc = -1;
			else
				tc_arrb_push(objs, o);
		}
		return rc;
	}
	if (check_object(d, tpl, out))
		return -1;
	tc_arrb_push(objs, out);
	return 0;
}

static char *joinpath(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = tc_xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void store(const tc_render_opts *o, job *j, char *path, char *data, size_t len,
                  bool manifest)
{
	if (o->tree) {
		if (tc_tree_write(o->tree, path, data, len, &j->diags) != 0) {
			free(path);
			free(data);
			return;
		}
		free(data);
		data = NULL;
	}
	tc_outlist_add(&j->files, path, data, len, manifest);
}

/* Name, emit and store the objects of one output folder. */
static int write_folder(const tc_render_opts *o, job *j, const char *dir, tc_value *const *objs,
                        size_t n)
{
	if (n == 0)
		return 0;
	char **names = tc_xcalloc(n, sizeof *names);
	int rc = tc_output_names(names, (const tc_value *const *)objs, n, &j->diags);
	if (rc == 0) {
		tc_buf b;
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		for (size_t i = 0; i < n; i++) {
			tc_buf_reset(&b);
			tc_yaml_emit(&b, objs[i]);
			size_t len;
			char *data = tc_xmemdup0(b.ptr ? b.ptr : "", b.len);
			len = b.len;
			store(o, j, joinpath(dir, names[i]), data, len, true);
		}
		if (o->kustomizations) {
			/* resources in file-name order */
			char **sorted = tc_xmalloc(n * sizeof *sorted);
			memcpy(sorted, names, n * sizeof *sorted);
			for (size_t x = 1; x < n; x++)
				for (size_t y = x; y > 0 && strcmp(sorted[y - 1], sorted[y]) > 0; y--) {
					char *t = sorted[y];
					sorted[y] = sorted[y - 1];
					sorted[y - 1] = t;
				}
			tc_buf_reset(&b);
			tc_output_kustomization(&b, (const char *const *)sorted, n);
			store(o, j, joinpath(dir, "kustomization.yaml"), tc_xmemdup0(b.ptr, b.len),
			      b.len, false);
			free(sorted);
		}
		tc_buf_release(&b);
		j->nobjects += n;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static void run_cluster(const tc_repo *r, const tc_render_opts *o, job *j, tc_arena *a)
{
	tc_value *ctx = context(r, a, j->env, NULL);
	tc_arrb objs;
	tc_arrb_init(&objs);
	int rc = 0;
	for (size_t i = 0; i < r->ntemplates; i++)
		if (r->templates[i].scope == TC_SCOPE_CLUSTER &&
		    expand(r, a, &j->diags, &r->templates[i], ctx, NULL, &objs))
			rc = -1;
	if (rc == 0) {
		char *dir = joinpath(j->env->name, "cluster");
		write_folder(o, j, dir, objs.items, objs.len);
		free(dir);
	}
	tc_arrb_release(&objs);
}

static void run_tenant(const tc_repo *r, const tc_render_opts *o, job *j, tc_arena *a)
{
	tc_tenant t;
	if (tc_repo_load_tenant(r, j->tenant, a, &j->diags, &t))
		return;
	for (size_t e = 0; e < t.nenvs; e++) {
		const tc_env *env = t.envs[e];
		if (!env_selected(o, env->name))
			continue;
		tc_value *ctx = context(r, a, env, &t);
		static const struct {
			tc_scope scope;
			const char *folder;
		} scopes[] = {{TC_SCOPE_TENANT, "tenants"}, {TC_SCOPE_GITOPS, "gitops"}};
		for (size_t s = 0; s < 2; s++) {
			tc_arrb objs;
			tc_arrb_init(&objs);
			int rc = 0;
			for (size_t i = 0; i < r->ntemplates; i++)
				if (r->templates[i].scope == scopes[s].scope &&
				    expand(r, a, &j->diags, &r->templates[i], ctx, &t, &objs))
					rc = -1;
			if (rc == 0 && objs.len) {
				size_t n = strlen(env->name) + strlen(scopes[s].folder) +
				           strlen(t.name) + 3;
				char *dir = tc_xmalloc(n);
				snprintf(dir, n, "%s/%s/%s", env->name, scopes[s].folder, t.name);
				write_folder(o, j, dir, objs.items, objs.len);
				free(dir);
				j->rendered_tenant = true;
			}
			tc_arrb_release(&objs);
		}
	}
}

static void *worker(void *arg)
{
	pool *p = arg;
	tc_arena a;
	tc_arena_init(&a);
	for (;;) {
		size_t k = atomic_fetch_add(&p->next, 1);
		if (k >= p->njobs)
			break;
		job *j = &p->jobs[k];
		if (j->env)
			run_cluster(p->repo, p->opts, j, &a);
		else
			run_tenant(p->repo, p->opts, j, &a);
		tc_arena_reset(&a);
	}
	tc_arena_release(&a);
	return NULL;
}

static long default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

int tc_render(const tc_repo *r, const tc_render_opts *o, tc_render_result *res, tc_diags *d)
{
	memset(res, 0, sizeof *res);
	tc_outlist_init(&res->files);
	int rc = 0;
	/* check the filters against what exists */
	for (size_t i = 0; o->envs && i < o->envs->len; i++)
		if (!tc_repo_env(r, o->envs->items[i]))
			rc = tc_error(d, TC_NOPOS, NULL, "unknown environment '%s' (see environments/)",
			              o->envs->items[i]);
	for (size_t i = 0; o->tenants && i < o->tenants->len; i++) {
		bool found = false;
		for (size_t k = 0; k < r->ntenants && !found; k++)
			found = strcmp(r->tenants[k], o->tenants->items[i]) == 0;
		if (!found)
			rc = tc_error(d, TC_NOPOS, NULL, "unknown tenant '%s' (see tenants/)",
			              o->tenants->items[i]);
	}
	if (rc)
		return -1;

	pool p = {.repo = r, .opts = o};
	p.jobs = tc_xcalloc(r->nenvs + r->ntenants + 1, sizeof *p.jobs);
	bool only_tenants = o->tenants && o->tenants->len;
	for (size_t i = 0; i < r->nenvs; i++)
		if (env_selected(o, r->envs[i].name) && !only_tenants)
			p.jobs[p.njobs++].env = &r->envs[i];
	size_t ncluster = p.njobs;
	for (size_t k = 0; k < r->ntenants; k++) {
		if (only_tenants && !tc_strlist_has(o->tenants, r->tenants[k]))
			continue;
		if (o->shard_count > 1 && (long)(k % (size_t)o->shard_count) != o->shard_index)
			continue;
		p.jobs[p.njobs++].tenant = r->tenants[k];
	}
	for (size_t k = 0; k < p.njobs; k++) {
		tc_diags_init(&p.jobs[k].diags);
		tc_outlist_init(&p.jobs[k].files);
	}
	atomic_init(&p.next, 0);

	long nthreads = o->jobs > 0 ? o->jobs : default_jobs();
	if ((size_t)nthreads > p.njobs)
		nthreads = p.njobs ? (long)p.njobs : 1;
	if (nthreads <= 1) {
		worker(&p);
	} else {
		pthread_t *th = tc_xmalloc((size_t)nthreads * sizeof *th);
		long started = 0;
		for (long i = 0; i < nthreads; i++)
			if (pthread_create(&th[i], NULL, worker, &p) == 0)
				started++;
			else
				break;
		if (started == 0)
			worker(&p);
		for (long i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		free(th);
	}

	/* merge in job order */
	for (size_t k = 0; k < p.njobs; k++) {
		job *j = &p.jobs[k];
		res->nobjects += j->nobjects;
		if (j->rendered_tenant)
			res->ntenants++;
		tc_diags_merge(d, &j->diags);
	}
	if (!tc_diags_has_errors(d)) {
		for (size_t i = 0; i < r->nenvs; i++) {
			if (!env_selected(o, r->envs[i].name))
				continue;
			res->nenvs++;
		}
	}
	(void)ncluster;
	for (size_t k = 0; k < p.njobs; k++) {
		job *j = &p.jobs[k];
		for (size_t f = 0; f < j->files.len; f++)
			tc_outlist_add(&res->files, j->files.items[f].path, j->files.items[f].data,
			               j->files.items[f].len, j->files.items[f].manifest);
		free(j->files.items);
	}
	free(p.jobs);
	if (o->kustomizations && !tc_diags_has_errors(d)) {
		tc_outlist idx;
		tc_outlist_init(&idx);
		for (size_t i = 0; i < r->nenvs; i++)
			if (env_selected(o, r->envs[i].name))
				tc_output_env_index(&idx, r->envs[i].name, &res->files);
		for (size_t i = 0; i < idx.len; i++) {
			tc_outfile *f = &idx.items[i];
			if (o->tree && tc_tree_write(o->tree, f->path, f->data, f->len, d) == 0) {
				free(f->data);
				f->data = NULL;
			}
			tc_outlist_add(&res->files, f->path, f->data, f->len, false);
		}
		free(idx.items);
	}
	tc_outlist_sort(&res->files);
	return tc_diags_has_errors(d) ? -1 : 0;
}

void tc_render_result_release(tc_render_result *res)
{
	tc_outlist_release(&res->files);
}
