/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: run one command and time it. */
#ifndef PF_BENCH_EXEC_H
#define PF_BENCH_EXEC_H
#include <signal.h>

struct bench_exec_result {
	double seconds; /* wall, from fork to reaping */
	double user, sys;
	int exit_code;  /* 128+signal when killed; 127 when it could not be started */
	int timed_out;
	int interrupted;
	double traced;  /* --trace: the command's wall as the tracer measured it */
	double first_line; /* seconds to the first newline on stdout (a file); -1: none */
};

/* Set by the SIGINT/SIGTERM handler bench_exec_install_interrupt() installs. */
extern volatile sig_atomic_t bench_interrupted;
void bench_exec_install_interrupt(void);

/* Run cmdline (executed directly when it has no shell syntax, else by /bin/sh -c) in
 * cwd with the inherited environment (see bench_env_inherited) plus env additions ("K=V", NULL-terminated), stdin from /dev/null, stdout and
 * stderr to the given files. The command gets its own process group, killed whole on
 * timeout or interrupt. Returns 0 when it ran (whatever its status), -1 on a harness
 * failure (message printed). */
int bench_exec(const char *cmdline, const char *cwd, char *const *env_add,
	       const char *stdout_path, const char *stderr_path, double timeout_s,
	       struct bench_exec_result *r);

/* Whether an environment entry ("NAME=value") reaches measured commands: PEX_*, PIP_*
 * and PYTHON* do not (the bench sets PEX_ROOT and TMPDIR itself). */
int bench_env_inherited(const char *entry);

/* True when cmdline needs a shell (quotes, pipes, redirections, globs, $, ...). */
int bench_exec_needs_shell(const char *cmdline);

#endif
