/* SPDX-License-Identifier: GPL-2.0-only */
/* perfanity bench: file-system chores around the measured commands (never timed). */
#ifndef PF_BENCH_FS_H
#define PF_BENCH_FS_H
#include <stdint.h>

int bench_rm_rf(const char *path);          /* 0 also when path does not exist */
int bench_mkdir_p(const char *path);
int bench_copy_tree(const char *src, const char *dst); /* cp -a */
/* Bytes used by a file or tree (apparent sizes); -1 when path does not exist. */
long long bench_tree_bytes(const char *path);
/* Content hash of a file or tree (paths, modes, symlink targets, contents), as 16 hex
 * digits into out[17]. Returns -1 when path does not exist. */
int bench_tree_hash(const char *path, char out[17]);
/* The last max bytes of a file, as a malloc'd string ("" when missing). */
char *bench_file_tail(const char *path, size_t max);
int bench_is_file(const char *path);
int bench_is_dir(const char *path);
/* Append text to a file. */
int bench_append(const char *path, const char *text);

#endif
