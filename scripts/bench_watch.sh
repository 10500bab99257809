#!/usr/bin/env bash
# Benchmark of one `clausewatch watch --once` cycle over 10,000 sources on a
# local origin against wrk sending the same number of requests to the same
# origin (issue #7). Installs wrk and GNU time when missing (Debian), builds
# the release binary, then runs crates/engine/examples/watch_bench.rs.
# Usage: scripts/bench_watch.sh [--sources N] [--hosts H] [--concurrency C]
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
cargo build --release -p clausewatch
cargo run --release -p cw-engine --example watch_bench -- --binary target/release/clausewatch "$@"
