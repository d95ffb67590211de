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
#include "cache.h"
#include "jsone.h"
#include "k8s.h"
#include "outdir.h"
#include "schema_set.h"
#include "secmem.h"
#include "sink.h"
#include "sops.h"
#include "yaml_emit.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The most objects one template may produce for one tenant: a list beyond
 * this is almost certainly a runaway $map. */
#define OBJECTS_PER_TEMPLATE_MAX 10000

/* What a tenant job with a cache key keeps besides. */
typedef struct keyed {
	char key[65];
	tc_state_tenant *kept; /* untouched: its record in the state */
	char **idents;         /* object identities, collected for the cache */
	size_t nidents, capidents;
} keyed;

typedef struct job {
	const tc_env *env;  /* cluster job: the environment */
	const char *tenant; /* tenant job: the tenant's folder name */
	tc_diags diags;
	tc_outlist files;
	size_t nobjects;
	bool rendered_tenant; /* the tenant produced output in some environment */
	bool keep_bytes;      /* keep file bytes after writing them (for the cache) */
	bool from_cache;
	bool untouched;       /* unchanged in the tree being updated (opts.state) */
	bool identify;        /* re-run to name duplicates: check, write nothing */
	struct keyed *k;      /* with a cache key only (a job lives until the merge) */
	/* streaming (see pool.stream): the output folders this job made */
	tc_render_chunk *chunks;
	size_t nchunks, capchunks;
} job;

/* An object's place in the duplicate check: a 96-bit hash of its
 * environment, group, kind, namespace and name, and the job that made it.
 * Only when two hashes meet are the jobs involved rendered again to name
 * the objects (identify_dupes), so a render keeps 16 bytes an object. */
typedef struct idhash {
	uint64_t h;
	uint32_t h2, job;
} idhash;

typedef struct pool {
	const tc_repo *repo;
	const tc_render_opts *opts;
	job *jobs;
	size_t njobs;
	atomic_size_t next;
	atomic_size_t done;
	/* duplicate detection: hashes of every object (under dupes_lock), and
	 * when identifying, the full set per environment (index of repo->envs) */
	pthread_mutex_t dupes_lock;
	idhash *ids;
	size_t nids, capids;
	tc_k8s_dupes *dupes;
	/* Streaming: files go to the tree or the spool as each output folder
	 * is done, and a job keeps only a chunk per folder, not its files */
	bool stream;
} pool;

/* What one job needs besides its own fields. */
typedef struct work {
	pool *p;
	job *j;
	tc_arena *a;
	tc_secmem *sm;         /* decrypted Secret values of this job */
	tc_sops_leaks *leaks;  /* the same values, for the leak scan */
} work;

/* A Secret to be written into a tenant folder: its bytes are made after
 * the file name is known, because carry-over compares with the file of
 * that name in the previous tree. */
typedef struct secret_out {
	const tc_value *secret; /* plaintext (with a seed) or the clear shape */
	tc_sops_info info;
	const char *input_path;
} secret_out;

/* The sink's parts (sink.h); a render without a sink keeps its bytes in
 * memory. */
static tc_tree *tree_of(const tc_render_opts *o)
{
	return tc_sink_tree(o->sink);
}

static tc_spool *spool_of(const tc_render_opts *o)
{
	return tc_sink_spool(o->sink);
}

static tc_tree_state *state_of(const tc_render_opts *o)
{
	return tc_sink_state(o->sink);
}

static bool index_files(const tc_render_opts *o)
{
	return o->sink && o->sink->index_files;
}

static bool per_file(const tc_render_opts *o)
{
	return o->sink && o->sink->per_file;
}

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
	if (t) {
		tc_objb_addz(&b, "tenant", t->doc);
		/* the paths below tenants/<t>/files/, sorted, for file(path) */
		tc_value **paths = tc_arena_alloc(a, (t->nfiles + 1) * sizeof *paths);
		for (size_t i = 0; i < t->nfiles; i++)
			paths[i] = tc_value_strz(a, t->files[i].path, TC_NOPOS);
		tc_objb_addz(&b, "files", tc_value_array(a, paths, t->nfiles, TC_NOPOS));
	}
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
	unsigned long long off = 0;
	if (tree_of(o) || spool_of(o)) {
		int rc = tree_of(o) ? tc_tree_write(tree_of(o), path, data, len, &j->diags)
		                 : tc_spool_put(spool_of(o), data, len, &off, &j->diags);
		if (rc != 0) {
			free(path);
			free(data);
			return;
		}
		if (!j->keep_bytes) {
			free(data);
			data = NULL;
		}
	}
	tc_outlist_add(&j->files, path, data, len, manifest);
	if (!tree_of(o) && spool_of(o)) {
		j->files.items[j->files.len - 1].spooled = true;
		j->files.items[j->files.len - 1].off = off;
	}
}

/* The previously rendered file at relpath, or NULL (malloc'd). Files are
 * small; anything odd (a link, a huge file) counts as absent. */
