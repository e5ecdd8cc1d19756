/* ELF symbol lookup for uprobes (elfutils' libelf): where in a file a
 * function starts, and which mapped files of a process export a function. */
#ifndef PF_ELF_SYMS_H
#define PF_ELF_SYMS_H
#include <stddef.h>
#include <sys/types.h>

/* File offset of function sym's entry in the ELF file at path, as a uprobe
 * wants it. Looks in .symtab and .dynsym for a defined STT_FUNC
 * symbol and converts its virtual address to a file offset
 * through the PT_LOAD program headers (section headers as a fallback).
 * Returns 0, -ENOENT if the file does not define sym, -EINVAL if it is not
 * a usable ELF file, or -errno if it cannot be opened. */
int pf_elf_sym_offset(const char *path, const char *sym, unsigned long *file_offset);

struct pf_elf_hit {
	char *path;                /* as written in the maps file */
	unsigned long file_offset; /* of the symbol, for the uprobe */
};

/* Each distinct file mapped executable in a /proc/PID/maps-format file that
 * defines sym (e.g. "inflate": every libz.so.*, or a python with zlib linked
 * statically). Files that cannot be read are skipped. *hits is malloc'd
 * (free with pf_elf_hits_free). Returns the number of hits or -errno. */
int pf_elf_find_in_maps(const char *maps_path, const char *sym, struct pf_elf_hit **hits);
/* The same for a live process: reads /proc/PID/maps. */
int pf_elf_find_in_pid(pid_t pid, const char *sym, struct pf_elf_hit **hits);
void pf_elf_hits_free(struct pf_elf_hit *hits, int n);

#endif
