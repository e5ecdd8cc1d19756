# SPDX-License-Identifier: GPL-2.0-only
"""Ground-truth numbers: trace workloads whose behaviour we know exactly and
check what perfanity attributes. Lower bounds come from sleeps the workloads
really do; upper bounds on "small" categories are generous (tens of ms), so
the tests fail when attribution is wrong, not when the machine is slow."""
import os
import subprocess

from conftest import MS, SEC, make_file, workload

SIZE_32M = 32 * 1024 * 1024


def test_read_32mib_file(trace, tmp_path):
    path = make_file(tmp_path / "big.bin", SIZE_32M)
    t = trace([workload("read_file"), path, "4096"])
    assert t.rc == 0, t.stderr
    assert t.data["lost_events"] == 0
    row = t.file(path)
    assert row["bytes_read"] == SIZE_32M, row
    assert row["bytes_written"] == 0, row
    assert row["ops"] >= SIZE_32M // 4096, row  # 8192 reads (+ the EOF read, open, close)
    assert row["ns"] > 0, row
    root = t.root
    assert len(t.data["processes"]) == 1
    assert t.dominant(root) == "file_io", t.describe(root)
    # The file's time is its whole syscalls: the process's file_io, and the
    # waits for a CPU inside them (runqueue), never more.
    cats = root["categories"]
    assert row["ns"] <= cats["file_io"] + cats.get("runqueue", 0), (row, t.describe(root))


def test_sleep_half_second(trace):
    t = trace([workload("sleep_ms"), "500"])
    assert t.rc == 0, t.stderr
    assert t.data["wall_ns"] >= 500 * MS
    # perfanity's own wall clock cannot exceed what we measured around it.
    assert t.data["wall_ns"] <= t.elapsed_ns
    root = t.root
    cats = root["categories"]
    assert cats.get("sleep", 0) >= 450 * MS, t.describe(root)
    assert cats.get("file_io", 0) < 20 * MS, t.describe(root)
    assert t.data["totals"].get("file_io", 0) < 20 * MS
    assert t.dominant(root) == "sleep", t.describe(root)
    assert root["thread_ns"] >= 500 * MS


def test_fork_five_readers(trace, tmp_path):
    # Distinct sizes, so each child's file row is checked against its own size.
    sizes = [(i + 1) * 64 * 1024 + i for i in range(5)]
    prefix = str(tmp_path / "part")
    paths = [make_file(f"{prefix}.{i}", size) for i, size in enumerate(sizes)]
    t = trace([workload("fork_readers"), "5", os.path.realpath(prefix)])
    assert t.rc == 0, t.stderr
    procs = t.data["processes"]
    assert len(procs) == 6, [(p["pid"], p["ppid"], p["argv"]) for p in procs]
    parent = t.root
    children = t.children(parent["pid"])
    assert len(children) == 5, [(p["pid"], p["ppid"]) for p in procs]
    # The workload prints "child I PID": the pids perfanity saw are the real ones.
    printed = {int(line.split()[2]) for line in t.stdout.decode().splitlines()}
    assert {c["pid"] for c in children} == printed
    for c in children:
        assert c["start_ns"] >= parent["start_ns"]
        assert c["exit_code"] == 0
    for path, size in zip(paths, sizes):
        row = t.file(path)
        assert row["bytes_read"] == size, row
        assert row["ops"] >= size // 4096, row
    # The parent spends its life waiting for children, not reading.
    assert parent["categories"].get("file_io", 0) < 20 * MS, t.describe(parent)
    # A child's return from fork is not a call of its own: the syscall table
    # has the parent's five clones and no row timed from before the trace
    # (it once had a "read" of several days per child)
    table = {r["name"]: r for r in t.data["syscalls"]}
    assert table["clone"]["calls"] == 5, table.get("clone")
    lifetimes = sum(p["thread_ns"] for p in procs)
    assert all(r["ns"] <= lifetimes for r in t.data["syscalls"]), t.data["syscalls"]


