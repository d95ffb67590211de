/*
 * fuzz_schema.c - the schema compiler and validator on arbitrary input.
 *
 * An input is a JSON array: the schema first, then instances to check
 * against it (loudly, so message formatting runs too). Anything else is
 * simply rejected by the loader. Built two ways:
 *  - with -DTC_LIBFUZZER and clang -fsanitize=fuzzer: a libFuzzer target;
 *  - normally: a replay driver, `fuzz_schema FILE|DIR...`, that runs each
 *    corpus file once (tests/fuzz/corpus/schema/, every crash found
 *    joins it) and exits 0 unless something crashes.
 */
#include "json_load.h"
#include "schema.h"
#include "schema_check.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_json_load(&v, &a, &d, "fuzz.json", (const char *)data, size) == 0 &&
	    v->kind == TC_ARRAY && v->u.arr.len > 0) {
		for (int draft = 0; draft < 2; draft++) {
			tc_schema_opts o = {.draft = draft ? TC_DRAFT_4 : TC_DRAFT_2020,
			                    .format_assert = draft == 0};
			tc_schema *s = NULL;
			if (tc_schema_compile(&s, NULL, v->u.arr.items[0], &o, &d) < 0)
				continue;
			for (size_t i = 1; i < v->u.arr.len; i++) {
				tc_schema_check(s, v->u.arr.items[i], &d, NULL, TC_DIAG_FINDING);
				(void)tc_schema_valid(s, v->u.arr.items[i]);
			}
			tc_schema_free(s);
		}
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}

#ifndef TC_LIBFUZZER
static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_schema: cannot read %s\n", path);
		return 2;
	}
	tc_buf b;
	tc_buf_init(&b, 16u << 20);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_add(&b, chunk, n);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)tc_buf_str(&b), b.len);
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
		char **names = NULL;
		size_t nn = 0, cap = 0;
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			TC_GROW(names, cap, nn + 1);
			size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
			names[nn] = tc_xmalloc(l);
			snprintf(names[nn++], l, "%s/%s", argv[i], e->d_name);
		}
		if (d)
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
	printf("fuzz_schema: %d inputs replayed\n", count);
	return rc;
}
#endif
