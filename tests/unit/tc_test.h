/*
 * tc_test.h - the smallest test harness that does the job.
 *
 *   TEST(yaml_load_rejects_duplicate_keys) { ... CHECK(x == 1); ... }
 *   int main(void) { return RUN(yaml_load_rejects_duplicate_keys, ...); }
 *
 * A failing CHECK prints file:line and the expression and ends that case;
 * the run prints one line per case and a summary, and exits non-zero when
 * any case failed.
 */
#ifndef TC_TEST_H
#define TC_TEST_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int tc_test_failed_;

#define TEST(name) static void name(void)
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			tc_test_failed_ = 1;                                                       \
			return;                                                                    \
		}                                                                                  \
	} while (0)
#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (!g_ || strcmp(g_, w_) != 0) {                                                  \
			fprintf(stderr, "%s:%d: got   '%s'\n%*s want  '%s'\n", __FILE__, __LINE__, \
			        g_ ? g_ : "(null)", (int)strlen(__FILE__) + 8, "", w_);            \
			tc_test_failed_ = 1;                                                       \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Format a path (or other text a case needs whole) into out[n], and stop the run when it
 * does not fit: a test's paths are a temporary folder plus short names, and a case must
 * not go on with a cut one. (It also leaves gcc's -Wformat-truncation nothing to warn
 * about, where a file-wide pragma would need a compiler check: clang has no such group.) */
