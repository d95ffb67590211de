/*
 * verify_gitops.c - what the GitOps engines and the admission policies
 * let a tenant do.
 *
 * GitOps, after ArgoCD's "Projects" documentation (an Application may
 * deploy only to its AppProject's destinations; namespaceResourceWhitelist
 * absent allows every namespaced kind, clusterResourceWhitelist absent
 * allows no cluster-scoped kind, "*" matches everything) and Flux's
 * multi-tenancy lockdown (a Kustomization without serviceAccountName acts
 * with the controller's identity; targetNamespace places every object):
 *
 *   gitops.project        a tenant Application uses an AppProject of its
 *                         own tenant and environment
 *   gitops.destination    every AppProject destination, and the
 *                         Application's, is a namespace of the tenant
 *   gitops.kinds          the AppProject whitelists namespaced kinds
 *                         (no '*'), and no cluster-scoped kind by '*', nor
 *                         RBAC, admission or CRD kinds
 *   gitops.flux-identity  a tenant Flux Kustomization has serviceAccountName
 *   gitops.flux-namespace ... and a targetNamespace of the tenant
 *   gitops.flux-source    ... and its sourceRef in its own namespace (what
 *                         kustomize-controller's --no-cross-namespace-refs
 *                         enforces: a tenant's app reads no other
 *                         namespace's repository)
 *
 * Admission, after Kyverno's verifyImages rules (match.any/all resources:
 * kinds, namespaces, namespaceSelector; exclude; imageReferences with '*'
 * and '?' wildcards, less the skipImageReferences of the same entry) and Sigstore
 * policy-controller's ClusterImagePolicy (applies to namespaces labelled
 * policy.sigstore.dev/include=true; images[].glob, where '**' matches every reference):
 *
 *   admission.kyverno     with ClusterPolicies in the environment, every
 *                         tenant namespace is matched by a verifyImages
 *                         rule whose imageReferences cover its images
 *   admission.sigstore    likewise with ClusterImagePolicies
 *
 * A tenant's images are those of its rendered workloads; without any, it
 * may run every image, so the references must cover '*'.
 */
#include "verify_impl.h"

#include <stdlib.h>
#include <string.h>

static bool tenant_ns(const tc_verify *v, const vobj *o, const char *ns)
{
	const vns *n = ns ? tc_vns_find(v, ns) : NULL;
	return n && n->tenant && strcmp(n->tenant, o->tenant) == 0 && n->env &&
	       strcmp(n->env, o->env) == 0;
}

static const vobj *project_of(const tc_verify *v, const vobj *app, const char *name)
{
	/* ArgoCD looks the project up in the Application's own namespace */
	return tc_vobj_find(v, app->env, "AppProject", app->ns, name);
}

static bool privileged_kind(const char *group, const char *kind)
{
	return strcmp(kind, "*") == 0 || strcmp(group, "*") == 0 ||
	       strcmp(group, "rbac.authorization.k8s.io") == 0 ||
	       strcmp(group, "admissionregistration.k8s.io") == 0 ||
	       strcmp(group, "apiextensions.k8s.io") == 0;
}

/* Every destination of AppProject p that Application app may deploy to is
 * a namespace of app's tenant. */
static void project_destinations(tc_verify *v, tc_diags *d, const vobj *p, const vobj *app)
{
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	tc_path pd = TC_PATH_KEY(&ps, "destinations", 12);
	FOREACH_ARR (x, i, tc_value_dig(p->v, "spec.destinations")) {
		const char *ns = tc_vstr(x, "namespace");
		tc_path pi = TC_PATH_INDEX(&pd, i);
		tc_path pn = TC_PATH_KEY(&pi, "namespace", 9);
		vsubj s = {.namespace = tc_vstr(app->v, "spec.destination.namespace"),
		           .to_namespace = ns};
		if (!tenant_ns(v, app, ns))
			tc_vfind(v, d, "gitops.destination", &s, tc_value_getz(x, "namespace"), p,
			         &pn,
			         "lets Application '%s' of tenant '%s' deploy into namespace '%s', "
			         "which is not the tenant's",
			         app->name, app->tenant, ns ? ns : "(any)");
		else
			tc_vrow(v, "right", ns, tc_vprintf(v, "Application:%s", app->name),
			        "deploy", ns, tc_vprintf(v, "AppProject/%s", p->name));
	}
}

