/*
 * render_job.c - what one job does: a cluster job expands the environment's
 * templates, a tenant job the tenant's (or takes them from the cache or the
 * tree state), then every object is checked and its folder written.
 *
 * Ownership: values live in the job's arena (w->a), decrypted values in its
 * secret memory (w->sm); files and diagnostics go to the job (w->j), which
 * the main thread merges in job order.
 */
#include "render_impl.h"

#include "cel_k8s_vap.h"

#include "filecheck.h"
#include "jsone.h"
#include "realm_check.h"
#include "render_files.h"
#include "schema_set.h"
#include "tenant_view.h"

/* The tenants of env, each as env sees it (tenant_view.h), sorted by
 * name: what cluster and platform templates read as `tenants`. Loads only
 * tenant.yaml of each, into the job's arena. */
static int env_tenants(tc_value **out, const tc_repo *r, tc_arena *a, tc_diags *d,
                       const tc_env *env)
{
	tc_arrb list;
	tc_arrb_init(&list);
	int rc = 0;
	for (size_t k = 0; k < r->ntenants; k++) {
		tc_tenant t;
		if (tc_repo_load_tenant_settings(r, r->tenants[k], a, d, &t)) {
			rc = -1;
			continue;
		}
		for (size_t e = 0; e < t.nenvs; e++)
			if (t.envs[e] == env)
				tc_arrb_push(&list, tc_tenant_view(a, &t, env));
	}
	*out = tc_arrb_finish(&list, a, TC_NOPOS);
	return rc;
}

/* Whether a cluster or platform template reads `tenants`: only then does
 * a cluster job load every tenant.yaml. */
static bool env_needs_tenants(const tc_repo *r)
{
	for (size_t i = 0; i < r->ntemplates; i++)
		if ((r->templates[i].scope == TC_SCOPE_CLUSTER ||
		     r->templates[i].scope == TC_SCOPE_PLATFORM) &&
		    tc_repo_template_mentions(&r->templates[i], "tenants"))
			return true;
	return false;
}

/* secretDigests: the path of each of env's input Secrets below secrets/
 * (an environment's own file under the path it replaces,
 * "realm-clients.yaml" for "prod/realm-clients.yaml") to the digest of the
 * file (sops.h: the annotation of the rendered Secret), so that an object
 * can change when a Secret does without reading its value. */
