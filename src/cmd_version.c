/*
 * cmd_version.c - `tenantc version`: the version and the library versions
 * it was built with.
 */
#include "cmd.h"

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
	printf("tenantc %s\n", TC_VERSION);
	return 0;
}
