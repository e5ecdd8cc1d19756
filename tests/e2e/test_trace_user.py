# SPDX-License-Identifier: GPL-2.0-only
"""The traced command runs as the invoking user (issue 11, part 3): under
sudo (SUDO_UID, SUDO_GID, SUDO_USER) or with --user, as `strace -u` does;
perfanity keeps root for the probes. Real runs, real files."""
import grp
import json
import os
import subprocess

import pytest

from conftest import PERFANITY, unprivileged_user


def sudo_env(pw, **extra):
    env = dict(os.environ, SUDO_UID=str(pw.pw_uid), SUDO_GID=str(pw.pw_gid), SUDO_USER=pw.pw_name)
    env.update(extra)
    return env


@pytest.mark.parametrize("backend", ["bpf", "seccomp"])
def test_sudo_touch_leaves_file_to_the_user(shared_dir, backend):
    pw = unprivileged_user()
    path = os.path.join(shared_dir, "F")
    out = os.path.join(shared_dir, "t.json")
    p = subprocess.run([PERFANITY, "trace", "-q", "--backend", backend, "-o", out, "--", "touch", path],
                       env=sudo_env(pw), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (pw.pw_uid, pw.pw_gid)
    with open(out) as f:
        rows = [r for r in json.load(f)["files"] if r["path"] == os.path.realpath(path)]
    assert rows and rows[0]["mutations"] >= 1, rows  # its creation, traced as the user's


def test_sudo_environment_and_groups(shared_dir):
    pw = unprivileged_user()
    script = 'id -u; id -g; id -G; echo "$HOME|$USER|$LOGNAME"'
    env = sudo_env(pw, HOME="/root", USER="root", LOGNAME="root")
    p = subprocess.run([PERFANITY, "trace", "-q", "--", "sh", "-c", script], env=env,
                       capture_output=True, text=True, timeout=120, cwd=shared_dir)
    assert p.returncode == 0, p.stderr
    uid, gid, groups, names = p.stdout.splitlines()
    assert (int(uid), int(gid)) == (pw.pw_uid, pw.pw_gid)
    # initgroups(): the primary group and every group that lists the user
    want = {pw.pw_gid} | {g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem}
    assert set(map(int, groups.split())) == want
    assert names == f"{pw.pw_dir}|{pw.pw_name}|{pw.pw_name}"


def test_user_option_id(trace):
    pw = unprivileged_user()
    for who in (pw.pw_name, str(pw.pw_uid)):
        t = trace(["id", "-u"], options=("--user", who))
        assert t.rc == 0, t.stderr
        assert t.stdout == f"{pw.pw_uid}\n".encode()
        assert len(t.data["processes"]) == 1


def test_user_root_and_no_sudo_keep_root():
    pw = unprivileged_user()
    env = dict(os.environ)
    for k in ("SUDO_UID", "SUDO_GID", "SUDO_USER"):
        env.pop(k, None)
    runs = [(["--user", "root"], sudo_env(pw)), ([], env)]
    for opts, e in runs:
        p = subprocess.run([PERFANITY, "trace", "-q", *opts, "--", "id", "-u"], env=e,
                           capture_output=True, text=True, timeout=120)
        assert (p.returncode, p.stdout) == (0, "0\n"), (opts, p.stderr)


def test_unknown_user_one_line_exit_2(tmp_path):
    out = tmp_path / "t.json"
    p = subprocess.run([PERFANITY, "trace", "-o", str(out), "--user", "no-such-user", "--", "true"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stdout == ""
    assert len(p.stderr.splitlines()) == 1, p.stderr
    assert "no-such-user" in p.stderr
    assert not out.exists()


def test_user_cannot_run_what_only_root_may(shared_dir):
    # The command is looked up as root but exec'd as the user: a program only
    # root may execute fails as it would for them, said in one line.
    pw = unprivileged_user()
    prog = os.path.join(shared_dir, "rootonly")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\necho ran\n")
    os.chmod(prog, 0o700)
    p = subprocess.run([PERFANITY, "trace", "-q", "--user", pw.pw_name, "--", prog],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 126, p.stderr
    assert p.stdout == ""
    assert len(p.stderr.splitlines()) == 1, p.stderr
