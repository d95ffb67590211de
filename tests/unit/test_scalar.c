/*
 * test_scalar.c - unit tests for scalar.c: core schema resolution, UTF-8
 * checks, shortest doubles and the quoting rule.
 */
#include "scalar.h"

#include <math.h>
#include <stdlib.h>

#include "tc_test.h"

static tc_kind resolve(const char *s)
{
	tc_scalar r;
	if (tc_scalar_resolve(&r, s, strlen(s)) < 0)
		return (tc_kind)-1;
	return r.kind;
}

TEST(scalar_resolve_follows_the_yaml_1_2_core_schema)
{
	static const struct {
		const char *s;
		tc_kind k;
	} cases[] = {
		{"", TC_NULL},     {"~", TC_NULL},      {"null", TC_NULL},      {"NULL", TC_NULL},
		{"nULL", TC_STR},  {"true", TC_BOOL},   {"False", TC_BOOL},     {"tRUE", TC_STR},
		{"yes", TC_STR},   {"no", TC_STR},      {"on", TC_STR},         {"off", TC_STR},
		{"y", TC_STR},     {"0", TC_INT},       {"-0", TC_INT},         {"+12", TC_INT},
		{"0o17", TC_INT},  {"0x1F", TC_INT},    {"0x", TC_STR},         {"0o8", TC_STR},
		{"0755", TC_STR},  {"-01", TC_STR},     {"00", TC_STR},         {"1_000", TC_STR},
		{"1:20", TC_STR},  {"1.5", TC_FLOAT},   {".5", TC_FLOAT},       {"1.", TC_FLOAT},
		{"1e3", TC_FLOAT}, {"-1E-3", TC_FLOAT}, {"01.5", TC_FLOAT},     {".", TC_STR},
		{"1e", TC_STR},    {".inf", TC_FLOAT},  {"-.Inf", TC_FLOAT},    {".NaN", TC_FLOAT},
		{"-.nan", TC_STR}, {"inf", TC_STR},     {"2001-12-14", TC_STR}, {"0b101", TC_STR},
		{"+", TC_STR},     {"-", TC_STR},       {"1 2", TC_STR},        {"0x1g", TC_STR},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (resolve(cases[i].s) != cases[i].k)
			fprintf(stderr, "case '%s'\n", cases[i].s);
		CHECK(resolve(cases[i].s) == cases[i].k);
	}
}

TEST(scalar_resolve_computes_values_and_detects_overflow)
{
	tc_scalar r;
	CHECK(tc_scalar_resolve(&r, "9223372036854775807", 19) == 0 && r.i == INT64_MAX);
	CHECK(tc_scalar_resolve(&r, "-9223372036854775808", 20) == 0 && r.i == INT64_MIN);
	CHECK(tc_scalar_resolve(&r, "9223372036854775808", 19) < 0 && r.kind == TC_INT);
	CHECK(tc_scalar_resolve(&r, "0x7fffffffffffffff", 18) == 0 && r.i == INT64_MAX);
	CHECK(tc_scalar_resolve(&r, "0x8000000000000000", 18) < 0);
	CHECK(tc_scalar_resolve(&r, "0o777", 5) == 0 && r.i == 511);
	CHECK(tc_scalar_resolve(&r, "1e999", 5) < 0 && r.kind == TC_FLOAT);
	CHECK(tc_scalar_resolve(&r, "1e-999", 6) == 0 && r.f == 0.0);
	CHECK(tc_scalar_resolve(&r, "-.inf", 5) == 0 && isinf(r.f) && r.f < 0);
	CHECK(tc_scalar_resolve(&r, "0.1", 3) == 0 && r.f == 0.1);
}

TEST(scalar_parse_accepts_only_its_kind)
{
	int64_t i;
	double f;
	bool b;
	CHECK(tc_scalar_parse_int(&i, "12", 2) == 0 && i == 12);
	CHECK(tc_scalar_parse_int(&i, "1.0", 3) < 0);
	CHECK(tc_scalar_parse_float(&f, "7", 1) == 0 && f == 7.0);
	CHECK(tc_scalar_parse_float(&f, "0x10", 4) == 0 && f == 16.0);
	CHECK(tc_scalar_parse_float(&f, "abc", 3) < 0);
	CHECK(tc_scalar_parse_bool(&b, "TRUE", 4) == 0 && b);
	CHECK(tc_scalar_parse_bool(&b, "yes", 3) < 0);
	CHECK(tc_scalar_parse_null("", 0) == 0 && tc_scalar_parse_null("nil", 3) < 0);
}

TEST(scalar_utf8_check_finds_the_first_bad_byte)
{
	CHECK(tc_scalar_utf8_check("abc", 3) == 3);
	CHECK(tc_scalar_utf8_check("a\xc3\xa9", 3) == 3);
	CHECK(tc_scalar_utf8_check("a\xc3", 2) == 1);             /* truncated */
	CHECK(tc_scalar_utf8_check("ab\xc0\xaf", 4) == 2);        /* overlong */
	CHECK(tc_scalar_utf8_check("\xed\xa0\x80", 3) == 0);      /* surrogate */
	CHECK(tc_scalar_utf8_check("\xf4\x90\x80\x80", 4) == 0);  /* > U+10FFFF */
	CHECK(tc_scalar_utf8_check("\xf0\x9f\x98\x80!", 5) == 5); /* emoji */
	CHECK(tc_scalar_utf8_check("x\xff", 2) == 1);
	CHECK(tc_scalar_utf8_check("a\0b", 3) == 3);
}

