/* SPDX-License-Identifier: GPL-2.0 */
/* perfanity trace, kernel side: the maps, the globals user space reads or
 * sets, the per-CPU scratch buffer and the ring buffer's helpers. */
#ifndef PF_MAPS_BPF_H
#define PF_MAPS_BPF_H

#define AT_FDCWD -100
#define O_CREAT 0100
#define PACK4(a, b, c, d) (((__u64)(a) << 24) | ((__u64)(b) << 16) | ((__u64)(c) << 8) | (d))
#define SYS_OPENAT2 437
#define ZIP_LOCAL_MAGIC 0x04034b50 /* "PK\3\4" read as a little-endian u32 */
#define ZIP_EOCD_MAGIC 0x06054b50  /* "PK\5\6" */
#define PATH_DEPTH 32       /* components walked up from a dentry */
#define NAME_READ 256       /* NAME_MAX + 1 */

/* Filled by user space before load (src/syscall_class.c). */
const volatile __u16 syscall_class[PF_SC_NR_MAX] = {};

/* Counters user space reports; never dropped silently. */
__u64 lost_events = 0;   /* ring buffer full: an event could not be delivered */
__u64 map_full = 0;      /* an aggregation map was full: time or a file row lost */
__u64 missed_switch_ins = 0; /* a thread found on a CPU with no switch-in seen */
/* Bumped whenever a traced thread may have dropped an open file: a thread's
 * cached fd -> file is good only while this has not moved. */
__u64 fd_gen = 0;
/* Set by user space when it sums up: no new thread state from then on. */
__u32 collecting = 0;

#define TASK_RUNNING 0
#define TASK_UNINTERRUPTIBLE 0x2

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* Task-local: a traced thread finds its state in its task_struct, without a
 * hash lookup, and every other thread finds nothing as cheaply. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pf_thread_state);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pf_proc_stat);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384 * 4);
	__type(key, struct pf_cat_key);
	__type(value, __u64);
} cat_ns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct pf_file_stat);
} files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct pf_archive_stat);
} archives SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PF_SC_NR_MAX);
	__type(key, __u32);
	__type(value, struct pf_syscall_stat);
} syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pf_import_stat);
} imports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pf_import_stack);
} import_stacks SEC(".maps");

/* struct file * -> path hash, and the inode it was for: a struct file freed
 * and reused for another file (a mapping's file is never closed, so its
 * entry is not forgotten at close) is told by its inode. LRU: an evicted
 * entry only costs a new walk. */
struct file_key_val {
	__u64 key;
	__u64 inode;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct file_key_val);
} file_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct scratch {
	char path[2 * PF_PATH_MAX + NAME_READ];
	struct dentry *comps[PATH_DEPTH];
	/* a path walk's counts: here, not on the stack, so that the verifier
	 * sees them as any number and checks the walk's steps once, not once
	 * per value they take */
	int walk_n;   /* components collected in comps, leaf first */
	int walk_off; /* bytes written to path */
	/* FNV-1a of path, word by word (pf_hash_path): here for the same reason */
	struct {
		__u64 h, window, flags;
		__u32 len; /* the path's length once its NUL is seen, PF_PATH_MAX before */
	} hash;
	union {
		struct pf_ev_exec exec;
		struct pf_ev_path path;
	} ev;
	char cg_name[PF_CG_NAME_MAX]; /* a cgroup directory's name, and its parent's */
	char cg_parent[PF_CG_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

static __always_inline void count(__u64 *counter)
{
	__sync_fetch_and_add(counter, 1);
}

/* The value at key, inserted as *init first if missing (NULL if the map is full). */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST); /* may lose a race: fine */
	return bpf_map_lookup_elem(map, key);
}

/* Paths and module names are many and not urgent: they wake the reader only
 * once a good part of the ring buffer is used (it also reads every 100 ms).
 * Lifecycle events wake it at once (forced: with lazy records queued, the
 * ring buffer's adaptive notification would not): an exec may need probes
 * attached. */
#define RB_WAKEUP_BYTES (2 << 20)
static __always_inline __u64 lazy_wakeup(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > RB_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
									       : BPF_RB_NO_WAKEUP;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_buf, &zero);
}

#endif
