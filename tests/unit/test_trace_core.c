// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the tracer's pure parts: category precedence, the syscall
 * table, the fd/path and pid tables, interval accounting, JSON, CLI. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include "perfanity.h"
#include "pf_json.h"
#include "categories.h"
#include "syscall_class.h"
#include "trace.h"
#include "trace_container.h"
#include "trace_attach.h"
#include "trace_cmd.h"
#include "trace_backend_pick.h"
#include "seccomp_filter.h"
#include "trace_model.h"
#include "u64map.h"

static void test_precedence(void **state)
{
	(void)state;
	/* generic categories stay what they are without context */
	for (unsigned c = 0; c < PF_CAT_ZIP_EXTRACT; c++)
		assert_int_equal(pf_cat_resolve(c, 0), c);
	/* inflate() wins over cpu and file_io, never over waits or the network */
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_INFLATE), PF_CAT_ZIP_EXTRACT);
	assert_int_equal(pf_cat_resolve(PF_CAT_FILE_IO, PF_CTX_INFLATE | PF_CTX_IMPORT), PF_CAT_ZIP_EXTRACT);
	assert_int_equal(pf_cat_resolve(PF_CAT_NET, PF_CTX_INFLATE), PF_CAT_NET);
	assert_int_equal(pf_cat_resolve(PF_CAT_CHILD_WAIT, PF_CTX_IMPORT), PF_CAT_CHILD_WAIT);
	/* archive reads are zip_extract, even inside an import */
	assert_int_equal(pf_cat_resolve(PF_CAT_FILE_IO, PF_CTX_ARCHIVE | PF_CTX_IMPORT), PF_CAT_ZIP_EXTRACT);
	/* but cpu inside an import that is not inflating is import */
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_ARCHIVE | PF_CTX_IMPORT), PF_CAT_IMPORT);
	/* venv mutations beat import; cpu in a venv build stays cpu */
	assert_int_equal(pf_cat_resolve(PF_CAT_FILE_IO, PF_CTX_VENV | PF_CTX_IMPORT), PF_CAT_VENV_CREATE);
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_VENV), PF_CAT_CPU);
	assert_int_equal(pf_cat_resolve(PF_CAT_FILE_IO, PF_CTX_IMPORT), PF_CAT_IMPORT);
	assert_int_equal(pf_cat_resolve(PF_CAT_SLEEP, PF_CTX_IMPORT), PF_CAT_SLEEP);
	/* the loader's work is exec, whatever else is going on */
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_LOADER | PF_CTX_IMPORT), PF_CAT_EXEC);
	assert_int_equal(pf_cat_resolve(PF_CAT_FILE_IO, PF_CTX_LOADER), PF_CAT_EXEC);
	assert_int_equal(pf_cat_resolve(PF_CAT_NET, PF_CTX_LOADER), PF_CAT_NET);
	/* the scheduler's categories are never refined: a wait for a CPU in
	 * the loader or an import is runqueue */
	assert_int_equal(pf_cat_resolve(PF_CAT_RUNQUEUE, PF_CTX_LOADER | PF_CTX_IMPORT), PF_CAT_RUNQUEUE);
	assert_int_equal(pf_cat_resolve(PF_CAT_FAULT_IO, PF_CTX_IMPORT | PF_CTX_INFLATE), PF_CAT_FAULT_IO);
	/* compiling is a refinement of import: over cpu and file_io, under the
	 * packaging categories, never over a wait */
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_COMPILE | PF_CTX_IMPORT), PF_CAT_COMPILE);
	assert_int_equal(pf_cat_resolve(PF_CAT_FILE_IO, PF_CTX_COMPILE), PF_CAT_COMPILE);
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_COMPILE | PF_CTX_INFLATE), PF_CAT_ZIP_EXTRACT);
	assert_int_equal(pf_cat_resolve(PF_CAT_SLEEP, PF_CTX_COMPILE), PF_CAT_SLEEP);
	assert_int_equal(pf_cat_resolve(PF_CAT_CPU, PF_CTX_COMPILE | PF_CTX_LOADER), PF_CAT_EXEC);
}

