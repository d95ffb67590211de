/*
 * schema_format.c - checkers for the 'format' values tenantc asserts.
 *
 * Grammars: date-time, date, time and duration follow RFC 3339 (and its
 * Appendix A for durations); email follows RFC 5321's Mailbox (dot-atom
 * or quoted local part, a host name or an address literal); hostname is
 * RFC 1123 (labels of letters, digits and '-', at most 63 bytes each, 253
 * in all); ipv4 is the dotted quad without leading zeros; ipv6 is RFC 4291
 * section 2.2; uri and uri-reference are RFC 3986; uuid is RFC 4122's
 * 8-4-4-4-12 hexadecimal form; the JSON pointers are RFC 6901 and its
 * relative draft; regex is anything tenantc's pattern compiler accepts.
 * All checks are on bytes: non-ASCII digits and letters are rejected
 * where the grammars say DIGIT or ALPHA.
 */
#include "schema_format.h"

#include "ascii.h"
#include "netaddr.h"
#include "schema_regex.h"
#include "timefmt.h"

#include <string.h>

typedef struct fmt_name {
	const char *name;
	tc_schema_format f;
} fmt_name;

/* sorted by name, looked up with a linear scan (15 entries) */
static const fmt_name fmt_names[] = {
	{"date", TC_FMT_DATE},
	{"date-time", TC_FMT_DATE_TIME},
	{"duration", TC_FMT_DURATION},
	{"email", TC_FMT_EMAIL},
	{"hostname", TC_FMT_HOSTNAME},
	{"ipv4", TC_FMT_IPV4},
	{"ipv6", TC_FMT_IPV6},
	{"json-pointer", TC_FMT_JSON_POINTER},
	{"regex", TC_FMT_REGEX},
	{"relative-json-pointer", TC_FMT_RELATIVE_JSON_POINTER},
	{"time", TC_FMT_TIME},
	{"uri", TC_FMT_URI},
	{"uri-reference", TC_FMT_URI_REFERENCE},
	{"uuid", TC_FMT_UUID},
};

tc_schema_format tc_schema_format_lookup(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof fmt_names / sizeof fmt_names[0]; i++)
		if (strlen(fmt_names[i].name) == n && memcmp(fmt_names[i].name, name, n) == 0)
			return fmt_names[i].f;
	return TC_FMT_NONE;
}

/* full-date = date-fullyear "-" date-month "-" date-mday */
bool tc_format_is_date(const char *s, size_t n)
{
	tc_civil t;
	return tc_time_parse_date(&t, s, n);
}

/* full-time = partial-time time-offset
 * partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
 * time-offset = "Z" / ("+" / "-") time-hour ":" time-minute
 * (with 'z', and a leap second at 23:59:60 UTC) */
bool tc_format_is_time(const char *s, size_t n)
{
	tc_civil t;
	return tc_time_parse_clock(&t, s, n, TC_RFC3339_LOWER | TC_RFC3339_LEAP);
}

/* date-time = full-date "T" full-time */
static bool is_date_time(const char *s, size_t n)
{
	tc_civil t;
	return tc_time_parse_rfc3339(&t, s, n, TC_RFC3339_LOWER | TC_RFC3339_LEAP);
}

typedef struct {
	int last; /* index of the last unit in "YMD" or "HMS", -1 at the start of each part */
	bool any, time, week;
} dur_state;

/* One element, digits and a unit, at s[*i]; false when it breaks the grammar. */
static bool dur_element(dur_state *st, const char *s, size_t n, size_t *i)
{
	size_t k = *i;
	while (*i < n && tc_ascii_is_digit(s[*i]))
		(*i)++;
	if (*i == k || *i == n)
		return false;
	char u = s[(*i)++];
	if (u == 'W') {
		if (st->any || st->time)
			return false;
		st->week = st->any = true;
		return true;
	}
	if (st->week)
		return false;
	const char *units = st->time ? "HMS" : "YMD";
	const char *p = strchr(units, u);
	if (!p || u == 0)
		return false;
	/* dur-date forms: Y[M[D]], M[D], D; time forms: H[M[S]], M[S], S:
	 * no gaps allowed (P1Y2D is not in the grammar) */
	int idx = (int)(p - units);
	if (st->last >= 0 && idx != st->last + 1)
		return false;
	st->last = idx;
	st->any = true;
	return true;
}

/* duration = "P" (dur-date / dur-time / dur-week), RFC 3339 Appendix A:
 * dur-date = (dur-day / dur-month / dur-year) [dur-time]
 * units must appear in order Y M D, then "T" H M S, each at most once;
 * weeks stand alone */
