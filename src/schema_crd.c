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

static tc_value *convert(tc_arena *a, const tc_value *v, int flags, int depth);

/* The value of a member converted by its keyword: the subschemas recurse. */
static tc_value *convert_keyword(tc_arena *a, const tc_member *m, int flags, int depth)
{
	const char *k = m->key;
	if (strcmp(k, "items") == 0)
		return convert_list(a, m->val, flags & IN_BRANCH, depth);
	if (strcmp(k, "additionalProperties") == 0)
		return convert(a, m->val, flags & IN_BRANCH, depth + 1);
	if (!strcmp(k, "allOf") || !strcmp(k, "anyOf") || !strcmp(k, "oneOf"))
		return convert_list(a, m->val, IN_BRANCH, depth);
	if (strcmp(k, "not") == 0)
		return convert(a, m->val, IN_BRANCH, depth + 1);
	return m->val;
}

/* A copy of the array arr with x at its end. */
static tc_value *append(tc_arena *a, const tc_value *arr, tc_value *x)
{
	tc_arrb e;
	tc_arrb_init(&e);
	for (size_t j = 0; j < arr->u.arr.len; j++)
		tc_arrb_push(&e, arr->u.arr.items[j]);
	tc_arrb_push(&e, x);
	return tc_arrb_finish(&e, a, arr->pos);
}

/* nullable: true of schema v, said in JSON Schema: null joins its type, enum or anyOf. */
static tc_value *admit_null(tc_arena *a, const tc_value *v, const char *k, tc_value *nv)
{
	if (strcmp(k, "type") == 0 && nv->kind == TC_STR) {
		tc_value *items[2] = {nv, str(a, "null")};
		return tc_value_array(a, items, 2, nv->pos);
	}
	if (strcmp(k, "enum") == 0 && nv->kind == TC_ARRAY)
		return append(a, nv, tc_value_null(a, nopos));
	if (strcmp(k, "anyOf") == 0 && nv->kind == TC_ARRAY && !tc_value_getz(v, "type"))
		return append(a, nv, type_schema(a, "null"));
	return nv;
}

/* What the Kubernetes extensions of v imply: embedded objects' fields, int-or-string,
 * and a closed object where nothing keeps it open. */
static void add_implied(tc_objb *b, tc_arena *a, const tc_value *v, tc_value *props, int flags)
{
	bool nullable = truthy(v, "nullable");
	if (truthy(v, "x-kubernetes-embedded-resource"))
		props = add_embedded(a, props);
	if (props)
		tc_objb_addz(b, "properties", props);
	if (truthy(v, "x-kubernetes-int-or-string") && !tc_value_getz(v, "anyOf")) {
		tc_value *alts[3] = {type_schema(a, "integer"), type_schema(a, "string"),
		                     type_schema(a, "null")};
		tc_objb_addz(b, "anyOf", tc_value_array(a, alts, nullable ? 3 : 2, nopos));
	}
	const tc_value *type = tc_value_getz(v, "type");
	bool object = tc_value_streq(type, "object") || props;
	bool preserve = truthy(v, "x-kubernetes-preserve-unknown-fields");
	if (object && !preserve && !(flags & (IN_BRANCH | NO_CLOSE)) &&
	    !tc_value_getz(v, "additionalProperties"))
		tc_objb_addz(b, "additionalProperties", tc_value_bool(a, false, nopos));
}

static tc_value *convert(tc_arena *a, const tc_value *v, int flags, int depth)
{
	if (v->kind != TC_OBJECT || depth > MAX_DEPTH)
		return (tc_value *)v;
	bool nullable = truthy(v, "nullable");
	tc_objb b;
	tc_objb_init(&b);
	tc_value *props = NULL;
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		if (strcmp(m->key, "nullable") == 0)
			continue;
		if (strcmp(m->key, "properties") == 0) {
			props = convert_map(a, m->val, flags & IN_BRANCH, depth);
			continue;
		}
		tc_value *nv = convert_keyword(a, m, flags, depth);
		if (nullable)
			nv = admit_null(a, v, m->key, nv);
		tc_objb_add(&b, m->key, m->klen, m->kpos, nv);
	}
	add_implied(&b, a, v, props, flags);
	return tc_objb_finish(&b, a, v->pos, NULL);
}

