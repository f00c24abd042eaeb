"""python -m wordstats FILE"""

import sys

from .stats import median_word_length, top_words, word_count


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    print(f"words: {word_count(text)}")
    print(f"lines: {len(text.splitlines())}")
    print("top words: " + ", ".join(f"{w} ({n})" for w, n in top_words(text)))
    print(f"median word length: {median_word_length(text)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "texts/lighthouse.txt")
