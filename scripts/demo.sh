#!/usr/bin/env bash
# `make demo`: the main job on the built-in example.
#  1. perfanity bench: the six execution_mode x layout configurations of the
#     built-in example through clean / noop / incremental x package / run / test,
#     every command traced (--explain) so each cell says why it costs what it does.
#  2. perfanity trace + report: a zipapp PEX run cold and warm, and why they differ.
# Set DEMO_REPS=3 for medians of three (the default, one repetition, takes ~5 min).
set -euo pipefail
cd "$(dirname "$0")/.."
P=build/perfanity
PY=/usr/bin/python3     # Debian's: it has CPython's USDT probes
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
echo "results in $out/ (bench.json, bench.md, run-*.json)" >&2