/* pf_sched_category: what an interval is from the scheduler's view of it. */
static void test_sched_category(void **state)
{
	(void)state;
	for (unsigned c = 0; c < PF_CAT_MAX; c++) {
		/* on a CPU: the category as resolved, in a syscall or not */
		assert_int_equal(pf_sched_category(c, PF_SCHED_ON, 0), c);
		assert_int_equal(pf_sched_category(c, PF_SCHED_ON, 1), c);
		/* waiting for a CPU: runqueue, wherever the thread was */
		assert_int_equal(pf_sched_category(c, PF_SCHED_RUNNABLE, 0), PF_CAT_RUNQUEUE);
		assert_int_equal(pf_sched_category(c, PF_SCHED_RUNNABLE, 1), PF_CAT_RUNQUEUE);
		/* blocked in a syscall: the syscall's category, as before */
		assert_int_equal(pf_sched_category(c, PF_SCHED_BLOCKED_D, 1), c);
		assert_int_equal(pf_sched_category(c, PF_SCHED_BLOCKED_S, 1), c);
	}
	/* blocked outside a syscall: a fault's disk wait, or a plain wait */
	assert_int_equal(pf_sched_category(PF_CAT_CPU, PF_SCHED_BLOCKED_D, 0), PF_CAT_FAULT_IO);
	assert_int_equal(pf_sched_category(PF_CAT_IMPORT, PF_SCHED_BLOCKED_D, 0), PF_CAT_FAULT_IO);
	assert_int_equal(pf_sched_category(PF_CAT_CPU, PF_SCHED_BLOCKED_S, 0), PF_CAT_SLEEP);
}

static void test_category_names(void **state)
{
	(void)state;
	assert_string_equal(pf_cat_name(PF_CAT_FILE_IO), "file_io");
	assert_string_equal(pf_cat_name(PF_CAT_CHILD_WAIT), "child_wait");
	assert_string_equal(pf_cat_name(PF_CAT_MAX), "unknown");
	for (int c = 0; c < PF_CAT_MAX; c++)
		assert_int_equal(pf_cat_from_name(pf_cat_name(c)), c);
	assert_int_equal(pf_cat_from_name("nope"), -1);
}

static void test_syscall_table(void **state)
{
	unsigned short t[PF_SC_NR_MAX];

	(void)state;
	pf_syscall_class_fill(t, PF_SC_NR_MAX);
	assert_int_equal(t[SYS_openat], PF_SC_OPEN | PF_SC_DIRFD);
	assert_int_equal(t[SYS_read] & PF_SC_CLASS_MASK, PF_SC_FD);
	assert_true(t[SYS_read] & PF_SC_READS);
	assert_false(t[SYS_read] & PF_SC_WRITES);
	assert_true(t[SYS_write] & PF_SC_WRITES);
	assert_int_equal(t[SYS_wait4], PF_SC_CHILD_WAIT);
	assert_int_equal(t[SYS_futex], PF_SC_SLEEP);
	assert_int_equal(t[SYS_connect], PF_SC_NET);
	assert_int_equal(t[SYS_recvfrom], PF_SC_NET | PF_SC_READS);
	assert_int_equal(t[SYS_recvmsg], PF_SC_NET | PF_SC_READS);
	assert_int_equal(t[SYS_sendto], PF_SC_NET | PF_SC_WRITES);
	assert_int_equal(t[SYS_sendmsg], PF_SC_NET | PF_SC_WRITES);
	assert_int_equal(t[SYS_recvmmsg], PF_SC_NET); /* returns messages, not bytes */
	assert_int_equal(t[SYS_execve], PF_SC_EXEC);
	assert_int_equal(t[SYS_pselect6], PF_SC_POLL | PF_SC_SELECT);
	assert_int_equal(t[SYS_close], PF_SC_CLOSE | PF_SC_FDS_GONE);
	/* what may drop an open file invalidates the threads' fd caches */
	assert_int_equal(t[SYS_dup2], PF_SC_OTHER | PF_SC_FDS_GONE);
	assert_int_equal(t[SYS_dup3], PF_SC_OTHER | PF_SC_FDS_GONE);
	assert_int_equal(t[SYS_close_range], PF_SC_OTHER | PF_SC_FDS_GONE);
	assert_int_equal(t[SYS_newfstatat], PF_SC_PATH | PF_SC_DIRFD);
	assert_int_equal(t[SYS_symlinkat], PF_SC_PATH | PF_SC_SHIFT1 | PF_SC_DIRFD | PF_SC_MUTATES);
	assert_int_equal(t[SYS_mkdir], PF_SC_PATH | PF_SC_MUTATES);
	assert_int_equal(t[SYS_mmap], PF_SC_OTHER);
	assert_int_equal(t[SYS_getpid], PF_SC_OTHER); /* not listed: other */
}

