/*
 * age.c - age v1 with X25519 recipients: keys, header, payload, armor.
 *
 * An age file is a text header followed by a binary payload:
 *
 *   age-encryption.org/v1
 *   -> X25519 <b64raw(ephemeral share)>
 *   <b64raw(wrapped file key)>          (body lines of 64 columns, the last
 *   --- <b64raw(header MAC)>             one shorter, possibly empty)
 *   <16-byte nonce><chunks of at most 64 KiB plaintext + 16-byte tag>
 *
 * The file key (16 bytes) is wrapped once per recipient with a key from
 * HKDF(X25519(ephemeral, recipient)); the header MAC, keyed from the file
 * key, covers the header up to and including "---"; the payload key comes
 * from HKDF(file key, nonce). Parsing is strict in the ways the C2SP test
 * kit checks, and every failure maps to one of its outcome classes.
 *
 * Ownership: decrypted plaintext goes to the caller's tc_secbuf; file keys,
 * shared secrets and derived keys live on the stack and are wiped with
 * sodium_memzero on every return path. Ciphertext, headers and armor are
 * public and use ordinary memory.
 */
#include "age.h"

#include "arena.h"
#include "base64.h"
#include "bech32.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define INTRO "age-encryption.org/v1\n"
#define X25519_INFO "age-encryption.org/v1/X25519"
#define ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END "-----END AGE ENCRYPTED FILE-----"
#define CHUNK ((size_t)64 * 1024)
#define TAG 16
/* age's header lines wrap at 64 columns, 48 bytes. */
#define COLS 64
#define LINE_BYTES 48
/* Bounds against hostile headers: sops writes one stanza per file, age a
 * handful; a stanza body is a few dozen bytes in every known type. */
#define MAX_STANZAS 1024
#define MAX_ARGS 64
#define MAX_BODY ((size_t)64 * 1024)

/* ---- primitives ---------------------------------------------------------------------------- */

int tc_age_hkdf(unsigned char *out, size_t outlen, const void *ikm, size_t ikmlen, const void *salt,
                size_t saltlen, const char *info, size_t infolen)
{
	char digest[] = "SHA256";
	int rc = -1;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (!ctx)
		goto cleanup;
	OSSL_PARAM params[5], *p = params;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
	if (saltlen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
		                                         saltlen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		rc = 0;
cleanup:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

int tc_age_hmac(unsigned char out[32], const void *key, size_t keylen, const tc_age_part *parts,
                size_t nparts)
{
	char digest[] = "SHA256";
	int rc = -1;
	size_t outlen = 0;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (!ctx)
		goto cleanup;
	OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	                        OSSL_PARAM_construct_end()};
	if (EVP_MAC_init(ctx, key, keylen, params) != 1)
		goto cleanup;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].n && EVP_MAC_update(ctx, parts[i].p, parts[i].n) != 1)
			goto cleanup;
	if (EVP_MAC_final(ctx, out, &outlen, 32) == 1 && outlen == 32)
		rc = 0;
cleanup:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* ---- base64 -------------------------------------------------------------------------------- */

static int b64raw_exact(unsigned char *out, size_t want, const char *s, size_t n)
{
	size_t got = 0;
	if (tc_base64_decode(out, &got, want, s, n, TC_BASE64_CANONICAL) != 0 || got != want)
		return -1;
	return 0;
}

/* ---- keys ---------------------------------------------------------------------------------- */

int tc_age_recipient_parse(unsigned char out[TC_AGE_KEY_SIZE], const char *s, size_t n)
{
	char hrp[16];
	size_t got = 0;
	unsigned char pk[TC_AGE_KEY_SIZE + 1];
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return -1; /* age accepts lower case only */
	if (tc_bech32_decode(hrp, sizeof hrp, pk, &got, sizeof pk, s, n) != 0 ||
	    strcmp(hrp, "age") != 0 || got != TC_AGE_KEY_SIZE)
		return -1;
	memcpy(out, pk, TC_AGE_KEY_SIZE);
	return 0;
}

