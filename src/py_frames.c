// SPDX-License-Identifier: GPL-2.0-only
/* The stack walk's offsets for a CPython build (see py_frames.h). Code
 * object fields come from PyCode_Type.tp_members and a str's header size
 * from py_layout.c, on every version; 3.13 publishes the rest in
 * _Py_DebugOffsets. 3.8 to 3.12 publish nothing: their offsets are this
 * table, one row per minor version (struct layouts do not change within
 * one), each checked with gdb's `ptype/o` on pyenv's builds (-g) of
 * 3.8.18, 3.9.18, 3.10.13, 3.11.7 and 3.12.1 against CPython's headers:
 *   pycore_runtime.h  struct pyruntimestate: interpreters.head
 *   pycore_interp.h   struct _is: tstate_head (3.8-3.10), threads.head (3.11+)
 *   cpython/pystate.h struct _ts: next, frame (3.8-3.10), cframe (3.11-3.12),
 *                     thread_id; struct _PyCFrame: current_frame
 *   frameobject.h     struct _frame: f_back, f_code (3.8-3.10)
 *   pycore_frame.h    struct _PyInterpreterFrame: f_code, previous, owner */
#include <errno.h>
#include <string.h>
#include "py_frames.h"

struct frame_row {
	int minor;
	uint16_t kind, interp_head, threads_head, tstate_next, thread_id, tstate_frame, cframe_current,
		frame_back, frame_code, frame_owner;
};

static const struct frame_row table[] = {
	/* minor, kind,           interp, threads, next, thread_id, frame, cur,  back, code, owner */
	{ 8, PF_PY_FRAMEOBJ, 0x20, 0x08, 0x08, 0xb0, 0x18, 0, 0x18, 0x20, 0 },
	{ 9, PF_PY_FRAMEOBJ, 0x20, 0x08, 0x08, 0xb0, 0x18, 0, 0x18, 0x20, 0 },
	{ 10, PF_PY_FRAMEOBJ, 0x20, 0x08, 0x08, 0xb0, 0x18, 0, 0x18, 0x20, 0 },
	/* 3.11 frames have no C-stack owner (entry frames are flagged is_entry) */
	{ 11, PF_PY_CFRAME, 0x28, 0x10, 0x08, 0x98, 0x38, 0x08, 0x30, 0x20, 0 },
	{ 12, PF_PY_CFRAME, 0x28, 0x48, 0x08, 0x88, 0x38, 0x00, 0x08, 0x00, 0x46 },
};

/* _Py_DebugOffsets (3.13's Include/internal/pycore_runtime.h), as u64
 * fields: the index of each field the walk uses. */
enum {
	DO_VERSION = 1,
	DO_INTERP_HEAD = 5,   /* runtime_state.interpreters_head */
	DO_THREADS_HEAD = 9,  /* interpreter_state.threads_head */
	DO_TSTATE_NEXT = 21,  /* thread_state.next */
	DO_CURRENT_FRAME = 23, /* thread_state.current_frame */
	DO_THREAD_ID = 24,    /* thread_state.thread_id */
	DO_PREVIOUS = 29,     /* interpreter_frame.previous */
	DO_EXECUTABLE = 30,   /* interpreter_frame.executable */
	DO_OWNER = 33,        /* interpreter_frame.owner */
};

static int from_debug_offsets(const uint64_t *d, struct pf_py_offsets *o)
{
	const int used[] = { DO_INTERP_HEAD, DO_THREADS_HEAD, DO_TSTATE_NEXT, DO_CURRENT_FRAME,
			     DO_THREAD_ID, DO_PREVIOUS, DO_EXECUTABLE, DO_OWNER };

	if ((d[DO_VERSION] >> 16) != 0x030d) /* the fields' places are 3.13's */
		return -ENOENT;
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		if (d[used[i]] > 0xffff)
			return -ENOENT;
	o->frame_kind = PF_PY_CURFRAME;
	o->interp_head = (uint16_t)d[DO_INTERP_HEAD];
	o->threads_head = (uint16_t)d[DO_THREADS_HEAD];
	o->tstate_next = (uint16_t)d[DO_TSTATE_NEXT];
	o->tstate_thread_id = (uint16_t)d[DO_THREAD_ID];
	o->tstate_frame = (uint16_t)d[DO_CURRENT_FRAME];
	o->frame_back = (uint16_t)d[DO_PREVIOUS];
	o->frame_code = (uint16_t)d[DO_EXECUTABLE];
	o->frame_owner = (uint16_t)d[DO_OWNER];
	return 0;
}

static int from_table(int minor, struct pf_py_offsets *o)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct frame_row *r = &table[i];

		if (r->minor != minor)
			continue;
		o->frame_kind = r->kind;
		o->interp_head = r->interp_head;
		o->threads_head = r->threads_head;
		o->tstate_next = r->tstate_next;
		o->tstate_thread_id = r->thread_id;
		o->tstate_frame = r->tstate_frame;
		o->cframe_current = r->cframe_current;
		o->frame_back = r->frame_back;
		o->frame_code = r->frame_code;
		o->frame_owner = r->frame_owner;
		return 0;
	}
	return -ENOENT;
}

int pf_py_frame_offsets(const struct pf_py_layout *l, uint64_t bias, struct pf_py_offsets *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if (l->major != 3 || !(l->runtime || l->interp_head_va) || !l->co_name || !l->co_filename || !l->co_firstlineno)
		return -ENOENT;
	rc = l->has_debug_offsets ? from_debug_offsets(l->debug_offsets, o) : from_table(l->minor, o);
	if (rc)
		return rc;
	o->runtime = bias + (l->runtime ? l->runtime : l->interp_head_va - o->interp_head);
	o->co_name = (uint16_t)l->co_name;
	o->co_filename = (uint16_t)l->co_filename;
	o->co_firstlineno = (uint16_t)l->co_firstlineno;
	o->str_ascii = (uint16_t)l->ascii_hdr;
	return 0;
}
