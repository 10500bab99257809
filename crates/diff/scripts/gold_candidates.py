#!/usr/bin/env python3
"""Lists candidate changed provisions of consecutive version pairs, with a
word diff, for a person to judge (issue #20 gold set).

Independent of cw-diff: provisions come from cw-extract (the `provisions`
example), pairing is difflib over provision texts (in-order blocks; in a
replaced block, old/new provisions are paired greedily by word overlap), and
the word diff is difflib's. The judgement (kind, significance, category) is
written by hand into the gold file; nothing here labels anything.

Usage: gold_candidates.py PROVISIONS_JSONL OLD_FILE NEW_FILE [MAX]
"""
import difflib, json, re, sys

def words(t):
    return re.findall(r"\S+", t)

def wdiff(a, b):
    a, b = words(a), words(b)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            seg = a[i1:i2]
            out.append(" ".join(seg) if len(seg) <= 12 else " ".join(seg[:5]) + " … " + " ".join(seg[-5:]))
        else:
            if i2 > i1: out.append("[-" + " ".join(a[i1:i2]) + "-]")
            if j2 > j1: out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)

def key(t):
    return " ".join(t.split()).lower()

def sim(a, b):
    sa, sb = set(key(a).split()), set(key(b).split())
    if not sa or not sb: return 0.0
    return len(sa & sb) / len(sa | sb)

def candidates(old, new):
    ok, nk = [key(p["text"]) for p in old], [key(p["text"]) for p in new]
    out = []
    sm = difflib.SequenceMatcher(None, ok, nk, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal": continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        pairs = []
        used = set()
        for i in olds:
            best, bj = 0.0, None
            for j in news:
                if j in used: continue
                s = sim(old[i]["text"], new[j]["text"])
                if s > best: best, bj = s, j
            if bj is not None and best >= 0.3:
                used.add(bj); pairs.append((i, bj))
        paired_old = {i for i, _ in pairs}
        for i, j in pairs:
            out.append(("modified", old[i], new[j]))
        for i in olds:
            if i not in paired_old: out.append(("removed", old[i], None))
        for j in news:
            if j not in used: out.append(("added", None, new[j]))
    # exact texts removed in one place and added in another: moves
    rem = {key(c[1]["text"]): k for k, c in enumerate(out) if c[0] == "removed"}
    for k, c in enumerate(out):
        if c is None: continue
        t, o, n = c
        if t == "added" and key(n["text"]) in rem:
            r = rem.pop(key(n["text"]))
            out[k] = ("moved", out[r][1], n)
            out[r] = None
    return [c for c in out if c]

if __name__ == "__main__":
    dump = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        d = json.loads(line); dump[d["file"]] = d["provisions"]
    old, new = dump[sys.argv[2]], dump[sys.argv[3]]
    mx = int(sys.argv[4]) if len(sys.argv) > 4 else 10**9
    for n, (t, o, nw) in enumerate(candidates(old, new)[:mx]):
        rec = {"cand": t, "old_id": o and o["id"], "new_id": nw and nw["id"],
               "old": o["text"] if o else "", "new": nw["text"] if nw else "",
               "kind_o": o and o["kind"], "kind_n": nw and nw["kind"],
               "wdiff": wdiff(o["text"], nw["text"]) if o and nw else ""}
        print(json.dumps(rec, ensure_ascii=False))
