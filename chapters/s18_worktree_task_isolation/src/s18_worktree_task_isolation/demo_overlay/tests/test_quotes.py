"""A second known bug (s18's demo fixes it beside the median): a word in single quotes keeps them,
so 'lamp' and lamp are counted as two different words."""

import unittest

from wordstats import top_words


class QuotesTest(unittest.TestCase):
    def test_a_quoted_word_is_the_word(self):
        self.assertEqual(top_words("'lamp' and lamp", n=1), [("lamp", 2)])


if __name__ == "__main__":
    unittest.main()
