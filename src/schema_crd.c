/*
 * schema_crd.c - `tenantc schema import`: CRD YAML to the crd-json layout.
 *
 * Conversion builds new tc_values in the importer's arena (the input is
 * never modified) following the rules listed in schema_crd.h. Output is
 * canonical JSON (json_emit.c, keys in byte order) written next to its
 * final name and renamed over it, so a failed import leaves the old files;
 * the index is rewritten sorted by group, kind and version, so importing
 * the same CRDs twice gives the same bytes.
 */
#include "schema_crd.h"

#include "buf.h"
#include "cel_k8s_crd.h"
#include "fsutil.h"
#include "json_emit.h"
#include "json_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* OpenAPI nesting we follow; CRDs are far shallower (the loader caps input
 * at 256 levels anyway). */
#define MAX_DEPTH 300

static const tc_pos nopos = {NULL, 0, 0};

static bool truthy(const tc_value *v, const char *k)
{
	const tc_value *x = tc_value_getz(v, k);
	return x && x->kind == TC_BOOL && x->u.b;
}

static tc_value *str(tc_arena *a, const char *s)
{
	return tc_value_strz(a, s, nopos);
}

static tc_value *type_schema(tc_arena *a, const char *t)
{
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "type", str(a, t));
	return tc_objb_finish(&b, a, nopos, NULL);
}

/* flags for convert */
enum { IN_BRANCH = 1, NO_CLOSE = 2 };

static tc_value *convert(tc_arena *a, const tc_value *v, int flags, int depth);

static tc_value *convert_list(tc_arena *a, const tc_value *v, int flags, int depth)
{
	if (v->kind != TC_ARRAY)
		return convert(a, v, flags, depth);
	tc_arrb b;
	tc_arrb_init(&b);
	for (size_t i = 0; i < v->u.arr.len; i++)
		tc_arrb_push(&b, convert(a, v->u.arr.items[i], flags, depth + 1));
	return tc_arrb_finish(&b, a, v->pos);
}

static tc_value *convert_map(tc_arena *a, const tc_value *v, int flags, int depth)
{
	if (v->kind != TC_OBJECT)
		return (tc_value *)v;
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		tc_objb_add(&b, m->key, m->klen, m->kpos, convert(a, m->val, flags, depth + 1));
	}
	return tc_objb_finish(&b, a, v->pos, NULL);
}

static tc_value *add_embedded(tc_arena *a, tc_value *props)
{
	tc_objb b;
	tc_objb_init(&b);
	if (props && props->kind == TC_OBJECT)
		for (size_t i = 0; i < props->u.obj.len; i++)
			tc_objb_add(&b, props->u.obj.members[i].key, props->u.obj.members[i].klen,
			            props->u.obj.members[i].kpos, props->u.obj.members[i].val);
	static const char *const names[] = {"apiVersion", "kind", "metadata"};
	static const char *const types[] = {"string", "string", "object"};
	for (int i = 0; i < 3; i++)
		if (!props || !tc_value_getz(props, names[i]))
			tc_objb_addz(&b, names[i], type_schema(a, types[i]));
	return tc_objb_finish(&b, a, props ? props->pos : nopos, NULL);
}

