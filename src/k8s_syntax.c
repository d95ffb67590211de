/*
 * k8s_syntax.c - the string syntaxes of Kubernetes' validation beyond names
 * and labels: port names, environment variable names, percentages, paths,
 * wildcard hosts, IP addresses and CIDRs, quantities and cron schedules.
 *
 * Sources, all facts read from upstream and written anew here:
 * k8s.io/apimachinery/pkg/util/validation (IsValidPortName,
 * IsRelaxedEnvVarName, IsValidPercent, IsWildcardDNS1123Subdomain),
 * k8s.io/utils/net (ParseIPSloppy, ParseCIDRSloppy: IPv4 octets may have
 * leading zeros), k8s.io/apimachinery/pkg/api/resource (ParseQuantity) and
 * github.com/robfig/cron/v3 (ParseStandard), which the CronJob validation
 * calls. Pure functions, no allocation.
 */
#include "k8s_rules.h"

#include "k8s.h"
#include "netaddr.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int tc_k8s_show_len(const tc_value *v)
{
	size_t n = strlen(tc_value_shown(v));
	return (int)(n > 80 ? 80 : n);
}

bool tc_k8s_nonempty(const tc_value *v)
{
	if (!v || v->kind == TC_NULL)
		return false;
	if (v->kind == TC_STR)
		return v->u.str.len > 0;
	if (v->kind == TC_ARRAY)
		return v->u.arr.len > 0;
	if (v->kind == TC_OBJECT)
		return v->u.obj.len > 0;
	return true;
}

bool tc_k8s_is_port_name(const char *s, size_t n)
{
	if (n == 0 || n > 15 || s[0] == '-' || s[n - 1] == '-')
		return false;
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			letter = true;
		else if (c == '-') {
			if (i + 1 < n && s[i + 1] == '-')
				return false;
		} else if (c < '0' || c > '9')
			return false;
	}
	return letter;
}

bool tc_k8s_is_env_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 32 || s[i] > 126 || s[i] == '=')
			return false;
	return true;
}

bool tc_k8s_is_percent(const char *s, size_t n, int64_t *pct)
{
	if (n < 2 || s[n - 1] != '%' || n > 12)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (pct)
		*pct = v;
	return true;
}

bool tc_k8s_is_descending_path(const char *s, size_t n)
{
	if (n > 0 && s[0] == '/')
		return false;
	size_t i = 0;
	while (i <= n) {
		size_t k = i;
		while (k < n && s[k] != '/')
			k++;
		if (k - i == 2 && s[i] == '.' && s[i + 1] == '.')
			return false;
		i = k + 1;
	}
	return true;
}

bool tc_k8s_is_path_segment(const char *s, size_t n)
{
	return n && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.') &&
	       !memchr(s, '/', n) && !memchr(s, '%', n);
}

bool tc_k8s_is_wildcard_subdomain(const char *s, size_t n)
{
	return n > 2 && s[0] == '*' && s[1] == '.' && tc_k8s_is_dns_subdomain(s + 2, n - 2);
}

bool tc_k8s_parse_ip(const char *s, size_t n, unsigned char out[16], bool *v6)
{
	memset(out, 0, 16);
	if (n == 0 || n > 45)
		return false;
	if (!memchr(s, ':', n)) {
		*v6 = false;
		return tc_netaddr_parse_ip4(out, s, n, true);
	}
	char buf[46];
	memcpy(buf, s, n);
	buf[n] = 0;
	*v6 = true;
	return inet_pton(AF_INET6, buf, out) == 1;
}

bool tc_k8s_parse_cidr(const char *s, size_t n, unsigned char out[16], bool *v6, int *bits)
{
	const char *slash = memchr(s, '/', n);
	if (!slash)
		return false;
	size_t an = (size_t)(slash - s), pn = n - an - 1;
	if (!tc_k8s_parse_ip(s, an, out, v6) || pn == 0 || pn > 3)
		return false;
	int b = 0;
	for (size_t i = 0; i < pn; i++) {
		if (slash[1 + i] < '0' || slash[1 + i] > '9')
			return false;
		b = b * 10 + (slash[1 + i] - '0');
	}
	if (b > (*v6 ? 128 : 32))
		return false;
	*bits = b;
	return true;
}

