// SPDX-License-Identifier: GPL-2.0-only
/* A CPython build's layout from its ELF file (see py_layout.h). Pointers in
 * the data of a shared library or a PIE are written by the dynamic loader:
 * in the file they are 0 and their value is a relocation's addend, so a
 * pointer is read from the file, else from its relocation. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "py_layout.h"

#define TP_MEMBERS 240   /* offsetof(PyTypeObject, tp_members) on LP64: the stable ABI's */
#define MEMBERDEF_SIZE 40 /* PyMemberDef: name, type, offset, flags, doc */
#define MAX_MEMBERS 64

struct elf_file {
	int fd;
	Elf *elf;
};

static int elf_file_open(struct elf_file *ef, const char *path)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0)
		return -errno;
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF || gelf_getclass(ef->elf) != ELFCLASS64) {
		if (ef->elf)
			elf_end(ef->elf);
		close(ef->fd);
		return -EINVAL;
	}
	return 0;
}

static void elf_file_close(struct elf_file *ef)
{
	elf_end(ef->elf);
	close(ef->fd);
}

/* n bytes at virtual address va, from the loadable segment's file image. */
static int read_at(struct elf_file *ef, GElf_Addr va, void *buf, size_t n)
{
	size_t nph;

	if (elf_getphdrnum(ef->elf, &nph))
		return -EINVAL;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(ef->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (va >= ph.p_vaddr && va + n <= ph.p_vaddr + ph.p_filesz)
			return pread(ef->fd, buf, n, (off_t)(va - ph.p_vaddr + ph.p_offset)) == (ssize_t)n ? 0 : -EIO;
	}
	return -ENOENT;
}

/* The value of a defined symbol (object or function) named name. */
static int sym_value(struct elf_file *ef, const char *name, GElf_Addr *va)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ef->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB) ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			n = elf_strptr(ef->elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name)) {
				*va = s.st_value;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* What a relocation writes at va: a relative one's addend, or a symbol's
 * value plus the addend (x86-64 and aarch64). */
static int reloc_value(struct elf_file *ef, GElf_Addr va, uint64_t *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ef->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;
			unsigned type;

			if (!gelf_getrela(d, (int)i, &r) || r.r_offset != va)
				continue;
			type = (unsigned)GELF_R_TYPE(r.r_info);
			if (type == R_X86_64_RELATIVE || type == R_AARCH64_RELATIVE) {
				*out = (uint64_t)r.r_addend;
				return 0;
			}
			if (type == R_X86_64_64 || type == R_AARCH64_ABS64) {
				Elf_Scn *ss = elf_getscn(ef->elf, sh.sh_link);
				Elf_Data *sd = ss ? elf_getdata(ss, NULL) : NULL;
				GElf_Sym s;

				if (sd && gelf_getsym(sd, (int)GELF_R_SYM(r.r_info), &s) && s.st_value) {
					*out = s.st_value + (uint64_t)r.r_addend;
					return 0;
				}
			}
			return -ENOENT;
		}
	}
	return -ENOENT;
}

static int read_ptr(struct elf_file *ef, GElf_Addr va, uint64_t *out)
{
	*out = 0;
	if (read_at(ef, va, out, sizeof(*out)))
		return -ENOENT;
	return *out ? 0 : reloc_value(ef, va, out);
}

/* A code object field's offset: its entry in PyCode_Type.tp_members. */
static int code_member_offset(struct elf_file *ef, const char *field, unsigned *off)
{
	GElf_Addr type;
	uint64_t members, name;

	if (sym_value(ef, "PyCode_Type", &type) || read_ptr(ef, type + TP_MEMBERS, &members) || !members)
		return -ENOENT;
	for (int i = 0; i < MAX_MEMBERS; i++) {
		GElf_Addr m = members + (GElf_Addr)i * MEMBERDEF_SIZE;
		char n[20] = { 0 };
		int64_t o;

		if (read_ptr(ef, m, &name) || !name)
			break;
		if (read_at(ef, name, n, sizeof(n) - 1) || strcmp(n, field))
			continue;
		if (read_at(ef, m + 16, &o, sizeof(o)) || o <= 0 || o > 0xffff)
			return -ENOENT;
		*off = (unsigned)o;
		return 0;
	}
	return -ENOENT;
}

/* Where PyInterpreterState_Head() loads _PyRuntime.interpreters.head
 * from, when it does so directly: an interpreter built without -fPIC that
 * does not export _PyRuntime (Debian's python3.11) still exports this
 * function, which is `mov disp32(%rip),%rax; ret` (x86-64; endbr64 first
 * with -fcf-protection). A PIC build loads a GOT slot instead (then it
 * exports _PyRuntime, found by name). 0, or -ENOENT. */
static int interp_head_from_code(struct elf_file *ef, GElf_Addr *head)
{
	unsigned char c[12];
	GElf_Addr f;
	size_t i = 0;
	int32_t disp;

	if (sym_value(ef, "PyInterpreterState_Head", &f) || read_at(ef, f, c, sizeof(c)))
		return -ENOENT;
	if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa)
		i = 4;
	if (i + 8 > sizeof(c) || c[i] != 0x48 || c[i + 1] != 0x8b || c[i + 2] != 0x05 || c[i + 7] != 0xc3)
		return -ENOENT;
	memcpy(&disp, c + i + 3, sizeof(disp));
	*head = f + i + 7 + (GElf_Addr)(int64_t)disp;
	return 0;
}

/* What the stack walk needs beyond co_filename (no error if absent: the
 * imports need only co_filename): the other code fields, where _PyRuntime
 * is, and 3.13's _Py_DebugOffsets, which _PyRuntime starts with. */
