/*
 * k8s_dupes.c - duplicate objects over one environment's output: copies of
 * the object identities (group, kind, namespace, name), sorted, never
 * hashed, so the report order is fixed and does not depend on the order
 * objects were added in. `tenantc validate` and render (render_dupes.c,
 * with the tenant of each object) use the same collector.
 */
#include "k8s.h"

#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One object: 48 bytes here and one allocation holding
 * "group NUL kind NUL namespace NUL name" (the sort key, klen bytes) and,
 * when the object has a file, that file's name after it. A render keeps
 * one per object of every environment, so it is kept small. */
struct tc_k8s_dupe {
	char *key;
	uint32_t klen;
	uint32_t line, col;
	uint32_t seq;       /* order of adding, the last tie-break */
	bool secret;        /* the identity holds a decrypted value: never print it */
	bool shared;        /* one of a run that tc_k8s_dupes_share took */
	bool quiet;         /* reported only beside one that is not */
	const char *tenant; /* the tenant that made it (not copied), or NULL */
	unsigned char *sum; /* SHA-256 of its content (malloc'd), or NULL */
};

void tc_k8s_dupes_init(tc_k8s_dupes *s)
{
	memset(s, 0, sizeof *s);
}

void tc_k8s_dupes_release(tc_k8s_dupes *s)
{
	for (size_t i = 0; i < s->len; i++) {
		free(s->items[i].key);
		free(s->items[i].sum);
	}
	free(s->items);
	memset(s, 0, sizeof *s);
}

static const tc_value *str_at(const tc_value *v, const char *k)
{
	const tc_value *x = tc_value_getz(v, k);
	return x && x->kind == TC_STR ? x : NULL;
}

/* The file of an entry: after the key's terminating NUL; "" when none. */
static const char *dupe_file(const tc_k8s_dupe *e)
{
	return e->key + e->klen;
}

static char *put(char *p, const char *s, size_t n)
{
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p + n + 1;
}

void tc_k8s_dupes_add(tc_k8s_dupes *s, const tc_value *obj, bool secret)
{
	tc_k8s_dupes_add_tenant(s, obj, NULL, secret);
}

void tc_k8s_dupes_add_tenant(tc_k8s_dupes *s, const tc_value *obj, const char *tenant, bool secret)
{
	tc_k8s_dupes_add_sum(s, obj, tenant, secret, NULL, false);
}

void tc_k8s_dupes_add_sum(tc_k8s_dupes *s, const tc_value *obj, const char *tenant, bool secret,
                          const unsigned char *sum, bool quiet)
{
	if (obj->kind != TC_OBJECT)
		return;
	const tc_value *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
	const tc_value *meta = tc_value_getz(obj, "metadata");
	const tc_value *name = meta ? str_at(meta, "name") : NULL;
	const tc_value *ns = meta ? str_at(meta, "namespace") : NULL;
	if (!api || !kind || !name)
		return;
	const char *group, *version;
	size_t glen, vlen;
	tc_k8s_split_api_version(api->u.str.ptr, api->u.str.len, &group, &glen, &version, &vlen);
	size_t nslen = ns ? ns->u.str.len : 0;
	size_t total = glen + kind->u.str.len + nslen + name->u.str.len + 4;
	const char *file = obj->pos.file ? obj->pos.file : "";
	size_t flen = strlen(file);
	char *key = tc_xmalloc(total + flen + 1);
	char *p = put(key, group, glen);
	p = put(p, kind->u.str.ptr, kind->u.str.len);
	p = put(p, ns ? ns->u.str.ptr : "", nslen);
	p = put(p, name->u.str.ptr, name->u.str.len);
	put(p, file, flen);
	TC_GROW(s->items, s->cap, s->len + 1);
	secret = secret || tc_value_tainted(api) || tc_value_tainted(kind) ||
	         tc_value_tainted(ns) || tc_value_tainted(name);
	unsigned char *copy = NULL;
	if (sum) {
		copy = tc_xmalloc(32);
		memcpy(copy, sum, 32);
	}
	s->items[s->len] = (tc_k8s_dupe){.key = key,
	                                 .klen = (uint32_t)total,
	                                 .line = obj->pos.line,
	                                 .col = obj->pos.col,
	                                 .seq = (uint32_t)s->len,
	                                 .secret = secret,
	                                 .tenant = tenant,
	                                 .sum = copy,
	                                 .quiet = quiet};
	s->len++;
}

