#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# perfanity's local package index, in a network namespace of its own, behind a
# network profile. Root only (namespaces, veth, tc). See docs/bench.md,
# "Installers through a local index".
#
#   local-index.sh start [--profile NAME] [--dir DIR]   start it (or, if it runs on DIR,
#                                                        apply the profile); prints the URL
#   local-index.sh profile NAME                          change the running index's profile
#   local-index.sh status                                what runs, with the profile's
#                                                        figures (exit 3 if stopped)
#   local-index.sh stop                                  stop it, remove the namespace and
#                                                        the veth (a no-op if nothing runs)
#
# DIR: wheels and sdists (default .cache/wheelhouse). The server is
# scripts/local_index.py (stdlib http.server; why, in its docstring) run with
# /usr/bin/python3 inside namespace NS, listening only on the namespace's address.
#
# Network: namespace pf-index, veth pair pf-index-h (host, 10.213.9.1/30) and
# pf-index-n (namespace, 10.213.9.2/30); the index is http://10.213.9.2:8503/simple/.
# Environment (tests use their own, so that they never meet a running index):
#   PF_INDEX_NETNS   namespace name, at most 13 characters; the veths are NAME-h, NAME-n
#   PF_INDEX_SUBNET  the /30's first three octets (default 10.213.9): host .1, namespace .2
#   PF_INDEX_PORT    port (default 8503)
#   PF_INDEX_STATE   state directory (default .cache/local-index): `state` (url=, pid=,
#                    netns=, dir=, profile=, shell-readable), `delay_ms`, `server.log`
#
# Profiles (bandwidth with tc tbf: the download direction, server to client, on the
# namespace side's egress, the upload on the host side's; latency added by the server
# before each response, since this kernel has no netem):
#   name  down       up         added per response
#   lan   1 Gbit/s   1 Gbit/s   1 ms
#   dsl   16 Mbit/s  1 Mbit/s   25 ms
#   bad   512 kbit/s 128 kbit/s 200 ms
#   none  unshaped   unshaped   0 ms   (the veth's own speed, several Gbit/s)
set -euo pipefail
caller=$PWD # relative --dir and PF_INDEX_STATE are the caller's
cd "$(dirname "$0")/.."
repo=$PWD

die() { echo "local index: $*" >&2; exit 1; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$caller/$1" ;; esac; }

NS=${PF_INDEX_NETNS:-pf-index}
SUBNET=${PF_INDEX_SUBNET:-10.213.9}
PORT=${PF_INDEX_PORT:-8503}
STATE_DIR=$(abspath "${PF_INDEX_STATE:-$repo/.cache/local-index}")
HV=$NS-h
NV=$NS-n
HOST_IP=$SUBNET.1
NS_IP=$SUBNET.2
URL=http://$NS_IP:$PORT/simple/
STATE=$STATE_DIR/state

[ ${#NS} -le 13 ] || die "PF_INDEX_NETNS=$NS: at most 13 characters (veth names are NAME-h, NAME-n)"
[[ $SUBNET =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "PF_INDEX_SUBNET=$SUBNET: want three octets, e.g. 10.213.9"
[[ $PORT =~ ^[0-9]+$ ]] || die "PF_INDEX_PORT=$PORT: not a port number"

# One start, stop or profile change at a time.
lock() {
  mkdir -p "$STATE_DIR" || die "cannot create $STATE_DIR"
  exec 9>"$STATE_DIR/lock"
  flock 9
}

# profile NAME -> "down up delay_ms" (rates in tc's units; "-" is unshaped)
profile_figures() {
  case $1 in
    lan) echo "1gbit 1gbit 1" ;;
    dsl) echo "16mbit 1mbit 25" ;;
    bad) echo "512kbit 128kbit 200" ;;
    none) echo "- - 0" ;;
    *) return 1 ;;
  esac
}

# tbf on DEV (in namespace $2 or the host if empty) at RATE, or no qdisc for "-".
# burst: at least a rate's worth of 4 ms (one timer tick at HZ=250) and 16 kB;
# latency: how long a packet may wait in the queue before tbf drops it.
shape() {
  local dev=$1 ns=$2 rate=$3 run=()
  [ -n "$ns" ] && run=(ip netns exec "$ns")
  if [ "$rate" = - ]; then
    "${run[@]}" tc qdisc del dev "$dev" root 2>/dev/null || true
    return 0
  fi
  local burst=16kb
  case $rate in
    1gbit) burst=512kb ;;
    16mbit) burst=32kb ;;
  esac
  local err
  err=$("${run[@]}" tc qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency 400ms 2>&1) ||
    die "cannot shape $dev at $rate with tc tbf: $(echo "$err" | head -n1)"
}

read_state() {
  url= pid= netns= dir= profile=
  [ -f "$STATE" ] || return 1
  local k v
  while IFS='=' read -r k v; do
    case $k in url | pid | netns | dir | profile) printf -v "$k" '%s' "$v" ;; esac
  done <"$STATE"
  [ "$netns" = "$NS" ] || die "$STATE is the state of the index in namespace $netns, not $NS: set PF_INDEX_STATE apart"
}

