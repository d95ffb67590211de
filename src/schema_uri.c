/*
 * schema_uri.c - RFC 3986 reference resolution for schema identifiers.
 *
 * A URI is split into its five components (scheme, authority, path, query,
 * fragment) without copying, resolved with the algorithm of RFC 3986
 * section 5.2 (merge, then remove dot segments) and reassembled in the
 * caller's arena. Validation is lenient on purpose: identifiers in schemas
 * are compared as strings, so the only job here is to produce the same
 * string for the same resource. Non-hierarchical bases (urn:, tag:) work
 * for fragment-only and absolute references, which is all the JSON Schema
 * specification expects of them.
 */
#include "schema_uri.h"

#include "ascii.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct part {
	const char *p;
	size_t n;
	bool set;
} part;

typedef struct uri {
	part scheme, auth, path, query, frag;
} uri;

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t scheme_len(const char *s)
{
	if (!is_alpha((unsigned char)s[0]))
		return 0;
	size_t i = 1;
	while (is_alpha((unsigned char)s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
	       s[i] == '-' || s[i] == '.')
		i++;
	return s[i] == ':' ? i : 0;
}

bool tc_uri_is_absolute(const char *s)
{
	return scheme_len(s) > 0;
}

/* URI-reference = [ scheme ":" ] [ "//" authority ] path [ "?" query ] [ "#" fragment ] */
static void parse(uri *u, const char *s)
{
	memset(u, 0, sizeof *u);
	size_t n = scheme_len(s);
	if (n) {
		u->scheme = (part){s, n, true};
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		s += 2;
		size_t k = strcspn(s, "/?#");
		u->auth = (part){s, k, true};
		s += k;
	}
	size_t k = strcspn(s, "?#");
	u->path = (part){s, k, true};
	s += k;
	if (*s == '?') {
		s++;
		k = strcspn(s, "#");
		u->query = (part){s, k, true};
		s += k;
	}
	if (*s == '#') {
		s++;
		u->frag = (part){s, strlen(s), true};
	}
}

static bool starts(const char *s, size_t rest, const char *lit)
{
	size_t k = strlen(lit);
	return rest >= k && memcmp(s, lit, k) == 0;
}

static bool equals(const char *s, size_t rest, const char *lit)
{
	return rest == strlen(lit) && memcmp(s, lit, rest) == 0;
}

/* Drop the last segment and its "/" (if any) from the output buffer. */
static void pop_segment(tc_buf *out)
{
	while (out->len > 0 && out->ptr[out->len - 1] != '/')
		out->len--;
	if (out->len > 0)
		out->len--;
	if (out->ptr)
		out->ptr[out->len] = 0;
}

/* One step of RFC 3986 5.2.4 on in[i..n): returns where the next step starts. */
static size_t dot_step(tc_buf *out, char *in, size_t i, size_t n)
{
	const char *s = in + i;
	size_t rest = n - i;
	if (starts(s, rest, "../")) /* A */
		return i + 3;
	if (starts(s, rest, "./"))
		return i + 2;
	if (starts(s, rest, "/./")) /* B */
		return i + 2;
	if (equals(s, rest, "/.")) {
		in[i + 1] = '/';
		return i + 1;
	}
	if (starts(s, rest, "/../")) { /* C */
		pop_segment(out);
		return i + 3;
	}
	if (equals(s, rest, "/..")) {
		pop_segment(out);
		in[i + 2] = '/';
		return i + 2;
	}
	if (equals(s, rest, ".") || equals(s, rest, "..")) /* D */
		return n;
	size_t k = s[0] == '/' ? 1 : 0; /* E: move the first segment to the output */
	while (k < rest && s[k] != '/')
		k++;
	tc_buf_add(out, s, k);
	return i + k;
}

/* RFC 3986 5.2.4: remove "." and ".." segments from p[0..n), into out.
 * The steps A-E of the RFC work on a private copy of the input, since two
 * of them replace a prefix with "/". */
static void remove_dots(tc_buf *out, const char *p, size_t n)
{
	tc_buf_reset(out);
	char *in = tc_xmemdup0(p, n);
	size_t i = 0;
	while (i < n)
		i = dot_step(out, in, i, n);
	free(in);
}

/* RFC 3986 5.2.3: a relative path below the base's directory, then 5.2.4. */
static void merge_paths(tc_buf *path, const uri *b, const uri *r)
{
	tc_buf tmp;
	tc_buf_init(&tmp, TC_BUF_UNLIMITED);
	if (b->auth.set && b->path.n == 0) {
		tc_buf_addc(&tmp, '/');
	} else {
		size_t k = b->path.n;
		while (k > 0 && b->path.p[k - 1] != '/')
			k--;
		tc_buf_add(&tmp, b->path.p, k);
	}
	tc_buf_add(&tmp, r->path.p, r->path.n);
	remove_dots(path, tmp.ptr ? tmp.ptr : "", tmp.len);
	tc_buf_release(&tmp);
}

/* RFC 3986 5.2.2: the target of reference r against base b; its path goes to `path`. */
static void transform(uri *t, tc_buf *path, const uri *r, const uri *b)
{
	t->frag = r->frag;
	if (r->scheme.set || r->auth.set) {
		t->scheme = r->scheme.set ? r->scheme : b->scheme;
		t->auth = r->auth;
		t->query = r->query;
		remove_dots(path, r->path.p, r->path.n);
		return;
	}
	t->scheme = b->scheme;
	t->auth = b->auth;
	if (r->path.n == 0) {
		tc_buf_add(path, b->path.p, b->path.n);
		t->query = r->query.set ? r->query : b->query;
		return;
	}
	t->query = r->query;
	if (r->path.p[0] == '/')
		remove_dots(path, r->path.p, r->path.n);
	else
		merge_paths(path, b, r);
}

static void add_part(tc_buf *b, const char *pre, part p, const char *post)
{
	if (!p.set)
		return;
	tc_buf_adds(b, pre);
	tc_buf_add(b, p.p, p.n);
	tc_buf_adds(b, post);
}

char *tc_uri_resolve(tc_arena *a, const char *base, const char *ref)
{
	uri r, b, t;
	parse(&r, ref);
	parse(&b, base ? base : "");
	memset(&t, 0, sizeof t);
	tc_buf path, out;
	tc_buf_init(&path, TC_BUF_UNLIMITED);
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	transform(&t, &path, &r, &b);
	add_part(&out, "", t.scheme, ":");
	add_part(&out, "//", t.auth, "");
	tc_buf_add(&out, path.ptr ? path.ptr : "", path.len);
	add_part(&out, "?", t.query, "");
	add_part(&out, "#", t.frag, "");
	char *res = tc_arena_memdup0(a, tc_buf_str(&out), out.len);
	tc_buf_release(&out);
	tc_buf_release(&path);
	return res;
}

char *tc_uri_strip_fragment(tc_arena *a, const char *s, const char **frag)
{
	const char *h = strchr(s, '#');
	if (!h) {
		*frag = NULL;
		return tc_arena_strdup(a, s);
	}
	*frag = h[1] ? h + 1 : NULL;
	return tc_arena_memdup0(a, s, (size_t)(h - s));
}

char *tc_uri_unescape(tc_arena *a, const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = tc_arena_alloc(a, n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h = i + 1 < n ? tc_ascii_hex_value((unsigned char)s[i + 1]) : -1;
			int l = i + 2 < n ? tc_ascii_hex_value((unsigned char)s[i + 2]) : -1;
			if (h < 0 || l < 0)
				return NULL;
			out[j++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = 0;
	*len = j;
	return out;
}

static bool unreserved(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '/';
}

char *tc_uri_from_path(tc_arena *a, const char *path)
{
	tc_buf raw, out, clean;
	tc_buf_init(&raw, TC_BUF_UNLIMITED);
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_buf_init(&clean, TC_BUF_UNLIMITED);
	if (path[0] != '/') {
		char cwd[4096];
		if (getcwd(cwd, sizeof cwd))
			tc_buf_adds(&raw, cwd);
		tc_buf_addc(&raw, '/');
	}
	tc_buf_adds(&raw, path);
	remove_dots(&clean, raw.ptr, raw.len);
	tc_buf_adds(&out, "file://");
	for (size_t i = 0; i < clean.len; i++) {
		unsigned char c = (unsigned char)clean.ptr[i];
		if (c == '/' && i > 0 && clean.ptr[i - 1] == '/')
			continue; /* collapse "//" inside a path */
		if (unreserved(c))
			tc_buf_addc(&out, (char)c);
		else
			tc_buf_addf(&out, "%%%02X", c);
	}
	char *res = tc_arena_memdup0(a, tc_buf_str(&out), out.len);
	tc_buf_release(&raw);
	tc_buf_release(&out);
	tc_buf_release(&clean);
	return res;
}

char *tc_uri_to_path(tc_arena *a, const char *s)
{
	if (strncmp(s, "file:", 5) != 0)
		return NULL;
	s += 5;
	if (s[0] == '/' && s[1] == '/') {
		s += 2;
		const char *slash = strchr(s, '/');
		if (!slash)
			return NULL;
		/* only the local host: "file:///p" or "file://localhost/p" */
		if (slash != s && !(slash - s == 9 && strncmp(s, "localhost", 9) == 0))
			return NULL;
		s = slash;
	}
	const char *frag;
	char *nofrag = tc_uri_strip_fragment(a, s, &frag);
	size_t n;
	char *p = tc_uri_unescape(a, nofrag, &n);
	if (!p || memchr(p, 0, n))
		return NULL;
	return p;
}
