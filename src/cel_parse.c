/*
 * cel_parse.c - the CEL parser: tokens (cel_lex.c) to a syntax tree.
 *
 * One function per rule of the grammar in the CEL language definition
 * (cel-spec doc/langdef.md "Syntax"), precedence climbing from the
 * conditional down to primaries. Operators become CALL nodes carrying a
 * tc_cel_fop; && and || and ?: have nodes of their own because they do
 * not evaluate all their operands. The macros (has, all, exists,
 * exists_one, map, filter) are expanded here into COMP and HAS nodes, as
 * cel-go's parser does. The optional syntax (a.?b, a[?b], [?x], {?k: v})
 * is accepted and flagged on the nodes.
 *
 * Limits: the source is at most TC_CEL_MAX_SOURCE bytes and the tree at
 * most TC_CEL_MAX_DEPTH deep, so neither the parser's recursion nor the
 * evaluator's can exhaust the stack. The first error stops the parse: one
 * diagnostic, at the token that was not expected.
 */
#include "cel_parse.h"

#include "cel_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
	tc_arena *a;
	tc_diags *d;
	const char *file;
	tc_cel_lexer lx;
	tc_cel_token tok, next; /* the current token and one of lookahead */
	int depth;
	int failed;
} parser;

static const char *const reserved[] = {
	"as",  "break", "const",   "continue",  "else",   "for", "function", "if",    "import",
	"let", "loop",  "package", "namespace", "return", "var", "void",     "while",
};

static int err(parser *p, const tc_cel_token *t, const char *fmt, const char *arg)
	__attribute__((format(printf, 3, 0)));
static int err(parser *p, const tc_cel_token *t, const char *fmt, const char *arg)
{
	if (!p->failed) {
		tc_pos pos = {p->file, t->line, t->col};
		char msg[300];
		snprintf(msg, sizeof msg, fmt, arg);
		tc_error(p->d, pos, NULL, "syntax error: %s", msg);
	}
	p->failed = 1;
	return -1;
}

static void advance(parser *p)
{
	p->tok = p->next;
	if (p->tok.kind != TC_CEL_T_EOF)
		tc_cel_lex_next(&p->lx, &p->next);
}

static int check_tok(parser *p)
{
	if (p->tok.kind == TC_CEL_T_ERROR)
		return err(p, &p->tok, "%s", p->tok.text);
	return 0;
}

static int is(parser *p, const char *punct)
{
	return tc_cel_tok_is(&p->tok, punct);
}

static int is_ident(parser *p, const char *word)
{
	return p->tok.kind == TC_CEL_T_IDENT && !p->tok.quoted && strcmp(p->tok.text, word) == 0;
}

static int expect(parser *p, const char *punct)
{
	if (check_tok(p))
		return -1;
	if (!is(p, punct))
		return err(p, &p->tok, "expected '%s'", punct);
	advance(p);
	return 0;
}

static tc_cel_expr *node(parser *p, tc_cel_op op, const tc_cel_token *at)
{
	tc_cel_expr *e = tc_arena_calloc(p->a, sizeof *e);
	e->op = op;
	e->line = at->line;
	e->col = at->col;
	return e;
}

static void set_args(parser *p, tc_cel_expr *e, tc_cel_expr **args, size_t n)
{
	e->args = tc_arena_alloc(p->a, n * sizeof *args);
	if (n)
		memcpy(e->args, args, n * sizeof *args);
	e->nargs = n;
	/* a method call's receiver is a child too (a chain of calls on
	 * selections must count to the limit like any nesting) */
	uint32_t h = e->recv ? e->recv->height : 0;
	for (size_t i = 0; i < n; i++)
		if (args[i] && args[i]->height > h)
			h = args[i]->height;
	e->height = h + 1;
	if (e->height > TC_CEL_MAX_DEPTH && !p->failed) {
		tc_cel_token at = {.line = e->line, .col = e->col};
		err(p, &at, "%s", "expression nested too deeply");
	}
}

