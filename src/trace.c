// SPDX-License-Identifier: GPL-2.0-only
/* `perfanity trace [-o FILE.json] [--quiet] [--pid PID,...] -- CMD [ARGS...]`:
 * run CMD held until the probes are attached, follow its whole tree (and the
 * running trees attached to: --pid, or the pantsd a pants command talks to),
 * and tell where the time went. CMD's stdio passes through; we exit with its
 * status. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "perfanity.h"
#include "pf_json.h"
#include "launch.h"
#include "launch_user.h"
#include "pants.h"
#include "trace_attach.h"
#include "trace_container.h"
#include "pf_cli.h"
#include "trace_backend.h"
#include "trace_backend_pick.h"
#include "trace_cmd.h"
#include "trace_partial.h"
#include "trace_pictures.h"
#include "trace_sample.h"
#include "samples.h"
#include "trace_syscalls.h"

/* getopt_long's values of the long-only options. */
enum {
	OPT_TOP = PF_OPT_LONG,
	OPT_SYSCALLS,
	OPT_MAX_FILES,
	OPT_NO_PANTSD,
	OPT_CONTAINER,
	OPT_CONTAINERS,
	OPT_CGROUP,
	OPT_BACKEND,
	OPT_PERFETTO,
	OPT_FLAME,
	OPT_FOLDED_TIME,
	OPT_RUN_MIN,
	OPT_SAMPLE,
	OPT_FOLDED,
};

