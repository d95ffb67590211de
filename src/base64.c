/*
 * base64.c - see base64.h.
 *
 * One decoding loop for every dialect: characters accumulate six bits at a
 * time and each full byte is written out; the flags decide only what is
 * skipped, where '=' may stand, and whether leftover bits must be zero.
 */
#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t tc_base64_encoded_len(size_t n, bool pad)
{
	size_t full = n / 3 * 4, rest = n % 3;
	if (!rest)
		return full;
	return full + (pad ? 4 : rest + 1);
}

size_t tc_base64_encode(char *out, const void *data, size_t n, bool pad)
{
	const unsigned char *s = data;
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		out[o++] = alphabet[s[i] >> 2];
		out[o++] = alphabet[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		out[o++] = alphabet[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		out[o++] = alphabet[s[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = alphabet[s[i] >> 2];
		out[o++] = alphabet[(s[i] & 3) << 4];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		out[o++] = alphabet[s[i] >> 2];
		out[o++] = alphabet[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		out[o++] = alphabet[(s[i + 1] & 15) << 2];
		if (pad)
			out[o++] = '=';
	}
	out[o] = 0;
	return o;
}

void tc_base64_add(tc_buf *out, const void *data, size_t n, bool pad)
{
	size_t len = tc_base64_encoded_len(n, pad);
	if (!tc_buf_grow(out, len))
		return;
	out->len += tc_base64_encode(out->ptr + out->len, data, n, pad);
}

static int value(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (url && c == '-'))
		return 62;
	if (c == '/' || (url && c == '_'))
		return 63;
	return -1;
}

/* The trailing checks: no lone sixth bits, the padding the flags ask for,
 * and with TC_BASE64_CANONICAL no bits set past the last byte. */
static bool ends_well(size_t chars, size_t padding, unsigned acc, unsigned bits, unsigned flags)
{
	size_t rem = chars % 4;
	if (rem == 1)
		return false;
	if ((flags & TC_BASE64_PAD) && ((rem == 0 && padding != 0) || (rem && padding != 4 - rem)))
		return false;
	if ((flags & TC_BASE64_PAD_ANY) && padding > 2)
		return false;
	return !((flags & TC_BASE64_CANONICAL) && bits && (acc & ((1u << bits) - 1)) != 0);
}

int tc_base64_decode(unsigned char *out, size_t *outlen, size_t cap, const char *s, size_t n,
                     unsigned flags)
{
	bool url = flags & TC_BASE64_URL;
	unsigned acc = 0, bits = 0;
	size_t o = 0, chars = 0, padding = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((flags & TC_BASE64_SKIP_NL) && (c == '\r' || c == '\n'))
			continue;
		if (c == '=') {
			if (!(flags & (TC_BASE64_PAD | TC_BASE64_PAD_ANY)))
				return -1;
			padding++;
			continue;
		}
		int v = padding ? -1 : value(c, url); /* no data after padding */
		if (v < 0)
			return -1;
		chars++;
		acc = ((acc << 6) | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		if (o >= cap)
			return -1;
		out[o++] = (unsigned char)(acc >> bits);
	}
	if (!ends_well(chars, padding, acc, bits, flags))
		return -1;
	*outlen = o;
	return 0;
}
