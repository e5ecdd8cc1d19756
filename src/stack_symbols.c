// SPDX-License-Identifier: GPL-2.0-only
/* Names for sampled stacks (see stack_symbols.h). One Dwfl per process,
 * built when its first address is named, from the mappings remembered for
 * it: libdwfl reads each file's symbol table (and its separate debug info,
 * if installed) once per process. */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stack_symbols.h"
#include "pf_util.h"
#include "u64map.h"

struct proc_syms {
	pid_t pid;
	uint64_t image; /* its executable's inode: a pid that execs maps another image */
	char *maps;  /* /proc/PID/maps's text, the last one seen */
	Dwfl *dwfl;  /* NULL until first used (or when it could not be built) */
	int tried;
};

struct ksym {
	uint64_t addr;
	const char *name; /* in kallsyms */
};

/* A name found, by file and offset from where the file is mapped: the
 * processes of one program (pex re-execs, pants' workers) share them, and
 * each file's symbols are then read once, not once per process. */
struct named {
	char *path;
	uint64_t rel;
	int rc;
	struct pf_frame_name name;
};

struct pf_symbols {
	struct named *names;
	size_t nnames, capnames;
	struct u64map name_index; /* hash of (path, rel) -> names index + 1 */
	struct proc_syms *procs;
	size_t nprocs, cap;
	char *kallsyms; /* /proc/kallsyms's text, the names point into it */
	struct ksym *ksyms;
	size_t nksyms;
	int ksyms_read;
};

static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

struct pf_symbols *pf_symbols_new(void)
{
	struct pf_symbols *s = calloc(1, sizeof(struct pf_symbols));

	if (s)
		u64map_init(&s->name_index);
	return s;
}

void pf_symbols_free(struct pf_symbols *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nprocs; i++) {
		free(s->procs[i].maps);
		if (s->procs[i].dwfl)
			dwfl_end(s->procs[i].dwfl);
	}
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i].path);
	free(s->names);
	u64map_free(&s->name_index);
	free(s->kallsyms);
	free(s->ksyms);
	free(s->procs);
	free(s);
}

/* pid's mappings while it ran image; without an exact match (its maps
 * were never read while it ran that image), its last ones, if create is 0. */
static struct proc_syms *proc_of(struct pf_symbols *s, pid_t pid, uint64_t image, int create)
{
	struct proc_syms *last = NULL;

	for (size_t i = 0; i < s->nprocs; i++) {
		if (s->procs[i].pid != pid)
			continue;
		if (s->procs[i].image == image)
			return &s->procs[i];
		last = &s->procs[i];
	}
	if (!create)
		return last;
	if (PF_GROW(s->procs, s->cap, s->nprocs, 16))
		return NULL;
	memset(&s->procs[s->nprocs], 0, sizeof(s->procs[0]));
	s->procs[s->nprocs].pid = pid;
	s->procs[s->nprocs].image = image;
	return &s->procs[s->nprocs++];
}

int pf_symbols_set_maps(struct pf_symbols *s, pid_t pid, uint64_t image, const char *maps)
{
	struct proc_syms *p = proc_of(s, pid, image, 1);
	char *copy = strdup(maps);

	if (!p || !copy) {
		free(copy);
		return -ENOMEM;
	}
	free(p->maps);
	p->maps = copy;
	if (p->dwfl) /* built from older mappings: rebuilt when next used */
		dwfl_end(p->dwfl);
	p->dwfl = NULL;
	p->tried = 0;
	return 0;
}

int pf_symbols_note_pid(struct pf_symbols *s, pid_t pid)
{
	char path[64], *text = NULL;
	size_t len = 0;
	struct stat st;
	FILE *f, *m;
	int c, rc;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	m = open_memstream(&text, &len);
	if (!m) {
		fclose(f);
		return -ENOMEM;
	}
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(f);
	fclose(m);
	/* a process gone (or exec'ing) leaves an empty file: keep what we had */
	rc = len ? pf_symbols_set_maps(s, pid, (uint64_t)st.st_ino, text) : -ESRCH;
	free(text);
	return rc;
}

