/*
 * sops_render.c - the Secret step of a render, alone, for the integration
 * tests (what render.c does with one input Secret, through sops.h):
 *
 *   sops_render INPUT NAMESPACE [--prev FILE] --repo R... --env R...
 *
 * Identities come from SOPS_AGE_KEY(_FILE). With a rendering identity (one
 * whose recipient is among the --repo recipients) INPUT is decrypted, put in
 * NAMESPACE and encrypted to the --repo and --env recipients with the
 * deterministic profile; without one the earlier output (--prev) is carried
 * over or the Secret is reported. The rendered file goes to stdout.
 */
#include "sops.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		tc_buf_add(&b, tmp, n);
	fclose(f);
	return tc_buf_detach(&b, len);
}

/* A copy of obj with metadata.namespace set. */
static tc_value *with_namespace(tc_arena *a, const tc_value *obj, const char *ns)
{
	tc_objb top;
	tc_objb_init(&top);
	for (size_t i = 0; i < obj->u.obj.len; i++) {
		const tc_member *m = &obj->u.obj.members[i];
		if (strcmp(m->key, "metadata") != 0 || m->val->kind != TC_OBJECT) {
			tc_objb_add(&top, m->key, m->klen, m->kpos, m->val);
			continue;
		}
		tc_objb md;
		tc_objb_init(&md);
		for (size_t k = 0; k < m->val->u.obj.len; k++) {
			const tc_member *x = &m->val->u.obj.members[k];
			if (strcmp(x->key, "namespace") != 0)
				tc_objb_add(&md, x->key, x->klen, x->kpos, x->val);
		}
		tc_objb_addz(&md, "namespace", tc_value_strz(a, ns, m->val->pos));
		tc_objb_add(&top, m->key, m->klen, m->kpos, tc_objb_finish(&md, a, m->val->pos, NULL));
	}
	return tc_objb_finish(&top, a, obj->pos, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: sops_render INPUT NAMESPACE [--prev FILE] --repo R... --env R...\n", stderr);
		return 2;
	}
	const char *input = argv[1], *ns = argv[2], *prev_path = NULL;
	const char *repo[16], *all[32];
	size_t nrepo = 0, nall = 0;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--prev"))
			prev_path = argv[i + 1];
		else if (!strcmp(argv[i], "--repo") && nrepo < 16 && nall < 32)
			repo[nrepo++] = all[nall++] = argv[i + 1];
		else if (!strcmp(argv[i], "--env") && nall < 32)
			all[nall++] = argv[i + 1];
	}
	if (sodium_init() < 0)
		return 3;
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *keys = NULL;
	tc_sops_seed *seed = NULL;
	size_t len = 0, plen = 0;
	char *data = slurp(input, &len), *prev = prev_path ? slurp(prev_path, &plen) : NULL;
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	if (!data) {
		fprintf(stderr, "%s: cannot read\n", input);
		return 2;
	}
	if (tc_sops_keys_from_env(&keys, &d) != 0)
		goto done;
	seed = tc_sops_seed_new(keys, repo, nrepo);
	tc_value *secret = NULL;
	tc_sops_info info;
	int r = seed ? tc_sops_decrypt(&secret, &info, &a, &sm, &d, keys, input, data, len)
	             : tc_sops_read_clear(&secret, &info, &a, &d, input, data, len);
	if (r != 0)
		goto done;
	tc_sops_render_in in = {with_namespace(&a, secret, ns), all, nall, info.lastmodified,
	                        input, prev, plen, prev_path, NULL};
	r = seed ? tc_sops_encrypt_render(&out, &d, &sm, seed, keys, &in) : tc_sops_carry_over(&out, &d, &in);
	if (r == 0)
		fwrite(out.ptr, 1, out.len, stdout);
done:
	tc_diags_print(&d, stderr);
	int rc = tc_diags_exit_code(&d);
	tc_buf_release(&out);
	free(data);
	free(prev);
	tc_sops_seed_free(seed);
	tc_sops_keys_free(keys);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
	return rc;
}
