/*
 * cel_check.c - the static checker and cost estimator (cel_check.h says
 * what it finds and which cost model it follows).
 *
 * One walk over the tree computes, for every node, what is known of its
 * value (a kind, the declaration it comes from, a size bound) and its
 * estimated cost as a [min, max] range. Costs and sizes saturate at
 * TC_CEL_UNBOUNDED. The macros cost what cel-go's expansion of them does
 * per iteration (the loop condition and the step that accumulates):
 * all/exists/exists_one 3 and their predicate, filter 13 and its
 * predicate, map 12 and its transform (a one-element list and a
 * concatenation), transformMap 32 and its transform.
 */
#include "cel_check.h"
#include "cel_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UNB TC_CEL_UNBOUNDED

typedef struct info {
	tc_cel_tkind t;
	const tc_cel_decl *decl; /* where the value is declared, or NULL */
	uint64_t cmin, cmax;     /* cost */
	uint64_t size;           /* string/bytes/list/map size bound; UNB when not known */
	const char *lit;         /* a string literal's text (a regular expression's cost) */
} info;

typedef struct vscope {
	const struct vscope *up;
	const char *name;
	info val;
} vscope;

typedef struct checker {
	tc_arena *a;
	const tc_cel_check_env *env;
	tc_cel_check_error *errs;
	size_t n, cap;
} checker;

static uint64_t add(uint64_t x, uint64_t y)
{
	return x > UNB - y ? UNB : x + y;
}

static uint64_t mul(uint64_t x, uint64_t y)
{
	if (x == 0 || y == 0)
		return 0;
	return x > UNB / y ? UNB : x * y;
}

/* ceil(x * f), saturating */
static uint64_t factor(uint64_t x, double f)
{
	if (x == UNB)
		return UNB;
	double r = ceil((double)x * f);
	return r >= 18446744073709551615.0 ? UNB : (uint64_t)r;
}

const char *tc_cel_tkind_name(tc_cel_tkind k)
{
	static const char *const names[] = {
		"dyn",
		"null_type",
		"bool",
		"int",
		"uint",
		"double",
		"string",
		"bytes",
		"list",
		"map",
		"type",
		"google.protobuf.Duration",
		"google.protobuf.Timestamp",
		"optional_type",
	};
	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "dyn";
}

static void report(checker *ck, const tc_cel_expr *e, const char *msg)
{
	if (ck->n == ck->cap) {
		size_t cap = ck->cap ? 2 * ck->cap : 8;
		tc_cel_check_error *v = tc_arena_alloc(ck->a, cap * sizeof *v);
		if (ck->n)
			memcpy(v, ck->errs, ck->n * sizeof *v);
		ck->errs = v;
		ck->cap = cap;
	}
	ck->errs[ck->n].line = e->line ? e->line : 1;
	ck->errs[ck->n].col = e->col ? e->col : 1;
	ck->errs[ck->n].msg = msg;
	ck->n++;
}

static info known(tc_cel_tkind t, uint64_t cost)
{
	info r = {.t = t, .cmin = cost, .cmax = cost, .size = UNB};
	return r;
}

static info of_decl(const tc_cel_decl *d, uint64_t cost)
{
	info r = known(d ? d->kind : TC_CEL_TY_DYN, cost);
	r.decl = d;
	if (d && d->max_size)
		r.size = d->max_size;
	return r;
}

static tc_cel_tkind kind_of_val(const tc_cel_val *v)
{
	switch (v->kind) {
	case TC_CEL_NULL:
		return TC_CEL_TY_NULL;
	case TC_CEL_BOOL:
		return TC_CEL_TY_BOOL;
	case TC_CEL_INT:
		return TC_CEL_TY_INT;
	case TC_CEL_UINT:
		return TC_CEL_TY_UINT;
	case TC_CEL_DOUBLE:
		return TC_CEL_TY_DOUBLE;
	case TC_CEL_STRING:
		return TC_CEL_TY_STRING;
	case TC_CEL_BYTES:
		return TC_CEL_TY_BYTES;
	case TC_CEL_LIST:
		return TC_CEL_TY_LIST;
	case TC_CEL_MAP:
		return TC_CEL_TY_MAP;
	case TC_CEL_TYPE:
		return TC_CEL_TY_TYPE;
	case TC_CEL_DURATION:
		return TC_CEL_TY_DURATION;
	case TC_CEL_TIMESTAMP:
		return TC_CEL_TY_TIMESTAMP;
	case TC_CEL_OPTIONAL:
		return TC_CEL_TY_OPTIONAL;
	default:
		return TC_CEL_TY_DYN;
	}
}

static uint64_t val_size(const tc_cel_val *v)
{
	switch (v->kind) {
	case TC_CEL_STRING:
	case TC_CEL_BYTES:
		return v->u.s.len;
	case TC_CEL_LIST:
		return v->u.list.len;
	case TC_CEL_MAP:
		return v->u.map.len;
	default:
		return UNB;
	}
}

static const tc_cel_decl *decl_of(tc_arena *a, const tc_cel_val *v, int depth)
{
	tc_cel_decl *d = tc_arena_calloc(a, sizeof *d);
	d->kind = kind_of_val(v);
	uint64_t s = val_size(v);
	d->max_size = s == UNB ? 0 : s;
	if (depth > TC_CEL_MAX_DEPTH)
		return d;
	if (v->kind == TC_CEL_LIST && v->u.list.len) {
		/* the largest item stands for all: its kind when they agree */
		tc_cel_decl *e = tc_arena_calloc(a, sizeof *e);
		e->kind = kind_of_val(v->u.list.items[0]);
		for (size_t i = 0; i < v->u.list.len; i++) {
			const tc_cel_decl *x = decl_of(a, v->u.list.items[i], depth + 1);
			if (x->kind != e->kind)
				e->kind = TC_CEL_TY_DYN;
			if (x->max_size > e->max_size)
				e->max_size = x->max_size;
		}
		d->elem = e;
	} else if (v->kind == TC_CEL_MAP && v->u.map.len) {
		size_t n = v->u.map.len;
		const char **names = tc_arena_alloc(a, n * sizeof *names);
		const tc_cel_decl **decls = tc_arena_alloc(a, n * sizeof *decls);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (v->u.map.keys[i]->kind != TC_CEL_STRING)
				continue;
			names[k] = v->u.map.keys[i]->u.s.ptr;
			decls[k++] = decl_of(a, v->u.map.vals[i], depth + 1);
		}
		d->field_names = names;
		d->field_decls = decls;
		d->nfields = k;
	}
	return d;
}

