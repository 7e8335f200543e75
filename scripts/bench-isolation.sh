#!/usr/bin/env bash
# The cost of running a sweep point in its own process (fork, pipe the result
# back, reap), against the cost of one process per run as hyperfine measures
# it (`hyperfine -N --runs 200 true`), both on this machine in this run.
# Target (issue 3): an isolated point costs less than half a hyperfine run.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x build/host/bhost ] || { cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
points=$(build/host/bhost validate specs/isolation.yaml | awk 'NR == 1 { print $3 }')

wall() { # isolate-mode -> the run's wall seconds
  build/host/bhost run specs/isolation.yaml --isolate "$1" --out "$tmp/$1" -q
  jq '.run.wall_s' "$tmp/$1/results.json"
}
fork_s=$(wall fork)
none_s=$(wall none)
hyperfine -N --runs 200 --warmup 10 --export-json "$tmp/hf.json" true >/dev/null 2>&1
hf_s=$(jq '.results[0].mean' "$tmp/hf.json")

awk -v f="$fork_s" -v n="$none_s" -v p="$points" -v h="$hf_s" 'BEGIN {
  per = (f - n) / p
  printf "points:                        %d\n", p
  printf "run, --isolate fork:           %.3f s\n", f
  printf "run, --isolate none:           %.3f s\n", n
  printf "isolation cost per point:      %.1f us\n", per * 1e6
  printf "hyperfine -N true, per run:    %.1f us\n", h * 1e6
  printf "isolated point / hyperfine run: %.2f (target < 0.5)\n", per / h
}'
