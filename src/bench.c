/* perfanity bench: command line, matrix loading, and what to do with the results. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfanity.h"
#include "pf_json.h"
#include "bench_exec.h"
#include "bench_fs.h"
#include "bench_load.h"
#include "bench_matrix.h"
#include "bench_run.h"
#include "bench_trace.h"
#include "bench_stats.h"
#include "bench_table.h"
#include "bench_template.h"
#include "pf_paths.h"

#define DEFAULT_PYTHON "/usr/bin/python3"
#define PF_EXIT_INTERRUPTED 130

static void usage(FILE *f)
{
	fprintf(f,
"Usage: perfanity bench [OPTIONS] [MATRIX]\n"
"       perfanity bench --compare A.json B.json\n"
"\n"
"Benchmark packaging configurations: every config x step (clean, noop, incremental)\n"
"x goal (package, run, test), repeated; prints median seconds per cell.\n"
"MATRIX is a perfanity.toml, a pyproject.toml with [tool.perfanity], or a directory\n"
"holding one; without it the built-in sample project (examples/simple) is benched.\n"
"\n"
"  -r, --repetitions N     measured repetitions per cell (default 3, or the matrix's)\n"
"  -w, --warmup N          unrecorded runs before them (default 0)\n"
"      --timeout SECONDS   per command (default 600)\n"
"      --deps N            synthetic dependencies added to the project (built-in: 20)\n"
"      --dep-size KB       size of each synthetic dependency (default 16)\n"
"      --stats             cells show median±stddev min–max\n"
"      --json FILE         every sample, the exact commands and machine info\n"
"      --csv FILE          one line per cell ('-': on stdout instead of the table)\n"
"      --markdown FILE     the table in markdown ('-': on stdout instead of the table)\n"
"      --compare A B       two --json results side by side with ratios B/A\n"
"      --sweep VAR=V1,V2   rerun at each deps (or dep_size) value; slope per unit\n"
"      --workdir DIR       work here and keep it (artifacts, project copies)\n"
"      --keep              keep the temporary work directory\n"
"      --pex PATH          pex executable (default: pex on PATH; in a source checkout,\n"
"                          the pinned .venv/bin/pex that set-up installs)\n"
"      --python PATH       interpreter for pex --python and the PEXes (default %s)\n"
"      --dry-run           print each config's rendered commands; run nothing\n"
"  -q, --quiet             no progress on stderr\n"
"      --trace            run every measured command under perfanity trace; samples\n"
"                         keep its category totals, times are the traced walls\n"
"      --explain          --trace, and say why: each cell's main causes, and what makes\n"
"                         it slower than the fastest cell of its column\n"
"      --init             write DIR/perfanity.toml inferred from the project's files\n"
"      --entry-point NAME  which console script (or module:function) an inferred\n"
"                          matrix runs, when the project declares several\n"
"      --config PATTERN   only the configurations matching NAME=VALUE[,NAME=VALUE...]\n"
"                         (VALUE may be a glob: 'layout=packed,execution_mode=*'); repeatable\n"
"      --step NAME        only this step (clean, noop, incremental); repeatable\n"
"      --goal NAME        only this goal (package, run, test); repeatable\n"
"\n"
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
"Exit status: 0 all cells measured, 1 some cell failed, 2 bad input, 130 interrupted.\n",
		DEFAULT_PYTHON);
}

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
static int check_tools(struct bench_matrix *m, const char *pex_arg, const char *pex,
		       const struct pf_paths *paths)
{
	int builtin = !strcmp(m->source, "built-in");
	if (m->preset == BENCH_PRESET_PEX && !pex) {
		if (pex_arg)
			pf_err("pex not found at %s (pass --pex PATH)", pex_arg);
		else if (paths->installed)
			pf_err("pex not found on PATH: install it (e.g. 'pipx install pex'), or pass --pex PATH");
		else
			pf_err("pex not found (%s/.venv/bin/pex, PATH): run 'make setup', or pass --pex PATH",
			       paths->data);
		return -1;
	}
	for (size_t i = 0; m->preset == BENCH_PRESET_PEX && i < m->n_find_links; i++) {
		if (strstr(m->find_links[i], "://") || bench_is_dir(m->find_links[i]))
			continue;
		if (builtin && paths->installed)
			pf_err("find_links: %s is not a directory (the example's wheelhouse: fetch it once, "
			       "with network: sh %s/scripts/setup.d/50-bench-wheelhouse.sh)", m->find_links[i], paths->data);
		else
			pf_err("find_links: %s is not a directory%s", m->find_links[i],
			       builtin ? " (the example's wheelhouse: run 'make setup' once, with network)" : "");
		return -1;
	}
	if (m->preset == BENCH_PRESET_PANTS && !pf_which_ok(m->pants)) {
		pf_err("pants not found ('%s'): %sput pants on PATH, or set pants = \"/path/to/pants\" in the matrix",
		       m->pants, paths->installed ? "" : "run 'make setup' (it installs Pants 2.17 when a CPython 3.9 is found), ");
		return -1;
	}
	return 0;
}

/* A checkout's default "pants", when none is on PATH: the one set-up installed
 * (scripts/setup.d/60-pants.sh). An installed perfanity looks on PATH only. */