const tc_cel_decl *tc_cel_decl_of(tc_arena *a, const tc_cel_val *v)
{
	return decl_of(a, v, 0);
}

/* ---- function signatures ---- */

#define ANY 255
/* clang-format off */
static const tc_cel_sig std_sigs[] = {
	{"base64.decode", false, true, 1, 1, NULL, "s", TC_CEL_TY_BYTES},
	{"base64.encode", false, true, 1, 1, NULL, "y", TC_CEL_TY_STRING},
	{"bool", false, true, 1, 1, NULL, "*", TC_CEL_TY_BOOL},
	{"bytes", false, true, 1, 1, NULL, "*", TC_CEL_TY_BYTES},
	{"charAt", true, false, 1, 1, "s", "i", TC_CEL_TY_STRING},
	{"contains", true, false, 1, 1, "s", "s", TC_CEL_TY_BOOL},
	{"double", false, true, 1, 1, NULL, "*", TC_CEL_TY_DOUBLE},
	{"duration", false, true, 1, 1, NULL, "*", TC_CEL_TY_DURATION},
	{"dyn", false, true, 1, 1, NULL, "*", TC_CEL_TY_DYN},
	{"endsWith", true, false, 1, 1, "s", "s", TC_CEL_TY_BOOL},
	{"format", true, false, 1, 1, "s", "l", TC_CEL_TY_STRING},
	{"getDate", true, false, 0, 1, "t", "s", TC_CEL_TY_INT},
	{"getDayOfMonth", true, false, 0, 1, "t", "s", TC_CEL_TY_INT},
	{"getDayOfWeek", true, false, 0, 1, "t", "s", TC_CEL_TY_INT},
	{"getDayOfYear", true, false, 0, 1, "t", "s", TC_CEL_TY_INT},
	{"getFullYear", true, false, 0, 1, "t", "s", TC_CEL_TY_INT},
	{"getHours", true, false, 0, 1, "tr", "s", TC_CEL_TY_INT},
	{"getMilliseconds", true, false, 0, 1, "tr", "s", TC_CEL_TY_INT},
	{"getMinutes", true, false, 0, 1, "tr", "s", TC_CEL_TY_INT},
	{"getMonth", true, false, 0, 1, "t", "s", TC_CEL_TY_INT},
	{"getSeconds", true, false, 0, 1, "tr", "s", TC_CEL_TY_INT},
	{"hasValue", true, false, 0, 0, "o", NULL, TC_CEL_TY_BOOL},
	{"indexOf", true, false, 1, 2, "s", "s i", TC_CEL_TY_INT},
	{"int", false, true, 1, 1, NULL, "*", TC_CEL_TY_INT},
	{"join", true, false, 0, 1, "l", "s", TC_CEL_TY_STRING},
	{"lastIndexOf", true, false, 1, 2, "s", "s i", TC_CEL_TY_INT},
	{"lowerAscii", true, false, 0, 0, "s", NULL, TC_CEL_TY_STRING},
	{"matches", true, false, 1, 1, "s", "s", TC_CEL_TY_BOOL},
	{"matches", false, true, 2, 2, NULL, "s", TC_CEL_TY_BOOL},
	{"math.abs", false, true, 1, 1, NULL, "n", TC_CEL_TY_DYN},
	{"math.bitAnd", false, true, 2, 2, NULL, "*", TC_CEL_TY_DYN},
	{"math.bitNot", false, true, 1, 1, NULL, "*", TC_CEL_TY_DYN},
	{"math.bitOr", false, true, 2, 2, NULL, "*", TC_CEL_TY_DYN},
	{"math.bitShiftLeft", false, true, 2, 2, NULL, "* i", TC_CEL_TY_DYN},
	{"math.bitShiftRight", false, true, 2, 2, NULL, "* i", TC_CEL_TY_DYN},
	{"math.bitXor", false, true, 2, 2, NULL, "*", TC_CEL_TY_DYN},
	{"math.ceil", false, true, 1, 1, NULL, "d", TC_CEL_TY_DOUBLE},
	{"math.floor", false, true, 1, 1, NULL, "d", TC_CEL_TY_DOUBLE},
	{"math.greatest", false, true, 1, ANY, NULL, "*", TC_CEL_TY_DYN},
	{"math.isFinite", false, true, 1, 1, NULL, "d", TC_CEL_TY_BOOL},
	{"math.isInf", false, true, 1, 1, NULL, "d", TC_CEL_TY_BOOL},
	{"math.isNaN", false, true, 1, 1, NULL, "d", TC_CEL_TY_BOOL},
	{"math.least", false, true, 1, ANY, NULL, "*", TC_CEL_TY_DYN},
	{"math.round", false, true, 1, 1, NULL, "d", TC_CEL_TY_DOUBLE},
	{"math.sign", false, true, 1, 1, NULL, "n", TC_CEL_TY_DYN},
	{"math.trunc", false, true, 1, 1, NULL, "d", TC_CEL_TY_DOUBLE},
	{"optional.none", false, true, 0, 0, NULL, NULL, TC_CEL_TY_OPTIONAL},
	{"optional.of", false, true, 1, 1, NULL, "*", TC_CEL_TY_OPTIONAL},
	{"optional.ofNonZeroValue", false, true, 1, 1, NULL, "*", TC_CEL_TY_OPTIONAL},
	{"or", true, false, 1, 1, "o", "o", TC_CEL_TY_OPTIONAL},
	{"orValue", true, false, 1, 1, "o", "*", TC_CEL_TY_DYN},
	{"replace", true, false, 2, 3, "s", "s s i", TC_CEL_TY_STRING},
	{"reverse", true, false, 0, 0, "s", NULL, TC_CEL_TY_STRING},
	{"size", true, false, 0, 0, "sylm", NULL, TC_CEL_TY_INT},
	{"size", false, true, 1, 1, NULL, "sylm", TC_CEL_TY_INT},
	{"split", true, false, 1, 2, "s", "s i", TC_CEL_TY_LIST},
	{"startsWith", true, false, 1, 1, "s", "s", TC_CEL_TY_BOOL},
	{"string", false, true, 1, 1, NULL, "*", TC_CEL_TY_STRING},
	{"strings.quote", false, true, 1, 1, NULL, "s", TC_CEL_TY_STRING},
	{"substring", true, false, 1, 2, "s", "i", TC_CEL_TY_STRING},
	{"timestamp", false, true, 1, 1, NULL, "*", TC_CEL_TY_TIMESTAMP},
	{"trim", true, false, 0, 0, "s", NULL, TC_CEL_TY_STRING},
	{"type", false, true, 1, 1, NULL, "*", TC_CEL_TY_TYPE},
	{"uint", false, true, 1, 1, NULL, "*", TC_CEL_TY_UINT},
	{"upperAscii", true, false, 0, 0, "s", NULL, TC_CEL_TY_STRING},
	{"value", true, false, 0, 0, "o", NULL, TC_CEL_TY_DYN},
};
/* clang-format on */

