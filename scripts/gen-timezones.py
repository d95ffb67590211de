#!/usr/bin/env python3
# scripts/gen-timezones.py - write src/k8s_tz.c, the IANA time zone names
# that kube-apiserver's time.LoadLocation knows from the zone database Go
# embeds (time/tzdata, which cmd/kube-apiserver imports for CronJob time
# zones), for the CronJob timeZone rule of k8s_workload.c.
#
#   python3 scripts/gen-timezones.py [ZONEINFO_ZIP] > src/k8s_tz.c
#
# ZONEINFO_ZIP defaults to $(go env GOROOT)/lib/time/zoneinfo.zip, the file
# time/tzdata embeds. Names are sorted by bytes for a binary search.
import subprocess
import sys
import zipfile

if len(sys.argv) > 1:
    path = sys.argv[1]
else:
    root = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    path = root + "/lib/time/zoneinfo.zip"
names = sorted({n for n in zipfile.ZipFile(path).namelist() if not n.endswith("/")}, key=lambda s: s.encode())
out = sys.stdout
out.write("""/*
 * k8s_tz.c - the IANA time zone names of Go's embedded zone database (%d
 * names), which kube-apiserver's time.LoadLocation falls back to; written
 * by scripts/gen-timezones.py, do not edit by hand.
 */
#include "k8s_rules.h"

static const char *const zones[] = {
""" % len(names))
for n in names:
    out.write('\t"%s",\n' % n)
out.write("""};

bool tc_k8s_is_time_zone(const char *s, size_t n)
{
	size_t lo = 0, hi = sizeof zones / sizeof zones[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = tc_bytes_cmp(zones[mid], strlen(zones[mid]), s, n);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
""")
