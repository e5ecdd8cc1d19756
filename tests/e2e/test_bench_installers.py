# SPDX-License-Identifier: GPL-2.0-only
"""The installers preset (examples/installers): real installers, through perfanity's
local index, driven by `perfanity bench`.

- pip and uv install the synthetic set through the index, traced: the bytes their
  sockets received are at least the wheels' total size, and the venv imports them;
- pip-accel and curdling install the sdist set (C extensions built) on Python 2.7, from
  the index only;
- uv installs today's django-cms set (djangocms5) through the index: the pinned versions,
  and cms.utils imports (it needs packaging, which django-cms does not declare);
- the index the bench started stops cleanly: no namespace, no veth, nothing listening.

Needs root, network namespaces and set-up's .installers (scripts/setup.d/55-installers.sh):
without them the tests fail under CI=true and are skipped otherwise.
"""
import json
import os
import re
import subprocess

import pytest

from conftest import PERFANITY
from test_local_index import link_exists, listening, namespaces, require_netns

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRESET = os.path.join(REPO, "examples", "installers")
TOOLS = os.path.join(REPO, ".installers")
SCRIPT = os.path.join(REPO, "scripts", "local-index.sh")
NETNS, SUBNET, PORT = "pf-idx-b", "10.213.59", 8503
# socket reads: what pip (recvfrom, recvmsg through ssl-less http.client) and uv (tokio's
# recvfrom / read) receive on them; read(2) is counted only on sockets (below)
RECV_SYSCALLS = ("recvfrom", "recvmsg")