void tc_age_recipient_format(char out[TC_AGE_RECIPIENT_BUF],
                             const unsigned char pk[TC_AGE_KEY_SIZE])
{
	if (!tc_bech32_encode(out, TC_AGE_RECIPIENT_BUF, "age", pk, TC_AGE_KEY_SIZE, false))
		TC_BUG("recipient buffer too small");
}

void tc_age_identity_from_secret(tc_age_identity *out, const unsigned char sk[TC_AGE_KEY_SIZE])
{
	memmove(out->secret, sk, TC_AGE_KEY_SIZE);
	crypto_scalarmult_curve25519_base(out->public_key, out->secret);
	tc_age_recipient_format(out->recipient, out->public_key);
}

int tc_age_identity_parse(tc_age_identity *out, const char *s, size_t n)
{
	char hrp[32];
	size_t got = 0;
	unsigned char sk[TC_AGE_KEY_SIZE + 1];
	int rc = -1;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			goto out; /* identities are upper case */
	if (tc_bech32_decode(hrp, sizeof hrp, sk, &got, sizeof sk, s, n) != 0 ||
	    strcmp(hrp, "age-secret-key-") != 0 || got != TC_AGE_KEY_SIZE)
		goto out;
	tc_age_identity_from_secret(out, sk);
	rc = 0;
out:
	if (rc)
		sodium_memzero(out, sizeof *out);
	sodium_memzero(sk, sizeof sk);
	return rc;
}

void tc_age_identity_generate(tc_age_identity *out)
{
	unsigned char sk[TC_AGE_KEY_SIZE];
	randombytes_buf(sk, sizeof sk);
	tc_age_identity_from_secret(out, sk);
	sodium_memzero(sk, sizeof sk);
}

void tc_age_identity_format(char out[TC_AGE_IDENTITY_BUF], const tc_age_identity *id)
{
	if (!tc_bech32_encode(out, TC_AGE_IDENTITY_BUF, "age-secret-key-", id->secret,
	                      TC_AGE_KEY_SIZE, true))
		TC_BUG("identity buffer too small");
}

/* Identity files larger than this are not identity files: an error rather
 * than a long parse. */
#define MAX_IDENTITIES 4096

/* room for one more identity: capacity doubles at powers of two (older arrays
 * stay in m until release) */
static tc_age_identity *identities_room(tc_age_identity *ids, size_t n, tc_secmem *m)
{
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return ids;
	tc_age_identity *grown = tc_secmem_alloc(m, (n < 4 ? 4 : n * 2) * sizeof *grown);
	if (n)
		memcpy(grown, ids, n * sizeof *grown);
	return grown;
}

/* the line at pos without its blanks at either end: [*b, *e); returns the next pos */
static size_t identity_line(const char *text, size_t len, size_t pos, size_t *b, size_t *e)
{
	const char *nl = memchr(text + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - text) : len;
	*b = pos;
	*e = end;
	while (*b < *e && (text[*b] == ' ' || text[*b] == '\t'))
		(*b)++;
	while (*e > *b && (text[*e - 1] == '\r' || text[*e - 1] == ' ' || text[*e - 1] == '\t'))
		(*e)--;
	return nl ? end + 1 : len;
}

int tc_age_identities_parse(tc_age_identity **ids, size_t *n, tc_secmem *m, tc_diags *d,
                            const char *file, const char *text, size_t len)
{
	size_t pos = 0;
	uint32_t line = 0;
	while (pos < len) {
		line++;
		size_t start = pos, b, e;
		pos = identity_line(text, len, pos, &b, &e);
		if (b == e || text[b] == '#')
			continue;
		if (*n >= MAX_IDENTITIES) {
			return tc_error(d, (tc_pos){file, line, 1}, NULL,
			                "too many identities (the limit is %d)", MAX_IDENTITIES);
		}
		tc_age_identity *grown = identities_room(*ids, *n, m);
		if (tc_age_identity_parse(&grown[*n], text + b, e - b) != 0) {
			bool plugin = e - b > 11 && memcmp(text + b, "AGE-PLUGIN-", 11) == 0;
			return tc_error(d, (tc_pos){file, line, (uint32_t)(b - start + 1)}, NULL,
			                "%s",
			                plugin ? "age plugin identities are not supported"
			                       : "not a valid age identity (AGE-SECRET-KEY-1...)");
		}
		*ids = grown;
		(*n)++;
	}
	return 0;
}

