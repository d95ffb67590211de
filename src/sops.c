/*
 * sops.c - Secrets for render: keys, decrypting inputs, deterministic
 * encryption of rendered Secrets, carry-over without a key, and guards.
 *
 * This is the layer between tc_value (what templates and render see) and
 * the SOPS format (sops_file.c, ordered tc_snode trees). Converting a
 * rendered Secret to a tree puts apiVersion, kind and metadata first and
 * everything else in key byte order; that order is the order the file is
 * written in, so it is the order the MAC is computed in.
 *
 * Determinism (spec section 9, "profile v1"): the data key, every IV and
 * every age randomness come from the seed S of the rendering identity and
 * the file identifier F, so the bytes depend on the input and the identity
 * only. The seed lives in secret memory for the whole run.
 *
 * Carry-over compares only what can be compared without plaintext: the
 * digest of the whole input file (recorded in every rendered Secret as the
 * annotation TC_SOPS_SOURCE_DIGEST, so any changed byte of the input is a
 * change, a flipped ciphertext byte included), clear fields, which paths are
 * encrypted with which types, lastmodified (sops and `tenantc secret edit`
 * change it whenever a value changes) and the recipients.
 *
 * Ownership: see sops.h. Keys and the seed are sodium_malloc'd and wiped
 * when freed.
 */
#include "sops.h"

#include "base64.h"
#include "fsutil.h"
#include "sops_file.h"
#include "sops_yaml.h"
#include "sort.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An identity file larger than this is a mistake, not a key file. */
#define MAX_KEY_FILE ((size_t)1 << 20)

/* ---- identities ---------------------------------------------------------------------------- */

struct tc_sops_keys {
	tc_secmem mem;
	tc_age_identity *ids;
	size_t n;
};

