/*
 * value.h - tc_value, the one document model.
 *
 * YAML and JSON input, JSON-e templates and their results, JSON Schemas and
 * output objects are all tc_value trees. Values are immutable once built,
 * so subtrees are shared freely without reference counts. All memory comes
 * from a tc_arena given to the builders; the tree lives as long as it.
 *
 * Invariants:
 *  - TC_INT and TC_FLOAT stay apart: 1 and 1.0 are different kinds but
 *    compare equal (tc_value_equal) as JSON numbers do.
 *  - Strings hold bytes (valid UTF-8 for everything loaded) and may contain
 *    NUL; they are also NUL-terminated by the builders for convenience.
 *  - Object members are sorted by key bytes (memcmp, shorter first) and
 *    keys are unique. Output key order is applied only by the emitter.
 *  - pos is the source node, or the template node that computed the value.
 */
#ifndef TC_VALUE_H
#define TC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

typedef enum tc_kind { TC_NULL, TC_BOOL, TC_INT, TC_FLOAT, TC_STR, TC_ARRAY, TC_OBJECT } tc_kind;

enum {
	TC_VAL_SECRET = 1u << 0, /* derived from decrypted secret data: never print */
	TC_VAL_QUOTED = 1u << 1, /* a YAML scalar that was quoted in its source */
	/* where a YAML string's text sits in its source, so that a message can
	 * point into it: a block literal ('|') whose lines start in column
	 * TC_VAL_INDENT(flags) + 1 of the lines after pos, or a one-line scalar
	 * whose text starts at pos (one column later when quoted), unchanged */
	TC_VAL_LITERAL = 1u << 2,
	TC_VAL_ONELINE = 1u << 3,
};
#define TC_VAL_INDENT(flags) ((flags) >> 16)

typedef struct tc_value tc_value;
typedef struct tc_member tc_member;

struct tc_value {
	tc_kind kind;
	uint32_t flags;
	tc_pos pos;
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			const char *ptr;
			size_t len;
		} str;
		struct {
			tc_value **items;
			size_t len;
		} arr;
		struct {
			tc_member *members;
			size_t len;
		} obj;
	} u;
};

struct tc_member {
	const char *key; /* NUL-terminated, may contain NUL */
	size_t klen;
	tc_pos kpos; /* position of the key itself */
	tc_value *val;
};

const char *tc_kind_name(tc_kind k); /* "null", "boolean", "integer", "number", ... */

tc_value *tc_value_null(tc_arena *a, tc_pos pos);
tc_value *tc_value_bool(tc_arena *a, bool b, tc_pos pos);
tc_value *tc_value_int(tc_arena *a, int64_t i, tc_pos pos);
tc_value *tc_value_float(tc_arena *a, double f, tc_pos pos);
/* Copies s[0..n) into the arena. */
tc_value *tc_value_str(tc_arena *a, const char *s, size_t n, tc_pos pos);
tc_value *tc_value_strz(tc_arena *a, const char *s, tc_pos pos);
/* Takes s as is: it must outlive the value and be NUL-terminated at n. */
tc_value *tc_value_str_ref(tc_arena *a, const char *s, size_t n, tc_pos pos);
/* Copies the pointer array (not the items). */
tc_value *tc_value_array(tc_arena *a, tc_value *const *items, size_t n, tc_pos pos);
/* Copies and sorts the members (keys are copied too). With dup != NULL a
 * repeated key makes it return NULL and set *dup to the input index of the
 * later occurrence; with dup == NULL the later occurrence wins. */
tc_value *tc_value_object(tc_arena *a, const tc_member *m, size_t n, tc_pos pos, size_t *dup);
/* A shallow copy with another position or flags. */
tc_value *tc_value_copy(tc_arena *a, const tc_value *v);

/* Member lookup by exact key bytes (binary search); NULL when absent or
 * when obj is not an object. */
tc_value *tc_value_get(const tc_value *obj, const char *key, size_t klen);
tc_value *tc_value_getz(const tc_value *obj, const char *key);
const tc_member *tc_value_member(const tc_value *obj, const char *key, size_t klen);
/* Follow a dotted path of keys, "metadata.name". */
tc_value *tc_value_dig(const tc_value *v, const char *dotted);

/* Deep equality, JSON semantics (1 == 1.0, key order irrelevant). */
bool tc_value_equal(const tc_value *a, const tc_value *b);
/* Deep equality as written out: same kinds and the same bytes (1 and 1.0
 * differ, as do 0.0 and -0.0); flags and positions are ignored. */
bool tc_value_same(const tc_value *a, const tc_value *b);
/* Byte order of two keys or strings: memcmp, then shorter first. */
int tc_bytes_cmp(const char *a, size_t an, const char *b, size_t bn);
/* True when v or anything below it has TC_VAL_SECRET. */
bool tc_value_tainted(const tc_value *v);
/* What a message may quote of a value, for "%s": "<redacted>" when v is
 * tainted (tc_value_tainted), else a string's bytes (up to a NUL), ""
 * for NULL or a value that is not a string. Every diagnostic that names
 * an object by its kind, namespace, name or a label goes through this
 * (and render.c scrubs each job's messages of the decrypted values it
 * collected, for clear strings that equal one). */
const char *tc_value_shown(const tc_value *v);
static inline bool tc_value_is_number(const tc_value *v)
{
	return v->kind == TC_INT || v->kind == TC_FLOAT;
}
static inline double tc_value_num(const tc_value *v)
{
	return v->kind == TC_INT ? (double)v->u.i : v->u.f;
}
static inline bool tc_value_streq(const tc_value *v, const char *s)
{
	if (!v || v->kind != TC_STR)
		return false;
	size_t n = 0;
	while (s[n])
		n++;
	return v->u.str.len == n && tc_bytes_cmp(v->u.str.ptr, n, s, n) == 0;
}

/* Growable builders backed by malloc; _finish copies into the arena and
 * releases the builder. */
typedef struct tc_arrb {
	tc_value **items;
	size_t len, cap;
} tc_arrb;
void tc_arrb_init(tc_arrb *b);
void tc_arrb_push(tc_arrb *b, tc_value *v);
tc_value *tc_arrb_finish(tc_arrb *b, tc_arena *a, tc_pos pos);
void tc_arrb_release(tc_arrb *b);

typedef struct tc_objb {
	tc_member *members;
	size_t len, cap;
} tc_objb;
void tc_objb_init(tc_objb *b);
/* The key is not copied until _finish: it must stay valid until then. */
void tc_objb_add(tc_objb *b, const char *key, size_t klen, tc_pos kpos, tc_value *v);
void tc_objb_addz(tc_objb *b, const char *key, tc_value *v);
/* See tc_value_object for dup. The builder is released on success; on a
 * duplicate it returns NULL and stays intact (members[*dup] is the later
 * key), and the caller calls tc_objb_release. */
tc_value *tc_objb_finish(tc_objb *b, tc_arena *a, tc_pos pos, size_t *dup);
void tc_objb_release(tc_objb *b);

#endif