static tc_value *convert(tc_arena *a, const tc_value *v, int flags, int depth)
{
	if (v->kind != TC_OBJECT || depth > MAX_DEPTH)
		return (tc_value *)v;
	bool nullable = truthy(v, "nullable");
	bool preserve = truthy(v, "x-kubernetes-preserve-unknown-fields");
	tc_objb b;
	tc_objb_init(&b);
	tc_value *props = NULL;
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		const char *k = m->key;
		tc_value *nv = m->val;
		if (strcmp(k, "nullable") == 0)
			continue;
		if (strcmp(k, "properties") == 0) {
			props = convert_map(a, m->val, flags & IN_BRANCH, depth);
			continue;
		} else if (strcmp(k, "items") == 0) {
			nv = convert_list(a, m->val, flags & IN_BRANCH, depth);
		} else if (strcmp(k, "additionalProperties") == 0) {
			nv = convert(a, m->val, flags & IN_BRANCH, depth + 1);
		} else if (!strcmp(k, "allOf") || !strcmp(k, "anyOf") || !strcmp(k, "oneOf")) {
			nv = convert_list(a, m->val, IN_BRANCH, depth);
		} else if (strcmp(k, "not") == 0) {
			nv = convert(a, m->val, IN_BRANCH, depth + 1);
		}
		if (nullable && strcmp(k, "type") == 0 && nv->kind == TC_STR) {
			tc_value *items[2] = {nv, str(a, "null")};
			nv = tc_value_array(a, items, 2, nv->pos);
		} else if (nullable && strcmp(k, "enum") == 0 && nv->kind == TC_ARRAY) {
			tc_arrb e;
			tc_arrb_init(&e);
			for (size_t j = 0; j < nv->u.arr.len; j++)
				tc_arrb_push(&e, nv->u.arr.items[j]);
			tc_arrb_push(&e, tc_value_null(a, nopos));
			nv = tc_arrb_finish(&e, a, nv->pos);
		} else if (nullable && strcmp(k, "anyOf") == 0 && nv->kind == TC_ARRAY &&
		           !tc_value_getz(v, "type")) {
			tc_arrb e;
			tc_arrb_init(&e);
			for (size_t j = 0; j < nv->u.arr.len; j++)
				tc_arrb_push(&e, nv->u.arr.items[j]);
			tc_arrb_push(&e, type_schema(a, "null"));
			nv = tc_arrb_finish(&e, a, nv->pos);
		}
		tc_objb_add(&b, m->key, m->klen, m->kpos, nv);
	}
	if (truthy(v, "x-kubernetes-embedded-resource"))
		props = add_embedded(a, props);
	if (props)
		tc_objb_addz(&b, "properties", props);
	if (truthy(v, "x-kubernetes-int-or-string") && !tc_value_getz(v, "anyOf")) {
		tc_value *alts[3] = {type_schema(a, "integer"), type_schema(a, "string"),
		                     type_schema(a, "null")};
		tc_objb_addz(&b, "anyOf", tc_value_array(a, alts, nullable ? 3 : 2, nopos));
	}
	const tc_value *type = tc_value_getz(v, "type");
	bool object = tc_value_streq(type, "object") || props;
	if (object && !preserve && !(flags & (IN_BRANCH | NO_CLOSE)) &&
	    !tc_value_getz(v, "additionalProperties"))
		tc_objb_addz(&b, "additionalProperties", tc_value_bool(a, false, nopos));
	return tc_objb_finish(&b, a, v->pos, NULL);
}

/* the root: like convert, with metadata left open and apiVersion/kind pinned */
tc_value *tc_schema_crd_convert(tc_arena *a, const tc_value *openapi, const char *group,
                                const char *version, const char *kind)
{
	tc_value *root = convert(a, openapi, 0, 0);
	if (root->kind != TC_OBJECT)
		return root;
	/* every object has apiVersion, kind and metadata, whether the CRD
	 * lists them or not (the root is closed, so they must be declared) */
	const tc_value *rp = tc_value_getz(root, "properties");
	if (!rp || !tc_value_getz(rp, "apiVersion") || !tc_value_getz(rp, "kind") ||
	    !tc_value_getz(rp, "metadata")) {
		tc_objb rb;
		tc_objb_init(&rb);
		for (size_t i = 0; i < root->u.obj.len; i++)
			if (strcmp(root->u.obj.members[i].key, "properties") != 0)
				tc_objb_add(&rb, root->u.obj.members[i].key,
				            root->u.obj.members[i].klen,
				            root->u.obj.members[i].kpos,
				            root->u.obj.members[i].val);
		tc_value *np = add_embedded(a, (tc_value *)rp);
		tc_objb_addz(&rb, "properties", np);
		root = tc_objb_finish(&rb, a, root->pos, NULL);
	}
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; i < root->u.obj.len; i++) {
		const tc_member *m = &root->u.obj.members[i];
		if (strcmp(m->key, "properties") != 0 || m->val->kind != TC_OBJECT) {
			tc_objb_add(&b, m->key, m->klen, m->kpos, m->val);
			continue;
		}
		tc_objb pb;
		tc_objb_init(&pb);
		const tc_value *orig = tc_value_getz(openapi, "properties");
		for (size_t k = 0; k < m->val->u.obj.len; k++) {
			const tc_member *p = &m->val->u.obj.members[k];
			tc_value *pv = p->val;
			const char *pin = NULL;
			if (strcmp(p->key, "metadata") == 0 && orig &&
			    tc_value_getz(orig, "metadata")) {
				pv = convert(a, tc_value_getz(orig, "metadata"), NO_CLOSE, 1);
			} else if (strcmp(p->key, "apiVersion") == 0) {
				pin = tc_arena_printf(a, "%s/%s", group, version);
			} else if (strcmp(p->key, "kind") == 0) {
				pin = kind;
			}
			if (pin && pv->kind == TC_OBJECT) {
				tc_objb eb;
				tc_objb_init(&eb);
				for (size_t j = 0; j < pv->u.obj.len; j++)
					if (strcmp(pv->u.obj.members[j].key, "enum") != 0)
						tc_objb_add(&eb, pv->u.obj.members[j].key,
						            pv->u.obj.members[j].klen,
						            pv->u.obj.members[j].kpos,
						            pv->u.obj.members[j].val);
				tc_value *one = str(a, pin);
				tc_objb_addz(&eb, "enum", tc_value_array(a, &one, 1, nopos));
				pv = tc_objb_finish(&eb, a, pv->pos, NULL);
			}
			tc_objb_add(&pb, p->key, p->klen, p->kpos, pv);
		}
		tc_objb_add(&b, m->key, m->klen, m->kpos,
		            tc_objb_finish(&pb, a, m->val->pos, NULL));
	}
	/* the same marker kubectl's OpenAPI documents carry */
	tc_objb g;
	tc_objb_init(&g);
	tc_objb_addz(&g, "group", str(a, group));
	tc_objb_addz(&g, "kind", str(a, kind));
	tc_objb_addz(&g, "version", str(a, version));
	tc_value *gvk = tc_objb_finish(&g, a, nopos, NULL);
	tc_objb_addz(&b, "x-kubernetes-group-version-kind", tc_value_array(a, &gvk, 1, nopos));
	if (!tc_value_getz(root, "$schema"))
		tc_objb_addz(&b, "$schema", str(a, "http://json-schema.org/draft-04/schema#"));
	return tc_objb_finish(&b, a, root->pos, NULL);
}

