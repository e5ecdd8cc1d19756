// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench command templates: substitution, quoting, pex options, presets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "bench_matrix.h"
#include "bench_template.h"
#include "bench_trace.h"

static char *render(const char *tmpl, struct bench_vars *v, char *err)
{
	return bench_render(tmpl, v, err, 256);
}

static void substitutes_and_quotes(void **state)
{
	(void)state;
	struct bench_vars v = { .n = 0 };
	char err[256];
	bench_vars_set(&v, "target", "simple:bin", 0);
	bench_vars_set(&v, "params", "execution_mode=venv,layout=loose", 0);
	bench_vars_set(&v, "dir", "/tmp/with space/it's", 0);
	bench_vars_set(&v, "pex_args", "--venv prepend --layout loose", 1);
	char *r = render("pants package {target}@{params}", &v, err);
	assert_string_equal(r, "pants package simple:bin@execution_mode=venv,layout=loose");
	free(r);
	r = render("ls {dir}", &v, err);
	assert_string_equal(r, "ls '/tmp/with space/it'\\''s'");
	free(r);
	r = render("pex {pex_args} -o x", &v, err); /* raw: an argument list */
	assert_string_equal(r, "pex --venv prepend --layout loose -o x");
	free(r);
	r = render("echo {{literal}} {target}", &v, err);
	assert_string_equal(r, "echo {literal} simple:bin");
	free(r);
	bench_vars_set(&v, "target", "other:bin", 0); /* replacing keeps one entry */
	r = render("{target}", &v, err);
	assert_string_equal(r, "other:bin");
	free(r);
	bench_vars_free(&v);
}

static void errors_name_the_problem(void **state)
{
	(void)state;
	struct bench_vars v = { .n = 0 };
	char err[256];
	bench_vars_set(&v, "a", "1", 0);
	assert_null(render("x {nope} y", &v, err));
	assert_string_equal(err, "unknown variable {nope}");
	assert_null(render("x {a", &v, err));
	assert_string_equal(err, "unclosed '{' (write '{{' for a literal brace)");
	assert_null(render("x } y", &v, err));
	assert_string_equal(err, "unmatched '}' (write '}}' for a literal brace)");
	assert_null(render("x {} y", &v, err));
	bench_vars_free(&v);
}

static void shell_quote_only_when_needed(void **state)
{
	(void)state;
	char *q = bench_shell_quote("/usr/bin/python3");
	assert_string_equal(q, "/usr/bin/python3");
	free(q);
	q = bench_shell_quote("");
	assert_string_equal(q, "''");
	free(q);
	q = bench_shell_quote("a;b");
	assert_string_equal(q, "'a;b'");
	free(q);
}

