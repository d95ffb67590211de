#!/usr/bin/python3
"""Import every realm the example renders into a running Keycloak and check
it through the Admin REST API (tests/interop/keycloak.sh starts the server).

  keycloak_check.py TENANTC REPO BASE_URL ADMIN_USER ADMIN_PASSWORD

For each environment, `tenantc render --stdout --decrypt --env ENV` gives the
objects (decrypted with SOPS_AGE_KEY_FILE, in memory only). Each
KeycloakRealmImport's spec.realm is sent as the operator's import job would
pass it: its ${NAME} placeholders resolved from spec.placeholders, through the
ExternalSecret that makes the named Secret and the rendered Secret it reads.
Then the Admin REST API must show, per tenant.yaml, the realm, its display
name, its realm roles and its clients (type, redirect URIs and, for a
confidential client, the secret). A last self-check imports a realm with a
redirect URI dropped and requires the comparison to see it. Prints ok/FAIL
lines and ends with "N passed, M failed"; a secret value is never printed.
"""
import base64
import glob
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

TENANTC, REPO, BASE, USER, PASSWORD = sys.argv[1:6]
passed = failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok   " + msg)


def bad(msg):
    global failed
    failed += 1
    print("FAIL " + msg)


def token():
    data = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli",
                                   "username": USER, "password": PASSWORD}).encode()
    with urllib.request.urlopen(BASE + "/realms/master/protocol/openid-connect/token",
                                data, timeout=60) as r:
        return json.load(r)["access_token"]


TOKEN = token()


def api(method, path, body=None, retry=True):
    """(status, parsed JSON or text) of an Admin REST API call; the admin
    token lives 60 s (the master realm's default), so a 401 fetches a new one
    and tries once more"""
    global TOKEN
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + "/admin" + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            text = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        status = e.code
    if status == 401 and retry:
        TOKEN = token()
        return api(method, path, body, retry=False)
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


envs = {}
for p in sorted(glob.glob(os.path.join(REPO, "environments", "*.yaml"))):
    e = load(p)
    envs[e["name"]] = e
tenants = {}
for p in sorted(glob.glob(os.path.join(REPO, "tenants", "*", "tenant.yaml"))):
    t = load(p)
    tenants[t["name"]] = t


def merged(base, over):
    """tenantc's merge rule (docs/templates.md): maps merge key by key, lists
    and scalars replace"""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(base[k], v) if k in base else v
    return out


def view(t, env_name):
    """tenant.yaml as environment env_name sees it: its overrides section
    for that environment merged over the rest"""
    base = {k: v for k, v in t.items() if k != "overrides"}
    return merged(base, (t.get("overrides") or {}).get(env_name, {}))


def expected_clients(t, env):
    """clientId -> (type, redirect URIs) as tenant.yaml asks; a public client
    without redirectUris gets https://<tenant>.<domain>/* (docs/templates.md)"""
    out = {}
    for c in t.get("realm", {}).get("clients", []):
        uris = c.get("redirectUris")
        if uris is None and c["type"] == "public":
            uris = ["https://%s.%s/*" % (t["name"], env["domain"])]
        out[c["clientId"]] = (c["type"], sorted(uris or []))
    return out


def resolve(imp, objs):
    """placeholder name -> value, as the operator passes it to the import job"""
    ns = imp["metadata"]["namespace"]
    out = {}
    for name, ref in (imp["spec"].get("placeholders") or {}).items():
        sname, skey = ref["secret"]["name"], ref["secret"]["key"]
        value = None
        for es in objs.get(("ExternalSecret", ns), []):
            if es["spec"].get("target", {}).get("name", es["metadata"]["name"]) != sname:
                continue
            store = es["spec"]["secretStoreRef"]
            stores = [s for s in objs.get((store["kind"], None), []) +
                      objs.get((store["kind"], ns), []) if s["metadata"]["name"] == store["name"]]
            if not stores:
                break
            src_ns = stores[0]["spec"]["provider"]["kubernetes"]["remoteNamespace"]
            for d in es["spec"].get("data", []):
                if d["secretKey"] == skey:
                    value = secret_value(objs, src_ns, d["remoteRef"]["key"],
                                         d["remoteRef"]["property"])
        if value is None:  # a Secret of that name next to the import
            value = secret_value(objs, ns, sname, skey)
        if value is None:
            raise KeyError("placeholder %s: no Secret %s/%s key %s in the output" %
                           (name, ns, sname, skey))
        out[name] = value
    return out


def secret_value(objs, ns, name, key):
    for s in objs.get(("Secret", ns), []):
        if s["metadata"]["name"] != name:
            continue
        if key in (s.get("stringData") or {}):
            return s["stringData"][key]
        if key in (s.get("data") or {}):
            return base64.b64decode(s["data"][key]).decode()
    return None


PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def substitute(node, values):
    if isinstance(node, dict):
        return {k: substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, values) for v in node]
    if isinstance(node, str):
        return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) in values
                               else m.group(0), node)
    return node


