// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench's command line (include/bench_cli.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "perfanity.h"
#include "pf_cli.h"
#include "bench_cli.h"

/* getopt_long's values of the long-only options. */
enum {
	OPT_TIMEOUT = PF_OPT_LONG,
	OPT_DEPS,
	OPT_DEP_SIZE,
	OPT_STATS,
	OPT_JSON,
	OPT_CSV,
	OPT_MARKDOWN,
	OPT_COMPARE,
	OPT_SWEEP,
	OPT_WORKDIR,
	OPT_KEEP,
	OPT_PEX,
	OPT_PYTHON,
	OPT_DRY_RUN,
	OPT_TRACE,
	OPT_EXPLAIN,
	OPT_INIT,
	OPT_ENTRY_POINT,
	OPT_CONFIG,
	OPT_STEP,
	OPT_GOAL,
};

/* The options, in --help's order; getopt_long's table is made from this one. */
static const struct pf_opt bench_opts[] = {
	{ "repetitions", 'r', required_argument, "N", "measured repetitions per cell (default 3, or the matrix's)" },
	{ "warmup", 'w', required_argument, "N", "unrecorded runs before them (default 0)" },
	{ "timeout", OPT_TIMEOUT, required_argument, "SECONDS", "per command (default 600)" },
	{ "deps", OPT_DEPS, required_argument, "N", "synthetic dependencies added to the project (built-in: 20)" },
	{ "dep-size", OPT_DEP_SIZE, required_argument, "KB", "size of each synthetic dependency (default 16)" },
	{ "stats", OPT_STATS, no_argument, NULL, "cells show median±stddev min–max" },
	{ "json", OPT_JSON, required_argument, "FILE", "every sample, the exact commands and machine info" },
	{ "csv", OPT_CSV, required_argument, "FILE", "one line per cell ('-': on stdout instead of the table)" },
	{ "markdown", OPT_MARKDOWN, required_argument, "FILE",
	  "the table in markdown ('-': on stdout instead of the table)" },
	{ "compare", OPT_COMPARE, no_argument, "A B", "two --json results side by side with ratios B/A" },
	{ "sweep", OPT_SWEEP, required_argument, "VAR=V1,V2",
	  "rerun at each deps (or dep_size) value; slope per unit" },
	{ "workdir", OPT_WORKDIR, required_argument, "DIR", "work here and keep it (artifacts, project copies)" },
	{ "keep", OPT_KEEP, no_argument, NULL, "keep the temporary work directory" },
	{ "pex", OPT_PEX, required_argument, "PATH",
	  "pex executable (default: pex on PATH; in a source checkout,\n"
	  "the pinned .venv/bin/pex that set-up installs)" },
	{ "python", OPT_PYTHON, required_argument, "PATH",
	  "interpreter for pex --python and the PEXes (default " BENCH_DEFAULT_PYTHON ")" },
	{ "dry-run", OPT_DRY_RUN, no_argument, NULL, "print each config's rendered commands; run nothing" },
	{ "quiet", 'q', no_argument, NULL, "no progress on stderr" },
	{ "trace", OPT_TRACE, no_argument, NULL,
	  "run every measured command under perfanity trace; samples\n"
	  "keep its category totals, times are the traced walls" },
	{ "explain", OPT_EXPLAIN, no_argument, NULL,
	  "--trace, and say why: each cell's main causes, and what makes\n"
	  "it slower than the fastest cell of its column" },
	{ "init", OPT_INIT, no_argument, NULL, "write DIR/perfanity.toml inferred from the project's files" },
	{ "entry-point", OPT_ENTRY_POINT, required_argument, "NAME",
	  "which console script (or module:function) an inferred\n"
	  "matrix runs, when the project declares several" },
	{ "config", OPT_CONFIG, required_argument, "PATTERN",
	  "only the configurations matching NAME=VALUE[,NAME=VALUE...]\n"
	  "(VALUE may be a glob: 'layout=packed,execution_mode=*'); repeatable" },
	{ "step", OPT_STEP, required_argument, "NAME", "only this step (clean, noop, incremental); repeatable" },
	{ "goal", OPT_GOAL, required_argument, "NAME", "only this goal (package, run, test); repeatable" },
	{ "help", 'h', no_argument, NULL, "this help" },
	{ NULL, 0, 0, NULL, NULL }
};

void bench_usage(FILE *f)
{
	fprintf(f, "Usage: perfanity bench [OPTIONS] [MATRIX]\n"
		   "       perfanity bench --compare A.json B.json\n"
		   "\n"
		   "Benchmark packaging configurations: every config x step (clean, noop, incremental)\n"
		   "x goal (package, run, test), repeated; prints median seconds per cell.\n"
		   "MATRIX is a perfanity.toml, a pyproject.toml with [tool.perfanity], or a directory\n"
		   "holding one; without it the built-in sample project (examples/simple) is benched.\n"
		   "\n");
	pf_cli_options_help(f, bench_opts);
	fprintf(f, "\n"
		   "Without a perfanity.toml or [tool.perfanity], DIR is benched from what its own files say\n"
		   "(pyproject.toml, setup.cfg, setup.py, requirements*.txt): --dry-run shows where each\n"
		   "value came from, --init writes it for editing.\n"
		   "\n"
		   "Examples:\n"
		   "  perfanity bench                          the built-in example, six configurations\n"
		   "  perfanity bench ~/src/myapp --dry-run    what would run on your project, and why\n"
		   "  perfanity bench examples/pants           the seed's table from real Pants runs\n"
		   "  perfanity bench --step noop --goal run --config 'layout=packed'\n"
		   "\n"
		   "Exit status: 0 all cells measured, 1 some cell failed, 2 bad input, 130 interrupted.\n");
}

