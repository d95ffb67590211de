/*
 * jsone_spec.c - run JSON-e's specification suite through tenantc's engine.
 *
 *   jsone_spec SPEC.yml                 render every case in process
 *   jsone_spec SPEC.yml --via TENANTC   run every case through `TENANTC eval`
 *   jsone_spec SPEC.yml --verbose       also print the passing cases
 *
 * The file is a YAML stream of section markers and cases {title, context,
 * template, result | error}. A case passes when the rendered value equals
 * `result` (JSON semantics: 1 == 1.0, key order irrelevant), or when an
 * error is expected and one is raised. Separately, for the cases whose
 * `error` is a message, it counts how many of our messages match exactly.
 * "now" is pinned to the instant the suite's header names, as the upstream
 * runners do; a case's own context `now` overrides it.
 *
 * In process, the message is the text of the diagnostic. Through tenantc,
 * the case passes when tenantc exits non-zero without a signal and prints
 * to stderr, and the message matches when stderr contains it verbatim, as
 * the acceptance runner of the json-e folder's README counts.
 *
 * Prints every failing case, then "json-e: N/M passed" and "json-e error
 * messages: K/E exact", and exits 1 below 99%. Exits 77 (skip) when the
 * file is absent.
 */
#include "json_emit.h"
#include "json_load.h"
#include "jsone.h"
#include "yaml_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPEC_NOW "2017-01-19T16:27:20.974Z"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_add(&b, chunk, n);
	fclose(f);
	return tc_buf_detach(&b, len);
}

static bool spill(const char *path, const tc_value *v)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_json_emit(&b, v, false);
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(tc_buf_str(&b), 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = false;
	tc_buf_release(&b);
	return ok;
}

typedef struct outcome {
	bool ok;        /* rendered without error */
	tc_value *val;  /* the result when ok */
	char *message;  /* malloc'd: the error text (in process) or stderr */
	bool crashed;   /* killed by a signal or silent failure (through tenantc) */
} outcome;

static void run_inproc(outcome *o, tc_arena *a, const tc_value *tmpl, const tc_value *ctx)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_jsone_opts opts = {.now = SPEC_NOW};
	memset(o, 0, sizeof *o);
	if (tc_jsone_render(&o->val, a, &d, tmpl, ctx, &opts) == 0) {
		o->ok = true;
	} else {
		o->message = tc_xstrdup(d.len ? d.items[0].msg : "(no diagnostic)");
		o->crashed = d.len == 0;
	}
	tc_diags_release(&d);
}

