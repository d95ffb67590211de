/*
 * realm_groups.c - the checks of realm_groups.h.
 *
 * The sources each rule follows (Keycloak 26.4, its Admin REST API and
 * the server administration guide, "Managing groups" and "Client
 * scopes"):
 *   - a group's name is unique among its siblings: the API answers 409
 *     Conflict, "Top level group named '...' already exists" or "Sibling
 *     group named '...' already exists";
 *   - a client scope's name is unique in a realm (409, "Client Scope ...
 *     already exists"), and every realm has Keycloak's own scopes (acr,
 *     address, basic, email, microprofile-jwt, offline_access,
 *     organization, phone, profile, role_list, roles, saml_organization,
 *     service_account, web-origins): a declared scope of such a name would
 *     take the built-in one over, and delete it once no longer declared;
 *   - a protocol mapper's name is unique in its client scope (409,
 *     "Protocol mapper exists with same name");
 *   - a client has a client scope once, as a default or an optional one:
 *     the API ignores the second assignment without an error;
 *   - a role mapping names an existing role: the API answers 404 to a
 *     realm role or a client role the realm does not have (realm roles
 *     offline_access and uma_authorization exist in every realm);
 *   - attribute names "tenantc.io/..." are tenantc's record of what it
 *     manages (docs/keycloak.md), not the tenant's.
 */
#include "realm_groups.h"

#include "tenant_view.h"

#include <string.h>

/* ---- small helpers ------------------------------------------------------------------------- */

static const tc_value *member(const tc_value *obj, const char *key, tc_kind kind)
{
	const tc_value *v = obj && obj->kind == TC_OBJECT ? tc_value_getz(obj, key) : NULL;
	return v && v->kind == kind ? v : NULL;
}

static bool same(const tc_value *a, const tc_value *b)
{
	return a->u.str.len == b->u.str.len &&
	       memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
}

/* Whether the array list holds the string s. */
static bool has_str(const tc_value *list, const tc_value *s)
{
	for (size_t i = 0; list && i < list->u.arr.len; i++) {
		const tc_value *v = list->u.arr.items[i];
		if (v->kind == TC_STR && same(v, s))
			return true;
	}
	return false;
}

/* The first item before index n of list whose member key equals that of
 * item n, or NULL. */
static const tc_value *earlier(const tc_value *list, size_t n, const char *key)
{
	const tc_value *want = member(list->u.arr.items[n], key, TC_STR);
	for (size_t k = 0; want && k < n; k++) {
		const tc_value *v = member(list->u.arr.items[k], key, TC_STR);
		if (v && same(v, want))
			return v;
	}
	return NULL;
}

/* ---- one list, as it is written ------------------------------------------------------------ */

#define RESERVED "tenantc.io/"

static int own_attributes(const tc_value *attrs, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; attrs && i < attrs->u.obj.len; i++) {
		const tc_member *m = &attrs->u.obj.members[i];
		if (m->klen < strlen(RESERVED) || memcmp(m->key, RESERVED, strlen(RESERVED)) != 0)
			continue;
		tc_path ak = TC_PATH_KEY(at, m->key, m->klen);
		rc = tc_error(d, m->val->pos, &ak,
		              "attribute '%.*s': names starting with '" RESERVED
		              "' are tenantc's record of what it manages in the realm",
		              (int)m->klen, m->key);
	}
	return rc;
}

/* Names unique in one list of groups; attributes the tenant's own. */
static int group_list(const tc_value *groups, const tc_path *at, bool top, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; groups && i < groups->u.arr.len; i++) {
		const tc_value *g = groups->u.arr.items[i];
		tc_path ai = TC_PATH_INDEX(at, i);
		const tc_value *first = earlier(groups, i, "name");
		if (first) {
			const tc_value *name = member(g, "name", TC_STR);
			tc_path an = TC_PATH_KEY(&ai, "name", 4);
			rc = tc_error(d, name->pos, &an,
			              "group '%.*s' is declared twice (first at line %d): %s group "
			              "names are unique in a Keycloak realm",
			              (int)name->u.str.len, name->u.str.ptr, (int)first->pos.line,
			              top ? "top-level" : "sibling");
		}
		tc_path aa = TC_PATH_KEY(&ai, "attributes", 10);
		if (own_attributes(member(g, "attributes", TC_OBJECT), &aa, d))
			rc = -1;
		tc_path as = TC_PATH_KEY(&ai, "subGroups", 9);
		if (top && group_list(member(g, "subGroups", TC_ARRAY), &as, false, d))
			rc = -1;
	}
	return rc;
}

