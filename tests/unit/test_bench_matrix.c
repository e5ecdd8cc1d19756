// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench matrix: the built-in default, matrix-file parsing, and its errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <jansson.h>
#include "bench_matrix.h"

/* Load JSON text as a matrix file would arrive (after tomllib); returns the rc and err. */
static int load(struct bench_matrix *m, const char *text, char *err, size_t len)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	if (!j)
		fail_msg("bad test JSON: %s", je.text);
	err[0] = 0;
	int rc = bench_matrix_from_json(m, j, "perfanity.toml", "/proj", err, len);
	json_decref(j);
	if (rc)
		bench_matrix_free(m);
	return rc;
}

/* The built-in matrix is examples/simple/perfanity.toml (as tomllib reads it), its
 * find_links replaced by the cache's wheelhouse. */
static json_t *example_matrix_json(void)
{
	char out[] = "/tmp/pf_test_example_XXXXXX";
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 scripts/bench_fixture.py toml2json "
		 "examples/simple/perfanity.toml %s", out);
	assert_int_equal(system(cmd), 0); /* run from the checkout, as `make unit` does */
	json_error_t je;
	json_t *j = json_load_file(out, 0, &je);
	unlink(out);
	assert_non_null(j);
	return j;
}

static void builtin_is_the_seed_matrix(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	json_t *j = example_matrix_json();
	assert_int_equal(bench_matrix_from_json(&m, j, "built-in", "/repo/examples/simple", err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(bench_matrix_set_wheelhouse(&m, "/cache/wheelhouse"), 0);
	assert_string_equal(m.source, "built-in");
	assert_string_equal(m.project, "/repo/examples/simple");
	assert_int_equal(m.n_find_links, 1);
	assert_string_equal(m.find_links[0], "/cache/wheelhouse");
	assert_true(m.no_index);
	assert_int_equal(m.deps, 20);
	assert_int_equal(m.dep_size_kb, 16);
	assert_string_equal(m.edit, "src/simple/revision.py");
	assert_string_equal(m.target, "simple:bin");
	assert_string_equal(m.entry_point, "simple.bin:main");
	assert_int_equal(m.preset, BENCH_PRESET_PEX);
	assert_int_equal(m.repetitions, 3);
	assert_int_equal(m.warmup, 0);
	assert_int_equal(m.n_steps, 3);
	assert_string_equal(m.steps[0].name, "clean");
	assert_string_equal(m.steps[1].name, "noop");
	assert_string_equal(m.steps[2].name, "incremental");
	assert_int_equal(m.steps[2].kind, BENCH_STEP_INCREMENTAL);
	assert_int_equal(m.n_goals, 3);
	assert_string_equal(m.goals[0].name, "package");
	assert_string_equal(m.goals[1].name, "run");
	assert_string_equal(m.goals[2].name, "test");
	assert_int_equal(m.goals[2].n_commands, 2); /* build the test PEX, run pytest from it */
	struct bench_config *c;
	size_t n = bench_matrix_configs(&m, &c);
	static const char *const want[] = {
		"execution_mode=venv,layout=loose", "execution_mode=venv,layout=packed",
		"execution_mode=venv,layout=zipapp", "execution_mode=zipapp,layout=loose",
		"execution_mode=zipapp,layout=packed", "execution_mode=zipapp,layout=zipapp",
	};
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c[i].label, want[i]);
	bench_configs_free(c, n);
	bench_matrix_free(&m);
}

static void file_with_everything(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	int rc = load(&m, "{\"project\": \"app\", \"entry_point\": \"app.main:run\", \"edit\": \"src/app/x.py\","
		     "\"repetitions\": 5, \"warmup\": 1, \"timeout\": 30.5, \"deps\": 7, \"dep_size\": 2,"
		     "\"parameters\": {\"layout\": [\"zipapp\", \"packed\", \"loose\"], \"compress\": [true, false]},"
		     "\"exclude\": [{\"layout\": \"loose\", \"compress\": false}, {\"layout\": \"packed\"}],"
		     "\"goals\": [\"run\", \"package\"],"
		     "\"steps\": {\"clean\": {\"prepare\": \"echo {project}\"}, \"again\": {\"kind\": \"noop\"}}}",
		     err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	assert_string_equal(m.project, "/proj/app");
	assert_string_equal(m.target, "app:bin");
	assert_int_equal(m.repetitions, 5);
	assert_int_equal(m.warmup, 1);
	assert_true(m.timeout == 30.5);
	assert_int_equal(m.deps, 7);
	assert_int_equal(m.dep_size_kb, 2);
	assert_int_equal(m.n_goals, 2);
	assert_string_equal(m.goals[0].name, "run");
	assert_int_equal(m.n_steps, 2);
	assert_string_equal(m.steps[0].prepare[0], "echo {project}");
	assert_string_equal(m.steps[1].name, "again");
	assert_int_equal(m.steps[1].kind, BENCH_STEP_NOOP);
	struct bench_config *c;
	size_t n = bench_matrix_configs(&m, &c);
	assert_int_equal(n, 3); /* 6 minus loose+false minus both packed */
	assert_string_equal(c[0].label, "layout=zipapp,compress=true");
	assert_string_equal(c[1].label, "layout=zipapp,compress=false");
	assert_string_equal(c[2].label, "layout=loose,compress=true");
	assert_int_equal(c[2].types[1], BENCH_BOOL);
	bench_configs_free(c, n);
	bench_matrix_free(&m);
}

static void custom_goal_templates(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	int rc = load(&m, "{\"preset\": \"none\", \"target\": \"t\", \"steps\": [\"noop\"],"
		     "\"parameters\": {\"n\": [1, 2]},"
		     "\"goals\": {\"sleep\": \"sleep 0.0{n}\", \"two\": [\"true\", \"echo {params}\"]}}",
		     err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	assert_int_equal(m.n_goals, 2);
	assert_string_equal(m.goals[0].commands[0], "sleep 0.0{n}");
	assert_int_equal(m.goals[1].n_commands, 2);
	bench_matrix_free(&m);
}

/* Each bad input gives one message naming the key and what it expects. */
static void expect_error(const char *text, const char *want)
{
	struct bench_matrix m;
	char err[512];
	assert_int_equal(load(&m, text, err, sizeof(err)), -1);
	if (strcmp(err, want))
		fail_msg("got  '%s'\nwant '%s'", err, want);
}

static void schema_errors(void **state)
{
	(void)state;
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"repetitons\": 3}",
		     "perfanity.toml: repetitons: unknown key (expected one of project, target, entry_point, sources, packages, tests, requirements, test_requirements, dependencies, test_dependencies, find_links, index_url, no_index, network, run_args, wheelhouse, edit, synthetic_names, preset, pants, repetitions, warmup, timeout, deps, dep_size, parameters, exclude, goals, steps)");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"repetitions\": \"3\"}",
		     "perfanity.toml: repetitions: expected an integer >= 1, got a string");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"repetitions\": 0}",
		     "perfanity.toml: repetitions: expected an integer >= 1, got a smaller one");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"timeout\": -1}",
		     "perfanity.toml: timeout: expected a number of seconds > 0, got a smaller one");
	expect_error("{\"edit\": \"a.py\"}",
		     "perfanity.toml: entry_point: expected a string like 'pkg.module:function' (the pex preset needs it)");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"find_links\": 3}",
		     "perfanity.toml: find_links: expected a string or an array of strings, got an integer");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"dependencies\": [\"six\", 1]}",
		     "perfanity.toml: dependencies: expected strings, got an integer at index 1");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"no_index\": \"yes\"}",
		     "perfanity.toml: no_index: expected true or false, got a string");
	/* nothing to edit: the incremental step alone would leave nothing */
	expect_error("{\"entry_point\": \"a:b\", \"steps\": [\"incremental\"]}",
		     "perfanity.toml: nothing left to run (no step)");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"parameters\": {\"layout\": [\"zip\"]}}",
		     "perfanity.toml: parameters.layout: expected one of zipapp, packed, loose, got 'zip'");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"parameters\": {\"compress\": [\"yes\"]}}",
		     "perfanity.toml: parameters.compress: expected boolean values, got 'yes'");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"parameters\": {\"layout\": []}}",
		     "perfanity.toml: parameters.layout: expected at least one value, got an empty array");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"parameters\": [\"layout\"]}",
		     "perfanity.toml: parameters: expected a table of name = [values], got an array");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"exclude\": [{\"layuot\": \"loose\"}]}",
		     "perfanity.toml: exclude[0].layuot: expected the name of a parameter");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"goals\": {\"package\": \"pex {bogus}\"}}",
		     "perfanity.toml: goals.package: unknown variable {bogus}");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"goals\": [\"deploy\"]}",
		     "perfanity.toml: goals: expected names of the preset's goals (package, run, test), got 'deploy'");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"steps\": [\"warm\"]}",
		     "perfanity.toml: steps: expected step names among clean, noop, incremental, got 'warm'");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"steps\": {\"warm\": {}}}",
		     "perfanity.toml: steps.warm.kind: expected one of clean, noop, incremental (the step's name is not one, so give its kind)");
	expect_error("{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"preset\": \"bazel\"}",
		     "perfanity.toml: preset: expected one of pex, pants, docker, none, got 'bazel'");
	expect_error("{\"preset\": \"none\", \"steps\": [\"noop\"]}",
		     "perfanity.toml: goals: expected a table of goal = command template(s) (preset \"none\" has no goals)");
	expect_error("[1, 2]", "perfanity.toml: (top level): expected a table, got an array");
}

