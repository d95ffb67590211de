/*
 * cel_k8s.c - the Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library):
 * the table of every function, the environment, and the lists (lists.go),
 * regex (regex.go) and format (format.go) libraries. Quantities are in
 * cel_k8s_quantity.c, IP addresses, CIDRs and URLs in cel_k8s_net.c.
 */
#include "cel_k8s_impl.h"

#include "base64.h"
#include "cel_lib.h"
#include "k8s.h"
#include "schema_format.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- lists (lists.go) ---- */

static bool comparable(const tc_cel_val *v)
{
	switch (v->kind) {
	case TC_CEL_INT:
	case TC_CEL_UINT:
	case TC_CEL_DOUBLE:
	case TC_CEL_BOOL:
	case TC_CEL_DURATION:
	case TC_CEL_TIMESTAMP:
	case TC_CEL_STRING:
	case TC_CEL_BYTES:
		return true;
	default:
		return false;
	}
}

/* list.isSorted(): no element greater than the next */
static TC_CEL_K8S_FN(fn_is_sorted)
{
	if (n != 1 || v[0]->kind != TC_CEL_LIST)
		return NULL;
	size_t len = v[0]->u.list.len;
	tc_cel_val **it = v[0]->u.list.items;
	if (!tc_cel_charge(c, len))
		return tc_cel_error(c->a, "cost budget exceeded");
	for (size_t i = 0; i < len; i++) {
		if (!comparable(it[i]))
			return NULL;
		if (i && tc_cel_compare(it[i - 1], it[i]) == 1)
			return tc_cel_bool(c->a, false);
	}
	return tc_cel_bool(c->a, true);
}

/* list.min(), list.max(): the first element that no other beats */
static tc_cel_val *extreme(tc_cel_ctx *c, tc_cel_val **v, size_t n, int prefer, const char *op)
{
	if (n != 1 || v[0]->kind != TC_CEL_LIST)
		return NULL;
	size_t len = v[0]->u.list.len;
	tc_cel_val **it = v[0]->u.list.items;
	if (!tc_cel_charge(c, len))
		return tc_cel_error(c->a, "cost budget exceeded");
	tc_cel_val *r = NULL;
	for (size_t i = 0; i < len; i++) {
		if (!comparable(it[i]))
			return NULL;
		if (!r || tc_cel_compare(r, it[i]) == prefer)
			r = it[i];
	}
	return r ? r : tc_cel_error(c->a, "%s called on empty list", op);
}

static TC_CEL_K8S_FN(fn_min)
{
	return extreme(c, v, n, 1, "min");
}

static TC_CEL_K8S_FN(fn_max)
{
	return extreme(c, v, n, -1, "max");
}

/* list.sum(): int, uint, double or duration, 0 of int for an empty list
 * (the overload of an untyped list) */
static TC_CEL_K8S_FN(fn_sum)
{
	if (n != 1 || v[0]->kind != TC_CEL_LIST)
		return NULL;
	size_t len = v[0]->u.list.len;
	tc_cel_val **it = v[0]->u.list.items;
	if (!tc_cel_charge(c, len))
		return tc_cel_error(c->a, "cost budget exceeded");
	if (!len)
		return tc_cel_int(c->a, 0);
	tc_cel_kind k = it[0]->kind;
	int64_t si = 0;
	uint64_t su = 0;
	double sd = 0;
	for (size_t i = 0; i < len; i++) {
		if (it[i]->kind != k)
			return NULL;
		switch (k) {
		case TC_CEL_INT:
			if (__builtin_add_overflow(si, it[i]->u.i, &si))
				return tc_cel_error(c->a, "integer overflow");
			break;
		case TC_CEL_DURATION:
			if (__builtin_add_overflow(si, it[i]->u.ns, &si))
				return tc_cel_error(c->a, "integer overflow");
			break;
		case TC_CEL_UINT:
			if (__builtin_add_overflow(su, it[i]->u.u, &su))
				return tc_cel_error(c->a, "integer overflow");
			break;
		case TC_CEL_DOUBLE:
			sd += it[i]->u.d;
			break;
		default:
			return NULL;
		}
	}
	switch (k) {
	case TC_CEL_INT:
		return tc_cel_int(c->a, si);
	case TC_CEL_DURATION:
		return tc_cel_duration(c->a, si);
	case TC_CEL_UINT:
		return tc_cel_uint(c->a, su);
	default:
		return tc_cel_double(c->a, sd);
	}
}

