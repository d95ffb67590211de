/*
 * schema_node.h - the compiled form of a JSON Schema, shared by the
 * compiler (schema.c, which builds it) and the validator (schema_check.c,
 * which only reads it). Not part of the public API.
 *
 * Every schema object or boolean becomes one sc_node, allocated in the
 * tc_schema's arena. References are plain pointers to other nodes, so the
 * graph may have cycles; the validator bounds its depth. A node never
 * changes after tc_schema_compile returns.
 */
#ifndef TC_SCHEMA_NODE_H
#define TC_SCHEMA_NODE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "arena.h"
#include "schema.h"
#include "schema_format.h"
#include "value.h"

typedef struct sc_node sc_node;

/* type bits, one per JSON type; TC_INT values also match "number" */
enum {
	SC_T_NULL = 1u << 0,
	SC_T_BOOL = 1u << 1,
	SC_T_INT = 1u << 2,
	SC_T_NUM = 1u << 3,
	SC_T_STR = 1u << 4,
	SC_T_ARR = 1u << 5,
	SC_T_OBJ = 1u << 6,
};

enum {
	SC_F_UNIQUE = 1u << 0,       /* uniqueItems: true */
	SC_F_NULLABLE = 1u << 1,     /* OpenAPI nullable: true */
	SC_F_PRESERVE = 1u << 2,     /* x-kubernetes-preserve-unknown-fields: true */
	SC_F_MIN = 1u << 3,          /* minimum */
	SC_F_MAX = 1u << 4,          /* maximum */
	SC_F_XMIN = 1u << 5,         /* exclusive lower bound (xminimum) */
	SC_F_XMAX = 1u << 6,         /* exclusive upper bound (xmaximum) */
	SC_F_MULT = 1u << 7,         /* multipleOf */
	SC_F_CONST = 1u << 8,        /* const (the value may be null) */
	SC_F_NOVALIDATION = 1u << 9, /* vocabulary without validation keywords */
};

typedef struct sc_pattern {
	const pcre2_code *re; /* NULL: none */
	const char *src;      /* the pattern as written, for messages */
} sc_pattern;

typedef struct sc_prop {
	const char *key;
	size_t klen;
	const sc_node *node;
} sc_prop;

typedef struct sc_patprop {
	sc_pattern pat;
	const sc_node *node;
} sc_patprop;

/* dependentRequired / dependentSchemas / draft-04 dependencies */
typedef struct sc_dep {
	const char *key;
	size_t klen;
	const tc_value *required; /* array of strings, or NULL */
	const sc_node *node;      /* or NULL */
} sc_dep;

typedef struct sc_dynanchor {
	const char *name;
	const sc_node *node;
} sc_dynanchor;

/* A schema resource (a document root or a subschema with its own $id):
 * the unit of the dynamic scope that $dynamicRef searches. */
typedef struct sc_resource {
	const char *uri;
	sc_dynanchor *dyn; /* sorted by name */
	size_t ndyn;
} sc_resource;

typedef struct sc_key {
	const char *key;
	size_t klen;
} sc_key;

struct sc_node {
	const tc_value *src;    /* the schema value: position for schema errors */
	const sc_resource *res; /* the resource it belongs to */
	uint8_t boolean;        /* 0: keywords below; 1: true; 2: false */
	uint8_t types;          /* SC_T_* bits; 0: no 'type' */
	uint32_t flags;         /* SC_F_* */
	uint8_t draft4;         /* compiled under draft-04 rules */

	const tc_value *const_val;
	const tc_value *const *enums;
	size_t nenum;

	double minimum, maximum, xminimum, xmaximum, multiple;
	const tc_value *multiple_v; /* multipleOf as written (exact integer math) */

	int64_t min_len, max_len; /* -1: absent; in code points */
	sc_pattern pattern;
	tc_schema_format format; /* TC_FMT_NONE when absent or unknown */
	const char *format_name;

	const sc_node *ref;
	const sc_node *dynref;
	const char *dynref_name; /* non-NULL: resolve through the dynamic scope */

	const sc_node **all_of, **any_of, **one_of;
	size_t nall, nany, none;
	const sc_node *not_;
	const sc_node *if_, *then_, *else_;

	const sc_node **prefix; /* prefixItems, or draft-04 array-form items */
	size_t nprefix;
	const sc_node *items; /* items after the prefix */
	const sc_node *contains;
	int64_t min_contains, max_contains; /* min defaults to 1; max -1: absent */
	int64_t min_items, max_items;
	const sc_node *uneval_items;

	const sc_prop *props; /* sorted by key bytes */
	size_t nprops;
	const sc_patprop *patprops;
	size_t npatprops;
	const sc_node *addl;
	const sc_node *propnames;
	const sc_key *required;
	size_t nrequired;
	const sc_dep *deps;
	size_t ndeps;
	int64_t min_props, max_props;
	const sc_node *uneval_props;

	const char *error_message;      /* "errorMessage": replaces this node's own reports */
	const struct tc_cel_rules *cel; /* x-kubernetes-validations (cel_k8s_crd.c) */
};

struct tc_schema {
	tc_arena arena;
	const sc_node *root;
	tc_schema_draft draft;
	bool format_assert;
	pcre2_code **codes; /* every compiled pattern, freed by tc_schema_free */
	size_t ncodes, capcodes;
};

#endif