/* Keycloak's own client scopes of every realm (26.4), sorted. */
static const char *const builtin_scopes[] = {
	"acr",
	"address",
	"basic",
	"email",
	"microprofile-jwt",
	"offline_access",
	"organization",
	"phone",
	"profile",
	"role_list",
	"roles",
	"saml_organization",
	"service_account",
	"web-origins",
};

static bool builtin_scope(const tc_value *name)
{
	for (size_t i = 0; i < sizeof builtin_scopes / sizeof *builtin_scopes; i++)
		if (tc_value_streq(name, builtin_scopes[i]))
			return true;
	return false;
}

/* The name of scope i of scopes: unique, and not one of Keycloak's own. */
static int scope_name(const tc_value *scopes, size_t i, const tc_path *an, tc_diags *d)
{
	const tc_value *name = member(scopes->u.arr.items[i], "name", TC_STR);
	const tc_value *first = earlier(scopes, i, "name");
	if (first)
		return tc_error(d, name->pos, an,
		                "client scope '%.*s' is declared twice (first at line %d): a "
		                "client scope's name is unique in a Keycloak realm",
		                (int)name->u.str.len, name->u.str.ptr, (int)first->pos.line);
	if (name && builtin_scope(name))
		return tc_error(d, name->pos, an,
		                "client scope '%.*s' is one of Keycloak's own scopes of every "
		                "realm: give the tenant's scope another name",
		                (int)name->u.str.len, name->u.str.ptr);
	return 0;
}

/* The protocol mappers of scope s (named name, or NULL): unique names. */
static int mapper_names(const tc_value *s, const tc_value *name, const tc_path *ai, tc_diags *d)
{
	int rc = 0;
	const tc_value *mappers = member(s, "protocolMappers", TC_ARRAY);
	tc_path am = TC_PATH_KEY(ai, "protocolMappers", 15);
	for (size_t k = 0; mappers && k < mappers->u.arr.len; k++) {
		const tc_value *mfirst = earlier(mappers, k, "name");
		if (!mfirst)
			continue;
		const tc_value *mname = member(mappers->u.arr.items[k], "name", TC_STR);
		tc_path ak = TC_PATH_INDEX(&am, k);
		tc_path akn = TC_PATH_KEY(&ak, "name", 4);
		rc = tc_error(d, mname->pos, &akn,
		              "protocol mapper '%.*s' is declared twice in client scope "
		              "'%.*s' (first at line %d): a mapper's name is unique in its scope",
		              (int)mname->u.str.len, mname->u.str.ptr,
		              name ? (int)name->u.str.len : 0, name ? name->u.str.ptr : "",
		              (int)mfirst->pos.line);
	}
	return rc;
}

/* No client in both defaultFor and optionalFor of scope s. */
static int default_or_optional(const tc_value *s, const tc_path *ai, tc_diags *d)
{
	int rc = 0;
	const tc_value *defaults = member(s, "defaultFor", TC_ARRAY);
	const tc_value *optionals = member(s, "optionalFor", TC_ARRAY);
	tc_path ao = TC_PATH_KEY(ai, "optionalFor", 11);
	for (size_t k = 0; optionals && k < optionals->u.arr.len; k++) {
		const tc_value *c = optionals->u.arr.items[k];
		if (c->kind != TC_STR || !has_str(defaults, c))
			continue;
		tc_path ak = TC_PATH_INDEX(&ao, k);
		rc = tc_error(d, c->pos, &ak,
		              "client '%.*s' is in both defaultFor and optionalFor: a client "
		              "has a client scope once, as a default or an optional one",
		              (int)c->u.str.len, c->u.str.ptr);
	}
	return rc;
}

static int scope_list(const tc_value *scopes, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; scopes && i < scopes->u.arr.len; i++) {
		const tc_value *s = scopes->u.arr.items[i];
		tc_path ai = TC_PATH_INDEX(at, i);
		tc_path an = TC_PATH_KEY(&ai, "name", 4);
		tc_path aa = TC_PATH_KEY(&ai, "attributes", 10);
		if (scope_name(scopes, i, &an, d))
			rc = -1;
		if (own_attributes(member(s, "attributes", TC_OBJECT), &aa, d))
			rc = -1;
		if (mapper_names(s, member(s, "name", TC_STR), &ai, d))
			rc = -1;
		if (default_or_optional(s, &ai, d))
			rc = -1;
	}
	return rc;
}

