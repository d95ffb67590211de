/*
 * cmd_init.c - `tenantc init DIR`: create a new, working repository.
 *
 *   tenantc init DIR [--env NAME] [--tenant NAME] [--gitops flux|argocd]
 *                    [--domain DOMAIN] [--repo-url URL] [--with-ci]
 *
 * DIR gets the templates and schemas tenantc was built with (init_data.h),
 * a tenantc.yaml, one environment and one tenant, so that
 * `tenantc render --repo DIR` works at once; --with-ci adds the pre-commit
 * configuration, a GitHub workflow running tenantc's Action (both naming
 * the release tag of this tenantc, v<version>) and a README.md for the new
 * repository. Every file or folder a written file names is one the new
 * repository has (or, for the output folder, that its first render
 * writes). DIR may exist (an empty folder
 * or a fresh git clone); no file that exists is ever overwritten: every
 * target is checked before the first one is written, and files are created
 * with O_EXCL, so a concurrent writer cannot be clobbered either.
 *
 * The generated files are built in memory from the options, which are
 * checked first: names must be DNS-1123 labels (the schemas' rule, so the
 * new repository validates), and strings written into YAML must not need
 * escaping. Exit status: 0, or 2 for bad options or a DIR that cannot
 * take the files (with the path and the reason).
 */
#include "cmd.h"

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "fsutil.h"
#include "init_data.h"
#include "k8s.h"
#include "opt.h"
#include "schema_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] = "DIR [--env NAME] [--tenant NAME] [--gitops flux|argocd] "
			    "[--domain DOMAIN] [--repo-url URL] [--with-ci]";

/* Where the pre-commit hook and the GitHub Action come from: tenantc's own
 * repository, at the tag of this version (CHANGELOG.md). */
#define TC_PROJECT "example/tenantc"
#define TC_PROJECT_URL "https://github.com/" TC_PROJECT
#define TC_WORKFLOW ".github/workflows/tenantc.yml"

/* The schemas' limits: an environment name is a DNS label of at most 20
 * characters, a tenant's of at most 40 ("<tenant>-<env>" is a namespace
 * name, at most 63). */
#define ENV_NAME_MAX 20
#define TENANT_NAME_MAX 40
/* A domain is a DNS subdomain name (RFC 1123), at most 253 characters. */
#define DOMAIN_MAX 253
/* A URL longer than this is a mistake, not a repository address. */
#define URL_MAX 2048

typedef struct outfile {
	char *path; /* relative to DIR, malloc'd */
	const char *data;
	size_t len;
	char *owned; /* data when it was generated here */
} outfile;

/* a DNS-1123 label of at most max (<= 63) characters */
static bool is_label(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n <= max && tc_k8s_is_dns_label(s, n);
}

/* labels joined by dots */
static bool is_domain(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > DOMAIN_MAX)
		return false;
	for (const char *p = s;; p++) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (!tc_k8s_is_dns_label(p, len))
			return false;
		if (!dot)
			return true;
		p = dot;
	}
}

/* What the repository schema accepts, and nothing a YAML double-quoted
 * scalar would have to escape. */
static bool is_url(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > URL_MAX)
		return false;
	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0 &&
	    strncmp(s, "ssh://", 6) != 0 && strncmp(s, "git@", 4) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '"' ||
		    s[i] == '\\')
			return false;
	return true;
}

static void add(outfile *files, size_t *n, const char *path, char *owned, const char *data,
                size_t len)
{
	files[*n].path = tc_xstrdup(path);
	files[*n].owned = owned;
	files[*n].data = owned ? owned : data;
	files[*n].len = len;
	(*n)++;
}

static void add_buf(outfile *files, size_t *n, const char *path, tc_buf *b)
{
	size_t len;
	char *data = tc_buf_detach(b, &len);
	add(files, n, path, data, NULL, len);
}

