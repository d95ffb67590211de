/*
 * cel_parse.h - CEL syntax tree and parser (cel_lex.c tokens, cel_parse.c grammar).
 */
#ifndef TC_CEL_PARSE_H
#define TC_CEL_PARSE_H

#include "cel_value.h"

typedef enum tc_cel_op {
	TC_CEL_E_LIT,    /* lit */
	TC_CEL_E_IDENT,  /* name (may be dotted after resolution: a.b.c) */
	TC_CEL_E_SELECT, /* a[0].name, optional: a[0].?name */
	TC_CEL_E_HAS,    /* has(a[0].name) */
	TC_CEL_E_INDEX,  /* a[0][a[1]], optional: a[0][?a[1]] */
	TC_CEL_E_CALL,   /* name(a...) or a[0].name(a[1]...) when recv */
	TC_CEL_E_LIST,   /* [a...], optional elements flagged in optmask */
	TC_CEL_E_MAP,    /* {a[0]: a[1], ...} */
	TC_CEL_E_MSG,    /* name{field: a[i]} */
	TC_CEL_E_COND,   /* a[0] ? a[1] : a[2] */
	TC_CEL_E_AND,    /* a[0] && a[1] */
	TC_CEL_E_OR,     /* a[0] || a[1] */
	TC_CEL_E_COMP,   /* a macro: see tc_cel_macro */
} tc_cel_op;

typedef enum tc_cel_macro {
	TC_CEL_M_ALL,
	TC_CEL_M_EXISTS,
	TC_CEL_M_EXISTS_ONE,
	TC_CEL_M_MAP,           /* a[0].map(x, a[1]), or with a filter a[0].map(x, a[2], a[1]) */
	TC_CEL_M_FILTER,        /* a[0].filter(x, a[1]) */
	TC_CEL_M_TRANSFORM_MAP, /* a[0].transformMap(k, v, a[1]), with a filter a[2] */
	TC_CEL_M_OPT_MAP,       /* a[0].optMap(x, a[1]) */
	TC_CEL_M_OPT_FLAT_MAP,  /* a[0].optFlatMap(x, a[1]) */
	TC_CEL_M_BIND,          /* cel.bind(name, a[0], a[1]) */
	TC_CEL_M_BLOCK,         /* cel.block([a[0], ..., a[n-2]], a[n-1]); slots "@index<i>" */
} tc_cel_macro;

/* The operators, as CALL nodes with no receiver; fop names which (the
 * name field holds CEL's own spelling, "_+_", "@in", ...). */
typedef enum tc_cel_fop {
	TC_CEL_F_NONE,
	TC_CEL_F_ADD,
	TC_CEL_F_SUB,
	TC_CEL_F_MUL,
	TC_CEL_F_DIV,
	TC_CEL_F_MOD,
	TC_CEL_F_NEG,
	TC_CEL_F_NOT,
	TC_CEL_F_EQ,
	TC_CEL_F_NE,
	TC_CEL_F_LT,
	TC_CEL_F_LE,
	TC_CEL_F_GT,
	TC_CEL_F_GE,
	TC_CEL_F_IN,
} tc_cel_fop;

typedef struct tc_cel_expr tc_cel_expr;
struct tc_cel_expr {
	tc_cel_op op;
	uint32_t col;      /* 1-based column (the source is one line as far as positions go) */
	uint32_t line;     /* 1-based line */
	uint32_t height;   /* 1 + the tallest child: at most TC_CEL_MAX_DEPTH */
	const char *name;  /* IDENT, SELECT field, CALL function, MSG type, COMP variable */
	const char *name2; /* COMP: the second variable of a two-variable macro, or NULL */
	tc_cel_val *lit;   /* LIT; a LIST or MAP of constants: its value, built once */
	tc_cel_expr *recv; /* CALL receiver (NULL for a global call) */
	tc_cel_expr **args;
	size_t nargs;
	const char **fields; /* MSG field names, one per arg */
	uint64_t optmask;    /* LIST/MAP/MSG: bit i set when entry i is optional ('?') */
	bool optional;       /* SELECT '.?', INDEX '[?' */
	tc_cel_macro macro;  /* COMP */
	tc_cel_fop fop;      /* CALL of an operator */
};

/* Parse src[0..n) into *out. On a syntax error: -1 with one diagnostic at
 * file:line:col (file is the name to print, e.g. "<expr>"). */
int tc_cel_parse(tc_cel_expr **out, tc_arena *a, tc_diags *d, const char *file, const char *src,
                 size_t n) __attribute__((warn_unused_result));

#endif
