#!/usr/bin/env python3
"""Trains the learned reading stage (frontend/data/reading-model.tsv) from the accent set.

    train-readings.py GOLD.jsonl WORDS.jsonl NAIST_JDIC.csv [--folds 5 --seed 1]
                      [--cv-dir DIR] [--model-out FILE]

WORDS: yomiage's words with the reading stage off (`train-accent --reading-model none
--words-out`). Each word gets its gold reading as scripts/reading-errors.py aligns it (a word
read right keeps its own); numerals and the word after one are left to the digit rules. The model is a decision list: for a (surface, reading given) pair,
a rule (context, reading) is kept where the training sentences show that reading in that
context at least MIN_COUNT times, in at least MIN_SENTENCES different sentences, with at
least MIN_SHARE of the cases, and it differs from the reading given (counting sentences
keeps one sentence's furigana, 月印 ルナグラム said three times, from becoming a rule that
reads every 印 グラム); the context is the word before, the word after, or none, and the
most specific rule that holds wins at run time. Deterministic: the same data give the same
file (rules sorted). The accent of a new reading is naist-jdic's for that surface and
pronunciation (its cheapest entry), or the word's own where naist-jdic has none (a spelling
such as ヒメイ for ヒメー).

--cv-dir writes fold0.tsv … foldK-1.tsv, each trained without the sentences of its fold (the
folds of tools/train-accent, same seed), for `train-accent --reading-cv DIR`.
"""

import argparse
import collections
import json
import os
import sys

MIN_COUNT = int(os.environ.get("READING_MIN_COUNT", 3))
MIN_SHARE = float(os.environ.get("READING_MIN_SHARE", 0.8))
MIN_SENTENCES = int(os.environ.get("READING_MIN_SENTENCES", 3))
MASK = (1 << 64) - 1


def folds(count, k, seed):
    """tools/train-accent's fold assignment (xorshift64 shuffle), bit for bit."""
    state = max(seed, 1) ^ 0xA5A5A5A5
    order = list(range(count))
    for i in range(count - 1, 0, -1):
        x = state
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        state = x
        j = x % (i + 1)
        order[i], order[j] = order[j], order[i]
    fold = [0] * count
    for pos, i in enumerate(order):
        fold[i] = pos % max(k, 1)
    return fold


def word_readings(gold, words, errors, score):
    """[(surface, ours, prev, next, gold reading)] for every word of one sentence."""
    gm = [m for p in gold["phrases"] for m in score.split_moras("".join(p["moras"]))]
    pm, owner = [], []
    for k, w in enumerate(words):
        for m in score.split_moras("".join(w["moras"])):
            pm.append(m)
            owner.append(k)
    toks = lambda ms: score.canon([m for m in ms if m])  # noqa: E731
    G, P = toks(gm), toks(pm)
    target = {k: "".join(w["moras"]) for k, w in enumerate(words)}
    if G != P:
        for W, (g0, g1) in errors.misread_units(G, P, owner):
            parts = errors.split_span(gm[g0:g1], [words[k]["moras"] for k in W], toks)
            for k, part in zip(W, parts):
                target[k] = "".join(part)
    out = []
    for k, w in enumerate(words):
        # Numbers and their counters are the digit rules' (a rule learned for 万人 バンニン
        # would read 5万人 as ゴバンニン).
        if w["pos"][1] == "数" or (k > 0 and words[k - 1]["pos"][1] == "数"):
            continue
        prev = words[k - 1] if k > 0 else {"surface": "^", "pos": ["^", "^"]}
        nxt = words[k + 1] if k + 1 < len(words) else {"surface": "$", "pos": ["$", "$"]}
        out.append((w["surface"], "".join(w["moras"]), prev["surface"], nxt["surface"],
                    "/".join(prev["pos"][:2]), "/".join(nxt["pos"][:2]), target[k]))
    return out


