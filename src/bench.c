// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench: the command, from its arguments to its outputs. do_bench parses
 * (bench_cli.c), sets up a session — the data directory, the work directory, the
 * matrix and the tools it needs — runs it once or per --sweep value (bench_run.c,
 * bench_sweep.c) and writes what was asked for (bench_output.c). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfanity.h"
#include "bench_cli.h"
#include "bench_exec.h"
#include "bench_fs.h"
#include "bench_load.h"
#include "bench_matrix.h"
#include "bench_output.h"
#include "bench_run.h"
#include "bench_sweep.h"
#include "pf_paths.h"

/* What one bench command sets up, and frees at the end. */
struct bench_session {
	struct pf_paths paths;
	char *workdir;
	int keep; /* the work directory stays */
	struct bench_matrix m;
	char *pex;
	char *tracer; /* --trace: this executable */
	char wheelhouse[PATH_MAX];
	char wheel_cache[PATH_MAX];
	struct bench_load_env load; /* what loading a matrix needs */
	struct bench_env env;       /* what running it needs */
	unsigned trace_seq;         /* env.trace_seq */
};

/* The pex to run: --pex, else a checkout's pinned .venv/bin/pex (set-up installs it),
 * else pex on PATH. NULL when there is none (fine for --dry-run). */
static char *find_pex(const char *pex_arg, const struct pf_paths *paths)
{
	char venv_pex[PATH_MAX];
	if (pex_arg)
		return access(pex_arg, X_OK) ? NULL : strdup(pex_arg);
	snprintf(venv_pex, sizeof(venv_pex), "%s/.venv/bin/pex", paths->data);
	if (!paths->installed && !access(venv_pex, X_OK))
		return strdup(venv_pex);
	return pf_which("pex");
}

static int pf_which_ok(const char *name)
{
	char *p = pf_which(name);
	free(p);
	return p != NULL;
}

/* The tools and inputs a real run needs, each missing one named in one line with how to
 * get it. */
static int check_tools(struct bench_matrix *m, const char *pex_arg, const char *pex, const struct pf_paths *paths)
{
	int builtin = !strcmp(m->source, "built-in");
	if (BENCH_BUILDS_PEX(m) && !pex) {
		if (pex_arg)
			pf_err("pex not found at %s (pass --pex PATH)", pex_arg);
		else if (paths->installed)
			pf_err("pex not found on PATH: install it (e.g. 'pipx install pex'), or pass --pex PATH");
		else
			pf_err("pex not found (%s/.venv/bin/pex, PATH): run 'make setup', or pass --pex PATH",
			       paths->data);
		return -1;
	}
	for (size_t i = 0; BENCH_BUILDS_PEX(m) && i < m->n_find_links; i++) {
		if (strstr(m->find_links[i], "://") || bench_is_dir(m->find_links[i]))
			continue;
		if (builtin && paths->installed)
			pf_err("find_links: %s is not a directory (the example's wheelhouse: fetch it once, "
			       "with network: sh %s/scripts/setup.d/50-bench-wheelhouse.sh)",
			       m->find_links[i], paths->data);
		else
			pf_err("find_links: %s is not a directory%s", m->find_links[i],
			       builtin ? " (the example's wheelhouse: run 'make setup' once, with network)" : "");
		return -1;
	}
	if (m->preset == BENCH_PRESET_PANTS && !pf_which_ok(m->pants)) {
		pf_err("pants not found ('%s'): %sput pants on PATH, or set pants = \"/path/to/pants\" in the matrix",
		       m->pants,
		       paths->installed ? ""
					: "run 'make setup' (it installs Pants 2.17 when a CPython 3.9 is found), ");
		return -1;
	}
	return 0;
}

/* A checkout's default "pants", when none is on PATH: the one set-up installed
 * (scripts/setup.d/60-pants.sh). An installed perfanity looks on PATH only. */
