/*
 * test_jsone.c - unit tests for the JSON-e lexer, parser, evaluator,
 * operators and built-ins, on values built directly (no YAML involved).
 */
#include "jsone.h"
#include "jsone_builtins.h"
#include "jsone_lex.h"
#include "jsone_parse.h"

#include "tc_test.h"

static const char *fmt(double x)
{
	static char out[64];
	tc_buf b;
	tc_buf_init(&b, 64);
	tc_jsone_format_number(&b, x);
	snprintf(out, sizeof out, "%s", tc_buf_str(&b));
	tc_buf_release(&b);
	return out;
}

TEST(jsone_format_number_matches_javascript)
{
	CHECK_STR(fmt(1), "1");
	CHECK_STR(fmt(-1.5), "-1.5");
	CHECK_STR(fmt(0.1), "0.1");
	CHECK_STR(fmt(0.1 + 0.2), "0.30000000000000004");
	CHECK_STR(fmt(1.0 / 3), "0.3333333333333333");
	CHECK_STR(fmt(2.0 / 3), "0.6666666666666666");
	CHECK_STR(fmt(1e21), "1e+21");
	CHECK_STR(fmt(1e20), "100000000000000000000");
	CHECK_STR(fmt(1e-6), "0.000001");
	CHECK_STR(fmt(1e-7), "1e-7");
	CHECK_STR(fmt(9007199254740993.0), "9007199254740992");
	CHECK_STR(fmt(-0.0), "0");
	CHECK_STR(fmt(5e-324), "5e-324");
	CHECK_STR(fmt(1.7976931348623157e308), "1.7976931348623157e+308");
	CHECK_STR(fmt(123456789012345678901.0), "123456789012345680000");
	CHECK_STR(fmt(12345678.9), "12345678.9");
	CHECK_STR(fmt(0.0000025), "0.0000025");
	CHECK_STR(fmt(1.5e300), "1.5e+300");
}

int main(void)
{
	return RUN(jsone_format_number_matches_javascript);
}
