#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# perfanity overhead benchmark (`make bench`): builds the workloads and the
# pf_timeit helper, then bench/overhead.py prints the table. Needs root.
# BENCH_RUNS=N sets the runs per cell (default 5, at least 5).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -x "$BUILD/perfanity" ] || { echo "bench: $BUILD/perfanity not built (run make all)" >&2; exit 1; }
make -s workloads
mkdir -p "$BUILD/bench"
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$BUILD/bench/pf_timeit" bench/pf_timeit.c
# Higher priority than the machine's other work (when allowed), so that other
# load disturbs the timings less; every tracer and the untraced runs inherit it.
nice=()
if nice -n -10 true 2>/dev/null; then nice=(nice -n -10); fi
exec "${nice[@]}" /usr/bin/python3 bench/overhead.py --perfanity "$BUILD/perfanity" \
  --workloads "$BUILD/workloads" --timeit "$BUILD/bench/pf_timeit" --workdir "$BUILD/bench" "$@"
