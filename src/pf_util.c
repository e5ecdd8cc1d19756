// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers used across subcommands (include/pf_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pf_util.h"

const char *pf_base_name(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : (path ? path : "");
}

char *pf_xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		abort();
	return d;
}

uint64_t pf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

double pf_now_s(void)
{
	return pf_now_ns() / 1e9;
}

size_t pf_text_width(const char *s)
{
	size_t w = 0;
	for (; s && *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80; /* continuation bytes take no column */
	return w;
}

char *pf_fmt_bytes_as(char *buf, size_t len, uint64_t n, enum pf_bytes_style style)
{
	static const char *const iec[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	static const char *const letter[] = { "B", "K", "M", "G", "T" };
	/* a unit is used from `from` of it on, up to unit number `max` */
	double from = style == PF_BYTES_TENS ? 10 : 1;
	int max = style == PF_BYTES_TENS ? 2 : 4;
	const char *const *units = style == PF_BYTES_SHORT ? letter : iec;
	const char *sep = style == PF_BYTES_SHORT ? "" : " ";
	double v = (double)n;
	int u = 0;

	while (u < max && v >= from * 1024) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%llu%s%s", (unsigned long long)n, sep, units[0]);
	else
		snprintf(buf, len, "%.1f%s%s", v, sep, units[u]);
	return buf;
}

char *pf_fmt_bytes(char *buf, size_t len, uint64_t n)
{
	return pf_fmt_bytes_as(buf, len, n, PF_BYTES_IEC);
}

/* s as text for a Markdown cell or list item (markdown: with its special characters
 * escaped), newlines and tabs made spaces; cut to fit len. */
char *pf_md_escape(char *buf, size_t len, const char *s, int markdown)
{
	size_t o = 0;
	if (!len)
		return buf;
	for (; s && *s && o + 2 < len; s++) {
		/* newlines never belong in a cell or a list item */
		char c = (*s == '\n' || *s == '\t' || *s == '\r') ? ' ' : *s;
		if (markdown && strchr("\\|*_`<>[]", c))
			buf[o++] = '\\';
		buf[o++] = c;
	}
	buf[o] = 0;
	return buf;
}

int pf_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t want = *cap ? *cap * 2 : first;
	void *a, *grown;

	if (n < *cap)
		return 0;
	/* the pointer copied in and out as bytes: arrayp points at a T *, not a void * */
	memcpy(&a, arrayp, sizeof(a));
	grown = realloc(a, want * elem);
	if (!grown)
		return -1;
	memcpy(arrayp, &grown, sizeof(grown));
	*cap = want;
	return 0;
}
