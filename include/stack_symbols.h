/* SPDX-License-Identifier: GPL-2.0-only */
/* Names for the addresses of sampled stacks: native frames with elfutils'
 * libdwfl, from each process's mappings as they were while it ran (a
 * process may be gone when its samples are read), kernel frames from
 * /proc/kallsyms. */
#ifndef PF_STACK_SYMBOLS_H
#define PF_STACK_SYMBOLS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pf_symbols;

struct pf_frame_name {
	char func[160]; /* the function, or "[lib+0xoffset]" if the file has no symbol there */
	char lib[96];   /* the mapped file's base name ("[unknown]": no mapping known) */
};

struct pf_symbols *pf_symbols_new(void);
void pf_symbols_free(struct pf_symbols *s);

/* Remember pid's mappings as they are now (/proc/PID/maps), under the image
 * it runs (its executable's inode, /proc/PID/exe), replacing those
 * remembered for that image: a dlopen maps more, an exec another image
 * whose mappings are kept apart. 0, or -errno. */
int pf_symbols_note_pid(struct pf_symbols *s, pid_t pid);
/* The same from a maps text, as /proc/PID/maps has it. */
int pf_symbols_set_maps(struct pf_symbols *s, pid_t pid, uint64_t image, const char *maps);

/* The function at a user address of pid while it ran image (0, or an
 * image whose mappings were never read: pid's last ones). For a return
 * address pass it less one, so that a call at a function's end is not
 * named after the next. Always fills out; returns 0 when a symbol named it. */
int pf_symbols_user(struct pf_symbols *s, pid_t pid, uint64_t image, uint64_t addr, struct pf_frame_name *out);
/* Read /proc/kallsyms now (slow: 0.1-0.2 s of the kernel's formatting),
 * e.g. in a thread while the traced command runs; pf_symbols_kernel does
 * it on first use otherwise. Not to be called alongside other uses of s. */
void pf_symbols_read_kernel(struct pf_symbols *s);
/* A kernel address's function ("[kernel]" if kallsyms has none). */
int pf_symbols_kernel(struct pf_symbols *s, uint64_t addr, char *out, size_t n);

#endif