/* mkdir -p for the folders of relpath below dir */
static int make_parents(tc_diags *d, const char *dir, const char *relpath)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, dir);
	int rc = 0;
	for (const char *p = relpath; (p = strchr(p, '/')) != NULL; p++) {
		tc_buf_reset(&b);
		tc_buf_addf(&b, "%s/%.*s", dir, (int)(p - relpath), relpath);
		const char *path = tc_buf_str(&b);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			rc = tc_error(d, (tc_pos){path, 0, 0}, NULL,
			              "cannot create folder '%s': %s", path, strerror(errno));
			break;
		}
	}
	tc_buf_release(&b);
	return rc;
}

static int write_new(tc_diags *d, const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot create '%s': %s", path,
		                strerror(errno));
	if (tc_fd_write(fd, data, len) != 0) {
		int e = errno;
		close(fd);
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot write '%s': %s", path,
		                strerror(e));
	}
	if (close(fd) != 0)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot write '%s': %s", path,
		                strerror(errno));
	return 0;
}

/* The newest Kubernetes version tenantc has built-in schemas for ("1.34")
 * into out, and all of them ("1.30, 1.31, ...") into all. */
static void kubernetes_versions(char *out, size_t cap, char *all, size_t allcap)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_schema_bundle *b = NULL;
	if (tc_schema_bundle_open(&b, NULL, TC_NOPOS, &d) < 0)
		TC_BUG("no built-in Kubernetes schemas");
	snprintf(out, cap, "%s", tc_schema_bundle_version(b));
	tc_schema_bundle_free(b);
	tc_diags_release(&d);
	tc_buf l;
	tc_buf_init(&l, allcap - 1);
	tc_schema_bundle_list(&l);
	snprintf(all, allcap, "%s", tc_buf_str(&l));
	tc_buf_release(&l);
}

static void settings_file(tc_buf *b, const char *url, const char *gitops, const char *k8s,
                          const char *all)
{
	tc_buf_addf(b,
	            "# Repository settings of tenantc.\n"
	            "output: rendered                 # the folder `tenantc render` writes\n"
	            "repoURL: \"%s\"\n"
	            "branch: main                     # the branch Flux or ArgoCD follows\n"
	            "# kubernetesVersion: the Kubernetes version the clusters run, one of\n"
	            "#   %s\n"
	            "# Every object of Kubernetes' own kinds is checked against tenantc's\n"
	            "# built-in schemas of that version, and an apiVersion it does not serve is\n"
	            "# an error. Custom resources (Flux, Argo CD, Kyverno ...) are checked once\n"
	            "# the schemas of their CRDs are imported into schemas/, which tenantc\n"
	            "# reads by default:\n"
	            "#   tenantc schema import <crds>.yaml...\n"
	            "kubernetesVersion: \"%s\"\n"
	            "# sops:\n"
	            "#   age: [age1...]               # recipients of every Secret (CI, admins)\n"
	            "# policy:                         # what a tenant.yaml may ask for\n"
	            "#   egress: [10.0.0.0/8]          # default: any block but 0.0.0.0/0, ::/0\n"
	            "#   podSecurity: [baseline, restricted]   # the default\n",
	            url, all, k8s);
	/* Flux applies each tenant's namespace as its gitops-applier, whose Role
	 * writes the tenant's Secrets (templates/tenant/gitops-applier.yaml):
	 * the one finding of the verifier the example platform accepts */
	if (strcmp(gitops, "flux") == 0)
		tc_buf_adds(b, "# The isolation verifier of `tenantc check`; the one\n"
		               "# finding the templates make on purpose:\n"
		               "verify:\n"
		               "  exceptions:\n"
		               "    - rule: rbac.secrets\n"
		               "      kind: gitops-applier\n"
		               "      reason: Flux applies each tenant's namespace as its "
		               "ServiceAccount gitops-applier, which must write the tenant's "
		               "Secrets to apply them\n"
		               "    # once a tenant has apps (tenant.yaml), their applier too:\n"
		               "    # - rule: rbac.secrets\n"
		               "    #   kind: apps-applier\n"
		               "    #   reason: Flux applies each tenant's apps as its "
		               "ServiceAccount apps-applier, whose Deployments can mount the "
		               "namespace's Secrets\n");
}

