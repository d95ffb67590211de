/*
 * sops.h - Secrets for render, check and diff: decrypting input Secrets,
 * encrypting rendered ones deterministically, carrying them over without a
 * key, and the two guards (plaintext Secrets, leaked secret values).
 *
 * A job's life with Secrets (render.c):
 *
 *   keys = tc_sops_keys_from_env()            once per run; read-only, shared
 *   seed = tc_sops_seed_new(keys, repo.sops.age)   once per run; NULL: no identity
 *   per job: tc_secmem sm; tc_sops_leaks leaks;    both released at job end
 *     with a seed:
 *       tc_sops_decrypt(&secret, &info, job arena, &sm, ..., input bytes)
 *       tc_sops_leaks_add(&leaks, secret, "ns/name")
 *       ... set metadata.namespace (build a new object) ...
 *       tc_sops_encrypt_render(&out, d, &sm, seed, keys, &in)   in.secret = it
 *       tc_sops_leaks_scan(d, &leaks, obj) for every other output object
 *     without a seed:
 *       tc_sops_read_clear(&shape, &info, ...)   encrypted values stay ENC[...]
 *       ... the same namespace change on the shape ...
 *       tc_sops_carry_over(&out, d, &in)          in.secret = the shape
 *   tc_sops_check_plain(d, obj) for every output object, and
 *   tc_sops_scan_plain(d, path, bytes) for every input file under tenants/.
 *
 * Ownership and memory: decrypted strings live in the caller's tc_secmem
 * (sodium_malloc, zeroed on release); the tc_value nodes around them and
 * every clear string live in the caller's arena. Release the secmem at the
 * end of the job, after the last use of the tree. Numbers and booleans of
 * decrypted values are stored in the value nodes themselves (job arena):
 * Kubernetes Secret values are strings, so in practice nothing secret is
 * there. No function here puts a decrypted value or key material into a
 * diagnostic: messages name files, objects and key paths only.
 *
 * Thread safety: keys and seed are read-only after creation and may be
 * shared by workers; everything else is per job.
 */
#ifndef TC_SOPS_H
#define TC_SOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "age.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "secmem.h"
#include "value.h"

/* ---- identities ---------------------------------------------------------------------------- */

typedef struct tc_sops_keys tc_sops_keys;

/* Load age identities from the text key_text and from the file key_file
 * (either may be NULL; both NULL gives an empty set, which is not an
 * error). Key material is kept in secret memory; messages never quote it. */
int tc_sops_keys_load(tc_sops_keys **out, tc_diags *d, const char *key_file, const char *key_text)
	__attribute__((warn_unused_result));
/* The same from SOPS_AGE_KEY and SOPS_AGE_KEY_FILE, as sops reads them
 * (for cmd_*.c; the default ~/.config/sops/age/keys.txt is not read, so
 * what renders is always explicit). */
int tc_sops_keys_from_env(tc_sops_keys **out, tc_diags *d) __attribute__((warn_unused_result));
size_t tc_sops_keys_count(const tc_sops_keys *k);
const tc_age_identity *tc_sops_keys_ids(const tc_sops_keys *k);
/* Wipes and frees; NULL is fine. */
void tc_sops_keys_free(tc_sops_keys *k);

/* ---- the rendering identity (spec section 9) ----------------------------------------------- */

typedef struct tc_sops_seed tc_sops_seed;

/* S = HKDF-SHA-256(the X25519 secret of the rendering identity, "",
 * "tenantc/sops/v1/seed"), where the rendering identity is the identity
 * whose recipient is listed in repo_recipients (tenantc.yaml sops.age),
 * the first by recipient string when several are. NULL when none is. */
tc_sops_seed *tc_sops_seed_new(const tc_sops_keys *keys, const char *const *repo_recipients,
                               size_t n);
/* The recipient of the rendering identity, for messages. */
const char *tc_sops_seed_recipient(const tc_sops_seed *s);
void tc_sops_seed_free(tc_sops_seed *s);

/* ---- reading input Secrets ----------------------------------------------------------------- */

