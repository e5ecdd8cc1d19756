/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity report: traces loaded from JSON, the critical-path decomposition
 * of wall time into causes, and the text/Markdown renderers.
 *   report.c          CLI
 *   report_load.c     JSON -> struct pf_rtrace (validation, labels)
 *   report_path.c     wall time -> categories along the path the root waits for
 *   report_out.c      number formatting and text/Markdown tables
 *   report_single.c   one trace: breakdown
 *   report_compare.c  several traces: ranked causes of the wall-time difference
 *   report_explain.c  one-line explanations for other subcommands (bench --explain)
 *   report_html.c     one self-contained HTML page (--html) */
#ifndef PF_REPORT_H
#define PF_REPORT_H
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "pf_table.h"
#include "pf_util.h" /* pf_fmt_bytes, pf_md_escape */

/* Categories are identified by name (a trace may carry ones this build does
 * not know); every trace of a report maps them to one shared table. */
#define PF_RCAT_MAX 32

struct pf_rcats {
	const char *name[PF_RCAT_MAX];
	int n;
	int child_wait, sleep; /* indexes of the categories the path view replaces, or -1 */
};

/* One exec'd image of a process: a process that re-execs (pex does) has several. */
struct pf_rimage {
	const char *exe;
	const char **argv;
	int argc;
	uint64_t start_ns, end_ns;
};

struct pf_rproc {
	int pid, ppid;
	const char *exe, *comm;
	const char **argv;
	int argc;
	uint64_t start_ns, end_ns, thread_ns;
	long long exit_code; /* -1: unknown (still running at the end) */
	long long threads;
	int attached;          /* running before the trace (--pid, pantsd), or started by such a process */
	uint64_t cat[PF_RCAT_MAX];
	struct pf_rimage *images;
	int nimages;
	int parent;            /* index of the parent process in the trace, or -1 */
	int next_same_pid;     /* next entry of a re-exec chain written as separate entries, or -1 */
	int chain_head;        /* first entry of that chain (itself if none) */
	/* Filled by pf_report_path(): */
	double path_factor;            /* share of this process's own time on the root's path */
	double path_cat[PF_RCAT_MAX];  /* its contribution to the path, per category */
	char key[96];                  /* name used to match processes across traces */
};

struct pf_rfile {
	const char *path;
	uint64_t ns, bytes_read, bytes_written, ops;
	uint64_t faults, fault_ns; /* page faults in its mapping, and their disk wait */
};

struct pf_rarchive {
	const char *path;
	uint64_t members, bytes_inflated, ns;
};

struct pf_rvenv {
	const char *path;
	uint64_t files_created, ns;
};

struct pf_rimport {
	const char *module;
	uint64_t ns, self_ns, count; /* ns includes nested imports; self_ns does not (0: unknown) */
};

struct pf_rphase {
	int pid;
	const char *name, *detail;
	uint64_t ns;
};

struct pf_rtrace {
	char label[128];
	const char *path;          /* file it came from ("" for in-memory) */
	json_t *root;              /* owns every string above */
	const char **command;
	int ncommand;
	const char *backend;
	const char **unseen;       /* what the backend could not see (seccomp), NULL-terminated */
	int nunseen;
	const char **partial;      /* why the trace does not cover the whole run, NULL-terminated */
	int npartial;
	long long exit_code;
	uint64_t wall_ns, lost_events;
	int cpus;                  /* CPUs of the machine traced on (0: not recorded) */
	uint64_t modules_compiled; /* imported modules compiled from source ("compile") */
	const char *compile_reason; /* why they were not cached ("" if unknown) */
	int has_imports;           /* the JSON had an "imports" list (USDT probes) */
	char imports_note[512];    /* interpreters whose imports could not be timed, if any */
	uint64_t totals[PF_RCAT_MAX];
	int cat_of[PF_RCAT_MAX];   /* this trace's JSON category i -> shared index */
	struct pf_rproc *procs;
	int nprocs;
	struct pf_rfile *files;
	int nfiles;
	struct pf_rarchive *archives;
	int narchives;
	struct pf_rvenv *venvs;
	int nvenvs;
	struct pf_rimport *imports;
	int nimports;
	struct pf_rphase *phases;
	int nphases;
	int phases_computed;       /* phases came from pex_phases.c, not the JSON */
	void *phases_owner;        /* storage of computed phases */
	/* Filled by pf_report_path(): */
	int root_proc;             /* index of the root process, or -1 */
	double path_cat[PF_RCAT_MAX]; /* wall time along the root's path, per category */
	int64_t path_ns[PF_RCAT_MAX]; /* the same, rounded */
	int64_t unattributed_ns;   /* wall_ns - sum(path_ns): the residual, exact */
};