static void test_u64map(void **state)
{
	struct u64map m;
	uint64_t v;

	(void)state;
	u64map_init(&m);
	assert_false(u64map_get(&m, 1, &v));
	for (uint64_t k = 0; k < 10000; k++)
		assert_int_equal(u64map_put(&m, k * 7919, k + 1), 0);
	assert_int_equal(m.len, 10000);
	for (uint64_t k = 0; k < 10000; k++) {
		assert_true(u64map_get(&m, k * 7919, &v));
		assert_int_equal(v, k + 1);
	}
	assert_false(u64map_get(&m, 5, &v));
	assert_int_equal(u64map_put(&m, 0, 42), 0); /* replace */
	assert_int_equal(m.len, 10000);
	assert_true(u64map_get(&m, 0, &v));
	assert_int_equal(v, 42);
	u64map_free(&m);
}

static char *cmd_sh[] = { "sh", "-c", "true", NULL };

/* A tree built from events: root forks a child that execs, paths and files. */
static void build_tree(struct pf_trace *tr)
{
	static const char args[] = "cat\0/etc/hosts\0";

	pf_trace_init(tr, cmd_sh, "bpf");
	pf_trace_add_root(tr, 100, 1, 1000);
	pf_trace_on_exec(tr, 100, 1100, "/usr/bin/dash", "sh\0-c\0true", 11);
	pf_trace_on_fork(tr, 101, 100, 2000, "sh");
	pf_trace_on_exec(tr, 101, 2500, "/usr/bin/cat", args, sizeof(args) - 1);
	pf_trace_on_path(tr, 0xabc, "/etc/hosts");
	pf_trace_on_path(tr, 0xabc, "/ignored/second/name");
	pf_trace_add_file(tr, 0xabc, &(struct pf_file_stat){ .ns = 700, .bytes_read = 4096, .ops = 3 });
	pf_trace_add_file(tr, 0xdef, &(struct pf_file_stat){ .ns = 900, .bytes_written = 1, .ops = 1 });
	pf_trace_on_path(tr, 0xdef, "/tmp/out");
	/* child: exited; categories add up to its one thread's life 2000..6000 */
	pf_trace_add_cat(tr, 101, PF_CAT_EXEC, 1500);
	pf_trace_add_cat(tr, 101, PF_CAT_FILE_IO, 1600);
	pf_trace_add_cat(tr, 101, PF_CAT_CPU, 900);
	pf_trace_set_threads(tr, 101, 1, 4000);
	pf_trace_on_exit(tr, 101, 6000, 3 << 8);
	/* root: still running at the end; its thread summed 1000 cpu + 6000
	 * child_wait, then [8000, 10000) is open */
	pf_trace_set_threads(tr, 100, 1, 0);
	pf_trace_close_thread(tr, 100, 1000, PF_CAT_CHILD_WAIT, 10000,
			      (const uint64_t[PF_CAT_MAX]){ [PF_CAT_CPU] = 1000, [PF_CAT_CHILD_WAIT] = 6000 });
	pf_trace_finish(tr, 10000);
}

/* A thread still running, read while it runs on another CPU: its open
 * interval is what its life leaves after the intervals it closed, so a
 * close between the reads of last_ts and of cat_ns counts once. */
static void test_close_thread_from_its_lifetime(void **state)
{
	const uint64_t closed[PF_CAT_MAX] = { [PF_CAT_CPU] = 3000, [PF_CAT_FILE_IO] = 2000 };
	struct pf_trace tr;
	struct pf_proc *p;

	(void)state;
	pf_trace_init(&tr, cmd_sh, "bpf");
	pf_trace_add_root(&tr, 100, 1, 1000);
	p = pf_trace_proc(&tr, 100);
	assert_non_null(p);
	/* started at 1000, closed 5000 ns of intervals, now 7000: 1000 open */
	pf_trace_close_thread(&tr, 100, 1000, PF_CAT_FILE_IO, 7000, closed);
	assert_int_equal(p->cat_ns[PF_CAT_CPU], 3000);
	assert_int_equal(p->cat_ns[PF_CAT_FILE_IO], 3000);
	assert_int_equal(p->thread_ns, 6000);
	/* now read a hair before its last close: nothing open, life = closed */
	pf_trace_close_thread(&tr, 100, 1000, PF_CAT_CPU, 5500, closed);
	assert_int_equal(p->cat_ns[PF_CAT_CPU], 6000);
	assert_int_equal(p->thread_ns, 11000);
	assert_int_equal(pf_proc_cat_sum(p), p->thread_ns);
	pf_trace_free(&tr);
}