static int read_secret_file(char **out, size_t *len, tc_secmem *m, tc_diags *d, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read age identities: %s",
		                strerror(errno));
	char *buf = tc_secmem_alloc(m, MAX_KEY_FILE + 1);
	size_t n = 0;
	if (tc_fd_read(fd, buf, MAX_KEY_FILE + 1, &n) != 0) {
		int e = errno;
		close(fd);
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read age identities: %s",
		                strerror(e));
	}
	if (n > MAX_KEY_FILE) {
		close(fd);
		return tc_error(d, (tc_pos){path, 0, 0}, NULL,
		                "not an age identity file (larger than %zu bytes)", MAX_KEY_FILE);
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

int tc_sops_keys_load(tc_sops_keys **out, tc_diags *d, const char *key_file, const char *key_text)
{
	tc_sops_keys *k = tc_xcalloc(1, sizeof *k);
	tc_secmem_init(&k->mem);
	if (key_text && *key_text &&
	    tc_age_identities_parse(&k->ids, &k->n, &k->mem, d, "SOPS_AGE_KEY", key_text,
	                            strlen(key_text)) != 0)
		goto fail;
	if (key_file && *key_file) {
		char *text = NULL;
		size_t len = 0;
		if (read_secret_file(&text, &len, &k->mem, d, key_file) != 0 ||
		    tc_age_identities_parse(&k->ids, &k->n, &k->mem, d, key_file, text, len) != 0)
			goto fail;
	}
	*out = k;
	return 0;
fail:
	tc_sops_keys_free(k);
	*out = NULL;
	return -1;
}

int tc_sops_keys_from_env(tc_sops_keys **out, tc_diags *d)
{
	return tc_sops_keys_load(out, d, getenv("SOPS_AGE_KEY_FILE"), getenv("SOPS_AGE_KEY"));
}

size_t tc_sops_keys_count(const tc_sops_keys *k)
{
	return k ? k->n : 0;
}

const tc_age_identity *tc_sops_keys_ids(const tc_sops_keys *k)
{
	return k ? k->ids : NULL;
}

void tc_sops_keys_free(tc_sops_keys *k)
{
	if (!k)
		return;
	tc_secmem_release(&k->mem);
	free(k);
}

/* ---- the seed ------------------------------------------------------------------------------ */

struct tc_sops_seed {
	unsigned char s[32];
	char recipient[TC_AGE_RECIPIENT_BUF];
};

tc_sops_seed *tc_sops_seed_new(const tc_sops_keys *keys, const char *const *repo, size_t n)
{
	const tc_age_identity *best = NULL;
	for (size_t i = 0; keys && i < keys->n; i++) {
		const tc_age_identity *id = &keys->ids[i];
		bool listed = false;
		for (size_t k = 0; k < n && !listed; k++)
			listed = strcmp(repo[k], id->recipient) == 0;
		if (listed && (!best || strcmp(id->recipient, best->recipient) < 0))
			best = id;
	}
	if (!best)
		return NULL;
	if (sodium_init() < 0)
		TC_BUG("libsodium cannot be initialised");
	tc_sops_seed *s = sodium_malloc(sizeof *s);
	if (!s)
		tc_oom();
	static const char info[] = "tenantc/sops/v1/seed";
	if (tc_age_hkdf(s->s, 32, best->secret, 32, NULL, 0, info, sizeof info - 1) != 0)
		TC_BUG("HKDF failed");
	memcpy(s->recipient, best->recipient, sizeof s->recipient);
	return s;
}

const char *tc_sops_seed_recipient(const tc_sops_seed *s)
{
	return s->recipient;
}

void tc_sops_seed_free(tc_sops_seed *s)
{
	if (s)
		sodium_free(s);
}

/* ---- trees and values ---------------------------------------------------------------------- */

static tc_value *to_value(tc_arena *a, const tc_snode *n)
{
	tc_value *v = NULL;
	switch (n->kind) {
	case TC_SN_MAP: {
		tc_objb b;
		tc_objb_init(&b);
		for (size_t i = 0; i < n->n; i++)
			tc_objb_add(&b, n->entries[i].key, n->entries[i].klen, n->entries[i].kpos,
			            to_value(a, n->entries[i].val));
		v = tc_objb_finish(&b, a, n->pos, NULL);
		break;
	}
	case TC_SN_SEQ: {
		tc_arrb b;
		tc_arrb_init(&b);
		for (size_t i = 0; i < n->n; i++)
			tc_arrb_push(&b, to_value(a, n->items[i]));
		v = tc_arrb_finish(&b, a, n->pos);
		break;
	}
	case TC_SN_SCALAR:
		switch (n->type) {
		case TC_ST_NULL:
			v = tc_value_null(a, n->pos);
			break;
		case TC_ST_BOOL:
			v = tc_value_bool(a, n->v.b, n->pos);
			break;
		case TC_ST_INT:
			v = tc_value_int(a, n->v.i, n->pos);
			break;
		case TC_ST_FLOAT:
			v = tc_value_float(a, n->v.f, n->pos);
			break;
		case TC_ST_TIME:
		case TC_ST_STR:
			/* text is NUL-terminated in the arena or, decrypted, in secret memory */
			v = tc_value_str_ref(a, n->text, n->len, n->pos);
			break;
		}
		if (n->secret)
			v->flags |= TC_VAL_SECRET;
		break;
	}
	return v;
}

static int top_rank(const char *k, size_t n)
{
	if (n == 10 && memcmp(k, "apiVersion", 10) == 0)
		return 0;
	if (n == 4 && memcmp(k, "kind", 4) == 0)
		return 1;
	if (n == 8 && memcmp(k, "metadata", 8) == 0)
		return 2;
	return 3;
}

/* A tc_value as a tree in output order: at the top apiVersion, kind,
 * metadata, then the rest; below, key byte order (members are sorted). */
static tc_snode *to_tree(tc_arena *a, const tc_value *v, bool top)
{
	tc_snode *n;
	switch (v->kind) {
	case TC_OBJECT:
		n = tc_snode_new(a, TC_SN_MAP, v->pos);
		n->entries = tc_arena_alloc(a, v->u.obj.len * sizeof *n->entries);
		for (int rank = top ? 0 : 3; rank <= 3; rank++) {
			for (size_t i = 0; i < v->u.obj.len; i++) {
				const tc_member *m = &v->u.obj.members[i];
				if ((top ? top_rank(m->key, m->klen) : 3) != rank)
					continue;
				n->entries[n->n++] = (tc_sentry){m->key, m->klen, m->kpos,
				                                 to_tree(a, m->val, false)};
			}
		}
		return n;
	case TC_ARRAY:
		n = tc_snode_new(a, TC_SN_SEQ, v->pos);
		n->items = tc_arena_alloc(a, v->u.arr.len * sizeof *n->items);
		for (size_t i = 0; i < v->u.arr.len; i++)
			n->items[n->n++] = to_tree(a, v->u.arr.items[i], false);
		return n;
	default:
		break;
	}
	n = tc_snode_new(a, TC_SN_SCALAR, v->pos);
	n->secret = (v->flags & TC_VAL_SECRET) != 0;
	switch (v->kind) {
	case TC_NULL:
		n->type = TC_ST_NULL;
		break;
	case TC_BOOL:
		n->type = TC_ST_BOOL;
		n->v.b = v->u.b;
		break;
	case TC_INT:
		n->type = TC_ST_INT;
		n->v.i = v->u.i;
		break;
	case TC_FLOAT:
		n->type = TC_ST_FLOAT;
		n->v.f = v->u.f;
		break;
	default:
		n->type = TC_ST_STR;
		n->text = v->u.str.ptr;
		n->len = v->u.str.len;
		break;
	}
	return n;
}

static void fill_info(tc_sops_info *info, tc_arena *a, const tc_sops_doc *doc)
{
	const char **r = tc_arena_alloc(a, doc->nage * sizeof *r);
	tc_pos *pos = tc_arena_alloc(a, doc->nage * sizeof *pos);
	for (size_t i = 0; i < doc->nage; i++) {
		r[i] = doc->age[i].recipient;
		pos[i] = doc->age[i].pos;
	}
	info->lastmodified = doc->lastmodified;
	info->recipients = r;
	info->recipient_pos = pos;
	info->nrecipients = doc->nage;
	info->pos = doc->meta_pos;
}

int tc_sops_decrypt(tc_value **out, tc_sops_info *info, tc_arena *a, tc_secmem *sm, tc_diags *d,
                    const tc_sops_keys *keys, const char *path, const char *data, size_t len)
{
	tc_sops_doc doc;
	if (tc_sops_parse(&doc, a, d, path, data, len) != 0 ||
	    tc_sops_open(&doc, a, sm, d, tc_sops_keys_ids(keys), tc_sops_keys_count(keys)) != 0)
		return -1;
	*out = to_value(a, doc.tree);
	fill_info(info, a, &doc);
	return 0;
}

/* Flag the values the rule encrypts: the clear reading of a file. */
static void mark_encrypted(tc_snode *n)
{
	if (n->kind != TC_SN_SCALAR) {
		for (size_t i = 0; i < n->n; i++)
			mark_encrypted(n->kind == TC_SN_MAP ? n->entries[i].val : n->items[i]);
		return;
	}
	if (n->type == TC_ST_STR && n->len > 15 && memcmp(n->text, "ENC[AES256_GCM,", 15) == 0)
		n->secret = true;
}

int tc_sops_read_clear(tc_value **out, tc_sops_info *info, tc_arena *a, tc_diags *d,
                       const char *path, const char *data, size_t len)
{
	tc_sops_doc doc;
	if (tc_sops_parse(&doc, a, d, path, data, len) != 0)
		return -1;
	mark_encrypted(doc.tree);
	*out = to_value(a, doc.tree);
	fill_info(info, a, &doc);
	return 0;
}

/* ---- the source digest -------------------------------------------------------------------- */

/* A copy of obj's members with key set to v (replacing any member of that
 * name: the builder's later occurrence wins). */
static tc_value *with_member(tc_arena *a, const tc_value *obj, const char *key, tc_value *v,
                             tc_pos pos)
{
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; obj && obj->kind == TC_OBJECT && i < obj->u.obj.len; i++) {
		const tc_member *m = &obj->u.obj.members[i];
		tc_objb_add(&b, m->key, m->klen, m->kpos, m->val);
	}
	tc_objb_add(&b, key, strlen(key), pos, v);
	return tc_objb_finish(&b, a, obj && obj->kind == TC_OBJECT ? obj->pos : pos, NULL);
}

