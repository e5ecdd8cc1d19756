# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of `perfanity trace --sample` and `--folded`: CPU
samples of the traced threads with kernel, native and Python stacks. Ground
truth: a Python program that spends 80% of its CPU time in one function and
20% in another (timed on its own thread's CPU clock, so that waiting for a
busy CPU does not move the split), under Debian's python3 (USDT) and
pyenv's builds (none); a C program spinning in one function. Each run takes
a second or two."""
import glob
import os
import re
import subprocess
import time

import pytest

from conftest import PERFANITY, held_prog_ids, pf_programs, run_trace, still_loaded, workload

HOT, COLD = "hot_eighty", "cold_twenty"
PROGRAM = f"""
import time
def spin(t):
    end = time.thread_time() + t
    x = 0
    while time.thread_time() < end:
        x += 1
    return x
def {HOT}(t):
    return spin(t)
def {COLD}(t):
    return spin(t)
for _ in range(12):
    {HOT}(0.08)
    {COLD}(0.02)
"""


def pyenv_python(version):
    """A pyenv build of CPython `version` (no USDT probes), or None."""
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    return found[-1] if found else None


def busiest(samples):
    """The process with the most samples."""
    return max(samples["processes"], key=lambda p: p["samples"])


def python_share(proc, func):
    """Samples whose innermost Python frame is func's or one it called
    (spin): the stacks are in the folded lines, the JSON has the leaf."""
    return sum(f["samples"] for f in proc["python_functions"] if f["function"].startswith(func + " "))


def folded_lines(path):
    with open(path) as f:
        lines = f.read().splitlines()
    parsed = []
    for line in lines:
        m = re.fullmatch(r"(.+) (\d+)", line)
        assert m, f"not a folded line: {line!r}"
        frames = m.group(1).split(";")
        assert re.fullmatch(r".+ \(\d+\)", frames[0]), f"no process root frame: {line!r}"
        parsed.append((frames, int(m.group(2))))
    return parsed


INTERPRETERS = [("Debian 3.11", lambda: "/usr/bin/python3"), ("pyenv 3.9", lambda: pyenv_python("3.9")),
                ("pyenv 3.12", lambda: pyenv_python("3.12")), ("pyenv 3.13", lambda: pyenv_python("3.13"))]


@pytest.mark.parametrize("name,find", INTERPRETERS, ids=[i[0] for i in INTERPRETERS])
def test_python_split(tmp_path, name, find):
    """80% / 20% of the CPU in two known functions: the samples' split agrees
    within 10 points, through the Python stacks walked in BPF (the folded
    stacks: hot_eighty or cold_twenty is the caller of spin)."""
    py = find()
    if not py:
        pytest.skip(f"no {name} interpreter on this machine")
    script = tmp_path / "busy.py"
    script.write_text(PROGRAM)
    folded = tmp_path / "out.folded"
    t = run_trace([py, str(script)], tmp_path, options=["-q", "--sample=499", "--folded", str(folded)])
    assert t.rc == 0, t.stderr
    s = t.data["samples"]
    assert s["hz"] == 499 and s["count"] > 0 and s["lost"] == 0, s
    proc = busiest(s)
    assert proc["samples"] >= 300, proc  # ~1.2 s of CPU at 499 Hz
    hot = cold = 0
    for frames, n in folded_lines(folded):
        names = [f.split(" ")[0] for f in frames[1:]]
        hot += n if HOT in names else 0
        cold += n if COLD in names else 0
    assert hot + cold >= 0.8 * proc["samples"], (hot, cold, proc["samples"])
    assert abs(hot / (hot + cold) - 0.8) <= 0.10, (hot, cold)
    # the JSON's leaf functions: spin, at its file and line
    top = proc["python_functions"][0]
    assert top["function"] == "spin (busy.py:3)" and top["share"] >= 0.8, proc["python_functions"]
    assert proc["cpu_ns"] == next(p for p in t.data["processes"] if p["pid"] == proc["pid"])["categories"]["cpu"]
    libs = [l["library"] for l in proc["native_libraries"]]
    assert any(l.startswith(("python3", "libpython3")) for l in libs[:2]), libs


def test_c_native_frame(tmp_path):
    """A C program spinning in pf_spin_here: its leaf native frame, named by
    elfutils from the program's symbol table, holds nearly every sample."""
    folded = tmp_path / "c.folded"
    t = run_trace([workload("spin_func"), "600"], tmp_path, options=["-q", "--sample=499", "--folded", str(folded)])
    assert t.rc == 0, t.stderr
    proc = busiest(t.data["samples"])
    assert proc["process"] == f"spin_func ({proc['pid']})"
    top = proc["native_functions"][0]
    assert (top["function"], top["library"]) == ("pf_spin_here", "spin_func"), proc["native_functions"]
    assert top["share"] >= 0.8, top
    assert proc["native_libraries"][0]["library"] == "spin_func"
    assert proc["kernel_paths"][0]["path"] == "(user mode)"
    lines = folded_lines(folded)
    assert sum(n for _, n in lines) == sum(p["samples"] for p in t.data["samples"]["processes"])
    # the leaf is always right; its callers only where frame pointers were kept
    assert sum(n for frames, n in lines if frames[-1] == "pf_spin_here") >= 0.8 * proc["samples"], lines[:5]
    assert len({tuple(frames) for frames, _ in lines}) == len(lines), "equal stacks not merged"
    # perfanity report says the split in a few lines
    r = subprocess.run([PERFANITY, "report", t.argv[t.argv.index("-o") + 1]], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    section = r.stdout.split("CPU samples (499 Hz, ")[1].split("\n\n")[0]
    assert f"spin_func ({proc['pid']}): {proc['samples']} samples, cpu " in section, section
    assert re.search(r"native: spin_func \d+%", section) and "kernel: (user mode) " in section, section


def test_exec_keeps_each_images_names(tmp_path):
    """One pid, two images: Python spins, then execs the C spinner. Each
    image's native frames are named from its own mappings (the samples are
    told apart by the executable's inode), so both libraries show."""
    code = ("import os, time\n"
            "end = time.thread_time() + 0.4\n"
            "while time.thread_time() < end: sum(range(2000))\n"
            f"os.execv({workload('spin_func')!r}, ['spin_func', '400'])\n")
    t = run_trace(["/usr/bin/python3", "-c", code], tmp_path, options=["-q", "--sample=499"])
    assert t.rc == 0, t.stderr
    proc = busiest(t.data["samples"])
    libs = {l["library"]: l["share"] for l in proc["native_libraries"]}
    funcs = {f["function"]: f["share"] for f in proc["native_functions"]}
    assert funcs.get("pf_spin_here", 0) >= 0.3, funcs
    # named from the other image's mappings they would be [unknown]
    assert libs.get("python3.11", 0) >= 0.2, libs


def sample_prog_ids(pid):
    """ids of the pf_sample programs pid holds (its fds: programs and links)."""
    ids = held_prog_ids(pid)
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True, check=True).stdout
    import json
    return {p["id"] for p in json.loads(out) if p["id"] in ids and p.get("name") == "pf_sample"}


