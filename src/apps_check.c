/*
 * apps_check.c - the checks of apps_check.h.
 *
 * The sources each rule follows:
 *   - repoURL: Flux source-controller's GitRepository (.spec.url: http,
 *     https or ssh URLs; credentials come from .spec.secretRef, never the
 *     URL), ArgoCD's "Private Repositories" (https URLs, and SSH URLs in
 *     the scp form git@host:path as well as ssh://), and git's own "GIT
 *     URLS" (git-clone: the scp-like form is recognised only when no '/'
 *     comes before the first ':'); plain http is refused here because
 *     what the repository holds is applied to a cluster;
 *   - path: Flux's Kustomization .spec.path and ArgoCD's source.path are
 *     relative to the repository root, and neither may leave it (Flux
 *     joins the path securely inside the artifact, ArgoCD's repo-server
 *     refuses paths out of the repository);
 *   - revision: git-check-ref-format's rules for a ref name, with
 *     --branch's refusal of a leading '-'; Flux's GitRepository .spec.ref
 *     (branch, tag or commit) and ArgoCD's targetRevision (branch, tag or
 *     commit SHA) for what a revision may be.
 *
 * Nothing here allocates: the problems are static phrases.
 */
#include "apps_check.h"

#include <string.h>

/* ---- repoURL ------------------------------------------------------------------------------- */

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n >= k && memcmp(s, p, k) == 0;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

/* host[:port] (an IPv6 literal in brackets) in s[0..n); port digits only. */
static const char *host_port(const char *s, size_t n, bool port_ok)
{
	size_t i = 0;
	if (n && s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n || i == 1)
			return "has no host";
		i++;
	} else {
		while (i < n && host_char(s[i]))
			i++;
		if (i == 0)
			return "has no host";
	}
	if (i == n)
		return NULL;
	if (s[i] != ':' || !port_ok)
		return "has a character that no host name holds";
	if (i + 1 == n)
		return "has an empty port";
	for (size_t k = i + 1; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return "has a port that is not a number";
	return NULL;
}

/* The part after "scheme://": authority, then '/' and a repository path. */
static const char *hier(const char *s, size_t n, bool user_ok)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n;
	const char *at = memchr(s, '@', an);
	if (at) {
		if (!user_ok)
			return "holds credentials ('user@' or 'user:token@'): give a private "
			       "repository's credentials in a Secret, never in the URL";
		if (memchr(s, ':', (size_t)(at - s)))
			return "holds a password ('user:password@'): give a private "
			       "repository's credentials in a Secret, never in the URL";
		if (at == s)
			return "has an empty user name";
		size_t skip = (size_t)(at - s) + 1;
		s += skip;
		n -= skip;
		an -= skip;
	}
	const char *why = host_port(s, an, true);
	if (why)
		return why;
	if (an + 1 >= n)
		return "names no repository (nothing after the host)";
	return NULL;
}

const char *tc_apps_url_problem(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return "holds a space or a control character";
	if (has_prefix(s, n, "https://"))
		return hier(s + 8, n - 8, false);
	if (has_prefix(s, n, "ssh://"))
		return hier(s + 6, n - 6, true);
	if (has_prefix(s, n, "http://"))
		return "uses plain http, so what is applied could be changed on the way: use "
		       "https:// or ssh://";
	const char *colon = memchr(s, ':', n);
	const char *slash = memchr(s, '/', n);
	if (colon && colon + 2 < s + n && colon[1] == '/' && colon[2] == '/')
		return "has a scheme tenantc does not apply from: use https://, ssh:// or "
		       "user@host:path";
	if (!colon || (slash && slash < colon))
		return "is not a Git URL: use https://host/path, ssh://host/path or "
		       "user@host:path";
	/* the scp form [user@]host:path */
	const char *host = s, *at = memchr(s, '@', (size_t)(colon - s));
	if (at) {
		if (at == s)
			return "has an empty user name";
		host = at + 1;
	}
	size_t hl = (size_t)(colon - host);
	if (hl == 0 || host_port(host, hl, false))
		return "has no host before ':' (user@host:path)";
	if (colon + 1 == s + n)
		return "names no repository (nothing after ':')";
	return NULL;
}

/* ---- path ---------------------------------------------------------------------------------- */

const char *tc_apps_path_problem(const char *s, size_t n)
{
	if (n == 0)
		return "is empty: write '.' for the repository's root";
	if (s[0] == '/')
		return "is absolute: write it relative to the repository's root";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < ' ' || c == 0x7f)
			return "holds a control character";
		if (c == '\\')
			return "holds a '\\': separate folders with '/'";
	}
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && s[e] != '/')
			e++;
		if (e - i == 2 && s[i] == '.' && s[i + 1] == '.')
			return "has a '..' segment, which could leave the repository";
		i = e + 1;
	}
	return NULL;
}

/* ---- revision ------------------------------------------------------------------------------ */

/* git-check-ref-format's rule for the byte at s[i] and the one after it */
static const char *ref_byte_problem(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	char next = i + 1 < n ? s[i + 1] : 0;
	if (c < ' ' || c == 0x7f || c == ' ')
		return "holds a space or a control character";
	if (strchr("~^:?*[\\", c))
		return "holds one of ~ ^ : ? * [ \\, which Git refuses in a ref name";
	if (c == '.' && next == '.')
		return "holds '..', which Git refuses in a ref name";
	if (c == '@' && next == '{')
		return "holds '@{', which Git refuses in a ref name";
	if (c == '/' && next == '/')
		return "holds '//'";
	if ((i == 0 || s[i - 1] == '/') && c == '.')
		return "has a part beginning with '.', which Git refuses in a ref name";
	return NULL;
}

