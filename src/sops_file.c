/*
 * sops_file.c - reading, opening and writing SOPS files (age recipients).
 *
 * A SOPS file is the original document with every selected scalar replaced
 * by ENC[AES256_GCM,data:..,iv:..,tag:..,type:..] and a top-level `sops`
 * mapping appended. Values are encrypted with AES-256-GCM under the file's
 * data key, a 32-byte IV and the value's path as additional data
 * ("stringData:password:"); the MAC is SHA-512 over every non-null value in
 * document order (plaintext bytes for encrypted values, Go's formatting of
 * the yaml.v3-typed value for clear ones), upper-case hex, itself encrypted
 * with lastmodified as additional data. The data key is stored once per
 * recipient as an armored age file.
 *
 * The walk that selects values is shared by open and write: a value is
 * encrypted when the rule selects its path (encrypted_regex: some key
 * matches; unencrypted_suffix: no key ends with the suffix; ...); list
 * indices are not part of paths; null values are skipped; an empty string
 * is never encrypted but is "visited" by the MAC with zero bytes.
 *
 * Ownership: metadata strings and nodes in the caller's arena; plaintext,
 * the data key and derived keys in the caller's tc_secmem (stack copies
 * are wiped). OpenSSL contexts are freed on every path.
 */
#include "sops_file.h"

#include "base64.h"
#include <inttypes.h>
#include <math.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define IV_SIZE 32
#define TAG_SIZE 16

const tc_sops_rule tc_sops_default_rule = {TC_SOPS_ENCRYPTED_REGEX, TC_SOPS_REGEX};

/* ---- the rule ------------------------------------------------------------------------------ */

typedef struct matcher {
	tc_sops_rule rule;
	bool fast; /* the tenantc regex, matched without PCRE2 */
	pcre2_code *re;
	pcre2_match_data *md;
} matcher;

static int matcher_init(matcher *m, tc_diags *d, tc_pos pos, const tc_sops_rule *r)
{
	memset(m, 0, sizeof *m);
	m->rule = *r;
	bool regex = r->kind == TC_SOPS_ENCRYPTED_REGEX || r->kind == TC_SOPS_UNENCRYPTED_REGEX;
	if (!regex)
		return 0;
	if (strcmp(r->arg, TC_SOPS_REGEX) == 0) {
		m->fast = true;
		return 0;
	}
	int err = 0;
	PCRE2_SIZE off = 0;
	m->re = pcre2_compile((PCRE2_SPTR)r->arg, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off,
	                      NULL);
	if (!m->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof msg);
		return tc_error(d, pos, NULL, "invalid regular expression '%s': %s", r->arg,
		                (const char *)msg);
	}
	m->md = pcre2_match_data_create_from_pattern(m->re, NULL);
	if (!m->md)
		tc_oom();
	return 0;
}

static void matcher_release(matcher *m)
{
	pcre2_match_data_free(m->md);
	pcre2_code_free(m->re);
}

static bool key_hits(const matcher *m, const char *k, size_t n)
{
	const char *arg = m->rule.arg;
	size_t an = strlen(arg);
	switch (m->rule.kind) {
	case TC_SOPS_UNENCRYPTED_SUFFIX:
	case TC_SOPS_ENCRYPTED_SUFFIX:
		return n >= an && memcmp(k + n - an, arg, an) == 0;
	case TC_SOPS_UNENCRYPTED_REGEX:
	case TC_SOPS_ENCRYPTED_REGEX:
		if (m->fast)
			return (n == 4 && memcmp(k, "data", 4) == 0) ||
			       (n == 10 && memcmp(k, "stringData", 10) == 0);
		return pcre2_match(m->re, (PCRE2_SPTR)k, n, 0, 0, m->md, NULL) >= 0;
	}
	return false;
}

/* hit: some key on the path hit the rule */
static bool selected(const matcher *m, bool hit)
{
	bool enc_rule =
		m->rule.kind == TC_SOPS_ENCRYPTED_SUFFIX || m->rule.kind == TC_SOPS_ENCRYPTED_REGEX;
	return enc_rule ? hit : !hit;
}

/* ---- AES-GCM and the ENC grammar ----------------------------------------------------------- */

static const EVP_CIPHER *gcm_cipher(size_t keylen)
{
	return keylen == 16   ? EVP_aes_128_gcm()
	       : keylen == 24 ? EVP_aes_192_gcm()
	                      : EVP_aes_256_gcm();
}

/* enc: out = ciphertext, tag written; dec: out = plaintext, tag checked. */
static bool gcm(bool enc, const unsigned char *key, size_t keylen, const unsigned char *iv,
                size_t ivlen, const char *aad, size_t aadlen, const unsigned char *in, size_t n,
                unsigned char *out, unsigned char tag[TAG_SIZE])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		tc_oom();
	int l = 0;
	bool ok = EVP_CipherInit_ex(ctx, gcm_cipher(keylen), NULL, NULL, NULL, enc) == 1 &&
	          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen, NULL) == 1 &&
	          EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) == 1;
	if (ok && aadlen)
		ok = EVP_CipherUpdate(ctx, NULL, &l, (const unsigned char *)aad, (int)aadlen) == 1;
	if (ok && n)
		ok = EVP_CipherUpdate(ctx, out, &l, in, (int)n) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_SIZE, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, out + n, &l) > 0;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_SIZE, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static const char *type_name(tc_stype t)
{
	switch (t) {
	case TC_ST_INT:
		return "int";
	case TC_ST_FLOAT:
		return "float";
	case TC_ST_BOOL:
		return "bool";
	case TC_ST_TIME:
		return "time";
	default:
		return "str";
	}
}

typedef struct enc_parts {
	const char *data, *iv, *tag, *type;
	size_t ndata, niv, ntag, ntype;
} enc_parts;

/* ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<word>] */
static bool enc_split(enc_parts *p, const char *s, size_t n)
{
	static const char head[] = "ENC[AES256_GCM,data:";
	size_t hn = sizeof head - 1;
	if (n < hn + 1 || memcmp(s, head, hn) != 0 || s[n - 1] != ']')
		return false;
	const char *end = s + n - 1;
	const char *iv = memmem(s + hn, (size_t)(end - s) - hn, ",iv:", 4);
	const char *tag = iv ? memmem(iv + 4, (size_t)(end - iv) - 4, ",tag:", 5) : NULL;
	const char *ty = tag ? memmem(tag + 5, (size_t)(end - tag) - 5, ",type:", 6) : NULL;
	if (!ty)
		return false;
	p->data = s + hn;
	p->ndata = (size_t)(iv - p->data);
	p->iv = iv + 4;
	p->niv = (size_t)(tag - p->iv);
	p->tag = tag + 5;
	p->ntag = (size_t)(ty - p->tag);
	p->type = ty + 6;
	p->ntype = (size_t)(end - p->type);
	return p->ndata && p->niv && p->ntag && p->ntype;
}

/* Append the ENC string of pt to out. */
static int enc_value(tc_buf *out, const unsigned char *key, size_t keylen,
                     const unsigned char iv[IV_SIZE], const char *aad, const char *pt, size_t n,
                     const char *type)
{
	unsigned char tag[TAG_SIZE];
	unsigned char *ct = tc_xmalloc(n + 16);
	bool ok = gcm(true, key, keylen, iv, IV_SIZE, aad, strlen(aad), (const unsigned char *)pt,
	              n, ct, tag);
	if (ok) {
		tc_buf_adds(out, "ENC[AES256_GCM,data:");
		tc_base64_add(out, ct, n, true);
		tc_buf_adds(out, ",iv:");
		tc_base64_add(out, iv, IV_SIZE, true);
		tc_buf_adds(out, ",tag:");
		tc_base64_add(out, tag, TAG_SIZE, true);
		tc_buf_addf(out, ",type:%s]", type);
	}
	free(ct);
	return ok ? 0 : -1;
}

/* Decrypt an ENC string into secret memory: 0 ok, -1 not ENC grammar,
 * -2 authentication failed. */
static int dec_value(char **pt, size_t *ptlen, enc_parts *p, tc_secmem *sm,
                     const unsigned char *key, size_t keylen, const char *aad, const char *s,
                     size_t n)
{
	if (!enc_split(p, s, n))
		return -1;
	size_t cap = p->ndata, nct = 0, niv = 0, ntag = 0;
	unsigned char *ct = tc_xmalloc(cap + 1), iv[128], tag[TAG_SIZE + 1];
	int rc = -1;
	const unsigned go = TC_BASE64_PAD | TC_BASE64_SKIP_NL; /* Go's StdEncoding */
	if (tc_base64_decode(ct, &nct, cap, p->data, p->ndata, go) != 0 ||
	    tc_base64_decode(iv, &niv, sizeof iv, p->iv, p->niv, go) != 0 || !niv ||
	    tc_base64_decode(tag, &ntag, sizeof tag, p->tag, p->ntag, go) != 0 || ntag != TAG_SIZE)
		goto out;
	char *plain = tc_secmem_alloc(sm, nct + 1);
	if (!gcm(false, key, keylen, iv, niv, aad, strlen(aad), ct, nct, (unsigned char *)plain,
	         tag)) {
		sodium_memzero(plain, nct);
		rc = -2;
		goto out;
	}
	plain[nct] = 0;
	*pt = plain;
	*ptlen = nct;
	rc = 0;
out:
	free(ct);
	return rc;
}

/* ---- reading the metadata ------------------------------------------------------------------ */

static bool semver(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == 'v')
		i++;
	for (int part = 0; part < 3; part++) {
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start || (i - start > 1 && s[start] == '0'))
			return false;
		if (part < 2 && !(i < n && s[i++] == '.'))
			return false;
	}
	if (i < n && (s[i] == '-' || s[i] == '+')) {
		for (i++; i < n; i++) {
			char c = s[i];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			      (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+'))
				return false;
		}
	}
	return i == n;
}

static const tc_snode *meta_str(tc_diags *d, const tc_snode *meta, const char *key, bool *bad)
{
	tc_sentry *e = tc_snode_get(meta, key);
	if (!e)
		return NULL;
	if (e->val->kind != TC_SN_SCALAR || e->val->type != TC_ST_STR) {
		*bad = true;
		tc_error(d, e->val->pos, NULL, "sops.%s must be a quoted string", key);
		return NULL;
	}
	return e->val;
}

static int age_entries(tc_sops_doc *doc, tc_arena *a, tc_diags *d, const tc_snode *list,
                       tc_sops_age_entry **v, size_t *n, size_t *cap)
{
	if (list->kind == TC_SN_SCALAR && list->type == TC_ST_NULL)
		return 0;
	if (list->kind != TC_SN_SEQ)
		return tc_error(d, list->pos, NULL, "sops.age must be a list");
	for (size_t i = 0; i < list->n; i++) {
		const tc_snode *it = list->items[i];
		tc_sentry *r = tc_snode_get(it, "recipient"), *e = tc_snode_get(it, "enc");
		if (!e || e->val->kind != TC_SN_SCALAR || e->val->type != TC_ST_STR)
			return tc_error(d, it->pos, NULL,
			                "age entry without an 'enc' string in '%s'", doc->file);
		TC_GROW(*v, *cap, *n + 1);
		(*v)[(*n)++] =
			(tc_sops_age_entry){r && r->val->kind == TC_SN_SCALAR
		                                    ? tc_arena_strdup(a, r->val->text)
		                                    : "",
		                            e->val->text, e->val->len, r ? r->val->pos : it->pos};
	}
	return 0;
}

/* The encryption rule (one of four, or the default), no comment-driven rules,
 * and mac_only_encrypted. */
