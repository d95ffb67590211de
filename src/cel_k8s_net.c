/*
 * cel_k8s_net.c - net.IP and net.CIDR (k8s.io/apiserver/pkg/cel/library
 * ip.go and cidr.go, over Go's net/netip) and kubernetes.URL (urls.go, over
 * Go's net/url).
 *
 * Addresses follow netip.ParseAddr: IPv4 as four decimal fields without
 * leading zeros, IPv6 with at most one "::" and an optional dotted IPv4
 * tail; zones and IPv4-mapped IPv6 addresses are refused, as the library
 * refuses them. The canonical text is netip's String (RFC 5952 for IPv6),
 * so that equal addresses have equal text.
 *
 * URLs follow url.ParseRequestURI (what isURL and url() accept: an absolute
 * URI or an absolute path) and url.Parse (what the accessors read).
 */
#include "cel_k8s_impl.h"

#include "ascii.h"
#include "netaddr.h"

#include <stdio.h>
#include <string.h>

#define IPTYPE "net.IP"
#define CIDRTYPE "net.CIDR"
#define URLTYPE "kubernetes.URL"

typedef struct addr {
	bool v6;
	unsigned char b[16]; /* IPv4 in b[0..3] */
} addr;

typedef struct prefix {
	addr a;
	int bits;
} prefix;

/* ---- parsing and printing addresses ---- */

static bool is_4in6(const addr *a)
{
	static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return a->v6 && memcmp(a->b, pre, 12) == 0;
}

/* parseIPAddr: NULL, or why not */
static const char *parse_addr(const char *s, size_t n, addr *a)
{
	memset(a, 0, sizeof *a);
	if (memchr(s, '%', n))
		return "with zone value is not allowed";
	if (memchr(s, ':', n)) {
		a->v6 = true;
		if (!tc_netaddr_parse_ip6(a->b, s, n))
			return "parse error";
		if (is_4in6(a))
			return "IPv4-mapped IPv6 address is not allowed";
		return NULL;
	}
	return tc_netaddr_parse_ip4(a->b, s, n, false) ? NULL : "parse error";
}

static void addr_text(const addr *a, char out[64])
{
	if (!a->v6) {
		snprintf(out, 64, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
		return;
	}
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i >= 2 && j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	size_t k = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			k += (size_t)snprintf(out + k, 64 - k, "::");
			i += bestlen - 1;
			continue;
		}
		if (i && i != best + bestlen)
			out[k++] = ':';
		k += (size_t)snprintf(out + k, 64 - k, "%x", g[i]);
	}
	out[k] = 0;
}

static tc_cel_val *ip_val(tc_cel_ctx *c, const addr *a)
{
	char t[64];
	addr_text(a, t);
	addr *p = tc_arena_alloc(c->a, sizeof *p);
	*p = *a;
	return tc_cel_opaque(c->a, IPTYPE, t, strlen(t), p);
}

static const char *parse_prefix(const char *s, size_t n, prefix *p)
{
	const char *slash = memchr(s, '/', n);
	if (!slash)
		return "no '/'";
	size_t an = (size_t)(slash - s);
	if (memchr(s, '%', an))
		return "IPv6 zones cannot be present in a prefix";
	const char *why = parse_addr(s, an, &p->a);
	if (why)
		return why;
	const char *b = slash + 1;
	size_t bn = n - an - 1;
	int bits = 0;
	if (bn == 0 || bn > 3 || (bn > 1 && b[0] == '0'))
		return "bad bits";
	for (size_t i = 0; i < bn; i++) {
		if (b[i] < '0' || b[i] > '9')
			return "bad bits";
		bits = bits * 10 + (b[i] - '0');
	}
	if (bits > (p->a.v6 ? 128 : 32))
		return "prefix length out of range";
	p->bits = bits;
	return NULL;
}