/* The options, in --help's order; getopt_long's table is made from this one. */
static const struct pf_opt trace_opts[] = {
	{ "output", 'o', required_argument, "FILE", "write the trace as JSON to FILE (- for stdout)" },
	{ "quiet", 'q', no_argument, NULL, "no summary on stderr" },
	{ "perfetto", OPT_PERFETTO, required_argument, "FILE",
	  "write a timeline as Chrome trace-event JSON (open it\n"
	  "in ui.perfetto.dev): per thread its categories, per\n"
	  "process its lifetime and images, imports nested" },
	{ "flame", OPT_FLAME, required_argument, "FILE",
	  "write a flame graph (SVG, searchable, click to zoom)\n"
	  "of thread time: process, category, imports, file" },
	{ "folded-time", OPT_FOLDED_TIME, required_argument, "FILE",
	  "write the flame graph's stacks, folded (FlameGraph,\n"
	  "speedscope), in microseconds" },
	{ "run-min-us", OPT_RUN_MIN, required_argument, "N",
	  "with the three above: a thread's stretch of one\n"
	  "category shorter than N us is counted, not drawn\n"
	  "(default 10; 0 draws all)" },
	{ "verbose", 'v', no_argument, NULL,
	  "show libbpf's messages, the verifier's time per program and\n"
	  "what loading, attaching and detaching cost" },
	{ "top", OPT_TOP, required_argument, "N", "files shown in the summary (default 10)" },
	{ "syscalls", OPT_SYSCALLS, no_argument, NULL, "the syscall table (calls, errors, time, bytes), as strace -c" },
	{ "max-files", OPT_MAX_FILES, required_argument, "N", "files the kernel keeps rows for (default 65536)" },
	{ "pid", 'p', required_argument, "PID,...",
	  "also attach to these running processes and their\n"
	  "descendants, for CMD's lifetime; without CMD, until\n"
	  "Ctrl-C or until they have all exited" },
	{ "no-follow-pantsd", OPT_NO_PANTSD, no_argument, NULL, "a pants CMD's running pantsd is not attached to" },
	{ "container", OPT_CONTAINER, required_argument, "NAME",
	  "also trace the processes of this Docker container:\n"
	  "attached if it runs, and each process that starts\n"
	  "in it (docker start, docker exec) from its exec on" },
	{ "containers", OPT_CONTAINERS, no_argument, NULL,
	  "the processes of every Docker container started\n"
	  "while CMD runs (CMD: docker run ...)" },
	{ "cgroup", OPT_CGROUP, required_argument, "DIR",
	  "the processes of this cgroup (a directory under\n"
	  "/sys/fs/cgroup, v1 or v2): its members, and those\n"
	  "that exec in it" },
	{ "backend", OPT_BACKEND, required_argument, "B",
	  "auto (default), bpf or seccomp. bpf needs root (or\n"
	  "CAP_BPF and CAP_PERFMON); seccomp needs nothing: a\n"
	  "seccomp filter stops only the syscalls the categories\n"
	  "need and perfanity follows them with ptrace, so run-\n"
	  "queue, page faults, imports and inflates are not seen\n"
	  "(listed as \"unseen\"). auto: bpf where it can load,\n"
	  "else seccomp, said in one line" },
	{ "sample", OPT_SAMPLE, optional_argument, "HZ",
	  "CPU samples with stacks (kernel, native, Python) of\n"
	  "the traced threads, HZ a second on each CPU (1 to\n"
	  "10000; default 99: off the kernel's 100/250/1000 Hz\n"
	  "ticks, so periodic work is not sampled in lockstep,\n"
	  "and a 10 s command still gets ~1000 samples). The\n"
	  "JSON gets `samples`: per process, its samples split\n"
	  "by Python function, native library and function and\n"
	  "kernel path" },
	{ "folded", OPT_FOLDED, required_argument, "FILE",
	  "write the samples as folded stacks (FlameGraph,\n"
	  "speedscope): \"proc (pid);frame;... count\"; implies --sample" },
	{ "user", 'u', required_argument, "NAME",
	  "run CMD as this user (a name or a uid), with their\n"
	  "groups, HOME, USER and LOGNAME, as strace -u does;\n"
	  "under sudo the default is the invoking user\n"
	  "(SUDO_UID), so files CMD writes are theirs;\n"
	  "--user root runs CMD as root" },
	{ "help", 'h', no_argument, NULL, "this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: perfanity trace [-o FILE.json] [-q] [-v] [--top N] [--syscalls] [--pid PID[,PID...]] [--backend B] [--user NAME]\n"
		"                       [--perfetto FILE.json] [--flame FILE.svg] [--folded-time FILE] [--run-min-us N]\n"
		"                       [--sample[=HZ]] [--folded FILE]\n"
		"                       [--container NAME | --containers | --cgroup DIR] [-- CMD [ARGS...]]\n"
		"Run CMD and attribute the time of its whole process tree to categories\n"
		"(file_io, net, exec, child_wait, sleep, cpu, other, ...).\n\n");
	pf_cli_options_help(f, trace_opts);
	fprintf(f, "\n"
		"A pants CMD talks to pantsd, which does the work outside CMD's tree: the\n"
		"pantsd of CMD's build root is attached to, as with --pid.\n\n"
		"CMD need not have root when perfanity has: under sudo it runs as the user\n"
		"who ran sudo, and perfanity alone keeps root. Without root, perfanity\n"
		"traces with --backend seccomp.\n\n"
		"Examples:\n"
		"  perfanity trace -o run.json -- python3 app.pex\n"
		"  perfanity trace -- pants package src/app:bin\n"
		"  sudo perfanity trace -- make       (make runs as you, not as root)\n"
		"  perfanity trace --pid 4242 -o server.json\n"
		"  perfanity trace --sample --folded app.folded -o run.json -- python3 app.py\n"
		"  perfanity trace --containers -o start.json -- docker run --rm app:latest\n"
		"\n"
		"Exit status: CMD's (128+N if a signal N killed it); 1 the trace failed, 2 bad input.\n");
}

