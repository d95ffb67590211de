#!/bin/sh
# The ArgoCD config-management plugin (argocd/plugin.yaml) run the way the
# CMP server in the repo-server's sidecar runs it: the command and args
# from the file, exec'd without a shell of ours, in the application's
# folder of a copy of the repository without .git, with the sidecar's
# environment plus ArgoCD's build variables and the Application's plugin
# env prefixed ARGOCD_ENV_ (empty ones dropped, as ArgoCD drops them).
# generate must print only manifests (a YAML stream PyYAML reads back), the
# objects of the tenant's folder, nothing on stderr, write nothing, and
# fail loudly (exit status, stderr, no stdout) on bad input.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 with PyYAML (python3-yaml) is needed to read plugin.yaml"
	exit 77
fi
PLUGIN="$SRC/argocd/plugin.yaml"
mkdir -p "$T/bin" "$T/tmp" "$T/sidecar-home"
ln -s "$TENANTC" "$T/bin/tenantc"

# runner.py PLUGIN discover|generate DIR OUT ERR [NAME=VALUE...]
cat >"$T/runner.py" <<'EOF'
import os, subprocess, sys, yaml
plugin, which, cwd, out, err = sys.argv[1:6]
spec = yaml.safe_load(open(plugin))["spec"]
if which == "discover":
    cmd = spec["discover"]["find"]["command"]
else:
    cmd = spec["generate"]["command"] + spec["generate"].get("args", [])
env = dict(os.environ)  # the sidecar's own environment
for entry in sys.argv[6:]:
    name, _, value = entry.partition("=")
    if name and value:  # ArgoCD leaves out entries without a value
        env[name] = value
with open(out, "wb") as o, open(err, "wb") as e:
    sys.exit(subprocess.run(cmd, cwd=cwd, env=env, stdout=o, stderr=e).returncode)
EOF

# the repository as a user commits it (with rendered/), and the copy the
# repo-server sends the sidecar: the files of the commit, no .git
G="$T/gitrepo"
copy_example "$G"
"$TENANTC" render --repo "$G" >/dev/null
git_commit_all "$G"
W="$T/cmp-server/0f4e2d"
mkdir -p "$W"
(cd "$G" && git archive HEAD) | tar -x -C "$W"
[ ! -e "$W/.git" ] || bad "the copy has a .git"

# sidecar discover|generate DIR [NAME=VALUE...]: run in a clean
# environment like the sidecar's (PATH with tenantc, HOME, TMPDIR), with
# the output, the errors and the exit status where `run` leaves them
sidecar() {
	which=$1 dir=$2
	shift 2
	status=0
	env -i PATH="$T/bin:/usr/bin:/bin" HOME="$T/sidecar-home" TMPDIR="$T/tmp" \
		${SIDECAR_ENV:-} "$PY" "$T/runner.py" "$PLUGIN" "$which" "$dir" "$T/stdout" "$T/stderr" \
		ARGOCD_APP_NAME=acme-prod ARGOCD_APP_NAMESPACE=acme-prod ARGOCD_APP_PROJECT_NAME=acme-prod \
		ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567 ARGOCD_APP_REVISION_SHORT=0123456 \
		ARGOCD_APP_SOURCE_REPO_URL=https://github.com/example/platform.git \
		ARGOCD_APP_SOURCE_PATH="${dir#"$W"/}" ARGOCD_APP_SOURCE_TARGET_REVISION=main \
		KUBE_VERSION=1.30.0 KUBE_API_VERSIONS=v1,apps/v1 "$@" || status=$?
	return 0
}

before=$(tree_sum "$W")
home_before=$(tree_sum "$T/sidecar-home")

# discovery (run in the application's folder): a tenant's folder only,
# never the repository root or the platform's folders, whose Applications
# ArgoCD must apply as plain directories; not in a repository of something else
for d in tenants/acme rendered/prod/tenants/acme; do
	sidecar discover "$W/$d"
	if [ "$status" -eq 0 ] && [ -s "$T/stdout" ]; then ok "discover matches in '$d'"; else bad "discover in '$d': $status"; fi
done
for d in "" rendered/test/platform rendered/test/cluster rendered/test/gitops rendered/test/gitops/acme; do
	sidecar discover "$W${d:+/$d}"
	if [ "$status" -eq 0 ] && [ ! -s "$T/stdout" ]; then ok "discover does not match in '${d:-.}'"; else bad "discover matched in '${d:-.}' ($status)"; fi
done
mkdir -p "$T/other/app" && echo "resources: []" >"$T/other/app/kustomization.yaml"
sidecar discover "$T/other/app"
[ "$status" -eq 0 ] && [ ! -s "$T/stdout" ] && ok "discover does not match another repository" ||
	bad "discover matched a kustomize repository ($status)"

