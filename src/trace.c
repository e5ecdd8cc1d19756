/* `perfanity trace [-o FILE.json] [--quiet] -- CMD [ARGS...]`: run CMD held
 * until the probes are attached, follow its whole tree, and tell where the
 * time went. CMD's stdio passes through; we exit with its status. */
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
#include "trace_backend.h"
#include "trace_cmd.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: perfanity trace [-o FILE.json] [-q] [-v] [--top N] -- CMD [ARGS...]\n"
		"Run CMD and attribute the time of its whole process tree to categories\n"
		"(file_io, net, exec, child_wait, sleep, cpu, other, ...).\n\n"
		"  -o, --output FILE  write the trace as JSON to FILE (- for stdout)\n"
		"  -q, --quiet        no summary on stderr\n"
		"  -v, --verbose      show libbpf's messages\n"
		"      --top N        files shown in the summary (default 10)\n"
		"  -h, --help         this help\n");
}

int pf_trace_parse_args(int argc, char **argv, struct pf_trace_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "top", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->top_files = 10;
	optind = 1;
	opterr = 0;
	/* '+': stop at the first non-option, the command */
	while ((c = getopt_long(argc, argv, "+o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 0 || n > 100000) {
				pf_err("--top takes a number from 0 to 100000, not '%s'", optarg);
				return PF_EXIT_USAGE;
			}
			o->top_files = (int)n;
			break;
		}
		case 'h':
			usage(stdout);
			return 1;
		default:
			if (optopt)
				pf_err("unknown option '-%c' (try 'perfanity trace --help')", optopt);
			else
				pf_err("unknown option '%s' (try 'perfanity trace --help')", argv[optind - 1]);
			return PF_EXIT_USAGE;
		}
	}
	/* getopt_long consumed a "--": what follows, even another "--", is the command */
	if (optind >= argc) {
		pf_err("no command to trace (usage: perfanity trace [-o FILE.json] -- CMD [ARGS...])");
		return PF_EXIT_USAGE;
	}
	o->command = argv + optind;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock bpf_ktime_get_ns() reads */
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Send sig to every process of the tree still alive. */
static void signal_tree(struct pf_trace *tr, int sig)
{
	for (size_t i = 0; i < tr->nprocs; i++)
		if (!tr->procs[i].exited)
			kill((pid_t)tr->procs[i].pid, sig);
}

static int run_traced(const struct pf_trace_opts *o, const struct pf_backend_ops *ops)
{
	struct pf_trace tr;
	struct pf_backend *b;
	struct pf_child child = { .go_fd = -1, .err_fd = -1 };
	sigset_t block, old;
	bool priv = false, reaped = false;
	int status = 0, rc = PF_EXIT_FAIL, sfd = -1, pfd = -1, ep = -1, e, signals = 0;
	char *cmd_path = NULL;

	e = pf_command_lookup(o->command[0], &cmd_path);
	if (e == ENOENT) {
		pf_err("%s: command not found", o->command[0]);
		return PF_EXIT_NOTFOUND;
	} else if (e) {
		pf_err("%s: cannot execute: %s", o->command[0], strerror(e));
		return PF_EXIT_NOEXEC;
	}

	/* signals are read from a signalfd, so none is lost while we set up */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);

	pf_trace_init(&tr, o->command, ops->name);
	b = ops->open(&tr, o->verbose, &priv);
	if (!b) {
		pf_trace_free(&tr);
		free(cmd_path);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return priv ? PF_EXIT_USAGE : PF_EXIT_FAIL;
	}
	if (pf_child_spawn(&child, o->command, &old))
		goto out;
	pfd = (int)syscall(SYS_pidfd_open, child.pid, 0);
	sfd = signalfd(-1, &block, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (pfd < 0 || sfd < 0 || ep < 0) {
		pf_err("cannot watch the child: %s", strerror(errno));
		pf_child_abort(&child);
		goto out;
	}
	struct epoll_event ev = { .events = EPOLLIN };
	ev.data.fd = ops->fd(b);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = pfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);

	if (ops->attach(b, cmd_path, o->command) || ops->follow(b, child.pid)) {
		pf_child_abort(&child);
		goto out;
	}
	pf_trace_add_root(&tr, child.pid, getpid(), now_ns());
	e = pf_child_release(&child);
	if (e) {
		waitpid(child.pid, NULL, 0);
		pf_err("%s: %s", o->command[0], e == ENOENT ? "command not found" : strerror(e));
		rc = e == ENOENT ? PF_EXIT_NOTFOUND : PF_EXIT_NOEXEC;
		goto out;
	}

	while (!reaped) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, 100);

		if (n < 0 && errno != EINTR) {
			pf_err("epoll_wait: %s", strerror(errno));
			break;
		}
		ops->consume(b);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				signals++;
				/* A terminal's ^C already reached the whole foreground group;
				 * forward only what was sent to us alone. A second one ends it. */
				if (signals > 1)
					signal_tree(&tr, SIGKILL);
				else if (si.ssi_code != SI_KERNEL)
					signal_tree(&tr, (int)si.ssi_signo);
			} else if (evs[i].data.fd == pfd) {
				if (waitpid(child.pid, &status, WNOHANG) == child.pid)
					reaped = true;
			}
		}
	}
	uint64_t t_end = now_ns();

	ops->collect(b, t_end);
	tr.root_reaped = reaped;
	tr.wait_status = status;
	pf_trace_finish(&tr, t_end);
	rc = reaped ? pf_wait_status_to_exit_code(status) : PF_EXIT_FAIL;
	if (o->output) {
		json_t *j = pf_trace_to_json(&tr);

		if (pf_json_write(j, o->output) && rc == 0)
			rc = PF_EXIT_FAIL;
		json_decref(j);
	}
	if (!o->quiet)
		pf_trace_print_summary(&tr, stderr, o->top_files);
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
	int r = pf_trace_parse_args(argc, argv, &o);

	if (r)
		return r == 1 ? PF_EXIT_OK : r;
	return run_traced(&o, &pf_backend_bpf);
}
