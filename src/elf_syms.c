// SPDX-License-Identifier: GPL-2.0-only
/* ELF symbol lookup for uprobes with elfutils' libelf. A uprobe is placed
 * at a file offset, not an address: symbols carry virtual addresses, so the
 * address is mapped back through the loadable segment that contains it. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf_syms.h"

/* vaddr -> file offset: the PT_LOAD segment whose file image holds vaddr. */
static int vaddr_to_offset(Elf *elf, GElf_Addr vaddr, unsigned long *off)
{
	size_t nph;
	if (elf_getphdrnum(elf, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
				*off = vaddr - ph.p_vaddr + ph.p_offset;
				return 0;
			}
		}
	}
	/* No program headers (e.g. a relocatable object): use the section. */
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (vaddr >= sh.sh_addr && vaddr < sh.sh_addr + sh.sh_size) {
			*off = vaddr - sh.sh_addr + sh.sh_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* Look sym up in one symbol table section; 0 and *vaddr if defined there. */
static int find_in_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *sym,
			  GElf_Addr *vaddr)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize)
		return -ENOENT;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int)i, &s))
			continue;
		/* Not STT_GNU_IFUNC: its address is the resolver's, not the function's. */
		if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (name && !strcmp(name, sym)) {
			*vaddr = s.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

int pf_elf_sym_offset(const char *path, const char *sym, unsigned long *file_offset)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = -EINVAL;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto out;
	rc = -ENOENT;
	/* .symtab first (complete when present), then .dynsym (survives strip). */
	static const GElf_Word kinds[] = { SHT_SYMTAB, SHT_DYNSYM };
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && rc; k++) {
		Elf_Scn *scn = NULL;
		while (rc && (scn = elf_nextscn(elf, scn)) != NULL) {
			GElf_Shdr sh;
			GElf_Addr vaddr;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != kinds[k])
				continue;
			if (find_in_symtab(elf, scn, &sh, sym, &vaddr) == 0)
				rc = vaddr_to_offset(elf, vaddr, file_offset);
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}
