// SPDX-License-Identifier: GPL-2.0-only
/* File-system chores of the bench: removing caches, copying the project, sizing and
 * hashing artifacts. None of this is inside a timed region. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench_fs.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	int r = (flag == FTW_DP) ? rmdir(path) : unlink(path);
	return r && errno != ENOENT ? -1 : 0;
}

int bench_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int bench_mkdir_p(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}

int bench_copy_tree(const char *src, const char *dst)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execl("/bin/cp", "cp", "-a", src, dst, (char *)NULL);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static long long tree_bytes;
static int add_size(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path; (void)ftw;
	if (flag == FTW_F || flag == FTW_SL)
		tree_bytes += st->st_size;
	return 0;
}

long long bench_tree_bytes(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return -1;
	tree_bytes = 0;
	nftw(path, add_size, 32, FTW_PHYS);
	return tree_bytes;
}

/* FNV-1a 64: enough to tell whether an artifact changed (not a security hash). */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t hash_entry(uint64_t h, const char *path, const char *rel)
{
	struct stat st;
	if (lstat(path, &st))
		return h;
	h = fnv(h, rel, strlen(rel) + 1);
	unsigned mode = st.st_mode & (S_IFMT | 0111);
	h = fnv(h, &mode, sizeof(mode));
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));
		if (n > 0)
			h = fnv(h, target, n);
	} else if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			char buf[65536];
			ssize_t n;
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				h = fnv(h, buf, n);
			close(fd);
		}
	} else if (S_ISDIR(st.st_mode)) {
		/* Sorted, so the hash does not depend on directory order. */
		struct dirent **names;
		int n = scandir(path, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			const char *name = names[i]->d_name;
			if (strcmp(name, ".") && strcmp(name, "..")) {
				char *child, *crel;
				if (asprintf(&child, "%s/%s", path, name) >= 0) {
					if (asprintf(&crel, "%s/%s", rel, name) >= 0) {
						h = hash_entry(h, child, crel);
						free(crel);
					}
					free(child);
				}
			}
			free(names[i]);
		}
		if (n >= 0)
			free(names);
	}
	return h;
}

int bench_tree_hash(const char *path, char out[17])
{
	struct stat st;
	if (lstat(path, &st))
		return -1;
	snprintf(out, 17, "%016llx", (unsigned long long)hash_entry(FNV_OFFSET, path, "."));
	return 0;
}

char *bench_file_tail(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return strdup("");
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);
		if (size > (long)max)
			fseek(f, size - (long)max, SEEK_SET);
		else
			fseek(f, 0, SEEK_SET);
	}
	char *buf = calloc(1, max + 1);
	size_t n = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = 0;
	/* Keep the JSON valid UTF-8-ish: drop NULs and a cut multi-byte start. */
	size_t start = 0;
	while (start < n && ((unsigned char)buf[start] & 0xC0) == 0x80)
		start++;
	for (size_t i = start; i < n; i++)
		if (!buf[i])
			buf[i] = '?';
	memmove(buf, buf + start, n - start + 1);
	return buf;
}

int bench_is_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int bench_is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int bench_append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	int bad = fputs(text, f) == EOF;
	bad |= fclose(f) != 0;
	return bad ? -1 : 0;
}
