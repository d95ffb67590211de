/*
 * replay.c - the replay driver shared by the fuzz targets.
 *
 * Linked with a target that is built without -DTC_LIBFUZZER, it makes an
 * ordinary program, `fuzz_<target> FILE|DIR...`, that feeds each file (a
 * directory's files in byte order of their names, dot files skipped) once
 * to LLVMFuzzerTestOneInput. A target reports a broken invariant by
 * calling abort(), and sanitizers report memory errors, so reaching the
 * end means every corpus input passed; exit 2 when a file cannot be read
 * or nothing was replayed at all (an empty corpus is a broken test).
 * Inputs are read whole, capped at 16 MiB like the loaders' own limit.
 */
#include "arena.h"
#include "buf.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return 2;
	}
	tc_buf b;
	tc_buf_init(&b, 16u << 20);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_add(&b, chunk, n);
	int bad = ferror(f) || tc_buf_failed(&b);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		tc_buf_release(&b);
		return 2;
	}
	/* a copy of exactly len bytes, so ASan sees reads past the end */
	uint8_t *copy = tc_xmalloc(b.len ? b.len : 1);
	if (b.len)
		memcpy(copy, tc_buf_str(&b), b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	tc_buf_release(&b);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int rc = 0, count = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc |= replay(argv[i]);
			count++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: cannot open %s\n", argv[i]);
			rc |= 2;
			continue;
		}
		char **names = NULL;
		size_t nn = 0, cap = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			TC_GROW(names, cap, nn + 1);
			size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
			names[nn] = tc_xmalloc(l);
			snprintf(names[nn++], l, "%s/%s", argv[i], e->d_name);
		}
		closedir(d);
		if (nn)
			qsort(names, nn, sizeof *names, cmpstr);
		for (size_t k = 0; k < nn; k++) {
			rc |= replay(names[k]);
			count++;
			free(names[k]);
		}
		free(names);
	}
	printf("%s: %d inputs replayed\n", argc > 0 ? argv[0] : "replay", count);
	if (count == 0)
		rc |= 2;
	return rc;
}
