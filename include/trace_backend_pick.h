/* SPDX-License-Identifier: GPL-2.0-only */
/* --backend: which event source traces, and auto's choice between them. */
#ifndef PF_TRACE_BACKEND_PICK_H
#define PF_TRACE_BACKEND_PICK_H
#include <stdbool.h>
#include "trace_backend.h"

enum pf_backend_choice { PF_BACKEND_AUTO = 0, PF_BACKEND_BPF, PF_BACKEND_SECCOMP };

/* --backend's value; -1 after one line if it is none of auto, bpf, seccomp. */
int pf_backend_parse(const char *name);
/* Whether this process may load and attach the BPF programs: root, or
 * CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON (from /proc/self/status). */
bool pf_backend_can_bpf(void);
/* Open the chosen backend; auto opens BPF if it may load and seccomp
 * otherwise, with one line saying so and why (needs: BPF only for attaching
 * to running processes). *ops is the one opened; NULL after an error line. */
struct pf_backend *pf_backend_open(enum pf_backend_choice choice, bool needs_bpf, struct pf_trace *tr, bool verbose,
				   const struct pf_backend_ops **ops, bool *priv);

#endif