static void env_file(tc_buf *b, const char *env, const char *domain, const char *gitops)
{
	tc_buf_addf(b,
	            "# One environment: every tenant is rendered into it unless the tenant\n"
	            "# lists its environments. `values` is handed to the templates; the\n"
	            "# comment at the top of each file in templates/ names the values it reads.\n"
	            "name: %s\n"
	            "domain: %s\n"
	            "gitops: %s                     # flux | argocd\n"
	            "imagePolicy: production           # production | developer\n"
	            "# cluster:                        # a remote cluster Flux applies to\n"
	            "#   name: worker01\n"
	            "#   kubeConfigSecret: kubeconfig\n"
	            "# sops:\n"
	            "#   age: [age1...]                # this environment's recipients\n"
	            "values: {}\n",
	            env, domain, strcmp(gitops, "flux") == 0 ? "flux  " : "argocd");
}

static void tenant_file(tc_buf *b, const char *tenant, const char *env, const char *domain)
{
	tc_buf_addf(
		b,
		"# One tenant: a namespace \"<tenant>-<env>\" in each environment, a\n"
		"# Keycloak realm, network policies and the GitOps objects that apply it.\n"
		"name: %s\n"
		"displayName: %s\n"
		"realm:\n"
		"  roles: [user]\n"
		"  clients:\n"
		"    - clientId: frontend         # a browser client: no secret\n"
		"      type: public\n"
		"  groups:                          # users join them in Keycloak\n"
		"    - name: members\n"
		"      realmRoles: [user]\n"
		"  # clientScopes:                  # e.g. an audience for an API client\n"
		"  #   - name: api\n"
		"  #     protocolMappers:\n"
		"  #       - {name: audience, protocolMapper: oidc-audience-mapper,\n"
		"  #          config: {included.client.audience: api}}\n"
		"  #     defaultFor: [frontend]\n"
		"network:\n"
		"  egress: []                       # e.g. - {cidr: 10.10.0.0/24, ports: [5432]}\n"
		"values: {}\n"
		"# What differs per environment, merged over the settings above (maps\n"
		"# merge key by key, lists replace): each environment's realm lists its\n"
		"# own redirect URIs, and trusts no host outside its domain unless its\n"
		"# section lists it in realm.trustedHosts.\n"
		"overrides:\n"
		"  %s:\n"
		"    realm:\n"
		"      clients:\n"
		"        - clientId: frontend\n"
		"          type: public\n"
		"          redirectUris: [\"https://%s.%s/*\"]\n"
		"    # The tenant's own applications, applied into its namespace only (by\n"
		"    # Flux as its ServiceAccount apps-applier, by ArgoCD in its project\n"
		"    # <tenant>-<env>.apps): a Git repository, a folder of manifests in it\n"
		"    # and a revision (a branch, refs/tags/<tag> or a 40-digit commit id).\n"
		"    # apps:\n"
		"    #   - name: web\n"
		"    #     repoURL: https://git.example.com/%s/web.git\n"
		"    #     path: deploy\n"
		"    #     revision: refs/tags/v1.0.0\n",
		tenant, tenant, env, tenant, domain, tenant);
}

static void precommit_file(tc_buf *b)
{
	tc_buf_addf(b,
	            "# pre-commit (https://pre-commit.com): run `pre-commit install` once; every\n"
	            "# commit then runs `tenantc check` on what is being committed and is\n"
	            "# blocked when an input is invalid, the rendered tree is stale or a Secret\n"
	            "# is in plaintext. The hook runs the tenantc on PATH.\n"
	            "repos:\n"
	            "  - repo: %s\n"
	            "    rev: v%s\n"
	            "    hooks:\n"
	            "      - id: tenantc-check\n",
	            TC_PROJECT_URL, TC_VERSION);
}

static void workflow_file(tc_buf *b)
{
	tc_buf_addf(b,
	            "# tenantc's GitHub Action on every pull request and push to main: the\n"
	            "# per-object diff against the base goes to the job summary, and the job\n"
	            "# fails when `tenantc check` does (a stale rendered tree, an invalid input\n"
	            "# or output, a plaintext Secret).\n"
	            "name: tenantc\n"
	            "on:\n"
	            "  pull_request:\n"
	            "  push:\n"
	            "    branches: [main]\n"
	            "jobs:\n"
	            "  check:\n"
	            "    runs-on: ubuntu-24.04\n"
	            "    permissions:\n"
	            "      contents: read\n"
	            "    steps:\n"
	            "      - uses: actions/checkout@v4\n"
	            "      - uses: %s@v%s\n",
	            TC_PROJECT, TC_VERSION);
}