static void test_model_accounting(void **state)
{
	struct pf_trace tr;
	struct pf_proc *root, *child;

	(void)state;
	build_tree(&tr);
	root = pf_trace_proc(&tr, 100);
	child = pf_trace_proc(&tr, 101);
	assert_non_null(root);
	assert_non_null(child);
	/* the open interval closed at the end: 2000 more ns of child_wait */
	assert_int_equal(root->cat_ns[PF_CAT_CHILD_WAIT], 8000);
	assert_int_equal(root->thread_ns, 9000);
	assert_int_equal(pf_proc_cat_sum(root), root->thread_ns);
	assert_int_equal(pf_proc_cat_sum(child), child->thread_ns);
	assert_int_equal(pf_trace_identity_violations(&tr), 0);
	/* a broken process is found */
	child->cat_ns[PF_CAT_CPU] += 1;
	assert_int_equal(pf_trace_identity_violations(&tr), 1);
	child->cat_ns[PF_CAT_CPU] -= 1;
	assert_false(root->exited);
	assert_int_equal(root->end_ts, 10000);
	assert_int_equal(child->end_ts, 6000);
	assert_int_equal(pf_wait_status_to_exit_code(child->wait_status), 3);
	assert_int_equal(pf_wait_status_to_exit_code(9), 137); /* killed by SIGKILL */
	/* the first name of a path sticks */
	assert_string_equal(pf_trace_path(&tr, 0xabc), "/etc/hosts");
	assert_null(pf_trace_path(&tr, 0x123));
	pf_trace_free(&tr);
}

static void test_json(void **state)
{
	struct pf_trace tr;
	json_t *j, *procs, *p, *files;

	(void)state;
	build_tree(&tr);
	tr.root_reaped = true;
	tr.wait_status = 7 << 8;
	tr.lost_events = 2;
	j = pf_trace_to_json(&tr);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), PERFANITY_JSON_VERSION);
	assert_string_equal(json_string_value(json_object_get(j, "backend")), "bpf");
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "wall_ns")), 9000);
	assert_int_equal(json_integer_value(json_object_get(j, "lost_events")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "command"), 2)), "true");
	assert_int_equal(json_array_size(json_object_get(j, "categories")), PF_CAT_MAX);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "totals"), "child_wait")), 8000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "totals"), "cpu")), 1900);
	procs = json_object_get(j, "processes");
	assert_int_equal(json_array_size(procs), 2);
	p = json_array_get(procs, 1);
	assert_int_equal(json_integer_value(json_object_get(p, "pid")), 101);
	assert_int_equal(json_integer_value(json_object_get(p, "ppid")), 100);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "argv"), 1)), "/etc/hosts");
	assert_string_equal(json_string_value(json_object_get(p, "exe")), "/usr/bin/cat");
	assert_int_equal(json_integer_value(json_object_get(p, "start_ns")), 1000);
	assert_int_equal(json_integer_value(json_object_get(p, "end_ns")), 5000);
	assert_int_equal(json_integer_value(json_object_get(p, "exit_code")), 3);
	assert_int_equal(json_integer_value(json_object_get(p, "thread_ns")), 4000);
	assert_int_equal(json_array_size(json_object_get(p, "execs")), 1);
	/* the root is still running: no exit code */
	assert_true(json_is_null(json_object_get(json_array_get(procs, 0), "exit_code")));
	assert_true(json_is_true(json_object_get(json_array_get(procs, 0), "running_at_end")));
	/* files, by time descending */
	files = json_object_get(j, "files");
	assert_int_equal(json_array_size(files), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(files, 0), "path")), "/tmp/out");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(files, 1), "bytes_read")), 4096);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(files, 1), "ops")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "accounting"), "violations")), 0);
	json_decref(j);
	pf_trace_free(&tr);
}

/* -o to something that is not a regular file (a FIFO here; /dev/null in
 * life) writes into it and leaves it what it was: never renamed over. */
static void test_json_write_to_fifo(void **state)
{
	char dir[] = "/tmp/pf-unit-XXXXXX", fifo[64], buf[256] = "";
	json_t *j = json_pack("{s:i}", "version", 1);
	struct stat st;
	int fd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fd = open(fifo, O_RDWR | O_NONBLOCK); /* a reader, so the writer does not block */
	assert_true(fd >= 0);
	assert_int_equal(pf_json_write(j, fifo), 0);
	assert_int_equal(stat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\"version\": 1"));
	close(fd);
	unlink(fifo);
	rmdir(dir);
	json_decref(j);
}

