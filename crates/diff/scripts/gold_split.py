#!/usr/bin/env python3
"""Tune/check split of the shared corpora by service (issue #20).

FNV-1a 64-bit hash of the `service` column of documents.tsv (exact UTF-8
bytes): even -> tune, odd -> check. The extraction engineer uses the same
definition. Prints `half<TAB>collection-root<TAB>doc_id<TAB>service<TAB>n_versions`.
Usage: gold_split.py [CORPUS_ROOT]   (default ../shared/corpus)
"""
import csv, os, sys

def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h

def half(service: str) -> str:
    return "tune" if fnv1a64(service.encode("utf-8")) % 2 == 0 else "check"

def documents(root):
    for coll in ("ota", "ota-wide"):
        with open(os.path.join(root, coll, "documents.tsv"), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                yield coll, row

if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared/corpus")
    for coll, row in documents(root):
        print("\t".join([half(row["service"]), coll, row["doc_id"], row["service"], row["n_versions"]]))
