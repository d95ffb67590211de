#!/usr/bin/env python3
# tests/interop/corpus/gen.py - writes the corpus of this folder: one object a
# YAML document, each after a comment saying what it tries ("valid: ..." or
# "invalid: ..."). The API server's verdict, not the comment, is what the
# differential test compares tenantc's with.
#
#   python3 tests/interop/corpus/gen.py tests/interop/corpus
#
# Strings that YAML 1.1 reads as booleans ('y', 'on', ...) are quoted, so
# that the API server (Go's YAML 1.1 reader) and tenantc (YAML 1.2) read
# the same values.
import copy, os, sys, yaml

OUT = sys.argv[1]
NS = "corpus"
files = {}


def add(fname, case, obj, note=None):
    files.setdefault(fname, []).append((case, note, obj))


def meta(name, **kw):
    m = {"name": name, "namespace": NS}
    m.update(kw)
    return m


def container(name="web", image="registry.example.com/web:1.0", **kw):
    c = {"name": name, "image": image}
    c.update(kw)
    return c


def podspec(**kw):
    s = {"containers": [container()]}
    s.update(kw)
    return s


def deploy(name, spec_mut=None, labels=None, sel=None, **meta_kw):
    d = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, **meta_kw),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": sel if sel is not None else {"app": "web"}},
            "template": {"metadata": {"labels": labels if labels is not None else {"app": "web"}},
                         "spec": podspec()},
        },
    }
    if spec_mut:
        spec_mut(d)
    return d


def pod_mut(f):
    """a Deployment whose pod spec f changes"""
    def m(d):
        f(d["spec"]["template"]["spec"])
    return m


def cm(name, **kw):
    o = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name), "data": {"a": "b"}}
    o.update(kw)
    return o


# ---------------- metadata ----------------
F = "meta.yaml"
add(F, "valid: plain ConfigMap", cm("meta-valid"))
add(F, "valid: annotation key with upper case in its prefix (checked lower-cased)",
    cm("meta-ann-upper", metadata=meta("meta-ann-upper", annotations={"Example.COM/Owner": "team"})))
add(F, "valid: annotation key with upper case name", cm("meta-ann-upper-name",
    metadata=meta("meta-ann-upper-name", annotations={"example.com/OwnerName": "x"})))
add(F, "valid: empty label value", cm("meta-empty-label", metadata=meta("meta-empty-label", labels={"tier": ""})))
add(F, "valid: label key with prefix", cm("meta-label-prefix",
    metadata=meta("meta-label-prefix", labels={"app.kubernetes.io/name": "web"})))
add(F, "valid: label value with dots and underscores", cm("meta-label-val",
    metadata=meta("meta-label-val", labels={"v": "a_b.c-d"})))
add(F, "valid: 63-character label value", cm("meta-label-63", metadata=meta("meta-label-63", labels={"v": "a" * 63})))
add(F, "invalid: 64-character label value", cm("meta-label-64", metadata=meta("meta-label-64", labels={"v": "a" * 64})))
add(F, "invalid: label value with a space", cm("meta-label-space", metadata=meta("meta-label-space", labels={"v": "a b"})))
add(F, "invalid: label value starting with '-'", cm("meta-label-dash", metadata=meta("meta-label-dash", labels={"v": "-a"})))
add(F, "invalid: label key prefix upper case", cm("meta-label-key-upper",
    metadata=meta("meta-label-key-upper", labels={"Example.com/app": "x"})))
add(F, "invalid: label key with two slashes", cm("meta-label-key-slashes",
    metadata=meta("meta-label-key-slashes", labels={"a/b/c": "x"})))
add(F, "invalid: annotation key with a space", cm("meta-ann-space",
    metadata=meta("meta-ann-space", annotations={"bad key": "x"})))
add(F, "invalid: annotation key with empty prefix", cm("meta-ann-empty-prefix",
    metadata=meta("meta-ann-empty-prefix", annotations={"/name": "x"})))
