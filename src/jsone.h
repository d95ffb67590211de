/*
 * jsone.h - JSON-e templates: the public interface.
 *
 * tc_jsone_render(template, context) evaluates a JSON-e template (a
 * tc_value tree, typically loaded from YAML) against a context object and
 * builds the result in the caller's arena. The language is the one of the
 * JSON-e specification suite (../shared/conformance/json-e): every
 * $-operator, the expression language, the built-in functions, string
 * interpolation with JavaScript's number formatting and the reference's
 * error messages.
 *
 * Ownership and threads: nothing here has global state. A compiled template
 * (tc_jsone_compile) is read-only after it is built and can be shared by
 * any number of threads rendering at the same time; each render call has its
 * own arena and diagnostics. The template must outlive the compiled form
 * (expression syntax trees point into its strings).
 *
 * Errors: a failed render adds one diagnostic of class TC_DIAG_INPUT at the
 * position of the template node that failed, with the message in the
 * specification's form, e.g.
 *   "InterpreterError at template.metadata.name: unknown context value x"
 * and returns -1. Values flagged TC_VAL_SECRET never appear in a message
 * (they print as <redacted>), and every value computed from one keeps the
 * flag.
 *
 * Limits keep a hostile or broken template from taking the machine down:
 * evaluation steps, nesting depth and the bytes of memory a render may
 * allocate are bounded, and exceeding one is an ordinary template error.
 */
#ifndef TC_JSONE_H
#define TC_JSONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

/* A host function callable from templates, e.g. file("nginx.conf"). It
 * gets the evaluated arguments and returns 0 with *out set (allocated in a,
 * positioned at pos), or -1 after adding a diagnostic to d. A diagnostic's
 * message should be in the "BuiltinError: ..." form. */
typedef int (*tc_jsone_hostfn)(tc_value **out, void *ud, tc_arena *a, tc_diags *d, tc_pos pos,
                               tc_value *const *args, size_t nargs);

typedef struct tc_jsone_host {
	const char *name; /* an identifier; shadows a built-in of the same name */
	tc_jsone_hostfn fn;
	void *ud;
} tc_jsone_host;

/* Defaults (used for a field left 0):
 * 10,000,000 steps: a template that legitimately renders a big tenant takes
 *   well under 100,000, and ten million C steps take well under a second;
 * depth 500: templates and documents are at most 256 deep (the YAML
 *   loader's limit), and 500 C frames of the evaluator fit easily in a
 *   worker thread's stack;
 * 64 MiB of output: a whole tenant's manifests are a few hundred KiB;
 *   Kubernetes refuses objects over 1.5 MiB anyway. */
#define TC_JSONE_DEFAULT_MAX_STEPS 10000000u
#define TC_JSONE_DEFAULT_MAX_DEPTH 500u
#define TC_JSONE_DEFAULT_MAX_OUTPUT ((size_t)64 << 20)

typedef struct tc_jsone_opts {
	/* The render's "now", ISO-8601 UTC ("2026-01-02T03:04:05.000Z"); NULL
	 * means "1970-01-01T00:00:00.000Z". Never the clock. A context key
	 * "now" overrides it, as the language requires. */
	const char *now;
	uint64_t max_steps;
	size_t max_depth;
	size_t max_output; /* bytes allocated in the arena by one render */
	/* The rendering helpers (b64encode, b64decode, sha256, toJson, toYaml,
	 * fromJson, fromYaml): off for the pure language (the conformance
	 * suite), on for tenantc's own templates. */
	bool extras;
	const tc_jsone_host *hostfns; /* more functions, e.g. file() */
	size_t nhostfns;
} tc_jsone_opts;

/* A template with every expression parsed, reusable across renders. */
typedef struct tc_jsone_compiled tc_jsone_compiled;

/* Parse every expression and interpolation of tmpl once. Syntax errors are
 * kept and reported when (and only if) a render reaches them, as the
 * language is lazy. The result is malloc'd; free it with
 * tc_jsone_compiled_free. max_depth 0 means the default. */
tc_jsone_compiled *tc_jsone_compile(const tc_value *tmpl, size_t max_depth);
void tc_jsone_compiled_free(tc_jsone_compiled *c);
const tc_value *tc_jsone_compiled_template(const tc_jsone_compiled *c);

/* Render. The result (in a, positioned at the template nodes that made it)
 * is null when the whole template was deleted (e.g. $if without a matching
 * branch). opts may be NULL for the defaults. Returns 0, or -1 with one
 * error in d. The result may share unchanged subtrees with the template
 * and the context, and (for tc_jsone_render_compiled) literals of the
 * compiled expressions, so those must outlive it. tc_jsone_render parses
 * the template's expressions into a, so a single render needs nothing
 * else kept. */
int tc_jsone_render(tc_value **out, tc_arena *a, tc_diags *d, const tc_value *tmpl,
                    const tc_value *context, const tc_jsone_opts *opts)
	__attribute__((warn_unused_result));
int tc_jsone_render_compiled(tc_value **out, tc_arena *a, tc_diags *d, const tc_jsone_compiled *c,
                             const tc_value *context, const tc_jsone_opts *opts)
	__attribute__((warn_unused_result));

/* Format a number as JavaScript's Number.prototype.toString does (shortest
 * round trip, "1e+21", "1e-7", "-0" as "0"). Non-finite values give "NaN",
 * "Infinity" or "-Infinity". */
void tc_jsone_format_number(tc_buf *out, double x);

#endif
