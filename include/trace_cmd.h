/* SPDX-License-Identifier: GPL-2.0-only */
/* `perfanity trace`: options (parsed separately so they can be unit-tested). */
#ifndef PF_TRACE_CMD_H
#define PF_TRACE_CMD_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PF_TRACE_MAX_PIDS 64

struct pf_trace_opts {
	const char *output;   /* -o FILE.json, NULL: none */
	bool quiet;           /* no summary on stderr */
	bool verbose;         /* libbpf's messages */
	int top_files;        /* rows of the summary's file table */
	bool syscalls;        /* --syscalls: the syscall table after the summary */
	int bench_floor;      /* PERFANITY_BENCH_FLOOR: enum pf_bench_floor (bench/overhead.py --floor) */
	int max_files;        /* --max-files: rows of the kernel's file map */
	bool no_pantsd;       /* --no-follow-pantsd: a pants command's pantsd is not attached to */
	pid_t pids[PF_TRACE_MAX_PIDS]; /* --pid: running trees to attach to */
	size_t npids;
	int cg_option;        /* 'C' --container, 'A' --containers, 'G' --cgroup; 0: none */
	const char *cg_arg;   /* its NAME or DIR */
	int backend;          /* --backend: enum pf_backend_choice (auto: 0) */
	const char *user;     /* --user NAME or UID; NULL: the invoking user under sudo */
	const char *perfetto; /* --perfetto FILE.json: Chrome trace-event JSON */
	const char *flame;    /* --flame FILE.svg */
	const char *folded_time; /* --folded-time FILE: the flame graph's stacks */
	int run_min_us;       /* --run-min-us: shorter runs are counted, not slices */
	unsigned sample_hz;   /* --sample[=HZ], --folded: CPU samples per second per CPU; 0: none */
	const char *folded;   /* --folded FILE: the samples' folded stacks */
	char **command;       /* NULL-terminated, points into argv; NULL with --pid alone */
};

/* Returns 0 when opts are ready, 1 after printing help (exit 0),
 * or PF_EXIT_USAGE after printing a one-line error. */
int pf_trace_parse_args(int argc, char **argv, struct pf_trace_opts *opts);

#endif
