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
	for (size_t i = 0; i < list->u.arr.len; i++) {
		const tc_value *it = list->u.arr.items[i];
		const tc_value *rv = tc_value_getz(it, "rule");
		if (it->kind != TC_OBJECT || !rv || rv->kind != TC_STR) {
			tc_error(d, it->pos, NULL,
			         "an x-kubernetes-validations entry needs a 'rule' string");
			errors++;
			continue;
		}
		rule *r = &rs->r[rs->n];
		memset(r, 0, sizeof *r);
		r->src = rv;
		r->text = rv->u.str.ptr;
		r->expr = compile_expr(a, rv, "rule", d, &errors);
		if (!r->expr)
			continue;
		r->transition = uses_old_self(r->expr);
		const tc_value *m = tc_value_getz(it, "message");
		if (m && m->kind == TC_STR && m->u.str.len)
			r->message = m->u.str.ptr;
		const tc_value *me = tc_value_getz(it, "messageExpression");
		if (me && me->kind == TC_STR) {
			r->msg_expr = compile_expr(a, me, "messageExpression", d, &errors);
			if (!r->msg_expr)
				continue;
		}
		const tc_value *rsn = tc_value_getz(it, "reason");
		r->reason = "Invalid value";
		if (rsn) {
			const char *w = rsn->kind == TC_STR ? reason_words(rsn->u.str.ptr) : NULL;
			if (!w) {
				tc_error(
					d, rsn->pos, NULL,
					"x-kubernetes-validations reason must be one of "
					"FieldValueRequired, FieldValueForbidden, FieldValueInvalid, "
					"FieldValueDuplicate");
				errors++;
				continue;
			}
			r->reason = w;
		}
		const tc_value *fp = tc_value_getz(it, "fieldPath");
		if (fp) {
			if (fp->kind != TC_STR ||
			    !parse_field_path(a, fp->u.str.ptr, fp->u.str.len, r)) {
				tc_error(d, fp->pos, NULL,
				         "x-kubernetes-validations fieldPath is not a valid path "
				         "(.name and ['name'] steps)");
				errors++;
				continue;
			}
		}
		rs->n++;
	}
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
	case TC_ARRAY: {
		size_t len = v->u.arr.len;
		tc_cel_val **items = tc_arena_alloc(a, (len ? len : 1) * sizeof *items);
		for (size_t i = 0; i < len; i++)
			items[i] = tc_cel_k8s_typed(a, n->items, v->u.arr.items[i]);
		return tc_cel_list(a, items, len);
	}
	case TC_OBJECT: {
		size_t len = v->u.obj.len;
		tc_cel_val *m = tc_cel_from_value(a, v); /* the map's shape */
		for (size_t i = 0; i < len; i++) {
			const tc_member *mb = &v->u.obj.members[i];
			m->u.map.vals[i] =
				tc_cel_k8s_typed(a, prop_node(n, mb->key, mb->klen), mb->val);
		}
		return m;
	}
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
