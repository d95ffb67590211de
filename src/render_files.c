/*
 * render_files.c - the file helpers of templates (see render_files.h).
 *
 * The helpers read files that repo.c loaded and filecheck.c checked (keys,
 * signatures), so what a template embeds has passed those checks. Results
 * are built in the job's arena at the calling expression's position;
 * messages name the file by its repository path.
 */
#include "render_files.h"

#include "base64.h"
#include "filecheck.h"
#include "k8s.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

enum { MODE_TEXT, MODE_BASE64, MODE_IS_TEXT, MODE_SHA256 };

static const struct {
	const char *tenant, *repo;
	int mode;
} helpers[] = {
	{"file", "repoFile", MODE_TEXT},
	{"fileBase64", "repoFileBase64", MODE_BASE64},
	{"fileIsText", "repoFileIsText", MODE_IS_TEXT},
	{"fileSha256", "repoFileSha256", MODE_SHA256},
};

static const tc_file *lookup(const tc_file_host *h, const tc_value *p)
{
	/* files are sorted by path bytes (repo.c) */
	size_t lo = 0, hi = h->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = h->files[mid].path;
		size_t sl = strlen(s), n = p->u.str.len < sl ? p->u.str.len : sl;
		int c = memcmp(s, p->u.str.ptr, n);
		if (c == 0)
			c = sl < p->u.str.len ? -1 : sl > p->u.str.len;
		if (c == 0)
			return &h->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void size_text(char *out, size_t n, size_t bytes)
{
	snprintf(out, n, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

static int host_file(tc_value **out, void *ud, tc_arena *a, tc_diags *d, tc_pos pos,
                     tc_value *const *args, size_t nargs)
{
	const tc_file_host *h = ud;
	if (nargs != 1 || args[0]->kind != TC_STR)
		return tc_error(d, pos, NULL, "%s() takes one string argument, a path below %s/",
		                h->name, h->base);
	const tc_value *p = args[0];
	const tc_file *f = lookup(h, p);
	if (!f)
		return tc_error(d, pos, NULL, "%s('%.*s'): no such file in %s", h->name,
		                (int)p->u.str.len, p->u.str.ptr, h->base);
	if ((h->mode == MODE_TEXT || h->mode == MODE_BASE64) && f->len > TC_K8S_MAX_DATA) {
		/* kubernetes/kubernetes pkg/apis/core/validation ValidateConfigMap:
		 * data and binaryData together at most core.MaxSecretSize, 1 MiB */
		char size[32];
		size_text(size, sizeof size, f->len);
		return tc_error(d, pos, NULL,
		                "%s('%s'): '%s/%s' is %s, over the 1 MiB a ConfigMap or Secret "
		                "can hold: ship it in a volume instead (a PersistentVolumeClaim "
		                "filled by a Job, or an OCI artifact; docs/templates.md, "
		                "\"Large files\"), checked with %s()",
		                h->name, f->path, h->base, f->path, size,
		                h->name[0] == 'r' ? "repoFileSha256" : "fileSha256");
	}
	switch (h->mode) {
	case MODE_TEXT:
		*out = tc_value_str_ref(a, f->data, f->len, pos);
		return 0;
	case MODE_IS_TEXT:
		*out = tc_value_bool(a, tc_filecheck_is_utf8(f->data, f->len), pos);
		return 0;
	case MODE_BASE64: {
		size_t n = tc_base64_encoded_len(f->len, true);
		char *s = tc_arena_alloc(a, n + 1);
		n = tc_base64_encode(s, f->data, f->len, true);
		*out = tc_value_str_ref(a, s, n, pos);
		return 0;
	}
	default: {
		unsigned char md[32];
		unsigned mdlen = 0;
		if (!EVP_Digest(f->data, f->len, md, &mdlen, EVP_sha256(), NULL))
			return tc_fail(d, pos, NULL, "%s(): SHA-256 failed", h->name);
		char *s = tc_arena_alloc(a, 65);
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(s + 2 * i, 3, "%02x", md[i]);
		*out = tc_value_str_ref(a, s, 64, pos);
		return 0;
	}
	}
}

size_t tc_render_file_hosts(tc_jsone_host host[TC_FILE_HOSTS_MAX],
                            tc_file_host ud[TC_FILE_HOSTS_MAX], const tc_repo *r,
                            const tc_tenant *t, tc_arena *a)
{
	size_t n = 0;
	/* the folder the tenant's helpers name in messages, made once */
	const char *tenant_files = t ? tc_arena_printf(a, "tenants/%s/files", t->name) : NULL;
	for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++) {
		ud[n] = (tc_file_host){r->files, r->nfiles, "files", helpers[i].repo,
		                       helpers[i].mode};
		host[n] = (tc_jsone_host){helpers[i].repo, host_file, &ud[n]};
		n++;
		if (!t)
			continue;
		ud[n] = (tc_file_host){t->files, t->nfiles, tenant_files, helpers[i].tenant,
		                       helpers[i].mode};
		host[n] = (tc_jsone_host){helpers[i].tenant, host_file, &ud[n]};
		n++;
	}
	return n;
}

tc_value *tc_render_file_list(tc_arena *a, const tc_file *files, size_t n)
{
	tc_value **paths = tc_arena_alloc(a, (n + 1) * sizeof *paths);
	for (size_t i = 0; i < n; i++)
		paths[i] = tc_value_strz(a, files[i].path, TC_NOPOS);
	return tc_value_array(a, paths, n, TC_NOPOS);
}