static tc_cel_expr *call(parser *p, const tc_cel_token *at, const char *name, tc_cel_fop fop,
                         tc_cel_expr *x, tc_cel_expr *y)
{
	tc_cel_expr *e = node(p, TC_CEL_E_CALL, at);
	e->name = name;
	e->fop = fop;
	tc_cel_expr *args[2] = {x, y};
	set_args(p, e, args, y ? 2 : 1);
	return e;
}

static tc_cel_expr *expr(parser *p);

/* A growable list of child nodes, malloc'd until copied into the arena. */
typedef struct exprs {
	tc_cel_expr **v;
	size_t len, cap;
	const char **names;
	size_t ncap;
} exprs;

static void push(exprs *l, tc_cel_expr *e)
{
	TC_GROW(l->v, l->cap, l->len + 1);
	l->v[l->len++] = e;
}

/* ExprList = Expr {"," Expr}, up to the closing punctuation (a trailing
 * comma allowed when trailing is set). */
static int expr_list(parser *p, exprs *l, const char *close, int trailing, uint64_t *optmask)
{
	while (!is(p, close)) {
		if (optmask && is(p, "?")) {
			if (l->len >= 64)
				return err(p, &p->tok, "%s", "too many optional entries");
			*optmask |= (uint64_t)1 << l->len;
			advance(p);
		}
		tc_cel_expr *e = expr(p);
		if (!e)
			return -1;
		push(l, e);
		if (check_tok(p))
			return -1;
		if (!is(p, ","))
			break;
		advance(p);
		if (!trailing && is(p, close))
			return err(p, &p->tok, "%s", "unexpected ',' before the closing bracket");
	}
	return expect(p, close);
}

static tc_cel_expr *finish_list(parser *p, tc_cel_expr *e, exprs *l)
{
	set_args(p, e, l->v, l->len);
	free(l->v);
	free(l->names);
	return e;
}

static bool int_lit(const tc_cel_expr *e, int64_t max)
{
	return e->op == TC_CEL_E_LIT && e->lit->kind == TC_CEL_INT && e->lit->u.i >= 0 &&
	       e->lit->u.i <= max;
}

/* cel-go's bindings and block extensions: cel.bind(v, init, body) binds
 * the name v to init within body; cel.block([e0, e1, ...], r) evaluates r
 * where cel.index(i) names e_i (each e_i sees the slots before it), and
 * cel.iterVar(i, j) and cel.accuVar(i, j) are names for the variables of
 * the macros inside. The slot and variable names start with '@', which no
 * identifier can. */
static tc_cel_expr *cel_macro(parser *p, const tc_cel_token *at, const char *name, exprs *l,
                              int *is_macro)
{
	if (strcmp(name, "bind") == 0 && l->len == 3) {
		*is_macro = 1;
		if (l->v[0]->op != TC_CEL_E_IDENT || l->v[0]->name[0] == '.') {
			err(p, at, "%s", "cel.bind() variable name must be a simple identifier");
			return NULL;
		}
		tc_cel_expr *e = node(p, TC_CEL_E_COMP, at);
		e->macro = TC_CEL_M_BIND;
		e->name = l->v[0]->name;
		set_args(p, e, l->v + 1, 2);
		return e;
	}
	if (strcmp(name, "block") == 0 && l->len == 2) {
		*is_macro = 1;
		tc_cel_expr *slots = l->v[0];
		if (slots->op != TC_CEL_E_LIST || slots->optmask) {
			err(p, at, "%s", "cel.block() requires a list of expressions");
			return NULL;
		}
		tc_cel_expr **args = tc_arena_alloc(p->a, (slots->nargs + 1) * sizeof *args);
		if (slots->nargs)
			memcpy(args, slots->args, slots->nargs * sizeof *args);
		args[slots->nargs] = l->v[1];
		tc_cel_expr *e = node(p, TC_CEL_E_COMP, at);
		e->macro = TC_CEL_M_BLOCK;
		set_args(p, e, args, slots->nargs + 1);
		return e;
	}
	if (strcmp(name, "index") == 0 && l->len == 1) {
		*is_macro = 1;
		if (!int_lit(l->v[0], INT32_MAX)) {
			err(p, at, "%s", "cel.index() requires a non-negative int literal");
			return NULL;
		}
		tc_cel_expr *e = node(p, TC_CEL_E_IDENT, at);
		e->name = tc_arena_printf(p->a, "@index%lld", (long long)l->v[0]->lit->u.i);
		e->height = 1;
		return e;
	}
	if ((strcmp(name, "iterVar") == 0 || strcmp(name, "accuVar") == 0) && l->len == 2) {
		*is_macro = 1;
		if (!int_lit(l->v[0], INT32_MAX) || !int_lit(l->v[1], INT32_MAX)) {
			err(p, at, "cel.%s() requires two non-negative int literals", name);
			return NULL;
		}
		tc_cel_expr *e = node(p, TC_CEL_E_IDENT, at);
		e->name =
			tc_arena_printf(p->a, "@%s:%lld:%lld", name[0] == 'i' ? "it" : "ac",
		                        (long long)l->v[0]->lit->u.i, (long long)l->v[1]->lit->u.i);
		e->height = 1;
		return e;
	}
	return NULL;
}

