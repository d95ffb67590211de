/*
 * test_cache.c - unit tests for cache.c: tenant keys, entries and the
 * state of an output tree.
 *
 *   test_cache CACHE_KEY_OTHER
 *
 * Keys come from git object ids, so each case builds a git repository
 * with the git CLI under one temporary directory (its own HOME, no system
 * or global config, automatic gc off) and reads its index. The cache
 * lives in a folder of its own ($TENANTC_CACHE_DIR). CACHE_KEY_OTHER is
 * cache_key.c built with another TC_VERSION: it prints the key that
 * version gives a tenant.
 */
#include "cache.h"

#include "tc_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmproot[PATH_MAX];
static char cachedir[PATH_MAX];
static const char *other_version;

/* ---- helpers ---- */

/* put, then stage the file */
static int stage(const char *root, const char *rel, const char *text)
{
	return tc_test_put(root, rel, text) || tc_test_sh("cd '%s' && git add -A", root);
}

/* A repository with two tenants, all of it staged: root is out. */
static int newrepo(char out[PATH_MAX], const char *name)
{
	tc_test_path(out, PATH_MAX, "%s/%s", tmproot, name);
	if (tc_test_sh("rm -rf '%s' && mkdir -p '%s' && cd '%s' && git init -q -b main && "
	               "git config gc.auto 0 && git config maintenance.auto false",
	               out, out, out) != 0)
		return -1;
	return tc_test_put(out, "tenantc.yaml", "output: rendered\n") ||
	       tc_test_put(out, "environments/prod.yaml", "name: prod\n") ||
	       tc_test_put(out, "templates/tenant/ns.yaml", "kind: Namespace\n") ||
	       tc_test_put(out, "schemas/tenant.json", "{}\n") ||
	       tc_test_put(out, "tenants/acme/tenant.yaml", "name: acme\n") ||
	       tc_test_put(out, "tenants/acme/files/app.conf", "a = 1\n") ||
	       tc_test_put(out, "tenants/globex/tenant.yaml", "name: globex\n") ||
	       tc_test_sh("cd '%s' && git add -A", out);
}

typedef struct keys {
	char acme[65], globex[65];
	bool cached; /* the cache applies */
	bool ok;     /* and both keys were made */
} keys;

static keys keys_of(const char *root, tc_source_kind kind, const char *options)
{
	keys k = {{0}, {0}, false, false};
	tc_diags d;
	tc_diags_init(&d);
	tc_source *src = NULL;
	tc_cache *c = NULL;
	if (tc_source_open(&src, &d, root, kind, NULL) == 0 &&
	    tc_cache_open(&c, src, &(tc_cache_opts){.now = options}, &d) == 0 && c) {
		k.cached = true;
		k.ok = tc_cache_tenant_key(c, src, "acme", k.acme) &&
		       tc_cache_tenant_key(c, src, "globex", k.globex);
	}
	tc_cache_free(c);
	tc_source_free(src);
	tc_diags_release(&d);
	return k;
}

static keys index_keys(const char *root)
{
	return keys_of(root, TC_SOURCE_INDEX, "opts");
}

