#!/usr/bin/env python3
"""Classifies yomiage's misread words on the accent dev set by kind (scripts/reading-errors.sh).

    reading-errors.py GOLD.jsonl WORDS.jsonl NAIST_JDIC.csv [--examples N] [--kind KIND]

GOLD: the accent set (its phrases' moras are the speaker's reading). WORDS: yomiage's words per
sentence (`train-accent --words-out`: surface, part of speech, moras after the reading stage).
NAIST_JDIC.csv: the lexicon the dictionary is built from (scripts/naist-jdic-csv.sh decompiles it), to
tell a homograph from an unknown word or a segmentation slip.

Our moras and the gold moras are aligned by edit distance in score.py's pronunciation tokens (so
a sentence counts as misread exactly when score.py's "reading sentence exact" says so); every
word with an edited mora is misread, and the gold moras aligned to it are its gold reading. Each
misread word gets the first kind whose test it passes — heuristics, written out below:

  speaker deviation  the sentence is flagged reading_deviation (the speaker misread the text)
  long vowel         ours and gold differ only in writing a long vowel as ー or as ウ/イ
                     (ヨー/ヨウ, レー/レイ); the lexicon's pronunciation field writes ー, the
                     speaker's labels either
  numbers/counters   the word is a numeral (名詞,数) or a suffix/counter right after one
  prefix 御/お/ご    the word is a prefix (接頭詞) or is 御
  unknown word       a surface with kanji that no lexicon entry has
  homograph          a lexicon entry of the same surface has the gold reading
  rendaku/sokuon     ours and gold differ only by voicing the first mora (カ→ガ, ハ→バ/パ) or
                     by a final ツ/ク/チ/キ → ッ
  segmentation       a lexicon entry spans this word and a neighbour (or a part of it) and has
                     the gold reading of that span
  other              none of these (a reading neither the lexicon nor a rule here explains)
"""

import argparse
import collections
import json
import os
import sys

KINDS = [
    "speaker deviation",
    "long vowel",
    "numbers/counters",
    "prefix 御/お/ご",
    "unknown word",
    "homograph",
    "rendaku/sokuon",
    "segmentation",
    "other",
]
NUMERALS = set("0123456789０１２３４５６７８９〇一二三四五六七八九十百千万億兆")
VOICED = {}
for plain, voiced in zip("カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ",
                         "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ"):
    VOICED.setdefault(plain, set()).add(voiced)
VOICED["チ"].add("ジ")
VOICED["ツ"].add("ズ")


def has_kanji(s):
    return any("\u4e00" <= c <= "\u9fff" or c in "々〆" for c in s)


