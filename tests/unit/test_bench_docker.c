// SPDX-License-Identifier: GPL-2.0-only
/* The docker preset's pure parts: each strategy's Dockerfile, its host build, and the push
 * cost of an image against the one built before it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "bench_docker.h"

static void dockerfiles(void **state)
{
	(void)state;
	char *f = bench_docker_file("pex", "base:1");
	assert_string_equal(f, "FROM base:1\nCOPY app.pex /app/app.pex\nENTRYPOINT [\"python3\", \"/app/app.pex\"]\n");
	free(f);
	/* the blog's build: two stages, each scope copied into the final image as a layer */
	f = bench_docker_file("venv-layers", "base:1");
	assert_non_null(strstr(f, "FROM base:1 AS deps\n"));
	assert_non_null(strstr(f, "venv --scope=deps --compile /app"));
	assert_non_null(strstr(f, "venv --scope=srcs --compile /app"));
	assert_non_null(strstr(f, "COPY --from=deps /app /app\nCOPY --from=srcs /app /app\n"));
	free(f);
	f = bench_docker_file("two-pex", "b");
	assert_non_null(strstr(f, "ENV PEX_PATH=/app/deps.pex\n"));
	free(f);
	assert_null(bench_docker_file("zip", "b"));
	assert_true(bench_docker_strategy_ok("packed"));
	assert_false(bench_docker_strategy_ok("Packed"));
}

static void host_build(void **state)
{
	(void)state;
	static const char *const names[] = { "pex", "python", "build_cache", "resolve_args", "requirement_args",
					     "source_args", "entry_point", "pex_args", "context" };
	struct bench_vars v = { 0 };
	char err[128];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		bench_vars_set(&v, names[i], names[i], 1);
	char *c = bench_docker_pex_build("two-pex", &v, err, sizeof(err));
	assert_non_null(strstr(c, "-o context/deps.pex && pex "));
	assert_non_null(strstr(c, "-e entry_point pex_args -o context/srcs.pex"));
	free(c);
	assert_null(bench_docker_pex_build("nope", &v, err, sizeof(err)));
	assert_string_equal(err, "unknown strategy 'nope' (expected one of pex, packed, venv-layers, two-pex, pants, "
				 "pants-venv-layers)");
	bench_vars_free(&v);
}

/* The Pants strategies: the blog's targets, the image named and labelled for the bench,
 * every stage keyed by the cache key, and the synthetic wheels only when there are some. */
static void pants_targets(void **state)
{
	(void)state;
	struct bench_docker_pants p = { .base = "base:1", .image = "perfanity-bench:abc", .entry_point = "a.b:c" };
	assert_true(bench_docker_uses_pants("pants-venv-layers"));
	assert_false(bench_docker_uses_pants("venv-layers"));
	char *b = bench_docker_pants_build("pants-venv-layers", &p);
	assert_non_null(strstr(b, "name=\"perfanity-deps\",\n    entry_point=\"a.b:c\",\n    layout=\"packed\",\n"
				  "    include_tools=True,\n    include_sources=False,\n)"));
	assert_non_null(strstr(b, "    include_requirements=False,\n)"));
	assert_non_null(strstr(b, "repository=\"perfanity-bench\",\n    image_tags=[\"abc\"],\n"
				  "    image_labels={\"perfanity-bench\": \"perfanity-bench:abc\"},\n"));
	assert_non_null(strstr(b, "        'RUN PEX_TOOLS=1 python3 /deps.pex venv --scope=deps --compile /app',\n"));
	assert_non_null(strstr(b, "        'ENTRYPOINT [\"/app/pex\"]',\n    ],\n)\n"));
	assert_null(strstr(b, "synthetic"));
	free(b);
	char *f = bench_docker_file("pants-venv-layers", "base:1"), *k = f;
	int stages = 0;
	while ((k = strstr(k, "FROM base:1")) && strstr(k, "ARG PERFANITY_CACHE_KEY\nLABEL perfanity-cache-key=") ==
						     strchr(k, '\n') + 1) {
		stages++;
		k++;
	}
	assert_int_equal(stages, 3);
	free(f);
	p.synthetic = "syn.txt";
	b = bench_docker_pants_build("pants", &p);
	assert_non_null(strstr(b, "python_requirements(name=\"perfanity-synthetic\", source=\"syn.txt\")\n"));
	assert_non_null(strstr(b, "name=\"perfanity-app\",\n    entry_point=\"a.b:c\",\n"
				  "    dependencies=[\":perfanity-synthetic\"],\n)"));
	assert_non_null(strstr(b, "'COPY perfanity-app.pex /app/app.pex',"));
	free(b);
	p.image = "no-tag";
	assert_null(bench_docker_pants_build("pants", &p));
}

static void push_bytes(void **state)
{
	(void)state;
	json_t *prev = json_loads("[{\"digest\":\"sha256:a\",\"bytes\":100},{\"digest\":\"sha256:b\",\"bytes\":20}]", 0,
				  NULL);
	json_t *now = json_loads("[{\"digest\":\"sha256:a\",\"bytes\":100},{\"digest\":\"sha256:c\",\"bytes\":7}]", 0,
				 NULL);
	assert_int_equal(bench_docker_image_bytes(now), 107);
	assert_int_equal(bench_docker_push_bytes(now, prev), 7);
	assert_int_equal(bench_docker_push_bytes(now, NULL), 107); /* the first image: all of it */
	assert_int_equal(bench_docker_push_bytes(prev, prev), 0);
	json_decref(prev);
	json_decref(now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dockerfiles),
		cmocka_unit_test(host_build),
		cmocka_unit_test(pants_targets),
		cmocka_unit_test(push_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
