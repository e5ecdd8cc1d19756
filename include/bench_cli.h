/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench's command line: its options (one table: getopt_long's, and --help's)
 * and what they ask for, checked before anything is benched. */
#ifndef PF_BENCH_CLI_H
#define PF_BENCH_CLI_H
#include <stddef.h>
#include <stdio.h>
#include "bench_table.h"

#define BENCH_DEFAULT_PYTHON "/usr/bin/python3"
#define BENCH_MAX_SELECT 32
#define BENCH_MAX_SWEEP 32

/* --sweep deps=10,100 or dep_size=4,64: the matrix rerun at each value. */
struct bench_sweep {
	const char *variable; /* "deps" or "dep_size" */
	int values[BENCH_MAX_SWEEP];
	size_t n; /* 0: no sweep */
};

/* A list of --config, --step or --goal values. */
struct bench_select {
	const char *v[BENCH_MAX_SELECT];
	size_t n;
};

struct bench_args {
	/* the matrix's settings, overridden when >= 0 (> 0 for repetitions, dep_size, timeout) */
	int repetitions, warmup, deps, dep_size;
	double timeout;
	int stats, keep, dry_run, quiet, compare, trace, explain, init;
	const char *json_out, *csv_out, *md_out; /* "-": on stdout instead of the table */
	enum bench_format stdout_format;         /* the table's, from --csv - or --markdown - */
	const char *workdir, *pex, *python, *entry_point;
	struct bench_sweep sweep;
	struct bench_select config, step, goal;
	char **operands; /* the MATRIX (at most one), or --compare's two result files */
	int n_operands;
};

/* Parses argv (argv[0] is "bench"). Returns 0; 1 after printing --help (exit 0 then); or
 * PF_EXIT_USAGE after saying what is wrong in one line. */
int bench_parse_args(int argc, char **argv, struct bench_args *a);
void bench_usage(FILE *f);

#endif