add(F, "invalid: upper-case name", cm("Meta-Upper"))
add(F, "invalid: name with underscore", cm("meta_underscore"))
add(F, "valid: name with dots (DNS subdomain)", cm("meta.with.dots"))
add(F, "invalid: name ending in '-'", cm("meta-trailing-"))
add(F, "invalid: name of 254 characters", cm("a" * 254))
add(F, "valid: name of 253 characters", cm(("a" * 62 + ".") * 4 + "a"))
add(F, "valid: generateName ending in '-'", {"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"generateName": "meta-gen-", "namespace": NS}, "data": {"a": "b"}})
add(F, "invalid: generateName with upper case", {"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"generateName": "Meta-Gen-", "namespace": NS}, "data": {"a": "b"}})
add(F, "valid: qualified finalizer", cm("meta-fin", metadata=meta("meta-fin", finalizers=["example.com/cleanup"])))
add(F, "valid: standard finalizer 'orphan'", cm("meta-fin-orphan", metadata=meta("meta-fin-orphan", finalizers=["orphan"])))
add(F, "invalid: finalizer without a domain", cm("meta-fin-bare", metadata=meta("meta-fin-bare", finalizers=["cleanup"])))
add(F, "invalid: finalizer with a space", cm("meta-fin-space", metadata=meta("meta-fin-space", finalizers=["example.com/clean up"])))
add(F, "invalid: orphan and foregroundDeletion together", cm("meta-fin-both",
    metadata=meta("meta-fin-both", finalizers=["orphan", "foregroundDeletion"])))
own = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "owner", "uid": "6f1f4e8e-1111-4a4a-9b9b-123456789abc"}
add(F, "valid: owner reference", cm("meta-owner", metadata=meta("meta-owner", ownerReferences=[own])))
o2 = dict(own); del o2["uid"]
add(F, "invalid: owner reference without uid", cm("meta-owner-nouid", metadata=meta("meta-owner-nouid", ownerReferences=[o2])))
o3 = dict(own); o3["name"] = ""
add(F, "invalid: owner reference with an empty name", cm("meta-owner-noname", metadata=meta("meta-owner-noname", ownerReferences=[o3])))
c1 = dict(own, controller=True)
c2 = dict(own, name="other", uid="6f1f4e8e-2222-4a4a-9b9b-123456789abc", controller=True)
add(F, "invalid: two controller owner references", cm("meta-owner-2ctl", metadata=meta("meta-owner-2ctl", ownerReferences=[c1, c2])))
add(F, "valid: one controller owner reference", cm("meta-owner-1ctl", metadata=meta("meta-owner-1ctl",
    ownerReferences=[c1, dict(own, name="x", uid="6f1f4e8e-3333-4a4a-9b9b-123456789abc")])))
add(F, "invalid: an Event as owner", cm("meta-owner-event", metadata=meta("meta-owner-event",
    ownerReferences=[{"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "6f1f4e8e-1111-4a4a-9b9b-123456789abd"}])))
add(F, "invalid: Namespace name with a dot", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "corpus.dot"}})
add(F, "valid: Namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})

# ---------------- ConfigMap ----------------
F = "configmap.yaml"
add(F, "valid: keys with dots, dashes, underscores", cm("cm-keys", data={"nginx.conf": "x", "a-b_c": "y", ".hidden": "z"}))
add(F, "invalid: key with '..' prefix", cm("cm-dotdot", data={"..data": "x"}))
add(F, "invalid: key '.'", cm("cm-dot", data={".": "x"}))
add(F, "invalid: key with a slash", cm("cm-slash", data={"a/b": "x"}))
add(F, "invalid: key with a space", cm("cm-space", data={"a b": "x"}))
add(F, "valid: binaryData base64", cm("cm-binary", data={}, binaryData={"blob": "aGVsbG8="}))
add(F, "invalid: binaryData not base64", cm("cm-binary-bad", data={}, binaryData={"blob": "not base64!"}))
add(F, "invalid: key in both data and binaryData", cm("cm-both", data={"k": "x"}, binaryData={"k": "eA=="}))
add(F, "valid: empty data value", cm("cm-empty-value", data={"k": ""}))

# ---------------- Secret ----------------
F = "secret.yaml"
def sec(name, type_=None, data=None, string=None, ann=None):
    o = {"apiVersion": "v1", "kind": "Secret", "metadata": meta(name)}
    if ann:
        o["metadata"]["annotations"] = ann
    if type_:
        o["type"] = type_
    if data is not None:
        o["data"] = data
    if string is not None:
        o["stringData"] = string
    return o
add(F, "valid: Opaque", sec("sec-opaque", data={"password": "c2VjcmV0"}))
add(F, "valid: base64 with newline breaks", sec("sec-b64-nl", data={"k": "c2Vj\ncmV0"}))
add(F, "invalid: data not base64", sec("sec-not-b64", data={"password": "plain text"}))
add(F, "invalid: base64 without padding", sec("sec-nopad", data={"k": "YQ"}))
add(F, "valid: empty data value", sec("sec-empty", data={"k": ""}))
add(F, "valid: stringData plain text", sec("sec-stringdata", string={"password": "plain text!"}))
add(F, "valid: tls", sec("sec-tls", "kubernetes.io/tls", data={"tls.crt": "Y3J0", "tls.key": "a2V5"}))
add(F, "invalid: tls without tls.key", sec("sec-tls-nokey", "kubernetes.io/tls", data={"tls.crt": "Y3J0"}))
add(F, "invalid: tls without tls.crt", sec("sec-tls-nocrt", "kubernetes.io/tls", data={"tls.key": "a2V5"}))
add(F, "valid: tls keys from stringData", sec("sec-tls-string", "kubernetes.io/tls", string={"tls.crt": "c", "tls.key": "k"}))
add(F, "valid: tls with empty values", sec("sec-tls-empty", "kubernetes.io/tls", data={"tls.crt": "", "tls.key": ""}))
add(F, "valid: dockerconfigjson", sec("sec-docker", "kubernetes.io/dockerconfigjson",
    data={".dockerconfigjson": "eyJhdXRocyI6e319"}))
add(F, "invalid: dockerconfigjson without the key", sec("sec-docker-nokey", "kubernetes.io/dockerconfigjson", data={"x": "eA=="}))
add(F, "invalid: dockerconfigjson not JSON", sec("sec-docker-notjson", "kubernetes.io/dockerconfigjson",
    data={".dockerconfigjson": "bm90IGpzb24="}))
add(F, "valid: dockerconfigjson in stringData", sec("sec-docker-string", "kubernetes.io/dockerconfigjson",
    string={".dockerconfigjson": '{"auths":{}}'}))
add(F, "valid: basic-auth with username only", sec("sec-basic-user", "kubernetes.io/basic-auth", string={"username": "u"}))
add(F, "valid: basic-auth with password only", sec("sec-basic-pass", "kubernetes.io/basic-auth", string={"password": "p"}))
add(F, "invalid: basic-auth without username and password", sec("sec-basic-none", "kubernetes.io/basic-auth", string={"user": "u"}))
add(F, "valid: ssh-auth", sec("sec-ssh", "kubernetes.io/ssh-auth", string={"ssh-privatekey": "KEY"}))
add(F, "invalid: ssh-auth without the key", sec("sec-ssh-nokey", "kubernetes.io/ssh-auth", string={"key": "KEY"}))
add(F, "invalid: ssh-auth with an empty key", sec("sec-ssh-empty", "kubernetes.io/ssh-auth", data={"ssh-privatekey": ""}))
add(F, "valid: service-account-token with the annotation", sec("sec-sat", "kubernetes.io/service-account-token",
    ann={"kubernetes.io/service-account.name": "default"}))
add(F, "invalid: service-account-token without the annotation", sec("sec-sat-noann", "kubernetes.io/service-account-token"))
add(F, "valid: custom type", sec("sec-custom", "example.com/custom", string={"a": "b"}))
add(F, "invalid: key with a slash", sec("sec-key-slash", data={"a/b": "eA=="}))

# ---------------- pod templates (through Deployments) ----------------
F = "pod.yaml"
def dm(name, f, note=None):
    add(F, note or name, deploy(name, pod_mut(f)))
def setc(**kw):
    def f(s):
        s["containers"][0].update(kw)
    return f
add(F, "valid: base Deployment", deploy("pod-valid"))
dm("pod-dup-container", lambda s: s["containers"].append(container()), "invalid: two containers named web")
dm("pod-init-dup", lambda s: s.update(initContainers=[container()]), "invalid: init container named as a container")
dm("pod-init-ok", lambda s: s.update(initContainers=[container("init")]), "valid: init container")
dm("pod-no-containers", lambda s: s.update(containers=[]), "invalid: no containers")
dm("pod-bad-cname", setc(name="Web"), "invalid: container name upper case")
dm("pod-no-image", lambda s: s["containers"][0].pop("image"), "invalid: container without image")
dm("pod-image-space", setc(image=" registry.example.com/web:1.0"), "valid: image with leading space in a template")
dm("pod-port-ok", setc(ports=[{"containerPort": 8080, "name": "http"}]), "valid: named port")
dm("pod-port-0", setc(ports=[{"containerPort": 0}]), "invalid: containerPort 0")
dm("pod-port-big", setc(ports=[{"containerPort": 70000}]), "invalid: containerPort 70000")
dm("pod-port-name-long", setc(ports=[{"containerPort": 80, "name": "a-very-long-port-name"}]), "invalid: port name of 21 characters")
dm("pod-port-name-digits", setc(ports=[{"containerPort": 80, "name": "8080"}]), "invalid: port name without a letter")
dm("pod-port-name-upper", setc(ports=[{"containerPort": 80, "name": "HTTP"}]), "invalid: port name upper case")
dm("pod-port-name-dashes", setc(ports=[{"containerPort": 80, "name": "a--b"}]), "invalid: port name with '--'")
dm("pod-port-dup-name", setc(ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}]), "invalid: duplicate port name")
dm("pod-port-proto", setc(ports=[{"containerPort": 80, "protocol": "HTTP"}]), "invalid: protocol HTTP")
dm("pod-port-udp", setc(ports=[{"containerPort": 53, "protocol": "UDP"}]), "valid: UDP port")
dm("pod-hostport-dup", lambda s: (s["containers"][0].update(ports=[{"containerPort": 80, "hostPort": 8080}]),
   s["containers"].append(container("b", ports=[{"containerPort": 81, "hostPort": 8080}]))), "invalid: hostPort twice")
dm("pod-hostport-proto", lambda s: (s["containers"][0].update(ports=[{"containerPort": 80, "hostPort": 8080}]),
   s["containers"].append(container("b", ports=[{"containerPort": 81, "hostPort": 8080, "protocol": "UDP"}]))), "valid: same hostPort, other protocol")
dm("pod-env-ok", setc(env=[{"name": "A_B", "value": "1"}]), "valid: env")
dm("pod-env-relaxed", setc(env=[{"name": "1-dotted.name", "value": "1"}]), "valid: env name starting with a digit (relaxed rule)")
dm("pod-env-eq", setc(env=[{"name": "A=B", "value": "1"}]), "invalid: env name with '='")
dm("pod-env-empty", setc(env=[{"name": "", "value": "1"}]), "invalid: empty env name")
dm("pod-env-both", setc(env=[{"name": "A", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]), "invalid: value and valueFrom")
dm("pod-env-nosrc", setc(env=[{"name": "A", "valueFrom": {}}]), "invalid: valueFrom without a source")
dm("pod-env-2src", setc(env=[{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"},
   "secretKeyRef": {"name": "s", "key": "k"}}}]), "invalid: valueFrom with two sources")
dm("pod-env-secret", setc(env=[{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]), "valid: secretKeyRef")
dm("pod-env-secret-badkey", setc(env=[{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "a/b"}}}]), "invalid: secretKeyRef key with '/'")
dm("pod-env-secret-noname", setc(env=[{"name": "A", "valueFrom": {"secretKeyRef": {"key": "k"}}}]), "invalid: secretKeyRef without name")
dm("pod-env-cm-badname", setc(env=[{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "Bad_Name", "key": "k"}}}]), "invalid: configMapKeyRef name not a subdomain")
dm("pod-env-field-label", setc(env=[{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}}]), "valid: fieldRef to a label")
dm("pod-env-field-bad", setc(env=[{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "spec.containers"}}}]), "invalid: unsupported fieldPath")
dm("pod-env-res", setc(env=[{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}]), "valid: resourceFieldRef")
dm("pod-env-res-bad", setc(env=[{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.gpu"}}}]), "invalid: resourceFieldRef resource")
dm("pod-envfrom-ok", setc(envFrom=[{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"}]), "valid: envFrom")
dm("pod-envfrom-none", setc(envFrom=[{"prefix": "X_"}]), "invalid: envFrom without a source")
dm("pod-envfrom-prefix", setc(envFrom=[{"configMapRef": {"name": "cfg"}, "prefix": "A=B"}]), "invalid: envFrom prefix with '='")
def vols(*v):
    def f(s):
        s["volumes"] = list(v)
    return f
dm("pod-vol-ok", lambda s: (vols({"name": "data", "emptyDir": {}})(s), s["containers"][0].update(volumeMounts=[{"name": "data", "mountPath": "/data"}])), "valid: emptyDir volume mounted")
dm("pod-vol-dup", vols({"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}), "invalid: two volumes named data")
dm("pod-vol-badname", vols({"name": "Data", "emptyDir": {}}), "invalid: volume name upper case")
dm("pod-vol-nosrc", vols({"name": "data"}), "invalid: volume without a source")
dm("pod-vol-2src", vols({"name": "data", "emptyDir": {}, "configMap": {"name": "c"}}), "invalid: volume with two sources")
dm("pod-vol-cm-noname", vols({"name": "data", "configMap": {}}), "invalid: configMap volume without name")
dm("pod-vol-secret-noname", vols({"name": "data", "secret": {}}), "invalid: secret volume without secretName")
dm("pod-vol-secret-ok", vols({"name": "data", "secret": {"secretName": "s", "defaultMode": 0o400}}), "valid: secret volume")
dm("pod-vol-mode", vols({"name": "data", "secret": {"secretName": "s", "defaultMode": 1000}}), "invalid: defaultMode above 0777")
dm("pod-vol-items-dotdot", vols({"name": "data", "configMap": {"name": "c", "items": [{"key": "k", "path": "../x"}]}}), "invalid: item path with '..'")
dm("pod-vol-items-abs", vols({"name": "data", "configMap": {"name": "c", "items": [{"key": "k", "path": "/x"}]}}), "invalid: absolute item path")
dm("pod-vol-items-ok", vols({"name": "data", "configMap": {"name": "c", "items": [{"key": "k", "path": "conf/x.yaml"}]}}), "valid: item path")
dm("pod-vol-pvc-noclaim", vols({"name": "data", "persistentVolumeClaim": {"claimName": ""}}), "invalid: pvc volume with empty claimName")
dm("pod-mount-missing", setc(volumeMounts=[{"name": "nothere", "mountPath": "/x"}]), "invalid: mount of a volume that does not exist")
dm("pod-mount-dup-path", lambda s: (vols({"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}})(s),
   s["containers"][0].update(volumeMounts=[{"name": "a", "mountPath": "/x"}, {"name": "b", "mountPath": "/x"}])), "invalid: two mounts at one path")
dm("pod-mount-subpath", lambda s: (vols({"name": "a", "emptyDir": {}})(s),
   s["containers"][0].update(volumeMounts=[{"name": "a", "mountPath": "/x", "subPath": "../etc"}])), "invalid: subPath with '..'")
dm("pod-mount-subpath-ok", lambda s: (vols({"name": "a", "emptyDir": {}})(s),
   s["containers"][0].update(volumeMounts=[{"name": "a", "mountPath": "/x", "subPath": "conf/app"}])), "valid: subPath")
probe_http = {"httpGet": {"path": "/healthz", "port": 8080}}
dm("pod-probe-ok", setc(livenessProbe=probe_http, readinessProbe={"tcpSocket": {"port": "http"}}), "valid: probes")
dm("pod-probe-none", setc(livenessProbe={"periodSeconds": 5}), "invalid: probe without a handler")
dm("pod-probe-two", setc(livenessProbe={"httpGet": {"port": 80}, "tcpSocket": {"port": 80}}), "invalid: probe with two handlers")
dm("pod-probe-port0", setc(readinessProbe={"httpGet": {"path": "/"}}), "invalid: httpGet without a port")
dm("pod-probe-badname", setc(readinessProbe={"tcpSocket": {"port": "HTTP_PORT"}}), "invalid: probe port name")
dm("pod-probe-neg", setc(readinessProbe={"tcpSocket": {"port": 80}, "periodSeconds": -1}), "invalid: negative periodSeconds")
dm("pod-probe-success", setc(livenessProbe={"tcpSocket": {"port": 80}, "successThreshold": 2}), "invalid: liveness successThreshold 2")
dm("pod-probe-ready-success", setc(readinessProbe={"tcpSocket": {"port": 80}, "successThreshold": 2}), "valid: readiness successThreshold 2")
dm("pod-probe-grpc", setc(livenessProbe={"grpc": {"port": 9090}}), "valid: grpc probe")
dm("pod-probe-exec", setc(startupProbe={"exec": {"command": ["true"]}}), "valid: exec startup probe")
dm("pod-init-probe", lambda s: s.update(initContainers=[container("init", readinessProbe={"tcpSocket": {"port": 80}})]), "invalid: readinessProbe on an init container")
dm("pod-sidecar-probe", lambda s: s.update(initContainers=[container("init", restartPolicy="Always", readinessProbe={"tcpSocket": {"port": 80}})]), "valid: sidecar with a readinessProbe")
dm("pod-init-restart-never", lambda s: s.update(initContainers=[container("init", restartPolicy="Never")]), "invalid: init container restartPolicy Never")
dm("pod-container-restart", setc(restartPolicy="Always"), "invalid: restartPolicy on a regular container")
dm("pod-lifecycle-ok", setc(lifecycle={"preStop": {"exec": {"command": ["sleep", "5"]}}}), "valid: preStop hook")
dm("pod-lifecycle-none", setc(lifecycle={"preStop": {}}), "invalid: preStop without a handler")
dm("pod-lifecycle-sleep", setc(lifecycle={"preStop": {"sleep": {"seconds": 5}}}), "valid: sleep hook")
dm("pod-res-ok", setc(resources={"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": 1, "memory": "256Mi"}}), "valid: resources, bare-number cpu limit")
dm("pod-res-req-over", setc(resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}), "invalid: cpu request above limit")
dm("pod-res-mem-over", setc(resources={"requests": {"memory": "1Gi"}, "limits": {"memory": "512Mi"}}), "invalid: memory request above limit")
dm("pod-res-equal-units", setc(resources={"requests": {"cpu": "1000m"}, "limits": {"cpu": "1"}}), "valid: 1000m request, 1 limit")
dm("pod-res-neg", setc(resources={"requests": {"cpu": "-1"}}), "invalid: negative cpu")
dm("pod-res-bad-name", setc(resources={"requests": {"gpu": "1"}}), "invalid: non-standard resource without domain")
dm("pod-res-ext-ok", setc(resources={"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "1"}}), "valid: extended resource")
dm("pod-res-ext-nolimit", setc(resources={"requests": {"example.com/gpu": "1"}}), "invalid: extended resource without limit")
dm("pod-res-ext-frac", setc(resources={"requests": {"example.com/gpu": "500m"}, "limits": {"example.com/gpu": "500m"}}), "invalid: fractional extended resource")
dm("pod-res-ext-differ", setc(resources={"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "2"}}), "invalid: extended request differs from limit")
dm("pod-res-exp", setc(resources={"requests": {"memory": "1e9"}}), "valid: exponent quantity")
dm("pod-res-bad-qty", setc(resources={"requests": {"memory": "1GB"}}), "invalid: quantity 1GB")
dm("pod-res-hugepages", setc(resources={"limits": {"hugepages-2Mi": "100Mi"}, "requests": {"hugepages-2Mi": "100Mi"}}), "invalid: hugepages without cpu or memory")
dm("pod-restart-never", lambda s: s.update(restartPolicy="Never"), "invalid: restartPolicy Never in a Deployment")
dm("pod-restart-always", lambda s: s.update(restartPolicy="Always"), "valid: restartPolicy Always")
dm("pod-deadline", lambda s: s.update(activeDeadlineSeconds=30), "invalid: activeDeadlineSeconds in a Deployment")
dm("pod-dns-none", lambda s: s.update(dnsPolicy="None"), "invalid: dnsPolicy None without dnsConfig")
dm("pod-dns-none-ok", lambda s: s.update(dnsPolicy="None", dnsConfig={"nameservers": ["1.1.1.1"]}), "valid: dnsPolicy None with nameserver")
dm("pod-dns-bad", lambda s: s.update(dnsPolicy="Cluster"), "invalid: dnsPolicy Cluster")
dm("pod-sa-bad", lambda s: s.update(serviceAccountName="Bad_SA"), "invalid: serviceAccountName not a subdomain")
dm("pod-hostname-bad", lambda s: s.update(hostname="a.b"), "invalid: hostname with a dot")
dm("pod-nodesel-bad", lambda s: s.update(nodeSelector={"bad key": "x"}), "invalid: nodeSelector key")
dm("pod-tol-ok", lambda s: s.update(tolerations=[{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}]), "valid: toleration")
dm("pod-tol-exists-value", lambda s: s.update(tolerations=[{"key": "k", "operator": "Exists", "value": "v"}]), "invalid: toleration Exists with a value")
dm("pod-tol-nokey", lambda s: s.update(tolerations=[{"operator": "Equal", "value": "v"}]), "invalid: toleration without key and not Exists")
dm("pod-tol-seconds", lambda s: s.update(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 30}]), "invalid: tolerationSeconds without NoExecute")
dm("pod-tol-effect", lambda s: s.update(tolerations=[{"key": "k", "operator": "Exists", "effect": "Never"}]), "invalid: toleration effect")
dm("pod-spread-ok", lambda s: s.update(topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]), "valid: topology spread")
dm("pod-spread-skew0", lambda s: s.update(topologySpreadConstraints=[{"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]), "invalid: maxSkew 0")
dm("pod-spread-when", lambda s: s.update(topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "Sometimes"}]), "invalid: whenUnsatisfiable")
dm("pod-pull-policy", setc(imagePullPolicy="Sometimes"), "invalid: imagePullPolicy")
dm("pod-tmp-bad", setc(terminationMessagePolicy="Stdout"), "invalid: terminationMessagePolicy")
dm("pod-tmpl-label-bad", lambda s: None, "valid: unchanged (control)")
add(F, "invalid: Pod image with trailing space", {"apiVersion": "v1", "kind": "Pod", "metadata": meta("pod-bare-space"),
    "spec": {"containers": [container(image="registry.example.com/web:1.0 ")]}})

# ---------------- workloads ----------------
F = "workload.yaml"
def dmut(name, f, note, **kw):
    d = deploy(name, **kw)
    f(d)
    add(F, note, d)
add(F, "invalid: selector does not match template labels", deploy("wl-sel-mismatch", sel={"app": "api"}))
add(F, "invalid: empty selector", deploy("wl-sel-empty", sel={}))
add(F, "valid: selector subset of labels", deploy("wl-sel-subset", labels={"app": "web", "tier": "front"}))
dmut("wl-sel-expr", lambda d: d["spec"]["selector"].update(matchLabels=None, matchExpressions=[{"key": "app", "operator": "In", "values": ["web", "api"]}]) or d["spec"]["selector"].pop("matchLabels"), "valid: selector by expression")
dmut("wl-sel-expr-miss", lambda d: d["spec"]["selector"].update(matchExpressions=[{"key": "tier", "operator": "Exists"}]), "invalid: expression that the template does not match")
dmut("wl-sel-expr-novals", lambda d: d["spec"]["selector"].update(matchExpressions=[{"key": "app", "operator": "In", "values": []}]), "invalid: In without values")
dmut("wl-sel-expr-exists-vals", lambda d: d["spec"]["selector"].update(matchExpressions=[{"key": "app", "operator": "Exists", "values": ["x"]}]), "invalid: Exists with values")
dmut("wl-sel-expr-op", lambda d: d["spec"]["selector"].update(matchExpressions=[{"key": "app", "operator": "Equals", "values": ["web"]}]), "invalid: unknown operator")
dmut("wl-sel-notin", lambda d: d["spec"]["selector"].update(matchExpressions=[{"key": "tier", "operator": "NotIn", "values": ["db"]}]), "valid: NotIn on a missing label")
dmut("wl-sel-bad-value", lambda d: (d["spec"]["selector"].update(matchLabels={"app": "web!"}), d["spec"]["template"]["metadata"]["labels"].update(app="web!")), "invalid: selector value not a label value")
dmut("wl-replicas-neg", lambda d: d["spec"].update(replicas=-1), "invalid: negative replicas")
dmut("wl-replicas-0", lambda d: d["spec"].update(replicas=0), "valid: zero replicas")
dmut("wl-recreate-ru", lambda d: d["spec"].update(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}), "invalid: Recreate with rollingUpdate")
dmut("wl-recreate", lambda d: d["spec"].update(strategy={"type": "Recreate"}), "valid: Recreate")
dmut("wl-strategy-bad", lambda d: d["spec"].update(strategy={"type": "BlueGreen"}), "invalid: strategy type")
dmut("wl-ru-zero", lambda d: d["spec"].update(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}), "invalid: maxSurge and maxUnavailable 0")
dmut("wl-ru-surge0", lambda d: d["spec"].update(strategy={"rollingUpdate": {"maxSurge": 0}}), "valid: maxSurge 0 (maxUnavailable defaults to 25%)")
dmut("wl-ru-pct", lambda d: d["spec"].update(strategy={"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": "0%"}}), "valid: percentages")
dmut("wl-ru-pct-over", lambda d: d["spec"].update(strategy={"rollingUpdate": {"maxUnavailable": "150%"}}), "invalid: maxUnavailable over 100%")
dmut("wl-ru-bad-str", lambda d: d["spec"].update(strategy={"rollingUpdate": {"maxSurge": "one"}}), "invalid: maxSurge not a percentage")
dmut("wl-ru-neg", lambda d: d["spec"].update(strategy={"rollingUpdate": {"maxSurge": -1}}), "invalid: negative maxSurge")
dmut("wl-progress", lambda d: d["spec"].update(minReadySeconds=30, progressDeadlineSeconds=20), "invalid: progressDeadlineSeconds below minReadySeconds")
dmut("wl-progress-default", lambda d: d["spec"].update(minReadySeconds=700), "invalid: minReadySeconds above the default progress deadline")
dmut("wl-progress-ok", lambda d: d["spec"].update(minReadySeconds=10, progressDeadlineSeconds=60), "valid: progress deadline")
dmut("wl-revision-neg", lambda d: d["spec"].update(revisionHistoryLimit=-1), "invalid: negative revisionHistoryLimit")
dmut("wl-no-template-labels", lambda d: d["spec"]["template"].pop("metadata"), "invalid: template without labels")
dmut("wl-tmpl-ann", lambda d: d["spec"]["template"]["metadata"].update(annotations={"Example.com/x": "y"}), "valid: template annotation upper-case prefix")
dmut("wl-tmpl-ann-bad", lambda d: d["spec"]["template"]["metadata"].update(annotations={"a b": "y"}), "invalid: template annotation key")
dmut("wl-tmpl-label-bad", lambda d: d["spec"]["template"]["metadata"]["labels"].update({"x": "a b"}), "invalid: template label value")
def rs(name, sel=None):
    d = deploy(name, sel=sel)
    d["kind"] = "ReplicaSet"
    return d
add(F, "valid: ReplicaSet", rs("wl-rs"))
add(F, "invalid: ReplicaSet selector mismatch", rs("wl-rs-mismatch", sel={"app": "x"}))
def ds(name, sel=None, us=None):
    d = deploy(name, sel=sel)
    d["kind"] = "DaemonSet"
    del d["spec"]["replicas"]
    if us is not None:
        d["spec"]["updateStrategy"] = us
    return d
add(F, "valid: DaemonSet", ds("wl-ds"))
add(F, "invalid: DaemonSet selector mismatch", ds("wl-ds-mismatch", sel={"app": "x"}))
add(F, "invalid: DaemonSet maxUnavailable 0 (maxSurge defaults to 0)", ds("wl-ds-unavail0", us={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}}))
add(F, "valid: DaemonSet maxSurge 1, maxUnavailable 0", ds("wl-ds-surge", us={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}))
add(F, "invalid: DaemonSet update strategy type", ds("wl-ds-type", us={"type": "Always"}))
add(F, "valid: DaemonSet OnDelete", ds("wl-ds-ondelete", us={"type": "OnDelete"}))
def sts(name, sel=None, **spec):
    d = deploy(name, sel=sel)
    d["kind"] = "StatefulSet"
    d["spec"]["serviceName"] = "web"
    d["spec"].update(spec)
    return d
add(F, "valid: StatefulSet", sts("wl-sts"))
add(F, "invalid: StatefulSet selector mismatch", sts("wl-sts-mismatch", sel={"app": "x"}))
add(F, "invalid: StatefulSet podManagementPolicy", sts("wl-sts-pmp", podManagementPolicy="Random"))
add(F, "valid: StatefulSet Parallel", sts("wl-sts-parallel", podManagementPolicy="Parallel"))
add(F, "invalid: StatefulSet OnDelete with rollingUpdate", sts("wl-sts-ondelete", updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 1}}))
add(F, "invalid: StatefulSet negative partition", sts("wl-sts-partition", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}))
add(F, "invalid: StatefulSet retention policy", sts("wl-sts-retain", persistentVolumeClaimRetentionPolicy={"whenDeleted": "Keep"}))
add(F, "invalid: StatefulSet restartPolicy OnFailure", sts("wl-sts-restart"))
files[F][-1][2]["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
def job(name, **spec):
    j = {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(name),
         "spec": {"template": {"spec": podspec(restartPolicy="Never")}}}
    j["spec"].update(spec)
    return j
add(F, "valid: Job", job("wl-job"))
j = job("wl-job-always"); j["spec"]["template"]["spec"]["restartPolicy"] = "Always"
add(F, "invalid: Job restartPolicy Always", j)
j = job("wl-job-norestart"); del j["spec"]["template"]["spec"]["restartPolicy"]
add(F, "invalid: Job without restartPolicy", j)
add(F, "invalid: Job negative backoffLimit", job("wl-job-backoff", backoffLimit=-1))
add(F, "invalid: Job negative parallelism", job("wl-job-par", parallelism=-1))
add(F, "valid: Job Indexed without completions or parallelism (completions defaults to 1)", job("wl-job-indexed", completionMode="Indexed"))
add(F, "invalid: Job Indexed with parallelism and without completions", job("wl-job-indexed-par", completionMode="Indexed", parallelism=2))
add(F, "invalid: Job backoffLimitPerIndex without Indexed", job("wl-job-blpi", backoffLimitPerIndex=1))
add(F, "valid: Job Indexed with completions", job("wl-job-indexed-ok", completionMode="Indexed", completions=3))
add(F, "invalid: Job completionMode", job("wl-job-mode", completionMode="Parallel"))
add(F, "invalid: Job name of 64 characters", job("j" * 64))
add(F, "valid: Job name of 63 characters", job("j" * 63))
j = job("wl-job-pfp", podFailurePolicy={"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]})
j["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
add(F, "invalid: Job podFailurePolicy with restartPolicy OnFailure", j)
def cron(name, schedule="*/5 * * * *", **spec):
    c = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(name),
         "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": podspec(restartPolicy="OnFailure")}}}}}
    c["spec"].update(spec)
    return c
add(F, "valid: CronJob name of 52 characters", cron("c" * 52))
add(F, "invalid: CronJob name of 53 characters", cron("c" * 53))
for i, (s, ok) in enumerate([
        ("0 3 * * *", True), ("*/15 9-17 * * MON-FRI", True), ("@daily", True), ("@hourly", True),
        ("@every 1h30m", True), ("0 0 1 JAN *", True), ("0 0 ? * *", True), ("5,10,15 * * * *", True),
        ("60 * * * *", False), ("* 24 * * *", False), ("* * 0 * *", False), ("* * * 13 *", False),
        ("* * * * 7", False), ("* * * *", False), ("* * * * * *", False), ("@weekday", False),
        ("*/0 * * * *", False), ("5-1 * * * *", False), ("TZ=UTC 0 3 * * *", False), ("CRON_TZ=UTC 0 3 * * *", False),
        ("0 3 * * SUN-SAT", True), ("a * * * *", False)]):
    add(F, ("valid" if ok else "invalid") + ": schedule '%s'" % s, cron("wl-cron-sched-%d" % i, s))
add(F, "valid: timeZone Europe/Berlin", cron("wl-cron-tz", timeZone="Europe/Berlin"))
add(F, "valid: timeZone UTC", cron("wl-cron-tz-utc", timeZone="UTC"))
add(F, "invalid: timeZone Local", cron("wl-cron-tz-local", timeZone="Local"))
add(F, "invalid: timeZone Mars/Olympus", cron("wl-cron-tz-mars", timeZone="Mars/Olympus"))
add(F, "invalid: empty timeZone", cron("wl-cron-tz-empty", timeZone=""))
add(F, "invalid: timeZone with a typo", cron("wl-cron-tz-typo", timeZone="Europe/Berln"))
add(F, "valid: timeZone of three parts", cron("wl-cron-tz-3", timeZone="America/Argentina/Buenos_Aires"))
add(F, "valid: timeZone of the old names", cron("wl-cron-tz-old", timeZone="US/Pacific"))
add(F, "invalid: concurrencyPolicy", cron("wl-cron-cp", concurrencyPolicy="Never"))
add(F, "valid: concurrencyPolicy Forbid", cron("wl-cron-cp-ok", concurrencyPolicy="Forbid"))
add(F, "invalid: negative successfulJobsHistoryLimit", cron("wl-cron-hist", successfulJobsHistoryLimit=-1))
c = cron("wl-cron-restart"); c["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Always"
add(F, "invalid: CronJob restartPolicy Always", c)
c = cron("wl-cron-sel"); c["spec"]["jobTemplate"]["spec"]["selector"] = {"matchLabels": {"a": "b"}}
add(F, "invalid: CronJob jobTemplate with a selector", c)

# ---------------- Service ----------------
F = "service.yaml"
def svc(name, **spec):
    s = {"apiVersion": "v1", "kind": "Service", "metadata": meta(name),
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
    s["spec"].update(spec)
    return s
add(F, "valid: ClusterIP", svc("svc-ok"))
add(F, "invalid: name starting with a digit (DNS-1035)", svc("1svc"))
add(F, "invalid: name with a dot", svc("svc.dot"))
add(F, "valid: named targetPort", svc("svc-named-target", ports=[{"port": 80, "targetPort": "http"}]))
add(F, "invalid: targetPort name too long", svc("svc-target-long", ports=[{"port": 80, "targetPort": "http-port-name-x"}]))
add(F, "invalid: port 0", svc("svc-port0", ports=[{"port": 0}]))
add(F, "invalid: port 65536", svc("svc-port-big", ports=[{"port": 65536}]))
add(F, "invalid: two ports without names", svc("svc-unnamed", ports=[{"port": 80}, {"port": 443}]))
add(F, "valid: two named ports", svc("svc-named", ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}]))
add(F, "invalid: duplicate port names", svc("svc-dupname", ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}]))
add(F, "invalid: duplicate port and protocol", svc("svc-dupport", ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80}]))
add(F, "valid: same port, TCP and UDP", svc("svc-tcp-udp", ports=[{"name": "a", "port": 53}, {"name": "b", "port": 53, "protocol": "UDP"}]))
add(F, "invalid: port name upper case", svc("svc-portname-upper", ports=[{"name": "HTTP", "port": 80}]))
add(F, "invalid: protocol", svc("svc-proto", ports=[{"port": 80, "protocol": "ICMP"}]))
add(F, "invalid: type", svc("svc-type", type="Internal"))
add(F, "valid: NodePort", svc("svc-nodeport", type="NodePort"))
add(F, "invalid: nodePort on ClusterIP", svc("svc-nodeport-cip", ports=[{"port": 80, "nodePort": 30080}]))
add(F, "valid: headless without ports", svc("svc-headless", clusterIP="None", ports=[]))
add(F, "invalid: no ports", svc("svc-noports", ports=[]))
add(F, "invalid: headless NodePort", svc("svc-headless-np", type="NodePort", clusterIP="None"))
add(F, "valid: ExternalName", {"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-ext"),
    "spec": {"type": "ExternalName", "externalName": "db.example.com"}})
add(F, "valid: ExternalName with trailing dot", {"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-ext-dot"),
    "spec": {"type": "ExternalName", "externalName": "db.example.com."}})
add(F, "invalid: ExternalName without externalName", {"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-ext-none"),
    "spec": {"type": "ExternalName"}})
add(F, "invalid: ExternalName upper case", {"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-ext-upper"),
    "spec": {"type": "ExternalName", "externalName": "DB.example.com"}})
