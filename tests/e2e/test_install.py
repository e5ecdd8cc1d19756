# SPDX-License-Identifier: GPL-2.0-only
"""perfanity installed like a real tool: `make install` into a temporary prefix and used
from another directory with nothing of the checkout on PATH; the man pages and the bash
completion it installs; `make uninstall`; and the Debian package (dpkg -i, use, purge).

Environment (set by `make install-test`): PERFANITY (the built binary, whose checkout is
installed), PERFANITY_DEB (the .deb `make deb` built; its tests are skipped without it).
Run as root: tracing loads BPF programs, dpkg installs.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PERFANITY = os.environ.get("PERFANITY", "")
DEB = os.environ.get("PERFANITY_DEB", "")
ROOT = Path(__file__).resolve().parents[2]
VERSION = next(l.split('"')[1] for l in (ROOT / "include" / "perfanity.h").read_text().splitlines()
               if l.startswith("#define PERFANITY_VERSION "))
PAGES = ["perfanity", "perfanity-trace", "perfanity-report", "perfanity-bench", "perfanity-recommend"]
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def run(argv, cwd, path, home, timeout=120, **kw):
    """argv with a clean environment: PATH holds only `path` and the system."""
    env = {"PATH": path, "HOME": str(home), "LC_ALL": "C.UTF-8"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kw)


def make(*args):
    p = subprocess.run(["make", "-s", "-C", str(ROOT), f"BUILD={Path(PERFANITY).parent}", *args],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"make {' '.join(args)}: {p.stdout}{p.stderr}"


def files_under(d):
    return sorted(str(p.relative_to(d)) for p in Path(d).rglob("*"))


def use_like_a_user(perfanity, elsewhere, path, home):
    """--version, trace, report and bench --dry-run from a directory outside the checkout."""
    p = run([perfanity, "--version"], elsewhere, path, home)
    assert (p.returncode, p.stdout) == (0, f"perfanity {VERSION}\n"), p
    p = run([perfanity, "trace", "-q", "-o", "t.json", "--", "true"], elsewhere, path, home)
    assert p.returncode == 0, p.stderr
    data = json.loads((elsewhere / "t.json").read_text())
    assert data["tool"] == f"perfanity {VERSION}"
    assert data["command"] == ["true"] and data["exit_code"] == 0
    p = run([perfanity, "report", "t.json"], elsewhere, path, home)
    assert p.returncode == 0 and "true" in p.stdout, p
    p = run([perfanity, "bench", "--dry-run"], elsewhere, path, home)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("\npackage: ") == 6, p.stdout  # six configurations
    # the example from the share directory, the wheelhouse in the user's cache
    share = Path(shutil.which(perfanity, path=path)).resolve().parent.parent / "share" / "perfanity"
    assert f"-f {home}/.cache/perfanity/wheelhouse " in p.stdout
    assert f"# values from built-in" in p.stdout
    assert str(ROOT) not in p.stdout + p.stderr, "the installed copy used the source checkout"
    assert (share / "examples" / "simple" / "perfanity.toml").is_file()


@pytest.fixture
def prefix(tmp_path):
    d = tmp_path / "prefix"
    make("install", f"PREFIX={d}")
    yield d
    make("uninstall", f"PREFIX={d}")


def test_install_prefix_from_elsewhere(prefix, tmp_path):
    elsewhere, home = tmp_path / "elsewhere", tmp_path / "home"
    elsewhere.mkdir()
    home.mkdir()
    path = f"{prefix}/bin:{SYSTEM_PATH}"
    assert shutil.which("perfanity", path=path) == f"{prefix}/bin/perfanity"
    use_like_a_user("perfanity", elsewhere, path, home)
    # what bench needs and cannot find: one line naming it and how to get it, exit 2
    p = run(["perfanity", "bench", "-r", "1"], elsewhere, path, home)
    assert p.returncode == 2, p
    assert p.stderr == "perfanity: bench: pex not found on PATH: install it (e.g. 'pipx install pex'), or pass --pex PATH\n"
    fake_pex = home / "pex"
    fake_pex.write_text("#!/bin/sh\nexit 0\n")
    fake_pex.chmod(0o755)
    p = run(["perfanity", "bench", "-r", "1", "--pex", str(fake_pex)], elsewhere, path, home)
    assert p.returncode == 2, p
    assert p.stderr.strip().splitlines() == [
        f"perfanity: bench: find_links: {home}/.cache/perfanity/wheelhouse is not a directory (the example's "
        f"wheelhouse: fetch it once, with network: sh {prefix}/share/perfanity/scripts/setup.d/50-bench-wheelhouse.sh)"]
    # a stale PERFANITY_ROOT is one clear line too
    env_root = {"PATH": path, "HOME": str(home), "PERFANITY_ROOT": str(tmp_path)}
    p = subprocess.run(["perfanity", "bench", "--dry-run"], cwd=elsewhere, env=env_root, capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.startswith(f"perfanity: bench: PERFANITY_ROOT={tmp_path} holds no "), p
    # a copy of the binary with no share directory beside it names where it looked
    lone = tmp_path / "lone" / "perfanity"
    lone.parent.mkdir()
    shutil.copy(prefix / "bin" / "perfanity", lone)
    p = run([str(lone), "bench", "--dry-run"], elsewhere, path, home)
    assert p.returncode == 2 and p.stderr == (
        f"perfanity: bench: cannot find perfanity's data directory ({tmp_path}/lone/../share/perfanity, as "
        "'make install' lays it out); reinstall, or set PERFANITY_ROOT to a checkout\n"), p


def test_man_pages_render(prefix, tmp_path):
    for page in PAGES:
        f = prefix / "share" / "man" / "man1" / f"{page}.1"
        env = {"PATH": SYSTEM_PATH, "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MANROFFSEQ": ""}
        # groff's warnings, as lintian asks for them; then the page as a reader sees it
        p = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", str(f)],
                           capture_output=True, text=True, env=env)
        assert p.returncode == 0 and not p.stderr, (page, p.stderr)
        p = subprocess.run(["man", "-l", str(f)], capture_output=True, text=True, env=env)
        assert p.returncode == 0 and not p.stderr, (page, p.stderr)
        text = p.stdout.replace("\u2010", "-").replace("\u00ad", "")
        assert "NAME" in text and "SYNOPSIS" in text and "SEE ALSO" in text, text
        # the page says what --help says: every option of the subcommand is there
        sub = page.split("-")[1:]
        helptext = subprocess.run([PERFANITY, *sub, "--help"], capture_output=True, text=True).stdout
        opts = {w.strip(",") for w in helptext.split() if w.startswith("--") and len(w) > 3 and w[2].isalpha()}
        assert opts, helptext
        flat = " ".join(text.split()).replace("- ", "-")
        missing = [o for o in opts if o.strip(".,;:)'") not in flat]
        assert not missing, f"{page}: {missing} not in the man page"
    # `man perfanity-trace` finds it through MANPATH
    p = subprocess.run(["man", "-w", "perfanity-trace"], capture_output=True, text=True,
                       env={"PATH": SYSTEM_PATH, "MANPATH": str(prefix / "share" / "man")})
    assert p.stdout.strip() == str(prefix / "share" / "man" / "man1" / "perfanity-trace.1"), p


def complete(prefix, words, cwd):
    """COMPREPLY of the installed completion for `words` (the last one being completed)."""
    script = (f"source {prefix}/share/bash-completion/completions/perfanity\n"
              'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _perfanity; printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "-c", script, "bash", *words], cwd=cwd, capture_output=True, text=True,
                       env={"PATH": f"{prefix}/bin:{SYSTEM_PATH}"})
    assert p.returncode == 0, p.stderr
    return sorted(filter(None, p.stdout.split("\n")))


def test_bash_completion(prefix, tmp_path):
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "perfanity.toml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "a.json").write_text("{}")
    assert complete(prefix, ["perfanity", ""], tmp_path) == ["--help", "--version", "bench", "recommend", "report", "trace"]
    assert complete(prefix, ["perfanity", "bench", "--st"], tmp_path) == ["--stats", "--step"]
    assert complete(prefix, ["perfanity", "bench", "--goal", ""], tmp_path) == ["package", "run", "test"]
    assert "--no-follow-pantsd" in complete(prefix, ["perfanity", "trace", "--"], tmp_path)
    assert complete(prefix, ["perfanity", "bench", "proj/"], tmp_path) == ["proj/perfanity.toml"]
    assert complete(prefix, ["perfanity", "bench", ""], tmp_path) == ["proj"]  # not notes.txt nor a.json
    assert complete(prefix, ["perfanity", "report", ""], tmp_path) == ["a.json", "proj"]


def test_uninstall_leaves_prefix_empty(tmp_path):
    d = tmp_path / "prefix"
    make("install", f"PREFIX={d}")
    assert "bin/perfanity" in files_under(d)
    make("uninstall", f"PREFIX={d}")
    assert files_under(d) == []


def test_destdir_staging(tmp_path):
    """DESTDIR stages the tree; the binary then finds its data once moved to PREFIX."""
    make("install", f"DESTDIR={tmp_path}/stage", "PREFIX=/opt/pf")
    assert (tmp_path / "stage/opt/pf/bin/perfanity").is_file()
    assert (tmp_path / "stage/opt/pf/share/perfanity/scripts/bench_fixture.py").is_file()
    make("uninstall", f"DESTDIR={tmp_path}/stage", "PREFIX=/opt/pf")
    assert files_under(tmp_path / "stage/opt/pf") == []


def dpkg_installed(pkg):
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return p.returncode == 0 and p.stdout.split()[-1:] != ["not-installed"]


@pytest.mark.skipif(not DEB, reason="PERFANITY_DEB not set: build it with `make deb`")
def test_deb_install_use_purge(tmp_path):
    assert Path(DEB).is_file(), f"{DEB} missing: `make deb`"
    assert not dpkg_installed("perfanity"), "perfanity is installed already: not touching it"
    fields = subprocess.run(["dpkg-deb", "-f", DEB, "Version", "Depends"], capture_output=True, text=True).stdout
    assert f"Version: {VERSION}\n" in fields
    # every shared library the binary links is a dependency (the linker keeps only those
    # whose symbols it uses: libbpf, libelf, libjansson, libc; zlib comes with libbpf1)
    needed = subprocess.run(["sh", "-c", f"dpkg-deb --fsys-tarfile {DEB} | tar -xO ./usr/bin/perfanity > {tmp_path}/bin"
                             f" && readelf -d {tmp_path}/bin"], capture_output=True, text=True).stdout
    libs = [l.split("[")[1].rstrip("]") for l in needed.splitlines() if "(NEEDED)" in l]
    assert "libbpf.so.1" in libs and "libjansson.so.4" in libs, needed
    triplet = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()
    depends = fields.replace(",", " ").replace("\n", " ") + " "
    for lib in libs:
        # the package of this architecture's copy (libm.so.6 is in libc6-i386 too)
        owners = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True, text=True).stdout
        pkgs = [l.split(":")[0] for l in owners.splitlines() if f"/{triplet}/" in l]
        assert pkgs and f"{pkgs[0]} " in depends, f"{lib} ({pkgs}) not in {fields}"
    try:
        p = subprocess.run(["dpkg", "-i", DEB], capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        home = tmp_path / "home"
        home.mkdir()
        assert shutil.which("perfanity", path=SYSTEM_PATH) == "/usr/bin/perfanity"
        use_like_a_user("perfanity", tmp_path, SYSTEM_PATH, home)
        p = run(["perfanity", "trace", "--", "true"], tmp_path, SYSTEM_PATH, home)
        assert p.returncode == 0 and "cpu" in p.stderr, p
        p = subprocess.run(["man", "-w", "perfanity-trace"], capture_output=True, text=True)
        assert p.stdout.strip() == "/usr/share/man/man1/perfanity-trace.1.gz", p
    finally:
        p = subprocess.run(["dpkg", "--purge", "perfanity"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert not dpkg_installed("perfanity")
    for f in ("/usr/bin/perfanity", "/usr/share/perfanity", "/usr/share/man/man1/perfanity.1.gz",
              "/usr/share/bash-completion/completions/perfanity", "/usr/share/doc/perfanity"):
        assert not os.path.exists(f), f"{f} left after dpkg --purge"