def compare(realm, t, env, secrets):
    """the differences between the realm in Keycloak and tenant.yaml"""
    diffs = []
    st, rep = api("GET", "/realms/" + realm)
    if st != 200:
        return ["GET /admin/realms/%s: HTTP %d" % (realm, st)]
    if rep.get("displayName") != t.get("displayName", t["name"]):
        diffs.append("displayName %r" % rep.get("displayName"))
    st, roles = api("GET", "/realms/%s/roles" % realm)
    got_roles = sorted(r["name"] for r in roles if r["name"] not in
                       ("offline_access", "uma_authorization", "default-roles-" + realm))
    if got_roles != sorted(t["realm"].get("roles", [])):
        diffs.append("realm roles %s, tenant.yaml %s" % (got_roles, sorted(t["realm"]["roles"])))
    st, clients = api("GET", "/realms/%s/clients" % realm)
    by_id = {c["clientId"]: c for c in clients}
    for cid, (ctype, uris) in expected_clients(t, env).items():
        c = by_id.get(cid)
        if c is None:
            diffs.append("client %s missing" % cid)
            continue
        if c.get("publicClient") != (ctype == "public"):
            diffs.append("client %s publicClient %s for type %s" % (cid, c.get("publicClient"), ctype))
        if c.get("serviceAccountsEnabled") != (ctype == "service-account"):
            diffs.append("client %s serviceAccountsEnabled %s for type %s" %
                         (cid, c.get("serviceAccountsEnabled"), ctype))
        if sorted(c.get("redirectUris", [])) != uris:
            diffs.append("client %s redirectUris %s, tenant.yaml %s" %
                         (cid, sorted(c.get("redirectUris", [])), uris))
        if ctype != "public":
            st, cs = api("GET", "/realms/%s/clients/%s/client-secret" % (realm, c["id"]))
            if st != 200 or cs.get("value") != secrets.get(cid):
                diffs.append("client %s: its secret is not the rendered Secret's value" % cid)
    return diffs


st, info = api("GET", "/serverinfo")
if st == 200:
    print("peer: Keycloak " + info.get("systemInfo", {}).get("version", "?"))
seen = set()
last = None
for env_name, env in envs.items():
    r = subprocess.run([TENANTC, "render", "--repo", REPO, "--stdout", "--decrypt",
                        "--env", env_name], capture_output=True)
    if r.returncode != 0:
        bad("render --stdout --decrypt --env %s: exit %d: %s" %
            (env_name, r.returncode, r.stderr.decode()[:300]))
        continue
    objs = {}
    for d in yaml.safe_load_all(r.stdout):
        if not isinstance(d, dict):
            continue
        objs.setdefault((d["kind"], d["metadata"].get("namespace")), []).append(d)
    del r
    imports = [d for (k, _), ds in objs.items() if k == "KeycloakRealmImport" for d in ds]
    for imp in imports:
        labels = imp["metadata"].get("labels", {})
        tname = labels.get("tenantc.io/tenant")
        realm = imp["spec"]["realm"]["realm"]
        what = "%s/%s realm %s" % (env_name, tname, realm)
        if tname not in tenants:
            bad("%s: no tenant %r" % (what, tname))
            continue
        seen.add((tname, env_name))
        try:
            values = resolve(imp, objs)
        except KeyError as e:
            bad("%s: %s" % (what, e))
            continue
        rep = substitute(imp["spec"]["realm"], values)
        left = PLACEHOLDER.findall(json.dumps(rep))
        if left:
            bad("%s: placeholders left unresolved: %s" % (what, sorted(set(left))))
        st, body = api("POST", "/realms", rep)
        if st != 201:
            bad("%s: POST /admin/realms: HTTP %d: %s" % (what, st, str(body)[:300]))
            continue
        ok("%s: imported (POST /admin/realms: 201)" % what)
        # the secret of each confidential client, from its placeholder
        secrets = {}
        for c in rep.get("clients", []):
            if "secret" in c:
                secrets[c["clientId"]] = c["secret"]
        diffs = compare(realm, view(tenants[tname], env_name), env, secrets)
        if diffs:
            bad("%s: Keycloak differs from tenant.yaml: %s" % (what, "; ".join(diffs)))
        else:
            n = len(view(tenants[tname], env_name)["realm"].get("clients", []))
            ok("%s: Admin REST API shows the %d clients, roles and redirect URIs of tenant.yaml"
               % (what, n))
        last = (rep, view(tenants[tname], env_name), env, secrets)

for tname, t in tenants.items():
    for env_name in t.get("environments", list(envs)):
        if (tname, env_name) not in seen:
            bad("%s/%s: no KeycloakRealmImport rendered" % (env_name, tname))

# self-check: the comparison sees a redirect URI Keycloak does not have
if last is not None:
    rep, t, env, secrets = last
    rep = json.loads(json.dumps(rep))
    rep["realm"] = "selfcheck-" + rep["realm"]
    for c in rep.get("clients", []):
        if c.get("redirectUris"):
            c["redirectUris"] = c["redirectUris"][1:] or ["https://elsewhere.example.org/*"]
    st, body = api("POST", "/realms", rep)
    diffs = compare(rep["realm"], t, env, secrets) if st == 201 else ["HTTP %d" % st]
    if any("redirectUris" in d for d in diffs):
        ok("self-check: a realm with a redirect URI dropped is reported (%s)" % diffs[0][:80])
    else:
        bad("self-check: a dropped redirect URI went unnoticed: %s" % diffs)
else:
    bad("no realm was imported")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
