/*
 * cel_lex.h - CEL tokens (the lexical grammar of the CEL language
 * definition, cel-spec doc/langdef.md "Syntax").
 */
#ifndef TC_CEL_LEX_H
#define TC_CEL_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum tc_cel_tok {
	TC_CEL_T_EOF,
	TC_CEL_T_INT,  /* ival (a literal past INT64_MAX is an error, except -9223372036854775808 */
	TC_CEL_T_UINT, /* uval */
	TC_CEL_T_DOUBLE, /* dval */
	TC_CEL_T_STRING, /* text[0..len) decoded, valid UTF-8 */
	TC_CEL_T_BYTES,  /* text[0..len) decoded */
	TC_CEL_T_IDENT,  /* text; quoted (`a-b`) when the token was in backquotes */
	TC_CEL_T_PUNCT,  /* text: one of ( ) [ ] { } . , ? : ! - + * / % == != < <= > >= && || */
	TC_CEL_T_ERROR,  /* text: the message; col where it is */
} tc_cel_tok;

typedef struct tc_cel_token {
	tc_cel_tok kind;
	uint32_t line, col; /* 1-based, columns count code points */
	const char *text;
	size_t len;
	uint64_t uval; /* INT: the magnitude (sign applied by the parser), UINT: the value */
	double dval;
	int quoted;
} tc_cel_token;

typedef struct tc_cel_lexer {
	tc_arena *a;
	const char *src;
	size_t n, pos;
	uint32_t line, col;
} tc_cel_lexer;

void tc_cel_lex_init(tc_cel_lexer *lx, tc_arena *a, const char *src, size_t n);
/* The next token (EOF at the end, ERROR with a message on bad input). */
void tc_cel_lex_next(tc_cel_lexer *lx, tc_cel_token *out);
/* True when t is the punctuation p. */
int tc_cel_tok_is(const tc_cel_token *t, const char *p);

#endif