static void run_via(outcome *o, tc_arena *a, const char *tenantc, const char *dir,
                    const tc_value *tmpl, const tc_value *ctx)
{
	char tpath[4096], cpath[4096], opath[4096], epath[4096];
	snprintf(tpath, sizeof tpath, "%s/template.json", dir);
	snprintf(cpath, sizeof cpath, "%s/context.json", dir);
	snprintf(opath, sizeof opath, "%s/stdout", dir);
	snprintf(epath, sizeof epath, "%s/stderr", dir);
	memset(o, 0, sizeof *o);
	/* like the acceptance runner: now first, the case's own now wins */
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "now", tc_value_strz(a, SPEC_NOW, TC_NOPOS));
	for (size_t i = 0; ctx && ctx->kind == TC_OBJECT && i < ctx->u.obj.len; i++)
		tc_objb_add(&b, ctx->u.obj.members[i].key, ctx->u.obj.members[i].klen, TC_NOPOS,
		            ctx->u.obj.members[i].val);
	tc_value *full = ctx && ctx->kind != TC_OBJECT ? (tc_value *)ctx
	                                               : tc_objb_finish(&b, a, TC_NOPOS, NULL);
	if (!spill(tpath, tmpl) || !spill(cpath, full)) {
		o->message = tc_xstrdup("cannot write the case files");
		o->crashed = true;
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		o->message = tc_xstrdup("fork failed");
		o->crashed = true;
		return;
	}
	if (pid == 0) {
		if (!freopen(opath, "wb", stdout) || !freopen(epath, "wb", stderr))
			_exit(127);
		execl(tenantc, tenantc, "eval", tpath, "--context", cpath, "--format", "json",
		      (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	size_t olen = 0, elen = 0;
	char *out = slurp(opath, &olen), *err = slurp(epath, &elen);
	if (WIFSIGNALED(status)) {
		o->crashed = true;
		o->message = tc_xstrdup("killed by a signal");
		free(err);
	} else if (WEXITSTATUS(status) == 0) {
		tc_diags d;
		tc_diags_init(&d);
		if (out && tc_json_load(&o->val, a, &d, "stdout", out, olen) == 0) {
			o->ok = true;
		} else {
			o->crashed = true;
			o->message = tc_xstrdup("exit 0 but stdout is not JSON");
		}
		tc_diags_release(&d);
		free(err);
	} else {
		o->crashed = !err || elen == 0;
		o->message = err ? err : tc_xstrdup("");
	}
	free(out);
}

static void show(FILE *f, const tc_value *v)
{
	tc_buf b;
	tc_buf_init(&b, 4096);
	tc_json_emit(&b, v, false);
	fprintf(f, "%s%s", tc_buf_str(&b), tc_buf_failed(&b) ? "..." : "");
	tc_buf_release(&b);
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *via = NULL;
	bool verbose = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--via") == 0 && i + 1 < argc)
			via = argv[++i];
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
		else
			spec = argv[i];
	}
	if (!spec) {
		fputs("usage: jsone_spec SPEC.yml [--via TENANTC] [--verbose]\n", stderr);
		return 2;
	}
	size_t len;
	char *data = slurp(spec, &len);
	if (!data) {
		printf("SKIP: %s not found: the JSON-e specification suite is not available\n", spec);
		return 77;
	}
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	/* Load document by document: a document the YAML loader refuses (it
	 * rejects integers beyond int64, which case #314 holds) fails that case
	 * alone instead of the whole run. */
	tc_arrb docsb;
	tc_arrb_init(&docsb);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		bool eol = i == len || data[i] == '\n';
		if (!eol)
			continue;
		size_t ls = start;
		/* find the beginning of this line */
		size_t b = i;
		while (b > 0 && data[b - 1] != '\n')
			b--;
		bool sep = i - b >= 3 && memcmp(data + b, "---", 3) == 0 &&
		           (i - b == 3 || data[b + 3] == ' ' || data[b + 3] == '\r');
		if (!sep && i != len)
			continue;
		size_t end = sep ? b : len;
		if (end > ls) {
			tc_value *doc;
			tc_diags dd;
			tc_diags_init(&dd);
			if (tc_yaml_load(&doc, &a, &dd, spec, data + ls, end - ls, NULL) != 0) {
				doc = tc_value_strz(&a, dd.len ? dd.items[0].msg : "unloadable", TC_NOPOS);
				doc->flags |= 1u << 30; /* marks a document that did not load */
			}
			tc_diags_release(&dd);
			if (doc->kind != TC_NULL)
				tc_arrb_push(&docsb, doc);
		}
		start = sep ? i + 1 : len;
	}
	tc_value *docs = tc_arrb_finish(&docsb, &a, TC_NOPOS);
	char dir[] = "/tmp/jsone_spec.XXXXXX";
	if (via && !mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	size_t total = 0, passed = 0, msg_total = 0, msg_exact = 0;
	const char *section = "";
	tc_arena ca;
	tc_arena_init(&ca);
	for (size_t i = 0; i < docs->u.arr.len; i++) {
		const tc_value *doc = docs->u.arr.items[i];
		if (doc->flags & (1u << 30)) {
			total++;
			printf("FAIL #%zu [%s] the YAML loader refuses this case: %s\n", total, section,
			       doc->u.str.ptr);
			continue;
		}
		const tc_value *sec = tc_value_getz(doc, "section");
		if (sec && sec->kind == TC_STR) {
			section = sec->u.str.ptr;
			continue;
		}
		total++;
		const tc_value *title = tc_value_getz(doc, "title");
		const tc_value *ctx = tc_value_getz(doc, "context");
		const tc_value *tmpl = tc_value_getz(doc, "template");
		const tc_value *result = tc_value_getz(doc, "result");
		const tc_value *error = tc_value_getz(doc, "error");
		tc_value null = {.kind = TC_NULL};
		if (!tmpl)
			tmpl = &null;
		outcome o;
		tc_arena_reset(&ca);
		if (via)
			run_via(&o, &ca, via, dir, tmpl, ctx);
		else
			run_inproc(&o, &ca, tmpl, ctx);
		bool pass;
		const char *why = "";
		if (error) {
			pass = !o.ok && !o.crashed;
			why = o.ok ? "expected an error, got a result" : "crashed";
			if (error->kind == TC_STR) {
				msg_total++;
				bool exact = o.message &&
				             (via ? strstr(o.message, error->u.str.ptr) != NULL
				                  : strcmp(o.message, error->u.str.ptr) == 0);
				if (exact)
					msg_exact++;
				else if (pass)
					printf("MSG  #%zu [%s] %s\n       want: %s\n       got:  %s\n",
					       total, section, title ? title->u.str.ptr : "",
					       error->u.str.ptr, o.message ? o.message : "(result)");
			}
		} else {
			pass = o.ok && result && tc_value_equal(o.val, result);
			why = o.ok ? "wrong result" : "unexpected error";
		}
		if (pass) {
			passed++;
			if (verbose)
				printf("ok   #%zu [%s] %s\n", total, section, title ? title->u.str.ptr : "");
		} else {
			printf("FAIL #%zu [%s] %s: %s\n", total, section, title ? title->u.str.ptr : "",
			       why);
			if (o.ok) {
				printf("       got:  ");
				show(stdout, o.val);
				printf("\n");
			} else {
				printf("       got:  %s\n", o.message ? o.message : "");
			}
			if (result) {
				printf("       want: ");
				show(stdout, result);
				printf("\n");
			} else if (error && error->kind == TC_STR) {
				printf("       want: %s\n", error->u.str.ptr);
			}
		}
		free(o.message);
	}
	if (via) {
		char p[4096];
		const char *names[] = {"template.json", "context.json", "stdout", "stderr"};
		for (size_t i = 0; i < 4; i++) {
			snprintf(p, sizeof p, "%s/%s", dir, names[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	printf("json-e error messages: %zu/%zu exact\n", msg_exact, msg_total);
	printf("json-e: %zu/%zu passed\n", passed, total);
	tc_arena_release(&ca);
	tc_arena_release(&a);
	tc_diags_release(&d);
	free(data);
	return passed * 100 >= total * 99 ? 0 : 1;
}