static void find_pants(struct bench_matrix *m, const struct pf_paths *paths)
{
	char local[PATH_MAX];
	if (m->preset != BENCH_PRESET_PANTS || strcmp(m->pants, "pants") || paths->installed ||
	    pf_which_ok(m->pants))
		return;
	snprintf(local, sizeof(local), "%s/.venv-pants/bin/pants", paths->data);
	if (!access(local, X_OK)) {
		free(m->pants);
		m->pants = strdup(local);
	}
}

static int parse_int_opt(const char *opt, const char *s, int min, int *out)
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

static int compare(const char *a, const char *b, enum bench_format format)
{
	json_t *ja = pf_json_read(a), *jb = ja ? pf_json_read(b) : NULL;
	int rc = PF_EXIT_USAGE;
	if (!ja || !jb)
		goto out;
	const char *ka = pf_json_str(ja, "kind", ""), *kb = pf_json_str(jb, "kind", "");
	if (strcmp(ka, "bench") || strcmp(kb, "bench")) {
		pf_err("%s: not a bench result (a perfanity bench --json file without --sweep)",
		       strcmp(ka, "bench") ? a : b);
		goto out;
	}
	char *na = strdup(a), *nb = strdup(b);
	char *ba = basename(na), *bb = basename(nb);
	ba[strcspn(ba, ".")] = 0;
	bb[strcspn(bb, ".")] = 0;
	if (!strcmp(ba, bb)) { /* same file names in different directories */
		ba = "A";
		bb = "B";
	}
	bench_table_compare(stdout, ja, ba, jb, bb, format);
	free(na);
	free(nb);
	rc = PF_EXIT_OK;
out:
	json_decref(ja);
	json_decref(jb);
	return rc;
}

struct sweep {
	const char *variable; /* "deps" or "dep_size" */
	int values[32];
	size_t n;
};

static int parse_sweep(const char *s, struct sweep *sw)
{
	const char *eq = strchr(s, '=');
	if (!eq || (strncmp(s, "deps=", 5) && strncmp(s, "dep_size=", 9))) {
		pf_err("--sweep: expected deps=N1,N2,... or dep_size=KB1,KB2,..., got '%s'", s);
		return -1;
	}
	sw->variable = !strncmp(s, "deps=", 5) ? "deps" : "dep_size";
	char *copy = strdup(eq + 1), *save = NULL;
	sw->n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (sw->n == 32 || parse_int_opt("--sweep", t, !strcmp(sw->variable, "deps") ? 0 : 1,
						 &sw->values[sw->n])) {
			free(copy);
			return -1;
		}
		sw->n++;
	}
	free(copy);
	if (sw->n < 2) {
		pf_err("--sweep: expected at least two values, got '%s'", s);
		return -1;
	}
	return 0;
}