static inline void tc_test_path(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void tc_test_path(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(out, n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= n) {
		fprintf(stderr, "test: text too long for its buffer: %s...\n", out);
		abort();
	}
}

/* Run a shell command made from fmt; its status, with the command shown
 * when it failed. */
static inline int tc_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int tc_test_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int r = system(cmd);
	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

/* Write text to root/rel, creating the parent folders; 0 or -1. */
static inline int tc_test_put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = strlen(text), w = fwrite(text, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

typedef struct {
	const char *name;
	void (*fn)(void);
} tc_test_case_;

static inline int tc_test_run_(const tc_test_case_ *cases, size_t n)
{
	size_t passed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		tc_test_failed_ = 0;
		cases[i].fn();
		printf("%s %s\n", tc_test_failed_ ? "FAIL" : "ok  ", cases[i].name);
		if (tc_test_failed_)
			failed++;
		else
			passed++;
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define TC_CASE_(f) {#f, f},
#define RUN(...) RUN_((tc_test_case_[]){TC_FOREACH_(TC_CASE_, __VA_ARGS__)})
#define RUN_(arr) tc_test_run_(arr, sizeof(arr) / sizeof(arr[0]))

/* a bounded FOREACH over up to 64 arguments */
#define TC_EXPAND_(x) x
#define TC_FE1_(m, x) m(x)
#define TC_FE2_(m, x, ...) m(x) TC_EXPAND_(TC_FE1_(m, __VA_ARGS__))
#define TC_FE3_(m, x, ...) m(x) TC_EXPAND_(TC_FE2_(m, __VA_ARGS__))
#define TC_FE4_(m, x, ...) m(x) TC_EXPAND_(TC_FE3_(m, __VA_ARGS__))
#define TC_FE5_(m, x, ...) m(x) TC_EXPAND_(TC_FE4_(m, __VA_ARGS__))
#define TC_FE6_(m, x, ...) m(x) TC_EXPAND_(TC_FE5_(m, __VA_ARGS__))
#define TC_FE7_(m, x, ...) m(x) TC_EXPAND_(TC_FE6_(m, __VA_ARGS__))
#define TC_FE8_(m, x, ...) m(x) TC_EXPAND_(TC_FE7_(m, __VA_ARGS__))
#define TC_FE9_(m, x, ...) m(x) TC_EXPAND_(TC_FE8_(m, __VA_ARGS__))
#define TC_FE10_(m, x, ...) m(x) TC_EXPAND_(TC_FE9_(m, __VA_ARGS__))
#define TC_FE11_(m, x, ...) m(x) TC_EXPAND_(TC_FE10_(m, __VA_ARGS__))
#define TC_FE12_(m, x, ...) m(x) TC_EXPAND_(TC_FE11_(m, __VA_ARGS__))
#define TC_FE13_(m, x, ...) m(x) TC_EXPAND_(TC_FE12_(m, __VA_ARGS__))
#define TC_FE14_(m, x, ...) m(x) TC_EXPAND_(TC_FE13_(m, __VA_ARGS__))
#define TC_FE15_(m, x, ...) m(x) TC_EXPAND_(TC_FE14_(m, __VA_ARGS__))
#define TC_FE16_(m, x, ...) m(x) TC_EXPAND_(TC_FE15_(m, __VA_ARGS__))
#define TC_FE17_(m, x, ...) m(x) TC_EXPAND_(TC_FE16_(m, __VA_ARGS__))
#define TC_FE18_(m, x, ...) m(x) TC_EXPAND_(TC_FE17_(m, __VA_ARGS__))
#define TC_FE19_(m, x, ...) m(x) TC_EXPAND_(TC_FE18_(m, __VA_ARGS__))
#define TC_FE20_(m, x, ...) m(x) TC_EXPAND_(TC_FE19_(m, __VA_ARGS__))
#define TC_FE21_(m, x, ...) m(x) TC_EXPAND_(TC_FE20_(m, __VA_ARGS__))
#define TC_FE22_(m, x, ...) m(x) TC_EXPAND_(TC_FE21_(m, __VA_ARGS__))
#define TC_FE23_(m, x, ...) m(x) TC_EXPAND_(TC_FE22_(m, __VA_ARGS__))
#define TC_FE24_(m, x, ...) m(x) TC_EXPAND_(TC_FE23_(m, __VA_ARGS__))
#define TC_FE25_(m, x, ...) m(x) TC_EXPAND_(TC_FE24_(m, __VA_ARGS__))
#define TC_FE26_(m, x, ...) m(x) TC_EXPAND_(TC_FE25_(m, __VA_ARGS__))
#define TC_FE27_(m, x, ...) m(x) TC_EXPAND_(TC_FE26_(m, __VA_ARGS__))
#define TC_FE28_(m, x, ...) m(x) TC_EXPAND_(TC_FE27_(m, __VA_ARGS__))
#define TC_FE29_(m, x, ...) m(x) TC_EXPAND_(TC_FE28_(m, __VA_ARGS__))
#define TC_FE30_(m, x, ...) m(x) TC_EXPAND_(TC_FE29_(m, __VA_ARGS__))
#define TC_FE31_(m, x, ...) m(x) TC_EXPAND_(TC_FE30_(m, __VA_ARGS__))
#define TC_FE32_(m, x, ...) m(x) TC_EXPAND_(TC_FE31_(m, __VA_ARGS__))
#define TC_FE33_(m, x, ...) m(x) TC_EXPAND_(TC_FE32_(m, __VA_ARGS__))
#define TC_FE34_(m, x, ...) m(x) TC_EXPAND_(TC_FE33_(m, __VA_ARGS__))
#define TC_FE35_(m, x, ...) m(x) TC_EXPAND_(TC_FE34_(m, __VA_ARGS__))
#define TC_FE36_(m, x, ...) m(x) TC_EXPAND_(TC_FE35_(m, __VA_ARGS__))
#define TC_FE37_(m, x, ...) m(x) TC_EXPAND_(TC_FE36_(m, __VA_ARGS__))
#define TC_FE38_(m, x, ...) m(x) TC_EXPAND_(TC_FE37_(m, __VA_ARGS__))
#define TC_FE39_(m, x, ...) m(x) TC_EXPAND_(TC_FE38_(m, __VA_ARGS__))
#define TC_FE40_(m, x, ...) m(x) TC_EXPAND_(TC_FE39_(m, __VA_ARGS__))
#define TC_GETFE_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, \
                  _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34,  \
                  _35, _36, _37, _38, _39, _40, NAME, ...)                                         \
	NAME
#define TC_FOREACH_(m, ...)                                                                        \
	TC_EXPAND_(TC_GETFE_(__VA_ARGS__, TC_FE40_, TC_FE39_, TC_FE38_, TC_FE37_, TC_FE36_,        \
	                     TC_FE35_, TC_FE34_, TC_FE33_, TC_FE32_, TC_FE31_, TC_FE30_, TC_FE29_, \
	                     TC_FE28_, TC_FE27_, TC_FE26_, TC_FE25_, TC_FE24_, TC_FE23_, TC_FE22_, \
	                     TC_FE21_, TC_FE20_, TC_FE19_, TC_FE18_, TC_FE17_, TC_FE16_, TC_FE15_, \
	                     TC_FE14_, TC_FE13_, TC_FE12_, TC_FE11_, TC_FE10_, TC_FE9_, TC_FE8_,   \
	                     TC_FE7_, TC_FE6_, TC_FE5_, TC_FE4_, TC_FE3_, TC_FE2_,                 \
	                     TC_FE1_)(m, __VA_ARGS__))

#endif
