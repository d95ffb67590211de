/*
 * schema_check.c - the validator: walks an instance and a compiled schema
 * together and reports every violation.
 *
 * Two modes share one walk. Loud (ctx.d set) reports every violation and
 * keeps going; quiet (ctx.d NULL) stops at the first one and is used for
 * the branches of anyOf, oneOf, not, if and contains, whose failures are
 * not errors by themselves. When all alternatives fail, the one branch
 * that accepts the instance's type (if there is exactly one) is evaluated
 * again loudly, so "expected integer" is not buried under "does not match
 * any alternative".
 *
 * unevaluatedProperties/Items need to know which members and items the
 * other keywords of the node and its in-place subschemas evaluated
 * successfully: a node that has one of them gets a byte per member (or
 * item) that evaluating keywords mark; in-place applicators that may fail
 * without failing the node (anyOf, oneOf, if) mark a private copy and
 * merge it only when they succeed. Nodes without these keywords pass no
 * marks, so the common case costs nothing.
 *
 * The dynamic scope for $dynamicRef is a stack of schema resources,
 * pushed when evaluation enters a node of another resource. Depth is
 * bounded by MAX_DEPTH nested evaluations, which catches reference cycles
 * that never reach a smaller instance.
 */
#include "schema_check.h"

#include "cel_k8s_crd.h"

#include "schema_format.h"
#include "schema_node.h"
#include "schema_regex.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Nested evaluations: the instance is at most 256 deep (the loaders'
 * limit), references add the rest. Each level costs a few hundred bytes
 * of stack. */
#define MAX_DEPTH 1024
/* Diagnostics per call: beyond this the document is hopeless and more
 * lines help nobody. */
#define MAX_ERRORS 200
/* Values in messages are cut to this many bytes. */
#define SHOW_MAX 60
/* Alternatives listed in an enum message. */
#define ENUM_SHOW 8

typedef struct ctx {
	const tc_schema *s;
	tc_diags *d; /* NULL: quiet */
	tc_diag_class cls;
	tc_regex_scratch rx;
	size_t depth, nerr;
	bool deep_reported;
	size_t nscope;
	const sc_resource *scope[MAX_DEPTH];
} ctx;

static bool eval(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at, uint8_t *marks);
static bool eval_keywords(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                          uint8_t *marks);

__attribute__((format(printf, 4, 5))) static bool fail(ctx *c, tc_pos pos, const tc_path *at,
                                                       const char *fmt, ...)
{
	if (!c->d)
		return false;
	if (c->nerr++ >= MAX_ERRORS)
		return false;
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(c->d, TC_SEV_ERROR, c->cls, pos, at, fmt, ap);
	va_end(ap);
	return false;
}

/* Records a failed step in *ok. False when evaluation stops there: quietly
 * (no diagnostics wanted), the first failure decides. */
static bool step_ok(ctx *c, bool *ok, bool r)
{
	if (!r)
		*ok = false;
	return r || c->d;
}

/* ---- describing values in messages ---- */

static void show_num(tc_buf *b, double f)
{
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%.15g", f);
	if (strtod(tmp, NULL) != f)
		snprintf(tmp, sizeof tmp, "%.17g", f);
	tc_buf_adds(b, tmp);
}

/* A short form of v: strings in quotes, containers by kind, secrets
 * redacted. */
static void show(tc_buf *b, const tc_value *v)
{
	if (v->flags & TC_VAL_SECRET) {
		tc_buf_adds(b, "<redacted>");
		return;
	}
	switch (v->kind) {
	case TC_NULL:
		tc_buf_adds(b, "null");
		break;
	case TC_BOOL:
		tc_buf_adds(b, v->u.b ? "true" : "false");
		break;
	case TC_INT:
		tc_buf_addf(b, "%" PRId64, v->u.i);
		break;
	case TC_FLOAT:
		show_num(b, v->u.f);
		break;
	case TC_STR: {
		size_t n = v->u.str.len < SHOW_MAX ? v->u.str.len : SHOW_MAX;
		/* do not cut inside a UTF-8 sequence */
		while (n < v->u.str.len && n > 0 && ((unsigned char)v->u.str.ptr[n] & 0xC0) == 0x80)
			n--;
		tc_buf_addc(b, '\'');
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)v->u.str.ptr[i];
			if (ch < 0x20 || ch == 0x7f)
				tc_buf_addf(b, "\\x%02x", ch);
			else
				tc_buf_addc(b, (char)ch);
		}
		tc_buf_adds(b, n < v->u.str.len ? "...'" : "'");
		break;
	}
	case TC_ARRAY:
		tc_buf_addf(b, "an array of %zu items", v->u.arr.len);
		break;
	case TC_OBJECT:
		tc_buf_adds(b, v->u.obj.len ? "an object" : "an empty object");
		break;
	}
}

