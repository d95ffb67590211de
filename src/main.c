/*
 * main.c - the command table and the exit status.
 *
 * main() picks the command from a sorted const table and returns what it
 * returns; libgit2 is initialised only by a source that reads git. Nothing
 * below main calls exit() except tc_oom and TC_BUG.
 */
#include "cmd.h"

#include "opt.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

/* sorted by name */
static const command commands[] = {
	/* @commands@ */
	{"cel", tc_cmd_cel, "evaluate one CEL expression with a context"},
	{"check", tc_cmd_check, "check that rendered/ is what render makes of the inputs"},
	{"diff", tc_cmd_diff, "show the objects two revisions add, remove and change"},
	{"eval", tc_cmd_eval, "render one JSON-e template with a context"},
	{"init", tc_cmd_init, "create a new repository with the example templates"},
	{"merge", tc_cmd_merge, "merge the trees of sharded renders into one"},
	{"render", tc_cmd_render, "render every tenant in every environment into rendered/"},
	{"schema", tc_cmd_schema, "import CustomResourceDefinitions as JSON Schemas"},
	{"secret", tc_cmd_secret, "create, edit, encrypt, decrypt and re-key SOPS Secrets"},
	{"validate", tc_cmd_validate,
         "validate inputs and rendered objects, or files against a schema"},
	{"version", tc_cmd_version, "print the version, the commit and the library versions"},
};

static void usage(FILE *f)
{
	fputs("usage: tenantc <command> [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nrun 'tenantc <command> --help' for the options of a command\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0)
		name = "version";
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, name) == 0) {
			/* libgit2 is initialised by the source that needs it */
			int r = commands[i].fn(argc - 1, argv + 1);
			fflush(stdout);
			if (ferror(stdout)) {
				tc_usage_error(NULL, "cannot write to standard output");
				return 3;
			}
			return r;
		}
	}
	tc_usage_error(NULL, "'%s' is not a tenantc command", name);
	usage(stderr);
	return 2;
}
