// SPDX-License-Identifier: GPL-2.0-only
/* A trace as JSON: the contract documented in README.md ("Trace JSON"). */
#include <string.h>
#include <sys/wait.h>
#include "perfanity.h"
#include "categories.h"
#include "trace_model.h"
#include "trace_folded.h"
#include "trace_partial.h"
#include "trace_python.h"
#include "samples.h"
#include "trace_syscalls.h"
#include "dir_group.h"

static json_t *argv_json(char **argv)
{
	json_t *a = json_array();

	for (size_t i = 0; argv && argv[i]; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}

static json_t *cats_json(const uint64_t *ns)
{
	json_t *o = json_object();

	for (unsigned c = 0; c < PF_CAT_MAX; c++)
		json_object_set_new(o, pf_cat_name(c), json_integer((json_int_t)ns[c]));
	return o;
}

static json_int_t rel(const struct pf_trace *tr, uint64_t ts)
{
	return ts > tr->t0 ? (json_int_t)(ts - tr->t0) : 0;
}

static json_t *proc_json(const struct pf_trace *tr, const struct pf_proc *p)
{
	json_t *o = json_object(), *execs = json_array();
	char **argv = p->nexecs ? p->execs[p->nexecs - 1].argv : p->inherited_argv;
	const char *exe = p->nexecs ? p->execs[p->nexecs - 1].exe : p->inherited_exe;

	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "ppid", json_integer(p->ppid));
	json_object_set_new(o, "argv", argv_json(argv));
	json_object_set_new(o, "exe", json_string(exe ? exe : ""));
	json_object_set_new(o, "comm", json_string(p->comm ? p->comm : ""));
	json_object_set_new(o, "start_ns", json_integer(rel(tr, p->start_ts)));
	json_object_set_new(o, "end_ns", json_integer(rel(tr, p->end_ts)));
	json_object_set_new(o, "exit_code", p->exited ? json_integer(pf_wait_status_to_exit_code(p->wait_status))
						      : json_null());
	if (p->exited && WIFSIGNALED(p->wait_status))
		json_object_set_new(o, "signal", json_integer(WTERMSIG(p->wait_status)));
	json_object_set_new(o, "running_at_end", json_boolean(!p->exited));
	json_object_set_new(o, "attached", json_boolean(p->attached));
	json_object_set_new(o, "threads", json_integer(p->threads));
	json_object_set_new(o, "thread_ns", json_integer((json_int_t)p->thread_ns));
	json_object_set_new(o, "categories", cats_json(p->cat_ns));
	for (size_t i = 0; i < p->nexecs; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "ts_ns", json_integer(rel(tr, p->execs[i].ts)));
		json_object_set_new(e, "exe", json_string(p->execs[i].exe));
		json_object_set_new(e, "argv", argv_json(p->execs[i].argv));
		json_array_append_new(execs, e);
	}
	json_object_set_new(o, "execs", execs);
	return o;
}

/* Files rolled up by directory (PEX_ROOT areas, site-packages, ...). */
static json_t *dirs_json(struct pf_trace *tr)
{
	static struct pf_dir_sum sums[PF_TRACE_DIRS_MAX];
	size_t n = pf_trace_dirs(tr, sums, PF_TRACE_DIRS_MAX);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "dir", sums[i].dir,
						   "files", (json_int_t)sums[i].files, "ops", (json_int_t)sums[i].ops,
						   "ns", (json_int_t)sums[i].ns, "fault_ns", (json_int_t)sums[i].fault_ns,
						   "bytes_read", (json_int_t)sums[i].bytes_read,
						   "bytes_written", (json_int_t)sums[i].bytes_written));
	return a;
}

/* Why the trace does not cover the whole run: [] when it does. */
static json_t *partial_json(const struct pf_trace *tr)
{
	char why[PF_PARTIAL_MAX][PF_PARTIAL_LEN];
	size_t n = pf_trace_partial(tr, why);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(why[i]));
	return a;
}

/* A process's cpu category, for the samples' split of it. */
static uint64_t proc_cpu_ns(void *arg, uint32_t pid)
{
	struct pf_proc *p = pf_trace_proc(arg, pid);

	return p ? p->cat_ns[PF_CAT_CPU] : 0;
}

