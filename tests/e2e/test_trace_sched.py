# SPDX-License-Identifier: GPL-2.0-only
"""The scheduler's truth: time outside syscalls split into cpu (on a CPU),
runqueue (runnable, waiting for one) and fault_io (blocked in a page fault),
checked against the kernel's own accounting of the same run, which the
workloads print (getrusage, /proc/thread-self/schedstat)."""
import os
import subprocess

import pytest

from conftest import MS, PERFANITY, workload

SIZE_64M = 64 * 1024 * 1024


def kernel_numbers(stdout):
    return [int(x) for x in stdout.split()]


def test_cpu_starved_threads(trace):
    cpus = os.cpu_count()
    n = 3 * cpus  # three spinning threads per CPU: two thirds of their time runnable
    t = trace([workload("spin_threads"), str(n), "600"])
    assert t.rc == 0, t.stderr
    cpu_ns, run_delay_ns, steal_ns = kernel_numbers(t.stdout)
    cats = t.root["categories"]
    assert t.data["cpus"] == cpus
    # on a CPU: what the kernel charged the process (user + system), within 5%
    # and what the hypervisor stole meanwhile (in cpu, not in the kernel's)
    assert abs(cats["cpu"] - cpu_ns) <= 0.05 * cpu_ns + steal_ns, (t.describe(t.root), cpu_ns, steal_ns)
    # waiting for a CPU: most of the rest, and what schedstat says within 10%
    rest = t.root["thread_ns"] - cats["cpu"]
    assert cats.get("runqueue", 0) >= rest / 2, t.describe(t.root)
    assert abs(cats["runqueue"] - run_delay_ns) <= 0.10 * run_delay_ns, (t.describe(t.root), run_delay_ns)
    assert cats.get("fault_io", 0) < 20 * MS, t.describe(t.root)
    # the summary says it, with the machine's CPU count
    assert f"{cpus} CPUs" in t.stderr, t.stderr


def test_one_thread_agrees_with_the_kernel(trace):
    # however busy the machine is: cpu is what the kernel charged, runqueue
    # what schedstat says the thread waited, within 10% or 25 ms: each thread
    # reads its schedstat just before it ends, and a busy machine may still
    # preempt it for a time slice after that read
    t = trace([workload("spin_threads"), "1", "300"])
    assert t.rc == 0, t.stderr
    cpu_ns, run_delay_ns, steal_ns = kernel_numbers(t.stdout)
    cats = t.root["categories"]
    assert abs(cats["cpu"] - cpu_ns) <= 0.05 * cpu_ns + steal_ns, (t.describe(t.root), cpu_ns, steal_ns)
    assert abs(cats.get("runqueue", 0) - run_delay_ns) <= max(0.1 * run_delay_ns, 25 * MS), \
        (t.describe(t.root), run_delay_ns)


def evict(path):
    """The file's pages out of the page cache: written back, then dropped."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


@pytest.fixture
def mapped_file(tmp_path):
    fstype = subprocess.run(["stat", "-f", "-c", "%T", str(tmp_path)], capture_output=True,
                            text=True).stdout.strip()
    if fstype == "tmpfs":
        pytest.skip("the test directory is on tmpfs: its pages cannot be evicted")
    path = os.path.realpath(tmp_path / "mapped.bin")
    with open(path, "wb") as f:
        for _ in range(SIZE_64M // (1 << 20)):
            f.write(os.urandom(1 << 20))
    return path


def test_fault_io_cold_and_warm(trace, mapped_file):
    evict(mapped_file)
    cold = trace([workload("map_touch"), mapped_file])
    assert cold.rc == 0, cold.stderr
    pages, faults = kernel_numbers(cold.stdout)
    assert pages == SIZE_64M // os.sysconf("SC_PAGESIZE")
    row = cold.file(mapped_file)
    # every fault of the loop was in the mapping: the file's count is the kernel's
    assert row["faults"] == faults, (row, faults)
    assert faults >= 1, faults
    # the process waited for the disk outside any syscall, and the file has that wait
    fio = cold.root["categories"].get("fault_io", 0)
    assert fio > 0, cold.describe(cold.root)
    assert 0 < row["fault_ns"] <= fio, (row, fio)
    assert row["fault_ns"] >= 0.9 * fio, (row, fio)
    # no syscall read it: the bytes came in through faults
    assert row["bytes_read"] == 0, row
    assert "page faults in its mapping waited for the disk" in cold.stderr, cold.stderr

    warm = trace([workload("map_touch"), mapped_file])
    assert warm.rc == 0, warm.stderr
    _, warm_faults = kernel_numbers(warm.stdout)
    wrow = warm.file(mapped_file)
    assert wrow["faults"] == warm_faults, (wrow, warm_faults)
    # in the page cache, the faults map pages and wait for nothing
    assert wrow["fault_ns"] * 10 <= row["fault_ns"], (wrow, row)


def test_report_says_cpu_starved(trace, tmp_path):
    t = trace([workload("spin_threads"), str(3 * os.cpu_count()), "300"])
    out = subprocess.run([PERFANITY, "report", t.argv[3]], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "CPU-starved: " in out.stdout, out.stdout
    assert f"waiting for a CPU on {os.cpu_count()} CPUs" in out.stdout, out.stdout


def test_compare_names_cpu_starvation(trace):
    one = trace([workload("spin_threads"), "1", "300"])
    many = trace([workload("spin_threads"), str(3 * os.cpu_count()), "300"])
    out = subprocess.run([PERFANITY, "report", one.argv[3], many.argv[3]], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # the spinning time moved from cpu to runqueue on the path, and the cause says why
    causes = [l for l in out.stdout.splitlines() if l.strip()[:2] in ("1.", "2.")]
    assert any("runqueue: " in l and "CPU-starved: " in l and f"on {os.cpu_count()} CPUs" in l
               for l in causes), out.stdout
