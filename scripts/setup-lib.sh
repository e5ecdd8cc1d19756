# SPDX-License-Identifier: GPL-2.0-only
# Shared by scripts/setup.sh and scripts/setup.d/*.sh (sourced): Debian packages
# installed only when missing, with one line saying what and why.

# apt_install WHY PKG...: installs those of PKG not installed yet (root needed).
# Returns 0 when all are there; 1 after one line saying what failed.
apt_install() {
  local why=$1 p missing=()
  shift
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "setup: installing ${missing[*]}${why:+ ($why)}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || { echo "setup: apt-get update failed" >&2; return 1; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "setup: apt-get install ${missing[*]} failed" >&2; return 1; }
}
