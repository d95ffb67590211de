/*
 * schema_bundle.h - the built-in schemas of Kubernetes' own kinds, one set
 * per supported minor version (1.30 to 1.34), for the objects that no
 * schema location covers.
 *
 * The bundle (data/kubernetes-schemas.json, embedded in the binary) is
 * made by scripts/gen-schema-bundle.py from the API server's OpenAPI v3
 * documents of each release: for every kind the API server stores, the
 * versions it serves, its scope and its schema, strict as kubeconform's
 * "-strict" sets (unknown keys refused, null accepted where the API server
 * takes it for unset). Definitions are separate documents with URIs
 * TC_SCHEMA_BUNDLE_URI "<id>" that refer to each other relatively; a
 * definition equal in several releases is stored once. Opening indexes the
 * bytes without parsing them; tc_schema_bundle_load parses one definition
 * when a compilation reaches it, so a render pays only for the kinds it
 * makes.
 *
 * An open bundle is read-only and may be shared by threads; the loader
 * writes only into the arena it is given.
 */
#ifndef TC_SCHEMA_BUNDLE_H
#define TC_SCHEMA_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "k8s.h"
#include "value.h"

#define TC_SCHEMA_BUNDLE_URI "tenantc:kubernetes/"

typedef struct tc_schema_bundle tc_schema_bundle;

typedef struct tc_bundle_kind {
	const char *group, *version, *kind; /* group "" for the core API */
	tc_k8s_scope scope;
	const char *def; /* the definition's id: its URI is TC_SCHEMA_BUNDLE_URI def */
} tc_bundle_kind;

/* Open the schemas of a Kubernetes version: "1.34", "1.34.2", "v1.34.0"
 * (the patch does not matter: a patch release does not change the API), or
 * NULL for the newest. A version that the bundle does not have is an error
 * at pos naming the supported ones, and returns -1. */
int tc_schema_bundle_open(tc_schema_bundle **out, const char *version, tc_pos pos, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_schema_bundle_free(tc_schema_bundle *b);

/* The bundle's bytes (static): what a cache key of rendered output holds,
 * so that output checked against other schemas is checked again. */
const char *tc_schema_bundle_bytes(size_t *len);

/* The versions the bundle has, "1.30, 1.31, 1.32, 1.33, 1.34", added to
 * out. */
void tc_schema_bundle_list(tc_buf *out);

/* Whether the bundle has schemas for version (as tc_schema_bundle_open
 * takes it; NULL: true). */
bool tc_schema_bundle_supports(const char *version);

/* "1.34": the minor version opened; "v1.34.4": the release its schemas are
 * from. Owned by the bundle. */
const char *tc_schema_bundle_version(const tc_schema_bundle *b);
const char *tc_schema_bundle_release(const tc_schema_bundle *b);

/* Every kind of the version, *n of them, sorted by group, kind and
 * version. */
const tc_bundle_kind *tc_schema_bundle_kinds(const tc_schema_bundle *b, size_t *n);

/* The kind in that group and version, or NULL when this version of
 * Kubernetes does not serve it. */
const tc_bundle_kind *tc_schema_bundle_kind(const tc_schema_bundle *b, const char *group,
                                            size_t glen, const char *version, size_t vlen,
                                            const char *kind, size_t klen);

/* The apiVersions this version of Kubernetes serves a kind of the group in,
 * preferred first as the API server orders them (GA, beta, alpha; higher
 * numbers first): "autoscaling/v2, autoscaling/v1". In a; NULL when it
 * serves the kind in no version. */
const char *tc_schema_bundle_served(const tc_schema_bundle *b, tc_arena *a, const char *group,
                                    size_t glen, const char *kind, size_t klen);

/* The scope of a kind in any version, TC_K8S_SCOPE_UNKNOWN when the bundle
 * does not have it. */
tc_k8s_scope tc_schema_bundle_scope(const tc_schema_bundle *b, const char *group, size_t glen,
                                    const char *kind, size_t klen);

/* A tc_schema_load_fn (schema.h) for tc_schema_store_set_loader, ctx being
 * the bundle: loads TC_SCHEMA_BUNDLE_URI "<id>" into a, returns 1 for other
 * URIs. */
int tc_schema_bundle_load(void *ctx, tc_arena *a, tc_diags *d, const char *uri, tc_value **out);

#endif