static char *read_prev(const char *root, const char *relpath, size_t *len)
{
	if (!root)
		return NULL;
	size_t n = strlen(root) + strlen(relpath) + 2;
	char *full = tc_xmalloc(n);
	snprintf(full, n, "%s/%s", root, relpath);
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(full);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (16 << 20)) {
		size_t want = (size_t)st.st_size, got = 0;
		buf = tc_xmalloc(want + 1);
		while (got < want) {
			ssize_t r = read(fd, buf + got, want - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got != want) {
			free(buf);
			buf = NULL;
		} else {
			buf[got] = 0;
			*len = got;
		}
	}
	close(fd);
	return buf;
}

static size_t env_recipients(const tc_repo *r, const tc_env *env, const char **out, size_t max)
{
	size_t n = 0;
	const tc_value *lists[2] = {tc_value_dig(env->doc, "sops.age"),
	                            tc_value_dig(r->settings, "sops.age")};
	for (int k = 0; k < 2; k++) {
		const tc_value *l = lists[k];
		if (!l || l->kind != TC_ARRAY)
			continue;
		for (size_t i = 0; i < l->u.arr.len && n < max; i++)
			if (l->u.arr.items[i]->kind == TC_STR)
				out[n++] = l->u.arr.items[i]->u.str.ptr;
	}
	return n;
}

/* The bytes of one rendered Secret, or -1 with a diagnostic. */
static int secret_bytes(work *w, const tc_env *env, const secret_out *so, const char *relpath,
                        char **data, size_t *len, bool *plain)
{
	const tc_render_opts *o = w->p->opts;
	const tc_repo *r = w->p->repo;
	job *j = w->j;
	*plain = false;
	if (o->decrypt) {
		tc_secbuf sb;
		tc_secbuf_init(&sb, (size_t)16 << 20);
		int rc = tc_sops_emit_plain(&sb, &j->diags, so->secret);
		if (rc == 0) {
			*data = tc_xmalloc(sb.len + 1);
			memcpy(*data, tc_secbuf_str(&sb), sb.len);
			(*data)[sb.len] = 0;
			*len = sb.len;
			*plain = true;
		}
		tc_secbuf_release(&sb);
		return rc;
	}
	const char *rcp[64];
	size_t nr = env_recipients(r, env, rcp, 64);
	size_t prevlen = 0;
	char *prev = o->prev_read ? o->prev_read(o->prev_ctx, relpath, &prevlen)
	                          : read_prev(o->prev_root, relpath, &prevlen);
	if (!prev && !o->prev_read)
		prev = read_prev(o->prev_fallback, relpath, &prevlen);
	tc_sops_render_in in = {
		.secret = so->secret,
		.recipients = rcp,
		.nrecipients = nr,
		.lastmodified = so->info.lastmodified,
		.input_path = so->input_path,
		.prev = prev,
		.prevlen = prevlen,
		.prev_path = relpath,
	};
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	int rc = o->seed ? tc_sops_encrypt_render(&b, &j->diags, w->sm, o->seed, o->keys, &in)
	                 : tc_sops_carry_over(&b, &j->diags, &in);
	free(prev);
	if (rc == 0)
		*data = tc_buf_detach(&b, len);
	tc_buf_release(&b);
	return rc;
}

/* The indices of names in byte order (malloc'd): a folder holds a few
 * files, so an insertion sort. */
static size_t *name_order(char *const *names, size_t n)
{
	size_t *order = tc_xmalloc((n ? n : 1) * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t x = 1; x < n; x++)
		for (size_t y = x; y > 0 && strcmp(names[order[y - 1]], names[order[y]]) > 0; y--) {
			size_t t = order[y];
			order[y] = order[y - 1];
			order[y - 1] = t;
		}
	return order;
}

/* Streaming: write one folder's files into the tree, or its manifests as
 * one range of the spool, in file-name order; keep only a chunk. */
static int stream_folder(work *w, const tc_env *env, const char *dir, tc_value *const *objs,
                         const secret_out *const *secrets, char **names, size_t n)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	size_t *order = name_order(names, n);
	tc_buf b, folder;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_init(&folder, TC_BUF_UNLIMITED);
	int rc = 0;
	size_t nfiles = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		char *path = joinpath(dir, names[i]);
		const char *data;
		size_t len;
		char *sdata = NULL;
		if (secrets && secrets[i]) {
			bool plain;
			if (secret_bytes(w, env, secrets[i], path, &sdata, &len, &plain)) {
				free(path);
				rc = -1;
				continue;
			}
			data = sdata;
		} else {
			tc_buf_reset(&b);
			tc_yaml_emit(&b, objs[i]);
			data = b.ptr ? b.ptr : "";
			len = b.len;
		}
		if (tree_of(o)) {
			if (tc_tree_write(tree_of(o), path, data, len, &j->diags))
				rc = -1;
		} else {
			tc_buf_add(&folder, "---\n", 4);
			tc_buf_add(&folder, data, len);
		}
		free(sdata);
		free(path);
		nfiles++;
	}
	if (rc == 0 && tree_of(o) && index_files(o)) {
		const char **sorted = tc_xmalloc(n * sizeof *sorted);
		for (size_t k = 0; k < n; k++)
			sorted[k] = names[order[k]];
		tc_buf_reset(&b);
		tc_output_kustomization(&b, sorted, n);
		free(sorted);
		char *path = joinpath(dir, "kustomization.yaml");
		if (tc_tree_write(tree_of(o), path, b.ptr, b.len, &j->diags))
			rc = -1;
		free(path);
		nfiles++;
	}
	unsigned long long off = 0;
	if (rc == 0 && !tree_of(o) && tc_spool_put(spool_of(o), folder.ptr ? folder.ptr : "", folder.len,
	                                        &off, &j->diags))
		rc = -1;
	if (rc == 0) {
		TC_GROW(j->chunks, j->capchunks, j->nchunks + 1);
		size_t dl = strlen(dir);
		char *d = tc_xmalloc(dl + 2);
		memcpy(d, dir, dl);
		d[dl] = '/';
		d[dl + 1] = 0;
		j->chunks[j->nchunks++] = (tc_render_chunk){d, nfiles, off, folder.len};
	}
	tc_buf_release(&folder);
	tc_buf_release(&b);
	free(order);
	return rc;
}