/* p's namespaceResourceWhitelist is there and names its kinds (no '*'). */
static void project_namespaced_kinds(tc_verify *v, tc_diags *d, const vobj *p, const vobj *app)
{
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	const tc_value *wl = tc_value_dig(p->v, "spec.namespaceResourceWhitelist");
	tc_path pw = TC_PATH_KEY(&ps, "namespaceResourceWhitelist", 26);
	vsubj s = {.namespace = tc_vstr(app->v, "spec.destination.namespace"), .kind = "*"};
	if (!wl || wl->kind != TC_ARRAY)
		tc_vfind(v, d, "gitops.kinds", &s, tc_value_getz(p->v, "spec"), p, &ps,
		         "has no namespaceResourceWhitelist, so every namespaced kind may be "
		         "deployed");
	FOREACH_ARR (x, i, wl) {
		tc_path pi = TC_PATH_INDEX(&pw, i);
		const char *g = tc_vstr(x, "group"), *k = tc_vstr(x, "kind");
		if ((g && strcmp(g, "*") == 0) || (k && strcmp(k, "*") == 0))
			tc_vfind(v, d, "gitops.kinds", &s, x, p, &pi,
			         "namespaceResourceWhitelist allows every kind by '*'");
	}
}

/* One entry x (at path at) of p's clusterResourceWhitelist: a finding for
 * a privileged kind, else a row of --explain. */
static void cluster_kind(tc_verify *v, tc_diags *d, const vobj *p, const vobj *app,
                         const tc_value *x, const tc_path *at)
{
	const char *dest = tc_vstr(app->v, "spec.destination.namespace");
	const char *g = tc_vstr(x, "group"), *k = tc_vstr(x, "kind");
	if (!g)
		g = "";
	vsubj sk = {.namespace = dest, .kind = k};
	if (privileged_kind(g, k ? k : "*")) {
		tc_vfind(v, d, "gitops.kinds", &sk, x, p, at,
		         "clusterResourceWhitelist lets the tenant create cluster-scoped "
		         "'%s' objects of group '%s'",
		         k ? k : "*", g);
		return;
	}
	tc_vrow(v, "right", dest ? dest : "-", tc_vprintf(v, "Application:%s", app->name),
	        tc_vprintf(v, "create %s%s%s", g, g[0] ? "/" : "", k ? k : "*"), "cluster",
	        tc_vprintf(v, "AppProject/%s", p->name));
}

/* p's clusterResourceWhitelist names no privileged cluster-scoped kind;
 * each kind it allows is a row of --explain. */
static void project_cluster_kinds(tc_verify *v, tc_diags *d, const vobj *p, const vobj *app)
{
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	tc_path pc = TC_PATH_KEY(&ps, "clusterResourceWhitelist", 24);
	FOREACH_ARR (x, i, tc_value_dig(p->v, "spec.clusterResourceWhitelist")) {
		tc_path pi = TC_PATH_INDEX(&pc, i);
		cluster_kind(v, d, p, app, x, &pi);
	}
}

static void project(tc_verify *v, tc_diags *d, const vobj *p, const vobj *app)
{
	project_destinations(v, d, p, app);
	project_namespaced_kinds(v, d, p, app);
	project_cluster_kinds(v, d, p, app);
}

static void application(tc_verify *v, tc_diags *d, const vobj *a)
{
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	const char *dest = tc_vstr(a->v, "spec.destination.namespace");
	const char *proj = tc_vstr(a->v, "spec.project");
	tc_path pp = TC_PATH_KEY(&ps, "project", 7);
	vsubj s = {.namespace = dest, .to_namespace = dest};
	if (!tenant_ns(v, a, dest)) {
		tc_path pd = TC_PATH_KEY(&ps, "destination", 11);
		tc_vfind(v, d, "gitops.destination", &s, tc_value_dig(a->v, "spec.destination"), a,
		         &pd, "deploys into '%s', which is not a namespace of the tenant",
		         dest ? dest : "(none)");
	}
	const vobj *p = proj ? project_of(v, a, proj) : NULL;
	if (!p || !p->tenant || strcmp(p->tenant, a->tenant) != 0) {
		tc_vfind(v, d, "gitops.project", &s, tc_value_dig(a->v, "spec.project"), a, &pp,
		         "uses AppProject '%s', which is not one the tenant's render makes, so "
		         "nothing confines it",
		         proj ? proj : "(none)");
		return;
	}
	project(v, d, p, a);
}