def require_setup():
    why = None
    if not os.path.isfile(os.path.join(TOOLS, ".index-stamp")):
        why = f"{TOOLS} missing: run make setup (scripts/setup.d/55-installers.sh)"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def index_env(tmp_path_factory):
    """The environment that makes the preset's driver start its index apart (namespace,
    subnet, state of the test's own); after the module, the index is stopped and checked
    gone."""
    require_netns()
    require_setup()
    state = tmp_path_factory.mktemp("index-state")
    env = dict(os.environ, PF_INDEX_NETNS=NETNS, PF_INDEX_SUBNET=SUBNET, PF_INDEX_PORT=str(PORT),
               PF_INDEX_STATE=str(state))
    subprocess.run([SCRIPT, "stop"], env=env, capture_output=True, timeout=30)
    yield env
    p = subprocess.run([SCRIPT, "stop"], env=env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert NETNS not in namespaces()
    assert not link_exists(f"{NETNS}-h")
    assert not listening(PORT, None)
    assert not (state / "state").exists()


def bench(env, tmp_path, configs, *extra):
    """perfanity bench on the preset, clean step, one repetition; the result document."""
    out = tmp_path / "result.json"
    cmd = [PERFANITY, "bench", PRESET, "-r", "1", "--step", "clean", "--json", str(out),
           "--workdir", str(tmp_path / "work"), *extra]
    for c in configs:
        cmd += ["--config", c]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    with open(out) as f:
        return json.load(f), p.stdout


def config(doc, installer):
    (c,) = [c for c in doc["configs"] if f"installer={installer}," in c["label"]]
    (cell,) = c["cells"]
    return c, cell


def venv_of(tmp_path, doc, installer):
    i = [c["label"] for c in doc["configs"]].index(config(doc, installer)[0]["label"])
    return tmp_path / "work" / f"c{i + 1:02d}" / "out" / "venv"


def requirements(name):
    with open(os.path.join(PRESET, "sets", f"{name}.txt")) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def wheel_bytes(reqs):
    total = 0
    for req in reqs:
        name, version = req.split("==")
        (path,) = [f for f in os.listdir(os.path.join(TOOLS, "index"))
                   if f.startswith(f"{name}-{version}-") and f.endswith(".whl")]
        total += os.path.getsize(os.path.join(TOOLS, "index", path))
    return total


def socket_bytes_received(trace):
    return sum(s.get("bytes", 0) for s in trace["syscalls"] if s["name"] in RECV_SYSCALLS)


def imports(python, modules, code=""):
    p = subprocess.run([str(python), "-c", f"import {', '.join(modules)}; {code}"],
                       capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_pip_and_uv_install_the_synthetic_set_through_the_index(index_env, tmp_path):
    doc, table = bench(index_env, tmp_path, ["installer=pip-cold,set=synthetic,profile=lan*",
                                             "installer=uv-cold,set=synthetic,profile=lan*"], "--trace")
    reqs = requirements("synthetic")
    size = wheel_bytes(reqs)
    modules = [r.split("==")[0] for r in reqs]
    traces = []
    for installer in ("pip-cold", "uv-cold"):
        c, cell = config(doc, installer)
        assert cell["status"] == "ok", (c["label"], cell)
        (sample,) = cell["samples"]
        (record,) = sample["commands"]
        with open(record["trace"]["file"]) as f:
            trace = json.load(f)
        received = socket_bytes_received(trace)
        # the bytes by peer: the index's address, nothing from elsewhere over TCP
        peers = {p["peer"]: p for p in trace["net_peers"]}
        index = peers.get(f"{SUBNET}.2:{PORT}")
        print(f"{installer}: {received} bytes received on sockets, wheels {size} bytes, "
              f"net {trace['totals'].get('net', 0) / 1e6:.0f} ms, peers {trace['net_peers']}")
        assert trace["totals"].get("net", 0) > 0, trace["totals"]
        assert received >= size, f"{installer}: received {received} bytes, the wheels are {size}"
        assert index and index["bytes_received"] >= size and index["bytes_sent"] > 0, peers
        assert index["bytes_received"] <= received + sum(s["bytes"] for s in trace["syscalls"]
                                                         if s["name"] in ("read", "readv")), (index, received)
        assert not [p for p in peers if p not in (f"{SUBNET}.2:{PORT}", "unix")], peers
        imports(venv_of(tmp_path, doc, installer) / "bin" / "python", modules)
        traces.append(record["trace"]["file"])
    assert re.search(r"installer=pip-cold,set=synthetic,profile=lan_1gbit_1ms +[0-9.]+", table), table
    # report compares the two in the installers' terms, the index named as the peer
    p = subprocess.run([PERFANITY, "report", *traces, "--label", "pip", "--label", "uv"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    terms = re.findall(r"installer terms: net .* in from ([0-9.:]+)\), build .*, unpack .*, file writes .*, "
                       r"bytecode .*", p.stdout)
    assert terms == [f"{SUBNET}.2:{PORT}"] * 2, p.stdout


def test_pip_accel_and_curdling_install_the_sdist_set_on_python27(index_env, tmp_path):
    doc, table = bench(index_env, tmp_path, ["installer=pip-accel,set=sdist,profile=lan*",
                                             "installer=curdling,set=sdist,profile=lan*"], "--trace")
    for installer in ("pip-accel", "curdling"):
        c, cell = config(doc, installer)
        assert cell["status"] == "ok", (c["label"], cell.get("stderr_tail"))
        # nothing over the network but the index (their built-in default is PyPI); with
        # their caches warmed by prepare, perhaps nothing at all
        with open(cell["samples"][0]["commands"][0]["trace"]["file"]) as f:
            trace = json.load(f)
        peers = [p["peer"] for p in trace["net_peers"]]
        assert not [p for p in peers if p not in (f"{SUBNET}.2:{PORT}", "unix")], peers
        venv = venv_of(tmp_path, doc, installer)
        out = imports(venv / "bin" / "python", ["sys", "pfcext", "markupsafe", "itsdangerous"],
                      "sys.stdout.write('%d.%d %d' % (sys.version_info[:2] + (pfcext.checksum(b'ab'),)))")
        # Python 2.7, and the C extension built and working: 97 + 98
        assert out == "2.7 195", out


def test_uv_installs_todays_django_cms_set(index_env, tmp_path):
    doc, _ = bench(index_env, tmp_path, ["installer=uv-cold,set=djangocms5,profile=lan*"])
    c, cell = config(doc, "uv-cold")
    assert cell["status"] == "ok", (c["label"], cell.get("stderr_tail"))
    pins = dict(r.split("==") for r in requirements("djangocms5"))
    out = imports(venv_of(tmp_path, doc, "uv-cold") / "bin" / "python", ["cms.utils", "importlib.metadata"],
                  f"print(sorted((n, importlib.metadata.version(n)) for n in {sorted(pins)!r}))")
    assert out.strip() == repr(sorted(pins.items())), out


def test_a_tool_that_cannot_run_keeps_its_row_with_the_reason(index_env, tmp_path):
    # pip-accel and curdling on the synthetic set: Python 3 wheels a 2.7 installer cannot
    # use (excluded by the preset; asked for here with a matrix of the test's own)
    matrix = tmp_path / "perfanity.toml"
    with open(os.path.join(PRESET, "perfanity.toml")) as f:
        text = f.read()
    text = re.sub(r"(?m)^project = \"\.\"", f'project = "{PRESET}"', text)
    text = re.sub(r"(?ms)^exclude = \[.*?\]$", "", text)  # the whole array, on however many lines
    assert "{ installer" not in text, text
    matrix.write_text(text)
    out = tmp_path / "result.json"
    p = subprocess.run([PERFANITY, "bench", str(matrix), "-r", "1", "--step", "clean", "--json", str(out),
                        "--config", "installer=curdling,set=synthetic,profile=lan*"],
                       env=index_env, capture_output=True, text=True, timeout=300)
    assert re.search(r"installer=curdling,set=synthetic,profile=lan_1gbit_1ms +FAIL", p.stdout), p.stdout
    (line,) = [ln for ln in p.stdout.splitlines() if ln.startswith("failed: ")]
    assert "fails: curdling: " in line, line
    print(line)
