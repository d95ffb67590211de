/*
 * test_sops.c - unit tests for sops_yaml.c, sops_file.c and sops.c.
 *
 *   test_sops                   cases that need nothing outside the repository
 *   test_sops --fixtures DIR    cases on ../shared/fixtures/sops, read in
 *                               place (exit 77 when DIR is absent)
 */
#include "sops.h"

#include "sops_file.h"
#include "sops_yaml.h"
#include "yaml_load.h"

#include "tc_test.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *fixtures;

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

static char *fixture(const char *rel, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", fixtures, rel);
	return slurp(path, len);
}

/* Keys from one or two fixture key files. */
static tc_sops_keys *keys_from(tc_arena *a, const char *k1, const char *k2)
{
	size_t n1 = 0, n2 = 0;
	char *t1 = k1 ? fixture(k1, &n1) : NULL, *t2 = k2 ? fixture(k2, &n2) : NULL;
	tc_buf text;
	tc_buf_init(&text, TC_BUF_UNLIMITED);
	if (t1)
		tc_buf_add(&text, t1, n1);
	tc_buf_addc(&text, '\n');
	if (t2)
		tc_buf_add(&text, t2, n2);
	free(t1);
	free(t2);
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *k = NULL;
	if (tc_sops_keys_load(&k, &d, NULL, tc_buf_str(&text)) != 0)
		tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	tc_buf_release(&text);
	(void)a;
	return k;
}

static bool diags_contain(const tc_diags *d, const char *s)
{
	for (size_t i = 0; i < d->len; i++)
		if (strstr(d->items[i].msg, s))
			return true;
	return false;
}

/* The file is named in the message or is the diagnostic's file. */
static bool diags_name(const tc_diags *d, const char *file)
{
	for (size_t i = 0; i < d->len; i++)
		if (strstr(d->items[i].msg, file) ||
		    (d->items[i].file && !strcmp(d->items[i].file, file)))
			return true;
	return false;
}

/* A plaintext value must never appear in any diagnostic. */
static bool diags_leak(const tc_diags *d, const char *s)
{
	for (size_t i = 0; i < d->len; i++)
		if (strstr(d->items[i].msg, s) || (d->items[i].path && strstr(d->items[i].path, s)))
			return true;
	return false;
}

static const tc_value *dig(const tc_value *v, const char *dotted)
{
	return tc_value_dig(v, dotted);
}

/* ---- fixtures: real sops files ------------------------------------------------------------- */

static int decrypt_fixture(tc_value **out, tc_arena *a, tc_secmem *sm, tc_diags *d,
                           const tc_sops_keys *k, const char *rel)
{
	size_t len = 0;
	char *data = fixture(rel, &len);
	if (!data)
		return -2;
	tc_sops_info info;
	int rc = tc_sops_decrypt(out, &info, a, sm, d, k, rel, data, len);
	free(data);
	return rc;
}