def perf_event_fds(pid):
    n = 0
    for fd in glob.glob(f"/proc/{pid}/fd/*"):
        try:
            n += os.readlink(fd) == "anon_inode:[perf_event]"
        except OSError:
            pass
    return n


def test_nothing_left_after_the_trace(tmp_path):
    """While the tree runs, perfanity holds the sampling program and a perf
    event per CPU; when it ends, the program is unloaded (no link, no event
    left), so nothing samples any more."""
    out = tmp_path / "t.json"
    p = subprocess.Popen([PERFANITY, "trace", "-q", "--sample", "-o", str(out), "--",
                          "/usr/bin/python3", "-c", "import time; time.sleep(1.5)"],
                         stderr=subprocess.PIPE, text=True)
    deadline, ids, events = time.monotonic() + 1.2, set(), 0
    while time.monotonic() < deadline and not (ids and events):
        time.sleep(0.1)
        ids, events = sample_prog_ids(p.pid), perf_event_fds(p.pid)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert ids and events >= 1, (ids, events)
    assert not still_loaded(ids), f"pf_sample programs {ids} still loaded after the trace"
    assert ids.isdisjoint(pf_programs())


def test_default_trace_loads_no_sampler(tmp_path):
    """Without --sample the sampling object is not loaded at all."""
    t = run_trace(["/bin/true"], tmp_path, options=["-q"])
    assert t.rc == 0 and "samples" not in t.data


@pytest.mark.parametrize("arg", ["--sample=0", "--sample=abc", "--sample=20000"])
def test_bad_frequency(arg):
    r = subprocess.run([PERFANITY, "trace", arg, "--", "/bin/true"], capture_output=True, text=True)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "--sample" in r.stderr, r.stderr


def test_folded_unwritable(tmp_path):
    """--folded into a directory that does not exist: one line, exit 1, and
    the JSON (samples included) is written all the same."""
    t = run_trace(["/bin/true"], tmp_path, options=["-q", "--folded", "/nonexistent/dir/x.folded"])
    assert t.rc == 1, t.stderr
    lines = [l for l in t.stderr.splitlines() if "--folded" in l]
    assert len(lines) == 1 and "No such file or directory" in lines[0], t.stderr
    assert "samples" in t.data


def test_seccomp_backend_says_no_samples(tmp_path):
    t = run_trace(["/bin/true"], tmp_path, options=["-q", "--backend", "seccomp", "--sample"],
                  )
    assert t.rc == 0, t.stderr
    assert "samples" not in t.data
    assert [l for l in t.stderr.splitlines() if "--sample needs the bpf backend" in l], t.stderr
