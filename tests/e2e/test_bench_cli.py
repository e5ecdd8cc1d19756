# SPDX-License-Identifier: GPL-2.0-only
"""`perfanity bench` input handling, fast (no pex builds): one-line errors with exit
status 2 for bad input, matrix files in TOML (perfanity.toml, [tool.perfanity]), the Pants
preset, generic command templates, and Ctrl-C still writing what finished."""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PERFANITY = os.environ.get("PERFANITY", "")
ROOT = Path(__file__).resolve().parents[2]


def bench(*args, cwd=None):
    return subprocess.run([PERFANITY, "bench", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def one_line_error(p):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("perfanity: bench: ")
    return lines[0]


def test_toml_syntax_error_has_file_line_col(tmp_path):
    m = tmp_path / "perfanity.toml"
    m.write_text('entry_point = "a:b"\nrepetitions = = 3\n')
    err = one_line_error(bench(str(m)))
    assert err.startswith(f"perfanity: bench: {m}:2:15: ")


def test_schema_error_names_key(tmp_path):
    m = tmp_path / "perfanity.toml"
    m.write_text('entry_point = "a:b"\nedit = "a.py"\n[parameters]\nlayout = ["zip"]\n')
    err = one_line_error(bench(str(m)))
    assert err == f"perfanity: bench: {m}: parameters.layout: expected one of zipapp, packed, loose, got 'zip'"


def test_docker_preset_schema_errors(tmp_path):
    m = tmp_path / "perfanity.toml"
    m.write_text('entry_point = "a:b"\npreset = "docker"\n[parameters]\nstrategy = ["pex", "layers"]\n')
    err = one_line_error(bench(str(m)))
    assert err == (f"perfanity: bench: {m}: parameters.strategy: expected one of pex, packed, venv-layers, "
                   "two-pex, pants, pants-venv-layers, got 'layers'")
    m.write_text('entry_point = "a:b"\npreset = "docker"\n')
    err = one_line_error(bench(str(m)))
    assert err.endswith("parameters.strategy: expected a list of strategies (pex, packed, venv-layers, two-pex, "
                        "pants, pants-venv-layers): the docker preset needs it")
    m.write_text('preset = "docker"\n[parameters]\nstrategy = ["pex"]\n')
    assert "entry_point: expected a string like 'pkg.module:function' (the docker preset needs it)" in \
        one_line_error(bench(str(m)))


def test_missing_matrix_file(tmp_path):
    err = one_line_error(bench(str(tmp_path / "nope.toml")))
    assert "no such matrix file" in err


def test_missing_pex():
    err = one_line_error(bench("--pex", "/nonexistent/pex"))
    assert "pex not found at /nonexistent/pex" in err


def test_bad_option_values():
    assert "--repetitions" in one_line_error(bench("-r", "0"))
    assert "--sweep" in one_line_error(bench("--sweep", "layers=1,2"))


def test_pants_preset_without_pants(tmp_path):
    (tmp_path / "perfanity.toml").write_text('preset = "pants"\ntarget = "simple:bin"\nedit = "src/a.py"\n'
                                             'pants = "pants-not-installed-here"\n')
    err = one_line_error(bench(str(tmp_path)))
    assert "pants not found" in err


def test_pants_preset_dry_run_renders_commands(tmp_path):
    (tmp_path / "perfanity.toml").write_text('preset = "pants"\ntarget = "simple:bin"\nedit = "src/a.py"\n')
    p = bench(str(tmp_path), "--dry-run")
    assert p.returncode == 0, p.stderr
    assert "# simple:bin@execution_mode=venv,layout=loose" in p.stdout
    assert "package simple:bin@execution_mode=zipapp,layout=zipapp" in p.stdout
    # pants from PATH, else the one set-up installed in the checkout
    pants = "pants" if shutil.which("pants") else str(ROOT / ".venv-pants" / "bin" / "pants")
    assert p.stdout.count(f"\nrun: {pants} ") == 6
    offline = ROOT / ".cache" / "pants" / "offline.toml"
    if offline.exists():  # the machine's offline settings, passed without a shell
        assert f"run: {pants} --pants-config-files={offline} --local-store-dir=" in p.stdout
    # the Pants options of the matrix, not target fields: pantsd stays out of the address
    (tmp_path / "perfanity.toml").write_text('preset = "pants"\ntarget = "simple:bin"\nedit = "src/a.py"\n'
                                             '[parameters]\nlayout = ["loose"]\npantsd = [true, false]\n')
    p = bench(str(tmp_path), "--dry-run")
    assert p.returncode == 0, p.stderr
    assert "# simple:bin@layout=loose pantsd=true\n" in p.stdout
    assert " --pantsd package simple:bin@layout=loose\n" in p.stdout
    assert " --no-pantsd run simple:bin@layout=loose\n" in p.stdout


def test_pyproject_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.perfanity]\nentry_point = "x.main:run"\nedit = "src/x/a.py"\n'
        '[tool.perfanity.parameters]\nlayout = ["loose"]\n')
    p = bench(str(tmp_path), "--dry-run")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"# values from {tmp_path}/pyproject.toml;")
    assert f"\n# {tmp_path.name}:bin@layout=loose\n" in p.stdout
    assert "-e x.main:run --layout loose" in p.stdout
    # without the table, the project is inferred from its files: here there is nothing to run
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert one_line_error(bench(str(tmp_path), "--dry-run")) == (
        f"perfanity: bench: {tmp_path}: no Python package found (a directory with __init__.py, in src/ or at the top)")


