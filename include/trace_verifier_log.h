/* SPDX-License-Identifier: GPL-2.0-only */
/* --verbose: the kernel verifier's word on each BPF program of the trace:
 * what verifying it cost (BPF_LOG_STATS: time, instructions processed)
 * when the load works, and why when it does not. Statistics only, not the
 * instruction-by-instruction log, so the load costs what it costs without
 * --verbose. */
#ifndef PF_TRACE_VERIFIER_LOG_H
#define PF_TRACE_VERIFIER_LOG_H
#include <stdio.h>

struct bpf_object;

/* Before loading: a log buffer per program, at the statistics level. */
void pf_verifier_log_setup(struct bpf_object *obj);
/* After a successful load: one line per program, slowest first, and the total. */
void pf_verifier_log_print_costs(struct bpf_object *obj, FILE *out);
/* After a failed load: the log of the program that failed (the last one
 * the kernel wrote to; libbpf loads them in order and stops there). */
void pf_verifier_log_print_failure(struct bpf_object *obj, FILE *out);
#endif
