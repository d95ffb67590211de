/*
 * verify_realm.c - the realm invariant (see verify.h): a realm trusts only
 * the hosts of its own environment.
 *
 * The realms are the rendered objects that carry Keycloak client
 * representations: ConfigMaps whose data values hold JSON naming a
 * "clientId" (the example's reconcile ConfigMap: the partial import and
 * one value per client), and the Keycloak operator's KeycloakRealmImport
 * (k8s.keycloak.org, spec.realm.clients). In every client representation
 * (Keycloak's ClientRepresentation, wherever it sits in the JSON) the
 * URLs that make Keycloak trust a host are judged: redirectUris (where an
 * authorization code or token is sent, RFC 6749 section 3.1.2),
 * webOrigins (the origins allowed by CORS; "+" means the redirect URIs'
 * origins, "*" every origin), rootUrl, baseUrl, adminUrl and the
 * attribute post.logout.redirect.uris (values joined by "##"). Relative
 * URLs (resolved against rootUrl) and URLs without "//" name no host.
 *
 * A host belongs to the environment whose domain it is or lies below,
 * the longest such domain winning (prod.example.com before example.com).
 *
 *   realm.cross-environment  the host belongs to another environment: a
 *                            prod realm trusting a test host lets a test
 *                            deployment receive prod's codes and tokens;
 *                            the tenant's trustedHosts does not allow it,
 *                            only an exception of the platform does
 *   realm.hosts              the host belongs to no environment and is not
 *                            in the tenant's realm.trustedHosts of that
 *                            environment (or "*" as a web origin)
 *
 * The finding is at the position of the value that holds the URL: for a
 * ConfigMap the template expression that wrote the JSON, the path going
 * on inside the JSON text; the message adds the line of tenant.yaml that
 * wrote the URL when the tenant's realm settings hold it. Every host a
 * realm trusts is a row of --explain with what trusts it.
 */
#include "verify_impl.h"

#include "json_load.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool tc_vrealm_configmap(const tc_value *obj)
{
	const tc_value *data = tc_value_getz(obj, "data");
	for (size_t i = 0; data && data->kind == TC_OBJECT && i < data->u.obj.len; i++) {
		const tc_value *x = data->u.obj.members[i].val;
		if (x->kind == TC_STR && memmem(x->u.str.ptr, x->u.str.len, "\"clientId\"", 10))
			return true;
	}
	return false;
}

/* What one realm object is judged with. */
typedef struct rctx {
	tc_verify *v;
	tc_diags *d;
	const vobj *o;
	const char *realm;            /* the realm's name */
	const struct venv *env;       /* the object's environment */
	const tc_value *trusted;      /* the tenant's realm.trustedHosts there, or NULL */
	const tc_value *tenant_realm; /* the tenant's realm settings there, or NULL */
	const tc_value *anchor;       /* the value findings are at; NULL: the URL's own */
	char **seen;                  /* "client\nurl" and "client\thost" judged already */
	size_t nseen, capseen;
} rctx;

/* Whether key was seen in this object; remembers it. */
static bool seen(rctx *c, const char *a, char sep, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	for (size_t i = 0; i < c->nseen; i++)
		if (strncmp(c->seen[i], a, la) == 0 && c->seen[i][la] == sep &&
		    strcmp(c->seen[i] + la + 1, b) == 0)
			return true;
	TC_GROW(c->seen, c->capseen, c->nseen + 1);
	char *k = tc_xmalloc(la + lb + 2);
	memcpy(k, a, la);
	k[la] = sep;
	memcpy(k + la + 1, b, lb + 1);
	c->seen[c->nseen++] = k;
	return false;
}

/* host equal to dom or below it */
static bool below(const char *host, const char *dom)
{
	size_t hn = strlen(host), dn = strlen(dom);
	if (hn == dn)
		return strcasecmp(host, dom) == 0;
	return hn > dn + 1 && host[hn - dn - 1] == '.' && strcasecmp(host + hn - dn, dom) == 0;
}

/* The environment a host belongs to: the longest domain it lies in. */
static const struct venv *owner(const tc_verify *v, const char *host)
{
	const struct venv *best = NULL;
	for (size_t i = 0; i < v->nenvs; i++) {
		const struct venv *e = &v->envs[i];
		if (e->domain && below(host, e->domain) &&
		    (!best || strlen(e->domain) > strlen(best->domain) ||
		     (strlen(e->domain) == strlen(best->domain) &&
		      strcmp(e->name, best->name) < 0)))
			best = e;
	}
	return best;
}

