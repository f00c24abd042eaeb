"""wordstats: count words, lines and frequent words in a text file."""

from .stats import median_word_length, top_words, word_count

__all__ = ["median_word_length", "top_words", "word_count"]
