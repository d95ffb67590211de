/*
 * test_diag.c - how collected diagnostics are printed: the form without a
 * file, and one line for the same I/O error about many files (issue 21:
 * a full disk printed one "No space left on device" per file, 101 lines).
 */
#include "diag.h"
#include "tc_test.h"

#include <stdlib.h>

/* Print d and return what was printed (malloc'd). */
static char *printed(tc_diags *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	tc_diags_print(d, f);
	fclose(f);
	return text;
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

TEST(diag_print_without_a_file_says_tenantc_error)
{
	tc_diags d;
	tc_diags_init(&d);
	(void)tc_error(&d, TC_NOPOS, NULL, "unknown environment '%s'", "nope");
	char *out = printed(&d);
	tc_diags_release(&d);
	CHECK_STR(out, "tenantc: error: unknown environment 'nope'\n");
	free(out);
}

TEST(diag_print_folds_one_write_error_about_many_files)
{
	tc_diags d;
	tc_diags_init(&d);
	for (int i = 100; i >= 0; i--)
		(void)tc_fail(&d, TC_NOPOS, NULL, "cannot write 'out/prod/tenants/t%03d.yaml': %s",
		              i, "No space left on device");
	char *out = printed(&d);
	tc_diags_release(&d);
	CHECK_STR(out, "tenantc: error: cannot write 'out/prod/tenants/t000.yaml': No space left "
	               "on device (and 100 more like this)\n");
	free(out);
}

TEST(diag_print_keeps_different_reasons_apart)
{
	tc_diags d;
	tc_diags_init(&d);
	for (int i = 0; i < 6; i++)
		(void)tc_fail(&d, TC_NOPOS, NULL, "cannot write 'out/t%d.yaml': %s", i,
		              i % 2 ? "Permission denied" : "No space left on device");
	(void)tc_fail(&d, TC_NOPOS, NULL, "cannot create the folder of 'out/x/y.yaml': %s",
	              "No space left on device");
	char *out = printed(&d);
	tc_diags_release(&d);
	CHECK_STR(out, "tenantc: error: cannot create the folder of 'out/x/y.yaml': No space left "
	               "on device\n"
	               "tenantc: error: cannot write 'out/t0.yaml': No space left on device (and 2 "
	               "more like this)\n"
	               "tenantc: error: cannot write 'out/t1.yaml': Permission denied (and 2 more "
	               "like this)\n");
	free(out);
}

TEST(diag_print_folds_read_errors_that_carry_their_file)
{
	tc_diags d;
	tc_diags_init(&d);
	(void)tc_error(&d, (tc_pos){"b.yaml", 0, 0}, NULL, "cannot read: Permission denied");
	(void)tc_error(&d, (tc_pos){"a.yaml", 0, 0}, NULL, "cannot read: Permission denied");
	(void)tc_error(&d, (tc_pos){"c.yaml", 0, 0}, NULL, "cannot read: Permission denied");
	/* the same diagnostic twice is one line and counts once */
	(void)tc_error(&d, (tc_pos){"c.yaml", 0, 0}, NULL, "cannot read: Permission denied");
	char *out = printed(&d);
	tc_diags_release(&d);
	CHECK_STR(out,
	          "a.yaml:1:1: error: cannot read: Permission denied (and 2 more like this)\n");
	free(out);
}

TEST(diag_print_keeps_validation_errors_of_distinct_objects)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_path at = TC_PATH_KEY(NULL, "name", 4);
	(void)tc_error(&d, (tc_pos){"tenants/a/tenant.yaml", 1, 7}, &at,
	               "'%s' is not a DNS-1123 label", "A");
	(void)tc_error(&d, (tc_pos){"tenants/b/tenant.yaml", 1, 7}, &at,
	               "'%s' is not a DNS-1123 label", "B");
	(void)tc_finding(&d, TC_NOPOS, NULL, "'%s' is not a valid object", "x");
	(void)tc_finding(&d, TC_NOPOS, NULL, "'%s' is not a valid object", "y");
	char *out = printed(&d);
	tc_diags_release(&d);
	CHECK(lines(out) == 4);
	CHECK(!strstr(out, "more like this"));
	free(out);
}

TEST(diag_print_keeps_input_and_internal_errors_apart)
{
	tc_diags d;
	tc_diags_init(&d);
	(void)tc_error(&d, TC_NOPOS, NULL, "cannot write '%s': %s", "a", "Permission denied");
	(void)tc_fail(&d, TC_NOPOS, NULL, "cannot write '%s': %s", "b", "Permission denied");
	char *out = printed(&d);
	tc_diags_release(&d);
	CHECK(lines(out) == 2);
	CHECK(tc_diags_exit_code(&d) == 0); /* released: nothing left */
	free(out);
}

TEST(diag_print_counts_folded_errors_past_the_limit)
{
	tc_diags d;
	tc_diags_init(&d);
	for (int i = 0; i < 100; i++)
		(void)tc_error(&d, (tc_pos){"f.yaml", (uint32_t)i + 1, 1}, NULL, "problem %d", i);
	for (int i = 0; i < 5; i++)
		(void)tc_fail(&d, TC_NOPOS, NULL, "cannot write '%d': %s", i, "Input/output error");
	char *out = printed(&d);
	tc_diags_release(&d);
	/* the I/O line sorts first (no file), then 99 of the 100 problems */
	CHECK(lines(out) == 101);
	CHECK(strstr(out, "tenantc: error: cannot write '0': Input/output error (and 4 more like "
	                  "this)\n") == out);
	CHECK(strstr(out, "tenantc: 1 more diagnostics not shown\n"));
	free(out);
}

int main(void)
{
	return RUN(diag_print_without_a_file_says_tenantc_error,
	           diag_print_folds_one_write_error_about_many_files,
	           diag_print_keeps_different_reasons_apart,
	           diag_print_folds_read_errors_that_carry_their_file,
	           diag_print_keeps_validation_errors_of_distinct_objects,
	           diag_print_keeps_input_and_internal_errors_apart,
	           diag_print_counts_folded_errors_past_the_limit);
}
