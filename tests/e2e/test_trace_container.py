# SPDX-License-Identifier: GPL-2.0-only
"""perfanity trace --container: a Docker container's processes, which are the
runtime's children and not the docker client's, traced in the same categories
as a bare run. Needs dockerd and the base image `make setup` builds (.ci/run
starts dockerd); without them the tests fail under CI and skip elsewhere."""
import json
import os
import re
import subprocess
import time

import pytest

from conftest import MS, PERFANITY, SEC, check_identity

IMAGE = "perfanity-base:latest"


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120, check=check)


@pytest.fixture(scope="module", autouse=True)
def docker_ready():
    try:
        ok = docker("image", "inspect", IMAGE, check=False).returncode == 0
    except FileNotFoundError:
        ok = False
    if not ok:
        why = f"docker or its image {IMAGE} is not there (make setup builds it; .ci/run starts dockerd)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture
def container_name():
    name = f"perfanity-test-{os.getpid()}-{time.monotonic_ns()}"
    yield name
    docker("rm", "-f", name, check=False)


def test_container_started_by_the_command(tmp_path, container_name):
    # a container's interpreter is probed when it execs, so its first imports may
    # come before the probes: the one checked comes half a second later
    script = "import time; time.sleep(0.5); import json; print('hello')"
    docker("create", "--name", container_name, IMAGE, "python3", "-c", script)
    out = tmp_path / "t.json"
    r = subprocess.run([PERFANITY, "trace", "-o", str(out), "--container", container_name, "--",
                        "docker", "start", "-a", container_name], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello\n"
    data = json.loads(out.read_text())
    check_identity(data)
    [root] = data["attached"]
    assert root["how"] == "container"
    procs = {p["pid"]: p for p in data["processes"]}
    py = procs[root["pid"]]
    assert py["attached"] is True and py["exit_code"] == 0
    assert py["argv"] == ["python3", "-c", script]
    # the container's own interpreter was probed (not the host's): its imports are there
    assert "json" in {i["module"] for i in data["imports"]}, data["imports"][:5]
    assert any(i["exe"].startswith("/proc/") and i["imports"] != "none" for i in data["interpreters"]), data["interpreters"]
    # the docker client is the command's tree; nothing else of the host is in
    assert all(p["attached"] or "docker" in p["argv"][0] for p in data["processes"]), data["processes"]


def test_running_container_alone(tmp_path, container_name):
    # it waits, then reads a file of the image: the read is after the attach
    script = "import time; time.sleep(2); print(len(open('/usr/lib/os-release','rb').read()))"
    docker("run", "-d", "--name", container_name, IMAGE, "python3", "-c", script)
    out = tmp_path / "t.json"
    r = subprocess.run([PERFANITY, "trace", "-q", "-o", str(out), "--container", container_name],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert docker("wait", container_name).stdout.strip() == "0"
    size = int(docker("logs", container_name).stdout.strip())
    data = json.loads(out.read_text())
    check_identity(data)
    pid = int(docker("inspect", "--format", "{{.State.Pid}}", container_name, check=False).stdout.strip() or 0)
    [root] = data["attached"]
    assert root["how"] == "container" and (pid == 0 or root["pid"] == pid)
    # the path as the container sees it, the bytes the program counted
    rows = [f for f in data["files"] if f["path"] == "/usr/lib/os-release"]
    assert [f["bytes_read"] for f in rows] == [size], data["files"][:5]
    [proc] = [p for p in data["processes"] if p["pid"] == root["pid"]]
    assert proc["categories"]["sleep"] >= 1 * SEC, proc["categories"]


def test_no_such_container_is_one_line():
    r = subprocess.run([PERFANITY, "trace", "--container", "perfanity-no-such-container", "--", "/bin/true"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("perfanity: trace: --container perfanity-no-such-container: docker inspect failed: "), line
    assert "No such container" in line, line


def remove_bench_images(tag):
    """The images a bench configuration built: the tagged one and its stages."""
    ids = docker("images", "-q", "--filter", f"label=perfanity-bench={tag}", check=False).stdout.split()
    if ids:
        docker("rmi", "-f", *sorted(set(ids)), check=False)


def container_totals(trace_file):
    """Category totals over the processes a trace took in from containers."""
    with open(trace_file) as f:
        t = json.load(f)
    tot = {}
    for p in t["processes"]:
        if p.get("attached"):
            for k, v in p["categories"].items():
                tot[k] = tot.get(k, 0) + v
    return t["attached"], tot


def test_bench_traces_a_container_start(tmp_path):
    """bench --trace on the docker preset: a container start of one PEX with a cold
    PEX_ROOT extracts the PEX inside the container; the Pants blog's venv layers
    start without extracting or creating anything."""
    example = os.path.join(os.path.dirname(PERFANITY), "..", "examples", "docker")
    out = tmp_path / "r.json"
    r = subprocess.run([PERFANITY, "bench", "-q", example, "--config", "strategy=pex", "--config",
                        "strategy=venv-layers", "--step", "clean", "--goal", "start", "-r", "1", "--trace",
                        "--workdir", str(tmp_path / "w"), "--json", str(out)],
                       capture_output=True, text=True, timeout=600)
    images = {c["label"]: c for c in json.loads(out.read_text())["configs"]} if out.exists() else {}
    for tag in set(re.findall(r"-t (perfanity-bench:\w+)", out.read_text() if out.exists() else "")):
        remove_bench_images(tag)  # --workdir keeps them, as --keep does
    assert r.returncode == 0, r.stderr
    assert len(images) == 2, images
    seen = {}
    for c in json.loads(out.read_text())["configs"]:
        [cell] = [x for x in c["cells"] if x["goal"] == "start"]
        [cmd] = cell["samples"][0]["commands"]
        assert " --containers -- docker run " in cmd["traced_command"], cmd["traced_command"]
        attached, tot = container_totals(cmd["trace"]["file"])
        assert [a["how"] for a in attached] == ["container"], attached
        seen[c["params"]["strategy"]] = tot
    # (the venv's python may still inflate a few bytes through zlib: microseconds)
    assert seen["pex"].get("zip_extract", 0) + seen["pex"].get("venv_create", 0) >= 10 * MS, seen["pex"]
    assert seen["venv-layers"].get("zip_extract", 0) < 1 * MS, seen["venv-layers"]
    assert seen["venv-layers"].get("venv_create", 0) == 0, seen["venv-layers"]
    # both ran their app's Python, whose imports were seen inside the container
    assert seen["pex"]["import"] > 0 and seen["venv-layers"]["import"] > 0, seen
    # recommend on these results: the faster start wins, with its Dockerfile, and
    # the strategy is not passed to pex as an option
    rec = subprocess.run([PERFANITY, "recommend", str(out), "--prefer", "start"], capture_output=True, text=True)
    assert rec.returncode == 0, rec.stderr
    assert "winner: simple:image@strategy=venv-layers" in rec.stdout, rec.stdout
    assert "Dockerfile (the winner's" in rec.stdout and "--scope=deps" in rec.stdout, rec.stdout
    assert "--strategy" not in rec.stdout, rec.stdout