/* The functions that walk their string receiver (or first argument) once:
 * 0.1 per character, as cel-go's estimator charges them. */
static const char *const traversing[] = {
	"base64.decode", "base64.encode", "charAt",        "contains",   "endsWith", "format",
	"indexOf",       "join",          "lastIndexOf",   "lowerAscii", "replace",  "reverse",
	"split",         "startsWith",    "strings.quote", "substring",  "trim",     "upperAscii",
};

#define COUNT(t) (sizeof(t) / sizeof(t)[0])

/* whether name is one of names[0..n) */
static bool listed(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* *out = c, as the value of a cost function that knows the call */
static bool cost_is(uint64_t *out, uint64_t c)
{
	*out = c;
	return true;
}

/* a regular expression of pattern pat run over the string s: the
 * traversal times 0.25 per character of the pattern */
static uint64_t regex_cost(const info *s, const info *pat)
{
	uint64_t plen = pat->lit ? strlen(pat->lit) : pat->size;
	return mul(factor(add(s->size, 1), 0.1), factor(plen, 0.25));
}

/* the Kubernetes methods costed by their first argument */
static bool k8s_arg_cost(uint64_t *out, const char *name, const info *recv, const info *arg)
{
	if (strcmp(name, "validate") ==
	    0) /* cel.MaxNameFormatRegexSize (128) times the regex factor */
		return cost_is(out, factor(factor(arg->size, 0.1), 128 * 0.25));
	if (strcmp(name, "find") == 0 || strcmp(name, "findAll") == 0)
		return cost_is(out, regex_cost(recv, arg));
	bool ip = strcmp(name, "containsIP") == 0;
	if (!ip && strcmp(name, "containsCIDR") != 0)
		return false;
	/* two addresses of at most 16 bytes compared, a CIDR's masked again
	 * plus one; a string argument parsed */
	uint64_t c = ip ? 4 : 7;
	if (arg->t == TC_CEL_TY_STRING || arg->t == TC_CEL_TY_DYN)
		c = add(c, factor(arg->size, 0.1));
	return cost_is(out, c);
}

/* a list function: one per element, and 0.1 per character of string
 * elements */
static uint64_t k8s_list_cost(const info *recv)
{
	uint64_t el = 1;
	const tc_cel_decl *ed = recv->decl ? recv->decl->elem : NULL;
	if (ed && (ed->kind == TC_CEL_TY_STRING || ed->kind == TC_CEL_TY_BYTES))
		el = add(el, factor(ed->max_size ? ed->max_size : UNB, 0.1));
	return mul(recv->size, el);
}

/* What a function of the Kubernetes libraries costs by the API server's
 * estimator (k8s.io/apiserver/pkg/cel/library cost.go EstimateCallCost),
 * which replaces the call's own cost: a parse 0.1 per character of the
 * string it reads, a list function one per element (and 0.1 per character
 * of string elements), a regular expression the traversal times 0.25 per
 * character of the pattern. false: not one of them (the standard cost). */
static bool k8s_cost(uint64_t *out, const char *name, const info *recv, const info *args, size_t n)
{
	static const char *const parse1[] = {"cidr",       "ip",       "isCIDR", "isIP",
	                                     "isQuantity", "quantity", "url"};
	static const char *const nominal[] = {
		"add",
		"asApproximateFloat",
		"asInteger",
		"compareTo",
		"family",
		"format.named",
		"getEscapedPath",
		"getHost",
		"getHostname",
		"getPort",
		"getQuery",
		"getScheme",
		"isGlobalUnicast",
		"isGreaterThan",
		"isInteger",
		"isLessThan",
		"isLinkLocalMulticast",
		"isLinkLocalUnicast",
		"isLoopback",
		"isUnspecified",
		"masked",
		"prefixLength",
		"sign",
		"sub",
	};
	static const char *const lists[] = {"indexOf", "isSorted", "lastIndexOf",
	                                    "max",     "min",      "sum"};
	/* a CIDR's ip() is nominal too: the address it holds */
	if (listed(name, nominal, COUNT(nominal)) || (recv && strcmp(name, "ip") == 0))
		return cost_is(out, 1);
	if (listed(name, parse1, COUNT(parse1)))
		return !recv && n >= 1 && cost_is(out, factor(args[0].size, 0.1));
	if (strcmp(name, "ip.isCanonical") == 0)
		return n >= 1 && cost_is(out, factor(args[0].size, 0.2));
	if (!recv)
		return false;
	if (listed(name, lists, COUNT(lists)))
		return recv->t == TC_CEL_TY_LIST && cost_is(out, k8s_list_cost(recv));
	return n >= 1 && k8s_arg_cost(out, name, recv, &args[0]);
}

static bool fits(char letter, tc_cel_tkind t)
{
	if (t == TC_CEL_TY_DYN || letter == '*')
		return true;
	switch (letter) {
	case 's':
		return t == TC_CEL_TY_STRING;
	case 'y':
		return t == TC_CEL_TY_BYTES;
	case 'i':
		return t == TC_CEL_TY_INT;
	case 'u':
		return t == TC_CEL_TY_UINT;
	case 'd':
		return t == TC_CEL_TY_DOUBLE;
	case 'b':
		return t == TC_CEL_TY_BOOL;
	case 'l':
		return t == TC_CEL_TY_LIST;
	case 'm':
		return t == TC_CEL_TY_MAP;
	case 't':
		return t == TC_CEL_TY_TIMESTAMP;
	case 'r':
		return t == TC_CEL_TY_DURATION;
	case 'o':
		return t == TC_CEL_TY_OPTIONAL;
	case 'n':
		return t == TC_CEL_TY_INT || t == TC_CEL_TY_UINT || t == TC_CEL_TY_DOUBLE;
	default:
		return false;
	}
}

static bool fits_any(const char *letters, tc_cel_tkind t)
{
	if (!letters)
		return true;
	for (const char *p = letters; *p; p++)
		if (fits(*p, t))
			return true;
	return false;
}

static bool sig_takes(const tc_cel_sig *s, const info *recv, const info *args, size_t n)
{
	if (n < s->min_args || (s->max_args != ANY && n > s->max_args))
		return false;
	if (recv && !fits_any(s->recv, recv->t))
		return false;
	/* the positions are separated by spaces; the last one repeats */
	const char *pos = s->args;
	for (size_t i = 0; i < n && pos; i++) {
		const char *end = strchr(pos, ' ');
		size_t len = end ? (size_t)(end - pos) : strlen(pos);
		bool ok = false;
		for (size_t k = 0; k < len; k++)
			ok |= fits(pos[k], args[i].t);
		if (!ok)
			return false;
		if (end)
			pos = end + 1;
	}
	return true;
}

/* the signatures of name: the standard ones and the environment's */
static bool find_sigs(const checker *ck, const char *name, const tc_cel_sig **out, size_t *nout,
                      size_t cap)
{
	*nout = 0;
	for (size_t i = 0; i < sizeof std_sigs / sizeof std_sigs[0]; i++)
		if (strcmp(std_sigs[i].name, name) == 0 && *nout < cap)
			out[(*nout)++] = &std_sigs[i];
	if (ck->env)
		for (size_t i = 0; i < ck->env->nsigs; i++)
			if (strcmp(ck->env->sigs[i].name, name) == 0 && *nout < cap)
				out[(*nout)++] = &ck->env->sigs[i];
	if (!*nout && ck->env && ck->env->runtime) {
		const tc_cel_func *f;
		for (size_t t = 0; *nout < cap && (f = tc_cel_env_find(ck->env->runtime, name, &t));
		     t++) {
			tc_cel_sig *s = tc_arena_alloc(ck->a, sizeof *s);
			*s = (tc_cel_sig){.name = f->name,
			                  .method = f->method,
			                  .global = f->global,
			                  .min_args = 0,
			                  .max_args = ANY,
			                  .result = TC_CEL_TY_DYN};
			out[(*nout)++] = s;
		}
	}
	return *nout > 0;
}

/* ---- names ---- */

static const tc_cel_check_var *find_var(const checker *ck, const char *name)
{
	if (!ck->env)
		return NULL;
	for (size_t i = 0; i < ck->env->nvars; i++)
		if (strcmp(ck->env->vars[i].name, name) == 0)
			return &ck->env->vars[i];
	return NULL;
}

static bool type_name(const char *name)
{
	return tc_cel_builtin_type(name) != NULL;
}

static const vscope *find_scope(const vscope *sc, const char *name)
{
	for (; sc; sc = sc->up)
		if (strcmp(sc->name, name) == 0)
			return sc;
	return NULL;
}

/* the dotted name an IDENT/SELECT chain spells when no scope variable
 * starts it, else NULL */
static const char *qualified(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	if (e->op == TC_CEL_E_IDENT)
		return find_scope(sc, e->name) ? NULL : e->name;
	if (e->op != TC_CEL_E_SELECT || e->optional)
		return NULL;
	const char *up = qualified(ck, e->args[0], sc);
	return up ? tc_arena_printf(ck->a, "%s.%s", up, e->name) : NULL;
}

/* ---- the walk ---- */

static info walk(checker *ck, const tc_cel_expr *e, const vscope *sc);

static void overload_error(checker *ck, const tc_cel_expr *e, const char *name, const info *recv,
                           const info *args, size_t n)
{
	char buf[512];
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n + (recv ? 1 : 0) && k < sizeof buf - 64; i++) {
		const info *x = recv ? (i == 0 ? recv : &args[i - 1]) : &args[i];
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "",
		                      tc_cel_tkind_name(x->t));
	}
	report(ck, e,
	       tc_arena_printf(ck->a, "found no matching overload for '%s' applied to '(%s)'", name,
	                       buf));
}