static tc_cel_val *cidr_val(tc_cel_ctx *c, const prefix *p)
{
	char t[64];
	addr_text(&p->a, t);
	char *text = tc_arena_printf(c->a, "%s/%d", t, p->bits);
	prefix *q = tc_arena_alloc(c->a, sizeof *q);
	*q = *p;
	return tc_cel_opaque(c->a, CIDRTYPE, text, strlen(text), q);
}

static const addr *as_ip(const tc_cel_val *v)
{
	return v->kind == TC_CEL_OPAQUE && strcmp(v->u.o.type, IPTYPE) == 0 ? v->u.o.data : NULL;
}

static const prefix *as_cidr(const tc_cel_val *v)
{
	return v->kind == TC_CEL_OPAQUE && strcmp(v->u.o.type, CIDRTYPE) == 0 ? v->u.o.data : NULL;
}

/* the first bits of a and b agree */
static bool same_bits(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char m = (unsigned char)(0xff << (8 - rest));
	return (a[full] & m) == (b[full] & m);
}

/* ---- ip ---- */

static tc_cel_val *str_to_ip(tc_cel_ctx *c, const tc_cel_val *s)
{
	addr a;
	const char *why = parse_addr(s->u.s.ptr, s->u.s.len, &a);
	if (why)
		return tc_cel_error(c->a, "IP Address '%s' %s", s->u.s.ptr, why);
	return ip_val(c, &a);
}

/* ip(string), and cidr.ip() */
TC_CEL_K8S_FN(tc_cel_k8s_ip)
{
	if (n != 1)
		return NULL;
	if (v[0]->kind == TC_CEL_STRING)
		return str_to_ip(c, v[0]);
	const prefix *p = as_cidr(v[0]);
	return p ? ip_val(c, &p->a) : NULL;
}

TC_CEL_K8S_FN(tc_cel_k8s_is_ip)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	addr a;
	return tc_cel_bool(c->a, parse_addr(v[0]->u.s.ptr, v[0]->u.s.len, &a) == NULL);
}

TC_CEL_K8S_FN(tc_cel_k8s_ip_is_canonical)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	tc_cel_val *ip = str_to_ip(c, v[0]);
	if (ip->kind == TC_CEL_ERROR)
		return ip;
	return tc_cel_bool(c->a, ip->u.o.len == v[0]->u.s.len &&
	                                 memcmp(ip->u.o.ptr, v[0]->u.s.ptr, ip->u.o.len) == 0);
}

TC_CEL_K8S_FN(tc_cel_k8s_family)
{
	const addr *a = n == 1 ? as_ip(v[0]) : NULL;
	return a ? tc_cel_int(c->a, a->v6 ? 6 : 4) : NULL;
}

typedef enum ipclass { UNSPEC, LOOPBACK, LL_MCAST, LL_UCAST, GLOBAL_UCAST } ipclass;

static bool is_class(const addr *a, ipclass k)
{
	static const unsigned char zero[16];
	const unsigned char *b = a->b;
	bool unspec = memcmp(b, zero, a->v6 ? 16 : 4) == 0;
	bool loop = a->v6 ? memcmp(b, zero, 15) == 0 && b[15] == 1 : b[0] == 127;
	bool mcast = a->v6 ? b[0] == 0xff : (b[0] & 0xf0) == 224;
	bool llm = a->v6 ? b[0] == 0xff && (b[1] & 0x0f) == 0x02
	                 : b[0] == 224 && b[1] == 0 && b[2] == 0;
	bool llu = a->v6 ? b[0] == 0xfe && (b[1] & 0xc0) == 0x80 : b[0] == 169 && b[1] == 254;
	switch (k) {
	case UNSPEC:
		return unspec;
	case LOOPBACK:
		return loop;
	case LL_MCAST:
		return llm;
	case LL_UCAST:
		return llu;
	case GLOBAL_UCAST: {
		bool bcast = !a->v6 && b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255;
		return !unspec && !loop && !mcast && !llu && !bcast;
	}
	}
	return false;
}

#define IPCLASS(fname, k)                                                                          \
	TC_CEL_K8S_FN(fname)                                                                       \
	{                                                                                          \
		const addr *a = n == 1 ? as_ip(v[0]) : NULL;                                       \
		return a ? tc_cel_bool(c->a, is_class(a, k)) : NULL;                               \
	}