static int meta_rule(tc_sops_doc *out, tc_diags *d, const tc_snode *m, bool *bad)
{
	static const struct {
		const char *key;
		tc_sops_rule_kind kind;
	} rules[] = {{"unencrypted_suffix", TC_SOPS_UNENCRYPTED_SUFFIX},
	             {"encrypted_suffix", TC_SOPS_ENCRYPTED_SUFFIX},
	             {"unencrypted_regex", TC_SOPS_UNENCRYPTED_REGEX},
	             {"encrypted_regex", TC_SOPS_ENCRYPTED_REGEX}};
	const char *file = out->file;
	out->rule = (tc_sops_rule){TC_SOPS_UNENCRYPTED_SUFFIX, "_unencrypted"};
	int nrules = 0;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const tc_snode *v = meta_str(d, m, rules[i].key, bad);
		if (v) {
			out->rule = (tc_sops_rule){rules[i].kind, v->text};
			nrules++;
		}
	}
	if (nrules > 1)
		return tc_error(d, m->pos, NULL, "'%s' has %d encryption rules; sops allows one",
		                file, nrules);
	if (tc_snode_get(m, "unencrypted_comment_regex") ||
	    tc_snode_get(m, "encrypted_comment_regex"))
		return tc_error(d, m->pos, NULL,
		                "comment-driven encryption rules are not supported (in '%s')",
		                file);
	tc_sentry *moe = tc_snode_get(m, "mac_only_encrypted");
	if (moe && moe->val->kind == TC_SN_SCALAR && moe->val->type == TC_ST_BOOL)
		out->mac_only_encrypted = moe->val->v.b;
	else if (moe && !(moe->val->kind == TC_SN_SCALAR && moe->val->type == TC_ST_NULL))
		return tc_error(d, moe->val->pos, NULL,
		                "sops.mac_only_encrypted must be a boolean");
	return 0;
}

/* lastmodified (a quoted RFC 3339 time, kept in sops' form), mac and version */
static int meta_stamps(tc_sops_doc *out, tc_arena *a, tc_diags *d, const tc_snode *m, bool *bad)
{
	const char *file = out->file;
	tc_sentry *lm = tc_snode_get(m, "lastmodified");
	if (!lm)
		return tc_error(d, m->pos, NULL, "sops.lastmodified is missing in '%s'", file);
	if (lm->val->kind == TC_SN_SCALAR && lm->val->type == TC_ST_TIME)
		return tc_error(
			d, lm->val->pos, NULL,
			"sops.lastmodified must be a quoted string (sops 3.13 and later refuse "
			"an unquoted timestamp)");
	const tc_snode *lmv = meta_str(d, m, "lastmodified", bad);
	const tc_snode *mac = meta_str(d, m, "mac", bad);
	const tc_snode *ver = meta_str(d, m, "version", bad);
	if (*bad)
		return -1;
	tc_stime t;
	if (tc_sops_parse_rfc3339(&t, lmv->text, lmv->len) != 0)
		return tc_error(d, lmv->pos, NULL, "sops.lastmodified '%s' is not an RFC 3339 time",
		                lmv->text);
	char buf[64];
	tc_sops_rfc3339(buf, sizeof buf, &t);
	out->lastmodified = tc_arena_strdup(a, buf);
	if (!mac || mac->len == 0)
		return tc_error(d, mac ? mac->pos : m->pos, NULL,
		                "sops.mac is missing or empty in '%s' (Flux would not decrypt it)",
		                file);
	out->mac = mac->text;
	tc_sentry *vn = tc_snode_get(m, "version");
	if (!ver || !semver(ver->text, ver->len))
		return tc_error(d, vn ? vn->val->pos : m->pos, NULL,
		                "sops.version must be a semantic version such as %s",
		                TC_SOPS_VERSION);
	out->version = ver->text;
	return 0;
}

/* The age recipients, of sops.age and of each key group (no Shamir sharing),
 * gathered in a growing list and then moved into the arena. */
static int meta_recipients(tc_sops_doc *out, tc_arena *a, tc_diags *d, const tc_snode *m)
{
	size_t cap = 0;
	tc_sentry *age = tc_snode_get(m, "age");
	if (age && age_entries(out, a, d, age->val, &out->age, &out->nage, &cap) != 0)
		goto fail;
	tc_sentry *kg = tc_snode_get(m, "key_groups");
	if (kg && kg->val->kind == TC_SN_SEQ) {
		tc_sentry *thr = tc_snode_get(m, "shamir_threshold");
		if (kg->val->n > 1 && thr && thr->val->type == TC_ST_INT && thr->val->v.i > 1) {
			tc_error(d, thr->val->pos, NULL, "Shamir secret sharing is not supported");
			goto fail;
		}
		for (size_t i = 0; i < kg->val->n; i++) {
			tc_sentry *ga = tc_snode_get(kg->val->items[i], "age");
			if (ga && age_entries(out, a, d, ga->val, &out->age, &out->nage, &cap) != 0)
				goto fail;
		}
	}
	if (out->nage == 0) {
		tc_error(d, m->pos, NULL, "'%s' has no age recipients (tenantc supports age only)",
		         out->file);
		goto fail;
	}
	tc_sops_age_entry *kept = tc_arena_alloc(a, out->nage * sizeof *kept);
	memcpy(kept, out->age, out->nage * sizeof *kept);
	free(out->age);
	out->age = kept;
	return 0;
fail:
	free(out->age);
	out->age = NULL;
	out->nage = 0;
	return -1;
}

/* The tree without its 'sops' entry into out->tree; the entry in *sops, or NULL. */
static void split_meta(tc_sops_doc *out, tc_arena *a, const tc_snode *root, const tc_sentry **sops)
{
	tc_snode *tree = tc_snode_new(a, TC_SN_MAP, root->pos);
	tree->entries = tc_arena_alloc(a, root->n * sizeof *tree->entries);
	*sops = NULL;
	for (size_t i = 0; i < root->n; i++) {
		if (root->entries[i].klen == 4 && memcmp(root->entries[i].key, "sops", 4) == 0)
			*sops = &root->entries[i];
		else
			tree->entries[tree->n++] = root->entries[i];
	}
	out->tree = tree;
}

int tc_sops_parse(tc_sops_doc *out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                  size_t len)
{
	memset(out, 0, sizeof *out);
	out->file = file;
	tc_snode **docs = NULL;
	size_t ndocs = 0;
	if (tc_sops_yaml_read(&docs, &ndocs, a, NULL, d, file, data, len, 0) != 0)
		return -1;
	if (ndocs != 1)
		return tc_error(d, (tc_pos){file, 1, 1}, NULL,
		                "'%s' holds %zu YAML documents; a SOPS file for tenantc holds one",
		                file, ndocs);
	tc_snode *root = docs[0];
	if (root->kind != TC_SN_MAP)
		return tc_error(d, root->pos, NULL, "'%s' is not a mapping", file);
	const tc_sentry *sops;
	split_meta(out, a, root, &sops);
	if (!sops)
		return tc_error(d, root->pos, NULL, "sops metadata not found in '%s'", file);
	const tc_snode *m = sops->val;
	out->meta_pos = sops->kpos;
	if (m->kind != TC_SN_MAP)
		return tc_error(d, m->pos, NULL, "sops metadata of '%s' is not a mapping", file);
	bool bad = false;
	if (meta_rule(out, d, m, &bad) || meta_stamps(out, a, d, m, &bad) ||
	    meta_recipients(out, a, d, m))
		return -1;
	return 0;
}

