/* SPDX-License-Identifier: GPL-2.0-only */
/* What the BPF side needs to know of a CPython build to name the module a
 * code object runs, read from the interpreter's ELF file rather than typed
 * in: co_filename's offset from PyCode_Type's member table (tp_members), the
 * version from Py_Version (3.11+) or the file's name. */
#ifndef PF_PY_LAYOUT_H
#define PF_PY_LAYOUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pf_py_layout {
	int major, minor;
	unsigned co_filename; /* offset of co_filename in a code object */
	unsigned ascii_hdr;   /* where an ASCII str's characters start (sizeof(PyASCIIObject)) */
	unsigned compact_hdr; /* and a compact non-ASCII one's (sizeof(PyCompactUnicodeObject)) */
	/* for the CPU samples' stack walk (src/py_frames.c); 0: not found */
	unsigned co_name, co_firstlineno; /* from tp_members too */
	uint64_t runtime;     /* _PyRuntime's address in the file (before relocation) */
	uint64_t load_va;     /* the address the file's offset 0 is linked at (0 but for non-PIE) */
	uint64_t interp_head_va; /* or, when it is not exported, its interpreters.head's */
	bool has_debug_offsets; /* 3.13+: _PyRuntime starts with _Py_DebugOffsets */
	uint64_t debug_offsets[46]; /* its first fields, as the file has them */
};

/* The layout of the CPython in the ELF file at path (an interpreter or a
 * libpython). 0, or -errno: -ENOENT when it is not CPython 3.8 to 3.13 or
 * its member table cannot be read. */
int pf_py_layout_read(const char *path, struct pf_py_layout *l);

/* The libpython an interpreter executable links (DT_NEEDED), found through
 * its RUNPATH/RPATH ($ORIGIN expanded) or the usual library directories:
 * a shared build's functions are there. 0 and the path in out, or -ENOENT. */
int pf_py_libpython(const char *exe, char *out, size_t len);

/* The version in an interpreter's or a libpython's file name ("python3.12",
 * "libpython3.9.so.1.0"): 0 and *major, *minor, or -ENOENT. */
int pf_py_version_from_name(const char *path, int *major, int *minor);

#endif