/* Name, emit and store the objects of one output folder. secrets[i] is
 * non-NULL for Secrets whose bytes come from SOPS. */
static int write_folder(work *w, const tc_env *env, const char *dir, tc_value *const *objs,
                        const secret_out *const *secrets, size_t n)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	if (n == 0)
		return 0;
	char **names = tc_xcalloc(n, sizeof *names);
	int rc = tc_output_names(names, (const tc_value *const *)objs, n, &j->diags);
	if (rc == 0 && w->p->stream) {
		rc = stream_folder(w, env, dir, objs, secrets, names, n);
	} else if (rc == 0) {
		tc_buf b;
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		for (size_t i = 0; i < n; i++) {
			char *path = joinpath(dir, names[i]);
			if (secrets && secrets[i]) {
				char *data = NULL;
				size_t len = 0;
				bool plain;
				if (secret_bytes(w, env, secrets[i], path, &data, &len, &plain)) {
					free(path);
					rc = -1;
					continue;
				}
				if (plain)
					tc_outlist_add_secret(&j->files, path, data, len);
				else
					store(o, j, path, data, len, true);
				continue;
			}
			tc_buf_reset(&b);
			tc_yaml_emit(&b, objs[i]);
			store(o, j, path, tc_xmemdup0(b.ptr ? b.ptr : "", b.len), b.len, true);
		}
		if (index_files(o)) {
			/* resources in file-name order */
			size_t *order = name_order(names, n);
			const char **sorted = tc_xmalloc(n * sizeof *sorted);
			for (size_t k = 0; k < n; k++)
				sorted[k] = names[order[k]];
			free(order);
			tc_buf_reset(&b);
			tc_output_kustomization(&b, sorted, n);
			store(o, j, joinpath(dir, "kustomization.yaml"), tc_xmemdup0(b.ptr, b.len),
			      b.len, false);
			free(sorted);
		}
		tc_buf_release(&b);
	}
	if (rc == 0)
		j->nobjects += n;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The identity hash of an object of environment env from its apiVersion,
 * kind, namespace ("" when none) and name: BLAKE2b of the environment's
 * index, group, kind, namespace and name (the version does not make another
 * object), 96 bits of it into e. */
static void hash_fields(uint32_t env, const char *api, size_t al, const char *kind, size_t kl,
                        const char *ns, size_t nl, const char *name, size_t namel, idhash *e)
{
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, al, &g, &gl, &v, &vl);
	crypto_generichash_state st;
	unsigned char out[16];
	crypto_generichash_init(&st, NULL, 0, sizeof out);
	crypto_generichash_update(&st, (const unsigned char *)&env, sizeof env);
	const char *parts[4] = {g, kind, ns, name};
	size_t lens[4] = {gl, kl, nl, namel};
	for (int i = 0; i < 4; i++) {
		crypto_generichash_update(&st, (const unsigned char *)parts[i], lens[i]);
		crypto_generichash_update(&st, (const unsigned char *)"", 1);
	}
	crypto_generichash_final(&st, out, sizeof out);
	memcpy(&e->h, out, sizeof e->h);
	memcpy(&e->h2, out + sizeof e->h, sizeof e->h2);
}

/* The identity hash of obj, false when it has no kind or name (the object
 * checks report those). */
static bool identity_hash(const tc_value *obj, uint32_t env, idhash *e)
{
	const char *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
	const char *name = str_at(obj, "metadata.name"), *ns = str_at(obj, "metadata.namespace");
	if (!api || !kind || !name)
		return false;
	if (!ns)
		ns = "";
	hash_fields(env, api, strlen(api), kind, strlen(kind), ns, strlen(ns), name, strlen(name),
	            e);
	return true;
}

static void push_identity(pool *p, const idhash *e)
{
	pthread_mutex_lock(&p->dupes_lock);
	if (p->nids == p->capids) {
		/* by a quarter: at 10,000 tenants doubling would leave megabytes
		 * unused, and realloc of a block this large remaps, not copies */
		p->capids = p->capids < 1024 ? 1024 : p->capids + p->capids / 4;
		p->ids = tc_xrealloc(p->ids, p->capids * sizeof *p->ids);
	}
	p->ids[p->nids++] = *e;
	pthread_mutex_unlock(&p->dupes_lock);
}

