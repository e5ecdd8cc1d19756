#!/usr/bin/env bash
# The installers preset's driver (perfanity.toml beside it; docs/bench.md, "The installers
# preset"). One installer, one requirement set, one network profile:
#
#   install.sh prepare ROOT OUT CACHE INSTALLER SET PROFILE   untimed, before each repetition
#   install.sh install ROOT OUT CACHE INSTALLER SET PROFILE   the timed goal
#
# ROOT is perfanity's tree ({root}: scripts/local-index.sh, .installers/ from set-up),
# OUT the configuration's output directory ({out}: the target venv, removed by the clean
# step), CACHE its build cache ({build_cache}: removed by the clean step, and emptied
# before every repetition of a cold installer). A warm installer's cache is OUT/../warm:
# kept across steps, filled once by prepare (untimed), so every step finds it warm.
#
# prepare: starts the local index on ROOT/.installers/index (or applies PROFILE to the
# one running there), writes the requirements (sets/SET.txt, with its "# bump:" line
# applied after an odd number of incremental edits of bump.txt: each incremental
# repetition changes that one requirement's version), makes the target venv when it is
# missing (a fresh one after the clean step; pex makes its own) and warms warm caches.
# install: the installer alone, pointed at the index only. When it fails, the last line
# on stderr is "fails: INSTALLER: REASON", which the bench table shows.
set -uo pipefail

[ $# -eq 7 ] || { echo "usage: install.sh prepare|install ROOT OUT CACHE INSTALLER SET PROFILE" >&2; exit 2; }
action=$1 root=$2 out=$3 cache=$4 installer=$5 set=$6 profile=${7%%_*}
project=$PWD
tools=$root/.installers
venv=$out/venv
warm=$(dirname "$out")/warm
reqs=$out/requirements.txt
log=$out/installer.log
py3=/usr/bin/python3

fail() { echo "fails: $installer: $*" >&2; exit 1; }

# Only the local index: none of the machine's or user's pip/uv configuration.
for v in $(compgen -e); do
  case $v in PIP_* | UV_* | PEX_PYTHON* | PYTHONPATH) unset "$v" ;; esac
done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_PYTHON_VERSION_WARNING=1

case $installer in
  pip-accel | curdling) python=$tools/py27/bin/python ;;
  *) python=$py3 ;;
esac
case $installer in
  pip-cold | uv-cold | pex-cold | curdling-cold | pip-accel-cold) kind=cold ;;
  pip-warm | uv-warm | pex-warm | pip-wheelhouse | pip-accel | curdling) kind=warm ;;
  *) echo "install.sh: unknown installer '$installer'" >&2; exit 2 ;;
esac
cachedir=$cache
[ "$kind" = warm ] && cachedir=$warm

# its own state directory (unless given, as the tests do): never the index another use
# of local-index.sh started
export PF_INDEX_STATE=${PF_INDEX_STATE:-$tools/index-state}
index_url() {
  local url
  url=$(bash "$root/scripts/local-index.sh" start --profile "$profile" --dir "$tools/index" 2>&1) ||
    fail "the local index: $url"
  echo "$url"
}

write_requirements() {
  local bump edits
  bump=$(sed -n 's/^# bump: *//p' "$project/sets/$set.txt")
  edits=$(grep -c 'incremental edit' "$project/bump.txt" 2>/dev/null)
  if [ -n "$bump" ] && [ $((${edits:-0} % 2)) = 1 ]; then
    grep -v "^${bump%%==*}==" "$project/sets/$set.txt" >"$reqs"
    echo "$bump" >>"$reqs"
  else
    cp "$project/sets/$set.txt" "$reqs"
  fi
}

make_venv() {
  [ -x "$venv/bin/python" ] && return 0
  case $installer in
    pex-*) return 0 ;; # pex3 venv create makes it
    pip-accel | curdling)
      [ -x "$tools/py27/bin/python" ] || fail "no Python 2.7 tools (.installers/py27): set-up found no CPython 2.7"
      "$tools/py3/bin/virtualenv" -q -p "$(readlink -f "$tools/py27/bin/python")" "$venv" >/dev/null ||
        fail "virtualenv could not make a Python 2.7 venv" ;;
    *) "$py3" -m venv --without-pip "$venv" || fail "python3 -m venv failed" ;;
  esac
}