/* ---- armor --------------------------------------------------------------------------------- */

void tc_age_armor_encode(tc_buf *out, const void *data, size_t n)
{
	tc_buf tmp;
	tc_buf_init(&tmp, TC_BUF_UNLIMITED);
	tc_base64_add(&tmp, data, n, true);
	tc_buf_adds(out, ARMOR_BEGIN "\n");
	for (size_t i = 0; i < tmp.len; i += COLS) {
		size_t k = tmp.len - i < COLS ? tmp.len - i : COLS;
		tc_buf_add(out, tmp.ptr + i, k);
		tc_buf_addc(out, '\n');
	}
	tc_buf_adds(out, ARMOR_END "\n");
	if (tc_buf_failed(&tmp))
		out->err = true;
	tc_buf_release(&tmp);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Next line of in[*pos..len): sets *b, *e (without "\n" or "\r\n") and
 * moves *pos past it; *eol is false for a last line without "\n". */
static bool next_line(const char *in, size_t len, size_t *pos, size_t *b, size_t *e, bool *eol)
{
	if (*pos >= len)
		return false;
	const char *nl = memchr(in + *pos, '\n', len - *pos);
	*b = *pos;
	*e = nl ? (size_t)(nl - in) : len;
	*eol = nl != NULL;
	*pos = nl ? *e + 1 : len;
	if (*eol && *e > *b && in[*e - 1] == '\r')
		(*e)--;
	return true;
}

static bool line_is(const char *in, size_t b, size_t e, const char *s)
{
	size_t n = strlen(s);
	return e - b == n && memcmp(in + b, s, n) == 0;
}

int tc_age_armor_decode(tc_buf *out, const char *in, size_t len)
{
	size_t pos = 0, b, e;
	bool eol;
	while (pos < len && is_space(in[pos]))
		pos++;
	if (!next_line(in, len, &pos, &b, &e, &eol) || !eol || !line_is(in, b, e, ARMOR_BEGIN))
		return -1;
	bool short_seen = false;
	for (;;) {
		if (!next_line(in, len, &pos, &b, &e, &eol))
			return -1; /* no closing line */
		if (line_is(in, b, e, ARMOR_END))
			break;
		size_t n = e - b;
		if (short_seen || n == 0 || n > COLS || n % 4 != 0 || !eol)
			return -1;
		unsigned char bin[LINE_BYTES];
		size_t got = 0;
		if (tc_base64_decode(bin, &got, sizeof bin, in + b, n,
		                     TC_BASE64_PAD | TC_BASE64_CANONICAL) != 0)
			return -1;
		tc_buf_add(out, bin, got);
		if (n < COLS || got < LINE_BYTES)
			short_seen = true;
	}
	for (; pos < len; pos++)
		if (!is_space(in[pos]))
			return -1;
	return 0;
}

/* ---- header -------------------------------------------------------------------------------- */

typedef struct stanza {
	const char *args[MAX_ARGS]; /* args[0] is the type; each points into the header */
	size_t arglen[MAX_ARGS];
	size_t nargs;
	unsigned char *body; /* malloc'd */
	size_t bodylen;
} stanza;

typedef struct header {
	stanza *st;
	size_t n, cap;
	size_t mac_end; /* offset just past "---": what the MAC covers */
	unsigned char mac[32];
	size_t payload; /* offset of the payload */
} header;

static void header_release(header *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->st[i].body);
	free(h->st);
	memset(h, 0, sizeof *h);
}

static bool valid_arg(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
			return false;
	return true;
}