TEST(flux_fixtures_decrypt_with_their_published_keys)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *k = keys_from(&a, "flux-kustomize-controller/age.agekey",
	                            "flux-kustomize-controller/age-global.agekey");
	CHECK(k && tc_sops_keys_count(k) == 2);
	static const char *const files[] = {
		"flux-kustomize-controller/algorithms-age.yaml",
		"flux-kustomize-controller/patches-merge1.yaml",
		"flux-kustomize-controller/patches-merge2.yaml",
		"flux-kustomize-controller/global-secret.yaml",
		"flux-kustomize-controller/files-file.sops.json",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		tc_value *v = NULL;
		int rc = decrypt_fixture(&v, &a, &sm, &d, k, files[i]);
		if (rc)
			tc_diags_print(&d, stderr);
		CHECK(rc == 0);
	}
	tc_value *v = NULL;
	CHECK(decrypt_fixture(&v, &a, &sm, &d, k,
	                      "flux-kustomize-controller/algorithms-age.yaml") == 0);
	const tc_value *key = dig(v, "stringData.key");
	CHECK(key && key->kind == TC_STR && (key->flags & TC_VAL_SECRET));
	CHECK(tc_value_streq(dig(v, "metadata.name"), "age"));
	CHECK(!(dig(v, "metadata.name")->flags & TC_VAL_SECRET));
	tc_sops_keys_free(k);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(humphd_fixtures_decrypt_to_their_known_plaintext_with_every_type)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *k = keys_from(&a, "humphd-sops-age/key.txt", NULL);
	CHECK(k);
	static const char *const files[] = {"humphd-sops-age/secret.enc.yaml",
	                                    "humphd-sops-age/secret.enc.json"};
	for (size_t i = 0; i < 2; i++) {
		tc_value *v = NULL;
		int rc = decrypt_fixture(&v, &a, &sm, &d, k, files[i]);
		if (rc)
			tc_diags_print(&d, stderr);
		CHECK(rc == 0);
		CHECK(tc_value_streq(dig(v, "secret"), "this is a secret"));
		CHECK(tc_value_streq(dig(v, "string"), "string"));
		/* sops' JSON store reads every number as a float64: "type:float" there */
		CHECK(dig(v, "int")->kind == (i == 0 ? TC_INT : TC_FLOAT));
		CHECK(tc_value_num(dig(v, "int")) == 7);
		CHECK(dig(v, "float")->kind == TC_FLOAT && dig(v, "float")->u.f == 3.14);
		CHECK(dig(v, "boolean")->kind == TC_BOOL && dig(v, "boolean")->u.b);
		CHECK(tc_value_streq(dig(v, "complex.value"), "this is a secret"));
		const tc_value *arr = dig(v, "complex.array");
		CHECK(arr && arr->kind == TC_ARRAY && arr->u.arr.len == 3);
		CHECK(tc_value_streq(arr->u.arr.items[2], "three"));
		CHECK(arr->u.arr.items[2]->flags & TC_VAL_SECRET);
	}
	tc_sops_keys_free(k);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(generated_fixtures_decrypt_for_both_recipients_and_typed_values_verify)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	static const char *const keys[] = {"generated/age.agekey",
	                                   "flux-kustomize-controller/age.agekey"};
	for (size_t i = 0; i < 2; i++) {
		tc_sops_keys *k = keys_from(&a, keys[i], NULL);
		tc_value *v = NULL;
		CHECK(decrypt_fixture(&v, &a, &sm, &d, k, "generated/secret.sops.yaml") == 0);
		size_t plen = 0;
		char *ptext = fixture("generated/secret.plain.yaml", &plen);
		tc_value *plain = NULL;
		CHECK(ptext && tc_yaml_load(&plain, &a, &d, "plain", ptext, plen, NULL) == 0);
		free(ptext);
		CHECK(tc_value_equal(v, plain));
		CHECK(tc_value_streq(dig(v, "stringData.unicode"), "päss—wörd ✓"));
		CHECK(tc_value_streq(dig(v, "stringData.empty"), ""));
		tc_sops_keys_free(k);
	}
	tc_sops_keys *k = keys_from(&a, "generated/age.agekey", NULL);
	static const char *const typed[] = {"generated/typed-values.sops.yaml",
	                                    "generated/typed-values.noncanonical.sops.yaml"};
	for (size_t i = 0; i < 2; i++) {
		tc_value *v = NULL;
		int rc = decrypt_fixture(&v, &a, &sm, &d, k, typed[i]);
		if (rc)
			tc_diags_print(&d, stderr);
		CHECK(rc == 0);
		CHECK(dig(v, "secret_int")->kind == TC_INT && dig(v, "secret_int")->u.i == 7);
		CHECK(dig(v, "secret_float")->kind == TC_FLOAT &&
		      dig(v, "secret_float")->u.f == 3.14);
		CHECK(dig(v, "secret_bool")->kind == TC_BOOL && !dig(v, "secret_bool")->u.b);
		CHECK(tc_value_streq(dig(v, "secret_str"), "hello"));
		CHECK(dig(v, "plain_unencrypted.octal_unencrypted")->u.i == 493);
	}
	tc_sops_keys_free(k);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(every_tampered_fixture_is_rejected_with_an_error_naming_the_file)
{
	static const char *const files[] = {
		"age-enc-corrupted.yaml",    "clear-key-added.yaml",
		"clear-value-changed.yaml",  "enc-value-flipped.yaml",
		"enc-value-plaintext.yaml",  "enc-value-renamed-key.yaml",
		"lastmodified-changed.yaml", "lastmodified-unquoted.yaml",
		"list-items-swapped.yaml",   "mac-empty.yaml",
		"mac-flipped.yaml",          "version-not-semver.yaml",
	};
	tc_arena a;
	tc_arena_init(&a);
	tc_sops_keys *k =
		keys_from(&a, "flux-kustomize-controller/age.agekey", "humphd-sops-age/key.txt");
	CHECK(k);
	size_t rejected = 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		tc_secmem sm;
		tc_secmem_init(&sm);
		tc_diags d;
		tc_diags_init(&d);
		const char *rel = tc_arena_printf(&a, "tampered/%s", files[i]);
		tc_value *v = NULL;
		int rc = decrypt_fixture(&v, &a, &sm, &d, k, rel);
		if (rc == -1 && d.len > 0 && diags_name(&d, rel) &&
		    !diags_leak(&d, "this is a secret"))
			rejected++;
		else
			fprintf(stderr, "tampered/%s: rc %d, %zu diagnostics\n", files[i], rc,
			        d.len);
		tc_diags_release(&d);
		tc_secmem_release(&sm);
	}
	printf("sops-tampered: %zu/%zu rejected\n", rejected, sizeof files / sizeof files[0]);
	CHECK(rejected == sizeof files / sizeof files[0]);
	tc_sops_keys_free(k);
	tc_arena_release(&a);
}

TEST(a_file_for_another_key_fails_with_no_identity_can_decrypt)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *k = keys_from(&a, "humphd-sops-age/key.txt", NULL);
	tc_value *v = NULL;
	CHECK(decrypt_fixture(&v, &a, &sm, &d, k,
	                      "flux-kustomize-controller/algorithms-age.yaml") == -1);
	CHECK(diags_contain(
		&d, "no identity can decrypt 'flux-kustomize-controller/algorithms-age.yaml'"));
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(decrypt_fixture(&v, &a, &sm, &d, NULL,
	                      "flux-kustomize-controller/algorithms-age.yaml") == -1);
	CHECK(diags_contain(&d, "SOPS_AGE_KEY_FILE"));
	tc_sops_keys_free(k);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

/* Encrypt a plaintext fixture with the profile and the given seed and
 * compare with the sops fixture byte for byte. */
static int reproduce(const char *plain_rel, const char *sops_rel, const char *fid,
                     const char *const *rc, size_t nrc, tc_sops_rule rule)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	size_t plen = 0, slen = 0;
	char *ptext = fixture(plain_rel, &plen), *want = fixture(sops_rel, &slen);
	tc_snode **docs = NULL;
	size_t n = 0;
	int rc_ = -1;
	unsigned char seed[32];
	static const char seed_hex[] =
		"3ade9245b5146e13466020eb3d1dc95fedc1d16e2c7233c598a11bde934a4060";
	for (int i = 0; i < 32; i++)
		sscanf(seed_hex + 2 * i, "%2hhx", &seed[i]);
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	if (ptext && want &&
	    tc_sops_yaml_read(&docs, &n, &a, &sm, &d, plain_rel, ptext, plen, 0) == 0 && n == 1) {
		tc_sops_profile prof = {seed, fid, strlen(fid)};
		tc_sops_write_opts o = {.rule = rule,
		                        .lastmodified = "2025-01-01T00:00:00Z",
		                        .recipients = rc,
		                        .nrecipients = nrc,
		                        .profile = &prof};
		if (tc_sops_write(&out, &d, &sm, plain_rel, docs[0], &o, NULL) == 0) {
			rc_ = out.len == slen && memcmp(out.ptr, want, slen) == 0 ? 0 : 1;
			if (rc_)
				fprintf(stderr, "--- got\n%s--- want\n%s", tc_buf_str(&out), want);
		}
	}
	tc_diags_print(&d, stderr);
	tc_buf_release(&out);
	free(ptext);
	free(want);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
	return rc_;
}