json_t *pf_trace_to_json(struct pf_trace *tr)
{
	json_t *root = json_object(), *cats = json_array(), *procs = json_array(), *files = json_array();
	uint64_t totals[PF_CAT_MAX] = { 0 };

	for (unsigned c = 0; c < PF_CAT_MAX; c++)
		json_array_append_new(cats, json_string(pf_cat_name(c)));
	for (size_t i = 0; i < tr->nprocs; i++) {
		for (unsigned c = 0; c < PF_CAT_MAX; c++)
			totals[c] += tr->procs[i].cat_ns[c];
		json_array_append_new(procs, proc_json(tr, &tr->procs[i]));
	}
	pf_trace_sort_files(tr);
	for (size_t i = 0; i < tr->nfiles; i++) {
		const struct pf_file_row *f = &tr->files[i];
		const char *path = pf_trace_path(tr, f->hash);
		json_t *o;

		if (!f->st.ops && !f->st.faults)
			continue; /* seen, but neither a syscall completed on it nor a fault in it */
		o = json_object();
		json_object_set_new(o, "path", json_string(path ? path : "?"));
		json_object_set_new(o, "ns", json_integer((json_int_t)f->st.ns));
		json_object_set_new(o, "bytes_read", json_integer((json_int_t)f->st.bytes_read));
		json_object_set_new(o, "bytes_written", json_integer((json_int_t)f->st.bytes_written));
		json_object_set_new(o, "ops", json_integer((json_int_t)f->st.ops));
		json_object_set_new(o, "mutations", json_integer((json_int_t)f->st.mutations));
		json_object_set_new(o, "faults", json_integer((json_int_t)f->st.faults));
		json_object_set_new(o, "fault_ns", json_integer((json_int_t)f->st.fault_ns));
		json_array_append_new(files, o);
	}

	json_object_set_new(root, "version", json_integer(PERFANITY_JSON_VERSION));
	json_object_set_new(root, "tool", json_string("perfanity " PERFANITY_VERSION));
	json_object_set_new(root, "backend", json_string(tr->backend));
	if (tr->unseen) {
		/* what this backend cannot see: those times are in cpu, never guessed */
		json_t *u = json_array();

		for (const char *const *w = tr->unseen; *w; w++)
			json_array_append_new(u, json_string(*w));
		json_object_set_new(root, "unseen", u);
	}
	json_object_set_new(root, "command", argv_json(tr->command));
	json_object_set_new(root, "exit_code", tr->root_reaped ? json_integer(pf_wait_status_to_exit_code(tr->wait_status))
							      : json_null());
	json_object_set_new(root, "wall_ns", json_integer(rel(tr, tr->t_end)));
	/* runqueue time means something only against how many CPUs there were */
	json_object_set_new(root, "cpus", json_integer(tr->cpus));
	json_object_set_new(root, "lost_events", json_integer((json_int_t)(tr->lost_events + tr->map_full)));
	json_object_set_new(root, "partial", partial_json(tr));
	/* not lost: each one's interval was split by the kernel's own totals */
	json_object_set_new(root, "missed_switch_ins", json_integer((json_int_t)tr->missed_switch_ins));
	json_object_set_new(root, "accounting", json_pack("{s:s, s:i}",
		"identity", "for every process: sum(categories) == thread_ns, the sum of its threads' lifetimes",
		"violations", (json_int_t)pf_trace_identity_violations(tr)));
	json_object_set_new(root, "categories", cats);
	json_object_set_new(root, "totals", cats_json(totals));
	json_object_set_new(root, "processes", procs);
	json_t *att = json_array();

	for (size_t i = 0; i < tr->nattach_roots; i++)
		json_array_append_new(att, json_pack("{s:i, s:s}", "pid", (json_int_t)tr->attach_roots[i].pid,
						     "how", tr->attach_roots[i].how));
	json_object_set_new(root, "attached", att);
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "syscalls", pf_trace_syscalls_json(tr));
	if (!strcmp(tr->backend, "bpf")) /* the seccomp backend does not see sockets' peers */
		json_object_set_new(root, "net_peers", pf_trace_net_json(tr));
	json_object_set_new(root, "dirs", dirs_json(tr));
	pf_trace_python_json(tr, root);
	/* with a timeline (--flame, --perfetto), the flame graph's stacks, for report --html */
	if (tr->tl.on)
		json_object_set_new(root, "folded_time", pf_model_folded_json(tr));
	if (tr->samples)
		json_object_set_new(root, "samples", pf_samples_to_json(tr->samples, proc_cpu_ns, tr, 10));
	return root;
}
