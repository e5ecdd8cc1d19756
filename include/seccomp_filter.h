/* SPDX-License-Identifier: GPL-2.0-only */
/* The seccomp filter of the seccomp backend: the syscalls the categories
 * need stop for the tracer (SECCOMP_RET_TRACE), every other one runs at full
 * speed. Built in perfanity, installed by the held child before exec. */
#ifndef PF_SECCOMP_FILTER_H
#define PF_SECCOMP_FILTER_H
#include <linux/filter.h>

/* The classic-BPF program for the syscalls whose class (classes[nr], PF_SC_*)
 * is not PF_SC_OTHER. 0, or -1 after one line; free prog->filter after. */
int pf_seccomp_build(const unsigned short *classes, unsigned n, struct sock_fprog *prog);
/* In the held child (after fork: syscalls only): install prog. Without
 * CAP_SYS_ADMIN the kernel asks for no_new_privs first, so it is set then
 * (and only then: as root a setuid program in the build keeps working). 0 or an errno. */
int pf_seccomp_install(const struct sock_fprog *prog);

#endif
