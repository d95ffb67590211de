/*
 * cel_check.h - a static pass over a parsed CEL expression: what can be
 * known before evaluation, and the estimated worst-case cost.
 *
 * The checker finds undeclared variables and functions, calls with a
 * number of arguments no overload takes, and type errors that the types
 * known statically make certain (literals, the declared kinds of
 * variables, and what the operators and functions return): `1 + 'a'`,
 * `42.charAt(0)`, `!5`. Where a type is not known (dyn) nothing is
 * reported: the evaluation decides.
 *
 * The estimate follows the cost model of cel-go's checker (checker/cost.go,
 * which the Kubernetes API server runs on every CRD validation rule and
 * admission policy expression): constants cost 0, identifiers and field
 * selections 1, a list literal 10 and a map literal 30 more than their
 * elements, a function call 1 more than its arguments, string functions
 * 0.1 per character they traverse, a regular expression match the
 * traversal times 0.25 per character of the pattern, && || and ?: the
 * larger branch at most and the first operand at least, and a macro the
 * size of its range times its body. Sizes come from the declarations
 * (maxLength, maxItems, maxProperties of a schema) and from literals;
 * where a size is not known the estimate is unbounded (UINT64_MAX), as
 * cel-go's is.
 */
#ifndef TC_CEL_CHECK_H
#define TC_CEL_CHECK_H

#include "cel_parse.h"

/* The largest estimated cost of one expression the API server accepts in
 * a CRD (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation
 * StaticEstimatedCostLimit) and of all the rules of one CRD
 * (StaticEstimatedCRDCostLimit). */
#define TC_CEL_STATIC_COST_LIMIT UINT64_C(10000000)
#define TC_CEL_STATIC_CRD_COST_LIMIT UINT64_C(100000000)
/* An estimate or size that nothing bounds. */
#define TC_CEL_UNBOUNDED UINT64_MAX

/* A static type: what the checker knows of a value's kind. */
typedef enum tc_cel_tkind {
	TC_CEL_TY_DYN, /* anything: not known statically */
	TC_CEL_TY_NULL,
	TC_CEL_TY_BOOL,
	TC_CEL_TY_INT,
	TC_CEL_TY_UINT,
	TC_CEL_TY_DOUBLE,
	TC_CEL_TY_STRING,
	TC_CEL_TY_BYTES,
	TC_CEL_TY_LIST,
	TC_CEL_TY_MAP,
	TC_CEL_TY_TYPE,
	TC_CEL_TY_DURATION,
	TC_CEL_TY_TIMESTAMP,
	TC_CEL_TY_OPTIONAL,
} tc_cel_tkind;

/* The declaration of a variable's value, or of a part of it: the shape a
 * schema gives. Every field is optional (zero: not known). */
typedef struct tc_cel_decl tc_cel_decl;
struct tc_cel_decl {
	tc_cel_tkind kind;
	/* string or bytes: the most characters/bytes; list: the most items;
	 * map: the most entries (maxLength, maxItems, maxProperties); 0 when
	 * not known */
	uint64_t max_size;
	const tc_cel_decl *elem; /* a list's items, a map's values (NULL: dyn) */
	/* a map with string keys: the declared properties and their values
	 * (a schema's properties); field selection of one of them has its
	 * declaration, of any other name that of elem */
	const char *const *field_names;
	const tc_cel_decl *const *field_decls;
	size_t nfields;
};

typedef struct tc_cel_check_var {
	const char *name;
	const tc_cel_decl *decl; /* NULL: dyn, sizes unknown */
} tc_cel_check_var;

/* A function signature: name (qualified names such as "math.least" as
 * one), callable as a method and/or a global, the number of arguments it
 * takes (a method's receiver not counted; max 255: any number), the
 * receiver's and the arguments' kinds as letters ('s' string, 'y' bytes,
 * 'i' int, 'u' uint, 'd' double, 'b' bool, 'l' list, 'm' map, 't'
 * timestamp, 'r' duration, 'o' optional, 'n' int, uint or double, '*'
 * any; several letters: any of them; the arguments' positions separated
 * by spaces, "s i", the last one repeating; NULL: any), and the result
 * kind. A name may have several. */
typedef struct tc_cel_sig {
	const char *name;
	bool method, global;
	uint8_t min_args, max_args;
	const char *recv; /* a method's receiver kind letter(s): one of them */
	const char *args;
	tc_cel_tkind result;
} tc_cel_sig;

typedef struct tc_cel_check_env {
	const tc_cel_check_var *vars; /* the declared variables */
	size_t nvars;
	bool any_var; /* an undeclared name is a dyn variable instead of an error */
	/* functions beyond the standard library and the extensions */
	const tc_cel_sig *sigs;
	size_t nsigs;
	/* an evaluation environment whose functions have no signature here
	 * (a library such as Kubernetes'): a call of one of them is accepted
	 * in the forms it has, with any arguments, its result dyn */
	const struct tc_cel_env *runtime;
} tc_cel_check_env;

typedef struct tc_cel_check_error {
	uint32_t line, col;
	const char *msg;
} tc_cel_check_error;

typedef struct tc_cel_check_result {
	tc_cel_tkind type;           /* the expression's type, DYN when not known */
	uint64_t cost_min, cost_max; /* the estimate; cost_max TC_CEL_UNBOUNDED when unbounded */
	tc_cel_check_error *errors;  /* in source order */
	size_t nerrors;
} tc_cel_check_result;

/* Check e. env NULL: the standard functions, any name a dyn variable.
 * Everything in *out lives in the arena. */
void tc_cel_check(tc_cel_check_result *out, tc_arena *a, const tc_cel_expr *e,
                  const tc_cel_check_env *env);

/* A declaration for v's shape and sizes (a context value's), from the arena. */
const tc_cel_decl *tc_cel_decl_of(tc_arena *a, const tc_cel_val *v);

/* "int", "list", "dyn", ... */
const char *tc_cel_tkind_name(tc_cel_tkind k);

#endif
