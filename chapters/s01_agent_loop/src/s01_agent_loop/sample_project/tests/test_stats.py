import unittest

from wordstats import median_word_length, top_words, word_count


class StatsTest(unittest.TestCase):
    def test_word_count(self):
        self.assertEqual(word_count("The keeper's lamp, the keeper's light."), 6)

    def test_top_words(self):
        self.assertEqual(top_words("a b a c a b", n=2), [("a", 3), ("b", 2)])

    def test_median_odd(self):
        self.assertEqual(median_word_length("a bb ccc"), 2)

    def test_median_even(self):
        self.assertEqual(median_word_length("a bb ccc dddd"), 2.5)


if __name__ == "__main__":
    unittest.main()
