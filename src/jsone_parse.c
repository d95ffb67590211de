/*
 * jsone_parse.c - recursive-descent parser for JSON-e expressions.
 *
 * One function per grammar rule, lowest precedence first. The parser keeps
 * one current token and lexes the next only when it takes one, exactly as
 * the reference does, so errors are met in the same order and text after an
 * interpolation's closing '}' is never looked at. Error messages copy the
 * reference's wording ("Found: X token, expected one of: ...", "Unexpected
 * end of input") because the specification suite compares them.
 *
 * Nesting (parentheses, literals, unary operators) is bounded by max_depth
 * so that a hostile expression cannot exhaust the C stack.
 */
#include "jsone_parse.h"

#include <stdlib.h>
#include <string.h>

/* what may follow a complete expression (the message for a left-over token) */
static const char infix_expected[] = "!=, &&, (, *, **, +, -, ., /, <, <=, ==, >, >=, [, in, ||";
/* what may start a unit */
static const char unit_expected[] =
	"!, (, +, -, [, false, identifier, null, number, string, true, {";

typedef struct parser {
	const char *src;
	size_t len;
	tc_jsone_token tok;
	tc_arena *a;
	tc_pos pos;
	bool interp;
	size_t depth, max_depth;
	tc_buf *err;
} parser;

static tc_jsone_node *expr(parser *p);

static tc_jsone_node *fail_end(parser *p)
{
	tc_buf_adds(p->err,
	            p->interp ? "unterminated ${..} expression" : "Unexpected end of input");
	return NULL;
}

static tc_jsone_node *fail_found(parser *p, const char *expected)
{
	if (p->tok.kind == TC_TK_EOF)
		return fail_end(p);
	tc_buf_addf(p->err, "Found: %.*s token, expected one of: %s",
	            (int)(p->tok.end - p->tok.start), p->src + p->tok.start, expected);
	return NULL;
}

/* Take the current token and lex the next one. */
static bool advance(parser *p)
{
	if (!tc_jsone_lex(&p->tok, p->src, p->len, p->tok.end)) {
		tc_buf_addf(p->err, "Unexpected input for '%.*s' at '%.*s'", (int)p->len, p->src,
		            (int)(p->len - p->tok.start), p->src + p->tok.start);
		return false;
	}
	return true;
}

/* Take a token of kind k or fail with the reference's message. */
static bool expect(parser *p, tc_jsone_tok k)
{
	if (p->tok.kind != k) {
		fail_found(p, tc_jsone_tok_name(k));
		return false;
	}
	return advance(p);
}

static tc_jsone_node *node(parser *p, tc_jsone_nkind kind)
{
	tc_jsone_node *n = tc_arena_calloc(p->a, sizeof *n);
	n->kind = kind;
	return n;
}

static bool enter(parser *p)
{
	if (++p->depth > p->max_depth) {
		tc_buf_addf(p->err, "expression nested deeper than %zu levels", p->max_depth);
		return false;
	}
	return true;
}

static tc_value *number_literal(parser *p)
{
	size_t n = p->tok.end - p->tok.start;
	const char *s = p->src + p->tok.start;
	char small[64];
	char *z = n < sizeof small ? small : tc_arena_alloc(p->a, n + 1);
	memcpy(z, s, n);
	z[n] = 0;
	double d = strtod(z, NULL);
	if (!memchr(s, '.', n) && d <= 9007199254740992.0)
		return tc_value_int(p->a, (int64_t)d, p->pos);
	return tc_value_float(p->a, d, p->pos);
}

/* grow a scratch list of nodes to hold item n and store it */
static void push_node(tc_jsone_node ***list, size_t *cap, size_t n, tc_jsone_node *e)
{
	TC_GROW(*list, *cap, n + 1);
	(*list)[n] = e;
}

static void push_key(tc_jsone_key **list, size_t *cap, size_t n, tc_jsone_key k)
{
	TC_GROW(*list, *cap, n + 1);
	(*list)[n] = k;
}

/* exprs = [ expr { "," expr } ]      (before close, which is left for the caller)
 * into n->kids and n->n */
static bool exprs(parser *p, tc_jsone_node *n, tc_jsone_tok close)
{
	tc_jsone_node **kids = NULL;
	size_t cap = 0;
	bool ok = true, more = p->tok.kind != close;
	while (more) {
		tc_jsone_node *e = expr(p);
		if (!e) {
			ok = false;
			break;
		}
		push_node(&kids, &cap, n->n++, e);
		more = p->tok.kind == TC_TK_COMMA;
		if (more && !advance(p)) {
			ok = false;
			break;
		}
	}
	if (ok) {
		n->kids = tc_arena_alloc(p->a, n->n * sizeof *kids);
		if (n->n)
			memcpy(n->kids, kids, n->n * sizeof *kids);
	}
	free(kids);
	return ok;
}