static void test_cli(void **state)
{
	struct pf_trace_opts o;
	char *a1[] = { "trace", "-o", "x.json", "--quiet", "--", "ls", "-l", NULL };
	char *a2[] = { "trace", "python3", "-c", "pass", NULL };
	char *a3[] = { "trace", "-o", "x.json", NULL };
	char *a4[] = { "trace", "--bogus", "ls", NULL };
	char *a5[] = { "trace", "--top", "x", "ls", NULL };
	char *a6[] = { "trace", "--top", "3", "--", "--", NULL };

	(void)state;
	assert_int_equal(pf_trace_parse_args(7, a1, &o), 0);
	assert_string_equal(o.output, "x.json");
	assert_true(o.quiet);
	assert_string_equal(o.command[0], "ls");
	assert_string_equal(o.command[1], "-l");
	/* options of the command are the command's */
	assert_int_equal(pf_trace_parse_args(4, a2, &o), 0);
	assert_null(o.output);
	assert_string_equal(o.command[1], "-c");
	assert_int_equal(pf_trace_parse_args(3, a3, &o), PF_EXIT_USAGE);
	assert_int_equal(pf_trace_parse_args(3, a4, &o), PF_EXIT_USAGE);
	assert_int_equal(pf_trace_parse_args(4, a5, &o), PF_EXIT_USAGE);
	assert_int_equal(pf_trace_parse_args(5, a6, &o), 0);
	assert_int_equal(o.top_files, 3);
	assert_string_equal(o.command[0], "--");
	assert_int_equal(o.max_files, 65536);
	assert_false(o.syscalls);
	char *a7[] = { "trace", "--max-files", "4096", "--syscalls", "ls", NULL };
	char *a8[] = { "trace", "--max-files", "100", "ls", NULL };
	assert_int_equal(pf_trace_parse_args(5, a7, &o), 0);
	assert_int_equal(o.max_files, 4096);
	assert_true(o.syscalls);
	assert_int_equal(pf_trace_parse_args(4, a8, &o), PF_EXIT_USAGE);
	/* --sample[=HZ]: off by default, 99 Hz bare, --folded implies it */
	char *s1[] = { "trace", "--sample", "ls", NULL };
	char *s2[] = { "trace", "--sample=499", "ls", NULL };
	char *s3[] = { "trace", "--folded", "f.txt", "ls", NULL };
	char *s4[] = { "trace", "--sample=0", "ls", NULL };
	char *s5[] = { "trace", "--sample=9x", "ls", NULL };
	assert_int_equal(o.sample_hz, 0);
	assert_int_equal(pf_trace_parse_args(3, s1, &o), 0);
	assert_int_equal(o.sample_hz, 99);
	assert_string_equal(o.command[0], "ls"); /* not taken for HZ */
	assert_int_equal(pf_trace_parse_args(3, s2, &o), 0);
	assert_int_equal(o.sample_hz, 499);
	assert_int_equal(pf_trace_parse_args(4, s3, &o), 0);
	assert_int_equal(o.sample_hz, 99);
	assert_string_equal(o.folded, "f.txt");
	assert_int_equal(pf_trace_parse_args(3, s4, &o), PF_EXIT_USAGE);
	assert_int_equal(pf_trace_parse_args(3, s5, &o), PF_EXIT_USAGE);
}

