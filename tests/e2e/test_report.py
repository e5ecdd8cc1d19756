# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of `perfanity report` on real traces.

Each test traces real commands with `perfanity trace` (through conftest's
`trace` fixture, which also checks the schema and the accounting identity),
then runs `perfanity report` on the JSON files and checks the ranked causes
against the traces: the parts of a comparison must add up to the wall-time
difference (within 10 %), and ground-truth workloads must be explained by
the right category.
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import PERFANITY, SEC, workload

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PEX = os.path.join(REPO, ".venv", "bin", "pex")
WHEELHOUSE = os.path.join(REPO, ".cache", "wheelhouse")

UNIT = {"s": SEC, "ms": 1e6, "us": 1e3, "ns": 1}
QTY = r"(\d+(?:\.\d+)?) (s|ms|us|ns)"


def report(*args, check=True):
    proc = subprocess.run([PERFANITY, "report", *args], capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, f"report {args} failed ({proc.returncode}): {proc.stderr}"
    return proc


def equation(text, label_b, label_a):
    """The line 'B vs A: +X (...) = +a cat + b cat - ...' as (total_ns, [(cause, ns)])."""
    head = f"{label_b} vs {label_a}: "
    lines = [l for l in text.splitlines() if l.lstrip("*").startswith(head)]
    assert lines, f"no comparison line starting {head!r} in:\n{text}"
    line = lines[0].strip("*")
    left, right = line[len(head):].split(" = ", 1)
    m = re.match(r"([+-])" + QTY, left)
    assert m, f"cannot read the difference in {line!r}"
    total = (1 if m.group(1) == "+" else -1) * float(m.group(2)) * UNIT[m.group(3)]
    parts = []
    for sign, num, unit, cause in re.findall(r"(?:^|\s)([+-])\s?" + QTY + r" (\([^)]*\)|\S+)", right):
        parts.append((cause, (1 if sign == "+" else -1) * float(num) * UNIT[unit]))
    assert parts or right.strip() == "no difference", f"no causes parsed from {line!r}"
    return total, parts


def check_adds_up(text, a, b, label_a, label_b):
    """The causes add up to the measured wall-time difference within 10 %."""
    diff = b.data["wall_ns"] - a.data["wall_ns"]
    total, parts = equation(text, label_b, label_a)
    summed = sum(ns for _, ns in parts)
    # the printed total is the measured difference (rounded for display)
    assert abs(total - diff) <= max(0.01 * abs(diff), 0.006 * SEC), (total, diff)
    assert abs(summed - diff) <= 0.10 * abs(diff) + 1e5, (
        f"causes {parts} sum to {summed / 1e6:.1f} ms, the wall-time difference is {diff / 1e6:.1f} ms")
    return parts


def save(t, path):
    import json
    with open(path, "w") as f:
        json.dump(t.data, f)
    return str(path)


def test_single_trace_breakdown(trace, tmp_path):
    t = trace([workload("wait_child"), "200"])
    p = save(t, tmp_path / "wait.json")
    out = report(p).stdout
    assert "perfanity report: wait\n" in out
    assert "Where the time went" in out
    root = t.root
    child = t.children(root["pid"])[0]
    # the tree: the root, and its child indented under it
    assert re.search(rf"^\s+{root['pid']}  \S*wait_child 200", out, re.M), out
    assert re.search(rf"^\s+{child['pid']}    \S*wait_child 200", out, re.M), out
    # the path column adds up to the wall time: its total row is the wall time
    wall = t.data["wall_ns"] / SEC
    m = re.search(r"^\s+total\s+\S+ \S+\s+\S+\s+" + QTY + r"\s+100\.0%$", out, re.M)
    assert m and abs(float(m.group(1)) * UNIT[m.group(2)] / SEC - wall) < 0.006, out
    md = report("--markdown", p).stdout
    assert "## perfanity report: wait" in md and "| category |" in md


def test_compare_child_sleep(trace, tmp_path):
    """A child sleeping 100 ms vs 500 ms: +0.40 s, explained by sleep (the
    parent's child_wait is replaced by what the child did), adding up."""
    a = trace([workload("wait_child"), "100"])
    b = trace([workload("wait_child"), "500"])
    pa, pb = save(a, tmp_path / "short.json"), save(b, tmp_path / "long.json")
    out = report(pa, pb).stdout
    parts = check_adds_up(out, a, b, "short", "long")
    cause, ns = parts[0]
    assert cause == "sleep", out
    assert abs(ns - 0.4 * SEC) <= 0.04 * SEC, out
    assert "child_wait" not in [c for c, _ in parts[:1]]
    # Markdown: the same equation, bold
    md = report("--markdown", pa, pb).stdout
    total_md, parts_md = equation(md.replace("\\_", "_"), "long", "short")
    assert [c for c, _ in parts_md] == [c for c, _ in parts]
    # --label names the traces
    out = report("--label", "A", "--label", "B", pa, pb).stdout
    check_adds_up(out, a, b, "A", "B")


def test_compare_python_imports(trace, tmp_path):
    """Importing more of the standard library: a small difference, still adding up."""
    a = trace(["/usr/bin/python3", "-c", "pass"])
    b = trace(["/usr/bin/python3", "-c", "import json, email, http.client, zipfile, argparse, asyncio"])
    pa, pb = save(a, tmp_path / "bare.json"), save(b, tmp_path / "imports.json")
    out = report(pa, pb).stdout
    parts = check_adds_up(out, a, b, "bare", "imports")
    assert b.data["wall_ns"] > a.data["wall_ns"]
    assert parts[0][1] > 0, out


def build_pex(tmp_path, name, *options):
    """A PEX of requests from the offline wheelhouse (no network)."""
    out = tmp_path / name
    subprocess.run([PEX, "--no-pypi", "-f", WHEELHOUSE, "requests==2.32.3", *options, "-o", str(out)],
                   check=True, capture_output=True, timeout=300)
    return str(out)


def trace_with_pex_root(trace, cmd, pex_root):
    """trace(cmd) with PEX_ROOT set for the traced command (inherited through perfanity)."""
    old = os.environ.get("PEX_ROOT")
    os.environ["PEX_ROOT"] = str(pex_root)
    try:
        return trace(cmd)
    finally:
        if old is None:
            del os.environ["PEX_ROOT"]
        else:
            os.environ["PEX_ROOT"] = old


needs_pex = pytest.mark.skipif(not (os.access(PEX, os.X_OK) and os.path.isdir(WHEELHOUSE)),
                               reason="needs the project venv's pex and the offline wheelhouse (make setup)")


@needs_pex
def test_compare_pex_cold_warm(trace, tmp_path):
    """A zipapp PEX, cold then warm PEX_ROOT: pex phases recognised, and the
    cold run's extra time explained by causes that add up."""
    pex_file = build_pex(tmp_path, "app.pex")
    root = tmp_path / "pex_root"
    cmd = ["/usr/bin/python3", pex_file, "-c", "import requests"]
    cold = trace_with_pex_root(trace, cmd, root)
    warm = trace_with_pex_root(trace, cmd, root)
    shutil.rmtree(root, ignore_errors=True)
    pc, pw = save(cold, tmp_path / "cold.json"), save(warm, tmp_path / "warm.json")

    single = report(pc).stdout
    assert re.search(r"install \d+ wheels? into PEX_ROOT/installed_wheels: " + QTY, single), single
    assert "bootstrap, then re-exec into PEX_ROOT/unzipped_pexes" in single, single
    assert re.search(r"use \d+ installed wheels? from PEX_ROOT/installed_wheels", report(pw).stdout)

    out = report(pw, pc).stdout
    check_adds_up(out, warm, cold, "warm", "cold")
    # not a timing assertion (noise can flip a 10% difference): the cold run
    # inflates the wheels it installs, the warm one finds them installed
    assert cold.data["totals"]["zip_extract"] > 2 * warm.data["totals"]["zip_extract"]
    assert "pex phases that changed" in out


@needs_pex
def test_pex_venv_phases(trace, tmp_path):
    """A --venv PEX, cold: pex creates its venv under PEX_ROOT/venvs with
    python -m venv and re-execs into it; the report names both."""
    pex_file = build_pex(tmp_path, "venv.pex", "--venv", "prepend")
    t = trace_with_pex_root(trace, ["/usr/bin/python3", pex_file, "-c", "import requests"], tmp_path / "pr")
    out = report(save(t, tmp_path / "venv.json")).stdout
    assert re.search(r"create venv \(python -m venv\) in PEX_ROOT/venvs: " + QTY, out), out
    assert "bootstrap, then re-exec into PEX_ROOT/venvs" in out, out


def test_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1')
    proc = report(str(bad), check=False)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    proc = report(str(other), check=False)
    assert proc.returncode == 2 and "not a perfanity trace" in proc.stderr, proc.stderr
    proc = report(str(tmp_path / "missing.json"), check=False)
    assert proc.returncode == 2 and "cannot read" in proc.stderr, proc.stderr
