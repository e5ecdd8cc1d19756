# SPDX-License-Identifier: GPL-2.0-only
"""The local package index (scripts/local-index.sh, scripts/local_index.py): a PEP 503
index in a network namespace of its own, installers pointed at it for real, network
profiles, and a stop that leaves nothing behind.

The module starts its own index (namespace pf-idx-t, 10.213.29.0/30, state under
tmp_path) so that it never meets one a user runs with the defaults, and serves
synthetic wheels (scripts/bench_fixture.py), a wheel of incompressible bytes (the
payload the `bad` profile's bandwidth makes slow) and two pure wheels of the bench
wheelhouse (.cache/wheelhouse) when set-up fetched them. Root and network namespaces
are needed: without them the tests fail under CI=true and are skipped otherwise.
"""
import base64
import glob
import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from conftest import MS, run_trace

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "scripts", "local-index.sh")
VENV_PY = os.path.join(REPO, ".venv", "bin", "python")
UV = os.path.join(REPO, ".venv", "bin", "uv")
NETNS, SUBNET, PORT = "pf-idx-t", "10.213.29", 8503
HOST = f"{SUBNET}.2"
URL = f"http://{HOST}:{PORT}/simple/"
SYNTH = [f"pfsynth_{i:03d}" for i in range(4)]
PAYLOAD = "pfpayload"
SDIST = "Foo.Bar_baz-2.0.tar.gz"
PURE = ["idna", "blinker"]  # no dependencies, pure Python, in examples/wheelhouse.txt


def index_env(state, netns=NETNS, subnet=SUBNET):
    return dict(os.environ, PF_INDEX_NETNS=netns, PF_INDEX_SUBNET=subnet,
                PF_INDEX_PORT=str(PORT), PF_INDEX_STATE=str(state))


def script(env, *args, check=True):
    p = subprocess.run([SCRIPT, *args], env=env, capture_output=True, text=True, timeout=30)
    if check:
        assert p.returncode == 0, f"local-index.sh {' '.join(args)}: rc={p.returncode} {p.stderr}"
    return p


def require_netns():
    """Fail (CI=true) or skip unless a network namespace can be created here."""
    missing = [tool for tool in ("ip", "tc", "ss") if not shutil.which(tool)]
    if missing:
        why = f"{', '.join(missing)} missing (Debian's iproute2; make setup installs it): the local index needs them"
    else:
        probe = f"pf-probe-{os.getpid()}"
        p = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
        if p.returncode == 0:
            subprocess.run(["ip", "netns", "del", probe], capture_output=True)
            return
        why = (f"cannot create a network namespace (ip netns add: {p.stderr.strip()}): "
               "the local index needs root and netns")
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


