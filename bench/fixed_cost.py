#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""perfanity trace's fixed cost on short Python commands: whole-process wall
traced minus untraced, medians of N interleaved runs (untraced, then each
perfanity binary given, round after round, so drift hits all alike).

  bench/fixed_cost.py [--runs N] [--also OPTION] PERFANITY [PERFANITY...]

--also OPTION (repeatable, e.g. --also=--sample) adds, for each PERFANITY, a
row traced with that option too: what the option adds to the fixed cost.

Give the build before a change and after it to compare them on the same
machine at the same time."""
import argparse
import statistics
import subprocess
import time

COMMANDS = [("python3 -c pass", ["/usr/bin/python3", "-c", "pass"]),
            ("python3 -c 'import json, email, http.client, zipfile'",
             ["/usr/bin/python3", "-c", "import json, email, http.client, zipfile"])]


def wall(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--also", action="append", default=[], metavar="OPTION")
    ap.add_argument("perfanity", nargs="+")
    a = ap.parse_args()
    variants = [(p, opt) for p in a.perfanity for opt in [None] + a.also]
    for title, cmd in COMMANDS:
        runs = {"untraced": []}
        runs.update({v: [] for v in variants})
        for _ in range(a.runs):
            runs["untraced"].append(wall(cmd))
            for p, opt in variants:
                runs[(p, opt)].append(wall([p, "trace", "-q", "-o", "/dev/null"] + ([opt] if opt else []) +
                                           ["--"] + cmd))
        base = statistics.median(runs["untraced"])
        print(f"{title}: untraced {base * 1e3:.1f} ms (median of {a.runs})")
        for p, opt in variants:
            m = statistics.median(runs[(p, opt)])
            print(f"  {p}{' ' + opt if opt else ''}: traced {m * 1e3:.1f} ms, fixed cost {(m - base) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