static void find_pants(struct bench_matrix *m, const struct pf_paths *paths)
{
	char local[PATH_MAX];
	if ((m->preset != BENCH_PRESET_PANTS && m->preset != BENCH_PRESET_DOCKER) || strcmp(m->pants, "pants") ||
	    paths->installed || pf_which_ok(m->pants))
		return;
	snprintf(local, sizeof(local), "%s/.venv-pants/bin/pants", paths->data);
	if (!access(local, X_OK)) {
		free(m->pants);
		m->pants = strdup(local);
	}
}

/* The data directory, the interpreter and the work directory (matrix conversion,
 * fixtures, per-config copies and caches). Returns 0 or the exit status. */
static int open_workdir(struct bench_session *s, const struct bench_args *a)
{
	char path_err[PATH_MAX + 256];
	if (pf_paths_find(&s->paths, path_err, sizeof(path_err))) {
		pf_err("%s", path_err);
		return PF_EXIT_USAGE;
	}
	if (access(a->python, X_OK)) {
		pf_err("python interpreter %s not found or not executable (pass --python PATH)", a->python);
		return PF_EXIT_USAGE;
	}
	s->keep = a->keep;
	if (a->workdir) {
		if (bench_mkdir_p(a->workdir)) {
			pf_err("cannot create --workdir %s: %s", a->workdir, strerror(errno));
			return PF_EXIT_USAGE;
		}
		s->workdir = realpath(a->workdir, NULL);
		s->keep = 1;
		return 0;
	}
	const char *t = getenv("TMPDIR");
	if (asprintf(&s->workdir, "%s/perfanity-bench-XXXXXX", t && t[0] ? t : "/tmp") < 0 || !mkdtemp(s->workdir)) {
		pf_err("cannot create a temporary directory: %s", strerror(errno));
		return PF_EXIT_FAIL;
	}
	return 0;
}

/* Where each inferred value came from, and what cannot run. */
static void say_sources(const struct bench_matrix *m, const struct bench_args *a)
{
	if (a->dry_run)
		bench_matrix_print_sources(m, stdout, "# ");
	else if (!a->quiet && m->inferred)
		bench_matrix_print_sources(m, stderr, "perfanity: bench: ");
	for (size_t i = 0; i < m->n_skipped && !a->quiet; i++)
		fprintf(stderr, "perfanity: bench: skipped: %s\n", m->skipped[i]);
	for (size_t i = 0; i < m->n_skipped && a->dry_run; i++)
		printf("# skipped: %s\n", m->skipped[i]);
}

/* The matrix (the MATRIX operand's, or the built-in one), what the command line selects
 * of it and overrides in it. Returns 0 or -1 (said). */
static int load_matrix(struct bench_session *s, const struct bench_args *a)
{
	struct bench_matrix *m = &s->m;
	char err[512];
	if (a->n_operands ? bench_load_matrix(&s->load, a->operands[0], m)
			  : bench_load_builtin(&s->load, s->wheelhouse, m))
		return -1;
	if (bench_matrix_select(m, a->config.v, a->config.n, a->step.v, a->step.n, a->goal.v, a->goal.n, err,
				sizeof(err))) {
		pf_err("%s", err);
		return -1;
	}
	say_sources(m, a);
	if (a->repetitions > 0)
		m->repetitions = a->repetitions;
	if (a->warmup >= 0)
		m->warmup = a->warmup;
	if (a->timeout > 0)
		m->timeout = a->timeout;
	if (a->deps >= 0)
		m->deps = a->deps;
	if (a->dep_size > 0)
		m->dep_size_kb = a->dep_size;
	if (!bench_is_dir(m->project)) {
		pf_err("%s: project directory %s not found", m->source, m->project);
		return -1;
	}
	return 0;
}