bool tc_sops_tree_is_encrypted(const tc_snode *root)
{
	tc_sentry *s = tc_snode_get(root, "sops");
	tc_sentry *mac = s ? tc_snode_get(s->val, "mac") : NULL;
	return mac && mac->val->kind == TC_SN_SCALAR && mac->val->type == TC_ST_STR &&
	       mac->val->len;
}

/* ---- Go conversions of decrypted text ------------------------------------------------------ */

static bool casecmp(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		if (c != w[i])
			return false;
	}
	return true;
}

static bool conv_str(tc_snode *n)
{
	n->type = TC_ST_STR;
	return true;
}

/* strconv.Atoi: decimal only ("010" is 10), optional sign */
static bool conv_int(tc_snode *n)
{
	const char *s = n->text;
	size_t len = n->len;
	size_t i = len && (s[0] == '+' || s[0] == '-') ? 1 : 0;
	bool neg = i && s[0] == '-';
	if (i == len)
		return false;
	uint64_t v = 0;
	for (size_t k = i; k < len; k++) {
		if (s[k] < '0' || s[k] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[k] - '0');
	}
	if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return false;
	n->type = TC_ST_INT;
	n->v.i = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* strconv.ParseFloat: also inf, infinity and nan in any case */
static bool conv_float(tc_snode *n)
{
	const char *s = n->text;
	size_t len = n->len;
	size_t i = len && (s[0] == '+' || s[0] == '-') ? 1 : 0;
	if (casecmp(s + i, len - i, "inf") || casecmp(s + i, len - i, "infinity")) {
		n->v.f = s[0] == '-' ? -INFINITY : INFINITY;
	} else if (casecmp(s, len, "nan")) {
		n->v.f = NAN;
	} else {
		tc_snode tmp;
		tc_stype t;
		if (tc_sops_yaml_resolve(&t, &tmp, s, len, "!!float") != 0 || t != TC_ST_FLOAT)
			return false;
		n->v.f = tmp.v.f;
	}
	n->type = TC_ST_FLOAT;
	return true;
}

static bool word_in(const char *s, size_t len, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(words[i]) == len && !memcmp(s, words[i], len))
			return true;
	return false;
}

/* strconv.ParseBool */
static bool conv_bool(tc_snode *n)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
	bool yes = word_in(n->text, n->len, t, 6);
	if (!yes && !word_in(n->text, n->len, f, 6))
		return false;
	n->type = TC_ST_BOOL;
	n->v.b = yes;
	return true;
}

/* time.UnmarshalText */
static bool conv_time(tc_snode *n)
{
	if (tc_sops_parse_rfc3339(&n->v.t, n->text, n->len) != 0)
		return false;
	n->type = TC_ST_TIME;
	return true;
}

/* The decrypted text as the type sops stored: strconv.Atoi, ParseFloat,
 * ParseBool, time.UnmarshalText. */
static bool convert(tc_snode *n, const char *ty, size_t tn)
{
	static const struct {
		const char *type;
		bool (*fn)(tc_snode *n);
	} conv[] = {
		{"str", conv_str},     {"bytes", conv_str}, {"int", conv_int},
		{"float", conv_float}, {"bool", conv_bool}, {"time", conv_time},
	};
	for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++)
		if (strlen(conv[i].type) == tn && !memcmp(ty, conv[i].type, tn))
			return conv[i].fn(n);
	return false;
}

/* ---- opening ------------------------------------------------------------------------------- */

typedef struct opener {
	tc_sops_doc *doc;
	tc_arena *a;
	tc_secmem *sm;
	tc_diags *d;
	matcher m;
	EVP_MD_CTX *mac;
	tc_buf aad;
	tc_sops_stash *stash;
	size_t nstash, capstash;
	int errors;
} opener;

static int mac_update(EVP_MD_CTX *mac, const tc_snode *leaf)
{
	char buf[TC_SOPS_FMT_BUF];
	const char *p = NULL;
	size_t n = tc_sops_yaml_macbytes(&p, buf, leaf);
	int rc = n && EVP_DigestUpdate(mac, p, n) != 1 ? -1 : 0;
	sodium_memzero(buf, sizeof buf);
	return rc;
}

/* Decrypt leaf n, convert it to its stored type and stash what the writer
 * needs to keep its ciphertext; false after recording a diagnostic. */
static bool open_leaf(opener *O, tc_snode *n, const tc_path *at)
{
	const char *aad = tc_buf_str(&O->aad);
	if (n->type != TC_ST_STR) {
		tc_error(O->d, n->pos, at, "value in '%s' should be encrypted but is not a string",
		         O->doc->file);
		return false;
	}
	char *pt = NULL;
	size_t ptlen = 0;
	enc_parts parts;
	const char *enc_text = n->text;
	int r = dec_value(&pt, &ptlen, &parts, O->sm, O->doc->data_key, O->doc->data_key_len, aad,
	                  n->text, n->len);
	if (r == -1) {
		tc_error(O->d, n->pos, at,
		         "value in '%s' does not match sops' data format (ENC[AES256_GCM,...])",
		         O->doc->file);
		return false;
	}
	if (r == -2) {
		tc_error(O->d, n->pos, at,
		         "cannot decrypt a value of '%s': authentication failed for additional "
		         "data '%s' (the value or its key path was changed)",
		         O->doc->file, aad);
		return false;
	}
	n->text = pt;
	n->len = ptlen;
	n->secret = true;
	if (!convert(n, parts.type, parts.ntype)) {
		tc_error(O->d, n->pos, at, "decrypted value of type '%.*s' in '%s' is invalid",
		         (int)parts.ntype, parts.type, O->doc->file);
		return false;
	}
	TC_GROW(O->stash, O->capstash, O->nstash + 1);
	O->stash[O->nstash++] =
		(tc_sops_stash){tc_arena_strdup(O->a, aad), n->type, pt, ptlen, enc_text};
	return true;
}

