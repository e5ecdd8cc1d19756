// SPDX-License-Identifier: GPL-2.0-only
/* --backend auto|bpf|seccomp: eBPF where it can load, seccomp elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfanity.h"
#include "trace_backend_pick.h"

#define CAP_BIT(n) (1ULL << (n))
#define PF_CAP_SYS_ADMIN 21
#define PF_CAP_PERFMON 38
#define PF_CAP_BPF 39

int pf_backend_parse(const char *name)
{
	static const char *const names[] = { "auto", "bpf", "seccomp" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(name, names[i]))
			return i;
	pf_err("--backend takes auto, bpf or seccomp, not '%s'", name);
	return -1;
}

bool pf_backend_can_bpf(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			eff = strtoull(line + 7, NULL, 16);
	fclose(f);
	return (eff & CAP_BIT(PF_CAP_SYS_ADMIN)) || ((eff & CAP_BIT(PF_CAP_BPF)) && (eff & CAP_BIT(PF_CAP_PERFMON)));
}

static struct pf_backend *open_one(const struct pf_backend_ops *ops, struct pf_trace *tr, bool verbose, bool *priv)
{
	tr->backend = ops->name;
	return ops->open(tr, verbose, priv);
}

struct pf_backend *pf_backend_open(enum pf_backend_choice choice, bool needs_bpf, struct pf_trace *tr, bool verbose,
				   const struct pf_backend_ops **ops, bool *priv)
{
	struct pf_backend *b;

	if (choice == PF_BACKEND_SECCOMP && needs_bpf) {
		pf_err("--backend seccomp follows only the command it starts: --pid, --container(s) and "
		       "--cgroup need --backend bpf");
		*priv = true; /* a usage error: exit 2 */
		return NULL;
	}
	*ops = choice == PF_BACKEND_SECCOMP ? &pf_backend_seccomp : &pf_backend_bpf;
	if (choice == PF_BACKEND_AUTO && !needs_bpf && !pf_backend_can_bpf()) {
		fprintf(stderr, "perfanity: trace: using the seccomp backend: eBPF needs root (or CAP_BPF and "
				"CAP_PERFMON); what it cannot see is listed as \"unseen\"\n");
		*ops = &pf_backend_seccomp;
	}
	b = open_one(*ops, tr, verbose, priv);
	if (!b && choice == PF_BACKEND_AUTO && !needs_bpf && *ops == &pf_backend_bpf) {
		fprintf(stderr, "perfanity: trace: using the seccomp backend: eBPF could not load (above)\n");
		*ops = &pf_backend_seccomp;
		b = open_one(*ops, tr, verbose, priv);
	}
	return b;
}
