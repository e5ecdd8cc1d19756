// SPDX-License-Identifier: GPL-2.0-only
/* perfanity entry point: dispatch to a subcommand (bpftool-style table). */
#include <stdio.h>
#include <string.h>
#include "perfanity.h"

static const struct pf_cmd cmds[] = {
	{ "trace",  do_trace,  "run a command and attribute its process tree's time (eBPF)" },
	{ "report", do_report, "explain one trace, or compare several" },
	{ "bench",  do_bench,  "benchmark a matrix of packaging configurations" },
	{ "recommend", do_recommend, "pick the configuration for what you value, with its macros" },
	{ 0 }
};

/* The man pages are made from this text (scripts/gen-man.py): what is said here is all
 * that perfanity(1) says. */
static void usage(FILE *f)
{
	fprintf(f, "Usage: %s COMMAND [OPTIONS]\n       %s --version\n\n", pf_progname, pf_progname);
	fprintf(f, "Benchmark Python packaging (pex, Pants) and explain where the time goes.\n\nCommands:\n");
	for (const struct pf_cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
"\n"
"  -h, --help     this help\n"
"      --version  the version\n"
"\n"
"'%s COMMAND --help' shows a command's options.\n"
"\n"
"Environment:\n"
"  PERFANITY_CACHE  where bench keeps what its set-up fetched (the example's\n"
"                   wheelhouse); default $XDG_CACHE_HOME/perfanity or\n"
"                   ~/.cache/perfanity (a source checkout: its .cache)\n"
"  PERFANITY_ROOT   a source checkout whose examples/ and scripts/ to use\n"
"                   instead of PREFIX/share/perfanity\n",
		pf_progname);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PF_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return PF_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("perfanity %s\n", PERFANITY_VERSION);
		return PF_EXIT_OK;
	}
	for (const struct pf_cmd *c = cmds; c->name; c++) {
		if (!strcmp(argv[1], c->name)) {
			pf_set_subcommand(c->name);
			return c->run(argc - 1, argv + 1);
		}
	}
	pf_err("unknown command '%s' (try '%s --help')", argv[1], pf_progname);
	return PF_EXIT_USAGE;
}