static bool is_key(const char *k)
{
	if (strlen(k) != 64)
		return false;
	for (const char *s = k; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* A cache on the index of a fresh repository `name`, for entry tests. */
typedef struct opened {
	char root[PATH_MAX];
	tc_source *src;
	tc_cache *c;
} opened;

static bool open_cache(opened *o, const char *name)
{
	memset(o, 0, sizeof *o);
	/* a cache folder of its own: the repositories of all cases have the
	 * same content, and so the same keys */
	tc_test_path(cachedir, sizeof cachedir, "%s/cache-%s", tmproot, name);
	setenv("TENANTC_CACHE_DIR", cachedir, 1);
	tc_diags d;
	tc_diags_init(&d);
	bool ok = newrepo(o->root, name) == 0 &&
	          tc_source_open(&o->src, &d, o->root, TC_SOURCE_INDEX, NULL) == 0 &&
	          tc_cache_open(&o->c, o->src, &(tc_cache_opts){.now = "opts"}, &d) == 0 && o->c;
	tc_diags_release(&d);
	return ok;
}

static void close_cache(opened *o)
{
	tc_cache_free(o->c);
	tc_source_free(o->src);
}

static char *sdup(const char *s)
{
	return strdup(s);
}

/* an entry of two files (one with a NUL byte, one index file) and two objects */
static void sample_entry(tc_cache_entry *e, const char *tag)
{
	tc_cache_entry_init(e);
	char data[64];
	int n = snprintf(data, sizeof data, "kind: ConfigMap\n%s\n", tag);
	char *bytes = malloc((size_t)n + 3);
	memcpy(bytes, data, (size_t)n);
	memcpy(bytes + n, "\0z\n", 3);
	tc_outlist_add(&e->files, sdup("prod/tenants/acme/configmap-a.yaml"), bytes, (size_t)n + 3,
	               true);
	tc_outlist_add(&e->files, sdup("prod/tenants/acme/kustomization.yaml"),
	               sdup("resources: []\n"), 14, false);
	e->idents = calloc(2, sizeof *e->idents);
	e->idents[e->nidents++] = sdup("v1\tConfigMap\tacme-prod\ta");
	e->idents[e->nidents++] = sdup("v1\tNamespace\t\tacme-prod");
	e->nobjects = 2;
	e->rendered = true;
}

static bool same_entry(const tc_cache_entry *a, const tc_cache_entry *b)
{
	if (a->files.len != b->files.len || a->nidents != b->nidents ||
	    a->nobjects != b->nobjects || a->rendered != b->rendered)
		return false;
	for (size_t i = 0; i < a->files.len; i++) {
		const tc_outfile *x = &a->files.items[i], *y = &b->files.items[i];
		if (strcmp(x->path, y->path) != 0 || x->len != y->len ||
		    memcmp(x->data, y->data, x->len) != 0 || x->manifest != y->manifest)
			return false;
	}
	for (size_t i = 0; i < a->nidents; i++)
		if (strcmp(a->idents[i], b->idents[i]) != 0)
			return false;
	return true;
}

static void entry_path(char out[PATH_MAX], const char *key)
{
	tc_test_path(out, PATH_MAX, "%s/objects/%.2s/%s", cachedir, key, key + 2);
}

/* How many names in dir (not recursive) contain `part`? */
static size_t count_names(const char *dir, const char *part)
{
	DIR *dp = opendir(dir);
	size_t n = 0;
	for (struct dirent *de; dp && (de = readdir(dp));)
		if (strstr(de->d_name, part) && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (dp)
		closedir(dp);
	return n;
}

/* ---- keys ---- */

TEST(keys_exist_for_the_index_and_revisions_but_not_for_a_work_tree_or_with_the_cache_off)
{
	char root[PATH_MAX];
	CHECK(newrepo(root, "kinds") == 0);
	CHECK(tc_test_sh("cd '%s' && git commit -q -m one", root) == 0);
	keys idx = index_keys(root);
	keys rev = keys_of(root, TC_SOURCE_REV, "opts");
	keys wt = keys_of(root, TC_SOURCE_WORKTREE, "opts");
	setenv("TENANTC_CACHE", "off", 1);
	keys off = index_keys(root);
	unsetenv("TENANTC_CACHE");
	CHECK(idx.cached && idx.ok && is_key(idx.acme) && is_key(idx.globex));
	CHECK(strcmp(idx.acme, idx.globex) != 0);
	CHECK(rev.cached && rev.ok && is_key(rev.acme));
	CHECK(!wt.cached);
	CHECK(!off.cached);
}

TEST(a_key_changes_with_its_tenants_files_and_not_with_another_tenants)
{
	char root[PATH_MAX];
	CHECK(newrepo(root, "tenantfiles") == 0);
	keys a = index_keys(root);
	keys again = index_keys(root);
	CHECK(a.ok && again.ok);
	CHECK(strcmp(a.acme, again.acme) == 0 && strcmp(a.globex, again.globex) == 0);
	/* an edit not staged is not in the index */
	CHECK(tc_test_put(root, "tenants/acme/files/app.conf", "a = 2\n") == 0);
	keys unstaged = index_keys(root);
	CHECK(unstaged.ok && strcmp(unstaged.acme, a.acme) == 0);
	CHECK(tc_test_sh("cd '%s' && git add -A", root) == 0);
	keys b = index_keys(root);
	CHECK(b.ok && strcmp(b.acme, a.acme) != 0 && strcmp(b.globex, a.globex) == 0);
	/* a new file, and tenant.yaml */
	CHECK(stage(root, "tenants/acme/files/sub/new.txt", "new\n") == 0);
	keys c = index_keys(root);
	CHECK(c.ok && strcmp(c.acme, b.acme) != 0 && strcmp(c.globex, a.globex) == 0);
	CHECK(stage(root, "tenants/globex/tenant.yaml", "name: globex\ndisplayName: G\n") == 0);
	keys e = index_keys(root);
	CHECK(e.ok && strcmp(e.acme, c.acme) == 0 && strcmp(e.globex, a.globex) != 0);
	/* back to the first content: the first keys again */
	CHECK(tc_test_sh("cd '%s' && rm -r tenants/acme/files/sub", root) == 0);
	CHECK(stage(root, "tenants/acme/files/app.conf", "a = 1\n") == 0);
	CHECK(stage(root, "tenants/globex/tenant.yaml", "name: globex\n") == 0);
	keys back = index_keys(root);
	CHECK(back.ok && strcmp(back.acme, a.acme) == 0 && strcmp(back.globex, a.globex) == 0);
}

TEST(every_key_changes_with_templates_environments_schemas_and_tenantc_yaml)
{
	char root[PATH_MAX];
	CHECK(newrepo(root, "shared") == 0);
	static const char *const what[][2] = {
		{"templates/tenant/ns.yaml", "kind: Namespace\nmetadata: {}\n"},
		{"templates/cluster/new.yaml", "kind: ClusterRole\n"},
		{"environments/prod.yaml", "name: prod\ndomain: x\n"},
		{"schemas/tenant.json", "{\"type\": \"object\"}\n"},
		{"tenantc.yaml", "output: deploy\n"},
	};
	keys prev = index_keys(root);
	CHECK(prev.ok);
	for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
		CHECK(stage(root, what[i][0], what[i][1]) == 0);
		keys k = index_keys(root);
		if (!(k.ok && strcmp(k.acme, prev.acme) != 0 &&
		      strcmp(k.globex, prev.globex) != 0)) {
			fprintf(stderr, "  changing %s kept a key\n", what[i][0]);
			CHECK(false);
		}
		prev = k;
	}
}

TEST(every_key_changes_with_the_options_text)
{
	char root[PATH_MAX];
	CHECK(newrepo(root, "options") == 0);
	keys a = keys_of(root, TC_SOURCE_INDEX, "schema-location=");
	keys b = keys_of(root, TC_SOURCE_INDEX, "schema-location=/x");
	keys a2 = keys_of(root, TC_SOURCE_INDEX, "schema-location=");
	CHECK(a.ok && b.ok && a2.ok);
	CHECK(strcmp(a.acme, b.acme) != 0 && strcmp(a.globex, b.globex) != 0);
	CHECK(strcmp(a.acme, a2.acme) == 0);
}

TEST(every_key_changes_with_the_tenantc_version)
{
	char root[PATH_MAX];
	CHECK(newrepo(root, "version") == 0);
	keys k = index_keys(root);
	CHECK(k.ok);
	char cmd[PATH_MAX * 2 + 64], other[128] = "";
	tc_test_path(cmd, sizeof cmd, "'%s' '%s' acme opts", other_version, root);
	FILE *p = popen(cmd, "r");
	CHECK(p);
	if (!fgets(other, sizeof other, p))
		other[0] = 0;
	int rc = pclose(p);
	other[strcspn(other, "\n")] = 0;
	CHECK(rc == 0 && is_key(other));
	CHECK(strcmp(other, k.acme) != 0);
}

/* ---- entries ---- */

TEST(an_entry_put_under_a_key_comes_back_byte_for_byte)
{
	opened o;
	CHECK(open_cache(&o, "roundtrip"));
	char key[65];
	CHECK(tc_cache_tenant_key(o.c, o.src, "acme", key));
	tc_cache_entry e, got;
	sample_entry(&e, "one");
	tc_cache_entry_init(&got);
	int miss = tc_cache_get(o.c, key, &got);
	tc_cache_put(o.c, key, &e);
	int hit = tc_cache_get(o.c, key, &got);
	bool same = hit == 0 && same_entry(&e, &got);
	char path[PATH_MAX];
	entry_path(path, key);
	bool where = access(path, F_OK) == 0;
	/* an empty entry (a tenant in no environment) is an entry too */
	tc_cache_entry none, gotnone;
	tc_cache_entry_init(&none);
	tc_cache_entry_init(&gotnone);
	char key2[65];
	memcpy(key2, key, sizeof key2);
	key2[63] = key2[63] == '0' ? '1' : '0';
	tc_cache_put(o.c, key2, &none);
	bool empty = tc_cache_get(o.c, key2, &gotnone) == 0 && gotnone.files.len == 0 &&
	             gotnone.nidents == 0 && !gotnone.rendered;
	tc_cache_entry_release(&gotnone);
	tc_cache_entry_release(&none);
	tc_cache_entry_release(&got);
	tc_cache_entry_release(&e);
	close_cache(&o);
	CHECK(miss == 1);
	CHECK(same);
	CHECK(where);
	CHECK(empty);
}

TEST(an_entry_holding_plaintext_is_never_stored)
{
	opened o;
	CHECK(open_cache(&o, "plaintext"));
	char key[65];
	CHECK(tc_cache_tenant_key(o.c, o.src, "acme", key));
	tc_cache_entry e, got;
	sample_entry(&e, "two");
	tc_outlist_add_secret(&e.files, sdup("prod/tenants/acme/secret-db.yaml"),
	                      sdup("stringData: {password: hunter2}\n"), 32);
	tc_cache_entry_init(&got);
	tc_cache_put(o.c, key, &e);
	int rc = tc_cache_get(o.c, key, &got);
	char path[PATH_MAX];
	entry_path(path, key);
	bool absent = access(path, F_OK) != 0;
	tc_cache_entry_release(&got);
	tc_cache_entry_release(&e);
	close_cache(&o);
	CHECK(rc == 1);
	CHECK(absent);
}

/* rewrite the entry file at path: truncate to len, or replace byte at off */
static int damage(const char *path, long len, long off, char byte)
{
	if (len >= 0)
		return truncate(path, len);
	FILE *f = fopen(path, "r+b");
	if (!f)
		return -1;
	int rc = fseek(f, off, off < 0 ? SEEK_END : SEEK_SET) || fputc(byte, f) == EOF;
	return fclose(f) || rc ? -1 : 0;
}

TEST(a_damaged_entry_is_a_miss)
{
	opened o;
	CHECK(open_cache(&o, "damaged"));
	char key[65], path[PATH_MAX];
	CHECK(tc_cache_tenant_key(o.c, o.src, "acme", key));
	entry_path(path, key);
	struct stat st;
	static const struct {
		const char *what;
		long len, off;
		char byte;
	} cases[] = {
		{"empty", 0, 0, 0},
		{"cut in the header", 10, 0, 0},
		{"cut in a file", 100, 0, 0},
		{"one byte short", -2, 0, 0}, /* len filled in below */
		{"another version", -1, 14, '9'},
		{"a count of files too large", -1, 43, '9'},
		{"the last separator", -1, -1, 'x'},
		{"one byte more", -3, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tc_cache_entry e, got;
		sample_entry(&e, "three");
		tc_cache_put(o.c, key, &e);
		tc_cache_entry_init(&got);
		CHECK(stat(path, &st) == 0 && tc_cache_get(o.c, key, &got) == 0);
		tc_cache_entry_release(&got);
		long len = cases[i].len;
		int rc;
		if (len == -2) {
			rc = damage(path, (long)st.st_size - 1, 0, 0);
		} else if (len == -3) {
			FILE *f = fopen(path, "ab");
			rc = !f || fputc('\n', f) == EOF;
			if (f && fclose(f))
				rc = -1;
		} else {
			rc = damage(path, len, cases[i].off, cases[i].byte);
		}
		int get = tc_cache_get(o.c, key, &got);
		bool empty = got.files.len == 0 && got.nidents == 0;
		tc_cache_entry_release(&got);
		tc_cache_entry_release(&e);
		if (rc != 0 || get != 1 || !empty) {
			fprintf(stderr, "  %s: damage %d, get %d\n", cases[i].what, rc, get);
			close_cache(&o);
			CHECK(false);
		}
	}
	/* and a folder where the entry should be */
	CHECK(unlink(path) == 0 && mkdir(path, 0755) == 0);
	tc_cache_entry got;
	tc_cache_entry_init(&got);
	int get = tc_cache_get(o.c, key, &got);
	tc_cache_entry_release(&got);
	close_cache(&o);
	CHECK(get == 1);
}

#define PUTTERS 6
#define ROUNDS 40
#define BIG (64 * 1024)

typedef struct race {
	const tc_cache *c;
	const char *key;
	int id;
	int bad; /* readers: hits that were not one whole entry */
	int hits;
} race;

/* an entry whose one file is BIG bytes of the letter 'a' + id */
static void racer_entry(tc_cache_entry *e, int id)
{
	tc_cache_entry_init(e);
	char *data = malloc(BIG);
	memset(data, 'a' + id, BIG);
	tc_outlist_add(&e->files, sdup("prod/tenants/acme/big.yaml"), data, BIG, true);
	e->nobjects = (size_t)id;
	e->rendered = true;
}

static void *putter(void *arg)
{
	race *r = arg;
	tc_cache_entry e;
	racer_entry(&e, r->id);
	for (int i = 0; i < ROUNDS; i++)
		tc_cache_put(r->c, r->key, &e);
	tc_cache_entry_release(&e);
	return NULL;
}

static void *reader(void *arg)
{
	race *r = arg;
	for (int i = 0; i < ROUNDS * 2; i++) {
		tc_cache_entry got;
		tc_cache_entry_init(&got);
		if (tc_cache_get(r->c, r->key, &got) == 0) {
			r->hits++;
			int id = (int)got.nobjects;
			bool whole = got.files.len == 1 && got.files.items[0].len == BIG &&
			             id >= 0 && id < PUTTERS;
			for (size_t k = 0; whole && k < BIG; k++)
				whole = got.files.items[0].data[k] == 'a' + id;
			if (!whole)
				r->bad++;
		}
		tc_cache_entry_release(&got);
	}
	return NULL;
}

TEST(concurrent_puts_of_one_key_leave_one_whole_entry_and_no_temporary_file)
{
	opened o;
	CHECK(open_cache(&o, "race"));
	char key[65], path[PATH_MAX];
	CHECK(tc_cache_tenant_key(o.c, o.src, "acme", key));
	pthread_t th[PUTTERS + 2];
	race rs[PUTTERS + 2];
	for (int i = 0; i < PUTTERS + 2; i++) {
		rs[i] = (race){o.c, key, i, 0, 0};
		pthread_create(&th[i], NULL, i < PUTTERS ? putter : reader, &rs[i]);
	}
	for (int i = 0; i < PUTTERS + 2; i++)
		pthread_join(th[i], NULL);
	int bad = rs[PUTTERS].bad + rs[PUTTERS + 1].bad;
	tc_cache_entry got;
	tc_cache_entry_init(&got);
	int rc = tc_cache_get(o.c, key, &got);
	int id = (int)got.nobjects;
	bool whole = rc == 0 && got.files.len == 1 && got.files.items[0].len == BIG && id >= 0 &&
	             id < PUTTERS && got.files.items[0].data[BIG - 1] == 'a' + id;
	tc_cache_entry_release(&got);
	entry_path(path, key);
	*strrchr(path, '/') = 0;
	size_t temps = count_names(path, ".tmp-");
	close_cache(&o);
	CHECK(bad == 0);
	CHECK(whole);
	CHECK(temps == 0);
}

/* ---- tree state ---- */

typedef struct tree {
	char dir[PATH_MAX];
	tc_state_tenant t[2];
	const tc_state_tenant *tp[2]; /* the records, as a render lists them */
	char *paths_a[2], *paths_g[1], *idents_a[1];
	const char *others[2];
} tree;

/* an output tree with the files of tenants acme and globex and two others */
static bool make_tree(tree *tr, const char *name, const char *key_a, const char *key_g)
{
	memset(tr, 0, sizeof *tr);
	tc_test_path(tr->dir, sizeof tr->dir, "%s/%s", tmproot, name);
	static char pa0[] = "prod/tenants/acme/namespace-acme-prod.yaml";
	static char pa1[] = "prod/gitops/acme/kustomization-acme-prod.yaml";
	static char pg0[] = "prod/tenants/globex/namespace-globex-prod.yaml";
	static char ia0[] = "v1\tNamespace\t\tacme-prod";
	static char na[] = "acme", ng[] = "globex";
	tr->paths_a[0] = pa0;
	tr->paths_a[1] = pa1;
	tr->paths_g[0] = pg0;
	tr->idents_a[0] = ia0;
	tr->t[0] = (tc_state_tenant){.name = na,
	                             .nobjects = 2,
	                             .rendered = true,
	                             .paths = tr->paths_a,
	                             .npaths = 2,
	                             .idents = tr->idents_a,
	                             .nidents = 1};
	tr->t[1] = (tc_state_tenant){.name = ng,
	                             .nobjects = 1,
	                             .rendered = true,
	                             .paths = tr->paths_g,
	                             .npaths = 1};
	memcpy(tr->t[0].key, key_a, 65);
	memcpy(tr->t[1].key, key_g, 65);
	tr->tp[0] = &tr->t[0];
	tr->tp[1] = &tr->t[1];
	tr->others[0] = "prod/kustomization.yaml";
	tr->others[1] = "prod/cluster/clusterrole-x.yaml";
	if (tc_test_sh("rm -rf '%s' && mkdir -p '%s'", tr->dir, tr->dir))
		return false;
	return tc_test_put(tr->dir, pa0, "a\n") == 0 && tc_test_put(tr->dir, pa1, "a\n") == 0 &&
	       tc_test_put(tr->dir, pg0, "g\n") == 0 &&
	       tc_test_put(tr->dir, tr->others[0], "k\n") == 0 &&
	       tc_test_put(tr->dir, tr->others[1], "c\n") == 0;
}

/* A cache named name and a tree of acme's and globex's files, with their
 * keys. */
static bool open_tree(opened *o, const char *name, tree *tr, char ka[65], char kg[65])
{
	return open_cache(o, name) && tc_cache_tenant_key(o->c, o->src, "acme", ka) &&
	       tc_cache_tenant_key(o->c, o->src, "globex", kg) && make_tree(tr, "out", ka, kg);
}

/* Save the state of tr as a render saves it: fresh records (in memory),
 * and kept ones from old (those whose `kept` is set). */
static void save_tree(opened *o, tree *tr, const tc_tree_state *old)
{
	tc_buf b[2];
	tc_state_ref r[2];
	for (int i = 0; i < 2; i++) {
		tc_buf_init(&b[i], TC_BUF_UNLIMITED);
		bool ok = tc_state_record(&b[i], &tr->t[i]);
		r[i] = (tc_state_ref){.name = tr->t[i].name, .text = b[i].ptr, .len = b[i].len};
		if (!ok)
			r[i].text = "";
	}
	tc_tree_state_save(o->c, tr->dir, old, r, 2, NULL, tr->others, 2, NULL);
	for (int i = 0; i < 2; i++)
		tc_buf_release(&b[i]);
}

typedef struct seen {
	char text[1024];
} seen;

static void collect(void *ud, const char *path)
{
	seen *s = ud;
	snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text), "%s;", path);
}

TEST(a_tree_state_saved_loads_back_with_every_tenant_and_file)
{
	opened o;
	char ka[65], kg[65];
	tree tr;
	CHECK(open_tree(&o, "state", &tr, ka, kg));
	bool none = tc_tree_state_load(o.c, tr.dir) == NULL;
	save_tree(&o, &tr, NULL);
	tc_tree_state *s = tc_tree_state_load(o.c, tr.dir);
	tc_state_tenant *a = s ? tc_tree_state_lookup(s, "acme", ka) : NULL;
	bool kept = a && a->kept;
	bool acme = a && strcmp(a->name, "acme") == 0 && strcmp(a->key, ka) == 0 &&
	            a->nobjects == 2 && a->rendered && a->npaths == 2 &&
	            strcmp(a->paths[0], tr.paths_a[0]) == 0 &&
	            strcmp(a->paths[1], tr.paths_a[1]) == 0 && a->nidents == 1 &&
	            strcmp(a->idents[0], tr.idents_a[0]) == 0;
	bool wrongkey = s && !tc_tree_state_lookup(s, "acme", kg);
	bool nobody = s && !tc_tree_state_lookup(s, "nobody", ka);
	seen all = {""}, left = {""};
	tc_tree_state *s2 = tc_tree_state_load(o.c, tr.dir);
	if (s2)
		tc_tree_state_paths(s2, collect, &all);
	tc_tree_state_free(s2);
	/* the lookup of acme kept its record: its paths stay */
	if (s)
		tc_tree_state_paths(s, collect, &left);
	tc_tree_state_free(s);
	close_cache(&o);
	CHECK(none);
	CHECK(s);
	CHECK(acme);
	CHECK(kept);
	CHECK(wrongkey);
	CHECK(nobody);
	CHECK_STR(all.text, "prod/tenants/acme/namespace-acme-prod.yaml;"
	                    "prod/gitops/acme/kustomization-acme-prod.yaml;"
	                    "prod/tenants/globex/namespace-globex-prod.yaml;"
	                    "prod/kustomization.yaml;prod/cluster/clusterrole-x.yaml;");
	CHECK_STR(left.text, "prod/tenants/globex/namespace-globex-prod.yaml;"
	                     "prod/kustomization.yaml;prod/cluster/clusterrole-x.yaml;");
}

TEST(a_tree_state_no_longer_vouches_for_a_file_edited_or_a_folder_replaced)
{
	opened o;
	char ka[65], kg[65];
	tree tr;
	CHECK(open_tree(&o, "stale", &tr, ka, kg));
	save_tree(&o, &tr, NULL);
	/* a file of acme's edited since: newer than the state */
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/%s", tr.dir, tr.paths_a[1]);
	struct timespec later[2];
	clock_gettime(CLOCK_REALTIME, &later[0]);
	later[0].tv_sec += 5;
	later[1] = later[0];
	CHECK(utimensat(AT_FDCWD, path, later, 0) == 0);
	tc_tree_state *s = tc_tree_state_load(o.c, tr.dir);
	bool edited =
		s && !tc_tree_state_lookup(s, "acme", ka) && tc_tree_state_lookup(s, "globex", kg);
	tc_tree_state_free(s);
	/* a file of globex's gone */
	tc_test_path(path, sizeof path, "%s/%s", tr.dir, tr.paths_g[0]);
	CHECK(unlink(path) == 0);
	s = tc_tree_state_load(o.c, tr.dir);
	bool gone = s && !tc_tree_state_lookup(s, "globex", kg);
	tc_tree_state_free(s);
	/* the folder replaced by another at the same path (a full render) */
	CHECK(tc_test_sh("mv '%s' '%s.old' && cp -R '%s.old' '%s'", tr.dir, tr.dir, tr.dir,
	                 tr.dir) == 0);
	bool replaced = tc_tree_state_load(o.c, tr.dir) == NULL;
	close_cache(&o);
	CHECK(edited);
	CHECK(gone);
	CHECK(replaced);
}

TEST(a_tree_state_no_longer_vouches_for_an_edit_whose_modification_time_was_set_back)
{
	opened o;
	char ka[65], kg[65];
	tree tr;
	CHECK(open_tree(&o, "setback", &tr, ka, kg));
	save_tree(&o, &tr, NULL);
	/* after the state by more than the kernel's tick for file times */
	struct timespec pause = {0, 50 * 1000 * 1000};
	nanosleep(&pause, NULL);
	/* an edit of the same size, its times put back as they were
	 * (touch -d, cp -p, rsync -t): only the change time tells */
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/%s", tr.dir, tr.paths_a[0]);
	struct stat st;
	CHECK(stat(path, &st) == 0);
	CHECK(tc_test_put(tr.dir, tr.paths_a[0], "A\n") == 0);
	struct timespec back[2] = {st.st_atim, st.st_mtim};
	CHECK(utimensat(AT_FDCWD, path, back, 0) == 0);
	tc_tree_state *s = tc_tree_state_load(o.c, tr.dir);
	bool noticed =
		s && !tc_tree_state_lookup(s, "acme", ka) && tc_tree_state_lookup(s, "globex", kg);
	tc_tree_state_free(s);
	close_cache(&o);
	CHECK(noticed);
}

TEST(a_damaged_tree_state_is_no_state)
{
	opened o;
	char ka[65], kg[65];
	tree tr;
	CHECK(open_tree(&o, "badstate", &tr, ka, kg));
	save_tree(&o, &tr, NULL);
	char statedir[PATH_MAX];
	tc_test_path(statedir, sizeof statedir, "%s/state", cachedir);
	tc_tree_state *s = tc_tree_state_load(o.c, tr.dir);
	bool loads = s != NULL;
	tc_tree_state_free(s);
	/* a name with a newline cannot be saved: no record */
	static char bad[] = "ac\nme";
	char *good = tr.t[0].name;
	tr.t[0].name = bad;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	bool refused = !tc_state_record(&b, &tr.t[0]) && b.len == 0;
	tc_buf_release(&b);
	tr.t[0].name = good;
	s = tc_tree_state_load(o.c, tr.dir);
	bool still = s && tc_tree_state_lookup(s, "acme", ka);
	tc_tree_state_free(s);
	/* one bucket cut short: the state is no state */
	CHECK(tc_test_sh("for f in '%s'/*/b-*; do head -c -2 \"$f\" >\"$f.cut\" && mv \"$f.cut\" "
	                 "\"$f\"; done",
	                 statedir) == 0);
	bool cutbucket = tc_tree_state_load(o.c, tr.dir) == NULL;
	save_tree(&o, &tr, NULL);
	s = tc_tree_state_load(o.c, tr.dir);
	bool again = s != NULL;
	tc_tree_state_free(s);
	/* the manifest cut short */
	CHECK(tc_test_sh("for f in '%s'/*/manifest; do head -c -2 \"$f\" >\"$f.cut\" && mv "
	                 "\"$f.cut\" \"$f\"; done",
	                 statedir) == 0);
	bool cut = tc_tree_state_load(o.c, tr.dir) == NULL;
	/* a bucket whose bytes were changed at the same size: the lookup
	 * fails, and the state says it is damaged (it must not be saved on) */
	save_tree(&o, &tr, NULL);
	CHECK(tc_test_sh("for f in '%s'/*/b-*; do sed -i 's/^acme$/acmf/' \"$f\"; done",
	                 statedir) == 0);
	s = tc_tree_state_load(o.c, tr.dir);
	bool damaged = s && !tc_tree_state_lookup(s, "acme", ka) && tc_tree_state_damaged(s);
	tc_tree_state_free(s);
	close_cache(&o);
	CHECK(loads);
	CHECK(refused);
	CHECK(still);
	CHECK(cutbucket);
	CHECK(again);
	CHECK(cut);
	CHECK(damaged);
}

/* the state file of tenantc 0.1 (one file in the folder's place) */
TEST(a_tree_state_of_the_first_format_is_removed_and_the_tree_rendered_whole)
{
	opened o;
	char ka[65], kg[65];
	tree tr;
	CHECK(open_tree(&o, "v1state", &tr, ka, kg));
	save_tree(&o, &tr, NULL);
	char statedir[PATH_MAX];
	tc_test_path(statedir, sizeof statedir, "%s/state", cachedir);
	CHECK(tc_test_sh("cd '%s' && for f in *; do rm -r \"$f\" && printf 'tenantc-state 1\\n' "
	                 ">\"$f\"; done",
	                 statedir) == 0);
	bool none = tc_tree_state_load(o.c, tr.dir) == NULL;
	bool removed = tc_test_sh("test -z \"$(ls '%s')\"", statedir) == 0;
	save_tree(&o, &tr, NULL);
	tc_tree_state *s = tc_tree_state_load(o.c, tr.dir);
	bool anew = s && tc_tree_state_lookup(s, "globex", kg);
	tc_tree_state_free(s);
	close_cache(&o);
	CHECK(none);
	CHECK(removed);
	CHECK(anew);
}

/* Many tenants, one changed: the second save writes one bucket and the
 * manifest, and every other bucket file is the same file. */
TEST(a_tree_state_saved_again_writes_only_the_bucket_of_the_changed_tenant)
{
	opened o;
	char ka[65], kg[65];
	tree tr;
	CHECK(open_tree(&o, "buckets", &tr, ka, kg));
	enum { N = 400 };
	static char names[N][16], paths[N][64], tkeys[N][65];
	static char *pathv[N];
	tc_state_tenant t[N];
	tc_state_ref r[N];
	tc_buf b[N];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "t%05d", i);
		snprintf(paths[i], sizeof paths[i], "prod/tenants/t%05d/namespace.yaml", i);
		memset(tkeys[i], 'a' + i % 16, 64);
		tkeys[i][64] = 0;
		CHECK(tc_test_put(tr.dir, paths[i], "x\n") == 0);
		pathv[i] = paths[i];
		t[i] = (tc_state_tenant){.name = names[i], .paths = &pathv[i], .npaths = 1};
		memcpy(t[i].key, tkeys[i], 65);
		tc_buf_init(&b[i], TC_BUF_UNLIMITED);
		CHECK(tc_state_record(&b[i], &t[i]));
		r[i] = (tc_state_ref){.name = names[i], .text = b[i].ptr, .len = b[i].len};
	}
	tc_tree_state_save(o.c, tr.dir, NULL, r, N, NULL, tr.others, 2, NULL);
	char statedir[PATH_MAX];
	tc_test_path(statedir, sizeof statedir, "%s/state", cachedir);
	/* the old buckets and the list of them dated in the past: a bucket
	 * written now is newer even within one tick of the file clock */
	CHECK(tc_test_sh(
		      "cd '%s'/*/ && ls b-* >../before && touch -d @1 b-* && touch -d @2 ../before",
		      statedir) == 0);
	/* a render: every tenant looked up by its job, t00200 has a new key */
	tc_tree_state *s = tc_tree_state_load(o.c, tr.dir);
	CHECK(s);
	for (int i = 0; i < N; i++)
		tc_tree_state_expect(s, names[i]);
	size_t nkept = 0, nbuckets_seen = 0;
	for (int i = 0; i < N; i++) {
		char key[65];
		memcpy(key, tkeys[i], 65);
		if (i == 200)
			key[0] = 'z';
		tc_state_tenant *k = tc_tree_state_lookup(s, names[i], key);
		if (k) {
			r[i] = (tc_state_ref){.name = names[i],
			                      .kept = true,
			                      .bucket = k->bucket,
			                      .off = k->off,
			                      .len = k->len};
			nkept++;
			nbuckets_seen =
				k->bucket + 1 > nbuckets_seen ? k->bucket + 1 : nbuckets_seen;
		}
		tc_tree_state_done(s, names[i]);
	}
	/* t00200 rendered again: a fresh record with its new key */
	t[200].key[0] = 'z';
	tc_buf_reset(&b[200]);
	CHECK(tc_state_record(&b[200], &t[200]));
	r[200] = (tc_state_ref){.name = names[200], .text = b[200].ptr, .len = b[200].len};
	seen gone = {""};
	tc_tree_state_paths(s, collect, &gone);
	tc_tree_state_save(o.c, tr.dir, s, r, N, NULL, tr.others, 2, NULL);
	tc_tree_state_free(s);
	for (int i = 0; i < N; i++)
		tc_buf_release(&b[i]);
	/* the files of the new state: all old but one, and one new */
	CHECK(tc_test_sh("cd '%s'/*/ && ls b-* >../after && test \"$(comm -23 ../before ../after | "
	                 "wc -l)\" = 1 && test \"$(comm -13 ../before ../after | wc -l)\" = 1 && "
	                 "test \"$(find . -name 'b-*' -newer ../before | wc -l)\" = 1",
	                 statedir) == 0);
	s = tc_tree_state_load(o.c, tr.dir);
	bool all = s != NULL;
	for (int i = 0; s && i < N; i++) {
		char key[65];
		memcpy(key, tkeys[i], 65);
		if (i == 200)
			key[0] = 'z';
		all = all && tc_tree_state_lookup(s, names[i], key);
	}
	tc_tree_state_free(s);
	close_cache(&o);
	CHECK(nkept == N - 1);
	CHECK(nbuckets_seen > 2); /* several buckets */
	CHECK_STR(gone.text, "prod/tenants/t00200/namespace.yaml;prod/kustomization.yaml;"
	                     "prod/cluster/clusterrole-x.yaml;");
	CHECK(all);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_cache CACHE_KEY_OTHER\n");
		return 2;
	}
	other_version = argv[1];
	const char *tmp = getenv("TMPDIR");
	tc_test_path(tmproot, sizeof tmproot, "%s/tc-cache-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(tmproot)) {
		perror("mkdtemp");
		return 3;
	}
	tc_test_path(cachedir, sizeof cachedir, "%s/cache", tmproot);
	setenv("TENANTC_CACHE_DIR", cachedir, 1);
	unsetenv("TENANTC_CACHE");
	setenv("HOME", tmproot, 1);
	setenv("XDG_CONFIG_HOME", tmproot, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CEILING_DIRECTORIES", tmproot, 1);
	setenv("GIT_AUTHOR_NAME", "tc test", 1);
	setenv("GIT_AUTHOR_EMAIL", "tc@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "tc test", 1);
	setenv("GIT_COMMITTER_EMAIL", "tc@example.com", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	if (sodium_init() < 0)
		return 3;
	git_libgit2_init();
	int rc = RUN(
		keys_exist_for_the_index_and_revisions_but_not_for_a_work_tree_or_with_the_cache_off,
		a_key_changes_with_its_tenants_files_and_not_with_another_tenants,
		every_key_changes_with_templates_environments_schemas_and_tenantc_yaml,
		every_key_changes_with_the_options_text, every_key_changes_with_the_tenantc_version,
		an_entry_put_under_a_key_comes_back_byte_for_byte,
		an_entry_holding_plaintext_is_never_stored, a_damaged_entry_is_a_miss,
		concurrent_puts_of_one_key_leave_one_whole_entry_and_no_temporary_file,
		a_tree_state_saved_loads_back_with_every_tenant_and_file,
		a_tree_state_no_longer_vouches_for_a_file_edited_or_a_folder_replaced,
		a_tree_state_no_longer_vouches_for_an_edit_whose_modification_time_was_set_back,
		a_damaged_tree_state_is_no_state,
		a_tree_state_of_the_first_format_is_removed_and_the_tree_rendered_whole,
		a_tree_state_saved_again_writes_only_the_bucket_of_the_changed_tenant);
	git_libgit2_shutdown();
	tc_test_sh("rm -rf '%s'", tmproot);
	return rc;
}
