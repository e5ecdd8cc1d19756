# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of the Python-packaging view of `perfanity trace`:
zip_extract, venv_create and import, on ground-truth workloads and on real
pex builds of the built-in example in all six execution_mode x layout
configurations. Everything runs under Debian's /usr/bin/python3, the
imports also under pyenv's builds (no USDT probes) where present."""
import json
import glob
import os
import resource
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import PERFANITY
from conftest import check_identity as check_identity_against_kernel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY = "/usr/bin/python3"
VENV_PY = os.path.join(ROOT, ".venv", "bin", "python")
WHEELHOUSE = os.path.join(ROOT, ".cache", "wheelhouse")
EXAMPLE = os.path.join(ROOT, "examples", "simple")
MS = 1_000_000


def trace(tmp, name, argv, env=None, cwd=None, quiet=True):
    out = os.path.join(tmp, name + ".json")
    t0, ru0 = time.monotonic_ns(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([PERFANITY, "trace", *(["-q"] if quiet else []), "-o", out, "--"] + argv, env=env,
                       cwd=cwd, capture_output=True, text=True, timeout=600)
    elapsed, ru1 = time.monotonic_ns() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    assert os.path.exists(out), f"no trace written: {r.stderr}"
    with open(out) as f:
        t = json.load(f)
    check_identity(t, round((ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime) * 1e9), elapsed)
    return r, t


def check_identity(t, kernel_cpu_ns, elapsed_ns):
    """The trace core's accounting identity, which the new categories must keep,
    checked against the kernel's CPU time and the test's clock (conftest)."""
    assert t["accounting"]["violations"] == 0
    assert t["lost_events"] == 0 and t["partial"] == []
    check_identity_against_kernel(t, kernel_cpu_ns, elapsed_ns)


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="pf-e2e-py-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_zip_of_300_deflated_members(tmp):
    """Exactly 300 members inflated, and exactly the bytes they hold."""
    script = os.path.join(tmp, "unzip.py")
    archive = os.path.join(tmp, "members.zip")
    with open(script, "w") as f:
        f.write(
            "import sys, zipfile\n"
            "total = 0\n"
            "with zipfile.ZipFile(sys.argv[1]) as z:\n"
            "    for n in z.namelist():\n"
            "        total += len(z.read(n))\n"
            "print(total)\n")
    expected = 0
    import zipfile
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(300):
            data = (f"member {i} " * (50 + i)).encode()
            expected += len(data)
            z.writestr(f"m{i:03}.txt", data)
    r, t = trace(tmp, "unzip", [PY, script, archive])
    assert r.returncode == 0 and int(r.stdout) == expected
    rows = [a for a in t["archives"] if a["path"] == archive]
    assert len(rows) == 1, t["archives"]
    assert rows[0]["members"] == 300
    assert rows[0]["bytes_inflated"] == expected
    assert rows[0]["bytes_read"] > 0
    assert t["totals"]["zip_extract"] > 0
    assert any(i["exe"].startswith("/usr/bin/python3") and i["imports"] == "PyEval_EvalCode" for i in t["interpreters"])


def test_python_m_venv(tmp):
    """python -m venv: venv_create dominates the process, the venv is named."""
    venv = os.path.join(tmp, "v")
    r, t = trace(tmp, "venv", [PY, "-m", "venv", "--without-pip", venv])
    assert r.returncode == 0
    assert [v["path"] for v in t["venvs"]] == [venv]
    assert t["venvs"][0]["files_created"] >= 5  # pyvenv.cfg, bin/python links, activate scripts
    root = t["processes"][0]
    cats = root["categories"]
    # waiting for a CPU is the machine's load, not what the process does
    busy = {k: v for k, v in cats.items() if k != "runqueue"}
    assert cats["venv_create"] == max(busy.values()), cats
    assert cats["venv_create"] > 0.5 * (root["thread_ns"] - cats["runqueue"])


def test_fifty_imports(tmp):
    """A script importing 50 generated modules gives 50 import rows for them."""
    pkg = os.path.join(tmp, "mods")
    os.mkdir(pkg)
    for i in range(50):
        with open(os.path.join(pkg, f"pfmod_{i:02}.py"), "w") as f:
            f.write(f"VALUE = {i}\n")
    script = os.path.join(tmp, "imp.py")
    with open(script, "w") as f:
        f.write("import sys\n"
                f"sys.path.insert(0, {pkg!r})\n"
                # __import__, the import statement's path: CPython fires its USDT
                # probes there, not in importlib.import_module()
                "print(sum(__import__(f'pfmod_{i:02}').VALUE for i in range(50)))\n")
    r, t = trace(tmp, "imports", [PY, "-B", script])
    assert r.returncode == 0 and int(r.stdout) == sum(range(50))
    mine = {i["module"]: i for i in t["imports"] if i["module"].startswith("pfmod_")}
    assert sorted(mine) == [f"pfmod_{i:02}" for i in range(50)]
    for row in mine.values():
        assert row["count"] == 1 and row["ns"] >= row["self_ns"] > 0
    assert t["totals"]["import"] > 0


def pyenv_python(version):
    """A pyenv build of CPython `version` (no USDT probes), or None."""
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    return found[-1] if found else None


def write_package(root, n=30):
    """pfpkg: a package and n - 1 modules, m01 importing m02 importing m03,
    m{n-1} loaded by importlib.import_module() from the package, the rest
    by the main script."""
    pkg = os.path.join(root, "pfpkg")
    os.mkdir(pkg)
    last = f"m{n - 1:02}"
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write(f"import importlib\nfrom . import m01\nLATE = importlib.import_module('pfpkg.{last}')\n")
    for i in range(1, n):
        with open(os.path.join(pkg, f"m{i:02}.py"), "w") as f:
            f.write(f"VALUE = {i}\n" + (f"from . import m{i + 1:02}\n" if i in (1, 2) else ""))
    script = os.path.join(root, "main.py")
    with open(script, "w") as f:
        f.write(f"import sys\nsys.path.insert(0, {root!r})\nimport pfpkg\n"
                f"for i in range(4, {n - 1}):\n    __import__(f'pfpkg.m{{i:02}}')\nprint(pfpkg.LATE.VALUE)\n")
    return script, last


INTERPRETERS = [("pyenv 3.9", lambda: pyenv_python("3.9")), ("pyenv 3.12", lambda: pyenv_python("3.12")),
                ("Debian 3.11", lambda: PY)]


@pytest.mark.parametrize("name,find", INTERPRETERS, ids=[i[0] for i in INTERPRETERS])
def test_thirty_imports_on_any_cpython(tmp, name, find):
    """Imports timed through PyEval_EvalCode uprobes, USDT or not: 30 rows,
    the one importlib.import_module() loads too, nested right."""
    py = find()
    if not py:
        pytest.skip(f"no {name} interpreter on this machine")
    script, last = write_package(tmp)
    r, t = trace(tmp, "imports30", [py, "-B", script])
    assert r.returncode == 0 and r.stdout.strip() == "29", r.stderr
    rows = {i["module"]: i for i in t["imports"] if i["module"].split(".")[0] == "pfpkg"}
    assert sorted(rows) == ["pfpkg"] + [f"pfpkg.m{i:02}" for i in range(1, 30)]
    assert rows["pfpkg"]["file"] == os.path.join(tmp, "pfpkg", "__init__.py")
    for row in rows.values():
        assert row["count"] == 1 and row["ns"] >= row["self_ns"] > 0, row
    # a parent's inclusive time holds its children's; self is what is left, exactly
    m = lambda i: rows[f"pfpkg.m{i:02}"]
    assert rows["pfpkg"]["ns"] - rows["pfpkg"]["self_ns"] >= m(1)["ns"] + rows["pfpkg." + last]["ns"]
    assert m(1)["ns"] - m(1)["self_ns"] == m(2)["ns"]
    assert m(2)["ns"] - m(2)["self_ns"] == m(3)["ns"]
    interp = [i for i in t["interpreters"] if os.path.realpath(i["exe"]) == os.path.realpath(py)]
    assert interp and interp[0]["imports"] == "PyEval_EvalCode", t["interpreters"]
    assert t["totals"]["import"] > 0


# ---- real pex builds of the built-in example, six configurations ----

CONFIGS = [(mode, layout) for mode in ("zipapp", "venv") for layout in ("zipapp", "packed", "loose")]


@pytest.fixture(scope="module")
def pex_builds():
    if not os.path.isdir(WHEELHOUSE):
        pytest.fail(f"{WHEELHOUSE} missing: run scripts/setup.sh")
    d = tempfile.mkdtemp(prefix="pf-e2e-pex-")
    builds = {}
    env = dict(os.environ, PEX_ROOT=os.path.join(d, "build-root"))
    for mode, layout in CONFIGS:
        out = os.path.join(d, f"{mode}-{layout}" + (".pex" if layout == "zipapp" else ""))
        cmd = [VENV_PY, "-m", "pex", "--no-pypi", "-f", WHEELHOUSE,
               "-r", os.path.join(EXAMPLE, "requirements.txt"), "-D", os.path.join(EXAMPLE, "src"),
               "-e", "simple.bin:main", "--layout", layout, "-o", out]
        if mode == "venv":
            cmd += ["--venv", "prepend"]
        subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=600)
        builds[(mode, layout)] = out
    yield d, builds
    shutil.rmtree(d, ignore_errors=True)


