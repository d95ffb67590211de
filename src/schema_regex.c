/*
 * schema_regex.c - ECMA-262 patterns on PCRE2.
 *
 * A pattern is first rewritten where PCRE2 (without PCRE2_UCP, which
 * would make \d and \w match non-ASCII digits and letters, unlike
 * ECMA-262) means something else: \s and \S get ECMA-262's Unicode white
 * space, a '[' inside a class becomes literal, long Unicode property names
 * become the short ones PCRE2 10.42 knows. The result is compiled with
 * PCRE2_UTF (the 'u' flag), PCRE2_DOLLAR_ENDONLY ('$' is the end),
 * PCRE2_ALLOW_EMPTY_CLASS ([] and [^]) and the \u escapes of ECMA-262.
 * The list of what still differs is in schema_regex.h.
 *
 * Limits: matching stops after MATCH_LIMIT backtracking steps or
 * HEAP_LIMIT KiB of backtracking memory, so a catastrophic pattern fails
 * one check with a message instead of hanging a render. JIT code gets a
 * stack of up to JIT_STACK bytes per scratch; a match that needs more is
 * run again by the interpreter, which has the limits above.
 */
#include "schema_regex.h"

#include "buf.h"

#include <stdio.h>
#include <string.h>

#define MATCH_LIMIT 10000000
#define HEAP_LIMIT (64 * 1024)
#define JIT_STACK (1024 * 1024)

/* ECMA-262 WhiteSpace and LineTerminator beyond ASCII */
/* (written with \\uXXXX: PCRE2_ALT_BSUX turns \\x{...} off) */
#define ECMA_SPACE "\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"

typedef struct prop_alias {
	const char *ecma, *pcre;
} prop_alias;

/* General_Category long names of ECMA-262 table 70 -> PCRE2 short names */
static const prop_alias prop_aliases[] = {
	{"Cased_Letter", "L&"},
	{"Close_Punctuation", "Pe"},
	{"Connector_Punctuation", "Pc"},
	{"Control", "Cc"},
	{"Currency_Symbol", "Sc"},
	{"Dash_Punctuation", "Pd"},
	{"Decimal_Number", "Nd"},
	{"Enclosing_Mark", "Me"},
	{"Final_Punctuation", "Pf"},
	{"Format", "Cf"},
	{"Initial_Punctuation", "Pi"},
	{"Letter", "L"},
	{"Letter_Number", "Nl"},
	{"Line_Separator", "Zl"},
	{"Lowercase_Letter", "Ll"},
	{"Mark", "M"},
	{"Math_Symbol", "Sm"},
	{"Modifier_Letter", "Lm"},
	{"Modifier_Symbol", "Sk"},
	{"Nonspacing_Mark", "Mn"},
	{"Number", "N"},
	{"Open_Punctuation", "Ps"},
	{"Other", "C"},
	{"Other_Letter", "Lo"},
	{"Other_Number", "No"},
	{"Other_Punctuation", "Po"},
	{"Other_Symbol", "So"},
	{"Paragraph_Separator", "Zp"},
	{"Private_Use", "Co"},
	{"Punctuation", "P"},
	{"Separator", "Z"},
	{"Space_Separator", "Zs"},
	{"Spacing_Mark", "Mc"},
	{"Surrogate", "Cs"},
	{"Symbol", "S"},
	{"Titlecase_Letter", "Lt"},
	{"Unassigned", "Cn"},
	{"Uppercase_Letter", "Lu"},
	{"digit", "Nd"},
	{"punct", "P"},
};

static bool key_is(const char *k, size_t kl, const char *a, const char *b)
{
	return (kl == strlen(a) && memcmp(k, a, kl) == 0) ||
	       (kl == strlen(b) && memcmp(k, b, kl) == 0);
}

/* a general category or binary property by its ECMA-262 name, in PCRE2's */
static void property_name(tc_buf *out, const char *name, size_t len)
{
	const char *alias = NULL;
	for (size_t k = 0; k < sizeof prop_aliases / sizeof prop_aliases[0]; k++)
		if (strlen(prop_aliases[k].ecma) == len &&
		    memcmp(prop_aliases[k].ecma, name, len) == 0)
			alias = prop_aliases[k].pcre;
	if (alias)
		tc_buf_adds(out, alias);
	else
		tc_buf_add(out, name, len);
}

/* \p{NAME} or \P{NAME} starting at src[i] (the backslash); appends the
 * PCRE2 form to out and returns the bytes consumed, 0 if not a property */
static size_t property(tc_buf *out, const char *src, size_t n, size_t i)
{
	if (i + 3 >= n || src[i + 2] != '{')
		return 0;
	const char *close = memchr(src + i + 3, '}', n - i - 3);
	if (!close)
		return 0;
	const char *name = src + i + 3;
	size_t len = (size_t)(close - name);
	const char *eq = memchr(name, '=', len);
	tc_buf_addc(out, '\\');
	tc_buf_addc(out, src[i + 1]);
	tc_buf_addc(out, '{');
	size_t kl = eq ? (size_t)(eq - name) : 0;
	if (!eq) {
		property_name(out, name, len);
	} else if (key_is(name, kl, "Script", "sc")) {
		tc_buf_add(out, eq + 1, len - kl - 1);
	} else if (key_is(name, kl, "Script_Extensions", "scx")) {
		tc_buf_adds(out, "scx:");
		tc_buf_add(out, eq + 1, len - kl - 1);
	} else if (key_is(name, kl, "General_Category", "gc")) {
		property_name(out, eq + 1, len - kl - 1);
	} else {
		tc_buf_add(out, name, len);
	}
	tc_buf_addc(out, '}');
	return (size_t)(close - (src + i)) + 1;
}

