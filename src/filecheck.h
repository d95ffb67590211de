/*
 * filecheck.h - checks of the files a repository ships (files/ and
 * tenants/<t>/files/) before any template may embed them, and the text
 * check of rendered strings.
 *
 * What is checked, for each folder of files (docs/validation.md, "Files"):
 *   - a file NAME with a sibling NAME.p7s (a detached CMS/PKCS#7 signature,
 *     DER or PEM) is verified with OpenSSL against the CA bundle that
 *     tenantc.yaml names (files.caBundle): the signature over the bytes,
 *     the signer's chain up to a certificate of the bundle, the signer's
 *     key usage, and every certificate's validity at the check time;
 *   - a path listed in files.signed must have its NAME.p7s;
 *   - PEM certificates that expire within files.certificateWarningDays of
 *     the check time are warnings;
 *   - private keys (PEM "... PRIVATE KEY" blocks, OpenSSH and PuTTY keys,
 *     age identities) are errors: keys belong in SOPS-encrypted Secrets.
 *
 * The check time is chosen once by the caller (repo.c): the `--now` time,
 * else the commit time of the revision (HEAD for a work tree or the index),
 * else, for a folder outside git, the system clock. It decides only whether
 * a render passes, never what it writes.
 *
 * Ownership: a tc_filecheck owns the bundle bytes (malloc'd) until
 * tc_filecheck_release; the settings value it points into belongs to the
 * caller's arena. OpenSSL objects live only inside one call, so a
 * tc_filecheck is read-only after init and shared by worker threads.
 */
#ifndef TC_FILECHECK_H
#define TC_FILECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "value.h"

/* One file to check: its path relative to the folder checked and bytes. */
typedef struct tc_filecheck_file {
	const char *path;
	const char *data;
	size_t len;
} tc_filecheck_file;

typedef struct tc_filecheck {
	const char *bundle_path; /* files.caBundle, NULL when not set */
	char *bundle;            /* its PEM bytes (malloc'd), NULL when not set */
	size_t bundle_len;
	char digest[65];             /* SHA-256 (hex) of the bundle, "" without one: cache keys */
	int64_t time;                /* seconds since the epoch */
	const char *time_from;       /* "the commit time", "--now", "the system clock" */
	int64_t warn_secs;           /* certificates expiring sooner than this warn */
	const tc_value *signed_list; /* files.signed (an array of strings) or NULL */
} tc_filecheck;

/* Default of files.certificateWarningDays. */
#define TC_FILECHECK_WARN_DAYS 30

/* Set fc up from the repository settings (tenantc.yaml over its defaults;
 * may be NULL) and the bundle's bytes (bundle may be NULL when the
 * settings name none; ownership passes to fc). Returns 0, or -1 with a
 * diagnostic for a bundle holding no certificate. */
int tc_filecheck_init(tc_filecheck *fc, const tc_value *settings, char *bundle, size_t bundle_len,
                      int64_t time, const char *time_from, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_filecheck_release(tc_filecheck *fc);

/* The path files.caBundle names, or NULL: read it, then call init. */
const tc_value *tc_filecheck_bundle_setting(const tc_value *settings);

/* True when the outcome of the checks depends on the check time (a
 * signature or a certificate to look at): cache keys then include it. */
bool tc_filecheck_uses_time(const tc_filecheck *fc);

/* Check the files of one folder, `base` being its path in the repository
 * ("files", "tenants/acme/files"); files are sorted by path. Returns 0,
 * or -1 when an error was recorded (warnings do not count). */
int tc_filecheck_folder(const tc_filecheck *fc, tc_diags *d, const char *base,
                        const tc_filecheck_file *files, size_t n)
	__attribute__((warn_unused_result));

/* Verify the detached signature sig (DER or PEM CMS) of data. path and
 * sigpath name the two files in messages. Returns 0 or -1 with an error. */
int tc_filecheck_verify(const tc_filecheck *fc, tc_diags *d, const char *path, const char *data,
                        size_t len, const char *sigpath, const char *sig, size_t siglen)
	__attribute__((warn_unused_result));

/* True when s[0..n) is well-formed UTF-8. */
bool tc_filecheck_is_utf8(const char *s, size_t n);

/* Every string (and key) of a rendered object must be UTF-8 text: a YAML
 * string cannot carry other bytes. An error at the value's position for
 * each one that is not (binary data goes to a ConfigMap's binaryData, as
 * base64). Returns 0 or -1. */
int tc_filecheck_output_text(tc_diags *d, const tc_value *obj) __attribute__((warn_unused_result));

#endif