static int one_realm(const tc_value *realm, const tc_path *at, tc_diags *d)
{
	tc_path ag = TC_PATH_KEY(at, "groups", 6);
	tc_path as = TC_PATH_KEY(at, "clientScopes", 12);
	int rc = group_list(member(realm, "groups", TC_ARRAY), &ag, true, d);
	if (scope_list(member(realm, "clientScopes", TC_ARRAY), &as, d))
		rc = -1;
	return rc;
}

/* ---- references, in each environment's realm ----------------------------------------------- */

typedef struct view {
	const char *env;         /* the environment */
	const tc_value *roles;   /* its realm.roles, or NULL */
	const tc_value *clients; /* its realm.clients, or NULL */
} view;

static const tc_value *client_of(const view *v, const tc_value *id)
{
	for (size_t i = 0; v->clients && i < v->clients->u.arr.len; i++) {
		const tc_value *c = v->clients->u.arr.items[i];
		const tc_value *cid = member(c, "clientId", TC_STR);
		if (cid && cid->u.str.len == id->u.str.len &&
		    memcmp(cid->u.str.ptr, id->u.str.ptr, id->u.str.len) == 0)
			return c;
	}
	return NULL;
}

static int group_refs(const tc_value *g, const tc_path *at, const view *v, tc_diags *d)
{
	int rc = 0;
	const tc_value *gname = member(g, "name", TC_STR);
	int gl = gname ? (int)gname->u.str.len : 0;
	const char *gp = gname ? gname->u.str.ptr : "";
	const tc_value *rr = member(g, "realmRoles", TC_ARRAY);
	tc_path ar = TC_PATH_KEY(at, "realmRoles", 10);
	for (size_t i = 0; rr && i < rr->u.arr.len; i++) {
		const tc_value *r = rr->u.arr.items[i];
		if (r->kind != TC_STR || has_str(v->roles, r) ||
		    tc_value_streq(r, "offline_access") || tc_value_streq(r, "uma_authorization"))
			continue;
		tc_path ai = TC_PATH_INDEX(&ar, i);
		rc = tc_error(d, r->pos, &ai,
		              "group '%.*s' maps realm role '%.*s', which the realm of environment "
		              "'%s' does not have: add it to realm.roles",
		              gl, gp, (int)r->u.str.len, r->u.str.ptr, v->env);
	}
	const tc_value *cr = member(g, "clientRoles", TC_OBJECT);
	tc_path ac = TC_PATH_KEY(at, "clientRoles", 11);
	for (size_t i = 0; cr && i < cr->u.obj.len; i++) {
		const tc_member *m = &cr->u.obj.members[i];
		tc_path am = TC_PATH_KEY(&ac, m->key, m->klen);
		tc_value key = {.kind = TC_STR, .u.str = {m->key, m->klen}};
		const tc_value *c = client_of(v, &key);
		if (!c) {
			rc = tc_error(
				d, m->val->pos, &am,
				"group '%.*s' maps roles of client '%.*s', which the realm of "
				"environment '%s' does not have: clientRoles names clients of "
				"realm.clients",
				gl, gp, (int)m->klen, m->key, v->env);
			continue;
		}
		const tc_value *have = member(c, "roles", TC_ARRAY);
		for (size_t k = 0; m->val->kind == TC_ARRAY && k < m->val->u.arr.len; k++) {
			const tc_value *r = m->val->u.arr.items[k];
			if (r->kind != TC_STR || has_str(have, r))
				continue;
			tc_path ak = TC_PATH_INDEX(&am, k);
			rc = tc_error(d, r->pos, &ak,
			              "group '%.*s' maps role '%.*s' of client '%.*s', which that "
			              "client does not have in environment '%s': add it to the "
			              "client's roles",
			              gl, gp, (int)r->u.str.len, r->u.str.ptr, (int)m->klen, m->key,
			              v->env);
		}
	}
	return rc;
}

static int scope_refs(const tc_value *s, const tc_path *at, const view *v, tc_diags *d)
{
	int rc = 0;
	const tc_value *sname = member(s, "name", TC_STR);
	static const char *const keys[] = {"defaultFor", "optionalFor"};
	for (size_t k = 0; k < 2; k++) {
		const tc_value *list = member(s, keys[k], TC_ARRAY);
		tc_path ak = TC_PATH_KEY(at, keys[k], strlen(keys[k]));
		for (size_t i = 0; list && i < list->u.arr.len; i++) {
			const tc_value *c = list->u.arr.items[i];
			if (c->kind != TC_STR || client_of(v, c))
				continue;
			tc_path ai = TC_PATH_INDEX(&ak, i);
			rc = tc_error(d, c->pos, &ai,
			              "client scope '%.*s' names client '%.*s', which the realm of "
			              "environment '%s' does not have: %s names clients of "
			              "realm.clients",
			              sname ? (int)sname->u.str.len : 0,
			              sname ? sname->u.str.ptr : "", (int)c->u.str.len,
			              c->u.str.ptr, v->env, keys[k]);
		}
	}
	return rc;
}