static void excludes_can_leave_nothing(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	assert_int_equal(load(&m, "{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"parameters\": {\"layout\": [\"loose\"]},"
			     "\"exclude\": [{\"layout\": \"loose\"}]}", err, sizeof(err)), 0);
	struct bench_config *c;
	assert_int_equal(bench_matrix_configs(&m, &c), 0);
	bench_configs_free(c, 0);
	bench_matrix_free(&m);
}

/* The result document's "matrix" records what ran, every field with its type: booleans
 * and integers of parameters stay booleans and integers. (It is a record, not a matrix
 * file: goals and steps are lists with their commands, so it does not load back.) */
static void to_json_records_the_matrix(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	if (load(&m, "{\"preset\": \"none\", \"target\": \"t\", \"project\": \"app\", \"edit\": \"a.py\","
		 "\"repetitions\": 2, \"warmup\": 1, \"timeout\": 9.5, \"deps\": 4, \"dep_size\": 8,"
		 "\"parameters\": {\"mode\": [\"a\", \"b\"], \"fast\": [true, false], \"jobs\": [1, 2]},"
		 "\"exclude\": [{\"mode\": \"b\", \"fast\": false}],"
		 "\"goals\": {\"build\": [\"make {mode}\", \"true\"]},"
		 "\"steps\": {\"clean\": {\"prepare\": \"echo {project}\"}, \"noop\": {}}}",
		 err, sizeof(err)))
		fail_msg("%s", err);
	json_error_t je;
	json_t *want = json_loads(
		"{\"source\": \"perfanity.toml\", \"preset\": \"none\", \"project\": \"/proj/app\", \"target\": \"t\","
		" \"entry_point\": \"\", \"repetitions\": 2, \"warmup\": 1, \"timeout\": 9.5, \"deps\": 4,"
		" \"dep_size_kb\": 8, \"edit\": \"a.py\","
		" \"parameters\": {\"mode\": [\"a\", \"b\"], \"fast\": [true, false], \"jobs\": [1, 2]},"
		" \"exclude\": [{\"mode\": \"b\", \"fast\": \"false\"}],"
		" \"goals\": [{\"name\": \"build\", \"commands\": [\"make {mode}\", \"true\"]}],"
		" \"steps\": [{\"name\": \"clean\", \"kind\": \"clean\", \"prepare\": [\"echo {project}\"]},"
		"             {\"name\": \"noop\", \"kind\": \"noop\", \"prepare\": []}]}", 0, &je);
	assert_non_null(want);
	json_t *got = bench_matrix_to_json(&m);
	if (!json_equal(got, want)) {
		char *text = json_dumps(got, JSON_SORT_KEYS);
		fail_msg("got %s", text);
	}
	json_decref(got);
	json_decref(want);
	bench_matrix_free(&m);
}

