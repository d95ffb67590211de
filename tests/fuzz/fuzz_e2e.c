/*
 * fuzz_e2e.c - a whole render (load, template, validate, emit) of a tiny
 * repository whose tenant.yaml and one template come from the input.
 *
 * An input is split at the first "\n%%\n": the part before it becomes
 * tenants/t/tenant.yaml, the part after it templates/tenant/t.yaml (a
 * fixed ConfigMap template when there is no separator). The repository is
 * a temporary folder made once per process (removed at exit; in /dev/shm
 * when TMPDIR is not set and it exists) with tenantc.yaml,
 * environments/dev.yaml and those two files, rewritten in place for every
 * input (not truncated first: ext4 flushes a file truncated to empty and
 * written again when it is closed, which made disk writes most of the cost). It is loaded from the
 * work tree and rendered in memory (nothing is written but the two input files), with one worker, a
 * fixed `now` and Kubernetes rules only. Bad input is fine; a crash, a sanitizer report or an
 * internal error (exit status 3) abort()s. Built with -DTC_LIBFUZZER as a libFuzzer target,
 * otherwise linked with replay.c into a driver over tests/fuzz/corpus/e2e/.
 */
#include "render.h"
#include "sink.h"
#include "repo.h"
#include "source.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_template[] =
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${tenant.name}\n"
	"  namespace: ${tenant.name}\ndata:\n  env: ${env.name}\n";

/* libFuzzer gives a target no context: the folder is made on the first
 * input and its name only read after that */
static char repo_dir[64];

static void remove_repo(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", repo_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_e2e: cannot remove %s\n", repo_dir);
}

static void put(const char *rel, const void *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", repo_dir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) || ftruncate(fd, (off_t)n) != 0 ||
	    close(fd) != 0) {
		fprintf(stderr, "fuzz_e2e: cannot write %s\n", path);
		abort();
	}
}

static void setup(void)
{
	if (repo_dir[0])
		return;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(repo_dir, sizeof repo_dir, "%s/fuzz-e2e-XXXXXX", tmp);
	if (strlen(repo_dir) >= sizeof repo_dir - 32 || !mkdtemp(repo_dir)) {
		fprintf(stderr, "fuzz_e2e: cannot make a temporary folder\n");
		abort();
	}
	atexit(remove_repo);
	static const char *const dirs[] = {"environments", "tenants", "tenants/t", "templates",
	                                   "templates/tenant"};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", repo_dir, dirs[i]);
		if (mkdir(path, 0700) != 0) {
			fprintf(stderr, "fuzz_e2e: cannot make %s\n", path);
			abort();
		}
	}
	put("tenantc.yaml", "output: rendered\n", 17);
	put("environments/dev.yaml", "name: dev\n", 10);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	const char *text = (const char *)data;
	const char *sep = size >= 4 ? memmem(text, size, "\n%%\n", 4) : NULL;
	size_t tlen = sep ? (size_t)(sep - text) : size;
	put("tenants/t/tenant.yaml", text, tlen);
	if (sep)
		put("templates/tenant/t.yaml", sep + 4, size - tlen - 4);
	else
		put("templates/tenant/t.yaml", default_template, sizeof default_template - 1);

	tc_diags d;
	tc_diags_init(&d);
	tc_source *src = NULL;
	if (tc_source_open(&src, &d, repo_dir, TC_SOURCE_WORKTREE, NULL) != 0) {
		tc_diags_print(&d, stderr);
		abort();
	}
	tc_repo repo;
	if (tc_repo_load(&repo, src, "2026-01-02T03:04:05Z", &d) == 0) {
		tc_strlist none = {0};
		tc_sink sink;
		tc_sink_open_memory(&sink);
		sink.index_files = true; /* as a tree render makes them, in memory */
		tc_render_opts ro = {
			.envs = &none,
			.tenants = &none,
			.jobs = 1,
			.sink = &sink,
			.shard_index = 0,
			.shard_count = 1,
		};
		tc_render_result res = {0};
		int rendered = tc_render(&repo, &ro, &res, &d);
		(void)rendered; /* failing is fine; crashing and exit status 3 are not */
		tc_render_result_release(&res);
		tc_sink_release(&sink);
	}
	tc_repo_release(&repo);
	tc_source_free(src);
	if (tc_diags_exit_code(&d) >= 3) {
		fprintf(stderr, "fuzz_e2e: bad input gave an internal error:\n");
		tc_diags_print(&d, stderr);
		abort();
	}
	tc_diags_release(&d);
	return 0;
}