def test_tcp_slow_server(trace):
    # The server sleeps 320 ms after reading the request; the client's recv
    # starts right after its send, so it blocks >= 300 ms whatever the scheduling.
    t = trace([workload("tcp_delay"), "320", str(1 << 20)])
    assert t.rc == 0, t.stderr
    assert t.stdout == b"received 1048576 bytes\n"
    client = t.root
    servers = t.children(client["pid"])
    assert len(servers) == 1
    server = servers[0]
    assert client["categories"].get("net", 0) >= 300 * MS, t.describe(client)
    assert client["categories"].get("file_io", 0) < 20 * MS, t.describe(client)
    assert t.dominant(client) == "net", t.describe(client)
    assert server["categories"].get("sleep", 0) >= 300 * MS, t.describe(server)
    assert server["categories"].get("file_io", 0) < 20 * MS, t.describe(server)
    # Sockets are not files.
    assert all(not f["path"].startswith("socket:") for f in t.data["files"])
    # Their bytes are in the syscall table: send()/recv() are sendto/recvfrom,
    # the reply and the 10-byte request each way.
    sc = {s["name"]: s for s in t.data["syscalls"]}
    assert sc["recvfrom"]["bytes"] == (1 << 20) + len("GET /slow\n"), sc["recvfrom"]
    assert sc["sendto"]["bytes"] == (1 << 20) + len("GET /slow\n"), sc["sendto"]


def test_child_wait_not_sleep(trace):
    t = trace([workload("wait_child"), "400"])
    assert t.rc == 0, t.stderr
    parent = t.root
    (child,) = t.children(parent["pid"])
    assert parent["categories"].get("child_wait", 0) >= 350 * MS, t.describe(parent)
    assert parent["categories"].get("sleep", 0) < 50 * MS, t.describe(parent)
    assert child["categories"].get("sleep", 0) >= 350 * MS, t.describe(child)


def test_pipe_read_is_a_wait(trace):
    t = trace([workload("pipe_wait"), "300"])
    assert t.rc == 0, t.stderr
    parent = t.root
    cats = parent["categories"]
    assert cats.get("sleep", 0) >= 280 * MS, t.describe(parent)
    assert cats.get("file_io", 0) < 20 * MS, t.describe(parent)
    assert cats.get("net", 0) < 20 * MS, t.describe(parent)


def test_threads_on_cpu(trace):
    t = trace([workload("spin_threads"), "2", "300"])
    assert t.rc == 0, t.stderr
    root = t.root
    assert root["threads"] == 3, t.describe(root)
    # Two threads want a CPU for 300 ms each, in a process that lives ~300 ms:
    # on a CPU or waiting for one (a busy machine), 600 ms in all; what ran
    # is what the kernel charged the process.
    cats = root["categories"]
    assert cats.get("cpu", 0) + cats.get("runqueue", 0) >= 550 * MS, t.describe(root)
    # what ran is what the kernel charged the process, within 5% and the time
    # the hypervisor stole meanwhile (in cpu, not in the kernel's CPU time);
    # what waited is what schedstat says, within 10% or 25 ms (each thread
    # reads its schedstat just before it ends, and a busy machine may still
    # preempt it after that read: CI once saw 491.5 ms against 502.2). A CI run once
    # saw cpu 538 ms against 600 ms, 62 ms in runqueue against 5 ms: switch-ins
    # sched_switch did not show, now recovered (missed_switch_ins).
    cpu_ns, run_delay_ns, steal_ns = (int(x) for x in t.stdout.split())
    assert abs(cats["cpu"] - cpu_ns) <= 0.05 * cpu_ns + steal_ns, (t.describe(root), cpu_ns, steal_ns)
    assert abs(cats.get("runqueue", 0) - run_delay_ns) <= max(0.1 * run_delay_ns, 25 * MS), \
        (t.describe(root), run_delay_ns)
    assert root["thread_ns"] >= 600 * MS, t.describe(root)


def test_write_bytes_exact(trace, tmp_path):
    path = os.path.realpath(tmp_path) + "/written.bin"
    t = trace([workload("write_file"), path, "1000000"])
    assert t.rc == 0, t.stderr
    row = t.file(path)
    assert row["bytes_written"] == 1_000_000, row
    assert row["bytes_read"] == 0, row
    assert row["ops"] >= 245, row  # ceil(1e6 / 4096) writes


