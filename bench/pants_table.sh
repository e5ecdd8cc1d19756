#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The seed's table twice, from one run on this machine: through Pants (examples/pants:
# pantsd on, and off for the configurations in PANTSD_OFF) and with the pex preset
# (the built-in example), at REPS repetitions. Results and JSON in build/pants-table/.
#   REPS=3 bash bench/pants_table.sh
# pantsd off costs about 20 s per goal: by default only two configurations run without it.
set -euo pipefail
cd "$(dirname "$0")/.."
P=build/perfanity
reps=${REPS:-3}
off=${PANTSD_OFF:-"venv:packed zipapp:packed"}
out=build/pants-table
rm -rf "$out" && mkdir -p "$out/on" "$out/off"
[ -x .venv-pants/bin/pants ] || { echo "bench: Pants is not installed (make setup needs a CPython 3.9)" >&2; exit 1; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs" >&2

sed -e "s|^project = \"..\".*|project = \"$PWD/examples\"|" -e 's|^pantsd = .*|pantsd = [true]|' \
    examples/pants/perfanity.toml > "$out/on/perfanity.toml"
$P bench "$out/on" -r "$reps" --json "$out/pants-on.json" --markdown "$out/pants-on.md" > "$out/pants-on.txt"

# pantsd off: the listed execution_mode:layout pairs (each an exclude-free matrix of one)
for pair in $off; do
  d="$out/off/${pair/:/-}"
  mkdir -p "$d"
  sed -e "s|^project = \"..\".*|project = \"$PWD/examples\"|" -e 's|^pantsd = .*|pantsd = [false]|' \
      -e "s|^execution_mode = .*|execution_mode = [\"${pair%%:*}\"]|" -e "s|^layout = .*|layout = [\"${pair##*:}\"]|" \
      examples/pants/perfanity.toml > "$d/perfanity.toml"
  $P bench "$d" -r "$reps" --json "$d/result.json" > "$d/table.txt"
done

$P bench -r "$reps" --json "$out/pex.json" --markdown "$out/pex.md" > "$out/pex.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cat "$out/pants-on.txt"
for d in "$out"/off/*/; do tail -n +3 "$d/table.txt" | head -n 1; done
echo
cat "$out/pex.txt"