static tc_value *secret_digests(tc_arena *a, const tc_tenant *t, const tc_env *env)
{
	tc_objb b;
	tc_objb_init(&b);
	size_t n = strlen(env->name);
	for (size_t i = 0; i < t->nsecrets; i++) {
		if (!t->secret_envs || !tc_tenant_secret_used_in(t, i, env))
			continue;
		const char *p = t->secrets[i].path;
		if (t->secret_envs[i])
			p += n + 1;
		char digest[TC_SOPS_DIGEST_SIZE];
		tc_sops_source_digest(digest, t->secrets[i].data, t->secrets[i].len);
		tc_objb_addz(&b, tc_arena_strdup(a, p), tc_value_strz(a, digest, TC_NOPOS));
	}
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

/* The context of a template: env, repo, commit, and either tenant, files
 * and secretDigests (a tenant job) or tenants (a cluster job; NULL when no
 * template reads it). */
static tc_value *context(const tc_repo *r, tc_arena *a, const tc_env *env, const tc_tenant *t,
                         tc_value *tenants)
{
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "env", env->doc);
	tc_objb_addz(&b, "repo", r->settings);
	tc_objb_addz(&b, "commit", r->commit);
	if (tenants)
		tc_objb_addz(&b, "tenants", tenants);
	/* the paths below files/ and tenants/<t>/files/, sorted by bytes */
	tc_objb_addz(&b, "repoFiles", tc_render_file_list(a, r->files, r->nfiles));
	if (t) {
		tc_objb_addz(&b, "tenant", tc_tenant_view(a, t, env));
		tc_objb_addz(&b, "files", tc_render_file_list(a, t->files, t->nfiles));
		tc_objb_addz(&b, "secretDigests", secret_digests(a, t, env));
	}
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
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
	tc_jsone_host host[TC_FILE_HOSTS_MAX];
	tc_file_host ud[TC_FILE_HOSTS_MAX];
	tc_jsone_opts jo = {0};
	jo.now = r->now;
	jo.hostfns = host;
	jo.nhostfns = tc_render_file_hosts(host, ud, r, t, a);
	jo.extras = true;
	tc_value *out;
	if (tc_jsone_render_compiled(&out, a, d, tpl->compiled, ctx, &jo))
		return -1;
	if (!out || out->kind == TC_NULL)
		return 0;
	if (out->kind == TC_ARRAY) {
		if (out->u.arr.len > OBJECTS_PER_TEMPLATE_MAX)
			return tc_error(d, out->pos, NULL,
			                "template '%s' made %zu objects, more than %d", tpl->path,
			                out->u.arr.len, OBJECTS_PER_TEMPLATE_MAX);
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

/* Output checks for one object: no plaintext Secret, its schema and
 * Kubernetes' rules, and a place in its environment's duplicate set. */
/* The checks of an output object: the output schemas, or for a Secret
 * (and without schemas) the API server's rules of names and labels only,
 * so that its values stay out of messages. */
static void check_output_rules(const tc_render_opts *o, job *j, const tc_value *obj, bool is_secret)
{
	if (o->schemas && !is_secret) {
		tc_schema_set_check_object(o->schemas, obj, o->strict, &j->diags, NULL);
		return;
	}
	const char *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, strlen(api), &g, &gl, &v, &vl);
	tc_k8s_check_object(obj, tc_k8s_builtin_scope(g, gl, kind, strlen(kind)), &j->diags, NULL,
	                    TC_DIAG_FINDING);
}

/* The identity of obj for the cache entry: "env TAB apiVersion TAB kind
 * TAB namespace TAB name". */
static void keep_ident(work *w, size_t env_index, const tc_value *obj)
{
	job *j = w->j;
	const char *ns = str_at(obj, "metadata.namespace");
	TC_GROW(j->k->idents, j->k->capidents, j->k->nidents + 1);
	size_t n = strlen(w->p->repo->envs[env_index].name) + 256;
	char *id = tc_xmalloc(n);
	snprintf(id, n, "%s\t%s\t%s\t%s\t%s", w->p->repo->envs[env_index].name,
	         str_at(obj, "apiVersion"), str_at(obj, "kind"), ns ? ns : "",
	         str_at(obj, "metadata.name"));
	j->k->idents[j->k->nidents++] = id;
}

void tc_render_check_output(work *w, size_t env_index, const tc_value *obj, bool is_secret)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	if (j->rewrite)
		return; /* checked, counted and observed in the first run */
	if (!is_secret && tc_sops_check_plain(&j->diags, obj))
		return;
	if (!is_secret && tc_filecheck_output_text(&j->diags, obj))
		return;
	if (j->identify || j->peer) {
		tc_render_add_identity(w, env_index, obj);
		return;
	}
	check_output_rules(o, j, obj, is_secret);
	tc_render_add_identity(w, env_index, obj);
	tc_render_refs_add(w, env_index, obj);
	if (o->observe && !is_secret)
		o->observe(o->observe_ctx, &w->p->repo->envs[env_index], w->tenant, obj);
	if (w->p->vap && !is_secret)
		tc_vap_observe(w->p->vap, env_index, obj);
	if (j->keep_bytes)
		keep_ident(w, env_index, obj);
}

/* The per-environment templates: templates/cluster into <env>/cluster/,
 * templates/platform (the GitOps objects that apply the environment) into
 * <env>/platform/. */
