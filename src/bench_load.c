// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench: loading the matrix (include/bench_load.h). */
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
#include "bench_template.h"

/* Whether a pyproject.toml has a [tool.perfanity] table (a text check: the file is read
 * properly by tomllib afterwards). */
static int has_tool_table(const char *pyproject)
{
	FILE *f = fopen(pyproject, "r");
	char line[512];
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line + strspn(line, " \t"), "[tool.perfanity", 15);
	if (f)
		fclose(f);
	return found;
}

/* Run a Python helper of ours; its one-line error (exit 2) is ours, or what_failed.
 * Returns 0 or -1. */
static int run_helper(const char *cmd, const char *workdir, int timeout, const char *what_failed)
{
	char err_path[PATH_MAX];
	struct bench_exec_result r;
	snprintf(err_path, sizeof(err_path), "%s/helper.stderr", workdir);
	if (bench_exec(cmd, NULL, NULL, NULL, err_path, timeout, &r))
		return -1;
	if (r.exit_code) {
		char *tail = bench_file_tail(err_path, 1024);
		tail[strcspn(tail, "\n")] = 0;
		pf_err("%s", tail[0] ? tail : what_failed);
		free(tail);
	}
	unlink(err_path);
	return r.exit_code ? -1 : 0;
}

/* The matrix in a JSON file the helpers wrote. */
static int from_json_file(const char *json_path, const char *source, const char *base_dir, struct bench_matrix *m)
{
	json_t *j = pf_json_read(json_path);
	char err[1024];
	int rc = j ? 0 : -1;
	if (j && bench_matrix_from_json(m, j, source, base_dir, err, sizeof(err))) {
		pf_err("%s", err);
		rc = -1;
	}
	json_decref(j);
	return rc;
}

/* No matrix file: infer one from the project's own files (scripts/bench_infer.py); with
 * toml_out, write it there as a perfanity.toml instead of loading it. */
static int infer_matrix(const struct bench_load_env *e, const char *dir, const char *toml_out, struct bench_matrix *m)
{
	char json_path[PATH_MAX], script[PATH_MAX], source[PATH_MAX + 32];
	snprintf(json_path, sizeof(json_path), "%s/inferred.json", e->workdir);
	snprintf(script, sizeof(script), "%s/scripts/bench_infer.py", e->root);
	char *qpy = bench_shell_quote(e->python), *qs = bench_shell_quote(script), *qd = bench_shell_quote(dir);
	char *qj = bench_shell_quote(json_path), *qt = toml_out ? bench_shell_quote(toml_out) : NULL, *cmd = NULL;
	char *qe = e->entry_point ? bench_shell_quote(e->entry_point) : NULL;
	int rc = -1;
	if (asprintf(&cmd, "%s %s %s %s%s%s%s%s", qpy, qs, qd, qj, qt ? " --toml " : "", qt ? qt : "",
		     qe ? " --entry-point " : "", qe ? qe : "") >= 0 &&
	    !run_helper(cmd, e->workdir, 120, "a helper script failed")) {
		snprintf(source, sizeof(source), "%s (inferred)", dir);
		rc = toml_out ? 0 : from_json_file(json_path, source, dir, m);
	}
	unlink(json_path);
	free(qpy);
	free(qs);
	free(qd);
	free(qj);
	free(qt);
	free(qe);
	free(cmd);
	return rc;
}

int bench_write_inferred(const struct bench_load_env *e, const char *dir)
{
	char out[PATH_MAX];
	if (!dir || !bench_is_dir(dir)) {
		pf_err("--init: expected the project directory to write a perfanity.toml into");
		return PF_EXIT_USAGE;
	}
	snprintf(out, sizeof(out), "%s/perfanity.toml", dir);
	if (bench_is_file(out)) {
		pf_err("--init: %s exists; not overwritten", out);
		return PF_EXIT_USAGE;
	}
	if (infer_matrix(e, dir, out, NULL))
		return PF_EXIT_USAGE;
	fprintf(stderr,
		"perfanity: bench: wrote %s (inferred from the project's files; edit it, then: "
		"perfanity bench %s)\n",
		out, dir);
	return PF_EXIT_OK;
}

/* A matrix file, read with the interpreter's tomllib into JSON; source names it in
 * messages; relative paths in it are from its directory. */
static int load_toml(const struct bench_load_env *e, const char *file, const char *source, struct bench_matrix *m)
{
	char json_path[PATH_MAX], script[PATH_MAX];
	const char *table = strcmp(pf_base_name(file), "pyproject.toml") ? "" : "tool.perfanity";
	snprintf(json_path, sizeof(json_path), "%s/matrix.json", e->workdir);
	snprintf(script, sizeof(script), "%s/scripts/bench_fixture.py", e->root);
	/* The file name is quoted, so any name reaches the script as one word. */
	char *qfile = bench_shell_quote(file), *qpy = bench_shell_quote(e->python);
	char *qscript = bench_shell_quote(script), *qjson = bench_shell_quote(json_path), *cmd = NULL;
	int rc = -1;
	if (asprintf(&cmd, "%s %s toml2json %s %s%s%s", qpy, qscript, qfile, qjson, table[0] ? " --table " : "",
		     table) >= 0 &&
	    !run_helper(cmd, e->workdir, 60, "cannot read the matrix file")) {
		char *dir = realpath(file, NULL);
		if (!dir)
			dir = strdup(file);
		rc = from_json_file(json_path, source, dirname(dir), m);
		free(dir);
	}
	unlink(json_path);
	free(qfile);
	free(qpy);
	free(qscript);
	free(qjson);
	free(cmd);
	return rc;
}

int bench_load_matrix(const struct bench_load_env *e, const char *arg, struct bench_matrix *m)
{
	char file[PATH_MAX];
	if (bench_is_dir(arg)) {
		snprintf(file, sizeof(file), "%s/perfanity.toml", arg);
		if (!bench_is_file(file)) {
			snprintf(file, sizeof(file), "%s/pyproject.toml", arg);
			if (!has_tool_table(file))
				return infer_matrix(e, arg, NULL, m);
		}
	} else if (bench_is_file(arg)) {
		snprintf(file, sizeof(file), "%s", arg);
	} else {
		pf_err("%s: no such matrix file or directory", arg);
		return -1;
	}
	return load_toml(e, file, file, m);
}

int bench_load_builtin(const struct bench_load_env *e, const char *wheelhouse, struct bench_matrix *m)
{
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s/examples/simple/perfanity.toml", e->root);
	if (!bench_is_file(file)) {
		pf_err("built-in: %s not found (reinstall, or set PERFANITY_ROOT to a checkout)", file);
		return -1;
	}
	if (load_toml(e, file, "built-in", m))
		return -1;
	/* the example names a checkout's wheelhouse; set-up fetches it into the cache */
	if (bench_matrix_set_wheelhouse(m, wheelhouse)) {
		pf_err("out of memory");
		return -1;
	}
	return 0;
}
