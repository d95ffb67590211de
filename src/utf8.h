/*
 * utf8.h - decoding one UTF-8 sequence, for the emitters and readers that
 * step through strings character by character, and encoding one code
 * point, for the readers that turn escapes (JSON \uXXXX, CEL \u and \U)
 * into bytes.
 */
#ifndef TC_UTF8_H
#define TC_UTF8_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* The length (1..4) of the well-formed UTF-8 sequence at s, at most n > 0
 * bytes, with its code point in *cp; 0 when it is malformed (overlong,
 * a surrogate, beyond U+10FFFF, cut short). */
size_t tc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Append the UTF-8 encoding (1..4 bytes) of the code point cp, at most
 * U+10FFFF, to b. The caller has ruled out surrogates where its grammar
 * forbids them. */
void tc_utf8_put(tc_buf *b, uint32_t cp);

#endif