/* An object into the duplicate check of its environment. */
static void add_identity(work *w, size_t env_index, const tc_value *obj)
{
	pool *p = w->p;
	if (w->j->identify) {
		/* reported after the job, when its decrypted values are gone */
		const char *const at[] = {"kind", "metadata.namespace", "metadata.name"};
		bool secret = false;
		for (size_t i = 0; i < 3; i++) {
			const tc_value *v = tc_value_dig(obj, at[i]);
			secret = secret || (v && v->kind == TC_STR &&
			                    tc_sops_leaks_hit(w->leaks, v->u.str.ptr, v->u.str.len));
		}
		tc_k8s_dupes_add(&p->dupes[env_index], obj, secret);
		return;
	}
	idhash e = {0, 0, (uint32_t)(w->j - p->jobs)};
	if (identity_hash(obj, (uint32_t)env_index, &e))
		push_identity(p, &e);
}

/* Output checks for one object: no plaintext Secret, its schema and
 * Kubernetes' rules, and a place in its environment's duplicate set. */
static void check_output(work *w, size_t env_index, const tc_value *obj, bool is_secret)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	if (!is_secret && tc_sops_check_plain(&j->diags, obj))
		return;
	if (j->identify) {
		add_identity(w, env_index, obj);
		return;
	}
	if (o->schemas && !is_secret) {
		tc_schema_set_check_object(o->schemas, obj, o->strict, &j->diags, NULL);
	} else {
		/* Secrets: names and labels only, their values stay out of messages */
		const char *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
		const char *g, *v;
		size_t gl, vl;
		tc_k8s_split_api_version(api, strlen(api), &g, &gl, &v, &vl);
		tc_k8s_check_object(obj, tc_k8s_builtin_scope(g, gl, kind, strlen(kind)), &j->diags,
		                    NULL, TC_DIAG_FINDING);
	}
	add_identity(w, env_index, obj);
	if (j->keep_bytes) {
		const char *ns = str_at(obj, "metadata.namespace");
		TC_GROW(j->k->idents, j->k->capidents, j->k->nidents + 1);
		size_t n = strlen(w->p->repo->envs[env_index].name) + 256;
		char *id = tc_xmalloc(n);
		snprintf(id, n, "%s\t%s\t%s\t%s\t%s", w->p->repo->envs[env_index].name,
		         str_at(obj, "apiVersion"), str_at(obj, "kind"), ns ? ns : "",
		         str_at(obj, "metadata.name"));
		j->k->idents[j->k->nidents++] = id;
	}
}

/* A cached object identity ("env TAB apiVersion TAB kind TAB namespace TAB
 * name") back into the duplicate check. Should it meet another, the job is
 * rendered again (identify_dupes) to give the objects their positions. */
static void add_cached_ident(work *w, const char *ident)
{
	const tc_repo *r = w->p->repo;
	const char *f[5];
	size_t fl[5];
	const char *p = ident;
	for (int i = 0; i < 5; i++) {
		const char *tab = strchr(p, '\t');
		f[i] = p;
		fl[i] = tab ? (size_t)(tab - p) : strlen(p);
		p = tab ? tab + 1 : p + fl[i];
	}
	size_t ei;
	for (ei = 0; ei < r->nenvs; ei++)
		if (strlen(r->envs[ei].name) == fl[0] && strncmp(r->envs[ei].name, f[0], fl[0]) == 0)
			break;
	if (ei == r->nenvs)
		return;
	idhash e = {0, 0, (uint32_t)(w->j - w->p->jobs)};
	hash_fields((uint32_t)ei, f[1], fl[1], f[2], fl[2], f[3], fl[3], f[4], fl[4], &e);
	push_identity(w->p, &e);
}

/* A cache hit: the tenant's files as they were rendered. */
static bool from_cache(work *w, const char *key)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_cache_entry e;
	if (tc_cache_get(o->cache, key, &e) != 0)
		return false;
	for (size_t i = 0; i < e.files.len; i++) {
		tc_outfile *f = &e.files.items[i];
		store(o, j, f->path, f->data, f->len, f->manifest);
		f->path = NULL;
		f->data = NULL;
	}
	for (size_t i = 0; i < e.nidents; i++)
		add_cached_ident(w, e.idents[i]);
	j->k->idents = e.idents; /* kept for the tree state */
	j->k->nidents = j->k->capidents = e.nidents;
	e.idents = NULL;
	e.nidents = 0;
	j->nobjects = e.nobjects;
	j->rendered_tenant = e.rendered;
	j->from_cache = true;
	tc_cache_entry_release(&e);
	return true;
}

/* The tenant is unchanged in the tree being updated: nothing to write and
 * nothing to copy; its record stays in the state (kept). */
