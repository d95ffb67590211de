/*
 * jsone_lex.h - tokens of the JSON-e expression language.
 *
 * The lexer is lazy: the parser asks for one token at a time, starting at a
 * byte offset, so that text after the end of an expression (the rest of an
 * interpolated string after its closing '}') is never tokenised. Token kinds
 * are tried in the order of the language definition (LANGUAGE.md 6.1):
 * operators, keywords (only as whole words), numbers, identifiers, strings.
 * Strings have no escape sequences. Whitespace is JavaScript's \s: the six
 * ASCII ones plus the Unicode spaces and line separators.
 */
#ifndef TC_JSONE_LEX_H
#define TC_JSONE_LEX_H

#include <stdbool.h>
#include <stddef.h>

typedef enum tc_jsone_tok {
	TC_TK_EOF,
	TC_TK_POW, /* ** */
	TC_TK_PLUS,
	TC_TK_MINUS,
	TC_TK_STAR,
	TC_TK_SLASH,
	TC_TK_LBRACKET,
	TC_TK_RBRACKET,
	TC_TK_DOT,
	TC_TK_LPAREN,
	TC_TK_RPAREN,
	TC_TK_LBRACE,
	TC_TK_RBRACE,
	TC_TK_COLON,
	TC_TK_COMMA,
	TC_TK_GE,
	TC_TK_LE,
	TC_TK_LT,
	TC_TK_GT,
	TC_TK_EQ,
	TC_TK_NE,
	TC_TK_NOT,
	TC_TK_AND,
	TC_TK_OR,
	TC_TK_TRUE,
	TC_TK_FALSE,
	TC_TK_IN,
	TC_TK_NULL,
	TC_TK_NUMBER,
	TC_TK_IDENT,
	TC_TK_STRING,
} tc_jsone_tok;

typedef struct tc_jsone_token {
	tc_jsone_tok kind;
	size_t start, end; /* byte offsets into the source; a string keeps its quotes */
} tc_jsone_token;

/* Scan the next token of src[0..len) at or after byte offset off, skipping
 * whitespace. At the end of the input the kind is TC_TK_EOF. Returns false
 * on a character that starts no token; then out->start is its offset. */
bool tc_jsone_lex(tc_jsone_token *out, const char *src, size_t len, size_t off);

/* The name of a kind as the language's error messages spell it: "**",
 * "identifier", "number", "string", "true", ... */
const char *tc_jsone_tok_name(tc_jsone_tok k);

/* Length of the whitespace character at s[0..n) (JavaScript \s), 0 if none. */
size_t tc_jsone_space_len(const char *s, size_t n);
/* Length of the whitespace character that ends s[0..n), 0 if none. */
size_t tc_jsone_space_len_back(const char *s, size_t n);

#endif
