/*
 * jsone_parse.h - the JSON-e expression language: syntax tree and parser.
 *
 * An expression is parsed once into a tree of tc_jsone_node allocated in an
 * arena; the tree is read-only afterwards and may be shared by threads.
 * Names and object-literal keys point into the source text, which must
 * outlive the tree (it is a string of the template). Literals are prebuilt
 * tc_values carrying the position given to the parser.
 */
#ifndef TC_JSONE_PARSE_H
#define TC_JSONE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "jsone_lex.h"
#include "value.h"

typedef enum tc_jsone_nkind {
	TC_JN_LIT,    /* lit */
	TC_JN_IDENT,  /* name */
	TC_JN_LIST,   /* kids[n] */
	TC_JN_OBJECT, /* keys[n] -> kids[n], in source order */
	TC_JN_UNARY,  /* op a */
	TC_JN_BINARY, /* a op b, for every infix operator including && || in */
	TC_JN_DOT,    /* a.name */
	TC_JN_INDEX,  /* a[b] */
	TC_JN_SLICE,  /* a[b:c], b and c may be NULL */
	TC_JN_CALL,   /* a(kids[0], ..., kids[n-1]) */
} tc_jsone_nkind;

typedef struct tc_jsone_key {
	const char *ptr;
	size_t len;
} tc_jsone_key;

typedef struct tc_jsone_node tc_jsone_node;
struct tc_jsone_node {
	tc_jsone_nkind kind;
	tc_jsone_tok op;
	const char *name; /* IDENT, DOT: not NUL-terminated */
	size_t nlen;
	tc_value *lit;
	tc_jsone_node *a, *b, *c;
	tc_jsone_node **kids;
	tc_jsone_key *keys;
	size_t n;
};

/* Parse src[0..len).
 *  - interp == false: the whole text is one expression.
 *  - interp == true: src is the text after "${"; the expression ends at the
 *    first token that cannot continue it, which must be '}'. *end receives
 *    the offset just after that '}'.
 * Nesting deeper than max_depth is an error. On failure returns -1 and
 * appends the message (without the "SyntaxError: " prefix) to err. */
int tc_jsone_parse(tc_jsone_node **out, size_t *end, tc_arena *a, const char *src, size_t len,
                   bool interp, tc_pos pos, size_t max_depth, tc_buf *err)
	__attribute__((warn_unused_result));

#endif
