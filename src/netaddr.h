/*
 * netaddr.h - the text forms of network names shared by the validators:
 * IPv4 and IPv6 addresses, dot-separated host names and the authority of
 * an absolute URL.
 *
 * Each caller keeps the rules that differ between its sources (whether an
 * IPv4 field may have leading zeros, what a label may hold, which schemes
 * and hosts a URL may have); the scanning itself lives here once. All
 * functions are pure: they read s[0..n), which need not be NUL-terminated,
 * and allocate nothing.
 */
#ifndef TC_NETADDR_H
#define TC_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

/* A dotted quad of four decimal fields 0..255 into out. With leading_zeros
 * a field is one to three digits, zeros first allowed (k8s.io/utils/net
 * ParseIPSloppy); without, a field of two or more digits may not start
 * with '0' (RFC 3986 dec-octet, Go's netip.ParseAddr). */
bool tc_netaddr_parse_ip4(unsigned char out[4], const char *s, size_t n, bool leading_zeros);

/* An IPv6 address of RFC 4291 section 2.2 into out: eight groups of one to
 * four hex digits, one "::" standing for at least one zero group, the last
 * 32 bits optionally a dotted quad without leading zeros. No zone. */
bool tc_netaddr_parse_ip6(unsigned char out[16], const char *s, size_t n);

/* s is 1..253 bytes of non-empty labels separated by '.' (no trailing dot),
 * each of which label accepts. */
bool tc_netaddr_labels(const char *s, size_t n, bool (*label)(const char *s, size_t n));

/* The parts of "scheme://[userinfo@]host[:port]rest": an empty part has
 * length 0 (has_userinfo and has_port tell an empty one from none). host
 * keeps the brackets of an IPv6 literal; hostport is host and port as
 * written; rest starts where the authority ends. */
typedef struct tc_netaddr_url {
	const char *scheme, *userinfo, *hostport, *host, *port, *rest;
	size_t scheme_len, userinfo_len, hostport_len, host_len, port_len, rest_len;
	bool has_userinfo, has_port;
} tc_netaddr_url;

/* Split s, which starts with an authority (the text after "//"): the
 * authority runs to the first byte of ends (RFC 3986: "/?#"; Go's net/url,
 * which has taken off query and fragment before, "/"), its user
 * information ends at its last '@' (RFC 3986 section 3.2), the host at the
 * ']' of an IPv6 literal or else at the first ':'. Sets every part but the
 * scheme, which it leaves empty; the parts point into s. */
void tc_netaddr_split_authority(tc_netaddr_url *out, const char *s, size_t n, const char *ends);

/* Split an absolute URL with an authority: a scheme of RFC 3986 section
 * 3.1 (a letter, then letters, digits, '+', '-', '.'), "://", then the
 * authority as tc_netaddr_split_authority splits it at "/?#". False when s has no
 * such scheme and "//". The parts point into s. */
bool tc_netaddr_split_url(tc_netaddr_url *out, const char *s, size_t n);

#endif
