/*
 * test_age.c - unit tests for bech32.c, age.c and secmem.c.
 *
 *   test_age                     the cases below
 *   test_age --testkit DIR       every C2SP age test-kit vector in DIR
 *                                (../shared/fixtures/sops/age-testkit);
 *                                exit 77 when DIR is absent
 *   test_age --vector FILE       the age part of secret.sops.vector.json
 *
 * The test kit's compressed vectors need zlib; without it they are counted
 * as skipped, and the summary line says so.
 */
#include "age.h"

#include "bech32.h"
#include "json_load.h"
#include "secmem.h"

#include "tc_test.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef TC_HAVE_ZLIB
#include <zlib.h>
#endif

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

static int unhex(unsigned char *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + (size_t)k];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return (int)(n / 2);
}

static void sha256_hex(char out[65], const void *p, size_t n)
{
	unsigned char md[32];
	unsigned mdlen = 0;
	EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

TEST(bech32_round_trips_the_age_spec_identity_vector)
{
	unsigned char sk[32];
	memset(sk, 0x42, sizeof sk);
	tc_age_identity id;
	tc_age_identity_from_secret(&id, sk);
	char s[TC_AGE_IDENTITY_BUF];
	tc_age_identity_format(s, &id);
	CHECK_STR(s, "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
	CHECK_STR(id.recipient, "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
	tc_age_identity back;
	CHECK(tc_age_identity_parse(&back, s, strlen(s)) == 0);
	CHECK(memcmp(back.secret, sk, 32) == 0);
	unsigned char pk[32];
	CHECK(tc_age_recipient_parse(pk, id.recipient, strlen(id.recipient)) == 0);
	CHECK(memcmp(pk, id.public_key, 32) == 0);
}

TEST(bech32_rejects_mixed_case_bad_checksum_and_wrong_hrp)
{
	const char *good = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
	unsigned char pk[32];
	char bad[80];
	snprintf(bad, sizeof bad, "%s", good);
	bad[10] = bad[10] == 'q' ? 'p' : 'q'; /* checksum */
	CHECK(tc_age_recipient_parse(pk, bad, strlen(bad)) != 0);
	snprintf(bad, sizeof bad, "%s", good);
	bad[5] = 'V'; /* mixed case */
	CHECK(tc_age_recipient_parse(pk, bad, strlen(bad)) != 0);
	/* an identity is not a recipient and the other way round */
	tc_age_identity id;
	CHECK(tc_age_identity_parse(&id, good, strlen(good)) != 0);
	const char *ids =
		"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
	CHECK(tc_age_recipient_parse(pk, ids, strlen(ids)) != 0);
	/* lower-case identities are refused, as age does */
	char lower[80];
	snprintf(lower, sizeof lower, "%s", ids);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	CHECK(tc_age_identity_parse(&id, lower, strlen(lower)) != 0);
	char hrp[8];
	unsigned char data[8];
	size_t n = 0;
	CHECK(tc_bech32_decode(hrp, sizeof hrp, data, &n, sizeof data, "a1", 2) != 0);
}

TEST(age_encrypts_and_decrypts_to_several_recipients_and_sizes)
{
	tc_age_identity ids[3];
	for (int i = 0; i < 3; i++)
		tc_age_identity_generate(&ids[i]);
	unsigned char rc[2][32];
	memcpy(rc[0], ids[0].public_key, 32);
	memcpy(rc[1], ids[1].public_key, 32);
	size_t sizes[] = {0, 1, 32, 65536, 65537, 3 * 65536 + 5};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		unsigned char *pt = malloc(sizes[s] + 1);
		randombytes_buf(pt, sizes[s]);
		for (int armor = 0; armor < 2; armor++) {
			tc_buf ct;
			tc_buf_init(&ct, TC_BUF_UNLIMITED);
			CHECK(tc_age_encrypt(&ct, (const unsigned char(*)[32])rc, 2, pt, sizes[s],
			                     armor, NULL) == 0);
			tc_secbuf out;
			tc_secbuf_init(&out, (size_t)1 << 30);
			CHECK(tc_age_decrypt(&out, &ids[1], 1, tc_buf_str(&ct), ct.len, armor) ==
			      TC_AGE_OK);
			CHECK(out.len == sizes[s] &&
			      (sizes[s] == 0 || memcmp(out.ptr, pt, sizes[s]) == 0));
			tc_secbuf_release(&out);
			tc_secbuf_init(&out, (size_t)1 << 30);
			CHECK(tc_age_decrypt(&out, &ids[2], 1, tc_buf_str(&ct), ct.len, armor) ==
			      TC_AGE_NO_MATCH);
			tc_secbuf_release(&out);
			tc_buf_release(&ct);
		}
		free(pt);
	}
}

TEST(age_armor_wraps_at_64_columns_with_padding)
{
	unsigned char bin[232];
	memset(bin, 7, sizeof bin);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_age_armor_encode(&b, bin, sizeof bin);
	const char *s = tc_buf_str(&b);
	CHECK(strncmp(s, "-----BEGIN AGE ENCRYPTED FILE-----\n", 35) == 0);
	/* 232 bytes: 312 characters, four lines of 64 and one of 56 */
	const char *p = s + 35;
	for (int i = 0; i < 4; i++) {
		const char *nl = strchr(p, '\n');
		CHECK(nl && nl - p == 64);
		p = nl + 1;
	}
	const char *nl = strchr(p, '\n');
	CHECK(nl && nl - p == 56 && nl[-1] == '=' && nl[-2] == '=');
	CHECK_STR(nl + 1, "-----END AGE ENCRYPTED FILE-----\n");
	tc_buf back;
	tc_buf_init(&back, TC_BUF_UNLIMITED);
	CHECK(tc_age_armor_decode(&back, s, b.len) == 0);
	CHECK(back.len == sizeof bin && memcmp(back.ptr, bin, sizeof bin) == 0);
	tc_buf_release(&back);
	tc_buf_release(&b);
}

TEST(age_identity_file_skips_comments_and_names_the_bad_line)
{
	tc_secmem m;
	tc_secmem_init(&m);
	tc_diags d;
	tc_diags_init(&d);
	const char *text =
		"# created: 2024-01-01T00:00:00Z\r\n"
		"# public key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\r\n"
		"\r\n"
		"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\r\n";
	tc_age_identity *ids = NULL;
	size_t n = 0;
	CHECK(tc_age_identities_parse(&ids, &n, &m, &d, "keys.txt", text, strlen(text)) == 0);
	CHECK(n == 1);
	CHECK_STR(ids[0].recipient,
	          "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
	const char *bad =
		"# x\nAGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEY\n";
	CHECK(tc_age_identities_parse(&ids, &n, &m, &d, "keys.txt", bad, strlen(bad)) != 0);
	CHECK(d.len == 1 && d.items[0].line == 2);
	CHECK(strstr(d.items[0].msg, "GFPYY") == NULL);
	tc_diags_release(&d);
	tc_secmem_release(&m);
}

TEST(secmem_gives_aligned_zeroed_memory_across_blocks)
{
	tc_secmem m;
	tc_secmem_init(&m);
	for (int i = 0; i < 2000; i++) {
		size_t n = (size_t)(i % 300) + 1;
		unsigned char *p = tc_secmem_alloc(&m, n);
		CHECK(((uintptr_t)p & 15) == 0);
		for (size_t k = 0; k < n; k++)
			CHECK(p[k] == 0);
		memset(p, 0xaa, n);
	}
	char *big = tc_secmem_memdup0(&m, "x", 1);
	CHECK_STR(big, "x");
	tc_secmem_release(&m);
	tc_secbuf b;
	tc_secbuf_init(&b, 10);
	tc_secbuf_adds(&b, "12345");
	tc_secbuf_adds(&b, "678901");
	CHECK(tc_secbuf_failed(&b) && b.len == 5);
	CHECK_STR(tc_secbuf_str(&b), "12345");
	tc_secbuf_release(&b);
}

/* ---- the C2SP test kit ----------------------------------------------------------------------- */

static const char *status_name(tc_age_status s)
{
	switch (s) {
	case TC_AGE_OK:
		return "success";
	case TC_AGE_ARMOR_FAILURE:
		return "armor failure";
	case TC_AGE_HEADER_FAILURE:
		return "header failure";
	case TC_AGE_NO_MATCH:
		return "no match";
	case TC_AGE_HMAC_FAILURE:
		return "HMAC failure";
	case TC_AGE_PAYLOAD_FAILURE:
		return "payload failure";
	}
	return "?";
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 passed, 0 failed, -1 skipped */
static int run_vector(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text)
		return 0;
	char expect[64] = "", payload[65] = "", ident[128] = "";
	bool armored = false, compressed = false;
	size_t pos = 0;
	while (pos < len && text[pos] != '\n') {
		char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl)
			break;
		*nl = 0;
		const char *line = text + pos;
		if (!strncmp(line, "expect: ", 8))
			snprintf(expect, sizeof expect, "%s", line + 8);
		else if (!strncmp(line, "payload: ", 9))
			snprintf(payload, sizeof payload, "%s", line + 9);
		else if (!strncmp(line, "identity: ", 10))
			snprintf(ident, sizeof ident, "%s", line + 10);
		else if (!strcmp(line, "armored: yes"))
			armored = true;
		else if (!strcmp(line, "compressed: zlib"))
			compressed = true;
		pos = (size_t)(nl - text) + 1;
	}
	pos++; /* the empty line */
	const char *body = text + (pos <= len ? pos : len);
	size_t blen = pos <= len ? len - pos : 0;
	unsigned char *inflated = NULL;
	int result = 0;
	if (compressed) {
#ifdef TC_HAVE_ZLIB
		uLongf cap = 32u << 20;
		inflated = malloc(cap);
		if (uncompress(inflated, &cap, (const Bytef *)body, (uLong)blen) != Z_OK) {
			fprintf(stderr, "%s: cannot inflate\n", name);
			goto out;
		}
		body = (const char *)inflated;
		blen = cap;
#else
		result = -1;
		goto out;
#endif
	}
	tc_age_identity id;
	size_t nids = 0;
	if (ident[0]) {
		if (tc_age_identity_parse(&id, ident, strlen(ident)) != 0) {
			fprintf(stderr, "%s: bad identity in vector\n", name);
			goto out;
		}
		nids = 1;
	}
	tc_secbuf pt;
	tc_secbuf_init(&pt, (size_t)64 << 20);
	tc_age_status st = tc_age_decrypt(&pt, &id, nids, body, blen, armored);
	if (strcmp(status_name(st), expect) != 0) {
		fprintf(stderr, "%s: got '%s', want '%s'\n", name, status_name(st), expect);
	} else if (st == TC_AGE_OK && payload[0]) {
		char got[65];
		sha256_hex(got, pt.ptr ? pt.ptr : "", pt.len);
		if (strcmp(got, payload) != 0)
			fprintf(stderr, "%s: payload hash %s, want %s\n", name, got, payload);
		else
			result = 1;
	} else {
		result = 1;
	}
	tc_secbuf_release(&pt);
out:
	free(inflated);
	free(text);
	return result;
}

static int testkit(const char *dir)
{
	DIR *dh = opendir(dir);
	if (!dh) {
		printf("SKIP: %s not found\n", dir);
		return 77;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		TC_GROW(names, cap, n + 1);
		names[n++] = tc_xstrdup(de->d_name);
	}
	closedir(dh);
	qsort(names, n, sizeof *names, cmpstr);
	size_t passed = 0, skipped = 0;
	for (size_t i = 0; i < n; i++) {
		int r = run_vector(dir, names[i]);
		if (r > 0)
			passed++;
		else if (r < 0)
			skipped++;
		free(names[i]);
	}
	free(names);
	printf("age-testkit: %zu/%zu passed", passed, n - skipped);
	if (skipped)
		printf(" (%zu compressed vectors skipped: built without zlib)", skipped);
	printf("\n");
	return passed + skipped == n && n > 0 ? 0 : 1;
}

/* The age entries of the generated SOPS fixture, reproduced from its
 * injected randomness, byte for byte. */
static int vector(const char *file)
{
	size_t len = 0;
	char *text = slurp(file, &len);
	if (!text) {
		printf("SKIP: %s not found\n", file);
		return 77;
	}
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	int failed = 0;
	if (tc_json_load(&v, &a, &d, file, text, len) != 0) {
		tc_diags_print(&d, stderr);
		failed = 1;
		goto out;
	}
	unsigned char dk[32];
	if (unhex(dk, sizeof dk, tc_value_getz(v, "data_key_hex")->u.str.ptr) != 32) {
		failed = 1;
		goto out;
	}
	tc_value *ages = tc_value_getz(v, "age");
	for (size_t i = 0; i < ages->u.arr.len; i++) {
		tc_value *e = ages->u.arr.items[i];
		unsigned char fk[16], eph[32], nonce[16], pk[32];
		const char *rcpt = tc_value_getz(e, "recipient")->u.str.ptr;
		unhex(fk, 16, tc_value_getz(e, "file_key_hex")->u.str.ptr);
		unhex(eph, 32, tc_value_getz(e, "ephemeral_secret_hex")->u.str.ptr);
		unhex(nonce, 16, tc_value_getz(e, "payload_nonce_hex")->u.str.ptr);
		if (tc_age_recipient_parse(pk, rcpt, strlen(rcpt)) != 0) {
			failed = 1;
			continue;
		}
		tc_age_seed seed = {fk, eph, nonce};
		tc_buf out;
		tc_buf_init(&out, TC_BUF_UNLIMITED);
		if (tc_age_encrypt(&out, (const unsigned char(*)[32])pk, 1, dk, 32, true, &seed) !=
		            0 ||
		    strcmp(tc_buf_str(&out), tc_value_getz(e, "armored")->u.str.ptr) != 0) {
			fprintf(stderr, "age entry %zu differs:\n%s", i, tc_buf_str(&out));
			failed = 1;
		}
		tc_buf_release(&out);
	}
	printf("age-vector: %zu entries %s\n", ages->u.arr.len, failed ? "FAILED" : "reproduced");
out:
	tc_diags_release(&d);
	tc_arena_release(&a);
	free(text);
	return failed;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && strcmp(argv[1], "--testkit") == 0)
		return testkit(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--vector") == 0)
		return vector(argv[2]);
	return RUN(bech32_round_trips_the_age_spec_identity_vector,
	           bech32_rejects_mixed_case_bad_checksum_and_wrong_hrp,
	           age_encrypts_and_decrypts_to_several_recipients_and_sizes,
	           age_armor_wraps_at_64_columns_with_padding,
	           age_identity_file_skips_comments_and_names_the_bad_line,
	           secmem_gives_aligned_zeroed_memory_across_blocks);
}
