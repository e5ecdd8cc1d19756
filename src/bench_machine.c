// SPDX-License-Identifier: GPL-2.0-only
/* Machine information recorded with every bench result: results are only comparable
 * when you know what they ran on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "bench_run.h"
#include "bench_template.h"

/* First line a command prints (stdout and stderr), or "" when it fails. */
static json_t *first_line_of(const char *exe, const char *arg)
{
	char *q = bench_shell_quote(exe), *cmd = NULL;
	char line[512] = "";
	if (q && asprintf(&cmd, "%s %s 2>&1", q, arg) >= 0) {
		FILE *p = popen(cmd, "r");
		if (p) {
			if (!fgets(line, sizeof(line), p))
				line[0] = 0;
			pclose(p);
		}
	}
	free(q);
	free(cmd);
	line[strcspn(line, "\n")] = 0;
	return json_string(line);
}

static json_t *cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	json_t *model = NULL;
	while (f && !model && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *v = strchr(line, ':');
			if (v) {
				v += 1 + strspn(v + 1, " \t");
				v[strcspn(v, "\n")] = 0;
				model = json_string(v);
			}
		}
	}
	if (f)
		fclose(f);
	return model ? model : json_string("unknown");
}

static json_t *mem_total_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? json_integer((json_int_t)pages * size) : json_null();
}

json_t *bench_machine_info(const char *python, const char *pex)
{
	json_t *j = json_object();
	struct utsname u;
	if (!uname(&u)) {
		char kernel[600];
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.version);
		json_object_set_new(j, "kernel", json_string(kernel));
		json_object_set_new(j, "arch", json_string(u.machine));
		json_object_set_new(j, "hostname", json_string(u.nodename));
	}
	json_object_set_new(j, "cpu_model", cpu_model());
	json_object_set_new(j, "cores", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(j, "memory_bytes", mem_total_bytes());
	json_object_set_new(j, "python", first_line_of(python, "--version"));
	json_object_set_new(j, "python_path", json_string(python));
	if (pex) {
		json_object_set_new(j, "pex_version", first_line_of(pex, "--version"));
		json_object_set_new(j, "pex_path", json_string(pex));
	}
	return j;
}

/* user+nice+system+... and idle+iowait jiffies from /proc/stat's first line. */
static int cpu_jiffies(unsigned long long *busy, unsigned long long *idle)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
			   &v[5], &v[6], &v[7]) : 0;
	if (f)
		fclose(f);
	if (n < 5)
		return -1;
	*idle = v[3] + v[4];
	*busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return 0;
}

int bench_preflight(char *buf, size_t len)
{
	double load = -1;
	unsigned long long b0, i0, b1, i1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	double busy = -1;
	if (!cpu_jiffies(&b0, &i0)) {
		usleep(300000);
		if (!cpu_jiffies(&b1, &i1) && b1 + i1 > b0 + i0)
			busy = 100.0 * (double)(b1 - b0) / (double)(b1 + i1 - b0 - i0);
	}
	if ((load >= 0 && load > 0.5 * (double)ncpu) || busy > 25) {
		snprintf(buf, len, "the machine is busy before the bench starts (load average %.2f on %ld CPUs, other "
			 "processes using %.0f%% of the CPU time): expect noisy cells; the cpu figures (--stats, "
			 "cpu_median in --json) move far less with other load than wall time", load, ncpu, busy);
		return 1;
	}
	return 0;
}
