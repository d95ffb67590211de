/*
 * jsone_bench.c - time tenantc's JSON-e engine on the benchmark workload.
 *
 *   jsone_bench DIR [ROUNDS]
 *
 * DIR holds templates.txt (the template file names), the templates and
 * contexts.json (an array of contexts), as written by gen.js. Every
 * template is compiled once; then every template is rendered for every
 * context, with one arena per context reset in between, as the renderer
 * does per job; this is timed ROUNDS times and the best round counts.
 * Prints
 *   c: seconds=S renders=R digest=SHA256      (S and R of one round)
 * where the digest covers the canonical JSON of every result (computed in
 * an untimed second pass), to be compared with the JavaScript reference.
 */
#include "json_emit.h"
#include "json_load.h"
#include "jsone.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "jsone_bench: cannot read %s\n", path);
		exit(2);
	}
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_add(&b, chunk, n);
	fclose(f);
	return tc_buf_detach(&b, len);
}

static tc_value *load(tc_arena *a, const char *path)
{
	size_t len;
	char *data = slurp(path, &len);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v;
	if (tc_json_load(&v, a, &d, tc_arena_strdup(a, path), data, len)) {
		tc_diags_print(&d, stderr);
		exit(2);
	}
	tc_diags_release(&d);
	free(data);
	return v;
}

/* CPU time of the process: the work done, which other load on the machine
 * disturbs far less than wall-clock time */
static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int render_all(tc_jsone_compiled **c, size_t nt, const tc_value *ctxs, size_t from,
                      size_t to, tc_arena *a, EVP_MD_CTX *md)
{
	tc_jsone_opts opts = {.extras = true};
	for (size_t i = from; i < to; i++) {
		tc_arena_reset(a);
		for (size_t t = 0; t < nt; t++) {
			tc_diags d;
			tc_diags_init(&d);
			tc_value *out;
			if (tc_jsone_render_compiled(&out, a, &d, c[t], ctxs->u.arr.items[i], &opts)) {
				tc_diags_print(&d, stderr);
				return -1;
			}
			tc_diags_release(&d);
			if (md) {
				tc_buf b;
				tc_buf_init(&b, TC_BUF_UNLIMITED);
				tc_json_emit(&b, out, false);
				tc_buf_addc(&b, '\n');
				EVP_DigestUpdate(md, b.ptr, b.len);
				tc_buf_release(&b);
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: jsone_bench DIR [ROUNDS]\n", stderr);
		return 2;
	}
	const char *dir = argv[1];
	long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	tc_arena keep;
	tc_arena_init(&keep);
	char path[4096];
	snprintf(path, sizeof path, "%s/templates.txt", dir);
	size_t len;
	char *names = slurp(path, &len);
	tc_jsone_compiled *c[32];
	size_t nt = 0;
	for (char *line = names; *line && nt < 32;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (*line) {
			snprintf(path, sizeof path, "%s/%s", dir, line);
			c[nt++] = tc_jsone_compile(load(&keep, path), 0);
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(names);
	snprintf(path, sizeof path, "%s/contexts.json", dir);
	const tc_value *ctxs = load(&keep, path);
	size_t n = ctxs->u.arr.len;
	tc_arena a;
	tc_arena_init(&a);
	/* warm up caches on the first contexts, untimed, as the JS side does */
	if (render_all(c, nt, ctxs, 0, n < 200 ? n : 200, &a, NULL))
		return 1;
	/* the best of the rounds: the least disturbed by other load */
	double best = -1;
	for (long r = 0; r < rounds; r++) {
		double t0 = now_seconds();
		if (render_all(c, nt, ctxs, 0, n, &a, NULL))
			return 1;
		double dt = now_seconds() - t0;
		if (best < 0 || dt < best)
			best = dt;
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	if (render_all(c, nt, ctxs, 0, n, &a, md))
		return 1;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_DigestFinal_ex(md, dg, &dl);
	EVP_MD_CTX_free(md);
	printf("c: seconds=%.6f renders=%zu digest=", best, n * nt);
	for (unsigned int i = 0; i < dl; i++)
		printf("%02x", dg[i]);
	printf("\n");
	for (size_t t = 0; t < nt; t++)
		tc_jsone_compiled_free(c[t]);
	tc_arena_release(&a);
	tc_arena_release(&keep);
	return 0;
}