IPCLASS(tc_cel_k8s_is_unspecified, UNSPEC)
IPCLASS(tc_cel_k8s_is_loopback, LOOPBACK)
IPCLASS(tc_cel_k8s_is_ll_multicast, LL_MCAST)
IPCLASS(tc_cel_k8s_is_ll_unicast, LL_UCAST)
IPCLASS(tc_cel_k8s_is_global_unicast, GLOBAL_UCAST)

/* ---- cidr ---- */

static tc_cel_val *str_to_cidr(tc_cel_ctx *c, const tc_cel_val *s)
{
	prefix p;
	const char *why = parse_prefix(s->u.s.ptr, s->u.s.len, &p);
	if (why)
		return tc_cel_error(c->a,
		                    "network address parse error during conversion from string: "
		                    "netip.ParsePrefix(\"%s\"): %s",
		                    s->u.s.ptr, why);
	return cidr_val(c, &p);
}

TC_CEL_K8S_FN(tc_cel_k8s_cidr)
{
	return n == 1 && v[0]->kind == TC_CEL_STRING ? str_to_cidr(c, v[0]) : NULL;
}

TC_CEL_K8S_FN(tc_cel_k8s_is_cidr)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	prefix p;
	return tc_cel_bool(c->a, parse_prefix(v[0]->u.s.ptr, v[0]->u.s.len, &p) == NULL);
}

TC_CEL_K8S_FN(tc_cel_k8s_contains_ip)
{
	const prefix *p = n == 2 ? as_cidr(v[0]) : NULL;
	if (!p)
		return NULL;
	tc_cel_val *o = v[1];
	if (o->kind == TC_CEL_STRING) {
		o = str_to_ip(c, o);
		if (o->kind == TC_CEL_ERROR)
			return o;
	}
	const addr *a = as_ip(o);
	if (!a)
		return NULL;
	return tc_cel_bool(c->a, a->v6 == p->a.v6 && same_bits(p->a.b, a->b, p->bits));
}

TC_CEL_K8S_FN(tc_cel_k8s_contains_cidr)
{
	const prefix *p = n == 2 ? as_cidr(v[0]) : NULL;
	if (!p)
		return NULL;
	tc_cel_val *o = v[1];
	if (o->kind == TC_CEL_STRING) {
		o = str_to_cidr(c, o);
		if (o->kind == TC_CEL_ERROR)
			return o;
	}
	const prefix *q = as_cidr(o);
	if (!q)
		return NULL;
	int minb = p->bits < q->bits ? p->bits : q->bits;
	bool overlaps = p->a.v6 == q->a.v6 && same_bits(p->a.b, q->a.b, minb);
	return tc_cel_bool(c->a, overlaps && p->bits <= q->bits);
}

TC_CEL_K8S_FN(tc_cel_k8s_prefix_length)
{
	const prefix *p = n == 1 ? as_cidr(v[0]) : NULL;
	return p ? tc_cel_int(c->a, p->bits) : NULL;
}

TC_CEL_K8S_FN(tc_cel_k8s_masked)
{
	const prefix *p = n == 1 ? as_cidr(v[0]) : NULL;
	if (!p)
		return NULL;
	prefix m = *p;
	for (int i = 0; i < 16; i++) {
		int keep = m.bits - 8 * i;
		if (keep <= 0)
			m.a.b[i] = 0;
		else if (keep < 8)
			m.a.b[i] &= (unsigned char)(0xff << (8 - keep));
	}
	return cidr_val(c, &m);
}

/* string(ip), string(cidr): the canonical text */
TC_CEL_K8S_FN(tc_cel_k8s_net_string)
{
	if (n != 1 || (!as_ip(v[0]) && !as_cidr(v[0])))
		return NULL;
	return tc_cel_string(c->a, v[0]->u.o.ptr, v[0]->u.o.len);
}

/* ---- url ---- */

