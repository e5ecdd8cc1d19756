# SPDX-License-Identifier: GPL-2.0-only
"""--backend seccomp (issue 11): the trace-core workloads traced by the
seccomp filter + ptrace backend, as root and as an unprivileged user, against
the BPF backend on the same workload: bytes and ops equal, the same process
tree, exit codes and signals, the accounting identity (checked by run_trace
on every trace), and what it cannot see said rather than guessed."""
import json
import os
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import MS, PERFANITY, as_unprivileged_user, run_trace, workload

SECCOMP = ("--backend", "seccomp")
UNSEEN = ["runqueue", "fault_io", "untraced_syscalls", "import", "compile", "zip_extract"]


@pytest.fixture(params=["root", "user"])
def seccomp(request, shared_dir):
    """seccomp(cmd, **kw) -> Trace: --backend seccomp, as root or as an
    unprivileged user (runuser), the JSON in a directory both can write."""
    prefix = ()
    if request.param == "user":
        prefix = as_unprivileged_user()

    def run(cmd, options=(), **kw):
        t = run_trace(cmd, shared_dir, options=(*SECCOMP, *options), prefix=prefix, **kw)
        assert t.data["unseen"] == UNSEEN
        return t
    return run


def bpf(cmd, out_dir):
    return run_trace(cmd, out_dir)


def shared_file(d, name, size):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    os.chmod(path, 0o644)
    return os.path.realpath(path)


def same_rows(t_bpf, t_sc, paths):
    for path in paths:
        a, b = t_bpf.file(path), t_sc.file(path)
        for k in ("bytes_read", "bytes_written", "ops"):
            assert a[k] == b[k], (path, k, a, b)


def test_write_file_exact(seccomp, shared_dir):
    path = os.path.realpath(shared_dir) + "/written.bin"
    t = seccomp([workload("write_file"), path, "1000000"])
    assert t.rc == 0, t.stderr
    row = t.file(path)
    assert (row["bytes_written"], row["bytes_read"]) == (1_000_000, 0), row
    os.unlink(path)
    same_rows(bpf([workload("write_file"), path, "1000000"], shared_dir), t, [path])


def test_read_file_exact(seccomp, shared_dir):
    size = 4 * 1024 * 1024
    path = shared_file(shared_dir, "big.bin", size)
    t = seccomp([workload("read_file"), path, "4096"])
    assert t.rc == 0, t.stderr
    assert t.file(path)["bytes_read"] == size
    assert t.dominant(t.root) in ("file_io", "cpu"), t.describe(t.root)
    same_rows(bpf([workload("read_file"), path, "4096"], shared_dir), t, [path])


def test_small_reads_exact(seccomp, shared_dir):
    path = shared_file(shared_dir, "small.bin", 4096)
    t = seccomp([workload("small_reads"), path, "20000", "16"])
    assert t.rc == 0, t.stderr
    row = t.file(path)
    assert row["bytes_read"] == 20_000 * 16, row
    assert row["ops"] >= 20_000, row
    same_rows(bpf([workload("small_reads"), path, "20000", "16"], shared_dir), t, [path])


def test_fork_five_readers(seccomp, shared_dir):
    sizes = [(i + 1) * 64 * 1024 + i for i in range(5)]
    prefix = os.path.realpath(shared_dir) + "/part"
    paths = [shared_file(shared_dir, f"part.{i}", size) for i, size in enumerate(sizes)]
    t = seccomp([workload("fork_readers"), "5", prefix])
    assert t.rc == 0, t.stderr
    assert len(t.data["processes"]) == 6
    children = t.children(t.root["pid"])
    printed = {int(line.split()[2]) for line in t.stdout.decode().splitlines()}
    assert {c["pid"] for c in children} == printed
    assert all(c["exit_code"] == 0 and c["start_ns"] >= t.root["start_ns"] for c in children)
    for path, size in zip(paths, sizes):
        assert t.file(path)["bytes_read"] == size
    t_bpf = bpf([workload("fork_readers"), "5", prefix], shared_dir)
    same_rows(t_bpf, t, paths)
    assert len(t_bpf.data["processes"]) == len(t.data["processes"])
    # The parent waits for its children: wait4 is traced, so it is child_wait.
    assert t.root["categories"]["child_wait"] > 0, t.describe(t.root)


