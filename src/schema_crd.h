/*
 * schema_crd.h - CustomResourceDefinitions to standalone JSON Schema files
 * in the crd-json layout that schema_set.c reads.
 *
 * Per served version: <out>/crd-json/<group>/<kind lower-case>_<version>.json,
 * a draft-04 schema made from spec.versions[].schema.openAPIV3Schema by
 * these rules (the same as ../shared/schemas-upstream/crds/README.md):
 *  - nullable: true adds "null" to type (and to enum; an untyped
 *    int-or-string node gets a {"type": "null"} branch) and is dropped;
 *  - x-kubernetes-int-or-string without anyOf gets
 *    anyOf [{type: integer}, {type: string}];
 *  - x-kubernetes-embedded-resource adds apiVersion, kind and metadata;
 *  - every object node without additionalProperties and without
 *    x-kubernetes-preserve-unknown-fields gets additionalProperties: false,
 *    except inside allOf/anyOf/oneOf/not and the root's metadata;
 *  - the root's apiVersion and kind get an enum of their one value.
 * <out>/crd-json/index.json lists group, version, kind, plural, scope,
 * served, storage, deprecated, schema file and source file of every
 * version; entries of other CRDs already there are kept.
 */
#ifndef TC_SCHEMA_CRD_H
#define TC_SCHEMA_CRD_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

/* The JSON Schema for one version's openAPIV3Schema (values in a). */
tc_value *tc_schema_crd_convert(tc_arena *a, const tc_value *openapi, const char *group,
                                const char *version, const char *kind);

/* Import every CRD among docs (documents of file `source`; other kinds
 * are reported and skipped) into outdir. *written counts the schema files
 * written. Returns 0, or -1 when something was reported. The index is
 * written by tc_schema_crd_finish. */
typedef struct tc_crd_import tc_crd_import;
tc_crd_import *tc_crd_import_new(const char *outdir);
int tc_crd_import_add(tc_crd_import *im, const tc_value *docs, const char *source, tc_diags *d);
/* Write the schema files and the merged index; returns the number of
 * schema files written, or -1 after reporting to d. */
long tc_crd_import_finish(tc_crd_import *im, tc_diags *d);
void tc_crd_import_free(tc_crd_import *im);

#endif