typedef struct tc_sops_info {
	const char *lastmodified;      /* RFC 3339, re-formatted as sops does: pass it on */
	const char *const *recipients; /* the file's age recipients, as listed */
	const tc_pos *recipient_pos;   /* where each is, for messages */
	size_t nrecipients;
	tc_pos pos; /* the sops key */
} tc_sops_info;

/* Decrypt a SOPS file (bytes + path): the document as a tc_value (objects
 * sorted by key as always), decrypted values flagged TC_VAL_SECRET.
 * Errors name the file: "no identity can decrypt 'tenants/acme/secrets/
 * db.yaml' (...)", "MAC mismatch in '...'", a value failing
 * authentication (with its key path), a malformed file. */
int tc_sops_decrypt(tc_value **out, tc_sops_info *info, tc_arena *a, tc_secmem *sm, tc_diags *d,
                    const tc_sops_keys *keys, const char *path, const char *data, size_t len)
	__attribute__((warn_unused_result));

/* Read a SOPS file without a key: its clear fields as they are, each
 * encrypted value as its ENC[...] string flagged TC_VAL_SECRET (a
 * placeholder, never plaintext). The MAC cannot be checked. */
int tc_sops_read_clear(tc_value **out, tc_sops_info *info, tc_arena *a, tc_diags *d,
                       const char *path, const char *data, size_t len)
	__attribute__((warn_unused_result));

/* ---- the source digest -------------------------------------------------------------------- */

/* The annotation by which a rendered Secret records the input file it was
 * made from: "sha256:" and the lower-case hex SHA-256 of the whole input
 * file, as it is in the repository (ciphertext, sops metadata, comments and
 * whitespace included). It is metadata, so it stays clear under
 * encrypted_regex ^(data|stringData)$ and is covered by the output's MAC;
 * it says nothing about the plaintext that the input file, which is in the
 * repository too, does not already say. */
#define TC_SOPS_SOURCE_DIGEST "tenantc.io/source-digest"
/* "sha256:", 64 hex digits and the NUL */
#define TC_SOPS_DIGEST_SIZE (7 + 64 + 1)

/* The annotation's value for the input file data[0..len) into out. */
void tc_sops_source_digest(char out[TC_SOPS_DIGEST_SIZE], const char *data, size_t len);

/* secret with metadata.annotations[TC_SOPS_SOURCE_DIGEST] set to the
 * digest of the input file data[0..len) (an earlier annotation of that name
 * is replaced; annotations that are not an object are replaced by one). The
 * new nodes live in a; secret is not changed. */
const tc_value *tc_sops_with_source_digest(tc_arena *a, const tc_value *secret, const char *data,
                                           size_t len);

/* ---- writing rendered Secrets -------------------------------------------------------------- */

typedef struct tc_sops_render_in {
	/* the Secret as it is to be written (metadata.namespace already set):
	 * plaintext from tc_sops_decrypt, or the shape from tc_sops_read_clear
	 * for tc_sops_carry_over */
	const tc_value *secret;
	/* the environment's and the repository's recipients ("age1...");
	 * order and repeats do not matter: the file lists them sorted */
	const char *const *recipients;
	size_t nrecipients;
	const char *lastmodified; /* tc_sops_info.lastmodified of the input */
	const char *input_path;   /* the input file, for messages */
	const char *prev;         /* the previously rendered file, or NULL */
	size_t prevlen;
	const char *prev_path; /* where it was (the output path), for messages */
	/* for tc_sops_carry_over's message: how the render is keyless, e.g.
	 * "with identity 'age1...', which ... is not a rendering identity";
	 * NULL: "without an age identity" */
	const char *identity;
} tc_sops_render_in;

/* Encrypt a rendered Secret with the deterministic profile: data key, IVs
 * and age randomness derived from the seed and F = "<namespace>/<name>"
 * NUL <sorted recipients joined by "\n">; lastmodified is the input's.
 * The same input and identity give the same bytes on any machine. When
 * prev decrypts with keys to the same Secret for the same recipients and
 * lastmodified, prev's bytes are returned unchanged (so a tree rendered
 * with another identity does not churn). Encrypted: every value under
 * data and stringData; a decrypted value anywhere else is an error. The
 * file bytes are appended to out. */