/* ---- import ---- */

typedef struct outfile {
	char *rel; /* relative to <out>/crd-json */
	tc_value *schema;
} outfile;

struct tc_crd_import {
	tc_arena a;
	char *outdir;
	outfile *files;
	size_t nfiles, capfiles;
	tc_arrb index; /* new index entries */
};

tc_crd_import *tc_crd_import_new(const char *outdir)
{
	tc_crd_import *im = tc_xcalloc(1, sizeof *im);
	tc_arena_init(&im->a);
	im->outdir = tc_arena_strdup(&im->a, outdir);
	tc_arrb_init(&im->index);
	return im;
}

void tc_crd_import_free(tc_crd_import *im)
{
	if (!im)
		return;
	free(im->files);
	tc_arrb_release(&im->index);
	tc_arena_release(&im->a);
	free(im);
}

static const tc_value *sget(const tc_value *v, const char *dotted)
{
	const tc_value *x = tc_value_dig(v, dotted);
	return x && x->kind == TC_STR ? x : NULL;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Compile every x-kubernetes-validations list below v, so that a rule
 * that does not compile is reported against the CRD file at import rather
 * than against the schema at the first object; the number of errors.
 * Inside allOf, anyOf, oneOf and not (nested) a rule is refused, as the
 * API server's structural schema check refuses it (apiextensions-apiserver
 * pkg/apiserver/schema/validation.go, AllowNestedXValidations false). */
static int check_rules(tc_arena *a, const tc_value *v, tc_diags *d, const tc_path *at, bool nested,
                       int depth)
{
	int errors = 0;
	if (depth > MAX_DEPTH)
		return 0;
	if (v->kind == TC_ARRAY)
		for (size_t i = 0; i < v->u.arr.len; i++) {
			tc_path ip = TC_PATH_INDEX(at, i);
			errors += check_rules(a, v->u.arr.items[i], d, &ip, nested, depth + 1);
		}
	if (v->kind != TC_OBJECT)
		return errors;
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		tc_path kp = TC_PATH_KEY(at, m->key, m->klen);
		if (strcmp(m->key, "x-kubernetes-validations") == 0) {
			if (nested) {
				tc_error(d, m->val->pos, &kp,
				         "x-kubernetes-validations must be empty to be structural: "
				         "the API server refuses rules inside allOf, anyOf, oneOf "
				         "and not");
				errors++;
				continue;
			}
			const tc_cel_rules *r;
			errors += tc_cel_rules_compile(&r, a, m->val, d);
		} else if (strcmp(m->key, "properties") == 0 && m->val->kind == TC_OBJECT) {
			for (size_t k = 0; k < m->val->u.obj.len; k++) {
				const tc_member *p = &m->val->u.obj.members[k];
				tc_path pp = TC_PATH_KEY(&kp, p->key, p->klen);
				errors += check_rules(a, p->val, d, &pp, nested, depth + 1);
			}
		} else if (strcmp(m->key, "enum") == 0 || strcmp(m->key, "default") == 0 ||
		           strcmp(m->key, "example") == 0) {
			continue; /* values, not schemas */
		} else {
			bool branch = strcmp(m->key, "allOf") == 0 ||
			              strcmp(m->key, "anyOf") == 0 ||
			              strcmp(m->key, "oneOf") == 0 || strcmp(m->key, "not") == 0;
			errors += check_rules(a, m->val, d, &kp, nested || branch, depth + 1);
		}
	}
	return errors;
}

