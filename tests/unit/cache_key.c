/*
 * cache_key.c - print the cache key of one tenant, for test_cache.
 *
 *   cache_key ROOT TENANT OPTIONS
 *
 * Reads ROOT's git index. tests/meson.build builds this with its own copy
 * of cache.c under another TC_VERSION, so that test_cache can see that the
 * version is part of every key. Prints the key, or nothing and exits 1
 * when there is none.
 */
#include "cache.h"

#include <git2.h>
#include <sodium.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: cache_key ROOT TENANT OPTIONS\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 3;
	git_libgit2_init();
	tc_diags d;
	tc_diags_init(&d);
	tc_source *src = NULL;
	tc_cache *c = NULL;
	char key[65];
	int rc = 1;
	if (tc_source_open(&src, &d, argv[1], TC_SOURCE_INDEX, NULL) == 0 &&
	    tc_cache_open(&c, src, &(tc_cache_opts){.now = argv[3]}, &d) == 0 && c &&
	    tc_cache_tenant_key(c, src, argv[2], key)) {
		printf("%s\n", key);
		rc = 0;
	}
	tc_cache_free(c);
	tc_source_free(src);
	tc_diags_release(&d);
	git_libgit2_shutdown();
	return rc;
}
