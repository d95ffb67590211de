/*
 * filecheck.c - signatures, certificates and keys among shipped files, and
 * the UTF-8 rule for rendered strings (see filecheck.h).
 *
 * The one boundary to OpenSSL's CMS and X.509 code for files: every
 * OpenSSL object is made and freed inside one function under one cleanup
 * label, the thread's error queue is cleared before each use and read on
 * the same thread, so workers may check tenants' files at once.
 *
 * Signature rule (as `openssl cms -verify -binary -content NAME -CAfile
 * BUNDLE -purpose any` would check it, plus the key usage): the CMS
 * SignedData in NAME.p7s is detached, its digest matches NAME's bytes, its
 * signature verifies with the signer certificate, the signer chains to a
 * certificate of the bundle through certificates of the bundle or of the
 * signature, every certificate of that chain is valid at the check time
 * (X509_VERIFY_PARAM_set_time, never the clock unless the caller chose
 * it), and the signer certificate has keyUsage digitalSignature and, when
 * it has an extendedKeyUsage, codeSigning (RFC 5280 4.2.1.3, 4.2.1.12).
 */
#include "filecheck.h"

#include "arena.h"
#include "fsutil.h"
#include "timefmt.h"
#include "utf8.h"

/* pem.h first: cms.h declares PEM_read_bio_CMS only after it */
#include <openssl/pem.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_SUFFIX ".p7s"

/* OpenSSL takes int lengths; files are at most 16 MiB (TC_SOURCE_MAX_FILE),
 * so this only guards against misuse. */
#define OSSL_LEN_MAX ((size_t)0x7fffffff)

static void fmt_time(char out[32], int64_t secs)
{
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y, m, d;
	tc_time_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
	         (int)(rem / 3600), (int)(rem % 3600 / 60), (int)(rem % 60));
}

/* The reason of the last OpenSSL error of this thread, or `fallback`. */
static const char *ossl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : fallback;
}

/* A certificate's subject in one line ("CN=signer,O=Example"). */
static void subject_of(X509 *x, char *out, size_t n)
{
	out[0] = 0;
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
		int k = BIO_read(b, out, (int)n - 1);
		out[k > 0 ? k : 0] = 0;
	}
	BIO_free(b);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
}

/* Seconds since the epoch of an ASN1_TIME; false when it does not convert. */
static bool asn1_secs(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = tc_time_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return true;
}

static bool looks_pem(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	return n >= 11 && memcmp(s, "-----BEGIN ", 11) == 0;
}

/* The certificates of the bundle into a new store (NULL on failure). */
static X509_STORE *bundle_store(const tc_filecheck *fc, size_t *count)
{
	*count = 0;
	X509_STORE *st = X509_STORE_new();
	BIO *b = BIO_new_mem_buf(fc->bundle, (int)fc->bundle_len);
	if (!st || !b)
		goto fail;
	X509 *x;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		int ok = X509_STORE_add_cert(st, x);
		X509_free(x);
		if (!ok)
			goto fail;
		(*count)++;
	}
	ERR_clear_error(); /* the end of the bundle reads as an error */
	BIO_free(b);
	return st;
fail:
	BIO_free(b);
	X509_STORE_free(st);
	return NULL;
}

const tc_value *tc_filecheck_bundle_setting(const tc_value *settings)
{
	const tc_value *f = settings ? tc_value_getz(settings, "files") : NULL;
	const tc_value *b = f && f->kind == TC_OBJECT ? tc_value_getz(f, "caBundle") : NULL;
	return b && b->kind == TC_STR ? b : NULL;
}

int tc_filecheck_init(tc_filecheck *fc, const tc_value *settings, char *bundle, size_t bundle_len,
                      int64_t time, const char *time_from, tc_diags *d)
{
	memset(fc, 0, sizeof *fc);
	fc->time = time;
	fc->time_from = time_from;
	fc->warn_secs = (int64_t)TC_FILECHECK_WARN_DAYS * 86400;
	const tc_value *f = settings ? tc_value_getz(settings, "files") : NULL;
	if (f && f->kind == TC_OBJECT) {
		const tc_value *w = tc_value_getz(f, "certificateWarningDays");
		if (w && w->kind == TC_INT && w->u.i >= 0 && w->u.i <= 36500)
			fc->warn_secs = w->u.i * 86400;
		const tc_value *s = tc_value_getz(f, "signed");
		if (s && s->kind == TC_ARRAY)
			fc->signed_list = s;
	}
	const tc_value *bp = tc_filecheck_bundle_setting(settings);
	if (!bp || !bundle) {
		free(bundle);
		return 0;
	}
	fc->bundle_path = bp->u.str.ptr;
	fc->bundle = bundle;
	fc->bundle_len = bundle_len;
	unsigned char md[32];
	unsigned mdlen = 0;
	if (bundle_len > OSSL_LEN_MAX ||
	    !EVP_Digest(bundle, bundle_len, md, &mdlen, EVP_sha256(), NULL))
		return tc_fail(d, (tc_pos){fc->bundle_path, 1, 1}, NULL,
		               "cannot hash the CA bundle '%s'", fc->bundle_path);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(fc->digest + 2 * i, 3, "%02x", md[i]);
	size_t count;
	X509_STORE *st = bundle_store(fc, &count);
	X509_STORE_free(st);
	if (!st || count == 0)
		return tc_error(d, (tc_pos){fc->bundle_path, 1, 1}, NULL,
		                "the CA bundle '%s' (files.caBundle) holds no PEM certificate",
		                fc->bundle_path);
	return 0;
}

