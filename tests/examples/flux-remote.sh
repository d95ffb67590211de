# tests/examples/flux-remote.sh - the cases of examples/flux-remote/, sourced
# by tests/integration/example.sh with $R the committed copy and $T/out its
# render: Flux in an infra cluster applying to remote workers (staging on
# stage01, prod on worker01 and worker02), each environment's age key, and
# External Secrets stores confined to the tenant's namespace. What the
# source platform got wrong must not come back: one age key for every
# environment, a ClusterSecretStore reading another namespace for anyone,
# selectors with wildcards.

# Which cluster each folder goes to, judged by the tree's own Flux
# Kustomizations (kubeConfig), as tests/integration/platform_targets.py
# reads them (docs/output-tree.md, "Where each part goes").
if command -v kubectl >/dev/null 2>&1; then
	run python3 "$SRC/tests/integration/platform_targets.py" "$T/out" rendered
	expect "each kustomization folder holds objects for one cluster only" \
		'expect_status 0 && expect_stdout "^[1-9][0-9]* kustomizations checked$"'
	[ "$status" -eq 0 ] || sed 's/^/  /' "$T/stdout" | head -n 20
	# a kustomization.yaml joining prod's tenants (as a tree of tenantc 0.1
	# had): acme's objects go to worker01, globex's to worker02
	cp -R "$T/out" "$T/moved"
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- acme\n- globex\n' \
		>"$T/moved/prod/tenants/kustomization.yaml"
	run python3 "$SRC/tests/integration/platform_targets.py" "$T/moved" rendered
	expect "... and a folder joining tenants of two workers is found" \
		'expect_status 1 && expect_stdout "^prod/tenants/kustomization.yaml: joins objects for 2 clusters: kubeConfig kubeconfig-worker01 .*; kubeConfig kubeconfig-worker02 "'
	rm -rf "$T/moved"
else
	echo "skip the cluster-per-folder cases: kubectl not found"
fi
expect "no kustomization joins an environment's folders or its tenants" \
	'expect_file_absent "$T/out/prod/kustomization.yaml" && expect_file_absent "$T/out/staging/kustomization.yaml" &&
	 expect_file_absent "$T/out/prod/tenants/kustomization.yaml" && expect_file_absent "$T/out/staging/tenants/kustomization.yaml"'

# The facts of the tree, read with PyYAML (independent of tenantc's code):
# one line per Flux Kustomization "name path kubeconfig deps...", and the
# checks of the stores below.
cat >"$T/fr.py" <<'PY'
import os, sys, yaml
what, tree = sys.argv[1], sys.argv[2]
objs = {}
for env in sorted(os.listdir(tree)):
    if not os.path.isdir(os.path.join(tree, env)):
        continue
    for dp, dn, fn in os.walk(os.path.join(tree, env)):
        for f in fn:
            if f != "kustomization.yaml":
                for d in yaml.safe_load_all(open(os.path.join(dp, f))):
                    if d:
                        objs.setdefault(env, []).append((os.path.relpath(dp, tree), d))
bad = 0
if what == "flux":
    for env, lst in sorted(objs.items()):
        for _, o in lst:
            if o["kind"] != "Kustomization" or o["apiVersion"].split("/")[0] != "kustomize.toolkit.fluxcd.io":
                continue
            s = o["spec"]
            kc = ((s.get("kubeConfig") or {}).get("secretRef") or {}).get("name", "-")
            deps = ",".join(d["name"] for d in s.get("dependsOn", [])) or "-"
            print(o["metadata"]["name"], s["path"], kc, "wait" if s.get("wait") else "nowait",
                  s.get("decryption", {}).get("secretRef", {}).get("name", "-"), deps)