int tc_sops_encrypt_render(tc_buf *out, tc_diags *d, tc_secmem *sm, const tc_sops_seed *seed,
                           const tc_sops_keys *keys, const tc_sops_render_in *in)
	__attribute__((warn_unused_result));

/* Without an identity: append prev's bytes when the earlier output still
 * matches what would be rendered (the same lastmodified, the same source
 * digest, so a byte-identical input file, the same recipients, the same
 * clear fields, encrypted values at the same paths with the same types);
 * otherwise an error that says which Secret cannot be rendered and why. An
 * earlier output without a source digest is not carried over: nothing
 * shows it was made from this input file. */
int tc_sops_carry_over(tc_buf *out, tc_diags *d, const tc_sops_render_in *in)
	__attribute__((warn_unused_result));

/* The plaintext Secret as YAML into secret memory (keys apiVersion, kind,
 * metadata first, multi-line strings as literal blocks): for
 * `render --stdout --decrypt` only. */
int tc_sops_emit_plain(tc_secbuf *out, tc_diags *d, const tc_value *secret)
	__attribute__((warn_unused_result));

/* ---- guards -------------------------------------------------------------------------------- */

/* A Kubernetes Secret (kind: Secret) without SOPS metadata that has a
 * non-empty sops.mac, which is how Flux tells them apart. */
bool tc_sops_is_plain_secret(const tc_value *obj);

/* Error at obj's position when it is a plaintext Secret. */
int tc_sops_check_plain(tc_diags *d, const tc_value *obj) __attribute__((warn_unused_result));

/* Scan any file of the repository for plaintext Secrets: each YAML
 * document with kind: Secret and no SOPS metadata is an error at its kind
 * line. A file that is not YAML is scanned line by line for a top-level
 * "kind: Secret". Returns -1 when one was found. */
int tc_sops_scan_plain(tc_diags *d, const char *path, const char *data, size_t len)
	__attribute__((warn_unused_result));

/* Values shorter than this are not scanned for: "no", "1234"-like values
 * would match by coincidence all over the output. */
#define TC_SOPS_LEAK_MIN 4

typedef struct tc_sops_leak {
	const char *val; /* in the job's tc_secmem */
	size_t len;
	const char *secret; /* "namespace/name" of the Secret */
	const char *key;    /* "stringData.password" */
} tc_sops_leak;

/* The decrypted values of one job. */
typedef struct tc_sops_leaks {
	tc_secmem *sm;
	tc_arena *a;
	tc_sops_leak *items; /* malloc'd; the strings are not */
	size_t n, cap;
} tc_sops_leaks;

void tc_sops_leaks_init(tc_sops_leaks *l, tc_arena *a, tc_secmem *sm);
void tc_sops_leaks_release(tc_sops_leaks *l);
/* Collect the decrypted values of a Secret (every TC_VAL_SECRET string
 * under data and stringData, plus the decoded bytes of data values and the
 * base64 form of stringData values, and any other TC_VAL_SECRET string of
 * the file (metadata a file's rule encrypts), each at least
 * TC_SOPS_LEAK_MIN bytes long). name is "namespace/name" as messages may
 * show it. */
void tc_sops_leaks_add(tc_sops_leaks *l, const tc_value *secret, const char *name);
/* Look for any collected value as a substring of every string and key of
 * obj (objects of kind Secret are skipped: they are encrypted on output).
 * Each hit is an error at the string's position naming obj (kind,
 * namespace/name), the Secret and its key, never the value. Returns -1
 * when something was found. */
int tc_sops_leaks_scan(tc_diags *d, const tc_sops_leaks *l, const tc_value *obj)
	__attribute__((warn_unused_result));
/* True when s[0..n) contains a collected value. */
bool tc_sops_leaks_hit(const tc_sops_leaks *l, const char *s, size_t n);
/* Replace every collected value in the messages, paths and file names of
 * d->items[from..] by <redacted> (the old text is wiped): the last guard
 * for messages that quote a clear string equal to a decrypted value, an
 * object's name or a label key, say. Run before the values are released. */
void tc_sops_leaks_redact(const tc_sops_leaks *l, tc_diags *d, size_t from);

#endif
