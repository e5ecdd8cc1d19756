#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The docker bench preset (examples/docker): Debian's docker.io and debootstrap, and the
# base image its Dockerfiles start FROM. No registry is reachable, so the image is built
# offline-from-registries: debootstrap of Debian (minbase + python3) imported with
# `docker import`. Its tag carries a hash of its inputs (suite, packages, this script):
# perfanity-base:<hash>, also tagged perfanity-base:latest (what the preset uses). Built
# once: skipped when `docker image inspect` finds the tag.
# When docker cannot be installed or started, it says so in one line and exits 0: the rest
# of perfanity works without it (the docker tests then fail under CI=true with that line).
set -euo pipefail
cd "$(dirname "$0")/../.."
SUITE=bookworm
MIRROR=${PERFANITY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=python3
tag=perfanity-base:$( (echo "$SUITE $PACKAGES"; cat "$0") | sha256sum | cut -c1-12)
[ "${1:-}" = --tag ] && { echo "$tag"; exit 0; }
unavailable() { echo "setup: docker unavailable ($*): the docker bench preset and its tests cannot run" >&2; exit 0; }

# shellcheck source=scripts/setup-lib.sh
. scripts/setup-lib.sh
apt_install "docker bench preset" docker.io debootstrap || unavailable "docker.io and debootstrap are not installed"

# An engine started here for the build is stopped again; one that was running stays.
started=
if ! docker info >/dev/null 2>&1; then
  PERFANITY_DOCKERD_PID=/run/perfanity-dockerd-setup.pid bash scripts/docker-engine.sh start 2>/dev/null ||
    unavailable "dockerd does not start: see bash scripts/docker-engine.sh start"
  started=1
fi
stop_ours() { [ -z "$started" ] || PERFANITY_DOCKERD_PID=/run/perfanity-dockerd-setup.pid bash scripts/docker-engine.sh stop 2>/dev/null; }
trap stop_ours EXIT

if ! docker image inspect "$tag" >/dev/null 2>&1; then
  echo "setup: building the docker base image $tag (debootstrap $SUITE + $PACKAGES)" >&2
  root=$(mktemp -d /var/tmp/perfanity-base.XXXXXX)
  trap 'rm -rf "$root"; stop_ours' EXIT
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >/dev/null ||
    unavailable "debootstrap $SUITE from $MIRROR failed"
  # apt's lists and caches are not needed in the image: smaller layer, same python3
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import - "$tag" >/dev/null || unavailable "docker import failed"
fi
docker tag "$tag" perfanity-base:latest
