# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of the pictures: `perfanity trace --perfetto/--flame/
--folded-time` and `perfanity report --html`, on real traces of workloads
whose processes, files and imports are known.

- The Perfetto JSON parses; the slices of every track are well nested; per
  process and category, the category slices plus what the JSON says was not
  drawn (drops: short runs, lost runs) are the trace's category, to the
  nanosecond (times are written as µs with three decimals: exact).
- The flame graph parses as XML and names the known frames; the folded
  stacks add up to each process's categories within 1 µs a line.
- The HTML page opens in headless Chromium (Debian's, from set-up) without a
  console error, and its scripts ran (the markers they set are in the DOM).
"""
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
import json

import pytest

from conftest import PERFANITY, make_file, workload

PY = "/usr/bin/python3"  # Debian's: its imports are probed on any kernel here
SVG = "{http://www.w3.org/2000/svg}"


def pictures(trace, tmp_path, cmd, *, min_us=0, cwd=None):
    """Trace cmd with the three pictures and -o; their parsed contents."""
    p, f, k = (str(tmp_path / n) for n in ("p.json", "f.svg", "f.folded"))
    opts = ["-q", "--perfetto", p, "--flame", f, "--folded-time", k, "--run-min-us", str(min_us)]
    if cwd:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        t = trace(cmd, options=opts)
    finally:
        if cwd:
            os.chdir(old)
    assert t.rc == 0, t.stderr
    with open(p) as fh:
        perfetto = json.load(fh, parse_float=Decimal)
    with open(k) as fh:
        folded = fh.read().splitlines()
    return t.data, perfetto, ET.parse(f).getroot(), folded


def ns(us):
    return int(us * 1000)


def check_nested(events):
    """Per (pid, tid) track, X slices must nest: each starts after and ends
    before the enclosing one, or starts after it ended."""
    tracks = defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            assert e["dur"] >= 0, e
            tracks[(e["pid"], e["tid"])].append((ns(e["ts"]), -ns(e["dur"]), e))
    for key, slices in tracks.items():
        stack = []
        for start, neg_dur, e in sorted(slices, key=lambda s: (s[0], s[1])):
            end = start - neg_dur
            while stack and stack[-1] <= start:
                stack.pop()
            assert not stack or end <= stack[-1], f"slice {e} overlaps its enclosing one on track {key}"
            stack.append(end)
    return tracks


def check_sums(data, perfetto):
    """Slices + drops = the trace's categories, per process, exactly."""
    drawn = defaultdict(int)
    for e in perfetto["traceEvents"]:
        if e["ph"] == "X" and e["cat"] == "category":
            drawn[(e["pid"], e["name"])] += ns(e["dur"])
    for d in perfetto["otherData"]["drops"]:
        drawn[(d["pid"], d["category"])] += d["short_ns"] + d["lost_ns"]
    for p in data["processes"]:
        for cat, v in p["categories"].items():
            assert drawn.get((p["pid"], cat), 0) == v, (p["pid"], cat, v, drawn.get((p["pid"], cat)))


def frames(svg):
    return [g.find(SVG + "title").text for g in svg.iter(SVG + "g") if g.get("class") == "f"]


def test_read_file_pictures(trace, tmp_path):
    """A C workload reading a known file: its process, file_io and the file
    in every picture, sums exact, slices nested."""
    path = make_file(tmp_path / "known.bin", 4 << 20)
    exe = workload("read_file")
    data, perfetto, svg, folded = pictures(trace, tmp_path, [exe, path, "4096"])
    events = perfetto["traceEvents"]
    other = perfetto["otherData"]
    assert other["run_min_ns"] == 0 and other["short_runs"] == 0 and other["lost_runs"] == 0, other
    check_nested(events)
    check_sums(data, perfetto)
    root = data["processes"][0]["pid"]
    file_slices = [e for e in events if e["ph"] == "X" and e["name"] == "file_io" and e["args"].get("file") == path]
    assert file_slices and all(e["pid"] == root and e["tid"] == root for e in file_slices)
    names = [e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"]
    assert f"read_file ({root})" in names, names
    assert any(e["cat"] == "process" and e["pid"] == root for e in events if e["ph"] == "X")
    # the flame graph: the process tower, its file under file_io
    titles = frames(svg)
    assert any(t.startswith(f"read_file ({root}) (") for t in titles), titles
    assert any(t.startswith(path + " (") for t in titles), titles
    stack = f"read_file ({root});file_io;{path}"
    assert any(line.startswith(stack + " ") for line in folded), folded
    # folded stacks add up to the process's categories (1 µs rounding a line)
    per_cat = defaultdict(int)
    for line in folded:
        frames_, count = line.rsplit(" ", 1)
        parts = frames_.split(";")
        if parts[0] == f"read_file ({root})":
            per_cat[parts[1]] += int(count)
    cats = data["processes"][0]["categories"]
    for cat, v in cats.items():
        lines = sum(1 for line in folded if line.startswith(f"read_file ({root});{cat}"))
        assert abs(per_cat[cat] * 1000 - v) <= 1000 * max(lines, 1), (cat, per_cat[cat], v)


def test_merged_runs_are_counted(trace, tmp_path):
    """With a minimum, short runs are not slices but counted; sums still exact."""
    path = make_file(tmp_path / "small.bin", 1 << 20)
    data, perfetto, _, _ = pictures(trace, tmp_path, [workload("read_file"), path, "512"], min_us=50)
    other = perfetto["otherData"]
    assert other["run_min_ns"] == 50_000
    assert other["short_runs"] > 100 and other["short_ns"] > 0, other   # 2,048 reads of 512 bytes
    short = [e for e in perfetto["traceEvents"] if e["ph"] == "X" and e["cat"] == "category" and ns(e["dur"]) < 50_000]
    assert not short, short[:3]
    check_nested(perfetto["traceEvents"])
    check_sums(data, perfetto)


def make_package(root):
    """pfpics -> pfpics.outer -> pfpics.inner, each with some work."""
    pkg = os.path.join(root, "pfpics")
    os.makedirs(pkg)
    for name, body in (("__init__", "from . import outer\n"),
                       ("outer", "from . import inner\nX = sum(range(100000))\n"),
                       ("inner", "Y = sum(range(100000))\n")):
        with open(os.path.join(pkg, name + ".py"), "w") as f:
            f.write(body)


def test_python_imports_nested(trace, tmp_path):
    """A generated package's imports: nested slices on the thread's import
    track, nested frames in the flame graph."""
    make_package(str(tmp_path))
    data, perfetto, svg, folded = pictures(trace, tmp_path, [PY, "-c", "import pfpics"], cwd=str(tmp_path))
    events = perfetto["traceEvents"]
    tracks = check_nested(events)
    check_sums(data, perfetto)
    spans = {e["name"]: e for e in events if e["ph"] == "X" and e["cat"] == "import" and e["name"].startswith("pfpics")}
    assert set(spans) == {"pfpics", "pfpics.outer", "pfpics.inner"}, sorted(spans)
    pkg, outer, inner = spans["pfpics"], spans["pfpics.outer"], spans["pfpics.inner"]
    assert pkg["tid"] == outer["tid"] == inner["tid"]
    assert [pkg["args"]["depth"] + 1, outer["args"]["depth"] + 1] == [outer["args"]["depth"], inner["args"]["depth"]]
    for parent, child in ((pkg, outer), (outer, inner)):
        assert parent["ts"] <= child["ts"] and child["ts"] + child["dur"] <= parent["ts"] + parent["dur"]
    assert perfetto["otherData"]["import_spans"] >= 3 and perfetto["otherData"]["import_spans_lost"] == 0
    assert len(tracks) >= 3  # the thread, its imports, its process
    assert any(line.startswith(f"python3 ({data['processes'][0]['pid']});import;pfpics;pfpics.outer;pfpics.inner ")
               for line in folded), [line for line in folded if "pfpics" in line]
    titles = frames(svg)
    assert any(t.startswith("pfpics.inner (") for t in titles), titles


def chromium():
    return shutil.which("chromium")


def open_in_chromium(page):
    """The DOM after the page's scripts ran, and its console errors."""
    proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", "--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120)
    errors = [line for line in proc.stderr.splitlines()
              if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
    return proc.returncode, proc.stdout, errors


@pytest.mark.skipif(not chromium(), reason="chromium not installed (scripts/setup.d/45-chromium.sh could not install it)")
def test_report_html_opens_in_chromium(trace, tmp_path):
    """report --html on two traces: the page opens, both flame graphs' and
    the page's scripts ran, no console error, no network reference."""
    make_package(str(tmp_path))
    a = pictures(trace, tmp_path, [PY, "-c", "import pfpics"], cwd=str(tmp_path))[0]
    b = trace([workload("read_file"), make_file(tmp_path / "k.bin", 1 << 20)], options=["-q"]).data
    ja, jb = tmp_path / "imports.json", tmp_path / "read.json"
    ja.write_text(json.dumps(a))
    jb.write_text(json.dumps(b))
    page = str(tmp_path / "report.html")
    proc = subprocess.run([PERFANITY, "report", "--html", page, str(ja), str(jb)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    html = open(page).read()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the page must not load anything"
    assert "pfpics.outer" in html and "Why the wall times differ" in html
    rc, dom, errors = open_in_chromium(page)
    assert rc == 0 and not errors, errors
    assert 'data-report-ready="2"' in dom, dom[:500]
    assert len(re.findall(r'data-flame-ready="[1-9][0-9]*"', dom)) == 2


def test_bad_picture_path_keeps_the_trace(trace, tmp_path):
    """An unwritable --flame path: one line, exit 1, the JSON still written."""
    t = trace(["/bin/true"], options=["-q", "--flame", str(tmp_path / "no" / "dir" / "f.svg")])
    assert t.rc == 1
    assert t.stderr.count("\n") == 1 and "f.svg" in t.stderr, t.stderr
    assert t.data["exit_code"] == 0


PEX = os.path.join(os.path.dirname(__file__), "..", "..", ".venv", "bin", "pex")


@pytest.mark.skipif(not os.path.exists(PEX), reason="no pex in .venv (scripts/setup.sh installs it)")
def test_pex_phases_on_the_process_track(trace, tmp_path):
    """A venv-mode PEX run cold: the root's track holds its lifetime and,
    nested in it, its images named by what pex did in them."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("def main():\n    print('hi')\n")
    pex = str(tmp_path / "app.pex")
    subprocess.run([PEX, "-D", str(src), "-e", "app:main", "-o", pex, "--python", PY, "--venv"], check=True,
                   capture_output=True, timeout=300)
    os.environ["PEX_ROOT"] = str(tmp_path / "pex_root")
    try:
        data, perfetto, _, _ = pictures(trace, tmp_path, [PY, pex], min_us=10)
    finally:
        del os.environ["PEX_ROOT"]
    events = perfetto["traceEvents"]
    check_nested(events)
    check_sums(data, perfetto)
    root = data["processes"][0]["pid"]
    images = [e["name"] for e in events if e["ph"] == "X" and e["cat"] == "image" and e["pid"] == root]
    assert any("bootstrap, then re-exec into PEX_ROOT/venvs" in n for n in images), images
    assert any("run from PEX_ROOT/venvs" in n for n in images), images
    assert any(e["ph"] == "X" and e["cat"] == "image" and "create venv" in e["name"] for e in events)
