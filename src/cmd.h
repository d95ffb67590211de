/*
 * cmd.h - the subcommands. Each takes argv with argv[0] = the command name
 * and returns the process exit status: 0 success, 1 findings, 2 bad input
 * or usage, 3 internal error.
 */
#ifndef TC_CMD_H
#define TC_CMD_H

int tc_cmd_version(int argc, char **argv);
int tc_cmd_render(int argc, char **argv);
int tc_cmd_merge(int argc, char **argv);
int tc_cmd_schema(int argc, char **argv);
int tc_cmd_validate(int argc, char **argv);
/* @cmd-prototypes@ */
int tc_cmd_init(int argc, char **argv);
int tc_cmd_secret(int argc, char **argv);
int tc_cmd_check(int argc, char **argv);
int tc_cmd_diff(int argc, char **argv);
int tc_cmd_eval(int argc, char **argv);
int tc_cmd_cel(int argc, char **argv);

#endif