static bool trusted(const tc_value *list, const char *host)
{
	FOREACH_ARR (t, i, list)
		if (t->kind == TC_STR && strcasecmp(t->u.str.ptr, host) == 0)
			return true;
	return false;
}

/* The host of url (NUL-terminated) into host, lower case; false when the
 * URL names none (relative, no "//", an empty host). */
/* url's scheme, up to p (its "://"): letters, digits, "+", "-", ".". */
static bool scheme_ok(const char *url, const char *p)
{
	if (p == url)
		return false;
	for (const char *s = url; s < p; s++)
		if (!isalnum((unsigned char)*s) && !strchr("+-.", *s))
			return false;
	return true;
}

/* The length of the host at p, in the authority's first end bytes: past
 * any user information, an IPv6 literal with its brackets; *out the host. */
static size_t host_span(const char *p, size_t end, const char **out)
{
	const char *at = memchr(p, '@', end); /* user information */
	while (at) {
		size_t off = (size_t)(at - p) + 1;
		p += off;
		end -= off;
		at = memchr(p, '@', end);
	}
	*out = p;
	if (*p == '[') {
		const char *close = memchr(p, ']', end);
		return close ? (size_t)(close - p) + 1 : end;
	}
	size_t n = strcspn(p, ":/?#");
	return n > end ? end : n;
}

static bool url_host(const char *url, char *host, size_t cap)
{
	const char *p = strstr(url, "://");
	if (!p || !scheme_ok(url, p))
		return false;
	p += 3;
	size_t n = host_span(p, strcspn(p, "/?#"), &p);
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)p[i]);
	host[n] = 0;
	return true;
}

/* The position of a string equal to s in the tenant's realm settings. */
static const tc_value *written(const tc_value *x, const char *s)
{
	if (!x)
		return NULL;
	if (x->kind == TC_STR)
		return strcmp(x->u.str.ptr, s) == 0 && x->pos.file ? x : NULL;
	for (size_t i = 0; x->kind == TC_ARRAY && i < x->u.arr.len; i++) {
		const tc_value *w = written(x->u.arr.items[i], s);
		if (w)
			return w;
	}
	for (size_t i = 0; x->kind == TC_OBJECT && i < x->u.obj.len; i++) {
		if (strcmp(x->u.obj.members[i].key, "trustedHosts") == 0)
			continue;
		const tc_value *w = written(x->u.obj.members[i].val, s);
		if (w)
			return w;
	}
	return NULL;
}

/* The rule a host that owner own has (NULL: none) breaks, or NULL with
 * *trust saying why the realm may trust it. */
static const char *host_rule(const rctx *c, const struct venv *own, const char *host,
                             const char **trust)
{
	if (own && own != c->env)
		return "realm.cross-environment";
	if (own)
		*trust = tc_vprintf(c->v, "domain %s", own->domain);
	else if (trusted(c->trusted, host))
		*trust = "trustedHosts";
	else
		return "realm.hosts";
	return NULL;
}

