/*
 * ascii.h - classes of ASCII bytes for the scanners that read grammars
 * defined on bytes (RFC 3986, RFC 3339, JSON, CEL), where DIGIT, ALPHA and
 * HEXDIG mean ASCII only: unlike <ctype.h> they do not depend on the
 * locale or on the sign of char. Header only, pure functions.
 */
#ifndef TC_ASCII_H
#define TC_ASCII_H

#include <stdbool.h>

static inline bool tc_ascii_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool tc_ascii_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The value 0..15 of the hexadecimal digit c (either case), or -1. */
static inline int tc_ascii_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
