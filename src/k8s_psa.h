/*
 * k8s_psa.h - the Pod Security Standards over one cluster's objects, as the
 * kube-apiserver's Pod Security Admission applies them
 * (k8s.io/pod-security-admission, policy/check_*.go).
 *
 * Use: add every object of one environment, then report once. A Pod or a
 * workload's pod template is judged when it is added, and only its
 * violations are kept (the check, the lowest level that forbids it, the
 * versions of the standard that forbid it, the position and path of the
 * value at fault); a Namespace keeps its enforce and warn labels. So the
 * objects may be freed after adding. Not thread-safe: a caller that adds
 * from several threads holds a lock.
 */
#ifndef TC_K8S_PSA_H
#define TC_K8S_PSA_H

#include <stddef.h>

#include "diag.h"
#include "value.h"

typedef struct tc_k8s_psa tc_k8s_psa;

/* An empty set; free with tc_k8s_psa_free. */
tc_k8s_psa *tc_k8s_psa_new(void);
void tc_k8s_psa_free(tc_k8s_psa *s);

/* What obj contributes: a Namespace's labels, the violations of a Pod or
 * of the pod template of a Deployment, ReplicaSet, StatefulSet, DaemonSet,
 * Job, CronJob or ReplicationController. Other objects are ignored. */
void tc_k8s_psa_add(tc_k8s_psa *s, const tc_value *obj);

/* Every violation in a namespace of the set: an error of class cls when
 * the namespace's enforce level forbids it (for a Pod and for a workload's
 * template alike), else a warning when its warn level does. Namespaces
 * not in the set are not judged. Returns the number of errors. */
size_t tc_k8s_psa_report(tc_k8s_psa *s, tc_diags *d, tc_diag_class cls);

#endif