static void open_walk(opener *O, tc_snode *n, const tc_path *at, bool hit);

/* each entry with its key path in the additional data */
static void open_map(opener *O, tc_snode *n, const tc_path *at, bool hit)
{
	for (size_t i = 0; i < n->n; i++) {
		tc_sentry *e = &n->entries[i];
		size_t mark = O->aad.len;
		tc_buf_add(&O->aad, e->key, e->klen);
		tc_buf_addc(&O->aad, ':');
		tc_path p = TC_PATH_KEY(at, e->key, e->klen);
		open_walk(O, e->val, &p, hit || key_hits(&O->m, e->key, e->klen));
		O->aad.len = mark;
		if (O->aad.ptr)
			O->aad.ptr[mark] = 0;
	}
}

static void open_walk(opener *O, tc_snode *n, const tc_path *at, bool hit)
{
	if (n->kind == TC_SN_MAP) {
		open_map(O, n, at, hit);
		return;
	}
	if (n->kind == TC_SN_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			tc_path p = TC_PATH_INDEX(at, i);
			open_walk(O, n->items[i], &p, hit);
		}
		return;
	}
	if (n->type == TC_ST_NULL)
		return;
	bool enc = selected(&O->m, hit);
	if (enc && !(n->type == TC_ST_STR && n->len == 0) && !open_leaf(O, n, at)) {
		O->errors++;
		return;
	}
	if (!O->doc->mac_only_encrypted || enc)
		if (mac_update(O->mac, n) != 0)
			O->errors++;
}

static int unwrap(tc_sops_doc *doc, tc_secmem *sm, tc_diags *d, const tc_age_identity *ids,
                  size_t nids)
{
	if (nids == 0)
		return tc_error(
			d, doc->meta_pos, NULL,
			"no age identity to decrypt '%s' (set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY)",
			doc->file);
	const tc_sops_age_entry *failed = NULL;
	tc_age_status why = TC_AGE_NO_MATCH;
	for (size_t i = 0; i < doc->nage; i++) {
		tc_secbuf key;
		tc_secbuf_init(&key, 1024);
		tc_age_status st =
			tc_age_decrypt(&key, ids, nids, doc->age[i].enc, doc->age[i].enclen, true);
		if (st == TC_AGE_OK && (key.len == 16 || key.len == 24 || key.len == 32)) {
			doc->data_key = tc_secmem_alloc(sm, key.len);
			memcpy(doc->data_key, key.ptr, key.len);
			doc->data_key_len = key.len;
			tc_secbuf_release(&key);
			return 0;
		}
		tc_secbuf_release(&key);
		if (st == TC_AGE_OK)
			st = TC_AGE_PAYLOAD_FAILURE; /* a data key of an impossible size */
		if (st != TC_AGE_NO_MATCH && !failed) {
			failed = &doc->age[i];
			why = st;
		}
	}
	if (failed)
		return tc_error(d, failed->pos, NULL,
		                "cannot decrypt the data key of '%s': age entry for '%s': %s",
		                doc->file, failed->recipient, tc_age_status_str(why));
	return tc_error(d, doc->meta_pos, NULL,
	                "no identity can decrypt '%s' (none of its %zu age recipient%s matches the "
	                "%zu identit%s given)",
	                doc->file, doc->nage, doc->nage == 1 ? "" : "s", nids,
	                nids == 1 ? "y" : "ies");
}

int tc_sops_open(tc_sops_doc *doc, tc_arena *a, tc_secmem *sm, tc_diags *d,
                 const tc_age_identity *ids, size_t nids)
{
	if (unwrap(doc, sm, d, ids, nids) != 0)
		return -1;
	opener O = {.doc = doc, .a = a, .sm = sm, .d = d};
	int rc = -1;
	unsigned char md[64];
	char hex[129];
	if (matcher_init(&O.m, d, doc->meta_pos, &doc->rule) != 0)
		return -1;
	tc_buf_init(&O.aad, TC_BUF_UNLIMITED);
	O.mac = EVP_MD_CTX_new();
	if (!O.mac || EVP_DigestInit_ex(O.mac, EVP_sha512(), NULL) != 1)
		goto out;
	if (doc->mac_only_encrypted) {
		unsigned char h[32];
		unsigned hl = 0;
		EVP_Digest("sops", 4, h, &hl, EVP_sha256(), NULL);
		EVP_DigestUpdate(O.mac, h, sizeof h);
	}
	open_walk(&O, doc->tree, NULL, false);
	if (O.errors)
		goto out;
	unsigned mdlen = 0;
	if (EVP_DigestFinal_ex(O.mac, md, &mdlen) != 1)
		goto out;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
	char *fmac = NULL;
	size_t fmaclen = 0;
	enc_parts parts;
	int r = dec_value(&fmac, &fmaclen, &parts, sm, doc->data_key, doc->data_key_len,
	                  doc->lastmodified, doc->mac, strlen(doc->mac));
	if (r != 0) {
		tc_error(d, doc->meta_pos, NULL,
		         "cannot decrypt the MAC of '%s' (its mac or lastmodified was changed)",
		         doc->file);
		goto out;
	}
	if (fmaclen != 128 || sodium_memcmp(fmac, hex, 128) != 0) {
		tc_error(d, doc->meta_pos, NULL,
		         "MAC mismatch in '%s': the file was changed after it was encrypted",
		         doc->file);
		goto out;
	}
	TC_GROW(O.stash, O.capstash, O.nstash + 1);
	O.stash[O.nstash++] =
		(tc_sops_stash){doc->lastmodified, TC_ST_STR, fmac, fmaclen, doc->mac};
	doc->stash = tc_arena_alloc(a, O.nstash * sizeof *O.stash);
	memcpy(doc->stash, O.stash, O.nstash * sizeof *O.stash);
	doc->nstash = O.nstash;
	doc->opened = true;
	rc = 0;
out:
	sodium_memzero(md, sizeof md);
	sodium_memzero(hex, sizeof hex);
	free(O.stash);
	EVP_MD_CTX_free(O.mac);
	tc_buf_release(&O.aad);
	matcher_release(&O.m);
	return rc;
}

