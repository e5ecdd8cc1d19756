# SPDX-License-Identifier: GPL-2.0-only
"""`perfanity recommend` on a recorded bench result of the built-in example
(tests/fixtures/bench_builtin_explain.json: `perfanity bench -r 3 --step clean --step noop
--goal package --goal run --explain` on a 2-core Linux machine), whose winners are known:

* each priority picks its known winner; a priority whose top two overlap within their
  min-max spread is reported as a tie; --explain data gives the why;
* two machines: where the best choice differs, and the best in the worst case;
* the generated pex line (pex.sh), applied to examples/simple, builds an artifact whose
  PEX-INFO and layout are the recommended ones; --check builds it too;
* with Pants (set-up's .venv-pants), the generated pex_binary fields and the Pants macro,
  in a copy of the example build root, package artifacts with the recommended execution
  mode and layout (one `pants package` invocation);
* bad input: another kind of JSON, an unknown priority, an empty result, Docker and
  network priorities without such results: one line each, exit 2.
"""
import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PERFANITY = os.environ.get("PERFANITY", "")
ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "bench_builtin_explain.json"
PEX = ROOT / ".venv" / "bin" / "pex"
WHEELHOUSE = ROOT / ".cache" / "wheelhouse"
PANTS = ROOT / ".venv-pants" / "bin" / "pants"
OFFLINE = ROOT / ".cache" / "pants" / "offline.toml"

LABEL = "simple:bin@execution_mode={},layout={}"
VENV_LOOSE = LABEL.format("venv", "loose")
VENV_PACKED = LABEL.format("venv", "packed")
VENV_ZIPAPP = LABEL.format("venv", "zipapp")
ZIPAPP_LOOSE = LABEL.format("zipapp", "loose")
ZIPAPP_PACKED = LABEL.format("zipapp", "packed")
ZIPAPP_ZIPAPP = LABEL.format("zipapp", "zipapp")


