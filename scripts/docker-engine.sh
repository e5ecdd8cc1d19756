#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Docker engine the docker bench preset and its tests need:
#   start   starts dockerd when none answers `docker info`, waits (bounded) until it does
#   stop    stops the dockerd that `start` started, never one it found running
#   status  says whether an engine answers (exit 0) or not (exit 1)
# `start` records what it started in a pid file ($PERFANITY_DOCKERD_PID, default
# /run/perfanity-dockerd.pid: /run, not the checkout, since a dockerd is the machine's).
# Failures are one line on stderr and exit 1.
set -euo pipefail
pidfile=${PERFANITY_DOCKERD_PID:-/run/perfanity-dockerd.pid}
log=${PERFANITY_DOCKERD_LOG:-/var/log/perfanity-dockerd.log}
wait_s=${PERFANITY_DOCKERD_WAIT:-30}

die() { echo "docker-engine: $*" >&2; exit 1; }
answers() { docker info >/dev/null 2>&1; }

start() {
  if answers; then
    echo "docker-engine: an engine already answers (left as it is)" >&2
    return 0
  fi
  command -v docker >/dev/null || die "no docker client: apt-get install docker.io (or run make setup)"
  command -v dockerd >/dev/null || die "no dockerd: apt-get install docker.io (or run make setup)"
  [ "$(id -u)" = 0 ] || die "dockerd must be started as root"
  # setsid: the engine outlives this script and is not in the caller's process group,
  # so a Ctrl-C in a test run does not take it down half-way.
  setsid dockerd >>"$log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pidfile"
  local i
  for ((i = 0; i < wait_s * 5; i++)); do
    answers && { echo "docker-engine: dockerd started (pid $pid)" >&2; return 0; }
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; die "dockerd exited at start: $(tail -n 1 "$log")"; }
    sleep 0.2
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  die "dockerd did not answer within ${wait_s} s (see $log)"
}

stop() {
  [ -f "$pidfile" ] || return 0 # not ours: nothing to stop
  local pid
  pid=$(cat "$pidfile")
  # the pid must still be a dockerd: a stale file must not kill whatever reused the pid
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    kill "$pid"
    local i
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) did not stop within 30 s"
    echo "docker-engine: dockerd (pid $pid) stopped" >&2
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if answers; then echo "docker-engine: running"; else echo "docker-engine: not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
