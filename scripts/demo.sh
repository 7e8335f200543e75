#!/usr/bin/env bash
# One command: install what is missing, build bhost, run specs/demo.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBHOST_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
build/host/bhost --list
build/host/bhost run specs/demo.yaml "$@"
