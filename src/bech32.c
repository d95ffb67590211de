/*
 * bech32.c - BIP 173 bech32 encoding and decoding.
 *
 * A bech32 string is HRP "1" DATA CHECKSUM, where DATA and CHECKSUM are
 * 5-bit groups written with a 32-letter alphabet. The checksum is a BCH
 * code over the expanded HRP (high bits of each character, a zero, the low
 * bits) and the groups; a valid string's polymod is 1. Bytes become 5-bit
 * groups by regrouping bits, padding the last group with zeros on encode;
 * decode rejects padding of five bits or more and non-zero padding bits.
 */
#include "bech32.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* Longest HRP BIP 173 allows; age's HRPs are far shorter. */
#define MAX_HRP 83
/* Enough 5-bit groups for the largest payload we handle (a 32-byte key
 * needs 52); bounded so scratch space stays on the stack. */
#define MAX_GROUPS 512

static uint32_t polymod_step(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	uint32_t top = chk >> 25;
	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (int i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

static uint32_t hrp_polymod(const char *hrp, size_t n)
{
	uint32_t chk = 1;
	for (size_t i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned char)hrp[i] >> 5);
	chk = polymod_step(chk, 0);
	for (size_t i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned char)hrp[i] & 31);
	return chk;
}

static int charval(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	const char *p = c ? strchr(charset, c) : NULL;
	return p ? (int)(p - charset) : -1;
}

size_t tc_bech32_encode(char *out, size_t outcap, const char *hrp, const unsigned char *data,
                        size_t n, bool upper)
{
	size_t hn = strlen(hrp);
	if (hn == 0 || hn > MAX_HRP || n > MAX_GROUPS * 5 / 8)
		return 0;
	size_t groups = (n * 8 + 4) / 5;
	size_t total = hn + 1 + groups + 6;
	if (outcap < total + 1)
		return 0;
	unsigned char g[MAX_GROUPS + 6];
	size_t ng = 0;
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = ((acc << 8) | data[i]) & 0x1fff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			g[ng++] = (unsigned char)((acc >> bits) & 31);
		}
	}
	if (bits)
		g[ng++] = (unsigned char)((acc << (5 - bits)) & 31);
	uint32_t chk = hrp_polymod(hrp, hn);
	for (size_t i = 0; i < ng; i++)
		chk = polymod_step(chk, g[i]);
	for (int i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (int i = 0; i < 6; i++)
		g[ng++] = (unsigned char)((chk >> (5 * (5 - i))) & 31);
	size_t o = 0;
	for (size_t i = 0; i < hn; i++) {
		char c = hrp[i];
		out[o++] = upper && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	out[o++] = '1';
	for (size_t i = 0; i < ng; i++) {
		char c = charset[g[i]];
		out[o++] = upper && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	out[o] = 0;
	sodium_memzero(g, sizeof g);
	acc = 0;
	return o;
}

/* The position of the last '1' of s[0..len), or len when s has none or is not printable
 * US-ASCII of one case (BIP 173). */
static size_t separator(const char *s, size_t len)
{
	bool lower = false, upper = false;
	size_t sep = len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			return len;
		lower |= c >= 'a' && c <= 'z';
		upper |= c >= 'A' && c <= 'Z';
		if (c == '1')
			sep = i;
	}
	return lower && upper ? len : sep;
}

/* The 5-bit groups g[0..ng) as bytes into data[0..datacap); no padding of more than four
 * zero bits is allowed. */
static int regroup(unsigned char *data, size_t *n, size_t datacap, const unsigned char *g,
                   size_t ng)
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < ng; i++) {
		acc = ((acc << 5) | g[i]) & 0xfff;
		bits += 5;
		if (bits < 8)
			continue;
		bits -= 8;
		if (o >= datacap)
			return -1;
		data[o++] = (unsigned char)((acc >> bits) & 0xff);
	}
	if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0)
		return -1;
	*n = o;
	return 0;
}

int tc_bech32_decode(char *hrp, size_t hrpcap, unsigned char *data, size_t *n, size_t datacap,
                     const char *s, size_t len)
{
	size_t sep = separator(s, len);
	if (sep == len || sep == 0 || sep > MAX_HRP || len - sep - 1 < 6 || sep + 1 > hrpcap ||
	    len - sep - 1 > MAX_GROUPS + 6)
		return -1;
	for (size_t i = 0; i < sep; i++) {
		char c = s[i];
		hrp[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	hrp[sep] = 0;
	unsigned char g[MAX_GROUPS + 6];
	size_t ng = len - sep - 1;
	int rc = -1;
	uint32_t chk = hrp_polymod(hrp, sep);
	for (size_t i = 0; i < ng; i++) {
		int v = charval(s[sep + 1 + i]);
		if (v < 0)
			goto out;
		g[i] = (unsigned char)v;
		chk = polymod_step(chk, (unsigned)v);
	}
	if (chk == 1)
		rc = regroup(data, n, datacap, g, ng - 6);
out:
	sodium_memzero(g, sizeof g);
	return rc;
}
