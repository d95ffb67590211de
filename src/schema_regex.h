/*
 * schema_regex.h - 'pattern' and 'patternProperties' regular expressions:
 * ECMA-262 syntax as far as PCRE2 allows, compiled once, matched with
 * per-thread scratch.
 *
 * Compiled codes are immutable and shared by all threads; every matching
 * thread brings its own tc_regex_scratch (PCRE2 match data and a match
 * context with limits), created on first use and released by the caller.
 *
 * Differences from ECMA-262 (with the 'u' flag) that remain:
 *  - lookbehind must have a bounded length (PCRE2 10.42);
 *  - a backreference to a group that has not matched fails in PCRE2, it
 *    matches the empty string in ECMA-262;
 *  - PCRE2 accepts more syntax than ECMA-262: possessive quantifiers,
 *    atomic groups, \A \Z \h \R, inline flags (?i), POSIX classes are
 *    all accepted instead of being syntax errors;
 *  - '.' excludes only "\n" (ECMA-262 also excludes "\r", U+2028, U+2029);
 *  - \S inside a character class is ASCII (outside a class it is not);
 *  - \p{...} knows the short and the common long General_Category names
 *    and Script=/sc= forms; other long property names are errors.
 * What matches ECMA-262: \d \w \b are ASCII, \s is ECMA-262's Unicode
 * white space set, '$' matches only at the very end, [] and [^] work,
 * \uXXXX and \u{X...} escapes, a literal '[' inside a class.
 */
#ifndef TC_SCHEMA_REGEX_H
#define TC_SCHEMA_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tc_regex_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
} tc_regex_scratch;

#define TC_REGEX_SCRATCH_INIT                                                                      \
	{                                                                                          \
		NULL, NULL, NULL                                                                   \
	}

/* Compile src[0..n). On failure returns NULL and writes PCRE2's message
 * to err and the offset (in src) to *erroff. The code is malloc'd by
 * PCRE2: pcre2_code_free. */
pcre2_code *tc_regex_compile(const char *src, size_t n, char *err, size_t errlen, size_t *erroff);
/* 1: s[0..n) contains a match, 0: it does not, -1: the match hit the
 * backtracking limits (10 million steps, 64 MiB: a pattern too complex
 * for this input). */
int tc_regex_match(const pcre2_code *re, const char *s, size_t n, tc_regex_scratch *sc);
void tc_regex_scratch_release(tc_regex_scratch *sc);
/* True when src[0..n) compiles. */
bool tc_regex_valid(const char *src, size_t n);

#endif
