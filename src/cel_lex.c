/*
 * cel_lex.c - the CEL lexer: bytes to tokens, with 1-based line and column.
 *
 * Follows the lexical grammar of the CEL language definition (cel-spec
 * doc/langdef.md "Syntax"): decimal and hexadecimal integers with an
 * optional u/U suffix, doubles with fraction and exponent, strings and
 * bytes in single, double or triple quotes with the r/R (raw) and b/B
 * prefixes and the escapes \a \b \f \n \r \t \v \\ \' \" \` \? \xHH \ooo
 * \uHHHH \UHHHHHHHH, identifiers, backquoted field names, and the
 * operators. String and bytes literals are decoded here into the arena;
 * a string literal must be valid UTF-8 and may not name a surrogate.
 * Columns count code points, as the spec's error positions do.
 */
#include "cel_lex.h"

#include "ascii.h"
#include "buf.h"
#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tc_cel_lex_init(tc_cel_lexer *lx, tc_arena *a, const char *src, size_t n)
{
	lx->a = a;
	lx->src = src;
	lx->n = n;
	lx->pos = 0;
	lx->line = 1;
	lx->col = 1;
}

int tc_cel_tok_is(const tc_cel_token *t, const char *p)
{
	return t->kind == TC_CEL_T_PUNCT && t->len == strlen(p) && memcmp(t->text, p, t->len) == 0;
}

static int peekc(const tc_cel_lexer *lx, size_t k)
{
	return lx->pos + k < lx->n ? (unsigned char)lx->src[lx->pos + k] : -1;
}

/* Advance over one byte, keeping line and column (a UTF-8 continuation
 * byte does not start a column). */
static void adv(tc_cel_lexer *lx)
{
	unsigned char c = (unsigned char)lx->src[lx->pos++];
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		lx->col++;
	}
}

static void fail(tc_cel_lexer *lx, tc_cel_token *t, const char *msg)
{
	(void)lx;
	t->kind = TC_CEL_T_ERROR;
	t->text = msg;
	t->len = strlen(msg);
}