# the reference: the tenant's folder, rendered from a plain copy
cp -R "$W" "$T/ref"
"$TENANTC" render --repo "$T/ref" --stdout --env prod --tenant acme --folder tenants >"$T/want"
cat >"$T/check.py" <<'EOF'
import sys, yaml
text = open(sys.argv[1]).read()
docs = list(yaml.safe_load_all(text))
assert docs, "no documents"
for d in docs:
    assert isinstance(d, dict), "a document is not an object: %r" % (d,)
    for k in ("apiVersion", "kind"):
        assert isinstance(d.get(k), str), "no %s in %r" % (k, d)
    assert isinstance(d.get("metadata", {}).get("name"), str), d
want = sys.argv[2]
if want != "-":
    names = [(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in docs]
    ref = [(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in yaml.safe_load_all(open(want))]
    assert names == ref, "objects differ:\n%s\n%s" % (names, ref)
if sys.argv[3] == "tenant":
    for d in docs:
        api = d["apiVersion"]
        assert not api.startswith("argoproj.io/") and not api.startswith("kustomize.toolkit.fluxcd.io/"), \
            "the tenant's stream holds a GitOps object: %s %s" % (d["kind"], d["metadata"]["name"])
print(len(docs))
EOF
# generate NAME DIR [NAME=VALUE...]: must give the tenant's folder
generate_ok() {
	name=$1 dir=$2
	shift 2
	sidecar generate "$dir" "$@"
	expect "$name" 'expect_status 0 && expect_stderr_empty &&
		{ "$PY" "$T/check.py" "$T/stdout" "$T/want" tenant >/dev/null 2>"$T/pyerr" ||
			{ why=$(tail -n 3 "$T/pyerr"); false; }; } &&
		{ cmp -s "$T/stdout" "$T/want" || { why="the stream differs from render --stdout"; false; }; }'
}
generate_ok "the example's Applications: rendered/prod/tenants/acme with TENANTC_ENV/TENANTC_TENANT" \
	"$W/rendered/prod/tenants/acme" ARGOCD_ENV_TENANTC_ENV=prod ARGOCD_ENV_TENANTC_TENANT=acme
generate_ok "the path alone: rendered/prod/tenants/acme" "$W/rendered/prod/tenants/acme"
generate_ok "the repository root with ENVIRONMENT and TENANT" "$W" \
	ARGOCD_ENV_ENVIRONMENT=prod ARGOCD_ENV_TENANT=acme
generate_ok "the tenant's input folder with TENANTC_ENV" "$W/tenants/acme" ARGOCD_ENV_TENANTC_ENV=prod
generate_ok "empty variables are dropped" "$W/tenants/acme" ARGOCD_ENV_TENANTC_ENV=prod ARGOCD_ENV_TENANT=
# the split between the tenant's Application (its namespace) and the
# platform's (everything else): together exactly the folder, each object once
sidecar generate "$W/rendered/test/tenants/acme" ARGOCD_ENV_TENANTC_NAMESPACE=acme-test
cp "$T/stdout" "$T/part-ns"
cat >"$T/part-ns.py" <<'EOF'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
assert docs and all(d["metadata"].get("namespace") == "acme-test" for d in docs), [(d["kind"], d["metadata"].get("namespace")) for d in docs]
EOF
[ "$status" -eq 0 ] && [ ! -s "$T/stderr" ] && "$PY" "$T/part-ns.py" "$T/part-ns" &&
	ok "TENANTC_NAMESPACE keeps the objects of that namespace" || bad "TENANTC_NAMESPACE: $status $(head -n 3 "$T/stderr")"
sidecar generate "$W/rendered/test/tenants/acme" ARGOCD_ENV_TENANTC_EXCEPT_NAMESPACE=acme-test
cp "$T/stdout" "$T/part-rest"
cat >"$T/part-rest.py" <<'EOF'
import os, sys, yaml
ns = list(yaml.safe_load_all(open(sys.argv[1])))
rest = list(yaml.safe_load_all(open(sys.argv[2])))
assert rest and all(d["metadata"].get("namespace") != "acme-test" for d in rest)
kinds = sorted(d["kind"] for d in rest)
assert kinds == ["ClusterSecretStore", "ConfigMap", "ExternalSecret", "Job", "Namespace"], kinds
files = [f for f in os.listdir(sys.argv[3]) if f != "kustomization.yaml"]
assert len(ns) + len(rest) == len(files), (len(ns), len(rest), len(files))
EOF
[ "$status" -eq 0 ] && [ ! -s "$T/stderr" ] && "$PY" "$T/part-rest.py" "$T/part-ns" "$T/part-rest" "$W/rendered/test/tenants/acme" &&
	ok "TENANTC_EXCEPT_NAMESPACE keeps the rest: Namespace, ClusterSecretStore, the Keycloak namespace's objects" ||
	bad "TENANTC_EXCEPT_NAMESPACE: $status $(head -n 3 "$T/stderr")"

# a whole environment from the root
sidecar generate "$W" ARGOCD_ENV_TENANTC_ENV=test
"$TENANTC" render --repo "$T/ref" --stdout --env test >"$T/want-env"
if [ "$status" -eq 0 ] && [ ! -s "$T/stderr" ] && "$PY" "$T/check.py" "$T/stdout" "$T/want-env" env >/dev/null &&
	cmp -s "$T/stdout" "$T/want-env"; then
	ok "the repository root with an environment only: the whole environment"
else
	bad "whole environment: exit status $status: $(head -n 3 "$T/stderr")"
fi

# secrets: encrypted without an identity in the sidecar, decrypted with one
if "$TENANTC" secret --help >/dev/null 2>&1; then
	SEC="$T/secrepo"
	copy_example "$SEC"
	mkdir -p "$SEC/tenants/acme/secrets"
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: cmp-plaintext-4711\n' >"$T/db.yaml"
	"$TENANTC" secret encrypt --repo "$SEC" -o "$SEC/tenants/acme/secrets/db.yaml" "$T/db.yaml"
	rm -f "$T/db.yaml"
	SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$SEC" >/dev/null
	sidecar generate "$SEC/rendered/prod/tenants/acme"
	[ "$status" -eq 0 ] && grep -q 'ENC\[AES256_GCM' "$T/stdout" && ! grep -q cmp-plaintext-4711 "$T/stdout" &&
		ok "without an identity the Secret stays encrypted" || bad "secret without identity: $status $(head -n 3 "$T/stderr")"
	SIDECAR_ENV="SOPS_AGE_KEY_FILE=$SRC/keys/prod.agekey" sidecar generate "$SEC/rendered/prod/tenants/acme"
	if [ "$status" -eq 0 ] && [ ! -s "$T/stderr" ] && grep -q cmp-plaintext-4711 "$T/stdout" &&
		! grep -q 'ENC\[' "$T/stdout" && "$PY" "$T/check.py" "$T/stdout" - tenant >/dev/null; then
		ok "with the sidecar's identity the Secret is printed decrypted"
	else
		bad "secret with identity: $status $(head -n 3 "$T/stderr")"
	fi
	# an Application cannot hand the sidecar a key
	sidecar generate "$SEC/rendered/prod/tenants/acme" ARGOCD_ENV_SOPS_AGE_KEY_FILE="$SRC/keys/prod.agekey"
	[ "$status" -eq 0 ] && ! grep -q cmp-plaintext-4711 "$T/stdout" && ok "the plugin env of an Application cannot decrypt" ||
		bad "an Application's env decrypted the Secret ($status)"
	# a sidecar key that opens nothing: an error, not an encrypted stream
	"$TENANTC" secret keygen -o "$T/stranger.key" 2>/dev/null
	SIDECAR_ENV="SOPS_AGE_KEY_FILE=$T/stranger.key" sidecar generate "$SEC/rendered/prod/tenants/acme"
	[ "$status" -eq 2 ] && [ ! -s "$T/stdout" ] && grep -q "no identity can decrypt 'tenants/acme/secrets/db.yaml'" "$T/stderr" &&
		ok "a sidecar key that cannot decrypt fails the generation" ||
		bad "stranger key: $status $(head -n 2 "$T/stderr")"
	grep -rq cmp-plaintext-4711 "$SEC" "$T/tmp" "$T/sidecar-home" && bad "plaintext written to disk" ||
		ok "no plaintext on disk"
else
	echo "skip: tenantc has no secret command yet; Secrets through the plugin not tested"
fi

# bad input: exit status 2, a message on stderr, nothing on stdout
generate_bad() { # NAME ERE DIR [NAME=VALUE...]
	name=$1 re=$2 dir=$3
	shift 3
	sidecar generate "$dir" "$@"
	expect "$name" 'expect_status 2 && expect_stdout_empty && expect_stderr "$re"'
}
generate_bad "no environment" "^tenantc plugin: no environment" "$W/tenants/acme"
generate_bad "no environment at the root" "^tenantc plugin: no environment" "$W" ARGOCD_ENV_TENANT=acme
generate_bad "an unknown environment" "unknown environment 'staging'" "$W/tenants/acme" ARGOCD_ENV_TENANTC_ENV=staging
generate_bad "an unknown tenant" "unknown tenant 'nobody'" "$W" ARGOCD_ENV_TENANTC_ENV=prod ARGOCD_ENV_TENANTC_TENANT=nobody
generate_bad "a name that is no name" "'prod;id' is not an environment name" "$W/tenants/acme" "ARGOCD_ENV_TENANTC_ENV=prod;id"
generate_bad "an option smuggled in as a name" "'--out=x' is not a tenant name" "$W" ARGOCD_ENV_TENANTC_ENV=prod "ARGOCD_ENV_TENANT=--out=x"
generate_bad "the path and the env disagree" "the application's path 'rendered/prod/tenants/acme' is environment 'prod', but the plugin env says 'test'" \
	"$W/rendered/prod/tenants/acme" ARGOCD_ENV_TENANTC_ENV=test
generate_bad "two variables disagree" "the tenant is set twice, to 'acme' and 'globex'" "$W" \
	ARGOCD_ENV_TENANTC_ENV=prod ARGOCD_ENV_TENANTC_TENANT=acme ARGOCD_ENV_TENANT=globex
generate_bad "an application path that is no tenant folder" "the application's path must be" "$W/templates/tenant" ARGOCD_ENV_TENANTC_ENV=prod
generate_bad "a folder below a tenant" "is not a tenant folder" "$W/tenants/acme/files" ARGOCD_ENV_TENANTC_ENV=prod
generate_bad "outside a tenantc repository" "no tenantc repository" "$T/other/app" ARGOCD_ENV_TENANTC_ENV=prod
# a tenant that is not in the environment gives no objects: refused (by
# tenantc itself, naming the tenant's environments), so that ArgoCD does
# not prune the application's objects
for t in $(ls "$W/tenants"); do
	if ! "$TENANTC" render --repo "$T/ref" --stdout --env prod --tenant "$t" --folder tenants 2>/dev/null | grep -q .; then
		generate_bad "a tenant not in the environment" "tenant '$t' is not in prod \\(--env\\); its environments: " \
			"$W/tenants/$t" ARGOCD_ENV_TENANTC_ENV=prod
	fi
done
generate_bad "TENANTC_NAMESPACE and TENANTC_EXCEPT_NAMESPACE together" "exclude each other" "$W/rendered/test/tenants/acme" \
	ARGOCD_ENV_TENANTC_NAMESPACE=acme-test ARGOCD_ENV_TENANTC_EXCEPT_NAMESPACE=acme-test
generate_bad "a namespace that is no name" "'a;b' is not a namespace name" "$W/rendered/test/tenants/acme" "ARGOCD_ENV_TENANTC_NAMESPACE=a;b"
generate_bad "a namespace with no object" "no object of tenant 'acme' in environment 'test' is in namespace 'nowhere'" \
	"$W/rendered/test/tenants/acme" ARGOCD_ENV_TENANTC_NAMESPACE=nowhere
cp "$W/tenants/acme/tenant.yaml" "$T/acme.keep"
printf 'name: acme\nrealm: [unclosed\n' >"$W/tenants/acme/tenant.yaml"
generate_bad "a broken tenant" "^tenants/acme/tenant\.yaml:[0-9]+:[0-9]+: error: " "$W/tenants/acme" ARGOCD_ENV_TENANTC_ENV=prod
cp "$T/acme.keep" "$W/tenants/acme/tenant.yaml"

# render --folder, which the plugin uses, refuses what it cannot do
run "$TENANTC" render --repo "$T/ref" --folder tenants
expect "render --folder without --stdout exits 2" \
	'expect_status 2 && expect_stderr "^--folder: error: only goes with --stdout$"'
run "$TENANTC" render --repo "$T/ref" --stdout --folder tenant
expect "render --folder with an unknown folder exits 2" 'expect_status 2 && expect_stdout_empty &&
	expect_stderr "^--folder: error: '"'tenant'"' is not cluster, platform, gitops or tenants$"'
"$TENANTC" render --repo "$T/ref" --stdout --env prod --folder cluster >"$T/stdout"
n=$(grep -c '^kind: ' "$T/stdout")
want=$(ls "$T/ref/rendered/prod/cluster" | grep -vc '^kustomization\.yaml$')
[ "$n" -eq "$want" ] && [ "$n" -gt 0 ] && ok "render --folder cluster prints the $n objects of rendered/prod/cluster" ||
	bad "--folder cluster printed $n objects, rendered/prod/cluster holds $want"

# nothing written anywhere: the repository copy, the sidecar's HOME and TMPDIR
[ "$(tree_sum "$W")" = "$before" ] && ok "the repository copy is unchanged" || bad "the plugin wrote into the repository copy"
[ "$(tree_sum "$T/sidecar-home")" = "$home_before" ] && [ -z "$(ls -A "$T/tmp")" ] &&
	ok "nothing in HOME or TMPDIR" || bad "files in HOME or TMPDIR: $(ls -A "$T/sidecar-home" "$T/tmp")"
finish
