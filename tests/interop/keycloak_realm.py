#!/usr/bin/python3
"""Run the realm reconcile Jobs tenantc renders against a real Keycloak and
check the realms through the Admin REST API (tests/interop/keycloak.sh and
keycloak_realm.sh start the server).

  keycloak_realm.py example|lifecycle TENANTC REPO BASE_URL ADMIN_PASSWORD KCADM WORK

Each Job's own script is run: reconcile.sh and its input are taken from the
rendered ConfigMap the Job mounts (`tenantc render --stdout --decrypt`, in
memory), the client secrets from the rendered Secret its ExternalSecret
copies (written, like the Secret volume the Job mounts, to a private tmpfs
folder removed at the end), and kcadm.sh is the peer distribution's.

example: every realm of the example in every environment; the realm
must be what tenant.yaml says (settings, exactly its clients and roles,
redirect URIs, web origins, secrets; a service account's secret gets a
token).

lifecycle: on a copy of the example, acme in test: after the first run a
user (a member of the managed group editors), a client, a role, a group,
a subgroup of editors, a client scope (given to a managed client) and a
realm are made by hand; then a client is added, redirect URIs change, a
role is removed, a group with a subgroup, client roles and a client scope
are added, changed and removed (each step's Job run twice), a client
secret rotated, the tenant removed; each step runs the Jobs that are new, as Flux or
ArgoCD would (its realm disabled, then deleted with
keycloak.removedRealms: delete), and everything re-run twice. After each
step the realm is exactly what the repository says and what was made by
hand is unchanged. Prints ok/FAIL lines and ends with "N passed, M
failed"; a secret value is never printed.
"""
import copy
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

import yaml

MODE, TENANTC, REPO, BASE, PASSWORD, KCADM, WORK = sys.argv[1:8]
USER = "admin"
passed = failed = 0
SHM = tempfile.mkdtemp(prefix="tenantc-kc-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)


def ok(msg):
    global passed
    passed += 1
    print("ok   " + msg, flush=True)


def bad(msg):
    global failed
    failed += 1
    print("FAIL " + msg, flush=True)


def token():
    data = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli",
                                   "username": USER, "password": PASSWORD}).encode()
    with urllib.request.urlopen(BASE + "/realms/master/protocol/openid-connect/token",
                                data, timeout=60) as r:
        return json.load(r)["access_token"]


TOKEN = token()


def api(method, path, body=None, retry=True):
    """(status, parsed JSON or text) of an Admin REST API call; a 401 (the
    admin token lives 60 s) fetches a new token and tries once more"""
    global TOKEN
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + "/admin" + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            text, status = r.read().decode(), r.status
    except urllib.error.HTTPError as e:
        text, status = e.read().decode(), e.code
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


def merged(base, over):
    """tenantc's merge rule: maps merge key by key, lists and scalars replace"""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(base[k], v) if k in base else v
    return out


def view(repo, tname, env_name):
    t = load(os.path.join(repo, "tenants", tname, "tenant.yaml"))
    base = {k: v for k, v in t.items() if k != "overrides"}
    return merged(base, (t.get("overrides") or {}).get(env_name, {}))


def envs_of(repo):
    out = {}
    for p in sorted(glob.glob(os.path.join(repo, "environments", "*.yaml"))):
        e = load(p)
        out[e["name"]] = e
    return out


