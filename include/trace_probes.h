/* SPDX-License-Identifier: GPL-2.0-only */
/* User-space probes of the BPF backend: zlib's inflate and CPython's
 * compiler (uprobes, through uprobe_multi links where the
 * kernel has them) and CPython's import USDT probes, attached once per
 * binary file. */
#ifndef PF_TRACE_PROBES_H
#define PF_TRACE_PROBES_H
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

struct trace_bpf;
struct pf_trace;

struct pf_probe_bin {
	char *path;          /* as first seen */
	dev_t dev;
	ino_t ino;
	bool inflate;        /* inflate() uprobes attached */
	bool compile;        /* Py_CompileStringObject() uprobes attached */
	bool eval;           /* PyEval_EvalCode() uprobes attached: imports timed in this file */
	int usdt;            /* as an interpreter: -1 not tried, 0 no USDT import probes, 1 attached */
	int imports_in;      /* as an interpreter: the entry whose uprobes time its imports, -1 none */
};

#define PF_PROBES_MAX_THREADS 16
struct pf_probes;
struct pf_probes_destroyer { /* one thread's share of the links to remove */
	struct pf_probes *p;
	size_t first, step;
};

struct pf_probes {
	struct trace_bpf *skel;
	struct pf_probe_bin *bins;
	size_t nbins;
	struct bpf_link **links;
	size_t nlinks;
	int *multi_fds;      /* uprobe_multi links (created with bpf(2), not libbpf) */
	size_t nmulti;
	bool multi;          /* the kernel has uprobe_multi links and their programs loaded */
	bool verbose;
	double detach_t0;    /* when removing the links started, 0 not yet */
	pid_t handoff;       /* the child that removes the uprobe_multi links (link_handoff.h), or 0 */
	pthread_t threads[PF_PROBES_MAX_THREADS];
	struct pf_probes_destroyer destroyers[PF_PROBES_MAX_THREADS];
	size_t nthreads;
};

void pf_probes_init(struct pf_probes *p, struct trace_bpf *skel, bool verbose);
/* Attach to the binary at path what it offers: inflate() if it defines it,
 * and, if want_usdt (an interpreter), CPython's import probes: the uprobes
 * on PyEval_EvalCode in it or in its libpython, else its USDT probes. Idempotent per file.
 * Returns the entry, or NULL if the file cannot be read. */
struct pf_probe_bin *pf_probes_add(struct pf_probes *p, const char *path, bool want_usdt);
/* Look for libz-like files mapped by pid that are not probed yet. */
void pf_probes_scan_pid(struct pf_probes *p, pid_t pid);

/* A path as process pid sees it, as this process can open it: through
 * /proc/PID/root when pid is in another mount namespace (a container's
 * /usr/bin/python3 is not the host's). Returns path itself or buf. */
const char *pf_probes_host_path(pid_t pid, const char *path, char *buf, size_t len);
/* Record into the trace which interpreters had import probes, and what was probed. */
void pf_probes_report(const struct pf_probes *p, struct pf_trace *tr);
/* Start removing every link, in threads: the tree is done with them. */
void pf_probes_detach_start(struct pf_probes *p);
/* Wait for the links to be gone, then free the rest. */
void pf_probes_free(struct pf_probes *p);

#endif
