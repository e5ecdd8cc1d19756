#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Pants for the Pants preset (examples/pants) and `perfanity trace -- pants ...`:
#  - .venv-pants: pantsbuild.pants from requirements-pants.txt, on a CPython 3.9 found on PATH
#    or among pyenv's versions (Pants 2.17 runs on 3.9 only);
#  - .cache/pants/pex-<version>.pex: the pex tool Pants runs, built from PyPI (Pants would
#    download it from GitHub);
#  - .cache/pants/offline.toml: the options that make Pants use it and resolve only from the
#    bench wheelhouse, with absolute paths (passed with --pants-config-files by the preset).
# Without a Python 3.9 it says so in one line and exits 0: everything else still works.
# Idempotent: stamps hold the hashes of the pin files.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=.venv-pants
cache=.cache/pants
mkdir -p "$cache"

find_python39() {
  local c
  for c in "${PERFANITY_PYTHON39:-}" python3.9 "$HOME"/.pyenv/versions/3.9*/bin/python3.9 \
           /root/.pyenv/versions/3.9*/bin/python3.9 /usr/local/bin/python3.9 /usr/bin/python3.9; do
    [ -n "$c" ] || continue
    c=$(command -v "$c" 2>/dev/null) || continue
    # pyenv's shim answers even when 3.9 is not selected: ask the interpreter itself
    if "$c" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 9))' 2>/dev/null; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

want=$(cat requirements-pants.txt requirements-pex-cli.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$cache/.stamp" 2>/dev/null)" = "$want" ] && [ -x "$venv/bin/pants" ]; then
  exit 0
fi
if ! py39=$(find_python39); then
  echo "setup: no CPython 3.9 found (PATH, pyenv): the Pants preset is unavailable (Pants 2.17 runs on 3.9 only); set PERFANITY_PYTHON39=/path/to/python3.9 to use one" >&2
  rm -f "$cache/.stamp"
  exit 0
fi
echo "setup: installing Pants (requirements-pants.txt) into $venv on $py39" >&2
rm -rf "$venv"
"$py39" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r requirements-pants.txt

pex_version=$(sed -n 's/^pex==//p' requirements-pex-cli.txt)
pex_file="$root/$cache/pex-$pex_version.pex"
echo "setup: building Pants' pex tool $pex_file from PyPI" >&2
# Built by that pex itself, keeping PEX_* variables (--no-strip-pex-env): a newer pex's
# runtime leaves PEX_PYTHON set for the PEXes it runs, and a stripped one ignores the
# PEX_ROOT Pants gives it (named caches) and fills ~/.pex instead.
rm -rf "$cache/pex-cli-venv" "$pex_file"
/usr/bin/python3 -m venv "$cache/pex-cli-venv"
"$cache/pex-cli-venv/bin/pip" install -q --disable-pip-version-check -r requirements-pex-cli.txt
PEX_ROOT="$root/$cache/pex-cli-build-root" "$cache/pex-cli-venv/bin/pex" -r requirements-pex-cli.txt -c pex \
  --python-shebang "/usr/bin/env python3" --no-strip-pex-env -o "$pex_file"
rm -rf "$cache/pex-cli-venv" "$cache/pex-cli-build-root"
sha=$(sha256sum "$pex_file" | cut -d' ' -f1)
size=$(stat -c %s "$pex_file")
cat > "$cache/offline.toml" <<TOML
# Written by scripts/setup.d/60-pants.sh: Pants offline on this machine.
[pex-cli]
version = "v$pex_version"
known_versions = ["v$pex_version|linux_x86_64|$sha|$size"]
url_template = "file://$pex_file"

[python-repos]
indexes = []
find_links = ["file://$root/.cache/wheelhouse"]
TOML
echo "$want" > "$cache/.stamp"
