/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: goal and step commands are templates with {variables}. */
#ifndef PF_BENCH_TEMPLATE_H
#define PF_BENCH_TEMPLATE_H
#include <stddef.h>
#include "bench_matrix.h"

#define BENCH_MAX_VARS 64

struct bench_var {
	char *name;
	char *value;
	int raw; /* substituted verbatim (an argument list), not shell-quoted */
};

struct bench_vars {
	struct bench_var v[BENCH_MAX_VARS];
	size_t n;
};

/* Set (or replace) a variable; value is copied. */
void bench_vars_set(struct bench_vars *vars, const char *name, const char *value, int raw);
const char *bench_vars_get(const struct bench_vars *vars, const char *name);
void bench_vars_free(struct bench_vars *vars);

/* Render a template: {name} becomes the variable's value, shell-quoted when it holds
 * anything but [A-Za-z0-9_@%+=:,./-]; {{ and }} are literal braces. Returns a malloc'd
 * string, or NULL with err set ("unknown variable {x}", "unclosed '{'"). */
char *bench_render(const char *tmpl, const struct bench_vars *vars, char *err, size_t errlen);

/* Quote s for /bin/sh only if needed. Returns a malloc'd string. */
char *bench_shell_quote(const char *s);

/* The pex options a config's parameters stand for, e.g. "--venv prepend --layout loose"
 * (parameters "python" and those a non-pex preset uses are not options). Malloc'd. */
char *bench_pex_args(const struct bench_matrix *m, const struct bench_config *c);

/* Every variable name a template may use (NULL-terminated), for schema errors. */
extern const char *const bench_template_var_names[];

/* Fill vars with placeholder values for every known name plus the matrix's parameter
 * names, so templates can be checked when the matrix is loaded. */
void bench_vars_placeholders(struct bench_vars *vars, const struct bench_matrix *m);

#endif
