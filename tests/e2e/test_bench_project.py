# SPDX-License-Identifier: GPL-2.0-only
"""`perfanity bench DIR` on a project of the user's, with no perfanity file: inferred
from its pyproject.toml, nothing borrowed from the built-in example.

The project (written by the test): one console script, one dependency, a pytest test.
Its dependency comes from the user's pip configuration (PIP_FIND_LINKS pointing at the
checkout's wheelhouse, PIP_NO_INDEX), as a user's index would: the warm-up honours it,
measured commands then read the warm-up's wheels.
"""
import json
import os
import subprocess
from pathlib import Path

PERFANITY = os.environ.get("PERFANITY", "")
ROOT = Path(__file__).resolve().parents[2]
PIP = {"PIP_FIND_LINKS": str(ROOT / ".cache" / "wheelhouse"), "PIP_NO_INDEX": "1"}
LAYOUTS = ["loose", "packed", "zipapp"]


def make_project(d, scripts=("hello",), tests=True):
    (d / "src" / "hello").mkdir(parents=True)
    script_lines = "\n".join(f'{s} = "hello.cli:main"' for s in scripts)
    (d / "pyproject.toml").write_text(f"""[project]
name = "hello"
version = "0.1"
dependencies = ["itsdangerous==2.2.0"]
[project.scripts]
{script_lines}
[project.optional-dependencies]
test = ["pytest==8.3.3"]
""")
    (d / "src" / "hello" / "__init__.py").write_text("")
    (d / "src" / "hello" / "cli.py").write_text(
        "import itsdangerous\n\n\ndef main():\n    print('hello from', itsdangerous.__name__)\n")
    if tests:
        (d / "tests").mkdir()
        (d / "tests" / "test_cli.py").write_text(
            "from hello import cli\n\n\ndef test_main(capsys):\n    cli.main()\n"
            "    assert capsys.readouterr().out == 'hello from itsdangerous\\n'\n")
    return d


def bench(*args, timeout=1200):
    env = dict(os.environ, **PIP)
    return subprocess.run([PERFANITY, "bench", *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_inferred_project_benches_six_configurations(tmp_path):
    proj = make_project(tmp_path / "hello")
    out = tmp_path / "r.json"
    p = bench(str(proj), "-r", "1", "--json", str(out))
    assert p.returncode == 0, p.stderr[-3000:]
    # what was inferred, and from where
    assert 'inferred entry_point = "hello.cli:main"  (pyproject.toml [project.scripts]: hello)' in p.stderr
    assert 'inferred edit = "src/hello/cli.py"  (the entry point\'s module hello.cli)' in p.stderr
    assert "warm-up (not measured)" in p.stderr
    doc = json.loads(out.read_text())
    labels = [c["label"] for c in doc["configs"]]
    assert labels == [f"hello:bin@execution_mode={m},layout={lay}" for m in ("venv", "zipapp") for lay in LAYOUTS]
    for c in doc["configs"]:
        cells = {(x["step"], x["goal"]): x for x in c["cells"]}
        assert len(cells) == 9 and all(x["status"] == "ok" for x in cells.values()), cells
        for step in ("clean", "noop", "incremental"):
            assert cells[step, "run"]["samples"][0]["stdout_tail"] == "hello from itsdangerous\n"
            assert "1 passed" in cells[step, "test"]["samples"][0]["stdout_tail"]
    # the commands are the project's: no wheelhouse, synthetic wheels or -D of the example
    cmd = doc["configs"][0]["cells"][0]["samples"][0]["commands"][0]["command"]
    assert "synthetic" not in cmd and ".cache/wheelhouse" not in cmd and "/src -e hello.cli:main" in cmd


def test_without_tests_the_test_goal_is_skipped(tmp_path):
    proj = make_project(tmp_path / "hello", tests=False)
    out = tmp_path / "r.json"
    p = bench(str(proj), "-r", "1", "--step", "clean", "--config", "execution_mode=venv,layout=loose",
              "--json", str(out))
    assert p.returncode == 0, p.stderr[-3000:]
    assert ("perfanity: bench: skipped: goal test: the project has no tests/ directory "
            '(set tests = "dir" to run pytest on one)') in p.stderr.splitlines()
    [c] = json.loads(out.read_text())["configs"]
    assert [(x["step"], x["goal"], x["status"]) for x in c["cells"]] == [("clean", "package", "ok"),
                                                                          ("clean", "run", "ok")]


def test_two_console_scripts_and_no_choice(tmp_path):
    proj = make_project(tmp_path / "hello", scripts=("hello", "hi"))
    p = bench(str(proj), "--dry-run")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        f"perfanity: bench: {proj}: 2 console scripts (hello, hi) in pyproject.toml [project.scripts]: say which "
        f"to run with --entry-point NAME, or entry_point = \"module:function\" in [tool.perfanity] or perfanity.toml"]
    # and the answer
    p = bench(str(proj), "--dry-run", "--entry-point", "hi")
    assert p.returncode == 0, p.stderr
    assert '# inferred entry_point = "hello.cli:main"  (--entry-point hi: pyproject.toml [project.scripts])' in p.stdout
    p = bench(str(proj), "--dry-run", "--entry-point", "nope")
    assert p.returncode == 2 and p.stderr.strip().endswith(
        "--entry-point nope: not a console script of the project (hello, hi) nor module:function")


def commands(p):
    assert p.returncode == 0, p.stderr
    return [line for line in p.stdout.splitlines() if not line.startswith("#")]


def test_init_writes_what_inference_runs(tmp_path):
    proj = make_project(tmp_path / "hello")
    work = tmp_path / "w"
    inferred = commands(bench(str(proj), "--dry-run", "--workdir", str(work)))
    p = bench(str(proj), "--init")
    assert p.returncode == 0, p.stderr
    text = (proj / "perfanity.toml").read_text()
    assert 'entry_point = "hello.cli:main"' in text and "# pyproject.toml [project.scripts]: hello" in text
    assert commands(bench(str(proj), "--dry-run", "--workdir", str(work))) == inferred
    # never over an existing file
    p = bench(str(proj), "--init")
    assert p.returncode == 2 and "exists; not overwritten" in p.stderr


def test_select_exactly_the_cells_asked_for(tmp_path):
    proj = make_project(tmp_path / "hello")
    out = tmp_path / "r.json"
    p = bench(str(proj), "-r", "1", "--config", "layout=packed,execution_mode=*", "--step", "noop",
              "--goal", "run", "--json", str(out))
    assert p.returncode == 0, p.stderr[-3000:]
    doc = json.loads(out.read_text())
    assert [c["label"] for c in doc["configs"]] == ["hello:bin@execution_mode=venv,layout=packed",
                                                    "hello:bin@execution_mode=zipapp,layout=packed"]
    for c in doc["configs"]:
        [cell] = c["cells"]
        assert (cell["step"], cell["goal"], cell["status"]) == ("noop", "run", "ok")
        # the build it runs was the step's untimed preparation
        assert cell["samples"][0]["stdout_tail"] == "hello from itsdangerous\n"
        assert "-o " in cell["samples"][0]["prepare"][0]["command"]