/* list = "[" exprs "]" */
static tc_jsone_node *list(parser *p)
{
	tc_jsone_node *n = node(p, TC_JN_LIST);
	if (!advance(p) || !exprs(p, n, TC_TK_RBRACKET))
		return NULL;
	return expect(p, TC_TK_RBRACKET) ? n : NULL;
}

/* member = key ":" expr; the key is the current token */
static tc_jsone_node *member(parser *p, tc_jsone_key *k)
{
	k->ptr = p->src + p->tok.start;
	k->len = p->tok.end - p->tok.start;
	if (p->tok.kind == TC_TK_STRING) {
		k->ptr++;
		k->len -= 2;
	}
	if (!advance(p) || !expect(p, TC_TK_COLON))
		return NULL;
	return expr(p);
}

/* object = "{" [ member { "," member } [ "," ] ] "}"
 * key    = identifier | string */
static tc_jsone_node *object(parser *p)
{
	tc_jsone_node *n = node(p, TC_JN_OBJECT);
	tc_jsone_node **kids = NULL;
	tc_jsone_key *keys = NULL;
	size_t cap = 0, kcap = 0;
	bool ok = advance(p);
	while (ok && (p->tok.kind == TC_TK_STRING || p->tok.kind == TC_TK_IDENT)) {
		tc_jsone_key k;
		tc_jsone_node *e = member(p, &k);
		if (!e) {
			ok = false;
			break;
		}
		push_node(&kids, &cap, n->n, e);
		push_key(&keys, &kcap, n->n++, k);
		if (p->tok.kind == TC_TK_RBRACE)
			break;
		ok = expect(p, TC_TK_COMMA);
	}
	if (ok) {
		n->kids = tc_arena_alloc(p->a, n->n * sizeof *kids);
		n->keys = tc_arena_alloc(p->a, n->n * sizeof *keys);
		if (n->n) {
			memcpy(n->kids, kids, n->n * sizeof *kids);
			memcpy(n->keys, keys, n->n * sizeof *keys);
		}
		ok = expect(p, TC_TK_RBRACE);
	}
	free(kids);
	free(keys);
	return ok ? n : NULL;
}

/* unit = ("-" | "+" | "!") unit | number | string | "true" | "false" | "null"
 *      | identifier | "(" expr ")" | list | object */
static tc_jsone_node *unit(parser *p)
{
	tc_jsone_node *n;
	if (!enter(p))
		return NULL;
	switch (p->tok.kind) {
	case TC_TK_MINUS:
	case TC_TK_PLUS:
	case TC_TK_NOT:
		n = node(p, TC_JN_UNARY);
		n->op = p->tok.kind;
		if (!advance(p) || !(n->a = unit(p)))
			return NULL;
		break;
	case TC_TK_NUMBER:
		n = node(p, TC_JN_LIT);
		n->lit = number_literal(p);
		if (!advance(p))
			return NULL;
		break;
	case TC_TK_STRING:
		n = node(p, TC_JN_LIT);
		n->lit = tc_value_str(p->a, p->src + p->tok.start + 1,
		                      p->tok.end - p->tok.start - 2, p->pos);
		if (!advance(p))
			return NULL;
		break;
	case TC_TK_TRUE:
	case TC_TK_FALSE:
		n = node(p, TC_JN_LIT);
		n->lit = tc_value_bool(p->a, p->tok.kind == TC_TK_TRUE, p->pos);
		if (!advance(p))
			return NULL;
		break;
	case TC_TK_NULL:
		n = node(p, TC_JN_LIT);
		n->lit = tc_value_null(p->a, p->pos);
		if (!advance(p))
			return NULL;
		break;
	case TC_TK_IDENT:
		n = node(p, TC_JN_IDENT);
		n->name = p->src + p->tok.start;
		n->nlen = p->tok.end - p->tok.start;
		if (!advance(p))
			return NULL;
		break;
	case TC_TK_LPAREN:
		if (!advance(p) || !(n = expr(p)) || !expect(p, TC_TK_RPAREN))
			return NULL;
		break;
	case TC_TK_LBRACKET:
		n = list(p);
		break;
	case TC_TK_LBRACE:
		n = object(p);
		break;
	default:
		return fail_found(p, unit_expected);
	}
	p->depth--;
	return n;
}

/* access = expr | [ expr ] ":" [ expr ]      (inside "[" ... "]") */
static tc_jsone_node *access(parser *p, tc_jsone_node *target)
{
	if (!advance(p))
		return NULL;
	if (p->tok.kind == TC_TK_RBRACKET)
		return fail_found(p, unit_expected);
	tc_jsone_node *n = node(p, TC_JN_INDEX);
	n->a = target;
	if (p->tok.kind != TC_TK_COLON && !(n->b = expr(p)))
		return NULL;
	if (p->tok.kind == TC_TK_COLON) {
		n->kind = TC_JN_SLICE;
		if (!advance(p))
			return NULL;
		if (p->tok.kind != TC_TK_RBRACKET && !(n->c = expr(p)))
			return NULL;
	}
	return expect(p, TC_TK_RBRACKET) ? n : NULL;
}