static bool is_duration(const char *s, size_t n)
{
	if (n < 2 || s[0] != 'P')
		return false;
	dur_state st = {.last = -1};
	size_t i = 1;
	while (i < n) {
		if (s[i] != 'T') {
			if (!dur_element(&st, s, n, &i))
				return false;
			continue;
		}
		if (st.time || i + 1 == n)
			return false;
		st.time = true;
		st.last = -1;
		i++;
	}
	return st.any;
}

/* One label of an RFC 1123 host name: letters, digits, '-', 1..63 bytes,
 * not starting or ending with '-'. A label with "--" at positions 3-4 must
 * start "xn" (an A-label), as IDNA requires. */
static bool hostname_label(const char *s, size_t len)
{
	if (len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (size_t j = 0; j < len; j++)
		if (!tc_ascii_is_alpha(s[j]) && !tc_ascii_is_digit(s[j]) && s[j] != '-')
			return false;
	/* "--" in the third and fourth position is reserved for A-labels */
	return !(len >= 4 && s[2] == '-' && s[3] == '-' &&
	         !((s[0] == 'x' || s[0] == 'X') && (s[1] == 'n' || s[1] == 'N')));
}

/* RFC 1123 host name: labels, total at most 253 (no trailing dot). */
static bool is_hostname(const char *s, size_t n)
{
	return tc_netaddr_labels(s, n, hostname_label);
}

/* IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet */
static bool is_ipv4(const char *s, size_t n)
{
	unsigned char b[4];
	return tc_netaddr_parse_ip4(b, s, n, false);
}

/* RFC 4291 2.2: eight groups of 1-4 hex digits, "::" once for a run of
 * zero groups, the last two groups may be an IPv4 address */
static bool is_ipv6(const char *s, size_t n)
{
	unsigned char b[16];
	return tc_netaddr_parse_ip6(b, s, n);
}

static bool is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : tc_ascii_hex_value(s[i]) < 0)
			return false;
	}
	return true;
}

/* atext of RFC 5322 */
static bool is_atext(char c)
{
	return tc_ascii_is_alpha(c) || tc_ascii_is_digit(c) ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Quoted-string local part: the offset of the "@" after it, or 0 when it is not one. */
static size_t quoted_local(const char *s, size_t n)
{
	size_t i = 1;
	while (i < n && s[i] != '"') {
		if (s[i] == '\\')
			i++;
		else if ((unsigned char)s[i] < 32)
			return 0;
		i++;
	}
	if (i >= n)
		return 0;
	i++;
	return i < n && s[i] == '@' ? i : 0;
}

/* Dot-string = Atom *("." Atom): the offset of the "@" after it, or 0 when it is not one. */
static size_t dot_local(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[k] != '@')
		k++;
	if (k == 0 || k == n)
		return 0;
	for (size_t j = 0; j < k; j++) {
		if (s[j] != '.') {
			if (!is_atext(s[j]))
				return 0;
		} else if (j == 0 || j == k - 1 || s[j - 1] == '.') {
			return 0;
		}
	}
	return k;
}

/* Mailbox = Local-part "@" ( Domain / address-literal ) */
static bool is_email(const char *s, size_t n)
{
	size_t at = n && s[0] == '"' ? quoted_local(s, n) : dot_local(s, n);
	if (at == 0)
		return false;
	const char *dom = s + at + 1;
	size_t dn = n - at - 1;
	if (dn >= 2 && dom[0] == '[' && dom[dn - 1] == ']') {
		if (dn > 7 && memcmp(dom + 1, "IPv6:", 5) == 0)
			return is_ipv6(dom + 6, dn - 7);
		return is_ipv4(dom + 1, dn - 2);
	}
	return is_hostname(dom, dn);
}

/* Does s[0..n) hold one of the bytes of `set`? */
static bool has_any(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] && strchr(set, s[i]))
			return true;
	return false;
}

/* The length of the run of s[0..n) before the first byte of `stop`. */
static size_t span_to(const char *s, size_t n, const char *stop)
{
	size_t k = 0;
	while (k < n && !(s[k] && strchr(stop, s[k])))
		k++;
	return k;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!tc_ascii_is_digit(s[i]))
			return false;
	return true;
}

static bool uri_char(char c)
{
	/* unreserved / reserved (gen-delims and sub-delims) */
	return tc_ascii_is_alpha(c) || tc_ascii_is_digit(c) ||
	       (c && strchr("-._~:/?#[]@!$&'()*+,;=", c));
}

/* the bytes of a URI or URI reference: characters of RFC 3986 and valid
 * percent-escapes, '#' at most once */
