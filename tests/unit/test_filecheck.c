/*
 * test_filecheck.c - signatures, certificates, keys and the UTF-8 rule of
 * filecheck.c.
 *
 * Upstream rules followed: RFC 5652 (CMS SignedData, detached content),
 * RFC 5280 6.1 (path validation at a given time) and 4.2.1.3 / 4.2.1.12
 * (keyUsage digitalSignature, extendedKeyUsage codeSigning), as OpenSSL 3's
 * CMS_verify and X509_verify_cert implement them; YAML 1.2.2 5.1 (a YAML
 * stream is Unicode text, so a string cannot carry other bytes).
 *
 * Keys and certificates are made here, in memory, for each run: nothing is
 * committed.
 */
#include "filecheck.h"

#include "tc_test.h"

#include <openssl/pem.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define T0 1767323045 /* 2026-01-02T03:04:05Z */
#define DAY 86400

typedef struct pki {
	EVP_PKEY *key;
	X509 *cert;
	char *pem; /* the certificate as PEM, malloc'd */
	size_t pemlen;
} pki;

static void add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A self-signed certificate valid from nb to na (seconds since the epoch),
 * with the given key usages, that is its own trust anchor. */
static pki make(const char *cn, int64_t nb, int64_t na, const char *ku, const char *eku)
{
	pki p = {0};
	p.key = EVP_EC_gen("P-256");
	p.cert = X509_new();
	X509_set_version(p.cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(p.cert), 1);
	ASN1_TIME_set(X509_getm_notBefore(p.cert), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(p.cert), (time_t)na);
	X509_NAME *n = X509_get_subject_name(p.cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(p.cert, n);
	X509_set_pubkey(p.cert, p.key);
	add_ext(p.cert, NID_basic_constraints, "critical,CA:true");
	add_ext(p.cert, NID_key_usage, ku);
	if (eku)
		add_ext(p.cert, NID_ext_key_usage, eku);
	X509_sign(p.cert, p.key, EVP_sha256());
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, p.cert);
	char *data;
	long len = BIO_get_mem_data(b, &data);
	p.pem = malloc((size_t)len + 1);
	memcpy(p.pem, data, (size_t)len);
	p.pem[len] = 0;
	p.pemlen = (size_t)len;
	BIO_free(b);
	return p;
}

static void drop(pki *p)
{
	EVP_PKEY_free(p->key);
	X509_free(p->cert);
	free(p->pem);
}

/* A detached DER signature of data by p (malloc'd). */
static char *sign(const pki *p, const char *data, size_t *len)
{
	BIO *in = BIO_new_mem_buf(data, (int)strlen(data));
	CMS_ContentInfo *cms = CMS_sign(p->cert, p->key, NULL, in, CMS_BINARY | CMS_DETACHED);
	BIO *out = BIO_new(BIO_s_mem());
	i2d_CMS_bio(out, cms);
	char *d;
	long n = BIO_get_mem_data(out, &d);
	char *r = malloc((size_t)n);
	memcpy(r, d, (size_t)n);
	*len = (size_t)n;
	BIO_free(out);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return r;
}

/* fc trusting `trust`, checking at time t. */
static int setup(tc_filecheck *fc, tc_diags *d, const pki *trust, int64_t t)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_objb f, s;
	tc_objb_init(&f);
	tc_objb_addz(&f, "caBundle", tc_value_strz(&a, "trust/ca.pem", TC_NOPOS));
	tc_objb_init(&s);
	tc_objb_addz(&s, "files", tc_objb_finish(&f, &a, TC_NOPOS, NULL));
	tc_value *settings = tc_objb_finish(&s, &a, TC_NOPOS, NULL);
	char *bundle = malloc(trust->pemlen);
	memcpy(bundle, trust->pem, trust->pemlen);
	int rc = tc_filecheck_init(fc, settings, bundle, trust->pemlen, t, "the commit time", d);
	fc->bundle_path = "trust/ca.pem"; /* the settings' arena goes away here */
	tc_arena_release(&a);
	return rc;
}

static const char *first(const tc_diags *d)
{
	return d->len ? d->items[0].msg : "";
}