static int parse_int(const char *opt, const char *s, int min, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > 1000000) {
		pf_err("%s: expected an integer >= %d, got '%s'", opt, min, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_timeout(const char *s, double *out)
{
	char *end;
	*out = strtod(s, &end);
	if (*end || end == s || *out <= 0) {
		pf_err("--timeout: expected seconds > 0, got '%s'", s);
		return -1;
	}
	return 0;
}

static int parse_sweep(const char *s, struct bench_sweep *sw)
{
	const char *eq = strchr(s, '=');
	if (!eq || (strncmp(s, "deps=", 5) && strncmp(s, "dep_size=", 9))) {
		pf_err("--sweep: expected deps=N1,N2,... or dep_size=KB1,KB2,..., got '%s'", s);
		return -1;
	}
	sw->variable = !strncmp(s, "deps=", 5) ? "deps" : "dep_size";
	char *copy = strdup(eq + 1), *save = NULL;
	int rc = copy ? 0 : -1;
	sw->n = 0;
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		rc = sw->n == BENCH_MAX_SWEEP ||
				     parse_int("--sweep", t, !strcmp(sw->variable, "deps") ? 0 : 1, &sw->values[sw->n])
			     ? -1
			     : 0;
		sw->n += !rc;
	}
	free(copy);
	if (!rc && sw->n < 2) {
		pf_err("--sweep: expected at least two values, got '%s'", s);
		rc = -1;
	}
	return rc;
}

static int add_select(struct bench_select *s, const char *value)
{
	if (s->n == BENCH_MAX_SELECT) {
		pf_err("--config, --step and --goal take at most %d values each", BENCH_MAX_SELECT);
		return -1;
	}
	s->v[s->n++] = value;
	return 0;
}

/* An option that sets a value: 0, or -1 when its value is bad (said). */
static int set_value(struct bench_args *a, int c, const char *v)
{
	switch (c) {
	case 'r': return parse_int("--repetitions", v, 1, &a->repetitions);
	case 'w': return parse_int("--warmup", v, 0, &a->warmup);
	case OPT_TIMEOUT: return parse_timeout(v, &a->timeout);
	case OPT_DEPS: return parse_int("--deps", v, 0, &a->deps);
	case OPT_DEP_SIZE: return parse_int("--dep-size", v, 1, &a->dep_size);
	case OPT_JSON: a->json_out = v; return 0;
	case OPT_CSV: a->csv_out = v; return 0;
	case OPT_MARKDOWN: a->md_out = v; return 0;
	case OPT_SWEEP: return parse_sweep(v, &a->sweep);
	case OPT_WORKDIR: a->workdir = v; return 0;
	case OPT_PEX: a->pex = v; return 0;
	case OPT_PYTHON: a->python = v; return 0;
	case OPT_ENTRY_POINT: a->entry_point = v; return 0;
	case OPT_CONFIG: return add_select(&a->config, v);
	case OPT_STEP: return add_select(&a->step, v);
	case OPT_GOAL: return add_select(&a->goal, v);
	}
	return -1;
}

/* A flag: 0, or -1 when c is not one. */
static int set_flag(struct bench_args *a, int c)
{
	int *flag = c == OPT_STATS     ? &a->stats
		    : c == OPT_COMPARE ? &a->compare
		    : c == OPT_KEEP    ? &a->keep
		    : c == OPT_DRY_RUN ? &a->dry_run
		    : c == 'q'         ? &a->quiet
		    : c == OPT_TRACE   ? &a->trace
		    : c == OPT_EXPLAIN ? &a->explain
		    : c == OPT_INIT    ? &a->init
				       : NULL;
	if (!flag)
		return -1;
	*flag = 1;
	a->trace |= a->explain;
	return 0;
}

/* What the options and operands say together. */
static int check_operands(struct bench_args *a)
{
	if (a->csv_out && !strcmp(a->csv_out, "-"))
		a->stdout_format = BENCH_CSV;
	if (a->md_out && !strcmp(a->md_out, "-"))
		a->stdout_format = BENCH_MARKDOWN;
	if (a->compare && a->n_operands != 2) {
		pf_err("--compare: expected two result files (A.json B.json)");
		return -1;
	}
	if (!a->compare && a->n_operands > 1) {
		pf_err("expected at most one matrix file or directory, got %d arguments", a->n_operands);
		return -1;
	}
	return 0;
}

int bench_parse_args(int argc, char **argv, struct bench_args *a)
{
	struct pf_cli cli;
	int c;
	memset(a, 0, sizeof(*a));
	a->repetitions = a->warmup = a->deps = a->dep_size = -1;
	a->timeout = -1;
	a->python = BENCH_DEFAULT_PYTHON;
	a->stdout_format = BENCH_TEXT;
	pf_cli_init(&cli, "bench", bench_opts);
	while ((c = pf_cli_next(&cli, argc, argv)) != -1) {
		if (c == PF_EXIT_USAGE)
			return PF_EXIT_USAGE;
		if (c == 'h') {
			bench_usage(stdout);
			return 1;
		}
		const struct option *o = NULL;
		for (o = cli.longopts; o->name && o->val != c; o++)
			;
		if (o->has_arg ? set_value(a, c, optarg) : set_flag(a, c))
			return PF_EXIT_USAGE;
	}
	a->operands = argv + optind;
	a->n_operands = argc - optind;
	return check_operands(a) ? PF_EXIT_USAGE : 0;
}
