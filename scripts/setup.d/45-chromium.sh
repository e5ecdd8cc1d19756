#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `perfanity report --html` is checked by opening the page in a headless browser
# (tests/e2e/test_pictures.py): Debian's chromium. Idempotent. When it cannot be
# installed, it says so in one line and exits 0: perfanity works without it, and that
# test is then skipped with this reason.
set -euo pipefail
# shellcheck source=scripts/setup-lib.sh
. "$(dirname "$0")/../setup-lib.sh"
apt_install "headless browser for the report --html test" chromium ||
  echo "setup: chromium unavailable: the report --html browser test will be skipped" >&2
exit 0
