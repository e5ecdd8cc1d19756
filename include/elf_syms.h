/* SPDX-License-Identifier: GPL-2.0-only */
/* ELF symbol lookup for uprobes (elfutils' libelf): where in a file a
 * function starts. */
#ifndef PF_ELF_SYMS_H
#define PF_ELF_SYMS_H
#include <stddef.h>

/* File offset of function sym's entry in the ELF file at path, as a uprobe
 * wants it. Looks in .symtab and .dynsym for a defined STT_FUNC
 * symbol and converts its virtual address to a file offset
 * through the PT_LOAD program headers (section headers as a fallback).
 * Returns 0, -ENOENT if the file does not define sym, -EINVAL if it is not
 * a usable ELF file, or -errno if it cannot be opened. */
int pf_elf_sym_offset(const char *path, const char *sym, unsigned long *file_offset);

#endif
