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
# Scratch space for the tests (temporary homes, archives, indexes) and the
# PostgreSQL cluster: a fresh folder in RAM when /dev/shm is a tmpfs with
# room. The tests' homes are thrown away, yet SQLite, tantivy and the archive
# fsync what they write; on a disk mounted with `discard` (this machine's
# ext4) unlinking those files afterwards costs ~2.5 ms each, 20 s for one
# worker test's home. Nothing the tests check depends on the disk: kill -9
# tests kill processes, not the kernel.
scratch=
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt 4000000 ] 2>/dev/null; then
  scratch=$(mktemp -d /dev/shm/clausewatch-tests.XXXXXX)
  chmod 755 "$scratch"
fi
cleanup() {
  scripts/pg-test-cluster.sh stop || true
  [ -n "$scratch" ] && rm -rf "$scratch"
}
trap cleanup EXIT
# PostgreSQL (Debian's package, installed when missing): a throwaway cluster
# (in the scratch folder, else target/pg-test) for the store suite's second
# pass and the migrate tests.
[ -n "$scratch" ] && export CW_PG_TEST_DIR="$scratch/pg-test"
CLAUSEWATCH_TEST_POSTGRES_URL=$(scripts/pg-test-cluster.sh start)
export CLAUSEWATCH_TEST_POSTGRES_URL

log "cargo fmt --check"
cargo fmt --all --check

# Clippy runs inside the one build: cargo hands every workspace crate to
# clippy-driver (the wrapper `cargo clippy` itself installs), which lints it
# and then compiles it for real. A separate `cargo clippy` pass would check
# every dependency a second time (metadata only, not reusable by the build):
# minutes of a cold run. Dependencies are compiled by plain rustc as usual.
# The variables stay exported for the test run: they are part of the build
# fingerprint, so a run without them would recompile the workspace.
clippy_driver=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export RUSTC_WORKSPACE_WRAPPER="$clippy_driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

# One build serves clippy, the tests and the eval scripts (the binary is
# target/ci/clausewatch, built with the test targets' feature set, so a
# separate `cargo build` would compile twice). Examples and the bench are
# built too, so clippy sees every target; they are not run.
log "build and clippy -D warnings (ci profile, every target)"
cargo test --profile ci --workspace --lib --bins --tests --examples --benches --no-run

# cargo-nextest runs the test binaries side by side, one process per test,
# and reports each test's time; the machine image ships it, a fresh machine
# installs it from crates.io.
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
nextest=(cargo nextest run --cargo-profile ci --workspace --lib --bins --tests --profile ci)

log "tests (cargo nextest, ci profile)"
failed=0
# Set only now: the build above keeps the usual temporary folder.
if [ -n "$scratch" ]; then
  mkdir -p "$scratch/tmp"
  export TMPDIR="$scratch/tmp"
  echo "test scratch space: $TMPDIR (tmpfs)"
fi
"${nextest[@]}" 2>&1 | tee target/test-output.txt || failed=1
cp target/nextest/ci/junit.xml target/nextest/ci/junit-main.xml 2>/dev/null || true
cargo test --profile ci --workspace --doc 2>&1 | tee -a target/test-output.txt || failed=1
# The store suite again, every test on PostgreSQL instead of SQLite. The
# filter keeps the workspace's build (a narrower `-p cw-store` build would
# rebuild about 150 crates with other features).
CLAUSEWATCH_TEST_STORE_BACKEND=postgres "${nextest[@]}" -E 'package(cw-store) and kind(test)' 2>&1 \
  | tee -a target/test-output.txt || failed=1
grep -E '^ *Summary |^test result' target/test-output.txt || true
if [ "$failed" != 0 ]; then
  echo "tests failed; full log in target/test-output.txt" >&2
  exit 1
fi
echo "JUnit reports: target/nextest/ci/junit-main.xml (all tests), junit.xml (store suite on PostgreSQL)"

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
