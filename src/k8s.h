/*
 * k8s.h - Kubernetes' own rules for objects, the ones JSON Schemas do not
 * express: name syntax, label and annotation syntax and sizes, namespaces
 * of namespaced kinds, the 1 MiB limit of ConfigMaps and Secrets, and
 * duplicate objects.
 *
 * Every function is pure or works on caller-owned state, so any thread may
 * call them. Findings are diagnostics at the offending node's position
 * with its path below `at` (the object's own path, NULL for a document).
 */
#ifndef TC_K8S_H
#define TC_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "value.h"

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 bytes. */
bool tc_k8s_is_dns_label(const char *s, size_t n);
/* RFC 1123 subdomain: labels joined by '.', at most 253 bytes. */
bool tc_k8s_is_dns_subdomain(const char *s, size_t n);
/* RFC 1035 label: a DNS-1123 label that starts with a letter. */
bool tc_k8s_is_dns1035_label(const char *s, size_t n);
/* Label or annotation key: [prefix/]name, prefix a DNS subdomain, name
 * [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most 63 bytes. */
bool tc_k8s_is_qualified_name(const char *s, size_t n);
/* Label value: empty, or a name as above of at most 63 bytes. */
bool tc_k8s_is_label_value(const char *s, size_t n);
/* ConfigMap and Secret keys: [-._a-zA-Z0-9]+, at most 253, not "." or "..". */
bool tc_k8s_is_config_key(const char *s, size_t n);
/* An IPv4 (decimal, leading zeros allowed as Go's ParseIPSloppy does) or
 * IPv6 address into 16 bytes; *v6 tells which. */
bool tc_k8s_parse_ip(const char *s, size_t n, unsigned char out[16], bool *v6);
/* addr/prefix; out is the address as written, *bits the prefix length */
bool tc_k8s_parse_cidr(const char *s, size_t n, unsigned char out[16], bool *v6, int *bits);

typedef enum tc_k8s_scope {
	TC_K8S_SCOPE_UNKNOWN = 0,
	TC_K8S_NAMESPACED,
	TC_K8S_CLUSTER,
} tc_k8s_scope;

/* The scope of a built-in kind (group "" for the core API), or
 * TC_K8S_SCOPE_UNKNOWN for kinds the table does not know (custom
 * resources: their CRD says). */
tc_k8s_scope tc_k8s_builtin_scope(const char *group, size_t glen, const char *kind, size_t klen);

/* The versions Kubernetes 1.30-1.34 serves a built-in kind in, newest
 * first ("v2, v1"), or NULL for a kind the built-in table does not know. */
const char *tc_k8s_builtin_versions(const char *group, size_t glen, const char *kind, size_t klen);
/* The group of a built-in kind of that name ("" for the core API), or
 * NULL when no built-in kind has it. */
const char *tc_k8s_builtin_group_of(const char *kind, size_t klen);

/* A built-in kind of that group a letter case or two edits away from kind,
 * or NULL. */
const char *tc_k8s_builtin_near_kind(const char *group, size_t glen, const char *kind, size_t klen);

/* Split an apiVersion into group and version: "apps/v1" -> "apps", "v1";
 * "v1" -> "", "v1". Pointers point into s. */
void tc_k8s_split_api_version(const char *s, size_t n, const char **group, size_t *glen,
                              const char **version, size_t *vlen);

/* Check obj by the rules above. scope TC_K8S_SCOPE_UNKNOWN falls back to
 * the built-in table (and skips the namespace rules when that does not
 * know the kind either). Returns 0 or -1 when something was reported. */
int tc_k8s_check_object(const tc_value *obj, tc_k8s_scope scope, tc_diags *d, const tc_path *at,
                        tc_diag_class cls);
/* The same after a JSON Schema has checked obj (schema_checked): what the
 * schema reports itself (a value of the wrong type, a quantity's syntax)
 * is not reported twice. */
int tc_k8s_check_object_typed(const tc_value *obj, tc_k8s_scope scope, bool schema_checked,
                              tc_diags *d, const tc_path *at, tc_diag_class cls);

/* Kubernetes' limit on the data of one ConfigMap or Secret. */
#define TC_K8S_MAX_DATA (1024u * 1024u)
/* ...and on all annotations of one object together. */
#define TC_K8S_MAX_ANNOTATIONS (256u * 1024u)

/* Duplicate detection over many objects (one environment's output):
 * add every object, then report. Objects are identified by API group,
 * kind, namespace and name; versions do not matter. Copies what it needs,
 * so the objects may be freed after adding. */
typedef struct tc_k8s_dupe tc_k8s_dupe;
typedef struct tc_k8s_dupes {
	tc_k8s_dupe *items;
	size_t len, cap;
} tc_k8s_dupes;

void tc_k8s_dupes_init(tc_k8s_dupes *s);
void tc_k8s_dupes_release(tc_k8s_dupes *s);
/* Objects without kind or name are ignored (tc_k8s_check_object reports
 * them). With secret (or when the identity is flagged TC_VAL_SECRET) a
 * duplicate is reported without its kind, namespace and name. */
void tc_k8s_dupes_add(tc_k8s_dupes *s, const tc_value *obj, bool secret);
/* The same for an object a tenant made (tenant is not copied: it must
 * outlive the report). Two objects of different tenants are reported
 * naming both tenants. */
void tc_k8s_dupes_add_tenant(tc_k8s_dupes *s, const tc_value *obj, const char *tenant, bool secret);
/* The same with the SHA-256 of the object's content (sum, copied; NULL:
 * none), which tc_k8s_dupes_share compares. A quiet object is there to be
 * compared with: a duplicate of two quiet ones is not reported. */
void tc_k8s_dupes_add_sum(tc_k8s_dupes *s, const tc_value *obj, const char *tenant, bool secret,
                          const unsigned char *sum, bool quiet);
/* Objects that several tenants make byte for byte alike are shared, not
 * duplicates: a run of one identity whose members all have a sum, all the
 * same, were made by pairwise different tenants, and are no Secret and
 * hold no decrypted value. Each such run is marked (tc_k8s_dupes_report
 * leaves it out) and handed to fn with its identity and its tenants in
 * byte order, the runs in identity order. Returns the number of runs. */
typedef void (*tc_k8s_share_fn)(void *ctx, const char *group, const char *kind, const char *ns,
                                const char *name, const char *const *tenants, size_t n);
size_t tc_k8s_dupes_share(tc_k8s_dupes *s, tc_k8s_share_fn fn, void *ctx);
/* Report every object that repeats an earlier one, at its position and
 * naming the first one's; "earlier" is by file, line and column, so the
 * result does not depend on the order objects were added in. Returns the
 * number of duplicates found. */
size_t tc_k8s_dupes_report(tc_k8s_dupes *s, tc_diags *d, tc_diag_class cls);

#endif
