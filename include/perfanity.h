/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity: subcommand table and process-wide conventions. */
#ifndef PERFANITY_H
#define PERFANITY_H
#include "pf_util.h"

#define PERFANITY_VERSION "0.1.0"
/* JSON schema version of traces and bench results; bumped only by additions. */
#define PERFANITY_JSON_VERSION 1

/* Exit codes perfanity itself uses (a traced command's own status passes through). */
enum pf_exit {
	PF_EXIT_OK = 0,
	PF_EXIT_FAIL = 1,      /* runtime failure */
	PF_EXIT_USAGE = 2,     /* bad arguments / input, or missing privileges */
	PF_EXIT_NOEXEC = 126,  /* command found but not executable */
	PF_EXIT_NOTFOUND = 127 /* command not found */
};

struct pf_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
	const char *summary;
};

/* One file per subcommand (bpftool style); each defines one of these. */
int do_trace(int argc, char **argv);
int do_report(int argc, char **argv);
int do_bench(int argc, char **argv);
int do_recommend(int argc, char **argv);

extern const char *pf_progname;

/* One-line error to stderr: "perfanity: <subcommand>: message". */
void pf_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pf_set_subcommand(const char *name);

#endif
