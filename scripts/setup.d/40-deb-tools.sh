#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make deb` and its test: the Debian packaging tools (debhelper for dpkg-buildpackage,
# lintian to check the result, man-db for `man -l`) and bash-completion (its helpers load
# the completion script the install test runs), and iproute2 (ip, tc and ss for the local
# package index, scripts/local-index.sh, and its test). Idempotent: installs only what is missing
# and says nothing when all is there.
set -euo pipefail
# shellcheck source=scripts/setup-lib.sh
. "$(dirname "$0")/../setup-lib.sh"
apt_install "Debian packaging, the local index" debhelper lintian man-db bash-completion fakeroot iproute2