add(F, "invalid: ExternalName with clusterIP", {"apiVersion": "v1", "kind": "Service", "metadata": meta("svc-ext-cip"),
    "spec": {"type": "ExternalName", "externalName": "db.example.com", "clusterIP": "None"}})
add(F, "invalid: clusterIP not an address", svc("svc-cip-bad", clusterIP="10.0.0.300"))
add(F, "invalid: sessionAffinity", svc("svc-aff", sessionAffinity="Cookie"))
add(F, "invalid: sessionAffinityConfig without ClientIP", svc("svc-affcfg", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}}))
add(F, "valid: ClientIP affinity", svc("svc-aff-ok", sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}}))
add(F, "invalid: affinity timeout over a day", svc("svc-aff-long", sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 90000}}))
add(F, "invalid: externalTrafficPolicy on ClusterIP", svc("svc-etp", externalTrafficPolicy="Local"))
add(F, "valid: externalTrafficPolicy on NodePort", svc("svc-etp-np", type="NodePort", externalTrafficPolicy="Local"))
add(F, "invalid: internalTrafficPolicy", svc("svc-itp", internalTrafficPolicy="Node"))
add(F, "invalid: selector key", svc("svc-sel", selector={"bad key": "x"}))
add(F, "invalid: loadBalancerSourceRanges on ClusterIP", svc("svc-lbsr", loadBalancerSourceRanges=["10.0.0.0/8"]))
add(F, "invalid: LoadBalancer on port 10250", svc("svc-lb-10250", type="LoadBalancer", ports=[{"port": 10250}]))
add(F, "valid: LoadBalancer", svc("svc-lb", type="LoadBalancer", loadBalancerSourceRanges=["203.0.113.0/24"]))
add(F, "invalid: appProtocol with a space", svc("svc-appproto", ports=[{"port": 80, "appProtocol": "my proto"}]))
add(F, "invalid: ipFamilyPolicy", svc("svc-ifp", ipFamilyPolicy="DualStack"))