void tc_filecheck_release(tc_filecheck *fc)
{
	free(fc->bundle);
	memset(fc, 0, sizeof *fc);
}

bool tc_filecheck_uses_time(const tc_filecheck *fc)
{
	/* with a bundle, signatures may be checked; certificates warn by time
	 * either way, but a warning does not change what is rendered */
	return fc->bundle != NULL;
}

/* A signer of path: its chain to the bundle at the check time, and key usages that let
 * it sign files. */
static int check_signer(const tc_filecheck *fc, tc_diags *d, tc_pos at, const char *path,
                        X509_STORE *store, STACK_OF(X509) * certs, X509 *s)
{
	char subj[256], when[32];
	subject_of(s, subj, sizeof subj);
	fmt_time(when, fc->time);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, s, certs)) {
		X509_STORE_CTX_free(ctx);
		return tc_fail(d, at, NULL, "cannot verify '%s': OpenSSL failed", path);
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)fc->time);
	int ok = X509_verify_cert(ctx);
	int err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	if (ok != 1)
		return tc_error(d, at, NULL,
		                "the signer '%s' of '%s' is not trusted by '%s' at %s (%s): %s",
		                subj, path, fc->bundle_path, when, fc->time_from,
		                X509_verify_cert_error_string(err));
	uint32_t ku = X509_get_key_usage(s);
	if (ku == UINT32_MAX || !(ku & KU_DIGITAL_SIGNATURE))
		return tc_error(
			d, at, NULL,
			"the signer '%s' of '%s' may not sign: its certificate needs keyUsage "
			"digitalSignature",
			subj, path);
	uint32_t xku = X509_get_extended_key_usage(s);
	if (xku != UINT32_MAX && !(xku & XKU_CODE_SIGN))
		return tc_error(d, at, NULL,
		                "the signer '%s' of '%s' may not sign files: its extendedKeyUsage "
		                "lacks codeSigning",
		                subj, path);
	return 0;
}

int tc_filecheck_verify(const tc_filecheck *fc, tc_diags *d, const char *path, const char *data,
                        size_t len, const char *sigpath, const char *sig, size_t siglen)
{
	tc_pos at = {sigpath, 1, 1};
	if (!fc->bundle)
		return tc_error(d, at, NULL,
		                "'%s' signs '%s', but tenantc.yaml names no files.caBundle to "
		                "verify it against",
		                sigpath, path);
	if (len > OSSL_LEN_MAX || siglen > OSSL_LEN_MAX)
		return tc_error(d, at, NULL, "'%s' is too large to verify", path);
	int rc = -1;
	BIO *sb = NULL, *cb = NULL;
	CMS_ContentInfo *cms = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *signers = NULL, *certs = NULL;
	ERR_clear_error();
	sb = BIO_new_mem_buf(sig, (int)siglen);
	cb = BIO_new_mem_buf(data, (int)len);
	if (!sb || !cb) {
		tc_fail(d, at, NULL, "cannot verify '%s': out of memory in OpenSSL", path);
		goto cleanup;
	}
	cms = looks_pem(sig, siglen) ? PEM_read_bio_CMS(sb, NULL, NULL, NULL)
	                             : d2i_CMS_bio(sb, NULL);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		tc_error(d, at, NULL, "'%s' is not a CMS/PKCS#7 signature (SignedData, DER or PEM)",
		         sigpath);
		goto cleanup;
	}
	if (!CMS_is_detached(cms)) {
		tc_error(d, at, NULL,
		         "'%s' carries its own content: a detached signature of '%s' is expected "
		         "(openssl cms -sign -binary -outform DER without -nodetach)",
		         sigpath, path);
		goto cleanup;
	}
	size_t nstore;
	store = bundle_store(fc, &nstore);
	if (!store) {
		tc_fail(d, at, NULL, "cannot load the CA bundle '%s'", fc->bundle_path);
		goto cleanup;
	}
	ERR_clear_error();
	if (CMS_verify(cms, NULL, store, cb, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		tc_error(d, at, NULL,
		         "the signature '%s' does not match the content of '%s' (%s): the file "
		         "was changed after signing, or signed by another key",
		         sigpath, path, ossl_reason("verification failure"));
		goto cleanup;
	}
	signers = CMS_get0_signers(cms);
	certs = CMS_get1_certs(cms);
	if (!signers || sk_X509_num(signers) == 0) {
		tc_error(d, at, NULL, "'%s' names no signer", sigpath);
		goto cleanup;
	}
	for (int i = 0; i < sk_X509_num(signers); i++)
		if (check_signer(fc, d, at, path, store, certs, sk_X509_value(signers, i)) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	sk_X509_free(signers);
	X509_STORE_free(store);
	CMS_ContentInfo_free(cms);
	BIO_free(sb);
	BIO_free(cb);
	return rc;
}

/* 1-based line of offset off in data. */
static uint32_t line_of(const char *data, size_t off)
{
	uint32_t line = 1;
	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

static const char *find(const char *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle));
}

