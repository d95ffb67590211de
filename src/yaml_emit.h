/*
 * yaml_emit.h - canonical YAML text from tc_value.
 *
 * The output is one fixed form per value, so that equal values always give
 * equal bytes and every YAML reader (PyYAML and Go yaml.v2 for YAML 1.1,
 * libyaml/tenantc and Go yaml.v3 for 1.2) reads back the same value:
 *  - in every mapping the keys apiVersion, kind, metadata come first, in
 *    that order, then the rest sorted by bytes;
 *  - two spaces of indentation; block sequences are not indented under
 *    their key (kubectl style "key:\n- a"); empty collections are {} and [];
 *  - strings are plain unless some reader would take them for something
 *    else (tc_scalar_needs_quotes); then single-quoted, or double-quoted
 *    with escapes when they hold tabs or non-printable characters;
 *    multi-line strings are block literals (| |- |+, with an indentation
 *    indicator when the first line starts with a space or a tab) unless a line ends
 *    in a space or a character cannot appear in a literal;
 *  - integers in decimal, floats in the shortest form that reads back to
 *    the same double and always has a '.', or .inf -.inf .nan;
 *  - keys longer than 1000 bytes use the explicit "? key" form (YAML
 *    limits implicit keys to 1024 characters).
 * Bytes that are not valid UTF-8 (only computed strings can hold them) are
 * written as \xXX escapes, which read back as U+00XX.
 */
#ifndef TC_YAML_EMIT_H
#define TC_YAML_EMIT_H

#include <stddef.h>

#include "buf.h"
#include "value.h"

/* Append one document (no "---", ends with a newline) to out. Failure to
 * grow the buffer shows in tc_buf_failed(out). */
void tc_yaml_emit(tc_buf *out, const tc_value *v);

/* Append n documents separated by "---" lines (nothing when n is 0). */
void tc_yaml_emit_stream(tc_buf *out, const tc_value *const *docs, size_t n);

#endif
