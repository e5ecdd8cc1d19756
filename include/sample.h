/* SPDX-License-Identifier: GPL-2.0-only */
/* CPU samples with stacks: shared between bpf/sample.bpf.c (kernel) and
 * src/trace_sample.c (user space). A sample is counted in the kernel under
 * (process, kernel stack, native user stack, Python stack); the stacks are
 * ids into maps user space reads once, at the end. */
#ifndef PF_SAMPLE_H
#define PF_SAMPLE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PF_STACK_DEPTH 127 /* frames kept of a kernel or native stack (the kernel's default) */
#define PF_PY_DEPTH 32     /* Python frames kept, innermost first */
#define PF_PY_THREADS 32   /* thread states looked at to find the sampled thread's */
#define PF_PY_NAME 48      /* bytes kept of a function's name */
#define PF_PY_FILE 96      /* and of its file's */

/* Where a CPython build keeps what the stack walk reads: byte offsets into
 * its structs (src/py_frames.c says where each comes from, per version).
 * frame_kind: how a thread state leads to its innermost frame. */
enum pf_py_frame_kind {
	PF_PY_FRAMEOBJ = 1, /* 3.8-3.10: tstate->frame, a PyFrameObject chain (f_back, f_code) */
	PF_PY_CFRAME,       /* 3.11-3.12: tstate->cframe->current_frame, _PyInterpreterFrame chain */
	PF_PY_CURFRAME,     /* 3.13: tstate->current_frame, _PyInterpreterFrame chain */
};

struct pf_py_offsets {
	__u64 runtime;          /* address of _PyRuntime in the process */
	__u16 frame_kind;       /* enum pf_py_frame_kind */
	__u16 interp_head;      /* _PyRuntime.interpreters.head */
	__u16 threads_head;     /* PyInterpreterState: its first thread state */
	__u16 tstate_next;      /* PyThreadState.next */
	__u16 tstate_thread_id; /* PyThreadState.thread_id: the thread's pthread_t */
	__u16 tstate_frame;     /* .frame, .cframe or .current_frame (frame_kind) */
	__u16 cframe_current;   /* _PyCFrame.current_frame (PF_PY_CFRAME) */
	__u16 frame_back;       /* f_back or previous */
	__u16 frame_code;       /* f_code or f_executable */
	__u16 frame_owner;      /* _PyInterpreterFrame.owner, 0: not checked */
	__u16 co_name;
	__u16 co_filename;
	__u16 co_firstlineno;
	__u16 str_ascii;        /* where an ASCII str's characters start */
	__u32 pad;
};

/* A frame owned by the C stack (3.12+): an entry shim, not Python code. */
#define PF_PY_OWNED_BY_CSTACK 3

struct pf_sample_key {
	__u32 tgid;
	__s32 kstack;   /* id in the stack map, or <0: none (user mode, or lost) */
	__s32 ustack;
	__u32 pad;
	__u64 pystack;  /* key in pystacks, 0: no Python stack */
	__u64 image;    /* the executable's inode: which image of tgid (it may exec) */
};

struct pf_py_stack {
	__u32 depth;
	__u32 pad;
	__u64 code[PF_PY_DEPTH]; /* code objects, innermost first */
	__u64 name[PF_PY_DEPTH]; /* and their co_name: see pf_code_key */
};

/* A code object freed and its address reused by another is told apart by
 * its co_name (a str object of its own, interned): the pair names it. */
struct pf_code_key {
	__u32 tgid;
	__u32 pad;
	__u64 code;
	__u64 name;
};

struct pf_code_info {
	__s32 firstlineno;
	__u32 pad;
	char name[PF_PY_NAME];
	char file[PF_PY_FILE];
};

#endif