def run_pex(d, builds, mode, layout, root_name):
    env = dict(os.environ, PEX_ROOT=os.path.join(d, root_name))
    r, t = trace(d, f"{root_name}-{mode}-{layout}", [PY, builds[(mode, layout)]], env=env)
    assert r.returncode == 0, r.stderr
    assert "simple 1.0" in r.stdout or "simple " in r.stdout
    return t


@pytest.mark.parametrize("mode,layout", CONFIGS)
def test_pex_configuration(pex_builds, mode, layout):
    d, builds = pex_builds
    root_name = f"root-{mode}-{layout}"
    pex_root = os.path.join(d, root_name)
    cold = run_pex(d, builds, mode, layout, root_name)
    warm = run_pex(d, builds, mode, layout, root_name)
    artifact = builds[(mode, layout)]
    archives = [a["path"] for a in cold["archives"]]

    if layout == "zipapp":
        assert cold["totals"]["zip_extract"] > 0
        assert artifact in archives, archives
    if layout == "loose":
        # the app's code is plain files: nothing of the artifact is read as an archive
        assert not [a for a in archives if a.startswith(artifact + "/") or a == artifact], archives
    if mode == "venv":
        assert cold["totals"]["venv_create"] > 0
        venvs = [v["path"] for v in cold["venvs"]]
        assert any(v.startswith(os.path.join(pex_root, "venvs") + "/") for v in venvs), venvs
        # warm: the venv exists, nothing is built again
        assert warm["venvs"] == []
        assert warm["totals"]["venv_create"] < max(cold["totals"]["venv_create"] / 10, 5 * MS)
    # the wheels the phases name are the ones in PEX_ROOT, each once (not its
    # hash directory again): cold installs them all, warm uses some or all
    on_disk = len(glob.glob(os.path.join(pex_root, "installed_wheels", "*", "*", "*.whl")))
    for t, verb in ((cold, "install "), (warm, "use ")):
        named = [p["name"] for p in t["phases"] if "PEX_ROOT/installed_wheels" in p["name"]]
        if named:
            n = int(named[0].split()[1])
            assert named[0].startswith(verb) and (n == on_disk if verb == "install " else 0 < n <= on_disk), \
                (named, on_disk)
    # the images as a tree: nested phases are not counted twice, the
    # exclusive times and the idle time are the wall to the nanosecond
    for t in (cold, warm):
        tree = t["phase_tree"]
        assert tree["wall_ns"] == t["wall_ns"]
        assert sum(n["excl_ns"] for n in tree["nodes"]) + tree["gap_ns"] == t["wall_ns"], tree
        assert all(n["excl_ns"] <= n["incl_ns"] for n in tree["nodes"]), tree
    roles = [n["role"] for n in cold["phase_tree"]["nodes"]]
    if mode == "venv":
        # pex's bootstrap re-execs into the venv it built: two images of one pid, side by side
        nodes = cold["phase_tree"]["nodes"]
        [boot] = [n for n in nodes if n["role"] == "bootstrap, then re-exec into PEX_ROOT/venvs"]
        run = [n for n in nodes if n["role"] == "run from PEX_ROOT/venvs" and n["pid"] == boot["pid"]]
        assert run and run[0]["depth"] == boot["depth"] and run[0]["start_ns"] >= boot["start_ns"] + boot["incl_ns"], \
            (boot, run, roles)
    # the app's own modules, timed under Debian's python
    mods = {i["module"] for i in cold["imports"]}
    # (the entry point module itself pex loads with importlib, which CPython
    # does not probe: its imports, done by import statements, are)
    assert {"simple.web", "simple.store"} <= mods, sorted(mods)[:50]
    # a cold run of an archive layout inflates what a warm one finds extracted
    # (loose has little to inflate either way: no comparison there)
    if layout != "loose":
        assert warm["totals"]["zip_extract"] < cold["totals"]["zip_extract"]


