# SPDX-License-Identifier: GPL-2.0-only
"""Infer a `perfanity bench` matrix from a Python project's own files (stdlib only).

  bench_infer.py DIR OUT.json [--toml OUT.toml] [--entry-point NAME|module:function]

Reads, in this order, whatever the project has: pyproject.toml ([project]: dependencies,
scripts, optional test dependencies), setup.cfg ([options], [options.entry_points],
[options.extras_require]), setup.py (console_scripts and install_requires strings), and
requirements*.txt. Writes the matrix as JSON (what a perfanity.toml would hold) with an
"inferred" table saying where each value came from; --toml also writes it as a
perfanity.toml for the user to edit (`perfanity bench DIR --init`). What cannot be
inferred is one line on stderr and exit status 2.
"""
import argparse
import configparser
import json
import os
import re
import sys

SKIP_DIRS = {"tests", "test", "testing", "docs", "doc", "examples", "example", "scripts", "build",
             "dist", "benchmarks", "bench", "tools", "extras", "site-packages", "node_modules"}
TEST_EXTRAS = ("test", "tests", "testing", "dev")


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)


class Project:
    def __init__(self, root):
        self.root = root
        self.values = {}    # matrix key -> value
        self.why = {}       # matrix key -> where it came from
        self.scripts = {}   # console script name -> "module:function"
        self.scripts_from = ""
        self.deps, self.deps_from = None, ""
        self.test_deps, self.test_deps_from = None, ""

    def set(self, key, value, why):
        self.values[key] = value
        self.why[key] = why

    def path(self, *parts):
        return os.path.join(self.root, *parts)


def read_pyproject(p):
    path = p.path("pyproject.toml")
    if not os.path.isfile(path):
        return
    import tomllib
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        fail(f"{path}: {e}")
    proj = data.get("project", {})
    if proj.get("scripts"):
        p.scripts, p.scripts_from = dict(proj["scripts"]), "pyproject.toml [project.scripts]"
    if "dependencies" in proj:
        p.deps, p.deps_from = list(proj["dependencies"]), "pyproject.toml [project] dependencies"
    extras = proj.get("optional-dependencies", {})
    for name in TEST_EXTRAS:
        if name in extras:
            p.test_deps = list(extras[name])
            p.test_deps_from = f"pyproject.toml [project.optional-dependencies] {name}"
            break


def split_lines(value):
    return [x.strip() for x in value.replace(";", "\n;").splitlines() if x.strip() and not x.strip().startswith("#")]


def read_setup_cfg(p):
    path = p.path("setup.cfg")
    if not os.path.isfile(path):
        return
    cfg = configparser.ConfigParser()
    try:
        cfg.read(path)
    except configparser.Error as e:
        fail(f"{path}: {e}")
    if not p.scripts and cfg.has_option("options.entry_points", "console_scripts"):
        for line in split_lines(cfg.get("options.entry_points", "console_scripts")):
            if "=" in line:
                name, target = line.split("=", 1)
                p.scripts[name.strip()] = target.strip()
        p.scripts_from = "setup.cfg [options.entry_points] console_scripts"
    if p.deps is None and cfg.has_option("options", "install_requires"):
        p.deps = [x for x in split_lines(cfg.get("options", "install_requires")) if not x.startswith(";")]
        p.deps_from = "setup.cfg [options] install_requires"
    if p.test_deps is None:
        for name in TEST_EXTRAS:
            if cfg.has_option("options.extras_require", name):
                p.test_deps = split_lines(cfg.get("options.extras_require", name))
                p.test_deps_from = f"setup.cfg [options.extras_require] {name}"
                break


