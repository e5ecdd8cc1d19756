# SPDX-License-Identifier: GPL-2.0-only
"""`perfanity trace --pid`: attaching to processes that are already running.

Ground truth: sleep_read prints "ready", sleeps, then reads a file of known size.
Attached while it sleeps, the trace must hold the file with its exact bytes, the
sleep, the process marked attached, and the accounting identity.
"""
import json
import os
import subprocess
import time

from conftest import PERFANITY, SEC, check_identity, make_file, workload

SIZE = 3_000_000


def start_sleeper(path, ms):
    p = subprocess.Popen([workload("sleep_read"), str(ms), path], stdout=subprocess.PIPE)
    assert p.stdout.readline() == b"ready\n"
    return p


def test_pid_alone_sees_the_file_read_after_attaching(tmp_path):
    path = make_file(tmp_path / "data.bin", SIZE)
    # 3 s: the tracer's start-up (about 0.1 s, up to a second on a busy machine)
    # leaves well over 1.5 s of the sleep to see
    sleeper = start_sleeper(path, 3000)
    out = tmp_path / "t.json"
    r = subprocess.run([PERFANITY, "trace", "--pid", str(sleeper.pid), "-o", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert sleeper.wait(10) == 0
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    check_identity(data)
    assert data["command"] == [] and data["exit_code"] is None
    assert data["attached"] == [{"pid": sleeper.pid, "how": "pid"}]
    [proc] = data["processes"]
    assert proc["pid"] == sleeper.pid and proc["attached"] is True
    assert proc["exit_code"] == 0 and not proc["running_at_end"]
    assert proc["argv"] == [workload("sleep_read"), "3000", path]
    rows = [f for f in data["files"] if f["path"] == path]
    assert rows and rows[0]["bytes_read"] == SIZE, data["files"]
    # attached during its nanosleep: that syscall's time counts from the attach on
    assert proc["categories"]["sleep"] >= 1.5 * SEC, proc["categories"]
    assert "attached to sleep_read" in r.stderr


def test_pid_beside_a_command_ends_with_the_command(tmp_path):
    path = make_file(tmp_path / "data.bin", SIZE)
    # the sleeper reads well after perfanity has loaded (about 0.1 s, more under load)
    sleeper = start_sleeper(path, 1500)
    out = tmp_path / "t.json"
    r = subprocess.run([PERFANITY, "trace", "-q", "--pid", str(sleeper.pid), "-o", str(out),
                        "--", workload("sleep_ms"), "3000"], capture_output=True, text=True, timeout=60)
    sleeper.wait(10)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    check_identity(data)
    procs = {p["pid"]: p for p in data["processes"]}
    assert procs[sleeper.pid]["attached"] is True
    cmd = [p for p in data["processes"] if not p["attached"]]
    assert len(cmd) == 1 and cmd[0]["argv"][-1] == "3000"
    assert [f["bytes_read"] for f in data["files"] if f["path"] == path] == [SIZE]


def test_pid_errors_are_one_line(tmp_path):
    r = subprocess.run([PERFANITY, "trace", "--pid", "4194303"], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == ["perfanity: trace: --pid 4194303: no such process"]
    r = subprocess.run([PERFANITY, "trace", "--pid", "12,abc"], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "perfanity: trace: --pid takes process ids separated by commas, not '12,abc'"]


def test_interrupt_ends_a_pid_trace_and_spares_the_process(tmp_path):
    path = make_file(tmp_path / "data.bin", 1000)
    sleeper = start_sleeper(path, 30000)
    out = tmp_path / "t.json"
    tracer = subprocess.Popen([PERFANITY, "trace", "-q", "--pid", str(sleeper.pid), "-o", str(out)],
                              stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    tracer.send_signal(2)
    assert tracer.wait(30) == 0, tracer.stderr.read()
    # the attached process is someone else's: not signalled, still sleeping
    assert sleeper.poll() is None
    sleeper.kill()
    sleeper.wait()
    data = json.loads(out.read_text())
    check_identity(data)
    [proc] = data["processes"]
    assert proc["running_at_end"] and proc["categories"]["sleep"] >= 0.5 * SEC


def test_verbose_says_what_the_tracer_costs(tmp_path):
    """--verbose: what loading, attaching, reading back and removing the probes
    took; a Python command's uprobes go through uprobe_multi links here."""
    out = tmp_path / "t.json"
    r = subprocess.run([PERFANITY, "trace", "-v", "-q", "-o", str(out), "--", "/usr/bin/python3", "-c", "pass"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "loading and verifying the BPF programs took" in r.stderr, r.stderr
    assert "reading the maps back took" in r.stderr, r.stderr
    removed = [l for l in r.stderr.splitlines() if "uprobe_multi links in" in l]
    assert removed, r.stderr
    # the interpreter (compile) and the system's libz (inflate): two links each,
    # where the kernel has uprobe_multi (6.6)
    major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    links = 4 if (major, minor) >= (6, 6) else 0
    assert f" and {links} uprobe_multi links in " in removed[0], removed
