"""A slow test, as real suites have (an integration test, a database): it waits a second.

The s13 demo runs the suite in the background, so the agent goes on reading code meanwhile."""

import time
import unittest
from pathlib import Path

from wordstats import word_count


class CorpusTest(unittest.TestCase):
    def test_the_whole_text_has_words(self):
        time.sleep(1)  # stands in for the slow part
        text = (Path(__file__).parent.parent / "texts" / "lighthouse.txt").read_text(encoding="utf-8")
        self.assertGreater(word_count(text), 0)
