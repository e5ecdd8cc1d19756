/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: what an exec tells: a process that exists
 * to create a venv (its argv), and where the dynamic loader is mapped. */
#ifndef PF_EXEC_BPF_H
#define PF_EXEC_BPF_H

/* Recognising a process that exists to create a venv from its argv: an
 * argument that is exactly "venv" (python -m venv, uv venv, pex3 venv) or ends
 * in "virtualenv". Not "--venv": that is pex building a venv-mode PEX. */
struct argscan_ctx {
	__u64 last8;  /* the last 8 bytes of the current argument */
	__u32 len;    /* its length so far */
	__u32 found;
	__u32 n;      /* bytes to scan */
};

#define ARG_VENV PACK4('v', 'e', 'n', 'v')
#define ARG_RTUALENV ((PACK4('r', 't', 'u', 'a') << 32) | PACK4('l', 'e', 'n', 'v'))

static long argscan_byte(__u32 i, void *c)
{
	struct argscan_ctx *a = c;
	struct scratch *s = get_scratch();
	char ch;

	if (!s || i > a->n)
		return 1;
	ch = i == a->n ? 0 : s->ev.exec.args[i & (PF_ARGS_MAX - 1)];
	if (ch) {
		a->last8 = (a->last8 << 8) | (unsigned char)ch;
		a->len++;
		return 0;
	}
	if ((a->len == 4 && (a->last8 & 0xffffffff) == ARG_VENV) ||
	    (a->len >= 10 && a->last8 == ARG_RTUALENV)) {
		a->found = 1;
		return 1;
	}
	a->last8 = 0;
	a->len = 0;
	return 0;
}

static __always_inline bool creates_venv(__u32 args_len)
{
	struct argscan_ctx a = { .n = args_len };

	bpf_loop(PF_ARGS_MAX, argscan_byte, &a, 0);
	return a.found;
}

#define AT_BASE 7
/* Where the new image's ELF interpreter (ld.so) is mapped: its base from the
 * auxiliary vector, its extent from the interpreter file's size (it is mapped
 * as one span about that long). False for a static program. */
static __always_inline bool loader_range(struct task_struct *p, struct linux_binprm *bprm,
					 __u64 *base, __u64 *size)
{
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct file *interp = NULL;
	unsigned long auxv[2];

	if (bpf_core_field_exists(bprm->interpreter))
		interp = BPF_CORE_READ(bprm, interpreter);
	*base = 0;
	for (int i = 0; i < 20; i++) {
		if (bpf_probe_read_kernel(auxv, sizeof(auxv), &mm->saved_auxv[2 * i]) || !auxv[0])
			break;
		if (auxv[0] == AT_BASE) {
			*base = auxv[1];
			break;
		}
	}
	if (!*base)
		return false;
	*size = interp ? BPF_CORE_READ(interp, f_inode, i_size) : 0;
	if (!*size)
		*size = 1 << 18;
	return true;
}

#endif