/* True when the text at p starts a line (or the file). */
static bool at_line_start(const char *data, const char *p)
{
	return p == data || p[-1] == '\n';
}

/* Private keys: PEM "-----BEGIN ... PRIVATE KEY-----" (PKCS#1, #8, EC,
 * encrypted, OpenSSH), PuTTY key files and age identities. The message
 * names the line, never the key. */
static int check_keys(tc_diags *d, const char *full, const char *data, size_t len)
{
	static const struct {
		const char *start, *what;
		bool line_start;
	} marks[] = {
		{"-----BEGIN ", "a PEM private key", true},
		{"PuTTY-User-Key-File-", "a PuTTY private key", true},
		{"AGE-SECRET-KEY-1", "an age identity", false},
	};
	for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
		const char *p = data, *end = data + len;
		while ((p = find(p, (size_t)(end - p), marks[m].start)) != NULL) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));
			size_t ll = (size_t)((eol ? eol : end) - p);
			bool hit = !marks[m].line_start || at_line_start(data, p);
			if (hit && m == 0)
				hit = find(p, ll, "PRIVATE KEY-----") != NULL;
			if (hit)
				return tc_error(
					d, (tc_pos){full, line_of(data, (size_t)(p - data)), 1},
					NULL,
					"'%s' holds %s: keys belong in SOPS-encrypted Secrets "
					"(tenants/<tenant>/secrets/), never in files/",
					full, marks[m].what);
			p += strlen(marks[m].start);
		}
	}
	return 0;
}

/* PEM certificates: a warning for each that expires within the window,
 * and for each that is not yet valid at the check time (its notBefore
 * after it, RFC 5280 4.1.2.5: it is valid from notBefore on). */
static int check_certs(const tc_filecheck *fc, tc_diags *d, const char *full, const char *data,
                       size_t len)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	const char *p = data, *end = data + len;
	int rc = 0;
	while ((p = find(p, (size_t)(end - p), begin)) != NULL) {
		tc_pos pos = {full, line_of(data, (size_t)(p - data)), 1};
		BIO *b = BIO_new_mem_buf(p, (int)(end - p));
		X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		ERR_clear_error();
		BIO_free(b);
		p += sizeof begin - 1;
		if (!x) {
			rc = tc_error(d, pos, NULL,
			              "'%s' holds a PEM certificate that does not parse", full);
			continue;
		}
		int64_t na;
		char subj[256], when[32], day[32];
		subject_of(x, subj, sizeof subj);
		int64_t nb;
		if (asn1_secs(X509_get0_notBefore(x), &nb) && nb > fc->time) {
			fmt_time(when, fc->time);
			fmt_time(day, nb);
			tc_warning(d, pos, NULL,
			           "certificate '%s' in '%s' is not valid before %s, after %s (%s)",
			           subj, full, day, when, fc->time_from);
		}
		if (asn1_secs(X509_get0_notAfter(x), &na)) {
			fmt_time(when, fc->time);
			fmt_time(day, na);
			day[10] = 0;
			if (na < fc->time)
				tc_warning(d, pos, NULL,
				           "certificate '%s' in '%s' expired on %s, before %s (%s)",
				           subj, full, day, when, fc->time_from);
			else if (na - fc->time < fc->warn_secs)
				tc_warning(
					d, pos, NULL,
					"certificate '%s' in '%s' expires on %s, within %lld days of "
					"%s (%s; files.certificateWarningDays)",
					subj, full, day, (long long)(fc->warn_secs / 86400), when,
					fc->time_from);
		}
		X509_free(x);
	}
	return rc;
}

static const tc_filecheck_file *lookup(const tc_filecheck_file *files, size_t n, const char *path,
                                       size_t plen)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(files[i].path) == plen && memcmp(files[i].path, path, plen) == 0)
			return &files[i];
	return NULL;
}