/* The category of a thread found at attach time: the rule of syscall entry. */
static void test_attach_category(void **state)
{
	unsigned short cls[PF_SC_NR_MAX];
	unsigned long long a[6];
	long nr;
	char line[128];

	(void)state;
	pf_syscall_class_fill(cls, PF_SC_NR_MAX);
	assert_int_equal(pf_attach_parse_syscall("running\n", &nr, a), 0);
	assert_int_equal(pf_attach_parse_syscall("-1 0x7ffd1000 0x401000\n", &nr, a), 0);
	assert_int_equal(pf_attach_parse_syscall("garbage", &nr, a), -1);
	assert_int_equal(pf_attach_parse_syscall("0 0x3", &nr, a), -1); /* cut short */
	snprintf(line, sizeof(line), "%d 0x3 0x7f00 0x10000 0x0 0x0 0x0 0x7ffd 0x4010\n", SYS_read);
	assert_int_equal(pf_attach_parse_syscall(line, &nr, a), 1);
	assert_int_equal(nr, SYS_read);
	assert_int_equal(a[0], 3);
	assert_int_equal(a[2], 0x10000);
	/* what each blocked syscall counts as */
	assert_int_equal(pf_sc_category(cls[SYS_read], PF_S_IFSOCK | 0600, 0), PF_CAT_NET);
	assert_int_equal(pf_sc_category(cls[SYS_read], PF_S_IFIFO | 0600, 0), PF_CAT_SLEEP);
	assert_int_equal(pf_sc_category(cls[SYS_read], PF_S_IFREG | 0644, 0), PF_CAT_FILE_IO);
	assert_int_equal(pf_sc_category(cls[SYS_read], 0, 0), PF_CAT_OTHER);
	assert_int_equal(pf_sc_category(cls[SYS_futex], 0, 0), PF_CAT_SLEEP);
	assert_int_equal(pf_sc_category(cls[SYS_epoll_wait], 0, 0), PF_CAT_SLEEP);
	assert_int_equal(pf_sc_category(cls[SYS_wait4], 0, 0), PF_CAT_CHILD_WAIT);
	assert_int_equal(pf_sc_category(cls[SYS_accept4], 0, 0), PF_CAT_NET);
	assert_int_equal(pf_sc_category(cls[SYS_poll], 0, 1), PF_CAT_NET);
	assert_int_equal(pf_sc_category(cls[SYS_poll], 0, 0), PF_CAT_SLEEP);
	assert_int_equal(pf_sc_category(cls[SYS_openat], 0, 0), PF_CAT_FILE_IO);
	assert_int_equal(pf_sc_category(cls[SYS_execve], 0, 0), PF_CAT_EXEC);
	assert_int_equal(pf_sc_category(cls[SYS_mmap], 0, 0), PF_CAT_OTHER);
}

static void test_attach_pids(void **state)
{
	pid_t p[4];
	char err[128];

	(void)state;
	assert_int_equal(pf_attach_parse_pids("12", p, 4, err, sizeof(err)), 1);
	assert_int_equal(p[0], 12);
	assert_int_equal(pf_attach_parse_pids("12,34,5", p, 4, err, sizeof(err)), 3);
	assert_int_equal(p[2], 5);
	assert_int_equal(pf_attach_parse_pids("12,x", p, 4, err, sizeof(err)), -1);
	assert_string_equal(err, "--pid takes process ids separated by commas, not '12,x'");
	assert_int_equal(pf_attach_parse_pids("", p, 4, err, sizeof(err)), -1);
	assert_int_equal(pf_attach_parse_pids("0", p, 4, err, sizeof(err)), -1);
	assert_int_equal(pf_attach_parse_pids("-3", p, 4, err, sizeof(err)), -1);
	assert_int_equal(pf_attach_parse_pids("12,", p, 4, err, sizeof(err)), -1);
	assert_int_equal(pf_attach_parse_pids("1,2,3,4,5", p, 4, err, sizeof(err)), -1);
	assert_string_equal(err, "--pid takes at most 4 process ids");
}

/* Children of an attached process are attached; the process table grows meanwhile. */
static void test_model_attached_children(void **state)
{
	struct pf_trace tr;
	char *cmd[] = { "pants", NULL };
	const char args[] = "pantsd [/x]";

	(void)state;
	pf_trace_init(&tr, cmd, "bpf");
	pf_trace_add_root(&tr, 100, 1, 1000);
	pf_trace_add_attached(&tr, 200, 1, 900, "pantsd", "/usr/bin/python3.9", args, sizeof(args), "pantsd");
	pf_trace_add_attach_root(&tr, 200, "pantsd");
	for (uint32_t i = 0; i < 40; i++)
		pf_trace_on_fork(&tr, 300 + i, i % 2 || !i ? 200 : 300 + i - 1, 2000 + i, "python3.9");
	assert_int_equal(tr.nprocs, 42);
	assert_false(pf_trace_proc(&tr, 100)->attached);
	for (uint32_t i = 0; i < 40; i++)
		assert_true(pf_trace_proc(&tr, 300 + i)->attached);
	assert_string_equal(pf_trace_proc(&tr, 301)->inherited_argv[0], "pantsd [/x]");
	/* a fork event of a process attaching already found is not a second process */
	pf_trace_add_attached(&tr, 500, 200, 900, "sh", "/bin/sh", "sh", 3, "pantsd");
	pf_trace_on_fork(&tr, 500, 200, 3000, "sh");
	assert_int_equal(tr.nprocs, 43);
	pf_trace_free(&tr);
}

