# SPDX-License-Identifier: GPL-2.0-only
"""perfanity trace under faults: the traced tree killed from outside, -o on a full
disk, the ring buffer overflowing while perfanity cannot read it. Each run says
what happened in one line, writes (or keeps elsewhere) a trace that says it is
partial, and leaves no BPF program or link behind (bpftool's view, by id)."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import PERFANITY, check_identity, check_schema, held_prog_ids, pf_programs, still_loaded


def pf_links(prog_ids):
    """ids of the BPF links (bpftool link show) attaching one of prog_ids."""
    out = subprocess.run(["bpftool", "-j", "link", "show"], check=True, capture_output=True, text=True).stdout
    return {link["id"] for link in json.loads(out or "[]") if link.get("prog_id") in prog_ids}


def links_left(link_ids, grace=3.0):
    deadline = time.monotonic() + grace
    while True:
        out = subprocess.run(["bpftool", "-j", "link", "show"], check=True, capture_output=True, text=True).stdout
        left = set(link_ids) & {link["id"] for link in json.loads(out or "[]")}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def wait_for(pred, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except FileNotFoundError:
        return []


def exe_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


class Traced:
    """perfanity trace started in the background, with its BPF programs and links by id."""

    def __init__(self, out, cmd, env=None):
        self.cmd = cmd
        self.proc = subprocess.Popen([PERFANITY, "trace", "-q", "-o", str(out), "--", *cmd],
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        wait_for(lambda: children(self.proc.pid) and held_prog_ids(self.proc.pid) & pf_programs(),
                 "perfanity to load its programs and start the command")
        self.progs = held_prog_ids(self.proc.pid) & pf_programs()
        self.links = pf_links(self.progs)
        self.root = children(self.proc.pid)[0]

    def finish(self, timeout=60):
        try:
            _, err = self.proc.communicate(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return err.decode(errors="replace")

    def check_unloaded(self):
        assert self.progs and self.links, "perfanity held no pf_ program or link while tracing"
        assert not still_loaded(self.progs), "BPF programs left loaded"
        assert not links_left(self.links), "BPF links left"


def test_tree_killed_from_outside(tmp_path):
    out = tmp_path / "killed.json"
    cmd = ["/bin/sh", "-c", "sleep 30 & sleep 30 & wait"]
    t = Traced(out, cmd)
    wait_for(lambda: len(children(t.root)) == 2, "the shell's two sleeps")
    tree = [t.root, *children(t.root)]
    for pid in tree:
        os.kill(pid, signal.SIGKILL)
    err = t.finish(timeout=10)
    assert t.proc.returncode == 128 + signal.SIGKILL, err
    assert err == "perfanity: trace: partial trace: the command was killed by SIGKILL before it finished\n"
    data = json.loads(out.read_text())
    check_schema(data, cmd)
    check_identity(data)
    assert data["exit_code"] == 128 + signal.SIGKILL
    assert data["partial"] == ["the command was killed by SIGKILL before it finished"]
    assert sorted(p["pid"] for p in data["processes"]) == sorted(tree)
    report = subprocess.run([PERFANITY, "report", str(out)], capture_output=True, text=True, check=True).stdout
    assert "\npartial trace: the command was killed by SIGKILL before it finished\n" in report, report
    t.check_unloaded()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 KiB tmpfs: a trace of a Python start does not fit on it."""
    d = tmp_path / "tiny"
    d.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(d)], check=True)
    yield d
    subprocess.run(["umount", str(d)], check=True)


def test_output_disk_full(tmp_path, tiny_disk):
    out = tiny_disk / "t.json"
    keep = tmp_path / "elsewhere"
    keep.mkdir()
    cmd = ["/usr/bin/python3", "-c", "import json, zipfile"]
    t = Traced(out, cmd, env={**os.environ, "TMPDIR": str(keep)})
    err = t.finish()
    assert t.proc.returncode == 1, err
    fallback = keep / f"perfanity-trace.{t.proc.pid}.json"
    assert err.splitlines() == [f"perfanity: trace: cannot write {out}: No space left on device",
                                f"perfanity: trace: the trace was written to {fallback} instead"]
    assert os.listdir(tiny_disk) == [], "a half-written file was left on the full disk"
    data = json.loads(fallback.read_text())
    check_schema(data, cmd)
    check_identity(data)
    assert data["exit_code"] == 0 and data["partial"] == []
    assert any(p["argv"] == cmd for p in data["processes"])
    t.check_unloaded()


def test_ring_buffer_overflow(tmp_path):
    """perfanity is stopped (SIGSTOP) while the command stats 50,000 distinct paths:
    each is a path event, more than the 8 MiB ring buffer holds, so the kernel
    drops and counts the rest; perfanity, continued, reports what it got."""
    out, go, done = tmp_path / "ovf.json", tmp_path / "go", tmp_path / "done"
    code = (f"import os, time\n"
            f"while not os.path.exists({str(go)!r}): time.sleep(0.01)\n"
            f"base = {str(tmp_path)!r} + '/' + 'x' * 200\n"
            f"for i in range(50000):\n"
            f"    try: os.stat(base + str(i))\n"
            f"    except OSError: pass\n"
            f"open({str(done)!r}, 'w').close()\n")
    cmd = ["/usr/bin/python3", "-c", code]
    t = Traced(out, cmd)
    # perfanity holds its child until it is set to follow it: stopped before
    # letting it go, it would hold it for good
    wait_for(lambda: os.path.basename(exe_of(t.root)).startswith("python3"), "the command's exec")
    os.kill(t.proc.pid, signal.SIGSTOP)
    try:
        go.touch()
        wait_for(done.exists, "the command's 50,000 stats")
    finally:
        os.kill(t.proc.pid, signal.SIGCONT)
    err = t.finish()
    assert t.proc.returncode == 0, err
    data = json.loads(out.read_text())
    lost = data["lost_events"]
    assert lost > 0, "nothing was lost: the ring buffer did not overflow"
    # files whose path event was dropped are still counted, under "?": no more than were lost
    unnamed = [f for f in data["files"] if f["path"] == "?"]
    assert 0 < len(unnamed) <= lost, (len(unnamed), lost)
    check_schema({**data, "files": [f for f in data["files"] if f["path"] != "?"]}, cmd)
    check_identity(data)
    assert data["partial"] == [f"{lost} events lost (ring buffer full)"]
    assert err == f"perfanity: trace: partial trace: {lost} events lost (ring buffer full)\n"
    # what did arrive is there: the path events up to the overflow
    seen = sum(1 for f in data["files"] if f["path"].startswith(str(tmp_path) + "/xxx"))
    assert seen > 1000, seen
    t.check_unloaded()