void tc_sops_source_digest(char out[TC_SOPS_DIGEST_SIZE], const char *data, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)data, len);
	memcpy(out, "sha256:", 7);
	sodium_bin2hex(out + 7, TC_SOPS_DIGEST_SIZE - 7, h, sizeof h);
}

const tc_value *tc_sops_with_source_digest(tc_arena *a, const tc_value *secret, const char *data,
                                           size_t len)
{
	char text[TC_SOPS_DIGEST_SIZE];
	tc_sops_source_digest(text, data, len);
	const tc_value *md = tc_value_getz(secret, "metadata");
	tc_pos pos = md ? md->pos : secret->pos;
	const tc_value *an = md && md->kind == TC_OBJECT ? tc_value_getz(md, "annotations") : NULL;
	tc_value *nan = with_member(a, an, TC_SOPS_SOURCE_DIGEST,
	                            tc_value_str(a, text, strlen(text), pos), pos);
	return with_member(a, secret, "metadata", with_member(a, md, "annotations", nan, pos), pos);
}

/* The recorded source digest of a Secret (a clear string), or NULL. */
static const tc_value *source_digest(const tc_value *secret)
{
	const tc_value *md = tc_value_getz(secret, "metadata");
	const tc_value *an = md && md->kind == TC_OBJECT ? tc_value_getz(md, "annotations") : NULL;
	const tc_value *v =
		an && an->kind == TC_OBJECT ? tc_value_getz(an, TC_SOPS_SOURCE_DIGEST) : NULL;
	return v && v->kind == TC_STR && !(v->flags & TC_VAL_SECRET) ? v : NULL;
}

