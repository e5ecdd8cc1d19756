#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tracer overhead benchmark for perfanity (run by bench/run.sh / `make bench`).

For each workload, runs it untraced and under each tracer (perfanity trace,
strace -f -c, perf trace -s when it works here), interleaved round-robin so
drift hits every tracer alike, and prints the median wall times, the ratios
traced/untraced and the added milliseconds.

Two walls are measured per run:
  command     CMD's own wall time, taken by pf_timeit inside the tracer: what the
              tracer costs the traced work (the number the targets are about).
  end to end  from starting the tracer to its exit: adds the tracer's fixed
              start-up and tear-down (BPF load/attach, ptrace attach, summary).
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"  # Debian's interpreter, not whatever is first on PATH
PEX = os.path.join(ROOT, ".venv", "bin", "pex")


class Workload:
    def __init__(self, key, title, argv, fresh_env=None, runs_factor=1):
        self.key, self.title, self.argv = key, title, argv
        # Short workloads get more runs: their medians are the noisiest and cheap.
        self.runs_factor = runs_factor
        # fresh_env() -> (extra env, cleanup); used for a cold PEX_ROOT per run.
        self.fresh_env = fresh_env or (lambda: ({}, lambda: None))


def build_pex(workdir):
    """A small zipapp: one local module (-D) plus Debian's setuptools wheel, so
    the first run really extracts and installs a distribution into PEX_ROOT.
    Built offline (--no-pypi, local --find-links)."""
    pex_file = os.path.join(workdir, "bench-app.pex")
    if os.path.exists(pex_file):
        return pex_file
    src = os.path.join(workdir, "pex-src")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(src, "pf_bench_app.py"), "w") as f:
        f.write('GREETING = "hello from a pex"\n')
    cmd = [PEX, "--python", PYTHON, "-D", src, "-o", pex_file + ".tmp"]
    wheels = glob.glob("/usr/share/python-wheels/setuptools-*.whl")
    if wheels:
        cmd += ["--no-pypi", "-f", os.path.dirname(wheels[0]), "setuptools"]
    else:
        print("bench: no Debian setuptools wheel; the pex holds only a module", file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    os.rename(pex_file + ".tmp", pex_file)
    return pex_file


def cold_pex_root():
    root = tempfile.mkdtemp(prefix="pf-bench-pex-root-")
    return {"PEX_ROOT": root}, lambda: shutil.rmtree(root, ignore_errors=True)


def warm_pex_root(workdir):
    """One PEX_ROOT, filled by a first run before any timing: every timed run is warm
    (issue 4's warm case, with the import and inflate probes attached all the same)."""
    root = os.path.join(workdir, "pex-root-warm")
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([PYTHON, build_pex(workdir), "-c", "pass"], env=dict(os.environ, PEX_ROOT=root),
                   check=True, stdout=subprocess.DEVNULL)
    return lambda: ({"PEX_ROOT": root}, lambda: None)


def pants_workload():
    """(e) a cold `pants package` without pantsd, of the example's zipapp target: a fresh
    copy of the build root and empty store, named caches and sandboxes per run. None
    when set-up did not install Pants (no CPython 3.9)."""
    pants = os.path.join(ROOT, ".venv-pants", "bin", "pants")
    offline = os.path.join(ROOT, ".cache", "pants", "offline.toml")
    if not (os.access(pants, os.X_OK) and os.path.exists(offline)):
        return None

    def fresh():
        d = tempfile.mkdtemp(prefix="pf-bench-pants-")
        shutil.copytree(os.path.join(ROOT, "examples"), os.path.join(d, "examples"))
        os.makedirs(os.path.join(d, "caches", "sandboxes"))
        env = {"PF_PANTS_ROOT": os.path.join(d, "examples"), "PANTS_PANTSD": "false",
               "PANTS_LOCAL_STORE_DIR": os.path.join(d, "caches", "lmdb"),
               "PANTS_NAMED_CACHES_DIR": os.path.join(d, "caches", "named"),
               "PANTS_LOCAL_EXECUTION_ROOT_DIR": os.path.join(d, "caches", "sandboxes")}
        return env, lambda: shutil.rmtree(d, ignore_errors=True)

    cmd = (f'cd "$PF_PANTS_ROOT" && exec {pants} "--pants-config-files=[\'pants.toml\', \'{offline}\']" '
           f'package simple:bin@execution_mode=zipapp,layout=zipapp')
    return Workload("e", "(e) pants package, cold, no pantsd", ["/bin/sh", "-c", cmd], fresh)


def perf_trace_works():
    try:
        p = subprocess.run(["perf", "trace", "-s", "-o", "/dev/null", "--", "/bin/true"],
                           capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False, "perf not installed"
    if p.returncode != 0:
        return False, (p.stderr.decode(errors="replace").strip().splitlines() or ["failed"])[-1]
    return True, ""


def run_once(prefix, timeit, workload, scratch):
    """One run; returns (command_ns, end_to_end_ns, perfanity json or None)."""
    env = dict(os.environ)
    extra, cleanup = workload.fresh_env()
    env.update(extra)
    inner_file = os.path.join(scratch, "inner-ns")
    json_file = os.path.join(scratch, "trace.json")
    for f in (inner_file, json_file):
        if os.path.exists(f):
            os.unlink(f)
    argv = [a.replace("{json}", json_file) for a in prefix] + [timeit, inner_file] + workload.argv
    err_file = os.path.join(scratch, "stderr")
    try:
        with open(err_file, "wb") as err:
            t0 = time.monotonic_ns()
            rc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err).returncode
            outer = time.monotonic_ns() - t0
    finally:
        cleanup()
    inner, cmd_status = None, None
    if os.path.exists(inner_file):
        with open(inner_file) as f:
            inner, cmd_status = (int(x) for x in f.read().split())
    if cmd_status != 0:
        # The command itself failed (or never ran): the numbers mean nothing.
        with open(err_file, errors="replace") as f:
            tail = f.read()[-2000:]
        raise RuntimeError(f"{' '.join(argv)} exited {rc} (command status {cmd_status}):\n{tail}")
    data = None
    if os.path.exists(json_file):
        with open(json_file) as f:
            data = json.load(f)
    return inner, outer, data, rc


def fmt_ratio(traced, base):
    return f"{traced / base:6.2f}x {(traced - base) / 1e6:+9.1f}" if traced else f"{'n/a':>17}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfanity", default=os.path.join(ROOT, "build", "perfanity"))
    ap.add_argument("--workloads", default=os.path.join(ROOT, "build", "workloads"))
    ap.add_argument("--timeit", default=os.path.join(ROOT, "build", "bench", "pf_timeit"))
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    ap.add_argument("--reads", type=int, default=1_000_000)
    ap.add_argument("--before", metavar="PERFANITY",
                    help="another perfanity binary (e.g. a build of an older commit), measured in the same "
                         "interleaved rounds: the per-syscall cost before and after a change")
    ap.add_argument("--only", metavar="KEYS", default="",
                    help="run only these workloads (e.g. 'a' for the small reads)")
    ap.add_argument("--tracers", metavar="NAMES", default="",
                    help="run only these tracers besides the untraced run, comma-separated "
                         "(perfanity, sample, strace, seccomp, strace_seccomp, perf, before)")
    ap.add_argument("--floor", action="store_true",
                    help="also perfanity with its syscall programs stopping at once, and once they have the "
                         "thread's state and the time (PERFANITY_BENCH_FLOOR): what (a) costs before any work")
    ap.add_argument("--pants", action="store_true",
                    help="only (e), a cold `pants package`, untraced and under perfanity (about 35 s a run)")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error("--runs must be >= 5 (medians of at least 5 runs)")
    if os.geteuid() != 0:
        sys.exit("bench: perfanity trace needs root; run as root")
    os.makedirs(args.workdir, exist_ok=True)

    data_file = os.path.realpath(os.path.join(args.workdir, "small-reads.bin"))
    with open(data_file, "wb") as f:
        f.write(b"x" * 4096)
    workloads = [
        Workload("a", f"(a) {args.reads:,} small reads (C)",
                 [os.path.join(args.workloads, "small_reads"), data_file, str(args.reads)]),
        Workload("b", "(b) python3 cold import",
                 [PYTHON, "-c", "import json, email, http.client, zipfile"], runs_factor=3),
        Workload("c", "(c) pex first run, cold PEX_ROOT",
                 [PYTHON, build_pex(args.workdir), "-c", "pass"], cold_pex_root),
        Workload("d", "(d) pex run, warm PEX_ROOT",
                 [PYTHON, build_pex(args.workdir), "-c", "pass"], warm_pex_root(args.workdir)),
    ]

    if args.only:
        workloads = [w for w in workloads if w.key in args.only]
    tracers = {
        "none": [],
        "perfanity": [args.perfanity, "trace", "--quiet", "-o", "{json}", "--"],
        "strace": ["strace", "-f", "-c", "-o", "/dev/null"],
        # The unprivileged pair (issue 11): perfanity's seccomp backend, and strace
        # filtering in the kernel the same way, on the syscalls of files, fds,
        # sockets and processes (about what perfanity's filter stops).
        "seccomp": [args.perfanity, "trace", "--quiet", "--backend", "seccomp", "-o", "/dev/null", "--"],
        # CPU samples with stacks at the default 99 Hz (issue 10)
        "sample": [args.perfanity, "trace", "--quiet", "--sample", "-o", "/dev/null", "--"],
        "strace_seccomp": ["strace", "-f", "-c", "--seccomp-bpf", "-e", "trace=%file,%desc,%network,%process",
                           "-o", "/dev/null"],
    }
    perf_ok, perf_why = perf_trace_works()
    if perf_ok:
        tracers["perf"] = ["perf", "trace", "-s", "-o", "/dev/null", "--"]
    if args.before:
        tracers["before"] = [args.before, "trace", "--quiet", "-o", "/dev/null", "--"]
    if args.floor:
        for floor in ("empty", "state"):
            tracers["floor_" + floor] = ["env", "PERFANITY_BENCH_FLOOR=" + floor, args.perfanity, "trace",
                                         "--quiet", "-o", "/dev/null", "--"]
    if args.tracers:
        wanted = args.tracers.split(",")
        unknown = [n for n in wanted if n not in tracers]
        if unknown:
            sys.exit(f"bench: --tracers: no tracer {', '.join(unknown)} here (have: {', '.join(tracers)})")
        tracers = {k: v for k, v in tracers.items() if k == "none" or k in wanted}
    if args.pants:
        w = pants_workload()
        if w is None:
            sys.exit("bench: --pants: Pants is not installed (scripts/setup.d/60-pants.sh found no CPython 3.9)")
        workloads = [w]
        tracers = {k: tracers[k] for k in ("none", "perfanity")}
    names = list(tracers)

    load_before = f"{os.getloadavg()[0]:.2f}"
    results = {}  # (workload key, tracer) -> {"inner": [...], "outer": [...]}
    lost = {}
    crashes = {}  # (workload, tracer) -> runs where the tracer exited non-zero
    last_trace = {}  # workload -> perfanity's JSON of its last run
    scratch = tempfile.mkdtemp(prefix="pf-bench-")
    try:
        for w in workloads:
            run_once([], args.timeit, w, scratch)  # warm the page cache, not counted
            runs = args.runs * w.runs_factor
            for r in range(runs):
                # Rotate the order each round so no tracer always follows the same one.
                for name in names[r % len(names):] + names[:r % len(names)]:
                    inner, outer, data, rc = run_once(tracers[name], args.timeit, w, scratch)
                    if rc != 0:
                        # The command completed; only the tracer failed at the end.
                        crashes[(w.key, name)] = crashes.get((w.key, name), 0) + 1
                    cell = results.setdefault((w.key, name), {"inner": [], "outer": []})
                    cell["inner"].append(inner)
                    cell["outer"].append(outer)
                    if name == "perfanity" and data is not None:
                        lost[w.key] = max(lost.get(w.key, 0), data.get("lost_events", 0))
                        last_trace[w.key] = data
                print(f"bench: {w.title}: round {r + 1}/{runs} done", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    med = {k: {m: statistics.median(v[m]) for m in v} for k, v in results.items()}
    low = {k: {m: min(v[m]) for m in v} for k, v in results.items()}
    traced = [n for n in names if n != "none"]
    labels = {"perfanity": "perfanity", "strace": "strace -f -c", "perf": "perf trace -s",
              "before": "perfanity before", "seccomp": "perfanity seccomp",
              "strace_seccomp": "strace --seccomp-bpf", "sample": "perfanity --sample",
              "floor_empty": "floor: empty", "floor_state": "floor: state, clock"}

    def table(title, stat, metric):
        print(f"\n{title}")
        head = f"{'workload':36} {'untraced ms':>11}"
        for n in traced:
            head += f"  {labels[n] + ' ratio  +ms':>26}"
        print(head)
        for w in workloads:
            base = stat[(w.key, "none")][metric]
            line = f"{w.title:36} {base / 1e6:11.1f}"
            for n in traced:
                line += f"  {fmt_ratio(stat[(w.key, n)][metric], base):>26}"
            print(line)

    print(f"\nperfanity tracer overhead: medians of {args.runs} runs ((b): {args.runs * 3}), "
          f"interleaved; ratio = traced wall / untraced wall; +ms = added wall time")
    print(f"load average before / after: {load_before} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs (other load on the machine widens the spread)")
    if not perf_ok:
        print(f"perf trace -s: not available here ({perf_why})")
    table("command wall, median (timed inside the tracer)", med, "inner")
    table("end to end, median (adds each tracer's start-up and exit)", med, "outer")
    table("command wall, minimum over the runs (the least disturbed run of each)", low, "inner")

    print("\ntargets (command wall):")
    if args.pants:
        ratio = med[("e", "perfanity")]["inner"] / med[("e", "none")]["inner"]
        low_ratio = low[("e", "perfanity")]["inner"] / low[("e", "none")]["inner"]
        print(f"  (e) perfanity <= 1.05x: median {ratio:.3f}x {'PASS' if ratio <= 1.05 else 'FAIL'}"
              f" (minimums: {low_ratio:.3f}x); lost_events {lost.get('e', 0)}")
        return
    per_call = {n: (med[("a", n)]["inner"] - med[("a", "none")]["inner"]) / args.reads
                for n in traced if ("a", n) in med}
    if per_call:
        print("  (a) added ns per read syscall (command wall, medians): "
              + ", ".join(f"{labels[n]} {v:.0f}" for n, v in per_call.items()))
    per_call_low = {n: (low[("a", n)]["inner"] - low[("a", "none")]["inner"]) / args.reads
                    for n in traced if ("a", n) in low}
    if per_call_low:
        print("  (a) added ns per read syscall (command wall, minimums): "
              + ", ".join(f"{labels[n]} {v:.0f}" for n, v in per_call_low.items()))
    if "before" in per_call and per_call["before"] > 0 and "perfanity" in per_call:
        r = per_call["perfanity"] / per_call["before"]
        r_low = per_call_low["perfanity"] / per_call_low["before"] if per_call_low["before"] > 0 else float("nan")
        print(f"  (a) perfanity's added cost per syscall, after / before: {r:.2f} "
              f"{'PASS' if r <= 1 / 3 else 'FAIL'} (target <= 0.33; minimums: {r_low:.2f}); whole command "
              f"{med[('a', 'perfanity')]['inner'] / med[('a', 'none')]['inner']:.2f}x untraced (target <= 1.5x)")
    if {"floor_empty", "floor_state", "perfanity"} <= per_call.keys():
        empty, state, full = (per_call[n] for n in ("floor_empty", "floor_state", "perfanity"))
        print(f"  (a) where perfanity's {full:.0f} ns per read go (medians): the two syscall tracepoints with "
              f"empty programs {empty:.0f}, finding the thread's state and reading the clock at both "
              f"{state - empty:.0f}, the work {full - state:.0f}")
        if "before" in per_call and per_call["before"] > 0:
            print(f"  (a) the floor before any work ({state:.0f} ns) is {state / per_call['before']:.2f} "
                  f"of the cost before")
    for key in ("b", "c"):
        if (key, "perfanity") not in med:
            continue
        ratio = med[(key, "perfanity")]["inner"] / med[(key, "none")]["inner"]
        low_ratio = low[(key, "perfanity")]["inner"] / low[(key, "none")]["inner"]
        print(f"  ({key}) perfanity <= 1.10x: median {ratio:.2f}x {'PASS' if ratio <= 1.10 else 'FAIL'}"
              f" (minimums: {low_ratio:.2f}x)")
    if ("a", "perfanity") in med and ("a", "strace") in med:
        added_pf = med[("a", "perfanity")]["inner"] - med[("a", "none")]["inner"]
        added_st = med[("a", "strace")]["inner"] - med[("a", "none")]["inner"]
        factor = added_st / added_pf if added_pf > 0 else float("inf")
        print(f"  (a) strace added / perfanity added >= 5: {added_st / 1e6:.1f} ms / "
              f"{added_pf / 1e6:.1f} ms = {factor:.1f} {'PASS' if factor >= 5 else 'FAIL'}")
    if ("a", "perfanity") in med:
        # The traced numbers are real: perfanity saw every one of the reads.
        rows = [f for f in last_trace.get("a", {}).get("files", []) if f["path"] == data_file]
        if rows:
            print(f"  (a) perfanity's file row: {rows[0]['ops']:,} ops, {rows[0]['bytes_read']:,} bytes read "
                  f"(expected >= {args.reads:,} ops, {args.reads * 16:,} bytes)")
        else:
            print(f"  (a) WARNING: perfanity's trace has no file row for {data_file}")
    for (key, name), n in sorted(crashes.items()):
        runs = len(results[(key, name)]["inner"])
        print(f"  note: {labels[name]} exited non-zero in {n}/{runs} runs of ({key}) after the "
              f"command had completed (kept: the command's timing is valid)")
    print(f"  perfanity lost_events (max over runs): "
          + ", ".join(f"({k}) {v}" for k, v in sorted(lost.items())))


if __name__ == "__main__":
    main()