/* ---- writing ------------------------------------------------------------------------------- */

typedef struct writer {
	tc_diags *d;
	tc_arena a; /* scratch: output nodes */
	const char *file;
	const tc_sops_write_opts *o;
	matcher m;
	EVP_MD_CTX *mac;
	tc_buf aad;
	const unsigned char *key;
	size_t keylen;
	unsigned char *kiv; /* profile IV key (secret memory) or NULL */
	int errors;
} writer;

static const tc_sops_stash *stash_find(const tc_sops_doc *old, const unsigned char *key,
                                       size_t keylen, const char *aad, tc_stype type,
                                       const char *pt, size_t n)
{
	if (!old || !old->opened || old->data_key_len != keylen ||
	    sodium_memcmp(old->data_key, key, keylen) != 0)
		return NULL;
	for (size_t i = 0; i < old->nstash; i++) {
		const tc_sops_stash *s = &old->stash[i];
		if (s->type == type && s->ptlen == n && strcmp(s->aad, aad) == 0 &&
		    (n == 0 || memcmp(s->pt, pt, n) == 0))
			return s;
	}
	return NULL;
}

/* The ENC string for pt at aad, into the scratch arena. */
static const char *encrypt_one(writer *W, const char *aad, tc_stype type, const char *pt, size_t n)
{
	const tc_sops_stash *s = stash_find(W->o->old, W->key, W->keylen, aad, type, pt, n);
	if (s)
		return s->enc;
	unsigned char iv[IV_SIZE];
	const char *ty = type_name(type);
	if (W->kiv) {
		unsigned char z = 0;
		tc_age_part parts[5] = {{aad, strlen(aad)},
		                        {&z, 1},
		                        {ty, strlen(ty)},
		                        {&z, 1},
		                        {pt, n}};
		if (tc_age_hmac(iv, W->kiv, 32, parts, 5) != 0)
			return NULL;
	} else {
		randombytes_buf(iv, sizeof iv);
	}
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	const char *r = NULL;
	if (enc_value(&b, W->key, W->keylen, iv, aad, pt, n, ty) == 0 && !tc_buf_failed(&b))
		r = tc_arena_memdup0(&W->a, b.ptr, b.len);
	tc_buf_release(&b);
	return r;
}

static tc_snode *write_walk(writer *W, const tc_snode *n, const tc_path *at, bool hit);

/* entry i of a mapping, with its key path in the additional data; the
 * top-level key 'sops' is sops' own */
static void write_entry(writer *W, tc_snode *c, const tc_snode *n, size_t i, const tc_path *at,
                        bool hit)
{
	const tc_sentry *e = &n->entries[i];
	if (!at && e->klen == 4 && memcmp(e->key, "sops", 4) == 0) {
		W->errors++;
		tc_error(W->d, e->kpos, NULL, "the top-level key 'sops' is reserved");
	}
	size_t mark = W->aad.len;
	tc_buf_add(&W->aad, e->key, e->klen);
	tc_buf_addc(&W->aad, ':');
	tc_path p = TC_PATH_KEY(at, e->key, e->klen);
	c->entries[i] = *e;
	c->entries[i].val = write_walk(W, e->val, &p, hit || key_hits(&W->m, e->key, e->klen));
	W->aad.len = mark;
	if (W->aad.ptr)
		W->aad.ptr[mark] = 0;
}

/* a copy of a mapping or a sequence with its leaves written */
static tc_snode *write_container(writer *W, const tc_snode *n, const tc_path *at, bool hit)
{
	tc_snode *c = tc_snode_new(&W->a, n->kind, n->pos);
	c->n = n->n;
	if (n->kind == TC_SN_MAP) {
		c->entries = tc_arena_alloc(&W->a, n->n * sizeof *c->entries);
		for (size_t i = 0; i < n->n; i++)
			write_entry(W, c, n, i, at, hit);
		return c;
	}
	c->items = tc_arena_alloc(&W->a, n->n * sizeof *c->items);
	for (size_t i = 0; i < n->n; i++) {
		tc_path p = TC_PATH_INDEX(at, i);
		c->items[i] = write_walk(W, n->items[i], &p, hit);
	}
	return c;
}

/* A leaf: into the MAC, then encrypted when the rule selects it. A value
 * that was decrypted may not be written in clear text. */
static tc_snode *write_leaf(writer *W, const tc_snode *n, const tc_path *at, bool hit)
{
	bool enc = selected(&W->m, hit);
	if (!W->o->mac_only_encrypted || enc)
		if (mac_update(W->mac, n) != 0)
			W->errors++;
	if (!enc || (n->type == TC_ST_STR && n->len == 0)) {
		if (n->secret && n->len) {
			W->errors++;
			tc_error(
				W->d, n->pos, at,
				"a decrypted value would be written in clear text to '%s' (only values "
				"under data or stringData are encrypted)",
				W->file);
		}
		return (tc_snode *)n;
	}
	char buf[TC_SOPS_FMT_BUF];
	const char *pt = NULL;
	size_t ptlen = tc_sops_yaml_macbytes(&pt, buf, n);
	const char *enc_text = encrypt_one(W, tc_buf_str(&W->aad), n->type, pt, ptlen);
	sodium_memzero(buf, sizeof buf);
	if (!enc_text) {
		W->errors++;
		tc_fail(W->d, n->pos, at, "cannot encrypt a value of '%s' (OpenSSL failed)",
		        W->file);
		return (tc_snode *)n;
	}
	return tc_snode_str(&W->a, enc_text, strlen(enc_text), n->pos);
}

static tc_snode *write_walk(writer *W, const tc_snode *n, const tc_path *at, bool hit)
{
	if (n->kind == TC_SN_MAP || n->kind == TC_SN_SEQ)
		return write_container(W, n, at, hit);
	if (n->type == TC_ST_NULL)
		return (tc_snode *)n;
	return write_leaf(W, n, at, hit);
}