/* ---- rendering ----------------------------------------------------------------------------- */

/* Sorted, without repeats, into the arena. */
static const char **sorted_recipients(tc_arena *a, const char *const *r, size_t n, size_t *outn)
{
	const char **v = tc_arena_alloc(a, n * sizeof *v);
	if (n)
		memcpy(v, r, n * sizeof *v);
	qsort(v, n, sizeof *v, tc_cmp_str);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*outn = k;
	return v;
}

static const tc_value *meta_str(const tc_value *secret, const char *key)
{
	const tc_value *m = tc_value_getz(secret, "metadata");
	const tc_value *v = m ? tc_value_getz(m, key) : NULL;
	return v && v->kind == TC_STR && !(v->flags & TC_VAL_SECRET) ? v : NULL;
}

/* "namespace/name" of an object, "name" without a namespace, "" without. */
static const char *object_name(tc_arena *a, const tc_value *obj)
{
	const tc_value *m = tc_value_getz(obj, "metadata");
	const tc_value *ns = tc_value_getz(m, "namespace"), *name = tc_value_getz(m, "name");
	if (!name || name->kind != TC_STR)
		return "";
	if (!ns || ns->kind != TC_STR)
		return tc_value_shown(name);
	return tc_arena_printf(a, "%s/%s", tc_value_shown(ns), tc_value_shown(name));
}

static bool same_list(const char **x, size_t nx, const char **y, size_t ny)
{
	if (nx != ny)
		return false;
	for (size_t i = 0; i < nx; i++)
		if (strcmp(x[i], y[i]) != 0)
			return false;
	return true;
}

/* prev, opened with keys, renders the same Secret: then it is kept. */
static bool reusable(tc_arena *a, tc_secmem *sm, const tc_sops_keys *keys,
                     const tc_sops_render_in *in, const char **rc, size_t nrc)
{
	if (!in->prev || tc_sops_keys_count(keys) == 0)
		return false;
	tc_diags scratch;
	tc_diags_init(&scratch);
	tc_sops_doc doc;
	bool ok = tc_sops_parse(&doc, a, &scratch, in->prev_path ? in->prev_path : "", in->prev,
	                        in->prevlen) == 0 &&
	          tc_sops_open(&doc, a, sm, &scratch, tc_sops_keys_ids(keys),
	                       tc_sops_keys_count(keys)) == 0;
	tc_diags_release(&scratch);
	if (!ok || doc.mac_only_encrypted || doc.rule.kind != tc_sops_default_rule.kind ||
	    strcmp(doc.rule.arg, tc_sops_default_rule.arg) != 0 ||
	    strcmp(doc.lastmodified, in->lastmodified) != 0)
		return false;
	const char **had = tc_arena_alloc(a, doc.nage * sizeof *had);
	for (size_t i = 0; i < doc.nage; i++)
		had[i] = doc.age[i].recipient;
	size_t nhad = 0;
	had = sorted_recipients(a, had, doc.nage, &nhad);
	return nhad == doc.nage && same_list(had, nhad, rc, nrc) &&
	       tc_value_same(to_value(a, doc.tree), in->secret);
}

int tc_sops_encrypt_render(tc_buf *out, tc_diags *d, tc_secmem *sm, const tc_sops_seed *seed,
                           const tc_sops_keys *keys, const tc_sops_render_in *in)
{
	tc_pos pos = in->secret->pos;
	tc_stime t;
	if (!in->lastmodified ||
	    tc_sops_parse_rfc3339(&t, in->lastmodified, strlen(in->lastmodified)) != 0)
		return tc_error(d, pos, NULL, "Secret from '%s' has no valid lastmodified",
		                in->input_path);
	const tc_value *ns = meta_str(in->secret, "namespace"),
		       *name = meta_str(in->secret, "name");
	if (in->secret->kind != TC_OBJECT || !ns || !name)
		return tc_error(
			d, pos, NULL,
			"Secret from '%s' needs metadata.name and metadata.namespace strings",
			in->input_path);
	tc_arena a;
	tc_arena_init(&a);
	int rc = -1;
	size_t nrc = 0;
	const char **rc_sorted = sorted_recipients(&a, in->recipients, in->nrecipients, &nrc);
	if (nrc == 0) {
		tc_error(d, pos, NULL, "no age recipients for the Secret from '%s'",
		         in->input_path);
		goto out;
	}
	if (reusable(&a, sm, keys, in, rc_sorted, nrc)) {
		tc_buf_add(out, in->prev, in->prevlen);
		rc = 0;
		goto out;
	}
	tc_buf fid;
	tc_buf_init(&fid, TC_BUF_UNLIMITED);
	tc_buf_add(&fid, ns->u.str.ptr, ns->u.str.len);
	tc_buf_addc(&fid, '/');
	tc_buf_add(&fid, name->u.str.ptr, name->u.str.len);
	tc_buf_addc(&fid, 0);
	for (size_t i = 0; i < nrc; i++) {
		if (i)
			tc_buf_addc(&fid, '\n');
		tc_buf_adds(&fid, rc_sorted[i]);
	}
	tc_sops_profile prof = {seed->s, fid.ptr, fid.len};
	tc_sops_write_opts o = {
		.rule = tc_sops_default_rule,
		.lastmodified = in->lastmodified,
		.recipients = rc_sorted,
		.nrecipients = nrc,
		.profile = &prof,
	};
	rc = tc_sops_write(out, d, sm, in->input_path, to_tree(&a, in->secret, true), &o, NULL);
	tc_buf_release(&fid);
out:
	tc_arena_release(&a);
	return rc;
}