static void need_bool(checker *ck, const tc_cel_expr *e, const info *x, const char *op)
{
	if (x->t != TC_CEL_TY_DYN && x->t != TC_CEL_TY_BOOL)
		overload_error(ck, e, op, NULL, x, 1);
}

static bool numeric(tc_cel_tkind t)
{
	return t == TC_CEL_TY_INT || t == TC_CEL_TY_UINT || t == TC_CEL_TY_DOUBLE;
}

/* the result kind of + on known kinds other than numbers; -1 when no
 * overload takes them */
static int sum_kind(tc_cel_tkind x, tc_cel_tkind y)
{
	if (x == y && (x == TC_CEL_TY_STRING || x == TC_CEL_TY_BYTES || x == TC_CEL_TY_LIST ||
	               x == TC_CEL_TY_DURATION))
		return x;
	if ((x == TC_CEL_TY_TIMESTAMP && y == TC_CEL_TY_DURATION) ||
	    (x == TC_CEL_TY_DURATION && y == TC_CEL_TY_TIMESTAMP))
		return TC_CEL_TY_TIMESTAMP;
	return -1;
}

/* the same for - */
static int difference_kind(tc_cel_tkind x, tc_cel_tkind y)
{
	if (x == TC_CEL_TY_DURATION && y == TC_CEL_TY_DURATION)
		return x;
	if (x == TC_CEL_TY_TIMESTAMP && y == TC_CEL_TY_DURATION)
		return x;
	if (x == TC_CEL_TY_TIMESTAMP && y == TC_CEL_TY_TIMESTAMP)
		return TC_CEL_TY_DURATION;
	return -1;
}

/* the result kind of an arithmetic operator on known kinds; DYN when not
 * known; -1 when no overload takes them */
static int arith(tc_cel_fop op, tc_cel_tkind x, tc_cel_tkind y)
{
	if (x == TC_CEL_TY_DYN || y == TC_CEL_TY_DYN)
		return TC_CEL_TY_DYN;
	if (numeric(x) && x == y)
		return op == TC_CEL_F_MOD && x == TC_CEL_TY_DOUBLE ? -1 : (int)x;
	if (op == TC_CEL_F_ADD)
		return sum_kind(x, y);
	if (op == TC_CEL_F_SUB)
		return difference_kind(x, y);
	return -1;
}