/* pex, pants and (--trace) this executable; a real run needs them all. Returns 0 or -1. */
static int find_tools(struct bench_session *s, const struct bench_args *a)
{
	s->pex = find_pex(a->pex, &s->paths);
	find_pants(&s->m, &s->paths);
	if (a->dry_run)
		return 0;
	if (check_tools(&s->m, a->pex, s->pex, &s->paths))
		return -1;
	if (a->trace && !(s->tracer = realpath("/proc/self/exe", NULL))) {
		pf_err("--trace: cannot find this perfanity executable: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Everything before the first command runs. Returns 0 or the exit status. */
static int open_session(struct bench_session *s, const struct bench_args *a)
{
	int rc = open_workdir(s, a);
	if (rc)
		return rc;
	snprintf(s->wheelhouse, sizeof(s->wheelhouse), "%s/wheelhouse", s->paths.cache);
	snprintf(s->wheel_cache, sizeof(s->wheel_cache), "%s/wheels", s->workdir);
	s->load = (struct bench_load_env){
		.root = s->paths.data,
		.python = a->python,
		.workdir = s->workdir,
		.entry_point = a->entry_point,
	};
	if (a->init)
		return 0;
	if (load_matrix(s, a) || find_tools(s, a))
		return PF_EXIT_USAGE;
	s->env = (struct bench_env){
		.root = s->paths.data,
		.cache = s->paths.cache,
		.pex = s->pex,
		.python = a->python,
		.wheelhouse = s->wheelhouse,
		.workdir = s->workdir,
		.quiet = a->quiet,
		.dry_run = a->dry_run,
		.keep = s->keep,
		.tracer = s->tracer,
		.wheel_cache = s->wheel_cache,
		.trace_seq = &s->trace_seq,
	};
	return 0;
}

static void close_session(struct bench_session *s)
{
	if (s->workdir && !s->keep)
		bench_rm_rf(s->workdir);
	bench_matrix_free(&s->m);
	free(s->tracer);
	free(s->workdir);
	free(s->pex);
	pf_paths_free(&s->paths);
}

/* The matrix run (once, or per --sweep value) and its outputs. Returns the exit status. */
static int run(struct bench_session *s, const struct bench_args *a)
{
	json_t *doc;
	char busy[400];
	bench_exec_install_interrupt();
	if (a->sweep.n) {
		doc = bench_sweep_run(&s->m, &s->env, &a->sweep);
	} else {
		if (!a->dry_run && !a->quiet && bench_preflight(busy, sizeof(busy)))
			pf_err("%s", busy);
		doc = bench_run(&s->m, &s->env);
	}
	if (!doc)
		return !a->sweep.n && bench_interrupted ? PF_EXIT_INTERRUPTED : PF_EXIT_FAIL;
	int rc = a->dry_run ? PF_EXIT_OK : bench_write_outputs(doc, a);
	if (!a->dry_run && s->keep && !a->quiet)
		fprintf(stderr, "perfanity bench: work directory kept: %s\n", s->workdir);
	json_decref(doc);
	return rc;
}

int do_bench(int argc, char **argv)
{
	struct bench_args a;
	int rc = bench_parse_args(argc, argv, &a);
	if (rc)
		return rc == 1 ? PF_EXIT_OK : rc; /* 1: --help */
	/* before anything is benched: without root the traces come from the seccomp backend */
	if (a.trace && !a.dry_run && geteuid() != 0)
		fprintf(stderr, "perfanity: bench: --trace as a user: traced with the seccomp backend, which does "
				"not see run-queue time, page faults, imports or inflates (run as root for all)\n");
	if (a.compare)
		return bench_compare(a.operands[0], a.operands[1], a.stdout_format);
	struct bench_session s;
	memset(&s, 0, sizeof(s));
	rc = open_session(&s, &a);
	if (!rc)
		rc = a.init ? bench_write_inferred(&s.load, a.n_operands ? a.operands[0] : NULL) : run(&s, &a);
	close_session(&s);
	return rc;
}
