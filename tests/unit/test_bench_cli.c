// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench's command line: what each option sets, and the one-line refusals
 * (exit status 2) of what is wrong, before anything runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "perfanity.h"
#include "bench_cli.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])) - 1)

static void defaults(void **state)
{
	(void)state;
	struct bench_args a;
	char *argv[] = { "bench", NULL };
	assert_int_equal(bench_parse_args(ARGC(argv), argv, &a), 0);
	assert_int_equal(a.repetitions, -1); /* the matrix's */
	assert_int_equal(a.warmup, -1);
	assert_true(a.timeout < 0);
	assert_string_equal(a.python, BENCH_DEFAULT_PYTHON);
	assert_int_equal(a.stdout_format, BENCH_TEXT);
	assert_int_equal(a.n_operands, 0);
	assert_int_equal(a.sweep.n, 0);
}

static void every_option(void **state)
{
	(void)state;
	struct bench_args a;
	char *argv[] = { "bench",
			 "-r",
			 "5",
			 "--warmup=1",
			 "--timeout",
			 "2.5",
			 "--deps",
			 "0",
			 "--dep-size",
			 "4",
			 "--stats",
			 "--json",
			 "o.json",
			 "--csv",
			 "o.csv",
			 "--markdown",
			 "-",
			 "--workdir",
			 "w",
			 "--keep",
			 "--pex",
			 "/p",
			 "--python",
			 "/py",
			 "--dry-run",
			 "-q",
			 "--explain",
			 "--entry-point",
			 "app:main",
			 "--config",
			 "layout=packed",
			 "--config",
			 "layout=loose",
			 "--step",
			 "noop",
			 "--goal",
			 "run",
			 "--sweep",
			 "dep_size=1,2,3",
			 "proj",
			 NULL };
	assert_int_equal(bench_parse_args(ARGC(argv), argv, &a), 0);
	assert_int_equal(a.repetitions, 5);
	assert_int_equal(a.warmup, 1);
	assert_true(a.timeout == 2.5);
	assert_int_equal(a.deps, 0);
	assert_int_equal(a.dep_size, 4);
	assert_true(a.stats && a.keep && a.dry_run && a.quiet);
	assert_true(a.explain && a.trace); /* --explain is --trace, and more */
	assert_string_equal(a.json_out, "o.json");
	assert_string_equal(a.csv_out, "o.csv");
	assert_int_equal(a.stdout_format, BENCH_MARKDOWN); /* --markdown -: instead of the table */
	assert_string_equal(a.workdir, "w");
	assert_string_equal(a.pex, "/p");
	assert_string_equal(a.python, "/py");
	assert_string_equal(a.entry_point, "app:main");
	assert_int_equal(a.config.n, 2);
	assert_string_equal(a.config.v[1], "layout=loose");
	assert_string_equal(a.step.v[0], "noop");
	assert_string_equal(a.goal.v[0], "run");
	assert_string_equal(a.sweep.variable, "dep_size");
	assert_int_equal(a.sweep.n, 3);
	assert_int_equal(a.sweep.values[2], 3);
	assert_int_equal(a.n_operands, 1);
	assert_string_equal(a.operands[0], "proj");
}

static void operands(void **state)
{
	(void)state;
	struct bench_args a;
	char *cmp[] = { "bench", "--compare", "a.json", "b.json", NULL };
	char *cmp1[] = { "bench", "--compare", "a.json", NULL };
	char *two[] = { "bench", "m1", "m2", NULL };
	char *after[] = { "bench", "proj", "--dry-run", NULL }; /* options after the MATRIX too */
	char *csv[] = { "bench", "--csv", "-", NULL };
	assert_int_equal(bench_parse_args(ARGC(cmp), cmp, &a), 0);
	assert_true(a.compare);
	assert_string_equal(a.operands[1], "b.json");
	assert_int_equal(bench_parse_args(ARGC(cmp1), cmp1, &a), PF_EXIT_USAGE);
	assert_int_equal(bench_parse_args(ARGC(two), two, &a), PF_EXIT_USAGE);
	assert_int_equal(bench_parse_args(ARGC(after), after, &a), 0);
	assert_true(a.dry_run);
	assert_string_equal(a.operands[0], "proj");
	assert_int_equal(bench_parse_args(ARGC(csv), csv, &a), 0);
	assert_int_equal(a.stdout_format, BENCH_CSV);
}

static void bad_values(void **state)
{
	(void)state;
	struct bench_args a;
	char *bad[][4] = {
		{ "bench", "-r", "0", NULL },
		{ "bench", "--warmup", "-1", NULL },
		{ "bench", "--timeout", "0", NULL },
		{ "bench", "--timeout", "1s", NULL },
		{ "bench", "--deps", "x", NULL },
		{ "bench", "--dep-size", "0", NULL },
		{ "bench", "--sweep", "layers=1,2", NULL },
		{ "bench", "--sweep", "deps=1", NULL },
		{ "bench", "--sweep", "dep_size=0,1", NULL },
		{ "bench", "--bogus", NULL, NULL },
		{ "bench", "-x", NULL, NULL },
		{ "bench", "--json", NULL, NULL },
		{ "bench", "-r", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = bad[i][2] ? 3 : 2;
		if (bench_parse_args(argc, bad[i], &a) != PF_EXIT_USAGE)
			fail_msg("accepted: %s %s", bad[i][1], bad[i][2] ? bad[i][2] : "");
	}
}

static void too_many_selections(void **state)
{
	(void)state;
	struct bench_args a;
	char *argv[2 * BENCH_MAX_SELECT + 4] = { "bench" };
	int argc = 1;
	for (int i = 0; i <= BENCH_MAX_SELECT; i++) {
		argv[argc++] = "--step";
		argv[argc++] = "noop";
	}
	argv[argc] = NULL;
	assert_int_equal(bench_parse_args(argc, argv, &a), PF_EXIT_USAGE);
	assert_int_equal(bench_parse_args(argc - 2, argv, &a), 0);
	assert_int_equal(a.step.n, BENCH_MAX_SELECT);
}

/* --help is made from the option table: every option, one per line, in gen-man.py's
 * shape (term, two spaces, description), then the examples. */
static void help_lists_every_option(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bench_usage(f);
	fclose(f);
	static const char *const lines[] = {
		"\n  -r, --repetitions N     measured repetitions per cell",
		"\n      --entry-point NAME  which console script",
		"\n                          matrix runs, when the project declares several\n",
		"\n      --compare A B       two --json results",
		"\n  -h, --help              this help\n",
		"\nExamples:\n  perfanity bench ",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(buf, lines[i]))
			fail_msg("no '%s' in:\n%s", lines[i], buf);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_option),
		cmocka_unit_test(operands),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(too_many_selections),
		cmocka_unit_test(help_lists_every_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
