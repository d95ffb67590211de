/*
 * cel_k8s.h - the Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library)
 * that CustomResourceDefinition rules and admission policies are written
 * against: lists, regex, url, ip and cidr, quantity and format.
 *
 * They are one more function table beside the standard library, with the
 * library types net.IP, net.CIDR, kubernetes.URL, kubernetes.Quantity and
 * kubernetes.NamedFormat as TC_CEL_OPAQUE values (docs/cel.md).
 */
#ifndef TC_CEL_K8S_H
#define TC_CEL_K8S_H

#include "cel_eval.h"

/* sorted by name (strcmp), as every function table */
extern const tc_cel_func tc_cel_k8slib[];
extern const size_t tc_cel_nk8slib;

/* An environment with the tables of tc_cel_env_init and the Kubernetes
 * libraries after them, and the given vars (sorted by tc_cel_vars_sort). */
void tc_cel_k8s_env_init(tc_cel_env *env, const tc_cel_var *vars, size_t nvars);

/* kubernetes.Quantity (cel_k8s_quantity.c): resource.ParseQuantity of s;
 * NULL when s is no quantity. */
tc_cel_val *tc_cel_quantity_parse(tc_arena *a, const char *s, size_t n);

#endif
