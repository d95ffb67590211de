/*
 * cmd_merge.c - `tenantc merge --out DIR SHARD...`: assemble the trees of
 * `render --shard I/N --out SHARD` runs into the tree one unsharded render
 * writes.
 *
 * Every file of every shard is taken as is; a file present in several
 * shards (the cluster objects every shard renders) must have the same bytes
 * everywhere. The index kustomizations of each environment are made again
 * from the union, so the result is byte-identical to an unsharded render.
 * The output is written aside and swapped in like render's.
 */
#include "cmd.h"

#include "arena.h"
#include "diag.h"
#include "fsutil.h"
#include "opt.h"
#include "outdir.h"
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rendered file is small; this bounds what one merge reads at once. */
#define MERGE_FILE_MAX ((size_t)16 * 1024 * 1024)

static int read_file(const char *path, char **data, size_t *len, tc_diags *d)
{
	tc_file_err e;
	if (tc_file_read(data, len, path, MERGE_FILE_MAX, TC_FILE_NOFOLLOW | TC_FILE_REGULAR, &e) ==
	    0)
		return 0;
	if (e.why == TC_FILE_OPEN)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read '%s': %s", path,
		                strerror(e.err));
	if (e.why == TC_FILE_READ)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read '%s'", path);
	return tc_error(d, (tc_pos){path, 0, 0}, NULL,
	                "'%s' is not a regular file of at most 16 MiB", path);
}

/* Add every file below root/rel to l (paths relative to root). */
static int walk(const char *root, const char *rel, tc_outlist *l, tc_diags *d)
{
	char *dir = tc_path_join(root, rel);
	DIR *dp = opendir(dir);
	if (!dp) {
		int rc = tc_error(d, (tc_pos){dir, 0, 0}, NULL, "cannot read folder '%s': %s", dir,
		                  strerror(errno));
		free(dir);
		return rc;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *sub = tc_path_join(rel, e->d_name);
		char *full = tc_path_join(root, sub);
		struct stat st;
		if (lstat(full, &st) != 0) {
			rc = tc_error(d, (tc_pos){full, 0, 0}, NULL, "cannot read '%s'", full);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(root, sub, l, d);
		} else {
			char *data = NULL;
			size_t len = 0;
			if (read_file(full, &data, &len, d) == 0) {
				tc_outlist_add(l, sub, data, len, true);
				sub = NULL;
			} else {
				rc = -1;
			}
		}
		free(sub);
		free(full);
	}
	closedir(dp);
	free(dir);
	return rc;
}

int tc_cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"out", 'o', TC_OPT_STRING, &out, "DIR", "the merged tree (replaced atomically)"},
		{0},
	};
	int status = tc_opt_parse("merge", "--out DIR SHARD...", opts, argc, argv, &pos);
	tc_diags d;
	tc_diags_init(&d);
	tc_outlist all, merged, idx;
	tc_outlist_init(&all);
	tc_outlist_init(&merged);
	tc_outlist_init(&idx);
	tc_tree tree = {0};
	tc_outdir claim = {.lockfd = -1};
	if (status) {
		status = status == 1 ? 0 : 2;
		goto done;
	}
	status = 2;
	if (!out || pos.len == 0) {
		tc_usage_error(NULL, "%s",
		               !out ? "give --out DIR" : "give at least one SHARD folder");
		fputs("usage: tenantc merge --out DIR SHARD...\n", stderr);
		goto done;
	}
	for (size_t i = 0; i < pos.len; i++)
		if (walk(pos.items[i], "", &all, &d))
			goto done;
	tc_outlist_sort(&all);
	/* drop repeats; they must agree */
	for (size_t i = 0; i < all.len; i++) {
		tc_outfile *f = &all.items[i];
		if (tc_output_is_index(f->path) || strcmp(f->path, TC_OUTDIR_MARKER) == 0) {
			free(f->path);
			free(f->data);
			continue;
		}
		if (merged.len) {
			tc_outfile *g = &merged.items[merged.len - 1];
			if (strcmp(g->path, f->path) == 0) {
				if (g->len != f->len || memcmp(g->data, f->data, f->len) != 0)
					tc_error(&d, (tc_pos){f->path, 0, 0}, NULL,
					         "shards disagree on '%s': were they rendered from "
					         "the same input?",
					         f->path);
				free(f->path);
				free(f->data);
				continue;
			}
		}
		tc_outlist_add(&merged, f->path, f->data, f->len, f->manifest);
	}
	free(all.items);
	tc_outlist_init(&all);
	if (tc_diags_has_errors(&d))
		goto done;
	/* environments are the top folders */
	for (size_t i = 0; i < merged.len; i++) {
		const char *p = merged.items[i].path;
		const char *slash = strchr(p, '/');
		if (!slash)
			continue;
		size_t el = (size_t)(slash - p);
		if (i > 0 && strncmp(merged.items[i - 1].path, p, el + 1) == 0)
			continue;
		char *env = tc_xmemdup0(p, el);
		tc_output_env_index(&idx, env, &merged);
		free(env);
	}
	if (tc_outdir_claim(&claim, out, NULL, &d) || tc_tree_begin(&tree, out, &d))
		goto done;
	for (size_t i = 0; i < merged.len; i++)
		if (tc_tree_write(&tree, merged.items[i].path, merged.items[i].data,
		                  merged.items[i].len, &d))
			goto done;
	for (size_t i = 0; i < idx.len; i++)
		if (tc_tree_write(&tree, idx.items[i].path, idx.items[i].data, idx.items[i].len,
		                  &d))
			goto done;
	if (tc_tree_write(&tree, TC_OUTDIR_MARKER, tc_outdir_marker_text,
	                  strlen(tc_outdir_marker_text), &d) ||
	    tc_tree_commit(&tree, &d))
		goto done;
	printf("merged %zu shards, %zu files into %s\n", pos.len, merged.len + idx.len + 1, out);
	status = 0;
done:
	if (tree.final)
		tc_tree_abort(&tree);
	tc_outlist_release(&all);
	tc_outlist_release(&merged);
	tc_outlist_release(&idx);
	tc_outdir_release(&claim);
	if (d.len) {
		tc_diags_print(&d, stderr);
		int code = tc_diags_exit_code(&d);
		if (code)
			status = code;
	}
	tc_diags_release(&d);
	tc_strlist_release(&pos);
	return status;
}
