# SPDX-License-Identifier: GPL-2.0-only
"""Soak: tests/workloads/soak under perfanity trace. Scaled down by default (100
processes, 8 threads, 200,000 syscalls, a few seconds); `make soak` sets
PERFANITY_SOAK=full: 1,000 short-lived processes, 64 threads, 10,000,000 syscalls.
Both force pid reuse within the trace (the workload sets ns_last_pid) and check:
no loss (or losses counted and said), the identity per process, exact syscall,
op and byte counts, every child by pid (twice for a reused pid), the CPU time the
trace attributes against the kernel's own (getrusage, printed by the workload),
and perfanity's RSS flat (its peak printed)."""
import json
import os
import subprocess
import time
from collections import Counter

from conftest import PERFANITY, MS, check_identity, check_schema, workload

FULL = os.environ.get("PERFANITY_SOAK") == "full"
PROCS, THREADS, SYSCALLS, REUSES = (1000, 64, 10_000_000, 50) if FULL else (100, 8, 200_000, 5)
RING_BYTES = 8 << 20  # bpf/maps.bpf.h: the events ring buffer


def rss_kib(pid):
    """VmRSS of pid in KiB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(f.read().split("VmRSS:")[1].split()[0])
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return None


def run_soak(tmp_path):
    data_file, out = tmp_path / "one", tmp_path / "soak.json"
    data_file.write_bytes(b"x")
    cmd = [workload("soak"), str(PROCS), str(THREADS), str(SYSCALLS), str(REUSES), str(data_file)]
    t0 = time.monotonic()
    proc = subprocess.Popen([PERFANITY, "trace", "-q", "-o", str(out), "--", *cmd],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rss = []
    while proc.poll() is None:
        kib = rss_kib(proc.pid)
        if kib:
            rss.append(kib)
        time.sleep(0.02)
    stdout, stderr = proc.communicate(timeout=600)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, stderr.decode(errors="replace")
    return cmd, json.loads(out.read_text()), stdout.decode().splitlines(), rss, elapsed, str(data_file)


def test_soak(tmp_path):
    cmd, data, lines, rss, elapsed, data_file = run_soak(tmp_path)
    check_schema(data, cmd)
    check_identity(data)
    assert data["accounting"]["violations"] == 0
    # losses, and categories split between two processes of one pid by estimate (the
    # pid reused before perfanity read the first one's exit), only if counted
    lost = data["lost_events"]
    counted = {f"{lost} events lost (ring buffer full)"} if lost else set()
    splits = [w for w in data["partial"] if w.endswith("processes of a reused pid: categories split by estimate")]
    assert set(data["partial"]) - set(splits) == counted, data["partial"]
    getppids, preads, kernel_cpu_ns, reused = (int(x) for x in lines[-1].split()[1:])
    assert reused >= 1, "no pid was reused: ns_last_pid had no effect"
    children = [int(line.split()[1]) for line in lines[:-1]]
    assert len(children) >= PROCS

    # every process, by pid, as often as it ran: a reused pid is two rows
    procs = data["processes"]
    root = next(p for p in procs if p["argv"] == cmd)
    seen, ran = Counter(p["pid"] for p in procs), Counter(children + [root["pid"]])
    assert seen == ran, (lost, data["partial"], [p for p in procs if p["pid"] in seen - ran], sorted(ran - seen))
    for pid, n in Counter(children).items():
        if n > 1:
            rows = sorted((p for p in procs if p["pid"] == pid), key=lambda p: p["start_ns"])
            for a, b in zip(rows, rows[1:]):
                assert a["end_ns"] <= b["start_ns"], f"pid {pid}: two processes overlap: {a} {b}"
    assert root["threads"] == 1 + THREADS
    # each child is one thread: its thread time is its lifetime, to the ns, reused pid or not
    for p in procs:
        if p is not root:
            assert (p["threads"], p["thread_ns"]) == (1, p["end_ns"] - p["start_ns"]), p

    # exact counts, when nothing was lost (losses are ring-buffer events, not these sums)
    calls = {s["name"]: s["calls"] for s in data["syscalls"]}
    assert calls["getppid"] == getppids == SYSCALLS // 2 // THREADS * THREADS
    row = next(f for f in data["files"] if f["path"] == data_file)
    assert (row["ops"], row["bytes_read"]) == (preads + 1, preads), row  # + the open
    assert calls["pread64"] >= preads

    # against the kernel's account of the same processes' CPU time (getrusage):
    # what the trace calls cpu ran on a CPU, so it is no more than that, and the
    # time not known to be off a CPU is at least that (slack: a process's teardown
    # after its exit event, its memory unmapped, measured at up to 0.3 ms here)
    cpu = sum(p["categories"].get("cpu", 0) for p in procs)
    not_off = sum(p["thread_ns"] - sum(p["categories"].get(c, 0) for c in ("sleep", "child_wait", "runqueue"))
                  for p in procs)
    assert cpu <= kernel_cpu_ns * 1.02 + 10 * MS, (cpu, kernel_cpu_ns)
    assert kernel_cpu_ns <= not_off * 1.02 + len(procs) * MS // 2 + 20 * MS, (kernel_cpu_ns, not_off)

    # RSS flat: no more than its start-up (libbpf, the kernel's BTF: under 16 MiB),
    # the ring buffer's pages (touched as the reader goes round) and a row per process
    # (its argv and exec record: 8 KiB), however many syscalls; in the long run, past
    # its first half it grows by no more than the ring and the rows
    peak, first_half = max(rss), max(rss[: max(1, len(rss) // 2)])
    budget = RING_BYTES // 1024 + 8 * len(procs)
    assert peak <= 16 * 1024 + budget, f"perfanity's RSS reached {peak} KiB"
    if FULL:
        assert peak - first_half <= budget, (first_half, peak)
    print(f"\nsoak: {len(procs)} processes ({sum(n > 1 for n in Counter(children).values())} pids reused), "
          f"{THREADS} threads, {getppids + preads:,} syscalls in {elapsed:.1f} s; lost events {lost}; "
          f"{splits[0].split()[0] if splits else 0} category splits estimated; "
          f"identity violations {data['accounting']['violations']}; cpu {cpu / 1e6:.0f} ms vs kernel "
          f"{kernel_cpu_ns / 1e6:.0f} ms; perfanity RSS first half {first_half / 1024:.1f} MiB, "
          f"peak {peak / 1024:.1f} MiB")