def recommend(*args, env=None):
    return subprocess.run([PERFANITY, "recommend", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env)


def ok(p):
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p.stdout


def line(out, prefix):
    found = [l for l in out.splitlines() if l.startswith(prefix)]
    assert found, f"no line starting {prefix!r} in:\n{out}"
    return found[0]


def one_line_error(p):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("perfanity: recommend: ")
    return lines[0]


def fixture():
    return json.loads(FIXTURE.read_text())


def medians(doc, step, goal):
    """label -> (median, min, max) of one column, from the JSON itself."""
    out = {}
    for c in doc["configs"]:
        for cell in c["cells"]:
            if cell["step"] == step and cell["goal"] == goal and cell["status"] == "ok":
                out[c["label"]] = (cell["median"], cell["min"], cell["max"])
    return out


# The fixture's known winners (read off its table; the test below recomputes them). The
# machine was busy (noisy cells), so several are ties, which the tie test uses.
KNOWN = {
    "package": ZIPAPP_ZIPAPP,
    "run": ZIPAPP_ZIPAPP,          # a tie with venv/loose
    "clean.package": ZIPAPP_ZIPAPP,  # a tie with venv/loose
    "clean.run": ZIPAPP_ZIPAPP,
    "noop.package": ZIPAPP_PACKED,
    "noop.run": ZIPAPP_PACKED,     # a tie with venv/packed
    "artifact_size": ZIPAPP_PACKED,
    "pex_root_size": ZIPAPP_LOOSE,
}
TIE_PRIORITY = "noop.run"
CLEAR_PRIORITY = "noop.package"  # 2.19-2.72 s against 2.94-4.89 s

@pytest.mark.parametrize("priority", sorted(KNOWN))
def test_each_priority_picks_its_known_winner(priority):
    out = ok(recommend(FIXTURE, "--prefer", priority))
    assert line(out, "winner: ") == f"winner: {KNOWN[priority]}"


def test_known_winners_are_the_fixtures_own_minimums():
    """The table above is not made up: each is the lowest median (or size) in the JSON."""
    doc = fixture()
    for priority, winner in KNOWN.items():
        if priority.endswith("_size"):
            key = priority.replace("_size", "_bytes")
            values = {c["label"]: c[key] for c in doc["configs"]}
        elif "." in priority:
            step, goal = priority.split(".")
            values = {k: v[0] for k, v in medians(doc, step, goal).items()}
        else:
            values = {}
            for step in ("clean", "noop"):
                for k, v in medians(doc, step, priority).items():
                    values[k] = values.get(k, 0) + v[0]
        assert min(values, key=values.get) == winner, (priority, values)


def test_overlapping_top_two_is_a_tie():
    doc = fixture()
    step, goal = TIE_PRIORITY.split(".")
    col = sorted(medians(doc, step, goal).items(), key=lambda kv: kv[1][0])
    (a, (_, _, a_max)), (b, (_, b_min, _)) = col[0], col[1]
    assert a_max >= b_min, "the fixture's top two no longer overlap"
    out = ok(recommend(FIXTURE, "--prefer", TIE_PRIORITY))
    assert line(out, "tie: ") == f"tie: {a} and {b} are within the cells' noise"
    assert "tie, within the cells' noise" in line(out, "  vs runner-up ")


def test_clear_win_is_not_a_tie_and_says_how_much():
    out = ok(recommend(FIXTURE, "--prefer", CLEAR_PRIORITY))
    assert "tie: " not in out
    vs = line(out, "  vs pex's defaults ")
    assert vs.startswith(f"  vs pex's defaults {ZIPAPP_ZIPAPP}: ")
    ratio = float(vs.split(": ")[1].split("x better")[0])
    assert ratio > 1.0


def test_why_comes_from_explain_data():
    """The winner was its column's fastest: the defaults' explain_vs_best says why they lose."""
    doc = fixture()
    dflt = next(c for c in doc["configs"] if c["label"] == ZIPAPP_ZIPAPP)
    cell = next(c for c in dflt["cells"] if (c["step"], c["goal"]) == ("noop", "package"))
    out = ok(recommend(FIXTURE, "--prefer", CLEAR_PRIORITY))
    whys = [l for l in out.splitlines() if l.startswith("  why noop/package: ")]
    assert f"  why noop/package: {ZIPAPP_ZIPAPP} takes {cell['explain_vs_best']['causes']}" in whys
    sizes = ok(recommend(FIXTURE, "--prefer", "artifact_size"))
    assert "why" not in sizes.split("\npex")[0]


def test_default_priorities_and_macros():
    out = ok(recommend(FIXTURE))
    assert line(out, "priorities: ") == "priorities: package (every step), run (every step)"
    assert line(out, "test (every step): ").startswith("test (every step): not benched in ")
    assert "Dockerfile: no Docker strategy" in out


def test_machines_compared(tmp_path):
    """A second machine where the first's noop.package winner is 3x slower (as if its file
    system were slow): the best differs, and the worst case is not that winner."""
    doc = fixture()
    winner = KNOWN[CLEAR_PRIORITY]
    for c in doc["configs"]:
        if c["label"] == winner:
            for cell in c["cells"]:
                for k in ("median", "min", "max", "mean"):
                    cell[k] = cell[k] * 3
    other = tmp_path / "wsl.json"
    other.write_text(json.dumps(doc))
    out = ok(recommend(FIXTURE, other, "--prefer", CLEAR_PRIORITY))
    differs = line(out, "machines: ")
    assert differs.startswith("machines: the best choice differs:"), differs
    assert f"bench_builtin_explain: {winner}" in differs
    worst = line(out, "worst case: ")
    assert winner not in worst
    same = ok(recommend(FIXTURE, FIXTURE, "--prefer", CLEAR_PRIORITY))
    assert line(same, "machines: ") == f"machines: the best choice is the same on every machine: {winner}"


def pex_layout(path):
    """(venv, layout) of a built PEX, read back from PEX-INFO and its shape on disk."""
    import zipfile
    if path.is_dir():
        info = json.loads((path / "PEX-INFO").read_text())
        layout = "loose" if (path / ".bootstrap").is_dir() else "packed"
    else:
        with zipfile.ZipFile(path) as z:
            info = json.loads(z.read("PEX-INFO"))
        layout = "zipapp"
    return bool(info.get("venv")), layout


def mode_layout(label):
    """("venv", "packed") from simple:bin@execution_mode=venv,layout=packed."""
    params = dict(kv.split("=") for kv in label.split("@")[1].split(","))
    return params["execution_mode"], params["layout"]


# Every winner of the recorded fixture runs in zipapp mode, so the unit tests' golden result
# (venv/packed wins noop.run there) covers the venv line.
GOLDEN = ROOT / "tests" / "unit" / "golden" / "bench_result.json"
CASES = [(FIXTURE, "noop.run", KNOWN["noop.run"]), (FIXTURE, "pex_root_size", KNOWN["pex_root_size"]),
         (FIXTURE, "package", KNOWN["package"]), (GOLDEN, "noop.run", VENV_PACKED)]


@pytest.mark.parametrize("result,priority,winner", CASES, ids=lambda v: getattr(v, "name", v))
def test_generated_pex_line_builds_the_recommended_artifact(tmp_path, result, priority, winner):
    assert PEX.exists() and WHEELHOUSE.is_dir(), "run scripts/setup.sh first"
    out_dir = tmp_path / "macros"
    assert line(ok(recommend(result, "--prefer", priority, "--out", out_dir)), "winner: ") == f"winner: {winner}"
    project = tmp_path / "simple"
    shutil.copytree(ROOT / "examples" / "simple", project)
    env = dict(os.environ, PATH=f"{PEX.parent}:{os.environ['PATH']}")
    pex_sh = out_dir / "pex.sh"
    extra = [] if " -e " in pex_sh.read_text() else ["-e", "simple.bin:main"]
    p = subprocess.run([str(pex_sh), "--python", "/usr/bin/python3", "--pex-root", str(tmp_path / "pex_root"),
                        "-r", "requirements.txt", "-D", "src", "-f", str(WHEELHOUSE), "--no-pypi", *extra,
                        "-o", "out.pex"],
                       cwd=project, capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    mode, layout = mode_layout(winner)
    assert pex_layout(project / "out.pex") == (mode == "venv", layout)
    # the BUILD fields say the same
    build = (out_dir / "BUILD.pex_binary").read_text()
    assert f'execution_mode="{mode}",' in build and f'layout="{layout}",' in build


def test_check_builds_the_pex_line():
    env = dict(os.environ, PATH=f"{PEX.parent}:{os.environ['PATH']}")
    out = ok(recommend(GOLDEN, "--prefer", "noop.run", "--check", env=env))
    assert line(out, "check: ") == "check: the pex line builds (a directory); PEX-INFO: venv true"


@pytest.mark.skipif(not (PANTS.exists() and OFFLINE.exists()),
                    reason="Pants is not installed: scripts/setup.d/60-pants.sh found no CPython 3.9")
def test_pants_accepts_the_fields_and_the_macro(tmp_path):
    """One `pants package` of two targets in a copy of examples/: one from the generated
    pex_binary fields, one from the macro (build_file_prelude_globs)."""
    out_dir = tmp_path / "macros"
    ok(recommend(GOLDEN, "--prefer", "noop.run", "--out", out_dir))
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns("dist", ".pants.d", ".pids"))
    shutil.copy(out_dir / "recommended_pex.py", root / "recommended_pex.py")
    fields = (out_dir / "BUILD.pex_binary").read_text()
    assert fields.startswith('pex_binary(\n    name="app",\n'), fields  # the golden has no target
    fields = fields.replace('name="app",', 'name="fields",\n    entry_point="simple.bin:main",\n'
                            '    dependencies=["simple/src/simple"],')
    with open(root / "simple" / "BUILD", "a") as f:
        f.write("\n" + fields + "\nrecommended_pex_binary(name=\"macro\", entry_point=\"simple.bin:main\", "
                "dependencies=[\"simple/src/simple\"])\n")
    caches = tmp_path / "caches"
    (caches / "sandboxes").mkdir(parents=True)
    cmd = [str(PANTS), "--no-pantsd", f"--pants-config-files=['pants.toml', '{OFFLINE}']",
           "--build-file-prelude-globs=['recommended_pex.py']",
           f"--local-store-dir={caches}/lmdb", f"--named-caches-dir={caches}/named",
           f"--local-execution-root-dir={caches}/sandboxes", "package", "simple:fields", "simple:macro"]
    p = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    for name in ("fields", "macro"):
        assert pex_layout(root / "dist" / "simple" / f"{name}.pex") == (True, "packed"), name


def test_bad_input_one_line_exit_2(tmp_path):
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps({"kind": "bench-sweep", "points": []}))
    assert "not a bench result (kind 'bench-sweep'" in one_line_error(recommend(sweep))
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps({"version": 1, "processes": []}))
    assert "not a bench result (kind 'none'" in one_line_error(recommend(trace))
    empty = copy.deepcopy(fixture())
    empty["configs"] = []
    (tmp_path / "empty.json").write_text(json.dumps(empty))
    assert one_line_error(recommend(tmp_path / "empty.json")).endswith(
        "empty.json: no measured cells (an empty bench result)")
    assert "unknown priority 'speed'" in one_line_error(recommend(FIXTURE, "--prefer", "run,speed"))
    assert "the weight must be a positive number" in one_line_error(recommend(FIXTURE, "--prefer", "run:-1"))
    assert one_line_error(recommend(FIXTURE, "--prefer", "image_size")) == \
        f"perfanity: recommend: image size: no Docker results in {FIXTURE}"
    assert one_line_error(recommend(FIXTURE, "--prefer", "network_bytes")) == \
        f"perfanity: recommend: network bytes: no installer results in {FIXTURE}"
    assert "no such file" in one_line_error(recommend(tmp_path / "missing.json")).lower()
    assert "expected a bench result" in one_line_error(recommend())


def test_docker_priority_beside_others_is_one_line_and_ignored():
    out = ok(recommend(FIXTURE, "--prefer", "noop.run,push_bytes"))
    assert line(out, "push bytes: ") == f"push bytes: no Docker results in {FIXTURE}"
    assert line(out, "priorities: ") == "priorities: noop/run"
    assert line(out, "winner: ") == f"winner: {KNOWN['noop.run']}"
