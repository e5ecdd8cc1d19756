/* SPDX-License-Identifier: GPL-2.0-only */
/* A small open-addressing hash map from 64-bit keys to 64-bit values: the
 * user-space tables of the tracer (path hash -> path, pid -> process). */
#ifndef PF_U64MAP_H
#define PF_U64MAP_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct u64map {
	uint64_t *keys;
	uint64_t *vals;
	unsigned char *used;
	size_t cap;   /* power of two */
	size_t len;
};

void u64map_init(struct u64map *m);
void u64map_free(struct u64map *m);
/* Insert or replace. Returns 0, or -1 when out of memory. */
int u64map_put(struct u64map *m, uint64_t key, uint64_t val);
/* True and *val set if key is present. */
bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);

#endif