static bool from_state(work *w, const char *key)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_state_tenant *t = tc_tree_state_lookup(state_of(o), j->tenant, key);
	if (!t)
		return false;
	for (size_t i = 0; i < t->nidents; i++)
		add_cached_ident(w, t->idents[i]);
	t->kept = true;
	j->k->kept = t;
	j->nobjects = t->nobjects;
	j->rendered_tenant = t->rendered;
	j->untouched = true;
	return true;
}

static void to_cache(work *w, const char *key)
{
	job *j = w->j;
	tc_cache_entry e;
	tc_cache_entry_init(&e);
	e.files = j->files; /* borrowed */
	e.idents = j->k->idents;
	e.nidents = j->k->nidents;
	e.nobjects = j->nobjects;
	e.rendered = j->rendered_tenant;
	tc_cache_put(w->p->opts->cache, key, &e);
}

static size_t env_index_of(const tc_repo *r, const tc_env *env)
{
	return (size_t)(env - r->envs);
}

/* A copy of obj with metadata.namespace set to ns. */
static tc_value *with_namespace(tc_arena *a, const tc_value *obj, const char *ns)
{
	const tc_value *md = tc_value_getz(obj, "metadata");
	tc_objb mb;
	tc_objb_init(&mb);
	for (size_t i = 0; md && md->kind == TC_OBJECT && i < md->u.obj.len; i++) {
		const tc_member *m = &md->u.obj.members[i];
		tc_objb_add(&mb, m->key, m->klen, m->kpos, m->val);
	}
	tc_objb_add(&mb, "namespace", 9, md ? md->pos : obj->pos,
	            tc_value_strz(a, ns, md ? md->pos : obj->pos));
	tc_value *nmd = tc_objb_finish(&mb, a, md ? md->pos : obj->pos, NULL);
	tc_objb ob;
	tc_objb_init(&ob);
	for (size_t i = 0; i < obj->u.obj.len; i++) {
		const tc_member *m = &obj->u.obj.members[i];
		tc_objb_add(&ob, m->key, m->klen, m->kpos, m->val);
	}
	tc_objb_add(&ob, "metadata", 8, obj->pos, nmd);
	return tc_objb_finish(&ob, a, obj->pos, NULL);
}

/* The namespace a tenant's Secrets go to in one environment: the one
 * Namespace object its tenant templates make. */
static const char *tenant_namespace(const tc_arrb *objs, size_t *count)
{
	const char *ns = NULL;
	*count = 0;
	for (size_t i = 0; i < objs->len; i++) {
		const tc_value *o = objs->items[i];
		const char *kind = str_at(o, "kind");
		const char *api = str_at(o, "apiVersion");
		if (kind && api && strcmp(kind, "Namespace") == 0 && strcmp(api, "v1") == 0) {
			ns = str_at(o, "metadata.name");
			(*count)++;
		}
	}
	return *count == 1 ? ns : NULL;
}

/* Read the tenant's SOPS Secrets for one environment and add them to objs
 * (with secrets[] marking them). */
static int load_secrets(work *w, const tc_tenant *t, const tc_env *env, tc_arrb *objs,
                        const secret_out ***secrets_out)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	*secrets_out = NULL;
	if (t->nsecrets == 0)
		return 0;
	size_t nns;
	const char *ns = tenant_namespace(objs, &nns);
	const secret_out **marks = tc_arena_calloc(w->a, (objs->len + t->nsecrets) * sizeof *marks);
	int rc = 0;
	for (size_t i = 0; i < t->nsecrets; i++) {
		const tc_file *f = &t->secrets[i];
		char *path = tc_arena_printf(w->a, "tenants/%s/secrets/%s", t->name, f->path);
		if (!ns) {
			rc = tc_error(&j->diags, (tc_pos){path, 1, 1}, NULL,
			              "cannot place this Secret: the templates of tenant '%s' make %zu "
			              "Namespace objects in environment '%s', not exactly one",
			              t->name, nns, env->name);
			continue;
		}
		secret_out *so = tc_arena_calloc(w->a, sizeof *so);
		so->input_path = path;
		tc_value *doc;
		/* --decrypt re-encrypts nothing, so any identity that opens the
		 * input will do: the cluster's key in an ArgoCD sidecar, which is
		 * a recipient of the environment's Secrets, not the repository's */
		bool open = o->seed || o->decrypt;
		int lr = open ? tc_sops_decrypt(&doc, &so->info, w->a, w->sm, &j->diags, o->keys, path,
		                                f->data, f->len)
		              : tc_sops_read_clear(&doc, &so->info, w->a, &j->diags, path, f->data,
		                                   f->len);
		if (lr) {
			rc = -1;
			continue;
		}
		const char *kind = str_at(doc, "kind"), *name = str_at(doc, "metadata.name");
		if (!kind || strcmp(kind, "Secret") != 0 || !name) {
			rc = tc_error(&j->diags, doc->pos, NULL,
			              "a file in secrets/ must be a Kubernetes Secret with a "
			              "metadata.name");
			continue;
		}
		so->secret = with_namespace(w->a, doc, ns);
		/* the rendered Secret records which input file it was made from */
		so->secret = tc_sops_with_source_digest(w->a, so->secret, f->data, f->len);
		if (open)
			tc_sops_leaks_add(w->leaks, so->secret,
			                  tc_arena_printf(w->a, "%s/%s", ns,
			                                  tc_value_shown(tc_value_dig(doc, "metadata.name"))));
		marks[objs->len] = so;
		tc_arrb_push(objs, (tc_value *)so->secret);
	}
	*secrets_out = marks;
	return rc;
}
/* The per-environment templates: templates/cluster into <env>/cluster/,
 * templates/platform (the GitOps objects that apply the environment) into
 * <env>/platform/. */