/* The path where the view's list key of the realm is written: the
 * environment's section when the view's list is the section's, else the
 * file's. */
static tc_path list_path(const tc_value *section_realm, const tc_value *list, const tc_path *file,
                         const tc_path *sec)
{
	const tc_value *own = member(section_realm, file->key, TC_ARRAY);
	return own && own == list ? *sec : *file;
}

/* The references of the groups (and their subgroups) of one list at pg. */
static int groups_refs(const tc_value *groups, const tc_path *pg, const view *v, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; groups && i < groups->u.arr.len; i++) {
		const tc_value *g = groups->u.arr.items[i];
		tc_path ai = TC_PATH_INDEX(pg, i);
		if (group_refs(g, &ai, v, d))
			rc = -1;
		const tc_value *subs = member(g, "subGroups", TC_ARRAY);
		tc_path as = TC_PATH_KEY(&ai, "subGroups", 9);
		for (size_t k = 0; subs && k < subs->u.arr.len; k++) {
			tc_path ak = TC_PATH_INDEX(&as, k);
			if (group_refs(subs->u.arr.items[k], &ak, v, d))
				rc = -1;
		}
	}
	return rc;
}

/* The references in env's realm as the environment sees it; the paths
 * name where each list is written (ar: the file's realm, ao: overrides). */
static int env_refs(tc_arena *a, const tc_tenant *t, const tc_env *env, const tc_path *ar,
                    const tc_path *ao, tc_diags *d)
{
	int rc = 0;
	const tc_value *ov = member(t->doc, "overrides", TC_OBJECT);
	const tc_value *vr = member(tc_tenant_view(a, t, env), "realm", TC_OBJECT);
	const tc_value *sr = member(member(ov, env->name, TC_OBJECT), "realm", TC_OBJECT);
	view v = {env->name, member(vr, "roles", TC_ARRAY), member(vr, "clients", TC_ARRAY)};
	tc_path ae = TC_PATH_KEY(ao, env->name, strlen(env->name));
	tc_path aer = TC_PATH_KEY(&ae, "realm", 5);
	const tc_value *groups = member(vr, "groups", TC_ARRAY);
	tc_path fg = TC_PATH_KEY(ar, "groups", 6), sg = TC_PATH_KEY(&aer, "groups", 6);
	tc_path pg = list_path(sr, groups, &fg, &sg);
	if (groups_refs(groups, &pg, &v, d))
		rc = -1;
	const tc_value *scopes = member(vr, "clientScopes", TC_ARRAY);
	tc_path fs = TC_PATH_KEY(ar, "clientScopes", 12),
		ss = TC_PATH_KEY(&aer, "clientScopes", 12);
	tc_path ps = list_path(sr, scopes, &fs, &ss);
	for (size_t i = 0; scopes && i < scopes->u.arr.len; i++) {
		tc_path ai = TC_PATH_INDEX(&ps, i);
		if (scope_refs(scopes->u.arr.items[i], &ai, &v, d))
			rc = -1;
	}
	return rc;
}

int tc_realm_check_groups(tc_arena *a, const tc_tenant *t, tc_diags *d)
{
	const tc_value *doc = t->doc;
	tc_path ar = TC_PATH_KEY(NULL, "realm", 5);
	int rc = one_realm(member(doc, "realm", TC_OBJECT), &ar, d);
	const tc_value *ov = member(doc, "overrides", TC_OBJECT);
	tc_path ao = TC_PATH_KEY(NULL, "overrides", 9);
	for (size_t i = 0; ov && i < ov->u.obj.len; i++) {
		const tc_member *m = &ov->u.obj.members[i];
		tc_path ae = TC_PATH_KEY(&ao, m->key, m->klen);
		tc_path aer = TC_PATH_KEY(&ae, "realm", 5);
		if (one_realm(member(m->val, "realm", TC_OBJECT), &aer, d))
			rc = -1;
	}
	/* the references, in each environment's realm; the first environment
	 * with a broken one is reported (the others would mostly repeat it) */
	for (size_t e = 0; e < t->nenvs && rc == 0; e++)
		rc = env_refs(a, t, t->envs[e], &ar, &ao, d);
	return rc;
}