int tc_sops_profile_key(unsigned char out[32], const tc_sops_profile *p, const char *label)
{
	tc_buf info;
	tc_buf_init(&info, TC_BUF_UNLIMITED);
	tc_buf_adds(&info, label);
	tc_buf_addc(&info, 0);
	tc_buf_add(&info, p->file_id, p->file_id_len);
	int rc = tc_age_hkdf(out, 32, p->seed, 32, NULL, 0, info.ptr, info.len);
	tc_buf_release(&info);
	return rc;
}

/* The age entry (armored) for one recipient: reused, or wrapped anew. */
static int age_entry(writer *W, tc_buf *out, const char *rcpt, const unsigned char *kage)
{
	const tc_sops_doc *old = W->o->old;
	if (old && old->opened && old->data_key_len == W->keylen &&
	    sodium_memcmp(old->data_key, W->key, W->keylen) == 0) {
		for (size_t i = 0; i < old->nage; i++) {
			if (strcmp(old->age[i].recipient, rcpt) == 0) {
				tc_buf_add(out, old->age[i].enc, old->age[i].enclen);
				return 0;
			}
		}
	}
	unsigned char pk[32];
	if (tc_age_recipient_parse(pk, rcpt, strlen(rcpt)) != 0)
		return tc_error(W->d, (tc_pos){W->file, 0, 0}, NULL, "'%s' is not an age recipient",
		                rcpt);
	int rc = -1;
	if (!kage) {
		rc = tc_age_encrypt(out, (const unsigned char(*)[32])pk, 1, W->key, W->keylen, true,
		                    NULL);
	} else {
		unsigned char fk[32], eph[32], nonce[32], z = 0;
		tc_age_part ctx[5] = {{NULL, 0},
		                      {&z, 1},
		                      {rcpt, strlen(rcpt)},
		                      {&z, 1},
		                      {W->key, W->keylen}};
		static const char *const labels[3] = {"file-key", "ephemeral", "payload-nonce"};
		unsigned char *outs[3] = {fk, eph, nonce};
		rc = 0;
		for (int i = 0; i < 3 && rc == 0; i++) {
			ctx[0] = (tc_age_part){labels[i], strlen(labels[i])};
			rc = tc_age_hmac(outs[i], kage, 32, ctx, 5);
		}
		tc_age_seed seed = {fk, eph, nonce};
		if (rc == 0)
			rc = tc_age_encrypt(out, (const unsigned char(*)[32])pk, 1, W->key,
			                    W->keylen, true, &seed);
		sodium_memzero(fk, sizeof fk);
		sodium_memzero(eph, sizeof eph);
		sodium_memzero(nonce, sizeof nonce);
	}
	if (rc != 0)
		return tc_error(W->d, (tc_pos){W->file, 0, 0}, NULL,
		                "'%s' is not a usable X25519 recipient", rcpt);
	return 0;
}

static const char *rule_key(tc_sops_rule_kind k)
{
	switch (k) {
	case TC_SOPS_UNENCRYPTED_SUFFIX:
		return "unencrypted_suffix";
	case TC_SOPS_ENCRYPTED_SUFFIX:
		return "encrypted_suffix";
	case TC_SOPS_UNENCRYPTED_REGEX:
		return "unencrypted_regex";
	case TC_SOPS_ENCRYPTED_REGEX:
		return "encrypted_regex";
	}
	return "?";
}

static void meta_add(writer *W, tc_sentry *e, size_t *n, const char *key, tc_snode *v)
{
	e[(*n)++] = (tc_sentry){key, strlen(key), TC_NOPOS, v};
	(void)W;
}

/* The data key (given, derived from the profile, or random) and, with a
 * profile, the keys of the IVs and of the age entries (*have_kage). */
static int write_keys(writer *W, tc_secmem *sm, const tc_sops_write_opts *o, unsigned char *kage,
                      bool *have_kage)
{
	unsigned char *key = tc_secmem_alloc(sm, TC_SOPS_DATA_KEY_SIZE);
	W->key = key;
	W->keylen = TC_SOPS_DATA_KEY_SIZE;
	if (o->data_key) {
		if (o->data_key_len != TC_SOPS_DATA_KEY_SIZE)
			TC_BUG("data keys are 32 bytes");
		memcpy(key, o->data_key, TC_SOPS_DATA_KEY_SIZE);
	} else if (o->profile) {
		if (tc_sops_profile_key(key, o->profile, "tenantc/sops/v1/data-key") != 0)
			return -1;
	} else {
		randombytes_buf(key, TC_SOPS_DATA_KEY_SIZE);
	}
	if (!o->profile)
		return 0;
	W->kiv = tc_secmem_alloc(sm, 32);
	if (tc_sops_profile_key(W->kiv, o->profile, "tenantc/sops/v1/iv-key") != 0 ||
	    tc_sops_profile_key(kage, o->profile, "tenantc/sops/v1/age") != 0)
		return -1;
	*have_kage = true;
	return 0;
}

/* SHA-512 over the leaves; with mac_only_encrypted it starts with sha256("sops") */
static int start_mac(writer *W, const tc_sops_write_opts *o)
{
	W->mac = EVP_MD_CTX_new();
	if (!W->mac || EVP_DigestInit_ex(W->mac, EVP_sha512(), NULL) != 1)
		return -1;
	if (o->mac_only_encrypted) {
		unsigned char h[32];
		unsigned hl = 0;
		EVP_Digest("sops", 4, h, &hl, EVP_sha256(), NULL);
		EVP_DigestUpdate(W->mac, h, sizeof h);
	}
	return 0;
}

