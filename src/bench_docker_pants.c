// SPDX-License-Identifier: GPL-2.0-only
/* The docker preset's Pants strategies: the targets of the Pants blog "Optimizing Python
 * Docker deploys using Pants", written into the project copy (a Pants build root) for
 * Pants' docker backend to build. `pants` is the blog's first image (one PEX copied in);
 * `pants-venv-layers` its multi-stage build, a dependencies-only and a sources-only
 * packed PEX each made a venv scope in a stage of its own, the two copied in as layers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_docker.h"

/* Each stage opens with the bench's cache key (a build argument Pants passes from its
 * environment): a new key after the clean step's cache removal makes every later
 * instruction miss the engine's layer cache, as `docker build --no-cache` does for the
 * other strategies (Pants 2.17 cannot pass --no-cache); the key is otherwise constant. */
#define STAGE_KEY "ARG PERFANITY_CACHE_KEY\nLABEL perfanity-cache-key=$PERFANITY_CACHE_KEY\n"

static char *one_pex_dockerfile(const char *base)
{
	char *out = NULL;
	if (asprintf(&out,
		     "FROM %s\n" STAGE_KEY "COPY perfanity-app.pex /app/app.pex\n"
		     "ENTRYPOINT [\"python3\", \"/app/app.pex\"]\n",
		     base) < 0)
		return NULL;
	return out;
}

/* The blog's: the deps PEX does not change with a source edit, so its stage and the
 * final COPY of it are cache hits and the dependencies' layer keeps its digest. */
static char *venv_layers_dockerfile(const char *base)
{
	char *out = NULL;
	const char *stage = "FROM %s AS %s\n" STAGE_KEY "COPY perfanity-%s.pex /%s.pex\n"
			    "RUN PEX_TOOLS=1 python3 /%s.pex venv --scope=%s --compile /app\n\n";
	size_t len;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, stage, base, "deps", "deps", "deps", "deps", "deps");
	fprintf(f, stage, base, "srcs", "srcs", "srcs", "srcs", "srcs");
	fprintf(f,
		"FROM %s\n" STAGE_KEY "COPY --from=deps /app /app\nCOPY --from=srcs /app /app\n"
		"ENTRYPOINT [\"/app/pex\"]\n",
		base);
	fclose(f);
	return out;
}

char *bench_docker_pants_dockerfile(const char *strategy, const char *base)
{
	if (!strcmp(strategy, "pants"))
		return one_pex_dockerfile(base);
	if (!strcmp(strategy, "pants-venv-layers"))
		return venv_layers_dockerfile(base);
	return NULL;
}

/* The Dockerfile as the docker_image's `instructions`, one string a line. */
static void put_instructions(FILE *f, const char *dockerfile)
{
	fputs("    instructions=[\n", f);
	for (const char *p = dockerfile; *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			fprintf(f, "        '%.*s',\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	fputs("    ],\n", f);
}

static void put_pex_binary(FILE *f, const char *name, const char *fields, const struct bench_docker_pants *p)
{
	fprintf(f, "pex_binary(\n    name=\"%s\",\n    entry_point=\"%s\",\n%s", name, p->entry_point, fields);
	if (p->synthetic)
		fputs("    dependencies=[\":perfanity-synthetic\"],\n", f);
	fputs(")\n", f);
}

char *bench_docker_pants_build(const char *strategy, const struct bench_docker_pants *p)
{
	char *dockerfile = bench_docker_pants_dockerfile(strategy, p->base), *out = NULL;
	const char *image = p->image, *colon = image ? strrchr(image, ':') : NULL;
	size_t len;
	FILE *f = dockerfile && colon ? open_memstream(&out, &len) : NULL;
	if (!f) {
		free(dockerfile);
		return NULL;
	}
	fputs("# Written by perfanity bench (the docker preset's Pants strategies).\n", f);
	if (p->synthetic)
		fprintf(f, "python_requirements(name=\"perfanity-synthetic\", source=\"%s\")\n", p->synthetic);
	if (!strcmp(strategy, "pants")) {
		put_pex_binary(f, "perfanity-app", "", p);
	} else {
		put_pex_binary(f, "perfanity-deps",
			       "    layout=\"packed\",\n    include_tools=True,\n"
			       "    include_sources=False,\n",
			       p);
		put_pex_binary(f, "perfanity-srcs",
			       "    layout=\"packed\",\n    include_tools=True,\n"
			       "    include_requirements=False,\n",
			       p);
	}
	fprintf(f, "docker_image(\n    name=\"perfanity-image\",\n    repository=\"%.*s\",\n    image_tags=[\"%s\"],\n",
		(int)(colon - image), image, colon + 1);
	fprintf(f, "    image_labels={\"perfanity-bench\": \"%s\"},\n", image);
	fputs("    extra_build_args=[\"PERFANITY_CACHE_KEY\"],\n", f);
	put_instructions(f, dockerfile);
	fputs(")\n", f);
	fclose(f);
	free(dockerfile);
	return out;
}

/* Pants 2.17 on Debian's python3 3.11 (the base image's), with its docker backend: the
 * Dockerfile parser from the bench wheelhouse (no lockfile: that would need PyPI), docker
 * run with the legacy builder as the other strategies, and DOCKER_HOST passed on (Pants
 * gives docker a restricted environment). The machine's offline settings, when set-up
 * wrote them, come on top (--pants-config-files). */
const char *const bench_docker_pants_toml = "# Written by perfanity bench for the docker preset's Pants strategies.\n"
					    "[GLOBAL]\n"
					    "pants_version = \"2.17.1\"\n"
					    "backend_packages = [\"pants.backend.python\", \"pants.backend.docker\"]\n"
					    "ignore_warnings = [\"$regex$DEPRECATED\"]\n\n"
					    "[source]\n"
					    "root_patterns = [\"src\", \"tests\"]\n\n"
					    "[python]\n"
					    "interpreter_constraints = [\"CPython==3.11.*\"]\n"
					    "pip_version = \"20.3.4-patched\"\n\n"
					    "[python-bootstrap]\n"
					    "search_path = [\"/usr/bin\"]\n\n"
					    "[python-infer]\n"
					    "use_rust_parser = true\n"
					    "unowned_dependency_behavior = \"ignore\"\n\n"
					    "[dockerfile-parser]\n"
					    "version = \"dockerfile==3.2.0\"\n"
					    "lockfile = \"<none>\"\n\n"
					    "[docker]\n"
					    "env_vars = [\"DOCKER_HOST\", \"DOCKER_BUILDKIT=0\"]\n";
