#!/usr/bin/env python3
"""Builds crates/diff/src/significance/dictionary.txt: the corpus word list
the spelling rule uses (issue #20: "the second one in a dictionary built from
the corpus").

Words of 5-24 letters (lowercase, letters only) that appear in the Markdown
versions of at least MIN_SERVICES different services of the *tune* half of
../shared/corpus/ota and ota-wide (gold_split.py), so the held-out check half
does not shape it. A word used by several unrelated services is a word;
a typo ("recieve") almost never is.

Usage: build_dictionary.py [CORPUS_ROOT] > crates/diff/src/significance/dictionary.txt
"""
import collections, csv, os, re, sys
sys.path.insert(0, os.path.dirname(__file__))
from gold_split import half

MIN_SERVICES = 3
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared/corpus")
seen = collections.defaultdict(set)
for coll in ("ota", "ota-wide"):
    with open(os.path.join(root, coll, "versions.tsv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if half(row["service"]) != "tune":
                continue
            path = os.path.join(root, coll, row["version_file"])
            if not os.path.exists(path):
                continue
            text = open(path, encoding="utf-8", errors="replace").read().lower()
            for w in set(re.findall(r"[^\W\d_]+", text)):
                if 5 <= len(w) <= 24:
                    seen[w].add(row["service"])
for w in sorted(w for w, s in seen.items() if len(s) >= MIN_SERVICES):
    print(w)
