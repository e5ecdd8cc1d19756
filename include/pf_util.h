/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers used across subcommands, written once. */
#ifndef PF_UTIL_H
#define PF_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* The last component of a path ("" for NULL, and for a path ending in '/'). */
const char *pf_base_name(const char *path);

/* A copy of s ("" for NULL) that is never NULL: out of memory aborts, since the callers
 * (the trace model, matrix loading) have nothing sensible to do without it. */
char *pf_xstrdup(const char *s);

/* CLOCK_MONOTONIC, the clock bpf_ktime_get_ns() reads and durations are measured with:
 * it never steps back when the wall clock is set. */
uint64_t pf_now_ns(void);
double pf_now_s(void); /* the same, in seconds */

/* Columns UTF-8 text takes in a table: one per code point (enough for ± and –). */
size_t pf_text_width(const char *s);
/* s as text for a Markdown cell or list item (markdown: its special characters
 * escaped), newlines and tabs made spaces; cut to fit len. Returns buf. */
char *pf_md_escape(char *buf, size_t len, const char *s, int markdown);

/* Room for element n of the growable array *(T **)arrayp of capacity *cap: the
 * capacity doubled (from first) when full. 0, or -1 out of memory, the array as it
 * was. PF_GROW(a, cap, n, first) is the typed call. */
int pf_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first);
#define PF_GROW(a, cap, n, first) pf_grow(&(a), &(cap), (n), sizeof(*(a)), (first))

/* How a byte count is written: each is what one output has always printed. */
enum pf_bytes_style {
	PF_BYTES_IEC,   /* "999 B", "1.0 KiB", "5.3 MiB" ... TiB (report) */
	PF_BYTES_SHORT, /* "999B", "1.0K", "5.3M" ... T: narrow table cells (bench) */
	PF_BYTES_TENS,  /* "10239 B", "10.0 KiB", "12.5 MiB": a unit from 10 of it, at most MiB
			 * (the trace summary) */
};
char *pf_fmt_bytes_as(char *buf, size_t len, uint64_t n, enum pf_bytes_style style);
/* pf_fmt_bytes_as(..., PF_BYTES_IEC). */
char *pf_fmt_bytes(char *buf, size_t len, uint64_t n);

#endif