/* a component (between '/') that ends in ".lock" */
static bool has_lock_part(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && s[e] != '/')
			e++;
		if (e - i >= 5 && memcmp(s + e - 5, ".lock", 5) == 0)
			return true;
		i = e + 1;
	}
	return false;
}

/* git-check-ref-format's rules for one ref name (components joined by '/') */
static const char *ref_name_problem(const char *s, size_t n)
{
	if (n == 0)
		return "names no branch or tag";
	if (n == 1 && s[0] == '@')
		return "is '@', which Git refuses as a ref name";
	if (s[0] == '/' || s[n - 1] == '/')
		return "begins or ends with '/'";
	if (s[n - 1] == '.')
		return "ends with '.'";
	for (size_t i = 0; i < n; i++) {
		const char *why = ref_byte_problem(s, n, i);
		if (why)
			return why;
	}
	if (has_lock_part(s, n))
		return "has a part ending in '.lock', which Git refuses in a ref name";
	return NULL;
}

static bool lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

const char *tc_apps_revision_problem(const char *s, size_t n)
{
	if (n == 0)
		return "is empty: give a branch, refs/tags/<tag> or a commit id";
	if (has_prefix(s, n, "refs/heads/"))
		return ref_name_problem(s + 11, n - 11);
	if (has_prefix(s, n, "refs/tags/"))
		return ref_name_problem(s + 10, n - 10);
	if (has_prefix(s, n, "refs/"))
		return "is a ref other than refs/heads/<branch> or refs/tags/<tag>";
	if (n == 40 && lower_hex(s, n))
		return NULL; /* a commit id */
	if (n == 40 && !memchr(s, '/', n))
		return "has 40 characters, which the templates read as a commit id: write a "
		       "commit id in lower-case hex, or a branch as refs/heads/<branch>";
	if (s[0] == '-')
		return "begins with '-', which Git refuses in a branch name";
	return ref_name_problem(s, n);
}

/* ---- tenant.yaml --------------------------------------------------------------------------- */

static const tc_value *str_of(const tc_value *obj, const char *key)
{
	const tc_value *v = obj && obj->kind == TC_OBJECT ? tc_value_getz(obj, key) : NULL;
	return v && v->kind == TC_STR ? v : NULL;
}

static int field(const tc_value *app, const char *key, const char *what, const tc_path *ai,
                 const char *(*problem)(const char *, size_t), tc_diags *d)
{
	const tc_value *v = str_of(app, key);
	const char *why = v ? problem(v->u.str.ptr, v->u.str.len) : NULL;
	if (!why)
		return 0;
	tc_path ak = TC_PATH_KEY(ai, key, strlen(key));
	return tc_error(d, v->pos, &ak, "%s '%.*s' %s", what, (int)v->u.str.len, v->u.str.ptr, why);
}

static int check_list(const tc_value *apps, const tc_path *at, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; apps && apps->kind == TC_ARRAY && i < apps->u.arr.len; i++) {
		const tc_value *app = apps->u.arr.items[i];
		tc_path ai = TC_PATH_INDEX(at, i);
		if (field(app, "repoURL", "repoURL", &ai, tc_apps_url_problem, d) ||
		    field(app, "path", "path", &ai, tc_apps_path_problem, d) ||
		    field(app, "revision", "revision", &ai, tc_apps_revision_problem, d))
			rc = -1;
		const tc_value *name = str_of(app, "name");
		for (size_t k = 0; name && k < i; k++) {
			const tc_value *first = str_of(apps->u.arr.items[k], "name");
			if (!first || first->u.str.len != name->u.str.len ||
			    memcmp(first->u.str.ptr, name->u.str.ptr, name->u.str.len) != 0)
				continue;
			tc_path an = TC_PATH_KEY(&ai, "name", 4);
			rc = tc_error(
				d, name->pos, &an,
				"app '%.*s' is declared twice (first at line %d): the objects "
				"made for an app are named after it",
				(int)name->u.str.len, name->u.str.ptr, (int)first->pos.line);
			break;
		}
	}
	return rc;
}

int tc_apps_check(const tc_value *doc, tc_diags *d)
{
	tc_path aa = TC_PATH_KEY(NULL, "apps", 4);
	int rc = check_list(tc_value_getz(doc, "apps"), &aa, d);
	const tc_value *ov = tc_value_getz(doc, "overrides");
	tc_path ao = TC_PATH_KEY(NULL, "overrides", 9);
	for (size_t i = 0; ov && ov->kind == TC_OBJECT && i < ov->u.obj.len; i++) {
		const tc_member *m = &ov->u.obj.members[i];
		tc_path ae = TC_PATH_KEY(&ao, m->key, m->klen);
		tc_path aea = TC_PATH_KEY(&ae, "apps", 4);
		const tc_value *apps =
			m->val && m->val->kind == TC_OBJECT ? tc_value_getz(m->val, "apps") : NULL;
		if (check_list(apps, &aea, d))
			rc = -1;
	}
	return rc;
}