TEST(filecheck_verifies_a_detached_cms_signature_rfc5652)
{
	pki ca = make("signer", T0 - DAY, T0 + 365 * DAY, "critical,digitalSignature,keyCertSign",
	              "codeSigning");
	tc_diags d;
	tc_diags_init(&d);
	tc_filecheck fc;
	CHECK(setup(&fc, &d, &ca, T0) == 0);
	size_t n;
	char *sig = sign(&ca, "payload", &n);
	CHECK(tc_filecheck_verify(&fc, &d, "files/p", "payload", 7, "files/p.p7s", sig, n) == 0);
	CHECK(d.len == 0);
	/* tampered: other bytes under the same signature */
	CHECK(tc_filecheck_verify(&fc, &d, "files/p", "paylo4d", 7, "files/p.p7s", sig, n) == -1);
	CHECK(strstr(first(&d), "does not match the content of 'files/p'") != NULL);
	free(sig);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	drop(&ca);
}

TEST(filecheck_checks_the_chain_at_the_given_time_rfc5280_6_1)
{
	pki ca = make("signer", T0 - DAY, T0 + 10 * DAY, "critical,digitalSignature,keyCertSign",
	              NULL);
	pki other = make("forger", T0 - DAY, T0 + 10 * DAY, "critical,digitalSignature,keyCertSign",
	                 NULL);
	size_t n, m;
	char *sig = sign(&ca, "payload", &n);
	char *forged = sign(&other, "payload", &m);
	tc_diags d;
	tc_diags_init(&d);
	tc_filecheck fc;
	/* after the signer's expiry: refused, whatever the clock says */
	CHECK(setup(&fc, &d, &ca, T0 + 20 * DAY) == 0);
	CHECK(tc_filecheck_verify(&fc, &d, "f", "payload", 7, "f.p7s", sig, n) == -1);
	CHECK(strstr(first(&d), "certificate has expired") != NULL);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	/* before it was valid */
	tc_diags_init(&d);
	CHECK(setup(&fc, &d, &ca, T0 - 2 * DAY) == 0);
	CHECK(tc_filecheck_verify(&fc, &d, "f", "payload", 7, "f.p7s", sig, n) == -1);
	CHECK(strstr(first(&d), "certificate is not yet valid") != NULL);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	/* another key, not in the bundle */
	tc_diags_init(&d);
	CHECK(setup(&fc, &d, &ca, T0) == 0);
	CHECK(tc_filecheck_verify(&fc, &d, "f", "payload", 7, "f.p7s", forged, m) == -1);
	CHECK(strstr(first(&d), "the signer 'CN=forger' of 'f' is not trusted") != NULL);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	free(sig);
	free(forged);
	drop(&ca);
	drop(&other);
}

TEST(filecheck_requires_digital_signature_and_code_signing_rfc5280_4_2_1_3)
{
	pki ca = make("mailer", T0 - DAY, T0 + 10 * DAY, "critical,digitalSignature,keyCertSign",
	              "emailProtection");
	size_t n;
	char *sig = sign(&ca, "payload", &n);
	tc_diags d;
	tc_diags_init(&d);
	tc_filecheck fc;
	CHECK(setup(&fc, &d, &ca, T0) == 0);
	CHECK(tc_filecheck_verify(&fc, &d, "f", "payload", 7, "f.p7s", sig, n) == -1);
	CHECK(strstr(first(&d), "lacks codeSigning") != NULL);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	free(sig);
	drop(&ca);
}

TEST(filecheck_warns_of_certificates_expiring_within_the_window)
{
	pki c = make("soon", T0 - DAY, T0 + 5 * DAY, "critical,digitalSignature", NULL);
	pki late = make("late", T0 - DAY, T0 + 100 * DAY, "critical,digitalSignature", NULL);
	tc_diags d;
	tc_diags_init(&d);
	tc_filecheck fc;
	CHECK(tc_filecheck_init(&fc, NULL, NULL, 0, T0, "the commit time", &d) == 0);
	tc_filecheck_file files[] = {{"a.pem", c.pem, c.pemlen}, {"b.pem", late.pem, late.pemlen}};
	CHECK(tc_filecheck_folder(&fc, &d, "files", files, 2) == 0);
	CHECK(d.len == 1);
	CHECK(d.items[0].sev == TC_SEV_WARNING);
	CHECK(strstr(d.items[0].msg, "certificate 'CN=soon' in 'files/a.pem' expires on") != NULL);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	drop(&c);
	drop(&late);
}

/* RFC 5280 4.1.2.5: a certificate is valid from notBefore on; one that
 * starts after the check time warns, one that starts at it does not. */