static int add_crd(tc_crd_import *im, const tc_value *crd, const char *source, tc_diags *d)
{
	tc_arena *a = &im->a;
	const tc_value *group = sget(crd, "spec.group"), *kind = sget(crd, "spec.names.kind");
	const tc_value *plural = sget(crd, "spec.names.plural"), *scope = sget(crd, "spec.scope");
	const tc_value *versions = tc_value_dig(crd, "spec.versions");
	if (!group || !kind || !versions || versions->kind != TC_ARRAY)
		return tc_error(d, crd->pos, NULL,
		                "a CustomResourceDefinition needs spec.group, spec.names.kind and "
		                "spec.versions");
	for (size_t i = 0; i < versions->u.arr.len; i++) {
		const tc_value *ver = versions->u.arr.items[i];
		const tc_value *name = sget(ver, "name");
		const tc_value *schema = tc_value_dig(ver, "schema.openAPIV3Schema");
		if (!name) {
			tc_error(d, ver->pos, NULL, "a CRD version needs a name");
			continue;
		}
		bool served = !tc_value_getz(ver, "served") || truthy(ver, "served");
		char *lkind = tc_arena_strdup(a, kind->u.str.ptr);
		for (char *p = lkind; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		char *rel = NULL;
		tc_path p_spec = TC_PATH_KEY(NULL, "spec", 4);
		tc_path p_vers = TC_PATH_KEY(&p_spec, "versions", 8);
		tc_path p_ver = TC_PATH_INDEX(&p_vers, i);
		tc_path p_sch = TC_PATH_KEY(&p_ver, "schema", 6);
		tc_path p_oa = TC_PATH_KEY(&p_sch, "openAPIV3Schema", 15);
		if (schema && check_rules(a, schema, d, &p_oa, false, 0) > 0)
			continue;
		if (schema && schema->kind == TC_OBJECT &&
		    tc_cel_crd_costs(a, schema, &p_oa, d) > 0)
			continue;
		if (served && schema && schema->kind == TC_OBJECT) {
			rel = tc_arena_printf(a, "%s/%s_%s.json", group->u.str.ptr, lkind,
			                      name->u.str.ptr);
			TC_GROW(im->files, im->capfiles, im->nfiles + 1);
			im->files[im->nfiles++] =
				(outfile){rel,
			                  tc_schema_crd_convert(a, schema, group->u.str.ptr,
			                                        name->u.str.ptr, kind->u.str.ptr)};
		} else if (served) {
			tc_warning(d, ver->pos, NULL, "version '%s' of %s has no openAPIV3Schema",
			           name->u.str.ptr, kind->u.str.ptr);
		}
		tc_objb e;
		tc_objb_init(&e);
		tc_objb_addz(&e, "deprecated", tc_value_bool(a, truthy(ver, "deprecated"), nopos));
		tc_objb_addz(&e, "group", str(a, group->u.str.ptr));
		tc_objb_addz(&e, "kind", str(a, kind->u.str.ptr));
		tc_objb_addz(&e, "plural",
		             plural ? str(a, plural->u.str.ptr) : tc_value_null(a, nopos));
		tc_objb_addz(&e, "schema", rel ? str(a, rel) : tc_value_null(a, nopos));
		tc_objb_addz(&e, "scope", scope ? str(a, scope->u.str.ptr) : str(a, "Namespaced"));
		tc_objb_addz(&e, "served", tc_value_bool(a, served, nopos));
		tc_objb_addz(&e, "source", str(a, basename_of(source)));
		tc_objb_addz(&e, "storage", tc_value_bool(a, truthy(ver, "storage"), nopos));
		tc_objb_addz(&e, "version", str(a, name->u.str.ptr));
		tc_arrb_push(&im->index, tc_objb_finish(&e, a, nopos, NULL));
	}
	return 0;
}

int tc_crd_import_add(tc_crd_import *im, const tc_value *docs, const char *source, tc_diags *d)
{
	int r = 0;
	size_t n = docs->kind == TC_ARRAY ? docs->u.arr.len : 1;
	for (size_t i = 0; i < n; i++) {
		const tc_value *doc = docs->kind == TC_ARRAY ? docs->u.arr.items[i] : docs;
		if (!tc_value_streq(tc_value_getz(doc, "kind"), "CustomResourceDefinition")) {
			r = tc_error(
				d, doc->pos, NULL,
				"not a CustomResourceDefinition (kind 'CustomResourceDefinition' "
				"of apiextensions.k8s.io/v1 expected)");
			continue;
		}
		if (add_crd(im, doc, source, d) < 0)
			r = -1;
	}
	return r;
}

static int entry_cmp(const void *x, const void *y)
{
	const tc_value *a = *(tc_value *const *)x, *b = *(tc_value *const *)y;
	static const char *const keys[] = {"group", "kind", "version"};
	for (int i = 0; i < 3; i++) {
		const tc_value *p = tc_value_getz(a, keys[i]), *q = tc_value_getz(b, keys[i]);
		int c = tc_bytes_cmp(p->u.str.ptr, p->u.str.len, q->u.str.ptr, q->u.str.len);
		if (c)
			return c;
	}
	return 0;
}

static bool same_key(const tc_value *a, const tc_value *b)
{
	return entry_cmp(&a, &b) == 0;
}

static int mkdirs(const char *path, tc_diags *d)
{
	char *p = tc_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			int r = tc_fail(d, TC_NOPOS, NULL, "cannot create folder '%s': %s", p,
			                strerror(errno));
			free(p);
			return r;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static int write_file(const char *path, const tc_value *v, tc_diags *d)
{
	if (mkdirs(path, d) < 0)
		return -1;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_json_emit(&b, v, true);
	int r = 0;
	if (tc_file_write_atomic(path, b.ptr, b.len, 0644, 0) != 0)
		r = tc_fail(d, TC_NOPOS, NULL, "cannot write '%s': %s", path, strerror(errno));
	tc_buf_release(&b);
	return r;
}

long tc_crd_import_finish(tc_crd_import *im, tc_diags *d)
{
	tc_arena *a = &im->a;
	if (tc_diags_has_errors(d))
		return -1;
	char *base = tc_arena_printf(a, "%s/crd-json", im->outdir);
	char *idxpath = tc_arena_printf(a, "%s/index.json", base);
	tc_arrb all;
	tc_arrb_init(&all);
	char *text;
	size_t tlen;
	tc_file_err fe;
	int got = tc_file_read(&text, &tlen, idxpath, 64u * 1024 * 1024, 0, &fe);
	if (got == 0 || fe.why != TC_FILE_OPEN) {
		tc_value *old = NULL;
		if (got != 0 || tc_json_load(&old, a, d, idxpath, text, tlen) < 0 ||
		    old->kind != TC_ARRAY) {
			if (!tc_diags_has_errors(d))
				tc_error(d, (tc_pos){idxpath, 1, 1}, NULL,
				         "the index must be a JSON list");
			if (got == 0)
				free(text);
			tc_arrb_release(&all);
			return -1;
		}
		free(text);
		for (size_t i = 0; i < old->u.arr.len; i++) {
			const tc_value *e = old->u.arr.items[i];
			bool ok = true;
			static const char *const keys[] = {"group", "kind", "version"};
			for (int k = 0; k < 3; k++) {
				const tc_value *x = tc_value_getz(e, keys[k]);
				ok &= x && x->kind == TC_STR;
			}
			bool replaced = false;
			for (size_t k = 0; ok && k < im->index.len && !replaced; k++)
				replaced = same_key(e, im->index.items[k]);
			if (ok && !replaced)
				tc_arrb_push(&all, old->u.arr.items[i]);
		}
	}
	for (size_t i = 0; i < im->index.len; i++) {
		bool dup = false;
		for (size_t k = i + 1; k < im->index.len && !dup; k++)
			dup = same_key(im->index.items[i], im->index.items[k]);
		if (!dup) /* a later CRD of the same kind wins */
			tc_arrb_push(&all, im->index.items[i]);
	}
	if (all.len > 1)
		qsort(all.items, all.len, sizeof *all.items, entry_cmp);
	long written = 0;
	for (size_t i = 0; i < im->nfiles; i++) {
		if (write_file(tc_arena_printf(a, "%s/%s", base, im->files[i].rel),
		               im->files[i].schema, d) < 0) {
			tc_arrb_release(&all);
			return -1;
		}
		written++;
	}
	int r = write_file(idxpath, tc_arrb_finish(&all, a, nopos), d);
	return r < 0 ? -1 : written;
}