/* "." identifier, after target */
static tc_jsone_node *dot(parser *p, tc_jsone_node *target)
{
	if (!advance(p))
		return NULL;
	if (p->tok.kind != TC_TK_IDENT)
		return fail_found(p, "identifier");
	tc_jsone_node *d = node(p, TC_JN_DOT);
	d->a = target;
	d->name = p->src + p->tok.start;
	d->nlen = p->tok.end - p->tok.start;
	return advance(p) ? d : NULL;
}

/* "(" exprs ")", after the callee */
static tc_jsone_node *call(parser *p, tc_jsone_node *callee)
{
	tc_jsone_node *c = node(p, TC_JN_CALL);
	c->a = callee;
	if (!advance(p) || !exprs(p, c, TC_TK_RPAREN))
		return NULL;
	return expect(p, TC_TK_RPAREN) ? c : NULL;
}

/* postfix = unit { "." identifier | "[" access "]" | "(" exprs ")" } */
static tc_jsone_node *postfix(parser *p)
{
	tc_jsone_node *n = unit(p);
	while (n) {
		if (p->tok.kind == TC_TK_DOT)
			n = dot(p, n);
		else if (p->tok.kind == TC_TK_LBRACKET)
			n = access(p, n);
		else if (p->tok.kind == TC_TK_LPAREN)
			n = call(p, n);
		else
			break;
	}
	return n;
}

/* pow = postfix [ "**" pow ]        (right-associative) */
static tc_jsone_node *power(parser *p)
{
	tc_jsone_node *n = postfix(p);
	if (!n || p->tok.kind != TC_TK_POW)
		return n;
	if (!enter(p) || !advance(p))
		return NULL;
	tc_jsone_node *b = node(p, TC_JN_BINARY);
	b->op = TC_TK_POW;
	b->a = n;
	if (!(b->b = power(p)))
		return NULL;
	p->depth--;
	return b;
}

/* The left-associative levels, lowest first:
 *   or     = and    { "||" and }
 *   and    = inexpr { "&&" inexpr }
 *   inexpr = eq     { "in" eq }
 *   eq     = cmp    { ("==" | "!=") cmp }
 *   cmp    = add    { ("<" | ">" | "<=" | ">=") add }
 *   add    = mul    { ("+" | "-") mul }
 *   mul    = pow    { ("*" | "/") pow }
 */
static const tc_jsone_tok levels[][4] = {
	{TC_TK_OR},
	{TC_TK_AND},
	{TC_TK_IN},
	{TC_TK_EQ, TC_TK_NE},
	{TC_TK_LT, TC_TK_GT, TC_TK_LE, TC_TK_GE},
	{TC_TK_PLUS, TC_TK_MINUS},
	{TC_TK_STAR, TC_TK_SLASH},
};
#define NLEVELS (sizeof levels / sizeof levels[0])

static bool at_level(tc_jsone_tok k, size_t level)
{
	for (size_t i = 0; i < 4 && levels[level][i] != TC_TK_EOF; i++)
		if (levels[level][i] == k)
			return true;
	return false;
}

static tc_jsone_node *binary(parser *p, size_t level)
{
	if (level == NLEVELS)
		return power(p);
	tc_jsone_node *n = binary(p, level + 1);
	while (n && at_level(p->tok.kind, level)) {
		tc_jsone_node *b = node(p, TC_JN_BINARY);
		b->op = p->tok.kind;
		b->a = n;
		if (!advance(p) || !(b->b = binary(p, level + 1)))
			return NULL;
		n = b;
	}
	return n;
}

/* expr = or */
static tc_jsone_node *expr(parser *p)
{
	if (!enter(p))
		return NULL;
	tc_jsone_node *n = binary(p, 0);
	p->depth--;
	return n;
}

int tc_jsone_parse(tc_jsone_node **out, size_t *end, tc_arena *a, const char *src, size_t len,
                   bool interp, tc_pos pos, size_t max_depth, tc_buf *err)
{
	parser p = {.src = src,
	            .len = len,
	            .a = a,
	            .pos = pos,
	            .interp = interp,
	            .max_depth = max_depth,
	            .err = err};
	p.tok.end = 0;
	*out = NULL;
	if (!advance(&p))
		return -1;
	tc_jsone_node *n = expr(&p);
	if (!n)
		return -1;
	if (interp) {
		if (p.tok.kind == TC_TK_EOF) {
			fail_end(&p);
			return -1;
		}
		if (p.tok.kind != TC_TK_RBRACE) {
			fail_found(&p, infix_expected);
			return -1;
		}
		if (end)
			*end = p.tok.end;
	} else if (p.tok.kind != TC_TK_EOF) {
		fail_found(&p, infix_expected);
		return -1;
	}
	*out = n;
	return 0;
}
