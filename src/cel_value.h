/*
 * cel_value.h - the Common Expression Language: values, syntax tree, parser,
 * evaluator and the function table (see docs/cel.md for what is covered).
 *
 * Everything a parse or an evaluation makes lives in the caller's arena:
 * nothing is freed one piece at a time and every value is immutable once
 * built, so values are shared freely. An evaluation never fails with -1
 * for a CEL-level error: CEL errors are values (TC_CEL_ERROR) that travel
 * through the expression the way the language defines, and only the top
 * level turns one into a diagnostic.
 *
 * Limits (the reason is next to each): source length, nesting depth and
 * the runtime cost budget of one evaluation, which counts one unit per
 * operation and one per element a macro visits or a function touches.
 */
#ifndef TC_CEL_VALUE_H
#define TC_CEL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "value.h"

/* The API server's per-expression runtime cost limit
 * (k8s.io/apiserver/pkg/apis/cel PerCallLimit, 1,000,000). */
#define TC_CEL_DEFAULT_COST 1000000u
/* The API server's maximum expression length (k8s.io/apiserver/pkg/apis/cel
 * MaxRequestSizeBytes is larger; CRD rules are limited by their cost, so a
 * source cap of 100 KiB keeps the parser's work bounded). */
#define TC_CEL_MAX_SOURCE ((size_t)100 << 10)
/* Nesting of the syntax tree: cel-go's parser refuses beyond its
 * recursion limit of 250 (parser.MaxRecursionDepth default). */
#define TC_CEL_MAX_DEPTH 250
/* Largest string, bytes or list one operation may build: 16 MiB, the input
 * limit of the loaders. */
#define TC_CEL_MAX_SIZE ((size_t)16 << 20)

typedef enum tc_cel_kind {
	TC_CEL_NULL,
	TC_CEL_BOOL,
	TC_CEL_INT,
	TC_CEL_UINT,
	TC_CEL_DOUBLE,
	TC_CEL_STRING,
	TC_CEL_BYTES,
	TC_CEL_LIST,
	TC_CEL_MAP,
	TC_CEL_TYPE,
	TC_CEL_DURATION,
	TC_CEL_TIMESTAMP,
	TC_CEL_OPTIONAL,
	TC_CEL_ERROR,
	TC_CEL_OPAQUE, /* a library's own type: net.IP, kubernetes.Quantity, ... */
} tc_cel_kind;

typedef struct tc_cel_val tc_cel_val;
struct tc_cel_val {
	tc_cel_kind kind;
	/* Secrets (TC_VAL_SECRET of the document values, decrypted data):
	 * secret marks a value derived from one, and the members and elements
	 * of a secret container are secret too; tainted marks a container
	 * with a secret somewhere below it. Whatever the evaluator computes
	 * from a secret or tainted value is secret, an error it raises on one
	 * has its message withheld, and tc_cel_to_json prints a secret value
	 * as "<redacted>". */
	bool secret, tainted;
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double d;
		struct {
			const char *ptr; /* NUL-terminated at len */
			size_t len;
		} s; /* STRING (valid UTF-8), BYTES, TYPE (the type's name) */
		struct {
			const char *ptr; /* the message, NUL-terminated at len */
			size_t len;
			uint32_t line, col; /* where it arose; 0 until the evaluator knows */
		} err;                      /* ERROR */
		struct {
			tc_cel_val **items;
			size_t len;
			/* a CRD list's x-kubernetes-list-type: equality and
			 * + of a set ignore order and duplicates, of a map
			 * list they go by the keys (TC_CEL_LIST_*; 0: atomic) */
			const char *const *mkeys; /* a map list's list-map-keys */
			uint8_t ltype;
			uint8_t nmkeys;
		} list;
		struct {
			tc_cel_val **keys, **vals; /* keys unique, in insertion order */
			size_t len;
			/* every key a string, in byte order (a document
			 * object's): lookups bisect */
			bool sorted;
		} map;
		struct {
			int64_t sec;  /* seconds since 1970-01-01T00:00:00Z */
			int32_t nsec; /* 0..999999999 */
		} t;                  /* TIMESTAMP, 0001-01-01 to 9999-12-31 */
		int64_t ns;           /* DURATION in nanoseconds (cel-go's time.Duration range) */
		tc_cel_val *opt;      /* OPTIONAL: NULL when empty */
		struct {
			const char *type; /* the type's name, a static string */
			const char *ptr;  /* canonical text: equal values, equal text */
			size_t len;
			const void *data; /* the library's parsed form */
		} o;                      /* OPAQUE */
	} u;
};

