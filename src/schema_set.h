/*
 * schema_set.h - output validation against a schema folder in kubeconform's
 * layout, plus Kubernetes' own rules.
 *
 * A location is a folder holding
 *   kubernetes/v<version>-standalone-strict/<kind>[-<group>]-<version>.json
 *   crd-json/<group>/<kind>_<version>.json and crd-json/index.json
 * (kind lower-case, group its first dot-separated part), as in
 * ../shared/schemas-upstream and as `tenantc schema import` writes. The
 * flat forms <location>/<kind>[-<group>]-<version>.json and
 * <location>/<group>/<kind>_<version>.json are accepted too. Locations are
 * tried in order; the first file found wins.
 *
 * Kubernetes' own kinds that no location has a file for are checked against
 * the built-in schemas of the Kubernetes version (schema_bundle.h), which
 * also say which versions of a built-in kind are served.
 *
 * Schemas are compiled on first use and kept. Lookups and compilation are
 * guarded by one mutex, checking runs outside it on the compiled (read-only)
 * schema, so one set serves all render workers; what a lookup returns
 * depends only on the files, never on which thread asked first (a schema
 * that does not compile gives the same finding to every object of its
 * kind).
 */
#ifndef TC_SCHEMA_SET_H
#define TC_SCHEMA_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "k8s.h"
#include "schema.h"
#include "value.h"

typedef struct tc_schema_set tc_schema_set;

typedef struct tc_schema_set_opts {
	const char *const *locations; /* folders, tried in order */
	size_t nlocations;
	/* "1.34.0" picks kubernetes/v1.34.0-standalone-strict ("1.34": the
	 * newest v1.34.* folder) and the built-in schemas of 1.34; NULL: the
	 * newest version folder present (by version number) and the newest
	 * built-in schemas */
	const char *kubernetes_version;
	tc_pos version_pos; /* where kubernetes_version was given, for its errors */
	bool no_builtin;    /* no built-in schemas: the locations alone */
} tc_schema_set_opts;

/* Open the locations (a missing folder is an error reported to d) and the
 * built-in schemas. The CRD indexes are read now, schemas later. A
 * kubernetes_version that neither the built-in schemas nor a location's
 * kubernetes/ folder has is an error naming the supported versions. */
int tc_schema_set_open(tc_schema_set **out, const tc_schema_set_opts *o, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_schema_set_free(tc_schema_set *set);

typedef enum tc_lookup_status {
	TC_LOOKUP_FOUND,
	TC_LOOKUP_MISSING,    /* no schema file for this apiVersion and kind */
	TC_LOOKUP_NOT_SERVED, /* the CRD (or Kubernetes) does not serve this version */
	TC_LOOKUP_UNKNOWN,    /* no such group or kind, but a near one is known */
	TC_LOOKUP_BROKEN,     /* the file exists but does not load or compile */
} tc_lookup_status;

typedef struct tc_lookup {
	tc_lookup_status status;
	const tc_schema *schema; /* FOUND: owned by the set */
	tc_k8s_scope scope;      /* from the CRD index or the built-in table */
	const char *detail;      /* file used, or why not (NOT_SERVED: the versions
	                          * served; UNKNOWN: the did-you-mean); owned by the set */
} tc_lookup;

/* Find the schema for apiVersion and kind. Thread-safe. */
void tc_schema_set_lookup(tc_schema_set *set, const char *api, size_t alen, const char *kind,
                          size_t klen, tc_lookup *out);

/* Validate one object: its schema (at the object's nodes) and
 * tc_k8s_check_object. An object with no schema gets a warning, or a
 * finding when strict. A version that the kind's CRD (or Kubernetes, for
 * a built-in kind) does not serve or does not have is a finding either
 * way, naming the versions served; so is an unknown group or kind when a
 * near one is known (did-you-mean). A top-level "sops" key (SOPS metadata of an
 * encrypted object) is not part of the object and is not checked.
 * Findings are TC_DIAG_FINDING. Returns 0 when nothing was found wrong.
 * Thread-safe. */
int tc_schema_set_check_object(tc_schema_set *set, const tc_value *obj, bool strict, tc_diags *d,
                               const tc_path *at);

#endif
