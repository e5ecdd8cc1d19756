# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of `perfanity bench` on real pex and the built-in sample project.

Two real runs (module fixtures, so each runs once):
  * a 2-configuration, 1-repetition matrix (venv × packed/loose) over every step and
    goal: every cell measured, artifacts structured as their layout says, the
    incremental step really rebuilt, the PEX prints what its sources say;
  * a zipapp configuration next to a broken one (an interpreter that does not exist):
    the broken one's cells fail with their exit code and stderr, the other completes.
Timings are never asserted (noisy); structures and real outputs are.
Needs `make setup` (pex in .venv, .cache/wheelhouse); PERFANITY = path of the binary.
"""
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

PERFANITY = os.environ.get("PERFANITY", "")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "simple"
PYTHON = "/usr/bin/python3"
STEPS = ["clean", "noop", "incremental"]
GOALS = ["package", "run", "test"]
N_TESTS = 5  # tests in examples/simple/tests

MATRIX_HEAD = f"""
project = "{EXAMPLE}"
target = "simple:bin"
entry_point = "simple.bin:main"
edit = "src/simple/revision.py"
synthetic_names = "src/simple/synthetic.py"
repetitions = 1
deps = 2
dep_size = 4
find_links = ["{ROOT / '.cache' / 'wheelhouse'}"]
no_index = true
"""


def bench(*args, timeout=600):
    return subprocess.run([PERFANITY, "bench", *args], capture_output=True, text=True, timeout=timeout)


def cells(config):
    return {(c["step"], c["goal"]): c for c in config["cells"]}


@pytest.fixture(scope="module")
def two_configs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench2")
    matrix = tmp / "perfanity.toml"
    matrix.write_text(MATRIX_HEAD + '\n[parameters]\nexecution_mode = ["venv"]\nlayout = ["packed", "loose"]\n')
    work = tmp / "work"
    result = tmp / "result.json"
    p = bench(str(matrix), "--json", str(result), "--workdir", str(work), "--csv", str(tmp / "r.csv"))
    return p, json.loads(result.read_text()), work, tmp


@pytest.fixture(scope="module")
def with_broken(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench-broken")
    matrix = tmp / "perfanity.toml"
    matrix.write_text(MATRIX_HEAD + 'steps = ["clean"]\n[parameters]\nlayout = ["zipapp"]\n'
                      f'python = ["{PYTHON}", "/nonexistent/python3"]\n')
    work = tmp / "work"
    result = tmp / "result.json"
    p = bench(str(matrix), "--json", str(result), "--workdir", str(work))
    return p, json.loads(result.read_text()), work


def test_every_cell_measured(two_configs):
    p, doc, _, _ = two_configs
    assert p.returncode == 0, p.stderr
    assert doc["kind"] == "bench" and doc["interrupted"] is False
    labels = [c["label"] for c in doc["configs"]]
    assert labels == ["simple:bin@execution_mode=venv,layout=packed",
                      "simple:bin@execution_mode=venv,layout=loose"]
    for config in doc["configs"]:
        got = cells(config)
        assert sorted(got) == sorted((s, g) for s in STEPS for g in GOALS)
        for cell in got.values():
            assert cell["status"] == "ok", cell
            assert cell["n"] == 1 and len(cell["samples"]) == 1
            assert cell["median"] > 0 and cell["min"] <= cell["median"] <= cell["max"]
            sample = cell["samples"][0]
            assert sample["exit_code"] == 0 and sample["seconds"] > 0
            assert sample["commands"], "the exact command lines are recorded"
        assert config["artifact_bytes"] > 0 and config["pex_root_bytes"] > 0


def test_table_has_seed_shape(two_configs):
    p, doc, _, tmp = two_configs
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["step"] + STEPS + ["size"]
    assert lines[1].split() == ["goal"] + GOALS * 3 + ["artifact", "pex_root"]
    for label, line in zip([c["label"] for c in doc["configs"]], lines[2:4]):
        assert line.startswith(label)
        values = line[len(label):].split()
        assert len(values) == 11  # 9 medians and two sizes
    assert "*" in p.stdout  # best cells marked
    csv = (tmp / "r.csv").read_text().splitlines()
    assert csv[0].startswith("config,step,goal,status")
    assert len(csv) == 1 + 2 * 9


def test_exact_pex_command_lines(two_configs):
    _, doc, work, _ = two_configs
    package = cells(doc["configs"][0])[("clean", "package")]["samples"][0]["commands"]
    assert len(package) == 1
    cmd = package[0]["command"].split()
    assert cmd[0] == str(ROOT / ".venv" / "bin" / "pex")
    assert cmd[cmd.index("--python") + 1] == PYTHON
    assert "--no-pypi" in cmd
    assert cmd[cmd.index("-e") + 1] == "simple.bin:main"
    assert cmd[cmd.index("--venv") + 1] == "prepend"
    assert cmd[cmd.index("--layout") + 1] == "packed"
    assert cmd[cmd.index("-o") + 1] == str(work / "c01" / "out" / "bin.pex")
    test_cmds = cells(doc["configs"][0])[("clean", "test")]["samples"][0]["commands"]
    assert [c["command"].split()[0] for c in test_cmds] == [cmd[0], PYTHON]
    machine = doc["machine"]
    assert machine["pex_version"] == "2.105.2"
    assert machine["python"].startswith("Python 3.")
    assert machine["cores"] >= 1 and machine["kernel"].startswith("Linux") and machine["cpu_model"]


def test_packed_layout_structure(two_configs):
    _, _, work, _ = two_configs
    pex = work / "c01" / "out" / "bin.pex"
    assert pex.is_dir()
    assert zipfile.is_zipfile(pex / ".bootstrap")
    wheels = sorted((pex / ".deps").glob("*.whl"))
    assert any(w.name.startswith("flask-3.0.3") for w in wheels)
    assert any(w.name.startswith("pfsynth_000") for w in wheels)
    for w in wheels:
        assert w.is_file() and zipfile.is_zipfile(w), w
    assert (pex / "__main__.py").is_file()


def test_loose_layout_structure(two_configs):
    _, _, work, _ = two_configs
    pex = work / "c02" / "out" / "bin.pex"
    assert pex.is_dir()
    assert (pex / "__main__.py").is_file()
    files = [f for f in pex.rglob("*") if f.is_file() and not f.is_symlink()]
    assert any(f.name == "app.py" and "flask" in f.parts for f in files)
    zips = [f for f in files if zipfile.is_zipfile(f)]
    assert zips == [], f"loose layout holds zip files: {zips[:3]}"


def test_incremental_really_rebuilt(two_configs):
    _, doc, _, _ = two_configs
    for config in doc["configs"]:
        got = cells(config)
        h = {s: got[(s, "package")]["samples"][0]["artifact_hash"] for s in STEPS}
        assert h["clean"] == h["noop"], "nothing changed, so the rebuilt PEX is the same"
        assert h["incremental"] != h["noop"], "the edited source must change the PEX"


def test_pex_output_is_right(two_configs):
    _, doc, work, _ = two_configs
    edits = []
    for config in doc["configs"]:
        got = cells(config)
        for step in STEPS:
            out = got[(step, "run")]["samples"][0]["stdout_tail"].splitlines()
            edit = int(out[0].removeprefix("simple 1.0 edit="))
            assert out[1:4] == ["web: 200 Hello, perfanity!", "store: 2 rows",
                                "synthetic: 2 deps weight=3"]
            edits.append((step, edit))
            test_out = got[(step, "test")]["samples"][0]["stdout_tail"]
            assert f"{N_TESTS} passed" in test_out
    assert all(e == 0 for s, e in edits if s != "incremental")
    inc = [e for s, e in edits if s == "incremental"]
    assert all(e > 0 for e in inc) and len(set(inc)) == len(inc), "new content every time"
    # The kept artifact itself runs the last edit.
    p = subprocess.run([PYTHON, str(work / "c02" / "out" / "bin.pex")], capture_output=True, text=True,
                       env={**os.environ, "PEX_ROOT": str(work / "c02" / "pex-root")}, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0] == f"simple 1.0 edit={inc[-1]}"


def test_compare_with_itself(two_configs):
    _, _, _, tmp = two_configs
    p = bench("--compare", str(tmp / "result.json"), str(tmp / "result.json"))
    assert p.returncode == 0, p.stderr
    ratio_lines = [l for l in p.stdout.splitlines() if l.strip().startswith("ratio")]
    assert len(ratio_lines) == 2
    assert all(v == "1.00x" for l in ratio_lines for v in l.split()[1:])


def test_broken_config_fails_alone(with_broken):
    p, doc, work = with_broken
    assert p.returncode == 1, p.stderr  # some cell failed
    good, broken = doc["configs"]
    assert good["label"] == f"simple:bin@layout=zipapp,python={PYTHON}"
    for cell in good["cells"]:
        assert cell["status"] == "ok" and cell["n"] == 1, cell
    for cell in broken["cells"]:
        assert cell["status"] == "failed", cell
        assert cell["exit_code"] != 0
        assert cell["stderr_tail"].strip()
    assert "/nonexistent/python3" in cells(broken)[("clean", "package")]["samples"][0]["commands"][0]["command"]
    assert "FAIL" in p.stdout and "failed: simple:bin@layout=zipapp,python=/nonexistent/python3" in p.stdout
    # The good one's zipapp: one zip file that runs.
    pex = work / "c01" / "out" / "bin.pex"
    assert pex.is_file() and zipfile.is_zipfile(pex)
    with zipfile.ZipFile(pex) as z:
        names = z.namelist()
    assert "__main__.py" in names and "PEX-INFO" in names


def test_explain_traces_every_cell(tmp_path):
    """--explain: every goal runs under the tracer, each sample keeps the trace's
    category totals (which add up to what the tracer measured), each cell is
    explained, and every cell slower than its column's best is explained
    against it (command for command) with causes that add up to the difference."""
    matrix = tmp_path / "perfanity.toml"
    matrix.write_text(MATRIX_HEAD + 'steps = ["clean"]\n[parameters]\nexecution_mode = ["venv", "zipapp"]\n'
                      'layout = ["zipapp"]\n')
    out = tmp_path / "r.json"
    p = bench("-q", "--explain", "--json", str(out), str(matrix), timeout=900)
    assert p.returncode == 0, p.stderr
    assert "why (--explain)" in p.stdout
    doc = json.loads(out.read_text())
    vs_best = 0
    for config in doc["configs"]:
        for cell in config["cells"]:
            assert cell["status"] == "ok", cell
            assert cell["explain"], cell
            (sample,) = cell["samples"]
            traced = [c["trace"] for c in sample["commands"]]
            assert traced and all(t["exit_code"] == 0 for t in traced)
            assert sample["seconds"] == pytest.approx(sum(t["wall_ns"] for t in traced) / 1e9)
            assert sample["harness_seconds"] >= sample["seconds"]
            for c in sample["commands"]:
                # each number named for what it holds: the harness's wall, the traced one
                assert c["harness_seconds"] == c["seconds"] >= c["traced_seconds"] > 0, c
                assert c["traced_seconds"] == pytest.approx(c["trace"]["wall_ns"] / 1e9), c
            assert all(sum(t["totals"].values()) > 0 for t in traced)
            if "explain_vs_best" in cell:
                vs_best += 1
                vs = cell["explain_vs_best"]
                assert vs["best"] != config["label"]
                # the same command of both cells, compared: the causes add up to the
                # difference of those two traced walls, sign included
                best = next(c for c in doc["configs"] if c["label"] == vs["best"])
                best_cell = next(c for c in best["cells"]
                                 if (c["step"], c["goal"]) == (cell["step"], cell["goal"]))
                # commands are numbered from 1, in the JSON as in the text
                walls = [s["commands"][vs["command"] - 1]["trace"]["wall_ns"]
                         for s in (sample, best_cell["samples"][0])]
                assert vs["delta_ns"] == walls[0] - walls[1]
                assert f"(command {vs['command']})" in p.stdout
                # one run each: a difference under 2% is noise, said and not decomposed
                noise = cell["median"] - best_cell["median"] < 0.02 * best_cell["median"]
                assert vs["within_noise"] == noise, (vs, cell["median"], best_cell["median"])
                if noise:
                    assert vs["causes"].startswith("within the cells' noise"), vs
                else:
                    assert vs["causes"].startswith("+" if vs["delta_ns"] >= 0 else "-"), vs
    # two configs: in each of the three columns exactly one is not the best
    assert vs_best == 3
    # venv mode builds its venv on the clean run: the tracer saw it
    venv_run = doc["configs"][0]["cells"][1]
    assert venv_run["goal"] == "run"
    assert venv_run["samples"][0]["commands"][0]["trace"]["totals"]["venv_create"] > 0
