/*
 * render_refs.c - reference integrity per environment (k8s_refs.h): each
 * set starts with the `provided` entries of tenantc.yaml for the
 * environment and the kubeconfig Secret that its cluster.kubeConfigSecret
 * names, so a reference to them is settled as soon as it is made and not
 * kept (the set streams); every object a job renders goes into its
 * environment's set (under refs_lock, the workers share the sets); after
 * the pool, each set reports its dangling references at the template
 * lines that made them.
 *
 * A render that sees only part of the objects (--tenant, a shard) checks
 * nothing: a reference into a tenant it does not render would look
 * dangling. A tenant taken from the cache or left as it is in the tree
 * provides its objects by identity (keys unknown); its own references were
 * checked when it was rendered. With the tree state's index of identity
 * hashes, a tenant left as it is adds nothing during the pool: after it,
 * the identities the references still open could be settled by are looked
 * up in that index (tc_render_ids_kept), so an incremental render costs
 * what its rendered tenants refer to, not every kept object. A render where some job failed on its
 * input checks nothing either: that job's objects are missing.
 */
#include "render_impl.h"

#include "k8s_psa.h"
#include "k8s_refs.h"

void tc_render_refs_init(pool *p)
{
	const tc_render_opts *o = p->opts;
	if ((o->tenants && o->tenants->len) || o->shard_count > 1)
		return;
	pthread_mutex_init(&p->refs_lock, NULL);
	p->refs = tc_xcalloc(p->repo->nenvs + 1, sizeof *p->refs);
	p->psa = tc_xcalloc(p->repo->nenvs + 1, sizeof *p->psa);
	const tc_value *provided = tc_value_getz(p->repo->settings, "provided");
	for (size_t i = 0; i < p->repo->nenvs; i++) {
		if (!env_selected(o, p->repo->envs[i].name))
			continue;
		p->refs[i] = tc_k8s_refs_new();
		p->psa[i] = tc_k8s_psa_new();
		tc_k8s_refs_provide(p->refs[i], provided, p->repo->envs[i].name);
		/* the environment says its cluster has the kubeconfig Secret of a
		 * remote cluster (environment.json: in Flux's namespace) */
		const tc_value *kc = tc_value_dig(p->repo->envs[i].doc, "cluster.kubeConfigSecret");
		if (kc && kc->kind == TC_STR && kc->u.str.len)
			tc_k8s_refs_add_ident(p->refs[i], "v1", 2, "Secret", 6, "*", 1,
			                      kc->u.str.ptr, kc->u.str.len);
	}
}

void tc_render_refs_add(work *w, size_t env_index, const tc_value *obj)
{
	pool *p = w->p;
	if (!p->refs || !p->refs[env_index])
		return;
	pthread_mutex_lock(&p->refs_lock);
	tc_k8s_refs_add(p->refs[env_index], obj, NULL);
	tc_k8s_psa_add(p->psa[env_index], obj);
	pthread_mutex_unlock(&p->refs_lock);
}

/* "env TAB apiVersion TAB kind TAB namespace TAB name", as the cache keeps
 * identities */
void tc_render_refs_add_ident(work *w, const char *id)
{
	pool *p = w->p;
	if (!p->refs)
		return;
	const char *f[5];
	size_t fl[5];
	const char *s = id;
	for (int i = 0; i < 5; i++) {
		const char *tab = strchr(s, '\t');
		f[i] = s;
		fl[i] = tab ? (size_t)(tab - s) : strlen(s);
		s = tab ? tab + 1 : s + fl[i];
	}
	for (size_t e = 0; e < p->repo->nenvs; e++) {
		const char *name = p->repo->envs[e].name;
		if (!p->refs[e] || strlen(name) != fl[0] || strncmp(name, f[0], fl[0]) != 0)
			continue;
		pthread_mutex_lock(&p->refs_lock);
		tc_k8s_refs_add_ident(p->refs[e], f[1], fl[1], f[2], fl[2], f[3], fl[3], f[4],
		                      fl[4]);
		pthread_mutex_unlock(&p->refs_lock);
	}
}

/* Some job could not render (bad input, an internal failure): its objects
 * are missing, so references to them would look dangling. */
static bool some_job_failed(const tc_diags *d)
{
	for (size_t i = 0; i < d->len; i++)
		if (d->items[i].sev == TC_SEV_ERROR && d->items[i].cls != TC_DIAG_FINDING)
			return true;
	return false;
}

/* An identity of environment env among the kept tenants' objects. */
typedef struct kept_ctx {
	pool *p;
	uint32_t env;
} kept_ctx;

static bool kept_has(void *ud, const tc_k8s_ident *id)
{
	kept_ctx *c = ud;
	return tc_render_ids_kept(c->p, c->env, id->f[0], id->n[0], id->f[1], id->n[1], id->f[2],
	                          id->n[2], id->f[3], id->n[3]);
}

void tc_render_refs_report(pool *p, tc_diags *d)
{
	if (!p->refs)
		return;
	bool judge = !some_job_failed(d);
	for (size_t i = 0; i < p->repo->nenvs; i++) {
		if (!p->refs[i])
			continue;
		if (judge && p->state_ids) {
			/* the kept tenants' objects, looked up for what is open */
			kept_ctx c = {p, (uint32_t)i};
			tc_k8s_refs_complete(p->refs[i], kept_has, &c);
		}
		if (judge)
			tc_k8s_refs_report(p->refs[i], d, TC_DIAG_FINDING);
		tc_k8s_refs_free(p->refs[i]);
		if (judge)
			tc_k8s_psa_report(p->psa[i], d, TC_DIAG_FINDING);
		tc_k8s_psa_free(p->psa[i]);
	}
	free(p->refs);
	free(p->psa);
	p->refs = NULL;
	p->psa = NULL;
	tc_render_ids_release(p);
	pthread_mutex_destroy(&p->refs_lock);
}