# whether PID is our server (alive, running local_index.py): a pid may be reused
is_server() {
  [ -n "${1:-}" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'local_index\.py'
}

ns_exists() { ip netns list | awk -v ns="$NS" '$1 == ns { found = 1 } END { exit !found }'; }

running() { read_state && is_server "$pid" && ns_exists && ip link show "$HV" >/dev/null 2>&1; }

apply_profile() {
  local name=$1 figs down up delay
  figs=$(profile_figures "$name") || die "unknown profile '$name' (lan, dsl, bad, none)"
  read -r down up delay <<<"$figs"
  shape "$NV" "$NS" "$down"
  shape "$HV" "" "$up"
  echo "$delay" >"$STATE_DIR/delay_ms.tmp" && mv "$STATE_DIR/delay_ms.tmp" "$STATE_DIR/delay_ms"
  sed -i "s/^profile=.*/profile=$name/" "$STATE"
}

describe() {
  local down up delay
  read -r down up delay <<<"$(profile_figures "$1")"
  [ "$down" = - ] && down=unshaped
  [ "$up" = - ] && up=unshaped
  echo "profile $1 (down $down, up $up, +$delay ms per response)"
}

cmd_stop() {
  if read_state && is_server "$pid"; then
    kill "$pid" 2>/dev/null || true
  fi
  if ns_exists; then
    # whatever else runs in our namespace (a server whose state was lost)
    local p
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do
      [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break
      sleep 0.1
    done
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  fi
  if ip link show "$HV" >/dev/null 2>&1; then
    ip link del "$HV" || die "cannot delete veth $HV"
  fi
  if ns_exists; then
    ip netns del "$NS" || die "cannot delete network namespace $NS"
  fi
  rm -f "$STATE" "$STATE_DIR/delay_ms"
}

cmd_start() {
  local want_profile=lan want_dir=$repo/.cache/wheelhouse given_profile=
  while [ $# -gt 0 ]; do
    case $1 in
      --profile) [ $# -ge 2 ] || die "--profile needs a value"; want_profile=$2 given_profile=1; shift 2 ;;
      --dir) [ $# -ge 2 ] || die "--dir needs a value"; want_dir=$2; shift 2 ;;
      *) die "start: unknown argument '$1'" ;;
    esac
  done
  profile_figures "$want_profile" >/dev/null || die "unknown profile '$want_profile' (lan, dsl, bad, none)"
  [ -d "$(abspath "$want_dir")" ] || die "$want_dir: no such directory (a wheelhouse: run make setup, or give --dir)"
  want_dir=$(realpath "$(abspath "$want_dir")")
  [ "$(id -u)" = 0 ] || die "must run as root (network namespace, veth, tc)"
  lock
  if running; then
    [ "$dir" = "$want_dir" ] || die "already running on $dir: stop it first"
    [ -n "$given_profile" ] && apply_profile "$want_profile"
    echo "$url"
    return 0
  fi
  cmd_stop # leftovers of a server that died
  local used
  used=$(ip -o addr show to "$SUBNET.0/30" | awk '{ print $2 }' | head -n1)
  [ -z "$used" ] || die "$SUBNET.0/30 is in use on $used: choose another PF_INDEX_SUBNET"
  ip netns add "$NS" 2>/dev/null || die "cannot create network namespace $NS (ip netns add failed)"
  ip link add "$HV" type veth peer name "$NV" netns "$NS" 2>/dev/null ||
    { cmd_stop; die "cannot create veth pair $HV/$NV"; }
  { ip addr add "$HOST_IP/30" dev "$HV" && ip link set "$HV" up &&
    ip -n "$NS" addr add "$NS_IP/30" dev "$NV" && ip -n "$NS" link set "$NV" up &&
    ip -n "$NS" link set lo up; } 2>/dev/null ||
    { cmd_stop; die "cannot configure the veth pair $HV/$NV ($HOST_IP, $NS_IP)"; }
  echo 0 >"$STATE_DIR/delay_ms"
  # the server's own session, its output to its log, not the lock: it outlives this script
  ip netns exec "$NS" setsid /usr/bin/python3 scripts/local_index.py --dir "$want_dir" \
    --host "$NS_IP" --port "$PORT" --delay-file "$STATE_DIR/delay_ms" \
    >"$STATE_DIR/server.log" 2>&1 </dev/null 9>&- &
  local spid=$!
  printf 'url=%s\npid=%s\nnetns=%s\ndir=%s\nprofile=%s\n' "$URL" "$spid" "$NS" "$want_dir" none >"$STATE"
  local ok=
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/$NS_IP/$PORT") 2>/dev/null; then ok=1; break; fi
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$ok" ]; then
    local why
    why=$(tail -n1 "$STATE_DIR/server.log" 2>/dev/null || true)
    cmd_stop
    die "the server did not start: ${why:-no output}"
  fi
  apply_profile "$want_profile"
  echo "$URL"
}

cmd_status() {
  if running; then
    echo "running: $url pid $pid netns $netns dir $dir $(describe "$profile")"
  elif [ -n "$pid" ]; then
    echo "stopped: the server (pid $pid) is gone; 'local-index.sh stop' removes what is left"
    exit 3
  else
    echo "stopped"
    exit 3
  fi
}

[ $# -ge 1 ] || die "usage: local-index.sh start|stop|status|profile NAME [--profile NAME] [--dir DIR]"
case $1 in
  start) shift; cmd_start "$@" ;;
  stop)
    [ $# -eq 1 ] || die "stop takes no argument"
    [ "$(id -u)" = 0 ] || die "must run as root (network namespace, veth, tc)"
    lock
    cmd_stop ;;
  status) [ $# -eq 1 ] || die "status takes no argument"; cmd_status ;;
  profile)
    [ $# -eq 2 ] || die "usage: local-index.sh profile NAME"
    [ "$(id -u)" = 0 ] || die "must run as root (tc)"
    lock
    running || die "not running (start it first)"
    apply_profile "$2"
    cmd_status ;;
  *) die "unknown command '$1' (start, stop, status, profile)" ;;
esac