/* r.all(x, p), r.exists(x, p), r.exists_one(x, p), r.map(x, t),
 * r.map(x, p, t), r.filter(x, p) and the forms with two variables; NULL
 * with *is_macro == 0 when the call is none of them */
static tc_cel_expr *comprehension(parser *p, const tc_cel_token *at, const char *name,
                                  tc_cel_expr *recv, exprs *l, int *is_macro)
{
	/* the two-variable forms are cel-go's ext.TwoVarComprehensions: over
	 * a list (index, element), over a map (key, value); optMap and
	 * optFlatMap are its optional library's */
	static const struct {
		const char *name;
		tc_cel_macro m;
		size_t nargs;
		bool two;
	} macros[] = {
		{"all", TC_CEL_M_ALL, 2, false},
		{"all", TC_CEL_M_ALL, 3, true},
		{"exists", TC_CEL_M_EXISTS, 2, false},
		{"exists", TC_CEL_M_EXISTS, 3, true},
		{"existsOne", TC_CEL_M_EXISTS_ONE, 2, false},
		{"existsOne", TC_CEL_M_EXISTS_ONE, 3, true},
		{"exists_one", TC_CEL_M_EXISTS_ONE, 2, false},
		{"exists_one", TC_CEL_M_EXISTS_ONE, 3, true},
		{"filter", TC_CEL_M_FILTER, 2, false},
		{"map", TC_CEL_M_MAP, 2, false},
		{"map", TC_CEL_M_MAP, 3, false},
		{"optFlatMap", TC_CEL_M_OPT_FLAT_MAP, 2, false},
		{"optMap", TC_CEL_M_OPT_MAP, 2, false},
		{"transformList", TC_CEL_M_MAP, 3, true},
		{"transformList", TC_CEL_M_MAP, 4, true},
		{"transformMap", TC_CEL_M_TRANSFORM_MAP, 3, true},
		{"transformMap", TC_CEL_M_TRANSFORM_MAP, 4, true},
	};
	size_t i = 0;
	while (i < sizeof macros / sizeof macros[0] &&
	       (strcmp(name, macros[i].name) != 0 || l->len != macros[i].nargs))
		i++;
	if (i == sizeof macros / sizeof macros[0])
		return NULL;
	*is_macro = 1;
	size_t nv = macros[i].two ? 2 : 1;
	for (size_t k = 0; k < nv; k++) {
		if (l->v[k]->op != TC_CEL_E_IDENT || l->v[k]->name[0] == '.') {
			err(p, at, "%s", "argument must be a simple name");
			return NULL;
		}
	}
	tc_cel_expr *e = node(p, TC_CEL_E_COMP, at);
	e->macro = macros[i].m;
	e->name = l->v[0]->name;
	e->name2 = nv == 2 ? l->v[1]->name : NULL;
	bool filtered = l->len == nv + 2;
	tc_cel_expr *args[3] = {recv, l->v[l->len - 1], filtered ? l->v[nv] : NULL};
	set_args(p, e, args, filtered ? 3 : 2);
	return e;
}