static const char *enc_type(const tc_value *v)
{
	const char *t = memmem(v->u.str.ptr, v->u.str.len, ",type:", 6);
	return t ? t + 6 : "";
}

/* The first path where the shapes differ, or false when they do not. */
static bool shape_differs(const tc_value *x, const tc_value *y, tc_buf *where);

static bool items_differ(const tc_value *x, const tc_value *y, tc_buf *where)
{
	if (x->u.arr.len != y->u.arr.len)
		return true;
	for (size_t i = 0; i < x->u.arr.len; i++) {
		size_t mark = where->len;
		tc_buf_addf(where, "[%zu]", i);
		if (shape_differs(x->u.arr.items[i], y->u.arr.items[i], where))
			return true;
		where->len = mark;
	}
	return false;
}

static bool members_differ(const tc_value *x, const tc_value *y, tc_buf *where)
{
	for (size_t i = 0; i < x->u.obj.len || i < y->u.obj.len; i++) {
		const tc_member *a = i < x->u.obj.len ? &x->u.obj.members[i] : NULL;
		const tc_member *b = i < y->u.obj.len ? &y->u.obj.members[i] : NULL;
		const tc_member *k = a ? a : b;
		size_t mark = where->len;
		tc_buf_addf(where, ".%.*s", (int)k->klen, k->key);
		if (!a || !b || a->klen != b->klen || memcmp(a->key, b->key, a->klen) != 0 ||
		    shape_differs(a->val, b->val, where))
			return true;
		where->len = mark;
	}
	return false;
}

static bool shape_differs(const tc_value *x, const tc_value *y, tc_buf *where)
{
	bool xs = (x->flags & TC_VAL_SECRET) != 0, ys = (y->flags & TC_VAL_SECRET) != 0;
	if (xs || ys)
		return !(xs && ys && x->kind == TC_STR && y->kind == TC_STR &&
		         strcmp(enc_type(x), enc_type(y)) == 0);
	if (x->kind != y->kind)
		return true;
	if (x->kind == TC_ARRAY)
		return items_differ(x, y, where);
	if (x->kind == TC_OBJECT)
		return members_differ(x, y, where);
	return !tc_value_same(x, y);
}