def read_setup_py(p):
    """Only the literal strings a setup.py spells out: it is never run."""
    path = p.path("setup.py")
    if not os.path.isfile(path):
        return
    text = open(path, encoding="utf-8", errors="replace").read()
    if not p.scripts:
        m = re.search(r"console_scripts['\"]\s*:\s*\[([^\]]*)\]", text)
        for s in re.findall(r"['\"]([^'\"]+=[^'\"]+)['\"]", m.group(1) if m else ""):
            name, target = s.split("=", 1)
            p.scripts[name.strip()] = target.strip()
        if p.scripts:
            p.scripts_from = "setup.py console_scripts"
    if p.deps is None:
        m = re.search(r"install_requires\s*=\s*\[([^\]]*)\]", text)
        if m:
            p.deps = re.findall(r"['\"]([^'\"]+)['\"]", m.group(1))
            p.deps_from = "setup.py install_requires"


def requirement_files(p):
    names = sorted(f for f in os.listdir(p.root) if re.fullmatch(r"requirements.*\.txt", f))
    test = [f for f in names if re.search(r"test|dev", f)]
    main = [f for f in names if f not in test]
    return main, test


def packages_in(d):
    return sorted(e for e in os.listdir(d) if e not in SKIP_DIRS and not e.startswith((".", "_"))
                  and os.path.isfile(os.path.join(d, e, "__init__.py")))


def infer_sources(p):
    if os.path.isdir(p.path("src")) and packages_in(p.path("src")):
        p.set("sources", "src", f"src layout: src/ holds {', '.join(packages_in(p.path('src')))}")
        return p.path("src"), packages_in(p.path("src"))
    pkgs = packages_in(p.root)
    if not pkgs:
        fail(f"{p.root}: no Python package found (a directory with __init__.py, in src/ or at the top)")
    p.set("sources", "", "flat layout: packages at the top of the project")
    p.set("packages", pkgs, "flat layout: top-level directories with __init__.py")
    return p.root, pkgs


def script_args(p):
    """A console script is a command line tool: run it as people check one works."""
    p.set("run_args", ["--version"], "a console script: --version, which most command line tools answer "
          "with exit status 0 (set run_args for another)")


def infer_entry_point(p, src_dir, pkgs, chosen):
    if chosen:
        if chosen in p.scripts:
            p.set("entry_point", p.scripts[chosen].split("[")[0].strip(), f"--entry-point {chosen}: {p.scripts_from}")
            script_args(p)
        elif ":" in chosen or "." in chosen:
            p.set("entry_point", chosen, "--entry-point")
        else:
            fail(f"{p.root}: --entry-point {chosen}: not a console script of the project"
                 f"{' (' + ', '.join(sorted(p.scripts)) + ')' if p.scripts else ''} nor module:function")
        return
    if len(p.scripts) == 1:
        name, target = next(iter(p.scripts.items()))
        p.set("entry_point", target.split("[")[0].strip(), f"{p.scripts_from}: {name}")
        script_args(p)
        return
    if len(p.scripts) > 1:
        names = ", ".join(sorted(p.scripts))
        fail(f"{p.root}: {len(p.scripts)} console scripts ({names}) in {p.scripts_from}: say which to run with "
             f"--entry-point NAME, or entry_point = \"module:function\" in [tool.perfanity] or perfanity.toml")
    mains = [pkg for pkg in pkgs if os.path.isfile(os.path.join(src_dir, pkg, "__main__.py"))]
    if len(mains) == 1:
        p.set("entry_point", f"{mains[0]}.__main__", f"{mains[0]}/__main__.py (no console script declared)")
        return
    fail(f"{p.root}: no entry point to run: no console script in pyproject.toml, setup.cfg or setup.py, and "
         f"{'no package has' if not mains else 'several packages have'} a __main__.py; say which with "
         f"--entry-point module:function, or entry_point = \"module:function\" in [tool.perfanity] or perfanity.toml")


def module_file(src_dir, module):
    base = os.path.join(src_dir, *module.split("."))
    for cand in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(cand):
            return cand
    return None


