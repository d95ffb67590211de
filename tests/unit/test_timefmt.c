/*
 * test_timefmt.c - the one RFC 3339 reader in its three dialects (JSON-e,
 * JSON Schema, Go's time.Parse for SOPS), the day arithmetic across
 * eras, and the millisecond formatter.
 */
#include "timefmt.h"
#include "tc_test.h"

static bool ok(const char *s, unsigned flags)
{
	tc_civil t;
	return tc_time_parse_rfc3339(&t, s, strlen(s), flags);
}

TEST(time_days_round_trip_across_eras_and_leap_days)
{
	CHECK(tc_time_days_from_civil(1970, 1, 1) == 0);
	CHECK(tc_time_days_from_civil(2000, 3, 1) - tc_time_days_from_civil(2000, 2, 28) == 2);
	CHECK(tc_time_days_from_civil(1900, 3, 1) - tc_time_days_from_civil(1900, 2, 28) == 1);
	for (int64_t z = -800000; z <= 800000; z += 997) {
		int64_t y, m, d;
		tc_time_civil_from_days(z, &y, &m, &d);
		CHECK(tc_time_days_from_civil(y, m, d) == z);
	}
	CHECK(tc_time_days_in_month(2024, 2) == 29 && tc_time_days_in_month(2100, 2) == 28 &&
	      tc_time_days_in_month(2000, 2) == 29 && tc_time_days_in_month(2023, 12) == 31);
}

TEST(time_parse_reads_fields_fraction_and_offset)
{
	tc_civil t;
	const char *s = "2017-01-19T16:27:20.974123456789+05:30";
	CHECK(tc_time_parse_rfc3339(&t, s, strlen(s), 0));
	CHECK(t.year == 2017 && t.month == 1 && t.day == 19 && t.hour == 16 && t.min == 27 &&
	      t.sec == 20 && t.nsec == 974123456 && t.offset == 5 * 3600 + 30 * 60);
	CHECK(tc_time_to_ms(&t) == 1484843240974LL - (5 * 3600 + 30 * 60) * 1000LL);
	CHECK(!ok("2017-02-29T00:00:00Z", 0));
	CHECK(ok("2016-02-29T00:00:00Z", 0));
	CHECK(!ok("2017-01-19", 0));
	CHECK(!ok("2017-01-19T24:00:00Z", 0));
	CHECK(!ok("2017-01-19T00:00:00.Z", 0));
	CHECK(!ok("2017-01-19T00:00:00", 0));
	CHECK(!ok("2017-1-19T00:00:00Z", 0));
	CHECK(!ok("2017-01-19T00:00:00+0530", 0));
	CHECK(!ok("2017-01-19T00:00:00Z ", 0));
}

/* JSON-e and JSON Schema take lower case 't' and 'z' (RFC 3339 §5.6) */
TEST(time_parse_dialects_differ_only_where_named)
{
	CHECK(!ok("2017-01-19t00:00:00z", 0));
	CHECK(ok("2017-01-19t00:00:00z", TC_RFC3339_LOWER));
	/* Go: ',' starts a fraction and offsets go to 24:60 */
	CHECK(ok("2017-01-19T00:00:00,5Z", TC_RFC3339_GO));
	CHECK(!ok("2017-01-19T00:00:00,5Z", 0));
	CHECK(ok("2017-01-19T00:00:00+24:00", TC_RFC3339_GO));
	CHECK(!ok("2017-01-19T00:00:00+24:00", TC_RFC3339_LOWER));
	CHECK(!ok("2017-01-19T00:00:00z", TC_RFC3339_GO));
	/* JSON Schema: a leap second, at 23:59 UTC only */
	CHECK(ok("1998-12-31T23:59:60Z", TC_RFC3339_LEAP));
	CHECK(ok("1998-12-31T15:59:60-08:00", TC_RFC3339_LEAP));
	CHECK(!ok("1998-12-31T22:59:60Z", TC_RFC3339_LEAP));
	CHECK(!ok("1998-12-31T23:59:60Z", 0));
	tc_civil t;
	CHECK(tc_time_parse_clock(&t, "08:30:06.283185Z", 16, TC_RFC3339_LEAP));
	CHECK(!tc_time_parse_clock(&t, "08:30:06", 8, 0));
	CHECK(tc_time_parse_date(&t, "1963-06-19", 10) &&
	      !tc_time_parse_date(&t, "1963-13-19", 10));
}

TEST(time_format_ms_writes_utc_with_milliseconds)
{
	char buf[32];
	CHECK(tc_time_format_ms(buf, 1484843240974LL));
	CHECK_STR(buf, "2017-01-19T16:27:20.974Z");
	CHECK(tc_time_format_ms(buf, -1));
	CHECK_STR(buf, "1969-12-31T23:59:59.999Z");
	CHECK(!tc_time_format_ms(buf, 253402300800000LL)); /* year 10000 */
}

int main(void)
{
	return RUN(time_days_round_trip_across_eras_and_leap_days,
	           time_parse_reads_fields_fraction_and_offset,
	           time_parse_dialects_differ_only_where_named,
	           time_format_ms_writes_utc_with_milliseconds);
}