static void flux(tc_verify *v, tc_diags *d, const vobj *k)
{
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	const char *tns = tc_vstr(k->v, "spec.targetNamespace");
	vsubj s = {.namespace = tns, .to_namespace = tns};
	if (!tc_vstr(k->v, "spec.serviceAccountName"))
		tc_vfind(v, d, "gitops.flux-identity", &s, tc_value_getz(k->v, "spec"), k, &ps,
		         "has no serviceAccountName, so it applies with the controller's (or the "
		         "kubeconfig's) full identity");
	tc_verify_flux_account(v, d, k);
	if (!tenant_ns(v, k, tns)) {
		tc_path pt = TC_PATH_KEY(&ps, "targetNamespace", 15);
		const tc_value *at = tc_value_dig(k->v, "spec.targetNamespace");
		tc_vfind(v, d, "gitops.flux-namespace", &s, at ? at : tc_value_getz(k->v, "spec"),
		         k, at ? &pt : &ps, "%s%s%s, so its objects may go to any namespace",
		         tns ? "has targetNamespace '" : "has no targetNamespace", tns ? tns : "",
		         tns ? "', which is not the tenant's" : "");
	}
	const char *sns = tc_vstr(k->v, "spec.sourceRef.namespace");
	if (sns && strcmp(sns, k->ns) != 0) {
		tc_path pr = TC_PATH_KEY(&ps, "sourceRef", 9);
		tc_path pn = TC_PATH_KEY(&pr, "namespace", 9);
		vsubj sr = {.namespace = tns, .to_namespace = sns};
		tc_vfind(
			v, d, "gitops.flux-source", &sr,
			tc_value_dig(k->v, "spec.sourceRef.namespace"), k, &pn,
			"takes its source from namespace '%s', not its own '%s': a cross-namespace "
			"sourceRef applies what another namespace's source holds (Flux's "
			"--no-cross-namespace-refs refuses it)",
			sns, k->ns);
	}
}

void tc_verify_gitops(tc_verify *v, tc_diags *d)
{
	for (size_t i = 0; i < v->nobjs; i++) {
		const vobj *o = &v->objs[i];
		if (!o->tenant)
			continue;
		if (strcmp(o->kind, "Application") == 0 && strcmp(o->group, "argoproj.io") == 0)
			application(v, d, o);
		else if (strcmp(o->kind, "Kustomization") == 0 &&
		         strcmp(o->group, "kustomize.toolkit.fluxcd.io") == 0)
			flux(v, d, o);
	}
}

/* ---- admission ---- */

/* Kyverno's wildcard: '*' any run of characters, '?' one. */
static bool wild(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*')
		return wild(p + 1, s) || (*s && wild(p, s + 1));
	return *s && (*p == '?' || *p == *s) && wild(p + 1, s + 1);
}

/* policy-controller's glob: '**' any run, '*' a run without '/'. */
static bool glob(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (p[0] == '*' && p[1] == '*')
		return glob(p + 2, s) || (*s && glob(p, s + 1));
	if (*p == '*')
		return glob(p + 1, s) || (*s && *s != '/' && glob(p, s + 1));
	return *s && (*p == '?' || *p == *s) && glob(p + 1, s + 1);
}

/* Does a pattern cover the image ("*": every image)? */
static bool covers(bool sigstore, const char *pat, const char *image)
{
	if (strcmp(image, "*") == 0) {
		if (sigstore)
			return strcmp(pat, "**") == 0 || strcmp(pat, "*/**") == 0;
		for (; *pat; pat++)
			if (*pat != '*')
				return false;
		return true;
	}
	return sigstore ? glob(pat, image) : wild(pat, image);
}

static bool filter_matches(const tc_value *f, const vns *n)
{
	const tc_value *res = tc_value_getz(f, "resources");
	if (!res)
		return false;
	const tc_value *kinds = tc_value_getz(res, "kinds");
	bool kind_ok = !kinds;
	FOREACH_ARR (k, i, kinds)
		if (tc_value_streq(k, "Pod") || tc_value_streq(k, "*"))
			kind_ok = true;
	if (!kind_ok)
		return false;
	const tc_value *nss = tc_value_getz(res, "namespaces");
	if (nss) {
		bool ok = false;
		FOREACH_ARR (x, i, nss)
			if (x->kind == TC_STR && wild(x->u.str.ptr, n->name))
				ok = true;
		if (!ok)
			return false;
	}
	const tc_value *sel = tc_value_getz(res, "namespaceSelector");
	return !sel || tc_vsel_matches(sel, n->labels, n->name);
}

static bool block_matches(const tc_value *blk, const vns *n)
{
	if (!blk)
		return false;
	FOREACH_ARR (f, i, tc_value_getz(blk, "any"))
		if (filter_matches(f, n))
			return true;
	const tc_value *all = tc_value_getz(blk, "all");
	if (all && all->kind == TC_ARRAY && all->u.arr.len) {
		FOREACH_ARR (f, i, all)
			if (!filter_matches(f, n))
				return false;
		return true;
	}
	return tc_value_getz(blk, "resources") && filter_matches(blk, n);
}