TEST(filecheck_warns_of_certificates_not_yet_valid)
{
	pki c = make("future", T0 + DAY, T0 + 100 * DAY, "critical,digitalSignature", NULL);
	pki now = make("now", T0, T0 + 100 * DAY, "critical,digitalSignature", NULL);
	tc_diags d;
	tc_diags_init(&d);
	tc_filecheck fc;
	CHECK(tc_filecheck_init(&fc, NULL, NULL, 0, T0, "the commit time", &d) == 0);
	tc_filecheck_file files[] = {{"a.pem", c.pem, c.pemlen}, {"b.pem", now.pem, now.pemlen}};
	CHECK(tc_filecheck_folder(&fc, &d, "files", files, 2) == 0);
	CHECK(d.len == 1);
	CHECK(d.items[0].sev == TC_SEV_WARNING);
	CHECK(strstr(d.items[0].msg, "certificate 'CN=future' in 'files/a.pem' is not valid "
	                             "before ") != NULL);
	CHECK(strstr(d.items[0].msg, "(the commit time)") != NULL);
	tc_filecheck_release(&fc);
	tc_diags_release(&d);
	drop(&c);
	drop(&now);
}

TEST(filecheck_refuses_private_keys_without_printing_them)
{
	static const char *const keys[] = {
		"x\n-----BEGIN PRIVATE KEY-----\nSECRETBYTES\n-----END PRIVATE KEY-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nSECRETBYTES\n",
		"-----BEGIN EC PRIVATE KEY-----\nSECRETBYTES\n",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nSECRETBYTES\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETBYTES\n",
		"PuTTY-User-Key-File-3: ssh-ed25519\nSECRETBYTES\n",
		"# age\nAGE-SECRET-KEY-1SECRETBYTES\n",
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_filecheck fc;
		CHECK(tc_filecheck_init(&fc, NULL, NULL, 0, T0, "the commit time", &d) == 0);
		tc_filecheck_file f = {"k", keys[i], strlen(keys[i])};
		CHECK(tc_filecheck_folder(&fc, &d, "files", &f, 1) == -1);
		CHECK(strstr(first(&d), "holds") != NULL);
		CHECK(strstr(first(&d), "SECRETBYTES") == NULL);
		tc_diags_release(&d);
	}
	/* a public key or a mention in prose is not a key */
	tc_diags d;
	tc_diags_init(&d);
	tc_filecheck fc;
	CHECK(tc_filecheck_init(&fc, NULL, NULL, 0, T0, "the commit time", &d) == 0);
	static const char text[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n"
				   "see the -----BEGIN PRIVATE KEY----- block in the docs\n";
	tc_filecheck_file f = {"k", text, sizeof text - 1};
	CHECK(tc_filecheck_folder(&fc, &d, "files", &f, 1) == 0);
	CHECK(d.len == 0);
	tc_diags_release(&d);
}

TEST(filecheck_output_text_rejects_bytes_that_are_not_utf8_yaml_1_2_5_1)
{
	CHECK(tc_filecheck_is_utf8("caf\xc3\xa9", 5));
	CHECK(!tc_filecheck_is_utf8("\xff", 1));
	CHECK(!tc_filecheck_is_utf8("\xc0\xaf", 2)); /* overlong */
	CHECK(tc_filecheck_is_utf8("a\0b", 3));      /* NUL is UTF-8; the emitter escapes it */
	tc_arena a;
	tc_arena_init(&a);
	tc_objb data, obj;
	tc_objb_init(&data);
	tc_objb_addz(&data, "ok", tc_value_strz(&a, "text", TC_NOPOS));
	tc_objb_addz(&data, "logo.png",
	             tc_value_str(&a, "\x89PNG\xff", 5, (tc_pos){"t.yaml", 5, 3}));
	tc_objb_init(&obj);
	tc_objb_addz(&obj, "data", tc_objb_finish(&data, &a, TC_NOPOS, NULL));
	tc_diags d;
	tc_diags_init(&d);
	CHECK(tc_filecheck_output_text(&d, tc_objb_finish(&obj, &a, TC_NOPOS, NULL)) == -1);
	CHECK(d.len == 1);
	CHECK(d.items[0].line == 5);
	CHECK_STR(d.items[0].path, ".data[\"logo.png\"]");
	tc_diags_release(&d);
	tc_arena_release(&a);
}

int main(void)
{
	return RUN(filecheck_verifies_a_detached_cms_signature_rfc5652,
	           filecheck_checks_the_chain_at_the_given_time_rfc5280_6_1,
	           filecheck_requires_digital_signature_and_code_signing_rfc5280_4_2_1_3,
	           filecheck_warns_of_certificates_expiring_within_the_window,
	           filecheck_warns_of_certificates_not_yet_valid,
	           filecheck_refuses_private_keys_without_printing_them,
	           filecheck_output_text_rejects_bytes_that_are_not_utf8_yaml_1_2_5_1);
}