static bool ordered(tc_cel_tkind x, tc_cel_tkind y)
{
	if (x == TC_CEL_TY_DYN || y == TC_CEL_TY_DYN)
		return true;
	if (numeric(x) && numeric(y))
		return true;
	return x == y && (x == TC_CEL_TY_STRING || x == TC_CEL_TY_BYTES || x == TC_CEL_TY_BOOL ||
	                  x == TC_CEL_TY_DURATION || x == TC_CEL_TY_TIMESTAMP);
}

/* values whose comparison walks them: strings, bytes, lists, maps */
static bool sized(tc_cel_tkind t)
{
	return t == TC_CEL_TY_STRING || t == TC_CEL_TY_BYTES || t == TC_CEL_TY_LIST ||
	       t == TC_CEL_TY_MAP;
}

/* comparing two sized values: 0.1 per element of the smaller (cel-go: at
 * least 1 when it can be non-empty) */
static void compare_cost(info *r, const info *x, const info *y)
{
	uint64_t sx = sized(x->t) ? x->size : 1, sy = sized(y->t) ? y->size : 1;
	uint64_t m = sx < sy ? sx : sy;
	r->cmin = m ? 1 : 0;
	r->cmax = factor(m, 0.1);
}

/* + - * / %: the result kind, and for strings, bytes and lists the size;
 * strings and bytes are copied, 0.1 per character */
static info arith_call(checker *ck, const tc_cel_expr *e, info *v)
{
	info r = known(TC_CEL_TY_DYN, 1);
	int t = arith(e->fop, v[0].t, v[1].t);
	if (t < 0) {
		overload_error(ck, e, e->name, NULL, v, 2);
		return r;
	}
	r.t = (tc_cel_tkind)t;
	if (r.t == TC_CEL_TY_STRING || r.t == TC_CEL_TY_BYTES || r.t == TC_CEL_TY_LIST) {
		r.size = add(v[0].size, v[1].size);
		if (r.t != TC_CEL_TY_LIST)
			r.cmin = r.cmax = factor(r.size, 0.1);
	}
	return r;
}

static info op_call(checker *ck, const tc_cel_expr *e, info *v)
{
	info r = known(TC_CEL_TY_BOOL, 1);
	info *x = &v[0], *y = e->nargs > 1 ? &v[1] : NULL;
	switch (e->fop) {
	case TC_CEL_F_NOT:
		need_bool(ck, e, x, "!_");
		return r;
	case TC_CEL_F_NEG:
		if (x->t != TC_CEL_TY_DYN && x->t != TC_CEL_TY_INT && x->t != TC_CEL_TY_DOUBLE &&
		    x->t != TC_CEL_TY_DURATION)
			overload_error(ck, e, "-_", NULL, v, 1);
		r.t = x->t;
		return r;
	case TC_CEL_F_EQ:
	case TC_CEL_F_NE:
		if (sized(x->t) || sized(y->t))
			compare_cost(&r, x, y);
		return r;
	case TC_CEL_F_LT:
	case TC_CEL_F_LE:
	case TC_CEL_F_GT:
	case TC_CEL_F_GE:
		if (!ordered(x->t, y->t))
			overload_error(ck, e, e->name, NULL, v, 2);
		if (x->t == TC_CEL_TY_STRING || x->t == TC_CEL_TY_BYTES)
			compare_cost(&r, x, y);
		return r;
	case TC_CEL_F_IN:
		if (y->t != TC_CEL_TY_DYN && y->t != TC_CEL_TY_LIST && y->t != TC_CEL_TY_MAP)
			overload_error(ck, e, "@in", NULL, v, 2);
		if (y->t != TC_CEL_TY_MAP)
			r.cmax = y->size; /* a list is searched element by element */
		return r;
	default:
		return arith_call(ck, e, v);
	}
}

/* ns.fn(args): a qualified global function (math.least) when ns names no
 * variable; then *name becomes the whole name and *recv NULL */
static void qualified_global(checker *ck, const tc_cel_expr *e, const vscope *sc, const char **name,
                             const tc_cel_expr **recv)
{
	const char *q = qualified(ck, e->recv, sc);
	if (!q || find_var(ck, q))
		return;
	const char *full = tc_arena_printf(ck->a, "%s.%s", q, e->name);
	const tc_cel_sig *sigs[16];
	size_t ns;
	if (!find_sigs(ck, full, sigs, &ns, 16))
		return;
	for (size_t i = 0; i < ns; i++)
		if (sigs[i]->global) {
			*name = full;
			*recv = NULL;
			return;
		}
}

/* The result kind of a call of name from its signatures: the one result
 * of those that take the arguments, DYN when they disagree or none does.
 * Reports a name with no signature of the call's form (method or global)
 * and arguments no signature takes. */
static tc_cel_tkind overload(checker *ck, const tc_cel_expr *e, const char *name,
                             const tc_cel_sig *const *sigs, size_t ns, const info *recv,
                             const info *v, size_t n)
{
	size_t form = 0, arity = 0, typed = 0;
	const tc_cel_sig *match = NULL;
	bool same_result = true;
	for (size_t i = 0; i < ns; i++) {
		const tc_cel_sig *s = sigs[i];
		if (recv ? !s->method : !s->global)
			continue;
		form++;
		if (n < s->min_args || (s->max_args != ANY && n > s->max_args))
			continue;
		arity++;
		if (!sig_takes(s, recv, v, n))
			continue;
		typed++;
		same_result &= !match || match->result == s->result;
		match = s;
	}
	if (!form)
		report(ck, e, tc_arena_printf(ck->a, "undeclared reference to '%s'", name));
	else if (!arity || !typed)
		overload_error(ck, e, name, recv, v, n);
	return match && same_result ? match->result : TC_CEL_TY_DYN;
}

/* the string methods whose cost depends on the receiver or the argument;
 * false: not one of them */
static bool method_cost(uint64_t *out, const char *name, const info *recv, const info *v, size_t n)
{
	static const char *const walks[] = {"lowerAscii", "substring", "trim", "upperAscii"};
	static const char *const copies[] = {"replace", "split"};
	if (n == 1 && (strcmp(name, "startsWith") == 0 || strcmp(name, "endsWith") == 0))
		return cost_is(out, factor(v[0].size, 0.1)); /* the prefix is what is compared */
	if (n == 1 && strcmp(name, "contains") == 0)
		return cost_is(out, mul(factor(recv->size, 0.1), factor(v[0].size, 0.1)));
	if (listed(name, walks, COUNT(walks)))
		return cost_is(out, factor(recv->size, 0.1));
	if (listed(name, copies, COUNT(copies)))
		return cost_is(out, factor(recv->size, 0.2));
	return false;
}

