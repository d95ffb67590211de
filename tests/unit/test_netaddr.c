/*
 * test_netaddr.c - the shared scanners of network names: the dotted quad
 * (RFC 3986 dec-octet; k8s.io/utils/net ParseIPSloppy with leading zeros),
 * the IPv6 text forms (RFC 4291 section 2.2, as Go's netip.ParseAddr reads
 * them), dot-separated labels (RFC 1123 section 2.1: 253 bytes at most)
 * and the authority of a URL (RFC 3986 sections 3.1 and 3.2).
 */
#include "netaddr.h"
#include "tc_test.h"

#include <string.h>

static bool ip4(const char *s, bool zeros)
{
	unsigned char b[4];
	return tc_netaddr_parse_ip4(b, s, strlen(s), zeros);
}

static bool ip6(const char *s, const unsigned char *want)
{
	unsigned char b[16];
	if (!tc_netaddr_parse_ip6(b, s, strlen(s)))
		return false;
	return !want || memcmp(b, want, 16) == 0;
}

TEST(netaddr_ip4_follows_dec_octet_or_the_sloppy_k8s_form)
{
	unsigned char b[4];
	CHECK(tc_netaddr_parse_ip4(b, "10.0.255.1", 10, false));
	CHECK(b[0] == 10 && b[1] == 0 && b[2] == 255 && b[3] == 1);
	CHECK(!ip4("010.0.0.1", false)); /* RFC 3986 dec-octet: no leading zero */
	CHECK(ip4("010.0.0.1", true));   /* ParseIPSloppy takes it */
	CHECK(!ip4("0010.0.0.1", true)); /* three digits at most either way */
	CHECK(!ip4("256.0.0.1", true));
	CHECK(!ip4("1.2.3", false));
	CHECK(!ip4("1.2.3.4.", false));
	CHECK(!ip4("1..2.3", false));
	CHECK(!ip4("", false));
}

TEST(netaddr_ip6_reads_rfc_4291_text_forms)
{
	static const unsigned char loop[16] = {[15] = 1};
	static const unsigned char v4[16] = {0x20, 0x01, 0x0d, 0xb8, [12] = 1, 2, 3, 4};
	static const unsigned char zero[16] = {0};
	CHECK(ip6("::1", loop));
	CHECK(ip6("0:0:0:0:0:0:0:1", loop));
	CHECK(ip6("::", zero));
	CHECK(ip6("2001:DB8::1.2.3.4", v4));
	CHECK(ip6("1:2:3:4:5:6:7::", NULL));
	CHECK(ip6("1::", NULL));
	/* "::" stands for at least one zero group (netip: trailing garbage) */
	CHECK(!ip6("1:2:3:4:5:6:7:8::", NULL));
	CHECK(!ip6("::1:2:3:4:5:6:7:8", NULL));
	CHECK(!ip6("1::2::3", NULL));
	CHECK(!ip6("1:2:3:4:5:6:7", NULL));
	CHECK(!ip6("1:2:3:4:5:6:7:8:9", NULL));
	CHECK(!ip6("12345::", NULL));
	CHECK(!ip6(":1::", NULL));
	CHECK(!ip6("1:", NULL));
	CHECK(!ip6("fe80::1%eth0", NULL)); /* no zones */
	CHECK(!ip6("::01.2.3.4", NULL));   /* the IPv4 tail has no leading zeros */
	CHECK(!ip6("1:2:3:4:5:6:7:1.2.3.4", NULL));
	CHECK(!ip6("", NULL));
}

static bool short_label(const char *s, size_t n)
{
	(void)s;
	return n <= 3;
}

TEST(netaddr_labels_split_at_dots_within_253_bytes)
{
	CHECK(tc_netaddr_labels("a.bc.def", 8, short_label));
	CHECK(!tc_netaddr_labels("a.bcde", 6, short_label));
	CHECK(!tc_netaddr_labels("a..b", 4, short_label));
	CHECK(!tc_netaddr_labels("a.", 2, short_label)); /* no trailing dot */
	CHECK(!tc_netaddr_labels("", 0, short_label));
	char long_name[256];
	for (size_t i = 0; i < sizeof long_name; i++)
		long_name[i] = i % 2 ? '.' : 'a';
	CHECK(tc_netaddr_labels(long_name, 253, short_label));
	CHECK(!tc_netaddr_labels(long_name, 255, short_label));
}

#define PART(u, f, want) (u.f##_len == strlen(want) && memcmp(u.f, want, u.f##_len) == 0)

TEST(netaddr_split_url_ends_user_information_at_the_last_at_sign)
{
	tc_netaddr_url u;
	const char *s = "https://u:p@evil.example:8443/cb?x=@#f";
	CHECK(tc_netaddr_split_url(&u, s, strlen(s)));
	CHECK(PART(u, scheme, "https") && u.has_userinfo && PART(u, userinfo, "u:p"));
	CHECK(PART(u, host, "evil.example") && u.has_port && PART(u, port, "8443"));
	CHECK(PART(u, hostport, "evil.example:8443") && PART(u, rest, "/cb?x=@#f"));
	s = "http://[::1]:80";
	CHECK(tc_netaddr_split_url(&u, s, strlen(s)));
	CHECK(PART(u, host, "[::1]") && PART(u, port, "80") && !u.has_userinfo && u.rest_len == 0);
	s = "https://host";
	CHECK(tc_netaddr_split_url(&u, s, strlen(s)) && PART(u, host, "host") && !u.has_port);
	CHECK(!tc_netaddr_split_url(&u, "host/x", 6));
	CHECK(!tc_netaddr_split_url(&u, "1http://h", 9)); /* a scheme starts with a letter */
	CHECK(!tc_netaddr_split_url(&u, "https:h", 7));
	/* Go's net/url cuts query and fragment first: the authority ends at '/' */
	tc_netaddr_split_authority(&u, "h#x/y", 5, "/");
	CHECK(PART(u, host, "h#x") && PART(u, rest, "/y"));
}

int main(void)
{
	return RUN(netaddr_ip4_follows_dec_octet_or_the_sloppy_k8s_form,
	           netaddr_ip6_reads_rfc_4291_text_forms,
	           netaddr_labels_split_at_dots_within_253_bytes,
	           netaddr_split_url_ends_user_information_at_the_last_at_sign);
}