/* An option's whole-number value in [min, max]; one line and -1 if not. */
static int parse_count(const char *option, const char *arg, int min, int max, int *out)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (!*arg || *end || n < min || n > max) {
		pf_err("%s takes a number from %d to %d, not '%s'", option, min, max, arg);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* PERFANITY_BENCH_FLOOR=empty|state, for bench/overhead.py --floor only:
 * the syscall programs stop early, so the trace follows no syscall. */
static int parse_bench_floor(struct pf_trace_opts *o)
{
	const char *v = getenv("PERFANITY_BENCH_FLOOR");

	if (!v || !v[0])
		return 0;
	if (!strcmp(v, "empty"))
		o->bench_floor = PF_FLOOR_EMPTY;
	else if (!strcmp(v, "state"))
		o->bench_floor = PF_FLOOR_STATE;
	else {
		pf_err("PERFANITY_BENCH_FLOOR=%s: not empty or state (it is for bench/overhead.py --floor)", v);
		return PF_EXIT_USAGE;
	}
	return 0;
}

int pf_trace_parse_args(int argc, char **argv, struct pf_trace_opts *o)
{
	struct pf_cli cli;
	int c;

	memset(o, 0, sizeof(*o));
	o->top_files = 10;
	o->max_files = 65536;
	o->run_min_us = 10;
	pf_cli_init_command(&cli, "trace", trace_opts);
	while ((c = pf_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_PERFETTO:
			o->perfetto = optarg;
			break;
		case OPT_FLAME:
			o->flame = optarg;
			break;
		case OPT_FOLDED_TIME:
			o->folded_time = optarg;
			break;
		case OPT_RUN_MIN:
			if (parse_count("--run-min-us", optarg, 0, 1000000000, &o->run_min_us))
				return PF_EXIT_USAGE;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_TOP:
			if (parse_count("--top", optarg, 0, 100000, &o->top_files))
				return PF_EXIT_USAGE;
			break;
		case 'p': {
			char err[128];
			int n = pf_attach_parse_pids(optarg, o->pids + o->npids, PF_TRACE_MAX_PIDS - o->npids,
						     err, sizeof(err));

			if (n < 0) {
				pf_err("%s", err);
				return PF_EXIT_USAGE;
			}
			o->npids += (size_t)n;
			break;
		}
		case OPT_NO_PANTSD:
			o->no_pantsd = true;
			break;
		case OPT_CONTAINER:
		case OPT_CONTAINERS:
		case OPT_CGROUP:
			if (o->cg_option) {
				pf_err("--container, --containers and --cgroup are one choice (%s given already)",
				       o->cg_option == 'G' ? "--cgroup" : o->cg_option == 'A' ? "--containers" : "--container");
				return PF_EXIT_USAGE;
			}
			o->cg_option = c == OPT_CGROUP ? 'G' : c == OPT_CONTAINERS ? 'A' : 'C';
			o->cg_arg = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case OPT_BACKEND:
			o->backend = pf_backend_parse(optarg);
			if (o->backend < 0)
				return PF_EXIT_USAGE;
			break;
		case OPT_SYSCALLS:
			o->syscalls = true;
			break;
		case OPT_SAMPLE: {
			int hz = PF_SAMPLE_HZ_DEFAULT;

			if (optarg && parse_count("--sample", optarg, 1, 10000, &hz))
				return PF_EXIT_USAGE;
			o->sample_hz = (unsigned)hz;
			break;
		}
		case OPT_FOLDED:
			o->folded = optarg;
			break;
		case OPT_MAX_FILES:
			if (parse_count("--max-files", optarg, 1024, 4194304, &o->max_files))
				return PF_EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return PF_EXIT_USAGE;
		}
	}
	if (o->folded && !o->sample_hz)
		o->sample_hz = PF_SAMPLE_HZ_DEFAULT;
	/* getopt_long consumed a "--": what follows, even another "--", is the command */
	if (optind >= argc && !o->npids && !o->cg_option) {
		pf_err("no command to trace (usage: perfanity trace [-o FILE.json] [--pid PID] [-- CMD [ARGS...]])");
		return PF_EXIT_USAGE;
	}
	o->command = optind < argc ? argv + optind : NULL;
	if (o->user && !o->command) {
		pf_err("--user says who runs CMD: give one (-- CMD [ARGS...])");
		return PF_EXIT_USAGE;
	}
	return parse_bench_floor(o);
}

/* Send sig to every process of the command's tree still alive; never to
 * the processes attached to: they are someone else's. */
static void signal_tree(struct pf_trace *tr, int sig)
{
	for (size_t i = 0; i < tr->nprocs; i++)
		if (!tr->procs[i].exited && !tr->procs[i].attached)
			kill((pid_t)tr->procs[i].pid, sig);
}

/* The pantsd a pants command will hand its work to, attached to (a pantsd
 * that is not running yet is started by the command: it is a descendant). */
static int attach_pantsd(struct pf_trace *tr, const struct pf_backend_ops *ops, struct pf_backend *b,
			 char **command, uint64_t ts, bool quiet)
{
	char root[4096];
	pid_t pid;

	if (!pf_pants_uses_pantsd(command) || pf_pants_buildroot(".", root, sizeof(root)))
		return 0;
	pid = pf_pantsd_find(root);
	if (pid <= 0)
		return 0;
	if (!quiet)
		fprintf(stderr, "perfanity: trace: attaching to pantsd (pid %d) of %s: the work it does "
				"for this command is traced too\n", (int)pid, root);
	return pf_attach_trees(tr, ops, b, &pid, 1, "pantsd", ts);
}

/* With --pid alone: whether every attached root has exited. */
static bool attached_roots_gone(struct pf_trace *tr)
{
	for (size_t i = 0; i < tr->nattach_roots; i++) {
		struct pf_proc *p = pf_trace_proc(tr, tr->attach_roots[i].pid);

		if (p && !p->exited && !(kill((pid_t)p->pid, 0) && errno == ESRCH))
			return false;
	}
	return true;
}

/* The watched fds; returns the epoll fd or -1. */
static int watch(int bfd, int pfd, int sfd)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int fds[] = { bfd, pfd, sfd };

	for (size_t i = 0; ep >= 0 && i < 3; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };

		if (fds[i] >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	return ep;
}

/* Events until the command is reaped (or, with --pid alone, until a signal
 * or the attached trees are gone). Returns whether the command was reaped. */
static bool follow_until_done(struct pf_trace *tr, const struct pf_backend_ops *ops, struct pf_backend *b,
			      int ep, int sfd, int pfd, pid_t child, int *status)
{
	int signals = 0;

	for (;;) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, 100);

		if (n < 0 && errno != EINTR) {
			pf_err("epoll_wait: %s", strerror(errno));
			return false;
		}
		ops->consume(b);
		if (child > 0 && ops->reaped && ops->reaped(b, child, status))
			return true;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (child <= 0)
					return false; /* --pid alone: a signal ends the trace */
				signals++;
				/* A terminal's ^C already reached the whole foreground group;
				 * forward only what was sent to us alone. A second one ends it. */
				if (signals > 1)
					signal_tree(tr, SIGKILL);
				else if (si.ssi_code != SI_KERNEL)
					signal_tree(tr, (int)si.ssi_signo);
			} else if (evs[i].data.fd == pfd && !ops->reaped && waitpid(child, status, WNOHANG) == child) {
				return true;
			}
		}
		if (child <= 0 && attached_roots_gone(tr)) {
			ops->consume(b);
			return false;
		}
	}
}

