#!/usr/bin/python3
"""Checks of a rendered tree that no schema can express, used by
tests/integration/platform_*.sh. Independent of tenantc's own code: it reads
the YAML files of the tree with PyYAML.

  platform_check.py netpol TREE   no NetworkPolicy admits another tenant
  platform_check.py realm TREE    no realm reconcile input holds a client secret
  platform_check.py refs TREE     every GitOps reference names an object of the tree,
                                  and every Secret a realm or an ExternalSecret needs exists
  platform_check.py hashes TREE   ConfigMaps' content-hash annotations match their data
  platform_check.py keycloak TREE REPO
                                  every workload holding a client secret reaches Keycloak
                                  (in the cluster and at the issuer URL), nothing else does
  platform_check.py schemas TREE UPSTREAM [EXTRA...]
                                  every object against UPSTREAM's kubeconform-layout
                                  schemas (then EXTRA's), with python3-jsonschema

Each prints one line per problem ("path: message") and "N checked" at the
end, and exits 1 when it found a problem, 2 when it could not run.
"""
import fnmatch
import ipaddress
import json
import os
import sys

import yaml

TENANT_LABEL = "tenantc.io/tenant"
ENV_LABEL = "tenantc.io/environment"
NAME_LABEL = "kubernetes.io/metadata.name"


def load_tree(root):
    """{env: [(path, object)]} for every manifest below root/<env>/."""
    envs = {}
    for env in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, env)):
            continue
        objs = []
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, env)):
            dirnames.sort()
            for f in sorted(filenames):
                if not f.endswith(".yaml") or f == "kustomization.yaml":
                    continue
                p = os.path.join(dirpath, f)
                with open(p, encoding="utf-8") as fh:
                    for doc in yaml.safe_load_all(fh):
                        if doc is not None:
                            objs.append((os.path.relpath(p, root), doc))
        envs[env] = objs
    return envs


def meta(o, key, default=None):
    return (o.get("metadata") or {}).get(key, default)


def group_of(o):
    api = o.get("apiVersion", "")
    return api.split("/")[0] if "/" in api else ""


