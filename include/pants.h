/* SPDX-License-Identifier: GPL-2.0-only */
/* What perfanity needs to know of Pants: whether a command runs it with its
 * daemon, where a build root is, and that build root's pantsd (found from the
 * pid file pantsd writes under the build root, checked against /proc). */
#ifndef PF_PANTS_H
#define PF_PANTS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* argv runs Pants (a program named pants, or python -m pants) with pantsd
 * not turned off on its command line or by PANTS_PANTSD in the environment. */
bool pf_pants_uses_pantsd(char *const *argv);

/* The build root at or above dir: the first directory holding pants.toml
 * (or a BUILDROOT file). Returns 0 with its absolute path in out, else -1. */
int pf_pants_buildroot(const char *dir, char *out, size_t len);

/* The running pantsd of a build root, or 0 if none runs. */
pid_t pf_pantsd_find(const char *buildroot);

/* Stop the build root's pantsd (SIGTERM, then SIGKILL after timeout_s) and
 * wait until it is gone. Returns 0 (also when none ran), -1 if it survived. */
int pf_pantsd_stop(const char *buildroot, double timeout_s);

#endif
