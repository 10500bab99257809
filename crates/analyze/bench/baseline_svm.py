#!/usr/bin/env python3
"""TF-IDF + LinearSVC baseline (scikit-learn) for the eight UNFAIR-ToS categories on the
English CLAUDETTE sentences, with the SAME split as `cargo run --example cv`: the fold
file that example writes with --folds-out (service<TAB>fold, or `held` for the 8
documents held back from all tuning). Cross-validation over the development folds, then
a model trained on all development documents scored on the held-back ones. One binary
LinearSVC per label (the usual LexGLUE-style TF-IDF SVM: word 1-2-grams, sublinear tf,
default C=1, no class weights, threshold 0). Counts are pooled over folds, as in the Rust
report; the LexGLUE-style macro adds the ninth "none of the eight" class.
Tags 2/3 = label, 1 = not; pinc/countrym ignored.

usage: baseline_svm.py [--corpus DIR] [--folds FILE] [--folds-k 5] [--json]
"""
import argparse
import json
import os
import re
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

LABELS = [("tos_limitation_of_liability", "ltd"), ("tos_unilateral_termination", "ter"),
          ("tos_unilateral_change", "ch"), ("tos_content_removal", "cr"),
          ("tos_contract_by_using", "use"), ("tos_choice_of_law", "law"),
          ("tos_jurisdiction", "j"), ("tos_arbitration", "a")]
DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/corpus/labelled/claudette_multilingual")


def load(corpus):
    base = os.path.join(corpus, "corpus") if os.path.isdir(os.path.join(corpus, "corpus")) else corpus
    sdir = os.path.join(base, "sentences/en/original")
    tdir = os.path.join(base, "tags/en/original")
    docs = []
    for name in sorted(f[:-4] for f in os.listdir(sdir) if f.endswith(".txt")):
        with open(os.path.join(sdir, name + ".txt"), encoding="utf-8", errors="replace") as f:
            sents = f.read().split("\n")
        with open(os.path.join(tdir, name + ".txt"), encoding="utf-8", errors="replace") as f:
            tags = f.read().split("\n")
        if sents and sents[-1] == "":
            sents.pop()
        if tags and tags[-1] == "":
            tags.pop()
        assert len(sents) == len(tags), name
        rows = []
        for s, t in zip(sents, tags):
            s = s.rstrip("\r")
            if not s.strip():
                continue
            mask = 0
            for tok in t.split():
                m = re.fullmatch(r"([a-z]+)([123])", tok)
                if m and m.group(2) in "23":
                    for i, (_, tag) in enumerate(LABELS):
                        if tag == m.group(1):
                            mask |= 1 << i
            rows.append((s, mask))
        docs.append((name, rows))
    return docs


def counts_to_scores(counts, none):
    out = []
    for (label, tag), (tp, fp, fn) in zip(LABELS + [("none", "-")], counts + [none]):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out.append({"label": label, "tag": tag, "tp": tp, "fp": fp, "fn": fn,
                    "precision": p, "recall": r, "f1": f1})
    macro = sum(x["f1"] for x in out[:-1]) / len(LABELS)
    lexglue = sum(x["f1"] for x in out) / (len(LABELS) + 1)
    return {"per_label": out[:-1], "none": out[-1], "macro_f1": macro, "lexglue_macro_f1": lexglue}


def run(train, test, counts, none):
    """Fits one LinearSVC per label on `train`, tallies its predictions on `test`."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
    xtr = vec.fit_transform([s for s, _ in train])
    xte = vec.transform([s for s, _ in test])
    predicted = [0] * len(test)
    for li in range(len(LABELS)):
        ytr = [(m >> li) & 1 for _, m in train]
        if sum(ytr) == 0:
            continue
        clf = LinearSVC(C=1.0, random_state=0, max_iter=5000).fit(xtr, ytr)
        for k, p in enumerate(clf.predict(xte)):
            if p:
                predicted[k] |= 1 << li
    for p, (_, y) in zip(predicted, test):
        for li in range(len(LABELS)):
            tally(counts[li], (p >> li) & 1, (y >> li) & 1)
        tally(none, p == 0, y == 0)


def tally(c, p, y):
    if p and y:
        c[0] += 1
    elif p:
        c[1] += 1
    elif y:
        c[2] += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--folds", help="TSV service<TAB>fold|held written by the Rust cv example")
    ap.add_argument("--folds-k", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    docs = load(a.corpus)
    if a.folds:
        fold_of = {}
        with open(a.folds) as f:
            for line in f.read().splitlines()[1:]:
                name, k = line.split("\t")
                fold_of[name] = -1 if k == "held" else int(k)
    else:
        fold_of = {name: i % a.folds_k for i, (name, _) in enumerate(docs)}
    k = max(fold_of.values()) + 1
    cv, cv_none = [[0, 0, 0] for _ in LABELS], [0, 0, 0]
    for f in range(k):
        train = [r for n, rows in docs if fold_of[n] not in (f, -1) for r in rows]
        test = [r for n, rows in docs if fold_of[n] == f for r in rows]
        run(train, test, cv, cv_none)
    report = {"baseline": "tfidf word 1-2 + LinearSVC", "folds": k, "cv": counts_to_scores(cv, cv_none)}
    held = [r for n, rows in docs if fold_of[n] == -1 for r in rows]
    if held:
        h, h_none = [[0, 0, 0] for _ in LABELS], [0, 0, 0]
        run([r for n, rows in docs if fold_of[n] != -1 for r in rows], held, h, h_none)
        report["held"] = counts_to_scores(h, h_none)
    if a.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return
    print(f"baseline TF-IDF (word 1-2, sublinear) + LinearSVC, same split as the Rust run")
    for part in ("cv", "held"):
        if part not in report:
            continue
        sc = report[part]
        print(f"\n{part}: {'label':<30} {'P':>7} {'R':>7} {'F1':>7}")
        for x in sc["per_label"] + [sc["none"]]:
            print(f"{'':<{len(part) + 2}}{x['label']:<30} {x['precision']:>7.3f} {x['recall']:>7.3f} {x['f1']:>7.3f}")
        print(f"macro-F1 (8 labels) {sc['macro_f1']:.3f}   LexGLUE-style macro-F1 (9 classes) {sc['lexglue_macro_f1']:.3f}")


if __name__ == "__main__":
    main()