TEST(the_generated_fixtures_are_reproduced_byte_for_byte_by_the_profile)
{
	static const char *const two[] =
		{"age1360q0zqgylp3q9ce0vgxucf0e4eyh728mvxnzpxskzzrt0rygarsvv8a3w",
	         "age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29"};
	CHECK(reproduce("generated/secret.plain.yaml", "generated/secret.sops.yaml",
	                "tenant-acme/tenant-acme-db", two, 2, tc_sops_default_rule) == 0);
	tc_sops_rule suffix = {TC_SOPS_UNENCRYPTED_SUFFIX, "_unencrypted"};
	CHECK(reproduce("generated/typed-values.plain.yaml", "generated/typed-values.sops.yaml",
	                "typed-values", two, 1, suffix) == 0);
}

/* Flip every byte of a fixture (xor 1) and cut it at every length: no
 * crash (run under ASan), and every change to a value of the document
 * (the text after "key: " on the lines before "sops:") is detected. Keys
 * and parts of the metadata sops does not authenticate (another
 * recipient's entry, the version) may change without notice, as in sops,
 * and so may two things its format cannot tell apart: the unused low bits
 * of a base64 character before '=' padding (Go's decoder ignores them),
 * and "" turned into null (neither contributes bytes to the MAC). */
static size_t mutate(const char *rel, const char *k1, size_t *undetected)
{
	tc_arena a;
	tc_arena_init(&a);
	size_t len = 0, tried = 0;
	char *orig = fixture(rel, &len);
	tc_sops_keys *k = keys_from(&a, k1, NULL);
	if (!orig || !k)
		return 0;
	const char *meta = strstr(orig, "\nsops:");
	size_t body = meta ? (size_t)(meta - orig) : 0;
	char *buf = tc_xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		for (int cut = 0; cut < 2; cut++) {
			memcpy(buf, orig, len);
			buf[len] = 0;
			size_t n = len;
			if (cut)
				n = i;
			else
				buf[i] ^= 1;
			tc_secmem sm;
			tc_secmem_init(&sm);
			tc_diags d;
			tc_diags_init(&d);
			tc_value *v = NULL;
			tc_sops_info info;
			tc_arena scratch;
			tc_arena_init(&scratch);
			int rc = tc_sops_decrypt(&v, &info, &scratch, &sm, &d, k, rel, buf, n);
			tried++;
			if (!cut && i < body && rc == 0) {
				/* inside a value: after ": " on its line, before the line end */
				size_t b = i;
				while (b > 0 && orig[b - 1] != '\n')
					b--;
				const char *colon = memmem(orig + b, i - b, ": ", 2);
				bool pad_bits = i + 1 < len && orig[i + 1] == '=';
				bool empty = i + 2 < len && !memcmp(orig + i, "\"\"\n", 3);
				if (colon && orig[i] != '\n' && orig[i] != ' ' && !pad_bits &&
				    !empty) {
					fprintf(stderr, "%s: change at byte %zu not detected\n",
					        rel, i);
					(*undetected)++;
				}
			}
			tc_arena_release(&scratch);
			tc_diags_release(&d);
			tc_secmem_release(&sm);
		}
	}
	free(buf);
	free(orig);
	tc_sops_keys_free(k);
	tc_arena_release(&a);
	return tried;
}

TEST(single_byte_changes_never_crash_and_changed_values_are_detected)
{
	size_t undetected = 0, tried = 0;
	tried += mutate("flux-kustomize-controller/algorithms-age.yaml",
	                "flux-kustomize-controller/age.agekey", &undetected);
	tried += mutate("generated/secret.sops.yaml", "generated/age.agekey", &undetected);
	tried += mutate("humphd-sops-age/secret.enc.yaml", "humphd-sops-age/key.txt", &undetected);
	printf("sops-mutations: %zu decrypts of changed files, %zu value changes undetected\n",
	       tried, undetected);
	CHECK(tried > 10000 && undetected == 0);
}

/* ---- unit cases ---------------------------------------------------------------------------- */

static tc_value *load(tc_arena *a, const char *text)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_yaml_load(&v, a, &d, "test.yaml", text, strlen(text), NULL) != 0)
		tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	return v;
}

/* Flag data/stringData values secret, as decryption does. */
static tc_value *as_decrypted(tc_arena *a, tc_value *v)
{
	static const char *const sec[] = {"data", "stringData"};
	for (int s = 0; s < 2; s++) {
		tc_value *o = tc_value_getz(v, sec[s]);
		for (size_t i = 0; o && i < o->u.obj.len; i++) {
			tc_value *c = tc_value_copy(a, o->u.obj.members[i].val);
			c->flags |= TC_VAL_SECRET;
			o->u.obj.members[i].val = c;
		}
	}
	return v;
}

static const char *secret_yaml = "apiVersion: v1\n"
				 "kind: Secret\n"
				 "metadata:\n"
				 "  name: db\n"
				 "  namespace: tenant-acme\n"
				 "type: Opaque\n"
				 "stringData:\n"
				 "  password: hunter2-very-secret\n"
				 "  user: app-user\n";