static void readme_file(tc_buf *b, const char *env, const char *tenant, const char *gitops,
                        const char *k8s)
{
	tc_buf_addf(
		b,
		"# Platform repository\n"
		"\n"
		"The tenants of a Kubernetes platform and the manifests they get, made by\n"
		"[tenantc](%s) %s: `tenantc render` expands the templates for every\n"
		"tenant in every environment into `rendered/`, one object per file, which\n"
		"%s applies.\n"
		"\n"
		"| path | what |\n"
		"| --- | --- |\n"
		"| `tenantc.yaml` | the repository's settings: output folder, repoURL, branch, "
		"SOPS recipients |\n"
		"| `environments/%s.yaml` | the environment `%s`; one file per environment |\n"
		"| `tenants/%s/tenant.yaml` | the tenant `%s`; one folder per tenant |\n"
		"| `templates/` | JSON-e templates: `cluster/` and `platform/` once per environment, "
		"`tenant/` and `gitops/` per tenant in each of its environments |\n"
		"| `schemas/` | the JSON Schemas every input is checked against |\n"
		"| `rendered/` | the output, written by `tenantc render` and committed |\n"
		"| `.pre-commit-config.yaml` | the pre-commit hook: `tenantc check` on every commit |\n"
		"| `%s` | CI: tenantc's GitHub Action on pull requests and pushes |\n"
		"\n"
		"## Change a tenant\n"
		"\n"
		"```sh\n"
		"$EDITOR tenants/%s/tenant.yaml    # or a new folder tenants/<name>/ with a tenant.yaml\n"
		"tenantc render                      # rendered/ again\n"
		"tenantc diff HEAD                   # what the change does, object by object\n"
		"git add -A && git commit            # the hook runs tenantc check\n"
		"```\n"
		"\n"
		"`tenantc check` fails (exit 1) while `rendered/` is not what `tenantc render`\n"
		"makes of the inputs, names each file that differs, and passes once the\n"
		"rendered tree is committed with them. Run `pre-commit install` once to make it\n"
		"the pre-commit hook; CI runs it again on every pull request.\n"
		"\n"
		"## Secrets\n"
		"\n"
		"Secrets live only encrypted, as SOPS files in `tenants/<tenant>/secrets/`:\n"
		"`tenantc secret keygen` makes an age identity, its recipient goes into\n"
		"`sops.age` of `tenantc.yaml`, and `tenantc secret encrypt` encrypts a Secret;\n"
		"`tenantc render` re-encrypts it for each environment.\n"
		"\n"
		"## Validation\n"
		"\n"
		"Every rendered object is checked before it is written. Kubernetes' own kinds\n"
		"are checked against tenantc's built-in schemas of `kubernetesVersion` in\n"
		"`tenantc.yaml`, the version the clusters run, so an unknown field, a value\n"
		"of the wrong type or an apiVersion the cluster does not serve fails the\n"
		"render (this tenantc has schemas for Kubernetes %s).\n"
		"Custom resources get their schemas from their CustomResourceDefinitions:\n"
		"\n"
		"```sh\n"
		"tenantc schema import <flux-crds>.yaml   # into schemas/, read by default\n"
		"git add schemas\n"
		"```\n",
		TC_PROJECT_URL, TC_VERSION, strcmp(gitops, "flux") == 0 ? "Flux" : "ArgoCD", env,
		env, tenant, tenant, TC_WORKFLOW, tenant, k8s);
}

typedef struct {
	const char *env, *tenant, *gitops, *domain, *url;
	bool with_ci;
} init_args;

