/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: the matrix (what to measure), from a matrix file or built in. */
#ifndef PF_BENCH_MATRIX_H
#define PF_BENCH_MATRIX_H
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum bench_value_type { BENCH_STR, BENCH_INT, BENCH_BOOL };

struct bench_value {
	enum bench_value_type type;
	char *text; /* as rendered into labels and commands: "venv", "4", "true" */
};

struct bench_param {
	char *name;
	struct bench_value *values;
	size_t n_values;
};

/* One exclude rule: a config matching every (param, value) pair is dropped. */
struct bench_exclude {
	char **names;
	char **values;
	size_t n;
};

struct bench_goal {
	char *name;
	char **commands; /* templates, run in order; the goal's time is their sum */
	size_t n_commands;
};

enum bench_step_kind { BENCH_STEP_CLEAN, BENCH_STEP_NOOP, BENCH_STEP_INCREMENTAL };

struct bench_step {
	char *name;
	enum bench_step_kind kind;
	char **prepare; /* untimed command templates run before each repetition's goals */
	size_t n_prepare;
};

enum bench_preset { BENCH_PRESET_PEX, BENCH_PRESET_PANTS, BENCH_PRESET_NONE, BENCH_PRESET_DOCKER };

/* Whether the preset's commands build PEXes from the matrix's keys (pex, docker). */
#define BENCH_BUILDS_PEX(m) ((m)->preset == BENCH_PRESET_PEX || (m)->preset == BENCH_PRESET_DOCKER)

struct bench_matrix {
	char *source;          /* matrix file, or "built-in" */
	enum bench_preset preset;
	char *project;         /* absolute project directory (copied per config) */
	char *target;          /* row label prefix, e.g. "simple:bin" */
	char *entry_point;     /* pex -e */
	char *sources;         /* relative to project */
	char *tests;
	char *requirements;
	char *test_requirements;
	char *edit;            /* file the incremental step edits, relative to project */
	char *synthetic_names; /* module whose NAMES line lists the synthetic deps ("" = none) */
	char *pants;           /* pants executable for the pants preset */
	/* What the pex preset builds from (each list NULL-terminated; paths relative to project
	 * unless absolute). Defaults are the project's own files, never the example's. */
	char **requirement_files;      /* pex -r */
	size_t n_requirement_files;
	char **test_requirement_files;
	size_t n_test_requirement_files;
	char **dependencies;           /* requirement strings ([project] dependencies) */
	size_t n_dependencies;
	char **test_dependencies;      /* for the test goal's PEX (pytest by default) */
	size_t n_test_dependencies;
	char **run_args;               /* arguments of the run goal (e.g. --version) */
	size_t n_run_args;
	char **packages;               /* flat layout: pex -P NAME, from the project's top */
	size_t n_packages;
	char **find_links;             /* absolute directories or URLs */
	size_t n_find_links;
	char *index_url;               /* NULL: PyPI, as the user's pip configuration says */
	int no_index;                  /* resolve from find_links only */
	int network;                   /* measured resolves reach the index (else a warm-up
	                                * `pip wheel` fills a local directory first) */
	json_t *inferred;              /* key -> where an inferred value came from, or NULL */
	char **skipped;                /* "goal test: no tests/ ..." (steps/goals left out) */
	size_t n_skipped;
	char **selects;                /* --config patterns: a config runs if it matches one */
	size_t n_selects;
	int repetitions;
	int warmup;
	double timeout;        /* seconds per command */
	int deps;              /* synthetic wheels */
	int dep_size_kb;
	struct bench_param *params;
	size_t n_params;
	struct bench_exclude *excludes;
	size_t n_excludes;
	struct bench_goal *goals;
	size_t n_goals;
	struct bench_step *steps;
	size_t n_steps;
};

/* One point of the parameter cross product. */
struct bench_config {
	char *label;               /* "execution_mode=venv,layout=loose" */
	char *options;             /* parameters that are the tool's options, not the target's
	                            * fields (the Pants preset's pantsd): "pantsd=false", or "" */
	const char **values;       /* values[i] is the text of params[i] */
	enum bench_value_type *types;
};

/* Build a matrix from the JSON form of a matrix file; source names it in messages (the
 * built-in one is examples/simple/perfanity.toml, named "built-in"). Relative paths are
 * taken from base_dir. Returns 0, or -1 with a one-line message in err naming the key and
 * what was expected. */
int bench_matrix_from_json(struct bench_matrix *m, json_t *root, const char *source,
			   const char *base_dir, char *err, size_t errlen);
/* find_links is the one directory dir (the built-in example resolves from the wheelhouse
 * set-up fetched into the cache, wherever that is). Returns 0, or -1 out of memory. */
int bench_matrix_set_wheelhouse(struct bench_matrix *m, const char *dir);
void bench_matrix_free(struct bench_matrix *m);

/* Keep only what the command line asks for: configs matching one of the patterns
 * ("name=glob,name=glob"), the named steps and goals (in the matrix's order). Empty lists
 * select everything. Returns 0, or -1 with a one-line reason in err (an unknown name, or
 * a selection that leaves nothing). */
int bench_matrix_select(struct bench_matrix *m, const char *const *configs, size_t n_configs,
			const char *const *steps, size_t n_steps, const char *const *goals, size_t n_goals,
			char *err, size_t errlen);

/* Where each value came from, one line per key, each starting with prefix: what inference
 * found in the project's files (or, for a matrix file, that it says so). */
void bench_matrix_print_sources(const struct bench_matrix *m, FILE *f, const char *prefix);

/* Whether a parameter is an option of the tool rather than a field of the target
 * (the Pants preset's "pantsd"): kept out of {params} and the target address. */
int bench_param_is_option(const struct bench_matrix *m, const char *name);

/* The cross product minus excludes, in declaration order. Returns the count (0 = none left). */
size_t bench_matrix_configs(const struct bench_matrix *m, struct bench_config **out);
void bench_configs_free(struct bench_config *c, size_t n);

/* The matrix as it will run, for the result JSON. */
json_t *bench_matrix_to_json(const struct bench_matrix *m);

const char *bench_step_kind_name(enum bench_step_kind k);
const char *bench_preset_name(enum bench_preset p);

#endif