typedef struct ids3 {
	tc_sops_keys *keys; /* identities A and B */
	char ra[TC_AGE_RECIPIENT_BUF], rb[TC_AGE_RECIPIENT_BUF], rc[TC_AGE_RECIPIENT_BUF];
} ids3;

static void make_ids(ids3 *x, bool with_b)
{
	tc_age_identity id[3];
	tc_secbuf text;
	tc_secbuf_init(&text, 4096);
	for (int i = 0; i < 3; i++) {
		tc_age_identity_generate(&id[i]);
		char s[TC_AGE_IDENTITY_BUF];
		tc_age_identity_format(s, &id[i]);
		if (i == 0 || (i == 1 && with_b)) {
			tc_secbuf_adds(&text, s);
			tc_secbuf_addc(&text, '\n');
		}
		sodium_memzero(s, sizeof s);
	}
	memcpy(x->ra, id[0].recipient, sizeof x->ra);
	memcpy(x->rb, id[1].recipient, sizeof x->rb);
	memcpy(x->rc, id[2].recipient, sizeof x->rc);
	tc_diags d;
	tc_diags_init(&d);
	if (tc_sops_keys_load(&x->keys, &d, NULL, tc_secbuf_str(&text)) != 0)
		x->keys = NULL;
	tc_diags_release(&d);
	tc_secbuf_release(&text);
	sodium_memzero(id, sizeof id);
}

static int render(tc_buf *out, tc_diags *d, tc_secmem *sm, const tc_sops_seed *seed,
                  const tc_sops_keys *k, const tc_value *secret, const char *const *rc, size_t n,
                  const char *lm, const tc_buf *prev)
{
	tc_sops_render_in in = {secret,
	                        rc,
	                        n,
	                        lm,
	                        "tenants/acme/secrets/db.yaml",
	                        prev ? prev->ptr : NULL,
	                        prev ? prev->len : 0,
	                        "rendered/prod/db.yaml",
	                        NULL};
	return seed ? tc_sops_encrypt_render(out, d, sm, seed, k, &in)
	            : tc_sops_carry_over(out, d, &in);
}

static size_t differing_lines(const char *x, const char *y, char *first, size_t cap)
{
	size_t n = 0;
	first[0] = 0;
	while (*x || *y) {
		const char *ex = strchr(x, '\n'), *ey = strchr(y, '\n');
		size_t lx = ex ? (size_t)(ex - x) : strlen(x),
		       ly = ey ? (size_t)(ey - y) : strlen(y);
		if (lx != ly || memcmp(x, y, lx) != 0) {
			if (!n)
				snprintf(first, cap, "%.*s", (int)(lx < 40 ? lx : 40), x);
			n++;
		}
		x += lx + (ex ? 1 : 0);
		y += ly + (ey ? 1 : 0);
	}
	return n;
}