static void run_cluster(work *w)
{
	static const struct {
		tc_scope scope;
		const char *folder;
	} scopes[] = {{TC_SCOPE_CLUSTER, "cluster"}, {TC_SCOPE_PLATFORM, "platform"}};
	const tc_repo *r = w->p->repo;
	job *j = w->j;
	tc_value *ctx = context(r, w->a, j->env, NULL);
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
				check_output(w, env_index_of(r, j->env), objs.items[i], false);
		}
		if (rc == 0 && !j->identify) {
			char *dir = joinpath(j->env->name, scopes[s].folder);
			write_folder(w, j->env, dir, objs.items, NULL, objs.len);
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
		char *path = tc_arena_printf(a, "tenants/%s/secrets/%s", t->name, t->secrets[i].path);
		if (tc_sops_scan_plain(&j->diags, path, t->secrets[i].data, t->secrets[i].len))
			rc = -1;
	}
	return rc;
}

static void render_tenant(work *w);

static void run_tenant(work *w)
{
	const tc_repo *r = w->p->repo;
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	if (o->cache && !o->decrypt) {
		pthread_mutex_t *lock = (pthread_mutex_t *)&r->src_lock;
		pthread_mutex_lock(lock);
		j->k = tc_xcalloc(1, sizeof *j->k);
		if (!tc_cache_tenant_key(o->cache, r->src, j->tenant, j->k->key)) {
			free(j->k);
			j->k = NULL;
		}
		pthread_mutex_unlock(lock);
	}
	if (j->k && state_of(o) && from_state(w, j->k->key))
		return;
	if (j->k && from_cache(w, j->k->key))
		return;
	j->keep_bytes = j->k != NULL;
	render_tenant(w);
	if (j->k && !tc_diags_has_errors(&j->diags))
		to_cache(w, j->k->key);
	if (j->k && (tree_of(o) || spool_of(o))) {
		for (size_t i = 0; i < j->files.len; i++) {
			free(j->files.items[i].data);
			j->files.items[i].data = NULL;
		}
	}
}

static void render_tenant(work *w)
{
	const tc_repo *r = w->p->repo;
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_tenant t;
	if (tc_repo_load_tenant(r, j->tenant, w->a, &j->diags, &t))
		return;
	if (scan_inputs(j, w->a, &t))
		return;
	for (size_t e = 0; e < t.nenvs; e++) {
		const tc_env *env = t.envs[e];
		if (!env_selected(o, env->name))
			continue;
		tc_value *ctx = context(r, w->a, env, &t);
		tc_arrb objs[2];
		int rc = 0;
		for (size_t s = 0; s < 2; s++) {
			tc_arrb_init(&objs[s]);
			tc_scope scope = s == 0 ? TC_SCOPE_TENANT : TC_SCOPE_GITOPS;
			for (size_t i = 0; i < r->ntemplates; i++)
				if (r->templates[i].scope == scope &&
				    expand(r, w->a, &j->diags, &r->templates[i], ctx, &t, &objs[s]))
					rc = -1;
		}
		for (size_t s = 0; s < 2; s++)
			for (size_t i = 0; i < objs[s].len; i++)
				if (check_reserved_namespace(j, &t, env, objs[s].items[i]))
					rc = -1;
		const secret_out **secrets = NULL;
		size_t nplain = objs[0].len;
		if (rc == 0 && load_secrets(w, &t, env, &objs[0], &secrets))
			rc = -1;
		if (rc == 0) {
			size_t ei = env_index_of(r, env);
			for (size_t s = 0; s < 2; s++)
				for (size_t i = 0; i < objs[s].len; i++) {
					bool is_secret = s == 0 && i >= nplain;
					check_output(w, ei, objs[s].items[i], is_secret);
					if (!is_secret && !j->identify &&
					    tc_sops_leaks_scan(&j->diags, w->leaks, objs[s].items[i]))
						rc = -1;
				}
		}
		static const char *const folders[2] = {"tenants", "gitops"};
		for (size_t s = 0; s < 2 && rc == 0 && !j->identify && !tc_diags_has_errors(&j->diags);
		     s++) {
			if (objs[s].len == 0)
				continue;
			size_t n = strlen(env->name) + strlen(folders[s]) + strlen(t.name) + 3;
			char *dir = tc_xmalloc(n);
			snprintf(dir, n, "%s/%s/%s", env->name, folders[s], t.name);
			write_folder(w, env, dir, objs[s].items, s == 0 ? secrets : NULL, objs[s].len);
			free(dir);
			j->rendered_tenant = true;
		}
		tc_arrb_release(&objs[0]);
		tc_arrb_release(&objs[1]);
	}
}