/* sops.age: {enc, recipient} for each recipient; NULL after a diagnostic */
static tc_snode *age_list(writer *W, const tc_sops_write_opts *o, const unsigned char *kage)
{
	tc_snode *age = tc_snode_new(&W->a, TC_SN_SEQ, TC_NOPOS);
	age->items = tc_arena_alloc(&W->a, o->nrecipients * sizeof *age->items);
	for (size_t i = 0; i < o->nrecipients; i++) {
		tc_buf armor;
		tc_buf_init(&armor, TC_BUF_UNLIMITED);
		int r = age_entry(W, &armor, o->recipients[i], kage);
		const char *enc =
			r == 0 ? tc_arena_memdup0(&W->a, armor.ptr ? armor.ptr : "", armor.len)
			       : NULL;
		size_t enclen = armor.len;
		tc_buf_release(&armor);
		if (!enc)
			return NULL;
		tc_snode *entry = tc_snode_new(&W->a, TC_SN_MAP, TC_NOPOS);
		entry->entries = tc_arena_alloc(&W->a, 2 * sizeof *entry->entries);
		meta_add(W, entry->entries, &entry->n, "enc",
		         tc_snode_str(&W->a, enc, enclen, TC_NOPOS));
		tc_snode *rv =
			tc_snode_str(&W->a, o->recipients[i], strlen(o->recipients[i]), TC_NOPOS);
		meta_add(W, entry->entries, &entry->n, "recipient", rv);
		age->items[age->n++] = entry;
	}
	return age;
}

/* the metadata mapping, keys in the order sops 3.13 writes them */
static tc_snode *meta_node(writer *W, const tc_sops_write_opts *o, tc_snode *age, const char *mac)
{
	tc_snode *meta = tc_snode_new(&W->a, TC_SN_MAP, TC_NOPOS);
	meta->entries = tc_arena_alloc(&W->a, 7 * sizeof *meta->entries);
	meta_add(W, meta->entries, &meta->n, "age", age);
	const char *rk = rule_key(o->rule.kind);
	bool rule_first = strcmp(rk, "lastmodified") < 0;
	tc_snode *rv = tc_snode_str(&W->a, o->rule.arg, strlen(o->rule.arg), TC_NOPOS);
	rv->loose = true;
	if (rule_first)
		meta_add(W, meta->entries, &meta->n, rk, rv);
	meta_add(W, meta->entries, &meta->n, "lastmodified",
	         tc_snode_str(&W->a, o->lastmodified, strlen(o->lastmodified), TC_NOPOS));
	meta_add(W, meta->entries, &meta->n, "mac",
	         tc_snode_str(&W->a, mac, strlen(mac), TC_NOPOS));
	if (o->mac_only_encrypted) {
		tc_snode *t = tc_snode_new(&W->a, TC_SN_SCALAR, TC_NOPOS);
		t->type = TC_ST_BOOL;
		t->v.b = true;
		meta_add(W, meta->entries, &meta->n, "mac_only_encrypted", t);
	}
	if (!rule_first)
		meta_add(W, meta->entries, &meta->n, rk, rv);
	const char *ver = o->version ? o->version : TC_SOPS_VERSION;
	tc_snode *vv = tc_snode_str(&W->a, ver, strlen(ver), TC_NOPOS);
	vv->loose = true;
	meta_add(W, meta->entries, &meta->n, "version", vv);
	return meta;
}

int tc_sops_write(tc_buf *out, tc_diags *d, tc_secmem *sm, const char *file, const tc_snode *plain,
                  const tc_sops_write_opts *o, unsigned char *key_out)
{
	writer W = {.d = d, .file = file, .o = o};
	tc_arena_init(&W.a);
	tc_buf_init(&W.aad, TC_BUF_UNLIMITED);
	tc_secbuf text;
	tc_secbuf_init(&text, TC_BUF_UNLIMITED);
	unsigned char md[64], kage[32];
	char hex[129];
	bool have_kage = false;
	int rc = -1;
	if (plain->kind != TC_SN_MAP)
		return tc_error(d, plain->pos, NULL, "a SOPS document must be a mapping");
	if (o->nrecipients == 0)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL, "no age recipients for '%s'", file);
	if (matcher_init(&W.m, d, (tc_pos){file, 0, 0}, &o->rule) != 0)
		return -1;
	if (write_keys(&W, sm, o, kage, &have_kage) != 0 || start_mac(&W, o) != 0)
		goto out;
	tc_snode *tree = write_walk(&W, plain, NULL, false);
	unsigned mdlen = 0;
	if (W.errors || EVP_DigestFinal_ex(W.mac, md, &mdlen) != 1)
		goto out;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
	const char *mac = encrypt_one(&W, o->lastmodified, TC_ST_STR, hex, 128);
	if (!mac) {
		tc_fail(d, (tc_pos){file, 0, 0}, NULL, "cannot encrypt the MAC of '%s'", file);
		goto out;
	}
	tc_snode *age = age_list(&W, o, have_kage ? kage : NULL);
	if (!age)
		goto out;
	tc_snode *meta = meta_node(&W, o, age, mac);
	tc_snode *root = tc_snode_new(&W.a, TC_SN_MAP, plain->pos);
	root->entries = tc_arena_alloc(&W.a, (tree->n + 1) * sizeof *root->entries);
	memcpy(root->entries, tree->entries, tree->n * sizeof *root->entries);
	root->n = tree->n;
	meta_add(&W, root->entries, &root->n, "sops", meta);
	tc_pos bad;
	if (tc_sops_yaml_write(&text, root, true, &bad) != 0) {
		tc_error(d, bad, NULL, "a string in '%s' is not valid UTF-8", file);
		goto out;
	}
	if (tc_secbuf_failed(&text))
		goto out;
	tc_buf_add(out, text.ptr, text.len);
	if (key_out)
		memcpy(key_out, W.key, TC_SOPS_DATA_KEY_SIZE);
	rc = 0;
out:
	if (rc != 0 && !tc_diags_has_errors(d))
		tc_fail(d, (tc_pos){file, 0, 0}, NULL, "cannot encrypt '%s'", file);
	sodium_memzero(md, sizeof md);
	sodium_memzero(hex, sizeof hex);
	sodium_memzero(kage, sizeof kage);
	EVP_MD_CTX_free(W.mac);
	tc_buf_release(&W.aad);
	tc_secbuf_release(&text);
	matcher_release(&W.m);
	tc_arena_release(&W.a);
	return rc;
}

int tc_sops_write_plain(tc_secbuf *out, tc_diags *d, const char *file, const tc_snode *plain)
{
	tc_pos bad;
	if (tc_sops_yaml_write(out, plain, true, &bad) != 0)
		return tc_error(d, bad, NULL, "a string in '%s' is not valid UTF-8", file);
	if (tc_secbuf_failed(out))
		return tc_fail(d, (tc_pos){file, 0, 0}, NULL, "'%s' is too large to write", file);
	return 0;
}
