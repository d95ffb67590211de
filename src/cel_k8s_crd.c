/*
 * cel_k8s_crd.c - x-kubernetes-validations (apiextensions.k8s.io/v1
 * ValidationRule: rule, message, messageExpression, reason, fieldPath,
 * optionalOldSelf), compiled with the schema and evaluated by the schema
 * checker at the node the rules belong to.
 *
 * The messages follow the API server's (apiextensions-apiserver
 * pkg/apiserver/schema/cel/validation.go): the reason's words
 * (FieldValueInvalid "Invalid value", FieldValueForbidden "Forbidden",
 * FieldValueRequired "Required value", FieldValueDuplicate "Duplicate
 * value"), then the message, the messageExpression's result, or "failed
 * rule: RULE".
 */
#include "cel_k8s_crd.h"

#include "base64.h"
#include "buf.h"
#include "cel_check.h"
#include "cel_k8s.h"
#include "cel_lib.h"
#include "schema_node.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct fp_seg {
	const char *key;
	size_t klen;
} fp_seg;

typedef struct rule {
	const tc_value *src; /* the rule string: its position in the schema file */
	const char *text;
	tc_cel_expr *expr;
	tc_cel_expr *msg_expr; /* messageExpression, or NULL */
	const char *message;   /* or NULL */
	const char *reason;    /* the words of the reason */
	fp_seg *fp;            /* fieldPath, relative to the node */
	size_t nfp;
	bool transition; /* refers to oldSelf */
} rule;

struct tc_cel_rules {
	rule *r;
	size_t n;
};

static bool uses_old_self(const tc_cel_expr *e)
{
	if (!e)
		return false;
	if (e->op == TC_CEL_E_IDENT && strcmp(e->name, "oldSelf") == 0)
		return true;
	if (uses_old_self(e->recv))
		return true;
	for (size_t i = 0; i < e->nargs; i++)
		if (uses_old_self(e->args[i]))
			return true;
	return false;
}

static tc_cel_expr *compile_expr(tc_arena *a, const tc_value *s, const char *what, tc_diags *d,
                                 int *errors)
{
	tc_diags pd;
	tc_diags_init(&pd);
	tc_cel_expr *e = NULL;
	if (tc_cel_parse(&e, a, &pd, "<rule>", s->u.str.ptr, s->u.str.len) != 0) {
		tc_error(d, s->pos, NULL,
		         "x-kubernetes-validations %s does not compile: column %u: %s", what,
		         pd.len ? pd.items[0].col : 0, pd.len ? pd.items[0].msg : "");
		(*errors)++;
		e = NULL;
	}
	tc_diags_release(&pd);
	return e;
}

static bool ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '$';
}

/* fieldPath: .name and ['name'] steps (validateFieldPath); false when it
 * does not parse */
