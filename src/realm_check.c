/*
 * realm_check.c - the checks of realm_check.h.
 *
 * The sources each rule follows:
 *   - "${": Keycloak's realm import replaces ${VAR} with the server's
 *     environment variables and system properties when placeholders are
 *     on (Keycloak operator guide, "Realm import", spec.placeholders;
 *     server guide "Importing and exporting realms"), and themes resolve
 *     ${key} in display names as messages;
 *   - clientId: unique in a realm (Keycloak ClientRepresentation.clientId;
 *     the Admin REST API answers 409 Conflict to a second one);
 *   - redirect URIs: RFC 6749 section 3.1.2 (an absolute URI without a
 *     fragment; TLS required, section 3.1.2.1), RFC 8252 section 7.3 and
 *     8.3 (plain http only on the loopback interface), Keycloak's
 *     wildcard (a '*' at the end only);
 *   - web origins: an origin of RFC 6454 section 6.1 (scheme, host and
 *     port, no path), or Keycloak's "+" (the redirect URIs' origins).
 */
#include "realm_check.h"

#include "netaddr.h"
#include "sops.h"
#include "tenant_view.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* ---- strings that reach the realm ---------------------------------------------------------- */

static int no_placeholder(const tc_value *v, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	switch (v->kind) {
	case TC_STR:
		if (memmem(v->u.str.ptr, v->u.str.len, "${", 2))
			rc = tc_error(
				d, v->pos, at,
				"'${' in a string that reaches the Keycloak realm: Keycloak "
				"resolves ${...} in realm values (server environment variables "
				"in a realm import with placeholders, theme messages in display "
				"names), so text like ${KC_DB_PASSWORD} could publish a server "
				"setting; write it without '${'");
		break;
	case TC_ARRAY:
		for (size_t i = 0; i < v->u.arr.len; i++) {
			tc_path ai = TC_PATH_INDEX(at, i);
			if (no_placeholder(v->u.arr.items[i], &ai, d))
				rc = -1;
		}
		break;
	case TC_OBJECT:
		for (size_t i = 0; i < v->u.obj.len; i++) {
			const tc_member *m = &v->u.obj.members[i];
			tc_path am = TC_PATH_KEY(at, m->key, m->klen);
			/* a key (an attribute's name) reaches the realm too */
			tc_value key = {.kind = TC_STR,
			                .pos = m->val->pos,
			                .u.str = {m->key, m->klen}};
			if (no_placeholder(&key, &am, d) || no_placeholder(m->val, &am, d))
				rc = -1;
		}
		break;
	default:
		break;
	}
	return rc;
}

/* ---- one list of clients ------------------------------------------------------------------- */

static const tc_value *str_member(const tc_value *obj, const char *key)
{
	const tc_value *v = obj && obj->kind == TC_OBJECT ? tc_value_getz(obj, key) : NULL;
	return v && v->kind == TC_STR ? v : NULL;
}

static bool str_eq(const tc_value *a, const tc_value *b)
{
	return a->u.str.len == b->u.str.len &&
	       memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
}

static int unique_client_ids(const tc_value *clients, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; i < clients->u.arr.len; i++) {
		const tc_value *id = str_member(clients->u.arr.items[i], "clientId");
		for (size_t k = 0; id && k < i; k++) {
			const tc_value *first = str_member(clients->u.arr.items[k], "clientId");
			if (!first || !str_eq(first, id))
				continue;
			tc_path ai = TC_PATH_INDEX(at, i);
			tc_path ak = TC_PATH_KEY(&ai, "clientId", 8);
			rc = tc_error(
				d, id->pos, &ak,
				"client '%.*s' is declared twice (first at line %d): a clientId "
				"is unique in a Keycloak realm",
				(int)id->u.str.len, id->u.str.ptr, first->pos.line);
			break;
		}
	}
	return rc;
}

/* Why the authority of u names no host a redirect URI may have, or NULL. */
static const char *host_problem(const tc_netaddr_url *u, size_t cap)
{
	if (u->has_userinfo)
		return "holds user information ('@'), which a redirect URI must not";
	if (u->host_len == 0 || u->host_len >= cap)
		return "has no host";
	if (memchr(u->host, '*', u->host_len))
		return "has a '*' in its host: Keycloak matches a '*' only at the end";
	return NULL;
}