/* What the project cannot run is skipped with a line, not an error. */
static void skips_what_cannot_run(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	/* /proj has no tests/: the pex preset's test goal goes; no edit: incremental goes */
	assert_int_equal(load(&m, "{\"entry_point\": \"a:b\"}", err, sizeof(err)), 0);
	assert_int_equal(m.n_steps, 2);
	assert_string_equal(m.steps[1].name, "noop");
	assert_int_equal(m.n_goals, 2);
	assert_int_equal(m.n_skipped, 2);
	assert_string_equal(m.skipped[0], "step incremental: no first-party file to edit (set edit = \"path/in/project.py\")");
	assert_string_equal(m.skipped[1], "goal test: the project has no tests/ directory (set tests = \"dir\" to run pytest on one)");
	/* nothing borrowed from the example: no wheelhouse, no requirement file it lacks, pytest for tests */
	assert_int_equal(m.n_find_links, 0);
	assert_int_equal(m.n_requirement_files, 0);
	assert_false(m.no_index);
	assert_int_equal(m.n_test_dependencies, 1);
	assert_string_equal(m.test_dependencies[0], "pytest");
	bench_matrix_free(&m);
	/* a wheelhouse: resolved from it alone, unless no_index says otherwise */
	assert_int_equal(load(&m, "{\"entry_point\": \"a:b\", \"wheelhouse\": \"/w\"}", err, sizeof(err)), 0);
	assert_int_equal(m.n_find_links, 1);
	assert_string_equal(m.find_links[0], "/w");
	assert_true(m.no_index);
	bench_matrix_free(&m);
	assert_int_equal(load(&m, "{\"entry_point\": \"a:b\", \"wheelhouse\": \"/w\", \"no_index\": false}", err, sizeof(err)), 0);
	assert_false(m.no_index);
	bench_matrix_free(&m);
}