/* The folder and the option values, checked before anything is planned. */
static int check_args(const tc_strlist *pos, const init_args *ia)
{
	if (pos->len != 1) {
		tc_usage_error(NULL, "%s",
		               pos->len ? "give exactly one folder"
		                        : "missing the folder to create");
		fprintf(stderr, "usage: tenantc init %s\n", usage);
		return -1;
	}
	if (!is_label(ia->env, ENV_NAME_MAX)) {
		tc_usage_error(
			"--env",
			"environment name '%s' is not a DNS-1123 label of at most %d characters",
			ia->env, ENV_NAME_MAX);
		return -1;
	}
	if (!is_label(ia->tenant, TENANT_NAME_MAX)) {
		tc_usage_error("--tenant",
		               "tenant name '%s' is not a DNS-1123 label of at most %d characters",
		               ia->tenant, TENANT_NAME_MAX);
		return -1;
	}
	if (!is_domain(ia->domain)) {
		tc_usage_error("--domain",
		               "'%s' is not a domain name (lower-case DNS labels joined by '.')",
		               ia->domain);
		return -1;
	}
	if (!is_url(ia->url)) {
		tc_usage_error("--repo-url",
		               "'%s' is not a git URL (https://, http://, ssh:// or git@host:path, "
		               "without spaces or quotes)",
		               ia->url);
		return -1;
	}
	return 0;
}

/* Every file init writes, in files[0..*nfiles): the fixed ones and those made from the
 * options. */
static void plan_files(outfile *files, size_t *nfiles, const init_args *ia)
{
	for (size_t i = 0; i < tc_init_nfiles; i++)
		add(files, nfiles, tc_init_files[i].path, NULL, tc_init_files[i].data,
		    tc_init_files[i].len);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	char k8s[32], k8s_all[256];
	kubernetes_versions(k8s, sizeof k8s, k8s_all, sizeof k8s_all);
	settings_file(&b, ia->url, ia->gitops, k8s, k8s_all);
	add_buf(files, nfiles, "tenantc.yaml", &b);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	env_file(&b, ia->env, ia->domain, ia->gitops);
	char *path = tc_xmalloc(strlen(ia->env) + sizeof "environments/.yaml");
	snprintf(path, strlen(ia->env) + sizeof "environments/.yaml", "environments/%s.yaml",
	         ia->env);
	add_buf(files, nfiles, path, &b);
	free(path);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tenant_file(&b, ia->tenant, ia->env, ia->domain);
	path = tc_xmalloc(strlen(ia->tenant) + sizeof "tenants//tenant.yaml");
	snprintf(path, strlen(ia->tenant) + sizeof "tenants//tenant.yaml", "tenants/%s/tenant.yaml",
	         ia->tenant);
	add_buf(files, nfiles, path, &b);
	free(path);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, "# the temporary tree of a render that did not finish (the next render\n"
	                "# removes it; `tenantc check` names it)\n"
	                ".*.tmp-?????"
	                "?/\n"); /* split: no trigraph */
	add_buf(files, nfiles, ".gitignore", &b);
	if (!ia->with_ci)
		return;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	precommit_file(&b);
	add_buf(files, nfiles, ".pre-commit-config.yaml", &b);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	workflow_file(&b);
	add_buf(files, nfiles, TC_WORKFLOW, &b);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	readme_file(&b, ia->env, ia->tenant, ia->gitops, k8s_all);
	add_buf(files, nfiles, "README.md", &b);
}

/* Refuse before writing anything: an error for each planned file that exists, but a
 * README.md that exists is the user's and stays (dropped from the plan). True when one
 * was kept. */
static bool refuse_existing(tc_diags *d, const char *dir, outfile *files, size_t *nfiles)
{
	tc_buf full;
	tc_buf_init(&full, TC_BUF_UNLIMITED);
	bool kept_readme = false;
	for (size_t i = 0; i < *nfiles; i++) {
		tc_buf_reset(&full);
		tc_buf_addf(&full, "%s/%s", dir, files[i].path);
		struct stat st;
		if (lstat(tc_buf_str(&full), &st) != 0)
			continue;
		if (strcmp(files[i].path, "README.md") == 0) {
			/* a fresh clone often has one: it is the user's, and stays */
			kept_readme = true;
			free(files[i].path);
			free(files[i].owned);
			files[i--] = files[--*nfiles];
			continue;
		}
		tc_error(d, (tc_pos){tc_buf_str(&full), 0, 0}, NULL,
		         "file exists: init creates a new repository and overwrites nothing");
	}
	tc_buf_release(&full);
	return kept_readme;
}

