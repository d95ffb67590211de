/*
 * cel_eval.c - the CEL evaluator: a tree walk over the parsed expression.
 *
 * Errors are values (TC_CEL_ERROR), as the CEL language definition says
 * ("Runtime errors"): a function given an error returns it, && and ||
 * are commutative with respect to errors (false && error is false, true
 * || error is true, in either order), the ?: condition and the macros
 * all/exists absorb errors the same way, and only the top level turns an
 * error into a diagnostic. Integer arithmetic is checked: overflow,
 * division and modulus by zero are errors.
 *
 * Names resolve in the order: comprehension variables, then the
 * environment's variables (a dotted name such as a.b.c may be one
 * variable), then the type names (int, string, google.protobuf.Duration,
 * ...). Functions come from the environment's tables, each sorted by name;
 * the operators are built in here.
 *
 * The cost budget: one unit per node evaluated and per element a macro
 * visits, and what the functions charge for the elements they touch. When
 * it runs out the evaluation unwinds with the error "cost budget
 * exceeded", which no && or || can absorb.
 */
#include "cel_eval.h"

#include "cel_lib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct scope {
	const struct scope *up;
	const char *name;
	tc_cel_val *val;
	/* a cel.block slot: evaluated on first use, in the scope up, and kept */
	const tc_cel_expr *lazy;
	tc_cel_val **cell;
} scope;

bool tc_cel_charge(tc_cel_ctx *c, uint64_t n)
{
	c->cost += n;
	if (c->cost > c->limit)
		c->exhausted = true;
	return !c->exhausted;
}

static int var_cmp(const void *a, const void *b)
{
	return strcmp(((const tc_cel_var *)a)->name, ((const tc_cel_var *)b)->name);
}

void tc_cel_vars_sort(tc_cel_var *vars, size_t n)
{
	if (n)
		qsort(vars, n, sizeof *vars, var_cmp);
}

void tc_cel_env_init(tc_cel_env *env, const tc_cel_var *vars, size_t nvars)
{
	memset(env, 0, sizeof *env);
	env->tables = tc_cel_std_tables;
	env->ntables = tc_cel_std_ntables;
	env->nt = TC_CEL_NSTD_TABLES;
	env->vars = vars;
	env->nvars = nvars;
	env->no_dotted_vars = true;
	for (size_t i = 0; i < nvars; i++)
		if (strchr(vars[i].name, '.'))
			env->no_dotted_vars = false;
}

