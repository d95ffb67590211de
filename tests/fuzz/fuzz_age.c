/*
 * fuzz_age.c - the age armor, header and payload readers on arbitrary
 * bytes.
 *
 * Each input is decoded as ASCII armor (a result must armor back to a text
 * that decodes to the same bytes), decrypted as an armored and as a binary
 * age file with a fixed test identity, and read as an identity file, a
 * recipient and an identity string. A file that decrypts is encrypted
 * again to the identity's recipient and must decrypt to the same
 * plaintext. The identity is the throwaway one of fuzz_sops.c (made with
 * age-keygen for the fuzz targets; it protects nothing); the seeds in
 * tests/fuzz/corpus/age/ are encrypted to its recipient
 *   age1wnjn0dweqg9au6ts7slph8xtclpjvyglgqafy5tk7kr32q5z2easavkdcd
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/age/.
 */
#include "age.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_identity[] =
	"AGE-SECRET-KEY-1SJER7938CNY5JR2DWV5MPYXEZ9ATSYWUKNRESZDY7XVY3VV0SK3S43ZK72";

static void check_armor(const char *text, size_t size)
{
	tc_buf bin, again, bin2;
	tc_buf_init(&bin, (size_t)16 << 20);
	tc_buf_init(&again, TC_BUF_UNLIMITED);
	tc_buf_init(&bin2, TC_BUF_UNLIMITED);
	if (tc_age_armor_decode(&bin, text, size) == 0) {
		tc_age_armor_encode(&again, tc_buf_str(&bin), bin.len);
		if (tc_age_armor_decode(&bin2, tc_buf_str(&again), again.len) != 0 ||
		    bin2.len != bin.len ||
		    memcmp(tc_buf_str(&bin2), tc_buf_str(&bin), bin.len) != 0) {
			fprintf(stderr, "fuzz_age: armor does not round-trip\n%s",
			        tc_buf_str(&again));
			abort();
		}
	}
	tc_buf_release(&bin2);
	tc_buf_release(&again);
	tc_buf_release(&bin);
}

static void check_decrypt(const tc_age_identity *id, const char *text, size_t size, bool armored)
{
	tc_secbuf pt;
	tc_secbuf_init(&pt, (size_t)16 << 20);
	if (tc_age_decrypt(&pt, id, 1, text, size, armored) == TC_AGE_OK) {
		/* encrypt the plaintext again: it must come back unchanged */
		tc_buf ct;
		tc_buf_init(&ct, TC_BUF_UNLIMITED);
		const unsigned char(*rcpt)[TC_AGE_KEY_SIZE] = &id->public_key;
		if (tc_age_encrypt(&ct, rcpt, 1, tc_secbuf_str(&pt), pt.len, armored, NULL) != 0)
			abort();
		tc_secbuf back;
		tc_secbuf_init(&back, (size_t)16 << 20);
		if (tc_age_decrypt(&back, id, 1, tc_buf_str(&ct), ct.len, armored) != TC_AGE_OK ||
		    back.len != pt.len ||
		    memcmp(tc_secbuf_str(&back), tc_secbuf_str(&pt), pt.len)) {
			fprintf(stderr, "fuzz_age: re-encrypted plaintext does not decrypt back\n");
			abort();
		}
		tc_secbuf_release(&back);
		tc_buf_release(&ct);
	}
	tc_secbuf_release(&pt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_age_identity *id = tc_secmem_alloc(&sm, sizeof *id);
	if (tc_age_identity_parse(id, fuzz_identity, sizeof fuzz_identity - 1) != 0)
		abort();

	check_armor(text, size);
	check_decrypt(id, text, size, true);
	check_decrypt(id, text, size, false);

	tc_diags d;
	tc_diags_init(&d);
	tc_age_identity *ids = NULL;
	size_t nids = 0;
	if (tc_age_identities_parse(&ids, &nids, &sm, &d, "fuzz.agekey", text, size) == 0 &&
	    nids * 74 > size)
		abort(); /* each identity takes 74 characters */
	tc_diags_release(&d);

	unsigned char pk[TC_AGE_KEY_SIZE];
	if (tc_age_recipient_parse(pk, text, size) == 0) {
		char back[TC_AGE_RECIPIENT_BUF];
		tc_age_recipient_format(back, pk);
		if (strlen(back) != size || memcmp(back, text, size) != 0) {
			fprintf(stderr, "fuzz_age: recipient does not format back\n");
			abort();
		}
	}
	tc_age_identity *other = tc_secmem_alloc(&sm, sizeof *other);
	if (tc_age_identity_parse(other, text, size) == 0 && size < 74)
		abort(); /* an identity is 74 characters */
	tc_secmem_release(&sm);
	return 0;
}