/* The macros: has(m.f), the comprehensions, cel.bind and cel.block. NULL
 * with *is_macro == 0 when the call is not one (an ordinary function of
 * that name). */
static tc_cel_expr *macro(parser *p, const tc_cel_token *at, const char *name, tc_cel_expr *recv,
                          exprs *l, int *is_macro)
{
	*is_macro = 0;
	if (!recv && strcmp(name, "has") == 0 && l->len == 1) {
		*is_macro = 1;
		tc_cel_expr *s = l->v[0];
		if (s->op != TC_CEL_E_SELECT || s->optional) {
			err(p, at, "%s", "invalid argument to has() macro");
			return NULL;
		}
		tc_cel_expr *e = node(p, TC_CEL_E_HAS, at);
		e->name = s->name;
		set_args(p, e, s->args, 1);
		return e;
	}
	if (!recv)
		return NULL;
	if (recv->op == TC_CEL_E_IDENT && strcmp(recv->name, "cel") == 0)
		return cel_macro(p, at, name, l, is_macro);
	return comprehension(p, at, name, recv, l, is_macro);
}

/* the call after NAME "(" or Member "." NAME "(" */
static tc_cel_expr *call_args(parser *p, const tc_cel_token *at, const char *name,
                              tc_cel_expr *recv)
{
	exprs l = {0};
	if (expr_list(p, &l, ")", 0, NULL)) {
		free(l.v);
		return NULL;
	}
	int is_macro;
	tc_cel_expr *m = macro(p, at, name, recv, &l, &is_macro);
	if (is_macro) {
		free(l.v);
		return m;
	}
	tc_cel_expr *e = node(p, TC_CEL_E_CALL, at);
	e->name = name;
	e->recv = recv;
	return finish_list(p, e, &l);
}

/* FieldInits = [?] IDENT ":" Expr {"," [?] IDENT ":" Expr} ;
 * MapInits = [?] Expr ":" Expr {"," [?] Expr ":" Expr} */
/* A list or map literal of constants is built once, here, and the
 * evaluator returns that value (constants cannot change; cel-go's
 * optimizer folds them the same way). The node stays a list or map, so the
 * checker's cost model still counts the literal. A map with a key of a
 * kind maps do not take, or a repeated key, is left to the evaluation to
 * refuse. */
static tc_cel_expr *fold(parser *p, tc_cel_expr *e)
{
	if (!e || e->optmask || e->nargs > 4096)
		return e;
	for (size_t i = 0; i < e->nargs; i++)
		if (e->args[i]->op != TC_CEL_E_LIT)
			return e;
	if (e->op == TC_CEL_E_LIST) {
		tc_cel_val **items = tc_arena_alloc(p->a, (e->nargs + 1) * sizeof *items);
		for (size_t i = 0; i < e->nargs; i++)
			items[i] = e->args[i]->lit;
		e->lit = tc_cel_list(p->a, items, e->nargs);
		return e;
	}
	size_t n = e->nargs / 2;
	tc_cel_val **keys = tc_arena_alloc(p->a, (n + 1) * sizeof *keys);
	tc_cel_val **vals = tc_arena_alloc(p->a, (n + 1) * sizeof *vals);
	for (size_t i = 0; i < n; i++) {
		tc_cel_val *k = e->args[2 * i]->lit;
		if (k->kind != TC_CEL_STRING && k->kind != TC_CEL_INT && k->kind != TC_CEL_UINT &&
		    k->kind != TC_CEL_BOOL)
			return e;
		for (size_t j = 0; j < i; j++)
			if (tc_cel_equal(keys[j], k))
				return e;
		keys[i] = k;
		vals[i] = e->args[2 * i + 1]->lit;
	}
	tc_cel_val *m = tc_cel_list(p->a, NULL, 0);
	m->kind = TC_CEL_MAP;
	m->u.map.keys = keys;
	m->u.map.vals = vals;
	m->u.map.len = n;
	e->lit = m;
	return e;
}