static void run_job(pool *p, job *j, tc_arena *a)
{
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_sops_leaks leaks;
	tc_sops_leaks_init(&leaks, a, &sm);
	work w = {p, j, a, &sm, &leaks};
	size_t first = j->diags.len;
	if (j->env)
		run_cluster(&w);
	else if (j->identify)
		render_tenant(&w); /* not from the cache: the objects are needed */
	else
		run_tenant(&w);
	/* no message of the job may quote a decrypted value, whatever said it */
	tc_sops_leaks_redact(&leaks, &j->diags, first);
	tc_sops_leaks_release(&leaks);
	tc_secmem_release(&sm);
	tc_arena_reset(a);
	/* a job lives until the merge: keep its chunks at their size */
	if (j->nchunks && j->nchunks < j->capchunks) {
		j->chunks = tc_xrealloc(j->chunks, j->nchunks * sizeof *j->chunks);
		j->capchunks = j->nchunks;
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
		run_job(p, &p->jobs[k], &a);
		atomic_fetch_add(&p->done, 1);
	}
	tc_arena_release(&a);
	return NULL;
}

static bool idhash_less(const idhash *a, const idhash *b)
{
	if (a->h != b->h)
		return a->h < b->h;
	if (a->h2 != b->h2)
		return a->h2 < b->h2;
	return a->job < b->job;
}

static void sift_down(idhash *v, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && idhash_less(&v[c], &v[c + 1]))
			c++;
		if (!idhash_less(&v[root], &v[c]))
			return;
		idhash t = v[root];
		v[root] = v[c];
		v[c] = t;
		root = c;
	}
}

/* Heapsort: in place, where qsort would allocate a copy of the array. */
static void sort_idhash(idhash *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end > 1; end--) {
		idhash t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift_down(v, 0, end - 1);
	}
}

/* Find the hashes that occur more than once in an environment and render
 * the jobs that made them again, without writing anything, collecting the
 * full identities and positions of their objects into p->dupes, which
 * tc_k8s_dupes_report then names. Runs after the pool, on one thread. */
static void identify_dupes(pool *p)
{
	sort_idhash(p->ids, p->nids);
	bool *again = NULL;
	for (size_t i = 1; i < p->nids; i++) {
		const idhash *a = &p->ids[i - 1], *b = &p->ids[i];
		if (a->h != b->h || a->h2 != b->h2)
			continue;
		if (!again)
			again = tc_xcalloc(p->njobs, sizeof *again);
		again[a->job] = again[b->job] = true;
	}
	if (!again)
		return;
	tc_arena a;
	tc_arena_init(&a);
	for (size_t k = 0; k < p->njobs; k++) {
		if (!again[k])
			continue;
		job tmp = {.env = p->jobs[k].env, .tenant = p->jobs[k].tenant, .identify = true};
		tc_diags_init(&tmp.diags); /* what the first run reported already */
		tc_outlist_init(&tmp.files);
		run_job(p, &tmp, &a);
		tc_diags_release(&tmp.diags);
		tc_outlist_release(&tmp.files);
	}
	tc_arena_release(&a);
	free(again);
}

/* While the workers run: "[k/n] rendering" on the terminal, then erased. */
static void show_progress(pool *p)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	bool shown = false;
	/* a render that ends within half a second shows nothing */
	for (int ticks = 0;; ticks++) {
		size_t done = atomic_load(&p->done);
		if (done >= p->njobs)
			break;
		if (ticks >= 5) {
			fprintf(stderr, "\r[%zu/%zu] rendering", done, p->njobs);
			fflush(stderr);
			shown = true;
		}
		nanosleep(&tick, NULL);
	}
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