enum { TC_CEL_LIST_ATOMIC, TC_CEL_LIST_SET, TC_CEL_LIST_MAP };

/* Builders; every value comes from the arena. */
tc_cel_val *tc_cel_null(tc_arena *a);
tc_cel_val *tc_cel_bool(tc_arena *a, bool b);
tc_cel_val *tc_cel_int(tc_arena *a, int64_t i);
tc_cel_val *tc_cel_uint(tc_arena *a, uint64_t u);
tc_cel_val *tc_cel_double(tc_arena *a, double d);
tc_cel_val *tc_cel_string(tc_arena *a, const char *s, size_t n); /* copies */
tc_cel_val *tc_cel_bytes(tc_arena *a, const char *s, size_t n);  /* copies */
tc_cel_val *tc_cel_type(tc_arena *a, const char *name);
/* the built-in type identifier spelled name (bool, int, list, ...) as a
 * static string, or NULL when name is none of them */
const char *tc_cel_builtin_type(const char *name);
tc_cel_val *tc_cel_list(tc_arena *a, tc_cel_val *const *items, size_t n); /* copies the array */
tc_cel_val *tc_cel_duration(tc_arena *a, int64_t ns);
tc_cel_val *tc_cel_timestamp(tc_arena *a, int64_t sec, int32_t nsec);
tc_cel_val *tc_cel_optional(tc_arena *a, tc_cel_val *v); /* v == NULL: optional.none() */
/* An OPAQUE value of type `type` (static) with its canonical text (copied)
 * and the library's data (kept as given). */
tc_cel_val *tc_cel_opaque(tc_arena *a, const char *type, const char *text, size_t n,
                          const void *data);
tc_cel_val *tc_cel_error(tc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The name of v's type as type(v) gives it: "int", "google.protobuf.Duration", ... */
const char *tc_cel_type_name(const tc_cel_val *v);
/* CEL equality (heterogeneous numbers compare by value; NaN != NaN). */
bool tc_cel_equal(const tc_cel_val *a, const tc_cel_val *b);
/* Ordering of two values of comparable kinds (numbers across kinds,
 * strings, bytes, bools, durations, timestamps): -1, 0, 1; 2 when the
 * kinds do not compare or a NaN is involved. */
int tc_cel_compare(const tc_cel_val *a, const tc_cel_val *b);
/* The index in list l of the element x is equal to as l's list type says
 * (a map list: the element with x's keys), or -1. */
long tc_cel_list_find(const tc_cel_val *l, const tc_cel_val *x);
/* The map entry of key k, NULL when absent. */
tc_cel_val *tc_cel_map_get(const tc_cel_val *m, const tc_cel_val *k);

/* v->secret || v->tainted */
bool tc_cel_tainted(const tc_cel_val *v);
/* v, or a copy of it, marked secret. */
tc_cel_val *tc_cel_secret(tc_arena *a, tc_cel_val *v);

/* A document value (YAML/JSON) as a CEL value: integers are int, floats
 * double, objects maps with string keys; TC_VAL_SECRET makes the value
 * secret (and everything below it), and its containers tainted. */
tc_cel_val *tc_cel_from_value(tc_arena *a, const tc_value *v);
/* The typed JSON form of a cel.expr.Value ({"int64Value": "1"}, ...) as a
 * CEL value; NULL with a message in *err for a form it does not know. */
tc_cel_val *tc_cel_from_typed(tc_arena *a, const tc_value *v, const char **err);
/* Write v as JSON (a secret value as the string "<redacted>"). Plain: int, uint and double are
 * numbers, bytes base64, durations "1.5s", timestamps RFC 3339 strings, types their names, an
 * optional its value or null. Typed: the cel.expr.Value JSON mapping. */
void tc_cel_to_json(tc_buf *out, const tc_cel_val *v, bool typed);

/* Timestamps: the seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define TC_CEL_TS_MIN INT64_C(-62135596800)
#define TC_CEL_TS_MAX INT64_C(253402300799)
/* A Go duration string ("1h2m3.5s", "-90ms", "0"): 0 or -1 when malformed
 * or out of range. */
int tc_cel_duration_parse(int64_t *ns, const char *s, size_t n);
/* An RFC 3339 timestamp within the range above: 0 or -1. */
int tc_cel_timestamp_parse(int64_t *sec, int32_t *nsec, const char *s, size_t n);
/* "1.5s" (seconds, the fraction without trailing zeros) and
 * "2009-02-13T23:31:30.5Z" (RFC 3339, the same fraction). */
void tc_cel_duration_format(tc_buf *out, int64_t ns);
void tc_cel_timestamp_format(tc_buf *out, int64_t sec, int32_t nsec);

#endif