/* A matrix from TOML-shaped JSON text, asserting it loads. */
static void load(struct bench_matrix *m, const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	assert_non_null(j);
	char err[512] = "";
	int rc = bench_matrix_from_json(m, j, "t.toml", "/proj", err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	json_decref(j);
}

static void pex_args_from_parameters(void **state)
{
	(void)state;
	struct bench_matrix m;
	load(&m, "{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"parameters\": {"
		 "\"execution_mode\": [\"venv\", \"zipapp\"], \"layout\": [\"packed\"],"
		 "\"compress\": [false], \"include_tools\": [true], \"venv_site_packages_copies\": [true],"
		 "\"pre_install_wheels\": [false], \"max_install_jobs\": [4], \"sh_boot\": [true],"
		 "\"python\": [\"/usr/bin/python3\"], \"resolver_version\": [\"pip-2020-resolver\"]}}");
	struct bench_config *c;
	size_t n = bench_matrix_configs(&m, &c);
	assert_int_equal(n, 2);
	char *a = bench_pex_args(&m, &c[0]);
	assert_string_equal(a, "--venv prepend --layout packed --no-compress --include-tools "
			       "--venv-site-packages-copies --no-pre-install-wheels --max-install-jobs 4 "
			       "--sh-boot --resolver-version pip-2020-resolver");
	free(a);
	a = bench_pex_args(&m, &c[1]);
	assert_string_equal(a, "--layout packed --no-compress --include-tools "
			       "--venv-site-packages-copies --no-pre-install-wheels --max-install-jobs 4 "
			       "--sh-boot --resolver-version pip-2020-resolver");
	free(a);
	bench_configs_free(c, n);
	bench_matrix_free(&m);
}

/* Render every goal of a matrix for its first config, with realistic variables. */
static char *render_goal(struct bench_matrix *m, const char *goal, size_t cmd)
{
	struct bench_config *c;
	size_t n = bench_matrix_configs(m, &c);
	assert_true(n > 0);
	struct bench_vars v = { .n = 0 };
	bench_vars_placeholders(&v, m);
	bench_vars_set(&v, "target", m->target, 0);
	bench_vars_set(&v, "params", c[0].label, 0);
	bench_vars_set(&v, "pants", m->pants, 0);
	bench_vars_set(&v, "entry_point", m->entry_point, 0);
	bench_vars_set(&v, "build_cache", "/w/c01/build-cache", 0);
	bench_vars_set(&v, "pex", "/r/.venv/bin/pex", 0);
	bench_vars_set(&v, "python", "/usr/bin/python3", 0);
	bench_vars_set(&v, "artifact", "/w/c01/out/bin.pex", 0);
	bench_vars_set(&v, "pants_config", "--pants-config-files=x.toml", 1);
	bench_vars_set(&v, "pants_args", "--no-pantsd", 1);
	bench_vars_set(&v, "run_args", "", 1);
	char *args = bench_pex_args(m, &c[0]);
	bench_vars_set(&v, "pex_args", args, 1);
	free(args);
	char *out = NULL, err[256];
	for (size_t g = 0; g < m->n_goals; g++)
		if (!strcmp(m->goals[g].name, goal))
			out = bench_render(m->goals[g].commands[cmd], &v, err, sizeof(err));
	bench_vars_free(&v);
	bench_configs_free(c, n);
	return out;
}

static void pants_preset_renders_pants_commands(void **state)
{
	(void)state;
	struct bench_matrix m;
	load(&m, "{\"preset\": \"pants\", \"target\": \"simple:bin\", \"edit\": \"src/a.py\"}");
	assert_int_equal(m.preset, BENCH_PRESET_PANTS);
	char *r = render_goal(&m, "package", 0);
	assert_string_equal(r, "pants --pants-config-files=x.toml --local-store-dir=/w/c01/build-cache/lmdb --named-caches-dir=/w/c01/build-cache/named "
			       "--local-execution-root-dir=/w/c01/build-cache/sandboxes --no-pantsd package simple:bin@execution_mode=venv,layout=loose");
	free(r);
	r = render_goal(&m, "run", 0);
	assert_string_equal(r, "pants --pants-config-files=x.toml --local-store-dir=/w/c01/build-cache/lmdb --named-caches-dir=/w/c01/build-cache/named "
			       "--local-execution-root-dir=/w/c01/build-cache/sandboxes --no-pantsd run simple:bin@execution_mode=venv,layout=loose");
	free(r);
	r = render_goal(&m, "test", 0);
	assert_string_equal(r, "pants --pants-config-files=x.toml --local-store-dir=/w/c01/build-cache/lmdb --named-caches-dir=/w/c01/build-cache/named "
			       "--local-execution-root-dir=/w/c01/build-cache/sandboxes --no-pantsd test ::");
	free(r);
	/* The clean step forgets Pants' outputs in the project too, and has a sandbox directory. */
	assert_int_equal(m.steps[0].n_prepare, 2);
	assert_string_equal(m.steps[0].prepare[0], "rm -rf dist .pants.d");
	assert_string_equal(m.steps[0].prepare[1], "mkdir -p {build_cache}/sandboxes");
	bench_matrix_free(&m);
}

/* pantsd is a Pants option, not a target field: out of the address, into the row's name. */
static void pants_preset_pantsd_axis(void **state)
{
	(void)state;
	struct bench_matrix m;
	struct bench_config *c;
	load(&m, "{\"preset\": \"pants\", \"target\": \"simple:bin\", \"edit\": \"a.py\", \"parameters\": "
		 "{\"layout\": [\"loose\"], \"pantsd\": [true, false]}}");
	size_t n = bench_matrix_configs(&m, &c);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].label, "layout=loose");
	assert_string_equal(c[0].options, "pantsd=true");
	assert_string_equal(c[1].options, "pantsd=false");
	bench_configs_free(c, n);
	bench_matrix_free(&m);
	json_error_t je;
	json_t *j = json_loads("{\"preset\": \"pants\", \"parameters\": {\"pantsd\": [\"yes\"]}}", 0, &je);
	char err[256];
	assert_int_equal(bench_matrix_from_json(&m, j, "m.toml", "/", err, sizeof(err)), -1);
	assert_string_equal(err, "m.toml: parameters.pantsd: expected boolean values (pantsd on or off), got 'yes'");
	bench_matrix_free(&m);
	json_decref(j);
}

static void pex_preset_renders_pex_commands(void **state)
{
	(void)state;
	struct bench_matrix m;
	load(&m, "{\"entry_point\": \"simple.bin:main\", \"edit\": \"a.py\"}");
	char *r = render_goal(&m, "run", 0);
	assert_string_equal(r, "/usr/bin/python3 /w/c01/out/bin.pex");
	free(r);
	r = render_goal(&m, "package", 0);
	/* {resolve_args}, {requirement_args} and {source_args} come from the matrix (bench_run.c) */
	assert_string_equal(r, "/r/.venv/bin/pex --python /usr/bin/python3 --pex-root /w/c01/build-cache x x x "
			       "-e simple.bin:main --venv prepend --layout loose -o /w/c01/out/bin.pex");
	free(r);
	bench_matrix_free(&m);
}

/* bench --trace: a command that starts containers is traced with --containers. */
static void trace_wrap_follows_containers(void **state)
{
	char *a = bench_trace_wrap("pf", "t.json", "docker run --rm img", 0);
	char *b = bench_trace_wrap("pf", "t.json", "python3 app.pex", 0);
	char *c = bench_trace_wrap("pf", "t.json", "cd x && docker start -a c", 1);

	(void)state;
	assert_string_equal(a, "pf trace -q -o t.json --containers -- docker run --rm img");
	assert_string_equal(b, "pf trace -q -o t.json -- python3 app.pex");
	assert_string_equal(c, "pf trace -q -o t.json --containers -- /bin/sh -c 'cd x && docker start -a c'");
	assert_true(bench_runs_containers("/usr/bin/docker exec c ls"));
	assert_false(bench_runs_containers("mydocker run x"));
	assert_false(bench_runs_containers("docker build -t x ."));
	free(a), free(b), free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(substitutes_and_quotes),
		cmocka_unit_test(trace_wrap_follows_containers),
		cmocka_unit_test(errors_name_the_problem),
		cmocka_unit_test(shell_quote_only_when_needed),
		cmocka_unit_test(pex_args_from_parameters),
		cmocka_unit_test(pants_preset_renders_pants_commands),
		cmocka_unit_test(pants_preset_pantsd_axis),
		cmocka_unit_test(pex_preset_renders_pex_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
