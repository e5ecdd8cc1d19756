// SPDX-License-Identifier: GPL-2.0-only
/* The docker preset: each strategy's Dockerfile and host-side PEX build, and an image's
 * layers read back from the engine (for the image size and the push cost). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_docker.h"
#include "pf_util.h"

const char *const bench_docker_strategies = "pex, packed, venv-layers, two-pex, pants, pants-venv-layers";

/* Each strategy: the pex build on the host (a template over the pex preset's variables)
 * and the Dockerfile after its FROM line. The build context ({context}) holds only what
 * these commands write there, so nothing else invalidates the cache. */
#define PEXB "{pex} --python {python} --pex-root {build_cache} {resolve_args} {requirement_args}"
/* The packed strategy's Dockerfile: its FROM line (written before the build), one COPY
 * per wheel zip in name order (no braces: {} are the template's). */
#define PACKED_DOCKERFILE                                                                                  \
	"(head -n1 {context}/Dockerfile && for w in $(cd {context}/deps/.deps && ls | LC_ALL=C sort); do " \
	"echo \"COPY deps/.deps/$w /app/app.pex/.deps/$w\"; done && echo 'COPY app.pex /app/app.pex' && "  \
	"echo 'ENTRYPOINT [\"python3\", \"/app/app.pex\"]') > {context}/Dockerfile.new && "                \
	"mv {context}/Dockerfile.new {context}/Dockerfile"
/* Pants' docker backend builds the image from the project (a Pants build root) with the
 * targets bench_docker_pants.c writes there; the image is tagged {image} by them. */
#define PANTS_IMAGE                                                                                              \
	"mkdir -p {build_cache}/sandboxes && env PERFANITY_CACHE_KEY={docker_cache_key} {pants} {pants_config} " \
	"--local-store-dir={build_cache}/lmdb --named-caches-dir={build_cache}/named "                           \
	"--local-execution-root-dir={build_cache}/sandboxes {pants_find_links} package :perfanity-image"
struct strategy {
	const char *name, *build, *dockerfile;
	int pants; /* the image is built by Pants' docker backend (bench_docker_pants.c) */
};
static const struct strategy strategies[] = {
	{ "pex", PEXB " {source_args} -e {entry_point} {pex_args} -o {context}/app.pex",
	  "COPY app.pex /app/app.pex\nENTRYPOINT [\"python3\", \"/app/app.pex\"]\n", 0 },
	/* Packed: each dependency's zip (.deps/NAME.whl) is moved out of the PEX and copied
	 * in by a COPY of its own, so a source edit, or a new version of one dependency,
	 * leaves the other zips' layers cached; the rest of the directory is the last layer.
	 * The wheels are known once pex ran, so the build writes the Dockerfile. */
	{ "packed",
	  PEXB " {source_args} -e {entry_point} {pex_args} --layout packed -o {context}/app.pex"
	       " && rm -rf {context}/deps && mkdir {context}/deps && mv {context}/app.pex/.deps {context}/deps/"
	       " && " PACKED_DOCKERFILE,
	  "# then one COPY per wheel zip, in name order (the build writes them):\n"
	  "# COPY deps/.deps/NAME.whl /app/app.pex/.deps/NAME.whl\n"
	  "COPY app.pex /app/app.pex\nENTRYPOINT [\"python3\", \"/app/app.pex\"]\n",
	  0 },
	/* The Pants blog's: one stage per scope, each copied into the final image as a layer. */
	{ "venv-layers", PEXB " {source_args} -e {entry_point} {pex_args} --include-tools -o {context}/app.pex", NULL,
	  0 },
	/* Dependencies and sources in two PEXes, joined at run time by PEX_PATH. */
	{ "two-pex",
	  PEXB " {pex_args} -o {context}/deps.pex && {pex} --python {python} --pex-root {build_cache}"
	       " {source_args} -e {entry_point} {pex_args} -o {context}/srcs.pex",
	  "COPY deps.pex /app/deps.pex\nCOPY srcs.pex /app/srcs.pex\nENV PEX_PATH=/app/deps.pex\n"
	  "ENTRYPOINT [\"python3\", \"/app/srcs.pex\"]\n",
	  0 },
	/* The blog's two images built by Pants: one PEX, and the venv's two scopes in layers. */
	{ "pants", PANTS_IMAGE, NULL, 1 },
	{ "pants-venv-layers", PANTS_IMAGE, NULL, 1 },
	{ 0 }
};

static const struct strategy *find(const char *name)
{
	for (const struct strategy *s = strategies; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

int bench_docker_strategy_ok(const char *strategy)
{
	return find(strategy) != NULL;
}

/* The blog's multi-stage build: the venv's two scopes made in stages, copied in order.
 * SOURCE_DATE_EPOCH makes --compile write hash-checked .pyc files: with the default
 * timestamp ones, each rebuild of the dependencies' venv differs (the sources' extraction
 * times are in the .pyc headers), so its layer would never be reused. */
static char *venv_layers_file(const char *base)
{
	char *out = NULL;
	const char *stage = "FROM %s AS %s\nCOPY app.pex /app.pex\n"
			    "RUN SOURCE_DATE_EPOCH=0 PEX_TOOLS=1 python3 /app.pex venv --scope=%s --compile /app\n\n";
	size_t len;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, stage, base, "deps", "deps");
	fprintf(f, stage, base, "srcs", "srcs");
	fprintf(f,
		"FROM %s\nCOPY --from=deps /app /app\nCOPY --from=srcs /app /app\n"
		"ENTRYPOINT [\"/app/pex\"]\n",
		base);
	fclose(f);
	return out;
}

int bench_docker_uses_pants(const char *strategy)
{
	const struct strategy *s = find(strategy);
	return s && s->pants;
}

char *bench_docker_file(const char *strategy, const char *base)
{
	const struct strategy *s = find(strategy);
	char *out = NULL;
	if (!s)
		return NULL;
	if (s->pants)
		return bench_docker_pants_dockerfile(strategy, base);
	if (!s->dockerfile)
		return venv_layers_file(base);
	if (asprintf(&out, "FROM %s\n%s", base, s->dockerfile) < 0)
		return NULL;
	return out;
}

char *bench_docker_pex_build(const char *strategy, const struct bench_vars *vars, char *err, size_t errlen)
{
	const struct strategy *s = find(strategy);
	if (!s) {
		snprintf(err, errlen, "unknown strategy '%s' (expected one of %s)", strategy, bench_docker_strategies);
		return NULL;
	}
	return bench_render(s->build, vars, err, errlen);
}

long long bench_docker_image_bytes(const json_t *layers)
{
	long long sum = 0;
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l)
		sum += json_integer_value(json_object_get(l, "bytes"));
	return sum;
}

static int has_digest(const json_t *layers, const char *digest)
{
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l)
		if (!strcmp(json_string_value(json_object_get(l, "digest")), digest))
			return 1;
	return 0;
}

long long bench_docker_push_bytes(const json_t *layers, const json_t *prev)
{
	long long sum = 0;
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l)
		if (!prev || !has_digest(prev, json_string_value(json_object_get(l, "digest"))))
			sum += json_integer_value(json_object_get(l, "bytes"));
	return sum;
}
