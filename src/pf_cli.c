// SPDX-License-Identifier: GPL-2.0-only
/* A subcommand's command line from one table (include/pf_cli.h). */
#include <string.h>
#include "perfanity.h"
#include "pf_cli.h"

void pf_cli_init(struct pf_cli *cli, const char *cmd, const struct pf_opt *opts)
{
	size_t n = 0, s = 0;
	memset(cli, 0, sizeof(*cli));
	cli->cmd = cmd;
	cli->opts = opts;
	cli->shortopts[s++] = ':'; /* a missing value is ':', an unknown option '?' */
	for (const struct pf_opt *o = opts; o->name && n < PF_CLI_MAX_OPTS; o++, n++) {
		cli->longopts[n] = (struct option){ o->name, o->has_arg, NULL, o->val };
		if (o->val < PF_OPT_LONG) {
			cli->shortopts[s++] = (char)o->val;
			if (o->has_arg == required_argument)
				cli->shortopts[s++] = ':';
		}
	}
	optind = 0;
	opterr = 0;
}

void pf_cli_init_command(struct pf_cli *cli, const char *cmd, const struct pf_opt *opts)
{
	pf_cli_init(cli, cmd, opts);
	memmove(cli->shortopts + 1, cli->shortopts, sizeof(cli->shortopts) - 1);
	cli->shortopts[0] = '+';
}

int pf_cli_next(struct pf_cli *cli, int argc, char **argv)
{
	int c = getopt_long(argc, argv, cli->shortopts, cli->longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* a long option is the argument just read (optopt: 0 when unknown); a short one is
	 * optopt, wherever it was in a cluster of them */
	const char *arg = argv[optind - 1];
	char opt[64];
	if (!strncmp(arg, "--", 2) && (c == ':' || !optopt))
		snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(opt, sizeof(opt), "-%c", optopt);
	if (c == ':')
		pf_err("%s needs a value (try '%s %s --help')", opt, pf_progname, cli->cmd);
	else
		pf_err("unknown option '%s' (try '%s %s --help')", opt, pf_progname, cli->cmd);
	return PF_EXIT_USAGE;
}

/* "-r, --repetitions N" (short name or its room first), "--sample[=HZ]";
 * returns its length. */
static int term(char *buf, size_t len, const struct pf_opt *o)
{
	char shrt[8] = "    ";
	if (o->val < PF_OPT_LONG)
		snprintf(shrt, sizeof(shrt), "-%c, ", o->val);
	if (o->has_arg == optional_argument) /* "--sample[=HZ]": the value only after '=' */
		return snprintf(buf, len, "%s--%s[=%s]", shrt, o->name, o->metavar ? o->metavar : "ARG");
	return snprintf(buf, len, "%s--%s%s%s", shrt, o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
}

void pf_cli_options_help(FILE *f, const struct pf_opt *opts)
{
	char t[128];
	int col = 0;
	for (const struct pf_opt *o = opts; o->name; o++) {
		int n = term(t, sizeof(t), o);
		col = n > col ? n : col;
	}
	col += 2 + 2; /* indent, then at least two spaces: gen-man.py's definition lists */
	for (const struct pf_opt *o = opts; o->name; o++) {
		term(t, sizeof(t), o);
		const char *h = o->help;
		size_t line = strcspn(h, "\n");
		fprintf(f, "  %-*s%.*s\n", col - 2, t, (int)line, h);
		for (h += line; *h == '\n'; h += line) {
			h++;
			line = strcspn(h, "\n");
			fprintf(f, "%*s%.*s\n", col, "", (int)line, h);
		}
	}
}