def load_lexicon(path):
    """surface → set of pronunciations (ー kept as written)."""
    lex = collections.defaultdict(set)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            cols = line.rstrip("\n").split(",")
            if len(cols) >= 13 and cols[12] not in ("", "*"):
                lex[cols[0]].add(cols[12])
    return lex


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("words")
    ap.add_argument("lexicon")
    ap.add_argument("--examples", type=int, default=0, help="print N misread words per kind")
    ap.add_argument("--kind", help="only print examples of this kind")
    ap.add_argument("--unidic", help="yomiage's UniDic lexicon table: also count, per kind, the "
                    "misread words whose gold reading UniDic has, and where its top reading is it")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.gold)))
    import score  # the set's own mora splitting and pronunciation tokens

    def toks(moras):
        return score.canon([m for m in moras if m])

    def long_norm(moras):
        """Tokens with a long vowel written ウ/イ folded into ー (ou→oo, ei→ee, uu, ii)."""
        t = toks(moras)
        out = []
        for x in t:
            prev = out[-1][-1] if out and out[-1] else ""
            if (x == "u" and prev in "ou") or (x == "i" and prev in "ei"):
                out.append(prev)
            else:
                out.append(x)
        return out

    lex = load_lexicon(args.lexicon)
    lex_norm = {}

    def lex_has(surface, gold_moras):
        if surface not in lex:
            return False
        key = surface
        if key not in lex_norm:
            lex_norm[key] = [long_norm(score.split_moras(p)) for p in lex[key]]
        g = long_norm(gold_moras)
        return any(p == g for p in lex_norm[key])

    gold = {}
    for line in open(args.gold, encoding="utf-8"):
        if line.strip():
            s = json.loads(line)
            gold[s["id"]] = s
    words = {}
    for line in open(args.words, encoding="utf-8"):
        if line.strip():
            s = json.loads(line)
            words[s["id"]] = s["words"]

    uni = load_unidic(args.unidic) if args.unidic else None
    uni_has, uni_top, uni_known = (collections.Counter() for _ in range(3))
    uni_ok = collections.Counter()  # words read right: UniDic's top agrees / disagrees

    def same(a, b):
        return long_norm(score.split_moras(a)) == long_norm(b)

    kind_words = collections.Counter()
    kind_sents = collections.Counter()
    only_sents = collections.Counter()
    examples = collections.defaultdict(list)
    misread_sents = 0
    for uid, g in gold.items():
        gm = [m for p in g["phrases"] for m in score.split_moras("".join(p["moras"]))]
        ws = words.get(uid, [])
        pm, owner = [], []
        for k, w in enumerate(ws):
            for m in score.split_moras("".join(w["moras"])):
                pm.append(m)
                owner.append(k)
        G, P = toks(gm), toks(pm)
        if G == P:
            if uni is not None:
                count_right(uni, ws, uni_ok, same, has_kanji)
            continue
        misread_sents += 1
        units = misread_units(G, P, owner)
        bad, span = {}, {}
        for W, (g0, g1) in units:
            parts = split_span(gm[g0:g1], [ws[k]["moras"] for k in W], toks)
            for k, part in zip(W, parts):
                if toks(part) != toks(ws[k]["moras"]):
                    bad[k] = (W, gm[g0:g1])
                    span[k] = part
        if not ws:
            bad, span = {0: ([0], gm)}, {0: gm}
        kinds = set()
        for k in sorted(bad):
            kind = classify(g, ws, k, span, bad[k], toks, long_norm, lex, lex_has)
            kinds.add(kind)
            kind_words[kind] += 1
            if uni is not None and ws and ws[k]["surface"] in uni:
                readings = uni[ws[k]["surface"]]
                uni_known[kind] += 1
                uni_has[kind] += any(same(r, span[k]) for r in readings)
                uni_top[kind] += same(readings[0], span[k])
            if len(examples[kind]) < args.examples:
                ours = "".join(ws[k]["moras"]) if ws else ""
                examples[kind].append(
                    f"{ws[k]['surface'] if ws else ''}\t{ours} → {''.join(span[k])}"
                    f"\t{'/'.join(ws[k]['pos'][:2]) if ws else ''}\t{g['text']}")
        for kind in kinds:
            kind_sents[kind] += 1
        if len(kinds) == 1:
            only_sents[next(iter(kinds))] += 1

    total = len(gold)
    print(f"{total} sentences, {misread_sents} misread ({100 * misread_sents / total:.2f} %); "
          f"{sum(kind_words.values())} misread words")
    print()
    print("| kind | misread words | sentences with one | share of misread sentences | sentences with only this kind |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        share = 100 * kind_sents[kind] / max(misread_sents, 1)
        print(f"| {kind} | {kind_words[kind]} | {kind_sents[kind]} | {share:.1f} % | {only_sents[kind]} |")
    if uni is not None:
        print()
        print("UniDic on the misread words (gold reading = the speaker's, long vowels folded):")
        print("| kind | misread words | surface in UniDic | UniDic has the gold reading | UniDic's top reading is gold |")
        print("|---|---:|---:|---:|---:|")
        for kind in KINDS:
            print(f"| {kind} | {kind_words[kind]} | {uni_known[kind]} | {uni_has[kind]} | {uni_top[kind]} |")
        print(f"| all | {sum(kind_words.values())} | {sum(uni_known.values())} | "
              f"{sum(uni_has.values())} | {sum(uni_top.values())} |")
        print(f"\nWords with kanji read right (sentences read right): {uni_ok['words']}; in UniDic "
              f"{uni_ok['known']}; UniDic's top reading differs from ours in {uni_ok['differs']}")
    for kind in KINDS:
        if examples[kind] and (args.kind is None or args.kind == kind):
            print(f"\n## {kind}")
            for e in examples[kind]:
                print("  " + e)


def load_unidic(path):
    """surface → UniDic pronunciations, lowest word cost first (yomiage's lexicon table)."""
    lex = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5:
                lex.setdefault(cols[0], []).append(cols[1])
    return lex


def count_right(uni, ws, counts, same, has_kanji):
    """In a sentence read right: how often UniDic's top reading would change a right word."""
    for w in ws:
        if not has_kanji(w["surface"]):
            continue
        counts["words"] += 1
        if w["surface"] in uni:
            counts["known"] += 1
            counts["differs"] += not same(uni[w["surface"]][0], w["moras"])


def misread_units(G, P, owner):
    """Runs of edits, widened to whole words: [(word indices, (gold start, gold end))]."""
    import score
    ops = score.align(G, P)
    # For each op: the word it touches (pred side), and whether it is an edit.
    units = []
    i = 0
    while i < len(ops):
        gi, pj = ops[i]
        if gi is not None and pj is not None and G[gi] == P[pj]:
            i += 1
            continue
        j = i
        while j < len(ops) and not (ops[j][0] is not None and ops[j][1] is not None
                                    and G[ops[j][0]] == P[ops[j][1]]):
            j += 1
        # Words touched: owners of pred moras in the run, else the neighbours of an insertion.
        words = {owner[pj] for _, pj in ops[i:j] if pj is not None}
        if not words:
            if i > 0 and ops[i - 1][1] is not None:
                words.add(owner[ops[i - 1][1]])
            if j < len(ops) and ops[j][1] is not None:
                words.add(owner[ops[j][1]])
        if words:
            lo, hi = min(words), max(words)
            units.append([lo, hi, i, j])
        i = j
    # Widen each run to its words' moras; merge overlapping units.
    merged = []
    for lo, hi, i, j in units:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    out = []
    for lo, hi in merged:
        gs = [gi for gi, pj in ops if pj is not None and lo <= owner[pj] <= hi and gi is not None]
        # Gold moras inserted inside or at the edges of the range.
        first = min((k for k, (gi, pj) in enumerate(ops) if pj is not None and owner[pj] == lo))
        last = max((k for k, (gi, pj) in enumerate(ops) if pj is not None and owner[pj] == hi))
        while first > 0 and ops[first - 1][1] is None:
            first -= 1
        while last + 1 < len(ops) and ops[last + 1][1] is None:
            last += 1
        gs = [gi for gi, _ in ops[first:last + 1] if gi is not None]
        g0, g1 = (gs[0], gs[-1] + 1) if gs else (0, 0)
        out.append((list(range(lo, hi + 1)), (g0, g1)))
    return out


def split_span(gold, ours, toks):
    """Cuts `gold` into one part per word, matching as many words' own moras as possible."""
    n = len(ours)
    if n == 1:
        return [gold]
    lens = [len(o) for o in ours]
    best, best_key = None, None
    if n <= 4 and len(gold) <= 40:
        import itertools
        for cuts in itertools.combinations_with_replacement(range(len(gold) + 1), n - 1):
            bounds = (0,) + cuts + (len(gold),)
            parts = [gold[bounds[k]:bounds[k + 1]] for k in range(n)]
            same = sum(toks(p) == toks(o) for p, o in zip(parts, ours))
            off = sum(abs(len(p) - l) for p, l in zip(parts, lens))
            key = (same, -off)
            if best_key is None or key > best_key:
                best, best_key = parts, key
        return best
    # Long runs: cut in proportion to our mora counts.
    total = max(sum(lens), 1)
    parts, at = [], 0
    for k, l in enumerate(lens):
        end = len(gold) if k == n - 1 else min(len(gold), at + round(l * len(gold) / total))
        parts.append(gold[at:end])
        at = end
    return parts


def classify(g, ws, k, span, unit, toks, long_norm, lex, lex_has):
    if g.get("reading_deviation"):
        return "speaker deviation"
    if not ws:
        return "other"
    w = ws[k]
    ours, gold = w["moras"], span[k]
    # The previous mora decides what a leading ー or ウ lengthens.
    before = ws[k - 1]["moras"][-1:] if k > 0 else []
    if long_norm(before + ours) == long_norm(before + gold):
        return "long vowel"
    prev = ws[k - 1] if k > 0 else None
    is_num = w["pos"][1] == "数" or any(c in NUMERALS for c in w["surface"])
    after_num = prev is not None and (prev["pos"][1] == "数") and (
        w["pos"][1] in ("接尾", "数") or w["pos"][2] == "助数詞")
    if is_num or after_num:
        return "numbers/counters"
    if w["pos"][0] == "接頭詞" or w["surface"].startswith("御"):
        return "prefix 御/お/ご"
    if has_kanji(w["surface"]) and w["surface"] not in lex:
        return "unknown word"
    if lex_has(w["surface"], gold):
        return "homograph"
    o, t = toks(ours), toks(gold)
    if len(o) == len(t) and o:
        diff = [i for i in range(len(o)) if o[i] != t[i]]
        if diff == [0] and gold[0] in VOICED.get(ours[0], ()):
            return "rendaku/sokuon"
        if diff == [len(o) - 1] and gold[-1] == "ッ" and ours[-1] in "ツクチキ":
            return "rendaku/sokuon"
    # A lexicon word over the misread words together, read as the speaker did.
    W, unit_gold = unit
    if len(W) > 1:
        for a in range(len(W)):
            for b in range(a + 2, len(W) + 1):
                if not (W[a] <= k < W[b - 1] + 1):
                    continue
                surface = "".join(ws[i]["surface"] for i in W[a:b])
                if surface in lex and any(lex_has(surface, unit_gold[x:y])
                                          for x in range(len(unit_gold) + 1)
                                          for y in range(x + 1, len(unit_gold) + 1)
                                          if x == 0 or y == len(unit_gold)):
                    return "segmentation"
    # A lexicon word over this word and its neighbours, read as the speaker did.
    for a in range(max(0, k - 2), k + 1):
        for b in range(k + 1, min(len(ws), k + 3) + 1):
            if b - a < 2:
                continue
            surface = "".join(ws[i]["surface"] for i in range(a, b))
            moras = [m for i in range(a, b) for m in span.get(i, ws[i]["moras"])]
            if lex_has(surface, moras):
                return "segmentation"
    # This word split in two lexicon words, read as the speaker did.
    s = w["surface"]
    for cut in range(1, len(s)):
        left, right = s[:cut], s[cut:]
        if left in lex and right in lex:
            for lp in lex[left]:
                n = len(toks(score_split(lp)))
                if long_norm(score_split(lp)) == long_norm(gold[:n]) and lex_has(right, gold[n:]):
                    return "segmentation"
    return "other"


def score_split(s):
    import score
    return score.split_moras(s)


if __name__ == "__main__":
    main()
