/*
 * cel_eval.h - CEL evaluation: environments, the cost budget, errors as values.
 */
#ifndef TC_CEL_EVAL_H
#define TC_CEL_EVAL_H

#include "cel_parse.h"

typedef struct tc_cel_env tc_cel_env;
typedef struct tc_cel_ctx tc_cel_ctx;

/* A function overload set: called with the evaluated arguments (receiver
 * first for a method call); returns the result or an error value. */
typedef tc_cel_val *tc_cel_fn(tc_cel_ctx *c, tc_cel_val **args, size_t n);
typedef struct tc_cel_func {
	const char *name;
	tc_cel_fn *fn;
	bool method; /* callable as recv.name(...) */
	bool global; /* callable as name(...) */
} tc_cel_func;

/* A variable binding ("self", "object", or a context key). */
typedef struct tc_cel_var {
	const char *name;
	tc_cel_val *val;
} tc_cel_var;

struct tc_cel_env {
	const tc_cel_func *const *tables; /* function tables, each sorted by name */
	const size_t *ntables;
	size_t nt;
	const tc_cel_var *vars; /* sorted by name (tc_cel_vars_sort) */
	size_t nvars;
	uint64_t cost_limit; /* 0: TC_CEL_DEFAULT_COST */
	/* set by tc_cel_env_init: no variable's name has a '.', so that an
	 * evaluation need not look (false: it looks) */
	bool no_dotted_vars;
};

struct tc_cel_ctx {
	tc_arena *a;
	const tc_cel_env *env;
	uint64_t cost, limit;
	bool exhausted;        /* the budget ran out: the evaluation stops with an error */
	const tc_cel_expr *at; /* the call being evaluated, for messages */
	void *regex_cache;     /* compiled patterns of this evaluation (cel_lib.c) */
	bool dotted_vars;      /* some variable's name has a '.' (a.b as one name) */
};

/* Count n units; false (and exhausted set) once the budget is spent. */
bool tc_cel_charge(tc_cel_ctx *c, uint64_t n);

/* Sort vars by name so lookups can bisect. */
void tc_cel_vars_sort(tc_cel_var *vars, size_t n);
/* An env with the standard library and the given vars. */
void tc_cel_env_init(tc_cel_env *env, const tc_cel_var *vars, size_t nvars);

/* The function `name` in env's tables from table *t on (*t left at the
 * table it was found in), or NULL. */
const tc_cel_func *tc_cel_env_find(const tc_cel_env *env, const char *name, size_t *t);

/* Evaluate e. *out is the result, which may be a TC_CEL_ERROR value;
 * *cost (when not NULL) the units spent. Returns -1 only when the cost
 * budget ran out (*out is then the error saying so). */
int tc_cel_eval(tc_cel_val **out, tc_arena *a, const tc_cel_env *env, const tc_cel_expr *e,
                uint64_t *cost);

/* Release what an evaluation cached outside the arena (compiled regular
 * expressions); tc_cel_eval calls it itself. */
void tc_cel_ctx_release(tc_cel_ctx *c);
void tc_cel_regex_release(void *cache);

#endif