/* Load a parsed trace (takes a reference to root). label may be NULL (set
 * later by pf_report_label). Returns 0, or -1 with a one-line reason in err. */
int pf_report_load(json_t *root, const char *path, const char *label, struct pf_rcats *cats,
		   struct pf_rtrace *t, char *err, size_t errlen);
void pf_report_free(struct pf_rtrace *t);
/* Labels for traces without one: file stem, or "dir/stem" when stems clash,
 * or the command's program and script when even those clash. */
void pf_report_label(struct pf_rtrace *t, int n);

/* The critical-path decomposition of wall time (see report_path.c). After it
 * sum(path_ns) + unattributed_ns == wall_ns exactly. */
void pf_report_path(struct pf_rtrace *t, const struct pf_rcats *cats);

/* One cause of a wall-time difference between two traces. */
struct pf_rcause {
	int cat;          /* shared category index, or -1 for "unattributed" */
	int64_t delta_ns;
	char why[768];    /* the evidence: archives, venvs, modules, files, processes */
};

/* Causes of b's wall time minus a's, largest |delta| first. Their deltas add
 * up exactly to b->wall_ns - a->wall_ns. Returns how many (<= PF_RCAT_MAX+1). */
int pf_report_causes(const struct pf_rtrace *a, const struct pf_rtrace *b,
		     const struct pf_rcats *cats, struct pf_rcause *out);

/* "CPU-starved: 4.0 s waiting for a CPU on 2 CPUs": the scheduler's
 * categories (runqueue, fault_io) said as causes, with their evidence; ""
 * for another category. ns is the time to say (a total or a delta). */
const char *pf_report_sched_cause(const struct pf_rtrace *t, const char *cat, double ns, char *buf,
				  size_t len);
/* The same, short, after a category's name: " (CPU-starved on 2 CPUs)". */
const char *pf_report_sched_note(const struct pf_rtrace *t, const char *cat, char *buf, size_t len);
/* The CPU samples' split of the busiest processes (report_samples.c), if
 * the trace has them (--sample). */
void pf_report_samples(FILE *f, const struct pf_rtrace *t, int md);
/* The single report's "Waiting, not working" section (report_sched.c). */
void pf_report_sched(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md);
/* pex's phases as a tree of images, inclusive and exclusive (report_phase_tree.c). */
void pf_report_phase_tree(FILE *f, const struct pf_rtrace *t, int md);

/* Formatting (report_out.c). Each returns buf. */
char *pf_fmt_s(char *buf, size_t len, double ns, int sign); /* "1.23 s", "+45.6 ms" */
char *pf_fmt_count(char *buf, size_t len, uint64_t n);      /* "1,020" */
char *pf_fmt_pct(char *buf, size_t len, double part, double whole); /* "52.6%" */
/* Escape s for the output format into buf (Markdown: \ | * _ ` < > [ ]). */
void pf_heading(FILE *f, int markdown, int level, const char *title);


/* Short name of a process: program and what it runs ("python3.11 -m venv"). */
void pf_report_proc_name(const struct pf_rproc *p, char *buf, size_t len);

/* One-line explanations for other subcommands (bench --explain), from
 * trace JSON documents (report_explain.c). Return 0, or -1 with the reason
 * in buf. */
/* The largest categories of one trace's wall time: "import 1.05 s (83%), cpu 0.16 s (13%)". */
int pf_report_explain_one(json_t *trace, int top, char *buf, size_t len);
/* b against a: "+1.01 s = +0.65 s import + 0.22 s cpu + ..." (top causes, rest summed). */
int pf_report_explain_diff(json_t *a, json_t *b, int top, char *buf, size_t len);

/* Renderers. */
void pf_report_single(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int markdown);
void pf_report_compare(FILE *f, const struct pf_rtrace *t, int n, const struct pf_rcats *cats,
		       int markdown);
/* One self-contained HTML page of the traces (report_html.c). */
void pf_report_html(FILE *f, const struct pf_rtrace *t, int n, const struct pf_rcats *cats);

#endif