def test_sleep_within_10_percent_of_bpf(seccomp, shared_dir):
    t = seccomp([workload("sleep_ms"), "300"])
    assert t.rc == 0, t.stderr
    t_bpf = bpf([workload("sleep_ms"), "300"], shared_dir)
    a, b = t_bpf.root["categories"]["sleep"], t.root["categories"]["sleep"]
    assert b >= 290 * MS and abs(a - b) <= 0.1 * a, (t_bpf.describe(t_bpf.root), t.describe(t.root))


def test_exit_code_and_signal(seccomp):
    t = seccomp([workload("exit_code"), "7"])
    assert (t.rc, t.data["exit_code"], t.root["exit_code"]) == (7, 7, 7), t.stderr
    t = seccomp([workload("kill_self"), str(int(signal.SIGTERM))])
    assert t.rc == 128 + signal.SIGTERM, t.stderr
    assert t.data["exit_code"] == 128 + signal.SIGTERM


def test_missing_command(shared_dir):
    for prefix in ((), as_unprivileged_user()):
        p = subprocess.run([*prefix, PERFANITY, "trace", *SECCOMP, "--", "/no/such-command-pf"],
                           capture_output=True, text=True, timeout=60, cwd=shared_dir)
        assert p.returncode == 127, p.stderr
        assert len(p.stderr.splitlines()) == 1 and "such-command-pf" in p.stderr


def test_auto_without_root_says_seccomp_in_one_line(shared_dir):
    t = run_trace([workload("exit_code"), "0"], shared_dir, options=("-q",),
                  prefix=as_unprivileged_user(), expect_json=False)
    assert t.rc == 0
    lines = t.stderr.splitlines()
    assert len(lines) == 1 and "seccomp" in lines[0] and "root" in lines[0], t.stderr
    t = run_trace([workload("exit_code"), "0"], shared_dir, options=("-q",))
    assert t.data["backend"] == "bpf" and t.stderr == ""  # as root: BPF, silently