/* the key of entry n, before its ':': [?] IDENT when fields is set, else
 * [?] Expr */
static int init_key(parser *p, tc_cel_expr *e, exprs *l, size_t n, int fields)
{
	if (is(p, "?")) {
		if (n >= 64)
			return err(p, &p->tok, "%s", "too many optional entries");
		e->optmask |= (uint64_t)1 << n;
		advance(p);
	}
	if (!fields) {
		tc_cel_expr *k = expr(p);
		if (!k)
			return -1;
		push(l, k);
		return 0;
	}
	if (check_tok(p))
		return -1;
	if (p->tok.kind != TC_CEL_T_IDENT)
		return err(p, &p->tok, "%s", "expected a field name");
	TC_GROW(l->names, l->ncap, n + 1);
	l->names[n] = p->tok.text;
	advance(p);
	return 0;
}

/* the entries, up to and over the closing brace; *n counts them */
static int init_list(parser *p, tc_cel_expr *e, exprs *l, int fields, size_t *n)
{
	while (!is(p, "}")) {
		if (init_key(p, e, l, *n, fields) || expect(p, ":"))
			return -1;
		tc_cel_expr *v = expr(p);
		if (!v)
			return -1;
		push(l, v);
		(*n)++;
		if (check_tok(p))
			return -1;
		if (!is(p, ","))
			break;
		advance(p);
	}
	return expect(p, "}");
}

static tc_cel_expr *inits(parser *p, tc_cel_expr *e, int fields)
{
	exprs l = {0};
	size_t n = 0;
	if (init_list(p, e, &l, fields, &n)) {
		free(l.v);
		free(l.names);
		return NULL;
	}
	if (fields) {
		e->fields = tc_arena_alloc(p->a, n * sizeof *e->fields);
		if (n)
			memcpy(e->fields, l.names, n * sizeof *l.names);
	}
	return finish_list(p, e, &l);
}

static tc_cel_expr *literal(parser *p, tc_cel_val *v)
{
	tc_cel_expr *e = node(p, TC_CEL_E_LIT, &p->tok);
	e->lit = v;
	advance(p);
	return e;
}

/* a number, string or bytes literal, or the end of the input */
static tc_cel_expr *constant(parser *p)
{
	switch (p->tok.kind) {
	case TC_CEL_T_INT:
		if (p->tok.uval > INT64_MAX) {
			err(p, &p->tok, "%s", "integer literal out of range");
			return NULL;
		}
		return literal(p, tc_cel_int(p->a, (int64_t)p->tok.uval));
	case TC_CEL_T_UINT:
		return literal(p, tc_cel_uint(p->a, p->tok.uval));
	case TC_CEL_T_DOUBLE:
		return literal(p, tc_cel_double(p->a, p->tok.dval));
	case TC_CEL_T_STRING:
		return literal(p, tc_cel_string(p->a, p->tok.text, p->tok.len));
	case TC_CEL_T_BYTES:
		return literal(p, tc_cel_bytes(p->a, p->tok.text, p->tok.len));
	default: /* TC_CEL_T_EOF: primary() takes names and punctuation */
		err(p, &p->tok, "%s", "unexpected end of expression");
		return NULL;
	}
}

/* "in" and the reserved words cannot be names */
static int reserved_name(parser *p, const char *name)
{
	if (strcmp(name, "in") == 0)
		return err(p, &p->tok, "%s", "unexpected 'in'");
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return err(p, &p->tok, "reserved identifier '%s'", name);
	return 0;
}

/* ["."] IDENT ["(" [ExprList] ")"]: true, false and null (without the
 * dot), a name, or a global call */