static tc_cel_val *find_var(const tc_cel_env *env, const char *name)
{
	size_t lo = 0, hi = env->nvars;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *vn = env->vars[mid].name;
		/* the first byte decides most steps without a call */
		int c = vn[0] != name[0] ? (unsigned char)vn[0] - (unsigned char)name[0]
		                         : strcmp(vn, name);
		if (c == 0)
			return env->vars[mid].val;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The function `name` in the tables from *t on; *t is left at its table,
 * so that a caller can go on with the next table when an overload set
 * does not take the arguments (a library adding overloads to a name that
 * another table has, such as indexOf on lists and on strings). */
static const tc_cel_func *find_func_from(const tc_cel_env *env, const char *name, size_t *t)
{
	for (; *t < env->nt; (*t)++) {
		const tc_cel_func *tab = env->tables[*t];
		size_t lo = 0, hi = env->ntables[*t];
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const char *fn = tab[mid].name;
			int c = fn[0] != name[0] ? (unsigned char)fn[0] - (unsigned char)name[0]
			                         : strcmp(fn, name);
			if (c == 0)
				return &tab[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

const tc_cel_func *tc_cel_env_find(const tc_cel_env *env, const char *name, size_t *t)
{
	return find_func_from(env, name, t);
}

static const tc_cel_func *find_func(const tc_cel_env *env, const char *name)
{
	size_t t = 0;
	return find_func_from(env, name, &t);
}

static tc_cel_val *type_ident(tc_cel_ctx *c, const char *name)
{
	const char *t = tc_cel_builtin_type(name);
	return t ? tc_cel_type(c->a, t) : NULL;
}

static tc_cel_val *at(const tc_cel_expr *e, tc_cel_val *v)
{
	if (v->kind == TC_CEL_ERROR && !v->u.err.line) {
		v->u.err.line = e->line;
		v->u.err.col = e->col;
	}
	return v;
}

static tc_cel_val *eval(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc);

static tc_cel_val *no_overload(tc_cel_ctx *c, const char *op, const tc_cel_val *x,
                               const tc_cel_val *y)
{
	if (y)
		return tc_cel_error(c->a, "no such overload: %s(%s, %s)", op, tc_cel_type_name(x),
		                    tc_cel_type_name(y));
	return tc_cel_error(c->a, "no such overload: %s(%s)", op, tc_cel_type_name(x));
}

/* The result of an operation on inputs of which some are secret: secret
 * itself, and an error's message withheld (it may quote an input). */
static tc_cel_val *from_secret(tc_cel_ctx *c, const char *op, tc_cel_val *r)
{
	if (r->kind == TC_CEL_ERROR) {
		if (r->secret)
			return r;
		tc_cel_val *x =
			tc_cel_error(c->a, "%s failed on a secret value (the message is withheld)",
		                     op);
		x->secret = true;
		x->u.err.line = r->u.err.line;
		x->u.err.col = r->u.err.col;
		return x;
	}
	return tc_cel_secret(c->a, r);
}

static bool any_tainted(tc_cel_val *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tc_cel_tainted(v[i]))
			return true;
	return false;
}

static tc_cel_val *overflow(tc_cel_ctx *c)
{
	return tc_cel_error(c->a, "integer overflow");
}

static tc_cel_val *ts_add(tc_cel_ctx *c, const tc_cel_val *t, int64_t ns)
{
	int64_t sec = t->u.t.sec + ns / 1000000000, nsec = t->u.t.nsec + ns % 1000000000;
	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	} else if (nsec >= 1000000000) {
		nsec -= 1000000000;
		sec++;
	}
	if (sec < TC_CEL_TS_MIN || sec > TC_CEL_TS_MAX)
		return tc_cel_error(c->a, "timestamp out of range");
	return tc_cel_timestamp(c->a, sec, (int32_t)nsec);
}

/* a set: the union, X's order then Y's new elements; a map list: Y's
 * element replaces X's of the same keys in place, the others appended */
static tc_cel_val *concat_keyed(tc_cel_ctx *c, tc_cel_val *l, const tc_cel_val *x,
                                const tc_cel_val *y, size_t n)
{
	l->u.list.ltype = x->u.list.ltype;
	l->u.list.mkeys = x->u.list.mkeys;
	l->u.list.nmkeys = x->u.list.nmkeys;
	l->u.list.items = tc_arena_alloc(c->a, (n ? n : 1) * sizeof(tc_cel_val *));
	if (x->u.list.len)
		memcpy(l->u.list.items, x->u.list.items, x->u.list.len * sizeof(void *));
	if (!tc_cel_charge(c, x->u.list.len * y->u.list.len / 16))
		return tc_cel_error(c->a, "cost budget exceeded");
	for (size_t i = 0; i < y->u.list.len; i++) {
		tc_cel_val *e = y->u.list.items[i];
		long k = tc_cel_list_find(l, e);
		if (k < 0)
			l->u.list.items[l->u.list.len++] = e;
		else if (x->u.list.ltype == TC_CEL_LIST_MAP)
			l->u.list.items[k] = e;
	}
	return l;
}

static tc_cel_val *concat_lists(tc_cel_ctx *c, const tc_cel_val *x, const tc_cel_val *y)
{
	size_t n = x->u.list.len + y->u.list.len;
	if (n > TC_CEL_MAX_SIZE / sizeof(void *))
		return tc_cel_error(c->a, "list larger than the limit");
	if (!tc_cel_charge(c, n))
		return tc_cel_error(c->a, "cost budget exceeded");
	tc_cel_val *l = tc_cel_list(c->a, x->u.list.items, x->u.list.len);
	if (x->u.list.ltype)
		return concat_keyed(c, l, x, y, n);
	l->u.list.items = tc_arena_alloc(c->a, n * sizeof(tc_cel_val *));
	if (x->u.list.len)
		memcpy(l->u.list.items, x->u.list.items, x->u.list.len * sizeof(void *));
	if (y->u.list.len)
		memcpy(l->u.list.items + x->u.list.len, y->u.list.items,
		       y->u.list.len * sizeof(void *));
	l->u.list.len = n;
	return l;
}

/* strings and bytes */
static tc_cel_val *concat_strings(tc_cel_ctx *c, const tc_cel_val *x, const tc_cel_val *y)
{
	size_t n = x->u.s.len + y->u.s.len;
	if (n > TC_CEL_MAX_SIZE)
		return tc_cel_error(c->a, "string larger than the limit");
	if (!tc_cel_charge(c, n / 16))
		return tc_cel_error(c->a, "cost budget exceeded");
	char *p = tc_arena_alloc(c->a, n + 1);
	memcpy(p, x->u.s.ptr, x->u.s.len);
	memcpy(p + x->u.s.len, y->u.s.ptr, y->u.s.len);
	p[n] = 0;
	tc_cel_val *v =
		x->kind == TC_CEL_STRING ? tc_cel_string(c->a, "", 0) : tc_cel_bytes(c->a, "", 0);
	v->u.s.ptr = p;
	v->u.s.len = n;
	return v;
}

/* checked: overflow, division and modulus by zero are errors */
static tc_cel_val *arith_int(tc_cel_ctx *c, tc_cel_fop op, int64_t p, int64_t q)
{
	int64_t r;
	switch (op) {
	case TC_CEL_F_ADD:
		return __builtin_add_overflow(p, q, &r) ? overflow(c) : tc_cel_int(c->a, r);
	case TC_CEL_F_SUB:
		return __builtin_sub_overflow(p, q, &r) ? overflow(c) : tc_cel_int(c->a, r);
	case TC_CEL_F_MUL:
		return __builtin_mul_overflow(p, q, &r) ? overflow(c) : tc_cel_int(c->a, r);
	case TC_CEL_F_DIV:
		if (q == 0)
			return tc_cel_error(c->a, "division by zero");
		if (p == INT64_MIN && q == -1)
			return overflow(c);
		return tc_cel_int(c->a, p / q);
	default:
		if (q == 0)
			return tc_cel_error(c->a, "modulus by zero");
		if (p == INT64_MIN && q == -1)
			return overflow(c);
		return tc_cel_int(c->a, p % q);
	}
}

static tc_cel_val *arith_uint(tc_cel_ctx *c, tc_cel_fop op, uint64_t p, uint64_t q)
{
	uint64_t r;
	switch (op) {
	case TC_CEL_F_ADD:
		return __builtin_add_overflow(p, q, &r) ? overflow(c) : tc_cel_uint(c->a, r);
	case TC_CEL_F_SUB:
		return __builtin_sub_overflow(p, q, &r) ? overflow(c) : tc_cel_uint(c->a, r);
	case TC_CEL_F_MUL:
		return __builtin_mul_overflow(p, q, &r) ? overflow(c) : tc_cel_uint(c->a, r);
	case TC_CEL_F_DIV:
		return q == 0 ? tc_cel_error(c->a, "division by zero") : tc_cel_uint(c->a, p / q);
	default:
		return q == 0 ? tc_cel_error(c->a, "modulus by zero") : tc_cel_uint(c->a, p % q);
	}
}

/* NULL for %, which doubles do not have */
static tc_cel_val *arith_double(tc_cel_ctx *c, tc_cel_fop op, double p, double q)
{
	switch (op) {
	case TC_CEL_F_ADD:
		return tc_cel_double(c->a, p + q);
	case TC_CEL_F_SUB:
		return tc_cel_double(c->a, p - q);
	case TC_CEL_F_MUL:
		return tc_cel_double(c->a, p * q);
	case TC_CEL_F_DIV:
		return tc_cel_double(c->a, p / q);
	default:
		return NULL;
	}
}

/* duration +- duration, timestamp +- duration, duration + timestamp,
 * timestamp - timestamp; NULL for any other pair */
static tc_cel_val *arith_time(tc_cel_ctx *c, tc_cel_fop op, const tc_cel_val *x,
                              const tc_cel_val *y)
{
	bool add = op == TC_CEL_F_ADD;
	if (!add && op != TC_CEL_F_SUB)
		return NULL;
	if (x->kind == TC_CEL_DURATION && y->kind == TC_CEL_DURATION) {
		int64_t r;
		bool o = add ? __builtin_add_overflow(x->u.ns, y->u.ns, &r)
		             : __builtin_sub_overflow(x->u.ns, y->u.ns, &r);
		return o ? overflow(c) : tc_cel_duration(c->a, r);
	}
	if (x->kind == TC_CEL_TIMESTAMP && y->kind == TC_CEL_DURATION) {
		if (add)
			return ts_add(c, x, y->u.ns);
		return y->u.ns == INT64_MIN ? overflow(c) : ts_add(c, x, -y->u.ns);
	}
	if (add && x->kind == TC_CEL_DURATION && y->kind == TC_CEL_TIMESTAMP)
		return ts_add(c, y, x->u.ns);
	if (!add && x->kind == TC_CEL_TIMESTAMP && y->kind == TC_CEL_TIMESTAMP) {
		__int128 d = ((__int128)x->u.t.sec - y->u.t.sec) * 1000000000 +
		             (x->u.t.nsec - y->u.t.nsec);
		if (d > INT64_MAX || d < INT64_MIN)
			return overflow(c);
		return tc_cel_duration(c->a, (int64_t)d);
	}
	return NULL;
}

/* + - * / % on operands of the same kind, then the mixed time pairs */
static tc_cel_val *arith(tc_cel_ctx *c, tc_cel_fop op, const char *name, tc_cel_val *x,
                         tc_cel_val *y)
{
	tc_cel_val *r = NULL;
	if (x->kind == y->kind) {
		switch (x->kind) {
		case TC_CEL_INT:
			return arith_int(c, op, x->u.i, y->u.i);
		case TC_CEL_UINT:
			return arith_uint(c, op, x->u.u, y->u.u);
		case TC_CEL_DOUBLE:
			r = arith_double(c, op, x->u.d, y->u.d);
			break;
		case TC_CEL_STRING:
		case TC_CEL_BYTES:
			r = op == TC_CEL_F_ADD ? concat_strings(c, x, y) : NULL;
			break;
		case TC_CEL_LIST:
			r = op == TC_CEL_F_ADD ? concat_lists(c, x, y) : NULL;
			break;
		default:
			break;
		}
	}
	if (!r)
		r = arith_time(c, op, x, y);
	return r ? r : no_overload(c, name, x, y);
}

static tc_cel_val *contains(tc_cel_ctx *c, tc_cel_val *x, tc_cel_val *coll)
{
	if (coll->kind == TC_CEL_LIST) {
		for (size_t i = 0; i < coll->u.list.len; i++) {
			if (!tc_cel_charge(c, 1))
				return tc_cel_error(c->a, "cost budget exceeded");
			if (tc_cel_equal(x, coll->u.list.items[i]))
				return tc_cel_bool(c->a, true);
		}
		return tc_cel_bool(c->a, false);
	}
	if (coll->kind == TC_CEL_MAP)
		return tc_cel_bool(c->a, tc_cel_map_get(coll, x) != NULL);
	return no_overload(c, "@in", x, coll);
}

static tc_cel_val *negate(tc_cel_ctx *c, const tc_cel_val *x)
{
	if (x->kind == TC_CEL_INT)
		return x->u.i == INT64_MIN ? overflow(c) : tc_cel_int(c->a, -x->u.i);
	if (x->kind == TC_CEL_DOUBLE)
		return tc_cel_double(c->a, -x->u.d);
	if (x->kind == TC_CEL_DURATION && x->u.ns != INT64_MIN)
		return tc_cel_duration(c->a, -x->u.ns);
	return no_overload(c, "-_", x, NULL);
}

/* < <= > >=: false when a NaN takes part, no overload for operands that
 * do not compare */
static tc_cel_val *relation(tc_cel_ctx *c, const tc_cel_expr *e, const tc_cel_val *x,
                            const tc_cel_val *y)
{
	int r = tc_cel_compare(x, y);
	if (r == 2) {
		bool nan = (x->kind == TC_CEL_DOUBLE && isnan(x->u.d)) ||
		           (y->kind == TC_CEL_DOUBLE && isnan(y->u.d));
		if (!nan)
			return no_overload(c, e->name, x, y);
		return tc_cel_bool(c->a, false);
	}
	switch (e->fop) {
	case TC_CEL_F_LT:
		return tc_cel_bool(c->a, r < 0);
	case TC_CEL_F_LE:
		return tc_cel_bool(c->a, r <= 0);
	case TC_CEL_F_GT:
		return tc_cel_bool(c->a, r > 0);
	default:
		return tc_cel_bool(c->a, r >= 0);
	}
}

static tc_cel_val *op_call(tc_cel_ctx *c, const tc_cel_expr *e, tc_cel_val **v)
{
	tc_arena *a = c->a;
	tc_cel_val *x = v[0], *y = e->nargs > 1 ? v[1] : NULL;
	switch (e->fop) {
	case TC_CEL_F_NOT:
		return x->kind == TC_CEL_BOOL ? tc_cel_bool(a, !x->u.b)
		                              : no_overload(c, "!_", x, NULL);
	case TC_CEL_F_NEG:
		return negate(c, x);
	case TC_CEL_F_EQ:
		return tc_cel_bool(a, tc_cel_equal(x, y));
	case TC_CEL_F_NE:
		return tc_cel_bool(a, !tc_cel_equal(x, y));
	case TC_CEL_F_LT:
	case TC_CEL_F_LE:
	case TC_CEL_F_GT:
	case TC_CEL_F_GE:
		return relation(c, e, x, y);
	case TC_CEL_F_IN:
		return contains(c, x, y);
	default:
		return arith(c, e->fop, e->name, x, y);
	}
}

static const char *qualified(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc);
static bool rooted_in_var(const tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc);

/* ns.fn(args): a function with a qualified name (optional.of), when ns is
 * a name that is no variable. */
static tc_cel_val *qualified_call(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	const char *q = qualified(c, e->recv, sc);
	if (!q || find_var(c->env, q))
		return NULL;
	const char *name = tc_arena_printf(c->a, "%s.%s", q, e->name);
	const tc_cel_func *f = find_func(c->env, name);
	if (!f || !f->global)
		return NULL;
	tc_cel_val **v = tc_arena_alloc(c->a, (e->nargs + 1) * sizeof *v);
	for (size_t i = 0; i < e->nargs; i++) {
		v[i] = eval(c, e->args[i], sc);
		if (v[i]->kind == TC_CEL_ERROR)
			return v[i];
	}
	c->at = e;
	tc_cel_val *r = NULL;
	for (size_t t = 0; !r && (f = find_func_from(c->env, name, &t)) != NULL; t++)
		if (f->global)
			r = f->fn(c, v, e->nargs);
	if (!r)
		r = tc_cel_error(c->a, "no such overload: %s.%s", q, e->name);
	return any_tainted(v, e->nargs) ? from_secret(c, name, r) : r;
}

static tc_cel_val *call(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (e->recv && !rooted_in_var(c, e->recv, sc)) {
		tc_cel_val *r = qualified_call(c, e, sc);
		if (r)
			return r;
	}
	size_t n = e->nargs + (e->recv ? 1 : 0);
	tc_cel_val *stack[8];
	tc_cel_val **v = n <= 8 ? stack : tc_arena_alloc(c->a, n * sizeof *v);
	size_t k = 0;
	if (e->recv)
		v[k++] = eval(c, e->recv, sc);
	for (size_t i = 0; i < e->nargs; i++)
		v[k++] = eval(c, e->args[i], sc);
	if (c->exhausted)
		return tc_cel_error(c->a, "cost budget exceeded");
	for (size_t i = 0; i < n; i++)
		if (v[i]->kind == TC_CEL_ERROR)
			return v[i];
	bool taint = any_tainted(v, n);
	if (e->fop) {
		tc_cel_val *r = op_call(c, e, v);
		return taint ? from_secret(c, e->name, r) : r;
	}
	bool found = false;
	tc_cel_val *r = NULL;
	const tc_cel_func *f;
	c->at = e;
	for (size_t t = 0; !r && (f = find_func_from(c->env, e->name, &t)) != NULL; t++) {
		if (e->recv ? !f->method : !f->global)
			continue;
		found = true;
		r = f->fn(c, v, n);
	}
	if (!found)
		return tc_cel_error(c->a, "undeclared reference to '%s'", e->name);
	if (!r)
		r = tc_cel_error(c->a, "no such overload: %s", e->name);
	return taint ? from_secret(c, e->name, r) : r;
}

/* The dotted name an IDENT/SELECT chain spells, or NULL. */
static const char *qualified(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (e->op == TC_CEL_E_IDENT) {
		for (const scope *s = sc; s; s = s->up)
			if (strcmp(s->name, e->name) == 0)
				return NULL;
		return e->name;
	}
	if (e->op != TC_CEL_E_SELECT || e->optional)
		return NULL;
	const char *up = qualified(c, e->args[0], sc);
	return up ? tc_arena_printf(c->a, "%s.%s", up, e->name) : NULL;
}

static tc_cel_val *ident(tc_cel_ctx *c, const char *name, const scope *sc)
{
	if (name[0] == '.') {
		name++;
	} else {
		for (const scope *s = sc; s; s = s->up) {
			if (strcmp(s->name, name) != 0)
				continue;
			if (s->lazy && !*s->cell)
				*s->cell = eval(c, s->lazy, s->up);
			return s->lazy ? *s->cell : s->val;
		}
	}
	tc_cel_val *v = find_var(c->env, name);
	if (!v)
		v = type_ident(c, name);
	return v ? v : tc_cel_error(c->a, "undeclared reference to '%s'", name);
}

static tc_cel_val *field_(tc_cel_ctx *c, tc_cel_val *x, const char *name, bool optional);

/* a member of a secret container is secret */
static tc_cel_val *field(tc_cel_ctx *c, tc_cel_val *x, const char *name, bool optional)
{
	tc_cel_val *r = field_(c, x, name, optional);
	return x->secret && r->kind != TC_CEL_ERROR ? tc_cel_secret(c->a, r) : r;
}

static tc_cel_val *field_(tc_cel_ctx *c, tc_cel_val *x, const char *name, bool optional)
{
	if (x->kind == TC_CEL_OPTIONAL) {
		if (!x->u.opt)
			return x;
		x = x->u.opt;
		optional = true;
	}
	if (x->kind != TC_CEL_MAP)
		return tc_cel_error(c->a, "type '%s' does not support field selection",
		                    tc_cel_type_name(x));
	tc_cel_val key = {.kind = TC_CEL_STRING, .u.s = {name, strlen(name)}};
	tc_cel_val *r = tc_cel_map_get(x, &key);
	if (r && x->secret)
		r = tc_cel_secret(c->a, r);
	if (optional)
		return tc_cel_optional(c->a, r);
	return r ? r : tc_cel_error(c->a, "no such key: %s", name);
}

/* True when the chain of selections e ends in an identifier that is a
 * variable: with no dotted variable names, such a chain cannot name
 * anything but that variable's fields, and resolving it as a qualified
 * name (which builds every prefix's name) can be skipped. */
static bool rooted_in_var(const tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (c->dotted_vars)
		return false;
	while (e->op == TC_CEL_E_SELECT)
		e = e->args[0];
	if (e->op != TC_CEL_E_IDENT || e->name[0] == '.')
		return false;
	for (const scope *s = sc; s; s = s->up)
		if (strcmp(s->name, e->name) == 0)
			return true;
	return find_var(c->env, e->name) != NULL;
}

/* a selection whose chain is known to start at a variable: the chain
 * below it needs no name resolution either */
static tc_cel_val *select_rooted(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	const tc_cel_expr *x = e->args[0];
	tc_cel_val *v;
	if (x->op == TC_CEL_E_SELECT) {
		if (!tc_cel_charge(c, 1))
			return at(x, tc_cel_error(c->a, "cost budget exceeded"));
		v = select_rooted(c, x, sc);
		if (v->kind == TC_CEL_ERROR)
			v = at(x, v);
	} else {
		v = eval(c, x, sc);
	}
	if (v->kind == TC_CEL_ERROR)
		return v;
	return field(c, v, e->name, e->optional);
}

static tc_cel_val *select_(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (rooted_in_var(c, e, sc))
		return select_rooted(c, e, sc);
	const char *q = qualified(c, e, sc);
	if (q) {
		tc_cel_val *v = find_var(c->env, q[0] == '.' ? q + 1 : q);
		if (!v)
			v = type_ident(c, q);
		if (v)
			return v;
	}
	tc_cel_val *x = eval(c, e->args[0], sc);
	if (x->kind == TC_CEL_ERROR)
		return x;
	return field(c, x, e->name, e->optional);
}

static tc_cel_val *has(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	tc_cel_val *x = eval(c, e->args[0], sc);
	if (x->kind == TC_CEL_ERROR)
		return x;
	if (x->kind == TC_CEL_OPTIONAL) {
		if (!x->u.opt)
			return tc_cel_bool(c->a, false);
		x = x->u.opt;
	}
	if (x->kind != TC_CEL_MAP)
		return tc_cel_error(c->a, "invalid type for has(): '%s'", tc_cel_type_name(x));
	tc_cel_val key = {.kind = TC_CEL_STRING, .u.s = {e->name, strlen(e->name)}};
	tc_cel_val *r = tc_cel_bool(c->a, tc_cel_map_get(x, &key) != NULL);
	r->secret = r->tainted = x->secret;
	return r;
}

static tc_cel_val *index2(tc_cel_ctx *c, const tc_cel_expr *e, tc_cel_val *x, tc_cel_val *i);

/* an element of a secret container, or one chosen by a secret index, is
 * secret */
static tc_cel_val *index_(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	tc_cel_val *x = eval(c, e->args[0], sc);
	tc_cel_val *i = eval(c, e->args[1], sc);
	if (x->kind == TC_CEL_ERROR)
		return x;
	if (i->kind == TC_CEL_ERROR)
		return i;
	tc_cel_val *r = index2(c, e, x, i);
	if (tc_cel_tainted(i))
		return from_secret(c, "_[_]", r);
	return x->secret && r->kind != TC_CEL_ERROR ? tc_cel_secret(c->a, r) : r;
}

static tc_cel_val *index_map(tc_cel_ctx *c, tc_cel_val *x, tc_cel_val *i, bool optional)
{
	if (i->kind != TC_CEL_STRING && i->kind != TC_CEL_INT && i->kind != TC_CEL_UINT &&
	    i->kind != TC_CEL_BOOL && i->kind != TC_CEL_DOUBLE)
		return no_overload(c, "_[_]", x, i);
	tc_cel_val *r = tc_cel_map_get(x, i);
	if (optional)
		return tc_cel_optional(c->a, r);
	if (r)
		return r;
	if (i->kind == TC_CEL_STRING)
		return tc_cel_error(c->a, "no such key: %s", i->u.s.ptr);
	return tc_cel_error(c->a, "no such key");
}

/* a list index as an int64: ints, uints (past INT64_MAX out of range
 * anyway) and doubles with an integral value; false for anything else */
static bool list_position(int64_t *out, const tc_cel_val *i)
{
	if (i->kind == TC_CEL_INT)
		*out = i->u.i;
	else if (i->kind == TC_CEL_UINT)
		*out = i->u.u <= INT64_MAX ? (int64_t)i->u.u : INT64_MAX;
	else if (i->kind == TC_CEL_DOUBLE && i->u.d == trunc(i->u.d) && fabs(i->u.d) < 1e18)
		*out = (int64_t)i->u.d;
	else
		return false;
	return true;
}

static tc_cel_val *index_list(tc_cel_ctx *c, tc_cel_val *x, tc_cel_val *i, bool optional)
{
	int64_t k;
	if (!list_position(&k, i))
		return no_overload(c, "_[_]", x, i);
	if (k < 0 || (uint64_t)k >= x->u.list.len) {
		if (optional)
			return tc_cel_optional(c->a, NULL);
		return tc_cel_error(c->a, "index out of range: %lld", (long long)k);
	}
	tc_cel_val *r = x->u.list.items[k];
	return optional ? tc_cel_optional(c->a, r) : r;
}

static tc_cel_val *index2(tc_cel_ctx *c, const tc_cel_expr *e, tc_cel_val *x, tc_cel_val *i)
{
	bool optional = e->optional;
	if (x->kind == TC_CEL_OPTIONAL) {
		if (!x->u.opt)
			return x;
		x = x->u.opt;
		optional = true;
	}
	if (x->kind == TC_CEL_MAP)
		return index_map(c, x, i, optional);
	if (x->kind == TC_CEL_LIST)
		return index_list(c, x, i, optional);
	return no_overload(c, "_[_]", x, i);
}

static tc_cel_val *list(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (e->lit) /* a literal of constants, built by the parser */
		return e->lit;
	tc_cel_val **items = tc_arena_alloc(c->a, e->nargs * sizeof *items);
	size_t n = 0;
	for (size_t i = 0; i < e->nargs; i++) {
		tc_cel_val *v = eval(c, e->args[i], sc);
		if (v->kind == TC_CEL_ERROR)
			return v;
		if (i < 64 && (e->optmask >> i & 1)) {
			if (v->kind != TC_CEL_OPTIONAL)
				return no_overload(c, "optional list element", v, NULL);
			if (!v->u.opt)
				continue;
			v = v->u.opt;
		}
		items[n++] = v;
	}
	tc_cel_val *l = tc_cel_list(c->a, NULL, 0);
	l->u.list.items = items;
	l->u.list.len = n;
	l->tainted = any_tainted(items, n);
	return l;
}

static tc_cel_val *map(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (e->lit) /* a literal of constants, built by the parser */
		return e->lit;
	size_t n = e->nargs / 2;
	tc_cel_val *m = tc_cel_list(c->a, NULL, 0);
	m->kind = TC_CEL_MAP;
	m->u.map.keys = tc_arena_alloc(c->a, n * sizeof(tc_cel_val *));
	m->u.map.vals = tc_arena_alloc(c->a, n * sizeof(tc_cel_val *));
	m->u.map.len = 0;
	for (size_t i = 0; i < n; i++) {
		tc_cel_val *k = eval(c, e->args[2 * i], sc);
		tc_cel_val *v = eval(c, e->args[2 * i + 1], sc);
		if (k->kind == TC_CEL_ERROR)
			return k;
		if (v->kind == TC_CEL_ERROR)
			return v;
		if (k->kind != TC_CEL_STRING && k->kind != TC_CEL_INT && k->kind != TC_CEL_UINT &&
		    k->kind != TC_CEL_BOOL)
			return tc_cel_error(c->a, "unsupported key type '%s'", tc_cel_type_name(k));
		if (i < 64 && (e->optmask >> i & 1)) {
			if (v->kind != TC_CEL_OPTIONAL)
				return no_overload(c, "optional map entry", v, NULL);
			if (!v->u.opt)
				continue;
			v = v->u.opt;
		}
		if (!tc_cel_charge(c, m->u.map.len / 8))
			return tc_cel_error(c->a, "cost budget exceeded");
		if (tc_cel_map_get(m, k))
			return tc_cel_error(c->a, "failed with repeated key");
		m->u.map.keys[m->u.map.len] = k;
		m->u.map.vals[m->u.map.len++] = v;
		m->tainted |= tc_cel_tainted(k) || tc_cel_tainted(v);
	}
	return m;
}

/* && and ||: stop at the value that decides (false, true); an error or a
 * non-bool on one side is absorbed when the other side decides. */
static tc_cel_val *logic2(tc_cel_ctx *c, tc_cel_val *l, tc_cel_val *r, bool or);

/* the result depends on both operands when the first does not decide */
static tc_cel_val *logic(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc, bool or)
{
	tc_cel_val *l = eval(c, e->args[0], sc);
	if (l->kind == TC_CEL_BOOL && l->u.b == or)
		return l;
	tc_cel_val *r = eval(c, e->args[1], sc);
	tc_cel_val *v = logic2(c, l, r, or);
	if (c->exhausted || !(tc_cel_tainted(l) || tc_cel_tainted(r)))
		return v;
	return from_secret(c, or ? "_||_" : "_&&_", v);
}

static tc_cel_val *logic2(tc_cel_ctx *c, tc_cel_val *l, tc_cel_val *r, bool or)
{
	if (c->exhausted)
		return r;
	if (r->kind == TC_CEL_BOOL && r->u.b == or)
		return r;
	if (l->kind == TC_CEL_BOOL && r->kind == TC_CEL_BOOL)
		return r;
	if (l->kind == TC_CEL_ERROR)
		return l;
	if (r->kind == TC_CEL_ERROR)
		return r;
	return no_overload(c, or ? "_||_" : "_&&_", l->kind == TC_CEL_BOOL ? r : l, NULL);
}

static tc_cel_val *cond(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	tc_cel_val *x = eval(c, e->args[0], sc);
	if (x->kind == TC_CEL_ERROR)
		return x;
	if (x->kind != TC_CEL_BOOL)
		return no_overload(c, "_?_:_", x, NULL);
	tc_cel_val *r = eval(c, e->args[x->u.b ? 1 : 2], sc);
	return x->secret ? from_secret(c, "_?_:_", r) : r;
}

/* cel.block: the slots are evaluated when first named, at most once */
static tc_cel_val *block(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	size_t n = e->nargs - 1;
	scope *s = tc_arena_calloc(c->a, (n + 1) * sizeof *s);
	tc_cel_val **cells = tc_arena_calloc(c->a, (n + 1) * sizeof *cells);
	const scope *up = sc;
	for (size_t i = 0; i < n; i++) {
		s[i].up = up;
		s[i].name = tc_arena_printf(c->a, "@index%zu", i);
		s[i].lazy = e->args[i];
		s[i].cell = &cells[i];
		up = &s[i];
	}
	return eval(c, e->args[n], up);
}

/* optMap, optFlatMap: the function applied to the value of an optional
 * that has one */
static tc_cel_val *opt_map(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc, tc_cel_val *r)
{
	bool flat = e->macro == TC_CEL_M_OPT_FLAT_MAP;
	if (r->kind != TC_CEL_OPTIONAL)
		return no_overload(c, flat ? "optFlatMap" : "optMap", r, NULL);
	if (!r->u.opt)
		return r;
	scope s = {sc, e->name, r->secret ? tc_cel_secret(c->a, r->u.opt) : r->u.opt, NULL, NULL};
	tc_cel_val *v = eval(c, e->args[1], &s);
	if (v->kind == TC_CEL_ERROR)
		return v;
	if (!flat)
		return tc_cel_optional(c->a, v);
	return v->kind == TC_CEL_OPTIONAL ? v : no_overload(c, "optFlatMap", v, NULL);
}

/* A macro over the elements of a list or the keys of a map (all, exists,
 * exists_one, filter, map, transformMap) while it runs. */
typedef struct {
	const tc_cel_expr *e;
	const scope *sc;         /* where the macro is */
	const tc_cel_val *range; /* a list or a map */
	tc_cel_val **elems;      /* the list's elements, the map's keys */
	size_t n;
	bool mapping; /* map, transformMap: a value per element */
	/* a secret range makes its elements secret; a predicate computed from
	 * a secret makes the result secret (it tells which elements pass) */
	bool taint;
	tc_cel_val *err;          /* all, exists: the first error, absorbed if an element decides */
	tc_cel_val **out, **outk; /* filter, map: the elements; transformMap: values, keys */
	size_t nout, count;       /* count: exists_one's elements that pass */
} fold;

/* NULL, or the error that r cannot be the range of a comprehension */
static tc_cel_val *fold_init(tc_cel_ctx *c, fold *f, const tc_cel_expr *e, const scope *sc,
                             tc_cel_val *r)
{
	*f = (fold){.e = e, .sc = sc, .range = r, .taint = r->secret};
	if (r->kind == TC_CEL_LIST) {
		f->n = r->u.list.len;
		f->elems = r->u.list.items;
	} else if (r->kind == TC_CEL_MAP) {
		f->n = r->u.map.len;
		f->elems = r->u.map.keys;
	} else {
		return tc_cel_error(c->a,
		                    "expression of type '%s' cannot be the range of a "
		                    "comprehension",
		                    tc_cel_type_name(r));
	}
	f->mapping = e->macro == TC_CEL_M_MAP || e->macro == TC_CEL_M_TRANSFORM_MAP;
	if (f->mapping || e->macro == TC_CEL_M_FILTER)
		f->out = tc_arena_alloc(c->a, f->n * sizeof *f->out);
	if (e->macro == TC_CEL_M_TRANSFORM_MAP)
		f->outk = tc_arena_alloc(c->a, f->n * sizeof *f->outk);
	return NULL;
}

/* The variables for element i: one, the element (a map's key); two, the
 * index and the element, or the key and the value. Secret when the range
 * is. Returns the innermost scope. */
static const scope *fold_vars(tc_cel_ctx *c, const fold *f, size_t i, scope *s1, scope *s2)
{
	const tc_cel_expr *e = f->e;
	bool secret = f->range->secret;
	if (!e->name2) {
		*s1 = (scope){f->sc, e->name, f->elems[i], NULL, NULL};
		if (secret)
			s1->val = tc_cel_secret(c->a, s1->val);
		return s1;
	}
	bool list = f->range->kind == TC_CEL_LIST;
	tc_cel_val *k = list ? tc_cel_int(c->a, (int64_t)i) : f->elems[i];
	tc_cel_val *v = list ? f->elems[i] : f->range->u.map.vals[i];
	if (secret) {
		k = tc_cel_secret(c->a, k);
		v = tc_cel_secret(c->a, v);
	}
	*s1 = (scope){f->sc, e->name, k, NULL, NULL};
	*s2 = (scope){s1, e->name2, v, NULL, NULL};
	return s2;
}

/* all, exists: an element that decides ends the loop; an error waits in
 * case a later element decides */
static tc_cel_val *quantify(tc_cel_ctx *c, fold *f, tc_cel_val *p)
{
	bool exists = f->e->macro == TC_CEL_M_EXISTS;
	if (p->kind == TC_CEL_BOOL && p->u.b == exists)
		return f->taint ? from_secret(c, exists ? "exists" : "all", p) : p;
	if (p->kind == TC_CEL_ERROR && !f->err)
		f->err = p;
	return NULL;
}

/* map, transformMap: the value of an element the filter p (if any) lets
 * through */
static tc_cel_val *map_elem(tc_cel_ctx *c, fold *f, size_t i, const scope *s, tc_cel_val *p)
{
	if (p && p->kind == TC_CEL_ERROR)
		return p;
	if (p && !p->u.b)
		return NULL;
	tc_cel_val *v = eval(c, f->e->args[1], s);
	if (v->kind == TC_CEL_ERROR)
		return v;
	if (f->outk)
		f->outk[f->nout] =
			f->range->secret ? tc_cel_secret(c->a, f->elems[i]) : f->elems[i];
	f->out[f->nout++] = v;
	return NULL;
}

/* The predicate of element i, a bool or an error; NULL for map and
 * transformMap without a filter. */
static tc_cel_val *predicate(tc_cel_ctx *c, fold *f, const scope *s)
{
	const tc_cel_expr *e = f->e;
	if (f->mapping && e->nargs != 3)
		return NULL;
	tc_cel_val *p = eval(c, e->args[f->mapping ? 2 : 1], s);
	if (c->exhausted)
		return p;
	if (p->kind != TC_CEL_BOOL && p->kind != TC_CEL_ERROR)
		p = no_overload(c, "predicate", p, NULL);
	f->taint |= tc_cel_tainted(p);
	return p;
}

/* One element: NULL to go on, or the result when it is decided early. */
static tc_cel_val *fold_step(tc_cel_ctx *c, fold *f, size_t i)
{
	scope s1, s2;
	const scope *s = fold_vars(c, f, i, &s1, &s2);
	tc_cel_val *p = predicate(c, f, s);
	if (c->exhausted)
		return p;
	switch (f->e->macro) {
	case TC_CEL_M_ALL:
	case TC_CEL_M_EXISTS:
		return quantify(c, f, p);
	case TC_CEL_M_EXISTS_ONE:
		if (p->kind == TC_CEL_ERROR)
			return p;
		f->count += p->u.b;
		return NULL;
	case TC_CEL_M_FILTER:
		if (p->kind == TC_CEL_ERROR)
			return p;
		if (p->u.b)
			f->out[f->nout++] = f->elems[i];
		return NULL;
	case TC_CEL_M_MAP:
	case TC_CEL_M_TRANSFORM_MAP:
		return map_elem(c, f, i, s, p);
	case TC_CEL_M_OPT_MAP:
	case TC_CEL_M_OPT_FLAT_MAP:
	case TC_CEL_M_BIND:
	case TC_CEL_M_BLOCK:
		break;
	}
	TC_BUG("not a macro over a collection");
}

/* filter, map: the list; transformMap: the map */
static tc_cel_val *fold_collection(tc_cel_ctx *c, const fold *f)
{
	tc_cel_val *l = tc_cel_list(c->a, NULL, 0);
	l->u.list.items = f->out;
	l->u.list.len = f->nout;
	l->tainted = any_tainted(f->out, f->nout);
	if (f->outk) {
		l->kind = TC_CEL_MAP;
		l->u.map.keys = f->outk;
		l->u.map.vals = f->out;
		l->u.map.len = f->nout;
		l->tainted |= f->range->secret;
	}
	return l;
}

/* the result once every element has been seen */
static tc_cel_val *fold_result(tc_cel_ctx *c, const fold *f)
{
	tc_cel_val *l;
	switch (f->e->macro) {
	case TC_CEL_M_ALL:
		l = f->err ? f->err : tc_cel_bool(c->a, true);
		break;
	case TC_CEL_M_EXISTS:
		l = f->err ? f->err : tc_cel_bool(c->a, false);
		break;
	case TC_CEL_M_EXISTS_ONE:
		l = tc_cel_bool(c->a, f->count == 1);
		break;
	default:
		l = fold_collection(c, f);
		break;
	}
	if (!f->taint)
		return l;
	return from_secret(c, f->e->macro == TC_CEL_M_FILTER ? "filter" : "comprehension", l);
}

/* all, exists, exists_one, filter, map, transformMap over the range r */
static tc_cel_val *comprehension(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc,
                                 tc_cel_val *r)
{
	fold f;
	tc_cel_val *bad = fold_init(c, &f, e, sc, r);
	if (bad)
		return bad;
	for (size_t i = 0; i < f.n; i++) {
		if (!tc_cel_charge(c, 1))
			return tc_cel_error(c->a, "cost budget exceeded");
		tc_cel_val *done = fold_step(c, &f, i);
		if (done)
			return done;
	}
	return fold_result(c, &f);
}

static tc_cel_val *comp(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (e->macro == TC_CEL_M_BLOCK)
		return block(c, e, sc);
	tc_cel_val *r = eval(c, e->args[0], sc);
	if (e->macro == TC_CEL_M_BIND) {
		/* cel.bind: the value is computed once, errors included */
		scope s = {sc, e->name, r, NULL, NULL};
		return eval(c, e->args[1], &s);
	}
	if (r->kind == TC_CEL_ERROR)
		return r;
	if (e->macro == TC_CEL_M_OPT_MAP || e->macro == TC_CEL_M_OPT_FLAT_MAP)
		return opt_map(c, e, sc, r);
	return comprehension(c, e, sc, r);
}

static tc_cel_val *eval(tc_cel_ctx *c, const tc_cel_expr *e, const scope *sc)
{
	if (++c->cost > c->limit || c->exhausted) { /* tc_cel_charge(c, 1), inline */
		c->exhausted = true;
		return at(e, tc_cel_error(c->a, "cost budget exceeded"));
	}
	tc_cel_val *v;
	switch (e->op) {
	case TC_CEL_E_LIT:
		return e->lit;
	case TC_CEL_E_IDENT:
		v = ident(c, e->name, sc);
		break;
	case TC_CEL_E_SELECT:
		v = select_(c, e, sc);
		break;
	case TC_CEL_E_HAS:
		v = has(c, e, sc);
		break;
	case TC_CEL_E_INDEX:
		v = index_(c, e, sc);
		break;
	case TC_CEL_E_CALL:
		v = call(c, e, sc);
		break;
	case TC_CEL_E_LIST:
		v = list(c, e, sc);
		break;
	case TC_CEL_E_MAP:
		v = map(c, e, sc);
		break;
	case TC_CEL_E_MSG:
		v = tc_cel_error(c->a, "unknown type '%s': message types are not supported",
		                 e->name);
		break;
	case TC_CEL_E_COND:
		v = cond(c, e, sc);
		break;
	case TC_CEL_E_AND:
		v = logic(c, e, sc, false);
		break;
	case TC_CEL_E_OR:
		v = logic(c, e, sc, true);
		break;
	case TC_CEL_E_COMP:
		v = comp(c, e, sc);
		break;
	default:
		TC_BUG("unknown CEL node");
	}
	if (c->exhausted && v->kind != TC_CEL_ERROR)
		v = tc_cel_error(c->a, "cost budget exceeded");
	return at(e, v);
}

void tc_cel_ctx_release(tc_cel_ctx *c)
{
	tc_cel_regex_release(c->regex_cache);
	c->regex_cache = NULL;
}

int tc_cel_eval(tc_cel_val **out, tc_arena *a, const tc_cel_env *env, const tc_cel_expr *e,
                uint64_t *cost)
{
	tc_cel_ctx c = {.a = a,
	                .env = env,
	                .limit = env->cost_limit ? env->cost_limit : TC_CEL_DEFAULT_COST};
	for (size_t i = 0; i < env->nvars && !c.dotted_vars && !env->no_dotted_vars; i++)
		c.dotted_vars = strchr(env->vars[i].name, '.') != NULL;
	tc_cel_val *v = eval(&c, e, NULL);
	tc_cel_ctx_release(&c);
	if (cost)
		*cost = c.cost;
	if (c.exhausted) {
		tc_cel_val *x = tc_cel_error(a,
		                             "cost budget exceeded: the expression costs more "
		                             "than %llu units",
		                             (unsigned long long)c.limit);
		x->u.err.line = v->kind == TC_CEL_ERROR ? v->u.err.line : e->line;
		x->u.err.col = v->kind == TC_CEL_ERROR ? v->u.err.col : e->col;
		*out = x;
		return -1;
	}
	*out = v;
	return 0;
}
