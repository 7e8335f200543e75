#!/usr/bin/env bash
# scripts/install-deps.sh [--tests]
# Installs the Debian 12 packages bhost needs to build and run, if missing;
# with --tests, also what its test suite needs (scripts/test.sh passes it).
# docs/dependencies.md says why each one is here.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git   # toolchain
  libyaml-dev                            # spec files
  libjansson-dev                         # results files
  zlib1g-dev                             # HdrHistogram V2 compression
  libjemalloc-dev                        # the host's allocator
  libsqlite3-dev                         # the SQLite experiments (memory_db, sqlite_pragma)
  libunwind-dev                          # sampler: unwinding sampled stacks by DWARF CFI
  libdw-dev                              # sampler: symbols, inlined functions, source files (elfutils)
  libspatialindex-dev                    # spatial indexes: the R*-tree (spatial/rtree.c)
  libzip-dev                             # run --bundle: the artifact set in one zip archive
  nettle-dev                             # run --artifacts: the manifest's SHA-256 of each file
  libhiredis-dev redis-server            # redis_memory: hiredis, and the server each point starts
)
tests=0
[ "${1:-}" = "--tests" ] && tests=1
if [ $tests -eq 1 ]; then
  packages+=(
    libcmocka-dev                        # unit tests
    clang libclang-rt-14-dev             # fuzz tests: libFuzzer and its sanitizer runtimes
    libhdrhistogram-java                 # interop test: the reference HdrHistogram reads bhost's logs
    default-jdk-headless                 # interop test: javac and java for that test's checker
    libxml2-utils                        # sampler tests: xmllint parses the flame-graph SVG
    chromium                             # reader tests: the SVG and speedscope's viewer in a real browser
    libbenchmark-tools python3-scipy     # export test: Google Benchmark's compare.py reads the export
    unzip libarchive-tools               # bundle test: the system's unzip and bsdtar list and extract it
    python3-yaml                         # docs test: the CI examples are valid YAML
    redis-tools hyperfine                # references the redis and exec benchmarks measure against
    slurmctld slurmd slurm-client munge  # slurm test: a real single-node Slurm (tests/slurm/slurm.sh)
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Reader tests: node and npm from Debian unless some other node (nodesource's, say) is there.
if [ $tests -eq 1 ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "bhost: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  log=$(mktemp /tmp/bhost-apt.XXXXXX)
  # When a package's configure step fails, say which and how (the output is kept quiet
  # otherwise), finish configuring what was unpacked, and try once more. (munge's, which runs
  # a command as the munge user, fails in a chroot whose / only root may enter.)
  if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    grep -E "^(dpkg|E):|error" "$log" | tail -n 20 >&2 || true
    echo "bhost: apt-get install failed; configuring what was unpacked and trying once more" >&2
    $sudo dpkg --configure -a >>"$log" 2>&1 || true
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 ||
      { tail -n 40 "$log" >&2; rm -f "$log"; exit 1; }
  fi
  rm -f "$log"
fi

[ $tests -eq 1 ] || exit 0

# Reader tests: speedscope's viewer and puppeteer-core (which drives the system
# chromium; it downloads no browser), pinned, in a folder of their own outside
# the source tree. tests/readers/ finds it through the same variable.
node_dir=${BHOST_TEST_NODE_DIR:-/usr/local/lib/bhost-test-node}
node_packages=(speedscope@1.25.0 puppeteer-core@24.43.1 junit2json@4.0.0 hdr-histogram-js@3.0.1)
for spec in "${node_packages[@]}"; do
  name=${spec%@*}
  installed=$(node -p "require('$node_dir/node_modules/$name/package.json').version" 2>/dev/null || true)
  if [ "$name@$installed" != "$spec" ]; then
    echo "bhost: installing ${node_packages[*]} into $node_dir"
    $sudo mkdir -p "$node_dir"
    $sudo env PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$node_dir" --save-exact \
      --no-audit --no-fund --loglevel=error "${node_packages[@]}" >/dev/null
    break
  fi
done
