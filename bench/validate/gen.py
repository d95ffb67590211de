"""gen.py N OUTDIR - reference-workload-like output objects for N tenants.

Per tenant and environment (prod with Flux, test with ArgoCD): the
Namespace, four NetworkPolicies, a ResourceQuota, a LimitRange, a
RoleBinding, a ConfigMap, a Deployment, the KeycloakRealmImport and the
GitOps objects (Flux Kustomization, or ArgoCD AppProject + Application).
One YAML stream per tenant and environment, deterministic output.
"""
import json
import os
import sys


def objects(t, env, gitops):
    ns = f"{t}-{env}"
    labels = {"tenantc.io/tenant": t, "tenantc.io/environment": env,
              "tenantc.io/image-policy": "production" if env == "prod" else "developer"}
    out = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "default-deny", "namespace": ns},
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "allow-dns", "namespace": ns},
         "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                  "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                      "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                              "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "frontend-to-api", "namespace": ns},
         "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}},
                                        {"podSelector": {"matchLabels": {"app": "producer"}}}],
                               "ports": [{"protocol": "TCP", "port": 8080}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "api-egress", "namespace": ns},
         "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
                  "egress": [{"to": [{"ipBlock": {"cidr": "10.10.0.0/24"}}],
                              "ports": [{"protocol": "TCP", "port": 5432}]},
                             {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keycloak"}}}],
                              "ports": [{"protocol": "TCP", "port": 8443}]}]}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "quota", "namespace": ns},
         "spec": {"hard": {"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": 8, "pods": "50"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "defaults", "namespace": ns},
         "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                              "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "tenant-admins", "namespace": ns},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": f"{t}-admins"}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nginx-3f2a9c", "namespace": ns,
                                                               "labels": {"app": "frontend"}},
         "data": {"nginx.conf": "server {\n  listen 8080;\n  location / { root /usr/share/nginx/html; }\n}\n"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": ns, "labels": {"app": "api"}},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                  "template": {"metadata": {"labels": {"app": "api"}},
                               "spec": {"containers": [{"name": "api", "image": "ghcr.io/example/api:1.4.2",
                                                        "ports": [{"name": "http", "containerPort": 8080}],
                                                        "env": [{"name": "DB_HOST", "value": "10.10.0.5"},
                                                                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
                                                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                                      "limits": {"cpu": 1, "memory": "512Mi"}},
                                                        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}}}]}}}},
        {"apiVersion": "k8s.keycloak.org/v2alpha1", "kind": "KeycloakRealmImport",
         "metadata": {"name": ns, "namespace": "keycloak"},
         "spec": {"keycloakCRName": "keycloak",
                  "placeholders": {"API_SECRET": {"secret": {"name": f"{ns}-clients", "key": "api-service"}}},
                  "realm": {"realm": ns, "enabled": True, "displayName": t.upper(),
                            "roles": {"realm": [{"name": "reader"}, {"name": "writer"}]},
                            "clients": [{"clientId": "api-service", "publicClient": False, "secret": "${API_SECRET}",
                                         "serviceAccountsEnabled": True},
                                        {"clientId": "frontend", "publicClient": True,
                                         "redirectUris": [f"https://{t}.{env}.example.com/*"]}]}}},
    ]
    if gitops == "flux":
        out.append({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                    "metadata": {"name": ns, "namespace": "flux-system"},
                    "spec": {"interval": "10m", "path": f"./rendered/{env}/tenants/{t}", "prune": True,
                             "sourceRef": {"kind": "GitRepository", "name": "platform"},
                             "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}},
                             "dependsOn": [{"name": "platform"}],
                             "kubeConfig": {"secretRef": {"name": "kubeconfig"}}}})
    else:
        out.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
                    "metadata": {"name": t, "namespace": "argocd"},
                    "spec": {"sourceRepos": ["https://github.com/example/platform.git"],
                             "destinations": [{"server": "https://kubernetes.default.svc", "namespace": ns}]}})
        out.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "metadata": {"name": ns, "namespace": "argocd"},
                    "spec": {"project": t,
                             "source": {"repoURL": "https://github.com/example/platform.git",
                                        "path": f"rendered/{env}/tenants/{t}", "targetRevision": "main"},
                             "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
                             "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}}})
    return out


def main():
    n = int(sys.argv[1])
    outdir = sys.argv[2]
    total = 0
    for env, gitops in (("prod", "flux"), ("test", "argocd")):
        d = os.path.join(outdir, env)
        os.makedirs(d, exist_ok=True)
        for i in range(n):
            t = f"tenant{i:05d}"
            objs = objects(t, env, gitops)
            total += len(objs)
            with open(os.path.join(d, f"{t}.yaml"), "w") as f:
                # JSON is YAML: one flow document per object
                f.write("".join("---\n" + json.dumps(o, sort_keys=True) + "\n" for o in objs))
    print(total)


main()