void tc_render_run_cluster(work *w)
{
	static const struct {
		tc_scope scope;
		const char *folder;
	} scopes[] = {{TC_SCOPE_CLUSTER, "cluster"}, {TC_SCOPE_PLATFORM, "platform"}};
	const tc_repo *r = w->p->repo;
	job *j = w->j;
	tc_value *tenants = NULL;
	if (env_needs_tenants(r) && env_tenants(&tenants, r, w->a, &j->diags, j->env))
		return;
	tc_value *ctx = context(r, w->a, j->env, NULL, tenants);
	for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++) {
		tc_arrb objs;
		tc_arrb_init(&objs);
		int rc = 0;
		for (size_t i = 0; i < r->ntemplates; i++)
			if (r->templates[i].scope == scopes[s].scope &&
			    expand(r, w->a, &j->diags, &r->templates[i], ctx, NULL, &objs))
				rc = -1;
		if (rc == 0) {
			for (size_t i = 0; i < objs.len; i++)
				tc_render_check_output(w, env_index_of(r, j->env), objs.items[i],
				                       false);
		}
		if (rc == 0 && j->rewrite && scopes[s].scope == TC_SCOPE_CLUSTER)
			tc_render_add_shared(w, env_index_of(r, j->env), &objs);
		if (rc == 0 && !j->identify) {
			char *dir = tc_path_join(j->env->name, scopes[s].folder);
			tc_render_write_folder(w, j->env, dir, objs.items, NULL, objs.len);
			free(dir);
		}
		tc_arrb_release(&objs);
	}
}

/* A tenant must not own a namespace Kubernetes keeps for itself: "default"
 * and every "kube-" name (kube-system, kube-public, kube-node-lease). A
 * tenant "kube" in an environment "system" would otherwise render, and its
 * Flux or ArgoCD objects would prune what lives there. */
static int check_reserved_namespace(job *j, const tc_tenant *t, const tc_env *env,
                                    const tc_value *obj)
{
	const char *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
	const char *name = str_at(obj, "metadata.name");
	if (!api || !kind || !name || strcmp(api, "v1") != 0 || strcmp(kind, "Namespace") != 0)
		return 0;
	if (strcmp(name, "default") != 0 && strncmp(name, "kube-", 5) != 0)
		return 0;
	const tc_value *at = tc_value_dig(obj, "metadata.name");
	return tc_error(&j->diags, at ? at->pos : obj->pos, NULL,
	                "namespace '%s' is reserved for Kubernetes: tenant '%s' cannot own it in "
	                "environment '%s' (rename the tenant or the environment)",
	                tc_value_shown(at), t->name, env->name);
}

/* Every input file of a tenant is scanned for plaintext Secrets. */
static int scan_inputs(job *j, tc_arena *a, const tc_tenant *t)
{
	int rc = 0;
	for (size_t i = 0; i < t->nfiles; i++) {
		char *path = tc_arena_printf(a, "tenants/%s/files/%s", t->name, t->files[i].path);
		if (tc_sops_scan_plain(&j->diags, path, t->files[i].data, t->files[i].len))
			rc = -1;
	}
	for (size_t i = 0; i < t->nsecrets; i++) {
		char *path =
			tc_arena_printf(a, "tenants/%s/secrets/%s", t->name, t->secrets[i].path);
		if (tc_sops_scan_plain(&j->diags, path, t->secrets[i].data, t->secrets[i].len))
			rc = -1;
	}
	return rc;
}

/* Does tenant name have input Secrets? Without a rendering identity their
 * bytes are carried over from the previous tree, and a previous tree read
 * from a source (check) need not be the one render's cache entry was made
 * against. Call under the source lock. */
static bool has_secrets(tc_source *src, const char *name)
{
	tc_diags quiet;
	tc_diags_init(&quiet);
	char *dir = tc_path_join(name, "secrets");
	char *full = tc_path_join("tenants", dir);
	tc_entry *e = NULL;
	size_t n = 0;
	bool listed = tc_source_list(src, &quiet, full, &e, &n) == 0;
	if (listed)
		tc_entries_free(e, n);
	free(full);
	free(dir);
	tc_diags_release(&quiet);
	return !listed || n > 0;
}