static void frame_fields(struct elf_file *ef, struct pf_py_layout *l)
{
	GElf_Addr rt;

	size_t nph;

	/* the first loadable segment's page: what is mapped at file offset 0 */
	if (!elf_getphdrnum(ef->elf, &nph))
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(ef->elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
				l->load_va = (ph.p_vaddr - ph.p_offset) & ~(GElf_Addr)0xfff;
				break;
			}
		}
	code_member_offset(ef, "co_name", &l->co_name);
	code_member_offset(ef, "co_firstlineno", &l->co_firstlineno);
	if (!sym_value(ef, "_PyRuntime", &rt))
		l->runtime = rt;
	else if (!interp_head_from_code(ef, &rt))
		l->interp_head_va = rt;
	else
		return;
	if (l->runtime && l->minor >= 13 && !read_at(ef, rt, l->debug_offsets, sizeof(l->debug_offsets)) &&
	    !memcmp(l->debug_offsets, "xdebugpy", 8))
		l->has_debug_offsets = true;
}

int pf_py_version_from_name(const char *path, int *major, int *minor)
{
	const char *base = strrchr(path, '/'), *p;

	base = base ? base + 1 : path;
	p = strstr(base, "python");
	if (!p || sscanf(p, "python%d.%d", major, minor) != 2)
		return -ENOENT;
	return 0;
}

/* Py_Version (3.11+: PY_VERSION_HEX), else the file's name. */
static int version(struct elf_file *ef, const char *path, int *major, int *minor)
{
	GElf_Addr va;
	uint32_t hex;

	if (!sym_value(ef, "Py_Version", &va) && !read_at(ef, va, &hex, sizeof(hex))) {
		*major = (int)(hex >> 24);
		*minor = (int)((hex >> 16) & 0xff);
		return 0;
	}
	return pf_py_version_from_name(path, major, minor);
}

int pf_py_layout_read(const char *path, struct pf_py_layout *l)
{
	struct elf_file ef;
	int rc = elf_file_open(&ef, path);

	if (rc)
		return rc;
	memset(l, 0, sizeof(*l));
	rc = version(&ef, path, &l->major, &l->minor);
	if (!rc && (l->major != 3 || l->minor < 8 || l->minor > 13))
		rc = -ENOENT;
	if (!rc)
		rc = code_member_offset(&ef, "co_filename", &l->co_filename);
	if (!rc)
		frame_fields(&ef, l);
	elf_file_close(&ef);
	/* PyASCIIObject lost its wstr pointer in 3.12 (PEP 623) */
	l->ascii_hdr = l->minor >= 12 ? 40 : 48;
	l->compact_hdr = l->minor >= 12 ? 56 : 72;
	return rc;
}

/* NEEDED libpython* and the run path of the executable's dynamic section. */
static int dynamic_libpython(struct elf_file *ef, char *needed, size_t nlen, char *runpath, size_t rlen)
{
	Elf_Scn *scn = NULL;

	*needed = *runpath = 0;
	while ((scn = elf_nextscn(ef->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (!gelf_getdyn(d, (int)i, &dyn))
				continue;
			s = elf_strptr(ef->elf, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				continue;
			if (dyn.d_tag == DT_NEEDED && !strncmp(s, "libpython", 9))
				snprintf(needed, nlen, "%s", s);
			else if ((dyn.d_tag == DT_RUNPATH || dyn.d_tag == DT_RPATH) && !*runpath)
				snprintf(runpath, rlen, "%s", s);
		}
	}
	return *needed ? 0 : -ENOENT;
}

/* dir/name exists? dir may start with $ORIGIN; root is the mount
 * namespace's prefix (/proc/PID/root) of a containerised exe, or "". */
static int try_dir(const char *root, const char *origin, const char *dir, size_t dlen, const char *name,
		   char *out, size_t len)
{
	if (dlen >= 7 && !strncmp(dir, "$ORIGIN", 7))
		snprintf(out, len, "%s%.*s/%s", origin, (int)(dlen - 7), dir + 7, name);
	else
		snprintf(out, len, "%s%.*s/%s", root, (int)dlen, dir, name);
	return access(out, R_OK) ? -ENOENT : 0;
}

int pf_py_libpython(const char *exe, char *out, size_t len)
{
	static const char *const std_dirs = "/usr/local/lib:/usr/lib/x86_64-linux-gnu:/usr/lib/aarch64-linux-gnu:"
					    "/lib/x86_64-linux-gnu:/usr/lib64:/usr/lib";
	char needed[128], runpath[PATH_MAX], origin[PATH_MAX], root[64] = "";
	struct elf_file ef;
	const char *slash = strrchr(exe, '/');
	int pid, n = 0;

	if (!slash || elf_file_open(&ef, exe))
		return -ENOENT;
	if (dynamic_libpython(&ef, needed, sizeof(needed), runpath, sizeof(runpath))) {
		elf_file_close(&ef);
		return -ENOENT;
	}
	elf_file_close(&ef);
	snprintf(origin, sizeof(origin), "%.*s", (int)(slash - exe), exe);
	if (sscanf(exe, "/proc/%d/root/%n", &pid, &n) == 1 && n)
		snprintf(root, sizeof(root), "%.*s", n - 1, exe);
	for (int pass = 0; pass < 2; pass++) {
		const char *p = pass ? std_dirs : runpath;

		while (*p) {
			size_t dl = strcspn(p, ":");

			if (dl && !try_dir(root, origin, p, dl, needed, out, len))
				return 0;
			p += dl + (p[dl] == ':');
		}
	}
	return -ENOENT;
}
