#!/usr/bin/env bash
# Cross-validates the Rust unfair-clause model and the scikit-learn TF-IDF + LinearSVC
# baseline on the SAME 5 document folds (the Rust run writes the fold assignment, the
# Python run reads it), and prints both tables.
#
#   crates/analyze/bench/run_cv.sh [CORPUS_DIR]
#
# Installs scikit-learn with pip when it is missing (PyPI only; nothing else is downloaded).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="${1:-/work/shared/corpus/labelled/claudette_multilingual}"
out="${CV_OUT:-$(mktemp -d)}"
mkdir -p "$out"
if [ ! -d "$corpus" ]; then
  echo "corpus $corpus is absent: nothing to cross-validate" >&2
  exit 1
fi
python3 -c 'import sklearn' 2>/dev/null || python3 -m pip install --quiet scikit-learn
cd "$here/../../.."
cargo run --quiet --release -p cw-analyze --example cv -- \
  --corpus "$corpus" --folds-out "$out/folds.tsv" --json > "$out/rust.json"
python3 "$here/baseline_svm.py" --corpus "$corpus" --folds "$out/folds.tsv" | tee "$out/baseline.txt"
python3 "$here/baseline_svm.py" --corpus "$corpus" --folds "$out/folds.tsv" --json > "$out/baseline.json"
python3 - "$out/rust.json" "$out/baseline.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
print(f"\n{'label':<30} {'rust P':>7} {'rust R':>7} {'rust F1':>8} | {'skl P':>6} {'skl R':>6} {'skl F1':>7} | {'rules F1':>8}")
for x, y, z in zip(r["per_label"], b["per_label"], r["rules_only"]):
    print(f"{x['label']:<30} {x['precision']:>7.3f} {x['recall']:>7.3f} {x['f1']:>8.3f} | "
          f"{y['precision']:>6.3f} {y['recall']:>6.3f} {y['f1']:>7.3f} | {z['f1']:>8.3f}")
print(f"{'macro-F1':<30} {'':>7} {'':>7} {r['macro_f1']:>8.3f} | {'':>6} {'':>6} {b['macro_f1']:>7.3f} | {r['rules_only_macro_f1']:>8.3f}")
PY
echo "outputs in $out"
