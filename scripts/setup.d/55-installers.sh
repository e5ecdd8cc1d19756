#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The installers preset (examples/installers, docs/bench.md "The installers preset"):
#  - .installers/py3: pip, virtualenv, setuptools and wheel of requirements-installers.txt on
#    Debian's /usr/bin/python3;
#  - .installers/py27: pip-accel and curdling (requirements-installers-py27.txt) in a
#    virtualenv on pyenv's CPython 2.7 (PERFANITY_PYTHON27 names another);
#  - .installers/index: what the local index serves to them: the synthetic wheels, the
#    pfcext sdists (examples/installers/pfcext at 1.0 and 1.1) and the files of
#    examples/installers/index.txt, downloaded from PyPI.
# Without a Python 2.7 it says so in one line: pip-accel's and curdling's rows then say
# why they fail. Idempotent: two stamps hold the hashes of the inputs of each part.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=.installers
ex=examples/installers
# two stamps: the tools (their pins) and the index (what it serves), each rebuilt alone
tools_want=$(cat requirements-installers.txt requirements-installers-py27.txt | sha256sum | cut -d' ' -f1)
index_want=$(cat "$ex/index.txt" "$ex"/pfcext/* scripts/bench_fixture.py | sha256sum | cut -d' ' -f1)
tools_ok=$([ "$(cat "$dir/.tools-stamp" 2>/dev/null)" = "$tools_want" ] && [ -x "$dir/py3/bin/pip" ] && echo 1 || true)
index_ok=$([ "$(cat "$dir/.index-stamp" 2>/dev/null)" = "$index_want" ] && echo 1 || true)
[ -n "$tools_ok" ] && [ -n "$index_ok" ] && exit 0
mkdir -p "$dir"
# the index is ours alone: none of the machine's pip configuration (find-links, mirrors)
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_NO_INDEX
pip_q=(-q --disable-pip-version-check)

find_python27() {
  local c
  for c in "${PERFANITY_PYTHON27:-}" "$HOME"/.pyenv/versions/2.7*/bin/python2.7 /usr/bin/python2.7; do
    [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (2, 7))' 2>/dev/null &&
      { echo "$c"; return 0; }
  done
  return 1
}

if [ -z "$tools_ok" ]; then
  echo "setup: installers preset: tools in $dir/py3 and $dir/py27" >&2
  rm -rf "$dir/py3" "$dir/py27"
  /usr/bin/python3 -m venv "$dir/py3"
  "$dir/py3/bin/pip" install "${pip_q[@]}" -r requirements-installers.txt
  if py27=$(find_python27); then
    "$dir/py3/bin/virtualenv" -q -p "$py27" "$dir/py27"
    "$dir/py27/bin/pip" install "${pip_q[@]}" --no-python-version-warning -r requirements-installers-py27.txt
  else
    echo "setup: no CPython 2.7 (pyenv's, /usr/bin/python2.7 or PERFANITY_PYTHON27): pip-accel and curdling will say they cannot run" >&2
  fi
  echo "$tools_want" > "$dir/.tools-stamp"
fi
[ -n "$index_ok" ] && exit 0
echo "setup: installers preset: its index in $dir/index (examples/installers/index.txt, from PyPI)" >&2
idx=$dir/index.new
rm -rf "$idx" "$dir/build"
mkdir -p "$idx"
/usr/bin/python3 scripts/bench_fixture.py wheels "$idx" --deps 20 --dep-size 64
rm -f "$idx/requirements.txt"
for v in 1.0 1.1; do
  rm -rf "$dir/build" && cp -r "$ex/pfcext" "$dir/build"
  echo "$v" >"$dir/build/VERSION"
  (cd "$dir/build" && ../py3/bin/python setup.py -q sdist -d ../index.new >/dev/null 2>&1) ||
    { echo "setup: cannot build the pfcext $v sdist" >&2; exit 1; }
done
rm -rf "$dir/build"
while read -r kind req; do
  case $kind in
    wheel) "$dir/py3/bin/pip" download "${pip_q[@]}" --no-deps --only-binary=:all: --python-version 3.11 -d "$idx" "$req" ;;
    sdist) "$dir/py3/bin/pip" download "${pip_q[@]}" --no-deps --no-binary=:all: --no-build-isolation -d "$idx" "$req" ;;
    '' | '#'*) ;;
    *) echo "setup: $ex/index.txt: unknown kind '$kind'" >&2; exit 1 ;;
  esac
done < "$ex/index.txt"
rm -rf "$dir/index.old"
[ -d "$dir/index" ] && mv "$dir/index" "$dir/index.old"
mv "$idx" "$dir/index"
rm -rf "$dir/index.old"
echo "$index_want" > "$dir/.index-stamp"