static int cmp_chunk(const void *x, const void *y)
{
	const tc_render_chunk *a = x, *b = y;
	return strcmp(a->dir, b->dir);
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
	atomic_init(&p.done, 0);
	pthread_mutex_init(&p.dupes_lock, NULL);
	p.stream = (tree_of(o) || spool_of(o)) && !o->cache && !o->decrypt && !state_of(o) && !per_file(o);
	p.dupes = tc_xcalloc(r->nenvs + 1, sizeof *p.dupes);
	for (size_t i = 0; i < r->nenvs; i++)
		tc_k8s_dupes_init(&p.dupes[i]);

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
		if (o->progress && started > 0)
			show_progress(&p);
		for (long i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		free(th);
	}

	identify_dupes(&p);
	free(p.ids);

	/* merge in job order */
	size_t records_cap = 0;
	for (size_t k = 0; k < p.njobs; k++) {
		job *j = &p.jobs[k];
		res->nobjects += j->nobjects;
		if (j->rendered_tenant)
			res->ntenants++;
		if (j->from_cache)
			res->cached++;
		if (j->untouched)
			res->untouched++;
		keyed *kj = j->k;
		if (kj && kj->kept && !tc_diags_has_errors(&j->diags)) {
			TC_GROW(res->records, records_cap, res->nrecords + 1);
			tc_state_tenant *rec = &res->records[res->nrecords++];
			*rec = *kj->kept;
			rec->borrowed = true;
			res->nfiles += rec->npaths;
		} else if (kj && !tc_diags_has_errors(&j->diags)) {
			for (size_t f = 0; f < j->files.len; f++)
				j->files.items[f].keyed = true;
			TC_GROW(res->records, records_cap, res->nrecords + 1);
			tc_state_tenant *rec = &res->records[res->nrecords++];
			memset(rec, 0, sizeof *rec);
			rec->name = tc_xstrdup(j->tenant);
			memcpy(rec->key, kj->key, sizeof rec->key);
			rec->nobjects = j->nobjects;
			rec->rendered = j->rendered_tenant;
			rec->paths = tc_xcalloc(j->files.len + 1, sizeof *rec->paths);
			for (size_t f = 0; f < j->files.len; f++)
				rec->paths[rec->npaths++] = tc_xstrdup(j->files.items[f].path);
			rec->idents = kj->idents;
			rec->nidents = kj->nidents;
			kj->idents = NULL;
			kj->nidents = 0;
		}
		if (kj) {
			for (size_t i = 0; i < kj->nidents; i++)
				free(kj->idents[i]);
			free(kj->idents);
			free(kj);
			j->k = NULL;
		}
		tc_diags_merge(d, &j->diags);
	}
	for (size_t i = 0; i < r->nenvs; i++) {
		tc_k8s_dupes_report(&p.dupes[i], d, TC_DIAG_FINDING);
		tc_k8s_dupes_release(&p.dupes[i]);
	}
	free(p.dupes);
	pthread_mutex_destroy(&p.dupes_lock);
	if (!tc_diags_has_errors(d)) {
		for (size_t i = 0; i < r->nenvs; i++) {
			if (!env_selected(o, r->envs[i].name))
				continue;
			res->nenvs++;
		}
	}
	(void)ncluster;
	size_t chunks_cap = 0;
	for (size_t k = 0; k < p.njobs; k++)
		chunks_cap += p.jobs[k].nchunks;
	res->chunks = chunks_cap ? tc_xmalloc(chunks_cap * sizeof *res->chunks) : NULL;
	for (size_t k = 0; k < p.njobs; k++) {
		job *j = &p.jobs[k];
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
	free(p.jobs);
	res->nfiles += res->files.len;
	if (res->nchunks > 1)
		qsort(res->chunks, res->nchunks, sizeof *res->chunks, cmp_chunk);
	if (index_files(o) && !tc_diags_has_errors(d)) {
		/* the index files list folders: one path a chunk stands for its
		 * files; tenants kept as they are in the tree have no files here,
		 * the paths of their records stand for them (borrowed, not freed) */
		tc_outlist folders;
		tc_outlist_init(&folders);
		const tc_outlist *listed = &res->files;
		bool borrowed = false;
		for (size_t i = 0; i < res->nrecords && !borrowed; i++)
			borrowed = res->records[i].borrowed;
		if (borrowed) {
			for (size_t i = 0; i < res->files.len; i++)
				tc_outlist_add(&folders, res->files.items[i].path, NULL, 0, true);
			for (size_t i = 0; i < res->nrecords; i++) {
				const tc_state_tenant *t = &res->records[i];
				for (size_t k = 0; t->borrowed && k < t->npaths; k++) {
					const char *slash = strrchr(t->paths[k], '/');
					size_t dl = slash ? (size_t)(slash - t->paths[k]) : 0;
					if (k > 0 && strncmp(t->paths[k - 1], t->paths[k], dl + 1) == 0 &&
					    !strchr(t->paths[k - 1] + dl + 1, '/'))
						continue; /* the same folder as the one before */
					tc_outlist_add(&folders, t->paths[k], NULL, 0, true);
				}
			}
			listed = &folders;
		} else if (res->nchunks) {
			for (size_t c = 0; c < res->nchunks; c++) {
				size_t n = strlen(res->chunks[c].dir) + 2;
				char *path = tc_xmalloc(n);
				snprintf(path, n, "%s_", res->chunks[c].dir);
				tc_outlist_add(&folders, path, NULL, 0, true);
			}
			listed = &folders;
		}
		tc_outlist idx;
		tc_outlist_init(&idx);
		for (size_t i = 0; i < r->nenvs; i++)
			if (env_selected(o, r->envs[i].name))
				tc_output_env_index(&idx, r->envs[i].name, listed);
		/* the mark that lets a later render replace this tree (outdir.h) */
		tc_outlist_add(&idx, tc_xstrdup(TC_OUTDIR_MARKER), tc_xstrdup(tc_outdir_marker_text),
		               strlen(tc_outdir_marker_text), false);
		if (borrowed) {
			free(folders.items);
			tc_outlist_init(&folders);
		}
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
	for (size_t i = 0; i < res->nrecords; i++) {
		tc_state_tenant *t = &res->records[i];
		if (t->borrowed)
			continue;
		free(t->name);
		for (size_t k = 0; k < t->npaths; k++)
			free(t->paths[k]);
		free(t->paths);
		for (size_t k = 0; k < t->nidents; k++)
			free(t->idents[k]);
		free(t->idents);
	}
	free(res->records);
	res->records = NULL;
	res->nrecords = 0;
}
