#!/usr/bin/env python3
"""How well would each way of choosing the ensemble's thresholds do on documents it did not
choose on? (issue #21, session 10)

`calibrate` chooses the encoder weight(s) and per-label thresholds on the out-of-fold (OOF)
scores of the 32 development documents and reports macro-F1 on those same scores: optimistic,
most of all for a precision floor, which picks thresholds whose OOF precision only just
reaches it. This script measures each selection rule by cross-fitting inside the 32 (the 8
held-back documents are never read): the documents, sorted, are dealt into 4 groups; the rule
is fitted on 3 groups' scores and applied to the 4th; counts are pooled. It mirrors
`src/ensemble.rs` (thresholds 0.05-0.95 by 0.01, gate 0.05, global weight searched 0-1 at
gate 0, per-label weights 0.3-0.8 at the gate).

    cargo run --release -p cw-analyze --features encoder --example calibrate_encoder -- \
        CORPUS crates/analyze/encoder/oof_probabilities.tsv /tmp/ens.json --scores-out /tmp/scores.tsv
    python3 crates/analyze/bench/crossfit_ensemble.py /tmp/scores.tsv

A rule is (weights, floor, precision estimate, fallback recall): weights "global" or
"per-label"; floor None (F1-best thresholds) or a minimum precision; estimate "raw" (plain
ratio) or "wilson1" (Wilson lower bound, z = 1); fallback None (F1-best when no threshold
reaches the floor) or the recall the best-precision fallback must keep.
"""
import math
import sys

import numpy as np

GATE = 0.05
THRESHOLDS = np.arange(5, 96) / 100.0
RULES = [
    ("global", None, "raw", None),  # session 9
    ("global", 0.75, "raw", 0.3),
    ("global", 0.75, "raw", None),
    ("global", 0.78, "raw", None),
    ("global", 0.8, "raw", 0.3),
    ("global", 0.8, "raw", None),
    ("global", 0.75, "wilson1", None),
    ("per-label", None, "raw", None),
    ("per-label", 0.75, "raw", None),
    ("per-label", 0.78, "raw", None),
    ("per-label", 0.8, "raw", 0.3),
    ("per-label", 0.8, "raw", None),
    ("per-label", 0.75, "wilson1", None),
]


def load(path):
    rows = [line.rstrip("\n").split("\t") for line in open(path)][1:]
    docs = np.array([r[0] for r in rows])
    tags = np.array([int(r[2]) for r in rows])
    linear = np.array([[float(x) for x in r[3:11]] for r in rows])
    encoder = np.array([[float(x) for x in r[11:19]] for r in rows])
    truth = np.array([(tags >> li) & 1 for li in range(8)]).T.astype(bool)
    return docs, linear, encoder, truth


def counts(p, y, t):
    pred = p >= t - 1e-7
    return (pred & y).sum(), (pred & ~y).sum(), (~pred & y).sum()


def f1(tp, fp, fn):
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def precision(tp, fp, estimate):
    n = tp + fp
    if n == 0:
        return 0.0
    p = tp / n
    if estimate == "raw":
        return p
    z = float(estimate[len("wilson"):])
    return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def threshold(p, y, floor, estimate, fallback_recall):
    """ensemble.rs `choose_threshold`."""
    best_f1, floored, fallback = (0.0, 0.5), None, None
    for t in THRESHOLDS:
        tp, fp, fn = counts(p, y, t)
        f = f1(tp, fp, fn)
        if f > best_f1[0]:
            best_f1 = (f, t)
        if floor is None:
            continue
        pr = precision(tp, fp, estimate)
        if pr >= floor and (floored is None or f > floored[0]):
            floored = (f, t)
        if fallback_recall is not None and tp / max(y.sum(), 1) >= fallback_recall:
            if fallback is None or pr > fallback[0]:
                fallback = (pr, t)
    if floored is not None:
        return floored[1]
    if fallback is not None:
        return fallback[1]
    return best_f1[1]


class Scores:
    def __init__(self, path):
        self.docs, self.linear, self.encoder, self.truth = load(path)
        opened = self.linear.max(1) >= GATE
        self.gated = self.encoder * opened[:, None]

    def combined(self, w, idx, gate=True):
        return w * (self.gated[idx] if gate else self.encoder[idx]) + (1 - w) * self.linear[idx]

    def fit(self, idx, rule):
        """Weights and thresholds a rule chooses on the sentences `idx`."""
        kind, floor, estimate, fallback = rule
        y = self.truth[idx]
        if kind == "global":
            best = None
            for w in np.arange(0, 11) / 10:
                p = self.combined(np.full(8, w), idx, gate=False)
                ts = [threshold(p[:, li], y[:, li], floor, estimate, fallback) for li in range(8)]
                m = np.mean([f1(*counts(p[:, li], y[:, li], ts[li])) for li in range(8)])
                if best is None or m > best[0] + 1e-9:
                    best = (m, w)
            w = np.full(8, best[1])
            p = self.combined(w, idx)
            return w, [threshold(p[:, li], y[:, li], floor, estimate, fallback) for li in range(8)]
        ws, ts = [], []
        for li in range(8):
            best = None
            for w in np.arange(3, 9) / 10:
                p = w * self.gated[idx, li] + (1 - w) * self.linear[idx, li]
                t = threshold(p, y[:, li], floor, estimate, fallback)
                f = f1(*counts(p, y[:, li], t))
                if best is None or f > best[0] + 1e-9:
                    best = (f, w, t)
            ws.append(best[1])
            ts.append(best[2])
        return np.array(ws), ts

    def crossfit(self, rule, groups=4):
        names = sorted(set(self.docs))
        group = np.array([names.index(d) % groups for d in self.docs])
        c = np.zeros((8, 3))
        for k in range(groups):
            fit_on, score = np.where(group != k)[0], np.where(group == k)[0]
            w, ts = self.fit(fit_on, rule)
            p = self.combined(w, score)
            for li in range(8):
                c[li] += counts(p[:, li], self.truth[score, li], ts[li])
        prec = c[:, 0] / np.maximum(c[:, 0] + c[:, 1], 1)
        rec = c[:, 0] / np.maximum(c[:, 0] + c[:, 2], 1)
        return prec, rec, float(np.mean([f1(*x) for x in c]))

    def in_sample(self, rule):
        idx = np.arange(len(self.docs))
        w, ts = self.fit(idx, rule)
        p = self.combined(w, idx)
        return w, ts, float(np.mean([f1(*counts(p[:, li], self.truth[:, li], ts[li])) for li in range(8)]))


def main():
    scores = Scores(sys.argv[1])
    print("positives per label:", scores.truth.sum(0).tolist())
    print("rule | cross-fitted macro-F1 | labels with cross-fitted P >= 0.75 | OOF (in-sample) macro-F1 | P per label | R per label | weights | thresholds")
    for rule in RULES:
        prec, rec, macro = scores.crossfit(rule)
        w, ts, ins = scores.in_sample(rule)
        print(f"{rule} | {macro:.3f} | {(prec >= 0.75).sum()} | {ins:.3f} | "
              f"{np.round(prec, 2).tolist()} | {np.round(rec, 2).tolist()} | "
              f"{np.round(w, 1).tolist()} | {[round(float(t), 2) for t in ts]}")


if __name__ == "__main__":
    main()