/* Slope of each cell's median over the swept variable, per config. */
static json_t *sweep_slopes(json_t *points, const struct sweep *sw)
{
	json_t *slopes = json_array();
	json_t *first = json_object_get(json_array_get(points, 0), "result");
	size_t i, k;
	json_t *config, *cell;
	json_array_foreach(json_object_get(first, "configs"), i, config) {
		json_t *row = json_object();
		json_t *per = json_object();
		json_object_set_new(row, "label", json_incref(json_object_get(config, "label")));
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			double x[32], y[32];
			size_t n = 0;
			for (size_t p = 0; p < json_array_size(points); p++) {
				json_t *res = json_object_get(json_array_get(points, p), "result");
				json_t *c = json_array_get(json_object_get(json_array_get(json_object_get(res, "configs"), i), "cells"), k);
				if (c && !strcmp(pf_json_str(c, "status", ""), "ok")) {
					x[n] = sw->values[p];
					y[n++] = json_number_value(json_object_get(c, "median"));
				}
			}
			char key[128];
			snprintf(key, sizeof(key), "%s/%s", pf_json_str(cell, "step", ""), pf_json_str(cell, "goal", ""));
			json_object_set_new(per, key, n >= 2 ? json_real(bench_slope(x, y, n)) : json_null());
		}
		json_object_set_new(row, "seconds_per_unit", per);
		json_array_append_new(slopes, row);
	}
	return slopes;
}

static int any_failed(json_t *doc)
{
	size_t i, k;
	json_t *config, *cell;
	json_array_foreach(json_object_get(doc, "configs"), i, config)
		json_array_foreach(json_object_get(config, "cells"), k, cell)
			if (!strcmp(pf_json_str(cell, "status", ""), "failed"))
				return 1;
	return 0;
}