int tc_sops_carry_over(tc_buf *out, tc_diags *d, const tc_sops_render_in *in)
{
	tc_pos pos = in->secret->pos;
	tc_arena a;
	tc_arena_init(&a);
	tc_buf why;
	tc_buf_init(&why, 4096);
	int rc = -1;
	const char *name = object_name(&a, in->secret);
	if (!in->prev) {
		tc_buf_addf(&why, "there is no earlier output at '%s' to carry over",
		            in->prev_path ? in->prev_path : "(none)");
		goto fail;
	}
	tc_diags scratch;
	tc_diags_init(&scratch);
	tc_value *prev = NULL;
	tc_sops_info info;
	int r = tc_sops_read_clear(&prev, &info, &a, &scratch, in->prev_path ? in->prev_path : "",
	                           in->prev, in->prevlen);
	tc_diags_release(&scratch);
	if (r != 0) {
		tc_buf_addf(&why, "the earlier output '%s' is not a valid SOPS file",
		            in->prev_path);
		goto fail;
	}
	size_t nwant = 0, nhad = 0;
	const char **want = sorted_recipients(&a, in->recipients, in->nrecipients, &nwant);
	const char **had = sorted_recipients(&a, info.recipients, info.nrecipients, &nhad);
	tc_buf where;
	tc_buf_init(&where, 4096);
	const tc_value *want_digest = source_digest(in->secret), *had_digest = source_digest(prev);
	if (strcmp(info.lastmodified, in->lastmodified) != 0) {
		tc_buf_addf(&why, "it changed (lastmodified %s, rendered from %s)",
		            in->lastmodified, info.lastmodified);
	} else if (!had_digest) {
		tc_buf_addf(
			&why,
			"the earlier output '%s' does not record the input it was made from (no "
			"%s annotation)",
			in->prev_path, TC_SOPS_SOURCE_DIGEST);
	} else if (!want_digest || !tc_value_same(want_digest, had_digest)) {
		tc_buf_addf(&why, "its file changed (%.*s, rendered from %.*s)",
		            want_digest ? (int)want_digest->u.str.len : 4,
		            want_digest ? want_digest->u.str.ptr : "none",
		            had_digest->u.str.len < 80 ? (int)had_digest->u.str.len : 80,
		            had_digest->u.str.ptr);
	} else if (nhad != info.nrecipients || !same_list(want, nwant, had, nhad)) {
		tc_buf_adds(&why, "its recipients changed");
	} else if (shape_differs(in->secret, prev, &where)) {
		tc_buf_addf(&why, "it differs from the earlier output at %s",
		            where.len ? tc_buf_str(&where) : ".");
	}
	tc_buf_release(&where);
	if (why.len)
		goto fail;
	tc_buf_add(out, in->prev, in->prevlen);
	rc = 0;
	goto out;
fail:
	tc_error(
		d, pos, NULL,
		"Secret '%s' from '%s' cannot be rendered %s: %s (set "
		"SOPS_AGE_KEY_FILE or SOPS_AGE_KEY to an identity listed in tenantc.yaml sops.age)",
		name, in->input_path, in->identity ? in->identity : "without an age identity",
		tc_buf_str(&why));
out:
	tc_buf_release(&why);
	tc_arena_release(&a);
	return rc;
}

int tc_sops_emit_plain(tc_secbuf *out, tc_diags *d, const tc_value *secret)
{
	tc_arena a;
	tc_arena_init(&a);
	int rc = tc_sops_write_plain(out, d, secret->pos.file ? secret->pos.file : "",
	                             to_tree(&a, secret, true));
	tc_arena_release(&a);
	return rc;
}

/* ---- the plaintext-Secret guard ------------------------------------------------------------ */

bool tc_sops_is_plain_secret(const tc_value *obj)
{
	if (!obj || obj->kind != TC_OBJECT || !tc_value_streq(tc_value_getz(obj, "kind"), "Secret"))
		return false;
	const tc_value *mac = tc_value_dig(obj, "sops.mac");
	return !(mac && mac->kind == TC_STR && mac->u.str.len > 0);
}

int tc_sops_check_plain(tc_diags *d, const tc_value *obj)
{
	if (!tc_sops_is_plain_secret(obj))
		return 0;
	tc_arena a;
	tc_arena_init(&a);
	const tc_value *kind = tc_value_getz(obj, "kind");
	const char *name = object_name(&a, obj);
	tc_error(d, kind->pos.file ? kind->pos : obj->pos, NULL,
	         "plaintext Secret '%s': Secrets must be SOPS-encrypted files under "
	         "tenants/<tenant>/secrets",
	         name);
	tc_arena_release(&a);
	return -1;
}

static bool is_secret_kind(const tc_snode *n)
{
	return n && n->kind == TC_SN_SCALAR && n->len == 6 && memcmp(n->text, "Secret", 6) == 0;
}

/* Not YAML: a line "kind: Secret" (quotes allowed) at column 1. */
static int scan_lines(tc_diags *d, const char *path, const char *data, size_t len)
{
	int rc = 0;
	uint32_t line = 0;
	for (size_t pos = 0; pos < len;) {
		line++;
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t e = nl ? (size_t)(nl - data) : len, b = pos;
		pos = nl ? e + 1 : len;
		while (e > b && (data[e - 1] == '\r' || data[e - 1] == ' ' || data[e - 1] == '\t'))
			e--;
		if (e - b < 5 || memcmp(data + b, "kind:", 5) != 0)
			continue;
		b += 5;
		while (b < e && (data[b] == ' ' || data[b] == '\t'))
			b++;
		size_t n = e - b;
		const char *v = data + b;
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
			v++, n -= 2;
		if (n == 6 && memcmp(v, "Secret", 6) == 0)
			rc = tc_error(
				d, (tc_pos){path, line, 1}, NULL,
				"plaintext Secret: Secrets must be SOPS-encrypted files under "
				"tenants/<tenant>/secrets");
	}
	return rc;
}