def matches(selector, labels):
    """A Kubernetes LabelSelector against a label map (None selects nothing)."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


class Report:
    def __init__(self):
        self.problems = []
        self.checked = 0

    def bad(self, path, msg):
        self.problems.append(f"{path}: {msg}")

    def finish(self, what):
        for p in self.problems:
            print(p)
        print(f"{what}: {self.checked} checked, {len(self.problems)} problems")
        return 1 if self.problems else 0


def check_netpol(envs):
    """Tenant A must not be able to reach tenant B: with every tenant
    namespace denying by default (checked), traffic between two of them
    needs a rule that names the other namespace; no peer may select a
    tenant namespace other than the policy's own, and no ipBlock may admit
    ingress (it could hold pod addresses)."""
    r = Report()
    for env, objs in envs.items():
        namespaces = {}
        for p, o in objs:
            if o.get("kind") == "Namespace" and TENANT_LABEL in (meta(o, "labels") or {}):
                labels = dict(meta(o, "labels") or {})
                labels[NAME_LABEL] = meta(o, "name")  # set by the API server
                namespaces[meta(o, "name")] = labels
        deny = {ns: set() for ns in namespaces}
        for p, o in objs:
            if o.get("kind") != "NetworkPolicy":
                continue
            r.checked += 1
            own = meta(o, "namespace")
            if own not in namespaces:
                r.bad(p, f"NetworkPolicy in '{own}', which is not a rendered tenant namespace")
                continue
            spec = o.get("spec") or {}
            types = spec.get("policyTypes") or []
            if spec.get("podSelector") == {} and not spec.get("ingress") and not spec.get("egress"):
                deny[own].update(types)
            for direction, key in (("ingress", "from"), ("egress", "to")):
                for i, rule in enumerate(spec.get(direction) or []):
                    peers = rule.get(key)
                    if not peers:
                        r.bad(p, f"{direction}[{i}] has no '{key}': it admits every namespace")
                        continue
                    for j, peer in enumerate(peers):
                        where = f"{direction}[{i}].{key}[{j}]"
                        if "ipBlock" in peer:
                            if direction == "ingress":
                                r.bad(p, f"{where}: an ingress ipBlock may admit pods of any namespace")
                            elif ipaddress.ip_network(peer["ipBlock"]["cidr"], strict=False).prefixlen == 0:
                                r.bad(p, f"{where}: an ipBlock of every address reaches every pod")
                            continue
                        if "namespaceSelector" not in peer:
                            continue  # pods of the policy's own namespace
                        sel = peer["namespaceSelector"]
                        if sel == {}:
                            r.bad(p, f"{where}: an empty namespaceSelector selects every namespace")
                            continue
                        for ns, labels in sorted(namespaces.items()):
                            if ns != own and matches(sel, labels):
                                r.bad(p, f"{where}: selects the namespace '{ns}' of another tenant")
        for ns, types in sorted(deny.items()):
            r.checked += 1
            for t in ("Ingress", "Egress"):
                if t not in types:
                    r.bad(f"{env}/tenants", f"namespace '{ns}' has no default deny of {t}")
    return r.finish("netpol")


def reconcile_jobs(objs):
    """(path, Job, its input ConfigMap or None) of every realm reconcile Job:
    a Job whose container runs /reconcile/reconcile.sh"""
    cms = {(meta(o, "namespace"), meta(o, "name")): o for _, o in objs if o.get("kind") == "ConfigMap"}
    out = []
    for p, o in objs:
        if o.get("kind") != "Job":
            continue
        pod = ((o.get("spec") or {}).get("template") or {}).get("spec") or {}
        cs = pod.get("containers") or []
        if not cs or (cs[0].get("command") or [])[1:2] != ["/reconcile/reconcile.sh"]:
            continue
        vols = {v.get("name"): v for v in pod.get("volumes") or []}
        cm = cms.get((meta(o, "namespace"), ((vols.get("input") or {}).get("configMap") or {}).get("name")))
        out.append((p, o, cm))
    return out


def check_realm(envs):
    """No realm input holds a client secret or a credential: the clients of
    a reconcile Job's ConfigMap have no 'secret', no value has '${' (which
    Keycloak would resolve), and the administrator's password and the
    client secrets reach the Job only from Secrets (secretKeyRef, a Secret
    volume), never as a value."""
    r = Report()
    for env, objs in envs.items():
        for p, job, cm in reconcile_jobs(objs):
            r.checked += 1
            if cm is None:
                r.bad(p, "the Job's input ConfigMap is not in the tree")
                continue
            data = cm.get("data") or {}
            for key, text in sorted(data.items()):
                if not text.startswith("{"):
                    continue
                doc = json.loads(text)
                clients = doc.get("clients") if isinstance(doc.get("clients"), list) else \
                    ([doc] if "clientId" in doc else [])
                for c in clients:
                    if "secret" in c:
                        r.bad(p, f"client '{c.get('clientId')}' has an inline secret ({key})")
                for word in ('"users"', '"credentials"', '"password"', '"clientSecret"', '"smtpServer"',
                             '"identityProviders"', '"components"'):
                    if word in text:
                        r.bad(p, f"{key} contains {word}, which may hold credentials")
                if "${" in text:
                    r.bad(p, f"{key} contains '${{', which Keycloak would resolve")
            pod = job["spec"]["template"]["spec"]
            for c in pod.get("containers") or []:
                for e in c.get("env") or []:
                    if e.get("name") in ("KC_CLI_PASSWORD", "KC_ADMIN_USER") and "value" in e:
                        r.bad(p, f"{e['name']} is a value, not a secretKeyRef")
    return r.finish("realm")


def check_refs(envs, root):
    """Flux: sourceRef, dependsOn and path name objects and folders of the
    same environment's tree; ArgoCD: project, path and destinations."""
    r = Report()
    for env, objs in envs.items():
        have = {}
        for p, o in objs:
            have[(group_of(o), o.get("kind"), meta(o, "namespace"), meta(o, "name"))] = p
        # the platform repository (its GitRepository and AppProject
        # "platform.<env>"): paths from it are folders of the tree; a
        # tenant's own applications come from repositories of their own
        platform = set()
        for p, o in objs:
            if (meta(o, "name") or "").startswith("platform."):
                spec = o.get("spec") or {}
                if o.get("kind") == "GitRepository":
                    platform.add(spec.get("url"))
                elif o.get("kind") == "AppProject":
                    platform.update(spec.get("sourceRepos") or [])
        byloc = dict(objs)
        for p, o in objs:
            g, kind, ns = group_of(o), o.get("kind"), meta(o, "namespace")
            spec = o.get("spec") or {}
            if g == "kustomize.toolkit.fluxcd.io" and kind == "Kustomization":
                r.checked += 1
                src = spec.get("sourceRef") or {}
                sg = {"GitRepository": "source.toolkit.fluxcd.io", "OCIRepository": "source.toolkit.fluxcd.io",
                      "Bucket": "source.toolkit.fluxcd.io"}.get(src.get("kind"), "?")
                skey = (sg, src.get("kind"), src.get("namespace", ns), src.get("name"))
                if skey not in have:
                    r.bad(p, f"sourceRef {src.get('kind')} '{src.get('name')}' is not in {env}/")
                for d in spec.get("dependsOn") or []:
                    if (g, "Kustomization", d.get("namespace", ns), d.get("name")) not in have:
                        r.bad(p, f"dependsOn '{d.get('name')}' is not a Kustomization in {env}/")
                path = (spec.get("path") or "").lstrip("./")
                surl = ((byloc[have[skey]].get("spec") or {}).get("url") if skey in have else None)
                if surl in platform:
                    check_path(r, p, root, env, path)
                elif ".." in path.split("/"):
                    r.bad(p, f"path '{path}' leaves its repository")
            elif g == "argoproj.io" and kind == "Application":
                r.checked += 1
                proj = spec.get("project")
                key = ("argoproj.io", "AppProject", ns, proj)
                if key not in have:
                    r.bad(p, f"project '{proj}' is not an AppProject in {env}/")
                src = spec.get("source") or {}
                if src.get("repoURL") in platform:
                    check_path(r, p, root, env, src.get("path") or "")
                elif ".." in (src.get("path") or "").split("/"):
                    r.bad(p, f"path '{src.get('path')}' leaves its repository")
                if key in have:
                    pspec = dict(objs)[have[key]].get("spec") or {}
                    dest = spec.get("destination") or {}
                    if not any(dest_allowed(dest, d) for d in pspec.get("destinations") or []):
                        r.bad(p, f"destination {dest} is not allowed by project '{proj}'")
                    if src.get("repoURL") not in (pspec.get("sourceRepos") or []):
                        r.bad(p, f"repoURL '{src.get('repoURL')}' is not allowed by project '{proj}'")
        check_secret_chain(r, env, objs, have)
    return r.finish("refs")