static bool parse_field_path(tc_arena *a, const char *s, size_t n, rule *r)
{
	size_t cap = 4;
	r->fp = tc_arena_alloc(a, cap * sizeof *r->fp);
	r->nfp = 0;
	size_t i = 0;
	if (n == 0)
		return false;
	while (i < n) {
		const char *k;
		size_t kl;
		if (s[i] == '.') {
			size_t st = ++i;
			if (i >= n || !ident_start(s[i]))
				return false;
			while (i < n &&
			       (ident_start(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
				i++;
			k = s + st;
			kl = i - st;
		} else if (s[i] == '[' && i + 1 < n && s[i + 1] == '\'') {
			size_t st = i + 2;
			const char *q = memchr(s + st, '\'', n - st);
			if (!q || (size_t)(q - s) + 1 >= n || q[1] != ']')
				return false;
			k = s + st;
			kl = (size_t)(q - (s + st));
			i = (size_t)(q - s) + 2;
		} else {
			return false;
		}
		if (r->nfp == cap) {
			fp_seg *b = tc_arena_alloc(a, 2 * cap * sizeof *b);
			memcpy(b, r->fp, cap * sizeof *b);
			r->fp = b;
			cap *= 2;
		}
		r->fp[r->nfp++] = (fp_seg){k, kl};
	}
	return true;
}

static const char *reason_words(const char *reason)
{
	static const char *const map[][2] = {
		{"FieldValueInvalid", "Invalid value"},
		{"FieldValueForbidden", "Forbidden"},
		{"FieldValueRequired", "Required value"},
		{"FieldValueDuplicate", "Duplicate value"},
	};
	for (size_t i = 0; i < 4; i++)
		if (strcmp(reason, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* reason: the words of a FieldValue* reason, "Invalid value" without one */
static bool rule_reason(rule *r, const tc_value *it, tc_diags *d)
{
	const tc_value *rsn = tc_value_getz(it, "reason");
	r->reason = "Invalid value";
	if (!rsn)
		return true;
	const char *w = rsn->kind == TC_STR ? reason_words(rsn->u.str.ptr) : NULL;
	if (!w) {
		tc_error(d, rsn->pos, NULL,
		         "x-kubernetes-validations reason must be one of FieldValueRequired, "
		         "FieldValueForbidden, FieldValueInvalid, FieldValueDuplicate");
		return false;
	}
	r->reason = w;
	return true;
}

static bool rule_field_path(tc_arena *a, rule *r, const tc_value *it, tc_diags *d)
{
	const tc_value *fp = tc_value_getz(it, "fieldPath");
	if (!fp || (fp->kind == TC_STR && parse_field_path(a, fp->u.str.ptr, fp->u.str.len, r)))
		return true;
	tc_error(d, fp->pos, NULL,
	         "x-kubernetes-validations fieldPath is not a valid path (.name and ['name'] "
	         "steps)");
	return false;
}

/* one x-kubernetes-validations entry into *r: false (an error said) when
 * it is not a valid rule */
static bool compile_rule(tc_arena *a, rule *r, const tc_value *it, tc_diags *d, int *errors)
{
	const tc_value *rv = tc_value_getz(it, "rule");
	if (it->kind != TC_OBJECT || !rv || rv->kind != TC_STR) {
		tc_error(d, it->pos, NULL,
		         "an x-kubernetes-validations entry needs a 'rule' string");
		++*errors;
		return false;
	}
	memset(r, 0, sizeof *r);
	r->src = rv;
	r->text = rv->u.str.ptr;
	r->expr = compile_expr(a, rv, "rule", d, errors);
	if (!r->expr)
		return false;
	r->transition = uses_old_self(r->expr);
	const tc_value *m = tc_value_getz(it, "message");
	if (m && m->kind == TC_STR && m->u.str.len)
		r->message = m->u.str.ptr;
	const tc_value *me = tc_value_getz(it, "messageExpression");
	if (me && me->kind == TC_STR) {
		r->msg_expr = compile_expr(a, me, "messageExpression", d, errors);
		if (!r->msg_expr)
			return false;
	}
	if (!rule_reason(r, it, d) || !rule_field_path(a, r, it, d)) {
		++*errors;
		return false;
	}
	return true;
}

int tc_cel_rules_compile(const tc_cel_rules **out, tc_arena *a, const tc_value *list, tc_diags *d)
{
	int errors = 0;
	*out = NULL;
	if (list->kind != TC_ARRAY) {
		tc_error(d, list->pos, NULL, "'x-kubernetes-validations' must be a list");
		return 1;
	}
	tc_cel_rules *rs = tc_arena_alloc(a, sizeof *rs);
	rs->n = 0;
	rs->r = tc_arena_alloc(a, (list->u.arr.len + 1) * sizeof *rs->r);
	for (size_t i = 0; i < list->u.arr.len; i++)
		if (compile_rule(a, &rs->r[rs->n], list->u.arr.items[i], d, &errors))
			rs->n++;
	*out = rs;
	return errors;
}

/* ---- typed values ---- */

static const sc_node *prop_node(const sc_node *n, const char *k, size_t kl)
{
	size_t lo = 0, hi = n->nprops;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = tc_bytes_cmp(n->props[mid].key, n->props[mid].klen, k, kl);
		if (c == 0)
			return n->props[mid].node;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n->addl && !n->addl->boolean ? n->addl : NULL;
}

static tc_cel_val *typed_string(tc_arena *a, const sc_node *n, const tc_value *v)
{
	const char *f = n->format_name, *s = v->u.str.ptr;
	size_t len = v->u.str.len;
	if (strcmp(f, "byte") == 0) {
		unsigned char *buf = tc_arena_alloc(a, len + 1);
		size_t bl;
		if (tc_base64_decode(buf, &bl, len + 1, s, len, TC_BASE64_PAD | TC_BASE64_SKIP_NL))
			return tc_cel_error(a, "Invalid byte formatted string %s", s);
		return tc_cel_bytes(a, (const char *)buf, bl);
	}
	if (strcmp(f, "duration") == 0) {
		int64_t ns;
		if (tc_cel_duration_parse(&ns, s, len))
			return tc_cel_error(a, "Invalid duration %s", s);
		return tc_cel_duration(a, ns);
	}
	if (strcmp(f, "date") == 0 || strcmp(f, "date-time") == 0) {
		int64_t sec;
		int32_t nsec;
		const char *t = f[4] ? s : tc_arena_printf(a, "%sT00:00:00Z", s);
		if (tc_cel_timestamp_parse(&sec, &nsec, t, strlen(t)))
			return tc_cel_error(a, "Invalid %s formatted string %s", f, s);
		return tc_cel_timestamp(a, sec, nsec);
	}
	return tc_cel_string(a, s, len);
}

/* x-kubernetes-list-type set or map (with its list-map-keys) on list l */
static void list_type(tc_arena *a, const sc_node *n, tc_cel_val *l)
{
	const tc_value *src = n->src && n->src->kind == TC_OBJECT ? n->src : NULL;
	const tc_value *t = src ? tc_value_getz(src, "x-kubernetes-list-type") : NULL;
	if (tc_value_streq(t, "set")) {
		l->u.list.ltype = TC_CEL_LIST_SET;
	} else if (tc_value_streq(t, "map")) {
		const tc_value *keys = tc_value_getz(src, "x-kubernetes-list-map-keys");
		if (!keys || keys->kind != TC_ARRAY || !keys->u.arr.len || keys->u.arr.len > 255)
			return;
		const char **names = tc_arena_alloc(a, keys->u.arr.len * sizeof *names);
		for (size_t i = 0; i < keys->u.arr.len; i++) {
			if (keys->u.arr.items[i]->kind != TC_STR)
				return;
			names[i] = keys->u.arr.items[i]->u.str.ptr;
		}
		l->u.list.ltype = TC_CEL_LIST_MAP;
		l->u.list.mkeys = names;
		l->u.list.nmkeys = (uint8_t)keys->u.arr.len;
	}
}

static tc_cel_val *typed_list(tc_arena *a, const sc_node *n, const tc_value *v)
{
	size_t len = v->u.arr.len;
	tc_cel_val **items = tc_arena_alloc(a, (len ? len : 1) * sizeof *items);
	for (size_t i = 0; i < len; i++)
		items[i] = tc_cel_k8s_typed(a, n->items, v->u.arr.items[i]);
	tc_cel_val *l = tc_cel_list(a, items, len);
	list_type(a, n, l);
	return l;
}

/* an object's properties by the names rules spell (escaping.go); a name no
 * rule can spell is absent */
static tc_cel_val *typed_object(tc_arena *a, const sc_node *n, const tc_value *v)
{
	size_t len = v->u.obj.len;
	tc_cel_val *m = tc_cel_from_value(a, v); /* the map's shape */
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		const tc_member *mb = &v->u.obj.members[i];
		tc_cel_val *key = m->u.map.keys[i];
		const char *en = n->nprops ? tc_cel_k8s_escape(a, mb->key, mb->klen) : mb->key;
		if (!en)
			continue;
		if (n->nprops && strlen(en) != mb->klen) {
			key = tc_cel_string(a, en, strlen(en));
			m->u.map.sorted = false; /* renamed: no longer in order */
		}
		m->u.map.keys[k] = key;
		m->u.map.vals[k++] = tc_cel_k8s_typed(a, prop_node(n, mb->key, mb->klen), mb->val);
	}
	m->u.map.len = k;
	return m;
}

tc_cel_val *tc_cel_k8s_typed(tc_arena *a, const sc_node *n, const tc_value *v)
{
	while (n && n->ref && !n->types && !n->nprops && !n->items)
		n = n->ref;
	if (!n || n->boolean)
		return tc_cel_from_value(a, v);
	switch (v->kind) {
	case TC_INT:
		if ((n->types & SC_T_NUM) && !(n->types & SC_T_INT))
			return tc_cel_double(a, (double)v->u.i);
		return tc_cel_int(a, v->u.i);
	case TC_STR:
		if (n->format_name && (n->types & SC_T_STR))
			return typed_string(a, n, v);
		return tc_cel_string(a, v->u.str.ptr, v->u.str.len);
	case TC_ARRAY:
		return typed_list(a, n, v);
	case TC_OBJECT:
		return typed_object(a, n, v);
	default:
		return tc_cel_from_value(a, v);
	}
}

/* ---- evaluation ---- */

__attribute__((format(printf, 5, 6))) static void add(tc_diags *d, tc_diag_class cls, tc_pos pos,
                                                      const tc_path *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(d, TC_SEV_ERROR, cls, pos, at, fmt, ap);
	va_end(ap);
}

/* the value and path fieldPath names below inst; the node's own when a
 * step is absent */
static const tc_value *follow(const rule *r, const tc_value *inst, tc_path *steps,
                              const tc_path *at, const tc_path **out_at)
{
	const tc_value *v = inst;
	const tc_path *p = at;
	for (size_t i = 0; i < r->nfp; i++) {
		steps[i] = TC_PATH_KEY(p, r->fp[i].key, r->fp[i].klen);
		p = &steps[i];
		const tc_member *m = v && v->kind == TC_OBJECT
		                             ? tc_value_member(v, r->fp[i].key, r->fp[i].klen)
		                             : NULL;
		v = m ? m->val : NULL;
	}
	*out_at = p;
	return v ? v : inst;
}

static const char *message_of(tc_arena *a, const rule *r, const tc_cel_env *env)
{
	if (r->msg_expr) {
		tc_cel_val *mv;
		if (tc_cel_eval(&mv, a, env, r->msg_expr, NULL) == 0 && mv->kind == TC_CEL_STRING &&
		    mv->u.s.len && !memchr(mv->u.s.ptr, '\n', mv->u.s.len))
			return mv->u.s.ptr;
	}
	if (r->message)
		return r->message;
	return tc_arena_printf(a, "failed rule: %s", r->text);
}

bool tc_cel_rules_check(const tc_cel_rules *rs, const struct sc_node *n, const tc_value *inst,
                        tc_diags *d, const tc_path *at, tc_diag_class cls)
{
	bool ok = true;
	tc_arena a;
	tc_arena_init(&a);
	tc_cel_var var = {"self", NULL};
	tc_cel_env env;
	bool have_env = false;
	for (size_t i = 0; i < rs->n; i++) {
		const rule *r = &rs->r[i];
		if (r->transition) {
			if (d)
				tc_note(d, r->src->pos, NULL,
				        "x-kubernetes-validations rule '%s' uses oldSelf (a transition "
				        "rule): not evaluated, a render has no previous object",
				        r->text);
			continue;
		}
		if (!have_env) {
			var.val = tc_cel_k8s_typed(&a, n, inst);
			tc_cel_k8s_env_init(&env, &var, 1);
			have_env = true;
		}
		tc_cel_val *res;
		(void)tc_cel_eval(&res, &a, &env, r->expr, NULL);
		if (res->kind == TC_CEL_BOOL && res->u.b)
			continue;
		ok = false;
		if (!d)
			break;
		tc_path *steps = tc_arena_alloc(&a, (r->nfp + 1) * sizeof *steps);
		const tc_path *fat;
		const tc_value *fv = follow(r, inst, steps, at, &fat);
		if (res->kind == TC_CEL_BOOL)
			add(d, cls, fv->pos, fat, "%s: %s", r->reason, message_of(&a, r, &env));
		else if (res->kind == TC_CEL_ERROR)
			add(d, cls, fv->pos, fat,
			    "x-kubernetes-validations rule '%s' could not be evaluated: %s",
			    r->text, res->u.err.ptr);
		else
			add(d, cls, fv->pos, fat,
			    "x-kubernetes-validations rule '%s' gives %s, not a bool", r->text,
			    tc_cel_type_name(res));
	}
	tc_arena_release(&a);
	return ok;
}

/* ---- property names (k8s.io/apiserver/pkg/cel escaping.go Escape) ---- */

static bool reserved(const char *s, size_t n)
{
	static const char *const words[] = {
		"as",       "break",   "const",  "continue", "else", "false", "for",
		"function", "if",      "import", "in",       "let",  "loop",  "namespace",
		"null",     "package", "return", "true",     "var",  "void",  "while",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

const char *tc_cel_k8s_escape(tc_arena *a, const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return NULL;
	if (reserved(s, n))
		return tc_arena_printf(a, "__%.*s__", (int)n, s);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_' && i + 1 < n && s[i + 1] == '_') {
			tc_buf_adds(&b, "__underscores__");
			i++;
		} else if (c == '.') {
			tc_buf_adds(&b, "__dot__");
		} else if (c == '-') {
			tc_buf_adds(&b, "__dash__");
		} else if (c == '/') {
			tc_buf_adds(&b, "__slash__");
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '_') {
			tc_buf_add(&b, &c, 1);
		} else {
			tc_buf_release(&b);
			return NULL;
		}
	}
	char *r = tc_arena_alloc(a, b.len + 1);
	memcpy(r, tc_buf_str(&b), b.len + 1);
	tc_buf_release(&b);
	return r;
}

/* ---- the estimated cost (apiextensions validation) ----
 *
 * The API server refuses a CRD whose rules may cost too much
 * (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/validation
 * validation.go and cel_validation.go, pkg/apiserver/schema/cel
 * compilation.go): each rule's estimated cost (the checker's maximum,
 * with `self` declared by the schema as k8s.io/apiserver pkg/cel/common
 * SchemaDeclType declares it) times the most times the rule can run (the
 * product of the maxItems and maxProperties of the lists and maps above
 * it; when one is unbounded, the request size limit over the smallest
 * serialized value of the node) must stay within
 * TC_CEL_STATIC_COST_LIMIT, a messageExpression's own estimate too, and
 * their sum over the schema within TC_CEL_STATIC_CRD_COST_LIMIT. Sizes
 * nothing bounds are the ones the request size limit allows
 * (celconfig.MaxRequestSizeBytes, 3 MiB). */

#define MAX_REQUEST INT64_C(3145728)
/* schema nesting followed; the loaders cap input at 256 levels */
#define MAX_DEPTH 300
/* apiserver/pkg/cel limits.go */
enum {
	MIN_STRING = 2,
	MIN_BOOL = 4,
	MIN_NUMBER = 1,
	MIN_DURATION = 3,
	DATE_SIZE = 12,
	MIN_DATETIME = 21,
	MAX_DURATION = 32,
	MAX_DATETIME = 32
};

static bool has_type(const tc_value *s, const char *t)
{
	return tc_value_streq(tc_value_getz(s, "type"), t);
}

static bool flag(const tc_value *s, const char *k)
{
	const tc_value *x = tc_value_getz(s, k);
	return x && x->kind == TC_BOOL && x->u.b;
}

/* a non-negative count keyword; -1 when absent */
static int64_t count(const tc_value *s, const char *k)
{
	const tc_value *x = tc_value_getz(s, k);
	if (!x || x->kind != TC_INT)
		return -1;
	return x->u.i < 0 ? 0 : x->u.i;
}

static tc_cel_decl *mkdecl(tc_arena *a, tc_cel_tkind k, int64_t max)
{
	tc_cel_decl *d = tc_arena_calloc(a, sizeof *d);
	d->kind = k;
	d->max_size = max > 0 ? (uint64_t)max : 0;
	return d;
}

static const tc_cel_decl *schema_decl(tc_arena *a, const tc_value *s, bool root, int64_t *minsz,
                                      int depth);

/* the declared properties of an object, with apiVersion, kind and
 * metadata (name, generateName) at a resource's root (WithTypeAndObjectMeta) */
static const tc_cel_decl *object_decl(tc_arena *a, const tc_value *s, bool root, int64_t *minsz,
                                      int depth)
{
	const tc_value *props = tc_value_getz(s, "properties");
	size_t np = props && props->kind == TC_OBJECT ? props->u.obj.len : 0;
	const char **names = tc_arena_alloc(a, (np + 3) * sizeof *names);
	const tc_cel_decl **decls = tc_arena_alloc(a, (np + 3) * sizeof *decls);
	size_t k = 0;
	const tc_value *req = tc_value_getz(s, "required");
	int64_t min = 2; /* {} */
	for (size_t i = 0; i < np; i++) {
		const tc_member *m = &props->u.obj.members[i];
		if (root && (strcmp(m->key, "apiVersion") == 0 || strcmp(m->key, "kind") == 0 ||
		             strcmp(m->key, "metadata") == 0))
			continue;
		int64_t fmin = 1;
		const tc_cel_decl *fd =
			schema_decl(a, m->val, flag(m->val, "x-kubernetes-embedded-resource"),
		                    &fmin, depth + 1);
		if (!fd)
			continue; /* a field of no type is not declared */
		const char *en = tc_cel_k8s_escape(a, m->key, m->klen);
		if (en) {
			names[k] = en;
			decls[k++] = fd;
		}
		bool required = false;
		for (size_t j = 0; req && req->kind == TC_ARRAY && j < req->u.arr.len; j++)
			required |= tc_value_streq(req->u.arr.items[j], m->key);
		if (required && !tc_value_getz(m->val, "default"))
			min += (int64_t)m->klen + fmin + 4;
	}
	if (root) {
		tc_cel_decl *str = mkdecl(a, TC_CEL_TY_STRING, MAX_REQUEST - 2);
		tc_cel_decl *meta = mkdecl(a, TC_CEL_TY_MAP, 0);
		static const char *const mnames[] = {"generateName", "name"};
		const tc_cel_decl **md = tc_arena_alloc(a, 2 * sizeof *md);
		md[0] = md[1] = str;
		meta->field_names = mnames;
		meta->field_decls = md;
		meta->nfields = 2;
		names[k] = "apiVersion";
		decls[k++] = str;
		names[k] = "kind";
		decls[k++] = str;
		names[k] = "metadata";
		decls[k++] = meta;
	}
	tc_cel_decl *d = mkdecl(a, TC_CEL_TY_MAP, 0);
	d->field_names = names;
	d->field_decls = decls;
	d->nfields = k;
	*minsz = min;
	return d;
}

/* type: array, a list of its items' declaration */
static const tc_cel_decl *array_decl(tc_arena *a, const tc_value *s, int64_t *minsz, int depth)
{
	const tc_value *items = tc_value_getz(s, "items");
	int64_t imin;
	const tc_cel_decl *id = schema_decl(a, items, flag(items, "x-kubernetes-embedded-resource"),
	                                    &imin, depth + 1);
	if (!id)
		return NULL;
	int64_t max = count(s, "maxItems");
	tc_cel_decl *d = mkdecl(a, TC_CEL_TY_LIST, max >= 0 ? max : (MAX_REQUEST - 2) / (imin + 1));
	if (max == 0)
		d->max_size = 0;
	d->elem = id;
	*minsz = 2;
	return d;
}

/* type: object with additionalProperties a schema ap: a map of its
 * declaration */
static const tc_cel_decl *map_decl(tc_arena *a, const tc_value *s, const tc_value *ap,
                                   int64_t *minsz, int depth)
{
	int64_t vmin;
	const tc_cel_decl *vd =
		schema_decl(a, ap, flag(ap, "x-kubernetes-embedded-resource"), &vmin, depth + 1);
	if (!vd)
		return NULL;
	int64_t max = count(s, "maxProperties");
	tc_cel_decl *d = mkdecl(a, TC_CEL_TY_MAP, max >= 0 ? max : (MAX_REQUEST - 2) / (vmin + 6));
	d->elem = vd;
	*minsz = 2;
	return d;
}

/* the length of the longest string of a non-empty enum, or -1 */
static int64_t longest_enum(const tc_value *s)
{
	const tc_value *en = tc_value_getz(s, "enum");
	if (!en || en->kind != TC_ARRAY || !en->u.arr.len)
		return -1;
	int64_t longest = 0;
	for (size_t i = 0; i < en->u.arr.len; i++)
		if (en->u.arr.items[i]->kind == TC_STR &&
		    (int64_t)en->u.arr.items[i]->u.str.len > longest)
			longest = (int64_t)en->u.arr.items[i]->u.str.len;
	return longest;
}

/* type: string, by its format: bytes, a duration, a timestamp or a string
 * (its size bounded by maxLength, else by its enum) */
static const tc_cel_decl *string_decl(tc_arena *a, const tc_value *s, int64_t maxlen,
                                      int64_t *minsz)
{
	const tc_value *f = tc_value_getz(s, "format");
	*minsz = MIN_STRING;
	if (tc_value_streq(f, "byte"))
		return mkdecl(a, TC_CEL_TY_BYTES, maxlen >= 0 ? maxlen : MAX_REQUEST - 2);
	if (tc_value_streq(f, "duration")) {
		*minsz = MIN_DURATION;
		return mkdecl(a, TC_CEL_TY_DURATION, MAX_DURATION);
	}
	if (tc_value_streq(f, "date")) {
		*minsz = DATE_SIZE;
		return mkdecl(a, TC_CEL_TY_TIMESTAMP, DATE_SIZE);
	}
	if (tc_value_streq(f, "date-time")) {
		*minsz = MIN_DATETIME;
		return mkdecl(a, TC_CEL_TY_TIMESTAMP, MAX_DATETIME);
	}
	if (maxlen >= 0)
		return mkdecl(a, TC_CEL_TY_STRING, maxlen * 4);
	int64_t longest = longest_enum(s);
	return mkdecl(a, TC_CEL_TY_STRING, longest >= 0 ? longest : MAX_REQUEST - 2);
}

/* type: boolean, number or integer; NULL for none of them */
static const tc_cel_decl *scalar_decl(tc_arena *a, const tc_value *s, int64_t *minsz)
{
	if (has_type(s, "boolean")) {
		*minsz = MIN_BOOL;
		return mkdecl(a, TC_CEL_TY_BOOL, 0);
	}
	if (has_type(s, "number")) {
		*minsz = MIN_NUMBER;
		return mkdecl(a, TC_CEL_TY_DOUBLE, 0);
	}
	if (has_type(s, "integer")) {
		*minsz = MIN_NUMBER;
		return mkdecl(a, TC_CEL_TY_INT, 0);
	}
	return NULL;
}

/* The declaration of a value of schema s (SchemaDeclType), NULL for a
 * node without a type; *minsz the smallest JSON it serializes to. */
static const tc_cel_decl *schema_decl(tc_arena *a, const tc_value *s, bool root, int64_t *minsz,
                                      int depth)
{
	*minsz = 1;
	if (!s || s->kind != TC_OBJECT || depth > MAX_DEPTH)
		return NULL;
	int64_t maxlen = count(s, "maxLength");
	if (flag(s, "x-kubernetes-int-or-string"))
		return mkdecl(a, TC_CEL_TY_DYN, maxlen >= 0 ? maxlen * 4 : MAX_REQUEST - 2);
	if (has_type(s, "array"))
		return array_decl(a, s, minsz, depth);
	if (has_type(s, "object") || root) {
		const tc_value *ap = tc_value_getz(s, "additionalProperties");
		if (ap && ap->kind == TC_OBJECT)
			return map_decl(a, s, ap, minsz, depth);
		if (ap)
			return NULL;
		return object_decl(a, s, root, minsz, depth);
	}
	if (has_type(s, "string"))
		return string_decl(a, s, maxlen, minsz);
	return scalar_decl(a, s, minsz);
}

static uint64_t mulsat(uint64_t x, uint64_t y)
{
	if (x == 0 || y == 0)
		return 0;
	return x > TC_CEL_UNBOUNDED / y ? TC_CEL_UNBOUNDED : x * y;
}

typedef struct expensive {
	const tc_value *src;
	const tc_path *at;
	uint64_t cost;
} expensive;

typedef struct costs {
	tc_arena *a;
	tc_diags *d;
	uint64_t total;
	expensive top[4]; /* the most expensive, each at least 1% of the CRD limit */
	size_t ntop;
	int errors;
} costs;

/* getCostErrorMessage */
static const char *over_budget(tc_arena *a, const char *what, uint64_t cost, uint64_t limit)
{
	double f = (double)cost / (double)limit;
	const char *factor = f > 100.0 ? "more than 100x"
	                     : f < 1.5 ? tc_arena_printf(a, "%fx", f)
	                               : tc_arena_printf(a, "%.1fx", f);
	return tc_arena_printf(a,
	                       "%s exceeds budget by factor of %s (try simplifying the rule, or "
	                       "adding maxItems, maxProperties, and maxLength where arrays, maps, "
	                       "and strings are declared)",
	                       what, factor);
}

static void observe(costs *c, const tc_value *src, const tc_path *at, uint64_t cost)
{
	c->total = c->total > TC_CEL_UNBOUNDED - cost ? TC_CEL_UNBOUNDED : c->total + cost;
	if (cost < TC_CEL_STATIC_CRD_COST_LIMIT / 100)
		return;
	size_t i = c->ntop < 4 ? c->ntop++ : 4;
	if (i == 4) {
		if (cost <= c->top[3].cost)
			return;
		i = 3;
	}
	/* the path outlives the walk's stack: copy it */
	tc_path *p = NULL, **link = &p;
	for (const tc_path *q = at; q; q = q->up) {
		tc_path *n = tc_arena_alloc(c->a, sizeof *n);
		*n = *q;
		*link = n;
		link = (tc_path **)&n->up;
	}
	c->top[i] = (expensive){src, p, cost};
	for (; i > 0 && c->top[i].cost > c->top[i - 1].cost; i--) {
		expensive t = c->top[i];
		c->top[i] = c->top[i - 1];
		c->top[i - 1] = t;
	}
}

/* the estimate of expression text s with self (and oldSelf) declared as d */
static uint64_t estimate(tc_arena *a, const tc_value *s, const tc_cel_decl *d)
{
	tc_diags pd;
	tc_diags_init(&pd);
	tc_cel_expr *e = NULL;
	uint64_t r = 0;
	if (tc_cel_parse(&e, a, &pd, "<rule>", s->u.str.ptr, s->u.str.len) == 0) {
		tc_cel_check_var vars[2] = {{"oldSelf", d}, {"self", d}};
		tc_cel_env k8s;
		tc_cel_k8s_env_init(&k8s, NULL, 0);
		tc_cel_check_env env = {.vars = vars, .nvars = 2, .any_var = true, .runtime = &k8s};
		tc_cel_check_result cr;
		tc_cel_check(&cr, a, e, &env);
		r = cr.cost_max;
	}
	tc_diags_release(&pd);
	return r;
}

static void rules_cost(costs *c, const tc_value *s, const tc_value *list, uint64_t card, bool root,
                       const tc_path *at)
{
	int64_t minsz;
	const tc_cel_decl *d =
		schema_decl(c->a, s, root || flag(s, "x-kubernetes-embedded-resource"), &minsz, 0);
	if (card == TC_CEL_UNBOUNDED) /* compilation.go maxCardinality */
		card = (uint64_t)(MAX_REQUEST / (minsz + 1));
	tc_path lp = TC_PATH_KEY(at, "x-kubernetes-validations", 24);
	for (size_t i = 0; i < list->u.arr.len; i++) {
		const tc_value *it = list->u.arr.items[i];
		const tc_value *rv = tc_value_getz(it, "rule");
		tc_path ip = TC_PATH_INDEX(&lp, i);
		if (!rv || rv->kind != TC_STR)
			continue;
		tc_path rp = TC_PATH_KEY(&ip, "rule", 4);
		uint64_t cost = mulsat(estimate(c->a, rv, d), card);
		if (cost > TC_CEL_STATIC_COST_LIMIT) {
			tc_error(c->d, rv->pos, &rp, "%s",
			         over_budget(c->a, "estimated rule cost", cost,
			                     TC_CEL_STATIC_COST_LIMIT));
			c->errors++;
		}
		observe(c, rv, &rp, cost);
		const tc_value *me = tc_value_getz(it, "messageExpression");
		if (!me || me->kind != TC_STR)
			continue;
		tc_path mp = TC_PATH_KEY(&ip, "messageExpression", 17);
		uint64_t mcost = estimate(c->a, me, d);
		if (mcost > TC_CEL_STATIC_COST_LIMIT) {
			tc_error(c->d, me->pos, &mp, "%s",
			         over_budget(c->a, "estimated messageExpression cost", mcost,
			                     TC_CEL_STATIC_COST_LIMIT));
			c->errors++;
		}
		observe(c, me, &mp, mcost);
	}
}

/* how many times a child of s can occur for one s (extractMaxElements) */
static uint64_t fanout(const tc_value *s)
{
	if (has_type(s, "object") && tc_value_getz(s, "additionalProperties")) {
		int64_t m = count(s, "maxProperties");
		return m < 0 ? TC_CEL_UNBOUNDED : (uint64_t)m;
	}
	if (has_type(s, "array")) {
		int64_t m = count(s, "maxItems");
		return m < 0 ? TC_CEL_UNBOUNDED : (uint64_t)m;
	}
	return 1;
}

static void walk_costs(costs *c, const tc_value *s, uint64_t card, const tc_path *at, int depth)
{
	if (!s || s->kind != TC_OBJECT || depth > MAX_DEPTH)
		return;
	const tc_value *list = tc_value_getz(s, "x-kubernetes-validations");
	if (list && list->kind == TC_ARRAY)
		rules_cost(c, s, list, card, depth == 0, at);
	uint64_t f = fanout(s);
	uint64_t cc = card == TC_CEL_UNBOUNDED || f == TC_CEL_UNBOUNDED ? TC_CEL_UNBOUNDED
	                                                                : mulsat(card, f);
	const tc_value *props = tc_value_getz(s, "properties");
	tc_path pp = TC_PATH_KEY(at, "properties", 10);
	for (size_t i = 0; props && props->kind == TC_OBJECT && i < props->u.obj.len; i++) {
		const tc_member *m = &props->u.obj.members[i];
		tc_path kp = TC_PATH_KEY(&pp, m->key, m->klen);
		walk_costs(c, m->val, cc, &kp, depth + 1);
	}
	tc_path ip = TC_PATH_KEY(at, "items", 5);
	walk_costs(c, tc_value_getz(s, "items"), cc, &ip, depth + 1);
	tc_path ap = TC_PATH_KEY(at, "additionalProperties", 20);
	walk_costs(c, tc_value_getz(s, "additionalProperties"), cc, &ap, depth + 1);
}

int tc_cel_crd_costs(tc_arena *a, const tc_value *schema, const tc_path *at, tc_diags *d)
{
	costs c = {.a = a, .d = d};
	walk_costs(&c, schema, 1, at, 0);
	if (c.total > TC_CEL_STATIC_CRD_COST_LIMIT) {
		for (size_t i = 0; i < c.ntop; i++)
			tc_note(d, c.top[i].src->pos, c.top[i].at,
			        "contributed to estimated rule cost total exceeding cost limit for "
			        "entire OpenAPIv3 schema");
		tc_error(d, schema->pos, at, "%s",
		         over_budget(a,
		                     "x-kubernetes-validations estimated rule cost total for "
		                     "entire OpenAPIv3 schema",
		                     c.total, TC_CEL_STATIC_CRD_COST_LIMIT));
		c.errors++;
	}
	return c.errors;
}
