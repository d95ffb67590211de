/*
 * base64.h - the one base64 codec (RFC 4648, standard alphabet), for the
 * age and SOPS formats and the JSON-e b64encode/b64decode built-ins.
 *
 * The formats disagree on what a decoder accepts, so the decoder takes
 * flags; the encoder only chooses whether to pad. Neither allocates: the
 * caller gives the room (tc_base64_encoded_len, or at most 3/4 of the
 * input for decoding).
 */
#ifndef TC_BASE64_H
#define TC_BASE64_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* The length of the encoding of n bytes (without a NUL). */
size_t tc_base64_encoded_len(size_t n, bool pad);

/* Write the encoding of data[0..n) and a NUL to out, which has room for
 * tc_base64_encoded_len(n, pad) + 1 bytes. Returns the length. */
size_t tc_base64_encode(char *out, const void *data, size_t n, bool pad);

/* Append the encoding of data[0..n) to out. */
void tc_base64_add(tc_buf *out, const void *data, size_t n, bool pad);

enum {
	/* '=' padding: exactly to a multiple of four characters (age, SOPS);
	 * without either flag no '=' is allowed ("raw" base64) */
	TC_BASE64_PAD = 1,
	/* up to two '=' at the end, as many or as few as given (JSON-e) */
	TC_BASE64_PAD_ANY = 2,
	/* skip CR and LF, as Go's base64.StdEncoding does (SOPS) */
	TC_BASE64_SKIP_NL = 4,
	/* the unused bits of the last character must be zero: only the
	 * canonical encoding is accepted (age) */
	TC_BASE64_CANONICAL = 8,
	/* also accept the URL-safe '-' and '_' for '+' and '/' (JSON-e) */
	TC_BASE64_URL = 16,
};

/* Decode s[0..n) into out (at most cap bytes) and *outlen. 0, or -1 when
 * the text is not base64 as the flags define it or needs more than cap
 * bytes. */
int tc_base64_decode(unsigned char *out, size_t *outlen, size_t cap, const char *s, size_t n,
                     unsigned flags) __attribute__((warn_unused_result));

#endif