def test_many_small_reads_counted_exactly(trace, tmp_path):
    path = make_file(tmp_path / "small.bin", 4096)
    t = trace([workload("small_reads"), path, "100000", "16"])
    assert t.rc == 0, t.stderr
    assert t.data["lost_events"] == 0
    row = t.file(path)
    assert row["bytes_read"] == 100_000 * 16, row
    assert row["ops"] >= 100_000, row
    # pread64 is also a syscall of the dynamic loader; the program's own
    # preads are still file_io, not exec.
    root = t.root
    assert t.dominant(root) == "file_io", t.describe(root)


def test_reads_of_a_thread_still_running_at_the_end(trace, tmp_path):
    """A thread sums its calls on one fd in its own state; one still reading when
    the trace ends has those sums added by the end-of-trace iterator, ops and
    bytes from the same instant (every pread returns 16 bytes)."""
    path = make_file(tmp_path / "small.bin", 4096)
    try:
        t = trace(["/bin/sh", "-c", f"{workload('small_reads')} {path} 50000000 16 >/dev/null 2>&1 & sleep 0.3"])
    finally:
        subprocess.run(["pkill", "-f", f"small_reads {path}"])
    assert t.rc == 0, t.stderr
    reader = [p for p in t.data["processes"] if p["argv"][:1] == [workload("small_reads")]]
    assert reader and reader[0]["exit_code"] is None, t.data["processes"]
    row = t.file(path)
    assert row["ops"] > 10_000, row
    assert row["bytes_read"] in (16 * (row["ops"] - 1), 16 * (row["ops"] - 2)), row  # minus open (and close)


def test_fd_syscalls_do_not_invent_paths(trace, tmp_path):
    """fstat(fd) / newfstatat(fd, "", AT_EMPTY_PATH) act on the fd's own file:
    no "<path>/" row may appear beside "<path>". stdio's first printf fstat()s
    stdout, here a file the shell opened before exec (the fd survives exec)."""
    path = make_file(tmp_path / "f.bin", 8192)
    out = os.path.realpath(tmp_path) + "/out.txt"
    t = trace(["/bin/sh", "-c", f"exec {workload('read_file')} {path} > {out}"])
    assert t.rc == 0, t.stderr
    bogus = [f["path"] for f in t.data["files"] if f["path"] != "/" and f["path"].endswith("/")]
    assert not bogus, f"file rows with a trailing slash: {bogus}"
    with open(out, "rb") as f:
        written = len(f.read())
    assert t.file(out)["bytes_written"] == written


def test_exec_chain_tracked(trace, tmp_path):
    """A shell forks a child that execs a workload: the child's row shows the
    new program (argv, exe) and the file it read."""
    path = make_file(tmp_path / "f.bin", 100_000)
    reader = workload("read_file")
    t = trace(["/bin/sh", "-c", f"{reader} {path} >/dev/null; exit 0"])
    assert t.rc == 0, t.stderr
    sh = t.root
    execed = [p for p in t.children(sh["pid"]) if p["argv"][:1] == [reader]]
    assert len(execed) == 1, [(p["pid"], p["argv"]) for p in t.data["processes"]]
    assert execed[0]["argv"] == [reader, path]
    assert execed[0]["exe"] == os.path.realpath(reader)
    assert t.file(path)["bytes_read"] == 100_000
    # Exec and the dynamic loader are their own category, not file_io.
    assert execed[0]["categories"].get("exec", 0) > 0, t.describe(execed[0])


def test_accounting_identity_multi_process(trace, tmp_path):
    """The identity (checked in every trace by run_trace) on a busier tree:
    a shell pipeline with several processes and threads."""
    t = trace(["/bin/sh", "-c",
               f"{workload('spin_threads')} 2 50 & {workload('tcp_delay')} 50 1000 >/dev/null; wait"])
    assert t.rc == 0, t.stderr
    assert len(t.data["processes"]) >= 4
    for p in t.data["processes"]:
        assert sum(p["categories"].values()) == p["thread_ns"]