static int write_text_file(const char *path, json_t *doc, enum bench_format format, int stats)
{
	struct bench_table_opts o = { format, stats };
	if (!strcmp(path, "-"))
		return 0; /* printed instead of the table */
	FILE *f = fopen(path, "w");
	if (!f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	bench_table_render(f, doc, &o);
	if (fclose(f)) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

enum { OPT_TIMEOUT = 256, OPT_DEPS, OPT_DEP_SIZE, OPT_STATS, OPT_JSON, OPT_CSV, OPT_MARKDOWN,
       OPT_COMPARE, OPT_SWEEP, OPT_WORKDIR, OPT_KEEP, OPT_PEX, OPT_PYTHON, OPT_DRY_RUN,
       OPT_TRACE, OPT_EXPLAIN, OPT_INIT, OPT_CONFIG, OPT_STEP, OPT_GOAL, OPT_ENTRY_POINT };

#define MAX_SELECT 32

int do_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repetitions", required_argument, 0, 'r' },
		{ "warmup", required_argument, 0, 'w' },
		{ "timeout", required_argument, 0, OPT_TIMEOUT },
		{ "deps", required_argument, 0, OPT_DEPS },
		{ "dep-size", required_argument, 0, OPT_DEP_SIZE },
		{ "stats", no_argument, 0, OPT_STATS },
		{ "json", required_argument, 0, OPT_JSON },
		{ "csv", required_argument, 0, OPT_CSV },
		{ "markdown", required_argument, 0, OPT_MARKDOWN },
		{ "compare", no_argument, 0, OPT_COMPARE },
		{ "sweep", required_argument, 0, OPT_SWEEP },
		{ "workdir", required_argument, 0, OPT_WORKDIR },
		{ "keep", no_argument, 0, OPT_KEEP },
		{ "pex", required_argument, 0, OPT_PEX },
		{ "python", required_argument, 0, OPT_PYTHON },
		{ "dry-run", no_argument, 0, OPT_DRY_RUN },
		{ "quiet", no_argument, 0, 'q' },
		{ "trace", no_argument, 0, OPT_TRACE },
		{ "explain", no_argument, 0, OPT_EXPLAIN },
		{ "init", no_argument, 0, OPT_INIT },
		{ "entry-point", required_argument, 0, OPT_ENTRY_POINT },
		{ "config", required_argument, 0, OPT_CONFIG },
		{ "step", required_argument, 0, OPT_STEP },
		{ "goal", required_argument, 0, OPT_GOAL },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	int repetitions = -1, warmup = -1, deps = -1, dep_size = -1, stats = 0, keep = 0;
	int dry_run = 0, quiet = 0, do_compare = 0;
	double timeout = -1;
	const char *json_out = NULL, *csv_out = NULL, *md_out = NULL, *sweep_arg = NULL;
	const char *workdir_arg = NULL, *pex_arg = NULL, *python = DEFAULT_PYTHON;
	int trace = 0, explain = 0, init = 0;
	const char *entry_point = NULL;
	const char *sel_config[MAX_SELECT], *sel_step[MAX_SELECT], *sel_goal[MAX_SELECT];
	size_t n_config = 0, n_step = 0, n_goal = 0;
	char *tracer = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:w:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': if (parse_int_opt("--repetitions", optarg, 1, &repetitions)) return PF_EXIT_USAGE; break;
		case 'w': if (parse_int_opt("--warmup", optarg, 0, &warmup)) return PF_EXIT_USAGE; break;
		case OPT_TIMEOUT: {
			char *end;
			timeout = strtod(optarg, &end);
			if (*end || end == optarg || timeout <= 0) {
				pf_err("--timeout: expected seconds > 0, got '%s'", optarg);
				return PF_EXIT_USAGE;
			}
			break;
		}
		case OPT_DEPS: if (parse_int_opt("--deps", optarg, 0, &deps)) return PF_EXIT_USAGE; break;
		case OPT_DEP_SIZE: if (parse_int_opt("--dep-size", optarg, 1, &dep_size)) return PF_EXIT_USAGE; break;
		case OPT_STATS: stats = 1; break;
		case OPT_JSON: json_out = optarg; break;
		case OPT_CSV: csv_out = optarg; break;
		case OPT_MARKDOWN: md_out = optarg; break;
		case OPT_COMPARE: do_compare = 1; break;
		case OPT_SWEEP: sweep_arg = optarg; break;
		case OPT_WORKDIR: workdir_arg = optarg; break;
		case OPT_KEEP: keep = 1; break;
		case OPT_PEX: pex_arg = optarg; break;
		case OPT_PYTHON: python = optarg; break;
		case OPT_DRY_RUN: dry_run = 1; break;
		case 'q': quiet = 1; break;
		case OPT_TRACE: trace = 1; break;
		case OPT_EXPLAIN: trace = explain = 1; break;
		case OPT_INIT: init = 1; break;
		case OPT_ENTRY_POINT: entry_point = optarg; break;
		case OPT_CONFIG:
		case OPT_STEP:
		case OPT_GOAL: {
			const char **list = c == OPT_CONFIG ? sel_config : c == OPT_STEP ? sel_step : sel_goal;
			size_t *n = c == OPT_CONFIG ? &n_config : c == OPT_STEP ? &n_step : &n_goal;
			if (*n == MAX_SELECT) {
				pf_err("--config, --step and --goal take at most %d values each", MAX_SELECT);
				return PF_EXIT_USAGE;
			}
			list[(*n)++] = optarg;
			break;
		}
		case 'h': usage(stdout); return PF_EXIT_OK;
		default: usage(stderr); return PF_EXIT_USAGE;
		}
	}
	/* before anything is benched: the tracer needs root */
	if (trace && !dry_run && geteuid() != 0) {
		pf_err("--trace/--explain load eBPF programs: run as root (e.g. sudo perfanity bench --trace)");
		return PF_EXIT_USAGE;
	}
	enum bench_format stdout_format = BENCH_TEXT;
	if (csv_out && !strcmp(csv_out, "-"))
		stdout_format = BENCH_CSV;
	if (md_out && !strcmp(md_out, "-"))
		stdout_format = BENCH_MARKDOWN;
	if (do_compare) {
		if (argc - optind != 2) {
			pf_err("--compare: expected two result files (A.json B.json)");
			return PF_EXIT_USAGE;
		}
		return compare(argv[optind], argv[optind + 1], stdout_format);
	}
	if (argc - optind > 1) {
		pf_err("expected at most one matrix file or directory, got %d arguments", argc - optind);
		return PF_EXIT_USAGE;
	}
	struct sweep sw = { 0 };
	if (sweep_arg && parse_sweep(sweep_arg, &sw))
		return PF_EXIT_USAGE;

	struct pf_paths paths;
	char path_err[PATH_MAX + 256];
	if (pf_paths_find(&paths, path_err, sizeof(path_err))) {
		pf_err("%s", path_err);
		return PF_EXIT_USAGE;
	}
	const char *root = paths.data;
	if (access(python, X_OK)) {
		pf_err("python interpreter %s not found or not executable (pass --python PATH)", python);
		pf_paths_free(&paths);
		return PF_EXIT_USAGE;
	}
	/* The work directory: matrix conversion, fixtures, per-config copies and caches. */
	char *workdir = NULL;
	if (workdir_arg) {
		if (bench_mkdir_p(workdir_arg)) {
			pf_err("cannot create --workdir %s: %s", workdir_arg, strerror(errno));
			pf_paths_free(&paths);
			return PF_EXIT_USAGE;
		}
		workdir = realpath(workdir_arg, NULL);
		keep = 1;
	} else {
		const char *t = getenv("TMPDIR");
		if (asprintf(&workdir, "%s/perfanity-bench-XXXXXX", t && t[0] ? t : "/tmp") < 0 ||
		    !mkdtemp(workdir)) {
			pf_err("cannot create a temporary directory: %s", strerror(errno));
			pf_paths_free(&paths);
			return PF_EXIT_FAIL;
		}
	}
	int rc = PF_EXIT_USAGE;
	struct bench_matrix m;
	memset(&m, 0, sizeof(m));
	char wheelhouse[PATH_MAX];
	char *pex = NULL;
	snprintf(wheelhouse, sizeof(wheelhouse), "%s/wheelhouse", paths.cache);
	struct bench_load_env load = { .root = root, .python = python, .workdir = workdir,
				       .entry_point = entry_point };
	if (init) {
		rc = bench_write_inferred(&load, optind < argc ? argv[optind] : NULL);
		goto out;
	}
	if (optind < argc ? bench_load_matrix(&load, argv[optind], &m) : bench_load_builtin(&load, wheelhouse, &m))
		goto out;
	char sel_err[512];
	if (bench_matrix_select(&m, sel_config, n_config, sel_step, n_step, sel_goal, n_goal, sel_err, sizeof(sel_err))) {
		pf_err("%s", sel_err);
		goto out;
	}
	if (dry_run)
		bench_matrix_print_sources(&m, stdout, "# ");
	else if (!quiet && m.inferred)
		bench_matrix_print_sources(&m, stderr, "perfanity: bench: ");
	for (size_t i = 0; i < m.n_skipped && !quiet; i++)
		fprintf(stderr, "perfanity: bench: skipped: %s\n", m.skipped[i]);
	if (m.n_skipped && dry_run)
		for (size_t i = 0; i < m.n_skipped; i++)
			printf("# skipped: %s\n", m.skipped[i]);
	if (repetitions > 0) m.repetitions = repetitions;
	if (warmup >= 0) m.warmup = warmup;
	if (timeout > 0) m.timeout = timeout;
	if (deps >= 0) m.deps = deps;
	if (dep_size > 0) m.dep_size_kb = dep_size;
	if (!bench_is_dir(m.project)) {
		pf_err("%s: project directory %s not found", m.source, m.project);
		goto out;
	}
	pex = find_pex(pex_arg, &paths);
	find_pants(&m, &paths);
	if (!dry_run && check_tools(&m, pex_arg, pex, &paths))
		goto out;
	if (trace && !dry_run) {
		tracer = realpath("/proc/self/exe", NULL);
		if (!tracer) {
			pf_err("--trace: cannot find this perfanity executable: %s", strerror(errno));
			goto out;
		}
	}
	char wheel_cache[PATH_MAX];
	snprintf(wheel_cache, sizeof(wheel_cache), "%s/wheels", workdir);
	struct bench_env env = {
		.root = root, .cache = paths.cache, .pex = pex, .python = python,
		.wheelhouse = wheelhouse, .workdir = workdir, .quiet = quiet, .dry_run = dry_run,
		.keep = keep, .tracer = tracer, .wheel_cache = wheel_cache,
	};
	bench_exec_install_interrupt();
	json_t *doc = NULL;
	if (sw.n) {
		doc = json_object();
		json_object_set_new(doc, "perfanity_json_version", json_integer(PERFANITY_JSON_VERSION));
		json_object_set_new(doc, "kind", json_string("bench-sweep"));
		json_object_set_new(doc, "variable", json_string(sw.variable));
		json_object_set_new(doc, "unit", json_string(!strcmp(sw.variable, "deps") ? "dependency" : "KB per dependency"));
		json_t *points = json_array();
		json_object_set_new(doc, "points", points);
		for (size_t i = 0; i < sw.n && !bench_interrupted; i++) {
			if (!strcmp(sw.variable, "deps"))
				m.deps = sw.values[i];
			else
				m.dep_size_kb = sw.values[i];
			if (!quiet)
				fprintf(stderr, "perfanity bench: sweep %s=%d\n", sw.variable, sw.values[i]);
			json_t *res = bench_run(&m, &env);
			if (!res) {
				json_decref(doc);
				rc = PF_EXIT_FAIL;
				goto out;
			}
			json_t *pt = json_object();
			json_object_set_new(pt, sw.variable, json_integer(sw.values[i]));
			json_object_set_new(pt, "result", res);
			json_array_append_new(points, pt);
		}
		json_object_set_new(doc, "slopes", sweep_slopes(points, &sw));
		json_object_set_new(doc, "interrupted", json_boolean(bench_interrupted));
	} else {
		char busy[400];
		if (!dry_run && !quiet && bench_preflight(busy, sizeof(busy)))
			pf_err("%s", busy);
		doc = bench_run(&m, &env);
		if (!doc) {
			rc = bench_interrupted ? PF_EXIT_INTERRUPTED : PF_EXIT_FAIL;
			goto out;
		}
	}
	if (dry_run) {
		json_decref(doc);
		rc = PF_EXIT_OK;
		goto out;
	}
	int failed = 0;
	if (explain && !sw.n)
		bench_explain(doc); /* before the work directory and its traces go */
	if (json_out && pf_json_write(doc, json_out))
		failed = 1;
	struct bench_table_opts topts = { stdout_format, stats };
	if (sw.n) {
		json_t *pt;
		size_t i;
		json_array_foreach(json_object_get(doc, "points"), i, pt) {
			json_t *res = json_object_get(pt, "result");
			printf("%s%s=%d\n", i ? "\n" : "", sw.variable, sw.values[i]);
			bench_table_render(stdout, res, &topts);
			failed |= any_failed(res);
		}
		putchar('\n');
		if (json_array_size(json_object_get(doc, "points")) >= 2)
			bench_table_sweep(stdout, doc, stdout_format == BENCH_CSV ? BENCH_TEXT : stdout_format);
	} else {
		bench_table_render(stdout, doc, &topts);
		if (explain && stdout_format == BENCH_TEXT)
			bench_explain_print(stdout, doc);
		if ((csv_out && write_text_file(csv_out, doc, BENCH_CSV, stats)) ||
		    (md_out && write_text_file(md_out, doc, BENCH_MARKDOWN, stats)))
			failed = 1;
		failed |= any_failed(doc);
	}
	fflush(stdout);
	if (keep && !quiet)
		fprintf(stderr, "perfanity bench: work directory kept: %s\n", workdir);
	rc = bench_interrupted || json_is_true(json_object_get(doc, "interrupted")) ? PF_EXIT_INTERRUPTED :
	     failed ? PF_EXIT_FAIL : PF_EXIT_OK;
	json_decref(doc);
out:
	if (!keep)
		bench_rm_rf(workdir);
	bench_matrix_free(&m);
	free(tracer);
	free(workdir);
	free(pex);
	pf_paths_free(&paths);
	return rc;
}
