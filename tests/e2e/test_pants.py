# SPDX-License-Identifier: GPL-2.0-only
"""Pants for real (Pants 2.17.1 from set-up's .venv-pants, offline): tracing through
pantsd, and the Pants preset of `perfanity bench`. Skipped, with the reason, where
set-up found no CPython 3.9 to install Pants on.

* `perfanity trace -- pants package X` with pantsd already warm: the pex process that
  built X is in the trace (argv names the output), attached through pantsd, with its
  file_io and zip_extract; with --no-pantsd the same process is a descendant.
* `perfanity bench --trace` on two configurations of examples/pants: rows under the
  addresses Pants gives the parametrized pex_binary, every cell measured, and noop
  `package` with pantsd at least 5x faster than clean (Pants' start-up and the cold
  store against a warm daemon: a ratio noise cannot flip); the noop trace attached to
  pantsd. No pantsd is left running.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PERFANITY, check_identity

ROOT = Path(__file__).resolve().parents[2]
PANTS = ROOT / ".venv-pants" / "bin" / "pants"
OFFLINE = ROOT / ".cache" / "pants" / "offline.toml"

pytestmark = pytest.mark.skipif(
    not (PANTS.exists() and OFFLINE.exists()),
    reason="Pants is not installed: scripts/setup.d/60-pants.sh found no CPython 3.9")


def pantsd_pid(buildroot):
    for f in Path(buildroot).glob(".pids/*/pantsd/pid"):
        pid = int(f.read_text() or 0)
        try:
            if b"pantsd" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            pass
    return None


@pytest.fixture(scope="module")
def buildroot(tmp_path_factory):
    """A copy of examples/ (the build root) with private caches; pantsd stopped after."""
    d = tmp_path_factory.mktemp("pants")
    root = d / "examples"
    shutil.copytree(ROOT / "examples", root)
    caches = d / "caches"
    (caches / "sandboxes").mkdir(parents=True)
    cmd = [str(PANTS), f"--pants-config-files=['pants.toml', '{OFFLINE}']",
           f"--local-store-dir={caches}/lmdb", f"--named-caches-dir={caches}/named",
           f"--local-execution-root-dir={caches}/sandboxes"]
    yield root, cmd
    pid = pantsd_pid(root)
    if pid:
        os.kill(pid, 15)


def trace_pants(root, cmd, out):
    r = subprocess.run([PERFANITY, "trace", "-o", str(out), "--", *cmd], cwd=root,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(out.read_text())
    check_identity(data)
    return data, r.stderr


def pex_builds(data, output):
    """Processes whose argv (any exec of them) has --output-file output."""
    found = []
    for p in data["processes"]:
        for e in [p, *p.get("execs", [])]:
            argv = e["argv"]
            if any(a == "--output-file" and i + 1 < len(argv) and argv[i + 1] == output
                   for i, a in enumerate(argv)):
                found.append(p)
                break
    return found


def test_trace_follows_the_work_into_a_warm_pantsd(buildroot, tmp_path):
    root, cmd = buildroot
    # pantsd warm: started by an earlier command that built nothing
    r = subprocess.run([*cmd, "--pantsd", "list", "::"], cwd=root, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    pid = pantsd_pid(root)
    assert pid, "pantsd did not start"
    target = "simple:bin@execution_mode=zipapp,layout=zipapp"
    output = "simple/bin@execution_mode=zipapp,layout=zipapp.pex"
    data, stderr = trace_pants(root, [*cmd, "--pantsd", "package", target], tmp_path / "warm.json")
    assert data["attached"] == [{"pid": pid, "how": "pantsd"}], data["attached"]
    assert f"attaching to pantsd (pid {pid})" in stderr
    procs = {p["pid"]: p for p in data["processes"]}
    assert procs[pid]["attached"] and procs[pid]["running_at_end"]
    builds = pex_builds(data, output)
    assert builds, "the pex process that built the PEX is not in the trace"
    pex = builds[0]
    assert pex["attached"] is True
    # a child of pantsd, not of the client
    assert pex["ppid"] == pid
    assert pex["categories"]["file_io"] > 0 and pex["categories"]["zip_extract"] > 0, pex["categories"]
    # the client itself did not start it
    client = [p for p in data["processes"] if not p["attached"]]
    assert client and all(p["pid"] != pex["pid"] for p in client)
    assert (root / "dist" / output).is_file()
    # the report names pantsd and the execution
    rep = subprocess.run([PERFANITY, "report", str(tmp_path / "warm.json")], capture_output=True, text=True)
    assert rep.returncode == 0, rep.stderr
    assert "was already running: attached to, warm" in rep.stdout
    assert f"pex: build {output}" in rep.stdout

    # the same kind of build without pantsd: the processes are the command's own
    target = "simple:bin@execution_mode=venv,layout=zipapp"
    output = "simple/bin@execution_mode=venv,layout=zipapp.pex"
    data, stderr = trace_pants(root, [*cmd, "--no-pantsd", "package", target], tmp_path / "nopantsd.json")
    assert data["attached"] == [] and "attaching to pantsd" not in stderr
    assert all(not p["attached"] for p in data["processes"])
    builds = pex_builds(data, output)
    assert builds and builds[0]["categories"]["file_io"] > 0
    # a descendant of the traced client
    pids = {p["pid"]: p for p in data["processes"]}
    p, guard = builds[0], 0
    while p["ppid"] in pids and guard < 50:
        p, guard = pids[p["ppid"]], guard + 1
    assert p["pid"] == data["processes"][0]["pid"], "the pex process is not under the client"


def test_bench_pants_preset_two_configurations(tmp_path):
    matrix = tmp_path / "perfanity.toml"
    matrix.write_text(f"""