static void judge(rctx *c, const char *client, const char *what, const char *url,
                  const tc_value *val, const tc_path *path)
{
	tc_verify *v = c->v;
	bool origin = strcmp(what, "web origin") == 0;
	if (origin && (strcmp(url, "+") == 0 || strcmp(url, "-") == 0))
		return;
	char host[256];
	const char *rule = NULL, *trust = NULL;
	const struct venv *own = NULL;
	if (origin && strcmp(url, "*") == 0) {
		strcpy(host, "*");
		rule = "realm.hosts";
	} else if (!url_host(url, host, sizeof host)) {
		return;
	} else {
		own = owner(v, host);
		rule = host_rule(c, own, host, &trust);
	}
	const char *key = tc_vprintf(v, "%s %s", what, url);
	if (seen(c, client, '\n', key))
		return;
	bool reported = false;
	if (rule) {
		const tc_value *w = written(c->tenant_realm, url);
		const char *from = w ? tc_vprintf(v, "; it is written at %s:%d:%d", w->pos.file,
		                                  w->pos.line, w->pos.col)
		                     : "";
		vsubj s = {.realm = c->realm, .host = host};
		const tc_value *at = c->anchor ? c->anchor : val;
		if (strcmp(rule, "realm.cross-environment") == 0)
			reported = tc_vfind(
				v, c->d, rule, &s, at, c->o, path,
				"client '%s' of realm '%s' trusts host '%s' (%s '%s') of environment "
				"'%s' (domain '%s'): a realm of environment '%s' trusts only that "
				"environment's hosts, and realm.trustedHosts does not change that%s",
				client, c->realm, host, what, url, own->name, own->domain,
				c->env->name, from);
		else if (strcmp(host, "*") == 0)
			reported = tc_vfind(
				v, c->d, rule, &s, at, c->o, path,
				"client '%s' of realm '%s' allows every origin (web origin "
				"'*'): list the origins, or '+' for those of its redirect "
				"URIs%s",
				client, c->realm, from);
		else
			reported = tc_vfind(
				v, c->d, rule, &s, at, c->o, path,
				"client '%s' of realm '%s' trusts host '%s' (%s '%s'), which is "
				"neither in the domain '%s' of environment '%s' nor in the tenant's "
				"realm.trustedHosts there%s",
				client, c->realm, host, what, url, c->env->domain, c->env->name,
				from);
		trust = reported ? tc_vprintf(v, "none (%s)", rule) : "exception";
	}
	if (seen(c, client, '\t', host))
		return;
	/* the client's name and the host outlive this object's JSON */
	tc_vrow(v, "host", c->realm, tc_vprintf(v, "%s", client), tc_vprintf(v, "%s", host), trust,
	        tc_vprintf(v, "%s %s/%s", c->o->kind, c->o->ns, c->o->name));
}

static void judge_list(rctx *c, const char *client, const char *what, const tc_value *list,
                       const tc_path *at)
{
	FOREACH_ARR (u, i, list)
		if (u->kind == TC_STR) {
			tc_path ai = TC_PATH_INDEX(at, i);
			judge(c, client, what, u->u.str.ptr, u, &ai);
		}
}

/* The URLs of one client representation x, at path at. */
static void judge_client(rctx *c, const char *client, const tc_value *x, const tc_path *at)
{
	static const char *const one[][2] = {
		{"rootUrl", "root URL"},
		{"baseUrl", "base URL"},
		{"adminUrl", "admin URL"},
	};
	tc_path ar = TC_PATH_KEY(at, "redirectUris", 12);
	tc_path ao = TC_PATH_KEY(at, "webOrigins", 10);
	judge_list(c, client, "redirect URI", tc_value_getz(x, "redirectUris"), &ar);
	judge_list(c, client, "web origin", tc_value_getz(x, "webOrigins"), &ao);
	for (size_t k = 0; k < sizeof one / sizeof one[0]; k++) {
		const tc_value *u = tc_value_getz(x, one[k][0]);
		tc_path ak = TC_PATH_KEY(at, one[k][0], strlen(one[k][0]));
		if (u && u->kind == TC_STR)
			judge(c, client, one[k][1], u->u.str.ptr, u, &ak);
	}
	const tc_value *attrs = tc_value_getz(x, "attributes");
	const tc_value *pl = tc_value_getz(attrs, "post.logout.redirect.uris");
	if (pl && pl->kind == TC_STR) {
		tc_path aa = TC_PATH_KEY(at, "attributes", 10);
		tc_path ap = TC_PATH_KEY(&aa, "post.logout.redirect.uris", 25);
		const char *s = pl->u.str.ptr;
		while (*s) {
			const char *e = strstr(s, "##");
			size_t n = e ? (size_t)(e - s) : strlen(s);
			char *one_url = tc_vprintf(c->v, "%.*s", (int)n, s);
			judge(c, client, "post-logout redirect URI", one_url, pl, &ap);
			s += n + (e ? 2 : 0);
		}
	}
}

