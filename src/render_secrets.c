/*
 * render_secrets.c - a tenant's input Secrets in a render: the files of
 * one environment (secrets/<env>/, and the all-environments files directly
 * in secrets/ that no file of the same name there replaces), checked
 * against who may read them, decrypted (or read in clear without an
 * identity), placed in the tenant's namespace, then encrypted to the
 * environment's and the repository's recipients, or carried over from the
 * earlier output. Plaintext stays in the job's secret memory and never
 * reaches a diagnostic.
 */
#include "render_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The previously rendered file at relpath, or NULL (malloc'd). Files are
 * small; anything odd (a link, a huge file) counts as absent. */
static char *read_prev(const char *root, const char *relpath, size_t *len)
{
	if (!root)
		return NULL;
	char *full = tc_path_join(root, relpath);
	char *buf;
	tc_file_err e;
	int rc = tc_file_read(&buf, len, full, ((size_t)16 << 20) - 1,
	                      TC_FILE_NOFOLLOW | TC_FILE_REGULAR, &e);
	free(full);
	return rc == 0 ? buf : NULL;
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

/* Does doc's sops.age list recipient rcp? */
static bool lists(const tc_value *doc, const char *rcp)
{
	const tc_value *l = doc ? tc_value_dig(doc, "sops.age") : NULL;
	for (size_t i = 0; l && l->kind == TC_ARRAY && i < l->u.arr.len; i++)
		if (tc_value_streq(l->u.arr.items[i], rcp))
			return true;
	return false;
}

/* The first environment (by name) whose sops.age lists rcp, or NULL. */
static const tc_env *env_listing(const tc_repo *r, const char *rcp)
{
	for (size_t i = 0; i < r->nenvs; i++)
		if (lists(r->envs[i].doc, rcp))
			return &r->envs[i];
	return NULL;
}

/* Without a rendering identity, how the render is keyless, for the
 * carry-over message: NULL when no identity was given at all; else the
 * given identity that can decrypt this input (an environment's cluster key,
 * say), named as not being a rendering identity. */
static const char *identity_phrase(work *w, const secret_out *so)
{
	const tc_render_opts *o = w->p->opts;
	size_t n = o->keys ? tc_sops_keys_count(o->keys) : 0;
	if (n == 0)
		return NULL;
	const tc_age_identity *ids = tc_sops_keys_ids(o->keys);
	for (size_t i = 0; i < so->info.nrecipients; i++)
		for (size_t k = 0; k < n; k++) {
			const char *rcp = so->info.recipients[i];
			if (strcmp(ids[k].recipient, rcp) != 0)
				continue;
			const tc_env *e = env_listing(w->p->repo, rcp);
			return tc_arena_printf(
				w->a,
				"with identity '%s', which can decrypt it%s%s%s but is not a "
				"rendering identity (tenantc.yaml sops.age does not list it)",
				rcp, e ? " as a recipient of environment '" : "", e ? e->name : "",
				e ? "'" : "");
		}
	return tc_arena_printf(w->a,
	                       "with the %zu identit%s given: none can decrypt it or is a "
	                       "rendering identity (listed in tenantc.yaml sops.age)",
	                       n, n == 1 ? "y" : "ies");
}

/* The bytes of one rendered Secret, or -1 with a diagnostic. */
int tc_render_secret_bytes(work *w, const tc_env *env, const secret_out *so, const char *relpath,
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
		.identity = o->seed ? NULL : identity_phrase(w, so),
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

/* A copy of obj with metadata set to md. */
static tc_value *with_metadata(tc_arena *a, const tc_value *obj, tc_value *md)
{
	tc_objb ob;
	tc_objb_init(&ob);
	for (size_t i = 0; i < obj->u.obj.len; i++) {
		const tc_member *m = &obj->u.obj.members[i];
		tc_objb_add(&ob, m->key, m->klen, m->kpos, m->val);
	}
	tc_objb_add(&ob, "metadata", 8, obj->pos, md);
	return tc_objb_finish(&ob, a, obj->pos, NULL);
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
	return with_metadata(a, obj, nmd);
}

/* A copy of obj whose metadata.labels hold the labels the input gave and
 * the labels every object of tenant t in env carries (docs/templates.md),
 * which win over an input label of the same key: no template makes a
 * tenant's Secret, tenantc does, so it labels it as the templates label
 * theirs. Labels that are not a mapping stay as they are, for the
 * Kubernetes rules to report. Done before encryption: the labels are clear
 * fields, covered by the MAC and compared by carry-over like any other. */
static tc_value *with_common_labels(tc_arena *a, const tc_value *obj, const tc_tenant *t,
                                    const tc_env *env)
{
	const tc_value *md = tc_value_getz(obj, "metadata");
	tc_pos pos = md ? md->pos : obj->pos;
	const tc_value *lb = md ? tc_value_getz(md, "labels") : NULL;
	if (lb && lb->kind != TC_OBJECT)
		return (tc_value *)obj;
	const char *const common[][2] = {
		{"app.kubernetes.io/managed-by", "tenantc"},
		{"tenantc.io/environment", env->name},
		{"tenantc.io/tenant", t->name},
	};
	tc_objb lbb;
	tc_objb_init(&lbb);
	for (size_t i = 0; lb && i < lb->u.obj.len; i++) {
		const tc_member *m = &lb->u.obj.members[i];
		tc_objb_add(&lbb, m->key, m->klen, m->kpos, m->val);
	}
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		tc_objb_add(&lbb, common[i][0], strlen(common[i][0]), pos,
		            tc_value_strz(a, common[i][1], pos));
	tc_objb mb;
	tc_objb_init(&mb);
	for (size_t i = 0; md && md->kind == TC_OBJECT && i < md->u.obj.len; i++) {
		const tc_member *m = &md->u.obj.members[i];
		tc_objb_add(&mb, m->key, m->klen, m->kpos, m->val);
	}
	tc_objb_add(&mb, "labels", 6, pos, tc_objb_finish(&lbb, a, lb ? lb->pos : pos, NULL));
	tc_value *nmd = tc_objb_finish(&mb, a, pos, NULL);
	return with_metadata(a, obj, nmd);
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

/* Who may read input Secret i of tenant t: the repository's recipients
 * and those of the environments it is for (secrets/<env>/: that one; a
 * file directly in secrets/: every environment of the tenant). A recipient
 * that another environment lists is an error at its line: that
 * environment's key would open a Secret it must not see. A recipient that
 * nobody lists any more (after a key rotation), and one that should be
 * there but is not, are warnings: `tenantc secret updatekeys` fixes both. */
/* Does tenant t's input Secret i belong to a reader that lists rcp? */
static bool reader_wanted(const tc_repo *r, const tc_tenant *t, const tc_env *only, const char *rcp)
{
	if (lists(r->settings, rcp) || (only && lists(only->doc, rcp)))
		return true;
	for (size_t e = 0; !only && e < t->nenvs; e++)
		if (lists(t->envs[e]->doc, rcp))
			return true;
	return false;
}

/* Recipient k of the file is not wanted: a warning when nobody lists it
 * any more, an error when another environment does (its key opens it). */
static int unwanted_reader(tc_diags *d, const tc_repo *r, const tc_tenant *t, const tc_env *only,
                           const char *path, const tc_sops_info *info, size_t k)
{
	const char *rcp = info->recipients[k];
	const tc_env *other = env_listing(r, rcp);
	if (!other) {
		tc_warning(d, info->recipient_pos[k], NULL,
		           "'%s' is still encrypted to recipient '%s', which neither "
		           "tenantc.yaml nor any environment lists any more (run 'tenantc "
		           "secret updatekeys %s')",
		           path, rcp, path);
		return 0;
	}
	if (only)
		return tc_error(d, info->recipient_pos[k], NULL,
		                "'%s' is encrypted to recipient '%s' of environment '%s', "
		                "whose key can open it, but it is a Secret of environment "
		                "'%s' only (run 'tenantc secret updatekeys %s')",
		                path, rcp, other->name, only->name, path);
	return tc_error(d, info->recipient_pos[k], NULL,
	                "'%s' is encrypted to recipient '%s' of environment '%s', "
	                "whose key can open it, but tenant '%s' is not rendered there "
	                "(run 'tenantc secret updatekeys %s')",
	                path, rcp, other->name, t->name, path);
}

static bool has_recipient(const tc_sops_info *info, const tc_value *v)
{
	for (size_t m = 0; m < info->nrecipients; m++)
		if (tc_value_streq(v, info->recipients[m]))
			return true;
	return false;
}

/* The recipients the file should have (of the environments it is for,
 * and of tenantc.yaml) and lacks: warnings. */
static void missing_readers(tc_diags *d, const tc_repo *r, const tc_tenant *t, const tc_env *only,
                            const char *path, const tc_sops_info *info)
{
	const tc_env *const *envs = only ? &only : t->envs;
	size_t nenvs = only ? 1 : t->nenvs;
	for (size_t e = 0; e <= nenvs; e++) {
		const tc_value *doc = e < nenvs ? envs[e]->doc : r->settings;
		const tc_value *l = tc_value_dig(doc, "sops.age");
		for (size_t k = 0; l && l->kind == TC_ARRAY && k < l->u.arr.len; k++) {
			const tc_value *v = l->u.arr.items[k];
			if (v->kind != TC_STR || has_recipient(info, v))
				continue;
			tc_warning(
				d, info->pos, NULL,
				"'%s' is not encrypted to recipient '%s' of %s%s%s (run 'tenantc "
				"secret updatekeys %s')",
				path, v->u.str.ptr, e < nenvs ? "environment '" : "tenantc.yaml",
				e < nenvs ? envs[e]->name : "", e < nenvs ? "'" : "", path);
		}
	}
}

static int check_readers(work *w, const tc_tenant *t, size_t i, const char *path,
                         const tc_sops_info *info)
{
	const tc_repo *r = w->p->repo;
	tc_diags *d = &w->j->diags;
	const tc_env *only = t->secret_envs[i];
	int rc = 0;
	for (size_t k = 0; k < info->nrecipients; k++)
		if (!reader_wanted(r, t, only, info->recipients[k]) &&
		    unwanted_reader(d, r, t, only, path, info, k))
			rc = -1;
	missing_readers(d, r, t, only, path, info);
	return rc;
}

/* Is input Secret i of t used in environment env? A file in secrets/<env>/
 * is used there only; a file directly in secrets/ everywhere, except where
 * secrets/<env>/ has a file of the same name, which replaces it. */
/* Read the tenant's SOPS Secrets for one environment and add them to objs
 * (with secrets[] marking them). */
int tc_render_load_secrets(work *w, const tc_tenant *t, const tc_env *env, tc_arrb *objs,
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
		if (!tc_tenant_secret_used_in(t, i, env))
			continue;
		char *path = tc_arena_printf(w->a, "tenants/%s/secrets/%s", t->name, f->path);
		if (!ns) {
			rc = tc_error(
				&j->diags, (tc_pos){path, 1, 1}, NULL,
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
		int lr = open ? tc_sops_decrypt(&doc, &so->info, w->a, w->sm, &j->diags, o->keys,
		                                path, f->data, f->len)
		              : tc_sops_read_clear(&doc, &so->info, w->a, &j->diags, path, f->data,
		                                   f->len);
		if (lr || check_readers(w, t, i, path, &so->info)) {
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
		so->secret = with_common_labels(w->a, with_namespace(w->a, doc, ns), t, env);
		/* the rendered Secret records which input file it was made from */
		so->secret = tc_sops_with_source_digest(w->a, so->secret, f->data, f->len);
		if (open)
			tc_sops_leaks_add(w->leaks, so->secret,
			                  tc_arena_printf(w->a, "%s/%s", ns,
			                                  tc_value_shown(
								  tc_value_dig(doc,
			                                                       "metadata.name"))));
		marks[objs->len] = so;
		tc_arrb_push(objs, (tc_value *)so->secret);
	}
	*secrets_out = marks;
	return rc;
}
