#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: the main job on the built-in example.
#  1. perfanity bench: the six execution_mode x layout configurations of the
#     built-in example through clean / noop / incremental x package / run / test,
#     every command traced (--explain) so each cell says why it costs what it does.
#  2. perfanity trace + report: a zipapp PEX run cold and warm, and why they differ.
#  3. With Pants (set-up installs it when a CPython 3.9 exists): the seed's table from real
#     Pants runs (two configurations, pantsd on and off, one repetition, to keep the demo
#     short), and a `pants package` traced through a warm pantsd, explained by report.
# Set DEMO_REPS=3 for medians of three (the default, one repetition, takes ~5 min).
set -euo pipefail
cd "$(dirname "$0")/.."
P=build/perfanity
PY=/usr/bin/python3     # Debian's (any CPython 3.8-3.13 has its imports timed)
out=${DEMO_OUT:-build/demo}
rm -rf "$out" && mkdir -p "$out"

echo "== perfanity bench --explain (built-in example, interpreter $PY)" >&2
$P bench -r "${DEMO_REPS:-1}" --explain --json "$out/bench.json" --markdown "$out/bench.md"

echo >&2
echo "== perfanity trace: a zipapp PEX of the example, cold and warm PEX_ROOT" >&2
.venv/bin/python -m pex --no-pypi -f .cache/wheelhouse -r examples/simple/requirements.txt \
	-D examples/simple/src -e simple.bin:main -o "$out/simple.pex"
PEX_ROOT="$out/pex_root" $P trace -o "$out/run-cold.json" -- "$PY" "$out/simple.pex"
PEX_ROOT="$out/pex_root" $P trace -o "$out/run-warm.json" -- "$PY" "$out/simple.pex"
echo "== perfanity report: why the cold run differs from the warm one" >&2
$P report --label warm --label cold "$out/run-warm.json" "$out/run-cold.json"

PANTS=.venv-pants/bin/pants
if [ ! -x "$PANTS" ] || [ ! -f .cache/pants/offline.toml ]; then
	echo "== Pants: not installed (set-up found no CPython 3.9): its part of the demo is skipped" >&2
	echo "results in $out/ (bench.json, bench.md, run-*.json)" >&2
	exit 0
fi
echo >&2
echo "== perfanity bench, Pants preset: two configurations of examples/pants, pantsd on and off, -r 1" >&2
echo "   (the full table, six configurations x pantsd: perfanity bench examples/pants)" >&2
mkdir -p "$out/pants-matrix"
sed -e "s|^project = \"..\".*|project = \"$PWD/examples\"|" \
    -e 's|^execution_mode = .*|execution_mode = ["venv"]|' -e 's|^layout = .*|layout = ["packed"]|' \
    examples/pants/perfanity.toml > "$out/pants-matrix/perfanity.toml"
$P bench "$out/pants-matrix" -r 1 --json "$out/pants-bench.json" --markdown "$out/pants-bench.md"

echo >&2
echo "== perfanity trace -- pants package, with pantsd already warm: the work pantsd does is traced" >&2
abs_out=$(realpath "$out")
abs_p=$(realpath "$P")
root="$abs_out/pants-root"
cp -r examples "$root"
caches="$abs_out/pants-caches"
mkdir -p "$caches/sandboxes"
pants=("$PWD/$PANTS" "--pants-config-files=['pants.toml', '$PWD/.cache/pants/offline.toml']"
	"--local-store-dir=$caches/lmdb" "--named-caches-dir=$caches/named"
	"--local-execution-root-dir=$caches/sandboxes" --pantsd)
(cd "$root" && "${pants[@]}" list :: >/dev/null)
(cd "$root" && "$abs_p" trace -q -o "$abs_out/pants-warm.json" -- "${pants[@]}" \
	package simple:bin@execution_mode=zipapp,layout=zipapp)
for f in "$root"/.pids/*/pantsd/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
$P report "$out/pants-warm.json"
echo "results in $out/ (bench.json, bench.md, run-*.json, pants-bench.json, pants-warm.json)" >&2
