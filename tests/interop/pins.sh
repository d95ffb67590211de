# tests/interop/pins.sh - the versions of the real programs the interop suite
# runs against tenantc's output (sourced by the peer_*.sh scripts). A changed
# pin is a new cache folder, hence a rebuild; docs/integrations.md names the
# versions tested.

# getsops/sops v3, built with `go install` from the Go module proxy
SOPS_MODULE=github.com/getsops/sops/v3
SOPS_VERSION=v3.13.3
# kubeconform, built with `go install`
KUBECONFORM_MODULE=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.8.0
# sigs.k8s.io/kubectl-validate, built with `go install`
KUBECTL_VALIDATE_MODULE=sigs.k8s.io/kubectl-validate
KUBECTL_VALIDATE_VERSION=v0.0.4
# Keycloak server distribution (org.keycloak:keycloak-quarkus-dist, a zip on
# Maven Central, fetched with mvn), run in dev mode on loopback
KEYCLOAK_VERSION=26.4.7
# the JDK Keycloak runs on: the first of these that exists (Keycloak 26.4
# supports Java 17 and 21 and later)
KEYCLOAK_JAVA_HOMES="/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-amd64"
# the Maven plugin that fetches the Keycloak zip
MAVEN_DEPENDENCY_PLUGIN_VERSION=3.8.1

# apiserver pins
# Kubernetes release whose kube-apiserver and kubectl are built from the
# k8s.io/kubernetes module; its staging modules (k8s.io/api, ...) are the
# matching v0.MINOR.PATCH releases.
KUBERNETES_VERSION=v1.34.4
# etcd server module (go.etcd.io/etcd/server/v3)
ETCD_VERSION=v3.6.16

# the cel-spec conformance data as npm's @bufbuild/cel-spec carries it
# (cel-spec v0.25.1), fetched with `npm pack`
CEL_SPEC_NPM=@bufbuild/cel-spec
CEL_SPEC_VERSION=0.6.1
# the reference CEL evaluator run beside tenantc over the same cases: npm's
# @bufbuild/cel (its own dependencies are exact versions) and the protobuf
# runtime it takes as a peer (^2.6.2; pinned here)
CEL_JS_NPM=@bufbuild/cel
CEL_JS_VERSION=0.6.1
PROTOBUF_ES_NPM=@bufbuild/protobuf
PROTOBUF_ES_VERSION=2.6.2

# rhysd/actionlint, built with `go install`: checks .github/workflows/
ACTIONLINT_MODULE=github.com/rhysd/actionlint
ACTIONLINT_VERSION=v1.7.12