static Dwfl *proc_dwfl(struct proc_syms *p)
{
	FILE *f;

	if (p->dwfl || p->tried || !p->maps)
		return p->dwfl;
	p->tried = 1;
	p->dwfl = dwfl_begin(&callbacks);
	f = p->dwfl ? fmemopen(p->maps, strlen(p->maps), "r") : NULL;
	if (!f) {
		if (p->dwfl)
			dwfl_end(p->dwfl);
		p->dwfl = NULL;
		return NULL;
	}
	dwfl_report_begin(p->dwfl);
	dwfl_linux_proc_maps_report(p->dwfl, f);
	dwfl_report_end(p->dwfl, NULL, NULL);
	fclose(f);
	return p->dwfl;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* An address no module holds: the name of its mapping if it has one
 * ([vdso], [heap], [stack]), or "[anon]" (JIT code, a trampoline). */
static void mapping_name(const char *maps, uint64_t addr, struct pf_frame_name *out)
{
	for (const char *l = maps; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		unsigned long lo, hi;
		int name_at = 0;
		size_t n;

		if (sscanf(l, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &name_at) < 2 || addr < lo || addr >= hi)
			continue;
		n = name_at ? strcspn(l + name_at, "\n") : 0;
		if (n)
			snprintf(out->lib, sizeof(out->lib), "%.*s", (int)n, l + name_at);
		else
			snprintf(out->lib, sizeof(out->lib), "[anon]");
		snprintf(out->func, sizeof(out->func), "%s", out->lib);
		return;
	}
}

static uint64_t name_key(const char *path, uint64_t rel)
{
	uint64_t h = 14695981039346656037ULL ^ rel;

	for (const char *c = path; *c; c++) {
		h ^= (unsigned char)*c;
		h *= 1099511628211ULL;
	}
	return h;
}

static const struct named *cached(const struct pf_symbols *s, const char *path, uint64_t rel, uint64_t key)
{
	uint64_t i;

	if (!u64map_get(&s->name_index, key, &i) || !i || i > s->nnames)
		return NULL;
	return s->names[i - 1].rel == rel && !strcmp(s->names[i - 1].path, path) ? &s->names[i - 1] : NULL;
}

/* Remembered if memory allows (else only named again next time). */
static void remember(struct pf_symbols *s, const char *path, uint64_t rel, uint64_t key, int rc,
		     const struct pf_frame_name *n)
{
	if (s->nnames == s->capnames) {
		size_t cap = s->capnames ? 2 * s->capnames : 256;
		struct named *more = realloc(s->names, cap * sizeof(*more));

		if (!more)
			return;
		s->names = more;
		s->capnames = cap;
	}
	s->names[s->nnames] = (struct named){ .path = strdup(path), .rel = rel, .rc = rc, .name = *n };
	if (!s->names[s->nnames].path)
		return;
	s->nnames++;
	if (!u64map_get(&s->name_index, key, &(uint64_t){ 0 }))
		u64map_put(&s->name_index, key, s->nnames);
}

int pf_symbols_user(struct pf_symbols *s, pid_t pid, uint64_t image, uint64_t addr, struct pf_frame_name *out)
{
	struct proc_syms *p = proc_of(s, pid, image, 0);
	Dwfl *d = p ? proc_dwfl(p) : NULL;
	Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
	const char *mod, *name;
	const struct named *c;
	Dwarf_Addr start = 0;
	GElf_Off off = 0;
	GElf_Sym sym;
	uint64_t key;
	int rc = 0;

	snprintf(out->lib, sizeof(out->lib), "[unknown]");
	snprintf(out->func, sizeof(out->func), "[unknown]");
	if (!m) {
		if (p)
			mapping_name(p->maps, addr, out);
		return -ENOENT;
	}
	mod = dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	if (!mod)
		mod = "[unknown]";
	key = name_key(mod, addr - start);
	if ((c = cached(s, mod, addr - start, key))) {
		*out = c->name;
		return c->rc;
	}
	snprintf(out->lib, sizeof(out->lib), "%s", base_name(mod));
	name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	if (name) {
		snprintf(out->func, sizeof(out->func), "%s", name);
	} else {
		snprintf(out->func, sizeof(out->func), "[%s+0x%" PRIx64 "]", out->lib, (uint64_t)(addr - start));
		rc = -ENOENT;
	}
	remember(s, mod, addr - start, key, rc, out);
	return rc;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The whole of a /proc file: its size is not known before it is read. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 8 << 20, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *more = realloc(buf, 2 * cap + 1);

			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* One "addr type name[\t[module]]" line of kallsyms, a text symbol kept. */
static void ksym_line(struct pf_symbols *s, char *line, size_t *cap)
{
	char *end, *name;
	uint64_t addr = strtoull(line, &end, 16);
	struct ksym *k;

	if (!addr || end[0] != ' ' || !strchr("tTwW", end[1]) || end[2] != ' ')
		return;
	name = end + 3;
	name[strcspn(name, "\t")] = 0;
	if (s->nksyms == *cap) {
		k = realloc(s->ksyms, (*cap = *cap ? 2 * *cap : 65536) * sizeof(*k));
		if (!k)
			return;
		s->ksyms = k;
	}
	s->ksyms[s->nksyms++] = (struct ksym){ addr, name };
}

void pf_symbols_read_kernel(struct pf_symbols *s)
{
	size_t len = 0, cap = 0;
	char *p;

	if (s->ksyms_read)
		return;
	s->ksyms_read = 1;
	s->kallsyms = slurp("/proc/kallsyms", &len);
	for (p = s->kallsyms; p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = 0;
		ksym_line(s, p, &cap);
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (s->nksyms) /* none (no kallsyms, not root): ksyms is NULL */
		qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), ksym_cmp);
}

int pf_symbols_kernel(struct pf_symbols *s, uint64_t addr, char *out, size_t n)
{
	size_t lo = 0, hi;

	pf_symbols_read_kernel(s);
	hi = s->nksyms;
	while (lo < hi) { /* the last symbol at or below addr */
		size_t mid = (lo + hi) / 2;

		if (s->ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		snprintf(out, n, "[kernel]");
		return -ENOENT;
	}
	snprintf(out, n, "%s", s->ksyms[lo - 1].name);
	return 0;
}
