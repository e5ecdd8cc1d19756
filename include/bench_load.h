/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: where the matrix comes from — a matrix file (perfanity.toml, or a
 * pyproject.toml's [tool.perfanity]), a project's own files (inferred), or the built-in
 * example, examples/simple/perfanity.toml. TOML is read by the interpreter's tomllib
 * (scripts/bench_fixture.py), inference by scripts/bench_infer.py. */
#ifndef PF_BENCH_LOAD_H
#define PF_BENCH_LOAD_H
#include "bench_matrix.h"

struct bench_load_env {
	const char *root;        /* perfanity's data directory: examples/, scripts/ */
	const char *python;      /* runs the helper scripts */
	const char *workdir;     /* their scratch files */
	const char *entry_point; /* --entry-point: which one inference picks, or NULL */
};

/* The matrix of arg: a matrix file, or a directory holding perfanity.toml, a pyproject.toml
 * with [tool.perfanity], or neither (inferred). Returns 0, or -1 with one line said. */
int bench_load_matrix(const struct bench_load_env *e, const char *arg, struct bench_matrix *m);
/* The built-in matrix: the example's file, named "built-in", resolving from wheelhouse
 * (set-up's, in the cache). Returns 0, or -1 with one line said. */
int bench_load_builtin(const struct bench_load_env *e, const char *wheelhouse, struct bench_matrix *m);
/* --init: DIR/perfanity.toml inferred from DIR's files, never over an existing one.
 * Returns the exit status. */
int bench_write_inferred(const struct bench_load_env *e, const char *dir);

#endif