static tc_cel_val *index_of(tc_cel_ctx *c, tc_cel_val **v, size_t n, bool last)
{
	if (n != 2 || v[0]->kind != TC_CEL_LIST)
		return NULL;
	size_t len = v[0]->u.list.len;
	if (!tc_cel_charge(c, len))
		return tc_cel_error(c->a, "cost budget exceeded");
	for (size_t k = 0; k < len; k++) {
		size_t i = last ? len - 1 - k : k;
		if (tc_cel_equal(v[0]->u.list.items[i], v[1]))
			return tc_cel_int(c->a, (int64_t)i);
	}
	return tc_cel_int(c->a, -1);
}

static TC_CEL_K8S_FN(fn_index_of)
{
	return index_of(c, v, n, false);
}

static TC_CEL_K8S_FN(fn_last_index_of)
{
	return index_of(c, v, n, true);
}

/* ---- regex (regex.go) ---- */

/* where the next match is looked for after one at [ms, me): past it, or
 * one UTF-8 character on from an empty one */
static size_t after_match(const char *s, size_t len, size_t ms, size_t me)
{
	if (me > ms)
		return me;
	size_t pos = me + 1;
	while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

typedef struct matches {
	tc_cel_val **items;
	size_t len, cap;
} matches;

static void push_match(tc_arena *a, matches *l, tc_cel_val *x)
{
	if (l->len == l->cap) {
		tc_cel_val **bigger = tc_arena_alloc(a, 2 * l->cap * sizeof *bigger);
		memcpy(bigger, l->items, l->cap * sizeof *l->items);
		l->items = bigger;
		l->cap *= 2;
	}
	l->items[l->len++] = x;
}

/* the matches of code in s, at most limit when limit >= 0, as Go's
 * FindAllString, which steps over an empty match right after the previous
 * one */
static tc_cel_val *find_all(tc_cel_ctx *c, void *code, const char *s, size_t len, int64_t limit)
{
	matches l = {tc_arena_alloc(c->a, 8 * sizeof(tc_cel_val *)), 0, 8};
	size_t pos = 0;
	bool prev_end_set = false;
	size_t prev_end = 0;
	while (pos <= len && (limit < 0 || (int64_t)l.len < limit)) {
		size_t ms, me;
		int m = tc_cel_regex_match(code, s, len, pos, &ms, &me);
		if (m < 0)
			return tc_cel_error(c->a, "regular expression match exceeded its limit");
		if (m == 0)
			break;
		/* an empty match where the last one ended is not one */
		if (me != ms || !prev_end_set || ms != prev_end) {
			push_match(c->a, &l, tc_cel_string(c->a, s + ms, me - ms));
			if (!tc_cel_charge(c, 1))
				return tc_cel_error(c->a, "cost budget exceeded");
		}
		prev_end = me;
		prev_end_set = true;
		pos = after_match(s, len, ms, me);
	}
	return tc_cel_list(c->a, l.items, l.len);
}

/* s.find(re): the first match or ""; s.findAll(re[, limit]): the matches
 * (at most limit when limit >= 0). */
static tc_cel_val *find(tc_cel_ctx *c, tc_cel_val **v, size_t n, bool all)
{
	if (n < 2 || n > (all ? 3u : 2u) || v[0]->kind != TC_CEL_STRING ||
	    v[1]->kind != TC_CEL_STRING || (n == 3 && v[2]->kind != TC_CEL_INT))
		return NULL;
	if (!tc_cel_charge(c, 1 + (v[0]->u.s.len + v[1]->u.s.len) / 16))
		return tc_cel_error(c->a, "cost budget exceeded");
	tc_cel_val *err = NULL;
	void *code = tc_cel_regex_get(c, v[1], &err);
	if (!code)
		return err;
	const char *s = v[0]->u.s.ptr;
	size_t len = v[0]->u.s.len;
	if (all)
		return find_all(c, code, s, len, n == 3 ? v[2]->u.i : -1);
	size_t ms, me;
	int m = tc_cel_regex_match(code, s, len, 0, &ms, &me);
	if (m < 0)
		return tc_cel_error(c->a, "regular expression match exceeded its limit");
	return m ? tc_cel_string(c->a, s + ms, me - ms) : tc_cel_string(c->a, "", 0);
}

static TC_CEL_K8S_FN(fn_find)
{
	return find(c, v, n, false);
}

static TC_CEL_K8S_FN(fn_find_all)
{
	return find(c, v, n, true);
}

/* ---- format (format.go) ---- */

#define FORMAT_TYPE "kubernetes.NamedFormat"

typedef const char *format_check(const char *s, size_t n);

typedef struct named_format {
	const char *name; /* as format.named() takes it */
	format_check *check;
} named_format;

static const char dns_label_msg[] =
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
	"'-', and must start and end with an alphanumeric character";
static const char dns_sub_msg[] =
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	"'-' or '.', and must start and end with an alphanumeric character";
static const char dns1035_msg[] =
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
	"with an alphabetic character, and end with an alphanumeric character";

/* apimachinery NameIsDNSLabel and friends with prefix true: a trailing
 * '-' is allowed (maskTrailingDash) */
static const char *masked(bool (*ok)(const char *, size_t), const char *msg, const char *s,
                          size_t n, bool prefix)
{
	if (prefix && n > 1 && s[n - 1] == '-') {
		char buf[256];
		if (n > sizeof buf)
			return msg;
		memcpy(buf, s, n);
		buf[n - 1] = 'a';
		return ok(buf, n) ? NULL : msg;
	}
	return ok(s, n) ? NULL : msg;
}

static const char *f_label(const char *s, size_t n)
{
	return masked(tc_k8s_is_dns_label, dns_label_msg, s, n, false);
}
static const char *f_label_prefix(const char *s, size_t n)
{
	return masked(tc_k8s_is_dns_label, dns_label_msg, s, n, true);
}
static const char *f_sub(const char *s, size_t n)
{
	return masked(tc_k8s_is_dns_subdomain, dns_sub_msg, s, n, false);
}
static const char *f_sub_prefix(const char *s, size_t n)
{
	return masked(tc_k8s_is_dns_subdomain, dns_sub_msg, s, n, true);
}
static const char *f_1035(const char *s, size_t n)
{
	return masked(tc_k8s_is_dns1035_label, dns1035_msg, s, n, false);
}
static const char *f_1035_prefix(const char *s, size_t n)
{
	return masked(tc_k8s_is_dns1035_label, dns1035_msg, s, n, true);
}
static const char *f_qualified(const char *s, size_t n)
{
	return tc_k8s_is_qualified_name(s, n)
	               ? NULL
	               : "name part must consist of alphanumeric characters, '-', '_' or '.', "
	                 "and must start and end with an alphanumeric character";
}
static const char *f_label_value(const char *s, size_t n)
{
	return tc_k8s_is_label_value(s, n)
	               ? NULL
	               : "a valid label must be an empty string or consist of alphanumeric "
	                 "characters, '-', '_' or '.', and must start and end with an "
	                 "alphanumeric character";
}
static const char *f_uri(const char *s, size_t n)
{
	return tc_cel_k8s_request_uri_error(s, n);
}

static bool hexrun(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* strfmt's UUID: 8-4-4-4-12 hexadecimal digits (either case) */
static const char *f_uuid(const char *s, size_t n)
{
	bool ok = n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
	          hexrun(s, 8) && hexrun(s + 9, 4) && hexrun(s + 14, 4) && hexrun(s + 19, 4) &&
	          hexrun(s + 24, 12);
	return ok ? NULL : "does not match the UUID format";
}

/* strfmt's byte: base64.StdEncoding */
static const char *f_byte(const char *s, size_t n)
{
	unsigned char *buf = malloc(n + 1);
	if (!buf)
		tc_oom();
	size_t len;
	int r = tc_base64_decode(buf, &len, n + 1, s, n, TC_BASE64_PAD | TC_BASE64_SKIP_NL);
	free(buf);
	return r == 0 ? NULL : "invalid base64";
}

static const char *f_date(const char *s, size_t n)
{
	return tc_format_is_date(s, n) ? NULL : "invalid date";
}

static const char *f_datetime(const char *s, size_t n)
{
	return tc_schema_format_check(TC_FMT_DATE_TIME, s, n) ? NULL : "invalid datetime";
}

/* ConstantFormats, sorted by name */
static const named_format formats[] = {
	{"byte", f_byte},
	{"date", f_date},
	{"datetime", f_datetime},
	{"dns1035Label", f_1035},
	{"dns1035LabelPrefix", f_1035_prefix},
	{"dns1123Label", f_label},
	{"dns1123LabelPrefix", f_label_prefix},
	{"dns1123Subdomain", f_sub},
	{"dns1123SubdomainPrefix", f_sub_prefix},
	{"labelValue", f_label_value},
	{"qualifiedName", f_qualified},
	{"uri", f_uri},
	{"uuid", f_uuid},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static tc_cel_val *format_val(tc_cel_ctx *c, const named_format *f)
{
	return tc_cel_opaque(c->a, FORMAT_TYPE, f->name, strlen(f->name), f);
}

static const named_format *format_named(const char *s)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(formats[i].name, s) == 0)
			return &formats[i];
	return NULL;
}

#define FORMAT_FN(fname, key)                                                                      \
	static TC_CEL_K8S_FN(fname)                                                                \
	{                                                                                          \
		(void)v;                                                                           \
		return n == 0 ? format_val(c, format_named(key)) : NULL;                           \
	}
FORMAT_FN(fn_f_byte, "byte")
FORMAT_FN(fn_f_date, "date")
FORMAT_FN(fn_f_datetime, "datetime")
FORMAT_FN(fn_f_1035, "dns1035Label")
FORMAT_FN(fn_f_1035p, "dns1035LabelPrefix")
FORMAT_FN(fn_f_label, "dns1123Label")
FORMAT_FN(fn_f_labelp, "dns1123LabelPrefix")
FORMAT_FN(fn_f_sub, "dns1123Subdomain")
FORMAT_FN(fn_f_subp, "dns1123SubdomainPrefix")
FORMAT_FN(fn_f_lv, "labelValue")
FORMAT_FN(fn_f_qn, "qualifiedName")
FORMAT_FN(fn_f_uri, "uri")
FORMAT_FN(fn_f_uuid, "uuid")

/* format.named(name): optional of the format, none for an unknown name */
static TC_CEL_K8S_FN(fn_format_named)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	const named_format *f = format_named(v[0]->u.s.ptr);
	return tc_cel_optional(c->a, f ? format_val(c, f) : NULL);
}

