/* SPDX-License-Identifier: GPL-2.0-only */
/* The trace's syscall table (strace -c's): calls, errors, time and bytes per
 * syscall over the whole traced tree. */
#ifndef PF_TRACE_SYSCALLS_H
#define PF_TRACE_SYSCALLS_H
#include <stdio.h>
#include <jansson.h>
#include "trace_model.h"

/* [{name, nr, calls, errors, ns, bytes}], by time descending; syscalls never
 * called are left out. */
json_t *pf_trace_syscalls_json(const struct pf_trace *tr);
/* The same as a table, as `strace -c` prints it (perfanity trace --syscalls). */
void pf_trace_print_syscalls(const struct pf_trace *tr, FILE *out);
#endif
