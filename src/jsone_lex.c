/*
 * jsone_lex.c - the JSON-e tokenizer.
 *
 * Works on byte offsets into a source string that it never copies. The
 * order of the checks below is the order of the language's token table, so
 * "**" wins over "*", ">=" over ">", "!=" over "!", and the keywords true,
 * false, in and null are keywords only when no identifier character follows
 * ("input" is an identifier). Numbers are unsigned decimals with an optional
 * fraction of at least one digit; there is no exponent, so "1e3" is the
 * number 1 followed by the identifier e3.
 */
#include "jsone_lex.h"

#include <string.h>

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || is_digit(c);
}

size_t tc_jsone_space_len(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	switch (u[0]) {
	case ' ':
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
		return 1;
	case 0xC2: /* U+00A0 */
		return n >= 2 && u[1] == 0xA0 ? 2 : 0;
	case 0xE1: /* U+1680 */
		return n >= 3 && u[1] == 0x9A && u[2] == 0x80 ? 3 : 0;
	case 0xE2:
		if (n < 3)
			return 0;
		if (u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xA8 ||
		                     u[2] == 0xA9 || u[2] == 0xAF))
			return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
		if (u[1] == 0x81 && u[2] == 0x9F)
			return 3; /* U+205F */
		return 0;
	case 0xE3: /* U+3000 */
		return n >= 3 && u[1] == 0x80 && u[2] == 0x80 ? 3 : 0;
	case 0xEF: /* U+FEFF */
		return n >= 3 && u[1] == 0xBB && u[2] == 0xBF ? 3 : 0;
	default:
		return 0;
	}
}

size_t tc_jsone_space_len_back(const char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		if (tc_jsone_space_len(s + n - k, k) == k)
			return k;
	}
	return 0;
}

static bool keyword(const char *s, size_t len, size_t off, const char *kw)
{
	size_t n = strlen(kw);
	if (len - off < n || memcmp(s + off, kw, n) != 0)
		return false;
	return off + n == len || !is_ident_char((unsigned char)s[off + n]);
}

/* The operators and punctuation in the order of the language's token table:
 * a two-byte token comes before its one-byte prefix. '=', '&' and '|' alone
 * are no token. */
static const struct {
	char text[3];
	tc_jsone_tok kind;
} puncts[] = {
	{"**", TC_TK_POW},   {"*", TC_TK_STAR},     {"+", TC_TK_PLUS},     {"-", TC_TK_MINUS},
	{"/", TC_TK_SLASH},  {"[", TC_TK_LBRACKET}, {"]", TC_TK_RBRACKET}, {".", TC_TK_DOT},
	{"(", TC_TK_LPAREN}, {")", TC_TK_RPAREN},   {"{", TC_TK_LBRACE},   {"}", TC_TK_RBRACE},
	{":", TC_TK_COLON},  {",", TC_TK_COMMA},    {">=", TC_TK_GE},      {">", TC_TK_GT},
	{"<=", TC_TK_LE},    {"<", TC_TK_LT},       {"==", TC_TK_EQ},      {"!=", TC_TK_NE},
	{"!", TC_TK_NOT},    {"&&", TC_TK_AND},     {"||", TC_TK_OR},
};

/* the keywords, each only when no identifier character follows */
static const struct {
	const char *text;
	tc_jsone_tok kind;
} keywords[] = {
	{"true", TC_TK_TRUE},
	{"false", TC_TK_FALSE},
	{"in", TC_TK_IN},
	{"null", TC_TK_NULL},
};

static bool lex_punct(tc_jsone_tok *k, size_t *n, unsigned char c, unsigned char c2)
{
	for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
		const char *t = puncts[i].text;
		if ((unsigned char)t[0] != c || (t[1] && (unsigned char)t[1] != c2))
			continue;
		*k = puncts[i].kind;
		*n = t[1] ? 2 : 1;
		return true;
	}
	return false;
}

/* digits, then an optional '.' and at least one digit */
static size_t number_end(const char *src, size_t len, size_t e)
{
	while (e < len && is_digit((unsigned char)src[e]))
		e++;
	if (e + 1 < len && src[e] == '.' && is_digit((unsigned char)src[e + 1])) {
		e++;
		while (e < len && is_digit((unsigned char)src[e]))
			e++;
	}
	return e;
}

/* a keyword, a number or an identifier */
static bool lex_word(tc_jsone_tok *k, size_t *n, const char *src, size_t len, size_t off)
{
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
		if (keyword(src, len, off, keywords[i].text)) {
			*k = keywords[i].kind;
			*n = strlen(keywords[i].text);
			return true;
		}
	}
	unsigned char c = (unsigned char)src[off];
	size_t e = off;
	if (is_digit(c)) {
		*k = TC_TK_NUMBER;
		e = number_end(src, len, off);
	} else if (is_ident_start(c)) {
		*k = TC_TK_IDENT;
		while (e < len && is_ident_char((unsigned char)src[e]))
			e++;
	} else {
		return false;
	}
	*n = e - off;
	return true;
}

bool tc_jsone_lex(tc_jsone_token *out, const char *src, size_t len, size_t off)
{
	size_t w;
	while (off < len && (w = tc_jsone_space_len(src + off, len - off)) > 0)
		off += w;
	out->start = off;
	if (off >= len) {
		out->kind = TC_TK_EOF;
		out->end = len;
		return true;
	}
	unsigned char c = (unsigned char)src[off];
	unsigned char c2 = off + 1 < len ? (unsigned char)src[off + 1] : 0;
	size_t n = 1;
	tc_jsone_tok k;
	if (c == '\'' || c == '"') {
		const char *q = memchr(src + off + 1, (int)c, len - off - 1);
		if (!q)
			return false;
		k = TC_TK_STRING;
		n = (size_t)(q - (src + off)) + 1;
	} else if (!lex_punct(&k, &n, c, c2) && !lex_word(&k, &n, src, len, off)) {
		return false;
	}
	out->kind = k;
	out->end = off + n;
	return true;
}

const char *tc_jsone_tok_name(tc_jsone_tok k)
{
	static const char *const names[] = {
		[TC_TK_EOF] = "end of input",
		[TC_TK_POW] = "**",
		[TC_TK_PLUS] = "+",
		[TC_TK_MINUS] = "-",
		[TC_TK_STAR] = "*",
		[TC_TK_SLASH] = "/",
		[TC_TK_LBRACKET] = "[",
		[TC_TK_RBRACKET] = "]",
		[TC_TK_DOT] = ".",
		[TC_TK_LPAREN] = "(",
		[TC_TK_RPAREN] = ")",
		[TC_TK_LBRACE] = "{",
		[TC_TK_RBRACE] = "}",
		[TC_TK_COLON] = ":",
		[TC_TK_COMMA] = ",",
		[TC_TK_GE] = ">=",
		[TC_TK_LE] = "<=",
		[TC_TK_LT] = "<",
		[TC_TK_GT] = ">",
		[TC_TK_EQ] = "==",
		[TC_TK_NE] = "!=",
		[TC_TK_NOT] = "!",
		[TC_TK_AND] = "&&",
		[TC_TK_OR] = "||",
		[TC_TK_TRUE] = "true",
		[TC_TK_FALSE] = "false",
		[TC_TK_IN] = "in",
		[TC_TK_NULL] = "null",
		[TC_TK_NUMBER] = "number",
		[TC_TK_IDENT] = "identifier",
		[TC_TK_STRING] = "string",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