int tc_sops_scan_plain(tc_diags *d, const char *path, const char *data, size_t len)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags scratch;
	tc_diags_init(&scratch);
	tc_snode **docs = NULL;
	size_t n = 0;
	int rc = 0;
	if (tc_sops_yaml_read(&docs, &n, &a, NULL, &scratch, path, data, len, TC_SYR_LENIENT) !=
	    0) {
		rc = scan_lines(d, path, data, len);
	} else {
		for (size_t i = 0; i < n; i++) {
			tc_sentry *k = tc_snode_get(docs[i], "kind");
			if (!k || !is_secret_kind(k->val) || tc_sops_tree_is_encrypted(docs[i]))
				continue;
			rc = tc_error(
				d, k->kpos, NULL,
				"plaintext Secret: Secrets must be SOPS-encrypted files under "
				"tenants/<tenant>/secrets");
		}
	}
	tc_diags_release(&scratch);
	tc_arena_release(&a);
	return rc;
}

/* ---- the leak guard ------------------------------------------------------------------------ */

void tc_sops_leaks_init(tc_sops_leaks *l, tc_arena *a, tc_secmem *sm)
{
	memset(l, 0, sizeof *l);
	l->a = a;
	l->sm = sm;
}

void tc_sops_leaks_release(tc_sops_leaks *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

static void leak_push(tc_sops_leaks *l, const char *v, size_t n, const char *secret,
                      const char *key)
{
	if (n < TC_SOPS_LEAK_MIN)
		return;
	TC_GROW(l->items, l->cap, l->n + 1);
	l->items[l->n++] = (tc_sops_leak){v, n, secret, key};
}

/* Every decrypted string outside data and stringData (a file whose
 * encrypted_regex also selects metadata, say), under its key path. */
static void leak_push_other(tc_sops_leaks *l, const tc_value *v, const char *sname,
                            const char *path)
{
	if (v->kind == TC_STR && (v->flags & TC_VAL_SECRET)) {
		leak_push(l, v->u.str.ptr, v->u.str.len, sname, path);
	} else if (v->kind == TC_ARRAY) {
		for (size_t i = 0; i < v->u.arr.len; i++)
			leak_push_other(l, v->u.arr.items[i], sname,
			                tc_arena_printf(l->a, "%s[%zu]", path, i));
	} else if (v->kind == TC_OBJECT) {
		for (size_t i = 0; i < v->u.obj.len; i++) {
			const tc_member *m = &v->u.obj.members[i];
			if (!*path && (!strcmp(m->key, "data") || !strcmp(m->key, "stringData")))
				continue;
			leak_push_other(l, m->val, sname,
			                tc_arena_printf(l->a, "%s%s%.*s", path, *path ? "." : "",
			                                (int)m->klen, m->key));
		}
	}
}

void tc_sops_leaks_add(tc_sops_leaks *l, const tc_value *secret, const char *name)
{
	static const char *const sections[] = {"data", "stringData"};
	const char *sname = tc_arena_strdup(l->a, name);
	leak_push_other(l, secret, sname, "");
	for (int s = 0; s < 2; s++) {
		const tc_value *sec = tc_value_getz(secret, sections[s]);
		if (!sec || sec->kind != TC_OBJECT)
			continue;
		for (size_t i = 0; i < sec->u.obj.len; i++) {
			const tc_member *m = &sec->u.obj.members[i];
			const tc_value *v = m->val;
			if (v->kind != TC_STR || !(v->flags & TC_VAL_SECRET))
				continue;
			const char *key =
				tc_arena_printf(l->a, "%s.%.*s", sections[s], (int)m->klen, m->key);
			leak_push(l, v->u.str.ptr, v->u.str.len, sname, key);
			if (s == 0) {
				unsigned char *raw = tc_secmem_alloc(l->sm, v->u.str.len + 1);
				size_t rn = 0;
				if (tc_base64_decode(raw, &rn, v->u.str.len, v->u.str.ptr,
				                     v->u.str.len,
				                     TC_BASE64_PAD | TC_BASE64_SKIP_NL) == 0)
					leak_push(l, (const char *)raw, rn, sname, key);
			} else {
				/* encoded straight into secret memory */
				size_t bn = tc_base64_encoded_len(v->u.str.len, true);
				char *b64 = tc_secmem_alloc(l->sm, bn + 1);
				if (tc_base64_encode(b64, v->u.str.ptr, v->u.str.len, true))
					leak_push(l, b64, bn, sname, key);
			}
		}
	}
}

bool tc_sops_leaks_hit(const tc_sops_leaks *l, const char *s, size_t n)
{
	for (size_t i = 0; l && s && i < l->n; i++)
		if (l->items[i].len <= n && memmem(s, n, l->items[i].val, l->items[i].len))
			return true;
	return false;
}

/* s with every collected value replaced by <redacted>; NULL when none
 * occurs. malloc'd. */
static char *scrub(const tc_sops_leaks *l, const char *s)
{
	if (!s || !tc_sops_leaks_hit(l, s, strlen(s)))
		return NULL;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t best = 0;
		for (size_t k = 0; k < l->n; k++) {
			const tc_sops_leak *v = &l->items[k];
			if (v->len > best && v->len <= n - i && memcmp(s + i, v->val, v->len) == 0)
				best = v->len;
		}
		if (best) {
			tc_buf_adds(&b, "<redacted>");
			i += best;
		} else {
			tc_buf_addc(&b, s[i++]);
		}
	}
	return tc_buf_detach(&b, NULL);
}