/* Split in[b..e) at single spaces into out (at most max parts). */
static size_t split(const char *in, size_t b, size_t e, const char **out, size_t *outlen,
                    size_t max)
{
	size_t n = 0, start = b;
	for (size_t i = b; i <= e; i++) {
		if (i == e || in[i] == ' ') {
			if (n == max)
				return max + 1;
			out[n] = in + start;
			outlen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* "---" SP b64raw(mac): the end of the header, its MAC and where the payload starts */
static tc_age_status header_mac(header *h, const char *in, size_t b, size_t e, size_t pos)
{
	const char *parts[3];
	size_t plen[3];
	if (split(in, b, e, parts, plen, 2) != 2 || plen[0] != 3 ||
	    b64raw_exact(h->mac, 32, parts[1], plen[1]) != 0)
		return TC_AGE_HEADER_FAILURE;
	h->mac_end = b + 3;
	h->payload = pos;
	return TC_AGE_OK;
}

/* "->" 1*(SP arg): a new stanza, its body still to come; NULL when invalid */
static stanza *header_stanza(header *h, const char *in, size_t b, size_t e)
{
	const char *parts[MAX_ARGS + 2];
	size_t plen[MAX_ARGS + 2];
	size_t np = split(in, b, e, parts, plen, MAX_ARGS + 1);
	if (np < 2 || np > MAX_ARGS + 1 || plen[0] != 2 || h->n >= MAX_STANZAS)
		return NULL;
	TC_GROW(h->st, h->cap, h->n + 1);
	stanza *s = &h->st[h->n++];
	memset(s, 0, sizeof *s);
	for (size_t i = 1; i < np; i++) {
		if (!valid_arg(parts[i], plen[i]))
			return NULL;
		s->args[s->nargs] = parts[i];
		s->arglen[s->nargs++] = plen[i];
	}
	return s;
}

/* a line of a stanza's body; a short line ends the body (*open NULL) */
static tc_age_status stanza_line(stanza **open, const char *in, size_t b, size_t e)
{
	stanza *s = *open;
	if (!s || e - b > COLS)
		return TC_AGE_HEADER_FAILURE;
	unsigned char bin[LINE_BYTES];
	size_t got = 0;
	if (tc_base64_decode(bin, &got, sizeof bin, in + b, e - b, TC_BASE64_CANONICAL) != 0)
		return TC_AGE_HEADER_FAILURE;
	if (s->bodylen + got > MAX_BODY)
		return TC_AGE_HEADER_FAILURE;
	s->body = tc_xrealloc(s->body, s->bodylen + got + 1);
	memcpy(s->body + s->bodylen, bin, got);
	s->bodylen += got;
	if (got < LINE_BYTES)
		*open = NULL;
	return TC_AGE_OK;
}

/*
 * header  = "age-encryption.org/v1" LF *stanza "---" SP b64raw(mac) LF
 * stanza  = "->" 1*(SP arg) LF *full-line short-line
 */
static tc_age_status parse_header(header *h, const char *in, size_t len)
{
	size_t n0 = strlen(INTRO);
	if (len < n0 || memcmp(in, INTRO, n0) != 0)
		return TC_AGE_HEADER_FAILURE;
	size_t pos = n0;
	stanza *open = NULL; /* a stanza whose body has not ended */
	for (;;) {
		const char *nl = pos < len ? memchr(in + pos, '\n', len - pos) : NULL;
		if (!nl)
			return TC_AGE_HEADER_FAILURE;
		size_t b = pos, e = (size_t)(nl - in);
		pos = e + 1;
		if (e - b >= 3 && memcmp(in + b, "---", 3) == 0)
			return open ? TC_AGE_HEADER_FAILURE : header_mac(h, in, b, e, pos);
		if (e - b >= 2 && memcmp(in + b, "->", 2) == 0) {
			if (open || !(open = header_stanza(h, in, b, e)))
				return TC_AGE_HEADER_FAILURE;
			continue;
		}
		if (stanza_line(&open, in, b, e) != TC_AGE_OK)
			return TC_AGE_HEADER_FAILURE;
	}
}

/* ---- X25519 stanzas ------------------------------------------------------------------------ */

typedef enum { UNWRAP_OK, UNWRAP_SKIP, UNWRAP_BAD } unwrap_result;

static unwrap_result unwrap(unsigned char file_key[TC_AGE_FILE_KEY_SIZE], const stanza *s,
                            const tc_age_identity *id)
{
	if (s->nargs == 0 || s->arglen[0] != 6 || memcmp(s->args[0], "X25519", 6) != 0)
		return UNWRAP_SKIP;
	unsigned char share[32], shared[32], salt[64], wrap[32];
	unwrap_result r = UNWRAP_BAD;
	if (s->nargs != 2 || b64raw_exact(share, 32, s->args[1], s->arglen[1]) != 0 ||
	    s->bodylen != TC_AGE_FILE_KEY_SIZE + TAG)
		goto out;
	if (crypto_scalarmult_curve25519(shared, id->secret, share) != 0)
		goto out; /* low-order share: all-zero shared secret */
	memcpy(salt, share, 32);
	memcpy(salt + 32, id->public_key, 32);
	if (tc_age_hkdf(wrap, 32, shared, 32, salt, 64, X25519_INFO, strlen(X25519_INFO)) != 0)
		goto out;
	static const unsigned char zero_nonce[12];
	unsigned long long got = 0;
	r = crypto_aead_chacha20poly1305_ietf_decrypt(file_key, &got, NULL, s->body, s->bodylen,
	                                              NULL, 0, zero_nonce, wrap) == 0 &&
	                    got == TC_AGE_FILE_KEY_SIZE
	            ? UNWRAP_OK
	            : UNWRAP_SKIP;
out:
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(wrap, sizeof wrap);
	return r;
}

static int wrap_stanza(tc_buf *out, const unsigned char file_key[TC_AGE_FILE_KEY_SIZE],
                       const unsigned char pk[32], const unsigned char eph[32])
{
	unsigned char share[32], shared[32], salt[64], wrap[32], body[TC_AGE_FILE_KEY_SIZE + TAG];
	int rc = -1;
	crypto_scalarmult_curve25519_base(share, eph);
	if (crypto_scalarmult_curve25519(shared, eph, pk) != 0)
		goto out;
	memcpy(salt, share, 32);
	memcpy(salt + 32, pk, 32);
	if (tc_age_hkdf(wrap, 32, shared, 32, salt, 64, X25519_INFO, strlen(X25519_INFO)) != 0)
		goto out;
	static const unsigned char zero_nonce[12];
	unsigned long long blen = 0;
	crypto_aead_chacha20poly1305_ietf_encrypt(body, &blen, file_key, TC_AGE_FILE_KEY_SIZE, NULL,
	                                          0, NULL, zero_nonce, wrap);
	tc_buf_adds(out, "-> X25519 ");
	tc_base64_add(out, share, 32, false);
	tc_buf_addc(out, '\n');
	/* 32 bytes are one short line of 43 characters */
	tc_base64_add(out, body, (size_t)blen, false);
	tc_buf_addc(out, '\n');
	rc = 0;
out:
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(wrap, sizeof wrap);
	return rc;
}

/* ---- STREAM payload ------------------------------------------------------------------------ */

static void stream_nonce(unsigned char n[12], uint64_t counter, bool last)
{
	memset(n, 0, 12);
	for (int i = 0; i < 8; i++)
		n[10 - i] = (unsigned char)(counter >> (8 * i));
	n[11] = last ? 1 : 0;
}

static bool open_chunk(tc_secbuf *out, const unsigned char *c, size_t n, uint64_t counter,
                       bool last, const unsigned char key[32])
{
	unsigned char nonce[12];
	stream_nonce(nonce, counter, last);
	if (n < TAG)
		return false;
	size_t start = out->len, ptlen = n - TAG;
	if (!tc_secbuf_grow(out, ptlen))
		return false;
	unsigned long long got = 0;
	if (crypto_aead_chacha20poly1305_ietf_decrypt((unsigned char *)out->ptr + start, &got, NULL,
	                                              c, n, NULL, 0, nonce, key) != 0) {
		sodium_memzero(out->ptr + start, ptlen);
		return false;
	}
	out->len = start + ptlen;
	out->ptr[out->len] = 0;
	return true;
}

static tc_age_status decrypt_payload(tc_secbuf *out, const unsigned char *p, size_t n,
                                     const unsigned char file_key[TC_AGE_FILE_KEY_SIZE])
{
	if (n < TC_AGE_NONCE_SIZE)
		return TC_AGE_HEADER_FAILURE; /* the test kit counts the nonce as header */
	unsigned char key[32];
	tc_age_status st = TC_AGE_PAYLOAD_FAILURE;
	if (tc_age_hkdf(key, 32, file_key, TC_AGE_FILE_KEY_SIZE, p, TC_AGE_NONCE_SIZE, "payload",
	                7))
		goto out;
	size_t pos = TC_AGE_NONCE_SIZE;
	const size_t full = CHUNK + TAG;
	for (uint64_t i = 0;; i++) {
		size_t rem = n - pos;
		if (rem == 0)
			goto out; /* no chunks, or no final chunk */
		if (rem > full) {
			if (!open_chunk(out, p + pos, full, i, false, key))
				goto out;
			pos += full;
			continue;
		}
		if (rem == full && open_chunk(out, p + pos, full, i, false, key)) {
			pos += full;
			continue;
		}
		size_t before = out->len;
		if (!open_chunk(out, p + pos, rem, i, true, key))
			goto out;
		if (out->len == before && i > 0)
			goto out; /* only an empty file may end with an empty chunk */
		st = TC_AGE_OK;
		goto out;
	}
out:
	sodium_memzero(key, sizeof key);
	return st;
}

static void encrypt_payload(tc_buf *out, const unsigned char *pt, size_t n,
                            const unsigned char file_key[TC_AGE_FILE_KEY_SIZE],
                            const unsigned char nonce[TC_AGE_NONCE_SIZE])
{
	unsigned char key[32];
	if (tc_age_hkdf(key, 32, file_key, TC_AGE_FILE_KEY_SIZE, nonce, TC_AGE_NONCE_SIZE,
	                "payload", 7) != 0) {
		out->err = true;
		return;
	}
	tc_buf_add(out, nonce, TC_AGE_NONCE_SIZE);
	size_t pos = 0;
	uint64_t i = 0;
	do {
		size_t k = n - pos > CHUNK ? CHUNK : n - pos;
		bool last = pos + k == n;
		unsigned char cn[12];
		stream_nonce(cn, i++, last);
		if (!tc_buf_grow(out, k + TAG))
			break;
		unsigned long long clen = 0;
		crypto_aead_chacha20poly1305_ietf_encrypt((unsigned char *)out->ptr + out->len,
		                                          &clen, pt + pos, k, NULL, 0, NULL, cn,
		                                          key);
		out->len += (size_t)clen;
		out->ptr[out->len] = 0;
		pos += k;
	} while (pos < n);
	sodium_memzero(key, sizeof key);
}

/* ---- files --------------------------------------------------------------------------------- */

const char *tc_age_status_str(tc_age_status s)
{
	switch (s) {
	case TC_AGE_OK:
		return "success";
	case TC_AGE_ARMOR_FAILURE:
		return "invalid armor";
	case TC_AGE_HEADER_FAILURE:
		return "invalid header";
	case TC_AGE_NO_MATCH:
		return "no identity matched any of the recipients";
	case TC_AGE_HMAC_FAILURE:
		return "header MAC mismatch";
	case TC_AGE_PAYLOAD_FAILURE:
		return "payload authentication failed";
	}
	return "?";
}

static tc_age_status decrypt_binary(tc_secbuf *out, const tc_age_identity *ids, size_t nids,
                                    const unsigned char *in, size_t len)
{
	header h = {0};
	unsigned char file_key[TC_AGE_FILE_KEY_SIZE], hkey[32], mac[32];
	tc_age_status st = parse_header(&h, (const char *)in, len);
	if (st != TC_AGE_OK)
		goto out;
	st = TC_AGE_NO_MATCH;
	for (size_t i = 0; i < nids && st == TC_AGE_NO_MATCH; i++) {
		for (size_t k = 0; k < h.n; k++) {
			unwrap_result r = unwrap(file_key, &h.st[k], &ids[i]);
			if (r == UNWRAP_BAD) {
				st = TC_AGE_HEADER_FAILURE;
				break;
			}
			if (r == UNWRAP_OK) {
				st = TC_AGE_OK;
				break;
			}
		}
	}
	if (st != TC_AGE_OK)
		goto out;
	tc_age_part part = {in, h.mac_end};
	if (tc_age_hkdf(hkey, 32, file_key, sizeof file_key, NULL, 0, "header", 6) != 0 ||
	    tc_age_hmac(mac, hkey, 32, &part, 1) != 0 || sodium_memcmp(mac, h.mac, 32) != 0) {
		st = TC_AGE_HMAC_FAILURE;
		goto out;
	}
	st = decrypt_payload(out, in + h.payload, len - h.payload, file_key);
out:
	sodium_memzero(file_key, sizeof file_key);
	sodium_memzero(hkey, sizeof hkey);
	header_release(&h);
	return st;
}

tc_age_status tc_age_decrypt(tc_secbuf *out, const tc_age_identity *ids, size_t nids,
                             const char *in, size_t len, bool armored)
{
	if (!armored)
		return decrypt_binary(out, ids, nids, (const unsigned char *)in, len);
	tc_buf bin;
	tc_buf_init(&bin, TC_BUF_UNLIMITED);
	tc_age_status st = TC_AGE_ARMOR_FAILURE;
	if (tc_age_armor_decode(&bin, in, len) == 0 && !tc_buf_failed(&bin))
		st = decrypt_binary(out, ids, nids, (const unsigned char *)tc_buf_str(&bin),
		                    bin.len);
	tc_buf_release(&bin);
	return st;
}

int tc_age_encrypt(tc_buf *out, const unsigned char (*recipients)[TC_AGE_KEY_SIZE], size_t n,
                   const void *pt, size_t ptlen, bool armor, const tc_age_seed *seed)
{
	unsigned char file_key[TC_AGE_FILE_KEY_SIZE], eph[32], nonce[TC_AGE_NONCE_SIZE];
	unsigned char hkey[32], mac[32];
	tc_buf bin;
	tc_buf_init(&bin, TC_BUF_UNLIMITED);
	int rc = -1;
	if (seed)
		memcpy(file_key, seed->file_key, sizeof file_key);
	else
		randombytes_buf(file_key, sizeof file_key);
	tc_buf_adds(&bin, INTRO);
	for (size_t i = 0; i < n; i++) {
		if (seed)
			memcpy(eph, seed->eph_secrets + 32 * i, 32);
		else
			randombytes_buf(eph, sizeof eph);
		if (wrap_stanza(&bin, file_key, recipients[i], eph) != 0)
			goto out;
	}
	tc_buf_adds(&bin, "---");
	tc_age_part part = {bin.ptr, bin.len};
	if (tc_age_hkdf(hkey, 32, file_key, sizeof file_key, NULL, 0, "header", 6) != 0 ||
	    tc_age_hmac(mac, hkey, 32, &part, 1) != 0)
		goto out;
	tc_buf_addc(&bin, ' ');
	tc_base64_add(&bin, mac, 32, false);
	tc_buf_addc(&bin, '\n');
	if (seed)
		memcpy(nonce, seed->nonce, sizeof nonce);
	else
		randombytes_buf(nonce, sizeof nonce);
	encrypt_payload(&bin, pt, ptlen, file_key, nonce);
	if (tc_buf_failed(&bin))
		goto out;
	if (armor)
		tc_age_armor_encode(out, bin.ptr, bin.len);
	else
		tc_buf_add(out, bin.ptr, bin.len);
	rc = 0;
out:
	sodium_memzero(file_key, sizeof file_key);
	sodium_memzero(eph, sizeof eph);
	sodium_memzero(hkey, sizeof hkey);
	tc_buf_release(&bin);
	return rc;
}
