/*
 * utf8.c - see utf8.h.
 */
#include "utf8.h"

size_t tc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t min, v;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, min = 0x80, v = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, min = 0x800, v = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, min = 0x10000, v = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

void tc_utf8_put(tc_buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		tc_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		tc_buf_addc(b, (char)(0xC0 | (cp >> 6)));
		tc_buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		tc_buf_addc(b, (char)(0xE0 | (cp >> 12)));
		tc_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		tc_buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		tc_buf_addc(b, (char)(0xF0 | (cp >> 18)));
		tc_buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		tc_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		tc_buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	}
}
