# SPDX-License-Identifier: GPL-2.0-only
"""What perfanity trace leaves behind and what its tear-down is made of: no
BPF program or link of a trace survives it, and on a kernel with
uprobe_multi links (6.6+) every uprobe of a Python trace is in such a link
(removing one waits for one grace period, against about 0.1 s for each
perf-event uprobe), so the detach cost no longer grows with the probes."""
import json
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import PERFANITY, still_loaded

PY = "/usr/bin/python3"

# Run under the trace: what perfanity (its parent) holds, from its fdinfo.
HELD = r"""
import glob, json, os
progs, links = set(), {}
for info in glob.glob(f"/proc/{os.getppid()}/fdinfo/*"):
    try:
        fields = dict(l.rstrip("\n").split(":\t", 1) for l in open(info) if ":\t" in l)
    except OSError:
        continue
    if "prog_id" in fields:
        progs.add(int(fields["prog_id"]))
    if "link_id" in fields:
        links[int(fields["link_id"])] = fields.get("link_type", "?")
print(json.dumps({"progs": sorted(progs), "links": links}))
"""


def uprobe_multi_kernel():
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return (int(m.group(1)), int(m.group(2))) >= (6, 6)


def live_link_ids():
    out = subprocess.run(["bpftool", "-j", "link", "list"], check=True, capture_output=True, text=True).stdout
    return {l["id"] for l in json.loads(out or "[]")}


def links_gone(ids, grace=3.0):
    deadline = time.monotonic() + grace
    while set(ids) & live_link_ids() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not set(ids) & live_link_ids()


def test_nothing_left_after_a_python_trace(tmp_path):
    out = tmp_path / "t.json"
    r = subprocess.run([PERFANITY, "trace", "-q", "-v", "-o", str(out), "--", PY, "-c", HELD],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    held = json.loads(r.stdout)
    assert held["progs"] and held["links"], held
    assert not still_loaded(held["progs"]), "programs of the trace still loaded after it"
    assert links_gone([int(i) for i in held["links"]]), "links of the trace still there after it"
    if uprobe_multi_kernel():
        kinds = set(held["links"].values())
        assert "uprobe_multi" in kinds, kinds
        assert "perf_event" not in kinds, kinds  # no per-probe uprobe link to wait for
        m = re.search(r"removed (\d+) perf-event probes and (\d+) uprobe_multi links", r.stderr)
        assert m and m.group(1) == "0" and int(m.group(2)) >= 2, r.stderr
        # their grace periods are waited for by a child once perfanity is gone
        # (links_gone above: and they do go), not by the user
        assert "(0.000 s of it waited for at the end): the uprobe_multi links are let go by a child" in r.stderr


def test_verbose_shows_what_the_fixed_cost_is_made_of(tmp_path):
    r = subprocess.run([PERFANITY, "trace", "-q", "-v", "-o", str(tmp_path / "t.json"), "--", "/bin/true"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    m = re.search(r"the verifier took ([0-9.]+) ms for (\d+) programs: (.*)", r.stderr)
    assert m and int(m.group(2)) >= 5, r.stderr
    assert "pf_sys_enter" in m.group(3) and "pf_sys_exit" in m.group(3)
    parts = re.search(r"fixed cost: (.*)", r.stderr).group(1)
    for what in ("load+verify", "attach uprobes", "final reads", "detach uprobes", "unload"):
        assert re.search(re.escape(what) + r" [0-9.]+ s", parts), parts


def btf_files(d):
    return sorted(p for p in os.listdir(d) if p.endswith(".btf"))


def test_core_relocations_use_a_cached_minimal_btf(trace, tmp_path, monkeypatch):
    """The first trace writes the types the programs read (a few KB of the
    kernel's BTF); the next relocates against them, with the same counts as
    a trace relocated against the kernel's own BTF."""
    from conftest import make_file, workload
    cache = tmp_path / "btf"
    data = make_file(tmp_path / "small.bin", 4096)
    cmd = [workload("small_reads"), data, "20000", "16"]
    monkeypatch.setenv("PERFANITY_BTF_CACHE", str(cache))
    first = trace(cmd)
    assert first.rc == 0, first.stderr
    files = btf_files(cache)
    assert len(files) == 1 and re.fullmatch(r"core-[0-9a-f]{16}\.btf", files[0]), files
    assert 0 < os.path.getsize(cache / files[0]) < 64 * 1024
    second = trace(cmd, options=["--verbose"])
    assert second.rc == 0, second.stderr
    assert f"CO-RE relocations against the cached minimal BTF {cache / files[0]}" in second.stderr
    monkeypatch.setenv("PERFANITY_BTF_CACHE", "off")
    full = trace(cmd, options=["--verbose"])
    assert "cached minimal BTF" not in full.stderr
    for t in (first, second, full):
        row = t.file(data)
        assert (row["ops"], row["bytes_read"]) == (20_002, 20_000 * 16), row  # open, reads, close


def test_a_corrupt_cached_btf_is_replaced(trace, tmp_path, monkeypatch):
    from conftest import make_file, workload
    cache = tmp_path / "btf"
    data = make_file(tmp_path / "small.bin", 4096)
    monkeypatch.setenv("PERFANITY_BTF_CACHE", str(cache))
    assert trace(["/bin/true"]).rc == 0
    [name] = btf_files(cache)
    (cache / name).write_bytes(b"not BTF")
    t = trace([workload("small_reads"), data, "1000", "16"], options=["--verbose"])
    assert t.rc == 0, t.stderr
    assert f"loading against the cached BTF {cache / name} failed" in t.stderr
    assert t.file(data)["bytes_read"] == 16_000
    assert btf_files(cache) == []  # removed; the next trace makes it again
    assert trace(["/bin/true"]).rc == 0
    assert btf_files(cache) == [name]