def test_generic_templates_and_interrupt(tmp_path):
    """preset none: any commands; SIGINT mid-run still writes the finished cells."""
    (tmp_path / "perfanity.toml").write_text(
        'preset = "none"\ntarget = "t"\nsteps = ["noop"]\nrepetitions = 2\n'
        '[parameters]\nn = [1, 2]\n[goals]\nquick = "echo n={n} params={params}"\nslow = "sleep 60"\n')
    result = tmp_path / "r.json"
    proc = subprocess.Popen([PERFANITY, "bench", str(tmp_path), "--json", str(result)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Progress lines (stderr is not a tty: one per goal) say when the quick goal is done.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if " quick " in line or not line:
            break
    time.sleep(0.5)  # now inside "sleep 60"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    doc = json.loads(result.read_text())
    assert doc["interrupted"] is True
    first = {c["goal"]: c for c in doc["configs"][0]["cells"]}
    assert first["quick"]["status"] == "ok"
    assert first["quick"]["samples"][0]["stdout_tail"] == "n=1 params=n=1\n"
    assert first["slow"]["status"] == "not run"
    assert len(doc["configs"]) == 1
    assert "interrupted" in out


def test_measured_commands_get_a_controlled_environment(tmp_path):
    """PEX_*, PIP_*, PYTHON* from the caller's shell do not leak into measured commands
    (shell braces in a template are doubled: {{ and }})."""
    (tmp_path / "perfanity.toml").write_text(
        'preset = "none"\ntarget = "t"\nsteps = ["noop"]\nrepetitions = 1\n'
        '[goals]\nenv = "echo ${{PIP_FIND_LINKS:-unset}} ${{PYTHONDONTWRITEBYTECODE:-unset}} $PEX_ROOT $TMPDIR"\n')
    result = tmp_path / "r.json"
    env = {**os.environ, "PIP_FIND_LINKS": "/elsewhere", "PYTHONDONTWRITEBYTECODE": "1", "PEX_VERBOSE": "9"}
    p = subprocess.run([PERFANITY, "bench", str(tmp_path), "--json", str(result)], capture_output=True,
                       text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    doc = json.loads(result.read_text())
    out = doc["configs"][0]["cells"][0]["samples"][0]["stdout_tail"].split()
    assert out[:2] == ["unset", "unset"]
    assert out[2].endswith("/c01/pex-root") and out[3].endswith("/c01/tmp/noop-0")
    removed = doc["environment"]["not_inherited"]
    assert removed["PIP_FIND_LINKS"] == "/elsewhere" and removed["PEX_VERBOSE"] == "9"


def test_sweep_reruns_per_size(tmp_path):
    """--sweep deps=...: one full result per point and a slope per cell (no pex: a goal that
    reads the generated synthetic requirements)."""
    (tmp_path / "perfanity.toml").write_text(
        'preset = "none"\ntarget = "t"\nsteps = ["noop"]\nrepetitions = 1\ndep_size = 1\n'
        '[goals]\ncount = "grep -c pfsynth {synthetic_requirements}"\n')
    result = tmp_path / "r.json"
    p = bench(str(tmp_path), "--sweep", "deps=1,3", "--json", str(result), "-q")
    assert p.returncode == 0, p.stderr
    doc = json.loads(result.read_text())
    assert doc["kind"] == "bench-sweep" and doc["variable"] == "deps"
    assert [pt["deps"] for pt in doc["points"]] == [1, 3]
    counts = [pt["result"]["configs"][0]["cells"][0]["samples"][0]["stdout_tail"].strip() for pt in doc["points"]]
    assert counts == ["1", "3"]
    assert set(doc["slopes"][0]["seconds_per_unit"]) == {"noop/count"}
    assert "milliseconds per added dependency" in p.stdout


def test_timeout_fails_the_cell_and_kills_the_command(tmp_path):
    (tmp_path / "perfanity.toml").write_text(
        'preset = "none"\ntarget = "t"\nsteps = ["noop"]\nrepetitions = 1\ntimeout = 0.5\n'
        '[goals]\nhang = "sleep 30"\nquick = "true"\n')
    result = tmp_path / "r.json"
    start = time.monotonic()
    p = bench(str(tmp_path), "--json", str(result), "-q")
    assert time.monotonic() - start < 20
    assert p.returncode == 1
    hang, quick = json.loads(result.read_text())["configs"][0]["cells"]
    assert hang["status"] == "failed" and hang["exit_code"] == 128 + signal.SIGKILL
    assert hang["samples"][0]["timed_out"] is True
    assert quick["status"] == "ok"
    assert "failed: t noop/hang: timed out, exit 137" in p.stdout


def test_builtin_matrix_is_the_example_file(tmp_path):
    """`perfanity bench` and `perfanity bench examples/simple` run the same commands."""
    def commands(*args):
        p = bench(*args, "--dry-run", "--workdir", str(tmp_path / "w"))
        assert p.returncode == 0, p.stderr
        return [line for line in p.stdout.splitlines() if not line.startswith("#")]
    builtin = commands()
    assert len(builtin) == 6 * 4  # package, run, and the test goal's two commands per config
    assert builtin == commands(str(ROOT / "examples" / "simple"))


def test_where_dependencies_come_from(tmp_path):
    """The pex commands say where dependencies come from, and only that."""
    def package_cmd(extra):
        (tmp_path / "perfanity.toml").write_text('entry_point = "a:b"\n' + extra + '[parameters]\nlayout = ["loose"]\n')
        p = bench(str(tmp_path), "--dry-run", "--workdir", str(tmp_path / "w"))
        assert p.returncode == 0, p.stderr
        # empty argument lists leave blanks: compare words
        return " ".join(next(line for line in p.stdout.splitlines() if line.startswith("package: ")).split())
    work = tmp_path / "w"
    # default: PyPI through the warm-up's wheels, measured offline
    assert f"--no-pypi -f {work}/wheels -e a:b" in package_cmd("")
    # network = true: the index itself, as the user's pip configuration says
    assert " --use-pip-config -e a:b" in package_cmd("network = true\n")
    assert " --index-url https://example.invalid/simple -e a:b" in package_cmd(
        'network = true\nindex_url = "https://example.invalid/simple"\n')
    # a wheelhouse: that directory alone
    (tmp_path / "wh").mkdir()
    assert f" --no-pypi -f {tmp_path}/wh -e a:b" in package_cmd('wheelhouse = "wh"\n')