/* what the function itself costs */
static uint64_t own_cost(const checker *ck, const char *name, const info *recv, const info *v,
                         size_t n)
{
	uint64_t own = 1;
	if (ck->env && ck->env->runtime && k8s_cost(&own, name, recv, v, n))
		return own;
	const info *s = recv ? recv : n ? &v[0] : NULL;
	if (!s)
		return 1;
	if (strcmp(name, "matches") == 0)
		return (recv ? n >= 1 : n >= 2) ? regex_cost(s, recv ? &v[0] : &v[1]) : 1;
	if (recv && method_cost(&own, name, recv, v, n))
		return own;
	return listed(name, traversing, COUNT(traversing)) ? add(1, factor(s->size, 0.1)) : 1;
}

/* the size of what a string or list function returns from its subject s */
static uint64_t result_size(const char *name, tc_cel_tkind t, const info *s)
{
	static const char *const same[] = {"charAt",    "lowerAscii", "reverse",
	                                   "substring", "trim",       "upperAscii"};
	if (!s)
		return UNB;
	if (strcmp(name, "split") == 0)
		return add(s->size, 1);
	if ((t == TC_CEL_TY_STRING || t == TC_CEL_TY_LIST) && listed(name, same, COUNT(same)))
		return s->size;
	return UNB;
}

static info call(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	const char *name = e->name;
	const tc_cel_expr *recv = e->recv;
	if (recv)
		qualified_global(ck, e, sc, &name, &recv);
	size_t n = e->nargs;
	info *v = tc_arena_alloc(ck->a, (n + 1) * sizeof *v);
	info rv = {0};
	uint64_t cmin = 1, cmax = 1;
	if (recv) {
		rv = walk(ck, recv, sc);
		cmin = add(cmin, rv.cmin);
		cmax = add(cmax, rv.cmax);
	}
	for (size_t i = 0; i < n; i++) {
		v[i] = walk(ck, e->args[i], sc);
		cmin = add(cmin, v[i].cmin);
		cmax = add(cmax, v[i].cmax);
	}
	info r = known(TC_CEL_TY_DYN, 0);
	if (e->fop) {
		r = op_call(ck, e, v);
		r.cmin = add(r.cmin, cmin - 1);
		r.cmax = add(r.cmax, cmax - 1);
		return r;
	}
	const tc_cel_sig *sigs[16];
	size_t ns;
	if (!find_sigs(ck, name, sigs, &ns, 16)) {
		report(ck, e, tc_arena_printf(ck->a, "undeclared reference to '%s'", name));
		r.cmin = cmin;
		r.cmax = cmax;
		return r;
	}
	const info *ri = recv ? &rv : NULL;
	r.t = overload(ck, e, name, sigs, ns, ri, v, n);
	uint64_t own = own_cost(ck, name, ri, v, n);
	r.size = result_size(name, r.t, recv ? &rv : n ? &v[0] : NULL);
	r.cmin = add(cmin - 1, own);
	r.cmax = add(cmax - 1, own);
	return r;
}

static info select_(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	const char *q = qualified(ck, e, sc);
	if (q) {
		const tc_cel_check_var *var = find_var(ck, q[0] == '.' ? q + 1 : q);
		if (var)
			return of_decl(var->decl, 1);
		if (type_name(q))
			return known(TC_CEL_TY_TYPE, 1);
	}
	info x = walk(ck, e->args[0], sc);
	info r = known(TC_CEL_TY_DYN, 0);
	if (x.t != TC_CEL_TY_DYN && x.t != TC_CEL_TY_MAP && x.t != TC_CEL_TY_OPTIONAL) {
		report(ck, e,
		       tc_arena_printf(ck->a, "type '%s' does not support field selection",
		                       tc_cel_tkind_name(x.t)));
	} else if (x.decl && x.t == TC_CEL_TY_MAP) {
		const tc_cel_decl *d = x.decl->elem;
		for (size_t i = 0; i < x.decl->nfields; i++)
			if (strcmp(x.decl->field_names[i], e->name) == 0)
				d = x.decl->field_decls[i];
		r = of_decl(d, 0);
	}
	if (e->optional || x.t == TC_CEL_TY_OPTIONAL) {
		r = known(TC_CEL_TY_OPTIONAL, 0);
	}
	r.cmin = add(x.cmin, 1);
	r.cmax = add(x.cmax, 1);
	return r;
}

static info index_(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	info x = walk(ck, e->args[0], sc), i = walk(ck, e->args[1], sc);
	info r = known(TC_CEL_TY_DYN, 0);
	if (x.t == TC_CEL_TY_LIST) {
		if (i.t != TC_CEL_TY_DYN && !numeric(i.t)) {
			info v[2] = {x, i};
			overload_error(ck, e, "_[_]", NULL, v, 2);
		}
		if (x.decl)
			r = of_decl(x.decl->elem, 0);
	} else if (x.t == TC_CEL_TY_MAP) {
		if (x.decl)
			r = of_decl(x.decl->elem, 0);
		if (x.decl && i.lit)
			for (size_t k = 0; k < x.decl->nfields; k++)
				if (strcmp(x.decl->field_names[k], i.lit) == 0)
					r = of_decl(x.decl->field_decls[k], 0);
	} else if (x.t != TC_CEL_TY_DYN && x.t != TC_CEL_TY_OPTIONAL) {
		info v[2] = {x, i};
		overload_error(ck, e, "_[_]", NULL, v, 2);
	}
	if (e->optional || x.t == TC_CEL_TY_OPTIONAL)
		r = known(TC_CEL_TY_OPTIONAL, 0);
	r.cmin = add(add(x.cmin, i.cmin), 1);
	r.cmax = add(add(x.cmax, i.cmax), 1);
	return r;
}

