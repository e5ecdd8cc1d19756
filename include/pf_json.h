/* SPDX-License-Identifier: GPL-2.0-only */
/* The one way perfanity writes and reads JSON files (jansson underneath). */
#ifndef PF_JSON_H
#define PF_JSON_H
#include <jansson.h>

/* Write root to path ("-" = stdout) atomically (temp file + rename), with the
 * same formatting everywhere. Returns 0, or -1 after printing a one-line error. */
int pf_json_write(json_t *root, const char *path);
/* Load a JSON file; on error prints "path:line:col: message" and returns NULL. */
json_t *pf_json_read(const char *path);
/* Object field accessors with defaults, for readers of our own files. */
long long pf_json_int(json_t *obj, const char *key, long long dflt);
const char *pf_json_str(json_t *obj, const char *key, const char *dflt);

#endif