def installer_env():
    """The environment minus any pip/uv configuration: the only index is the URL given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def pip_cmd(target, packages, url=URL):
    return [VENV_PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-cache-dir",
            "--index-url", url, "--trusted-host", HOST, "--target", str(target), *packages]


def assert_imports(target, packages):
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]:\n"
            "    m = importlib.import_module(name)\n"
            "    assert m.__file__.startswith(sys.path[0]), (name, m.__file__)\n")
    env = dict(installer_env(), PYTHONPATH=str(target))
    p = subprocess.run([VENV_PY, "-c", code, *packages], env=env, capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr


def listening(port, netns=None):
    cmd = (["ip", "netns", "exec", netns] if netns else []) + ["ss", "-Hltn"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if re.search(rf":{port}\b", line)]


def namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def link_exists(name):
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


def get(path, headers=None):
    req = urllib.request.Request(f"http://{HOST}:{PORT}{path}", headers=headers or {})
    # no proxy: the index is reached over the veth, never through one
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=10) as r:
        return r.status, r.geturl(), r.read(), r.headers


def payload_wheel(d, name, size):
    """A valid pure wheel NAME 1.0 whose package holds SIZE incompressible bytes (data.bin):
    a payload whose download time the bandwidth decides, whatever zip makes of code."""
    blob = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(size // 32))
    dist = f"{name}-1.0.dist-info"
    members = {
        f"{name}/__init__.py": b"import os\nDATA = os.path.join(os.path.dirname(__file__), 'data.bin')\n",
        f"{name}/data.bin": blob,
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: perfanity-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in members.items()) + f"{dist}/RECORD,,\n"
    path = os.path.join(d, f"{name}-1.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in [*members.items(), (f"{dist}/RECORD", record.encode())]:
            z.writestr(member, data)
    return path


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """The wheels served: ({package: path}, their directory)."""
    d = tmp_path_factory.mktemp("wheels")
    subprocess.run(["/usr/bin/python3", os.path.join(REPO, "scripts", "bench_fixture.py"), "wheels",
                    str(d), "--deps", str(len(SYNTH)), "--dep-size", "64"], check=True, timeout=60)
    os.unlink(d / "requirements.txt")
    files = {name: glob.glob(str(d / f"{name}-*.whl"))[0] for name in SYNTH}
    # 384 kB that take 6 s at the `bad` profile's 512 kbit/s, 3 ms at `lan`'s 1 Gbit/s
    files[PAYLOAD] = payload_wheel(d, PAYLOAD, 384 * 1024)
    for name in PURE:
        found = glob.glob(os.path.join(REPO, ".cache", "wheelhouse", f"{name}-*-py3-none-any.whl"))
        if found:
            files[name] = shutil.copy(found[0], d)
    # an sdist whose name needs normalizing (listed, never installed: no build backend here)
    with tarfile.open(d / SDIST, "w:gz") as tar:
        info = tarfile.TarInfo("Foo.Bar_baz-2.0/PKG-INFO")
        meta = b"Metadata-Version: 2.1\nName: Foo.Bar_baz\nVersion: 2.0\n"
        info.size = len(meta)
        tar.addfile(info, io.BytesIO(meta))
    (d / "README.txt").write_text("not a distribution: not listed\n")
    return files, d


@pytest.fixture(scope="module")
def index(wheelhouse, tmp_path_factory):
    """A running index on the wheelhouse (profile lan); stopped, and checked gone, after."""
    require_netns()
    _, d = wheelhouse
    state = tmp_path_factory.mktemp("index-state")
    env = index_env(state)
    script(env, "stop")  # a previous run's leftovers
    p = script(env, "start", "--profile", "lan", "--dir", str(d))
    assert p.stdout.strip() == URL, p.stdout
    yield env
    script(env, "stop")
    assert NETNS not in namespaces()
    assert not link_exists(f"{NETNS}-h")
    assert not listening(PORT)


def test_simple_index_pages(index, wheelhouse):
    files, _ = wheelhouse
    status, _, body, _ = get("/simple/")
    assert status == 200
    projects = re.findall(r'<a href="([^"]+)/">([^<]+)</a>', body.decode())
    assert {name for _, name in projects} == {n.replace("_", "-") for n in files} | {"foo-bar-baz"}, projects
    for name, path in files.items():
        norm = name.replace("_", "-")
        status, _, body, _ = get(f"/simple/{norm}/")
        (href,) = re.findall(r'href="([^"]+)"', body.decode())
        fname, digest = re.fullmatch(r"\.\./\.\./files/([^#]+)#sha256=([0-9a-f]{64})", href).groups()
        assert fname == os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        assert digest == hashlib.sha256(data).hexdigest()
        status, _, got, _ = get(f"/files/{fname}")
        assert got == data
        # one byte range: the end of the zip, as uv reads a wheel's metadata
        status, _, tail, headers = get(f"/files/{fname}", {"Range": "bytes=-22"})
        assert status == 206 and tail == data[-22:], headers
    _, _, body, _ = get("/simple/foo-bar-baz/")
    assert re.findall(r'href="([^"#]+)#sha256=', body.decode()) == [f"../../files/{SDIST}"], body
    # a name not normalized is redirected to the normalized one
    _, where, _, _ = get("/simple/PfSynth_000")
    assert where.endswith("/simple/pfsynth-000/")
    with pytest.raises(urllib.error.HTTPError) as e:
        get("/simple/no-such-project/")
    assert e.value.code == 404


def test_listens_only_in_its_namespace(index):
    assert not listening(PORT), "the index listens on the host"
    inside = listening(PORT, NETNS)
    assert len(inside) == 1 and f"{HOST}:{PORT}" in inside[0], inside


def test_status_and_profile_change_without_restart(index):
    p = script(index, "status")
    assert p.stdout.startswith(f"running: {URL} pid "), p.stdout
    assert "profile lan (down 1gbit, up 1gbit, +1 ms per response)" in p.stdout, p.stdout
    pid = re.search(r" pid (\d+) ", p.stdout).group(1)
    try:
        p = script(index, "profile", "dsl")
        assert "profile dsl (down 16mbit, up 1mbit, +25 ms per response)" in p.stdout, p.stdout
        assert f" pid {pid} " in p.stdout, "the server was restarted"
        qd = subprocess.run(["ip", "netns", "exec", NETNS, "tc", "qdisc", "show", "dev", f"{NETNS}-n"],
                            capture_output=True, text=True, check=True).stdout
        assert "tbf" in qd and "16Mbit" in qd, qd
        # the added latency: each response waits >= 25 ms
        t0 = time.monotonic()
        get("/simple/")
        assert time.monotonic() - t0 >= 0.025
    finally:
        script(index, "profile", "lan")
    p = script(index, "profile", "nosuch", check=False)
    assert p.returncode != 0 and p.stderr.count("\n") == 1 and "unknown profile" in p.stderr, p.stderr


def test_pip_installs_through_the_index(index, wheelhouse, tmp_path):
    packages = list(wheelhouse[0])
    p = subprocess.run(pip_cmd(tmp_path / "t", packages), env=installer_env(), capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert_imports(tmp_path / "t", packages)


def test_uv_installs_through_the_index(index, wheelhouse, tmp_path):
    packages = list(wheelhouse[0])
    cmd = [UV, "pip", "install", "-q", "--no-config", "--no-cache", "--cache-dir", str(tmp_path / "cache"),
           "--python", VENV_PY, "--index-url", URL, "--target", str(tmp_path / "t"), *packages]
    p = subprocess.run(cmd, env=installer_env(), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert_imports(tmp_path / "t", packages)


def test_trace_of_pip_sees_the_bytes_on_its_sockets(index, wheelhouse, tmp_path):
    files, _ = wheelhouse
    packages = list(files)
    cmd = pip_cmd(tmp_path / "t", packages)
    # env -i-like: the installer's environment, passed through env(1) so the argv is the command
    envargs = ["env", "-u", "PIP_INDEX_URL", "-u", "PIP_EXTRA_INDEX_URL", "-u", "PIP_NO_INDEX",
               f"PIP_CONFIG_FILE={os.devnull}"]
    t = run_trace(envargs + cmd, tmp_path, timeout=60)
    assert t.rc == 0, t.stderr
    assert_imports(tmp_path / "t", packages)
    assert t.data["totals"].get("net", 0) > 0, t.data["totals"]
    sc = {s["name"]: s for s in t.data["syscalls"]}
    received = sum(sc.get(n, {}).get("bytes", 0) for n in ("recvfrom", "recvmsg"))
    size = sum(os.path.getsize(p) for p in files.values())
    assert received >= size, f"received {received} bytes on sockets, the wheels are {size}"
    # HTTP headers and index pages, not a second copy of the wheels
    assert received < size * 1.5, f"received {received} bytes on sockets, the wheels are {size}"
    print(f"net {t.data['totals']['net'] / MS:.0f} ms, {received} bytes received, wheels {size} bytes")


def test_bad_profile_makes_a_cold_pip_slower_than_lan(index, wheelhouse, tmp_path):
    packages = list(wheelhouse[0])
    took = {}
    try:
        for profile in ("lan", "bad"):
            script(index, "profile", profile)
            t0 = time.monotonic()
            p = subprocess.run(pip_cmd(tmp_path / profile, packages), env=installer_env(),
                               capture_output=True, text=True, timeout=60)
            took[profile] = time.monotonic() - t0
            assert p.returncode == 0, p.stderr
    finally:
        script(index, "profile", "lan")
    print(f"cold pip install: lan {took['lan']:.2f} s, bad {took['bad']:.2f} s")
    assert took["bad"] > took["lan"], took


def test_stop_removes_everything_and_is_idempotent(wheelhouse, tmp_path):
    require_netns()
    netns, subnet = "pf-idx-s", "10.213.39"
    env = index_env(tmp_path / "state", netns, subnet)
    p = script(env, "stop")  # nothing runs: a no-op
    assert p.stdout == "" and p.stderr == ""
    script(env, "start", "--profile", "bad", "--dir", str(wheelhouse[1]))
    assert netns in namespaces() and link_exists(f"{netns}-h")
    state = dict(line.split("=", 1) for line in (tmp_path / "state" / "state").read_text().splitlines())
    assert state["url"] == f"http://{subnet}.2:{PORT}/simple/" and state["profile"] == "bad", state
    pid = int(state["pid"])
    script(env, "start", "--dir", str(wheelhouse[1]))  # already running: a no-op
    p = script(env, "start", "--dir", str(tmp_path), check=False)
    assert p.returncode == 1 and "already running" in p.stderr, p.stderr
    script(env, "stop")
    assert netns not in namespaces()
    assert not link_exists(f"{netns}-h")
    assert not listening(PORT)
    for _ in range(50):  # killed; reaped by whoever adopted it
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                alive = b"local_index.py" in f.read()
        except OSError:
            alive = False
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, "the server still runs"
    assert not (tmp_path / "state" / "state").exists()
    p = script(env, "status", check=False)
    assert p.returncode == 3 and p.stdout == "stopped\n"
    script(env, "stop")


def test_a_second_index_on_a_subnet_in_use_is_refused(index, wheelhouse, tmp_path):
    env = index_env(tmp_path / "state", "pf-idx-u", SUBNET)
    p = script(env, "start", "--dir", str(wheelhouse[1]), check=False)
    assert p.returncode == 1 and p.stderr.count("\n") == 1, p.stderr
    assert f"{SUBNET}.0/30 is in use on {NETNS}-h" in p.stderr, p.stderr
    assert "pf-idx-u" not in namespaces() and not link_exists("pf-idx-u-h")
    # and the index that runs is untouched
    assert get("/simple/")[0] == 200