def check_secret_chain(r, env, objs, have):
    """The Secret a realm reconcile Job mounts is made in its namespace (a Secret, or an ExternalSecret's target); an ExternalSecret's
    ClusterSecretStore exists, admits its namespace, and the Secret it reads
    exists in the store's remote namespace."""
    by_key = {k: dict(objs)[p] for k, p in have.items()}
    targets = set()
    for p, o in objs:
        if group_of(o) == "external-secrets.io" and o.get("kind") == "ExternalSecret":
            spec = o.get("spec") or {}
            ns = meta(o, "namespace")
            targets.add((ns, (spec.get("target") or {}).get("name") or meta(o, "name")))
            r.checked += 1
            ref = spec.get("secretStoreRef") or {}
            store = by_key.get(("external-secrets.io", ref.get("kind"), None, ref.get("name")))
            if ref.get("kind") != "ClusterSecretStore" or store is None:
                r.bad(p, f"secretStoreRef {ref.get('kind')} '{ref.get('name')}' is not in {env}/")
                continue
            sspec = store.get("spec") or {}
            conds = sspec.get("conditions")
            if conds and not any(ns in (c.get("namespaces") or []) for c in conds):
                r.bad(p, f"ClusterSecretStore '{ref.get('name')}' does not admit namespace '{ns}'")
            remote = ((sspec.get("provider") or {}).get("kubernetes") or {}).get("remoteNamespace")
            keys = [d.get("remoteRef", {}).get("key") for d in spec.get("data") or []]
            keys += [(d.get("extract") or {}).get("key") for d in spec.get("dataFrom") or []]
            for k in sorted(set(x for x in keys if x)):
                if ("", "Secret", remote, k) not in have:
                    r.bad(p, f"reads Secret '{remote}/{k}', which is not in {env}/")
        elif o.get("kind") == "Secret" and group_of(o) == "":
            targets.add((meta(o, "namespace"), meta(o, "name")))
    for p, job, _ in reconcile_jobs(objs):
        for v in job["spec"]["template"]["spec"].get("volumes") or []:
            name = (v.get("secret") or {}).get("secretName")
            if not name:
                continue
            r.checked += 1
            if (meta(job, "namespace"), name) not in targets:
                r.bad(p, f"mounts Secret '{name}', which nothing in {env}/ makes "
                         f"in namespace '{meta(job, 'namespace')}'")