typedef struct url {
	const char *scheme; /* lower case */
	const char *opaque;
	const char *host; /* decoded, with the port */
	const char *rawpath;
	const char *rawquery;
	bool has_query;
} url;

static bool is_alnum(char ch)
{
	return tc_ascii_is_alpha(ch) || tc_ascii_is_digit(ch);
}

/* net/url shouldEscape for the modes used here */
typedef enum { M_PATH, M_HOST, M_QUERY } emode;

static bool should_escape(unsigned char ch, emode m)
{
	if (is_alnum((char)ch))
		return false;
	if (m == M_HOST) {
		if (ch >= 0x80)
			return false;
		return !strchr("!$&'()*+,;=:[]<>\"-_.~", ch) || !ch;
	}
	if (ch && strchr("-_.~", ch))
		return false;
	if (ch && strchr("$&+,/:;=?@", ch)) {
		if (m == M_PATH)
			return ch == '?';
		return true;
	}
	return true;
}

/* unescape in a mode: false for a bad % sequence or host character */
static bool unescape(tc_arena *a, const char *s, size_t n, emode m, const char **out)
{
	char *r = tc_arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || tc_ascii_hex_value(s[i + 1]) < 0 ||
			    tc_ascii_hex_value(s[i + 2]) < 0)
				return false;
			if (m == M_HOST && tc_ascii_hex_value(s[i + 1]) < 8 &&
			    memcmp(s + i, "%25", 3) != 0)
				return false;
			r[k++] = (char)(tc_ascii_hex_value(s[i + 1]) * 16 +
			                tc_ascii_hex_value(s[i + 2]));
			i += 2;
		} else if (m == M_HOST && (unsigned char)s[i] < 0x80 &&
		           should_escape((unsigned char)s[i], M_HOST)) {
			return false;
		} else if (m == M_QUERY && s[i] == '+') {
			r[k++] = ' ';
		} else {
			r[k++] = s[i];
		}
	}
	r[k] = 0;
	*out = r;
	return true;
}