# The installer's command for the current requirements, into the venv.
run_installer() {
  local url=$1 host
  host=${url#http://}
  host=${host%%[:/]*}
  local pip=("$tools/py3/bin/pip" --python "$venv/bin/python" install -q --index-url "$url" --trusted-host "$host")
  local uv=("$root/.venv/bin/uv" pip install -q --no-config --python "$venv/bin/python" --index-url "$url")
  local pex=("$root/.venv/bin/pex3" venv create --force -d "$venv" --python "$py3" --pip-version vendored
    --no-pypi --index-url "$url" --pex-root "$cachedir/pex-root" -r "$reqs")
  case $installer in
    pip-cold) "${pip[@]}" --no-cache-dir -r "$reqs" ;;
    pip-warm) "${pip[@]}" --cache-dir "$cachedir/pip" -r "$reqs" ;;
    pip-wheelhouse)
      "$tools/py3/bin/pip" wheel -q --no-cache-dir --index-url "$url" --trusted-host "$host" \
        --find-links "$cachedir/wheelhouse" -w "$cachedir/wheelhouse" -r "$reqs" &&
        "$tools/py3/bin/pip" --python "$venv/bin/python" install -q --no-index \
          --find-links "$cachedir/wheelhouse" -r "$reqs" ;;
    uv-cold) "${uv[@]}" --no-cache -r "$reqs" ;;
    uv-warm) "${uv[@]}" --cache-dir "$cachedir/uv" -r "$reqs" ;;
    pex-cold | pex-warm) "${pex[@]}" ;;
    # both install into the interpreter that runs them: the target venv's, with the
    # tool (and pip-accel's pip 7.1.2) from .installers/py27 on its path
    pip-accel)
      PYTHONPATH=$(echo "$tools"/py27/lib/python2.7/site-packages) PIP_ACCEL_CACHE=$cachedir/pip-accel \
        "$venv/bin/python" "$tools/py27/bin/pip-accel" install -q --index-url "$url" --trusted-host "$host" \
        -r "$reqs" ;;
    curdling)
      PYTHONPATH=$(echo "$tools"/py27/lib/python2.7/site-packages) HOME=$cachedir/curdling \
        "$venv/bin/python" "$tools/py27/bin/curd" install -i "$url" -r "$reqs" ;;
  esac
}

# The tool's most telling line for the table: its last error, else its last line.
reason() {
  local why
  why=$(grep -E 'Error|error:|No matching|not found|Exception|[Ff]ailed|cannot|Could not' "$log" | tail -n1)
  [ -n "$why" ] || why=$(grep -v '^[[:space:]]*$' "$log" | tail -n1)
  echo "${why:-exit status $1, no output}" | sed 's/^[[:space:]]*//' | cut -c1-200
}

install() {
  local url=$1 rc
  run_installer "$url" >"$log" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    tail -n 20 "$log" >&2
    fail "$(reason $rc)"
  fi
}

case $action in
  prepare)
    url=$(index_url) || exit 1
    mkdir -p "$out"
    echo "$url" >"$out/index_url"
    write_requirements
    [ "$kind" = cold ] && rm -rf "$cache"
    mkdir -p "$cachedir"
    if [ "$kind" = warm ] && [ ! -e "$cachedir/.warm" ]; then
      # an install into a scratch venv, from which only the cache is kept
      (venv=$out/warmup-venv make_venv && venv=$out/warmup-venv install "$url") || exit 1
      rm -rf "$out/warmup-venv"
      touch "$cachedir/.warm"
    fi
    make_venv ;;
  install)
    [ -f "$reqs" ] || fail "no $reqs: prepare did not run"
    install "$(cat "$out/index_url")" ;;
  *) echo "install.sh: unknown action '$action'" >&2; exit 2 ;;
esac