elif what == "stores":
    n = 0
    for env, lst in sorted(objs.items()):
        stores = {o["metadata"]["name"]: (d, o) for d, o in lst if o["kind"] in ("ClusterSecretStore", "SecretStore")}
        for d, o in lst:
            if o["kind"] != "ExternalSecret":
                continue
            n += 1
            ns, name = o["metadata"]["namespace"], o["metadata"]["name"]
            ref = o["spec"]["secretStoreRef"]
            sd, st = stores.get(ref["name"], (None, None))
            if st is None:
                print("%s/%s: store %s is not rendered" % (ns, name, ref["name"])); bad += 1; continue
            k = st["spec"]["provider"].get("kubernetes")
            conds = [c for c in st["spec"].get("conditions", [])]
            served = sorted(x for c in conds for x in c.get("namespaces", []))
            if ref.get("kind") == "ClusterSecretStore" and served != [ns]:
                print("%s/%s: store %s serves %s, not only %s" % (ns, name, ref["name"], served or "every namespace", ns)); bad += 1
            if any("namespaceSelector" in c or "namespaceRegexes" in c for c in conds):
                print("%s/%s: store %s serves namespaces by a selector" % (ns, name, ref["name"])); bad += 1
            if k is None or k.get("remoteNamespace") != ns or k["auth"]["serviceAccount"].get("namespace") != ns:
                print("%s/%s: store %s reads another namespace than %s" % (ns, name, ref["name"], ns)); bad += 1
            if sd != d:
                print("%s/%s: store %s is in %s, not in the tenant's folder %s" % (ns, name, ref["name"], sd, d)); bad += 1
    print("%d ExternalSecrets checked" % n)
elif what == "selectors":
    # no label selector with a wildcard (kubernetes label syntax has none:
    # a '*' matches only itself, or nothing)
    def walk(x, path):
        global bad
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("labelSelector", "matchLabels", "matchExpressions", "selector") and "*" in yaml.safe_dump(v):
                    print("%s: %s has a wildcard: %s" % (path, k, v)); bad += 1
                walk(v, path + "." + str(k))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, "%s[%d]" % (path, i))
    n = 0
    for env, lst in sorted(objs.items()):
        for d, o in lst:
            n += 1
            walk(o, "%s/%s/%s" % (d, o["kind"], o["metadata"]["name"]))
    print("%d objects checked" % n)
sys.exit(1 if bad else 0)
PY

run python3 "$T/fr.py" flux "$T/out"
cp "$T/stdout" "$T/flux.txt"
# name path kubeconfig wait decryption dependsOn
k() { grep "^$1 " "$T/flux.txt" || echo "$1 missing"; }
expect "prod's tenants land on their own workers' Kustomizations" \
	'[ "$(k acme-prod | cut -d" " -f2,3)" = "./rendered/prod/tenants/acme kubeconfig-worker01" ] &&
	 [ "$(k platform.prod.tenant.acme | cut -d" " -f2,3)" = "./rendered/prod/tenants/acme kubeconfig-worker01" ] &&
	 [ "$(k globex-prod | cut -d" " -f2,3)" = "./rendered/prod/tenants/globex kubeconfig-worker02" ] &&
	 [ "$(k platform.prod.tenant.globex | cut -d" " -f2,3)" = "./rendered/prod/tenants/globex kubeconfig-worker02" ]'
expect "staging's tenants land on stage01" \
	'[ "$(k acme-staging | cut -d" " -f2,3)" = "./rendered/staging/tenants/acme kubeconfig-stage01" ] &&
	 [ "$(k globex-staging | cut -d" " -f2,3)" = "./rendered/staging/tenants/globex kubeconfig-stage01" ]'
expect "cluster/ goes to each worker of its environment, platform/ and gitops/ stay on the infra cluster" \
	'[ "$(k platform.prod.cluster.worker01 | cut -d" " -f2,3)" = "./rendered/prod/cluster kubeconfig-worker01" ] &&
	 [ "$(k platform.prod.cluster.worker02 | cut -d" " -f2,3)" = "./rendered/prod/cluster kubeconfig-worker02" ] &&
	 [ "$(k platform.staging.cluster | cut -d" " -f2,3)" = "./rendered/staging/cluster kubeconfig-stage01" ] &&
	 [ "$(k platform.prod | cut -d" " -f3)" = "-" ] && [ "$(k platform.prod.gitops | cut -d" " -f3)" = "-" ] &&
	 [ "$(k platform.staging.gitops | cut -d" " -f3)" = "-" ]'