/* An escape at src[i]: \s and \S as ECMA-262's white space, \p and \P
 * properties in PCRE2's names, the rest as written; returns the bytes taken */
static size_t escape(tc_buf *out, const char *src, size_t n, size_t i, bool in_class)
{
	char e = src[i + 1];
	if (e == 's' || e == 'S') {
		if (in_class) {
			tc_buf_adds(out, e == 's' ? ECMA_SPACE : "\\S");
		} else {
			tc_buf_adds(out, e == 's' ? "[" : "[^");
			tc_buf_adds(out, ECMA_SPACE);
			tc_buf_addc(out, ']');
		}
		return 2;
	}
	size_t k = e == 'p' || e == 'P' ? property(out, src, n, i) : 0;
	if (k)
		return k;
	tc_buf_addc(out, src[i]);
	tc_buf_addc(out, e);
	return 2;
}

/* '[' outside a class: opens one ("[^" too); "[]" and "[^]" are empty
 * classes in both languages. Returns the bytes taken, *in_class whether
 * the class is still open */
static size_t open_class(tc_buf *out, const char *src, size_t n, size_t i, bool *in_class)
{
	size_t k = i;
	*in_class = true;
	tc_buf_addc(out, '[');
	if (k + 1 < n && src[k + 1] == '^') {
		tc_buf_addc(out, '^');
		k++;
	}
	if (k + 1 < n && src[k + 1] == ']') {
		tc_buf_addc(out, ']');
		k++;
		*in_class = false;
	}
	return k - i + 1;
}

/* Rewrite an ECMA-262 pattern for PCRE2 (see the top of the file). */
static void translate(tc_buf *out, const char *src, size_t n)
{
	bool in_class = false;
	for (size_t i = 0; i < n;) {
		char c = src[i];
		if (c == '\\' && i + 1 < n) {
			i += escape(out, src, n, i, in_class);
		} else if (!in_class && c == '[') {
			i += open_class(out, src, n, i, &in_class);
		} else if (in_class && c == '[') {
			tc_buf_adds(out, "\\[");
			i++;
		} else {
			if (in_class && c == ']')
				in_class = false;
			tc_buf_addc(out, c);
			i++;
		}
	}
}

pcre2_code *tc_regex_compile(const char *src, size_t n, char *err, size_t errlen, size_t *erroff)
{
	tc_buf t;
	tc_buf_init(&t, TC_BUF_UNLIMITED);
	translate(&t, src, n);
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (!cc) {
		tc_buf_release(&t);
		snprintf(err, errlen, "out of memory");
		*erroff = 0;
		return NULL;
	}
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)tc_buf_str(&t), t.len,
	                               PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY |
	                                       PCRE2_ALLOW_EMPTY_CLASS,
	                               &code, &off, cc);
	pcre2_compile_context_free(cc);
	tc_buf_release(&t);
	if (!re) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", code);
		snprintf(err, errlen, "%s", (const char *)msg);
		/* the offset is in the rewritten pattern; clamp it to the source */
		*erroff = off > n ? n : off;
		return NULL;
	}
	/* JIT is an optimisation: without it PCRE2 interprets the same code */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

int tc_regex_match(const pcre2_code *re, const char *s, size_t n, tc_regex_scratch *sc)
{
	if (!sc->md) {
		sc->md = pcre2_match_data_create(1, NULL);
		sc->mc = pcre2_match_context_create(NULL);
		if (!sc->md || !sc->mc)
			return -1;
		pcre2_set_match_limit(sc->mc, MATCH_LIMIT);
		pcre2_set_heap_limit(sc->mc, HEAP_LIMIT);
		sc->js = pcre2_jit_stack_create(32 * 1024, JIT_STACK, NULL);
		if (sc->js)
			pcre2_jit_stack_assign(sc->mc, NULL, sc->js);
	}
	int r = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, sc->md, sc->mc);
	if (r == PCRE2_ERROR_JIT_STACKLIMIT) /* JIT's small stack: the interpreter has the limits
	                                        above */
		r = pcre2_match(re, (PCRE2_SPTR)s, n, 0, PCRE2_NO_JIT, sc->md, sc->mc);
	if (r >= 0)
		return 1;
	if (r == PCRE2_ERROR_NOMATCH)
		return 0;
	return -1;
}

void tc_regex_scratch_release(tc_regex_scratch *sc)
{
	pcre2_match_data_free(sc->md);
	pcre2_match_context_free(sc->mc);
	pcre2_jit_stack_free(sc->js);
	sc->md = NULL;
	sc->mc = NULL;
	sc->js = NULL;
}

bool tc_regex_valid(const char *src, size_t n)
{
	char err[256];
	size_t off;
	pcre2_code *re = tc_regex_compile(src, n, err, sizeof err, &off);
	if (!re)
		return false;
	pcre2_code_free(re);
	return true;
}