/* <digits>[.<digits>] from *i into *v; false when there is no digit */
static bool quantity_number(const char *s, size_t n, size_t *i, double *v)
{
	size_t digits = 0;
	double scale = 1;
	*v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (s[(*i)++] - '0');
		digits++;
	}
	if (*i < n && s[*i] == '.') {
		(*i)++;
		while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
			scale /= 10;
			*v += (s[(*i)++] - '0') * scale;
			digits++;
		}
	}
	return digits > 0;
}

/* e<exponent>: a signed decimal exponent of at most four digits */
static bool quantity_exponent(const char *suf, size_t sn, double *mul)
{
	size_t k = 1;
	bool eneg = false;
	if (k < sn && (suf[k] == '+' || suf[k] == '-'))
		eneg = suf[k++] == '-';
	if (k == sn || sn - k > 4)
		return false;
	int e = 0;
	for (; k < sn; k++) {
		if (suf[k] < '0' || suf[k] > '9')
			return false;
		e = e * 10 + (suf[k] - '0');
	}
	*mul = pow(10.0, eneg ? -e : e);
	return true;
}

/* the multiplier of a suffix: binary-SI, decimal-SI or an exponent */
static bool quantity_suffix(const char *suf, size_t sn, double *mul)
{
	static const char bin[] = "KMGTPE";
	static const char dec[] = "numkMGTPE";
	static const int dec_exp[] = {-9, -6, -3, 3, 6, 9, 12, 15, 18};
	*mul = 1;
	if (sn == 0)
		return true;
	if (sn == 2 && suf[1] == 'i') {
		const char *b = suf[0] ? strchr(bin, suf[0]) : NULL;
		if (!b)
			return false;
		*mul = ldexp(1.0, 10 * (int)(b - bin + 1));
		return true;
	}
	if (sn == 1 && strchr(dec, suf[0])) {
		*mul = pow(10.0, dec_exp[strchr(dec, suf[0]) - dec]);
		return true;
	}
	if (suf[0] == 'e' || suf[0] == 'E')
		return quantity_exponent(suf, sn, mul);
	return false;
}

/* ParseQuantity: <sign><digits>[.<digits>]<suffix>, the suffix one of the
 * binary-SI (Ki..Ei), decimal-SI (n u m "" k M G T P E) or e<exponent>. */
static bool quantity_text(const char *s, size_t n, double *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	double v, mul;
	if (!quantity_number(s, n, &i, &v) || !quantity_suffix(s + i, n - i, &mul))
		return false;
	*out = (neg ? -v : v) * mul;
	return true;
}

bool tc_k8s_quantity(const tc_value *v, double *out)
{
	if (!v)
		return false;
	if (v->kind == TC_INT) {
		*out = (double)v->u.i;
		return true;
	}
	if (v->kind == TC_FLOAT) {
		*out = v->u.f;
		return isfinite(v->u.f);
	}
	return v->kind == TC_STR && quantity_text(v->u.str.ptr, v->u.str.len, out);
}

/* ---- cron (robfig/cron v3, ParseStandard) ---- */

typedef struct cron_field {
	int min, max;
	const char *const *names; /* three-letter names, index + min */
} cron_field;

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                     "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static bool cron_number(const char *s, size_t n, const cron_field *f, int *out)
{
	if (f->names && n == 3) {
		for (int i = 0; f->names[i]; i++) {
			bool eq = true;
			for (int k = 0; k < 3; k++)
				if ((s[k] | 0x20) != f->names[i][k])
					eq = false;
			if (eq) {
				*out = i + f->min;
				return true;
			}
		}
	}
	if (n == 0 || n > 9)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* a|a-b of a field into lo and hi; an error message or NULL */
static const char *cron_bounds(const char *s, size_t rn, const cron_field *f, int *lo, int *hi)
{
	const char *dash = memchr(s, '-', rn);
	size_t an = dash ? (size_t)(dash - s) : rn;
	if (!cron_number(s, an, f, lo))
		return "a field holds something that is not a number or a name";
	if (!dash) {
		*hi = *lo;
		return NULL;
	}
	if (!cron_number(dash + 1, rn - an - 1, f, hi))
		return "a range does not end in a number";
	return NULL;
}

/* one comma-separated part: *|?|a|a-b, then optionally /step */
static const char *cron_range(const char *s, size_t n, const cron_field *f)
{
	const char *slash = memchr(s, '/', n);
	size_t rn = slash ? (size_t)(slash - s) : n;
	int lo = f->min, hi = f->max;
	bool star = rn == 1 && (s[0] == '*' || s[0] == '?');
	const char *err = star ? NULL : cron_bounds(s, rn, f, &lo, &hi);
	if (err)
		return err;
	if (slash) {
		int step;
		if (!cron_number(slash + 1, n - rn - 1, &(cron_field){0, 0, NULL}, &step))
			return "a step is not a number";
		if (step <= 0)
			return "a step must be a positive number";
		if (!star && !memchr(s, '-', rn))
			hi = f->max;
	}
	if (lo < f->min)
		return "a value is below the field's range";
	if (hi > f->max)
		return "a value is beyond the field's range";
	if (lo > hi)
		return "a range begins beyond its end";
	return NULL;
}

/* the length of the longest duration unit at s, or 0 */
static size_t duration_unit(const char *s, size_t n)
{
	static const char *const units[] = {"ns", "us", "µs", "μs", "ms", "s", "m", "h"};
	size_t best = 0;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t ul = strlen(units[u]);
		if (ul <= n && memcmp(s, units[u], ul) == 0 && ul > best)
			best = ul;
	}
	return best;
}

