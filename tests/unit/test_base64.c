/*
 * test_base64.c - the one base64 codec in the dialects its callers need:
 * age (canonical, padded or raw), SOPS (Go's StdEncoding: padded, CR and
 * LF skipped) and JSON-e's b64decode (padding optional, URL-safe too).
 */
#include "base64.h"
#include "tc_test.h"

#include <stdlib.h>

static int dec(const char *s, unsigned flags, size_t *n)
{
	unsigned char out[16];
	return tc_base64_decode(out, n, sizeof out, s, strlen(s), flags);
}

TEST(base64_encode_pads_or_not_and_reports_the_length)
{
	char out[16];
	CHECK(tc_base64_encode(out, "a", 1, true) == 4);
	CHECK_STR(out, "YQ==");
	CHECK(tc_base64_encode(out, "ab", 2, false) == 3);
	CHECK_STR(out, "YWI");
	CHECK(tc_base64_encode(out, "abc", 3, true) == 4);
	CHECK_STR(out, "YWJj");
	CHECK(tc_base64_encode(out, "", 0, true) == 0);
	CHECK_STR(out, "");
	CHECK(tc_base64_encoded_len(1, true) == 4 && tc_base64_encoded_len(1, false) == 2 &&
	      tc_base64_encoded_len(5, false) == 7 && tc_base64_encoded_len(6, false) == 8);
	tc_buf b;
	tc_buf_init(&b, 100);
	tc_buf_adds(&b, "x:");
	tc_base64_add(&b, "\xff\xfe", 2, true);
	CHECK_STR(tc_buf_str(&b), "x://4=");
	tc_buf_release(&b);
}

/* what age and SOPS ask for (formerly tc_age_base64_decode's strict flag) */
TEST(base64_canonical_mode_rejects_non_canonical_and_padding_rules)
{
	size_t n = 0;
	unsigned age = TC_BASE64_PAD | TC_BASE64_CANONICAL, go = TC_BASE64_PAD | TC_BASE64_SKIP_NL;
	CHECK(dec("YQ==", age, &n) == 0 && n == 1);
	CHECK(dec("YR==", age, &n) != 0);
	CHECK(dec("YR==", go, &n) == 0 && n == 1);
	CHECK(dec("YQ", age, &n) != 0);
	CHECK(dec("YQ", TC_BASE64_CANONICAL, &n) == 0 && n == 1);
	CHECK(dec("YQ==", TC_BASE64_CANONICAL, &n) != 0);
	CHECK(dec("Y\nQ==", go, &n) == 0 && n == 1);
	CHECK(dec("Y\nQ==", age, &n) != 0);
}

/* JSON-e b64decode: "YQ", "YQ=", "YQ==" all decode; three '=' do not */
TEST(base64_jsone_mode_takes_optional_padding_and_the_url_alphabet)
{
	size_t n = 0;
	unsigned je = TC_BASE64_PAD_ANY | TC_BASE64_URL;
	CHECK(dec("YQ", je, &n) == 0 && n == 1);
	CHECK(dec("YQ=", je, &n) == 0 && n == 1);
	CHECK(dec("YQ==", je, &n) == 0 && n == 1);
	CHECK(dec("YQ===", je, &n) != 0);
	CHECK(dec("Y=Q", je, &n) != 0);
	CHECK(dec("Y", je, &n) != 0);
	CHECK(dec("__-_", je, &n) == 0 && n == 3);
	CHECK(dec("__-_", TC_BASE64_PAD, &n) != 0);
	CHECK(dec("Y\nQ", je, &n) != 0);
}

TEST(base64_decode_refuses_to_write_past_cap)
{
	unsigned char out[2];
	size_t n = 0;
	CHECK(tc_base64_decode(out, &n, sizeof out, "YWJj", 4, TC_BASE64_PAD) != 0);
	CHECK(tc_base64_decode(out, &n, sizeof out, "YWI=", 4, TC_BASE64_PAD) == 0 && n == 2 &&
	      memcmp(out, "ab", 2) == 0);
}

int main(void)
{
	return RUN(base64_encode_pads_or_not_and_reports_the_length,
	           base64_canonical_mode_rejects_non_canonical_and_padding_rules,
	           base64_jsone_mode_takes_optional_padding_and_the_url_alphabet,
	           base64_decode_refuses_to_write_past_cap);
}