def test_seccomp_refuses_what_needs_bpf(shared_dir):
    p = subprocess.run([PERFANITY, "trace", *SECCOMP, "--pid", str(os.getpid())],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert len(p.stderr.splitlines()) == 1, p.stderr


def wall(argv):
    t0 = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return time.monotonic() - t0


def test_untraced_syscalls_run_at_full_speed(shared_dir):
    """getpid is let through by the filter: a loop of them is not slowed the
    way ptrace slows every syscall (strace -f without the filter: ~10-50x)."""
    cmd = [workload("getpid_loop"), "2000000"]
    base = min(wall(cmd) for _ in range(2))
    traced = min(wall([PERFANITY, "trace", "-q", *SECCOMP, "--", *cmd]) for _ in range(2))
    assert traced / base < 3.0, (base, traced)


def test_syscall_table_equal_to_bpf(seccomp, shared_dir):
    """The traced syscalls' table, as BPF gives it, on a static workload
    (no loader): calls, errors and bytes equal."""
    path = shared_file(shared_dir, "mix.bin", 4096)
    t = seccomp([workload("syscall_mix"), path])
    t_bpf = bpf([workload("syscall_mix"), path], shared_dir)
    rows = {r["name"]: r for r in t.data["syscalls"]}
    rows_bpf = {r["name"]: r for r in t_bpf.data["syscalls"]}
    # (not close: the held child's own two pipe closes are BPF's too when it
    # runs them late, after being followed)
    for name in ("pread64", "openat", "execve"):
        assert [rows[name][k] for k in ("calls", "errors", "bytes")] == \
            [rows_bpf[name][k] for k in ("calls", "errors", "bytes")], (rows[name], rows_bpf[name])
    assert (rows["pread64"]["calls"], rows["pread64"]["bytes"], rows["openat"]["errors"]) == (8, 800, 3)


def test_threads_counted_like_bpf(seccomp, shared_dir):
    t = seccomp([workload("spin_threads"), "2", "100"])
    assert t.rc == 0, t.stderr
    t_bpf = bpf([workload("spin_threads"), "2", "100"], shared_dir)
    assert t.root["threads"] == t_bpf.root["threads"] == 3
    # the threads spin outside syscalls: cpu, which this backend does see
    assert t.root["categories"]["cpu"] >= 150 * MS, t.describe(t.root)


def test_reader_still_running_at_the_end(seccomp, shared_dir):
    """The command exits and leaves a reader running: its thread is closed at
    the end (identity), its file's ops and bytes from the same instant."""
    path = shared_file(shared_dir, "small.bin", 4096)
    t = seccomp(["/bin/sh", "-c", f"{workload('small_reads')} {path} 50000000 16 >/dev/null 2>&1 & sleep 0.3"])
    assert t.rc == 0, t.stderr
    reader = [p for p in t.data["processes"] if p["argv"][:1] == [workload("small_reads")]]
    assert reader and reader[0]["exit_code"] is None, t.data["processes"]
    row = t.file(path)
    assert row["ops"] > 100 and row["bytes_read"] == 16 * (row["ops"] - 1), row  # minus the open


def test_sigterm_forwarded(shared_dir):
    out = os.path.join(shared_dir, "sig.json")
    p = subprocess.Popen([PERFANITY, "trace", "-q", *SECCOMP, "-o", out, "--", workload("sleep_ms"), "5000"])
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 128 + signal.SIGTERM
    with open(out) as f:
        data = __import__("json").load(f)
    assert data["exit_code"] == 128 + signal.SIGTERM
    assert data["processes"][0]["categories"]["sleep"] >= 400 * MS


def test_group_stop_and_continue(shared_dir):
    """A tracee stopped by SIGSTOP stays stopped (PTRACE_LISTEN) until SIGCONT."""
    p = subprocess.Popen([PERFANITY, "trace", "-q", *SECCOMP, "--", "/bin/sh", "-c", "kill -STOP $$; echo resumed"],
                         stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
        child = int(f.read().split()[0])
    with open(f"/proc/{child}/stat") as f:
        assert f.read().rsplit(")", 1)[1].split()[0] == "t"  # stopped, traced
    assert p.poll() is None
    os.kill(child, signal.SIGCONT)
    out, _ = p.communicate(timeout=30)
    assert (p.returncode, out) == (0, "resumed\n")


@pytest.mark.parametrize("cmd", [["tcp_delay", "320", "1048576"], ["pipe_wait", "300"], ["wait_child", "300"]],
                         ids=["net", "pipe", "child_wait"])
def test_waits_categorised_like_bpf(seccomp, shared_dir, cmd):
    """A socket's recv is net, a pipe's read sleep, wait4 child_wait: per
    process, the same main category as BPF's, within 10%."""
    argv = [workload(cmd[0]), *cmd[1:]]
    t, t_bpf = seccomp(argv), bpf(argv, shared_dir)
    assert t.rc == t_bpf.rc == 0, t.stderr
    procs, procs_bpf = t.data["processes"], t_bpf.data["processes"]
    assert len(procs) == len(procs_bpf) == 2
    for p, q in zip(procs, procs_bpf):  # both in start order: the root, then its child
        cat = t_bpf.dominant(q)
        assert t.dominant(p) == cat, (t.describe(p), t_bpf.describe(q))
        assert abs(p["categories"][cat] - q["categories"][cat]) <= 0.1 * q["categories"][cat]


def test_report_says_what_was_not_seen(shared_dir):
    t = run_trace([workload("exit_code"), "0"], shared_dir, options=SECCOMP)
    out = os.path.join(shared_dir, "r.json")
    subprocess.run([PERFANITY, "trace", "-q", *SECCOMP, "-o", out, "--", workload("exit_code"), "0"], check=True)
    p = subprocess.run([PERFANITY, "report", out], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "not seen by the seccomp backend (their time is in cpu): " + " ".join(UNSEEN) in p.stdout
    assert "not seen by" in t.stderr  # and the summary's second line


def test_bench_trace_as_a_user(shared_dir):
    """bench --trace without root: the traces come from the seccomp backend, said in
    one line, with the exact bytes of the goal's command."""
    shared_dir = pathlib.Path(shared_dir)
    (shared_dir / "p").mkdir(mode=0o777)
    (shared_dir / "p" / "perfanity.toml").write_text(
        'preset = "none"\ntarget = "t"\nsteps = ["noop"]\nrepetitions = 1\n'
        f'[goals]\nwrite = "{workload("write_file")} {{tmp}}/out.bin 100000"\n')
    result = shared_dir / "r.json"
    p = subprocess.run((*as_unprivileged_user(), PERFANITY, "bench", str(shared_dir / "p"),
                        "--trace", "--workdir", str(shared_dir / "w"), "--json", str(result)),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "--trace as a user: traced with the seccomp backend" in p.stderr, p.stderr
    [cmd] = json.loads(result.read_text())["configs"][0]["cells"][0]["samples"][0]["commands"]
    with open(cmd["trace"]["file"]) as f:
        t = json.load(f)
    assert t["backend"] == "seccomp" and "runqueue" in t["unseen"], t.get("unseen")
    [row] = [r for r in t["files"] if r["path"].endswith("/out.bin")]
    assert row["bytes_written"] == 100000, row