static void test_cli_pid(void **state)
{
	struct pf_trace_opts o;
	char *a1[] = { "trace", "--pid", "42,43", "-o", "t.json", NULL };
	char *a2[] = { "trace", "-p", "42", "--no-follow-pantsd", "--", "pants", "run", NULL };
	char *a3[] = { "trace", "--pid", "4x", NULL };

	(void)state;
	/* --pid alone: no command */
	assert_int_equal(pf_trace_parse_args(5, a1, &o), 0);
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[1], 43);
	assert_null(o.command);
	assert_int_equal(pf_trace_parse_args(7, a2, &o), 0);
	assert_int_equal(o.npids, 1);
	assert_true(o.no_pantsd);
	assert_string_equal(o.command[0], "pants");
	assert_int_equal(pf_trace_parse_args(3, a3, &o), PF_EXIT_USAGE);
}

/* pf_cgroup_name_matches: the cgroup Docker makes for a container, by its
 * directory's name and its parent's. */
static void test_cgroup_name(void **state)
{
	const char *id = "4f1c0b8e2d9a7c6b5e3f1a0d9c8b7a6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";
	char scope[PF_CG_NAME_MAX], name[PF_CG_NAME_MAX], other[PF_CG_NAME_MAX];

	(void)state;
	snprintf(scope, sizeof(scope), "docker-%s.scope", id);
	snprintf(name, sizeof(name), "%s", id);
	snprintf(other, sizeof(other), "%s", id);
	other[63] = other[63] == '0' ? '1' : '0';
	/* this container: cgroupfs (any parent) or systemd driver */
	assert_true(pf_cgroup_name_matches(name, "docker", id));
	assert_true(pf_cgroup_name_matches(name, "my-parent", id));
	assert_true(pf_cgroup_name_matches(scope, "system.slice", id));
	/* another container, or a name that only starts like it */
	assert_false(pf_cgroup_name_matches(other, "docker", id));
	snprintf(name, sizeof(name), "%sx", id);
	assert_false(pf_cgroup_name_matches(name, "docker", id));
	snprintf(scope, sizeof(scope), "docker-%s.scopes", id);
	assert_false(pf_cgroup_name_matches(scope, "system.slice", id));
	/* any container: 64 hex digits under "docker", or a docker-*.scope */
	assert_true(pf_cgroup_name_matches(other, "docker", ""));
	assert_false(pf_cgroup_name_matches(other, "dockerd", ""));
	assert_false(pf_cgroup_name_matches(other, "system.slice", ""));
	snprintf(scope, sizeof(scope), "docker-%s.scope", id);
	assert_true(pf_cgroup_name_matches(scope, "system.slice", ""));
	assert_false(pf_cgroup_name_matches("docker", "", ""));
	assert_false(pf_cgroup_name_matches("user.slice", "", ""));
	assert_true(pf_cg_is_full_id(id));
	assert_false(pf_cg_is_full_id("4f1c0b8e2d9a"));
}

static void test_cli_cgroup(void **state)
{
	struct pf_trace_opts o;
	char *a1[] = { "trace", "--container", "web", NULL };
	char *a2[] = { "trace", "--containers", "--", "docker", "run", "img", NULL };
	char *a3[] = { "trace", "--cgroup", "/sys/fs/cgroup/x", "--container", "web", NULL };
	char *a4[] = { "trace", "--container", NULL };

	(void)state;
	/* a running container alone: no command */
	assert_int_equal(pf_trace_parse_args(3, a1, &o), 0);
	assert_int_equal(o.cg_option, 'C');
	assert_string_equal(o.cg_arg, "web");
	assert_null(o.command);
	assert_int_equal(pf_trace_parse_args(6, a2, &o), 0);
	assert_int_equal(o.cg_option, 'A');
	assert_string_equal(o.command[0], "docker");
	/* one of them at a time */
	assert_int_equal(pf_trace_parse_args(5, a3, &o), PF_EXIT_USAGE);
	/* a value missing is said as such, not as an unknown option */
	assert_int_equal(pf_trace_parse_args(2, a4, &o), PF_EXIT_USAGE);
}

