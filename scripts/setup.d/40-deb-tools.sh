#!/usr/bin/env bash
# `make deb` and its test: the Debian packaging tools (debhelper for dpkg-buildpackage,
# lintian to check the result, man-db for `man -l`) and bash-completion (its helpers load
# the completion script the install test runs), and iproute2 (ip, tc and ss for the local
# package index, scripts/local-index.sh, and its test). Idempotent: installs only what is missing
# and says nothing when all is there.
set -euo pipefail
DEBS=(debhelper lintian man-db bash-completion fakeroot iproute2)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup: missing Debian packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "setup: installing ${missing[*]} (Debian packaging, the local index)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
