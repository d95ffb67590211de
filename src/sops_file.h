/*
 * sops_file.h - the SOPS file format with age recipients (spec:
 * ../shared/spec/sops-age.md): parse the metadata, open a file (unwrap the
 * data key, decrypt every value, verify the MAC), and write one (encrypt
 * the selected values, compute and encrypt the MAC, wrap the data key for
 * every recipient, emit the metadata block in the sops 3.13 layout).
 *
 * This is the format layer under sops.h (the API render uses) and
 * cmd_secret.c (edit, updatekeys). Trees are tc_snode trees in document
 * order (sops_yaml.h), because the MAC depends on the order.
 *
 * Memory: nodes and metadata strings live in the caller's arena;
 * plaintext values and the data key live in the caller's tc_secmem.
 * Randomness comes from the CSPRNG, or, with a tc_sops_profile, from the
 * deterministic profile v1 of the spec's section 9.
 */
#ifndef TC_SOPS_FILE_H
#define TC_SOPS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "age.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "secmem.h"
#include "sops_yaml.h"

/* What tenantc writes (spec section 6). */
#define TC_SOPS_REGEX "^(data|stringData)$"
#define TC_SOPS_VERSION "3.13.2"
#define TC_SOPS_DATA_KEY_SIZE 32

typedef enum tc_sops_rule_kind {
	TC_SOPS_UNENCRYPTED_SUFFIX, /* the default: "_unencrypted" */
	TC_SOPS_ENCRYPTED_SUFFIX,
	TC_SOPS_UNENCRYPTED_REGEX,
	TC_SOPS_ENCRYPTED_REGEX,
} tc_sops_rule_kind;

typedef struct tc_sops_rule {
	tc_sops_rule_kind kind;
	const char *arg; /* the suffix or the pattern (Go RE2 syntax, run with PCRE2) */
} tc_sops_rule;

/* tenantc's rule, encrypted_regex: ^(data|stringData)$ */
extern const tc_sops_rule tc_sops_default_rule;

typedef struct tc_sops_age_entry {
	const char *recipient; /* "" when the file has none */
	const char *enc;       /* the armored age file */
	size_t enclen;
	tc_pos pos; /* the recipient value (the entry when it has none) */
} tc_sops_age_entry;

/* An encrypted value as it was in the file, kept so that writing the same
 * plaintext at the same path reuses the same ciphertext (as sops edit
 * does). aad is the path ("stringData:password:"), or lastmodified for the
 * MAC. */
typedef struct tc_sops_stash {
	const char *aad;
	tc_stype type;
	const char *pt; /* secret memory */
	size_t ptlen;
	const char *enc;
} tc_sops_stash;

typedef struct tc_sops_doc {
	const char *file;
	tc_snode *tree;  /* the document without its sops key, in file order */
	tc_pos meta_pos; /* the sops key */
	tc_sops_rule rule;
	bool mac_only_encrypted;
	const char *lastmodified; /* re-formatted RFC 3339: the MAC's additional data */
	const char *mac;          /* the ENC[...] string */
	const char *version;
	tc_sops_age_entry *age;
	size_t nage;
	/* set by tc_sops_open: */
	bool opened;
	unsigned char *data_key; /* secret memory */
	size_t data_key_len;
	tc_sops_stash *stash;
	size_t nstash;
} tc_sops_doc;

/* Read a SOPS file and its metadata. Checks everything that needs no key:
 * one document, a mapping with a `sops` mapping, at most one rule, a
 * quoted RFC 3339 lastmodified, a non-empty mac, a semver version, at
 * least one age entry. Errors name the file and position. */
int tc_sops_parse(tc_sops_doc *out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                  size_t len) __attribute__((warn_unused_result));

/* True when a parsed document has SOPS metadata with a non-empty mac: how
 * Flux recognises an encrypted object. */
bool tc_sops_tree_is_encrypted(const tc_snode *root);

/* Unwrap the data key with the first identity that opens an age entry,
 * decrypt every selected value in place (the scalars then hold plaintext
 * in sm, typed, flagged secret) and verify the MAC. Errors: no identity
 * matches, a value fails authentication, MAC mismatch; each names the
 * file. */
int tc_sops_open(tc_sops_doc *doc, tc_arena *a, tc_secmem *sm, tc_diags *d,
                 const tc_age_identity *ids, size_t nids) __attribute__((warn_unused_result));

/* Deterministic randomness (spec section 9): the seed S and the file
 * identifier F. */
typedef struct tc_sops_profile {
	const unsigned char *seed; /* 32 bytes */
	const char *file_id;
	size_t file_id_len;
} tc_sops_profile;

typedef struct tc_sops_write_opts {
	tc_sops_rule rule;
	bool mac_only_encrypted;
	/* the data key: NULL means a new one (random, or from the profile) */
	const unsigned char *data_key;
	size_t data_key_len;
	const char *lastmodified; /* "YYYY-MM-DDTHH:MM:SSZ" (or with an offset) */
	const char *const *recipients;
	size_t nrecipients; /* written in this order; at least one */
	/* an opened document whose ciphertexts and age entries may be reused
	 * when the plaintext, path and data key are the same; may be NULL */
	const tc_sops_doc *old;
	const tc_sops_profile *profile; /* NULL: CSPRNG */
	const char *version;            /* NULL: TC_SOPS_VERSION */
} tc_sops_write_opts;

/* Encrypt the plaintext tree `plain` (document order; scalars typed) into
 * a SOPS file appended to out. `file` and the node positions are used for
 * messages. The data key actually used is copied to key_out (secret
 * memory, TC_SOPS_DATA_KEY_SIZE bytes) when it is not NULL. */
int tc_sops_write(tc_buf *out, tc_diags *d, tc_secmem *sm, const char *file, const tc_snode *plain,
                  const tc_sops_write_opts *o, unsigned char *key_out)
	__attribute__((warn_unused_result));

/* The plaintext tree as YAML (literal blocks for multi-line strings), into
 * secret memory: for `secret decrypt`, `secret edit` and `--decrypt`. */
int tc_sops_write_plain(tc_secbuf *out, tc_diags *d, const char *file, const tc_snode *plain)
	__attribute__((warn_unused_result));

/* The profile's keys: data key, IV key and age key for F. */
int tc_sops_profile_key(unsigned char out[32], const tc_sops_profile *p, const char *label)
	__attribute__((warn_unused_result));

#endif
