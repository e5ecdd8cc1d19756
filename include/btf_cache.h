/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal kernel BTF for the trace object's CO-RE relocations, kept in the
 * cache. libbpf relocates against the kernel's whole BTF by scanning its
 * ~130,000 types once per struct the programs read: 50-100 ms of every trace's
 * start. The types the object needs (a few KB, `bpftool gen min_core_btf`)
 * give the same offsets in about a millisecond. The file is named by the
 * kernel's identity and the object's bytes, so a new kernel or a rebuilt
 * object makes a new one; it is written once, atomically. */
#ifndef PF_BTF_CACHE_H
#define PF_BTF_CACHE_H
#include <stddef.h>
#include <stdint.h>

/* The name (no directory) of the cached BTF for an object on this kernel:
 * "core-<hash>.btf", the hash over the object's bytes, the kernel's release
 * and version strings and the size of its BTF. 0, or -1 if the kernel's
 * identity cannot be read. */
int pf_btf_cache_name(const void *obj, size_t obj_size, char *out, size_t len);

/* The path of the minimal BTF for obj in the cache directory dir, made
 * first if missing (bpftool on PATH; without it, or if it fails, no file).
 * 0 and the path in out, or -1: then relocate against the kernel's own. */
int pf_btf_cache_get(const char *dir, const void *obj, size_t obj_size, char *out, size_t len);

#endif