static tc_cel_expr *named(parser *p, const tc_cel_token *at, int dot)
{
	const char *name = p->tok.text;
	if (!dot && strcmp(name, "true") == 0)
		return literal(p, tc_cel_bool(p->a, true));
	if (!dot && strcmp(name, "false") == 0)
		return literal(p, tc_cel_bool(p->a, false));
	if (!dot && strcmp(name, "null") == 0)
		return literal(p, tc_cel_null(p->a));
	if (reserved_name(p, name))
		return NULL;
	advance(p);
	if (is(p, "(")) {
		advance(p);
		return call_args(p, at, name, NULL);
	}
	tc_cel_expr *e = node(p, TC_CEL_E_IDENT, at);
	e->name = dot ? tc_arena_printf(p->a, ".%s", name) : name;
	return e;
}

/* over the leading '.' of a name, which must follow it */
static int leading_dot(parser *p)
{
	advance(p);
	if (check_tok(p))
		return -1;
	if (p->tok.kind != TC_CEL_T_IDENT)
		return err(p, &p->tok, "%s", "expected a name after '.'");
	return 0;
}

/* "(" Expr ")" */
static tc_cel_expr *paren(parser *p)
{
	advance(p);
	tc_cel_expr *e = expr(p);
	if (!e || expect(p, ")"))
		return NULL;
	return e;
}

/* "[" [ExprList] [","] "]" */
static tc_cel_expr *list_literal(parser *p, const tc_cel_token *at)
{
	advance(p);
	tc_cel_expr *e = node(p, TC_CEL_E_LIST, at);
	exprs l = {0};
	if (expr_list(p, &l, "]", 1, &e->optmask)) {
		free(l.v);
		return NULL;
	}
	return fold(p, finish_list(p, e, &l));
}

/* Primary = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")"
 *         | "[" [ExprList] [","] "]" | "{" [MapInits] [","] "}"
 *         | ["."] SELECTOR {"." SELECTOR} "{" [FieldInits] [","] "}" | LITERAL */
static tc_cel_expr *primary(parser *p)
{
	if (check_tok(p))
		return NULL;
	if (p->tok.kind != TC_CEL_T_IDENT && p->tok.kind != TC_CEL_T_PUNCT)
		return constant(p);
	tc_cel_token at = p->tok;
	int dot = is(p, ".");
	if (dot && leading_dot(p))
		return NULL;
	if (p->tok.kind == TC_CEL_T_IDENT && !p->tok.quoted)
		return named(p, &at, dot);
	if (is(p, "("))
		return paren(p);
	if (is(p, "["))
		return list_literal(p, &at);
	if (is(p, "{")) {
		advance(p);
		return fold(p, inits(p, node(p, TC_CEL_E_MAP, &at), 0));
	}
	err(p, &p->tok, "unexpected '%s'",
	    p->tok.kind == TC_CEL_T_PUNCT ? tc_arena_memdup0(p->a, p->tok.text, p->tok.len)
	                                  : p->tok.text);
	return NULL;
}

/* The dotted name an IDENT/SELECT chain spells, or NULL. */
static const char *qualified(parser *p, const tc_cel_expr *e)
{
	if (e->op == TC_CEL_E_IDENT)
		return e->name;
	if (e->op != TC_CEL_E_SELECT || e->optional)
		return NULL;
	const char *up = qualified(p, e->args[0]);
	return up ? tc_arena_printf(p->a, "%s.%s", up, e->name) : NULL;
}

/* over an optional mark '?': 1 when there is one */
static int optional_mark(parser *p)
{
	if (!is(p, "?"))
		return 0;
	advance(p);
	return 1;
}

/* "." ["?"] SELECTOR ["(" [ExprList] ")"] after the Member e, whose
 * token is at */
