/*
 * render_write.c - one output folder of a job: file names, YAML bytes,
 * kustomization.yaml, and where they go (the sink's tree or spool, or the
 * job's file list). A streamed folder leaves only a chunk in the job.
 */
#include "render_impl.h"

#include "yaml_emit.h"

void tc_render_store(const tc_render_opts *o, job *j, char *path, char *data, size_t len,
                     bool manifest)
{
	unsigned long long off = 0;
	if (tree_of(o) || spool_of(o)) {
		int rc = tree_of(o) ? tc_tree_write(tree_of(o), path, data, len, &j->diags)
		                    : tc_spool_put(spool_of(o), data, len, &off, &j->diags);
		if (rc != 0) {
			free(path);
			free(data);
			return;
		}
		if (!j->keep_bytes) {
			free(data);
			data = NULL;
		}
	}
	tc_outlist_add(&j->files, path, data, len, manifest);
	if (!tree_of(o) && spool_of(o)) {
		j->files.items[j->files.len - 1].spooled = true;
		j->files.items[j->files.len - 1].off = off;
	}
}

/* The indices of names in byte order (malloc'd): a folder holds a few
 * files, so an insertion sort. */
static size_t *name_order(char *const *names, size_t n)
{
	size_t *order = tc_xmalloc((n ? n : 1) * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t x = 1; x < n; x++)
		for (size_t y = x; y > 0 && strcmp(names[order[y - 1]], names[order[y]]) > 0; y--) {
			size_t t = order[y];
			order[y] = order[y - 1];
			order[y - 1] = t;
		}
	return order;
}

/* The kustomization.yaml of a folder into b: resources in file-name
 * order (order from name_order). */
static void index_bytes(tc_buf *b, char *const *names, const size_t *order, size_t n)
{
	const char **sorted = tc_xmalloc((n ? n : 1) * sizeof *sorted);
	for (size_t k = 0; k < n; k++)
		sorted[k] = names[order[k]];
	tc_buf_reset(b);
	tc_output_kustomization(b, sorted, n);
	free(sorted);
}

/* The bytes of one file at path: a SOPS Secret's (*sdata, malloc'd) when
 * secret is set, else obj's YAML in b. -1 when the Secret failed. */
static int file_bytes(work *w, const tc_env *env, const secret_out *secret, const tc_value *obj,
                      const char *path, tc_buf *b, char **sdata, const char **data, size_t *len)
{
	*sdata = NULL;
	if (secret) {
		bool plain;
		if (tc_render_secret_bytes(w, env, secret, path, sdata, len, &plain))
			return -1;
		*data = *sdata;
		return 0;
	}
	tc_buf_reset(b);
	tc_yaml_emit(b, obj);
	*data = b->ptr ? b->ptr : "";
	*len = b->len;
	return 0;
}

/* What a streamed folder leaves in its job: "DIR/", its file count and
 * its range of the spool. */
void tc_render_add_chunk(job *j, const char *dir, size_t dl, size_t nfiles, unsigned long long off,
                         size_t len)
{
	TC_GROW(j->chunks, j->capchunks, j->nchunks + 1);
	char *d = tc_xmalloc(dl + 2);
	memcpy(d, dir, dl);
	d[dl] = '/';
	d[dl + 1] = 0;
	j->chunks[j->nchunks++] = (tc_render_chunk){d, nfiles, off, len};
}

/* Streaming: write one folder's files into the tree, or its manifests as
 * one range of the spool, in file-name order; keep only a chunk. */
static int stream_folder(work *w, const tc_env *env, const char *dir, tc_value *const *objs,
                         const secret_out *const *secrets, char **names, size_t n)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	size_t *order = name_order(names, n);
	tc_buf b, folder;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_init(&folder, TC_BUF_UNLIMITED);
	int rc = 0;
	size_t nfiles = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		char *path = tc_path_join(dir, names[i]);
		const char *data;
		size_t len;
		char *sdata;
		if (file_bytes(w, env, secrets ? secrets[i] : NULL, objs[i], path, &b, &sdata,
		               &data, &len) != 0) {
			rc = -1;
		} else if (!tree_of(o)) {
			tc_buf_add(&folder, "---\n", 4);
			tc_buf_add(&folder, data, len);
			nfiles++;
		} else {
			if (tc_tree_write(tree_of(o), path, data, len, &j->diags))
				rc = -1;
			nfiles++;
		}
		free(sdata);
		free(path);
	}
	if (rc == 0 && tree_of(o) && index_files(o)) {
		index_bytes(&b, names, order, n);
		char *path = tc_path_join(dir, "kustomization.yaml");
		if (tc_tree_write(tree_of(o), path, b.ptr, b.len, &j->diags))
			rc = -1;
		free(path);
		nfiles++;
	}
	unsigned long long off = 0;
	if (rc == 0 && !tree_of(o) &&
	    tc_spool_put(spool_of(o), folder.ptr ? folder.ptr : "", folder.len, &off, &j->diags))
		rc = -1;
	if (rc == 0)
		tc_render_add_chunk(j, dir, strlen(dir), nfiles, off, folder.len);
	tc_buf_release(&folder);
	tc_buf_release(&b);
	free(order);
	return rc;
}

/* Not streaming: every file of the folder into the job's list (and the
 * sink), a decrypted Secret only as a secret entry. */
static int store_folder(work *w, const tc_env *env, const char *dir, tc_value *const *objs,
                        const secret_out *const *secrets, char **names, size_t n)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	int rc = 0;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_path_join(dir, names[i]);
		if (secrets && secrets[i]) {
			char *data = NULL;
			size_t len = 0;
			bool plain;
			if (tc_render_secret_bytes(w, env, secrets[i], path, &data, &len, &plain)) {
				free(path);
				rc = -1;
			} else if (plain) {
				tc_outlist_add_secret(&j->files, path, data, len);
			} else {
				tc_render_store(o, j, path, data, len, true);
			}
			continue;
		}
		tc_buf_reset(&b);
		tc_yaml_emit(&b, objs[i]);
		tc_render_store(o, j, path, tc_xmemdup0(b.ptr ? b.ptr : "", b.len), b.len, true);
	}
	if (index_files(o)) {
		size_t *order = name_order(names, n);
		index_bytes(&b, names, order, n);
		free(order);
		tc_render_store(o, j, tc_path_join(dir, "kustomization.yaml"),
		                tc_xmemdup0(b.ptr, b.len), b.len, false);
	}
	tc_buf_release(&b);
	return rc;
}

/* Name, emit and store the objects of one output folder. secrets[i] is
 * non-NULL for Secrets whose bytes come from SOPS. */
int tc_render_write_folder(work *w, const tc_env *env, const char *dir, tc_value *const *objs,
                           const secret_out *const *secrets, size_t n)
{
	job *j = w->j;
	if (n == 0)
		return 0;
	char **names = tc_xcalloc(n, sizeof *names);
	int rc = tc_output_names(names, (const tc_value *const *)objs, n, &j->diags);
	if (rc == 0)
		rc = w->p->stream ? stream_folder(w, env, dir, objs, secrets, names, n)
		                  : store_folder(w, env, dir, objs, secrets, names, n);
	if (rc == 0)
		j->nobjects += n;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
