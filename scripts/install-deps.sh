#!/usr/bin/env bash
# Installs the Debian 12 packages bhost needs to build and test, if missing.
# docs/dependencies.md says why each one is here.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git   # toolchain
  libyaml-dev                            # spec files
  libjansson-dev                         # results files
  zlib1g-dev                             # HdrHistogram V2 compression
  libjemalloc-dev                        # the host's allocator
  libsqlite3-dev                         # the SQLite experiments (memory_db, sqlite_pragma)
  libcmocka-dev                          # unit tests
  clang libclang-rt-14-dev               # fuzz tests: libFuzzer and its sanitizer runtimes
  libhdrhistogram-java                   # interop test: the reference HdrHistogram reads bhost's logs
  default-jdk-headless                   # interop test: javac and java for that test's checker
  libxml2-utils                          # profile writers' test: xmllint parses the flame-graph SVG
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bhost: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