expect "dependsOn orders the stages: the worker's cluster/ (healthy), the tenant's platform part, the tenant's own" \
	'[ "$(k platform.prod.cluster.worker02 | cut -d" " -f4)" = wait ] &&
	 [ "$(k platform.staging.cluster | cut -d" " -f4)" = wait ] &&
	 [ "$(k platform.prod.tenant.globex | cut -d" " -f6)" = platform.prod.cluster.worker02 ] &&
	 [ "$(k globex-prod | cut -d" " -f6)" = platform.prod.cluster.worker02,platform.prod.tenant.globex ] &&
	 [ "$(k acme-prod | cut -d" " -f6)" = platform.prod.cluster.worker01,platform.prod.tenant.acme ] &&
	 [ "$(k acme-staging | cut -d" " -f6)" = platform.staging.cluster,platform.staging.tenant.acme ]'
expect "each environment's tenants decrypt with that environment's own identity" \
	'[ "$(k acme-prod | cut -d" " -f5)" = sops-age-prod ] && [ "$(k globex-prod | cut -d" " -f5)" = sops-age-prod ] &&
	 [ "$(k acme-staging | cut -d" " -f5)" = sops-age-staging ] && [ "$(k globex-staging | cut -d" " -f5)" = sops-age-staging ]'
expect "both prod workers get prod's Linkerd trust anchor, staging its own" \
	'grep -q "BEGIN CERTIFICATE" "$T/out/prod/cluster/configmap-linkerd-identity-trust-roots.yaml" &&
	 ! cmp -s "$T/out/prod/cluster/configmap-linkerd-identity-trust-roots.yaml" "$T/out/staging/cluster/configmap-linkerd-identity-trust-roots.yaml"'

# Each environment's key opens only its own Secrets, the inputs and the
# rendered ones; the repository's key (CI, administrators) opens all. The
# plaintext goes nowhere but /dev/null.
opens() { # KEY FILE: the identity KEY decrypts FILE
	SOPS_AGE_KEY_FILE="$SRC/keys/$1.agekey" "$TENANTC" secret decrypt "$2" >/dev/null 2>&1
}
keys_ok=0 keys_n=0
for t in acme globex; do
	for f in "$R/tenants/$t/secrets/prod/extauthz-signing-keys.yaml" "$T/out/prod/tenants/$t/secret-extauthz-signing-keys.yaml"; do
		keys_n=$((keys_n + 1))
		opens prod "$f" && ! opens test "$f" && opens admin "$f" && keys_ok=$((keys_ok + 1))
	done
	for f in "$R/tenants/$t/secrets/staging/extauthz-signing-keys.yaml" "$T/out/staging/tenants/$t/secret-extauthz-signing-keys.yaml"; do
		keys_n=$((keys_n + 1))
		opens test "$f" && ! opens prod "$f" && opens admin "$f" && keys_ok=$((keys_ok + 1))
	done
done
expect "prod's key opens only prod's Secrets, staging's (keys/test.agekey) only staging's (inputs and rendered/)" \
	'[ "$keys_n" -eq 8 ] && [ "$keys_ok" -eq 8 ]'
expect "every input Secret is per environment" \
	'[ -z "$(find "$R/tenants" -path "*/secrets/*.yaml" ! -path "*/secrets/prod/*" ! -path "*/secrets/staging/*")" ]'

# staging's Secret copied into prod's folder: prod's key cannot open it,
# staging's can; the render refuses it and names the key
cp -R "$R" "$T/leak"
rm -rf "$T/leak/.git" "$T/leak/rendered"
cp "$R/tenants/acme/secrets/staging/extauthz-signing-keys.yaml" "$T/leak/tenants/acme/secrets/prod/"
run "$TENANTC" render -C "$T/leak" --out "$T/leak-out"
expect "... and a staging Secret in prod's folder is refused, naming the key" \
	'expect_status 2 && expect_stderr "tenants/acme/secrets/prod/extauthz-signing-keys.yaml" && expect_file_absent "$T/leak-out"'
rm -rf "$T/leak" "$T/leak-out"

