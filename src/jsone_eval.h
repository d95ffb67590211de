/*
 * jsone_eval.h - the JSON-e interpreter state and expression evaluation.
 *
 * Shared by the evaluator (jsone_eval.c), the operators and the template
 * walk (jsone_ops.c) and the built-in functions (jsone_builtins.c). One
 * tc_jsone_state lives on the stack of one render call; nothing in it is
 * shared between threads.
 *
 * Values: JSON-e's values are tc_values, plus two things that are not data:
 *  - a function (a built-in or a host function) is a TC_NULL value with the
 *    flag TC_JSONE_FN whose u.str.ptr points at its tc_jsone_fn; it must
 *    never reach the output, which the final check guarantees;
 *  - the delete marker is the address &state->deleted.
 * Numbers: arithmetic is done on doubles, as in JavaScript; a result is a
 * TC_INT when every operand was one and the result is integral (and within
 * 2^53), else a TC_FLOAT. A non-finite result is an error.
 * Taint: a value computed from a TC_VAL_SECRET value gets the flag too.
 */
#ifndef TC_JSONE_EVAL_H
#define TC_JSONE_EVAL_H

#include <stdarg.h>

#include "buf.h"
#include "jsone.h"
#include "jsone_parse.h"

/* Flag of a function value (kind TC_NULL). Kept apart from value.h's flags,
 * which use the low bits. */
#define TC_JSONE_FN (1u << 24)

typedef enum tc_jsone_errkind {
	TC_JE_TEMPLATE,
	TC_JE_INTERPRETER,
	TC_JE_BUILTIN,
	TC_JE_SYNTAX,
} tc_jsone_errkind;

typedef struct tc_jsone_state tc_jsone_state;
typedef struct tc_jsone_scope tc_jsone_scope;

/* A built-in: gets its evaluated arguments and the scope of the call site
 * (for fromNow and defined). */
typedef int (*tc_jsone_builtin)(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                                tc_value *const *args, size_t n);

typedef struct tc_jsone_fn {
	const char *name;
	tc_jsone_builtin builtin; /* NULL for a host function */
	tc_jsone_hostfn host;
	void *ud;
} tc_jsone_fn;

/* One level of variables: either an object's members (the context, a $let)
 * or up to three named variables ($map, $reduce, $find, $sort). The
 * outermost level (up == NULL past the context) is the built-ins. */
struct tc_jsone_scope {
	const tc_jsone_scope *up;
	const tc_value *obj;
	size_t n;
	const char *names[3];
	size_t nlens[3];
	tc_value *vals[3];
};

/* A segment of an error's template location: .key / ["key"] or [index]. */
typedef struct tc_jsone_seg {
	const char *key; /* NULL: index */
	size_t klen;
	size_t index;
} tc_jsone_seg;

struct tc_jsone_compiled;

struct tc_jsone_state {
	tc_arena *a;
	tc_diags *d;
	uint64_t steps, max_steps;
	size_t depth, max_depth;
	size_t used0, max_output;
	bool extras;
	tc_pos epos;      /* the template node being evaluated: errors and new values */
	tc_value deleted; /* its address is the delete marker */
	tc_value *now;
	tc_jsone_fn *hosts;
	size_t nhosts;
	tc_jsone_seg *segs; /* the location stack (malloc'd) */
	size_t nsegs, segcap;
	const struct tc_jsone_compiled *compiled;
	tc_buf ibuf; /* interpolation text, reused (interpolations never nest) */
	bool risky;  /* a function value was made or $reduce ran: check the output */
};

/* Record the error "Kind[ at template<location>]: message" at st->epos and
 * return -1. */
int tc_jsone_raise(tc_jsone_state *st, tc_jsone_errkind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Count n evaluation steps and check the step and output limits. */
int tc_jsone_step(tc_jsone_state *st, uint64_t n) __attribute__((warn_unused_result));
/* Check that n more bytes of output stay within the limit. */
int tc_jsone_check_size(tc_jsone_state *st, size_t n) __attribute__((warn_unused_result));

/* Evaluate an expression tree in scope sc. */
int tc_jsone_eval(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                  const tc_jsone_scope *sc) __attribute__((warn_unused_result));

/* Look a variable up: NULL when unbound. Built-ins become function values. */
tc_value *tc_jsone_lookup(tc_jsone_state *st, const tc_jsone_scope *sc, const char *name,
                          size_t len);

static inline bool tc_jsone_is_fn(const tc_value *v)
{
	return (v->flags & TC_JSONE_FN) != 0;
}
static inline const tc_jsone_fn *tc_jsone_fn_of(const tc_value *v)
{
	return (const tc_jsone_fn *)(const void *)v->u.str.ptr;
}
static inline bool tc_jsone_secret(const tc_value *v)
{
	return (v->flags & TC_VAL_SECRET) != 0;
}
/* Mark a freshly built value as secret when taint is set; returns v. */
static inline tc_value *tc_jsone_taint(tc_value *v, bool taint)
{
	if (taint)
		v->flags |= TC_VAL_SECRET;
	return v;
}
/* True when v or anything in it is secret (bounded by max_depth; deeper
 * counts as secret). */
bool tc_jsone_tainted(const tc_jsone_state *st, const tc_value *v);

bool tc_jsone_truthy(const tc_value *v);
/* Deep equality: numbers by value, functions by identity. 1 equal, 0 not,
 * -1 error (nesting deeper than the limit). */
int tc_jsone_equal(tc_jsone_state *st, const tc_value *a, const tc_value *b, size_t depth);
/* A number value from a double: TC_INT when ints and integral. Non-finite
 * is an InterpreterError. */
int tc_jsone_number(tc_value **out, tc_jsone_state *st, double x, bool ints, bool taint)
	__attribute__((warn_unused_result));
/* Is x an integral double (usable as an index)? */
bool tc_jsone_integral(double x);

/* Append v as interpolation text: strings as they are, numbers by
 * tc_jsone_format_number, true/false, null as "". Returns false for arrays,
 * objects and functions (nothing appended). */
bool tc_jsone_text(tc_buf *out, const tc_value *v);
/* Append v as the reference prints a callee in "<v> is not callable". */
void tc_jsone_callee_text(tc_buf *out, const tc_value *v, size_t depth);
/* Compact JSON with sorted keys, JSON.stringify style ($json). Returns -1
 * on a function (TemplateError) or too deep a value. */
int tc_jsone_json(tc_jsone_state *st, tc_buf *out, const tc_value *v, size_t depth);

/* Check a value before it leaves the engine: no function anywhere in it
 * ("evaluated template contained uncalled functions") and no nesting past
 * max_depth, which would overflow the stack of every later consumer. */
int tc_jsone_check_output(tc_jsone_state *st, const tc_value *v, size_t depth)
	__attribute__((warn_unused_result));

/* UTF-8: number of code points, and the byte offset of code point i. */
size_t tc_jsone_utf8_len(const char *s, size_t n);
size_t tc_jsone_utf8_offset(const char *s, size_t n, size_t i);

/* A string value built from a buffer (checked against the output limit). */
int tc_jsone_buf_value(tc_value **out, tc_jsone_state *st, tc_buf *b, bool taint)
	__attribute__((warn_unused_result));

#endif