/* show() into a buffer the caller releases; the string is b's */
static const char *shown(tc_buf *b, const tc_value *v)
{
	tc_buf_init(b, 4096);
	show(b, v);
	return tc_buf_str(b);
}

static const char *kind_word(const tc_value *v)
{
	if (v->kind == TC_FLOAT && v->u.f == floor(v->u.f) && isfinite(v->u.f))
		return "number";
	return tc_kind_name(v->kind);
}

static void type_list(tc_buf *b, unsigned types)
{
	/* null last: "expected integer or null" */
	static const char *const names[] = {"null",   "boolean", "integer", "number",
	                                    "string", "array",   "object"};
	static const int order[] = {1, 2, 3, 4, 5, 6, 0};
	/* "integer" is implied by "number" */
	if ((types & SC_T_NUM) && (types & SC_T_INT))
		types &= ~(unsigned)SC_T_INT;
	size_t total = 0, k = 0;
	for (int i = 0; i < 7; i++)
		total += (types >> i) & 1;
	for (int j = 0; j < 7; j++) {
		int i = order[j];
		if (!((types >> i) & 1))
			continue;
		if (k)
			tc_buf_adds(b, k + 1 == total ? " or " : ", ");
		tc_buf_adds(b, names[i]);
		k++;
	}
	if (!total)
		tc_buf_adds(b, "nothing");
}

/* ---- the keyword families ---- */

static bool is_integral(const tc_value *v)
{
	return v->kind == TC_INT ||
	       (v->kind == TC_FLOAT && isfinite(v->u.f) && v->u.f == floor(v->u.f));
}

static bool type_ok(unsigned types, const tc_value *v)
{
	switch (v->kind) {
	case TC_NULL:
		return types & SC_T_NULL;
	case TC_BOOL:
		return types & SC_T_BOOL;
	case TC_INT:
		return types & (SC_T_INT | SC_T_NUM);
	case TC_FLOAT:
		return (types & SC_T_NUM) || ((types & SC_T_INT) && is_integral(v));
	case TC_STR:
		return types & SC_T_STR;
	case TC_ARRAY:
		return types & SC_T_ARR;
	case TC_OBJECT:
		return types & SC_T_OBJ;
	}
	return false;
}

static bool check_type(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	if (!n->types || type_ok(n->types, inst))
		return true;
	if (!c->d)
		return false;
	tc_buf b;
	tc_buf_init(&b, 4096);
	type_list(&b, n->types);
	fail(c, inst->pos, at, "expected %s, got %s", tc_buf_str(&b), kind_word(inst));
	tc_buf_release(&b);
	return false;
}

static size_t typo_limit(size_t len)
{
	/* a typo is at most a third of the word, and at most 3 edits; words
	 * of one or two characters get no hint (every other short word would
	 * be "close") */
	if (len < 3)
		return 0;
	size_t limit = len / 3;
	return limit > 3 ? 3 : limit;
}

/* the enum string closest to inst, within typo distance */
static const tc_value *closest(const sc_node *n, const tc_value *inst)
{
	const tc_value *best = NULL;
	size_t bestd = typo_limit(inst->u.str.len) + 1;
	for (size_t i = 0; i < n->nenum; i++) {
		const tc_value *e = n->enums[i];
		if (e->kind != TC_STR)
			continue;
		size_t dist = tc_edit_distance(inst->u.str.ptr, inst->u.str.len, e->u.str.ptr,
		                               e->u.str.len, bestd - 1);
		if (dist < bestd) {
			bestd = dist;
			best = e;
		}
	}
	return (inst->flags & TC_VAL_SECRET) ? NULL : best;
}

static void report_const(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	tc_buf b1, b2;
	fail(c, inst->pos, at, "%s must be %s", shown(&b1, inst), shown(&b2, n->const_val));
	tc_buf_release(&b1);
	tc_buf_release(&b2);
}

static bool in_enum(const sc_node *n, const tc_value *inst)
{
	for (size_t i = 0; i < n->nenum; i++)
		if (tc_value_equal(n->enums[i], inst))
			return true;
	return false;
}

/* "X is not one of A, B, ... (and N more) (did you mean 'B'?)" */
static void report_enum(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	tc_buf b, l;
	tc_buf_init(&l, 4096);
	for (size_t i = 0; i < n->nenum && i < ENUM_SHOW; i++) {
		if (i)
			tc_buf_adds(&l, ", ");
		show(&l, n->enums[i]);
	}
	if (n->nenum > ENUM_SHOW)
		tc_buf_addf(&l, " (and %zu more)", n->nenum - ENUM_SHOW);
	const tc_value *near = inst->kind == TC_STR ? closest(n, inst) : NULL;
	if (near)
		tc_buf_addf(&l, " (did you mean '%s'?)", near->u.str.ptr);
	fail(c, inst->pos, at, "%s is not one of %s", shown(&b, inst), tc_buf_str(&l));
	tc_buf_release(&b);
	tc_buf_release(&l);
}

