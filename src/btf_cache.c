// SPDX-License-Identifier: GPL-2.0-only
/* The cached minimal BTF for CO-RE (see btf_cache.h). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "btf_cache.h"
#include "pf_paths.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

extern char **environ;

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int pf_btf_cache_name(const void *obj, size_t obj_size, char *out, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct utsname u;
	struct stat st;

	if (uname(&u) || stat(KERNEL_BTF, &st))
		return -1;
	h = fnv1a(h, obj, obj_size);
	h = fnv1a(h, u.release, strlen(u.release) + 1);
	h = fnv1a(h, u.version, strlen(u.version) + 1);
	h = fnv1a(h, &st.st_size, sizeof(st.st_size));
	return snprintf(out, len, "core-%016llx.btf", (unsigned long long)h) < (int)len ? 0 : -1;
}

static int write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		return -1;
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		size -= (size_t)n;
	}
	return close(fd);
}

/* bpftool gen min_core_btf KERNEL_BTF out obj, quietly; 0 if it succeeded. */
static int run_bpftool(const char *bpftool, const char *out, const char *obj)
{
	char *argv[] = { (char *)bpftool, "gen", "min_core_btf", KERNEL_BTF, (char *)out, (char *)obj, NULL };
	posix_spawn_file_actions_t fa;
	int status, err;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	err = posix_spawn(&pid, bpftool, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Make dir/name from obj: written under temporary names, renamed into place,
 * so that a trace started meanwhile sees the whole file or none. */
static int make_min_btf(const char *dir, const char *name, const void *obj, size_t obj_size)
{
	char *bpftool = pf_which("bpftool");
	char tmp_obj[4096], tmp_btf[4096], final[4096];
	int ok = -1;

	if (!bpftool)
		return -1;
	snprintf(tmp_obj, sizeof(tmp_obj), "%s/.%s.%d.o", dir, name, (int)getpid());
	snprintf(tmp_btf, sizeof(tmp_btf), "%s/.%s.%d", dir, name, (int)getpid());
	snprintf(final, sizeof(final), "%s/%s", dir, name);
	if (!write_file(tmp_obj, obj, obj_size) && !run_bpftool(bpftool, tmp_btf, tmp_obj))
		ok = rename(tmp_btf, final);
	unlink(tmp_obj);
	unlink(tmp_btf);
	free(bpftool);
	return ok;
}

int pf_btf_cache_get(const char *dir, const void *obj, size_t obj_size, char *out, size_t len)
{
	char name[64];
	struct stat st;

	if (!dir || pf_btf_cache_name(obj, obj_size, name, sizeof(name)))
		return -1;
	if (snprintf(out, len, "%s/%s", dir, name) >= (int)len)
		return -1;
	if (!stat(out, &st) && st.st_size > 0)
		return 0;
	if ((mkdir(dir, 0755) && errno != EEXIST) || make_min_btf(dir, name, obj, obj_size))
		return -1;
	return stat(out, &st) == 0 && st.st_size > 0 ? 0 : -1;
}
