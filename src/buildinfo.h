/*
 * buildinfo.h - what a tenantc binary is: its version, the commit it was
 * built from and the versions of the libraries it runs with, for
 * `tenantc version` and bug reports.
 */
#ifndef TC_BUILDINFO_H
#define TC_BUILDINFO_H

#include <stddef.h>

/* The commit of the source tree at build time ("1a2b3c4d5e6f", with
 * "-dirty" when the work tree had changes), or "unknown" for a build
 * outside git (a release tarball). Static storage. */
const char *tc_buildinfo_commit(void);

typedef struct tc_buildinfo_lib {
	const char *name;
	char version[64];
} tc_buildinfo_lib;

enum { TC_BUILDINFO_NLIBS = 6 };

/* The run-time versions of libyaml, libgit2, OpenSSL, cJSON, libsodium and
 * PCRE2, in that order, into out. */
void tc_buildinfo_libs(tc_buildinfo_lib out[TC_BUILDINFO_NLIBS]);

#endif