def make_package(root, name, n):
    """A package of n modules: __init__ importing n - 1 others."""
    pkg = os.path.join(root, name)
    os.makedirs(pkg)
    for i in range(1, n):
        with open(os.path.join(pkg, f"m{i}.py"), "w") as f:
            f.write(f"X{i} = {i}\n")
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write("".join(f"from . import m{i}\n" for i in range(1, n)))


def package_rows(t, name):
    return {i["module"]: i for i in t["imports"] if i["module"] == name or i["module"].startswith(name + ".")}


def test_compile_is_a_cause(tmp):
    """40 modules imported without __pycache__: compiled, and cached for the
    next run, which loads their bytecode; with PYTHONDONTWRITEBYTECODE the
    reason is named."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    make_package(tmp, "pkg40", 40)
    cmd = [PY, "-c", "import pkg40"]
    r, cold = trace(tmp, "compile-cold", cmd, env=env, cwd=tmp, quiet=False)
    assert r.returncode == 0, r.stderr
    rows = package_rows(cold, "pkg40")
    assert len(rows) == 40 and all(v["compiled"] == 1 for v in rows.values()), rows
    assert all(v["compile_ns"] > 0 for v in rows.values()), rows
    assert cold["totals"]["compile"] > 0
    assert cold["compile"]["modules_compiled"] >= 40, cold["compile"]
    assert cold["compile"]["pyc_written"] >= 40 and cold["compile"]["pycache_created"] >= 1, cold["compile"]
    assert "__pycache__ missing" in cold["compile"]["reason"], cold["compile"]
    assert "compile: " in r.stderr and "compiling" in r.stderr, r.stderr

    r, warm = trace(tmp, "compile-warm", cmd, env=env, cwd=tmp)
    rows = package_rows(warm, "pkg40")
    assert len(rows) == 40 and all(v["compiled"] == 0 for v in rows.values()), rows
    assert warm["compile"]["modules_compiled"] == 0, warm["compile"]
    assert warm["compile"]["modules_not_compiled"] >= 40 and warm["compile"]["reason"] == "", warm["compile"]

    make_package(os.path.join(tmp, "nobc"), "pkg40", 40)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    r, nobc = trace(tmp, "compile-nobc", cmd, env=env, cwd=os.path.join(tmp, "nobc"))
    rows = package_rows(nobc, "pkg40")
    assert len(rows) == 40 and all(v["compiled"] == 1 for v in rows.values()), rows
    assert nobc["compile"]["pyc_written"] == 0, nobc["compile"]
    assert "PYTHONDONTWRITEBYTECODE is set" in nobc["compile"]["reason"], nobc["compile"]