/* --config, --step, --goal */
static void selects_exactly_what_is_asked(void **state)
{
	(void)state;
	struct bench_matrix m;
	char err[512];
	struct bench_config *c;
	const char *cfg[] = { "layout=packed,execution_mode=*", "execution_mode=venv,layout=z*" };
	const char *steps[] = { "noop" }, *goals[] = { "run", "package" };
	assert_int_equal(load(&m, "{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"tests\": \"t\"}", err, sizeof(err)), 0);
	assert_int_equal(bench_matrix_select(&m, cfg, 2, steps, 1, goals, 2, err, sizeof(err)), 0);
	size_t n = bench_matrix_configs(&m, &c);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].label, "execution_mode=venv,layout=packed");
	assert_string_equal(c[1].label, "execution_mode=venv,layout=zipapp");
	assert_string_equal(c[2].label, "execution_mode=zipapp,layout=packed");
	bench_configs_free(c, n);
	assert_int_equal(m.n_steps, 1);
	assert_string_equal(m.steps[0].name, "noop");
	/* the matrix's order, not the command line's */
	assert_int_equal(m.n_goals, 2);
	assert_string_equal(m.goals[0].name, "package");
	assert_string_equal(m.goals[1].name, "run");
	assert_int_equal(m.steps[0].n_prepare, 0);
	bench_matrix_free(&m);
	/* run alone: the build it runs is the step's untimed preparation */
	assert_int_equal(load(&m, "{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"tests\": \"t\"}", err, sizeof(err)), 0);
	assert_int_equal(bench_matrix_select(&m, NULL, 0, steps, 1, goals, 1, err, sizeof(err)), 0);
	assert_int_equal(m.n_goals, 1);
	assert_string_equal(m.goals[0].name, "run");
	assert_int_equal(m.steps[0].n_prepare, 1);
	assert_non_null(strstr(m.steps[0].prepare[0], " -o {artifact}"));
	bench_matrix_free(&m);
	static const struct { const char *cfg, *step, *goal, *err; } bad[] = {
		{ "layuot=packed", NULL, NULL, "--config layuot=packed: 'layuot=packed' is not NAME=VALUE with NAME a parameter of the matrix" },
		{ "layout", NULL, NULL, "--config layout: 'layout' is not NAME=VALUE with NAME a parameter of the matrix" },
		{ NULL, "warm", NULL, "--step warm: the matrix has no such step (it has clean, noop, incremental)" },
		{ NULL, NULL, "deploy", "--goal deploy: the matrix has no such goal (it has package, run, test)" },
		{ "layout=zip", NULL, NULL, "perfanity.toml: nothing left to run (no configuration matches --config, or the excludes drop them all)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(&m, "{\"entry_point\": \"a:b\", \"edit\": \"a.py\", \"tests\": \"t\"}", err, sizeof(err)), 0);
		assert_int_equal(bench_matrix_select(&m, &bad[i].cfg, bad[i].cfg != NULL, &bad[i].step, bad[i].step != NULL,
						     &bad[i].goal, bad[i].goal != NULL, err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
		bench_matrix_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_is_the_seed_matrix),
		cmocka_unit_test(skips_what_cannot_run),
		cmocka_unit_test(selects_exactly_what_is_asked),
		cmocka_unit_test(file_with_everything),
		cmocka_unit_test(custom_goal_templates),
		cmocka_unit_test(schema_errors),
		cmocka_unit_test(excludes_can_leave_nothing),
		cmocka_unit_test(to_json_records_the_matrix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