/* Why the text after the host (port, path, query, fragment: t, n bytes)
 * is not allowed, or NULL. */
static const char *tail_problem(const char *t, size_t n, bool origin)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '#')
			return "has a fragment ('#'), which RFC 6749 section 3.1.2 forbids";
		if (t[i] == '*' && i + 1 != n)
			return "has a '*' before its end: Keycloak matches a '*' only at the end";
		if (origin && strchr("/?*", t[i]) && !(t[i] == '/' && i + 1 == n))
			return "is not an origin (scheme, host and optional port, no path)";
	}
	return NULL;
}

/* The host of an absolute http(s) URL (s, n bytes; after "scheme://" up to
 * the port, path, query or fragment) into host[0..*hn), lower case; NULL
 * with *why set when the URL is not one. */
static const char *url_host(const char *s, size_t n, bool origin, char *host, size_t cap,
                            size_t *hn, bool *http, const char **why)
{
	tc_netaddr_url u;
	bool ok = tc_netaddr_split_url(&u, s, n);
	*http = ok && u.scheme_len == 4 && memcmp(s, "http", 4) == 0;
	if (!*http && !(ok && u.scheme_len == 5 && memcmp(s, "https", 5) == 0)) {
		*why = "is not an absolute https:// URL";
		return NULL;
	}
	const char *end = u.host + u.host_len;
	*why = host_problem(&u, cap);
	if (!*why)
		*why = tail_problem(end, n - (size_t)(end - s), origin);
	if (*why)
		return NULL;
	for (size_t i = 0; i < u.host_len; i++)
		host[i] = (char)tolower((unsigned char)u.host[i]);
	host[u.host_len] = 0;
	*hn = u.host_len;
	return host;
}

static bool is_loopback(const char *h)
{
	return strcmp(h, "localhost") == 0 || strcmp(h, "127.0.0.1") == 0 ||
	       strcmp(h, "[::1]") == 0;
}

static int check_urls(const tc_value *list, const tc_path *at, bool origins, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; list && list->kind == TC_ARRAY && i < list->u.arr.len; i++) {
		const tc_value *v = list->u.arr.items[i];
		if (v->kind != TC_STR)
			continue;
		tc_path ai = TC_PATH_INDEX(at, i);
		const char *s = v->u.str.ptr;
		size_t n = v->u.str.len;
		if (origins && n == 1 && s[0] == '+')
			continue;
		char host[256];
		size_t hn = 0;
		bool http = false;
		const char *why = NULL;
		const char *what = origins ? "web origin" : "redirect URI";
		if (!url_host(s, n, origins, host, sizeof host, &hn, &http, &why)) {
			rc = tc_error(d, v->pos, &ai, "%s '%.*s' %s (RFC 6749 section 3.1.2)", what,
			              (int)n, s, why);
			continue;
		}
		if (http && !is_loopback(host)) {
			rc = tc_error(
				d, v->pos, &ai,
				"%s '%.*s' uses http: only https is allowed, and plain http "
				"only on the loopback host (localhost, 127.0.0.1, [::1]; RFC 8252 "
				"section 8.3)",
				what, (int)n, s);
		}
		/* whose hosts a realm trusts is the realm invariant of the
		 * verifier (verify_realm.c), judged on the rendered realm */
	}
	return rc;
}

/* The URL checks of the clients of one list. */
static int check_clients(const tc_value *clients, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; clients && clients->kind == TC_ARRAY && i < clients->u.arr.len; i++) {
		const tc_value *c = clients->u.arr.items[i];
		if (c->kind != TC_OBJECT)
			continue;
		tc_path ai = TC_PATH_INDEX(at, i);
		tc_path ar = TC_PATH_KEY(&ai, "redirectUris", 12);
		tc_path ao = TC_PATH_KEY(&ai, "webOrigins", 10);
		if (check_urls(tc_value_getz(c, "redirectUris"), &ar, false, d) ||
		    check_urls(tc_value_getz(c, "webOrigins"), &ao, true, d))
			rc = -1;
	}
	return rc;
}

static const tc_value *realm_clients(const tc_value *realm)
{
	const tc_value *c =
		realm && realm->kind == TC_OBJECT ? tc_value_getz(realm, "clients") : NULL;
	return c && c->kind == TC_ARRAY ? c : NULL;
}

