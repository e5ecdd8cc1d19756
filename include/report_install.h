/* SPDX-License-Identifier: GPL-2.0-only */
/* An installer's time in the terms of the installers review (report_install.c): the
 * network (time in socket calls, bytes by peer), building (compiler processes),
 * unpacking (zip_extract), writing files (file_io, bytes written) and bytecode
 * compilation — summed over all threads, so parallel work counts once per thread. */
#ifndef PF_REPORT_INSTALL_H
#define PF_REPORT_INSTALL_H
#include <stdio.h>
#include "report.h"

/* The single report's "Installer terms" section; nothing when the trace neither moved
 * bytes on a socket nor ran a compiler. */
void pf_report_install(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md);
/* The same on one line, for comparisons: "net 1.20 s (157 kB in from 10.213.9.2:8503),
 * build 3.40 s (6 compiler processes), unpack ..., writes ..., bytecode ...". Returns 0,
 * or -1 (nothing to say: buf is empty). */
int pf_install_oneline(const struct pf_rtrace *t, const struct pf_rcats *cats, char *buf, size_t len);
/* Whether EXE (a path) is part of a C build: a compiler driver, cc1, as, ld, collect2,
 * with or without a target triplet prefix and a version suffix. */
int pf_install_is_compiler(const char *exe);

#endif