static tc_cel_expr *selection(parser *p, tc_cel_expr *e, const tc_cel_token *at)
{
	advance(p);
	int opt = optional_mark(p);
	if (check_tok(p))
		return NULL;
	if (p->tok.kind != TC_CEL_T_IDENT) {
		err(p, &p->tok, "%s", "expected a field name after '.'");
		return NULL;
	}
	const char *name = p->tok.text;
	int quoted = p->tok.quoted;
	tc_cel_token nt = p->tok;
	advance(p);
	if (is(p, "(") && !opt && !quoted) {
		advance(p);
		return call_args(p, &nt, name, e);
	}
	tc_cel_expr *s = node(p, TC_CEL_E_SELECT, at);
	s->name = name;
	s->optional = opt;
	set_args(p, s, &e, 1);
	return s;
}

/* "[" ["?"] Expr "]" after the Member e */
static tc_cel_expr *subscript(parser *p, tc_cel_expr *e, const tc_cel_token *at)
{
	advance(p);
	int opt = optional_mark(p);
	tc_cel_expr *i = expr(p);
	if (!i || expect(p, "]"))
		return NULL;
	tc_cel_expr *x = node(p, TC_CEL_E_INDEX, at);
	x->optional = opt;
	tc_cel_expr *args[2] = {e, i};
	set_args(p, x, args, 2);
	return x;
}

/* Member = Primary | Member "." SELECTOR ["(" [ExprList] ")"]
 *        | Member "[" Expr "]" | Member "{" [FieldInits] "}" */
static tc_cel_expr *member(parser *p)
{
	tc_cel_expr *e = primary(p);
	while (e) {
		if (check_tok(p))
			return NULL;
		tc_cel_token at = p->tok;
		if (is(p, ".")) {
			e = selection(p, e, &at);
		} else if (is(p, "[")) {
			e = subscript(p, e, &at);
		} else if (is(p, "{")) {
			const char *type = qualified(p, e);
			if (!type)
				return e;
			advance(p);
			tc_cel_expr *m = node(p, TC_CEL_E_MSG, &at);
			m->name = type;
			e = inits(p, m, 1);
		} else {
			return e;
		}
	}
	return NULL;
}

/* Unary = Member | "!" {"!"} Member | "-" {"-"} Member */
static tc_cel_expr *unary(parser *p)
{
	if (check_tok(p))
		return NULL;
	tc_cel_token at = p->tok;
	if (p->depth + 1 > TC_CEL_MAX_DEPTH) {
		err(p, &p->tok, "%s", "expression nested too deeply");
		return NULL;
	}
	if (is(p, "!")) {
		advance(p);
		p->depth++;
		tc_cel_expr *x = unary(p);
		p->depth--;
		return x ? call(p, &at, "!_", TC_CEL_F_NOT, x, NULL) : NULL;
	}
	if (is(p, "-")) {
		advance(p);
		/* -9223372036854775808 is a literal of its own: its magnitude
		 * is no int64 */
		if (p->tok.kind == TC_CEL_T_INT && p->tok.uval == (uint64_t)INT64_MAX + 1) {
			tc_cel_expr *e = literal(p, tc_cel_int(p->a, INT64_MIN));
			e->col = at.col;
			return e;
		}
		p->depth++;
		tc_cel_expr *x = unary(p);
		p->depth--;
		return x ? call(p, &at, "-_", TC_CEL_F_NEG, x, NULL) : NULL;
	}
	return member(p);
}

typedef struct binop {
	const char *punct, *name;
	tc_cel_fop fop;
} binop;

static const binop mul_ops[] = {{"*", "_*_", TC_CEL_F_MUL},
                                {"/", "_/_", TC_CEL_F_DIV},
                                {"%", "_%_", TC_CEL_F_MOD},
                                {0}};
static const binop add_ops[] = {{"+", "_+_", TC_CEL_F_ADD}, {"-", "_-_", TC_CEL_F_SUB}, {0}};
static const binop rel_ops[] = {{"==", "_==_", TC_CEL_F_EQ},
                                {"!=", "_!=_", TC_CEL_F_NE},
                                {"<", "_<_", TC_CEL_F_LT},
                                {"<=", "_<=_", TC_CEL_F_LE},
                                {">", "_>_", TC_CEL_F_GT},
                                {">=", "_>=_", TC_CEL_F_GE},
                                {0}};