int tc_filecheck_folder(const tc_filecheck *fc, tc_diags *d, const char *base,
                        const tc_filecheck_file *files, size_t n)
{
	int rc = 0;
	size_t sl = strlen(SIG_SUFFIX), bl = strlen(base);
	for (size_t i = 0; i < n; i++) {
		const tc_filecheck_file *f = &files[i];
		char *full = tc_path_join(base, f->path);
		if (check_keys(d, full, f->data, f->len))
			rc = -1;
		if (check_certs(fc, d, full, f->data, f->len))
			rc = -1;
		size_t pl = strlen(f->path);
		if (pl > sl && memcmp(f->path + pl - sl, SIG_SUFFIX, sl) == 0) {
			const tc_filecheck_file *c = lookup(files, n, f->path, pl - sl);
			char *cfull = tc_xstrdup(full);
			cfull[strlen(cfull) - sl] = 0;
			if (!c)
				rc = tc_error(d, (tc_pos){full, 1, 1}, NULL,
				              "'%s' is a signature of '%s', which does not exist",
				              full, cfull);
			else if (tc_filecheck_verify(fc, d, cfull, c->data, c->len, full, f->data,
			                             f->len))
				rc = -1;
			free(cfull);
		}
		free(full);
	}
	/* files.signed: listed files of this folder must have a signature */
	for (size_t i = 0; fc->signed_list && i < fc->signed_list->u.arr.len; i++) {
		const tc_value *v = fc->signed_list->u.arr.items[i];
		if (v->kind != TC_STR || v->u.str.len <= bl + 1 ||
		    memcmp(v->u.str.ptr, base, bl) != 0 || v->u.str.ptr[bl] != '/')
			continue;
		const char *rel = v->u.str.ptr + bl + 1;
		size_t rl = v->u.str.len - bl - 1;
		char *sigp = tc_xmalloc(rl + sl + 1);
		memcpy(sigp, rel, rl);
		memcpy(sigp + rl, SIG_SUFFIX, sl + 1);
		tc_path af = TC_PATH_KEY(NULL, "files", 5), as = TC_PATH_KEY(&af, "signed", 6);
		tc_path at = TC_PATH_INDEX(&as, i);
		if (!lookup(files, n, rel, rl))
			rc = tc_error(d, v->pos, &at,
			              "files.signed lists '%.*s', which does not exist",
			              (int)v->u.str.len, v->u.str.ptr);
		else if (!lookup(files, n, sigp, rl + sl))
			rc = tc_error(
				d, v->pos, &at,
				"'%.*s' must be signed (files.signed), but '%s/%s' is missing",
				(int)v->u.str.len, v->u.str.ptr, base, sigp);
		free(sigp);
	}
	return rc;
}

bool tc_filecheck_is_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		/* eight ASCII bytes at a time: most rendered text is ASCII */
		uint64_t w;
		if (n - i >= sizeof w) {
			memcpy(&w, u + i, sizeof w);
			if (!(w & 0x8080808080808080u)) {
				i += sizeof w;
				continue;
			}
		}
		/* the last bytes of a long enough string as one word too */
		if (n >= sizeof w && n - i < sizeof w) {
			memcpy(&w, u + n - sizeof w, sizeof w);
			if (!(w & 0x8080808080808080u))
				return true;
		}
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = tc_utf8_decode(u + i, n - i, &cp);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

static int text_walk(tc_diags *d, const tc_value *v, const tc_path *at)
{
	int rc = 0;
	switch (v->kind) {
	case TC_STR:
		if (!tc_filecheck_is_utf8(v->u.str.ptr, v->u.str.len))
			rc = tc_error(
				d, v->pos, at,
				"a string holds bytes that are not UTF-8, which a YAML string "
				"cannot carry: put binary content into a ConfigMap's binaryData "
				"as base64 (fileBase64(path))");
		break;
	case TC_ARRAY:
		for (size_t i = 0; i < v->u.arr.len; i++) {
			tc_path p = TC_PATH_INDEX(at, i);
			if (text_walk(d, v->u.arr.items[i], &p))
				rc = -1;
		}
		break;
	case TC_OBJECT:
		for (size_t i = 0; i < v->u.obj.len; i++) {
			const tc_member *m = &v->u.obj.members[i];
			if (!tc_filecheck_is_utf8(m->key, m->klen)) {
				rc = tc_error(d, m->kpos, at,
				              "a key holds bytes that are not UTF-8");
				continue;
			}
			tc_path p = TC_PATH_KEY(at, m->key, m->klen);
			if (text_walk(d, m->val, &p))
				rc = -1;
		}
		break;
	default:
		break;
	}
	return rc;
}

int tc_filecheck_output_text(tc_diags *d, const tc_value *obj)
{
	return text_walk(d, obj, NULL);
}
