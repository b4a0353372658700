#!/usr/bin/env python3
"""What replacing our readings by UniDic's would do on the accent dev set (scripts/reading-errors.sh).

    unidic-override.py GOLD.jsonl WORDS.jsonl UNIDIC.tsv

For every word with kanji (not a numeral, not in a sentence the speaker misread) whose reading
differs from UniDic's most common reading of that surface and part of speech (lowest word cost
among the entries whose part of speech matches naist-jdic's), count whether using UniDic's
would fix it (the word was misread and UniDic's is the speaker's) or break it (the word was read
right). Broken down by how much cheaper UniDic's top reading is than our reading in UniDic
(`margin`; ours absent from UniDic counts as any margin), and by the surface's length.
Long vowels written ー or ウ/イ count as the same reading, as in reading-errors.py.
"""

import collections
import importlib.util
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("reading_errors", os.path.join(here, "reading-errors.py"))
R = importlib.util.module_from_spec(spec)
spec.loader.exec_module(R)

# naist-jdic's part of speech → UniDic's first level.
POS = {"名詞": {"名詞", "代名詞", "形状詞"}, "動詞": {"動詞"}, "形容詞": {"形容詞"}, "副詞": {"副詞"},
       "接頭詞": {"接頭辞"}, "連体詞": {"連体詞"}, "接続詞": {"接続詞"}, "感動詞": {"感動詞"}}


def main():
    gold_path, words_path, table = sys.argv[1:4]
    sys.path.insert(0, os.path.dirname(os.path.abspath(gold_path)))
    import score

    def toks(m):
        return score.canon([x for x in m if x])

    def norm(moras):
        out = []
        for x in toks(moras):
            prev = out[-1][-1] if out and out[-1] else ""
            out.append(prev if (x == "u" and prev in "ou") or (x == "i" and prev in "ei") else x)
        return out

    uni = collections.defaultdict(list)
    for line in open(table, encoding="utf-8"):
        if not line.startswith("#"):
            s, pron, _accent, pos, cost = line.rstrip("\n").split("\t")
            uni[s].append((pron, pos, int(cost)))
    gold = [json.loads(l) for l in open(gold_path, encoding="utf-8") if l.strip()]
    words = {}
    for l in open(words_path, encoding="utf-8"):
        if l.strip():
            s = json.loads(l)
            words[s["id"]] = s["words"]

    rows = []  # (margin, ours in UniDic, surface length, fixes, breaks)
    for g in gold:
        if g.get("reading_deviation"):
            continue
        gm = [m for p in g["phrases"] for m in score.split_moras("".join(p["moras"]))]
        ws = words.get(g["id"], [])
        pm, owner = [], []
        for k, w in enumerate(ws):
            for m in score.split_moras("".join(w["moras"])):
                pm.append(m)
                owner.append(k)
        G, P = toks(gm), toks(pm)
        span = {}
        if G != P and ws:
            for W, (g0, g1) in R.misread_units(G, P, owner):
                parts = R.split_span(gm[g0:g1], [ws[k]["moras"] for k in W], toks)
                for k, part in zip(W, parts):
                    if toks(part) != toks(ws[k]["moras"]):
                        span[k] = part
        for k, w in enumerate(ws):
            if not R.has_kanji(w["surface"]) or w["pos"][1] == "数":
                continue
            ok = {"接尾辞"} if w["pos"][1] == "接尾" else POS.get(w["pos"][0], set())
            cands = [(p, c) for p, pos, c in uni.get(w["surface"], []) if pos in ok]
            if not cands:
                continue
            top, cost = cands[0]
            ours = norm(w["moras"])
            if norm(score.split_moras(top)) == ours:
                continue
            own = [c for p, c in cands if norm(score.split_moras(p)) == ours]
            margin = own[0] - cost if own else None
            fixes = k in span and norm(score.split_moras(top)) == norm(span[k])
            rows.append((margin, bool(own), len(w["surface"]), fixes, k not in span))

    print("| surfaces | our reading in UniDic | margin ≥ | changed words | fixed | broken |")
    print("|---|---|---:|---:|---:|---:|")
    for length, lname in ((1, "all"), (2, "2+ characters")):
        for own, oname in ((True, "yes"), (False, "no")):
            for th in ((0, 1000, 2000, 3000) if own else (0,)):
                sel = [r for r in rows if r[2] >= length and r[1] == own
                       and (r[0] is None or r[0] >= th)]
                print(f"| {lname} | {oname} | {th if own else '–'} | {len(sel)} | "
                      f"{sum(r[3] for r in sel)} | {sum(r[4] for r in sel)} |")


if __name__ == "__main__":
    main()