static void test_cli_user(void **state)
{
	struct pf_trace_opts o;
	char *a1[] = { "trace", "--user", "nobody", "--", "id", NULL };
	char *a2[] = { "trace", "-u", "65534", "id", NULL };
	char *a3[] = { "trace", "--user", NULL };
	char *a4[] = { "trace", "--user", "nobody", "--pid", "1", NULL };
	char *a5[] = { "trace", "id", "--user", "x", NULL };

	(void)state;
	assert_int_equal(pf_trace_parse_args(5, a1, &o), 0);
	assert_string_equal(o.user, "nobody");
	assert_string_equal(o.command[0], "id");
	assert_int_equal(pf_trace_parse_args(4, a2, &o), 0);
	assert_string_equal(o.user, "65534");
	/* a missing value; --user with no command to run as the user */
	assert_int_equal(pf_trace_parse_args(2, a3, &o), PF_EXIT_USAGE);
	assert_int_equal(pf_trace_parse_args(5, a4, &o), PF_EXIT_USAGE);
	/* after the command, --user is the command's */
	assert_int_equal(pf_trace_parse_args(4, a5, &o), 0);
	assert_null(o.user);
	assert_string_equal(o.command[1], "--user");
}

static void test_cli_backend(void **state)
{
	struct pf_trace_opts o;
	char *a1[] = { "trace", "--backend", "seccomp", "--", "ls", NULL };
	char *a2[] = { "trace", "--backend", "bpf", "ls", NULL };
	char *a3[] = { "trace", "--backend", "ebpf", "ls", NULL };
	char *a4[] = { "trace", "--backend", NULL };
	char *a5[] = { "trace", "ls", NULL };

	(void)state;
	assert_int_equal(pf_trace_parse_args(5, a1, &o), 0);
	assert_int_equal(o.backend, PF_BACKEND_SECCOMP);
	assert_int_equal(pf_trace_parse_args(4, a2, &o), 0);
	assert_int_equal(o.backend, PF_BACKEND_BPF);
	assert_int_equal(pf_trace_parse_args(4, a3, &o), PF_EXIT_USAGE);
	assert_int_equal(pf_trace_parse_args(2, a4, &o), PF_EXIT_USAGE);
	/* the default: BPF where it can load, else seccomp */
	assert_int_equal(pf_trace_parse_args(2, a5, &o), 0);
	assert_int_equal(o.backend, PF_BACKEND_AUTO);
	assert_int_equal(pf_backend_parse("auto"), PF_BACKEND_AUTO);
	assert_int_equal(pf_backend_parse(""), -1);
}

/* The seccomp filter: built from the class table; a table with no traced
 * syscall still makes a program (that allows everything). */
static void test_seccomp_filter_build(void **state)
{
	unsigned short classes[PF_SC_NR_MAX];
	struct sock_fprog prog = { 0 }, none = { 0 };

	(void)state;
	pf_syscall_class_fill(classes, PF_SC_NR_MAX);
	assert_int_equal(pf_seccomp_build(classes, PF_SC_NR_MAX, &prog), 0);
	assert_true(prog.len > 10);
	memset(classes, 0, sizeof(classes));
	assert_int_equal(pf_seccomp_build(classes, PF_SC_NR_MAX, &none), 0);
	assert_true(none.len > 0 && none.len < prog.len);
	free(prog.filter);
	free(none.filter);
}

/* The class word's flags: each its own bit, none inside the class bits. Two that
 * shared one (DIRFD and SELECT) would read a select's fd_set as a dirfd's path. */
static void test_syscall_flags_distinct(void **state)
{
	static const unsigned flags[] = { PF_SC_READS,	 PF_SC_WRITES, PF_SC_DIRFD,   PF_SC_SELECT,
					  PF_SC_MUTATES, PF_SC_SHIFT1, PF_SC_BUF1,    PF_SC_FDS_GONE };
	unsigned seen = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_int_equal(__builtin_popcount(flags[i]), 1);
		assert_int_equal(flags[i] & PF_SC_CLASS_MASK, 0);
		assert_int_equal(flags[i] & seen, 0);
		seen |= flags[i];
	}
	assert_true(seen <= 0xffff); /* the table holds 16-bit words */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_sched_category),
		cmocka_unit_test(test_category_names),
		cmocka_unit_test(test_syscall_table),
		cmocka_unit_test(test_syscall_flags_distinct),
		cmocka_unit_test(test_u64map),
		cmocka_unit_test(test_model_accounting),
		cmocka_unit_test(test_close_thread_from_its_lifetime),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_write_to_fifo),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_cli_pid),
		cmocka_unit_test(test_model_attached_children),
		cmocka_unit_test(test_attach_category),
		cmocka_unit_test(test_attach_pids),
		cmocka_unit_test(test_cgroup_name),
		cmocka_unit_test(test_cli_cgroup),
		cmocka_unit_test(test_cli_user),
		cmocka_unit_test(test_cli_backend),
		cmocka_unit_test(test_seccomp_filter_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