/* -o could not be written (a full disk, a directory gone): what was measured is
 * kept in $TMPDIR (or /tmp) instead, and the line says where. */
static void write_elsewhere(json_t *j, const char *output)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	if (!strcmp(output, "-"))
		return;
	snprintf(path, sizeof(path), "%s/perfanity-trace.%d.json", dir && dir[0] ? dir : "/tmp", (int)getpid());
	if (!pf_json_write(j, path))
		pf_err("the trace was written to %s instead", path);
}

/* --folded FILE: the samples' stacks; one line if there are none or the
 * file cannot be written (the JSON and the summary are written anyway). */
static int write_folded(const struct pf_trace *tr, const char *path)
{
	FILE *f;
	int n;

	if (!tr->samples) {
		pf_err("--folded %s: no samples were taken (see above): not written", path);
		return -1;
	}
	f = strcmp(path, "-") ? fopen(path, "we") : stdout;
	if (!f) {
		pf_err("--folded %s: %s", path, strerror(errno));
		return -1;
	}
	n = pf_samples_folded(tr->samples, f);
	if ((f != stdout && fclose(f)) || n < 0) {
		pf_err("--folded %s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The JSON and the summary, from what was collected; then, whatever -q says, one
 * line when the trace does not cover the whole run. */
static int write_outputs(const struct pf_trace_opts *o, struct pf_trace *tr, int rc)
{
	char partial[PF_PARTIAL_MAX * PF_PARTIAL_LEN];

	if (o->output) {
		json_t *j = pf_trace_to_json(tr);

		if (pf_json_write(j, o->output)) {
			write_elsewhere(j, o->output);
			if (rc == 0)
				rc = PF_EXIT_FAIL;
		}
		json_decref(j);
	}
	if (pf_trace_write_pictures(tr, o->perfetto, o->flame, o->folded_time) && rc == 0)
		rc = PF_EXIT_FAIL;
	if (o->folded && write_folded(tr, o->folded) && rc == 0)
		rc = PF_EXIT_FAIL;
	if (!o->quiet)
		pf_trace_print_summary(tr, stderr, o->top_files);
	if (!o->quiet && o->syscalls)
		pf_trace_print_syscalls(tr, stderr);
	if (pf_trace_partial_line(tr, partial, sizeof(partial))[0])
		pf_err("partial trace: %s", partial);
	return rc;
}

/* --container, --containers, --cgroup: the cgroup to take processes from,
 * and what runs in it already (to attach to). 0, or an exit code after one line. */
static int resolve_cgroup_option(const struct pf_trace_opts *o, struct pf_cg_target *cg, pid_t *pids, size_t *n)
{
	pid_t pid = 0;

	*n = 0;
	switch (o->cg_option) {
	case 'A':
		pf_cg_any_container(cg);
		if (!o->command) {
			pf_err("--containers follows the containers a command starts: give one (-- docker run ...)");
			return PF_EXIT_USAGE;
		}
		return 0;
	case 'C':
		if (pf_cg_resolve_container(o->cg_arg, cg, &pid))
			return PF_EXIT_USAGE;
		if (pid > 0)
			pids[(*n)++] = pid;
		else if (!o->command) {
			pf_err("--container %s is not running: give the command that starts it (-- docker start -a %s)",
			       o->cg_arg, o->cg_arg);
			return PF_EXIT_USAGE;
		}
		return 0;
	case 'G':
		if (pf_cg_resolve_dir(o->cg_arg, cg, pids, PF_TRACE_MAX_PIDS, n))
			return PF_EXIT_USAGE;
		if (!*n && !o->command) {
			pf_err("--cgroup %s has no processes: give a command that starts some there", o->cg_arg);
			return PF_EXIT_USAGE;
		}
		return 0;
	}
	return 0;
}

/* pf_child_release()'s pump: a ptrace backend lets the child through its stops. */
static const struct pf_backend_ops *pumped_ops;
static void pump_backend(void *b)
{
	pumped_ops->consume(b);
}

static int run_traced(const struct pf_trace_opts *o, const struct pf_run_as *ra)
{
	const struct pf_backend_ops *ops = &pf_backend_bpf;
	struct pf_trace tr;
	struct pf_backend *b;
	struct pf_child child = { .pid = -1, .go_fd = -1, .err_fd = -1 };
	sigset_t block, old;
	bool priv = false, reaped;
	int status = 0, rc = PF_EXIT_FAIL, sfd = -1, pfd = -1, ep = -1, e;
	char *cmd_path = NULL;
	pid_t cg_pids[PF_TRACE_MAX_PIDS];
	size_t n_cg_pids = 0;

	if (o->command) {
		e = pf_command_lookup(o->command[0], &cmd_path);
		if (e == ENOENT) {
			pf_err("%s: command not found", o->command[0]);
			return PF_EXIT_NOTFOUND;
		} else if (e) {
			pf_err("%s: cannot execute: %s", o->command[0], strerror(e));
			return PF_EXIT_NOEXEC;
		}
	}

	/* signals are read from a signalfd, so none is lost while we set up */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);

	pf_trace_init(&tr, o->command, ops->name);
	tr.max_files = (uint32_t)o->max_files;
	tr.tl.on = o->perfetto || o->flame || o->folded_time;
	tr.tl.min_ns = (uint64_t)o->run_min_us * 1000;
	tr.sample_hz = o->sample_hz;
	tr.bench_floor = o->bench_floor;
	e = resolve_cgroup_option(o, &tr.cg, cg_pids, &n_cg_pids);
	if (e) {
		pf_trace_free(&tr);
		free(cmd_path);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return e;
	}
	uint64_t t_load = pf_now_ns();
	b = pf_backend_open(o->backend, o->npids || o->cg_option, &tr, o->verbose, &ops, &priv);
	t_load = pf_now_ns() - t_load;
	if (!b) {
		pf_trace_free(&tr);
		free(cmd_path);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return priv ? PF_EXIT_USAGE : PF_EXIT_FAIL;
	}
	if (o->sample_hz && ops != &pf_backend_bpf)
		pf_err("--sample needs the bpf backend (perf events and BPF): tracing without samples");
	if (o->command && pf_child_spawn(&child, o->command, &old, ra,
					     ops->child_filter ? ops->child_filter(b) : NULL))
		goto out;
	if (child.pid > 0)
		pfd = (int)syscall(SYS_pidfd_open, child.pid, 0);
	sfd = signalfd(-1, &block, SFD_CLOEXEC);
	ep = watch(ops->fd(b), pfd, sfd);
	if ((child.pid > 0 && pfd < 0) || sfd < 0 || ep < 0) {
		pf_err("cannot watch the child: %s", strerror(errno));
		goto abort;
	}
	uint64_t t_attach = pf_now_ns();
	if (ops->attach(b, cmd_path, o->command))
		goto abort;
	if (o->verbose && ops == &pf_backend_bpf)
		fprintf(stderr, "perfanity: trace: loading and verifying the BPF programs took %.3f s, attaching %.3f s\n",
			t_load / 1e9, (pf_now_ns() - t_attach) / 1e9);
	t_attach = pf_now_ns();

	if (o->npids && pf_attach_trees(&tr, ops, b, o->pids, o->npids, "pid", t_attach)) {
		rc = PF_EXIT_USAGE;
		goto abort;
	}
	if (n_cg_pids && pf_attach_trees(&tr, ops, b, cg_pids, n_cg_pids, tr.cg.how, t_attach)) {
		rc = PF_EXIT_USAGE;
		goto abort;
	}
	if (o->command && !o->no_pantsd && ops->adopt && attach_pantsd(&tr, ops, b, o->command, t_attach, o->quiet))
		goto abort;
	if (!o->command) {
		tr.t0 = t_attach;
	} else {
		if (ops->follow(b, child.pid))
			goto abort;
		pf_trace_add_root(&tr, child.pid, getpid(), pf_now_ns());
		pumped_ops = ops;
		e = pf_child_release(&child, ops->reaped ? pump_backend : NULL, b);
		if (e < 0) {
			waitpid(child.pid, NULL, 0);
			pf_err("cannot start %s (%s): %s", o->command[0],
			       ra->active ? "switching to the user" : "installing the seccomp filter", strerror(-e));
			goto out;
		}
		if (e) {
			waitpid(child.pid, NULL, 0);
			pf_err("%s: %s", o->command[0], e == ENOENT ? "command not found" : strerror(e));
			rc = e == ENOENT ? PF_EXIT_NOTFOUND : PF_EXIT_NOEXEC;
			goto out;
		}
	}

	reaped = follow_until_done(&tr, ops, b, ep, sfd, pfd, child.pid, &status);
	uint64_t t_end = pf_now_ns();

	ops->collect(b, t_end);
	if (o->verbose)
		fprintf(stderr, "perfanity: trace: reading the maps back took %.3f s\n", (pf_now_ns() - t_end) / 1e9);
	tr.root_reaped = reaped;
	tr.wait_status = status;
	pf_trace_finish(&tr, t_end);
	rc = reaped ? pf_wait_status_to_exit_code(status) : o->command ? PF_EXIT_FAIL : PF_EXIT_OK;
	rc = write_outputs(o, &tr, rc);
	goto out;
abort:
	if (child.pid > 0)
		pf_child_abort(&child);
out:
	if (ep >= 0)
		close(ep);
	if (sfd >= 0)
		close(sfd);
	if (pfd >= 0)
		close(pfd);
	ops->close(b);
	pf_trace_free(&tr);
	free(cmd_path);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int do_trace(int argc, char **argv)
{
	struct pf_trace_opts o;
	struct pf_run_as ra = { 0 };
	int r = pf_trace_parse_args(argc, argv, &o);

	if (r)
		return r == 1 ? PF_EXIT_OK : r;
	r = o.command ? pf_run_as_resolve(o.user, geteuid(), &ra) : 0;
	if (r)
		return r;
	r = run_traced(&o, &ra);
	pf_run_as_free(&ra);
	return r;
}
