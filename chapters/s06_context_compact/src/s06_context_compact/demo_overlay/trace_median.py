"""Trace median_word_length: for the first n words of a text, n = 1, 2, 3, ..., print what it
returns next to the true median. A debugging aid; it prints one line per word.

    python trace_median.py texts/lighthouse.txt [--repeat 4]
"""

import argparse
import statistics

from wordstats.stats import median_word_length, words


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=4, help="read the text this many times over")
    args = parser.parse_args()
    with open(args.path, encoding="utf-8") as f:
        text = f.read() * args.repeat
    found = words(text)
    mismatches = 0
    for n in range(1, len(found) + 1):
        prefix = " ".join(found[:n])
        got, want = median_word_length(prefix), statistics.median(len(w) for w in found[:n])
        verdict = "ok" if got == want else "MISMATCH"
        mismatches += got != want
        print(f"n={n:4}  last word {found[n - 1]!r:12}  got {got:<4}  true median {want:<4}  {verdict}")
    print(f"{len(found)} prefixes traced, {mismatches} mismatches")


if __name__ == "__main__":
    main()
