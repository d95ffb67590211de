/*
 * fuzz_sops.c - the SOPS file reader, decrypter and plaintext guards on
 * arbitrary bytes.
 *
 * Each input is a SOPS file: it is read without a key (tc_sops_read_clear),
 * decrypted with a fixed test identity (tc_sops_decrypt), and scanned for
 * plaintext Secrets (tc_sops_scan_plain). A file that decrypts also goes
 * through the guards and the leak scanner, and its plaintext is emitted.
 * The identity below is a throwaway made for this target with age-keygen;
 * it protects nothing; it is loaded once per process (loading it locks
 * memory, which costs more than most inputs). The seed files in tests/fuzz/corpus/sops/ are
 * encrypted to its recipient
 *   age1wnjn0dweqg9au6ts7slph8xtclpjvyglgqafy5tk7kr32q5z2easavkdcd
 * so the fuzzer starts from files that decrypt and mutates them.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/sops/.
 */
#include "sops.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_identity[] =
	"AGE-SECRET-KEY-1SJER7938CNY5JR2DWV5MPYXEZ9ATSYWUKNRESZDY7XVY3VV0SK3S43ZK72\n";

/* libFuzzer gives a target no context: the keys are loaded on the first
 * input and only read after that (decrypting takes them const) */
static tc_sops_keys *fuzz_keys;

static void free_keys(void)
{
	tc_sops_keys_free(fuzz_keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	int rc = 0;
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	if (!fuzz_keys) {
		if (tc_sops_keys_load(&fuzz_keys, &d, NULL, fuzz_identity) != 0 ||
		    tc_sops_keys_count(fuzz_keys) != 1)
			abort();
		atexit(free_keys);
	}
	const tc_sops_keys *keys = fuzz_keys;
	tc_secmem sm;
	tc_secmem_init(&sm);

	tc_value *shape = NULL;
	tc_sops_info info;
	rc |= tc_sops_read_clear(&shape, &info, &a, &d, "fuzz.yaml", text, size);

	tc_value *plain = NULL;
	if (tc_sops_decrypt(&plain, &info, &a, &sm, &d, keys, "fuzz.yaml", text, size) == 0) {
		(void)tc_sops_is_plain_secret(plain);
		rc |= tc_sops_check_plain(&d, plain);
		tc_sops_leaks leaks;
		tc_sops_leaks_init(&leaks, &a, &sm);
		tc_sops_leaks_add(&leaks, plain, "fuzz/secret");
		rc |= tc_sops_leaks_scan(&d, &leaks, plain);
		tc_sops_leaks_release(&leaks);
		tc_secbuf out;
		tc_secbuf_init(&out, (size_t)16 << 20);
		rc |= tc_sops_emit_plain(&out, &d, plain);
		tc_secbuf_release(&out);
	}

	rc |= tc_sops_scan_plain(&d, "fuzz.yaml", text, size);

	(void)rc; /* failing is fine; crashing, leaking and hanging are not */
	tc_secmem_release(&sm);
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