TEST(render_is_deterministic_and_a_changed_value_changes_only_its_enc_and_the_mac)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	ids3 x;
	make_ids(&x, false);
	const char *rc[] = {x.rb, x.ra, x.ra}; /* order and repeats do not matter */
	const char *repo[] = {x.ra};
	tc_sops_seed *seed = tc_sops_seed_new(x.keys, repo, 1);
	CHECK(seed && strcmp(tc_sops_seed_recipient(seed), x.ra) == 0);
	tc_value *s = as_decrypted(&a, load(&a, secret_yaml));
	tc_buf o1, o2, o3;
	tc_buf_init(&o1, TC_BUF_UNLIMITED);
	tc_buf_init(&o2, TC_BUF_UNLIMITED);
	tc_buf_init(&o3, TC_BUF_UNLIMITED);
	CHECK(render(&o1, &d, &sm, seed, x.keys, s, rc, 3, "2025-01-01T00:00:00Z", NULL) == 0);
	const char *rc2[] = {x.ra, x.rb};
	CHECK(render(&o2, &d, &sm, seed, x.keys, s, rc2, 2, "2025-01-01T00:00:00Z", NULL) == 0);
	CHECK(o1.len == o2.len && memcmp(o1.ptr, o2.ptr, o1.len) == 0);
	CHECK(strstr(tc_buf_str(&o1), "hunter2") == NULL);
	/* a changed value: its ENC and the mac change, nothing else */
	tc_value *s2 =
		as_decrypted(&a, load(&a, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
	                                  "  namespace: tenant-acme\ntype: Opaque\nstringData:\n"
	                                  "  password: hunter3-very-secret\n  user: app-user\n"));
	CHECK(render(&o3, &d, &sm, seed, x.keys, s2, rc, 3, "2025-01-01T00:00:00Z", NULL) == 0);
	char first[64];
	CHECK(differing_lines(tc_buf_str(&o1), tc_buf_str(&o3), first, sizeof first) == 2);
	CHECK(strstr(first, "password: ENC[") != NULL);
	/* it decrypts back, for either recipient */
	tc_value *back = NULL;
	tc_sops_info info;
	CHECK(tc_sops_decrypt(&back, &info, &a, &sm, &d, x.keys, "o1", o1.ptr, o1.len) == 0);
	CHECK(tc_value_equal(back, s) && info.nrecipients == 2);
	CHECK(strcmp(info.lastmodified, "2025-01-01T00:00:00Z") == 0);
	tc_buf_release(&o1);
	tc_buf_release(&o2);
	tc_buf_release(&o3);
	tc_sops_seed_free(seed);
	tc_sops_keys_free(x.keys);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(render_keeps_an_earlier_file_from_another_identity_when_nothing_changed)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	ids3 x;
	make_ids(&x, true);
	const char *rc[] = {x.ra, x.rb};
	const char *onlya[] = {x.ra}, *onlyb[] = {x.rb};
	tc_sops_seed *sa = tc_sops_seed_new(x.keys, onlya, 1),
		     *sb = tc_sops_seed_new(x.keys, onlyb, 1);
	CHECK(sa && sb);
	tc_value *s = as_decrypted(&a, load(&a, secret_yaml));
	tc_buf oa, ob, fresh;
	tc_buf_init(&oa, TC_BUF_UNLIMITED);
	tc_buf_init(&ob, TC_BUF_UNLIMITED);
	tc_buf_init(&fresh, TC_BUF_UNLIMITED);
	CHECK(render(&oa, &d, &sm, sa, x.keys, s, rc, 2, "2025-01-01T00:00:00Z", NULL) == 0);
	CHECK(render(&fresh, &d, &sm, sb, x.keys, s, rc, 2, "2025-01-01T00:00:00Z", NULL) == 0);
	CHECK(!(oa.len == fresh.len && memcmp(oa.ptr, fresh.ptr, oa.len) == 0));
	CHECK(render(&ob, &d, &sm, sb, x.keys, s, rc, 2, "2025-01-01T00:00:00Z", &oa) == 0);
	CHECK(ob.len == oa.len && memcmp(ob.ptr, oa.ptr, oa.len) == 0);
	tc_buf_release(&oa);
	tc_buf_release(&ob);
	tc_buf_release(&fresh);
	tc_sops_seed_free(sa);
	tc_sops_seed_free(sb);
	tc_sops_keys_free(x.keys);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(carry_over_keeps_unchanged_secrets_and_names_a_changed_one)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	ids3 x;
	make_ids(&x, false);
	const char *rc[] = {x.ra, x.rc};
	tc_sops_seed *seed = tc_sops_seed_new(x.keys, rc, 2);
	tc_value *s = as_decrypted(&a, load(&a, secret_yaml));
	/* the input file, as sops would have it (any data key) */
	tc_buf input, prev, out;
	tc_buf_init(&input, TC_BUF_UNLIMITED);
	tc_buf_init(&prev, TC_BUF_UNLIMITED);
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	CHECK(render(&input, &d, &sm, seed, x.keys, s, rc, 2, "2025-02-03T04:05:06Z", NULL) == 0);
	/* the earlier output was made from exactly these input bytes */
	const tc_value *sd = tc_sops_with_source_digest(&a, s, input.ptr, input.len);
	CHECK(render(&prev, &d, &sm, seed, x.keys, sd, rc, 2, "2025-02-03T04:05:06Z", NULL) == 0);
	CHECK(strstr(tc_buf_str(&prev), TC_SOPS_SOURCE_DIGEST ": \"sha256:") != NULL);
	tc_value *shape = NULL;
	tc_sops_info info;
	CHECK(tc_sops_read_clear(&shape, &info, &a, &d, "input.yaml", input.ptr, input.len) == 0);
	CHECK(dig(shape, "stringData.password")->flags & TC_VAL_SECRET);
	const tc_value *dshape = tc_sops_with_source_digest(&a, shape, input.ptr, input.len);
	CHECK(render(&out, &d, NULL, NULL, NULL, dshape, rc, 2, info.lastmodified, &prev) == 0);
	CHECK(out.len == prev.len && memcmp(out.ptr, prev.ptr, out.len) == 0);
	/* issue 21: one flipped ciphertext byte, lastmodified and shape the
	 * same, is a change (the digest differs) */
	char *enc = strstr(input.ptr, "password: ENC[AES256_GCM,data:");
	CHECK(enc != NULL);
	char was = enc[30];
	enc[30] = was == 'A' ? 'B' : 'A';
	tc_value *fshape = NULL;
	CHECK(tc_sops_read_clear(&fshape, &info, &a, &d, "input.yaml", input.ptr, input.len) == 0);
	tc_buf_reset(&out);
	CHECK(render(&out, &d, NULL, NULL, NULL,
	             tc_sops_with_source_digest(&a, fshape, input.ptr, input.len), rc, 2,
	             info.lastmodified, &prev) == -1);
	CHECK(diags_contain(&d, "its file changed (sha256:"));
	enc[30] = was;
	/* an earlier output that records no digest is not carried over */
	tc_buf nodigest;
	tc_buf_init(&nodigest, TC_BUF_UNLIMITED);
	CHECK(render(&nodigest, &d, &sm, seed, x.keys, s, rc, 2, "2025-02-03T04:05:06Z", NULL) ==
	      0);
	CHECK(render(&out, &d, NULL, NULL, NULL, dshape, rc, 2, info.lastmodified, &nodigest) ==
	      -1);
	CHECK(diags_contain(&d, "does not record the input it was made from"));
	tc_buf_release(&nodigest);
	/* changed lastmodified: an error naming the Secret */
	tc_buf_reset(&out);
	CHECK(render(&out, &d, NULL, NULL, NULL, dshape, rc, 2, "2025-03-01T00:00:00Z", &prev) ==
	      -1);
	CHECK(diags_contain(&d, "Secret 'tenant-acme/db'") && diags_contain(&d, "it changed"));
	/* another recipient */
	const char *rc3[] = {x.ra, x.rb, x.rc};
	CHECK(render(&out, &d, NULL, NULL, NULL, dshape, rc3, 3, info.lastmodified, &prev) == -1);
	CHECK(diags_contain(&d, "recipients changed"));
	/* a clear field changed */
	tc_value *moved = load(&a, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
	                           "  namespace: other\ntype: Opaque\nstringData:\n  password: x\n"
	                           "  user: y\n");
	tc_value *mshape = NULL;
	tc_buf minput;
	tc_buf_init(&minput, TC_BUF_UNLIMITED);
	CHECK(render(&minput, &d, &sm, seed, x.keys, as_decrypted(&a, moved), rc, 2,
	             "2025-02-03T04:05:06Z", NULL) == 0);
	CHECK(tc_sops_read_clear(&mshape, &info, &a, &d, "m.yaml", minput.ptr, minput.len) == 0);
	/* (its namespace moved, the input file is the same) */
	CHECK(render(&out, &d, NULL, NULL, NULL,
	             tc_sops_with_source_digest(&a, mshape, input.ptr, input.len), rc, 2,
	             info.lastmodified, &prev) == -1);
	CHECK(diags_contain(&d, "differs from the earlier output at .metadata.namespace"));
	/* no earlier output */
	CHECK(render(&out, &d, NULL, NULL, NULL, dshape, rc, 2, info.lastmodified, NULL) == -1);
	CHECK(diags_contain(&d, "no earlier output"));
	CHECK(!diags_leak(&d, "hunter2"));
	tc_buf_release(&minput);
	tc_buf_release(&input);
	tc_buf_release(&prev);
	tc_buf_release(&out);
	tc_sops_seed_free(seed);
	tc_sops_keys_free(x.keys);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(source_digest_is_the_sha256_of_the_whole_file_and_keeps_other_annotations)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_value *s = load(&a, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
	                       "  annotations:\n    keep: me\n"
	                       "    tenantc.io/source-digest: sha256:forged\n");
	const tc_value *d = tc_sops_with_source_digest(&a, s, "abc", 3);
	const tc_value *an = dig(d, "metadata.annotations");
	CHECK(an && an->kind == TC_OBJECT && an->u.obj.len == 2);
	CHECK(tc_value_streq(tc_value_getz(an, "keep"), "me"));
	/* SHA-256("abc"), FIPS 180-2 appendix B.1; a forged value is replaced */
	CHECK(tc_value_streq(
		tc_value_getz(an, TC_SOPS_SOURCE_DIGEST),
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(tc_value_streq(dig(d, "metadata.name"), "db") &&
	      tc_value_streq(dig(d, "kind"), "Secret"));
	/* the input value is not changed */
	CHECK(tc_value_streq(tc_value_getz(dig(s, "metadata.annotations"), TC_SOPS_SOURCE_DIGEST),
	                     "sha256:forged"));
	/* without annotations, one is made */
	const tc_value *e =
		tc_sops_with_source_digest(&a, load(&a, "kind: Secret\nmetadata:\n  name: x\n"), "",
	                                   0);
	CHECK(tc_value_streq(
		tc_value_getz(dig(e, "metadata.annotations"), TC_SOPS_SOURCE_DIGEST),
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	tc_arena_release(&a);
}

TEST(a_decrypted_value_outside_data_is_refused_instead_of_written_in_clear)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	ids3 x;
	make_ids(&x, false);
	const char *rc[] = {x.ra};
	tc_sops_seed *seed = tc_sops_seed_new(x.keys, rc, 1);
	tc_value *s = load(&a, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
	                       "  namespace: ns\n  annotations:\n    leak: hunter2-very-secret\n");
	tc_value *ann = (tc_value *)dig(s, "metadata.annotations");
	ann->u.obj.members[0].val->flags |= TC_VAL_SECRET;
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	CHECK(render(&out, &d, &sm, seed, x.keys, s, rc, 1, "2025-01-01T00:00:00Z", NULL) == -1);
	CHECK(diags_contain(&d, "clear text") && !diags_leak(&d, "hunter2"));
	tc_buf_release(&out);
	tc_sops_seed_free(seed);
	tc_sops_keys_free(x.keys);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(leak_scanner_names_object_and_key_but_never_the_value)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *s =
		as_decrypted(&a, load(&a, "kind: Secret\nmetadata: {name: db, namespace: ns}\n"
	                                  "stringData: {password: hunter2-very-secret, pin: '12'}\n"
	                                  "data: {token: c3VwZXItdG9rZW4tdmFsdWU=}\n"));
	tc_sops_leaks l;
	tc_sops_leaks_init(&l, &a, &sm);
	tc_sops_leaks_add(&l, s, "ns/db");
	tc_value *cm = load(&a, "kind: ConfigMap\nmetadata: {name: app, namespace: ns}\n"
	                        "data:\n  conf: 'url=postgres://u:hunter2-very-secret@db'\n"
	                        "  pin: '12'\n");
	CHECK(tc_sops_leaks_scan(&d, &l, cm) == -1);
	CHECK(diags_contain(&d, "ConfigMap 'ns/app'") && diags_contain(&d, "stringData.password") &&
	      diags_contain(&d, "Secret 'ns/db'"));
	CHECK(d.len == 1 && !diags_leak(&d, "hunter2"));
	/* the decoded form of a data value and the base64 form of a stringData value */
	tc_value *ann = load(&a, "kind: Deployment\nmetadata:\n  name: x\n  annotations:\n"
	                         "    a: super-token-value\n    b: aHVudGVyMi12ZXJ5LXNlY3JldA==\n");
	CHECK(tc_sops_leaks_scan(&d, &l, ann) == -1);
	CHECK(d.len == 3 && diags_contain(&d, "data.token"));
	/* short values are not scanned for; Secrets are skipped */
	CHECK(tc_sops_leaks_scan(&d, &l, load(&a, "kind: ConfigMap\ndata: {a: '12'}\n")) == 0);
	CHECK(tc_sops_leaks_scan(&d, &l, s) == 0);
	tc_sops_leaks_release(&l);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

TEST(plaintext_secret_guard_finds_documents_and_lines)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const char *multi =
		"kind: ConfigMap\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: x}\n";
	CHECK(tc_sops_scan_plain(&d, "tenants/acme/files/x.yaml", multi, strlen(multi)) == -1);
	CHECK(d.len == 1 && d.items[0].line == 4 &&
	      strcmp(d.items[0].file, "tenants/acme/files/x.yaml") == 0);
	const char *enc = "kind: Secret\nsops:\n  mac: ENC[AES256_GCM,data:x]\n";
	CHECK(tc_sops_scan_plain(&d, "s.yaml", enc, strlen(enc)) == 0);
	const char *notyaml = "server {\n  x: [\n}\nkind: \"Secret\"\n";
	CHECK(tc_sops_scan_plain(&d, "nginx.conf", notyaml, strlen(notyaml)) == -1);
	CHECK(d.len == 2 && d.items[1].line == 4);
	CHECK(tc_sops_is_plain_secret(load(&a, "kind: Secret\ndata: {}\n")));
	CHECK(!tc_sops_is_plain_secret(load(&a, "kind: Secret\nsops: {mac: 'ENC[x]'}\n")));
	CHECK(!tc_sops_is_plain_secret(load(&a, "kind: ConfigMap\n")));
	CHECK(tc_sops_check_plain(&d,
	                          load(&a, "kind: Secret\nmetadata: {name: a, namespace: b}\n")) ==
	      -1);
	CHECK(diags_contain(&d, "plaintext Secret 'b/a'"));
	tc_diags_release(&d);
	tc_arena_release(&a);
}

TEST(yaml_v3_typing_matches_the_spec_table)
{
	static const struct {
		const char *text;
		tc_stype type;
		const char *mac;
	} cases[] = {
		{"0755", TC_ST_INT, "493"},
		{"0x1F", TC_ST_INT, "31"},
		{"12345_54321", TC_ST_INT, "1234554321"},
		{"-0b101", TC_ST_INT, "-5"},
		{"0o17", TC_ST_INT, "15"},
		{"1.50", TC_ST_FLOAT, "1.5"},
		{"1e3", TC_ST_FLOAT, "1000"},
		{".5", TC_ST_FLOAT, "0.5"},
		{"08", TC_ST_FLOAT, "8"},
		{"1.5e-7", TC_ST_FLOAT, "0.00000015"},
		{"-0.0", TC_ST_FLOAT, "-0"},
		{".inf", TC_ST_FLOAT, "+Inf"},
		{"-.Inf", TC_ST_FLOAT, "-Inf"},
		{".NaN", TC_ST_FLOAT, "NaN"},
		{"TRUE", TC_ST_BOOL, "True"},
		{"false", TC_ST_BOOL, "False"},
		{"yes", TC_ST_STR, "yes"},
		{"off", TC_ST_STR, "off"},
		{"2024-01-01", TC_ST_TIME, "2024-01-01T00:00:00Z"},
		{"2024-1-2T3:04:05Z", TC_ST_TIME, "2024-01-02T03:04:05Z"},
		{"2024-01-01T10:00:00.500+02:00", TC_ST_TIME, "2024-01-01T10:00:00.5+02:00"},
		{"2024-01-01 10:00:00", TC_ST_TIME, "2024-01-01T10:00:00Z"},
		{"2024-02-30", TC_ST_STR, "2024-02-30"},
		{"v1", TC_ST_STR, "v1"},
		{"+", TC_ST_STR, "+"},
		{"3.13.2", TC_ST_STR, "3.13.2"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tc_snode n = {0};
		n.kind = TC_SN_SCALAR;
		n.text = cases[i].text;
		n.len = strlen(cases[i].text);
		CHECK(tc_sops_yaml_resolve(&n.type, &n, n.text, n.len, NULL) == 0);
		if (n.type != cases[i].type)
			fprintf(stderr, "%s: type %d\n", cases[i].text, (int)n.type);
		CHECK(n.type == cases[i].type);
		char buf[TC_SOPS_FMT_BUF];
		const char *p = NULL;
		size_t k = tc_sops_yaml_macbytes(&p, buf, &n);
		CHECK(k == strlen(cases[i].mac) && memcmp(p, cases[i].mac, k) == 0);
	}
	tc_snode n = {0};
	CHECK(tc_sops_yaml_resolve(&n.type, &n, "18446744073709551615", 20, NULL) == -1);
	CHECK(tc_sops_yaml_resolve(&n.type, &n, "abc", 3, "!!int") == -1);
	CHECK(tc_sops_yaml_resolve(&n.type, &n, "5", 1, "!!float") == 0 && n.type == TC_ST_FLOAT);
}

TEST(writer_output_reads_back_as_the_same_types_and_values)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const char *src =
		"s: [\"yes\", \"0755\", \"a: b\", \"\", \" lead\", \"tab\\there\", \"l1\\nl2\\n\","
		" \"l1\\nl2\", \"l1\\n\\n\", \"x\\u2028y\", \"q\\\"uote\", \"\\x01\", \"ENC[x]\","
		" \"#c\", \"~\", \"null\", \"e1\", \"-\", \"- a\", \"? q\", \"@at\"]\n"
		"n: [1, -7, 1.5, 1000.0, .inf, -.inf, .nan, true, null, 2024-01-01]\n"
		"\"8080\": {}\nempty: []\n";
	tc_snode **docs = NULL;
	size_t n = 0;
	CHECK(tc_sops_yaml_read(&docs, &n, &a, NULL, &d, "t.yaml", src, strlen(src), 0) == 0);
	tc_secbuf out;
	tc_secbuf_init(&out, TC_BUF_UNLIMITED);
	CHECK(tc_sops_yaml_write(&out, docs[0], true, NULL) == 0);
	tc_snode **back = NULL;
	size_t nb = 0;
	CHECK(tc_sops_yaml_read(&back, &nb, &a, NULL, &d, "back.yaml", out.ptr, out.len, 0) == 0);
	const tc_snode *x = docs[0], *y = back[0];
	CHECK(x->n == y->n);
	for (size_t i = 0; i < x->n; i++) {
		const tc_snode *vx = x->entries[i].val, *vy = y->entries[i].val;
		CHECK(strcmp(x->entries[i].key, y->entries[i].key) == 0 && vx->n == vy->n);
		for (size_t k = 0; k < vx->n; k++) {
			const tc_snode *p = vx->items[k], *q = vy->items[k];
			char b1[TC_SOPS_FMT_BUF], b2[TC_SOPS_FMT_BUF];
			const char *m1, *m2;
			size_t l1 = tc_sops_yaml_macbytes(&m1, b1, p),
			       l2 = tc_sops_yaml_macbytes(&m2, b2, q);
			if (p->type != q->type || l1 != l2 || (l1 && memcmp(m1, m2, l1)))
				fprintf(stderr, "item %zu of %s differs:\n%s", k, x->entries[i].key,
				        out.ptr);
			CHECK(p->type == q->type && l1 == l2 && (!l1 || !memcmp(m1, m2, l1)));
		}
	}
	tc_secbuf_release(&out);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

TEST(reader_rejects_what_sops_rejects)
{
	static const char *const bad[] = {
		"8080: x\n",
		"a: 1\na: 2\n",
		"a: &x 1\nb: *x\n",
		"a: !custom 1\n",
		"a: 18446744073709551615\n",
		"a: !!int abc\n",
		"a: [\n",
	};
	tc_arena a;
	tc_arena_init(&a);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_snode **docs = NULL;
		size_t n = 0;
		int rc = tc_sops_yaml_read(&docs, &n, &a, NULL, &d, "bad.yaml", bad[i],
		                           strlen(bad[i]), 0);
		if (rc != -1 || d.len == 0 || d.items[0].line == 0)
			fprintf(stderr, "not rejected: %s", bad[i]);
		CHECK(rc == -1 && d.len > 0 && d.items[0].line > 0);
		tc_diags_release(&d);
	}
	tc_arena_release(&a);
}

TEST(sops_write_and_open_round_trip_with_random_keys_and_other_rules)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	ids3 x;
	make_ids(&x, true);
	const char *src = "top_unencrypted: 1\nsecret: s3cret\nnum: 42\nf: 2.5\nb: true\n"
			  "t: 2024-05-06T07:08:09Z\nlist: [a, {k: v}]\nnothing: ~\n";
	tc_snode **docs = NULL;
	size_t n = 0;
	CHECK(tc_sops_yaml_read(&docs, &n, &a, &sm, &d, "plain.yaml", src, strlen(src), 0) == 0);
	const char *rc[] = {x.ra, x.rb};
	tc_sops_write_opts o = {.rule = {TC_SOPS_UNENCRYPTED_SUFFIX, "_unencrypted"},
	                        .lastmodified = "2024-06-01T12:00:00Z",
	                        .recipients = rc,
	                        .nrecipients = 2};
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	CHECK(tc_sops_write(&out, &d, &sm, "x.yaml", docs[0], &o, NULL) == 0);
	CHECK(strstr(tc_buf_str(&out), "type:int]") && strstr(tc_buf_str(&out), "type:time]"));
	CHECK(strstr(tc_buf_str(&out), "top_unencrypted: 1\n"));
	tc_sops_doc doc;
	CHECK(tc_sops_parse(&doc, &a, &d, "x.yaml", out.ptr, out.len) == 0);
	CHECK(tc_sops_open(&doc, &a, &sm, &d, tc_sops_keys_ids(x.keys),
	                   tc_sops_keys_count(x.keys)) == 0);
	CHECK(strcmp(tc_snode_get(doc.tree, "secret")->val->text, "s3cret") == 0);
	CHECK(tc_snode_get(doc.tree, "num")->val->type == TC_ST_INT);
	/* rewriting with the opened file as `old` keeps every ciphertext */
	tc_sops_write_opts o2 = o;
	o2.data_key = doc.data_key;
	o2.data_key_len = doc.data_key_len;
	o2.old = &doc;
	tc_buf again;
	tc_buf_init(&again, TC_BUF_UNLIMITED);
	CHECK(tc_sops_write(&again, &d, &sm, "x.yaml", doc.tree, &o2, NULL) == 0);
	CHECK(again.len == out.len && memcmp(again.ptr, out.ptr, out.len) == 0);
	tc_diags_print(&d, stderr);
	tc_buf_release(&again);
	tc_buf_release(&out);
	tc_sops_keys_free(x.keys);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && strcmp(argv[1], "--fixtures") == 0) {
		fixtures = argv[2];
		struct stat st;
		if (stat(fixtures, &st) != 0) {
			printf("SKIP: %s not found\n", fixtures);
			return 77;
		}
		return RUN(flux_fixtures_decrypt_with_their_published_keys,
		           humphd_fixtures_decrypt_to_their_known_plaintext_with_every_type,
		           generated_fixtures_decrypt_for_both_recipients_and_typed_values_verify,
		           every_tampered_fixture_is_rejected_with_an_error_naming_the_file,
		           a_file_for_another_key_fails_with_no_identity_can_decrypt,
		           the_generated_fixtures_are_reproduced_byte_for_byte_by_the_profile,
		           single_byte_changes_never_crash_and_changed_values_are_detected);
	}
	return RUN(render_is_deterministic_and_a_changed_value_changes_only_its_enc_and_the_mac,
	           render_keeps_an_earlier_file_from_another_identity_when_nothing_changed,
	           carry_over_keeps_unchanged_secrets_and_names_a_changed_one,
	           source_digest_is_the_sha256_of_the_whole_file_and_keeps_other_annotations,
	           a_decrypted_value_outside_data_is_refused_instead_of_written_in_clear,
	           leak_scanner_names_object_and_key_but_never_the_value,
	           plaintext_secret_guard_finds_documents_and_lines,
	           yaml_v3_typing_matches_the_spec_table,
	           writer_output_reads_back_as_the_same_types_and_values,
	           reader_rejects_what_sops_rejects,
	           sops_write_and_open_round_trip_with_random_keys_and_other_rules);
}
