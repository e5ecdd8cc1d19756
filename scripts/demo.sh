#!/usr/bin/env bash
# `make demo`: the main job on the built-in example. Traces a pex build and a
# cold and a warm run of the PEX, then explains the difference between the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
P=build/perfanity
PY=/usr/bin/python3     # Debian's: it has CPython's USDT probes
out=${DEMO_OUT:-build/demo}
rm -rf "$out" && mkdir -p "$out/src/hello"
cat > "$out/src/hello/__init__.py" <<'PY'
import json, zipfile
def main():
    print("hello from a pex:", json.dumps({"zip": zipfile.__name__}))
PY

echo "== perfanity trace: pex build (.venv/bin/python -> $(readlink -f .venv/bin/python))" >&2
$P trace -o "$out/package.json" -- .venv/bin/python -m pex -D "$out/src" -e hello:main \
	-o "$out/hello.pex" --python "$PY"
echo "== perfanity trace: cold run (empty PEX_ROOT)" >&2
PEX_ROOT="$out/pex_root" $P trace -o "$out/run-cold.json" -- "$PY" "$out/hello.pex"
echo "== perfanity trace: warm run" >&2
PEX_ROOT="$out/pex_root" $P trace -o "$out/run-warm.json" -- "$PY" "$out/hello.pex"
if $P report --help >/dev/null 2>&1; then
	echo "== perfanity report: warm vs cold" >&2
	$P report "$out/run-warm.json" "$out/run-cold.json"
fi
echo "traces in $out/" >&2