/* Multiplication = [Multiplication ("*" | "/" | "%")] Unary, and the two
 * levels above it (Addition, Relation with "in") by the table passed. */
static tc_cel_expr *binary(parser *p, int level)
{
	tc_cel_expr *l = level == 0 ? unary(p) : binary(p, level - 1);
	const binop *ops = level == 0 ? mul_ops : level == 1 ? add_ops : rel_ops;
	while (l) {
		if (check_tok(p))
			return NULL;
		const binop *op = NULL;
		for (const binop *o = ops; o->punct; o++)
			if (is(p, o->punct))
				op = o;
		tc_cel_token at = p->tok;
		if (!op && level == 2 && is_ident(p, "in")) {
			static const binop in = {"in", "@in", TC_CEL_F_IN};
			op = &in;
		}
		if (!op)
			return l;
		advance(p);
		tc_cel_expr *r = level == 0 ? unary(p) : binary(p, level - 1);
		if (!r)
			return NULL;
		l = call(p, &at, op->name, op->fop, l, r);
	}
	return NULL;
}

/* ConditionalAnd = [ConditionalAnd "&&"] Relation ;
 * ConditionalOr = [ConditionalOr "||"] ConditionalAnd */
static tc_cel_expr *logical(parser *p, int or)
{
	tc_cel_expr *l = or ? logical(p, 0) : binary(p, 2);
	while (l) {
		if (check_tok(p))
			return NULL;
		if (!is(p, or ? "||" : "&&"))
			return l;
		tc_cel_token at = p->tok;
		advance(p);
		tc_cel_expr *r = or ? logical(p, 0) : binary(p, 2);
		if (!r)
			return NULL;
		tc_cel_expr *e = node(p, or ? TC_CEL_E_OR : TC_CEL_E_AND, &at);
		tc_cel_expr *args[2] = {l, r};
		set_args(p, e, args, 2);
		l = e;
	}
	return NULL;
}

/* Expr = ConditionalOr ["?" ConditionalOr ":" Expr] */
static tc_cel_expr *expr(parser *p)
{
	if (++p->depth > TC_CEL_MAX_DEPTH) {
		err(p, &p->tok, "%s", "expression nested too deeply");
		return NULL;
	}
	tc_cel_expr *c = logical(p, 1);
	if (c && !check_tok(p) && is(p, "?")) {
		tc_cel_token at = p->tok;
		advance(p);
		tc_cel_expr *t = logical(p, 1);
		if (!t || expect(p, ":"))
			return NULL;
		tc_cel_expr *f = expr(p);
		if (!f)
			return NULL;
		tc_cel_expr *e = node(p, TC_CEL_E_COND, &at);
		tc_cel_expr *args[3] = {c, t, f};
		set_args(p, e, args, 3);
		c = e;
	}
	p->depth--;
	return p->failed ? NULL : c;
}

int tc_cel_parse(tc_cel_expr **out, tc_arena *a, tc_diags *d, const char *file, const char *src,
                 size_t n)
{
	parser p = {.a = a, .d = d, .file = file};
	if (n > TC_CEL_MAX_SOURCE) {
		tc_pos pos = {file, 1, 1};
		return tc_error(d, pos, NULL, "expression longer than %zu bytes",
		                (size_t)TC_CEL_MAX_SOURCE);
	}
	tc_cel_lex_init(&p.lx, a, src, n);
	tc_cel_lex_next(&p.lx, &p.next);
	advance(&p);
	tc_cel_expr *e = expr(&p);
	if (e && !check_tok(&p) && p.tok.kind != TC_CEL_T_EOF)
		err(&p, &p.tok, "%s", "unexpected input after the expression");
	if (p.failed || !e)
		return -1;
	*out = e;
	return 0;
}