static bool valid_optional_port(const char *p, size_t n)
{
	if (n == 0)
		return true;
	if (p[0] != ':')
		return false;
	for (size_t i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static const char *parse_host(tc_arena *a, const char *h, size_t n, const char **out)
{
	if (n && h[0] == '[') {
		const char *rb = NULL;
		for (size_t i = n; i-- > 0;)
			if (h[i] == ']') {
				rb = h + i;
				break;
			}
		if (!rb)
			return "missing ']' in host";
		size_t after = (size_t)(rb - h) + 1;
		if (!valid_optional_port(rb + 1, n - after))
			return "invalid port after host";
	} else {
		for (size_t i = n; i-- > 0;)
			if (h[i] == ':') {
				if (!valid_optional_port(h + i, n - i))
					return "invalid port after host";
				break;
			}
	}
	if (!unescape(a, h, n, M_HOST, out))
		return "invalid character in host name";
	return NULL;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* getScheme: the scheme before the first ':' into u->scheme, lower case,
 * and *rest past the ':' (0 when there is no scheme); NULL, or why not */
static const char *get_scheme(tc_arena *a, const char *s, size_t n, url *u, size_t *rest)
{
	*rest = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (tc_ascii_is_alpha(ch))
			continue;
		if (tc_ascii_is_digit(ch) || ch == '+' || ch == '-' || ch == '.') {
			if (i == 0)
				return NULL;
			continue;
		}
		if (ch != ':')
			return NULL;
		if (i == 0)
			return "missing protocol scheme";
		char *sc = tc_arena_memdup0(a, s, i);
		for (char *p = sc; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		u->scheme = sc;
		*rest = i + 1;
		return NULL;
	}
	return NULL;
}

/* The query after the first '?' of r[0..*rn) into u, cut off r. */
static void cut_query(tc_arena *a, const char *r, size_t *rn, url *u)
{
	const char *q = memchr(r, '?', *rn);
	if (!q)
		return;
	u->has_query = true;
	u->rawquery = tc_arena_memdup0(a, q + 1, *rn - (size_t)(q - r) - 1);
	*rn = (size_t)(q - r);
}

/* A rest that does not start with '/': opaque with a scheme (*done), an
 * error for a request, else a relative path whose first segment has no
 * ':'; NULL, or why not */
static const char *unrooted(tc_arena *a, const char *r, size_t rn, bool request, url *u, bool *done)
{
	if (*u->scheme) {
		u->opaque = tc_arena_memdup0(a, r, rn);
		*done = true;
		return NULL;
	}
	if (request)
		return "invalid URI for request";
	const char *slash = memchr(r, '/', rn);
	size_t seg = slash ? (size_t)(slash - r) : rn;
	return memchr(r, ':', seg) ? "first path segment in URL cannot contain colon" : NULL;
}

/* "//" starts an authority after a scheme, or in a reference that is no
 * request, unless a scheme-less reference starts with "///" */
static bool has_authority(const url *u, const char *r, size_t rn, bool request)
{
	if (rn < 2 || r[0] != '/' || r[1] != '/')
		return false;
	if (*u->scheme)
		return true;
	return !request && !(rn >= 3 && r[2] == '/');
}

/* The authority after the "//" at *r: user information checked, the host
 * (with its port) decoded into u->host; *r and *rn move past it. NULL, or
 * why not */
static const char *parse_authority(tc_arena *a, const char **r, size_t *rn, url *u)
{
	tc_netaddr_url au;
	tc_netaddr_split_authority(&au, *r + 2, *rn - 2, "/");
	for (size_t k = 0; k < au.userinfo_len; k++)
		if (!is_alnum(au.userinfo[k]) && !strchr("-._:~!$&'()*+,;=%@", au.userinfo[k]))
			return "net/url: invalid userinfo";
	const char *why = parse_host(a, au.hostport, au.hostport_len, &u->host);
	if (why)
		return why;
	*r = au.rest;
	*rn = au.rest_len;
	return NULL;
}

/* url.Parse(s) when request (ParseRequestURI) or not; NULL, or why not */
static const char *parse_url(tc_arena *a, const char *s, size_t n, bool request, url *u)
{
	memset(u, 0, sizeof *u);
	u->scheme = u->opaque = u->host = u->rawpath = u->rawquery = "";
	if (has_control(s, n))
		return "net/url: invalid control character in URL";
	const char *hash = request ? NULL : memchr(s, '#', n);
	if (hash)
		n = (size_t)(hash - s);
	if (n == 0 && request)
		return "empty url";
	if (n == 1 && s[0] == '*') {
		u->rawpath = "*";
		return NULL;
	}
	size_t rest;
	const char *why = get_scheme(a, s, n, u, &rest);
	if (why)
		return why;
	const char *r = s + rest;
	size_t rn = n - rest;
	cut_query(a, r, &rn, u);
	bool done = false;
	if (!rn || r[0] != '/') {
		why = unrooted(a, r, rn, request, u, &done);
		if (why || done)
			return why;
	}
	if (has_authority(u, r, rn, request)) {
		why = parse_authority(a, &r, &rn, u);
		if (why)
			return why;
	}
	const char *decoded;
	if (!unescape(a, r, rn, M_PATH, &decoded))
		return "invalid URL escape";
	u->rawpath = tc_arena_memdup0(a, r, rn);
	return NULL;
}

const char *tc_cel_k8s_request_uri_error(const char *s, size_t n)
{
	tc_arena a;
	tc_arena_init(&a);
	url u;
	const char *why = parse_url(&a, s, n, true, &u);
	tc_arena_release(&a);
	return why;
}

static const url *as_url(const tc_cel_val *v)
{
	return v->kind == TC_CEL_OPAQUE && strcmp(v->u.o.type, URLTYPE) == 0 ? v->u.o.data : NULL;
}

TC_CEL_K8S_FN(tc_cel_k8s_url)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	url u;
	const char *why = parse_url(c->a, v[0]->u.s.ptr, v[0]->u.s.len, true, &u);
	if (!why)
		why = parse_url(c->a, v[0]->u.s.ptr, v[0]->u.s.len, false, &u);
	if (why)
		return tc_cel_error(c->a, "URL parse error during conversion from string: %s", why);
	url *p = tc_arena_alloc(c->a, sizeof *p);
	*p = u;
	char *text;
	if (*u.opaque)
		text = tc_arena_printf(c->a, "%s:%s%s%s", u.scheme, u.opaque,
		                       u.has_query ? "?" : "", u.rawquery);
	else
		text = tc_arena_printf(c->a, "%s%s%s%s%s%s%s", u.scheme, *u.scheme ? ":" : "",
		                       *u.scheme || *u.host ? "//" : "", u.host, u.rawpath,
		                       u.has_query ? "?" : "", u.rawquery);
	return tc_cel_opaque(c->a, URLTYPE, text, strlen(text), p);
}

TC_CEL_K8S_FN(tc_cel_k8s_is_url)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	return tc_cel_bool(c->a,
	                   tc_cel_k8s_request_uri_error(v[0]->u.s.ptr, v[0]->u.s.len) == NULL);
}

static tc_cel_val *str(tc_cel_ctx *c, const char *s)
{
	return tc_cel_string(c->a, s, strlen(s));
}

TC_CEL_K8S_FN(tc_cel_k8s_get_scheme)
{
	const url *u = n == 1 ? as_url(v[0]) : NULL;
	return u ? str(c, u->scheme) : NULL;
}

TC_CEL_K8S_FN(tc_cel_k8s_get_host)
{
	const url *u = n == 1 ? as_url(v[0]) : NULL;
	return u ? str(c, u->host) : NULL;
}

/* url.URL Hostname and Port: split at the last ':' when a valid port
 * follows; brackets removed from an IPv6 host */
static void split_host(const char *h, size_t *hs, size_t *hl, const char **port)
{
	size_t n = strlen(h);
	*port = "";
	const char *colon = strrchr(h, ':');
	if (colon && valid_optional_port(colon, n - (size_t)(colon - h))) {
		*port = colon + 1;
		n = (size_t)(colon - h);
	}
	*hs = 0;
	*hl = n;
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		*hs = 1;
		*hl = n - 2;
	}
}