def render(repo, env_name):
    """the objects of one environment, decrypted, in memory"""
    r = subprocess.run([TENANTC, "render", "--repo", repo, "--stdout", "--decrypt",
                        "--env", env_name], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("render --env %s: exit %d: %s" %
                           (env_name, r.returncode, r.stderr.decode()[:400]))
    return [d for d in yaml.safe_load_all(r.stdout) if isinstance(d, dict)]


def find(objs, kind, name=None, ns=None):
    return [o for o in objs if o["kind"] == kind and
            (name is None or o["metadata"]["name"] == name) and
            (ns is None or o["metadata"].get("namespace") == ns)]


def jobs(objs):
    """(Job, its ConfigMap) of every reconcile Job, realm Jobs first"""
    out = []
    for j in find(objs, "Job"):
        c = j["spec"]["template"]["spec"]["containers"][0]
        if c["command"][:2] != ["/bin/bash", "/reconcile/reconcile.sh"]:
            continue
        vols = {v["name"]: v for v in j["spec"]["template"]["spec"]["volumes"]}
        cm = find(objs, "ConfigMap", vols["input"]["configMap"]["name"],
                  j["metadata"]["namespace"])[0]
        out.append((j, cm))
    out.sort(key=lambda jc: (jc[0]["spec"]["template"]["spec"]["containers"][0]["command"][2]
                             != "realm", jc[0]["metadata"]["name"]))
    return out


def job_secrets(objs, job):
    """clientId -> secret, as the Job's Secret volume holds it: the Secret its
    ExternalSecret makes from the tenant's Secret"""
    ns = job["metadata"]["namespace"]
    vols = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
    if "secrets" not in vols:
        return {}
    sname = vols["secrets"]["secret"]["secretName"]
    es = [e for e in find(objs, "ExternalSecret", ns=ns) if e["spec"]["target"]["name"] == sname]
    if len(es) != 1:
        raise RuntimeError("Job %s mounts Secret %s, which %d ExternalSecrets make" %
                           (job["metadata"]["name"], sname, len(es)))
    store = find(objs, "ClusterSecretStore", es[0]["spec"]["secretStoreRef"]["name"])[0]
    src_ns = store["spec"]["provider"]["kubernetes"]["remoteNamespace"]
    out = {}
    for d in es[0]["spec"]["data"]:
        s = find(objs, "Secret", d["remoteRef"]["key"], src_ns)
        if s and d["remoteRef"]["property"] in s[0].get("stringData", {}):
            out[d["secretKey"]] = s[0]["stringData"][d["remoteRef"]["property"]]
    return out


def run_job(objs, job, cm, extra_env=None):
    """run the Job's command with its ConfigMap and Secret, as its pod would"""
    name = job["metadata"]["name"]
    d = os.path.join(WORK, "in", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for k, v in cm["data"].items():
        with open(os.path.join(d, k), "w") as f:
            f.write(v)
    sd = os.path.join(SHM, name)
    shutil.rmtree(sd, ignore_errors=True)
    os.makedirs(sd, mode=0o700)
    for k, v in job_secrets(objs, job).items():
        fd = os.open(os.path.join(sd, k), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, v.encode())
        os.close(fd)
    c = job["spec"]["template"]["spec"]["containers"][0]
    env = {"PATH": os.environ["PATH"], "JAVA_HOME": os.environ["JAVA_HOME"],
           "HOME": os.path.join(WORK, "home"), "KCADM": KCADM, "KC_WAIT": "120",
           "KC_ADMIN_USER": USER, "KC_CLI_PASSWORD": PASSWORD,
           "RECONCILE_INPUT": d, "RECONCILE_SECRETS": sd, "TMPDIR": WORK}
    for e in c["env"]:
        if "value" in e and e["name"] not in ("HOME", "RECONCILE_INPUT", "RECONCILE_SECRETS"):
            env[e["name"]] = e["value"]
    env["KC_URL"] = BASE  # the server of this test, not the in-cluster Service
    env.update(extra_env or {})
    os.makedirs(env["HOME"], exist_ok=True)
    r = subprocess.run(["bash", os.path.join(d, "reconcile.sh")] + c["command"][2:],
                       env=env, capture_output=True, text=True)
    shutil.rmtree(sd, ignore_errors=True)
    return r.returncode, r.stdout + r.stderr


def run_all(repo, env_name, what, skip=()):
    """run the environment's Jobs, but those named in skip (a Job that
    Flux or ArgoCD already ran is not run again)"""
    objs = render(repo, env_name)
    names = []
    for job, cm in jobs(objs):
        names.append(job["metadata"]["name"])
        if names[-1] in skip:
            continue
        rc, out = run_job(objs, job, cm)
        if rc != 0:
            bad("%s: %s: exit %d: %s" % (what, job["metadata"]["name"], rc, out[-600:]))
        else:
            ok("%s: %s exits 0 (%s)" % (what, job["metadata"]["name"],
                                          out.strip().splitlines()[-1]))
    return objs, names


BUILTIN_CLIENTS = {"account", "account-console", "admin-cli", "broker", "realm-management",
                   "security-admin-console"}


def expected(t, env):
    """clientId -> (type, redirect URIs, web origins) as tenant.yaml says"""
    out = {}
    for c in (t.get("realm") or {}).get("clients", []):
        uris = c.get("redirectUris")
        if uris is None:
            uris = (["https://%s.%s/*" % (t["name"], env["domain"])]
                    if c["type"] == "public" and env else [])
        origins = c.get("webOrigins")
        if origins is None:
            origins = ["+"] if c["type"] != "service-account" and uris else []
        out[c["clientId"]] = (c["type"], sorted(uris), sorted(origins))
    return out


def compare(realm, t, env, secrets, hand=None):
    """how the realm in Keycloak differs from tenant.yaml (empty: not at all)"""
    diffs = []
    st, rep = api("GET", "/realms/" + realm)
    if st != 200:
        return ["GET /admin/realms/%s: HTTP %d" % (realm, st)]
    if rep.get("displayName") != t.get("displayName", t["name"]):
        diffs.append("displayName %r" % rep.get("displayName"))
    if rep.get("enabled") is not True:
        diffs.append("realm disabled")
    st, roles = api("GET", "/realms/%s/roles" % realm)
    got = sorted(r["name"] for r in roles if r["name"] not in
                 ("offline_access", "uma_authorization", "default-roles-" + realm) and
                 not (hand and r["name"] == hand["role"]["name"]))
    want = sorted((t.get("realm") or {}).get("roles", []))
    if got != want:
        diffs.append("realm roles %s, tenant.yaml %s" % (got, want))
    st, clients = api("GET", "/realms/%s/clients" % realm)
    by_id = {c["clientId"]: c for c in clients}
    exp = expected(t, env)
    others = set(by_id) - set(exp) - BUILTIN_CLIENTS - ({hand["client"]["clientId"]} if hand else set())
    if others:
        diffs.append("clients tenant.yaml does not declare: %s" % sorted(others))
    for cid, (ctype, uris, origins) in exp.items():
        c = by_id.get(cid)
        if c is None:
            diffs.append("client %s missing" % cid)
            continue
        if c.get("publicClient") != (ctype == "public"):
            diffs.append("client %s publicClient %s for %s" % (cid, c.get("publicClient"), ctype))
        if c.get("serviceAccountsEnabled") != (ctype == "service-account"):
            diffs.append("client %s serviceAccountsEnabled %s" % (cid, c.get("serviceAccountsEnabled")))
        if sorted(c.get("redirectUris", [])) != uris:
            diffs.append("client %s redirectUris %s, tenant.yaml %s" %
                         (cid, sorted(c.get("redirectUris", [])), uris))
        if sorted(c.get("webOrigins", [])) != origins:
            diffs.append("client %s webOrigins %s, tenant.yaml %s" %
                         (cid, sorted(c.get("webOrigins", [])), origins))
        if c.get("attributes", {}).get("tenantc.io/managed") != "true":
            diffs.append("client %s is not marked as managed" % cid)
        if ctype != "public":
            st, cs = api("GET", "/realms/%s/clients/%s/client-secret" % (realm, c["id"]))
            if st != 200 or cs.get("value") != secrets.get(cid):
                diffs.append("client %s: its secret is not the Secret's value" % cid)
        st, croles = api("GET", "/realms/%s/clients/%s/roles" % (realm, c["id"]))
        got = sorted(r["name"] for r in croles or [])
        want = sorted(declared_client(t, cid).get("roles", []))
        if got != want:
            diffs.append("client %s roles %s, tenant.yaml %s" % (cid, got, want))
    diffs += compare_groups(realm, t, by_id, hand)
    diffs += compare_scopes(realm, t, by_id, hand)
    if hand:
        diffs += hand_changed(realm, hand)
    return diffs


def declared_client(t, cid):
    for c in (t.get("realm") or {}).get("clients", []):
        if c["clientId"] == cid:
            return c
    return {}


def want_groups(t):
    """path -> (attributes, realm roles, {clientId: client roles}) as tenant.yaml says"""
    out = {}
    for g in (t.get("realm") or {}).get("groups", []):
        for path, x in [("/" + g["name"], g)] + [("/%s/%s" % (g["name"], s["name"]), s)
                                                  for s in g.get("subGroups", [])]:
            attrs = dict(x.get("attributes", {}), **{"tenantc.io/managed": ["true"]})
            out[path] = (attrs, sorted(x.get("realmRoles", [])),
                         {c: sorted(r) for c, r in x.get("clientRoles", {}).items() if r})
    return out


def realm_groups(realm):
    """path -> group (full representation) of every group of the realm"""
    out = {}
    st, top = api("GET", "/realms/%s/groups?briefRepresentation=false&max=1000" % realm)
    unwalked = list(top if st == 200 else [])
    while unwalked:
        g = unwalked.pop()
        out[g["path"]] = g
        if g.get("subGroupCount", 0):
            st, kids = api("GET", "/realms/%s/groups/%s/children?briefRepresentation=false&max=1000"
                           % (realm, g["id"]))
            unwalked += kids if st == 200 else []
    return out


def compare_groups(realm, t, by_id, hand):
    diffs = []
    want = want_groups(t)
    have = realm_groups(realm)
    extra = set(have) - set(want) - (set(hand["groups"]) if hand else set())
    if extra:
        diffs.append("groups tenant.yaml does not declare: %s" % sorted(extra))
    for path, (attrs, rroles, croles) in want.items():
        g = have.get(path)
        if g is None:
            diffs.append("group %s missing" % path)
            continue
        if g.get("attributes", {}) != attrs:
            diffs.append("group %s attributes %s, tenant.yaml %s" % (path, g.get("attributes"), attrs))
        st, rm = api("GET", "/realms/%s/groups/%s/role-mappings" % (realm, g["id"]))
        got = sorted(r["name"] for r in rm.get("realmMappings", []))
        if got != rroles:
            diffs.append("group %s realm roles %s, tenant.yaml %s" % (path, got, rroles))
        got = {c: sorted(r["name"] for r in m.get("mappings", []))
               for c, m in rm.get("clientMappings", {}).items()}
        if got != croles:
            diffs.append("group %s client roles %s, tenant.yaml %s" % (path, got, croles))
    return diffs


BUILTIN_SCOPES = {"acr", "address", "basic", "email", "microprofile-jwt", "offline_access",
                  "organization", "phone", "profile", "role_list", "roles", "saml_organization",
                  "service_account", "web-origins"}


def compare_scopes(realm, t, by_id, hand):
    diffs = []
    want = {s["name"]: s for s in (t.get("realm") or {}).get("clientScopes", [])}
    st, scopes = api("GET", "/realms/%s/client-scopes" % realm)
    have = {s["name"]: s for s in scopes}
    extra = set(have) - set(want) - BUILTIN_SCOPES - ({hand["scope"]["name"]} if hand else set())
    if extra:
        diffs.append("client scopes tenant.yaml does not declare: %s" % sorted(extra))
    for name, s in want.items():
        h = have.get(name)
        if h is None:
            diffs.append("client scope %s missing" % name)
            continue
        attrs = dict(s.get("attributes", {}), **{"tenantc.io/managed": "true"})
        if h.get("attributes", {}) != attrs:
            diffs.append("client scope %s attributes %s, tenant.yaml %s" % (name, h.get("attributes"), attrs))
        if h.get("description") != s.get("description") or h.get("protocol") != "openid-connect":
            diffs.append("client scope %s description %r protocol %r" % (name, h.get("description"), h.get("protocol")))
        got = sorted((m["name"], m["protocolMapper"], m.get("config", {}))
                     for m in h.get("protocolMappers", []))
        exp = sorted((m["name"], m["protocolMapper"], m.get("config", {}))
                     for m in s.get("protocolMappers", []))
        if got != exp:
            diffs.append("client scope %s mappers %s, tenant.yaml %s" % (name, got, exp))
    for cid, c in by_id.items():
        if cid not in expected(t, None):
            continue
        for kind, key in (("default", "defaultFor"), ("optional", "optionalFor")):
            st, on = api("GET", "/realms/%s/clients/%s/%s-client-scopes" % (realm, c["id"], kind))
            got = sorted(x["name"] for x in on if x["name"] in want)
            exp = sorted(n for n, s in want.items() if cid in s.get(key, []))
            if got != exp:
                diffs.append("client %s %s client scopes %s, tenant.yaml %s" % (cid, kind, got, exp))
    return diffs


VOLATILE = {"access", "createdTimestamp", "notBefore"}


def strip(x):
    """x without the fields that change by themselves, its lists in a fixed
    order (the Admin API lists roles and users in no particular order)"""
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return sorted((strip(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    return x


def snapshot(realm):
    """everything of a realm the Admin API shows that a run could change"""
    out = {}
    for key, path in [("realm", ""), ("clients", "/clients"), ("roles", "/roles?briefRepresentation=false"),
                      ("users", "/users"), ("groups", "/groups"), ("scopes", "/client-scopes")]:
        st, body = api("GET", "/realms/%s%s" % (realm, path))
        out[key] = (st, strip(body))
    st, clients = api("GET", "/realms/%s/clients" % realm)
    for c in clients if st == 200 else []:
        st2, cs = api("GET", "/realms/%s/clients/%s/client-secret" % (realm, c["id"]))
        out["secret:" + c["clientId"]] = (cs or {}).get("value") if st2 ==200 else None
        for kind in ("default", "optional"):
            st2, on = api("GET", "/realms/%s/clients/%s/%s-client-scopes" % (realm, c["id"], kind))
            out["%s scopes:%s" % (kind, c["clientId"])] = (st2, strip(on))
        st2, roles = api("GET", "/realms/%s/clients/%s/roles?briefRepresentation=false" % (realm, c["id"]))
        out["roles:" + c["clientId"]] = (st2, strip(roles))
    if st == 200:
        for path, g in realm_groups(realm).items():
            st2, rm = api("GET", "/realms/%s/groups/%s/role-mappings" % (realm, g["id"]))
            st3, members = api("GET", "/realms/%s/groups/%s/members" % (realm, g["id"]))
            out["group:" + path] = (strip(g), st2, strip(rm), st3, strip(members))
    return out


def all_realms():
    st, realms = api("GET", "/realms")
    return {r["realm"]: snapshot(r["realm"]) for r in realms}


def make_hand(realm):
    """a user, a client and a role made by hand in realm; their state"""
    api("POST", "/realms/%s/users" % realm, {"username": "alice", "enabled": True,
                                             "email": "alice@example.org"})
    api("POST", "/realms/%s/clients" % realm, {"clientId": "made-by-hand", "publicClient": True,
                                               "redirectUris": ["https://hand.example.org/*"]})
    api("POST", "/realms/%s/roles" % realm, {"name": "hand-role"})
    # a group and a client scope made by hand, a subgroup made by hand
    # under a managed group, the user a member of that managed group, and
    # the scope given by hand to a managed client
    api("POST", "/realms/%s/groups" % realm, {"name": "hand-group", "attributes": {"a": ["1"]}})
    groups = realm_groups(realm)
    api("POST", "/realms/%s/groups/%s/children" % (realm, groups["/editors"]["id"]),
        {"name": "hand-sub"})
    st, users = api("GET", "/realms/%s/users?username=alice&exact=true" % realm)
    api("PUT", "/realms/%s/users/%s/groups/%s" % (realm, users[0]["id"], groups["/editors"]["id"]))
    api("POST", "/realms/%s/client-scopes" % realm, {"name": "hand-scope", "protocol": "openid-connect",
                                                     "attributes": {"include.in.token.scope": "true"}})
    st, scopes = api("GET", "/realms/%s/client-scopes" % realm)
    sid = [x["id"] for x in scopes if x["name"] == "hand-scope"][0]
    st, clients = api("GET", "/realms/%s/clients?clientId=frontend" % realm)
    api("PUT", "/realms/%s/clients/%s/optional-client-scopes/%s" % (realm, clients[0]["id"], sid))
    return hand_state(realm)


def hand_state(realm):
    st, users = api("GET", "/realms/%s/users?username=alice&exact=true" % realm)
    st, clients = api("GET", "/realms/%s/clients?clientId=made-by-hand" % realm)
    st, role = api("GET", "/realms/%s/roles/hand-role" % realm)
    groups = realm_groups(realm)
    member = None
    if users:
        st, member = api("GET", "/realms/%s/users/%s/groups" % (realm, users[0]["id"]))
        member = sorted(g["path"] for g in member) if st == 200 else None
    st, scopes = api("GET", "/realms/%s/client-scopes" % realm)
    scope = [strip(x) for x in scopes or [] if x["name"] == "hand-scope"]
    st, front = api("GET", "/realms/%s/clients?clientId=frontend" % realm)
    given = None
    if front:
        st, on = api("GET", "/realms/%s/clients/%s/optional-client-scopes" % (realm, front[0]["id"]))
        given = "hand-scope" in [x["name"] for x in on]
    return {"user": strip(users[0]) if users else None,
            "client": strip(clients[0]) if clients else {"clientId": "made-by-hand"},
            "role": strip(role) if isinstance(role, dict) else {"name": "hand-role"},
            "group": strip(groups.get("/hand-group")),
            "subgroup": strip(groups.get("/editors/hand-sub")),
            "membership": member,
            "scope": scope[0] if scope else {"name": "hand-scope"},
            "scope given": given,
            "groups": ["/hand-group", "/editors/hand-sub"]}


HAND = ("user", "client", "role", "group", "subgroup", "membership", "scope", "scope given")


def hand_changed(realm, hand):
    now = hand_state(realm)
    return ["the %s made by hand changed" % k for k in HAND
            if now[k] != hand[k] or now[k] is None]


def check(what, realm, t, env, secrets, hand=None):
    diffs = compare(realm, t, env, secrets, hand)
    if diffs:
        bad("%s: %s differs from the repository: %s" % (what, realm, "; ".join(diffs)))
    else:
        n = len(expected(t, env))
        ok("%s: %s is what the repository says (%d clients, %d roles, %d groups, %d client "
           "scopes%s)" % (what, realm, n, len((t.get("realm") or {}).get("roles", [])),
                          len(want_groups(t)), len((t.get("realm") or {}).get("clientScopes", [])),
                          ", what was made by hand unchanged" if hand else ""))


def secrets_of(objs, tname):
    for job, _ in jobs(objs):
        if job["metadata"]["labels"].get("tenantc.io/tenant") == tname:
            return job_secrets(objs, job)
    return {}


def client_token(realm, cid, secret):
    data = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": cid,
                                   "client_secret": secret}).encode()
    try:
        with urllib.request.urlopen(BASE + "/realms/%s/protocol/openid-connect/token" % realm,
                                    data, timeout=60) as r:
            return "access_token" in json.load(r)
    except urllib.error.HTTPError:
        return False


def example():
    envs = envs_of(REPO)
    for rnd in (1,):
        for env_name, env in envs.items():
            objs, _ = run_all(REPO, env_name, "round %d %s" % (rnd, env_name))
            for t in sorted({j["metadata"]["labels"].get("tenantc.io/tenant") for j, _ in jobs(objs)} - {None}):
                v = view(REPO, t, env_name)
                sec = secrets_of(objs, t)
                check("round %d" % rnd, "%s-%s" % (t, env_name), v, env, sec)
                for c in v["realm"].get("clients", []):
                    if rnd == 1 and c["type"] == "service-account":
                        if client_token("%s-%s" % (t, env_name), c["clientId"], sec.get(c["clientId"])):
                            ok("%s-%s: client %s gets a token with its secret (client credentials)"
                               % (t, env_name, c["clientId"]))
                        else:
                            bad("%s-%s: client %s gets no token with its secret"
                                % (t, env_name, c["clientId"]))


def edit_tenant(repo, tname, fn):
    p = os.path.join(repo, "tenants", tname, "tenant.yaml")
    t = load(p)
    fn(t)
    with open(p, "w") as f:
        yaml.safe_dump(t, f, sort_keys=False)


def rotate(repo, tname, cid):
    """a new value for the client's key of the tenant's realm-clients Secret,
    through `tenantc secret edit` (the value is passed to the editor in its
    environment, not as an argument)"""
    path = os.path.join(repo, "tenants", tname, "secrets", "realm-clients.yaml")
    editor = os.path.join(WORK, "editor")
    with open(editor, "w") as f:
        f.write("#!/usr/bin/python3\nimport os, sys, yaml\n"
                "d = yaml.safe_load(open(sys.argv[1]))\n"
                "d['stringData'][os.environ['ROTATE_KEY']] = os.environ['ROTATE_VALUE']\n"
                "yaml.safe_dump(d, open(sys.argv[1], 'w'))\n")
    os.chmod(editor, 0o700)
    env = dict(os.environ, EDITOR=editor, VISUAL=editor, ROTATE_KEY=cid,
               ROTATE_VALUE=os.urandom(24).hex())
    r = subprocess.run([TENANTC, "secret", "edit", "--repo", repo, path], env=env,
                       capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("secret edit: %s" % r.stderr.decode()[:300])


def frontend_roles(t, roles):
    """give acme's client frontend these client roles, in every environment"""
    for r in [t["realm"]] + [o["realm"] for o in t.get("overrides", {}).values() if "realm" in o]:
        for c in r.get("clients", []):
            if c["clientId"] == "frontend":
                c["roles"] = roles


def lifecycle():
    repo = os.path.join(WORK, "repo")
    envs = envs_of(repo)
    env_name, tname = "test", "acme"
    realm = "%s-%s" % (tname, env_name)
    env = envs[env_name]

    def step(what, expect_new_job=True):
        objs, names = run_all(repo, env_name, what, skip=seen if expect_new_job else ())
        if expect_new_job is not None:
            new = [n for n in names if n not in seen]
            if bool(new) == expect_new_job:
                ok("%s: %s" % (what, "new Job %s" % new[0] if new else "no new Job"))
            else:
                bad("%s: Job names %s, before %s" % (what, names, sorted(seen)))
        seen.update(names)
        return objs

    seen = set()
    objs = step("first run")
    hand = make_hand(realm)
    api("POST", "/realms", {"realm": "made-by-hand", "enabled": True})
    hand_realm = snapshot("made-by-hand")
    if not hand["user"] or hand["membership"] != ["/editors"] or not hand["scope given"] \
            or not hand["subgroup"] or not hand["group"]:
        bad("could not make the user, groups and scope by hand: %s" % hand)
    check("first run", realm, view(repo, tname, env_name), env, secrets_of(objs, tname), hand)

    def test_override(fn):
        edit_tenant(repo, tname, lambda t: fn(t["overrides"][env_name]["realm"]))

    test_override(lambda r: r["clients"].append(
        {"clientId": "admin-ui", "type": "public",
         "redirectUris": ["https://admin.acme.test.example.com/*"]}))
    objs = step("client added")
    check("client added", realm, view(repo, tname, env_name), env, secrets_of(objs, tname), hand)

    def uris(r):
        for c in r["clients"]:
            if c["clientId"] == "frontend":
                c["redirectUris"] = ["https://acme.test.example.com/app/*",
                                     "https://beta.acme.test.example.com/*"]
                c["webOrigins"] = ["https://acme.test.example.com"]
    test_override(uris)
    objs = step("redirect URIs changed")
    check("redirect URIs changed", realm, view(repo, tname, env_name), env,
          secrets_of(objs, tname), hand)

    def role_removed(t):
        t["realm"]["roles"] = ["reader"]
        for g in t["realm"]["groups"]:  # and the group's mapping of it
            g["realmRoles"] = [r for r in g.get("realmRoles", []) if r != "writer"]
    edit_tenant(repo, tname, role_removed)
    objs = step("role removed")
    check("role removed", realm, view(repo, tname, env_name), env, secrets_of(objs, tname), hand)

    def again(what):
        """the current Jobs once more, as a retried Job would: nothing changes"""
        before = snapshot(realm)
        objs = render(repo, env_name)
        for job, cm in jobs(objs):
            if job["metadata"]["labels"].get("tenantc.io/tenant") == tname:
                rc, out = run_job(objs, job, cm)
                if rc != 0:
                    bad("%s: %s again: exit %d: %s" % (what, job["metadata"]["name"], rc, out[-600:]))
        if snapshot(realm) == before:
            ok("%s: a second run of the same Job changed nothing in %s" % (what, realm))
        else:
            bad("%s: a second run of the same Job changed %s" % (what, realm))

    def add(t):
        r = t["realm"]
        frontend_roles(t, ["viewer", "approver"])
        r.setdefault("groups", []).append(
            {"name": "support", "realmRoles": ["reader"], "clientRoles": {"frontend": ["viewer"]},
             "attributes": {"level": ["1"], "region": ["eu", "us"]},
             "subGroups": [{"name": "tier1", "clientRoles": {"frontend": ["approver"]}}]})
        r.setdefault("clientScopes", []).append(
            {"name": "acme-audit", "description": "audit claims",
             "attributes": {"include.in.token.scope": "true", "display.on.consent.screen": "false"},
             "protocolMappers": [
                 {"name": "tenant-claim", "protocolMapper": "oidc-hardcoded-claim-mapper",
                  "config": {"claim.name": "tenant", "claim.value": "acme",
                             "access.token.claim": "true", "jsonType.label": "String"}},
                 {"name": "groups", "protocolMapper": "oidc-group-membership-mapper",
                  "config": {"claim.name": "groups", "full.path": "true"}}],
             "optionalFor": ["api-service", "frontend"]})
    edit_tenant(repo, tname, add)
    objs = step("group and client scope added")
    check("group and client scope added", realm, view(repo, tname, env_name), env,
          secrets_of(objs, tname), hand)
    again("group and client scope added")

    def change(t):
        r = t["realm"]
        g = [x for x in r["groups"] if x["name"] == "support"][0]
        g["realmRoles"] = []
        g["clientRoles"] = {"frontend": ["approver"]}
        g["attributes"] = {"level": ["2"]}
        g["subGroups"] = [{"name": "tier2", "realmRoles": ["reader"]}]
        ed = [x for x in r["groups"] if x["name"] == "editors"][0]
        ed["attributes"] = {"department": ["content", "legal"]}
        ed["realmRoles"] = []
        sc = [x for x in r["clientScopes"] if x["name"] == "acme-audit"][0]
        sc["attributes"] = {"include.in.token.scope": "false"}
        sc["protocolMappers"] = [dict(sc["protocolMappers"][0], config={
            "claim.name": "tenant", "claim.value": "acme-corp", "access.token.claim": "true",
            "jsonType.label": "String"})]
        sc["optionalFor"] = ["frontend"]
        sc["defaultFor"] = ["api-service"]
    edit_tenant(repo, tname, change)
    objs = step("group and client scope changed")
    check("group and client scope changed", realm, view(repo, tname, env_name), env,
          secrets_of(objs, tname), hand)
    again("group and client scope changed")

    def remove(t):
        r = t["realm"]
        r["groups"] = [x for x in r["groups"] if x["name"] != "support"]
        r["clientScopes"] = [x for x in r["clientScopes"] if x["name"] != "acme-audit"]
        frontend_roles(t, ["viewer"])
    edit_tenant(repo, tname, remove)
    objs = step("group, client scope and client role removed")
    check("group, client scope and client role removed", realm, view(repo, tname, env_name), env,
          secrets_of(objs, tname), hand)
    have = realm_groups(realm)
    if "/support" not in have and "/support/tier2" not in have:
        ok("group, client scope and client role removed: /support and its subgroup are gone")
    else:
        bad("group removed: %s still there" % sorted(p for p in have if p.startswith("/support")))

    old = secrets_of(objs, tname).get("api-service")
    rotate(repo, tname, "api-service")
    objs = step("secret rotated")
    new = secrets_of(objs, tname).get("api-service")
    if new and new != old:
        ok("secret rotated: the rendered Secret holds a new value")
    else:
        bad("secret rotated: the rendered Secret's value did not change")
    check("secret rotated", realm, view(repo, tname, env_name), env, secrets_of(objs, tname), hand)

    api("POST", "/realms/%s/users" % "globex-test", {"username": "bob", "enabled": True})
    others = {r: snapshot(r) for r in ("globex-test", "initech-test", "made-by-hand")}
    shutil.rmtree(os.path.join(repo, "tenants", tname))
    step("tenant removed")
    st, rep = api("GET", "/realms/" + realm)
    if st == 200 and rep.get("enabled") is False and not hand_changed(realm, hand):
        ok("tenant removed: realm %s is disabled, its users and clients kept" % realm)
    else:
        bad("tenant removed: realm %s: HTTP %d, enabled %s" % (realm, st, (rep or {}).get("enabled")))
    p = os.path.join(repo, "environments", env_name + ".yaml")
    e = load(p)
    e["values"]["keycloak"]["removedRealms"] = "delete"
    with open(p, "w") as f:
        yaml.safe_dump(e, f, sort_keys=False)
    step("removedRealms: delete")
    st, _ = api("GET", "/realms/" + realm)
    if st == 404:
        ok("removedRealms: delete: realm %s is gone" % realm)
    else:
        bad("removedRealms: delete: GET realm %s: HTTP %d" % (realm, st))
    now = {r: snapshot(r) for r in others}
    if now == others:
        ok("the other tenants' realms and the realm made by hand are unchanged")
    else:
        bad("changed: %s" % sorted(r for r in now if now[r] != others[r]))

    before = all_realms()
    for i in (1, 2):
        step("re-run %d" % i, expect_new_job=False)
        after = all_realms()
        if after == before:
            ok("re-run %d changed nothing in %d realms" % (i, len(after)))
        else:
            bad("re-run %d changed %s" % (i, sorted(r for r in after if before.get(r) != after[r])))
    if snapshot("made-by-hand") == hand_realm:
        ok("the realm made by hand is unchanged")
    else:
        bad("the realm made by hand changed")


try:
    st, info = api("GET", "/serverinfo")
    if st == 200:
        print("peer: Keycloak " + info.get("systemInfo", {}).get("version", "?"))
    example() if MODE == "example" else lifecycle()
except Exception as e:  # a broken step is a failure, not a crash without a count
    bad("%s: %s" % (type(e).__name__, e))
finally:
    shutil.rmtree(SHM, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