/* Add the members of object v but the one named skip. */
static void add_except(tc_objb *b, const tc_value *v, const char *skip)
{
	for (size_t i = 0; i < v->u.obj.len; i++)
		if (strcmp(v->u.obj.members[i].key, skip) != 0)
			tc_objb_add(b, v->u.obj.members[i].key, v->u.obj.members[i].klen,
			            v->u.obj.members[i].kpos, v->u.obj.members[i].val);
}

/* Schema pv with its enum replaced by the one value pin. */
static tc_value *pin_enum(tc_arena *a, tc_value *pv, const char *pin)
{
	tc_objb eb;
	tc_objb_init(&eb);
	add_except(&eb, pv, "enum");
	tc_value *one = str(a, pin);
	tc_objb_addz(&eb, "enum", tc_value_array(a, &one, 1, nopos));
	return tc_objb_finish(&eb, a, pv->pos, NULL);
}

/* The root's properties: metadata as the CRD wrote it (left open), apiVersion and kind
 * pinned to this group, version and kind. */
static tc_value *pin_root_properties(tc_arena *a, const tc_value *props, const tc_value *openapi,
                                     const char *group, const char *version, const char *kind)
{
	const tc_value *orig = tc_value_getz(openapi, "properties");
	const tc_value *meta = orig ? tc_value_getz(orig, "metadata") : NULL;
	tc_objb pb;
	tc_objb_init(&pb);
	for (size_t k = 0; k < props->u.obj.len; k++) {
		const tc_member *p = &props->u.obj.members[k];
		tc_value *pv = p->val;
		const char *pin = NULL;
		if (strcmp(p->key, "metadata") == 0 && meta)
			pv = convert(a, meta, NO_CLOSE, 1);
		else if (strcmp(p->key, "apiVersion") == 0)
			pin = tc_arena_printf(a, "%s/%s", group, version);
		else if (strcmp(p->key, "kind") == 0)
			pin = kind;
		if (pin && pv->kind == TC_OBJECT)
			pv = pin_enum(a, pv, pin);
		tc_objb_add(&pb, p->key, p->klen, p->kpos, pv);
	}
	return tc_objb_finish(&pb, a, props->pos, NULL);
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
		add_except(&rb, root, "properties");
		tc_value *np = add_embedded(a, (tc_value *)rp);
		tc_objb_addz(&rb, "properties", np);
		root = tc_objb_finish(&rb, a, root->pos, NULL);
	}
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; i < root->u.obj.len; i++) {
		const tc_member *m = &root->u.obj.members[i];
		tc_value *mv = m->val;
		if (strcmp(m->key, "properties") == 0 && mv->kind == TC_OBJECT)
			mv = pin_root_properties(a, mv, openapi, group, version, kind);
		tc_objb_add(&b, m->key, m->klen, m->kpos, mv);
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

typedef struct {
	const tc_value *group, *kind, *plural, *scope;
	const char *source;
} crd_names;

/* The index entry of one version of a CRD; rel is its schema file or NULL. */
static tc_value *index_entry(tc_arena *a, const crd_names *c, const tc_value *ver, const char *name,
                             bool served, const char *rel)
{
	tc_objb e;
	tc_objb_init(&e);
	tc_objb_addz(&e, "deprecated", tc_value_bool(a, truthy(ver, "deprecated"), nopos));
	tc_objb_addz(&e, "group", str(a, c->group->u.str.ptr));
	tc_objb_addz(&e, "kind", str(a, c->kind->u.str.ptr));
	tc_objb_addz(&e, "plural",
	             c->plural ? str(a, c->plural->u.str.ptr) : tc_value_null(a, nopos));
	tc_objb_addz(&e, "schema", rel ? str(a, rel) : tc_value_null(a, nopos));
	tc_objb_addz(&e, "scope", c->scope ? str(a, c->scope->u.str.ptr) : str(a, "Namespaced"));
	tc_objb_addz(&e, "served", tc_value_bool(a, served, nopos));
	tc_objb_addz(&e, "source", str(a, basename_of(c->source)));
	tc_objb_addz(&e, "storage", tc_value_bool(a, truthy(ver, "storage"), nopos));
	tc_objb_addz(&e, "version", str(a, name));
	return tc_objb_finish(&e, a, nopos, NULL);
}

/* spec.versions[i]: its rules and costs checked, its schema converted, its index entry. */
static void add_version(tc_crd_import *im, const crd_names *c, const tc_value *ver, size_t i,
                        tc_diags *d)
{
	tc_arena *a = &im->a;
	const tc_value *name = sget(ver, "name");
	const tc_value *schema = tc_value_dig(ver, "schema.openAPIV3Schema");
	if (!name) {
		tc_error(d, ver->pos, NULL, "a CRD version needs a name");
		return;
	}
	bool served = !tc_value_getz(ver, "served") || truthy(ver, "served");
	char *lkind = tc_arena_strdup(a, c->kind->u.str.ptr);
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
		return;
	if (schema && schema->kind == TC_OBJECT && tc_cel_crd_costs(a, schema, &p_oa, d) > 0)
		return;
	const char *group = c->group->u.str.ptr, *kind = c->kind->u.str.ptr;
	if (served && schema && schema->kind == TC_OBJECT) {
		rel = tc_arena_printf(a, "%s/%s_%s.json", group, lkind, name->u.str.ptr);
		TC_GROW(im->files, im->capfiles, im->nfiles + 1);
		im->files[im->nfiles++] =
			(outfile){rel,
		                  tc_schema_crd_convert(a, schema, group, name->u.str.ptr, kind)};
	} else if (served) {
		tc_warning(d, ver->pos, NULL, "version '%s' of %s has no openAPIV3Schema",
		           name->u.str.ptr, kind);
	}
	tc_arrb_push(&im->index, index_entry(a, c, ver, name->u.str.ptr, served, rel));
}

static int add_crd(tc_crd_import *im, const tc_value *crd, const char *source, tc_diags *d)
{
	crd_names c = {sget(crd, "spec.group"), sget(crd, "spec.names.kind"),
	               sget(crd, "spec.names.plural"), sget(crd, "spec.scope"), source};
	const tc_value *versions = tc_value_dig(crd, "spec.versions");
	if (!c.group || !c.kind || !versions || versions->kind != TC_ARRAY)
		return tc_error(d, crd->pos, NULL,
		                "a CustomResourceDefinition needs spec.group, spec.names.kind and "
		                "spec.versions");
	for (size_t i = 0; i < versions->u.arr.len; i++)
		add_version(im, &c, versions->u.arr.items[i], i, d);
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

/* Does index entry e name group, kind and version as strings? */
static bool entry_keyed(const tc_value *e)
{
	static const char *const keys[] = {"group", "kind", "version"};
	for (int k = 0; k < 3; k++) {
		const tc_value *x = tc_value_getz(e, keys[k]);
		if (!x || x->kind != TC_STR)
			return false;
	}
	return true;
}

static bool in_index(const tc_crd_import *im, const tc_value *e)
{
	for (size_t k = 0; k < im->index.len; k++)
		if (same_key(e, im->index.items[k]))
			return true;
	return false;
}

/* The entries of the index already at idxpath that this import does not replace, into
 * all; no index there is an empty one. */
static int keep_old_entries(tc_arrb *all, tc_crd_import *im, const char *idxpath, tc_diags *d)
{
	char *text;
	size_t tlen;
	tc_file_err fe;
	int got = tc_file_read(&text, &tlen, idxpath, 64u * 1024 * 1024, 0, &fe);
	if (got != 0 && fe.why == TC_FILE_OPEN)
		return 0;
	tc_value *old = NULL;
	if (got != 0 || tc_json_load(&old, &im->a, d, idxpath, text, tlen) < 0 ||
	    old->kind != TC_ARRAY) {
		if (!tc_diags_has_errors(d))
			tc_error(d, (tc_pos){idxpath, 1, 1}, NULL, "the index must be a JSON list");
		if (got == 0)
			free(text);
		return -1;
	}
	free(text);
	for (size_t i = 0; i < old->u.arr.len; i++) {
		const tc_value *e = old->u.arr.items[i];
		if (entry_keyed(e) && !in_index(im, e))
			tc_arrb_push(all, old->u.arr.items[i]);
	}
	return 0;
}

/* This import's entries into all; a later CRD of the same kind wins. */
static void add_new_entries(tc_arrb *all, const tc_crd_import *im)
{
	for (size_t i = 0; i < im->index.len; i++) {
		bool dup = false;
		for (size_t k = i + 1; k < im->index.len && !dup; k++)
			dup = same_key(im->index.items[i], im->index.items[k]);
		if (!dup)
			tc_arrb_push(all, im->index.items[i]);
	}
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
	if (keep_old_entries(&all, im, idxpath, d) < 0) {
		tc_arrb_release(&all);
		return -1;
	}
	add_new_entries(&all, im);
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