def egress_allows(pols, labels, dest_ns, ip, port):
    """whether the NetworkPolicies pols (of the pod's namespace) let a pod
    with labels reach namespace dest_ns (ip None) or address ip, on TCP
    port; a pod no Egress policy selects is not isolated (True)"""
    selected = [pl for pl in pols if matches((pl.get("spec") or {}).get("podSelector") or {}, labels)
                and "Egress" in ((pl.get("spec") or {}).get("policyTypes") or [])]
    if not selected:
        return True
    for pl in selected:
        for rule in pl["spec"].get("egress") or []:
            ports = rule.get("ports")
            if ports and not any(pp.get("port") in (port, None) and pp.get("protocol", "TCP") == "TCP"
                                 for pp in ports):
                continue
            peers = rule.get("to")
            if not peers:
                return True
            for peer in peers:
                if ip is None and "namespaceSelector" in peer:
                    if matches(peer["namespaceSelector"], {NAME_LABEL: dest_ns}):
                        return True
                if ip is not None and "ipBlock" in peer:
                    b = peer["ipBlock"]
                    if ipaddress.ip_address(ip) in ipaddress.ip_network(b["cidr"]) and not any(
                            ipaddress.ip_address(ip) in ipaddress.ip_network(x) for x in b.get("except") or []):
                        return True
    return False


def check_keycloak(envs, repo):
    """Every workload that holds a client secret (a confidential or
    service-account client of the realm, pods app.kubernetes.io/name:
    <clientId>) reaches Keycloak in the cluster (values.keycloak.namespace
    on each of .ports) and at its issuer URL (.url, at .issuerCidrs); the
    API does too, and no other workload does (not frontend, not a public
    client's pods), nor on another port."""
    r = Report()
    for env, objs in envs.items():
        with open(os.path.join(repo, "environments", env + ".yaml")) as f:
            kc = ((yaml.safe_load(f).get("values") or {}).get("keycloak") or {})
        kns, kports = kc.get("namespace", "keycloak"), kc.get("ports", [8443])
        url = kc.get("url", "")
        hostport = url.split("/")[2] if url.count("/") >= 2 else ""
        iport = int(hostport.split(":")[1]) if ":" in hostport else 443
        ips = [str(ipaddress.ip_network(c)[0]) for c in kc.get("issuerCidrs") or []]
        holders = {}
        for p, job, cm in reconcile_jobs(objs):
            t = (meta(job, "labels") or {}).get(TENANT_LABEL)
            if t and cm:
                holders[t] = sorted(line.split()[0] for line in (cm.get("data") or {}).get("clients", "").splitlines()
                                    if len(line.split()) == 2 and line.split()[1] != "public")
        pols = {}
        for p, o in objs:
            if o.get("kind") == "NetworkPolicy":
                pols.setdefault(meta(o, "namespace"), []).append(o)
        for t, cids in sorted(holders.items()):
            ns = f"{t}-{env}"
            allowed = set(cids) | {"api-service"}
            for name in sorted(allowed | {"frontend", "producer", "some-other-workload"}):
                labels = {"app.kubernetes.io/name": name}
                for port in sorted(set(kports) | {iport, 22}):
                    r.checked += 1
                    want = name in allowed and port in kports
                    got = egress_allows(pols.get(ns, []), labels, kns, None, port)
                    if got != want:
                        r.bad(f"{env}/tenants/{t}", f"pods '{name}' {'cannot' if want else 'can'} reach "
                                                   f"Keycloak's namespace '{kns}' on port {port}")
                    for ip in ips:
                        r.checked += 1
                        want = name in allowed and port == iport
                        got = egress_allows(pols.get(ns, []), labels, None, ip, port)
                        if got != want:
                            r.bad(f"{env}/tenants/{t}", f"pods '{name}' {'cannot' if want else 'can'} reach "
                                                       f"the issuer {url} at {ip} on port {port}")
    return r.finish("keycloak")