/* The images of the tenant namespace's workloads, or {"*"}. */
static size_t images_of(const tc_verify *v, const vns *n, const char ***out)
{
	size_t k = 0, cap = 0;
	*out = NULL;
	static const char *const kinds[] = {"CronJob",
	                                    "DaemonSet",
	                                    "Deployment",
	                                    "Job",
	                                    "Pod",
	                                    "ReplicaSet",
	                                    "ReplicationController",
	                                    "StatefulSet"};
	static const char *const paths[] = {"spec.containers",
	                                    "spec.initContainers",
	                                    "spec.template.spec.containers",
	                                    "spec.template.spec.initContainers",
	                                    "spec.jobTemplate.spec.template.spec.containers",
	                                    "spec.jobTemplate.spec.template.spec.initContainers"};
	for (size_t t = 0; t < sizeof kinds / sizeof kinds[0]; t++) {
		size_t lo, cnt = tc_vobj_range(v, n->env, kinds[t], n->name, &lo);
		for (size_t i = lo; i < lo + cnt; i++)
			for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
				FOREACH_ARR (c, m, tc_value_dig(v->objs[i].v, paths[p])) {
					const char *img = tc_vstr(c, "image");
					if (!img)
						continue;
					TC_GROW(*out, cap, k + 1);
					(*out)[k++] = img;
				}
	}
	if (k == 0) {
		*out = tc_xmalloc(sizeof **out);
		(*out)[k++] = "*";
	}
	return k;
}

/* Whether a string of the list refs (Kyverno's wildcards) covers image. */
static bool any_ref_covers(const tc_value *refs, const char *image)
{
	FOREACH_ARR (ref, m, refs)
		if (ref->kind == TC_STR && covers(false, ref->u.str.ptr, image))
			return true;
	return false;
}

/* Whether the verifyImages entry vi verifies image: its imageReferences
 * cover it and its skipImageReferences do not. */
static bool entry_covers(const tc_value *vi, const char *image)
{
	return !any_ref_covers(tc_value_getz(vi, "skipImageReferences"), image) &&
	       any_ref_covers(tc_value_getz(vi, "imageReferences"), image);
}

static bool kyverno_covers(const vobj *pol, const vns *n, const char *image)
{
	FOREACH_ARR (r, i, tc_value_dig(pol->v, "spec.rules")) {
		if (!block_matches(tc_value_getz(r, "match"), n) ||
		    block_matches(tc_value_getz(r, "exclude"), n))
			continue;
		FOREACH_ARR (vi, k, tc_value_getz(r, "verifyImages"))
			if (entry_covers(vi, image))
				return true;
	}
	return false;
}

static bool sigstore_covers(const vobj *pol, const vns *n, const char *image)
{
	if (!tc_value_streq(tc_value_getz(n->labels, "policy.sigstore.dev/include"), "true"))
		return false;
	FOREACH_ARR (x, i, tc_value_dig(pol->v, "spec.images")) {
		const char *g = tc_vstr(x, "glob");
		if (g && covers(true, g, image))
			return true;
	}
	return false;
}

static void engine(tc_verify *v, tc_diags *d, const vns *n, const char *kind, const char *rule,
                   const char **images, size_t nimg)
{
	bool sig = strcmp(kind, "ClusterImagePolicy") == 0;
	size_t lo, cnt = tc_vobj_range(v, n->env, kind, NULL, &lo);
	if (cnt == 0)
		return; /* the environment renders no policy of this engine */
	for (size_t m = 0; m < nimg; m++) {
		bool ok = false;
		for (size_t i = lo; i < lo + cnt && !ok; i++) {
			const vobj *o = &v->objs[i];
			ok = sig ? sigstore_covers(o, n, images[m])
			         : kyverno_covers(o, n, images[m]);
		}
		tc_path pm = TC_PATH_KEY(NULL, "metadata", 8);
		tc_path pl = TC_PATH_KEY(&pm, "labels", 6);
		vsubj s = {.namespace = n->name, .kind = images[m]};
		if (!ok)
			tc_vfind(
				v, d, rule, &s, tc_value_dig(n->o->v, "metadata.labels"), n->o, &pl,
				"no %s of environment '%s' verifies the signature of %s run here%s",
				kind, n->env,
				strcmp(images[m], "*") == 0 ? "every image" : images[m],
				sig ? " (needs the label policy.sigstore.dev/include=true and a "
				      "glob such as '**')"
				    : " (needs a verifyImages rule matching the namespace with "
				      "imageReferences covering it)");
		else
			tc_vrow(v, "right", n->name, "pods", tc_vprintf(v, "run %s", images[m]),
			        n->name, tc_vprintf(v, "%s (signature verified)", kind));
	}
}

void tc_verify_admission(tc_verify *v, tc_diags *d)
{
	for (size_t i = 0; i < v->nns; i++) {
		const vns *n = &v->ns[i];
		if (!tc_vns_is_tenant(n))
			continue;
		const char **images;
		size_t k = images_of(v, n, &images);
		engine(v, d, n, "ClusterPolicy", "admission.kyverno", images, k);
		engine(v, d, n, "ClusterImagePolicy", "admission.sigstore", images, k);
		free(images);
	}
}