static bool uri_chars(const char *s, size_t n)
{
	bool hash = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n + 0 || tc_ascii_hex_value(s[i + 1]) < 0 ||
			    tc_ascii_hex_value(s[i + 2]) < 0)
				return false;
			i += 2;
		} else if (s[i] == '#') {
			if (hash)
				return false;
			hash = true;
		} else if (!uri_char(s[i])) {
			return false;
		}
	}
	return true;
}

/* host = IP-literal / IPv4address / reg-name at the start of s[0..n): its length in *len */
static bool host_ok(const char *s, size_t n, size_t *len)
{
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return false;
		if (!is_ipv6(s + 1, (size_t)(close - s - 1)) && !(s[1] == 'v' || s[1] == 'V'))
			return false;
		*len = (size_t)(close - s) + 1;
		return true;
	}
	const char *colon = memchr(s, ':', n);
	*len = colon ? (size_t)(colon - s) : n;
	return !has_any(s, *len, "[]");
}

/* authority = [ userinfo "@" ] host [ ":" port ] */
static bool authority_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (at) {
		size_t u = (size_t)(at - s);
		if (memchr(at + 1, '@', n - u - 1) || has_any(s, u, "[]/"))
			return false;
		s = at + 1;
		n -= u + 1;
	}
	size_t hostlen;
	if (!host_ok(s, n, &hostlen))
		return false;
	if (hostlen == n)
		return true;
	return s[hostlen] == ':' && all_digits(s + hostlen + 1, n - hostlen - 1);
}

static bool scheme_char(char c)
{
	return tc_ascii_is_alpha(c) || tc_ascii_is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ): the length with its ":", or 0 */
static size_t scheme_len(const char *s, size_t n)
{
	if (!n || !tc_ascii_is_alpha(s[0]))
		return 0;
	size_t k = 1;
	while (k < n && scheme_char(s[k]))
		k++;
	return k < n && s[k] == ':' ? k + 1 : 0;
}

/* URI-reference; with need_scheme, URI = scheme ":" hier-part ... */
static bool is_uri(const char *s, size_t n, bool need_scheme)
{
	if (!uri_chars(s, n))
		return false;
	size_t i = scheme_len(s, n);
	/* relative-ref: a first segment must not contain ':' */
	if (i == 0 && (need_scheme || memchr(s, ':', span_to(s, n, "/?#"))))
		return false;
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		size_t k = i + 2 + span_to(s + i + 2, n - i - 2, "/?#");
		if (!authority_ok(s + i + 2, k - i - 2))
			return false;
		i = k;
	}
	/* brackets only in the authority */
	return !has_any(s + i, span_to(s + i, n - i, "?#"), "[]");
}

/* json-pointer = *( "/" reference-token ), "~" only as "~0" or "~1" */
static bool is_json_pointer(const char *s, size_t n)
{
	if (n && s[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1')))
			return false;
	return true;
}

/* relative-json-pointer = non-negative-integer [index-manipulation]
 *                         ( "#" / json-pointer ) */
static bool is_relative_json_pointer(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && tc_ascii_is_digit(s[i]))
		i++;
	if (i == 0 || (i > 1 && s[0] == '0'))
		return false;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		size_t k = ++i;
		while (i < n && tc_ascii_is_digit(s[i]))
			i++;
		if (i == k || (i - k > 1 && s[k] == '0') || (i - k == 1 && s[k] == '0'))
			return false;
	}
	if (i < n && s[i] == '#')
		return i + 1 == n;
	return is_json_pointer(s + i, n - i);
}

bool tc_schema_format_check(tc_schema_format f, const char *s, size_t n)
{
	switch (f) {
	case TC_FMT_NONE:
		return true;
	case TC_FMT_DATE_TIME:
		return is_date_time(s, n);
	case TC_FMT_DATE:
		return tc_format_is_date(s, n);
	case TC_FMT_TIME:
		return tc_format_is_time(s, n);
	case TC_FMT_DURATION:
		return is_duration(s, n);
	case TC_FMT_EMAIL:
		return is_email(s, n);
	case TC_FMT_HOSTNAME:
		return is_hostname(s, n);
	case TC_FMT_IPV4:
		return is_ipv4(s, n);
	case TC_FMT_IPV6:
		return is_ipv6(s, n);
	case TC_FMT_URI:
		return is_uri(s, n, true);
	case TC_FMT_URI_REFERENCE:
		return is_uri(s, n, false);
	case TC_FMT_UUID:
		return is_uuid(s, n);
	case TC_FMT_JSON_POINTER:
		return is_json_pointer(s, n);
	case TC_FMT_RELATIVE_JSON_POINTER:
		return is_relative_json_pointer(s, n);
	case TC_FMT_REGEX:
		return tc_regex_valid(s, n);
	}
	return true;
}
