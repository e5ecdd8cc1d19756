#!/usr/bin/env bash
# perfanity bench: download the pinned wheelhouse (examples/wheelhouse.txt) into
# .cache/wheelhouse so the bench itself never touches the network. Idempotent: a stamp
# holding the pin file's hash makes a re-run a no-op.
set -euo pipefail
cd "$(dirname "$0")/../.."
pins=examples/wheelhouse.txt
dest=.cache/wheelhouse
stamp="$dest/.pins.sha256"
want=$(sha256sum "$pins" | cut -d' ' -f1)
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0
echo "setup: downloading the bench wheelhouse ($pins) into $dest" >&2
mkdir -p "$dest"
# --no-deps: the pin file is the full closure, so the set is exactly what it lists.
.venv/bin/pip download -q --disable-pip-version-check --only-binary=:all: --no-deps \
  --python-version 3.11 --implementation cp -r "$pins" -d "$dest"
echo "$want" > "$stamp"
