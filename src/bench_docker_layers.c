// SPDX-License-Identifier: GPL-2.0-only
/* An image's layers, read from `docker save`: its manifest.json names the layer tars in
 * order and the image config (whose rootfs.diff_ids are `docker image inspect`'s
 * RootFS.Layers); a layer's bytes are its tar's size, exactly what the engine stores and
 * pushes before compression. One pass over the stream; only the JSON files are kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_docker.h"

struct entry {
	char name[300];
	char link[256]; /* a symlinked layer tar (a layer the image holds twice) */
	long long size;
	char *json; /* manifest.json and the config */
};

struct tarlist {
	struct entry *e;
	size_t n;
};

static long long octal(const char *p, size_t n)
{
	long long v = 0;
	for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (p[i] - '0');
	return v;
}

/* Skip (or keep, for JSON) an entry's data, padded to 512-byte blocks. */
static int read_data(FILE *f, struct entry *e)
{
	long long left = (e->size + 511) / 512 * 512;
	size_t namelen = strlen(e->name);
	int keep = namelen > 5 && !strcmp(e->name + namelen - 5, ".json") && e->size < (1 << 24);
	if (keep && !(e->json = calloc(1, left + 1)))
		return -1;
	char buf[65536];
	for (long long off = 0; off < left;) {
		size_t want = left - off < (long long)sizeof(buf) ? (size_t)(left - off) : sizeof(buf);
		size_t got = fread(keep ? e->json + off : buf, 1, want, f);
		if (!got)
			return -1;
		off += got;
	}
	if (keep)
		e->json[e->size] = 0;
	return 0;
}

static int read_tar(FILE *f, struct tarlist *t)
{
	char h[512];
	while (fread(h, 1, 512, f) == 512 && h[0]) {
		struct entry *e = realloc(t->e, (t->n + 1) * sizeof(*e));
		if (!e)
			return -1;
		t->e = e;
		e = &t->e[t->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%.155s%s%.100s", h + 345, h[345] ? "/" : "", h);
		e->size = octal(h + 124, 12);
		if (h[156] == '2')
			snprintf(e->link, sizeof(e->link), "%.100s", h + 157);
		if (read_data(f, e))
			return -1;
	}
	return 0;
}

static const struct entry *lookup(const struct tarlist *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}

/* A layer tar's size; a symlink ("../ID/layer.tar") is followed once. */
static long long layer_size(const struct tarlist *t, const char *name)
{
	const struct entry *e = lookup(t, name);
	if (e && e->link[0])
		e = lookup(t, strncmp(e->link, "../", 3) ? e->link : e->link + 3);
	return e ? e->size : -1;
}

static json_t *layers_of(const struct tarlist *t, char *err, size_t errlen)
{
	const struct entry *m = lookup(t, "manifest.json");
	json_t *man = m && m->json ? json_loads(m->json, 0, NULL) : NULL;
	json_t *first = json_array_get(man, 0);
	const struct entry *c = lookup(t, json_string_value(json_object_get(first, "Config")) ?: "");
	json_t *conf = c && c->json ? json_loads(c->json, 0, NULL) : NULL;
	json_t *ids = json_object_get(json_object_get(conf, "rootfs"), "diff_ids");
	json_t *tars = json_object_get(first, "Layers"), *out = NULL;
	if (!json_is_array(ids) || !json_is_array(tars) || json_array_size(ids) != json_array_size(tars)) {
		snprintf(err, errlen, "docker save: no manifest.json or image config with its layers");
		goto done;
	}
	out = json_array();
	for (size_t i = 0; i < json_array_size(ids); i++) {
		long long bytes = layer_size(t, json_string_value(json_array_get(tars, i)));
		json_t *l = json_object();
		json_object_set(l, "digest", json_array_get(ids, i));
		json_object_set_new(l, "bytes", json_integer(bytes < 0 ? 0 : bytes));
		json_array_append_new(out, l);
	}
done:
	json_decref(man);
	json_decref(conf);
	return out;
}

json_t *bench_docker_layers(const char *image, char *err, size_t errlen)
{
	struct tarlist t = { 0 };
	char *q = bench_shell_quote(image), *cmd = NULL;
	json_t *out = NULL;
	if (!q || asprintf(&cmd, "docker save %s 2>/dev/null", q) < 0)
		goto done;
	FILE *f = popen(cmd, "r");
	if (!f) {
		snprintf(err, errlen, "cannot run docker save");
		goto done;
	}
	int rc = read_tar(f, &t);
	int st = pclose(f);
	if (rc || st)
		snprintf(err, errlen, "docker save %s failed (exit %d)", image, st > 255 ? st >> 8 : st);
	else
		out = layers_of(&t, err, errlen);
done:
	for (size_t i = 0; i < t.n; i++)
		free(t.e[i].json);
	free(t.e);
	free(q);
	free(cmd);
	return out;
}
