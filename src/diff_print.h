/*
 * diff_print.h - format a tc_diff as text, GitHub-flavoured markdown or JSON.
 *
 *  text      for terminals and logs: one line per object ("+", "-", "~"),
 *            one per changed field, multi-line strings as a line diff;
 *            ANSI colours only when asked for.
 *  markdown  for a pull request or a job summary: a table of totals per
 *            environment, a table of objects, then one <details> block per
 *            changed object with a table of its fields.
 *  json      for tools: {"summary", "environments", "objects"}, values as
 *            JSON, keys in byte order, two-space indentation.
 *
 * Redacted and encrypted fields print as "changed (redacted)" / "changed
 * (encrypted)" and never with a value: the diff holds none for them.
 * The output depends on the diff and the options only.
 */
#ifndef TC_DIFF_PRINT_H
#define TC_DIFF_PRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diff.h"

typedef enum tc_diff_format {
	TC_DIFF_FORMAT_TEXT,
	TC_DIFF_FORMAT_MARKDOWN,
	TC_DIFF_FORMAT_JSON,
} tc_diff_format;

typedef struct tc_diff_print_opts {
	tc_diff_format format;
	bool color;             /* text: ANSI colours */
	const char *base_label; /* e.g. "main"; NULL: "base" */
	const char *head_label; /* e.g. "HEAD"; NULL: "head" */
	size_t max_value;       /* text, markdown: longest value shown in bytes
	                           (0: 200); json shows every value whole */
	size_t max_objects;     /* markdown: most object rows and details blocks
	                           (0: 500; a job summary holds 1 MiB) */
} tc_diff_print_opts;

/* "text", "markdown" (or "md"), "json" -> *out; -1 for anything else. */
int tc_diff_format_parse(tc_diff_format *out, const char *name) __attribute__((warn_unused_result));

/* Append the formatted diff to out (check tc_buf_failed afterwards). */
void tc_diff_print(tc_buf *out, const tc_diff *df, const tc_diff_print_opts *o);

#endif
