# SPDX-License-Identifier: GPL-2.0-only
"""The syscall table (strace -c's): calls, errors, time and bytes per syscall,
checked against a static workload whose syscalls are known exactly."""
from conftest import make_file, workload


def rows(t):
    return {r["name"]: r for r in t.data["syscalls"]}


def test_syscall_table_exact(trace, tmp_path):
    path = make_file(tmp_path / "mix.bin", 4096)
    t = trace([workload("syscall_mix"), path], options=["--syscalls"])
    assert t.rc == 0, t.stderr
    r = rows(t)
    # 8 preads of 100 bytes; one open of PATH and 3 of a missing path
    assert (r["pread64"]["calls"], r["pread64"]["errors"], r["pread64"]["bytes"]) == (8, 0, 800), r["pread64"]
    assert (r["openat"]["calls"], r["openat"]["errors"]) == (4, 3), r["openat"]
    for row in t.data["syscalls"]:
        assert row["calls"] >= 1 and 0 <= row["errors"] <= row["calls"] and row["ns"] >= 0, row
    # by time, as strace -c sorts
    times = [row["ns"] for row in t.data["syscalls"]]
    assert times == sorted(times, reverse=True), times
    # the summary's table (--syscalls) says the same
    lines = [l.split() for l in t.stderr.splitlines()]
    pread = [l for l in lines if l and l[-1] == "pread64"]
    assert pread and pread[0][3] == "8" and pread[0][-2] == "800", t.stderr
    openat = [l for l in lines if l and l[-1] == "openat"]
    assert openat and openat[0][3:5] == ["4", "3"], t.stderr


def test_syscall_table_only_with_the_option(trace, tmp_path):
    path = make_file(tmp_path / "mix.bin", 4096)
    t = trace([workload("syscall_mix"), path])
    assert t.rc == 0, t.stderr
    assert "syscalls (all threads" not in t.stderr
    assert rows(t)["pread64"]["calls"] == 8  # always in the JSON


def test_directory_rollup(trace, tmp_path):
    """Files rolled up by directory: counts and bytes add up per directory."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    paths = [make_file(a / "1.bin", 4096), make_file(a / "2.bin", 4096), make_file(b / "3.bin", 8192)]
    t = trace(["/bin/cat", *paths], stdin=None)
    assert t.rc == 0, t.stderr
    dirs = {d["dir"]: d for d in t.data["dirs"]}
    da, db = dirs[str(a.resolve())], dirs[str(b.resolve())]
    assert (da["files"], da["bytes_read"]) == (2, 8192), da
    assert (db["files"], db["bytes_read"]) == (1, 8192), db
    rows = [t.file(p) for p in paths]
    assert da["ops"] == rows[0]["ops"] + rows[1]["ops"] and da["ns"] == rows[0]["ns"] + rows[1]["ns"], (da, rows)
    assert "top directories by time" in t.stderr, t.stderr


def test_file_map_full_is_said_with_the_remedy(trace):
    """More distinct files than --max-files: the rows past it are counted as
    lost, and the summary names the option that makes room."""
    t = trace(["/usr/bin/python3", "-c", "import os; [os.path.exists(f'/nonexistent/{i}') for i in range(3000)]"],
              options=["--max-files", "1024"])
    assert t.rc == 0, t.stderr
    assert t.data["lost_events"] > 0
    assert len(t.data["files"]) <= 1024
    assert "run again with --max-files 4096" in t.stderr, t.stderr