static int cmp_pos(const tc_k8s_dupe *a, const tc_k8s_dupe *b)
{
	int c = strcmp(dupe_file(a), dupe_file(b));
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_dupe(const void *x, const void *y)
{
	const tc_k8s_dupe *a = x, *b = y;
	int c = tc_bytes_cmp(a->key, a->klen, b->key, b->klen);
	return c ? c : cmp_pos(a, b);
}

static bool same_key(const tc_k8s_dupe *a, const tc_k8s_dupe *b)
{
	return tc_bytes_cmp(a->key, a->klen, b->key, b->klen) == 0;
}

/* One duplicate: e repeats first; secret when a member of their run holds
 * a decrypted value. Names both tenants when two different ones made them. */
static void report_one(tc_diags *d, const tc_k8s_dupe *first, const tc_k8s_dupe *e, bool secret)
{
	const char *group = e->key;
	const char *kind = group + strlen(group) + 1;
	const char *ns = kind + strlen(kind) + 1;
	const char *name = ns + strlen(ns) + 1;
	/* the position's file must outlive the diagnostic: the diagnostic
	 * copies what it prints, so the entry's own copy is enough */
	tc_pos pos = {dupe_file(e)[0] ? dupe_file(e) : NULL, e->line, e->col};
	const char *ffile = dupe_file(first)[0] ? dupe_file(first) : "-";
	const char *g = group[0] ? group : "core";
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	if (secret)
		tc_buf_adds(&b, "<redacted> (its kind, namespace or name holds a decrypted value)");
	else if (ns[0])
		tc_buf_addf(&b, "%s '%s/%s' (%s)", kind, ns, name, g);
	else
		tc_buf_addf(&b, "%s '%s' (%s)", kind, name, g);
	const char *what = tc_buf_str(&b);
	if (e->tenant && first->tenant && strcmp(e->tenant, first->tenant) != 0)
		tc_finding(d, pos, NULL,
		           "duplicate object: %s of tenant '%s' is also defined for tenant '%s' at "
		           "%s:%u:%u",
		           what, e->tenant, first->tenant, ffile, (unsigned)first->line,
		           (unsigned)first->col);
	else
		tc_finding(d, pos, NULL, "duplicate object: %s is also defined at %s:%u:%u", what,
		           ffile, (unsigned)first->line, (unsigned)first->col);
	tc_buf_release(&b);
}

/* Whether the run items[k..k+n) is one object that its tenants share. */
static bool shareable(const tc_k8s_dupe *run, size_t n)
{
	const char *group = run[0].key, *kind = group + strlen(group) + 1;
	if (group[0] == 0 && strcmp(kind, "Secret") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!run[i].sum || !run[i].tenant || run[i].secret ||
		    memcmp(run[i].sum, run[0].sum, 32) != 0)
			return false;
		for (size_t k = 0; k < i; k++)
			if (strcmp(run[k].tenant, run[i].tenant) == 0)
				return false;
	}
	return true;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t tc_k8s_dupes_share(tc_k8s_dupes *s, tc_k8s_share_fn fn, void *ctx)
{
	if (s->len > 1)
		qsort(s->items, s->len, sizeof *s->items, cmp_dupe);
	size_t runs = 0;
	for (size_t i = 0; i < s->len;) {
		size_t n = 1;
		while (i + n < s->len && same_key(&s->items[i], &s->items[i + n]))
			n++;
		if (n > 1 && shareable(&s->items[i], n)) {
			const char **tenants = tc_xmalloc(n * sizeof *tenants);
			for (size_t k = 0; k < n; k++) {
				s->items[i + k].shared = true;
				tenants[k] = s->items[i + k].tenant;
			}
			qsort(tenants, n, sizeof *tenants, cmp_cstr);
			const char *group = s->items[i].key;
			const char *kind = group + strlen(group) + 1;
			const char *ns = kind + strlen(kind) + 1;
			const char *name = ns + strlen(ns) + 1;
			fn(ctx, group, kind, ns, name, tenants, n);
			free(tenants);
			runs++;
		}
		i += n;
	}
	return runs;
}

size_t tc_k8s_dupes_report(tc_k8s_dupes *s, tc_diags *d, tc_diag_class cls)
{
	if (s->len > 1)
		qsort(s->items, s->len, sizeof *s->items, cmp_dupe);
	size_t found = 0;
	for (size_t i = 1; i < s->len; i++) {
		const tc_k8s_dupe *e = &s->items[i];
		if (!same_key(&s->items[i - 1], e) || e->shared)
			continue;
		/* name the first of the run, not the previous one */
		size_t k = i - 1;
		while (k > 0 && same_key(&s->items[k - 1], e))
			k--;
		/* one member of the run holding a decrypted value names them all */
		bool secret = false;
		for (size_t q = k; q < s->len && same_key(&s->items[q], e) && !secret; q++)
			secret = s->items[q].secret;
		if (e->quiet && s->items[k].quiet)
			continue; /* neither is the render's to report */
		report_one(d, &s->items[k], e, secret);
		if (cls != TC_DIAG_FINDING)
			d->items[d->len - 1].cls = cls;
		found++;
	}
	return found;
}
