/* SPDX-License-Identifier: GPL-2.0-only */
/* CPU samples with their stacks named (perfanity trace --sample): what
 * src/trace_sample.c reads from the kernel, as the JSON's `samples`
 * section, folded stacks and the summary see it. */
#ifndef PF_SAMPLES_H
#define PF_SAMPLES_H
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "u64map.h"

/* One distinct stack of one process and how many samples hit it. */
struct pf_sample_row {
	uint32_t pid;
	uint64_t count;
	char *proc;        /* the process root frame: "name (pid)" */
	char *frames;      /* root to leaf, ';'-separated: Python, then native, then kernel_[k] */
	char *py_func;     /* the innermost Python frame: "func (file:line)", NULL if none */
	char *native_func; /* the innermost native frame's function, NULL if no user stack */
	char *native_lib;  /* and its file's base name */
	char *kernel_path; /* "first -> leaf" of the kernel stack, NULL in user mode */
};

struct pf_samples {
	unsigned hz;
	uint64_t count;    /* samples of traced threads */
	uint64_t lost;     /* of those, not counted (a kernel map full) */
	uint64_t lost_stacks; /* counted, but a stack of theirs could not be kept */
	struct pf_sample_row *rows;
	size_t nrows, cap;
	struct u64map index; /* hash of (pid, frames) -> row + 1: equal stacks are one row */
};

void pf_samples_init(struct pf_samples *s, unsigned hz);
void pf_samples_free(struct pf_samples *s);
/* A row; the strings are copied (NULL allowed where the row says). Kernel
 * stacks that differ only where the frames are not named (an unwound
 * return address nothing maps) name the same frames: their counts are
 * added to the first such row. 0, or -ENOMEM. */
int pf_samples_add(struct pf_samples *s, const struct pf_sample_row *row);

/* Folded stacks, one line per distinct stack: "name (pid);frame;... count"
 * (FlameGraph's and speedscope's input). Returns lines written, -1 on error. */
int pf_samples_folded(const struct pf_samples *s, FILE *out);

/* The JSON `samples` section: hz, count, lost, and per process its top
 * Python functions, native libraries and functions and kernel paths, each
 * with samples and share (of that process's samples). cpu_ns(pid) gives the
 * process's `cpu` category, NULL or 0 to leave it out. */
json_t *pf_samples_to_json(const struct pf_samples *s, uint64_t (*cpu_ns)(void *, uint32_t), void *arg,
			   int top);

#endif
