/*
 * embed.c - a build-time generator: turn folders of the source tree into a
 * C file holding their files, for `tenantc init` (see src/init_data.h)
 * and for the built-in Kubernetes schemas (src/schema_bundle_data.h).
 *
 *   embed [--header H --type T --table NAME --count NAME] OUT.c DEPFILE ROOT DIR...
 *
 * Every regular file below ROOT/DIR (recursively) becomes one entry
 * {"DIR/sub/file", bytes, length} of the table tc_init_files, sorted by
 * path bytes so the output never depends on readdir order. The options name
 * another header to include, entry type, table and count (default:
 * init_data.h, tc_init_file, tc_init_files, tc_init_nfiles). DEPFILE is a
 * Makefile rule naming every file and every folder read: ninja rebuilds
 * when a file changes and, because a folder's mtime changes when an entry
 * is added or removed, when files come or go.
 *
 * Only this program runs at build time; it links nothing but libc. Errors
 * print "embed: ..." and exit 1 (a build tool may exit; it is not below
 * tenantc's main). Hidden files and editor leftovers ("*~") are skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A file larger than this is not an example template or schema. */
#define FILE_MAX ((long)4 << 20)
/* Folders nest this deep at most (templates/<scope>/x.yaml is 2). */
#define DEPTH_MAX 16

typedef struct list {
	char **items;
	size_t len, cap;
} list;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "embed: %s '%s': %s\n", what, path, errno ? strerror(errno) : "failed");
	exit(1);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (!p)
		die("out of memory at", a);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static void push(list *l, char *s)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->items = realloc(l->items, l->cap * sizeof *l->items);
		if (!l->items)
			die("out of memory at", s);
	}
	l->items[l->len++] = s;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect the files below root/rel into files, the folders into dirs. */
static void walk(const char *root, const char *rel, list *files, list *dirs, int depth)
{
	char *full = join(root, rel);
	if (depth > DEPTH_MAX) {
		errno = 0;
		die("folders nest too deep at", full);
	}
	DIR *d = opendir(full);
	if (!d) {
		if (errno == ENOENT && depth == 0) { /* an absent top folder embeds nothing */
			free(full);
			return;
		}
		die("cannot open folder", full);
	}
	push(dirs, full);
	list names = {0};
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || e->d_name[n - 1] == '~')
			continue;
		char *name = malloc(n + 1);
		if (!name)
			die("out of memory at", full);
		memcpy(name, e->d_name, n + 1);
		push(&names, name);
	}
	closedir(d);
	qsort(names.items, names.len, sizeof *names.items, cmp);
	for (size_t i = 0; i < names.len; i++) {
		char *sub = join(rel, names.items[i]);
		if (strspn(names.items[i],
		           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		    strlen(names.items[i])) {
			errno = 0;
			die("unexpected character in the name", sub);
		}
		char *path = join(root, sub);
		struct stat st;
		if (stat(path, &st) != 0)
			die("cannot stat", path);
		if (S_ISDIR(st.st_mode)) {
			walk(root, sub, files, dirs, depth + 1);
			free(sub);
		} else if (S_ISREG(st.st_mode)) {
			push(files, sub);
		} else {
			errno = 0;
			die("not a regular file:", path);
		}
		free(path);
		free(names.items[i]);
	}
	free(names.items);
}

/* Write data as C string literals, one per source line. Every byte that is
 * not plain printable ASCII is an octal escape of three digits (so a
 * following digit cannot extend it); '?' is escaped against trigraphs. */
static void literal(FILE *out, const unsigned char *p, long n)
{
	int col = 0; /* bytes of the current literal, 0: none open */
	for (long i = 0; i < n; i++) {
		unsigned c = p[i];
		if (col == 0)
			fputs("\t\t\"", out);
		if (c == '\n')
			fputs("\\n", out);
		else if (c == '"' || c == '\\' || c == '?')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(out, "\\%03o", c);
		else
			fputc((int)c, out);
		col++;
		if (c == '\n' || col >= 100) {
			fputs("\"\n", out);
			col = 0;
		}
	}
	if (col > 0)
		fputs("\"\n", out);
	if (n == 0)
		fputs("\t\t\"\"\n", out);
}

