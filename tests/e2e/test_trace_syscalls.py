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


def test_repeated_calls_follow_the_fd_to_its_file(trace, tmp_path):
    """A run of one call on one fd is entered without being classified
    again (repeats_plain_call): the fd's number then names another file
    (close and open, dup2 over it), and two fds take turns. Every read
    still goes to its own file's row and to the syscall table, exactly."""
    n = 3000
    a, b = make_file(tmp_path / "a.bin", 4096), make_file(tmp_path / "b.bin", 4096)
    t = trace([workload("fd_reuse"), a, b, str(n)], options=["--syscalls"])
    assert t.rc == 0, t.stderr
    # A: n reads of 16 bytes, then n more in turns with B; 3 opens, 2 closes
    assert (t.file(a)["bytes_read"], t.file(a)["ops"]) == (32 * n, 2 * n + 5), t.file(a)
    # B: n reads of 32 bytes on A's old fd number, n through dup2's, n in turns
    assert (t.file(b)["bytes_read"], t.file(b)["ops"]) == (96 * n, 3 * n + 5), t.file(b)
    r = rows(t)
    assert (r["pread64"]["calls"], r["pread64"]["bytes"]) == (5 * n, 128 * n), r["pread64"]
    # (not close: the child perfanity holds before exec closes its pipes)
    assert (r["openat"]["calls"], r["dup2"]["calls"]) == (5, 1), r


def test_bench_floor_follows_no_syscall(trace, tmp_path):
    """PERFANITY_BENCH_FLOOR (bench/overhead.py --floor) stops the syscall
    programs early: such a trace says it is partial and has no syscall in
    it; any other value is refused in one line."""
    path = make_file(tmp_path / "mix.bin", 4096)
    for floor in ("empty", "state"):
        t = trace([workload("syscall_mix"), path], prefix=("env", f"PERFANITY_BENCH_FLOOR={floor}"))
        assert t.rc == 0, t.stderr
        assert f"PERFANITY_BENCH_FLOOR={floor}: syscalls not followed" in t.data["partial"], t.data["partial"]
        assert t.data["syscalls"] == [] and all(f["ops"] == 0 for f in t.data["files"]), t.data["files"]
    t = trace([workload("syscall_mix"), path], prefix=("env", "PERFANITY_BENCH_FLOOR=some"), expect_json=False)
    assert t.rc == 2 and t.stderr.strip().splitlines() == \
        ["perfanity: trace: PERFANITY_BENCH_FLOOR=some: not empty or state (it is for bench/overhead.py --floor)"], \
        (t.rc, t.stderr)
