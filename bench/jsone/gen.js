// gen.js OUTDIR N - write the benchmark's templates and N tenant contexts.
//
// The templates mirror the reference workload of tenantc's example
// repository: a Namespace, three NetworkPolicies, a KeycloakRealmImport with
// three clients and four roles, a Flux Kustomization and an ArgoCD
// Application, using $map, $let, $if, $merge, $json and interpolation. The
// data is derived from the tenant index only, so every run sees the same
// input.
'use strict';
const fs = require('fs');
const path = require('path');

const [outdir, nArg] = process.argv.slice(2);
const n = parseInt(nArg || '2000', 10);
fs.mkdirSync(outdir, {recursive: true});

const labels = {
  'app.kubernetes.io/managed-by': 'tenantc',
  'tenantc.io/tenant': '${tenant.name}',
  'tenantc.io/environment': '${env.name}',
};

const templates = {
  namespace: {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: '${tenant.name}-${env.name}',
      labels: {$merge: [labels, {'tenantc.io/image-policy': '${env.imagePolicy}'}]},
      annotations: {'tenantc.io/display-name': '${tenant.displayName}'},
    },
  },
  networkpolicies: {
    $let: {ns: '${tenant.name}-${env.name}'},
    in: [
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
        metadata: {name: 'default-deny', namespace: '${ns}', labels},
        spec: {podSelector: {}, policyTypes: ['Ingress', 'Egress']},
      },
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
        metadata: {name: 'allow-dns', namespace: '${ns}', labels},
        spec: {
          podSelector: {}, policyTypes: ['Egress'],
          egress: [{
            to: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'kube-system'}}}],
            ports: [{protocol: 'UDP', port: 53}, {protocol: 'TCP', port: 53}],
          }],
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
        metadata: {name: 'api-egress', namespace: '${ns}', labels},
        spec: {
          podSelector: {matchLabels: {app: 'api-service'}}, policyTypes: ['Egress'],
          egress: {
            $map: {$eval: 'tenant.network.egress'},
            'each(e)': {
              to: [{ipBlock: {cidr: '${e.cidr}'}}],
              ports: {$map: {$eval: 'e.ports'}, 'each(p)': {protocol: 'TCP', port: {$eval: 'p'}}},
            },
          },
        },
      },
    ],
  },
  realm: {
    $let: {realm: '${tenant.name}-${env.name}'},
    in: {
      apiVersion: 'k8s.keycloak.org/v2alpha1',
      kind: 'KeycloakRealmImport',
      metadata: {name: '${realm}', namespace: 'keycloak', labels},
      spec: {
        keycloakCRName: 'keycloak',
        realm: {
          realm: '${realm}',
          displayName: '${tenant.displayName} (${uppercase(env.name)})',
          enabled: true,
          roles: {realm: {$map: {$eval: 'tenant.realm.roles'}, 'each(r)': {name: '${r}', description: 'role ${r} of ${tenant.name}'}}},
          clients: {
            $map: {$eval: 'tenant.realm.clients'},
            'each(c, i)': {
              $merge: [
                {
                  clientId: '${c.clientId}',
                  name: '${c.clientId} #${i + 1}',
                  publicClient: {$eval: 'c.type == "public"'},
                  serviceAccountsEnabled: {$eval: 'c.type == "service-account"'},
                  redirectUris: {$if: 'c.type == "public"', then: {$eval: 'c.redirectUris'}, else: []},
                },
                {$if: 'c.type != "public"', then: {secret: '$${CLIENT_SECRET_${uppercase(join(split(c.clientId, "-"), "_"))}}'}, else: {}},
              ],
            },
          },
        },
      },
    },
  },
  kustomization: {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {name: '${tenant.name}', namespace: 'flux-system', labels},
    spec: {
      interval: '10m',
      path: './${repo.output}/${env.name}/tenants/${tenant.name}',
      prune: true,
      sourceRef: {kind: 'GitRepository', name: 'platform'},
      decryption: {provider: 'sops', secretRef: {name: 'sops-age'}},
      dependsOn: [{name: 'platform-${env.name}'}],
    },
  },
  application: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {name: '${tenant.name}-${env.name}', namespace: 'argocd', labels},
    spec: {
      project: '${tenant.name}',
      source: {repoURL: '${repo.repoURL}', targetRevision: '${repo.branch}', path: '${repo.output}/${env.name}/tenants/${tenant.name}'},
      destination: {server: 'https://kubernetes.default.svc', namespace: '${tenant.name}-${env.name}'},
      syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: ['CreateNamespace=false']},
      info: [{name: 'config', value: {$json: {tenant: '${tenant.name}', roles: {$eval: 'len(tenant.realm.roles)'}}}}],
    },
  },
};
for (const [name, t] of Object.entries(templates))
  fs.writeFileSync(path.join(outdir, name + '.json'), JSON.stringify(t));

const contexts = [];
for (let i = 0; i < n; i++) {
  const name = 'tenant' + String(i).padStart(5, '0');
  contexts.push({
    tenant: {
      name,
      displayName: 'Tenant ' + i + ' GmbH',
      realm: {
        roles: ['reader', 'writer', 'admin', 'auditor'],
        clients: [
          {clientId: 'api-service', type: 'confidential'},
          {clientId: 'frontend', type: 'public', redirectUris: ['https://' + name + '.prod.example.com/*']},
          {clientId: 'producer', type: 'service-account'},
        ],
      },
      network: {egress: [{cidr: '10.' + (i % 250) + '.0.0/24', ports: [5432]}, {cidr: '10.250.' + (i % 250) + '.0/24', ports: [443, 8443]}]},
    },
    env: {name: i % 2 ? 'test' : 'prod', domain: 'prod.example.com', gitops: 'flux', imagePolicy: 'production'},
    repo: {output: 'rendered', repoURL: 'https://github.com/example/platform.git', branch: 'main'},
    now: '2026-01-02T03:04:05.000Z',
  });
}
fs.writeFileSync(path.join(outdir, 'contexts.json'), JSON.stringify(contexts));
fs.writeFileSync(path.join(outdir, 'templates.txt'), Object.keys(templates).map(k => k + '.json').join('\n') + '\n');