/* One escape after the backslash; returns a message or NULL. */
static const char *escape(tc_cel_lexer *lx, tc_buf *b, int bytes)
{
	int c = peekc(lx, 0);
	if (c < 0)
		return "unterminated escape sequence";
	adv(lx);
	switch (c) {
	case 'a':
		tc_buf_addc(b, '\a');
		return NULL;
	case 'b':
		tc_buf_addc(b, '\b');
		return NULL;
	case 'f':
		tc_buf_addc(b, '\f');
		return NULL;
	case 'n':
		tc_buf_addc(b, '\n');
		return NULL;
	case 'r':
		tc_buf_addc(b, '\r');
		return NULL;
	case 't':
		tc_buf_addc(b, '\t');
		return NULL;
	case 'v':
		tc_buf_addc(b, '\v');
		return NULL;
	case '\\':
	case '\'':
	case '"':
	case '`':
	case '?':
		tc_buf_addc(b, (char)c);
		return NULL;
	default:
		break;
	}
	uint32_t v = 0;
	int digits = 0, base = 16;
	if (c == 'x' || c == 'X')
		digits = 2;
	else if (c == 'u')
		digits = 4;
	else if (c == 'U')
		digits = 8;
	else if (c >= '0' && c <= '3') {
		base = 8;
		digits = 2;
		v = (uint32_t)(c - '0');
	} else
		return "invalid escape sequence";
	if (bytes && (c == 'u' || c == 'U'))
		return "unicode escape in a bytes literal";
	for (int i = 0; i < digits; i++) {
		int d = peekc(lx, 0);
		int h = d < 0 ? -1 : tc_ascii_hex_value(d);
		if (h < 0 || h >= base)
			return "invalid escape sequence";
		v = v * (uint32_t)base + (uint32_t)h;
		adv(lx);
	}
	if (bytes) {
		tc_buf_addc(b, (char)v);
		return NULL;
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return "invalid unicode code point";
	tc_utf8_put(b, v);
	return NULL;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_quote(int c)
{
	return c == '"' || c == '\'';
}

/* The body of a string literal after its opening quote q (or three),
 * decoded into b up to and over the closing quotes; returns a message or
 * NULL. */
static const char *string_body(tc_cel_lexer *lx, tc_buf *b, int q, int triple, int raw, int bytes)
{
	for (;;) {
		int c = peekc(lx, 0);
		if (c < 0 || (!triple && (c == '\n' || c == '\r')))
			return "unterminated string literal";
		if (c == q && (!triple || (peekc(lx, 1) == q && peekc(lx, 2) == q))) {
			for (int i = 0; i < (triple ? 3 : 1); i++)
				adv(lx);
			return NULL;
		}
		if (c == '\\' && !raw) {
			adv(lx);
			const char *m = escape(lx, b, bytes);
			if (m)
				return m;
			continue;
		}
		tc_buf_addc(b, (char)c);
		adv(lx);
	}
}

static int valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

static void lex_string(tc_cel_lexer *lx, tc_cel_token *t, int raw, int bytes)
{
	int q = peekc(lx, 0);
	int triple = peekc(lx, 1) == q && peekc(lx, 2) == q;
	for (int i = 0; i < (triple ? 3 : 1); i++)
		adv(lx);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	const char *m = string_body(lx, &b, q, triple, raw, bytes);
	if (m) {
		tc_buf_release(&b);
		fail(lx, t, m);
		return;
	}
	t->kind = bytes ? TC_CEL_T_BYTES : TC_CEL_T_STRING;
	t->len = b.len;
	t->text = tc_arena_memdup0(lx->a, b.ptr ? b.ptr : "", b.len);
	tc_buf_release(&b);
	if (!bytes && !valid_utf8(t->text, t->len))
		fail(lx, t, "string literal is not valid UTF-8");
}

static void skip_digits(tc_cel_lexer *lx)
{
	while (is_digit(peekc(lx, 0)))
		adv(lx);
}

/* an integer's optional u/U suffix, which makes it unsigned */
static void int_suffix(tc_cel_lexer *lx, tc_cel_token *t)
{
	t->kind = TC_CEL_T_INT;
	if (peekc(lx, 0) == 'u' || peekc(lx, 0) == 'U') {
		adv(lx);
		t->kind = TC_CEL_T_UINT;
	}
}

/* 0x1F, 0XffU */
static void lex_hex(tc_cel_lexer *lx, tc_cel_token *t)
{
	adv(lx);
	adv(lx);
	uint64_t v = 0;
	int any = 0, over = 0;
	while (peekc(lx, 0) >= 0 && tc_ascii_hex_value(peekc(lx, 0)) >= 0) {
		if (v > UINT64_MAX / 16)
			over = 1;
		v = v * 16 + (uint64_t)tc_ascii_hex_value(peekc(lx, 0));
		adv(lx);
		any = 1;
	}
	if (!any) {
		fail(lx, t, "invalid hexadecimal literal");
		return;
	}
	int_suffix(lx, t);
	if (over) {
		fail(lx, t, "integer literal out of range");
		return;
	}
	t->uval = v;
}

/* The fraction and the exponent after a number's integer digits, each
 * optional; true when there is either, which makes the number a double. */
static int lex_fraction(tc_cel_lexer *lx)
{
	int isdouble = 0;
	if (peekc(lx, 0) == '.' && is_digit(peekc(lx, 1))) {
		isdouble = 1;
		adv(lx);
		skip_digits(lx);
	}
	if (peekc(lx, 0) != 'e' && peekc(lx, 0) != 'E')
		return isdouble;
	size_t k = peekc(lx, 1) == '+' || peekc(lx, 1) == '-' ? 2 : 1;
	if (!is_digit(peekc(lx, k)))
		return isdouble;
	for (size_t i = 0; i < k; i++)
		adv(lx);
	skip_digits(lx);
	return 1;
}

static void lex_number(tc_cel_lexer *lx, tc_cel_token *t)
{
	if (peekc(lx, 0) == '0' && (peekc(lx, 1) == 'x' || peekc(lx, 1) == 'X')) {
		lex_hex(lx, t);
		return;
	}
	size_t start = lx->pos;
	skip_digits(lx);
	int isdouble = lex_fraction(lx);
	char *txt = tc_arena_memdup0(lx->a, lx->src + start, lx->pos - start);
	if (isdouble) {
		t->kind = TC_CEL_T_DOUBLE;
		t->dval =
			strtod(txt, NULL); /* overflow gives inf, as cel-go's ParseFloat does not */
		return;
	}
	int_suffix(lx, t);
	errno = 0;
	unsigned long long v = strtoull(txt, NULL, 10);
	if (errno == ERANGE) {
		fail(lx, t, "integer literal out of range");
		return;
	}
	t->uval = v;
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* blanks and // comments */
static void skip_space(tc_cel_lexer *lx)
{
	for (;;) {
		int c = peekc(lx, 0);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			adv(lx);
		} else if (c == '/' && peekc(lx, 1) == '/') {
			while (peekc(lx, 0) >= 0 && peekc(lx, 0) != '\n')
				adv(lx);
		} else {
			return;
		}
	}
}

/* The length of the prefix of a string literal that starts here (none;
 * r or b; br or rb, in either case), with what it says in *raw and
 * *bytes; -1 when no string literal starts here. */
static int string_prefix(const tc_cel_lexer *lx, int *raw, int *bytes)
{
	int n = 0;
	*raw = *bytes = 0;
	for (; n < 2; n++) {
		int c = peekc(lx, n);
		if ((c == 'r' || c == 'R') && !*raw)
			*raw = 1;
		else if ((c == 'b' || c == 'B') && !*bytes)
			*bytes = 1;
		else
			break;
	}
	return is_quote(peekc(lx, n)) ? n : -1;
}

static void lex_ident(tc_cel_lexer *lx, tc_cel_token *t)
{
	size_t start = lx->pos;
	while (peekc(lx, 0) >= 0 && (is_ident_start(peekc(lx, 0)) || is_digit(peekc(lx, 0))))
		adv(lx);
	t->kind = TC_CEL_T_IDENT;
	t->len = lx->pos - start;
	t->text = tc_arena_memdup0(lx->a, lx->src + start, t->len);
}

/* `a.b-c/d e`: a field name in backquotes */
static void lex_quoted_ident(tc_cel_lexer *lx, tc_cel_token *t)
{
	adv(lx);
	size_t start = lx->pos;
	while (peekc(lx, 0) >= 0 && peekc(lx, 0) != '`' && peekc(lx, 0) != '\n') {
		int d = peekc(lx, 0);
		if (!is_ident_start(d) && !is_digit(d) && d != '.' && d != '-' && d != '/' &&
		    d != ' ') {
			fail(lx, t, "invalid character in a quoted identifier");
			return;
		}
		adv(lx);
	}
	if (peekc(lx, 0) != '`' || lx->pos == start) {
		fail(lx, t, "unterminated quoted identifier");
		return;
	}
	t->kind = TC_CEL_T_IDENT;
	t->quoted = 1;
	t->len = lx->pos - start;
	t->text = tc_arena_memdup0(lx->a, lx->src + start, t->len);
	adv(lx);
}

static void lex_punct(tc_cel_lexer *lx, tc_cel_token *t, int c)
{
	static const char *const two[] = {"==", "!=", "<=", ">=", "&&", "||"};
	int c1 = peekc(lx, 1);
	for (size_t i = 0; i < sizeof two / sizeof two[0]; i++) {
		if (c == two[i][0] && c1 == two[i][1]) {
			t->kind = TC_CEL_T_PUNCT;
			t->text = two[i];
			t->len = 2;
			adv(lx);
			adv(lx);
			return;
		}
	}
	const char *one = strchr("()[]{}.,?:!-+*/%<>", c);
	if (one && c) {
		t->kind = TC_CEL_T_PUNCT;
		t->text = one;
		t->len = 1;
		adv(lx);
		return;
	}
	fail(lx, t, "unexpected character");
}

void tc_cel_lex_next(tc_cel_lexer *lx, tc_cel_token *t)
{
	memset(t, 0, sizeof *t);
	skip_space(lx);
	t->line = lx->line;
	t->col = lx->col;
	int c = peekc(lx, 0);
	if (c < 0) {
		t->kind = TC_CEL_T_EOF;
		return;
	}
	if (is_digit(c) || (c == '.' && is_digit(peekc(lx, 1)))) {
		lex_number(lx, t);
		return;
	}
	int raw, bytes, prefix = string_prefix(lx, &raw, &bytes);
	if (prefix >= 0) {
		for (int i = 0; i < prefix; i++)
			adv(lx);
		lex_string(lx, t, raw, bytes);
		return;
	}
	if (is_ident_start(c))
		lex_ident(lx, t);
	else if (c == '`')
		lex_quoted_ident(lx, t);
	else
		lex_punct(lx, t, c);
}
