# tests/interop/pins.sh - the pinned versions of the interop peers (sourced).

# apiserver pins
# Kubernetes release whose kube-apiserver and kubectl are built from the
# k8s.io/kubernetes module; its staging modules (k8s.io/api, ...) are the
# matching v0.MINOR.PATCH releases.
KUBERNETES_VERSION=v1.34.4
# etcd server module (go.etcd.io/etcd/server/v3)
ETCD_VERSION=v3.6.16