/* cel.block: each slot is evaluated once, so its cost counts once */
static info block(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	size_t n = e->nargs - 1;
	vscope *s = tc_arena_calloc(ck->a, (n + 1) * sizeof *s);
	const vscope *up = sc;
	uint64_t slots = 0;
	for (size_t i = 0; i < n; i++) {
		info x = walk(ck, e->args[i], up);
		slots = add(slots, x.cmax);
		s[i].up = up;
		s[i].name = tc_arena_printf(ck->a, "@index%zu", i);
		s[i].val = x;
		s[i].val.cmin = s[i].val.cmax = 1; /* evaluated once: its cost is in slots */
		up = &s[i];
	}
	info r = walk(ck, e->args[n], up);
	r.cmax = add(r.cmax, slots);
	return r;
}

/* cel.bind: the value is computed once */
static info bind(checker *ck, const tc_cel_expr *e, const vscope *sc, info value)
{
	vscope s = {sc, e->name, value};
	s.val.cmin = s.val.cmax = 1;
	info r = walk(ck, e->args[1], &s);
	r.cmin = add(r.cmin, value.cmin);
	r.cmax = add(r.cmax, value.cmax);
	return r;
}

/* optMap, optFlatMap over an optional */
static info opt_map(checker *ck, const tc_cel_expr *e, const vscope *sc, info range)
{
	if (range.t != TC_CEL_TY_DYN && range.t != TC_CEL_TY_OPTIONAL)
		overload_error(ck, e, e->macro == TC_CEL_M_OPT_MAP ? "optMap" : "optFlatMap",
		               &range, NULL, 0);
	vscope s = {sc, e->name, known(TC_CEL_TY_DYN, 1)};
	info b = walk(ck, e->args[1], &s);
	info r = known(TC_CEL_TY_OPTIONAL, 0);
	r.cmin = range.cmin;
	r.cmax = add(range.cmax, add(b.cmax, 1));
	return r;
}

/* The variables of a macro over range: the element (a map's key); with
 * two, the index or the key, and the element or the value. Returns the
 * innermost scope. */
static const vscope *comp_vars(const tc_cel_expr *e, const vscope *sc, const info *range,
                               vscope *s1, vscope *s2)
{
	bool list = range->t == TC_CEL_TY_LIST;
	info elem = of_decl(range->decl ? range->decl->elem : NULL, 1);
	info key = range->t == TC_CEL_TY_MAP ? known(TC_CEL_TY_DYN, 1) : elem;
	if (range->t == TC_CEL_TY_MAP && range->decl && range->decl->nfields)
		key = known(TC_CEL_TY_STRING, 1);
	*s1 = (vscope){sc, e->name, e->name2 ? (list ? known(TC_CEL_TY_INT, 1) : key) : key};
	*s2 = (vscope){s1, e->name2 ? e->name2 : "", elem};
	return e->name2 ? s2 : s1;
}

/* all, exists, exists_one, filter, map, transformMap: what the result is,
 * and what the macro costs per element (*step) and once (*init) */
static info comp_result(checker *ck, const tc_cel_expr *e, const vscope *s, const info *range,
                        uint64_t *step, uint64_t *init)
{
	info r = known(TC_CEL_TY_BOOL, 0);
	switch (e->macro) {
	case TC_CEL_M_ALL:
	case TC_CEL_M_EXISTS:
	case TC_CEL_M_EXISTS_ONE:
		*step = add(*step, 3);
		return r;
	case TC_CEL_M_FILTER:
		*step = add(*step, 13);
		*init = 10;
		r = known(TC_CEL_TY_LIST, 0);
		r.size = range->size;
		r.decl = range->t == TC_CEL_TY_LIST ? range->decl : NULL;
		return r;
	default: {
		bool map = e->macro == TC_CEL_M_MAP;
		info t = walk(ck, e->args[1], s);
		*step = add(*step, add(t.cmax, map ? 12 : 32));
		*init = map ? 10 : 30;
		r = known(map ? TC_CEL_TY_LIST : TC_CEL_TY_MAP, 0);
		r.size = range->size;
		return r;
	}
	}
}

/* a macro over a list or a map */
static info comprehension(checker *ck, const tc_cel_expr *e, const vscope *sc, info range)
{
	if (range.t != TC_CEL_TY_DYN && range.t != TC_CEL_TY_LIST && range.t != TC_CEL_TY_MAP)
		report(ck, e,
		       tc_arena_printf(ck->a,
		                       "expression of type '%s' cannot be the range of a "
		                       "comprehension",
		                       tc_cel_tkind_name(range.t)));
	vscope s1, s2;
	const vscope *s = comp_vars(e, sc, &range, &s1, &s2);
	uint64_t step = 0, init = 0;
	bool mapping = e->macro == TC_CEL_M_MAP || e->macro == TC_CEL_M_TRANSFORM_MAP;
	if (!mapping || e->nargs == 3) {
		const tc_cel_expr *pe = e->args[mapping ? 2 : 1];
		info p = walk(ck, pe, s);
		need_bool(ck, pe, &p, "predicate");
		step = add(step, p.cmax);
	}
	info r = comp_result(ck, e, s, &range, &step, &init);
	r.cmin = add(range.cmin, init);
	r.cmax = add(add(range.cmax, init), mul(range.size, step));
	return r;
}

static info comp(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	if (e->macro == TC_CEL_M_BLOCK)
		return block(ck, e, sc);
	info range = walk(ck, e->args[0], sc);
	if (e->macro == TC_CEL_M_BIND)
		return bind(ck, e, sc, range);
	if (e->macro == TC_CEL_M_OPT_MAP || e->macro == TC_CEL_M_OPT_FLAT_MAP)
		return opt_map(ck, e, sc, range);
	return comprehension(ck, e, sc, range);
}

static info literal(const tc_cel_expr *e)
{
	info r = known(kind_of_val(e->lit), 0);
	r.size = val_size(e->lit);
	if (e->lit->kind == TC_CEL_STRING)
		r.lit = e->lit->u.s.ptr;
	return r;
}

/* a name: a macro's variable, the environment's, a type; a leading dot
 * skips the macros' variables */
static info ident(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	const char *name = e->name[0] == '.' ? e->name + 1 : e->name;
	const vscope *s = e->name[0] == '.' ? NULL : find_scope(sc, e->name);
	if (s)
		return s->val;
	const tc_cel_check_var *var = find_var(ck, name);
	if (var)
		return of_decl(var->decl, 1);
	if (type_name(name))
		return known(TC_CEL_TY_TYPE, 1);
	if (ck->env && !ck->env->any_var)
		report(ck, e, tc_arena_printf(ck->a, "undeclared reference to '%s'", name));
	return known(TC_CEL_TY_DYN, 1);
}