def train(examples, accents):
    """examples: (sentence index, surface, ours, prev, next, prevpos, nextpos, reading)."""
    counts = collections.defaultdict(collections.Counter)
    sentences = collections.defaultdict(set)
    for sentence, surface, ours, prev, nxt, prevpos, nextpos, reading in examples:
        if not reading:
            continue
        for ctx in (("prev", prev), ("next", nxt), ("prevpos", prevpos), ("nextpos", nextpos),
                    ("any", "")):
            counts[(surface, ours) + ctx][reading] += 1
            sentences[(surface, ours) + ctx + (reading,)].add(sentence)
    seen_in = lambda key, reading: len(sentences[key + (reading,)])  # noqa: E731
    rules = []
    for (surface, ours, ctx, value), c in counts.items():
        total = sum(c.values())
        # Ties are broken by the reading's text, so the result never depends on order.
        best = sorted((-cnt, r) for r, cnt in c.items())[0]
        reading, n = best[1], -best[0]
        if reading == ours or n < MIN_COUNT or n / total < MIN_SHARE:
            continue
        if seen_in((surface, ours, ctx, value), reading) < MIN_SENTENCES:
            continue
        rules.append((surface, ours, ctx, value, reading))
    # A context rule that says what the default rule says is redundant.
    default = {(r[0], r[1]): r[4] for r in rules if r[2] == "any"}
    lines = []
    for surface, ours, ctx, value, reading in sorted(rules):
        if ctx != "any" and default.get((surface, ours)) == reading:
            continue
        accent = accents.get((surface, reading), "-")
        lines.append(f"{surface}\t{ours}\t{ctx}\t{value}\t{reading}\t{accent}")
    # Context rules where the default would change the word need a rule that keeps it: a
    # context where the reading given was right is learned as (context → ours) only if it
    # differs from the default; add those so the default does not override them.
    keep = collections.defaultdict(collections.Counter)
    for _, surface, ours, prev, nxt, prevpos, nextpos, reading in examples:
        if (surface, ours) in default and reading == ours:
            for ctx in (("prev", prev), ("next", nxt), ("prevpos", prevpos), ("nextpos", nextpos)):
                keep[(surface, ours) + ctx][reading] += 1
    for (surface, ours, ctx, value), c in sorted(keep.items()):
        n = c[ours]
        total = sum(counts[(surface, ours, ctx, value)].values())
        enough = seen_in((surface, ours, ctx, value), ours) >= MIN_SENTENCES
        if n >= MIN_COUNT and n / total >= MIN_SHARE and enough:
            lines.append(f"{surface}\t{ours}\t{ctx}\t{value}\t{ours}\t-")
    return sorted(lines)


def load_accents(path, wanted):
    """(surface, pronunciation) → accent of naist-jdic's cheapest such entry."""
    best = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            cols = line.rstrip("\n").split(",")
            if len(cols) < 14 or cols[0] not in wanted:
                continue
            key = (cols[0], cols[12])
            try:
                cost = int(cols[3])
                accent = int(cols[13].split("/")[0])
            except ValueError:
                continue
            if key not in best or cost < best[key][0]:
                best[key] = (cost, accent)
    return {k: v[1] for k, v in best.items()}


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Learned reading rules (scripts/train-readings.py, trained on the JSUT accent set;\n")
        f.write("# CC BY-SA, see README). surface, reading given, context (prev/next/prevpos/nextpos/any),\n")
        f.write("# context word or part of speech, reading, accent (- keeps the word's)\n")
        for line in lines:
            f.write(line + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("words")
    ap.add_argument("lexicon")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cv-dir")
    ap.add_argument("--model-out")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.gold)))
    sys.path.insert(0, here)
    import score
    errors = __import__("reading-errors")

    gold = [json.loads(l) for l in open(args.gold, encoding="utf-8") if l.strip()]
    words = {}
    for line in open(args.words, encoding="utf-8"):
        if line.strip():
            s = json.loads(line)
            words[s["id"]] = s["words"]
    per_sentence = []
    for g in gold:
        ws = words.get(g["id"], [])
        per_sentence.append(word_readings(g, ws, errors, score) if ws else [])
    surfaces = {e[0] for ex in per_sentence for e in ex}
    accents = load_accents(args.lexicon, surfaces)

    if args.cv_dir:
        os.makedirs(args.cv_dir, exist_ok=True)
        fold = folds(len(gold), args.folds, args.seed)
        for k in range(args.folds):
            ex = [(i,) + e for i, exs in enumerate(per_sentence) if fold[i] != k for e in exs]
            lines = train(ex, accents)
            write(os.path.join(args.cv_dir, f"fold{k}.tsv"), lines)
            print(f"fold {k}: {len(lines)} rules", file=sys.stderr)
    if args.model_out:
        lines = train([(i,) + e for i, exs in enumerate(per_sentence) for e in exs], accents)
        write(args.model_out, lines)
        print(f"model: {len(lines)} rules → {args.model_out}", file=sys.stderr)


if __name__ == "__main__":
    main()
