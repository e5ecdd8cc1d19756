#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# perfanity bench: download the pinned wheelhouse (examples/wheelhouse.txt) so the bench
# itself never touches the network. In a source checkout (run by scripts/setup.sh) it goes
# to .cache/wheelhouse with the pinned pip of .venv; from an installed copy
# (PREFIX/share/perfanity/scripts/setup.d/) to the user's cache, where an installed
# perfanity looks: $PERFANITY_CACHE, $XDG_CACHE_HOME/perfanity or ~/.cache/perfanity.
# Idempotent: a stamp holding the pin file's hash makes a re-run a no-op.
set -euo pipefail
cd "$(dirname "$0")/../.."
pins=examples/wheelhouse.txt
if [ -f Makefile ]; then
  dest=.cache/wheelhouse
  pip=(.venv/bin/pip)
else
  xdg=${XDG_CACHE_HOME:-}
  [ "${xdg:0:1}" = / ] || xdg=$HOME/.cache
  dest=${PERFANITY_CACHE:-$xdg/perfanity}/wheelhouse
  pip=(/usr/bin/python3 -m pip)
  /usr/bin/python3 -m pip --version >/dev/null 2>&1 ||
    { echo "setup: pip is missing: install it (e.g. sudo apt-get install python3-pip)" >&2; exit 1; }
fi
stamp="$dest/.pins.sha256"
want=$(sha256sum "$pins" | cut -d' ' -f1)
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0
echo "setup: downloading the bench wheelhouse ($pins) into $dest" >&2
mkdir -p "$dest"
# --no-deps: the pin file is the full closure, so the set is exactly what it lists.
"${pip[@]}" download -q --disable-pip-version-check --only-binary=:all: --no-deps \
  --python-version 3.11 --implementation cp -r "$pins" -d "$dest"
echo "$want" > "$stamp"
