/*
 * sops_yaml.h - YAML as sops sees it: an ordered tree typed like yaml.v3.
 *
 * sops authenticates values in document order and computes each clear
 * value's MAC bytes from the Go type yaml.v3 gives it (0755 is the integer
 * 493, 2024-01-01 a timestamp, 1e3 the float 1000). tc_value keeps neither
 * the order nor those types, so SOPS files are read into tc_snode trees:
 * mappings keep their entries in file order, scalars keep their text and
 * the yaml.v3 type and value. The writer emits a tree in the sops layout
 * (indent 4, sequences indented under their key) and chooses every scalar's
 * form so that yaml.v3 reads back the same type and value, which is what
 * keeps a MAC computed from the tree valid for the file.
 *
 * Memory: nodes live in the caller's arena. Scalar text lives in the arena
 * too, or in a tc_secmem when the caller passes one (plaintext input), in
 * which case libyaml's buffers and event values are also wiped before they
 * are freed. The writer appends to a tc_secbuf, since what it writes may be
 * plaintext.
 */
#ifndef TC_SOPS_YAML_H
#define TC_SOPS_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "secmem.h"
#include "timefmt.h"

/* The Go type a scalar decodes to. */
typedef enum tc_stype {
	TC_ST_NULL,
	TC_ST_BOOL,
	TC_ST_INT,
	TC_ST_FLOAT,
	TC_ST_TIME,
	TC_ST_STR,
} tc_stype;

/* A timestamp in the offset it was written with (Go keeps the zone). */
typedef tc_civil tc_stime;

typedef enum tc_snode_kind { TC_SN_SCALAR, TC_SN_MAP, TC_SN_SEQ } tc_snode_kind;

typedef struct tc_snode tc_snode;

typedef struct tc_sentry {
	const char *key; /* NUL-terminated */
	size_t klen;
	tc_pos kpos;
	tc_snode *val;
} tc_sentry;

struct tc_snode {
	tc_snode_kind kind;
	tc_pos pos;
	/* TC_SN_SCALAR */
	const char *text; /* the scalar's value after YAML unescaping, NUL-terminated */
	size_t len;
	tc_stype type;
	union {
		bool b;
		int64_t i;
		double f;
		tc_stime t;
	} v;
	bool secret; /* decrypted: text is in secret memory, never print it */
	bool loose;  /* a string that may be written plain whenever yaml.v3 reads
	              * it back as the same string (sops metadata: the rule, version) */
	/* TC_SN_MAP: entries[0..n); TC_SN_SEQ: items[0..n) */
	tc_sentry *entries;
	tc_snode **items;
	size_t n;
};

/* Reading limits, with the reason for each: 16 MiB is sixteen times the
 * largest Secret Kubernetes accepts; 128 levels is far deeper than any
 * manifest; a node budget stops hostile input early. */
#define TC_SOPS_YAML_MAX_BYTES ((size_t)16 << 20)
#define TC_SOPS_YAML_MAX_DEPTH 128
#define TC_SOPS_YAML_MAX_NODES ((size_t)1 << 20)

enum {
	/* For scanning arbitrary YAML (the plaintext-Secret guard) rather than
	 * reading SOPS files: aliases become null nodes, keys of any type and
	 * repeated keys are accepted, unknown tags and huge integers make
	 * strings. */
	TC_SYR_LENIENT = 1u << 0,
};

/* Read every document of a YAML stream (JSON included). Anchors and
 * aliases, non-string keys (after yaml.v3 typing), duplicate keys, tags
 * other than the core ones and integers beyond int64 are errors at
 * file:line:col. *docs is an arena array of *ndocs roots (an empty
 * document is a null scalar). text_mem: see above; may be NULL. */
int tc_sops_yaml_read(tc_snode ***docs, size_t *ndocs, tc_arena *a, tc_secmem *text_mem,
                      tc_diags *d, const char *file, const char *data, size_t len, unsigned flags)
	__attribute__((warn_unused_result));

/* Type a plain scalar as yaml.v3 does (tag NULL or a "!!x" short form).
 * Returns 0 and fills *type and *out, or -1 when the text cannot have the
 * tag, or is an integer beyond int64 (which sops cannot process). */
int tc_sops_yaml_resolve(tc_stype *type, tc_snode *out, const char *text, size_t len,
                         const char *tag) __attribute__((warn_unused_result));

/* The bytes sops feeds the MAC for a scalar (Go's formatting of its typed
 * value: True/False, decimal ints, strconv 'f' floats, RFC 3339 with
 * nanoseconds). Strings give their text without copying: *out points at
 * it. Other types are formatted into buf (at least TC_SOPS_FMT_BUF bytes).
 * Returns the length; null scalars give 0 and *out NULL. */
#define TC_SOPS_FMT_BUF 400
size_t tc_sops_yaml_macbytes(const char **out, char *buf, const tc_snode *scalar);

/* Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip decimal,
 * never an exponent; "+Inf", "-Inf", "NaN". */
size_t tc_sops_go_float(char *buf, size_t cap, double f);
/* time.Time.MarshalText: RFC 3339 with nanoseconds, trailing zeros cut. */
size_t tc_sops_go_time(char *buf, size_t cap, const tc_stime *t);
/* Parse a string as time.Parse(time.RFC3339, s) does; -1 when it fails.
 * Re-formatting with tc_sops_rfc3339 gives the MAC's additional data. */
int tc_sops_parse_rfc3339(tc_stime *out, const char *s, size_t n)
	__attribute__((warn_unused_result));
size_t tc_sops_rfc3339(char *buf, size_t cap, const tc_stime *t);

/* A new node in the arena. */
tc_snode *tc_snode_new(tc_arena *a, tc_snode_kind kind, tc_pos pos);
tc_snode *tc_snode_str(tc_arena *a, const char *s, size_t n, tc_pos pos); /* s is not copied */
/* Look up a map entry by key; NULL when absent or node is not a map. */
tc_sentry *tc_snode_get(const tc_snode *map, const char *key);

/* Write one document. Every string that is not a safe plain word is double
 * quoted (or, with `literal`, written as a literal block when it holds a
 * line break and can be); nothing is ever folded, tagged or commented.
 * Returns -1 when a string is not valid UTF-8 (nothing sensible can be
 * written); the position of the offending node is stored in *bad. */
int tc_sops_yaml_write(tc_secbuf *out, const tc_snode *doc, bool literal, tc_pos *bad)
	__attribute__((warn_unused_result));

#endif