static bool check_enum(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	bool ok = true;
	if ((n->flags & SC_F_CONST) && !tc_value_equal(n->const_val, inst)) {
		if (!c->d)
			return false;
		report_const(c, n, inst, at);
		ok = false;
	}
	if ((n->enums || n->nenum) && !in_enum(n, inst)) {
		if (!c->d)
			return false;
		report_enum(c, n, inst, at);
		ok = false;
	}
	return ok;
}

static bool is_multiple(const sc_node *n, const tc_value *inst)
{
	if (inst->kind == TC_INT && n->multiple_v->kind == TC_INT)
		return n->multiple_v->u.i == 0 || inst->u.i % n->multiple_v->u.i == 0;
	double x = tc_value_num(inst), m = n->multiple;
	double q = x / m;
	if (!isfinite(q))
		return fmod(x, m) == 0; /* 1e308 is a multiple of 0.5 */
	if (q == floor(q))
		return true;
	/* decimal multiples (0.0075 of 0.0001) are off by rounding only */
	return fabs(q - nearbyint(q)) < 1e-9 * fmax(1.0, fabs(q));
}

static bool check_number(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	if (!tc_value_is_number(inst))
		return true;
	bool ok = true;
	double x = tc_value_num(inst);
	tc_buf b, l;
	tc_buf_init(&l, 64);
	if ((n->flags & SC_F_MIN) && x < n->minimum) {
		show_num(&l, n->minimum);
		ok = fail(c, inst->pos, at, "%s is less than the minimum %s", shown(&b, inst),
		          tc_buf_str(&l));
		tc_buf_release(&b);
	}
	if (ok && (n->flags & SC_F_XMIN) && x <= n->xminimum) {
		tc_buf_reset(&l);
		show_num(&l, n->xminimum);
		ok = fail(c, inst->pos, at, "%s must be greater than %s", shown(&b, inst),
		          tc_buf_str(&l));
		tc_buf_release(&b);
	}
	if ((n->flags & SC_F_MAX) && x > n->maximum) {
		tc_buf_reset(&l);
		show_num(&l, n->maximum);
		ok = fail(c, inst->pos, at, "%s is greater than the maximum %s", shown(&b, inst),
		          tc_buf_str(&l));
		tc_buf_release(&b);
	}
	if ((n->flags & SC_F_XMAX) && x >= n->xmaximum) {
		tc_buf_reset(&l);
		show_num(&l, n->xmaximum);
		ok = fail(c, inst->pos, at, "%s must be less than %s", shown(&b, inst),
		          tc_buf_str(&l));
		tc_buf_release(&b);
	}
	if ((n->flags & SC_F_MULT) && !is_multiple(n, inst)) {
		tc_buf_reset(&l);
		show_num(&l, n->multiple);
		ok = fail(c, inst->pos, at, "%s is not a multiple of %s", shown(&b, inst),
		          tc_buf_str(&l));
		tc_buf_release(&b);
	}
	tc_buf_release(&l);
	return ok;
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static bool check_string(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	if (inst->kind != TC_STR)
		return true;
	bool ok = true;
	tc_buf b;
	if (n->min_len >= 0 || n->max_len >= 0) {
		size_t len = utf8_len(inst->u.str.ptr, inst->u.str.len);
		if (n->min_len >= 0 && len < (uint64_t)n->min_len) {
			ok = fail(c, inst->pos, at, "%s is shorter than %" PRId64 " characters",
			          shown(&b, inst), n->min_len);
			tc_buf_release(&b);
		}
		if (n->max_len >= 0 && len > (uint64_t)n->max_len) {
			ok = fail(c, inst->pos, at, "%s is longer than %" PRId64 " characters",
			          shown(&b, inst), n->max_len);
			tc_buf_release(&b);
		}
		if (!ok && !c->d)
			return false;
	}
	if (n->pattern.re) {
		int r = tc_regex_match(n->pattern.re, inst->u.str.ptr, inst->u.str.len, &c->rx);
		if (r == 0) {
			ok = fail(c, inst->pos, at, "%s does not match pattern '%s'",
			          shown(&b, inst), n->pattern.src);
			tc_buf_release(&b);
		} else if (r < 0) {
			ok = fail(c, inst->pos, at,
			          "pattern '%s' is too complex to match against this value",
			          n->pattern.src);
		}
	}
	if (n->format && c->s->format_assert &&
	    !tc_schema_format_check(n->format, inst->u.str.ptr, inst->u.str.len)) {
		ok = fail(c, inst->pos, at, "%s is not a valid %s", shown(&b, inst),
		          n->format_name);
		tc_buf_release(&b);
	}
	return ok;
}

/* uniqueItems: the first pair of equal items */
static bool check_unique(ctx *c, const tc_value *inst, const tc_path *at)
{
	size_t len = inst->u.arr.len;
	for (size_t i = 0; i < len; i++)
		for (size_t k = i + 1; k < len; k++)
			if (tc_value_equal(inst->u.arr.items[i], inst->u.arr.items[k]))
				return fail(c, inst->u.arr.items[k]->pos, at,
				            "items %zu and %zu are equal, but items must be unique",
				            i, k);
	return true;
}

/* prefixItems and items */
static bool check_items(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                        uint8_t *marks)
{
	bool ok = true;
	for (size_t i = 0; i < inst->u.arr.len; i++) {
		const sc_node *sub = i < n->nprefix ? n->prefix[i] : n->items;
		if (!sub)
			continue;
		tc_path p = TC_PATH_INDEX(at, i);
		/* marked even when it fails: the node fails then anyway, and
		 * unevaluatedItems must not report the item a second time */
		if (marks)
			marks[i] = 1;
		if (!step_ok(c, &ok, eval(c, sub, inst->u.arr.items[i], &p, NULL)))
			return false;
	}
	return ok;
}

/* contains, minContains, maxContains: the items are matched quietly */
static bool check_contains(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                           uint8_t *marks)
{
	size_t len = inst->u.arr.len;
	bool ok = true;
	size_t matched = 0;
	tc_diags *d = c->d;
	c->d = NULL;
	for (size_t i = 0; i < len; i++) {
		tc_path p = TC_PATH_INDEX(at, i);
		if (eval(c, n->contains, inst->u.arr.items[i], &p, NULL)) {
			matched++;
			if (marks)
				marks[i] = 1;
		}
	}
	c->d = d;
	if (matched < (uint64_t)n->min_contains) {
		if (n->min_contains == 1)
			ok = fail(c, inst->pos, at, "array has no item that matches 'contains'");
		else
			ok = fail(c, inst->pos, at,
			          "array has %zu items that match 'contains', at least %" PRId64
			          " required",
			          matched, n->min_contains);
	}
	if (n->max_contains >= 0 && matched > (uint64_t)n->max_contains)
		ok = fail(c, inst->pos, at,
		          "array has %zu items that match 'contains', at most %" PRId64 " allowed",
		          matched, n->max_contains);
	return ok;
}

/* minItems/maxItems and minProperties/maxProperties: len against the
 * bounds (negative when absent); type and unit word the message, e.g.
 * "array" and "items" */
static bool count_ok(ctx *c, const tc_value *inst, const tc_path *at, size_t len, int64_t min,
                     int64_t max, const char *type, const char *unit)
{
	bool ok = true;
	if (min >= 0 && len < (uint64_t)min)
		ok = fail(c, inst->pos, at, "%s has %zu %s, at least %" PRId64 " required", type,
		          len, unit, min);
	if (max >= 0 && len > (uint64_t)max)
		ok = fail(c, inst->pos, at, "%s has %zu %s, at most %" PRId64 " allowed", type, len,
		          unit, max);
	return ok;
}

static bool check_array(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                        uint8_t *marks)
{
	bool ok = count_ok(c, inst, at, inst->u.arr.len, n->min_items, n->max_items, "array",
	                   "items");
	if (!ok && !c->d)
		return false;
	if ((n->flags & SC_F_UNIQUE) && !step_ok(c, &ok, check_unique(c, inst, at)))
		return false;
	if (!step_ok(c, &ok, check_items(c, n, inst, at, marks)))
		return false;
	if (n->contains && !check_contains(c, n, inst, at, marks))
		ok = false;
	return ok;
}

/* ---- unknown keys and did-you-mean ---- */

size_t tc_edit_distance(const char *a, size_t an, const char *b, size_t bn, size_t max)
{
	if (an > bn + max || bn > an + max)
		return max + 1;
	/* three rows of the optimal-string-alignment table */
	size_t *rows = tc_xmalloc(3 * (bn + 1) * sizeof *rows);
	size_t *pp = rows, *p = rows + bn + 1, *cur = rows + 2 * (bn + 1);
	for (size_t j = 0; j <= bn; j++)
		p[j] = j;
	size_t best = 0;
	for (size_t i = 1; i <= an; i++) {
		cur[0] = i;
		best = cur[0];
		for (size_t j = 1; j <= bn; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = p[j - 1] + cost;
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > max) {
			free(rows);
			return max + 1;
		}
		size_t *t = pp;
		pp = p;
		p = cur;
		cur = t;
	}
	size_t r = p[bn];
	free(rows);
	return r > max ? max + 1 : r;
}

/* the closest property name declared by n or its in-place subschemas */
static void suggest_in(const sc_node *n, const char *key, size_t klen, const tc_value *inst,
                       const sc_prop **best, size_t *bestd, int depth)
{
	if (!n || depth > 4)
		return;
	for (size_t i = 0; i < n->nprops; i++) {
		const sc_prop *p = &n->props[i];
		if (tc_value_member(inst, p->key, p->klen))
			continue;
		size_t dist = tc_edit_distance(key, klen, p->key, p->klen, *bestd - 1);
		if (dist < *bestd) {
			*bestd = dist;
			*best = p;
		}
	}
	suggest_in(n->ref, key, klen, inst, best, bestd, depth + 1);
	for (size_t i = 0; i < n->nall; i++)
		suggest_in(n->all_of[i], key, klen, inst, best, bestd, depth + 1);
	for (size_t i = 0; i < n->nany; i++)
		suggest_in(n->any_of[i], key, klen, inst, best, bestd, depth + 1);
	for (size_t i = 0; i < n->none; i++)
		suggest_in(n->one_of[i], key, klen, inst, best, bestd, depth + 1);
	suggest_in(n->then_, key, klen, inst, best, bestd, depth + 1);
	suggest_in(n->else_, key, klen, inst, best, bestd, depth + 1);
}

static bool unknown_key(ctx *c, const sc_node *n, const tc_value *inst, const tc_member *m,
                        const tc_path *at)
{
	if (!c->d)
		return false;
	tc_path p = TC_PATH_KEY(at, m->key, m->klen);
	size_t limit = typo_limit(m->klen);
	const sc_prop *best = NULL;
	size_t bestd = limit + 1;
	suggest_in(n, m->key, m->klen, inst, &best, &bestd, 0);
	tc_value k = {.kind = TC_STR, .flags = 0};
	k.u.str.ptr = m->key;
	k.u.str.len = m->klen;
	tc_buf b;
	shown(&b, &k);
	if (best)
		fail(c, m->kpos, &p, "unknown key %s (did you mean '%.*s'?)", tc_buf_str(&b),
		     (int)best->klen, best->key);
	else
		fail(c, m->kpos, &p, "unknown key %s", tc_buf_str(&b));
	tc_buf_release(&b);
	return false;
}

static const sc_prop *find_prop(const sc_node *n, const char *key, size_t klen)
{
	size_t lo = 0, hi = n->nprops;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = tc_bytes_cmp(n->props[mid].key, n->props[mid].klen, key, klen);
		if (r == 0)
			return &n->props[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool check_required(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at)
{
	bool ok = true;
	for (size_t i = 0; i < n->nrequired; i++) {
		const sc_key *k = &n->required[i];
		if (!tc_value_member(inst, k->key, k->klen)) {
			ok = fail(c, inst->pos, at, "missing required key '%.*s'", (int)k->klen,
			          k->key);
			if (!c->d)
				return false;
		}
	}
	for (size_t i = 0; i < n->ndeps; i++) {
		const sc_dep *dp = &n->deps[i];
		if (!dp->required || !tc_value_member(inst, dp->key, dp->klen))
			continue;
		const tc_value *r = dp->required;
		for (size_t k = 0; k < r->u.arr.len; k++) {
			const tc_value *s = r->u.arr.items[k];
			if (!tc_value_member(inst, s->u.str.ptr, s->u.str.len)) {
				ok = fail(c, inst->pos, at, "key '%.*s' requires key '%.*s'",
				          (int)dp->klen, dp->key, (int)s->u.str.len, s->u.str.ptr);
				if (!c->d)
					return false;
			}
		}
	}
	return ok;
}

/* propertyNames: the key as a string at the key's position */
static bool check_prop_name(ctx *c, const sc_node *n, const tc_member *m, const tc_path *p)
{
	tc_value k = {.kind = TC_STR, .pos = m->kpos};
	k.u.str.ptr = m->key;
	k.u.str.len = m->klen;
	return eval(c, n->propnames, &k, p, NULL);
}

/* patternProperties: every pattern that matches the key; sets *matched */
static bool check_patterns(ctx *c, const sc_node *n, const tc_member *m, const tc_path *p,
                           uint8_t *mark, bool *matched)
{
	bool ok = true;
	for (size_t k = 0; k < n->npatprops; k++) {
		int r = tc_regex_match(n->patprops[k].pat.re, m->key, m->klen, &c->rx);
		if (r < 0)
			ok = fail(c, m->kpos, p,
			          "pattern '%s' is too complex to match against this key",
			          n->patprops[k].pat.src);
		if (r != 1)
			continue;
		*matched = true;
		if (mark)
			*mark = 1;
		if (!eval(c, n->patprops[k].node, m->val, p, NULL))
			ok = false;
	}
	return ok;
}

/* additionalProperties for a member no other keyword matched */
static bool check_additional(ctx *c, const sc_node *n, const tc_value *inst, const tc_member *m,
                             const tc_path *at, const tc_path *p, uint8_t *mark)
{
	if (mark)
		*mark = 1;
	bool preserved = n->addl->boolean == 2 && (n->flags & SC_F_PRESERVE);
	if (!preserved && n->addl->boolean == 2)
		return unknown_key(c, n, inst, m, at);
	return preserved || eval(c, n->addl, m->val, p, NULL);
}

/* member i against propertyNames, properties, patternProperties and
 * additionalProperties. A member a keyword applies to is marked even when it
 * fails (the node fails then anyway): unevaluatedProperties must not call it
 * unknown */
static bool check_member(ctx *c, const sc_node *n, const tc_value *inst, size_t i,
                         const tc_path *at, uint8_t *marks)
{
	const tc_member *m = &inst->u.obj.members[i];
	tc_path p = TC_PATH_KEY(at, m->key, m->klen);
	uint8_t *mark = marks ? &marks[i] : NULL;
	bool ok = true;
	if (n->propnames && !step_ok(c, &ok, check_prop_name(c, n, m, &p)))
		return false;
	bool matched = false;
	const sc_prop *pr = n->nprops ? find_prop(n, m->key, m->klen) : NULL;
	if (pr && pr->node) {
		matched = true;
		if (mark)
			*mark = 1;
		if (!eval(c, pr->node, m->val, &p, NULL))
			ok = false;
	}
	if (!check_patterns(c, n, m, &p, mark, &matched))
		ok = false;
	if (!matched && n->addl && !check_additional(c, n, inst, m, at, &p, mark))
		ok = false;
	return ok;
}

static bool check_object(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                         uint8_t *marks)
{
	size_t len = inst->u.obj.len;
	bool ok = count_ok(c, inst, at, len, n->min_props, n->max_props, "object", "keys");
	if (!check_required(c, n, inst, at))
		ok = false;
	if (!ok && !c->d)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!step_ok(c, &ok, check_member(c, n, inst, i, at, marks)))
			return false;
	for (size_t i = 0; i < n->ndeps; i++) {
		const sc_dep *dp = &n->deps[i];
		if (dp->node && tc_value_member(inst, dp->key, dp->klen) &&
		    !step_ok(c, &ok, eval(c, dp->node, inst, at, marks)))
			return false;
	}
	return ok;
}

/* ---- applicators ---- */

/* The node a branch really is (through bare $refs), for its type. */
static const sc_node *through_refs(const sc_node *n)
{
	for (int i = 0; i < 16 && n && !n->boolean && !n->types && n->ref; i++)
		n = n->ref;
	return n;
}

/* All alternatives failed (quietly): explain why, loudly. */
static bool explain_alternatives(ctx *c, const sc_node *const *alts, size_t n, const char *kw,
                                 const tc_value *inst, const tc_path *at)
{
	if (!c->d)
		return false;
	size_t cand = 0, idx = 0;
	unsigned all_types = 0;
	bool typed = true;
	for (size_t i = 0; i < n; i++) {
		const sc_node *b = through_refs(alts[i]);
		if (b->boolean == 2)
			continue;
		if (b->boolean == 1 || !b->types) {
			typed = false;
			cand++;
			idx = i;
			continue;
		}
		all_types |= b->types;
		if (type_ok(b->types, inst)) {
			cand++;
			idx = i;
		}
	}
	if (cand == 1)
		return eval(c, alts[idx], inst, at, NULL);
	if (cand == 0 && typed && all_types) {
		tc_buf b;
		tc_buf_init(&b, 4096);
		type_list(&b, all_types);
		fail(c, inst->pos, at, "expected %s, got %s", tc_buf_str(&b), kind_word(inst));
		tc_buf_release(&b);
		return false;
	}
	return fail(c, inst->pos, at, "value does not match any of the %zu alternatives of '%s'", n,
	            kw);
}

static void merge(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] |= src[i];
}

static size_t inst_len(const tc_value *v)
{
	return v->kind == TC_OBJECT ? v->u.obj.len : v->kind == TC_ARRAY ? v->u.arr.len : 0;
}

/* evaluate quietly; with marks, into a private copy merged on success */
static bool try_eval(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                     uint8_t *marks)
{
	tc_diags *d = c->d;
	c->d = NULL;
	bool ok;
	if (marks) {
		size_t len = inst_len(inst);
		uint8_t *tmp = tc_xcalloc(len + 1, 1);
		ok = eval(c, n, inst, at, tmp);
		if (ok)
			merge(marks, tmp, len);
		free(tmp);
	} else {
		ok = eval(c, n, inst, at, NULL);
	}
	c->d = d;
	return ok;
}

/* anyOf: one branch that matches; with marks, every branch (annotations) */
static bool check_any_of(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                         uint8_t *marks)
{
	bool any = false;
	for (size_t i = 0; i < n->nany; i++) {
		if (try_eval(c, n->any_of[i], inst, at, marks)) {
			any = true;
			if (!marks)
				break; /* annotations need every branch */
		}
	}
	if (!any)
		explain_alternatives(c, n->any_of, n->nany, "anyOf", inst, at);
	return any;
}

/* oneOf: exactly one branch matches; its marks are kept */
static bool check_one_of(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                         uint8_t *marks)
{
	size_t first = 0, count = 0, second = 0;
	size_t len = inst_len(inst);
	uint8_t *tmp = marks ? tc_xcalloc(len + 1, 1) : NULL;
	for (size_t i = 0; i < n->none && count < 2; i++) {
		if (try_eval(c, n->one_of[i], inst, at, tmp)) {
			if (count == 0)
				first = i;
			else
				second = i;
			count++;
		}
	}
	if (count == 1 && marks)
		merge(marks, tmp, len);
	free(tmp);
	if (count == 0) {
		explain_alternatives(c, n->one_of, n->none, "oneOf", inst, at);
		return false;
	}
	if (count > 1)
		return fail(c, inst->pos, at,
		            "value matches alternatives %zu and %zu of 'oneOf', but exactly one "
		            "must match",
		            first + 1, second + 1);
	return true;
}

/* if, then, else */
static bool check_if(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                     uint8_t *marks)
{
	if (try_eval(c, n->if_, inst, at, marks))
		return !n->then_ || eval(c, n->then_, inst, at, marks);
	return !n->else_ || eval(c, n->else_, inst, at, marks);
}

static bool check_applicators(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                              uint8_t *marks)
{
	bool ok = true;
	for (size_t i = 0; i < n->nall; i++)
		if (!step_ok(c, &ok, eval(c, n->all_of[i], inst, at, marks)))
			return false;
	if (n->nany && !step_ok(c, &ok, check_any_of(c, n, inst, at, marks)))
		return false;
	if (n->none && !step_ok(c, &ok, check_one_of(c, n, inst, at, marks)))
		return false;
	if (n->not_ && try_eval(c, n->not_, inst, at, NULL) &&
	    !step_ok(c, &ok, fail(c, inst->pos, at, "value must not match the schema of 'not'")))
		return false;
	if (n->if_ && !check_if(c, n, inst, at, marks))
		ok = false;
	return ok;
}

static const sc_node *dynamic_target(ctx *c, const sc_node *n)
{
	if (!n->dynref_name)
		return n->dynref;
	/* the outermost resource of the dynamic scope that has the anchor */
	for (size_t i = 0; i < c->nscope; i++) {
		const sc_resource *r = c->scope[i];
		size_t lo = 0, hi = r->ndyn;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int cmp = strcmp(r->dyn[mid].name, n->dynref_name);
			if (cmp == 0)
				return r->dyn[mid].node;
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return n->dynref;
}

/* unevaluatedProperties: the members no keyword marked in local */
static bool check_uneval_props(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                               uint8_t *local)
{
	bool ok = true;
	for (size_t i = 0; i < inst->u.obj.len; i++) {
		if (local[i])
			continue;
		const tc_member *m = &inst->u.obj.members[i];
		tc_path p = TC_PATH_KEY(at, m->key, m->klen);
		if (n->uneval_props->boolean == 2 && (n->flags & SC_F_PRESERVE))
			local[i] = 1;
		else if (n->uneval_props->boolean == 2)
			ok = unknown_key(c, n, inst, m, at);
		else if (eval(c, n->uneval_props, m->val, &p, NULL))
			local[i] = 1;
		else
			ok = false;
		if (!ok && !c->d)
			return false;
	}
	return ok;
}

/* unevaluatedItems: the items no keyword marked in local */
static bool check_uneval_items(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                               uint8_t *local)
{
	bool ok = true;
	for (size_t i = 0; i < inst->u.arr.len; i++) {
		if (local[i])
			continue;
		tc_path p = TC_PATH_INDEX(at, i);
		if (eval(c, n->uneval_items, inst->u.arr.items[i], &p, NULL)) {
			local[i] = 1;
			continue;
		}
		if (n->uneval_items->boolean == 2)
			fail(c, inst->u.arr.items[i]->pos, &p,
			     "item %zu is not allowed here (unevaluatedItems)", i);
		if (!step_ok(c, &ok, false))
			return false;
	}
	return ok;
}

static bool check_unevaluated(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                              uint8_t *local)
{
	bool ok = true;
	if (inst->kind == TC_OBJECT && n->uneval_props &&
	    !step_ok(c, &ok, check_uneval_props(c, n, inst, at, local)))
		return false;
	if (inst->kind == TC_ARRAY && n->uneval_items && !check_uneval_items(c, n, inst, at, local))
		ok = false;
	return ok;
}

static bool eval_keywords(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at,
                          uint8_t *marks)
{
	bool ok = true;
	uint8_t *local = NULL;
	bool need = (inst->kind == TC_OBJECT && n->uneval_props) ||
	            (inst->kind == TC_ARRAY && n->uneval_items);
	uint8_t *up = marks;
	if (need) {
		/* evaluate into a private set; unevaluated* then covers the rest */
		local = tc_xcalloc(inst_len(inst) + 1, 1);
		marks = local;
	}
	if ((n->ref && !step_ok(c, &ok, eval(c, n->ref, inst, at, marks))) ||
	    (n->dynref && !step_ok(c, &ok, eval(c, dynamic_target(c, n), inst, at, marks))))
		goto out;
	if (!check_type(c, n, inst, at) || !check_enum(c, n, inst, at)) {
		/* other keywords would only repeat the complaint */
		ok = false;
		goto out;
	}
	if (!step_ok(c, &ok, check_number(c, n, inst, at) && check_string(c, n, inst, at)) ||
	    (inst->kind == TC_ARRAY && !step_ok(c, &ok, check_array(c, n, inst, at, marks))) ||
	    (inst->kind == TC_OBJECT && !step_ok(c, &ok, check_object(c, n, inst, at, marks))) ||
	    !step_ok(c, &ok, check_applicators(c, n, inst, at, marks)))
		goto out;
	if (need && !check_unevaluated(c, n, inst, at, local))
		ok = false;
	/* the CRD's CEL rules, on a value the keywords accept (the API server
	 * types the value by the schema before the rules see it) */
	if (ok && n->cel && !tc_cel_rules_check(n->cel, n, inst, c->d, at, c->cls))
		ok = false;
out:
	if (local) {
		/* having passed unevaluated*, every member or item was evaluated */
		if (ok && up)
			memset(up, 1, inst_len(inst));
		free(local);
	}
	return ok;
}

static bool eval(ctx *c, const sc_node *n, const tc_value *inst, const tc_path *at, uint8_t *marks)
{
	if (n->boolean == 1)
		return true;
	if (n->boolean == 2)
		return fail(c, inst->pos, at, "no value is allowed here");
	if (inst->kind == TC_NULL && (n->flags & SC_F_NULLABLE))
		return true;
	if (c->depth >= MAX_DEPTH) {
		if (!c->deep_reported && c->d) {
			c->deep_reported = true;
			fail(c, inst->pos, at,
			     "schema evaluation nests deeper than %d levels "
			     "(a reference cycle?)",
			     MAX_DEPTH);
		}
		return false;
	}
	c->depth++;
	bool pushed = false;
	if (c->nscope == 0 || c->scope[c->nscope - 1] != n->res) {
		c->scope[c->nscope++] = n->res;
		pushed = true;
	}
	bool ok;
	if (n->error_message && c->d) {
		/* the schema's own words instead of the keywords' */
		ok = try_eval(c, n, inst, at, marks);
		if (!ok) {
			tc_buf b;
			fail(c, inst->pos, at, "%s %s", shown(&b, inst), n->error_message);
			tc_buf_release(&b);
		}
	} else {
		ok = eval_keywords(c, n, inst, at, marks);
	}
	if (pushed)
		c->nscope--;
	c->depth--;
	return ok;
}

static int run(const tc_schema *s, const tc_value *inst, tc_diags *d, const tc_path *at,
               tc_diag_class cls)
{
	/* the scope stack is written before it is read: only the rest is zeroed
	 * (the stack is most of the context, and a render checks every object) */
	ctx *c = tc_xmalloc(sizeof *c);
	memset(c, 0, offsetof(ctx, scope));
	c->s = s;
	c->d = d;
	c->cls = cls;
	bool ok = eval(c, s->root, inst, at, NULL);
	if (d && c->nerr > MAX_ERRORS)
		tc_note(d, inst->pos, at, "%zu more schema violations not reported",
		        c->nerr - MAX_ERRORS);
	tc_regex_scratch_release(&c->rx);
	free(c);
	return ok ? 0 : -1;
}

int tc_schema_check(const tc_schema *s, const tc_value *inst, tc_diags *d, const tc_path *at,
                    tc_diag_class cls)
{
	return run(s, inst, d, at, cls);
}

bool tc_schema_valid(const tc_schema *s, const tc_value *inst)
{
	return run(s, inst, NULL, NULL, TC_DIAG_FINDING) == 0;
}