TC_CEL_K8S_FN(tc_cel_k8s_get_hostname)
{
	const url *u = n == 1 ? as_url(v[0]) : NULL;
	if (!u)
		return NULL;
	size_t hs, hl;
	const char *port;
	split_host(u->host, &hs, &hl, &port);
	return tc_cel_string(c->a, u->host + hs, hl);
}

TC_CEL_K8S_FN(tc_cel_k8s_get_port)
{
	const url *u = n == 1 ? as_url(v[0]) : NULL;
	if (!u)
		return NULL;
	size_t hs, hl;
	const char *port;
	split_host(u->host, &hs, &hl, &port);
	return str(c, port);
}

/* url.URL EscapedPath: the path as written when it is a valid encoding,
 * else the decoded path escaped */
TC_CEL_K8S_FN(tc_cel_k8s_get_escaped_path)
{
	const url *u = n == 1 ? as_url(v[0]) : NULL;
	if (!u)
		return NULL;
	const char *p = u->rawpath;
	bool valid = true;
	for (const char *s = p; *s && valid; s++)
		if (!strchr("!$&'()*+,;=:@[]%", *s) && should_escape((unsigned char)*s, M_PATH))
			valid = false;
	if (valid)
		return str(c, p);
	const char *dec;
	if (!unescape(c->a, p, strlen(p), M_PATH, &dec))
		return str(c, p);
	tc_buf b;
	tc_buf_init(&b, 64);
	for (const char *s = dec; *s; s++) {
		if (should_escape((unsigned char)*s, M_PATH))
			tc_buf_addf(&b, "%%%02X", (unsigned char)*s);
		else
			tc_buf_addc(&b, *s);
	}
	tc_cel_val *r = tc_cel_string(c->a, b.ptr ? b.ptr : "", b.len);
	tc_buf_release(&b);
	return r;
}

