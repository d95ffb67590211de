/*
 * timefmt.h - civil dates and RFC 3339 timestamps, for every module that
 * reads or writes one: JSON-e's fromNow and --now, the JSON Schema
 * date, time and date-time formats, SOPS's lastmodified, the commit time
 * in the render context.
 *
 * Dates are proleptic Gregorian with no time zone database and no libc
 * time functions, so nothing depends on TZ or the locale (STYLE.md §6).
 * The readers of RFC 3339 disagree on details their reference
 * implementations disagree on (JavaScript, Go, the JSON Schema test
 * suite); the flags name each difference, the grammar is one.
 */
#ifndef TC_TIMEFMT_H
#define TC_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A timestamp as written: the fields in the offset it was written with. */
typedef struct tc_civil {
	int year, month, day, hour, min, sec;
	int32_t nsec;   /* the first nine digits of the fraction */
	int32_t offset; /* seconds east of UTC */
} tc_civil;

/* Days from 1970-01-01 to y-m-d, and back. */
int64_t tc_time_days_from_civil(int64_t y, int64_t m, int64_t d);
void tc_time_civil_from_days(int64_t days, int64_t *y, int64_t *m, int64_t *d);
/* 28..31; m is 1..12 */
int tc_time_days_in_month(int64_t y, int m);

enum {
	/* 't' and 'z' for 'T' and 'Z', as RFC 3339 §5.6 allows (JSON-e,
	 * JSON Schema) */
	TC_RFC3339_LOWER = 1,
	/* seconds 60 in the minute 23:59 UTC, a leap second (JSON Schema) */
	TC_RFC3339_LEAP = 2,
	/* Go's time.Parse: ',' also starts the fraction, and offsets go up
	 * to 24:60 (SOPS) */
	TC_RFC3339_GO = 4,
};

/* full-date "YYYY-MM-DD", a real day of the month: t's date fields. */
bool tc_time_parse_date(tc_civil *t, const char *s, size_t n);
/* full-time "hh:mm:ss[.frac](Z|+hh:mm|-hh:mm)": t's time fields. */
bool tc_time_parse_clock(tc_civil *t, const char *s, size_t n, unsigned flags);
/* date-time: full-date "T" full-time. */
bool tc_time_parse_rfc3339(tc_civil *t, const char *s, size_t n, unsigned flags);

/* Milliseconds since 1970-01-01T00:00:00Z (the fraction cut to ms). */
int64_t tc_time_to_ms(const tc_civil *t);

/* ms as "YYYY-MM-DDThh:mm:ss.sssZ" (24 characters and a NUL); false
 * outside years 1 to 9999. */
bool tc_time_format_ms(char out[32], int64_t ms);

#endif
