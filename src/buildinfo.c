/*
 * buildinfo.c - the version, the commit and the library versions of this
 * binary (see buildinfo.h).
 *
 * The commit comes from buildinfo_commit.h, which meson's vcs_tag writes
 * at build time from `git describe` (src/meson.build) and rewrites only
 * when it changes; it is never part of the rendered output or of a cache
 * key, so two builds of one version render the same bytes. The library
 * versions are asked of the libraries themselves at run time, which is
 * what a shared library upgrade changes.
 */
#include "buildinfo.h"

#include "buildinfo_commit.h"

#include <cjson/cJSON.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

const char *tc_buildinfo_commit(void)
{
	return TC_BUILD_COMMIT;
}

static void set(tc_buildinfo_lib *l, const char *name, const char *version)
{
	l->name = name;
	snprintf(l->version, sizeof l->version, "%s", version);
}

void tc_buildinfo_libs(tc_buildinfo_lib out[TC_BUILDINFO_NLIBS])
{
	set(&out[0], "libyaml", yaml_get_version_string());
	int major = 0, minor = 0, rev = 0;
	git_libgit2_version(&major, &minor, &rev);
	out[1].name = "libgit2";
	snprintf(out[1].version, sizeof out[1].version, "%d.%d.%d", major, minor, rev);
	set(&out[2], "OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING));
	set(&out[3], "cJSON", cJSON_Version());
	set(&out[4], "libsodium", sodium_version_string());
	/* PCRE2_CONFIG_VERSION: "10.42 2022-12-11", at most 24 code units */
	char pv[64] = "";
	if (pcre2_config(PCRE2_CONFIG_VERSION, pv) < 0)
		snprintf(pv, sizeof pv, "unknown");
	set(&out[5], "PCRE2", pv);
}