/* <digits>[.<digits>] from i; returns the end, *d the count of digits */
static size_t duration_number(const char *s, size_t n, size_t i, size_t *d)
{
	*d = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, (*d)++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, (*d)++;
	}
	return i;
}

/* Go's time.ParseDuration, for @every: [-+]?(<number><unit>)+ or "0" */
static bool go_duration(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (n - i == 1 && s[i] == '0')
		return true;
	if (i == n)
		return false;
	while (i < n) {
		size_t d, u;
		i = duration_number(s, n, i, &d);
		if (d == 0 || !(u = duration_unit(s + i, n - i)))
			return false;
		i += u;
	}
	return true;
}

static bool cron_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* strings.Fields: the parts of s between white space, at most 6; -1 for more */
static int cron_fields(const char *s, size_t n, const char **part, size_t *plen)
{
	int np = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && cron_space(s[i]))
			i++;
		if (i == n)
			break;
		size_t k = i;
		while (k < n && !cron_space(s[k]))
			k++;
		if (np == 6)
			return -1;
		part[np] = s + i;
		plen[np++] = k - i;
		i = k;
	}
	return np;
}

/* "@yearly" and the other descriptors, or "@every <duration>" on the whole
 * text from t on */
static const char *cron_descriptor(const char *t, size_t tn, bool alone, size_t plen)
{
	static const char *const desc[] = {"@yearly", "@annually", "@monthly", "@weekly",
	                                   "@daily",  "@midnight", "@hourly"};
	for (size_t k = 0; alone && k < sizeof desc / sizeof desc[0]; k++)
		if (strlen(desc[k]) == plen && !memcmp(desc[k], t, plen))
			return NULL;
	while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t' || t[tn - 1] == '\n'))
		tn--;
	if (tn > 7 && memcmp(t, "@every ", 7) == 0)
		return go_duration(t + 7, tn - 7) ? NULL : "'@every' needs a duration";
	return "unrecognized descriptor";
}

/* each comma-separated part of a field */
static const char *cron_field_error(const char *p, size_t pn, const cron_field *f)
{
	for (size_t a = 0; a <= pn;) {
		size_t b = a;
		while (b < pn && p[b] != ',')
			b++;
		const char *err = cron_range(p + a, b - a, f);
		if (err)
			return err;
		a = b + 1;
	}
	return NULL;
}

const char *tc_k8s_cron_error(const char *s, size_t n)
{
	static const cron_field fields[5] = {
		{0, 59, NULL}, {0, 23, NULL}, {1, 31, NULL}, {1, 12, months}, {0, 6, days},
	};
	const char *part[6];
	size_t plen[6];
	int np = cron_fields(s, n, part, plen);
	if (np < 0)
		return "expected exactly 5 fields";
	if (np == 0)
		return "empty spec string";
	if (part[0][0] == '@')
		return cron_descriptor(part[0], (size_t)(s + n - part[0]), np == 1, plen[0]);
	if (np != 5)
		return "expected exactly 5 fields";
	for (size_t f = 0; f < 5; f++) {
		const char *err = cron_field_error(part[f], plen[f], &fields[f]);
		if (err)
			return err;
	}
	return NULL;
}
