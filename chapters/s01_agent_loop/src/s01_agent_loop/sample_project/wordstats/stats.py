"""The statistics themselves."""

import re
from collections import Counter

WORD = re.compile(r"[A-Za-z']+")


def words(text):
    return [w.lower() for w in WORD.findall(text)]


def word_count(text):
    return len(words(text))


def top_words(text, n=3):
    return Counter(words(text)).most_common(n)


def median_word_length(text):
    lengths = sorted(len(w) for w in words(text))
    if not lengths:
        return 0
    middle = len(lengths) // 2
    return lengths[middle]
