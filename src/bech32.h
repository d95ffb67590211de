/*
 * bech32.h - the bech32 encoding (BIP 173, checksum constant 1) that age
 * uses for recipients ("age1...") and identities ("AGE-SECRET-KEY-1...").
 *
 * age imposes no 90-character limit, so neither does this module. The
 * checksum is computed over the lower-cased form; a string mixing upper and
 * lower case is invalid. Scratch space holding key bits is wiped before the
 * functions return.
 */
#ifndef TC_BECH32_H
#define TC_BECH32_H

#include <stdbool.h>
#include <stddef.h>

/* Encode hrp (lower case, 1..83 chars of 33..126) and n bytes of data.
 * Writes a NUL-terminated string to out (in upper case when `upper`) and
 * returns its length, or 0 when out (of outcap bytes) is too small. */
size_t tc_bech32_encode(char *out, size_t outcap, const char *hrp, const unsigned char *data,
                        size_t n, bool upper);

/* Decode s[0..len). On success returns 0, stores the human-readable part,
 * lower-cased and NUL-terminated, in hrp (hrpcap bytes) and the data bytes
 * in data (*n of them, at most datacap). Returns -1 on any defect: a bad
 * character or checksum, mixed case, non-zero or too much padding. */
int tc_bech32_decode(char *hrp, size_t hrpcap, unsigned char *data, size_t *n, size_t datacap,
                     const char *s, size_t len) __attribute__((warn_unused_result));

#endif
