/* SPDX-License-Identifier: GPL-2.0-only */
/* A subcommand's command line from one table: getopt_long's options, the options part
 * of its --help (in the shape scripts/gen-man.py turns into the man page), and the one
 * line said for an option getopt_long rejects. */
#ifndef PF_CLI_H
#define PF_CLI_H
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* Values of long-only options start here (a short option's value is its letter). */
#define PF_OPT_LONG 256
#define PF_CLI_MAX_OPTS 64

struct pf_opt {
	const char *name;    /* the long name, without "--" */
	int val;             /* what getopt_long returns: the short option's letter, or >= PF_OPT_LONG */
	int has_arg;         /* no_argument or required_argument */
	const char *metavar; /* what the help shows after the name ("N", "FILE"), or NULL */
	const char *help;    /* '\n' starts a continuation line */
};

struct pf_cli {
	const char *cmd;           /* "bench": for messages */
	const struct pf_opt *opts; /* ends with a { NULL } entry */
	struct option longopts[PF_CLI_MAX_OPTS + 1];
	char shortopts[2 * PF_CLI_MAX_OPTS + 2];
};

/* Fills cli's getopt_long tables from opts; optind = 0, so getopt starts afresh (a
 * subcommand may be parsed more than once in a process, as the unit tests do). */
void pf_cli_init(struct pf_cli *cli, const char *cmd, const struct pf_opt *opts);
/* As pf_cli_init, for a subcommand whose operands are a command to run: options end at
 * the first operand, so that the command's own options stay its own. */
void pf_cli_init_command(struct pf_cli *cli, const char *cmd, const struct pf_opt *opts);
/* getopt_long over cli's tables: the option's val, -1 at the end, or PF_EXIT_USAGE after
 * saying in one line what is wrong with an option. */
int pf_cli_next(struct pf_cli *cli, int argc, char **argv);
/* The options, one per line: "  -r, --repetitions N   help", continuation lines
 * indented to the help column. */
void pf_cli_options_help(FILE *f, const struct pf_opt *opts);

#endif