void tc_sops_leaks_redact(const tc_sops_leaks *l, tc_diags *d, size_t from)
{
	if (!l || l->n == 0)
		return;
	for (size_t i = from; i < d->len; i++) {
		char **fields[] = {&d->items[i].msg, &d->items[i].path, &d->items[i].file};
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			char *clean = scrub(l, *fields[f]);
			if (!clean)
				continue;
			sodium_memzero(*fields[f], strlen(*fields[f]));
			free(*fields[f]);
			*fields[f] = clean;
		}
	}
}

/* What the leak guard may say of obj's kind or a part of its name. */
static const char *leak_shown(const tc_sops_leaks *l, const tc_value *v)
{
	if (v && v->kind == TC_STR && tc_sops_leaks_hit(l, v->u.str.ptr, v->u.str.len))
		return "<redacted>";
	return tc_value_shown(v);
}

typedef struct scan {
	tc_diags *d;
	const tc_sops_leaks *l;
	const char *what;
	bool *seen; /* one report per collected value and object */
	int found;
} scan;

static void scan_bytes(scan *S, const char *s, size_t n, tc_pos pos, const tc_path *at)
{
	for (size_t i = 0; i < S->l->n; i++) {
		const tc_sops_leak *k = &S->l->items[i];
		if (S->seen[i] || k->len > n || !memmem(s, n, k->val, k->len))
			continue;
		S->seen[i] = true;
		S->found++;
		tc_error(S->d, pos, at,
		         "%s contains the decrypted value of key '%s' of Secret '%s' (<redacted>)",
		         S->what, k->key, k->secret);
	}
}

static void scan_value(scan *S, const tc_value *v, const tc_path *at)
{
	if (v->kind == TC_STR) {
		scan_bytes(S, v->u.str.ptr, v->u.str.len, v->pos, at);
	} else if (v->kind == TC_ARRAY) {
		for (size_t i = 0; i < v->u.arr.len; i++) {
			tc_path p = TC_PATH_INDEX(at, i);
			scan_value(S, v->u.arr.items[i], &p);
		}
	} else if (v->kind == TC_OBJECT) {
		for (size_t i = 0; i < v->u.obj.len; i++) {
			const tc_member *m = &v->u.obj.members[i];
			tc_path p = TC_PATH_KEY(at, m->key, m->klen);
			scan_bytes(S, m->key, m->klen, m->kpos.file ? m->kpos : v->pos, at);
			scan_value(S, m->val, &p);
		}
	}
}

int tc_sops_leaks_scan(tc_diags *d, const tc_sops_leaks *l, const tc_value *obj)
{
	if (l->n == 0 || !obj || tc_value_streq(tc_value_getz(obj, "kind"), "Secret"))
		return 0;
	tc_arena a;
	tc_arena_init(&a);
	const tc_value *kind = tc_value_getz(obj, "kind");
	const tc_value *meta = tc_value_getz(obj, "metadata");
	const tc_value *ns = tc_value_getz(meta, "namespace"), *name = tc_value_getz(meta, "name");
	const char *k = kind && kind->kind == TC_STR ? leak_shown(l, kind) : "object";
	const char *what = ns && ns->kind == TC_STR
	                           ? tc_arena_printf(&a, "%s '%s/%s'", k, leak_shown(l, ns),
	                                             leak_shown(l, name))
	                           : tc_arena_printf(&a, "%s '%s'", k, leak_shown(l, name));
	scan S = {d, l, what, tc_xcalloc(l->n, sizeof(bool)), 0};
	scan_value(&S, obj, NULL);
	free(S.seen);
	tc_arena_release(&a);
	return S.found ? -1 : 0;
}
