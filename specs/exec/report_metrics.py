#!/usr/bin/env python3
"""A stand-in for a team's Python workload, for specs/exec_python.yaml.

Sorts `--size` pseudo-random numbers and looks some of them up, then reports
its own figures through bhost's exec line protocol: lines on the descriptor
whose number is in $BHOST_FD (without it, on stdout):

    counter items N          items processed (summed over iterations)
    counter lookups N        lookups made
    gauge   hit_rate X       the share of lookups that found their key
    record  sort NS          this run's sort phase, in its own histogram
    record  lookup NS        each lookup batch's time, several per run
"""
import argparse
import bisect
import os
import random
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    fd = os.environ.get("BHOST_FD")
    out = os.fdopen(int(fd), "w") if fd else sys.stdout
    rng = random.Random(args.seed)

    t0 = time.perf_counter_ns()
    data = sorted(rng.randrange(4 * args.size) for _ in range(args.size))
    out.write(f"record sort {time.perf_counter_ns() - t0}\n")

    hits = lookups = 0
    for _batch in range(4):
        t0 = time.perf_counter_ns()
        for _ in range(256):
            key = rng.randrange(4 * args.size)
            i = bisect.bisect_left(data, key)
            hits += i < len(data) and data[i] == key
            lookups += 1
        out.write(f"record lookup {time.perf_counter_ns() - t0}\n")

    out.write(f"counter items {args.size}\n")
    out.write(f"counter lookups {lookups}\n")
    out.write(f"gauge hit_rate {hits / lookups:.4f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
