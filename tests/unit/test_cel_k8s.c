/*
 * test_cel_k8s.c - the Kubernetes CEL libraries. Each test names the
 * library of k8s.io/apiserver/pkg/cel/library (v0.34) whose functions it
 * follows; quantities follow k8s.io/apimachinery/pkg/api/resource
 * ParseQuantity, addresses Go's net/netip, URLs Go's net/url.
 */
#include "cel_k8s.h"
#include "cel_k8s_crd.h"
#include "cel_k8s_vap.h"
#include "json_load.h"
#include "cel_lib.h"
#include "tc_test.h"

/* the plain JSON of src's value, or "error: MSG" */
static const char *run(const char *src)
{
	static char out[4096];
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_cel_expr *e;
	if (tc_cel_parse(&e, &a, &d, "<expr>", src, strlen(src)) != 0) {
		snprintf(out, sizeof out, "syntax: %s", d.items[0].msg);
	} else {
		tc_cel_env env;
		tc_cel_k8s_env_init(&env, NULL, 0);
		tc_cel_val *v;
		(void)tc_cel_eval(&v, &a, &env, e, NULL);
		if (v->kind == TC_CEL_ERROR) {
			snprintf(out, sizeof out, "error: %s", v->u.err.ptr);
		} else {
			tc_buf b;
			tc_buf_init(&b, sizeof out - 1);
			tc_cel_to_json(&b, v, false);
			snprintf(out, sizeof out, "%s", tc_buf_str(&b));
			tc_buf_release(&b);
		}
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return out;
}

TEST(k8s_table_is_sorted_for_bisection)
{
	for (size_t i = 1; i < tc_cel_nk8slib; i++)
		CHECK(strcmp(tc_cel_k8slib[i - 1].name, tc_cel_k8slib[i].name) < 0);
}

/* lists.go: isSorted, sum, min, max, indexOf, lastIndexOf */
TEST(k8s_lists_library)
{
	CHECK_STR(run("[1, 2, 2, 3].isSorted()"), "true");
	CHECK_STR(run("['b', 'a'].isSorted()"), "false");
	CHECK_STR(run("[].isSorted()"), "true");
	CHECK_STR(run("[1, 2, 3].sum()"), "6");
	CHECK_STR(run("[1.5, 2.5].sum()"), "4.0");
	CHECK_STR(run("[1u, 2u].sum()"), "3");
	CHECK_STR(run("[duration('1s'), duration('2s')].sum()"), "\"3s\"");
	CHECK_STR(run("[].sum()"), "0");
	CHECK_STR(run("[9223372036854775807, 1].sum()"), "error: integer overflow");
	CHECK_STR(run("[3, 1, 2].min()"), "1");
	CHECK_STR(run("[3, 1, 2].max()"), "3");
	CHECK_STR(run("['b', 'c', 'a'].max()"), "\"c\"");
	CHECK_STR(run("[].min()"), "error: min called on empty list");
	CHECK_STR(run("[[1]].max()"), "error: no such overload: max");
	CHECK_STR(run("[1, 2, 1].indexOf(1)"), "0");
	CHECK_STR(run("[1, 2, 1].lastIndexOf(1)"), "2");
	CHECK_STR(run("['a'].indexOf('z')"), "-1");
	CHECK_STR(run("[1, 2].indexOf(2.0)"), "1");
}

/* regex.go: find, findAll (Go's regexp FindString, FindAllString) */
TEST(k8s_regex_library)
{
	CHECK_STR(run("'abc 123'.find('[0-9]+')"), "\"123\"");
	CHECK_STR(run("'abc'.find('[0-9]+')"), "\"\"");
	CHECK_STR(run("'123 abc 456'.findAll('[0-9]+')"), "[\"123\",\"456\"]");
	CHECK_STR(run("'123 abc 456'.findAll('[0-9]+', 1)"), "[\"123\"]");
	CHECK_STR(run("'abc'.findAll('x*')"), "[\"\",\"\",\"\",\"\"]");
	CHECK_STR(run("'abc'.findAll('(?=a)')"),
	          "error: invalid regular expression: lookaround is not supported");
}

/* urls.go over net/url ParseRequestURI and Parse */
TEST(k8s_url_library)
{
	CHECK_STR(run("url('https://example.com:80/path?query=val#fragment').getScheme()"),
	          "\"https\"");
	CHECK_STR(run("url('https://example.com:80/path').getHost()"), "\"example.com:80\"");
	CHECK_STR(run("url('https://example.com:80/path').getHostname()"), "\"example.com\"");
	CHECK_STR(run("url('https://[::1]:80/path').getHostname()"), "\"::1\"");
	CHECK_STR(run("url('https://[::1]:80/path').getHost()"), "\"[::1]:80\"");
	CHECK_STR(run("url('https://example.com:80/path').getPort()"), "\"80\"");
	CHECK_STR(run("url('https://example.com/path').getPort()"), "\"\"");
	CHECK_STR(run("url('https://example.com/path with spaces/').getEscapedPath()"),
	          "\"/path%20with%20spaces/\"");
	CHECK_STR(run("url('https://example.com/a%2Fb').getEscapedPath()"), "\"/a%2Fb\"");
	CHECK_STR(run("url('https://example.com/?k=a&k=b&j=c+d').getQuery()"),
	          "{\"k\":[\"a\",\"b\"],\"j\":[\"c d\"]}");
	CHECK_STR(run("url('/absolute-path').getScheme()"), "\"\"");
	CHECK_STR(run("isURL('https://user:pass@example.com:80/path?query=val#fragment')"), "true");
	CHECK_STR(run("isURL('example.com')"), "false");
	CHECK_STR(run("isURL('')"), "false");
	CHECK_STR(run("isURL('https://exa mple.com/')"), "false");
	CHECK_STR(run("isURL('https://example.com:8x/')"), "false");
	CHECK_STR(run("isURL('https://example.com/%zz')"), "false");
	CHECK_STR(run("url('ex') == url('ex')"),
	          "error: URL parse error during conversion from string: invalid URI for "
	          "request");
	CHECK_STR(run("url('https://a/b') == url('HTTPS://a/b')"), "true");
}

/* ip.go over netip.ParseAddr (zones and IPv4-mapped IPv6 refused) */
TEST(k8s_ip_library)
{
	CHECK_STR(run("isIP('1.2.3.4')"), "true");
	CHECK_STR(run("isIP('01.2.3.4')"), "false");
	CHECK_STR(run("isIP('1.2.3')"), "false");
	CHECK_STR(run("isIP('256.0.0.1')"), "false");
	CHECK_STR(run("isIP('fe80::1%eth0')"), "false");
	CHECK_STR(run("isIP('::ffff:1.2.3.4')"), "false");
	CHECK_STR(run("isIP('2001:db8::1.2.3.4')"), "true");
	CHECK_STR(run("isIP('1::2::3')"), "false");
	CHECK_STR(run("isIP('1:2:3:4:5:6:7:8')"), "true");
	CHECK_STR(run("isIP('1:2:3:4:5:6:7:8:9')"), "false");
	CHECK_STR(run("isIP('1:2:3:4:5:6:7::8')"), "false");
	/* netip.ParseAddr: "::" must stand for at least one zero group, so
	 * none may follow eight groups ("trailing garbage after address") */
	CHECK_STR(run("isIP('1:2:3:4:5:6:7:8::')"), "false");
	CHECK_STR(run("isIP('1:2:3:4:5:6:7::')"), "true");
	CHECK_STR(run("ip('1.2.3.4').family()"), "4");
	CHECK_STR(run("ip('::1').family()"), "6");
	CHECK_STR(run("string(ip('2001:DB8:0:0:0:0:0:1'))"), "\"2001:db8::1\"");
	CHECK_STR(run("string(ip('2001:db8:0:1:0:0:0:1'))"), "\"2001:db8:0:1::1\"");
	CHECK_STR(run("string(ip('1:0:2:3:4:5:6:7'))"), "\"1:0:2:3:4:5:6:7\"");
	CHECK_STR(run("ip('127.0.0.1') == ip('127.0.0.1')"), "true");
	CHECK_STR(run("ip('::1') == ip('0:0::1')"), "true");
	CHECK_STR(run("ip.isCanonical('2001:db8::1')"), "true");
	CHECK_STR(run("ip.isCanonical('2001:DB8::1')"), "false");
	CHECK_STR(run("ip('127.0.0.1').isLoopback()"), "true");
	CHECK_STR(run("ip('0.0.0.0').isUnspecified()"), "true");
	CHECK_STR(run("ip('::').isUnspecified()"), "true");
	CHECK_STR(run("ip('224.0.0.1').isLinkLocalMulticast()"), "true");
	CHECK_STR(run("ip('ff02::1').isLinkLocalMulticast()"), "true");
	CHECK_STR(run("ip('169.254.1.1').isLinkLocalUnicast()"), "true");
	CHECK_STR(run("ip('fe80::1').isLinkLocalUnicast()"), "true");
	CHECK_STR(run("ip('192.168.0.1').isGlobalUnicast()"), "true");
	CHECK_STR(run("ip('255.255.255.255').isGlobalUnicast()"), "false");
	CHECK_STR(run("ip('ff00::1').isGlobalUnicast()"), "false");
	CHECK_STR(run("ip('1.2.3') == ip('1.2.3')"), "error: IP Address '1.2.3' parse error");
}

/* cidr.go over netip.ParsePrefix */
TEST(k8s_cidr_library)
{
	CHECK_STR(run("isCIDR('10.0.0.0/8')"), "true");
	CHECK_STR(run("isCIDR('10.0.0.0/33')"), "false");
	CHECK_STR(run("isCIDR('10.0.0.0/08')"), "false");
	CHECK_STR(run("isCIDR('10.0.0.0')"), "false");
	CHECK_STR(run("isCIDR('::ffff:1.2.3.4/96')"), "false");
	CHECK_STR(run("cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))"), "true");
	CHECK_STR(run("cidr('10.0.0.0/8').containsIP('11.1.2.3')"), "false");
	CHECK_STR(run("cidr('::/0').containsIP('1.2.3.4')"), "false");
	CHECK_STR(run("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')"), "true");
	CHECK_STR(run("cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')"), "false");
	CHECK_STR(run("cidr('10.0.0.0/8').containsCIDR(cidr('11.0.0.0/16'))"), "false");
	CHECK_STR(run("cidr('10.1.2.3/8').ip()"), "\"10.1.2.3\"");
	CHECK_STR(run("string(cidr('10.1.2.3/8').masked())"), "\"10.0.0.0/8\"");
	CHECK_STR(run("string(cidr('2001:db8::ff/120').masked())"), "\"2001:db8::/120\"");
	CHECK_STR(run("cidr('2001:db8::/32').prefixLength()"), "32");
	CHECK_STR(run("cidr('10.0.0.0/8') == cidr('10.0.0.0/8')"), "true");
	CHECK_STR(run("cidr('10.0.0.1/8') == cidr('10.0.0.0/8')"), "false");
}

/* quantity.go over resource.ParseQuantity */
TEST(k8s_quantity_library)
{
	CHECK_STR(run("isQuantity('1.5Gi')"), "true");
	CHECK_STR(run("isQuantity('100m')"), "true");
	CHECK_STR(run("isQuantity('1e3')"), "true");
	CHECK_STR(run("isQuantity('1K')"), "false");
	CHECK_STR(run("isQuantity('')"), "false");
	CHECK_STR(run("isQuantity('1 Gi')"), "false");
	CHECK_STR(run("isQuantity('abc')"), "false");
	CHECK_STR(run("quantity('1') == quantity('1000m')"), "true");
	CHECK_STR(run("quantity('1Ki') == quantity('1024')"), "true");
	CHECK_STR(run("quantity('1Ki').asInteger()"), "1024");
	CHECK_STR(run("quantity('1.5Gi').asInteger()"), "1610612736");
	CHECK_STR(run("quantity('100m').isInteger()"), "false");
	CHECK_STR(run("quantity('100m').asInteger()"), "error: cannot convert value to integer");
	CHECK_STR(run("quantity('9223372036854775808').isInteger()"), "false");
	CHECK_STR(run("quantity('50k').asApproximateFloat()"), "50000.0");
	CHECK_STR(run("quantity('-1').sign()"), "-1");
	CHECK_STR(run("quantity('0').sign()"), "0");
	CHECK_STR(run("quantity('2').isGreaterThan(quantity('1500m'))"), "true");
	CHECK_STR(run("quantity('2').isLessThan(quantity('2Ki'))"), "true");
	CHECK_STR(run("quantity('1M').compareTo(quantity('1Mi'))"), "-1");
	CHECK_STR(run("quantity('1M').compareTo(quantity('1e6'))"), "0");
	CHECK_STR(run("quantity('50M').add(quantity('20M')) == quantity('70M')"), "true");
	CHECK_STR(run("quantity('50M').add(20) == quantity('50000020')"), "true");
	CHECK_STR(run("quantity('50M').sub(quantity('20M')) == quantity('30M')"), "true");
	CHECK_STR(run("quantity('1').sub(2).sign()"), "-1");
	CHECK_STR(run("quantity('100m').add(quantity('900m')).isInteger()"), "true");
	/* ParseQuantity rounds up to nano precision */
	CHECK_STR(run("quantity('0.0000000001') == quantity('1n')"), "true");
}

/* format.go: the named formats and validate */
TEST(k8s_format_library)
{
	CHECK_STR(run("format.dns1123Label().validate('my-name')"), "null");
	CHECK_STR(run("format.dns1123Label().validate('My-Name').hasValue()"), "true");
	CHECK_STR(run("format.dns1123LabelPrefix().validate('my-name-')"), "null");
	CHECK_STR(run("format.dns1123Label().validate('my-name-').hasValue()"), "true");
	CHECK_STR(run("format.dns1123Subdomain().validate('a.b.c')"), "null");
	CHECK_STR(run("format.dns1035Label().validate('1abc').hasValue()"), "true");
	CHECK_STR(run("format.qualifiedName().validate('example.com/name')"), "null");
	CHECK_STR(run("format.labelValue().validate('')"), "null");
	CHECK_STR(run("format.uri().validate('https://example.com')"), "null");
	CHECK_STR(run("format.uri().validate('example.com').hasValue()"), "true");
	CHECK_STR(run("format.uuid().validate('123e4567-e89b-12d3-a456-426614174000')"), "null");
	CHECK_STR(run("format.uuid().validate('123e4567').hasValue()"), "true");
	CHECK_STR(run("format.byte().validate('aGVsbG8=')"), "null");
	CHECK_STR(run("format.byte().validate('aGVsbG8').hasValue()"), "true");
	CHECK_STR(run("format.date().validate('2024-02-30').hasValue()"), "true");
	CHECK_STR(run("format.datetime().validate('2024-02-03T04:05:06Z')"), "null");
	CHECK_STR(run("format.named('dns1123Label').hasValue()"), "true");
	CHECK_STR(run("format.named('nope').hasValue()"), "false");
	CHECK_STR(run("format.named('labelValue').value().validate('a b').hasValue()"), "true");
}

/* a name shared by two tables: the strings' overloads stay reachable */
TEST(k8s_tables_share_names_with_the_standard_library)
{
	CHECK_STR(run("string(1)"), "\"1\"");
	CHECK_STR(run("string(ip('1.2.3.4'))"), "\"1.2.3.4\"");
	CHECK_STR(run("'abc'.matches('b')"), "true");
}

/* the first error compiling a rule list (JSON text), or "" */
static const char *rules_error(const char *json)
{
	static char out[512];
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *doc;
	if (tc_json_load(&doc, &a, &d, "crd.json", json, strlen(json)) != 0)
		abort();
	const tc_cel_rules *r;
	int n = tc_cel_rules_compile(&r, &a, doc, &d);
	snprintf(out, sizeof out, "%s", n && d.len ? d.items[0].msg : "");
	if (n && d.len)
		snprintf(out, sizeof out, "%u:%u: %s", d.items[0].line, d.items[0].col,
		         d.items[0].msg);
	tc_diags_release(&d);
	tc_arena_release(&a);
	return out;
}

/* apiextensions ValidationRule: rule required, reason one of the four
 * FieldValue* types, fieldPath a path (validateFieldPath) */
TEST(k8s_crd_rules_refuse_what_the_api_server_refuses)
{
	CHECK_STR(rules_error("[{\"rule\": \"self.a > 0\", \"reason\": \"FieldValueForbidden\", "
	                      "\"fieldPath\": \".a['b']\"}]"),
	          "");
	CHECK_STR(rules_error("{\"rule\": \"true\"}"),
	          "1:1: 'x-kubernetes-validations' must be a list");
	CHECK_STR(rules_error("[{\"message\": \"m\"}]"),
	          "1:2: an x-kubernetes-validations entry needs a 'rule' string");
	CHECK_STR(rules_error("[{\"rule\": \"self.a >\"}]"),
	          "1:11: x-kubernetes-validations rule does not compile: column 9: syntax error: "
	          "unexpected end of expression");
	CHECK_STR(rules_error("[{\"rule\": \"true\", \"messageExpression\": \"'a' +\"}]"),
	          "1:40: x-kubernetes-validations messageExpression does not compile: column 6: "
	          "syntax error: unexpected end of expression");
	CHECK_STR(rules_error("[{\"rule\": \"true\", \"reason\": \"Bad\"}]"),
	          "1:29: x-kubernetes-validations reason must be one of FieldValueRequired, "
	          "FieldValueForbidden, FieldValueInvalid, FieldValueDuplicate");
	CHECK_STR(rules_error("[{\"rule\": \"true\", \"fieldPath\": \"a.b\"}]"),
	          "1:32: x-kubernetes-validations fieldPath is not a valid path (.name and "
	          "['name'] steps)");
}

/* the first error of tc_cel_crd_costs on an openAPIV3Schema (JSON text), or "" */
static const char *cost_error(const char *json)
{
	static char out[512];
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *doc;
	if (tc_json_load(&doc, &a, &d, "crd.json", json, strlen(json)) != 0)
		abort();
	int n = tc_cel_crd_costs(&a, doc, NULL, &d);
	out[0] = 0;
	for (size_t i = 0; n && i < d.len; i++)
		if (d.items[i].sev == TC_SEV_ERROR) {
			snprintf(out, sizeof out, "%s", d.items[i].msg);
			break;
		}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return out;
}

/* apiextensions validation.go: a rule's estimated cost (cel-go's
 * estimator with k8s.io/apiserver pkg/cel/common SchemaDeclType sizes)
 * times the times it can run, against StaticEstimatedCostLimit; the
 * factors are kube-apiserver 1.34.4's for the same schemas */
TEST(k8s_crd_rules_refused_for_their_estimated_cost)
{
#define LIST(max, len, rule)                                                                       \
	"{\"type\": \"object\", \"properties\": {\"l\": {\"type\": \"array\", \"maxItems\": " max  \
	", \"items\": {\"type\": \"string\", \"maxLength\": " len "}, "                            \
	"\"x-kubernetes-validations\": [{\"rule\": \"" rule "\"}]}}}"
	/* 1000 x (1 + 1 + ceil(120000 * 0.1) * 1 + 3), plus the range */
	CHECK_STR(cost_error(LIST("1000", "30000", "self.all(n, n.contains('x'))")),
	          "estimated rule cost exceeds budget by factor of 1.200400x (try simplifying the "
	          "rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and "
	          "strings are declared)");
	CHECK_STR(cost_error(LIST("100", "30000", "self.all(n, n.contains('x'))")), "");
	/* startsWith charges its prefix, not the string */
	CHECK_STR(cost_error("{\"type\": \"object\", \"properties\": {\"l\": {\"type\": "
	                     "\"array\", \"items\": {\"type\": \"string\"}, "
	                     "\"x-kubernetes-validations\": [{\"rule\": "
	                     "\"self.all(n, n.startsWith('a'))\"}]}}}"),
	          "");
	/* a rule below a list without maxItems runs as often as the request allows */
	CHECK_STR(cost_error("{\"type\": \"object\", \"properties\": {\"l\": {\"type\": "
	                     "\"array\", \"items\": {\"type\": \"object\", \"properties\": "
	                     "{\"h\": {\"type\": \"string\"}}, \"x-kubernetes-validations\": "
	                     "[{\"rule\": \"self.h.matches('^[a-z.]+$')\"}]}}}}"),
	          "estimated rule cost exceeds budget by factor of more than 100x (try simplifying "
	          "the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, "
	          "and strings are declared)");
#undef LIST
}

/* k8s.io/apiserver/pkg/cel escaping.go: the property names rules spell */
TEST(k8s_crd_property_names_are_escaped)
{
	tc_arena a;
	tc_arena_init(&a);
	static const char *const cases[][2] = {
		{"foo-bar", "foo__dash__bar"},
		{"a.b", "a__dot__b"},
		{"x/y", "x__slash__y"},
		{"namespace", "__namespace__"},
		{"if", "__if__"},
		{"a__b", "a__underscores__b"},
		{"plain_name", "plain_name"},
		{"1st", NULL},
		{"a b", NULL},
		{"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *r = tc_cel_k8s_escape(&a, cases[i][0], strlen(cases[i][0]));
		CHECK_STR(r ? r : "(none)", cases[i][1] ? cases[i][1] : "(none)");
	}
	tc_arena_release(&a);
}

/* resourceRules name resources by plural: the names the API server serves
 * the built-in kinds under (kubectl api-resources) */
TEST(k8s_vap_resource_plurals)
{
	static const char *const cases[][2] = {
		{"Deployment", "deployments"},
		{"NetworkPolicy", "networkpolicies"},
		{"Ingress", "ingresses"},
		{"Endpoints", "endpoints"},
		{"StatefulSet", "statefulsets"},
		{"ConfigMap", "configmaps"},
		{"PodSecurityPolicy", "podsecuritypolicies"},
		{"ValidatingAdmissionPolicy", "validatingadmissionpolicies"},
		{"Gateway", "gateways"},
		{"StorageClass", "storageclasses"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		tc_vap_resource_of(cases[i][0], out, sizeof out);
		CHECK_STR(out, cases[i][1]);
	}
}

int main(void)
{
	return RUN(k8s_table_is_sorted_for_bisection, k8s_lists_library, k8s_regex_library,
	           k8s_url_library, k8s_ip_library, k8s_cidr_library, k8s_quantity_library,
	           k8s_format_library, k8s_tables_share_names_with_the_standard_library,
	           k8s_crd_rules_refuse_what_the_api_server_refuses,
	           k8s_crd_rules_refused_for_their_estimated_cost,
	           k8s_crd_property_names_are_escaped, k8s_vap_resource_plurals);
}
