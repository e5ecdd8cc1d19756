/* SPDX-License-Identifier: GPL-2.0-only */
/* Recognise pex's runtime work (extracting into PEX_ROOT, building venvs,
 * identifying interpreters, re-execing) from a trace's files and processes.
 * Pure functions over plain structs, so the report and the unit tests can
 * use them without a trace or a JSON document. */
#ifndef PF_PEX_PHASES_H
#define PF_PEX_PHASES_H
#include <stddef.h>
#include <stdint.h>

/* The cache areas pex keeps under PEX_ROOT (each is AREA/<version>/<key>/...). */
enum pf_pex_area {
	PF_PEX_BOOTSTRAPS = 0,
	PF_PEX_INSTALLED_WHEELS,
	PF_PEX_USER_CODE,
	PF_PEX_UNZIPPED_PEXES,
	PF_PEX_VENVS,
	PF_PEX_INTERPRETERS,
	PF_PEX_ISOLATED,
	PF_PEX_AREA_MAX
};

const char *pf_pex_area_name(int area);

/* If path lies in a PEX_ROOT cache area, return the area, the length of the
 * PEX_ROOT prefix (without the trailing '/') in *root_len, and in entry the
 * name of the cache entry it belongs to: the wheel file name for
 * installed_wheels, else the hash directory; pex's ".lck.work" staging suffix
 * is removed so staging and final paths name the same entry. Else -1. */
int pf_pex_classify(const char *path, size_t *root_len, char *entry, size_t entry_len);

/* Inputs: one row per file of the trace, per process image, per archive. */
struct pf_pex_file {
	const char *path;
	uint64_t ns, bytes_read, bytes_written, ops;
};

/* One exec'd image of a process. A process that re-execs has several, in
 * order (same pid). argv is argc strings (may be truncated by the tracer). */
struct pf_pex_proc {
	int pid, ppid;
	const char *exe;
	const char *const *argv;
	int argc;
	uint64_t start_ns, end_ns;
};

struct pf_pex_archive {
	const char *path;
	uint64_t ns, bytes_inflated, members;
};

#define PF_PEX_NAME_MAX 160
#define PF_PEX_DETAIL_MAX 512

struct pf_pex_phase {
	int pid;
	char name[PF_PEX_NAME_MAX];     /* "install 5 wheels into PEX_ROOT/installed_wheels" */
	char detail[PF_PEX_DETAIL_MAX]; /* where and how much: real paths, counts, bytes */
	uint64_t ns;
};

struct pf_pex_phases {
	struct pf_pex_phase *v;
	size_t n, cap;
	char pex_root[1024]; /* empty if no PEX_ROOT was seen */
};

/* Compute the phases. File-based phases take the files' time plus a share of
 * the archives' time (inflating) proportional to the bytes they wrote, since
 * the tracer times inflate() per archive, not per extracted file. Phases are
 * sorted by ns, largest first. Returns 0, or -1 on allocation failure. */
int pf_pex_phases_compute(const struct pf_pex_file *files, size_t nfiles,
			  const struct pf_pex_proc *procs, size_t nprocs,
			  const struct pf_pex_archive *archives, size_t narchives,
			  struct pf_pex_phases *out);
void pf_pex_phases_free(struct pf_pex_phases *ph);

/* What pex did in image i of procs, as a process phase names it ("bootstrap,
 * then re-exec into PEX_ROOT/venvs", "create venv (python -m venv)",
 * "identify interpreter"), or "" if none. */
void pf_pex_image_role(const struct pf_pex_proc *procs, size_t nprocs, size_t i, char *buf, size_t len);

#endif
