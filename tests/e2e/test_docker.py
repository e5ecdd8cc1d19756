# SPDX-License-Identifier: GPL-2.0-only
"""The docker bench preset on a real engine (no mocks): strategies build the built-in
example into images whose containers print the app's output; after a source edit the
venv-layers strategy changes only its sources layer (checked by layer digest); a dead
engine and a Dockerfile that fails to build each fail their cells with one clear line
while the run goes on.

Needs a Docker engine (`bash scripts/docker-engine.sh start`) and the base image set-up
builds (scripts/setup.d/70-docker.sh). Without them these tests skip with the reason, or
fail with it under CI=true (.ci/run starts the engine: there, a missing one is a fault)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

PERFANITY = os.environ.get("PERFANITY", "")
ROOT = Path(__file__).resolve().parents[2]
BASE = "perfanity-base:latest"


def docker_unavailable():
    """Why docker cannot be used here, in one line, or None."""
    try:
        p = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return "docker is not installed (make setup installs docker.io)"
    if p.returncode:
        return "the Docker engine does not answer: start it with bash scripts/docker-engine.sh start"
    p = subprocess.run(["docker", "image", "inspect", BASE], capture_output=True, text=True)
    if p.returncode:
        return f"no base image {BASE}: run bash scripts/setup.d/70-docker.sh"
    return None


@pytest.fixture(scope="module", autouse=True)
def docker_engine():
    why = docker_unavailable()
    if why and os.environ.get("CI") == "true":
        pytest.fail(f"docker unavailable: {why}", pytrace=False)
    if why:
        pytest.skip(f"docker unavailable: {why}")


def matrix(tmp_path, params, name="perfanity.toml"):
    """The built-in example under the docker preset with a few small synthetic deps."""
    lines = [f'project = "{ROOT}/examples/simple"', 'target = "simple:image"',
             'entry_point = "simple.bin:main"', f'find_links = ["{ROOT}/.cache/wheelhouse"]',
             "no_index = true", 'edit = "src/simple/revision.py"',
             'synthetic_names = "src/simple/synthetic.py"', 'preset = "docker"', "deps = 2",
             "dep_size = 4", "[parameters]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in params.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def bench(tmp_path, m, *args, env=None):
    out = tmp_path / "result.json"
    p = subprocess.run([PERFANITY, "bench", str(m), "-r", "1", "--json", str(out), *args],
                       capture_output=True, text=True, timeout=600, env=env)
    return p, json.loads(out.read_text()) if out.exists() else None


def cell(config, step, goal):
    return next(c for c in config["cells"] if c["step"] == step and c["goal"] == goal)


def bench_images():
    """Images the bench built and labelled (every rebuild's, not only the tagged one)."""
    p = subprocess.run(["docker", "images", "-q", "--filter", "label=perfanity-bench"],
                       capture_output=True, text=True, check=True)
    return set(p.stdout.split())


def test_two_strategies_build_and_their_containers_print_the_app_output(tmp_path):
    m = matrix(tmp_path, {"strategy": ["pex", "two-pex"]})
    images = bench_images()
    p, doc = bench(tmp_path, m, "--step", "clean", "--step", "noop", "--goal", "image", "--goal", "start")
    assert p.returncode == 0, p.stdout + p.stderr
    assert bench_images() <= images, "a bench image outlived its configuration"
    assert [c["params"]["strategy"] for c in doc["configs"]] == ["pex", "two-pex"]
    for config in doc["configs"]:
        start = cell(config, "clean", "start")["samples"][0]
        out = start["stdout_tail"]
        assert "simple 1.0 edit=0" in out and "requests: requests ok" in out, out
        # start is timed to the app's first output line, before the container's tear-down
        assert start["seconds"] == start["commands"][0]["first_line_seconds"], start
        assert 0 < start["seconds"] < start["exit_seconds"] == start["commands"][0]["seconds"], start
        assert config["dockerfile"].startswith(f"FROM {BASE}\n")
        layers = config["layers"]
        assert all(la["digest"].startswith("sha256:") and la["bytes"] > 0 for la in layers), layers
        assert config["image_bytes"] == sum(la["bytes"] for la in layers)
        # nothing changed: the same layers, nothing to push
        assert cell(config, "noop", "image")["samples"][0]["push_bytes"] == 0
    # the table's size columns are the image's and the push cost
    header = next(line for line in p.stdout.splitlines() if line.startswith("goal"))
    assert header.split()[-2:] == ["image", "push"], p.stdout
    assert "ENV PEX_PATH=/app/deps.pex" in doc["configs"][1]["dockerfile"]


def test_venv_layers_source_edit_changes_only_the_sources_layer(tmp_path):
    m = matrix(tmp_path, {"strategy": ["venv-layers"]})
    p, doc = bench(tmp_path, m, "--step", "clean", "--step", "incremental", "--goal", "image", "--goal", "start")
    assert p.returncode == 0, p.stdout + p.stderr
    config = doc["configs"][0]
    before = cell(config, "clean", "image")["samples"][0]
    after = cell(config, "incremental", "image")["samples"][0]
    digests = [[la["digest"] for la in s["layers"]] for s in (before, after)]
    # base, dependencies venv, sources venv
    assert len(digests[0]) == len(digests[1]) == 3, digests
    assert digests[0][:2] == digests[1][:2], "the dependencies layer changed after a source edit"
    assert digests[0][2] != digests[1][2], "the sources layer did not change after a source edit"
    assert after["push_bytes"] == after["layers"][2]["bytes"]
    assert "edit=1" in cell(config, "incremental", "start")["samples"][0]["stdout_tail"]


def test_dead_engine_fails_the_cell_with_one_line_and_the_run_goes_on(tmp_path):
    m = matrix(tmp_path, {"strategy": ["pex", "two-pex"]})
    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-dockerd.sock")
    p, doc = bench(tmp_path, m, "--step", "clean", "--goal", "image", env=env)
    assert p.returncode == 1, p.stdout + p.stderr
    # both configurations ran (the first failure did not stop the run), each kept as failed
    assert [cell(c, "clean", "image")["status"] for c in doc["configs"]] == ["failed", "failed"]
    failed = [line for line in p.stdout.splitlines() if line.startswith("failed:")]
    assert len(failed) == 2, p.stdout
    assert all("Cannot connect to the Docker daemon" in line for line in failed), failed


def test_dockerfile_that_fails_to_build_fails_its_cell_and_the_run_goes_on(tmp_path):
    m = matrix(tmp_path, {"strategy": ["pex"], "base_image": ["Not/A:Valid:Ref", BASE]})
    p, doc = bench(tmp_path, m, "--step", "clean", "--goal", "image")
    assert p.returncode == 1, p.stdout + p.stderr
    bad, good = doc["configs"]
    assert cell(bad, "clean", "image")["status"] == "failed"
    assert cell(good, "clean", "image")["status"] == "ok"
    assert bad["dockerfile"].startswith("FROM Not/A:Valid:Ref\n")
    failed = [line for line in p.stdout.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "base_image=Not/A:Valid:Ref" in failed[0], p.stdout
    assert "invalid reference format" in failed[0].lower(), failed


def test_packed_source_edit_keeps_every_wheel_layer(tmp_path):
    m = matrix(tmp_path, {"strategy": ["packed"]})
    p, doc = bench(tmp_path, m, "--step", "clean", "--step", "incremental", "--goal", "image")
    assert p.returncode == 0, p.stdout + p.stderr
    config = doc["configs"][0]
    copies = [line for line in config["dockerfile"].splitlines() if line.startswith("COPY deps/.deps/")]
    # the example's 15 wheels and the two synthetic ones, a COPY each, in name order
    assert len(copies) == 17 and copies == sorted(copies), config["dockerfile"]
    before = cell(config, "clean", "image")["samples"][0]
    after = cell(config, "incremental", "image")["samples"][0]
    digests = [[la["digest"] for la in s["layers"]] for s in (before, after)]
    # base, a layer per wheel, the rest of the PEX: only the last one changed
    assert len(digests[0]) == len(digests[1]) == 1 + 17 + 1, digests
    assert digests[0][:-1] == digests[1][:-1], "a wheel's layer changed after a source edit"
    assert digests[0][-1] != digests[1][-1]
    assert after["push_bytes"] == after["layers"][-1]["bytes"]


PANTS = ROOT / ".venv-pants" / "bin" / "pants"
OFFLINE = ROOT / ".cache" / "pants" / "offline.toml"
needs_pants = pytest.mark.skipif(not (PANTS.exists() and OFFLINE.exists()),
                                 reason="Pants is not set up (make setup installs it when a CPython 3.9 is found)")


@needs_pants
def test_pants_built_venv_layers_image_prints_the_app_output_and_keeps_its_deps_layer(tmp_path):
    m = matrix(tmp_path, {"strategy": ["pants-venv-layers"]})
    images = bench_images()
    p, doc = bench(tmp_path, m, "--step", "clean", "--step", "incremental", "--goal", "image", "--goal", "start")
    assert p.returncode == 0, p.stdout + p.stderr
    assert bench_images() <= images, "a Pants-built bench image outlived its configuration"
    config = doc["configs"][0]
    assert 'name="perfanity-image"' in config["pants_build"], config["pants_build"]
    # Pants ran docker: the image goal is `pants package`, and no docker build of ours
    commands = cell(config, "clean", "image")["samples"][0]["commands"]
    assert len(commands) == 1 and commands[0]["command"].endswith("package :perfanity-image"), commands
    for step, edit in (("clean", 0), ("incremental", 1)):
        out = cell(config, step, "start")["samples"][0]["stdout_tail"]
        assert f"simple 1.0 edit={edit}" in out and "synthetic: 2 deps" in out, out
    before = cell(config, "clean", "image")["samples"][0]
    after = cell(config, "incremental", "image")["samples"][0]
    digests = [[la["digest"] for la in s["layers"]] for s in (before, after)]
    assert len(digests[0]) == len(digests[1]) == 3, digests
    assert digests[0][:2] == digests[1][:2], "the dependencies layer changed after a source edit"
    assert digests[0][2] != digests[1][2]


def test_pants_strategy_without_pants_fails_its_cell_with_the_reason(tmp_path):
    m = matrix(tmp_path, {"strategy": ["pants", "pex"]})
    m.write_text(f'pants = "{tmp_path}/no/pants"\n' + m.read_text())
    p, doc = bench(tmp_path, m, "--step", "clean", "--goal", "image")
    assert p.returncode == 1, p.stdout + p.stderr
    assert [cell(c, "clean", "image")["status"] for c in doc["configs"]] == ["failed", "ok"]
    failed = [line for line in p.stdout.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "strategy=pants" in failed[0], p.stdout
    assert "Pants not found" in failed[0] and "make setup" in failed[0], failed