/* The git tree id of tenant `name`'s folder from the listing of tenants/,
 * or NULL when the source gave none. */
static const char *tenant_tree_id(const tc_repo *r, const char *name)
{
	if (!r->tenant_ids)
		return NULL;
	size_t lo = 0, hi = r->ntenants;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->tenants[mid], name);
		if (c == 0)
			return r->tenant_ids[mid][0] ? r->tenant_ids[mid] : NULL;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* j's key: the one its record in the tree state holds when the record's
 * memo is the folder's (nothing read), else computed from the source. */
static void key_tenant(work *w)
{
	const tc_repo *r = w->p->repo;
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	j->k = tc_xcalloc(1, sizeof *j->k);
	const char *tree = tenant_tree_id(r, j->tenant);
	if (tree)
		tc_cache_tenant_memo(o->cache, tree, j->k->memo);
	bool prev_check = o->prev_read && !o->seed;
	if (!prev_check && j->k->memo[0] && state_of(o) &&
	    tc_tree_state_key(state_of(o), j->tenant, j->k->memo, j->k->key))
		return;
	pthread_mutex_t *lock = (pthread_mutex_t *)&r->src_lock;
	pthread_mutex_lock(lock);
	if (!tc_cache_tenant_key(o->cache, r->src, j->tenant, j->k->key) ||
	    (prev_check && has_secrets(r->src, j->tenant))) {
		free(j->k);
		j->k = NULL;
	}
	pthread_mutex_unlock(lock);
}

static void run_tenant(work *w)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	if (o->cache && !o->decrypt)
		key_tenant(w);
	if (j->k && state_of(o) && tc_render_from_state(w, j->k->key))
		return;
	if (j->k && tc_render_from_cache(w, j->k->key))
		return;
	j->keep_bytes = j->k != NULL;
	tc_render_tenant_objects(w);
	/* a cache hit replays files, not diagnostics: a job that warned is
	 * rendered again next time, so that the warning is shown again */
	if (j->k && j->diags.len == 0)
		tc_render_to_cache(w, j->k->key);
	if (j->k && (tree_of(o) || spool_of(o))) {
		for (size_t i = 0; i < j->files.len; i++) {
			free(j->files.items[i].data);
			j->files.items[i].data = NULL;
		}
	}
}

void tc_render_run_tenant(work *w)
{
	run_tenant(w);
	tc_render_finish_keyed(w);
	tc_tree_state *s = state_of(w->p->opts);
	if (s)
		tc_tree_state_done(s, w->j->tenant);
}

/* The tenant's objects in env from the tenant and gitops templates:
 * objs[0] and objs[1]. -1 when one failed. */
static int expand_tenant(work *w, const tc_tenant *t, tc_value *ctx, tc_arrb objs[2])
{
	const tc_repo *r = w->p->repo;
	int rc = 0;
	for (size_t s = 0; s < 2; s++) {
		tc_arrb_init(&objs[s]);
		tc_scope scope = s == 0 ? TC_SCOPE_TENANT : TC_SCOPE_GITOPS;
		for (size_t i = 0; i < r->ntemplates; i++)
			if (r->templates[i].scope == scope &&
			    expand(r, w->a, &w->j->diags, &r->templates[i], ctx, t, &objs[s]))
				rc = -1;
	}
	return rc;
}

static int check_reserved_namespaces(job *j, const tc_tenant *t, const tc_env *env,
                                     const tc_arrb objs[2])
{
	int rc = 0;
	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < objs[s].len; i++)
			if (check_reserved_namespace(j, t, env, objs[s].items[i]))
				rc = -1;
	return rc;
}

/* The object checks of every object, and the scan of the plain ones (not
 * the nplain.. Secrets of objs[0], which come from SOPS) for leaked
 * decrypted values. */
