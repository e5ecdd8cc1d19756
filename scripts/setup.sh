#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Idempotent set-up for a fresh Debian machine (run as root): Debian packages the
# build and tests need, then the pinned Python tools (requirements.txt) in ./.venv.
# Re-running it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(
  make gcc clang llvm bpftool pkg-config
  libbpf-dev libelf-dev libdw-dev libseccomp-dev zlib1g-dev libjansson-dev libcmocka-dev
  python3 python3-venv python3-pytest python3-pip
  strace hyperfine clang-format
  libclang-rt-14-dev  # clang's libFuzzer and sanitizer runtimes: make fuzz
)

die() { echo "setup: $*" >&2; exit 1; }

# shellcheck source=scripts/setup-lib.sh
. scripts/setup-lib.sh
apt_install "" "${DEBS[@]}" || exit 1

# Debian's interpreter on purpose: it carries CPython's USDT probes, and the
# pyenv interpreter first on PATH does not.
PY=/usr/bin/python3
VENV=.venv
stamp="$VENV/.requirements.sha256"
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating $VENV with pinned tools from requirements.txt" >&2
  "$PY" -m venv "$VENV" || die "python3 -m venv failed"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt || die "pip install -r requirements.txt failed"
  echo "$want" > "$stamp"
fi

# Extra set-up steps of subcommands (e.g. the bench's wheelhouse) live in their own scripts.
for s in scripts/setup.d/*.sh; do
  [ -e "$s" ] || continue
  bash "$s" || die "$s failed"
done
exit 0