/* The folder, then each planned file in it; stops at the first error. */
static void write_all(tc_diags *d, const char *dir, const outfile *files, size_t nfiles)
{
	struct stat dst;
	if (stat(dir, &dst) == 0 && !S_ISDIR(dst.st_mode))
		tc_error(d, (tc_pos){dir, 0, 0}, NULL, "'%s' is not a folder", dir);
	else if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		tc_error(d, (tc_pos){dir, 0, 0}, NULL, "cannot create folder '%s': %s", dir,
		         strerror(errno));
	tc_buf full;
	tc_buf_init(&full, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < nfiles && !tc_diags_has_errors(d); i++) {
		tc_buf_reset(&full);
		tc_buf_addf(&full, "%s/%s", dir, files[i].path);
		if (make_parents(d, dir, files[i].path) == 0)
			write_new(d, tc_buf_str(&full), files[i].data, files[i].len);
	}
	tc_buf_release(&full);
}

int tc_cmd_init(int argc, char **argv)
{
	const char *env = "prod", *tenant = "example", *gitops = "flux", *domain = NULL;
	const char *url = "https://git.example.com/platform.git";
	bool with_ci = false;
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"env", 'e', TC_OPT_LABEL, &env, "NAME",
	         "the environment to create (default: prod)"},
		{"tenant", 't', TC_OPT_LABEL, &tenant, "NAME",
	         "the tenant to create (default: example)"},
		{"gitops", 0, TC_OPT_CHOICE, &gitops, "flux|argocd",
	         "the GitOps tool (default: flux)"},
		{"domain", 0, TC_OPT_STRING, &domain, "DOMAIN",
	         "the environment's domain (default: <env>.example.com)"},
		{"repo-url", 0, TC_OPT_STRING, &url, "URL",
	         "where Flux or ArgoCD fetch the repository (default: a placeholder)"},
		{"with-ci", 0, TC_OPT_FLAG, &with_ci, NULL,
	         "also write .pre-commit-config.yaml, " TC_WORKFLOW
	         " (tenantc's GitHub Action) and README.md"},
		{0},
	};
	int status = tc_opt_parse("init", usage, opts, argc, argv, &pos);
	if (status) {
		tc_strlist_release(&pos);
		return status == 1 ? 0 : 2;
	}
	status = 2;
	tc_diags d;
	tc_diags_init(&d);
	outfile *files = NULL;
	size_t nfiles = 0;
	char *domain_buf = NULL;
	if (!domain) {
		size_t n = strlen(env) + sizeof ".example.com";
		domain_buf = tc_xmalloc(n);
		snprintf(domain_buf, n, "%s.example.com", env);
		domain = domain_buf;
	}
	init_args ia = {env, tenant, gitops, domain, url, with_ci};
	if (check_args(&pos, &ia) < 0)
		goto out;
	const char *dir = pos.items[0];
	files = tc_xcalloc(tc_init_nfiles + 7, sizeof *files);
	plan_files(files, &nfiles, &ia);
	bool kept_readme = refuse_existing(&d, dir, files, &nfiles);
	if (!tc_diags_has_errors(&d))
		write_all(&d, dir, files, nfiles);
	if (tc_diags_has_errors(&d)) {
		tc_diags_print(&d, stderr);
		status = tc_diags_exit_code(&d);
		goto out;
	}
	printf("created %s: %zu files, environment '%s' (%s), tenant '%s'%s\n"
	       "next: tenantc render --repo %s\n",
	       dir, nfiles, env, gitops, tenant,
	       kept_readme ? " (its README.md was there and is kept)" : "", dir);
	status = 0;
out:
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].path);
		free(files[i].owned);
	}
	free(files);
	free(domain_buf);
	tc_diags_release(&d);
	tc_strlist_release(&pos);
	return status;
}
