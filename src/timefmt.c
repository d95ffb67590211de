/*
 * timefmt.c - see timefmt.h.
 *
 * The day arithmetic is Howard Hinnant's days_from_civil and
 * civil_from_days (eras of 400 years, March-based years so that the leap
 * day comes last), which is exact for every int64 year in range.
 */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000LL

int64_t tc_time_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tc_time_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int tc_time_days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* exactly k digits at s[at..], within n */
static bool digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
	if (at > n || k > n - at)
		return false;
	int v = 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[at + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return true;
}

bool tc_time_parse_date(tc_civil *t, const char *s, size_t n)
{
	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, n, 0, 4, &t->year) ||
	    !digits(s, n, 5, 2, &t->month) || !digits(s, n, 8, 2, &t->day))
		return false;
	return t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= tc_time_days_in_month(t->year, t->month);
}

/* time-secfrac at s[*i] (with Go, ',' too) into t->nsec, digits past
 * nine dropped; false when the separator has no digit after it */
static bool secfrac(tc_civil *t, const char *s, size_t n, size_t *i, bool go)
{
	t->nsec = 0;
	if (*i >= n || !(s[*i] == '.' || (go && s[*i] == ',')))
		return true;
	size_t k = 0;
	for ((*i)++; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++, k++)
		if (k < 9)
			t->nsec = t->nsec * 10 + (s[*i] - '0');
	if (k == 0)
		return false;
	for (; k < 9; k++)
		t->nsec *= 10;
	return true;
}

/* time-offset at s[i], the rest of s: "Z" (with lower, 'z') or
 * ("+" / "-") hh ":" mm, into minutes east of UTC in *east */
static bool offset(const char *s, size_t n, size_t i, unsigned flags, int *east)
{
	bool go = flags & TC_RFC3339_GO;
	*east = 0;
	if (i < n && (s[i] == 'Z' || ((flags & TC_RFC3339_LOWER) && s[i] == 'z')))
		return i + 1 == n;
	if (i >= n || (s[i] != '+' && s[i] != '-'))
		return false;
	int oh = 0, om = 0;
	if (!digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
	    !digits(s, n, i + 4, 2, &om))
		return false;
	if (i + 6 != n || oh > (go ? 24 : 23) || om > (go ? 60 : 59))
		return false;
	*east = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
	return true;
}

bool tc_time_parse_clock(tc_civil *t, const char *s, size_t n, unsigned flags)
{
	if (n < 8 || s[2] != ':' || s[5] != ':' || !digits(s, n, 0, 2, &t->hour) ||
	    !digits(s, n, 3, 2, &t->min) || !digits(s, n, 6, 2, &t->sec))
		return false;
	size_t i = 8;
	int east;
	if (!secfrac(t, s, n, &i, flags & TC_RFC3339_GO) || !offset(s, n, i, flags, &east))
		return false;
	t->offset = east * 60;
	if (t->hour > 23 || t->min > 59)
		return false;
	if (t->sec == 60 && (flags & TC_RFC3339_LEAP)) {
		/* a leap second happens at 23:59:60 UTC only */
		int utc = t->hour * 60 + t->min - east;
		utc = ((utc % 1440) + 1440) % 1440;
		return utc == 23 * 60 + 59;
	}
	return t->sec <= 59;
}

bool tc_time_parse_rfc3339(tc_civil *t, const char *s, size_t n, unsigned flags)
{
	memset(t, 0, sizeof *t);
	if (n < 11 || (s[10] != 'T' && !((flags & TC_RFC3339_LOWER) && s[10] == 't')))
		return false;
	return tc_time_parse_date(t, s, 10) && tc_time_parse_clock(t, s + 11, n - 11, flags);
}

int64_t tc_time_to_ms(const tc_civil *t)
{
	int64_t days = tc_time_days_from_civil(t->year, t->month, t->day);
	int64_t secs = days * 86400 + t->hour * 3600 + t->min * 60 + t->sec - t->offset;
	return secs * 1000 + t->nsec / 1000000;
}

bool tc_time_format_ms(char out[32], int64_t ms)
{
	/* years 1..9999 */
	if (ms < -62135596800000 || ms > 253402300799999)
		return false;
	int64_t days = ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
	int64_t rem = ms - days * DAY_MS;
	int64_t y, m, d;
	tc_time_civil_from_days(days, &y, &m, &d);
	char buf[96];
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, (int)m, (int)d,
	         (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
	         (int)(rem % 1000));
	memcpy(out, buf, 25);
	return true;
}
