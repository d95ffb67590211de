/*
 * age.h - the age v1 file format (C2SP age.md) with X25519 recipients:
 * what sops stores, ASCII-armored, for every recipient of a file.
 *
 * Covered: bech32 recipients ("age1...") and identities
 * ("AGE-SECRET-KEY-1..."), identity files as age-keygen writes them, file
 * key wrapping and unwrapping, the header and its HMAC, the STREAM payload
 * (64 KiB ChaCha20-Poly1305 chunks) and the strict ASCII armor. Not
 * covered: scrypt, SSH and plugin recipients (their stanzas are skipped
 * like any unknown type).
 *
 * Crypto: X25519 and ChaCha20-Poly1305 from libsodium, HKDF-SHA-256 and
 * HMAC-SHA-256 from OpenSSL 3 (EVP_KDF, EVP_MAC). Callers keep identities,
 * file keys and plaintext in secret memory (secmem.h); every key this
 * module derives on the stack is wiped before it returns.
 */
#ifndef TC_AGE_H
#define TC_AGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "secmem.h"

#define TC_AGE_KEY_SIZE 32
#define TC_AGE_FILE_KEY_SIZE 16
#define TC_AGE_NONCE_SIZE 16
/* "age1" + 52 data + 6 checksum characters = 62, plus NUL */
#define TC_AGE_RECIPIENT_BUF 64
/* "AGE-SECRET-KEY-1" + 58 = 74, plus NUL */
#define TC_AGE_IDENTITY_BUF 80

/* An X25519 identity. Keep it in secret memory. */
typedef struct tc_age_identity {
	unsigned char secret[TC_AGE_KEY_SIZE];
	unsigned char public_key[TC_AGE_KEY_SIZE];
	char recipient[TC_AGE_RECIPIENT_BUF]; /* its "age1..." recipient */
} tc_age_identity;

/* Parse "age1..." (lower case, as age requires) into a public key.
 * Returns -1 when it is not a valid X25519 recipient. */
int tc_age_recipient_parse(unsigned char out[TC_AGE_KEY_SIZE], const char *s, size_t n)
	__attribute__((warn_unused_result));
void tc_age_recipient_format(char out[TC_AGE_RECIPIENT_BUF],
                             const unsigned char pk[TC_AGE_KEY_SIZE]);

/* Parse "AGE-SECRET-KEY-1..." (upper case) into out (secret, public key
 * and recipient). Returns -1, leaving out zeroed, when it is invalid. */
int tc_age_identity_parse(tc_age_identity *out, const char *s, size_t n)
	__attribute__((warn_unused_result));
/* Complete an identity from its 32-byte secret scalar. */
void tc_age_identity_from_secret(tc_age_identity *out, const unsigned char sk[TC_AGE_KEY_SIZE]);
/* A new identity from the CSPRNG. */
void tc_age_identity_generate(tc_age_identity *out);
/* "AGE-SECRET-KEY-1..." into out, which should be secret memory. */
void tc_age_identity_format(char out[TC_AGE_IDENTITY_BUF], const tc_age_identity *id);

/* Parse an identity file: one identity per line; empty lines and lines
 * starting with '#' are ignored; CRLF is accepted. The identities are
 * appended to *ids / *n (an array in m, grown as needed). A defect is an
 * error at file:line that never quotes the line. */
int tc_age_identities_parse(tc_age_identity **ids, size_t *n, tc_secmem *m, tc_diags *d,
                            const char *file, const char *text, size_t len)
	__attribute__((warn_unused_result));

/* The outcome classes of the C2SP age test kit. */
typedef enum tc_age_status {
	TC_AGE_OK = 0,
	TC_AGE_ARMOR_FAILURE,
	TC_AGE_HEADER_FAILURE,
	TC_AGE_NO_MATCH,
	TC_AGE_HMAC_FAILURE,
	TC_AGE_PAYLOAD_FAILURE,
} tc_age_status;

/* "no identity matched", "invalid header", ... for messages. */
const char *tc_age_status_str(tc_age_status s);

/* Decrypt an age file (in ASCII armor when `armored`) with the first of
 * ids that unwraps a stanza. The plaintext is appended to out. */
tc_age_status tc_age_decrypt(tc_secbuf *out, const tc_age_identity *ids, size_t nids,
                             const char *in, size_t len, bool armored)
	__attribute__((warn_unused_result));

/* Injected randomness, for reproducible output (tests, the deterministic
 * SOPS profile). NULL in tc_age_encrypt means the CSPRNG. */
typedef struct tc_age_seed {
	const unsigned char *file_key;    /* TC_AGE_FILE_KEY_SIZE bytes */
	const unsigned char *eph_secrets; /* TC_AGE_KEY_SIZE bytes per recipient */
	const unsigned char *nonce;       /* TC_AGE_NONCE_SIZE bytes */
} tc_age_seed;

/* Encrypt pt to every recipient (one X25519 stanza each, in order) and
 * append the file, armored when `armor`, to out. Returns -1 when a
 * recipient is a low-order point (the shared secret would be zero). */
int tc_age_encrypt(tc_buf *out, const unsigned char (*recipients)[TC_AGE_KEY_SIZE], size_t n,
                   const void *pt, size_t ptlen, bool armor, const tc_age_seed *seed)
	__attribute__((warn_unused_result));

/* The ASCII armor alone: encode appends; decode appends the binary and
 * returns -1 on any deviation from the strict format. */
void tc_age_armor_encode(tc_buf *out, const void *data, size_t n);
int tc_age_armor_decode(tc_buf *out, const char *in, size_t len)
	__attribute__((warn_unused_result));

/* Byte ranges for the multi-part HMAC below. */
typedef struct tc_age_part {
	const void *p;
	size_t n;
} tc_age_part;

/* HKDF-SHA-256 (RFC 5869); an empty salt (saltlen 0) means 32 zero bytes.
 * HMAC-SHA-256 over the concatenation of parts. Both return -1 only when
 * OpenSSL fails, which callers treat as an internal error. */
int tc_age_hkdf(unsigned char *out, size_t outlen, const void *ikm, size_t ikmlen, const void *salt,
                size_t saltlen, const char *info, size_t infolen)
	__attribute__((warn_unused_result));
int tc_age_hmac(unsigned char out[32], const void *key, size_t keylen, const tc_age_part *parts,
                size_t nparts) __attribute__((warn_unused_result));

#endif