TEST(scalar_format_double_gives_the_shortest_round_trip_with_a_dot)
{
	static const struct {
		double f;
		const char *s;
	} cases[] = {
		{0.0, "0.0"},
		{-0.0, "-0.0"},
		{1.0, "1.0"},
		{1.5, "1.5"},
		{0.1, "0.1"},
		{3.0, "3.0"},
		{100.0, "100.0"},
		{1e15, "1000000000000000.0"},
		{1e16, "1.0e+16"},
		{1e21, "1.0e+21"},
		{1e-7, "1.0e-07"},
		{1e-4, "0.0001"},
		{1.25e-5, "1.25e-05"},
		{123456.789, "123456.789"},
		{0.30000000000000004, "0.30000000000000004"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{5e-324, "5.0e-324"},
		{-2.5e100, "-2.5e+100"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		size_t n = tc_scalar_format_double(buf, cases[i].f);
		CHECK(n == strlen(buf));
		CHECK_STR(buf, cases[i].s);
		CHECK(strtod(buf, NULL) == cases[i].f);
	}
	char buf[32];
	tc_scalar_format_double(buf, INFINITY);
	CHECK_STR(buf, ".inf");
	tc_scalar_format_double(buf, -INFINITY);
	CHECK_STR(buf, "-.inf");
	tc_scalar_format_double(buf, NAN);
	CHECK_STR(buf, ".nan");
}

TEST(scalar_format_double_round_trips_random_doubles)
{
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double f;
		memcpy(&f, &x, sizeof f);
		if (isnan(f) || isinf(f))
			continue;
		char buf[32];
		tc_scalar_format_double(buf, f);
		tc_scalar r;
		CHECK(tc_scalar_resolve(&r, buf, strlen(buf)) == 0 && r.kind == TC_FLOAT);
		CHECK(memcmp(&r.f, &f, sizeof f) == 0);
		CHECK(strchr(buf, '.') != NULL);
	}
}

TEST(scalar_needs_quotes_for_yaml_1_1_and_1_2_lookalikes)
{
	static const char *const quoted[] = {
		"yes",
		"No",
		"ON",
		"off",
		"y",
		"N",
		"~",
		"null",
		"true",
		"0755",
		"0o17",
		"0x1F",
		"1_000",
		"1:20",
		"1e3",
		".5",
		"+1",
		"-0",
		"2001-12-14",
		"12:30",
		"1.2.3",
		"0b101",
		".inf",
		"-.inf",
		".NaN",
		"=",
		"<<",
		"",
		" lead",
		"trail ",
		"a: b",
		"a #b",
		"#x",
		"- x",
		"-",
		"?",
		":",
		"[",
		"]",
		"{",
		"}",
		",x",
		"*a",
		"&a",
		"!t",
		"|",
		">",
		"%",
		"@",
		"`",
		"'",
		"\"",
		"a\nb",
		"\ttab",
		"x\ty",
		"end:",
		"---",
		"...",
		"a\x7f",
		"\xc2\x85",
		"\xe2\x80\xa8",
		"\xef\xbb\xbfx",
		"2001-12-14t21:59:43.10-05:00",
		/* letter-led strings decided in one pass: the words, a trailing
	         * blank, ": " and " #" inside, a control byte */
		"ON",
		"Off",
		"FALSE",
		"ab ",
		"a: b",
		"a #b",
		"ab\x01",
		"ab\tc",
	};
	for (size_t i = 0; i < sizeof quoted / sizeof quoted[0]; i++) {
		if (!tc_scalar_needs_quotes(quoted[i], strlen(quoted[i])))
			fprintf(stderr, "case '%s'\n", quoted[i]);
		CHECK(tc_scalar_needs_quotes(quoted[i], strlen(quoted[i])));
	}
	static const char *const plain[] = {
		"apps/v1",
		"Deployment",
		"hello world",
		"-x",
		"a:b",
		"a#b",
		"it's",
		"x,y",
		"\xc3\xa9t\xc3\xa9",
		"nginx:1.25",
		"v1.2.3",
		"yesno",
		"Null1",
		"100m",
		"512Mi",
		"http://x.example.com/a?b=c",
		"_1",
		"0.1.2-alpha",
		"TCP",
		"onn",
		"Falsey",
		"t00001",
		"a b c",
		"networking.k8s.io/v1",
	};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		if (tc_scalar_needs_quotes(plain[i], strlen(plain[i])))
			fprintf(stderr, "case '%s'\n", plain[i]);
		CHECK(!tc_scalar_needs_quotes(plain[i], strlen(plain[i])));
	}
}

int main(void)
{
	return RUN(scalar_resolve_follows_the_yaml_1_2_core_schema,
	           scalar_resolve_computes_values_and_detects_overflow,
	           scalar_parse_accepts_only_its_kind, scalar_utf8_check_finds_the_first_bad_byte,
	           scalar_format_double_gives_the_shortest_round_trip_with_a_dot,
	           scalar_format_double_round_trips_random_doubles,
	           scalar_needs_quotes_for_yaml_1_1_and_1_2_lookalikes);
}
