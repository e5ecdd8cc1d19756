/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a CPython 3.8-3.13 build keeps a thread's frames: the offsets the
 * CPU samples' stack walk (bpf/pystack.bpf.h) follows, from what the build
 * publishes (py_layout.h) and, where it publishes nothing, a table. */
#ifndef PF_PY_FRAMES_H
#define PF_PY_FRAMES_H
#include <stdint.h>
#include "py_layout.h"
#include "sample.h"

/* The offsets for the build l describes, loaded at bias (where the file's
 * address 0 is mapped in the process). 0, or -ENOENT (a version or a build
 * whose layout is not known: no Python stacks for it). */
int pf_py_frame_offsets(const struct pf_py_layout *l, uint64_t bias, struct pf_py_offsets *o);

#endif