/* Every client representation in x (a JSON value), at path. */
static void walk(rctx *c, const tc_value *x, const tc_path *at, int depth)
{
	if (!x || depth > 64)
		return;
	if (x->kind == TC_ARRAY) {
		for (size_t i = 0; i < x->u.arr.len; i++) {
			tc_path ai = TC_PATH_INDEX(at, i);
			walk(c, x->u.arr.items[i], &ai, depth + 1);
		}
		return;
	}
	if (x->kind != TC_OBJECT)
		return;
	const char *client = tc_vstr(x, "clientId");
	if (client) {
		judge_client(c, client, x, at);
		return;
	}
	for (size_t i = 0; i < x->u.obj.len; i++) {
		const tc_member *m = &x->u.obj.members[i];
		tc_path am = TC_PATH_KEY(at, m->key, m->klen);
		walk(c, m->val, &am, depth + 1);
	}
}

static const struct venv *find_env(const tc_verify *v, const char *name)
{
	for (size_t i = 0; i < v->nenvs; i++)
		if (strcmp(v->envs[i].name, name) == 0)
			return &v->envs[i];
	return NULL;
}

/* A ConfigMap's realm: its values parsed first, then judged, since the
 * realm's name is in one value (the realm representation), its clients in
 * others. */
static void configmap_realm(rctx *c)
{
	tc_verify *v = c->v;
	const tc_value *data = tc_value_getz(c->o->v, "data");
	tc_arena a;
	tc_arena_init(&a);
	size_t n = data && data->kind == TC_OBJECT ? data->u.obj.len : 0;
	tc_value **docs = tc_xcalloc(n + 1, sizeof *docs);
	for (size_t i = 0; i < n; i++) {
		const tc_value *x = data->u.obj.members[i].val;
		if (x->kind != TC_STR || x->u.str.len == 0 ||
		    (x->u.str.ptr[0] != '{' && x->u.str.ptr[0] != '['))
			continue;
		tc_diags scratch;
		tc_diags_init(&scratch);
		if (tc_json_load(&docs[i], &a, &scratch, "", x->u.str.ptr, x->u.str.len) != 0)
			docs[i] = NULL;
		tc_diags_release(&scratch);
		const char *name = docs[i] && !tc_value_getz(docs[i], "clientId")
		                           ? tc_vstr(docs[i], "realm")
		                           : NULL;
		if (name && c->realm == c->o->name)
			c->realm = tc_vprintf(v, "%s", name);
	}
	tc_path ad = TC_PATH_KEY(NULL, "data", 4);
	for (size_t i = 0; i < n; i++) {
		if (!docs[i])
			continue;
		const tc_member *m = &data->u.obj.members[i];
		tc_path am = TC_PATH_KEY(&ad, m->key, m->klen);
		c->anchor = m->val;
		walk(c, docs[i], &am, 0);
	}
	free(docs);
	tc_arena_release(&a);
}

static void one_object(tc_verify *v, tc_diags *d, const vobj *o)
{
	const struct venv *env = find_env(v, o->env);
	if (!env || !env->domain)
		return; /* nothing to judge hosts by */
	const tc_value *tr = tc_value_getz(tc_vtenant_doc(v, o->tenant, o->env), "realm");
	rctx c = {.v = v,
	          .d = d,
	          .o = o,
	          .realm = o->name,
	          .env = env,
	          .trusted = tc_value_getz(tr, "trustedHosts"),
	          .tenant_realm = tr};
	if (strcmp(o->kind, "KeycloakRealmImport") == 0) {
		const tc_value *realm = tc_value_dig(o->v, "spec.realm");
		const char *name = tc_vstr(realm, "realm");
		if (name)
			c.realm = name;
		tc_path as = TC_PATH_KEY(NULL, "spec", 4);
		tc_path ar = TC_PATH_KEY(&as, "realm", 5);
		walk(&c, realm, &ar, 0);
	} else {
		configmap_realm(&c);
	}
	for (size_t i = 0; i < c.nseen; i++)
		free(c.seen[i]);
	free(c.seen);
}

void tc_verify_realm(tc_verify *v, tc_diags *d)
{
	static const char *const kinds[] = {"ConfigMap", "KeycloakRealmImport"};
	/* objects are sorted by environment, then kind: each environment in turn */
	for (size_t e = 0; e < v->nobjs;) {
		const char *env = v->objs[e].env;
		for (size_t k = 0; k < 2; k++) {
			size_t lo, n = tc_vobj_range(v, env, kinds[k], NULL, &lo);
			for (size_t i = 0; i < n; i++)
				one_object(v, d, &v->objs[lo + i]);
		}
		while (e < v->nobjs && strcmp(v->objs[e].env, env) == 0)
			e++;
	}
}