static unsigned char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot read", path);
	if (fseek(f, 0, SEEK_END) != 0 || (*len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		die("cannot read", path);
	if (*len > FILE_MAX) {
		errno = 0;
		die("too large (over 4 MiB):", path);
	}
	unsigned char *data = malloc((size_t)*len + 1);
	if (!data || fread(data, 1, (size_t)*len, f) != (size_t)*len)
		die("cannot read", path);
	fclose(f);
	return data;
}

/* A path in a depfile: spaces and '$' escaped as make and ninja read them. */
static void dep_path(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\\' || *s == '#')
			fputc('\\', f);
		if (*s == '$')
			fputc('$', f);
		fputc(*s, f);
	}
}

int main(int argc, char **argv)
{
	const char *header = "init_data.h", *type = "tc_init_file", *table = "tc_init_files";
	const char *count = "tc_init_nfiles";
	int a = 1;
	for (; a + 1 < argc && strncmp(argv[a], "--", 2) == 0; a += 2) {
		const char **opt = strcmp(argv[a], "--header") == 0  ? &header
		                   : strcmp(argv[a], "--type") == 0  ? &type
		                   : strcmp(argv[a], "--table") == 0 ? &table
		                   : strcmp(argv[a], "--count") == 0 ? &count
		                                                     : NULL;
		if (!opt)
			break;
		*opt = argv[a + 1];
	}
	if (argc - a < 4) {
		fputs("usage: embed [--header H --type T --table NAME --count NAME] OUT.c DEPFILE "
		      "ROOT DIR...\n",
		      stderr);
		return 2;
	}
	const char *outpath = argv[a], *deppath = argv[a + 1], *root = argv[a + 2];
	list files = {0}, dirs = {0};
	for (int i = a + 3; i < argc; i++)
		walk(root, argv[i], &files, &dirs, 0);
	qsort(files.items, files.len, sizeof *files.items, cmp);

	FILE *out = fopen(outpath, "w");
	if (!out)
		die("cannot write", outpath);
	fprintf(out,
	        "/* Generated by tools/embed.c from the source tree: do not edit. */\n"
	        "#include \"%s\"\n\n"
	        "const %s %s[] = {\n",
	        header, type, table);
	for (size_t i = 0; i < files.len; i++) {
		char *path = join(root, files.items[i]);
		long len;
		unsigned char *data = slurp(path, &len);
		fprintf(out, "\t{\"%s\",\n", files.items[i]);
		literal(out, data, len);
		fprintf(out, "\t\t, %ld},\n", len);
		free(data);
		free(path);
	}
	fprintf(out, "\t{NULL, NULL, 0},\n};\n\nconst size_t %s = %zu;\n", count, files.len);
	if (fclose(out) != 0)
		die("cannot write", outpath);

	FILE *dep = fopen(deppath, "w");
	if (!dep)
		die("cannot write", deppath);
	dep_path(dep, outpath);
	fputc(':', dep);
	for (size_t i = 0; i < dirs.len; i++) {
		fputs(" \\\n ", dep);
		dep_path(dep, dirs.items[i]);
	}
	for (size_t i = 0; i < files.len; i++) {
		char *path = join(root, files.items[i]);
		fputs(" \\\n ", dep);
		dep_path(dep, path);
		free(path);
	}
	fputc('\n', dep);
	if (fclose(dep) != 0)
		die("cannot write", deppath);
	for (size_t i = 0; i < files.len; i++)
		free(files.items[i]);
	for (size_t i = 0; i < dirs.len; i++)
		free(dirs.items[i]);
	free(files.items);
	free(dirs.items);
	return 0;
}
