#!/usr/bin/env bash
# Evaluates the unfair-clause labels (issue #21) and the scikit-learn TF-IDF + LinearSVC
# baseline on the SAME split in one run: 8 English documents held back from all tuning
# (smallest FNV-1a hash of the name), 5-fold cross-validation by document over the other
# 32 (the Rust run writes the split, the Python run reads it), then models trained on the
# 32 scored on the 8. Prints P/R per label, macro-F1 over the 8 labels and the
# LexGLUE-style macro-F1 over 9 classes (the 8 + "none").
#
#   crates/analyze/bench/run_cv.sh [CORPUS_DIR] [cv options, e.g. --min-precision 0.65]
#
# Installs scikit-learn with pip when it is missing (PyPI only; nothing else is downloaded).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="${1:-/work/shared/corpus/labelled/claudette_multilingual}"
shift || true
out="${CV_OUT:-$(mktemp -d)}"
mkdir -p "$out"
if [ ! -d "$corpus" ]; then
  echo "corpus $corpus is absent: nothing to cross-validate" >&2
  exit 1
fi
python3 -c 'import sklearn' 2>/dev/null || python3 -m pip install --quiet scikit-learn
cd "$here/../../.."
cargo run --quiet --release -p cw-analyze --features encoder --example cv -- \
  --corpus "$corpus" --folds-out "$out/folds.tsv" --json "$@" > "$out/rust.json"
python3 "$here/baseline_svm.py" --corpus "$corpus" --folds "$out/folds.tsv" --json > "$out/baseline.json"
python3 - "$out/rust.json" "$out/baseline.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
print("held back:", ", ".join(r["held_back"]))
rows = [("CV, model + neighbours", r["cv"]), ("CV, label() per sentence", r["cv_shipped"]),
        ("CV, cue rules alone", r["cv_rules"]), ("CV, TF-IDF+LinearSVC", b["cv"]),
        ("held back, model + neighbours", r["held"]), ("held back, label() per sentence, ensemble (ships)", r["held_shipped"]),
        ("held back, label(), linear model alone", r.get("held_shipped_linear") or r["held_shipped"]),
        ("held back, cue rules alone", r["held_rules"]), ("held back, model ∪ rules (old merge)", r["held_union"]),
        ("held back, TF-IDF+LinearSVC", b["held"])]
tags = [x["tag"] for x in r["cv"]["per_label"]]
print(f"\n{'evaluation':<42} " + " ".join(f"{t:>11}" for t in tags) + "   macro-F1  LexGLUE-9")
for name, sc in rows:
    cells = " ".join(f"{x['precision']:.2f}/{x['recall']:.2f}" .rjust(11) for x in sc["per_label"])
    print(f"{name:<42} {cells}   {sc['macro_f1']:.3f}     {sc['lexglue_macro_f1']:.3f}")
print("\n(cells: precision/recall; the number that ships is 'held back, label() per sentence')")
PY
echo "outputs in $out"
