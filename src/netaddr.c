/*
 * netaddr.c - see netaddr.h.
 *
 * Grammars: RFC 791 and RFC 3986 section 3.2.2 (IPv4address, dec-octet),
 * RFC 4291 section 2.2 (IPv6 text forms), RFC 1123 section 2.1 (host names
 * of dot-separated labels, 253 bytes at most) and RFC 3986 sections 3.1
 * and 3.2 (scheme, authority, userinfo, host, port).
 */
#include "netaddr.h"

#include "ascii.h"

#include <string.h>

/* One decimal field at s[*i]: up to three digits, 0..255. */
static bool ip4_field(const char *s, size_t n, size_t *i, bool leading_zeros, unsigned char *out)
{
	size_t start = *i;
	unsigned v = 0;
	while (*i < n && tc_ascii_is_digit(s[*i]) && *i - start < 3)
		v = v * 10 + (unsigned)(s[(*i)++] - '0');
	if (*i == start || v > 255 || (*i < n && tc_ascii_is_digit(s[*i])))
		return false;
	if (!leading_zeros && *i - start > 1 && s[start] == '0')
		return false;
	*out = (unsigned char)v;
	return true;
}

bool tc_netaddr_parse_ip4(unsigned char out[4], const char *s, size_t n, bool leading_zeros)
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		if (!ip4_field(s, n, &i, leading_zeros, &out[part]))
			return false;
	}
	return i == n;
}

typedef struct v6_scan {
	const char *s;
	size_t n, i;
	int k;        /* bytes written */
	int ellipsis; /* where "::" stands, in bytes; -1 before one */
} v6_scan;

/* The ':' or "::" after a group; false when the text breaks the grammar. */
static bool v6_separator(v6_scan *p)
{
	if (p->s[p->i] != ':' || p->i + 1 == p->n)
		return false;
	p->i++;
	if (p->s[p->i] == ':') {
		if (p->ellipsis >= 0)
			return false;
		p->ellipsis = p->k;
		p->i++;
	}
	return true;
}

/* The groups from p->i to the end (or to a dotted IPv4 tail, which ends
 * the address); false when the text breaks the grammar. */
static bool v6_groups(v6_scan *p, unsigned char out[16])
{
	while (p->k < 16 && p->i < p->n) {
		size_t st = p->i;
		unsigned v = 0;
		while (p->i < p->n && tc_ascii_hex_value(p->s[p->i]) >= 0 && p->i - st < 5)
			v = v * 16 + (unsigned)tc_ascii_hex_value(p->s[p->i++]);
		if (p->i - st > 4)
			return false;
		if (p->i < p->n && p->s[p->i] == '.') {
			/* the last 32 bits as a dotted quad */
			if ((p->ellipsis < 0 && p->k != 12) || p->k > 12)
				return false;
			if (!tc_netaddr_parse_ip4(out + p->k, p->s + st, p->n - st, false))
				return false;
			p->k += 4;
			p->i = p->n;
			return true;
		}
		if (p->i == st)
			return false;
		out[p->k++] = (unsigned char)(v >> 8);
		out[p->k++] = (unsigned char)v;
		if (p->i < p->n && !v6_separator(p))
			return false;
	}
	return true;
}

bool tc_netaddr_parse_ip6(unsigned char out[16], const char *s, size_t n)
{
	memset(out, 0, 16);
	v6_scan p = {s, n, 0, 0, -1};
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		p.ellipsis = 0;
		p.i = 2;
	} else if (n == 0) {
		return false;
	}
	if (!v6_groups(&p, out) || p.i != n)
		return false;
	if (p.k == 16)
		return p.ellipsis < 0; /* "::" must stand for at least one group */
	if (p.ellipsis < 0)
		return false;
	int tail = p.k - p.ellipsis;
	memmove(out + 16 - tail, out + p.ellipsis, (size_t)tail);
	memset(out + p.ellipsis, 0, (size_t)(16 - tail - p.ellipsis));
	return true;
}

bool tc_netaddr_labels(const char *s, size_t n, bool (*label)(const char *s, size_t n))
{
	if (n == 0 || n > 253)
		return false;
	size_t i = 0;
	while (i <= n) {
		size_t k = i;
		while (k < n && s[k] != '.')
			k++;
		if (k == i || !label(s + i, k - i))
			return false;
		i = k + 1;
	}
	return true;
}

/* The length of the scheme at s and its "://", or 0 when there is none. */
static size_t scheme_len(const char *s, size_t n)
{
	if (n == 0 || !tc_ascii_is_alpha(s[0]))
		return 0;
	size_t i = 1;
	while (i < n && (tc_ascii_is_alpha(s[i]) || tc_ascii_is_digit(s[i]) || strchr("+-.", s[i])))
		i++;
	return n - i >= 3 && memcmp(s + i, "://", 3) == 0 ? i : 0;
}

void tc_netaddr_split_authority(tc_netaddr_url *out, const char *auth, size_t an, const char *ends)
{
	memset(out, 0, sizeof *out);
	out->scheme = auth;
	size_t alen = 0;
	while (alen < an && !strchr(ends, auth[alen]))
		alen++;
	out->rest = auth + alen;
	out->rest_len = an - alen;
	const char *h = auth;
	for (size_t k = alen; k-- > 0;)
		if (auth[k] == '@') {
			out->has_userinfo = true;
			out->userinfo = auth;
			out->userinfo_len = k;
			h = auth + k + 1;
			break;
		}
	size_t hn = alen - (size_t)(h - auth), hl = hn;
	out->hostport = h;
	out->hostport_len = hn;
	if (hn && h[0] == '[') {
		const char *close = memchr(h, ']', hn);
		hl = close ? (size_t)(close - h) + 1 : hn;
	} else {
		const char *colon = memchr(h, ':', hn);
		hl = colon ? (size_t)(colon - h) : hn;
	}
	out->host = h;
	out->host_len = hl;
	if (hl < hn && h[hl] == ':') {
		out->has_port = true;
		out->port = h + hl + 1;
		out->port_len = hn - hl - 1;
	}
}

bool tc_netaddr_split_url(tc_netaddr_url *out, const char *s, size_t n)
{
	size_t sl = scheme_len(s, n);
	if (!sl) {
		memset(out, 0, sizeof *out);
		return false;
	}
	tc_netaddr_split_authority(out, s + sl + 3, n - sl - 3, "/?#");
	out->scheme = s;
	out->scheme_len = sl;
	return true;
}