/* The keys of a query in the order they first appear, each with its
 * values: the arrays grow by doubling in the arena */
typedef struct qmap {
	tc_cel_val **keys;
	tc_cel_val ***vals;
	size_t *nv, nk, cap;
} qmap;

static void qmap_grow(tc_cel_ctx *c, qmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 8;
	tc_cel_val **k2 = tc_arena_alloc(c->a, nc * sizeof *k2);
	tc_cel_val ***v2 = tc_arena_alloc(c->a, nc * sizeof *v2);
	size_t *n2 = tc_arena_alloc(c->a, nc * sizeof *n2);
	if (m->cap) {
		memcpy(k2, m->keys, m->cap * sizeof *k2);
		memcpy(v2, m->vals, m->cap * sizeof *v2);
		memcpy(n2, m->nv, m->cap * sizeof *n2);
	}
	m->keys = k2, m->vals = v2, m->nv = n2, m->cap = nc;
}

/* Append val to the values of key, which is added when it is new. */
static void qmap_add(tc_cel_ctx *c, qmap *m, const char *key, const char *val)
{
	size_t j = 0;
	while (j < m->nk && strcmp(m->keys[j]->u.s.ptr, key) != 0)
		j++;
	if (j == m->nk) {
		if (m->nk == m->cap)
			qmap_grow(c, m);
		m->keys[m->nk] = str(c, key);
		m->vals[m->nk] = NULL;
		m->nv[m->nk++] = 0;
	}
	tc_cel_val **grown = tc_arena_alloc(c->a, (m->nv[j] + 1) * sizeof *grown);
	if (m->nv[j])
		memcpy(grown, m->vals[j], m->nv[j] * sizeof *grown);
	grown[m->nv[j]++] = str(c, val);
	m->vals[j] = grown;
}

/* One "key=value" piece of a query, decoded; false when it does not parse
 * (empty, a ';', a bad escape) and is left out */
static bool query_pair(tc_cel_ctx *c, const char *piece, size_t pn, const char **k,
                       const char **val)
{
	*val = "";
	if (!pn || memchr(piece, ';', pn))
		return false;
	const char *eq = memchr(piece, '=', pn);
	size_t kn = eq ? (size_t)(eq - piece) : pn;
	if (!unescape(c->a, piece, kn, M_QUERY, k))
		return false;
	return !eq || unescape(c->a, eq + 1, pn - kn - 1, M_QUERY, val);
}

/* url.URL Query (url.ParseQuery, pairs that do not parse left out):
 * map(string, list(string)), keys in the order they first appear */
TC_CEL_K8S_FN(tc_cel_k8s_get_query)
{
	const url *u = n == 1 ? as_url(v[0]) : NULL;
	if (!u)
		return NULL;
	const char *q = u->rawquery;
	size_t qn = strlen(q);
	qmap qm = {0};
	qmap_grow(c, &qm);
	for (size_t i = 0; i <= qn;) {
		const char *amp = memchr(q + i, '&', qn - i);
		size_t end = amp ? (size_t)(amp - q) : qn;
		const char *k, *val;
		bool ok = query_pair(c, q + i, end - i, &k, &val);
		i = end + 1;
		if (!ok)
			continue;
		if (!tc_cel_charge(c, 1))
			return tc_cel_error(c->a, "cost budget exceeded");
		qmap_add(c, &qm, k, val);
	}
	tc_cel_val *m = tc_arena_alloc(c->a, sizeof *m);
	memset(m, 0, sizeof *m);
	m->kind = TC_CEL_MAP;
	m->u.map.len = qm.nk;
	m->u.map.keys = qm.keys;
	m->u.map.vals = tc_arena_alloc(c->a, (qm.nk ? qm.nk : 1) * sizeof(tc_cel_val *));
	for (size_t j = 0; j < qm.nk; j++)
		m->u.map.vals[j] = tc_cel_list(c->a, qm.vals[j], qm.nv[j]);
	return m;
}
