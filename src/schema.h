/*
 * schema.h - JSON Schemas compiled into a read-only form.
 *
 * A tc_schema_store holds the documents references can reach: documents
 * registered by URI (remotes, meta-schemas), files reached through file:
 * URIs, URI prefixes mapped to folders, and an optional loader callback
 * (the renderer reads schemas/ from a git revision through one). The store
 * is used by one thread at a time and only while compiling.
 *
 * tc_schema_compile turns a schema document (a tc_value, normally loaded
 * with tc_doc_load so that positions point into the schema file) into a
 * tc_schema. Every $ref, $dynamicRef and $id is resolved during compilation
 * and every pattern is compiled once, so the result is immutable: any number
 * of threads may check instances against it at the same time (see
 * schema_check.h). The schema keeps pointers into the documents it was
 * compiled from (enum and const values, key strings): the documents, and
 * the store that loaded any of them, must outlive it.
 *
 * Drafts: 2020-12 and draft-04 (which also covers what Kubernetes' OpenAPI
 * schemas use). A document's "$schema" picks the draft; without one the
 * compile options decide. The Kubernetes extensions nullable,
 * x-kubernetes-int-or-string and x-kubernetes-preserve-unknown-fields are
 * understood in both.
 */
#ifndef TC_SCHEMA_H
#define TC_SCHEMA_H

#include <stdbool.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

typedef struct tc_schema tc_schema;
typedef struct tc_schema_store tc_schema_store;

typedef enum tc_schema_draft {
	TC_DRAFT_AUTO = 0, /* "$schema" if present, else guess from the keywords used */
	TC_DRAFT_4 = 4,    /* draft-04 (also used for draft-06/07 "$schema" values) */
	TC_DRAFT_2020 = 2020,
} tc_schema_draft;

typedef struct tc_schema_opts {
	tc_schema_draft draft; /* for documents without a known "$schema" */
	bool format_assert;    /* 'format' fails invalid strings (else an annotation) */
	const char *base_uri;  /* retrieval URI of the document; NULL: "tenantc:schema" */
} tc_schema_opts;

/* Load the document at absolute URI `uri` (no fragment) into *out, with
 * values in arena a. Return 0 when loaded, 1 when this loader does not
 * know the URI (nothing reported), -1 on an error reported to d. */
typedef int (*tc_schema_load_fn)(void *ctx, tc_arena *a, tc_diags *d, const char *uri,
                                 tc_value **out);

tc_schema_store *tc_schema_store_new(void);
/* Frees the store, its arena and every document it loaded. */
void tc_schema_store_free(tc_schema_store *st);
/* The arena documents loaded for the store live in (also for callers that
 * want to register documents they parse themselves). */
tc_arena *tc_schema_store_arena(tc_schema_store *st);
/* Register doc under uri (a fragment, if any, is dropped) and under its
 * own "$id"/"id" (draft-04 style ids with and without the empty '#'). doc
 * must outlive the store. */
void tc_schema_store_add(tc_schema_store *st, const char *uri, const tc_value *doc);
/* References starting with prefix load the file dir + rest (for example
 * "http://localhost:1234/" -> "remotes/"). */
void tc_schema_store_map(tc_schema_store *st, const char *prefix, const char *dir);
/* Allow file: references to be read from the file system (off by default,
 * so a schema from an untrusted revision cannot read local files). */
void tc_schema_store_allow_files(tc_schema_store *st, bool on);
/* Consulted after registered documents and maps, before files. */
void tc_schema_store_set_loader(tc_schema_store *st, tc_schema_load_fn fn, void *ctx);
/* Load a JSON or YAML file as a document of the store (positions point
 * into it). Returns the value, or NULL after reporting to d. */
tc_value *tc_schema_store_load_file(tc_schema_store *st, tc_diags *d, const char *path);

/* Compile doc. store may be NULL when the schema only refers to itself.
 * Errors in the schema (a '$ref' that cannot be resolved, a pattern PCRE2
 * cannot compile, a keyword of the wrong type) are reported to d at the
 * schema's positions, and make it return -1 with *out = NULL. On success
 * *out is owned by the caller: tc_schema_free. */
int tc_schema_compile(tc_schema **out, tc_schema_store *store, const tc_value *doc,
                      const tc_schema_opts *opts, tc_diags *d) __attribute__((warn_unused_result));
void tc_schema_free(tc_schema *s);

/* The draft the root document was compiled under. */
tc_schema_draft tc_schema_draft_of(const tc_schema *s);

/* Which draft "$schema" value uri names: TC_DRAFT_AUTO when unknown. */
tc_schema_draft tc_schema_draft_from_uri(const char *uri);

#endif