static int check_tenant_objects(work *w, const tc_env *env, const tc_arrb objs[2], size_t nplain)
{
	job *j = w->j;
	size_t ei = env_index_of(w->p->repo, env);
	int rc = 0;
	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < objs[s].len; i++) {
			bool is_secret = s == 0 && i >= nplain;
			tc_render_check_output(w, ei, objs[s].items[i], is_secret);
			if (!is_secret && !j->identify &&
			    tc_sops_leaks_scan(&j->diags, w->leaks, objs[s].items[i]))
				rc = -1;
		}
	return rc;
}

/* ENV/tenants/TENANT and ENV/gitops/TENANT, each when it has objects. */
static void write_tenant_folders(work *w, const tc_tenant *t, const tc_env *env,
                                 const tc_arrb objs[2], const secret_out **secrets)
{
	static const char *const folders[2] = {"tenants", "gitops"};
	job *j = w->j;
	for (size_t s = 0; s < 2 && !tc_diags_has_errors(&j->diags); s++) {
		if (objs[s].len == 0)
			continue;
		size_t n = strlen(env->name) + strlen(folders[s]) + strlen(t->name) + 3;
		char *dir = tc_xmalloc(n);
		snprintf(dir, n, "%s/%s/%s", env->name, folders[s], t->name);
		tc_render_write_folder(w, env, dir, objs[s].items, s == 0 ? secrets : NULL,
		                       objs[s].len);
		free(dir);
		j->rendered_tenant = true;
	}
}

/* One environment of the tenant: expand, check, add the Secrets, write. */
static void render_tenant_env(work *w, const tc_tenant *t, const tc_env *env)
{
	job *j = w->j;
	tc_value *ctx = context(w->p->repo, w->a, env, t, NULL);
	tc_arrb objs[2];
	int rc = expand_tenant(w, t, ctx, objs);
	if (check_reserved_namespaces(j, t, env, objs))
		rc = -1;
	const secret_out **secrets = NULL;
	size_t nplain = objs[0].len;
	if (rc == 0 && !j->peer && tc_render_load_secrets(w, t, env, &objs[0], &secrets))
		rc = -1;
	if (rc == 0 && check_tenant_objects(w, env, objs, nplain))
		rc = -1;
	if (rc == 0 && (j->rewrite || w->p->shared_tree))
		for (size_t s = 0; s < 2; s++)
			tc_render_drop_shared(w, env_index_of(w->p->repo, env), objs[s].items,
			                      s == 0 ? secrets : NULL, &objs[s].len);
	if (rc == 0 && !j->identify && !j->peer)
		write_tenant_folders(w, t, env, objs, secrets);
	tc_arrb_release(&objs[0]);
	tc_arrb_release(&objs[1]);
}

/* The client secrets are checked where the templates use the Secret
 * realm-clients (the example's keycloak templates): a repository whose
 * templates give clients their secrets otherwise is not held to it. */
bool tc_render_checks_client_secrets(const tc_repo *r)
{
	for (size_t i = 0; i < r->ntemplates; i++)
		if (r->templates[i].scope == TC_SCOPE_TENANT &&
		    tc_repo_template_mentions(&r->templates[i], "realm-clients"))
			return true;
	return false;
}

void tc_render_tenant_objects(work *w)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_tenant t;
	if (tc_repo_load_tenant(w->p->repo, j->tenant, w->a, &j->diags, &t))
		return;
	if (scan_inputs(j, w->a, &t))
		return;
	w->tenant = &t;
	for (size_t e = 0; e < t.nenvs; e++) {
		if (!env_selected(o, t.envs[e]->name))
			continue;
		if (w->p->client_secrets && !j->peer &&
		    tc_realm_check_secrets(w->a, &t, t.envs[e], &j->diags))
			continue;
		render_tenant_env(w, &t, t.envs[e]);
	}
	w->tenant = NULL;
}
