# SPDX-License-Identifier: GPL-2.0-only
"""perfanity trace --cgroup DIR: the processes of a cgroup, though none of them
is a descendant of the command traced (as a container's processes are the
runtime's children, not the docker client's). Ground truth: exact bytes
written by a process that joins the cgroup and execs there, and nothing of one
that execs outside it at the same moment."""
import json
import os
import subprocess
import time

import pytest

from conftest import PERFANITY, SEC, check_identity, make_file, workload

SIZE = 1_000_000


def cgroup_hierarchy():
    """A cgroup hierarchy we may make a directory in: the unified one, or v1's pids."""
    for root in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        if os.path.exists(os.path.join(root, "cgroup.procs")) and os.access(root, os.W_OK):
            return root
    pytest.fail("no writable cgroup hierarchy under /sys/fs/cgroup")


@pytest.fixture
def cgroup():
    path = os.path.join(cgroup_hierarchy(), f"perfanity-test-{os.getpid()}-{time.monotonic_ns()}")
    os.mkdir(path)
    yield path
    for _ in range(100):  # its last process may still be on its way out
        try:
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.05)


def outsider(ready, cgroup, argv):
    """A process started beside perfanity, not by it: once `ready` exists it joins
    `cgroup` (None: stays where it is) and execs argv."""
    join = f'echo $$ > {cgroup}/cgroup.procs; ' if cgroup else ""
    script = f'while [ ! -e {ready} ]; do sleep 0.02; done; {join}exec "$@"'
    return subprocess.Popen(["/bin/sh", "-c", script, "sh", *argv])


def test_cgroup_takes_in_what_execs_there(tmp_path, cgroup):
    ready = tmp_path / "ready"
    inside, outside = str(tmp_path / "inside.bin"), str(tmp_path / "outside.bin")
    a = outsider(ready, cgroup, [workload("write_file"), inside, str(SIZE)])
    b = outsider(ready, None, [workload("write_file"), outside, str(SIZE)])
    out = tmp_path / "t.json"
    # the command only says when the probes are in, and lasts past both writers
    r = subprocess.run([PERFANITY, "trace", "-o", str(out), "--cgroup", cgroup, "--",
                        "/bin/sh", "-c", f"touch {ready}; exec {workload('sleep_ms')} 1500"],
                       capture_output=True, text=True, timeout=60)
    assert a.wait(10) == 0 and b.wait(10) == 0
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    check_identity(data)
    assert data["attached"] == [{"pid": a.pid, "how": "cgroup"}], data["attached"]
    procs = {p["pid"]: p for p in data["processes"]}
    assert b.pid not in procs, procs[b.pid]
    # taken in at its exec: the writer, not the shell it was
    p = procs[a.pid]
    assert p["attached"] is True and p["exit_code"] == 0
    assert p["argv"] == [workload("write_file"), inside, str(SIZE)]
    rows = {f["path"]: f for f in data["files"]}
    assert rows[inside]["bytes_written"] == SIZE, rows[inside]
    assert outside not in rows
    assert f"attached to write_file (pid {a.pid}, cgroup)" in r.stderr, r.stderr


def test_cgroup_members_are_attached(tmp_path, cgroup):
    path = make_file(tmp_path / "data.bin", SIZE)
    sleeper = subprocess.Popen([workload("sleep_read"), "2000", path], stdout=subprocess.PIPE)
    assert sleeper.stdout.readline() == b"ready\n"
    with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
        f.write(str(sleeper.pid))
    out = tmp_path / "t.json"
    # no command: until the cgroup's processes have exited
    r = subprocess.run([PERFANITY, "trace", "-q", "-o", str(out), "--cgroup", cgroup],
                       capture_output=True, text=True, timeout=60)
    assert sleeper.wait(10) == 0
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["attached"] == [{"pid": sleeper.pid, "how": "cgroup"}]
    [proc] = data["processes"]
    assert [f["bytes_read"] for f in data["files"] if f["path"] == path] == [SIZE]
    assert proc["categories"]["sleep"] >= 1 * SEC, proc["categories"]


def one_line(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)
    return r.returncode, r.stderr.strip().splitlines()


def test_cgroup_and_container_errors_are_one_line(tmp_path, cgroup):
    assert one_line([PERFANITY, "trace", "--cgroup", str(tmp_path), "--", "true"]) == (2, [
        f"perfanity: trace: --cgroup {tmp_path}: not a cgroup directory (one under /sys/fs/cgroup)"])
    assert one_line([PERFANITY, "trace", "--cgroup", "/nonexistent", "--", "true"]) == (2, [
        "perfanity: trace: --cgroup /nonexistent: No such file or directory"])
    assert one_line([PERFANITY, "trace", "--cgroup", cgroup]) == (2, [
        f"perfanity: trace: --cgroup {cgroup} has no processes: give a command that starts some there"])
    assert one_line([PERFANITY, "trace", "--containers"]) == (2, [
        "perfanity: trace: --containers follows the containers a command starts: give one (-- docker run ...)"])
    assert one_line([PERFANITY, "trace", "--container", "web", "--cgroup", cgroup]) == (2, [
        "perfanity: trace: --container, --containers and --cgroup are one choice (--container given already)"])
    # without docker on PATH
    assert one_line([PERFANITY, "trace", "--container", "web", "--", "/bin/true"],
                    env={**os.environ, "PATH": str(tmp_path)}) == (2, [
        "perfanity: trace: --container web: docker is not installed (no docker on PATH)"])
