/*
 * cel_k8s_impl.h - the functions of the Kubernetes CEL libraries, shared by
 * the files that implement them and the table in cel_k8s.c. Each returns
 * NULL when its overloads do not take the arguments.
 */
#ifndef TC_CEL_K8S_IMPL_H
#define TC_CEL_K8S_IMPL_H

#include "cel_k8s.h"

#define TC_CEL_K8S_FN(name) tc_cel_val *name(tc_cel_ctx *c, tc_cel_val **v, size_t n)

/* quantity (cel_k8s_quantity.c) */
TC_CEL_K8S_FN(tc_cel_k8s_quantity);
TC_CEL_K8S_FN(tc_cel_k8s_is_quantity);
TC_CEL_K8S_FN(tc_cel_k8s_q_sign);
TC_CEL_K8S_FN(tc_cel_k8s_q_is_greater);
TC_CEL_K8S_FN(tc_cel_k8s_q_is_less);
TC_CEL_K8S_FN(tc_cel_k8s_q_compare);
TC_CEL_K8S_FN(tc_cel_k8s_q_float);
TC_CEL_K8S_FN(tc_cel_k8s_q_as_int);
TC_CEL_K8S_FN(tc_cel_k8s_q_is_int);
TC_CEL_K8S_FN(tc_cel_k8s_q_add);
TC_CEL_K8S_FN(tc_cel_k8s_q_sub);

/* ip, cidr and url (cel_k8s_net.c) */
TC_CEL_K8S_FN(tc_cel_k8s_ip);
TC_CEL_K8S_FN(tc_cel_k8s_is_ip);
TC_CEL_K8S_FN(tc_cel_k8s_ip_is_canonical);
TC_CEL_K8S_FN(tc_cel_k8s_family);
TC_CEL_K8S_FN(tc_cel_k8s_is_unspecified);
TC_CEL_K8S_FN(tc_cel_k8s_is_loopback);
TC_CEL_K8S_FN(tc_cel_k8s_is_ll_multicast);
TC_CEL_K8S_FN(tc_cel_k8s_is_ll_unicast);
TC_CEL_K8S_FN(tc_cel_k8s_is_global_unicast);
TC_CEL_K8S_FN(tc_cel_k8s_cidr);
TC_CEL_K8S_FN(tc_cel_k8s_is_cidr);
TC_CEL_K8S_FN(tc_cel_k8s_contains_ip);
TC_CEL_K8S_FN(tc_cel_k8s_contains_cidr);
TC_CEL_K8S_FN(tc_cel_k8s_prefix_length);
TC_CEL_K8S_FN(tc_cel_k8s_masked);
TC_CEL_K8S_FN(tc_cel_k8s_net_string);
TC_CEL_K8S_FN(tc_cel_k8s_url);
TC_CEL_K8S_FN(tc_cel_k8s_is_url);
TC_CEL_K8S_FN(tc_cel_k8s_get_scheme);
TC_CEL_K8S_FN(tc_cel_k8s_get_host);
TC_CEL_K8S_FN(tc_cel_k8s_get_hostname);
TC_CEL_K8S_FN(tc_cel_k8s_get_port);
TC_CEL_K8S_FN(tc_cel_k8s_get_escaped_path);
TC_CEL_K8S_FN(tc_cel_k8s_get_query);

/* url.ParseRequestURI's verdict on s: NULL when it parses, else why not */
const char *tc_cel_k8s_request_uri_error(const char *s, size_t n);

#endif
