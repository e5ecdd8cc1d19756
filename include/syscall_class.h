/* SPDX-License-Identifier: GPL-2.0-only */
/* The syscall classification table handed to the BPF program. */
#ifndef PF_SYSCALL_CLASS_H
#define PF_SYSCALL_CLASS_H
#include <stddef.h>
/* Fill table[0..n) with PF_SC_* class words for this architecture's syscalls. */
void pf_syscall_class_fill(unsigned short *table, size_t n);
/* The name of syscall nr on this architecture, NULL if none (syscall_names.c). */
const char *pf_syscall_name(unsigned int nr);
#endif