/* f.validate(s): optional.none() when valid, else optional of the list of
 * what is wrong */
static TC_CEL_K8S_FN(fn_validate)
{
	if (n != 2 || v[0]->kind != TC_CEL_OPAQUE || strcmp(v[0]->u.o.type, FORMAT_TYPE) != 0 ||
	    v[1]->kind != TC_CEL_STRING)
		return NULL;
	if (!tc_cel_charge(c, 1 + v[1]->u.s.len / 16))
		return tc_cel_error(c->a, "cost budget exceeded");
	const named_format *f = v[0]->u.o.data;
	const char *why = f->check(v[1]->u.s.ptr, v[1]->u.s.len);
	if (!why)
		return tc_cel_optional(c->a, NULL);
	tc_cel_val *msg = tc_cel_string(c->a, why, strlen(why));
	return tc_cel_optional(c->a, tc_cel_list(c->a, &msg, 1));
}

/* ---- the table ---- */

/* sorted by name (strcmp): the evaluator bisects; a unit test checks */
const tc_cel_func tc_cel_k8slib[] = {
	{"add", tc_cel_k8s_q_add, true, false},
	{"asApproximateFloat", tc_cel_k8s_q_float, true, false},
	{"asInteger", tc_cel_k8s_q_as_int, true, false},
	{"cidr", tc_cel_k8s_cidr, false, true},
	{"compareTo", tc_cel_k8s_q_compare, true, false},
	{"containsCIDR", tc_cel_k8s_contains_cidr, true, false},
	{"containsIP", tc_cel_k8s_contains_ip, true, false},
	{"family", tc_cel_k8s_family, true, false},
	{"find", fn_find, true, false},
	{"findAll", fn_find_all, true, false},
	{"format.byte", fn_f_byte, false, true},
	{"format.date", fn_f_date, false, true},
	{"format.datetime", fn_f_datetime, false, true},
	{"format.dns1035Label", fn_f_1035, false, true},
	{"format.dns1035LabelPrefix", fn_f_1035p, false, true},
	{"format.dns1123Label", fn_f_label, false, true},
	{"format.dns1123LabelPrefix", fn_f_labelp, false, true},
	{"format.dns1123Subdomain", fn_f_sub, false, true},
	{"format.dns1123SubdomainPrefix", fn_f_subp, false, true},
	{"format.labelValue", fn_f_lv, false, true},
	{"format.named", fn_format_named, false, true},
	{"format.qualifiedName", fn_f_qn, false, true},
	{"format.uri", fn_f_uri, false, true},
	{"format.uuid", fn_f_uuid, false, true},
	{"getEscapedPath", tc_cel_k8s_get_escaped_path, true, false},
	{"getHost", tc_cel_k8s_get_host, true, false},
	{"getHostname", tc_cel_k8s_get_hostname, true, false},
	{"getPort", tc_cel_k8s_get_port, true, false},
	{"getQuery", tc_cel_k8s_get_query, true, false},
	{"getScheme", tc_cel_k8s_get_scheme, true, false},
	{"indexOf", fn_index_of, true, false},
	{"ip", tc_cel_k8s_ip, true, true},
	{"ip.isCanonical", tc_cel_k8s_ip_is_canonical, false, true},
	{"isCIDR", tc_cel_k8s_is_cidr, false, true},
	{"isGlobalUnicast", tc_cel_k8s_is_global_unicast, true, false},
	{"isGreaterThan", tc_cel_k8s_q_is_greater, true, false},
	{"isIP", tc_cel_k8s_is_ip, false, true},
	{"isInteger", tc_cel_k8s_q_is_int, true, false},
	{"isLessThan", tc_cel_k8s_q_is_less, true, false},
	{"isLinkLocalMulticast", tc_cel_k8s_is_ll_multicast, true, false},
	{"isLinkLocalUnicast", tc_cel_k8s_is_ll_unicast, true, false},
	{"isLoopback", tc_cel_k8s_is_loopback, true, false},
	{"isQuantity", tc_cel_k8s_is_quantity, false, true},
	{"isSorted", fn_is_sorted, true, false},
	{"isURL", tc_cel_k8s_is_url, false, true},
	{"isUnspecified", tc_cel_k8s_is_unspecified, true, false},
	{"lastIndexOf", fn_last_index_of, true, false},
	{"masked", tc_cel_k8s_masked, true, false},
	{"max", fn_max, true, false},
	{"min", fn_min, true, false},
	{"prefixLength", tc_cel_k8s_prefix_length, true, false},
	{"quantity", tc_cel_k8s_quantity, false, true},
	{"sign", tc_cel_k8s_q_sign, true, false},
	{"string", tc_cel_k8s_net_string, false, true},
	{"sub", tc_cel_k8s_q_sub, true, false},
	{"sum", fn_sum, true, false},
	{"url", tc_cel_k8s_url, false, true},
	{"validate", fn_validate, true, false},
};
const size_t tc_cel_nk8slib = sizeof tc_cel_k8slib / sizeof tc_cel_k8slib[0];

/* ---- the environment ---- */

#define MAX_TABLES 8

static const tc_cel_func *k8s_tables[MAX_TABLES];
static size_t k8s_sizes[MAX_TABLES];
static size_t k8s_nt;
static pthread_once_t k8s_once = PTHREAD_ONCE_INIT;

/* the tables of the base environment, then this library: built once */
static void k8s_tables_init(void)
{
	tc_cel_env base;
	tc_cel_env_init(&base, NULL, 0);
	for (size_t t = 0; t < base.nt && k8s_nt + 1 < MAX_TABLES; t++) {
		k8s_tables[k8s_nt] = base.tables[t];
		k8s_sizes[k8s_nt++] = base.ntables[t];
	}
	k8s_tables[k8s_nt] = tc_cel_k8slib;
	k8s_sizes[k8s_nt++] = tc_cel_nk8slib;
}

void tc_cel_k8s_env_init(tc_cel_env *env, const tc_cel_var *vars, size_t nvars)
{
	pthread_once(&k8s_once, k8s_tables_init);
	tc_cel_env_init(env, vars, nvars);
	env->tables = k8s_tables;
	env->ntables = k8s_sizes;
	env->nt = k8s_nt;
}
