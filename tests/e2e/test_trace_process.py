# SPDX-License-Identifier: GPL-2.0-only
"""perfanity trace as a process: exit status, signals, pass-through of the
command's stdio, errors, privileges, and releasing every BPF program."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import (MS, PERFANITY, check_identity, check_schema, held_prog_ids,
                      pf_programs, still_loaded, workload)


def one_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected a one-line error, got: {stderr!r}"
    return lines[0]


def test_exit_status_propagated(trace):
    t = trace([workload("exit_code"), "7"])
    assert t.rc == 7, t.stderr
    assert t.data["exit_code"] == 7
    assert t.root["exit_code"] == 7


def test_killed_by_signal_is_128_plus_n(trace):
    t = trace([workload("kill_self"), str(int(signal.SIGKILL))])
    assert t.rc == 128 + signal.SIGKILL, t.stderr
    assert t.data["exit_code"] == 128 + signal.SIGKILL


def test_nonexistent_command(tmp_path):
    name = "no-such-command-perfanity-e2e"
    proc = subprocess.run([PERFANITY, "trace", "-o", str(tmp_path / "t.json"), "--", name],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 127, proc.stderr
    assert name in one_line(proc.stderr)


def test_stdout_passthrough(trace):
    t = trace(["/bin/echo", "hello", "world"])
    assert t.rc == 0
    assert t.stdout == b"hello world\n"  # perfanity itself adds nothing to stdout


def test_stdin_passthrough(trace):
    payload = b"line one\nline two\n" * 1000
    t = trace(["/bin/cat"], input=payload)
    assert t.rc == 0
    assert t.stdout == payload


def test_stderr_passthrough_quiet(trace):
    t = trace(["/bin/sh", "-c", "echo oops >&2"], options=["--quiet"])
    assert t.rc == 0
    assert t.stderr == "oops\n"  # --quiet: the command's stderr and nothing else


def test_usage_errors_exit_2(tmp_path):
    for args in (["trace"], ["trace", "--no-such-option", "--", "/bin/true"]):
        proc = subprocess.run([PERFANITY, *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.strip(), args


def wait_for_traced_child(perfanity_pid, comm, timeout=10.0):
    """Wait until perfanity's child has exec'd `comm` (so probes are attached:
    perfanity holds the child until they are); return the child's pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{perfanity_pid}/task/{perfanity_pid}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except FileNotFoundError:
            kids = []
        for kid in kids:
            try:
                with open(f"/proc/{kid}/comm") as f:
                    if f.read().strip() == comm:
                        return kid
            except FileNotFoundError:
                pass
        time.sleep(0.01)
    raise AssertionError(f"perfanity never started {comm}")


@pytest.mark.parametrize("sig,to_group", [
    (signal.SIGINT, False),   # kill -INT <perfanity>
    (signal.SIGINT, True),    # Ctrl-C: the whole foreground process group
    (signal.SIGTERM, False),
], ids=["sigint-to-perfanity", "sigint-to-group", "sigterm-to-perfanity"])
def test_signal_writes_partial_trace_and_unloads(tmp_path, sig, to_group):
    out = tmp_path / "partial.json"
    cmd = ["/bin/sleep", "10"]
    t0 = time.monotonic()
    proc = subprocess.Popen([PERFANITY, "trace", "-o", str(out), "--", *cmd],
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        sleeper = wait_for_traced_child(proc.pid, "sleep")
        # perfanity's own programs, by id: its fds (programs and links) name them.
        ours = held_prog_ids(proc.pid) & pf_programs()
        if to_group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        _, stderr = proc.communicate(timeout=8)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    elapsed = time.monotonic() - t0
    assert proc.returncode == 128 + sig, stderr.decode(errors="replace")
    assert elapsed < 8, "perfanity waited for sleep 10 instead of forwarding the signal"
    assert ours, "perfanity held no pf_ BPF program while tracing"
    assert out.exists(), "no partial trace written"
    data = json.loads(out.read_text())
    check_schema(data, cmd)
    check_identity(data)
    assert data["exit_code"] == 128 + sig
    assert any(p["argv"] == cmd for p in data["processes"]), data["processes"]
    assert data["wall_ns"] < 8_000 * MS
    left = still_loaded(ours)
    assert not left, f"perfanity left BPF programs loaded: ids {sorted(left)}"
    assert not process_alive(sleeper), "the traced sleep outlived perfanity"


def process_alive(pid, grace=2.0):
    """True if pid still runs (not a zombie) after `grace` seconds."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return False
        except FileNotFoundError:
            return False
        time.sleep(0.05)
    return True


def test_unprivileged_exit_2():
    """As nobody (no capabilities), --backend bpf: one clear line and exit 2,
    without running the command untraced. (The default, auto, traces with the
    seccomp backend instead: test_trace_seccomp.py.)"""
    tmp = tempfile.mkdtemp(prefix="pf-e2e-nobody-")
    try:
        os.chmod(tmp, 0o777)
        binary = os.path.join(tmp, "perfanity")
        shutil.copy(PERFANITY, binary)
        os.chmod(binary, 0o755)
        marker = os.path.join(tmp, "ran")
        proc = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
             binary, "trace", "--backend", "bpf", "--", "/bin/touch", marker],
            capture_output=True, text=True, timeout=60, cwd=tmp)
        assert proc.returncode == 2, proc.stderr
        line = one_line(proc.stderr)
        assert any(w in line.lower() for w in ("root", "cap_bpf", "cap_sys_admin", "privilege",
                                               "permission")), line
        assert not os.path.exists(marker), "the command ran untraced"
    finally:
        shutil.rmtree(tmp)
