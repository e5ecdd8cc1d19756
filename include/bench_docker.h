/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: the docker preset's strategies (how a PEX goes into an image) and what
 * an image is made of (its layers, their bytes, what a push would send). */
#ifndef PF_BENCH_DOCKER_H
#define PF_BENCH_DOCKER_H
#include <jansson.h>
#include "bench_template.h"

/* The strategies, for schema errors: "pex, packed, venv-layers, two-pex, pants, ...". */
extern const char *const bench_docker_strategies;
int bench_docker_strategy_ok(const char *strategy);
/* Whether the strategy's image is built by Pants' docker backend (`pants package`). */
int bench_docker_uses_pants(const char *strategy);

/* The Dockerfile of a strategy, FROM base. Malloc'd, or NULL for an unknown strategy. */
char *bench_docker_file(const char *strategy, const char *base);

/* A Pants strategy's Dockerfile: its docker_image's instructions. Malloc'd, or NULL. */
char *bench_docker_pants_dockerfile(const char *strategy, const char *base);

/* What a Pants strategy's targets are made of. */
struct bench_docker_pants {
	const char *base;        /* the FROM image */
	const char *image;       /* name:tag the docker_image is tagged and labelled with */
	const char *entry_point; /* the pex_binary's */
	const char *synthetic;   /* a requirements file of the synthetic wheels (relative to
				  * the build root), or NULL */
};

/* A Pants strategy's targets, as BUILD text: the blog's pex_binary (or deps and srcs
 * pair) and the docker_image named perfanity-image, tagged p->image and labelled
 * perfanity-bench=p->image. Malloc'd, or NULL. */
char *bench_docker_pants_build(const char *strategy, const struct bench_docker_pants *p);

/* The pants.toml a project without one gets for the Pants strategies. */
extern const char *const bench_docker_pants_toml;

/* The host commands that put the strategy's PEX(es) into {context}, as one command line
 * rendered with vars (which must hold the pex preset's variables and "context"). Malloc'd,
 * or NULL with err set. */
char *bench_docker_pex_build(const char *strategy, const struct bench_vars *vars, char *err, size_t errlen);

/* The image's layers in order, [{"digest": diff id, "bytes": n}], from `docker image
 * inspect` (RootFS.Layers) and the layer tars' sizes in `docker save`. NULL with err set
 * when docker fails. */
json_t *bench_docker_layers(const char *image, char *err, size_t errlen);

/* Bytes of layers whose digests are not among prev's (all of them when prev is NULL). */
long long bench_docker_push_bytes(const json_t *layers, const json_t *prev);
long long bench_docker_image_bytes(const json_t *layers);

#endif