static info has(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	info x = walk(ck, e->args[0], sc);
	if (x.t != TC_CEL_TY_DYN && x.t != TC_CEL_TY_MAP && x.t != TC_CEL_TY_OPTIONAL)
		report(ck, e,
		       tc_arena_printf(ck->a, "invalid type for has(): '%s'",
		                       tc_cel_tkind_name(x.t)));
	info r = known(TC_CEL_TY_BOOL, 0);
	r.cmin = add(x.cmin, 1);
	r.cmax = add(x.cmax, 1);
	return r;
}

static void need_key(checker *ck, const tc_cel_expr *e, const info *x)
{
	if (x->t != TC_CEL_TY_DYN && x->t != TC_CEL_TY_STRING && x->t != TC_CEL_TY_INT &&
	    x->t != TC_CEL_TY_UINT && x->t != TC_CEL_TY_BOOL)
		report(ck, e,
		       tc_arena_printf(ck->a, "unsupported key type '%s'",
		                       tc_cel_tkind_name(x->t)));
}

/* what the elements (a map's values) of a list or map literal have in
 * common, built up one element at a time */
typedef struct {
	tc_cel_decl *el;
	bool first, unbounded;
	uint64_t biggest;
} elements;

static void elements_add(elements *acc, const info *x, bool optional)
{
	tc_cel_tkind k = optional ? TC_CEL_TY_DYN : x->t;
	if (acc->first)
		acc->el->kind = k;
	else if (acc->el->kind != k)
		acc->el->kind = TC_CEL_TY_DYN;
	acc->first = false;
	if (x->size == UNB)
		acc->unbounded = true;
	else if (x->size > acc->biggest)
		acc->biggest = x->size;
}

/* [a, b, ...] and {k: v, ...} */
static info aggregate(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	bool m = e->op == TC_CEL_E_MAP;
	info r = known(m ? TC_CEL_TY_MAP : TC_CEL_TY_LIST, m ? 30 : 10);
	tc_cel_decl *d = tc_arena_calloc(ck->a, sizeof *d);
	d->kind = r.t;
	r.size = m ? e->nargs / 2 : e->nargs;
	d->max_size = r.size;
	elements acc = {.el = tc_arena_calloc(ck->a, sizeof *acc.el), .first = true};
	for (size_t i = 0; i < e->nargs; i++) {
		info x = walk(ck, e->args[i], sc);
		r.cmin = add(r.cmin, x.cmin);
		r.cmax = add(r.cmax, x.cmax);
		if (m && i % 2 == 0) {
			need_key(ck, e->args[i], &x);
			continue;
		}
		size_t pos = m ? i / 2 : i;
		elements_add(&acc, &x, pos < 64 && (e->optmask >> pos & 1));
	}
	acc.el->max_size = acc.unbounded ? 0 : acc.biggest;
	d->elem = acc.el;
	r.decl = d;
	return r;
}

/* a message literal: reported, its fields still checked */
static info message(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	report(ck, e,
	       tc_arena_printf(ck->a, "unknown type '%s': message types are not supported",
	                       e->name));
	for (size_t i = 0; i < e->nargs; i++)
		(void)walk(ck, e->args[i], sc);
	info r = known(TC_CEL_TY_DYN, 0);
	r.cmin = r.cmax = 40;
	return r;
}

static info cond(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	info c = walk(ck, e->args[0], sc), x = walk(ck, e->args[1], sc),
	     y = walk(ck, e->args[2], sc);
	need_bool(ck, e->args[0], &c, "_?_:_");
	info r = known(x.t == y.t ? x.t : TC_CEL_TY_DYN, 0);
	if (x.t == y.t && x.decl == y.decl)
		r.decl = x.decl;
	r.size = x.size > y.size ? x.size : y.size;
	r.cmin = add(c.cmin, x.cmin < y.cmin ? x.cmin : y.cmin);
	r.cmax = add(c.cmax, x.cmax > y.cmax ? x.cmax : y.cmax);
	return r;
}

/* && and || */
static info logic(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	info x = walk(ck, e->args[0], sc), y = walk(ck, e->args[1], sc);
	const char *op = e->op == TC_CEL_E_AND ? "_&&_" : "_||_";
	need_bool(ck, e->args[0], &x, op);
	need_bool(ck, e->args[1], &y, op);
	info r = known(TC_CEL_TY_BOOL, 0);
	r.cmin = x.cmin; /* the first operand is always evaluated */
	r.cmax = add(x.cmax, y.cmax);
	return r;
}

static info walk(checker *ck, const tc_cel_expr *e, const vscope *sc)
{
	switch (e->op) {
	case TC_CEL_E_LIT:
		return literal(e);
	case TC_CEL_E_IDENT:
		return ident(ck, e, sc);
	case TC_CEL_E_SELECT:
		return select_(ck, e, sc);
	case TC_CEL_E_HAS:
		return has(ck, e, sc);
	case TC_CEL_E_INDEX:
		return index_(ck, e, sc);
	case TC_CEL_E_CALL:
		return call(ck, e, sc);
	case TC_CEL_E_LIST:
	case TC_CEL_E_MAP:
		return aggregate(ck, e, sc);
	case TC_CEL_E_MSG:
		return message(ck, e, sc);
	case TC_CEL_E_COND:
		return cond(ck, e, sc);
	case TC_CEL_E_AND:
	case TC_CEL_E_OR:
		return logic(ck, e, sc);
	case TC_CEL_E_COMP:
		return comp(ck, e, sc);
	}
	return known(TC_CEL_TY_DYN, 0);
}

static int err_cmp(const void *x, const void *y)
{
	const tc_cel_check_error *a = x, *b = y;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->msg, b->msg);
}

void tc_cel_check(tc_cel_check_result *out, tc_arena *a, const tc_cel_expr *e,
                  const tc_cel_check_env *env)
{
	checker ck = {.a = a, .env = env};
	info r = walk(&ck, e, NULL);
	if (ck.n)
		qsort(ck.errs, ck.n, sizeof *ck.errs, err_cmp);
	out->type = r.t;
	out->cost_min = r.cmin;
	out->cost_max = r.cmax < r.cmin ? r.cmin : r.cmax;
	out->errors = ck.errs;
	out->nerrors = ck.n;
}
