#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# perfanity bench's own overhead per measured command, against hyperfine timing the same
# command in the same run (target: <= 5 ms added). Also reports the harness's untimed
# bookkeeping per repetition (wall of the whole bench run / repetitions - median).
#   PERFANITY=build/perfanity RUNS=100 ROUNDS=3 bash bench/bench_harness.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PERFANITY=${PERFANITY:-build/perfanity}
RUNS=${RUNS:-100}
ROUNDS=${ROUNDS:-3}
command -v hyperfine >/dev/null || { echo "bench_harness: hyperfine missing (make setup)" >&2; exit 1; }
[ -x "$PERFANITY" ] || { echo "bench_harness: $PERFANITY not built (make all)" >&2; exit 1; }
# perfanity bench does not pass PEX_*, PIP_*, PYTHON* to measured commands: give
# hyperfine the same environment so both time the same thing.
for v in $(compgen -e | grep -E '^(PEX_|PIP_|PYTHON)' || true); do unset "$v"; done
work=$(mktemp -d /tmp/perfanity-harness-XXXXXX)
trap 'rm -rf "$work"' EXIT

measure() { # name, command
  local name=$1 cmd=$2 dir="$work/$1"
  mkdir -p "$dir"
  cat > "$dir/perfanity.toml" <<TOML
preset = "none"
target = "$name"
steps = ["noop"]
repetitions = $RUNS
warmup = 5
[goals]
run = "$cmd"
TOML
  # Alternate the two tools (ROUNDS times) so a load change on the machine hits both.
  local r t0 t1 wall=0
  for r in $(seq 1 "$ROUNDS"); do
    hyperfine -N --style none --warmup 5 --runs "$RUNS" --export-json "$dir/h$r.json" "$cmd" >/dev/null 2>&1
    t0=$(date +%s.%N)
    "$PERFANITY" bench -q "$dir" --json "$dir/p$r.json" >/dev/null
    t1=$(date +%s.%N)
    wall=$(awk "BEGIN { print $wall + $t1 - $t0 }")
  done
  /usr/bin/python3 - "$name" "$cmd" "$dir" "$wall" "$RUNS" "$ROUNDS" <<'PY'
import json, statistics, sys
name, cmd, d, wall, runs, rounds = sys.argv[1:]
runs, rounds = int(runs), int(rounds)
h = [statistics.median(json.load(open(f"{d}/h{r}.json"))["results"][0]["times"]) for r in range(1, rounds + 1)]
p = [json.load(open(f"{d}/p{r}.json"))["configs"][0]["cells"][0]["median"] for r in range(1, rounds + 1)]
hm, pm = statistics.median(h), statistics.median(p)
per_rep = float(wall) / rounds / (runs + 5)
print(f"{name:<10} {cmd:<28} {hm*1000:9.2f} {pm*1000:10.2f} {(pm-hm)*1000:+9.2f} {(per_rep-pm)*1000:12.2f}")
PY
}

echo "medians of $ROUNDS alternating rounds of $RUNS runs (after 5 warmup runs); milliseconds"
printf '%-10s %-28s %9s %10s %9s %12s\n' name command hyperfine perfanity added bookkeeping
measure true /bin/true
measure python-S "/usr/bin/python3 -S -c pass"
measure python "/usr/bin/python3 -c pass"
echo "added = perfanity median - hyperfine median (inside the timed region);"
echo "bookkeeping = untimed harness work per repetition (temp dir, JSON, progress)"