/* The realm written at 'at' (a realm mapping or NULL): no placeholders,
 * unique client ids. */
static int check_written_realm(const tc_value *realm, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	tc_path arc = TC_PATH_KEY(at, "clients", 7);
	if (realm && no_placeholder(realm, at, d))
		rc = -1;
	if (realm_clients(realm) && unique_client_ids(realm_clients(realm), &arc, d))
		rc = -1;
	return rc;
}

/* Every string that can reach a realm, where it is written: the display
 * name, the realm and each environment's realm in overrides. */
static int check_written(const tc_value *doc, tc_diags *d)
{
	int rc = 0;
	const tc_value *dn = tc_value_getz(doc, "displayName");
	tc_path adn = TC_PATH_KEY(NULL, "displayName", 11);
	if (dn && no_placeholder(dn, &adn, d))
		rc = -1;
	tc_path ar = TC_PATH_KEY(NULL, "realm", 5);
	if (check_written_realm(tc_value_getz(doc, "realm"), &ar, d))
		rc = -1;
	const tc_value *ov = tc_value_getz(doc, "overrides");
	tc_path ao = TC_PATH_KEY(NULL, "overrides", 9);
	for (size_t i = 0; ov && ov->kind == TC_OBJECT && i < ov->u.obj.len; i++) {
		const tc_member *m = &ov->u.obj.members[i];
		tc_path ae = TC_PATH_KEY(&ao, m->key, m->klen);
		tc_path aer = TC_PATH_KEY(&ae, "realm", 5);
		const tc_value *r =
			m->val && m->val->kind == TC_OBJECT ? tc_value_getz(m->val, "realm") : NULL;
		if (check_written_realm(r, &aer, d))
			rc = -1;
	}
	return rc;
}

/* The URLs of env's realm as the environment sees it: a list of the file
 * that the environment does not replace is checked as that environment
 * sees it; the path names where the list is written. */
static int check_env_urls(tc_arena *a, const tc_tenant *t, const tc_env *env, tc_diags *d)
{
	tc_value *v = tc_tenant_view(a, t, env);
	const tc_value *clients = realm_clients(tc_value_getz(v, "realm"));
	if (!clients)
		return 0;
	const tc_value *ov = tc_value_getz(t->doc, "overrides");
	const tc_value *sec = ov && ov->kind == TC_OBJECT ? tc_value_getz(ov, env->name) : NULL;
	const tc_value *sr = sec && sec->kind == TC_OBJECT ? tc_value_getz(sec, "realm") : NULL;
	bool from_section = realm_clients(sr) == clients;
	tc_path ao = TC_PATH_KEY(NULL, "overrides", 9);
	tc_path ae = TC_PATH_KEY(&ao, env->name, strlen(env->name));
	tc_path ar = TC_PATH_KEY(from_section ? &ae : NULL, "realm", 5);
	tc_path arc = TC_PATH_KEY(&ar, "clients", 7);
	return check_clients(clients, &arc, d);
}

int tc_realm_check(tc_arena *a, const tc_tenant *t, tc_diags *d)
{
	int rc = check_written(t->doc, d);
	if (rc)
		return rc;
	for (size_t e = 0; e < t->nenvs; e++)
		if (check_env_urls(a, t, t->envs[e], d))
			rc = -1;
	return rc;
}

/* ---- client secrets ------------------------------------------------------------------------ */

#define CLIENT_SECRETS "realm-clients.yaml"

/* The environment's realm-clients.yaml among the tenant's secrets: its
 * own, else the shared one; NULL when it has none. */
static const tc_file *client_secrets_file(const tc_tenant *t, const tc_env *env)
{
	size_t n = strlen(env->name);
	for (size_t i = 0; i < t->nsecrets; i++) {
		const char *p = t->secrets[i].path;
		if (t->secret_envs[i])
			p += n + 1;
		if (strcmp(p, CLIENT_SECRETS) == 0 && tc_tenant_secret_used_in(t, i, env))
			return &t->secrets[i];
	}
	return NULL;
}

/* The clear text of f, or NULL when it is no SOPS file: that is the
 * render's error, not this check's. */
