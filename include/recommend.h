/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity recommend: from bench results to a decision. What the user values is a list
 * of priorities; configurations are ranked on them, ties are called where the cells'
 * spreads overlap, and several results (machines) are compared. */
#ifndef PF_RECOMMEND_H
#define PF_RECOMMEND_H
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum rec_kind {
	REC_TIME,     /* seconds of one goal over some steps */
	REC_SIZE,     /* bytes a config records (artifact, PEX_ROOT, ...) */
};

#define REC_MAX_PRIORITIES 16

struct rec_priority {
	char name[48];       /* as the user wrote it (for messages) */
	enum rec_kind kind;
	char step[32];       /* REC_TIME: "" = every step of the result */
	char goal[32];       /* REC_TIME */
	const char *key;     /* REC_SIZE: the config's field, e.g. "artifact_bytes" */
	const char *what;    /* REC_SIZE: "artifact size" */
	const char *missing; /* REC_SIZE: why a result may lack it, e.g. "no Docker results" */
	double weight;
};

/* Parse "GOAL[:WEIGHT],..." (package, run, test, STEP.GOAL, artifact_size, pex_root_size,
 * image_size, push_bytes, network_bytes; short forms artifact, pex_root, image, push,
 * network). Returns the number parsed, or -1 with a one-line reason in err. */
int rec_parse_prefer(const char *spec, struct rec_priority *out, size_t max, char *err, size_t errlen);

/* One configuration's score on one priority: a central value and the range its samples
 * spread over (min..max of every cell summed; a size has no spread). */
struct rec_value {
	int ok;
	double value, lo, hi;
};

/* A configuration's value on p in a result; ok = 0 when a cell is missing or failed. */
struct rec_value rec_config_value(json_t *doc, json_t *config, const struct rec_priority *p);

/* Whether a result has anything to score p with (a step/goal it ran, a size it records). */
int rec_result_has(json_t *doc, const struct rec_priority *p);

/* A ranked configuration: the weighted score relative to the best of each priority
 * (1.00 = best everywhere), its range, and the per-priority values. */
struct rec_entry {
	json_t *config;
	const char *label;
	double score, lo, hi;
	struct rec_value v[REC_MAX_PRIORITIES];
};

/* Rank the configurations of doc that have every priority measured, best first.
 * Returns how many (entries malloc'd into *out; may be 0). */
size_t rec_rank(json_t *doc, const struct rec_priority *p, size_t np, struct rec_entry **out);

/* Two entries are a tie when their ranges overlap: the difference is within the noise. */
int rec_tie(const struct rec_entry *a, const struct rec_entry *b);

/* Over several results (machines): the label whose worst ratio to each machine's best
 * score is smallest, that ratio in *worst, and the machine where it is reached in *where.
 * Only labels ranked on every machine count. NULL when there is none. */
const char *rec_minimax(struct rec_entry *const *ranks, const size_t *n, size_t machines,
			double *worst, size_t *where);

/* A configuration's cell of (step, goal), or NULL. */
json_t *rec_find_cell(json_t *config, const char *step, const char *goal);

/* pex's defaults (execution_mode zipapp, layout zipapp): the config whose parameters are
 * those or absent, or NULL. */
json_t *rec_defaults_config(json_t *doc);

/* A configuration's parameters (name -> string), from "params" or else its label.
 * New reference. */
json_t *rec_config_params(json_t *config);

/* The macros for a configuration's parameters: the pex options (e.g. "--venv prepend
 * --layout packed"), the pex_binary(...) fields, a Pants macro file. Malloc'd strings. */
char *rec_pex_options(json_t *params);
char *rec_build_fields(json_t *params, const char *indent);
char *rec_pants_macro(json_t *params, const char *why);

#endif
