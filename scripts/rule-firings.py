#!/usr/bin/env python3
"""Where the reading rules fire on text they were not written from.

    rule-firings.py sentences DIR OUT.jsonl        # Japanese sentences from unpacked .debs
    rule-firings.py report EXPLAIN.jsonl [--examples N] [--all]

`sentences` collects sentences from Debian's Japanese manual pages and reference (HTML and
troff under DIR, as `dpkg-deb -x` unpacks them) into `{"id", "text"}` lines for `yomiage
accent --format jsonl --explain`. `report` reads that command's output and prints, for each
reading rule and learned rule, how often it fired and in which contexts (the word in brackets
with the reading the rule gave), so a misfire on unseen text shows before the held-out test
finds it. The エイ → エー and 言う ユー rules fire on most sentences and are left out unless
--all.
"""

import argparse
import collections
import glob
import gzip
import html
import json
import os
import random
import re

COMMON = {"エイ → エー", "言う ユー"}


def sentences(root, out):
    found = set()

    def add(text):
        for s in re.split(r"(?<=[。！？])", text):
            s = s.strip()
            japanese = len(re.findall(r"[ぁ-んァ-ン一-龥]", s))
            if 12 <= len(s) <= 100 and re.search(r"[一-龥]", s) and japanese > 0.6 * len(s):
                found.add(s)

    for path in glob.glob(os.path.join(root, "**", "*.ja.html"), recursive=True):
        text = open(path, encoding="utf-8", errors="replace").read()
        text = re.sub(r"<pre.*?</pre>", "", text, flags=re.S)
        add(html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\n", ""))
    for path in glob.glob(os.path.join(root, "usr", "share", "man", "ja", "**", "*.gz"),
                          recursive=True):
        try:
            text = gzip.open(path).read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines = [re.sub(r"\\f[BIRP]|\\-|\\\(..|\\&", "", l) for l in text.split("\n")
                 if not l.startswith((".", "'"))]
        add("".join(lines))
    chosen = sorted(found)
    random.Random(3).shuffle(chosen)
    with open(out, "w", encoding="utf-8") as f:
        for i, s in enumerate(chosen[:8000]):
            f.write(json.dumps({"id": f"x{i}", "text": s}, ensure_ascii=False) + "\n")
    print(f"{min(len(chosen), 8000)} of {len(chosen)} sentences → {out}")


def report(path, examples, everything):
    counts = collections.Counter()
    contexts = collections.defaultdict(list)
    for line in open(path, encoding="utf-8"):
        words = json.loads(line).get("words", [])
        for k, w in enumerate(words):
            source = w.get("source", {})
            kind = source.get("kind")
            if kind == "reading_rule" and (everything or source.get("name") not in COMMON):
                name = source["name"]
            elif kind == "learned_rule":
                name = f"learned ({source.get('context', '')})"
            else:
                continue
            before = "".join(x["surface"] for x in words[max(0, k - 3):k])
            after = "".join(x["surface"] for x in words[k + 1:k + 3])
            counts[name] += 1
            contexts[name].append(f"{before}[{w['surface']}:{w['reading']}]{after}")
    for name, n in counts.most_common():
        print(f"{n:5}  {name}")
        for c in contexts[name][:examples]:
            print(f"         {c}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sentences")
    s.add_argument("root")
    s.add_argument("out")
    r = sub.add_parser("report")
    r.add_argument("explain")
    r.add_argument("--examples", type=int, default=12)
    r.add_argument("--all", action="store_true")
    args = ap.parse_args()
    if args.cmd == "sentences":
        sentences(args.root, args.out)
    else:
        report(args.explain, args.examples, args.all)


if __name__ == "__main__":
    main()