project = "{ROOT / 'examples'}"
target = "simple:bin"
edit = "simple/src/simple/revision.py"
preset = "pants"
repetitions = 1
goals = ["package", "run"]
steps = ["clean", "noop"]
[parameters]
execution_mode = ["venv"]
layout = ["loose", "packed"]
pantsd = [true]
""")
    out = tmp_path / "result.json"
    r = subprocess.run([PERFANITY, "bench", str(matrix), "--json", str(out), "--keep", "--trace"],
                       capture_output=True, text=True, timeout=1500)
    assert r.returncode == 0, r.stderr[-3000:]
    labels = ["simple:bin@execution_mode=venv,layout=loose pantsd=true",
              "simple:bin@execution_mode=venv,layout=packed pantsd=true"]
    rows = [line for line in r.stdout.splitlines() if line.startswith("simple:bin@")]
    assert [row.split("  ")[0] for row in rows] == labels, r.stdout
    doc = json.loads(out.read_text())
    assert [c["label"] for c in doc["configs"]] == labels
    for c in doc["configs"]:
        cells = {(x["step"], x["goal"]): x for x in c["cells"]}
        assert all(x["status"] == "ok" for x in cells.values()), cells
        clean, noop = cells["clean", "package"]["median"], cells["noop", "package"]["median"]
        assert noop * 5 <= clean, f"{c['label']}: noop package {noop:.2f} s vs clean {clean:.2f} s"
        # the PEX Pants built ran, and printed the app's output
        assert "simple 1.0" in cells["clean", "run"]["samples"][0]["stdout_tail"]
        assert c["artifact_bytes"] > 0
        # pantsd was stopped with the configuration
        assert pantsd_pid(Path(c["workdir"]) / "project") is None
        # --trace: the noop package ran in the warm pantsd, which the trace attached to
        [rec] = cells["noop", "package"]["samples"][0]["commands"]
        trace = json.loads(Path(rec["trace"]["file"]).read_text())
        check_identity(trace)
        assert [a["how"] for a in trace["attached"]] == ["pantsd"], trace["attached"]
        # the clean package started pantsd itself: a descendant, nothing attached
        [rec] = cells["clean", "package"]["samples"][0]["commands"]
        trace = json.loads(Path(rec["trace"]["file"]).read_text())
        assert trace["attached"] == []
        rep = subprocess.run([PERFANITY, "report", rec["trace"]["file"]], capture_output=True, text=True)
        assert rep.returncode == 0, rep.stderr
        assert "was started by the command at +" in rep.stdout, rep.stdout
        assert "to its first process execution" in rep.stdout
    shutil.rmtree(doc["tools"]["workdir"], ignore_errors=True)