def infer_edit(p, src_dir):
    """The entry point's own module: the first-party file a developer edits and the run imports."""
    module = p.values["entry_point"].split(":")[0]
    f = module_file(src_dir, module)
    if f:
        p.set("edit", os.path.relpath(f, p.root), f"the entry point's module {module}")
    else:
        p.set("edit", "", f"no file for the entry point's module {module}: the incremental step is skipped")


def infer_tests(p):
    for d in ("tests", "test"):
        if os.path.isdir(p.path(d)):
            p.set("tests", d, f"{d}/ (run with pytest)")
            break
    else:
        p.set("tests", "", "no tests/ or test/ directory: the test goal is skipped")


def infer(root, chosen=""):
    root = os.path.realpath(root)
    if not os.path.isdir(root):
        fail(f"{root}: not a directory")
    p = Project(root)
    read_pyproject(p)
    read_setup_cfg(p)
    read_setup_py(p)
    main_reqs, test_reqs = requirement_files(p)
    src_dir, pkgs = infer_sources(p)
    infer_entry_point(p, src_dir, pkgs, chosen)
    infer_edit(p, src_dir)
    if p.deps is not None:
        p.set("dependencies", p.deps, p.deps_from)
    if main_reqs:
        p.set("requirements", main_reqs, "requirement files at the top of the project")
    elif p.deps is None:
        p.set("requirements", [], "no dependencies declared anywhere")
    if "requirements" not in p.values:
        p.set("requirements", [], f"none: dependencies come from {p.deps_from}")
    infer_tests(p)
    test_deps = list(p.test_deps or [])
    names_pytest = any(re.match(r"pytest(?![\w-])", d) for d in test_deps) or any(
        re.search(r"^\s*pytest(?![\w-])", open(p.path(f)).read(), re.M) for f in test_reqs)
    if not names_pytest:
        test_deps.append("pytest")
    p.set("test_dependencies", test_deps,
          (p.test_deps_from + " and pytest") if p.test_deps_from else "pytest (no test dependencies declared)")
    p.set("test_requirements", test_reqs,
          "test requirement files at the top of the project" if test_reqs else "no test requirement file")
    name = os.path.basename(root)
    p.set("target", f"{name}:bin", "the project directory's name")
    p.set("project", root, "the directory benched")
    p.values["inferred"] = p.why
    return p.values


def toml_value(v):
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(v)


def write_toml(values, out):
    lines = ["# perfanity bench matrix inferred from this project's files (perfanity bench DIR --init).",
             "# Every value is shown with where it came from: edit what is wrong, then",
             "#   perfanity bench DIR",
             "# The pex preset measures execution_mode x layout; see examples/simple/perfanity.toml",
             "# for every key (parameters, exclude, goals, steps, repetitions, ...).", ""]
    for key in ("project", "target", "entry_point", "run_args", "sources", "packages", "dependencies", "requirements",
                "tests", "test_dependencies", "test_requirements", "edit"):
        if key not in values:
            continue
        v = "." if key == "project" else values[key]
        lines.append(f"# {values['inferred'][key]}")
        lines.append(f"{key} = {toml_value(v)}")
    lines += ["", "# Where dependencies come from: PyPI (your pip configuration honoured) unless set:",
              "# index_url = \"https://my.index/simple\"", "# find_links = [\"wheelhouse\"]",
              "# no_index = true", "", "[parameters]", "execution_mode = [\"venv\", \"zipapp\"]",
              "layout = [\"loose\", \"packed\", \"zipapp\"]", ""]
    with open(out, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(prog="bench_infer.py")
    ap.add_argument("dir")
    ap.add_argument("out")
    ap.add_argument("--toml", default="")
    ap.add_argument("--entry-point", default="")
    a = ap.parse_args()
    values = infer(a.dir, a.entry_point)
    with open(a.out, "w") as f:
        json.dump(values, f)
    if a.toml:
        write_toml(values, a.toml)


if __name__ == "__main__":
    main()
