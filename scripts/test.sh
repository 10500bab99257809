#!/usr/bin/env bash
# Runs every check of the project on a fresh machine: installs what the tests
# need, then formatting, lints, the whole test suite (the `ci` profile:
# dependencies fully optimised, the project's crates at opt-level 1; the
# binary the eval scripts use is built once, with the tests), and the shared
# eval checks, each once.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

log "Installing what the tests need"
# Debian packages: python3 (eval scripts, SMTP sink), chromium (browser fetch tests),
# chromium-driver (WebDriver for the cw-server UI tests), iproute2 (`ip`: loopback
# inside the network namespaces of the browser isolation checks).
need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
command -v ip >/dev/null || need_apt+=(iproute2)
command -v unshare >/dev/null || need_apt+=(util-linux)
# poppler-utils (pdftotext/pdfinfo: report PDF tests and the contents' page numbers),
# sqlite3 (the verify tests tamper with the database by hand).
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
# PyPI: aiosmtpd is the real SMTP server the e-mail tests talk to.
python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install -q aiosmtpd
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
# crates.io: s3s-fs is the real S3-compatible server the archive tests start
# (0.14.1: the newest that builds with this toolchain).
command -v s3s-fs >/dev/null || [ -x "$HOME/.cargo/bin/s3s-fs" ] \
  || cargo install s3s-fs@0.14.1 --features binary --locked
# PostgreSQL (Debian's package, installed when missing): a throwaway cluster
# in target/pg-test for the store suite's second pass and the migrate tests.
CLAUSEWATCH_TEST_POSTGRES_URL=$(scripts/pg-test-cluster.sh start)
export CLAUSEWATCH_TEST_POSTGRES_URL
trap 'scripts/pg-test-cluster.sh stop' EXIT

log "cargo fmt --check"
cargo fmt --all --check

log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --profile ci -- -D warnings

# One build serves the tests and the eval scripts: `cargo test` builds the
# binary (target/ci/clausewatch) with the same feature set as the test
# targets, so a separate `cargo build` would compile twice.
log "cargo test --no-run (ci profile)"
# Libraries, binaries and test targets only: the examples (benchmarks and
# training tools) are type-checked by clippy above, and linking a dozen of
# them in release mode costs minutes of a cold build.
targets=(--lib --bins --tests)
cargo test --profile ci --workspace "${targets[@]}" --no-run --message-format=json-render-diagnostics > target/test-build.json
# The store suite's test binary, run a second time on PostgreSQL below. Run
# straight rather than through `cargo test -p cw-store`, whose narrower
# feature set would rebuild about 150 crates.
store_suite=$(python3 - <<'PY'
import json
for line in open("target/test-build.json"):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") \
            and m["target"]["name"] == "integration" and "/crates/store" in m["manifest_path"]:
        print(m["executable"])
PY
)
[ -x "$store_suite" ] || { echo "cannot find the cw-store integration test binary" >&2; exit 1; }

log "cargo test --profile ci"
{ cargo test --profile ci --workspace "${targets[@]}" --no-fail-fast; cargo test --profile ci --workspace --doc;
  # The store suite again, every test on PostgreSQL instead of SQLite.
  (cd crates/store && CARGO_MANIFEST_DIR=$PWD CLAUSEWATCH_TEST_STORE_BACKEND=postgres "$store_suite"); } 2>&1 | tee target/test-output.txt | grep -E '^(test result|running|failures:|---- |thread|error)' || true
if grep -qE '^test result: FAILED|^error' target/test-output.txt; then
  echo "cargo test failed; full log in target/test-output.txt" >&2
  grep -A30 '^failures:' target/test-output.txt | head -200 >&2 || true
  exit 1
fi
passed=$(grep -oE '^test result: ok\. [0-9]+ passed' target/test-output.txt | awk '{s+=$4} END {print s+0}')
echo "cargo test: $passed tests passed"

shared=../shared
if [ -d "$shared/eval" ]; then
  log "shared eval checks"
  python3 "$shared/eval/check_extract.py" target/ci/clausewatch
  python3 "$shared/eval/check_diff.py" target/ci/clausewatch
  # The headless browser (fetch fallback, PDF printing) in a network
  # namespace with a logging resolver: no DNS query at all (issue #18).
  bash "$shared/eval/check_browser_isolation.sh" target/ci/clausewatch
else
  echo "WARNING: $shared/eval is absent: the seed eval checks did NOT run" >&2
fi