def check_hashes(envs):
    """tenantc.io/content-hash is the SHA-256 of the ConfigMap's data as
    compact JSON with sorted keys."""
    import hashlib
    r = Report()
    for env, objs in envs.items():
        for p, o in objs:
            if o.get("kind") != "ConfigMap":
                continue
            r.checked += 1
            want = hashlib.sha256(json.dumps(o.get("data") or {}, sort_keys=True, separators=(",", ":"),
                                             ensure_ascii=False).encode()).hexdigest()
            got = (meta(o, "annotations") or {}).get("tenantc.io/content-hash")
            if got != want:
                r.bad(p, f"content-hash {got} is not the data's {want}")
    return r.finish("hashes")


def dest_allowed(dest, allowed):
    """ArgoCD's rule: the cluster (by server URL or by name) and the
    namespace match the project's destination, which may hold globs."""
    for key in ("server", "name"):
        if key in allowed and not fnmatch.fnmatchcase(dest.get(key, ""), allowed[key]):
            return False
        if key in dest and key not in allowed:
            return False
    return fnmatch.fnmatchcase(dest.get("namespace", ""), allowed.get("namespace", ""))


def check_path(r, p, root, env, path):
    """path is relative to the repository: <output>/<env>/...; the tree
    given is the output folder, whose name (one or more components) the
    path starts with."""
    parts = [x for x in path.split("/") if x not in ("", ".")]
    for i in range(1, len(parts)):
        if parts[i] == env and os.path.isfile(os.path.join(root, *parts[i:], "kustomization.yaml")):
            return
    r.bad(p, f"path '{path}' is not a folder of this environment's output with a kustomization.yaml")


def schema_file(upstream, o):
    api = o.get("apiVersion", "")
    kind = (o.get("kind") or "").lower()
    group, _, version = api.rpartition("/")
    if not group:
        kube = [d for d in sorted(os.listdir(os.path.join(upstream, "kubernetes"))) if d.startswith("v")]
        return os.path.join(upstream, "kubernetes", kube[-1], f"{kind}-{version}.json")
    f = os.path.join(upstream, "crd-json", group, f"{kind}_{version}.json")
    if os.path.exists(f):
        return f
    kube = [d for d in sorted(os.listdir(os.path.join(upstream, "kubernetes"))) if d.startswith("v")]
    return os.path.join(upstream, "kubernetes", kube[-1], f"{kind}-{group.split('.')[0]}-{version}.json")


def check_schemas(envs, upstream, extras=()):
    import jsonschema
    r = Report()
    cache = {}
    for env, objs in envs.items():
        for p, o in objs:
            r.checked += 1
            f = schema_file(upstream, o)
            for extra in extras:
                if not os.path.exists(f):
                    f = schema_file(extra, o)
            if not os.path.exists(f):
                r.bad(p, f"no schema for {o.get('apiVersion')} {o.get('kind')}")
                continue
            if f not in cache:
                with open(f, encoding="utf-8") as fh:
                    s = json.load(fh)
                cls = jsonschema.validators.validator_for(s, default=jsonschema.Draft7Validator)
                cache[f] = cls(s)
            if o.get("kind") == "Secret" and "sops" in o:
                # SOPS metadata is not part of the Secret Kubernetes sees:
                # Flux's kustomize-controller decrypts and drops it
                o = {k: v for k, v in o.items() if k != "sops"}
            for e in sorted(cache[f].iter_errors(o), key=lambda e: list(e.path)):
                r.bad(p, f"{'.'.join(str(x) for x in e.path)}: {e.message[:200]}")
    return r.finish("schemas")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("netpol", "realm", "refs", "hashes", "keycloak", "schemas"):
        print(__doc__, file=sys.stderr)
        return 2
    if not os.path.isdir(argv[2]):
        print(f"{argv[2]}: not a folder", file=sys.stderr)
        return 2
    envs = load_tree(argv[2])
    if not envs:
        print(f"{argv[2]}: no environment folders", file=sys.stderr)
        return 2
    if argv[1] == "netpol":
        return check_netpol(envs)
    if argv[1] == "realm":
        return check_realm(envs)
    if argv[1] == "refs":
        return check_refs(envs, argv[2])
    if argv[1] == "hashes":
        return check_hashes(envs)
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "keycloak":
        return check_keycloak(envs, argv[3])
    return check_schemas(envs, argv[3], argv[4:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
