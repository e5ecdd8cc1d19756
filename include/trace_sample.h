/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity trace --sample: CPU samples with kernel, native and Python
 * stacks (bpf/sample.bpf.c), loaded beside the main BPF object only when
 * sampling is asked for. */
#ifndef PF_TRACE_SAMPLE_H
#define PF_TRACE_SAMPLE_H
#include <stdbool.h>
#include "trace_model.h"

#define PF_SAMPLE_HZ_DEFAULT 99

struct pf_sampler;

/* A sampler: the kernel's symbols start being read (in a thread: reading
 * /proc/kallsyms takes 0.1-0.2 s, done meanwhile; pf_sampler_attach waits
 * for it, so that it never runs beside the command). NULL after one line. */
struct pf_sampler *pf_sampler_new(unsigned hz, bool verbose);
/* Load the sampling program, sharing the main object's map of traced
 * processes (its fd). 0, or -1 after one line saying why: the trace goes
 * on without samples (pf_sampler_close it). */
int pf_sampler_load(struct pf_sampler *s, int traced_fd);
/* A perf event per CPU, the program on each. 0, or -1 after one line. */
int pf_sampler_attach(struct pf_sampler *s);
/* Note what the live processes map now (their native frames are named
 * from it) and find the interpreters among them (their Python stacks). */
void pf_sampler_scan(struct pf_sampler *s, struct pf_trace *tr);
void pf_sampler_scan_pid(struct pf_sampler *s, struct pf_trace *tr, pid_t pid);
/* Stop sampling (the tree has ended) and remove the perf events. */
void pf_sampler_stop(struct pf_sampler *s);
/* The counts and stacks, named, into tr->samples. */
void pf_sampler_collect(struct pf_sampler *s, struct pf_trace *tr);
void pf_sampler_close(struct pf_sampler *s);

#endif
