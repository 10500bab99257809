#!/usr/bin/env bash
# Runs every check of the project on a fresh machine: installs what the tests
# need, then formatting, lints, the whole test suite (release profile, so the
# binary the eval scripts use is built once), and the shared eval checks.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

log "Installing what the tests need"
# Debian packages: python3 (eval scripts, SMTP sink), chromium (browser fetch tests).
need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
# PyPI: aiosmtpd is the real SMTP server the e-mail tests talk to.
python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install -q aiosmtpd
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy

log "cargo fmt --check"
cargo fmt --all --check

log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --release -- -D warnings

log "cargo build --release"
cargo build --release --workspace

log "cargo test --release"
{ cargo test --release --workspace --no-fail-fast; cargo test --release -p cw-fetch --features browser --test integration browser; } 2>&1 | tee target/test-output.txt | grep -E '^(test result|running|failures:|---- |thread|error)' || true
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
  python3 "$shared/eval/check_extract.py" target/release/clausewatch
  python3 "$shared/eval/check_diff.py" target/release/clausewatch
else
  echo "WARNING: $shared/eval is absent: the seed eval checks did NOT run" >&2
fi