static tc_value *read_clear(tc_arena *a, const tc_file *f, const char *path)
{
	tc_value *doc = NULL;
	tc_diags scratch;
	tc_diags_init(&scratch);
	tc_sops_info info;
	if (tc_sops_read_clear(&doc, &info, a, &scratch, path, f->data, f->len) != 0)
		doc = NULL;
	tc_diags_release(&scratch);
	return doc;
}

/* The value of key in the Secret's stringData, else its data; NULL when neither has it. */
static const tc_value *secret_key(const tc_value *doc, const char *key)
{
	static const char *const maps[] = {"stringData", "data"};
	for (size_t k = 0; k < 2; k++) {
		const tc_value *m = tc_value_getz(doc, maps[k]);
		const tc_value *val = m && m->kind == TC_OBJECT ? tc_value_getz(m, key) : NULL;
		if (val)
			return val;
	}
	return NULL;
}

/* One confidential client's secret in doc (NULL: the environment has no
 * such file, which is at path). */
static int check_client_secret(const tc_value *id, const tc_value *type, const tc_value *doc,
                               const char *path, const tc_env *env, const tc_path *at, tc_diags *d)
{
	if (!doc)
		return tc_error(d, id->pos, at,
		                "client '%s' is %s and needs a secret, but environment '%s' has "
		                "no %s (nor secrets/%s/" CLIENT_SECRETS
		                "): add the Secret 'realm-clients' with the key '%s' "
		                "(docs/keycloak.md)",
		                id->u.str.ptr, type->u.str.ptr, env->name, path, env->name,
		                id->u.str.ptr);
	const tc_value *val = secret_key(doc, id->u.str.ptr);
	if (!val)
		return tc_error(d, id->pos, at,
		                "client '%s' is %s and needs a secret, but %s (the Secret of "
		                "environment '%s') has no key '%s' in stringData or data",
		                id->u.str.ptr, type->u.str.ptr, path, env->name, id->u.str.ptr);
	if (!(val->flags & TC_VAL_SECRET))
		return tc_error(d, id->pos, at,
		                "the secret of client '%s' is in clear text in %s: a client "
		                "secret must be an encrypted value of a SOPS file (run 'tenantc "
		                "secret encrypt')",
		                id->u.str.ptr, path);
	return 0;
}

int tc_realm_check_secrets(tc_arena *a, const tc_tenant *t, const tc_env *env, tc_diags *d)
{
	tc_value *v = tc_tenant_view(a, t, env);
	const tc_value *clients = realm_clients(tc_value_getz(v, "realm"));
	if (!clients)
		return 0;
	const tc_file *f = client_secrets_file(t, env);
	const char *path = f ? tc_arena_printf(a, "tenants/%s/secrets/%s", t->name, f->path)
	                     : tc_arena_printf(a, "tenants/%s/secrets/" CLIENT_SECRETS, t->name);
	tc_value *doc = f ? read_clear(a, f, path) : NULL;
	if (f && !doc)
		return 0;
	int rc = 0;
	/* the path where the list is written: the environment's section or the file */
	const tc_value *sec = tc_value_dig(t->doc, "overrides");
	sec = sec && sec->kind == TC_OBJECT ? tc_value_getz(sec, env->name) : NULL;
	const tc_value *sr = sec && sec->kind == TC_OBJECT ? tc_value_getz(sec, "realm") : NULL;
	tc_path ao = TC_PATH_KEY(NULL, "overrides", 9);
	tc_path ae = TC_PATH_KEY(&ao, env->name, strlen(env->name));
	tc_path ar = TC_PATH_KEY(realm_clients(sr) == clients ? &ae : NULL, "realm", 5);
	tc_path arc = TC_PATH_KEY(&ar, "clients", 7);
	for (size_t i = 0; i < clients->u.arr.len; i++) {
		const tc_value *c = clients->u.arr.items[i];
		const tc_value *id = str_member(c, "clientId"), *type = str_member(c, "type");
		if (!id || !type || tc_value_streq(type, "public"))
			continue;
		tc_path ai = TC_PATH_INDEX(&arc, i);
		tc_path aid = TC_PATH_KEY(&ai, "clientId", 8);
		if (check_client_secret(id, type, doc, path, env, &aid, d))
			rc = -1;
	}
	return rc;
}