# staging's key alone renders nothing of prod: no earlier output to carry
# over (a plain folder, no cache), and it opens none of prod's inputs
cp -R "$R" "$T/nokey"
rm -rf "$T/nokey/.git" "$T/nokey/rendered"
run env SOPS_AGE_KEY_FILE="$SRC/keys/test.agekey" TENANTC_CACHE_DIR="$T/nokey-cache" \
	"$TENANTC" render -C "$T/nokey" --env prod --out "$T/nokey-out"
expect "staging's key cannot render prod's Secrets" \
	'expect_status 2 && expect_stderr_line "^tenants/(acme|globex)/secrets/prod/extauthz-signing-keys.yaml:1:1: error: .*none can decrypt it" &&
	 expect_file_absent "$T/nokey-out"'
rm -rf "$T/nokey" "$T/nokey-out" "$T/nokey-cache"

run python3 "$T/fr.py" stores "$T/out"
expect "ExternalSecrets reference stores that read and serve only their own namespace" \
	'expect_status 0 && expect_stdout "^4 ExternalSecrets checked$"'
[ "$status" -eq 0 ] || sed 's/^/  /' "$T/stdout"
# the source platform's store: any namespace, reading linkerd
cp -R "$T/out" "$T/wide"
sed -i -e 's/^    kubernetes:$/&/' -e 's/remoteNamespace: globex-prod/remoteNamespace: linkerd/' \
	"$T/wide/prod/tenants/globex/clustersecretstore-globex-prod.yaml"
sed -i '/^  conditions:$/,/^  provider:$/{/^  provider:$/!d}' "$T/wide/prod/tenants/acme/clustersecretstore-acme-prod.yaml"
run python3 "$T/fr.py" stores "$T/wide"
expect "... and a store reading another namespace, or serving every one, is found" \
	'expect_status 1 && expect_stdout "^globex-prod/extauthz-config: store globex-prod reads another namespace" &&
	 expect_stdout "^acme-prod/extauthz-config: store acme-prod serves every namespace"'
rm -rf "$T/wide"
# the same escapes in the templates, judged by the isolation verifier of
# render (docs/verify.md, secrets.*; ESO's ClusterSecretStore reference:
# without spec.conditions every namespace may use the store)
cp -R "$R" "$T/eso"
rm -rf "$T/eso/.git" "$T/eso/rendered"
sed -i -e 's/^            remoteNamespace: ${ns}$/            remoteNamespace: linkerd/' \
	-e '/^        conditions:$/d' -e "/^          - namespaces: \['\${ns}'\]$/d" \
	"$T/eso/templates/tenant/external-secrets.yaml"
run "$TENANTC" render -C "$T/eso" --out "$T/eso-out"
expect "... and so does the verifier, at the template, and render writes nothing" \
	'expect_status 1 && expect_file_absent "$T/eso-out" &&
	 expect_stderr "^templates/tenant/external-secrets.yaml:[0-9]+:[0-9]+: error: secrets.store-scope: ClusterSecretStore prod/acme-prod \(acme\): reads the Secrets of namespace .linkerd., which is not the tenant.s \(at .spec.provider.kubernetes.remoteNamespace\)$" &&
	 expect_stderr "^templates/tenant/external-secrets.yaml:[0-9]+:[0-9]+: error: secrets.store-conditions: ClusterSecretStore staging/globex-staging \(globex\): has no spec.conditions"'
rm -rf "$T/eso" "$T/eso-out"

run python3 "$T/fr.py" selectors "$T/out"
expect "no label selector has a wildcard" 'expect_status 0 && expect_stdout "^[1-9][0-9]* objects checked$"'

# Flux on the workers is only the structured-authentication identity with
# its prefix: no binding of the bare ServiceAccount name
expect "the workers bind Flux only by its prefixed identity" \
	'grep -q "name: infra-cluster-oidc:system:serviceaccount:flux-system:kustomize-controller$" \
		"$T/out/prod/cluster/clusterrolebinding-tenantc-prod-flux-remote.yaml" &&
	 ! grep -rq "name: system:serviceaccount:" "$T/out"'
