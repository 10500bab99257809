#!/usr/bin/env python3
"""Peer runs for `cargo run -p xtask -- eval-extract|bench-extract`: trafilatura
(PyPI, default settings) over the corpus pages, in one process.

Reads JSON from stdin: {"mode": "eval" | "bench", "pages": [[file.html.gz, ...], ...]}.
eval  -> stdout JSON list, one text per page (the parts' extractions joined by blank lines).
bench -> stdout JSON {"bytes": N, "seconds": S}: all files are read and gunzipped
         first, then one timed loop extracts every file (no start-up per page).
"""
import gzip, json, sys, time

import trafilatura


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def main():
    req = json.load(sys.stdin)
    pages = [[load(p) for p in parts] for parts in req["pages"]]
    if req["mode"] == "eval":
        out = []
        for parts in pages:
            texts = [trafilatura.extract(b) or "" for b in parts]
            out.append("\n\n".join(texts))
        json.dump(out, sys.stdout)
    else:
        flat = [b for parts in pages for b in parts]
        total = sum(len(b) for b in flat)
        rounds = int(req.get("rounds", 1))
        start = time.perf_counter()
        for _ in range(rounds):
            for b in flat:
                trafilatura.extract(b)
        secs = time.perf_counter() - start
        json.dump({"bytes": total * rounds, "seconds": secs}, sys.stdout)


if __name__ == "__main__":
    main()
