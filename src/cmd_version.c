/*
 * cmd_version.c - `tenantc version`: the version, the commit it was built
 * from and the versions of the libraries it runs with, one per line:
 *
 *   tenantc 0.1.0
 *   commit 1a2b3c4d5e6f
 *   libyaml 0.2.5
 *   ...
 */
#include "cmd.h"

#include "buildinfo.h"
#include "opt.h"

#include <stdio.h>

int tc_cmd_version(int argc, char **argv)
{
	static const tc_option opts[] = {{0}};
	tc_strlist pos = {0};
	int r = tc_opt_parse("version", "", opts, argc, argv, &pos);
	if (r == 0 && pos.len) {
		tc_usage_error(NULL, "unexpected argument '%s'", pos.items[0]);
		r = 2;
	}
	tc_strlist_release(&pos);
	if (r)
		return r == 1 ? 0 : r;
	printf("tenantc %s\ncommit %s\n", TC_VERSION, tc_buildinfo_commit());
	tc_buildinfo_lib libs[TC_BUILDINFO_NLIBS];
	tc_buildinfo_libs(libs);
	for (size_t i = 0; i < TC_BUILDINFO_NLIBS; i++)
		printf("%s %s\n", libs[i].name, libs[i].version);
	return 0;
}
