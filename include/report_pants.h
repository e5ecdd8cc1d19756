/* SPDX-License-Identifier: GPL-2.0-only */
/* Pants' parts of a traced run (report_pants.c), named as pex's phases are:
 * pantsd (attached to, or started by the command), the process executions it
 * ran in its sandboxes, labelled by what they run, and its caches. */
#ifndef PF_REPORT_PANTS_H
#define PF_REPORT_PANTS_H
#include <stdint.h>
#include <stdio.h>
#include "report.h"

#define PF_PANTS_EXECS_MAX 64

struct pf_pants_exec {
	int proc;              /* index of the process (a child of pantsd) */
	char label[192];       /* "pex: build simple/bin@....pex", "pytest: ...", "interpreter check" */
	int count;             /* executions with this label */
	uint64_t lifetime_ns;
	double path_ns;        /* its tree's share of the wall time */
};

struct pf_pants_cache {
	char prefix[512];      /* directory */
	uint64_t bytes_read, bytes_written, ops, files;
};

struct pf_pants_run {
	int is_pants;          /* the command runs Pants */
	int pantsd;            /* index of pantsd's process, or -1 (--no-pantsd) */
	int pantsd_attached;   /* it was running already (warm) */
	uint64_t pantsd_start_ns; /* started by the command: when (relative to the trace) */
	uint64_t first_exec_ns;   /* when its first process execution started (0: none) */
	struct pf_pants_exec execs[PF_PANTS_EXECS_MAX];
	int nexecs, more_execs;
	int sandboxes;         /* distinct pants-sandbox-* directories touched */
	struct pf_pants_cache store, named;
};

/* Recognise Pants in a loaded trace (pf_report_path must have run). */
void pf_pants_analyse(const struct pf_rtrace *t, struct pf_pants_run *out);
/* The label of a process Pants ran: what it does, from its argv. */
void pf_pants_exec_label(const char *const *argv, int argc, char *buf, size_t len);
/* The report's "Pants" section; nothing if the trace is not of Pants. */
void pf_report_pants(FILE *f, const struct pf_rtrace *t, int md);
/* One line for comparisons: "pantsd warm (attached); 3 process executions, ...". */
int pf_pants_oneline(const struct pf_rtrace *t, char *buf, size_t len);

#endif