# ---------------- NetworkPolicy ----------------
F = "networkpolicy.yaml"
def np(name, **spec):
    o = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name),
         "spec": {"podSelector": {}}}
    o["spec"].update(spec)
    return o
add(F, "valid: default deny", np("np-deny", policyTypes=["Ingress", "Egress"]))
add(F, "invalid: policyType", np("np-ptype", policyTypes=["Inbound"]))
add(F, "invalid: three policyTypes", np("np-ptype3", policyTypes=["Ingress", "Egress", "Ingress"]))
add(F, "valid: ipBlock with except", np("np-ipblock", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}]}]))
add(F, "invalid: except outside cidr", np("np-except-out", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}}]}]))
add(F, "invalid: except equal to cidr", np("np-except-eq", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/16"]}}]}]))
add(F, "invalid: except wider than cidr", np("np-except-wide", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8"]}}]}]))
add(F, "invalid: cidr not a CIDR", np("np-cidr-bad", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0"}}]}]))
add(F, "invalid: cidr prefix 33", np("np-cidr-33", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]))
add(F, "valid: IPv6 ipBlock", np("np-v6", egress=[{"to": [{"ipBlock": {"cidr": "2001:db8::/32", "except": ["2001:db8:1::/48"]}}]}]))
add(F, "invalid: IPv4 except in IPv6 cidr", np("np-v6-mixed", egress=[{"to": [{"ipBlock": {"cidr": "2001:db8::/32", "except": ["10.0.0.0/8"]}}]}]))
add(F, "valid: host address in cidr", np("np-host", egress=[{"to": [{"ipBlock": {"cidr": "192.0.2.10/32"}}]}]))
add(F, "invalid: ipBlock with podSelector", np("np-ipblock-pod", ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]))
add(F, "valid: podSelector and namespaceSelector together", np("np-pod-ns", ingress=[{"from": [{"podSelector": {}, "namespaceSelector": {"matchLabels": {"a": "b"}}}]}]))
add(F, "invalid: empty peer", np("np-peer-empty", ingress=[{"from": [{}]}]))
add(F, "valid: ports", np("np-ports", ingress=[{"ports": [{"port": 80}, {"port": "http", "protocol": "TCP"}]}]))
add(F, "valid: endPort", np("np-endport", egress=[{"ports": [{"port": 8000, "endPort": 9000}]}]))
add(F, "invalid: endPort below port", np("np-endport-below", egress=[{"ports": [{"port": 8080, "endPort": 80}]}]))
add(F, "invalid: endPort without port", np("np-endport-noport", egress=[{"ports": [{"endPort": 80}]}]))
add(F, "invalid: endPort with a named port", np("np-endport-named", egress=[{"ports": [{"port": "http", "endPort": 90}]}]))
add(F, "invalid: endPort over 65535", np("np-endport-big", egress=[{"ports": [{"port": 80, "endPort": 70000}]}]))
add(F, "invalid: port 0", np("np-port0", egress=[{"ports": [{"port": 0}]}]))
add(F, "invalid: port name upper case", np("np-port-upper", egress=[{"ports": [{"port": "HTTP"}]}]))
add(F, "invalid: port given as a digit string", np("np-port-str", egress=[{"ports": [{"port": "80"}]}]))
add(F, "invalid: protocol", np("np-proto", egress=[{"ports": [{"port": 80, "protocol": "ICMP"}]}]))
add(F, "invalid: podSelector label value", np("np-podsel", podSelector={"matchLabels": {"app": "a b"}}))
add(F, "invalid: namespaceSelector operator", np("np-nssel", ingress=[{"from": [{"namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "Has"}]}}]}]))

# ---------------- Ingress ----------------
F = "ingress.yaml"
def ing(name, **spec):
    o = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(name), "spec": {}}
    o["spec"].update(spec)
    return o
def rule(host="web.example.com", path="/", pt="Prefix", backend=None):
    p = {"path": path, "backend": backend or {"service": {"name": "web", "port": {"number": 80}}}}
    if pt is not None:
        p["pathType"] = pt
    r = {"http": {"paths": [p]}}
    if host is not None:
        r["host"] = host
    return r
add(F, "valid: one rule", ing("ing-ok", rules=[rule()]))
add(F, "valid: wildcard host", ing("ing-wild", rules=[rule("*.example.com")]))
add(F, "invalid: host with a port", ing("ing-port", rules=[rule("web.example.com:443")]))
add(F, "invalid: IP host", ing("ing-ip", rules=[rule("192.0.2.1")]))
add(F, "invalid: upper-case host", ing("ing-upper", rules=[rule("Web.example.com")]))
add(F, "invalid: wildcard in the middle", ing("ing-wild-mid", rules=[rule("web.*.example.com")]))
add(F, "invalid: no rules, no defaultBackend", ing("ing-empty"))
add(F, "valid: defaultBackend only", ing("ing-default", defaultBackend={"service": {"name": "web", "port": {"name": "http"}}}))
add(F, "invalid: path without pathType", ing("ing-nopt", rules=[rule(pt=None)]))
add(F, "invalid: pathType", ing("ing-pt", rules=[rule(pt="Regex")]))
add(F, "invalid: Prefix path not absolute", ing("ing-rel", rules=[rule(path="api")]))
add(F, "invalid: path with '//'", ing("ing-dslash", rules=[rule(path="/a//b")]))
add(F, "invalid: path ending in '/..'", ing("ing-dotdot", rules=[rule(path="/a/..")]))
add(F, "valid: ImplementationSpecific regex path", ing("ing-impl", rules=[rule(path="/api(/|$)(.*)", pt="ImplementationSpecific")]))
add(F, "invalid: backend without port", ing("ing-noport", rules=[rule(backend={"service": {"name": "web", "port": {}}})]))
add(F, "invalid: backend with port name and number", ing("ing-both", rules=[rule(backend={"service": {"name": "web", "port": {"name": "http", "number": 80}}})]))
add(F, "invalid: backend Service name with a dot", ing("ing-svcname", rules=[rule(backend={"service": {"name": "web.svc", "port": {"number": 80}}})]))
add(F, "invalid: backend port name too long", ing("ing-portname", rules=[rule(backend={"service": {"name": "web", "port": {"name": "a-very-long-port-name"}}})]))
add(F, "invalid: tls host with a port", ing("ing-tls", rules=[rule()], tls=[{"hosts": ["web.example.com:443"], "secretName": "tls"}]))
add(F, "valid: tls", ing("ing-tls-ok", rules=[rule()], tls=[{"hosts": ["web.example.com"], "secretName": "tls"}]))
add(F, "invalid: ingressClassName upper case", ing("ing-class", rules=[rule()], ingressClassName="Nginx"))
add(F, "invalid: http without paths", ing("ing-nopaths", rules=[{"host": "a.example.com", "http": {"paths": []}}]))

# ---------------- RBAC ----------------
F = "rbac.yaml"
def role(name, rules, kind="Role"):
    o = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(name), "rules": rules}
    if kind == "ClusterRole":
        del o["metadata"]["namespace"]
    return o
R = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}
add(F, "valid: Role", role("rbac-role", [R]))
add(F, "valid: Role name with a colon and upper case (path segment)", role("Rbac:Reader", [R]))
add(F, "invalid: Role name with a slash", role("rbac/reader", [R]))
add(F, "invalid: rule without verbs", role("rbac-noverbs", [{"apiGroups": [""], "resources": ["pods"], "verbs": []}]))
add(F, "invalid: rule without apiGroups", role("rbac-nogroups", [{"resources": ["pods"], "verbs": ["get"]}]))
add(F, "invalid: rule without resources", role("rbac-nores", [{"apiGroups": [""], "verbs": ["get"]}]))
add(F, "invalid: Role with nonResourceURLs", role("rbac-nonres", [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]))
add(F, "valid: ClusterRole with nonResourceURLs", role("rbac-cr-nonres", [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}], "ClusterRole"))
add(F, "invalid: ClusterRole mixing resources and URLs", role("rbac-cr-mixed", [{"nonResourceURLs": ["/healthz"], "resources": ["pods"], "verbs": ["get"]}], "ClusterRole"))
cr = role("rbac-cr-agg", [], "ClusterRole"); cr["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate": "true"}}]}
add(F, "valid: aggregated ClusterRole", cr)
cr = role("rbac-cr-agg-bad", [], "ClusterRole"); cr["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"bad key": "true"}}]}
add(F, "invalid: aggregationRule selector", cr)
def rb(name, subjects, ref=None, kind="RoleBinding"):
    o = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(name),
         "roleRef": ref or {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "rbac-role"},
         "subjects": subjects}
    if kind == "ClusterRoleBinding":
        del o["metadata"]["namespace"]
    return o
SA = {"kind": "ServiceAccount", "name": "web", "namespace": NS}
add(F, "valid: RoleBinding", rb("rbac-rb", [SA]))
add(F, "valid: Group subject without apiGroup", rb("rbac-rb-group", [{"kind": "Group", "name": "devs"}]))
add(F, "valid: User subject with apiGroup", rb("rbac-rb-user", [{"kind": "User", "name": "alice@example.com", "apiGroup": "rbac.authorization.k8s.io"}]))
add(F, "invalid: User subject with another apiGroup", rb("rbac-rb-user-group", [{"kind": "User", "name": "alice", "apiGroup": "example.com"}]))
add(F, "invalid: ServiceAccount subject with apiGroup", rb("rbac-rb-sa-group", [dict(SA, apiGroup="rbac.authorization.k8s.io")]))
add(F, "invalid: subject kind", rb("rbac-rb-kind", [{"kind": "Robot", "name": "r"}]))
add(F, "invalid: subject without name", rb("rbac-rb-noname", [{"kind": "Group", "name": ""}]))
add(F, "invalid: ServiceAccount subject name", rb("rbac-rb-sa-name", [dict(SA, name="Web_SA")]))
add(F, "valid: ServiceAccount subject without namespace in a RoleBinding", rb("rbac-rb-sa-nons", [{"kind": "ServiceAccount", "name": "web"}]))
add(F, "invalid: roleRef kind", rb("rbac-rb-refkind", [SA], {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "x"}))
add(F, "invalid: roleRef apiGroup", rb("rbac-rb-refgroup", [SA], {"apiGroup": "example.com", "kind": "Role", "name": "x"}))
add(F, "invalid: roleRef name with a slash", rb("rbac-rb-refname", [SA], {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "a/b"}))
add(F, "valid: ClusterRoleBinding", rb("rbac-crb", [SA], {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "ClusterRoleBinding"))
add(F, "invalid: ClusterRoleBinding to a Role", rb("rbac-crb-role", [SA], {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"}, "ClusterRoleBinding"))
add(F, "invalid: ClusterRoleBinding ServiceAccount without namespace", rb("rbac-crb-sa-nons", [{"kind": "ServiceAccount", "name": "web"}],
    {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "ClusterRoleBinding"))

# ---------------- ResourceQuota, LimitRange ----------------
F = "quota.yaml"
def rq(name, hard, **spec):
    o = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(name), "spec": {"hard": hard}}
    o["spec"].update(spec)
    return o
add(F, "valid: quota", rq("rq-ok", {"requests.cpu": "4", "limits.memory": "8Gi", "pods": "20", "count/deployments.apps": "5"}))
add(F, "valid: bare-number quantities", rq("rq-bare", {"requests.cpu": 4, "pods": 20}))
add(F, "invalid: unknown resource without domain", rq("rq-unknown", {"deployments": "5"}))
add(F, "invalid: fractional pods", rq("rq-frac", {"pods": "1.5"}))
add(F, "invalid: negative quantity", rq("rq-neg", {"requests.memory": "-1Gi"}))
add(F, "invalid: quantity syntax", rq("rq-syntax", {"requests.memory": "8 GB"}))
add(F, "valid: extended resource quota", rq("rq-ext", {"requests.example.com/gpu": "2"}))
add(F, "invalid: scope", rq("rq-scope", {"pods": "5"}, scopes=["Everything"]))
add(F, "invalid: conflicting scopes", rq("rq-scope-conf", {"pods": "5"}, scopes=["Terminating", "NotTerminating"]))
add(F, "valid: BestEffort scope", rq("rq-scope-be", {"pods": "5"}, scopes=["BestEffort"]))
def lr(name, *limits):
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": meta(name), "spec": {"limits": list(limits)}}
add(F, "valid: container limits", lr("lr-ok", {"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
    "defaultRequest": {"cpu": "100m", "memory": "128Mi"}, "max": {"cpu": "2", "memory": "2Gi"}, "min": {"cpu": "10m"}}))
add(F, "invalid: default above max", lr("lr-default-max", {"type": "Container", "default": {"cpu": "4"}, "max": {"cpu": "2"}}))
add(F, "invalid: min above max", lr("lr-min-max", {"type": "Container", "min": {"memory": "4Gi"}, "max": {"memory": "1Gi"}}))
add(F, "invalid: defaultRequest above default", lr("lr-dr-default", {"type": "Container", "default": {"cpu": "100m"}, "defaultRequest": {"cpu": "200m"}}))
add(F, "invalid: default for Pod type", lr("lr-pod-default", {"type": "Pod", "default": {"cpu": "1"}}))
add(F, "invalid: type", lr("lr-type", {"type": "Node", "max": {"cpu": "1"}}))
add(F, "valid: PVC storage limits", lr("lr-pvc", {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}, "min": {"storage": "1Gi"}}))
add(F, "invalid: PVC limit without storage", lr("lr-pvc-nostorage", {"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}))
add(F, "invalid: maxLimitRequestRatio below 1", lr("lr-ratio", {"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}}))
add(F, "valid: maxLimitRequestRatio 2", lr("lr-ratio-ok", {"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}}))
add(F, "invalid: negative max", lr("lr-neg", {"type": "Container", "max": {"cpu": "-1"}}))
add(F, "invalid: min above defaulted defaultRequest", lr("lr-min-default", {"type": "Container", "min": {"cpu": "2"}, "default": {"cpu": "1"}}))

# ---------------- PVC, PDB, HPA, ServiceAccount ----------------
F = "misc.yaml"
def pvc(name, **spec):
    o = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(name),
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    o["spec"].update(spec)
    return o
add(F, "valid: PVC", pvc("pvc-ok"))
add(F, "invalid: PVC without accessModes", pvc("pvc-noaccess", accessModes=[]))
add(F, "invalid: PVC access mode", pvc("pvc-mode", accessModes=["ReadWriteSome"]))
add(F, "invalid: ReadWriteOncePod with another mode", pvc("pvc-rwop", accessModes=["ReadWriteOncePod", "ReadWriteOnce"]))
add(F, "invalid: PVC without storage request", pvc("pvc-nostorage", resources={"requests": {}}))
add(F, "invalid: PVC storage 0", pvc("pvc-zero", resources={"requests": {"storage": "0"}}))
add(F, "invalid: PVC volumeMode", pvc("pvc-vm", volumeMode="Raw"))
add(F, "invalid: storageClassName upper case", pvc("pvc-sc", storageClassName="Fast_SSD"))
add(F, "valid: storageClassName empty", pvc("pvc-sc-empty", storageClassName=""))
def pdb(name, **spec):
    o = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(name),
         "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    o["spec"].update(spec)
    return o
add(F, "valid: PDB minAvailable", pdb("pdb-min", minAvailable=1))
add(F, "valid: PDB maxUnavailable percent", pdb("pdb-pct", maxUnavailable="50%"))
add(F, "invalid: PDB both set", pdb("pdb-both", minAvailable=1, maxUnavailable=1))
add(F, "invalid: PDB over 100%", pdb("pdb-over", minAvailable="120%"))
add(F, "invalid: PDB string not a percentage", pdb("pdb-str", minAvailable="one"))
add(F, "invalid: PDB negative", pdb("pdb-neg", maxUnavailable=-1))
add(F, "invalid: PDB eviction policy", pdb("pdb-policy", minAvailable=1, unhealthyPodEvictionPolicy="Never"))
add(F, "invalid: PDB selector key", pdb("pdb-sel", selector={"matchLabels": {"bad key": "x"}}))
def hpa(name, **spec):
    o = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(name),
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                  "minReplicas": 1, "maxReplicas": 5,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}
    o["spec"].update(spec)
    return o
add(F, "valid: HPA", hpa("hpa-ok"))
add(F, "invalid: HPA maxReplicas below minReplicas", hpa("hpa-minmax", minReplicas=5, maxReplicas=2))
add(F, "invalid: HPA minReplicas 0", hpa("hpa-min0", minReplicas=0))
add(F, "invalid: HPA maxReplicas 0", hpa("hpa-max0", maxReplicas=0, minReplicas=None))
files[F][-1][2]["spec"].pop("minReplicas")
add(F, "invalid: HPA metric type without its source", hpa("hpa-nosrc", metrics=[{"type": "Pods"}]))
add(F, "invalid: HPA Utilization without averageUtilization", hpa("hpa-util", metrics=[{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]))
add(F, "invalid: HPA averageUtilization 0", hpa("hpa-util0", metrics=[{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}}]))
add(F, "invalid: HPA metric type", hpa("hpa-mtype", metrics=[{"type": "Custom"}]))
add(F, "invalid: HPA scaleTargetRef without name", hpa("hpa-noref", scaleTargetRef={"apiVersion": "apps/v1", "kind": "Deployment", "name": ""}))
add(F, "valid: HPA behavior", hpa("hpa-beh", behavior={"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}))
add(F, "invalid: HPA stabilization window over an hour", hpa("hpa-beh-window", behavior={"scaleDown": {"stabilizationWindowSeconds": 4000}}))
add(F, "invalid: HPA policy period over 30 minutes", hpa("hpa-beh-period", behavior={"scaleUp": {"policies": [{"type": "Pods", "value": 4, "periodSeconds": 3600}]}}))
add(F, "invalid: HPA selectPolicy", hpa("hpa-beh-select", behavior={"scaleUp": {"selectPolicy": "Avg"}}))
add(F, "valid: HPA AverageValue memory", hpa("hpa-avgval", metrics=[{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}}]))
add(F, "valid: ServiceAccount", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("sa-ok"), "imagePullSecrets": [{"name": "regcred"}]})
add(F, "invalid: ServiceAccount name upper case", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("SA-Web")})
add(F, "valid: ServiceAccount name with dots", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("sa.web")})


# ---------------- more edge cases ----------------
F = "edge.yaml"
add(F, "valid: quantities as strings with fractions", deploy("edge-qty", pod_mut(setc(resources={"requests": {"cpu": "0.5", "memory": "1.5Gi"}, "limits": {"cpu": "+1", "memory": "2Gi"}}))))
add(F, "valid: label key with a long prefix", cm("edge-long-prefix", metadata=meta("edge-long-prefix", labels={("a" * 60 + ".example.com/k"): "v"})))
add(F, "invalid: label name part of 64 characters", cm("edge-long-name", metadata=meta("edge-long-name", labels={("k" * 64): "v"})))
add(F, "valid: annotation value with spaces and newlines", cm("edge-ann-text", metadata=meta("edge-ann-text", annotations={"note": "a b\nc"})))
add(F, "valid: env name with dots", deploy("edge-env-dots", pod_mut(setc(env=[{"name": "spring.profiles.active", "value": "prod"}]))))
add(F, "valid: probe on a named port", deploy("edge-probe-named", pod_mut(setc(ports=[{"containerPort": 8080, "name": "h2c"}], livenessProbe={"httpGet": {"port": "h2c", "path": "/"}}))))
add(F, "valid: binaryData only", cm("edge-binary-only", data=None, binaryData={"b": "AAEC"}))
files[F][-1][2].pop("data")
add(F, "valid: immutable Secret", dict(sec("edge-immutable", data={"a": "YQ=="}), immutable=True))
add(F, "invalid: container name of 64 characters", deploy("edge-cname-64", pod_mut(setc(name="c" * 64))))
add(F, "invalid: volume name with a dot", deploy("edge-vol-dot", pod_mut(vols({"name": "a.b", "emptyDir": {}}))))
add(F, "invalid: configMapKeyRef key starting with '..'", deploy("edge-cmkey", pod_mut(setc(env=[{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "..a"}}}]))))
add(F, "invalid: Secret key starting with '..'", sec("edge-sec-dotdot", data={"..a": "YQ=="}))
add(F, "invalid: Ingress path with '/./'", ing("edge-ing-dot", rules=[rule(path="/a/./b")]))
add(F, "invalid: Ingress with empty rules and no backend", ing("edge-ing-norules", rules=[]))
add(F, "valid: Ingress rule without host", ing("edge-ing-nohost", rules=[rule(host=None)]))
add(F, "valid: Ingress Exact path", ing("edge-ing-exact", rules=[rule(path="/healthz", pt="Exact")]))
add(F, "valid: NetworkPolicy allowing all ingress", np("edge-np-allow", ingress=[{}], policyTypes=["Ingress"]))
add(F, "valid: NetworkPolicy with an empty egress peer list", np("edge-np-egress", egress=[{"to": []}]))
add(F, "valid: NetworkPolicy podSelector by expression", np("edge-np-expr", podSelector={"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["db"]}]}))
add(F, "valid (the API server warns): ipBlock cidr with host bits", np("edge-np-hostbits", egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.1/24"}}]}]))
add(F, "valid (the API server warns): ipBlock cidr with leading zeros", np("edge-np-zeros", egress=[{"to": [{"ipBlock": {"cidr": "010.0.0.0/8"}}]}]))
add(F, "valid: RoleBinding to a ClusterRole", rb("edge-rb-cr", [SA], {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}))
add(F, "valid: ClusterRole without rules", role("edge-cr-empty", [], "ClusterRole"))
add(F, "valid: Role with resourceNames", role("edge-role-names", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]}]))
add(F, "valid: PDB maxUnavailable 0", pdb("edge-pdb-0", maxUnavailable=0))
add(F, "valid: HPA without minReplicas", hpa("edge-hpa-nomin"))
files[F][-1][2]["spec"].pop("minReplicas")
add(F, "valid: CronJob @yearly", cron("edge-cron-yearly", "@yearly"))
add(F, "valid: Job ttlSecondsAfterFinished 0", job("edge-job-ttl", ttlSecondsAfterFinished=0))
add(F, "valid: StatefulSet with volumeClaimTemplates", sts("edge-sts-vct", volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]))
add(F, "valid: DaemonSet maxSurge percent", ds("edge-ds-surge", us={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "10%"}}))
add(F, "valid: Deployment maxUnavailable 100%", deploy("edge-dep-100", lambda d: d["spec"].update(strategy={"rollingUpdate": {"maxUnavailable": "100%"}})))
add(F, "valid: Service port name with digits", svc("edge-svc-portname", ports=[{"name": "http-8080", "port": 8080}]))
add(F, "invalid: Service port name of 64 characters", svc("edge-svc-portname-long", ports=[{"name": "p" * 64, "port": 8080}]))
add(F, "valid: Service targetPort 0 (defaulted to port)", svc("edge-svc-target0", ports=[{"port": 80, "targetPort": 0}]))
add(F, "valid: Service clusterIP in the service range", svc("edge-svc-cip", clusterIP="10.96.0.50"))
add(F, "valid: Service with externalIPs and externalTrafficPolicy", svc("edge-svc-extip", externalIPs=["192.0.2.10"], externalTrafficPolicy="Local"))
add(F, "valid: container with an empty env value", deploy("edge-env-empty", pod_mut(setc(env=[{"name": "A", "value": ""}]))))
add(F, "valid: init container using a volume", deploy("edge-init-vol", pod_mut(lambda s: (vols({"name": "v", "emptyDir": {}})(s), s.update(initContainers=[container("init", volumeMounts=[{"name": "v", "mountPath": "/v"}])])))))
add(F, "invalid: init container mounting a missing volume", deploy("edge-init-novol", pod_mut(lambda s: s.update(initContainers=[container("init", volumeMounts=[{"name": "v", "mountPath": "/v"}])]))))
add(F, "valid: two init containers with the same hostPort (they run one by one)", deploy("edge-init-hostport", pod_mut(lambda s: s.update(initContainers=[container("i1", ports=[{"containerPort": 1, "hostPort": 9000}]), container("i2", ports=[{"containerPort": 1, "hostPort": 9000}])]))))
add(F, "valid: LimitRange default for PersistentVolumeClaim storage", lr("edge-lr-pvc-default", {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}, "default": {"storage": "1Gi"}}))
add(F, "invalid: LimitRange type twice", lr("edge-lr-twice", {"type": "Container", "max": {"cpu": "1"}}, {"type": "Container", "max": {"cpu": "2"}}))
add(F, "valid: LimitRange min only (defaultRequest from min)", lr("edge-lr-min", {"type": "Container", "min": {"cpu": "100m"}}))
add(F, "invalid: LimitRange min above max given as default", lr("edge-lr-min-def", {"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}))
add(F, "valid: ResourceQuota with scopeSelector", rq("edge-rq-scopesel", {"pods": "5"}, scopeSelector={"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}))
add(F, "valid: Secret type with a custom domain and data", sec("edge-sec-type", "example.com/token", data={"t": "dA=="}))
add(F, "valid: tolerations Exists without key", deploy("edge-tol-all", pod_mut(lambda s: s.update(tolerations=[{"operator": "Exists"}]))))
add(F, "valid: topologyKey with a prefix and ScheduleAnyway", deploy("edge-spread", pod_mut(lambda s: s.update(topologySpreadConstraints=[{"maxSkew": 2, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"}]))))
add(F, "invalid: nodeSelector value with a slash", deploy("edge-nodesel-val", pod_mut(lambda s: s.update(nodeSelector={"disk": "a/b"}))))
add(F, "valid: serviceAccountName with dots", deploy("edge-sa-dots", pod_mut(lambda s: s.update(serviceAccountName="web.reader"))))
add(F, "valid: restricted security context", deploy("edge-sc-ok", pod_mut(lambda s: (s.update(securityContext={"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}), s["containers"][0].update(securityContext={"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}})))))
add(F, "invalid: negative runAsUser", deploy("edge-sc-uid", pod_mut(setc(securityContext={"runAsUser": -1}))))
add(F, "invalid: privileged without privilege escalation", deploy("edge-sc-priv", pod_mut(setc(securityContext={"privileged": True, "allowPrivilegeEscalation": False}))))
add(F, "invalid: CAP_SYS_ADMIN without privilege escalation", deploy("edge-sc-sysadmin", pod_mut(setc(securityContext={"allowPrivilegeEscalation": False, "capabilities": {"add": ["CAP_SYS_ADMIN"]}}))))
add(F, "invalid: seccomp Localhost without a profile", deploy("edge-sc-seccomp", pod_mut(lambda s: s.update(securityContext={"seccompProfile": {"type": "Localhost"}}))))
add(F, "valid: seccomp Localhost with a profile", deploy("edge-sc-seccomp-ok", pod_mut(lambda s: s.update(securityContext={"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}}))))
add(F, "invalid: seccomp profile type", deploy("edge-sc-seccomp-type", pod_mut(setc(securityContext={"seccompProfile": {"type": "Strict"}}))))
add(F, "invalid: AppArmor RuntimeDefault with a profile", deploy("edge-sc-apparmor", pod_mut(setc(securityContext={"appArmorProfile": {"type": "RuntimeDefault", "localhostProfile": "x"}}))))
add(F, "invalid: fsGroup over 2147483647", deploy("edge-sc-fsgroup", pod_mut(lambda s: s.update(securityContext={"fsGroup": 4294967296}))))
add(F, "invalid: fsGroupChangePolicy", deploy("edge-sc-fscp", pod_mut(lambda s: s.update(securityContext={"fsGroupChangePolicy": "Never"}))))
add(F, "invalid: procMount", deploy("edge-sc-procmount", pod_mut(setc(securityContext={"procMount": "Masked"}))))
AFF_REQ = {"nodeSelectorTerms": [{"matchExpressions": [{"key": "node-role.example.com/web", "operator": "Exists"}]}]}
add(F, "valid: node and pod anti-affinity", deploy("edge-aff-ok", pod_mut(lambda s: s.update(affinity={
    "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": AFF_REQ,
                     "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 50, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}}]},
    "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}}}}]}}))))
add(F, "invalid: required node affinity without terms", deploy("edge-aff-noterms", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}))))
add(F, "invalid: node selector Gt with two values", deploy("edge-aff-gt", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["1", "2"]}]}]}}}))))
add(F, "valid: node selector Gt with one value", deploy("edge-aff-gt-ok", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}]}}}))))
add(F, "invalid: node selector operator", deploy("edge-aff-op", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "Equals", "values": ["a"]}]}]}}}))))
add(F, "invalid: node field selector key", deploy("edge-aff-field", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.uid", "operator": "In", "values": ["x"]}]}]}}}))))
add(F, "invalid: preferred weight 0", deploy("edge-aff-weight", pod_mut(lambda s: s.update(affinity={"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}]}}))))
add(F, "invalid: pod affinity term without topologyKey", deploy("edge-aff-notopo", pod_mut(lambda s: s.update(affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "web"}}}]}}))))
add(F, "invalid: required node affinity label value", deploy("edge-aff-value", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a b"]}]}]}}}))))
add(F, "valid: preferred node affinity with an odd label value", deploy("edge-aff-pref-value", pod_mut(lambda s: s.update(affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a b"]}]}}]}}))))
add(F, "invalid: priorityClassName upper case", deploy("edge-prio", pod_mut(lambda s: s.update(priorityClassName="High"))))

F = "versions.yaml"
KS = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "ver-ks", "namespace": NS},
      "spec": {"interval": "10m", "path": "./apps", "prune": True, "sourceRef": {"kind": "GitRepository", "name": "repo"}}}
add(F, "valid: Flux Kustomization v1", KS)
k2 = copy.deepcopy(KS); k2["apiVersion"] = "kustomize.toolkit.fluxcd.io/v1beta1"; k2["metadata"]["name"] = "ver-ks-beta"
add(F, "invalid: Flux Kustomization in a version the CRD does not have", k2)
k3 = copy.deepcopy(KS); k3["kind"] = "Kustomisation"; k3["metadata"]["name"] = "ver-ks-typo"
add(F, "invalid: kind with a typo", k3)
k4 = copy.deepcopy(KS); k4["apiVersion"] = "kustomize.fluxcd.io/v1"; k4["metadata"]["name"] = "ver-ks-group"
add(F, "invalid: group with a typo", k4)
add(F, "invalid: ClusterImagePolicy in group sigstore.dev", {"apiVersion": "sigstore.dev/v1beta1", "kind": "ClusterImagePolicy",
    "metadata": {"name": "ver-cip"}, "spec": {"images": [{"glob": "ghcr.io/example/**"}]}})
d = deploy("ver-dep-beta"); d["apiVersion"] = "apps/v1beta2"
add(F, "invalid: Deployment in apps/v1beta2", d)
d = deploy("ver-dep-core"); d["apiVersion"] = "v1"
add(F, "invalid: Deployment in the core group", d)
d = deploy("ver-dep-typo"); d["kind"] = "Deploymnet"
add(F, "invalid: kind Deploymnet", d)
i = ing("ver-ing-ext", rules=[rule()]); i["apiVersion"] = "extensions/v1beta1"
add(F, "invalid: Ingress in extensions/v1beta1", i)
h = hpa("ver-hpa-v1"); h["apiVersion"] = "autoscaling/v1"; h["spec"] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 3, "targetCPUUtilizationPercentage": 50}
add(F, "valid: HPA autoscaling/v1", h)

# write: strings that YAML 1.1 (Go's sigs.k8s.io/yaml) reads as booleans are quoted
BOOL11 = set("y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF".split())
class Dumper(yaml.SafeDumper):
    pass
def str_rep(d, v):
    if v in BOOL11:
        return d.represent_scalar("tag:yaml.org,2002:str", v, style="'")
    return d.represent_scalar("tag:yaml.org,2002:str", v)
Dumper.add_representer(str, str_rep)
os.makedirs(OUT, exist_ok=True)
total = 0
for fname, cases in files.items():
    with open(os.path.join(OUT, fname), "w") as f:
        f.write("# written by gen.py beside this file (see README.md): one object a document,\n"
                "# each after a comment saying what it tries\n")
        for i, (case, note, obj) in enumerate(cases):
            f.write("---\n# %s\n" % case)
            f.write(yaml.dump(obj, Dumper=Dumper, default_flow_style=False, sort_keys=False, width=200))
            total += 1
print(total, "objects")
