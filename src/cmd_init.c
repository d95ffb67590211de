/*
 * cmd_init.c - `tenantc init DIR`: create a new, working repository.
 *
 *   tenantc init DIR [--env NAME] [--tenant NAME] [--gitops flux|argocd]
 *                    [--domain DOMAIN] [--repo-url URL]
 *
 * DIR gets the templates and schemas tenantc was built with (init_data.h),
 * a tenantc.yaml, one environment and one tenant, so that
 * `tenantc render --repo DIR` works at once. DIR may exist (an empty folder
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

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] = "DIR [--env NAME] [--tenant NAME] [--gitops flux|argocd] "
			    "[--domain DOMAIN] [--repo-url URL]";

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

static void settings_file(tc_buf *b, const char *url)
{
	tc_buf_addf(b,
	            "# Repository settings of tenantc.\n"
	            "output: rendered                 # the folder `tenantc render` writes\n"
	            "repoURL: \"%s\"\n"
	            "branch: main                     # the branch Flux or ArgoCD follows\n"
	            "# sops:\n"
	            "#   age: [age1...]               # recipients of every Secret (CI, admins)\n",
	            url);
}

static void env_file(tc_buf *b, const char *env, const char *domain, const char *gitops)
{
	tc_buf_addf(b,
	            "# One environment: every tenant is rendered into it unless the tenant\n"
	            "# lists its environments. docs/templates.md in tenantc describes the\n"
	            "# values the example templates read.\n"
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

static void tenant_file(tc_buf *b, const char *tenant, const char *domain)
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
		"    - clientId: frontend\n"
		"      type: public\n"
		"      redirectUris: [\"https://%s.%s/*\"]\n"
		"network:\n"
		"  egress: []                       # e.g. - {cidr: 10.10.0.0/24, ports: [5432]}\n"
		"values: {}\n",
		tenant, tenant, tenant, domain);
}

int tc_cmd_init(int argc, char **argv)
{
	const char *env = "prod", *tenant = "example", *gitops = "flux", *domain = NULL;
	const char *url = "https://git.example.com/platform.git";
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
	if (pos.len != 1) {
		tc_usage_error(NULL, "%s",
		               pos.len ? "give exactly one folder"
		                       : "missing the folder to create");
		fprintf(stderr, "usage: tenantc init %s\n", usage);
		goto out;
	}
	const char *dir = pos.items[0];
	if (!is_label(env, ENV_NAME_MAX)) {
		tc_usage_error(
			"--env",
			"environment name '%s' is not a DNS-1123 label of at most %d characters",
			env, ENV_NAME_MAX);
		goto out;
	}
	if (!is_label(tenant, TENANT_NAME_MAX)) {
		tc_usage_error("--tenant",
		               "tenant name '%s' is not a DNS-1123 label of at most %d characters",
		               tenant, TENANT_NAME_MAX);
		goto out;
	}
	if (!domain) {
		size_t n = strlen(env) + sizeof ".example.com";
		domain_buf = tc_xmalloc(n);
		snprintf(domain_buf, n, "%s.example.com", env);
		domain = domain_buf;
	}
	if (!is_domain(domain)) {
		tc_usage_error("--domain",
		               "'%s' is not a domain name (lower-case DNS labels joined by '.')",
		               domain);
		goto out;
	}
	if (!is_url(url)) {
		tc_usage_error("--repo-url",
		               "'%s' is not a git URL (https://, http://, ssh:// or git@host:path, "
		               "without spaces or quotes)",
		               url);
		goto out;
	}

	files = tc_xcalloc(tc_init_nfiles + 4, sizeof *files);
	for (size_t i = 0; i < tc_init_nfiles; i++)
		add(files, &nfiles, tc_init_files[i].path, NULL, tc_init_files[i].data,
		    tc_init_files[i].len);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	settings_file(&b, url);
	add_buf(files, &nfiles, "tenantc.yaml", &b);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	env_file(&b, env, domain, gitops);
	char *path = tc_xmalloc(strlen(env) + sizeof "environments/.yaml");
	snprintf(path, strlen(env) + sizeof "environments/.yaml", "environments/%s.yaml", env);
	add_buf(files, &nfiles, path, &b);
	free(path);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tenant_file(&b, tenant, domain);
	path = tc_xmalloc(strlen(tenant) + sizeof "tenants//tenant.yaml");
	snprintf(path, strlen(tenant) + sizeof "tenants//tenant.yaml", "tenants/%s/tenant.yaml",
	         tenant);
	add_buf(files, &nfiles, path, &b);
	free(path);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, "# the temporary tree of a render that did not finish (the next render\n"
	                "# removes it; `tenantc check` names it)\n"
	                ".*.tmp-?????"
	                "?/\n"); /* split: no trigraph */
	add_buf(files, &nfiles, ".gitignore", &b);

	/* refuse before writing anything */
	tc_buf full;
	tc_buf_init(&full, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < nfiles; i++) {
		tc_buf_reset(&full);
		tc_buf_addf(&full, "%s/%s", dir, files[i].path);
		struct stat st;
		if (lstat(tc_buf_str(&full), &st) == 0)
			tc_error(
				&d, (tc_pos){tc_buf_str(&full), 0, 0}, NULL,
				"file exists: init creates a new repository and overwrites nothing");
	}
	struct stat dst;
	if (tc_diags_has_errors(&d))
		;
	else if (stat(dir, &dst) == 0 && !S_ISDIR(dst.st_mode))
		tc_error(&d, (tc_pos){dir, 0, 0}, NULL, "'%s' is not a folder", dir);
	else if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		tc_error(&d, (tc_pos){dir, 0, 0}, NULL, "cannot create folder '%s': %s", dir,
		         strerror(errno));
	for (size_t i = 0; i < nfiles && !tc_diags_has_errors(&d); i++) {
		tc_buf_reset(&full);
		tc_buf_addf(&full, "%s/%s", dir, files[i].path);
		if (make_parents(&d, dir, files[i].path) == 0)
			write_new(&d, tc_buf_str(&full), files[i].data, files[i].len);
	}
	tc_buf_release(&full);
	if (tc_diags_has_errors(&d)) {
		tc_diags_print(&d, stderr);
		status = tc_diags_exit_code(&d);
		goto out;
	}
	printf("created %s: %zu files, environment '%s' (%s), tenant '%s'\n"
	       "next: tenantc render --repo %s\n",
	       dir, nfiles, env, gitops, tenant, dir);
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
